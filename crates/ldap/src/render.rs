//! Entries read over LDAP, written as the LDIF records `ldifde -f` would write for them, so the
//! LDIF reader (one classifier, one set of checks) builds the model from both sources alike.
//! Each record's first line is remembered with its DN, so an error of the reader names the
//! entry rather than a line of text nobody saw.

use crate::entry::RawEntry;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use upgrade_lab_simulator::ldif::needs_base64;

/// LDIF text and the DN of the record starting at each line.
#[derive(Default)]
pub struct Rendered {
    pub text: String,
    /// (first line of the record, its DN), in line order.
    pub starts: Vec<(usize, String)>,
    lines: usize,
}

impl Rendered {
    /// Appends one entry as a record (`attribute;range=…` names already merged).
    pub fn entry(&mut self, entry: &RawEntry) {
        self.starts.push((self.lines + 1, entry.dn.clone()));
        self.line("dn", entry.dn.as_bytes());
        for (name, values) in &entry.attributes {
            for value in values {
                self.line(name, value);
            }
        }
        self.text.push('\n');
        self.lines += 1;
    }

    /// Appends a search continuation reference (`ref:` record), counted by the reader.
    pub fn reference(&mut self, url: &str) {
        self.starts
            .push((self.lines + 1, format!("(reference {url})")));
        self.line("ref", url.as_bytes());
        self.text.push('\n');
        self.lines += 1;
    }

    fn line(&mut self, name: &str, value: &[u8]) {
        self.text.push_str(name);
        match std::str::from_utf8(value) {
            Ok(text) if !needs_base64(text) => {
                self.text.push_str(": ");
                self.text.push_str(text);
            }
            _ => {
                self.text.push_str(":: ");
                STANDARD.encode_string(value, &mut self.text);
            }
        }
        self.text.push('\n');
        self.lines += 1;
    }

    /// The DN of the record that holds `line`.
    pub fn dn_at(&self, line: usize) -> Option<&str> {
        let i = self.starts.partition_point(|(start, _)| *start <= line);
        i.checked_sub(1).map(|i| self.starts[i].1.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values_stay_text_and_others_are_base64() {
        let mut r = Rendered::default();
        r.entry(&RawEntry {
            dn: "CN=Zoë,DC=lab,DC=test".into(),
            attributes: vec![
                ("cn".into(), vec![b"Ann".to_vec()]),
                ("objectGUID".into(), vec![vec![0xff, 0, 1]]),
                ("description".into(), vec![b" lead".to_vec()]),
            ],
        });
        r.reference("ldap://other.lab.test/DC=other");
        assert_eq!(
            r.text,
            "dn:: Q049Wm/DqyxEQz1sYWIsREM9dGVzdA==\ncn: Ann\nobjectGUID:: /wAB\n\
             description:: IGxlYWQ=\n\nref: ldap://other.lab.test/DC=other\n\n"
        );
        assert_eq!(r.dn_at(1), Some("CN=Zoë,DC=lab,DC=test"));
        assert_eq!(r.dn_at(4), Some("CN=Zoë,DC=lab,DC=test"));
        assert_eq!(
            r.dn_at(6),
            Some("(reference ldap://other.lab.test/DC=other)")
        );
        assert_eq!(r.dn_at(0), None);
    }

    #[test]
    fn every_record_start_is_its_own_line_number() {
        let mut r = Rendered::default();
        let entry = |dn: &str| RawEntry {
            dn: dn.into(),
            attributes: vec![("cn".into(), vec![b"x".to_vec(), b"y".to_vec()])],
        };
        r.entry(&entry("CN=A"));
        r.reference("ldap://b");
        r.reference("ldap://c");
        r.entry(&entry("CN=D"));
        let starts: Vec<usize> = r.starts.iter().map(|(line, _)| *line).collect();
        assert_eq!(starts, [1, 5, 7, 9]);
        for (line, dn) in &r.starts {
            let text_line = r.text.lines().nth(line - 1).unwrap();
            assert!(
                text_line.starts_with("dn: ") || text_line.starts_with("ref: "),
                "{dn}"
            );
        }
        assert_eq!(r.dn_at(8), Some("(reference ldap://c)"));
        assert_eq!(r.dn_at(12), Some("CN=D"));
    }

    #[test]
    fn the_rendered_text_reads_back_through_the_ldif_reader() {
        let mut r = Rendered::default();
        r.entry(&RawEntry {
            dn: "CN=Ann,OU=Staff,DC=lab,DC=test".into(),
            attributes: vec![
                (
                    "objectClass".into(),
                    vec![b"top".to_vec(), b"user".to_vec()],
                ),
                ("sAMAccountName".into(), vec![b"ann".to_vec()]),
                ("objectGUID".into(), vec![(1..=16).collect()]),
            ],
        });
        let import = upgrade_lab_simulator::ldif::read_directory(&r.text).unwrap();
        let ann = &import.directory.objects[0];
        assert_eq!(ann.attrs.sam_account_name(), Some("ann"));
        assert_eq!(
            ann.guid.to_string(),
            "04030201-0605-0807-090a-0b0c0d0e0f10",
            "objectGUID bytes are in Windows order"
        );
    }
}
