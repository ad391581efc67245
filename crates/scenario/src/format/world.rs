//! `[world]`: what world a scenario builds — the directory (generated inline or read from LDIF),
//! DirSync's configuration, the servers' environments, timing overrides and the tenant.
//!
//! These are the file's own types; the runner translates them into the simulator's builder.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;
use upgrade_lab_simulator::timing::Timing;

/// `[world]`. The generated directory's fields sit directly in it, named as the generator's
/// `DirectorySpec` names them (unset fields take the generator's defaults); `ldif` replaces them.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorldSection {
    /// Seed of the generated directory; defaults to the scenario's seed.
    pub seed: Option<u64>,
    /// Regular users to generate (default 1,000). Users + groups + contacts is what the wizard
    /// counts; together at most 2,000,000, and over 100,000 needs `sql = "full"` in
    /// `[world.dirsync]` (SQL Express holds 10 GB).
    #[schemars(with = "Option<u32>")]
    pub users: Option<Spanned<u32>>,
    /// Groups to generate (default 100); counted with users and contacts against the
    /// 2,000,000-object limit.
    #[schemars(with = "Option<u32>")]
    pub groups: Option<Spanned<u32>>,
    /// Mail contacts to generate (default 20); counted with users and groups against the
    /// 2,000,000-object limit.
    #[schemars(with = "Option<u32>")]
    pub contacts: Option<Spanned<u32>>,
    /// DNS names of the forest's domains; the first is the forest root (default
    /// `["contoso.com"]`).
    #[schemars(with = "Option<Vec<String>>")]
    pub domains: Option<Spanned<Vec<String>>>,
    /// Levels of organizational units below each domain, 0 to 12 (default 2); at most
    /// 100,000 OUs in all.
    #[schemars(with = "Option<u32>")]
    pub ou_depth: Option<Spanned<u32>>,
    /// Child OUs under each OU (default 3); at most 100,000 OUs in all.
    #[schemars(with = "Option<u32>")]
    pub ou_fan_out: Option<Spanned<u32>>,
    /// Disabled users, per mille of the regular users (0 to 1000, default 50).
    #[schemars(with = "Option<u16>")]
    pub disabled_per_mille: Option<Spanned<u16>>,
    /// Users stamped `extensionAttribute15 = NoSync`, for DirSync attribute filters (default 0).
    pub no_sync_users: Option<u32>,
    /// DirSync service accounts (`MSOL_…`), counted in `users` and left out by the default
    /// scope rules (default 0).
    pub service_accounts: Option<u32>,
    /// Group sizes, kinds and nesting; unset keys take the generator's defaults.
    pub group_shape: Option<GroupShapeSection>,
    /// Defects planted at exact counts (duplicate UPNs, invalid UPNs, oversized groups, …).
    pub defects: Option<DefectsSection>,
    /// An LDIF file (relative to the scenario file) instead of a generated directory.
    #[schemars(with = "Option<String>")]
    pub ldif: Option<Spanned<String>>,
    /// A live directory read over LDAP when the scenario loads, instead of a generated one.
    #[schemars(with = "Option<LdapSection>")]
    pub ldap: Option<Spanned<LdapSection>>,
    /// The DirSync installation the upgrade starts from; unset keys take DirSync's defaults.
    #[serde(default)]
    pub dirsync: DirSyncSection,
    /// The DirSync server's own environment (an in-place upgrade installs on it).
    #[serde(default)]
    pub dirsync_host: ServerSection,
    /// The separate server of a parallel deployment.
    #[serde(default)]
    pub server: ServerSection,
    /// Overrides of the simulator's timing model (its `Timing` fields, in milliseconds).
    #[schemars(with = "Option<Timing>")]
    pub timing: Option<Spanned<Timing>>,
    /// The Azure AD tenant: duplicate attribute resiliency, object quota, cloud-only objects.
    #[serde(default)]
    pub tenant: TenantSection,
    /// Give every credential the scenario uses a recognisable password, then check that none
    /// of them appears in any report, server file or event.
    #[serde(default)]
    pub planted_secrets: bool,
}

impl WorldSection {
    /// The timing model: the defaults with this file's overrides.
    pub fn timing(&self) -> Timing {
        self.timing
            .as_ref()
            .map_or_else(Timing::default, |t| t.get_ref().clone())
    }

    /// Whether any generated-directory field is set.
    pub fn has_inline_directory(&self) -> bool {
        self.users.is_some()
            || self.groups.is_some()
            || self.contacts.is_some()
            || self.domains.is_some()
            || self.ou_depth.is_some()
            || self.ou_fan_out.is_some()
            || self.disabled_per_mille.is_some()
            || self.no_sync_users.is_some()
            || self.service_accounts.is_some()
            || self.group_shape.is_some()
            || self.defects.is_some()
    }

    /// Users + groups + contacts of an inline directory (what the wizard counts).
    pub fn inline_object_count(&self) -> u64 {
        let v = |x: &Option<Spanned<u32>>| x.as_ref().map_or(0, |s| u64::from(*s.get_ref()));
        v(&self.users) + v(&self.groups) + v(&self.contacts)
    }
}

/// `[world.ldap]`: a live directory read over LDAP (paged, ranged, LDAPS or StartTLS). The file
/// names the environment variable that holds the bind password, never the password itself.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LdapSection {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    #[schemars(with = "String")]
    pub url: Spanned<String>,
    /// The DN or `user@domain` to bind as; anonymous without it.
    #[schemars(with = "Option<String>")]
    pub bind_dn: Option<Spanned<String>>,
    /// The environment variable holding the bind password (required with `bind_dn`).
    #[schemars(with = "Option<String>")]
    pub password_env: Option<Spanned<String>>,
    /// The search base; the server's `defaultNamingContext` when unset.
    pub base: Option<String>,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    #[serde(default)]
    pub starttls: bool,
    /// PEM file of the certificate authorities to trust, relative to the scenario file.
    #[schemars(with = "Option<String>")]
    pub ca_file: Option<Spanned<String>>,
    /// Seconds to wait for the connection and each answer (1 to 3,600; default 30).
    #[schemars(with = "Option<u64>")]
    pub timeout_seconds: Option<Spanned<u64>>,
}

/// `[world.group_shape]`: group sizes, kinds and nesting (the generator's `GroupShape`).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GroupShapeSection {
    /// Fewest user members of a group (default 1); at most `mean_members`.
    pub min_members: Option<u32>,
    /// Average user members of a group (default 12; sizes are skewed: most groups small,
    /// a few large); `groups` × `mean_members` at most 20,000,000 memberships.
    pub mean_members: Option<u32>,
    /// Most user members of a group (default 2,000; below 50,000). Plant groups over the
    /// outbound rule's limit with `[world.defects] oversized_groups` instead.
    pub max_members: Option<u32>,
    /// Groups that are distribution groups (mail-enabled), per mille, 0 to 1000
    /// (default 300); the rest are security groups.
    pub distribution_per_mille: Option<u16>,
    /// Groups nested as a member of another group, per mille, 0 to 1000 (default 100).
    pub nesting_per_mille: Option<u16>,
    /// Deepest chain of nested groups, 0 to 16 (default 3; 0: no nesting).
    pub nesting_depth: Option<u32>,
}

/// `[world.defects]`: defects planted at exact counts (the generator's `PlantedDefects`).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DefectsSection {
    /// Pairs of users sharing a userPrincipalName.
    pub duplicate_upns: u32,
    /// Pairs of users sharing a proxy address.
    pub duplicate_proxy_addresses: u32,
    /// Users whose UPN Azure AD refuses (`IdentityDataValidationFailed`).
    pub invalid_upns: u32,
    /// Groups with more members than the outbound rule allows (0 to 20).
    pub oversized_groups: u32,
    /// Users with more proxy addresses than Azure AD accepts (`LargeObject`).
    pub too_many_proxy_addresses: u32,
}

/// Where DirSync keeps its database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SqlKind {
    /// SQL Server Express, on the DirSync server (the installer's default; holds at most
    /// 100,000 objects, its 10 GB limit).
    #[default]
    Express,
    /// A full SQL Server instance, named by `sql_server` and `sql_instance`.
    Full,
}

/// `[[world.dirsync.filters.attribute_filters]]`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeFilterSection {
    /// The AD attribute to test (LDAP name), e.g. `extensionAttribute15`.
    pub attribute: String,
    /// Users whose `attribute` holds this value are not synced, e.g. `NoSync`.
    pub value: String,
}

/// `[world.dirsync.filters]`: domain, OU and attribute filtering.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FiltersSection {
    /// DNS names of the domains DirSync syncs; empty: every domain of the forest.
    pub domains: Vec<String>,
    /// DNs of the OUs DirSync syncs; empty: every OU of the synced domains.
    pub included_ous: Vec<String>,
    /// DNs of OUs left out of sync, even below an included OU.
    pub excluded_ous: Vec<String>,
    /// User attribute filters: users matching any of them are not synced.
    pub attribute_filters: Vec<AttributeFilterSection>,
}

/// `[world.dirsync]`: the DirSync installation the upgrade starts from.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DirSyncSection {
    /// Default `true`; `false`: the admin uninstalled DirSync before running the upgrade
    /// (failure mode 1).
    pub installed: bool,
    /// DirSync's build, e.g. `1.0.6862.0` (default `1.0.7020.0`).
    #[schemars(with = "Option<String>")]
    pub version: Option<Spanned<String>>,
    /// Where DirSync keeps its database: `express` (default) or `full`.
    pub sql: SqlKind,
    /// The full SQL Server's host, e.g. `SQL01`; required with `sql = "full"`, refused
    /// otherwise.
    #[schemars(with = "Option<String>")]
    pub sql_server: Option<Spanned<String>>,
    /// The full SQL Server's instance, e.g. `DIRSYNC`; required with `sql = "full"`,
    /// refused otherwise.
    #[schemars(with = "Option<String>")]
    pub sql_instance: Option<Spanned<String>>,
    /// The tenant's initial domain, e.g. `contoso.onmicrosoft.com` (default: the forest root's
    /// first label + `.onmicrosoft.com`).
    pub tenant: Option<String>,
    /// The Azure AD account DirSync signs in with (default `dirsync-admin@<tenant>`).
    pub azure_ad_account: Option<String>,
    /// Domain, OU and attribute filtering; default: everything in the forest is synced.
    pub filters: FiltersSection,
    /// The AD attribute flowed to the Azure AD userPrincipalName (alternate login ID),
    /// e.g. `mail`; unset: the user's own userPrincipalName.
    pub alternate_login_id: Option<String>,
    /// Whether DirSync synchronizes password hashes (default `true`).
    pub password_sync: bool,
    /// Whether Exchange hybrid writeback is on (default `false`).
    pub exchange_hybrid: bool,
    /// Attributes an admin removed from DirSync's attribute flow. Any entry blocks the
    /// upgrade (the analysis page shows `blocked`).
    pub removed_attributes: Vec<String>,
    /// File name of a custom extension DLL DirSync runs (e.g. `Contoso.dll`). Set, it
    /// blocks the upgrade.
    pub extension_dll: Option<String>,
    /// DirSync's opt-in accidental-delete threshold: an export deleting more objects
    /// than this stops. Unset: no threshold.
    pub delete_threshold: Option<u32>,
}

impl Default for DirSyncSection {
    fn default() -> Self {
        Self {
            installed: true,
            version: None,
            sql: SqlKind::Express,
            sql_server: None,
            sql_instance: None,
            tenant: None,
            azure_ad_account: None,
            filters: FiltersSection::default(),
            alternate_login_id: None,
            password_sync: true,
            exchange_hybrid: false,
            removed_attributes: Vec::new(),
            extension_dll: None,
            delete_threshold: None,
        }
    }
}

/// How a server reaches the internet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProxyScope {
    /// No proxy: the server reaches the internet directly.
    None,
    /// A machine-wide proxy (`machine.config`), the one Azure AD Connect uses.
    Machine,
    /// A proxy set for the installing user only, as DirSync used it; Connect does not see it.
    PerUser,
}

/// How a required endpoint answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReachSection {
    /// The endpoint answers.
    Reachable,
    /// Nothing answers ("Unable to connect to the remote server").
    Unreachable,
    /// The proxy refuses the URL: HTTP 403.
    #[serde(rename = "proxy_403")]
    Proxy403,
    /// The proxy demands authentication: HTTP 407.
    #[serde(rename = "proxy_407")]
    Proxy407,
}

/// `[world.server]` / `[world.dirsync_host]`: a Windows server's facts. Unset fields meet the
/// current generation's prerequisites.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// Windows Server release: `2008`, `2008r2`, `2012`, `2012r2`, `2016`, `2019`, `2022`,
    /// `2025`, or a version such as `10.0.14393` (default 2019).
    #[schemars(with = "Option<String>")]
    pub os: Option<Spanned<String>>,
    /// The .NET Framework version installed, e.g. `4.5.2` (default 4.8).
    #[schemars(with = "Option<String>")]
    pub dotnet: Option<Spanned<String>>,
    /// The Windows PowerShell version installed, e.g. `3.0` (default 5.1).
    #[schemars(with = "Option<String>")]
    pub powershell: Option<Spanned<String>>,
    /// Whether TLS 1.2 is enabled (default `true`).
    pub tls12: Option<bool>,
    /// How the server reaches the internet: `none` (default), `machine` or `per_user`.
    pub proxy: Option<ProxyScope>,
    /// The proxy's URL, e.g. `http://proxy:8080`.
    pub proxy_address: Option<String>,
    /// Endpoint URL → how it answers; unlisted required endpoints are reachable.
    pub endpoints: BTreeMap<String, ReachSection>,
    /// Whether the server is joined to the forest (default `true`).
    pub domain_joined: Option<bool>,
}

/// `[world.tenant]`: the Azure AD tenant's settings.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TenantSection {
    /// Duplicate attribute resiliency (default `true`: on for every tenant since 2016).
    pub dar: bool,
    /// An explicit object quota, 1 to 10,000,000; unset: 50,000, or 300,000 with a verified
    /// domain.
    #[schemars(with = "Option<u64>")]
    pub quota: Option<Spanned<u64>>,
    /// Whether the tenant has a verified domain (default `true`); it raises the default
    /// object quota from 50,000 to 300,000.
    pub verified_domain: bool,
    /// Cloud-only users (created in Azure AD, never synced) the upgrade must leave alone
    /// (default 0; with `cloud_only_groups` at most 1,000,000).
    pub cloud_only_users: u32,
    /// Cloud-only groups the upgrade must leave alone (default 0).
    pub cloud_only_groups: u32,
}

impl Default for TenantSection {
    fn default() -> Self {
        Self {
            dar: true,
            quota: None,
            verified_domain: true,
            cloud_only_users: 0,
            cloud_only_groups: 0,
        }
    }
}
