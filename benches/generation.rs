//! Directory generation: 10k, 50k, 200k and 1M objects from one seed.

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

fn generation(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for objects in support::sizes(&[10_000, 50_000, 200_000, 1_000_000]) {
        let spec = support::spec(objects);
        g.throughput(Throughput::Elements(u64::from(objects)));
        g.bench_with_input(BenchmarkId::from_parameter(objects), &spec, |b, spec| {
            b.iter(|| upgrade_lab_simulator::generate::generate(spec).expect("valid"))
        });
    }
    g.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
