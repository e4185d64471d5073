//! Matching-engine throughput on the seeded benchmark stream (definition in BENCHMARKS.md):
//! the flowsim book and the flat-array reference book, on the standard stream and on a deep
//! one (25% cancels, about 900 resting orders).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flowsim::book::OrderBook;
use flowsim::book::flat::FlatBook;
use flowsim::book::stream;

fn book_stream(c: &mut Criterion) {
    let n = 200_000;
    for (name, share) in [
        ("stream_200k", stream::DEFAULT_CANCEL_SHARE),
        ("deep_200k", 0.25),
    ] {
        let s = stream::generate_with(n, 1, share);
        let mut g = c.benchmark_group("book");
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(20);
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut book = OrderBook::with_capacity(stream::config(), 1 << 16);
                stream::run(&mut book, &s)
            })
        });
        g.bench_function(format!("flat_{name}"), |b| {
            b.iter(|| {
                let mut book = FlatBook::with_capacity(n);
                stream::run(&mut book, &s)
            })
        });
        g.finish();
    }
}

criterion_group!(benches, book_stream);
criterion_main!(benches);
