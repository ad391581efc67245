//! Synchronization rules of a DirSync-lineage installation, reduced to what the upgrade needs:
//! direct inbound flow from AD to the metaverse, outbound flow to Azure AD with the alternate
//! login ID rule taking precedence over the standard userPrincipalName flow (§2.4, §6), and
//! the attribute-level comparison that turns into a pending export's AMODT list (§2.8).
//!
//! It must not know run profiles, connector spaces or the tenant: it maps attribute blocks.

use std::sync::Arc;
use upgrade_lab_model::{Attributes, ObjectKind, Value};

/// Which product's out-of-box outbound rules wrote an object. Connect's default rules flow
/// attributes DirSync never wrote (`onPremisesDistinguishedName`, `onPremisesSamAccountName`;
/// reference-connect-sync-attributes-synchronized, ATTR), so the first Connect export updates
/// every object DirSync had synced (**inference**; it is what makes the 3-hour estimate of D1
/// include a full export).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowSet {
    DirSync,
    Connect,
}

/// One outbound rule contributing userPrincipalName, with its precedence (lower wins, §2.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpnRule {
    pub name: &'static str,
    pub precedence: u32,
    /// The source attribute (LDAP name).
    pub source: String,
}

/// The outbound rules that decide userPrincipalName, ordered by precedence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundRules {
    upn_rules: Vec<UpnRule>,
}

impl OutboundRules {
    /// The standard rule (`userPrincipalName` → userPrincipalName) plus, with an alternate login
    /// ID, a custom rule of precedence 50 flowing that attribute (custom rules use 0–99, §2.4).
    pub fn new(alternate_login_id: Option<&str>) -> Self {
        let mut upn_rules = vec![UpnRule {
            name: "Out to AAD - User Identity",
            precedence: 110,
            source: "userPrincipalName".to_string(),
        }];
        if let Some(attr) =
            alternate_login_id.filter(|a| !a.eq_ignore_ascii_case("userPrincipalName"))
        {
            upn_rules.push(UpnRule {
                name: "Out to AAD - User Alternate Login ID",
                precedence: 50,
                source: attr.to_string(),
            });
        }
        upn_rules.sort_by_key(|r| r.precedence);
        Self { upn_rules }
    }

    /// The attribute block Azure AD should hold for this metaverse object. Shares the metaverse
    /// block unless a rule changes a value.
    pub fn outbound(&self, kind: ObjectKind, mv: &Arc<Attributes>) -> Arc<Attributes> {
        if kind != ObjectKind::User || self.upn_rules.len() == 1 {
            return mv.clone();
        }
        // The highest-precedence rule with a value wins; NULL lets the next rule contribute.
        let winner: Option<Value> = self
            .upn_rules
            .iter()
            .find_map(|r| source_value(mv, &r.source));
        if winner == mv.user_principal_name {
            return mv.clone();
        }
        let mut out = (**mv).clone();
        out.user_principal_name = winner;
        Arc::new(out)
    }
}

fn source_value(a: &Attributes, attribute: &str) -> Option<Value> {
    match attribute.to_ascii_lowercase().as_str() {
        "userprincipalname" => a.user_principal_name.clone(),
        "mail" => a.mail.clone(),
        _ => a.get_text(attribute).map(Value::from),
    }
}

/// Azure AD names of the attributes the outbound flow writes, by bit of `AttrMask`.
pub const AAD_ATTRIBUTE_NAMES: [&str; 20] = [
    "cn",
    "onPremisesSamAccountName",
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "displayName",
    "givenName",
    "surname",
    "department",
    "jobTitle",
    "city",
    "manager",
    "telephoneNumber",
    "description",
    "accountEnabled",
    "securityEnabled",
    "extensionAttributes",
    "member",
    "onPremisesDistinguishedName",
    "sourceAnchor",
];

/// A set of attributes, one bit per entry of `AAD_ATTRIBUTE_NAMES`.
pub type AttrMask = u32;

/// Bits for what Connect's rules add over DirSync's.
pub const CONNECT_ONLY_MASK: AttrMask = 1 << 18;
/// Everything an add writes.
pub const ALL_MASK: AttrMask = (1 << 20) - 1;

/// The attributes whose values differ between two blocks (the flowed ones only).
pub fn diff(a: &Attributes, b: &Attributes) -> AttrMask {
    if std::ptr::eq(a, b) {
        return 0;
    }
    let mut m = 0;
    let mut bit = |i: u32, differs: bool| {
        if differs {
            m |= 1 << i;
        }
    };
    bit(0, a.cn != b.cn);
    bit(1, a.sam_account_name != b.sam_account_name);
    bit(2, a.user_principal_name != b.user_principal_name);
    bit(3, a.mail != b.mail);
    bit(4, a.proxy_addresses != b.proxy_addresses);
    bit(5, a.display_name != b.display_name);
    bit(6, a.given_name != b.given_name);
    bit(7, a.sn != b.sn);
    bit(8, a.department != b.department);
    bit(9, a.title != b.title);
    bit(10, a.city != b.city);
    bit(11, a.manager != b.manager);
    bit(12, a.telephone_number != b.telephone_number);
    bit(13, a.description != b.description);
    bit(
        14,
        a.user_account_control.map(|u| u & 2) != b.user_account_control.map(|u| u & 2),
    );
    bit(15, a.group_type != b.group_type);
    bit(16, a.extension_attributes != b.extension_attributes);
    bit(17, a.member != b.member);
    m
}

/// The Azure AD attribute names of a mask, in a fixed order.
pub fn mask_names(mask: AttrMask) -> Vec<Value> {
    // One shared allocation per name for the whole process: every pending export a
    // verification reads (a million after a takeover) holds one of these lists.
    static NAMES: std::sync::LazyLock<Vec<Value>> = std::sync::LazyLock::new(|| {
        AAD_ATTRIBUTE_NAMES
            .iter()
            .map(|n| Value::from(*n))
            .collect()
    });
    // Sized exactly: a filtered collect starts at four slots.
    let mut names = Vec::with_capacity(mask.count_ones() as usize);
    names.extend(
        NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, n)| n.clone()),
    );
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(upn: Option<&str>, mail: Option<&str>) -> Arc<Attributes> {
        Arc::new(Attributes {
            user_principal_name: upn.map(Value::from),
            mail: mail.map(Value::from),
            ..Default::default()
        })
    }

    #[test]
    fn without_alternate_id_the_metaverse_block_is_shared() {
        let mv = user(Some("a@contoso.com"), Some("x@contoso.com"));
        let out = OutboundRules::new(None).outbound(ObjectKind::User, &mv);
        assert!(Arc::ptr_eq(&mv, &out));
    }

    #[test]
    fn alternate_id_wins_by_precedence_and_null_falls_through() {
        let rules = OutboundRules::new(Some("mail"));
        let mv = user(Some("a@contoso.local"), Some("ann@contoso.com"));
        let out = rules.outbound(ObjectKind::User, &mv);
        assert_eq!(out.user_principal_name.as_deref(), Some("ann@contoso.com"));
        assert_eq!(diff(&mv, &out), 1 << 2);
        // No mail: the alternate rule contributes NULL, the standard rule's value flows.
        let mv = user(Some("b@contoso.local"), None);
        let out = rules.outbound(ObjectKind::User, &mv);
        assert_eq!(out.user_principal_name.as_deref(), Some("b@contoso.local"));
    }

    #[test]
    fn mask_names_are_the_azure_ad_names() {
        let names = mask_names((1 << 2) | (1 << 9));
        assert_eq!(
            names.iter().map(|n| &**n).collect::<Vec<_>>(),
            vec!["userPrincipalName", "jobTitle"]
        );
        // One shared allocation per name, however many exports list it.
        assert!(Arc::ptr_eq(&names[0], &mask_names(1 << 2)[0]));
    }
}
