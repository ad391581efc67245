//! What the binary's integration tests share: the binary, a scratch folder per test, a run.

#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_upgrade-lab");

/// A fresh scratch directory for one test of one test file (`suite`).
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("upgrade-lab-{suite}-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    assert!(
        fs::read_dir(&dir).expect("temp dir").next().is_none(),
        "{} is not empty: another test's files would leak into this one",
        dir.display()
    );
    dir
}

/// Runs the binary with `args`. It must end with an exit code: a signal (an abort, a stack
/// overflow) is never an answer to bad input.
pub fn run(args: &[&str]) -> Output {
    let o = Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        o.status.code().is_some(),
        "upgrade-lab {args:?} was killed by a signal: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}
