//! Kraken's checksum from per-level CRCs, for WebAssembly (natively `crc32fast`'s
//! carry-less-multiply path over the copied digits is faster: 45 against 58 ns a checksum in
//! `md-bench`, 5 alternating pairs). The checksum is CRC-32 over the concatenated digits
//! of twenty levels; each level's digits change only when the level does, so each level keeps
//! the CRC register its digits alone produce from zero ([`run`], by `crc32fast` when the level is
//! set), and a checksum joins the twenty. CRC is linear: the register after `A ‖ B` is the
//! register after `A` carried through `|B|` zero bytes, XOR the register `B` alone produces from
//! zero. Carrying a register through `n` zero bytes is linear in it, so a table per byte of the
//! register gives it in four lookups ([`Joiner`]); a join is then twenty steps of four lookups,
//! instead of hashing up to 720 bytes again. WebAssembly has no carry-less multiply, so there
//! the bytes were the cost. The tests here hold the join to `crc32fast::hash` of the whole
//! string on every target; `cargo xtask parity` holds the WebAssembly book's checksums to the
//! native ones.

use std::sync::OnceLock;

/// The longest run one level contributes: its price's digits then its quantity's.
pub(crate) const MAX_RUN: usize = 2 * crate::decimal::MAX_DIGITS;

/// CRC-32 (IEEE), reflected.
const POLY: u32 = 0xEDB8_8320;

/// The byte-at-a-time table: `TABLE[b]` is the register `b` becomes after eight shifts.
const TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut b = 0;
    while b < 256 {
        let mut r = b as u32;
        let mut i = 0;
        while i < 8 {
            r = if r & 1 == 1 { (r >> 1) ^ POLY } else { r >> 1 };
            i += 1;
        }
        t[b] = r;
        b += 1;
    }
    t
};

/// The register after one zero byte.
const fn zero_byte(r: u32) -> u32 {
    TABLE[(r & 0xff) as usize] ^ (r >> 8)
}

/// The register `bytes` produce from zero (no initial or final inversion): a level's part.
pub(crate) fn run(bytes: &[u8]) -> u32 {
    // `crc32fast` continues a CRC from `init` as `!process(!init, bytes)`; from `!0` that is
    // `!process(0, bytes)`.
    let mut h = crc32fast::Hasher::new_with_initial(!0);
    h.update(bytes);
    !h.finalize()
}

/// `zeros[n - 1][k][b]`: the register holding `b << 8k` after `n` zero bytes, for `n` up to
/// [`MAX_RUN`] (144 KiB, built on first use).
type Tables = [[[u32; 256]; 4]];

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Box<Tables>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = vec![[[0u32; 256]; 4]; MAX_RUN].into_boxed_slice();
        for k in 0..4 {
            for b in 0..256 {
                let mut r = (b as u32) << (8 * k);
                for n in 0..MAX_RUN {
                    r = zero_byte(r);
                    t[n][k][b] = r;
                }
            }
        }
        t
    })
}

/// Joins runs into one CRC-32, in order.
pub(crate) struct Joiner {
    zeros: &'static Tables,
    register: u32,
}

impl Joiner {
    pub(crate) fn new() -> Joiner {
        Joiner {
            zeros: tables(),
            register: !0,
        }
    }

    /// Goes on from a [`Joiner::register`] kept earlier.
    pub(crate) fn resume(register: u32) -> Joiner {
        Joiner {
            zeros: tables(),
            register,
        }
    }

    /// The register so far (what [`Joiner::resume`] takes).
    pub(crate) fn register(&self) -> u32 {
        self.register
    }

    /// Appends a run of `len` bytes (at most [`MAX_RUN`]) whose [`run`] is `part`.
    #[inline(always)]
    pub(crate) fn push(&mut self, len: usize, part: u32) {
        let Some(t) = len.checked_sub(1).and_then(|i| self.zeros.get(i)) else {
            debug_assert!(len == 0, "a run of {len} bytes is beyond MAX_RUN");
            return;
        };
        let r = self.register;
        self.register = t[0][(r & 0xff) as usize]
            ^ t[1][((r >> 8) & 0xff) as usize]
            ^ t[2][((r >> 16) & 0xff) as usize]
            ^ t[3][(r >> 24) as usize]
            ^ part;
    }

    /// The CRC-32 of everything pushed.
    pub(crate) fn finish(&self) -> u32 {
        !self.register
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn joined_runs_are_the_crc_of_their_concatenation(
            runs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..=MAX_RUN), 0..24)
        ) {
            let mut j = Joiner::new();
            let mut all = Vec::new();
            for r in &runs {
                j.push(r.len(), run(r));
                all.extend_from_slice(r);
            }
            prop_assert_eq!(j.finish(), crc32fast::hash(&all));
        }
    }

    #[test]
    fn a_kept_register_goes_on_where_it_stopped() {
        let mut first = Joiner::new();
        first.push(4, run(b"1234"));
        let mut resumed = Joiner::resume(first.register());
        resumed.push(5, run(b"56789"));
        assert_eq!(resumed.finish(), 0xCBF4_3926);
    }

    #[test]
    fn the_table_is_crc32s() {
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        let mut j = Joiner::new();
        for chunk in [&b"1234"[..], b"5", b"", b"6789"] {
            j.push(chunk.len(), run(chunk));
        }
        assert_eq!(j.finish(), 0xCBF4_3926);
    }
}
