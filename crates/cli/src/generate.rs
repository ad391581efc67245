//! `upgrade-lab generate`: build a seeded directory from a spec (a file, flags, or both: flags
//! win) and write it as JSON or LDIF, atomically.

use crate::error::CliError;
use crate::formats::{DirectoryFormat, write_directory};
use crate::output::write_output;
use crate::phases::Phases;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use upgrade_lab_scenario::diagnostic::line_column;
use upgrade_lab_scenario::numbers::count;
use upgrade_lab_simulator::generate::{DirectorySpec, GenerateProgress, generate_with_progress};

/// Runs with fewer objects finish too fast for a progress bar to help.
const PROGRESS_MIN_OBJECTS: u64 = 200_000;

const EXAMPLES: &str = "\
Examples:
  upgrade-lab generate --users 5000 --groups 400 --contacts 100 --out contoso.json
  upgrade-lab generate --spec world.toml --seed 7 --duplicate-upns 3 --out world.ldif
  upgrade-lab generate --domains contoso.com,emea.contoso.com --service-accounts 1 --no-sync-users 20
  upgrade-lab generate --users 200000 --print-spec > world.toml   # every field with its value
  upgrade-lab generate --spec - --out - < world.toml | upgrade-lab inspect -

Each phase (generate, write) ends with a `phase … done in` line on stderr; a spinner or a bar
shows while it runs when stderr is a terminal (not under CI=true).

A spec file (TOML or JSON) holds the same fields, e.g.:
  seed = 7
  users = 50000
  domains = [\"contoso.com\"]
  [group_shape]
  mean_members = 20
  [defects]
  duplicate_upns = 2";

/// Generate a seeded, realistic directory (users, groups, contacts, OUs) with planted defects.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct GenerateArgs {
    /// Spec file (TOML or JSON; `-` reads standard input); flags override its fields.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Output format [default: from the --out extension (.ldif, .ldf, .json), else json].
    #[arg(long, value_enum)]
    format: Option<DirectoryFormat>,
    /// Output file, written atomically; `-` is standard output.
    #[arg(long, value_name = "FILE", default_value = "-")]
    out: PathBuf,
    /// Print the effective spec (defaults, then the spec file, then flags) as TOML and stop.
    #[arg(long)]
    print_spec: bool,
    #[command(flatten)]
    fields: SpecFlags,
}

/// One flag per spec field; each overrides the spec file's value when given.
#[derive(Debug, Args)]
struct SpecFlags {
    /// Seed of every random draw.
    #[arg(long)]
    seed: Option<u64>,
    /// Number of users (service accounts included).
    #[arg(long)]
    users: Option<u32>,
    /// Number of groups.
    #[arg(long)]
    groups: Option<u32>,
    /// Number of mail-enabled contacts.
    #[arg(long)]
    contacts: Option<u32>,
    /// Domains' DNS names, comma-separated; the first is the forest root.
    #[arg(long, value_delimiter = ',', value_name = "DNS_NAMES")]
    domains: Option<Vec<String>>,
    /// Levels of OUs below each domain (0: objects in CN=Users).
    #[arg(long)]
    ou_depth: Option<u32>,
    /// Child OUs per OU.
    #[arg(long)]
    ou_fan_out: Option<u32>,
    /// Disabled users, per mille.
    #[arg(long)]
    disabled_per_mille: Option<u16>,
    /// Users with extensionAttribute15 = NoSync.
    #[arg(long)]
    no_sync_users: Option<u32>,
    /// DirSync service accounts (MSOL_…), out of the default scope.
    #[arg(long)]
    service_accounts: Option<u32>,
    /// Fewest user members of a group.
    #[arg(long)]
    group_min_members: Option<u32>,
    /// Average user members of a group.
    #[arg(long)]
    group_mean_members: Option<u32>,
    /// Most user members of a group.
    #[arg(long)]
    group_max_members: Option<u32>,
    /// Distribution (mail-enabled) groups, per mille.
    #[arg(long)]
    distribution_per_mille: Option<u16>,
    /// Groups nested in another group, per mille.
    #[arg(long)]
    nesting_per_mille: Option<u16>,
    /// Deepest chain of nested groups.
    #[arg(long)]
    nesting_depth: Option<u32>,
    /// Planted: pairs of users sharing a userPrincipalName.
    #[arg(long)]
    duplicate_upns: Option<u32>,
    /// Planted: pairs of users sharing a proxyAddress.
    #[arg(long)]
    duplicate_proxy_addresses: Option<u32>,
    /// Planted: users whose UPN holds a refused character.
    #[arg(long)]
    invalid_upns: Option<u32>,
    /// Planted: groups over the member limit (needs more than 50,000 users).
    #[arg(long)]
    oversized_groups: Option<u32>,
    /// Planted: users with more proxyAddresses than Azure AD accepts.
    #[arg(long)]
    too_many_proxy_addresses: Option<u32>,
}

impl SpecFlags {
    fn apply(self, spec: &mut DirectorySpec) {
        fn set<T>(field: &mut T, flag: Option<T>) {
            if let Some(v) = flag {
                *field = v;
            }
        }
        let g = &mut spec.group_shape;
        set(&mut g.min_members, self.group_min_members);
        set(&mut g.mean_members, self.group_mean_members);
        set(&mut g.max_members, self.group_max_members);
        set(&mut g.distribution_per_mille, self.distribution_per_mille);
        set(&mut g.nesting_per_mille, self.nesting_per_mille);
        set(&mut g.nesting_depth, self.nesting_depth);
        let d = &mut spec.defects;
        set(&mut d.duplicate_upns, self.duplicate_upns);
        set(
            &mut d.duplicate_proxy_addresses,
            self.duplicate_proxy_addresses,
        );
        set(&mut d.invalid_upns, self.invalid_upns);
        set(&mut d.oversized_groups, self.oversized_groups);
        set(
            &mut d.too_many_proxy_addresses,
            self.too_many_proxy_addresses,
        );
        set(&mut spec.seed, self.seed);
        set(&mut spec.users, self.users);
        set(&mut spec.groups, self.groups);
        set(&mut spec.contacts, self.contacts);
        set(&mut spec.domains, self.domains);
        set(&mut spec.ou_depth, self.ou_depth);
        set(&mut spec.ou_fan_out, self.ou_fan_out);
        set(&mut spec.disabled_per_mille, self.disabled_per_mille);
        set(&mut spec.no_sync_users, self.no_sync_users);
        set(&mut spec.service_accounts, self.service_accounts);
    }
}

pub fn run(args: GenerateArgs) -> Result<(), CliError> {
    let mut spec = match &args.spec {
        Some(path) => read_spec(path)?,
        None => DirectorySpec::default(),
    };
    args.fields.apply(&mut spec);
    if args.print_spec {
        let text = toml::to_string(&spec)
            .map_err(|e| CliError::usage(format!("cannot render the spec as TOML: {e}")))?;
        return write_output(Path::new("-"), |out| out.write_all(text.as_bytes()));
    }
    spec.validate()
        .map_err(|e| CliError::usage(format!("invalid directory spec: {e}")))?;
    let format = args
        .format
        .or_else(|| DirectoryFormat::from_extension(&args.out))
        .unwrap_or(DirectoryFormat::Json);

    let phases = Phases::new();
    let total = spec.objects_count();
    let bar = progress_bar(total);
    let directory = phases.run(
        &format!("generate {}", count(total, "object")),
        bar.clone(),
        || {
            let bar = bar.unwrap_or_else(ProgressBar::hidden);
            generate_with_progress(&spec, &|p: GenerateProgress| {
                bar.set_position(p.objects_done);
            })
        },
    );
    let directory =
        directory.map_err(|e| CliError::usage(format!("invalid directory spec: {e}")))?;
    let to = match args.out.to_str() {
        Some("-") => "standard output".to_string(),
        _ => args.out.display().to_string(),
    };
    let format_name = clap::ValueEnum::to_possible_value(&format)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    phases.run(&format!("write {format_name} to {to}"), None, || {
        write_output(&args.out, |out| write_directory(&directory, format, out))
    })?;
    // Freeing millions of small allocations one by one takes longer than the OS reclaiming the
    // whole heap at exit, and nothing runs after this.
    std::mem::forget(directory);
    Ok(())
}

/// Reads a spec file (`-`: standard input): TOML or JSON by extension, else JSON when it
/// starts with `{`.
fn read_spec(path: &Path) -> Result<DirectorySpec, CliError> {
    let bytes = crate::formats::read_input(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::usage(format!(
            "spec file {} is not UTF-8 text: {e}",
            path.display()
        ))
    })?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let json = ext.eq_ignore_ascii_case("json")
        || (!ext.eq_ignore_ascii_case("toml") && text.trim_start().starts_with('{'));
    if json {
        serde_json::from_str(&text)
            .map_err(|e| CliError::usage(format!("invalid spec file {}: {e}", path.display())))
    } else {
        toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|s| line_column(&text, s.start))
                .map(|(l, c)| format!(":{l}:{c}"))
                .unwrap_or_default();
            CliError::usage(format!(
                "invalid spec file {}{at}: {}",
                path.display(),
                e.message()
            ))
        })
    }
}

/// A bar of objects for large runs in a terminal (the phase shows a spinner otherwise).
fn progress_bar(objects_total: u64) -> Option<ProgressBar> {
    if objects_total < PROGRESS_MIN_OBJECTS || !crate::live::animated() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(objects_total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("generating {bar:40} {pos}/{len} objects ({elapsed})")
    {
        bar.set_style(style);
    }
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_column("a = 1\nbb = x", 11), (2, 6));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
