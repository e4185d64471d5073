//! Helpers shared by the integration tests: scratch folders, folder and file comparison, CSV
//! reading, running the binary, and running a scenario through the library.
//!
//! The integration-test crate (`tests/it/main.rs`) includes it as its `common` module; each test
//! module uses only part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use flowsim::market::RunOutcome;
use flowsim::record::MemorySink;
use flowsim::scenario::{self, build};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_flowsim");

/// A uniquely named folder under the system temp dir, removed when dropped.
pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "flowsim-test-{}-{}-{nanos}-{tag}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("create scratch folder");
        Scratch { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write scratch file");
        p
    }

    /// Names in the folder, hidden ones included.
    pub fn entries(&self) -> BTreeSet<String> {
        entries(&self.dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Names in a folder, hidden ones included.
pub fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// A CSV file's header and rows, as text.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = rdr
        .headers()
        .expect("csv header")
        .iter()
        .map(String::from)
        .collect();
    let rows = rdr
        .records()
        .map(|r| r.expect("csv record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A CSV file's rows as maps from column name to text.
pub fn read_csv_maps(path: &Path) -> Vec<BTreeMap<String, String>> {
    let (header, rows) = read_csv(path);
    rows.into_iter()
        .map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

/// A column of a CSV row (see [`read_csv_maps`]), parsed.
#[track_caller]
pub fn num<T: std::str::FromStr>(row: &BTreeMap<String, String>, col: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    row.get(col)
        .unwrap_or_else(|| panic!("no column {col:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("column {col:?} in {row:?}: {e:?}"))
}

/// Two files are byte-identical.
#[track_caller]
pub fn assert_same_file(a: &Path, b: &Path) {
    assert!(
        std::fs::read(a).unwrap_or_else(|e| panic!("{}: {e}", a.display()))
            == std::fs::read(b).unwrap_or_else(|e| panic!("{}: {e}", b.display())),
        "{} and {} differ",
        a.display(),
        b.display()
    );
}

/// Two folders hold the same names, and every file in them is byte-identical (recursively).
#[track_caller]
pub fn assert_same_tree(a: &Path, b: &Path) {
    let (ea, eb) = (entries(a), entries(b));
    assert_eq!(
        ea,
        eb,
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    for name in ea {
        let (pa, pb) = (a.join(&name), b.join(&name));
        if pa.is_dir() {
            assert_same_tree(&pa, &pb);
        } else {
            assert_same_file(&pa, &pb);
        }
    }
}

/// Bytes a process printed, as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs the binary with `args` in `cwd` (the test's own working directory when `None`).
pub fn flowsim_in<I, S>(cwd: Option<&Path>, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    cmd.output().expect("start flowsim")
}

/// Runs the binary with `args`.
pub fn flowsim<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    flowsim_in(None, args)
}

/// The command succeeded; otherwise fails showing its exit status, stdout and stderr.
#[track_caller]
/// 1-based line of the first line of `text` containing `needle`.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not in the scenario"))
        + 1
}

pub fn assert_success(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
}

/// The message locates the problem: `<file>:<line>:` and the field's name.
#[track_caller]
pub fn assert_located(err: &str, file: &Path, line: usize, field: &str) {
    let at = format!("{}:{line}:", file.display());
    assert!(err.contains(&at), "message does not point at {at}\n{err}");
    assert!(
        err.contains(field),
        "message does not name {field:?}\n{err}"
    );
}

/// `flowsim sweep FILE --out OUT [extra…]`.
pub fn sweep(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![
        "sweep".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    flowsim(&args)
}

/// `flowsim sweep FILE --out OUT [extra…]`, which must succeed.
#[track_caller]
pub fn sweep_ok(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let o = sweep(file, out, extra);
    assert_success(&o, &format!("flowsim sweep {} {extra:?}", file.display()));
    o
}

/// `flowsim run SCENARIO --out OUT [extra…]`, which must succeed.
#[track_caller]
pub fn run_ok(scenario: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![
        "run".as_ref(),
        scenario.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let o = flowsim(&args);
    assert_success(&o, &format!("flowsim run {}", scenario.display()));
    o
}

/// Runs a scenario through the library with `seed`; `checked` verifies the book and ledger
/// invariants after every operation and conservation at every close, `keep_trades` keeps the
/// trade rows in the sink.
pub fn simulate(
    src: &str,
    seed: u64,
    checked: bool,
    keep_trades: bool,
) -> (MemorySink, RunOutcome) {
    let s = scenario::parse(Path::new("test.toml"), src).expect("valid scenario");
    let mut sim = build::build_with(&s, Path::new("."), seed, checked).expect("builds");
    let mut sink = MemorySink {
        keep_trades,
        ..Default::default()
    };
    let out = sim
        .run(&mut sink, &mut |_, _| {})
        .expect("run keeps its invariants");
    (sink, out)
}

/// A small market that still trades a lot: 2 market makers, 30 noise and 5 value traders for
/// two days with a short synthetic pre-history. Runs in about 0.1 s.
pub const TINY: &str = r#"name = "tiny"
seed = 5
days = 2

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
count = 30

[agents.value]
count = 5
"#;

/// The tiny market with its first three lines (name, seed, days) replaced by `head` and
/// `tail` appended after its last table: a variant of it without a copy of it. What `head`
/// puts on line 4 stays on line 4.
pub fn tiny(head: &str, tail: &str) -> String {
    let body = TINY
        .splitn(4, '\n')
        .nth(3)
        .expect("TINY starts with name, seed and days");
    format!("{head}\n{body}{tail}")
}
