//! A `nats-server` child process with JetStream on a loopback port, for the tests and for
//! `md-pipeline --nats-local`: picks a free port, keeps its store in a fresh directory, waits
//! until the server greets (`INFO`), can be restarted on the same port and store (stopped with
//! SIGTERM, so JetStream flushes what it acknowledged), and is killed on drop.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Environment variable naming the `nats-server` binary (default: on PATH, then
/// `/usr/bin/nats-server`, Debian's package, which `cargo xtask setup` installs).
pub const NATS_SERVER_ENV: &str = "NATS_SERVER";
/// How long a started server may take to greet.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a stopping server may take to exit before it is killed.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub enum NatsServerError {
    NotInstalled,
    Start(String),
}

impl std::fmt::Display for NatsServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NatsServerError::NotInstalled => write!(
                f,
                "nats-server not found (cargo xtask setup installs Debian's nats-server; or set {NATS_SERVER_ENV})"
            ),
            NatsServerError::Start(why) => write!(f, "nats-server did not start: {why}"),
        }
    }
}

impl std::error::Error for NatsServerError {}

fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(NATS_SERVER_ENV) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("nats-server"))
                .find(|p| p.is_file())
        })
        .or_else(|| Some(PathBuf::from("/usr/bin/nats-server")).filter(|p| p.is_file()))
}

/// A running server.
#[derive(Debug)]
pub struct NatsServer {
    binary: PathBuf,
    port: u16,
    store: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    pub fn start() -> Result<NatsServer, NatsServerError> {
        static STARTED: AtomicU32 = AtomicU32::new(0);
        let binary = binary().ok_or(NatsServerError::NotInstalled)?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| NatsServerError::Start(format!("no free loopback port: {e}")))?;
        let store = std::env::temp_dir().join(format!(
            "md-nats-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&store);
        let mut server = NatsServer {
            binary,
            port,
            store,
            child: None,
        };
        server.spawn()?;
        Ok(server)
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) -> Result<(), NatsServerError> {
        let child = Command::new(&self.binary)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&self.store)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| NatsServerError::Start(format!("{}: {e}", self.binary.display())))?;
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if self.greets() {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                return Err(NatsServerError::Start(format!("exited with {status}")));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(NatsServerError::Start(format!(
            "no INFO on port {} within {START_TIMEOUT:?}",
            self.port
        )))
    }

    fn greets(&self) -> bool {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(100)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
        let mut line = String::new();
        BufReader::new(s).read_line(&mut line).is_ok() && line.starts_with("INFO ")
    }

    /// Stops the server with SIGTERM (JetStream shuts down cleanly), killing it if it lingers.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    /// Stops the server and starts it again on the same port and store.
    pub fn restart(&mut self) -> Result<(), NatsServerError> {
        self.stop();
        self.spawn()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.store);
    }
}
