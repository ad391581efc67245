//! The prerequisites of each path's server, checked against the machines the description gives
//! (`[dirsync_host]` for the in-place path, `[server]` for the parallel one) with the engine's
//! own checks, the same the rehearsal's `check_prerequisites` step runs. Every check gets a row,
//! passed or not, with what the server has, what Connect needs, what to fix, and whether the
//! value was described or assumed (the section or key not given: the simulator's default, a
//! server that meets the current prerequisites).

use crate::description::Description;
use crate::model::{Prerequisite, Source, SqlSizing};
use crate::rehearse::{PathKind, parallel_sql};
use upgrade_lab_engine::prerequisites::{ConnectGeneration, Finding, PrerequisiteCheck};
use upgrade_lab_model::{EndpointReach, ProxySetting, ServerEnvironment, Version};
use upgrade_lab_scenario::format::{ServerSection, SqlKind};
use upgrade_lab_scenario::runner::setup::{PARALLEL_HOST, environment};
use upgrade_lab_scenario::validate::os_version;
use upgrade_lab_simulator::world::builder::DEFAULT_DIRSYNC_HOST;

/// Windows Server releases by the names a description's `os` accepts, newest last.
const WINDOWS: [(&str, &str); 9] = [
    ("2003", "Windows Server 2003"),
    ("2008", "Windows Server 2008"),
    ("2008r2", "Windows Server 2008 R2"),
    ("2012", "Windows Server 2012"),
    ("2012r2", "Windows Server 2012 R2"),
    ("2016", "Windows Server 2016"),
    ("2019", "Windows Server 2019"),
    ("2022", "Windows Server 2022"),
    ("2025", "Windows Server 2025"),
];

/// `Windows Server 2012 R2 (6.3.9600)`, or the bare version when no release has it.
pub fn os_name(v: &Version) -> String {
    WINDOWS
        .iter()
        .find(|(key, _)| os_version(key).as_ref() == Some(v))
        .map_or_else(|| v.to_string(), |(_, name)| format!("{name} ({v})"))
}

/// The server a path installs Connect on, its section (when described) and its facts.
fn server(
    path: PathKind,
    d: &Description,
) -> (&'static str, Option<&ServerSection>, ServerEnvironment) {
    let (host, section) = match path {
        PathKind::InPlace => (DEFAULT_DIRSYNC_HOST, d.dirsync_host.as_ref()),
        PathKind::Parallel => (PARALLEL_HOST, d.server.as_ref()),
    };
    let section = section.map(|s| &s.section);
    let env = environment(host, section.unwrap_or(&ServerSection::default()));
    (host, section, env)
}

/// One row per prerequisite of each path's server, then each path's SQL.
pub fn rows(d: &Description, sizing: &SqlSizing) -> Vec<Prerequisite> {
    let mut out = Vec::new();
    for path in [PathKind::InPlace, PathKind::Parallel] {
        let (host, section, env) = server(path, d);
        let generation = ConnectGeneration::default();
        let findings = upgrade_lab_engine::check_prerequisites(&env, generation);
        for (check, value, required, given) in facts(&env, section, generation) {
            let mine: Vec<&Finding> = findings.iter().filter(|f| f.check == check).collect();
            let join =
                |f: fn(&Finding) -> &str| mine.iter().map(|x| f(x)).collect::<Vec<_>>().join("; ");
            out.push(Prerequisite {
                path,
                server: host.to_string(),
                check: check.to_string(),
                passed: mine.is_empty(),
                detail: if mine.is_empty() {
                    format!("{value}: meets {required}")
                } else {
                    join(|x| &x.problem)
                },
                value,
                required,
                fix: join(|x| &x.fix),
                source: if given {
                    Source::Described
                } else {
                    Source::Assumed
                },
            });
        }
        out.push(sql(path, host, d, sizing));
    }
    out
}

/// Each check's `(check, what the server has, what Connect needs, described)`.
fn facts(
    env: &ServerEnvironment,
    s: Option<&ServerSection>,
    g: ConnectGeneration,
) -> Vec<(PrerequisiteCheck, String, String, bool)> {
    let given = |f: fn(&ServerSection) -> bool| s.is_some_and(f);
    let on = |b: bool, yes: &str, no: &str| if b { yes } else { no }.to_string();
    let (min_os, min_name) = g.min_os();
    let reachable = env
        .endpoints
        .iter()
        .filter(|e| e.reach == EndpointReach::Reachable)
        .count();
    vec![
        (
            PrerequisiteCheck::OperatingSystem,
            os_name(&env.os_version),
            format!("{min_name} ({min_os}) or later, before Windows Server 2025"),
            given(|s| s.os.is_some()),
        ),
        (
            PrerequisiteCheck::DotNet,
            format!(".NET Framework {}", env.dotnet_version),
            format!(".NET Framework {} or later", g.min_dotnet()),
            given(|s| s.dotnet.is_some()),
        ),
        (
            PrerequisiteCheck::PowerShell,
            format!("PowerShell {}", env.powershell_version),
            format!("PowerShell {} or later", g.min_powershell()),
            given(|s| s.powershell.is_some()),
        ),
        (
            PrerequisiteCheck::Tls12,
            on(env.tls12_enabled, "TLS 1.2 enabled", "TLS 1.2 disabled"),
            "TLS 1.2 enabled".into(),
            given(|s| s.tls12.is_some()),
        ),
        (
            PrerequisiteCheck::DomainJoined,
            on(env.domain_joined, "joined to the forest", "not joined"),
            "joined to a domain of the forest".into(),
            given(|s| s.domain_joined.is_some()),
        ),
        (
            PrerequisiteCheck::Proxy,
            match &env.proxy {
                ProxySetting::None => "no proxy".to_string(),
                ProxySetting::Machine { address } => format!("{address} in machine.config"),
                ProxySetting::PerUser { address } => {
                    format!("{address} for the signed-in user only")
                }
            },
            "no proxy, or one in machine.config".into(),
            given(|s| s.proxy.is_some() || s.proxy_address.is_some()),
        ),
        (
            PrerequisiteCheck::Endpoint,
            format!("{reachable} of {} endpoints reachable", env.endpoints.len()),
            "every Azure AD endpoint reachable on 443".into(),
            given(|s| !s.endpoints.is_empty()),
        ),
    ]
}

/// The SQL a path's Connect uses: in place, DirSync's own database (Express holds about
/// 100,000 objects); in parallel, what the plan installs (LocalDB below that, else a full SQL
/// Server instance of its own).
fn sql(path: PathKind, host: &str, d: &Description, sizing: &SqlSizing) -> Prerequisite {
    let described = d.dirsync_table.contains_key("sql");
    let limit = upgrade_lab_scenario::numbers::thousands(sizing.localdb_limit_objects);
    let (value, passed, required, fix) = match path {
        PathKind::InPlace => {
            let value = match (
                &d.dirsync.sql,
                &d.dirsync.sql_server,
                &d.dirsync.sql_instance,
            ) {
                (SqlKind::Full, Some(s), Some(i)) => {
                    format!("DirSync's full SQL Server {}\\{}", s.get_ref(), i.get_ref())
                }
                _ => "DirSync's SQL Server Express".to_string(),
            };
            let passed = d.dirsync.sql == SqlKind::Full || sizing.fits_localdb;
            let fix = if passed {
                String::new()
            } else {
                "take the parallel path with a full SQL Server instance of its own, or move DirSync's database to a full SQL Server first".to_string()
            };
            (
                value,
                passed,
                format!("full SQL Server, or Express below about {limit} objects (10 GB)"),
                fix,
            )
        }
        PathKind::Parallel => {
            let value = match parallel_sql(sizing.objects, &d.dirsync) {
                (_, Some((server, instance))) => {
                    format!("planned: a full SQL Server instance of its own, {server}\\{instance}")
                }
                (kind, None) => format!("planned: {kind} (installed by Connect)"),
            };
            (
                value,
                true,
                "an instance of its own, never DirSync's".to_string(),
                String::new(),
            )
        }
    };
    Prerequisite {
        path,
        server: host.to_string(),
        check: "SQL".into(),
        passed,
        detail: if passed {
            format!("{value}: meets {required}")
        } else {
            format!(
                "{value} cannot hold {} objects",
                upgrade_lab_scenario::numbers::thousands(sizing.objects)
            )
        },
        value,
        required,
        fix,
        source: match (path, described) {
            (PathKind::Parallel, _) => Source::Planned,
            (PathKind::InPlace, true) => Source::Described,
            (PathKind::InPlace, false) => Source::Assumed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_come_from_the_versions_the_loader_accepts() {
        assert_eq!(
            os_name(&Version::new(&[6, 3, 9600])),
            "Windows Server 2012 R2 (6.3.9600)"
        );
        assert_eq!(os_name(&Version::new(&[10, 0, 99999])), "10.0.99999");
    }
}
