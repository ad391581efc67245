//! The catalogue a scenario's `rules` and `failure_modes` keys point into: every rule of the
//! upgrade document (Microsoft's "Azure AD Connect: Upgrade from DirSync") with a stable id, and
//! the numbered failure modes of docs/real-systems.md, "Failure modes". The suite's coverage table
//! is checked against it.

/// A rule of the upgrade document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The rule's id, as reports and `--explain` name it (`sync_gap_exceeded`).
    pub id: &'static str,
    /// The rule in the document's words, shortened.
    pub summary: &'static str,
}

const fn rule(id: &'static str, summary: &'static str) -> Rule {
    Rule { id, summary }
}

/// Every rule of the upgrade document, in document order.
pub const RULES: &[Rule] = &[
    rule(
        "prereq.dotnet-powershell",
        "Connect needs newer .NET and PowerShell than DirSync",
    ),
    rule(
        "prereq.proxy-machine",
        "the proxy must be machine-wide before the upgrade; DirSync used the installing user's",
    ),
    rule(
        "prereq.urls",
        "the URLs DirSync needed must be open in the proxy",
    ),
    rule(
        "no-rollback-after-export",
        "once Connect exports, never roll back to DirSync",
    ),
    rule(
        "recommend.in-place-under-50k",
        "fewer than 50,000 objects: in-place upgrade",
    ),
    rule(
        "recommend.parallel-50k-or-more",
        "50,000 objects or more: parallel deployment",
    ),
    rule(
        "estimate.3h-per-50k",
        "the estimate assumes 3 hours per 50,000 users, contacts and groups",
    ),
    rule(
        "do-not-uninstall-dirsync-first",
        "don't uninstall DirSync yourself; the installer reads its configuration",
    ),
    rule(
        "override.parallel-under-50k",
        "under 50,000 objects a parallel deployment is still possible (/ForceExport)",
    ),
    rule(
        "override.in-place-50k-or-more",
        "at 50,000+ objects, 'Continue upgrading DirSync on this computer' goes in place",
    ),
    rule(
        "migrate.domain-ou-filtering",
        "domain and OU filtering migrate",
    ),
    rule(
        "migrate.alternate-id",
        "the alternate login ID (UPN) migrates",
    ),
    rule(
        "migrate.password-sync-exchange-hybrid",
        "password sync and Exchange hybrid settings migrate",
    ),
    rule(
        "migrate.attribute-filtering",
        "filtering based on user attributes migrates",
    ),
    rule(
        "migrate.forest-azure-settings",
        "forest, domain and Azure AD settings migrate",
    ),
    rule(
        "blocked.unsupported-config",
        "removed attributes or a custom extension DLL block the upgrade",
    ),
    rule(
        "passwords-reset",
        "service-account passwords aren't migrated; they are reset",
    ),
    rule(
        "credentials.azure-ad-dirsync-account",
        "the Azure AD account must be the one DirSync uses",
    ),
    rule(
        "credentials.enterprise-admin",
        "an Enterprise Admins account is needed during installation",
    ),
    rule(
        "in-place.full-sql-page",
        "on full SQL the analysis shows DirSync's SQL server",
    ),
    rule(
        "in-place.uninstalls-and-resumes",
        "Upgrade uninstalls DirSync, configures Connect, resumes active sync",
    ),
    rule(
        "in-place.sign-out",
        "sign out and in after installation before using the sync tools",
    ),
    rule(
        "parallel.export-settings",
        "at 50,000+ objects, Export settings on the analysis page",
    ),
    rule(
        "parallel.migrate-import",
        "on the new server, /migrate imports the exported settings file",
    ),
    rule(
        "parallel.no-shared-sql",
        "don't use DirSync's database instance for the new server",
    ),
    rule(
        "parallel.staging-no-export",
        "the new server starts in staging mode: it syncs but exports nothing",
    ),
    rule(
        "parallel.start-sync",
        "leave 'Start the synchronization process' ticked",
    ),
    rule(
        "verify.import-sync-completed",
        "Full Import and Full Synchronization on both connectors completed without errors",
    ),
    rule(
        "verify.pending-exports",
        "inspect the pending exports until nothing is unexpected",
    ),
    rule(
        "cutover.uninstall-15-minutes",
        "uninstalling DirSync might take up to 15 minutes",
    ),
    rule(
        "cutover.disable-instead",
        "disabling DirSync instead of uninstalling lets you re-enable it",
    ),
    rule(
        "cutover.no-exporter-gap",
        "with DirSync off and Connect staging, nothing exports to Azure AD",
    ),
    rule(
        "cutover.disable-staging-wizard",
        "turn staging off in the installed wizard; never run the MSI again",
    ),
    rule(
        "cutover.connect-active",
        "Connect is now the active server; don't switch back",
    ),
    rule(
        "one-active-exporter",
        "only one sync tool at a time can actively export",
    ),
];

/// The highest number in docs/real-systems.md, "Failure modes".
pub const FAILURE_MODE_MAX: u32 = 54;

/// The rule with this id.
pub fn find_rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn rule_ids_are_unique_and_lower_case() {
        let ids: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES.iter().all(|r| r.id == r.id.to_ascii_lowercase()));
        assert!(find_rule("parallel.no-shared-sql").is_some());
        assert!(find_rule("parallel.shared-sql").is_none());
    }
}
