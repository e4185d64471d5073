//! `summary.json`: what a run was (version, scenario hash, seed) and its key numbers.
//! It holds nothing that depends on the machine or the clock, so reruns compare byte for byte.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::market::sim::InstrumentOutcome;
use crate::market::{RunCounts, RunOutcome};

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub flowsim_version: &'static str,
    pub scenario: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub days: u32,
    /// The date of day 1 (`calendar.csv` has every day's).
    pub start_date: Option<String>,
    pub agents: usize,
    pub counts: RunCounts,
    pub instruments: Vec<InstrumentOutcome>,
}

impl Summary {
    pub fn new(
        scenario: &str,
        source: &str,
        seed: u64,
        days: u32,
        start_date: Option<String>,
        agents: usize,
        outcome: RunOutcome,
    ) -> Self {
        Summary {
            flowsim_version: env!("CARGO_PKG_VERSION"),
            scenario: scenario.to_string(),
            scenario_sha256: sha256_hex(source.as_bytes()),
            seed,
            days,
            start_date,
            agents,
            counts: outcome.counts,
            instruments: outcome.instruments,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("summary serialises");
        s.push('\n');
        s
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
