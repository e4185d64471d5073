//! The architecture invariants of ARCHITECTURE.md that a grep can enforce.

use std::path::Path;

fn source(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rust_files(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    v
}

/// Code lines only: comments are allowed to talk about floats.
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn matching_code_uses_no_floating_point_and_no_io() {
    // The benchmark stream generator (stream.rs) draws random distances with floats; it feeds
    // the book integer orders and is not part of matching.
    for f in rust_files("src/book") {
        if f.ends_with("stream.rs") {
            continue;
        }
        let c = code(&source(&f));
        for banned in ["f32", "f64", "std::fs", "std::io", "println!", "Instant"] {
            assert!(!c.contains(banned), "{f} uses {banned}");
        }
    }
}

#[test]
fn agents_never_touch_a_book() {
    for f in rust_files("src/agents") {
        let c = code(&source(&f));
        for banned in ["OrderBook", "ReferenceBook", "MatchingEngine", "std::fs"] {
            assert!(
                !c.contains(banned),
                "{f} mentions {banned}: agents return actions"
            );
        }
    }
}

#[test]
fn analysis_reads_no_files() {
    for f in rust_files("src/analysis") {
        let c = code(&source(&f));
        for banned in ["std::fs", "File::open", "read_to_string"] {
            assert!(
                !c.contains(banned),
                "{f} uses {banned}: analysis gets its data from record"
            );
        }
    }
}

#[test]
fn a_run_is_reproducible_without_wall_clock_or_hash_order() {
    // Simulation state must not depend on the clock or on HashMap iteration order.
    for dir in ["src/market", "src/agents", "src/book"] {
        for f in rust_files(dir) {
            if f.ends_with("stream.rs") {
                continue;
            }
            let c = code(&source(&f));
            for banned in [
                "SystemTime",
                "Instant::now",
                "thread_rng",
                "HashMap",
                "HashSet",
            ] {
                assert!(!c.contains(banned), "{f} uses {banned}");
            }
        }
    }
}

#[test]
fn sweep_results_do_not_depend_on_thread_shard_or_clock() {
    // A sweep's run folders and tables are functions of the sweep file alone: the one run
    // code path and the sweep module read no clock, no thread identity and no hash order.
    let mut files = rust_files("src/sweep");
    files.push("src/run.rs".to_string());
    for f in files {
        let c = code(&source(&f));
        for banned in [
            "SystemTime",
            "Instant",
            "thread::current",
            "HashMap",
            "HashSet",
            "thread_rng",
        ] {
            assert!(!c.contains(banned), "{f} uses {banned}");
        }
    }
}

#[test]
fn sweep_runs_go_through_the_one_run_code_path() {
    // `flowsim run`, every sweep run and the Python package write their folder through
    // `run::execute`; nothing else makes a run writer, a summary or a calibration recorder.
    for f in rust_files("src/sweep")
        .into_iter()
        .chain(rust_files("src/cli"))
        .chain(rust_files("python/src"))
    {
        let c = code(&source(&f));
        for banned in ["RunWriter", "Summary::new", "CalibrationRecorder"] {
            assert!(!c.contains(banned), "{f} uses {banned}: call run::execute");
        }
    }
}
