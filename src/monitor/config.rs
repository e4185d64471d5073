//! `monitor.toml`: the sizes and parameters of the mechanical classes the monitor runs on a
//! real path. Each table is the scenario's own (same fields, same defaults, same validation),
//! so a monitor and a simulation with the same settings run the same funds.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::scenario::{CtaCfg, LetfCfg, PensionCfg, ScenarioError, VolTargetCfg};

/// The monitor's settings; every field has a default, so an empty file (or none) is valid.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MonitorConfig {
    /// Days of history the exposure percentile ranks against (0 = all available).
    pub percentile_lookback_days: u32,
    pub vol_target: VolTargetCfg,
    /// Run on every history given; `capital_usd` is the class's total, split equally between
    /// the indices that `cta_capital_usd` does not name.
    pub cta: CtaCfg,
    /// CTA capital per index symbol, dollars (overrides `cta.capital_usd`).
    pub cta_capital_usd: BTreeMap<String, f64>,
    pub letf: LetfCfg,
    /// Balanced (pension) funds' month-end rebalancing; needs a bond series (`--bonds`).
    pub pension: PensionCfg,
    pub ladder: LadderCfg,
    /// Periods shaded on the charts.
    pub episodes: Vec<Episode>,
}

/// Hypothetical next-day moves of the flow ladder.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LadderCfg {
    pub from: f64,
    pub to: f64,
    pub step: f64,
    /// Days with the index flat after tomorrow whose flows are counted too (vol-target funds
    /// act on an estimate one or two days old, CTAs on the previous closes).
    pub days_after: u32,
    /// The date the ladder is drawn from (`YYYY-MM-DD`; default the last date reported).
    pub date: Option<String>,
}

impl Default for LadderCfg {
    fn default() -> Self {
        LadderCfg {
            from: -0.05,
            to: 0.05,
            step: 0.005,
            days_after: 2,
            date: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Episode {
    pub name: String,
    pub from: String,
    pub to: String,
}

/// Episodes shaded when the configuration names none: the stress periods of the shipped data.
pub fn default_episodes() -> Vec<Episode> {
    [
        ("Aug 2011", "2011-07-25", "2011-08-31"),
        ("Aug 2015", "2015-08-18", "2015-09-04"),
        ("Feb 2018", "2018-02-01", "2018-02-14"),
        ("Oct 2018", "2018-10-03", "2018-10-31"),
        ("Dec 2018", "2018-12-03", "2018-12-24"),
    ]
    .into_iter()
    .map(|(n, f, t)| Episode {
        name: n.into(),
        from: f.into(),
        to: t.into(),
    })
    .collect()
}

impl MonitorConfig {
    /// CTA capital on `symbol` when the monitor runs on `symbols`: its own figure, or an equal
    /// share of `cta.capital_usd` among the indices without one (so adding an index does not
    /// add capital to the class).
    pub fn cta_capital(&self, symbol: &str, symbols: &[String]) -> f64 {
        if let Some(c) = self.cta_capital_usd.get(symbol) {
            return *c;
        }
        let unnamed = symbols
            .iter()
            .filter(|s| !self.cta_capital_usd.contains_key(*s))
            .count()
            .max(1);
        self.cta.capital_usd / unnamed as f64
    }

    /// Reads and checks a monitor file for histories of `symbols`; problems are located like
    /// a scenario's.
    pub fn load(path: &Path, symbols: &[String]) -> Result<MonitorConfig, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text, symbols)
    }

    /// Parses monitor text; `path` only labels errors.
    pub fn parse(
        path: &Path,
        text: &str,
        symbols: &[String],
    ) -> Result<MonitorConfig, ScenarioError> {
        crate::scenario::parse_checked(path, text, |c: &MonitorConfig| c.problems(symbols))
    }

    /// What the types cannot say, as (dotted field, problem).
    pub fn problems(&self, symbols: &[String]) -> Vec<(String, String)> {
        let agents = crate::scenario::AgentsCfg {
            vol_target: Some(self.vol_target.clone()),
            cta: Some(self.cta.clone()),
            letf: Some(self.letf.clone()),
            pension: Some(self.pension.clone()),
            ..Default::default()
        };
        let mut p = crate::scenario::class_table_problems(agents, symbols);
        if self.percentile_lookback_days == 1 {
            p.push((
                "percentile_lookback_days".into(),
                "must be 0 (all) or at least 2".into(),
            ));
        }
        let l = &self.ladder;
        for (k, v) in [("from", l.from), ("to", l.to), ("step", l.step)] {
            if !v.is_finite() || v.abs() > 0.5 {
                p.push((
                    format!("ladder.{k}"),
                    "must be a finite move within ±0.5 (50%)".into(),
                ));
            }
        }
        if l.step.is_finite() && l.step <= 0.0 {
            p.push(("ladder.step".into(), "must be positive".into()));
        } else if l.from.is_finite() && l.to.is_finite() && l.step.is_finite() {
            if l.from > l.to {
                p.push(("ladder.to".into(), "must not be below ladder.from".into()));
            } else if (l.to - l.from) / l.step > 1000.0 {
                p.push(("ladder.step".into(), "gives more than 1000 moves".into()));
            }
        }
        if l.days_after > 20 {
            p.push(("ladder.days_after".into(), "must be at most 20".into()));
        }
        if let Some(d) = &l.date
            && let Err(e) = crate::history::parse_date(d)
        {
            p.push(("ladder.date".into(), e));
        }
        for (k, e) in self.episodes.iter().enumerate() {
            for (f, v) in [("from", &e.from), ("to", &e.to)] {
                if let Err(msg) = crate::history::parse_date(v) {
                    p.push((format!("episodes[{k}].{f}"), msg));
                }
            }
        }
        for (sym, v) in &self.cta_capital_usd {
            if !symbols.contains(sym) {
                p.push((
                    format!("cta_capital_usd.{sym}"),
                    format!("no history for symbol {sym:?}"),
                ));
            } else if !(v.is_finite() && *v >= 0.0 && *v <= 1e15) {
                p.push((
                    format!("cta_capital_usd.{sym}"),
                    "must be between 0 and 1e15 dollars".into(),
                ));
            }
        }
        p
    }
}
