//! `upgrade-lab explore` end to end: a clean exploration exits 0 with its closing table; a
//! planted bug exits 1, names the shrunk file and the one command that replays the original
//! history, and the file is an ordinary scenario `check` accepts; bad arguments exit 2.

mod common;

use common::run;
use std::fs;
use std::path::PathBuf;

fn scratch(test: &str) -> PathBuf {
    common::scratch("explore", test)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_clean_exploration_prints_its_table_and_exits_0() {
    let dir = scratch("clean");
    let out = dir.join("found");
    let o = run(&[
        "explore",
        "--histories",
        "30",
        "--seed",
        "5",
        "--max-objects",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}{}", text(&o.stderr));
    assert!(stdout.starts_with("explored 30 histories (seed 5, up to 300 objects)"));
    for heading in [
        "exporting at the end",
        "refused steps, by refusal",
        "failed steps, by cause",
        "injected       hit",
        "violations: 0 histories failed",
    ] {
        assert!(stdout.contains(heading), "{heading}\n{stdout}");
    }
    assert!(!out.exists(), "nothing to write when nothing failed");
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_planted_bug_is_written_shrunk_with_its_replay_command() {
    let dir = scratch("planted");
    let out = dir.join("found");
    let o = run(&[
        "explore",
        "--histories",
        "200",
        "--seed",
        "11",
        "--plant-bug",
        "drop-ou-filter-in-migration",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("shrunk to "), "{stdout}");
    assert!(
        stdout.contains("replay the original: upgrade-lab explore --seed 11 --history "),
        "{stdout}"
    );
    let files: Vec<PathBuf> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!files.is_empty());
    for f in &files {
        assert!(stdout.contains(&format!("upgrade-lab run {}", f.display())));
        let check = run(&["check", f.to_str().unwrap()]);
        assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    }
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    for (args, says) in [
        (
            &["explore", "--histories", "0"][..],
            "--histories 0 is out of range",
        ),
        (
            &["explore", "--jobs", "10000"][..],
            "--jobs 10000 is more than",
        ),
        (
            &["explore", "--max-objects", "5000000"][..],
            "--max-objects 5000000",
        ),
        (&["explore", "--path", "sideways"][..], "sideways"),
    ] {
        let o = run(args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
