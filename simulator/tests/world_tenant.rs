//! The tenant answers exports as Azure AD does: hard and soft match, duplicate-attribute
//! resiliency, and the export errors docs/real-systems.md names, each from a planted defect or
//! tenant state.

mod world_support;

use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{
    Attributes, ObjectKind, PackedTexts, RunProfile, RunRecord, SimDuration, Value,
};
use upgrade_lab_simulator::dirsync_server::DirSyncStart;
use upgrade_lab_simulator::tenant::{CloudObject, TenantSpec};
use upgrade_lab_simulator::world::World;
use world_support::directory;

/// DirSync's initial cycle over `dir` against `tenant`; returns the world and its export run.
fn initial_export(dir: upgrade_lab_model::Directory, tenant: TenantSpec) -> (World, RunRecord) {
    let world = World::builder()
        .directory(dir)
        .tenant(tenant)
        .dirsync_start(DirSyncStart::InitialCycle)
        .build()
        .unwrap();
    // The initial cycle takes longer the more objects there are.
    for _ in 0..12 {
        world.advance(SimDuration::from_hours(1));
        let export = world.with_state(|st| {
            st.dirsync
                .as_ref()
                .unwrap()
                .engine
                .history
                .iter()
                .find(|r| r.profile == RunProfile::Export)
                .cloned()
        });
        if let Some(export) = export {
            return (world, export);
        }
    }
    panic!("DirSync's initial cycle did not export within 12 hours")
}

fn with_upn(
    mut d: upgrade_lab_model::Directory,
    i: usize,
    upn: &str,
) -> upgrade_lab_model::Directory {
    d.objects[i]
        .attrs_mut()
        .set_text(Field::UserPrincipalName, Some(upn));
    d
}

fn cloud_user(upn: &str, smtp: Option<&str>) -> CloudObject {
    CloudObject {
        kind: ObjectKind::User,
        attrs: Attributes::with_texts(PackedTexts::of_some(&[
            (Field::UserPrincipalName, Some(upn)),
            (
                Field::ProxyAddresses,
                smtp.map(|s| format!("SMTP:{s}")).as_deref(),
            ),
        ])),
        immutable_id: None,
        admin_role: false,
    }
}

#[test]
fn with_dar_a_duplicate_upn_is_quarantined_and_the_export_succeeds() {
    let dir = with_upn(directory(3, 0, 0), 1, "user0@contoso.com");
    let (world, export) = initial_export(dir.clone(), TenantSpec::default());
    assert_eq!(export.status.as_str(), "success");
    world.with_state(|st| {
        let t = st.tenant.get(&dir.objects[1].guid.immutable_id()).unwrap();
        let q = t.quarantined_upn.as_deref().unwrap();
        assert!(
            q.starts_with("user0") && q.ends_with("@contoso.onmicrosoft.com"),
            "{q}"
        );
        assert_eq!(
            q.len(),
            "user0".len() + 4 + "@contoso.onmicrosoft.com".len()
        );
        assert_eq!(st.tenant.provisioning_errors.len(), 1);
        assert_eq!(
            st.tenant.provisioning_errors[0].attribute,
            "UserPrincipalName"
        );
    });
    assert!(!world.report().tenant.duplicated.is_empty());
}

#[test]
fn without_dar_a_new_duplicate_is_invalid_soft_match_and_an_update_must_be_unique() {
    let dir = with_upn(directory(3, 0, 0), 1, "user0@contoso.com");
    let tenant = TenantSpec {
        duplicate_attribute_resiliency: false,
        ..TenantSpec::default()
    };
    let (world, export) = initial_export(dir.clone(), tenant);
    assert_eq!(export.status.as_str(), "completed-export-errors");
    assert!(
        export.errors[0].starts_with("InvalidSoftMatch"),
        "{:?}",
        export.errors
    );
    // An administrator adds user0's address to user2 (ERR's example of the error).
    let g = dir.objects[2].guid;
    world
        .change_ad(|ad, now| {
            ad.update(now, &g, |a| {
                let mut p: Vec<String> = a.proxy_addresses().map(str::to_string).collect();
                p.push("smtp:user0.mail@contoso.com".to_string());
                a.set_proxy_addresses(p);
            })
        })
        .unwrap();
    world.advance(SimDuration::from_hours(3));
    let last = world.with_state(|st| {
        st.dirsync
            .as_ref()
            .unwrap()
            .engine
            .history
            .iter()
            .rfind(|r| r.profile == RunProfile::Export)
            .cloned()
            .unwrap()
    });
    assert_eq!(last.status.as_str(), "completed-export-errors");
    assert!(
        last.errors
            .iter()
            .any(|e| e.starts_with("AttributeValueMustBeUnique")),
        "{:?}",
        last.errors
    );
}

#[test]
fn a_cloud_user_without_immutable_id_is_soft_matched_and_taken_over() {
    let tenant = TenantSpec {
        cloud_objects: vec![cloud_user("user1@contoso.com", None)],
        ..TenantSpec::default()
    };
    let dir = directory(3, 0, 0);
    let (world, export) = initial_export(dir.clone(), tenant);
    assert_eq!(export.status.as_str(), "success");
    world.with_state(|st| {
        assert_eq!(st.tenant.live_count(), 3, "matched, not duplicated");
        assert!(st.tenant.get(&dir.objects[1].guid.immutable_id()).is_some());
    });
    assert!(world.report().tenant.equals_directory());
}

#[test]
fn soft_match_refusals_name_their_error() {
    let mut stamped = cloud_user("user0@contoso.com", None);
    stamped.immutable_id = Some(upgrade_lab_model::ImmutableId::new("c29tZXRoaW5nZWxzZQ=="));
    let mut admin = cloud_user("user1@contoso.com", None);
    admin.admin_role = true;
    let group = CloudObject {
        kind: ObjectKind::Group,
        attrs: Attributes::from_texts(&[(Field::ProxyAddresses, "SMTP:user2.mail@contoso.com")]),
        immutable_id: None,
        admin_role: false,
    };
    let tenant = TenantSpec {
        duplicate_attribute_resiliency: false,
        cloud_objects: vec![stamped, admin, group],
        ..TenantSpec::default()
    };
    let (_, export) = initial_export(directory(3, 0, 0), tenant);
    let names: Vec<&str> = export
        .errors
        .iter()
        .map(|e| e.split(':').next().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "InvalidSoftMatch",
            "ExistingAdminRoleConflict",
            "ObjectTypeMismatch"
        ]
    );
}

#[test]
fn oversized_and_malformed_objects_are_refused() {
    let mut dir = directory(2, 0, 0);
    dir.objects[0]
        .attrs_mut()
        .set_proxy_addresses((0..301).map(|i| format!("smtp:alias{i}@contoso.com")));
    dir.objects[1]
        .attrs_mut()
        .set_text(Field::UserPrincipalName, Some("bad user@contoso.com"));
    let (world, export) = initial_export(dir, TenantSpec::default());
    let names: Vec<&str> = export
        .errors
        .iter()
        .map(|e| e.split(':').next().unwrap())
        .collect();
    assert_eq!(names, vec!["LargeObject", "DataValidationFailed"]);
    world.with_state(|st| assert_eq!(st.tenant.synced_count(), 0));
}

#[test]
fn the_object_quota_stops_the_export() {
    let tenant = TenantSpec {
        quota: Some(10),
        ..TenantSpec::default()
    };
    let (world, export) = initial_export(directory(20, 0, 0), tenant);
    assert_eq!(export.status.as_str(), "stopped-quota-exceeded");
    assert!(
        export
            .errors
            .last()
            .unwrap()
            .contains("exceeded the number of objects")
    );
    world.with_state(|st| assert_eq!(st.tenant.synced_count(), 10));
}

#[test]
fn the_default_quota_without_a_verified_domain_is_50000() {
    let world = World::builder()
        .directory(directory(1, 0, 0))
        .tenant(TenantSpec {
            verified_domain: false,
            ..TenantSpec::default()
        })
        .build()
        .unwrap();
    assert_eq!(world.with_state(|st| st.tenant.quota()), 50_000);
}

#[test]
fn more_than_5000_errors_stop_the_run_with_stopped_error_limit() {
    let mut dir = directory(5_010, 0, 0);
    for o in &mut dir.objects {
        let bad = format!("bad user{}@contoso.com", o.attrs.cn().unwrap_or(""));
        o.attrs_mut().set_text(Field::UserPrincipalName, Some(&bad));
    }
    let (world, export) = initial_export(dir, TenantSpec::default());
    assert_eq!(export.status.as_str(), "stopped-error-limit");
    assert_eq!(export.stats.errors, 5_001);
    assert_eq!(export.errors.len(), 20, "the run keeps the first errors");
    world.with_state(|st| assert_eq!(st.tenant.synced_count(), 0));
}

/// A directory of `users` users and two groups; group 0 has `members` of the users as members.
fn one_big_group(users: u32, members: usize) -> upgrade_lab_model::Directory {
    let mut dir = directory(users, 2, 0);
    let dns: Vec<Value> = dir.objects[..members]
        .iter()
        .map(|o| Value::from(o.dn.to_string()))
        .collect();
    let g = users as usize;
    assert_eq!(dir.objects[g].kind, ObjectKind::Group);
    dir.objects[g].attrs_mut().member = dns.into_boxed_slice();
    dir
}

fn groups_in_tenant(world: &World) -> usize {
    world.with_state(|st| {
        st.tenant
            .objects()
            .filter(|o| o.kind == ObjectKind::Group && o.is_synced())
            .count()
    })
}

#[test]
fn a_group_over_dirsyncs_member_limit_is_refused_and_never_reaches_the_tenant() {
    use upgrade_lab_model::constants::{
        DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS, GROUP_MEMBER_LIMIT_ERROR,
    };
    let limit = DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS;
    let (world, export) = initial_export(
        one_big_group(u32::try_from(limit).unwrap(), limit),
        TenantSpec::default(),
    );
    assert_eq!(export.status.as_str(), "completed-export-errors");
    assert_eq!(export.stats.errors, 1);
    assert!(
        export.errors[0].starts_with(&format!("{GROUP_MEMBER_LIMIT_ERROR}: ")),
        "{:?}",
        export.errors
    );
    assert_eq!(
        groups_in_tenant(&world),
        1,
        "only the small group is exported"
    );

    // One member fewer is under the limit: the same group is exported (the check's boundary).
    let (world, export) = initial_export(
        one_big_group(u32::try_from(limit).unwrap(), limit - 1),
        TenantSpec::default(),
    );
    assert_eq!(export.stats.errors, 0, "{:?}", export.errors);
    assert_eq!(groups_in_tenant(&world), 2);
}

#[test]
fn current_connect_exports_a_group_of_50000_members_under_its_250000_limit() {
    use upgrade_lab_engine::ports::{ConnectServer, InstallMode};
    use upgrade_lab_model::Connector::{ActiveDirectory, AzureAd};
    use world_support::{config, install_request};
    let limit = upgrade_lab_model::constants::DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS;
    let world = World::builder()
        .directory(one_big_group(u32::try_from(limit).unwrap(), limit))
        .dirsync_start(DirSyncStart::NotInstalled)
        .build()
        .unwrap();
    let mut port = world.connect_port("DIRSYNC01");
    let mut req = install_request(&config(), InstallMode::InPlace, false);
    req.start_sync = false;
    world.run(port.install(req)).unwrap();
    for (c, p) in [
        (ActiveDirectory, RunProfile::FullImport),
        (AzureAd, RunProfile::FullImport),
        (ActiveDirectory, RunProfile::FullSynchronization),
        (AzureAd, RunProfile::FullSynchronization),
        (AzureAd, RunProfile::Export),
    ] {
        let r = world.run(port.run_profile(c, p)).unwrap();
        assert_eq!(r.stats.errors, 0, "{c:?} {p:?}: {:?}", r.errors);
    }
    assert_eq!(
        groups_in_tenant(&world),
        2,
        "DirSync's 50,000 limit is not Connect's"
    );
}
