//! Every figure that `report.html` and `flowsim ablate` print, recomputed from the run's own
//! CSV tables by code written here, independently of `flowsim::analysis`: the printed text is
//! parsed back into numbers and compared within the rounding of its format. A figure that
//! prints the wrong quantity (a complement, an absolute value with a forced sign) fails here.

use crate::common::{Scratch, assert_success, flowsim, read_csv, run_ok, text};
use std::collections::BTreeMap;
use std::path::Path;

const SCENARIO: &str = r#"name = "figures"
seed = 11
days = 7

[prehistory]
kind = "synthetic"
days = 60

[[instruments]]
symbol = "SPX"
initial_price = 5000.0
tick_size = 0.25
notional_per_unit = 50.0

[[shocks]]
day = 2
time = "11:00"
instrument = "SPX"
fundamental_jump = -0.05

[agents.market_maker]
count = 2

[agents.noise]
count = 30

[agents.value]
count = 5

[agents.letf]

[agents.vol_target]
"#;

// ---------------------------------------------------------------- reading the printed text

/// The tables of an HTML report: caption → rows of cell texts (header row excluded).
fn html_tables(html: &str) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out = BTreeMap::new();
    for chunk in html.split("<table>").skip(1) {
        let body = chunk.split("</table>").next().unwrap();
        let caption = between(body, "<caption>", "</caption>").unwrap_or_default();
        let rows = body
            .split("<tr>")
            .skip(1)
            .filter(|r| r.contains("<td"))
            .map(|r| {
                r.split("<td")
                    .skip(1)
                    .map(|c| {
                        let c = &c[c.find('>').unwrap() + 1..];
                        unescape(c.split("</td>").next().unwrap())
                    })
                    .collect()
            })
            .collect();
        out.insert(unescape(&caption), rows);
    }
    out
}

/// The figure caption that starts with `prefix`.
fn caption(html: &str, prefix: &str) -> String {
    html.split("<figcaption>")
        .skip(1)
        .map(|c| unescape(c.split("</figcaption>").next().unwrap()))
        .find(|c| c.starts_with(prefix))
        .unwrap_or_else(|| panic!("no caption starting {prefix:?}"))
}

/// Slope, t and R² of y on x with an intercept (ordinary least squares, written out).
fn regression(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let syy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    let slope = sxy / sxx;
    let residual: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| {
            let e = b - (my + slope * (a - mx));
            e * e
        })
        .sum();
    let se = (residual / (n - 2.0) / sxx).sqrt();
    (slope, slope / se, 1.0 - residual / syy)
}

fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(s[i..j].to_string())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `12.5%` → 0.125.
fn percent(s: &str) -> f64 {
    s.trim()
        .strip_suffix('%')
        .unwrap_or_else(|| panic!("not a percentage: {s:?}"))
        .parse::<f64>()
        .unwrap_or_else(|_| panic!("not a percentage: {s:?}"))
        / 100.0
}

/// `-$1.25bn`, `$350m`, `$12.5k`, `$7` → dollars.
fn dollars(s: &str) -> f64 {
    let s = s.trim();
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, s),
    };
    let rest = rest
        .strip_prefix('$')
        .unwrap_or_else(|| panic!("not dollars: {s:?}"));
    let (num, scale) = [("tn", 1e12), ("bn", 1e9), ("m", 1e6), ("k", 1e3)]
        .iter()
        .find_map(|(u, k)| rest.strip_suffix(u).map(|n| (n, *k)))
        .unwrap_or((rest, 1.0));
    sign * scale
        * num
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("not dollars: {s:?}"))
}

/// `printed` is `want` written with `digits` significant digits.
fn close_to(what: &str, printed: f64, want: f64, digits: i32) {
    let tol = if want == 0.0 {
        1e-9
    } else {
        0.51 * 10f64.powi(want.abs().log10().floor() as i32 - digits + 1) + 1e-12
    };
    assert!(
        (printed - want).abs() <= tol,
        "{what}: printed {printed}, recomputed {want} (tolerance {tol})"
    );
}

/// `printed` is `want` written with `decimals` decimals.
fn near(what: &str, printed: f64, want: f64, decimals: i32) {
    let tol = 0.51 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (printed - want).abs() <= tol,
        "{what}: printed {printed}, recomputed {want} (tolerance {tol})"
    );
}

// ---------------------------------------------------------------- recomputing from the CSVs

struct Bar {
    day: u32,
    bar: u32,
    open: f64,
    close: f64,
    fundamental: f64,
    volume: f64,
}

fn bars(dir: &Path, symbol: &str) -> Vec<Bar> {
    let (h, rows) = read_csv(&dir.join("bars.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (d, b, i, c, f, o, v) = (
        col("day"),
        col("bar"),
        col("instrument"),
        col("close"),
        col("fundamental"),
        col("open"),
        col("volume"),
    );
    rows.iter()
        .filter(|r| r[i] == symbol)
        .map(|r| Bar {
            day: r[d].parse().unwrap(),
            bar: r[b].parse().unwrap(),
            open: r[o].parse().unwrap(),
            close: r[c].parse().unwrap(),
            fundamental: r[f].parse().unwrap(),
            volume: r[v].parse().unwrap(),
        })
        .collect()
}

/// Peak-to-trough: (depth, peak, trough) with the peak the highest close before the trough.
fn worst_fall(p: &[f64]) -> (f64, usize, usize) {
    let mut best = (0.0, 0, 0);
    for t in 0..p.len() {
        let (peak, hi) =
            p[..=t].iter().enumerate().fold(
                (0, f64::MIN),
                |(k, m), (j, &x)| if x > m { (j, x) } else { (k, m) },
            );
        let depth = (hi - p[t]) / hi;
        if depth > best.0 {
            best = (depth, peak, t);
        }
    }
    best
}

fn worst_rise(p: &[f64]) -> (f64, usize, usize) {
    let mut best = (0.0, 0, 0);
    for t in 0..p.len() {
        let (low, lo) =
            p[..=t].iter().enumerate().fold(
                (0, f64::MAX),
                |(k, m), (j, &x)| if x < m { (j, x) } else { (k, m) },
            );
        let up = p[t] / lo - 1.0;
        if up > best.0 {
            best = (up, low, t);
        }
    }
    best
}

#[derive(Default, Clone, Copy)]
struct Money {
    bought: f64,
    sold: f64,
    at_close: f64,
}

// ---------------------------------------------------------------- the tests

#[test]
fn every_report_figure_recomputes_from_the_csv_tables() {
    let s = Scratch::new("figures");
    let scenario = s.write("figures.toml", SCENARIO);
    let dir = s.path("run");
    run_ok(&scenario, &dir, &["-q"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let tables = html_tables(&html);

    // Drawdown, overshoot and reversal, from bars.csv.
    let b = bars(&dir, "SPX");
    let close: Vec<f64> = b.iter().map(|x| x.close).collect();
    let t = &tables["SPX: drawdown, overshoot and reversal"];
    let get = |name: &str| -> String {
        t.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("no row {name:?} in {t:?}"))[1]
            .clone()
    };
    let (dd, peak, trough) = worst_fall(&close);
    assert!(dd > 0.01, "the shock should make a drawdown: {dd}");
    close_to(
        "max drawdown",
        percent(&get("max drawdown (bar closes)")),
        dd,
        4,
    );
    let (up, low, high) = worst_rise(&close);
    close_to("max rally", percent(&get("max rally from a low")), up, 4);
    let last = *close.last().unwrap();
    let recovered = (last - close[trough]) / (close[peak] - close[trough]);
    close_to(
        "share of the drawdown recovered",
        percent(&get("share of the drawdown recovered by the end")),
        recovered,
        4,
    );
    let given_back = if up > 0.0 {
        (close[high] - last) / (close[high] - close[low])
    } else {
        0.0
    };
    close_to(
        "share of the rally given back",
        percent(&get("share of the largest rally given back by the end")),
        given_back,
        4,
    );
    close_to(
        "return over the run",
        percent(&get("return over the run")),
        last / close[0] - 1.0,
        4,
    );
    let days: std::collections::BTreeSet<u32> = b.iter().map(|x| x.day).collect();
    assert_eq!(get("days"), days.len().to_string());
    for (name, below) in [
        ("largest gap below value", true),
        ("largest gap above value", false),
    ] {
        let (mut gap, mut day) = (0.0, 0);
        for x in &b {
            let g = if below {
                1.0 - x.close / x.fundamental
            } else {
                x.close / x.fundamental - 1.0
            };
            if g > gap {
                (gap, day) = (g, x.day);
            }
        }
        let printed = get(name);
        let (p, d) = printed.split_once(" (day ").unwrap();
        close_to(name, percent(p), gap, 4);
        if gap > 0.0 {
            assert_eq!(d.trim_end_matches(')'), day.to_string(), "{name}");
        }
    }

    // Flows by class and by class and motive, from flows.csv; the close is each day's last bar.
    let last_bar: BTreeMap<u32, u32> = b.iter().fold(BTreeMap::new(), |mut m, x| {
        let e = m.entry(x.day).or_insert(0);
        *e = (*e).max(x.bar);
        m
    });
    let (h, rows) = read_csv(&dir.join("flows.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (cd, cb, cc, cm, cbu, csu) = (
        col("day"),
        col("bar"),
        col("class"),
        col("motive"),
        col("buy_usd"),
        col("sell_usd"),
    );
    let mut by_class: BTreeMap<String, Money> = BTreeMap::new();
    let mut by_motive: BTreeMap<(String, String), Money> = BTreeMap::new();
    for r in &rows {
        let (buy, sell): (f64, f64) = (r[cbu].parse().unwrap(), r[csu].parse().unwrap());
        let day: u32 = r[cd].parse().unwrap();
        let at_close = r[cb].parse::<u32>().unwrap() >= last_bar[&day];
        for m in [
            by_class.entry(r[cc].clone()).or_default(),
            by_motive.entry((r[cc].clone(), r[cm].clone())).or_default(),
        ] {
            m.bought += buy;
            m.sold += sell;
            if at_close {
                m.at_close += buy + sell;
            }
        }
    }
    let t = &tables["Flows by class"];
    assert_eq!(t.len(), by_class.len(), "{t:?}");
    for r in t {
        let m = by_class[&r[0]];
        close_to(&format!("{} bought", r[0]), dollars(&r[1]), m.bought, 3);
        close_to(&format!("{} sold", r[0]), dollars(&r[2]), m.sold, 3);
        close_to(
            &format!("{} net", r[0]),
            dollars(&r[3]),
            m.bought - m.sold,
            3,
        );
        let gross = m.bought + m.sold;
        let share = if gross > 0.0 { m.at_close / gross } else { 0.0 };
        close_to(&format!("{} at the close", r[0]), percent(&r[4]), share, 4);
    }
    // Intraday momentum: the last 30 one-minute bars' log return against the rest of the day's
    // (from the previous close; the first day from its first bar's open).
    let mut by_day: BTreeMap<u32, Vec<&Bar>> = BTreeMap::new();
    for x in &b {
        by_day.entry(x.day).or_default().push(x);
    }
    let (mut xs, mut ys, mut prev) = (Vec::new(), Vec::new(), None::<f64>);
    for day in by_day.values() {
        let last = day[day.len() - 1].close;
        let split = day[day.len() - 31].close;
        xs.push((split / prev.unwrap_or(day[0].open)).ln());
        ys.push((last / split).ln());
        prev = Some(last);
    }
    let (slope, tstat, r2) = regression(&xs, &ys);
    let cap = caption(&html, "SPX: intraday momentum over ");
    near(
        "momentum days",
        number_after(&cap, "over "),
        xs.len() as f64,
        0,
    );
    near("momentum slope", number_after(&cap, "slope "), slope, 3);
    near("momentum t", number_after(&cap, ", t "), tstat, 2);
    near("momentum R²", number_after(&cap, "R² "), r2, 3);

    // Stylized facts: one-minute log returns within days.
    let days: Vec<Vec<f64>> = by_day
        .values()
        .map(|d| {
            d.windows(2)
                .map(|w| (w[1].close / w[0].close).ln())
                .collect()
        })
        .collect();
    let all: Vec<f64> = days.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    let moment = |k: i32| all.iter().map(|r| (r - mean).powi(k)).sum::<f64>() / n;
    let kurtosis = moment(4) / moment(2).powi(2) - 3.0;
    let mut tail: Vec<f64> = all.iter().map(|r| r.abs()).filter(|r| *r > 0.0).collect();
    tail.sort_by(|p, q| q.total_cmp(p));
    let k = (tail.len() as f64 * 0.05) as usize;
    let hill = k as f64 / tail[..k].iter().map(|v| (v / tail[k]).ln()).sum::<f64>();
    let acf = |lag: usize| {
        let (mut num, mut count) = (0.0, 0.0);
        for d in &days {
            for i in lag..d.len() {
                num += (d[i] - mean) * (d[i - lag] - mean);
                count += 1.0;
            }
        }
        num / count / moment(2)
    };
    let max_acf = (5..=30).map(|l| acf(l).abs()).fold(0.0, f64::max);
    let per_bar: Vec<f64> = (1..=390)
        .map(|k| {
            let v: Vec<f64> = b.iter().filter(|x| x.bar == k).map(|x| x.volume).collect();
            v.iter().sum::<f64>() / v.len() as f64
        })
        .collect();
    let avg = |r: std::ops::Range<usize>| per_bar[r.clone()].iter().sum::<f64>() / r.len() as f64;
    let midday = avg(150..270);
    let cap = html
        .split("<figcaption>")
        .skip(1)
        .map(|c| unescape(c.split("</figcaption>").next().unwrap()))
        .find(|c| c.starts_with("SPX: ") && c.contains("one-minute returns"))
        .expect("stylized facts caption");
    near("returns", number_after(&cap, "SPX: "), n, 0);
    near(
        "excess kurtosis",
        number_after(&cap, "excess kurtosis "),
        kurtosis,
        1,
    );
    near("Hill", number_after(&cap, "Hill tail index "), hill, 2);
    near("max |ACF|", number_after(&cap, "lags 5–30 "), max_acf, 3);
    near(
        "first half hour",
        number_after(&cap, "half hour carry "),
        avg(0..30) / midday,
        1,
    );
    near(
        "last half hour",
        number_after(&cap, "× and "),
        avg(360..390) / midday,
        1,
    );

    // Feedback loops: each edge an OLS slope in the report's units, a loop's gain their product.
    let fit = |x: &[f64], y: &[f64]| -> Option<f64> {
        (x.len() >= 5).then(|| {
            let n = x.len() as f64;
            let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
            let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
            let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
            if sxx > 0.0 { sxy / sxx } else { 0.0 }
        })
    };
    let flow_rows: Vec<(u32, u32, String, f64)> = rows
        .iter()
        .map(|r| {
            let net: f64 = r[col("buy_usd")].parse::<f64>().unwrap()
                - r[col("sell_usd")].parse::<f64>().unwrap();
            (
                r[cd].parse().unwrap(),
                r[cb].parse().unwrap(),
                r[cc].clone(),
                net / 1e9,
            )
        })
        .collect();
    // Price impact of a class: bar log return (%) on its net flow in the bar ($bn).
    let impact = |class: &str| {
        let mut per_bar: BTreeMap<(u32, u32), f64> = BTreeMap::new();
        for (d, k, c, v) in &flow_rows {
            if c == class {
                *per_bar.entry((*d, *k)).or_insert(0.0) += v;
            }
        }
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for w in b.windows(2) {
            if let Some(q) = per_bar.get(&(w[1].day, w[1].bar)) {
                x.push(*q);
                y.push(100.0 * (w[1].close / w[0].close).ln());
            }
        }
        fit(&x, &y)
    };
    let day_flow = |class: &str, day: u32| -> f64 {
        flow_rows
            .iter()
            .filter(|(d, _, c, _)| *d == day && c == class)
            .map(|r| r.3)
            .sum()
    };
    let day_close: BTreeMap<u32, f64> = by_day
        .iter()
        .map(|(d, v)| (*d, v[v.len() - 1].close))
        .collect();
    let ret: BTreeMap<u32, f64> = day_close
        .iter()
        .zip(day_close.iter().skip(1))
        .map(|((_, a), (d, c))| (*d, 100.0 * (c / a - 1.0)))
        .collect();
    let mut want: BTreeMap<String, f64> = BTreeMap::new();
    // LETFs: the day's return (%) to the day's flow ($bn), and back through their impact.
    let (x, y): (Vec<f64>, Vec<f64>) = ret.iter().map(|(d, r)| (*r, day_flow("letf", *d))).unzip();
    if let (Some(a), Some(c)) = (fit(&x, &y), impact("letf")) {
        want.insert("price → letf → price".into(), a * c);
    }
    // Vol-targeters: the return moves σ̂ (mean over funds, in points), σ̂ moves tomorrow's flow.
    let (sh, sr) = read_csv(&dir.join("state.csv"));
    let sc = |n: &str| sh.iter().position(|c| c == n).unwrap();
    let mut sigma: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for r in sr.iter().filter(|r| {
        r[sc("class")] == "vol_target"
            && r[sc("metric")] == "vol_estimate"
            && r[sc("instrument")] == "SPX"
            && r[sc("at")].is_empty()
    }) {
        let e = sigma
            .entry(r[sc("day")].parse().unwrap())
            .or_insert((0.0, 0.0));
        e.0 += r[sc("value")].parse::<f64>().unwrap();
        e.1 += 1.0;
    }
    let sigma: Vec<(u32, f64)> = sigma.into_iter().map(|(d, (v, n))| (d, v / n)).collect();
    let dv: Vec<(u32, f64)> = sigma
        .windows(2)
        .map(|w| (w[1].0, w[1].1 - w[0].1))
        .collect();
    let (x, y): (Vec<f64>, Vec<f64>) = dv
        .iter()
        .filter_map(|(d, v)| Some((*ret.get(d)?, 100.0 * v)))
        .unzip();
    let (x2, y2): (Vec<f64>, Vec<f64>) = dv
        .iter()
        .map(|(d, v)| (100.0 * v, day_flow("vol_target", d + 1)))
        .unzip();
    if let (Some(a), Some(c), Some(e)) = (fit(&x, &y), fit(&x2, &y2), impact("vol_target")) {
        want.insert(
            "price → realised_vol → vol_target → price".into(),
            a * c * e,
        );
    }
    assert_eq!(want.len(), 2, "both loops should be measurable: {want:?}");
    let caption = "SPX: feedback loops through the price and their measured gains (edges in \
                   charts/feedback_SPX.dot)";
    let t = &tables[caption];
    let printed: BTreeMap<String, f64> = t
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect();
    assert_eq!(
        printed.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{printed:?}"
    );
    for (name, gain) in &want {
        near(name, printed[name], *gain, 3);
    }

    let t = &tables["Flows by class and motive"];
    assert_eq!(t.len(), by_motive.len(), "{t:?}");
    for r in t {
        let m = by_motive[&(r[0].clone(), r[1].clone())];
        let what = format!("{}/{}", r[0], r[1]);
        close_to(&format!("{what} bought"), dollars(&r[2]), m.bought, 3);
        close_to(&format!("{what} sold"), dollars(&r[3]), m.sold, 3);
        close_to(&format!("{what} net"), dollars(&r[4]), m.bought - m.sold, 3);
    }
}

/// The number after `key` in `line`, up to the first character that cannot be in a number.
fn number_after(line: &str, key: &str) -> f64 {
    let i = line
        .find(key)
        .unwrap_or_else(|| panic!("{key:?} not in {line:?}"))
        + key.len();
    let s: String = line[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
        .collect();
    // A number that ends a sentence: "R² 0.722."
    let s = s.strip_suffix('.').unwrap_or(&s);
    s.parse()
        .unwrap_or_else(|_| panic!("no number after {key:?} in {line:?}"))
}

#[test]
fn ablate_prints_what_its_two_runs_recompute_to() {
    let s = Scratch::new("figures-ablate");
    let scenario = s.write("figures.toml", SCENARIO);
    let out = s.path("abl");
    let o = flowsim([
        "ablate",
        scenario.to_str().unwrap(),
        "--without",
        "vol_target,letf",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_success(&o, "flowsim ablate");
    let stdout = text(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("SPX:"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let with: Vec<f64> = bars(&out.join("with"), "SPX")
        .iter()
        .map(|b| b.close)
        .collect();
    let without_bars = bars(&out.join("without"), "SPX");
    let without: Vec<f64> = without_bars.iter().map(|b| b.close).collect();
    let (dw, _, _) = worst_fall(&with);
    let (dwo, _, _) = worst_fall(&without);
    near(
        "drawdown with",
        number_after(line, "drawdown "),
        dw * 100.0,
        2,
    );
    near(
        "drawdown without",
        number_after(line, "% with, "),
        dwo * 100.0,
        2,
    );
    near("amplification", number_after(line, "(×"), dw / dwo, 2);
    let (rw, _, _) = worst_rise(&with);
    let (rwo, _, _) = worst_rise(&without);
    near("rally with", number_after(line, "rally "), rw * 100.0, 2);
    let rally_part = &line[line.find("rally ").unwrap()..];
    near(
        "rally without",
        number_after(rally_part, "% with, "),
        rwo * 100.0,
        2,
    );
    // The signed difference of largest size, and where.
    let n = with.len().min(without.len());
    let (mut k, mut big) = (0, 0.0f64);
    for j in 0..n {
        let d = with[j] / without[j] - 1.0;
        if d.abs() > big.abs() {
            (k, big) = (j, d);
        }
    }
    assert!(big != 0.0, "removing the classes should move the price");
    let printed = number_after(line, "largest price difference ");
    near("largest price difference", printed, big * 100.0, 2);
    assert_eq!(printed < 0.0, big < 0.0, "{line}");
    assert_eq!(
        number_after(line, " on day ") as u32,
        without_bars[k].day,
        "{line}"
    );
    assert_eq!(
        number_after(line, " bar ") as u32,
        without_bars[k].bar,
        "{line}"
    );
    assert!(
        line.contains(if big < 0.0 { "lower" } else { "higher" }),
        "{line}"
    );

    // The ablation's report: the same figures in its amplification table, and its charts.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let tables = html_tables(&html);
    let row = tables["Amplification"]
        .iter()
        .find(|r| r[0] == "SPX")
        .unwrap()
        .clone();
    close_to("report: drawdown with", percent(&row[1]), dw, 4);
    close_to("report: drawdown without", percent(&row[2]), dwo, 4);
    near(
        "report: amplification",
        row[3].trim_start_matches('×').parse().unwrap(),
        dw / dwo,
        2,
    );
    close_to("report: rally with", percent(&row[4]), rw, 4);
    close_to("report: rally without", percent(&row[5]), rwo, 4);
    near(
        "report: rally amplification",
        row[6].trim_start_matches('×').parse().unwrap(),
        rw / rwo,
        2,
    );
    let (p, at) = row[7].split_once(" (day ").unwrap();
    close_to("report: largest difference", percent(p), big, 4);
    assert_eq!(
        at,
        format!("{} bar {})", without_bars[k].day, without_bars[k].bar)
    );
    close_to(
        "report: final difference",
        percent(&row[8]),
        with[n - 1] / without[n - 1] - 1.0,
        4,
    );
    for chart in ["amplification", "price_SPX", "cumulative_flows_SPX"] {
        assert!(out.join(format!("charts/{chart}.png")).is_file(), "{chart}");
        assert!(html.contains(&format!("charts/{chart}.svg")), "{chart}");
    }
    // The factual run's report shows the counterfactual; the plain run's has none.
    let with_html = std::fs::read_to_string(out.join("with/report.html")).unwrap();
    assert!(with_html.contains("charts/counterfactual_SPX.svg"));
    assert!(out.join("without/report.html").is_file());
}
