//! The `site` module: the portfolio app, mounted over the static shell in index.html.

fn main() {
    site::app::start();
}
