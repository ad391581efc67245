//! Attribute values shared between the many copies the simulator keeps of each object (AD, two
//! connector spaces per server, metaverses, tenant): an `Arc<str>` is cloned, never the text.

use rustc_hash::{FxBuildHasher, FxHashSet};
use std::sync::Arc;

/// One attribute value. Cloning shares the text.
pub type Value = Arc<str>;

/// An attribute's values: most attributes hold one, which is kept inline (a verification after a
/// takeover reads a million pending exports: one allocation fewer each).
pub type Values = smallvec::SmallVec<[Value; 1]>;

/// Hands out one shared `Value` per distinct text, so repeated values (departments, titles,
/// cities, DNs referenced by `member` and `manager`) are stored once.
#[derive(Default, Debug)]
pub struct Interner {
    values: FxHashSet<Value>,
}

impl Interner {
    /// An interner with room for `capacity` distinct values.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            values: FxHashSet::with_capacity_and_hasher(capacity, FxBuildHasher),
        }
    }

    /// The shared value for `text`, stored on first sight.
    pub fn intern(&mut self, text: &str) -> Value {
        if let Some(v) = self.values.get(text) {
            return v.clone();
        }
        let v: Value = Arc::from(text);
        self.values.insert(v.clone());
        v
    }

    /// The shared value for an already allocated text, stored on first sight.
    pub fn intern_value(&mut self, value: Value) -> Value {
        if let Some(v) = self.values.get(&*value) {
            return v.clone();
        }
        self.values.insert(value.clone());
        value
    }

    /// How many distinct values it holds.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_values_share_one_allocation() {
        let mut i = Interner::default();
        let a = i.intern("Sales");
        let b = i.intern("Sales");
        assert!(Arc::ptr_eq(&a, &b));
        let c = i.intern_value(Arc::from("Sales"));
        assert!(Arc::ptr_eq(&a, &c));
        assert_eq!(i.len(), 1);
    }
}
