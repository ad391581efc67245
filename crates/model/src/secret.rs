//! Secrets (passwords, tokens): held in memory only. `Debug` and `Display` redact them and they
//! have no `Serialize`, so no report, log line or settings file can carry one.

use std::fmt;

/// A password or token. Compare with `expose` only where a credential is checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password or token.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret text, for the one place that checks it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An account name with its password, as typed into a wizard page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// The account name (`admin@contoso.onmicrosoft.com`, `CONTOSO\ea`); safe to show.
    pub account: String,
    /// Its password, redacted wherever it is shown.
    pub password: Secret,
}

impl Credential {
    /// An account with its password.
    pub fn new(account: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            account: account.into(),
            password: Secret::new(password),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_password() {
        let c = Credential::new("admin@contoso.onmicrosoft.com", "Hunter2!");
        let shown = format!("{c:?} {}", c.password);
        assert!(!shown.contains("Hunter2"), "{shown}");
        assert!(shown.contains("admin@contoso.onmicrosoft.com"));
    }
}
