//! The JSON Schemas of scenario files and of the JSON report (`upgrade-lab schema`): the
//! committed copies under `schemas/` are current, every scenario of the suite validates, and
//! the schema refuses the mistakes people make (a wrong type, a misspelt key, an unknown
//! action or enum value), pointing at the key. The report half lives in `report_formats.rs`,
//! which validates real reports.

use jsonschema::Validator;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use upgrade_lab_scenario::load::discover;
use upgrade_lab_scenario::schema::{SchemaKind, render, schema};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator(kind: SchemaKind) -> Validator {
    jsonschema::draft7::new(&schema(kind)).expect("the generated schema is a valid draft-7 schema")
}

/// A scenario file as the JSON an editor's TOML server validates: TOML maps onto JSON key for key.
fn as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(instance path, message)` of every error, sorted.
fn errors(validator: &Validator, value: &Value) -> Vec<(String, String)> {
    let mut found: Vec<_> = validator
        .iter_errors(value)
        .map(|e| (e.instance_path().to_string(), e.to_string()))
        .collect();
    found.sort();
    found
}

#[test]
fn committed_schemas_are_current() {
    for (kind, file) in [
        (SchemaKind::Scenario, "scenario.schema.json"),
        (SchemaKind::Report, "report.schema.json"),
    ] {
        let path = root().join("schemas").join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == render(kind),
            "{} is stale: run `upgrade-lab schema {} --out schemas/{file}` and commit it",
            path.display(),
            file.split('.').next().unwrap()
        );
    }
}

#[test]
fn every_scenario_of_the_suite_validates() {
    let validator = validator(SchemaKind::Scenario);
    let files = discover(&[root().join("scenarios")]).expect("the suite's files are found");
    assert!(
        files.len() >= 80,
        "found only {} scenario files",
        files.len()
    );
    let mut failures = Vec::new();
    for (_, path) in &files {
        for (at, message) in errors(&validator, &as_json(path)) {
            failures.push(format!("{}: {at}: {message}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One real scenario with a mistake planted by `edit`; returns the schema's errors.
fn planted(edit: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    let path = root().join("scenarios/in-place/upgrade-resumes-active-sync.toml");
    let mut value = as_json(&path);
    assert!(errors(&validator(SchemaKind::Scenario), &value).is_empty());
    edit(&mut value);
    errors(&validator(SchemaKind::Scenario), &value)
}

fn assert_refused_at(found: &[(String, String)], at: &str) {
    assert!(
        found.iter().any(|(path, _)| path == at),
        "expected an error at {at}, got {found:?}"
    );
}

#[test]
fn a_wrong_type_is_refused_where_it_is() {
    assert_refused_at(&planted(|v| v["seed"] = json!("102")), "/seed");
    assert_refused_at(
        &planted(|v| v["world"]["users"] = json!(-5)),
        "/world/users",
    );
    assert_refused_at(
        &planted(|v| v["expect"]["connect_staging"] = json!("no")),
        "/expect/connect_staging",
    );
}

#[test]
fn a_misspelt_key_is_refused() {
    assert_refused_at(&planted(|v| v["world"]["userz"] = json!(800)), "/world");
    assert_refused_at(
        &planted(|v| v["steps"][1]["servr"] = json!("connect")),
        "/steps/1",
    );
}

#[test]
fn an_unknown_action_or_enum_value_is_refused() {
    assert_refused_at(
        &planted(|v| v["steps"][0]["action"] = json!("teleport")),
        "/steps/0",
    );
    assert_refused_at(
        &planted(|v| v["expect"]["active_exporter"] = json!("both-ish")),
        "/expect/active_exporter",
    );
    assert_refused_at(
        &planted(|v| v["steps"][3]["server"] = json!("aadc02")),
        "/steps/3",
    );
}

#[test]
fn a_bound_is_a_count_or_a_min_max_table() {
    let accepted = |bound: Value| planted(|v| v["expect"]["exports"]["connect"] = bound).is_empty();
    assert!(accepted(json!(3)));
    assert!(accepted(json!({ "min": 1 })));
    assert!(accepted(json!({ "min": 1, "max": 9 })));
    assert!(!accepted(json!(-1)));
    assert!(!accepted(json!("3")));
    assert!(!accepted(json!({ "least": 1 })));
}

/// What an editor shows on hover comes from the doc comments of the format types.
#[test]
fn the_scenario_schema_describes_its_keys() {
    let schema = schema(SchemaKind::Scenario);
    let text = schema.to_string();
    assert!(
        schema["title"]
            .as_str()
            .unwrap()
            .contains("format_version = 1")
    );
    assert!(text.contains("\"upgrade_in_place\""), "actions are listed");
    assert!(
        text.contains("The scenario's seed"),
        "doc comments become descriptions"
    );
    assert_eq!(schema["additionalProperties"], json!(false));
}

/// Every scenario under `scenarios/` is found the way `run` finds them; the schema files are
/// where README's editor set-up says.
#[test]
fn the_editor_setup_points_at_the_committed_schema() {
    let taplo = std::fs::read_to_string(root().join(".taplo.toml")).expect(".taplo.toml");
    assert!(taplo.contains("schemas/scenario.schema.json"));
    let readme: PathBuf = root().join("scenarios/README.md");
    let readme = std::fs::read_to_string(readme).unwrap();
    assert!(readme.contains("upgrade-lab schema scenario"));
}

/// Taplo (`taplo`, or the path in `UPGRADE_LAB_TAPLO`), the TOML language server of VS Code's
/// "Even Better TOML", Helix and Zed, or `None` with a note when it is missing outside CI.
fn taplo() -> Option<PathBuf> {
    let candidate =
        std::env::var_os("UPGRADE_LAB_TAPLO").map_or_else(|| "taplo".into(), PathBuf::from);
    // `taplo --version` prints its version and exits 1 (taplo 0.9, from npm): judge by the text.
    let found = std::process::Command::new(&candidate)
        .arg("--version")
        .output();
    if found.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).starts_with("taplo ")) {
        return Some(candidate);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(
        !ci,
        "taplo is not installed; .ci/run installs it with `npm install -g @taplo/cli`"
    );
    eprintln!(
        "SKIPPED: taplo is not installed (npm install -g @taplo/cli); the editor check did not run"
    );
    None
}

/// What an editor sees: taplo, with the repository's `.taplo.toml`, finds every scenario valid,
/// and a file with the README's `#:schema` line and a wrong type gets an error at its line.
#[test]
fn taplo_checks_scenario_files_as_an_editor_does() {
    let Some(taplo) = taplo() else { return };
    let suite = std::process::Command::new(&taplo)
        .args(["check", "scenarios/**/*.toml"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        suite.status.success(),
        "{}",
        String::from_utf8_lossy(&suite.stderr)
    );

    let dir = std::env::temp_dir().join(format!("upgrade-lab-taplo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = root().join("schemas/scenario.schema.json");
    let original =
        std::fs::read_to_string(root().join("scenarios/in-place/upgrade-resumes-active-sync.toml"))
            .unwrap();
    let bad = dir.join("bad.toml");
    let text = format!(
        "#:schema {}\n{}",
        schema.display(),
        original.replace("seed = 102", "seed = \"x\"")
    );
    std::fs::write(&bad, text).unwrap();
    let checked = std::process::Command::new(&taplo)
        .arg("check")
        .arg(&bad)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&checked.stderr);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        !checked.status.success(),
        "taplo accepted a string seed: {stderr}"
    );
    assert!(
        stderr.contains("bad.toml:4:8") && stderr.contains("is not of type \"integer\""),
        "{stderr}"
    );
}
