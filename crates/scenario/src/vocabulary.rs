//! The words expectations use for what the engine and the servers report: refusal kinds (the
//! engine's guard rails), error kinds (the ports' failures), blockers and prerequisite findings.
//! The runner translates the engine's typed values into these words; the loader refuses any
//! other word so a typo cannot make an expectation vacuous.

/// Refusals by the engine's guard rails.
pub const REFUSAL_KINDS: &[&str] = &[
    "configuration_blocked",
    "dirsync_not_installed",
    "dirsync_still_exporting",
    "shared_sql_instance",
    "rollback_after_export",
    "prerequisites_not_met",
    "parallel_recommended",
    "wrong_azure_ad_account",
    "not_hybrid_identity_admin",
    "not_enterprise_admin",
    "installer_rerun",
    "settings_missing",
    "settings_invalid",
    "connect_not_installed",
    "staging_not_verified",
];

/// Failures the servers and the tenant report (the ports' error kinds).
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
];

/// What blocks the analysis (D1).
pub const BLOCKER_KINDS: &[&str] = &["removed_attributes", "extension_dll"];

/// Prerequisite findings.
pub const PREREQUISITE_FINDINGS: &[&str] = &[
    "os_too_old",
    "dotnet_too_old",
    "powershell_too_old",
    "tls12_disabled",
    "proxy_per_user",
    "endpoint_unreachable",
    "proxy_403",
    "proxy_407",
    "not_domain_joined",
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
            closest("shared_sql", REFUSAL_KINDS),
            None,
            "too far from shared_sql_instance"
        );
        assert_eq!(
            closest("shared_sql_instanse", REFUSAL_KINDS),
            Some("shared_sql_instance")
        );
        assert_eq!(closest("throttle", ERROR_KINDS), Some("throttled"));
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
