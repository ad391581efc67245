//! The bulk path against the one-by-one path: the same writes on two tenants built alike must
//! leave them alike, answer for answer, whatever the writes meet (existing objects, cloud
//! objects to soft-match, each other, the quota, a quarantined UPN).

use super::*;
use crate::sync::rules::FlowSet;
use crate::tenant::throttle::WriteThrottle;
use crate::tenant::{CloudObject, TenantSpec};
use proptest::prelude::*;
use std::sync::Arc;
use upgrade_lab_model::Attributes;
use upgrade_lab_model::attribute_flow::Field;

const DOMAIN: &str = "t.onmicrosoft.com";
/// UPNs the writes draw from: two spellings of one, and the UPN the tenant quarantines the
/// first duplicate `u0@contoso.com` as (its first draw), so that a later add may ask for it.
static UPNS: std::sync::LazyLock<[String; 6]> = std::sync::LazyLock::new(|| {
    [
        "u0@contoso.com".into(),
        "U0@Contoso.com".into(),
        "u1@contoso.com".into(),
        "u2@contoso.com".into(),
        "u3@contoso.com".into(),
        first_quarantined_u0(),
    ]
});

fn first_quarantined_u0() -> String {
    let mut t = Tenant::new(
        DOMAIN,
        TenantSpec::default(),
        WriteThrottle::new(1, 1),
        7,
        4,
    );
    let u0 = |n: u8| W {
        operation: ExportOperation::Add,
        anchor: n,
        kind: ObjectKind::User,
        upn: Some(0),
        addresses: vec![],
    };
    for n in 0..2 {
        let w = u0(n);
        let image = AadImage {
            attrs: Arc::new(Attributes::from_texts(&[(
                Field::UserPrincipalName,
                "u0@contoso.com",
            )])),
            flow: FlowSet::DirSync,
        };
        t.apply_write(w.operation, &anchor(w.anchor), w.kind, &image)
            .unwrap();
    }
    let q = t.objects[1].quarantined_upn.as_deref().unwrap().to_string();
    assert!(q.ends_with(DOMAIN), "{q}");
    q
}
const ADDRESSES: [&str; 6] = [
    "SMTP:a@contoso.com",
    "smtp:A@contoso.com",
    "smtp:b@contoso.com",
    "SMTP:c@contoso.com",
    "x500:/o=x/cn=a",
    "smtp:d@contoso.com",
];

#[derive(Clone, Debug)]
struct W {
    operation: ExportOperation,
    anchor: u8,
    kind: ObjectKind,
    upn: Option<u8>,
    addresses: Vec<u8>,
}

fn write() -> impl Strategy<Value = W> {
    (
        prop_oneof![
            6 => Just(ExportOperation::Add),
            2 => Just(ExportOperation::Update),
            1 => Just(ExportOperation::Delete),
        ],
        0u8..10,
        prop_oneof![
            4 => Just(ObjectKind::User),
            1 => Just(ObjectKind::Group),
            1 => Just(ObjectKind::Contact),
        ],
        proptest::option::of(0u8..6),
        proptest::collection::vec(0u8..6, 0..3),
    )
        .prop_map(|(operation, anchor, kind, upn, addresses)| W {
            operation,
            anchor,
            kind,
            upn,
            addresses,
        })
}

fn image(w: &W) -> AadImage {
    let mut pairs = Vec::new();
    if let Some(u) = w.upn {
        pairs.push((Field::UserPrincipalName, UPNS[usize::from(u)].as_str()));
    }
    for &a in &w.addresses {
        pairs.push((Field::ProxyAddresses, ADDRESSES[usize::from(a)]));
    }
    AadImage {
        attrs: Arc::new(Attributes::from_texts(&pairs)),
        flow: FlowSet::DirSync,
    }
}

fn anchor(n: u8) -> ImmutableId {
    ImmutableId::new(&format!("anchor-{n}"))
}

#[derive(Clone, Debug)]
struct Case {
    resilient: bool,
    soft_match_on_upn: bool,
    quota: Option<u64>,
    cloud: Vec<(Option<u8>, Vec<u8>, bool)>,
    before: Vec<W>,
    run: Vec<W>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(2u64..12),
        proptest::collection::vec(
            (
                proptest::option::of(0u8..6),
                proptest::collection::vec(0u8..6, 0..2),
                any::<bool>(),
            ),
            0..3,
        ),
        proptest::collection::vec(write(), 0..6),
        proptest::collection::vec(write(), 0..14),
    )
        .prop_map(
            |(resilient, soft_match_on_upn, quota, cloud, before, run)| Case {
                resilient,
                soft_match_on_upn,
                quota,
                cloud,
                before,
                run,
            },
        )
}

fn tenant(c: &Case) -> Tenant {
    let cloud_objects = c
        .cloud
        .iter()
        .map(|(upn, addresses, admin_role)| CloudObject {
            kind: ObjectKind::User,
            attrs: (*image(&W {
                operation: ExportOperation::Add,
                anchor: 0,
                kind: ObjectKind::User,
                upn: *upn,
                addresses: addresses.clone(),
            })
            .attrs)
                .clone(),
            immutable_id: None,
            admin_role: *admin_role,
        })
        .collect();
    let spec = TenantSpec {
        duplicate_attribute_resiliency: c.resilient,
        soft_match_on_upn: c.soft_match_on_upn,
        quota: c.quota,
        cloud_objects,
        ..TenantSpec::default()
    };
    let mut t = Tenant::new(DOMAIN, spec, WriteThrottle::new(1, 1), 7, 4);
    for w in &c.before {
        let _ = t.apply_write(w.operation, &anchor(w.anchor), w.kind, &image(w));
    }
    t
}

/// Each write's answer, and whether it changed nothing.
type Answers = Vec<(Result<(), &'static str>, bool)>;

fn one_by_one(t: &mut Tenant, run: &[(W, ImmutableId, AadImage)]) -> Answers {
    run.iter()
        .map(|(w, a, i)| {
            let unchanged = t.holds(w.operation, a, i);
            (t.apply_write(w.operation, a, w.kind, i), unchanged)
        })
        .collect()
}

fn planned(run: &[(W, ImmutableId, AadImage)]) -> Vec<PlannedWrite<'_>> {
    run.iter()
        .map(|(w, a, i)| PlannedWrite {
            operation: w.operation,
            anchor: a,
            kind: w.kind,
            image: i,
        })
        .collect()
}

fn in_bulk(t: &mut Tenant, run: &[(W, ImmutableId, AadImage)]) -> (Answers, usize) {
    let writes = planned(run);
    let mut bulk = t.plan_bulk_adds(writes.len(), |k| writes[k]);
    let clean = (0..run.len()).filter(|&k| bulk.state[k] == CLEAN).count();
    let answers = run
        .iter()
        .enumerate()
        .map(|(k, (w, a, i))| t.apply_planned(&mut bulk, k, w.operation, a, w.kind, i))
        .collect();
    t.finish_bulk_adds(bulk);
    (answers, clean)
}

/// Everything a later write or read could see of a tenant.
fn state(t: &Tenant) -> String {
    let objects: Vec<String> = t
        .objects
        .iter()
        .map(|o| {
            format!(
                "{:?} {:?} {:?} {:?} {:?} {} {} {}",
                o.immutable_id,
                o.kind,
                o.attrs,
                o.flow,
                o.quarantined_upn,
                o.admin_role,
                o.seq,
                o.deleted
            )
        })
        .collect();
    let mut upns: Vec<_> = t.upns.iter().collect();
    upns.sort();
    let mut smtp: Vec<_> = t.smtp.iter().collect();
    smtp.sort();
    let anchors: Vec<_> = (0..10)
        .map(|n| t.by_anchor.get(&t.objects, &anchor(n)))
        .collect();
    format!(
        "{objects:#?}\nupns {upns:?}\nsmtp {smtp:?}\nanchors {anchors:?}\nerrors {:?}\nstamped {:?} \
         seq {} live {}",
        t.provisioning_errors, t.stamped, t.seq, t.live
    )
}

fn run_of(c: &Case) -> Vec<(W, ImmutableId, AadImage)> {
    c.run
        .iter()
        .map(|w| (w.clone(), anchor(w.anchor), image(w)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]
    #[test]
    fn the_bulk_path_leaves_the_tenant_as_one_write_after_another_does(c in case()) {
        let run = run_of(&c);
        let (mut a, mut b) = (tenant(&c), tenant(&c));
        let answers = one_by_one(&mut a, &run);
        let (bulk_answers, _) = in_bulk(&mut b, &run);
        prop_assert_eq!(answers, bulk_answers);
        prop_assert_eq!(state(&a), state(&b));
    }
}

#[test]
fn fresh_distinct_adds_are_clean_and_anything_they_meet_is_not() {
    let add = |anchor: u8, upn: Option<u8>, addresses: Vec<u8>| W {
        operation: ExportOperation::Add,
        anchor,
        kind: ObjectKind::User,
        upn,
        addresses,
    };
    let c = Case {
        resilient: true,
        soft_match_on_upn: true,
        quota: None,
        cloud: vec![(Some(3), vec![], false)],
        before: vec![add(9, Some(4), vec![5])],
        run: vec![
            add(1, Some(2), vec![2]), // clean
            add(2, Some(0), vec![0]), // meets the next one's UPN (another spelling)
            add(3, Some(1), vec![]),  //
            add(4, Some(3), vec![]),  // the cloud object's UPN
            add(5, None, vec![5]),    // an address the tenant holds
            add(9, None, vec![]),     // an anchor the tenant holds
            add(6, Some(5), vec![]),  // a UPN in the initial domain
            add(7, None, vec![3, 3]), // one address twice
        ],
    };
    let run = run_of(&c);
    let mut t = tenant(&c);
    let writes = planned(&run);
    let bulk = t.plan_bulk_adds(writes.len(), |k| writes[k]);
    let clean: Vec<bool> = bulk.state.iter().map(|&s| s == CLEAN).collect();
    assert_eq!(
        clean,
        [true, false, false, false, false, false, false, false]
    );
    let mut u = tenant(&c);
    let (answers, clean) = in_bulk(&mut u, &run);
    assert_eq!(clean, 1);
    let mut v = tenant(&c);
    assert_eq!(answers, one_by_one(&mut v, &run));
    assert_eq!(state(&u), state(&v));
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "not the planned one")]
fn a_write_that_is_not_the_planned_one_is_refused() {
    let c = Case {
        resilient: true,
        soft_match_on_upn: true,
        quota: None,
        cloud: vec![],
        before: vec![],
        run: vec![W {
            operation: ExportOperation::Add,
            anchor: 1,
            kind: ObjectKind::User,
            upn: None,
            addresses: vec![],
        }],
    };
    let run = run_of(&c);
    let mut t = tenant(&c);
    let (w, a, i) = &run[0];
    let writes = [PlannedWrite {
        operation: w.operation,
        anchor: a,
        kind: w.kind,
        image: i,
    }];
    let bulk = t.plan_bulk_adds(writes.len(), |k| writes[k]);
    let other = anchor(1);
    let _ = bulk.is_clean(0, &other);
}
