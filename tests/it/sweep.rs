//! `flowsim sweep` end to end through the real binary: results that do not depend on the
//! thread count or on sharding, run folders identical to `flowsim run` on the overridden
//! scenario, resume after a kill, failures that do not stop the others, bad sweep files
//! refused with located errors, and the Slurm script.
//!
//! Every test works in its own folder under the system temp dir, removed when it ends.

use crate::common::{
    BIN, Scratch, assert_located, assert_same_file, assert_same_tree, assert_success, entries,
    flowsim, read_csv, sweep, sweep_ok, text,
};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small market that still trades: two days, a short pre-history. About 0.1 s a run.
const TINY: &str = r#"name = "tiny"
seed = 5
days = 2

# The pre-history.
[prehistory]
kind = "synthetic"
days = 30

[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0

[agents.market_maker]
count = 2

[agents.noise]
count = 30  # background flow

[agents.value]
count = 5
"#;

/// A 2 × 2 grid and one explicit point (which sets a parameter the grid does not), 2 seeds:
/// 10 runs.
const SWEEP: &str = r#"scenario = "tiny.toml"
seeds = { first = 1, count = 2 }

[grid]
"agents.noise.count" = [20, 40]
"instruments.0.annual_vol" = [0.1, 0.3]

[[points]]
"agents.noise.market_share" = 0.3
"#;

const RUNS: usize = 10;

// ---------------------------------------------------------------------------------------------
// Helpers

/// The scratch folder with the base scenario and the sweep file in it.
fn setup(tag: &str, sweep_text: &str) -> (Scratch, PathBuf) {
    let s = Scratch::new(tag);
    s.write("tiny.toml", TINY);
    let file = s.write("sweep.toml", sweep_text);
    (s, file)
}

fn run_names(out: &Path) -> BTreeSet<String> {
    entries(&out.join("runs"))
}

fn expected_names(points: usize, seeds: &[u64]) -> BTreeSet<String> {
    (0..points)
        .flat_map(|p| seeds.iter().map(move |s| format!("p{p:04}-seed{s}")))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Determinism

#[test]
fn one_and_two_threads_give_identical_run_folders_and_tables() {
    let (s, file) = setup("threads", SWEEP);
    let (one, two) = (s.path("one"), s.path("two"));
    sweep_ok(&file, &one, &["--threads", "1"]);
    let o = sweep_ok(&file, &two, &["--threads", "2"]);
    assert!(
        text(&o.stdout).contains("10 runs (0 already done), 10 finished, 0 failed"),
        "{}",
        text(&o.stdout)
    );

    assert_eq!(run_names(&one), expected_names(5, &[1, 2]));
    assert_same_tree(&one, &two);

    // The table: one row per run in (point, seed) order, parameters with defaults filled in.
    let (headers, rows) = read_csv(&one.join("sweep.csv"));
    assert_eq!(
        &headers[..6],
        [
            "point",
            "run",
            "agents.noise.count",
            "instruments.0.annual_vol",
            "agents.noise.market_share",
            "seed"
        ]
    );
    for col in [
        "trades",
        "halts",
        "SPX_total_return",
        "SPX_max_drawdown",
        "SPX_min_price",
    ] {
        assert!(
            headers.iter().any(|h| h == col),
            "no column {col}: {headers:?}"
        );
    }
    assert_eq!(rows.len(), RUNS);
    let keys: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| (&*r[0], &*r[2], &*r[3], &*r[4], &*r[5]))
        .collect();
    assert_eq!(
        keys,
        [
            ("0", "20", "0.1", "0.15", "1"),
            ("0", "20", "0.1", "0.15", "2"),
            ("1", "20", "0.3", "0.15", "1"),
            ("1", "20", "0.3", "0.15", "2"),
            ("2", "40", "0.1", "0.15", "1"),
            ("2", "40", "0.1", "0.15", "2"),
            ("3", "40", "0.3", "0.15", "1"),
            ("3", "40", "0.3", "0.15", "2"),
            // The explicit point keeps the base scenario's other values.
            ("4", "30", "0.16", "0.3", "1"),
            ("4", "30", "0.16", "0.3", "2"),
        ]
    );
    // Key metrics come from each run's summary.json.
    let trades = headers.iter().position(|h| h == "trades").unwrap();
    for r in &rows {
        let summary: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(one.join("runs").join(&r[1]).join("summary.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(r[trades], summary["counts"]["trades"].to_string(), "{r:?}");
    }
    assert_eq!(
        text(&std::fs::read(one.join("failures.csv")).unwrap()),
        "point,run,seed,error\n"
    );
}

#[test]
fn a_sweep_run_folder_is_the_run_done_alone_on_the_overridden_scenario() {
    let (s, file) = setup("alone", SWEEP);
    let out = s.path("out");
    sweep_ok(&file, &out, &["--threads", "2"]);
    let folder = out.join("runs").join("p0001-seed2");
    let overridden = std::fs::read_to_string(folder.join("scenario.toml")).unwrap();
    // Edited in place: comments and layout kept, the two parameters changed.
    assert_eq!(
        overridden,
        TINY.replace("count = 30  #", "count = 20  #").replace(
            "notional_per_unit = 50.0\n",
            "notional_per_unit = 50.0\nannual_vol = 0.3\n"
        )
    );
    let alone_scenario = s.write("alone.toml", &overridden);
    let alone = s.path("alone");
    let o = flowsim([
        OsStr::new("run"),
        alone_scenario.as_os_str(),
        OsStr::new("--seed"),
        OsStr::new("2"),
        OsStr::new("--out"),
        alone.as_os_str(),
        OsStr::new("--quiet"),
        // Sweep runs skip the per-run report (`flowsim report DIR` draws one on demand).
        OsStr::new("--no-report"),
    ]);
    assert_success(&o, "flowsim run on the overridden scenario");
    assert_same_tree(&folder, &alone);
}

// ---------------------------------------------------------------------------------------------
// Shards

#[test]
fn two_shards_merged_equal_the_unsharded_sweep() {
    let (s, file) = setup("shards", SWEEP);
    let (whole, sharded) = (s.path("whole"), s.path("sharded"));
    sweep_ok(&file, &whole, &["--threads", "2"]);

    let o = sweep_ok(&file, &sharded, &["--shard", "0/2", "--threads", "1"]);
    assert!(text(&o.stdout).contains("--merge"), "{}", text(&o.stdout));
    assert!(
        !sharded.join("sweep.csv").exists(),
        "a shard does not aggregate"
    );
    let first_half = run_names(&sharded);
    assert_eq!(first_half.len(), RUNS / 2);

    // Merging before the other shard has run fails, lists the missing runs, writes nothing.
    let o = sweep(&file, &sharded, &["--merge"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("5 of 10 runs are missing"), "{err}");
    for missing in expected_names(5, &[1, 2]).difference(&first_half) {
        assert!(
            err.contains(missing.as_str()),
            "{missing} not listed: {err}"
        );
    }
    assert!(!sharded.join("sweep.csv").exists());

    sweep_ok(&file, &sharded, &["--shard", "1/2", "--threads", "2"]);
    sweep_ok(&file, &sharded, &["--merge"]);
    assert_same_tree(&whole, &sharded);
    assert_same_file(&whole.join("sweep.csv"), &sharded.join("sweep.csv"));
    assert_same_file(&whole.join("sweep.parquet"), &sharded.join("sweep.parquet"));

    // A shard that does not exist is refused.
    let o = sweep(&file, &sharded, &["--shard", "2/2"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("0 to N-1"), "{}", text(&o.stderr));
}

#[test]
fn emit_slurm_prints_a_job_array_of_shards() {
    let (s, file) = setup("slurm", SWEEP);
    let out = s.path("out");
    let o = sweep_ok(
        &file,
        &out,
        &["--emit-slurm", "--shards", "3", "--threads", "2"],
    );
    let script = text(&o.stdout);
    assert!(script.starts_with("#!/bin/bash\n"), "{script}");
    assert!(script.contains("#SBATCH --array=0-2\n"), "{script}");
    assert!(script.contains("#SBATCH --cpus-per-task=2\n"), "{script}");
    assert!(
        script.contains("--shard \"${SLURM_ARRAY_TASK_ID}/3\""),
        "{script}"
    );
    assert!(script.contains(&format!("'{}'", out.display())), "{script}");
    assert!(script.contains("--merge"), "{script}");
    assert!(!out.exists(), "printing the script runs nothing");
    // By default one task per run.
    let o = sweep_ok(&file, &out, &["--emit-slurm"]);
    assert!(text(&o.stdout).contains("#SBATCH --array=0-9\n"));
}

// ---------------------------------------------------------------------------------------------
// Resume

/// Slower runs (three days, more traders) so that a kill lands mid-sweep.
const SLOWER: &str = r#"scenario = "tiny.toml"
seeds = [3, 1, 4, 7]

[grid]
"days" = [3]
"agents.noise.count" = [60, 80]
"#;

#[test]
fn a_killed_sweep_resumes_without_redoing_or_duplicating_runs() {
    let (s, file) = setup("resume", SLOWER);
    let (killed, whole) = (s.path("killed"), s.path("whole"));

    let mut child = Command::new(BIN)
        .args([OsStr::new("sweep"), file.as_os_str(), OsStr::new("--out")])
        .arg(&killed)
        .args(["--threads", "1", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start flowsim");
    let runs = killed.join("runs");
    let started = Instant::now();
    let done_before_kill = loop {
        let done = runs
            .read_dir()
            .map(|d| {
                d.filter(|e| {
                    !e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with('.')
                })
                .count()
            })
            .unwrap_or(0);
        if done >= 2 {
            break done;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no run finished within a minute"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.kill().expect("kill the sweep");
    child.wait().unwrap();
    let after_kill: BTreeSet<String> = run_names(&killed);
    let finished: BTreeSet<String> = after_kill
        .iter()
        .filter(|n| !n.starts_with('.'))
        .cloned()
        .collect();
    assert!(
        finished.len() < 8,
        "the sweep ended before it could be killed ({done_before_kill} runs at the kill)"
    );
    // No half run under a final name: every visible folder is a finished run.
    for name in &finished {
        assert!(
            runs.join(name).join("summary.json").exists(),
            "{name} is half written"
        );
    }
    let first = finished.iter().next().unwrap().clone();
    let mtime = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let first_summary = runs.join(&first).join("summary.json");
    let first_time = mtime(&first_summary);

    let o = sweep_ok(&file, &killed, &["--threads", "2"]);
    assert!(
        text(&o.stdout).contains(&format!(
            "8 runs ({} already done), {} finished, 0 failed",
            finished.len(),
            8 - finished.len()
        )),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(mtime(&first_summary), first_time, "{first} was run again");
    // All runs, once each, and no staging leftovers of the killed run.
    assert_eq!(run_names(&killed), expected_names(2, &[3, 1, 4, 7]));

    sweep_ok(&file, &whole, &["--threads", "2"]);
    assert_same_tree(&whole.join("runs"), &runs);
    assert_same_file(&whole.join("sweep.csv"), &killed.join("sweep.csv"));
    assert_same_file(&whole.join("sweep.parquet"), &killed.join("sweep.parquet"));
}

#[test]
fn runs_of_an_edited_sweep_are_not_reused() {
    let (s, file) = setup("edited", SWEEP);
    let out = s.path("out");
    sweep_ok(&file, &out, &["--threads", "2"]);
    // Point 1 now means something else: its finished folders are not this sweep's.
    std::fs::write(&file, SWEEP.replace("[0.1, 0.3]", "[0.1, 0.4]")).unwrap();
    let before = std::fs::read(out.join("sweep.csv")).unwrap();
    let o = sweep(&file, &out, &[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("p0001-seed1") && err.contains("another --out"),
        "{err}"
    );
    assert!(!err.contains("p0000-seed1"), "{err}");
    assert_eq!(std::fs::read(out.join("sweep.csv")).unwrap(), before);
}

// ---------------------------------------------------------------------------------------------
// Failures

#[test]
fn a_failing_run_is_reported_and_does_not_stop_the_others() {
    let s = Scratch::new("failing");
    s.write(
        "hist.csv",
        "day,SPX\n2018-01-02,100\n2018-01-03,101\n2018-01-04,99\n",
    );
    s.write(
        "csvbase.toml",
        &TINY.replace(
            "kind = \"synthetic\"\ndays = 30",
            "kind = \"csv\"\nfile = \"hist.csv\"",
        ),
    );
    // The middle point's pre-history file does not exist: it passes validation but cannot
    // be built.
    let file = s.write(
        "sweep.toml",
        "scenario = \"csvbase.toml\"\nseeds = [1, 2]\n\n[grid]\n\
         \"prehistory.file\" = [\"hist.csv\", \"missing.csv\", \"hist.csv\"]\n",
    );
    let out = s.path("out");
    let o = sweep(&file, &out, &["--threads", "2"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for run in ["p0001-seed1", "p0001-seed2"] {
        assert!(err.contains(&format!("run {run} failed")), "{err}");
    }
    assert!(err.contains("missing.csv"), "{err}");
    assert!(err.contains("2 of 6 runs failed"), "{err}");

    assert_eq!(
        run_names(&out),
        BTreeSet::from(
            ["p0000-seed1", "p0000-seed2", "p0002-seed1", "p0002-seed2"].map(String::from)
        )
    );
    let (_, rows) = read_csv(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 4);
    let (headers, failures) = read_csv(&out.join("failures.csv"));
    assert_eq!(headers, ["point", "run", "seed", "error"]);
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0][1], "p0001-seed1");
    assert!(failures[0][3].contains("missing.csv"), "{failures:?}");

    // Rerunning retries only the failed runs; once the file exists they succeed.
    s.write("missing.csv", "day,SPX\n2018-01-02,100\n2018-01-03,100\n");
    let o = sweep_ok(&file, &out, &["--threads", "2"]);
    assert!(
        text(&o.stdout).contains("6 runs (4 already done), 2 finished, 0 failed"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(run_names(&out), expected_names(3, &[1, 2]));
    assert_eq!(entries(&out.join("failed")), BTreeSet::new());
    assert_eq!(read_csv(&out.join("failures.csv")).1.len(), 0);
}

// ---------------------------------------------------------------------------------------------
// Bad sweep files

/// A sweep file that must be refused: exit 1, no panic, the message on stderr, nothing
/// written. Returns the sweep file and the message.
fn refused(tag: &str, sweep_text: &str) -> (Scratch, PathBuf, String) {
    let (s, file) = setup(tag, sweep_text);
    let before = s.entries();
    let out = s.path("out");
    let o = sweep(&file, &out, &[]);
    let err = text(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(1),
        "expected exit 1, got {:?}\n{err}",
        o.status
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(text(&o.stdout), "");
    assert!(!out.exists(), "a refused sweep created {}", out.display());
    assert_eq!(s.entries(), before, "a refused sweep wrote something");
    (s, file, err)
}

#[test]
fn a_parameter_the_schema_does_not_have_is_refused_at_its_line() {
    let (_s, file, err) = refused(
        "unknown-param",
        "scenario = \"tiny.toml\"\n[grid]\n\"agents.noise.count\" = [10]\n\"agents.noise.speed\" = [1, 2]\n",
    );
    assert_located(&err, &file, 4, "`agents.noise.speed`");
    assert!(err.contains("unknown field `speed`"), "{err}");

    let (_s, file, err) = refused(
        "unknown-param-point",
        "scenario = \"tiny.toml\"\n\n[[points]]\n\"agents.noise.count\" = 10\n\n[[points]]\n\"agents.wizard.count\" = 3\n",
    );
    assert_located(&err, &file, 7, "`agents.wizard.count`");
    assert!(err.contains("wizard") && err.contains("point 1"), "{err}");
}

#[test]
fn a_value_the_scenario_rules_refuse_is_refused_at_its_parameter() {
    let (_s, file, err) = refused(
        "bad-value",
        "scenario = \"tiny.toml\"\nseeds = [1]\n\n[grid]\n\"agents.noise.order_usd\" = [5e6, -5]\n",
    );
    assert_located(&err, &file, 5, "`agents.noise.order_usd`");
    assert!(err.contains("positive") && err.contains("point 1"), "{err}");

    let (_s, file, err) = refused(
        "bad-type",
        "scenario = \"tiny.toml\"\n\n[grid]\n\"days\" = [2, \"ten\"]\n",
    );
    assert_located(&err, &file, 4, "`days`");
    assert!(err.contains("\"ten\""), "{err}");
}

#[test]
fn a_path_through_the_wrong_shape_is_refused() {
    let (_s, file, err) = refused(
        "out-of-range",
        "scenario = \"tiny.toml\"\n[grid]\n\"instruments.3.annual_vol\" = [0.2]\n",
    );
    assert_located(&err, &file, 3, "`instruments.3.annual_vol`");
    assert!(err.contains("no element 3"), "{err}");

    let (_s, file, err) = refused(
        "no-index",
        "scenario = \"tiny.toml\"\n[grid]\n\"instruments.annual_vol\" = [0.2]\n",
    );
    assert_located(&err, &file, 3, "instruments.0.annual_vol");
}

#[test]
fn malformed_sweep_files_are_refused_with_their_line() {
    let (_s, file, err) = refused("unknown-key", "scenario = \"tiny.toml\"\ncolour = 3\n");
    assert_located(&err, &file, 2, "`colour`");

    let (_s, file, err) = refused("bad-seeds", "scenario = \"tiny.toml\"\nseeds = 5\n");
    assert_located(&err, &file, 2, "`seeds`");

    let (_s, file, err) = refused("dup-seeds", "scenario = \"tiny.toml\"\nseeds = [1, 2, 1]\n");
    assert_located(&err, &file, 2, "`seeds`");
    assert!(err.contains("twice"), "{err}");

    let (_s, file, err) = refused(
        "not-a-list",
        "scenario = \"tiny.toml\"\n[grid]\n\"days\" = 3\n",
    );
    assert_located(&err, &file, 3, "`days`");
    assert!(err.contains("list"), "{err}");

    let (_s, file, err) = refused(
        "seed-param",
        "scenario = \"tiny.toml\"\n[grid]\n\"seed\" = [1, 2]\n",
    );
    assert_located(&err, &file, 3, "`seed`");

    let (_s, file, err) = refused("no-base", "\nscenario = \"nowhere.toml\"\n");
    assert_located(&err, &file, 2, "`scenario`");
    assert!(err.contains("nowhere.toml"), "{err}");

    let (_s, _file, err) = refused("no-scenario", "seeds = [1]\n");
    assert!(err.contains("scenario"), "{err}");
}

#[test]
fn validate_checks_sweep_files_and_every_experiment() {
    let (s, file) = setup("validate", SWEEP);
    let o = flowsim([OsStr::new("validate"), file.as_os_str()]);
    assert_success(&o, "validate sweep.toml");
    let out = text(&o.stdout);
    assert!(out.contains("5 points x 2 seeds = 10 runs"), "{out}");
    let bad = s.write(
        "bad.toml",
        "scenario = \"tiny.toml\"\n[grid]\n\"agents.noise.speed\" = [1]\n",
    );
    let o = flowsim([OsStr::new("validate"), bad.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    assert_located(&text(&o.stderr), &bad, 3, "`agents.noise.speed`");

    // The README's `flowsim validate experiments/*.toml`: scenarios and sweeps side by side.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.iter().any(|f| f.ends_with("baseline_sweep.toml")));
    let mut args = vec![OsStr::new("validate")];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let o = flowsim(&args);
    assert_success(&o, "validate experiments/*.toml");
    assert!(
        text(&o.stdout).contains("6 points x 8 seeds = 48 runs"),
        "{}",
        text(&o.stdout)
    );
}
