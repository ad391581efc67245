//! The packed text store of [`crate::Attributes`]: every string value of one object in one buffer,
//! with one end offset per value, and the builder that assembles it.
//!
//! Slots: the twelve single-valued text attributes (`cn` … `description`, in
//! `attribute_flow::Field` order, `manager` aside: a DN is shared with the object it names, so
//! `Attributes` keeps it as a shared value), then `extensionAttribute1`–`15`; a bitmap says which slots hold
//! a value. The buffer lays the present slots out in slot order, then the `proxyAddresses` values
//! in their own order. The layout is canonical (one layout per set of values), so comparing two
//! stores compares their values.
//!
//! The end offset of each value sits in a header at the front of the same buffer, written as
//! `width` ASCII digits of seven bits each (big-endian), `width` being the fewest digits that hold
//! the length of the values (one digit below 128 bytes, two below 16 KiB). Seven-bit digits keep
//! the buffer a `str`, so reading a value is a slice, never a UTF-8 check, and nothing here needs
//! `unsafe`; one allocation per object instead of a text buffer and an offset array is what a
//! million-object world needs (BENCHMARKS.md, issue 13). The header is ours to write by hand: no
//! crate packs offsets inside a `str`.
//!
//! It must not know sync rules or serde: `object.rs` maps fields to slots for its readers.

use crate::attribute_flow::Field;

/// Single-valued slots: 12 named text attributes and 15 extension attributes.
const SINGLE_SLOTS: u32 = 27;
/// The slot of `extensionAttribute1`; `extensionAttributeN` is `EXTENSION_BASE + N - 1`.
const EXTENSION_BASE: u32 = 12;
/// The sort key of `proxyAddresses` values in a builder: after every single slot.
const PROXY_SLOT: u32 = SINGLE_SLOTS;
/// The bits of `PackedTexts::present` that name slots; the header's digit count sits above them.
const SLOT_MASK: u32 = (1 << SINGLE_SLOTS) - 1;
/// Where the header's digit count sits in `PackedTexts::present`.
const WIDTH_SHIFT: u32 = 28;
/// The most digits an offset takes: 35 bits, more than any `u32` offset.
const MAX_WIDTH: usize = 5;

/// The slot of a single-valued text attribute, `None` for every other field (proxy addresses
/// included: they are a list).
pub(crate) const fn slot(field: Field) -> Option<u32> {
    Some(match field {
        Field::Cn => 0,
        Field::SamAccountName => 1,
        Field::UserPrincipalName => 2,
        Field::Mail => 3,
        Field::DisplayName => 4,
        Field::GivenName => 5,
        Field::Sn => 6,
        Field::Department => 7,
        Field::Title => 8,
        Field::City => 9,
        Field::TelephoneNumber => 10,
        Field::Description => 11,
        Field::Extension(n @ 1..=15) => EXTENSION_BASE + n as u32 - 1,
        _ => return None,
    })
}

/// The twelve named single-valued text fields, in slot order.
pub(crate) const TEXT_FIELDS: [Field; 12] = [
    Field::Cn,
    Field::SamAccountName,
    Field::UserPrincipalName,
    Field::Mail,
    Field::DisplayName,
    Field::GivenName,
    Field::Sn,
    Field::Department,
    Field::Title,
    Field::City,
    Field::TelephoneNumber,
    Field::Description,
];

/// The field of each single-valued slot: the named texts, then `extensionAttribute1`–`15`.
pub(crate) const SLOT_FIELDS: [Field; 27] = {
    let mut all = [Field::Cn; 27];
    let mut i = 0;
    while i < 12 {
        all[i] = TEXT_FIELDS[i];
        i += 1;
    }
    while i < 27 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "i < 27: extension numbers 1 to 15"
        )]
        let n = (i - 11) as u8;
        all[i] = Field::Extension(n);
        i += 1;
    }
    all
};

/// The packed texts of one object (see the module doc): 24 bytes whatever it holds, plus one
/// buffer holding the offsets header and the text. Build one with [`PackedTexts::of`] or a
/// [`TextBuilder`].
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct PackedTexts {
    /// The header (one end offset per value, `width` seven-bit ASCII digits each, in value
    /// order), then every value concatenated: present slots in slot order, then the proxy
    /// addresses.
    text: Box<str>,
    /// Bit `s` below [`WIDTH_SHIFT`] set: slot `s` holds a value. The bits above hold the
    /// header's digits per offset (0 when the store is empty).
    present: u32,
    /// How many values the store holds: single slots and proxy addresses.
    count: u32,
}

impl PackedTexts {
    /// A store holding the given texts (`ProxyAddresses` may repeat, in order; a repeated
    /// single-valued field keeps its last value).
    ///
    /// # Panics
    /// When a field is not a text attribute (see [`TextBuilder::set`]).
    pub fn of(pairs: &[(Field, &str)]) -> Self {
        let mut b = TextBuilder::default();
        for (f, v) in pairs {
            b.set(*f, v);
        }
        b.finish()
    }

    /// A store holding the values that are `Some` (as [`PackedTexts::of`]).
    ///
    /// # Panics
    /// When a field is not a text attribute (see [`TextBuilder::set`]).
    pub fn of_some(pairs: &[(Field, Option<&str>)]) -> Self {
        let mut b = TextBuilder::default();
        for (f, v) in pairs {
            if let Some(v) = v {
                b.set(*f, v);
            }
        }
        b.finish()
    }

    /// Digits per offset in the header.
    fn width(&self) -> usize {
        (self.present >> WIDTH_SHIFT) as usize
    }

    /// The present single-valued slots.
    fn slots(&self) -> u32 {
        self.present & SLOT_MASK
    }

    /// The end of value `k`, counted from the end of the header.
    fn end(&self, k: usize) -> usize {
        let b = self.text.as_bytes();
        // Every text read comes here: the two common widths without a loop.
        match self.width() {
            1 => usize::from(b[k]),
            2 => usize::from(b[2 * k]) << 7 | usize::from(b[2 * k + 1]),
            w => b[k * w..(k + 1) * w]
                .iter()
                .fold(0, |end, &d| end << 7 | usize::from(d)),
        }
    }

    fn span(&self, k: usize) -> &str {
        debug_assert!(k < self.count as usize, "value {k} of {}", self.count);
        let base = self.count as usize * self.width();
        let start = if k == 0 { 0 } else { self.end(k - 1) };
        &self.text[base + start..base + self.end(k)]
    }

    /// The value of single-valued slot `s`.
    pub(crate) fn get(&self, s: u32) -> Option<&str> {
        debug_assert!(s < SINGLE_SLOTS, "slot {s} is not a single-valued slot");
        if self.present & (1 << s) == 0 {
            return None;
        }
        let k = (self.slots() & ((1 << s) - 1)).count_ones() as usize;
        Some(self.span(k))
    }

    /// The proxy addresses, in their order.
    pub(crate) fn proxies(&self) -> Texts<'_> {
        let first = self.slots().count_ones() as usize;
        Texts {
            store: self,
            next: first,
            end: self.count as usize,
        }
    }

    /// The present single-valued slots, one bit per slot (bit `s`: slot `s`), without reading
    /// the text: what a presence check needs, at the cost of one field load.
    pub(crate) fn slot_bits(&self) -> u32 {
        self.slots()
    }

    /// The present single-valued slots with their values, in slot order.
    pub(crate) fn singles(&self) -> impl Iterator<Item = (u32, &str)> {
        let mut bits = self.slots();
        (0..).map_while(move |k| {
            if bits == 0 {
                return None;
            }
            let s = bits.trailing_zeros();
            bits &= bits - 1;
            Some((s, self.span(k)))
        })
    }

    /// The present extension attributes as (number, value), by number.
    pub(crate) fn extensions(&self) -> impl Iterator<Item = (u8, &str)> {
        self.singles().filter_map(|(s, v)| {
            let n = u8::try_from(s.checked_sub(EXTENSION_BASE)? + 1).ok()?;
            Some((n, v))
        })
    }

    /// Bytes held on the heap (header and text), for memory accounting in tests.
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.text.len()
    }
}

impl std::fmt::Debug for PackedTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_map();
        for (s, v) in self.singles() {
            d.entry(&SLOT_FIELDS[s as usize], &v);
        }
        for v in self.proxies() {
            d.entry(&Field::ProxyAddresses, &v);
        }
        d.finish()
    }
}

/// The proxy addresses of one object, in order.
#[derive(Clone)]
pub struct Texts<'a> {
    store: &'a PackedTexts,
    next: usize,
    end: usize,
}

impl<'a> Iterator for Texts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.next == self.end {
            return None;
        }
        self.next += 1;
        Some(self.store.span(self.next - 1))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Texts<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next == self.end {
            return None;
        }
        self.end -= 1;
        Some(self.store.span(self.end))
    }
}

impl ExactSizeIterator for Texts<'_> {}

/// Assembles the texts of one object: values are appended in any order to one buffer (reused
/// from object to object, so building allocates only the finished store), then laid out once.
/// Setting a single-valued attribute twice keeps the last value; proxy addresses keep the order
/// they were added in.
#[derive(Debug, Default)]
pub struct TextBuilder {
    buf: String,
    /// (slot, start, end) of each value in `buf`.
    spans: Vec<(u32, u32, u32)>,
}

impl TextBuilder {
    /// Sets field `field` to `text` (appends it for `ProxyAddresses`).
    ///
    /// # Panics
    /// When `field` is not a text attribute of the packed store (`member`, a derived row): those
    /// are fields of [`crate::Attributes`] or not stored at all.
    pub fn set(&mut self, field: Field, text: &str) -> &mut Self {
        let s = builder_slot(field);
        self.push(s, text);
        self
    }

    /// Sets field `field` to the formatted text, written straight into the builder's buffer.
    ///
    /// # Panics
    /// As [`TextBuilder::set`].
    pub fn set_fmt(&mut self, field: Field, text: std::fmt::Arguments<'_>) -> &mut Self {
        let s = builder_slot(field);
        let start = offset(self.buf.len());
        std::fmt::Write::write_fmt(&mut self.buf, text).expect("writing to a String cannot fail");
        self.spans.push((s, start, offset(self.buf.len())));
        self
    }

    /// Lays the values out as a store and empties the builder for the next object.
    pub fn finish(&mut self) -> PackedTexts {
        // Stable: proxy addresses keep their order; of two values for one slot the later wins.
        self.spans.sort_by_key(|&(s, _, _)| s);
        self.spans.dedup_by(|later, earlier| {
            later.0 == earlier.0 && later.0 != PROXY_SLOT && {
                *earlier = *later;
                true
            }
        });
        let len: usize = self.spans.iter().map(|&(_, a, b)| (b - a) as usize).sum();
        let count = self.spans.len();
        let width = if count == 0 { 0 } else { width_for(len) };
        let mut text = String::with_capacity(count * width + len);
        let mut end = 0;
        for &(_, a, b) in &self.spans {
            end += (b - a) as usize;
            push_digits(&mut text, end, width);
        }
        let mut present = 0u32;
        for &(s, a, b) in &self.spans {
            text.push_str(&self.buf[a as usize..b as usize]);
            if s < SINGLE_SLOTS {
                present |= 1 << s;
            }
        }
        debug_assert_eq!(text.len(), count * width + len, "the header is ASCII");
        self.buf.clear();
        self.spans.clear();
        PackedTexts {
            text: text.into_boxed_str(),
            #[expect(clippy::cast_possible_truncation, reason = "width <= MAX_WIDTH")]
            present: present | (width as u32) << WIDTH_SHIFT,
            count: u32::try_from(count).expect("an object holds fewer than 2^32 values"),
        }
    }

    /// A builder holding every value of `store`, to change some and finish again.
    pub(crate) fn from_store(store: &PackedTexts) -> Self {
        let mut b = Self::default();
        for (s, v) in store.singles() {
            b.push(s, v);
        }
        for v in store.proxies() {
            b.push(PROXY_SLOT, v);
        }
        b
    }

    /// Removes the value of single-valued `field`, or every proxy address.
    pub(crate) fn clear_field(&mut self, field: Field) {
        let s = builder_slot(field);
        self.spans.retain(|&(t, _, _)| t != s);
    }

    fn push(&mut self, s: u32, v: &str) {
        let start = offset(self.buf.len());
        self.buf.push_str(v);
        self.spans.push((s, start, offset(self.buf.len())));
    }
}

/// The sort key of `field` in a builder: its slot, or after every slot for a proxy address.
///
/// # Panics
/// When `field` is not a text attribute of the packed store.
fn builder_slot(field: Field) -> u32 {
    match field {
        Field::ProxyAddresses => PROXY_SLOT,
        f => slot(f).unwrap_or_else(|| panic!("{f:?} is not a text attribute")),
    }
}

/// The fewest seven-bit digits that hold every offset up to `len`.
fn width_for(len: usize) -> usize {
    (1..=MAX_WIDTH)
        .find(|&w| len >> (7 * w) == 0)
        .expect("an object's texts exceed 32 GiB")
}

/// Appends `end` as `width` seven-bit ASCII digits, most significant first.
fn push_digits(text: &mut String, end: usize, width: usize) {
    for i in (0..width).rev() {
        #[expect(clippy::cast_possible_truncation, reason = "masked to seven bits")]
        text.push(char::from((end >> (7 * i) & 0x7f) as u8));
    }
}

/// A byte offset as stored: one object's texts are far below 4 GiB (LDIF lines are bounded).
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("an object's texts exceed 4 GiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(pairs: &[(Field, &str)]) -> PackedTexts {
        let mut b = TextBuilder::default();
        for (f, v) in pairs {
            b.set(*f, v);
        }
        b.finish()
    }

    #[test]
    fn values_come_back_by_slot_whatever_the_order_they_were_set_in() {
        let t = build(&[
            (Field::ProxyAddresses, "SMTP:a@x"),
            (Field::Title, "Boss"),
            (Field::Extension(15), "e15"),
            (Field::Cn, "Ann"),
            (Field::ProxyAddresses, "smtp:b@y"),
            (Field::Extension(1), "e1"),
        ]);
        assert_eq!(t.get(slot(Field::Cn).unwrap()), Some("Ann"));
        assert_eq!(t.get(slot(Field::Title).unwrap()), Some("Boss"));
        assert_eq!(t.get(slot(Field::Mail).unwrap()), None);
        assert_eq!(t.proxies().collect::<Vec<_>>(), ["SMTP:a@x", "smtp:b@y"]);
        assert_eq!(t.proxies().next_back(), Some("smtp:b@y"));
        assert_eq!(t.proxies().len(), 2);
        assert_eq!(t.extensions().collect::<Vec<_>>(), [(1, "e1"), (15, "e15")]);
        assert_eq!(t.heap_bytes(), "AnnBosse1e15SMTP:a@xsmtp:b@y".len() + 6);
    }

    #[test]
    fn debug_lists_each_value_with_its_attribute() {
        let t = build(&[(Field::ProxyAddresses, "SMTP:a@x"), (Field::Cn, "Ann")]);
        assert_eq!(
            format!("{t:?}"),
            r#"{Cn: "Ann", ProxyAddresses: "SMTP:a@x"}"#
        );
    }

    #[test]
    fn of_some_keeps_the_values_that_are_there() {
        let t = PackedTexts::of_some(&[
            (Field::Cn, Some("Ann")),
            (Field::Mail, None),
            (Field::ProxyAddresses, Some("SMTP:a@x")),
        ]);
        assert!(t == build(&[(Field::Cn, "Ann"), (Field::ProxyAddresses, "SMTP:a@x")]));
        assert_eq!(t.get(slot(Field::Mail).unwrap()), None);
    }

    #[test]
    fn the_layout_is_canonical_and_the_last_value_of_a_slot_wins() {
        let a = build(&[(Field::Cn, "x"), (Field::Sn, "S"), (Field::Cn, "Ann")]);
        let b = build(&[(Field::Sn, "S"), (Field::Cn, "Ann")]);
        assert!(a == b);
        let c = build(&[(Field::Sn, "S"), (Field::Cn, "Ann"), (Field::Mail, "")]);
        assert!(a != c, "an empty value is a value");
        assert_eq!(c.get(slot(Field::Mail).unwrap()), Some(""));
    }

    #[test]
    fn a_store_rebuilt_with_one_field_cleared_keeps_the_rest() {
        let t = build(&[
            (Field::Cn, "Ann"),
            (Field::ProxyAddresses, "SMTP:a@x"),
            (Field::Mail, "a@x"),
        ]);
        let mut b = TextBuilder::from_store(&t);
        b.clear_field(Field::Mail);
        let u = b.finish();
        assert_eq!(u.get(slot(Field::Mail).unwrap()), None);
        assert_eq!(u.get(slot(Field::Cn).unwrap()), Some("Ann"));
        assert_eq!(u.proxies().collect::<Vec<_>>(), ["SMTP:a@x"]);
        let mut b = TextBuilder::from_store(&u);
        b.clear_field(Field::ProxyAddresses);
        assert_eq!(b.finish().proxies().count(), 0);
    }

    #[test]
    fn the_header_takes_the_fewest_digits_that_hold_the_offsets() {
        for (len, width) in [(0, 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3)] {
            let v = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let t = build(&[(Field::Cn, &v), (Field::ProxyAddresses, "")]);
            assert_eq!(t.width(), width, "{len} bytes");
            assert_eq!(t.heap_bytes(), len + 2 * width, "{len} bytes");
            assert_eq!(t.get(slot(Field::Cn).unwrap()), Some(v.as_str()));
            assert_eq!(t.proxies().collect::<Vec<_>>(), [""]);
        }
        assert_eq!(width_for(1 << 21), 4);
        assert_eq!(width_for((1 << 28) - 1), 4);
        assert_eq!(width_for(1 << 28), 5);
    }

    /// Proxy addresses set no slot bit: only the header's width sits above the slots.
    #[test]
    fn proxy_addresses_mark_no_slot() {
        let t = build(&[(Field::ProxyAddresses, "SMTP:a@x")]);
        assert_eq!(t.present, 1 << WIDTH_SHIFT);
        let t = build(&[(Field::ProxyAddresses, "SMTP:a@x"), (Field::Cn, "Ann")]);
        assert_eq!(t.present, 1 << WIDTH_SHIFT | 1);
    }

    #[test]
    fn an_empty_builder_gives_the_default_store() {
        let t = TextBuilder::default().finish();
        assert!(t == PackedTexts::default());
        assert_eq!((t.width(), t.heap_bytes(), t.proxies().len()), (0, 0, 0));
        assert_eq!(t.singles().count(), 0);
    }

    #[test]
    fn long_and_many_values_come_back_whole() {
        let long = "ß".repeat(20_000);
        let proxies: Vec<String> = (0..300).map(|i| format!("smtp:u{i}@example.com")).collect();
        let mut b = TextBuilder::default();
        b.set(Field::Description, &long)
            .set(Field::Extension(15), "z");
        for p in &proxies {
            b.set(Field::ProxyAddresses, p);
        }
        let t = b.finish();
        assert_eq!(t.width(), 3);
        assert_eq!(
            t.get(slot(Field::Description).unwrap()),
            Some(long.as_str())
        );
        assert_eq!(t.get(slot(Field::Extension(15)).unwrap()), Some("z"));
        assert_eq!(t.proxies().collect::<Vec<_>>(), proxies);
        assert_eq!(t.proxies().next_back(), proxies.last().map(String::as_str));
    }

    #[test]
    #[should_panic(expected = "Member is not a text attribute")]
    fn a_field_outside_the_store_panics() {
        TextBuilder::default().set(Field::Member, "CN=x");
    }

    #[test]
    fn every_single_valued_text_field_has_its_own_slot() {
        let mut seen = 0u32;
        for n in 1..=15 {
            seen |= 1 << slot(Field::Extension(n)).unwrap();
        }
        for f in TEXT_FIELDS {
            let s = slot(f).unwrap();
            assert_eq!(seen & (1 << s), 0, "{f:?} shares a slot");
            seen |= 1 << s;
        }
        assert_eq!(seen, (1 << SINGLE_SLOTS) - 1);
        // SLOT_FIELDS is the inverse of `slot`, slot by slot.
        for (s, f) in SLOT_FIELDS.iter().enumerate() {
            assert_eq!(slot(*f), Some(u32::try_from(s).unwrap()), "{f:?}");
        }
        assert_eq!(slot(Field::Extension(0)), None);
        assert_eq!(slot(Field::Extension(16)), None);
        assert_eq!(slot(Field::ProxyAddresses), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever is set, in whatever order and length, comes back: the last value of each
        /// slot and every proxy address in order.
        #[test]
        fn what_is_set_comes_back(
            sets in proptest::collection::vec((0..=SINGLE_SLOTS, ".{0,40}|x{100,300}"), 0..40)
        ) {
            let mut b = TextBuilder::default();
            let mut singles = std::collections::BTreeMap::new();
            let mut proxies = Vec::new();
            for (s, v) in &sets {
                if *s == PROXY_SLOT {
                    b.set(Field::ProxyAddresses, v);
                    proxies.push(v.as_str());
                } else {
                    b.set(SLOT_FIELDS[*s as usize], v);
                    singles.insert(*s, v.as_str());
                }
            }
            let t = b.finish();
            proptest::prop_assert_eq!(t.singles().collect::<Vec<_>>(), singles.into_iter().collect::<Vec<_>>());
            proptest::prop_assert_eq!(t.proxies().collect::<Vec<_>>(), proxies);
        }
    }
}
