//! `upgrade-lab inspect FILE`: what a directory file holds (objects by type, domain and OU
//! depth; what the default scope rules leave out) and what Azure AD would refuse in it
//! (duplicate UPNs and proxyAddresses, invalid values, oversized groups, too many addresses).

use crate::error::CliError;
use crate::formats::{DirectoryFile, DirectoryFormat, directory_from_bytes, read_input};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;
use upgrade_lab_model::validate::{DefectReport, Duplicate, find_defects};
use upgrade_lab_model::{Directory, DirectoryCounts, Scope};
use upgrade_lab_scenario::numbers::{count_usize, thousands_usize};
use upgrade_lab_simulator::ldif::{self, LdifSurvey, ReadOptions, SkipCounts};

/// Defects listed per kind in the human report; the JSON report lists all.
const LISTED_PER_KIND: usize = 10;

const EXAMPLES: &str = "\
Examples:
  upgrade-lab inspect contoso.json
  upgrade-lab inspect export.ldif --format json > findings.json
  upgrade-lab generate --users 1000 --out - | upgrade-lab inspect -
  upgrade-lab inspect export.ldif --fail-on-defects   # exit 1 when Azure AD would refuse something
  UPGRADE_LAB_LDAP_PASSWORD=... upgrade-lab inspect --ldap ldaps://dc01.contoso.com \\
      --bind-dn reader@contoso.com --ca-file contoso-ca.pem   # a live directory";

/// Count a directory file's objects and list the defects Azure AD would refuse.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct InspectArgs {
    /// Directory file: LDIF (ldifde, ldapsearch, Samba) or JSON as `generate` writes it; the
    /// format comes from the extension (.ldif, .ldf, .json), else from the content. `-` reads
    /// standard input.
    #[arg(required_unless_present = "ldap", conflicts_with = "ldap")]
    file: Option<PathBuf>,
    #[command(flatten)]
    ldap: crate::ldap_source::LdapArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    format: ReportFormat,
    /// Exit 1, with the count of each kind on standard error, when the directory holds
    /// anything Azure AD would refuse (see "Defects" in the report).
    #[arg(long)]
    fail_on_defects: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Tables for people.
    Human,
    /// One JSON document for tools, with every defect.
    Json,
}

/// Everything `inspect` reports.
#[derive(Debug, Serialize)]
pub struct Inspection {
    pub forest: String,
    pub domains: Vec<String>,
    pub counts: DirectoryCounts,
    /// Objects the default scope rules leave out, by reason.
    pub out_of_default_scope: BTreeMap<&'static str, usize>,
    pub defects: DefectReport,
    /// What an LDIF file held that the directory model does not (computers, containers…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ldif_skipped: Option<SkipCounts>,
}

impl Inspection {
    /// Three independent passes over the objects (counts, scope, defects), run side by side.
    pub fn of(directory: &Directory, ldif_skipped: Option<SkipCounts>) -> Self {
        let ((counts, out_of_default_scope), defects) = rayon::join(
            || rayon::join(|| directory.counts(), || out_of_default_scope(directory)),
            || find_defects(directory),
        );
        Self {
            forest: directory.forest.to_string(),
            domains: directory
                .domains
                .iter()
                .map(|d| d.dns_name.to_string())
                .collect(),
            counts,
            out_of_default_scope,
            defects,
            ldif_skipped,
        }
    }

    /// The inspection of an LDIF file surveyed without keeping its directory (`ldif::survey`):
    /// equal to `of` the directory the file reads as.
    pub fn of_survey(survey: LdifSurvey) -> Self {
        Self {
            forest: survey.forest.to_string(),
            domains: survey
                .domains
                .iter()
                .map(|d| d.dns_name.to_string())
                .collect(),
            counts: survey.counts,
            out_of_default_scope: survey.out_of_default_scope,
            defects: survey.defects,
            ldif_skipped: Some(survey.skipped),
        }
    }
}

/// Objects the default scope rules leave out, by reason.
fn out_of_default_scope(directory: &Directory) -> BTreeMap<&'static str, usize> {
    let scope = Scope::everything();
    let mut out = BTreeMap::new();
    for o in &directory.objects {
        if let Some(reason) = scope.why_out(o) {
            *out.entry(reason.label()).or_default() += 1;
        }
    }
    out
}

/// The subcommand: 0, 1 when `--fail-on-defects` found one, 2 on bad input.
pub fn run(args: &InspectArgs) -> ExitCode {
    let fail_on_defects = args.fail_on_defects;
    match report(args) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
        Ok(defects) if fail_on_defects => match defects_message(&defects) {
            Some(message) => {
                eprint!("{message}");
                ExitCode::from(crate::error::EXIT_FAILED)
            }
            None => ExitCode::SUCCESS,
        },
        Ok(_) => ExitCode::SUCCESS,
    }
}

/// The defect kinds with their counts, in the report's order.
pub fn defect_counts(d: &DefectReport) -> [(&'static str, usize); 5] {
    [
        ("duplicate UPNs", d.duplicate_upns.len()),
        (
            "duplicate proxyAddresses",
            d.duplicate_proxy_addresses.len(),
        ),
        ("invalid values", d.invalid_values.len()),
        ("groups over the member limit", d.oversized_groups.len()),
        ("too many proxyAddresses", d.too_many_proxy_addresses.len()),
    ]
}

/// What `--fail-on-defects` prints on standard error when there are defects.
fn defects_message(d: &DefectReport) -> Option<String> {
    let counts = defect_counts(d);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let mut text = format!(
        "error: {} that Azure AD would refuse (--fail-on-defects)\n",
        count_usize(total, "defect")
    );
    for (kind, n) in counts.iter().filter(|(_, n)| *n > 0) {
        let _ = writeln!(text, "  {kind}: {}", thousands_usize(*n));
    }
    Some(text)
}

/// Prints the report; returns the defects found.
fn report(args: &InspectArgs) -> Result<DefectReport, CliError> {
    let inspection = match (&args.ldap.ldap, &args.file) {
        (Some(url), _) => of_directory(args.ldap.read(url)?),
        (None, Some(path)) => inspect_file(path)?,
        (None, None) => return Err(CliError::usage("give a directory file or --ldap URL")),
    };
    let text = match args.format {
        ReportFormat::Human => render_human(&inspection),
        ReportFormat::Json => serde_json::to_string_pretty(&inspection)
            .map(|j| j + "\n")
            .map_err(|e| CliError::usage(format!("cannot render the report: {e}")))?,
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A reader that stopped early (`| head`) is not an error of ours.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::usage(format!("cannot write the report: {e}")))
        }
        _ => Ok(inspection.defects),
    }
}

/// The inspection of the directory file at `path`: an LDIF file is surveyed (its objects are
/// summarized as they are read, never kept), a JSON file read into the model.
fn inspect_file(path: &Path) -> Result<Inspection, CliError> {
    if DirectoryFormat::from_extension(path) == Some(DirectoryFormat::Ldif)
        && let Some(survey) = survey_in_windows(path)
    {
        return Ok(Inspection::of_survey(survey));
    }
    let bytes = read_file(path)?;
    let format =
        DirectoryFormat::from_extension(path).unwrap_or_else(|| DirectoryFormat::sniff(&bytes));
    if format == DirectoryFormat::Ldif {
        let survey = ldif::survey_bytes(&bytes);
        // The process ends after the report: the system takes the file's pages back at exit.
        std::mem::forget(bytes);
        return survey
            .map(Inspection::of_survey)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())));
    }
    // The directory is read once and dropped: sharing DN allocations would buy nothing.
    let file = directory_from_bytes(path, &bytes, format, ReadOptions::sharing_dn_values(false))?;
    Ok(of_directory(file))
}

/// The survey of a large regular LDIF file read in windows (`ldif::survey_windows`: each core
/// reads its stretch into one buffer it reuses), or `None` when the file is to be read whole:
/// a small file, standard input, a read that fails, a file that changed size, and every file
/// that does not survey cleanly (the whole reading reports the error with its place).
#[cfg(unix)]
fn survey_in_windows(path: &Path) -> Option<LdifSurvey> {
    use std::os::unix::fs::FileExt as _;
    let file = std::fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() < PARALLEL_READ_BYTES {
        return None;
    }
    let survey = ldif::survey_windows(meta.len(), &|buf, offset| file.read_exact_at(buf, offset))?;
    // A file that grew since its size was taken is read again whole.
    let mut more = [0u8; 1];
    (file.read_at(&mut more, meta.len()).ok()? == 0).then_some(survey)
}

#[cfg(not(unix))]
fn survey_in_windows(_path: &Path) -> Option<LdifSurvey> {
    None
}

/// Files at least this large are read by all cores, each into its own part of the buffer.
const PARALLEL_READ_BYTES: u64 = 8 << 20;

/// The bytes of the file at `path` (`-`: standard input), as `read_input` reads them. A large
/// regular file is read in parts side by side: copying 100 MB out of the page cache, and the
/// page faults of the buffer it goes to, take one core about 60 ms.
fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    #[cfg(unix)]
    if path != Path::new("-")
        && let Ok(file) = std::fs::File::open(path)
        && let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() >= PARALLEL_READ_BYTES
        && let Some(bytes) = read_in_parts(&file, meta.len())
    {
        return Ok(bytes);
    }
    // Small files, standard input, and every case the parts do not cover (an error, a file
    // that changed size while it was read): the plain read, with its error message.
    read_input(path)
}

/// The `len` bytes of `file` read in one part per core, or `None` when that fails or the
/// file does not end at `len`.
#[cfg(unix)]
fn read_in_parts(file: &std::fs::File, len: u64) -> Option<Vec<u8>> {
    use rayon::prelude::*;
    use std::os::unix::fs::FileExt as _;
    let mut bytes = vec![0u8; usize::try_from(len).ok()?];
    let part = bytes.len().div_ceil(rayon::current_num_threads().max(1));
    bytes
        .par_chunks_mut(part)
        .enumerate()
        .try_for_each(|(i, chunk)| {
            let offset = u64::try_from(i * part).map_err(std::io::Error::other)?;
            file.read_exact_at(chunk, offset)
        })
        .ok()?;
    // A file that grew since its size was taken is read again whole.
    let mut more = [0u8; 1];
    (file.read_at(&mut more, len).ok()? == 0).then_some(bytes)
}

/// The inspection of a directory read whole.
fn of_directory(file: DirectoryFile) -> Inspection {
    let inspection = Inspection::of(&file.directory, file.skipped);
    // The process ends after the report: freeing a large directory object by object would
    // cost more than reading it (the system takes the memory back at exit).
    std::mem::forget(file.directory);
    inspection
}

/// The report as aligned tables.
pub fn render_human(i: &Inspection) -> String {
    let c = &i.counts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Directory {} ({}, {})",
        i.forest,
        count_usize(i.domains.len(), "domain"),
        count_usize(c.organizational_units, "OU")
    );
    out.push_str("\nObjects\n");
    let disabled = format!("({} disabled)", thousands_usize(c.disabled_users));
    table(
        &mut out,
        &[
            ("users", thousands_usize(c.users), disabled.as_str()),
            ("groups", thousands_usize(c.groups), ""),
            ("contacts", thousands_usize(c.contacts), ""),
            ("total", thousands_usize(c.objects()), ""),
        ],
    );
    out.push_str("\nBy domain\n");
    let rows: Vec<_> = c
        .by_domain
        .iter()
        .map(|(d, n)| (d.as_str(), thousands_usize(*n), ""))
        .collect();
    table(&mut out, &rows);
    out.push_str("\nBy OU depth\n");
    let depths: Vec<String> = c
        .by_ou_depth
        .keys()
        .map(std::string::ToString::to_string)
        .collect();
    let rows: Vec<_> = c
        .by_ou_depth
        .values()
        .zip(&depths)
        .map(|(n, d)| (d.as_str(), thousands_usize(*n), ""))
        .collect();
    table(&mut out, &rows);
    if !i.out_of_default_scope.is_empty() {
        out.push_str("\nOut of the default sync scope\n");
        let rows: Vec<_> = i
            .out_of_default_scope
            .iter()
            .map(|(r, n)| (*r, thousands_usize(*n), ""))
            .collect();
        table(&mut out, &rows);
    }
    if let Some(skipped) = i.ldif_skipped.as_ref().filter(|s| s.records() > 0) {
        let _ = writeln!(
            out,
            "\nLDIF records not modelled: {}",
            thousands_usize(skipped.records())
        );
        let mut rows: Vec<(&str, String, &str)> = skipped
            .entries_by_object_class
            .iter()
            .map(|(class, n)| (class.as_str(), thousands_usize(*n), ""))
            .collect();
        for (change, n) in &skipped.changes_by_changetype {
            rows.push((change.as_str(), thousands_usize(*n), "(change records)"));
        }
        if skipped.references > 0 {
            rows.push(("references", thousands_usize(skipped.references), ""));
        }
        table(&mut out, &rows);
    }
    render_defects(&mut out, &i.defects);
    out
}

/// What the member limit means for the upgrade.
const OVER_LIMIT_NOTE: &str = "50,000 members or more: DirSync's group rule does not export them";

fn render_defects(out: &mut String, d: &DefectReport) {
    let counts = defect_counts(d);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        out.push_str("\nDefects: none\n");
        return;
    }
    let _ = writeln!(out, "\nDefects: {}", thousands_usize(total));
    let rows: Vec<(&str, String, &str)> = counts
        .iter()
        .map(|&(kind, n)| {
            let note = if kind == "groups over the member limit" && n > 0 {
                OVER_LIMIT_NOTE
            } else {
                ""
            };
            (kind, thousands_usize(n), note)
        })
        .collect();
    table(out, &rows);
    let duplicates = |out: &mut String, title: &str, list: &[Duplicate]| {
        let lines = list
            .iter()
            .map(|x| format!("{}  held by {}", x.value, x.holders.join(" | ")));
        listing(out, title, list.len(), lines);
    };
    duplicates(out, "Duplicate UPNs", &d.duplicate_upns);
    duplicates(
        out,
        "Duplicate proxyAddresses",
        &d.duplicate_proxy_addresses,
    );
    let invalid = d
        .invalid_values
        .iter()
        .map(|v| format!("{} {:?}: {}  ({})", v.attribute, v.value, v.problem, v.dn));
    listing(out, "Invalid values", d.invalid_values.len(), invalid);
    let oversized = d.oversized_groups.iter().cloned();
    listing(
        out,
        "Groups over the member limit (not exported)",
        d.oversized_groups.len(),
        oversized,
    );
    let many = d.too_many_proxy_addresses.iter().cloned();
    listing(
        out,
        "Objects with too many proxyAddresses",
        d.too_many_proxy_addresses.len(),
        many,
    );
}

/// A titled list of at most `LISTED_PER_KIND` lines, with a count of the rest.
fn listing(out: &mut String, title: &str, count: usize, lines: impl Iterator<Item = String>) {
    if count == 0 {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    for line in lines.take(LISTED_PER_KIND) {
        let _ = writeln!(out, "  {line}");
    }
    if count > LISTED_PER_KIND {
        let _ = writeln!(
            out,
            "  … and {} more (--format json lists all)",
            thousands_usize(count - LISTED_PER_KIND)
        );
    }
}

/// Rows of (label, number, note): labels left-aligned, numbers right-aligned.
fn table(out: &mut String, rows: &[(&str, String, &str)]) {
    let label_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let number_width = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (label, number, note) in rows {
        let line = format!("  {label:<label_width$}  {number:>number_width$}  {note}");
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_over_the_member_limit_is_listed_as_a_defect() {
        let d = DefectReport {
            oversized_groups: vec!["CN=all staff,DC=contoso,DC=com".into()],
            ..DefectReport::default()
        };
        let mut out = String::new();
        render_defects(&mut out, &d);
        assert!(out.contains("Defects: 1"), "{out}");
        assert!(
            out.contains("groups over the member limit  1  50,000 members or more"),
            "{out}"
        );
        assert!(
            out.contains(
                "Groups over the member limit (not exported)\n  CN=all staff,DC=contoso,DC=com"
            ),
            "{out}"
        );
    }
}
