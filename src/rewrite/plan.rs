//! The planner: proposed changes in, a collision-safe [`Plan`] out. Pure: it reads
//! entries, never files.
//!
//! Two steps. [`plan_fix`] (or `csvin` for `apply-csv`) turns options into
//! [`Proposal`]s; [`resolve`] folds the proposals of each (object, attribute) into one
//! change, then refuses every change the directory or Entra ID would reject:
//! - a new UPN, `mail` or SMTP proxy address equal (trimmed, case-insensitive) to an
//!   existing UPN, `mail` or SMTP proxy address of another object in any input, or to a
//!   new value planned for another object (refused with both DNs); a change refused on
//!   its own (a value another object holds, the Entra rules, a stale or empty value)
//!   writes nothing, so it does not refuse another change writing the same value;
//! - a new UPN that is not ASCII or that fails the `entra` profile's rules;
//! - a change to a value that is not in the export (stale edit), to an attribute holding
//!   several values where one is expected, or to `cn` (the RDN: a rename, not a modify).

use std::borrow::{Borrow, Cow};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

use ahash::{AHashMap, AHashSet};
use rayon::prelude::*;

use crate::model::{Attr, Entry, FileId};
use crate::rules::{Action, ErrorName, Finding};

use super::unique_key;
use crate::index::Namespace;

/// What produced a change (counted per kind in summaries and reports).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// `--upn-suffix OLD=NEW`.
    UpnSuffix,
    /// `--upn-from-mail`.
    UpnFromMail,
    /// `--accept`: scan's proposed value for a finding of this rule id.
    Accepted(String),
    /// apply-csv: an EDIT row.
    CsvEdit,
    /// apply-csv: a REMOVE row.
    CsvRemove,
    /// apply-csv: an UNDO row (edited CSV or IdFix update file).
    CsvUndo,
    /// apply-csv: a row whose ACTION applies nothing (COMPLETE, FAIL) or is unknown.
    CsvRow,
}

impl ChangeKind {
    /// The kind as reported: `upn-suffix`, `upn-from-mail`, `accept:<rule>`, `csv-edit`,
    /// `csv-remove`, `csv-undo`, `csv-row`.
    pub fn name(&self) -> String {
        match self {
            ChangeKind::UpnSuffix => "upn-suffix".into(),
            ChangeKind::UpnFromMail => "upn-from-mail".into(),
            ChangeKind::Accepted(r) => format!("accept:{r}"),
            ChangeKind::CsvEdit => "csv-edit".into(),
            ChangeKind::CsvRemove => "csv-remove".into(),
            ChangeKind::CsvUndo => "csv-undo".into(),
            ChangeKind::CsvRow => "csv-row".into(),
        }
    }
}

/// One proposed operation on one attribute of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Set a single-valued attribute (`None`: remove it).
    Set(Option<Vec<u8>>),
    /// Replace one value of a multi-valued attribute (`new: None`: remove that value).
    ReplaceValue {
        /// The value as in the export, byte for byte.
        old: Vec<u8>,
        /// Its replacement.
        new: Option<Vec<u8>>,
    },
    /// Add a value to a multi-valued attribute.
    AddValue(Vec<u8>),
}

/// A proposed change, before the safety checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Index of the entry in the slice given to [`resolve`].
    pub entry: usize,
    /// The attribute.
    pub attr: Attr,
    /// What to do.
    pub op: Op,
    /// Why.
    pub kind: ChangeKind,
    /// Check a new UPN against the `entra` rules (off for undo rows, which restore what
    /// was there).
    pub check_upn: bool,
    /// apply-csv: the row it came from (file, line), which a refusal names instead of the
    /// object's record, so the admin finds the row to correct.
    pub row: Option<(FileId, u64)>,
}

/// One planned change of one attribute.
///
/// Single-valued attributes: one `AttrChange` per attribute, `old` = every value in the
/// export (normally 0 or 1), `new` = the final value (none: remove the attribute).
/// Multi-valued attributes (`proxyAddresses`): one `AttrChange` per value operation,
/// `old` = the value removed (or none), `new` = the value added (or none).
///
/// Values of the export are borrowed from the entries the plan was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrChange<'e> {
    /// The attribute.
    pub attr: Attr,
    /// Every value of the attribute in the export, in order, byte for byte (what the undo
    /// file restores).
    pub before: Vec<Cow<'e, [u8]>>,
    /// Values removed.
    pub old: Vec<Cow<'e, [u8]>>,
    /// Values written.
    pub new: Vec<Vec<u8>>,
    /// What produced the change (the last step when several composed).
    pub kind: ChangeKind,
}

impl AttrChange<'_> {
    /// True for an attribute changed value by value.
    pub fn is_multi(&self) -> bool {
        is_multi(self.attr)
    }
}

/// All planned changes of one object: one `changetype: modify` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectChange<'e> {
    /// The DN exactly as exported.
    pub dn_raw: Cow<'e, [u8]>,
    /// The DN as text (for reports).
    pub dn: Cow<'e, str>,
    /// Input file.
    pub file: FileId,
    /// Line of the record's `dn:` line in that file.
    pub line: u64,
    /// The changes, in attribute order.
    pub mods: Vec<AttrChange<'e>>,
}

/// A change that was not planned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Input file.
    pub file: FileId,
    /// Line of the record's `dn:` line.
    pub line: u64,
    /// The object's DN.
    pub dn: String,
    /// The attribute name as reported (as written in the CSV row when it is not an
    /// attribute ldifix knows).
    pub attribute: String,
    /// The current value(s), `; `-joined.
    pub old: String,
    /// The proposed value (empty for a removal).
    pub proposed: String,
    /// Why it was refused.
    pub reason: String,
    /// The other objects involved in a collision.
    pub conflicting_dns: Vec<String>,
    /// What proposed it.
    pub kind: ChangeKind,
}

/// The outcome of planning (borrowing the export's values and DNs from the entries it
/// was made from).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan<'e> {
    /// Objects to change, in input order.
    pub changes: Vec<ObjectChange<'e>>,
    /// Proposed changes that were refused.
    pub refused: Vec<Refusal>,
    /// Users `--upn-from-mail` left alone because their primary SMTP domain is not verified.
    pub unverified_mail: usize,
    /// Users `--upn-from-mail` could not give their primary address (ambiguous, not a
    /// valid UPN, in an unverified domain) whose UPN the `--upn-suffix` rewrite changed
    /// instead.
    pub suffix_fallback: usize,
    /// Records repeating the DN of an earlier record (an object exported twice), which
    /// are planned as that earlier record's object.
    pub repeated: usize,
    /// The first such record and the earlier record it repeats (entry indices).
    pub first_repeat: Option<(usize, usize)>,
}

impl Plan<'_> {
    /// Number of attribute changes.
    pub fn change_count(&self) -> usize {
        self.changes.iter().map(|c| c.mods.len()).sum()
    }

    /// Attribute changes per kind name.
    pub fn counts_by_kind(&self) -> BTreeMap<String, usize> {
        // Counted by kind first (a name is built per kind, not per change).
        let mut by_kind: BTreeMap<&ChangeKind, usize> = BTreeMap::new();
        for c in &self.changes {
            for a in &c.mods {
                *by_kind.entry(&a.kind).or_insert(0) += 1;
            }
        }
        let mut m = BTreeMap::new();
        for (k, n) in by_kind {
            *m.entry(k.name()).or_insert(0) += n;
        }
        m
    }

    /// Refusals per reason class (the reason text up to the first `:`).
    pub fn refusals_by_reason(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for r in &self.refused {
            let class = r.reason.split(':').next().unwrap_or(&r.reason).to_string();
            *m.entry(class).or_insert(0) += 1;
        }
        m
    }
}

/// What the planner needs from the rules: scope, findings and the UPN check.
pub trait Checks: Sync {
    /// Whether the entry is in scope of the profile (only those are changed).
    fn in_scope(&self, entry: &Entry<'_>) -> bool;
    /// The skip id ([`crate::rules::scope::SKIP_IDS`]) of a person or group the profile
    /// leaves out, if it does (`None` also for entries that are no person or group).
    fn skipped_by(&self, _entry: &Entry<'_>) -> Option<&'static str> {
        None
    }
    /// The profile's findings for the entry (for `--accept`).
    fn findings(&self, entry: &Entry<'_>) -> Vec<Finding>;
    /// Why `upn` would be rejected as the UPN of `entry`, or `None` when it passes.
    fn upn_problem(&self, entry: &Entry<'_>, upn: &str) -> Option<String>;
    /// Why `value` would be rejected as a value of `attr` (mail, alias, proxy or target
    /// address) of `entry`, judged alone, or `None` when it passes (or is not judged).
    fn value_problem(&self, _entry: &Entry<'_>, _attr: Attr, _value: &str) -> Option<String> {
        None
    }
}

/// `--upn-suffix OLD=NEW`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuffixRewrite {
    /// The suffix to replace (matched case-insensitively).
    pub old: String,
    /// Its replacement, written as given.
    pub new: String,
}

impl SuffixRewrite {
    /// The first two mappings of one OLD suffix (compared case-insensitively, as UPNs
    /// are matched) to different NEW suffixes, in the order given; a mapping repeated
    /// as is is no ambiguity.
    pub fn ambiguous(rules: &[SuffixRewrite]) -> Option<(&SuffixRewrite, &SuffixRewrite)> {
        rules.iter().enumerate().find_map(|(k, b)| {
            rules[..k]
                .iter()
                .find(|a| a.old.eq_ignore_ascii_case(&b.old) && a.new != b.new)
                .map(|a| (a, b))
        })
    }

    /// Two mappings chained (`a=b` and `b=c`): a run applies one step only, so the UPNs
    /// it writes under `b` are rewritten again by the next run. The first such pair.
    pub fn chained(rules: &[SuffixRewrite]) -> Option<(&SuffixRewrite, &SuffixRewrite)> {
        rules.iter().find_map(|a| {
            rules
                .iter()
                .find(|b| a.new.eq_ignore_ascii_case(&b.old) && !b.old.eq_ignore_ascii_case(&b.new))
                .map(|b| (a, b))
        })
    }
}

impl std::str::FromStr for SuffixRewrite {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (old, new) = s
            .split_once('=')
            .ok_or_else(|| format!("'{s}': expected OLD=NEW (e.g. contoso.local=contoso.com)"))?;
        let (old, new) = (
            old.trim().trim_start_matches('@'),
            new.trim().trim_start_matches('@'),
        );
        let ok = |d: &str| {
            !d.is_empty()
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        };
        if !ok(old) || !ok(new) {
            return Err(format!(
                "'{s}': suffixes must be non-empty domain names (letters, digits, '.', '-')"
            ));
        }
        Ok(SuffixRewrite {
            old: old.to_string(),
            new: new.to_string(),
        })
    }
}

/// Options of `ldifix fix`.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// `--upn-suffix`, in order (the first matching OLD wins; `fix` refuses two mappings
    /// of one OLD suffix, [`SuffixRewrite::ambiguous`]).
    pub upn_suffixes: Vec<SuffixRewrite>,
    /// `--upn-from-mail`.
    pub upn_from_mail: bool,
    /// Verified domains, lower-case (the NEW suffixes are added by [`FixOptions::verified`]).
    pub verified_domains: Vec<String>,
    /// `--accept`: rule ids or error names.
    pub accept: Vec<String>,
}

impl FixOptions {
    /// Every verified domain: `--verified-domain(s)` plus each NEW suffix, lower-case.
    pub fn verified(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .verified_domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        for s in &self.upn_suffixes {
            v.push(s.new.to_lowercase());
        }
        v.sort();
        v.dedup();
        v
    }
}

/// Attributes changed value by value.
pub fn is_multi(attr: Attr) -> bool {
    matches!(attr, Attr::ProxyAddresses)
}

/// Proposals for `ldifix fix`, then [`resolve`]d into a plan.
pub fn plan_fix<'e>(entries: &'e [Entry<'_>], opts: &FixOptions, checks: &dyn Checks) -> Plan<'e> {
    let hasher = ahash::RandomState::new();
    let facts: Vec<EntryFacts> = entries
        .par_iter()
        .map(|e| EntryFacts::of(e, checks, &hasher))
        .collect();
    plan_fix_with(entries, &facts, opts, checks)
}

/// What planning needs to know of each entry on its own, computed where the entry is
/// parsed ([`super::load::parse_entries_with`]): a hash of its normalised DN (with the
/// run's one hasher), whether it is in scope, and whether `--upn-from-mail` applies to
/// its object class (a user, not a computer).
#[derive(Debug, Clone, Copy)]
pub struct EntryFacts {
    dn_hash: u64,
    in_scope: bool,
    user: bool,
    classless: bool,
    /// Why a person or group is out of scope: 1 + its index in
    /// [`crate::rules::scope::SKIP_IDS`] (0: in scope, or no person or group).
    skip: u8,
}

impl EntryFacts {
    /// The facts of `e`.
    pub fn of(e: &Entry<'_>, checks: &dyn Checks, hasher: &ahash::RandomState) -> EntryFacts {
        let in_scope = checks.in_scope(e);
        // Asked only of the few entries out of scope.
        let skip = match in_scope {
            true => None,
            false => checks.skipped_by(e),
        };
        EntryFacts {
            dn_hash: hasher.hash_one(super::dn_key(e.dn.as_bytes())),
            in_scope,
            skip: skip
                .and_then(|id| crate::rules::scope::SKIP_IDS.iter().position(|s| *s == id))
                .map_or(0, |i| u8::try_from(i + 1).unwrap_or(0)),
            user: e.has_class("user") && !e.has_class("computer"),
            classless: !e.has(Attr::ObjectClass),
        }
    }

    /// Whether the entry is in scope of the `entra` profile (so it may be changed).
    pub fn in_scope(&self) -> bool {
        self.in_scope
    }

    /// Take the entry out of scope (it lies outside the containers a run is limited
    /// to): no change is planned for it, its values still count for collisions.
    pub fn leave_out(&mut self) {
        self.in_scope = false;
    }

    /// Whether the entry has no `objectClass` value (so it is never in scope).
    pub fn classless(&self) -> bool {
        self.classless
    }

    /// Why the profile leaves out this person or group (a skip id), if it does.
    pub fn skipped_by(&self) -> Option<&'static str> {
        crate::rules::scope::SKIP_IDS
            .get(usize::from(self.skip).checked_sub(1)?)
            .copied()
    }
}

/// The values [`plan_fix_with`] reads when no scan fix is accepted
/// (`FixOptions::accept` empty): the UPN it changes, every value that can hold an
/// address a new UPN may collide with (`mail`, SMTP proxy and target addresses; X.500,
/// SIP and other proxies are keys of another namespace). Scope and object class are part
/// of [`EntryFacts`], so once those are computed `fix` drops every other value and holds
/// less memory.
pub fn read_without_accept(attr: Attr, text: &str) -> bool {
    match attr {
        // sAMAccountName: a new UPN in the domain's own DNS name must not spell another
        // account's logon name ([`refuse_implied_name_collisions`]).
        Attr::UserPrincipalName | Attr::Mail | Attr::SamAccountName => true,
        Attr::ProxyAddresses | Attr::TargetAddress => crate::index::is_smtp_proxy(text),
        _ => false,
    }
}

/// How `fix` reads an export's attributes when no scan fix is accepted
/// ([`crate::ldif::Parser::with_attr_classes`]): the values of the attributes
/// [`EntryFacts`] (scope under the `entra` profile, object class) and the planner read
/// ([`read_without_accept`]); nothing of the rest, not even the counted ones
/// (`givenName`, `sn`, `homeMDB`, `userAccountControl`, members and certificates are
/// only read by scan's rules).
pub fn read_class_without_accept(desc: &str) -> crate::ldif::Keep {
    match Attr::from_desc(desc) {
        Some(
            Attr::Cn
            | Attr::DisplayName
            | Attr::Mail
            | Attr::MailNickname
            | Attr::ProxyAddresses
            | Attr::SamAccountName
            | Attr::TargetAddress
            | Attr::UserPrincipalName
            | Attr::ObjectClass
            | Attr::GroupType
            | Attr::IsCriticalSystemObject
            | Attr::MsExchHideFromAddressLists
            | Attr::MsExchRecipientTypeDetails,
        ) => crate::ldif::Keep::Value,
        _ => crate::ldif::Keep::Drop,
    }
}

/// [`plan_fix`] with every entry's [`EntryFacts`] (one per entry, same order).
pub fn plan_fix_with<'e>(
    entries: &'e [Entry<'_>],
    facts: &[EntryFacts],
    opts: &FixOptions,
    checks: &dyn Checks,
) -> Plan<'e> {
    let verified: HashSet<String> = opts.verified().into_iter().collect();
    let hashes: Vec<u64> = facts.iter().map(|f| f.dn_hash).collect();
    let objects = number_objects(entries, &hashes);
    // Each entry's proposals depend on that entry alone: computed on all cores, each
    // core appending to the lists of its run of entries, then concatenated in entry
    // order. They are grouped into candidate changes right away, while the entry is
    // still in the core's cache: what `resolve_objects` does with all proposals sorted
    // by entry and attribute, one entry at a time.
    let per_run: Vec<RunProposals> = entries
        .par_iter()
        .enumerate()
        .fold(RunProposals::default, |mut run, (i, e)| {
            // A record repeating an earlier record's DN describes the same object: plan
            // once.
            if objects[i] != i || !facts[i].in_scope {
                return run;
            }
            let out = &mut run.proposed;
            if e.non_utf8 || e.lossy {
                let mut mine = EntryProposals::default();
                propose_entry(i, e, facts[i].user, opts, &verified, checks, &mut mine);
                let reason = if e.non_utf8 {
                    NON_UTF8_REASON
                } else {
                    LOSSY_REASON
                };
                refuse_non_utf8(e, mine, reason, out);
                return run;
            }
            propose_entry(i, e, facts[i].user, opts, &verified, checks, out);
            // Stable: proposals keep their order inside an attribute.
            out.props.sort_by_key(|p| p.attr);
            for ps in out.props.chunk_by(|a, b| a.attr == b.attr) {
                group_candidates(entries, ps, &mut run.cands, &mut run.grouped);
            }
            out.props.clear();
            run
        })
        .collect();
    let mut cands = Vec::with_capacity(per_run.iter().map(|r| r.cands.len()).sum());
    let mut grouped = Vec::new();
    let mut refused = Vec::new();
    let mut unverified_mail = 0usize;
    let mut suffix_fallback = 0usize;
    for r in per_run {
        cands.extend(r.cands);
        grouped.extend(r.grouped);
        refused.extend(r.proposed.refused);
        unverified_mail += r.proposed.unverified_mail;
        suffix_fallback += r.proposed.suffix_fallback;
    }
    refused.extend(duplicate_refusals(entries, facts, &objects, &opts.accept));
    // (The keys the candidates write are hashed once the runs are joined: hashed in the
    // runs, their lists would be held twice while the runs are joined.)
    let mut plan = resolve_candidates(entries, &objects, cands, grouped, checks);
    refused.append(&mut plan.refused);
    plan.refused = refused;
    plan.unverified_mail = unverified_mail;
    plan.suffix_fallback = suffix_fallback;
    plan.repeated = objects
        .iter()
        .enumerate()
        .filter(|(i, o)| *i != **o)
        .count();
    plan.first_repeat = objects
        .iter()
        .enumerate()
        .find(|(i, o)| *i != **o)
        .map(|(i, &o)| (i, o));
    plan
}

/// The `entra` duplicate rule ids, which `--accept` takes (with the error name
/// `Duplicate`) to have every duplicate reported: a duplicate is never changed
/// automatically.
pub const DUPLICATE_RULE_IDS: [&str; 3] = [
    crate::rules::catalog::ADDRESS_DUPLICATE,
    crate::rules::catalog::NICK_DUPLICATE,
    crate::rules::catalog::PROXY_DUPLICATE,
];

/// The reason every accepted duplicate is refused with.
const DUPLICATE_REASON: &str =
    "duplicate: not changed automatically; decide which object keeps the value";

/// `--accept Duplicate` or a duplicate rule id: one refusal per value of an in-scope
/// object that another in-scope object also holds (the `entra` collision index, as scan
/// finds duplicates), naming the other holders. Records repeating a DN are one object.
/// The index holds every indexed value of the export, so it is only built when a
/// duplicate is asked for.
fn duplicate_refusals(
    entries: &[Entry<'_>],
    facts: &[EntryFacts],
    objects: &[usize],
    sel: &[String],
) -> Vec<Refusal> {
    let wanted = |rule: &str| {
        sel.iter().any(|s| {
            s.eq_ignore_ascii_case(rule) || s.eq_ignore_ascii_case(ErrorName::Duplicate.as_str())
        })
    };
    if !DUPLICATE_RULE_IDS.iter().any(|r| wanted(r)) {
        return Vec::new();
    }
    let mut index = crate::index::Index::new(crate::rules::Profile::Entra);
    for (i, e) in entries.iter().enumerate() {
        if facts[objects[i]].in_scope {
            index.add_entry(
                u32::try_from(objects[i]).expect("fewer than 2^32 entries"),
                e,
            );
        }
    }
    let mut out = Vec::new();
    for c in index.collisions() {
        let rule = c.namespace.duplicate_rule();
        if !wanted(rule) {
            continue;
        }
        let dn = |o: u32| entries[o as usize].dn.to_string();
        for (k, h) in c.holders.iter().enumerate() {
            // One refusal per value of an object (a value repeated on it counts once).
            if c.holders[..k]
                .iter()
                .any(|p| p.object == h.object && p.attr == h.attr && p.value == h.value)
            {
                continue;
            }
            let mut others: Vec<String> = Vec::new();
            for o in &c.holders {
                if o.object != h.object && !others.contains(&dn(o.object)) {
                    others.push(dn(o.object));
                }
            }
            let mut r = refusal(
                &entries[h.object as usize],
                h.attr,
                h.value.clone(),
                String::new(),
                format!(
                    "{DUPLICATE_REASON} ('{}', {} namespace)",
                    c.key,
                    c.namespace.as_str()
                ),
                ChangeKind::Accepted(rule.to_string()),
            );
            r.conflicting_dns = others;
            out.push(r);
        }
    }
    out
}

/// What [`plan_fix_with`] makes of a run of entries, in entry order: the refusals and
/// counts of the proposals, the candidate changes they group into, and the refusals met
/// while grouping.
#[derive(Default)]
struct RunProposals<'e> {
    proposed: EntryProposals,
    cands: Vec<Candidate<'e>>,
    grouped: Vec<Refusal>,
}

/// What [`plan_fix_with`] proposes for a run of entries, in entry order.
#[derive(Default)]
struct EntryProposals {
    props: Vec<Proposal>,
    refused: Vec<Refusal>,
    /// Users keeping their UPN because their primary SMTP domain is not verified.
    unverified_mail: usize,
    suffix_fallback: usize,
}

/// Why `upn` is refused as the new UPN of `e` (it must be ASCII and pass the Entra
/// rules), or `None`.
fn new_upn_problem(checks: &dyn Checks, e: &Entry<'_>, upn: &[u8]) -> Option<String> {
    if !upn.is_ascii() {
        return Some(not_ascii_reason(&String::from_utf8_lossy(upn)));
    }
    checks
        .upn_problem(e, &String::from_utf8_lossy(upn))
        .map(|p| format!("entra: {p}"))
}

/// Why a new UPN that is not ASCII is refused, naming the `--accept` rules that repair it
/// first: invisible characters (which the administrator cannot see) and letters with
/// diacritics (`ö` → `o`).
fn not_ascii_reason(upn: &str) -> String {
    use crate::rules::catalog::{UPN_DIACRITIC, UPN_INVISIBLE};
    use crate::rules::entra::{is_invisible, transliterate};
    let invisible = upn.chars().any(is_invisible);
    let letters: String = upn
        .chars()
        .filter(|&c| !c.is_ascii() && !is_invisible(c) && transliterate(c).is_some())
        .collect();
    let mut why = String::from("entra: the new UPN is not ASCII");
    if invisible {
        why.push_str(" (it holds invisible characters)");
    } else if !letters.is_empty() {
        why.push_str(&format!(" ({letters})"));
    }
    let accept: Vec<&str> = [
        invisible.then_some(UPN_INVISIBLE),
        (!letters.is_empty()).then_some(UPN_DIACRITIC),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !accept.is_empty() {
        why.push_str(&format!("; --accept {} repairs it first", accept.join(",")));
    }
    why
}

/// Why every change of an object whose DN or values were not UTF-8 is refused.
pub const NON_UTF8_REASON: &str = "not UTF-8 in the export (read as Windows-1252 for the checks): a change or undo written from the export's bytes would not match the directory's Unicode text; export the object again as Unicode (ldifde -u)";

/// Why no change is planned for an object whose DN or values hold a `?` in a file
/// Windows PowerShell 5.1 wrote in ASCII.
pub const LOSSY_REASON: &str = "lossy export: a '?' in a file Windows PowerShell 5.1 wrote in ASCII (its Export-Csv default) may stand for a character it could not write, so a change or undo written from it might not match the directory; export again with Export-Csv -Encoding UTF8";

/// `mine`, the proposals of in-scope entry `e`, whose DN or values were not valid
/// UTF-8 (or lost characters in the export): each is refused with `reason`
/// ([`NON_UTF8_REASON`], [`LOSSY_REASON`]) and appended to `out.refused`.
fn refuse_non_utf8(
    e: &Entry<'_>,
    mut mine: EntryProposals,
    reason: &str,
    out: &mut EntryProposals,
) {
    out.refused.append(&mut mine.refused);
    out.unverified_mail += mine.unverified_mail;
    out.suffix_fallback += mine.suffix_fallback;
    for p in mine.props {
        let proposed = match &p.op {
            Op::Set(v) | Op::ReplaceValue { new: v, .. } => v.as_deref().map(text),
            Op::AddValue(v) => Some(text(v)),
        };
        out.refused.push(refusal(
            e,
            p.attr,
            joined(e, p.attr),
            proposed.unwrap_or_default(),
            reason.to_string(),
            p.kind,
        ));
    }
}

/// The proposals of one in-scope entry, in the order they compose, appended to `out`.
fn propose_entry(
    i: usize,
    e: &Entry<'_>,
    user: bool,
    opts: &FixOptions,
    verified: &HashSet<String>,
    checks: &dyn Checks,
    out: &mut EntryProposals,
) {
    let props = &mut out.props;
    if !opts.accept.is_empty() {
        propose_accepted(i, e, &opts.accept, checks, props, &mut out.refused);
    }
    // The primary SMTP domain is not verified: the user keeps its UPN unless
    // --upn-suffix rewrites it.
    let mut unverified = false;
    // Why the primary address is not proposed: reported unless the suffix rewrite takes
    // the user over (then the user is changed, not refused).
    let mut not_proposed: Option<Refusal> = None;
    if opts.upn_from_mail && user {
        // The address as the accepted fixes above leave it (a mail or proxy repaired in
        // this run): a second run on the imported result then proposes nothing more.
        match primary_smtp(e, props.iter().filter(|p| p.entry == i)) {
            Ok(Some(addr)) => {
                let domain = addr
                    .rsplit_once('@')
                    .map(|(_, d)| d.to_lowercase())
                    .unwrap_or_default();
                // With --upn-suffix too, an address the Entra rules refuse is not
                // proposed, so the suffix rewrite applies to the UPN instead, as when
                // there is no usable address (one that would collide is only known
                // once every change is planned: the UPN then stays as it is).
                let problem = if !verified.contains(&domain) || opts.upn_suffixes.is_empty() {
                    None
                } else {
                    new_upn_problem(checks, e, addr.as_bytes())
                };
                if let Some(reason) = problem {
                    not_proposed = Some(refusal(
                        e,
                        Attr::UserPrincipalName,
                        joined(e, Attr::UserPrincipalName),
                        addr,
                        reason,
                        ChangeKind::UpnFromMail,
                    ));
                } else if verified.contains(&domain) {
                    props.push(Proposal {
                        entry: i,
                        attr: Attr::UserPrincipalName,
                        op: Op::Set(Some(addr.into_bytes())),
                        kind: ChangeKind::UpnFromMail,
                        check_upn: true,
                        row: None,
                    });
                } else {
                    unverified = true;
                }
            }
            Ok(None) => {}
            Err(n) => {
                not_proposed = Some(refusal(
                    e,
                    Attr::UserPrincipalName,
                    joined(e, Attr::UserPrincipalName),
                    String::new(),
                    format!("ambiguous primary address: {n} SMTP: proxy addresses"),
                    ChangeKind::UpnFromMail,
                ))
            }
        }
    }
    let before = out.props.len();
    if !opts.upn_suffixes.is_empty() {
        propose_suffix(i, e, &opts.upn_suffixes, out);
    }
    // Whether the suffix rewrite took a user over that --upn-from-mail could not change.
    let took_over = out.props.len() > before;
    match not_proposed {
        Some(r) if !took_over => out.refused.push(r),
        Some(_) => out.suffix_fallback += 1,
        None if unverified && took_over => out.suffix_fallback += 1,
        None if unverified => out.unverified_mail += 1,
        None => {}
    }
}

/// `--upn-suffix` for one entry: the rewrite of its UPN as composed so far (an accepted
/// fix may already change it). A UPN of several values, one of them with an OLD suffix,
/// is proposed all the same (its first such value rewritten): [`resolve`] refuses it
/// ("multiple values"), as it refuses every other change of such a UPN.
fn propose_suffix(i: usize, e: &Entry<'_>, rules: &[SuffixRewrite], out: &mut EntryProposals) {
    let proposal = |new: Vec<u8>| Proposal {
        entry: i,
        attr: Attr::UserPrincipalName,
        op: Op::Set(Some(new)),
        kind: ChangeKind::UpnSuffix,
        check_upn: true,
        row: None,
    };
    if e.count(Attr::UserPrincipalName) > 1 {
        if let Some(new) = e
            .all(Attr::UserPrincipalName)
            .find_map(|v| rewrite_suffix(v.bytes(), rules))
        {
            out.props.push(proposal(new));
        }
        return;
    }
    let Some(v) = e.first(Attr::UserPrincipalName) else {
        return;
    };
    let composed = composed_single(&out.props, i, Attr::UserPrincipalName);
    let current = match &composed {
        Some(c) => c.as_deref(),
        None => Some(v.bytes()),
    };
    let Some(cur) = current else {
        return;
    };
    if let Some(new) = rewrite_suffix(cur, rules) {
        out.props.push(proposal(new));
        return;
    }
    // A suffix that is OLD only once surrounding whitespace is trimmed: the rewrite is
    // not guessed, the UPN is reported with the accept rules that trim it (scan removes
    // control characters such as TAB as invisible, then trims the other whitespace).
    let Ok(text) = std::str::from_utf8(cur) else {
        return;
    };
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        return;
    }
    if let Some(new) = rewrite_suffix(trimmed.as_bytes(), rules) {
        let start = text.len() - text.trim_start().len();
        let end = start + trimmed.len();
        let around = text[..start].chars().chain(text[end..].chars());
        let (invisible, space): (Vec<char>, Vec<char>) =
            around.partition(|&c| crate::rules::entra::is_invisible(c));
        let accept: Vec<&str> = [
            (!invisible.is_empty()).then_some(crate::rules::catalog::UPN_INVISIBLE),
            (!space.is_empty()).then_some(crate::rules::catalog::UPN_WHITESPACE),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.refused.push(refusal(
            e,
            Attr::UserPrincipalName,
            joined(e, Attr::UserPrincipalName),
            String::from_utf8_lossy(&new).into_owned(),
            format!(
                "whitespace: the UPN has leading or trailing whitespace, so its suffix is \
                 not rewritten; --accept {} trims it first",
                accept.join(",")
            ),
            ChangeKind::UpnSuffix,
        ));
    }
}

/// The value a single-valued attribute has after the proposals so far (`None` when no
/// proposal touches it; `Some(None)` when it is removed).
fn composed_single(props: &[Proposal], entry: usize, attr: Attr) -> Option<Option<Vec<u8>>> {
    let mut out = None;
    for p in props.iter().rev() {
        if p.entry != entry {
            break;
        }
        if p.attr == attr {
            if let Op::Set(v) = &p.op {
                out = Some(v.clone());
                break;
            }
        }
    }
    out
}

/// Rewrite the suffix after the last `@` when it equals (case-insensitively) one of the
/// OLD suffixes; the prefix (and the `@`) are kept byte for byte.
pub fn rewrite_suffix(upn: &[u8], rules: &[SuffixRewrite]) -> Option<Vec<u8>> {
    let at = memchr::memrchr(b'@', upn)?;
    let suffix = std::str::from_utf8(&upn[at + 1..]).ok()?;
    // Unicode case folding only when some side is not ASCII (it allocates).
    let rule = rules.iter().find(|r| {
        suffix.eq_ignore_ascii_case(&r.old)
            || (!(suffix.is_ascii() && r.old.is_ascii())
                && suffix.to_lowercase() == r.old.to_lowercase())
    })?;
    if suffix == rule.new {
        return None;
    }
    // One allocation of the final size (copying the prefix first would grow it again).
    let mut out = Vec::with_capacity(at + 1 + rule.new.len());
    out.extend_from_slice(&upn[..=at]);
    out.extend_from_slice(rule.new.as_bytes());
    Some(out)
}

/// The primary SMTP address: the `SMTP:` proxy (upper-case prefix), else `mail`, once
/// `earlier` (the entry's proposals so far: accepted fixes of its mail and proxies) are
/// applied. `Err(n)` when `n > 1` proxies claim to be primary.
fn primary_smtp<'p>(
    e: &Entry<'_>,
    earlier: impl Iterator<Item = &'p Proposal> + Clone,
) -> Result<Option<String>, usize> {
    let pick = |prim: &[&str], mail: Option<&str>| match prim.len() {
        0 => Ok(mail.map(|m| m.trim().to_string()).filter(|m| !m.is_empty())),
        1 => Ok(Some(prim[0].trim().to_string()).filter(|m| !m.is_empty())),
        n => Err(n),
    };
    if !earlier
        .clone()
        .any(|p| matches!(p.attr, Attr::Mail | Attr::ProxyAddresses))
    {
        // Nearly every user: nothing repaired, the exported values as they are.
        let prim: Vec<&str> = e
            .all(Attr::ProxyAddresses)
            .filter_map(|v| v.text.strip_prefix("SMTP:"))
            .collect();
        return pick(&prim, e.get(Attr::Mail));
    }
    let mut proxies: Vec<String> = e
        .all(Attr::ProxyAddresses)
        .map(|v| v.text.to_string())
        .collect();
    let mut mail = e.get(Attr::Mail).map(str::to_string);
    for p in earlier {
        match (p.attr, &p.op) {
            (Attr::Mail, Op::Set(v)) => mail = v.as_deref().map(text),
            (Attr::ProxyAddresses, Op::ReplaceValue { old, new }) => {
                let old = text(old);
                if let Some(at) = proxies.iter().position(|v| *v == old) {
                    match new {
                        Some(n) => proxies[at] = text(n),
                        None => {
                            proxies.remove(at);
                        }
                    }
                }
            }
            (Attr::ProxyAddresses, Op::AddValue(v)) => proxies.push(text(v)),
            _ => {}
        }
    }
    let prim: Vec<&str> = proxies
        .iter()
        .filter_map(|v| v.strip_prefix("SMTP:"))
        .collect();
    pick(&prim, mail.as_deref())
}

fn selector_matches(sel: &[String], f: &Finding) -> bool {
    sel.iter().any(|s| {
        f.rules.iter().any(|r| r.eq_ignore_ascii_case(s))
            || f.errors.iter().any(|e| e.as_str().eq_ignore_ascii_case(s))
    })
}

/// Rules that judge a value but never repair it (their findings propose no value of
/// their own): accepting a finding does not need them named.
const JUDGE_ONLY: [&str; 3] = [
    crate::rules::catalog::UPN_NONROUTABLE_SUFFIX,
    crate::rules::catalog::UPN_UNVERIFIED_SUFFIX,
    crate::rules::catalog::PROXY_NONROUTABLE,
];

/// Whether `--accept` selects rule `r` of a selected finding: by its id or by its error
/// name (a rule the catalogue does not know goes with its finding).
fn rule_selected(sel: &[String], r: &str) -> bool {
    let Some(info) = crate::rules::catalog::rule(r) else {
        return true;
    };
    sel.iter()
        .any(|s| s.eq_ignore_ascii_case(r) || info.error.as_str().eq_ignore_ascii_case(s))
}

fn propose_accepted(
    i: usize,
    e: &Entry<'_>,
    sel: &[String],
    checks: &dyn Checks,
    props: &mut Vec<Proposal>,
    refused: &mut Vec<Refusal>,
) {
    for f in checks.findings(e) {
        if !selector_matches(sel, &f) {
            continue;
        }
        let rule = f
            .rules
            .iter()
            .find(|r| sel.iter().any(|s| s.eq_ignore_ascii_case(r)))
            .or_else(|| f.rules.first())
            .map(|r| r.to_string())
            .unwrap_or_else(|| {
                f.errors
                    .first()
                    .map(|e| e.as_str().to_string())
                    .unwrap_or_default()
            });
        let kind = ChangeKind::Accepted(rule);
        let proposed = f.update.clone().unwrap_or_default();
        if f.errors.contains(&ErrorName::Duplicate) {
            refused.push(refusal(
                e,
                f.attr,
                f.value.clone(),
                proposed,
                DUPLICATE_REASON.into(),
                kind,
            ));
            continue;
        }
        let new = match f.action {
            Action::Edit => match &f.update {
                Some(u) => Some(u.as_bytes().to_vec()),
                None => continue, // nothing proposed
            },
            Action::Remove => None,
            Action::Complete => continue,
        };
        // The proposed value repairs everything the value's rules flag: applied only when
        // every rule that repairs something is accepted (accepting a trim must not also
        // strip characters or transliterate a sign-in name).
        let unaccepted: Vec<&str> = f
            .rules
            .iter()
            .copied()
            .filter(|r| !JUDGE_ONLY.contains(r) && !rule_selected(sel, r))
            .collect();
        if !unaccepted.is_empty() {
            refused.push(refusal(
                e,
                f.attr,
                f.value.clone(),
                proposed,
                format!(
                    "not accepted: the proposed value also repairs what {} flag{} (--accept does not name {}; accept {2} too, or edit the value in the idfix CSV for apply-csv)",
                    unaccepted.join(", "),
                    if unaccepted.len() == 1 { "s" } else { "" },
                    if unaccepted.len() == 1 { "it" } else { "them" },
                ),
                kind,
            ));
            continue;
        }
        if f.attr == Attr::Cn || !changeable(f.attr) {
            refused.push(refusal(
                e,
                f.attr,
                f.value.clone(),
                proposed,
                format!(
                    "not changeable by modify: {} {}",
                    f.attr.ldap_name(),
                    if f.attr == Attr::Cn {
                        "is the RDN (rename the object instead)"
                    } else {
                        "is not an attribute ldifix writes"
                    }
                ),
                kind,
            ));
            continue;
        }
        let op = if is_multi(f.attr) {
            let Some(old) = e
                .all(f.attr)
                .find(|v| v.text == f.value)
                .map(|v| v.bytes().to_vec())
            else {
                continue;
            };
            Op::ReplaceValue { old, new }
        } else {
            Op::Set(new)
        };
        props.push(Proposal {
            entry: i,
            attr: f.attr,
            op,
            kind,
            check_upn: true,
            row: None,
        });
    }
}

/// For each entry, the index of the first entry with the same DN (compared with
/// [`super::dn_key`]): records repeating a DN describe one object.
pub fn object_ids(entries: &[Entry<'_>]) -> Vec<usize> {
    // Normalising DNs is the costly part: it runs on all cores and only a 64-bit hash of
    // each key is kept.
    let state = ahash::RandomState::new();
    let hashes: Vec<u64> = entries
        .par_iter()
        .map(|e| state.hash_one(super::dn_key(e.dn.as_bytes())))
        .collect();
    number_objects(entries, &hashes)
}

/// [`object_ids`] from the hashes of the entries' DN keys. Numbering is sequential; when
/// a hash was seen before, the two keys are compared, and DNs whose hashes merely
/// collide are told apart exactly.
fn number_objects(entries: &[Entry<'_>], hashes: &[u64]) -> Vec<usize> {
    let key = |i: usize| super::dn_key(entries[i].dn.as_bytes());
    let mut first: AHashMap<u64, usize> = AHashMap::with_capacity(entries.len());
    let mut exact: AHashMap<Vec<u8>, usize> = AHashMap::new();
    hashes
        .iter()
        .enumerate()
        .map(|(i, &h)| match first.get(&h) {
            None => {
                first.insert(h, i);
                i
            }
            Some(&f) => {
                let k = key(i);
                if k == key(f) {
                    f
                } else {
                    *exact.entry(k).or_insert(i)
                }
            }
        })
        .collect()
}

/// Attributes a change file may write.
pub fn changeable(attr: Attr) -> bool {
    matches!(
        attr,
        Attr::DisplayName
            | Attr::GivenName
            | Attr::Sn
            | Attr::Mail
            | Attr::MailNickname
            | Attr::ProxyAddresses
            | Attr::SamAccountName
            | Attr::TargetAddress
            | Attr::UserPrincipalName
    )
}

/// Every value of `attr`, `; `-joined (what a refusal shows as the current value).
pub(crate) fn joined(e: &Entry<'_>, attr: Attr) -> String {
    e.all(attr)
        .map(|v| v.text.as_ref())
        .collect::<Vec<_>>()
        .join("; ")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A refusal of a change of `attr` of `e`.
pub(crate) fn refusal(
    e: &Entry<'_>,
    attr: Attr,
    old: String,
    proposed: String,
    reason: String,
    kind: ChangeKind,
) -> Refusal {
    Refusal {
        file: e.file,
        line: e.line,
        dn: e.dn.to_string(),
        attribute: attr.ldap_name().to_string(),
        old,
        proposed,
        reason,
        conflicting_dns: Vec::new(),
        kind,
    }
}

/// The refusal of proposal `p` of entry `e` for `reason`, naming its CSV row when it
/// came from one.
pub(crate) fn proposal_refusal(e: &Entry<'_>, p: &Proposal, reason: String) -> Refusal {
    at_row(
        refusal(
            e,
            p.attr,
            joined(e, p.attr),
            op_text(&p.op),
            reason,
            p.kind.clone(),
        ),
        p.row,
    )
}

/// `r`, naming the CSV row `row` (when there is one) instead of the object's record.
pub(crate) fn at_row(mut r: Refusal, row: Option<(FileId, u64)>) -> Refusal {
    if let Some((file, line)) = row {
        r.file = file;
        r.line = line;
    }
    r
}

/// A change under consideration.
struct Candidate<'e> {
    entry: usize,
    attr: Attr,
    before: Vec<Cow<'e, [u8]>>,
    old: Vec<Cow<'e, [u8]>>,
    new: Vec<Vec<u8>>,
    kind: ChangeKind,
    check_upn: bool,
    /// The CSV row of the proposal it came from ([`Proposal::row`]).
    row: Option<(FileId, u64)>,
    /// Why it is refused (boxed: nearly every candidate has none).
    refused: Option<Box<(String, Vec<String>)>>,
}

impl Candidate<'_> {
    /// The address keys this change writes, each with its hash under `state`.
    fn new_keys(&self, state: &ahash::RandomState) -> Vec<WrittenKey> {
        self.new
            .iter()
            .filter_map(|v| unique_key(self.attr, &String::from_utf8_lossy(v)))
            .map(|(ns, k)| {
                let h = state.hash_one((ns, k.as_str()));
                (ns, k, h)
            })
            .collect()
    }
}

/// Fold proposals per (entry, attribute), check them, and build the plan.
pub fn resolve<'e>(
    entries: &'e [Entry<'_>],
    proposals: Vec<Proposal>,
    checks: &dyn Checks,
) -> Plan<'e> {
    resolve_objects(entries, &object_ids(entries), proposals, checks)
}

/// [`resolve`] with the entries' [`object_ids`] already computed.
///
/// Every step that looks at one change or one entry at a time runs on all cores; the
/// steps that combine them (collecting the keys the changes write) run in plan order, so
/// the plan is the same whatever the number of threads.
fn resolve_objects<'e>(
    entries: &'e [Entry<'_>],
    objects: &[usize],
    proposals: Vec<Proposal>,
    checks: &dyn Checks,
) -> Plan<'e> {
    // Group by (entry, attribute): a stable sort keeps proposal order inside a group
    // (proposals from `fix` arrive sorted already).
    let mut proposals = proposals;
    proposals.retain(|p| p.entry < entries.len());
    if !proposals
        .windows(2)
        .all(|w| (w[0].entry, w[0].attr) <= (w[1].entry, w[1].attr))
    {
        proposals.par_sort_by_key(|p| (p.entry, p.attr));
    }
    let groups: Vec<&[Proposal]> = proposals
        .chunk_by(|a, b| a.entry == b.entry && a.attr == b.attr)
        .collect();
    // Each core appends the candidates of its run of groups to one pair of lists.
    let grouped: Vec<(Vec<Candidate>, Vec<Refusal>)> = groups
        .par_iter()
        .fold(
            || (Vec::new(), Vec::new()),
            |(mut cands, mut refused), ps| {
                group_candidates(entries, ps, &mut cands, &mut refused);
                (cands, refused)
            },
        )
        .collect();
    drop(groups);
    drop(proposals);
    let mut cands: Vec<Candidate> = Vec::with_capacity(grouped.iter().map(|g| g.0.len()).sum());
    let mut refused = Vec::new();
    for (c, r) in grouped {
        cands.extend(c);
        refused.extend(r);
    }
    resolve_candidates(entries, objects, cands, refused, checks)
}

/// The second half of [`resolve_objects`]: judge the candidates (with the refusals met
/// while grouping them) against the export and each other, and build the plan.
fn resolve_candidates<'e>(
    entries: &'e [Entry<'_>],
    objects: &[usize],
    mut cands: Vec<Candidate<'e>>,
    mut refused: Vec<Refusal>,
    checks: &dyn Checks,
) -> Plan<'e> {
    // Each key is hashed once, here on all cores: the map below and the look-ups of the
    // export's values reuse that hash.
    let state = ahash::RandomState::new();
    let keys: Vec<Vec<WrittenKey>> = cands
        .par_iter()
        .map(|c| {
            if c.refused.is_none() {
                c.new_keys(&state)
            } else {
                Vec::new()
            }
        })
        .collect();
    // The keys the changes write, with the objects writing them; then the objects that
    // already hold one of those keys (keys no change writes are never stored, so memory
    // follows the size of the plan, not of the export). Records sharing a DN are one
    // object.
    // Each distinct key gets a number (the order first written): the map holds a
    // pointer to the key in `keys` and that number (16 bytes a key, so a million keys
    // fault in ~34 MB, not ~200), and `writers` the objects writing it, by number. A
    // value of the export is looked up without copying its key ([`Probe`]).
    let key_count = keys.iter().map(Vec::len).sum();
    let mut newkeys: HashMap<Stored<'_>, u32, PreHashed> =
        HashMap::with_capacity_and_hasher(key_count, PreHashed);
    let mut writers: Vec<Owners> = Vec::with_capacity(key_count);
    let mut filter = HashFilter::new(key_count);
    // Each written key's number, flat in plan order: candidate `i`'s keys have the numbers
    // `ids[starts[i]..starts[i + 1]]`, so the rounds below never hash a key again.
    let mut ids: Vec<u32> = Vec::with_capacity(key_count);
    let mut starts: Vec<usize> = Vec::with_capacity(cands.len() + 1);
    for (c, ks) in cands.iter().zip(&keys) {
        starts.push(ids.len());
        for k in ks {
            filter.insert(k.2);
            let next = u32::try_from(writers.len()).expect("fewer than 2^32 written keys");
            let id = *newkeys.entry(Stored(k)).or_insert(next);
            if id == next {
                writers.push(Owners::default());
            }
            writers[id as usize].add(objects[c.entry]);
            ids.push(id);
        }
    }
    starts.push(ids.len());
    let ids_of = |i: usize| &ids[starts[i]..starts[i + 1]];
    // The objects of the export holding a written key, by key number.
    let mut existing: AHashMap<u32, Owners> = AHashMap::new();
    if !newkeys.is_empty() {
        // Keys are computed on all cores, each into one reused buffer; only the entries
        // holding a key some change writes are noted, in entry order.
        let hits: Vec<(usize, u32)> = entries
            .par_iter()
            .enumerate()
            .fold(
                || (String::new(), Vec::new()),
                |(mut buf, mut found), (i, e)| {
                    for v in e.values() {
                        let ns = crate::index::key_into(
                            crate::rules::Profile::Entra,
                            v.attr,
                            &v.text,
                            &mut buf,
                        );
                        if let Some(ns) = ns {
                            // Nearly every value of an export holds no key a change
                            // writes: the filter says so without touching the map.
                            let h = state.hash_one((ns, buf.as_str()));
                            if filter.may_contain(h) {
                                let probe = Probe {
                                    hash: h,
                                    ns,
                                    text: &buf,
                                };
                                if let Some(&id) = newkeys.get(&probe as &dyn KeyView) {
                                    found.push((i, id));
                                }
                            }
                        }
                    }
                    (buf, found)
                },
            )
            .flat_map_iter(|(_, found)| found)
            .collect();
        for (i, id) in hits {
            existing.entry(id).or_default().add(objects[i]);
        }
    }
    drop(newkeys);
    // Two rounds, so that a change refused in the first writes nothing that refuses
    // another in the second (B's own change is not refused because A's change, refused
    // as B already holds the value, would also have written it). First each change on
    // its own: a key another object already holds (named with the other objects
    // writing it), then a new UPN failing the Entra rules.
    cands
        .par_iter_mut()
        .enumerate()
        .zip(keys.par_iter())
        .filter(|((_, c), _)| c.refused.is_none())
        .for_each(|((i, c), ks)| {
            let e = &entries[c.entry];
            let me = objects[c.entry];
            for (k, &id) in ks.iter().zip(ids_of(i)) {
                let mut others: Vec<usize> = existing
                    .get(&id)
                    .into_iter()
                    .flat_map(Owners::iter)
                    .filter(|&o| o != me)
                    .collect();
                if others.is_empty() {
                    continue;
                }
                let mut planned = false;
                for o in writers[id as usize].iter() {
                    if o != me && !others.contains(&o) {
                        others.push(o);
                        planned = true;
                    }
                }
                let what = if planned {
                    "other objects hold or are given"
                } else {
                    "another object already holds"
                };
                c.refused = Some(Box::new((
                    format!("collision: {what} '{}' ({} namespace)", k.1, k.0.as_str()),
                    others.iter().map(|&o| entries[o].dn.to_string()).collect(),
                )));
                break;
            }
            if c.refused.is_none() && c.attr == Attr::UserPrincipalName && c.check_upn {
                if let Some(v) = c.new.first() {
                    c.refused = new_upn_problem(checks, e, v).map(|p| Box::new((p, vec![])));
                }
            }
            // An edited CSV's new addresses and aliases are the administrator's own:
            // judged like a new UPN (scan's proposals, which --accept applies, already
            // are the rules' repairs).
            if c.refused.is_none() && c.kind == ChangeKind::CsvEdit {
                c.refused = c.new.iter().find_map(|v| {
                    let p = checks.value_problem(e, c.attr, &String::from_utf8_lossy(v))?;
                    Some(Box::new((format!("entra: {p}"), vec![])))
                });
            }
        });
    // Then the keys the changes still standing write, counted again in plan order (the
    // same map and lists: no key is stored twice), and the changes writing a key another
    // of them writes too.
    writers.iter_mut().for_each(|w| *w = Owners::default());
    for (i, c) in cands.iter().enumerate() {
        if c.refused.is_none() {
            for &id in ids_of(i) {
                writers[id as usize].add(objects[c.entry]);
            }
        }
    }
    cands
        .par_iter_mut()
        .enumerate()
        .zip(keys.par_iter())
        .filter(|((_, c), _)| c.refused.is_none())
        .for_each(|((i, c), ks)| {
            let me = objects[c.entry];
            for (k, &id) in ks.iter().zip(ids_of(i)) {
                let others: Vec<usize> = writers[id as usize].iter().filter(|&o| o != me).collect();
                if !others.is_empty() {
                    c.refused = Some(Box::new((
                        format!(
                            "collision: another change also writes '{}' ({} namespace)",
                            k.1,
                            k.0.as_str()
                        ),
                        others.iter().map(|&o| entries[o].dn.to_string()).collect(),
                    )));
                    break;
                }
            }
        });
    drop(keys);
    refuse_sam_collisions(entries, objects, &mut cands);
    refuse_implied_name_collisions(entries, objects, &mut cands);
    // An object's SMTP addresses keep one primary, judged on the changes still standing.
    for group in cands.chunk_by_mut(|a, b| a.entry == b.entry && a.attr == b.attr) {
        if group[0].attr == Attr::ProxyAddresses {
            keep_one_primary(group);
        }
    }

    // Build the plan, grouped per object in input order (candidates are sorted by entry).
    let mut by_entry: Vec<(usize, Vec<AttrChange>)> = Vec::new();
    for c in cands {
        let e = &entries[c.entry];
        match c.refused.map(|r| *r) {
            Some((reason, others)) => refused.push(Refusal {
                file: c.row.map_or(e.file, |r| r.0),
                line: c.row.map_or(e.line, |r| r.1),
                dn: e.dn.to_string(),
                attribute: c.attr.ldap_name().to_string(),
                old: if is_multi(c.attr) {
                    c.old.iter().map(|v| text(v)).collect::<Vec<_>>().join("; ")
                } else {
                    joined(e, c.attr)
                },
                proposed: c.new.iter().map(|v| text(v)).collect::<Vec<_>>().join("; "),
                reason,
                conflicting_dns: others,
                kind: c.kind,
            }),
            None => {
                let change = AttrChange {
                    attr: c.attr,
                    before: c.before,
                    old: c.old,
                    new: c.new,
                    kind: c.kind,
                };
                match by_entry.last_mut() {
                    Some((i, mods)) if *i == c.entry => mods.push(change),
                    _ => by_entry.push((c.entry, vec![change])),
                }
            }
        }
    }
    let changes = by_entry
        .into_par_iter()
        .map(|(i, mods)| {
            let e = &entries[i];
            ObjectChange {
                dn_raw: Cow::Borrowed(e.dn_raw()),
                dn: Cow::Borrowed(&*e.dn),
                file: e.file,
                line: e.line,
                mods,
            }
        })
        .collect();
    Plan {
        changes,
        refused,
        unverified_mail: 0,
        suffix_fallback: 0,
        repeated: 0,
        first_repeat: None,
    }
}

/// Refuse the sAMAccountName changes (accepted fixes, CSV edits) whose new name another
/// object of the same domain already holds, or another change also writes: a domain
/// controller refuses a second account with one name, in any case. The domain is the
/// DN's `DC=` components. A new name ending in `.` is refused too (the directory refuses
/// it). Only run when some change writes a sAMAccountName.
fn refuse_sam_collisions(entries: &[Entry<'_>], objects: &[usize], cands: &mut [Candidate<'_>]) {
    if !cands
        .iter()
        .any(|c| c.attr == Attr::SamAccountName && c.refused.is_none())
    {
        return;
    }
    let key = |e: &Entry<'_>, name: &str| super::sam_key(&e.dn, name);
    let mut holders: AHashMap<(String, String), Vec<usize>> = AHashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for v in e.all(Attr::SamAccountName) {
            holders.entry(key(e, &v.text)).or_default().push(objects[i]);
        }
    }
    let mut writers: AHashMap<(String, String), Vec<usize>> = AHashMap::new();
    for c in cands.iter() {
        if c.attr == Attr::SamAccountName && c.refused.is_none() {
            if let Some(new) = c.new.first() {
                let e = &entries[c.entry];
                writers
                    .entry(key(e, &String::from_utf8_lossy(new)))
                    .or_default()
                    .push(objects[c.entry]);
            }
        }
    }
    for c in cands.iter_mut() {
        if c.attr != Attr::SamAccountName || c.refused.is_some() {
            continue;
        }
        let Some(new) = c.new.first() else {
            continue;
        };
        let e = &entries[c.entry];
        let me = objects[c.entry];
        let name = String::from_utf8_lossy(new);
        if super::sam_ends_in_period(new) {
            c.refused = Some(Box::new((
                format!("invalid: the new sAMAccountName '{name}' ends with '.', which Active Directory refuses"),
                Vec::new(),
            )));
            continue;
        }
        let k = key(e, &name);
        let others = |list: Option<&Vec<usize>>| -> Vec<usize> {
            let mut o: Vec<usize> = list
                .into_iter()
                .flatten()
                .copied()
                .filter(|&o| o != me)
                .collect();
            o.sort_unstable();
            o.dedup();
            o
        };
        let held = others(holders.get(&k));
        let (what, who) = if !held.is_empty() {
            ("another object of the domain already holds", held)
        } else {
            let written = others(writers.get(&k));
            if written.is_empty() {
                continue;
            }
            ("another change also writes", written)
        };
        c.refused = Some(Box::new((
            format!("collision: {what} sAMAccountName '{name}'"),
            who.iter().map(|&o| entries[o].dn.to_string()).collect(),
        )));
    }
}

/// The DNS names of the domains DNs lie in ([`super::domain_dns`]), each computed once
/// per spelling of a DN's trailing `DC=` components: an export's objects lie in a few
/// domains, and building the name allocates.
#[derive(Default)]
struct DomainNames<'e> {
    by_tail: AHashMap<&'e str, String>,
}

impl<'e> DomainNames<'e> {
    fn of(&mut self, dn: &'e str) -> &str {
        let tail = super::dc_suffix(dn).unwrap_or("");
        self.by_tail
            .entry(tail)
            .or_insert_with(|| super::domain_dns(dn))
    }
}

/// Refuse the changes that would give two accounts of one domain the same logon name: a
/// new UPN `name@<the domain's DNS name>` where another account of the domain has the
/// sAMAccountName `name`, or a new sAMAccountName `name` where another account's UPN is
/// `name@<DNS name>`. Such a UPN spells out an account's implicit name (its
/// sAMAccountName at the domain): Samba AD refuses it ("already in use (implied by
/// userPrincipalName)"), and a Kerberos ticket for that name could be either account.
/// Values written by other changes of the plan count as held. Only runs when a planned UPN
/// is in its own domain's DNS name or a change writes a sAMAccountName.
fn refuse_implied_name_collisions(
    entries: &[Entry<'_>],
    objects: &[usize],
    cands: &mut [Candidate<'_>],
) {
    // (domain DNS name, name), lower-cased → the candidates writing it.
    let mut upns: AHashMap<(String, String), Vec<usize>> = AHashMap::new();
    let mut sams: AHashMap<(String, String), Vec<usize>> = AHashMap::new();
    // The names are found on all cores (each candidate's DN is read for its domain),
    // then gathered in plan order.
    let found: Vec<(usize, bool, (String, String))> = cands
        .par_iter()
        .enumerate()
        .fold(
            || (DomainNames::default(), Vec::new()),
            |(mut domains, mut found), (ci, c)| {
                if let Some(new) = c.new.first().filter(|_| c.refused.is_none()) {
                    let text = String::from_utf8_lossy(new);
                    let e = &entries[c.entry];
                    match c.attr {
                        Attr::UserPrincipalName => {
                            let dns = domains.of(&e.dn);
                            if let Some(name) = super::implied_sam(&text, dns) {
                                found.push((ci, true, (dns.to_string(), name)));
                            }
                        }
                        Attr::SamAccountName => {
                            let key = (domains.of(&e.dn).to_string(), text.trim().to_lowercase());
                            found.push((ci, false, key));
                        }
                        _ => {}
                    }
                }
                (domains, found)
            },
        )
        .flat_map_iter(|(_, found)| found)
        .collect();
    for (ci, upn, key) in found {
        let names = if upn { &mut upns } else { &mut sams };
        names.entry(key).or_default().push(ci);
    }
    let mut domains = DomainNames::default();
    if upns.is_empty() && sams.is_empty() {
        return;
    }
    // The holders: every object's sAMAccountName (for the UPNs) and UPN in its own
    // domain's name (for the sAMAccountNames), as exported, then as the plan writes them.
    let upn_names: AHashSet<&str> = upns.keys().map(|k| k.1.as_str()).collect();
    let sam_names: AHashSet<&str> = sams.keys().map(|k| k.1.as_str()).collect();
    let mut sam_holders: AHashMap<(String, String), Vec<usize>> = AHashMap::new();
    let mut upn_holders: AHashMap<(String, String), Vec<usize>> = AHashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if !upn_names.is_empty() {
            for v in e.all(Attr::SamAccountName) {
                let name = v.text.trim().to_lowercase();
                if upn_names.contains(name.as_str()) {
                    sam_holders
                        .entry((domains.of(&e.dn).to_string(), name))
                        .or_default()
                        .push(objects[i]);
                }
            }
        }
        if !sam_names.is_empty() {
            for v in e.all(Attr::UserPrincipalName) {
                // The cheap test first: the local part is a name written as a sAMAccountName.
                let local = v.text.rsplit_once('@').map_or("", |(l, _)| l.trim());
                if !sam_names.contains(local.to_lowercase().as_str()) {
                    continue;
                }
                let dns = domains.of(&e.dn);
                if let Some(name) = super::implied_sam(&v.text, dns) {
                    upn_holders
                        .entry((dns.to_string(), name))
                        .or_default()
                        .push(objects[i]);
                }
            }
        }
    }
    for (key, list) in &sams {
        for &ci in list {
            sam_holders
                .entry(key.clone())
                .or_default()
                .push(objects[cands[ci].entry]);
        }
    }
    for (key, list) in &upns {
        for &ci in list {
            upn_holders
                .entry(key.clone())
                .or_default()
                .push(objects[cands[ci].entry]);
        }
    }
    let mut refuse = |ci: usize, holders: Option<&Vec<usize>>, what: String| {
        let me = objects[cands[ci].entry];
        let mut others: Vec<usize> = holders
            .into_iter()
            .flatten()
            .copied()
            .filter(|&o| o != me)
            .collect();
        if others.is_empty() {
            return;
        }
        others.sort_unstable();
        others.dedup();
        // `objects` maps entries to object ids, which are entry indices of first records.
        cands[ci].refused = Some(Box::new((
            what,
            others.iter().map(|&o| entries[o].dn.to_string()).collect(),
        )));
    };
    for ((dns, name), list) in &upns {
        for &ci in list {
            refuse(
                ci,
                sam_holders.get(&(dns.clone(), name.clone())),
                format!("collision: the new UPN '{name}@{dns}' is another account's logon name (its sAMAccountName '{name}' in the domain {dns}); Samba AD refuses it, and Kerberos could not tell the two apart"),
            );
        }
    }
    for ((dns, name), list) in &sams {
        for &ci in list {
            refuse(
                ci,
                upn_holders.get(&(dns.clone(), name.clone())),
                format!("collision: another account's UPN is '{name}@{dns}', the logon name the new sAMAccountName '{name}' gives in the domain {dns}; Samba AD refuses it, and Kerberos could not tell the two apart"),
            );
        }
    }
}

/// Refuse the proxyAddresses changes of one object (`group`, the candidates of one entry's
/// proxyAddresses) that would leave its SMTP addresses without a primary or with one
/// primary more than it has: an edit or removal of the `SMTP:` address (a CSV row demoting
/// it to `smtp:`, a REMOVE) when no other change promotes another address and `smtp:`
/// addresses remain, or a promotion when nothing demotes the current primary. Exchange
/// keeps exactly one primary, and Entra reads it as the object's address. Judged again
/// until nothing more is refused: a refused demotion can make a promotion one too many.
fn keep_one_primary(group: &mut [Candidate<'_>]) {
    let primary = |v: &[u8]| v.starts_with(b"SMTP:");
    let secondary =
        |v: &[u8]| !primary(v) && crate::index::is_smtp_proxy(&String::from_utf8_lossy(v));
    let had = group[0].before.iter().filter(|v| primary(v)).count();
    loop {
        // The values once every standing change is applied.
        let (primaries, secondaries) = {
            let mut after: Vec<&[u8]> = group[0].before.iter().map(|v| &**v).collect();
            for c in group.iter().filter(|c| c.refused.is_none()) {
                for o in &c.old {
                    if let Some(k) = after.iter().position(|v| *v == &**o) {
                        after.remove(k);
                    }
                }
                after.extend(c.new.iter().map(Vec::as_slice));
            }
            (
                after.iter().filter(|v| primary(v)).count(),
                after.iter().filter(|v| secondary(v)).count(),
            )
        };
        let lost = had > 0 && primaries == 0 && secondaries > 0;
        let extra = primaries > had.max(1);
        if !lost && !extra {
            return;
        }
        let mut refused_any = false;
        for c in group.iter_mut().filter(|c| c.refused.is_none()) {
            let takes = c.old.iter().any(|v| primary(v)) && !c.new.iter().any(|v| primary(v));
            let gives = c.new.iter().any(|v| primary(v)) && !c.old.iter().any(|v| primary(v));
            let reason = if lost && takes {
                "primary: the object would be left with smtp: addresses and no SMTP: primary (promote another address in the same run, or keep this one)"
            } else if extra && gives {
                "primary: the object would have a second SMTP: primary address (demote the current one to smtp: in the same run)"
            } else {
                continue;
            };
            c.refused = Some(Box::new((reason.to_string(), vec![])));
            refused_any = true;
        }
        if !refused_any {
            return;
        }
    }
}

/// A key a change writes, as `resolve_objects` computes it: namespace, text and the
/// text's hash under the run's one hasher (computed once).
type WrittenKey = (Namespace, String, u64);

/// What the map of written keys hashes and compares: the precomputed hash, then
/// namespace and text exactly. Implemented by the stored keys and by look-up probes, so
/// a probe borrowing a scratch buffer finds a stored key (`Borrow<dyn KeyView>`).
trait KeyView {
    fn view(&self) -> (u64, Namespace, &str);
}

impl Hash for dyn KeyView + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.view().0);
    }
}

impl PartialEq for dyn KeyView + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.view() == other.view()
    }
}

impl Eq for dyn KeyView + '_ {}

/// A written key in the map: a pointer to its entry in `keys`.
struct Stored<'k>(&'k WrittenKey);

impl KeyView for Stored<'_> {
    fn view(&self) -> (u64, Namespace, &str) {
        (self.0 .2, self.0 .0, &self.0 .1)
    }
}

impl Hash for Stored<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self as &dyn KeyView).hash(state);
    }
}

impl PartialEq for Stored<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self as &dyn KeyView) == (other as &dyn KeyView)
    }
}

impl Eq for Stored<'_> {}

impl<'k: 'q, 'q> Borrow<dyn KeyView + 'q> for Stored<'k> {
    fn borrow(&self) -> &(dyn KeyView + 'q) {
        self
    }
}

/// A key looked up in the map of written keys (a value of the export, folded into a
/// scratch buffer).
struct Probe<'p> {
    hash: u64,
    ns: Namespace,
    text: &'p str,
}

impl KeyView for Probe<'_> {
    fn view(&self) -> (u64, Namespace, &str) {
        (self.hash, self.ns, self.text)
    }
}

/// The hasher of maps keyed by [`Stored`]: the key's hash is already computed (and
/// well mixed), so it is used as is.
#[derive(Clone, Copy, Default)]
struct PreHashed;

impl BuildHasher for PreHashed {
    type Hasher = PreHashedHasher;
    fn build_hasher(&self) -> PreHashedHasher {
        PreHashedHasher(0)
    }
}

/// See [`PreHashed`]: takes the one `u64` a [`KeyView`] writes.
struct PreHashedHasher(u64);

impl Hasher for PreHashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u64(&mut self, h: u64) {
        self.0 = h;
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only a `KeyView` is hashed with this hasher, and it writes one u64; anything else
        // still gets a usable (if slow) hash.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
}

/// A Bloom filter over the written keys' hashes (two probes, about 8 bits per key):
/// small enough to stay in a core's cache, so the export's values that hold no written
/// key (nearly all of them) are answered without a cache miss in the larger map.
/// "Maybe" answers are then looked up in the map, so the filter never changes a result.
struct HashFilter {
    bits: Vec<u64>,
    mask: u64,
}

impl HashFilter {
    fn new(keys: usize) -> Self {
        let bits = keys.saturating_mul(8).next_power_of_two().max(64);
        HashFilter {
            bits: vec![0; bits / 64],
            mask: bits as u64 - 1,
        }
    }

    fn probes(&self, h: u64) -> [u64; 2] {
        [h & self.mask, h.rotate_left(32) & self.mask]
    }

    fn insert(&mut self, h: u64) {
        for p in self.probes(h) {
            self.bits[(p >> 6) as usize] |= 1 << (p & 63);
        }
    }

    fn may_contain(&self, h: u64) -> bool {
        self.probes(h)
            .iter()
            .all(|&p| self.bits[(p >> 6) as usize] & (1 << (p & 63)) != 0)
    }
}

/// The objects holding or writing one key, in the order first seen, each once: nearly
/// always a single one, kept without an allocation.
#[derive(Default)]
struct Owners {
    first: Option<usize>,
    more: Vec<usize>,
}

impl Owners {
    fn add(&mut self, o: usize) {
        match self.first {
            None => self.first = Some(o),
            Some(f) if f == o => {}
            Some(_) => {
                if !self.more.contains(&o) {
                    self.more.push(o);
                }
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.first.into_iter().chain(self.more.iter().copied())
    }
}

/// The candidates (or refusals) of one (entry, attribute) group of proposals.
fn group_candidates<'e>(
    entries: &'e [Entry<'_>],
    ps: &[Proposal],
    cands: &mut Vec<Candidate<'e>>,
    refused: &mut Vec<Refusal>,
) {
    let (ei, attr) = (ps[0].entry, ps[0].attr);
    let e = &entries[ei];
    let before: Vec<Cow<'e, [u8]>> = e.all(attr).map(|v| Cow::Borrowed(v.bytes())).collect();
    let last_kind = ps
        .last()
        .map(|p| p.kind.clone())
        .unwrap_or(ChangeKind::CsvEdit);
    let check_upn = ps.iter().any(|p| p.check_upn);
    if !changeable(attr) {
        for p in ps {
            refused.push(proposal_refusal(
                e,
                p,
                format!("not changeable by modify: {}", attr.ldap_name()),
            ));
        }
        return;
    }
    if is_multi(attr) {
        let mut consumed: Vec<Vec<u8>> = Vec::new();
        let mut added: Vec<String> = Vec::new();
        for p in ps {
            let (old, new) = match &p.op {
                Op::ReplaceValue { old, new } => (Some(old), new.as_ref()),
                Op::AddValue(v) => (None, Some(v)),
                Op::Set(v) => (None, v.as_ref()),
            };
            let mut c = Candidate {
                entry: ei,
                attr,
                before: before.clone(),
                old: old.map(|o| Cow::Owned(o.clone())).into_iter().collect(),
                new: new.cloned().into_iter().collect(),
                kind: p.kind.clone(),
                check_upn: p.check_upn,
                row: p.row,
                refused: None,
            };
            if let Some(o) = old {
                if !before.iter().any(|b| **b == **o) {
                    c.refused = Some(Box::new((
                        "stale: the value is not in the export".into(),
                        vec![],
                    )));
                } else if consumed.contains(o) {
                    c.refused = Some(Box::new((
                        "conflict: the value is already changed by another proposal".into(),
                        vec![],
                    )));
                } else {
                    consumed.push(o.clone());
                }
            }
            if c.refused.is_none() {
                if let Some(n) = new {
                    let nk = String::from_utf8_lossy(n).to_lowercase();
                    let clash = before.iter().any(|b| {
                        Some(&**b) != old.map(Vec::as_slice)
                            && String::from_utf8_lossy(b).to_lowercase() == nk
                    });
                    if clash || added.contains(&nk) {
                        c.refused = Some(Box::new((
                            "exists: the object already has this value".into(),
                            vec![],
                        )));
                    } else if n.is_empty() {
                        c.refused = Some(Box::new((
                            "empty: an empty value cannot be written".into(),
                            vec![],
                        )));
                    } else if old == Some(n) {
                        continue; // no change
                    } else {
                        added.push(nk);
                    }
                }
            }
            cands.push(c);
        }
    } else {
        if before.len() > 1 {
            for p in ps {
                refused.push(proposal_refusal(
                    e,
                    p,
                    format!(
                        "multiple values: {} has {} values where one is expected",
                        attr.ldap_name(),
                        before.len()
                    ),
                ));
            }
            return;
        }
        // The value as composed so far, borrowed from the export or a proposal.
        let mut cur: Option<&[u8]> = before.first().map(|b| &**b);
        let mut stale = None;
        for p in ps {
            match &p.op {
                Op::Set(v) => cur = v.as_deref(),
                Op::ReplaceValue { old, new } => {
                    if cur == Some(old.as_slice()) {
                        cur = new.as_deref();
                    } else {
                        stale = Some(p);
                    }
                }
                Op::AddValue(v) => {
                    if cur.is_none() {
                        cur = Some(v);
                    } else {
                        stale = Some(p);
                    }
                }
            }
        }
        if let Some(p) = stale {
            refused.push(proposal_refusal(
                e,
                p,
                "stale: the value is not in the export".into(),
            ));
            return;
        }
        if cur == before.first().map(|b| &**b) {
            return; // no net change
        }
        let empty = cur.is_some_and(<[u8]>::is_empty);
        let new = cur.map(<[u8]>::to_vec).into_iter().collect();
        let mut c = Candidate {
            entry: ei,
            attr,
            old: before.clone(),
            before,
            new,
            kind: last_kind,
            check_upn,
            row: ps.last().and_then(|p| p.row),
            refused: None,
        };
        if empty {
            c.refused = Some(Box::new((
                "empty: an empty value cannot be written (remove the attribute instead)".into(),
                vec![],
            )));
        }
        cands.push(c);
    }
}

/// The value an operation writes, as text (empty for a removal).
pub(crate) fn op_text(op: &Op) -> String {
    match op {
        Op::Set(v) | Op::ReplaceValue { new: v, .. } => v.as_deref().map(text).unwrap_or_default(),
        Op::AddValue(v) => text(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldif::{Item, Parser};

    /// Everything in scope; findings as given; a UPN fails when it has a space.
    struct T {
        findings: Vec<(usize, Finding)>,
    }

    impl Checks for T {
        fn in_scope(&self, e: &Entry<'_>) -> bool {
            !e.dn.starts_with("CN=Skip")
        }
        fn findings(&self, e: &Entry<'_>) -> Vec<Finding> {
            self.findings
                .iter()
                .filter(|(l, _)| *l as u64 == e.line)
                .map(|(_, f)| f.clone())
                .collect()
        }
        fn upn_problem(&self, _e: &Entry<'_>, upn: &str) -> Option<String> {
            upn.contains(' ').then(|| "Character".to_string())
        }
    }

    fn entries(s: &str) -> Vec<Entry<'_>> {
        Parser::new(s.as_bytes())
            .filter_map(|i| match i.unwrap() {
                Item::Record(r) => Entry::from_record(0, r),
                _ => None,
            })
            .collect()
    }

    /// A generated two-domain forest (ldifde export) full of planted problems.
    fn planted_forest(users: u64, groups: u64, contacts: u64) -> Vec<u8> {
        let gen = crate::generate::Generator::new(crate::generate::Options {
            users,
            groups,
            contacts,
            domains: vec!["contoso.local".into(), "emea.contoso.com".into()],
            defect_rate: 0.6,
            local_upn_share: 0.3,
            ..Default::default()
        })
        .unwrap();
        let mut forest = Vec::new();
        gen.write(&mut forest, &|_| {}).unwrap();
        forest
    }

    /// `plan_fix_with` groups each entry's proposals into candidate changes as soon as they
    /// are made; the plan must be the one [`resolve_objects`] makes of all proposals at
    /// once (how `apply-csv` plans): same changes, same refusals in the same order, on a
    /// generated forest full of planted problems, for suffix rewrites, UPNs from mail and
    /// every accepted fix (duplicates included).
    #[test]
    fn grouping_proposals_per_entry_plans_what_grouping_them_all_plans() {
        let forest = planted_forest(2000, 100, 200);
        // Some objects exported twice (records repeating a DN).
        let text = String::from_utf8(forest).unwrap();
        let first = text.find("\ndn:").unwrap() + 1;
        let upto =
            first + text[first + text.len() / 50..].find("\ndn:").unwrap() + text.len() / 50 + 1;
        let mut input = text.clone();
        input.push('\n');
        input.push_str(&text[first..upto]);
        // Accepted fixes giving an object a value it already has: refused while grouping
        // its proposals.
        input.push_str(
            "\ndn: CN=Twice,OU=Staff,DC=contoso,DC=local\nobjectClass: user\n\
             sAMAccountName: twice\nuserPrincipalName: twice@contoso.local\n\
             mail: twice@contoso.com\nproxyAddresses: SMTP:twice@contoso.com\n\
             proxyAddresses: smtp:twice@contoso.com \nproxyAddresses: smtp:tw ice@contoso.com\n",
        );
        let entries = entries(&input);
        let checks = crate::rewrite::checks::EntraChecks::new(&crate::rules::RuleConfig::default());
        let suffix = |old: &str, new: &str| SuffixRewrite {
            old: old.into(),
            new: new.into(),
        };
        let mut all_rules: Vec<String> = crate::rules::entra::RULE_IDS
            .iter()
            .map(|r| r.to_string())
            .collect();
        all_rules.push("Duplicate".into());
        let runs = [
            FixOptions {
                upn_suffixes: vec![suffix("contoso.local", "contoso.com")],
                ..Default::default()
            },
            FixOptions {
                upn_suffixes: vec![suffix("contoso.com", "emea.contoso.com")],
                ..Default::default()
            },
            FixOptions {
                upn_from_mail: true,
                verified_domains: vec!["contoso.com".into(), "fabrikam.com".into()],
                ..Default::default()
            },
            FixOptions {
                upn_suffixes: vec![suffix("contoso.local", "contoso.com")],
                accept: all_rules,
                ..Default::default()
            },
        ];
        for opts in &runs {
            let hasher = ahash::RandomState::new();
            let facts: Vec<EntryFacts> = entries
                .iter()
                .map(|e| EntryFacts::of(e, &checks, &hasher))
                .collect();
            let fused = plan_fix_with(&entries, &facts, opts, &checks);

            // All proposals first, then resolved together.
            let hashes: Vec<u64> = facts.iter().map(|f| f.dn_hash).collect();
            let objects = number_objects(&entries, &hashes);
            let verified: HashSet<String> = opts.verified().into_iter().collect();
            let mut out = EntryProposals::default();
            for (i, e) in entries.iter().enumerate() {
                if objects[i] == i && facts[i].in_scope {
                    if e.non_utf8 || e.lossy {
                        let mut mine = EntryProposals::default();
                        propose_entry(i, e, facts[i].user, opts, &verified, &checks, &mut mine);
                        refuse_non_utf8(e, mine, NON_UTF8_REASON, &mut out);
                    } else {
                        propose_entry(i, e, facts[i].user, opts, &verified, &checks, &mut out);
                    }
                }
            }
            let mut refused = out.refused;
            refused.extend(duplicate_refusals(&entries, &facts, &objects, &opts.accept));
            let mut whole = resolve_objects(&entries, &objects, out.props, &checks);
            refused.append(&mut whole.refused);
            whole.refused = refused;

            assert!(!fused.changes.is_empty(), "{opts:?}");
            assert!(!fused.refused.is_empty(), "{opts:?}");
            assert_eq!(fused.changes, whole.changes, "{opts:?}");
            assert_eq!(fused.refused, whole.refused, "{opts:?}");
            if !opts.accept.is_empty() {
                let reasons = |p: &str| {
                    fused
                        .refused
                        .iter()
                        .filter(|r| r.reason.starts_with(p))
                        .count()
                };
                assert!(
                    reasons("exists") > 0 && reasons("duplicate") > 0,
                    "{:?}",
                    fused.refusals_by_reason()
                );
            }
        }
    }

    /// `fix` without `--accept` reads only the attributes of [`read_class_without_accept`]:
    /// every entry must get the same facts (scope, user, DN) and keep the same values as
    /// when every known attribute is read, on a generated forest full of planted problems
    /// (every object kind, excluded objects, groups, contacts) and the shipped samples.
    #[test]
    fn reading_fewer_attributes_changes_no_fact_and_no_kept_value() {
        let forest = planted_forest(3000, 200, 300);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        // Objects each left out of scope by one attribute alone, next to their twins.
        let mut one_by_one = String::new();
        for (i, (class, extra)) in [
            ("user", "isCriticalSystemObject: TRUE"),
            ("user", "msExchRecipientTypeDetails: 8388608"),
            ("user", "mailNickname: CAS_{x}"),
            (
                "user",
                "msExchHideFromAddressLists: TRUE\ndisplayName: MSOL_1",
            ),
            ("user", "sAMAccountName: MSOL_1"),
            ("group", "groupType: 2"),
            ("group", "groupType: 2\nmail: g@contoso.com"),
            ("group", "groupType: 2\nproxyAddresses: SMTP:g@contoso.com"),
            ("group", "msExchRecipientTypeDetails: 1073741824"),
            ("contact", "targetAddress: SMTP:c@fabrikam.com"),
            ("contact", "mail: c@fabrikam.com"),
            ("user", "cn: MSOL_x"),
        ]
        .into_iter()
        .enumerate()
        {
            for twin in [false, true] {
                let sam = if class == "user" && !extra.contains("sAMAccountName") {
                    format!("sAMAccountName: u{i}\n")
                } else {
                    String::new()
                };
                one_by_one.push_str(&format!(
                    "dn: CN=O{i}{twin},DC=contoso,DC=local\nobjectClass: {class}\n{sam}\
                     userPrincipalName: o{i}@contoso.local\n{}\n",
                    if twin { "" } else { extra }
                ));
                one_by_one.push('\n');
            }
        }
        let mut inputs = vec![forest, one_by_one.into_bytes()];
        for f in ["contoso-sample.ldf", "samba/planted.ldif"] {
            inputs.push(std::fs::read(root.join(f)).unwrap());
        }
        let checks = crate::rewrite::checks::EntraChecks::new(&crate::rules::RuleConfig::default());
        let hasher = ahash::RandomState::new();
        let read = |bytes: &[u8], classes: fn(&str) -> crate::ldif::Keep| {
            // Per entry: DN hash, in scope, user, line, values kept.
            type Read = (u64, bool, bool, u64, Vec<(Attr, String)>);
            let mut out: Vec<Read> = Vec::new();
            for item in Parser::new(bytes).with_attr_classes(classes) {
                if let Item::Record(r) = item.unwrap() {
                    if let Some(mut e) = Entry::from_record(0, r) {
                        let f = EntryFacts::of(&e, &checks, &hasher);
                        e.retain_values(|v| read_without_accept(v.attr, &v.text));
                        let kept = e.values().iter().map(|v| (v.attr, v.text.to_string()));
                        out.push((f.dn_hash, f.in_scope, f.user, e.line, kept.collect()));
                    }
                }
            }
            out
        };
        let mut in_scope = 0;
        for bytes in &inputs {
            let all = read(bytes, Attr::read_class);
            let fewer = read(bytes, read_class_without_accept);
            assert_eq!(all, fewer);
            in_scope += all.iter().filter(|e| e.1).count();
            assert!(all.iter().any(|e| !e.1), "some entries are out of scope");
        }
        assert!(in_scope > 3000);
    }

    fn suffix(o: &str, n: &str) -> FixOptions {
        FixOptions {
            upn_suffixes: vec![SuffixRewrite {
                old: o.into(),
                new: n.into(),
            }],
            ..FixOptions::default()
        }
    }

    const NONE: T = T {
        findings: Vec::new(),
    };

    #[test]
    fn suffix_rewrite_is_case_insensitive_and_keeps_the_prefix() {
        assert_eq!(
            rewrite_suffix(
                b"Jane.Doe@Contoso.Local",
                &suffix("contoso.local", "contoso.com").upn_suffixes
            ),
            Some(b"Jane.Doe@contoso.com".to_vec())
        );
        // Only after the last @, and only a whole suffix.
        assert_eq!(
            rewrite_suffix(
                b"a@contoso.local@x.org",
                &suffix("contoso.local", "contoso.com").upn_suffixes
            ),
            None
        );
        assert_eq!(
            rewrite_suffix(
                b"a@sub.contoso.local",
                &suffix("contoso.local", "contoso.com").upn_suffixes
            ),
            None
        );
    }

    #[test]
    fn plans_only_old_suffixes_in_scope() {
        let es = entries(
            "dn: CN=A,DC=x\nuserPrincipalName: Jane@Contoso.LOCAL\n\n\
             dn: CN=B,DC=x\nuserPrincipalName: bob@fabrikam.com\n\n\
             dn: CN=Skip,DC=x\nuserPrincipalName: s@contoso.local\n",
        );
        let p = plan_fix(&es, &suffix("contoso.local", "contoso.com"), &NONE);
        assert_eq!(p.changes.len(), 1);
        assert_eq!(p.changes[0].dn, "CN=A,DC=x");
        let m = &p.changes[0].mods[0];
        assert_eq!(m.new, vec![b"Jane@contoso.com".to_vec()]);
        assert_eq!(m.before, vec![b"Jane@Contoso.LOCAL".to_vec()]);
        assert!(p.refused.is_empty());
    }

    #[test]
    fn collisions_are_refused_with_both_dns() {
        let es = entries(
            "dn: CN=A,DC=x\nuserPrincipalName: a@contoso.local\n\n\
             dn: CN=B,DC=x\nuserPrincipalName: b@contoso.local\n\n\
             dn: CN=C,DC=x\nuserPrincipalName: c@contoso.local\n\n\
             dn: CN=D,DC=x\nuserPrincipalName: D@contoso.local\n\n\
             dn: CN=E,DC=x\nuserPrincipalName: d@CONTOSO.local\n\n\
             dn: CN=HoldA,DC=x\nuserPrincipalName: A@Contoso.com\n\n\
             dn: CN=HoldB,DC=x\nmail: B@contoso.com\n\n\
             dn: CN=HoldC,DC=x\nproxyAddresses: smtp:c@contoso.COM\n",
        );
        let p = plan_fix(&es, &suffix("contoso.local", "contoso.com"), &NONE);
        assert!(p.changes.is_empty(), "{:?}", p.changes);
        let mut got: Vec<(String, Vec<String>)> = p
            .refused
            .iter()
            .map(|r| (r.dn.clone(), r.conflicting_dns.clone()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("CN=A,DC=x".into(), vec!["CN=HoldA,DC=x".into()]),
                ("CN=B,DC=x".into(), vec!["CN=HoldB,DC=x".into()]),
                ("CN=C,DC=x".into(), vec!["CN=HoldC,DC=x".into()]),
                ("CN=D,DC=x".into(), vec!["CN=E,DC=x".into()]),
                ("CN=E,DC=x".into(), vec!["CN=D,DC=x".into()]),
            ]
        );
        assert!(p.refused.iter().all(|r| r.reason.starts_with("collision")));
    }

    #[test]
    fn own_values_do_not_collide() {
        let es = entries(
            "dn: CN=A,DC=x\nuserPrincipalName: a@contoso.local\nmail: a@contoso.com\nproxyAddresses: SMTP:a@contoso.com\n",
        );
        let p = plan_fix(&es, &suffix("contoso.local", "contoso.com"), &NONE);
        assert_eq!(p.changes.len(), 1);
        assert!(p.refused.is_empty());
    }

    #[test]
    fn failing_upn_is_refused() {
        let es = entries("dn: CN=A,DC=x\nuserPrincipalName: a b@contoso.local\n\ndn: CN=B,DC=x\nuserPrincipalName: j\u{f6}rg@contoso.local\n");
        let p = plan_fix(&es, &suffix("contoso.local", "contoso.com"), &NONE);
        assert!(p.changes.is_empty());
        assert_eq!(p.refused.len(), 2);
        assert_eq!(p.refused[0].reason, "entra: Character");
        assert_eq!(
            p.refused[1].reason,
            "entra: the new UPN is not ASCII (\u{f6}); --accept upn-diacritic repairs it first"
        );
        assert_eq!(
            not_ascii_reason("zero\u{200b}width@x.com"),
            "entra: the new UPN is not ASCII (it holds invisible characters); --accept upn-invisible repairs it first"
        );
        assert_eq!(
            not_ascii_reason("\u{5f20}@x.com"),
            "entra: the new UPN is not ASCII"
        );
    }

    #[test]
    fn upn_from_mail_needs_a_verified_domain() {
        let es = entries(
            "dn: CN=A,DC=x\nobjectClass: user\nuserPrincipalName: a@contoso.local\nmail: a.m@contoso.com\nproxyAddresses: smtp:x@contoso.com\nproxyAddresses: SMTP:Anna@Contoso.com\n\n\
             dn: CN=B,DC=x\nobjectClass: user\nuserPrincipalName: b@contoso.local\nmail: b@other.org\n\n\
             dn: CN=C,DC=x\nobjectClass: user\nproxyAddresses: SMTP:c1@contoso.com\nproxyAddresses: SMTP:c2@contoso.com\n",
        );
        let opts = FixOptions {
            upn_from_mail: true,
            verified_domains: vec!["Contoso.com".into()],
            ..FixOptions::default()
        };
        let p = plan_fix(&es, &opts, &NONE);
        assert_eq!(p.changes.len(), 1);
        assert_eq!(p.changes[0].mods[0].new, vec![b"Anna@Contoso.com".to_vec()]);
        assert_eq!(p.changes[0].mods[0].kind, ChangeKind::UpnFromMail);
        assert_eq!(p.unverified_mail, 1);
        assert_eq!(p.refused.len(), 1);
        assert!(p.refused[0].reason.starts_with("ambiguous"));
    }

    fn finding(
        attr: Attr,
        value: &str,
        errors: Vec<ErrorName>,
        update: Option<&str>,
        action: Action,
    ) -> Finding {
        Finding {
            attr,
            attribute: attr.ldap_name(),
            value: value.into(),
            errors,
            rules: vec!["test-rule"],
            update: update.map(String::from),
            action,
        }
    }

    #[test]
    fn accepted_findings_compose_with_the_suffix_rewrite() {
        let es = entries(
            "dn: CN=A,DC=x\nuserPrincipalName: a b@contoso.local\nproxyAddresses: smtp:a b@contoso.local\nproxyAddresses: SMTP:a@contoso.local\nmail: dup@x.com\n",
        );
        let t = T {
            findings: vec![
                (
                    1,
                    finding(
                        Attr::UserPrincipalName,
                        "a b@contoso.local",
                        vec![ErrorName::Character],
                        Some("ab@contoso.local"),
                        Action::Edit,
                    ),
                ),
                (
                    1,
                    finding(
                        Attr::ProxyAddresses,
                        "smtp:a b@contoso.local",
                        vec![ErrorName::Character],
                        Some("smtp:ab@contoso.local"),
                        Action::Edit,
                    ),
                ),
                (
                    1,
                    finding(
                        Attr::Mail,
                        "dup@x.com",
                        vec![ErrorName::Duplicate],
                        Some(""),
                        Action::Edit,
                    ),
                ),
            ],
        };
        let mut opts = suffix("contoso.local", "contoso.com");
        opts.accept = vec!["character".into(), "Duplicate".into()];
        let p = plan_fix(&es, &opts, &t);
        assert_eq!(p.changes.len(), 1);
        let mods = &p.changes[0].mods;
        assert_eq!(mods.len(), 2);
        let proxy = mods
            .iter()
            .find(|m| m.attr == Attr::ProxyAddresses)
            .unwrap();
        assert_eq!(proxy.old, vec![b"smtp:a b@contoso.local".to_vec()]);
        assert_eq!(proxy.new, vec![b"smtp:ab@contoso.local".to_vec()]);
        assert_eq!(proxy.before.len(), 2);
        let upn = mods
            .iter()
            .find(|m| m.attr == Attr::UserPrincipalName)
            .unwrap();
        assert_eq!(upn.new, vec![b"ab@contoso.com".to_vec()]);
        assert_eq!(p.refused.len(), 1);
        assert!(p.refused[0].reason.starts_with("duplicate"));
    }

    #[test]
    fn stale_and_multi_valued_are_refused() {
        let es =
            entries("dn: CN=A,DC=x\nmail: a@x.com\nmail: b@x.com\nproxyAddresses: smtp:p@x.com\n");
        let props = vec![
            Proposal {
                entry: 0,
                attr: Attr::Mail,
                op: Op::Set(Some(b"c@x.com".to_vec())),
                kind: ChangeKind::CsvEdit,
                check_upn: true,
                row: None,
            },
            Proposal {
                entry: 0,
                attr: Attr::ProxyAddresses,
                op: Op::ReplaceValue {
                    old: b"smtp:gone@x.com".to_vec(),
                    new: None,
                },
                kind: ChangeKind::CsvRemove,
                check_upn: true,
                row: None,
            },
            Proposal {
                entry: 0,
                attr: Attr::ProxyAddresses,
                op: Op::ReplaceValue {
                    old: b"smtp:p@x.com".to_vec(),
                    new: None,
                },
                kind: ChangeKind::CsvRemove,
                check_upn: true,
                row: None,
            },
        ];
        let p = resolve(&es, props, &NONE);
        assert_eq!(p.refused.len(), 2);
        assert!(p.refused[0].reason.starts_with("multiple values"));
        assert!(p.refused[1].reason.starts_with("stale"));
        assert_eq!(p.changes[0].mods.len(), 1);
        assert!(p.changes[0].mods[0].new.is_empty());
    }

    #[test]
    fn a_dn_exported_twice_is_one_object() {
        let es = entries(
            "dn: CN=A,DC=x\nuserPrincipalName: a@contoso.local\nmail: a@contoso.com\n\n\
             dn: cn=a, dc=X\nuserPrincipalName: a@contoso.local\nmail: a@contoso.com\n",
        );
        let p = plan_fix(&es, &suffix("contoso.local", "contoso.com"), &NONE);
        assert!(p.refused.is_empty(), "{:?}", p.refused);
        assert_eq!(p.changes.len(), 1);
    }

    #[test]
    fn objects_with_colliding_dn_hashes_stay_apart() {
        let es = entries("dn: CN=A,DC=x\ncn: A\n\ndn: CN=B,DC=x\ncn: B\n\ndn: cn=a,dc=x\ncn: A\n\ndn: cn=b,dc=x\ncn: B\n");
        // Every hash the same, as if all four DNs collided: only equal DNs are merged.
        assert_eq!(number_objects(&es, &[7, 7, 7, 7]), [0, 1, 0, 1]);
        assert_eq!(object_ids(&es), [0, 1, 0, 1]);
    }

    #[test]
    fn a_proxy_value_is_added_once() {
        let es = entries(
            "dn: CN=A,DC=x\nproxyAddresses: smtp:a b@x.com\nproxyAddresses: smtp:a\tb@x.com\n",
        );
        let props = ["smtp:a b@x.com", "smtp:a\tb@x.com"]
            .iter()
            .map(|old| Proposal {
                entry: 0,
                attr: Attr::ProxyAddresses,
                op: Op::ReplaceValue {
                    old: old.as_bytes().to_vec(),
                    new: Some(b"smtp:ab@x.com".to_vec()),
                },
                kind: ChangeKind::Accepted("proxy-character".into()),
                check_upn: true,
                row: None,
            })
            .collect();
        let p = resolve(&es, props, &NONE);
        assert_eq!(p.change_count(), 1);
        assert_eq!(p.refused.len(), 1);
        assert!(p.refused[0].reason.starts_with("exists"));
    }

    /// Users whose new UPNs collide with a `mail`, an SMTP proxy, a `targetAddress`, each
    /// other, and objects that do not change; one whose new UPN is only a SIP and X.500
    /// address elsewhere (no collision); plus values of every other attribute.
    const FOREST: &str = "\
dn: CN=A,DC=contoso,DC=local
objectClass: user
cn: A
displayName: A Person
sAMAccountName: a
mailNickname: a
userPrincipalName: a@contoso.local
mail: a@contoso.com
proxyAddresses: SMTP:a@contoso.com
proxyAddresses: smtp:alias@contoso.com
proxyAddresses: X500:/o=Contoso/ou=Exchange/cn=Recipients/cn=a

dn: CN=B,DC=contoso,DC=local
objectClass: user
sAMAccountName: b
userPrincipalName: b@contoso.local
givenName: B

dn: CN=B Mail,DC=contoso,DC=local
objectClass: contact
mail: b@contoso.com

dn: CN=C,DC=contoso,DC=local
objectClass: user
userPrincipalName: c@contoso.local
proxyAddresses: SMTP:c.primary@contoso.com

dn: CN=C Proxy,DC=contoso,DC=local
objectClass: group
proxyAddresses: smtp:c@contoso.com

dn: CN=D,DC=contoso,DC=local
objectClass: user
userPrincipalName: d@contoso.local

dn: CN=D Target,DC=contoso,DC=local
objectClass: contact
targetAddress: SMTP:d@contoso.com

dn: CN=E,DC=contoso,DC=local
objectClass: user
userPrincipalName: e@contoso.local

dn: CN=E2,DC=contoso,DC=local
objectClass: user
userPrincipalName: E@Contoso.Local
mail: e.two@contoso.com

dn: CN=F,DC=contoso,DC=local
objectClass: user
objectClass: computer
userPrincipalName: f@contoso.local
mail: f@contoso.com

dn: CN=G,DC=contoso,DC=local
objectClass: user
userPrincipalName: g@contoso.local
userPrincipalName: g2@contoso.local
proxyAddresses: SMTP:g@contoso.com
proxyAddresses: SMTP:g2@contoso.com

dn: CN=K,DC=contoso,DC=local
objectClass: user
userPrincipalName: k@contoso.local

dn: CN=K Voice,DC=contoso,DC=local
objectClass: contact
proxyAddresses: SIP:k@contoso.com
proxyAddresses: X500:k@contoso.com
targetAddress: SIP:k@contoso.com

dn: CN=H,DC=contoso,DC=local
objectClass: user
userPrincipalName: h x@contoso.local
mail: nice@fabrikam.com
";

    /// What `fix` does without `--accept` (drop every value planning does not read)
    /// changes nothing in the plan.
    #[test]
    fn dropping_unread_values_does_not_change_the_plan() {
        let all = entries(FOREST);
        // As `fix` does: facts first, from the whole entry, then the values dropped.
        let hasher = ahash::RandomState::new();
        let mut pruned = entries(FOREST);
        let facts: Vec<EntryFacts> = pruned
            .iter_mut()
            .map(|e| {
                let f = EntryFacts::of(e, &NONE, &hasher);
                e.retain_values(|v| read_without_accept(v.attr, &v.text));
                f
            })
            .collect();
        assert!(
            pruned.iter().map(|e| e.values().len()).sum::<usize>()
                < all.iter().map(|e| e.values().len()).sum::<usize>()
        );
        let suffix = vec![SuffixRewrite {
            old: "contoso.local".into(),
            new: "contoso.com".into(),
        }];
        for opts in [
            FixOptions {
                upn_suffixes: suffix.clone(),
                ..FixOptions::default()
            },
            FixOptions {
                upn_suffixes: suffix.clone(),
                upn_from_mail: true,
                verified_domains: vec!["contoso.com".into(), "fabrikam.com".into()],
                ..FixOptions::default()
            },
        ] {
            let full = plan_fix(&all, &opts, &NONE);
            assert!(!full.changes.is_empty() && !full.refused.is_empty());
            // A SIP or X.500 address is no UPN collision, kept or dropped.
            assert!(full
                .changes
                .iter()
                .any(|c| c.dn == "CN=K,DC=contoso,DC=local"));
            assert_eq!(full, plan_fix_with(&pruned, &facts, &opts, &NONE));
        }
    }
}
