//! Tests of the settings file: export, round trip, every import error, no secret.

use super::*;
use crate::analysis::tests::installation;
use proptest::prelude::*;

fn exported() -> (SettingsDocument, Vec<u8>) {
    let mut i = installation(1_234);
    i.object_counts.groups = 56;
    i.object_counts.contacts = 7;
    i.config.filters.included_ous = vec!["OU=Staff,DC=contoso,DC=com".into()];
    i.config.alternate_login_id = Some("mail".into());
    let doc = export_document(&i);
    let bytes = to_bytes(&doc);
    (doc, bytes)
}

fn edit(bytes: &[u8], f: impl FnOnce(&mut Json)) -> Vec<u8> {
    let mut json: Json = serde_json::from_slice(bytes).unwrap();
    f(&mut json);
    serde_json::to_vec_pretty(&json).unwrap()
}

#[test]
fn an_exported_file_reads_back_identical() {
    let (doc, bytes) = exported();
    assert_eq!(parse_settings(&bytes), Ok(doc.clone()));
    assert_eq!(doc.source_anchor, SourceAnchor::ObjectGuid);
    assert_eq!(doc.checksum.len(), 64);
}

#[test]
fn the_exported_file_is_stable() {
    let (_, bytes) = exported();
    insta::assert_snapshot!("exported_settings_file", String::from_utf8(bytes).unwrap());
}

#[test]
fn not_json_says_where() {
    let err = parse_settings(b"{\n  \"schema_version\": 1,\n  oops").unwrap_err();
    let SettingsFileError::NotJson { line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, 3);
    assert!(err.to_string().contains("export the settings again"));
}

#[test]
fn a_json_error_is_never_at_column_0() {
    // Found by fuzzing: serde_json puts an error at a newline (a raw newline inside a string)
    // or at the end right after one in column 0.
    for bytes in [&b""[..], b"{\n", b"{\"a\": \"x\ny\"}"] {
        let Err(SettingsFileError::NotJson { line, column, .. }) = parse_settings(bytes) else {
            panic!("{bytes:?} should not be JSON")
        };
        assert!(
            line >= 1 && column >= 1,
            "{bytes:?}: line {line}, column {column}"
        );
    }
}

#[test]
fn a_file_without_schema_version_is_refused() {
    let (_, bytes) = exported();
    let bytes = edit(&bytes, |j| {
        j.as_object_mut().unwrap().remove("schema_version");
    });
    assert_eq!(
        parse_settings(&bytes),
        Err(SettingsFileError::MissingSchemaVersion)
    );
}

#[test]
fn a_newer_schema_asks_to_upgrade_upgrade_lab() {
    let (_, bytes) = exported();
    let bytes = edit(&bytes, |j| {
        j["schema_version"] = 2.into();
        j["something_new"] = true.into();
    });
    let err = parse_settings(&bytes).unwrap_err();
    assert!(matches!(
        err,
        SettingsFileError::NewerSchema { found: 2, .. }
    ));
    assert!(
        err.to_string()
            .contains("written by a newer upgrade-lab; upgrade")
            || err.to_string().contains("newer upgrade-lab")
    );
}

#[test]
fn an_older_schema_is_unsupported() {
    let (_, bytes) = exported();
    let bytes = edit(&bytes, |j| j["schema_version"] = 0.into());
    assert!(matches!(
        parse_settings(&bytes),
        Err(SettingsFileError::UnsupportedSchema { found: 0, .. })
    ));
}

#[test]
fn unknown_fields_are_denied_at_any_depth() {
    let (_, bytes) = exported();
    let top = edit(&bytes, |j| j["password"] = "x".into());
    assert_eq!(
        parse_settings(&top),
        Err(SettingsFileError::UnknownField {
            path: "password".into()
        })
    );
    let nested = edit(&bytes, |j| j["filters"]["ldap_filter"] = "x".into());
    assert_eq!(
        parse_settings(&nested),
        Err(SettingsFileError::UnknownField {
            path: "filters.ldap_filter".into()
        })
    );
    let in_list = edit(&bytes, |j| {
        j["filters"]["attribute_filters"] =
            serde_json::json!([{"attribute": "a", "value": "b", "op": "eq"}]);
    });
    assert_eq!(
        parse_settings(&in_list),
        Err(SettingsFileError::UnknownField {
            path: "filters.attribute_filters[0].op".into()
        })
    );
}

#[test]
fn a_wrong_type_is_malformed() {
    let (_, bytes) = exported();
    let bytes = edit(&bytes, |j| j["domains"] = 5.into());
    assert!(matches!(
        parse_settings(&bytes),
        Err(SettingsFileError::Malformed { .. })
    ));
}

#[test]
fn a_changed_file_fails_its_checksum() {
    let (_, bytes) = exported();
    let bytes = edit(&bytes, |j| j["tenant"] = "fabrikam.onmicrosoft.com".into());
    let err = parse_settings(&bytes).unwrap_err();
    assert!(matches!(err, SettingsFileError::ChecksumMismatch { .. }));
    assert!(err.to_string().contains("changed after export"));
    assert!(err.to_string().contains("export again"));
}

#[test]
fn an_incomplete_file_names_the_empty_fields() {
    let mut i = installation(10);
    i.config.tenant = String::new();
    i.config.forest = " ".into();
    i.domains.clear();
    let bytes = to_bytes(&export_document(&i));
    let err = parse_settings(&bytes).unwrap_err();
    assert_eq!(
        err,
        SettingsFileError::Incomplete {
            fields: vec!["tenant".into(), "forest".into(), "domains".into()]
        }
    );
    assert!(err.to_string().contains("tenant, forest, domains is empty"));
}

#[test]
fn a_full_sql_without_instance_is_incomplete() {
    let mut i = installation(10);
    i.config.sql = SqlBackend::Full {
        server: "SQL01".into(),
        instance: String::new(),
    };
    let err = check_complete(&export_document(&i)).unwrap_err();
    assert_eq!(
        err,
        SettingsFileError::Incomplete {
            fields: vec!["sql.instance".into()]
        }
    );
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,11}"
}

prop_compose! {
    fn arbitrary_installation()(
        users in 0u64..200_000, groups in 0u64..20_000, contacts in 0u64..5_000,
        forest in name(), tenant in name(), account in name(),
        domains in proptest::collection::vec(name(), 1..4),
        ous in proptest::collection::vec(name(), 0..3),
        excluded in proptest::collection::vec(name(), 0..2),
        filters in proptest::collection::vec((name(), name()), 0..3),
        alt in proptest::option::of(name()),
        password_sync in any::<bool>(), exchange_hybrid in any::<bool>(),
        full_sql in proptest::option::of((name(), name())),
        password in "[A-Za-z0-9!#]{12,20}",
    ) -> (DirSyncInstallation, String) {
        let mut i = installation(users);
        i.object_counts = ObjectCounts { users, groups, contacts };
        i.config.forest = format!("{forest}.com");
        i.config.tenant = format!("{tenant}.onmicrosoft.com");
        i.config.azure_ad_account = format!("{account}@{tenant}.onmicrosoft.com");
        i.domains = domains;
        i.config.filters = ScopeFilters {
            domains: i.domains.clone(),
            included_ous: ous.iter().map(|o| format!("OU={o},DC={forest},DC=com")).collect(),
            excluded_ous: excluded.iter().map(|o| format!("OU={o},DC={forest},DC=com")).collect(),
            attribute_filters: filters
                .into_iter()
                .map(|(attribute, value)| AttributeFilter { attribute, value })
                .collect(),
        };
        i.config.alternate_login_id = alt;
        i.config.password_sync = password_sync;
        i.config.exchange_hybrid = exchange_hybrid;
        if let Some((server, instance)) = full_sql {
            i.config.sql = SqlBackend::Full { server, instance };
        }
        (i, format!("Pw{password}"))
    }
}

/// Everything the operator or the servers could hand Export settings a password through, each
/// set to `password`: the Azure AD credential, the Enterprise Admin credential, the new sync
/// service's domain account, the accounts the tenant and AD know, and DirSync's service account
/// field (`ad_account`, which the settings file has no business copying). `azure_ad_account`
/// is a name the file carries on purpose.
fn engine_holding(
    mut installation: DirSyncInstallation,
    password: &str,
) -> crate::Upgrade<crate::fakes::FakePorts> {
    use crate::fakes::*;
    use crate::ports::{DirSyncDiscovery, ServiceAccount, TenantSyncStatus};
    use upgrade_lab_model::Credential;
    let time: Time = std::rc::Rc::new(std::cell::Cell::new(0));
    installation.config.ad_account = password.to_string();
    let aad = installation.config.azure_ad_account.clone();
    let ea = "CONTOSO\\ea-admin".to_string();
    let mut options = crate::UpgradeOptions::new(
        Credential::new(aad.clone(), password),
        Credential::new(ea.clone(), password),
    );
    options.force_export = true;
    options.service_account = ServiceAccount::Domain {
        name: "CONTOSO\\svc-aadsync".into(),
        password: upgrade_lab_model::Secret::new(password),
    };
    let mut dirsync = FakeDirSync::new(time.clone(), 0);
    dirsync.discovery = DirSyncDiscovery::Installed(installation);
    let ad = FakeAd {
        enterprise_admins: vec![(ea, password.into())],
        changes: crate::ports::AdChanges::default(),
        changed_at: upgrade_lab_model::SimTime(1),
        failure: None,
    };
    let tenant = FakeTenant {
        accounts: vec![(aad, password.into(), true)],
        status: TenantSyncStatus::default(),
    };
    let connect = FakeConnect::new(time.clone(), "AADC01");
    crate::Upgrade::new(dirsync, connect, ad, tenant, FakeClock(time), options)
}

/// Why `bytes` (a written settings file) carries `password`, if it does.
fn password_leak(bytes: &[u8], password: &str) -> Option<String> {
    let needle = password.as_bytes();
    let at = bytes.windows(needle.len()).position(|w| w == needle)?;
    Some(format!("the password is in the settings file at byte {at}"))
}

/// Export settings through the engine's entry point with the password planted everywhere it
/// could come from; the written file's bytes.
fn written_settings(installation: DirSyncInstallation, password: &str) -> Vec<u8> {
    let mut e = engine_holding(installation, password);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let report = rt.block_on(e.export_settings()).unwrap();
    e.dirsync_mut().files[&report.path].clone()
}

proptest! {
    #[test]
    fn export_then_import_round_trips_and_never_holds_a_password(
        (installation, password) in arbitrary_installation()
    ) {
        let bytes = written_settings(installation.clone(), &password);
        prop_assert_eq!(password_leak(&bytes, &password), None);
        let text = String::from_utf8(bytes.clone()).unwrap();
        prop_assert!(!text.to_lowercase().contains("password\""));
        prop_assert_eq!(parse_settings(&bytes), Ok(export_document(&installation)));
    }
}

#[test]
fn the_password_check_catches_an_exporter_that_copies_the_password() {
    let password = "Pw-Planted-0123456789";
    let bytes = written_settings(installation(1_000), password);
    assert_eq!(password_leak(&bytes, password), None);
    // Planted bug: an exporter that writes the typed Azure AD password next to the account.
    let e = engine_holding(installation(1_000), password);
    let mut doc = export_document(&installation(1_000));
    doc.azure_ad_account = format!(
        "{}:{}",
        doc.azure_ad_account,
        e.options().azure_ad.password.expose()
    );
    doc.checksum = checksum(&doc);
    let leaky = to_bytes(&doc);
    assert!(password_leak(&leaky, password).is_some());
}

#[test]
#[should_panic(expected = "a settings document is written only as sealed")]
fn writing_a_document_edited_after_export_fires() {
    let (mut doc, _) = exported();
    doc.tenant = "fabrikam.onmicrosoft.com".into();
    to_bytes(&doc);
}
