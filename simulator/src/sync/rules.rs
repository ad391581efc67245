//! Synchronization rules of a DirSync-lineage installation, reduced to what the upgrade needs:
//! direct inbound flow from AD to the metaverse, outbound flow to Azure AD with the alternate
//! login ID rule taking precedence over the standard userPrincipalName flow
//! (docs/real-systems.md, "The sync engine"), and the attribute-level comparison that turns
//! into a pending export's AMODT list.
//!
//! It must not know run profiles, connector spaces or the tenant: it maps attribute blocks.

use crate::sync::connector_space::AadImage;
use std::borrow::Cow;
use std::sync::Arc;
use upgrade_lab_model::attribute_flow::{self, AttrId, Field, RowSet, Storage};
use upgrade_lab_model::{
    AttributeChange, AttributeChanges, Attributes, ImmutableId, Modification, ObjectKind, Value,
    Values,
};

/// Which product's out-of-box outbound rules wrote an object: the `connect` or `dirsync` column
/// of `model::attribute_flow`. Connect's default rules flow attributes DirSync never wrote
/// (`onPremisesDistinguishedName` on every object, `c` on users, …), so the first Connect export
/// updates every object DirSync had synced; that full export is part of the upgrade's three
/// hours for 50,000 objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlowSet {
    /// DirSync's fixed attribute flow.
    DirSync,
    /// Azure AD Connect's out-of-box sync rules.
    Connect,
}

/// One outbound rule contributing userPrincipalName, with its precedence (lower wins).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UpnRule {
    pub(crate) name: &'static str,
    pub(crate) precedence: u32,
    /// The source attribute (LDAP name).
    pub(crate) source: String,
}

/// The outbound rules that decide userPrincipalName, ordered by precedence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OutboundRules {
    upn_rules: Vec<UpnRule>,
}

impl OutboundRules {
    /// The standard rule (`userPrincipalName` → userPrincipalName) plus, with an alternate login
    /// ID, a custom rule of precedence 50 flowing that attribute (custom rules use 0–99).
    pub(crate) fn new(alternate_login_id: Option<&str>) -> Self {
        let mut upn_rules = vec![UpnRule {
            name: "Out to AAD - User Identity",
            precedence: 110,
            source: "userPrincipalName".to_string(),
        }];
        if let Some(attr) =
            alternate_login_id.filter(|a| !a.eq_ignore_ascii_case("userPrincipalName"))
        {
            upn_rules.push(UpnRule {
                name: "Out to AAD - User Alternate Login ID",
                precedence: 50,
                source: attr.to_string(),
            });
        }
        upn_rules.sort_by_key(|r| r.precedence);
        Self { upn_rules }
    }

    /// The attribute block Azure AD should hold for this metaverse object. Shares the metaverse
    /// block unless a rule changes a value.
    pub(crate) fn outbound(&self, kind: ObjectKind, mv: &Arc<Attributes>) -> Arc<Attributes> {
        if kind != ObjectKind::User || self.upn_rules.len() == 1 {
            return mv.clone();
        }
        // The highest-precedence rule with a value wins; NULL lets the next rule contribute.
        let winner: Option<Cow<'_, str>> = self
            .upn_rules
            .iter()
            .find_map(|r| source_value(mv, &r.source));
        if winner.as_deref() == mv.user_principal_name() {
            return mv.clone();
        }
        let mut out = (**mv).clone();
        out.set_text(Field::UserPrincipalName, winner.as_deref());
        Arc::new(out)
    }
}

/// The value a UPN rule reads: borrowed from the packed store for the two attributes rules
/// usually name (this runs per user in outbound flow), copied for any other.
fn source_value<'a>(a: &'a Attributes, attribute: &str) -> Option<Cow<'a, str>> {
    if attribute.eq_ignore_ascii_case("userPrincipalName") {
        a.user_principal_name().map(Cow::Borrowed)
    } else if attribute.eq_ignore_ascii_case("mail") {
        a.mail().map(Cow::Borrowed)
    } else {
        a.get_text(attribute).map(Cow::Owned)
    }
}

impl FlowSet {
    /// Whether these are Connect's rules (the flow table's `connect` column).
    pub(crate) fn is_connect(self) -> bool {
        self == FlowSet::Connect
    }
}

/// The rows of `AttributeFlow` an image carries: those its writer's rules flow for `kind`.
fn carried(kind: ObjectKind, image: &AadImage) -> RowSet {
    attribute_flow::flowed_rows(kind, image.flow.is_connect())
}

/// The rows whose Azure AD value differs between two images of one object: values both
/// writers flow and differ, and values one writer flows and the other does not (a row only
/// one side carries differs when that side holds a value).
pub(crate) fn diff(kind: ObjectKind, old: &AadImage, new: &AadImage) -> RowSet {
    let (carried_old, carried_new) = (carried(kind, old), carried(kind, new));
    let mut m = 0;
    if !Arc::ptr_eq(&old.attrs, &new.attrs) {
        m |= old.attrs.differing_rows(&new.attrs) & carried_old & carried_new;
    }
    if carried_old != carried_new {
        m |= old.attrs.present_rows() & carried_old & !carried_new;
        m |= new.attrs.present_rows() & carried_new & !carried_old;
    }
    m
}

/// The rows an add writes: every value the image carries.
pub(crate) fn written(kind: ObjectKind, image: &AadImage) -> RowSet {
    image.attrs.present_rows() & carried(kind, image)
}

/// The object an image belongs to: its derived values.
pub(crate) struct ExportObject<'a> {
    pub(crate) kind: ObjectKind,
    pub(crate) dn: &'a Value,
    pub(crate) anchor: &'a ImmutableId,
}

/// Row `id`'s values in an image (none when the image's writer does not flow it).
fn row_values(o: &ExportObject<'_>, image: Option<&AadImage>, id: AttrId) -> Values {
    let Some(image) = image.filter(|i| carried(o.kind, i) & attribute_flow::bit(id) != 0) else {
        return Values::new();
    };
    match id.flow().storage {
        Storage::Field(Field::DistinguishedName) => Values::from_elem(o.dn.clone(), 1),
        Storage::Field(Field::SourceAnchor) => Values::from_elem(Value::from(o.anchor.as_str()), 1),
        _ => image.attrs.values(id),
    }
}

/// csexport's attribute lines for the rows in `set`: name, modification, old and new values.
pub(crate) fn changes(
    o: &ExportObject<'_>,
    old: Option<&AadImage>,
    new: &AadImage,
    set: RowSet,
) -> AttributeChanges {
    attribute_flow::ids(set)
        .filter_map(|id| {
            let (before, after) = (row_values(o, old, id), row_values(o, Some(new), id));
            let modification = Modification::between(&before, &after)?;
            Some(AttributeChange {
                attribute: aad_name(id),
                modification,
                old: before,
                new: after,
            })
        })
        .collect()
}

/// The Azure AD name of a row, one shared allocation per name for the whole process: every
/// pending export a verification reads (a million after a takeover) holds one.
fn aad_name(id: AttrId) -> Value {
    static NAMES: std::sync::LazyLock<Vec<Value>> = std::sync::LazyLock::new(|| {
        attribute_flow::ATTRIBUTE_FLOWS
            .iter()
            .map(|f| Value::from(f.aad_name))
            .collect()
    });
    NAMES[id.0 as usize].clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use upgrade_lab_model::{PackedTexts, attribute_flow::Field};

    fn user(upn: Option<&str>, mail: Option<&str>) -> Arc<Attributes> {
        Arc::new(Attributes::with_texts(PackedTexts::of_some(&[
            (Field::UserPrincipalName, upn),
            (Field::Mail, mail),
        ])))
    }

    #[test]
    fn without_alternate_id_the_metaverse_block_is_shared() {
        let mv = user(Some("a@contoso.com"), Some("x@contoso.com"));
        let out = OutboundRules::new(None).outbound(ObjectKind::User, &mv);
        assert!(Arc::ptr_eq(&mv, &out));
    }

    #[test]
    fn alternate_id_wins_by_precedence_and_null_falls_through() {
        let rules = OutboundRules::new(Some("mail"));
        let mv = user(Some("a@contoso.local"), Some("ann@contoso.com"));
        let out = rules.outbound(ObjectKind::User, &mv);
        assert_eq!(out.user_principal_name(), Some("ann@contoso.com"));
        let image = |attrs: &Arc<Attributes>| AadImage {
            attrs: attrs.clone(),
            flow: FlowSet::Connect,
        };
        let upn = attribute_flow::bit(attribute_flow::field_row(Field::UserPrincipalName));
        assert_eq!(diff(ObjectKind::User, &image(&mv), &image(&out)), upn);
        // No mail: the alternate rule contributes NULL, the standard rule's value flows.
        let mv = user(Some("b@contoso.local"), None);
        let out = rules.outbound(ObjectKind::User, &mv);
        assert_eq!(out.user_principal_name(), Some("b@contoso.local"));
    }

    #[test]
    fn a_takeover_adds_the_connect_only_rows_that_hold_a_value() {
        let mut attrs = (*user(Some("a@contoso.com"), None)).clone();
        let c = attribute_flow::by_ad_name("c").unwrap();
        attrs.extra = Some(Box::new(upgrade_lab_model::ExtraAttributes::new(vec![(
            c,
            Value::from("NL"),
        )])));
        let attrs = Arc::new(attrs);
        let dirsync = AadImage {
            attrs: attrs.clone(),
            flow: FlowSet::DirSync,
        };
        let connect = AadImage {
            attrs,
            flow: FlowSet::Connect,
        };
        let set = diff(ObjectKind::User, &dirsync, &connect);
        let dn = Value::from("CN=a,DC=contoso,DC=com");
        let anchor = ImmutableId::new("MyIRAFVEd2aImaq7zN3u/w==");
        let o = ExportObject {
            kind: ObjectKind::User,
            dn: &dn,
            anchor: &anchor,
        };
        let lines = changes(&o, Some(&dirsync), &connect, set);
        let names: Vec<&str> = lines.iter().map(|l| &*l.attribute).collect();
        assert_eq!(names, ["onPremisesDistinguishedName", "c"]);
        assert!(lines.iter().all(|l| l.modification == Modification::Add));
        assert_eq!(lines[1].new.as_slice(), [Value::from("NL")]);
        // A contact's `c` flowed under DirSync already: only the DN is new.
        assert_eq!(
            diff(ObjectKind::Contact, &dirsync, &connect).count_ones(),
            1
        );
        // The same writer and values: nothing differs.
        assert_eq!(diff(ObjectKind::User, &connect, &connect.clone()), 0);
    }
}
