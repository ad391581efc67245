//! `upgrade-lab run --dump-tenant DIR`: one Graph-shaped JSON file per scenario, named after it,
//! holding the final tenant; checked against the LDIF the world was read from, pinned as a
//! snapshot, and refused (exit 2) when DIR cannot be created.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;
use std::process::Command;
use upgrade_lab_model::ObjectKind;

const BIN: &str = env!("CARGO_BIN_EXE_upgrade-lab");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("upgrade-lab-dump-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// The objects of the fixture outside the excluded Sales OU, as (kind, immutableId).
fn in_scope_of_fixture() -> BTreeSet<(ObjectKind, String)> {
    let bytes = fs::read(root().join("scenarios/fixtures/contoso-36.ldif")).unwrap();
    let dir = upgrade_lab_simulator::ldif::read_directory_bytes(&bytes)
        .unwrap()
        .directory;
    dir.objects
        .iter()
        .filter(|o| !o.dn.to_ascii_lowercase().contains("ou=sales"))
        .map(|o| (o.kind, o.guid.immutable_id().to_string()))
        .collect()
}

#[test]
fn the_dump_is_the_tenant_as_graph_lists_it() {
    let dir = scratch("ok");
    let scenario = root().join("scenarios/assertions/objects-after-ou-filter.toml");
    let out = Command::new(BIN)
        .arg("run")
        .arg(&scenario)
        .arg("--dump-tenant")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec!["objects-after-ou-filter.json".to_string()]);
    let text = fs::read_to_string(dir.join("objects-after-ou-filter.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = in_scope_of_fixture();
    let count = |k| expected.iter().filter(|(kind, _)| *kind == k).count();
    let list = |key: &str| json[key].as_array().unwrap().clone();
    assert_eq!(list("users").len(), count(ObjectKind::User));
    assert_eq!(list("groups").len(), count(ObjectKind::Group));
    assert_eq!(list("contacts").len(), count(ObjectKind::Contact));
    let user_ids: BTreeSet<(ObjectKind, String)> = list("users")
        .iter()
        .map(|u| {
            (
                ObjectKind::User,
                u["onPremisesImmutableId"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected_users: BTreeSet<_> = expected
        .iter()
        .filter(|(k, _)| *k == ObjectKind::User)
        .cloned()
        .collect();
    assert_eq!(user_ids, expected_users);
    let user01 = list("users")
        .into_iter()
        .find(|u| u["onPremisesSamAccountName"] == "user01")
        .expect("user01 is in the tenant");
    assert_eq!(user01["onPremisesImmutableId"], "cmQJJBxlgyH4cnsONF1Nxw==");
    assert_eq!(user01["userPrincipalName"], "user01@contoso.com");
    assert_eq!(user01["department"], "Staff");
    assert_eq!(user01["onPremisesSyncEnabled"], true);
    assert_eq!(user01["accountEnabled"], true);
    assert_eq!(
        user01["onPremisesDistinguishedName"],
        "CN=User 01,OU=Staff,DC=contoso,DC=com"
    );
    assert!(user01["onPremisesExtensionAttributes"]["extensionAttribute15"].is_null());
    let id = user01["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(id.matches('-').count(), 4);
    assert_eq!(list("groups")[0]["securityEnabled"], true);
    insta::assert_snapshot!("dump_tenant_objects_after_ou_filter", text);
    // The same run again gives the same bytes.
    let again = Command::new(BIN)
        .arg("run")
        .arg(&scenario)
        .arg("--dump-tenant")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(dir.join("objects-after-ou-filter.json")).unwrap(),
        text
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_dump_folder_that_cannot_be_created_is_bad_input() {
    let dir = scratch("blocked");
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a-file");
    fs::write(&file, "x").unwrap();
    let out = Command::new(BIN)
        .arg("run")
        .arg(root().join("scenarios/assertions/objects-after-ou-filter.toml"))
        .arg("--dump-tenant")
        .arg(file.join("sub"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot create the tenant dump folder"),
        "{err}"
    );
    assert!(err.contains("nothing was run"), "{err}");
    assert!(out.stdout.is_empty());
    fs::remove_dir_all(&dir).unwrap();
}
