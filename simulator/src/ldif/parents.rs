//! `dn::shape` of the DNs of a file, each parent DN walked once: the entries of an export
//! lie in few containers, so most of a DN's walk is a walk its neighbours already did.

use rustc_hash::FxHashMap;
use upgrade_lab_model::dn::{self, Shape};

/// Parent DNs remembered at most: past that (a file of many distinct containers) a DN is
/// walked whole, as `dn::shape` walks it.
const MAX_PARENTS: usize = 4096;

/// `dn::shape` by parent DN (the text after a DN's first RDN and its separator).
#[derive(Default)]
pub(super) struct ParentShapes {
    shapes: FxHashMap<Box<str>, Option<Shape>>,
}

impl ParentShapes {
    /// `dn::shape(dn)`. The walk of `dn` is the walk of its first RDN, then (when a separator
    /// follows it) the walk of the rest as `dn::rdn_iter` of the rest would walk it, except
    /// that a rest of white space only is one empty RDN (not well formed) instead of none.
    pub(super) fn shape(&mut self, dn: &str) -> Option<Shape> {
        let mut rdns = dn::rdn_iter(dn);
        let first = rdns.next()?;
        let head = dn::shape(first)?;
        let first_start = first.as_ptr().addr() - dn.as_ptr().addr();
        let from_first = head.dc_start.map(|d| first_start + d);
        let parent = rdns.rest();
        if parent.trim().is_empty() {
            // No separator after the first RDN (the walk ends), or one before nothing but
            // white space (an empty last RDN).
            return rdns.next().is_none().then_some(Shape {
                first_is_dc: head.first_is_dc,
                dc_start: from_first,
            });
        }
        let tail = if let Some(shape) = self.shapes.get(parent) {
            *shape
        } else {
            let shape = dn::shape(parent);
            if self.shapes.len() < MAX_PARENTS {
                self.shapes.insert(parent.into(), shape);
            }
            shape
        }?;
        let parent_start = dn.len() - parent.len();
        Some(Shape {
            first_is_dc: head.first_is_dc,
            dc_start: from_first.or(tail.dc_start.map(|d| parent_start + d)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::proptest_cases;
    use proptest::prelude::*;

    const CASES: [&str; 14] = [
        "CN=Ann,OU=Sales,DC=contoso,DC=com",
        "DC=contoso,DC=com",
        "CN=a,",
        "CN=a, ",
        "CN=a",
        " CN=a , DC=x ",
        "CN=a\\,b,DC=x",
        "CN=\"a,b\",DC=x",
        "CN=a,,DC=x",
        "CN=a,DC=x;OU=y",
        "=a,DC=x",
        "CN=a,DC=",
        "CN=a,x",
        "CN=a\\ ,DC=x",
    ];

    #[test]
    fn shapes_are_those_of_a_whole_walk() {
        let mut cache = ParentShapes::default();
        for round in 0..2 {
            for dn in CASES {
                assert_eq!(cache.shape(dn), dn::shape(dn), "{dn} (round {round})");
            }
        }
    }

    /// A cache that forgot the first RDN's offset would name the wrong domain start: the
    /// comparison above is not vacuous.
    #[test]
    fn a_wrong_offset_differs_from_the_whole_walk() {
        let dn = " CN=a , DC=x ";
        let shape = ParentShapes::default().shape(dn).unwrap();
        let wrong = Shape {
            dc_start: shape.dc_start.map(|d| d + 1),
            ..shape
        };
        assert_ne!(Some(wrong), dn::shape(dn));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(proptest_cases(256)))]

        /// DNs of RDNs from a small alphabet (separators, quotes, escapes, spaces, `DC=`),
        /// many sharing parents: the same shape as a whole walk, cached or not.
        #[test]
        fn any_dn_has_the_shape_of_a_whole_walk(
            dns in prop::collection::vec(
                (
                    prop::sample::select(vec!["CN=a", "DC=x", " OU=b ", "cn=\"q,r\"", "x", "", " ", "DC=y\\", "=z", "CN=a\\,b"]),
                    prop::collection::vec(
                        prop::sample::select(vec!["OU=s", "DC=contoso", " DC=com", "", " ", "OU=\"a;b\"", "dc=e\\ ", "q", "CN=x=y"]),
                        0..4,
                    ),
                    prop::sample::select(vec![",", ";", ", ", " ,"]),
                ),
                1..12,
            ),
        ) {
            let mut cache = ParentShapes::default();
            for (first, rest, sep) in dns {
                let mut dn = first.to_string();
                for r in rest {
                    dn.push_str(sep);
                    dn.push_str(r);
                }
                prop_assert_eq!(cache.shape(&dn), dn::shape(&dn), "{}", dn);
            }
        }
    }
}
