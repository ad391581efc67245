//! The analysis pages and the estimate as the engine computes them from what the simulated
//! DirSync server reports: page precedence (blocked, recommend parallel, full SQL, ready) and
//! 3 hours per 50,000 objects with the 50,000-object threshold.

mod common;

use common::{Lab, directory, directory_of_exactly, full_sql, world_builder};
use upgrade_lab_engine::{AnalysisPage, Recommendation};
use upgrade_lab_model::SimDuration;

fn analyze(lab: &Lab) -> upgrade_lab_engine::Analysis {
    let mut up = lab.in_place(lab.options());
    lab.world
        .run(async { up.analyze().await.expect("analysis") })
}

#[test]
fn sql_express_under_50k_shows_the_ready_page() {
    let lab = Lab::new(world_builder(directory(200, 1)));
    let a = analyze(&lab);
    assert_eq!(a.page, AnalysisPage::Ready);
    assert_eq!(a.recommendation, Recommendation::InPlace);
    assert_eq!(a.objects_count, a.object_counts.total());
}

#[test]
fn full_sql_shows_the_server_and_instance() {
    let b = world_builder(directory(200, 1));
    let config = full_sql(b.dirsync_config());
    let lab = Lab::new(b.dirsync(config));
    assert_eq!(
        analyze(&lab).page,
        AnalysisPage::FullSql {
            server_instance: "SQL01\\DIRSYNC".into()
        }
    );
}

#[test]
fn a_removed_attribute_and_an_extension_dll_block_the_upgrade_with_each_reason() {
    let b = world_builder(directory(200, 1));
    let mut config = full_sql(b.dirsync_config());
    config.removed_attributes = vec!["department".into()];
    config.extension_dll = Some("Contoso.DirSync.Extension.dll".into());
    let lab = Lab::new(b.dirsync(config));
    match analyze(&lab).page {
        AnalysisPage::Blocked { reasons } => {
            assert_eq!(reasons.len(), 2, "{reasons:?}");
            assert!(reasons[0].contains("department"));
            assert!(reasons[1].contains("Contoso.DirSync.Extension.dll"));
        }
        other => panic!("expected the blocked page, got {other:?}"),
    }
}

#[test]
fn estimate_and_recommendation_at_49_999_50_000_and_150_000_objects() {
    let cases = [
        (49_999, Recommendation::InPlace, false),
        (50_000, Recommendation::Parallel, true),
        (150_000, Recommendation::Parallel, true),
    ];
    for (objects, recommendation, parallel_page) in cases {
        let b = world_builder(directory_of_exactly(objects, 2));
        let config = full_sql(b.dirsync_config());
        let lab = Lab::new(b.dirsync(config));
        let a = analyze(&lab);
        assert_eq!(
            a.objects_count,
            u64::from(objects),
            "DirSync's database count"
        );
        assert_eq!(a.recommendation, recommendation, "{objects}");
        assert_eq!(
            a.page == AnalysisPage::RecommendParallel,
            parallel_page,
            "{objects}"
        );
        let expected = SimDuration::from_secs(u64::from(objects) * 3 * 3_600 / 50_000);
        assert_eq!(a.estimate, expected, "{objects}");
    }
}
