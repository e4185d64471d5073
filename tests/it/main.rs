//! flowsim's integration tests, in one crate: one binary to link instead of one per file, which
//! is most of what a cold `cargo test` spends (BENCHMARKS.md, "Test suite"). Each module is one
//! former `tests/NAME.rs`, with the same tests; run one with `cargo test --test it NAME::`.
//! `tests/common/` holds the shared helpers and `tests/data/` their inputs.

#[path = "../common/mod.rs"]
mod common;

mod ablate;
mod architecture;
mod bench_cli;
mod book_reference;
mod book_rules;
mod book_stream_file;
mod bounds;
mod claims;
mod cli_run;
mod daily_facts;
mod dates;
mod episode;
mod extends_impact;
mod figures;
mod flow_agents;
mod gamma_regimes;
mod history;
mod interrupts;
mod physical_settlement;
mod plot;
mod pricing;
mod record_parquet;
mod record_read;
mod reference_market;
mod replay_lobster;
mod results;
mod sim_kernel;
mod sweep;
mod sweep_charts;
