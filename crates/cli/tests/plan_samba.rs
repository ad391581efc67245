//! `upgrade-lab plan` against a live Samba AD DC: `plan --ldap ldaps://127.0.0.1:636` and
//! `plan --ldif` of ldapsearch's export of the same DC give the same plan (JSON and Markdown,
//! byte for byte apart from the source line); `--anonymise` leaves none of the DC's
//! sAMAccountNames, UPNs, mail addresses or DN components in any format; a scenario whose
//! `[world.ldap]` names the DC loads and runs.
//!
//! Skipped with a message when samba is missing (outside CI); a failure under `CI=true`.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;
use support::plan::{leaked_names, plan_output};
use support::samba::*;

const PASSWORD_VARIABLE: &str = "UPGRADE_LAB_TEST_DC_PASSWORD";

fn live_args(dir: &Path) -> Vec<String> {
    let ca = dir.join("ca.pem").display().to_string();
    [
        "--ldap",
        "ldaps://127.0.0.1:636",
        "--bind-dn",
        "Administrator@lab.test",
    ]
    .into_iter()
    .map(String::from)
    .chain(["--password-env".into(), PASSWORD_VARIABLE.into()])
    .chain(["--ca-file".into(), ca])
    .collect()
}

/// `plan` with the password in the environment.
fn plan_live(dir: &Path, extra: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_upgrade-lab"))
        .env(PASSWORD_VARIABLE, ADMIN_PASSWORD)
        .arg("plan")
        .args(live_args(dir))
        .args(extra)
        .output()
        .expect("the binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.contains(ADMIN_PASSWORD));
    out
}

/// The text without its source line (`Directory: LDAP …` / `"source": …`).
fn without_source(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("Directory: ") && !l.trim_start().starts_with("\"source\""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn same_plan_live_and_from_export(dir: &Path, export: &Path, dirsync: &Path) {
    let (export, dirsync) = (export.to_str().unwrap(), dirsync.to_str().unwrap());
    for format in ["json", "markdown"] {
        let live = plan_live(dir, &["--dirsync", dirsync, "--format", format]);
        let file = plan_output(&["--ldif", export, "--dirsync", dirsync, "--format", format]);
        assert_ne!(live, file, "the source lines differ");
        assert_eq!(without_source(&live), without_source(&file), "{format}");
    }
}

fn anonymised_plans_name_nobody(dir: &Path, export: &Path, dirsync: &Path) {
    let text = fs::read_to_string(export).unwrap();
    let directory = upgrade_lab_simulator::ldif::read_directory(&text)
        .unwrap()
        .directory;
    let dirsync = dirsync.to_str().unwrap();
    let plain = plan_live(dir, &["--dirsync", dirsync, "--format", "json"]);
    assert!(
        !leaked_names(&directory, &plain).is_empty(),
        "the plain plan names objects"
    );
    for format in ["json", "markdown", "html"] {
        let out = plan_live(
            dir,
            &["--dirsync", dirsync, "--format", format, "--anonymise"],
        );
        assert_eq!(
            leaked_names(&directory, &out),
            Vec::<String>::new(),
            "{format}"
        );
    }
}

/// A scenario whose world is the DC, read when it loads.
fn a_scenario_reads_the_dc(dir: &Path) {
    let file = dir.join("live.toml");
    fs::write(
        &file,
        format!(
            "format_version = 1\ndescription = \"the lab DC, upgraded in place\"\nseed = 3\n\
             [world.ldap]\nurl = \"ldaps://127.0.0.1:636\"\nbind_dn = \"Administrator@lab.test\"\n\
             password_env = \"{PASSWORD_VARIABLE}\"\nca_file = \"ca.pem\"\n\
             [[steps]]\naction = \"upgrade_in_place\"\n[expect]\nactive_exporter = \"connect\"\n"
        ),
    )
    .unwrap();
    let run = |password: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_upgrade-lab"));
        c.args(["run", "--format", "json"]).arg(&file);
        match password {
            Some(p) => c.env(PASSWORD_VARIABLE, p),
            None => c.env_remove(PASSWORD_VARIABLE),
        };
        c.output().expect("the binary runs")
    };
    let o = run(Some(ADMIN_PASSWORD));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diff = &report["scenarios"][0]["config_diff"];
    assert!(diff["carried"].as_u64().is_some_and(|n| n > 0), "{diff}");
    let o = run(None);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("live.toml:7:16") && e.contains("is not set"),
        "{e}"
    );
}

#[test]
fn plan_over_ldap_equals_plan_of_the_export() {
    if !available() {
        return;
    }
    let (dc, dir) = lab_dc("plan-samba");
    let export = dir.join("export.ldif");
    fs::write(&export, ldapsearch_export(&dir)).unwrap();
    let dirsync = dir.join("dirsync.toml");
    fs::write(
        &dirsync,
        "version = \"1.0.7020.0\"\nalternate_login_id = \"mail\"\n[filters]\ndomains = [\"lab.test\"]\n",
    )
    .unwrap();
    same_plan_live_and_from_export(&dir, &export, &dirsync);
    anonymised_plans_name_nobody(&dir, &export, &dirsync);
    a_scenario_reads_the_dc(&dir);
    drop(dc);
    let _ = fs::remove_dir_all(&dir);
}
