//! The TLS client configuration of LDAPS and StartTLS: the certificate authorities of a PEM
//! file, or the platform's roots as the client crate finds them when no file is given.

use crate::error::LdapReadError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::Path;
use std::sync::Arc;

/// A client configuration trusting exactly the certificates of `ca_file`.
pub fn config_from_ca_file(
    url: &str,
    ca_file: &Path,
) -> Result<Arc<rustls::ClientConfig>, LdapReadError> {
    let failed = |reason: String| LdapReadError::Tls {
        url: url.to_string(),
        reason,
    };
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca_file).map_err(|e| {
        failed(format!(
            "cannot read the CA file {}: {e}",
            ca_file.display()
        ))
    })?;
    for cert in certs {
        let cert = cert.map_err(|e| failed(format!("{}: {e}", ca_file.display())))?;
        roots
            .add(cert)
            .map_err(|e| failed(format!("{}: {e}", ca_file.display())))?;
    }
    if roots.is_empty() {
        return Err(failed(format!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            ca_file.display()
        )));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_a_clear_error() {
        let e = config_from_ca_file("ldaps://dc", Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot read the CA file /nonexistent/ca.pem"),
            "{e}"
        );
        let empty =
            std::env::temp_dir().join(format!("upgrade-lab-empty-ca-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = config_from_ca_file("ldaps://dc", &empty).unwrap_err();
        assert!(e.to_string().contains("holds no PEM certificate"), "{e}");
        std::fs::remove_file(empty).unwrap();
    }
}
