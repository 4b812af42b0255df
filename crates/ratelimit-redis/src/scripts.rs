//! The two atomic Lua scripts (GCRA and sliding-window counter), the parameters the client derives
//! from a [`LimitConfig`], and the parsing of a script's reply into the engine's [`Decision`].
//!
//! Why the arithmetic looks the way it does: Redis runs Lua 5.1, whose numbers are doubles, exact
//! only up to 2^53. Absolute nanoseconds since 1970 (~1.8e18) do not fit, so GCRA keeps its
//! theoretical arrival time as whole seconds plus nanoseconds and computes only *relative* spans,
//! which [`MAX_EXACT_SPAN_NS`] bounds; the sliding window works in microseconds (the resolution of
//! Redis `TIME`), and its products are bounded by [`MAX_EXACT_PRODUCT`]. Within these bounds every
//! operation is exact integer arithmetic, so decisions equal the in-memory `ratelimit` ones.
//!
//! Time: both scripts call `redis.call('TIME')`, so the server clock decides and client clocks do
//! not matter. ARGV[4] = "1" pins the time to ARGV[5] seconds + ARGV[6] ns instead; only the
//! crate's tests use it (to compare with the in-memory engine on the same trace). Pinned keys get
//! [`PINNED_TTL_MARGIN_MS`] of extra TTL because the server's real clock still expires them.

use crate::error::LimitError;
use ratelimit::config::{AlgorithmKind, LimitConfig, NS_PER_S};
use ratelimit::decision::{Decision, RETRY_NEVER_NS};
use ratelimit::gcra::Gcra;
use ratelimit::sliding_window::SlidingWindow;
use ratelimit::ConfigError;

/// Largest relative span (burst × emission interval) GCRA accepts: twice it still fits the 2^53
/// exact range of a Lua double.
pub const MAX_EXACT_SPAN_NS: u64 = 1 << 52;
/// Largest `limit × window_us` the sliding window accepts (exact in a Lua double with headroom).
pub const MAX_EXACT_PRODUCT: u64 = 1 << 52;
/// Extra TTL of keys written at a pinned time.
pub const PINNED_TTL_MARGIN_MS: u64 = 60_000;
/// How far in the future (by the deciding clock) a stored sliding-window start may lie and still be
/// believed: a server's clock stepping back (NTP) moves "now" behind what it wrote by about this
/// much at worst. A start further ahead can only be corruption or a clock jump of a different kind,
/// and honouring it would deny the key until that time while promising a retry in one window, so
/// the script discards such state and starts the key afresh (at most one window's limit admitted
/// again, never a key locked for years). State older than two windows is discarded likewise: it
/// no longer counts in any window the estimate reads.
pub const CLOCK_SKEW_BOUND_US: u64 = 1_000_000;
/// Number of ARGV entries each script takes.
pub const ARGC: usize = 8;
/// The scripts answer `retry_after = -1` for "never".
const RETRY_NEVER_REPLY: i64 = -1;

/// GCRA. State: hash {s = TAT seconds, n = TAT nanoseconds}. ARGV: T ns, burst, cost, pin flag,
/// pinned seconds, pinned ns. Reply: {allowed, remaining, retry_after_ns | -1, reset_ns}.
pub const GCRA_LUA: &str = r#"
local t = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now_s, now_n
local pinned = ARGV[4] == '1'
if pinned then
  now_s = tonumber(ARGV[5])
  now_n = tonumber(ARGV[6])
else
  local tm = redis.call('TIME')
  now_s = tonumber(tm[1])
  now_n = tonumber(tm[2]) * 1000
end
local span = burst * t
local st = redis.call('HMGET', KEYS[1], 's', 'n')
local rel = 0
if st[1] or st[2] then
  local tat_s = tonumber(st[1])
  local tat_n = tonumber(st[2])
  if not tat_s or not tat_n or tat_n < 0 or tat_n >= 1e9 or tat_s ~= math.floor(tat_s) or tat_n ~= math.floor(tat_n) then
    return redis.error_reply('CORRUPT ratelimit gcra state')
  end
  rel = (tat_s - now_s) * 1e9 + (tat_n - now_n)
  if rel < 0 then rel = 0 end
  if rel > 4503599627370496 then
    return redis.error_reply('CORRUPT ratelimit gcra state beyond the exact range')
  end
end
local c = cost
if c > burst then c = burst end
local new_rel = rel + c * t
local allowed = cost <= burst and new_rel <= span
local retry = 0
local after = rel
if allowed then
  after = new_rel
  local x = now_n + new_rel
  local tn = math.fmod(x, 1e9)
  local ts = now_s + (x - tn) / 1e9
  local ttl = math.floor(new_rel / 1e6) + 1
  if pinned then ttl = ttl + tonumber(ARGV[7]) end
  redis.call('HSET', KEYS[1], 's', string.format('%d', ts), 'n', string.format('%d', tn))
  redis.call('PEXPIRE', KEYS[1], ttl)
elseif cost > burst then
  retry = -1
else
  retry = new_rel - span
end
local room = span - after
if room < 0 then room = 0 end
local remaining = (room - math.fmod(room, t)) / t
if allowed then return {1, remaining, retry, after} end
return {0, remaining, retry, after}
"#;

/// Sliding-window counter. State: hash {w = window start µs, c = current, p = previous}. ARGV:
/// window µs, limit, cost, pin flag, pinned seconds, pinned ns (truncated to µs), pinned TTL margin,
/// clock-skew bound µs ([`CLOCK_SKEW_BOUND_US`]).
pub const SLIDING_WINDOW_LUA: &str = r#"
local w = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now
local pinned = ARGV[4] == '1'
if pinned then
  now = tonumber(ARGV[5]) * 1e6 + math.floor(tonumber(ARGV[6]) / 1000)
else
  local tm = redis.call('TIME')
  now = tonumber(tm[1]) * 1e6 + tonumber(tm[2])
end
local st = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local start, cur, prev = 0, 0, 0
if st[1] or st[2] or st[3] then
  start = tonumber(st[1])
  cur = tonumber(st[2])
  prev = tonumber(st[3])
  if not start or not cur or not prev or cur < 0 or prev < 0
     or start < 0 or start > 4503599627370496 or start ~= math.floor(start) or cur ~= math.floor(cur) or prev ~= math.floor(prev) then
    return redis.error_reply('CORRUPT ratelimit sliding-window state')
  end
  -- A state written under a higher limit counts as full under this one.
  if cur > limit then cur = limit end
  if prev > limit then prev = limit end
  -- A window starting beyond the clock-skew bound (ARGV[8] us) was never written by this clock.
  if start > now + tonumber(ARGV[8]) then start, cur, prev = 0, 0, 0 end
end
local since = now - math.min(now, start)
if since >= w then
  if since - w < w then
    prev = cur
    start = start + w
  else
    prev = 0
    start = now - math.fmod(now, w)
  end
  cur = 0
end
if now < start then now = start end
local e = now - start
local scaled = limit * w
local allowed = cost <= limit - cur and prev * (w - e) <= scaled - (cur + cost) * w
local function ceil_k_div(d, q)
  local r = math.fmod(d, q)
  local rr = r * 1000
  local m = math.fmod(rr, q)
  local up = 0
  if m > 0 then up = 1 end
  return ((d - r) / q) * 1000 + (rr - m) / q + up
end
local retry = 0
if allowed then
  cur = cur + cost
  local full_at = start + w
  if cur > 0 then full_at = full_at + w end
  local ttl = math.floor((full_at - now) / 1000) + 1
  if pinned then ttl = ttl + tonumber(ARGV[7]) end
  redis.call('HSET', KEYS[1], 'w', string.format('%d', start), 'c', string.format('%d', cur), 'p', string.format('%d', prev))
  redis.call('PEXPIRE', KEYS[1], ttl)
elseif cost > limit then
  retry = -1
elseif cur + cost <= limit then
  local room = (limit - cur - cost) * w
  local d = prev * (w - e) - room
  if d < 0 then d = 0 end
  local q = prev
  if q < 1 then q = 1 end
  retry = ceil_k_div(d, q)
else
  local q = cur
  if q < 1 then q = 1 end
  retry = (w - e) * 1000 + ceil_k_div((cur + cost - limit) * w, q)
end
local est = prev * (w - e) + cur * w
local room = scaled - est
if room < 0 then room = 0 end
local remaining = (room - math.fmod(room, w)) / w
local reset = 0
if cur > 0 then
  reset = (start + 2 * w - now) * 1000
elseif prev > 0 then
  reset = (start + w - now) * 1000
end
if allowed then return {1, remaining, retry, reset} end
return {0, remaining, retry, reset}
"#;

/// What a script needs besides the key and cost, derived and range-checked once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptParams {
    Gcra {
        emission_interval_ns: u64,
        burst: u64,
    },
    SlidingWindow {
        window_us: u64,
        limit: u64,
    },
}

impl ScriptParams {
    /// Validates `config` with the engine's own constructors and the exact-double bounds above.
    pub fn new(kind: AlgorithmKind, config: &LimitConfig) -> Result<Self, LimitError> {
        match kind {
            AlgorithmKind::Gcra => {
                let gcra = Gcra::new(config)?;
                let t = gcra.emission_interval_ns();
                let span = t.saturating_mul(config.burst);
                if span > MAX_EXACT_SPAN_NS {
                    return Err(ConfigError::TooLarge {
                        what: "GCRA burst x emission interval in ns (Redis Lua exact range)",
                        value: span,
                        max: MAX_EXACT_SPAN_NS,
                    }
                    .into());
                }
                Ok(ScriptParams::Gcra {
                    emission_interval_ns: t,
                    burst: config.burst,
                })
            }
            AlgorithmKind::SlidingWindow => {
                let sw = SlidingWindow::new(config)?;
                let window_us = config.window_ms.saturating_mul(1000);
                let product = sw.limit().saturating_mul(window_us);
                if product > MAX_EXACT_PRODUCT {
                    return Err(ConfigError::TooLarge {
                        what: "sliding window limit x window in us (Redis Lua exact range)",
                        value: product,
                        max: MAX_EXACT_PRODUCT,
                    }
                    .into());
                }
                Ok(ScriptParams::SlidingWindow {
                    window_us,
                    limit: sw.limit(),
                })
            }
            other => Err(LimitError::UnsupportedAlgorithm(other)),
        }
    }

    pub fn lua(&self) -> &'static str {
        match self {
            ScriptParams::Gcra { .. } => GCRA_LUA,
            ScriptParams::SlidingWindow { .. } => SLIDING_WINDOW_LUA,
        }
    }

    /// The script's ARGV for one call (`pinned_ns` only in tests).
    pub fn argv(&self, cost: u64, pinned_ns: Option<u64>) -> [u64; ARGC] {
        let (a, b) = match *self {
            ScriptParams::Gcra {
                emission_interval_ns,
                burst,
            } => (emission_interval_ns, burst),
            ScriptParams::SlidingWindow { window_us, limit } => (window_us, limit),
        };
        // Burst and limit are at most 2^52 (checked above), so any cost above 2^52 is denied as
        // "never" like 2^52 + 1 is: clamping keeps Lua exact without changing a decision.
        let cost = cost.min(MAX_EXACT_SPAN_NS + 1);
        match pinned_ns {
            Some(ns) => [
                a,
                b,
                cost,
                1,
                ns / NS_PER_S,
                ns % NS_PER_S,
                PINNED_TTL_MARGIN_MS,
                CLOCK_SKEW_BOUND_US,
            ],
            None => [a, b, cost, 0, 0, 0, 0, CLOCK_SKEW_BOUND_US],
        }
    }
}

/// Why a reply is not a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyError(pub String);

/// A script reply `{allowed, remaining, retry_after_ns | -1, reset_ns}` as a [`Decision`].
pub fn parse_reply(value: &redis::Value) -> Result<Decision, ReplyError> {
    let items = match value {
        redis::Value::Array(items) => items,
        other => return Err(ReplyError(format!("expected an array, got {other:?}"))),
    };
    let mut ints = [0i64; 4];
    if items.len() != ints.len() {
        return Err(ReplyError(format!(
            "expected 4 integers, got {} items",
            items.len()
        )));
    }
    for (slot, item) in ints.iter_mut().zip(items) {
        match item {
            redis::Value::Int(i) => *slot = *i,
            other => return Err(ReplyError(format!("expected an integer, got {other:?}"))),
        }
    }
    let [allowed, remaining, retry, reset] = ints;
    let non_negative = |v: i64, what: &str| {
        u64::try_from(v).map_err(|_| ReplyError(format!("{what} {v} is negative")))
    };
    let allowed = match allowed {
        0 => false,
        1 => true,
        v => return Err(ReplyError(format!("allowed flag {v} is not 0 or 1"))),
    };
    let retry_after_ns = if retry == RETRY_NEVER_REPLY {
        RETRY_NEVER_NS
    } else {
        non_negative(retry, "retry_after_ns")?
    };
    if allowed && retry_after_ns != 0 {
        return Err(ReplyError("allowed with a non-zero retry".to_string()));
    }
    Ok(Decision {
        allowed,
        remaining: non_negative(remaining, "remaining")?,
        retry_after_ns,
        reset_ns: non_negative(reset, "reset_ns")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::Value;

    fn cfg(rate_per_s: u64, burst: u64, window_ms: u64) -> LimitConfig {
        LimitConfig {
            rate_per_s,
            burst,
            window_ms,
        }
    }

    #[test]
    fn params_reject_what_lua_cannot_compute_exactly() {
        assert!(ScriptParams::new(AlgorithmKind::Gcra, &cfg(10, 5, 1000)).is_ok());
        // 1/s with a burst of 2^30: span 2^30 s, far beyond 2^52 ns.
        assert!(matches!(
            ScriptParams::new(AlgorithmKind::Gcra, &cfg(1, 1 << 30, 1000)),
            Err(LimitError::Config(ConfigError::TooLarge { .. }))
        ));
        assert!(ScriptParams::new(AlgorithmKind::SlidingWindow, &cfg(100, 1, 1000)).is_ok());
        assert!(
            ScriptParams::new(AlgorithmKind::SlidingWindow, &cfg(1_000_000, 1, 3_600_000)).is_err()
        );
        assert_eq!(
            ScriptParams::new(AlgorithmKind::TokenBucket, &cfg(10, 5, 1000)),
            Err(LimitError::UnsupportedAlgorithm(AlgorithmKind::TokenBucket))
        );
        assert!(matches!(
            ScriptParams::new(AlgorithmKind::Gcra, &cfg(0, 5, 1000)),
            Err(LimitError::Config(ConfigError::ZeroRate))
        ));
    }

    #[test]
    fn argv_splits_pinned_time_into_seconds_and_nanoseconds() {
        let p = ScriptParams::new(AlgorithmKind::Gcra, &cfg(3, 4, 1000)).unwrap();
        let a = p.argv(2, Some(1_700_000_000_123_456_789));
        assert_eq!(
            a,
            [
                333_333_333,
                4,
                2,
                1,
                1_700_000_000,
                123_456_789,
                PINNED_TTL_MARGIN_MS,
                CLOCK_SKEW_BOUND_US
            ]
        );
        assert_eq!(p.argv(u64::MAX, None)[2], MAX_EXACT_SPAN_NS + 1);
    }

    #[test]
    fn replies_parse_or_fail_typed() {
        let ok = Value::Array(vec![
            Value::Int(1),
            Value::Int(3),
            Value::Int(0),
            Value::Int(7),
        ]);
        assert_eq!(
            parse_reply(&ok),
            Ok(Decision {
                allowed: true,
                remaining: 3,
                retry_after_ns: 0,
                reset_ns: 7
            })
        );
        let never = Value::Array(vec![
            Value::Int(0),
            Value::Int(0),
            Value::Int(-1),
            Value::Int(0),
        ]);
        assert_eq!(
            parse_reply(&never).map(|d| d.retry_after_ns),
            Ok(RETRY_NEVER_NS)
        );
        let garbage = [
            Value::Nil,
            Value::Int(1),
            Value::Array(vec![Value::Int(1)]),
            Value::Array(vec![
                Value::Int(2),
                Value::Int(0),
                Value::Int(0),
                Value::Int(0),
            ]),
            Value::Array(vec![
                Value::Int(0),
                Value::Int(-5),
                Value::Int(0),
                Value::Int(0),
            ]),
            Value::Array(vec![
                Value::Int(1),
                Value::Int(0),
                Value::Int(9),
                Value::Int(0),
            ]),
            Value::Array(vec![
                Value::Int(0),
                Value::Nil,
                Value::Int(0),
                Value::Int(0),
            ]),
        ];
        for g in garbage {
            assert!(parse_reply(&g).is_err(), "{g:?}");
        }
    }
}
