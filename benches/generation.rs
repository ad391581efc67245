//! Directory generation: 10k, 50k, 200k and 1M objects from one seed, and issue 2's target of
//! 1,000,000 users + 100,000 groups + 20,000 contacts.

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
            b.iter(|| upgrade_lab_simulator::generate::generate(spec).expect("valid"));
        });
    }
    if !support::quick() {
        // Issue 2's target exactly: 1,000,000 users, 100,000 groups, 20,000 contacts.
        let spec = support::issue_target_spec();
        g.throughput(Throughput::Elements(1_120_000));
        g.bench_function("1000000u+100000g+20000c", |b| {
            b.iter(|| upgrade_lab_simulator::generate::generate(&spec).expect("valid"));
        });
    }
    g.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
