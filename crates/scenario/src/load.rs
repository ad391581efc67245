//! Finding and loading scenario files. Every file is read, parsed and checked before anything
//! runs; all problems of all files come back together so one pass fixes them all.

use crate::diagnostic::ScenarioError;
use crate::format::{FaultTrigger, ScenarioFile};
use crate::validate;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A scenario file that parsed and passed every check.
#[derive(Debug)]
pub struct Scenario {
    /// Its name: the path below the suite root without `.toml` (`parallel/cutover-uninstall`).
    pub name: String,
    /// The scenario file's path as it was given (relative paths stay relative).
    pub path: PathBuf,
    /// The parsed file, with the source spans its errors point at.
    pub file: ScenarioFile,
    /// The LDIF file, resolved against the scenario's directory.
    pub ldif_path: Option<PathBuf>,
    /// A directory given in memory: read over LDAP (`[world.ldap]`) when the file loaded, or
    /// handed over by a program that builds scenarios itself (`plan`). It replaces the
    /// generated or LDIF directory.
    pub directory: Option<Arc<upgrade_lab_model::Directory>>,
    /// When each `[[faults]]` entry strikes, in file order.
    pub fault_triggers: Vec<FaultTrigger>,
    /// Objects of the directory (generated or read from the LDIF file) before any step.
    pub objects: u64,
}

impl Scenario {
    /// The file's `seed` (`--seed` replaces it at run time).
    pub fn seed(&self) -> u64 {
        self.file.seed
    }

    /// The file's `description`, or an empty string.
    pub fn description(&self) -> &str {
        self.file.description.get_ref()
    }
}

/// The `.toml` files under the given paths (directories searched recursively), each with the
/// name it is known by, sorted by name. A path that does not exist is an error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, Vec<ScenarioError>> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        if root.is_dir() {
            let mut files = Vec::new();
            if let Err(e) = walk(root, &mut files) {
                errors.push(ScenarioError::about_path(
                    root,
                    format!("cannot read the directory: {e}"),
                    None,
                ));
            }
            for f in files {
                found.push((name_below(root, &f), f));
            }
        } else if root.is_file() {
            found.push((file_stem(root), root.clone()));
        } else {
            errors.push(ScenarioError::about_path(
                root,
                "no such file or directory",
                Some("give a scenario file or a folder of them, such as `scenarios`".into()),
            ));
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.1 == b.1);
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn name_below(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file).with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Reads, parses and checks one file.
pub fn load_file(name: &str, path: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![ScenarioError::about_path(
            path,
            format!("cannot read the scenario file: {e}"),
            None,
        )]
    })?;
    load_text(name, path, text)
}

/// Parses and checks a file's text (`path` locates errors and the LDIF file).
pub fn load_text(name: &str, path: &Path, text: String) -> Result<Scenario, Vec<ScenarioError>> {
    let text = Arc::new(text);
    let file: ScenarioFile = toml::from_str(&text).map_err(|e| {
        let (message, help) = explain_parse_error(e.message());
        vec![ScenarioError::at(path, &text, e.span(), message, help)]
    })?;
    let checked = validate::check(path, &text, &file)?;
    Ok(Scenario {
        name: name.to_string(),
        path: path.to_path_buf(),
        file,
        ldif_path: checked.ldif_path,
        directory: checked.directory,
        fault_triggers: checked.fault_triggers,
        objects: checked.objects,
    })
}

/// Parses and checks a DirSync description: the keys of a scenario's `[world.dirsync]` at the
/// top of its own file (what `plan --dirsync` reads). Errors point into that file.
pub fn load_dirsync_text(
    path: &Path,
    text: String,
) -> Result<crate::format::DirSyncSection, Vec<ScenarioError>> {
    let text = Arc::new(text);
    let section: crate::format::DirSyncSection = toml::from_str(&text).map_err(|e| {
        let (message, help) = explain_parse_error(e.message());
        vec![ScenarioError::at(path, &text, e.span(), message, help)]
    })?;
    validate::check_dirsync(path, &text, &section)?;
    Ok(section)
}

/// Discovers and loads every scenario under `paths`. Either all load, or every error of every
/// file comes back.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, Vec<ScenarioError>> {
    let found = discover(paths)?;
    let mut scenarios = Vec::with_capacity(found.len());
    let mut errors = Vec::new();
    for (name, path) in &found {
        match load_file(name, path) {
            Ok(s) => scenarios.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if found.is_empty() {
        errors.push(ScenarioError::about_path(
            paths.first().map_or(Path::new("."), PathBuf::as_path),
            "no scenario files (*.toml) found",
            Some("scenario files end in .toml; see scenarios/README.md".into()),
        ));
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(errors)
    }
}

/// The parser's message with a hint for the common mistakes (also for files read beside
/// scenarios, such as `plan`'s DirSync description).
pub fn explain_parse_error(message: &str) -> (String, Option<String>) {
    let message = message.trim().to_string();
    if let Some(hint) = did_you_mean(&message) {
        return (message, Some(hint));
    }
    let help = if message.contains("missing field `format_version`") {
        Some("start the file with `format_version = 1`".to_string())
    } else if message.contains("unknown field") {
        Some("check the spelling; scenarios/README.md lists every key of each section".to_string())
    } else if message.contains("expected u") || message.contains("negative") {
        Some("counts, minutes and seeds are whole numbers from 0".to_string())
    } else if message.contains("missing field") {
        Some("add the key; scenarios/README.md says which keys are required".to_string())
    } else {
        None
    };
    (message, help)
}

/// For "unknown variant/field `x`, expected one of `a`, `b`": the closest allowed word.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown variant `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    let (word, expected) = rest.split_once('`')?;
    let allowed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match crate::vocabulary::closest(word, &allowed) {
        Some(c) => Some(format!("did you mean `{c}`?")),
        None if !allowed.is_empty() => Some(format!("use one of: {}", allowed.join(", "))),
        None => None,
    }
}
