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
    #[schemars(with = "Option<u32>")]
    pub users: Option<Spanned<u32>>,
    #[schemars(with = "Option<u32>")]
    pub groups: Option<Spanned<u32>>,
    #[schemars(with = "Option<u32>")]
    pub contacts: Option<Spanned<u32>>,
    /// DNS names of the forest's domains; the first is the forest root.
    #[schemars(with = "Option<Vec<String>>")]
    pub domains: Option<Spanned<Vec<String>>>,
    #[schemars(with = "Option<u32>")]
    pub ou_depth: Option<Spanned<u32>>,
    #[schemars(with = "Option<u32>")]
    pub ou_fan_out: Option<Spanned<u32>>,
    /// Disabled users, per mille of the regular users.
    #[schemars(with = "Option<u16>")]
    pub disabled_per_mille: Option<Spanned<u16>>,
    /// Users stamped `extensionAttribute15 = NoSync` (for DirSync attribute filters).
    pub no_sync_users: Option<u32>,
    /// DirSync service accounts (`MSOL_…`), counted in `users`.
    pub service_accounts: Option<u32>,
    pub group_shape: Option<GroupShapeSection>,
    pub defects: Option<DefectsSection>,
    /// An LDIF file (relative to the scenario file) instead of a generated directory.
    #[schemars(with = "Option<String>")]
    pub ldif: Option<Spanned<String>>,
    /// A live directory read over LDAP when the scenario loads, instead of a generated one.
    #[schemars(with = "Option<LdapSection>")]
    pub ldap: Option<Spanned<LdapSection>>,
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
    pub min_members: Option<u32>,
    pub mean_members: Option<u32>,
    pub max_members: Option<u32>,
    pub distribution_per_mille: Option<u16>,
    pub nesting_per_mille: Option<u16>,
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
    /// Groups with more members than the outbound rule allows.
    pub oversized_groups: u32,
    /// Users with more proxy addresses than Azure AD accepts (`LargeObject`).
    pub too_many_proxy_addresses: u32,
}

/// Where DirSync keeps its database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SqlKind {
    #[default]
    Express,
    Full,
}

/// `[[world.dirsync.filters.attribute_filters]]`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeFilterSection {
    pub attribute: String,
    pub value: String,
}

/// `[world.dirsync.filters]`: domain, OU and attribute filtering.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FiltersSection {
    pub domains: Vec<String>,
    pub included_ous: Vec<String>,
    pub excluded_ous: Vec<String>,
    pub attribute_filters: Vec<AttributeFilterSection>,
}

/// `[world.dirsync]`: the DirSync installation the upgrade starts from.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DirSyncSection {
    /// `false`: the admin uninstalled DirSync before running the upgrade (failure mode 1).
    pub installed: bool,
    #[schemars(with = "Option<String>")]
    pub version: Option<Spanned<String>>,
    pub sql: SqlKind,
    #[schemars(with = "Option<String>")]
    pub sql_server: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub sql_instance: Option<Spanned<String>>,
    /// The tenant's initial domain (`contoso.onmicrosoft.com`).
    pub tenant: Option<String>,
    /// The Azure AD account DirSync signs in with.
    pub azure_ad_account: Option<String>,
    pub filters: FiltersSection,
    pub alternate_login_id: Option<String>,
    pub password_sync: bool,
    pub exchange_hybrid: bool,
    pub removed_attributes: Vec<String>,
    pub extension_dll: Option<String>,
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
    None,
    Machine,
    PerUser,
}

/// How a required endpoint answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReachSection {
    Reachable,
    Unreachable,
    #[serde(rename = "proxy_403")]
    Proxy403,
    #[serde(rename = "proxy_407")]
    Proxy407,
}

/// `[world.server]` / `[world.dirsync_host]`: a Windows server's facts. Unset fields meet the
/// current generation's prerequisites.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// `2008`, `2008r2`, `2012`, `2012r2`, `2016`, `2019`, `2022`, `2025`, or a version `10.0.14393`.
    #[schemars(with = "Option<String>")]
    pub os: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub dotnet: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub powershell: Option<Spanned<String>>,
    pub tls12: Option<bool>,
    pub proxy: Option<ProxyScope>,
    pub proxy_address: Option<String>,
    /// Endpoint URL → how it answers; unlisted required endpoints are reachable.
    pub endpoints: BTreeMap<String, ReachSection>,
    pub domain_joined: Option<bool>,
}

/// `[world.tenant]`: the Azure AD tenant's settings.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TenantSection {
    /// Duplicate attribute resiliency (on for every tenant since 2016).
    pub dar: bool,
    /// Object quota; unset = 50,000, or 300,000 with a verified domain.
    #[schemars(with = "Option<u64>")]
    pub quota: Option<Spanned<u64>>,
    pub verified_domain: bool,
    /// Cloud-only users (created in Azure AD, never synced) the upgrade must leave alone.
    pub cloud_only_users: u32,
    /// Cloud-only groups.
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
