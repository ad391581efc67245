//! Distinguished names (RFC 4514) as AD writes them: splitting into RDNs with escapes and quotes
//! respected, comparing without regard to case, and reading the domain out of `DC=` components.

/// The RDNs of `dn`, outermost last, each trimmed and still escaped as written.
/// `CN=Smith\, John,OU=Sales,DC=contoso,DC=com` → `["CN=Smith\, John", "OU=Sales", "DC=contoso", "DC=com"]`.
pub fn rdns(dn: &str) -> Vec<&str> {
    rdn_iter(dn).collect()
}

/// The RDNs of `dn` one by one, without allocating: the one DN splitter of the workspace
/// (`rdns` collects it; the LDIF reader walks it per entry).
pub fn rdn_iter(dn: &str) -> Rdns<'_> {
    Rdns {
        dn,
        pos: 0,
        done: false,
    }
}

/// The iterator of [`rdn_iter`]: a `,` or `;` outside quotes and not escaped ends an RDN; an
/// empty last RDN is yielded only when an RDN came before it (`"CN=a,"` → `["CN=a", ""]`).
#[derive(Clone, Debug)]
pub struct Rdns<'a> {
    dn: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> Rdns<'a> {
    /// The text after the RDNs yielded so far (after their separator); empty once the last
    /// RDN was yielded.
    pub fn rest(&self) -> &'a str {
        if self.done { "" } else { &self.dn[self.pos..] }
    }
}

impl<'a> Iterator for Rdns<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.done {
            return None;
        }
        let bytes = self.dn.as_bytes();
        let start = self.pos;
        let (mut i, mut quoted) = (start, false);
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'"' => quoted = !quoted,
                b',' | b';' if !quoted => {
                    self.pos = i + 1;
                    return Some(trim(&self.dn[start..i]));
                }
                _ => {}
            }
            i += 1;
        }
        self.done = true;
        let last = trim(self.dn.get(start..).unwrap_or(""));
        (!last.is_empty() || start > 0).then_some(last)
    }
}

/// `s` without the whitespace around it, keeping a trailing space that is escaped
/// (`Zoë\ ` stays `Zoë\ `; after an escaped backslash, `a\\ `, the space goes).
fn trim(s: &str) -> &str {
    let t = s.trim_start();
    let end = t.trim_end().len();
    let backslashes = t.as_bytes()[..end]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    if backslashes % 2 == 1 {
        // The whitespace character after the odd backslash is escaped: it is part of the value.
        let escaped = t[end..].chars().next().map_or(0, char::len_utf8);
        &t[..end + escaped]
    } else {
        &t[..end]
    }
}

/// Whether `dn` is well formed enough to sync: every RDN is `type=value` with a non-empty type.
pub fn is_well_formed(dn: &str) -> bool {
    let mut any = false;
    for r in rdn_iter(dn) {
        any = true;
        let Some((t, _)) = r.split_once('=') else {
            return false;
        };
        let t = t.trim();
        if t.is_empty()
            || !t
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
        {
            return false;
        }
    }
    any
}

/// What a reader checks of a DN, found in one walk over its RDNs (see [`shape`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The first RDN is `DC=…`: the DN names a domain or a DNS application partition.
    pub first_is_dc: bool,
    /// Byte offset of the first `DC=` RDN (as trimmed): where the domain part starts.
    pub dc_start: Option<usize>,
}

/// `None` unless `is_well_formed(dn)`; else whether its first RDN is `DC=` and where its first
/// `DC=` RDN starts: what `is_well_formed`, `rdn_type_is(first, "DC")` and a search for the
/// first `DC=` RDN would say, in one walk.
pub fn shape(dn: &str) -> Option<Shape> {
    let mut shape = Shape {
        first_is_dc: false,
        dc_start: None,
    };
    let mut any = false;
    for r in rdn_iter(dn) {
        let t = r[..r.bytes().position(|b| b == b'=')?].trim();
        if t.is_empty()
            || !t
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
        {
            return None;
        }
        let dc = t.eq_ignore_ascii_case("DC");
        shape.first_is_dc |= dc && !any;
        if dc && shape.dc_start.is_none() {
            // `r` is a slice of `dn`: its offset is where it starts.
            shape.dc_start = Some(r.as_ptr().addr() - dn.as_ptr().addr());
        }
        any = true;
    }
    any.then_some(shape)
}

/// Whether an RDN's attribute type is `ty` (ASCII case ignored, spaces around it too).
pub fn rdn_type_is(rdn: &str, ty: &str) -> bool {
    // Byte by byte: `=` is ASCII, and a per-RDN call should not run a string searcher.
    rdn.bytes()
        .position(|b| b == b'=')
        .is_some_and(|i| rdn[..i].trim().eq_ignore_ascii_case(ty))
}

/// The attribute type of an RDN, upper-cased (`ou=Sales` → `OU`).
pub fn rdn_type(rdn: &str) -> String {
    rdn.split_once('=')
        .map(|(t, _)| t.trim().to_ascii_uppercase())
        .unwrap_or_default()
}

/// The value of an RDN, unescaped (`CN=Smith\, John` → `Smith, John`).
pub fn rdn_value(rdn: &str) -> String {
    unescape(rdn.split_once('=').map_or("", |(_, v)| v))
}

/// Removes RFC 4514 escapes: `\,` and friends, and `\XX` hex pairs.
pub fn unescape(value: &str) -> String {
    let v = trim(value);
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
            if let Some(b) = hex {
                bytes.push(b);
                i += 3;
            } else {
                bytes.push(raw[i + 1]);
                i += 2;
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
    for (i, c) in value.char_indices() {
        // `i` is a byte offset: the last character ends at the byte length.
        let edge =
            (i == 0 && (c == ' ' || c == '#')) || (i + c.len_utf8() == value.len() && c == ' ');
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
    let mut out = String::new();
    for (i, r) in rdn_iter(dn).filter(|r| rdn_type_is(r, "DC")).enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_value_lowercase(&mut out, r);
    }
    out
}

/// Appends an RDN's value, unescaped and ASCII-lower-cased, to `out` (what
/// `rdn_value(rdn).to_ascii_lowercase()` gives, without allocating when nothing is escaped).
fn push_value_lowercase(out: &mut String, rdn: &str) {
    let value = rdn.split_once('=').map_or("", |(_, v)| v);
    let start = out.len();
    if value.contains(['\\', '"']) {
        out.push_str(&unescape(value));
    } else {
        out.push_str(value.trim());
    }
    out[start..].make_ascii_lowercase();
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
    rdn_iter(dn)
        .skip(1)
        .filter(|r| rdn_type_is(r, "OU"))
        .count()
}

/// `ou_depth(dn)`, and the part of `dn` from its first `DC=` RDN to the end (empty when it
/// has none), in one walk: `domain_of` of that part is `domain_of(dn)`.
pub fn ou_depth_and_dc_suffix(dn: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut suffix = None;
    let mut rdns = rdn_iter(dn);
    let mut start = 0;
    let mut first = true;
    while let Some(r) = rdns.next() {
        if suffix.is_none() && rdn_type_is(r, "DC") {
            suffix = Some(start);
        }
        if !first && rdn_type_is(r, "OU") {
            depth += 1;
        }
        first = false;
        start = dn.len() - rdns.rest().len();
    }
    (depth, suffix.map_or("", |s| &dn[s..]))
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
            "Zoë ",
            "lead ",
            "  two ",
        ] {
            assert_eq!(unescape(&escape(v)), v, "{v}");
        }
        assert_eq!(unescape(r"caf\C3\A9"), "café");
    }

    /// A trailing space is escaped after any text: the last character is found by its byte
    /// offset, not by counting characters against the byte length.
    #[test]
    fn a_trailing_space_after_non_ascii_text_is_escaped() {
        assert_eq!(escape("Zoë "), r"Zoë\ ");
        assert_eq!(escape("Zoe "), r"Zoe\ ");
        assert_eq!(escape("日本 "), r"日本\ ");
        // Not the space in the middle that a character count would point at.
        assert_eq!(escape("é é "), r"é é\ ");
    }

    /// An escaped trailing space is part of the value: splitting and unescaping keep it.
    #[test]
    fn an_escaped_trailing_space_is_kept() {
        assert_eq!(unescape(r"Zoë\ "), "Zoë ");
        assert_eq!(unescape(r"Zoë\  "), "Zoë ");
        assert_eq!(rdns(r"CN=Zoë\ ,DC=x"), [r"CN=Zoë\ ", "DC=x"]);
        assert_eq!(rdns(r"CN=Zoë\ "), [r"CN=Zoë\ "]);
        assert_eq!(rdn_value(r"CN=Zoë\ "), "Zoë ");
        // After an escaped backslash the space is not escaped: it goes.
        assert_eq!(unescape(r"a\\ "), "a\\");
        assert_eq!(rdns(r"CN=a\\ , DC=x"), [r"CN=a\\", "DC=x"]);
        assert_eq!(trim(" \u{a0}x\\\u{a0} "), "x\\\u{a0}");
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

    /// `domain_of` and `ou_depth` as they were written before they walked the RDNs in place:
    /// the allocation-free forms must give the same answers, escapes and case included.
    #[test]
    fn domain_and_depth_match_their_plain_definitions() {
        let plain_domain = |dn: &str| {
            rdns(dn)
                .iter()
                .filter(|r| rdn_type(r) == "DC")
                .map(|r| rdn_value(r).to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(".")
        };
        let plain_depth = |dn: &str| {
            rdns(dn)
                .iter()
                .skip(1)
                .filter(|r| rdn_type(r) == "OU")
                .count()
        };
        for dn in [
            "CN=a,OU=b,ou=c,DC=Contoso,DC=COM",
            r"CN=a,DC=conCtoso,DC=com",
            r#"CN=a,DC="Con,toso",dc= com "#,
            "OU=x,OU=y",
            "CN=a,DC=,DC=com",
            "CN=a;dc=x;DC=Émea",
            "DC",
            "",
            "dc = a . b , DC=c",
            "CN=a,DC=x,OU=y,dc=Z",
            "DC=x, OU=y",
            " dc = x ,DC=y",
            "CN=a,=b,DC=c",
            "CN=a,b,DC=c",
            "CN=a,DC=b,",
        ] {
            assert_eq!(domain_of(dn), plain_domain(dn), "{dn}");
            assert_eq!(ou_depth(dn), plain_depth(dn), "{dn}");
            let plain_shape = is_well_formed(dn).then(|| Shape {
                first_is_dc: rdns(dn).first().is_some_and(|r| rdn_type_is(r, "DC")),
                dc_start: rdns(dn)
                    .into_iter()
                    .find(|r| rdn_type_is(r, "DC"))
                    .map(|r| r.as_ptr().addr() - dn.as_ptr().addr()),
            });
            assert_eq!(shape(dn), plain_shape, "{dn}");
            let (depth, suffix) = ou_depth_and_dc_suffix(dn);
            assert_eq!(
                (depth, domain_of(suffix)),
                (plain_depth(dn), plain_domain(dn)),
                "{dn}"
            );
        }
        let mut it = rdn_iter("CN=a,OU=b,DC=c");
        it.next();
        assert_eq!(it.rest(), "OU=b,DC=c");
        it.by_ref().for_each(drop);
        assert_eq!(it.rest(), "");
        assert_eq!(rdns("CN=a, DC=b ,"), vec!["CN=a", "DC=b", ""]);
        assert_eq!(rdns(r#"CN=x\",DC=y"#), vec![r#"CN=x\""#, "DC=y"]);
        assert!(rdn_type_is(" ou = Sales", "OU") && !rdn_type_is("OUX=a", "OU"));
    }
}
