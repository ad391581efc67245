//! The assertion keys turn red on a wrong expectation: checkpoints, `events_absent`,
//! `[expect.sql]`, run statistics with `first_export`, `[[expect.objects]]` and planted
//! secrets. Each test runs a scenario of `scenarios/assertions/` as written (green), then edited
//! to expect something false (red, with the check named).

mod common;

use common::run_edited;
use std::path::PathBuf;
use upgrade_lab_scenario::load_text;
use upgrade_lab_scenario::outcome::{Check, ScenarioOutcome, Verdict};

/// Replaces `from` by `to` in the `[expect]` part of a file only.
fn in_expect(text: &str, from: &str, to: &str) -> String {
    let at = text.find("[expect]").expect("an [expect] table");
    format!("{}{}", &text[..at], text[at..].replace(from, to))
}

fn passes(o: &ScenarioOutcome) {
    assert_eq!(o.verdict, Verdict::Pass, "{:#?}", o.failures());
}

fn failed(o: &ScenarioOutcome, what: &str) -> Check {
    assert_eq!(o.verdict, Verdict::Fail);
    let f = o.failures();
    f.iter()
        .find(|c| c.what == what)
        .cloned()
        .unwrap_or_else(|| panic!("no failed check {what}: {f:#?}"))
}

#[test]
fn checkpoints_judge_the_moment_after_their_step() {
    let name = "assertions/checkpoints-through-cutover";
    let good = run_edited(name, |t| t);
    passes(&good);
    assert!(
        good.checks
            .iter()
            .any(|c| c.what == "checkpoint[after uninstall_dirsync].active_exporter"),
        "{:#?}",
        good.checks
    );
    let o = run_edited(name, |t| {
        t.replace(
            "after = \"uninstall_dirsync\"\nexpect = { active_exporter = \"none\"",
            "after = \"uninstall_dirsync\"\nexpect = { active_exporter = \"connect\"",
        )
    });
    let c = failed(&o, "checkpoint[after uninstall_dirsync].active_exporter");
    assert_eq!(
        (c.expected.as_str(), c.actual.as_str()),
        ("connect", "none")
    );
    assert_eq!(
        o.failures().len(),
        1,
        "only that checkpoint: {:#?}",
        o.failures()
    );
}

#[test]
fn checkpoints_do_not_change_the_run() {
    let name = "assertions/checkpoints-through-cutover";
    let with = run_edited(name, |t| t);
    let without = run_edited(name, |t| {
        let cut = t.find("[[checkpoints]]").unwrap();
        let end = t.find("[expect]").unwrap();
        format!("{}{}", &t[..cut], &t[end..])
    });
    assert_eq!(with.sim_duration_ms, without.sim_duration_ms);
    assert_eq!(with.events, without.events);
    assert_eq!(with.runs, without.runs);
}

#[test]
fn an_event_that_must_not_happen_fails_naming_when() {
    let o = run_edited("assertions/checkpoints-through-cutover", |t| {
        t.replace(
            "events_absent = [\"dirsync_enabled\", ",
            "events_absent = [\"connect_installed\", \"dirsync_enabled\", ",
        )
        .replace(
            "events = [\"dirsync_uninstalled\", \"staging_disabled\"]",
            "events = [\"dirsync_uninstalled\"]",
        )
    });
    let c = failed(&o, "expect.events_absent connect_installed");
    assert!(c.actual.starts_with("happened at T+"), "{c:?}");
    let o = run_edited("assertions/checkpoints-through-cutover", |t| {
        t.replace(
            "events_absent = [\"staging_disabled\"]",
            "events_absent = [\"connect_installed\"]",
        )
    });
    failed(
        &o,
        "checkpoint[after install_parallel].events_absent connect_installed",
    );
}

#[test]
fn the_sql_servers_are_compared() {
    let name = "assertions/sql-and-first-export";
    passes(&run_edited(name, |t| t));
    let o = run_edited(name, |t| {
        t.replace(
            "connect_uses = \"sql02\\\\adsync\"",
            "connect_uses = \"localdb\"",
        )
    });
    let c = failed(&o, "expect.sql.connect_uses");
    assert_eq!(c.actual, "SQL02\\ADSYNC");
    let o = run_edited(name, |t| {
        t.replace(
            "analysis_found = \"SQL01\\\\DIRSYNC\"",
            "analysis_found = \"express\"",
        )
    });
    let c = failed(&o, "expect.sql.analysis_found");
    assert_eq!(c.actual, "SQL01\\DIRSYNC");
}

#[test]
fn run_statistics_and_the_first_export_are_judged() {
    let name = "assertions/sql-and-first-export";
    let o = run_edited(name, |t| in_expect(&t, "adds = 0\n", "adds = 1\n"));
    let c = failed(&o, "expect.runs[0]");
    assert_eq!(
        c.actual, "0 runs (adds/updates/deletes of the candidates: 0/1025/0)",
        "only the first export is a candidate"
    );
    // The second export carried the 10 updates: at most 20 matches it unless first_export
    // narrows the candidates to the first one.
    let few_updates =
        |t: &str| in_expect(t, "updates = { min = 1025 }\n", "updates = { max = 20 }\n");
    failed(&run_edited(name, |t| few_updates(&t)), "expect.runs[0]");
    passes(&run_edited(name, |t| {
        in_expect(&few_updates(&t), "first_export = true\n", "")
    }));
    let o = run_edited(name, |t| {
        in_expect(&t, "deletes = 0\n", "deletes = { min = 1 }\n")
    });
    failed(&o, "expect.runs[0]");
}

#[test]
fn objects_are_judged_against_ad_and_the_tenant() {
    let name = "assertions/objects-after-ou-filter";
    passes(&run_edited(name, |t| t));
    let o = run_edited(name, |t| {
        t.replace("department = \"Staff\"", "department = \"Sales\"")
    });
    let c = failed(
        &o,
        "expect.objects[0] sam_account_name=user01.attributes.department",
    );
    assert_eq!((c.expected.as_str(), c.actual.as_str()), ("Sales", "Staff"));
    let o = run_edited(name, |t| {
        t.replace(
            "dn = \"CN=User 02,OU=Sales,DC=contoso,DC=com\"\nin_tenant = false",
            "dn = \"CN=User 02,OU=Sales,DC=contoso,DC=com\"\nin_tenant = true",
        )
    });
    failed(
        &o,
        "expect.objects[1] dn=CN=User 02,OU=Sales,DC=contoso,DC=com.in_tenant",
    );
    let o = run_edited(name, |t| {
        t.replace(
            "sam_account_name = \"user01\"",
            "sam_account_name = \"nobody\"",
        )
    });
    let c = failed(&o, "expect.objects[0] sam_account_name=nobody.in_tenant");
    assert!(c.actual.contains("no such object in AD"), "{c:?}");
    let o = run_edited(name, |t| {
        t.replace("cmQJJBxlgyH4cnsONF1Nxw==", "phES8zpfkGy4ENQIUruosw==")
    });
    failed(&o, "expect.objects[0] sam_account_name=user01.immutable_id");
}

#[test]
fn planted_secrets_are_searched_and_found_nowhere() {
    let o = run_edited("assertions/planted-secrets", |t| t);
    passes(&o);
    let c = o
        .checks
        .iter()
        .find(|c| c.what == "planted_secrets")
        .expect("the scan ran");
    assert!(c.actual.starts_with("none of 4 passwords in "), "{c:?}");
    let o = run_edited("assertions/planted-secrets", |t| {
        t.replace("planted_secrets = true\n", "")
    });
    assert!(
        o.checks
            .iter()
            .all(|c| !c.what.starts_with("planted_secrets"))
    );
}

#[test]
fn a_planted_password_put_into_a_report_or_the_event_stream_is_found() {
    use upgrade_lab_scenario::runner::secrets::{event_outputs, report_outputs, scan};
    use upgrade_lab_scenario::runner::setup::Passwords;
    let mut o = run_edited("assertions/planted-secrets", |t| t);
    let passwords = Passwords::new(true, o.seed);
    o.checks[0].actual = format!("signed in with {}", passwords.azure_ad.expose());
    let hits = scan(&passwords, &report_outputs(&o));
    let names: Vec<&str> = hits.iter().map(|c| c.what.as_str()).collect();
    assert!(
        names.contains(&"planted_secrets in JSON report"),
        "{names:?}"
    );
    assert!(hits.iter().all(|c| !c.ok));
    assert!(
        hits.iter()
            .all(|c| !c.actual.contains(passwords.azure_ad.expose()))
    );
    assert!(hits[0].actual.contains("Azure AD"), "{:?}", hits[0]);
    let mut o = run_edited("assertions/planted-secrets", |t| t);
    let clean = o.clone();
    o.events[0].text = passwords.service_account.expose().to_string();
    let hits = scan(&passwords, &event_outputs(&o, String::new()));
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].what, "planted_secrets in event stream");
    // A password in an event's structured fields is found as well.
    let mut o = clean;
    let planted = passwords.service_account.expose().to_string();
    o.events[0].data.insert("note".into(), planted.into());
    let hits = scan(&passwords, &event_outputs(&o, String::new()));
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn pending_exports_are_the_churn_plus_the_named_rule_differences_and_nothing_else() {
    let name = "staging/verification-explains-churn";
    passes(&run_edited(name, |t| t));
    // One more update in AD than the checkpoint counts: the count is red, `equals_churn` follows
    // the churn steps and holds.
    let o = run_edited(name, |t| t.replace("updates = 30\n", "updates = 31\n"));
    let c = failed(
        &o,
        "checkpoint[after verify_staging].pending_exports.directory_updates",
    );
    assert_eq!((c.expected.as_str(), c.actual.as_str()), ("30", "31"));
    assert!(
        o.failures()
            .iter()
            .all(|f| !f.what.ends_with("equals_churn"))
    );
    // Verify after DirSync's next cycle exported the churn: the pending exports no longer
    // are the churn.
    let o = run_edited(name, |t| t.replace("minutes = 30\n", "minutes = 200\n"));
    let churn = failed(
        &o,
        "checkpoint[after verify_staging].pending_exports.equals_churn",
    );
    assert!(churn.actual.starts_with("false"), "{churn:?}");
    // A rule difference named with the wrong count is red too.
    let o = run_edited(name, |t| {
        t.replace(
            "onPremisesDistinguishedName = 993",
            "onPremisesDistinguishedName = 992",
        )
    });
    failed(
        &o,
        "checkpoint[after verify_staging].pending_exports.rule_differences.onPremisesDistinguishedName",
    );
}

#[test]
fn an_unknown_rule_difference_is_a_located_error() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/staging/verification-explains-churn.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("onPremisesDistinguishedName = 993", "department = 993");
    let e = load_text("x", &path, text).unwrap_err();
    let message = e[0].plain();
    assert!(message.contains("unknown rule difference"), "{message}");
    assert!(message.contains("department"), "{message}");
}
