//! A server anchored on ms-DS-ConsistencyGuid while some objects carry a stamped value other
//! than their objectGUID would give those objects a second identity in Azure AD: the pending
//! export says it changes the source anchor, and verification refuses to switch.

mod common;

use common::{NEW_SERVER, directory};
use upgrade_lab_engine::ports::{
    ConnectServer, DirSyncInstallation, InstallMode, OnPremAd, ServiceAccount, SqlChoice,
};
use upgrade_lab_engine::verify;
use upgrade_lab_model::{
    Credential, DirSyncConfig, ExportOperation, ObjectGuid, SimDuration, SimTime, SourceAnchor,
};
use upgrade_lab_simulator::world::World;
use upgrade_lab_simulator::world::builder::DEFAULT_PASSWORD;

/// Stamps `ms-DS-ConsistencyGuid` on the first `n` users with values of their own.
fn stamp(world: &World, n: usize) {
    let users: Vec<ObjectGuid> = world.with_state(|st| {
        st.ad
            .live_objects()
            .filter(|o| o.kind == upgrade_lab_model::ObjectKind::User)
            .take(n)
            .map(|o| o.guid)
            .collect()
    });
    world.change_ad(|ad, now| {
        for (i, g) in users.iter().enumerate() {
            let stamped = ObjectGuid::from_bytes([0xC0 + u8::try_from(i).unwrap(); 16]);
            ad.update(now, g, |a| a.set_consistency_guid(Some(stamped)))
                .unwrap();
        }
    });
}

fn staged_with(anchor: SourceAnchor) -> (World, Vec<upgrade_lab_model::PendingExport>) {
    let world = World::builder()
        .directory(directory(60, 5))
        .seed(5)
        .build()
        .unwrap();
    stamp(&world, 3);
    let config: DirSyncConfig = world.with_state(|st| st.dirsync.as_ref().unwrap().config.clone());
    let mut request = upgrade_lab_engine::ports::InstallRequest {
        mode: InstallMode::Migrate,
        settings: upgrade_lab_engine::export_document(&DirSyncInstallation {
            hostname: "DIRSYNC01".into(),
            config: config.clone(),
            object_counts: upgrade_lab_model::ObjectCounts::default(),
            domains: vec!["contoso.com".into()],
            service_running: true,
            unexported_import: None,
        }),
        install_location: None,
        sql: SqlChoice::LocalDb,
        service_account: ServiceAccount::Virtual,
        staging: true,
        start_sync: true,
        azure_ad: Credential::new(config.azure_ad_account.clone(), DEFAULT_PASSWORD),
        enterprise_admin: Credential::new("CONTOSO\\Administrator", DEFAULT_PASSWORD),
    };
    request.settings.source_anchor = anchor;
    let mut port = world.connect_port(NEW_SERVER);
    world.run(port.install(request)).unwrap();
    world.advance(SimDuration::from_hours(1));
    let pending = world.run(port.pending_exports()).unwrap();
    (world, pending)
}

#[test]
fn a_stamped_consistency_guid_under_a_consistency_guid_anchor_changes_the_source_anchor() {
    let (world, pending) = staged_with(SourceAnchor::ConsistencyGuid);
    let reanchored: Vec<_> = pending.iter().filter(|p| p.changes_source_anchor).collect();
    assert_eq!(reanchored.len(), 3, "{pending:#?}");
    assert!(
        reanchored
            .iter()
            .all(|p| p.operation == ExportOperation::Add)
    );
    let changes = world
        .run(world.ad_port().changes_since(SimTime::START))
        .unwrap();
    let report = verify::pending_export_report(&pending, &changes);
    assert_eq!(report.source_anchor_changes, 3);
    assert!(
        report
            .unexpected
            .iter()
            .any(|u| u.contains("3 pending exports change the source anchor")),
        "{:?}",
        report.unexpected
    );
}

#[test]
fn the_same_directory_under_the_object_guid_anchor_changes_no_anchor() {
    let (_, pending) = staged_with(SourceAnchor::ObjectGuid);
    assert!(!pending.is_empty());
    assert!(pending.iter().all(|p| !p.changes_source_anchor));
    assert!(
        pending
            .iter()
            .all(|p| p.operation == ExportOperation::Update)
    );
}
