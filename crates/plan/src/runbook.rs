//! The go/no-go runbook of each path: ordered steps with the exact wizard options and commands,
//! the gate each must pass, and how it went in the rehearsal.

use crate::model::{RunbookStep, Wizard};
use crate::rehearse::{PathKind, Stage, Steps, parallel_sql, service_account};
use upgrade_lab_model::constants::{DIRSYNC_UNINSTALL_MAX_MINUTES, PARALLEL_RECOMMEND_OBJECTS};
use upgrade_lab_scenario::format::{DirSyncSection, SqlKind};
use upgrade_lab_scenario::outcome::{EventSource, PendingSummary, ScenarioOutcome, Verdict};
use upgrade_lab_simulator::world::builder::DEFAULT_DIRSYNC_HOST;

/// The new server of a parallel deployment, as the rehearsal names it.
const NEW_SERVER: &str = upgrade_lab_scenario::runner::setup::PARALLEL_HOST;

/// How the rehearsal's steps `indices` ended: `None` when all were done, else the first that
/// was not.
fn stopped(o: &ScenarioOutcome, indices: &[usize]) -> Option<String> {
    for &i in indices {
        let ended = o.events.iter().find(|e| {
            e.source == EventSource::Runner
                && e.kind == "step_result"
                && e.data.get("index").and_then(serde_json::Value::as_u64) == Some(i as u64)
        });
        let Some(e) = ended else {
            return Some("the rehearsal did not reach this step".into());
        };
        let result = e.data.get("result");
        let field = |k: &str| {
            result
                .and_then(|r| r.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        if field("outcome") != "done" {
            return Some(format!(
                "{} {}: {}",
                field("outcome"),
                field("kind"),
                field("message")
            ));
        }
    }
    None
}

struct Draft {
    title: &'static str,
    server: String,
    actions: Vec<String>,
    gate: String,
    /// The rehearsal's steps whose results the gate judges.
    indices: Vec<usize>,
    /// A further condition of the gate, judged on the rehearsal: `Some(why)` when it failed.
    extra: Option<String>,
}

fn finish(o: &ScenarioOutcome, drafts: Vec<Draft>) -> Vec<RunbookStep> {
    drafts
        .into_iter()
        .enumerate()
        .map(|(n, d)| {
            let why = stopped(o, &d.indices).or(d.extra);
            RunbookStep {
                number: n + 1,
                title: d.title.to_string(),
                server: d.server,
                actions: d.actions,
                gate: d.gate,
                gate_passed: why.is_none(),
                rehearsal: why.unwrap_or_else(|| "passed".to_string()),
            }
        })
        .collect()
}

fn azure_ad_account(d: &DirSyncSection) -> String {
    d.azure_ad_account
        .clone()
        .unwrap_or_else(|| "DirSync's own Azure AD account".to_string())
}

fn end_state(o: &ScenarioOutcome) -> Option<String> {
    if o.verdict == Verdict::Pass {
        return None;
    }
    let failed: Vec<String> = o.failures().iter().map(|f| f.what.clone()).collect();
    Some(
        o.error
            .clone()
            .unwrap_or_else(|| format!("failed: {}", failed.join(", "))),
    )
}

fn blockers(w: &Wizard) -> Option<String> {
    (!w.blockers.is_empty()).then(|| format!("blocked: {}", w.blockers.join("; ")))
}

/// The runbook of `path`.
/// `verification`: the parallel path's pending exports at its verification.
pub fn steps(
    path: PathKind,
    (steps, o): (&Steps, &ScenarioOutcome),
    (w, d): (&Wizard, &DirSyncSection),
    verification: Option<&PendingSummary>,
) -> Vec<RunbookStep> {
    match path {
        PathKind::InPlace => finish(o, in_place((steps, o), w, d)),
        PathKind::Parallel => {
            let mut drafts = parallel(steps, w, d, verification);
            drafts.extend(cutover(steps, o));
            finish(o, drafts)
        }
    }
}

fn prerequisites(server: &str, index: Vec<usize>) -> Draft {
    Draft {
        title: "Prerequisites",
        server: server.to_string(),
        actions: vec![
            "Windows Server 2016 or later, .NET Framework 4.7.2, PowerShell 5.0, TLS 1.2 enabled"
                .into(),
            "a proxy, if any, in machine.config (Connect does not use the signed-in user's proxy)"
                .into(),
            "https://login.microsoftonline.com and the other Azure AD endpoints reachable on 443"
                .into(),
        ],
        gate: "every prerequisite check passes".into(),
        indices: index,
        extra: None,
    }
}

fn in_place((steps, o): (&Steps, &ScenarioOutcome), w: &Wizard, d: &DirSyncSection) -> Vec<Draft> {
    let at = |stages: &[Stage]| steps.indices(stages);
    let host = DEFAULT_DIRSYNC_HOST.to_string();
    let mut upgrade = Vec::new();
    if w.objects >= PARALLEL_RECOMMEND_OBJECTS {
        upgrade.push(
            "analysis page: tick \"Continue upgrading DirSync on this computer\"".to_string(),
        );
    }
    upgrade.extend([
        format!(
            "Connect to Azure AD: {} and its password",
            azure_ad_account(d)
        ),
        "Connect to AD DS: an Enterprise Admins account (used only during installation)"
            .to_string(),
        format!(
            "service account: {}",
            if d.sql == SqlKind::Full {
                "a domain account (DirSync's SQL Server is remote)"
            } else {
                "the default virtual service account"
            }
        ),
        "Ready to configure: Upgrade (DirSync is uninstalled, Connect installed, sync resumes)"
            .to_string(),
        "sign out of Windows and sign in again".to_string(),
    ]);
    vec![
        prerequisites(&host, at(&[Stage::Prerequisites])),
        Draft {
            title: "Run the installer on the DirSync server",
            server: host.clone(),
            actions: vec![
                "do not uninstall DirSync first: the installer reads its configuration".into(),
                "run AzureADConnect.msi, accept the licence terms".into(),
                format!("analysis page: expect `{}`, recommendation `{}`, estimate {} minutes", w.page, w.recommendation, w.estimate_minutes),
            ],
            gate: "the analysis page lists no blocker".into(),
            indices: at(&[Stage::Analyze]),
            extra: blockers(w),
        },
        Draft { title: "Upgrade in place", server: host.clone(), actions: upgrade, gate: "DirSync uninstalled, Connect installed and exporting".into(), indices: at(&[Stage::Install]), extra: None },
        Draft {
            title: "First cycles",
            server: host,
            actions: vec![
                "Start-ADSyncSyncCycle -PolicyType Delta".into(),
                "Synchronization Service Manager, Operations: every import, synchronization and export `success`".into(),
            ],
            gate: format!("Connect the only exporter and Azure AD equal to the directory; expected sync gap about {} minutes", o.ledger.longest_gap_ms.div_ceil(60_000)),
            indices: at(&[Stage::Handover]),
            extra: end_state(o),
        },
    ]
}

/// The parallel path up to its verification.
fn parallel(
    steps: &Steps,
    w: &Wizard,
    d: &DirSyncSection,
    verification: Option<&PendingSummary>,
) -> Vec<Draft> {
    let at = |stages: &[Stage]| steps.indices(stages);
    let export = if w.objects < PARALLEL_RECOMMEND_OBJECTS {
        "close the Welcome page, then run `AzureADConnect.exe /ForceExport` from C:\\Program Files\\Microsoft Azure Active Directory Connect: Export settings"
    } else {
        "analysis page: Export settings"
    };
    let (sql, instance) = parallel_sql(w.objects, d);
    let sql_text = match &instance {
        Some((server, name)) => format!(
            "Customize: use an existing SQL Server, {server}\\{name} (never DirSync's instance)"
        ),
        None => format!("SQL: the default LocalDB ({sql})"),
    };
    let unexplained = verification.and_then(|p| {
        let u = &p.unexplained;
        (u.adds + u.updates + u.deletes > 0).then(|| {
            format!(
                "{} unexplained pending exports",
                u.adds + u.updates + u.deletes
            )
        })
    });
    vec![
        prerequisites(NEW_SERVER, at(&[Stage::Prerequisites])),
        Draft {
            title: "Export DirSync's settings",
            server: DEFAULT_DIRSYNC_HOST.into(),
            actions: vec!["run AzureADConnect.msi on the DirSync server".into(), export.into(), "copy the settings file to the new server; DirSync keeps exporting".into()],
            gate: "the settings file is written and the analysis page lists no blocker".into(),
            indices: at(&[Stage::Analyze, Stage::ExportSettings]),
            extra: blockers(w),
        },
        Draft {
            title: "Install the new server with /migrate",
            server: NEW_SERVER.into(),
            actions: vec![
                "`AzureADConnect.exe /migrate`; import settings: the exported file".into(),
                sql_text,
                format!("service account: {}", if service_account(instance.is_some()) == "domain" { "a domain account (SQL is remote)" } else { "the default virtual service account" }),
                format!("Connect to Azure AD: {}", azure_ad_account(d)),
                "Ready to configure: leave \"Start the synchronization process when configuration completes\" ticked; Install (staging mode)".into(),
                "sign out of Windows and sign in again".into(),
            ],
            gate: "Connect installed in staging mode; DirSync still the only exporter".into(),
            indices: at(&[Stage::Install]),
            extra: None,
        },
        Draft {
            title: "Verify the staging server",
            server: NEW_SERVER.into(),
            actions: vec![
                "Synchronization Service Manager, Operations: Full Import and Full Synchronization on both connectors, each `success`".into(),
                "csexport \"<tenant> - AAD\" pending.xml /f:x, then review every pending export".into(),
            ],
            gate: "every pending export explained by AD's changes or Connect's rules".into(),
            indices: at(&[Stage::Staging, Stage::Verify]),
            extra: unexplained,
        },
    ]
}

/// The parallel path's cutover: DirSync retired, staging left.
fn cutover(steps: &Steps, o: &ScenarioOutcome) -> Vec<Draft> {
    let at = |stages: &[Stage]| steps.indices(stages);
    vec![
        Draft {
            title: "Retire DirSync",
            server: DEFAULT_DIRSYNC_HOST.into(),
            actions: vec![
                "let DirSync finish a cycle (its last export carries AD's latest changes)".into(),
                format!("Programs and Features: uninstall \"Windows Azure Active Directory sync tool\" (up to {DIRSYNC_UNINSTALL_MAX_MINUTES} minutes), or disable its service to keep a way back"),
            ],
            gate: "DirSync uninstalled; from here nothing exports until the next step".into(),
            indices: at(&[Stage::RetireDirSync]),
            extra: None,
        },
        Draft {
            title: "Leave staging mode",
            server: NEW_SERVER.into(),
            actions: vec![
                "open the installed Azure AD Connect wizard (never run the MSI again): Configure staging mode, clear \"Enable staging mode\", Install".into(),
                "Start-ADSyncSyncCycle -PolicyType Delta".into(),
            ],
            gate: format!("Connect the only exporter and Azure AD equal to the directory; expected sync gap about {} minutes", o.ledger.longest_gap_ms.div_ceil(60_000)),
            indices: at(&[Stage::Handover]),
            extra: end_state(o),
        },
    ]
}
