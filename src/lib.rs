//! upgrade-lab-suite: the root package. It owns the workspace's integration tests (`tests/`) and
//! benchmarks (`benches/`), which drive the engine through the simulator. It holds no logic.
