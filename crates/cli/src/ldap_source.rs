//! `--ldap URL` and its companions: where a command reads a live directory instead of a file.
//! The password never comes from a flag (it would sit in the shell history and in `ps`): it
//! comes from an environment variable, else from a prompt on the terminal, and goes no further
//! than the bind.

use crate::error::CliError;
use crate::formats::DirectoryFile;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;
use upgrade_lab_ldap::{LdapSource, read_directory};
use upgrade_lab_model::Secret;

/// The environment variable the bind password is read from by default.
pub const PASSWORD_VARIABLE: &str = "UPGRADE_LAB_LDAP_PASSWORD";

/// Reading a live directory over LDAP.
#[derive(Debug, Clone, Args)]
pub struct LdapArgs {
    /// Read a live directory instead of a file: ldap://host[:389] or ldaps://host[:636].
    #[arg(long, value_name = "URL")]
    pub ldap: Option<String>,
    /// Bind as this DN or user@domain (anonymous without it). The password comes from
    /// $UPGRADE_LAB_LDAP_PASSWORD (or --password-env), else from a prompt; never from a flag.
    #[arg(long, value_name = "DN", requires = "ldap")]
    pub bind_dn: Option<String>,
    /// The environment variable that holds the bind password.
    #[arg(long, value_name = "NAME", default_value = PASSWORD_VARIABLE, requires = "ldap")]
    pub password_env: String,
    /// The search base; the server's defaultNamingContext when not given.
    #[arg(long, value_name = "DN", requires = "ldap")]
    pub base: Option<String>,
    /// Upgrade an ldap:// connection with StartTLS before binding.
    #[arg(long, requires = "ldap")]
    pub starttls: bool,
    /// PEM file of the certificate authorities to trust (else the system's).
    #[arg(long, value_name = "FILE", requires = "ldap")]
    pub ca_file: Option<PathBuf>,
    /// Seconds to wait for the connection and for each answer (1 to 3600).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "ldap",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

impl LdapArgs {
    /// Reads the directory at `--ldap`.
    pub fn read(&self, url: &str) -> Result<DirectoryFile, CliError> {
        let password = match &self.bind_dn {
            Some(dn) => Some(self.password(dn)?),
            None => None,
        };
        let source = LdapSource {
            url: url.to_string(),
            bind_dn: self.bind_dn.clone(),
            password,
            base: self.base.clone(),
            starttls: self.starttls,
            ca_file: self.ca_file.clone(),
            timeout: Duration::from_secs(self.timeout),
        };
        let read = read_directory(&source).map_err(|e| CliError::usage(format!("--ldap {e}")))?;
        Ok(DirectoryFile {
            directory: read.import.directory,
            skipped: Some(read.import.skipped),
        })
    }

    /// The bind password: the environment variable, else a prompt on the terminal.
    fn password(&self, bind_dn: &str) -> Result<Secret, CliError> {
        if let Some(value) = std::env::var_os(&self.password_env) {
            return value.into_string().map(Secret::new).map_err(|_| {
                CliError::usage(format!("${} is not valid UTF-8", self.password_env))
            });
        }
        rpassword::prompt_password(format!("LDAP password for {bind_dn}: "))
            .map(Secret::new)
            .map_err(|e| {
                CliError::usage(format!(
                    "no password for --bind-dn {bind_dn}: ${} is not set and no terminal could be \
                     asked ({e}); set ${} or run the command on a terminal",
                    self.password_env, self.password_env
                ))
            })
    }
}
