//! The fuzzing loop: an input per execution (the corpus first, then generated and mutated
//! inputs from a ChaCha8 stream seeded by (seed, target, execution)), the parser run under
//! `catch_unwind` with its time and memory measured, findings deduplicated by signature,
//! shrunk, and saved with the command that replays them.

use crate::targets::{Outcome, Parse};
use crate::{alloc, mutate};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Once;
use std::time::{Duration, Instant};

/// Produces a structure-aware input from the rng and the corpus.
pub type Generate = Box<dyn Fn(&mut ChaCha8Rng, &[Vec<u8>]) -> Vec<u8> + Send + Sync>;

/// A parser with its corpus and its generator.
pub struct Subject {
    pub name: String,
    /// Mixed into each execution's seed, so targets draw different streams.
    pub index: u64,
    pub parse: Parse,
    pub corpus: Vec<Vec<u8>>,
    /// Words inserted by token-level mutation.
    pub dictionary: Vec<String>,
    /// A parse may hold `memory_factor × input length + Config::memory_slack` bytes.
    pub memory_factor: usize,
    pub generate: Generate,
}

/// How long and how hard to fuzz.
#[derive(Clone, Debug)]
pub struct Config {
    /// Executions beyond the corpus files (each of which runs once first).
    pub execs: u64,
    pub seed: u64,
    pub max_len: usize,
    /// A parse slower than this is a hang.
    pub timeout: Duration,
    /// Bytes a parse may hold beyond the subject's `memory_factor × input length`.
    pub memory_slack: usize,
    /// Where findings are saved (`<dir>/<target>/`); `None` keeps them in memory only.
    pub findings_dir: Option<PathBuf>,
    /// The command that replays a saved finding, before `<target> --replay <file>`.
    pub replay_command: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            execs: 10_000,
            seed: 0,
            max_len: 64 * 1024,
            timeout: Duration::from_secs(1),
            memory_slack: 1 << 20,
            findings_dir: None,
            replay_command: "cargo run --profile fuzz -p upgrade-lab-fuzz --".to_string(),
        }
    }
}

/// What kind of failure a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    Panic,
    Hang,
    Memory,
    /// An error without a location inside the input, or a write-back that does not read equal.
    Contract,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Panic => "panic",
            FindingKind::Hang => "hang",
            FindingKind::Memory => "memory",
            FindingKind::Contract => "contract",
        }
    }
}

/// One distinct failure, with the (shrunk) input that shows it.
#[derive(Clone, Debug)]
pub struct Finding {
    pub kind: FindingKind,
    /// What makes two failures the same one (a panic's location, a message's shape).
    pub signature: String,
    pub detail: String,
    pub input: Vec<u8>,
    /// The execution that found it first.
    pub exec: u64,
    /// How many executions failed this way.
    pub hits: u64,
    pub saved: Option<PathBuf>,
    pub replay: Option<String>,
}

/// The result of fuzzing one parser.
#[derive(Debug, Default)]
pub struct Report {
    pub target: String,
    pub execs: u64,
    pub accepted: u64,
    pub refused: u64,
    pub findings: Vec<Finding>,
    pub elapsed: Duration,
    pub slowest: Duration,
    pub most_memory: usize,
}

impl Report {
    pub fn execs_per_sec(&self) -> f64 {
        self.execs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The failure of one execution.
pub type Failure = (FindingKind, String);

thread_local! {
    static CAPTURING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that records panics of threads running a parse instead of
/// printing them, and leaves other threads' panics to the previous hook.
fn install_panic_capture() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let captured = CAPTURING.with(|c| {
                let mut c = c.borrow_mut();
                let Some(slot) = c.as_mut() else { return false };
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(std::string::ToString::to_string)
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let place = info
                    .location()
                    .map_or(String::new(), |l| format!("{}:{}", l.file(), l.line()));
                *slot = format!("panic at {place}: {payload}");
                true
            });
            if !captured {
                previous(info);
            }
        }));
    });
}

/// One execution measured.
pub struct Execution {
    pub result: Result<Outcome, Failure>,
    pub took: Duration,
    /// The most the parse held above what the thread held before (0 without the counting
    /// allocator).
    pub held: usize,
}

/// Runs `parse` on one input: its outcome, or the failure with a description.
pub fn check_one(parse: Parse, memory_factor: usize, input: &[u8], cfg: &Config) -> Execution {
    install_panic_capture();
    CAPTURING.with(|c| *c.borrow_mut() = Some(String::new()));
    alloc::arm();
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| parse(input)));
    let took = start.elapsed();
    let held = alloc::disarm();
    let panic = CAPTURING
        .with(|c| c.borrow_mut().take())
        .unwrap_or_default();
    let budget = memory_factor
        .saturating_mul(input.len())
        .saturating_add(cfg.memory_slack);
    let result = judge(result, panic, took, held, budget, cfg);
    Execution { result, took, held }
}

fn judge(
    result: std::thread::Result<Result<Outcome, String>>,
    panic: String,
    took: Duration,
    held: usize,
    budget: usize,
    cfg: &Config,
) -> Result<Outcome, Failure> {
    let outcome = match result {
        Err(_) => return Err((FindingKind::Panic, panic)),
        Ok(Err(why)) => return Err((FindingKind::Contract, why)),
        Ok(Ok(outcome)) => outcome,
    };
    if took > cfg.timeout {
        let why = format!("took {took:?}, over the {:?} limit", cfg.timeout);
        return Err((FindingKind::Hang, why));
    }
    if held > budget {
        let why = format!("held {held} bytes, over the budget of {budget} for this input");
        return Err((FindingKind::Memory, why));
    }
    Ok(outcome)
}

/// The input of execution `exec`: the corpus files in order, then fresh inputs.
pub fn input_for(subject: &Subject, cfg: &Config, exec: u64) -> Vec<u8> {
    if let Some(file) = usize::try_from(exec)
        .ok()
        .and_then(|i| subject.corpus.get(i))
    {
        return file.clone();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(mix(cfg.seed, subject.index, exec));
    let corpus = &subject.corpus;
    let mut input = match rng.random_range(0..20u32) {
        // Nine in twenty mutate a corpus file (when there is one); the rest generate.
        8..=16 if !corpus.is_empty() => mutate::pick(&mut rng, corpus).clone(),
        _ => (subject.generate)(&mut rng, corpus),
    };
    if rng.random_bool(0.6) {
        mutate::mutate(
            &mut rng,
            &mut input,
            corpus,
            &subject.dictionary,
            cfg.max_len,
        );
    }
    input.truncate(cfg.max_len);
    input
}

/// SplitMix64 over the three numbers: each execution's own seed.
fn mix(seed: u64, target: u64, exec: u64) -> u64 {
    let mut z = seed ^ target.rotate_left(48) ^ exec.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A failure's identity: a panic by where it struck, others by their message with the
/// numbers taken out.
pub fn signature(kind: FindingKind, detail: &str) -> String {
    let shape: String = match kind {
        FindingKind::Panic => detail.split(": ").next().unwrap_or(detail).to_string(),
        FindingKind::Hang | FindingKind::Memory => String::new(),
        FindingKind::Contract => detail
            .chars()
            .take(48)
            .filter(|c| !c.is_ascii_digit())
            .collect(),
    };
    format!("{}: {shape}", kind.as_str())
}
