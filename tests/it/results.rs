//! The committed reference results (`results/`) are what the experiments produce: every
//! experiment listed in `results/EXPERIMENTS` is rerun at its documented seed and its
//! `summary.json` must come out byte for byte the same. `scripts/refresh-results.sh` rewrites
//! them after a change that moves the numbers.

use crate::common::{Scratch, run_ok};
use std::path::Path;

#[test]
fn experiments_reproduce_their_committed_summaries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("results/EXPERIMENTS")).expect("results list");
    let names: Vec<&str> = list.split_whitespace().collect();
    assert!(names.len() >= 5, "{names:?}");
    let scratch = Scratch::new("results");
    // Two at a time (CI machines have two cores). Every table is written, as the committed
    // runs were: `--tables` is part of the run's scenario, and so of its summary's hash.
    let check = |name: &str| {
        let out = scratch.path(name);
        let scenario = root.join(format!("experiments/{name}.toml"));
        run_ok(&scenario, &out, &["--quiet", "--no-report"]);
        let got = std::fs::read_to_string(out.join("summary.json")).expect("new summary");
        let want = std::fs::read_to_string(root.join(format!("results/{name}/summary.json")))
            .expect("committed summary");
        assert!(
            got == want,
            "{name}: the summary differs from results/{name}/summary.json \
             (rerun scripts/refresh-results.sh if the change is meant to move results)\n\
             got:\n{got}"
        );
        for part in ["report.html", "charts"] {
            assert!(
                root.join(format!("results/{name}/{part}")).exists(),
                "{name}/{part}"
            );
        }
    };
    for pair in names.chunks(2) {
        std::thread::scope(|s| {
            for name in pair {
                s.spawn(|| check(name));
            }
        });
    }
}
