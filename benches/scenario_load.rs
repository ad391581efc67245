//! Loading and validating the scenario suite (`scenarios/`): discovery, TOML parsing and every
//! check `upgrade-lab check` makes, all files at once. Quick mode loads the suite once per
//! sample with fewer samples; the suite itself is the size it is.

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::PathBuf;
use std::time::Duration;
use upgrade_lab_scenario::load_all;

fn suite_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn scenario_load(c: &mut Criterion) {
    let roots = vec![suite_root()];
    let count = match load_all(&roots) {
        Ok(scenarios) => scenarios.len(),
        Err(errors) => panic!(
            "the scenario suite must load before it is timed: {}",
            errors
                .iter()
                .map(upgrade_lab_scenario::ScenarioError::plain)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let mut g = c.benchmark_group("scenario_load");
    if support::quick() {
        g.sample_size(10).measurement_time(Duration::from_secs(1));
    } else {
        g.sample_size(30).measurement_time(Duration::from_secs(5));
    }
    g.throughput(Throughput::Elements(count as u64));
    g.bench_function("load_and_validate_suite", |b| {
        b.iter(|| load_all(&roots).map_or(0, |s| s.len()));
    });
    g.finish();
}

criterion_group!(benches, scenario_load);
criterion_main!(benches);
