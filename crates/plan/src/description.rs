//! The DirSync description file `plan --dirsync` reads: the keys of a scenario's
//! `[world.dirsync]` at the top of the file, and optionally the real machines as top-level
//! tables with the keys of a scenario's `[world.dirsync_host]`, `[world.server]` and
//! `[world.tenant]`, and the directory's change rate as `[churn]`.
//!
//! How it is parsed, and why: the DirSync keys stay at the top level, so one struct holding
//! `DirSyncSection` with `#[serde(flatten)]` beside the machine tables would be the obvious shape,
//! but serde's flatten buffers the flattened keys and loses the positions `toml::Spanned` records
//! (every error in DirSync's keys would point at the file's first line). Instead the file is
//! parsed once into toml's spanned document tree (`DeTable`), the four machine tables are taken
//! out of its root, and each part is deserialized from its own subtree: DirSync's keys from the
//! root that is left, each machine table from its value. Every subtree keeps the byte offsets
//! of the original text, so every error (unknown key, wrong type, bad value) points at its
//! `file:line:column`, as the scenario loader's do, and no key is spelled twice.

use serde::Deserialize;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;
use toml::de::{DeTable, DeValue};
use upgrade_lab_scenario::ScenarioError;
use upgrade_lab_scenario::format::{DirSyncSection, ServerSection, TenantSection};
use upgrade_lab_scenario::load::explain_parse_error;
use upgrade_lab_scenario::validate::{check_dirsync, check_machines};

/// The top-level tables of a description beside DirSync's own keys.
pub const MACHINE_TABLES: [&str; 4] = ["dirsync_host", "server", "tenant", "churn"];

/// Most changes an hour a `[churn]` key or `--changes-per-hour` may give (each of adds,
/// updates and deletes): far above what a directory of a few hundred thousand objects sees.
pub const MAX_CHANGES_PER_HOUR: u64 = 100_000;

/// `[churn]`: how fast the directory changes, in changes an hour, with the keys of a
/// scenario's `churn` step. The rehearsal spreads them evenly over the staging window.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChurnSection {
    /// New users an hour.
    pub adds: Option<Spanned<u64>>,
    /// Objects changed an hour (a user's or contact's title, a group's description).
    pub updates: Option<Spanned<u64>>,
    /// Objects deleted an hour.
    pub deletes: Option<Spanned<u64>>,
}

impl ChurnSection {
    /// `(adds, updates, deletes)` an hour; unset keys are 0.
    pub fn rate(&self) -> (u64, u64, u64) {
        let v = |x: &Option<Spanned<u64>>| x.as_ref().map_or(0, |s| *s.get_ref());
        (v(&self.adds), v(&self.updates), v(&self.deletes))
    }
}

/// A machine table as the user wrote it: checked, and as a TOML table for the rehearsal's
/// `[world.…]`.
#[derive(Clone, Debug)]
pub struct Described<T> {
    /// The table as the scenario loader's type reads it.
    pub section: T,
    /// The same table, placed verbatim into the rehearsals' world.
    pub table: toml::Table,
}

/// A DirSync description file, checked.
#[derive(Debug)]
pub struct Description {
    /// DirSync's keys, as the scenario loader checks `[world.dirsync]`.
    pub dirsync: DirSyncSection,
    /// The same keys as a TOML table (the rehearsals' `[world.dirsync]`).
    pub dirsync_table: toml::Table,
    /// `[dirsync_host]`: the DirSync server an in-place upgrade installs on; `None` when the
    /// file does not describe it (the plan then says what it assumed).
    pub dirsync_host: Option<Described<ServerSection>>,
    /// `[server]`: the new server a parallel deployment installs on.
    pub server: Option<Described<ServerSection>>,
    /// `[tenant]`: the Azure AD tenant.
    pub tenant: Option<Described<TenantSection>>,
    /// `[churn]`: the directory's change rate.
    pub churn: Option<ChurnSection>,
}

impl Description {
    /// A description of DirSync's keys only (no machines, no change rate), from a TOML text;
    /// for tests and programs that build descriptions in memory.
    pub fn from_dirsync_text(text: &str) -> Result<Self, Vec<ScenarioError>> {
        read(Path::new("dirsync.toml"), text.to_string())
    }
}

fn parse_error(path: &Path, text: &Arc<String>, e: &toml::de::Error) -> ScenarioError {
    let (message, mut help) = explain_parse_error(e.message());
    // At the top level serde lists DirSync's keys only: suggest a machine table when the word
    // is closer to one of those.
    // (`installed` is the first of DirSync's keys serde lists: the error is at the top level.)
    let top_level = e.message().contains("expected one of `installed`");
    if let Some(word) = e
        .message()
        .strip_prefix("unknown field `")
        .filter(|_| top_level)
        .and_then(|r| r.split('`').next())
        && let Some(t) = upgrade_lab_scenario::vocabulary::closest(word, &MACHINE_TABLES)
    {
        help = Some(format!("did you mean `[{t}]`?"));
    }
    ScenarioError::at(path, text, e.span(), message, help)
}

fn value<'i, T: Deserialize<'i>>(
    path: &Path,
    text: &Arc<String>,
    v: Option<Spanned<DeValue<'i>>>,
    errors: &mut Vec<ScenarioError>,
) -> Option<T> {
    let v = v?;
    T::deserialize(toml::de::ValueDeserializer::from(v))
        .map_err(|e| errors.push(parse_error(path, text, &e)))
        .ok()
}

/// Reads and checks a description's text; `path` locates the errors. Every problem of the
/// file comes back together.
pub fn read(path: &Path, text: String) -> Result<Description, Vec<ScenarioError>> {
    let text = Arc::new(text);
    let root = DeTable::parse(&text).map_err(|e| vec![parse_error(path, &text, &e)])?;
    let span = root.span();
    let mut root = root.into_inner();
    let mut take = |key: &str| root.remove(key);
    let (host, server, tenant, churn) = (
        take("dirsync_host"),
        take("server"),
        take("tenant"),
        take("churn"),
    );
    let mut errors = Vec::new();
    let dirsync =
        DirSyncSection::deserialize(toml::de::Deserializer::from(Spanned::new(span, root)))
            .map_err(|e| errors.push(parse_error(path, &text, &e)))
            .ok();
    let host: Option<ServerSection> = value(path, &text, host, &mut errors);
    let server: Option<ServerSection> = value(path, &text, server, &mut errors);
    let tenant: Option<TenantSection> = value(path, &text, tenant, &mut errors);
    let churn: Option<ChurnSection> = value(path, &text, churn, &mut errors);
    if let Some(d) = &dirsync
        && let Err(mut e) = check_dirsync(path, &text, d)
    {
        errors.append(&mut e);
    }
    let servers: Vec<&ServerSection> = host.iter().chain(&server).collect();
    if let Err(mut e) = check_machines(path, &text, &servers, tenant.as_ref()) {
        errors.append(&mut e);
    }
    if let Some(c) = &churn {
        check_churn(path, &text, c, &mut errors);
    }
    let (Some(dirsync), true) = (dirsync, errors.is_empty()) else {
        return Err(errors);
    };
    let mut table: toml::Table =
        toml::from_str(&text).map_err(|e| vec![parse_error(path, &text, &e)])?;
    let mut part = |key: &str| match table.remove(key) {
        Some(toml::Value::Table(t)) => t,
        _ => toml::Table::new(),
    };
    let (host_table, server_table, tenant_table) =
        (part("dirsync_host"), part("server"), part("tenant"));
    table.remove("churn");
    Ok(Description {
        dirsync,
        dirsync_table: table,
        dirsync_host: host.map(|section| Described {
            section,
            table: host_table,
        }),
        server: server.map(|section| Described {
            section,
            table: server_table,
        }),
        tenant: tenant.map(|section| Described {
            section,
            table: tenant_table,
        }),
        churn,
    })
}

fn check_churn(path: &Path, text: &Arc<String>, c: &ChurnSection, errors: &mut Vec<ScenarioError>) {
    for (key, v) in [
        ("adds", &c.adds),
        ("updates", &c.updates),
        ("deletes", &c.deletes),
    ] {
        if let Some(v) = v
            && *v.get_ref() > MAX_CHANGES_PER_HOUR
        {
            let span: Range<usize> = v.span();
            errors.push(ScenarioError::at(
                path,
                text,
                Some(span),
                format!(
                    "[churn] {key} = {} an hour is more than {}",
                    upgrade_lab_scenario::numbers::thousands(*v.get_ref()),
                    upgrade_lab_scenario::numbers::thousands(MAX_CHANGES_PER_HOUR)
                ),
                Some("give the directory's changes an hour (count a day of them in the DirSync server's run history, divide by 24)".into()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "version = \"1.0.7020.0\"\nsql = \"express\"\n\n[server]\nos = \"2022\"\n\n[tenant]\ncloud_only_users = 4\n\n[churn]\nupdates = 12\n";

    #[test]
    fn the_machine_tables_leave_dirsyncs_own_keys_alone() {
        let d = read(Path::new("d.toml"), TEXT.into()).unwrap();
        assert_eq!(
            d.dirsync_table.keys().collect::<Vec<_>>(),
            ["sql", "version"]
        );
        assert!(d.dirsync_host.is_none());
        let server = d.server.unwrap();
        assert_eq!(server.section.os.unwrap().into_inner(), "2022");
        assert_eq!(server.table.len(), 1);
        assert_eq!(d.tenant.unwrap().section.cloud_only_users, 4);
        assert_eq!(d.churn.unwrap().rate(), (0, 12, 0));
    }

    fn error(text: &str) -> String {
        let e = read(Path::new("d.toml"), text.into()).unwrap_err();
        e.iter()
            .map(ScenarioError::plain)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn errors_point_at_their_line_and_column_in_every_part() {
        // DirSync's own keys keep their positions beside the machine tables.
        let e = error("sql = \"expres\"\n[server]\nos = \"2022\"\n");
        assert!(e.contains("d.toml:1:7"), "{e}");
        let e = error("sql = \"express\"\n[server]\ndomain_joined = 1\n");
        assert!(
            e.contains("d.toml:3:17") && e.contains("invalid type"),
            "{e}"
        );
        let e = error("[tenant]\ndar = true\nverified = true\n");
        assert!(
            e.contains("d.toml:3:1") && e.contains("use one of: dar, quota, verified_domain"),
            "{e}"
        );
        let e = error("[churn]\nchanges = 3\n");
        assert!(e.contains("d.toml:2:1"), "{e}");
    }
}
