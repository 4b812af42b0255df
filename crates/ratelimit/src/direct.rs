//! `Direct`: one algorithm state shared by every caller (a single global limit, no key table).
//! It decides with `Algorithm::decide_hot`, which
//! `tests/hot_path.rs::hot_path_decides_like_the_table_path` holds to `Algorithm::decide`.

use crate::decision::{Algorithm, Decision, Limiter};

pub struct Direct<A: Algorithm> {
    algorithm: A,
    state: A::State,
}

impl<A: Algorithm> Direct<A> {
    pub fn new(algorithm: A) -> Self {
        Direct {
            algorithm,
            state: A::State::default(),
        }
    }

    #[inline]
    pub fn check(&mut self, now_ns: u64, cost: u64) -> Decision {
        self.algorithm.decide_hot(&mut self.state, now_ns, cost)
    }
}

/// Every key shares the one limit.
impl<A: Algorithm> Limiter for Direct<A> {
    #[inline]
    fn check(&mut self, _key: u64, now_ns: u64, cost: u64) -> Decision {
        Direct::check(self, now_ns, cost)
    }
}
