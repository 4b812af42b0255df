//! Worst-case command streams the engine is hardened against, shared by `book-bench
//! --adversarial`, the criterion benches and the tests (deterministic: no randomness at all).
//!
//! - [`decreasing_bids`]: `n` resting bids at strictly decreasing prices, then their cancels
//!   worst first. Every insert lands behind every existing level, and every cancel removes the
//!   deepest one: on a ladder that is one sorted vector with the touch at the end, each shifts
//!   the whole ladder (quadratic; 200 k such lines, which the lab's import accepts, moved ~10^11
//!   bytes).
//! - [`colliding_ids`]: `n` resting orders whose ids all have the same hash under the id index's
//!   original unkeyed hash ([`legacy_hash`]), then their cancels. Under that hash every id has the
//!   same home group *and* control byte at every table size, so each probe walks past every
//!   earlier id (quadratic). The index is now keyed by a per-book seed, so ids can no longer be
//!   chosen to collide without knowing it.

use crate::command::{Command, Side, Tif};

/// Price of the first (best) bid of [`decreasing_bids`]; bid `i` (0-based) is priced
/// `DECREASING_BIDS_TOP_PRICE - i`, so `n` may be up to this value minus one.
pub const DECREASING_BIDS_TOP_PRICE: u64 = 1_000_000_000;

/// Largest `n` accepted by the streams (they clamp to it): keeps every price and id valid.
pub const MAX_ADVERSARIAL_ORDERS: u64 = DECREASING_BIDS_TOP_PRICE - 1;

/// The 32-bit hash every id of [`colliding_ids`] has under [`legacy_hash`].
pub const LEGACY_COLLIDING_HASH: u32 = 0x5eed_c0de;

/// Price at which every order of [`colliding_ids`] rests (one level: only the id index is
/// under stress).
pub const COLLIDING_IDS_PRICE: u64 = 1_000;

/// Odd multiplier of the original unkeyed id hash.
const LEGACY_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
/// Shift of the original hash's xorshift.
const LEGACY_SHIFT: u32 = 29;

/// The id index's original, unkeyed and invertible hash (kept here, out of the engine, to craft
/// and test colliding ids): `top32((k ^ k >> 29) * 0x9E37_79B9_7F4A_7C15)`.
pub fn legacy_hash(key: u64) -> u32 {
    let x = (key ^ (key >> LEGACY_SHIFT)).wrapping_mul(LEGACY_MULTIPLIER);
    (x >> 32) as u32
}

/// Multiplicative inverse of an odd `a` modulo 2^64 (Newton's iteration; each step doubles the
/// number of correct low bits, from 3).
const fn inverse_mod_2_64(a: u64) -> u64 {
    let mut x = a; // correct to 3 bits for odd a
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

/// The `i`-th id whose [`legacy_hash`] is [`LEGACY_COLLIDING_HASH`]: the legacy hash inverted at
/// the product `LEGACY_COLLIDING_HASH << 32 | i` (distinct for distinct `i < 2^32`).
pub fn legacy_colliding_id(i: u32) -> u64 {
    let product = (u64::from(LEGACY_COLLIDING_HASH) << 32) | u64::from(i);
    let x = product.wrapping_mul(inverse_mod_2_64(LEGACY_MULTIPLIER));
    // Inverse of `k ^ (k >> 29)`: k = x ^ (x >> 29) ^ (x >> 58).
    x ^ (x >> LEGACY_SHIFT) ^ (x >> (2 * LEGACY_SHIFT))
}

/// `n` GTC bids (ids `1..=n`, quantity 1) at strictly decreasing prices from
/// [`DECREASING_BIDS_TOP_PRICE`], then `n` cancels from the deepest (last) bid up. `2n` commands;
/// `n` is clamped to [`MAX_ADVERSARIAL_ORDERS`].
pub fn decreasing_bids(n: u64) -> impl Iterator<Item = Command> {
    let n = n.min(MAX_ADVERSARIAL_ORDERS);
    let adds = (0..n).map(|i| Command::Limit {
        id: i + 1,
        side: Side::Buy,
        price: DECREASING_BIDS_TOP_PRICE - i,
        qty: 1,
        tif: Tif::Gtc,
        owner: None,
    });
    let cancels = (0..n).rev().map(|i| Command::Cancel { id: i + 1 });
    adds.chain(cancels)
}

/// `n` GTC bids at [`COLLIDING_IDS_PRICE`] whose ids are [`legacy_colliding_id`]`(0..n)`, then
/// their cancels in the same order. `2n` commands; `n` is clamped to `u32::MAX`.
pub fn colliding_ids(n: u64) -> impl Iterator<Item = Command> {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    let adds = (0..n).map(|i| Command::Limit {
        id: legacy_colliding_id(i),
        side: Side::Buy,
        price: COLLIDING_IDS_PRICE,
        qty: 1,
        tif: Tif::Gtc,
        owner: None,
    });
    let cancels = (0..n).map(|i| Command::Cancel {
        id: legacy_colliding_id(i),
    });
    adds.chain(cancels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crafted_ids_are_distinct_and_share_one_legacy_hash() {
        let ids: Vec<u64> = (0..10_000).map(legacy_colliding_id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
        assert!(ids
            .iter()
            .all(|&id| legacy_hash(id) == LEGACY_COLLIDING_HASH));
    }

    #[test]
    fn inverse_is_an_inverse() {
        assert_eq!(
            LEGACY_MULTIPLIER.wrapping_mul(inverse_mod_2_64(LEGACY_MULTIPLIER)),
            1
        );
    }

    #[test]
    fn decreasing_bids_is_adds_then_deepest_first_cancels() {
        let cmds: Vec<Command> = decreasing_bids(3).collect();
        assert_eq!(cmds.len(), 6);
        assert!(
            matches!(cmds[2], Command::Limit { price, .. } if price == DECREASING_BIDS_TOP_PRICE - 2)
        );
        assert_eq!(cmds[3], Command::Cancel { id: 3 });
        assert_eq!(cmds[5], Command::Cancel { id: 1 });
    }
}
