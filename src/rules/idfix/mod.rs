//! IdFix 2.6.0.3 reproduced exactly: the multi-tenant rule set (`--profile idfix`) and the
//! dedicated one (`--profile idfix-dedicated`), from `shared/idfix-rules.md` §3–§8.
//!
//! Contract:
//! * [`IdfixEngine::check`] runs IdFix's composed rules on one in-scope entry, in IdFix's
//!   attribute order, and returns one [`Row`] per failing (entry, attribute) — per value for
//!   `proxyAddresses` — plus IdFix's extra row for the first holder of a duplicate. Call it
//!   for every in-scope entry in input order (scope is decided elsewhere, by
//!   `rules::scope`); the duplicate store is shared by all calls of one engine, so the
//!   first holder in input order is never flagged by itself.
//! * The same in two steps, for a run on several cores: [`IdfixRules::prepare`] runs every
//!   rule of an entry except the duplicate store's lookups, on any core and in any order;
//!   [`DupStore::finish`], called in input order, consults and fills the store and gives
//!   the entry's rows. `check` is `finish(prepare(entry))`. This holds because a failing
//!   duplicate rule proposes the running value itself: the rules after it see the same
//!   value whatever the store says, and the store only decides whether that failure
//!   is added to the chain (at the place the rule ran) and which row marks the first
//!   holder.
//! * Each rule of a chain sees the running value: a failing rule's proposed value is fed to
//!   the next rule. A [`Finding`]'s `errors` are the ERROR cell's tokens in order (each
//!   failing rule's flags in ascending flag order, rules in chain order), `rules` the ids
//!   of the failing rules (one per failing rule, see [`crate::rules::catalog`]), `update`
//!   and `action` those of the last failing rule (`update` is `None` where IdFix's UPDATE
//!   cell would be empty).
//! * Lengths are counted in UTF-16 code units; truncation stops at a character boundary.
//!   Duplicate keys are compared case-insensitively by simple Unicode case folding
//!   ([`text::fold_key`]).
//! * Never panics, whatever the entry holds.
//!
//! Where IdFix 2.6.0.3 crashes, ldifix does this instead:
//! * An entry without `cn`: IdFix aborts the whole query; here the value of the DN's first
//!   RDN stands in for `cn` (also as the fallback value of the character rules).
//! * An entry without `objectClass`: IdFix aborts; here the object type is empty.
//! * The extra row for the first holder of a duplicate is looked up with the current
//!   entry's *original* value while the store holds *running* values; when no stored value
//!   equals it, IdFix 2.5–2.6.0.2 aborted the query ("Sequence contains no matching
//!   element", issue #73) and 2.6.0.3 swallows the exception. The row is omitted, as in
//!   2.6.0.3, and nothing else changes.
//! * Dedicated targetAddress blank rule for a contact without `mail`: IdFix throws while
//!   building the proposed `SMTP:<mail>`; here the Blank row is reported with no update.

pub mod csv;
pub mod text;

use std::cmp::Ordering;
use std::ops::Range;

use ahash::AHashMap;
use std::collections::hash_map::Entry as Slot;

use crate::model::{Attr, Entry, FileId};
use crate::rules::catalog as id;
use crate::rules::tld::TldSet;
use crate::rules::{find_byte, longer_than, truncate_utf16};
use crate::rules::{Action, EntryRef, ErrorName, Finding, Row};

use text::{flags, CharClass};

/// The uniqueness namespaces of IdFix's duplicate store (one per composed rule's attribute
/// name; no comparison across them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Mail = 0,
    MailNickname = 1,
    ProxyAddresses = 2,
    SamAccountName = 3,
    TargetAddress = 4,
    UserPrincipalName = 5,
}

/// IdFix's ATTRIBUTE strings (`mailnickname` is lower-case in IdFix's string table).
mod attr_name {
    pub const DISPLAY_NAME: &str = "displayName";
    pub const GIVEN_NAME: &str = "givenName";
    pub const MAIL: &str = "mail";
    pub const MAIL_NICKNAME: &str = "mailnickname";
    pub const PROXY_ADDRESSES: &str = "proxyAddresses";
    pub const SAM_ACCOUNT_NAME: &str = "sAMAccountName";
    pub const TARGET_ADDRESS: &str = "targetAddress";
    pub const USER_PRINCIPAL_NAME: &str = "userPrincipalName";
}

/// IdFix's duplicate store: per namespace, the first holder of every (folded) value.
#[derive(Debug, Default)]
pub struct DupStore {
    maps: [AHashMap<Box<str>, u32>; 6],
    holders: Vec<EntryRef>,
}

/// One failing primitive rule.
#[derive(Debug, Clone)]
struct Fail {
    rule: &'static str,
    flags: u16,
    update: Option<String>,
    action: Action,
}

/// A composed rule in progress: the running value and the failures so far.
#[derive(Debug)]
struct Chain {
    value: String,
    fails: Vec<Fail>,
}

impl Chain {
    fn new(value: &str) -> Chain {
        Chain {
            value: value.to_string(),
            fails: Vec::new(),
        }
    }

    /// Record a failure and feed its proposed value forward.
    fn fail(&mut self, rule: &'static str, flags: u16, update: Option<String>, action: Action) {
        self.value = update.clone().unwrap_or_default();
        self.fails.push(Fail {
            rule,
            flags,
            update,
            action,
        });
    }

    /// `StringMaxLengthRule(n)`.
    fn max_len(&mut self, rule: &'static str, n: usize) {
        if longer_than(&self.value, n) {
            let cut = truncate_utf16(&self.value, n).to_string();
            self.fail(rule, flags::LENGTH, Some(cut), Action::Edit);
        }
    }

    /// `RegexRule`: `stripped` is the value with the matches removed, `None` if no match;
    /// an empty result proposes `cn`.
    fn character(&mut self, rule: &'static str, stripped: Option<String>, cn: &str) {
        if let Some(s) = stripped {
            let update = if s.is_empty() { cn.to_string() } else { s };
            self.fail(rule, flags::CHARACTER, Some(update), Action::Edit);
        }
    }

    /// `FixProxyTargetAddressRule`: colons after the first one (not at index 0) removed.
    fn colon(&mut self, rule: &'static str) {
        if let Some(p) = find_byte(&self.value, b':') {
            let suffix = &self.value[p + 1..];
            if p > 0 && find_byte(suffix, b':').is_some() {
                let update = format!("{}:{}", &self.value[..p], suffix.replace(':', ""));
                self.fail(rule, flags::CHARACTER, Some(update), Action::Edit);
            }
        }
    }

    /// `RFC2822Rule`.
    fn rfc(&mut self, rule: &'static str, tlds: &TldSet) {
        if let Some((f, update)) = text::rfc2822_rule(&self.value, |t| tlds.idfix_tail_ok(t)) {
            self.fail(rule, f, Some(update), Action::Edit);
        }
    }

    /// `BlankStringRule` (and its dedicated subclasses, whose type test is `applies`).
    fn blank(&mut self, rule: &'static str, applies: bool, fixer: impl FnOnce() -> Option<String>) {
        if applies && self.value.is_empty() {
            let update = fixer();
            self.fail(rule, flags::BLANK, update, Action::Edit);
        }
    }
}

/// The composed result of a chain's failures: `None` when every rule passed.
fn composed(
    fails: &[Fail],
    attr: Attr,
    attribute: &'static str,
    original: Option<&str>,
) -> Option<Finding> {
    let last = fails.last()?;
    let update = last.update.clone().filter(|u| !u.is_empty());
    let action = last.action;
    let mut errors = Vec::new();
    for f in fails {
        errors.extend(
            ErrorName::ALL[..8]
                .iter()
                .copied()
                .filter(|e| f.flags & (*e as u16) != 0),
        );
    }
    Some(Finding {
        attr,
        attribute,
        value: original.unwrap_or_default().to_string(),
        errors,
        rules: fails.iter().map(|f| f.rule).collect(),
        update,
        action,
    })
}

/// What one `prepare` call knows about its entry.
struct Ctx<'a, 'e, 'o> {
    entry: &'a Entry<'e>,
    cn: String,
    object_type: String,
    /// The duplicate rule of the composed rule being built, once it has run.
    probe: Option<Probe>,
    /// Where the composed rules that failed or consult the store go, in IdFix's order.
    out: &'o mut Prepared,
}

impl Ctx<'_, '_, '_> {
    /// Append `s` to the results' text buffer; its range there.
    fn keep(&mut self, s: &str) -> Range<usize> {
        self.out.keep(s)
    }

    fn is_type(&self, t: &str) -> bool {
        self.object_type.eq_ignore_ascii_case(t)
    }
}

/// A composed rule run up to the duplicate store: its failures without the duplicate
/// one, and what the duplicate rule needs to decide. Texts are ranges of
/// [`Prepared::text`].
#[derive(Debug)]
struct Pending {
    attr: Attr,
    attribute: &'static str,
    original: Option<Range<usize>>,
    ns: Option<Ns>,
    fails: Vec<Fail>,
    probe: Option<Probe>,
}

/// One duplicate rule's question to the store.
#[derive(Debug)]
struct Probe {
    ns: Ns,
    rule: &'static str,
    /// Failures of the chain before the duplicate rule ran: its own failure goes here.
    at: usize,
    /// The running value, folded ([`text::fold_key`]).
    key: Range<usize>,
    /// The running value (the proposed update of a duplicate).
    value: Range<usize>,
    /// The proposed action of a duplicate.
    action: Action,
}

/// The rule results of a run of entries (a chunk's, in input order) before the duplicate
/// store is consulted: [`IdfixRules::prepare`] appends an entry's, [`DupStore::finish`]
/// turns each entry's into rows. They are kept in a few vectors and one text buffer, so
/// a chunk's results cost a handful of allocations however many entries it holds, and
/// the thread that consults the store frees those few, not several per entry made by
/// another thread.
#[derive(Debug, Default)]
pub struct Prepared {
    entries: Vec<PreparedEntry>,
    pending: Vec<Pending>,
    text: String,
}

/// One entry of [`Prepared`]: texts are ranges of its buffer.
#[derive(Debug)]
struct PreparedEntry {
    file: FileId,
    line: u64,
    dn: Range<usize>,
    cn: Range<usize>,
    object_type: Range<usize>,
    /// Its composed rules in [`Prepared::pending`].
    pending: Range<usize>,
}

impl Prepared {
    /// Entries prepared.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entry prepared.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The DN, input and line of entry `i`.
    pub fn entry(&self, i: usize) -> Option<(&str, FileId, u64)> {
        let e = self.entries.get(i)?;
        Some((&self.text[e.dn.clone()], e.file, e.line))
    }

    /// Add `by` to every entry's line number (see `ChunkScan::shift_lines`).
    pub fn shift_lines(&mut self, by: u64) {
        for e in &mut self.entries {
            e.line += by;
        }
    }

    fn keep(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }
}

/// The IdFix 2.6.0.3 rule set (multi-tenant or dedicated), without the duplicate store:
/// shared by all cores.
#[derive(Debug)]
pub struct IdfixRules {
    dedicated: bool,
    alternate_login_id: bool,
    tlds: TldSet,
}

/// The IdFix 2.6.0.3 rule engine (multi-tenant or dedicated), with its duplicate store.
#[derive(Debug)]
pub struct IdfixEngine {
    rules: IdfixRules,
    store: DupStore,
}

impl IdfixEngine {
    /// An engine for the multi-tenant (`dedicated == false`) or dedicated rule set, judging
    /// top-level domains against `tlds` (IdFix's own list: [`TldSet::idfix`]).
    pub fn new(dedicated: bool, tlds: TldSet) -> IdfixEngine {
        IdfixEngine {
            rules: IdfixRules {
                dedicated,
                alternate_login_id: false,
                tlds,
            },
            store: DupStore::default(),
        }
    }

    /// IdFix's "Alternate Login ID" setting: when set, the multi-tenant userPrincipalName
    /// rule does not run at all (default off, as in IdFix).
    pub fn with_alternate_login_id(mut self, on: bool) -> IdfixEngine {
        self.rules.alternate_login_id = on;
        self
    }

    /// Run the rule set on one in-scope entry; returns its rows in IdFix's order of
    /// addition (an extra first-holder row comes just before the row that caused it).
    pub fn check(&mut self, entry: &Entry) -> Vec<Row> {
        let mut prepared = Prepared::default();
        self.rules.prepare(entry, &mut prepared);
        self.store.finish(&prepared, 0)
    }

    /// The rules (for [`IdfixRules::prepare`] on any core) and the duplicate store (for
    /// [`DupStore::finish`] in input order).
    pub fn parts(&mut self) -> (&IdfixRules, &mut DupStore) {
        (&self.rules, &mut self.store)
    }
}

impl IdfixRules {
    /// Run every rule on one in-scope entry except the duplicate store's lookups, and
    /// append the results to `out`.
    pub fn prepare(&self, entry: &Entry, out: &mut Prepared) {
        let first = out.pending.len();
        let mut cx = Ctx {
            entry,
            cn: entry.cn().into_owned(),
            object_type: entry.object_class().unwrap_or_default().to_string(),
            probe: None,
            out,
        };
        if self.dedicated {
            self.dedicated_rules(&mut cx);
        } else {
            self.multi_tenant_rules(&mut cx);
        }
        let Ctx {
            cn,
            object_type,
            out,
            ..
        } = cx;
        let dn = out.keep(&entry.dn);
        let cn = out.keep(&cn);
        let object_type = out.keep(&object_type);
        let pending = first..out.pending.len();
        out.entries.push(PreparedEntry {
            file: entry.file,
            line: entry.line,
            dn,
            cn,
            object_type,
            pending,
        });
    }

    // ----- multi-tenant (MultiTenantRuleCollection.cs 51–138) -----

    fn multi_tenant_rules(&self, cx: &mut Ctx) {
        let e = cx.entry;
        // displayName: Len(255) → Blank(cn); absent ⇒ Blank alone
        {
            let orig = e.get(Attr::DisplayName);
            let mut ch = Chain::new(orig.unwrap_or_default());
            if orig.is_some() {
                ch.max_len(id::MT_DN_LEN, 255);
            }
            ch.blank(id::MT_DN_BLANK, true, || Some(cx.cn.clone()));
            self.emit(
                cx,
                ch,
                Attr::DisplayName,
                attr_name::DISPLAY_NAME,
                orig,
                None,
            );
        }
        // givenName: Len(63)
        if let Some(orig) = e.get(Attr::GivenName) {
            let mut ch = Chain::new(orig);
            ch.max_len(id::MT_GN_LEN, 63);
            self.emit(
                cx,
                ch,
                Attr::GivenName,
                attr_name::GIVEN_NAME,
                Some(orig),
                None,
            );
        }
        // mail: Len(256) → Dup
        if let Some(orig) = e.get(Attr::Mail) {
            let mut ch = Chain::new(orig);
            ch.max_len(id::MT_MAIL_LEN, 256);
            self.dup(cx, &mut ch, Ns::Mail, id::MT_MAIL_DUP, orig);
            self.emit(
                cx,
                ch,
                Attr::Mail,
                attr_name::MAIL,
                Some(orig),
                Some(Ns::Mail),
            );
        }
        // mailnickname: Len(64) → ^[.]+ → Dup
        if let Some(orig) = e.get(Attr::MailNickname) {
            let mut ch = Chain::new(orig);
            ch.max_len(id::MT_NICK_LEN, 64);
            let s = text::strip_leading_dots(&ch.value);
            ch.character(id::MT_NICK_LEADDOT, s, &cx.cn);
            self.dup(cx, &mut ch, Ns::MailNickname, id::MT_NICK_DUP, orig);
            self.emit(
                cx,
                ch,
                Attr::MailNickname,
                attr_name::MAIL_NICKNAME,
                Some(orig),
                Some(Ns::MailNickname),
            );
        }
        // proxyAddresses, each value: Len(256) → Colon → Dup → Char(by type) [→ RFC]
        let first_proxy = e.get(Attr::ProxyAddresses).unwrap_or_default();
        for v in e.all(Attr::ProxyAddresses) {
            let orig: &str = &v.text;
            let mut ch = Chain::new(orig);
            ch.max_len(id::MT_PROXY_LEN, 256);
            ch.colon(id::MT_PROXY_COLON);
            self.dup(
                cx,
                &mut ch,
                Ns::ProxyAddresses,
                id::MT_PROXY_DUP,
                first_proxy,
            );
            let smtp = text::is_smtp(orig);
            let (rule, class) = if smtp {
                (id::MT_PROXY_CHAR_SMTP, CharClass::ProxySmtp)
            } else if starts_x_dot_num(orig, "400") {
                (id::MT_PROXY_CHAR_X400, CharClass::ProxyX400X500)
            } else if starts_x_dot_num(orig, "500") {
                (id::MT_PROXY_CHAR_X500, CharClass::ProxyX400X500)
            } else {
                (id::MT_PROXY_CHAR_OTHER, CharClass::ProxyOther)
            };
            let s = class.strip(&ch.value);
            ch.character(rule, s, &cx.cn);
            if smtp {
                ch.rfc(id::MT_PROXY_RFC, &self.tlds);
            }
            self.emit(
                cx,
                ch,
                Attr::ProxyAddresses,
                attr_name::PROXY_ADDRESSES,
                Some(orig),
                Some(Ns::ProxyAddresses),
            );
        }
        // sAMAccountName: Len(20 user / 256) → Char → Dup (only without a UPN attribute)
        if let Some(orig) = e.get(Attr::SamAccountName) {
            let mut ch = Chain::new(orig);
            let max = if cx.is_type("user") { 20 } else { 256 };
            ch.max_len(id::MT_SAM_LEN, max);
            let s = CharClass::SamAccountName.strip(&ch.value);
            ch.character(id::MT_SAM_CHAR, s, &cx.cn);
            if !e.has(Attr::UserPrincipalName) {
                self.dup(cx, &mut ch, Ns::SamAccountName, id::MT_SAM_DUP, orig);
            }
            self.emit(
                cx,
                ch,
                Attr::SamAccountName,
                attr_name::SAM_ACCOUNT_NAME,
                Some(orig),
                Some(Ns::SamAccountName),
            );
        }
        // targetAddress: Len(255) → Colon → Dup → Char(by type) [→ RFC]
        if let Some(orig) = e.get(Attr::TargetAddress) {
            let mut ch = Chain::new(orig);
            ch.max_len(id::MT_TGT_LEN, 255);
            ch.colon(id::MT_TGT_COLON);
            self.dup(cx, &mut ch, Ns::TargetAddress, id::MT_TGT_DUP, orig);
            let smtp = text::is_smtp(orig);
            if smtp {
                let s = CharClass::TargetSmtp.strip(&ch.value);
                ch.character(id::MT_TGT_CHAR_SMTP, s, &cx.cn);
                ch.rfc(id::MT_TGT_RFC, &self.tlds);
            } else {
                let s = CharClass::TargetOther.strip(&ch.value);
                ch.character(id::MT_TGT_CHAR_OTHER, s, &cx.cn);
            }
            self.emit(
                cx,
                ch,
                Attr::TargetAddress,
                attr_name::TARGET_ADDRESS,
                Some(orig),
                Some(Ns::TargetAddress),
            );
        }
        // userPrincipalName: Len(113) → Char → RFC → Dup
        if !self.alternate_login_id {
            if let Some(orig) = e.get(Attr::UserPrincipalName) {
                let mut ch = Chain::new(orig);
                ch.max_len(id::MT_UPN_LEN, 113);
                let s = CharClass::Upn.strip(&ch.value);
                ch.character(id::MT_UPN_CHAR, s, &cx.cn);
                ch.rfc(id::MT_UPN_RFC, &self.tlds);
                self.dup(cx, &mut ch, Ns::UserPrincipalName, id::MT_UPN_DUP, orig);
                self.emit(
                    cx,
                    ch,
                    Attr::UserPrincipalName,
                    attr_name::USER_PRINCIPAL_NAME,
                    Some(orig),
                    Some(Ns::UserPrincipalName),
                );
            }
        }
    }

    // ----- dedicated (DedicatedRuleCollection.cs 51–84) -----

    fn dedicated_rules(&self, cx: &mut Ctx) {
        let e = cx.entry;
        // displayName: Len(256) → trim (Character) → DisplayNameBlankRule (groups)
        {
            let orig = e.get(Attr::DisplayName);
            let mut ch = Chain::new(orig.unwrap_or_default());
            if orig.is_some() {
                ch.max_len(id::D_DN_LEN, 256);
                let s = text::strip_edge_space(&ch.value);
                ch.character(id::D_DN_CHAR, s, &cx.cn);
            }
            let cn255 = || Some(truncate_utf16(&cx.cn, 255).to_string());
            ch.blank(id::D_DN_BLANK, cx.is_type("group"), cn255);
            self.emit(
                cx,
                ch,
                Attr::DisplayName,
                attr_name::DISPLAY_NAME,
                orig,
                None,
            );
        }
        // mail: Len(256) → [\s] → RFC → Dup (no blank rule: absent ⇒ nothing)
        if let Some(orig) = e.get(Attr::Mail) {
            let mut ch = Chain::new(orig);
            ch.max_len(id::D_MAIL_LEN, 256);
            let s = CharClass::Space.strip(&ch.value);
            ch.character(id::D_MAIL_CHAR, s, &cx.cn);
            ch.rfc(id::D_MAIL_RFC, &self.tlds);
            self.dup(cx, &mut ch, Ns::Mail, id::D_MAIL_DUP, orig);
            self.emit(
                cx,
                ch,
                Attr::Mail,
                attr_name::MAIL,
                Some(orig),
                Some(Ns::Mail),
            );
        }
        // mailnickname: Len(64) → Char → Dup → MailNicknameBlankRule (contacts) →
        // MailNickNamePeriodsRule (never reports: its error result is discarded)
        {
            let orig = e.get(Attr::MailNickname);
            let mut ch = Chain::new(orig.unwrap_or_default());
            if let Some(o) = orig {
                ch.max_len(id::D_NICK_LEN, 64);
                let s = CharClass::DedicatedNickname.strip(&ch.value);
                ch.character(id::D_NICK_CHAR, s, &cx.cn);
                self.dup(cx, &mut ch, Ns::MailNickname, id::D_NICK_DUP, o);
            }
            let fix = nickname_blank_fix(e, &ch.value, &cx.cn);
            ch.blank(id::D_NICK_BLANK, cx.is_type("contact"), || Some(fix));
            self.emit(
                cx,
                ch,
                Attr::MailNickname,
                attr_name::MAIL_NICKNAME,
                orig,
                Some(Ns::MailNickname),
            );
        }
        // proxyAddresses, each value: Len(256) → Colon → Dup [→ RFC]
        let first_proxy = e.get(Attr::ProxyAddresses).unwrap_or_default();
        for v in e.all(Attr::ProxyAddresses) {
            let orig: &str = &v.text;
            let mut ch = Chain::new(orig);
            ch.max_len(id::D_PROXY_LEN, 256);
            ch.colon(id::D_PROXY_COLON);
            self.dup(
                cx,
                &mut ch,
                Ns::ProxyAddresses,
                id::D_PROXY_DUP,
                first_proxy,
            );
            if text::is_smtp(orig) {
                ch.rfc(id::D_PROXY_RFC, &self.tlds);
            }
            self.emit(
                cx,
                ch,
                Attr::ProxyAddresses,
                attr_name::PROXY_ADDRESSES,
                Some(orig),
                Some(Ns::ProxyAddresses),
            );
        }
        // targetAddress: Len(256) → TargetAddressBlankRule [→ RFC]; absent ⇒ blank rule alone
        {
            let orig = e.get(Attr::TargetAddress);
            let mut ch = Chain::new(orig.unwrap_or_default());
            if orig.is_some() {
                ch.max_len(id::D_TGT_LEN, 256);
            }
            let home_mdb_blank = e
                .get(Attr::HomeMdb)
                .map_or(true, |h| h.chars().all(text::is_net_space));
            let applies = (cx.is_type("contact") || cx.is_type("user")) && home_mdb_blank;
            let contact = cx.is_type("contact");
            let mail = e.get(Attr::Mail);
            ch.blank(id::D_TGT_BLANK, applies, || {
                if contact {
                    mail.map(|m| truncate_utf16(&format!("SMTP:{m}"), 256).to_string())
                } else {
                    None
                }
            });
            if let Some(o) = orig {
                if text::is_smtp(o) {
                    ch.rfc(id::D_TGT_RFC, &self.tlds);
                }
            }
            self.emit(
                cx,
                ch,
                Attr::TargetAddress,
                attr_name::TARGET_ADDRESS,
                orig,
                None,
            );
        }
    }

    // ----- shared -----

    /// `NoDuplicatesRule` on the running value (`first` = the entry's first value of the
    /// attribute, which decides whether the proposed action is computed, §6.3): noted for
    /// [`DupStore::finish`], which asks the store.
    fn dup(&self, cx: &mut Ctx, ch: &mut Chain, ns: Ns, rule: &'static str, first: &str) {
        let start = cx.out.text.len();
        text::fold_key_into(&ch.value, &mut cx.out.text);
        let key = start..cx.out.text.len();
        let value = cx.keep(&ch.value);
        cx.probe = Some(Probe {
            ns,
            rule,
            at: ch.fails.len(),
            key,
            value,
            action: duplicate_action(cx.entry, ns, &ch.value, first),
        });
    }

    /// Finish a composed rule: kept for [`DupStore::finish`] when it failed or its
    /// duplicate rule ran (a rule that passed and asks nothing gives no row).
    fn emit(
        &self,
        cx: &mut Ctx,
        ch: Chain,
        attr: Attr,
        attribute: &'static str,
        original: Option<&str>,
        ns: Option<Ns>,
    ) {
        let probe = cx.probe.take();
        if probe.is_none() && ch.fails.is_empty() {
            return;
        }
        // An Export-Csv without a column for the attribute: its value is unknown, not
        // absent, so nothing is judged (the reader's warning names the column).
        if !cx.entry.exported(attr) {
            return;
        }
        let original = original.map(|o| cx.keep(o));
        cx.out.pending.push(Pending {
            attr,
            attribute,
            original,
            ns,
            fails: ch.fails,
            probe,
        });
    }
}

impl DupStore {
    /// The rows of entry `i` of `prepared` in IdFix's order of addition (an extra
    /// first-holder row comes just before the row that caused it), consulting and filling
    /// the store. Call it for every in-scope entry in input order.
    pub fn finish(&mut self, prepared: &Prepared, i: usize) -> Vec<Row> {
        let Some(e) = prepared.entries.get(i) else {
            return Vec::new();
        };
        let text = prepared.text.as_str();
        let entry = EntryRef {
            file: e.file,
            line: e.line,
            dn: text[e.dn.clone()].to_string(),
            cn: text[e.cn.clone()].to_string(),
        };
        let object_type = &text[e.object_type.clone()];
        let DupStore { maps, holders } = self;
        let mut rows = Vec::new();
        // Index of this entry in the holder table, once it holds a first value.
        let mut holder: Option<u32> = None;
        for p in &prepared.pending[e.pending.clone()] {
            let Pending {
                attr,
                attribute,
                ref original,
                ns,
                ref fails,
                ref probe,
            } = *p;
            let original = original.clone().map(|r| &text[r]);
            // The failures with the duplicate rule's, when it fails.
            let mut with_dup: Option<Vec<Fail>> = None;
            if let Some(pr) = probe {
                // One hash and one probe per value: the entry either holds the first
                // holder (a duplicate) or takes this value.
                match maps[pr.ns as usize].entry(Box::from(&text[pr.key.clone()])) {
                    Slot::Occupied(_) => {
                        // What `Chain::fail` would have recorded where the rule ran; the
                        // running value stays the same, so later rules are unaffected.
                        let fail = Fail {
                            rule: pr.rule,
                            flags: flags::DUPLICATE,
                            update: Some(text[pr.value.clone()].to_string()),
                            action: pr.action,
                        };
                        let mut all = fails.clone();
                        all.insert(pr.at.min(all.len()), fail);
                        with_dup = Some(all);
                    }
                    Slot::Vacant(slot) => {
                        let h = *holder.get_or_insert_with(|| {
                            let h = u32::try_from(holders.len()).unwrap_or(u32::MAX);
                            holders.push(entry.clone());
                            h
                        });
                        slot.insert(h);
                    }
                }
            }
            let fails = with_dup.as_deref().unwrap_or(fails);
            let Some(finding) = composed(fails, attr, attribute, original) else {
                continue;
            };
            // The row for the first holder of a duplicate proposed for Edit, as
            // `RulesRunner.cs` 364–399 adds it.
            if let Some(ns) = ns {
                if finding.action == Action::Edit && finding.errors.contains(&ErrorName::Duplicate)
                {
                    let key = text::fold_key(original.unwrap_or_default());
                    let first = maps[ns as usize]
                        .get(key.as_str())
                        .and_then(|&h| holders.get(h as usize));
                    if let Some(h) = first {
                        let dup_rule = finding
                            .rules
                            .iter()
                            .copied()
                            .find(|r| r.ends_with("-DUP"))
                            .unwrap_or_default();
                        rows.push(Row {
                            entry: h.clone(),
                            object_class: object_type.to_string(),
                            finding: Finding {
                                attr,
                                attribute,
                                value: finding.value.clone(),
                                errors: vec![ErrorName::Duplicate],
                                rules: vec![dup_rule],
                                update: finding.update.clone(),
                                action: Action::Edit,
                            },
                        });
                    }
                }
            }
            rows.push(Row {
                entry: entry.clone(),
                object_class: object_type.to_string(),
                finding,
            });
        }
        rows
    }
}

/// `^x\.?400` / `^x\.?500`, IgnoreCase.
fn starts_x_dot_num(v: &str, num: &str) -> bool {
    let rest = match v.as_bytes().first() {
        Some(b'x' | b'X') => &v[1..],
        _ => return false,
    };
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    rest.starts_with(num)
}

/// The proposed action of a duplicate (`NoDuplicatesRule.cs` 37–88): computed only when
/// the running value still equals the entry's first value of the attribute (ordinal),
/// otherwise Edit.
fn duplicate_action(e: &Entry, ns: Ns, running: &str, first: &str) -> Action {
    if running != first {
        return Action::Edit;
    }
    let has_nick = e.has(Attr::MailNickname);
    match ns {
        Ns::ProxyAddresses => {
            if !text::is_smtp(running) {
                Action::Edit
            } else if !has_nick {
                Action::Remove
            } else if text::starts_with_ascii_ci(running, "smtp:") {
                Action::Complete
            } else {
                Action::Edit
            }
        }
        Ns::UserPrincipalName | Ns::Mail | Ns::SamAccountName if has_nick => Action::Complete,
        Ns::MailNickname if e.has(Attr::HomeMdb) => Action::Complete,
        _ => Action::Edit,
    }
}

/// The dedicated `MailNicknameBlankRule` fixer: givenName, `.` and sn (the dot only when
/// both are there), else sAMAccountName, else cn. `value` is the (empty) value it starts
/// from.
fn nickname_blank_fix(e: &Entry, value: &str, cn: &str) -> String {
    let mut v = value.to_string();
    if let Some(g) = e.get(Attr::GivenName) {
        v = g.to_string();
    }
    if let Some(sn) = e.get(Attr::Sn) {
        if !v.is_empty() {
            v.push('.');
        }
        v.push_str(sn);
    }
    if v.is_empty() {
        v = match e.get(Attr::SamAccountName) {
            Some(s) => s.to_string(),
            None => cn.to_string(),
        };
    }
    v
}

/// Sort rows into IdFix's output order: a stable sort by DN, case-insensitive
/// (`OrderBy(EntityDistinguishedName, StringComparer.CurrentCultureIgnoreCase)`), so the
/// rows of one DN keep their rule order.
///
/// `CurrentCultureIgnoreCase` (Windows NLS, en-US) is approximated as follows: characters
/// are compared case-folded; white space and punctuation sort before digits and digits
/// before letters; Latin-1 letters with diacritics sort with their base letter (the
/// diacritic decides only between otherwise equal names); hyphen and apostrophe are
/// ignored except as a final tie-break ("word sort"). Other non-ASCII text sorts after
/// ASCII by code point. Equal names keep their input order.
pub fn sort_rows(rows: &mut [Row]) {
    // `sort_by_cached_key` is stable and computes each key once.
    rows.sort_by_cached_key(|r| culture_key(&r.entry.dn));
}

/// The DN comparison [`sort_rows`] uses (see there).
pub fn culture_cmp(a: &str, b: &str) -> Ordering {
    culture_key(a).cmp(&culture_key(b))
}

/// Sort key: primary weights (hyphen and apostrophe left out), then every character's
/// (primary, case-folded) weight as the tie-break.
fn culture_key(s: &str) -> (Vec<Primary>, Vec<Weight>) {
    let full: Vec<Weight> = s.chars().map(weight).collect();
    let primary = s
        .chars()
        .zip(&full)
        .filter(|(c, _)| !matches!(c, '-' | '\''))
        .map(|(_, w)| w.0)
        .collect();
    (primary, full)
}

/// (class, primary value) of one character: class 1 white space and punctuation, 2 digits,
/// 3 ASCII letters (and Latin-1 letters with diacritics), 4 other letters.
type Primary = (u8, u32);
/// (primary, case-folded code point) of one character.
type Weight = (Primary, u32);

/// The [`Weight`] of one character.
fn weight(c: char) -> Weight {
    let f = text::fold_char(c);
    let base = latin1_base(f);
    let class = if base.is_ascii_digit() {
        2
    } else if base.is_ascii_alphabetic() {
        3
    } else if base.is_ascii() || !base.is_alphanumeric() {
        1
    } else {
        4
    };
    ((class, base as u32), f as u32)
}

/// The base letter of a lower-case Latin-1 letter with a diacritic.
fn latin1_base(c: char) -> char {
    match c {
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        _ => c,
    }
}

#[cfg(test)]
mod tests;
