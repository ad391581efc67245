//! The sealed world (ARCHITECTURE.md): the scenario runner and the CLI reach the simulator only
//! through `World`, its builder's inputs and the report types. This test reads their sources
//! and lists every `upgrade_lab_simulator::` path they name; any path outside `ALLOWED` fails,
//! and so does any read of the world's raw state (`with_state`).

use std::path::Path;

/// What the runner and the CLI may name, after `upgrade_lab_simulator::`, with the items'
/// variants and associated items; `x::*` allows everything under the module `x`.
const ALLOWED: &[&str] = &[
    // The world, the engine wired to it, and its test affordance.
    "World",
    "world::World",
    "world::WorldUpgrade",
    "world::PlantedBug",
    "world::WorldBuilder",
    // The builder's inputs.
    "world::builder::DEFAULT_DIRSYNC_HOST",
    "generate::DirectorySpec",
    "generate::generate",
    "generate::generate_with_progress",
    "generate::GenerateProgress",
    "ldif::*",
    "dirsync_server::DirSyncStart",
    "tenant::TenantSpec",
    "tenant::TenantAccount",
    "tenant::CloudObject",
    "faults::Fault",
    "faults::FaultId",
    "faults::FaultKind",
    "faults::FaultTrigger",
    "faults::RunPhase",
    "faults::operations",
    // What the world answers: queries and reports.
    "world::queries::*",
    "world::report::*",
    "faults::FaultHit",
    "tenant::TenantObject",
    "oracle::AttributeDiff",
    "oracle::ObjectRef",
    "oracle::WrongObject",
];

/// Where the rule holds.
const SEALED: &[&str] = &["crates/scenario/src/runner", "crates/cli/src"];

/// `text` with comments, string and character literals blanked out (newlines kept).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |out: &mut String, s: &[u8]| {
        for &c in s {
            out.push(if c == b'\n' { '\n' } else { ' ' });
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            rest.windows(2)
                .position(|w| w == b"*/")
                .map_or(rest.len(), |p| p + 2)
        } else if rest.starts_with(b"r\"") || rest.starts_with(b"r#") {
            let hashes = rest[1..].iter().take_while(|&&c| c == b'#').count();
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let start = 2 + hashes;
            rest[start..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(rest.len(), |p| start + p + close.len())
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(rest.len())
        } else if rest[0] == b'\'' && rest.len() > 2 && (rest[1] == b'\\' || rest[2] == b'\'') {
            rest[1..]
                .iter()
                .position(|&c| c == b'\'')
                .map_or(1, |p| p + 2)
        } else {
            out.push(rest[0] as char);
            i += 1;
            continue;
        };
        blank(&mut out, &rest[..end]);
        i += end;
    }
    out
}

/// The full paths a use tree or an expression path names, starting right after
/// `upgrade_lab_simulator::` at `s`.
fn paths(s: &str, prefix: &str, out: &mut Vec<String>) -> usize {
    let ident = |s: &str| {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let mut i = 0;
    let mut path = prefix.to_string();
    loop {
        let skip = s[i..].len() - s[i..].trim_start().len();
        i += skip;
        if s[i..].starts_with('{') {
            i += 1;
            loop {
                let skip = s[i..].len() - s[i..].trim_start().len();
                i += skip;
                if s[i..].starts_with('}') {
                    return i + 1;
                }
                i += paths(&s[i..], &path, out);
                let skip = s[i..].len() - s[i..].trim_start().len();
                i += skip;
                if s[i..].starts_with(',') {
                    i += 1;
                }
            }
        }
        let n = ident(&s[i..]);
        let name = &s[i..i + n];
        i += n;
        if name != "self" {
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(name);
        }
        if s[i..].starts_with("::") {
            i += 2;
        } else {
            let after = s[i..].trim_start();
            if let Some(alias) = after.strip_prefix("as ") {
                let alias = alias.trim_start();
                i = s.len() - alias.len() + ident(alias);
            }
            out.push(path);
            return i;
        }
    }
}

/// An allowed item, an associated item or variant of one (`FaultKind::ServerCrash`), or
/// anything under an allowed module (`x::*`).
fn allowed(path: &str) -> bool {
    ALLOWED.iter().any(|a| {
        let item = a.strip_suffix("::*").unwrap_or(a);
        path == item || path.starts_with(&format!("{item}::"))
    })
}

/// Each path of `source` outside the allowed set.
fn violations(source: &str) -> Vec<String> {
    const CRATE: &str = "upgrade_lab_simulator::";
    let code = code_only(source);
    let mut found = Vec::new();
    for (at, _) in code.match_indices(CRATE) {
        paths(&code[at + CRATE.len()..], "", &mut found);
    }
    found.retain(|p| !allowed(p));
    // The world's state is its own: read it through World's queries.
    for _ in code.matches(".with_state(") {
        found.push("World::with_state (the world's raw state)".to_string());
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_runner_and_the_cli_use_only_the_world_and_its_reports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in SEALED {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 10, "{files:?}");
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for p in violations(&text) {
            bad.push(format!("{}: upgrade_lab_simulator::{p}", f.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "the runner and the CLI must use World's methods and report types only \
         (ARCHITECTURE.md, \"the sealed world\"); add a World query instead of:\n{}",
        bad.join("\n")
    );
}

#[test]
fn a_planted_import_of_the_worlds_insides_is_caught() {
    let planted = r#"
        use upgrade_lab_simulator::World;
        use upgrade_lab_simulator::{rng::rng_for, world::{self, runs::ServerId, report::Violation}};
        // use upgrade_lab_simulator::churn::apply_batch; (a comment: not code)
        const HELP: &str = "RUST_LOG=upgrade_lab_simulator::tenant=debug";
        fn f(w: &World) -> usize {
            upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD.len()
                + w.with_state(|st| st.files.len())
        }
    "#;
    assert_eq!(
        violations(planted),
        [
            "rng::rng_for",
            "world",
            "world::runs::ServerId",
            "world::builder::DEFAULT_PASSWORD",
            "World::with_state (the world's raw state)"
        ]
    );
}

#[test]
fn allowed_paths_pass() {
    let ok = "use upgrade_lab_simulator::faults::{Fault, FaultId as Id};\n\
              use upgrade_lab_simulator::world::report::{LedgerReport, Violation};\n\
              let x = upgrade_lab_simulator::ldif::read_directory_bytes(b);";
    assert_eq!(violations(ok), Vec::<String>::new());
}
