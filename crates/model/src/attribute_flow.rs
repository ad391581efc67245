//! Sync rules as data: every attribute DirSync or Azure AD Connect's default rules flow from AD to
//! Azure AD, with the object types it flows for and which product flows it. One row per attribute;
//! the LDIF reader keeps every row's attribute, the sync engine compares values row by row, the
//! pending-export report names rows, and verification tells "Connect flows this, DirSync did not"
//! apart from a value AD changed.
//!
//! Sources (public): "Azure AD Connect sync: Attributes synchronized to Azure Active Directory"
//! (<https://learn.microsoft.com/entra/identity/hybrid/connect/reference-connect-sync-attributes-synchronized>)
//! for Connect's rows, and KB 2256198 "List of attributes that are synchronized to Office 365 …"
//! for DirSync's. Microsoft no longer publishes DirSync's whole list; the rows marked
//! `ConnectOnly` below are those the sources (or their dates) put after DirSync, and
//! `docs/real-systems.md` says which of them are inferences.
//!
//! It must not know connector spaces or the tenant: it is a table and lookups.

use crate::object::ObjectKind;

/// The object types a row flows for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kinds {
    /// It flows for users.
    pub user: bool,
    /// It flows for contacts.
    pub contact: bool,
    /// It flows for groups.
    pub group: bool,
}

impl Kinds {
    /// Whether the row flows for `kind`.
    pub const fn contains(self, kind: ObjectKind) -> bool {
        match kind {
            ObjectKind::User => self.user,
            ObjectKind::Contact => self.contact,
            ObjectKind::Group => self.group,
        }
    }
}

/// Where a row's value comes from in `Attributes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// A field of its own (the attributes every world has).
    Field(Field),
    /// The sparse list of other attributes (`Attributes::extra`).
    Extra,
}

/// The attributes stored in fields of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `cn`.
    Cn,
    /// `sAMAccountName`.
    SamAccountName,
    /// `userPrincipalName`.
    UserPrincipalName,
    /// `mail`.
    Mail,
    /// `proxyAddresses` (multi-valued).
    ProxyAddresses,
    /// `displayName`.
    DisplayName,
    /// `givenName`.
    GivenName,
    /// `sn` (surname).
    Sn,
    /// `department`.
    Department,
    /// `title`.
    Title,
    /// `l` (city).
    City,
    /// `manager` (a DN).
    Manager,
    /// `telephoneNumber`.
    TelephoneNumber,
    /// `description`.
    Description,
    /// Derived: `userAccountControl` bit 2 clear.
    AccountEnabled,
    /// Derived: `groupType`'s sign bit.
    SecurityEnabled,
    /// `extensionAttributeN`.
    Extension(u8),
    /// `member` (a group's member DNs).
    Member,
    /// Derived: the object's DN.
    DistinguishedName,
    /// Derived: the source anchor (objectGUID, base64).
    SourceAnchor,
}

/// One attribute's flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttributeFlow {
    /// The AD (LDAP display) name.
    pub ad_name: &'static str,
    /// The Azure AD connector's name (what csexport lists).
    pub aad_name: &'static str,
    /// The types Connect's default rules flow it for.
    pub connect: Kinds,
    /// The types DirSync's rules flowed it for (a subset of `connect`).
    pub dirsync: Kinds,
    /// The attribute holds several values (`proxyAddresses`, `member`).
    pub multi_valued: bool,
    /// Where `Attributes` keeps its value.
    pub storage: Storage,
}

/// The index of a row of `ATTRIBUTE_FLOWS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrId(pub u8);

impl AttrId {
    /// The row this index names.
    pub fn flow(self) -> &'static AttributeFlow {
        &ATTRIBUTE_FLOWS[self.0 as usize]
    }
}

const NONE: Kinds = Kinds {
    user: false,
    contact: false,
    group: false,
};

const fn kinds(s: &str) -> Kinds {
    let b = s.as_bytes();
    let mut k = Kinds {
        user: false,
        contact: false,
        group: false,
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'U' => k.user = true,
            b'C' => k.contact = true,
            b'G' => k.group = true,
            _ => panic!("kinds are U, C and G"),
        }
        i += 1;
    }
    k
}

const fn row(
    (ad_name, aad_name): (&'static str, &'static str),
    (connect, dirsync): (Kinds, Kinds),
    multi_valued: bool,
    storage: Storage,
) -> AttributeFlow {
    AttributeFlow {
        ad_name,
        aad_name,
        connect,
        dirsync,
        multi_valued,
        storage,
    }
}

/// A field attribute both products flow for `k`.
const fn field(
    ad: &'static str,
    aad: &'static str,
    k: &str,
    f: Field,
    multi: bool,
) -> AttributeFlow {
    row((ad, aad), (kinds(k), kinds(k)), multi, Storage::Field(f))
}

/// A sparse-store attribute both products flow for `k`, under its AD name.
const fn both(ad: &'static str, k: &str, multi: bool) -> AttributeFlow {
    row((ad, ad), (kinds(k), kinds(k)), multi, Storage::Extra)
}

/// Connect flows it for `k`, DirSync for `d` only (often none).
const fn connect_only(
    ad: &'static str,
    aad: &'static str,
    k: &str,
    d: Kinds,
    multi: bool,
) -> AttributeFlow {
    row((ad, aad), (kinds(k), d), multi, Storage::Extra)
}

const fn ext(n: u8, ad: &'static str) -> AttributeFlow {
    field(ad, ad, "UCG", Field::Extension(n), false)
}

/// Number of rows.
pub const ATTRIBUTE_FLOW_COUNT: usize = 101;

/// Every row's index, in table order. The table fits `AttrId`'s `u8` and `RowSet`'s bits (the
/// `const` block below fails the build otherwise), so the cast cannot truncate.
#[expect(
    clippy::cast_possible_truncation,
    reason = "the table has at most 128 rows, asserted at compile time here"
)]
fn all_ids() -> impl Iterator<Item = AttrId> {
    const {
        assert!(ATTRIBUTE_FLOW_COUNT <= RowSet::BITS as usize);
    }
    (0..ATTRIBUTE_FLOW_COUNT as u8).map(AttrId)
}

/// The table. Rows with a `Field` come first; the others live in `Attributes::extra`.
pub static ATTRIBUTE_FLOWS: [AttributeFlow; ATTRIBUTE_FLOW_COUNT] = [
    field(
        "objectGUID",
        "sourceAnchor",
        "UCG",
        Field::SourceAnchor,
        false,
    ),
    field("cn", "cn", "UCG", Field::Cn, false),
    field(
        "sAMAccountName",
        "onPremisesSamAccountName",
        "U",
        Field::SamAccountName,
        false,
    ),
    field(
        "userPrincipalName",
        "userPrincipalName",
        "U",
        Field::UserPrincipalName,
        false,
    ),
    field("mail", "mail", "UCG", Field::Mail, false),
    field(
        "proxyAddresses",
        "proxyAddresses",
        "UCG",
        Field::ProxyAddresses,
        true,
    ),
    field(
        "displayName",
        "displayName",
        "UCG",
        Field::DisplayName,
        false,
    ),
    field("givenName", "givenName", "UC", Field::GivenName, false),
    field("sn", "surname", "UC", Field::Sn, false),
    field("department", "department", "UC", Field::Department, false),
    field("title", "jobTitle", "UC", Field::Title, false),
    field("l", "city", "UC", Field::City, false),
    field("manager", "manager", "UC", Field::Manager, false),
    field(
        "telephoneNumber",
        "telephoneNumber",
        "UC",
        Field::TelephoneNumber,
        false,
    ),
    field(
        "description",
        "description",
        "UCG",
        Field::Description,
        false,
    ),
    field(
        "userAccountControl",
        "accountEnabled",
        "U",
        Field::AccountEnabled,
        false,
    ),
    field(
        "groupType",
        "securityEnabled",
        "G",
        Field::SecurityEnabled,
        false,
    ),
    field("member", "member", "G", Field::Member, true),
    ext(1, "extensionAttribute1"),
    ext(2, "extensionAttribute2"),
    ext(3, "extensionAttribute3"),
    ext(4, "extensionAttribute4"),
    ext(5, "extensionAttribute5"),
    ext(6, "extensionAttribute6"),
    ext(7, "extensionAttribute7"),
    ext(8, "extensionAttribute8"),
    ext(9, "extensionAttribute9"),
    ext(10, "extensionAttribute10"),
    ext(11, "extensionAttribute11"),
    ext(12, "extensionAttribute12"),
    ext(13, "extensionAttribute13"),
    ext(14, "extensionAttribute14"),
    ext(15, "extensionAttribute15"),
    // Connect's rules stamp the on-premises DN on every object; DirSync's did not (an inference
    // from the attribute's absence in the DirSync-era lists, see docs/real-systems.md).
    row(
        ("distinguishedName", "onPremisesDistinguishedName"),
        (kinds("UCG"), NONE),
        false,
        Storage::Field(Field::DistinguishedName),
    ),
    // Rows in `Attributes::extra`: both products.
    both("authOrig", "UCG", true),
    both("co", "UC", false),
    both("company", "UC", false),
    both("countryCode", "UC", false),
    both("dLMemRejectPerms", "UCG", true),
    both("dLMemSubmitPerms", "UCG", true),
    both("facsimileTelephoneNumber", "UC", false),
    both("homePhone", "UC", false),
    both("info", "UCG", false),
    both("initials", "UC", false),
    both("ipPhone", "UC", false),
    both("legacyExchangeDN", "UCG", false),
    both("mailNickname", "UCG", false),
    both("managedBy", "G", false),
    both("middleName", "UC", false),
    both("mobile", "UC", false),
    both("msDS-HABSeniorityIndex", "UCG", false),
    both("msDS-PhoneticDisplayName", "UCG", false),
    both("msExchArchiveGUID", "U", false),
    both("msExchArchiveName", "U", true),
    both("msExchAssistantName", "UC", false),
    both("msExchHideFromAddressLists", "UCG", false),
    both("msExchImmutableID", "U", false),
    both("msExchLitigationHoldDate", "UCG", false),
    both("msExchLitigationHoldOwner", "UCG", false),
    both("msExchMailboxGuid", "U", false),
    both("msExchRecipientDisplayType", "UCG", false),
    both("msExchRecipientTypeDetails", "UCG", false),
    both("msExchRemoteRecipientType", "U", false),
    both("msExchRequireAuthToSendTo", "UCG", false),
    both("msExchUsageLocation", "U", false),
    both("oOFReplyToOriginator", "G", false),
    both("otherFacsimileTelephoneNumber", "UC", true),
    both("otherHomePhone", "UC", true),
    both("otherIpPhone", "UC", true),
    both("otherMobile", "UC", true),
    both("otherPager", "UC", true),
    both("otherTelephone", "UC", true),
    both("pager", "UC", false),
    both("physicalDeliveryOfficeName", "UC", false),
    both("postalCode", "UC", false),
    both("postOfficeBox", "UC", true),
    both("preferredLanguage", "U", false),
    both("publicDelegates", "UCG", true),
    both("pwdLastSet", "U", false),
    both("reportToOriginator", "G", false),
    both("reportToOwner", "G", false),
    both("st", "UC", false),
    both("streetAddress", "UC", false),
    both("targetAddress", "UC", false),
    both("telephoneAssistant", "UC", false),
    both("thumbnailPhoto", "UC", false),
    both("unauthOrig", "UCG", true),
    both("url", "UC", true),
    both("userCertificate", "UC", true),
    both("userSMIMECertificate", "UC", true),
    both("wWWHomePage", "UC", false),
    both("objectSid", "UG", false),
    // DirSync flowed `c` for contacts only; Connect flows it for users too (KB 2256198 lists
    // C under contacts; the Connect list under users and contacts).
    connect_only("c", "c", "UC", kinds("C"), false),
    connect_only("employeeID", "employeeId", "U", NONE, false),
    connect_only("altRecipient", "altRecipient", "U", NONE, false),
    connect_only(
        "msExchBypassModerationLink",
        "msExchBypassModerationLink",
        "G",
        NONE,
        true,
    ),
    connect_only(
        "msDS-KeyCredentialLink",
        "msDS-KeyCredentialLink",
        "U",
        NONE,
        true,
    ),
    connect_only(
        "msExchTeamMailboxOwners",
        "msExchTeamMailboxOwners",
        "U",
        NONE,
        true,
    ),
    connect_only(
        "msExchTeamMailboxExpiration",
        "msExchTeamMailboxExpiration",
        "U",
        NONE,
        false,
    ),
    connect_only(
        "msExchTeamMailboxSharePointUrl",
        "msExchTeamMailboxSharePointUrl",
        "U",
        NONE,
        false,
    ),
    connect_only(
        "msExchTeamMailboxSharePointLinkedBy",
        "msExchTeamMailboxSharePointLinkedBy",
        "U",
        NONE,
        false,
    ),
];

/// The row of an AD attribute name, compared case-insensitively as the directory compares
/// names; `None` when neither product flows it.
pub fn by_ad_name(name: &str) -> Option<AttrId> {
    all_ids().find(|id| id.flow().ad_name.eq_ignore_ascii_case(name))
}

/// A set of rows, one bit per `AttrId`.
pub type RowSet = u128;

/// The row of a field attribute (the field rows lead the table in this order; a test checks it).
pub const fn field_row(f: Field) -> AttrId {
    AttrId(match f {
        Field::SourceAnchor => 0,
        Field::Cn => 1,
        Field::SamAccountName => 2,
        Field::UserPrincipalName => 3,
        Field::Mail => 4,
        Field::ProxyAddresses => 5,
        Field::DisplayName => 6,
        Field::GivenName => 7,
        Field::Sn => 8,
        Field::Department => 9,
        Field::Title => 10,
        Field::City => 11,
        Field::Manager => 12,
        Field::TelephoneNumber => 13,
        Field::Description => 14,
        Field::AccountEnabled => 15,
        Field::SecurityEnabled => 16,
        Field::Member => 17,
        Field::Extension(n) => 17 + n,
        Field::DistinguishedName => 33,
    })
}

/// The bit of a row.
pub const fn bit(id: AttrId) -> RowSet {
    1 << id.0
}

/// The rows whose value is the object's own (DN, source anchor): present on every object.
pub const DERIVED_ROWS: RowSet =
    bit(field_row(Field::SourceAnchor)) | bit(field_row(Field::DistinguishedName));

/// The rows `connect`'s (or DirSync's) rules flow for `kind`, as a set.
pub fn flowed_rows(kind: ObjectKind, connect: bool) -> RowSet {
    static SETS: std::sync::LazyLock<[[RowSet; 2]; 3]> = std::sync::LazyLock::new(|| {
        ObjectKind::ALL.map(|k| [false, true].map(|c| rows(k, c).fold(0, |m, id| m | bit(id))))
    });
    SETS[kind as usize][usize::from(connect)]
}

/// The rows of a set, in table order.
pub fn ids(set: RowSet) -> impl Iterator<Item = AttrId> {
    all_ids().filter(move |&id| set & bit(id) != 0)
}

/// Whether `product`'s default rules flow row `id` for `kind`.
pub fn flows_for(id: AttrId, kind: ObjectKind, connect: bool) -> bool {
    let f = id.flow();
    if connect { f.connect } else { f.dirsync }.contains(kind)
}

/// The rows a product flows for a type, in table order.
pub fn rows(kind: ObjectKind, connect: bool) -> impl Iterator<Item = AttrId> {
    all_ids().filter(move |&id| flows_for(id, kind, connect))
}

/// Whether an Azure AD attribute name is one Connect flows and DirSync did not for `kind`: a
/// pending update of it after a takeover is explained by the rules, not by AD.
pub fn is_rule_difference(aad_name: &str, kind: ObjectKind) -> bool {
    // Verification asks this for every attribute of every pending update (a million after a
    // takeover): one hash lookup, not a scan of the table.
    static BY_AAD_NAME: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, AttrId>> =
        std::sync::LazyLock::new(|| all_ids().map(|id| (id.flow().aad_name, id)).collect());
    BY_AAD_NAME
        .get(aad_name)
        .is_some_and(|id| id.flow().connect.contains(kind) && !id.flow().dirsync.contains(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        let mut seen = std::collections::BTreeSet::new();
        let mut extras_started = false;
        for f in &ATTRIBUTE_FLOWS {
            // One row per name; DirSync flows a subset of what Connect flows.
            assert!(seen.insert(f.ad_name.to_ascii_lowercase()), "{}", f.ad_name);
            for k in ObjectKind::ALL {
                assert!(
                    !f.dirsync.contains(k) || f.connect.contains(k),
                    "{}",
                    f.ad_name
                );
            }
            // Field rows come first, so an `AttrId` below the first extra is a field.
            match f.storage {
                Storage::Extra => extras_started = true,
                Storage::Field(_) => assert!(!extras_started, "{} after an extra", f.ad_name),
            }
        }
        assert!(ATTRIBUTE_FLOW_COUNT <= RowSet::BITS as usize);
        for (i, f) in ATTRIBUTE_FLOWS.iter().enumerate() {
            if let Storage::Field(field) = f.storage {
                assert_eq!(
                    Some(field_row(field)),
                    u8::try_from(i).ok().map(AttrId),
                    "{}",
                    f.ad_name
                );
            }
        }
        assert_eq!(ObjectKind::ALL.map(|k| k as usize), [0, 1, 2]);
    }

    #[test]
    fn lookups_follow_the_directory_s_case_rules_and_types() {
        let c = by_ad_name("C").unwrap();
        assert_eq!(by_ad_name("c"), Some(c));
        assert!(flows_for(c, ObjectKind::User, true));
        assert!(!flows_for(c, ObjectKind::User, false));
        assert!(flows_for(c, ObjectKind::Contact, false));
        let member = by_ad_name("MEMBER").unwrap();
        assert!(!flows_for(member, ObjectKind::User, true));
        assert_eq!(by_ad_name("unicodePwd"), None);
    }

    #[test]
    fn rule_differences_are_the_connect_only_rows() {
        assert!(is_rule_difference(
            "onPremisesDistinguishedName",
            ObjectKind::Group
        ));
        assert!(is_rule_difference("c", ObjectKind::User));
        assert!(!is_rule_difference("c", ObjectKind::Contact));
        assert!(!is_rule_difference("department", ObjectKind::User));
        assert!(!is_rule_difference("noSuchAttribute", ObjectKind::User));
        let connect: Vec<_> = rows(ObjectKind::User, true).collect();
        let dirsync: Vec<_> = rows(ObjectKind::User, false).collect();
        assert!(dirsync.iter().all(|r| connect.contains(r)));
        assert!(connect.len() > dirsync.len());
    }
}
