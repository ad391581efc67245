//! `upgrade-lab schema scenario|report`: the JSON Schema of scenario files (for editors: the
//! TOML language servers validate and complete a file against it) and of the JSON report (for
//! tools that read it). The same text is committed under `schemas/`.

use crate::error::CliError;
use crate::output::write_output;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use upgrade_lab_scenario::schema::{SchemaKind, render};

/// Print the JSON Schema of scenario files or of the JSON report.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  upgrade-lab schema scenario --out schemas/scenario.schema.json
  upgrade-lab run scenarios --format json --out report.json
  upgrade-lab schema report | jq '.properties | keys'

Editors: scenarios/README.md (\"Editor support\") shows how to point a TOML language server at
the scenario schema.")]
pub struct SchemaArgs {
    /// Which document: `scenario` (what the loader accepts) or `report` (`run --format json`).
    #[arg(value_enum)]
    which: Which,
    /// Where to write it; `-` (the default) is standard output.
    #[arg(long, value_name = "FILE", default_value = "-")]
    out: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Which {
    Scenario,
    Report,
}

/// Writes the chosen schema.
pub fn run(args: &SchemaArgs) -> Result<(), CliError> {
    let kind = match args.which {
        Which::Scenario => SchemaKind::Scenario,
        Which::Report => SchemaKind::Report,
    };
    let text = render(kind);
    write_output(&args.out, |out| out.write_all(text.as_bytes()))
}
