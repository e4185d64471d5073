//! The positioning monitor over the shipped 20 years of daily data (S&P 500 and NASDAQ
//! Composite, 1999–2018) with every class it runs: vol-target funds, CTAs on both indices,
//! LETFs, and balanced funds against a synthetic 4%-a-year bond series. Reading the files is
//! outside the timed part; `BENCHMARKS.md` records the figure.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use flowsim::history::{Columns, read_daily};
use flowsim::monitor::{self, MonitorConfig, MonitorInput, Window};

fn monitor_20_years(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/history");
    let read = |f: &str| read_daily(&dir.join(f), &Columns::default()).expect("shipped data");
    let spx = read("sp500.csv");
    let ndx = read("nasdaq.csv");
    let mut bonds = spx.clone();
    for (k, v) in bonds.close.iter_mut().enumerate() {
        *v = 100.0 * (1.0f64 + 0.04 / 252.0).powi(k as i32);
    }
    let input = MonitorInput {
        histories: vec![("SPX".into(), spx), ("NDX".into(), ndx)],
        vix: None,
        bonds: Some(bonds),
    };
    let cfg = MonitorConfig::default();
    let mut g = c.benchmark_group("monitor");
    g.sample_size(20);
    g.bench_function("20_years_all_classes", |b| {
        b.iter(|| {
            let p = monitor::run(&input, &cfg, Window::default(), &mut |_, _| {})
                .expect("monitor runs");
            assert!(p.rows.len() > 100_000);
            p
        })
    });
    g.finish();
}

criterion_group!(benches, monitor_20_years);
criterion_main!(benches);
