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
    embed_measurements(Path::new(&out));
}

/// Native benchmark figures written by `cargo xtask bench`, embedded when present (the page shows
/// nothing in their place otherwise). A file that is not JSON fails the build.
fn embed_measurements(out: &Path) {
    const FILE: &str = "content/measurements/orderbook.json";
    // Watch the folder that would hold the file, so adding it later reruns this step.
    let watch = ["content/measurements", "content"]
        .into_iter()
        .find(|p| Path::new(p).is_dir())
        .unwrap_or("content");
    println!("cargo:rerun-if-changed={watch}");
    let text = match fs::read_to_string(FILE) {
        Ok(text) => {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
                fail(&format!("{FILE}: {e}"));
            }
            text
        }
        Err(_) => "null".to_string(),
    };
    fs::write(out.join("orderbook-measurements.json"), text)
        .unwrap_or_else(|e| fail(&e.to_string()));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {SITE_TOML}: {message}");
    process::exit(1);
}
