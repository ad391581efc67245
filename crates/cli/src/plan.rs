//! `upgrade-lab plan`: reads a directory (`--ldif FILE|-` or `--ldap URL`) and a DirSync
//! description (`--dirsync FILE`, the keys of a scenario's `[world.dirsync]`), hands them to
//! `upgrade-lab-plan`, which rehearses both paths, and writes the plan. Exit 0, or 2 on bad
//! input (a missing file, a description that does not read, a directory that cannot be read).

use crate::color::ColorChoice;
use crate::error::CliError;
use crate::formats::read_directory;
use crate::output::write_output;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use upgrade_lab_plan::{Anonymiser, Format, PlanInput};

const EXAMPLES: &str = "\
Examples:
  upgrade-lab plan --ldif contoso.ldif --dirsync dirsync.toml --out plan.md
  upgrade-lab plan --ldif contoso.ldif --dirsync dirsync.toml --format html --out plan.html --anonymise
  UPGRADE_LAB_LDAP_PASSWORD=... upgrade-lab plan --ldap ldaps://dc01.contoso.com \\
      --bind-dn reader@contoso.com --ca-file contoso-ca.pem --dirsync dirsync.toml --format json

dirsync.toml holds the keys of a scenario's [world.dirsync] (scenarios/README.md), e.g.:
  version = \"1.0.7020.0\"
  sql = \"express\"
  alternate_login_id = \"mail\"
  [filters]
  included_ous = [\"OU=Staff,DC=contoso,DC=com\"]";

/// Rehearse both upgrade paths of your directory and DirSync configuration; write the plan.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct PlanArgs {
    /// The directory as an LDIF export (ldifde, ldapsearch) or JSON from `generate`; `-` reads
    /// standard input.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "ldap",
        conflicts_with = "ldap"
    )]
    ldif: Option<PathBuf>,
    #[command(flatten)]
    ldap: crate::ldap_source::LdapArgs,
    /// The DirSync installation: a TOML file with the keys of a scenario's [world.dirsync].
    #[arg(long, value_name = "FILE")]
    dirsync: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Markdown)]
    format: PlanFormat,
    /// Where to write the plan; `-` is standard output.
    #[arg(long, value_name = "FILE", default_value = "-")]
    out: PathBuf,
    /// Replace every name, UPN, mail address and DN component of the directory by a stable
    /// pseudonym, in every text of the output, so the plan can be shared.
    #[arg(long, alias = "anonymize")]
    anonymise: bool,
    /// The rehearsals' seed.
    #[arg(long, default_value_t = upgrade_lab_plan::DEFAULT_SEED)]
    seed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Markdown,
    Html,
    Json,
}

/// The subcommand.
pub fn run(args: PlanArgs, color: ColorChoice) -> ExitCode {
    match plan(args, color) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(crate::error::EXIT_USAGE)
        }
    }
}

/// The DirSync description, checked by the scenario loader; its errors rendered.
fn dirsync(
    path: &Path,
    color: bool,
) -> Result<(upgrade_lab_scenario::format::DirSyncSection, toml::Table), String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "error: cannot read the DirSync description {}: {e}\n  help: --dirsync names a TOML file with the keys of a scenario's [world.dirsync]",
            path.display()
        )
    })?;
    let render = |errors: Vec<upgrade_lab_scenario::ScenarioError>| {
        errors
            .iter()
            .map(|e| e.render(color))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let section =
        upgrade_lab_scenario::load::load_dirsync_text(path, text.clone()).map_err(render)?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| format!("error: {}: {e}", path.display()))?;
    Ok((section, table))
}

fn plan(args: PlanArgs, color: ColorChoice) -> Result<(), String> {
    let err = |e: CliError| format!("error: {e}");
    let (section, table) = dirsync(
        &args.dirsync,
        crate::color::wanted(color, crate::color::Stream::Stderr),
    )?;
    let (file, source) = match (&args.ldap.ldap, &args.ldif) {
        (Some(url), _) => (args.ldap.read(url).map_err(err)?, format!("LDAP {url}")),
        (None, Some(path)) => (
            read_directory(path).map_err(err)?,
            format!("LDIF {}", path.display()),
        ),
        (None, None) => return Err("error: give --ldif FILE or --ldap URL".into()),
    };
    let directory = Arc::new(file.directory);
    let input = PlanInput {
        directory: Arc::clone(&directory),
        source,
        dirsync: section,
        dirsync_table: table,
        seed: args.seed,
    };
    let plan =
        upgrade_lab_plan::plan(&input).map_err(|e| format!("error: the rehearsal failed: {e}"))?;
    let anonymiser = args
        .anonymise
        .then(|| Anonymiser::for_directory(&directory));
    let format = match args.format {
        PlanFormat::Markdown => Format::Markdown,
        PlanFormat::Html => Format::Html,
        PlanFormat::Json => Format::Json,
    };
    let text = upgrade_lab_plan::render(&plan, format, anonymiser.as_ref());
    write_output(&args.out, |w| w.write_all(text.as_bytes())).map_err(err)
}
