//! Credential decisions of the wizard's "Connect to Azure AD" and "Connect to AD DS" pages: the
//! Azure AD account must be the one DirSync uses (in place), the tenant sign-in must succeed as a
//! Hybrid Identity Administrator (or Global Administrator), and an Enterprise Admins account is
//! required. Passwords stay in `model::Secret`; DirSync's service-account passwords are reset,
//! never migrated.
//!
//! Pure functions of what the ports answered; the orchestrator makes the calls.

use crate::events::Refusal;
use crate::ports::{PortError, TenantSession};

/// The in-place upgrade must use the Azure AD account DirSync uses. UPNs compare without regard
/// to case, as Azure AD does.
pub fn check_dirsync_account(given: &str, dirsync_account: &str) -> Result<(), Refusal> {
    if given.trim().eq_ignore_ascii_case(dirsync_account.trim()) {
        Ok(())
    } else {
        Err(Refusal::WrongAzureAdAccount {
            given: given.to_string(),
            expected: dirsync_account.to_string(),
        })
    }
}

/// Judges the tenant's answer to the sign-in.
pub fn check_tenant_sign_in(
    account: &str,
    answer: Result<TenantSession, PortError>,
) -> Result<TenantSession, Refusal> {
    match answer {
        Err(e) => Err(Refusal::TenantSignInFailed {
            account: account.to_string(),
            reason: e.message,
        }),
        Ok(session) if !session.is_hybrid_identity_admin => Err(Refusal::NotHybridIdentityAdmin {
            account: session.account,
        }),
        Ok(session) => Ok(session),
    }
}

/// Judges AD's answer to the Enterprise Admins check. A refused credential is the same refusal
/// as a valid account outside the group: the wizard cannot go on either way.
pub fn check_enterprise_admin(
    account: &str,
    answer: &Result<bool, PortError>,
) -> Result<(), Refusal> {
    match answer {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) => Err(Refusal::NoEnterpriseAdmin {
            account: account.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::PortErrorKind;

    #[test]
    fn the_dirsync_account_compares_without_case() {
        assert!(
            check_dirsync_account(
                "Admin@Contoso.onmicrosoft.com",
                "admin@contoso.onmicrosoft.com"
            )
            .is_ok()
        );
        let r = check_dirsync_account(
            "other@contoso.onmicrosoft.com",
            "admin@contoso.onmicrosoft.com",
        )
        .unwrap_err();
        assert!(
            r.to_string().contains("not the account DirSync uses"),
            "{r}"
        );
        assert!(r.to_string().contains("admin@contoso.onmicrosoft.com"));
    }

    #[test]
    fn sign_in_must_succeed_as_hybrid_identity_administrator() {
        let session = |admin| TenantSession {
            account: "a@t".into(),
            is_hybrid_identity_admin: admin,
        };
        assert!(check_tenant_sign_in("a@t", Ok(session(true))).is_ok());
        assert!(matches!(
            check_tenant_sign_in("a@t", Ok(session(false))),
            Err(Refusal::NotHybridIdentityAdmin { .. })
        ));
        let err = PortError::new(
            PortErrorKind::InvalidCredentials,
            "AADSTS50126: Invalid grant",
        );
        let r = check_tenant_sign_in("a@t", Err(err)).unwrap_err();
        assert!(r.to_string().contains("Invalid grant"), "{r}");
    }

    #[test]
    fn enterprise_admin_is_required() {
        assert!(check_enterprise_admin("CONTOSO\\ea", &Ok(true)).is_ok());
        assert!(matches!(
            check_enterprise_admin("CONTOSO\\da", &Ok(false)),
            Err(Refusal::NoEnterpriseAdmin { .. })
        ));
        let err = PortError::new(PortErrorKind::InvalidCredentials, "bad password");
        assert!(check_enterprise_admin("CONTOSO\\ea", &Err(err)).is_err());
    }
}
