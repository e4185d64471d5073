//! The episode's numbers: the real drawdown, the tracked one, each class's share of it with an
//! interval across seeds, and the tables and summary written from them.
//!
//! A class's contribution is the drawdown with every agent less the drawdown on the same
//! fundamental path without that class, measured between the real path's peak and trough
//! days. Its share divides by the real drawdown. Everything here is a function of the seeds'
//! results, so the tables can be rewritten from `seeds/` without running anything.

use std::fmt::Write as _;

use crate::analysis::facts_compare::{Spread, across_seeds};
use crate::analysis::path::max_drawdown;

use super::{ALL_REMOVED, SeedResult, Spec};

/// The real path's largest fall inside the episode, as indices into a path that starts with
/// the last pre-history close (index 0) and then has one close per simulated day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub peak: usize,
    pub trough: usize,
    pub depth: f64,
}

/// `closes` with the starting close in front.
pub fn from_start(start: f64, closes: &[f64]) -> Vec<f64> {
    std::iter::once(start)
        .chain(closes.iter().copied())
        .collect()
}

pub fn window(spec: &Spec, instrument: usize) -> Window {
    let d = max_drawdown(&from_start(spec.start[instrument], &spec.real[instrument]));
    Window {
        peak: d.peak_index,
        trough: d.trough_index,
        depth: d.depth,
    }
}

/// The fall of `closes` over the window's days.
pub fn fall(start: f64, closes: &[f64], w: Window) -> f64 {
    let p = from_start(start, closes);
    1.0 - p[w.trough] / p[w.peak]
}

/// One line of the decomposition of one instrument.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub instrument: String,
    /// What the line measures (`drawdown`, `effect`, `share`, `interaction`, `net_flow_usd_bn`).
    pub measure: &'static str,
    /// The run or class it is about (`real`, `all agents`, a class, `mechanical`).
    pub of: String,
    pub spread: Spread,
}

fn exact(v: f64) -> Spread {
    Spread {
        median: v,
        lo: v,
        hi: v,
        interval: crate::analysis::facts_compare::Interval::MinMax,
        count: 1,
    }
}

/// The decomposition lines of every instrument.
pub fn lines(spec: &Spec, results: &[SeedResult]) -> Vec<Line> {
    let mut out = Vec::new();
    let removals = spec.removals();
    for (i, sym) in spec.symbols().iter().enumerate() {
        let w = window(spec, i);
        let start = spec.start[i];
        let line = |measure, of: &str, spread| Line {
            instrument: sym.clone(),
            measure,
            of: of.to_string(),
            spread,
        };
        out.push(line("drawdown", "real", exact(w.depth)));
        let full: Vec<f64> = results
            .iter()
            .map(|r| fall(start, &r.full.closes[i], w))
            .collect();
        out.push(line("drawdown", "all agents", across_seeds(&full)));
        let effect_of = |label: &str| -> Vec<f64> {
            results
                .iter()
                .zip(&full)
                .map(|(r, f)| {
                    r.without(label)
                        .map_or(f64::NAN, |c| f - fall(start, &c[i], w))
                })
                .collect()
        };
        for rm in &removals {
            let without: Vec<f64> = results
                .iter()
                .map(|r| {
                    r.without(&rm.label)
                        .map_or(f64::NAN, |c| fall(start, &c[i], w))
                })
                .collect();
            out.push(line(
                "drawdown",
                &format!("without {}", rm.label),
                across_seeds(&without),
            ));
        }
        for rm in &removals {
            let e = effect_of(&rm.label);
            out.push(line("effect", &rm.label, across_seeds(&e)));
            let share: Vec<f64> = e.iter().map(|v| v / w.depth).collect();
            out.push(line("share", &rm.label, across_seeds(&share)));
        }
        if removals.len() > 1 {
            let all = effect_of(ALL_REMOVED);
            let singles: Vec<Vec<f64>> =
                spec.classes.iter().map(|c| effect_of(c.as_str())).collect();
            let interaction: Vec<f64> = (0..results.len())
                .map(|k| all[k] - singles.iter().map(|s| s[k]).sum::<f64>())
                .collect();
            out.push(line("interaction", ALL_REMOVED, across_seeds(&interaction)));
        }
    }
    // The classes' net flow between the peak and the trough of the first instrument's real
    // path (summed over instruments), in $bn.
    let w = window(spec, 0);
    let sym = spec.symbols().first().cloned().unwrap_or_default();
    let mut classes: Vec<&str> = Vec::new();
    for r in results {
        for (c, _) in &r.full.flows {
            if !classes.contains(&c.as_str()) {
                classes.push(c);
            }
        }
    }
    for c in classes {
        let v: Vec<f64> = results
            .iter()
            .map(|r| {
                r.full
                    .flows
                    .iter()
                    .find(|(x, _)| x == c)
                    .map_or(0.0, |(_, f)| {
                        // Window indices count the start as 0, so day k is flows[k - 1].
                        f[w.peak..w.trough].iter().sum::<f64>() / 1e9
                    })
            })
            .collect();
        out.push(Line {
            instrument: sym.clone(),
            measure: "net_flow_usd_bn",
            of: c.to_string(),
            spread: across_seeds(&v),
        });
    }
    out
}

/// `decomposition.csv`: one row per line.
pub fn decomposition_csv(lines: &[Line]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["instrument", "measure", "of", "median", "lo", "hi", "seeds"])?;
    for l in lines {
        w.write_record([
            l.instrument.as_str(),
            l.measure,
            l.of.as_str(),
            &num(l.spread.median),
            &num(l.spread.lo),
            &num(l.spread.hi),
            &l.spread.count.to_string(),
        ])?;
    }
    text_of(w)
}

/// The text an in-memory CSV writer holds.
fn text_of(w: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    String::from_utf8(w.into_inner().map_err(|e| e.into_error())?)
        .map_err(|e| csv::Error::from(std::io::Error::other(e)))
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.6}")
    } else {
        String::new()
    }
}

/// Every digit of `v` (the shortest text that reads back as the same number), so a path read
/// from `paths.csv` replays exactly.
fn exact_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// `paths.csv`: each seed's daily path of every series, day 0 being the start, every digit.
pub fn paths_csv(spec: &Spec, results: &[SeedResult]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let removals = spec.removals();
    let mut header = vec![
        "seed".to_string(),
        "day".into(),
        "date".into(),
        "instrument".into(),
        "real".into(),
        "fundamental".into(),
        "all_agents".into(),
    ];
    header.extend(removals.iter().map(|r| format!("without_{}", r.label)));
    w.write_record(&header)?;
    let symbols = spec.symbols();
    for r in results {
        for (i, sym) in symbols.iter().enumerate() {
            for d in 0..=spec.dates.len() {
                let at = |v: &[f64]| if d == 0 { spec.start[i] } else { v[d - 1] };
                let date = if d == 0 {
                    spec.start_date
                } else {
                    spec.dates[d - 1]
                };
                let mut row = vec![
                    r.seed.to_string(),
                    d.to_string(),
                    date.to_string(),
                    sym.clone(),
                    exact_num(at(&spec.real[i])),
                    exact_num(at(&r.fundamental[i])),
                    exact_num(at(&r.full.closes[i])),
                ];
                for rm in &removals {
                    row.push(
                        r.without(&rm.label)
                            .map_or(String::new(), |c| exact_num(at(&c[i]))),
                    );
                }
                w.write_record(&row)?;
            }
        }
    }
    text_of(w)
}

/// `tracking.csv`: every iteration of every seed, and which one was kept.
pub fn tracking_csv(symbols: &[String], results: &[SeedResult]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "seed",
        "iteration",
        "max_miss",
        "mean_miss",
        "first_miss_day",
        "worst_day",
        "worst_instrument",
        "kept",
    ])?;
    for r in results {
        for (k, it) in r.iterations.iter().enumerate() {
            w.write_record([
                r.seed.to_string(),
                (k + 1).to_string(),
                num(it.max_miss),
                num(it.mean_miss),
                it.first_miss_day.to_string(),
                it.worst_day.to_string(),
                symbols
                    .get(it.worst_instrument)
                    .cloned()
                    .unwrap_or_default(),
                (k == r.best).to_string(),
            ])?;
        }
    }
    text_of(w)
}

fn pct(s: &Spread) -> String {
    format!(
        "{:.2}% [{:.2}, {:.2}]",
        100.0 * s.median,
        100.0 * s.lo,
        100.0 * s.hi
    )
}

fn pts(s: &Spread) -> String {
    format!(
        "{:+.2} pt [{:+.2}, {:+.2}]",
        100.0 * s.median,
        100.0 * s.lo,
        100.0 * s.hi
    )
}

/// `EPISODE.md`: what was run, how well it tracked, and the decomposition.
pub fn episode_md(spec: &Spec, results: &[SeedResult], lines: &[Line], title: &str) -> String {
    let mut md = String::new();
    let first = spec.dates.first().copied().unwrap_or(spec.start_date);
    let last = spec.dates.last().copied().unwrap_or(spec.start_date);
    let _ = writeln!(md, "# {title}: {first} to {last}\n");
    let _ = writeln!(
        md,
        "Written by `flowsim episode` from `{}`: {} seeds ({}), {} trading days from the real state of {}. \
         For each seed the fundamental value was inferred so that the market with every agent \
         closes on the real closes (at most {} iterations, tolerance {:.2}% a day); the same \
         fundamental path was then run without each mechanical class and without all of them.\n",
        spec.loaded
            .path
            .file_name()
            .map_or(String::new(), |f| f.to_string_lossy().into_owned()),
        results.len(),
        seed_list(results),
        spec.dates.len(),
        spec.start_date,
        spec.max_iterations,
        100.0 * spec.tolerance
    );
    let tracked = results.iter().filter(|r| r.tracked(spec.tolerance)).count();
    let kept: Vec<f64> = results
        .iter()
        .map(|r| r.iterations[r.best].max_miss)
        .collect();
    let mean: Vec<f64> = results
        .iter()
        .map(|r| r.iterations[r.best].mean_miss)
        .collect();
    let iters: Vec<f64> = results.iter().map(|r| r.iterations.len() as f64).collect();
    let (k, m, it) = (
        across_seeds(&kept),
        across_seeds(&mean),
        across_seeds(&iters),
    );
    let _ = writeln!(
        md,
        "**Tracking.** {tracked} of {} seeds met the tolerance. Largest daily miss of the kept \
         path: median {:.3}% (seeds' range {:.3}–{:.3}%); mean daily miss {:.3}%; iterations run: \
         median {:.0}. `tracking.csv` has every iteration.\n",
        results.len(),
        100.0 * k.median,
        100.0 * kept.iter().copied().fold(f64::INFINITY, f64::min),
        100.0 * kept.iter().copied().fold(0.0, f64::max),
        100.0 * m.median,
        it.median
    );
    for (i, sym) in spec.symbols().into_iter().enumerate() {
        let w = window(spec, i);
        let date = |k: usize| {
            if k == 0 {
                spec.start_date
            } else {
                spec.dates[k - 1]
            }
        };
        let get = |measure: &str, of: &str| {
            lines
                .iter()
                .find(|l| l.instrument == sym && l.measure == measure && l.of == of)
        };
        let _ = writeln!(
            md,
            "## {sym}: the real fall of {:.2}% from {} to {}\n",
            100.0 * w.depth,
            date(w.peak),
            date(w.trough)
        );
        let _ = writeln!(
            md,
            "Median across seeds with a 95% bootstrap interval of the median. The effect of a \
             class is the fall with every agent less the fall without it, on the same \
             fundamental path; its share divides by the real fall.\n"
        );
        let _ = writeln!(
            md,
            "| run | fall | effect of the class | share of the real fall |"
        );
        let _ = writeln!(md, "|---|---|---|---|");
        if let Some(l) = get("drawdown", "all agents") {
            let _ = writeln!(md, "| every agent (tracked) | {} | | |", pct(&l.spread));
        }
        for rm in spec.removals() {
            let (Some(d), Some(e), Some(s)) = (
                get("drawdown", &format!("without {}", rm.label)),
                get("effect", &rm.label),
                get("share", &rm.label),
            ) else {
                continue;
            };
            let name = if rm.label == ALL_REMOVED {
                format!(
                    "without {} (flow-free)",
                    rm.classes
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("without {}", rm.label)
            };
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} |",
                pct(&d.spread),
                pts(&e.spread),
                pct(&s.spread)
            );
        }
        if let Some(l) = get("interaction", ALL_REMOVED) {
            let _ = writeln!(
                md,
                "\nInteraction (all classes together less the sum of the single removals): {}.",
                pts(&l.spread)
            );
        }
        let _ = writeln!(md);
    }
    let flows: Vec<&Line> = lines
        .iter()
        .filter(|l| l.measure == "net_flow_usd_bn")
        .collect();
    if !flows.is_empty() {
        let w = window(spec, 0);
        let _ = writeln!(
            md,
            "## Who traded over the fall\n\nNet flow of each class from the day after {}'s real \
             peak to its trough, all instruments, in $bn (with every agent; median and 95% \
             interval):\n",
            flows[0].instrument
        );
        let _ = writeln!(md, "| class | net $bn |\n|---|---|");
        for l in flows {
            let _ = writeln!(
                md,
                "| {} | {:+.1} [{:+.1}, {:+.1}] |",
                l.of, l.spread.median, l.spread.lo, l.spread.hi
            );
        }
        let _ = writeln!(md, "\n(days {}–{} of the run)\n", w.peak + 1, w.trough);
    }
    let _ = writeln!(
        md,
        "The split is the model's: the inferred fundamental takes whatever the agents do not \
         explain, so a class's share says how much of the fall this population, at these sizes, \
         attributes to it on a market calibrated as this one is. `paths.csv` has every seed's \
         paths, `decomposition.csv` these numbers, `episode.png` the chart."
    );
    md
}

fn seed_list(results: &[SeedResult]) -> String {
    match (results.first(), results.last()) {
        (Some(a), Some(b)) if results.len() as u64 == b.seed - a.seed + 1 => {
            format!("seeds {}–{}", a.seed, b.seed)
        }
        _ => results
            .iter()
            .map(|r| r.seed.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}
