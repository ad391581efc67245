//! Builds a scenario's world: the directory (generated from the `[world]` keys or read from
//! LDIF), DirSync's configuration, the servers' environments, the tenant, the timing model and
//! the faults planned at a simulated time.

use crate::format::{
    FaultKind, ProxyScope, ReachSection, ServerRef, ServerSection, SqlKind, Step, WorldSection,
};
use crate::load::Scenario;
use crate::validate::os_version;
use upgrade_lab_model::attribute_flow::Field;
use upgrade_lab_model::{
    Attributes, Credential, DirSyncConfig, Directory, EndpointReach, EndpointStatus, ObjectKind,
    ProxySetting, Secret, ServerEnvironment, SimDuration, SimTime, SqlBackend, Version,
};
use upgrade_lab_simulator::World;
use upgrade_lab_simulator::dirsync_server::DirSyncStart;
use upgrade_lab_simulator::faults::{Fault, FaultId, FaultKind as WorldFault, FaultTrigger};
use upgrade_lab_simulator::generate::generate;
use upgrade_lab_simulator::tenant::{CloudObject, TenantAccount, TenantSpec};
use upgrade_lab_simulator::world::builder::DEFAULT_DIRSYNC_HOST;

/// The separate server of a parallel deployment.
pub const PARALLEL_HOST: &str = "AADC01";

/// The passwords of every credential a scenario uses. Without `planted_secrets` all are the
/// world's default password; with it each is a distinct, recognisable text the runner later
/// looks for in every output.
#[derive(Clone)]
pub struct Passwords {
    /// DirSync's Azure AD account (the "DirSync admin" of the tenant).
    pub azure_ad: Secret,
    /// The enterprise administrator's password the wizard asks for.
    pub enterprise_admin: Secret,
    /// Domain or local sync service accounts a step installs with.
    pub service_account: Secret,
    /// The tenant's other accounts (another administrator, an account without the role).
    pub other_accounts: Secret,
    /// Whether the passwords are planted (`planted_secrets`): distinct and recognisable, so the
    /// outputs can be searched for each of them.
    pub planted: bool,
}

impl Passwords {
    /// The passwords of a world with `seed`: planted ones are distinct per credential and derived
    /// from the seed; otherwise every credential has the world's default password.
    pub fn new(planted: bool, seed: u64) -> Self {
        let p = |what: &str| {
            Secret::new(if planted {
                format!("Planted-{what}-{seed:x}-Pw!")
            } else {
                World::default_password().to_string()
            })
        };
        Self {
            azure_ad: p("AzureAd"),
            enterprise_admin: p("EnterpriseAdmin"),
            service_account: p("ServiceAccount"),
            other_accounts: p("OtherAccount"),
            planted,
        }
    }

    /// Each credential's name with its password.
    pub fn named(&self) -> [(&'static str, &Secret); 4] {
        [
            ("the Azure AD (DirSync admin) password", &self.azure_ad),
            ("the Enterprise Admin password", &self.enterprise_admin),
            ("the service account password", &self.service_account),
            ("another tenant account's password", &self.other_accounts),
        ]
    }
}

/// A built world and what the runner needs to drive it.
pub struct Setup {
    /// The scenario's passwords, kept to search the outputs for them.
    pub passwords: Passwords,
    /// The simulated world, its clock at zero.
    pub world: World,
    /// DirSync's configuration as the world was built with it.
    pub config: DirSyncConfig,
    /// The enterprise administrator account the wizard asks for.
    pub enterprise_admin: Credential,
    /// The DirSync server's host name.
    pub dirsync_host: String,
    /// Where Azure AD Connect goes: the DirSync host (in place) or [`PARALLEL_HOST`].
    pub connect_host: String,
    /// Users, groups and contacts in the directory.
    pub objects_count: u64,
    /// The world's id of each `[[faults]]` entry planned at a time (`None` for those tied to a
    /// step, which the runner injects as the step runs).
    pub fault_ids: Vec<Option<FaultId>>,
}

fn directory(scenario: &Scenario, seed: u64) -> Result<Directory, String> {
    let w = scenario.file.world.get_ref();
    if let Some(d) = &scenario.directory {
        return Ok(Directory::clone(d));
    }
    match &scenario.ldif_path {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| format!("cannot read the LDIF file {}: {e}", path.display()))?;
            upgrade_lab_simulator::ldif::read_directory_bytes(&bytes)
                .map(|import| import.directory)
                .map_err(|e| format!("the LDIF file {} is not usable: {e}", path.display()))
        }
        None => generate(&super::world_spec::directory_spec(w, seed)).map_err(|e| e.to_string()),
    }
}

fn dirsync_config(w: &WorldSection, forest: &str) -> DirSyncConfig {
    let d = &w.dirsync;
    let label = forest.split('.').next().unwrap_or("contoso");
    let tenant = d
        .tenant
        .clone()
        .unwrap_or_else(|| format!("{label}.onmicrosoft.com"));
    let mut c = DirSyncConfig::typical(forest, &tenant);
    if let Some(v) = d
        .version
        .as_ref()
        .and_then(|v| v.get_ref().parse::<Version>().ok())
    {
        c.version = v;
    }
    if d.sql == SqlKind::Full {
        c.sql = SqlBackend::Full {
            server: d
                .sql_server
                .as_ref()
                .map_or_else(String::new, |s| s.get_ref().clone()),
            instance: d
                .sql_instance
                .as_ref()
                .map_or_else(String::new, |s| s.get_ref().clone()),
        };
    }
    if let Some(a) = &d.azure_ad_account {
        c.azure_ad_account.clone_from(a);
    }
    c.filters.domains.clone_from(&d.filters.domains);
    c.filters.included_ous.clone_from(&d.filters.included_ous);
    c.filters.excluded_ous.clone_from(&d.filters.excluded_ous);
    c.filters.attribute_filters = d
        .filters
        .attribute_filters
        .iter()
        .map(|f| upgrade_lab_model::AttributeFilter {
            attribute: f.attribute.clone(),
            value: f.value.clone(),
        })
        .collect();
    c.alternate_login_id.clone_from(&d.alternate_login_id);
    c.password_sync = d.password_sync;
    c.exchange_hybrid = d.exchange_hybrid;
    c.removed_attributes.clone_from(&d.removed_attributes);
    c.extension_dll.clone_from(&d.extension_dll);
    c.delete_threshold = d.delete_threshold;
    c
}

/// A server's facts: the current generation's prerequisites, then the section's overrides.
pub fn environment(host: &str, s: &ServerSection) -> ServerEnvironment {
    let mut e = ServerEnvironment::current(host);
    let version = |v: &Option<toml::Spanned<String>>| {
        v.as_ref().and_then(|v| v.get_ref().parse::<Version>().ok())
    };
    if let Some(os) = s.os.as_ref().and_then(|o| os_version(o.get_ref())) {
        e.os_version = os;
    }
    if let Some(v) = version(&s.dotnet) {
        e.dotnet_version = v;
    }
    if let Some(v) = version(&s.powershell) {
        e.powershell_version = v;
    }
    if let Some(t) = s.tls12 {
        e.tls12_enabled = t;
    }
    let address = s
        .proxy_address
        .clone()
        .unwrap_or_else(|| "http://proxy:8080".to_string());
    match s.proxy {
        Some(ProxyScope::None) | None => {}
        Some(ProxyScope::Machine) => e.proxy = ProxySetting::Machine { address },
        Some(ProxyScope::PerUser) => e.proxy = ProxySetting::PerUser { address },
    }
    for (url, reach) in &s.endpoints {
        let reach = match reach {
            ReachSection::Reachable => EndpointReach::Reachable,
            ReachSection::Unreachable => EndpointReach::Unreachable,
            ReachSection::Proxy403 => EndpointReach::ProxyForbidden403,
            ReachSection::Proxy407 => EndpointReach::ProxyAuthRequired407,
        };
        match e.endpoints.iter_mut().find(|x| &x.url == url) {
            Some(x) => x.reach = reach,
            None => e.endpoints.push(EndpointStatus {
                url: url.clone(),
                reach,
            }),
        }
    }
    if let Some(j) = s.domain_joined {
        e.domain_joined = j;
    }
    e
}

/// The host Connect is installed on: the DirSync host when the scenario upgrades in place and
/// never installs in parallel, else [`PARALLEL_HOST`].
pub fn connect_host(scenario: &Scenario) -> &'static str {
    let steps = || scenario.file.steps.iter().map(toml::Spanned::get_ref);
    let in_place = steps().any(|s| matches!(s, Step::UpgradeInPlace { .. }));
    let parallel = steps().any(|s| matches!(s, Step::InstallParallel { .. }));
    if in_place && !parallel {
        DEFAULT_DIRSYNC_HOST
    } else {
        PARALLEL_HOST
    }
}

/// The host a fault or step names.
pub fn host_of(server: ServerRef, connect_host: &str) -> String {
    match server {
        ServerRef::Dirsync => DEFAULT_DIRSYNC_HOST.to_string(),
        ServerRef::Connect => connect_host.to_string(),
    }
}

/// The world's fault for a scenario fault on `host`.
pub fn world_fault(kind: FaultKind, host: String, azure_account: &str) -> WorldFault {
    match kind {
        FaultKind::EndpointUnreachable => WorldFault::AzureAdUnreachable,
        FaultKind::Proxy407 => WorldFault::ProxyAuthRequired { host },
        FaultKind::Proxy403 => WorldFault::ProxyForbidden { host },
        FaultKind::BadCredentials => WorldFault::AzureCredentialsInvalid {
            account: azure_account.to_string(),
        },
        FaultKind::ExpiredCredentials => WorldFault::AzureCredentialsExpired {
            account: azure_account.to_string(),
        },
        FaultKind::SqlDown => WorldFault::SqlInstanceDown { host },
        FaultKind::Crash => WorldFault::ServerCrash { host },
        FaultKind::Throttling => WorldFault::Throttling,
        FaultKind::AdConnectorCredentials => WorldFault::AdConnectorCredentialsInvalid { host },
    }
}

/// Extra tenant accounts the credential choices of steps sign in with.
pub fn other_admin(tenant: &str, password: &Secret) -> Credential {
    Credential::new(format!("admin2@{tenant}"), password.expose())
}

/// An account of the tenant without the Hybrid Identity Administrator role (the wizard refuses it).
pub fn no_role_account(tenant: &str, password: &Secret) -> Credential {
    Credential::new(format!("reader@{tenant}"), password.expose())
}

/// Cloud-only users and groups named in the tenant's initial domain (nothing on-premises
/// matches them).
fn cloud_only(tenant: &str, users: u32, groups: u32) -> Vec<CloudObject> {
    let users = (0..users).map(|i| CloudObject {
        kind: ObjectKind::User,
        attrs: Attributes::from_texts(&[
            (Field::UserPrincipalName, &format!("cloud.user{i}@{tenant}")),
            (Field::DisplayName, &format!("Cloud user {i}")),
        ]),
        immutable_id: None,
        admin_role: false,
    });
    let groups = (0..groups).map(|i| CloudObject {
        kind: ObjectKind::Group,
        attrs: Attributes::from_texts(&[(Field::DisplayName, &format!("Cloud group {i}"))]),
        immutable_id: None,
        admin_role: false,
    });
    users.chain(groups).collect()
}

/// The tenant of the scenario's `[world.tenant]`, with the two accounts the credential checks
/// use (another admin, an account with no role) and the cloud-only objects.
fn tenant_spec(w: &WorldSection, config: &DirSyncConfig, passwords: &Passwords) -> TenantSpec {
    TenantSpec {
        duplicate_attribute_resiliency: w.tenant.dar,
        verified_domain: w.tenant.verified_domain,
        quota: w.tenant.quota.as_ref().map(|q| *q.get_ref()),
        accounts: vec![
            TenantAccount {
                credential: other_admin(&config.tenant, &passwords.other_accounts),
                hybrid_identity_admin: true,
                password_expired: false,
            },
            TenantAccount {
                credential: no_role_account(&config.tenant, &passwords.other_accounts),
                hybrid_identity_admin: false,
                password_expired: false,
            },
        ],
        cloud_objects: cloud_only(
            &config.tenant,
            w.tenant.cloud_only_users,
            w.tenant.cloud_only_groups,
        ),
        ..TenantSpec::default()
    }
}

/// Adds the scenario's timed faults to `builder`; a fault's id, or `None` for a fault that
/// triggers on an operation (the runner arms those later), in the file's order.
fn faults(
    mut builder: upgrade_lab_simulator::world::WorldBuilder,
    scenario: &Scenario,
    connect_host: &str,
    config: &DirSyncConfig,
) -> (
    upgrade_lab_simulator::world::WorldBuilder,
    Vec<Option<FaultId>>,
) {
    // Builder faults take the first ids, in the order they are added.
    let mut fault_ids = Vec::new();
    let mut next_id: FaultId = 0;
    for f in &scenario.file.faults {
        fault_ids.push(f.at_minutes.as_ref().map(|_| next_id));
        if let Some(at) = &f.at_minutes {
            next_id += 1;
            let host = host_of(f.server.unwrap_or_default(), connect_host);
            builder = builder.fault(Fault {
                kind: world_fault(*f.kind.get_ref(), host, &config.azure_ad_account),
                trigger: FaultTrigger::At(SimTime::from_mins(*at.get_ref())),
                duration: f
                    .for_minutes
                    .as_ref()
                    .map(|m| SimDuration::from_mins(*m.get_ref())),
            });
        }
    }
    (builder, fault_ids)
}

/// Builds the world of a scenario with `seed`.
pub fn build(
    scenario: &Scenario,
    seed: u64,
    bug: Option<upgrade_lab_simulator::world::PlantedBug>,
) -> Result<Setup, String> {
    let w = scenario.file.world.get_ref();
    let directory = directory(scenario, seed)?;
    let objects_count = directory.objects.len() as u64;
    let config = dirsync_config(w, &directory.forest);
    let connect_host = connect_host(scenario).to_string();
    let passwords = Passwords::new(w.planted_secrets, seed);
    let tenant = tenant_spec(w, &config, &passwords);
    let mut builder = World::builder()
        .directory(directory)
        .dirsync(config.clone())
        .environment(environment(DEFAULT_DIRSYNC_HOST, &w.dirsync_host))
        .environment(environment(PARALLEL_HOST, &w.server))
        .tenant(tenant)
        .timing(w.timing())
        .azure_ad_password(passwords.azure_ad.expose())
        .seed(seed)
        .planted_bug(bug);
    if !w.dirsync.installed {
        builder = builder.dirsync_start(DirSyncStart::NotInstalled);
    }
    let (mut builder, fault_ids) = faults(builder, scenario, &connect_host, &config);
    let enterprise_admin = Credential {
        password: passwords.enterprise_admin.clone(),
        ..builder.default_enterprise_admin()
    };
    builder = builder.enterprise_admin(enterprise_admin.clone());
    let world = builder.build().map_err(|e| e.to_string())?;
    Ok(Setup {
        passwords,
        world,
        config,
        enterprise_admin,
        dirsync_host: DEFAULT_DIRSYNC_HOST.to_string(),
        connect_host,
        objects_count,
        fault_ids,
    })
}
