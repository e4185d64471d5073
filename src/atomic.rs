//! Files and folders that appear under their final name only when complete.
//!
//! Everything flowsim writes (run folders, reports, charts, sweep tables, replayed books) is
//! first written under a hidden partial name beside its destination and then renamed into
//! place, so a reader — or a resumed sweep — never sees half a result, and a killed process
//! leaves only hidden leftovers (`.NAME.partial-PID-N`) that the next run can recognise.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
    let result = write(&tmp).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
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
/// or removes it; [`create_dir_via`] does both.
pub fn stage_dir(dest: &Path) -> io::Result<PathBuf> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = partial_path(dest);
    std::fs::create_dir_all(&tmp)?;
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
