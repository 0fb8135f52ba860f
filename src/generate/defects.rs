//! Planted problems: the kinds, how often each is planted, and what each does to an
//! object's values, with the entra-profile rule ids and error names every planted value
//! must trigger — and nothing else.
//!
//! Each in-scope object draws at most one kind from its own random stream (users,
//! mail-enabled groups and contacts; system objects and mail-less groups never). A
//! duplicate kind copies a value from a *partner*: a user that drew no kind, found by a
//! deterministic search near the object, so every object's bytes still depend only on
//! `(options, index)`. When no such partner exists (extreme rates), the object stays
//! clean, and is counted (the truth's `unplanted_by_kind`; generate warns). Every planted value embeds the object's unique counter, so two planted values
//! never collide by accident.

use super::forest::{Checked, Class, Forest, Person};
use super::rng::{hash3, unit_of};
use super::Flavor;
use crate::rules::catalog as id;

/// Which classes a kind applies to.
pub const USER: u8 = 1;
/// Mail-enabled groups.
pub const GROUP: u8 = 2;
/// Contacts.
pub const CONTACT: u8 = 4;
const UGC: u8 = USER | GROUP | CONTACT;
const UC: u8 = USER | CONTACT;

/// What a kind needs beyond its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing.
    None,
    /// At least two domains.
    TwoDomains,
    /// The object's AD domain has a non-routable name (so its realm suffix is a problem).
    LocalRealm,
}

/// One kind of planted problem.
#[derive(Debug, Clone, Copy)]
pub struct KindDef {
    /// Stable name (`--rate NAME=R`, truth `kind`).
    pub name: &'static str,
    /// Classes it applies to.
    pub classes: u8,
    /// Samba's `ldbadd` accepts it (the `import` flavour plants only these).
    pub import_ok: bool,
    /// Extra requirement.
    pub need: Need,
    /// Entra rule ids the planted value triggers (empty for duplicates: `Duplicate`).
    pub rules: &'static [&'static str],
    /// One-line description.
    pub about: &'static str,
}

const fn k(
    name: &'static str,
    classes: u8,
    import_ok: bool,
    rules: &'static [&'static str],
    about: &'static str,
) -> KindDef {
    KindDef {
        name,
        classes,
        import_ok,
        need: Need::None,
        rules,
        about,
    }
}

/// Name of the kind whose rate is `--local-upn-share`.
pub const LOCAL_UPN: &str = "upn-local-suffix";

/// Every kind, in listing order.
pub static KINDS: &[KindDef] = &[
    k(
        "upn-character",
        USER,
        true,
        &[id::UPN_CHARACTER],
        "UPN with & in the local part",
    ),
    k(
        "upn-diacritic",
        USER,
        true,
        &[id::UPN_DIACRITIC],
        "UPN with é in the local part",
    ),
    k(
        "upn-invisible",
        USER,
        true,
        &[id::UPN_INVISIBLE],
        "UPN with a zero-width space",
    ),
    k(
        "upn-whitespace",
        USER,
        true,
        &[id::UPN_WHITESPACE],
        "UPN with a trailing space",
    ),
    k("upn-at", USER, true, &[id::UPN_AT], "UPN without @"),
    k(
        "upn-local-part",
        USER,
        true,
        &[id::UPN_LOCAL_PART],
        "UPN with . right before @",
    ),
    k(
        "upn-domain-part",
        USER,
        true,
        &[id::UPN_DOMAIN_PART],
        "UPN suffix with _ (not a host name)",
    ),
    k(
        "upn-length",
        USER,
        true,
        &[id::UPN_LENGTH, id::UPN_LOCAL_LENGTH],
        "UPN of 114 characters (more than 64 before @)",
    ),
    k(
        "upn-local-length",
        USER,
        true,
        &[id::UPN_LOCAL_LENGTH],
        "UPN with 65 characters before @",
    ),
    k(
        "upn-domain-length",
        USER,
        true,
        &[id::UPN_DOMAIN_LENGTH],
        "UPN with 49 characters after @",
    ),
    k(
        "upn-nonroutable",
        USER,
        true,
        &[id::UPN_NONROUTABLE_SUFFIX],
        "UPN in <label>.internal",
    ),
    k(
        "upn-unknown-tld",
        USER,
        true,
        &[id::UPN_NONROUTABLE_SUFFIX],
        "UPN under a TLD IANA does not know",
    ),
    KindDef {
        need: Need::LocalRealm,
        ..k(
            LOCAL_UPN,
            USER,
            true,
            &[id::UPN_NONROUTABLE_SUFFIX],
            "UPN keeps the AD realm suffix (rate: --local-upn-share)",
        )
    },
    k(
        "mail-whitespace",
        UGC,
        true,
        &[id::MAIL_WHITESPACE],
        "mail with a space",
    ),
    k(
        "mail-character",
        UGC,
        true,
        &[id::MAIL_CHARACTER],
        "mail with (",
    ),
    k(
        "mail-invisible",
        UGC,
        true,
        &[id::MAIL_INVISIBLE],
        "mail with a zero-width space",
    ),
    k(
        "mail-format",
        UGC,
        true,
        &[id::MAIL_FORMAT],
        "mail without @",
    ),
    k(
        "mail-local-part",
        UGC,
        true,
        &[id::MAIL_LOCAL_PART],
        "mail starting with .",
    ),
    k(
        "mail-domain-part",
        UGC,
        true,
        &[id::MAIL_DOMAIN_PART],
        "mail domain ending with .",
    ),
    k(
        "mail-length",
        UGC,
        false,
        &[id::MAIL_LENGTH],
        "mail of 257 characters",
    ),
    k(
        "nick-character",
        UGC,
        true,
        &[id::NICK_CHARACTER],
        "mailNickname with &",
    ),
    k(
        "nick-period",
        UGC,
        true,
        &[id::NICK_PERIOD],
        "mailNickname starting with .",
    ),
    k(
        "nick-invisible",
        UGC,
        true,
        &[id::NICK_INVISIBLE],
        "mailNickname with a zero-width space",
    ),
    k(
        "nick-length",
        UGC,
        false,
        &[id::NICK_LENGTH],
        "mailNickname of 65 characters",
    ),
    k(
        "proxy-character",
        UGC,
        true,
        &[id::PROXY_CHARACTER],
        "extra smtp: proxy with ( )",
    ),
    k(
        "proxy-colon",
        UGC,
        true,
        &[id::PROXY_COLON],
        "extra smtp: proxy with a second :",
    ),
    k(
        "proxy-smtp-format",
        UGC,
        true,
        &[id::PROXY_SMTP_FORMAT],
        "extra smtp: proxy without @",
    ),
    k(
        "proxy-nonroutable",
        UGC,
        true,
        &[id::PROXY_NONROUTABLE],
        "extra smtp: proxy in <label>.local",
    ),
    k(
        "proxy-prefix",
        UGC,
        true,
        &[id::PROXY_PREFIX],
        "extra proxy without a type: prefix",
    ),
    k(
        "proxy-whitespace",
        UGC,
        true,
        &[id::PROXY_WHITESPACE],
        "extra smtp: proxy with a trailing space",
    ),
    k(
        "proxy-invisible",
        UGC,
        true,
        &[id::PROXY_INVISIBLE],
        "extra smtp: proxy with a zero-width space",
    ),
    k(
        "proxy-length",
        UGC,
        true,
        &[id::PROXY_LENGTH],
        "extra smtp: proxy of 257 characters",
    ),
    k(
        "proxy-multiple-primary",
        UGC,
        true,
        &[id::PROXY_MULTIPLE_PRIMARY],
        "a second SMTP: primary",
    ),
    k(
        "proxy-count",
        UGC,
        true,
        &[id::PROXY_COUNT],
        "more than 300 proxyAddresses",
    ),
    k(
        "target-character",
        UC,
        true,
        &[id::TARGET_CHARACTER],
        "targetAddress with ( )",
    ),
    k(
        "target-smtp-format",
        UC,
        true,
        &[id::TARGET_SMTP_FORMAT],
        "SMTP targetAddress without @",
    ),
    k(
        "target-prefix",
        UC,
        true,
        &[id::TARGET_PREFIX],
        "targetAddress without a type: prefix",
    ),
    k(
        "target-whitespace",
        UC,
        true,
        &[id::TARGET_WHITESPACE],
        "targetAddress with a trailing space",
    ),
    k(
        "target-invisible",
        UC,
        true,
        &[id::TARGET_INVISIBLE],
        "targetAddress with a zero-width space",
    ),
    k(
        "target-length",
        UC,
        true,
        &[id::TARGET_LENGTH],
        "targetAddress of 257 characters",
    ),
    k(
        "sam-character",
        USER,
        false,
        &[id::SAM_CHARACTER],
        "sAMAccountName with +",
    ),
    k(
        "sam-length",
        USER,
        false,
        &[id::SAM_LENGTH],
        "sAMAccountName of 21 characters",
    ),
    k(
        "sam-invisible",
        USER,
        true,
        &[id::SAM_INVISIBLE],
        "sAMAccountName with a zero-width space",
    ),
    k(
        "displayname-blank",
        UGC,
        false,
        &[id::DISPLAYNAME_BLANK],
        "displayName of one space",
    ),
    k(
        "displayname-length",
        UGC,
        false,
        &[id::DISPLAYNAME_LENGTH],
        "displayName of 257 characters",
    ),
    k(
        "displayname-invisible",
        UGC,
        true,
        &[id::DISPLAYNAME_INVISIBLE],
        "displayName with a zero-width space",
    ),
    k(
        "givenname-length",
        UC,
        false,
        &[id::GIVENNAME_LENGTH],
        "givenName of 65 characters",
    ),
    k(
        "givenname-invisible",
        UC,
        true,
        &[id::GIVENNAME_INVISIBLE],
        "givenName with a zero-width space",
    ),
    k(
        "dup-upn",
        USER,
        false,
        &[],
        "UPN equal to another user's UPN",
    ),
    k(
        "dup-upn-case",
        USER,
        false,
        &[],
        "UPN equal to another user's UPN but for case",
    ),
    k(
        "dup-upn-proxy",
        USER,
        true,
        &[],
        "UPN equal to another user's smtp: proxy address",
    ),
    k(
        "dup-mail",
        UGC,
        true,
        &[],
        "mail equal to a user's mail (and its UPN/SMTP primary)",
    ),
    k(
        "dup-mail-case",
        UGC,
        true,
        &[],
        "mail equal to a user's mail but for case",
    ),
    k(
        "dup-proxy",
        UGC,
        true,
        &[],
        "extra smtp: proxy equal to a user's mail",
    ),
    k(
        "dup-proxy-case",
        UGC,
        true,
        &[],
        "extra smtp: proxy equal to a user's mail, upper case",
    ),
    k("dup-nick", UGC, true, &[], "mailNickname equal to a user's"),
    k(
        "dup-nick-case",
        UGC,
        true,
        &[],
        "mailNickname equal to a user's but for case",
    ),
    k(
        "dup-target",
        UC,
        true,
        &[],
        "targetAddress equal to a user's smtp: proxy address",
    ),
    k(
        "dup-sip",
        UGC,
        true,
        &[],
        "extra SIP: proxy equal to a user's",
    ),
    KindDef {
        need: Need::TwoDomains,
        ..k(
            "dup-cross-domain",
            UGC,
            true,
            &[],
            "mail equal to a user's mail in another domain",
        )
    },
    KindDef {
        need: Need::LocalRealm,
        ..k(
            "rewrite-collision",
            USER,
            true,
            &[id::UPN_NONROUTABLE_SUFFIX],
            "UPN x@<realm> while another user owns x@<mail domain>",
        )
    },
];

/// Index of a kind by name.
pub fn kind_index(name: &str) -> Option<usize> {
    KINDS.iter().position(|k| k.name == name)
}

/// Whether a kind is a duplicate plant.
pub fn is_dup(k: &KindDef) -> bool {
    k.name.starts_with("dup-")
}

fn class_bit(c: Class) -> u8 {
    match c {
        Class::User => USER,
        Class::Group => GROUP,
        Class::Contact => CONTACT,
        _ => 0,
    }
}

const S_ROLE: u64 = 40;
const S_PARTNER: u64 = 50;
const PARTNER_WINDOW: u64 = 64;
const ZWSP: char = '\u{200B}';

/// Per-class cumulative tables for drawing kinds.
#[derive(Debug, Clone)]
pub struct Roles {
    /// (cumulative probability, kind index) per class bit (user, group, contact).
    tables: [Vec<(f64, usize)>; 3],
    seed: u64,
}

impl Roles {
    /// Build the tables. `overrides`: (kind name, rate).
    pub fn new(
        seed: u64,
        flavor: Flavor,
        domains: usize,
        any_local_realm: bool,
        defect_rate: f64,
        local_upn_share: f64,
        overrides: &[(String, f64)],
    ) -> Result<Roles, String> {
        for (name, r) in overrides {
            let Some(i) = kind_index(name) else {
                return Err(format!("unknown kind {name:?} (see --list-kinds)"));
            };
            if !(0.0..=1.0).contains(r) {
                return Err(format!("--rate {name}={r}: a rate is between 0 and 1"));
            }
            if !available(&KINDS[i], flavor, domains, any_local_realm) {
                return Err(format!(
                    "kind {name} cannot be planted here (flavour {}, {domains} domain(s))",
                    flavor.as_str()
                ));
            }
        }
        let mut tables: [Vec<(f64, usize)>; 3] = Default::default();
        for (slot, bit) in [USER, GROUP, CONTACT].into_iter().enumerate() {
            let enabled: Vec<usize> = (0..KINDS.len())
                .filter(|&i| {
                    KINDS[i].classes & bit != 0
                        && available(&KINDS[i], flavor, domains, any_local_realm)
                })
                .collect();
            let shared = enabled
                .iter()
                .filter(|&&i| KINDS[i].name != LOCAL_UPN)
                .count();
            let mut cum = 0.0;
            for i in enabled {
                let name = KINDS[i].name;
                let rate = match overrides.iter().rev().find(|(n, _)| n == name) {
                    Some((_, r)) => *r,
                    None if name == LOCAL_UPN => local_upn_share,
                    None => defect_rate / shared.max(1) as f64,
                };
                if rate > 0.0 {
                    cum += rate;
                    tables[slot].push((cum, i));
                }
            }
            if cum > 1.0 + 1e-9 {
                return Err(format!(
                    "the rates add up to {cum:.3} for one object class; they must not exceed 1"
                ));
            }
        }
        Ok(Roles { tables, seed })
    }

    /// The kind drawn by object `index` of `class`.
    pub fn role(&self, class: Class, index: u64) -> Option<usize> {
        let slot = match class {
            Class::User => 0,
            Class::Group => 1,
            Class::Contact => 2,
            _ => return None,
        };
        let t = &self.tables[slot];
        if t.is_empty() {
            return None;
        }
        let u = unit_of(hash3(self.seed, S_ROLE + slot as u64, index));
        t.iter().find(|(c, _)| u < *c).map(|(_, k)| *k)
    }
}

fn available(k: &KindDef, flavor: Flavor, domains: usize, any_local_realm: bool) -> bool {
    (flavor != Flavor::Import || k.import_ok)
        && match k.need {
            Need::None => true,
            Need::TwoDomains => domains >= 2,
            Need::LocalRealm => any_local_realm,
        }
}

/// A planted single-value problem: the value and the rules it triggers.
#[derive(Debug, Clone)]
pub struct Planted {
    /// Attribute name as reported.
    pub attribute: &'static str,
    /// The value as written (for proxy-count: `"<n> values"`).
    pub value: String,
    /// Rule ids.
    pub rules: &'static [&'static str],
}

/// A planted duplicate: the partner user whose values collide with `attribute`/`value`.
#[derive(Debug, Clone)]
pub struct DupPlant {
    /// Attribute of the planted value on the object.
    pub attribute: &'static str,
    /// The planted value.
    pub value: String,
    /// Partner (global user index).
    pub partner: u64,
}

/// A planted rewrite collision.
#[derive(Debug, Clone)]
pub struct RewritePlant {
    /// The object's UPN (`x@realm`).
    pub upn: String,
    /// Partner (global user index).
    pub partner: u64,
    /// Partner's attribute holding `x@maildomain`.
    pub attribute: &'static str,
    /// Partner's value.
    pub value: String,
}

/// What planting did to one object.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The kind actually planted.
    pub kind: Option<usize>,
    /// Single-value problems.
    pub planted: Vec<Planted>,
    /// Duplicate plants.
    pub dups: Vec<DupPlant>,
    /// Rewrite collisions.
    pub rewrites: Vec<RewritePlant>,
    /// The kind the object drew but could not be given: a duplicate or rewrite
    /// collision with no clean partner user near it (at extreme rates).
    pub unplaced: Option<usize>,
}

/// The object a kind is applied to.
pub struct Target<'a> {
    /// Class.
    pub class: Class,
    /// Global index within the class.
    pub index: u64,
    /// Domain.
    pub domain: usize,
    /// The user identity, for users.
    pub person: Option<&'a Person>,
}

fn insert_at(s: &str, pos: usize, ins: &str) -> String {
    let mut p = pos.min(s.len());
    while !s.is_char_boundary(p) {
        p -= 1;
    }
    format!("{}{}{}", &s[..p], ins, &s[p..])
}

fn pad_to(s: &str, len: usize, fill: char) -> String {
    let mut v = s.to_string();
    while v.chars().count() < len {
        v.push(fill);
    }
    v
}

fn split_addr(a: &str) -> (&str, &str) {
    match a.rfind('@') {
        Some(p) => (&a[..p], &a[p + 1..]),
        None => (a, ""),
    }
}

/// Find a clean partner user for object `t`: near it in its own domain, or in the next
/// domain for cross-domain kinds.
///
/// With `adjacent`, only the user right before the object qualifies: each partner then
/// serves one object, so planted UPNs (which must stay unique) never repeat.
fn partner(f: &Forest, roles: &Roles, t: &Target, cross: bool, adjacent: bool) -> Option<u64> {
    let d = if cross {
        (t.domain + 1) % f.domains.len()
    } else {
        t.domain
    };
    let range = f.domains[d].users.clone();
    let n = range.end - range.start;
    if n == 0 {
        return None;
    }
    let start = if t.class == Class::User && !cross {
        t.index - range.start
    } else {
        hash3(f.seed, S_PARTNER + class_bit(t.class) as u64, t.index) % n
    };
    if adjacent {
        let j = t.index.checked_sub(1).filter(|j| range.contains(j))?;
        return roles.role(Class::User, j).is_none().then_some(j);
    }
    for step in 1..=PARTNER_WINDOW.min(n) {
        let j = range.start + (start + n - step % n) % n;
        if t.class == Class::User && j == t.index {
            continue;
        }
        if roles.role(Class::User, j).is_some() {
            continue;
        }
        return Some(j);
    }
    None
}

/// Apply the kind object `t` drew to its clean values.
pub fn apply(f: &Forest, roles: &Roles, t: &Target, c: &mut Checked) -> Outcome {
    let mut out = Outcome::default();
    let Some(ki) = roles.role(t.class, t.index) else {
        return out;
    };
    let kind = &KINDS[ki];
    let dom = &f.domains[t.domain];
    let mail = c.mail.clone().unwrap_or_default();
    let (mlocal, mdom) = split_addr(&mail);
    let (mlocal, mdom) = (mlocal.to_string(), mdom.to_string());
    let label = dom.ad.split('.').next().unwrap_or("corp").to_string();
    let upn_local = c
        .upn
        .as_deref()
        .map(|u| split_addr(u).0.to_string())
        .unwrap_or_default();
    let nick = c.nick.clone().unwrap_or_default();
    let mut single = |attr: &'static str, value: String| {
        out.planted.push(Planted {
            attribute: attr,
            value,
            rules: kind.rules,
        });
    };
    let upn = "userPrincipalName";
    match kind.name {
        "upn-character" => single(upn, format!("{upn_local}&co@{}", dom.mail)),
        "upn-diacritic" => single(upn, format!("{}é@{}", upn_local, dom.mail)),
        "upn-invisible" => single(
            upn,
            format!("{}@{}", insert_at(&upn_local, 1, "\u{200B}"), dom.mail),
        ),
        "upn-whitespace" => single(upn, format!("{upn_local}@{} ", dom.mail)),
        "upn-at" => single(upn, upn_local.clone()),
        "upn-local-part" => single(upn, format!("{upn_local}.@{}", dom.mail)),
        "upn-domain-part" => single(upn, format!("{upn_local}@hr_x.{}", dom.mail)),
        "upn-length" => {
            let local = pad_to(&upn_local, 113 - dom.mail.len(), 'x');
            single(upn, format!("{local}@{}", dom.mail))
        }
        "upn-local-length" => single(upn, format!("{}@{}", pad_to(&upn_local, 65, 'x'), dom.mail)),
        "upn-domain-length" => {
            let room = 49usize.saturating_sub(dom.mail.len() + 1).max(1);
            let sub: String = "mailhosting".chars().cycle().take(room).collect();
            single(upn, format!("{upn_local}@{sub}.{}", dom.mail))
        }
        "upn-nonroutable" => single(upn, format!("{upn_local}@{label}.internal")),
        "upn-unknown-tld" => single(upn, format!("{upn_local}@{label}.notarealtld")),
        LOCAL_UPN => {
            if dom.realm_routable {
                return Outcome::default();
            }
            single(upn, format!("{upn_local}@{}", dom.ad));
        }
        "mail-whitespace" => single("mail", insert_at(&mail, 1, " ")),
        "mail-character" => single("mail", insert_at(&mail, 1, "(")),
        "mail-invisible" => single("mail", insert_at(&mail, 1, "\u{200B}")),
        "mail-format" => single("mail", format!("{mlocal}.at.{mdom}")),
        "mail-local-part" => single("mail", format!(".{mail}")),
        "mail-domain-part" => single("mail", format!("{mail}.")),
        "mail-length" => {
            let local = pad_to(&mlocal, 256 - mdom.len(), 'x');
            single("mail", format!("{local}@{mdom}"))
        }
        "nick-character" => single("mailNickname", format!("{nick}&co")),
        "nick-period" => single("mailNickname", format!(".{nick}")),
        "nick-invisible" => single("mailNickname", insert_at(&nick, 1, "\u{200B}")),
        "nick-length" => single("mailNickname", pad_to(&nick, 65, 'x')),
        "proxy-character" => single("proxyAddresses", format!("smtp:{mlocal}(old)@{mdom}")),
        "proxy-colon" => single("proxyAddresses", format!("smtp:{mlocal}:old@{mdom}")),
        "proxy-smtp-format" => single("proxyAddresses", format!("smtp:{mlocal}.old.{mdom}")),
        "proxy-nonroutable" => single("proxyAddresses", format!("smtp:{mlocal}@{label}.local")),
        "proxy-prefix" => single("proxyAddresses", format!("{mlocal}.old@{mdom}")),
        "proxy-whitespace" => single("proxyAddresses", format!("smtp:{mlocal}.old@{mdom} ")),
        "proxy-invisible" => single("proxyAddresses", format!("smtp:{mlocal}.old{ZWSP}@{mdom}")),
        "proxy-length" => {
            let local = pad_to(&format!("{mlocal}.old"), 256 - 5 - mdom.len(), 'x');
            single("proxyAddresses", format!("smtp:{local}@{mdom}"))
        }
        "proxy-multiple-primary" => single("proxyAddresses", format!("SMTP:{mlocal}.old@{mdom}")),
        "proxy-count" => {
            for i in 0..300 {
                c.proxies.push(format!("smtp:{mlocal}.{i}@{mdom}"));
            }
            let n = c.proxies.len();
            out.planted.push(Planted {
                attribute: "proxyAddresses",
                value: format!("{n} values"),
                rules: kind.rules,
            });
            out.kind = Some(ki);
            return out;
        }
        "target-character" | "target-smtp-format" | "target-prefix" | "target-whitespace"
        | "target-invisible" | "target-length" => {
            let base = c
                .target
                .clone()
                .unwrap_or_else(|| format!("SMTP:{nick}@{}", f.tenant));
            let addr = base.get(5..).unwrap_or("").to_string();
            let (tl, td) = split_addr(&addr);
            let v = match kind.name {
                "target-character" => format!("SMTP:{tl}(old)@{td}"),
                "target-smtp-format" => format!("SMTP:{tl}.{td}"),
                "target-prefix" => addr.clone(),
                "target-whitespace" => format!("{base} "),
                "target-invisible" => format!("SMTP:{}@{td}", insert_at(tl, 1, "\u{200B}")),
                _ => format!("SMTP:{}@{td}", pad_to(tl, 256 - 5 - td.len(), 'x')),
            };
            single("targetAddress", v);
        }
        "sam-character" => {
            let sam = c.sam.clone().unwrap_or_default();
            let cut: String = sam.chars().take(19).collect();
            single("sAMAccountName", insert_at(&cut, 1, "+"));
        }
        "sam-length" => {
            let sam = c.sam.clone().unwrap_or_default();
            single("sAMAccountName", pad_to(&sam, 21, 'x'));
        }
        "sam-invisible" => {
            let sam = c.sam.clone().unwrap_or_default();
            let cut: String = sam.chars().take(19).collect();
            single("sAMAccountName", insert_at(&cut, 1, "\u{200B}"));
        }
        "displayname-blank" => single("displayName", " ".into()),
        "displayname-length" => {
            let d = c.display.clone().unwrap_or_default();
            single("displayName", pad_to(&d, 257, 'x'));
        }
        "displayname-invisible" => {
            let d = c.display.clone().unwrap_or_default();
            single("displayName", insert_at(&d, 1, "\u{200B}"));
        }
        "givenname-length" => {
            let g = c.given.clone().unwrap_or_default();
            single("givenName", pad_to(&format!("{g} "), 65, 'x'));
        }
        "givenname-invisible" => {
            let g = c.given.clone().unwrap_or_default();
            single("givenName", format!("{g}\u{200B}"));
        }
        "rewrite-collision" => {
            if dom.realm_routable {
                return Outcome::default();
            }
            let Some(j) = partner(f, roles, t, false, true) else {
                return Outcome {
                    unplaced: Some(ki),
                    ..Outcome::default()
                };
            };
            let p = f.person(j);
            let pc = f.user_checked(&p);
            let use_mail = p.alt_mail && hash3(f.seed, S_PARTNER + 9, t.index) & 1 == 1;
            let (attr, value) = if use_mail {
                ("mail", pc.mail.clone().unwrap_or_default())
            } else {
                ("userPrincipalName", pc.upn.clone().unwrap_or_default())
            };
            let x = split_addr(&value).0.to_string();
            let v = format!("{x}@{}", dom.ad);
            c.upn = Some(v.clone());
            out.planted.push(Planted {
                attribute: upn,
                value: v.clone(),
                rules: kind.rules,
            });
            out.rewrites.push(RewritePlant {
                upn: v,
                partner: j,
                attribute: attr,
                value,
            });
            out.kind = Some(ki);
            return out;
        }
        _ if is_dup(kind) => {
            let cross = kind.name == "dup-cross-domain";
            let adjacent = kind.name == "dup-upn-proxy";
            let Some(j) = partner(f, roles, t, cross, adjacent) else {
                return Outcome {
                    unplaced: Some(ki),
                    ..Outcome::default()
                };
            };
            let p = f.person(j);
            let pc = f.user_checked(&p);
            let bmail = pc.mail.clone().unwrap_or_default();
            let bnick = pc.nick.clone().unwrap_or_default();
            let (attr, value): (&'static str, String) = match kind.name {
                "dup-upn" => (upn, pc.upn.clone().unwrap_or_default()),
                "dup-upn-case" => (upn, pc.upn.clone().unwrap_or_default().to_uppercase()),
                "dup-upn-proxy" => (upn, format!("{}@{}", bnick, f.tenant)),
                "dup-mail" | "dup-cross-domain" => ("mail", bmail),
                "dup-mail-case" => ("mail", capitalise(&bmail)),
                "dup-proxy" => ("proxyAddresses", format!("smtp:{bmail}")),
                "dup-proxy-case" => ("proxyAddresses", format!("smtp:{}", bmail.to_uppercase())),
                "dup-nick" => ("mailNickname", bnick),
                "dup-nick-case" => ("mailNickname", bnick.to_uppercase()),
                "dup-target" => ("targetAddress", format!("SMTP:{bnick}@{}", f.tenant)),
                _ => (
                    "proxyAddresses",
                    format!("SIP:{}", pc.upn.clone().unwrap_or_default()),
                ),
            };
            set_value(c, attr, value.clone(), false);
            out.dups.push(DupPlant {
                attribute: attr,
                value,
                partner: j,
            });
            out.kind = Some(ki);
            return out;
        }
        _ => return Outcome::default(),
    }
    for p in &out.planted {
        set_value(c, p.attribute, p.value.clone(), true);
    }
    out.kind = Some(ki);
    out
}

/// Capitalise each dot/at-separated word (`john.smith1@contoso.com` → `John.Smith1@Contoso.com`).
fn capitalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut up = true;
    for ch in s.chars() {
        if up {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        up = matches!(ch, '.' | '@' | '_');
    }
    out
}

/// Put a planted value in place: single-valued attributes are replaced; proxyAddresses
/// get the value appended.
fn set_value(c: &mut Checked, attr: &str, v: String, _single: bool) {
    match attr {
        "givenName" => c.given = Some(v),
        "displayName" => c.display = Some(v),
        "sAMAccountName" => c.sam = Some(v),
        "userPrincipalName" => c.upn = Some(v),
        "mail" => c.mail = Some(v),
        "proxyAddresses" => c.proxies.push(v),
        "mailNickname" => c.nick = Some(v),
        "targetAddress" => c.target = Some(v),
        _ => {}
    }
}
