//! Constants of the real systems, from `reference/domain-facts.md` (appendix A unless noted).

/// Objects (users, contacts, groups in DirSync's database) at and above which the wizard
/// recommends a parallel deployment (D1: "50,000 or more").
pub const PARALLEL_RECOMMEND_OBJECTS: u64 = 50_000;
/// The wizard's estimate: 3 hours per 50,000 objects (§1.2, §8).
pub const UPGRADE_HOURS_PER_50K: u64 = 3;
/// DirSync's uninstall "might take up to 15 minutes" (D1).
pub const DIRSYNC_UNINSTALL_MAX_MINUTES: u64 = 15;
/// DirSync's scheduler interval (§4.1).
pub const DIRSYNC_CYCLE_HOURS: u64 = 3;
/// Azure AD Connect's scheduler interval and its minimum (§4.2).
pub const AADC_CYCLE_MINUTES: u64 = 30;
/// Password hash sync polls the DCs every 2 minutes (§6).
pub const PHS_INTERVAL_MINUTES: u64 = 2;
/// Accidental-delete prevention default threshold (§4.3).
pub const DELETE_THRESHOLD_DEFAULT: u32 = 500;
/// A run stops with `stopped-error-limit` above this many errors (§2.7).
pub const RUN_ERROR_LIMIT: u32 = 5_000;
/// The Azure AD write throttle: 7,000 writes per 5 minutes (§8).
pub const AAD_WRITES_PER_WINDOW: u64 = 7_000;
/// The window of the write throttle, in minutes.
pub const AAD_THROTTLE_WINDOW_MINUTES: u64 = 5;
/// Tenant object quota before any verified domain (§7.5).
pub const TENANT_QUOTA_DEFAULT: u64 = 50_000;
/// Tenant object quota after the first verified domain (§7.5).
pub const TENANT_QUOTA_VERIFIED_DOMAIN: u64 = 300_000;
/// LocalDB's 10 GB limit, about 100,000 objects (§1.7).
pub const LOCALDB_MAX_OBJECTS: u64 = 100_000;
/// Member limit of the older "Out to AAD - Group Join" rule DirSync-lineage installs carry (§2.4).
pub const GROUP_MEMBER_LIMIT: usize = DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS;
/// Members at which DirSync's outbound group rule (and the "Out to AAD – Group Join" rule of
/// older Azure AD Connect builds) stops provisioning a group: only groups with fewer than
/// 50,000 members are exported ("Azure AD Connect sync: Understanding the default
/// configuration"). A group with this many members or more is refused with
/// [`GROUP_MEMBER_LIMIT_ERROR`] and never reaches the tenant.
pub const DIRSYNC_GROUP_MEMBER_LIMIT_MEMBERS: usize = 50_000;
/// The same limit in current Azure AD Connect builds: fewer than 250,000 members ("Azure AD
/// Connect: Version release history").
pub const CONNECT_GROUP_MEMBER_LIMIT_MEMBERS: usize = 250_000;
/// The run history's words for a group over the member limit.
pub const GROUP_MEMBER_LIMIT_ERROR: &str = "Maximum Group member count exceeded";
/// proxyAddresses beyond which Azure AD answers `LargeObject` (§2.12: "~300 safe").
pub const PROXY_ADDRESSES_MAX: usize = 300;
/// Well-known identifier of the Azure AD connector (§2.1).
pub const AAD_CONNECTOR_ID: &str = "b891884f-051e-4a83-95af-2544101c9083";
/// Maximum length of a UPN's prefix (before `@`).
pub const UPN_PREFIX_MAX: usize = 64;
