//! `upgrade-lab plan` with the real machines in the description file (`[dirsync_host]`,
//! `[server]`, `[tenant]`) and the directory's change rate during staging (`[churn]`,
//! `--changes-per-hour`, `--staging-hours`): a failing prerequisite turns the path NO-GO naming
//! it, the same description without the section says "assumed", bad keys are errors at
//! file:line:column, the pending-export breakdown follows the rate, and the same inputs give the
//! same plan byte for byte.

mod common;
mod support;

use common::{run, scratch};
use serde_json::Value;
use support::plan::plan_output;

const LDIF: &str = "tests/fixtures/plan/fabrikam.ldif";
const DIRSYNC: &str = "tests/fixtures/plan/dirsync.toml";
const MACHINES: &str = "tests/fixtures/plan/machines.toml";

/// The fixture's DirSync keys plus `extra`, written to a scratch file.
fn description(name: &str, extra: &str) -> String {
    let dir = scratch("plan-machines", name);
    let path = dir.join("dirsync.toml");
    let base = std::fs::read_to_string(DIRSYNC).unwrap();
    std::fs::write(&path, format!("{base}\n{extra}")).unwrap();
    path.to_str().unwrap().to_string()
}

fn json(args: &[&str]) -> Value {
    let text = plan_output(&[args, &["--format", "json"]].concat());
    serde_json::from_str(&text).expect("the plan is JSON")
}

fn path<'a>(plan: &'a Value, name: &str) -> &'a Value {
    plan["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == name)
        .unwrap()
}

fn prerequisite<'a>(plan: &'a Value, path: &str, check: &str) -> &'a Value {
    plan["prerequisites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == path && p["check"] == check)
        .unwrap()
}

#[test]
fn the_plan_with_the_real_machines_as_markdown() {
    let md = plan_output(&["--ldif", LDIF, "--dirsync", MACHINES]);
    insta::assert_snapshot!(md);
}

#[test]
fn an_unsupported_os_on_the_new_server_is_no_go_naming_it() {
    let d = description("old-server", "[server]\nos = \"2012r2\"\n");
    let plan = json(&["--ldif", LDIF, "--dirsync", &d]);
    let parallel = path(&plan, "parallel");
    assert_eq!(parallel["decision"], "no_go");
    let first = parallel["reasons"][0].as_str().unwrap();
    assert!(
        first.contains("AADC01") && first.contains("operating system (described)"),
        "{first}"
    );
    let os = prerequisite(&plan, "parallel", "operating system");
    assert_eq!(os["passed"], false);
    assert_eq!(os["source"], "described");
    assert!(os["value"].as_str().unwrap().contains("2012 R2"), "{os}");
    assert!(
        os["fix"].as_str().unwrap().contains("Windows Server 2016"),
        "{os}"
    );
    // The in-place path's server is not described: it passes, as assumed.
    assert_eq!(path(&plan, "in_place")["decision"], "go");
    assert_eq!(
        prerequisite(&plan, "in_place", "operating system")["source"],
        "assumed"
    );
}

#[test]
fn both_servers_failing_turn_the_plans_verdict_no_go() {
    let d = description(
        "old-servers",
        "[dirsync_host]\nos = \"2008r2\"\n[server]\nos = \"2025\"\n",
    );
    let md = plan_output(&["--ldif", LDIF, "--dirsync", &d]);
    assert!(
        md.contains("Recommended path: **In-place upgrade**: NO-GO."),
        "{md}"
    );
    assert!(md.contains("prerequisites not met on DIRSYNC01: operating system (described)"));
    assert!(md.contains("prerequisites not met on AADC01: operating system (described)"));
    assert!(
        md.contains("Windows Server 2025 (10.0.26100) is not supported"),
        "{md}"
    );
}

#[test]
fn without_the_section_the_plan_says_what_it_assumed() {
    let md = plan_output(&["--ldif", LDIF, "--dirsync", DIRSYNC]);
    assert!(
        md.contains("`[server]`: not given: assumed AADC01 meets the current prerequisites: Windows Server 2019 (10.0.17763)"),
        "{md}"
    );
    assert!(md.contains(
        "`[tenant]`: not given: assumed a tenant with a verified domain (quota 300,000)"
    ));
    assert!(md.contains("`[churn]`: not given: assumed AD does not change"));
    assert!(
        md.contains("| parallel | AADC01 | operating system | Windows Server 2019 (10.0.17763) |")
    );
    assert!(md.contains("Rows marked `assumed` are the simulator's defaults"));
    assert!(md.contains("Recommended path: **In-place upgrade**: GO."));
}

#[test]
fn a_tenant_quota_the_directory_does_not_fit_is_no_go_on_both_paths() {
    let d = description("small-tenant", "[tenant]\nquota = 100\n");
    let plan = json(&["--ldif", LDIF, "--dirsync", &d]);
    assert_eq!(plan["tenant_quota"]["fits"], false);
    assert_eq!(plan["tenant_quota"]["source"], "described");
    for p in ["in_place", "parallel"] {
        let x = path(&plan, p);
        assert_eq!(x["decision"], "no_go", "{p}");
        assert!(
            x["reasons"][0]
                .as_str()
                .unwrap()
                .starts_with("tenant quota: 137 objects exceed"),
            "{p}: {}",
            x["reasons"][0]
        );
    }
    let fits = json(&[
        "--ldif",
        LDIF,
        "--dirsync",
        &description("big-tenant", "[tenant]\nquota = 1000\n"),
    ]);
    assert_eq!(fits["tenant_quota"]["fits"], true);
}

fn refused(file: &str) -> String {
    let o = run(&["plan", "--ldif", LDIF, "--dirsync", file]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(o.stdout.is_empty());
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_machine_keys_are_errors_at_their_line_and_column() {
    let base_lines = std::fs::read_to_string(DIRSYNC).unwrap().lines().count() + 1;
    let at = |line: usize, column: usize| format!("dirsync.toml:{}:{column}", base_lines + line);
    let cases: [(&str, &str, String, &str); 7] = [
        (
            "unknown",
            "[server]\npowershel = \"5.1\"\n",
            at(2, 1),
            "did you mean `powershell`?",
        ),
        (
            "type",
            "[server]\ntls12 = \"yes\"\n",
            at(2, 9),
            "invalid type",
        ),
        (
            "value",
            "[dirsync_host]\nos = \"Windows\"\n",
            at(2, 6),
            "os `Windows` is not a version",
        ),
        (
            "table",
            "[sever]\nos = \"2019\"\n",
            at(1, 2),
            "did you mean `[server]`?",
        ),
        (
            "quota",
            "[tenant]\nquota = 0\n",
            at(2, 9),
            "quota 0 is outside 1 to 10,000,000",
        ),
        (
            "reach",
            "[server.endpoints]\n\"https://login.microsoftonline.com\" = \"blocked\"\n",
            at(2, 39),
            "unknown variant `blocked`",
        ),
        (
            "churn",
            "[churn]\nupdates = 200000\n",
            at(2, 11),
            "more than 100,000",
        ),
    ];
    for (name, extra, location, message) in cases {
        let e = refused(&description(name, extra));
        assert!(e.contains(&location), "{name}: want {location} in {e}");
        assert!(e.contains(message), "{name}: want {message} in {e}");
    }
}

#[test]
fn every_error_of_the_description_comes_back_together() {
    let e = refused(&description(
        "several",
        "[server]\nos = \"nine\"\n[tenant]\nquota = 0\n",
    ));
    assert!(e.contains("os `nine` is not a version"), "{e}");
    assert!(e.contains("quota 0 is outside"), "{e}");
}

/// The parallel path's pending exports at verification: AD's changes and the rules' share.
fn pending(args: &[&str]) -> (Value, u64) {
    let plan = json(args);
    let p = &path(&plan, "parallel")["pending_at_verification"];
    (
        p["directory"].clone(),
        p["rules_only_updates"].as_u64().unwrap(),
    )
}

fn total(v: &Value) -> u64 {
    ["adds", "updates", "deletes"]
        .iter()
        .map(|k| v[k].as_u64().unwrap())
        .sum()
}

#[test]
fn the_pending_breakdown_follows_the_change_rate() {
    let base = ["--ldif", LDIF, "--dirsync", DIRSYNC];
    let (none, rules_none) = pending(&base);
    assert_eq!(total(&none), 0, "no rate: rule differences only");
    let (some, _) = pending(&[&base[..], &["--changes-per-hour", "7"]].concat());
    let (more, _) = pending(&[&base[..], &["--changes-per-hour", "28"]].concat());
    assert!(total(&some) > 0, "{some}");
    assert!(total(&more) > total(&some), "{some} then {more}");
    // The description's [churn] is the same machinery: 10 updates an hour show as updates.
    let d = description("churn", "[churn]\nupdates = 10\n");
    let (churn, rules) = pending(&["--ldif", LDIF, "--dirsync", &d]);
    assert_eq!(churn["adds"], 0);
    assert_eq!(churn["deletes"], 0);
    assert!(churn["updates"].as_u64().unwrap() > 0, "{churn}");
    // Every object still carries the rule difference; the changed ones count under AD's.
    assert_eq!(rules + churn["updates"].as_u64().unwrap(), rules_none);
}

#[test]
fn the_plan_states_the_rate_it_rehearsed() {
    let base = ["--ldif", LDIF, "--dirsync", DIRSYNC];
    let md = plan_output(
        &[
            &base[..],
            &["--changes-per-hour", "14", "--staging-hours", "2"],
        ]
        .concat(),
    );
    assert!(
        md.contains("AD changed at 2 adds, 10 updates and 2 deletes an hour (from --changes-per-hour, in a typical delta's mix) during the 2-hour staging window: 28 changes."),
        "{md}"
    );
    let plan = json(&base);
    assert_eq!(plan["staging"]["rate_source"], "none");
    assert!(
        plan["staging"]["statement"]
            .as_str()
            .unwrap()
            .starts_with("No change rate given")
    );
}

#[test]
fn a_zero_rate_is_todays_rehearsal() {
    let base = ["--ldif", LDIF, "--dirsync", DIRSYNC];
    let today = json(&base);
    let zero = json(&[&base[..], &["--changes-per-hour", "0"]].concat());
    assert_eq!(today["paths"], zero["paths"]);
    assert_eq!(today["prerequisites"], zero["prerequisites"]);
    assert_eq!(zero["staging"]["rate_source"], "changes_per_hour");
}

#[test]
fn the_same_inputs_with_a_change_rate_give_the_same_plan() {
    for format in ["markdown", "json", "html"] {
        let args = [
            "--ldif",
            LDIF,
            "--dirsync",
            MACHINES,
            "--changes-per-hour",
            "21",
            "--staging-hours",
            "4",
            "--format",
            format,
        ];
        assert_eq!(plan_output(&args), plan_output(&args), "{format}");
    }
}

#[test]
fn a_rate_the_directory_cannot_take_is_exit_2() {
    let o = run(&[
        "plan",
        "--ldif",
        LDIF,
        "--dirsync",
        DIRSYNC,
        "--changes-per-hour",
        "700",
        "--staging-hours",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("deletes 200 objects in the 2-hour staging window"),
        "{e}"
    );
    let o = run(&[
        "plan",
        "--ldif",
        LDIF,
        "--dirsync",
        DIRSYNC,
        "--staging-hours",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}
