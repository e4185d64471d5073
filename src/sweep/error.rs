//! Sweep errors: each says which folder or run, and what to do about it.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum SweepError {
    #[error("{}: cannot read the finished run's bars for the sweep tables", .path.display())]
    Records {
        path: PathBuf,
        #[source]
        source: crate::record::RecordError,
    },
    #[error("drawing the sweep charts")]
    Chart(#[source] crate::plot::PlotError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{out} holds runs that this sweep would not write ({}): the sweep file or its \
         scenario changed since they ran; use another --out, or delete those folders",
        list(runs)
    )]
    Foreign { out: PathBuf, runs: Vec<String> },
    #[error(
        "{}: another sweep is running into this folder (or merging it): wait for it to end, \
         or use another --out",
        .out.display()
    )]
    Locked { out: PathBuf },
    #[error(
        "{missing} of {total} runs are missing from {out} ({}): run the shards that \
         hold them, or `flowsim sweep` without --shard to run them here",
        list(runs)
    )]
    Missing {
        out: PathBuf,
        missing: usize,
        total: usize,
        runs: Vec<String>,
    },
    #[error(
        "{}: the base scenario {} cannot be built, so no run could",
        .sweep.display(),
        .base.display()
    )]
    Base {
        sweep: PathBuf,
        base: PathBuf,
        #[source]
        source: Box<crate::scenario::build::BuildError>,
    },
}

pub(super) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SweepError {
    let path = path.into();
    move |source| SweepError::Io { path, source }
}

/// The first few names, and how many more.
fn list(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut s = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}

/// An error and its causes on one line, as `anyhow` prints them with `{:#}`, except that a
/// cause already in the message (an error whose text includes its source's, as `path: OS
/// error` does) is not repeated: what a failure record and the failures table hold, and what
/// the binary prints.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cause = c.source();
    }
    s
}
