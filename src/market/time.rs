//! Simulated time: nanoseconds since midnight of the first simulated day, and the trading
//! calendar that says what happens when.

/// Simulated time in nanoseconds. Day `d` (0-based) starts at `d × DAY`.
pub type Nanos = u64;

pub const SECOND: Nanos = 1_000_000_000;
pub const MINUTE: Nanos = 60 * SECOND;
pub const DAY: Nanos = 86_400 * SECOND;

/// Seconds after midnight of "HH:MM" (or "HH:MM:SS").
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let mut it = s.trim().split(':');
    let h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let sec: u32 = match it.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    if it.next().is_some() || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// The daily schedule, in nanoseconds after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calendar {
    pub preopen: Nanos,
    pub open: Nanos,
    pub close_auction: Nanos,
    pub close: Nanos,
    pub bar: Nanos,
    pub days: u32,
}

impl Calendar {
    pub fn day_start(&self, day: u32) -> Nanos {
        day as Nanos * DAY
    }
    pub fn day_of(&self, t: Nanos) -> u32 {
        (t / DAY) as u32
    }
    pub fn time_of_day(&self, t: Nanos) -> Nanos {
        t % DAY
    }
    /// Length of the continuous session plus the closing auction.
    pub fn session(&self) -> Nanos {
        self.close - self.open
    }
    /// Bars per day from the open to the close.
    pub fn bars_per_day(&self) -> u32 {
        (self.session().div_ceil(self.bar)) as u32
    }
    /// Position in the session in [0, 1] (clamped).
    pub fn session_fraction(&self, t: Nanos) -> f64 {
        self.session_fraction_at(self.time_of_day(t))
    }

    /// `session_fraction` from the time of day, for callers that already have it.
    pub fn session_fraction_at(&self, tod: Nanos) -> f64 {
        if tod <= self.open {
            0.0
        } else if tod >= self.close {
            1.0
        } else {
            (tod - self.open) as f64 / self.session() as f64
        }
    }
}
