//! Where a sweep's files go under its output folder:
//!
//! ```text
//! OUT/sweep.toml               the sweep file as written
//! OUT/runs/p0003-seed7/        one run folder each, exactly as `flowsim run` writes it
//! OUT/failed/p0004-seed1.txt   the error of a run that failed (removed when it succeeds)
//! OUT/sweep.csv, sweep.parquet one row per finished run
//! OUT/failures.csv             one row per failed run
//! ```
//!
//! Every file and folder appears under its final name only when complete: files are written
//! to a hidden `.NAME.partial-PID` beside it and renamed. Leftovers of a killed process are
//! removed by the next process that owns the same names.

use std::path::{Path, PathBuf};

use super::error::{SweepError, io};
use super::plan::RunId;

#[derive(Clone, Debug)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Layout { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn sweep_copy(&self) -> PathBuf {
        self.root.join("sweep.toml")
    }

    pub fn runs_dir(&self) -> PathBuf {
        self.root.join("runs")
    }

    pub fn run_dir(&self, run: &RunId) -> PathBuf {
        self.runs_dir().join(run.name())
    }

    pub fn failed_dir(&self) -> PathBuf {
        self.root.join("failed")
    }

    pub fn failure_file(&self, run: &RunId) -> PathBuf {
        self.failed_dir().join(format!("{}.txt", run.name()))
    }

    pub fn table_csv(&self) -> PathBuf {
        self.root.join("sweep.csv")
    }

    pub fn table_parquet(&self) -> PathBuf {
        self.root.join("sweep.parquet")
    }

    pub fn failures_csv(&self) -> PathBuf {
        self.root.join("failures.csv")
    }

    /// One row per point: its seeds pooled (intraday momentum, volatility, pinning).
    pub fn points_csv(&self) -> PathBuf {
        self.root.join("points.csv")
    }

    /// Creates the folders a slice writes into.
    pub fn create(&self) -> Result<(), SweepError> {
        for dir in [self.runs_dir(), self.failed_dir()] {
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        }
        Ok(())
    }
}

/// Writes a file atomically: readers see the old file or the whole new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SweepError> {
    crate::atomic::write_bytes(path, bytes).map_err(io(path))
}

/// Atomically creates `path` from whatever `write` puts at the temporary path it is given.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), SweepError> {
    crate::atomic::write_via(path, write).map_err(io(path))
}

/// Removes the leftovers (`.NAME.partial-PID`, files or folders) that a killed process left in
/// `dir` for any NAME that `owned` accepts. Only the names this process is about to write are
/// passed, so a concurrent shard's work in progress is never touched.
pub fn remove_partials(dir: &Path, owned: impl Fn(&str) -> bool) -> Result<usize, SweepError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(name) = file_name
            .strip_prefix('.')
            .and_then(|rest| rest.rsplit_once(".partial-"))
            .map(|(name, _pid)| name)
        else {
            continue;
        };
        if !owned(name) {
            continue;
        }
        let path = entry.path();
        let gone = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match gone {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(path)(e)),
        }
    }
    Ok(removed)
}
