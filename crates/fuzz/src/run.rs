//! Fuzzing one subject for a number of executions on a thread with the main thread's 8 MiB
//! stack (what the command line runs parsers on), with a watchdog that ends the process when a
//! parse never returns, after saving the input.

use crate::harness::{
    Config, Execution, Failure, Finding, FindingKind, Report, Subject, check_one, input_for,
    signature,
};
use crate::targets::Outcome;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A parse still running after this long is stuck: the watchdog saves it and exits.
pub const STUCK_AFTER: Duration = Duration::from_secs(20);

/// How often a watched run prints its progress to stderr.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

/// What the watchdog sees of the fuzzing thread.
struct Watch {
    /// Milliseconds since `origin` when the running parse started; 0 while idle.
    busy_since: AtomicU64,
    input: Mutex<Vec<u8>>,
    done: AtomicBool,
    origin: Instant,
}

/// Fuzzes `subject`: every corpus file, then `cfg.execs` fresh inputs. With `watchdog`, a
/// parse running longer than [`STUCK_AFTER`] is saved as a hang and the process exits 1.
pub fn run(subject: &Subject, cfg: &Config, watchdog: bool) -> Report {
    let watch = Watch {
        busy_since: AtomicU64::new(0),
        input: Mutex::new(Vec::new()),
        done: AtomicBool::new(false),
        origin: Instant::now(),
    };
    std::thread::scope(|s| {
        if watchdog {
            s.spawn(|| guard(subject, cfg, &watch));
        }
        let worker = std::thread::Builder::new()
            .name(format!("fuzz-{}", subject.name))
            .stack_size(8 << 20)
            .spawn_scoped(s, || fuzz_loop(subject, cfg, watchdog.then_some(&watch)));
        let report = match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(e) => panic!("cannot start the fuzzing thread: {e}"),
        };
        watch.done.store(true, Ordering::Relaxed);
        report
    })
}

fn fuzz_loop(subject: &Subject, cfg: &Config, watch: Option<&Watch>) -> Report {
    let total = subject.corpus.len() as u64 + cfg.execs;
    let mut report = Report {
        target: subject.name.clone(),
        ..Report::default()
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let start = Instant::now();
    let mut last_note = start;
    for exec in 0..total {
        crate::alloc::note_current(subject.index, exec, cfg.seed);
        let input = input_for(subject, cfg, exec);
        if let Some(w) = watch {
            w.input.lock().map(|mut i| i.clone_from(&input)).ok();
            let now = millis(w.origin.elapsed());
            w.busy_since.store(now.max(1), Ordering::Relaxed);
        }
        let Execution { result, took, held } =
            check_one(subject.parse, subject.memory_factor, &input, cfg);
        if let Some(w) = watch {
            w.busy_since.store(0, Ordering::Relaxed);
        }
        report.execs += 1;
        if watch.is_some() && exec % 4096 == 0 && last_note.elapsed() > PROGRESS_EVERY {
            last_note = Instant::now();
            eprintln!(
                "{}: {exec} of {total} execs, {:.0}/s, {} findings",
                subject.name,
                exec as f64 / start.elapsed().as_secs_f64(),
                report.findings.len()
            );
        }
        report.slowest = report.slowest.max(took);
        report.most_memory = report.most_memory.max(held);
        match result {
            Ok(Outcome::Accepted) => report.accepted += 1,
            Ok(Outcome::Refused) => report.refused += 1,
            Err(failure) => note(&mut report, &mut seen, failure, input, exec),
        }
    }
    report.elapsed = start.elapsed();
    for f in &mut report.findings {
        if matches!(f.kind, FindingKind::Panic | FindingKind::Contract) {
            f.input = shrink(subject, cfg, &f.input, &f.signature);
        }
        if let Some(dir) = &cfg.findings_dir {
            save(f, &dir.join(&subject.name), &subject.name, cfg);
        }
    }
    report
}

fn note(
    report: &mut Report,
    seen: &mut BTreeMap<String, usize>,
    (kind, detail): Failure,
    input: Vec<u8>,
    exec: u64,
) {
    let sig = signature(kind, &detail);
    if let Some(&i) = seen.get(&sig) {
        report.findings[i].hits += 1;
        return;
    }
    seen.insert(sig.clone(), report.findings.len());
    report.findings.push(Finding {
        kind,
        signature: sig,
        detail,
        input,
        exec,
        hits: 1,
        saved: None,
        replay: None,
    });
}

/// The shortest input found by deleting chunks (halves, quarters, … single bytes) that still
/// fails with the same signature; at most 4,000 tries.
pub fn shrink(subject: &Subject, cfg: &Config, input: &[u8], sig: &str) -> Vec<u8> {
    let mut best = input.to_vec();
    let mut tries = 0;
    let mut chunk = best.len().div_ceil(2).max(1);
    loop {
        let mut at = 0;
        while at < best.len() && tries < 4_000 {
            let mut candidate = best.clone();
            candidate.drain(at..(at + chunk).min(best.len()));
            tries += 1;
            let same = match check_one(subject.parse, subject.memory_factor, &candidate, cfg).result
            {
                Err((kind, detail)) => signature(kind, &detail) == sig,
                Ok(_) => false,
            };
            if same {
                best = candidate;
            } else {
                at += chunk;
            }
        }
        if chunk == 1 || tries >= 4_000 {
            return best;
        }
        chunk = chunk.div_ceil(2);
    }
}

/// Writes the input as `<kind>-<hash>.input` and the description beside it.
fn save(f: &mut Finding, dir: &Path, target: &str, cfg: &Config) {
    let file = dir.join(format!("{}-{:016x}.input", f.kind.as_str(), fnv(&f.input)));
    let replay = format!(
        "{} {target} --replay {}",
        cfg.replay_command,
        file.display()
    );
    let note = format!(
        "{}\nfirst at exec {} of seed {} ({} hits)\nreplay: {replay}\n",
        f.detail, f.exec, cfg.seed, f.hits
    );
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&file, &f.input))
        .and_then(|()| std::fs::write(file.with_extension("txt"), note));
    if written.is_ok() {
        f.saved = Some(file);
        f.replay = Some(replay);
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The watchdog: a parse busy for longer than [`STUCK_AFTER`] never comes back, so its input
/// is saved as a hang and the process exits 1.
fn guard(subject: &Subject, cfg: &Config, watch: &Watch) {
    while !watch.done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        let since = watch.busy_since.load(Ordering::Relaxed);
        let now = millis(watch.origin.elapsed());
        if since == 0 || now.saturating_sub(since) < millis(STUCK_AFTER) {
            continue;
        }
        let input = watch.input.lock().map(|i| i.clone()).unwrap_or_default();
        let mut f = Finding {
            kind: FindingKind::Hang,
            signature: "hang: ".into(),
            detail: format!("a parse did not return within {STUCK_AFTER:?}"),
            input,
            exec: 0,
            hits: 1,
            saved: None,
            replay: None,
        };
        let dir: PathBuf = cfg
            .findings_dir
            .clone()
            .unwrap_or_else(|| "findings".into());
        save(&mut f, &dir.join(&subject.name), &subject.name, cfg);
        let mut err = std::io::stderr();
        let _ = writeln!(err, "{}: {}", subject.name, f.detail);
        if let Some(r) = &f.replay {
            let _ = writeln!(err, "  replay: {r}");
        }
        std::process::exit(1);
    }
}

/// `d` in whole milliseconds (saturating: a `u64` holds 584 million years of them).
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
