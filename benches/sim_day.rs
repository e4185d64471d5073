//! One simulated day of `experiments/baseline.toml` (a one-day variant: `days = 1`), run in
//! memory into a sink that drops every row, so the figure is the simulation's cost and not
//! CSV writing. Building (pre-history, agents, books) happens outside the timing.
//! `cargo bench --bench sim_day`; `BENCHMARKS.md` records the figures.

use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use flowsim::bench::{NullSink, with_days};
use flowsim::scenario::{build, load};

fn sim_day(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/baseline.toml");
    let baseline = load(&path).expect("experiments/baseline.toml loads");
    let day = with_days(&baseline, 1).expect("a one-day variant of the baseline");
    let seed = day.scenario.seed;
    let mut g = c.benchmark_group("sim_day");
    g.sample_size(20);
    g.bench_function("baseline_one_day", |b| {
        b.iter_batched(
            || build::build(&day, seed).expect("the baseline builds"),
            |mut sim| {
                let outcome = sim
                    .run(&mut NullSink, &mut |_, _| {})
                    .expect("the baseline runs");
                std::hint::black_box(outcome.counts)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, sim_day);
criterion_main!(benches);
