//! The metaverse (§2.3): one object per joined identity, keyed by its source anchor (objectGUID),
//! holding the inbound-flowed attribute block (shared with the AD connector space) and its links
//! to at most one object per connector space.
//!
//! It must not know the tenant or timing.

use crate::sync::connector_space::Slots;
use std::sync::Arc;
use upgrade_lab_model::{Attributes, ImmutableId, ObjectCounts, ObjectGuid, ObjectKind, Value};

/// A metaverse object (`person` or `group`).
#[derive(Clone, Debug)]
pub struct MvObject {
    pub guid: ObjectGuid,
    /// The source anchor Azure AD keeps (`immutableId`, computed once at projection).
    pub anchor: ImmutableId,
    pub kind: ObjectKind,
    pub dn: Value,
    pub attrs: Arc<Attributes>,
    /// The AD connector-space object (the one that projected it).
    pub ad: Option<u32>,
    /// The Azure AD connector-space object.
    pub aad: Option<u32>,
}

/// The metaverse.
pub type Metaverse = Slots<ObjectGuid, MvObject>;

/// Users, groups and contacts in the metaverse (DirSync's "objects in its database").
pub fn counts(mv: &Metaverse) -> ObjectCounts {
    let mut c = ObjectCounts::default();
    for (_, o) in mv.iter() {
        match o.kind {
            ObjectKind::User => c.users += 1,
            ObjectKind::Group => c.groups += 1,
            ObjectKind::Contact => c.contacts += 1,
        }
    }
    c
}
