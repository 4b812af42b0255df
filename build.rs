//! Build step of the site: assembles `content/` (TOML, Markdown, diagrams, the highlighted
//! contract, imported posts, benchmark figures) with `content-build` and embeds it in postcard's
//! compact binary form (the smallest decoder to ship in the WASM), so the browser never
//! downloads a Markdown parser or syntect, and a content mistake fails the build with its file
//! and line. Each lab also gets a bundle of its own (`lab-<slug>.postcard`: its page, its live
//! part from `content/labs/<slug>.toml` and the kit's words), so a lab's module carries its own
//! words and not the whole site's, and the site's module never carries a lab's live words.

use std::{env, fs, path::Path, process};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = content_build::site::assemble(root).unwrap_or_else(|e| fail(&e.to_string()));
    // A directory is watched recursively; the snippet may live outside `content/`.
    println!("cargo:rerun-if-changed=content");
    println!("cargo:rerun-if-changed={}", site.snippet.file);
    let out = env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set"));
    let out = Path::new(&out);
    let bundles =
        content_build::site::lab_bundles(root, &site).unwrap_or_else(|e| fail(&e.to_string()));
    write(&out.join("site.postcard"), &site);
    // Each lab's bundle is typed by its own words, so its module decodes no other lab's.
    for bundle in &bundles {
        let path = out.join(format!("lab-{}.postcard", bundle.lab.slug));
        match &bundle.live.words {
            site_content::LabWords::Orderbook(w) => write(&path, &bundle.with_words(w.as_ref())),
            site_content::LabWords::Raft(w) => write(&path, &bundle.with_words(w.as_ref())),
            site_content::LabWords::RateLimiter(w) => write(&path, &bundle.with_words(w.as_ref())),
            site_content::LabWords::MarketData(w) => write(&path, &bundle.with_words(w.as_ref())),
        }
    }
}

fn write<T: serde::Serialize>(path: &Path, value: &T) {
    let bytes = postcard::to_allocvec(value).unwrap_or_else(|e| fail(&e.to_string()));
    fs::write(path, bytes).unwrap_or_else(|e| fail(&e.to_string()));
}

fn fail(message: &str) -> ! {
    eprintln!("error: content: {message}");
    process::exit(1);
}
