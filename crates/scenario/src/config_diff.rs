//! DirSync ⇄ Azure AD Connect configuration diff: after the upgrade carried DirSync's settings
//! over (`/migrate` on a new server, or the in-place upgrade), what Connect's configuration holds
//! against what DirSync's held — scope (domains, OUs, attribute filters), attribute flows, the
//! sign-in attribute, password sync, writeback, accidental-delete prevention and the source
//! anchor — each line *carried*, *changed* (how) or *dropped*.
//!
//! Names are compared the way the directory compares them: DNs, attribute names, domain names
//! and attribute-filter values case-insensitively (DNs also ignore the spaces around `,` and
//! `=`), so a value spelled `OU=Sales` on one side and `ou=sales` on the other is carried, not
//! a difference. Microsoft's configuration documenter compares two Connect servers only and its
//! users report case-sensitive false differences; this diff is the DirSync-to-Connect one.
//!
//! It must not know reports or the command line: it reads two configurations and returns lines.

use serde::Serialize;
use upgrade_lab_model::attribute_flow::{ATTRIBUTE_FLOWS, AttributeFlow, Kinds};
use upgrade_lab_model::{DirSyncConfig, ObjectKind, ScopeFilters, SourceAnchor};

/// How a line of DirSync's configuration fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiffStatus {
    /// Connect holds what DirSync held (names compared as the directory does).
    Carried,
    /// Connect holds something else, or something DirSync did not have (`how` says which).
    Changed,
    /// DirSync held it and Connect does not.
    Dropped,
}

impl DiffStatus {
    /// The word reports and plans print: `carried`, `changed` or `dropped`.
    pub fn as_str(self) -> &'static str {
        match self {
            DiffStatus::Carried => "carried",
            DiffStatus::Changed => "changed",
            DiffStatus::Dropped => "dropped",
        }
    }
}

/// One line of the diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DiffLine {
    /// `scope`, `attribute_flow`, `sign_in`, `password_sync`, `writeback`, `deletes`, `anchor`.
    pub area: &'static str,
    /// What the line is about: `domain contoso.com`, `included OU OU=Sales,DC=contoso,DC=com`.
    pub item: String,
    /// DirSync's value (`None`: DirSync did not have it).
    pub dirsync: Option<String>,
    /// Connect's value (`None`: Connect does not have it).
    pub connect: Option<String>,
    /// Whether the setting carried over, changed (the line says how) or was dropped.
    pub status: DiffStatus,
    /// How it changed, for `changed` and `dropped` lines.
    pub how: Option<String>,
}

/// The whole diff, lines in area order then item order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ConfigDiff {
    /// Where Connect runs.
    pub connect_host: String,
    /// Lines whose value Connect holds as DirSync did.
    pub carried: usize,
    /// Lines Connect holds with another value.
    pub changed: usize,
    /// Lines DirSync held and Connect does not.
    pub dropped: usize,
    /// Every compared setting, in a fixed order (scope, flows, sign-in, password sync, writeback, threshold, anchor).
    pub lines: Vec<DiffLine>,
}

/// What Connect's configuration holds, as far as the diff reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectSide {
    /// The Connect server's host name.
    pub host: String,
    /// The domains, OUs and attribute filters Connect synchronises.
    pub filters: ScopeFilters,
    /// The sign-in attribute when it is not userPrincipalName (`None`: the UPN).
    pub alternate_login_id: Option<String>,
    /// Whether password hash synchronization is on.
    pub password_hash_sync: bool,
    /// Whether Exchange hybrid writeback is on.
    pub exchange_hybrid: bool,
    /// Connect's default rules (`true`) or DirSync's (`false`) flow the attributes.
    pub connect_rules: bool,
    /// The export deletion threshold, in objects (`None`: off).
    pub delete_threshold: Option<u32>,
    /// The attribute Connect anchors objects on (sourceAnchor).
    pub source_anchor: SourceAnchor,
}

/// DNs as the directory compares them: case-insensitive, no spaces around `,` and `=`.
pub fn dn_key(dn: &str) -> String {
    dn.split(',')
        .map(|rdn| rdn.split('=').map(str::trim).collect::<Vec<_>>().join("="))
        .collect::<Vec<_>>()
        .join(",")
        .to_lowercase()
}

fn line(
    area: &'static str,
    item: String,
    (dirsync, connect): (Option<String>, Option<String>),
    status: DiffStatus,
    how: Option<String>,
) -> DiffLine {
    DiffLine {
        area,
        item,
        dirsync,
        connect,
        status,
        how,
    }
}

/// Two lists compared as sets under `key`: each DirSync entry carried or dropped, each
/// Connect-only entry changed. An empty list means "all", so empty against empty is carried.
fn lists(
    area: &'static str,
    what: &str,
    d: &[String],
    c: &[String],
    key: fn(&str) -> String,
) -> Vec<DiffLine> {
    let mut out = Vec::new();
    if d.is_empty() && c.is_empty() {
        return out;
    }
    for v in d {
        match c.iter().find(|x| key(x) == key(v)) {
            Some(x) => out.push(line(
                area,
                format!("{what} {v}"),
                (Some(v.clone()), Some(x.clone())),
                DiffStatus::Carried,
                None,
            )),
            None => out.push(line(
                area,
                format!("{what} {v}"),
                (Some(v.clone()), None),
                DiffStatus::Dropped,
                Some(if c.is_empty() {
                    format!("Connect has no {what} list: its scope is wider")
                } else {
                    format!("Connect's {what} list leaves it out")
                }),
            )),
        }
    }
    for x in c.iter().filter(|x| !d.iter().any(|v| key(v) == key(x))) {
        out.push(line(
            area,
            format!("{what} {x}"),
            (None, Some(x.clone())),
            DiffStatus::Changed,
            Some(format!("only Connect lists this {what}")),
        ));
    }
    out
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn scope(d: &ScopeFilters, c: &ScopeFilters) -> Vec<DiffLine> {
    let mut out = lists("scope", "domain", &d.domains, &c.domains, lower);
    out.extend(lists(
        "scope",
        "included OU",
        &d.included_ous,
        &c.included_ous,
        dn_key,
    ));
    out.extend(lists(
        "scope",
        "excluded OU",
        &d.excluded_ous,
        &c.excluded_ous,
        dn_key,
    ));
    let filter = |f: &upgrade_lab_model::AttributeFilter| format!("{} = {}", f.attribute, f.value);
    let df: Vec<String> = d.attribute_filters.iter().map(filter).collect();
    let cf: Vec<String> = c.attribute_filters.iter().map(filter).collect();
    out.extend(lists("scope", "attribute filter", &df, &cf, lower));
    if out.is_empty() {
        out.push(line(
            "scope",
            "whole forest".into(),
            (
                Some("every domain and OU".into()),
                Some("every domain and OU".into()),
            ),
            DiffStatus::Carried,
            None,
        ));
    }
    out
}

/// The object types of a `Kinds`, for people.
fn kinds_text(k: Kinds) -> Option<String> {
    let names: Vec<&str> = ObjectKind::ALL
        .iter()
        .filter(|&&o| k.contains(o))
        .map(|o| match o {
            ObjectKind::User => "users",
            ObjectKind::Group => "groups",
            ObjectKind::Contact => "contacts",
        })
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The attribute flows: one carried line for every attribute flowing as before, one line per
/// attribute that flows differently.
fn flows(d: &DirSyncConfig, c: &ConnectSide) -> Vec<DiffLine> {
    let removed = |f: &AttributeFlow| {
        d.removed_attributes
            .iter()
            .any(|r| r.eq_ignore_ascii_case(f.ad_name))
    };
    let mut carried = 0usize;
    let mut out = Vec::new();
    for f in &ATTRIBUTE_FLOWS {
        let dk = if removed(f) {
            None
        } else {
            kinds_text(f.dirsync)
        };
        let ck = kinds_text(if c.connect_rules {
            f.connect
        } else {
            f.dirsync
        });
        let item = format!("attribute {}", f.ad_name);
        match (dk, ck) {
            (None, None) => {}
            (Some(a), Some(b)) if a == b => carried += 1,
            (Some(a), None) => out.push(line(
                "attribute_flow",
                item,
                (Some(a), None),
                DiffStatus::Dropped,
                Some("Connect's rules do not flow it".into()),
            )),
            (a, b) => {
                let how = match &a {
                    None if removed(f) => {
                        "DirSync's flow had it removed; Connect's default rules flow it again"
                    }
                    None => "Connect's default rules flow it; DirSync's did not",
                    Some(_) => "Connect flows it for other object types",
                };
                out.push(line(
                    "attribute_flow",
                    item,
                    (a, b),
                    DiffStatus::Changed,
                    Some(how.into()),
                ));
            }
        }
    }
    out.insert(
        0,
        line(
            "attribute_flow",
            "attributes flowing as before".into(),
            (
                Some(format!("{carried} attributes")),
                Some(format!("{carried} attributes")),
            ),
            DiffStatus::Carried,
            None,
        ),
    );
    out
}

/// A single setting compared under `same`.
fn setting(
    area: &'static str,
    item: &str,
    d: String,
    c: String,
    same: bool,
    how: &str,
) -> DiffLine {
    let (status, how) = if same {
        (DiffStatus::Carried, None)
    } else {
        (DiffStatus::Changed, Some(how.to_string()))
    };
    line(area, item.to_string(), (Some(d), Some(c)), status, how)
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.to_string()
}

/// What Connect holds against what DirSync held.
pub fn diff(d: &DirSyncConfig, c: &ConnectSide) -> ConfigDiff {
    let mut lines = scope(&d.filters, &c.filters);
    lines.extend(flows(d, c));
    let upn = |a: &Option<String>| a.clone().unwrap_or_else(|| "userPrincipalName".into());
    let (du, cu) = (upn(&d.alternate_login_id), upn(&c.alternate_login_id));
    let same = du.eq_ignore_ascii_case(&cu);
    lines.push(setting(
        "sign_in",
        "sign-in attribute (Azure AD userPrincipalName from)",
        du,
        cu,
        same,
        "users sign in with another attribute's value",
    ));
    lines.push(setting(
        "password_sync",
        "password sync",
        on_off(d.password_sync),
        on_off(c.password_hash_sync),
        d.password_sync == c.password_hash_sync,
        "password hash sync is not what DirSync's password sync was",
    ));
    lines.push(setting(
        "writeback",
        "Exchange hybrid writeback",
        on_off(d.exchange_hybrid),
        on_off(c.exchange_hybrid),
        d.exchange_hybrid == c.exchange_hybrid,
        "Exchange hybrid writeback is not what DirSync had",
    ));
    let threshold =
        |t: Option<u32>| t.map_or_else(|| "off".to_string(), |n| format!("{n} deletes"));
    lines.push(setting(
        "deletes",
        "accidental-delete prevention",
        threshold(d.delete_threshold),
        threshold(c.delete_threshold),
        d.delete_threshold == c.delete_threshold,
        "Connect's threshold is not DirSync's: an export deleting more objects stops",
    ));
    let anchor = |a: SourceAnchor| match a {
        SourceAnchor::ObjectGuid => "objectGUID".to_string(),
        SourceAnchor::ConsistencyGuid => "ms-DS-ConsistencyGuid".to_string(),
    };
    lines.push(setting(
        "anchor",
        "source anchor",
        "objectGUID".into(),
        anchor(c.source_anchor),
        c.source_anchor == SourceAnchor::ObjectGuid,
        "objects would be matched on another anchor",
    ));
    let count = |s: DiffStatus| lines.iter().filter(|l| l.status == s).count();
    ConfigDiff {
        connect_host: c.host.clone(),
        carried: count(DiffStatus::Carried),
        changed: count(DiffStatus::Changed),
        dropped: count(DiffStatus::Dropped),
        lines,
    }
}

/// Connect's side as the world holds it on `host`, when Connect is installed there.
pub fn connect_side(world: &upgrade_lab_simulator::World, host: &str) -> Option<ConnectSide> {
    let key = upgrade_lab_simulator::world::host_key(host);
    world.with_state(|s| {
        s.connects.get(&key).map(|c| ConnectSide {
            host: c.host.clone(),
            filters: c.engine.config.filters.clone(),
            alternate_login_id: c.engine.config.alternate_login_id.clone(),
            password_hash_sync: c.password_hash_sync,
            exchange_hybrid: c.settings.features.exchange_hybrid,
            connect_rules: c.engine.config.flow
                == upgrade_lab_simulator::sync::rules::FlowSet::Connect,
            delete_threshold: c.engine.config.delete_threshold,
            source_anchor: c.engine.config.source_anchor,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirsync() -> DirSyncConfig {
        let mut d = DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com");
        d.filters.domains = vec!["contoso.com".into()];
        d.filters.included_ous = vec!["OU=Sales, DC=contoso,DC=com".into()];
        d.filters.attribute_filters = vec![upgrade_lab_model::AttributeFilter {
            attribute: "extensionAttribute15".into(),
            value: "NoSync".into(),
        }];
        d.alternate_login_id = Some("mail".into());
        d
    }

    /// Connect as the migration leaves it: the same settings, names in other cases.
    fn connect() -> ConnectSide {
        let f = ScopeFilters {
            domains: vec!["CONTOSO.COM".into()],
            included_ous: vec!["ou=sales,dc=Contoso,dc=com".into()],
            attribute_filters: vec![upgrade_lab_model::AttributeFilter {
                attribute: "EXTENSIONATTRIBUTE15".into(),
                value: "nosync".into(),
            }],
            ..Default::default()
        };
        ConnectSide {
            host: "AADC01".into(),
            filters: f,
            alternate_login_id: Some("Mail".into()),
            password_hash_sync: true,
            exchange_hybrid: false,
            connect_rules: false,
            delete_threshold: None,
            source_anchor: SourceAnchor::ObjectGuid,
        }
    }

    #[test]
    fn names_differing_only_in_case_are_carried() {
        let d = diff(&dirsync(), &connect());
        assert_eq!((d.changed, d.dropped), (0, 0), "{:#?}", d.lines);
        assert!(d.carried >= 8, "{:#?}", d.lines);
    }

    #[test]
    fn a_filter_connect_lost_is_dropped() {
        let mut c = connect();
        c.filters.included_ous.clear();
        let d = diff(&dirsync(), &c);
        let l = d
            .lines
            .iter()
            .find(|l| l.item.starts_with("included OU"))
            .unwrap();
        assert_eq!(l.status, DiffStatus::Dropped);
        assert_eq!(d.dropped, 1);
        assert!(l.how.as_deref().unwrap().contains("wider"), "{l:?}");
    }

    #[test]
    fn what_only_connect_has_or_sets_otherwise_is_changed() {
        let mut c = connect();
        c.filters.excluded_ous = vec!["OU=Lab,DC=contoso,DC=com".into()];
        c.alternate_login_id = None;
        c.delete_threshold = Some(500);
        c.connect_rules = true;
        let d = diff(&dirsync(), &c);
        let status = |item: &str| {
            d.lines
                .iter()
                .find(|l| l.item.starts_with(item))
                .map(|l| l.status)
        };
        assert_eq!(status("excluded OU"), Some(DiffStatus::Changed));
        assert_eq!(status("sign-in attribute"), Some(DiffStatus::Changed));
        assert_eq!(status("accidental-delete"), Some(DiffStatus::Changed));
        assert!(
            d.lines
                .iter()
                .any(|l| l.area == "attribute_flow" && l.status == DiffStatus::Changed),
            "Connect's rules flow attributes DirSync's did not"
        );
        assert_eq!(d.dropped, 0);
    }

    #[test]
    fn dns_compare_without_case_or_spaces() {
        assert_eq!(
            dn_key("OU=Sales , DC=contoso,DC=COM"),
            dn_key("ou=sales,dc=contoso,dc=com")
        );
        assert_ne!(dn_key("OU=Sales,DC=contoso"), dn_key("OU=Sale,DC=contoso"));
    }
}

#[cfg(test)]
mod run_tests {
    use crate::load::load_text;
    use crate::runner::{RunOptions, run_one};
    use upgrade_lab_simulator::world::PlantedBug;

    const MIGRATE: &str = r#"format_version = 1
description = "a /migrate with an OU filter and mail as the sign-in attribute"
seed = 5
[world]
users = 60
groups = 4
contacts = 2
ou_depth = 1
ou_fan_out = 2
[world.dirsync]
alternate_login_id = "mail"
[world.dirsync.filters]
included_ous = ["OU=PLACEHOLDER"]
[[steps]]
action = "export_settings"
force = true
[[steps]]
action = "install_parallel"
"#;

    fn run(bug: Option<PlantedBug>) -> super::ConfigDiff {
        let spec = crate::runner::world_spec::directory_spec(
            &toml::from_str(
                MIGRATE
                    .split("[world.dirsync]")
                    .next()
                    .unwrap()
                    .split("[world]")
                    .nth(1)
                    .unwrap(),
            )
            .unwrap(),
            5,
        );
        let ou = upgrade_lab_simulator::generate::generate(&spec)
            .unwrap()
            .organizational_units[0]
            .dn
            .to_uppercase();
        let text = MIGRATE.replace("OU=PLACEHOLDER", &ou);
        let s = load_text("m", std::path::Path::new("m.toml"), text).unwrap();
        let options = RunOptions {
            planted_bug: bug,
            ..RunOptions::default()
        };
        run_one(&s, 5, &options)
            .config_diff
            .expect("Connect was installed with /migrate")
    }

    #[test]
    fn a_clean_migrate_carries_scope_and_sign_in_whatever_the_case() {
        let d = run(None);
        assert_eq!(d.dropped, 0, "{:#?}", d.lines);
        let status = |area: &str| d.lines.iter().find(|l| l.area == area).map(|l| l.status);
        assert_eq!(status("scope"), Some(super::DiffStatus::Carried));
        assert_eq!(status("sign_in"), Some(super::DiffStatus::Carried));
    }

    #[test]
    fn planted_migration_bugs_show_as_dropped_and_changed() {
        let d = run(Some(PlantedBug::DropOuFilterInMigration));
        assert!(
            d.lines
                .iter()
                .any(|l| l.area == "scope" && l.status == super::DiffStatus::Dropped),
            "{:#?}",
            d.lines
        );
        let d = run(Some(PlantedBug::WrongSignInAttribute));
        assert!(
            d.lines
                .iter()
                .any(|l| l.area == "sign_in" && l.status == super::DiffStatus::Changed),
            "{:#?}",
            d.lines
        );
    }
}

#[cfg(test)]
mod report_tests {
    #[test]
    fn the_json_and_html_reports_carry_the_diff_only_when_there_is_one() {
        let mut suite = crate::report::fixtures::suite();
        let json = crate::report::json::render(&suite);
        assert!(
            !json.contains("config_diff"),
            "absent when no Connect holds DirSync's settings"
        );
        let mut dirsync =
            upgrade_lab_model::DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com");
        dirsync.filters.included_ous = vec!["OU=Sales,DC=contoso,DC=com".into()];
        let connect = super::ConnectSide {
            host: "AADC01".into(),
            filters: upgrade_lab_model::ScopeFilters::default(),
            alternate_login_id: None,
            password_hash_sync: true,
            exchange_hybrid: false,
            connect_rules: true,
            delete_threshold: Some(500),
            source_anchor: upgrade_lab_model::SourceAnchor::ObjectGuid,
        };
        suite.scenarios[0].config_diff = Some(super::diff(&dirsync, &connect));
        let json: serde_json::Value =
            serde_json::from_str(&crate::report::json::render(&suite)).unwrap();
        let d = &json["scenarios"][0]["config_diff"];
        assert_eq!(d["dropped"], 1, "{d}");
        assert_eq!(d["lines"][0]["status"], "dropped", "{d}");
        let html = crate::report::html::render(&suite, crate::report::WallTime::Redact);
        assert!(html.contains("DirSync ⇄ Connect configuration"));
        assert!(html.contains(
            "<tr class=\"dropped\"><td>scope</td><td>included OU OU=Sales,DC=contoso,DC=com</td>"
        ));
    }
}
