//! A plain static file server, the kind any static host is: files as they are, `index.html` for
//! directories (redirecting `/dir` to `/dir/`), and `404.html` with status 404 for anything else.
//! The e2e suite runs against it, not `trunk serve`, to prove that `dist/` deploys as is.

use crate::cmd::{root, Result};
use std::{
    fs,
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::{Component, Path, PathBuf},
    thread,
};

/// The longest request head we read; anything larger is refused.
const MAX_REQUEST_LINE_BYTES: usize = 8 * 1024;

/// What a site is: a directory served under a mount path (`/` or `/sub/`).
#[derive(Debug, Clone)]
pub struct Site {
    pub dir: PathBuf,
    /// Starts and ends with `/`.
    pub mount: String,
}

pub fn run_cli(args: &[String]) -> Result {
    let mut dir = root().join("dist");
    let mut port = 8090u16;
    let mut mount = "/".to_string();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--dir" => dir = PathBuf::from(value),
            "--port" => port = value.parse().map_err(|_| format!("bad port {value:?}"))?,
            "--mount" => mount = normalize_mount(value),
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("port {port}: {e}"))?;
    println!(
        "serving {} at http://127.0.0.1:{port}{mount}",
        dir.display()
    );
    serve(listener, Site { dir, mount });
    Ok(())
}

/// A free loopback port, taken before the site is built so the build knows its own origin.
pub struct Reserved {
    listener: TcpListener,
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub origin: String,
}

pub fn reserve() -> Result<Reserved> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    Ok(Reserved {
        listener,
        origin: format!("http://127.0.0.1:{port}"),
    })
}

/// Starts serving `site` on `port` in a background thread; returns the site's base URL.
pub fn spawn(port: Reserved, site: Site) -> String {
    let url = format!("{}{}", port.origin, site.mount);
    thread::spawn(move || serve(port.listener, site));
    url
}

fn serve(listener: TcpListener, site: Site) {
    for stream in listener.incoming().flatten() {
        let site = site.clone();
        thread::spawn(move || {
            // A client that hangs up mid-response is its own problem, not the server's.
            let _ = handle(stream, &site);
        });
    }
}

fn normalize_mount(mount: &str) -> String {
    let trimmed = mount.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

/// What the server answers for a request path.
#[derive(Debug, PartialEq)]
enum Answer {
    File(PathBuf),
    Redirect(String),
    NotFound(Option<PathBuf>),
}

fn handle(stream: TcpStream, site: &Site) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader
        .by_ref()
        .take(MAX_REQUEST_LINE_BYTES as u64)
        .read_line(&mut line)?;
    // Read the headers; only whether the client takes gzip changes the answer.
    let mut gzip = false;
    loop {
        let mut header = String::new();
        let n = reader
            .by_ref()
            .take(MAX_REQUEST_LINE_BYTES as u64)
            .read_line(&mut header)?;
        if n == 0 || header == "\r\n" || header == "\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            gzip |= name.trim().eq_ignore_ascii_case("accept-encoding") && takes_gzip(value);
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            b"method not allowed",
            &[],
        );
    }
    let head_only = method == "HEAD";
    match answer(site, target) {
        Answer::File(path) => {
            let body = fs::read(&path)?;
            // Like any static host, text and WebAssembly travel compressed.
            let (body, extra): (Vec<u8>, &[(&str, &str)]) = if gzip && compressible(&path) {
                (
                    gzipped(&body)?,
                    &[("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")],
                )
            } else {
                (body, &[("Vary", "Accept-Encoding")])
            };
            let body = if head_only { &[][..] } else { &body[..] };
            respond(&mut out, "200 OK", content_type(&path), body, extra)
        }
        Answer::Redirect(location) => {
            // Static hosts keep the query string on the trailing-slash redirect (the labs keep
            // their state there).
            let location = match target.split_once('?') {
                Some((_, query)) if !location.contains('?') => format!("{location}?{query}"),
                _ => location,
            };
            respond(
                &mut out,
                "301 Moved Permanently",
                "text/plain",
                b"moved",
                &[("Location", &location)],
            )
        }
        Answer::NotFound(page) => {
            let body = page
                .and_then(|p| fs::read(p).ok())
                .unwrap_or_else(|| b"not found".to_vec());
            respond(
                &mut out,
                "404 Not Found",
                "text/html; charset=utf-8",
                &body,
                &[],
            )
        }
    }
}

/// Whether an `Accept-Encoding` value accepts gzip (and does not refuse it with `q=0`).
fn takes_gzip(value: &str) -> bool {
    value.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.replace(' ', "") == "q=0");
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        "html" | "js" | "mjs" | "wasm" | "css" | "svg" | "json" | "xml" | "txt"
    )
}

fn gzipped(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body)?;
    encoder.finish()
}

fn answer(site: &Site, target: &str) -> Answer {
    let not_found = || {
        let page = site.dir.join("404.html");
        Answer::NotFound(page.is_file().then_some(page))
    };
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else {
        return not_found();
    };
    let mount_bare = site.mount.trim_end_matches('/');
    if decoded == mount_bare && !mount_bare.is_empty() {
        return Answer::Redirect(site.mount.clone());
    }
    let Some(relative) = decoded.strip_prefix(site.mount.as_str()) else {
        return not_found();
    };
    let relative = Path::new(relative);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return not_found();
    }
    let full = site.dir.join(relative);
    if full.is_file() {
        return Answer::File(full);
    }
    if full.is_dir() {
        if !decoded.ends_with('/') {
            return Answer::Redirect(format!("{decoded}/"));
        }
        let index = full.join("index.html");
        if index.is_file() {
            return Answer::File(index);
        }
    }
    not_found()
}

fn respond(
    out: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    extra: &[(&str, &str)],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "xml" => "application/xml",
        "png" => "image/png",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes; None for a malformed escape or a result that is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_only_when_the_client_takes_it() {
        assert!(takes_gzip(" gzip, deflate, br"));
        assert!(takes_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(!takes_gzip("gzip;q=0, br"));
        assert!(!takes_gzip("identity"));
        let body = b"<p>hello</p>".repeat(100);
        let packed = gzipped(&body).expect("gzip");
        assert!(packed.len() < body.len() / 4);
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut unpacked)
            .expect("gunzip");
        assert_eq!(unpacked, body);
    }

    fn fixture() -> (Site, PathBuf) {
        let dir = std::env::temp_dir().join(format!("xtask-static-{}", std::process::id()));
        fs::create_dir_all(dir.join("work")).expect("mkdir");
        fs::write(dir.join("index.html"), "home").expect("write");
        fs::write(dir.join("work/index.html"), "work").expect("write");
        fs::write(dir.join("404.html"), "missing").expect("write");
        fs::write(dir.join("app.wasm"), "wasm").expect("write");
        (
            Site {
                dir: dir.clone(),
                mount: "/sub/".into(),
            },
            dir,
        )
    }

    #[test]
    fn serves_files_directories_and_404s_like_a_static_host() {
        let (site, dir) = fixture();
        assert_eq!(answer(&site, "/sub/"), Answer::File(dir.join("index.html")));
        assert_eq!(
            answer(&site, "/sub/app.wasm?v=1"),
            Answer::File(dir.join("app.wasm"))
        );
        assert_eq!(
            answer(&site, "/sub/work/"),
            Answer::File(dir.join("work/index.html"))
        );
        assert_eq!(
            answer(&site, "/sub/work"),
            Answer::Redirect("/sub/work/".into())
        );
        assert_eq!(answer(&site, "/sub"), Answer::Redirect("/sub/".into()));
        assert_eq!(
            answer(&site, "/sub/nope"),
            Answer::NotFound(Some(dir.join("404.html")))
        );
        assert_eq!(
            answer(&site, "/elsewhere/"),
            Answer::NotFound(Some(dir.join("404.html")))
        );
    }

    #[test]
    fn never_leaves_its_directory() {
        let (site, dir) = fixture();
        let missing = Answer::NotFound(Some(dir.join("404.html")));
        assert_eq!(answer(&site, "/sub/../etc/passwd"), missing);
        assert_eq!(answer(&site, "/sub/%2e%2e/x"), missing);
        assert_eq!(answer(&site, "/sub/%zz"), missing);
    }

    #[test]
    fn mounts_are_normalized() {
        assert_eq!(normalize_mount("/"), "/");
        assert_eq!(normalize_mount("sub"), "/sub/");
        assert_eq!(normalize_mount("/a/b/"), "/a/b/");
    }
}
