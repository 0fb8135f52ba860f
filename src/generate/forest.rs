//! The shape of a synthetic forest: its domains, their OU trees, the order of records,
//! and every object's clean attribute values, each computable on its own from
//! `(seed, object index)` so the forest can be generated in parallel chunks.
//!
//! Uniqueness of clean values holds by construction, with a global counter `n` per object
//! class (users, groups and contacts are counted separately):
//! - user: UPN and mail local part `given.surname{n}` (or `given_surname{n}` for the
//!   mail of a share of users), sAMAccountName = mailNickname = `{g}{surname}{n}` (letters
//!   then digits, ≤ 20 characters, never a dot), secondary `smtp:{sam}@{tenant routing
//!   domain}`, `SIP:` = the UPN, `X500:` with the sAMAccountName;
//! - group: `{slug}-{n}` addresses and alias, sAMAccountName `g-{n}-{slug}` (hyphens, so
//!   never a user's);
//! - contact: addresses in partner domains that no forest uses, alias `ext-{names}{n}`.
//!
//! Name pools hold only letters in their ASCII forms, so the letters/digits split of each
//! value is unambiguous and `n` makes it unique; every comparison is case-insensitive
//! because every clean address is lower-case.

use std::ops::Range;

use super::names::{self, Name};
use super::rng::{hash3, Rng};
use super::Flavor;

/// Random stream ids, one per purpose.
pub const S_USER: u64 = 1;
/// Groups.
pub const S_GROUP: u64 = 2;
/// Contacts.
pub const S_CONTACT: u64 = 3;
/// System objects.
pub const S_SYSTEM: u64 = 4;
/// Structure records.
pub const S_STRUCT: u64 = 5;
/// Operational values (dates, USNs, GUIDs).
pub const S_OPER: u64 = 6;
/// Stream: a user's logon and password times.
pub const S_LOGON: u64 = 7;

/// Big groups per domain and their member caps (the first users of the domain).
pub const BIG_GROUP_CAPS: [u64; 2] = [5000, 2000];

/// TLDs treated as non-routable when deriving a mail domain from an AD domain name.
pub const NON_ROUTABLE_TLDS: &[&str] = &[
    "local",
    "lan",
    "internal",
    "corp",
    "home",
    "localdomain",
    "intranet",
    "private",
    "priv",
    "loc",
    "lcl",
    "domain",
    "test",
    "example",
    "invalid",
    "localhost",
];

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Domain root, containers, OUs.
    Structure,
    /// A user.
    User,
    /// A group.
    Group,
    /// A contact.
    Contact,
    /// krbtgt, system mailboxes, a conflict object: out of scope of every profile, but for
    /// the health mailbox, which Entra Connect syncs (the `entra` profile checks its clean
    /// values).
    System,
}

/// One domain of the forest.
#[derive(Debug, Clone)]
pub struct Domain {
    /// Position in `--domain` order.
    pub index: usize,
    /// AD DNS name, lower-case (`contoso.local`).
    pub ad: String,
    /// `DC=contoso,DC=local`.
    pub base: String,
    /// Routable mail domain (`contoso.com`).
    pub mail: String,
    /// NetBIOS-like name (`CONTOSO`), also the organisation name.
    pub netbios: String,
    /// Whether the AD name itself has a routable TLD (then mail = AD name).
    pub realm_routable: bool,
    /// Domain SID sub-authorities.
    pub sid: [u32; 3],
    /// Global user indexes of this domain.
    pub users: Range<u64>,
    /// Global group indexes.
    pub groups: Range<u64>,
    /// Global contact indexes.
    pub contacts: Range<u64>,
    /// Structure records (DN, kind).
    pub structure: Vec<(String, StructKind)>,
}

/// Kinds of structure records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructKind {
    /// The domainDNS root.
    Root,
    /// A `container`.
    Container,
    /// An organizationalUnit.
    Ou,
}

/// A run of consecutive records of one class in one domain.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Domain index.
    pub domain: usize,
    /// Class.
    pub class: Class,
    /// Record number (0-based) of the first record.
    pub seq: u64,
    /// Global index of the first object (structure/system: index within the domain).
    pub first: u64,
    /// Number of records.
    pub count: u64,
}

/// The forest layout.
#[derive(Debug, Clone)]
pub struct Forest {
    /// Generation seed.
    pub seed: u64,
    /// Output flavour (decides which records exist).
    pub flavor: Flavor,
    /// Domains.
    pub domains: Vec<Domain>,
    /// Record runs, in output order.
    pub segments: Vec<Segment>,
    /// Number of records.
    pub total: u64,
    /// Tenant routing domain (`contoso.mail.onmicrosoft.com`).
    pub tenant: String,
    /// Digits of the largest user counter (for sAMAccountName lengths).
    user_digits: usize,
}

/// Number of system objects per domain.
pub const SYSTEM_PER_DOMAIN: u64 = 5;

/// A user's identity: everything its values derive from.
#[derive(Debug, Clone)]
pub struct Person {
    /// Global index.
    pub index: u64,
    /// Counter in values (index + 1).
    pub n: u64,
    /// Domain.
    pub domain: usize,
    /// Index within the domain's users.
    pub local: u64,
    /// Given name.
    pub given: Name,
    /// Surname.
    pub sur: Name,
    /// `CN=Surname\, Given n` rather than `CN=Given Surname n`.
    pub comma: bool,
    /// Site (index into `names::SITES`).
    pub site: usize,
    /// mail is `given_surname{n}` instead of the UPN.
    pub alt_mail: bool,
    /// A remote mailbox with a `targetAddress`.
    pub target: bool,
    /// userAccountControl.
    pub uac: i64,
    /// Title index.
    pub title: usize,
    /// Department index.
    pub dept: usize,
}

/// The values ldifix checks, as one object holds them. `None` = attribute absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// givenName
    pub given: Option<String>,
    /// displayName
    pub display: Option<String>,
    /// sAMAccountName
    pub sam: Option<String>,
    /// userPrincipalName
    pub upn: Option<String>,
    /// mail
    pub mail: Option<String>,
    /// proxyAddresses, in order
    pub proxies: Vec<String>,
    /// mailNickname
    pub nick: Option<String>,
    /// targetAddress
    pub target: Option<String>,
}

/// Attribute names as the entra profile reports them, in record order (the rank).
pub const CHECKED_NAMES: [&str; 8] = [
    "givenName",
    "displayName",
    "sAMAccountName",
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "mailNickname",
    "targetAddress",
];

/// Rank of an attribute name in [`CHECKED_NAMES`].
pub fn rank_of(attr: &str) -> u32 {
    CHECKED_NAMES.iter().position(|a| *a == attr).unwrap_or(99) as u32
}

impl Checked {
    /// Every value: (rank, value index, attribute name, value).
    pub fn values(&self) -> Vec<(u32, u32, &'static str, &str)> {
        let mut v = Vec::new();
        let singles = [
            (0, &self.given),
            (1, &self.display),
            (2, &self.sam),
            (3, &self.upn),
            (4, &self.mail),
        ];
        for (r, s) in singles {
            if let Some(s) = s {
                v.push((r, 0, CHECKED_NAMES[r as usize], s.as_str()));
            }
        }
        for (i, p) in self.proxies.iter().enumerate() {
            v.push((5, i as u32, CHECKED_NAMES[5], p.as_str()));
        }
        if let Some(s) = &self.nick {
            v.push((6, 0, CHECKED_NAMES[6], s.as_str()));
        }
        if let Some(s) = &self.target {
            v.push((7, 0, CHECKED_NAMES[7], s.as_str()));
        }
        v
    }
}

/// A uniqueness namespace of the entra profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ns {
    /// UPN, mail, SMTP proxy and target addresses without `smtp:`.
    Address,
    /// Other proxy/target addresses as `type:address`.
    Proxy,
    /// mailNickname.
    MailNickname,
}

impl Ns {
    /// Name as the truth file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Ns::Address => "address",
            Ns::Proxy => "proxy",
            Ns::MailNickname => "mailNickname",
        }
    }
}

/// The namespace and normalised key of a checked value, if it takes part in uniqueness
/// (the entra profile's rule: trimmed, lower-cased; SMTP proxy/target values without their
/// prefix; other proxy/target values as `type:address`; values without a type prefix take
/// no part).
pub fn key_of(attr: &str, value: &str) -> Option<(Ns, String)> {
    let fold = |s: &str| s.trim().to_lowercase();
    let (ns, key) = match attr {
        "userPrincipalName" | "mail" => (Ns::Address, fold(value)),
        "mailNickname" => (Ns::MailNickname, fold(value)),
        "proxyAddresses" | "targetAddress" => {
            let v = value.trim_start();
            let i = v.find(':').filter(|&i| i > 0)?;
            let (ty, addr) = (&v[..i], &v[i + 1..]);
            if ty.trim().eq_ignore_ascii_case("smtp") {
                (Ns::Address, fold(addr))
            } else {
                if fold(addr).is_empty() {
                    return None;
                }
                (Ns::Proxy, format!("{}:{}", fold(ty), fold(addr)))
            }
        }
        _ => return None,
    };
    (!key.is_empty()).then_some((ns, key))
}

fn split(total: u64, parts: usize, i: usize) -> Range<u64> {
    let p = parts as u64;
    let i = i as u64;
    (total * i / p)..(total * (i + 1) / p)
}

/// Escape a DN attribute value (RFC 4514 specials; the names used need only `,`).
pub fn dn_escape(v: &str) -> String {
    let mut s = String::with_capacity(v.len() + 2);
    for (i, c) in v.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                s.push('\\');
                s.push(c);
            }
            '#' if i == 0 => s.push_str("\\#"),
            _ => s.push(c),
        }
    }
    s
}

impl Forest {
    /// Lay out the forest.
    pub fn new(
        seed: u64,
        flavor: Flavor,
        domains: &[String],
        users: u64,
        groups: u64,
        contacts: u64,
    ) -> Result<Forest, String> {
        if domains.is_empty() {
            return Err("at least one --domain is needed".into());
        }
        let tlds = crate::rules::tld::TldSet::iana();
        let mut ds = Vec::with_capacity(domains.len());
        for (i, raw) in domains.iter().enumerate() {
            let ad = raw.trim().trim_end_matches('.').to_ascii_lowercase();
            let labels: Vec<&str> = ad.split('.').collect();
            let ok = labels.len() >= 2
                && ad.len() <= 40
                && labels.iter().all(|l| {
                    !l.is_empty()
                        && l.len() <= 30
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                })
                && labels
                    .last()
                    .is_some_and(|t| t.bytes().all(|b| b.is_ascii_alphabetic()));
            if !ok {
                return Err(format!(
                    "--domain {raw:?}: expected a DNS name of two or more labels (letters, digits, hyphens; at most 40 characters), such as contoso.local"
                ));
            }
            if ds.iter().any(|d: &Domain| d.ad == ad) {
                return Err(format!("--domain {ad} is given twice"));
            }
            let tld = labels[labels.len() - 1];
            let realm_routable = tlds.is_routable_domain(&ad) && !NON_ROUTABLE_TLDS.contains(&tld);
            let mail = if realm_routable {
                ad.clone()
            } else {
                let mut m = labels[..labels.len() - 1].join(".");
                m.push_str(".com");
                m
            };
            if ds.iter().any(|d: &Domain| d.mail == mail) {
                return Err(format!(
                    "--domain {ad}: its mail domain {mail} is already another domain's"
                ));
            }
            let base = labels
                .iter()
                .map(|l| format!("DC={l}"))
                .collect::<Vec<_>>()
                .join(",");
            let netbios = labels[0].to_ascii_uppercase();
            let h = hash3(seed, 100, i as u64);
            let sid = [
                (h as u32) | 0x1000_0000,
                ((h >> 32) as u32) | 0x1000_0000,
                (hash3(seed, 101, i as u64) as u32) | 0x1000_0000,
            ];
            let mut structure = Vec::new();
            if flavor != Flavor::Import {
                structure.push((base.clone(), StructKind::Root));
                structure.push((format!("CN=Users,{base}"), StructKind::Container));
                structure.push((
                    format!("CN=Microsoft Exchange System Objects,{base}"),
                    StructKind::Container,
                ));
                structure.push((
                    format!("CN=Monitoring Mailboxes,CN=Microsoft Exchange System Objects,{base}"),
                    StructKind::Container,
                ));
            }
            structure.push((format!("OU=Corp,{base}"), StructKind::Ou));
            for r in names::REGIONS {
                structure.push((format!("OU={r},OU=Corp,{base}"), StructKind::Ou));
            }
            for (r, c, _) in names::SITES {
                structure.push((format!("OU={c},OU={r},OU=Corp,{base}"), StructKind::Ou));
                for leaf in ["Users", "Groups", "Contacts"] {
                    structure.push((
                        format!("OU={leaf},OU={c},OU={r},OU=Corp,{base}"),
                        StructKind::Ou,
                    ));
                }
            }
            ds.push(Domain {
                index: i,
                ad,
                base,
                mail,
                netbios,
                realm_routable,
                sid,
                users: split(users, domains.len(), i),
                groups: split(groups, domains.len(), i),
                contacts: split(contacts, domains.len(), i),
                structure,
            });
        }
        let tenant = format!(
            "{}.mail.onmicrosoft.com",
            ds[0].netbios.to_ascii_lowercase()
        );
        let mut segments = Vec::new();
        let mut seq = 0u64;
        for d in &ds {
            let mut push = |class, first, count: u64| {
                if count > 0 {
                    segments.push(Segment {
                        domain: d.index,
                        class,
                        seq,
                        first,
                        count,
                    });
                    seq += count;
                }
            };
            push(Class::Structure, 0, d.structure.len() as u64);
            push(Class::User, d.users.start, d.users.end - d.users.start);
            push(Class::Group, d.groups.start, d.groups.end - d.groups.start);
            push(
                Class::Contact,
                d.contacts.start,
                d.contacts.end - d.contacts.start,
            );
            if flavor != Flavor::Import {
                push(Class::System, 0, SYSTEM_PER_DOMAIN);
            }
        }
        let user_digits = users.max(1).to_string().len();
        if user_digits > 12 {
            return Err("--users is too large".into());
        }
        Ok(Forest {
            seed,
            flavor,
            domains: ds,
            segments,
            total: seq,
            tenant,
            user_digits,
        })
    }

    /// The segment holding record `seq`.
    pub fn segment(&self, seq: u64) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.seq + s.count <= seq);
        self.segments.get(i).filter(|s| s.seq <= seq)
    }

    /// Domain of global user `u`.
    pub fn user_domain(&self, u: u64) -> usize {
        self.domains
            .iter()
            .position(|d| d.users.contains(&u))
            .unwrap_or(0)
    }

    /// Record number (0-based) of global user `u`.
    pub fn user_seq(&self, u: u64) -> u64 {
        let d = self.user_domain(u);
        self.segments
            .iter()
            .find(|s| s.domain == d && s.class == Class::User)
            .map(|s| s.seq + (u - s.first))
            .unwrap_or(0)
    }

    /// Record number (0-based) of global group `g`.
    pub fn group_seq(&self, g: u64) -> u64 {
        self.segments
            .iter()
            .find(|s| s.class == Class::Group && (s.first..s.first + s.count).contains(&g))
            .map(|s| s.seq + (g - s.first))
            .unwrap_or(0)
    }

    /// The identity of global user `u`.
    pub fn person(&self, u: u64) -> Person {
        let mut r = Rng::for_object(self.seed, S_USER, u);
        let domain = self.user_domain(u);
        let given = *r.pick(names::GIVEN);
        let sur = *r.pick(names::SURNAMES);
        let comma = r.chance(0.1);
        let site = r.below(names::SITES.len() as u64) as usize;
        let alt_mail = r.chance(0.25);
        let target = r.chance(0.2);
        let uac = match r.below(20) {
            0 => 514,
            1..=4 => 66048,
            _ => 512,
        };
        let title = r.below(names::TITLES.len() as u64) as usize;
        let dept = r.below(names::DEPARTMENTS.len() as u64) as usize;
        Person {
            index: u,
            n: u + 1,
            domain,
            local: u - self.domains[domain].users.start,
            given,
            sur,
            comma,
            site,
            alt_mail,
            target,
            uac,
            title,
            dept,
        }
    }

    /// The container DN of a leaf OU (`Users`, `Groups`, `Contacts`) at a site.
    pub fn leaf_ou(&self, domain: usize, site: usize, leaf: &str) -> String {
        let (r, c, _) = names::SITES[site % names::SITES.len()];
        format!(
            "OU={leaf},OU={c},OU={r},OU=Corp,{}",
            self.domains[domain].base
        )
    }

    /// cn of a user.
    pub fn user_cn(&self, p: &Person) -> String {
        if p.comma {
            format!("{}, {} {}", p.sur.0, p.given.0, p.n)
        } else {
            format!("{} {} {}", p.given.0, p.sur.0, p.n)
        }
    }

    /// DN of a user.
    pub fn user_dn(&self, p: &Person) -> String {
        format!(
            "CN={},{}",
            dn_escape(&self.user_cn(p)),
            self.leaf_ou(p.domain, p.site, "Users")
        )
    }

    /// The local part of a user's UPN: `given.surname{n}`.
    pub fn user_local(&self, p: &Person) -> String {
        format!("{}.{}{}", p.given.1, p.sur.1, p.n)
    }

    /// A user's sAMAccountName (= mailNickname): `{g}{surname}{n}`, at most 20.
    pub fn user_sam(&self, p: &Person) -> String {
        let digits = p.n.to_string();
        let room = 20usize
            .saturating_sub(1 + self.user_digits.max(digits.len()))
            .min(10);
        let sur: String = p.sur.1.chars().take(room.max(1)).collect();
        format!("{}{}{}", &p.given.1[..1], sur, digits)
    }

    /// The local part of a user's mail.
    pub fn user_mail_local(&self, p: &Person) -> String {
        if p.alt_mail {
            format!("{}_{}{}", p.given.1, p.sur.1, p.n)
        } else {
            self.user_local(p)
        }
    }

    /// A user's clean checked values.
    pub fn user_checked(&self, p: &Person) -> Checked {
        let d = &self.domains[p.domain];
        let local = self.user_local(p);
        let sam = self.user_sam(p);
        let mail = format!("{}@{}", self.user_mail_local(p), d.mail);
        let upn = format!("{local}@{}", d.mail);
        let mut proxies = vec![format!("SMTP:{mail}")];
        if p.alt_mail {
            proxies.push(format!("smtp:{upn}"));
        }
        proxies.push(format!("smtp:{sam}@{}", self.tenant));
        proxies.push(format!(
            "X500:/o={}/ou=ExchangeAdministrativeGroup/cn=Recipients/cn={:08x}-{sam}",
            d.netbios,
            hash3(self.seed, S_USER + 1000, p.index) as u32
        ));
        proxies.push(format!("SIP:{upn}"));
        Checked {
            given: Some(p.given.0.to_string()),
            display: Some(format!("{} {}", p.given.0, p.sur.0)),
            sam: Some(sam.clone()),
            upn: Some(upn),
            mail: Some(mail),
            proxies,
            nick: Some(sam.clone()),
            target: p.target.then(|| format!("SMTP:{sam}@{}", self.tenant)),
        }
    }

    /// Groups a user is a member of (global group indexes), in group order.
    pub fn user_groups(&self, p: &Person) -> Vec<u64> {
        let d = &self.domains[p.domain];
        let g_count = d.groups.end - d.groups.start;
        let users = d.users.end - d.users.start;
        let big = g_count.min(BIG_GROUP_CAPS.len() as u64);
        let mut v = Vec::new();
        for j in 0..big {
            if p.local < BIG_GROUP_CAPS[j as usize].min(users) {
                v.push(d.groups.start + j);
            }
        }
        if g_count > big {
            v.push(d.groups.start + big + p.local % (g_count - big));
        }
        v
    }

    /// Members of global group `g`: (users' global indexes, nested groups' global indexes).
    pub fn group_members(&self, g: u64) -> (Vec<u64>, Vec<u64>) {
        let Some(d) = self.domains.iter().find(|d| d.groups.contains(&g)) else {
            return (Vec::new(), Vec::new());
        };
        let j = g - d.groups.start;
        let g_count = d.groups.end - d.groups.start;
        let users = d.users.end - d.users.start;
        let big = g_count.min(BIG_GROUP_CAPS.len() as u64);
        let mut us = Vec::new();
        if j < big {
            us.extend((0..BIG_GROUP_CAPS[j as usize].min(users)).map(|l| d.users.start + l));
        } else {
            let stride = g_count - big;
            let mut l = j - big;
            while l < users {
                us.push(d.users.start + l);
                l += stride;
            }
        }
        let nested = if j > big && j % 10 == 9 {
            vec![g - 1]
        } else {
            Vec::new()
        };
        (us, nested)
    }

    /// Groups that list global group `g` as a nested member.
    pub fn group_parents(&self, g: u64) -> Vec<u64> {
        let Some(d) = self.domains.iter().find(|d| d.groups.contains(&g)) else {
            return Vec::new();
        };
        let j = g - d.groups.start;
        let big = (d.groups.end - d.groups.start).min(BIG_GROUP_CAPS.len() as u64);
        let p = j + 1;
        if p > big && p % 10 == 9 && d.groups.start + p < d.groups.end {
            vec![g + 1]
        } else {
            Vec::new()
        }
    }

    /// A group's identity.
    pub fn group(&self, g: u64) -> GroupId {
        let mut r = Rng::for_object(self.seed, S_GROUP, g);
        let domain = self
            .domains
            .iter()
            .position(|d| d.groups.contains(&g))
            .unwrap_or(0);
        let dept = r.below(names::DEPARTMENTS.len() as u64) as usize;
        let kind = r.below(names::GROUP_KINDS.len() as u64) as usize;
        let site = r.below(names::SITES.len() as u64) as usize;
        let local = g - self.domains[domain].groups.start;
        // Big groups are mail-enabled distribution lists; others: 40% distribution, 60%
        // security of which a third mail-enabled.
        let (security, mail) = if local < BIG_GROUP_CAPS.len() as u64 {
            (false, true)
        } else {
            match r.below(10) {
                0..=3 => (false, true),
                4..=5 => (true, true),
                _ => (true, false),
            }
        };
        GroupId {
            index: g,
            n: g + 1,
            domain,
            dept,
            kind,
            site,
            security,
            mail,
        }
    }

    /// cn of a group.
    pub fn group_cn(&self, gi: &GroupId) -> String {
        if gi.domain_local(self) < BIG_GROUP_CAPS.len() as u64 {
            let (_, c, _) = names::SITES[gi.site];
            return format!("All Staff {c} {}", gi.n);
        }
        format!(
            "{} {} {}",
            names::DEPARTMENTS[gi.dept],
            names::GROUP_KINDS[gi.kind],
            gi.n
        )
    }

    /// DN of a group.
    pub fn group_dn(&self, gi: &GroupId) -> String {
        format!(
            "CN={},{}",
            dn_escape(&self.group_cn(gi)),
            self.leaf_ou(gi.domain, gi.site, "Groups")
        )
    }

    /// A group's clean checked values.
    pub fn group_checked(&self, gi: &GroupId) -> Checked {
        let d = &self.domains[gi.domain];
        let slug = names::slug(&self.group_cn(gi).replace(&format!(" {}", gi.n), ""));
        let short: String = slug.chars().take(30).collect();
        let alias = format!("{short}-{}", gi.n);
        let n = gi.n.to_string();
        let room = 20usize.saturating_sub(3 + n.len());
        let sam = format!("g-{n}-{}", &short[..room.min(short.len())]);
        let sam = sam.trim_end_matches('-').to_string();
        let mut c = Checked {
            display: Some(self.group_cn(gi)),
            sam: Some(sam),
            ..Checked::default()
        };
        if gi.mail {
            c.mail = Some(format!("{alias}@{}", d.mail));
            c.proxies = vec![
                format!("SMTP:{alias}@{}", d.mail),
                format!("smtp:{alias}@{}", self.tenant),
            ];
            c.nick = Some(alias);
        }
        c
    }

    /// A contact's identity.
    pub fn contact(&self, ci: u64) -> ContactId {
        let mut r = Rng::for_object(self.seed, S_CONTACT, ci);
        let domain = self
            .domains
            .iter()
            .position(|d| d.contacts.contains(&ci))
            .unwrap_or(0);
        ContactId {
            index: ci,
            n: ci + 1,
            domain,
            given: *r.pick(names::GIVEN),
            sur: *r.pick(names::SURNAMES),
            site: r.below(names::SITES.len() as u64) as usize,
            partner: r.below(names::PARTNER_DOMAINS.len() as u64) as usize,
        }
    }

    /// cn of a contact.
    pub fn contact_cn(&self, c: &ContactId) -> String {
        format!("{} {} (external {})", c.given.0, c.sur.0, c.n)
    }

    /// DN of a contact.
    pub fn contact_dn(&self, c: &ContactId) -> String {
        format!(
            "CN={},{}",
            dn_escape(&self.contact_cn(c)),
            self.leaf_ou(c.domain, c.site, "Contacts")
        )
    }

    /// A contact's clean checked values.
    pub fn contact_checked(&self, c: &ContactId) -> Checked {
        let mail = format!(
            "{}.{}{}@{}",
            c.given.1,
            c.sur.1,
            c.n,
            names::PARTNER_DOMAINS[c.partner]
        );
        Checked {
            given: Some(c.given.0.to_string()),
            display: Some(format!("{} {} (external)", c.given.0, c.sur.0)),
            sam: None,
            upn: None,
            mail: Some(mail.clone()),
            proxies: vec![format!("SMTP:{mail}")],
            nick: Some(format!("ext-{}{}{}", c.given.1, c.sur.1, c.n)),
            target: Some(format!("SMTP:{mail}")),
        }
    }
}

/// A group's identity.
#[derive(Debug, Clone)]
pub struct GroupId {
    /// Global index.
    pub index: u64,
    /// Counter (index + 1).
    pub n: u64,
    /// Domain.
    pub domain: usize,
    /// Department.
    pub dept: usize,
    /// Purpose.
    pub kind: usize,
    /// Site.
    pub site: usize,
    /// Security (else distribution) group.
    pub security: bool,
    /// Mail-enabled.
    pub mail: bool,
}

impl GroupId {
    /// Index within the domain's groups.
    pub fn domain_local(&self, f: &Forest) -> u64 {
        self.index - f.domains[self.domain].groups.start
    }
}

/// A contact's identity.
#[derive(Debug, Clone)]
pub struct ContactId {
    /// Global index.
    pub index: u64,
    /// Counter.
    pub n: u64,
    /// Domain.
    pub domain: usize,
    /// Given name.
    pub given: Name,
    /// Surname.
    pub sur: Name,
    /// Site.
    pub site: usize,
    /// Partner mail domain.
    pub partner: usize,
}

/// `YYYYMMDDHHMMSS.0Z` for seconds since 1970-01-01.
pub fn generalized_time(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}.0Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Text form of a binary objectGUID (first three fields little-endian).
pub fn guid_text(g: &[u8; 16]) -> String {
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]
    )
}

/// Binary objectSid `S-1-5-21-a-b-c[-rid]`.
pub fn sid_binary(dom: &[u32; 3], rid: Option<u32>) -> Vec<u8> {
    let count = if rid.is_some() { 5u8 } else { 4 };
    let mut v = vec![1u8, count, 0, 0, 0, 0, 0, 5];
    v.extend_from_slice(&21u32.to_le_bytes());
    for s in dom {
        v.extend_from_slice(&s.to_le_bytes());
    }
    if let Some(r) = rid {
        v.extend_from_slice(&r.to_le_bytes());
    }
    v
}

/// Text objectSid.
pub fn sid_text(dom: &[u32; 3], rid: Option<u32>) -> String {
    match rid {
        Some(r) => format!("S-1-5-21-{}-{}-{}-{r}", dom[0], dom[1], dom[2]),
        None => format!("S-1-5-21-{}-{}-{}", dom[0], dom[1], dom[2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forest(users: u64) -> Forest {
        Forest::new(
            1,
            Flavor::Ldifde,
            &["contoso.local".into(), "fabrikam.com".into()],
            users,
            20,
            10,
        )
        .unwrap()
    }

    #[test]
    fn layout_and_mail_domains() {
        let f = forest(100);
        assert_eq!(f.domains[0].mail, "contoso.com");
        assert_eq!(f.domains[1].mail, "fabrikam.com");
        assert_eq!(f.domains[0].base, "DC=contoso,DC=local");
        let structs: u64 = f.domains.iter().map(|d| d.structure.len() as u64).sum();
        assert_eq!(f.total, structs + 100 + 20 + 10 + 2 * SYSTEM_PER_DOMAIN);
        assert_eq!(f.segment(0).unwrap().class, Class::Structure);
        assert_eq!(f.user_seq(0), f.domains[0].structure.len() as u64);
    }

    #[test]
    fn sam_fits_and_values_unique() {
        let f = forest(3000);
        let mut seen = std::collections::HashSet::new();
        for u in 0..3000 {
            let p = f.person(u);
            let c = f.user_checked(&p);
            let sam = c.sam.clone().unwrap();
            assert!(sam.len() <= 20 && !sam.contains('.'), "{sam}");
            for (_, _, a, v) in c.values() {
                if let Some(k) = key_of(a, v) {
                    seen.insert((k, u));
                }
            }
        }
        let mut owners = std::collections::HashMap::new();
        for (k, u) in seen {
            let e = owners.entry(k).or_insert(u);
            assert_eq!(*e, u, "clean value shared");
        }
    }

    #[test]
    fn membership_is_consistent() {
        let f = forest(500);
        for u in 0..500 {
            let p = f.person(u);
            for g in f.user_groups(&p) {
                assert!(f.group_members(g).0.contains(&u));
            }
        }
        for g in 0..20 {
            for m in f.group_members(g).1 {
                assert!(f.group_parents(m).contains(&g));
            }
        }
    }

    #[test]
    fn time_and_ids() {
        assert_eq!(generalized_time(0), "19700101000000.0Z");
        assert_eq!(generalized_time(1_700_000_000), "20231114221320.0Z");
        let g = [
            0x0b, 0x81, 0x8f, 0xd0, 0x5c, 0xa3, 0xa8, 0x49, 0xa4, 0xcd, 0xc6, 0x92, 0x3d, 0xfc,
            0x03, 0x1e,
        ];
        assert_eq!(guid_text(&g), "d08f810b-a35c-49a8-a4cd-c6923dfc031e");
        let s = sid_binary(&[1908711140, 209524994, 2501478566], Some(1001));
        assert_eq!(
            s.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "010500000000000515000000e49ec47102197d0ca6881995e9030000"
        );
    }
}
