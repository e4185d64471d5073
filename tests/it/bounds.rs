//! Every input bounded, through the real binary: scenario values outside their documented
//! ranges (README.md, "Ranges") are refused by `validate` and `run` alike with a message naming
//! the file, the line and the field, before anything is written; work above the cost limits
//! is refused unless `--yes`; command-line numbers out of range (negative ones included) are
//! named; `report` refuses what is not a run. Each case must end within seconds: a generous
//! timeout turns a hang into a failure.

use crate::common::{Scratch, assert_located, line_of, text};
use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A small market with a table for every kind of value the cases below change.
const BASE: &str = r#"name = "bounds"
seed = 3
days = 2

[calendar]
bar_seconds = 60

[prehistory]
kind = "synthetic"
days = 30

[market]
borrow_fee_annual = 0.0

[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0

[[flows]]
day = 2
start = "10:00"
end = "11:00"
instrument = "SPX"
side = "sell"
usd = 1e9

[agents.market_maker]
count = 2

[agents.noise]
count = 30

[agents.value]
count = 5

[agents.vol_target]
count = 2
"#;

/// Generous: a refusal takes milliseconds; only a hang comes near it.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs the binary, failing the test if it has not ended within [`TIMEOUT`].
fn flowsim_timed<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(crate::common::BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start flowsim");
    // Drain the pipes on threads so a chatty child never blocks on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let e = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for flowsim") {
            break s;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("flowsim did not end within {TIMEOUT:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
    }
}

/// `BASE` with `from` replaced by `to`; `from` must occur.
fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} is not in the base scenario");
    BASE.replacen(from, to, 1)
}

/// The scenario `text` is refused by `validate` and by `run`: exit 1, no panic, the message
/// names the file, the line of `needle` and `field`, and nothing is written.
#[track_caller]
fn refused(text: &str, needle: &str, field: &str) {
    let s = Scratch::new("bounds");
    let file = s.write("scenario.toml", text);
    let line = line_of(text, needle);
    let before = s.entries();

    let o = flowsim_timed([OsStr::new("validate"), file.as_os_str()]);
    let err = text_of(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "validate: {err}");
    assert_located(&err, &file, line, field);

    let out = s.path("out");
    let o = flowsim_timed([
        OsStr::new("run"),
        file.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let err = text_of(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "run: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_located(&err, &file, line, field);
    assert!(!out.exists(), "a refused run wrote {}", out.display());
    assert_eq!(s.entries(), before, "a refused run left something behind");
}

fn text_of(b: &[u8]) -> String {
    text(b)
}

/// Sets `key = value` as the first key of `[table]` and expects it refused, naming `field`.
#[track_caller]
fn refused_in(table: &str, key: &str, value: &str, field: &str) {
    let header = format!("[{table}]\n");
    let text = edit(&header, &format!("{header}{key} = {value}\n"));
    refused(&text, &format!("{key} = {value}"), field);
}

#[test]
fn the_base_scenario_is_accepted() {
    let s = Scratch::new("bounds-base");
    let file = s.write("scenario.toml", BASE);
    let o = flowsim_timed([OsStr::new("validate"), file.as_os_str()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("events") && out.contains("disk"), "{out}");
    // A fundamental step that does not divide the news bursts' default 60 s is fine while
    // the bursts are off (it was refused when the option came in).
    let slow = s.write(
        "slow_steps.toml",
        &edit("[market]\n", "[market]\nfundamental_step_seconds = 120\n"),
    );
    let o = flowsim_timed([OsStr::new("validate"), slow.as_os_str()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn runaway_rates_are_refused_before_they_hang() {
    // Each of these panicked at the event-queue limit or never finished a day.
    refused_in(
        "agents.noise",
        "orders_per_day",
        "1e308",
        "agents.noise.orders_per_day",
    );
    refused_in(
        "agents.noise",
        "orders_per_day",
        "1e9",
        "agents.noise.orders_per_day",
    );
    refused_in(
        "agents.value",
        "decisions_per_day",
        "1e9",
        "agents.value.decisions_per_day",
    );
    refused_in(
        "agents.noise",
        "activity_feedback",
        "1e308",
        "agents.noise.activity_feedback",
    );
    refused_in(
        "agents.market_maker",
        "requote_seconds",
        "1e308",
        "agents.market_maker.requote_seconds",
    );
    refused_in(
        "agents.market_maker",
        "requote_seconds",
        "1e-9",
        "agents.market_maker.requote_seconds",
    );
    refused_in(
        "market",
        "fundamental_step_seconds",
        "0",
        "market.fundamental_step_seconds",
    );
}

#[test]
fn unbounded_counts_and_allocations_are_refused() {
    refused(
        &edit(
            "[agents.noise]\ncount = 30",
            "[agents.noise]\ncount = 10000000",
        ),
        "count = 10000000",
        "agents.noise.count",
    );
    refused(
        &edit(
            "[agents.value]\ncount = 5",
            "[agents.value]\ncount = 4294967295",
        ),
        "count = 4294967295",
        "agents.value.count",
    );
    refused(
        &edit(
            "[agents.vol_target]\ncount = 2",
            "[agents.vol_target]\ncount = 1000000000",
        ),
        "count = 1000000000",
        "agents.vol_target.count",
    );
    refused(
        &edit(
            "[agents.market_maker]\ncount = 2",
            "[agents.market_maker]\ncount = 1000000",
        ),
        "count = 1000000",
        "agents.market_maker.count",
    );
    refused_in(
        "agents.market_maker",
        "layers",
        "4294967295",
        "agents.market_maker.layers",
    );
    // Each count in range, but too many agents in all: 5 instruments × 210 000.
    let more: String = (1..5)
        .map(|k| {
            format!(
                "[[instruments]]\nsymbol = \"I{k}\"\ninitial_price = 100.0\nnotional_per_unit = 1.0\n\n"
            )
        })
        .collect();
    let text = edit("[[flows]]", &format!("{more}[[flows]]"))
        .replace(
            "[agents.market_maker]\ncount = 2",
            "[agents.market_maker]\ncount = 10000",
        )
        .replace(
            "[agents.noise]\ncount = 30",
            "[agents.noise]\ncount = 100000",
        )
        .replace(
            "[agents.value]\ncount = 5",
            "[agents.value]\ncount = 100000",
        );
    refused(&text, "[agents.market_maker]", "`agents`");
}

#[test]
fn calendar_minutes_that_overflowed_32_bits_are_refused() {
    refused_in(
        "calendar",
        "preopen_minutes",
        "71582789",
        "calendar.preopen_minutes",
    );
    refused_in(
        "calendar",
        "closing_auction_minutes",
        "71582789",
        "calendar.closing_auction_minutes",
    );
}

#[test]
fn latencies_durations_and_volatilities_are_bounded() {
    refused_in(
        "agents.market_maker",
        "latency_us",
        "9223372036854775807",
        "agents.market_maker.latency_us",
    );
    refused_in(
        "agents.noise",
        "latency_us",
        "600000",
        "agents.noise.latency_us",
    );
    refused_in(
        "agents.noise",
        "lifetime_minutes",
        "1e308",
        "agents.noise.lifetime_minutes",
    );
    refused_in(
        "agents.noise",
        "inventory_horizon_minutes",
        "-5.0",
        "agents.noise.inventory_horizon_minutes",
    );
    refused_in(
        "agents.market_maker",
        "withdraw_minutes",
        "100000",
        "agents.market_maker.withdraw_minutes",
    );
    refused(
        &edit(
            "notional_per_unit = 50.0\n",
            "notional_per_unit = 50.0\nannual_vol = 1e308\n",
        ),
        "annual_vol",
        "instruments[0].annual_vol",
    );
    refused(
        &edit(
            "notional_per_unit = 50.0\n",
            "notional_per_unit = 50.0\njump_sd = 100.0\n",
        ),
        "jump_sd",
        "instruments[0].jump_sd",
    );
    for (key, bad) in [
        ("vol_leverage", "-1.5"),
        ("liquidity_scale", "0.0"),
        // A Student-t needs more than 2 degrees of freedom for a finite variance.
        ("burst_nu", "2.2"),
    ] {
        refused(
            &edit(
                "notional_per_unit = 50.0\n",
                &format!("notional_per_unit = 50.0\n{key} = {bad}\n"),
            ),
            key,
            &format!("instruments[0].{key}"),
        );
    }
    // With bursts on, a burst is a whole number of fundamental steps (10 s here).
    for bad in ["25", "0"] {
        refused(
            &edit(
                "notional_per_unit = 50.0\n",
                &format!("notional_per_unit = 50.0\nburst_nu = 3.0\nburst_seconds = {bad}\n"),
            ),
            &format!("burst_seconds = {bad}"),
            "instruments[0].burst_seconds",
        );
    }
    refused_in(
        "agents.market_maker",
        "min_half_spread_ticks",
        "0.25",
        "agents.market_maker.min_half_spread_ticks",
    );
}

/// The latent book's values are bounded too, and its grid (one cell per tick) is kept to a
/// million cells a trader.
#[test]
fn latent_liquidity_values_are_bounded() {
    let latent = |key: &str, value: &str| {
        edit(
            "[agents.value]\ncount = 5\n",
            &format!(
                "[agents.value]\ncount = 5\nlimit = \"latent\"\n[agents.value.latent]\n{key} = {value}\n"
            ),
        )
    };
    for (key, bad) in [
        ("memory_days", "0.0"),
        ("width", "0.9"),
        ("reveal_share", "1.5"),
        ("far_usd_per_pct", "1e30"),
        ("span", "0.5000001"),
        ("evolve_seconds", "-1.0"),
        ("elasticity_usd_per_pct", "-1e9"),
        ("elasticity_usd_per_pct", "1.0"),
    ] {
        refused(
            &latent(key, bad),
            &format!("{key} = {bad}"),
            &format!("agents.value.latent.{key}"),
        );
    }
    refused(
        &latent("span", "0.5").replace("tick_size = 0.25", "tick_size = 0.0001"),
        "span = 0.5",
        "agents.value.latent.span",
    );
    // The fast population: each of its values bounded, and located in its own table.
    let fast = |key: &str, value: &str| {
        let keys = [
            "far_usd_per_pct = 35e9",
            "width = 0.0002",
            "memory_days = 1.0",
        ]
        .map(|kv| {
            if kv.starts_with(key) {
                format!("{key} = {value}")
            } else {
                kv.to_string()
            }
        })
        .join("\n");
        edit(
            "[agents.value]\ncount = 5\n",
            &format!(
                "[agents.value]\ncount = 5\nlimit = \"latent\"\n[agents.value.latent.fast]\n{keys}\n"
            ),
        )
    };
    for (key, bad) in [
        ("far_usd_per_pct", "0.0"),
        ("far_usd_per_pct", "1e30"),
        ("width", "-0.001"),
        ("width", "0.9"),
        ("memory_days", "0.0"),
        ("memory_days", "1e4"),
    ] {
        refused(
            &fast(key, bad),
            &format!("{key} = {bad}"),
            &format!("agents.value.latent.fast.{key}"),
        );
    }
}

#[test]
fn dollar_sizes_are_bounded() {
    refused_in(
        "agents.market_maker",
        "quote_usd",
        "1e30",
        "agents.market_maker.quote_usd",
    );
    refused_in(
        "agents.market_maker",
        "inventory_limit_usd",
        "1e308",
        "agents.market_maker.inventory_limit_usd",
    );
    refused_in(
        "agents.noise",
        "order_usd",
        "1e308",
        "agents.noise.order_usd",
    );
    refused_in(
        "agents.value",
        "max_position_usd",
        "1e30",
        "agents.value.max_position_usd",
    );
    refused_in(
        "agents.value",
        "usd_per_pct",
        "1e308",
        "agents.value.usd_per_pct",
    );
    refused(
        &edit("notional_per_unit = 50.0", "notional_per_unit = 1e308"),
        "notional_per_unit",
        "instruments[0].notional_per_unit",
    );
    refused(
        &edit("usd = 1e9", "usd = 1e30"),
        "usd = 1e30",
        "flows[0].usd",
    );
}

#[test]
fn a_price_off_the_tick_grid_is_an_error_not_a_rounding() {
    refused(
        &edit("initial_price = 5000.0", "initial_price = 5000.1"),
        "initial_price",
        "instruments[0].initial_price",
    );
}

#[test]
fn a_bad_prehistory_days_names_days() {
    for bad in ["-1", "\"many\"", "5001"] {
        refused(
            &edit("days = 30", &format!("days = {bad}")),
            &format!("days = {bad}"),
            "prehistory.days",
        );
    }
}

#[test]
fn a_wrong_type_is_named_in_words() {
    refused(
        &edit("[agents.noise]\ncount = 30", "[agents.noise]\ncount = -3"),
        "count = -3",
        "expected a whole number from 0 to 4294967295",
    );
}

#[test]
fn huge_work_is_estimated_and_refused_without_yes() {
    let s = Scratch::new("bounds-huge");
    let file = s.write("big.toml", &edit("days = 2\n", "days = 100000\n"));
    // validate accepts it (the values are in range) and shows the estimate.
    let o = flowsim_timed([OsStr::new("validate"), file.as_os_str()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("GB disk"), "{}", text(&o.stdout));
    let before = s.entries();
    let out = s.path("out");
    let o = flowsim_timed([
        OsStr::new("run"),
        file.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("estimate"), "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert!(err.contains("big.toml"), "{err}");
    assert!(!out.exists());
    assert_eq!(s.entries(), before);

    // So is a bench of it (in memory: no disk, but hours).
    let o = flowsim_timed([
        OsStr::new("bench"),
        file.as_os_str(),
        OsStr::new("--runs"),
        OsStr::new("1"),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--yes"), "{err}");

    // A sweep of too many runs is refused before it creates its folder.
    let tiny = s.write("tiny.toml", BASE);
    let sweep = s.write(
        "many.toml",
        "scenario = \"tiny.toml\"\nseeds = { first = 1, count = 1000000 }\n",
    );
    let _ = tiny;
    let o = flowsim_timed([
        OsStr::new("sweep"),
        sweep.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--threads"),
        OsStr::new("2"),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("1000000 runs") && err.contains("--yes"),
        "{err}"
    );
    assert!(!out.exists(), "a refused sweep created its folder");
    // Writing every table, it would fill terabytes: a warning says what `--tables sweep` saves.
    assert!(
        err.contains("warning:") && err.contains("`--tables sweep`"),
        "{err}"
    );
    let o = flowsim_timed([
        OsStr::new("sweep"),
        sweep.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--tables"),
        OsStr::new("sweep"),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("warning:"), "{err}");
    assert!(!out.exists());

    let help = flowsim_timed(["run", "--help"]);
    assert!(text(&help.stdout).contains("--yes"));
    let help = flowsim_timed(["sweep", "--help"]);
    assert!(text(&help.stdout).contains("--yes"));
}

#[test]
fn negative_and_huge_numbers_on_the_command_line_are_named() {
    let s = Scratch::new("bounds-cli");
    let file = s.write("scenario.toml", BASE);
    let f = file.to_str().unwrap();
    for (args, name) in [
        (vec!["run", f, "--seed", "-1"], "--seed"),
        (vec!["sweep", f, "--shard", "-1/2"], "--shard"),
        (
            vec![
                "replay",
                "--lobster",
                "m.csv",
                "--orderbook",
                "b.csv",
                "--out",
                "o.csv",
                "--tick",
                "-100",
            ],
            "--tick",
        ),
        (
            vec!["bench", "book", "--orders", "100000000000"],
            "--orders",
        ),
        (vec!["sweep", f, "--threads", "-2"], "--threads"),
    ] {
        let o = flowsim_timed(&args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!("invalid value '{}'", args[args.len() - 1])),
            "{args:?}: {err}"
        );
        assert!(err.contains(name), "{args:?}: {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
}

#[test]
fn report_refuses_what_is_not_a_run() {
    let s = Scratch::new("bounds-report");
    let file = s.write("scenario.toml", BASE);
    let run = s.path("run");
    let o = flowsim_timed([
        OsStr::new("run"),
        file.as_os_str(),
        OsStr::new("--out"),
        run.as_os_str(),
        OsStr::new("--quiet"),
        OsStr::new("--no-report"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    let copy = |name: &str| {
        let dir = s.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(&run).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        dir
    };
    let not_a_summary = copy("list");
    std::fs::write(not_a_summary.join("summary.json"), "[]").unwrap();
    let o = flowsim_timed([OsStr::new("report"), not_a_summary.as_os_str()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("summary.json"), "{err}");
    assert!(err.contains("not a flowsim run summary"), "{err}");

    let no_bars = copy("empty-bars");
    std::fs::write(no_bars.join("bars.csv"), "").unwrap();
    let o = flowsim_timed([OsStr::new("report"), no_bars.as_os_str()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("bars.csv"), "{err}");
    assert!(!err.contains("flows.csv"), "{err}");
    assert!(!err.contains(":0:"), "{err}");
}

#[test]
fn an_os_error_is_printed_once() {
    let s = Scratch::new("bounds-os");
    let file = s.write("scenario.toml", BASE);
    let blocker = s.write("afile", "not a folder");
    let o = flowsim_timed([
        OsStr::new("run"),
        file.as_os_str(),
        OsStr::new("--out"),
        blocker.join("sub").as_os_str(),
        OsStr::new("--quiet"),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    let o = flowsim_timed([
        OsStr::new("validate"),
        Path::new("no/such.toml").as_os_str(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}
