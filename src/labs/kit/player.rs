//! The player: play / pause / single step / speed for a lab whose engine advances in time. While
//! playing, each animation frame calls the lab's `tick` with the time since the last frame; the
//! lab applies the work due at the chosen speed (see [`Pacer`]) and says how much it did, which the
//! player turns into a throughput figure (see [`Meter`]).
//!
//! Exactly one loop runs at a time: every start takes a new generation number and a frame whose
//! generation is no longer current ends its loop, so pausing and playing again inside one frame
//! cannot leave two loops running. A loop also ends when the page goes away (its signals are
//! disposed) — nothing keeps calling into an unmounted lab.

use leptos::prelude::*;

/// Throughput is re-measured over windows of this many milliseconds.
pub const METER_WINDOW_MS: f64 = 500.0;
/// Longest frame gap counted as running time; a backgrounded tab does not come back owing
/// seconds of work.
pub const MAX_FRAME_GAP_MS: f64 = 100.0;

/// Which loop may run: a start hands out a new generation, a stop retires it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Runs {
    current: u64,
    running: bool,
}

impl Runs {
    /// Starts a new loop unless one runs; returns its generation.
    pub fn start(&mut self) -> Option<u64> {
        if self.running {
            return None;
        }
        self.current = self.current.wrapping_add(1);
        self.running = true;
        Some(self.current)
    }

    /// Stops the running loop (its next frame will see it).
    pub fn stop(&mut self) {
        self.running = false;
        self.current = self.current.wrapping_add(1);
    }

    /// Whether the loop of `generation` is the one that may run.
    pub fn alive(&self, generation: u64) -> bool {
        self.running && self.current == generation
    }
}

/// Turns a speed (units per second) and elapsed time into whole units to apply now, carrying
/// fractions to the next frame and capping one frame's work at `max_per_frame`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacer {
    carry: f64,
    max_per_frame: u64,
}

impl Pacer {
    pub fn new(max_per_frame: u64) -> Self {
        Pacer {
            carry: 0.0,
            max_per_frame,
        }
    }

    /// The part of a unit carried to the next frame (0 ≤ f < 1): how far the next unit has
    /// come, for a lab that animates between units.
    pub fn fraction(&self) -> f64 {
        self.carry
    }

    /// Units due after `dt_ms` at `per_second`. Work beyond the cap is dropped, not owed.
    pub fn due(&mut self, per_second: u32, dt_ms: f64) -> u64 {
        self.carry += f64::from(per_second) * dt_ms.clamp(0.0, MAX_FRAME_GAP_MS) / 1000.0;
        let n = (self.carry.floor() as u64).min(self.max_per_frame);
        self.carry = if n == self.max_per_frame {
            0.0
        } else {
            self.carry - n as f64
        };
        n
    }
}

/// Units per second over windows of [`METER_WINDOW_MS`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meter {
    window_start_ms: f64,
    units: u64,
}

impl Meter {
    pub fn new(now_ms: f64) -> Self {
        Meter {
            window_start_ms: now_ms,
            units: 0,
        }
    }

    /// Counts `units` done by `now_ms`; returns the rate when a window closes.
    pub fn add(&mut self, now_ms: f64, units: u64) -> Option<f64> {
        self.units += units;
        let span = now_ms - self.window_start_ms;
        if span < METER_WINDOW_MS {
            return None;
        }
        let rate = self.units as f64 * 1000.0 / span;
        *self = Meter::new(now_ms);
        Some(rate)
    }
}

/// One animation frame of a playing lab.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub now_ms: f64,
    pub dt_ms: f64,
}

/// The player's state. `Copy`; views take it by value.
#[derive(Clone, Copy)]
pub struct Player {
    pub playing: RwSignal<bool>,
    /// Units per second (the lab says what a unit is).
    pub speed: RwSignal<u32>,
    /// Measured units per second while playing; `None` until the first window closes.
    pub throughput: RwSignal<Option<f64>>,
    runs: StoredValue<Runs>,
}

/// `performance.now()`, or 0 where there is none.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Player {
    pub fn new(speed: u32) -> Self {
        Player {
            playing: RwSignal::new(false),
            speed: RwSignal::new(speed),
            throughput: RwSignal::new(None),
            runs: StoredValue::new(Runs::default()),
        }
    }

    /// Starts the loop: `tick` runs once per animation frame and returns the units it applied;
    /// `stopped` runs once when the loop ends by a pause (not when the page has gone away).
    /// Does nothing while already playing.
    pub fn play(self, tick: impl FnMut(Frame) -> u64 + 'static, stopped: impl FnOnce() + 'static) {
        let Some(generation) = self.runs.try_update_value(|r| r.start()).flatten() else {
            return;
        };
        self.throughput.set(None);
        self.playing.set(true);
        let start = now_ms();
        self.schedule(
            generation,
            Box::new(tick),
            Box::new(stopped),
            start,
            Meter::new(start),
        );
    }

    /// Stops the loop; its next frame ends it.
    pub fn pause(self) {
        self.runs.try_update_value(Runs::stop);
        self.playing.try_set(false);
    }

    pub fn is_playing(self) -> bool {
        self.playing.try_get_untracked().unwrap_or(false)
    }

    fn schedule(
        self,
        generation: u64,
        mut tick: Box<dyn FnMut(Frame) -> u64>,
        stopped: Box<dyn FnOnce()>,
        last_ms: f64,
        mut meter: Meter,
    ) {
        request_animation_frame(move || {
            match self.runs.try_with_value(|r| r.alive(generation)) {
                // The page is gone: end without touching anything.
                None => return,
                Some(false) => return stopped(),
                Some(true) => {}
            }
            let now = now_ms();
            let units = tick(Frame {
                now_ms: now,
                dt_ms: now - last_ms,
            });
            if let Some(rate) = meter.add(now, units) {
                self.throughput.try_set(Some(rate));
            }
            self.schedule(generation, tick, stopped, now, meter);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_start_while_running_is_refused() {
        let mut runs = Runs::default();
        let first = runs.start().unwrap();
        assert_eq!(runs.start(), None);
        assert!(runs.alive(first));
    }

    #[test]
    fn pause_then_play_inside_one_frame_leaves_one_loop() {
        let mut runs = Runs::default();
        let old = runs.start().unwrap();
        runs.stop();
        let new = runs.start().unwrap();
        // The old loop's next frame sees it is retired; only the new one goes on.
        assert!(!runs.alive(old));
        assert!(runs.alive(new));
    }

    #[test]
    fn the_pacer_carries_fractions_and_caps_a_frame() {
        let mut p = Pacer::new(1_000);
        // 10 per second for 25 ms is a quarter of a unit: nothing yet, but it adds up.
        assert_eq!(p.due(10, 25.0), 0);
        let n: u64 = (0..99).map(|_| p.due(10, 25.0)).sum();
        assert_eq!(n, 25);
        let mut p = Pacer::new(1_000);
        assert_eq!(p.due(1_000_000, 50.0), 1_000);
        // The excess is dropped, not owed to the next frame.
        assert_eq!(p.due(1_000, 1.0), 1);
        // A long gap counts as MAX_FRAME_GAP_MS.
        assert_eq!(Pacer::new(u64::MAX).due(1_000, 10_000.0), 100);
    }

    #[test]
    fn the_meter_reports_once_per_window() {
        let mut m = Meter::new(0.0);
        assert_eq!(m.add(100.0, 50), None);
        assert_eq!(m.add(500.0, 50), Some(200.0));
        assert_eq!(m.add(600.0, 10), None);
    }
}
