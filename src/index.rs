//! The tenant-wide collision index: which objects hold which values, across every input
//! file, in one pass.
//!
//! Contract:
//! - Each indexed value belongs to one uniqueness [`Namespace`] under a normalised key
//!   ([`key_for`]). In the `entra` profile, `userPrincipalName`, `mail`, and the `SMTP`
//!   values of `proxyAddresses`/`targetAddress` (type prefix stripped) share the
//!   [`Namespace::Address`] namespace, so a UPN equal to another object's `smtp:` proxy
//!   collides; other proxy types live in [`Namespace::Proxy`] as `type:address`;
//!   `mailNickname` has its own namespace. Keys are trimmed and lower-cased (Unicode).
//!   The IdFix profiles use IdFix's per-attribute namespaces (no cross-attribute
//!   comparison, prefix kept, case-insensitive, no trimming).
//! - A *collision* is a key held by two or more **distinct objects**; every holder is
//!   listed (the first one too), in input order. A value repeated on one object (in one
//!   or several attributes) is not a collision by itself. Records with the same DN
//!   (normalised: [`crate::model::dn_key`]) are one object, exported twice — in one file
//!   or in two, say a domain export and an overlapping one — so they never collide with
//!   each other ([`resolve`]; a group holding another object too lists every copy).
//! - [`Index::collisions`] is deterministic: groups are ordered by their first holder's
//!   position in the input, then namespace, then key; it never depends on hashing.
//! - Two implementations share these rules. [`Index`] answers lookups (`owners`): a map
//!   keyed by a 64-bit hash of (namespace, key), each distinct key stored once, exact
//!   equality checked whenever two keys share a hash. `scan` uses the compact form:
//!   per chunk of input, [`ChunkKeys`] holds only (hash, object ordinal) for each
//!   distinct key of each object — 12 bytes, no text; [`KeyTable`] gathers them with
//!   global ordinals, sorts each hash partition on its own (in parallel) and yields the
//!   hashes held by two or more objects ([`Candidate`]); [`resolve`] re-reads those
//!   holders' values from the input, recomputes their exact keys and groups by them.
//!   Either way a hash collision can never merge two different values, and memory grows
//!   with the number of distinct values, not with the size of the input.

use ahash::{AHashMap, RandomState};

use crate::model::{Attr, AttrValue, Entry, FileId};
use crate::rules::Profile;

/// A uniqueness namespace: values only collide with values of the same namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    /// `entra`: SMTP addresses wherever they appear (UPN, mail, `smtp:` proxy and target
    /// addresses), compared without the `smtp:` prefix.
    Address,
    /// `entra`: non-SMTP proxy and target addresses, compared as `type:address`.
    Proxy,
    /// `entra`: the Exchange alias.
    MailNickname,
    /// IdFix profiles: one namespace per attribute, named as IdFix names it
    /// (`mail`, `mailnickname`, `proxyAddresses`, `sAMAccountName`, `targetAddress`,
    /// `userPrincipalName`).
    Idfix(&'static str),
}

impl Namespace {
    /// A short name for reports (`address`, `proxy`, `mailNickname`, or IdFix's
    /// attribute name).
    pub fn as_str(self) -> &'static str {
        match self {
            Namespace::Address => "address",
            Namespace::Proxy => "proxy",
            Namespace::MailNickname => "mailNickname",
            Namespace::Idfix(n) => n,
        }
    }

    /// The `entra` rule id of a duplicate in this namespace (`address-duplicate`,
    /// `nick-duplicate`, `proxy-duplicate`; IdFix namespaces count as addresses).
    pub fn duplicate_rule(self) -> &'static str {
        match self {
            Namespace::MailNickname => crate::rules::catalog::NICK_DUPLICATE,
            Namespace::Proxy => crate::rules::catalog::PROXY_DUPLICATE,
            Namespace::Address | Namespace::Idfix(_) => crate::rules::catalog::ADDRESS_DUPLICATE,
        }
    }
}

/// Trim and lower-case (Unicode; ASCII fast path), appending to `buf`.
fn fold_into(s: &str, buf: &mut String) {
    fold_untrimmed_into(trim(s), buf);
}

/// An ASCII byte above the space (`!` to DEL): never whitespace, never part of a wider
/// character, so a value that starts (or ends) with one needs no trimming there.
fn plain(b: &u8) -> bool {
    (0x21..0x80).contains(b)
}

/// `s.trim()`, answered without decoding characters when both ends are [`plain`], as
/// nearly every value is.
fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [a, .., z] if plain(a) && plain(z) => s,
        [a] if plain(a) => s,
        _ => s.trim(),
    }
}

/// Lower-case without trimming (IdFix compares values as they are, ignoring case),
/// appending to `buf`.
fn fold_untrimmed_into(s: &str, buf: &mut String) {
    if s.is_ascii() {
        let start = buf.len();
        buf.push_str(s);
        buf[start..].make_ascii_lowercase();
    } else {
        buf.push_str(&s.to_lowercase());
    }
}

/// Split `type:address` at the first `:`; `None` when there is no non-empty type.
fn split_type(value: &str) -> Option<(&str, &str)> {
    let v = match value.as_bytes().first() {
        Some(b) if plain(b) => value,
        _ => value.trim_start(),
    };
    // `:` is ASCII: its byte position is a character boundary.
    let i = v.bytes().position(|b| b == b':')?;
    if i == 0 {
        return None;
    }
    Some((&v[..i], &v[i + 1..]))
}

/// Whether a `proxyAddresses`/`targetAddress` value is an SMTP address (its key is in the
/// address namespace, with `userPrincipalName` and `mail`).
pub fn is_smtp_proxy(value: &str) -> bool {
    split_type(value).is_some_and(|(ty, _)| is_smtp_type(ty))
}

/// Whether an address type (the part before the first `:`) is SMTP, in any case.
fn is_smtp_type(ty: &str) -> bool {
    trim(ty).eq_ignore_ascii_case("smtp")
}

/// The IdFix duplicate namespace of `attr` under `profile`, if IdFix checks it for
/// duplicates.
pub fn idfix_namespace(profile: Profile, attr: Attr) -> Option<&'static str> {
    match (profile, attr) {
        (Profile::Entra, _) => None,
        (_, Attr::Mail) => Some("mail"),
        (_, Attr::MailNickname) => Some("mailnickname"),
        (_, Attr::ProxyAddresses) => Some("proxyAddresses"),
        (Profile::Idfix, Attr::SamAccountName) => Some("sAMAccountName"),
        (Profile::Idfix, Attr::TargetAddress) => Some("targetAddress"),
        (Profile::Idfix, Attr::UserPrincipalName) => Some("userPrincipalName"),
        _ => None,
    }
}

/// Normalised uniqueness key of a value, or `None` when the value takes part in no
/// namespace (attribute not indexed, empty value, or a proxy/target value without a
/// `type:` prefix — that one is reported by the rules, not compared).
pub fn key_for(profile: Profile, attr: Attr, value: &str) -> Option<(Namespace, String)> {
    let mut key = String::new();
    key_into(profile, attr, value, &mut key).map(|ns| (ns, key))
}

/// [`key_for`] without allocating: clears `buf`, writes the normalised key into it and
/// returns its namespace (`None`: the value is not compared; `buf` is then unspecified).
pub fn key_into(profile: Profile, attr: Attr, value: &str, buf: &mut String) -> Option<Namespace> {
    buf.clear();
    if profile != Profile::Entra {
        let ns = idfix_namespace(profile, attr)?;
        if value.is_empty() {
            return None;
        }
        // IdFix's own comparison key, so the collisions section groups what its
        // duplicate store does.
        crate::rules::idfix::text::fold_key_into(value, buf);
        return Some(Namespace::Idfix(ns));
    }
    let ns = match attr {
        Attr::UserPrincipalName | Attr::Mail => {
            fold_into(value, buf);
            Namespace::Address
        }
        Attr::MailNickname => {
            fold_into(value, buf);
            Namespace::MailNickname
        }
        Attr::ProxyAddresses | Attr::TargetAddress => {
            let (ty, addr) = split_type(value)?;
            if is_smtp_type(ty) {
                fold_into(addr, buf);
                Namespace::Address
            } else {
                fold_into(ty, buf);
                buf.push(':');
                let before = buf.len();
                fold_into(addr, buf);
                if buf.len() == before {
                    return None;
                }
                Namespace::Proxy
            }
        }
        _ => return None,
    };
    if buf.is_empty() {
        return None;
    }
    Some(ns)
}

/// The values of `entry` the index compares under `profile`, in file order. In the
/// `entra` profile: every value of `userPrincipalName`, `mail`, `mailNickname`,
/// `proxyAddresses` and `targetAddress`. In the IdFix profiles: what IdFix compares —
/// the first value of its single-valued attributes, every `proxyAddresses` value, and
/// (`idfix`) `sAMAccountName` only when the entry has no `userPrincipalName`.
pub fn indexed_values<'e, 'a>(profile: Profile, entry: &'e Entry<'a>) -> Vec<&'e AttrValue<'a>> {
    let mut out = Vec::new();
    for_each_indexed_value(profile, entry, |v| out.push(v));
    out
}

/// [`indexed_values`] without allocating: calls `f` on each value, in file order.
pub fn for_each_indexed_value<'e, 'a>(
    profile: Profile,
    entry: &'e Entry<'a>,
    mut f: impl FnMut(&'e AttrValue<'a>),
) {
    let sam_gated = profile == Profile::Idfix && entry.has(Attr::UserPrincipalName);
    for v in entry.values() {
        let wanted = match profile {
            Profile::Entra => matches!(
                v.attr,
                Attr::UserPrincipalName
                    | Attr::Mail
                    | Attr::MailNickname
                    | Attr::ProxyAddresses
                    | Attr::TargetAddress
            ),
            _ => match idfix_namespace(profile, v.attr) {
                None => false,
                Some(_) if v.attr == Attr::SamAccountName && sam_gated => false,
                Some(_) if v.attr == Attr::ProxyAddresses => true,
                // Single-valued for IdFix: only value [0] is checked.
                Some(_) => entry.first(v.attr).is_some_and(|f| std::ptr::eq(f, v)),
            },
        };
        if wanted {
            f(v);
        }
    }
}

/// One value held by one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// Global ordinal of the entry across all inputs, in input order.
    pub object: u32,
    /// Input file.
    pub file: FileId,
    /// Line where the holder's record starts.
    pub line: u64,
    /// The attribute holding the value.
    pub attr: Attr,
    /// The value as in the input (with its type prefix for proxy/target addresses).
    pub value: String,
}

/// Two or more distinct objects holding the same key in one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The namespace.
    pub namespace: Namespace,
    /// The normalised value that collided.
    pub key: String,
    /// Every holder, in input order.
    pub holders: Vec<Occurrence>,
}

struct Group {
    ns: Namespace,
    key: Box<str>,
    holders: Vec<Occurrence>,
    /// Whether `holders` spans two or more distinct objects.
    multi: bool,
    /// Next group with the same 64-bit hash (rare), as an index into `groups`.
    next: Option<u32>,
}

/// The collision index of one run.
pub struct Index {
    profile: Profile,
    hasher: RandomState,
    heads: AHashMap<u64, u32>,
    groups: Vec<Group>,
}

impl Index {
    /// An empty index for `profile`.
    pub fn new(profile: Profile) -> Self {
        Index {
            profile,
            // Fixed seeds: the index behaves the same on every run.
            hasher: RandomState::with_seeds(
                0x6c64_6966_6978_0001,
                0x9e37_79b9_7f4a_7c15,
                0x2545_f491_4f6c_dd1d,
                0x1405_7b7e_f767_814f,
            ),
            heads: AHashMap::default(),
            groups: Vec::new(),
        }
    }

    /// The profile whose namespaces this index uses.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    fn hash(&self, ns: Namespace, key: &str) -> u64 {
        self.hasher.hash_one((ns, key))
    }

    fn find(&self, h: u64, ns: Namespace, key: &str) -> Option<u32> {
        let mut cur = self.heads.get(&h).copied();
        while let Some(i) = cur {
            let g = &self.groups[i as usize];
            if g.ns == ns && &*g.key == key {
                return Some(i);
            }
            cur = g.next;
        }
        None
    }

    /// Index one value of an object.
    pub fn add(&mut self, object: u32, file: FileId, line: u64, attr: Attr, value: &str) {
        let Some((ns, key)) = key_for(self.profile, attr, value) else {
            return;
        };
        let occ = Occurrence {
            object,
            file,
            line,
            attr,
            value: value.to_owned(),
        };
        let h = self.hash(ns, &key);
        if let Some(i) = self.find(h, ns, &key) {
            let g = &mut self.groups[i as usize];
            if !g.multi && g.holders.iter().any(|o| o.object != object) {
                g.multi = true;
            }
            push_holder(&mut g.holders, occ);
            return;
        }
        let idx = self.groups.len() as u32;
        let prev = self.heads.insert(h, idx);
        self.groups.push(Group {
            ns,
            key: key.into_boxed_str(),
            holders: vec![occ],
            multi: false,
            next: prev,
        });
    }

    /// Index every indexed value of an entry (call in input order, with `object`
    /// increasing). Which values count is [`indexed_values`].
    pub fn add_entry(&mut self, object: u32, entry: &Entry) {
        for v in indexed_values(self.profile, entry) {
            self.add(object, entry.file, entry.line, v.attr, &v.text);
        }
    }

    /// Every occurrence of `key` (already normalised, as [`key_for`] returns it) in
    /// `ns`, in input order; empty when nobody holds it.
    pub fn owners(&self, ns: Namespace, key: &str) -> &[Occurrence] {
        let h = self.hash(ns, key);
        match self.find(h, ns, key) {
            Some(i) => &self.groups[i as usize].holders,
            None => &[],
        }
    }

    /// Every occurrence of `value` of `attr` (normalised here) in input order.
    pub fn owners_of(&self, attr: Attr, value: &str) -> &[Occurrence] {
        match key_for(self.profile, attr, value) {
            Some((ns, key)) => self.owners(ns, &key),
            None => &[],
        }
    }

    /// Number of distinct (namespace, key) pairs indexed.
    pub fn distinct(&self) -> usize {
        self.groups.len()
    }

    /// Every group of two or more distinct objects sharing a key, holders in input
    /// order; groups ordered by first holder (object, then file/line), then namespace,
    /// then key.
    pub fn collisions(&self) -> Vec<Collision> {
        let mut out: Vec<Collision> = self
            .groups
            .iter()
            .filter(|g| g.multi)
            .map(|g| Collision {
                namespace: g.ns,
                key: g.key.to_string(),
                holders: g.holders.clone(),
            })
            .collect();
        sort_collisions(&mut out);
        out
    }
}

// ---------------------------------------------------------------------------------------
// The compact index `scan` builds

/// The hash of a normalised (namespace, key): ahash with fixed seeds, so a run hashes
/// the same way throughout (results never depend on hash values: groups are verified
/// by exact key and ordered by input position). [`KeyHasher::with_bits`] narrows it,
/// which only tests use, to force hash collisions between different keys.
#[derive(Clone)]
pub struct KeyHasher {
    state: RandomState,
    mask: u64,
}

impl Default for KeyHasher {
    fn default() -> Self {
        Self::with_bits(64)
    }
}

impl KeyHasher {
    /// The full 64-bit hash.
    pub fn new() -> Self {
        Self::default()
    }

    /// A hash keeping only its low `bits` bits (1..=64).
    pub fn with_bits(bits: u32) -> Self {
        KeyHasher {
            state: RandomState::with_seeds(
                0x6c64_6966_6978_0002,
                0x9e37_79b9_7f4a_7c15,
                0x2545_f491_4f6c_dd1d,
                0x1405_7b7e_f767_814f,
            ),
            mask: if bits >= 64 {
                u64::MAX
            } else {
                (1u64 << bits.max(1)) - 1
            },
        }
    }

    /// The hash of `key` in `ns`.
    pub fn hash(&self, ns: Namespace, key: &str) -> u64 {
        self.state.hash_one((ns, key)) & self.mask
    }
}

/// One indexed value as the compact index holds it: the hash of its key and the
/// object's ordinal (12 bytes). Ordered by (hash, object).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct KeyOcc {
    hi: u32,
    lo: u32,
    object: u32,
}

impl KeyOcc {
    fn new(hash: u64, object: u32) -> Self {
        KeyOcc {
            hi: (hash >> 32) as u32,
            lo: hash as u32,
            object,
        }
    }

    fn hash(&self) -> u64 {
        (u64::from(self.hi) << 32) | u64::from(self.lo)
    }
}

/// Number of hash partitions: each is sorted on its own (in parallel, in cache).
const PARTS: usize = 64;

fn part_of(hash: u64) -> usize {
    // The low bits: a narrowed hash (tests) still spreads over a few parts.
    (hash % PARTS as u64) as usize
}

/// Reusable buffers for [`ChunkKeys::add_entry`].
#[derive(Debug, Default)]
pub struct KeyScratch {
    key: String,
    hashes: Vec<u64>,
}

/// The keys of one stretch of input (a chunk), with ordinals local to it. Holds one
/// (hash, object) pair per distinct key of each object: no text at all.
#[derive(Debug, Default)]
pub struct ChunkKeys {
    parts: Vec<Vec<KeyOcc>>,
    len: usize,
}

impl ChunkKeys {
    /// Add the indexed values of `entry` ([`indexed_values`]) under the local ordinal
    /// `object`. Call with `object` increasing.
    pub fn add_entry(
        &mut self,
        profile: Profile,
        hasher: &KeyHasher,
        object: u32,
        entry: &Entry<'_>,
        scratch: &mut KeyScratch,
    ) {
        let KeyScratch { key, hashes } = scratch;
        hashes.clear();
        for_each_indexed_value(profile, entry, |v| {
            if let Some(ns) = key_into(profile, v.attr, &v.text, key) {
                hashes.push(hasher.hash(ns, key));
            }
        });
        if hashes.is_empty() {
            return;
        }
        // A key held twice by one object (UPN = mail = primary SMTP address) is kept
        // once: resolving a group re-reads every value of its holders anyway.
        hashes.sort_unstable();
        hashes.dedup();
        if self.parts.is_empty() {
            self.parts.resize_with(PARTS, Vec::new);
        }
        for &h in hashes.iter() {
            self.parts[part_of(h)].push(KeyOcc::new(h, object));
        }
        self.len += hashes.len();
    }

    /// Number of (key, object) pairs held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The keys of a whole run, gathered chunk by chunk in input order (ordinals made
/// global by each chunk's base). Memory: 12 bytes per distinct (key, object) pair.
#[derive(Debug, Default)]
pub struct KeyTable {
    parts: Vec<Vec<(u32, Vec<KeyOcc>)>>,
    len: usize,
}

/// A hash held by two or more distinct objects: a collision unless the keys behind it
/// differ (which [`resolve`] checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The (possibly narrowed) hash.
    pub hash: u64,
    /// The objects holding it, ascending, each once.
    pub objects: Vec<u32>,
}

impl KeyTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a chunk's keys, its local ordinal 0 being global ordinal `base`.
    pub fn push(&mut self, base: u32, keys: ChunkKeys) {
        if keys.parts.is_empty() {
            return;
        }
        if self.parts.is_empty() {
            self.parts.resize_with(PARTS, Vec::new);
        }
        self.len += keys.len;
        for (p, list) in keys.parts.into_iter().enumerate() {
            if !list.is_empty() {
                self.parts[p].push((base, list));
            }
        }
    }

    /// Number of (key, object) pairs held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every hash held by two or more distinct objects, in no particular order. Sorts
    /// each partition on its own (in parallel on the current rayon pool); memory beyond
    /// the table is one partition per thread.
    pub fn candidates(self) -> Vec<Candidate> {
        use rayon::prelude::*;
        let per_part: Vec<Vec<Candidate>> = self
            .parts
            .into_par_iter()
            .map(|lists| {
                let n = lists.iter().map(|(_, l)| l.len()).sum();
                let mut all: Vec<KeyOcc> = Vec::with_capacity(n);
                for (base, list) in lists {
                    all.extend(list.into_iter().map(|mut o| {
                        o.object = o.object.saturating_add(base);
                        o
                    }));
                }
                all.sort_unstable();
                let mut out = Vec::new();
                let mut i = 0;
                while i < all.len() {
                    let h = all[i].hash();
                    let mut j = i + 1;
                    while j < all.len() && all[j].hash() == h {
                        j += 1;
                    }
                    if all[i].object != all[j - 1].object {
                        let mut objects: Vec<u32> = all[i..j].iter().map(|o| o.object).collect();
                        objects.dedup();
                        out.push(Candidate { hash: h, objects });
                    }
                    i = j;
                }
                out
            })
            .collect();
        per_part.into_iter().flatten().collect()
    }
}

/// Turn candidates into collisions: re-read each holder (`fetch` returns the entry of a
/// global ordinal, with its file and line), keep the values whose key hashes to the
/// candidate's hash, group them by exact (namespace, key) — so different keys sharing
/// a hash never merge — and keep the groups held by two or more distinct objects.
/// Holders are in input order; groups are ordered as [`Index::collisions`] orders them.
pub fn resolve<'a, F>(
    profile: Profile,
    hasher: &KeyHasher,
    candidates: Vec<Candidate>,
    mut fetch: F,
) -> Vec<Collision>
where
    F: FnMut(u32) -> Option<Entry<'a>>,
{
    let mut out: Vec<Collision> = Vec::new();
    let mut key = String::new();
    for cand in candidates {
        let mut groups: Vec<Collision> = Vec::new();
        // The normalised DN of each holder: records sharing a DN (an object exported
        // twice, in one file or in two) are one object.
        let mut dns: Vec<(u32, Vec<u8>)> = Vec::with_capacity(cand.objects.len());
        for &object in &cand.objects {
            let Some(entry) = fetch(object) else {
                continue;
            };
            dns.push((object, crate::model::dn_key(entry.dn_raw())));
            for_each_indexed_value(profile, &entry, |v| {
                let Some(ns) = key_into(profile, v.attr, &v.text, &mut key) else {
                    return;
                };
                if hasher.hash(ns, &key) != cand.hash {
                    return;
                }
                let occ = Occurrence {
                    object,
                    file: entry.file,
                    line: entry.line,
                    attr: v.attr,
                    value: v.text.to_string(),
                };
                match groups
                    .iter_mut()
                    .find(|g| g.namespace == ns && g.key == key)
                {
                    Some(g) => push_holder(&mut g.holders, occ),
                    None => groups.push(Collision {
                        namespace: ns,
                        key: key.clone(),
                        holders: vec![occ],
                    }),
                }
            });
        }
        let dn_of = |object: u32| dns.iter().find(|(o, _)| *o == object).map(|(_, k)| k);
        out.extend(groups.into_iter().filter(|g| {
            let first = dn_of(g.holders[0].object);
            g.holders.iter().any(|o| dn_of(o.object) != first)
        }));
    }
    sort_collisions(&mut out);
    out
}

/// Add a holder to a group's list, unless the same object already holds the same value
/// of the same attribute there (a value repeated on one object is one holder, as it is
/// one finding). An object's holders are added together, so only the list's tail is
/// searched.
fn push_holder(holders: &mut Vec<Occurrence>, occ: Occurrence) {
    let repeated = holders
        .iter()
        .rev()
        .take_while(|o| o.object == occ.object)
        .any(|o| o.attr == occ.attr && o.value == occ.value);
    if !repeated {
        holders.push(occ);
    }
}

/// Report order of collision groups: by first holder (object, then file/line), then
/// namespace, then key.
fn sort_collisions(out: &mut [Collision]) {
    out.sort_by(|a, b| {
        let fa = &a.holders[0];
        let fb = &b.holders[0];
        (fa.object, fa.file, fa.line, a.namespace, &a.key).cmp(&(
            fb.object,
            fb.file,
            fb.line,
            b.namespace,
            &b.key,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldif::{Item, Parser};

    fn entries(s: &str) -> Vec<Entry<'_>> {
        Parser::new(s.as_bytes())
            .filter_map(|i| match i.unwrap() {
                Item::Record(r) => Entry::from_record(0, r),
                _ => None,
            })
            .collect()
    }

    fn index(profile: Profile, s: &str) -> Index {
        let mut ix = Index::new(profile);
        for (i, e) in entries(s).iter().enumerate() {
            ix.add_entry(i as u32, e);
        }
        ix
    }

    #[test]
    fn keys_entra() {
        let p = Profile::Entra;
        assert_eq!(
            key_for(p, Attr::UserPrincipalName, " Mary@Contoso.COM "),
            Some((Namespace::Address, "mary@contoso.com".into()))
        );
        assert_eq!(
            key_for(p, Attr::ProxyAddresses, "SMTP:Mary@contoso.com"),
            Some((Namespace::Address, "mary@contoso.com".into()))
        );
        assert_eq!(
            key_for(p, Attr::TargetAddress, "smtp:mary@contoso.com"),
            Some((Namespace::Address, "mary@contoso.com".into()))
        );
        assert_eq!(
            key_for(p, Attr::ProxyAddresses, "SIP:Mary@contoso.com"),
            Some((Namespace::Proxy, "sip:mary@contoso.com".into()))
        );
        assert_eq!(
            key_for(p, Attr::ProxyAddresses, "X500:/o=Org/cn=ÄBC"),
            Some((Namespace::Proxy, "x500:/o=org/cn=äbc".into()))
        );
        assert_eq!(
            key_for(p, Attr::MailNickname, "MaryJ"),
            Some((Namespace::MailNickname, "maryj".into()))
        );
        assert_eq!(key_for(p, Attr::ProxyAddresses, "mary@contoso.com"), None);
        assert_eq!(key_for(p, Attr::Mail, "   "), None);
        assert_eq!(key_for(p, Attr::SamAccountName, "mary"), None);
        assert_eq!(key_for(p, Attr::DisplayName, "Mary"), None);
        assert_eq!(
            key_for(p, Attr::Mail, "JÜRGEN@x.de"),
            Some((Namespace::Address, "jürgen@x.de".into()))
        );
    }

    proptest::proptest! {
        /// The byte-level fast paths answer as the character-level functions do.
        #[test]
        fn trim_and_split_type_match_str(s in "[ \t\r\n\u{a0}\u{85}\u{2003}\u{3000}a:Z@.\u{e9}\u{7f}\u{1f}]{0,8}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
            let v = s.trim_start();
            let reference = v.find(':').filter(|&i| i > 0).map(|i| (&v[..i], &v[i + 1..]));
            proptest::prop_assert_eq!(split_type(&s), reference);
        }
    }

    #[test]
    fn keys_idfix() {
        let p = Profile::Idfix;
        assert_eq!(
            key_for(p, Attr::ProxyAddresses, "SMTP:A@x.com"),
            Some((Namespace::Idfix("proxyAddresses"), "smtp:a@x.com".into()))
        );
        assert_eq!(
            key_for(p, Attr::UserPrincipalName, " A@x.com"),
            Some((Namespace::Idfix("userPrincipalName"), " a@x.com".into()))
        );
        assert_eq!(
            key_for(p, Attr::MailNickname, "Al").map(|k| k.0),
            Some(Namespace::Idfix("mailnickname"))
        );
        assert_eq!(
            key_for(Profile::IdfixDedicated, Attr::UserPrincipalName, "a@x"),
            None
        );
        assert_eq!(
            key_for(Profile::IdfixDedicated, Attr::TargetAddress, "SMTP:a@x"),
            None
        );
        assert!(key_for(Profile::IdfixDedicated, Attr::Mail, "a@x").is_some());
    }

    #[test]
    fn cross_attribute_and_case_collisions_list_every_holder() {
        let ix = index(
            Profile::Entra,
            "dn: CN=A,DC=x\nuserPrincipalName: Mary@contoso.com\n\n\
             dn: CN=B,DC=x\nproxyAddresses: smtp:mary@contoso.com\n\n\
             dn: CN=C,DC=x\nmail: MARY@CONTOSO.COM\n",
        );
        let c = ix.collisions();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].key, "mary@contoso.com");
        assert_eq!(c[0].namespace, Namespace::Address);
        let who: Vec<(u32, Attr, &str)> = c[0]
            .holders
            .iter()
            .map(|o| (o.object, o.attr, o.value.as_str()))
            .collect();
        assert_eq!(
            who,
            vec![
                (0, Attr::UserPrincipalName, "Mary@contoso.com"),
                (1, Attr::ProxyAddresses, "smtp:mary@contoso.com"),
                (2, Attr::Mail, "MARY@CONTOSO.COM"),
            ]
        );
        assert_eq!(c[0].holders[1].line, 4);
        assert_eq!(ix.owners(Namespace::Address, "mary@contoso.com").len(), 3);
        assert_eq!(ix.owners_of(Attr::Mail, "mary@CONTOSO.com").len(), 3);
        assert!(ix.owners(Namespace::Address, "nobody@x").is_empty());
    }

    #[test]
    fn same_object_twice_is_not_a_collision() {
        let ix = index(
            Profile::Entra,
            "dn: CN=A,DC=x\nuserPrincipalName: a@x.com\nmail: a@x.com\nproxyAddresses: SMTP:a@x.com\n\n\
             dn: CN=B,DC=x\nmail: b@x.com\n",
        );
        assert!(ix.collisions().is_empty());
        assert_eq!(ix.owners(Namespace::Address, "a@x.com").len(), 3);
    }

    #[test]
    fn same_object_values_are_listed_when_another_object_collides() {
        let ix = index(
            Profile::Entra,
            "dn: CN=A,DC=x\nuserPrincipalName: a@x.com\nmail: a@x.com\n\n\
             dn: CN=B,DC=x\nmail: A@x.com\n",
        );
        let c = ix.collisions();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].holders.len(), 3);
    }

    #[test]
    fn a_value_repeated_on_one_object_is_one_holder() {
        let text = "dn: CN=A,DC=x\nproxyAddresses: smtp:d@x.com\nproxyAddresses: smtp:d@x.com\n\
                    proxyAddresses: smtp:D@x.com\n\n\
                    dn: CN=B,DC=x\nproxyAddresses: smtp:d@x.com\n";
        let ix = index(Profile::Entra, text);
        let c = ix.collisions();
        assert_eq!(c.len(), 1);
        let who: Vec<(u32, &str)> = c[0]
            .holders
            .iter()
            .map(|o| (o.object, o.value.as_str()))
            .collect();
        // The same text twice is one holder; another spelling is another value.
        assert_eq!(
            who,
            vec![
                (0, "smtp:d@x.com"),
                (0, "smtp:D@x.com"),
                (1, "smtp:d@x.com")
            ]
        );
    }

    #[test]
    fn idfix_namespaces_do_not_cross() {
        let ix = index(
            Profile::Idfix,
            "dn: CN=A,DC=x\nuserPrincipalName: a@x.com\n\n\
             dn: CN=B,DC=x\nmail: a@x.com\nproxyAddresses: smtp:a@x.com\n\n\
             dn: CN=C,DC=x\nproxyAddresses: SMTP:A@x.com\nproxyAddresses: sip:a@x.com\n",
        );
        let c = ix.collisions();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].namespace, Namespace::Idfix("proxyAddresses"));
        assert_eq!(c[0].key, "smtp:a@x.com");
        assert_eq!(c[0].holders.len(), 2);
    }

    #[test]
    fn idfix_sam_only_without_upn() {
        let ix = index(
            Profile::Idfix,
            "dn: CN=A,DC=x\nsAMAccountName: jo\nuserPrincipalName: a@x.com\n\n\
             dn: CN=B,DC=x\nsAMAccountName: JO\nuserPrincipalName: b@x.com\n\n\
             dn: CN=C,DC=x\nsAMAccountName: ann\n\n\
             dn: CN=D,DC=x\nsAMAccountName: Ann\n",
        );
        let c = ix.collisions();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].key, "ann");
    }

    #[test]
    fn deterministic_order_by_first_holder_then_key() {
        let ix = index(
            Profile::Entra,
            "dn: CN=A,DC=x\nmail: z@x.com\nmailNickname: zed\n\n\
             dn: CN=B,DC=x\nmail: y@x.com\n\n\
             dn: CN=C,DC=x\nmail: y@x.com\nproxyAddresses: smtp:z@x.com\nmailNickname: ZED\n",
        );
        let keys: Vec<(Namespace, String)> = ix
            .collisions()
            .into_iter()
            .map(|c| (c.namespace, c.key))
            .collect();
        assert_eq!(
            keys,
            vec![
                (Namespace::Address, "z@x.com".to_string()),
                (Namespace::MailNickname, "zed".to_string()),
                (Namespace::Address, "y@x.com".to_string()),
            ]
        );
    }

    #[test]
    fn many_distinct_values_stay_distinct() {
        let mut ix = Index::new(Profile::Entra);
        for i in 0..20_000u32 {
            ix.add(
                i,
                0,
                u64::from(i) + 1,
                Attr::Mail,
                &format!("user{i}@x.com"),
            );
        }
        assert_eq!(ix.distinct(), 20_000);
        assert!(ix.collisions().is_empty());
        assert_eq!(ix.owners(Namespace::Address, "user77@x.com")[0].object, 77);
    }

    /// Build the compact index over `text` split into chunks of `per_chunk` entries and
    /// resolve it; the reference is [`Index`], which compares exact keys.
    fn compact(profile: Profile, text: &str, per_chunk: usize, bits: u32) -> Vec<Collision> {
        let all = entries(text);
        let hasher = KeyHasher::with_bits(bits);
        let mut table = KeyTable::new();
        let mut scratch = KeyScratch::default();
        for (c, chunk) in all.chunks(per_chunk).enumerate() {
            let mut keys = ChunkKeys::default();
            for (i, e) in chunk.iter().enumerate() {
                keys.add_entry(profile, &hasher, i as u32, e, &mut scratch);
            }
            table.push((c * per_chunk) as u32, keys);
        }
        let cands = table.candidates();
        resolve(profile, &hasher, cands, |o| all.get(o as usize).cloned())
    }

    fn forest(n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            s += &format!(
                "dn: CN=U{i},DC=x\nuserPrincipalName: u{}@x.com\nmail: U{i}@x.com\n\
                 proxyAddresses: SMTP:u{i}@x.com\nproxyAddresses: smtp:m{}@x.com\n\
                 proxyAddresses: X500:/o=x/cn=u{}\nmailNickname: nick{}\n\
                 sAMAccountName: s{}\n\n",
                i % 97,
                i % 41,
                i % 13,
                i % 59,
                i % 7
            );
        }
        s
    }

    #[test]
    fn compact_index_matches_exact_index_even_with_a_tiny_hash() {
        let text = forest(400);
        for profile in [Profile::Entra, Profile::Idfix, Profile::IdfixDedicated] {
            let want = index(profile, &text).collisions();
            assert!(!want.is_empty());
            for (per_chunk, bits) in [(400, 64), (7, 64), (1, 64), (33, 3), (5, 1)] {
                let got = compact(profile, &text, per_chunk, bits);
                assert_eq!(got, want, "{profile:?} chunk {per_chunk} bits {bits}");
            }
        }
    }

    #[test]
    fn tiny_hash_never_merges_different_keys() {
        // Two bits of hash: these four distinct keys share hashes, yet none of them is
        // held by two objects, so there is no collision at all.
        let text = "dn: CN=A,DC=x\nmail: a@x.com\n\ndn: CN=B,DC=x\nmail: b@x.com\n\n\
                    dn: CN=C,DC=x\nmail: c@x.com\n\ndn: CN=D,DC=x\nmail: d@x.com\n\n\
                    dn: CN=E,DC=x\nmail: e@x.com\n";
        let hasher = KeyHasher::with_bits(2);
        let all = entries(text);
        let mut keys = ChunkKeys::default();
        let mut scratch = KeyScratch::default();
        for (i, e) in all.iter().enumerate() {
            keys.add_entry(Profile::Entra, &hasher, i as u32, e, &mut scratch);
        }
        let mut table = KeyTable::new();
        table.push(0, keys);
        let cands = table.candidates();
        // Five keys in four hash values: at least one candidate.
        assert!(!cands.is_empty());
        let got = resolve(Profile::Entra, &hasher, cands, |o| {
            all.get(o as usize).cloned()
        });
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn same_key_on_one_object_is_held_once() {
        let all = entries("dn: CN=A,DC=x\nuserPrincipalName: a@x.com\nmail: A@x.com\nproxyAddresses: SMTP:a@x.com\n");
        let mut keys = ChunkKeys::default();
        keys.add_entry(
            Profile::Entra,
            &KeyHasher::new(),
            0,
            &all[0],
            &mut KeyScratch::default(),
        );
        assert_eq!(keys.len(), 1);
    }

    #[test]
    fn key_into_matches_key_for_and_reuses_its_buffer() {
        let mut buf = String::from("leftover");
        for (attr, v) in [
            (Attr::ProxyAddresses, " SIP : Ä@x "),
            (Attr::ProxyAddresses, "X500:"),
            (Attr::Mail, "  "),
            (Attr::UserPrincipalName, "ΣΑΣ@x"),
            (Attr::TargetAddress, "smtp:B@x"),
        ] {
            let ns = key_into(Profile::Entra, attr, v, &mut buf);
            match key_for(Profile::Entra, attr, v) {
                Some((n, k)) => assert_eq!((ns, buf.as_str()), (Some(n), k.as_str())),
                None => assert_eq!(ns, None),
            }
        }
    }
}
