//! Reads a live Active Directory over LDAP into the directory model, for users who want to
//! rehearse the upgrade of *their* directory without exporting it first.
//!
//! The search is what a careful LDIF export does: a subtree search of every entry under the
//! base (the server's `defaultNamingContext` when none is given), in pages of at most 1,000
//! entries (AD's MaxPageSize), with multi-valued attributes larger than AD's MaxValRange
//! (1,500) fetched part by part (`member;range=1500-*`), binary values kept as bytes,
//! continuation references counted and not followed, and the server's size and time limits
//! reported as errors. The entries are then written as LDIF records and read by the LDIF
//! reader, so a directory read over LDAP and the same directory read from an LDIF export give
//! the same model: one classifier, one set of checks.
//!
//! Nothing half-read is ever returned: a server that goes away, a limit, a malformed entry
//! each end the read with an error that says what happened and what to do.
//!
//! It must not know scenarios, the engine or the simulated world; the password comes in as a
//! [`Secret`] and is never logged, and `Debug` of [`LdapSource`] redacts it.

mod entry;
mod error;
mod render;
mod search;
mod tls;

pub use error::LdapReadError;
use std::path::PathBuf;
use std::time::Duration;
use upgrade_lab_model::Secret;
use upgrade_lab_simulator::ldif::LdifImport;

/// Entries per page: AD's default MaxPageSize.
pub const PAGE_SIZE: i32 = 1_000;

/// How to reach the directory.
#[derive(Clone)]
pub struct LdapSource {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    /// The DN (or `user@domain`) to bind as; anonymous when `None`.
    pub bind_dn: Option<String>,
    /// The bind password (redacted in `Debug`, never logged); required with `bind_dn`.
    pub password: Option<Secret>,
    /// The search base; the server's `defaultNamingContext` when `None`.
    pub base: Option<String>,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    pub starttls: bool,
    /// PEM file of the certificate authorities to trust for LDAPS and StartTLS; the system's
    /// roots when `None`.
    pub ca_file: Option<PathBuf>,
    /// How long to wait for the connection and for each answer.
    pub timeout: Duration,
}

impl std::fmt::Debug for LdapSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapSource")
            .field("url", &self.url)
            .field("bind_dn", &self.bind_dn)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("base", &self.base)
            .field("starttls", &self.starttls)
            .field("ca_file", &self.ca_file)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl LdapSource {
    /// A source with a 30-second timeout, anonymous, no StartTLS, the system's roots.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            bind_dn: None,
            password: None,
            base: None,
            starttls: false,
            ca_file: None,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A directory read over LDAP, and how the read went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LdapImport {
    /// The model and what it does not hold, as the LDIF reader counts it.
    pub import: LdifImport,
    /// The search base used.
    pub base: String,
    /// Values fetched by ranged retrieval beyond the first part, over all attributes.
    pub ranged_values: usize,
}

/// Reads every entry under the base into the directory model.
pub fn read_directory(source: &LdapSource) -> Result<LdapImport, LdapReadError> {
    let mut conn = search::connect(source)?;
    let base = match &source.base {
        Some(b) => b.clone(),
        None => search::default_naming_context(&mut conn, source)?,
    };
    let read = search::all_entries(&mut conn, &base, source)?;
    let _ = conn.unbind();
    let import = upgrade_lab_simulator::ldif::read_directory(&read.rendered.text).map_err(|e| {
        LdapReadError::Model {
            dn: read.rendered.dn_at(e.line).unwrap_or("?").to_string(),
            reason: e.kind.to_string(),
        }
    })?;
    Ok(LdapImport {
        import,
        base,
        ranged_values: read.ranged_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_password() {
        let mut s = LdapSource::new("ldap://127.0.0.1");
        s.password = Some(Secret::new("Hunter2-Planted"));
        let text = format!("{s:?}");
        assert!(!text.contains("Hunter2"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }
}
