//! Every interrupt clean, through the real binary: SIGINT and SIGTERM remove the staging folder
//! of a run or a sweep; leftovers of a killed (SIGKILL) process are removed at the next run
//! into the same place, and a live process's never are; `--force` replaces only a run folder;
//! a second sweep into a folder a sweep is using is refused; a sweep whose pre-history file is
//! missing is refused before it creates anything. Every wait has a generous timeout, so a hang
//! fails instead of blocking.

use crate::common::{BIN, Scratch, TINY, assert_success, entries, flowsim, text};
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

/// A market that runs for minutes unless interrupted: the shared tiny market with `DAYS`
/// days in place of its two.
fn long() -> String {
    TINY.replace("name = \"tiny\"", "name = \"long\"")
        .replacen("days = 2\n", "days = DAYS\n", 1)
}

fn scenario(s: &Scratch, name: &str, days: u32) -> PathBuf {
    s.write(name, &long().replace("DAYS", &days.to_string()))
}

fn spawn(args: &[&OsStr]) -> Child {
    Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start flowsim")
}

/// Waits for `child` to end (failing after [`TIMEOUT`]) and collects what it printed.
fn finish(mut child: Child) -> Output {
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("flowsim did not end within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    Output {
        status,
        stdout,
        stderr,
    }
}

/// Partial (staging) names anywhere under `dir`.
fn partials(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .contains(".partial-")
        {
            found.push(p.clone());
        }
        if p.is_dir() {
            found.extend(partials(&p));
        }
    }
    found
}

/// Waits until `cond` holds (failing after [`TIMEOUT`]).
fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < TIMEOUT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: sends a signal to a child process this test started and has not reaped.
    let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(r, 0, "kill failed");
}

fn run_args<'a>(scenario: &'a Path, out: &'a Path) -> Vec<&'a OsStr> {
    vec![
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--quiet"),
    ]
}

#[test]
fn sigint_and_sigterm_remove_the_staging_folder_of_a_run() {
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let s = Scratch::new("interrupt-run");
        let file = scenario(&s, "long.toml", 2000);
        let out = s.path("out");
        let child = spawn(&run_args(&file, &out));
        wait_until("the staging folder", || !partials(&s.dir).is_empty());
        // Let it write for a moment, so the folder has files in it.
        std::thread::sleep(Duration::from_millis(300));
        signal(&child, sig);
        let o = finish(child);
        assert_eq!(o.status.code(), Some(code), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("interrupted"),
            "{}",
            text(&o.stderr)
        );
        assert!(partials(&s.dir).is_empty(), "left {:?}", partials(&s.dir));
        assert!(!out.exists());
    }
}

#[test]
fn sigint_removes_the_staging_folders_of_a_sweep() {
    let s = Scratch::new("interrupt-sweep");
    scenario(&s, "long.toml", 3);
    let sweep = s.write(
        "sw.toml",
        "scenario = \"long.toml\"\nseeds = { first = 1, count = 40 }\n",
    );
    let out = s.path("out");
    let child = spawn(&[
        OsStr::new("sweep"),
        sweep.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--threads"),
        OsStr::new("2"),
        OsStr::new("--quiet"),
        OsStr::new("--no-charts"),
    ]);
    wait_until("a run's staging folder", || {
        !partials(&out.join("runs")).is_empty()
    });
    signal(&child, libc::SIGINT);
    let o = finish(child);
    assert_eq!(o.status.code(), Some(130), "{}", text(&o.stderr));
    assert!(partials(&s.dir).is_empty(), "left {:?}", partials(&s.dir));
}

#[test]
fn a_killed_runs_leftovers_are_removed_by_the_next_run_but_a_live_ones_are_not() {
    let s = Scratch::new("interrupt-kill");
    let long = scenario(&s, "long.toml", 2000);
    let out = s.path("out");
    let child = spawn(&run_args(&long, &out));
    wait_until("the staging folder", || !partials(&s.dir).is_empty());
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, libc::SIGKILL);
    let o = finish(child);
    assert!(!o.status.success());
    let left = partials(&s.dir);
    assert_eq!(left.len(), 1, "SIGKILL cannot be caught: {left:?}");

    // A live process's staging folder (this test's own pid is alive) must survive.
    let live = s.path(&format!(".out.partial-{}-0", std::process::id()));
    std::fs::create_dir_all(&live).unwrap();
    std::fs::write(live.join("x"), b"in progress").unwrap();

    let short = scenario(&s, "short.toml", 1);
    let o = flowsim(run_args(&short, &out));
    assert_success(&o, "the next run into the same place");
    assert!(out.join("summary.json").is_file());
    assert!(!left[0].exists(), "the dead process's leftover stayed");
    assert!(
        live.join("x").is_file(),
        "a live process's folder was touched"
    );
}

#[test]
fn force_replaces_only_a_run_folder() {
    let s = Scratch::new("interrupt-force");
    let short = scenario(&s, "short.toml", 1);

    // A regular file is never replaced, moved or hidden.
    let file = s.write("out", "the user's notes");
    let o = flowsim([
        OsStr::new("run"),
        short.as_os_str(),
        OsStr::new("--out"),
        file.as_os_str(),
        OsStr::new("--force"),
        OsStr::new("--quiet"),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("not a run folder"), "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "the user's notes");
    assert!(partials(&s.dir).is_empty(), "{:?}", partials(&s.dir));

    // Nor is a folder that is not a run.
    let foreign = s.path("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), b"keep").unwrap();
    let o = flowsim([
        OsStr::new("run"),
        short.as_os_str(),
        OsStr::new("--out"),
        foreign.as_os_str(),
        OsStr::new("--force"),
        OsStr::new("--quiet"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(
        entries(&foreign).into_iter().collect::<Vec<_>>(),
        ["keep.txt"]
    );
    assert!(partials(&s.dir).is_empty());

    // A run folder is.
    let run = s.path("run");
    assert_success(&flowsim(run_args(&short, &run)), "the first run into run/");
    let mut args = run_args(&short, &run);
    args.push(OsStr::new("--force"));
    assert_success(&flowsim(args), "the forced rerun");
    assert!(partials(&s.dir).is_empty());

    // ablate --force likewise replaces only an ablation folder.
    let o = flowsim([
        OsStr::new("ablate"),
        short.as_os_str(),
        OsStr::new("--without"),
        OsStr::new("value"),
        OsStr::new("--out"),
        file.as_os_str(),
        OsStr::new("--force"),
        OsStr::new("--quiet"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "the user's notes");
}

#[test]
fn a_second_sweep_into_a_busy_folder_is_refused() {
    let s = Scratch::new("interrupt-lock");
    scenario(&s, "long.toml", 3);
    let sweep = s.write(
        "sw.toml",
        "scenario = \"long.toml\"\nseeds = { first = 1, count = 40 }\n",
    );
    let out = s.path("out");
    let args = |extra: &[&'static str]| {
        let mut v = vec![
            OsStr::new("sweep").to_owned(),
            sweep.as_os_str().to_owned(),
            OsStr::new("--out").to_owned(),
            out.as_os_str().to_owned(),
            OsStr::new("--quiet").to_owned(),
            OsStr::new("--no-charts").to_owned(),
        ];
        v.extend(extra.iter().map(|e| OsStr::new(e).to_owned()));
        v
    };
    let first_args = args(&["--threads", "1"]);
    let first_refs: Vec<&OsStr> = first_args.iter().map(|a| a.as_os_str()).collect();
    let first = spawn(&first_refs);
    wait_until("the first sweep's runs", || {
        !partials(&out.join("runs")).is_empty()
    });

    let second = flowsim(args(&["--threads", "1"]));
    let err = text(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(err.contains("another sweep"), "{err}");
    assert!(err.contains(&out.display().to_string()), "{err}");
    // Nor can a shard or a merge join a whole sweep in progress.
    let shard = flowsim(args(&["--shard", "0/2"]));
    assert_eq!(shard.status.code(), Some(1), "{}", text(&shard.stderr));
    let merge = flowsim(args(&["--merge"]));
    assert_eq!(merge.status.code(), Some(1), "{}", text(&merge.stderr));

    // The first sweep was not disturbed: stop it, and a rerun completes the rest.
    signal(&first, libc::SIGTERM);
    let o = finish(first);
    assert_eq!(o.status.code(), Some(143), "{}", text(&o.stderr));
    assert!(partials(&s.dir).is_empty(), "{:?}", partials(&s.dir));
    assert_success(&flowsim(args(&[])), "the sweep resumed");
    assert_eq!(entries(&out.join("runs")).len(), 40);
}

#[test]
fn a_sweep_with_a_missing_prehistory_is_refused_up_front() {
    let s = Scratch::new("interrupt-prehistory");
    let base = long().replace("DAYS", "1").replace(
        "kind = \"synthetic\"\ndays = 30",
        "kind = \"csv\"\nfile = \"missing.csv\"",
    );
    s.write("base.toml", &base);
    let sweep = s.write("sw.toml", "scenario = \"base.toml\"\nseeds = [1, 2]\n");
    let out = s.path("out");
    let o = flowsim([
        OsStr::new("sweep"),
        sweep.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--quiet"),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("missing.csv"), "{err}");
    assert!(!out.exists(), "the refused sweep created {}", out.display());
}
