//! Writes a directory as LDIF, the way `ldifde -f` exports it, so that the file reads back (with
//! `read.rs`) to an equal `Directory`.
//!
//! Choices, each deliberate:
//! - a `version: 1` line first (RFC 2849 asks for it; `ldifde -i` accepts it), then one
//!   record per domain, OU and object, in the directory's own order (domains, OUs, objects), so
//!   the output is deterministic and reads back in the same order;
//! - `changetype: add` on every record and CRLF line endings, as ldifde writes;
//! - `objectClass` chains as AD holds them (`top, person, organizationalPerson, user`);
//! - `objectGUID::` and `ms-DS-ConsistencyGuid::` as base64 of the Windows byte order;
//! - base64 (`::`) for every value RFC 2849 does not allow plain: a leading space, `:` or `<`,
//!   a trailing space, NUL, CR, LF or any non-ASCII character (DNs included, `dn::`);
//! - lines folded at 78 columns (continuations are one space plus 77 characters);
//! - `whenChanged` as generalized time from ms since 1970 (`time.rs`) and `uSNChanged`, each
//!   left out when 0 (which is what the reader gives an entry without them); a domain's
//!   `nETBIOSName` only when it differs from the name the reader would derive (the first DNS
//!   label, upper-case), since real domainDNS objects do not carry it.
//!
//! The forest name is not written: the reader takes the shortest domain name as the forest.

use super::names;
use super::time;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::io::{self, Write};
use upgrade_lab_model::{Directory, DirectoryObject, Domain, ObjectKind, OrganizationalUnit, dn};

/// The widest line the writer emits: the customary LDIF width, at which Samba's ldb folds too.
const FOLD_COLUMNS: usize = 78;

/// Writes `dir` as LDIF to `out`.
pub fn write_directory(dir: &Directory, out: &mut impl Write) -> io::Result<()> {
    let mut w = RecordWriter::default();
    w.record.push_str("version: 1\r\n\r\n");
    for d in &dir.domains {
        w.domain(d);
        w.flush(out)?;
    }
    for ou in &dir.organizational_units {
        w.organizational_unit(ou);
        w.flush(out)?;
    }
    for o in &dir.objects {
        w.object(o)?;
        w.flush(out)?;
    }
    Ok(())
}

#[derive(Default)]
struct RecordWriter {
    /// The record being written, folded, with CRLF line endings.
    record: String,
    /// One unfolded line.
    line: String,
}

impl RecordWriter {
    fn flush(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.record.push_str("\r\n");
        out.write_all(self.record.as_bytes())?;
        self.record.clear();
        Ok(())
    }

    fn head(&mut self, dn_text: &str, classes: &[&str]) {
        self.attr("dn", dn_text);
        self.plain("changetype", "add");
        for c in classes {
            self.plain("objectClass", c);
        }
    }

    fn domain(&mut self, d: &Domain) {
        let dn_text = d.dn();
        self.head(&dn_text, &["top", "domain", "domainDNS"]);
        self.attr("distinguishedName", &dn_text);
        if *d.netbios_name != *names::default_netbios(&d.dns_name) {
            self.attr("nETBIOSName", &d.netbios_name);
        }
    }

    fn organizational_unit(&mut self, ou: &OrganizationalUnit) {
        self.head(&ou.dn, &["top", "organizationalUnit"]);
        if let Some(first) = names::rdns(&ou.dn).next() {
            self.attr("ou", &dn::rdn_value(first));
        }
        self.attr("distinguishedName", &ou.dn);
        self.guid("objectGUID", &ou.guid.to_windows_bytes());
    }

    fn object(&mut self, o: &DirectoryObject) -> io::Result<()> {
        let classes: &[&str] = match o.kind {
            ObjectKind::User => &["top", "person", "organizationalPerson", "user"],
            ObjectKind::Contact => &["top", "person", "organizationalPerson", "contact"],
            ObjectKind::Group => &["top", "group"],
        };
        self.head(&o.dn, classes);
        let a = &*o.attrs;
        let when = time::format_generalized(o.when_changed_ms).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "whenChanged of {} is {} ms after 1970, past the year 9999 that LDIF generalized time can hold; use a smaller simulated time",
                    o.dn, o.when_changed_ms
                ),
            )
        })?;
        self.opt("cn", a.cn());
        self.opt("sn", a.sn());
        self.opt("title", a.title());
        self.opt("description", a.description());
        self.opt("telephoneNumber", a.telephone_number());
        self.opt("givenName", a.given_name());
        self.attr("distinguishedName", &o.dn);
        // 0 is what the reader gives an entry without them, so 0 is left out.
        if o.when_changed_ms != 0 {
            self.plain("whenChanged", &when);
        }
        self.opt("displayName", a.display_name());
        if o.usn_changed != 0 {
            self.plain("uSNChanged", &o.usn_changed.to_string());
        }
        for m in &a.member {
            self.attr("member", m);
        }
        self.opt("department", a.department());
        self.opt("l", a.city());
        self.opt("manager", a.manager());
        self.guid("objectGUID", &o.guid.to_windows_bytes());
        if let Some(uac) = a.user_account_control() {
            self.plain("userAccountControl", &uac.to_string());
        }
        if let Some(gt) = a.group_type() {
            self.plain("groupType", &gt.to_string());
        }
        self.opt("sAMAccountName", a.sam_account_name());
        self.opt("userPrincipalName", a.user_principal_name());
        if a.is_critical_system_object() {
            self.plain("isCriticalSystemObject", "TRUE");
        }
        self.opt("mail", a.mail());
        for p in a.proxy_addresses() {
            self.attr("proxyAddresses", p);
        }
        for (n, v) in a.extension_attributes() {
            self.attr(&format!("extensionAttribute{n}"), v);
        }
        if let Some(g) = a.consistency_guid() {
            self.guid("ms-DS-ConsistencyGuid", &g.to_windows_bytes());
        }
        for (id, v) in a.extra.iter().flat_map(|e| e.iter()) {
            self.attr(id.flow().ad_name, v);
        }
        Ok(())
    }

    fn opt(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.attr(name, v);
        }
    }

    /// A value known to be safe as plain text (numbers, times, class names).
    fn plain(&mut self, name: &str, value: &str) {
        self.line.clear();
        self.line.push_str(name);
        self.line.push_str(": ");
        self.line.push_str(value);
        self.fold();
    }

    fn guid(&mut self, name: &str, bytes: &[u8; 16]) {
        self.line.clear();
        self.line.push_str(name);
        self.line.push_str(":: ");
        STANDARD.encode_string(bytes, &mut self.line);
        self.fold();
    }

    fn attr(&mut self, name: &str, value: &str) {
        self.line.clear();
        self.line.push_str(name);
        if needs_base64(value) {
            self.line.push_str(":: ");
            STANDARD.encode_string(value.as_bytes(), &mut self.line);
        } else if value.is_empty() {
            self.line.push(':');
        } else {
            self.line.push_str(": ");
            self.line.push_str(value);
        }
        self.fold();
    }

    /// Appends `line` to the record, folded at `FOLD_COLUMNS` (never inside a character).
    fn fold(&mut self) {
        let mut rest = self.line.as_str();
        let mut width = FOLD_COLUMNS;
        while rest.len() > width {
            let mut cut = width;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            self.record.push_str(&rest[..cut]);
            self.record.push_str("\r\n ");
            rest = &rest[cut..];
            width = FOLD_COLUMNS - 1;
        }
        self.record.push_str(rest);
        self.record.push_str("\r\n");
    }
}

/// Whether RFC 2849 requires base64 for `value` (not a SAFE-STRING, or ending in a space).
pub fn needs_base64(value: &str) -> bool {
    let b = value.as_bytes();
    matches!(b.first(), Some(b' ' | b':' | b'<'))
        || b.last() == Some(&b' ')
        || b.iter()
            .any(|c| matches!(c, 0 | b'\r' | b'\n') || *c >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_rfc_2849_forbids_plain_are_base64() {
        for v in [
            " lead",
            ":colon",
            "<angle",
            "trail ",
            "caf\u{e9}",
            "a\nb",
            "a\rb",
            "nul\0",
        ] {
            assert!(needs_base64(v), "{v:?}");
        }
        for v in ["", "Smith, John", "a: b", "x<y", "#hash", "dn:"] {
            assert!(!needs_base64(v), "{v:?}");
        }
    }

    #[test]
    fn a_time_past_year_9999_is_an_error_that_names_the_object() {
        use std::sync::Arc;
        use upgrade_lab_model::{Attributes, ObjectGuid};
        let dir = Directory {
            objects: vec![DirectoryObject {
                guid: ObjectGuid::default(),
                kind: ObjectKind::User,
                dn: Arc::from("CN=late,DC=x"),
                attrs: Arc::new(Attributes::default()),
                usn_changed: 1,
                when_changed_ms: time::MAX_MS + 1,
            }],
            ..Directory::default()
        };
        let e = write_directory(&dir, &mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(
            e.to_string()
                .starts_with("whenChanged of CN=late,DC=x is 253402300800000 ms")
        );
    }

    #[test]
    fn long_lines_fold_at_78_columns() {
        let mut w = RecordWriter::default();
        let value = "x".repeat(200);
        w.attr("description", &value);
        let lines: Vec<&str> = w.record.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.iter().all(|l| l.len() <= FOLD_COLUMNS), "{lines:?}");
        assert_eq!(lines[0].len(), 78);
        assert!(lines[1].starts_with(' '));
        let joined: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(joined, format!("description: {value}"));
    }
}
