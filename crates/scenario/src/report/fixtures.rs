//! Outcomes written by hand for the reports' unit tests: one scenario that passed, one that
//! failed an expectation and an invariant, one that could not run.

use crate::outcome::*;

fn base(name: &str, seed: u64, description: &str) -> ScenarioOutcome {
    ScenarioOutcome {
        name: name.to_string(),
        file: format!("scenarios/{name}.toml"),
        description: description.to_string(),
        seed,
        verdict: Verdict::Pass,
        sim_duration_ms: 0,
        wall_duration_ms: 12,
        analysis: None,
        decisions: Vec::new(),
        events: Vec::new(),
        runs: Vec::new(),
        pending_exports: None,
        ledger: LedgerSummary::default(),
        invariants: Vec::new(),
        checks: Vec::new(),
        faults: Vec::new(),
        error: None,
        tenant: None,
        config_diff: None,
    }
}

/// A suite of three scenarios (one passes, one fails, one ends in an error) that every
/// report format is tested against.
#[expect(
    clippy::too_many_lines,
    reason = "one literal fixture: splitting it would hide what the reports are tested against"
)]
pub(crate) fn suite() -> SuiteOutcome {
    let mut pass = base(
        "in-place/small-express",
        7,
        "recommend.in-place-under-50k: 1,000 objects on SQL Express get the ready page",
    );
    pass.sim_duration_ms = 4_200_000;
    pass.analysis = Some(AnalysisSummary {
        page: "ready".into(),
        recommendation: "in_place".into(),
        estimate_minutes: 4,
        objects_count: 1_000,
        blockers: Vec::new(),
        sql: "SQL Server Express (local)".into(),
    });
    let mut data = serde_json::Map::new();
    data.insert("event".into(), "decided".into());
    data.insert("reason".into(), "fewer than 50,000 objects".into());
    let decided = TimelineEvent::new(
        0,
        EventSource::Engine,
        "decided",
        "decided in-place upgrade recommended (fewer than 50,000 objects)",
    )
    .with_data(data);
    pass.decisions = vec![decided.clone()];
    pass.events = vec![decided];
    pass.checks = vec![Check::new("expect.recommendation", "in_place", "in_place")];
    pass.faults = vec![FaultLine {
        number: 1,
        kind: "crash".into(),
        trigger: "during = \"upgrade_in_place\"".into(),
        active_from_ms: Some(2_520_000),
        hit_count: 1,
        hits: vec![FaultHitLine {
            at_ms: 2_520_000,
            what: "run".into(),
            server: "DIRSYNC01".into(),
            connector: Some("active-directory".into()),
            profile: Some("full-import".into()),
            status: Some("stopped-server-down".into()),
            ..FaultHitLine::default()
        }],
        ..FaultLine::default()
    }];
    pass.invariants = vec![
        InvariantResult {
            name: "two_active_exporters".into(),
            held: true,
            violation_expected: false,
            detail: String::new(),
            violations: Vec::new(),
        },
        InvariantResult {
            name: "installer_rerun".into(),
            held: false,
            violation_expected: true,
            detail: "the Azure AD Connect installer ran again on AADC01 at T+3:00:00".into(),
            violations: vec![ViolationLine {
                kind: "installer_rerun".into(),
                at_ms: Some(10_800_000),
                at: Some("T+3:00:00".into()),
                servers: vec!["AADC01".into()],
                summary: "the Azure AD Connect installer ran again on AADC01 at T+3:00:00".into(),
                ..Default::default()
            }],
        },
    ];

    let mut fail = base(
        "parallel/shared-sql",
        41,
        "parallel.no-shared-sql: the new server must not use DirSync's SQL instance",
    );
    fail.sim_duration_ms = 9_000_000;
    fail.wall_duration_ms = 30;
    fail.checks = vec![Check::new(
        "expect.refusals[0]",
        "install_parallel refused: shared_sql_instance",
        "install_parallel succeeded",
    )];
    let orphan = |n: u32| ViolationObject {
        name: format!("CN=User {n},OU=Staff,DC=contoso,DC=com"),
        dn: Some(format!("CN=User {n},OU=Staff,DC=contoso,DC=com")),
        immutable_id: Some(format!("AAAAAAAAAAAAAAAAAAAAA{n}==")),
        differences: Vec::new(),
    };
    let stale = ViolationObject {
        differences: vec![AttributeDifference {
            attribute: "userPrincipalName".into(),
            expected: "ann@contoso.com".into(),
            actual: "ann@contoso.local".into(),
        }],
        ..orphan(9)
    };
    fail.invariants = vec![
        InvariantResult {
            name: "object_orphaned".into(),
            held: false,
            violation_expected: false,
            detail: "3 synced tenant objects without an in-scope source".into(),
            violations: vec![ViolationLine {
                kind: "object_orphaned".into(),
                at_ms: None,
                summary: "3 synced tenant objects without an in-scope source".into(),
                object_count: 3,
                objects: vec![orphan(1), orphan(2)],
                ..Default::default()
            }],
        },
        InvariantResult {
            name: "object_stale".into(),
            held: false,
            violation_expected: false,
            detail: "1 synced tenant object with a wrong kind or wrong values".into(),
            violations: vec![ViolationLine {
                kind: "object_stale".into(),
                at_ms: None,
                summary: "1 synced tenant object with a wrong kind or wrong values".into(),
                object_count: 1,
                objects: vec![stale],
                ..Default::default()
            }],
        },
    ];
    fail.runs = vec![RunLine {
        server: "connect".into(),
        connector: "azure-ad".into(),
        profile: "export".into(),
        started_ms: 9_000_000,
        ended_ms: 9_000_000,
        status: "success".into(),
        adds: 3,
        updates: 0,
        deletes: 0,
        errors: 0,
    }];
    fail.judge();

    let mut error = base(
        "faults/ldif-world",
        3,
        "do-not-uninstall-dirsync-first: a world read from LDIF",
    );
    error.error = Some("the LDIF file could not be read: line 4: no `dn:`".into());
    error.faults = vec![FaultLine {
        number: 1,
        kind: "throttling".into(),
        trigger: "at_minutes = 10".into(),
        for_minutes: Some(5),
        active_from_ms: Some(600_000),
        active_until_ms: Some(900_000),
        ..FaultLine::default()
    }];
    error.judge();

    SuiteOutcome {
        scenarios: vec![pass, fail, error],
        wall_duration_ms: 45,
        wall_started_at: Some("2026-11-30T02:55:07Z".into()),
        wall_hostname: Some("ci-runner-1".into()),
    }
}
