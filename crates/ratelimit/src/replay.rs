//! The `limit-replay` protocol, kept in the library so it is unit-tested: argument parsing and
//! the one-output-line-per-input-line state machine. No I/O here; the binary feeds bytes in.

use crate::config::{AlgorithmKind, LimitConfig};
use crate::decision::Limiter;
use crate::error::ConfigError;
use crate::keyed_limiter::KeyedLimiter;
use std::fmt::Write as _;

/// Default `--window-ms`.
pub const DEFAULT_WINDOW_MS: u64 = 1000;
/// Default `--max-keys` (key table capacity).
pub const DEFAULT_MAX_KEYS: u64 = 100_000;
/// Seed of the key hash: fixed so that replays are reproducible.
pub const REPLAY_HASH_SEED: u64 = 0x005e_ed0f_4e91_u64;

/// Parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayArgs {
    pub kind: AlgorithmKind,
    pub config: LimitConfig,
    pub max_keys: u64,
}

/// Command-line problems: bad usage or a config the limiter rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    Usage(String),
    Config(ConfigError),
}

impl std::fmt::Display for ArgsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgsError::Usage(msg) => write!(f, "usage error: {msg} (usage: limit-replay --algo A --rate R --burst B [--window-ms W] [--max-keys K])"),
            ArgsError::Config(e) => write!(f, "invalid configuration: {e}"),
        }
    }
}

impl std::error::Error for ArgsError {}

impl From<ConfigError> for ArgsError {
    fn from(e: ConfigError) -> Self {
        ArgsError::Config(e)
    }
}

fn parse_u64(flag: &str, value: &str) -> Result<u64, ArgsError> {
    value.parse::<u64>().map_err(|_| {
        ArgsError::Usage(format!(
            "{flag} needs a non-negative integer, got '{value}'"
        ))
    })
}

/// Parses the arguments after the program name.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<ReplayArgs, ArgsError> {
    let mut algo = None;
    let mut rate = None;
    let mut burst = None;
    let mut window_ms = DEFAULT_WINDOW_MS;
    let mut max_keys = DEFAULT_MAX_KEYS;
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| ArgsError::Usage(format!("{flag} needs a value")))?;
        match flag.as_str() {
            "--algo" => algo = Some(value.parse::<AlgorithmKind>()?),
            "--rate" => rate = Some(parse_u64("--rate", &value)?),
            "--burst" => burst = Some(parse_u64("--burst", &value)?),
            "--window-ms" => window_ms = parse_u64("--window-ms", &value)?,
            "--max-keys" => max_keys = parse_u64("--max-keys", &value)?,
            other => return Err(ArgsError::Usage(format!("unknown flag '{other}'"))),
        }
    }
    let kind = algo.ok_or_else(|| ArgsError::Usage("--algo is required".into()))?;
    let rate_per_s = rate.ok_or_else(|| ArgsError::Usage("--rate is required".into()))?;
    let burst = burst.ok_or_else(|| ArgsError::Usage("--burst is required".into()))?;
    Ok(ReplayArgs {
        kind,
        config: LimitConfig {
            rate_per_s,
            burst,
            window_ms,
        },
        max_keys,
    })
}

/// A string key's `u64` for the key table (which mixes it again with its seeded hash): FNV-1a 64
/// of the key's bytes. `ratelimit-redis` shards by the same value, so it must stay this function.
pub fn hash_key(bytes: &[u8]) -> u64 {
    deterministic::fnv1a(bytes)
}

/// Replays lines against a keyed limiter.
pub struct Replay {
    limiter: KeyedLimiter,
    line_number: u64,
    last_time_ns: u64,
}

impl Replay {
    /// Builds the limiter; an invalid config fails here, before any input is read.
    pub fn new(args: &ReplayArgs) -> Result<Self, ConfigError> {
        Ok(Replay {
            limiter: KeyedLimiter::new(args.kind, &args.config, args.max_keys, REPLAY_HASH_SEED)?,
            line_number: 0,
            last_time_ns: 0,
        })
    }

    pub fn limiter(&self) -> &KeyedLimiter {
        &self.limiter
    }

    /// Processes one input line (without its newline) and appends exactly one output line,
    /// newline included, to `out` — except for a comment (a line starting with `#`, such as the
    /// lab's trace header naming the arguments), which prints nothing. Comments count as lines
    /// in `ERROR` line numbers.
    pub fn process_line(&mut self, line: &[u8], out: &mut String) {
        self.line_number += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.starts_with(b"#") {
            return;
        }
        match self.parse_line(line) {
            Ok((time_ns, key)) => {
                self.last_time_ns = time_ns;
                let d = self.limiter.check(key, time_ns, 1);
                if d.allowed {
                    let _ = writeln!(out, "ALLOW {}", d.remaining);
                } else {
                    let _ = writeln!(out, "DENY {}", d.retry_after_ns);
                }
            }
            Err(msg) => {
                let _ = writeln!(out, "ERROR {} {}", self.line_number, msg);
            }
        }
    }

    fn parse_line(&self, line: &[u8]) -> Result<(u64, u64), &'static str> {
        let text = std::str::from_utf8(line).map_err(|_| "line is not valid UTF-8")?;
        let mut fields = text.split_ascii_whitespace();
        let time = fields
            .next()
            .ok_or("empty line, expected '<time_ns> <key>'")?;
        let key = fields
            .next()
            .ok_or("missing key, expected '<time_ns> <key>'")?;
        if fields.next().is_some() {
            return Err("too many fields, expected '<time_ns> <key>'");
        }
        let time_ns = time
            .parse::<u64>()
            .map_err(|_| "time_ns is not a non-negative 64-bit integer")?;
        if time_ns < self.last_time_ns {
            return Err("time is earlier than the previous line's");
        }
        Ok((time_ns, hash_key(key.as_bytes())))
    }
}
