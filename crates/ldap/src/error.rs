//! Why a directory could not be read over LDAP: what happened, where, and what to do. The
//! password is never part of a message.

/// A failed LDAP read. Nothing of a failed read is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapReadError {
    /// No TCP (or TLS) connection to the server.
    #[error(
        "{url}: {reason}; check the URL (ldap://host:389 or ldaps://host:636), that the server answers and, for TLS, --ca-file"
    )]
    Connect {
        /// The `--ldap` URL.
        url: String,
        /// What the client library said.
        reason: String,
    },
    /// The TLS configuration (CA file, StartTLS) could not be set up.
    #[error("{url}: the TLS setup failed: {reason}")]
    Tls {
        /// The `--ldap` URL.
        url: String,
        /// What went wrong: an unreadable CA file, a refused StartTLS.
        reason: String,
    },
    /// The server refused the simple bind.
    #[error(
        "{url}: binding as '{bind_dn}' failed: {reason}; check the bind DN (or user@domain) and the password"
    )]
    Bind {
        /// The `--ldap` URL.
        url: String,
        /// The DN or `user@domain` bound as (never the password).
        bind_dn: String,
        /// The server's result code and message.
        reason: String,
    },
    /// A bind DN was given without a password.
    #[error(
        "{url}: a bind DN needs a password; set it in the environment variable or type it at the prompt"
    )]
    NoPassword {
        /// The `--ldap` URL.
        url: String,
    },
    /// No `--base` given and the rootDSE names no default naming context.
    #[error("{url}: the rootDSE names no defaultNamingContext; give the search base with --base")]
    NoDefaultNamingContext {
        /// The `--ldap` URL.
        url: String,
    },
    /// The search itself failed (a bad base, no rights).
    #[error("{url}: the search under '{base}' failed: {reason}")]
    Search {
        /// The `--ldap` URL.
        url: String,
        /// The search base.
        base: String,
        /// The server's result code and message.
        reason: String,
    },
    /// The server stopped the search at a size or time limit.
    #[error(
        "{url}: the server stopped the search under '{base}' at its {limit} after {entries} entries; nothing was kept: raise the server's limit (AD: MaxPageSize, MaxQueryDuration in the LDAP policy) or search a smaller base"
    )]
    Limit {
        /// The `--ldap` URL.
        url: String,
        /// The search base.
        base: String,
        /// `size limit` or `time limit`.
        limit: &'static str,
        /// Entries read before it stopped (all discarded).
        entries: usize,
    },
    /// The base is held by another server (a referral instead of entries).
    #[error("{url}: '{base}' is held by another server ({referrals}); point --ldap at that server")]
    Referral {
        /// The `--ldap` URL.
        url: String,
        /// The search base.
        base: String,
        /// The referral URLs, `; `-separated.
        referrals: String,
    },
    /// The connection dropped mid-search.
    #[error(
        "{url}: the connection was lost after {entries} entries ({reason}); nothing was kept: run again when the server is back"
    )]
    Lost {
        /// The `--ldap` URL.
        url: String,
        /// Entries read before it was lost (all discarded).
        entries: usize,
        /// What the client library said.
        reason: String,
    },
    /// The server sent something that is not a search result entry.
    #[error(
        "{url}: the server sent an entry that is not a well-formed LDAP SearchResultEntry after {entries} entries; nothing was kept"
    )]
    Malformed {
        /// The `--ldap` URL.
        url: String,
        /// Entries read before it (all discarded).
        entries: usize,
    },
    /// An entry read fine but does not fit the directory model (the shared LDIF reader's error).
    #[error("entry '{dn}': {reason}")]
    Model {
        /// The entry's DN.
        dn: String,
        /// Why the model refuses it.
        reason: String,
    },
}
