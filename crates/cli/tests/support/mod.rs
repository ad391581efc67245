//! What the tests of plans and of a live directory share.

pub mod plan;
pub mod samba;
