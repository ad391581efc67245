//! The words expectations use for what the engine and the servers report: refusal kinds (the
//! engine's guard rails), error kinds (the ports' failures), blockers and prerequisite findings.
//! The runner translates the engine's typed values into these words; the loader refuses any
//! other word so a typo cannot make an expectation vacuous.

/// Refusals by the engine's guard rails (its `Refusal` variants, in snake_case).
pub const REFUSAL_KINDS: &[&str] = &[
    "dirsync_not_found",
    "configuration_blocked",
    "parallel_recommended",
    "export_not_offered",
    "prerequisites_not_met",
    "wrong_azure_ad_account",
    "tenant_sign_in_failed",
    "not_hybrid_identity_admin",
    "no_enterprise_admin",
    "installer_rerun",
    "dirsync_sql_reused",
    "remote_sql_needs_domain_account",
    "staging_off_while_dirsync_exports",
    "another_connect_active",
    "dirsync_backlog_not_exported",
    "dirsync_cycle_incomplete",
    "staging_not_verified",
    "rollback_after_connect_exported",
    "no_dirsync_to_roll_back_to",
];

/// Failures that are not refusals: the ports' error kinds, a bad settings file, a step taken
/// before the one it needs.
pub const ERROR_KINDS: &[&str] = &[
    "endpoint_unreachable",
    "proxy_authentication_required",
    "proxy_forbidden",
    "invalid_credentials",
    "expired_credentials",
    "sql_instance_down",
    "server_down",
    "throttled",
    "not_installed",
    "already_installed",
    "unsupported",
    "file_not_found",
    "settings_file",
    "out_of_order",
];

/// What blocks the analysis (docs/real-systems.md, "What migrates, what blocks, what is reset").
pub const BLOCKER_KINDS: &[&str] = &["removed_attributes", "extension_dll"];

/// Prerequisites a finding can be about (the engine's `PrerequisiteCheck`, in snake_case).
pub const PREREQUISITE_FINDINGS: &[&str] = &[
    "operating_system",
    "dotnet",
    "powershell",
    "tls12",
    "domain_joined",
    "proxy",
    "endpoint",
];

/// Changes the engine reports (its `Change` variants, in snake_case) and decisions.
pub const EVENT_KINDS: &[&str] = &[
    "settings_exported",
    "settings_copied",
    "service_account_password_reset",
    "dirsync_uninstalled",
    "dirsync_disabled",
    "dirsync_enabled",
    "connect_installed",
    "staging_enabled",
    "staging_disabled",
    "sign_out_required",
    "override_continue_in_place",
    "override_force_export",
];

/// The closest word of `words` to `word` (edit distance ≤ 3), for "did you mean" hints.
pub fn closest<'a>(word: &str, words: &[&'a str]) -> Option<&'a str> {
    words
        .iter()
        .map(|w| (edit_distance(word, w), *w))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, w)| w)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_get_a_suggestion_and_far_ones_none() {
        assert_eq!(
            closest("sql", REFUSAL_KINDS),
            None,
            "too far from dirsync_sql_reused"
        );
        assert_eq!(
            closest("dirsync_sql_reuse", REFUSAL_KINDS),
            Some("dirsync_sql_reused")
        );
        assert_eq!(closest("throttle", ERROR_KINDS), Some("throttled"));
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
