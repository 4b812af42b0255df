//! The Content-Security-Policy every page carries, as a `<meta http-equiv>` (which any static
//! host serves) and in `_headers` (for hosts that read one, with the headers a meta tag cannot
//! set). Scripts run only from the site's own files and from inline scripts whose SHA-256 is in
//! the policy — the theme script, the load-error script and Trunk's loader, hashed after the
//! build — with no `'unsafe-inline'` and no `'unsafe-eval'`; WebAssembly needs
//! `'wasm-unsafe-eval'` and nothing more.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// Everything but scripts. Styles allow inline because the labs set `style` attributes (bar
/// widths, positions); no script can be injected through them.
const FIXED_DIRECTIVES: &[&str] = &[
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
];

/// The `'sha256-…'` source of every inline script in `html` (a `<script>` without `src`).
pub fn inline_script_hashes(html: &str) -> BTreeSet<String> {
    let mut hashes = BTreeSet::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_and_more = &after[tag_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            hashes.insert(hash_source(&body_and_more[..close]));
        }
        rest = &body_and_more[close..];
    }
    hashes
}

fn hash_source(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy for pages whose inline scripts have `hashes`.
pub fn policy(hashes: &BTreeSet<String>) -> String {
    let mut script = vec!["'self'", "'wasm-unsafe-eval'"];
    script.extend(hashes.iter().map(String::as_str));
    let mut directives = vec![format!("script-src {}", script.join(" "))];
    directives.extend(FIXED_DIRECTIVES.iter().map(|d| d.to_string()));
    directives.join("; ")
}

/// `html` with its policy as the first element of `<head>` after the charset, so it covers every
/// script (a policy applies only to what follows it). Replaces a policy already there.
pub fn with_meta(html: &str) -> Result<String, String> {
    let html = without_meta(html);
    let policy = policy(&inline_script_hashes(&html));
    let charset = "<meta charset=\"utf-8\">";
    let at = html
        .find(charset)
        .ok_or_else(|| "page has no <meta charset=\"utf-8\">".to_string())?
        + charset.len();
    Ok(format!(
        "{}\n  <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">{}",
        &html[..at],
        &html[at..]
    ))
}

fn without_meta(html: &str) -> String {
    const OPEN: &str = "\n  <meta http-equiv=\"Content-Security-Policy\"";
    match html.find(OPEN) {
        Some(start) => match html[start..].find('>') {
            Some(end) => format!("{}{}", &html[..start], &html[start + end + 1..]),
            None => html.to_string(),
        },
        None => html.to_string(),
    }
}

/// `_headers` (Netlify and Cloudflare Pages read it; GitHub Pages does not): the same policy
/// for every inline script of the site (`hashes`, all pages together) plus `frame-ancestors`,
/// which only a header can carry, and cross-origin isolation, which gives the labs' timers
/// their full precision (`performance.now()` is coarsened without it).
pub fn headers_file(public_url: &str, hashes: &BTreeSet<String>) -> String {
    format!(
        "# Read by hosts that support it (Netlify, Cloudflare Pages); written by `xtask prerender`.\n\
         {public_url}*\n  \
         Content-Security-Policy: {}; frame-ancestors 'none'\n  \
         Cross-Origin-Opener-Policy: same-origin\n  \
         Cross-Origin-Embedder-Policy: require-corp\n  \
         Cross-Origin-Resource-Policy: same-origin\n  \
         X-Content-Type-Options: nosniff\n  \
         Referrer-Policy: strict-origin-when-cross-origin\n",
        policy(hashes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<head><meta charset=\"utf-8\">\n<script>a()</script>\
        <script type=\"module\">b()</script><script src=\"x.js\"></script></head>";

    #[test]
    fn hashes_every_inline_script_and_no_file() {
        let hashes = inline_script_hashes(PAGE);
        assert_eq!(hashes.len(), 2);
        // `echo -n 'a()' | openssl dgst -sha256 -binary | base64`
        assert!(hashes.contains("'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='"));
    }

    #[test]
    fn the_policy_allows_no_inline_script_or_eval() {
        let policy = policy(&inline_script_hashes(PAGE));
        let script = policy.split("; ").next().expect("script-src first");
        assert!(script.starts_with("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!policy.contains("'unsafe-eval'"));
        assert!(!script.contains("'unsafe-inline'"));
        assert!(policy.contains("object-src 'none'") && policy.contains("base-uri 'self'"));
    }

    #[test]
    fn the_meta_comes_first_and_is_replaced_not_added() {
        let once = with_meta(PAGE).expect("meta");
        let twice = with_meta(&once).expect("meta");
        assert_eq!(once, twice);
        let meta = once.find("Content-Security-Policy").expect("meta");
        assert!(meta < once.find("<script").expect("script"));
    }
}
