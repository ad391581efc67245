//! The final tenant as Microsoft Graph v1.0 would list it: `users` (user resource type),
//! `groups` (group resource type) and `contacts` (orgContact resource type), each object with
//! Graph's own property names. Properties a resource type does not have are left out (a group
//! has no `onPremisesImmutableId` in Graph); modelled properties without a value are `null`.
//! Cloud-only objects have `onPremisesSyncEnabled: null`.
//!
//! Times are simulated: `occurredDateTime` is [`EPOCH`] plus the simulated time.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::fmt::Write as _;
use upgrade_lab_model::{Attributes, ObjectKind, SimTime};
use upgrade_lab_simulator::world::queries::{ProvisioningErrorRecord, TenantRecord};

/// The wall-clock date simulated time 0 stands for in dumps.
pub const EPOCH: &str = "2026-01-01T00:00:00Z";
/// Days from 1970-01-01 to [`EPOCH`].
const EPOCH_DAYS: i64 = 20_454;

/// `onPremisesProvisioningErrors` entry (Graph's onPremisesProvisioningError).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphProvisioningError {
    /// Always `PropertyConflict`: another object already holds the value.
    pub category: String,
    /// When the conflict was first recorded: the start of the first export run that
    /// wrote the object, simulated time counted from [`EPOCH`]; `null` when unknown.
    pub occurred_date_time: Option<String>,
    /// The property in conflict, e.g. `UserPrincipalName` or `ProxyAddresses`.
    pub property_causing_error: String,
    /// The conflicting value.
    pub value: String,
}

/// `onPremisesExtensionAttributes`: `extensionAttribute1` to `15`, in that order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtensionAttributes(pub [Option<String>; 15]);

impl Serialize for ExtensionAttributes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(15))?;
        for (i, v) in self.0.iter().enumerate() {
            m.serialize_entry(&format!("extensionAttribute{}", i + 1), v)?;
        }
        m.end()
    }
}

/// A Graph user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    /// A GUID drawn from the seed and the object (its immutableId; for a cloud-only object
    /// its kind and position), so the same scenario and seed give the same id.
    pub id: String,
    /// `false` when AD's `userAccountControl` marks the user disabled.
    pub account_enabled: bool,
    /// From AD's `l`.
    pub city: Option<String>,
    /// From AD's `department`.
    pub department: Option<String>,
    /// From AD's `displayName`.
    pub display_name: Option<String>,
    /// From AD's `givenName`.
    pub given_name: Option<String>,
    /// From AD's `title`.
    pub job_title: Option<String>,
    /// The primary SMTP address, from AD's `mail`.
    pub mail: Option<String>,
    /// DN of the AD object it was synced from, while that object exists in AD; `null` for a
    /// cloud-only user or once the AD object is gone.
    pub on_premises_distinguished_name: Option<String>,
    /// AD's `extensionAttribute1` to `15`, each `null` when unset.
    pub on_premises_extension_attributes: ExtensionAttributes,
    /// The sync anchor (base64) tying the user to its AD object; `null` for a cloud-only user.
    pub on_premises_immutable_id: Option<String>,
    /// One entry per conflicting property and value; empty when there is
    /// none.
    pub on_premises_provisioning_errors: Vec<GraphProvisioningError>,
    /// AD's `sAMAccountName`; `null` for a cloud-only user.
    pub on_premises_sam_account_name: Option<String>,
    /// `true` for an object synced from on-premises; `null` for a cloud-only one.
    pub on_premises_sync_enabled: Option<bool>,
    /// AD's `userPrincipalName`; `null` for a cloud-only user.
    pub on_premises_user_principal_name: Option<String>,
    /// Every proxy address (`SMTP:` primary, `smtp:` secondary, …).
    pub proxy_addresses: Vec<String>,
    /// From AD's `sn`.
    pub surname: Option<String>,
    /// The sign-in name Azure AD shows (from AD's `userPrincipalName` or the alternate login
    /// ID's attribute; the quarantined value after a duplicate-attribute conflict).
    pub user_principal_name: Option<String>,
}

/// A Graph group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphGroup {
    /// A GUID drawn from the seed and the object, stable for the same scenario and seed.
    pub id: String,
    /// From AD's `description`.
    pub description: Option<String>,
    /// From AD's `displayName`.
    pub display_name: Option<String>,
    /// The primary SMTP address, from AD's `mail`.
    pub mail: Option<String>,
    /// `true` when the group has a `mail` or any proxy address.
    pub mail_enabled: bool,
    /// One entry per conflicting property and value; empty when there is
    /// none.
    pub on_premises_provisioning_errors: Vec<GraphProvisioningError>,
    /// AD's `sAMAccountName`; `null` for a cloud-only group.
    pub on_premises_sam_account_name: Option<String>,
    /// `true` for an object synced from on-premises; `null` for a cloud-only one.
    pub on_premises_sync_enabled: Option<bool>,
    /// Every proxy address (`SMTP:` primary, `smtp:` secondary, …).
    pub proxy_addresses: Vec<String>,
    /// `true` when AD's `groupType` has the security bit (bit 31).
    pub security_enabled: bool,
}

/// A Graph orgContact's address (only `city` is modelled).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GraphAddress {
    /// From AD's `l`.
    pub city: String,
}

/// A Graph orgContact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphContact {
    /// A GUID drawn from the seed and the object, stable for the same scenario and seed.
    pub id: String,
    /// One address holding the contact's city, or empty when AD's `l` is unset.
    pub addresses: Vec<GraphAddress>,
    /// From AD's `department`.
    pub department: Option<String>,
    /// From AD's `displayName`.
    pub display_name: Option<String>,
    /// From AD's `givenName`.
    pub given_name: Option<String>,
    /// From AD's `title`.
    pub job_title: Option<String>,
    /// The contact's external address, from AD's `mail`.
    pub mail: Option<String>,
    /// One entry per conflicting property and value; empty when there is
    /// none.
    pub on_premises_provisioning_errors: Vec<GraphProvisioningError>,
    /// `true` for an object synced from on-premises; `null` for a cloud-only one.
    pub on_premises_sync_enabled: Option<bool>,
    /// Every proxy address.
    pub proxy_addresses: Vec<String>,
    /// From AD's `sn`.
    pub surname: Option<String>,
}

/// The tenant, sorted: users by `userPrincipalName`, groups and contacts by `displayName`,
/// ties by `id`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GraphTenant {
    /// Every live user, sorted by `userPrincipalName`, ties by `id`.
    pub users: Vec<GraphUser>,
    /// Every live group, sorted by `displayName`, ties by `id`.
    pub groups: Vec<GraphGroup>,
    /// Every live contact, sorted by `displayName`, ties by `id`.
    pub contacts: Vec<GraphContact>,
}

impl GraphTenant {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut buf = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut buf,
            serde_json::ser::PrettyFormatter::with_indent(b"  "),
        );
        // Serializing plain structs into memory cannot fail.
        let _ = self.serialize(&mut ser);
        let mut text = String::from_utf8(buf).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// `8-4-4-4-12` lower-case hex of 16 bytes.
pub fn guid_text(b: &[u8; 16]) -> String {
    let hex = b.iter().fold(String::with_capacity(32), |mut hex, x| {
        let _ = write!(hex, "{x:02x}");
        hex
    });
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a simulated time, counted from [`EPOCH`].
pub fn iso8601(t: SimTime) -> String {
    let secs = t.0 / 1000;
    #[expect(
        clippy::cast_possible_wrap,
        reason = "u64::MAX ms is about 2.1e11 days, far below i64::MAX"
    )]
    let days = EPOCH_DAYS + (secs / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's algorithm); also
/// the wall clock's date in `wall.rs`.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the algorithm gives a day of 1..=31 and a month of 1..=12"
    )]
    let (d, m) = (
        (doy - (153 * mp + 2) / 5 + 1) as u32,
        if mp < 10 { mp + 3 } else { mp - 9 } as u32,
    );
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn text(v: Option<&str>) -> Option<String> {
    v.map(str::to_string)
}

/// One entry per conflicting (property, value), as Graph lists an object's current conflicts:
/// the tenant records a conflict again at every export that repeats it.
fn errors(list: &[ProvisioningErrorRecord]) -> Vec<GraphProvisioningError> {
    let mut seen = std::collections::BTreeSet::new();
    list.iter()
        .filter(|e| seen.insert((e.attribute, e.value.as_str())))
        .map(|e| GraphProvisioningError {
            category: "PropertyConflict".to_string(),
            occurred_date_time: e.at.map(iso8601),
            property_causing_error: e.attribute.to_string(),
            value: e.value.clone(),
        })
        .collect()
}

fn proxies(a: &Attributes) -> Vec<String> {
    a.proxy_addresses().map(str::to_string).collect()
}

fn user(r: &TenantRecord, synced: Option<bool>) -> GraphUser {
    let a = &r.attrs;
    let mut ext = ExtensionAttributes::default();
    for (n, v) in a.extension_attributes() {
        if let Some(slot) = ext.0.get_mut(usize::from(n).wrapping_sub(1)) {
            *slot = Some(v.to_string());
        }
    }
    GraphUser {
        id: guid_text(&r.id),
        account_enabled: !a.is_disabled(),
        city: text(a.city()),
        department: text(a.department()),
        display_name: text(a.display_name()),
        given_name: text(a.given_name()),
        job_title: text(a.title()),
        mail: text(a.mail()),
        on_premises_distinguished_name: text(r.on_premises_dn.as_deref()),
        on_premises_extension_attributes: ext,
        on_premises_immutable_id: r
            .immutable_id
            .as_ref()
            .map(std::string::ToString::to_string),
        on_premises_provisioning_errors: errors(&r.provisioning_errors),
        on_premises_sam_account_name: synced.and(text(a.sam_account_name())),
        on_premises_sync_enabled: synced,
        on_premises_user_principal_name: synced.and(text(a.user_principal_name())),
        proxy_addresses: proxies(a),
        surname: text(a.sn()),
        user_principal_name: text(r.upn.as_deref()),
    }
}

/// `groupType` bit 31: a security group.
const GROUP_TYPE_SECURITY: i32 = i32::MIN;

fn group(r: &TenantRecord, synced: Option<bool>) -> GraphGroup {
    let a = &r.attrs;
    GraphGroup {
        id: guid_text(&r.id),
        description: text(a.description()),
        display_name: text(a.display_name()),
        mail: text(a.mail()),
        mail_enabled: a.mail().is_some() || a.proxy_addresses().len() > 0,
        on_premises_provisioning_errors: errors(&r.provisioning_errors),
        on_premises_sam_account_name: synced.and(text(a.sam_account_name())),
        on_premises_sync_enabled: synced,
        proxy_addresses: proxies(a),
        security_enabled: a.group_type().is_some_and(|t| t & GROUP_TYPE_SECURITY != 0),
    }
}

fn contact(r: &TenantRecord, synced: Option<bool>) -> GraphContact {
    let a = &r.attrs;
    GraphContact {
        id: guid_text(&r.id),
        addresses: text(a.city())
            .map(|city| GraphAddress { city })
            .into_iter()
            .collect(),
        department: text(a.department()),
        display_name: text(a.display_name()),
        given_name: text(a.given_name()),
        job_title: text(a.title()),
        mail: text(a.mail()),
        on_premises_provisioning_errors: errors(&r.provisioning_errors),
        on_premises_sync_enabled: synced,
        proxy_addresses: proxies(a),
        surname: text(a.sn()),
    }
}

/// Shapes the world's tenant records as Graph lists them.
pub fn tenant(records: &[TenantRecord]) -> GraphTenant {
    let mut t = GraphTenant::default();
    for r in records {
        let synced = r.immutable_id.as_ref().map(|_| true);
        match r.kind {
            ObjectKind::User => t.users.push(user(r, synced)),
            ObjectKind::Group => t.groups.push(group(r, synced)),
            ObjectKind::Contact => t.contacts.push(contact(r, synced)),
        }
    }
    t.users
        .sort_by(|a, b| (&a.user_principal_name, &a.id).cmp(&(&b.user_principal_name, &b.id)));
    t.groups
        .sort_by(|a, b| (&a.display_name, &a.id).cmp(&(&b.display_name, &b.id)));
    t.contacts
        .sort_by(|a, b| (&a.display_name, &a.id).cmp(&(&b.display_name, &b.id)));
    t
}

/// The file a scenario's dump is written to: its name with `/` replaced by `__`, plus `.json`.
pub fn dump_file_name(scenario_name: &str) -> String {
    format!("{}.json", scenario_name.replace('/', "__"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::attribute_flow::Field;

    #[test]
    fn simulated_time_counts_from_the_epoch() {
        assert_eq!(iso8601(SimTime(0)), EPOCH);
        assert_eq!(iso8601(SimTime(90_061_000)), "2026-01-02T01:01:01Z");
        assert_eq!(
            iso8601(SimTime(59 * 86_400_000)),
            "2026-03-01T00:00:00Z",
            "2026 is not a leap year"
        );
    }

    #[test]
    fn guids_are_8_4_4_4_12() {
        let b: [u8; 16] = std::array::from_fn(|i| u8::try_from(i).unwrap());
        assert_eq!(guid_text(&b), "00010203-0405-0607-0809-0a0b0c0d0e0f");
    }

    fn record(kind: ObjectKind, synced: bool, name: &str) -> TenantRecord {
        TenantRecord {
            id: [u8::from(synced); 16],
            kind,
            immutable_id: synced.then(|| upgrade_lab_model::ImmutableId::new("AAEC")),
            attrs: std::sync::Arc::new(Attributes::from_texts(&[
                (Field::DisplayName, name),
                (Field::UserPrincipalName, &format!("{name}@contoso.com")),
            ])),
            upn: Some(format!("{name}@contoso.com").into()),
            on_premises_dn: None,
            provisioning_errors: Vec::new(),
        }
    }

    #[test]
    fn cloud_only_objects_are_not_synced_and_conflicts_are_listed_once() {
        let mut synced = record(ObjectKind::User, true, "b");
        let conflict = ProvisioningErrorRecord {
            attribute: "UserPrincipalName",
            value: "b@contoso.com".into(),
            at: Some(SimTime(60_000)),
        };
        synced.provisioning_errors = vec![conflict.clone(), conflict];
        let t = tenant(&[synced, record(ObjectKind::User, false, "a")]);
        let json: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        let users = json["users"].as_array().unwrap();
        assert_eq!(
            users[0]["userPrincipalName"], "a@contoso.com",
            "sorted by UPN"
        );
        assert!(users[0]["onPremisesSyncEnabled"].is_null());
        assert!(users[0]["onPremisesUserPrincipalName"].is_null());
        assert_eq!(users[1]["onPremisesSyncEnabled"], true);
        let errors = users[1]["onPremisesProvisioningErrors"].as_array().unwrap();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0]["occurredDateTime"], "2026-01-01T00:01:00Z");
        assert_eq!(errors[0]["propertyCausingError"], "UserPrincipalName");
        assert_eq!(json["groups"], serde_json::json!([]));
        assert_eq!(json["contacts"], serde_json::json!([]));
    }

    #[test]
    fn dump_names_flatten_folders() {
        assert_eq!(
            dump_file_name("cutover/uninstall-then-staging-off"),
            "cutover__uninstall-then-staging-off.json"
        );
    }
}
