//! `upgrade-lab plan`: the plan of a directory file and a DirSync description, as Markdown and
//! JSON snapshots; HTML with the rehearsals' timelines; the same bytes on every run;
//! `--anonymise` leaving none of the directory's names in any format (and a planted omission
//! caught); bad input refused with exit 2 and a clear message. The real machines of the
//! description and the staging window's change rate: `plan_machines.rs`.

mod common;
mod support;

use common::{BIN, run, scratch};
use std::process::Command;
use support::plan::{leaked_names, plan_output};

const LDIF: &str = "tests/fixtures/plan/fabrikam.ldif";
const DIRSYNC: &str = "tests/fixtures/plan/dirsync.toml";

#[test]
fn the_plan_of_a_fixture_as_markdown() {
    let md = plan_output(&["--ldif", LDIF, "--dirsync", DIRSYNC]);
    insta::assert_snapshot!(md);
}

#[test]
fn the_plan_of_a_fixture_as_json() {
    let json = plan_output(&["--ldif", LDIF, "--dirsync", DIRSYNC, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("the plan is JSON");
    assert_eq!(v["plan_version"], 1);
    assert_eq!(v["paths"].as_array().map(Vec::len), Some(2));
    insta::assert_snapshot!(json);
}

#[test]
fn the_html_plan_is_self_contained_with_both_timelines_and_the_config_diff() {
    let html = plan_output(&["--ldif", LDIF, "--dirsync", DIRSYNC, "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in ["plan-in_place-timeline", "plan-parallel-timeline"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("DirSync ⇄ Connect configuration"));
    for fetch in [
        "<script",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(http",
    ] {
        assert!(!html.contains(fetch), "{fetch}");
    }
}

#[test]
fn the_same_inputs_give_the_same_plan_byte_for_byte() {
    for format in ["markdown", "json", "html"] {
        let args = ["--ldif", LDIF, "--dirsync", DIRSYNC, "--format", format];
        assert_eq!(plan_output(&args), plan_output(&args), "{format}");
    }
}

#[test]
fn anonymised_plans_hold_none_of_the_directorys_names() {
    let bytes = std::fs::read(LDIF).unwrap();
    let directory = upgrade_lab_simulator::ldif::read_directory_bytes(&bytes)
        .unwrap()
        .directory;
    for format in ["markdown", "json", "html"] {
        let args = ["--ldif", LDIF, "--dirsync", DIRSYNC, "--format", format];
        let plain = plan_output(&args);
        assert!(
            !leaked_names(&directory, &plain).is_empty(),
            "the plain {format} plan names objects, so the check below can fail"
        );
        let anonymised = plan_output(&[&args[..], &["--anonymise"]].concat());
        assert_eq!(
            leaked_names(&directory, &anonymised),
            Vec::<String>::new(),
            "{format}"
        );
    }
}

#[test]
fn a_kind_of_name_left_out_of_the_anonymiser_is_caught() {
    use upgrade_lab_plan::{Anonymiser, Format, NameKind, PlanInput};
    let bytes = std::fs::read(LDIF).unwrap();
    let directory = std::sync::Arc::new(
        upgrade_lab_simulator::ldif::read_directory_bytes(&bytes)
            .unwrap()
            .directory,
    );
    let text = std::fs::read_to_string(DIRSYNC).unwrap();
    let input = PlanInput {
        directory: directory.clone(),
        source: LDIF.into(),
        description: upgrade_lab_plan::description::read(DIRSYNC.as_ref(), text).unwrap(),
        changes_per_hour: None,
        staging_hours: upgrade_lab_plan::DEFAULT_STAGING_HOURS,
        seed: 1,
    };
    let plan = upgrade_lab_plan::plan(&input).unwrap();
    // UPNs and mail addresses are caught by their parts too; a DN component has no other.
    for skip in [NameKind::DnComponent] {
        let planted = Anonymiser::for_directory_except(&directory, Some(skip));
        for format in [Format::Markdown, Format::Json, Format::Html] {
            let out = upgrade_lab_plan::render(&plan, format, Some(&planted));
            assert!(
                !leaked_names(&directory, &out).is_empty(),
                "{skip:?} left alone in {format:?} must show"
            );
        }
    }
}

fn refused(args: &[&str]) -> String {
    let o = run(&[&["plan"], args].concat());
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(o.stdout.is_empty());
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_missing_directory_file_is_exit_2() {
    let e = refused(&[
        "--ldif",
        "tests/fixtures/plan/nope.ldif",
        "--dirsync",
        DIRSYNC,
    ]);
    assert!(e.contains("nope.ldif"), "{e}");
}

#[test]
fn a_missing_dirsync_description_is_exit_2() {
    let e = refused(&["--ldif", LDIF, "--dirsync", "nope.toml"]);
    assert!(
        e.contains("cannot read the DirSync description nope.toml"),
        "{e}"
    );
}

#[test]
fn a_bad_dirsync_description_points_at_its_line_and_column() {
    let dir = scratch("plan", "bad-toml");
    let bad = dir.join("dirsync.toml");
    std::fs::write(&bad, "version = \"1.0.7020.0\"\nsql = \"expres\"\n").unwrap();
    let e = refused(&["--ldif", LDIF, "--dirsync", bad.to_str().unwrap()]);
    assert!(e.contains("dirsync.toml:2:7"), "{e}");
    assert!(e.contains("did you mean `express`?"), "{e}");
    std::fs::write(&bad, "sql = \"full\"\n").unwrap();
    let e = refused(&["--ldif", LDIF, "--dirsync", bad.to_str().unwrap()]);
    assert!(e.contains("dirsync.toml:1:1"), "{e}");
    assert!(e.contains("needs sql_server and sql_instance"), "{e}");
}

#[test]
fn an_unreachable_ldap_server_is_exit_2() {
    let o = Command::new(BIN)
        .args(["plan", "--ldap", "ldap://127.0.0.1:9", "--timeout", "2"])
        .args(["--dirsync", DIRSYNC])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("--ldap") && e.contains("127.0.0.1:9"), "{e}");
}
