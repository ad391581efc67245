//! `upgrade-lab-fuzz <scenario|ldif|settings|all> [--execs N] [--seed S] [--corpus DIR]
//! [--max-len BYTES]`: fuzzes the parsers, prints executions per second and every finding with
//! the command that replays it; exits 1 if there was any. `--replay FILE` runs one input.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use upgrade_lab_fuzz::harness::{Config, Subject, check_one, input_for};
use upgrade_lab_fuzz::{Target, alloc, default_corpus_root, read_corpus, run};

#[global_allocator]
static COUNTING: alloc::CountingAlloc = alloc::CountingAlloc;

#[derive(Parser, Debug)]
#[command(name = "upgrade-lab-fuzz", about = "Fuzz upgrade-lab's parsers")]
struct Args {
    /// scenario, ldif, settings or all
    target: String,
    /// Executions per parser after its corpus files.
    #[arg(long, default_value_t = 100_000)]
    execs: u64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The corpus root (holding scenario/, ldif/, settings/).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Inputs are cut to this many bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_len: usize,
    /// A parse slower than this (milliseconds) is a hang.
    #[arg(long, default_value_t = 1_000)]
    timeout_ms: u64,
    /// Where findings are saved (`<dir>/<target>/`).
    #[arg(long)]
    findings: Option<PathBuf>,
    /// Run this one input file instead of fuzzing.
    #[arg(long)]
    replay: Option<PathBuf>,
    /// Run only the input of this execution number (with `--seed`), and save it to a file.
    #[arg(long)]
    exec: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let targets: Vec<Target> = match args.target.as_str() {
        "all" => Target::ALL.to_vec(),
        name => {
            if let Some(t) = Target::from_name(name) {
                vec![t]
            } else {
                eprintln!("unknown target `{name}`; use scenario, ldif, settings or all");
                return ExitCode::from(2);
            }
        }
    };
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cfg = Config {
        execs: args.execs,
        seed: args.seed,
        max_len: args.max_len,
        timeout: Duration::from_millis(args.timeout_ms),
        findings_dir: Some(args.findings.clone().unwrap_or(crate_dir.join("findings"))),
        ..Config::default()
    };
    if let Some(file) = &args.replay {
        return replay(&targets, file, &cfg);
    }
    let root = args.corpus.clone().unwrap_or_else(default_corpus_root);
    let mut found = 0;
    for target in targets {
        let corpus = match read_corpus(&root.join(target.name()), cfg.max_len) {
            Ok(files) => files.into_iter().map(|(_, b)| b).collect(),
            Err(e) => {
                eprintln!("cannot read the corpus of {}: {e}", target.name());
                return ExitCode::from(2);
            }
        };
        let subject = target.subject(corpus);
        found += match args.exec {
            Some(exec) => match one_exec(target, &subject, &cfg, exec) {
                Ok(found) => found,
                Err(code) => return code,
            },
            None => fuzz(&subject, &cfg),
        };
    }
    if found > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Saves the input of execution `exec` to a temporary file and replays it; 1 if it is a
/// finding, 0 if not.
fn one_exec(target: Target, subject: &Subject, cfg: &Config, exec: u64) -> Result<usize, ExitCode> {
    let input = input_for(subject, cfg, exec);
    let file = std::env::temp_dir().join(format!("{}-{}-{exec}.input", target.name(), cfg.seed));
    if let Err(e) = std::fs::write(&file, &input) {
        eprintln!("cannot write {}: {e}", file.display());
        return Err(ExitCode::from(2));
    }
    println!("exec {exec} of seed {} is {}", cfg.seed, file.display());
    Ok(usize::from(
        replay(&[target], &file, cfg) != ExitCode::SUCCESS,
    ))
}

/// Fuzzes `subject` for `cfg.execs` executions and prints a line and its findings; the number of
/// findings.
fn fuzz(subject: &Subject, cfg: &Config) -> usize {
    let report = run::run(subject, cfg, true);
    println!(
        "{:<9} {:>10} execs in {:>8.1?}  {:>9.0} execs/s  accepted {:>8}  refused {:>9}  \
         slowest {:>9.1?}  most memory {:>6} KiB  findings {}",
        report.target,
        report.execs,
        report.elapsed,
        report.execs_per_sec(),
        report.accepted,
        report.refused,
        report.slowest,
        report.most_memory / 1024,
        report.findings.len()
    );
    for f in &report.findings {
        println!(
            "  {} (x{}, first at exec {}): {}",
            f.kind.as_str(),
            f.hits,
            f.exec,
            f.detail
        );
        if let Some(r) = &f.replay {
            println!("    replay: {r}");
        }
    }
    report.findings.len()
}

fn replay(targets: &[Target], file: &PathBuf, cfg: &Config) -> ExitCode {
    let Ok(input) = std::fs::read(file) else {
        eprintln!("cannot read {}", file.display());
        return ExitCode::from(2);
    };
    let mut failed = false;
    for t in targets {
        match check_one(t.parse(), t.memory_factor(), &input, cfg).result {
            Ok(outcome) => println!("{}: {outcome:?}", t.name()),
            Err((kind, detail)) => {
                failed = true;
                println!("{}: {}: {detail}", t.name(), kind.as_str());
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
