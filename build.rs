//! Build step of the site: assembles `content/` (TOML, Markdown, diagrams, the highlighted
//! contract, imported posts) with `content-build` and embeds it in postcard's compact binary
//! form (the smallest decoder to ship in the WASM), so the browser never
//! downloads a Markdown parser or syntect, and a content mistake fails the build with its file
//! and line.

use std::{env, fs, path::Path, process};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = content_build::site::assemble(root).unwrap_or_else(|e| fail(&e.to_string()));
    // A directory is watched recursively; the snippet may live outside `content/`.
    println!("cargo:rerun-if-changed=content");
    println!("cargo:rerun-if-changed={}", site.snippet.file);
    let bytes = postcard::to_allocvec(&site).unwrap_or_else(|e| fail(&e.to_string()));
    let out = env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set"));
    fs::write(Path::new(&out).join("site.postcard"), bytes)
        .unwrap_or_else(|e| fail(&e.to_string()));
    embed_measurements(Path::new(&out));
}

/// The order book's native benchmark record (`cargo xtask bench`), embedded as is for the lab's
/// benchmark panel, which parses it in the browser and shows nothing when it is absent (`null`).
fn embed_measurements(out: &Path) {
    const FILE: &str = "content/measurements/orderbook.json";
    let text = fs::read_to_string(FILE).unwrap_or_else(|_| "null".to_string());
    fs::write(out.join("orderbook-measurements.json"), text)
        .unwrap_or_else(|e| fail(&e.to_string()));
}

fn fail(message: &str) -> ! {
    eprintln!("error: content: {message}");
    process::exit(1);
}
