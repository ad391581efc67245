//! Throughput of the LDIF reader: a 100,000-user export (2,000 in quick mode) (written by the LDIF writer from a
//! directory built by a simple deterministic loop) read back into the model.
//! Target: at least 250,000 entries per second in release. On a machine other builds share,
//! wall time understates this; compare CPU time (`perf stat -e task-clock`) as well.

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::object::UAC_NORMAL_ENABLED;
use upgrade_lab_model::{
    Attributes, Directory, DirectoryObject, Domain, ObjectGuid, ObjectKind, OrganizationalUnit,
    Value,
};
use upgrade_lab_simulator::ldif::{read_directory, write_directory};

/// Users in the file; quick mode keeps 2,000.
fn users() -> usize {
    if support::quick() { 2_000 } else { 100_000 }
}

const FIRST_NAMES: [&str; 24] = [
    "Ann", "Bob", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kai",
    "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Ute", "Vera",
    "Wei", "Yusuf",
];

fn directory(users: usize) -> Directory {
    let departments: Vec<Value> = ["Sales", "Finance", "Engineering", "Support", "Legal"]
        .iter()
        .map(|d| Value::from(*d))
        .collect();
    let ous: Vec<OrganizationalUnit> = departments
        .iter()
        .enumerate()
        .map(|(i, d)| OrganizationalUnit {
            guid: ObjectGuid::from_bytes((i as u128 + 1).to_be_bytes()),
            dn: Value::from(format!("OU={d},DC=contoso,DC=com")),
        })
        .collect();
    let objects = (0..users)
        .map(|i| {
            let ou = &ous[i % ous.len()];
            // First names repeat as in a real directory; the number keeps names unique.
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = format!("Last{}", i % 997);
            let mut attrs = Attributes::from_texts(&[
                (Field::Cn, &format!("{first} {last} {i}")),
                (Field::SamAccountName, &format!("user{i}")),
                (Field::UserPrincipalName, &format!("user{i}@contoso.com")),
                (Field::Mail, &format!("{first}.{last}@contoso.com")),
                (
                    Field::ProxyAddresses,
                    &format!("SMTP:{first}.{last}@contoso.com"),
                ),
                (Field::DisplayName, &format!("{last}, {first}")),
                (Field::GivenName, first),
                (Field::Sn, &last),
                (Field::Department, &departments[i % departments.len()]),
                (Field::Title, "Analyst"),
                (Field::City, "Zürich"),
                (Field::TelephoneNumber, &format!("+41 44 {i:07}")),
            ]);
            attrs.set_user_account_control(Some(UAC_NORMAL_ENABLED));
            DirectoryObject {
                guid: ObjectGuid::from_bytes((0x1000_0000 + i as u128).to_be_bytes()),
                kind: ObjectKind::User,
                dn: Value::from(format!("CN={first} {last} {i},{}", ou.dn)),
                attrs: Arc::new(attrs),
                usn_changed: 10_000 + i as u64,
                when_changed_ms: 1_700_000_000_000 + i as u64 * 1000,
            }
        })
        .collect();
    Directory {
        forest: Value::from("contoso.com"),
        domains: vec![Domain {
            dns_name: Value::from("contoso.com"),
            netbios_name: Value::from("CONTOSO"),
        }],
        organizational_units: ous,
        objects,
    }
}

fn ldif_read(c: &mut Criterion) {
    let users = users();
    let mut text = Vec::new();
    write_directory(&directory(users), &mut text).expect("writing to memory");
    let text = String::from_utf8(text).expect("the writer writes UTF-8");
    let mut group = c.benchmark_group("ldif_read");
    group.sample_size(10);
    group.throughput(Throughput::Elements(users as u64));
    group.bench_function(format!("read_directory_{users}_users"), |b| {
        // The directory read is dropped outside the timing: this measures reading, not freeing.
        b.iter_with_large_drop(|| {
            read_directory(black_box(&text)).expect("the writer's output reads")
        });
    });
    group.finish();
}

criterion_group!(benches, ldif_read);
criterion_main!(benches);
