//! `flowsim bench book --write-stream` / `--read-stream`: a written stream read back gives the
//! same fills as the generated one, and a bad file is refused with its line and field named.

use crate::common::{Scratch, assert_located, assert_success, flowsim, text};

/// The line of `flowsim bench book`'s output with the flowsim book's totals.
fn totals(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| l.contains("trades ") && l.contains("traded quantity"))
        .unwrap_or_else(|| panic!("no totals line in:\n{stdout}"))
}

#[test]
fn a_written_stream_read_back_gives_the_same_fills() {
    let s = Scratch::new("book-stream-round-trip");
    let file = s.path("stream.csv");
    for share in ["0.45", "0.25"] {
        let args = ["bench", "book", "--orders", "20000", "--runs", "1"];
        let written = flowsim(
            args.iter()
                .copied()
                .chain(["--cancel-share", share, "--write-stream"])
                .chain([file.to_str().unwrap()]),
        );
        assert_success(&written, "bench book --write-stream");
        let read = flowsim([
            "bench",
            "book",
            "--runs",
            "1",
            "--read-stream",
            file.to_str().unwrap(),
        ]);
        assert_success(&read, "bench book --read-stream");
        let (w, r) = (text(&written.stdout), text(&read.stdout));
        assert_eq!(totals(&w), totals(&r), "written:\n{w}\nread:\n{r}");
        // Both runs check the flat-array and the reference book against the flowsim book.
        for out in [&w, &r] {
            assert!(out.contains("flat book:"), "{out}");
            assert!(out.contains("flowsim / flat:"), "{out}");
            assert!(out.contains("reference book:"), "{out}");
        }
        assert!(r.contains("20000 operations, read from"), "{r}");
        let csv = std::fs::read_to_string(&file).unwrap();
        assert!(
            csv.starts_with("op,side,price,qty,limit_no\n"),
            "{csv:.200}"
        );
        assert_eq!(csv.lines().count(), 20_001);
    }
}

#[test]
fn a_hand_written_stream_trades_as_written() {
    let s = Scratch::new("book-stream-hand");
    let file = s.write(
        "s.csv",
        "op,side,price,qty,limit_no\n\
         limit,sell,101,5,\n\
         limit,sell,102,5,\n\
         limit,buy,99,7,\n\
         cancel,,,,1\n\
         market,buy,,8,\n\
         cancel,,,,0\n\
         limit,sell,98,10,\n",
    );
    let out = flowsim([
        "bench",
        "book",
        "--runs",
        "1",
        "--read-stream",
        file.to_str().unwrap(),
    ]);
    assert_success(&out, "bench book --read-stream");
    // The market buy takes 5 at 101 and cancels 3 (102 was cancelled); the cancel of limit 0
    // is refused (it traded away); the sell at 98 takes 7 from the bid at 99 and rests 3.
    let stdout = text(&out.stdout);
    assert!(
        totals(&stdout).contains("trades 2, traded quantity 12, cancellations 2"),
        "{stdout}"
    );
}

#[test]
fn a_bad_stream_file_is_refused_at_its_line_and_field() {
    let s = Scratch::new("book-stream-bad");
    let head = "op,side,price,qty,limit_no\nlimit,buy,100,5,\n";
    for (body, line, field) in [
        ("limit,buy,-3,5,\n", 3, "price"),
        ("limit,buy,100,0,\n", 3, "qty"),
        ("limit,up,100,5,\n", 3, "side"),
        ("market,sell,,x,\n", 3, "qty"),
        ("market,sell,100,5,\n", 3, "price"),
        ("cancel,,,,1\n", 3, "limit_no"),
        ("cancel,,,,\n", 3, "limit_no"),
        ("modify,buy,100,5,\n", 3, "op"),
        ("limit,buy,100,5,\nlimit,buy,100\n", 4, "fields"),
    ] {
        let file = s.write("bad.csv", &format!("{head}{body}"));
        let out = flowsim(["bench", "book", "--read-stream", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{body:?}: {out:?}");
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_located(&stderr, &file, line, field);
    }
    let file = s.write(
        "header.csv",
        "side,op,price,qty,limit_no\nlimit,buy,100,5,\n",
    );
    let out = flowsim(["bench", "book", "--read-stream", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_located(&text(&out.stderr), &file, 1, "header");
    let file = s.write("empty.csv", "op,side,price,qty,limit_no\n");
    let out = flowsim(["bench", "book", "--read-stream", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no operations"), "{out:?}");
    let missing = s.path("missing.csv");
    let out = flowsim(["bench", "book", "--read-stream", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing.csv"), "{out:?}");
}

#[test]
fn read_stream_conflicts_with_the_generator_options() {
    let out = flowsim([
        "bench",
        "book",
        "--read-stream",
        "x.csv",
        "--cancel-share",
        "0.25",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot be used with"), "{out:?}");
}
