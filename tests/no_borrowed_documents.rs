//! The repository stands on its own: no comment, doc or message cites a document that is not in
//! it (a design note or research file kept elsewhere, its "(D1)"-style source keys or its bare
//! "§2.7" section numbers). Facts about the real systems are cited from `docs/real-systems.md`,
//! our own decisions from `docs/decisions.md` (lower case: the file in this repository).
//!
//! `tree_cites_no_outside_document` walks the source, test, scenario and doc folders and the
//! top-level Markdown files and names every offending `file:line`; the matcher's own tests
//! plant each kind of citation on a sample line.

use std::path::{Path, PathBuf};

/// Folders walked, relative to the workspace root, plus the top-level `*.md` files.
const ROOTS: &[&str] = &[
    "crates",
    "simulator",
    "tests",
    "benches",
    "scenarios",
    "docs",
    "src",
    ".ci",
];

/// File kinds read as text; other files (LDIF fixtures, corpora) are data, not prose.
const TEXT_EXTENSIONS: &[&str] = &[
    "rs", "md", "toml", "snap", "json", "yml", "yaml", "sh", "txt",
];

/// This file, which names every pattern it looks for.
const THIS_FILE: &str = "tests/no_borrowed_documents.rs";

/// Names of files outside the repository that used to be cited (matched case-sensitively).
/// Each is written in two pieces, so this file does not itself cite what it forbids.
const OUTSIDE_FILES: &[&str] = &[
    concat!("DES", "IGN.md"),
    concat!("DES", "IGN \""),
    concat!("crates", ".md"),
    concat!("seed-dirsync", "-upgrade"),
];

/// Matched case-insensitively (written in two pieces, as above).
const OUTSIDE_NAMES: &[&str] = &[concat!("domain", "-facts"), concat!("..", "/shared")];

/// Source keys of the outside research file that are distinctive anywhere.
const DISTINCT_KEYS: &[&str] = &[
    "TN-ADEL",
    "TN-PREP",
    "TN-INST",
    "TN-ADCRED",
    "TN-FILT",
    "TN-ACCTS",
    "TN-ALTID",
    "TN-PSFAQ",
    "B-QUOTA",
    "B-SCHED",
    "B-GIST",
    "B-ADEL",
    "PRQ18",
    "DEL15",
    "ERR17",
    "FIM-STATS",
    "FIM-INB",
    "FIM-STEP",
    "GH-PR3826",
    "GH-PR1443",
    "GH-PR781",
];

/// Short source keys, offending only where written as a citation: `(KEY)`, `(KEY,`, `, KEY)`,
/// `KEY:` after `(` or at a comment's start.
const SHORT_KEYS: &[&str] = &[
    "PERF", "STG", "LDB", "FLT", "CONN", "ACCT", "SCH", "OPS", "UPG", "CUST", "DSN", "PRQ", "IEX",
    "VHA", "EDB", "PHS", "DECL", "ARCH", "ATTR", "PORTS", "FEAT", "DEL", "ERR", "AUTO",
];

/// What on this line cites a document outside the repository, if anything.
fn citation(line: &str) -> Option<String> {
    if let Some(f) = OUTSIDE_FILES.iter().find(|f| line.contains(**f)) {
        return Some(format!("names `{f}`"));
    }
    let lower = line.to_ascii_lowercase();
    if let Some(n) = OUTSIDE_NAMES.iter().find(|n| lower.contains(**n)) {
        return Some(format!("names `{n}`"));
    }
    if let Some(i) = line.find('§')
        && line[i + '§'.len_utf8()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    {
        return Some("cites a section number with `§`".to_owned());
    }
    if let Some(key) = d_key(line) {
        return Some(format!("cites the source key `{key}`"));
    }
    if let Some(key) = DISTINCT_KEYS.iter().find(|k| has_word(line, k)) {
        return Some(format!("cites the source key `{key}`"));
    }
    SHORT_KEYS
        .iter()
        .find(|k| cited_short_key(line, k))
        .map(|k| format!("cites the source key `{k}`"))
}

/// A `D1`-style key: `D` and digits, at a word start, followed by `)`, `:` or `,`.
fn d_key(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    for (i, _) in line.match_indices('D') {
        if i > 0 && is_word_byte(bytes[i - 1]) {
            continue;
        }
        let digits = bytes[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = i + 1 + digits;
        if digits > 0 && matches!(bytes.get(end), Some(b')' | b':' | b',')) {
            return Some(&line[i..end]);
        }
    }
    None
}

/// `word` occurs bounded by non-word characters (`-` counts as part of a word).
fn has_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].bytes().next_back();
        let after = line[i + word.len()..].bytes().next();
        !before.is_some_and(|b| is_word_byte(b) || b == b'-')
            && !after.is_some_and(|b| is_word_byte(b) || b == b'-')
    })
}

fn cited_short_key(line: &str, key: &str) -> bool {
    line.match_indices(key).any(|(i, _)| {
        let before = line[..i].trim_end_matches(' ');
        let after = &line[i + key.len()..];
        let opens = before.ends_with('(') || before.ends_with(',');
        let closes = after.starts_with(')') || after.starts_with(',');
        let colon = after.starts_with(':') && (before.ends_with('(') || before.ends_with("//"));
        // `(KEY)`, `(KEY,`, `, KEY)`, `(KEY:` or `// KEY:`; a list of words (`, KEY,`) is not.
        (before.ends_with('(') && closes) || (opens && after.starts_with(')')) || colon
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every text file to check, relative to the root, in a stable order.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).expect("read the workspace root") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    for dir in ROOTS {
        walk(&root.join(dir), &mut out);
    }
    out.sort();
    out.into_iter()
        .map(|p| p.strip_prefix(root).expect("under the root").to_path_buf())
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with("target-") {
                walk(&path, out);
            }
        } else if name == "run"
            || path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| TEXT_EXTENSIONS.contains(&e))
        {
            out.push(path);
        }
    }
}

/// `file:line: why: text` for every citation, except this file and the pending lines.
fn findings(root: &Path) -> Vec<String> {
    let this_file = Path::new(THIS_FILE);
    let mut found = Vec::new();
    for rel in files(root) {
        if rel == this_file {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        let path = rel.to_string_lossy().replace('\\', "/");
        for (n, line) in text.lines().enumerate() {
            if let Some(why) = citation(line) {
                found.push(format!("{path}:{}: {why}: {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn tree_cites_no_outside_document() {
    let found = findings(&workspace_root());
    assert!(
        found.is_empty(),
        "{} line(s) cite a document that is not in the repository; cite docs/real-systems.md \
         or docs/decisions.md by section title instead (or state the fact):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The section a line cites as `docs/real-systems.md, "Title"` or `docs/decisions.md, "Title"`
/// (backticks allowed), as (document, title).
fn cited_sections(line: &str) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    for doc in ["real-systems.md", "decisions.md"] {
        for (i, _) in line.match_indices(doc) {
            let rest = line[i + doc.len()..].trim_start_matches('`');
            let Some(rest) = rest.strip_prefix(", \"") else {
                continue;
            };
            if let Some(end) = rest.find('"') {
                out.push((doc, &rest[..end]));
            }
        }
    }
    out
}

/// `file:line` for every cited section title that is not a `## ` heading of its document.
fn broken_section_references(root: &Path) -> Vec<String> {
    let headings = |doc: &str| -> Vec<String> {
        let text = std::fs::read_to_string(root.join("docs").join(doc)).expect("the doc");
        text.lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(str::to_owned)
            .collect()
    };
    let known = [
        ("real-systems.md", headings("real-systems.md")),
        ("decisions.md", headings("decisions.md")),
    ];
    let mut broken = Vec::new();
    for rel in files(root) {
        if rel == Path::new(THIS_FILE) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&rel)) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for (doc, title) in cited_sections(line) {
                let (_, titles) = known.iter().find(|(d, _)| *d == doc).expect("a doc");
                if !titles.iter().any(|t| t == title) {
                    broken.push(format!(
                        "{}:{}: {doc} has no section \"{title}\"",
                        rel.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    broken
}

#[test]
fn every_cited_section_exists() {
    let broken = broken_section_references(&workspace_root());
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn cited_sections_are_read_from_a_line() {
    assert_eq!(
        cited_sections(
            r#"/// x (docs/real-systems.md, "Staging mode"), `docs/decisions.md`, "Seeds"."#
        ),
        vec![
            ("real-systems.md", "Staging mode"),
            ("decisions.md", "Seeds")
        ]
    );
    assert_eq!(
        cited_sections("[design](decisions.md) and real-systems.md alone"),
        vec![]
    );
}

#[test]
fn the_walk_reaches_every_root_and_the_top_level_markdown() {
    let files = files(&workspace_root());
    for must in [
        "ARCHITECTURE.md",
        "docs/real-systems.md",
        "crates/model/src/constants.rs",
        "simulator/src/timing.rs",
        "scenarios/README.md",
        ".ci/run",
        "tests/no_borrowed_documents.rs",
    ] {
        assert!(
            files.iter().any(|f| f == Path::new(must)),
            "{must} not walked"
        );
    }
    assert!(!files.iter().any(|f| f.starts_with("target")));
}

#[test]
fn planted_citations_are_found() {
    for line in [
        concat!("/// See DES", "IGN.md, \"Seeds\"."),
        concat!("//! the ledger (DES", "IGN \"Active exporter\")."),
        concat!("// (domain", "-facts §10)"),
        concat!("//! measured (reference/crates", ".md §4)"),
        concat!("let dir = root.join(\"..", "/shared/fixtures\");"),
        concat!(
            "//! the upgrade document (`reference/seed-dirsync",
            "-upgrade.md`)"
        ),
        "/// What blocks the analysis (D1).",
        "/// (D1: \"50,000 or more\")",
        "/// on the SQL instance DirSync uses (D1, item 12).",
        "// §2.7",
        "/// export errors (§ 2.12)",
        "/// its default rules of §2.5",
        "/// e-mail text (B-QUOTA).",
        "/// and exported (TN-ADEL).",
        "/// ten minutes per 10,000 objects (PERF).",
        "/// LocalDB limit (§1.7, LDB).",
        "// PRQ18: 2008 patched or later",
        "/// ticked when leaving staging (STG).",
        "/// objects (LDB, PRQ)",
    ] {
        assert!(citation(line).is_some(), "not found: {line}");
    }
}

#[test]
fn our_own_citations_and_ordinary_text_pass() {
    for line in [
        "/// Staging mode (docs/real-systems.md, \"Staging mode\").",
        "//! `docs/decisions.md` gives the reasons; see [design](decisions.md).",
        "/// The upgrade document (\"Azure AD Connect: Upgrade from DirSync\").",
        "msDS-HasInstantiatedNCs: B:8:0000000D:DC=example,DC=com",
        "/// Connect V2 needs TLS 1.2; an ms-DS-ConsistencyGuid anchor; objectGUID:: 6Gd2Srsm",
        "/// Full Import, Delta Import, Full Synchronization, Delta Synchronization",
        "/// DAR replaced the UPN with this value",
        "/// the sync rules' PERF counters, STG and DEL as words",
        "let d1 = D1; let x = (D1 + 2);",
        "// 3 hours per 50,000 objects",
    ] {
        assert_eq!(citation(line), None, "{line}");
    }
}
