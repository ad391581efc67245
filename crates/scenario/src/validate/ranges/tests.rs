//! Each range: the limit itself loads, one past it is refused at the value with the range in
//! the message (so loosening or dropping a check turns a test red).

use crate::limits::*;
use crate::load::load_text;
use std::path::Path;

const HEAD: &str = "format_version = 1\ndescription = \"d\"\nseed = 1\n";
const WORLD: &str = "[world]\nusers = 50\ngroups = 10\ncontacts = 10\n";

fn load(text: &str) -> Result<(), String> {
    load_text("t", Path::new("t.toml"), text.to_string())
        .map(|_| ())
        .map_err(|e| e.iter().map(|e| e.plain() + "\n").collect())
}

/// `template` with `{}` replaced by `inside` loads; by `outside`, it is refused with `says`.
fn edge(template: &str, inside: u64, outside: u64, says: &str) {
    let ok = template.replace("{}", &inside.to_string());
    if let Err(e) = load(&ok) {
        panic!("{inside} should be accepted:\n{ok}\n{e}");
    }
    let bad = template.replace("{}", &outside.to_string());
    let e = load(&bad).expect_err(&format!("{outside} should be refused:\n{bad}"));
    assert!(e.contains(says), "{e}");
    assert!(
        e.contains("is out of range") || e.contains("cannot hold"),
        "{e}"
    );
}

fn steps(body: &str) -> String {
    format!("{HEAD}{WORLD}{body}")
}

#[test]
fn wait_minutes_and_their_total() {
    let one = steps("[[steps]]\naction = \"wait\"\nminutes = {}\n");
    edge(
        &one,
        MAX_WAIT_MINUTES,
        MAX_WAIT_MINUTES + 1,
        "t.toml:10:11: wait minutes",
    );
    edge(&one, 1, 0, "allowed 1 to 43,200");
    let waits = "[[steps]]\naction = \"wait\"\nminutes = 43200\n".repeat(4);
    let total = format!("{HEAD}[budget]\nsim_days = {{}}\n{WORLD}{waits}");
    edge(&total, 120, 119, "the wait steps' total minutes = 172,800");
}

#[test]
fn run_cycle_count() {
    let t = steps("[[steps]]\naction = \"run_cycle\"\ncount = {}\n");
    edge(
        &t,
        u64::from(MAX_RUN_CYCLES),
        u64::from(MAX_RUN_CYCLES) + 1,
        "allowed 1 to 1,000",
    );
    edge(&t, 1, 0, "run_cycle count = 0");
}

#[test]
fn churn_against_the_directory() {
    let adds = steps("[[steps]]\naction = \"churn\"\nadds = {}\n");
    edge(
        &adds,
        CHURN_ADDS_FLOOR,
        CHURN_ADDS_FLOOR + 1,
        "adds = 10,001",
    );
    let big = format!(
        "{HEAD}[world]\nusers = 5000\ngroups = 0\ncontacts = 0\n[[steps]]\naction = \"churn\"\nadds = {{}}\n"
    );
    edge(&big, 50_000, 50_001, "allowed 0 to 50,000");
    let changes = steps("[[steps]]\naction = \"churn\"\nupdates = {}\ndeletes = 10\n");
    edge(&changes, 60, 61, "updates + deletes = 71");
    // Objects a step adds can be changed by the next one.
    let grown = steps(
        "[[steps]]\naction = \"churn\"\nadds = 30\n[[steps]]\naction = \"churn\"\nid = \"again\"\ndeletes = {}\n",
    );
    edge(&grown, 100, 101, "allowed 0 to 100");
}

#[test]
fn timing_fields() {
    let t = format!(
        "{HEAD}{WORLD}[world.timing]\nconnect_install_ms = {{}}\n[[steps]]\naction = \"analyze\"\n"
    );
    edge(
        &t,
        MAX_OPERATION_MS,
        MAX_OPERATION_MS + 1,
        "t.toml:9:22: connect_install_ms",
    );
    edge(&t, 0, u64::MAX, "18,446,744,073,709,551,615");
    let per = t.replace("connect_install_ms", "export_ms_per_write");
    edge(
        &per,
        MAX_MS_PER_OBJECT,
        MAX_MS_PER_OBJECT + 1,
        "export_ms_per_write = 600,001",
    );
    let window = t.replace("connect_install_ms", "aad_throttle_window_ms");
    edge(
        &window,
        THROTTLE_WINDOW_MS.0,
        THROTTLE_WINDOW_MS.0 - 1,
        "aad_throttle_window_ms = 999",
    );
    let writes = t.replace("connect_install_ms", "aad_writes_per_window");
    edge(
        &writes,
        WRITES_PER_WINDOW.1,
        WRITES_PER_WINDOW.1 + 1,
        "aad_writes_per_window",
    );
    // A whole run: 70 objects at 10 minutes each is fine; 1,010 objects run over 7 days.
    let run = format!(
        "{HEAD}[world]\nusers = {{}}\ngroups = 10\ncontacts = 0\n[world.timing]\nfull_import_ad_ms_per_object = 600000\n[[steps]]\naction = \"analyze\"\n"
    );
    let e = load(&run.replace("{}", "1000")).unwrap_err();
    assert!(e.contains("makes one run over 1,010 objects take"), "{e}");
    load(&run.replace("{}", "1000").replace("600000", "59880")).unwrap();
}

#[test]
fn sizes_tenant_and_express() {
    let cloud = format!(
        "{HEAD}{WORLD}[world.tenant]\ncloud_only_users = {{}}\n[[steps]]\naction = \"analyze\"\n"
    );
    edge(
        &cloud,
        MAX_CLOUD_ONLY,
        MAX_CLOUD_ONLY + 1,
        "cloud_only_users + cloud_only_groups",
    );
    let quota = cloud.replace("cloud_only_users", "quota");
    edge(
        &quota,
        MAX_TENANT_QUOTA,
        MAX_TENANT_QUOTA + 1,
        "quota = 10,000,001",
    );
    let members = format!(
        "{HEAD}[world]\nusers = 50\ngroups = 1000\ncontacts = 0\n[world.group_shape]\nmin_members = 1\nmean_members = {{}}\nmax_members = 40000\n[[steps]]\naction = \"analyze\"\n"
    );
    edge(
        &members,
        20_000,
        20_001,
        "groups × mean_members = 20,001,000",
    );
    let express = format!(
        "{HEAD}[world]\nusers = {{}}\ngroups = 0\ncontacts = 0\n[[steps]]\naction = \"analyze\"\n"
    );
    edge(
        &express,
        100_000,
        100_001,
        "DirSync on SQL Server Express cannot hold 100,001",
    );
    let full = format!(
        "{HEAD}[world]\nusers = 100001\ngroups = 0\ncontacts = 0\n[world.dirsync]\nsql = \"full\"\nsql_server = \"S\"\nsql_instance = \"I\"\n[[steps]]\naction = \"analyze\"\n"
    );
    load(&full).unwrap();
}

#[test]
fn faults_and_budget() {
    let at = steps(
        "[[steps]]\naction = \"analyze\"\n[[faults]]\nkind = \"throttling\"\nat_minutes = {}\nmay_miss = true\n",
    );
    let budget = DEFAULT_SIM_DAYS * 24 * 60;
    edge(&at, budget, budget + 1, "at_minutes = 129,601");
    let length = at.replace("at_minutes = {}", "at_minutes = 5\nfor_minutes = {}");
    edge(&length, budget, budget + 1, "for_minutes = 129,601");
    let days = format!("{HEAD}[budget]\nsim_days = {{}}\n{WORLD}[[steps]]\naction = \"analyze\"\n");
    edge(
        &days,
        MAX_SIM_DAYS,
        MAX_SIM_DAYS + 1,
        "t.toml:5:12: sim_days = 366",
    );
    edge(&days, 1, 0, "sim_days = 0");
    let wall = days.replace("sim_days", "wall_seconds");
    edge(
        &wall,
        MAX_WALL_SECONDS,
        MAX_WALL_SECONDS + 1,
        "wall_seconds = 86,401",
    );
}

#[test]
fn key_spans_find_the_value_in_its_table_or_inline() {
    use super::key_span;
    let t = "[world.timing]\nquery_ms = 5\n[other]\nquery_ms = 9\n";
    assert_eq!(&t[key_span(t, "world.timing", "query_ms", 0..1)], "5");
    assert_eq!(&t[key_span(t, "other", "query_ms", 0..1)], "9");
    let inline = "timing = { xquery_ms = 1, query_ms = 7 }\n";
    assert_eq!(
        &inline[key_span(inline, "world.timing", "query_ms", 0..1)],
        "7"
    );
    assert_eq!(
        key_span(inline, "world.timing", "run_overhead_ms", 3..4),
        3..4
    );
}
