//! A `redis-server` child process on a loopback port, for the tests and for `limit-load` when no
//! server is given: picks a free port, waits until PING answers, and kills the process on drop (so
//! a failing test never leaves a server behind). Loopback only, no persistence.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use std::{fmt, thread};

/// Environment variable naming the `redis-server` binary (default: `redis-server` on PATH, then
/// `/usr/bin/redis-server`).
pub const REDIS_SERVER_ENV: &str = "REDIS_SERVER";
/// How long a started server may take to answer PING.
pub const START_TIMEOUT_MS: u64 = 5_000;
/// Start attempts on fresh ports (another process may take a port between probe and bind).
pub const START_ATTEMPTS: u32 = 5;

#[derive(Debug)]
pub enum ServerError {
    /// No `redis-server` binary was found.
    NotInstalled,
    /// The binary could not be spawned or did not answer PING in time.
    Start { port: u16, reason: String },
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::NotInstalled => write!(
                f,
                "redis-server not found (install Debian's redis-server package or set {REDIS_SERVER_ENV})"
            ),
            ServerError::Start { port, reason } => {
                write!(f, "redis-server on port {port} did not start: {reason}")
            }
        }
    }
}

impl std::error::Error for ServerError {}

/// The `redis-server` binary, if any.
pub fn find_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(REDIS_SERVER_ENV) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("redis-server"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let p = PathBuf::from("/usr/bin/redis-server");
        p.is_file().then_some(p)
    })
}

fn free_loopback_port() -> Result<u16, ServerError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| ServerError::Start {
            port: 0,
            reason: format!("no free loopback port: {e}"),
        })
}

fn answers_ping(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(100)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

/// A running `redis-server`; killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    binary: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server on a free loopback port.
    pub fn start() -> Result<Self, ServerError> {
        let binary = find_binary().ok_or(ServerError::NotInstalled)?;
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            let port = free_loopback_port()?;
            let mut server = RedisServer {
                binary: binary.clone(),
                port,
                child: None,
            };
            match server.spawn() {
                Ok(()) => return Ok(server),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(ServerError::NotInstalled))
    }

    fn spawn(&mut self) -> Result<(), ServerError> {
        let port = self.port;
        let err = |reason: String| ServerError::Start { port, reason };
        let child = Command::new(&self.binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| err(format!("spawn {}: {e}", self.binary.display())))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_millis(START_TIMEOUT_MS);
        while Instant::now() < deadline {
            if answers_ping(port) {
                return Ok(());
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(err(format!("exited with {status}")));
                }
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.kill();
        Err(err("no PING answer in time".to_string()))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the process (SIGKILL: no goodbye to clients, like a crash) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty (it persists nothing).
    pub fn restart(&mut self) -> Result<(), ServerError> {
        self.kill();
        self.spawn()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
