//! `cargo xtask …`: the project's own automation, so that a fresh machine with only cargo and node
//! can install every tool, build, serve and test the site with one command each.

#![forbid(unsafe_code)]

mod bench;
mod bench_wasm;
mod bundle;
mod cmd;
mod content;
mod csp;
mod import_feed;
mod parity;
mod prerender;
mod setup;
mod site_build;
mod static_server;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  setup                 install every tool the project needs (idempotent)
  build [--public-url P] [--dist DIR]
                        release build of the site into dist/ (offline), with deep-link pages
  serve [--dev]         setup, then `trunk serve --release` with live reload at
                        http://127.0.0.1:8080 (--dev: the quick-to-rebuild debug build)
  serve-dist [--dir DIR] [--port N] [--mount /sub/]
                        serve a built dist/ with a plain static file server
  test                  fmt, clippy, cargo test, release build, e2e in Chromium, Lighthouse
  bundle                the built site module's code by crate, and its shipped size
  e2e-data              write target/e2e/ (content, fixtures) for running e2e specs by hand
  parity                native vs WASM (under node) digests of each engine's fixed workload
  import-feed FILE       import an RSS/Atom feed into content/writing/
  highlight-css         regenerate style/highlight.css (syntax colours for both themes)
  bench [ENGINE]        run the engines' benchmarks; write content/measurements/<engine>.json
  bench wasm [--rounds N] [--quick]
                        each engine's fixed workload natively, under node and in Chromium,
                        alternating; fails below 0.7x native in Chromium; writes
                        content/measurements/wasm.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("build") => site_build::run_cli(&args[1..]),
        Some("serve") => site_build::serve(&args[1..]),
        Some("serve-dist") => static_server::run_cli(&args[1..]),
        Some("test") => test::run(),
        Some("import-feed") => import_feed::run(&args[1..]),
        Some("highlight-css") => content::write_highlight_css(),
        Some("parity") => parity::run(),
        Some("e2e-data") => test::write_e2e_data(&cmd::root().join("target/e2e")),
        Some("bundle") => bundle::run(&cmd::root().join("dist")),
        Some("bench") => bench::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
