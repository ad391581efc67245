//! `--anonymise`: every name of the directory — names (cn, displayName, givenName, sn),
//! sAMAccountNames, UPNs, mail and proxy addresses, each component of each DN, domain names —
//! replaced by a stable pseudonym, in the finished text of any output (Markdown, HTML with its
//! SVG, JSON), so a plan can be shared. A pseudonym is a hash of the value: the same name gives
//! the same pseudonym in every output and every run.
//!
//! Names are matched whole (a name inside a longer word is that word, not the name), ignoring
//! ASCII case as the directory does, as written and in their HTML-escaped form; the longest name
//! at a place wins, so a UPN is replaced as one and not as its parts. JSON is anonymised value by
//! value (its keys are the plan's own), HTML outside its tags (tag and attribute names are the
//! page's own). Names every Active Directory has ([`WELL_KNOWN`]) and the last label of a domain
//! name (`com`, `local`: a public suffix) identify nobody and stay, so the plan's own words
//! (`users`, `login.microsoftonline.com`) read as written.

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::fmt::Write;
use upgrade_lab_model::Directory;

/// What a name is, which picks its pseudonym's prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// A display, common, given or surname.
    Name,
    /// A pre-Windows 2000 logon name.
    SamAccountName,
    /// A userPrincipalName (its parts are replaced too).
    Upn,
    /// A mail or proxy address.
    Mail,
    /// The value of one DN component (`CN=`, `OU=`, `DC=`).
    DnComponent,
    /// A DNS domain name of the forest.
    Domain,
}

impl NameKind {
    fn prefix(self) -> &'static str {
        match self {
            NameKind::Name => "name",
            NameKind::SamAccountName => "account",
            NameKind::Upn => "upn",
            NameKind::Mail => "mail",
            NameKind::DnComponent => "dn",
            NameKind::Domain => "domain",
        }
    }
}

/// Container names every Active Directory holds; they identify nobody and are left alone.
pub const WELL_KNOWN: &[&str] = &[
    "Users",
    "Computers",
    "Builtin",
    "System",
    "Domain Controllers",
    "ForeignSecurityPrincipals",
    "Program Data",
    "Managed Service Accounts",
    "LostAndFound",
    "Infrastructure",
];

/// Whether a name is left alone: a well-known container or a domain's last label.
pub fn is_public(name: &str, d: &Directory) -> bool {
    WELL_KNOWN.iter().any(|w| w.eq_ignore_ascii_case(name))
        || d.domains
            .iter()
            .map(|x| x.dns_name.to_string())
            .chain([d.forest.to_string()])
            .any(|dns| {
                dns.rsplit('.')
                    .next()
                    .is_some_and(|tld| tld.eq_ignore_ascii_case(name))
            })
}

/// The stable pseudonym of `value`: `<kind>-<8 hex digits of SHA-256 of the value>`.
pub fn pseudonym(kind: NameKind, value: &str) -> String {
    let digest = Sha256::digest(format!("upgrade-lab-anonymise\0{value}").as_bytes());
    let hex = digest[..4]
        .iter()
        .fold(String::with_capacity(8), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
    format!("{}-{hex}", kind.prefix())
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The leading run of word characters.
fn first_word(s: &str) -> &str {
    let end = s.find(|c: char| !is_word(c)).unwrap_or(s.len());
    &s[..end]
}

/// The values of a DN's components (`CN=Doe\, John,OU=Staff` → `Doe\, John`, `Doe, John`,
/// `Staff`).
fn dn_components(dn: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = dn;
    while !rest.is_empty() {
        let mut end = rest.len();
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                ',' if !escaped => {
                    end = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        if let Some((_, value)) = rest[..end].split_once('=') {
            let value = value.trim();
            out.push(value.to_string());
            if value.contains('\\') {
                out.push(value.replace('\\', ""));
            }
        }
        rest = rest.get(end + 1..).unwrap_or("");
    }
    out
}

/// Every name of the directory, with its kind, in directory order.
pub fn names(d: &Directory) -> Vec<(NameKind, String)> {
    let mut out = Vec::new();
    let address = |out: &mut Vec<(NameKind, String)>, kind, value: &str| {
        out.push((kind, value.to_string()));
        if let Some((local, domain)) = value.split_once('@') {
            out.push((NameKind::SamAccountName, local.to_string()));
            out.push((NameKind::Domain, domain.to_string()));
        }
    };
    for dom in &d.domains {
        out.push((NameKind::Domain, dom.dns_name.to_string()));
    }
    out.push((NameKind::Domain, d.forest.to_string()));
    for ou in &d.organizational_units {
        out.extend(
            dn_components(&ou.dn)
                .into_iter()
                .map(|c| (NameKind::DnComponent, c)),
        );
    }
    for o in &d.objects {
        let a = &o.attrs;
        out.extend(
            dn_components(&o.dn)
                .into_iter()
                .map(|c| (NameKind::DnComponent, c)),
        );
        for n in [a.cn(), a.display_name(), a.given_name(), a.sn()]
            .into_iter()
            .flatten()
        {
            out.push((NameKind::Name, n.to_string()));
        }
        if let Some(s) = a.sam_account_name() {
            out.push((NameKind::SamAccountName, s.to_string()));
        }
        if let Some(u) = a.user_principal_name() {
            address(&mut out, NameKind::Upn, u);
        }
        if let Some(m) = a.mail() {
            address(&mut out, NameKind::Mail, m);
        }
        for p in a.proxy_addresses() {
            let bare = p.split_once(':').map_or(p, |(_, v)| v);
            address(&mut out, NameKind::Mail, bare);
        }
    }
    out
}

/// Replaces a directory's names with their pseudonyms.
#[derive(Debug, Default)]
pub struct Anonymiser {
    /// Written form → pseudonym, grouped by the form's first word, longest form first.
    by_word: FxHashMap<String, Vec<(String, String)>>,
}

impl Anonymiser {
    /// For every name of `d`.
    pub fn for_directory(d: &Directory) -> Self {
        Self::for_directory_except(d, None)
    }

    /// **Test affordance**: leaves the names of one kind alone, so a test can show the check
    /// of the outputs catches a name that was not anonymised.
    #[doc(hidden)]
    pub fn for_directory_except(d: &Directory, skip: Option<NameKind>) -> Self {
        let mut a = Self::default();
        let mut seen = rustc_hash::FxHashSet::default();
        for (kind, value) in names(d) {
            if Some(kind) == skip
                || value.trim().is_empty()
                || is_public(&value, d)
                || !seen.insert(value.to_ascii_lowercase())
            {
                continue;
            }
            let p = pseudonym(kind, &value.to_ascii_lowercase());
            let mut forms = vec![
                value.to_ascii_lowercase(),
                html_escaped(&value).to_ascii_lowercase(),
            ];
            forms.sort();
            forms.dedup();
            for f in forms {
                a.add(f, p.clone());
            }
        }
        for list in a.by_word.values_mut() {
            list.sort_by(|x, y| y.0.len().cmp(&x.0.len()).then_with(|| x.0.cmp(&y.0)));
            list.dedup_by(|x, y| x.0 == y.0);
        }
        a
    }

    /// `form` must be ASCII-lowercase.
    fn add(&mut self, form: String, pseudonym: String) {
        let key = first_word(&form).to_string();
        self.by_word.entry(key).or_default().push((form, pseudonym));
    }

    /// The form written at the start of `rest` and its pseudonym, when one is.
    fn at<'a>(&'a self, key: &str, rest: &str) -> Option<&'a (String, String)> {
        self.by_word.get(key)?.iter().find(|(form, _)| {
            rest.starts_with(form.as_str())
                && rest[form.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !is_word(c))
        })
    }

    /// `text` with every name replaced.
    pub fn apply(&self, text: &str) -> String {
        // ASCII lowercasing keeps every byte offset, so `lower` and `text` share them.
        let lower = text.to_ascii_lowercase();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        let mut prev_word = false;
        while i < text.len() {
            let rest = &lower[i..];
            let c = rest.chars().next().unwrap_or(' ');
            let key = if is_word(c) { first_word(rest) } else { "" };
            let hit = if prev_word && is_word(c) {
                None
            } else {
                self.at(key, rest)
            };
            if let Some((form, p)) = hit {
                out.push_str(p);
                i += form.len();
                prev_word = true;
            } else if is_word(c) {
                out.push_str(&text[i..i + key.len()]);
                i += key.len();
                prev_word = true;
            } else {
                out.push_str(&text[i..i + c.len_utf8()]);
                i += c.len_utf8();
                prev_word = false;
            }
        }
        out
    }

    /// An HTML page with every name of its text replaced; tags are left as they are.
    pub fn apply_html(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            out.push_str(&self.apply(&rest[..open]));
            let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
            out.push_str(&rest[open..close]);
            rest = &rest[close..];
        }
        out.push_str(&self.apply(rest));
        out
    }

    /// Every string value of a JSON document anonymised; keys are left as they are.
    pub fn apply_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = self.apply(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| self.apply_json(v)),
            serde_json::Value::Object(m) => m.values_mut().for_each(|v| self.apply_json(v)),
            _ => {}
        }
    }
}

fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_components_keep_escaped_commas_in_their_value() {
        assert_eq!(
            dn_components("CN=Doe\\, John,OU=Staff,DC=contoso,DC=com"),
            ["Doe\\, John", "Doe, John", "Staff", "contoso", "com"]
        );
    }

    #[test]
    fn whole_names_only_and_the_longest_first() {
        let mut a = Anonymiser::default();
        a.add("lab".into(), "dn-1".into());
        a.add("lab.test".into(), "domain-2".into());
        a.add("user1@lab.test".into(), "upn-3".into());
        a.add("user1".into(), "account-4".into());
        for list in a.by_word.values_mut() {
            list.sort_by_key(|y| std::cmp::Reverse(y.0.len()));
        }
        assert_eq!(
            a.apply("User1@Lab.test, user1, lab.test, LAB, upgrade-lab, label, user10, x.lab"),
            "upn-3, account-4, domain-2, dn-1, upgrade-lab, label, user10, x.dn-1"
        );
        assert_eq!(
            a.apply_html("<td class=\"lab\">lab &amp; user1</td>"),
            "<td class=\"lab\">dn-1 &amp; account-4</td>"
        );
        let mut j = serde_json::json!({"lab": ["lab.test", 3]});
        a.apply_json(&mut j);
        assert_eq!(j, serde_json::json!({"lab": ["domain-2", 3]}));
    }

    #[test]
    fn pseudonyms_are_stable_and_differ_by_value() {
        assert_eq!(
            pseudonym(NameKind::Name, "Ann"),
            pseudonym(NameKind::Name, "Ann")
        );
        assert_ne!(
            pseudonym(NameKind::Name, "Ann"),
            pseudonym(NameKind::Name, "Bob")
        );
    }
}
