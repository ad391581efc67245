//! The `upgrade-lab` binary end to end: `generate` then `inspect`, exit codes, one-line errors
//! on bad arguments and unreadable input, and the human report pinned as a snapshot.

mod common;

use common::run;
use std::fs;
use std::path::PathBuf;
use std::process::Output;

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    common::scratch("cli", test)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code 2 with exactly one line on stderr, starting `error: `.
fn assert_one_line_failure(o: &Output, mentions: &str) {
    // The lines of the phases that ended before the failure (`phase … done in`) are progress.
    let err: String = stderr(o)
        .lines()
        .filter(|l| !(l.starts_with("phase ") && l.contains(" … done in ")))
        .flat_map(|l| [l, "\n"])
        .collect();
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains(mentions),
        "{err:?} should mention {mentions:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

const DEFECTS: &[&str] = &[
    "--seed",
    "3",
    "--users",
    "60",
    "--groups",
    "6",
    "--contacts",
    "4",
    "--domains",
    "contoso.com,emea.contoso.com",
    "--ou-depth",
    "1",
    "--ou-fan-out",
    "2",
    "--duplicate-upns",
    "2",
    "--duplicate-proxy-addresses",
    "1",
    "--invalid-upns",
    "2",
    "--too-many-proxy-addresses",
    "1",
    "--service-accounts",
    "1",
    "--no-sync-users",
    "3",
];

fn generate_with_defects(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("world.json");
    let mut args = vec!["generate", "--out", path.to_str().unwrap()];
    args.extend_from_slice(DEFECTS);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "output goes to the file only");
    path
}

#[test]
fn generate_then_inspect_reports_counts_and_the_planted_defects() {
    let dir = scratch("inspect");
    let path = generate_with_defects(&dir);
    let o = run(&["inspect", path.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    assert_eq!(report["counts"]["users"], 60);
    assert_eq!(report["counts"]["groups"], 6);
    assert_eq!(report["counts"]["contacts"], 4);
    assert_eq!(report["domains"].as_array().unwrap().len(), 2);
    let defects = &report["defects"];
    assert_eq!(defects["duplicate_upns"].as_array().unwrap().len(), 2);
    assert_eq!(
        defects["duplicate_proxy_addresses"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(defects["invalid_values"].as_array().unwrap().len(), 2);
    assert_eq!(
        defects["too_many_proxy_addresses"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        report["out_of_default_scope"]["sync service accounts (MSOL_, AAD_)"],
        1
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_human_report_of_a_seeded_directory_with_defects() {
    let dir = scratch("snapshot");
    let path = generate_with_defects(&dir);
    let o = run(&["inspect", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!("inspect_human_seed_3", stdout(&o));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ldif_output_inspects_like_json_output() {
    let dir = scratch("ldif");
    let json = generate_with_defects(&dir);
    let ldif = dir.join("world.ldif");
    let mut args = vec!["generate", "--out", ldif.to_str().unwrap()];
    args.extend_from_slice(DEFECTS);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(&ldif).unwrap();
    assert!(
        text.starts_with("version: 1\r\n"),
        "LDIF chosen by extension"
    );

    let report = |path: &PathBuf| {
        let o = run(&["inspect", path.to_str().unwrap(), "--format", "json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_object_mut().unwrap().remove("ldif_skipped");
        v
    };
    assert_eq!(report(&ldif), report(&json));

    // Content sniffing: an LDIF file without its extension still reads as LDIF.
    let unnamed = dir.join("export.txt");
    fs::copy(&ldif, &unnamed).unwrap();
    assert_eq!(report(&unnamed), report(&json));

    // --format wins over the extension.
    let forced = dir.join("forced.json");
    let o = run(&[
        "generate",
        "--users",
        "5",
        "--format",
        "ldif",
        "--out",
        forced.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        fs::read_to_string(&forced)
            .unwrap()
            .starts_with("version: 1")
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let one = run(&["generate", "--users", "40", "--seed", "9"]);
    let two = run(&["generate", "--users", "40", "--seed", "9"]);
    let other = run(&["generate", "--users", "40", "--seed", "10"]);
    assert!(one.status.success() && two.status.success() && other.status.success());
    assert_eq!(one.stdout, two.stdout);
    assert_ne!(one.stdout, other.stdout);
}

#[test]
fn a_spec_file_is_read_and_flags_override_it() {
    let dir = scratch("spec");
    let spec = dir.join("world.toml");
    fs::write(
        &spec,
        "seed = 5\nusers = 30\ngroups = 2\n[defects]\ninvalid_upns = 1\n",
    )
    .unwrap();
    let out = dir.join("world.json");
    let o = run(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--users",
        "25",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = run(&["inspect", out.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report["counts"]["users"], 25);
    assert_eq!(report["counts"]["groups"], 2);
    assert_eq!(
        report["defects"]["invalid_values"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let json_spec = dir.join("world.spec");
    fs::write(
        &json_spec,
        r#"{"users": 12, "contacts": 1, "group_shape": {"nesting_depth": 0}}"#,
    )
    .unwrap();
    let o = run(&["generate", "--spec", json_spec.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let directory: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(directory["objects"].as_array().unwrap().len(), 12 + 100 + 1);

    fs::write(&spec, "users = 30\nuserz = 2\n").unwrap();
    let o = run(&["generate", "--spec", spec.to_str().unwrap()]);
    assert_one_line_failure(&o, "world.toml:2:1: unknown field `userz`");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_printed_spec_reproduces_the_same_directory() {
    let dir = scratch("print-spec");
    let flags = [
        "--users",
        "33",
        "--seed",
        "12",
        "--invalid-upns",
        "2",
        "--domains",
        "a.example,b.example",
    ];
    let mut args = vec!["generate", "--print-spec"];
    args.extend_from_slice(&flags);
    let printed = run(&args);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let text = stdout(&printed);
    assert!(text.contains("users = 33"), "{text}");
    assert!(text.contains("[defects]"), "{text}");
    let spec = dir.join("printed.toml");
    fs::write(&spec, &text).unwrap();

    let mut args = vec!["generate"];
    args.extend_from_slice(&flags);
    let from_flags = run(&args);
    let from_file = run(&["generate", "--spec", spec.to_str().unwrap()]);
    assert!(from_flags.status.success() && from_file.status.success());
    assert_eq!(from_flags.stdout, from_file.stdout);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    let o = run(&["generate", "--users", "many"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).starts_with("error: invalid value 'many' for '--users"));

    let o = run(&["generate", "--users", "10", "--invalid-upns", "20"]);
    assert_one_line_failure(&o, "need 20 regular users but the spec has 10");

    let o = run(&["generate", "--users", "100", "--oversized-groups", "1"]);
    assert_one_line_failure(&o, "raise users above 50000");

    let o = run(&["generate", "--domains", "not a domain"]);
    assert_one_line_failure(&o, "domain 'not a domain' is not a DNS name");

    let o = run(&[
        "generate",
        "--users",
        "3",
        "--out",
        "/nonexistent-dir/x.json",
    ]);
    assert_one_line_failure(&o, "cannot write /nonexistent-dir/x.json");

    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unreadable_or_invalid_input_exits_2_with_one_line() {
    let dir = scratch("unreadable");
    let o = run(&["inspect", dir.join("missing.json").to_str().unwrap()]);
    assert_one_line_failure(&o, "cannot read");
    assert!(stderr(&o).contains("missing.json"));

    let o = run(&["inspect", dir.to_str().unwrap()]);
    assert_one_line_failure(&o, "cannot read");

    let garbage = dir.join("garbage.txt");
    fs::write(&garbage, "hello\n").unwrap();
    let o = run(&["inspect", garbage.to_str().unwrap()]);
    assert_one_line_failure(&o, "LDIF line 1: line `hello` has no colon");

    let binary = dir.join("binary.ldif");
    fs::write(&binary, [0u8, 0xff, 0xfe, 0x80]).unwrap();
    let o = run(&["inspect", binary.to_str().unwrap()]);
    assert_one_line_failure(&o, "not valid UTF-8");

    let broken = dir.join("broken.json");
    fs::write(&broken, "{\"forest\": \"contoso.com\", \"domains\": [").unwrap();
    let o = run(&["inspect", broken.to_str().unwrap()]);
    assert_one_line_failure(&o, "is not a valid directory in JSON");

    // Two records with one objectGUID: never a silent drop, an error naming both.
    let twins = dir.join("twins.ldif");
    let record = |cn: &str| {
        format!(
            "dn: CN={cn},DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: {cn}\nobjectGUID:: 6Gd2SrsmeEiT3Hmh/5hTqw==\n"
        )
    };
    fs::write(&twins, format!("{}\n{}", record("a"), record("b"))).unwrap();
    let o = run(&["inspect", twins.to_str().unwrap()]);
    assert_one_line_failure(&o, "LDIF line 6: `CN=b,DC=contoso,DC=com` has objectGUID");
    assert!(stderr(&o).contains("`CN=a,DC=contoso,DC=com` (the record at line 1)"));
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_subcommand_help_shows_an_example() {
    for sub in ["generate", "inspect"] {
        let o = run(&[sub, "--help"]);
        assert!(o.status.success());
        let help = stdout(&o);
        assert!(help.contains("Examples:"), "{sub}: {help}");
        assert!(
            help.contains(&format!("upgrade-lab {sub} ")),
            "{sub}: {help}"
        );
    }
}

#[test]
fn inspect_ldap_failures_are_one_line_errors() {
    // Nothing listens on port 1: the connection is refused at once.
    let o = run(&["inspect", "--ldap", "ldap://127.0.0.1:1", "--timeout", "5"]);
    assert_one_line_failure(&o, "ldap://127.0.0.1:1");
    assert!(stderr(&o).contains("check the URL"), "{}", stderr(&o));
    let o = run(&["inspect", "--ldap", "http://127.0.0.1:1"]);
    assert_one_line_failure(&o, "http://127.0.0.1:1");
    let o = run(&["inspect", "x.ldif", "--ldap", "ldap://127.0.0.1:1"]);
    assert_eq!(o.status.code(), Some(2), "a file and --ldap conflict");
    let o = run(&["inspect", "--bind-dn", "reader@contoso.com"]);
    assert_eq!(o.status.code(), Some(2), "--bind-dn without --ldap");
    let dir = scratch("ldap-ca");
    let ca = dir.join("ca.pem");
    fs::write(&ca, "not a certificate\n").unwrap();
    let ca = ca.to_string_lossy().into_owned();
    let o = run(&["inspect", "--ldap", "ldaps://127.0.0.1:1", "--ca-file", &ca]);
    assert_one_line_failure(&o, "holds no PEM certificate");
}

#[test]
fn an_ldap_bind_without_a_password_or_terminal_says_how_to_give_one() {
    // setsid: no controlling terminal, so no prompt can be shown.
    let o = std::process::Command::new("setsid")
        .args([common::BIN, "inspect", "--ldap", "ldap://127.0.0.1:1"])
        .args([
            "--bind-dn",
            "reader@contoso.com",
            "--password-env",
            "UPGRADE_LAB_TEST_UNSET",
        ])
        .env_remove("UPGRADE_LAB_TEST_UNSET")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("setsid runs");
    assert_one_line_failure(&o, "no password for --bind-dn reader@contoso.com");
    assert!(
        stderr(&o).contains("$UPGRADE_LAB_TEST_UNSET is not set"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn schema_prints_the_committed_schemas_and_writes_them_to_a_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for which in ["scenario", "report"] {
        let o = run(&["schema", which]);
        assert!(o.status.success(), "{}", stderr(&o));
        let committed =
            fs::read_to_string(root.join(format!("schemas/{which}.schema.json"))).unwrap();
        assert_eq!(
            stdout(&o),
            committed,
            "`upgrade-lab schema {which}` differs from the committed copy"
        );
    }
    let out = scratch("schema").join("scenario.schema.json");
    let o = run(&["schema", "scenario", "--out", out.to_str().unwrap()]);
    assert!(o.status.success() && o.stdout.is_empty(), "{}", stderr(&o));
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        written["$schema"],
        "http://json-schema.org/draft-07/schema#"
    );
}

#[test]
fn schema_of_an_unknown_document_exits_2_naming_the_choices() {
    let o = run(&["schema", "settings"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("scenario") && stderr(&o).contains("report"),
        "{}",
        stderr(&o)
    );
}
