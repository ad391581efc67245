//! `upgrade-lab plan`: reads a directory (`--ldif FILE|-` or `--ldap URL`) and a DirSync
//! description (`--dirsync FILE`: the keys of a scenario's `[world.dirsync]`, optionally the real
//! machines as `[dirsync_host]`, `[server]`, `[tenant]` and the change rate as `[churn]`), hands
//! them to `upgrade-lab-plan`, which rehearses both paths, and writes the plan. Exit 0, or 2 on
//! bad input (a missing file, a description that does not read, a directory that cannot be
//! read, a change rate the directory cannot take).

use crate::color::ColorChoice;
use crate::error::CliError;
use crate::formats::read_directory;
use crate::output::write_output;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use upgrade_lab_plan::{Anonymiser, Description, Format, PlanInput};

const EXAMPLES: &str = "\
Examples:
  upgrade-lab plan --ldif contoso.ldif --dirsync dirsync.toml --out plan.md
  upgrade-lab plan --ldif contoso.ldif --dirsync dirsync.toml --format html --out plan.html --anonymise
  UPGRADE_LAB_LDAP_PASSWORD=... upgrade-lab plan --ldap ldaps://dc01.contoso.com \\
      --bind-dn reader@contoso.com --ca-file contoso-ca.pem --dirsync dirsync.toml --format json

  upgrade-lab plan --ldif contoso.ldif --dirsync dirsync.toml --staging-hours 24 --changes-per-hour 300

dirsync.toml holds the keys of a scenario's [world.dirsync] at the top, and optionally the real
machines with the keys of [world.dirsync_host], [world.server] and [world.tenant], and the
directory's changes an hour (scenarios/README.md, \"plan's description file\"), e.g.:
  version = \"1.0.7020.0\"
  sql = \"express\"
  alternate_login_id = \"mail\"
  [filters]
  included_ous = [\"OU=Staff,DC=contoso,DC=com\"]
  [dirsync_host]          # the DirSync server (an in-place upgrade installs on it)
  os = \"2008r2\"
  dotnet = \"4.5.2\"
  [server]                # the new Connect server of a parallel deployment
  os = \"2022\"
  [tenant]
  verified_domain = true
  cloud_only_users = 40
  [churn]                 # changes an hour while the new server stages
  adds = 20
  updates = 150
  deletes = 10
A section not given is assumed (a server that meets the current prerequisites, a tenant with
a verified domain, a directory that does not change), and the plan says so.";

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
    /// The DirSync installation: a TOML file with the keys of a scenario's [world.dirsync], and
    /// optionally [dirsync_host], [server], [tenant] (the real machines, checked against
    /// Connect's prerequisites) and [churn] (AD's changes an hour).
    #[arg(long, value_name = "FILE")]
    dirsync: PathBuf,
    /// AD's changes an hour while the new server stages, as a typical delta mixes them (1 add,
    /// 5 updates, 1 delete in 7); replaces the description's [churn]. Without either, the plan
    /// assumes AD does not change and says what that means.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=100_000))]
    changes_per_hour: Option<u64>,
    /// Hours the new server of a parallel deployment stages before it is verified.
    #[arg(long, value_name = "HOURS", default_value_t = upgrade_lab_plan::DEFAULT_STAGING_HOURS,
          value_parser = clap::value_parser!(u64).range(1..=upgrade_lab_plan::MAX_STAGING_HOURS))]
    staging_hours: u64,
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
pub fn run(args: &PlanArgs, color: ColorChoice) -> ExitCode {
    match plan(args, color) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(crate::error::EXIT_USAGE)
        }
    }
}

/// The DirSync description, checked as the scenario loader checks a scenario; its errors
/// rendered at `file:line:column`.
fn dirsync(path: &Path, color: bool) -> Result<Description, String> {
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
    upgrade_lab_plan::description::read(path, text).map_err(render)
}

fn plan(args: &PlanArgs, color: ColorChoice) -> Result<(), String> {
    let err = |e: CliError| format!("error: {e}");
    let description = dirsync(
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
        description,
        changes_per_hour: args.changes_per_hour,
        staging_hours: args.staging_hours,
        seed: args.seed,
    };
    let plan = upgrade_lab_plan::plan(&input).map_err(|e| format!("error: {e}"))?;
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
