//! A plain static file server, the kind any static host is: files as they are, `index.html` for
//! directories (redirecting `/dir` to `/dir/`, query kept), `404.html` with status 404 for anything
//! else, text and WebAssembly gzipped for clients that take it, all under a mount path (`/` or
//! `/sub/`). The e2e suite runs against it, not `trunk serve`, to prove that `dist/` deploys as is.
//!
//! Made of well-kept parts: tower-http's `ServeDir` answers files (HEAD, ranges, conditional
//! requests, MIME types, percent-decoding, no `..`), its `CompressionLayer` gzips, and hyper
//! speaks HTTP/1.1 with a bound on the request head and on the time a client may take to send it.
//! What is ours: the mount, refusing paths that resolve (through a symlink) outside the directory,
//! one request per connection with a bound on its lifetime, a bound on open connections, and an
//! accept loop that backs off when `accept` fails instead of spinning.

use crate::cmd::{root, Result};
use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode, Uri};
use http_body_util::{combinators::UnsyncBoxBody, BodyExt, Empty};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::{
    convert::Infallible, net::TcpListener, path::PathBuf, sync::Arc, thread, time::Duration,
};
use tower::{ServiceBuilder, ServiceExt};
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    set_status::SetStatus,
};

/// How long a client may take to send its request head before the connection is closed.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection (one request and its whole response) may stay open.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// The largest request head (request line and headers) read; larger ones get 431.
const MAX_REQUEST_HEAD_BYTES: usize = 16 * 1024;
/// Connections served at once; further clients wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 256;
/// Pause after a failed `accept` (out of file descriptors, say) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What a site is: a directory served under a mount path (`/` or `/sub/`).
#[derive(Debug, Clone)]
pub struct Site {
    pub dir: PathBuf,
    /// Starts and ends with `/`.
    pub mount: String,
}

/// Time bounds on a client (the tests shorten them).
#[derive(Debug, Clone, Copy)]
struct Limits {
    header_read: Duration,
    lifetime: Duration,
}

const LIMITS: Limits = Limits {
    header_read: HEADER_READ_TIMEOUT,
    lifetime: CONNECTION_LIFETIME,
};

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
    serve(listener, Site { dir, mount }, LIMITS)
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
    spawn_with(port, site, LIMITS)
}

fn spawn_with(port: Reserved, site: Site, limits: Limits) -> String {
    let url = format!("{}{}", port.origin, site.mount);
    thread::spawn(move || {
        if let Err(e) = serve(port.listener, site, limits) {
            eprintln!("xtask: static server stopped: {e}");
        }
    });
    url
}

fn serve(listener: TcpListener, site: Site, limits: Limits) -> Result {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(accept_loop(listener, site, limits))
}

async fn accept_loop(listener: TcpListener, site: Site, limits: Limits) -> Result {
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("listener: {e}"))?;
    let listener =
        tokio::net::TcpListener::from_std(listener).map_err(|e| format!("listener: {e}"))?;
    let site = Arc::new(Resolved::new(site));
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return Err("connection limiter closed".into());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("xtask: accept failed ({e}); retrying");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let site = site.clone();
        tokio::spawn(async move {
            let handler = tower::service_fn(move |req| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(site.answer(req).await) }
            });
            let service = ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                // Like any static host, text and WebAssembly travel compressed.
                .layer(CompressionLayer::new().no_br().no_deflate().no_zstd())
                .service(handler);
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .max_buf_size(MAX_REQUEST_HEAD_BYTES)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            // A client that hangs up, stalls or overstays is its own problem, not the server's.
            let _ = tokio::time::timeout(limits.lifetime, connection).await;
            drop(permit);
        });
    }
}

type Body = UnsyncBoxBody<Bytes, std::io::Error>;

fn boxed<B>(res: Response<B>) -> Response<Body>
where
    B: http_body::Body<Data = Bytes, Error = std::io::Error> + Send + 'static,
{
    res.map(BodyExt::boxed_unsync)
}

fn empty(status: StatusCode) -> Response<Body> {
    let mut res = Response::new(Empty::new().map_err(|e| match e {}).boxed_unsync());
    *res.status_mut() = status;
    res
}

/// A site with its directory resolved once (symlinks and all), for the containment check.
struct Resolved {
    site: Site,
    canonical_dir: PathBuf,
    files: ServeDir<SetStatus<ServeFile>>,
    not_found: ServeFile,
}

impl Resolved {
    fn new(site: Site) -> Self {
        let canonical_dir = site.dir.canonicalize().unwrap_or_else(|_| site.dir.clone());
        let page = site.dir.join("404.html");
        Resolved {
            files: ServeDir::new(&site.dir)
                .append_index_html_on_directories(true)
                .not_found_service(ServeFile::new(&page)),
            not_found: ServeFile::new(&page),
            site,
            canonical_dir,
        }
    }

    async fn answer<B>(&self, mut req: Request<B>) -> Response<Body>
    where
        B: Send + 'static,
    {
        let mount = self.site.mount.as_str();
        let query = req
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        let path = req.uri().path().to_string();
        if mount != "/" && path == mount.trim_end_matches('/') {
            let mut res = empty(StatusCode::TEMPORARY_REDIRECT);
            if let Ok(location) = HeaderValue::from_str(&format!("{mount}{query}")) {
                res.headers_mut().insert(header::LOCATION, location);
            }
            return res;
        }
        let inner = path
            .strip_prefix(mount)
            .filter(|rest| self.stays_inside(rest))
            .and_then(|rest| format!("/{rest}{query}").parse::<Uri>().ok());
        let Some(inner) = inner else {
            return self.not_found(req).await;
        };
        *req.uri_mut() = inner;
        let mut res = match self.files.clone().oneshot(req).await {
            Ok(res) => boxed(res),
            Err(e) => match e {},
        };
        // ServeDir redirects `/dir` to `/dir/` as it saw the path: put the mount back in front.
        let prefix = mount.trim_end_matches('/');
        let moved = res
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| HeaderValue::from_str(&format!("{prefix}{l}")).ok());
        if let Some(moved) = moved {
            res.headers_mut().insert(header::LOCATION, moved);
        }
        res
    }

    /// Whether the request's relative path, decoded, resolves to something inside the directory
    /// (a missing file does: ServeDir answers it with 404; a symlink out of the directory does not).
    fn stays_inside(&self, relative: &str) -> bool {
        let Ok(decoded) = percent_encoding::percent_decode_str(relative).decode_utf8() else {
            return false;
        };
        match self.site.dir.join(decoded.as_ref()).canonicalize() {
            Ok(real) => real.starts_with(&self.canonical_dir),
            Err(_) => true,
        }
    }

    /// `404.html` with status 404 (ServeFile answers 404 by itself when the page is missing).
    async fn not_found<B>(&self, req: Request<B>) -> Response<Body>
    where
        B: Send + 'static,
    {
        let mut res = match self.not_found.clone().oneshot(req).await {
            Ok(res) => boxed(res),
            Err(e) => match e {},
        };
        *res.status_mut() = StatusCode::NOT_FOUND;
        res
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::{fs, path::Path, time::Instant};

    const SHORT: Limits = Limits {
        header_read: Duration::from_millis(300),
        lifetime: Duration::from_secs(5),
    };

    fn fixture(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-static-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("work")).expect("mkdir");
        fs::write(dir.join("index.html"), "home").expect("write");
        fs::write(dir.join("work/index.html"), "work").expect("write");
        fs::write(dir.join("404.html"), "missing").expect("write");
        fs::write(dir.join("app.js"), "let x = 1;\n".repeat(400)).expect("write");
        dir
    }

    /// Serves `dir` under `mount`; returns `host:port`.
    fn start(dir: &Path, mount: &str) -> String {
        let port = reserve().expect("port");
        let addr = port.origin.trim_start_matches("http://").to_string();
        let site = Site {
            dir: dir.to_path_buf(),
            mount: mount.into(),
        };
        spawn_with(port, site, SHORT);
        addr
    }

    /// Sends `request` as is and returns the whole answer (status line, headers, body).
    fn exchange(addr: &str, request: &str) -> String {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(request.as_bytes()).expect("send");
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn get(addr: &str, method: &str, target: &str, extra: &str) -> String {
        exchange(
            addr,
            &format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\n{extra}\r\n"),
        )
    }

    fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
        let head = answer.split("\r\n\r\n").next()?;
        head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    #[test]
    fn serves_files_directories_and_404s_like_a_static_host_under_a_mount() {
        let dir = fixture("host");
        let addr = start(&dir, "/sub/");
        let home = get(&addr, "GET", "/sub/", "");
        assert!(home.starts_with("HTTP/1.1 200"), "{home}");
        assert!(home.ends_with("home"));
        assert_eq!(header(&home, "cache-control"), Some("no-cache"));
        let work = get(&addr, "GET", "/sub/work/", "");
        assert!(work.ends_with("work"), "{work}");
        let moved = get(&addr, "GET", "/sub/work?view=a", "");
        assert!(moved.starts_with("HTTP/1.1 307"), "{moved}");
        assert_eq!(header(&moved, "location"), Some("/sub/work/?view=a"));
        let mount = get(&addr, "GET", "/sub?x=1", "");
        assert_eq!(header(&mount, "location"), Some("/sub/?x=1"), "{mount}");
        for missing in [
            "/sub/nope",
            "/elsewhere/",
            "/sub/../etc/passwd",
            "/sub/%2e%2e/x",
        ] {
            let page = get(&addr, "GET", missing, "");
            assert!(page.starts_with("HTTP/1.1 404"), "{missing}: {page}");
            assert!(page.ends_with("missing"), "{missing}: {page}");
        }
        let post = get(&addr, "POST", "/sub/", "Content-Length: 0\r\n");
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    }

    #[test]
    fn gzips_only_for_clients_that_take_it() {
        let dir = fixture("gzip");
        let addr = start(&dir, "/");
        let packed = get(&addr, "GET", "/app.js", "Accept-Encoding: gzip, br\r\n");
        assert_eq!(
            header(&packed, "content-encoding"),
            Some("gzip"),
            "{packed}"
        );
        let plain = get(&addr, "GET", "/app.js", "Accept-Encoding: gzip;q=0\r\n");
        assert_eq!(header(&plain, "content-encoding"), None);
        assert!(plain.ends_with(&"let x = 1;\n".repeat(400)));
    }

    // The hand-written server this replaced failed each of the tests below.

    #[test]
    fn head_gives_the_length_of_what_get_would_send() {
        let dir = fixture("head");
        let addr = start(&dir, "/");
        let head = get(&addr, "HEAD", "/app.js", "");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert_eq!(header(&head, "content-length"), Some("4400"), "{head}");
    }

    #[test]
    fn a_client_that_never_sends_its_request_is_dropped() {
        let dir = fixture("slow");
        let addr = start(&dir, "/");
        let started = Instant::now();
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"GET / HT").expect("send part");
        let mut out = Vec::new();
        let read = s.read_to_end(&mut out);
        assert!(read.is_ok(), "the server closes the connection: {read:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        // Meanwhile and afterwards, others are served.
        assert!(get(&addr, "GET", "/", "").ends_with("home"));
    }

    #[test]
    fn an_over_long_request_head_is_refused_not_truncated() {
        let dir = fixture("long");
        let addr = start(&dir, "/");
        let target = format!("/index.html?{}", "a".repeat(MAX_REQUEST_HEAD_BYTES + 10));
        let answer = get(&addr, "GET", &target, "");
        assert!(
            answer.starts_with("HTTP/1.1 431") || answer.starts_with("HTTP/1.1 414"),
            "{}",
            &answer[..answer.len().min(200)]
        );
        assert!(!answer.ends_with("home"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_directory_are_not_followed() {
        let dir = fixture("link");
        let outside = dir.with_extension("secret");
        fs::write(&outside, "secret").expect("write");
        std::os::unix::fs::symlink(&outside, dir.join("leak.txt")).expect("symlink");
        std::os::unix::fs::symlink(dir.join("index.html"), dir.join("inside.html"))
            .expect("symlink");
        let addr = start(&dir, "/");
        let leak = get(&addr, "GET", "/leak.txt", "");
        assert!(
            leak.starts_with("HTTP/1.1 404") && !leak.contains("secret"),
            "{leak}"
        );
        assert!(get(&addr, "GET", "/inside.html", "").ends_with("home"));
    }

    #[test]
    fn mounts_are_normalized() {
        assert_eq!(normalize_mount("/"), "/");
        assert_eq!(normalize_mount("sub"), "/sub/");
        assert_eq!(normalize_mount("/a/b/"), "/a/b/");
    }
}
