//! `flowsim impact`: metaorders of several sizes against their counterfactual; the
//! square-root fit and the decay of impact.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use flowsim::analysis::impact::{ImpactPath, PathBar, bucket_means, by_size, latent_book_decay};
use flowsim::book::Side;
use flowsim::impact::{ImpactSpec, measure};
use flowsim::plot::{
    Axis, Band, FitLine, Format, Level, LineChart, Marker, PointSeries, ScatterChart, Series,
    Stack, format_value, render,
};
use flowsim::scenario;

use super::progress_bar;

#[derive(Args)]
pub struct ImpactArgs {
    /// Scenario file (TOML); runs are cut to the programme's day and the next.
    scenario: PathBuf,
    /// Programme sizes in dollars, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1e9,3e9,1e10,3e10,1e11")]
    sizes: Vec<f64>,
    /// Number of seeds (1..=N, or from --first-seed).
    #[arg(long, default_value_t = 5)]
    seeds: u64,
    /// The first seed; the runs use --seeds seeds from it.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// The programme's window on its day, HH:MM-HH:MM.
    #[arg(long, default_value = "10:00-11:00")]
    window: String,
    /// The programme's day (the runs end the day after).
    #[arg(long, default_value_t = 2)]
    day: u32,
    /// buy or sell.
    #[arg(long, default_value = "sell")]
    side: String,
    /// Instrument symbol (default: the first).
    #[arg(long)]
    instrument: Option<String>,
    /// Worker threads (default: all cores). The result does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Folder for impact.csv, impact_path.csv and their charts (written atomically).
    #[arg(long, default_value = "runs/impact")]
    out: PathBuf,
    /// Start even when the cost estimate is above the limits (1 hour, 16 GB of memory).
    #[arg(long)]
    yes: bool,
    /// No progress bar and no cost estimate on stderr (the table is still printed).
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(a: ImpactArgs) -> Result<()> {
    let loaded = scenario::load(&a.scenario)?;
    let Some((start, end)) = a.window.split_once('-') else {
        bail!("--window {:?}: expected HH:MM-HH:MM", a.window);
    };
    let side = match a.side.as_str() {
        "buy" => Side::Buy,
        "sell" => Side::Sell,
        s => bail!("--side {s:?}: buy or sell"),
    };
    if a.seeds == 0 || a.seeds > 10_000 {
        bail!("--seeds must be between 1 and 10000");
    }
    if a.sizes.is_empty() || a.sizes.len() > 50 {
        bail!("--sizes takes 1 to 50 sizes");
    }
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, 1024);
    // Every run is cut to the programme's day and the next, and kept in memory (no files).
    let mut cut = loaded.scenario.clone();
    cut.days = a.day.saturating_add(1);
    let mut est = flowsim::estimate::runs(
        std::iter::repeat_n(&cut, 1 + a.sizes.len()),
        a.seeds,
        threads,
    );
    est.disk_bytes = 0.0;
    super::check_cost(
        &format!("the impact runs of {}", a.scenario.display()),
        &est,
        a.yes,
        a.quiet,
    )?;
    let spec = ImpactSpec {
        sizes: a.sizes.clone(),
        seeds: (a.first_seed..a.first_seed.saturating_add(a.seeds)).collect(),
        day: a.day,
        start: start.trim().into(),
        end: end.trim().into(),
        side,
        instrument: a.instrument.clone(),
        threads,
    };
    let pb = progress_bar(a.quiet, None, "{bar:30} {pos}/{len} runs [{elapsed}]");
    let report = measure(&loaded, &spec, &|done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })?;
    pb.finish_and_clear();

    let mut csv =
        String::from("size_usd,seed,executed_usd,in_window_usd,q_over_v,peak,close,next_close\n");
    for p in &report.points {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            p.size_usd,
            p.seed,
            p.executed_usd,
            p.in_window_usd,
            p.q_over_v,
            p.peak,
            p.close,
            p.next_close
        ));
    }
    let rows = by_size(&report.points);
    let io = |p: &std::path::Path, e: std::io::Error| anyhow::anyhow!("{}: {e}", p.display());
    flowsim::atomic::create_dir_via(&a.out, io, |dir| {
        flowsim::atomic::write_bytes(&dir.join("impact.csv"), csv.as_bytes())
            .map_err(|e| io(&dir.join("impact.csv"), e))?;
        let mut fits = vec![FitLine {
            label: "square root, Y = 1".into(),
            color: 7,
            intercept: report.sigma_d.log10(),
            slope: 0.5,
        }];
        if let Some(f) = &report.fit {
            fits.insert(
                0,
                FitLine {
                    label: format!("fit: δ = {:.2}, Y = {:.2}", f.delta, f.y),
                    color: 1,
                    intercept: (f.y * report.sigma_d).log10(),
                    slope: f.delta,
                },
            );
        }
        let pts = |f: fn(&flowsim::analysis::impact::ImpactPoint) -> f64| -> Vec<(f64, f64)> {
            report
                .points
                .iter()
                .filter(|p| p.q_over_v > 0.0 && f(p) > 0.0)
                .map(|p| (p.q_over_v.log10(), f(p).log10()))
                .collect()
        };
        let chart = ScatterChart {
            title: format!(
                "Impact of sell programmes on {} ({} seeds): peak and next close",
                report.symbol,
                spec.seeds.len()
            ),
            x: Axis::new("log10 of executed dollars / daily volume (Q/V)"),
            y: Axis::new("log10 of impact (log-price move)"),
            // A log scale cannot show an impact of zero or less: the legend says how many
            // seeds' points are missing for that reason, so the cloud is not read as all of them.
            series: vec![
                series(
                    "peak (end of window)",
                    0,
                    pts(|p| p.peak),
                    report.points.len(),
                ),
                series("next close", 2, pts(|p| p.next_close), report.points.len()),
            ],
            fits,
        };
        render(&chart.into(), dir, "impact", (1100, 750)).map_err(|e| anyhow::anyhow!("{e}"))?;
        flowsim::atomic::write_bytes(
            &dir.join("impact_path.csv"),
            path_csv(&report.path_bars, &report.paths).as_bytes(),
        )
        .map_err(|e| io(&dir.join("impact_path.csv"), e))?;
        render(
            &path_chart(
                &report.symbol,
                &report.path_bars,
                &report.paths,
                report.window_hours,
                &a.window,
            )
            .into(),
            dir,
            "impact_path",
            (1100, 900),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    })
    .with_context(|| format!("writing {}", a.out.display()))?;

    println!(
        "{}: σ_d = {} (fundamental), mean daily volume {} (without the programme)",
        report.symbol,
        format_value(report.sigma_d, Format::Percent),
        format_value(report.adv_usd, Format::Dollars)
    );
    // The last two columns test the latent book's prediction that what is left the next day
    // is linear in the size and independent of the pace (a constant per $1bn), so that next
    // close over peak rises with the size rather than sitting at one value.
    println!(
        "{:>10} {:>10} {:>10} {:>8} {:>9} {:>9} {:>11} {:>10} {:>14} {:>6}",
        "size",
        "executed",
        "in window",
        "Q/V",
        "peak",
        "close",
        "next close",
        "next/peak",
        "next per $1bn",
        "seeds"
    );
    for r in &rows {
        let ratio = if r.peak > 0.0 {
            format!("{:.2}", r.next_close / r.peak)
        } else {
            "n/a".to_string()
        };
        println!(
            "{:>10} {:>10} {:>10} {:>8} {:>9} {:>9} {:>11} {:>10} {:>14} {:>6}",
            format_value(r.size_usd, Format::Dollars),
            format_value(r.executed_usd, Format::Dollars),
            format_value(r.in_window_usd, Format::Dollars),
            format_value(r.q_over_v, Format::Percent),
            format_value(r.peak, Format::Percent),
            format_value(r.close, Format::Percent),
            format_value(r.next_close, Format::Percent),
            ratio,
            format!("{:.3} bp", r.next_close * 1e4 / (r.size_usd / 1e9)),
            r.seeds
        );
    }
    print_decay(&report.path_bars, &report.paths, report.window_hours);
    println!("{}", a.out.join("impact.csv").display());
    match &report.fit {
        Some(f) => println!(
            "delta = {:.3} [{:.3}, {:.3}], Y = {:.3} [{:.3}, {:.3}], relaxation = {:.3} [{:.3}, {:.3}]",
            f.delta,
            f.delta_ci.0,
            f.delta_ci.1,
            f.y,
            f.y_ci.0,
            f.y_ci.1,
            f.relaxation,
            f.relaxation_ci.0,
            f.relaxation_ci.1
        ),
        None => {
            println!("delta = n/a, Y = n/a, relaxation = n/a (a size had no positive mean impact)")
        }
    }
    Ok(())
}

/// A point series whose legend names the runs it cannot draw (an impact of zero or less).
fn series(name: &str, color: usize, points: Vec<(f64, f64)>, runs: usize) -> PointSeries {
    let name = match runs.saturating_sub(points.len()) {
        0 => name.to_string(),
        missing => format!("{name} ({missing} of {runs} runs at or below 0, not drawn)"),
    };
    PointSeries {
        name,
        color,
        points,
    }
}

/// `impact_path.csv`: per size and bar, the mean impact over seeds, its standard error, and
/// the mean as a share of the size's mean peak.
fn path_csv(bars: &[PathBar], paths: &[ImpactPath]) -> String {
    let mut csv = String::from("size_usd,day,bar,hours,impact,impact_se,share_of_peak,seeds\n");
    for p in paths {
        for (i, b) in bars.iter().enumerate() {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{}\n",
                p.size_usd,
                b.day,
                b.bar,
                b.hours,
                p.mean[i],
                p.se[i],
                p.share(i),
                p.seeds
            ));
        }
    }
    csv
}

/// The mean impact in basis points per size with a 95% band (top), and as a share of its
/// peak beside the uninformed latent book's decay and the empirical two-thirds (bottom), in
/// trading hours from the programme's start.
fn path_chart(
    symbol: &str,
    bars: &[PathBar],
    paths: &[ImpactPath],
    window_h: f64,
    window: &str,
) -> Stack {
    let label = |q: f64| format_value(q, Format::Dollars);
    let mut bands = Vec::new();
    let (mut bp, mut share) = (Vec::new(), Vec::new());
    let x_label = "trading hours from the programme's start (nights take no time)";
    for (k, p) in paths.iter().enumerate() {
        let xs = bars.iter().map(|b| b.hours);
        bp.push(Series::new(
            label(p.size_usd),
            k,
            xs.clone().zip(&p.mean).map(|(x, m)| (x, m * 1e4)).collect(),
        ));
        bands.push(Band {
            name: String::new(),
            color: k,
            points: xs
                .clone()
                .zip(p.mean.iter().zip(&p.se))
                .map(|(x, (m, e))| (x, (m - 1.96 * e) * 1e4, (m + 1.96 * e) * 1e4))
                .collect(),
        });
        // A size without a positive peak has no share to draw (its legend entry says so).
        if !p.has_peak() {
            share.push(Series::new(
                format!("{} (no positive peak)", label(p.size_usd)),
                k,
                vec![],
            ));
            continue;
        }
        let shares: Vec<f64> = (0..p.mean.len()).map(|i| p.share(i)).collect();
        share.push(Series::new(
            label(p.size_usd),
            k,
            bucket_means(bars, &shares, BUCKET_H),
        ));
    }
    let last_h = bars.last().map_or(window_h, |b| b.hours);
    let theory: Vec<(f64, f64)> = (0..=400)
        .map(|i| {
            let h = last_h * i as f64 / 400.0;
            (h, latent_book_decay(h / window_h))
        })
        .collect();
    share.push(
        Series::new(
            "latent book, programme slower than its flow: √t − √(t − T)",
            7,
            theory,
        )
        .dashed(),
    );
    let mut markers = vec![Marker {
        x: window_h,
        label: "window ends".into(),
        color: None,
    }];
    // The next day starts where the programme's day's last bar ends.
    if let Some(i) = bars.iter().position(|b| b.day != bars[0].day) {
        let x = bars[i - 1].hours;
        // A window that ends at the close would put two labels on one line.
        if (x - window_h).abs() < 1e-9 {
            markers[0].label = "window ends; next day".into();
        } else {
            markers.push(Marker {
                x,
                label: "next day".into(),
                color: None,
            });
        }
    }
    let seeds = paths.first().map_or(0, |p| p.seeds);
    Stack {
        title: format!("Impact of programmes on {symbol} over {window} and after ({seeds} seeds)"),
        charts: vec![
            LineChart {
                title: "mean impact, with 95% band over seeds".into(),
                x: Axis::new(x_label),
                y: Axis::new("impact (bp)"),
                bands,
                series: bp,
                markers: markers.clone(),
                levels: vec![],
            }
            .into(),
            LineChart {
                title: "share of the peak (the window's end), 10-minute means".into(),
                x: Axis::new(x_label),
                y: Axis::new("impact / mean peak"),
                bands: vec![],
                series: share,
                markers,
                levels: vec![Level {
                    y: 2.0 / 3.0,
                    label: "2/3 of peak (empirical)".into(),
                    color: None,
                }],
            }
            .into(),
        ],
        heights: vec![],
        share_x: true,
    }
}

/// The share-of-peak panel averages bars over this many trading hours: bar by bar, a small
/// programme's share is mostly noise.
const BUCKET_H: f64 = 1.0 / 6.0;

/// The share of the peak left at a few times after the window, per size.
fn print_decay(bars: &[PathBar], paths: &[ImpactPath], window_h: f64) {
    let Some(day) = bars.first().map(|b| b.day) else {
        return;
    };
    let next_day = day + 1;
    // (label, index of the bar) for each column; a column whose bar is missing is left out.
    // Only on the programme's day: the night takes no trading time, so "+1 h" after a window
    // that ends near the close would otherwise land on the next morning.
    let after = |h: f64| {
        bars.iter()
            .position(|b| b.day == day && b.hours >= window_h + h - 1e-9)
    };
    let last_of = |day: u32| bars.iter().rposition(|b| b.day == day);
    let cols: Vec<(&str, usize)> = [
        ("+5 min", after(5.0 / 60.0)),
        ("+1 h", after(1.0)),
        ("close", last_of(day)),
        ("next open", bars.iter().position(|b| b.day == next_day)),
        ("next close", last_of(next_day)),
    ]
    .into_iter()
    .filter_map(|(l, i)| i.map(|i| (l, i)))
    .collect();
    println!(
        "share of the peak left (seed means of mid prices at bar ends: the close is the last bar's mid, not the auction price; the next open is the next day's first bar; LLOB = a latent book without information, for a programme slower than its flow; faster ones keep more):"
    );
    let mut head = format!("{:>10}", "size");
    for (l, _) in &cols {
        head.push_str(&format!(" {l:>11}"));
    }
    println!("{head}");
    for p in paths {
        let mut line = format!("{:>10}", format_value(p.size_usd, Format::Dollars));
        for &(_, i) in &cols {
            let v = p.share(i);
            if v.is_finite() {
                line.push_str(&format!(" {v:>11.2}"));
            } else {
                line.push_str(&format!(" {:>11}", "n/a"));
            }
        }
        println!("{line}");
    }
    let mut line = format!("{:>10}", "LLOB");
    for &(_, i) in &cols {
        line.push_str(&format!(
            " {:>11.2}",
            latent_book_decay(bars[i].hours / window_h)
        ));
    }
    println!("{line}");
}
