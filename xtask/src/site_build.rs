//! Building and serving the site with Trunk, never letting it reach the network.

use crate::{
    cmd::{self, root, Result},
    prerender, setup,
};
use std::path::{Path, PathBuf};

/// A closed local port: every download attempted through a proxy fails at once, which proves the
/// build needs none.
const CLOSED_PROXY: &str = "http://127.0.0.1:9";

pub fn run_cli(args: &[String]) -> Result {
    let mut public_url = "/".to_string();
    let mut dist = root().join("dist");
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--public-url" => public_url.clone_from(value),
            "--dist" => dist = PathBuf::from(value),
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    setup::run()?;
    let origin = match std::env::var("SITE_URL") {
        Ok(origin) if !origin.is_empty() => origin,
        _ => {
            eprintln!(
                "xtask: SITE_URL is not set: canonical links, the sitemap and the feed name {} \
                 (set SITE_URL=https://your.host for a deployment)",
                prerender::LOCAL_ORIGIN
            );
            prerender::LOCAL_ORIGIN.to_string()
        }
    };
    release(&public_url, &dist, &origin)
}

/// A release build into `dist` for the site served at `origin` under `public_url`, then every
/// route's pre-rendered page.
pub fn release(public_url: &str, dist: &Path, origin: &str) -> Result {
    // Dependencies are fetched first, with the network; the build itself then runs without it.
    cmd::run(cmd::new("cargo").args(["fetch", "--locked"]))?;
    let mut trunk = cmd::new("trunk");
    trunk
        .args([
            "build",
            "--release",
            "--offline",
            "--public-url",
            public_url,
            "--dist",
        ])
        .arg(dist)
        .env("CARGO_NET_OFFLINE", "true");
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        trunk.env(var, CLOSED_PROXY);
    }
    trunk.env_remove("NO_PROXY").env_remove("no_proxy");
    eprintln!("xtask: building with every proxy pointed at {CLOSED_PROXY} (no downloads possible)");
    cmd::run(&mut trunk)?;
    prerender::run(dist, public_url, origin)
}

/// `cargo xtask serve [--dev]`: Trunk's server with live reload, rebuilding on every change. By
/// default it serves the release build — the labs' engines as the deployed site runs them, so
/// the first in-page benchmark a newcomer runs shows the speed the README quotes (a debug build
/// ran the order book's at 1.8 M ops/s, against 38 M natively). `--dev` serves Trunk's debug
/// build instead, which rebuilds in seconds rather than minutes, for work on the pages; its
/// benchmarks say that they run a debug build.
pub fn serve(args: &[String]) -> Result {
    let dev = match args {
        [] => false,
        [flag] if flag == "--dev" => true,
        _ => return Err(format!("serve takes only --dev, not {args:?}")),
    };
    setup::run()?;
    let mut trunk = cmd::new("trunk");
    trunk.args([
        "serve",
        "--offline",
        "--address",
        "127.0.0.1",
        "--port",
        "8080",
    ]);
    if dev {
        eprintln!("xtask: serving the debug build (engines far slower than deployed)");
    } else {
        trunk.arg("--release");
        eprintln!(
            "xtask: serving the release build (a few minutes per rebuild; --dev for seconds)"
        );
    }
    cmd::run(&mut trunk)
}
