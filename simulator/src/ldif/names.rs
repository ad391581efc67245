//! Distinguished-name helpers the reader needs per entry, without allocating, on top of the
//! model's one DN splitter (`model::dn::rdn_iter`): the parent, the `DC=` suffix that names an
//! object's domain, extended-DN prefixes, and the GUID derived from a DN for entries that
//! carry no objectGUID.

use upgrade_lab_model::{ObjectGuid, dn};

/// The RDNs of a DN, trimmed (escapes and quotes respected): the model's one splitter.
pub use dn::rdn_iter as rdns;

/// The length of the extended-DN components (`<GUID=…>;<SID=…>;`) that Samba and AD's
/// extended-DN control put before a DN, 0 when there are none.
pub(crate) fn extended_dn_prefix_len(value: &str) -> usize {
    let mut len = 0;
    let mut rest = value;
    while let Some(inner) = rest.strip_prefix('<') {
        let Some(close) = inner.find(">;") else { break };
        let (name, _) = inner[..close].split_once('=').unwrap_or(("", ""));
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
            break;
        }
        len += close + 3;
        rest = &value[len..];
    }
    len
}

/// `value` without its extended-DN components.
pub(crate) fn strip_extended_dn(value: &str) -> &str {
    &value[extended_dn_prefix_len(value)..]
}

/// `dn` without its first RDN (`CN=a,OU=b` → `OU=b`; empty for a single RDN).
pub(crate) fn parent(dn: &str) -> &str {
    let mut it = rdns(dn);
    it.next();
    it.rest()
}

/// The part of `dn` from its first `DC=` RDN to the end: the domain's naming context as
/// written (`CN=a,OU=b,DC=contoso,DC=com` → `DC=contoso,DC=com`).
pub(crate) fn dc_suffix(dn: &str) -> Option<&str> {
    rdns(dn).find(|r| dn::rdn_type_is(r, "DC")).and_then(|r| {
        // `r` is a slice of `dn`; its offset is where the suffix starts.
        let offset = (r.as_ptr() as usize).checked_sub(dn.as_ptr() as usize)?;
        dn.get(offset..)
    })
}

/// The NetBIOS name a domain gets when the file does not say: its first DNS label,
/// upper-case, cut to NetBIOS's 15 characters (`emea.contoso.com` → `EMEA`).
pub(crate) fn default_netbios(dns_name: &str) -> String {
    let label = dns_name.split('.').next().unwrap_or("");
    label.chars().take(15).collect::<String>().to_uppercase()
}

/// The objectGUID given to an entry that carries none, so that nothing is lost and the same DN
/// always gets the same GUID: FNV-1a (128-bit) over `upgrade-lab:dn:` followed by the DN in
/// `model::dn::normalize` form (so case and spacing do not matter), with the RFC 4122 variant
/// and version 8 ("custom") bits set so it cannot be mistaken for a GUID AD issued.
pub fn guid_from_dn(dn_text: &str) -> ObjectGuid {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    let mut h = OFFSET;
    for b in b"upgrade-lab:dn:"
        .iter()
        .chain(dn::normalize(dn_text).as_bytes())
    {
        h ^= u128::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    let mut bytes = h.to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    ObjectGuid::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_dn_components_are_stripped() {
        let dn = "<GUID=44e29801-abfe-4f0a-9b89-d3a5745efcdb>;<SID=S-1-5-21-1>;CN=x,DC=y";
        assert_eq!(strip_extended_dn(dn), "CN=x,DC=y");
        assert_eq!(strip_extended_dn("CN=x,DC=y"), "CN=x,DC=y");
        assert_eq!(
            strip_extended_dn("<file:///etc/passwd>"),
            "<file:///etc/passwd>"
        );
        assert_eq!(strip_extended_dn("<a b=c>;CN=x"), "<a b=c>;CN=x");
    }

    #[test]
    fn parents_and_domain_names() {
        assert_eq!(parent(r"CN=a\,b,OU=c,DC=d"), "OU=c,DC=d");
        assert_eq!(parent("DC=a;DC=b"), "DC=b");
        assert_eq!(parent("DC=a"), "");
        assert_eq!(parent(""), "");
        let domain_named = |dn: &str| dn::shape(dn).is_some_and(|s| s.first_is_dc);
        assert!(domain_named(" dc = x ,DC=y"));
        assert!(!domain_named("CN=DC,DC=y"));
        assert!(!domain_named(""));
    }

    #[test]
    fn the_dc_suffix_names_the_domain() {
        assert_eq!(
            dc_suffix(r"CN=Smith\, John,OU=Sales,dc=contoso,DC=com"),
            Some("dc=contoso,DC=com")
        );
        assert_eq!(dc_suffix(r"CN=DC\=x,O=y"), None);
        assert_eq!(default_netbios("emea.contoso.com"), "EMEA");
        assert_eq!(
            default_netbios("averyveryverylongname.com"),
            "AVERYVERYVERYLO"
        );
    }

    #[test]
    fn derived_guids_are_stable_and_ignore_case() {
        let a = guid_from_dn("CN=Smith,OU=Sales,DC=contoso,DC=com");
        assert_eq!(a, guid_from_dn("cn=smith, ou=sales, dc=Contoso, dc=COM"));
        assert_ne!(a, guid_from_dn("CN=Smyth,OU=Sales,DC=contoso,DC=com"));
        assert_eq!(a.as_bytes()[6] >> 4, 8);
        // Pinned: a change of the derivation would give every GUID-less entry a new identity.
        assert_eq!(a.to_string(), "101d5692-166a-82bf-b725-d95eab3aeaf9");
    }
}
