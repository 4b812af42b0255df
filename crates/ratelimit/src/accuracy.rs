//! The sliding-window counter's error against the exact sliding log, on seeded traffic.
//!
//! Method (Cloudflare's, as we read it): the counter is the deployed limiter; every request it
//! sees is also judged by an exact sliding log kept over the *counter's own* admitted history.
//! A request the counter admits but the log would deny is "wrongly allowed"; one the counter
//! denies but the log would admit is "wrongly denied". Each source is one key.
//!
//! A second, net figure runs an independent sliding log on the same arrivals and compares how
//! many requests each admits in total (`counter_allowed` vs `log_allowed`).

use crate::config::LimitConfig;
use crate::decision::Algorithm;
use crate::error::ConfigError;
use crate::sliding_log::SlidingLog;
use crate::sliding_window::SlidingWindow;
use crate::traffic::{ClientTraffic, Pattern};
use deterministic::SplitMix64;
use std::collections::VecDeque;

/// Upper bound on sources in one experiment.
pub const MAX_SOURCES: u64 = 1 << 20;

/// Traffic mix: most sources far below the limit, some near it, a few abusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccuracyExperiment {
    pub limit: LimitConfig,
    pub sources: u64,
    pub duration_ms: u64,
    /// Share of sources (per mille) sending near the limit (0.5–1.5 × its rate).
    pub near_limit_permille: u64,
    /// Share of sources (per mille) sending at 2–10 × the limit.
    pub abusive_permille: u64,
    pub seed: u64,
}

/// Source classes, by sending rate relative to the limit.
pub const CLASS_NAMES: [&str; 3] = ["below-limit", "near-limit", "abusive"];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccuracyCounts {
    pub sources: u64,
    pub requests: u64,
    pub counter_allowed: u64,
    pub wrongly_allowed: u64,
    pub wrongly_denied: u64,
    /// Admitted by an independent exact sliding log fed the same arrivals (net comparison).
    pub log_allowed: u64,
}

/// Totals plus the same counts per source class (indexed like [`CLASS_NAMES`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccuracyReport {
    pub total: AccuracyCounts,
    pub by_class: [AccuracyCounts; 3],
}

impl AccuracyCounts {
    /// Wrong decisions (either way) in parts per million of requests.
    pub fn wrong_ppm(&self) -> u64 {
        (self.wrongly_allowed + self.wrongly_denied) * 1_000_000 / self.requests.max(1)
    }
    pub fn wrongly_allowed_percent(&self) -> f64 {
        self.wrongly_allowed as f64 * 100.0 / self.requests.max(1) as f64
    }
    pub fn wrongly_denied_percent(&self) -> f64 {
        self.wrongly_denied as f64 * 100.0 / self.requests.max(1) as f64
    }
}

impl AccuracyExperiment {
    /// The reported mix: 2 % of sources near the limit, 0.2 % abusive, the rest at 2–20 % of it;
    /// limit 100 per 10 s window.
    pub fn standard(sources: u64, duration_ms: u64, seed: u64) -> Self {
        AccuracyExperiment {
            limit: LimitConfig {
                rate_per_s: 10,
                burst: 1,
                window_ms: 10_000,
            },
            sources,
            duration_ms,
            near_limit_permille: 20,
            abusive_permille: 2,
            seed,
        }
    }

    pub fn run(&self) -> Result<AccuracyReport, ConfigError> {
        let mut run = self.start()?;
        while !run.step(u64::MAX) {}
        Ok(run.report())
    }

    /// The experiment as a run that goes a few sources at a time ([`AccuracyRun::step`]), so a
    /// caller can report progress; it ends with the same report as [`Self::run`].
    pub fn start(&self) -> Result<AccuracyRun, ConfigError> {
        let counter = SlidingWindow::new(&self.limit)?;
        let log = SlidingLog::new(&self.limit)?;
        let (window_ns, limit) = self.limit.window_limit()?;
        if self.sources == 0 {
            return Err(ConfigError::ZeroCapacity { what: "sources" });
        }
        if self.sources > MAX_SOURCES {
            return Err(ConfigError::TooLarge {
                what: "sources",
                value: self.sources,
                max: MAX_SOURCES,
            });
        }
        if self.near_limit_permille + self.abusive_permille > 1000 {
            return Err(ConfigError::InvalidShare {
                what: "near-limit + abusive per mille",
                value: self.near_limit_permille + self.abusive_permille,
            });
        }
        let end_ns = self
            .duration_ms
            .checked_mul(1_000_000)
            .ok_or(ConfigError::Overflow { what: "duration" })?;
        Ok(AccuracyRun {
            experiment: *self,
            counter,
            log,
            window_ns,
            limit,
            end_ns,
            rng: SplitMix64::new(self.seed),
            by_class: [AccuracyCounts::default(); 3],
            next_source: 0,
            arrivals: Vec::new(),
            shadow: VecDeque::with_capacity(limit as usize),
        })
    }
}

/// An accuracy experiment under way (see [`AccuracyExperiment::start`]).
pub struct AccuracyRun {
    experiment: AccuracyExperiment,
    counter: SlidingWindow,
    log: SlidingLog,
    window_ns: u64,
    limit: u64,
    end_ns: u64,
    rng: SplitMix64,
    by_class: [AccuracyCounts; 3],
    next_source: u64,
    arrivals: Vec<u64>,
    shadow: VecDeque<u64>,
}

impl AccuracyRun {
    /// Sources done and in all.
    pub fn progress(&self) -> (u64, u64) {
        (self.next_source, self.experiment.sources)
    }

    /// Runs up to `max_sources` more sources; true once every source has run.
    pub fn step(&mut self, max_sources: u64) -> bool {
        let stop = self
            .next_source
            .saturating_add(max_sources)
            .min(self.experiment.sources);
        while self.next_source < stop {
            self.source(self.next_source);
            self.next_source += 1;
        }
        self.next_source == self.experiment.sources
    }

    /// One source: its class and rate, then every arrival judged by both limiters.
    fn source(&mut self, source: u64) {
        let exp = &self.experiment;
        let limit_rate_milli = exp.limit.rate_per_s * 1000;
        let rng = &mut self.rng;
        let class = rng.below(1000);
        let (class, rate_milli_per_s) = if class < exp.abusive_permille {
            (
                2,
                rng.range_inclusive(2 * limit_rate_milli, 10 * limit_rate_milli),
            )
        } else if class < exp.abusive_permille + exp.near_limit_permille {
            (
                1,
                rng.range_inclusive(limit_rate_milli / 2, limit_rate_milli * 3 / 2),
            )
        } else {
            (
                0,
                rng.range_inclusive(limit_rate_milli / 50, limit_rate_milli / 5),
            )
        };
        let counts = &mut self.by_class[class];
        counts.sources += 1;
        let mut traffic = ClientTraffic::new(
            Pattern::Steady { rate_milli_per_s },
            exp.seed ^ source.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        );
        let mut state = Default::default();
        let mut log_state = Default::default();
        let shadow = &mut self.shadow;
        shadow.clear();
        // Arrivals come in bounded chunks; the limiter states carry across chunks.
        loop {
            self.arrivals.clear();
            traffic.arrivals_until(self.end_ns, &mut self.arrivals);
            if self.arrivals.is_empty() {
                break;
            }
            for &t in &self.arrivals {
                while shadow
                    .front()
                    .is_some_and(|&s| s.saturating_add(self.window_ns) <= t)
                {
                    shadow.pop_front();
                }
                let exact_allows = (shadow.len() as u64) < self.limit;
                let d = self.counter.decide(&mut state, t, 1);
                counts.requests += 1;
                counts.log_allowed += u64::from(self.log.decide(&mut log_state, t, 1).allowed);
                if d.allowed {
                    counts.counter_allowed += 1;
                    shadow.push_back(t);
                }
                match (d.allowed, exact_allows) {
                    (true, false) => counts.wrongly_allowed += 1,
                    (false, true) => counts.wrongly_denied += 1,
                    _ => {}
                }
            }
        }
    }

    /// The counts so far: by class, and their totals.
    pub fn report(&self) -> AccuracyReport {
        let mut report = AccuracyReport {
            by_class: self.by_class,
            ..AccuracyReport::default()
        };
        for c in self.by_class {
            report.total.sources += c.sources;
            report.total.requests += c.requests;
            report.total.counter_allowed += c.counter_allowed;
            report.total.wrongly_allowed += c.wrongly_allowed;
            report.total.wrongly_denied += c.wrongly_denied;
            report.total.log_allowed += c.log_allowed;
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_error_against_the_log_is_bounded_and_deterministic() {
        let exp = AccuracyExperiment::standard(1_000, 60_000, 1);
        let r = exp.run().unwrap();
        assert_eq!(r, exp.run().unwrap());
        let [below, near, abusive] = r.by_class;
        assert!(
            below.sources > 900 && near.sources > 0 && abusive.sources > 0,
            "{r:?}"
        );
        // Sources below the limit are never misjudged.
        assert_eq!(below.wrongly_allowed + below.wrongly_denied, 0);
        assert_eq!(below.counter_allowed, below.requests);
        assert_eq!(below.log_allowed, below.requests);
        // Net, the counter admits within 5 % of the exact log for sources at or above the limit.
        for c in [near, abusive] {
            assert!(
                c.counter_allowed.abs_diff(c.log_allowed) * 20 < c.log_allowed,
                "{c:?}"
            );
        }
        // Errors come from sources at or above the limit, and stay bounded there.
        assert!(near.wrong_ppm() < 100_000, "{near:?}");
        assert!(r.total.wrongly_allowed + r.total.wrongly_denied > 0);
        assert!(r.total.wrong_ppm() < 60_000, "{r:?}");
    }

    #[test]
    fn traffic_far_below_the_limit_is_never_misjudged() {
        let mut exp = AccuracyExperiment::standard(200, 60_000, 2);
        exp.near_limit_permille = 0;
        exp.abusive_permille = 0;
        let r = exp.run().unwrap().total;
        assert_eq!(r.counter_allowed, r.requests);
        assert_eq!(r.wrongly_allowed + r.wrongly_denied, 0);
    }

    #[test]
    fn a_run_in_steps_reports_what_one_run_does() {
        let exp = AccuracyExperiment::standard(300, 20_000, 5);
        let mut run = exp.start().unwrap();
        let mut steps = 0;
        while !run.step(7) {
            steps += 1;
            assert_eq!(run.progress(), (7 * steps, 300));
        }
        assert_eq!(run.progress(), (300, 300));
        assert_eq!(run.report(), exp.run().unwrap());
    }

    #[test]
    fn invalid_experiments_are_rejected() {
        let mut exp = AccuracyExperiment::standard(0, 1_000, 1);
        assert!(exp.run().is_err());
        exp.sources = 10;
        exp.abusive_permille = 2_000;
        assert!(exp.run().is_err());
    }
}
