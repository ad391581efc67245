//! Constants of the real systems; `docs/real-systems.md` gives each one's Microsoft source.

/// Objects (users, contacts, groups in DirSync's database) at and above which the wizard
/// recommends a parallel deployment (the upgrade document: "50,000 or more").
pub const PARALLEL_RECOMMEND_OBJECTS: u64 = 50_000;
/// The wizard's estimate: 3 hours per 50,000 objects
/// (docs/real-systems.md, "Upgrade paths and the recommendation").
pub const UPGRADE_HOURS_PER_50K: u64 = 3;
/// DirSync's uninstall "might take up to 15 minutes" (the upgrade document).
pub const DIRSYNC_UNINSTALL_MAX_MINUTES: u64 = 15;
/// DirSync's scheduler interval (docs/real-systems.md, "Schedulers").
pub const DIRSYNC_CYCLE_HOURS: u64 = 3;
/// Azure AD Connect's scheduler interval and its minimum (docs/real-systems.md, "Schedulers").
pub const AADC_CYCLE_MINUTES: u64 = 30;
/// Password hash sync polls the DCs every 2 minutes (docs/real-systems.md, "Schedulers").
pub const PHS_INTERVAL_MINUTES: u64 = 2;
/// Accidental-delete prevention default threshold
/// (docs/real-systems.md, "Prevent accidental deletes").
pub const DELETE_THRESHOLD_DEFAULT: u32 = 500;
/// A run stops with `stopped-error-limit` above this many errors
/// (docs/real-systems.md, "The sync engine").
pub const RUN_ERROR_LIMIT: u32 = 5_000;
/// The Azure AD write throttle: 7,000 writes per 5 minutes
/// (docs/real-systems.md, "Export errors, quota and throttling").
pub const AAD_WRITES_PER_WINDOW: u64 = 7_000;
/// The window of the write throttle, in minutes.
pub const AAD_THROTTLE_WINDOW_MINUTES: u64 = 5;
/// Tenant object quota before any verified domain
/// (docs/real-systems.md, "Export errors, quota and throttling").
pub const TENANT_QUOTA_DEFAULT: u64 = 50_000;
/// Tenant object quota after the first verified domain (same section).
pub const TENANT_QUOTA_VERIFIED_DOMAIN: u64 = 300_000;
/// LocalDB's 10 GB limit, about 100,000 objects
/// (docs/real-systems.md, "SQL Express, LocalDB and full SQL Server").
pub const LOCALDB_MAX_OBJECTS: u64 = 100_000;
/// Member limit of the older "Out to AAD - Group Join" rule DirSync-lineage installs carry
/// (docs/real-systems.md, "Groups over the member limit").
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
/// proxyAddresses beyond which Azure AD answers `LargeObject`
/// (docs/real-systems.md, "Export errors, quota and throttling").
pub const PROXY_ADDRESSES_MAX: usize = 300;
/// Well-known identifier of the Azure AD connector (docs/real-systems.md, "The sync engine").
pub const AAD_CONNECTOR_ID: &str = "b891884f-051e-4a83-95af-2544101c9083";
/// Maximum length of a UPN's prefix (before `@`).
pub const UPN_PREFIX_MAX: usize = 64;
