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
/// or assemble them once with [`PackedTexts::of`] or a [`TextBuilder`]. `member` and `manager`
/// are DNs shared with the objects they name; the numbers and flags sit in one small block
/// read through accessors (`user_account_control()`, `group_type()`, …), the rare
/// `ms-DS-ConsistencyGuid` boxed: 88 bytes per block, which the 1.2 GiB budget of a
/// million-object world counts. Serde reads and writes the same JSON as a struct with one
/// field per attribute (`AttributesRepr`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// The text attributes, packed (read them through the accessors).
    pub texts: PackedTexts,
    /// `member`: DNs of the group's members.
    pub member: Box<[Value]>,
    /// Every other attribute either product flows (`attribute_flow::Storage::Extra` rows), as
    /// read from LDIF. `None` for most objects: one pointer, not a list, per object.
    pub extra: Option<Box<ExtraAttributes>>,
    /// `manager`: a DN, shared with the `dn` of the object it names where the directory holds it
    /// (a copy in every report's texts would cost each user its manager's DN again).
    manager: Option<Value>,
    /// `ms-DS-ConsistencyGuid`, when some tool has stamped it: boxed, as few objects carry one.
    consistency_guid: Option<Box<ObjectGuid>>,
    /// `userAccountControl`; 0 unless [`FLAG_UAC`] is set.
    uac: u32,
    /// `groupType`; 0 unless [`FLAG_GROUP_TYPE`] is set.
    group_type: i32,
    /// Which of the numbers are present, and `isCriticalSystemObject` ([`FLAG_CRITICAL`]).
    flags: u8,
}

/// `Attributes::flags`: `userAccountControl` is present.
const FLAG_UAC: u8 = 1;
/// `Attributes::flags`: `groupType` is present.
const FLAG_GROUP_TYPE: u8 = 2;
/// `Attributes::flags`: `isCriticalSystemObject: TRUE`.
const FLAG_CRITICAL: u8 = 4;

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

    /// `manager`: the DN of the manager.
    pub fn manager(&self) -> Option<&str> {
        self.manager.as_deref()
    }

    /// `manager` as the shared value it is stored as.
    pub fn manager_value(&self) -> Option<&Value> {
        self.manager.as_ref()
    }

    /// Sets (or with `None` removes) `manager`, sharing the value given (pass the manager's own
    /// `dn` to store the DN once).
    pub fn set_manager(&mut self, dn: Option<Value>) {
        self.manager = dn;
    }

    /// `userAccountControl` flags ([`UAC_ACCOUNT_DISABLE`] marks a disabled account).
    pub fn user_account_control(&self) -> Option<u32> {
        (self.flags & FLAG_UAC != 0).then_some(self.uac)
    }

    /// Sets (or with `None` removes) `userAccountControl`.
    pub fn set_user_account_control(&mut self, uac: Option<u32>) {
        self.uac = uac.unwrap_or(0);
        self.set_flag(FLAG_UAC, uac.is_some());
    }

    /// `groupType` (for example -2147483646 for a global security group).
    pub fn group_type(&self) -> Option<i32> {
        (self.flags & FLAG_GROUP_TYPE != 0).then_some(self.group_type)
    }

    /// Sets (or with `None` removes) `groupType`.
    pub fn set_group_type(&mut self, group_type: Option<i32>) {
        self.group_type = group_type.unwrap_or(0);
        self.set_flag(FLAG_GROUP_TYPE, group_type.is_some());
    }

    /// `isCriticalSystemObject: TRUE` (never synced).
    pub fn is_critical_system_object(&self) -> bool {
        self.flags & FLAG_CRITICAL != 0
    }

    /// Sets `isCriticalSystemObject`.
    pub fn set_critical_system_object(&mut self, critical: bool) {
        self.set_flag(FLAG_CRITICAL, critical);
    }

    /// `ms-DS-ConsistencyGuid`, when some tool has stamped it.
    pub fn consistency_guid(&self) -> Option<ObjectGuid> {
        self.consistency_guid.as_deref().copied()
    }

    /// Stamps (or with `None` clears) `ms-DS-ConsistencyGuid`.
    pub fn set_consistency_guid(&mut self, guid: Option<ObjectGuid>) {
        self.consistency_guid = guid.map(Box::new);
    }

    fn set_flag(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }

    /// Attributes holding `texts` and nothing else.
    pub fn with_texts(texts: PackedTexts) -> Self {
        Self {
            texts,
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
        if field == Field::Manager {
            return self.manager();
        }
        texts::slot(field).and_then(|s| self.texts.get(s))
    }

    /// Sets (or with `None` removes) a single-valued text attribute; for `ProxyAddresses` the
    /// value replaces the whole list (use [`Attributes::set_proxy_addresses`] for several).
    ///
    /// # Panics
    /// When `field` is not a text attribute.
    pub fn set_text(&mut self, field: Field, value: Option<&str>) {
        if field == Field::Manager {
            self.manager = value.map(Value::from);
            return;
        }
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
        self.user_account_control()
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
        field(Field::Manager, a.manager != b.manager);
        field(Field::AccountEnabled, a.enabled_flag() != b.enabled_flag());
        field(Field::SecurityEnabled, a.group_type() != b.group_type());
        field(Field::Member, a.member != b.member);
        m | a.extra_differences(b)
    }

    fn enabled_flag(&self) -> Option<bool> {
        self.user_account_control().map(|_| !self.is_disabled())
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
        // The slot bits, not the values: a presence check must not touch the text buffer
        // (outbound flow asks this of every object, twice, on a cold buffer).
        let mut slots = self.texts.slot_bits();
        while slots != 0 {
            field(SLOT_FIELDS[slots.trailing_zeros() as usize], true);
            slots &= slots - 1;
        }
        field(Field::Manager, self.manager.is_some());
        field(Field::ProxyAddresses, self.proxy_addresses().len() > 0);
        field(Field::AccountEnabled, self.user_account_control().is_some());
        field(Field::SecurityEnabled, self.group_type().is_some());
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
                Field::SecurityEnabled => flag(self.group_type().map(|g| g < 0)),
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
            "useraccountcontrol" => return self.user_account_control().map(|u| u.to_string()),
            "grouptype" => return self.group_type().map(|g| g.to_string()),
            "ms-ds-consistencyguid" => return self.consistency_guid().map(|g| g.to_string()),
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
            user_account_control: a.user_account_control(),
            group_type: a.group_type(),
            extension_attributes: a
                .extension_attributes()
                .map(|(n, v)| (n, v.to_string()))
                .collect(),
            consistency_guid: a.consistency_guid(),
            member: a.member.clone(),
            is_critical_system_object: a.is_critical_system_object(),
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
            member: self.member,
            extra: self.extra,
            manager: self.manager.map(Value::from),
            ..Attributes::default()
        };
        a.set_user_account_control(self.user_account_control);
        a.set_group_type(self.group_type);
        a.set_consistency_guid(self.consistency_guid);
        a.set_critical_system_object(self.is_critical_system_object);
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

#[expect(
    clippy::missing_fields_in_debug,
    reason = "the numbers and flags are printed as the attributes they are (`uac`, `flags` are their storage)"
)]
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
        d.field("manager", &self.manager)
            .field("user_account_control", &self.user_account_control())
            .field("group_type", &self.group_type())
            .field("consistency_guid", &self.consistency_guid())
            .field(
                "is_critical_system_object",
                &self.is_critical_system_object(),
            )
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

    /// The memory budget of a million-object world counts on these sizes (BENCHMARKS.md).
    #[test]
    fn an_attribute_block_stays_small() {
        assert_eq!(size_of::<PackedTexts>(), 24);
        assert_eq!(size_of::<Attributes>(), 88);
    }

    #[test]
    fn numbers_and_flags_read_back_and_clearing_them_restores_the_default() {
        let mut a = Attributes::default();
        a.set_user_account_control(Some(UAC_NORMAL_DISABLED));
        a.set_group_type(Some(-2_147_483_646));
        a.set_critical_system_object(true);
        a.set_consistency_guid(Some(ObjectGuid::from_bytes([7; 16])));
        a.set_manager(Some(Value::from("CN=Boss,DC=x")));
        assert_eq!(a.user_account_control(), Some(UAC_NORMAL_DISABLED));
        assert_eq!(a.group_type(), Some(-2_147_483_646));
        assert!(a.is_critical_system_object() && a.is_disabled());
        assert_eq!(a.consistency_guid(), Some(ObjectGuid::from_bytes([7; 16])));
        assert_eq!(a.text(Field::Manager), Some("CN=Boss,DC=x"));
        // Zero is a value, not an absence.
        a.set_user_account_control(Some(0));
        a.set_group_type(Some(0));
        assert_eq!(
            (a.user_account_control(), a.group_type()),
            (Some(0), Some(0))
        );
        a.set_user_account_control(None);
        a.set_group_type(None);
        a.set_critical_system_object(false);
        a.set_consistency_guid(None);
        a.set_text(Field::Manager, None);
        assert!(a == Attributes::default(), "{a:?}");
        // One flag does not clear another.
        a.set_group_type(Some(2));
        a.set_critical_system_object(true);
        a.set_critical_system_object(false);
        assert_eq!((a.group_type(), a.user_account_control()), (Some(2), None));
    }

    #[test]
    fn the_manager_is_a_row_that_is_present_and_differs() {
        let mut a = Attributes::default();
        let row = bit(field_row(Field::Manager));
        assert_eq!(a.present_rows() & row, 0);
        let mut b = a.clone();
        b.set_text(Field::Manager, Some("CN=Boss,DC=x"));
        assert_eq!(b.present_rows() & row, row);
        assert_eq!(a.differing_rows(&b), row);
        a.set_manager(Some(Value::from("CN=Boss,DC=x")));
        assert_eq!(a.differing_rows(&b), 0, "equal texts in two allocations");
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#"{"manager":"CN=Boss,DC=x"}"#);
        assert!(serde_json::from_str::<Attributes>(&json).unwrap() == b);
    }

    #[test]
    fn every_text_slot_alone_is_present_as_its_own_row() {
        for (s, &f) in SLOT_FIELDS.iter().enumerate() {
            let value = format!("value {s}");
            let a = Attributes::from_texts(&[(f, value.as_str())]);
            let rows = a.present_rows() & !attribute_flow::DERIVED_ROWS;
            assert_eq!(rows, bit(field_row(f)), "slot {s} ({f:?})");
        }
        let mut all = TextBuilder::default();
        for (s, &f) in SLOT_FIELDS.iter().enumerate() {
            all.set_fmt(f, format_args!("v{s}"));
        }
        let a = Attributes::with_texts(all.finish());
        let expected = SLOT_FIELDS
            .iter()
            .fold(attribute_flow::DERIVED_ROWS, |m, &f| m | bit(field_row(f)));
        assert_eq!(a.present_rows(), expected);
    }

    #[test]
    fn rows_present_and_differing_are_found_field_by_field_and_in_the_store() {
        let mut base = Attributes::from_texts(&[(Field::Department, "Sales")]);
        base.set_user_account_control(Some(UAC_NORMAL_ENABLED));
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
        other.set_user_account_control(Some(UAC_NORMAL_DISABLED));
        other.extra = with_extra(&[("company", "C")]).extra;
        assert!(other.is_disabled());
        assert_eq!(base.differing_rows(&other), enabled | bit(id("company")));
        assert_eq!(base.differing_rows(&base), 0);
        assert_eq!(&*base.values(field_row(Field::AccountEnabled))[0], "true");
        assert_eq!(&*other.values(field_row(Field::AccountEnabled))[0], "false");
        // Another flag bit leaves the account enabled and nothing differs.
        let mut flagged = base.clone();
        flagged.set_user_account_control(Some(UAC_NORMAL_ENABLED | 0x10000));
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
