//! Both upgrade paths end to end, driven through the engine's public API against the simulated
//! world: the document's in-place upgrade and its parallel deployment with staging, verification
//! and cutover.

mod common;

use common::{Lab, NEW_SERVER, directory, world_builder};
use upgrade_lab_engine::{AnalysisPage, CutoverMethod};
use upgrade_lab_model::SimDuration;

#[test]
fn in_place_upgrade_uninstalls_dirsync_and_leaves_connect_active_with_the_tenant_intact() {
    let lab = Lab::new(world_builder(directory(400, 3)));
    let mut up = lab.in_place(lab.options());
    let report = lab.world.run(async {
        let analysis = up.analyze().await.expect("analysis");
        assert_eq!(analysis.page, AnalysisPage::Ready);
        assert!(analysis.estimate < SimDuration::from_hours(3));
        up.upgrade_in_place().await.expect("in-place upgrade")
    });
    assert!(
        report.active,
        "in place the server resumes active sync at once"
    );
    assert!(
        report.sign_out_required,
        "the document asks for a sign-out after install"
    );
    assert!(report.finished_at > report.uninstalled_dirsync_at);

    // A scheduler cycle later the tenant still equals the in-scope directory.
    lab.world.advance(SimDuration::from_hours(1));
    let ledger = lab.world.report();
    assert!(ledger.violations.is_empty(), "{:?}", ledger.violations);
    assert!(ledger.tenant.equals_directory(), "{:?}", ledger.tenant);
    assert!(!ledger.two_active_at_once);
    let dirsync_installed = lab
        .world
        .with_state(|s| s.dirsync.as_ref().is_some_and(|d| d.installed));
    assert!(!dirsync_installed, "the upgrade uninstalls DirSync");
}

#[test]
fn parallel_deployment_stages_verifies_and_cuts_over_without_two_active_exporters() {
    let lab = Lab::new(world_builder(directory(400, 4)));
    let mut options = lab.options();
    options.force_export = true; // fewer than 50,000 objects: `/ForceExport`
    let mut up = lab.parallel(options);
    let (staging, cutover) = lab.world.run(async {
        up.analyze().await.expect("analysis");
        up.export_settings().await.expect("export settings");
        let installed = up.install_parallel().await.expect("install with /migrate");
        assert!(installed.staging, "/migrate installs in staging mode");
        assert!(installed.start_sync);
        let staging = up.verify_staging().await.expect("verification");
        let cutover = up.cut_over().await.expect("cutover");
        (staging, cutover)
    });
    assert!(staging.initial_cycle.verified(), "{staging:?}");
    assert!(staging.ready(), "{staging:?}");
    assert_eq!(cutover.method, CutoverMethod::Uninstall);
    assert!(cutover.first_export_at >= cutover.staging_off_at);
    assert!(
        cutover.sync_gap > SimDuration::ZERO,
        "uninstalling DirSync takes time"
    );

    lab.world.advance(SimDuration::from_hours(1));
    let ledger = lab.world.report();
    assert!(ledger.violations.is_empty(), "{:?}", ledger.violations);
    assert!(ledger.tenant.equals_directory(), "{:?}", ledger.tenant);
    let hosts: Vec<&str> = ledger
        .exporter_intervals
        .iter()
        .map(|i| i.host.as_str())
        .collect();
    assert_eq!(hosts.last(), Some(&NEW_SERVER), "{hosts:?}");
}

#[test]
fn staging_server_never_exports_while_it_waits_for_cutover() {
    let lab = Lab::new(world_builder(directory(300, 5)));
    let mut options = lab.options();
    options.force_export = true;
    let mut up = lab.parallel(options);
    lab.world.run(async {
        up.export_settings().await.expect("export");
        up.install_parallel().await.expect("install");
    });
    let exported_before = lab.world.with_state(|s| {
        s.tenant
            .ledger
            .exports
            .iter()
            .filter(|e| e.client.host == NEW_SERVER)
            .count()
    });
    lab.world.advance(SimDuration::from_hours(6));
    let exported_after = lab.world.with_state(|s| {
        s.tenant
            .ledger
            .exports
            .iter()
            .filter(|e| e.client.host == NEW_SERVER)
            .count()
    });
    assert_eq!((exported_before, exported_after), (0, 0));
    assert!(lab.world.report().violations.is_empty());
}

#[test]
fn disabling_dirsync_instead_of_uninstalling_also_cuts_over() {
    let lab = Lab::new(world_builder(directory(200, 6)));
    let mut options = lab.options();
    options.force_export = true;
    options.cutover = CutoverMethod::Disable;
    let mut up = lab.parallel(options);
    let cutover = lab.world.run(async {
        up.export_settings().await.expect("export");
        up.install_parallel().await.expect("install");
        up.verify_staging().await.expect("verify");
        up.cut_over().await.expect("cutover")
    });
    assert_eq!(cutover.method, CutoverMethod::Disable);
    let still_installed = lab.world.with_state(|s| {
        s.dirsync
            .as_ref()
            .is_some_and(|d| d.installed && !d.service_running)
    });
    assert!(
        still_installed,
        "disabled, not uninstalled: it can be re-enabled before Connect exports"
    );
}
