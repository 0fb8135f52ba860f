//! The Active Directory view of an LDIF record: an [`Entry`] holds the DN and the
//! values of the attributes ldifix checks, as text, with attribute names normalised once
//! (case-insensitive, options such as `;range=0-1499` or `;binary` stripped).
//!
//! Text decoding: valid UTF-8 is borrowed as is; other bytes are read as Windows-1252
//! (ldifde's default "ANSI" export) and the entry is marked, so a report can say so. The
//! original bytes are kept in that case so a change file can restore them exactly.

use std::borrow::Cow;

use crate::ldif::{Body, Record, Value};

/// The attributes ldifix reads. Everything else in an export is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attr {
    /// `cn`
    Cn,
    /// `displayName`
    DisplayName,
    /// `givenName`
    GivenName,
    /// `sn`
    Sn,
    /// `mail`
    Mail,
    /// `mailNickname`
    MailNickname,
    /// `proxyAddresses`
    ProxyAddresses,
    /// `sAMAccountName`
    SamAccountName,
    /// `targetAddress`
    TargetAddress,
    /// `userPrincipalName`
    UserPrincipalName,
    /// `objectClass`
    ObjectClass,
    /// `groupType`
    GroupType,
    /// `homeMDB`
    HomeMdb,
    /// `isCriticalSystemObject`
    IsCriticalSystemObject,
    /// `msExchHideFromAddressLists`
    MsExchHideFromAddressLists,
    /// `msExchRecipientTypeDetails`
    MsExchRecipientTypeDetails,
    /// `userAccountControl`
    UserAccountControl,
    /// `member` (counted, values not kept)
    Member,
    /// `userCertificate` (counted)
    UserCertificate,
    /// `userSMIMECertificate` (counted)
    UserSmimeCertificate,
}

/// Attributes whose values are only counted, never decoded or stored.
const COUNTED: [Attr; 3] = [
    Attr::Member,
    Attr::UserCertificate,
    Attr::UserSmimeCertificate,
];

impl Attr {
    /// Every attribute, in a fixed order.
    pub const ALL: [Attr; 20] = [
        Attr::Cn,
        Attr::DisplayName,
        Attr::GivenName,
        Attr::Sn,
        Attr::Mail,
        Attr::MailNickname,
        Attr::ProxyAddresses,
        Attr::SamAccountName,
        Attr::TargetAddress,
        Attr::UserPrincipalName,
        Attr::ObjectClass,
        Attr::GroupType,
        Attr::HomeMdb,
        Attr::IsCriticalSystemObject,
        Attr::MsExchHideFromAddressLists,
        Attr::MsExchRecipientTypeDetails,
        Attr::UserAccountControl,
        Attr::Member,
        Attr::UserCertificate,
        Attr::UserSmimeCertificate,
    ];

    /// The LDAP display name as AD spells it.
    pub fn ldap_name(self) -> &'static str {
        match self {
            Attr::Cn => "cn",
            Attr::DisplayName => "displayName",
            Attr::GivenName => "givenName",
            Attr::Sn => "sn",
            Attr::Mail => "mail",
            Attr::MailNickname => "mailNickname",
            Attr::ProxyAddresses => "proxyAddresses",
            Attr::SamAccountName => "sAMAccountName",
            Attr::TargetAddress => "targetAddress",
            Attr::UserPrincipalName => "userPrincipalName",
            Attr::ObjectClass => "objectClass",
            Attr::GroupType => "groupType",
            Attr::HomeMdb => "homeMDB",
            Attr::IsCriticalSystemObject => "isCriticalSystemObject",
            Attr::MsExchHideFromAddressLists => "msExchHideFromAddressLists",
            Attr::MsExchRecipientTypeDetails => "msExchRecipientTypeDetails",
            Attr::UserAccountControl => "userAccountControl",
            Attr::Member => "member",
            Attr::UserCertificate => "userCertificate",
            Attr::UserSmimeCertificate => "userSMIMECertificate",
        }
    }

    /// Look up an attribute description (case-insensitive; options ignored).
    pub fn from_desc(desc: &str) -> Option<Attr> {
        let b = desc.as_bytes();
        // Most descriptions carry no option: try the whole name first, and look for a
        // `;` only when that fails.
        Self::from_type(b).or_else(|| {
            let i = b.iter().position(|&c| c == b';')?;
            Self::from_type(&b[..i])
        })
    }

    /// The attribute whose name is `name` (case-insensitive, no options).
    #[inline]
    fn from_type(name: &[u8]) -> Option<Attr> {
        // One candidate by length and one distinguishing letter (this runs once per
        // kept attribute line of every record), then one comparison.
        let at = |i: usize| name.get(i).map_or(0, u8::to_ascii_lowercase);
        let candidate = match name.len() {
            2 if at(0) == b'c' => Attr::Cn,
            2 => Attr::Sn,
            4 => Attr::Mail,
            6 => Attr::Member,
            7 => Attr::HomeMdb,
            9 if at(1) == b'i' => Attr::GivenName,
            9 => Attr::GroupType,
            11 if at(0) == b'd' => Attr::DisplayName,
            11 => Attr::ObjectClass,
            12 => Attr::MailNickname,
            13 => Attr::TargetAddress,
            14 if at(0) == b'p' => Attr::ProxyAddresses,
            14 => Attr::SamAccountName,
            15 => Attr::UserCertificate,
            17 => Attr::UserPrincipalName,
            18 => Attr::UserAccountControl,
            20 => Attr::UserSmimeCertificate,
            22 => Attr::IsCriticalSystemObject,
            26 if at(6) == b'h' => Attr::MsExchHideFromAddressLists,
            26 => Attr::MsExchRecipientTypeDetails,
            _ => return None,
        };
        // Exports spell names as AD does: compare bytes first, ignore case only then.
        let want = candidate.ldap_name().as_bytes();
        (want == name || want.eq_ignore_ascii_case(name)).then_some(candidate)
    }

    /// How a parser should keep an attribute line for an [`Entry`]
    /// ([`Parser::with_attr_classes`](crate::ldif::Parser::with_attr_classes)): the values
    /// of attributes ldifix checks, only the presence of those it counts (members,
    /// certificates), nothing of the rest.
    pub fn read_class(desc: &str) -> crate::ldif::Keep {
        match Attr::from_desc(desc) {
            Some(a) if a.is_counted() => crate::ldif::Keep::Presence,
            Some(_) => crate::ldif::Keep::Value,
            None => crate::ldif::Keep::Drop,
        }
    }

    fn is_counted(self) -> bool {
        COUNTED.contains(&self)
    }
}

/// One text value of a known attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrValue<'a> {
    /// Which attribute.
    pub attr: Attr,
    /// The value as text (Windows-1252 reading when the bytes were not UTF-8).
    pub text: Cow<'a, str>,
    /// The original bytes when they differ from `text` (not valid UTF-8).
    pub raw: Option<Box<[u8]>>,
}

impl AttrValue<'_> {
    /// The value's original bytes.
    pub fn bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.text.as_bytes())
    }
}

/// Identifies an input file in a multi-file run.
pub type FileId = u32;

/// An object of the directory, as one record of an export describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Which input.
    pub file: FileId,
    /// 1-based line of the record's `dn:` line.
    pub line: u64,
    /// Byte offset of the record in its (decoded) input.
    pub offset: usize,
    /// The DN's original bytes when they differ from `dn` (not valid UTF-8); see
    /// [`Entry::dn_raw`].
    dn_bytes: Option<Box<[u8]>>,
    /// The DN as text.
    pub dn: Cow<'a, str>,
    /// Values of the known attributes, in file order ([`Entry::values`]).
    values: Vec<AttrValue<'a>>,
    /// Where each attribute's values start in `values` (by `Attr as usize`): the index
    /// of its first value, [`NO_VALUE`] when it has none; a first value at index
    /// [`FAR`] or later is looked for from [`FAR`] on. Look-ups by attribute (scope,
    /// checks, keys ask a dozen per entry) then skip the values before.
    first: [u8; Attr::ALL.len()],
    counts: [u32; 3],
    /// Some value (or the DN) was not valid UTF-8 and was read as Windows-1252.
    pub non_utf8: bool,
    /// Some value (or the DN) may have lost characters in the export itself (a `?` in a
    /// file Windows PowerShell 5.1 wrote in ASCII); set by the reader of the whole input.
    pub lossy: bool,
    /// Attributes the export has no column for (bit `1 << attr as u32`; an Export-Csv
    /// writes only the properties asked for): their values are unknown, not absent.
    pub unexported: u32,
    /// A checked attribute came as a range of its values that is not the last one
    /// (`member;range=0-1499`, [`is_partial_range`]): the export holds only part of them.
    pub partial: bool,
}

/// [`Entry::first`]'s mark of an attribute without a value.
const NO_VALUE: u8 = u8::MAX;

/// [`Entry::first`]'s largest index.
const FAR: u8 = u8::MAX - 1;

/// The [`Entry::first`] index of `values`.
fn first_index(values: &[AttrValue<'_>]) -> [u8; Attr::ALL.len()] {
    let mut first = [NO_VALUE; Attr::ALL.len()];
    for (i, v) in values.iter().enumerate() {
        let f = &mut first[v.attr as usize];
        if *f == NO_VALUE {
            *f = u8::try_from(i).map_or(FAR, |i| i.min(FAR));
        }
    }
    first
}

/// Whether an attribute description carries AD's ranged-retrieval option with an end
/// other than `*` (`member;range=0-1499`): the values given are a part, the rest came in
/// later requests the export does not hold. `range=1500-*` is the last part.
pub fn is_partial_range(desc: &str) -> bool {
    desc.split(';').skip(1).any(|o| {
        o.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("range="))
            && o.rsplit('-').next().is_some_and(|end| end.trim() != "*")
    })
}

/// The attribute a description names, and whether it carries a partial range.
fn describe(desc: &str) -> (Option<Attr>, bool) {
    let attr = Attr::from_desc(desc);
    // A description longer than the name carries options (rare: checked then).
    let partial = attr.is_some_and(|a| desc.len() > a.ldap_name().len() && is_partial_range(desc));
    (attr, partial)
}

/// Buffers [`Entry::from_record_in`] reuses from one record to the next.
#[derive(Debug, Default)]
pub struct Spare<'a> {
    /// The last record's attribute vector, emptied (for the parser).
    pub attrs: Vec<crate::ldif::Attr<'a>>,
    values: Vec<AttrValue<'a>>,
    /// The text the records are read from, when it is valid UTF-8 as a whole.
    text: Option<&'a str>,
    /// Attribute descriptions met before, by address ([`Spare::resolve`]).
    names: NameMemo,
}

/// What a description borrowed from the input was found to name: a direct-mapped table
/// keyed by the description's address and length. The parser hands out one `&str` per
/// distinct name (its name cache), so nearly every line of a record finds its
/// description here without comparing text; the same address and length always hold the
/// same bytes (the input does not change while it is borrowed).
#[derive(Debug, Clone)]
struct NameMemo([(usize, usize, Option<Attr>, bool); NAME_MEMO]);

const NAME_MEMO: usize = 64;

impl Default for NameMemo {
    fn default() -> Self {
        NameMemo([(0, 0, None, false); NAME_MEMO])
    }
}

impl<'a> Spare<'a> {
    /// Buffers for records read from `bytes`, which are checked once for UTF-8 as a
    /// whole: when they are valid, a value that borrows them needs no check of its own,
    /// as any stretch of valid UTF-8 that starts and ends on character boundaries is
    /// valid UTF-8 (values start and end at ASCII delimiters).
    pub fn over(bytes: &'a [u8]) -> Self {
        Spare {
            text: simdutf8::basic::from_utf8(bytes).ok(),
            ..Spare::default()
        }
    }

    /// `b` as text: a stretch of the checked text when it borrows it, else
    /// [`decode_text`].
    fn decode(&self, b: Cow<'a, [u8]>) -> (Cow<'a, str>, Option<Box<[u8]>>) {
        if let (Some(text), Cow::Borrowed(s)) = (self.text, &b) {
            // Where `s` lies in `text`, if it lies there at all (address arithmetic
            // only: nothing is read through these numbers).
            let start = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
            if start <= text.len() && s.len() <= text.len() - start {
                if let Some(t) = text.get(start..start + s.len()) {
                    return (Cow::Borrowed(t), None);
                }
            }
        }
        decode_text(b)
    }

    /// The attribute a description names and whether it carries a partial range
    /// ([`is_partial_range`]).
    // The `Cow` itself, not its text: only a borrowed description has an address that
    // names its bytes for as long as the input lives (an owned one's heap block may be
    // freed and reused for other text).
    #[allow(clippy::ptr_arg)]
    #[inline]
    fn resolve(&mut self, desc: &Cow<'a, str>) -> (Option<Attr>, bool) {
        let Cow::Borrowed(d) = desc else {
            return describe(desc);
        };
        let (addr, len) = (d.as_ptr() as usize, d.len());
        let slot = &mut self.names.0[(addr ^ (addr >> 7) ^ len) % NAME_MEMO];
        if slot.0 == addr && slot.1 == len {
            return (slot.2, slot.3);
        }
        let (attr, partial) = describe(d);
        *slot = (addr, len, attr, partial);
        (attr, partial)
    }

    /// Take back the value vector of an entry that is no longer needed.
    pub fn keep_values(&mut self, entry: Entry<'a>) {
        let mut v = entry.values;
        v.clear();
        self.values = v;
    }
}

/// Decode bytes as UTF-8, else Windows-1252.
pub fn decode_text(b: Cow<'_, [u8]>) -> (Cow<'_, str>, Option<Box<[u8]>>) {
    match b {
        Cow::Borrowed(s) => match std::str::from_utf8(s) {
            Ok(t) => (Cow::Borrowed(t), None),
            Err(_) => {
                let (t, _, _) = encoding_rs::WINDOWS_1252.decode(s);
                (Cow::Owned(t.into_owned()), Some(s.into()))
            }
        },
        Cow::Owned(v) => match String::from_utf8(v) {
            Ok(t) => (Cow::Owned(t), None),
            Err(e) => {
                let v = e.into_bytes();
                let (t, _, _) = encoding_rs::WINDOWS_1252.decode(&v);
                (Cow::Owned(t.into_owned()), Some(v.into_boxed_slice()))
            }
        },
    }
}

impl<'a> Entry<'a> {
    /// The DN exactly as exported (decoded from base64 if `dn::`).
    pub fn dn_raw(&self) -> &[u8] {
        self.dn_bytes.as_deref().unwrap_or(self.dn.as_bytes())
    }

    /// The entry a content or `changetype: add` record describes; `None` for other
    /// change records (delete, modify, modrdn), which describe no object.
    pub fn from_record(file: FileId, rec: Record<'a>) -> Option<Entry<'a>> {
        Self::from_record_in(file, rec, &mut Spare::default())
    }

    /// [`Entry::from_record`] reusing buffers: the entry's value vector is `spare`'s
    /// (handed back with [`Spare::keep_values`]), and the record's emptied attribute
    /// vector is left in `spare.attrs` for the parser ([`crate::ldif::Parser::recycle`]).
    /// A reader that looks at records one by one saves two allocations per record.
    pub fn from_record_in(
        file: FileId,
        rec: Record<'a>,
        spare: &mut Spare<'a>,
    ) -> Option<Entry<'a>> {
        let mut attrs = match rec.body {
            Body::Attrs(a) => a,
            _ => return None,
        };
        let mut non_utf8 = false;
        let (dn, dn_bytes) = spare.decode(rec.dn);
        if dn_bytes.is_some() {
            non_utf8 = true;
        }
        // Empty: `keep_values` clears what it takes back.
        let mut values = std::mem::take(&mut spare.values);
        values.reserve(attrs.len());
        let mut counts = [0u32; 3];
        let mut partial = false;
        for a in attrs.drain(..) {
            let (Some(attr), part) = spare.resolve(&a.name) else {
                continue;
            };
            partial |= part;
            if attr.is_counted() {
                if let Some(i) = COUNTED.iter().position(|c| *c == attr) {
                    counts[i] = counts[i].saturating_add(1);
                }
                continue;
            }
            let bytes = match a.value {
                Value::Bytes(b) => b,
                Value::Url(_) => continue, // never opened; nothing to check
            };
            let (text, raw) = spare.decode(bytes);
            if raw.is_some() {
                non_utf8 = true;
            }
            values.push(AttrValue { attr, text, raw });
        }
        spare.attrs = attrs;
        Some(Entry {
            file,
            line: rec.line,
            offset: rec.offset,
            dn_bytes,
            dn,
            first: first_index(&values),
            values,
            counts,
            non_utf8,
            lossy: false,
            unexported: 0,
            partial,
        })
    }

    /// Values of the known attributes, in file order.
    pub fn values(&self) -> &[AttrValue<'a>] {
        &self.values
    }

    /// Keep only the values `keep` says to keep (and give back the room of the rest).
    pub fn retain_values(&mut self, keep: impl FnMut(&AttrValue<'a>) -> bool) {
        self.values.retain(keep);
        self.values.shrink_to_fit();
        self.first = first_index(&self.values);
    }

    /// The values from `attr`'s first one on.
    #[inline]
    fn values_from_first(&self, attr: Attr) -> &[AttrValue<'a>] {
        match self.first[attr as usize] {
            NO_VALUE => &[],
            i => self.values.get(usize::from(i)..).unwrap_or(&[]),
        }
    }

    /// All values of `attr`, in file order.
    pub fn all(&self, attr: Attr) -> impl Iterator<Item = &AttrValue<'a>> + '_ {
        self.values_from_first(attr)
            .iter()
            .filter(move |v| v.attr == attr)
    }

    /// Whether the export holds `attr` at all (a CSV may lack its column:
    /// [`Entry::unexported`]).
    pub fn exported(&self, attr: Attr) -> bool {
        self.unexported & (1 << attr as u32) == 0
    }

    /// The first value of `attr`.
    pub fn first(&self, attr: Attr) -> Option<&AttrValue<'a>> {
        self.values_from_first(attr).iter().find(|v| v.attr == attr)
    }

    /// The first value of `attr` as text.
    pub fn get(&self, attr: Attr) -> Option<&str> {
        self.first(attr).map(|v| v.text.as_ref())
    }

    /// Whether the entry has `attr` at all.
    pub fn has(&self, attr: Attr) -> bool {
        self.count(attr) > 0
    }

    /// How many values of `attr` the entry has.
    pub fn count(&self, attr: Attr) -> usize {
        if let Some(i) = COUNTED.iter().position(|c| *c == attr) {
            return self.counts[i] as usize;
        }
        self.all(attr).count()
    }

    /// The object type as IdFix derives it: the last `objectClass` value.
    pub fn object_class(&self) -> Option<&str> {
        self.all(Attr::ObjectClass).last().map(|v| v.text.as_ref())
    }

    /// Whether any `objectClass` value equals `class` (case-insensitive).
    pub fn has_class(&self, class: &str) -> bool {
        self.all(Attr::ObjectClass)
            .any(|v| v.text.eq_ignore_ascii_case(class))
    }

    /// The `cn` value, or the value of the DN's first RDN when there is no `cn`.
    pub fn cn(&self) -> Cow<'_, str> {
        if let Some(c) = self.get(Attr::Cn) {
            return Cow::Borrowed(c);
        }
        Cow::Owned(first_rdn_value(&self.dn))
    }
}

/// The (unescaped) value of a DN's first RDN: `CN=Smith\, John,OU=x` → `Smith, John`.
pub fn first_rdn_value(dn: &str) -> String {
    let mut out = String::new();
    let mut in_value = false;
    let mut chars = dn.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else { break };
                // \XX hex escape or an escaped special character
                if n.is_ascii_hexdigit() && chars.peek().is_some_and(|p| p.is_ascii_hexdigit()) {
                    let h = chars.next().unwrap_or('0');
                    let byte = u8::from_str_radix(&format!("{n}{h}"), 16).unwrap_or(b'?');
                    if in_value {
                        out.push(byte as char);
                    }
                } else if in_value {
                    out.push(n);
                }
            }
            '=' if !in_value => in_value = true,
            ',' | '+' if in_value => break,
            _ if in_value => out.push(c),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// DN comparison
// ---------------------------------------------------------------------------------------

/// A DN reduced for comparison. Each RDN is split into its attribute-value assertions at
/// unescaped `,`/`;` and `+`; the attribute type is trimmed and ASCII lower-cased; the
/// value has its escapes decoded (`\XX` hex pairs to bytes, `\c` to `c`), its unescaped
/// leading and trailing spaces removed, and is lower-cased as text (UTF-8, else
/// Windows-1252 as [`decode_text`] reads it). The AVAs of a multi-valued
/// RDN are sorted. The key re-escapes `\`, `,`, `+`, `=` and `;` in values, so a literal
/// comma (`\2C`, `\,`) never equals a separator. Two DNs name the same object when their
/// keys are equal.
pub fn dn_key(dn: &[u8]) -> Vec<u8> {
    simple_dn_key(dn).unwrap_or_else(|| general_dn_key(dn))
}

/// [`dn_key`] for the DNs nearly every export is made of: UTF-8, no multi-valued RDNs,
/// no `;` separators, every RDN a `type=value` pair, escapes (if any) of `,`, `\\`,
/// `=`, `"`, `<`, `>` or `#` only (`CN=Smith\, John`). One pass; `None` for anything
/// else (hex escapes, escaped spaces, `+`, malformed parts), which [`general_dn_key`]
/// handles.
fn simple_dn_key(dn: &[u8]) -> Option<Vec<u8>> {
    if dn.is_empty() || memchr::memchr2(b'+', b';', dn).is_some() {
        return None;
    }
    if !dn.is_ascii() {
        std::str::from_utf8(dn).ok()?;
    }
    // Byte by byte: the bytes searched for are ASCII, so they never fall inside a UTF-8
    // sequence, and every part between them is valid UTF-8 again.
    let mut out = Vec::with_capacity(dn.len());
    // The value of an RDN with escapes, unescaped.
    let mut unescaped: Vec<u8> = Vec::new();
    let mut rest = dn;
    loop {
        let eq = memchr::memchr(b'=', rest)?;
        let ty = &rest[..eq];
        if memchr::memchr2(b',', b'\\', ty).is_some() {
            return None;
        }
        if !out.is_empty() {
            out.push(b',');
        }
        out.extend(trim_ascii_spaces(ty).iter().map(u8::to_ascii_lowercase));
        out.push(b'=');
        // The value runs to the first comma that is not escaped.
        let v = &rest[eq + 1..];
        let mut end = 0;
        let mut escaped = false;
        while let Some(k) = memchr::memchr2(b',', b'\\', &v[end..]) {
            let at = end + k;
            if v[at] == b',' {
                end = at;
                break;
            }
            if !matches!(
                v.get(at + 1),
                Some(b',' | b'\\' | b'=' | b'"' | b'<' | b'>' | b'#')
            ) {
                return None;
            }
            escaped = true;
            end = at + 2;
        }
        let last = !v[end..].starts_with(b",");
        if last {
            end = v.len();
        }
        // Unescaped spaces at either end are not part of the value (escaped ones never
        // get here).
        let mut val = trim_ascii_spaces(&v[..end]);
        if escaped {
            unescaped.clear();
            let mut i = 0;
            while i < val.len() {
                if val[i] == b'\\' {
                    i += 1;
                }
                unescaped.push(val[i]);
                i += 1;
            }
            val = &unescaped;
        }
        let lowered;
        let val = if val.is_ascii() {
            val
        } else {
            // Valid UTF-8: the whole DN is, and only ASCII was taken out.
            lowered = std::str::from_utf8(val).ok()?.to_lowercase();
            lowered.as_bytes()
        };
        if memchr::memchr3(b'=', b',', b'\\', val).is_none() {
            out.extend(val.iter().map(u8::to_ascii_lowercase));
        } else {
            for &b in val {
                if matches!(b, b'=' | b',' | b'\\') {
                    out.push(b'\\');
                }
                out.push(b.to_ascii_lowercase());
            }
        }
        if last {
            break;
        }
        rest = &v[end + 1..];
    }
    Some(out)
}

/// [`dn_key`] for any DN: escapes, multi-valued RDNs, malformed parts.
fn general_dn_key(dn: &[u8]) -> Vec<u8> {
    let mut rdns: Vec<Vec<(Vec<u8>, Vec<u8>)>> = Vec::new();
    let mut avas: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut ty: Vec<u8> = Vec::new();
    let mut val: Vec<u8> = Vec::new();
    // Length of `val` up to its last escaped byte: trailing spaces after it are trimmed.
    let mut val_keep = 0usize;
    let mut in_value = false;
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);

    fn finish_ava(
        avas: &mut Vec<(Vec<u8>, Vec<u8>)>,
        ty: &mut Vec<u8>,
        val: &mut Vec<u8>,
        val_keep: usize,
    ) {
        let t: Vec<u8> = trim_ascii_spaces(ty).to_ascii_lowercase();
        let mut end = val.len();
        while end > val_keep && val[end - 1] == b' ' {
            end -= 1;
        }
        val.truncate(end);
        let (text, _) = decode_text(Cow::Borrowed(val.as_slice()));
        let lowered = if text.is_ascii() {
            text.to_ascii_lowercase()
        } else {
            text.to_lowercase()
        };
        avas.push((t, lowered.into_bytes()));
        ty.clear();
        val.clear();
    }

    let mut i = 0usize;
    while i < dn.len() {
        let c = dn[i];
        if !in_value {
            match c {
                b'=' => {
                    in_value = true;
                    val_keep = 0;
                }
                b',' | b';' | b'+' => {
                    // A type without a value: keep what there is so the key still
                    // distinguishes malformed DNs.
                    finish_ava(&mut avas, &mut ty, &mut val, 0);
                    if c != b'+' {
                        rdns.push(std::mem::take(&mut avas));
                    }
                }
                _ => ty.push(c),
            }
            i += 1;
            continue;
        }
        match c {
            b'\\' if i + 1 < dn.len() => {
                let n = dn[i + 1];
                if i + 2 < dn.len() {
                    if let (Some(h), Some(l)) = (hex(n), hex(dn[i + 2])) {
                        val.push(h * 16 + l);
                        val_keep = val.len();
                        i += 3;
                        continue;
                    }
                }
                val.push(n);
                val_keep = val.len();
                i += 2;
            }
            b' ' if val.is_empty() => {
                // unescaped leading space
                i += 1;
            }
            b',' | b';' | b'+' => {
                finish_ava(&mut avas, &mut ty, &mut val, val_keep);
                in_value = false;
                if c != b'+' {
                    rdns.push(std::mem::take(&mut avas));
                }
                i += 1;
            }
            _ => {
                val.push(c);
                i += 1;
            }
        }
    }
    if in_value || !ty.is_empty() {
        finish_ava(&mut avas, &mut ty, &mut val, val_keep);
    }
    if !avas.is_empty() {
        rdns.push(avas);
    }

    let mut out = Vec::with_capacity(dn.len());
    for (ri, mut rdn) in rdns.into_iter().enumerate() {
        if ri > 0 {
            out.push(b',');
        }
        rdn.sort();
        for (ai, (t, v)) in rdn.iter().enumerate() {
            if ai > 0 {
                out.push(b'+');
            }
            out.extend_from_slice(t);
            out.push(b'=');
            for &b in v {
                if matches!(b, b'\\' | b',' | b'+' | b'=' | b';') {
                    out.push(b'\\');
                }
                out.push(b);
            }
        }
    }
    out
}

fn trim_ascii_spaces(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c != b' ').map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldif::{Item, Parser};

    fn entry(s: &str) -> Entry<'_> {
        match Parser::new(s.as_bytes()).next().unwrap().unwrap() {
            Item::Record(r) => Entry::from_record(0, r).unwrap(),
            _ => panic!(),
        }
    }

    #[test]
    fn names_are_case_insensitive_and_options_stripped() {
        let e = entry("dn: CN=A,DC=x\nobjectclass: top\nobjectClass: user\nUserPrincipalName: a@x.com\nmember;range=0-1499: CN=b\nmember: CN=c\nuserCertificate;binary:: AAE=\n");
        assert_eq!(e.get(Attr::UserPrincipalName), Some("a@x.com"));
        assert_eq!(e.count(Attr::Member), 2);
        assert_eq!(e.count(Attr::UserCertificate), 1);
        assert_eq!(e.object_class(), Some("user"));
        assert_eq!(e.cn(), "A");
    }

    /// Entries read with reused buffers ([`Spare`]) equal entries read without, for a
    /// UTF-8 input (values taken from the checked text), an ANSI input (checked value by
    /// value) and values the parser had to own (folded, base64).
    #[test]
    fn entries_read_with_spare_buffers_are_the_same() {
        let utf8 = "dn: CN=J\u{fc}rgen,DC=x\nobjectClass: user\ncn: J\u{fc}rgen\ndisplayName: Ab\n c\nmail:: anVyZ2VuQHguY29t\nmember: CN=a\nsn: Smith\n\ndn: CN=B,DC=x\nsn: B\u{e9}\ndescription: x\n\ndn: CN=C,DC=x\nchangetype: delete\n";
        let mut ansi = utf8.as_bytes().to_vec();
        ansi.extend_from_slice(b"\ndn: CN=D,DC=x\nsn: M\xfcller\n");
        for bytes in [utf8.as_bytes(), &ansi[..]] {
            let plain: Vec<Option<Entry>> = Parser::new(bytes)
                .map(|i| match i.unwrap() {
                    Item::Record(r) => Entry::from_record(0, r),
                    _ => None,
                })
                .collect();
            let mut spare = Spare::over(bytes);
            let mut parser = Parser::new(bytes);
            let mut reused = Vec::new();
            while let Some(i) = parser.next() {
                let e = match i.unwrap() {
                    Item::Record(r) => Entry::from_record_in(0, r, &mut spare),
                    _ => None,
                };
                parser.recycle(std::mem::take(&mut spare.attrs));
                reused.push(e.clone());
                if let Some(e) = e {
                    spare.keep_values(e);
                }
            }
            assert_eq!(reused, plain);
            assert!(plain
                .iter()
                .flatten()
                .any(|e| e.get(Attr::Mail) == Some("jurgen@x.com")));
        }
        let last = Parser::new(&ansi[..]).last().unwrap().unwrap();
        let Item::Record(r) = last else { panic!() };
        let e = Entry::from_record_in(0, r, &mut Spare::over(&ansi)).unwrap();
        assert_eq!(e.get(Attr::Sn), Some("M\u{fc}ller"));
        assert!(e.non_utf8);
    }

    #[test]
    fn from_desc_knows_every_name_in_any_case_and_nothing_else() {
        for a in Attr::ALL {
            let n = a.ldap_name();
            assert_eq!(Attr::from_desc(n), Some(a));
            assert_eq!(Attr::from_desc(&n.to_uppercase()), Some(a));
            assert_eq!(Attr::from_desc(&format!("{n};range=0-1499")), Some(a));
            assert_eq!(Attr::from_desc(&format!("{n}x")), None);
            assert_eq!(Attr::from_desc(&n[1..]), None);
        }
        assert_eq!(Attr::from_desc(""), None);
        assert_eq!(Attr::from_desc(";binary"), None);
        assert_eq!(Attr::from_desc("description"), None);
    }

    #[test]
    fn windows_1252_fallback_keeps_bytes() {
        let raw = b"dn: CN=x\nsn: M\xfcller\n".to_vec();
        let rec = match Parser::new(&raw).next().unwrap().unwrap() {
            Item::Record(r) => r,
            _ => panic!(),
        };
        let e = Entry::from_record(0, rec).unwrap();
        assert!(e.non_utf8);
        let v = e.first(Attr::Sn).unwrap();
        assert_eq!(v.text, "Müller");
        assert_eq!(v.bytes(), b"M\xfcller");
    }

    #[test]
    fn first_rdn() {
        assert_eq!(first_rdn_value("CN=Smith\\, John,OU=x"), "Smith, John");
        assert_eq!(first_rdn_value("cn=a\\2Cb,dc=x"), "a,b");
    }

    #[test]
    fn dn_keys_are_semantic() {
        let k = |s: &str| dn_key(s.as_bytes());
        assert_eq!(k("CN=Semi\\3BColon,DC=x"), k("cn=semi\\;colon, dc=X"));
        assert_eq!(k("CN=Smith\\2C John,DC=x"), k("CN=Smith\\, John,DC=x"));
        assert_eq!(k("CN=Smith\\, John , DC=x"), k("cn=smith\\, john,dc=x"));
        assert_ne!(k("CN=a\\2Cb,DC=x"), k("CN=a,b,DC=x"));
        assert_eq!(k("CN=J\\C3\\B6rg,DC=x"), k("CN=JÖRG,DC=x"));
        assert_eq!(k("CN=\\41b,DC=x"), k("cn=ab,dc=x"));
        assert_eq!(k("CN=a+UID=b,DC=x"), k("uid=B+cn=A,DC=x"));
        // An escaped trailing space is part of the value.
        assert_ne!(k("CN=a\\ ,DC=x"), k("CN=a,DC=x"));
        assert_eq!(k("CN=a  ,DC=x"), k("CN=a,DC=x"));
        assert_ne!(k("CN=a,DC=x"), k("CN=a,DC=y"));
        // Never panics on junk.
        for junk in ["", "\\", "=", ",,", "CN=\\4", "+=,", "CN=a\\"] {
            let _ = k(junk);
        }
    }

    proptest::proptest! {
        #[test]
        fn simple_dn_key_agrees_with_the_general_one(dn in "[a-zA-Z =,;+\\\\éÅ李İẞ\"<>#0-9]{0,40}") {
            if let Some(fast) = simple_dn_key(dn.as_bytes()) {
                proptest::prop_assert_eq!(fast, general_dn_key(dn.as_bytes()));
            }
        }

        #[test]
        fn simple_dn_key_agrees_on_escaped_values(
            dn in "([a-c ]{0,2}=([a-cAÉé ,=\"<>#]|\\\\[,\\\\=\"<>#a2 ]){0,6},){0,3}[a-c]{1,2}=([a-c, ]|\\\\[,\\\\a]){0,4}"
        ) {
            if let Some(fast) = simple_dn_key(dn.as_bytes()) {
                proptest::prop_assert_eq!(fast, general_dn_key(dn.as_bytes()));
            }
        }
    }

    #[test]
    fn simple_dn_key_covers_plain_dns() {
        // Hex escapes, escaped spaces and multi-valued RDNs take the general path.
        for dn in [
            "CN=J\\C3\\B6rg,DC=x",
            "CN=a\\ ,DC=x",
            "CN=a+UID=b,DC=x",
            "CN=a\\",
        ] {
            assert!(simple_dn_key(dn.as_bytes()).is_none(), "{dn}");
        }
        // Escaped specials do not.
        for dn in [
            "CN=Ångström\\, X,OU=Users,DC=contoso,DC=local",
            "CN=Smith\\, John ,OU=a\\=b\\\\c,DC=x",
            "CN=\\#1 \\<Sales\\> \\\"Q\\\",DC=x",
        ] {
            assert_eq!(
                simple_dn_key(dn.as_bytes()),
                Some(general_dn_key(dn.as_bytes())),
                "{dn}"
            );
        }
        assert_eq!(
            dn_key(b"CN=Smith\\, John ,OU=Users,DC=x"),
            b"cn=smith\\, john,ou=users,dc=x".to_vec()
        );
        let dn = " CN = Marie  Curie ,OU=Lab=1,DC=contoso,DC=local";
        assert_eq!(
            simple_dn_key(dn.as_bytes()),
            Some(general_dn_key(dn.as_bytes()))
        );
        assert_eq!(
            dn_key(dn.as_bytes()),
            b"cn=marie  curie,ou=lab\\=1,dc=contoso,dc=local".to_vec()
        );
    }
}
