//! Directory objects (users, groups, contacts) and the attributes this upgrade cares about.
//!
//! Attributes sit behind an `Arc` so that the copies the simulator keeps (AD, connector spaces,
//! metaverse, tenant) share one allocation until one of them changes (`Arc::make_mut`).

use crate::attribute_flow::{self, AttrId, Field, RowSet, Storage};
use crate::ids::ObjectGuid;
use crate::texts::{self, PackedTexts, SLOT_FIELDS, TEXT_FIELDS, TextBuilder, Texts};
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

/// The modelled attributes of one object.
///
/// The texts (the single-valued string attributes, `extensionAttribute1`–`15` and
/// `proxyAddresses`) live packed in one buffer with one end offset per value (`PackedTexts`):
/// two allocations per object instead of one shared string per value, which is what lets a
/// million-object world fit its memory budget (BENCHMARKS.md, issue 13). Read them with the
/// accessors (`cn()`, `proxy_addresses()`, `text(Field)`), write them with [`Attributes::set_text`]
/// or assemble them once with [`PackedTexts::of`] or a [`TextBuilder`]. Numbers, flags and `member` (DNs shared with the
/// objects they name) stay plain fields. Serde reads and writes the same JSON as a struct with one
/// field per attribute (`AttributesRepr`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// The text attributes, packed (read them through the accessors).
    pub texts: PackedTexts,
    /// `userAccountControl` flags ([`UAC_ACCOUNT_DISABLE`] marks a disabled account).
    pub user_account_control: Option<u32>,
    /// `groupType` (for example -2147483646 for a global security group).
    pub group_type: Option<i32>,
    /// `ms-DS-ConsistencyGuid`, when some tool has stamped it.
    pub consistency_guid: Option<ObjectGuid>,
    /// `isCriticalSystemObject: TRUE` (never synced).
    pub is_critical_system_object: bool,
    /// `member`: DNs of the group's members.
    pub member: Box<[Value]>,
    /// Every other attribute either product flows (`attribute_flow::Storage::Extra` rows), as
    /// read from LDIF. `None` for most objects: one pointer, not a list, per object.
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

/// Read accessors of the single-valued text attributes, one per attribute, named after it.
macro_rules! text_accessors {
    ($($name:ident => $field:expr, $doc:literal;)*) => {
        impl Attributes {
            $(
                #[doc = $doc]
                pub fn $name(&self) -> Option<&str> {
                    self.text($field)
                }
            )*
        }
    };
}

text_accessors! {
    cn => Field::Cn, "`cn`: the object's common name (its RDN value).";
    sam_account_name => Field::SamAccountName, "`sAMAccountName`: the pre-Windows 2000 logon name (users and groups).";
    user_principal_name => Field::UserPrincipalName, "`userPrincipalName`: the user's sign-in name (`name@suffix`).";
    mail => Field::Mail, "`mail`: the primary e-mail address.";
    display_name => Field::DisplayName, "`displayName`.";
    given_name => Field::GivenName, "`givenName`: the first name.";
    sn => Field::Sn, "`sn`: the surname.";
    department => Field::Department, "`department`.";
    title => Field::Title, "`title`: the job title.";
    city => Field::City, "`l`: the city.";
    manager => Field::Manager, "`manager`: the DN of the manager.";
    telephone_number => Field::TelephoneNumber, "`telephoneNumber`.";
    description => Field::Description, "`description`.";
}

impl Attributes {
    /// Attributes holding the given texts (`ProxyAddresses` may repeat, in order; a repeated
    /// single-valued field keeps its last value) and nothing else.
    ///
    /// # Panics
    /// When a field is not a text attribute (see [`TextBuilder::set`]).
    pub fn from_texts(pairs: &[(Field, &str)]) -> Self {
        Self {
            texts: PackedTexts::of(pairs),
            ..Self::default()
        }
    }

    /// Replaces every text with what `builder` holds, and empties it for the next object.
    pub fn set_texts(&mut self, builder: &mut TextBuilder) {
        self.texts = builder.finish();
    }

    /// The value of a single-valued text attribute (`cn` … `description`,
    /// `extensionAttributeN`); `None` when unset or when `field` is not one.
    pub fn text(&self, field: Field) -> Option<&str> {
        texts::slot(field).and_then(|s| self.texts.get(s))
    }

    /// Sets (or with `None` removes) a single-valued text attribute; for `ProxyAddresses` the
    /// value replaces the whole list (use [`Attributes::set_proxy_addresses`] for several).
    ///
    /// # Panics
    /// When `field` is not a text attribute.
    pub fn set_text(&mut self, field: Field, value: Option<&str>) {
        let mut b = TextBuilder::from_store(&self.texts);
        b.clear_field(field);
        if let Some(v) = value {
            b.set(field, v);
        }
        self.texts = b.finish();
    }

    /// `proxyAddresses`: `SMTP:` (primary) and `smtp:` addresses, in order; Azure AD refuses
    /// more than 300.
    pub fn proxy_addresses(&self) -> Texts<'_> {
        self.texts.proxies()
    }

    /// Replaces `proxyAddresses` with `values`, in order.
    pub fn set_proxy_addresses<S: AsRef<str>>(&mut self, values: impl IntoIterator<Item = S>) {
        let mut b = TextBuilder::from_store(&self.texts);
        b.clear_field(Field::ProxyAddresses);
        for v in values {
            b.set(Field::ProxyAddresses, v.as_ref());
        }
        self.texts = b.finish();
    }

    /// `extensionAttributeN`, if set.
    pub fn extension_attribute(&self, n: u8) -> Option<&str> {
        self.text(Field::Extension(n))
    }

    /// `extensionAttribute1`–`15` that hold a value, as (number, value), by number.
    pub fn extension_attributes(&self) -> impl Iterator<Item = (u8, &str)> {
        self.texts.extensions()
    }

    /// The primary SMTP address: the `SMTP:` (upper-case prefix) proxy address, without prefix.
    pub fn primary_smtp(&self) -> Option<&str> {
        self.proxy_addresses().find_map(|p| p.strip_prefix("SMTP:"))
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
    /// object's own). Compares the packed texts slot by slot, then the fields and sparse stores.
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
        if a.texts != b.texts {
            for f in TEXT_FIELDS {
                field(f, a.text(f) != b.text(f));
            }
            for n in 1..=15 {
                field(
                    Field::Extension(n),
                    a.extension_attribute(n) != b.extension_attribute(n),
                );
            }
            field(
                Field::ProxyAddresses,
                !a.proxy_addresses().eq(b.proxy_addresses()),
            );
        }
        field(Field::AccountEnabled, a.enabled_flag() != b.enabled_flag());
        field(Field::SecurityEnabled, a.group_type != b.group_type);
        field(Field::Member, a.member != b.member);
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
        for (s, _) in self.texts.singles() {
            field(SLOT_FIELDS[s as usize], true);
        }
        field(Field::ProxyAddresses, self.proxy_addresses().len() > 0);
        field(Field::AccountEnabled, self.user_account_control.is_some());
        field(Field::SecurityEnabled, self.group_type.is_some());
        field(Field::Member, !self.member.is_empty());
        m | self.extra.as_deref().map_or(0, ExtraAttributes::rows)
    }

    /// The values of row `id` as Azure AD would receive them (booleans as `true` / `false`).
    /// Derived rows that depend on the object rather than its attributes (`distinguishedName`,
    /// the source anchor) are the caller's: they come back empty here. Texts are copied into
    /// new shared values: callers ask for the rows that changed, not for every row.
    pub fn values(&self, id: AttrId) -> Values {
        let flag = |b: Option<bool>| b.map(bool_value).into_iter().collect();
        match id.flow().storage {
            Storage::Extra => self.extra_values(id).cloned().collect(),
            Storage::Field(f) => match f {
                Field::ProxyAddresses => self.proxy_addresses().map(Value::from).collect(),
                Field::AccountEnabled => flag(self.enabled_flag()),
                Field::SecurityEnabled => flag(self.group_type.map(|g| g < 0)),
                Field::Member => self.member.iter().cloned().collect(),
                Field::DistinguishedName | Field::SourceAnchor => Values::new(),
                f => self.text(f).map(Value::from).into_iter().collect(),
            },
        }
    }

    /// The value of an attribute by its LDAP display name, as text (single-valued view; the
    /// first value of a multi-valued attribute). Used by attribute filters.
    pub fn get_text(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let field = match lower.as_str() {
            "cn" => Field::Cn,
            "samaccountname" => Field::SamAccountName,
            "userprincipalname" => Field::UserPrincipalName,
            "mail" => Field::Mail,
            "proxyaddresses" => return self.proxy_addresses().next().map(str::to_string),
            "displayname" => Field::DisplayName,
            "givenname" => Field::GivenName,
            "sn" => Field::Sn,
            "department" => Field::Department,
            "title" => Field::Title,
            "l" | "city" => Field::City,
            "manager" => Field::Manager,
            "telephonenumber" => Field::TelephoneNumber,
            "description" => Field::Description,
            "useraccountcontrol" => return self.user_account_control.map(|u| u.to_string()),
            "grouptype" => return self.group_type.map(|g| g.to_string()),
            "ms-ds-consistencyguid" => return self.consistency_guid.map(|g| g.to_string()),
            _ => match lower.strip_prefix("extensionattribute") {
                Some(n) => {
                    return n
                        .parse::<u8>()
                        .ok()
                        .and_then(|n| self.extension_attribute(n))
                        .map(str::to_string);
                }
                None => {
                    return attribute_flow::by_ad_name(&lower)
                        .and_then(|id| self.extra_values(id).next())
                        .map(std::string::ToString::to_string);
                }
            },
        };
        self.text(field).map(str::to_string)
    }
}

/// The JSON shape of [`Attributes`]: one field per attribute, as the struct had before its texts
/// were packed (generated directories and world snapshots keep their format).
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
struct AttributesRepr {
    #[serde(skip_serializing_if = "Option::is_none")]
    cn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sam_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_principal_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    proxy_addresses: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    telephone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_account_control: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_type: Option<i32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension_attributes: Vec<(u8, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consistency_guid: Option<ObjectGuid>,
    #[serde(skip_serializing_if = "<[Value]>::is_empty")]
    member: Box<[Value]>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    is_critical_system_object: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<Box<ExtraAttributes>>,
}

impl AttributesRepr {
    fn of(a: &Attributes) -> Self {
        let t = |f: Field| a.text(f).map(str::to_string);
        Self {
            cn: t(Field::Cn),
            sam_account_name: t(Field::SamAccountName),
            user_principal_name: t(Field::UserPrincipalName),
            mail: t(Field::Mail),
            proxy_addresses: a.proxy_addresses().map(str::to_string).collect(),
            display_name: t(Field::DisplayName),
            given_name: t(Field::GivenName),
            sn: t(Field::Sn),
            department: t(Field::Department),
            title: t(Field::Title),
            city: t(Field::City),
            manager: t(Field::Manager),
            telephone_number: t(Field::TelephoneNumber),
            description: t(Field::Description),
            user_account_control: a.user_account_control,
            group_type: a.group_type,
            extension_attributes: a
                .extension_attributes()
                .map(|(n, v)| (n, v.to_string()))
                .collect(),
            consistency_guid: a.consistency_guid,
            member: a.member.clone(),
            is_critical_system_object: a.is_critical_system_object,
            extra: a.extra.clone(),
        }
    }

    fn into_attributes(self) -> Result<Attributes, String> {
        let mut b = TextBuilder::default();
        let singles = [
            (Field::Cn, self.cn),
            (Field::SamAccountName, self.sam_account_name),
            (Field::UserPrincipalName, self.user_principal_name),
            (Field::Mail, self.mail),
            (Field::DisplayName, self.display_name),
            (Field::GivenName, self.given_name),
            (Field::Sn, self.sn),
            (Field::Department, self.department),
            (Field::Title, self.title),
            (Field::City, self.city),
            (Field::Manager, self.manager),
            (Field::TelephoneNumber, self.telephone_number),
            (Field::Description, self.description),
        ];
        for (f, v) in singles {
            if let Some(v) = v {
                b.set(f, &v);
            }
        }
        for (n, v) in self.extension_attributes {
            if !(1..=15).contains(&n) {
                return Err(format!("extensionAttribute{n} does not exist (1 to 15)"));
            }
            b.set(Field::Extension(n), &v);
        }
        for v in &self.proxy_addresses {
            b.set(Field::ProxyAddresses, v);
        }
        let mut a = Attributes {
            user_account_control: self.user_account_control,
            group_type: self.group_type,
            consistency_guid: self.consistency_guid,
            is_critical_system_object: self.is_critical_system_object,
            member: self.member,
            extra: self.extra,
            ..Attributes::default()
        };
        a.set_texts(&mut b);
        Ok(a)
    }
}

impl Serialize for Attributes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        AttributesRepr::of(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        AttributesRepr::deserialize(d)?
            .into_attributes()
            .map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Debug for Attributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Attributes");
        for (s, v) in self.texts.singles() {
            d.field(&format!("{:?}", SLOT_FIELDS[s as usize]), &v);
        }
        if self.proxy_addresses().len() > 0 {
            d.field(
                "proxy_addresses",
                &self.proxy_addresses().collect::<Vec<_>>(),
            );
        }
        d.field("user_account_control", &self.user_account_control)
            .field("group_type", &self.group_type)
            .field("consistency_guid", &self.consistency_guid)
            .field("is_critical_system_object", &self.is_critical_system_object)
            .field("member", &self.member)
            .field("extra", &self.extra)
            .finish()
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
            user_account_control: Some(UAC_NORMAL_ENABLED),
            ..Attributes::from_texts(&[(Field::Department, "Sales")])
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
        let a = Attributes::from_texts(&[
            (Field::ProxyAddresses, "smtp:b@x"),
            (Field::ProxyAddresses, "SMTP:a@x"),
        ]);
        assert_eq!(a.primary_smtp(), Some("a@x"));
    }
}
