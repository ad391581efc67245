//! Directory objects (users, groups, contacts) and the attributes this upgrade cares about.
//!
//! Attributes sit behind an `Arc` so that the copies the simulator keeps (AD, connector spaces,
//! metaverse, tenant) share one allocation until one of them changes (`Arc::make_mut`).

use crate::ids::ObjectGuid;
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The object classes the upgrade moves to Azure AD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    User,
    Group,
    Contact,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 3] = [ObjectKind::User, ObjectKind::Group, ObjectKind::Contact];

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::User => "user",
            ObjectKind::Group => "group",
            ObjectKind::Contact => "contact",
        }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cn: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sam_account_name: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<Value>,
    #[serde(skip_serializing_if = "<[Value]>::is_empty")]
    pub proxy_addresses: Box<[Value]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sn: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Value>,
    /// DN of the manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telephone_number: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Value>,
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

    /// The value of an attribute by its LDAP display name, as text (single-valued view; the
    /// first value of a multi-valued attribute). Used by attribute filters.
    pub fn get_text(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let one = |v: &Option<Value>| v.as_ref().map(|v| v.to_string());
        match lower.as_str() {
            "cn" => one(&self.cn),
            "samaccountname" => one(&self.sam_account_name),
            "userprincipalname" => one(&self.user_principal_name),
            "mail" => one(&self.mail),
            "proxyaddresses" => self.proxy_addresses.first().map(|v| v.to_string()),
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
            _ => lower
                .strip_prefix("extensionattribute")
                .and_then(|n| n.parse::<u8>().ok())
                .and_then(|n| self.extension_attribute(n))
                .map(|v| v.to_string()),
        }
    }
}

/// One object as AD holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryObject {
    pub guid: ObjectGuid,
    pub kind: ObjectKind,
    pub dn: Value,
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
