//! The wizard's analysis of an existing DirSync installation: version, database, object counts,
//! the settings that migrate (domain and OU filtering, alternate ID, password sync and Exchange
//! hybrid, forest/domain/Azure AD settings, attribute filtering), the blockers, the estimate, and
//! which of the four analysis pages is shown.
//!
//! A pure function of what the DirSync port discovered.

use crate::estimate::{Recommendation, estimate_upgrade_time, recommend};
pub use crate::events::AnalysisPage;
use crate::events::Refusal;
use crate::ports::{DirSyncDiscovery, DirSyncInstallation};
use serde::Serialize;
use std::fmt;
use upgrade_lab_model::constants::PARALLEL_RECOMMEND_OBJECTS;
use upgrade_lab_model::{Blocker, ObjectCounts, ScopeFilters, SimDuration, SqlBackend, Version};

/// The settings the upgrade carries over (docs/real-systems.md, "What migrates, what blocks,
/// what is reset").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MigratableSettings {
    /// The tenant's initial domain (`contoso.onmicrosoft.com`).
    pub tenant: String,
    /// The Azure AD account DirSync signs in with (a name, never its password).
    pub azure_ad_account: String,
    /// The forest root domain DirSync's AD connector reads.
    pub forest: String,
    /// The forest's domains DirSync knows (DNS names).
    pub domains: Vec<String>,
    /// Domain, OU and user-attribute filtering.
    pub filters: ScopeFilters,
    /// The attribute DirSync flows to the UPN instead of userPrincipalName, if any.
    pub alternate_login_id: Option<String>,
    /// Password hash synchronization is on.
    pub password_sync: bool,
    /// Exchange hybrid deployment (the write-back attributes) is on.
    pub exchange_hybrid: bool,
}

/// The analysis result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// The DirSync server.
    pub host: String,
    /// DirSync's version.
    pub dirsync_version: Version,
    /// DirSync's database: SQL Express, or a full SQL Server instance.
    pub sql: SqlBackend,
    /// Users, groups and contacts in DirSync's database, each.
    pub object_counts: ObjectCounts,
    /// Users + contacts + groups: what the estimate and the recommendation count.
    pub objects_count: u64,
    /// The wizard's estimate: three hours per 50,000 objects, rounded down to the second.
    pub estimate: SimDuration,
    /// In place below 50,000 objects, a parallel deployment at 50,000 or more.
    pub recommendation: Recommendation,
    /// What the upgrade carries over.
    pub settings: MigratableSettings,
    /// What stops the upgrade (empty: nothing; then `page` is not `Blocked`).
    pub blockers: Vec<Blocker>,
    /// Whether DirSync's service runs (it exports every 3 hours while it does).
    pub service_running: bool,
    /// The page the wizard shows, by precedence (see [`choose_page`]).
    pub page: AnalysisPage,
}

/// Analyses what the installer found. No DirSync → the `DirSyncNotFound` refusal: it must not be
/// uninstalled before the upgrade.
pub fn analyze(discovery: &DirSyncDiscovery) -> Result<Analysis, Refusal> {
    match discovery {
        DirSyncDiscovery::NotInstalled { uninstalled_at } => Err(Refusal::DirSyncNotFound {
            uninstalled_at: *uninstalled_at,
        }),
        DirSyncDiscovery::Installed(installation) => Ok(analyze_installation(installation)),
    }
}

/// Analyses an installed DirSync.
pub fn analyze_installation(installation: &DirSyncInstallation) -> Analysis {
    let config = &installation.config;
    let objects_count = installation.object_counts.total();
    let blockers = config.blockers();
    let page = choose_page(&blockers, objects_count, &config.sql);
    let analysis = Analysis {
        host: installation.hostname.clone(),
        dirsync_version: config.version.clone(),
        sql: config.sql.clone(),
        object_counts: installation.object_counts.clone(),
        objects_count,
        estimate: estimate_upgrade_time(objects_count),
        recommendation: recommend(objects_count),
        settings: MigratableSettings {
            tenant: config.tenant.clone(),
            azure_ad_account: config.azure_ad_account.clone(),
            forest: config.forest.clone(),
            domains: installation.domains.clone(),
            filters: config.filters.clone(),
            alternate_login_id: config.alternate_login_id.clone(),
            password_sync: config.password_sync,
            exchange_hybrid: config.exchange_hybrid,
        },
        blockers,
        service_running: installation.service_running,
        page,
    };
    assert_consistent(&analysis);
    analysis
}

/// Asserts what every reader of an [`Analysis`] relies on: `objects_count` is the sum of the
/// three counts, the recommendation is the one for that count, and the page is `Blocked`
/// exactly when there are blockers.
pub(crate) fn assert_consistent(analysis: &Analysis) {
    assert_eq!(
        analysis.objects_count,
        analysis.object_counts.total(),
        "the analysis counts users + groups + contacts"
    );
    assert_eq!(
        analysis.recommendation,
        recommend(analysis.objects_count),
        "the analysis recommends what its object count calls for"
    );
    assert_eq!(
        matches!(analysis.page, AnalysisPage::Blocked { .. }),
        !analysis.blockers.is_empty(),
        "the analysis page is Blocked exactly when there are blockers"
    );
}

/// The page, by the agreed precedence: Blocked, then RecommendParallel (≥ 50,000 users, contacts
/// and groups), then FullSql, then Ready.
pub fn choose_page(blockers: &[Blocker], objects_count: u64, sql: &SqlBackend) -> AnalysisPage {
    if !blockers.is_empty() {
        AnalysisPage::Blocked {
            reasons: blockers.iter().map(Blocker::to_string).collect(),
        }
    } else if objects_count >= PARALLEL_RECOMMEND_OBJECTS {
        AnalysisPage::RecommendParallel
    } else if sql.is_full() {
        AnalysisPage::FullSql {
            server_instance: sql.display_name(),
        }
    } else {
        AnalysisPage::Ready
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn list_or(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_string()
    } else {
        items.join(", ")
    }
}

impl Analysis {
    /// Writes the settings that migrate, one line each, as the analysis page lists them.
    fn fmt_settings(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        writeln!(
            f,
            "  tenant:           {} as {}",
            s.tenant, s.azure_ad_account
        )?;
        writeln!(
            f,
            "  forest:           {} (domains: {})",
            s.forest,
            list_or(&s.domains, "none")
        )?;
        writeln!(
            f,
            "  domain filter:    {}",
            list_or(&s.filters.domains, "all domains")
        )?;
        writeln!(
            f,
            "  OU filter:        include {}; exclude {}",
            list_or(&s.filters.included_ous, "everything"),
            list_or(&s.filters.excluded_ous, "nothing")
        )?;
        let attribute_filters: Vec<String> = s
            .filters
            .attribute_filters
            .iter()
            .map(|a| format!("{} = {}", a.attribute, a.value))
            .collect();
        writeln!(
            f,
            "  attribute filter: {}",
            list_or(&attribute_filters, "none")
        )?;
        writeln!(
            f,
            "  alternate ID:     {}",
            s.alternate_login_id
                .as_deref()
                .unwrap_or("none (userPrincipalName)")
        )?;
        writeln!(
            f,
            "  password sync:    {}; Exchange hybrid: {}",
            yes_no(s.password_sync),
            yes_no(s.exchange_hybrid)
        )
    }
}

impl fmt::Display for Analysis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.object_counts;
        writeln!(
            f,
            "Analysis of DirSync {} on {}",
            self.dirsync_version, self.host
        )?;
        writeln!(f, "  page:             {}", self.page)?;
        writeln!(f, "  database:         {}", self.sql.display_name())?;
        writeln!(
            f,
            "  objects:          {} ({} users, {} groups, {} contacts)",
            self.objects_count, c.users, c.groups, c.contacts
        )?;
        writeln!(
            f,
            "  estimate:         {} → {}",
            self.estimate, self.recommendation
        )?;
        self.fmt_settings(f)?;
        let blockers: Vec<String> = self.blockers.iter().map(Blocker::to_string).collect();
        writeln!(f, "  blockers:         {}", list_or(&blockers, "none"))?;
        let service = if self.service_running {
            "running"
        } else {
            "stopped"
        };
        write!(f, "  DirSync service:  {service}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use upgrade_lab_model::{AttributeFilter, DirSyncConfig};

    #[test]
    fn page_and_recommendation_names_are_serde_names_in_snake_case() {
        use strum::IntoEnumIterator;
        for page in AnalysisPage::iter() {
            let v = serde_json::to_value(&page).unwrap();
            assert_eq!(page.as_str(), v["page"].as_str().unwrap().replace('-', "_"));
        }
        assert_eq!(
            AnalysisPage::RecommendParallel.as_str(),
            "recommend_parallel"
        );
        for r in [Recommendation::InPlace, Recommendation::Parallel] {
            let v = serde_json::to_value(r).unwrap();
            assert_eq!(r.as_str(), v.as_str().unwrap().replace('-', "_"));
        }
        assert_eq!(Recommendation::InPlace.as_str(), "in_place");
    }

    pub(crate) fn installation(users: u64) -> DirSyncInstallation {
        DirSyncInstallation {
            hostname: "DIRSYNC01".into(),
            config: DirSyncConfig::typical("contoso.com", "contoso.onmicrosoft.com"),
            object_counts: ObjectCounts {
                users,
                groups: 0,
                contacts: 0,
            },
            domains: vec!["contoso.com".into()],
            service_running: true,
            unexported_import: None,
        }
    }

    fn full_sql() -> SqlBackend {
        SqlBackend::Full {
            server: "SQL01".into(),
            instance: "DIRSYNC".into(),
        }
    }

    #[test]
    fn express_under_50k_is_ready() {
        assert_eq!(
            analyze_installation(&installation(100)).page,
            AnalysisPage::Ready
        );
    }

    #[test]
    fn full_sql_shows_server_and_instance() {
        let mut i = installation(100);
        i.config.sql = full_sql();
        assert_eq!(
            analyze_installation(&i).page,
            AnalysisPage::FullSql {
                server_instance: "SQL01\\DIRSYNC".into()
            }
        );
    }

    #[test]
    fn fifty_thousand_counted_over_users_groups_and_contacts_recommends_parallel() {
        let mut i = installation(40_000);
        i.object_counts.groups = 9_999;
        assert_eq!(analyze_installation(&i).page, AnalysisPage::Ready);
        i.object_counts.contacts = 1;
        let a = analyze_installation(&i);
        assert_eq!(a.page, AnalysisPage::RecommendParallel);
        assert_eq!(a.objects_count, 50_000);
    }

    #[test]
    fn recommend_parallel_wins_over_full_sql() {
        let mut i = installation(60_000);
        i.config.sql = full_sql();
        assert_eq!(
            analyze_installation(&i).page,
            AnalysisPage::RecommendParallel
        );
    }

    #[test]
    fn blocked_wins_over_everything() {
        let mut i = installation(60_000);
        i.config.sql = full_sql();
        i.config.removed_attributes = vec!["department".into()];
        i.config.extension_dll = Some("Contoso.Sync.dll".into());
        let a = analyze_installation(&i);
        let AnalysisPage::Blocked { reasons } = &a.page else {
            panic!("{:?}", a.page)
        };
        assert_eq!(reasons.len(), 2);
        assert!(reasons[0].contains("department") && reasons[1].contains("Contoso.Sync.dll"));
    }

    #[test]
    fn no_dirsync_says_it_must_not_be_uninstalled_first() {
        let err = analyze(&DirSyncDiscovery::NotInstalled {
            uninstalled_at: None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("DirSync was not found"));
        assert!(
            err.to_string()
                .contains("do not uninstall DirSync before the upgrade")
        );
    }

    proptest::proptest! {
        #[test]
        fn the_page_follows_the_agreed_precedence(
            blockers in proptest::collection::vec("[a-z ]{1,20}", 0..3),
            objects_count in 0u64..200_000,
            full in proptest::bool::ANY,
        ) {
            let sql = if full { full_sql() } else { SqlBackend::Express };
            let blockers: Vec<Blocker> = blockers
                .into_iter()
                .map(|attribute| Blocker::RemovedAttribute { attribute })
                .collect();
            let page = choose_page(&blockers, objects_count, &sql);
            let expected = if !blockers.is_empty() {
                "blocked"
            } else if objects_count >= 50_000 {
                "parallel"
            } else if full {
                "full-sql"
            } else {
                "ready"
            };
            let got = match page {
                AnalysisPage::Blocked { .. } => "blocked",
                AnalysisPage::RecommendParallel => "parallel",
                AnalysisPage::FullSql { .. } => "full-sql",
                AnalysisPage::Ready => "ready",
            };
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    #[should_panic(expected = "the analysis counts users + groups + contacts")]
    fn an_object_count_that_is_not_the_sum_fires() {
        let mut a = analyze_installation(&installation(100));
        a.object_counts.contacts = 1;
        assert_consistent(&a);
    }

    #[test]
    #[should_panic(expected = "recommends what its object count calls for")]
    fn a_recommendation_against_the_count_fires() {
        let mut a = analyze_installation(&installation(100));
        a.recommendation = Recommendation::Parallel;
        assert_consistent(&a);
    }

    #[test]
    #[should_panic(expected = "Blocked exactly when there are blockers")]
    fn a_blocker_on_a_ready_page_fires() {
        let mut a = analyze_installation(&installation(100));
        a.blockers.push(Blocker::RemovedAttribute {
            attribute: "department".into(),
        });
        assert_consistent(&a);
    }

    #[test]
    fn the_analysis_report_reads_like_the_wizard() {
        let mut i = installation(48_000);
        i.object_counts.groups = 1_500;
        i.object_counts.contacts = 400;
        i.config.sql = full_sql();
        i.config.alternate_login_id = Some("mail".into());
        i.config.exchange_hybrid = true;
        i.config.filters.domains = vec!["contoso.com".into()];
        i.config.filters.included_ous = vec!["OU=Staff,DC=contoso,DC=com".into()];
        i.config.filters.excluded_ous = vec!["OU=Service,OU=Staff,DC=contoso,DC=com".into()];
        i.config.filters.attribute_filters = vec![AttributeFilter {
            attribute: "extensionAttribute15".into(),
            value: "NoSync".into(),
        }];
        let a = analyze_installation(&i);
        insta::assert_snapshot!("analysis_report_text", a.to_string());
        insta::assert_json_snapshot!("analysis_report_json", a);
    }
}
