//! Directory objects (users, groups, contacts) and the attributes this upgrade cares about.
//!
//! Attributes sit behind an `Arc` so that the copies the simulator keeps (AD, connector spaces,
//! metaverse, tenant) share one allocation until one of them changes (`Arc::make_mut`).

use crate::attribute_flow::{self, AttrId, Field, RowSet, Storage};
use crate::ids::ObjectGuid;
use crate::value::{Value, Values};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The object classes the upgrade moves to Azure AD.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ObjectKind {
    /// A user account (objectClass `user`).
    User,
    /// A group (objectClass `group`).
    Group,
    /// A mail contact (objectClass `contact`).
    Contact,
}

impl ObjectKind {
    /// The three kinds DirSync syncs, in report order.
    pub const ALL: [ObjectKind; 3] = [ObjectKind::User, ObjectKind::Group, ObjectKind::Contact];

    /// The wire name (`user`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// `userAccountControl` bit 2: the account is disabled (514 vs 512).
pub const UAC_ACCOUNT_DISABLE: u32 = 0x2;
/// `userAccountControl` of an enabled normal account.
pub const UAC_NORMAL_ENABLED: u32 = 512;
/// `userAccountControl` of a disabled normal account.
pub const UAC_NORMAL_DISABLED: u32 = 514;

/// The modelled attributes of one object. Single values are `Option`, multi-values boxed
/// slices; everything is shared text (`Value`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attributes {
    /// `cn`: the object's common name (its RDN value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cn: Option<Value>,
    /// `sAMAccountName`: the pre-Windows 2000 logon name (users and groups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sam_account_name: Option<Value>,
    /// `userPrincipalName`: the user's sign-in name (`name@suffix`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<Value>,
    /// `mail`: the primary e-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<Value>,
    /// `proxyAddresses`: `SMTP:` (primary) and `smtp:` addresses; Azure AD refuses more than 300.
    #[serde(skip_serializing_if = "<[Value]>::is_empty")]
    pub proxy_addresses: Box<[Value]>,
    /// `displayName`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Value>,
    /// `givenName`: the first name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<Value>,
    /// `sn`: the surname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sn: Option<Value>,
    /// `department`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<Value>,
    /// `title`: the job title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Value>,
    /// `l`: the city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Value>,
    /// DN of the manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<Value>,
    /// `telephoneNumber`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telephone_number: Option<Value>,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Value>,
    /// `userAccountControl` flags ([`UAC_ACCOUNT_DISABLE`] marks a disabled account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_account_control: Option<u32>,
    /// `groupType` (for example -2147483646 for a global security group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_type: Option<i32>,
    /// `extensionAttribute1`–`15`, as (number, value), sorted by number.
    #[serde(skip_serializing_if = "<[(u8, Value)]>::is_empty")]
    pub extension_attributes: Box<[(u8, Value)]>,
    /// `ms-DS-ConsistencyGuid`, when some tool has stamped it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistency_guid: Option<ObjectGuid>,
    /// `member`: DNs of the group's members.
    #[serde(skip_serializing_if = "<[Value]>::is_empty")]
    pub member: Box<[Value]>,
    /// `isCriticalSystemObject: TRUE` (never synced).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_critical_system_object: bool,
    /// Every other attribute either product flows (`attribute_flow::Storage::Extra` rows), as
    /// read from LDIF. `None` for most objects: one pointer, not a list, per object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<Box<ExtraAttributes>>,
}

/// The sparse attribute store: (row, value) pairs sorted by row, one pair per value of a
/// multi-valued attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtraAttributes(Vec<(AttrId, Value)>);

impl ExtraAttributes {
    /// Builds the store from pairs in any order (values of one row keep their order).
    pub fn new(mut pairs: Vec<(AttrId, Value)>) -> Self {
        debug_assert!(
            pairs
                .iter()
                .all(|(id, _)| id.flow().storage == Storage::Extra),
            "a field attribute in the sparse store"
        );
        pairs.sort_by_key(|(id, _)| *id);
        debug_assert!(
            pairs
                .windows(2)
                .all(|w| w[0].0 != w[1].0 || w[0].0.flow().multi_valued),
            "a single-valued attribute with two values in the sparse store"
        );
        Self(pairs)
    }

    /// The values of row `id`.
    pub fn values(&self, id: AttrId) -> &[(AttrId, Value)] {
        let start = self.0.partition_point(|(r, _)| *r < id);
        let end = self.0.partition_point(|(r, _)| *r <= id);
        &self.0[start..end]
    }

    /// Every (row, value) pair, by row.
    pub fn iter(&self) -> impl Iterator<Item = &(AttrId, Value)> {
        self.0.iter()
    }

    /// The rows that hold a value.
    pub fn rows(&self) -> RowSet {
        self.0
            .iter()
            .fold(0, |m, (id, _)| m | attribute_flow::bit(*id))
    }

    /// Whether the store holds no value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for ExtraAttributes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        let mut rest = &self.0[..];
        while let Some((id, _)) = rest.first() {
            let n = rest.iter().take_while(|(r, _)| r == id).count();
            let values: Vec<&str> = rest[..n].iter().map(|(_, v)| &**v).collect();
            map.serialize_entry(id.flow().ad_name, &values)?;
            rest = &rest[n..];
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ExtraAttributes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<String, Vec<String>>::deserialize(d)?;
        let mut pairs = Vec::new();
        for (name, values) in map {
            let id = attribute_flow::by_ad_name(&name)
                .filter(|id| id.flow().storage == Storage::Extra)
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "`{name}` is not an attribute either product flows"
                    ))
                })?;
            pairs.extend(values.into_iter().map(|v| (id, Value::from(v))));
        }
        Ok(Self::new(pairs))
    }
}

impl Attributes {
    /// `extensionAttributeN`, if set.
    pub fn extension_attribute(&self, n: u8) -> Option<&Value> {
        self.extension_attributes
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v)
    }

    /// The primary SMTP address: the `SMTP:` (upper-case prefix) proxy address, without prefix.
    pub fn primary_smtp(&self) -> Option<&str> {
        self.proxy_addresses
            .iter()
            .find_map(|p| p.strip_prefix("SMTP:"))
    }

    /// Whether the account is disabled (`userAccountControl` bit 2).
    pub fn is_disabled(&self) -> bool {
        self.user_account_control
            .is_some_and(|u| u & UAC_ACCOUNT_DISABLE != 0)
    }

    /// The values of a sparse-store row (empty for field rows and unset attributes).
    pub fn extra_values(&self, id: AttrId) -> impl Iterator<Item = &Value> {
        self.extra
            .as_deref()
            .map_or(&[][..], |e| e.values(id))
            .iter()
            .map(|(_, v)| v)
    }

    /// The rows whose values differ between two blocks (derived rows never do: they are the
    /// object's own). Compares field by field, then the sparse stores.
    pub fn differing_rows(&self, other: &Attributes) -> RowSet {
        if std::ptr::eq(self, other) {
            return 0;
        }
        let (a, b) = (self, other);
        let mut m: RowSet = 0;
        let mut field = |f: Field, differs: bool| {
            if differs {
                m |= attribute_flow::bit(attribute_flow::field_row(f));
            }
        };
        field(Field::Cn, a.cn != b.cn);
        field(
            Field::SamAccountName,
            a.sam_account_name != b.sam_account_name,
        );
        field(
            Field::UserPrincipalName,
            a.user_principal_name != b.user_principal_name,
        );
        field(Field::Mail, a.mail != b.mail);
        field(
            Field::ProxyAddresses,
            a.proxy_addresses != b.proxy_addresses,
        );
        field(Field::DisplayName, a.display_name != b.display_name);
        field(Field::GivenName, a.given_name != b.given_name);
        field(Field::Sn, a.sn != b.sn);
        field(Field::Department, a.department != b.department);
        field(Field::Title, a.title != b.title);
        field(Field::City, a.city != b.city);
        field(Field::Manager, a.manager != b.manager);
        field(
            Field::TelephoneNumber,
            a.telephone_number != b.telephone_number,
        );
        field(Field::Description, a.description != b.description);
        field(Field::AccountEnabled, a.enabled_flag() != b.enabled_flag());
        field(Field::SecurityEnabled, a.group_type != b.group_type);
        field(Field::Member, a.member != b.member);
        if a.extension_attributes != b.extension_attributes {
            for n in 1..=15 {
                field(
                    Field::Extension(n),
                    a.extension_attribute(n) != b.extension_attribute(n),
                );
            }
        }
        m | a.extra_differences(b)
    }

    fn enabled_flag(&self) -> Option<bool> {
        self.user_account_control.map(|_| !self.is_disabled())
    }

    fn extra_differences(&self, other: &Attributes) -> RowSet {
        let (a, b) = (self.extra.as_deref(), other.extra.as_deref());
        if a == b {
            return 0;
        }
        let rows = |e: Option<&ExtraAttributes>| e.map_or(0, ExtraAttributes::rows);
        let mut m = 0;
        for id in attribute_flow::ids(rows(a) | rows(b)) {
            let va = a.map_or(&[][..], |e| e.values(id));
            let vb = b.map_or(&[][..], |e| e.values(id));
            if va != vb {
                m |= attribute_flow::bit(id);
            }
        }
        m
    }

    /// The rows that hold a value (derived rows always do).
    pub fn present_rows(&self) -> RowSet {
        let mut m = attribute_flow::DERIVED_ROWS;
        let mut field = |f: Field, present: bool| {
            if present {
                m |= attribute_flow::bit(attribute_flow::field_row(f));
            }
        };
        field(Field::Cn, self.cn.is_some());
        field(Field::SamAccountName, self.sam_account_name.is_some());
        field(Field::UserPrincipalName, self.user_principal_name.is_some());
        field(Field::Mail, self.mail.is_some());
        field(Field::ProxyAddresses, !self.proxy_addresses.is_empty());
        field(Field::DisplayName, self.display_name.is_some());
        field(Field::GivenName, self.given_name.is_some());
        field(Field::Sn, self.sn.is_some());
        field(Field::Department, self.department.is_some());
        field(Field::Title, self.title.is_some());
        field(Field::City, self.city.is_some());
        field(Field::Manager, self.manager.is_some());
        field(Field::TelephoneNumber, self.telephone_number.is_some());
        field(Field::Description, self.description.is_some());
        field(Field::AccountEnabled, self.user_account_control.is_some());
        field(Field::SecurityEnabled, self.group_type.is_some());
        field(Field::Member, !self.member.is_empty());
        for (n, _) in &self.extension_attributes {
            field(Field::Extension(*n), true);
        }
        m | self.extra.as_deref().map_or(0, ExtraAttributes::rows)
    }

    /// The values of row `id` as Azure AD would receive them (booleans as `true` / `false`).
    /// Derived rows that depend on the object rather than its attributes (`distinguishedName`,
    /// the source anchor) are the caller's: they come back empty here.
    pub fn values(&self, id: AttrId) -> Values {
        let one = |v: &Option<Value>| v.iter().cloned().collect();
        let flag = |b: Option<bool>| b.map(bool_value).into_iter().collect();
        match id.flow().storage {
            Storage::Extra => self.extra_values(id).cloned().collect(),
            Storage::Field(f) => match f {
                Field::Cn => one(&self.cn),
                Field::SamAccountName => one(&self.sam_account_name),
                Field::UserPrincipalName => one(&self.user_principal_name),
                Field::Mail => one(&self.mail),
                Field::ProxyAddresses => self.proxy_addresses.iter().cloned().collect(),
                Field::DisplayName => one(&self.display_name),
                Field::GivenName => one(&self.given_name),
                Field::Sn => one(&self.sn),
                Field::Department => one(&self.department),
                Field::Title => one(&self.title),
                Field::City => one(&self.city),
                Field::Manager => one(&self.manager),
                Field::TelephoneNumber => one(&self.telephone_number),
                Field::Description => one(&self.description),
                Field::AccountEnabled => flag(self.enabled_flag()),
                Field::SecurityEnabled => flag(self.group_type.map(|g| g < 0)),
                Field::Extension(n) => self.extension_attribute(n).cloned().into_iter().collect(),
                Field::Member => self.member.iter().cloned().collect(),
                Field::DistinguishedName | Field::SourceAnchor => Values::new(),
            },
        }
    }

    /// The value of an attribute by its LDAP display name, as text (single-valued view; the
    /// first value of a multi-valued attribute). Used by attribute filters.
    pub fn get_text(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let one = |v: &Option<Value>| v.as_ref().map(std::string::ToString::to_string);
        match lower.as_str() {
            "cn" => one(&self.cn),
            "samaccountname" => one(&self.sam_account_name),
            "userprincipalname" => one(&self.user_principal_name),
            "mail" => one(&self.mail),
            "proxyaddresses" => self
                .proxy_addresses
                .first()
                .map(std::string::ToString::to_string),
            "displayname" => one(&self.display_name),
            "givenname" => one(&self.given_name),
            "sn" => one(&self.sn),
            "department" => one(&self.department),
            "title" => one(&self.title),
            "l" | "city" => one(&self.city),
            "manager" => one(&self.manager),
            "telephonenumber" => one(&self.telephone_number),
            "description" => one(&self.description),
            "useraccountcontrol" => self.user_account_control.map(|u| u.to_string()),
            "grouptype" => self.group_type.map(|g| g.to_string()),
            "ms-ds-consistencyguid" => self.consistency_guid.map(|g| g.to_string()),
            _ => match lower.strip_prefix("extensionattribute") {
                Some(n) => n
                    .parse::<u8>()
                    .ok()
                    .and_then(|n| self.extension_attribute(n))
                    .map(std::string::ToString::to_string),
                None => attribute_flow::by_ad_name(&lower)
                    .and_then(|id| self.extra_values(id).next())
                    .map(std::string::ToString::to_string),
            },
        }
    }
}

/// `true` or `false` as a shared value (one allocation each for the whole process).
fn bool_value(b: bool) -> Value {
    static VALUES: std::sync::LazyLock<[Value; 2]> =
        std::sync::LazyLock::new(|| [Value::from("false"), Value::from("true")]);
    VALUES[usize::from(b)].clone()
}

/// One object as AD holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryObject {
    /// `objectGUID`: never changes, the source anchor DirSync used.
    pub guid: ObjectGuid,
    /// User, group or contact.
    pub kind: ObjectKind,
    /// The distinguished name (changes when the object moves or is renamed).
    pub dn: Value,
    /// The attributes, shared between copies until one is written.
    pub attrs: Arc<Attributes>,
    /// `uSNChanged`: the update sequence number of the last change (delta import reads it).
    pub usn_changed: u64,
    /// `whenChanged`, in simulated milliseconds since the world started.
    pub when_changed_ms: u64,
}

impl DirectoryObject {
    /// Attributes for writing: clones the shared attribute block only if another copy holds it.
    pub fn attrs_mut(&mut self) -> &mut Attributes {
        Arc::make_mut(&mut self.attrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribute_flow::{bit, by_ad_name, field_row, flowed_rows, ids};

    fn id(name: &str) -> AttrId {
        by_ad_name(name).unwrap()
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "a field attribute in the sparse store")]
    fn a_field_attribute_in_the_sparse_store_fires() {
        ExtraAttributes::new(vec![(id("department"), Value::from("Sales"))]);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "a single-valued attribute with two values in the sparse store")]
    fn two_values_of_a_single_valued_attribute_fire() {
        ExtraAttributes::new(vec![
            (id("company"), Value::from("Contoso")),
            (id("company"), Value::from("Fabrikam")),
        ]);
    }

    #[test]
    fn values_of_a_multi_valued_attribute_are_kept_in_order() {
        let store = ExtraAttributes::new(vec![
            (id("authOrig"), Value::from("b")),
            (id("company"), Value::from("Contoso")),
            (id("authOrig"), Value::from("a")),
        ]);
        let values: Vec<&str> = store
            .values(id("authOrig"))
            .iter()
            .map(|(_, v)| &**v)
            .collect();
        assert_eq!(values, ["b", "a"]);
    }

    fn with_extra(pairs: &[(&str, &str)]) -> Attributes {
        let pairs = pairs
            .iter()
            .map(|(n, v)| (id(n), Value::from(*v)))
            .collect();
        Attributes {
            extra: Some(Box::new(ExtraAttributes::new(pairs))),
            ..Default::default()
        }
    }

    #[test]
    fn the_sparse_store_keeps_each_row_s_values_together_and_in_order() {
        let a = with_extra(&[
            ("otherTelephone", "1"),
            ("company", "C"),
            ("otherTelephone", "2"),
        ]);
        let e = a.extra.as_deref().unwrap();
        assert!(!e.is_empty());
        assert!(ExtraAttributes::default().is_empty());
        let texts = |name: &str| -> Vec<String> {
            a.values(id(name))
                .iter()
                .map(std::string::ToString::to_string)
                .collect()
        };
        assert_eq!(texts("otherTelephone"), ["1", "2"]);
        assert_eq!(texts("company"), ["C"]);
        assert!(texts("mobile").is_empty());
        assert_eq!(e.rows(), bit(id("otherTelephone")) | bit(id("company")));
        assert_eq!(e.iter().count(), 3);
        assert!(e.iter().is_sorted_by_key(|(r, _)| *r));
    }

    #[test]
    fn the_sparse_store_reads_and_writes_json_by_attribute_name() {
        let a = with_extra(&[
            ("otherTelephone", "1"),
            ("company", "C"),
            ("otherTelephone", "2"),
        ]);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"extra":{"company":["C"],"otherTelephone":["1","2"]}}"#
        );
        let back: Attributes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let e =
            serde_json::from_str::<Attributes>(r#"{"extra":{"unicodePwd":["x"]}}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("`unicodePwd` is not an attribute either product flows")
        );
        // A field attribute belongs in its field, not the sparse store.
        assert!(serde_json::from_str::<Attributes>(r#"{"extra":{"cn":["x"]}}"#).is_err());
    }

    #[test]
    fn rows_present_and_differing_are_found_field_by_field_and_in_the_store() {
        let base = Attributes {
            department: Some(Value::from("Sales")),
            user_account_control: Some(UAC_NORMAL_ENABLED),
            ..Default::default()
        };
        assert!(!base.is_disabled());
        let present = base.present_rows();
        let dept = bit(field_row(Field::Department));
        let enabled = bit(field_row(Field::AccountEnabled));
        assert_eq!(present & !attribute_flow::DERIVED_ROWS, dept | enabled);
        // The DN and the source anchor are every object's own: always present.
        assert_eq!(attribute_flow::DERIVED_ROWS.count_ones(), 2);
        assert_eq!(
            present & attribute_flow::DERIVED_ROWS,
            attribute_flow::DERIVED_ROWS
        );
        let mut other = base.clone();
        other.user_account_control = Some(UAC_NORMAL_DISABLED);
        other.extra = with_extra(&[("company", "C")]).extra;
        assert!(other.is_disabled());
        assert_eq!(base.differing_rows(&other), enabled | bit(id("company")));
        assert_eq!(base.differing_rows(&base), 0);
        assert_eq!(&*base.values(field_row(Field::AccountEnabled))[0], "true");
        assert_eq!(&*other.values(field_row(Field::AccountEnabled))[0], "false");
        // Another flag bit leaves the account enabled and nothing differs.
        let mut flagged = base.clone();
        flagged.user_account_control = Some(UAC_NORMAL_ENABLED | 0x10000);
        assert_eq!(base.differing_rows(&flagged), 0);
    }

    #[test]
    fn flowed_rows_and_ids_agree_with_the_table() {
        let c = id("c");
        assert_ne!(flowed_rows(ObjectKind::User, true) & bit(c), 0);
        assert_eq!(flowed_rows(ObjectKind::User, false) & bit(c), 0);
        assert_eq!(
            ids(bit(c) | bit(id("mobile"))).collect::<Vec<_>>(),
            [id("mobile"), c]
        );
        assert_eq!(ids(0).count(), 0);
        assert_eq!(ObjectKind::Contact.as_str(), "contact");
        let a = Attributes {
            proxy_addresses: vec![Value::from("smtp:b@x"), Value::from("SMTP:a@x")]
                .into_boxed_slice(),
            ..Default::default()
        };
        assert_eq!(a.primary_smtp(), Some("a@x"));
    }
}
