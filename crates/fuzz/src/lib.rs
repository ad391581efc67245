//! upgrade-lab-fuzz: fuzzing of the three parsers that read what users hand upgrade-lab: the
//! scenario loader (`load_text` and the checks behind it), the LDIF reader and the settings file
//! the `/migrate` install imports.
//!
//! Inputs are structure-aware random documents (real keys, sections and attribute names with
//! values at the edges) and byte/token mutations of the committed corpus (`corpus/<target>/`),
//! all drawn from a seeded ChaCha8 stream per execution, so `--seed S` and an execution number
//! replay one input exactly. Every input must end in a result or an error that keeps the
//! parser's contract (located where its API has a location); a panic, a parse slower than the
//! time limit, a parse holding more than `64 × input + 1 MiB` (256 × for TOML) (with [`alloc::CountingAlloc`]
//! installed) or a broken contract is a finding, saved under `findings/<target>/` with the
//! command that replays it.
//!
//! It must not know the parsers' internals: only their public entry points, the public word
//! lists of the formats and the corpus. It never changes the corpus and writes only findings.

#[allow(
    unsafe_code,
    reason = "GlobalAlloc is an unsafe trait; the allocator only counts and delegates to System"
)]
pub mod alloc;
pub mod generate;
pub mod harness;
pub mod mutate;
pub mod run;
pub mod targets;

use generate::Vocabulary;
use rand::rngs::ChaCha8Rng;
use std::path::{Path, PathBuf};
use targets::Parse;

/// The parsers under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Scenario,
    Ldif,
    Settings,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Scenario, Target::Ldif, Target::Settings];

    /// The name on the command line and of the corpus and findings folders.
    pub fn name(self) -> &'static str {
        match self {
            Target::Scenario => "scenario",
            Target::Ldif => "ldif",
            Target::Settings => "settings",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn parse(self) -> Parse {
        match self {
            Target::Scenario => targets::scenario,
            Target::Ldif => targets::ldif,
            Target::Settings => targets::settings,
        }
    }

    /// How many bytes per input byte a parse may hold (plus 1 MiB). The scenario loader's TOML
    /// document tree holds up to about 160 bytes per byte of nested arrays and inline tables
    /// (measured at 64 KiB: linear, and the TOML parser stops at its recursion limit), so it
    /// gets 256; the others 64.
    pub fn memory_factor(self) -> usize {
        match self {
            Target::Scenario => 256,
            Target::Ldif | Target::Settings => 64,
        }
    }

    pub fn vocabulary(self, corpus: &[Vec<u8>]) -> Vocabulary {
        match self {
            Target::Scenario => generate::scenario::vocabulary(corpus),
            Target::Ldif => generate::ldif::vocabulary(corpus),
            Target::Settings => generate::settings::vocabulary(corpus),
        }
    }

    pub fn generate(self, rng: &mut ChaCha8Rng, corpus: &[Vec<u8>], v: &Vocabulary) -> Vec<u8> {
        match self {
            Target::Scenario => generate::scenario::generate(rng, corpus, v),
            Target::Ldif => generate::ldif::generate(rng, v),
            Target::Settings => generate::settings::generate(rng, v),
        }
    }

    /// A harness subject for this parser over `corpus`.
    pub fn subject(self, corpus: Vec<Vec<u8>>) -> harness::Subject {
        let vocabulary = self.vocabulary(&corpus);
        let dictionary = vocabulary.all();
        let generate =
            move |rng: &mut ChaCha8Rng, c: &[Vec<u8>]| self.generate(rng, c, &vocabulary);
        harness::Subject {
            name: self.name().to_string(),
            index: self as u64,
            parse: self.parse(),
            corpus,
            dictionary,
            memory_factor: self.memory_factor(),
            generate: Box::new(generate),
        }
    }
}

/// The committed corpus of the crate: `crates/fuzz/corpus`.
pub fn default_corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// The files of a corpus folder, sorted by name (so a seed replays), each cut to `max_len`.
pub fn read_corpus(dir: &Path, max_len: usize) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            let mut bytes = std::fs::read(&path)?;
            bytes.truncate(max_len);
            files.push((path, bytes));
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
#[global_allocator]
static COUNTING: alloc::CountingAlloc = alloc::CountingAlloc;

#[cfg(test)]
mod smoke_tests;
