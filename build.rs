//! Build step of the site: checks `content/site.toml` against the content schema and embeds it as
//! JSON, so the browser never parses TOML and a content mistake fails the build with its location.

use std::{env, fs, path::Path, process};

const SITE_TOML: &str = "content/site.toml";

fn main() {
    println!("cargo:rerun-if-changed={SITE_TOML}");

    let text = fs::read_to_string(SITE_TOML).unwrap_or_else(|e| fail(&format!("cannot read: {e}")));
    let site: site_content::Site = toml::from_str(&text).unwrap_or_else(|e| fail(&e.to_string()));
    let problems = site.problems();
    if !problems.is_empty() {
        fail(&problems.join("\n"));
    }
    let json = serde_json::to_string(&site).unwrap_or_else(|e| fail(&e.to_string()));
    let out = env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set"));
    fs::write(Path::new(&out).join("site.json"), json).unwrap_or_else(|e| fail(&e.to_string()));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {SITE_TOML}: {message}");
    process::exit(1);
}
