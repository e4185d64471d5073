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
//! to a hidden `.NAME.partial-PID-N` beside it and renamed. Leftovers of a dead process are
//! removed by the next process that owns the same names; a live process's never are.

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

/// A sweep's hold on its output folder, released when dropped (or when the process ends, however
/// it ends): a `flock` on the folder itself, so no lock file is left behind.
#[derive(Debug)]
pub struct SweepLock {
    _dir: std::fs::File,
}

/// Locks the output folder (creating it) for a sweep: `exclusive` for a whole sweep or a merge,
/// shared for a shard, so the shards of a job array run side by side but never beside a whole
/// sweep or a merge into the same folder. A folder held by another process is refused with
/// [`SweepError::Locked`]; a file system without locks (some network ones) is not refused.
pub fn lock(layout: &Layout, exclusive: bool) -> Result<SweepLock, SweepError> {
    let root = layout.root();
    std::fs::create_dir_all(root).map_err(io(root))?;
    let dir = std::fs::File::open(root).map_err(io(root))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let op = if exclusive {
            libc::LOCK_EX
        } else {
            libc::LOCK_SH
        } | libc::LOCK_NB;
        // SAFETY: flock on a file descriptor this function owns.
        if unsafe { libc::flock(dir.as_raw_fd(), op) } != 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                return Err(SweepError::Locked {
                    out: root.to_path_buf(),
                });
            }
        }
    }
    Ok(SweepLock { _dir: dir })
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

/// Removes the leftovers (`.NAME.partial-PID-N`, files or folders) that a dead process left in
/// `dir` for any NAME that `owned` accepts. Only the names this process is about to write are
/// passed, and a live process's partials are skipped, so a concurrent shard's work in progress
/// is never touched.
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
        let Some((name, pid)) = crate::atomic::parse_partial(&file_name) else {
            continue;
        };
        // A live process's work in progress (another shard, or this process) is never touched.
        if !owned(name) || crate::atomic::pid_alive(pid) {
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
