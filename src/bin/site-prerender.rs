//! `site-prerender <public-url>`: prints, as one JSON object, the markup the app renders for every
//! route of the content (`routes`: path → HTML) and for an unknown address (`not_found`). Native
//! only; `xtask prerender` runs it and writes the pages.

use site::{content::site, prerender::render};
use std::process::ExitCode;

/// Any path no route or slug matches: the router's fallback, the 404 page.
const UNKNOWN_PATH: &str = "/this-address-is-not-a-page";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [public_url] = args.as_slice() else {
        eprintln!("usage: site-prerender <public-url>   (e.g. / or /sub/)");
        return ExitCode::from(2);
    };
    match run(public_url) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("site-prerender: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(public_url: &str) -> Result<String, String> {
    let mut routes = serde_json::Map::new();
    for page in site().routes() {
        let html = render(public_url, &page.path)?;
        routes.insert(page.path, html.into());
    }
    let not_found = render(public_url, UNKNOWN_PATH)?;
    Ok(serde_json::json!({ "routes": routes, "not_found": not_found }).to_string())
}
