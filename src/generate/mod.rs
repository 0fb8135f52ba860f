//! `ldifix generate`: synthetic Active Directory forests of any size, in the dialects real
//! exporters write, with planted problems and their ground truth.
//!
//! Contract:
//! - The output bytes depend only on [`Options`] (never on the output path, the clock or
//!   the number of threads): every object is generated from its own SplitMix64 stream
//!   seeded with `(seed, class, index)` ([`rng`]), chunks are generated in parallel and
//!   written in order.
//! - Output is streamed chunk by chunk: memory stays bounded whatever the forest size
//!   (the truth grows with the number of planted problems only).
//! - Clean values are unique by construction and pass every `entra` check; each planted
//!   value triggers exactly the rules its kind lists ([`defects::KINDS`]); duplicates are
//!   reported for every holder. System objects (krbtgt, SystemMailbox{…}, HealthMailbox…,
//!   DiscoverySearchMailbox…, a `\0ACNF:` conflict object) carry no truth: all are out of
//!   the `idfix` profiles' scope, and all but the health mailbox (which Entra Connect syncs:
//!   no default rule leaves it out; its values are clean) out of the `entra` profile's.
//! - The `csvde` flavours write what `csvde -f` (UTF-8, as with the ANSI code page 65001)
//!   and `csvde -u -f` (UTF-16LE with BOM) write ([`emit`]): one header line, the union of
//!   the attributes of the object classes present with `DN` first — fixed in advance from
//!   the classes' attribute lists ([`csv_columns`]), so rows stream like LDIF records — then
//!   one row per object. They hold the same objects and planted problems as `ldifde`, with
//!   csvde's losses: `objectClass` is the most specific class only. csvde cannot escape a
//!   `;` inside one of several values joined with `;`: the generator plants no X.400 proxy
//!   address (in no flavour), and writes a planted proxy address without `type:` prefix
//!   (kind `proxy-prefix`) first among the object's proxyAddresses, so every field splits
//!   back exactly — a CSV reader still cannot tell that split from a continued value and
//!   reports it as a guess (one warning per such row).
//!   csvde's default ANSI encoding (Windows-1252) is not offered: it would turn names such
//!   as 李 or Łukasz and planted invisible characters into `?`, and the truth would no
//!   longer describe the file.
//! - The `import` flavour is plain LDIF `ldbadd` loads into a Samba AD domain: OUs first,
//!   no changetype, no operational or back-link attributes, no system objects, group
//!   members created before their groups, no planted problem Samba refuses.

pub mod defects;
pub mod emit;
pub mod forest;
pub mod names;
pub mod rng;
pub mod truth;

use std::io::Write;

use anyhow::{bail, Result};
use rayon::prelude::*;

use defects::{Roles, Target, KINDS};
use emit::{CsvLayout, Emitter};
use forest::{
    generalized_time, guid_text, rank_of, sid_binary, sid_text, Checked, Class, Forest, StructKind,
};
use rng::Rng;
use truth::{ChunkTruth, DupRec, ProblemRec, RewriteRec, Truth};

/// Output dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    /// `ldifde -f`: CRLF, leading empty line, `changetype: add`, base64, ldifde folding.
    Ldifde,
    /// `ldifde -u -f`: the same as UTF-16LE with BOM.
    LdifdeUnicode,
    /// `ldapsearch -L`/slapcat style: LF, `version: 1`, folded at 76, comments.
    Openldap,
    /// Samba `ldbsearch`: raw UTF-8 DNs, `# record N`, a referral, folded at 78.
    Samba,
    /// Plain LDIF for Samba's `ldbadd` (loads the population into a real domain).
    Import,
    /// `csvde -f`: `DN` + one column per attribute, values joined with `;`, `X'hex'`
    /// binary, CRLF, UTF-8.
    Csvde,
    /// `csvde -u -f`: the same as UTF-16LE with BOM.
    CsvdeUnicode,
}

impl Flavor {
    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Ldifde => "ldifde",
            Flavor::LdifdeUnicode => "ldifde-unicode",
            Flavor::Openldap => "openldap",
            Flavor::Samba => "samba",
            Flavor::Import => "import",
            Flavor::Csvde => "csvde",
            Flavor::CsvdeUnicode => "csvde-unicode",
        }
    }

    /// A csvde (CSV) flavour.
    pub fn is_csv(self) -> bool {
        matches!(self, Flavor::Csvde | Flavor::CsvdeUnicode)
    }

    /// Written as UTF-16LE with BOM.
    pub fn is_utf16(self) -> bool {
        matches!(self, Flavor::LdifdeUnicode | Flavor::CsvdeUnicode)
    }
}

/// Object classes in [`CSV_COLUMNS`] masks.
const C_STRUCT: u8 = 1;
const C_USER: u8 = 2;
const C_GROUP: u8 = 4;
const C_CONTACT: u8 = 8;
const C_SYSTEM: u8 = 16;
const C_ALL: u8 = 31;

/// Every attribute the full flavours write, in csvde column order (first appearance in
/// structure, user, group, contact, system records), with the classes that write it.
/// Checked attributes come in the order every record writes them.
const CSV_COLUMNS: &[(&str, u8)] = &[
    ("objectClass", C_ALL),
    ("dc", C_STRUCT),
    ("cn", C_ALL),
    ("ou", C_STRUCT),
    ("distinguishedName", C_ALL),
    ("instanceType", C_ALL),
    ("whenCreated", C_ALL),
    ("whenChanged", C_ALL),
    ("uSNChanged", C_ALL),
    ("name", C_ALL),
    ("objectGUID", C_ALL),
    ("objectSid", C_STRUCT | C_USER | C_GROUP | C_SYSTEM),
    ("objectCategory", C_ALL),
    ("isCriticalSystemObject", C_STRUCT | C_SYSTEM),
    (
        "dSCorePropagationData",
        C_STRUCT | C_USER | C_GROUP | C_CONTACT,
    ),
    ("sn", C_USER | C_CONTACT),
    ("title", C_USER),
    ("physicalDeliveryOfficeName", C_USER),
    ("telephoneNumber", C_USER),
    ("givenName", C_USER | C_CONTACT),
    ("displayName", C_USER | C_GROUP | C_CONTACT | C_SYSTEM),
    ("uSNCreated", C_USER | C_GROUP | C_CONTACT),
    ("memberOf", C_USER | C_GROUP),
    ("department", C_USER),
    ("company", C_USER | C_CONTACT),
    ("homeMDB", C_USER),
    ("userAccountControl", C_USER | C_SYSTEM),
    ("badPwdCount", C_USER),
    ("lastLogon", C_USER),
    ("pwdLastSet", C_USER),
    ("primaryGroupID", C_USER),
    ("accountExpires", C_USER),
    ("logonCount", C_USER),
    ("sAMAccountName", C_USER | C_GROUP | C_SYSTEM),
    ("sAMAccountType", C_USER | C_GROUP | C_SYSTEM),
    ("userPrincipalName", C_USER | C_SYSTEM),
    ("lastLogonTimestamp", C_USER),
    ("mail", C_USER | C_GROUP | C_CONTACT | C_SYSTEM),
    ("proxyAddresses", C_USER | C_GROUP | C_CONTACT | C_SYSTEM),
    ("mailNickname", C_USER | C_GROUP | C_CONTACT | C_SYSTEM),
    ("targetAddress", C_USER | C_GROUP | C_CONTACT),
    ("msExchRecipientTypeDetails", C_USER | C_SYSTEM),
    ("member", C_GROUP),
    ("description", C_GROUP | C_SYSTEM),
    ("groupType", C_GROUP),
    ("servicePrincipalName", C_SYSTEM),
];

/// The csvde columns of a forest: the union of the attributes of the object classes it
/// holds (csvde's header is the union over the exported objects), in [`CSV_COLUMNS`] order.
pub fn csv_columns(f: &Forest) -> Vec<&'static str> {
    let mut present = 0u8;
    for s in &f.segments {
        present |= match s.class {
            Class::Structure => C_STRUCT,
            Class::User => C_USER,
            Class::Group => C_GROUP,
            Class::Contact => C_CONTACT,
            Class::System => C_SYSTEM,
        };
    }
    CSV_COLUMNS
        .iter()
        .filter(|(_, m)| m & present != 0)
        .map(|(n, _)| *n)
        .collect()
}

/// Everything the output depends on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Options {
    /// Users.
    pub users: u64,
    /// Groups.
    pub groups: u64,
    /// Contacts.
    pub contacts: u64,
    /// AD domains (DNS names).
    pub domains: Vec<String>,
    /// Seed.
    pub seed: u64,
    /// Share of in-scope objects with a planted problem, split evenly over the kinds.
    pub defect_rate: f64,
    /// Per-kind rate overrides: (kind, probability per object).
    pub rates: Vec<(String, f64)>,
    /// Share of users whose UPN keeps the AD realm suffix.
    pub local_upn_share: f64,
    /// Flavour.
    pub flavor: Flavor,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            users: 1000,
            groups: 50,
            contacts: 100,
            domains: vec!["contoso.local".into()],
            seed: 1,
            defect_rate: 0.02,
            rates: Vec::new(),
            local_upn_share: 0.0,
            flavor: Flavor::Ldifde,
        }
    }
}

/// Records per parallel work unit.
const CHUNK: u64 = 512;

/// The prepared generator.
pub struct Generator {
    opts: Options,
    forest: Forest,
    roles: Roles,
    /// The csvde columns (csvde flavours only).
    csv: Option<CsvLayout>,
}

impl Generator {
    /// Validate the options and lay out the forest.
    pub fn new(opts: Options) -> Result<Generator> {
        if !(0.0..=1.0).contains(&opts.defect_rate) {
            bail!("--defect-rate must be between 0 and 1");
        }
        if !(0.0..=1.0).contains(&opts.local_upn_share) {
            bail!("--local-upn-share must be between 0 and 1");
        }
        if opts.flavor == Flavor::Import && opts.domains.len() > 1 {
            bail!("the import flavour loads one Samba domain: give exactly one --domain");
        }
        let forest = Forest::new(
            opts.seed,
            opts.flavor,
            &opts.domains,
            opts.users,
            opts.groups,
            opts.contacts,
        )
        .map_err(anyhow::Error::msg)?;
        let any_local = forest.domains.iter().any(|d| !d.realm_routable);
        if opts.local_upn_share > 0.0 && !any_local {
            bail!("--local-upn-share needs an AD domain with a non-routable name (such as contoso.local)");
        }
        let roles = Roles::new(
            opts.seed,
            opts.flavor,
            forest.domains.len(),
            any_local,
            opts.defect_rate,
            opts.local_upn_share,
            &opts.rates,
        )
        .map_err(anyhow::Error::msg)?;
        let csv = opts
            .flavor
            .is_csv()
            .then(|| CsvLayout::new(csv_columns(&forest)));
        Ok(Generator {
            opts,
            forest,
            roles,
            csv,
        })
    }

    /// Number of records the output will hold.
    pub fn total_records(&self) -> u64 {
        self.forest.total
    }

    /// Write the forest to `out`; `progress` is called with the number of records written
    /// so far. Returns the ground truth.
    pub fn write(&self, out: &mut (dyn Write + Send), progress: &dyn Fn(u64)) -> Result<Truth> {
        let f = &self.forest;
        let mut head = Vec::new();
        {
            let mut e = Emitter::new(&mut head, f.flavor);
            let base0 = f.domains[0].base.clone();
            match f.flavor {
                Flavor::Ldifde | Flavor::LdifdeUnicode => {
                    let eol = e.eol();
                    e.raw(eol);
                }
                Flavor::Openldap => e.raw(
                    format!(
                        "version: 1\n\n#\n# LDAPv3\n# base <{base0}> with scope subtree\n# filter: (objectclass=*)\n# requesting: ALL\n#\n\n"
                    )
                    .as_bytes(),
                ),
                Flavor::Csvde | Flavor::CsvdeUnicode => {
                    if let Some(l) = &self.csv {
                        l.header(&mut head);
                    }
                }
                Flavor::Samba | Flavor::Import => {}
            }
        }
        self.put(out, &head, true)?;
        let threads = rayon::current_num_threads().max(1) as u64;
        let batch = CHUNK * threads * 4;
        let mut acc = ChunkTruth::default();
        // Generation (rayon) and writing (one thread) overlap: batch N+1 is generated
        // while batch N is written.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(2);
        let sink: &mut (dyn Write + Send) = &mut *out;
        let written = std::thread::scope(|scope| -> Result<()> {
            let writer = scope.spawn(move || -> Result<()> {
                for parts in rx {
                    for bytes in parts {
                        self.put(sink, &bytes, false)?;
                    }
                }
                Ok(())
            });
            let mut seq = 0u64;
            while seq < f.total {
                let end = (seq + batch).min(f.total);
                let ranges: Vec<(u64, u64)> = (seq..end)
                    .step_by(CHUNK as usize)
                    .map(|a| (a, (a + CHUNK).min(end)))
                    .collect();
                let parts: Vec<(Vec<u8>, ChunkTruth)> = ranges
                    .par_iter()
                    .map(|&(a, b)| self.chunk(a, b))
                    .collect::<Result<_>>()?;
                let mut bytes = Vec::with_capacity(parts.len());
                for (b, t) in parts {
                    bytes.push(b);
                    acc.merge(t);
                }
                if tx.send(bytes).is_err() {
                    break; // the writer failed; its error is reported below
                }
                seq = end;
                progress(seq);
            }
            drop(tx);
            writer
                .join()
                .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?
        });
        written?;
        let mut tail = Vec::new();
        let n = f.total;
        match f.flavor {
            Flavor::Openldap => tail.extend_from_slice(
                format!(
                    "# search result\n\n# numResponses: {}\n# numEntries: {n}\n",
                    n + 1
                )
                .as_bytes(),
            ),
            Flavor::Samba => {
                let d = &f.domains[0];
                tail.extend_from_slice(
                    format!(
                        "# Referral\nref: ldap://{}/CN=Configuration,{}\n\n# returned {} records\n# {n} entries\n# 1 referrals\n",
                        d.ad,
                        d.base,
                        n + 1
                    )
                    .as_bytes(),
                );
            }
            _ => {}
        }
        self.put(out, &tail, false)?;
        Ok(truth::build(&self.opts, f, acc))
    }

    /// Write `bytes` to `out`, returning its errors unchanged: an output file's name the
    /// file ([`crate::output::AtomicFile`]).
    fn put(&self, out: &mut (dyn Write + Send), bytes: &[u8], first: bool) -> Result<()> {
        if self.forest.flavor.is_utf16() {
            let mut u = Vec::with_capacity(bytes.len() * 2 + 2);
            if first {
                u.extend_from_slice(&[0xFF, 0xFE]);
            }
            emit::to_utf16le(bytes, &mut u);
            out.write_all(&u)?;
        } else {
            out.write_all(bytes)?;
        }
        Ok(())
    }

    fn chunk(&self, a: u64, b: u64) -> Result<(Vec<u8>, ChunkTruth)> {
        let mut buf = Vec::with_capacity(((b - a) * 1600) as usize);
        let mut t = ChunkTruth::default();
        {
            let mut e = match &self.csv {
                Some(l) => Emitter::csv(&mut buf, self.forest.flavor, l),
                None => Emitter::new(&mut buf, self.forest.flavor),
            };
            for seq in a..b {
                self.record(seq, &mut e, &mut t);
            }
            if let Some(name) = e.unknown_column() {
                bail!("internal error: attribute {name} has no csvde column");
            }
        }
        Ok((buf, t))
    }

    fn record(&self, seq: u64, e: &mut Emitter, t: &mut ChunkTruth) {
        let f = &self.forest;
        let Some(seg) = f.segment(seq) else { return };
        let idx = seg.first + (seq - seg.seq);
        let number = seq + 1;
        match seg.class {
            Class::Structure => self.structure(seg.domain, (seq - seg.seq) as usize, number, e),
            Class::User => self.user(idx, seq, number, e, t),
            Class::Group => self.group(idx, seq, number, e, t),
            Class::Contact => self.contact(idx, seq, number, e, t),
            Class::System => self.system(seg.domain, seq - seg.seq, seq, number, e),
        }
    }

    fn full(&self) -> bool {
        self.forest.flavor != Flavor::Import
    }

    fn guid_attr(&self, e: &mut Emitter, g: &[u8; 16]) {
        if self.forest.flavor == Flavor::Samba {
            e.text("objectGUID", &guid_text(g));
        } else {
            e.binary("objectGUID", g);
        }
    }

    fn sid_attr(&self, e: &mut Emitter, domain: usize, rid: Option<u32>) {
        let s = &self.forest.domains[domain].sid;
        if self.forest.flavor == Flavor::Samba {
            e.text("objectSid", &sid_text(s, rid));
        } else {
            e.binary("objectSid", &sid_binary(s, rid));
        }
    }

    /// The object's random stream for operational values, after its whenCreated and
    /// whenChanged (Unix seconds, 2015 to early 2024) are drawn from it.
    fn when_created(&self, seq: u64) -> (Rng, u64, u64) {
        let mut r = Rng::for_object(self.forest.seed, forest::S_OPER, seq);
        let created = 1_420_070_400 + r.below(9 * 365 * 86_400);
        let changed = created + r.below(200 * 86_400);
        (r, created, changed)
    }

    /// A user's pwdLastSet, lastLogon and lastLogonTimestamp ([`logon_times`]) from its
    /// own stream.
    fn logon_times(&self, seq: u64) -> (i64, i64, i64) {
        let (_, created, _) = self.when_created(seq);
        logon_times(
            created,
            &mut Rng::for_object(self.forest.seed, forest::S_LOGON, seq),
        )
    }

    /// Common operational head: distinguishedName, instanceType, whenCreated/Changed,
    /// uSNCreated. Returns (guid, uSNChanged, rng).
    fn oper_head(&self, e: &mut Emitter, dn: &str, seq: u64) -> ([u8; 16], i64, Rng) {
        let (mut r, created, changed) = self.when_created(seq);
        e.text("distinguishedName", dn);
        e.num("instanceType", 4);
        e.text("whenCreated", &generalized_time(created));
        e.text("whenChanged", &generalized_time(changed));
        let mut g = [0u8; 16];
        r.fill(&mut g);
        g[7] = (g[7] & 0x0F) | 0x40;
        g[8] = (g[8] & 0x3F) | 0x80;
        let usn = 12_000 + seq as i64 * 3;
        let usn_changed = usn + 1 + r.below(5000) as i64;
        (g, usn_changed, r)
    }

    fn schema(&self, class: &str) -> String {
        format!(
            "CN={class},CN=Schema,CN=Configuration,{}",
            self.forest.domains[0].base
        )
    }

    fn org(&self, domain: usize) -> String {
        let n = &self.forest.domains[domain].netbios;
        let mut s = n[..1].to_string();
        s.push_str(&n[1..].to_ascii_lowercase());
        s
    }

    fn structure(&self, d: usize, i: usize, number: u64, e: &mut Emitter) {
        let dom = &self.forest.domains[d];
        let Some((dn, kind)) = dom.structure.get(i) else {
            return;
        };
        let name = forest_rdn_value(dn);
        e.start(dn, number);
        match kind {
            StructKind::Root => {
                for c in ["top", "domain", "domainDNS"] {
                    e.text("objectClass", c);
                }
                e.text("dc", &name);
            }
            StructKind::Container => {
                e.text("objectClass", "top");
                e.text("objectClass", "container");
                e.text("cn", &name);
            }
            StructKind::Ou => {
                e.text("objectClass", "top");
                e.text("objectClass", "organizationalUnit");
                e.text("ou", &name);
            }
        }
        if self.full() {
            let (g, usn, _) = self.oper_head(e, dn, number - 1);
            e.num("uSNChanged", usn);
            e.text("name", &name);
            self.guid_attr(e, &g);
            match kind {
                StructKind::Root => {
                    self.sid_attr(e, d, None);
                    e.text("objectCategory", &self.schema("Domain-DNS"));
                    e.text("isCriticalSystemObject", "TRUE");
                }
                StructKind::Container => {
                    e.text("objectCategory", &self.schema("Container"));
                    if i == 1 {
                        e.text("isCriticalSystemObject", "TRUE");
                    }
                }
                StructKind::Ou => e.text("objectCategory", &self.schema("Organizational-Unit")),
            }
            e.text("dSCorePropagationData", "16010101000000.0Z");
        }
        e.end();
    }

    /// Emit the checked values in record order around `between`, recording truth.
    fn plant_truth(
        &self,
        t: &mut ChunkTruth,
        seq: u64,
        dn: &str,
        c: &Checked,
        o: &defects::Outcome,
    ) {
        if let Some(k) = o.unplaced {
            t.unplaced[k] += 1;
        }
        let Some(k) = o.kind else { return };
        t.planted[k] += 1;
        let locate = |attr: &str, value: &str| -> (u32, u32) {
            c.values()
                .iter()
                .find(|(_, _, a, v)| *a == attr && *v == value)
                .map(|(r, i, _, _)| (*r, *i))
                .unwrap_or((rank_of(attr), u32::MAX))
        };
        for p in &o.planted {
            let (rank, vidx) = locate(p.attribute, &p.value);
            for rule in p.rules {
                t.problems.push(ProblemRec {
                    seq,
                    rank,
                    vidx,
                    dn: dn.to_string(),
                    attribute: p.attribute,
                    value: p.value.clone(),
                    rule,
                    kind: k,
                });
            }
        }
        for d in &o.dups {
            let (rank, vidx) = locate(d.attribute, &d.value);
            t.dups.push(DupRec {
                seq,
                rank,
                vidx,
                dn: dn.to_string(),
                attribute: d.attribute,
                value: d.value.clone(),
                partner: d.partner,
                kind: k,
            });
        }
        for r in &o.rewrites {
            t.rewrites.push(RewriteRec {
                seq,
                dn: dn.to_string(),
                upn: r.upn.clone(),
                partner: r.partner,
                attribute: r.attribute,
                value: r.value.clone(),
            });
        }
    }

    fn user(&self, u: u64, seq: u64, number: u64, e: &mut Emitter, t: &mut ChunkTruth) {
        let f = &self.forest;
        let p = f.person(u);
        let d = p.domain;
        let dn = f.user_dn(&p);
        let cn = f.user_cn(&p);
        let mut c = f.user_checked(&p);
        let o = defects::apply(
            f,
            &self.roles,
            &Target {
                class: Class::User,
                index: u,
                domain: d,
                person: Some(&p),
            },
            &mut c,
        );
        self.plant_truth(t, seq, &dn, &c, &o);
        let full = self.full();
        let (_, city, phone) = names::SITES[p.site];
        e.start(&dn, number);
        for oc in ["top", "person", "organizationalPerson", "user"] {
            e.text("objectClass", oc);
        }
        e.text("cn", &cn);
        e.text("sn", p.sur.0);
        e.text("title", names::TITLES[p.title]);
        e.text("physicalDeliveryOfficeName", city);
        e.text(
            "telephoneNumber",
            &format!("{phone} {:04}", (p.n * 7919) % 10_000),
        );
        opt(e, "givenName", &c.given);
        let mut oper = None;
        if full {
            oper = Some(self.oper_head(e, &dn, seq));
        }
        opt(e, "displayName", &c.display);
        if let Some((g, usn, r)) = &mut oper {
            e.num("uSNCreated", 12_000 + seq as i64 * 3);
            for gi in f.user_groups(&p) {
                e.text("memberOf", &f.group_dn(&f.group(gi)));
            }
            e.num("uSNChanged", *usn);
            e.text("department", names::DEPARTMENTS[p.dept]);
            e.text("company", &self.org(d));
            if !p.target {
                e.text(
                    "homeMDB",
                    &format!(
                        "CN=Mailbox Database {:02},CN=Databases,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN={},CN=Microsoft Exchange,CN=Services,CN=Configuration,{}",
                        1 + p.site,
                        self.org(0),
                        f.domains[0].base
                    ),
                );
            }
            e.text("name", &cn);
            self.guid_attr(e, g);
            e.num("userAccountControl", p.uac);
            e.num("badPwdCount", 0);
            let (pwd, logon, _) = self.logon_times(seq);
            e.num("lastLogon", logon);
            e.num("pwdLastSet", pwd);
            e.num("primaryGroupID", 513);
            self.sid_attr(e, d, Some(1100 + u as u32));
            e.num("accountExpires", 9_223_372_036_854_775_807);
            e.num("logonCount", r.below(900) as i64);
        } else {
            e.text("department", names::DEPARTMENTS[p.dept]);
            e.text("company", &self.org(d));
            e.num("userAccountControl", p.uac);
        }
        opt(e, "sAMAccountName", &c.sam);
        if full {
            e.num("sAMAccountType", 805_306_368);
        }
        opt(e, "userPrincipalName", &c.upn);
        if oper.is_some() {
            e.text("objectCategory", &self.schema("Person"));
            e.text("dSCorePropagationData", "16010101000000.0Z");
            e.num("lastLogonTimestamp", self.logon_times(seq).2);
        }
        self.mail_attrs(e, &c);
        if full {
            e.num(
                "msExchRecipientTypeDetails",
                if p.target { 2_147_483_648 } else { 1 },
            );
        }
        e.end();
    }

    fn mail_attrs(&self, e: &mut Emitter, c: &Checked) {
        opt(e, "mail", &c.mail);
        if self.forest.flavor.is_csv() {
            // csvde joins the values with `;`: a value without a `type:` prefix after
            // another could be read as the rest of it (as for an X.400 address), so it is
            // written first (AD does not order the values of an attribute).
            for px in c.proxies.iter().filter(|p| !proxy_typed(p)) {
                e.text("proxyAddresses", px);
            }
            for px in c.proxies.iter().filter(|p| proxy_typed(p)) {
                e.text("proxyAddresses", px);
            }
        } else {
            for px in &c.proxies {
                e.text("proxyAddresses", px);
            }
        }
        opt(e, "mailNickname", &c.nick);
        opt(e, "targetAddress", &c.target);
    }

    fn group(&self, g: u64, seq: u64, number: u64, e: &mut Emitter, t: &mut ChunkTruth) {
        let f = &self.forest;
        let gi = f.group(g);
        let dn = f.group_dn(&gi);
        let cn = f.group_cn(&gi);
        let mut c = f.group_checked(&gi);
        let o = if gi.mail {
            defects::apply(
                f,
                &self.roles,
                &Target {
                    class: Class::Group,
                    index: g,
                    domain: gi.domain,
                    person: None,
                },
                &mut c,
            )
        } else {
            defects::Outcome::default()
        };
        self.plant_truth(t, seq, &dn, &c, &o);
        let full = self.full();
        e.start(&dn, number);
        e.text("objectClass", "top");
        e.text("objectClass", "group");
        e.text("cn", &cn);
        let (users, nested) = f.group_members(g);
        for u in users {
            e.text("member", &f.user_dn(&f.person(u)));
        }
        for n in nested {
            e.text("member", &f.group_dn(&f.group(n)));
        }
        e.text(
            "description",
            &format!(
                "{} group of {}",
                names::GROUP_KINDS[gi.kind],
                names::DEPARTMENTS[gi.dept]
            ),
        );
        let oper = full.then(|| self.oper_head(e, &dn, seq));
        opt(e, "displayName", &c.display);
        if let Some((guid, usn, _)) = &oper {
            e.num("uSNCreated", 12_000 + seq as i64 * 3);
            for pg in f.group_parents(g) {
                e.text("memberOf", &f.group_dn(&f.group(pg)));
            }
            e.num("uSNChanged", *usn);
            e.text("name", &cn);
            self.guid_attr(e, guid);
            self.sid_attr(e, gi.domain, Some(1100 + (self.opts.users + g) as u32));
        }
        opt(e, "sAMAccountName", &c.sam);
        if full {
            e.num(
                "sAMAccountType",
                if gi.security {
                    268_435_456
                } else {
                    268_435_457
                },
            );
        }
        e.num("groupType", if gi.security { -2_147_483_646 } else { 8 });
        if full {
            e.text("objectCategory", &self.schema("Group"));
            e.text("dSCorePropagationData", "16010101000000.0Z");
        }
        self.mail_attrs(e, &c);
        e.end();
    }

    fn contact(&self, ci: u64, seq: u64, number: u64, e: &mut Emitter, t: &mut ChunkTruth) {
        let f = &self.forest;
        let k = f.contact(ci);
        let dn = f.contact_dn(&k);
        let cn = f.contact_cn(&k);
        let mut c = f.contact_checked(&k);
        let o = defects::apply(
            f,
            &self.roles,
            &Target {
                class: Class::Contact,
                index: ci,
                domain: k.domain,
                person: None,
            },
            &mut c,
        );
        self.plant_truth(t, seq, &dn, &c, &o);
        let full = self.full();
        e.start(&dn, number);
        for oc in ["top", "person", "organizationalPerson", "contact"] {
            e.text("objectClass", oc);
        }
        e.text("cn", &cn);
        e.text("sn", k.sur.0);
        opt(e, "givenName", &c.given);
        let oper = full.then(|| self.oper_head(e, &dn, seq));
        opt(e, "displayName", &c.display);
        let partner = names::PARTNER_DOMAINS[k.partner];
        let company = partner.split(['.', '-']).next().unwrap_or(partner);
        if let Some((guid, usn, _)) = &oper {
            e.num("uSNCreated", 12_000 + seq as i64 * 3);
            e.num("uSNChanged", *usn);
            e.text("company", company);
            e.text("name", &cn);
            self.guid_attr(e, guid);
            e.text("objectCategory", &self.schema("Person"));
            e.text("dSCorePropagationData", "16010101000000.0Z");
        } else {
            e.text("company", company);
        }
        self.mail_attrs(e, &c);
        e.end();
    }

    fn system(&self, d: usize, i: u64, seq: u64, number: u64, e: &mut Emitter) {
        let f = &self.forest;
        let dom = &f.domains[d];
        let mut r = Rng::for_object(f.seed, forest::S_SYSTEM, seq);
        let hex = format!("{:016x}{:016x}", r.next_u64(), r.next_u64());
        let mut gb = [0u8; 16];
        r.fill(&mut gb);
        let guid = guid_text(&gb);
        let users = format!("CN=Users,{}", dom.base);
        let (cn, dn, sam, mailbox, rtd): (String, String, String, Option<String>, i64) = match i {
            0 => (
                "krbtgt".into(),
                format!("CN=krbtgt,{users}"),
                "krbtgt".into(),
                None,
                0,
            ),
            1 => {
                let cn = format!("SystemMailbox{{{guid}}}");
                (
                    cn.clone(),
                    format!("CN={cn},{users}"),
                    format!("SM_{}", &hex[..17]),
                    Some(cn),
                    8_388_608,
                )
            }
            2 => {
                let cn = format!("HealthMailbox{}", &hex[..32]);
                (
                    cn.clone(),
                    format!(
                        "CN={cn},CN=Monitoring Mailboxes,CN=Microsoft Exchange System Objects,{}",
                        dom.base
                    ),
                    format!("HealthMailbox{}", &hex[..7]),
                    Some(cn),
                    549_755_813_888,
                )
            }
            3 => {
                let tag = "{D919BA05-46A6-415f-80AD-7E09334BB852}";
                let cn = format!("DiscoverySearchMailbox {tag}");
                (
                    cn.clone(),
                    format!("CN={cn},{users}"),
                    format!("SM_{}", &hex[..17]),
                    Some(format!("DiscoverySearchMailbox{tag}")),
                    536_870_912,
                )
            }
            _ => {
                let cn = format!("Conflict User {}\nCNF:{guid}", d + 1);
                (
                    cn,
                    format!(
                        "CN=Conflict User {}\\0ACNF:{guid},{}",
                        d + 1,
                        f.leaf_ou(d, 0, "Users")
                    ),
                    format!("$DUPLICATE-{}", &hex[..4]),
                    Some(format!("conflict.user.{}", &hex[..12])),
                    0,
                )
            }
        };
        e.start(&dn, number);
        for oc in ["top", "person", "organizationalPerson", "user"] {
            e.text("objectClass", oc);
        }
        e.text("cn", &cn);
        let (g, usn, _) = self.oper_head(e, &dn, seq);
        if i == 0 {
            e.text("description", "Key Distribution Center Service Account");
        } else {
            e.text(
                "displayName",
                if i == 4 {
                    "Conflict User"
                } else {
                    "Microsoft Exchange"
                },
            );
        }
        e.num("uSNChanged", usn);
        e.text("name", &cn);
        self.guid_attr(e, &g);
        e.num("userAccountControl", 514);
        self.sid_attr(e, d, Some(if i == 0 { 502 } else { 900 + i as u32 }));
        e.text("sAMAccountName", &sam);
        e.num("sAMAccountType", 805_306_368);
        if let Some(m) = &mailbox {
            let addr = format!("{m}@{}", dom.mail);
            e.text("userPrincipalName", &addr);
        }
        e.text("objectCategory", &self.schema("Person"));
        if i == 0 {
            e.text("isCriticalSystemObject", "TRUE");
            e.text("servicePrincipalName", "kadmin/changepw");
        }
        if let Some(m) = &mailbox {
            let addr = format!("{m}@{}", dom.mail);
            e.text("mail", &addr);
            e.text("proxyAddresses", &format!("SMTP:{addr}"));
            e.text("mailNickname", m);
            if rtd != 0 {
                e.num("msExchRecipientTypeDetails", rtd);
            }
        }
        e.end();
    }
}

/// A proxy address that starts with `type:` (1 to 16 letters, digits or `-`), as CSV
/// readers recognise the start of a value in a `;`-joined field.
fn proxy_typed(v: &str) -> bool {
    v.find(':').is_some_and(|i| {
        (1..=16).contains(&i)
            && v[..i]
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-')
    })
}

fn opt(e: &mut Emitter, name: &str, v: &Option<String>) {
    if let Some(v) = v {
        e.text(name, v);
    }
}

/// The value of a DN's first RDN, unescaped.
fn forest_rdn_value(dn: &str) -> String {
    crate::model::first_rdn_value(dn)
}

/// The `--list-kinds` text.
pub fn list_kinds() -> String {
    let mut s = String::from("KIND                      CLASSES    IMPORT  RULES\n");
    for k in KINDS {
        let mut classes = Vec::new();
        if k.classes & defects::USER != 0 {
            classes.push("user");
        }
        if k.classes & defects::GROUP != 0 {
            classes.push("group");
        }
        if k.classes & defects::CONTACT != 0 {
            classes.push("contact");
        }
        let rules = if k.rules.is_empty() {
            "address-duplicate / proxy-duplicate / nick-duplicate".to_string()
        } else {
            k.rules.join(", ")
        };
        s.push_str(&format!(
            "{:<25} {:<10} {:<7} {}\n    {}\n",
            k.name,
            classes.iter().map(|c| &c[..1]).collect::<Vec<_>>().join(""),
            if k.import_ok { "yes" } else { "no" },
            rules,
            k.about
        ));
    }
    s
}

/// When the export was taken, as the generator pretends (2025-01-01, Unix seconds): no
/// logon or password change is later.
const EXPORTED_AT: u64 = 1_735_689_600;

/// pwdLastSet, lastLogon and lastLogonTimestamp (FILETIME: 100 ns since 1601) of a user
/// created at `created` (Unix seconds): the password set after creation, the last logon
/// after that, the replicated timestamp up to 14 days behind it (AD updates it lazily)
/// but not before creation; none after the export.
fn logon_times(created: u64, r: &mut Rng) -> (i64, i64, i64) {
    let pwd = created + r.below(EXPORTED_AT.saturating_sub(created).max(1));
    let logon = pwd + r.below(EXPORTED_AT.saturating_sub(pwd).max(1));
    let stamp = logon.saturating_sub(r.below(14 * 86_400)).max(created);
    let mut ft = |unix: u64| ((unix + 11_644_473_600) * 10_000_000 + r.below(10_000_000)) as i64;
    (ft(pwd), ft(logon), ft(stamp))
}
