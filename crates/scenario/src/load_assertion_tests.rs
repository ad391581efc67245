//! Loader tests of the assertion keys: checkpoints, `events_absent`, `[expect.sql]`, run
//! statistics and `[[expect.objects]]`. Each mistake is refused at its value with a hint.

use crate::load::load_text;
use std::path::Path;

const BASE: &str = r#"format_version = 1
description = "recommend.in-place-under-50k"
seed = 7

[world]
users = 90
groups = 8
contacts = 2

[[steps]]
action = "analyze"

[[steps]]
action = "wait"
minutes = 5
id = "pause"
"#;

fn errors_of(extra: &str) -> Vec<String> {
    let text = format!("{BASE}{extra}");
    match load_text("t", Path::new("t.toml"), text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(super::diagnostic::ScenarioError::plain)
            .collect(),
    }
}

fn one_error(extra: &str) -> String {
    let e = errors_of(extra);
    assert_eq!(e.len(), 1, "{e:#?}");
    e[0].clone()
}

#[test]
fn good_assertions_load() {
    let extra = r#"
[[checkpoints]]
after = "analyze"
expect = { active_exporter = "dirsync", events_absent = ["connect_installed"] }

[expect]
events_absent = ["dirsync_uninstalled"]
sql = { analysis_found = "express", connect_uses = "none" }

[[expect.runs]]
server = "dirsync"
connector = "azure-ad"
profile = "export"
status = "success"
first_export = true
adds = { min = 1 }
updates = 0

[[expect.objects]]
sam_account_name = "someone"
in_tenant = true
immutable_id = "cmQJJBxlgyH4cnsONF1Nxw=="
attributes = { department = "Sales", extensionAttribute3 = "x" }
"#;
    assert_eq!(errors_of(extra), Vec::<String>::new());
}

#[test]
fn a_checkpoint_after_an_unknown_step_suggests_the_closest() {
    let e = one_error(
        "\n[[checkpoints]]\nafter = \"pause2\"\nexpect = { active_exporter = \"dirsync\" }\n",
    );
    assert!(
        e.starts_with("t.toml:19:9: no step is named `pause2`"),
        "{e}"
    );
    assert!(e.contains("did you mean `pause`?"), "{e}");
}

#[test]
fn a_checkpoint_after_a_step_two_steps_answer_to_is_refused() {
    let extra = "\n[[steps]]\naction = \"analyze\"\n\n[[checkpoints]]\nafter = \"analyze\"\nexpect = { active_exporter = \"dirsync\" }\n";
    let e = one_error(extra);
    assert!(e.contains("2 steps answer to `analyze`"), "{e}");
    assert!(e.contains("give the step you mean an `id`"), "{e}");
}

#[test]
fn two_checkpoints_after_one_step_are_refused() {
    let cp = "\n[[checkpoints]]\nafter = \"pause\"\nexpect = { active_exporter = \"dirsync\" }\n";
    let e = one_error(&format!("{cp}{cp}"));
    assert!(e.contains("two checkpoints are after `pause`"), "{e}");
    assert!(e.starts_with("t.toml:23:9:"), "{e}");
}

#[test]
fn whole_run_keys_are_refused_at_a_checkpoint() {
    let extra =
        "\n[[checkpoints]]\nafter = \"pause\"\nexpect = { violations = [\"object_lost\"] }\n";
    let e = one_error(extra);
    assert!(
        e.contains("`violations` cannot be checked at a checkpoint"),
        "{e}"
    );
    assert!(e.contains("move them to [expect]"), "{e}");
    let extra = "\n[[checkpoints]]\nafter = \"pause\"\n[[checkpoints.expect.refusals]]\nstep = \"analyze\"\nkind = \"dirsync_not_found\"\n";
    let e = one_error(extra);
    assert!(
        e.contains("`refusals` cannot be checked at a checkpoint"),
        "{e}"
    );
}

#[test]
fn a_checkpoint_key_that_does_not_exist_is_refused() {
    let e = one_error(
        "\n[[checkpoints]]\nafter = \"pause\"\nexpect = { active_exporte = \"dirsync\" }\n",
    );
    assert!(e.contains("active_exporte"), "{e}");
    assert!(e.contains("did you mean `active_exporter`?"), "{e}");
}

#[test]
fn events_absent_words_are_checked() {
    let e = one_error("\n[expect]\nevents_absent = [\"dirsync_uninstaled\"]\n");
    assert!(e.contains("unknown event `dirsync_uninstaled`"), "{e}");
    assert!(e.contains("did you mean `dirsync_uninstalled`?"), "{e}");
    let e = one_error(
        "\n[expect]\nevents = [\"dirsync_disabled\"]\nevents_absent = [\"dirsync_disabled\"]\n",
    );
    assert!(e.contains("in both events and events_absent"), "{e}");
}

#[test]
fn run_statistic_bounds_must_be_satisfiable() {
    let e = one_error(
        "\n[[expect.runs]]\nprofile = \"export\"\nstatus = \"success\"\nupdates = { min = 9, max = 2 }\n",
    );
    assert!(
        e.contains("runs.updates: min 9 is greater than max 2"),
        "{e}"
    );
    let e = one_error("\n[[expect.runs]]\nstatus = \"success\"\nfirst_export = \"yes\"\n");
    assert!(e.contains("first_export") || e.contains("boolean"), "{e}");
}

#[test]
fn an_object_needs_exactly_one_name() {
    let e = one_error("\n[[expect.objects]]\nin_tenant = true\n");
    assert!(e.contains("an object needs dn or sam_account_name"), "{e}");
    let e = one_error(
        "\n[[expect.objects]]\ndn = \"CN=a\"\nsam_account_name = \"a\"\nin_tenant = true\n",
    );
    assert!(e.contains("both dn and sam_account_name"), "{e}");
    assert!(e.starts_with("t.toml:19:6:"), "{e}");
}

#[test]
fn unknown_object_attributes_and_bad_immutable_ids_are_refused() {
    let e = one_error(
        "\n[[expect.objects]]\nsam_account_name = \"a\"\nin_tenant = true\nattributes = { departmnet = \"Sales\" }\n",
    );
    assert!(e.contains("unknown attribute `departmnet`"), "{e}");
    assert!(e.contains("did you mean `department`?"), "{e}");
    assert!(e.starts_with("t.toml:21:16:"), "{e}");
    let e = one_error(
        "\n[[expect.objects]]\nsam_account_name = \"a\"\nin_tenant = true\nimmutable_id = \"not base64!\"\n",
    );
    assert!(e.contains("`not base64!` is not an immutableId"), "{e}");
    let e = one_error(
        "\n[[expect.objects]]\nsam_account_name = \"a\"\nin_tenant = false\nimmutable_id = \"cmQJJBxlgyH4cnsONF1Nxw==\"\n",
    );
    assert!(
        e.contains("immutable_id is set on an object expected not in the tenant"),
        "{e}"
    );
}

#[test]
fn the_analysis_never_finds_localdb() {
    let e = one_error("\n[expect]\nsql = { analysis_found = \"localdb\" }\n");
    assert!(e.contains("the analysis never finds `localdb`"), "{e}");
    let e = one_error("\n[expect]\nsql = { connect_use = \"localdb\" }\n");
    assert!(e.contains("connect_use"), "{e}");
}
