//! wasm-bindgen harness for the native-vs-WASM parity check: runs the orderbook's seeded flow
//! workload inside WASM and returns its event checksum. Timing is taken on the JS side.

use orderbook::{run_flow, FlowParams};
use wasm_bindgen::prelude::*;

/// Runs `ops` commands of the default flow (10k live-order target) with `seed` and returns the
/// event checksum as 16 lowercase hex digits (a `u64` does not fit a JS number exactly).
#[wasm_bindgen]
pub fn flow_checksum(seed: u64, ops: u32) -> String {
    format!(
        "{:016x}",
        run_flow(seed, FlowParams::default(), u64::from(ops)).checksum
    )
}

/// Same run, digest as a JSON object string: seed, ops, checksum, events, live_orders.
#[wasm_bindgen]
pub fn flow_digest_json(seed: u64, ops: u32) -> String {
    let d = run_flow(seed, FlowParams::default(), u64::from(ops));
    format!(
        "{{\"seed\":{},\"ops\":{},\"checksum\":\"{:016x}\",\"events\":{},\"live_orders\":{}}}",
        d.seed, d.ops, d.checksum, d.events, d.live_orders
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_agrees_with_checksum_and_the_engine() {
        let c = flow_checksum(7, 5_000);
        assert_eq!(c.len(), 16);
        assert!(flow_digest_json(7, 5_000).contains(&c));
        assert_eq!(
            c,
            format!(
                "{:016x}",
                run_flow(7, FlowParams::default(), 5_000).checksum
            )
        );
    }
}
