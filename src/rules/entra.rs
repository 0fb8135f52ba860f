//! The `entra` profile: Microsoft's documented requirements for objects Entra Connect
//! synchronises (formats.md §5, idfix-rules.md §12), checked value by value.
//!
//! Contract:
//! * [`check`] returns one [`Finding`] per failing (attribute, value), with every failing
//!   check's rule id (from [`crate::rules::catalog`]) in check order and the error names
//!   de-duplicated in first-seen order. `action` is always `Edit`; `update` is the value
//!   with every mechanical repair applied in check order (invisible characters removed,
//!   whitespace trimmed, diacritics transliterated, invalid characters dropped, stray dots
//!   removed, over-long names truncated), or `None` when no repair changes the value or
//!   the repaired value would still lack its essential shape (a UPN without `@`).
//! * Lengths are counted in UTF-16 code units, as AD and .NET count them, and judged on
//!   the value as exported.
//! * Duplicates are not found here; the collision index does that, with
//!   [`address_key`] as the normalisation of the shared address namespace.
//! * Count findings (more than 300 proxyAddresses, more than 15 certificates, a group of
//!   250,000 members or more) report the value `"<n> values"`.
//! * A clean value costs no allocation: scanners work on the borrowed text and a copy is
//!   made only when a repair is needed.
//! * A UPN that differs from the primary SMTP address is not a finding.
//!
//! Judgement calls, documented here because Microsoft's text leaves them open:
//! * A UPN suffix that is not routable is reported as `TopLevelDomain` only, not also as
//!   `Unverified` (it can never be verified). Subdomains of a verified domain are not
//!   verified unless listed.
//! * `mail` is judged for SMTP syntax (one `@`, no whitespace, no empty or `..` label, no
//!   trailing `.`, a domain of at least two host-name labels, ASCII `atext` characters),
//!   not for a routable TLD; SMTP proxyAddresses are judged for both.
//! * proxyAddresses characters after the prefix: SMTP values accept RFC 5322 `atext`,
//!   `.` and `@` (so whitespace, `< > ( ) ; , [ ] "` and `\` are invalid), a further `:`
//!   is its own rule; X400/X500 values reject `[ ] " '` (spaces and `;` are part of their
//!   syntax); other types (SIP, EUM, ...) reject whitespace and `< > ( ) , [ ] "` but
//!   accept `;` (EUM's `;phone-context=`). Non-ASCII characters are invalid in every type.
//! * A value without a `type:` prefix that looks like an address gets `smtp:` (proxy) or
//!   `SMTP:` (targetAddress) in the proposed update.
//! * An extra primary `SMTP:` is proposed as secondary `smtp:`; the first primary in file
//!   order is kept.

use std::borrow::Cow;

use crate::model::{Attr, Entry};
use crate::rules::catalog as id;
use crate::rules::tld::{ends_with_labels, TldSet};
use crate::rules::{find_byte, longer_than, rfind_byte, truncate_utf16, utf16_len};
use crate::rules::{Action, ErrorName, Finding, RuleConfig};

/// UPN: total length limit (UTF-16 units).
pub const UPN_MAX: usize = 113;
/// UPN: limit before `@`.
pub const UPN_LOCAL_MAX: usize = 64;
/// UPN: limit after `@`.
pub const UPN_DOMAIN_MAX: usize = 48;
/// mail, proxyAddresses (per value), targetAddress, displayName limit.
pub const ADDRESS_MAX: usize = 256;
/// mailNickname and givenName limit.
pub const NAME_MAX: usize = 64;
/// sAMAccountName limit for users and inetOrgPersons.
pub const SAM_MAX: usize = 20;
/// Most proxyAddresses values Entra reliably accepts.
pub const PROXY_COUNT_MAX: usize = 300;
/// Most userCertificate / userSMIMECertificate values.
pub const CERT_COUNT_MAX: usize = 15;
/// Groups with this many members or more are not synchronised.
pub const GROUP_MEMBERS_LIMIT: usize = 250_000;

/// What the entra checks need besides the entry.
#[derive(Debug, Clone)]
pub struct EntraContext {
    /// TLDs judged routable (special-use names never are).
    pub tlds: TldSet,
    /// Verified domains of the tenant, lower-case; empty: the verified-domain rule does
    /// not run. `*.onmicrosoft.com` always counts as verified.
    pub verified: Vec<String>,
}

impl Default for EntraContext {
    fn default() -> Self {
        EntraContext {
            tlds: TldSet::iana(),
            verified: Vec::new(),
        }
    }
}

impl EntraContext {
    /// Build from the run's settings: the override TLD list if any, else the bundled IANA
    /// list; verified domains lower-cased, trimmed, without a leading `@` or trailing dot.
    pub fn from_config(cfg: &RuleConfig) -> EntraContext {
        let tlds = match &cfg.tld_override {
            Some(list) => TldSet::from_names(list.iter().map(String::as_str)),
            None => TldSet::iana(),
        };
        let verified = cfg
            .verified_domains
            .iter()
            .map(|d| {
                let d = d.trim();
                let d = d.strip_prefix('@').unwrap_or(d);
                d.strip_suffix('.').unwrap_or(d).to_lowercase()
            })
            .filter(|d| !d.is_empty())
            .collect();
        EntraContext { tlds, verified }
    }

    /// Whether the verified-domain rule runs.
    pub fn checks_verified(&self) -> bool {
        !self.verified.is_empty()
    }

    /// Whether `domain` is a verified domain (exact, case-insensitive) or under
    /// `onmicrosoft.com`. Subdomains of a verified domain must be added to the tenant
    /// themselves, so they do not count.
    pub fn is_verified(&self, domain: &str) -> bool {
        ends_with_labels(domain, "onmicrosoft.com")
            || self
                .verified
                .iter()
                .any(|v| v.as_bytes().eq_ignore_ascii_case(domain.as_bytes()))
    }
}

/// Where an attribute's findings go in [`check`]'s output: the order the checks are
/// listed in the module contract (`None`: not judged value by value).
fn rank(attr: Attr) -> Option<u8> {
    Some(match attr {
        Attr::DisplayName => 0,
        Attr::GivenName => 1,
        Attr::Mail => 2,
        Attr::MailNickname => 3,
        Attr::ProxyAddresses => 4,
        Attr::SamAccountName => 5,
        Attr::TargetAddress => 6,
        Attr::UserPrincipalName => 7,
        Attr::UserCertificate => 8,
        Attr::UserSmimeCertificate => 9,
        Attr::Member => 10,
        _ => return None,
    })
}

/// Run every entra check on an entry (in scope or not: scoping is the caller's job).
///
/// One pass over the entry's values in file order, each judged by its attribute's
/// check; findings are then put in attribute order (a stable sort, so an attribute's
/// own findings stay in file order, and its count finding after them). Each text of an
/// attribute is judged once: a value an object holds twice (a hand-edited file, a CSV
/// split) is one value to judge, so one finding, as it is one holder of a collision.
pub fn check(entry: &Entry, ctx: &EntraContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let values = entry.values();
    // Attributes met so far (bit `1 << attr`): only a second value of an attribute is
    // compared with the ones before it.
    let mut seen = 0u32;
    let mut primary_seen = false;
    let mut proxies = 0usize;
    let mut is_user = None;
    for (i, v) in values.iter().enumerate() {
        let bit = 1u32 << v.attr as u32;
        let again = seen & bit != 0;
        seen |= bit;
        if v.attr == Attr::ProxyAddresses {
            proxies += 1;
        }
        if rank(v.attr).is_none()
            || (again
                && values[..i]
                    .iter()
                    .any(|w| w.attr == v.attr && w.text == v.text))
        {
            continue;
        }
        let text = &v.text;
        let f = match v.attr {
            // The cn is only needed (and, without a `cn` value, only built) for a blank
            // name.
            Attr::DisplayName => display_name(text, || entry.cn()),
            Attr::GivenName => check_given_name(text),
            Attr::Mail => check_mail(text),
            Attr::MailNickname => check_mail_nickname(text),
            Attr::ProxyAddresses => check_proxy(text, &mut primary_seen, ctx),
            Attr::SamAccountName => {
                let user = *is_user.get_or_insert_with(|| {
                    entry.has_class("user") || entry.has_class("inetOrgPerson")
                });
                check_sam(text, user)
            }
            Attr::TargetAddress => check_target(text),
            Attr::UserPrincipalName => check_upn(text, ctx),
            _ => None,
        };
        push(&mut out, f);
    }
    if proxies > PROXY_COUNT_MAX {
        out.push(count_finding(
            Attr::ProxyAddresses,
            proxies,
            id::PROXY_COUNT,
        ));
    }
    let n = entry.count(Attr::UserCertificate);
    if n > CERT_COUNT_MAX {
        out.push(count_finding(Attr::UserCertificate, n, id::CERT_COUNT));
    }
    let n = entry.count(Attr::UserSmimeCertificate);
    if n > CERT_COUNT_MAX {
        out.push(count_finding(
            Attr::UserSmimeCertificate,
            n,
            id::SMIME_CERT_COUNT,
        ));
    }
    let n = entry.count(Attr::Member);
    if n >= GROUP_MEMBERS_LIMIT {
        out.push(count_finding(Attr::Member, n, id::GROUP_MEMBER_COUNT));
    }
    if out.len() > 1 {
        out.sort_by_key(|f| rank(f.attr));
    }
    out
}

fn push(out: &mut Vec<Finding>, f: Option<Finding>) {
    if let Some(f) = f {
        out.push(f);
    }
}

fn count_finding(attr: Attr, n: usize, rule: &'static str) -> Finding {
    Finding {
        attr,
        attribute: attr.ldap_name(),
        value: format!("{n} values"),
        errors: vec![ErrorName::Count],
        rules: vec![rule],
        update: None,
        action: Action::Edit,
    }
}

// ---------------------------------------------------------------------------------------
// The shared address namespace (for the collision index)

/// The key under which a value takes part in Entra's shared address namespace (mail,
/// SMTP proxyAddresses, userPrincipalName, SMTP targetAddress): the address without its
/// `smtp:` prefix, trimmed, lower-cased. `None` for other attributes, non-SMTP proxy or
/// target values and empty addresses.
pub fn address_key(attr: Attr, value: &str) -> Option<String> {
    let v = value.trim();
    let addr = match attr {
        Attr::Mail | Attr::UserPrincipalName => v,
        Attr::ProxyAddresses | Attr::TargetAddress => {
            let (ty, rest) = split_prefix(v)?;
            if !ty.eq_ignore_ascii_case("smtp") {
                return None;
            }
            rest.trim()
        }
        _ => return None,
    };
    (!addr.is_empty()).then(|| addr.to_lowercase())
}

/// A `type:address` value split at its first `:` (`None` without a non-empty type).
pub fn split_prefix(value: &str) -> Option<(&str, &str)> {
    let p = find_byte(value, b':')?;
    (p > 0).then(|| (&value[..p], &value[p + 1..]))
}

// ---------------------------------------------------------------------------------------
// Character classes

/// Control, format, zero-width and other invisible characters (Cc, Cf, line/paragraph
/// separators, fillers, variation selectors).
pub fn is_invisible(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return u < 0x20 || u == 0x7f;
    }
    matches!(u,
        0x80..=0x9f
        | 0xad
        | 0x034f
        | 0x0600..=0x0605
        | 0x061c
        | 0x06dd
        | 0x070f
        | 0x0890..=0x0891
        | 0x08e2
        | 0x115f..=0x1160
        | 0x17b4..=0x17b5
        | 0x180b..=0x180f
        | 0x200b..=0x200f
        | 0x2028..=0x202e
        | 0x2060..=0x2064
        | 0x2066..=0x206f
        | 0x3164
        | 0xfe00..=0xfe0f
        | 0xfeff
        | 0xffa0
        | 0xfff9..=0xfffb
        | 0x110bd
        | 0x110cd
        | 0x13430..=0x1343f
        | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a
        | 0xe0001
        | 0xe0020..=0xe007f
        | 0xe0100..=0xe01ef)
}

fn has_invisible(s: &str) -> bool {
    // Fast path: printable ASCII holds no invisible character.
    if all_bytes(s, is_printable_ascii) {
        return false;
    }
    if s.is_ascii() {
        return s.bytes().any(|b| b < 0x20 || b == 0x7f);
    }
    s.chars().any(is_invisible)
}

/// `b` is a printable ASCII character (space to `~`): not invisible, not a byte of a
/// multi-byte character, and whitespace only if it is the space itself.
fn is_printable_ascii(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// Whether `s` holds a whitespace character (Unicode `White_Space`).
fn has_whitespace(s: &str) -> bool {
    // Fast path: printable ASCII other than the space itself is never whitespace.
    if all_bytes(s, |b| b.is_ascii_graphic()) {
        return false;
    }
    s.chars().any(char::is_whitespace)
}

/// Whether `pred` holds for every byte of `s`. Written without an early exit, which
/// lets the compiler process many bytes per step: the fast paths use it on short values
/// that nearly always pass.
fn all_bytes(s: &str, pred: impl Fn(u8) -> bool) -> bool {
    s.bytes().fold(true, |all, b| all & pred(b))
}

/// Whether `s` contains the ASCII byte `b` (mostly asked of values that do not, so
/// without an early exit, like [`all_bytes`]).
fn has_byte(s: &str, b: u8) -> bool {
    !all_bytes(s, |c| c != b)
}

/// UPN characters Entra allows: `A–Z a–z 0–9 ' . - _ ! # ^ ~`.
const fn upn_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '\'' | '.' | '-' | '_' | '!' | '#' | '^' | '~')
}

/// RFC 5322 `atext`.
const fn atext(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '#'
                | '$'
                | '%'
                | '&'
                | '\''
                | '*'
                | '+'
                | '-'
                | '/'
                | '='
                | '?'
                | '^'
                | '_'
                | '`'
                | '{'
                | '|'
                | '}'
                | '~'
        )
}

/// mailNickname characters (besides `.`): ASCII letters, digits and
/// ``! # $ % ' * + - / = ? ^ _ ` { | } ~``.
const fn nick_char_ok(c: char) -> bool {
    c != '&' && atext(c)
}

const fn sam_char_bad(c: char) -> bool {
    matches!(
        c,
        '[' | ']'
            | '\\'
            | '"'
            | '|'
            | ','
            | '/'
            | ':'
            | '<'
            | '>'
            | '+'
            | '='
            | ';'
            | '?'
            | '*'
            | '\''
    )
}

/// `mail` and SMTP address characters: `atext`, `.` and `@`.
const fn mail_char_ok(c: char) -> bool {
    atext(c) || c == '.' || c == '@'
}

/// mailNickname characters including `.` (whose placement has its own rule).
const fn nick_or_dot_ok(c: char) -> bool {
    nick_char_ok(c) || c == '.'
}

/// `char::is_whitespace` on ASCII (`\t \n \x0b \x0c \r` and space), usable in a `const fn`.
const fn is_ascii_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// SMTP proxyAddresses characters after the prefix (`:` is judged by its own rule).
const fn proxy_smtp_char_ok(c: char) -> bool {
    mail_char_ok(c) || c == ':'
}

/// X400/X500 proxyAddresses characters after the prefix.
const fn proxy_x_char_ok(c: char) -> bool {
    c.is_ascii() && !matches!(c, '[' | ']' | '"' | '\'')
}

/// Other proxyAddresses types (SIP, EUM, ...): characters after the prefix.
const fn proxy_other_char_ok(c: char) -> bool {
    c.is_ascii()
        && !is_ascii_space(c)
        && !matches!(c, '<' | '>' | '(' | ')' | ',' | '[' | ']' | '"')
}

/// Non-SMTP targetAddress characters after the prefix, for ASCII (any non-ASCII
/// character but whitespace is accepted).
const fn target_other_ascii_ok(c: char) -> bool {
    !is_ascii_space(c)
        && !matches!(
            c,
            '\\' | '<' | '>' | '(' | ')' | ';' | ',' | '[' | ']' | '"'
        )
}

/// A set of accepted characters: a table for ASCII, computed at compile time from the
/// set's `const fn` predicate, and a predicate for everything else. The table lets a
/// value that is all ASCII be judged byte by byte, without decoding characters.
struct CharSet {
    /// Indexed by byte; the entries of non-ASCII bytes are `false`.
    ascii: [bool; 256],
    non_ascii: fn(char) -> bool,
}

impl CharSet {
    fn contains(&self, c: char) -> bool {
        if c.is_ascii() {
            self.ascii[c as usize]
        } else {
            (self.non_ascii)(c)
        }
    }

    /// Whether `s` is ASCII and every character is in the set (a byte-wise fast path).
    fn accepts_ascii(&self, s: &str) -> bool {
        all_bytes(s, |b| self.ascii[usize::from(b)])
    }
}

/// The ASCII table of a `const fn(char) -> bool`, built at compile time (256 entries,
/// so any byte indexes it; non-ASCII bytes are rejected).
macro_rules! ascii_table {
    ($pred:path) => {{
        let mut table = [false; 256];
        let mut i = 0;
        while i < 128 {
            table[i] = $pred(i as u8 as char);
            i += 1;
        }
        table
    }};
}

/// A [`CharSet`] of the ASCII characters `$pred` accepts; no other character is allowed.
macro_rules! ascii_set {
    ($pred:path) => {
        CharSet {
            ascii: ascii_table!($pred),
            non_ascii: no_non_ascii,
        }
    };
}

fn no_non_ascii(_: char) -> bool {
    false
}

fn not_whitespace(c: char) -> bool {
    !c.is_whitespace()
}

static UPN_CHARS: CharSet = ascii_set!(upn_char_ok);
static MAIL_CHARS: CharSet = ascii_set!(mail_char_ok);
static NICK_CHARS: CharSet = ascii_set!(nick_or_dot_ok);
static PROXY_SMTP_CHARS: CharSet = ascii_set!(proxy_smtp_char_ok);
static PROXY_X_CHARS: CharSet = ascii_set!(proxy_x_char_ok);
static PROXY_OTHER_CHARS: CharSet = ascii_set!(proxy_other_char_ok);
static TARGET_OTHER_CHARS: CharSet = CharSet {
    ascii: ascii_table!(target_other_ascii_ok),
    non_ascii: not_whitespace,
};

/// The ASCII spelling of a Latin letter with diacritics (`é`→`e`, `ß`→`ss`, `Ø`→`O`,
/// `ł`→`l`, `Æ`→`AE`); `None` for other characters.
pub fn transliterate(c: char) -> Option<&'static str> {
    const LATIN1: [&str; 64] = [
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I", // C0
        "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "ss", // D0
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // E0
        "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y", // F0
    ];
    const EXT_A: [&str; 128] = [
        "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d", // 100
        "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g", // 110
        "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i", // 120
        "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l",
        "L", // 130
        "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o", // 140
        "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S",
        "s", // 150
        "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u", // 160
        "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s", // 170
    ];
    let u = c as u32;
    let s = match u {
        0xc0..=0xff => LATIN1[(u - 0xc0) as usize],
        0x100..=0x17f => EXT_A[(u - 0x100) as usize],
        0x218 => "S",
        0x219 => "s",
        0x21a => "T",
        0x21b => "t",
        _ => "",
    };
    (!s.is_empty()).then_some(s)
}

// ---------------------------------------------------------------------------------------
// The per-value accumulator

struct Acc<'v> {
    attr: Attr,
    original: &'v str,
    cur: Cow<'v, str>,
    log: Log,
}

/// Failures of one value, kept apart from the running value so both can be borrowed.
#[derive(Default)]
struct Log {
    errors: Vec<ErrorName>,
    rules: Vec<&'static str>,
    no_update: bool,
}

impl Log {
    fn fail(&mut self, e: ErrorName, rule: &'static str) {
        if !self.errors.contains(&e) {
            self.errors.push(e);
        }
        if !self.rules.contains(&rule) {
            self.rules.push(rule);
        }
    }
}

impl<'v> Acc<'v> {
    fn new(attr: Attr, value: &'v str) -> Self {
        Acc {
            attr,
            original: value,
            cur: Cow::Borrowed(value),
            log: Log::default(),
        }
    }

    fn set(&mut self, v: String) {
        self.cur = Cow::Owned(v);
    }

    /// Remove invisible characters (rule `rule`).
    fn invisible(&mut self, rule: &'static str) {
        if has_invisible(&self.cur) {
            self.log.fail(ErrorName::Invisible, rule);
            let v: String = self.cur.chars().filter(|c| !is_invisible(*c)).collect();
            self.set(v);
        }
    }

    /// Trim leading/trailing whitespace (rule `rule`).
    fn trim(&mut self, rule: &'static str) {
        let t = self.cur.trim();
        if t.len() != self.cur.len() {
            self.log.fail(ErrorName::Character, rule);
            let v = t.to_string();
            self.set(v);
        }
    }

    /// Length of the original value.
    fn max_len(&mut self, n: usize, rule: &'static str, truncate: bool) {
        if longer_than(self.original, n) {
            self.log.fail(ErrorName::Length, rule);
            if truncate && longer_than(&self.cur, n) {
                let v = truncate_utf16(&self.cur, n).to_string();
                self.set(v);
            }
        }
    }

    fn finish(self) -> Option<Finding> {
        if self.log.rules.is_empty() {
            return None;
        }
        let update = match self.cur {
            Cow::Owned(v) if !self.log.no_update && !v.is_empty() && v != self.original => Some(v),
            _ => None,
        };
        Some(Finding {
            attr: self.attr,
            attribute: self.attr.ldap_name(),
            value: self.original.to_string(),
            errors: self.log.errors,
            rules: self.log.rules,
            update,
            action: Action::Edit,
        })
    }
}

/// Judge characters against `set`: returns (some rejected character has no ASCII
/// spelling, some rejected character is a letter with diacritics).
fn scan_chars(s: &str, set: &CharSet) -> (bool, bool) {
    // Fast path: an all-ASCII value whose bytes are all accepted rejects nothing.
    if set.accepts_ascii(s) {
        return (false, false);
    }
    let (mut bad, mut dia) = (false, false);
    for c in s.chars() {
        if set.contains(c) {
            continue;
        }
        if transliterate(c).is_some() {
            dia = true;
        } else {
            bad = true;
        }
    }
    (bad, dia)
}

/// Keep the characters of `set`, transliterate letters with diacritics, drop the rest.
fn repair_chars(s: &str, set: &CharSet) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if set.contains(c) {
            out.push(c);
        } else if let Some(t) = transliterate(c) {
            out.push_str(t);
        }
    }
    out
}

/// Dot-separated labels without empty ones: no leading/trailing `.`, no `..`.
fn dots_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.first() != Some(&b'.') && b.last() != Some(&b'.') && !b.windows(2).any(|w| w == b"..")
}

fn repair_dots(s: &str) -> String {
    s.split('.')
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// A DNS host name: non-empty labels of ASCII letters, digits and `-`, not starting or
/// ending with `-`, at most 63 long; at least `min_labels` labels.
fn hostname_ok(d: &str, min_labels: usize) -> bool {
    let mut n = 0;
    // Byte-wise: `.` is ASCII, and any non-ASCII byte fails the label test anyway.
    for b in d.as_bytes().split(|&c| c == b'.') {
        n += 1;
        if b.is_empty()
            || b.len() > 63
            || b[0] == b'-'
            || b[b.len() - 1] == b'-'
            || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            return false;
        }
    }
    n >= min_labels
}

fn repair_hostname(d: &str) -> String {
    let kept: String = d
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .collect();
    kept.split('.')
        .map(|l| l.trim_matches('-'))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

// ---------------------------------------------------------------------------------------
// SMTP address structure (mail, SMTP proxies, SMTP targetAddress)

#[derive(Default)]
struct SmtpFlags {
    format: bool,
    local: bool,
    domain: bool,
}

/// Structure of an address whose characters were already judged: exactly one `@` with
/// text on both sides; local part of non-empty dot-separated labels; domain a host name
/// of at least two labels without a trailing dot.
fn smtp_structure(a: &str) -> SmtpFlags {
    let mut f = SmtpFlags::default();
    let Some(at) = find_byte(a, b'@') else {
        f.format = true;
        return f;
    };
    let (local, domain) = (&a[..at], &a[at + 1..]);
    // A valid host name holds no `@`, so the domain is searched for a second one only
    // when it is not a valid host name.
    let domain_ok = hostname_ok(domain, 2);
    if local.is_empty() || domain.is_empty() || (!domain_ok && has_byte(domain, b'@')) {
        f.format = true;
        return f;
    }
    f.local = !dots_ok(local);
    f.domain = !domain_ok;
    f
}

fn repair_smtp(a: &str) -> String {
    match a.find('@') {
        Some(at) if !a[at + 1..].contains('@') => {
            format!(
                "{}@{}",
                repair_dots(&a[..at]),
                repair_hostname(&a[at + 1..])
            )
        }
        _ => a.to_string(),
    }
}

/// Apply the SMTP structure checks to `acc.cur[skip..]` under `rule`; returns the
/// address domain when the format is sound.
fn smtp_checks(acc: &mut Acc<'_>, skip: usize, rule: &'static str) -> bool {
    let f = smtp_structure(&acc.cur[skip..]);
    if f.format {
        acc.log.fail(ErrorName::Format, rule);
        return false;
    }
    if f.local {
        acc.log.fail(ErrorName::LocalPart, rule);
    }
    if f.domain {
        acc.log.fail(ErrorName::DomainPart, rule);
    }
    if f.local || f.domain {
        let repaired = repair_smtp(&acc.cur[skip..]);
        if smtp_structure(&repaired).format {
            acc.log.no_update = true;
        }
        let fixed = format!("{}{}", &acc.cur[..skip], repaired);
        acc.set(fixed);
    }
    true
}

// ---------------------------------------------------------------------------------------
// Attribute checks

/// userPrincipalName.
pub fn check_upn(value: &str, ctx: &EntraContext) -> Option<Finding> {
    let mut acc = Acc::new(Attr::UserPrincipalName, value);
    acc.invisible(id::UPN_INVISIBLE);
    acc.trim(id::UPN_WHITESPACE);

    let at = rfind_byte(&acc.cur, b'@');
    let at_ok = matches!(at, Some(p) if p > 0 && p + 1 < acc.cur.len());
    if !at_ok {
        acc.log.fail(ErrorName::Format, id::UPN_AT);
        acc.log.no_update = true;
    }

    // Characters: the local part (any extra `@` included) against Entra's set, the suffix
    // against the same set (its host-name shape is judged below).
    let split = at.unwrap_or(acc.cur.len());
    let (bad_l, dia_l) = scan_chars(&acc.cur[..split], &UPN_CHARS);
    let (bad_d, dia_d) = match at {
        Some(p) => scan_chars(&acc.cur[p + 1..], &UPN_CHARS),
        None => (false, false),
    };
    if bad_l || bad_d {
        acc.log.fail(ErrorName::Character, id::UPN_CHARACTER);
    }
    if dia_l || dia_d {
        acc.log.fail(ErrorName::Character, id::UPN_DIACRITIC);
    }
    if bad_l || bad_d || dia_l || dia_d {
        let fixed = match at {
            Some(p) => format!(
                "{}@{}",
                repair_chars(&acc.cur[..p], &UPN_CHARS),
                repair_chars(&acc.cur[p + 1..], &UPN_CHARS)
            ),
            None => repair_chars(&acc.cur, &UPN_CHARS),
        };
        acc.set(fixed);
    }

    let mut domain_for_tld = None;
    if at_ok {
        if let Some(p) = rfind_byte(&acc.cur, b'@') {
            let (local, domain) = (&acc.cur[..p], &acc.cur[p + 1..]);
            let local_bad = !local.is_empty() && !dots_ok(local);
            let domain_bad = !domain.is_empty() && !hostname_ok(domain, 1);
            if local_bad {
                acc.log.fail(ErrorName::LocalPart, id::UPN_LOCAL_PART);
            }
            if domain_bad {
                acc.log.fail(ErrorName::DomainPart, id::UPN_DOMAIN_PART);
            }
            if local_bad || domain_bad {
                let fixed = format!("{}@{}", repair_dots(local), repair_hostname(domain));
                acc.set(fixed);
            }
        }
    }

    // Lengths, judged on the value as exported.
    acc.max_len(UPN_MAX, id::UPN_LENGTH, false);
    if let Some(p) = rfind_byte(value, b'@') {
        if longer_than(&value[..p], UPN_LOCAL_MAX) {
            acc.log.fail(ErrorName::Length, id::UPN_LOCAL_LENGTH);
        }
        if longer_than(&value[p + 1..], UPN_DOMAIN_MAX) {
            acc.log.fail(ErrorName::Length, id::UPN_DOMAIN_LENGTH);
        }
    }
    // Repair: shorten the local part so both its own and the total limit hold.
    if let Some(p) = rfind_byte(&acc.cur, b'@') {
        let (local, domain) = (&acc.cur[..p], &acc.cur[p + 1..]);
        let room = UPN_MAX
            .saturating_sub(1 + utf16_len(domain))
            .min(UPN_LOCAL_MAX);
        if longer_than(local, room) {
            let cut = truncate_utf16(local, room).trim_end_matches('.');
            if cut.is_empty() {
                acc.log.no_update = true;
            } else {
                let fixed = format!("{cut}@{domain}");
                acc.set(fixed);
            }
        }
    }
    if let Some(p) = rfind_byte(&acc.cur, b'@') {
        if p + 1 < acc.cur.len() {
            domain_for_tld = Some(p + 1);
        }
    }

    // Repairs that emptied a side of `@` leave nothing sensible to propose.
    match rfind_byte(&acc.cur, b'@') {
        Some(p) if p > 0 && p + 1 < acc.cur.len() => {}
        _ => acc.log.no_update = true,
    }
    if let (true, Some(d)) = (at_ok, domain_for_tld) {
        let domain = &acc.cur[d..];
        if !ctx.tlds.is_routable_domain(domain) {
            acc.log
                .fail(ErrorName::TopLevelDomain, id::UPN_NONROUTABLE_SUFFIX);
        } else if ctx.checks_verified() && !ctx.is_verified(domain) {
            // A non-routable suffix can never be verified: reported once, as above.
            acc.log
                .fail(ErrorName::Unverified, id::UPN_UNVERIFIED_SUFFIX);
        }
    }
    acc.finish()
}

/// mail: a valid SMTP address.
pub fn check_mail(value: &str) -> Option<Finding> {
    let mut acc = Acc::new(Attr::Mail, value);
    acc.invisible(id::MAIL_INVISIBLE);
    if has_whitespace(&acc.cur) {
        acc.log.fail(ErrorName::Character, id::MAIL_WHITESPACE);
        let v: String = acc.cur.chars().filter(|c| !c.is_whitespace()).collect();
        acc.set(v);
    }
    let (bad, dia) = scan_chars(&acc.cur, &MAIL_CHARS);
    if bad || dia {
        acc.log.fail(ErrorName::Character, id::MAIL_CHARACTER);
        let v = repair_chars(&acc.cur, &MAIL_CHARS);
        acc.set(v);
    }
    let f = smtp_structure(&acc.cur);
    if f.format {
        acc.log.fail(ErrorName::Format, id::MAIL_FORMAT);
        acc.log.no_update = true;
    } else {
        if f.local {
            acc.log.fail(ErrorName::LocalPart, id::MAIL_LOCAL_PART);
        }
        if f.domain {
            acc.log.fail(ErrorName::DomainPart, id::MAIL_DOMAIN_PART);
        }
        if f.local || f.domain {
            let v = repair_smtp(&acc.cur);
            if smtp_structure(&v).format {
                acc.log.no_update = true;
            }
            acc.set(v);
        }
    }
    acc.max_len(ADDRESS_MAX, id::MAIL_LENGTH, false);
    acc.finish()
}

/// mailNickname (Exchange alias).
pub fn check_mail_nickname(value: &str) -> Option<Finding> {
    let mut acc = Acc::new(Attr::MailNickname, value);
    acc.invisible(id::NICK_INVISIBLE);
    let (bad, dia) = scan_chars(&acc.cur, &NICK_CHARS);
    if bad || dia {
        acc.log.fail(ErrorName::Character, id::NICK_CHARACTER);
        let v = repair_chars(&acc.cur, &NICK_CHARS);
        acc.set(v);
    }
    if !acc.cur.is_empty() && !dots_ok(&acc.cur) {
        acc.log.fail(ErrorName::Character, id::NICK_PERIOD);
        let v = repair_dots(&acc.cur);
        acc.set(v);
    }
    acc.max_len(NAME_MAX, id::NICK_LENGTH, true);
    acc.finish()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ProxyType {
    Smtp,
    X400,
    X500,
    Other,
}

fn proxy_type(ty: &str) -> ProxyType {
    let t = ty.as_bytes();
    let x_num = |num: &[u8]| {
        t.len() >= 4
            && t[0].eq_ignore_ascii_case(&b'x')
            && (t[1..].eq_ignore_ascii_case(num)
                || (t[1] == b'.' && t[2..].eq_ignore_ascii_case(num)))
    };
    if ty.eq_ignore_ascii_case("smtp") {
        ProxyType::Smtp
    } else if x_num(b"400") {
        ProxyType::X400
    } else if x_num(b"500") {
        ProxyType::X500
    } else {
        ProxyType::Other
    }
}

fn type_ok(ty: &str) -> bool {
    !ty.is_empty()
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Characters allowed after the prefix, per type (`:` is judged separately for SMTP).
fn proxy_chars(t: ProxyType) -> &'static CharSet {
    match t {
        ProxyType::Smtp => &PROXY_SMTP_CHARS,
        ProxyType::X400 | ProxyType::X500 => &PROXY_X_CHARS,
        ProxyType::Other => &PROXY_OTHER_CHARS,
    }
}

/// One proxyAddresses value; `primary_seen` carries the "a primary `SMTP:` came before"
/// state across the entry's values.
pub fn check_proxy(value: &str, primary_seen: &mut bool, ctx: &EntraContext) -> Option<Finding> {
    let mut acc = Acc::new(Attr::ProxyAddresses, value);
    acc.invisible(id::PROXY_INVISIBLE);
    acc.trim(id::PROXY_WHITESPACE);

    let prefix = split_prefix(&acc.cur)
        .filter(|(ty, _)| type_ok(ty))
        .map(|(ty, _)| ty.len());
    let p = match prefix {
        Some(p) => p,
        None => {
            acc.log.fail(ErrorName::Format, id::PROXY_PREFIX);
            if has_byte(&acc.cur, b'@') && !has_byte(&acc.cur, b':') {
                let v = format!("smtp:{}", acc.cur);
                acc.set(v);
                4
            } else {
                acc.log.no_update = true;
                acc.max_len(ADDRESS_MAX, id::PROXY_LENGTH, false);
                return acc.finish();
            }
        }
    };
    let t = proxy_type(&acc.cur[..p]);
    let set = proxy_chars(t);
    let (bad, dia) = scan_chars(&acc.cur[p + 1..], set);
    if bad || dia {
        acc.log.fail(ErrorName::Character, id::PROXY_CHARACTER);
        let v = format!("{}{}", &acc.cur[..=p], repair_chars(&acc.cur[p + 1..], set));
        acc.set(v);
    }
    if t == ProxyType::Smtp {
        if has_byte(&acc.cur[p + 1..], b':') {
            acc.log.fail(ErrorName::Character, id::PROXY_COLON);
            let v = format!("{}{}", &acc.cur[..=p], acc.cur[p + 1..].replace(':', ""));
            acc.set(v);
        }
        if smtp_checks(&mut acc, p + 1, id::PROXY_SMTP_FORMAT) {
            let at = rfind_byte(&acc.cur, b'@').unwrap_or(acc.cur.len());
            let domain = acc.cur.get(at + 1..).unwrap_or("");
            if !ctx.tlds.is_routable_domain(domain) {
                acc.log
                    .fail(ErrorName::TopLevelDomain, id::PROXY_NONROUTABLE);
            }
        } else {
            acc.log.no_update = true;
        }
    }
    acc.max_len(ADDRESS_MAX, id::PROXY_LENGTH, false);
    if acc.cur.starts_with("SMTP:") {
        if *primary_seen {
            acc.log
                .fail(ErrorName::MultiplePrimary, id::PROXY_MULTIPLE_PRIMARY);
            let v = format!("smtp:{}", &acc.cur[5..]);
            acc.set(v);
        }
        *primary_seen = true;
    }
    acc.finish()
}

/// targetAddress.
pub fn check_target(value: &str) -> Option<Finding> {
    let mut acc = Acc::new(Attr::TargetAddress, value);
    acc.invisible(id::TARGET_INVISIBLE);
    acc.trim(id::TARGET_WHITESPACE);
    let prefix = split_prefix(&acc.cur)
        .filter(|(ty, _)| type_ok(ty))
        .map(|(ty, _)| ty.len());
    let p = match prefix {
        Some(p) => p,
        None => {
            acc.log.fail(ErrorName::Format, id::TARGET_PREFIX);
            if has_byte(&acc.cur, b'@') && !has_byte(&acc.cur, b':') {
                let v = format!("SMTP:{}", acc.cur);
                acc.set(v);
                4
            } else {
                acc.log.no_update = true;
                acc.max_len(ADDRESS_MAX, id::TARGET_LENGTH, false);
                return acc.finish();
            }
        }
    };
    let smtp = proxy_type(&acc.cur[..p]) == ProxyType::Smtp;
    let set = if smtp {
        &MAIL_CHARS
    } else {
        &TARGET_OTHER_CHARS
    };
    let (bad, dia) = scan_chars(&acc.cur[p + 1..], set);
    if bad || (smtp && dia) {
        acc.log.fail(ErrorName::Character, id::TARGET_CHARACTER);
        let v = format!("{}{}", &acc.cur[..=p], repair_chars(&acc.cur[p + 1..], set));
        acc.set(v);
    }
    if smtp && !smtp_checks(&mut acc, p + 1, id::TARGET_SMTP_FORMAT) {
        acc.log.no_update = true;
    }
    acc.max_len(ADDRESS_MAX, id::TARGET_LENGTH, false);
    acc.finish()
}

/// sAMAccountName; the 20-character limit applies to users and inetOrgPersons.
pub fn check_sam(value: &str, is_user: bool) -> Option<Finding> {
    let mut acc = Acc::new(Attr::SamAccountName, value);
    acc.invisible(id::SAM_INVISIBLE);
    // Byte-wise: every rejected character is ASCII, and no byte of a multi-byte
    // character is.
    if acc
        .cur
        .bytes()
        .any(|b| b.is_ascii() && sam_char_bad(b as char))
    {
        acc.log.fail(ErrorName::Character, id::SAM_CHARACTER);
        let v: String = acc.cur.chars().filter(|c| !sam_char_bad(*c)).collect();
        acc.set(v);
    }
    if is_user {
        acc.max_len(SAM_MAX, id::SAM_LENGTH, true);
    }
    acc.finish()
}

/// displayName: present but blank (update = `cn`), or too long.
pub fn check_display_name(value: &str, cn: &str) -> Option<Finding> {
    display_name(value, || Cow::Borrowed(cn))
}

/// [`check_display_name`] with the cn computed only when the name is blank.
fn display_name<'c>(value: &str, cn: impl FnOnce() -> Cow<'c, str>) -> Option<Finding> {
    let mut acc = Acc::new(Attr::DisplayName, value);
    acc.invisible(id::DISPLAYNAME_INVISIBLE);
    if acc.cur.trim().is_empty() {
        acc.log.fail(ErrorName::Blank, id::DISPLAYNAME_BLANK);
        let v = truncate_utf16(cn().trim(), ADDRESS_MAX).to_string();
        acc.set(v);
    }
    acc.max_len(ADDRESS_MAX, id::DISPLAYNAME_LENGTH, true);
    acc.finish()
}

/// givenName.
pub fn check_given_name(value: &str) -> Option<Finding> {
    let mut acc = Acc::new(Attr::GivenName, value);
    acc.invisible(id::GIVENNAME_INVISIBLE);
    acc.max_len(NAME_MAX, id::GIVENNAME_LENGTH, true);
    acc.finish()
}

/// Every rule id this module can report (for the catalog consistency test).
pub const RULE_IDS: &[&str] = &[
    id::UPN_INVISIBLE,
    id::UPN_WHITESPACE,
    id::UPN_AT,
    id::UPN_CHARACTER,
    id::UPN_DIACRITIC,
    id::UPN_LOCAL_PART,
    id::UPN_DOMAIN_PART,
    id::UPN_LENGTH,
    id::UPN_LOCAL_LENGTH,
    id::UPN_DOMAIN_LENGTH,
    id::UPN_NONROUTABLE_SUFFIX,
    id::UPN_UNVERIFIED_SUFFIX,
    id::MAIL_INVISIBLE,
    id::MAIL_WHITESPACE,
    id::MAIL_CHARACTER,
    id::MAIL_FORMAT,
    id::MAIL_LOCAL_PART,
    id::MAIL_DOMAIN_PART,
    id::MAIL_LENGTH,
    id::NICK_INVISIBLE,
    id::NICK_CHARACTER,
    id::NICK_PERIOD,
    id::NICK_LENGTH,
    id::PROXY_INVISIBLE,
    id::PROXY_WHITESPACE,
    id::PROXY_PREFIX,
    id::PROXY_CHARACTER,
    id::PROXY_COLON,
    id::PROXY_SMTP_FORMAT,
    id::PROXY_NONROUTABLE,
    id::PROXY_LENGTH,
    id::PROXY_MULTIPLE_PRIMARY,
    id::PROXY_COUNT,
    id::TARGET_INVISIBLE,
    id::TARGET_WHITESPACE,
    id::TARGET_PREFIX,
    id::TARGET_CHARACTER,
    id::TARGET_SMTP_FORMAT,
    id::TARGET_LENGTH,
    id::SAM_INVISIBLE,
    id::SAM_CHARACTER,
    id::SAM_LENGTH,
    id::DISPLAYNAME_INVISIBLE,
    id::DISPLAYNAME_BLANK,
    id::DISPLAYNAME_LENGTH,
    id::GIVENNAME_INVISIBLE,
    id::GIVENNAME_LENGTH,
    id::CERT_COUNT,
    id::SMIME_CERT_COUNT,
    id::GROUP_MEMBER_COUNT,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldif::{Item, Parser};

    fn ctx() -> EntraContext {
        EntraContext::default()
    }

    fn ctx_verified(domains: &[&str]) -> EntraContext {
        EntraContext::from_config(&RuleConfig {
            verified_domains: domains.iter().map(|d| d.to_string()).collect(),
            tld_override: None,
        })
    }

    fn rules(f: &Option<Finding>) -> Vec<&'static str> {
        f.as_ref().map(|f| f.rules.clone()).unwrap_or_default()
    }

    fn errors(f: &Option<Finding>) -> Vec<ErrorName> {
        f.as_ref().map(|f| f.errors.clone()).unwrap_or_default()
    }

    fn update(f: &Option<Finding>) -> Option<String> {
        f.as_ref().and_then(|f| f.update.clone())
    }

    fn upn(v: &str) -> Option<Finding> {
        check_upn(v, &ctx())
    }

    fn entry(s: &str) -> Entry<'_> {
        match Parser::new(s.as_bytes()).next().unwrap().unwrap() {
            Item::Record(r) => Entry::from_record(0, r).unwrap(),
            _ => panic!("not a record"),
        }
    }

    // --- userPrincipalName ------------------------------------------------------------

    #[test]
    fn clean_upns_pass() {
        for v in [
            "john.smith@contoso.com",
            "o'brien@contoso.com",
            "_x_@contoso.com",
            "a-b!c#d^e~f@sub.contoso.app",
            "JOHN@CONTOSO.COM",
            "x@tenant.onmicrosoft.com",
        ] {
            assert_eq!(upn(v), None, "{v}");
        }
    }

    #[test]
    fn contract_example() {
        let f = upn("mary jones@contoso.local").unwrap();
        assert_eq!(f.attribute, "userPrincipalName");
        assert_eq!(
            f.errors,
            vec![ErrorName::Character, ErrorName::TopLevelDomain]
        );
        assert_eq!(f.rules, vec![id::UPN_CHARACTER, id::UPN_NONROUTABLE_SUFFIX]);
        assert_eq!(f.update.as_deref(), Some("maryjones@contoso.local"));
        assert_eq!(f.action, Action::Edit);
        assert_eq!(f.value, "mary jones@contoso.local");
    }

    #[test]
    fn upn_invisible() {
        let f = upn("jo\u{200b}hn@contoso.com");
        assert_eq!(rules(&f), vec![id::UPN_INVISIBLE]);
        assert_eq!(errors(&f), vec![ErrorName::Invisible]);
        assert_eq!(update(&f).as_deref(), Some("john@contoso.com"));
        assert_eq!(
            rules(&upn("jo\u{feff}hn@contoso.com")),
            vec![id::UPN_INVISIBLE]
        );
        assert_eq!(
            rules(&upn("john@contoso.com\u{ad}")),
            vec![id::UPN_INVISIBLE]
        );
    }

    #[test]
    fn upn_whitespace() {
        let f = upn(" john@contoso.com ");
        assert_eq!(rules(&f), vec![id::UPN_WHITESPACE]);
        assert_eq!(update(&f).as_deref(), Some("john@contoso.com"));
    }

    #[test]
    fn upn_at() {
        for v in ["johncontoso.com", "@contoso.com", "john@"] {
            let f = upn(v);
            assert_eq!(rules(&f)[0], id::UPN_AT, "{v}");
            assert_eq!(errors(&f)[0], ErrorName::Format);
            assert_eq!(update(&f), None);
        }
    }

    #[test]
    fn upn_character() {
        for v in [
            "jo&hn@contoso.com",
            "a$b@contoso.com",
            "a`b@contoso.com",
            "a@b@contoso.com",
            "j{x}@contoso.com",
        ] {
            assert_eq!(rules(&upn(v)), vec![id::UPN_CHARACTER], "{v}");
        }
        assert_eq!(
            update(&upn("a@b@contoso.com")).as_deref(),
            Some("ab@contoso.com")
        );
        assert_eq!(
            update(&upn("jo&hn@contoso.com")).as_deref(),
            Some("john@contoso.com")
        );
    }

    #[test]
    fn upn_diacritic() {
        let f = upn("rené.müller@contoso.com");
        assert_eq!(rules(&f), vec![id::UPN_DIACRITIC]);
        assert_eq!(errors(&f), vec![ErrorName::Character]);
        assert_eq!(update(&f).as_deref(), Some("rene.muller@contoso.com"));
        assert_eq!(
            update(&upn("straße@contoso.com")).as_deref(),
            Some("strasse@contoso.com")
        );
        assert_eq!(
            update(&upn("søren.łukasz@contoso.com")).as_deref(),
            Some("soren.lukasz@contoso.com")
        );
    }

    #[test]
    fn upn_local_part() {
        for v in [
            "john.@contoso.com",
            ".john@contoso.com",
            "jo..hn@contoso.com",
        ] {
            let f = upn(v);
            assert_eq!(rules(&f), vec![id::UPN_LOCAL_PART], "{v}");
            assert_eq!(errors(&f), vec![ErrorName::LocalPart]);
        }
        assert_eq!(
            update(&upn("john.@contoso.com")).as_deref(),
            Some("john@contoso.com")
        );
    }

    #[test]
    fn upn_domain_part() {
        for v in [
            "john@contoso..com",
            "john@con_toso.com",
            "john@-contoso.com",
            "john@.contoso.com",
        ] {
            let f = upn(v);
            assert_eq!(rules(&f), vec![id::UPN_DOMAIN_PART], "{v}");
            assert_eq!(errors(&f), vec![ErrorName::DomainPart]);
        }
        assert_eq!(
            update(&upn("john@contoso..com")).as_deref(),
            Some("john@contoso.com")
        );
    }

    #[test]
    fn upn_lengths() {
        let local64 = "a".repeat(64);
        assert_eq!(upn(&format!("{local64}@contoso.com")), None);
        let f = upn(&format!("{}@contoso.com", "a".repeat(65)));
        assert_eq!(rules(&f), vec![id::UPN_LOCAL_LENGTH]);
        assert_eq!(errors(&f), vec![ErrorName::Length]);
        assert_eq!(update(&f), Some(format!("{local64}@contoso.com")));

        let dom48 = format!("{}.com", "d".repeat(44));
        assert_eq!(upn(&format!("x@{dom48}")), None);
        let dom49 = format!("{}.com", "d".repeat(45));
        assert_eq!(
            rules(&upn(&format!("x@{dom49}"))),
            vec![id::UPN_DOMAIN_LENGTH]
        );

        // 64 + 1 + 48 = 113 is fine; any more breaks a per-part limit and the total.
        assert_eq!(upn(&format!("{local64}@{dom48}")), None);
        let f = upn(&format!("{}@{dom48}", "a".repeat(65)));
        assert_eq!(rules(&f), vec![id::UPN_LENGTH, id::UPN_LOCAL_LENGTH]);
        let u = update(&f).unwrap();
        assert_eq!(utf16_len(&u), 113);
    }

    #[test]
    fn upn_length_counts_utf16_units() {
        // 32 astral characters = 64 UTF-16 units (128 UTF-8 bytes): not over 64.
        let v = format!("{}@contoso.com", "\u{1F600}".repeat(32));
        assert!(!rules(&upn(&v)).contains(&id::UPN_LOCAL_LENGTH));
        let v = format!("{}@contoso.com", "\u{1F600}".repeat(33));
        assert!(rules(&upn(&v)).contains(&id::UPN_LOCAL_LENGTH));
    }

    #[test]
    fn upn_nonroutable() {
        for v in [
            "john@contoso.local",
            "john@corp.lan",
            "john@x.internal",
            "john@home.arpa",
            "john@contoso",
        ] {
            let f = upn(v);
            assert_eq!(rules(&f), vec![id::UPN_NONROUTABLE_SUFFIX], "{v}");
            assert_eq!(errors(&f), vec![ErrorName::TopLevelDomain]);
            assert_eq!(update(&f), None);
        }
        assert_eq!(upn("john@contoso.app"), None);
        assert_eq!(upn("john@contoso.xn--p1ai"), None);
    }

    #[test]
    fn upn_unverified_only_with_verified_list() {
        let c = ctx_verified(&["Contoso.com", "@fabrikam.com"]);
        assert_eq!(check_upn("a@contoso.com", &c), None);
        assert_eq!(check_upn("a@FABRIKAM.COM", &c), None);
        assert_eq!(check_upn("a@tenant.onmicrosoft.com", &c), None);
        let f = check_upn("a@sub.contoso.com", &c);
        assert_eq!(rules(&f), vec![id::UPN_UNVERIFIED_SUFFIX]);
        assert_eq!(errors(&f), vec![ErrorName::Unverified]);
        // Without verified domains the rule does not run.
        assert_eq!(upn("a@other.com"), None);
        // A non-routable suffix is reported once, as non-routable.
        assert_eq!(
            rules(&check_upn("a@contoso.local", &c)),
            vec![id::UPN_NONROUTABLE_SUFFIX]
        );
    }

    // --- mail ---------------------------------------------------------------------------

    #[test]
    fn mail_rules() {
        assert_eq!(check_mail("john.smith+tag@contoso.com"), None);
        assert_eq!(
            check_mail("o'brien@contoso.local"),
            None,
            "mail TLD is not judged"
        );

        let f = check_mail("holly @adatum.com");
        assert_eq!(rules(&f), vec![id::MAIL_WHITESPACE]);
        assert_eq!(update(&f).as_deref(), Some("holly@adatum.com"));
        assert_eq!(
            rules(&check_mail(" ")),
            vec![id::MAIL_WHITESPACE, id::MAIL_FORMAT]
        );

        assert_eq!(
            rules(&check_mail("a\u{200d}b@contoso.com")),
            vec![id::MAIL_INVISIBLE]
        );
        let f = check_mail("jürgen@contoso.com");
        assert_eq!(rules(&f), vec![id::MAIL_CHARACTER]);
        assert_eq!(update(&f).as_deref(), Some("jurgen@contoso.com"));
        assert_eq!(
            rules(&check_mail("a(b)@contoso.com")),
            vec![id::MAIL_CHARACTER]
        );

        for v in ["contoso.com", "a@b@contoso.com", "@contoso.com", "a@"] {
            let f = check_mail(v);
            assert_eq!(rules(&f), vec![id::MAIL_FORMAT], "{v}");
            assert_eq!(errors(&f), vec![ErrorName::Format]);
        }
        for v in ["a..b@contoso.com", ".a@contoso.com", "a.@contoso.com"] {
            assert_eq!(rules(&check_mail(v)), vec![id::MAIL_LOCAL_PART], "{v}");
        }
        for v in [
            "a@contoso..com",
            "a@contoso.com.",
            "a@.contoso.com",
            "a@contoso",
            "a@con_toso.com",
        ] {
            let f = check_mail(v);
            assert_eq!(rules(&f), vec![id::MAIL_DOMAIN_PART], "{v}");
            assert_eq!(errors(&f), vec![ErrorName::DomainPart]);
        }
        assert_eq!(
            update(&check_mail("a@contoso.com.")).as_deref(),
            Some("a@contoso.com")
        );

        let long = format!("{}@contoso.com", "a".repeat(250));
        assert_eq!(rules(&check_mail(&long)), vec![id::MAIL_LENGTH]);
        let ok = format!("{}@contoso.com", "a".repeat(244));
        assert_eq!(check_mail(&ok), None);
    }

    // --- mailNickname -------------------------------------------------------------------

    #[test]
    fn nickname_rules() {
        assert_eq!(check_mail_nickname("help.desk"), None);
        assert_eq!(check_mail_nickname("a!#$%'*+-/=?^_`{|}~z"), None);
        let f = check_mail_nickname("john smith");
        assert_eq!(rules(&f), vec![id::NICK_CHARACTER]);
        assert_eq!(update(&f).as_deref(), Some("johnsmith"));
        assert_eq!(rules(&check_mail_nickname("a&b")), vec![id::NICK_CHARACTER]);
        assert_eq!(rules(&check_mail_nickname("a@b")), vec![id::NICK_CHARACTER]);
        assert_eq!(update(&check_mail_nickname("zoë")).as_deref(), Some("zoe"));
        for v in [".john", "john.", "jo..hn"] {
            let f = check_mail_nickname(v);
            assert_eq!(rules(&f), vec![id::NICK_PERIOD], "{v}");
            assert_eq!(errors(&f), vec![ErrorName::Character]);
        }
        assert_eq!(
            update(&check_mail_nickname(".john")).as_deref(),
            Some("john")
        );
        let f = check_mail_nickname(&"n".repeat(65));
        assert_eq!(rules(&f), vec![id::NICK_LENGTH]);
        assert_eq!(update(&f), Some("n".repeat(64)));
        assert_eq!(check_mail_nickname(&"n".repeat(64)), None);
        assert_eq!(
            rules(&check_mail_nickname("a\u{0007}b")),
            vec![id::NICK_INVISIBLE]
        );
    }

    // --- proxyAddresses -----------------------------------------------------------------

    fn proxy(v: &str) -> Option<Finding> {
        let mut seen = false;
        check_proxy(v, &mut seen, &ctx())
    }

    #[test]
    fn proxy_clean_values() {
        for v in [
            "SMTP:john@contoso.com",
            "smtp:j.o'hn@contoso.app",
            "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc",
            "X400:c=US;a= ;p=Contoso;o=Exchange;s=Smith;g=John;",
            "EUM:1234;phone-context=DialPlan.contoso.com",
            "SIP:john@contoso.com",
        ] {
            assert_eq!(proxy(v), None, "{v}");
        }
    }

    #[test]
    fn proxy_prefix() {
        let f = proxy("john@contoso.com");
        assert_eq!(rules(&f), vec![id::PROXY_PREFIX]);
        assert_eq!(errors(&f), vec![ErrorName::Format]);
        assert_eq!(update(&f).as_deref(), Some("smtp:john@contoso.com"));
        assert_eq!(rules(&proxy(":john@contoso.com")), vec![id::PROXY_PREFIX]);
        assert_eq!(update(&proxy(":john@contoso.com")), None);
    }

    #[test]
    fn proxy_characters_per_type() {
        let f = proxy("smtp:jo hn@contoso.com");
        assert_eq!(rules(&f), vec![id::PROXY_CHARACTER]);
        assert_eq!(update(&f).as_deref(), Some("smtp:john@contoso.com"));
        for v in [
            "smtp:a<b@contoso.com",
            "smtp:a;b@contoso.com",
            "smtp:a,b@contoso.com",
            "smtp:a\"b@contoso.com",
            "smtp:a[b]@contoso.com",
            "smtp:a(b)@contoso.com",
        ] {
            assert_eq!(rules(&proxy(v)), vec![id::PROXY_CHARACTER], "{v}");
        }
        let f = proxy("smtp:jürgen@contoso.com");
        assert_eq!(rules(&f), vec![id::PROXY_CHARACTER]);
        assert_eq!(update(&f).as_deref(), Some("smtp:jurgen@contoso.com"));
        // X500: apostrophe and quotes are invalid, spaces are not.
        assert_eq!(
            rules(&proxy("X500:/o=Org/cn=d'Agostini")),
            vec![id::PROXY_CHARACTER]
        );
        assert_eq!(
            rules(&proxy("x.400:c=US;a= ;s=\"x\"")),
            vec![id::PROXY_CHARACTER]
        );
        // Other types: spaces invalid, semicolons allowed.
        assert_eq!(
            rules(&proxy("EUM:1234;phone-context=Dial Plan")),
            vec![id::PROXY_CHARACTER]
        );
    }

    #[test]
    fn proxy_colon_and_whitespace_and_invisible() {
        let f = proxy("SMTP:user:M@contoso.com");
        assert_eq!(rules(&f), vec![id::PROXY_COLON]);
        assert_eq!(update(&f).as_deref(), Some("SMTP:userM@contoso.com"));
        let f = proxy(" smtp:a@contoso.com");
        assert_eq!(rules(&f), vec![id::PROXY_WHITESPACE]);
        assert_eq!(update(&f).as_deref(), Some("smtp:a@contoso.com"));
        assert_eq!(
            rules(&proxy("smtp:a@contoso.com\u{2028}")),
            vec![id::PROXY_INVISIBLE]
        );
    }

    #[test]
    fn proxy_smtp_validity_and_tld() {
        let f = proxy("smtp:a..b@contoso.com");
        assert_eq!(rules(&f), vec![id::PROXY_SMTP_FORMAT]);
        assert_eq!(errors(&f), vec![ErrorName::LocalPart]);
        assert_eq!(update(&f).as_deref(), Some("smtp:a.b@contoso.com"));
        let f = proxy("smtp:contoso.com");
        assert_eq!(rules(&f), vec![id::PROXY_SMTP_FORMAT]);
        assert_eq!(errors(&f), vec![ErrorName::Format]);
        assert_eq!(
            errors(&proxy("smtp:a@contoso.com.")),
            vec![ErrorName::DomainPart]
        );
        let f = proxy("smtp:a@contoso.local");
        assert_eq!(rules(&f), vec![id::PROXY_NONROUTABLE]);
        assert_eq!(errors(&f), vec![ErrorName::TopLevelDomain]);
        // Non-SMTP types are not address-checked.
        assert_eq!(proxy("SIP:a@contoso.local"), None);
    }

    #[test]
    fn proxy_length() {
        let v = format!("smtp:{}@contoso.com", "a".repeat(240));
        assert_eq!(rules(&proxy(&v)), vec![id::PROXY_LENGTH]);
        let v = format!("smtp:{}@contoso.com", "a".repeat(239));
        assert_eq!(proxy(&v), None);
    }

    #[test]
    fn a_value_held_twice_is_judged_once() {
        let e = entry(
            "dn: CN=A,DC=x\nobjectClass: user\nproxyAddresses: SMTP:a@contoso.com\n\
             proxyAddresses: smtp:bad addr@contoso.com\nproxyAddresses: SMTP:a@contoso.com\n\
             proxyAddresses: smtp:bad addr@contoso.com\nproxyAddresses: smtp:Bad addr@contoso.com\n\
             mail: x y@contoso.com\nmail: x y@contoso.com\n",
        );
        let f = check(&e, &ctx());
        let got: Vec<(&str, &str)> = f.iter().map(|f| (f.attribute, f.value.as_str())).collect();
        // The second SMTP:a is the same address, not a second primary; another spelling
        // is another value.
        assert_eq!(
            got,
            vec![
                ("mail", "x y@contoso.com"),
                ("proxyAddresses", "smtp:bad addr@contoso.com"),
                ("proxyAddresses", "smtp:Bad addr@contoso.com"),
            ]
        );
    }

    #[test]
    fn proxy_multiple_primary_and_count_on_entry() {
        let e = entry(
            "dn: CN=A,DC=x\nobjectClass: user\nproxyAddresses: SMTP:a@contoso.com\nproxyAddresses: smtp:b@contoso.com\nproxyAddresses: SMTP:c@contoso.com\nproxyAddresses: SMTP:d@contoso.com\n",
        );
        let f = check(&e, &ctx());
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].value, "SMTP:c@contoso.com");
        assert_eq!(f[0].rules, vec![id::PROXY_MULTIPLE_PRIMARY]);
        assert_eq!(f[0].errors, vec![ErrorName::MultiplePrimary]);
        assert_eq!(f[0].update.as_deref(), Some("smtp:c@contoso.com"));
        assert_eq!(f[1].value, "SMTP:d@contoso.com");

        let mut s = String::from("dn: CN=A,DC=x\nobjectClass: user\n");
        for i in 0..301 {
            s.push_str(&format!("proxyAddresses: smtp:u{i}@contoso.com\n"));
        }
        let e = entry(&s);
        let f = check(&e, &ctx());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rules, vec![id::PROXY_COUNT]);
        assert_eq!(f[0].errors, vec![ErrorName::Count]);
        assert_eq!(f[0].value, "301 values");
        let s300: String = s.lines().take(302).map(|l| format!("{l}\n")).collect();
        assert!(check(&entry(&s300), &ctx()).is_empty());
    }

    // --- targetAddress ------------------------------------------------------------------

    #[test]
    fn target_rules() {
        assert_eq!(check_target("SMTP:john@contoso.mail.onmicrosoft.com"), None);
        assert_eq!(check_target("X500:/o=Org/ou=x/cn=z"), None);
        assert_eq!(
            rules(&check_target("X500:/o=Org/ou=x y/cn=z")),
            vec![id::TARGET_CHARACTER],
            "no whitespace in any targetAddress"
        );
        let f = check_target("john@contoso.com");
        assert_eq!(rules(&f), vec![id::TARGET_PREFIX]);
        assert_eq!(update(&f).as_deref(), Some("SMTP:john@contoso.com"));
        for v in [
            "SMTP:jo hn@contoso.com",
            "SMTP:a\\b@contoso.com",
            "X500:/o=a;b",
            "SMTP:a:b@contoso.com",
        ] {
            let f = check_target(v);
            assert_eq!(rules(&f), vec![id::TARGET_CHARACTER], "{v}");
            assert_eq!(errors(&f), vec![ErrorName::Character]);
        }
        assert_eq!(
            rules(&check_target(" SMTP:a@contoso.com")),
            vec![id::TARGET_WHITESPACE]
        );
        assert_eq!(
            rules(&check_target("SMTP:a@b@contoso.com")),
            vec![id::TARGET_SMTP_FORMAT]
        );
        assert_eq!(
            rules(&check_target("SMTP:a@contoso..com")),
            vec![id::TARGET_SMTP_FORMAT]
        );
        assert_eq!(
            rules(&check_target("SMTP:a\u{0}@contoso.com")),
            vec![id::TARGET_INVISIBLE]
        );
        let v = format!("SMTP:{}@contoso.com", "a".repeat(240));
        assert_eq!(rules(&check_target(&v)), vec![id::TARGET_LENGTH]);
    }

    // --- sAMAccountName, displayName, givenName -----------------------------------------

    #[test]
    fn sam_rules() {
        assert_eq!(check_sam("jsmith", true), None);
        let f = check_sam("a".repeat(21).as_str(), true);
        assert_eq!(rules(&f), vec![id::SAM_LENGTH]);
        assert_eq!(update(&f), Some("a".repeat(20)));
        assert_eq!(
            check_sam("a".repeat(21).as_str(), false),
            None,
            "groups may be longer"
        );
        for c in [
            '[', ']', '\\', '"', '|', ',', '/', ':', '<', '>', '+', '=', ';', '?', '*', '\'',
        ] {
            let v = format!("j{c}smith");
            let f = check_sam(&v, true);
            assert_eq!(rules(&f), vec![id::SAM_CHARACTER], "{v}");
            assert_eq!(update(&f).as_deref(), Some("jsmith"));
        }
        assert_eq!(
            rules(&check_sam("j\u{200b}s", true)),
            vec![id::SAM_INVISIBLE]
        );
    }

    #[test]
    fn sam_length_for_inetorgperson_not_group() {
        let long = "s".repeat(21);
        let text = format!("dn: CN=A,DC=x\nobjectClass: inetOrgPerson\nsAMAccountName: {long}\n");
        let e = entry(&text);
        assert_eq!(check(&e, &ctx())[0].rules, vec![id::SAM_LENGTH]);
        let text = format!("dn: CN=G,DC=x\nobjectClass: group\nsAMAccountName: {long}\n");
        let e = entry(&text);
        assert!(check(&e, &ctx()).is_empty());
    }

    #[test]
    fn display_and_given_name() {
        assert_eq!(check_display_name("John Smith", "John Smith"), None);
        let f = check_display_name("   ", "John Smith");
        assert_eq!(rules(&f), vec![id::DISPLAYNAME_BLANK]);
        assert_eq!(errors(&f), vec![ErrorName::Blank]);
        assert_eq!(update(&f).as_deref(), Some("John Smith"));
        assert_eq!(
            rules(&check_display_name("", "x")),
            vec![id::DISPLAYNAME_BLANK]
        );
        let f = check_display_name(&"d".repeat(257), "x");
        assert_eq!(rules(&f), vec![id::DISPLAYNAME_LENGTH]);
        assert_eq!(update(&f), Some("d".repeat(256)));
        assert_eq!(check_display_name(&"d".repeat(256), "x"), None);
        assert_eq!(
            rules(&check_display_name("Jo\u{202e}hn", "x")),
            vec![id::DISPLAYNAME_INVISIBLE]
        );

        assert_eq!(check_given_name(&"g".repeat(64)), None);
        assert_eq!(
            rules(&check_given_name(&"g".repeat(65))),
            vec![id::GIVENNAME_LENGTH]
        );
        assert_eq!(
            rules(&check_given_name("Ann\u{0}")),
            vec![id::GIVENNAME_INVISIBLE]
        );
    }

    #[test]
    fn missing_display_name_is_not_a_finding() {
        let e = entry("dn: CN=A,DC=x\nobjectClass: user\nsAMAccountName: a\n");
        assert!(check(&e, &ctx()).is_empty());
    }

    // --- counts -------------------------------------------------------------------------

    #[test]
    fn certificate_and_member_counts() {
        let mut s = String::from("dn: CN=A,DC=x\nobjectClass: user\n");
        for _ in 0..16 {
            s.push_str("userCertificate:: AAE=\nuserSMIMECertificate:: AAE=\n");
        }
        let f = check(&entry(&s), &ctx());
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].rules, vec![id::CERT_COUNT]);
        assert_eq!(f[0].attribute, "userCertificate");
        assert_eq!(f[1].rules, vec![id::SMIME_CERT_COUNT]);
        let s15: String = s.lines().take(2 + 30).map(|l| format!("{l}\n")).collect();
        assert!(check(&entry(&s15), &ctx()).is_empty());

        let mut g = String::from("dn: CN=G,DC=x\nobjectClass: group\n");
        for _ in 0..GROUP_MEMBERS_LIMIT {
            g.push_str("member: CN=m\n");
        }
        let f = check(&entry(&g), &ctx());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rules, vec![id::GROUP_MEMBER_COUNT]);
        assert_eq!(f[0].value, "250000 values");
    }

    // --- entry order, helpers -----------------------------------------------------------

    #[test]
    fn upn_differing_from_primary_smtp_is_not_a_finding() {
        let e = entry(
            "dn: CN=A,DC=x\nobjectClass: user\nsAMAccountName: a\nmail: jane@contoso.com\nproxyAddresses: SMTP:jane@contoso.com\nuserPrincipalName: j.doe@contoso.com\n",
        );
        assert!(check(&e, &ctx()).is_empty());
    }

    #[test]
    fn findings_follow_attribute_order() {
        let e = entry(
            "dn: CN=A,DC=x\nobjectClass: user\nuserPrincipalName: a b@contoso.com\nmail: x y@contoso.com\ndisplayName: \n",
        );
        let f = check(&e, &ctx());
        let attrs: Vec<&str> = f.iter().map(|f| f.attribute).collect();
        assert_eq!(attrs, vec!["displayName", "mail", "userPrincipalName"]);
    }

    #[test]
    fn address_keys() {
        assert_eq!(
            address_key(Attr::Mail, " Mary@Contoso.com").as_deref(),
            Some("mary@contoso.com")
        );
        assert_eq!(
            address_key(Attr::ProxyAddresses, "SMTP:Mary@Contoso.com").as_deref(),
            Some("mary@contoso.com")
        );
        assert_eq!(
            address_key(Attr::ProxyAddresses, "sip:mary@contoso.com"),
            None
        );
        assert_eq!(
            address_key(Attr::TargetAddress, "smtp:M@x.com").as_deref(),
            Some("m@x.com")
        );
        assert_eq!(
            address_key(Attr::UserPrincipalName, "M@X.COM").as_deref(),
            Some("m@x.com")
        );
        assert_eq!(address_key(Attr::Cn, "x"), None);
        assert_eq!(address_key(Attr::ProxyAddresses, "smtp:"), None);
    }

    #[test]
    fn transliteration_table() {
        for (c, s) in [
            ('é', "e"),
            ('ü', "u"),
            ('ß', "ss"),
            ('ø', "o"),
            ('ł', "l"),
            ('Æ', "AE"),
            ('Ş', "S"),
            ('ț', "t"),
            ('Ÿ', "Y"),
            ('ž', "z"),
        ] {
            assert_eq!(transliterate(c), Some(s), "{c}");
        }
        assert_eq!(transliterate('×'), None);
        assert_eq!(transliterate('a'), None);
        assert_eq!(transliterate('ж'), None);
    }

    #[test]
    fn ascii_tables_match_the_char_predicates() {
        for b in 0..=0x7fu8 {
            let c = char::from(b);
            assert_eq!(is_ascii_space(c), c.is_whitespace(), "{c:?}");
            assert_eq!(has_whitespace(&c.to_string()), c.is_whitespace(), "{c:?}");
            assert_eq!(has_invisible(&c.to_string()), is_invisible(c), "{c:?}");
            assert_eq!(MAIL_CHARS.contains(c), mail_char_ok(c), "{c:?}");
            assert_eq!(MAIL_CHARS.accepts_ascii(&c.to_string()), mail_char_ok(c));
        }
        // Non-ASCII: judged by the set's predicate, never by the byte table.
        for c in ['é', '\u{a0}', '\u{3000}', '\u{1F600}'] {
            assert!(!MAIL_CHARS.contains(c) && !MAIL_CHARS.accepts_ascii(&c.to_string()));
            assert_eq!(TARGET_OTHER_CHARS.contains(c), !c.is_whitespace(), "{c:?}");
            assert!(!TARGET_OTHER_CHARS.accepts_ascii(&c.to_string()));
        }
    }

    #[test]
    fn no_panic_on_odd_values() {
        let c = ctx();
        for v in [
            "",
            "@",
            "@@",
            ":",
            "::",
            ".",
            "..@..",
            "\u{0}",
            "é@é",
            "a@\u{1F600}",
            " @ ",
            "SMTP:",
            "smtp:@",
            "x:y:z",
        ] {
            let _ = check_upn(v, &c);
            let _ = check_mail(v);
            let _ = check_mail_nickname(v);
            let mut seen = true;
            let _ = check_proxy(v, &mut seen, &c);
            let _ = check_target(v);
            let _ = check_sam(v, true);
            let _ = check_display_name(v, v);
            let _ = check_given_name(v);
        }
    }

    #[test]
    fn rule_ids_are_in_catalog() {
        for r in RULE_IDS {
            let info =
                crate::rules::catalog::rule(r).unwrap_or_else(|| panic!("{r} not in catalog"));
            assert_eq!(info.profile, crate::rules::Profile::Entra);
        }
        for s in crate::rules::scope::SKIP_IDS {
            assert!(crate::rules::catalog::skip_reason(s).is_some(), "{s}");
        }
        // Every rule id literal used in this module and in scope.rs goes through a catalog
        // constant: no string literal ids in the source.
        for src in [include_str!("entra.rs"), include_str!("scope.rs")] {
            for line in src.lines() {
                if line.contains("rules: vec![\"") {
                    panic!("literal rule id: {line}");
                }
            }
        }
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn any_value() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('@'),
                Just('.'),
                Just(':'),
                Just(' '),
                Just('é'),
                Just('\u{200b}'),
                Just('\u{1F600}'),
                Just('-'),
                proptest::char::range('a', 'z'),
                any::<char>(),
            ],
            0..80,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    /// Host names and dotted labels as their definitions read (split into labels, judge
    /// each): the one-pass versions must agree.
    fn hostname_by_labels(d: &str, min_labels: usize) -> bool {
        let labels: Vec<&str> = d.split('.').collect();
        labels.len() >= min_labels
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            })
    }

    fn dots_by_labels(s: &str) -> bool {
        s.split('.').all(|l| !l.is_empty())
    }

    fn host_like() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('.'),
                Just('-'),
                Just('a'),
                Just('Z'),
                Just('7'),
                Just('é'),
                Just('@'),
                Just('_'),
            ],
            0..80,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn one_pass_host_and_dot_checks_match_their_definitions(d in host_like(), long in 60usize..70) {
            for min in 1..4 {
                prop_assert_eq!(hostname_ok(&d, min), hostname_by_labels(&d, min), "{:?} {}", d, min);
            }
            prop_assert_eq!(dots_ok(&d), dots_by_labels(&d) || d.is_empty(), "{:?}", d);
            let label = "a".repeat(long);
            let d2 = format!("{label}.{d}");
            prop_assert_eq!(hostname_ok(&d2, 2), hostname_by_labels(&d2, 2), "{:?}", d2);
        }
    }

    proptest! {
        #[test]
        fn checks_never_panic_and_updates_are_clean(v in any_value(), smtp in any::<bool>()) {
            let ctx = EntraContext::default();
            let v = if smtp { format!("smtp:{v}") } else { v };
            if let Some(f) = check_upn(&v, &ctx) {
                prop_assert!(!f.rules.is_empty());
                prop_assert_eq!(f.rules.len() >= f.errors.len(), true);
                if let Some(u) = f.update {
                    // A repaired UPN passes every character, shape and length rule.
                    let again = check_upn(&u, &ctx);
                    let left: Vec<&str> = again.map(|g| g.rules).unwrap_or_default();
                    for r in left {
                        prop_assert!(
                            r == id::UPN_NONROUTABLE_SUFFIX || r == id::UPN_DOMAIN_LENGTH,
                            "{:?} -> {:?} still fails {}", v, u, r
                        );
                    }
                }
            }
            if let Some(f) = check_mail(&v) {
                if let Some(u) = f.update {
                    let left: Vec<&str> = check_mail(&u).map(|g| g.rules).unwrap_or_default();
                    for r in left {
                        prop_assert!(r == id::MAIL_LENGTH || r == id::MAIL_DOMAIN_PART, "{:?} -> {:?}: {}", v, u, r);
                    }
                }
            }
            if let Some(f) = check_mail_nickname(&v) {
                if let Some(u) = f.update {
                    prop_assert_eq!(check_mail_nickname(&u), None, "{:?} -> {:?}", v, u);
                }
            }
            let mut seen = false;
            let _ = check_proxy(&v, &mut seen, &ctx);
            let _ = check_target(&v);
            if let Some(f) = check_sam(&v, true) {
                if let Some(u) = f.update {
                    prop_assert_eq!(check_sam(&u, true), None, "{:?} -> {:?}", v, u);
                }
            }
            let _ = check_display_name(&v, "cn");
            let _ = check_given_name(&v);
            let _ = address_key(Attr::ProxyAddresses, &v);
        }
    }
}
