//! The committed reference results (`results/`) are what the experiments produce: every
//! experiment listed in `results/EXPERIMENTS` is rerun at its documented seed and its
//! `summary.json` must come out byte for byte the same. `scripts/refresh-results.sh` rewrites
//! them after a change that moves the numbers.

mod common;

use common::Scratch;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_flowsim");

#[test]
fn experiments_reproduce_their_committed_summaries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = std::fs::read_to_string(root.join("results/EXPERIMENTS")).expect("results list");
    let names: Vec<&str> = list.split_whitespace().collect();
    assert!(names.len() >= 5, "{names:?}");
    let scratch = Scratch::new("results");
    for name in names {
        let out = scratch.path(name);
        let run = Command::new(BIN)
            .args(["run", "--quiet", "--no-report", "--out"])
            .arg(&out)
            .arg(root.join(format!("experiments/{name}.toml")))
            .output()
            .expect("run flowsim");
        assert!(
            run.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
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
    }
}
