//! The sweep's charts and report through the real binary: drawn after a sweep and after
//! `--merge`, byte-identical whatever the thread count or sharding, and skipped with
//! `--no-charts`. Uses the tiny sweep of `tests/data/sweep/` (2 points × 2 seeds).

use crate::common::{Scratch, assert_same_file, assert_same_tree, entries, sweep_ok, text};
use std::path::{Path, PathBuf};

/// The scratch folder with copies of the tiny sweep and its base scenario; returns the sweep
/// file's path.
fn setup(s: &Scratch) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sweep");
    for name in ["tiny.toml", "tiny_sweep.toml"] {
        s.write(name, &std::fs::read_to_string(data.join(name)).unwrap());
    }
    s.path("tiny_sweep.toml")
}

/// The charts folder and the report of two sweep outputs, compared byte for byte.
#[track_caller]
fn assert_same_charts(a: &Path, b: &Path) {
    assert_same_tree(&a.join("charts"), &b.join("charts"));
    assert_same_file(&a.join("report.html"), &b.join("report.html"));
}

#[test]
fn charts_do_not_depend_on_threads_or_shards() {
    let s = Scratch::new("sweep-charts");
    let file = setup(&s);
    let (one, two, sharded) = (s.path("one"), s.path("two"), s.path("sharded"));

    let o = sweep_ok(&file, &one, &["--threads", "1"]);
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains(&format!("charts: {}", one.join("charts").display()))
            && stdout.contains(&format!("report: {}", one.join("report.html").display())),
        "the command says where the charts are:\n{stdout}"
    );
    let names = entries(&one.join("charts"));
    for stem in ["drawdown-SPX", "fan-SPX", "param-agents_noise_count-SPX"] {
        for ext in ["png", "svg"] {
            assert!(names.contains(&format!("{stem}.{ext}")), "{names:?}");
        }
    }
    assert!(
        !names.iter().any(|n| n.starts_with('.')),
        "no leftovers: {names:?}"
    );
    let report = std::fs::read_to_string(one.join("report.html")).unwrap();
    for needle in [
        "charts/drawdown-SPX.svg",
        "charts/fan-SPX.svg",
        "charts/param-agents_noise_count-SPX.svg",
        "sweep.csv",
        "agents.noise.count",
    ] {
        assert!(report.contains(needle), "report.html lacks {needle}");
    }
    assert!(
        !report.contains(&*s.dir.to_string_lossy()),
        "the report names no absolute path, so it moves with the folder"
    );

    sweep_ok(&file, &two, &["--threads", "2"]);
    assert_same_charts(&one, &two);

    // Shards draw nothing; the merge draws the same charts as the unsharded sweep.
    sweep_ok(&file, &sharded, &["--shard", "0/2", "--threads", "1"]);
    sweep_ok(&file, &sharded, &["--shard", "1/2", "--threads", "2"]);
    assert!(!sharded.join("charts").exists() && !sharded.join("report.html").exists());
    sweep_ok(&file, &sharded, &["--merge"]);
    assert_same_charts(&one, &sharded);

    // Redrawing over existing charts (a rerun with everything done) gives the same bytes.
    sweep_ok(&file, &two, &["--threads", "2"]);
    assert_same_charts(&one, &two);
    assert_eq!(entries(&two.join("charts")), names);
}

#[test]
fn no_charts_writes_the_tables_only() {
    let s = Scratch::new("sweep-no-charts");
    let file = setup(&s);
    let out = s.path("out");
    let o = sweep_ok(&file, &out, &["--threads", "2", "--no-charts"]);
    assert!(out.join("sweep.csv").exists());
    assert!(!out.join("charts").exists() && !out.join("report.html").exists());
    assert!(!text(&o.stdout).contains("charts:"));
}
