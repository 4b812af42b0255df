//! A `redis-server` child process on a loopback port, for the tests and for `limit-load` when no
//! server is given: picks a free port, waits until PING answers, and kills the process on drop (so
//! a failing test never leaves a server behind). Loopback only, no persistence. [`RedisCluster`]
//! starts a real Redis Cluster the same way: N masters and a replica each, joined with
//! `redis-cli --cluster create`, with a short node timeout so a failover takes about a second.

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
    /// Arguments after the standard ones (cluster mode).
    extra: Vec<String>,
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
                extra: Vec::new(),
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
            .args(&self.extra)
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

/// Environment variable naming the `redis-cli` binary (default: beside `redis-server`, then PATH).
pub const REDIS_CLI_ENV: &str = "REDIS_CLI";
/// A cluster node's bus port is its client port plus this (the Redis Cluster convention).
pub const CLUSTER_BUS_OFFSET: u16 = 10_000;
/// `cluster-node-timeout` of the clusters started here: a master unreachable this long is
/// failed over to its replica (about a second in all, with the election).
pub const CLUSTER_NODE_TIMEOUT_MS: u64 = 500;
/// How long a cluster may take to form, or to settle after a failover.
pub const CLUSTER_READY_TIMEOUT_MS: u64 = 20_000;
/// Upper bound on a cluster's masters.
pub const MAX_CLUSTER_MASTERS: usize = 8;

/// The `redis-cli` binary, if any.
pub fn find_cli() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(REDIS_CLI_ENV) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let beside = find_binary()
        .and_then(|server| server.parent().map(|dir| dir.join("redis-cli")))
        .filter(|p| p.is_file());
    beside.or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("redis-cli"))
                .find(|p| p.is_file())
        })
    })
}

/// A loopback port whose bus port (+10000) is free too.
fn free_cluster_port() -> Result<u16, ServerError> {
    for _ in 0..1_000 {
        let port = free_loopback_port()?;
        let Some(bus) = port.checked_add(CLUSTER_BUS_OFFSET) else {
            continue;
        };
        if TcpListener::bind(("127.0.0.1", bus)).is_ok() {
            return Ok(port);
        }
    }
    Err(ServerError::Start {
        port: 0,
        reason: "no free port pair (port, port + 10000) on loopback".into(),
    })
}

/// One node as `CLUSTER NODES` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNode {
    pub id: String,
    /// A replica's master's id.
    pub master_id: Option<String>,
    pub port: u16,
    pub master: bool,
    /// Marked failed (`fail`) by the others.
    pub failed: bool,
    /// Slot ranges it serves (masters), inclusive.
    pub slots: Vec<(u16, u16)>,
}

/// A running Redis Cluster on loopback; every node is killed when dropped.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
    cli: PathBuf,
    dir: PathBuf,
}

impl RedisCluster {
    /// Starts `masters` masters and one replica each, and waits until the cluster is `ok`.
    pub fn start(masters: usize) -> Result<Self, ServerError> {
        let binary = find_binary().ok_or(ServerError::NotInstalled)?;
        let cli = find_cli().ok_or(ServerError::NotInstalled)?;
        let err = |reason: String| ServerError::Start { port: 0, reason };
        if !(3..=MAX_CLUSTER_MASTERS).contains(&masters) {
            return Err(err(format!(
                "a cluster needs 3..={MAX_CLUSTER_MASTERS} masters, not {masters}"
            )));
        }
        let dir = std::env::temp_dir().join(format!(
            "ratelimit-redis-cluster-{}-{}",
            std::process::id(),
            free_loopback_port()?
        ));
        std::fs::create_dir_all(&dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
        let mut cluster = RedisCluster {
            nodes: Vec::with_capacity(2 * masters),
            cli,
            dir,
        };
        for _ in 0..2 * masters {
            let port = free_cluster_port()?;
            let mut node = RedisServer {
                binary: binary.clone(),
                port,
                child: None,
                extra: vec![
                    "--cluster-enabled".into(),
                    "yes".into(),
                    "--cluster-config-file".into(),
                    cluster
                        .dir
                        .join(format!("nodes-{port}.conf"))
                        .display()
                        .to_string(),
                    "--cluster-node-timeout".into(),
                    CLUSTER_NODE_TIMEOUT_MS.to_string(),
                    "--dir".into(),
                    cluster.dir.display().to_string(),
                    // A replica's first sync must not wait for others to join it (5 s by
                    // default): a replica that never synced cannot be failed over to.
                    "--repl-diskless-sync-delay".into(),
                    "0".into(),
                ],
            };
            node.spawn()?;
            cluster.nodes.push(node);
        }
        let mut create = Command::new(&cluster.cli);
        create.args(["--cluster", "create"]);
        for n in &cluster.nodes {
            create.arg(format!("127.0.0.1:{}", n.port));
        }
        let out = create
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| err(format!("{}: {e}", cluster.cli.display())))?;
        if !out.status.success() {
            return Err(err(format!(
                "redis-cli --cluster create failed: {}",
                String::from_utf8_lossy(&out.stdout)
            )));
        }
        cluster.wait_until_ok(masters)?;
        Ok(cluster)
    }

    /// `redis://127.0.0.1:PORT` of every node still running (seed nodes for a cluster client).
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|n| n.is_running())
            .map(RedisServer::url)
            .collect()
    }

    fn cli(&self, port: u16, args: &[&str]) -> Option<String> {
        let out = Command::new(&self.cli)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The cluster as a running node sees it (`CLUSTER NODES`).
    pub fn nodes(&self) -> Vec<ClusterNode> {
        let Some(text) = self
            .nodes
            .iter()
            .filter(|n| n.is_running())
            .find_map(|n| self.cli(n.port, &["cluster", "nodes"]))
        else {
            return Vec::new();
        };
        text.lines().filter_map(parse_cluster_node).collect()
    }

    /// Ports of the healthy masters that have a replica in sync to fail over to.
    pub fn masters_with_replicas(&self) -> Vec<u16> {
        let nodes = self.nodes();
        nodes
            .iter()
            .filter(|m| m.master && !m.failed && !m.slots.is_empty())
            .filter(|m| {
                nodes
                    .iter()
                    .any(|r| !r.failed && r.master_id.as_deref() == Some(m.id.as_str()))
            })
            .map(|m| m.port)
            .collect()
    }

    /// The port of the master serving `slot`, if one does.
    pub fn master_of(&self, slot: u16) -> Option<u16> {
        self.nodes()
            .into_iter()
            .find(|n| n.master && !n.failed && n.slots.iter().any(|&(a, b)| a <= slot && slot <= b))
            .map(|n| n.port)
    }

    /// Kills the node on `port` (SIGKILL, like a crash).
    pub fn kill(&mut self, port: u16) {
        if let Some(n) = self.nodes.iter_mut().find(|n| n.port == port) {
            n.kill();
        }
    }

    /// Waits until every running node reports `cluster_state:ok`, every replica is in sync with
    /// its master, and `masters` healthy masters cover all 16384 slots.
    pub fn wait_until_ok(&self, masters: usize) -> Result<(), ServerError> {
        let deadline = Instant::now() + Duration::from_millis(CLUSTER_READY_TIMEOUT_MS);
        while Instant::now() < deadline {
            let states_ok = self.nodes.iter().filter(|n| n.is_running()).all(|n| {
                self.cli(n.port, &["cluster", "info"])
                    .is_some_and(|info| info.contains("cluster_state:ok"))
            });
            let healthy: Vec<ClusterNode> = self
                .nodes()
                .into_iter()
                .filter(|n| n.master && !n.failed && !n.slots.is_empty())
                .collect();
            let covered: u32 = healthy
                .iter()
                .flat_map(|n| n.slots.iter())
                .map(|&(a, b)| u32::from(b - a) + 1)
                .sum();
            // Every replica in sync with its master, so any master can be failed over.
            let replicas_synced = self.nodes.iter().filter(|n| n.is_running()).all(|n| {
                self.cli(n.port, &["info", "replication"])
                    .is_some_and(|info| {
                        info.contains("role:master") || info.contains("master_link_status:up")
                    })
            });
            if states_ok && replicas_synced && healthy.len() == masters && covered == 16_384 {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(50));
        }
        let seen = self
            .nodes
            .iter()
            .filter(|n| n.is_running())
            .find_map(|n| self.cli(n.port, &["cluster", "nodes"]))
            .unwrap_or_default();
        Err(ServerError::Start {
            port: 0,
            reason: format!(
                "cluster not ok within {CLUSTER_READY_TIMEOUT_MS} ms; it sees:\n{seen}"
            ),
        })
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            n.kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One `CLUSTER NODES` line: `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link>
/// <slot>…`, slots as `a-b` or `a` (importing/migrating entries in brackets are skipped).
fn parse_cluster_node(line: &str) -> Option<ClusterNode> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let addr = fields.get(1)?;
    let port = addr.split('@').next()?.rsplit(':').next()?.parse().ok()?;
    let flags = fields.get(2)?;
    let slots = fields
        .iter()
        .skip(8)
        .filter(|s| !s.starts_with('['))
        .filter_map(|s| match s.split_once('-') {
            Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
            None => s.parse().ok().map(|a| (a, a)),
        })
        .collect();
    let master_id = fields.get(3).filter(|m| **m != "-").map(|m| m.to_string());
    Some(ClusterNode {
        id: fields.first()?.to_string(),
        master_id,
        port,
        master: flags.split(',').any(|f| f == "master"),
        failed: flags.split(',').any(|f| f == "fail"),
        slots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_nodes_lines_parse() {
        let line = "07c3 127.0.0.1:30004@40004 myself,master - 0 1426238317239 4 connected 0-5460 6000 [5461->-e7d1]";
        assert_eq!(
            parse_cluster_node(line),
            Some(ClusterNode {
                id: "07c3".into(),
                master_id: None,
                port: 30004,
                master: true,
                failed: false,
                slots: vec![(0, 5460), (6000, 6000)],
            })
        );
        let replica = "e7d1 127.0.0.1:30002@40002 slave,fail 07c3 0 1426238316232 2 connected";
        let n = parse_cluster_node(replica).unwrap();
        assert!(!n.master && n.failed && n.slots.is_empty());
        assert_eq!(n.master_id.as_deref(), Some("07c3"));
        assert_eq!(parse_cluster_node("garbage"), None);
    }
}
