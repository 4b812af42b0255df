//! Makes a crash visible: a Rust panic in the browser shows a message on the page (and in the
//! console) instead of leaving a frozen, silent UI.

use std::panic;

/// Installs a panic hook that logs the panic and shows an alert banner on the page.
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// Puts a fixed alert at the top of the page. Uses only raw DOM calls: the reactive system may be
/// the thing that broke.
fn show(message: &str) {
    let document = gloo_utils::document();
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_id("fatal");
    let _ = banner.set_attribute("role", "alert");
    banner.set_text_content(Some(&format!(
        "Something went wrong and this page stopped working. Reloading usually helps. ({message})"
    )));
    if let Some(body) = document.body() {
        let _ = body.append_child(&banner);
    }
}
