//! Matching-engine throughput on the seeded benchmark stream (definition in BENCHMARKS.md).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flowsim::book::OrderBook;
use flowsim::book::stream;

fn book_stream(c: &mut Criterion) {
    let n = 200_000;
    let s = stream::generate(n, 1);
    let mut g = c.benchmark_group("book");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    g.bench_function("stream_200k", |b| {
        b.iter(|| {
            let mut book = OrderBook::with_capacity(stream::config(), 1 << 16);
            stream::run(&mut book, &s)
        })
    });
    g.finish();
}

criterion_group!(benches, book_stream);
criterion_main!(benches);
