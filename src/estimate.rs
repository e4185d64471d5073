//! What a run or a sweep will cost, from the scenario alone, before anything starts: events,
//! wall time, memory and disk. The figures are rough (within a factor of about two for the
//! shipped experiments); they exist so that a scenario asking for hours, or for more memory or
//! disk than a machine has, is noticed before it starts, and refused above [`Limits`] unless
//! the user confirms (`--yes`).

use crate::market::time::parse_hhmm;
use crate::scenario::{Scenario, ValueLimit};

/// Events a release build processes per second on one core, writing its records (the
/// baseline's 3.65 M events/s in BENCHMARKS.md, rounded down).
pub const EVENTS_PER_SECOND: f64 = 3.0e6;
/// Bytes a run folder takes per event, with trades and Parquet (the baseline sweep's 1.3 GB
/// of run folders for 48 × 4.5 M events is about 6).
const DISK_PER_EVENT: f64 = 7.0;
/// A run's memory besides its agents: the books, market data, record buffers.
const MEMORY_BASE: f64 = 32e6;
const MEMORY_PER_INSTRUMENT: f64 = 4e6;
/// An agent, its random stream, open orders and queued events.
const MEMORY_PER_AGENT: f64 = 8e3;
/// A mechanical-flow or real-money agent's events per day (wake-ups every minute or so, a few
/// orders each).
const FLOW_AGENT_EVENTS_PER_DAY: f64 = 1000.0;

/// The cost of some runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    pub runs: u64,
    /// Simulation events over all runs.
    pub events: f64,
    /// Seconds of one core over all runs.
    pub cpu_seconds: f64,
    /// Seconds of wall time on the given threads.
    pub wall_seconds: f64,
    /// Peak resident memory: one run's, times the runs in flight at once.
    pub memory_bytes: f64,
    /// Bytes written, all runs together.
    pub disk_bytes: f64,
}

/// Above these an estimate is refused unless the user confirms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub wall_seconds: f64,
    pub memory_bytes: f64,
    pub disk_bytes: f64,
}

impl Default for Limits {
    /// One hour of wall time, 16 GB of memory, 100 GB of disk.
    fn default() -> Self {
        Limits {
            wall_seconds: 3600.0,
            memory_bytes: 16e9,
            disk_bytes: 100e9,
        }
    }
}

/// Events of one simulated day of `s`.
pub fn events_per_day(s: &Scenario) -> f64 {
    let c = &s.calendar;
    let (open, close) = (
        parse_hhmm(&c.open).unwrap_or(34_200),
        parse_hhmm(&c.close).unwrap_or(57_600),
    );
    let session = f64::from(close.saturating_sub(open)).max(1.0);
    let n = s.instruments.len() as f64;
    let a = &s.agents;
    let mut per_day = session / f64::from(c.bar_seconds.max(1))
        + session / f64::from(s.market.fundamental_step_seconds.max(1))
        + 10.0;
    if let Some(m) = &a.market_maker {
        // Each requote: the wake-up, a cancel of the old quotes and a new order per layer and side.
        let wakes = session / m.requote_seconds.max(1e-3);
        per_day += f64::from(m.count) * n * wakes * (2.0 + 2.0 * f64::from(m.layers));
    }
    if let Some(z) = &a.noise {
        // The wake-up, the order's arrival and its cancel, more often when activity feeds back.
        per_day += f64::from(z.count) * n * z.orders_per_day * (1.0 + z.activity_feedback) * 3.0;
    }
    if let Some(v) = &a.value {
        let ladder = 2.0 * f64::from(v.ladder_levels);
        let orders = match v.limit {
            ValueLimit::Edge => 2.0,
            ValueLimit::Schedule => ladder,
            // A cancel and an order per displayed tick on each side (every tick within the
            // reveal window), and the crossing ones.
            ValueLimit::Latent => 2.0 * (2.0 * f64::from(v.latent.reveal_ticks) + 2.0),
        };
        let close = match v.limit {
            ValueLimit::Latent => 2.0 * f64::from(v.latent.close_reveal_ticks),
            _ if v.close_speed > 0.0 => ladder,
            _ => 0.0,
        };
        per_day += f64::from(v.count) * n * (v.decisions_per_day * (1.0 + orders) + close);
    }
    per_day + flow_agents(s) * FLOW_AGENT_EVENTS_PER_DAY
}

/// Agents of one run.
pub fn agents(s: &Scenario) -> f64 {
    s.agents_total() as f64
}

fn flow_agents(s: &Scenario) -> f64 {
    s.flow_agents_total() as f64
}

/// One run of `s`.
pub fn run(s: &Scenario) -> Estimate {
    let events = events_per_day(s) * f64::from(s.days);
    let cpu = events / EVENTS_PER_SECOND;
    let per_event = if s.record.trades {
        DISK_PER_EVENT
    } else {
        DISK_PER_EVENT / 2.0
    };
    let disk = match s.record.tables {
        crate::record::Tables::All => events * per_event + 2e6,
        crate::record::Tables::Sweep => sweep_tables_bytes(s),
    };
    Estimate {
        runs: 1,
        events,
        cpu_seconds: cpu,
        wall_seconds: cpu,
        memory_bytes: MEMORY_BASE
            + MEMORY_PER_INSTRUMENT * s.instruments.len() as f64
            + MEMORY_PER_AGENT * agents(s),
        disk_bytes: disk,
    }
}

/// Bytes of a run that writes only the sweep tables: a bar row (about 190 bytes of CSV with its
/// time stamp) and a few flow rows (about 150 bytes each) per instrument and bar, half as much
/// again in Parquet when it is on, and the small files.
fn sweep_tables_bytes(s: &Scenario) -> f64 {
    let c = crate::scenario::build::calendar(&s.calendar, s.days);
    let rows = f64::from(c.bars_per_day()) * f64::from(s.days) * s.instruments.len() as f64;
    let flow_rows = 2.0 + 0.5 * flow_agents(s).min(8.0);
    let csv = rows * (190.0 + 150.0 * flow_rows);
    let parquet = if s.record.parquet { 0.5 } else { 0.0 };
    csv * (1.0 + parquet) + 50e3
}

/// The same runs writing only the sweep tables (`tables = "sweep"`).
pub fn runs_sweep_tables<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    seeds: u64,
    threads: usize,
) -> Estimate {
    let lean: Vec<Scenario> = scenarios
        .into_iter()
        .map(|s| {
            let mut s = s.clone();
            s.record.tables = crate::record::Tables::Sweep;
            s
        })
        .collect();
    runs(&lean, seeds, threads)
}

/// Runs of several scenarios, each `seeds` times, on `threads` worker threads.
pub fn runs<'a>(
    scenarios: impl IntoIterator<Item = &'a Scenario>,
    seeds: u64,
    threads: usize,
) -> Estimate {
    let mut total = Estimate::default();
    let mut largest: f64 = 0.0;
    for s in scenarios {
        let one = run(s);
        let k = seeds as f64;
        total.runs += seeds;
        total.events += one.events * k;
        total.cpu_seconds += one.cpu_seconds * k;
        total.disk_bytes += one.disk_bytes * k;
        largest = largest.max(one.memory_bytes);
    }
    let threads = (threads.max(1) as u64).min(total.runs.max(1)) as f64;
    total.wall_seconds = total.cpu_seconds / threads;
    total.memory_bytes = largest * threads;
    total
}

impl Estimate {
    /// A share of these runs (a shard's), memory unchanged.
    pub fn scaled(self, share: f64) -> Estimate {
        Estimate {
            runs: (self.runs as f64 * share).ceil() as u64,
            events: self.events * share,
            cpu_seconds: self.cpu_seconds * share,
            wall_seconds: self.wall_seconds * share,
            memory_bytes: self.memory_bytes,
            disk_bytes: self.disk_bytes * share,
        }
    }

    /// Refuses work estimated above the default [`Limits`] unless `yes`: the message names
    /// `what`, the estimate and what is over, and how to go ahead anyway: `flag`, the command
    /// line's `--yes` or the Python package's `yes=True`.
    pub fn refusal(&self, what: &str, yes: bool, flag: &str) -> Result<(), String> {
        let over = self.excess(&Limits::default());
        if over.is_empty() || yes {
            return Ok(());
        }
        Err(format!(
            "{what} is estimated at {self}: above the limits ({}); pass {flag} to start it \
             anyway, or make it smaller (days, agents, points or seeds)",
            over.join("; ")
        ))
    }

    /// What is above `limits`, in words; empty when nothing is.
    pub fn excess(&self, limits: &Limits) -> Vec<String> {
        let mut over = Vec::new();
        if self.wall_seconds > limits.wall_seconds {
            over.push(format!(
                "{} of wall time (limit {})",
                duration(self.wall_seconds),
                duration(limits.wall_seconds)
            ));
        }
        if self.memory_bytes > limits.memory_bytes {
            over.push(format!(
                "{} of memory (limit {})",
                bytes(self.memory_bytes),
                bytes(limits.memory_bytes)
            ));
        }
        if self.disk_bytes > limits.disk_bytes {
            over.push(format!(
                "{} of disk (limit {})",
                bytes(self.disk_bytes),
                bytes(limits.disk_bytes)
            ));
        }
        over
    }
}

impl std::fmt::Display for Estimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.runs != 1 {
            write!(f, "{} runs, ", self.runs)?;
        }
        write!(
            f,
            "about {} events, {} wall, {} memory",
            count(self.events),
            duration(self.wall_seconds),
            bytes(self.memory_bytes),
        )?;
        if self.disk_bytes > 0.0 {
            write!(f, ", {} disk", bytes(self.disk_bytes))?;
        }
        Ok(())
    }
}

fn count(x: f64) -> String {
    match x {
        x if x >= 1e12 => format!("{:.1e}", x),
        x if x >= 1e9 => format!("{:.1} G", x / 1e9),
        x if x >= 1e6 => format!("{:.1} M", x / 1e6),
        x if x >= 1e3 => format!("{:.0} k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

/// `90 s`, `12 min`, `3.5 h`, `4.2 days`.
pub fn duration(s: f64) -> String {
    match s {
        s if s >= 2.0 * 86_400.0 => format!("{:.1} days", s / 86_400.0),
        s if s >= 2.0 * 3600.0 => format!("{:.1} h", s / 3600.0),
        s if s >= 120.0 => format!("{:.0} min", s / 60.0),
        s if s >= 1.0 => format!("{s:.0} s"),
        _ => "under 1 s".into(),
    }
}

/// `40 MB`, `1.3 GB`, `2.1 TB`.
pub fn bytes(b: f64) -> String {
    match b {
        b if b >= 1e12 => format!("{:.1} TB", b / 1e12),
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        _ => format!("{:.0} MB", (b / 1e6).max(1.0)),
    }
}
