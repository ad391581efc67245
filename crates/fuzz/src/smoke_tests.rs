//! The CI smoke of the fuzzer: every corpus file and a bounded run of each parser end clean;
//! and the harness has teeth: a panicking, slow, over-allocating or unlocated fake parser is
//! reported as a finding, saved with its replay command, and each contract check refuses a
//! planted bad location.

use crate::harness::{Config, FindingKind, Report, Subject, check_one, input_for};
use crate::targets::{Outcome, check_line_column, check_scenario_location};
use crate::{Target, alloc, default_corpus_root, read_corpus, run};
use std::fmt::Write as _;
use std::time::Duration;

/// Executions per parser in the smoke run; `UPGRADE_LAB_FUZZ_SMOKE_EXECS` changes it.
fn smoke_execs() -> u64 {
    std::env::var("UPGRADE_LAB_FUZZ_SMOKE_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn corpus(target: Target) -> Vec<Vec<u8>> {
    let dir = default_corpus_root().join(target.name());
    let files = read_corpus(&dir, Config::default().max_len).expect("the corpus folder reads");
    assert!(!files.is_empty(), "{} has no corpus", dir.display());
    files.into_iter().map(|(_, b)| b).collect()
}

fn describe(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let _ = write!(
            out,
            "\n{} {}: {}\n  input: {:?}",
            report.target,
            f.kind.as_str(),
            f.detail,
            String::from_utf8_lossy(&f.input)
        );
    }
    out
}

#[test]
fn every_corpus_file_keeps_the_contract_and_the_seeds_are_real_documents() {
    let cfg = Config::default();
    for target in Target::ALL {
        let dir = default_corpus_root().join(target.name());
        let mut accepted = 0;
        for (path, bytes) in read_corpus(&dir, cfg.max_len).unwrap() {
            match check_one(target.parse(), target.memory_factor(), &bytes, &cfg).result {
                Ok(Outcome::Accepted) => accepted += 1,
                Ok(Outcome::Refused) => {}
                Err((kind, why)) => panic!("{}: {}: {why}", path.display(), kind.as_str()),
            }
        }
        // Each folder holds documents the parser takes, not only refused ones.
        assert!(accepted > 0, "no file of {} is accepted", dir.display());
    }
}

#[test]
fn a_bounded_run_of_each_parser_ends_clean() {
    let cfg = Config {
        execs: smoke_execs(),
        seed: 2026,
        // Generous: CI machines are shared; the long run keeps the 1 s limit.
        timeout: Duration::from_secs(5),
        ..Config::default()
    };
    for target in Target::ALL {
        let report = run::run(&target.subject(corpus(target)), &cfg, false);
        assert_eq!(report.execs, cfg.execs + corpus(target).len() as u64);
        assert!(report.findings.is_empty(), "{}", describe(&report));
        assert!(
            report.accepted > 0 && report.refused > 0,
            "{}: the inputs reach both outcomes ({} accepted, {} refused)",
            target.name(),
            report.accepted,
            report.refused
        );
    }
}

#[test]
fn a_seed_and_an_execution_number_replay_one_input() {
    let subject = Target::Ldif.subject(corpus(Target::Ldif));
    let cfg = Config::default();
    let first = subject.corpus.len() as u64;
    assert_eq!(input_for(&subject, &cfg, 0), subject.corpus[0]);
    let a: Vec<Vec<u8>> = (first..first + 20)
        .map(|e| input_for(&subject, &cfg, e))
        .collect();
    let b: Vec<Vec<u8>> = (first..first + 20)
        .map(|e| input_for(&subject, &cfg, e))
        .collect();
    assert_eq!(a, b);
    let other = Config { seed: 1, ..cfg };
    let c: Vec<Vec<u8>> = (first..first + 20)
        .map(|e| input_for(&subject, &other, e))
        .collect();
    assert_ne!(a, c);
}

// Fake parsers with planted failures.

#[expect(clippy::unnecessary_wraps, reason = "the harness's parser signature")]
fn panics_on_bang(b: &[u8]) -> Result<Outcome, String> {
    assert!(!b.contains(&b'!'), "planted panic");
    Ok(Outcome::Refused)
}

#[expect(clippy::unnecessary_wraps, reason = "the harness's parser signature")]
fn slow_on_s(b: &[u8]) -> Result<Outcome, String> {
    if b.first() == Some(&b's') {
        std::thread::sleep(Duration::from_millis(120));
    }
    Ok(Outcome::Accepted)
}

#[expect(clippy::unnecessary_wraps, reason = "the harness's parser signature")]
fn hogs_memory(b: &[u8]) -> Result<Outcome, String> {
    let held = vec![7u8; 8 << 20];
    Ok(if std::hint::black_box(&held)[b.len() % 8] == 7 {
        Outcome::Accepted
    } else {
        Outcome::Refused
    })
}

fn unlocated(b: &[u8]) -> Result<Outcome, String> {
    check_line_column(b, b.len() + 5, None)?;
    Ok(Outcome::Refused)
}

fn fake(parse: crate::targets::Parse, corpus: &[&[u8]]) -> Subject {
    Subject {
        name: "fake".into(),
        index: 99,
        parse,
        corpus: corpus.iter().map(|c| c.to_vec()).collect(),
        dictionary: vec!["!".into()],
        memory_factor: 64,
        generate: Box::new(|_, c| c.first().cloned().unwrap_or_default()),
    }
}

fn fake_run(subject: &Subject, findings_dir: Option<std::path::PathBuf>) -> Report {
    let cfg = Config {
        execs: 30,
        timeout: Duration::from_millis(40),
        findings_dir,
        ..Config::default()
    };
    run::run(subject, &cfg, false)
}

#[test]
fn a_panic_is_a_finding_shrunk_and_saved_with_its_replay_command() {
    let dir = std::env::temp_dir().join(format!("upgrade-lab-fuzz-teeth-{}", std::process::id()));
    let report = fake_run(
        &fake(panics_on_bang, &[b"hello, world!"]),
        Some(dir.clone()),
    );
    assert_eq!(
        report.findings.len(),
        1,
        "one signature however often it strikes"
    );
    let f = &report.findings[0];
    assert_eq!(f.kind, FindingKind::Panic);
    assert!(f.detail.contains("planted panic"), "{}", f.detail);
    assert!(f.detail.contains("smoke_tests.rs"), "{}", f.detail);
    assert_eq!(f.input, b"!", "shrunk to the byte that matters");
    let saved = f.saved.as_ref().expect("saved");
    assert_eq!(std::fs::read(saved).unwrap(), b"!");
    let note = std::fs::read_to_string(saved.with_extension("txt")).unwrap();
    assert!(note.contains("replay: cargo run"), "{note}");
    assert!(note.contains(" fake --replay "), "{note}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_slow_parse_is_a_hang() {
    let report = fake_run(&fake(slow_on_s, &[b"ok", b"slow"]), None);
    let kinds: Vec<FindingKind> = report.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::Hang]);
    assert!(report.findings[0].detail.contains("over the 40ms limit"));
}

#[test]
fn a_parse_holding_too_much_memory_is_a_finding() {
    assert!(alloc::is_installed(), "the test binary counts allocations");
    let report = fake_run(&fake(hogs_memory, &[b"tiny"]), None);
    let kinds: Vec<FindingKind> = report.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::Memory]);
    assert!(report.most_memory >= 8 << 20, "{}", report.most_memory);
}

#[test]
fn an_error_outside_the_input_is_a_finding() {
    let report = fake_run(&fake(unlocated, &[b"a\nb"]), None);
    let kinds: Vec<FindingKind> = report.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FindingKind::Contract]);
}

#[test]
fn the_location_checks_refuse_planted_bad_locations() {
    let text = "format_version = 1\nseed = é\n";
    assert_eq!(check_scenario_location("fuzz/input.toml:2:8", text), Ok(()));
    assert_eq!(check_scenario_location("fuzz/input.toml:3:1", text), Ok(()));
    for bad in [
        "fuzz/input.toml:4:1",
        "fuzz/input.toml:0:1",
        "fuzz/input.toml:2:0",
        "fuzz/input.toml:2:10",
        "fuzz/input.toml:2",
        "other.toml:1:1",
    ] {
        assert!(check_scenario_location(bad, text).is_err(), "{bad}");
    }
    let bytes = b"dn: x\ncn: y";
    assert_eq!(check_line_column(bytes, 2, Some(12)), Ok(()));
    assert!(check_line_column(bytes, 0, None).is_err());
    assert!(check_line_column(bytes, 3, None).is_err());
    assert!(check_line_column(bytes, 1, Some(0)).is_err());
    assert!(check_line_column(bytes, 1, Some(13)).is_err());
}
