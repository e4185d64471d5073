//! Files and folders that appear under their final name only when complete.
//!
//! Everything flowsim writes (run folders, reports, charts, sweep tables, replayed books) is
//! first written under a hidden partial name beside its destination and then renamed into
//! place, so a reader — or a resumed sweep — never sees half a result, and a killed process
//! leaves only hidden leftovers (`.NAME.partial-PID-N`) that the next run can recognise.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The partial files and folders this process is writing now, so that an interrupt
/// ([`remove_staged`], called by the binary on SIGINT and SIGTERM) can remove them.
static STAGED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn staged() -> MutexGuard<'static, BTreeSet<PathBuf>> {
    STAGED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Forgets a partial path once it has been renamed into place or removed.
pub fn unstage(path: &Path) {
    staged().remove(path);
}

/// Set once the process is being interrupted: nothing new is staged after that.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether [`remove_staged`] was called for an interrupt: the process is about to exit.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn refuse_if_interrupted() -> io::Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
    }
    Ok(())
}

/// Removes every partial file and folder this process is writing and returns how many there
/// were. With `interrupted`, for a process about to exit on a signal, nothing can be staged
/// any more, and a second pass catches files a writer created while the first one ran.
pub fn remove_staged(interrupted: bool) -> usize {
    let paths: Vec<PathBuf> = {
        let guard = staged();
        if interrupted {
            INTERRUPTED.store(true, Ordering::SeqCst);
        }
        guard.iter().cloned().collect()
    };
    let remove = |p: &PathBuf| {
        let _ = std::fs::remove_dir_all(p).or_else(|_| std::fs::remove_file(p));
    };
    paths.iter().for_each(remove);
    if interrupted {
        std::thread::sleep(std::time::Duration::from_millis(100));
        paths.iter().for_each(remove);
    }
    paths.len()
}

/// Whether process `pid` is alive (or not ours to signal: then it is alive too).
pub fn pid_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// The NAME and PID of a leftover `.NAME.partial-PID` or `.NAME.partial-PID-N`.
pub fn parse_partial(file_name: &str) -> Option<(&str, u32)> {
    let (name, rest) = file_name.strip_prefix('.')?.rsplit_once(".partial-")?;
    let pid = rest.split('-').next()?.parse().ok()?;
    Some((name, pid))
}

/// Removes the leftovers beside `dest` of `dest` itself (`.NAME.partial-PID-N`, files or
/// folders) whose process has died: a run killed by SIGKILL, or any crash. A live process's
/// partials are never touched. Returns how many were removed.
pub fn remove_dead_partials(dest: &Path) -> io::Result<usize> {
    let Some(name) = dest.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(0);
    };
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let entries = match std::fs::read_dir(parent) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        match parse_partial(&file_name) {
            Some((n, pid)) if n == name && !pid_alive(pid) => {}
            _ => continue,
        }
        let path = entry.path();
        let gone = if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match gone {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// The hidden name `path` is written under before it is complete: `.NAME.partial-PID-N`, unique
/// within the process so concurrent writers (sweep threads) never share one.
pub fn partial_path(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(
        ".{name}.partial-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Creates `path` atomically from whatever `write` puts at the temporary path it is given; the
/// temporary file is removed if anything fails.
pub fn write_via(path: &Path, write: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file name",
        ));
    }
    let tmp = partial_path(path);
    {
        let mut staged = staged();
        refuse_if_interrupted()?;
        staged.insert(tmp.clone());
    }
    let result = write(&tmp).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    unstage(&tmp);
    result
}

/// Creates `path` atomically through a buffered writer, synced to disk before the rename.
pub fn write_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    write_via(path, |tmp| {
        let mut w = BufWriter::with_capacity(1 << 16, File::create(tmp)?);
        write(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })
}

/// Creates `path` atomically with `bytes`.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(bytes))
}

/// Creates the hidden temporary folder `dest` is built in (and `dest`'s parent folder), and
/// returns its path. The caller moves it into place with [`replace_dir`] when it is complete,
/// or removes it, and then calls [`unstage`]; [`create_dir_via`] does all that. Leftovers
/// of `dest` from dead processes are removed first.
pub fn stage_dir(dest: &Path) -> io::Result<PathBuf> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    remove_dead_partials(dest)?;
    let tmp = partial_path(dest);
    // Created under the registry's lock, so an interrupt removes it or it is never made.
    let mut staged = staged();
    refuse_if_interrupted()?;
    std::fs::create_dir_all(&tmp)?;
    staged.insert(tmp.clone());
    Ok(tmp)
}

/// Creates the folder `dest` atomically from whatever `fill` writes into the empty temporary
/// folder it is given: the folder replaces `dest` (see [`replace_dir`]) only if `fill`
/// succeeds, and is removed otherwise. Failures of the folder operations themselves become
/// `E` through `io_error`, given the path they concern.
pub fn create_dir_via<T, E>(
    dest: &Path,
    io_error: impl Fn(&Path, io::Error) -> E,
    fill: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<T, E> {
    let tmp = stage_dir(dest).map_err(|e| io_error(dest, e))?;
    let result = fill(&tmp).and_then(|value| {
        replace_dir(&tmp, dest)
            .map(|()| value)
            .map_err(|e| io_error(dest, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    unstage(&tmp);
    result
}

/// Moves the finished folder `tmp` to `dest`. An existing `dest` is first moved aside and only
/// deleted once the new folder is in place, so a failed rename never loses the old result.
pub fn replace_dir(tmp: &Path, dest: &Path) -> io::Result<()> {
    if dest.exists() {
        let old = partial_path(dest);
        std::fs::rename(dest, &old)?;
        if let Err(e) = std::fs::rename(tmp, dest) {
            let _ = std::fs::rename(&old, dest);
            return Err(e);
        }
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    } else {
        std::fs::rename(tmp, dest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_appear_whole_and_failures_leave_nothing() {
        let dir = std::env::temp_dir().join(format!("flowsim-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.txt");
        write_bytes(&f, b"one").unwrap();
        write_bytes(&f, b"two").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        let failed = write_with(&dir.join("b.txt"), |_| Err(io::Error::other("no")));
        assert!(failed.is_err());
        // Replacing a folder keeps the new one only.
        let (new, dest) = (dir.join("new"), dir.join("dest"));
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("x"), b"new").unwrap();
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("y"), b"old").unwrap();
        replace_dir(&new, &dest).unwrap();
        assert!(dest.join("x").exists() && !dest.join("y").exists());
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut names = names;
        names.sort();
        assert_eq!(names, ["a.txt", "dest"]);
        // A folder built through a closure appears whole, or not at all.
        let built = dir.join("built");
        let n = create_dir_via(
            &built,
            |_, e| e,
            |tmp| {
                std::fs::write(tmp.join("z"), b"z")?;
                Ok(1)
            },
        );
        assert_eq!(n.unwrap(), 1);
        assert!(built.join("z").exists());
        let failed = create_dir_via(
            &dir.join("nested/never"),
            |_, e| e,
            |tmp| {
                std::fs::write(tmp.join("z"), b"z")?;
                Err::<(), _>(io::Error::other("no"))
            },
        );
        assert!(failed.is_err());
        assert_eq!(std::fs::read_dir(dir.join("nested")).unwrap().count(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
