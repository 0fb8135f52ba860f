//! The text primitives of IdFix 2.6.0.3's rules, written by hand instead of with a regex
//! engine: the .NET `\s` class, the invalid character classes, and matchers equivalent
//! to IdFix's three address regexes (`DomainPartRegex`, `LocalPartRegex`,
//! `Rfc2822Regex`). .NET string lengths (UTF-16 code units) are [`crate::rules`]'s,
//! shared with the entra profile.
//!
//! Contract: every function is total (no panics on any input) and pure.
//!
//! Deviations from .NET, all on exotic input only:
//! * IdFix's regexes use `IgnoreCase | CultureInvariant`, under which `[a-z]` also matches
//!   a few non-ASCII code points whose invariant lower case is ASCII (U+212A KELVIN SIGN →
//!   `k`, U+0130 → `i`). Here the classes are ASCII-case-insensitive only.
//! * .NET's string `IndexOf`/`LastIndexOf` skip ignorable code points; here searches are
//!   ordinal.
//! * Truncation to n UTF-16 units ([`crate::rules::truncate_utf16`]) stops at the last
//!   character boundary ≤ n (.NET may split a surrogate pair).

use std::borrow::Cow;

use crate::rules::{find_byte, rfind_byte};

/// Whether `c` is in .NET's `\s` class (`[\f\n\r\t\v\x85\p{Z}]`), which is also the set
/// `Char.IsWhiteSpace` and `String.Trim()` use.
pub const fn is_net_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// .NET `String.Trim()`: `s` without leading and trailing white space.
pub fn net_trim(s: &str) -> &str {
    s.trim_matches(is_net_space)
}

/// Lower case as .NET `ToLowerInvariant` does it: one character at a time, keeping the
/// length (a character whose lower case is several characters is kept as is).
pub fn lower_invariant(s: &str) -> String {
    s.chars().map(simple_lower).collect()
}

fn simple_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn simple_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// The case-insensitive comparison key IdFix's duplicate store effectively uses
/// (`StringComparer.InvariantCultureIgnoreCase`), approximated by simple Unicode case
/// folding: each character is upper-cased then lower-cased, one to one (so `ς`/`Σ`/`σ`,
/// `ſ`/`s`, `K` (Kelvin)/`k` fold together; `ß` stays `ß`), and the code points .NET's
/// linguistic comparison ignores are left out ([`is_ignorable`]: `a\u{AD}b` equals `ab`).
/// Residual difference: .NET may also equate canonically equivalent forms (`é` and
/// `e` + U+0301) and some expansions; this key does not.
pub fn fold_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_key_into(s, &mut out);
    out
}

/// [`fold_key`], appended to `out`.
pub fn fold_key_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(s.chars().filter(|&c| !is_ignorable(c)).map(fold_char));
    }
}

/// A code point `StringComparer.InvariantCultureIgnoreCase` ignores: the non-ASCII
/// default-ignorable and format characters ldifix calls invisible (soft hyphen, zero-width
/// space and joiners, bidi marks, BOM, variation selectors, tags, …), not the C1 controls
/// or the line and paragraph separators.
pub fn is_ignorable(c: char) -> bool {
    let u = c as u32;
    u >= 0xad && !matches!(u, 0x2028 | 0x2029) && crate::rules::entra::is_invisible(c)
}

/// One character of [`fold_key`].
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    simple_lower(simple_upper(c))
}

/// Whether `hay` contains `needle` ignoring ASCII case (`needle` must be ASCII lower-case).
pub fn contains_ascii_ci(hay: &str, needle: &str) -> bool {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() {
        return true;
    }
    h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Whether `s` starts with `prefix` ignoring ASCII case (`prefix` ASCII).
pub fn starts_with_ascii_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// IdFix's `SMTPRegex` (`smtp:`, IgnoreCase, unanchored): whether the value contains
/// `smtp:` anywhere.
pub fn is_smtp(v: &str) -> bool {
    contains_ascii_ci(v, "smtp:")
}

/// The invalid-character classes of IdFix's `RegexRule`s (the fix removes every match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// `InvalidProxyAddressSMTPRegex` `[\s<>\(\)\;\,\[\]"]`.
    ProxySmtp,
    /// `InvalidProxyAddressRegex` `[\s<>\(\)\,\[\]"]` (no `;`).
    ProxyOther,
    /// `InvalidX400ProxyAddressRegex` / `InvalidX500ProxyAddressRegex` `[\f\n\r\t\v\[\]"']`.
    ProxyX400X500,
    /// MT sAMAccountName `[\\"|,/\[\]:<>+=;?*]`.
    SamAccountName,
    /// `InvalidTargetAddressSMTPRegEx` `[\s\\<>\(\)\;\,\[\]"]`.
    TargetSmtp,
    /// `InvalidTargetAddressRegEx` `[\s\\<>\(\)\,\[\]"]`.
    TargetOther,
    /// `InvalidUpnRegExRegex` `[\s\\%&*+/=?'{}|<>\(\)\;\:\,\[\]"äëïöüÿÄËÏÖÜŸ]`.
    Upn,
    /// Dedicated mailNickname ``[\s\\!#$%&*+/=?^`{}|~<>()'\;\:\,\[\]"@]``.
    DedicatedNickname,
    /// Dedicated mail `[\s]`.
    Space,
}

impl CharClass {
    /// Whether `c` matches the class.
    pub const fn matches(self, c: char) -> bool {
        match self {
            CharClass::ProxySmtp => {
                is_net_space(c) || matches!(c, '<' | '>' | '(' | ')' | ';' | ',' | '[' | ']' | '"')
            }
            CharClass::ProxyOther => {
                is_net_space(c) || matches!(c, '<' | '>' | '(' | ')' | ',' | '[' | ']' | '"')
            }
            CharClass::ProxyX400X500 => {
                matches!(c, '\u{9}'..='\u{D}' | '[' | ']' | '"' | '\'')
            }
            CharClass::SamAccountName => matches!(
                c,
                '\\' | '"'
                    | '|'
                    | ','
                    | '/'
                    | '['
                    | ']'
                    | ':'
                    | '<'
                    | '>'
                    | '+'
                    | '='
                    | ';'
                    | '?'
                    | '*'
            ),
            CharClass::TargetSmtp => {
                is_net_space(c)
                    || matches!(
                        c,
                        '\\' | '<' | '>' | '(' | ')' | ';' | ',' | '[' | ']' | '"'
                    )
            }
            CharClass::TargetOther => {
                is_net_space(c) || matches!(c, '\\' | '<' | '>' | '(' | ')' | ',' | '[' | ']' | '"')
            }
            CharClass::Upn => {
                is_net_space(c)
                    || matches!(
                        c,
                        '\\' | '%'
                            | '&'
                            | '*'
                            | '+'
                            | '/'
                            | '='
                            | '?'
                            | '\''
                            | '{'
                            | '}'
                            | '|'
                            | '<'
                            | '>'
                            | '('
                            | ')'
                            | ';'
                            | ':'
                            | ','
                            | '['
                            | ']'
                            | '"'
                            | 'ä'
                            | 'ë'
                            | 'ï'
                            | 'ö'
                            | 'ü'
                            | 'ÿ'
                            | 'Ä'
                            | 'Ë'
                            | 'Ï'
                            | 'Ö'
                            | 'Ü'
                            | 'Ÿ'
                    )
            }
            CharClass::DedicatedNickname => {
                is_net_space(c)
                    || matches!(
                        c,
                        '\\' | '!'
                            | '#'
                            | '$'
                            | '%'
                            | '&'
                            | '*'
                            | '+'
                            | '/'
                            | '='
                            | '?'
                            | '^'
                            | '`'
                            | '{'
                            | '}'
                            | '|'
                            | '~'
                            | '<'
                            | '>'
                            | '('
                            | ')'
                            | '\''
                            | ';'
                            | ':'
                            | ','
                            | '['
                            | ']'
                            | '"'
                            | '@'
                    )
            }
            CharClass::Space => is_net_space(c),
        }
    }

    /// Every class, in declaration order (the order of [`ASCII_TABLES`]).
    const ALL: [CharClass; 9] = [
        CharClass::ProxySmtp,
        CharClass::ProxyOther,
        CharClass::ProxyX400X500,
        CharClass::SamAccountName,
        CharClass::TargetSmtp,
        CharClass::TargetOther,
        CharClass::Upn,
        CharClass::DedicatedNickname,
        CharClass::Space,
    ];

    /// `Some(value without the matching characters)` when any character matches
    /// (`Regex.IsMatch` then `Regex.Replace(v, "")`), else `None`.
    pub fn strip(self, v: &str) -> Option<String> {
        // Nearly every value is ASCII and matches nothing: judged with the class's
        // table of ASCII characters, one look-up per byte.
        if v.is_ascii() {
            let table = &ASCII_TABLES[self as usize];
            if !v.bytes().any(|b| table[usize::from(b)]) {
                return None;
            }
        } else if !v.chars().any(|c| self.matches(c)) {
            return None;
        }
        Some(v.chars().filter(|&c| !self.matches(c)).collect())
    }
}

/// For each [`CharClass`] (by its index in [`CharClass::ALL`]), whether it matches each
/// ASCII character (built from [`CharClass::matches`]; other bytes are never looked up).
const ASCII_TABLES: [[bool; 256]; CharClass::ALL.len()] = {
    let mut tables = [[false; 256]; CharClass::ALL.len()];
    let mut k = 0;
    while k < tables.len() {
        let class = CharClass::ALL[k];
        let mut c = 0u8;
        while c < 128 {
            tables[k][c as usize] = class.matches(c as char);
            c += 1;
        }
        k += 1;
    }
    tables
};

/// MT mailNickname `^[.]+`: `Some(value without its leading dots)` when it starts with one.
pub fn strip_leading_dots(v: &str) -> Option<String> {
    if v.starts_with('.') {
        Some(v.trim_start_matches('.').to_string())
    } else {
        None
    }
}

/// Dedicated displayName `^[\s]+|[\s]+$`: `Some(trimmed)` when the value begins or ends with
/// white space.
pub fn strip_edge_space(v: &str) -> Option<String> {
    let starts = v.chars().next().is_some_and(is_net_space);
    let ends = v.chars().next_back().is_some_and(is_net_space);
    if starts || ends {
        Some(net_trim(v).to_string())
    } else {
        None
    }
}

/// RFC 5322 `atext` as IdFix's classes spell it: `[a-z0-9!#$%&'*+/=?^_`{|}~-]`, IgnoreCase.
pub const fn is_atext(c: char) -> bool {
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
                | '-'
        )
}

/// [`is_atext`] for each byte (non-ASCII bytes are not atext).
const ATEXT: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0u8;
    while c < 128 {
        t[c as usize] = is_atext(c as char);
        c += 1;
    }
    t
};

/// `[a-z0-9]+(?:\.[a-z0-9]+)*` over atext: a non-empty dot-atom.
fn is_dot_atom(s: &str) -> bool {
    // By bytes: `.` is ASCII, and atext is ASCII only, so a byte of a wider character
    // fails the test exactly as the character would.
    !s.is_empty()
        && s.as_bytes()
            .split(|&b| b == b'.')
            .all(|p| !p.is_empty() && p.iter().all(|&b| ATEXT[usize::from(b)]))
}

/// `(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,17})`, IgnoreCase, whole string.
fn is_domain(s: &str) -> bool {
    let Some(dot) = rfind_byte(s, b'.') else {
        return false;
    };
    let (labels, tld) = (&s[..dot], &s[dot + 1..]);
    let tld_ok = (2..=17).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_alphabetic());
    tld_ok
        && labels
            .as_bytes()
            .split(|&c| c == b'.')
            .all(|b| match (b.first(), b.last()) {
                (Some(f), Some(z)) => {
                    f.is_ascii_alphanumeric()
                        && z.is_ascii_alphanumeric()
                        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
                }
                _ => false,
            })
}

/// .NET `$` without `Multiline`: end of input, or before a final `\n`.
fn strip_final_newline(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

/// `DomainPartRegex` `@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,17})$`, unanchored
/// at the start. Only the last `@` can start a match (the domain classes exclude `@`).
pub fn domain_part_matches(a: &str) -> bool {
    match rfind_byte(a, b'@') {
        Some(at) => is_domain(strip_final_newline(&a[at + 1..])),
        None => false,
    }
}

/// `LocalPartRegex` `^[atext]+(?:\.[atext]+)*@`: the text before the first `@` is a
/// dot-atom.
pub fn local_part_matches(a: &str) -> bool {
    match find_byte(a, b'@') {
        Some(at) => is_dot_atom(&a[..at]),
        None => false,
    }
}

/// `Rfc2822Regex` `^dot-atom@domain$` (`$` also before a final `\n`).
pub fn rfc2822_matches(a: &str) -> bool {
    let a = strip_final_newline(a);
    match find_byte(a, b'@') {
        Some(at) => is_dot_atom(&a[..at]) && is_domain(&a[at + 1..]),
        None => false,
    }
}

/// IdFix's `ErrorType` flag bits, taken from [`ErrorName`]'s discriminants (which are those
/// values) so the numbers live in one place.
pub mod flags {
    use crate::rules::ErrorName;

    /// `Format`
    pub const FORMAT: u16 = ErrorName::Format as u16;
    /// `Blank`
    pub const BLANK: u16 = ErrorName::Blank as u16;
    /// `Duplicate`
    pub const DUPLICATE: u16 = ErrorName::Duplicate as u16;
    /// `Character`
    pub const CHARACTER: u16 = ErrorName::Character as u16;
    /// `TopLevelDomain`
    pub const TOP_LEVEL_DOMAIN: u16 = ErrorName::TopLevelDomain as u16;
    /// `DomainPart`
    pub const DOMAIN_PART: u16 = ErrorName::DomainPart as u16;
    /// `LocalPart`
    pub const LOCAL_PART: u16 = ErrorName::LocalPart as u16;
    /// `Length`
    pub const LENGTH: u16 = ErrorName::Length as u16;
}

/// IdFix's `RFC2822Rule` on the running value `v`: `Some((flags, updated value))` when it
/// fails. `tld_ok(".com")` answers whether a dot-led TLD is in the list, ignoring ASCII
/// case (an ASCII tail is passed as written, any other lower-cased first).
pub fn rfc2822_rule(v: &str, tld_ok: impl Fn(&str) -> bool) -> Option<(u16, String)> {
    let smtp_colon = if is_smtp(v) { find_byte(v, b':') } else { None };
    // The running address is copied only when a step repairs it.
    let mut a: Cow<'_, str> = match smtp_colon {
        Some(p) => Cow::Borrowed(&v[p + 1..]),
        None => Cow::Borrowed(v),
    };
    let mut errs = 0u16;
    // 1. top-level domain, on the unrepaired text (`tld_ok` ignores ASCII case itself, so
    //    only a non-ASCII tail needs lower-casing first)
    if let Some(dot) = rfind_byte(&a, b'.') {
        if dot + 1 < a.len() {
            let tail = &a[dot..];
            let ok = if tail.is_ascii() {
                tld_ok(tail)
            } else {
                tld_ok(&lower_invariant(tail))
            };
            if !ok {
                errs |= flags::TOP_LEVEL_DOMAIN;
            }
        }
    }
    // 2. domain part
    if !domain_part_matches(&a) {
        errs |= flags::DOMAIN_PART;
        if let Some(at) = rfind_byte(&a, b'@') {
            let dom: String = a[at + 1..]
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            let mut repaired = a[..=at].to_string();
            repaired.push_str(&dom);
            a = Cow::Owned(repaired);
        }
    }
    // 3. local part (also when more than one '@')
    if !local_part_matches(&a) || a.bytes().filter(|&b| b == b'@').count() > 1 {
        errs |= flags::LOCAL_PART;
        if let Some(at) = rfind_byte(&a, b'@') {
            let mut loc: String = a[..at]
                .chars()
                .filter(|&c| is_atext(c) || c == '.')
                .collect();
            loc.push_str(&a[at..]);
            a = Cow::Owned(loc.replace(".@", "@"));
        }
    }
    // 4. the whole address, after the repairs (when steps 2 and 3 passed, the address is
    //    unchanged, has one '@', and its two parts are what they checked: it matches)
    if errs & (flags::DOMAIN_PART | flags::LOCAL_PART) != 0 && !rfc2822_matches(&a) {
        errs |= flags::FORMAT;
    }
    if errs == 0 {
        return None;
    }
    let update = match smtp_colon {
        Some(p) => format!("{}{}", net_trim(&v[..=p]), a),
        None => a.into_owned(),
    };
    Some((errs, update))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_space_set_is_exact() {
        let expected: Vec<u32> = (0x9..=0xD)
            .chain([0x20, 0x85, 0xA0, 0x1680])
            .chain(0x2000..=0x200A)
            .chain([0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
            .collect();
        let got: Vec<u32> = (0u32..0x11000)
            .filter_map(char::from_u32)
            .filter(|c| is_net_space(*c))
            .map(|c| c as u32)
            .collect();
        assert_eq!(got, expected);
        // not white space for .NET either
        for c in [
            '\u{200B}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{AD}', '\u{1C}', '\u{180E}',
        ] {
            assert!(!is_net_space(c), "{:X}", c as u32);
        }
    }

    #[test]
    fn rfc_whole_format_check_is_implied_by_the_part_checks() {
        // `rfc2822_rule` skips step 4 when steps 2 and 3 pass: every short string over
        // the characters that matter shows that step 4 would have passed too.
        let alphabet = ['a', '@', '.', '-', '\n', '\u{e9}'];
        let mut s = String::new();
        let mut checked = 0;
        for len in 0..=9u32 {
            for mut n in 0..alphabet.len().pow(len) {
                s.clear();
                for _ in 0..len {
                    s.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                let parts = domain_part_matches(&s)
                    && local_part_matches(&s)
                    && s.bytes().filter(|&b| b == b'@').count() <= 1;
                if parts {
                    assert!(rfc2822_matches(&s), "{s:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "{checked}");
        // And the rule's verdicts on a few addresses are unchanged.
        assert_eq!(rfc2822_rule("a.b@contoso.com", |_| true), None);
        assert!(rfc2822_rule("a..b@contoso.com", |_| true).is_some());
        assert!(rfc2822_rule("a@b@contoso.com", |_| true).is_some());
        assert!(rfc2822_rule("a@contoso.com\n", |_| true).is_none());
    }

    #[test]
    fn ascii_tables_agree_with_the_classes() {
        for (i, class) in CharClass::ALL.into_iter().enumerate() {
            assert_eq!(class as usize, i);
            for c in 0u8..128 {
                let v = format!("a{}b", c as char);
                let want = class.matches(c as char);
                assert_eq!(class.strip(&v).is_some(), want, "{class:?} {c:#04x}");
            }
        }
        // A non-ASCII value is judged character by character.
        assert_eq!(CharClass::Upn.strip("j\u{f6}rg").as_deref(), Some("jrg"));
        assert_eq!(CharClass::Space.strip("a\u{a0}b").as_deref(), Some("ab"));
        assert_eq!(CharClass::Space.strip("\u{e9}t\u{e9}"), None);
    }

    #[test]
    fn fold_key_is_case_insensitive() {
        assert_eq!(fold_key("SMTP:A@X.com"), fold_key("smtp:a@x.COM"));
        assert_eq!(fold_key("ÄBC"), fold_key("äbc"));
        assert_eq!(fold_key("Σίσυφος"), fold_key("ΣΊΣΥΦΟΣ"));
        assert_eq!(fold_key("ſ"), fold_key("S"));
        assert_ne!(fold_key("smtp:a"), fold_key("sip:a"));
        // Ignorable code points compare equal to nothing, as in .NET's invariant culture.
        assert_eq!(fold_key("a\u{ad}b@x"), fold_key("AB@X"));
        assert_eq!(fold_key("\u{feff}a\u{200b}b\u{200d}"), "ab");
        assert_ne!(fold_key("a\u{2028}b"), fold_key("ab"));
        assert_ne!(fold_key("a\u{85}b"), fold_key("ab"));
    }

    #[test]
    fn domain_part_regex_semantics() {
        assert!(domain_part_matches("a@contoso.com"));
        assert!(domain_part_matches("a@b@sub.contoso.com"));
        assert!(domain_part_matches("@x-y.z9.travel"));
        assert!(domain_part_matches("a@contoso.com\n")); // `$` before a final newline
        assert!(!domain_part_matches("a@contoso.com\n\n"));
        assert!(!domain_part_matches("a@contoso"));
        assert!(!domain_part_matches("a@-contoso.com"));
        assert!(!domain_part_matches("a@contoso-.com"));
        assert!(!domain_part_matches("a@contoso..com"));
        assert!(!domain_part_matches("a@contoso.com."));
        assert!(!domain_part_matches("a@contoso.c"));
        assert!(domain_part_matches("a@contoso.abcdefghijklmnopq")); // 17 letters
        assert!(!domain_part_matches("a@contoso.abcdefghijklmnopqr")); // 18
        assert!(!domain_part_matches("a@contoso.xn--p1ai"));
        assert!(!domain_part_matches("a@con_toso.com"));
        assert!(!domain_part_matches("a@contoso.com@x"));
        assert!(domain_part_matches("A@CONTOSO.COM"));
    }

    #[test]
    fn local_part_regex_semantics() {
        assert!(local_part_matches("j.smith@x"));
        assert!(local_part_matches("j!#$%&'*+/=?^_`{|}~-@"));
        assert!(local_part_matches("a@@b"));
        assert!(!local_part_matches(".j@x"));
        assert!(!local_part_matches("j.@x"));
        assert!(!local_part_matches("j..s@x"));
        assert!(!local_part_matches("@x"));
        assert!(!local_part_matches("josé@x"));
        assert!(!local_part_matches("jsmith"));
    }

    #[test]
    fn rfc2822_regex_semantics() {
        assert!(rfc2822_matches("john.smith@contoso.com"));
        assert!(rfc2822_matches("john.smith@contoso.com\n"));
        assert!(!rfc2822_matches("john@@contoso.com"));
        assert!(!rfc2822_matches("john smith@contoso.com"));
        assert!(!rfc2822_matches("\"j\"@contoso.com"));
        assert!(!rfc2822_matches("j@[10.0.0.1]"));
    }

    #[test]
    fn char_classes() {
        assert_eq!(
            CharClass::Upn.strip("John Smith@x.com").as_deref(),
            Some("JohnSmith@x.com")
        );
        assert_eq!(CharClass::Upn.strip("j$smith@x.com"), None);
        assert_eq!(CharClass::ProxyX400X500.strip("x400:a= ;b"), None);
        assert_eq!(
            CharClass::ProxyX400X500.strip("X500:/cn=O'Neil").as_deref(),
            Some("X500:/cn=ONeil")
        );
        assert_eq!(CharClass::ProxyOther.strip("a;b"), None);
        assert_eq!(CharClass::ProxySmtp.strip("a;b").as_deref(), Some("ab"));
        assert_eq!(
            CharClass::SamAccountName.strip("john/smith").as_deref(),
            Some("johnsmith")
        );
        assert_eq!(
            CharClass::Space.strip("a\u{3000}b\u{200B}").as_deref(),
            Some("ab\u{200B}")
        );
        assert_eq!(strip_leading_dots("..a.").as_deref(), Some("a."));
        assert_eq!(strip_leading_dots("a."), None);
        assert_eq!(strip_edge_space(" a b\t").as_deref(), Some("a b"));
        assert_eq!(strip_edge_space("a b"), None);
    }
}
