//! Assembles the plan from the directory, the DirSync description and the two rehearsals.

use crate::assumptions::assumptions;
use crate::description::Description;
use crate::model::{
    Configuration, Decision, DirectorySummary, PLAN_VERSION, PathPlan, Plan, Prerequisite,
    RefusedKind, Source, SqlSizing, TenantQuota, Wizard,
};
use crate::rehearse::{self, PathKind, Steps};
use crate::{PlanInput, prerequisites, runbook, staging};
use std::collections::BTreeMap;
use upgrade_lab_model::constants::{
    LOCALDB_MAX_OBJECTS, TENANT_QUOTA_DEFAULT, TENANT_QUOTA_VERIFIED_DOMAIN,
};
use upgrade_lab_model::validate::find_defects;
use upgrade_lab_model::{AttributeFilter, Directory, Scope, ScopeFilters};
use upgrade_lab_scenario::format::{DirSyncSection, SqlKind, TenantSection};
use upgrade_lab_scenario::numbers::thousands;
use upgrade_lab_scenario::outcome::{PendingSummary, ScenarioOutcome, Verdict};

/// Examples listed per kind of refused object.
pub const EXAMPLES: usize = 5;

/// Rehearses both paths and assembles the plan.
pub fn plan(input: &PlanInput) -> Result<Plan, String> {
    let (window, rate_source) = staging::window(input)?;
    let d = &input.description;
    let rehearsals = rehearse::both(&rehearse::Inputs {
        directory: &input.directory,
        description: d,
        staging: window,
        seed: input.seed,
    })?;
    let at_verification = rehearsals.at_verification.pending_exports.clone();
    let runs = rehearsals.paths;
    let directory = directory_summary(&input.directory, &d.dirsync);
    let first = &runs[0].2;
    let wizard = wizard(first).ok_or_else(|| {
        format!(
            "the rehearsal did not reach the analysis page: {}",
            first.error.as_deref().unwrap_or("no analysis")
        )
    })?;
    let sql_sizing = sql_sizing(wizard.objects, &d.dirsync);
    let tenant_quota = tenant_quota(directory.in_scope, d);
    let prerequisites = prerequisites::rows(d, &sql_sizing);
    let paths: Vec<PathPlan> = runs
        .iter()
        .map(|(p, steps, o)| {
            let verification = at_verification
                .as_ref()
                .filter(|_| *p == PathKind::Parallel);
            let mut x = path_plan(*p, (steps, o), (&wizard, &d.dirsync), verification);
            judge_machines(&mut x, &prerequisites, &tenant_quota);
            x
        })
        .collect();
    let recommended_path = recommended(&wizard, &paths);
    Ok(Plan {
        plan_version: PLAN_VERSION,
        source: input.source.clone(),
        seed: input.seed,
        sql_sizing,
        tenant_quota,
        directory,
        prerequisites,
        assumptions: assumptions(input, rate_source),
        staging: staging::summary(&window, rate_source, at_verification.as_ref()),
        refused: refused(&in_scope(&input.directory, &d.dirsync), dar(d)),
        configuration: configuration(&d.dirsync),
        wizard,
        recommended_path,
        paths,
        outcomes: runs.into_iter().map(|(_, _, o)| o).collect(),
    })
}

/// The wizard's path, unless its rehearsal is no-go and the other's is go.
fn recommended(wizard: &Wizard, paths: &[PathPlan]) -> PathKind {
    let wizard_path = if wizard.recommendation == "parallel" {
        PathKind::Parallel
    } else {
        PathKind::InPlace
    };
    let go = |p: PathKind| {
        paths
            .iter()
            .any(|x| x.path == p && x.decision == Decision::Go)
    };
    match wizard_path {
        p if go(p) => p,
        PathKind::InPlace if go(PathKind::Parallel) => PathKind::Parallel,
        PathKind::Parallel if go(PathKind::InPlace) => PathKind::InPlace,
        p => p,
    }
}

/// A failed prerequisite of the path's server, or a tenant quota the directory does not fit,
/// makes the path no-go, named first among its reasons.
fn judge_machines(x: &mut PathPlan, prerequisites: &[Prerequisite], quota: &TenantQuota) {
    let failed: Vec<&Prerequisite> = prerequisites
        .iter()
        .filter(|p| p.path == x.path && !p.passed)
        .collect();
    let mut reasons = Vec::new();
    if let Some(first) = failed.first() {
        let checks: Vec<String> = failed
            .iter()
            .map(|p| format!("{} ({})", p.check, p.source.as_str()))
            .collect();
        reasons.push(format!(
            "prerequisites not met on {}: {} (the Prerequisites section says what to fix)",
            first.server,
            checks.join(", ")
        ));
    }
    if !quota.fits {
        reasons.push(format!("tenant quota: {}", quota.advice));
    }
    if !reasons.is_empty() {
        x.decision = Decision::NoGo;
        reasons.append(&mut x.reasons);
        x.reasons = reasons;
    }
}

/// Whether the tenant resolves duplicate values (`[tenant] dar`, on by default).
fn dar(d: &Description) -> bool {
    d.tenant
        .as_ref()
        .map_or_else(|| TenantSection::default().dar, |t| t.section.dar)
}

/// DirSync's scope filters as the model holds them.
pub fn filters(d: &DirSyncSection) -> ScopeFilters {
    ScopeFilters {
        domains: d.filters.domains.clone(),
        included_ous: d.filters.included_ous.clone(),
        excluded_ous: d.filters.excluded_ous.clone(),
        attribute_filters: d
            .filters
            .attribute_filters
            .iter()
            .map(|f| AttributeFilter {
                attribute: f.attribute.clone(),
                value: f.value.clone(),
            })
            .collect(),
    }
}

fn directory_summary(d: &Directory, dirsync: &DirSyncSection) -> DirectorySummary {
    let scope = Scope::new(&filters(dirsync));
    let mut out_of_scope = BTreeMap::new();
    let mut in_scope = 0;
    for o in &d.objects {
        match scope.why_out(o) {
            Some(r) => *out_of_scope.entry(r.label().to_string()).or_default() += 1,
            None => in_scope += 1,
        }
    }
    let counts = d.counts();
    DirectorySummary {
        forest: d.forest.to_string(),
        domains: d.domains.iter().map(|x| x.dns_name.to_string()).collect(),
        users: counts.users,
        groups: counts.groups,
        contacts: counts.contacts,
        organizational_units: counts.organizational_units,
        in_scope,
        out_of_scope,
    }
}

fn wizard(o: &ScenarioOutcome) -> Option<Wizard> {
    let a = o.analysis.as_ref()?;
    Some(Wizard {
        page: a.page.clone(),
        recommendation: a.recommendation.clone(),
        estimate_minutes: a.estimate_minutes,
        objects: a.objects_count,
        blockers: a.blockers.clone(),
        sql: a.sql.clone(),
    })
}

fn sql_sizing(objects: u64, d: &DirSyncSection) -> SqlSizing {
    let fits = objects < LOCALDB_MAX_OBJECTS;
    let advice = match (fits, d.sql) {
        (true, SqlKind::Express) => "LocalDB (the installer's default) holds this directory".to_string(),
        (true, SqlKind::Full) => "LocalDB would hold it; DirSync uses a full SQL Server, so the new server may use another instance of it (never DirSync's own)".to_string(),
        (false, _) => format!(
            "{} objects is more than LocalDB's 10 GB holds: install Connect on a full SQL Server instance of its own (never DirSync's)",
            upgrade_lab_scenario::numbers::thousands(objects)
        ),
    };
    SqlSizing {
        objects,
        localdb_limit_gb: 10,
        localdb_limit_objects: LOCALDB_MAX_OBJECTS,
        fits_localdb: fits,
        advice,
    }
}

/// The tenant's quota against the directory's objects in scope plus its cloud-only objects.
fn tenant_quota(objects: u64, d: &Description) -> TenantQuota {
    let (t, source) = match &d.tenant {
        Some(t) => (t.section.clone(), Source::Described),
        None => (TenantSection::default(), Source::Assumed),
    };
    let (unverified, verified) = (
        objects <= TENANT_QUOTA_DEFAULT,
        objects <= TENANT_QUOTA_VERIFIED_DOMAIN,
    );
    let by_domain = if t.verified_domain {
        TENANT_QUOTA_VERIFIED_DOMAIN
    } else {
        TENANT_QUOTA_DEFAULT
    };
    let quota = t.quota.as_ref().map_or(by_domain, |q| *q.get_ref());
    let cloud_only = u64::from(t.cloud_only_users) + u64::from(t.cloud_only_groups);
    let needed = objects + cloud_only;
    let fits = needed <= quota;
    let n = thousands;
    let advice = if fits {
        format!(
            "{} objects ({} from this directory, {} cloud-only) fit the tenant's quota of {}",
            n(needed),
            n(objects),
            n(cloud_only),
            n(quota)
        )
    } else if !t.verified_domain && t.quota.is_none() && needed <= TENANT_QUOTA_VERIFIED_DOMAIN {
        format!(
            "{} objects exceed the quota of {} without a verified domain: verify a domain in the tenant (the quota becomes 300,000) before the first export",
            n(needed),
            n(quota)
        )
    } else {
        format!(
            "{} objects exceed the tenant's quota of {}: open a support case to raise it before the first export",
            n(needed),
            n(quota)
        )
    };
    TenantQuota {
        objects,
        without_verified_domain: TENANT_QUOTA_DEFAULT,
        with_verified_domain: TENANT_QUOTA_VERIFIED_DOMAIN,
        fits_without_verified_domain: unverified,
        fits_with_verified_domain: verified,
        advice,
        verified_domain: t.verified_domain,
        cloud_only,
        quota,
        fits,
        source,
    }
}

/// The directory as DirSync's scope leaves it: what reaches Azure AD.
fn in_scope(d: &Directory, dirsync: &DirSyncSection) -> Directory {
    let scope = Scope::new(&filters(dirsync));
    Directory {
        objects: d
            .objects
            .iter()
            .filter(|o| scope.why_out(o).is_none())
            .cloned()
            .collect(),
        ..d.clone()
    }
}

/// The objects in scope Azure AD would refuse, by kind; `dar`: whether the tenant resolves
/// duplicate values (duplicate attribute resiliency).
fn refused(d: &Directory, dar: bool) -> Vec<RefusedKind> {
    let r = find_defects(d);
    let kind = |kind: &str, why: &str, examples: Vec<String>| RefusedKind {
        kind: kind.into(),
        why: why.into(),
        count: examples.len(),
        examples: examples.into_iter().take(EXAMPLES).collect(),
    };
    let dup = |list: &[upgrade_lab_model::validate::Duplicate]| -> Vec<String> {
        list.iter()
            .map(|x| format!("{} ({})", x.value, x.holders.join("; ")))
            .collect()
    };
    vec![
        kind(
            "duplicate_upn",
            if dar {
                "two objects share a userPrincipalName: AttributeValueMustBeUnique (with duplicate attribute resiliency, the second gets a UPN in the initial domain)"
            } else {
                "two objects share a userPrincipalName: AttributeValueMustBeUnique; the tenant has duplicate attribute resiliency off ([tenant] dar = false), so the second object is not exported until one is fixed"
            },
            dup(&r.duplicate_upns),
        ),
        kind(
            "duplicate_proxy_address",
            if dar {
                "two objects share a proxy address: AttributeValueMustBeUnique (resiliency quarantines the value)"
            } else {
                "two objects share a proxy address: AttributeValueMustBeUnique; with duplicate attribute resiliency off the second object is not exported until one is fixed"
            },
            dup(&r.duplicate_proxy_addresses),
        ),
        kind(
            "invalid_value",
            "a value Azure AD does not accept: IdentityDataValidationFailed",
            r.invalid_values
                .iter()
                .map(|v| format!("{}: {} '{}' ({})", v.dn, v.attribute, v.value, v.problem))
                .collect(),
        ),
        kind(
            "oversized_group",
            "more members than the sync rules export: Maximum Group member count exceeded",
            r.oversized_groups.clone(),
        ),
        kind(
            "too_many_proxy_addresses",
            "more proxy addresses than Azure AD stores: LargeObject",
            r.too_many_proxy_addresses.clone(),
        ),
    ]
}

fn configuration(d: &DirSyncSection) -> Configuration {
    let f = &d.filters;
    let list = |v: &[String]| {
        if v.is_empty() {
            "all".to_string()
        } else {
            v.join("; ")
        }
    };
    let mut carries = vec![
        format!("domain filtering: {}", list(&f.domains)),
        format!(
            "OU filtering: included {}, excluded {}",
            list(&f.included_ous),
            if f.excluded_ous.is_empty() {
                "none".into()
            } else {
                f.excluded_ous.join("; ")
            }
        ),
        format!(
            "sign-in attribute: {}",
            d.alternate_login_id
                .as_deref()
                .unwrap_or("userPrincipalName")
        ),
        format!(
            "password sync: {}",
            if d.password_sync { "on" } else { "off" }
        ),
        format!(
            "Exchange hybrid writeback: {}",
            if d.exchange_hybrid { "on" } else { "off" }
        ),
    ];
    for a in &f.attribute_filters {
        carries.push(format!(
            "attribute filter: users with {} = {} are not synced",
            a.attribute, a.value
        ));
    }
    let mut blocks = Vec::new();
    if !d.installed {
        blocks.push("DirSync is not installed: the installer has no configuration to read (reinstall DirSync or configure Connect from scratch)".to_string());
    }
    for a in &d.removed_attributes {
        blocks.push(format!("attribute {a} removed from DirSync's flow: re-create it as a custom sync rule on a new Connect server"));
    }
    if let Some(dll) = &d.extension_dll {
        blocks.push(format!(
            "custom extension DLL {dll}: re-create its logic as sync rules on a new Connect server"
        ));
    }
    let resets = vec![
        "the passwords of DirSync's service accounts (the MSOL_ AD account is reset with the Enterprise Admin credentials)".to_string(),
        format!("accidental-delete prevention: {} → Connect's 500 deletes", d.delete_threshold.map_or_else(|| "off".to_string(), |n| format!("{n} deletes"))),
    ];
    Configuration {
        carries,
        blocks,
        resets,
    }
}

fn path_plan(
    path: PathKind,
    (steps, o): (&Steps, &ScenarioOutcome),
    (wizard, d): (&Wizard, &DirSyncSection),
    verification: Option<&PendingSummary>,
) -> PathPlan {
    let runbook = runbook::steps(path, (steps, o), (wizard, d), verification);
    let mut reasons: Vec<String> = runbook
        .iter()
        .filter(|s| !s.gate_passed)
        .map(|s| format!("step {} ({}): {}", s.number, s.title, s.rehearsal))
        .collect();
    for f in o.failures() {
        reasons.push(format!(
            "{}: expected {}, got {}",
            f.what, f.expected, f.actual
        ));
    }
    if let Some(e) = &o.error {
        reasons.push(e.clone());
    }
    reasons.dedup();
    PathPlan {
        path,
        decision: if reasons.is_empty() && o.verdict == Verdict::Pass {
            Decision::Go
        } else {
            Decision::NoGo
        },
        reasons,
        verdict: match o.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        }
        .to_string(),
        sync_gap_minutes: o.ledger.longest_gap_ms.div_ceil(60_000),
        duration_minutes: o.sim_duration_ms.div_ceil(60_000),
        pending_at_verification: verification.cloned(),
        config_diff: o.config_diff.clone(),
        runbook,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn input(dirsync: &str) -> PlanInput {
        let spec = upgrade_lab_simulator::generate::DirectorySpec {
            users: 80,
            groups: 6,
            contacts: 4,
            seed: 3,
            ..Default::default()
        };
        let directory = upgrade_lab_simulator::generate::generate(&spec).unwrap();
        PlanInput {
            directory: Arc::new(directory),
            source: "generated".into(),
            description: Description::from_dirsync_text(dirsync).unwrap(),
            changes_per_hour: None,
            staging_hours: 1,
            seed: 1,
        }
    }

    #[test]
    fn a_plain_dirsync_is_go_on_both_paths() {
        let p = plan(&input("")).unwrap();
        for x in &p.paths {
            assert_eq!(x.decision, Decision::Go, "{:?}: {:?}", x.path, x.reasons);
            assert!(x.runbook.iter().all(|s| s.gate_passed));
        }
        assert_eq!(p.recommended_path, PathKind::InPlace);
        assert!(p.paths[1].pending_at_verification.is_some());
        assert!(p.paths[0].pending_at_verification.is_none());
    }

    #[test]
    fn a_blocking_customisation_is_no_go_with_its_gate_named() {
        let p = plan(&input("extension_dll = \"Contoso.Sync.dll\"\n")).unwrap();
        assert!(!p.wizard.blockers.is_empty());
        assert!(
            p.configuration
                .blocks
                .iter()
                .any(|b| b.contains("Contoso.Sync.dll"))
        );
        for x in &p.paths {
            assert_eq!(x.decision, Decision::NoGo, "{:?}", x.path);
            assert!(
                x.reasons.iter().any(|r| r.contains("blocked")),
                "{:?}: {:?}",
                x.path,
                x.reasons
            );
        }
    }

    #[test]
    fn the_plan_is_the_same_for_the_same_inputs() {
        let a = serde_json::to_string(&plan(&input("")).unwrap()).unwrap();
        let b = serde_json::to_string(&plan(&input("")).unwrap()).unwrap();
        assert_eq!(a, b);
    }
}
