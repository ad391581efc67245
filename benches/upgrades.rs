//! Whole upgrades, end to end, wall time: the in-place upgrade at 10,000 and 49,999 objects and
//! the parallel deployment (generate, DirSync's converged cycle, export settings, install with
//! `/migrate`, staging Full Import and Full Synchronization on both connectors, verification,
//! cutover, first export) at 50k, 200k and 1M.

mod support;

use criterion::{
    BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use std::time::Duration;

fn in_place(c: &mut Criterion) {
    let mut g = c.benchmark_group("in_place_upgrade");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for objects in support::sizes(&[10_000, 49_999]) {
        let directory = support::directory(objects);
        g.throughput(Throughput::Elements(u64::from(objects)));
        g.bench_with_input(BenchmarkId::from_parameter(objects), &directory, |b, d| {
            b.iter_batched(
                || support::world(d.clone()),
                |(world, aad, ea)| support::in_place_upgrade(&world, aad, ea),
                BatchSize::PerIteration,
            );
        });
    }
    g.finish();
}

fn parallel(c: &mut Criterion) {
    let mut g = c.benchmark_group("parallel_deployment");
    // Up to seconds per iteration: flat sampling runs each of the 10 samples equally often
    // instead of 1..=10 times.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(20));
    for objects in support::sizes(&[50_000, 200_000, 1_000_000]) {
        g.throughput(Throughput::Elements(u64::from(objects)));
        g.bench_with_input(BenchmarkId::from_parameter(objects), &objects, |b, &n| {
            b.iter(|| {
                let (world, aad, ea) = support::world(support::directory(n));
                support::parallel_deployment(&world, aad, ea);
                world
            });
        });
    }
    g.finish();
}

criterion_group!(benches, in_place, parallel);
criterion_main!(benches);
