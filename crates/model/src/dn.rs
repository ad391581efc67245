//! Distinguished names (RFC 4514) as AD writes them: splitting into RDNs with escapes and quotes
//! respected, comparing without regard to case, and reading the domain out of `DC=` components.

/// The RDNs of `dn`, outermost last, each trimmed and still escaped as written.
/// `CN=Smith\, John,OU=Sales,DC=contoso,DC=com` → `["CN=Smith\, John", "OU=Sales", "DC=contoso", "DC=com"]`.
pub fn rdns(dn: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = dn.as_bytes();
    let (mut start, mut i, mut quoted) = (0usize, 0usize, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' => quoted = !quoted,
            b',' | b';' if !quoted => {
                out.push(dn[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let last = dn[start.min(dn.len())..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    out
}

/// Whether `dn` is well formed enough to sync: every RDN is `type=value` with a non-empty type.
pub fn is_well_formed(dn: &str) -> bool {
    let parts = rdns(dn);
    !parts.is_empty()
        && parts.iter().all(|r| match r.split_once('=') {
            Some((t, _)) => {
                !t.trim().is_empty()
                    && t.trim()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            }
            None => false,
        })
}

/// The attribute type of an RDN, upper-cased (`ou=Sales` → `OU`).
pub fn rdn_type(rdn: &str) -> String {
    rdn.split_once('=')
        .map(|(t, _)| t.trim().to_ascii_uppercase())
        .unwrap_or_default()
}

/// The value of an RDN, unescaped (`CN=Smith\, John` → `Smith, John`).
pub fn rdn_value(rdn: &str) -> String {
    unescape(rdn.split_once('=').map(|(_, v)| v).unwrap_or(""))
}

/// Removes RFC 4514 escapes: `\,` and friends, and `\XX` hex pairs.
pub fn unescape(value: &str) -> String {
    let v = value.trim();
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    let mut bytes = Vec::with_capacity(v.len());
    let raw = v.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            let hex = raw
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
            match hex {
                Some(b) => {
                    bytes.push(b);
                    i += 3;
                }
                None => {
                    bytes.push(raw[i + 1]);
                    i += 2;
                }
            }
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Escapes an RDN value for writing (`Smith, John` → `Smith\, John`).
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for (i, c) in value.chars().enumerate() {
        let edge = (i == 0 && (c == ' ' || c == '#')) || (i + 1 == value.len() && c == ' ');
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\0A"),
            '\r' => out.push_str("\\0D"),
            _ if edge => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The parent of `dn` (everything after the first RDN), or `None` for a single-RDN name.
pub fn parent(dn: &str) -> Option<&str> {
    let first = rdns(dn).into_iter().next()?;
    let start = dn.find(first)? + first.len();
    let rest = dn[start..].trim_start();
    let rest = rest.strip_prefix(',').or_else(|| rest.strip_prefix(';'))?;
    let rest = rest.trim();
    (!rest.is_empty()).then_some(rest)
}

/// The DNS name of the domain a DN lives in, from its `DC=` components, lower-case
/// (`CN=a,OU=b,DC=Contoso,DC=com` → `contoso.com`). Empty when there are none.
pub fn domain_of(dn: &str) -> String {
    rdns(dn)
        .iter()
        .filter(|r| rdn_type(r) == "DC")
        .map(|r| rdn_value(r).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(".")
}

/// The DN of a domain's naming context (`contoso.com` → `DC=contoso,DC=com`).
pub fn domain_dn(dns_name: &str) -> String {
    dns_name
        .split('.')
        .map(|p| format!("DC={}", escape(p)))
        .collect::<Vec<_>>()
        .join(",")
}

/// How many `OU=` components stand above the object (its OU depth; 0 outside any OU).
pub fn ou_depth(dn: &str) -> usize {
    rdns(dn)
        .iter()
        .skip(1)
        .filter(|r| rdn_type(r) == "OU")
        .count()
}

/// A form of `dn` for comparing names as AD does: case-insensitive, spaces around separators
/// ignored, escapes resolved and re-applied uniformly.
pub fn normalize(dn: &str) -> String {
    rdns(dn)
        .iter()
        .map(|r| format!("{}={}", rdn_type(r), escape(&rdn_value(r)).to_lowercase()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `dn` is `container` or lies below it.
pub fn is_within(dn: &str, container: &str) -> bool {
    let (d, c) = (normalize(dn), normalize(container));
    d == c || d.ends_with(&format!(",{c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_commas_stay_inside_their_rdn() {
        let dn = r"CN=Smith\, John,OU=Sales,DC=contoso,DC=com";
        assert_eq!(
            rdns(dn),
            vec![r"CN=Smith\, John", "OU=Sales", "DC=contoso", "DC=com"]
        );
        assert_eq!(rdn_value(rdns(dn)[0]), "Smith, John");
        assert_eq!(parent(dn), Some("OU=Sales,DC=contoso,DC=com"));
        assert_eq!(domain_of(dn), "contoso.com");
        assert_eq!(ou_depth(dn), 1);
    }

    #[test]
    fn escape_and_unescape_round_trip() {
        for v in [
            "Smith, John",
            " lead",
            "a+b=c",
            "quote\"d",
            "#hash",
            "back\\slash",
            "line\nbreak",
        ] {
            assert_eq!(unescape(&escape(v)), v, "{v}");
        }
        assert_eq!(unescape(r"caf\C3\A9"), "café");
    }

    #[test]
    fn comparison_ignores_case_and_spacing() {
        assert!(is_within(
            "cn=A, ou=Sales, dc=Contoso, dc=COM",
            "OU=sales,DC=contoso,DC=com"
        ));
        assert!(!is_within(
            "CN=A,OU=Salesforce,DC=contoso,DC=com",
            "OU=Sales,DC=contoso,DC=com"
        ));
        assert_eq!(domain_dn("emea.contoso.com"), "DC=emea,DC=contoso,DC=com");
        assert!(is_well_formed("CN=x,DC=a"));
        assert!(!is_well_formed("garbage"));
        assert_eq!(parent("DC=com"), None);
    }
}
