//! `flowsim monitor`: the mechanical classes' rules run open-loop on a real index path — no
//! book, no agents trading with each other — to read off where each class stands day by day
//! (σ̂, exposure and its percentile, CTA signals and trigger levels, LETF rebalances) and what a
//! hypothetical move tomorrow would set off (the flow ladder).
//!
//! The rules are the agents' own (`crate::agents::{vol_target, cta, letf, real_money}`), so a
//! monitor day and a simulated day on the same closes give the same σ̂, targets, signals and
//! triggers (`tests/it/history.rs`).

mod charts;
pub mod classes;
pub mod config;
mod engine;
mod input;
mod output;

use chrono::NaiveDate;
use thiserror::Error;

pub use config::{Episode, LadderCfg, MonitorConfig, default_episodes};
pub use engine::{MonitorInput, Window, run};
pub use input::{
    DEFAULT_SCORE_HISTORIES, check_replaceable, read_histories, read_vix, report_header, window,
};
pub use output::write;

use crate::record::PositioningRow;

#[derive(Debug, Error)]
pub enum MonitorError {
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    #[error(transparent)]
    Config(#[from] crate::scenario::ScenarioError),
    #[error("{0}")]
    Input(String),
    #[error("{}: cannot write", .path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Record(#[from] crate::record::RecordError),
    #[error(transparent)]
    Plot(#[from] crate::plot::PlotError),
}

/// One row of the flow ladder: a class's flow on one index for a hypothetical move tomorrow.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderRow {
    /// Tomorrow's index return (−0.05 = −5%).
    pub move_pct: f64,
    pub symbol: String,
    pub class: &'static str,
    /// Traded tomorrow, and over the following `ladder.days_after` days with the index flat;
    /// dollars, positive buys.
    pub tomorrow_usd: f64,
    pub following_usd: f64,
}

impl LadderRow {
    pub fn total_usd(&self) -> f64 {
        self.tomorrow_usd + self.following_usd
    }
}

/// What the monitor found: the long table, the ladder and what it left out.
#[derive(Clone, Debug, Default)]
pub struct Positioning {
    pub rows: Vec<PositioningRow>,
    pub ladder: Vec<LadderRow>,
    pub ladder_date: Option<NaiveDate>,
    /// Classes left out and why, for the report.
    pub notes: Vec<String>,
}

impl Positioning {
    /// The (date, value) series of one symbol, class and metric.
    pub fn series(&self, symbol: &str, class: &str, metric: &str) -> Vec<(NaiveDate, f64)> {
        self.rows
            .iter()
            .filter(|r| r.symbol == symbol && r.class == class && r.metric == metric)
            .map(|r| (r.date, r.value))
            .collect()
    }

    /// The value on one date.
    pub fn value(&self, date: NaiveDate, symbol: &str, class: &str, metric: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| {
                r.date == date && r.symbol == symbol && r.class == class && r.metric == metric
            })
            .map(|r| r.value)
    }

    /// Symbols with rows, in first-seen order.
    pub fn symbols(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in &self.rows {
            if r.symbol != "VIX" && !out.contains(&r.symbol) {
                out.push(r.symbol.clone());
            }
        }
        out
    }
}
