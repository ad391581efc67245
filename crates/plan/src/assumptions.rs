//! What the description gave and what the plan assumed in its place: one line per optional
//! section (`[dirsync_host]`, `[server]`, `[tenant]`, `[churn]`), so a reader knows which
//! verdicts rest on the real machines and which on the simulator's defaults.

use crate::PlanInput;
use crate::description::Described;
use crate::model::Assumption;
use upgrade_lab_model::ServerEnvironment;
use upgrade_lab_model::constants::{TENANT_QUOTA_DEFAULT, TENANT_QUOTA_VERIFIED_DOMAIN};
use upgrade_lab_scenario::format::TenantSection;
use upgrade_lab_scenario::numbers::thousands;
use upgrade_lab_scenario::runner::setup::PARALLEL_HOST;
use upgrade_lab_simulator::world::builder::DEFAULT_DIRSYNC_HOST;

/// The keys a described table gives, for `given: os, dotnet`.
fn keys<T>(d: &Described<T>) -> String {
    let keys: Vec<&str> = d.table.keys().map(String::as_str).collect();
    if keys.is_empty() {
        "no keys".to_string()
    } else {
        keys.join(", ")
    }
}

/// A server that meets the current prerequisites, as the simulator builds one by default.
fn default_server(host: &str) -> String {
    let e = ServerEnvironment::current(host);
    format!(
        "{host} meets the current prerequisites: {}, .NET Framework {}, PowerShell {}, TLS 1.2 enabled, no proxy, joined to the forest, every Azure AD endpoint reachable",
        crate::prerequisites::os_name(&e.os_version),
        e.dotnet_version,
        e.powershell_version
    )
}

fn server(
    section: &str,
    host: &str,
    d: Option<&Described<upgrade_lab_scenario::format::ServerSection>>,
) -> Assumption {
    let statement = match d {
        Some(d) => format!(
            "given ({}); a key not given is assumed as on a server that meets the current prerequisites",
            keys(d)
        ),
        None => format!(
            "not given: assumed {}. Describe the real server in {section} to check it",
            default_server(host)
        ),
    };
    Assumption {
        section: section.to_string(),
        given: d.is_some(),
        statement,
    }
}

fn tenant(d: Option<&Described<TenantSection>>) -> Assumption {
    let t = TenantSection::default();
    let quota = if t.verified_domain {
        TENANT_QUOTA_VERIFIED_DOMAIN
    } else {
        TENANT_QUOTA_DEFAULT
    };
    let statement = match d {
        Some(d) => format!("given ({}); a key not given takes its default", keys(d)),
        None => format!(
            "not given: assumed a tenant {} (quota {}), duplicate attribute resiliency {}, {} cloud-only objects. Describe the real tenant in [tenant] to check its quota",
            if t.verified_domain {
                "with a verified domain"
            } else {
                "without a verified domain"
            },
            thousands(quota),
            if t.dar { "on" } else { "off" },
            u64::from(t.cloud_only_users) + u64::from(t.cloud_only_groups)
        ),
    };
    Assumption {
        section: "[tenant]".into(),
        given: d.is_some(),
        statement,
    }
}

/// One line per optional section of the description.
pub fn assumptions(input: &PlanInput, rate_source: &str) -> Vec<Assumption> {
    let d = &input.description;
    let churn = match (&d.churn, rate_source) {
        (Some(_), "changes_per_hour") => {
            "given, but --changes-per-hour replaces it for this plan".to_string()
        }
        (Some(c), _) => {
            let (a, u, x) = c.rate();
            format!("given: {a} adds, {u} updates, {x} deletes an hour during staging")
        }
        (None, "changes_per_hour") => {
            "not given; --changes-per-hour gives the rate for this plan".to_string()
        }
        (None, _) => {
            "not given: assumed AD does not change during the staging window (see Staging)"
                .to_string()
        }
    };
    vec![
        server(
            "[dirsync_host]",
            DEFAULT_DIRSYNC_HOST,
            d.dirsync_host.as_ref(),
        ),
        server("[server]", PARALLEL_HOST, d.server.as_ref()),
        tenant(d.tenant.as_ref()),
        Assumption {
            section: "[churn]".into(),
            given: d.churn.is_some(),
            statement: churn,
        },
    ]
}
