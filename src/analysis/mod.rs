//! Statistics on what a run (or a replay of real data) produced. Analysis computes from values
//! it is given and never reads files.

pub mod ablation;
pub mod calibration;
pub mod daily_facts;
pub mod distribution;
pub mod facts_compare;
pub mod feedback;
pub mod flows;
pub mod impact;
pub mod market_day;
pub mod momentum;
pub mod path;
pub mod pinning;
pub mod run_calibration;
pub mod state;
pub mod stylized;
