//! WASM parity harness for the rate limiter engine: exports the fixed workload digest so that
//! node can compare it with the native `limit-digest` binary. No logic of its own.

use wasm_bindgen::prelude::*;

/// JSON line with the digest of the fixed workload for `seed` (same fields as `limit-digest`,
/// minus timing, which node measures).
#[wasm_bindgen]
pub fn workload_digest(seed: u64) -> String {
    match ratelimit::digest::fixed_workload_digest(seed) {
        Ok(d) => format!(
            "{{\"digest\":\"{:016x}\",\"decisions\":{},\"allowed\":{}}}",
            d.digest, d.decisions, d.allowed
        ),
        Err(e) => format!("{{\"error\":\"{e}\"}}"),
    }
}
