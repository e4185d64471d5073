//! One seed of an episode: the fundamental path under which the whole population tracks the
//! real closes, then the same path without each mechanical class.
//!
//! The inversion is a fixed-point iteration on the path: each day's fundamental close moves by
//! that day's miss, in logs, from the first day that misses on. A run is deterministic in its
//! fundamental path and seed, and a day's bridge only moves that day's fundamental, so the days
//! before the first miss replay bit for bit and stay tracked. What no iteration can remove is
//! the part of a close the book decides on the day: changing a day's path redraws it for that
//! day and every later one, so the frontier of tracked days moves forward one redraw at a time.
//! The best iteration is kept, whether or not it met the tolerance, and its misses reported.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::agents::AgentClass;
use crate::analysis::path::PricePath;
use crate::record::MemorySink;
use crate::scenario::{Scenario, ablate, build};

use super::{EpisodeError, Spec};

/// Updates that move the whole path (from the first miss on) before the frontier phase: two
/// bring the misses down to the book's draw on the day in the runs measured (1.2%, 0.4%, 0.14%).
pub const WHOLE_PATH_UPDATES: usize = 2;

/// After the whole-path updates, a later day is still moved when it misses by more than this
/// many tolerances.
pub const LARGE_MISS: f64 = 3.0;

/// How close one iteration came: the largest and mean absolute log miss of any instrument's
/// close over the episode's days.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Iteration {
    pub max_miss: f64,
    pub mean_miss: f64,
    /// The first day (from 1) that missed by more than the tolerance, 0 for none.
    pub first_miss_day: usize,
    /// Where the largest miss was: its day (from 1) and instrument.
    pub worst_day: usize,
    pub worst_instrument: usize,
}

/// Daily closes of each instrument, day 1 first.
pub type Closes = Vec<Vec<f64>>;

/// A run's closes and the classes' daily net flow (dollars, summed over instruments).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub closes: Closes,
    /// `(class, net dollars per day)` of every class that traded, in class order.
    pub flows: Vec<(String, Vec<f64>)>,
}

/// Everything one seed contributes to the episode's tables and charts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SeedResult {
    pub seed: u64,
    /// Identifies the episode's scenario and settings; a folder from another is refused.
    pub key: String,
    pub iterations: Vec<Iteration>,
    /// Index of the iteration kept.
    pub best: usize,
    /// The inferred fundamental closes of each instrument (the kept iteration's path).
    pub fundamental: Closes,
    /// The whole population on that path.
    pub full: Outcome,
    /// `(label, closes)` on the same path without each removed class, then without all of them
    /// (label `mechanical`).
    pub without: Vec<(String, Closes)>,
}

impl SeedResult {
    pub fn tracked(&self, tolerance: f64) -> bool {
        self.iterations[self.best].max_miss <= tolerance
    }

    pub fn without(&self, label: &str) -> Option<&Closes> {
        self.without
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, c)| c)
    }
}

/// `s` with each instrument's fundamental closes set to `path`.
fn on_path(s: &Scenario, path: &Closes) -> Scenario {
    let mut s = s.clone();
    for (ins, p) in s.instruments.iter_mut().zip(path) {
        ins.fundamental_closes = p.clone();
    }
    s
}

/// Runs `s` with `seed` in memory and returns its daily closes and class flows.
pub fn run_closes(s: &Scenario, base: &Path, seed: u64) -> Result<Outcome, EpisodeError> {
    let mut sim = build::build_with(s, base, seed, false).map_err(EpisodeError::Build)?;
    let mut sink = MemorySink::default();
    sim.run(&mut sink, &mut |_, _| {})
        .map_err(|source| EpisodeError::Sim { seed, source })?;
    let closes: Closes = (0..s.instruments.len())
        .map(|i| PricePath::new(&sink.bars, i as u16).daily_closes())
        .collect();
    let days = s.days as usize;
    if closes.iter().any(|c| c.len() != days) {
        return Err(EpisodeError::ShortRun { seed });
    }
    let mut flows: Vec<(AgentClass, Vec<f64>)> = Vec::new();
    for f in &sink.flows {
        let k = match flows.iter().position(|(c, _)| *c == f.class) {
            Some(k) => k,
            None => {
                flows.push((f.class, vec![0.0; days]));
                flows.len() - 1
            }
        };
        // Records number days from 1.
        if let Some(v) = flows[k].1.get_mut((f.day as usize).wrapping_sub(1)) {
            *v += f.net_usd;
        }
    }
    flows.sort_by_key(|(c, _)| *c);
    Ok(Outcome {
        closes,
        flows: flows
            .into_iter()
            .map(|(c, v)| (c.as_str().to_string(), v))
            .collect(),
    })
}

/// The log misses of `closes` against the real ones.
fn misses(real: &Closes, closes: &Closes) -> Vec<Vec<f64>> {
    real.iter()
        .zip(closes)
        .map(|(r, c)| r.iter().zip(c).map(|(r, c)| r.ln() - c.ln()).collect())
        .collect()
}

/// Inverts the fundamental for `seed`, then reruns its path without each removed class.
pub fn seed(spec: &Spec, seed: u64) -> Result<SeedResult, EpisodeError> {
    let base = spec.loaded.base_dir();
    let scenario = &spec.loaded.scenario;
    let mut path = spec.real.clone();
    let mut iterations = Vec::new();
    let mut best: Option<(usize, Closes, Outcome)> = None;
    for k in 0..spec.max_iterations {
        let outcome = run_closes(&on_path(scenario, &path), base, seed)?;
        let miss = misses(&spec.real, &outcome.closes);
        let first =
            (0..spec.dates.len()).find(|&d| miss.iter().any(|m| m[d].abs() > spec.tolerance));
        let mut it = Iteration {
            max_miss: 0.0,
            mean_miss: 0.0,
            first_miss_day: first.map_or(0, |d| d + 1),
            worst_day: 0,
            worst_instrument: 0,
        };
        let mut count = 0;
        for (i, m) in miss.iter().enumerate() {
            for (d, e) in m.iter().enumerate() {
                it.mean_miss += e.abs();
                count += 1;
                if e.abs() > it.max_miss {
                    (it.max_miss, it.worst_day, it.worst_instrument) = (e.abs(), d + 1, i);
                }
            }
        }
        it.mean_miss /= count.max(1) as f64;
        iterations.push(it);
        if best
            .as_ref()
            .is_none_or(|(b, _, _)| it.max_miss < iterations[*b].max_miss)
        {
            best = Some((k, path.clone(), outcome));
        }
        if it.max_miss <= spec.tolerance {
            break;
        }
        // The first iterations move every day by its miss: that removes the market's
        // systematic answer to the path (the agents' flows), which later days inherit. After
        // them a day's miss is mostly the book's draw on the day, and moving a day by a stale
        // draw only adds a new draw to the old one; so from then on each instrument moves its
        // first day that misses, and later days only where they miss by more than
        // `LARGE_MISS` tolerances (a response to the path, not a draw). The days before an
        // instrument's first miss keep their path, replay bit for bit and stay tracked: the
        // frontier only moves forward.
        for (p, m) in path.iter_mut().zip(&miss) {
            let Some(first) = m.iter().position(|e| e.abs() > spec.tolerance) else {
                continue;
            };
            for (d, (v, e)) in p.iter_mut().zip(m).enumerate().skip(first) {
                if k < WHOLE_PATH_UPDATES || d == first || e.abs() > LARGE_MISS * spec.tolerance {
                    *v *= e.exp();
                }
            }
        }
    }
    let (best, fundamental, full) = best.ok_or(EpisodeError::NoIterations)?;
    let on = on_path(scenario, &fundamental);
    let mut without = Vec::new();
    for set in spec.removals() {
        let counter = ablate::without(&on, &set.classes);
        without.push((set.label, run_closes(&counter, base, seed)?.closes));
    }
    Ok(SeedResult {
        seed,
        key: spec.key.clone(),
        iterations,
        best,
        fundamental,
        full,
        without,
    })
}
