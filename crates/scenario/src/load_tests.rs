//! Tests of the loader through its public entry points: good files load, and every kind of bad
//! file gets an error at the right line and column with a hint, never a panic.

use crate::load::{load_all, load_text};
use std::path::{Path, PathBuf};

const GOOD: &str = r#"format_version = 1
description = "fewer than 50,000 objects: in-place upgrade (recommend.in-place-under-50k)"
seed = 7
rules = ["recommend.in-place-under-50k"]
failure_modes = [3]

[world]
users = 900
groups = 80
contacts = 20

[[steps]]
action = "analyze"

[[steps]]
action = "upgrade_in_place"
id = "upgrade"

[[faults]]
kind = "crash"
during = "upgrade"
server = "connect"

[expect]
recommendation = "in_place"
estimate_minutes = { min = 1, max = 20 }
"#;

fn errors_of(text: &str) -> Vec<String> {
    match load_text("t", Path::new("t.toml"), text.to_string()) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(super::diagnostic::ScenarioError::plain)
            .collect(),
    }
}

fn one_error(text: &str) -> String {
    let e = errors_of(text);
    assert_eq!(e.len(), 1, "{e:#?}");
    e[0].clone()
}

#[test]
fn a_good_file_loads_with_its_fault_resolved() {
    let s = load_text("t", Path::new("t.toml"), GOOD.to_string()).unwrap();
    assert_eq!(s.seed(), 7);
    assert_eq!(s.file.steps.len(), 2);
    assert_eq!(
        s.fault_triggers,
        vec![crate::format::FaultTrigger::DuringStep(1)]
    );
}

#[test]
fn a_missing_format_version_is_reported_with_a_hint() {
    let e = one_error(&GOOD.replace("format_version = 1\n", ""));
    assert!(e.contains("format_version"), "{e}");
    assert!(
        e.contains("hint: start the file with `format_version = 1`"),
        "{e}"
    );
}

#[test]
fn a_wrong_format_version_points_at_its_value() {
    let e = one_error(&GOOD.replace("format_version = 1", "format_version = 2"));
    assert!(
        e.starts_with("t.toml:1:18: format_version 2 is not supported"),
        "{e}"
    );
}

#[test]
fn an_unknown_key_names_the_key_and_its_line() {
    let e = one_error(&GOOD.replace("users = 900", "usres = 900"));
    assert!(e.starts_with("t.toml:8:1:"), "{e}");
    assert!(e.contains("usres"), "{e}");
}

#[test]
fn a_negative_count_is_refused_at_its_value() {
    let e = one_error(&GOOD.replace("users = 900", "users = -900"));
    assert!(e.starts_with("t.toml:8:9:"), "{e}");
    assert!(
        e.contains("hint: counts, minutes and seeds are whole numbers"),
        "{e}"
    );
}

#[test]
fn an_unknown_action_is_refused() {
    let e = one_error(&GOOD.replace("action = \"analyze\"", "action = \"analyse\""));
    assert!(e.contains("analyse"), "{e}");
    assert!(e.contains("hint: did you mean `analyze`?"), "{e}");
    assert!(
        e.starts_with("t.toml:12:") || e.starts_with("t.toml:13:"),
        "{e}"
    );
}

#[test]
fn a_fault_naming_a_missing_step_suggests_the_closest() {
    let e = one_error(&GOOD.replace("during = \"upgrade\"", "during = \"upgrad\""));
    assert!(
        e.starts_with("t.toml:21:10: no step is named `upgrad`"),
        "{e}"
    );
    assert!(e.contains("did you mean `upgrade`?"), "{e}");
}

#[test]
fn a_range_with_min_above_max_is_refused() {
    let e = one_error(&GOOD.replace("{ min = 1, max = 20 }", "{ min = 30, max = 20 }"));
    assert!(
        e.starts_with("t.toml:26:20: estimate_minutes: min 30 is greater than max 20"),
        "{e}"
    );
}

#[test]
fn unknown_rules_and_failure_modes_are_refused() {
    let text = GOOD
        .replace(
            "\"recommend.in-place-under-50k\"]",
            "\"recommend.inplace-under-50k\"]",
        )
        .replace("failure_modes = [3]", "failure_modes = [99]");
    let e = errors_of(&text);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(
        e[0].contains("did you mean `recommend.in-place-under-50k`?"),
        "{}",
        e[0]
    );
    assert!(e[1].contains("there is no failure mode 99"), "{}", e[1]);
}

#[test]
fn a_missing_ldif_file_is_reported_relative_to_the_scenario() {
    let text = GOOD.replace(
        "users = 900\ngroups = 80\ncontacts = 20",
        "ldif = \"nope.ldif\"",
    );
    let e = load_text("t", Path::new("some/dir/t.toml"), text).unwrap_err();
    assert_eq!(e.len(), 1);
    let e = e[0].plain();
    assert!(e.contains("some/dir/nope.ldif does not exist"), "{e}");
}

#[test]
fn several_problems_in_one_file_are_all_reported() {
    let text = GOOD
        .replace("during = \"upgrade\"", "during = \"nothing\"")
        .replace("{ min = 1, max = 20 }", "{ min = 3, max = 2 }")
        .replace(
            "server = \"connect\"\n",
            "server = \"connect\"\nat_minutes = 5\n",
        );
    let e = errors_of(&text);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[0].contains("exactly one of at_minutes"), "{}", e[0]);
    assert!(e[1].contains("min 3 is greater than max 2"), "{}", e[1]);
}

#[test]
fn load_all_lists_every_error_of_every_file_and_loads_nothing() {
    let dir = std::env::temp_dir().join(format!("upgrade-lab-load-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("good.toml"), GOOD).unwrap();
    std::fs::write(
        dir.join("sub/bad1.toml"),
        GOOD.replace("seed = 7", "seed = \"x\""),
    )
    .unwrap();
    std::fs::write(dir.join("sub/bad2.toml"), "not toml at all [").unwrap();
    let errors = load_all(std::slice::from_ref(&dir)).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].location.contains("bad1.toml:3:"), "{}", errors[0]);
    assert!(errors[1].location.contains("bad2.toml:1:"), "{}", errors[1]);
    std::fs::remove_file(dir.join("sub/bad1.toml")).unwrap();
    std::fs::remove_file(dir.join("sub/bad2.toml")).unwrap();
    let loaded = load_all(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].name, "good");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_path_is_an_error_not_an_empty_suite() {
    let errors = load_all(&[PathBuf::from("/definitely/not/here")]).unwrap_err();
    assert!(errors[0].plain().contains("no such file or directory"));
}

#[test]
fn a_directory_the_generator_cannot_make_is_refused_at_check_time() {
    let text = GOOD.replace(
        "contacts = 20",
        "contacts = 20\ndomains = [\"contoso.com\", \"contoso.com\"]",
    );
    let e = one_error(&text);
    assert!(
        e.contains("the generator cannot make this directory"),
        "{e}"
    );
    assert!(e.contains("listed twice"), "{e}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text, however broken, gives scenarios or errors with a position: never a panic.
        #[test]
        fn loading_never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
            if let Err(errors) = load_text("p", Path::new("p.toml"), text) {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(e.location.starts_with("p.toml:"));
                }
            }
        }

        /// Mutating one line of a valid file never panics either, and an error names a line
        /// that exists.
        #[test]
        fn a_mutated_line_never_panics(line in 0usize..26, junk in "[a-z_=\\[\\]\"0-9 .-]{0,20}") {
            let mut lines: Vec<&str> = GOOD.lines().collect();
            let at = line.min(lines.len() - 1);
            lines[at] = &junk;
            let text = lines.join("\n");
            if let Err(errors) = load_text("p", Path::new("p.toml"), text.clone()) {
                for e in errors {
                    let n: usize = e.location.split(':').nth(1).unwrap().parse().unwrap();
                    prop_assert!(n >= 1 && n <= text.lines().count() + 1, "{}", e.location);
                }
            }
        }
    }
}

/// GOOD with `[world.ldap]` (the given keys) instead of the generated directory.
fn with_ldap(keys: &str) -> String {
    GOOD.replace(
        "[world]\nusers = 900\ngroups = 80\ncontacts = 20",
        &format!("[world]\n[world.ldap]\n{keys}"),
    )
}

#[test]
fn an_ldap_world_without_its_password_variable_points_at_the_key() {
    let e = errors_of(&with_ldap(
        "url = \"ldap://127.0.0.1:9\"\nbind_dn = \"reader@contoso.com\"\npassword_env = \"UPGRADE_LAB_TEST_UNSET_VARIABLE\"",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("t.toml:11:16"), "{}", e[0]);
    assert!(
        e[0].contains("UPGRADE_LAB_TEST_UNSET_VARIABLE is not set"),
        "{}",
        e[0]
    );
}

#[test]
fn a_bind_dn_without_password_env_is_refused() {
    let e = errors_of(&with_ldap(
        "url = \"ldap://127.0.0.1:9\"\nbind_dn = \"reader@contoso.com\"",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("t.toml:10:11"), "{}", e[0]);
    assert!(e[0].contains("bind_dn needs password_env"), "{}", e[0]);
}

#[test]
fn an_unreachable_ldap_server_is_an_error_at_the_url() {
    let e = errors_of(&with_ldap(
        "url = \"ldap://127.0.0.1:9\"\ntimeout_seconds = 2",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("t.toml:9:7"), "{}", e[0]);
    assert!(
        e[0].contains("cannot read the directory at ldap://127.0.0.1:9"),
        "{}",
        e[0]
    );
}

#[test]
fn an_ldap_world_refuses_other_directories_and_a_missing_ca_file() {
    let both =
        with_ldap("url = \"ldap://127.0.0.1:9\"").replace("[world]\n", "[world]\nusers = 5\n");
    let e = errors_of(&both);
    assert!(
        e.iter()
            .any(|x| x.contains("both an LDAP directory and generated-directory keys")),
        "{e:?}"
    );
    let e = errors_of(&with_ldap(
        "url = \"ldap://127.0.0.1:9\"\nca_file = \"nope.pem\"",
    ));
    assert!(
        e.iter()
            .any(|x| x.contains("the CA file nope.pem does not exist")),
        "{e:?}"
    );
    let e = errors_of(&with_ldap(
        "url = \"ldap://127.0.0.1:9\"\ntimeout_seconds = 0",
    ));
    assert!(
        e.iter()
            .any(|x| x.contains("timeout_seconds is 1 to 3,600")),
        "{e:?}"
    );
}

#[test]
fn a_dirsync_description_reads_alone_and_its_errors_point_into_it() {
    use crate::load::load_dirsync_text;
    let p = Path::new("dirsync.toml");
    let d = load_dirsync_text(p, "sql = \"full\"\nsql_server = \"SQL01\"\nsql_instance = \"DS\"\n[filters]\ndomains = [\"contoso.com\"]\n".into()).unwrap();
    assert_eq!(d.filters.domains, ["contoso.com"]);
    let e = load_dirsync_text(p, "version = \"one\"\n".into()).unwrap_err();
    assert!(
        e[0].plain().contains("dirsync.toml:1:11"),
        "{}",
        e[0].plain()
    );
    let e = load_dirsync_text(p, "users = 5\n".into()).unwrap_err();
    assert!(
        e[0].plain().contains("dirsync.toml:1:1") && e[0].plain().contains("unknown field `users`"),
        "{}",
        e[0].plain()
    );
}
