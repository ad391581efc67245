//! upgrade-lab-model: the data every other crate speaks. Directory objects and their attributes,
//! identities (`ObjectGuid`, `ImmutableId`), distinguished names, the DirSync configuration, the
//! scope rules, the server environment, the sync vocabulary (run profiles, statuses, pending
//! exports), simulated time, versions and secrets.
//!
//! It must not know about I/O, clocks, randomness, the simulator or the engine's logic: it is
//! pure data, serde and small pure functions.
//!
//! What each type models in DirSync, Azure AD Connect and Azure AD (run statuses, the source
//! anchor, filtering, the attributes that flow) is written down with its public Microsoft source
//! in the repository's `docs/real-systems.md`; the docs here cite its sections by title.
//!
//! ```
//! use upgrade_lab_model::ObjectGuid;
//! let guid = ObjectGuid::parse_text("00112233-4455-6677-8899-aabbccddeeff").unwrap();
//! assert_eq!(guid.immutable_id().as_str(), "MyIRAFVEd2aImaq7zN3u/w==");
//! ```

pub mod attribute_flow;
pub mod constants;
pub mod directory;
pub mod dirsync;
pub mod dn;
pub mod environment;
pub mod ids;
pub mod object;
pub mod scope;
pub mod secret;
pub mod settings;
pub mod sync;
pub mod texts;
pub mod time;
pub mod validate;
pub mod value;
pub mod version;

pub use attribute_flow::AttrId;
pub use directory::{Directory, DirectoryCounts, Domain, OrganizationalUnit};
pub use dirsync::{AttributeFilter, Blocker, DirSyncConfig, ScopeFilters, SqlBackend};
pub use environment::{EndpointReach, EndpointStatus, ProxySetting, ServerEnvironment};
pub use ids::{GuidAnchorText, GuidError, ImmutableId, ObjectGuid};
pub use object::{Attributes, DirectoryObject, ExtraAttributes, ObjectKind};
pub use scope::{OutOfScope, Scope};
pub use secret::{Credential, Secret};
pub use settings::{MigratedFeatures, ObjectCounts, SettingsDocument, SourceAnchor};
pub use sync::{
    AttributeChange, AttributeChanges, Connector, ExportOperation, Modification, PendingExport,
    RunProfile, RunRecord, RunStats, RunStatus,
};
pub use texts::{PackedTexts, TextBuilder, Texts};
pub use time::{SimDuration, SimTime};
pub use value::{Interner, Value, Values};
pub use version::{Version, VersionError};
