//! A fixed-size log-linear latency histogram for the load tool: 64 exponents × 32 sub-buckets
//! (about 3 % relative error), mergeable, with quantiles. Bounded memory whatever the run length.

/// Sub-buckets per power of two.
const SUB_BUCKETS: usize = 32;
const SUB_BITS: u32 = 5;
/// Total buckets: enough for any u64 value.
pub const BUCKETS: usize = 64 * SUB_BUCKETS;

#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    counts: Vec<u64>,
    total: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            counts: vec![0; BUCKETS],
            total: 0,
        }
    }
}

fn bucket_of(value: u64) -> usize {
    if value < SUB_BUCKETS as u64 {
        return value as usize;
    }
    let exp = 63 - value.leading_zeros(); // >= SUB_BITS
    let shift = exp - SUB_BITS;
    let sub = ((value >> shift) as usize) & (SUB_BUCKETS - 1);
    (shift as usize + 1) * SUB_BUCKETS + sub
}

/// Smallest value of a bucket (quantiles report it, so they never overstate).
fn bucket_floor(bucket: usize) -> u64 {
    if bucket < SUB_BUCKETS {
        return bucket as u64;
    }
    let shift = (bucket / SUB_BUCKETS - 1) as u32;
    let sub = (bucket % SUB_BUCKETS) as u64;
    (SUB_BUCKETS as u64 + sub) << shift
}

impl LatencyHistogram {
    pub fn record(&mut self, value: u64) {
        self.counts[bucket_of(value)] += 1;
        self.total += 1;
    }

    pub fn merge(&mut self, other: &LatencyHistogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value at quantile `permille / 1000` (0 when empty).
    pub fn quantile_permille(&self, permille: u64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = (self.total * permille.min(1000)).div_ceil(1000).max(1);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return bucket_floor(i);
            }
        }
        bucket_floor(BUCKETS - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotone_and_tight() {
        let mut prev = 0;
        for v in (0..100_000u64).chain([u64::MAX / 2, u64::MAX]) {
            let b = bucket_of(v);
            assert!(b < BUCKETS);
            assert!(b >= prev || v > 100_000);
            prev = b;
            let floor = bucket_floor(b);
            assert!(floor <= v && v - floor <= v / 16, "{v} -> {floor}");
        }
    }

    #[test]
    fn quantiles_of_a_known_distribution() {
        let mut h = LatencyHistogram::default();
        assert_eq!(h.quantile_permille(500), 0);
        for v in 1..=1000u64 {
            h.record(v * 1000);
        }
        let p50 = h.quantile_permille(500);
        let p99 = h.quantile_permille(990);
        assert!((480_000..=500_000).contains(&p50), "{p50}");
        assert!((960_000..=990_000).contains(&p99), "{p99}");
        let mut g = LatencyHistogram::default();
        g.record(5);
        g.merge(&h);
        assert_eq!(g.count(), 1001);
        assert_eq!(g.quantile_permille(0), 5);
    }
}
