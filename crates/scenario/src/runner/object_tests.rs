//! `[[expect.objects]]` judged on hand-made facts: an object deleted from AD on purpose, one AD
//! never held, and a tenant value that differs.

use super::expect::object_checks;
use super::facts::ObjectFact;
use crate::format::ObjectExpectation;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{Attributes, DirectoryObject, ObjectGuid, ObjectKind};
use upgrade_lab_simulator::tenant::TenantObject;

fn expectation(text: &str) -> ObjectExpectation {
    toml::from_str(text).unwrap()
}

fn ad_object() -> DirectoryObject {
    DirectoryObject {
        guid: ObjectGuid::parse_text("00112233-4455-6677-8899-aabbccddeeff").unwrap(),
        kind: ObjectKind::User,
        dn: "CN=Ann,OU=Staff,DC=contoso,DC=com".into(),
        attrs: Arc::new(Attributes::from_texts(&[
            (Field::SamAccountName, "ann"),
            (Field::Department, "Sales"),
        ])),
        usn_changed: 1,
        when_changed_ms: 0,
    }
}

fn tenant_of(o: &DirectoryObject) -> TenantObject {
    TenantObject {
        immutable_id: Some(o.guid.immutable_id()),
        kind: o.kind,
        attrs: o.attrs.clone(),
        flow: None,
        quarantined_upn: None,
        admin_role: false,
        seq: 1,
        deleted: false,
    }
}

fn verdicts(o: &ObjectExpectation, f: &ObjectFact) -> Vec<(String, bool)> {
    object_checks(0, o, f)
        .into_iter()
        .map(|c| (format!("{} = {}", c.what, c.actual), c.ok))
        .collect()
}

#[test]
fn an_object_deleted_on_purpose_is_judged_against_the_tenant_only() {
    let gone = expectation("sam_account_name = \"ann\"\nin_tenant = false\n");
    let deleted = ObjectFact {
        ad: Some((ad_object(), true)),
        tenant: None,
    };
    assert_eq!(
        verdicts(&gone, &deleted),
        vec![(
            "expect.objects[0] sam_account_name=ann.in_tenant = false (deleted from AD)".into(),
            true
        )]
    );
    let lingering = ObjectFact {
        tenant: Some(tenant_of(&ad_object())),
        ..deleted.clone()
    };
    assert!(!verdicts(&gone, &lingering)[0].1, "still in the tenant");
    let wanted = expectation("sam_account_name = \"ann\"\nin_tenant = true\n");
    assert!(!verdicts(&wanted, &lingering)[0].1, "deleted from AD");
}

#[test]
fn an_object_ad_never_held_fails_whatever_is_expected() {
    for in_tenant in [true, false] {
        let o = expectation(&format!("dn = \"CN=Nobody\"\nin_tenant = {in_tenant}\n"));
        let v = verdicts(&o, &ObjectFact::default());
        assert_eq!(v.len(), 1);
        assert!(!v[0].1);
        assert!(v[0].0.contains("no such object in AD"), "{v:?}");
    }
}

#[test]
fn tenant_values_and_the_immutable_id_are_compared() {
    let ad = ad_object();
    let f = ObjectFact {
        ad: Some((ad.clone(), false)),
        tenant: Some(tenant_of(&ad)),
    };
    let right = format!(
        "sam_account_name = \"ann\"\nin_tenant = true\nimmutable_id = \"{}\"\nattributes = {{ department = \"Sales\" }}\n",
        ad.guid.immutable_id()
    );
    assert!(verdicts(&expectation(&right), &f).iter().all(|(_, ok)| *ok));
    let wrong = right.replace("\"Sales\"", "\"Staff\"");
    let v = verdicts(&expectation(&wrong), &f);
    assert_eq!(
        v.last().unwrap(),
        &(
            "expect.objects[0] sam_account_name=ann.attributes.department = Sales".to_string(),
            false
        )
    );
    let unset = right.replace("department = \"Sales\"", "city = \"Oslo\"");
    let v = verdicts(&expectation(&unset), &f);
    assert!(v.last().unwrap().0.ends_with("= (not set)"), "{v:?}");
    assert!(!v.last().unwrap().1);
}
