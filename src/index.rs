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
//!   or several attributes) is not a collision by itself.
//! - [`Index::collisions`] is deterministic: groups are ordered by their first holder's
//!   position in the input, then namespace, then key; it never depends on hashing.
//! - Memory grows with the number of distinct values: the map is keyed by a 64-bit hash
//!   of (namespace, key) and each distinct key is stored once; exact equality is checked
//!   whenever two keys share a hash, so a hash collision can never merge two values.

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
}

/// Trim and lower-case (Unicode; ASCII fast path).
fn fold(s: &str) -> String {
    let t = s.trim();
    if t.is_ascii() {
        t.to_ascii_lowercase()
    } else {
        t.to_lowercase()
    }
}

/// Lower-case without trimming (IdFix compares values as they are, ignoring case).
fn fold_untrimmed(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// Split `type:address` at the first `:`; `None` when there is no non-empty type.
fn split_type(value: &str) -> Option<(&str, &str)> {
    let v = value.trim_start();
    let i = v.find(':')?;
    if i == 0 {
        return None;
    }
    Some((&v[..i], &v[i + 1..]))
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
    if profile != Profile::Entra {
        let ns = idfix_namespace(profile, attr)?;
        if value.is_empty() {
            return None;
        }
        return Some((Namespace::Idfix(ns), fold_untrimmed(value)));
    }
    let (ns, key) = match attr {
        Attr::UserPrincipalName | Attr::Mail => (Namespace::Address, fold(value)),
        Attr::MailNickname => (Namespace::MailNickname, fold(value)),
        Attr::ProxyAddresses | Attr::TargetAddress => {
            let (ty, addr) = split_type(value)?;
            if ty.trim().eq_ignore_ascii_case("smtp") {
                (Namespace::Address, fold(addr))
            } else {
                let ty = fold(ty);
                let addr = fold(addr);
                if addr.is_empty() {
                    return None;
                }
                (Namespace::Proxy, format!("{ty}:{addr}"))
            }
        }
        _ => return None,
    };
    if key.is_empty() {
        return None;
    }
    Some((ns, key))
}

/// The values of `entry` the index compares under `profile`, in file order. In the
/// `entra` profile: every value of `userPrincipalName`, `mail`, `mailNickname`,
/// `proxyAddresses` and `targetAddress`. In the IdFix profiles: what IdFix compares —
/// the first value of its single-valued attributes, every `proxyAddresses` value, and
/// (`idfix`) `sAMAccountName` only when the entry has no `userPrincipalName`.
pub fn indexed_values<'e, 'a>(profile: Profile, entry: &'e Entry<'a>) -> Vec<&'e AttrValue<'a>> {
    let mut out = Vec::new();
    let sam_gated = profile == Profile::Idfix && entry.has(Attr::UserPrincipalName);
    for v in &entry.values {
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
            out.push(v);
        }
    }
    out
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
            g.holders.push(occ);
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
        out
    }
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
}
