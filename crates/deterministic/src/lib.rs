//! `deterministic`: the primitives every engine shares so that a seed or an input means the same
//! numbers on every target — SplitMix64 (Steele, Lea, Flood 2014) with integer-only sampling, its
//! finaliser [`mix64`] as a stateless 64-bit mixer, and FNV-1a 64 for digests that must match
//! natively and in WASM. No floating point, no dependencies, no global state, no `unsafe`.
//!
//! None of this is cryptographic: the hashes detect change and spread keys; the generator is
//! reproducible, not unpredictable.

#![forbid(unsafe_code)]

/// The golden-ratio increment SplitMix64 adds to its state on every draw (`2^64 / φ`, odd).
pub const SPLITMIX64_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (Stafford's "Mix13" variant of the MurmurHash3 finaliser): a
/// bijection on `u64` in which every input bit affects every output bit. [`SplitMix64`] applies
/// it to its state; alone it is a cheap, seedable hash of an integer key.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `a × b` as the full 128-bit product.
///
/// Natively this is the target's widening multiply. On wasm32, which has no 64×64→128
/// instruction, LLVM lowers a `u128` product to a call of the `__multi3` library routine that
/// returns its result through linear memory — profiled, that call was 10–15 % of the engines'
/// WASM time — so there it is [`mul_wide_by_halves`] instead, inline. The value is the same on
/// every target (the tests compare the two forms).
#[inline(always)]
pub const fn mul_wide(a: u64, b: u64) -> u128 {
    #[cfg(target_arch = "wasm32")]
    {
        let (hi, lo) = mul_wide_by_halves(a, b);
        ((hi as u128) << 64) | lo as u128
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a as u128 * b as u128
    }
}

/// The high 64 bits of `a × b` (multiply-high), by [`mul_wide`].
#[inline(always)]
pub const fn mul_hi(a: u64, b: u64) -> u64 {
    (mul_wide(a, b) >> 64) as u64
}

/// `a × b`, or `None` when it passes `u64::MAX` — `u64::checked_mul`, except on wasm32, where
/// LLVM lowers a 64-bit multiply-with-overflow to the same `__multi3` call as a `u128` product;
/// there it is a 32-bit check and, for large factors, [`mul_wide_by_halves`]. Same value
/// everywhere.
#[inline(always)]
pub const fn checked_mul(a: u64, b: u64) -> Option<u64> {
    #[cfg(target_arch = "wasm32")]
    {
        if (a | b) >> 32 == 0 {
            return Some(a * b);
        }
        match mul_wide_by_halves(a, b) {
            (0, low) => Some(low),
            _ => None,
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        a.checked_mul(b)
    }
}

/// `a × b`, or `u64::MAX` when it passes it (`u64::saturating_mul`, by [`checked_mul`]).
#[inline(always)]
pub const fn saturating_mul(a: u64, b: u64) -> u64 {
    match checked_mul(a, b) {
        Some(p) => p,
        None => u64::MAX,
    }
}

/// `a × b` as `(high, low)` words, from four 32×32→64 products (schoolbook on 32-bit halves).
/// [`mul_wide`]'s form on wasm32; public so that every target can test it.
///
/// The middle column is summed with explicit carries on purpose: written as the textbook
/// `(ll >> 32) + (lh & LOW) + (hl & LOW)`, LLVM recognises the multiply-high idiom and turns it
/// back into a 128-bit multiply — the very `__multi3` call this avoids (checked on the
/// wasm32 output of rustc 1.95).
#[inline(always)]
pub const fn mul_wide_by_halves(a: u64, b: u64) -> (u64, u64) {
    if b >> 32 == 0 {
        // A factor below 2^32 (a table's set count, a pool's length): two products, and the
        // middle sum cannot carry, since (2^32 - 1)^2 + 2^32 < 2^64.
        let low = (a as u32 as u64) * b;
        let mid = (a >> 32) * b + (low >> 32);
        return (mid >> 32, a.wrapping_mul(b));
    }
    let (a_lo, a_hi) = (a as u32 as u64, a >> 32);
    let (b_lo, b_hi) = (b as u32 as u64, b >> 32);
    let ll = a_lo * b_lo;
    let lh = a_lo * b_hi;
    let hl = a_hi * b_lo;
    let hh = a_hi * b_hi;
    // The middle column, (ll >> 32) + lh + hl, can pass 2^64: each carry out is worth 2^32 in
    // the high word.
    let (mid, c1) = (ll >> 32).overflowing_add(lh);
    let (mid, c2) = mid.overflowing_add(hl);
    let carries = (c1 as u64 + c2 as u64) << 32;
    (hh + carries + (mid >> 32), a.wrapping_mul(b))
}

/// SplitMix64: one add and one [`mix64`] per draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(SPLITMIX64_GAMMA);
        mix64(self.state)
    }

    /// A draw in `0..n` by multiply-shift (Lemire), without rejection: every draw consumes
    /// exactly one step, and the bias is below `n / 2^64`. Returns 0 when `n == 0`.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        mul_hi(self.next_u64(), n)
    }

    /// An exactly uniform draw in `0..n`: Lemire's multiply-shift with rejection, so there is no
    /// bias at all, at the price of a variable number of steps (more than one with probability
    /// below `n / 2^64`). Returns 0, drawing nothing, when `n == 0`.
    ///
    /// The common case is inlined; the rejection loop is out of line, so that a caller with a
    /// constant `n` (a per-mille chance, say) keeps the draw to a few instructions.
    #[inline]
    pub fn below_unbiased(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let m = mul_wide(self.next_u64(), n);
        if (m as u64) < n {
            return self.below_unbiased_rare(n, m);
        }
        (m >> 64) as u64
    }

    /// [`below_unbiased`](Self::below_unbiased) for a first product whose low word is below `n`.
    #[cold]
    #[inline(never)]
    fn below_unbiased_rare(&mut self, n: u64, mut m: u128) -> u64 {
        // 2^64 mod n: products whose low word falls below it would over-represent some outputs,
        // so they are drawn again.
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = mul_wide(self.next_u64(), n);
        }
        (m >> 64) as u64
    }

    /// A draw in `lo..=hi` by [`below`](Self::below) (returns `lo`, drawing nothing, when
    /// `hi <= lo`).
    pub fn range_inclusive(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below(hi - lo + 1)
    }

    /// An exactly uniform draw in `lo..=hi` by [`below_unbiased`](Self::below_unbiased)
    /// (returns `lo`, drawing nothing, when `hi <= lo`).
    pub fn range_inclusive_unbiased(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below_unbiased(hi - lo + 1)
    }

    /// True with probability `num / den` (`den > 0`), by [`below`](Self::below); always one step.
    #[inline]
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// True with probability exactly `num / den` (`den > 0`), by
    /// [`below_unbiased`](Self::below_unbiased); draws nothing when `num == 0`.
    pub fn chance_unbiased(&mut self, num: u64, den: u64) -> bool {
        num > 0 && self.below_unbiased(den) < num
    }

    /// A child generator seeded by one draw, so its stream is independent of later draws from
    /// `self`.
    pub fn fork(&mut self) -> SplitMix64 {
        SplitMix64::new(self.next_u64())
    }
}

/// FNV-1a 64's starting state (the FNV-0 hash of "chongo <Landon Curt Noll> /\../\").
pub const FNV1A64_OFFSET_BASIS: u64 = 0xCBF2_9CE4_8422_2325;
/// FNV 64's prime, `2^40 + 2^8 + 0xb3`.
pub const FNV1A64_PRIME: u64 = 0x0000_0100_0000_01B3;

/// FNV-1a 64 of `bytes`, in one call.
#[inline]
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    Fnv1a::new().bytes(bytes).finish()
}

/// A running FNV-1a 64 hash: feeding bytes in pieces gives the same value as [`fnv1a`] of their
/// concatenation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a {
    state: u64,
}

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv1a {
    pub const fn new() -> Self {
        Fnv1a {
            state: FNV1A64_OFFSET_BASIS,
        }
    }

    /// Feeds `bytes` (the `const` form of [`write`](Self::write)).
    #[inline]
    pub const fn bytes(mut self, bytes: &[u8]) -> Self {
        let mut i = 0;
        while i < bytes.len() {
            self.state = (self.state ^ bytes[i] as u64).wrapping_mul(FNV1A64_PRIME);
            i += 1;
        }
        self
    }

    /// Feeds `bytes`.
    #[inline]
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.state = (self.state ^ u64::from(b)).wrapping_mul(FNV1A64_PRIME);
        }
    }

    /// Feeds the eight little-endian bytes of `word`, so a digest of integers is the same on
    /// every target whatever its byte order.
    #[inline]
    pub fn write_u64_le(&mut self, word: u64) {
        self.write(&word.to_le_bytes());
    }

    /// The hash of everything fed so far.
    #[inline]
    pub const fn finish(&self) -> u64 {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_outputs() {
        // From the published C code (Vigna's splitmix64.c): seeds 1234567 and 0.
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        assert_eq!(r.next_u64(), 9817491932198370423);
        assert_eq!(r.next_u64(), 4593380528125082431);
        assert_eq!(r.next_u64(), 16408922859458223821);
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn a_draw_is_mix64_of_the_advanced_state() {
        let mut r = SplitMix64::new(99);
        assert_eq!(r.next_u64(), mix64(99u64.wrapping_add(SPLITMIX64_GAMMA)));
        assert_eq!(mix64(0), 0);
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv, test vectors for FNV-1a 64).
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        let mut h = Fnv1a::new();
        h.write(b"foo");
        h.write(b"bar");
        assert_eq!(h.finish(), fnv1a(b"foobar"));
        assert_eq!(Fnv1a::new().bytes(b"foobar").finish(), fnv1a(b"foobar"));
    }

    #[test]
    fn a_word_is_its_little_endian_bytes() {
        let mut h = Fnv1a::default();
        h.write_u64_le(0x0102_0304_0506_0708);
        assert_eq!(h.finish(), fnv1a(&[8, 7, 6, 5, 4, 3, 2, 1]));
    }

    #[test]
    fn draws_stay_in_range() {
        let mut r = SplitMix64::new(9);
        for n in [1u64, 2, 3, 10, 1000, u64::MAX] {
            for _ in 0..200 {
                assert!(r.below(n) < n);
                assert!(r.below_unbiased(n) < n);
            }
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.below_unbiased(0), 0);
        assert_eq!(r.range_inclusive(5, 5), 5);
        assert_eq!(r.range_inclusive(7, 3), 7);
        assert_eq!(r.range_inclusive_unbiased(7, 3), 7);
        assert!((3..=9).contains(&r.range_inclusive(3, 9)));
        assert!((3..=9).contains(&r.range_inclusive_unbiased(3, 9)));
    }

    #[test]
    fn zero_cases_draw_nothing() {
        let mut r = SplitMix64::new(5);
        let before = r.clone();
        r.below_unbiased(0);
        r.range_inclusive(4, 4);
        r.range_inclusive_unbiased(4, 4);
        assert!(!r.chance_unbiased(0, 1000));
        assert_eq!(r, before);
    }

    #[test]
    fn unbiased_rejects_exactly_the_low_products() {
        // n = 2^63 + 1: 2^64 mod n = 2^63 - 1, so a draw is rejected iff its product's low word
        // is below that. Replaying the stream by hand pins the rejection rule.
        let n = (1u64 << 63) + 1;
        let threshold = n.wrapping_neg() % n;
        let mut r = SplitMix64::new(2024);
        let mut reference = r.clone();
        for _ in 0..64 {
            let got = r.below_unbiased(n);
            let expected = loop {
                let m = u128::from(reference.next_u64()) * u128::from(n);
                if m as u64 >= threshold {
                    break (m >> 64) as u64;
                }
            };
            assert_eq!(got, expected);
            assert_eq!(r, reference);
        }
    }

    #[test]
    fn unbiased_is_uniform_and_chance_is_roughly_right() {
        let mut r = SplitMix64::new(42);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[r.below_unbiased(6) as usize] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
        let hits = (0..100_000).filter(|_| r.chance(1, 4)).count();
        assert!((23_000..27_000).contains(&hits), "{hits}");
        let hits = (0..100_000)
            .filter(|_| r.chance_unbiased(250, 1000))
            .count();
        assert!((23_000..27_000).contains(&hits), "{hits}");
    }

    #[test]
    fn the_product_by_halves_is_the_widening_product() {
        let edges = [
            0,
            1,
            2,
            0xFFFF_FFFF,
            1 << 32,
            (1 << 32) + 1,
            1 << 63,
            u64::MAX - 1,
            u64::MAX,
        ];
        let mut r = SplitMix64::new(17);
        let mut values: Vec<u64> = edges.to_vec();
        values.extend((0..200).map(|_| r.next_u64()));
        values.extend((0..50).map(|_| r.next_u64() >> 32));
        for &a in &values {
            for &b in &values {
                let wide = u128::from(a) * u128::from(b);
                assert_eq!(mul_wide_by_halves(a, b), ((wide >> 64) as u64, wide as u64));
                assert_eq!(mul_wide(a, b), wide);
                assert_eq!(mul_hi(a, b), (wide >> 64) as u64);
                assert_eq!(checked_mul(a, b), a.checked_mul(b));
                assert_eq!(saturating_mul(a, b), a.saturating_mul(b));
            }
        }
    }

    #[test]
    fn fork_seeds_the_child_with_one_draw() {
        let mut a = SplitMix64::new(3);
        let mut b = a.clone();
        let mut child = a.fork();
        assert_eq!(child.next_u64(), SplitMix64::new(b.next_u64()).next_u64());
        assert_eq!(a, b);
    }
}
