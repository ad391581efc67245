//! The three parsers as fuzz targets: each takes bytes, calls the parser's public entry point
//! and checks the contract beyond "did not panic": an error carries a location inside the input
//! when the parser's API has one, and what parses writes back to something that parses equal.

use std::path::Path;
use upgrade_lab_engine::settings_file::{self, SettingsFileError};
use upgrade_lab_scenario::load::load_text;
use upgrade_lab_simulator::ldif;

/// What a parser made of an input that kept its contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// Refused with an error that keeps the contract (located where the API has a location).
    Refused,
}

/// A parser under test: `Err` is a broken contract, described.
pub type Parse = fn(&[u8]) -> Result<Outcome, String>;

/// The path the scenario loader is told the text came from (it names it in errors).
pub const SCENARIO_PATH: &str = "fuzz/input.toml";

/// `upgrade_lab_scenario::load::load_text`: every error is `fuzz/input.toml:LINE:COLUMN: …`
/// with the position inside the text, and its miette rendering works.
pub fn scenario(bytes: &[u8]) -> Result<Outcome, String> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    match load_text("input", Path::new(SCENARIO_PATH), text.clone()) {
        Ok(_) => Ok(Outcome::Accepted),
        Err(errors) if errors.is_empty() => Err("refused with an empty list of errors".into()),
        Err(errors) => {
            for e in &errors {
                check_scenario_location(&e.location, &text)
                    .map_err(|why| format!("{why}: {}", e.plain()))?;
            }
            let _ = errors[0].render(false);
            Ok(Outcome::Refused)
        }
    }
}

pub fn check_scenario_location(location: &str, text: &str) -> Result<(), String> {
    let rest = location
        .strip_prefix(SCENARIO_PATH)
        .and_then(|r| r.strip_prefix(':'))
        .ok_or("the error's location does not start with the file's path")?;
    let (line, column) = rest
        .split_once(':')
        .and_then(|(l, c)| Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?)))
        .ok_or("the error's location is not path:line:column")?;
    let Some(chars) = line
        .checked_sub(1)
        .and_then(|i| text.split('\n').nth(i))
        .map(|l| l.chars().count())
    else {
        return Err(format!("line {line} is outside the text"));
    };
    if column == 0 || column > chars + 1 {
        return Err(format!("column {column} is outside line {line}"));
    }
    Ok(())
}

/// `ldif::read_directory_bytes`: an error's line (and column, when given) lies inside the
/// input, its message renders, and a directory that reads writes back to LDIF that reads equal.
pub fn ldif(bytes: &[u8]) -> Result<Outcome, String> {
    match ldif::read_directory_bytes(bytes) {
        Ok(import) => {
            let mut out = Vec::new();
            ldif::write_directory(&import.directory, &mut out)
                .map_err(|e| format!("the directory read does not write: {e}"))?;
            let again = ldif::read_directory_bytes(&out)
                .map_err(|e| format!("the directory read writes LDIF that does not read: {e}"))?;
            if again.directory != import.directory {
                let (a, b) = (
                    format!("{:?}", import.directory),
                    format!("{:?}", again.directory),
                );
                return Err(format!(
                    "the directory read writes LDIF that reads different: {}",
                    first_difference(&a, &b)
                ));
            }
            Ok(Outcome::Accepted)
        }
        Err(e) => {
            let shown = e.to_string();
            check_line_column(bytes, e.line, e.column).map_err(|why| format!("{why}: {shown}"))?;
            Ok(Outcome::Refused)
        }
    }
}

/// A 1-based line (and column) inside `bytes`: the line at most one past the last newline, the
/// column at most one past the input's length (a column counts characters of a possibly
/// folded line, so the input's length is the bound that always holds).
pub fn check_line_column(bytes: &[u8], line: usize, column: Option<usize>) -> Result<(), String> {
    let max_line = bytes.split(|b| *b == b'\n').count();
    if line == 0 || line > max_line {
        return Err(format!("line {line} is outside the input"));
    }
    match column {
        Some(c) if c == 0 || c > bytes.len() + 1 => Err(format!("column {c} is outside the input")),
        _ => Ok(()),
    }
}

/// Where two renderings part: a few characters of each from there.
fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let start = a[..at].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
    let show = |s: &str| {
        s.get(start..)
            .unwrap_or("")
            .chars()
            .take(100)
            .collect::<String>()
    };
    format!("read `…{}` / read again `…{}`", show(a), show(b))
}

/// `settings_file::parse_settings`: a JSON error's line and column lie inside the input (the
/// other errors are about the document, which has no position in this API), and a document
/// that reads writes back to bytes that read equal.
pub fn settings(bytes: &[u8]) -> Result<Outcome, String> {
    match settings_file::parse_settings(bytes) {
        Ok(doc) => {
            let again = settings_file::parse_settings(&settings_file::to_bytes(&doc));
            if again.as_ref() != Ok(&doc) {
                return Err(format!("the document read writes back as {again:?}"));
            }
            Ok(Outcome::Accepted)
        }
        Err(e) => {
            let shown = e.to_string();
            if let SettingsFileError::NotJson { line, column, .. } = e {
                check_line_column(bytes, line, Some(column))
                    .map_err(|why| format!("{why}: {shown}"))?;
            }
            Ok(Outcome::Refused)
        }
    }
}
