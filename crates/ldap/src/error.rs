//! Why a directory could not be read over LDAP: what happened, where, and what to do. The
//! password is never part of a message.

/// A failed LDAP read. Nothing of a failed read is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapReadError {
    #[error(
        "{url}: {reason}; check the URL (ldap://host:389 or ldaps://host:636), that the server answers and, for TLS, --ca-file"
    )]
    Connect { url: String, reason: String },
    #[error("{url}: the TLS setup failed: {reason}")]
    Tls { url: String, reason: String },
    #[error(
        "{url}: binding as '{bind_dn}' failed: {reason}; check the bind DN (or user@domain) and the password"
    )]
    Bind {
        url: String,
        bind_dn: String,
        reason: String,
    },
    #[error(
        "{url}: a bind DN needs a password; set it in the environment variable or type it at the prompt"
    )]
    NoPassword { url: String },
    #[error("{url}: the rootDSE names no defaultNamingContext; give the search base with --base")]
    NoDefaultNamingContext { url: String },
    #[error("{url}: the search under '{base}' failed: {reason}")]
    Search {
        url: String,
        base: String,
        reason: String,
    },
    #[error(
        "{url}: the server stopped the search under '{base}' at its {limit} after {entries} entries; nothing was kept: raise the server's limit (AD: MaxPageSize, MaxQueryDuration in the LDAP policy) or search a smaller base"
    )]
    Limit {
        url: String,
        base: String,
        limit: &'static str,
        entries: usize,
    },
    #[error("{url}: '{base}' is held by another server ({referrals}); point --ldap at that server")]
    Referral {
        url: String,
        base: String,
        referrals: String,
    },
    #[error(
        "{url}: the connection was lost after {entries} entries ({reason}); nothing was kept: run again when the server is back"
    )]
    Lost {
        url: String,
        entries: usize,
        reason: String,
    },
    #[error(
        "{url}: the server sent an entry that is not a well-formed LDAP SearchResultEntry after {entries} entries; nothing was kept"
    )]
    Malformed { url: String, entries: usize },
    #[error("entry '{dn}': {reason}")]
    Model { dn: String, reason: String },
}
