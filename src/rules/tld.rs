//! Top-level-domain lists and the "is this suffix internet-routable" test.
//!
//! Contract:
//! * A [`TldSet`] holds TLD names lower-case, without a leading dot, in ASCII/punycode form
//!   as the root zone lists them (`com`, `app`, `xn--p1ai`). Look-ups are case-insensitive.
//! * [`TldSet::iana()`] is the bundled IANA root-zone list (`data/iana-tlds.txt`, dated in
//!   its header); [`TldSet::idfix()`] is the list IdFix 2.6.0.3 ships (`data/idfix-domains.txt`,
//!   920 entries with leading dots); [`TldSet::from_text`] / [`TldSet::from_file`] read an
//!   override list (one name per line, `#` comments, leading dots optional).
//! * [`TldSet::is_routable_domain`] first rejects the special-use / never-delegated names
//!   of [`SPECIAL_USE`] (`.local`, `.lan`, `.internal`, `home.arpa`, ...) whatever the list
//!   says, then requires the last label to be in the set.
//! * [`TldSet::idfix_tail_ok`] reproduces IdFix's own comparison (the text from the last
//!   `.` on, dot included, lower-cased, looked up as is; no special-use names).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use ahash::AHashSet;

/// The bundled IANA list (text).
pub const IANA_TEXT: &str = include_str!("data/iana-tlds.txt");
/// IdFix 2.6.0.3's `domains.txt` (text, converted to UTF-8).
pub const IDFIX_TEXT: &str = include_str!("data/idfix-domains.txt");

/// Names that are never internet-routable, whatever a TLD list says: special-use names
/// (RFC 2606, 6761, 6762, 7686, 8375, 9476), ICANN's private-use `.internal`, the
/// indefinitely deferred collision strings `.corp`, `.home`, `.mail`, and suffixes commonly
/// used internally that are not delegated. Matched as whole trailing labels
/// (`home.arpa` matches `x.home.arpa`, not `myhome.arpa`).
pub const SPECIAL_USE: &[&str] = &[
    "local",
    "lan",
    "internal",
    "corp",
    "home",
    "mail",
    "localdomain",
    "intranet",
    "test",
    "example",
    "invalid",
    "localhost",
    "onion",
    "alt",
    "home.arpa",
    "lcl",
    "loc",
    "priv",
    "private",
    "domain",
    "workgroup",
];

/// A set of TLDs (see the module doc).
#[derive(Debug, Clone)]
pub struct TldSet {
    names: Arc<AHashSet<Box<str>>>,
    len: usize,
}

impl TldSet {
    /// The bundled IANA root-zone list (shared, built once).
    pub fn iana() -> TldSet {
        static SET: OnceLock<TldSet> = OnceLock::new();
        SET.get_or_init(|| TldSet::from_text(IANA_TEXT)).clone()
    }

    /// IdFix's own list (shared, built once). Use it with [`TldSet::idfix_tail_ok`] to
    /// reproduce IdFix, or with [`TldSet::is_routable_domain`] for a last-label test.
    pub fn idfix() -> TldSet {
        static SET: OnceLock<TldSet> = OnceLock::new();
        SET.get_or_init(|| TldSet::from_text(IDFIX_TEXT)).clone()
    }

    /// Parse a list: one name per line, blank lines and `#` comments ignored (also after a
    /// name), a leading dot optional, surrounding whitespace trimmed, lower-cased.
    pub fn from_text(text: &str) -> TldSet {
        TldSet::from_names(text.lines().filter_map(|line| {
            let line = line.split('#').next().unwrap_or("");
            let name = line.trim().trim_start_matches('\u{feff}').trim();
            let name = name.strip_prefix('.').unwrap_or(name);
            (!name.is_empty()).then_some(name)
        }))
    }

    /// Build from names (leading dots optional, any case; text after `#` ignored).
    pub fn from_names<'a, I: IntoIterator<Item = &'a str>>(names: I) -> TldSet {
        let mut set = AHashSet::new();
        for n in names {
            let n = n.split('#').next().unwrap_or("").trim();
            let n = n.strip_prefix('.').unwrap_or(n);
            if !n.is_empty() {
                set.insert(n.to_lowercase().into_boxed_str());
            }
        }
        let len = set.len();
        TldSet {
            names: Arc::new(set),
            len,
        }
    }

    /// Read an override list from a file (`--tld-list FILE`); a UTF-8 BOM is ignored.
    pub fn from_file(path: &Path) -> std::io::Result<TldSet> {
        let bytes = std::fs::read(path)?;
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => {
                // UTF-16 (IdFix ships its list as UTF-16LE) or a legacy code page.
                let (t, _, _) = encoding_rs::Encoding::for_bom(&bytes)
                    .map(|(enc, _)| enc)
                    .unwrap_or(encoding_rs::WINDOWS_1252)
                    .decode(&bytes);
                std::borrow::Cow::Owned(t.into_owned())
            }
        };
        Ok(TldSet::from_text(&text))
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `tld` (a leading dot allowed, any case) is in the set.
    pub fn contains(&self, tld: &str) -> bool {
        let tld = tld.strip_prefix('.').unwrap_or(tld);
        if tld.is_empty() {
            return false;
        }
        if !tld.bytes().any(|b| b.is_ascii_uppercase()) && tld.is_ascii() {
            return self.names.contains(tld);
        }
        // Lower-case on the stack for the usual short ASCII label; allocate otherwise.
        let mut buf = [0u8; 64];
        if tld.is_ascii() && tld.len() <= buf.len() {
            let b = &mut buf[..tld.len()];
            b.copy_from_slice(tld.as_bytes());
            b.make_ascii_lowercase();
            return std::str::from_utf8(b).is_ok_and(|t| self.names.contains(t));
        }
        self.names.contains(tld.to_lowercase().as_str())
    }

    /// Whether a domain (the text after `@`) can be used on the internet: not a special-use
    /// name (see [`is_special_use`]), and its last label is in the set. A trailing dot is
    /// not accepted (`contoso.com.` is not a valid address domain); a single label
    /// (`contoso`) is judged as a TLD and so is normally not routable.
    pub fn is_routable_domain(&self, domain: &str) -> bool {
        if domain.is_empty() || domain.ends_with('.') || is_special_use(domain) {
            return false;
        }
        let last = match memchr::memrchr(b'.', domain.as_bytes()) {
            Some(dot) => &domain[dot + 1..],
            None => domain,
        };
        self.contains(last)
    }

    /// IdFix's test on the text from the last `.` of a value (dot included, e.g. `.com`):
    /// lower-cased and looked up as is. A tail of length ≤ 1 passes (IdFix skips it), a
    /// tail without a leading dot never matches.
    pub fn idfix_tail_ok(&self, tail: &str) -> bool {
        if tail.chars().count() <= 1 {
            return true;
        }
        match tail.strip_prefix('.') {
            // IdFix compares ".edu.au"-style entries whole, so a tail containing another
            // dot could only match such an entry; tails never contain one (they start at
            // the last dot), so a plain label look-up is exact.
            Some(rest) => !rest.contains('.') && self.contains(rest),
            None => false,
        }
    }
}

/// Whether `domain` is, or ends with, one of the [`SPECIAL_USE`] names (case-insensitive,
/// on label boundaries; a trailing dot is ignored).
pub fn is_special_use(domain: &str) -> bool {
    let d = domain.strip_suffix('.').unwrap_or(domain);
    // Fast path: a name can only end with a special-use name if it ends with the same
    // letter, and most domains (`.com`, `.org`) end with a letter none of them ends with.
    match d.as_bytes().last() {
        Some(&b) if SPECIAL_USE_LAST[usize::from(b.to_ascii_lowercase())] => {
            SPECIAL_USE.iter().any(|s| ends_with_labels(d, s))
        }
        _ => false,
    }
}

/// For each byte, whether some [`SPECIAL_USE`] name ends with it (lower-cased).
const SPECIAL_USE_LAST: [bool; 256] = {
    let mut set = [false; 256];
    let mut i = 0;
    while i < SPECIAL_USE.len() {
        let name = SPECIAL_USE[i].as_bytes();
        set[name[name.len() - 1].to_ascii_lowercase() as usize] = true;
        i += 1;
    }
    set
};

/// Whether `domain` equals `suffix` or ends with `.` + `suffix` (ASCII case-insensitive).
pub fn ends_with_labels(domain: &str, suffix: &str) -> bool {
    let (d, s) = (domain.as_bytes(), suffix.as_bytes());
    if d.len() < s.len() {
        return false;
    }
    let tail = &d[d.len() - s.len()..];
    if !tail.eq_ignore_ascii_case(s) {
        return false;
    }
    d.len() == s.len() || d[d.len() - s.len() - 1] == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_list_is_current_and_complete() {
        let t = TldSet::iana();
        assert!(t.len() > 1400, "{}", t.len());
        for ok in [
            "com", "app", "dev", "xn--p1ai", "org", "ad", "int", "zone", "COM", ".net",
        ] {
            assert!(t.contains(ok), "{ok}");
        }
        for bad in ["local", "lan", "internal", "corp", "", "."] {
            assert!(!t.contains(bad), "{bad}");
        }
        assert!(IANA_TEXT.starts_with('#') && IANA_TEXT.contains("Version 20"));
    }

    #[test]
    fn routability_with_iana() {
        let t = TldSet::iana();
        for ok in [
            "contoso.com",
            "x.app",
            "sub.contoso.dev",
            "пример.xn--p1ai",
            "Contoso.COM",
        ] {
            assert!(t.is_routable_domain(ok), "{ok}");
        }
        for bad in [
            "contoso.local",
            "corp.lan",
            "x.internal",
            "home.arpa",
            "router.home.arpa",
            "CONTOSO.LOCAL",
            "contoso",
            "contoso.com.",
            "",
            "a.corp",
            "a.test",
            "a.onion",
        ] {
            assert!(!t.is_routable_domain(bad), "{bad}");
        }
        // `.arpa` itself is delegated; only home.arpa is special.
        assert!(t.is_routable_domain("myhome.arpa"));
    }

    #[test]
    fn special_use_wins_over_any_list() {
        let t = TldSet::from_text("local\n.lan\ncom\n");
        assert!(t.contains("local"));
        assert!(!t.is_routable_domain("contoso.local"));
        assert!(!t.is_routable_domain("contoso.lan"));
        assert!(t.is_routable_domain("contoso.com"));
    }

    #[test]
    fn idfix_list_semantics() {
        let t = TldSet::idfix();
        assert_eq!(t.len(), 920);
        assert!(t.idfix_tail_ok(".com"));
        assert!(t.idfix_tail_ok(".COM"));
        assert!(
            !t.idfix_tail_ok(".app"),
            ".app is missing from IdFix's list"
        );
        assert!(!t.idfix_tail_ok(".local"));
        assert!(!t.idfix_tail_ok("com"), "tails carry their dot");
        assert!(t.idfix_tail_ok("."), "IdFix skips a bare dot");
        assert!(!t.idfix_tail_ok(".au.x"));
        assert!(!t.is_routable_domain("contoso.app"));
        assert!(TldSet::iana().is_routable_domain("contoso.app"));
    }

    #[test]
    fn override_text_format() {
        let t = TldSet::from_text("# my list\n.COM \n  org # trailing comment\n\n\u{feff}net\n");
        assert_eq!(t.len(), 3);
        assert!(t.contains("com") && t.contains("org") && t.contains("net"));
        assert!(!t.contains("#"));
    }

    #[test]
    fn from_names_ignores_comments_and_dots() {
        let t = TldSet::from_names([".COM", "shop # new", "# only a comment", "  "]);
        assert_eq!(t.len(), 2);
        assert!(t.contains("com") && t.contains("SHOP"));
    }

    #[test]
    fn override_file_utf16() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("domains.txt");
        let mut bytes = vec![0xff, 0xfe];
        for u in ".com\r\n.shop\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        std::fs::write(&p, bytes).unwrap();
        let t = TldSet::from_file(&p).unwrap();
        assert_eq!(t.len(), 2);
        assert!(t.is_routable_domain("a.shop"));
    }

    #[test]
    fn label_suffix_matching() {
        assert!(ends_with_labels("x.home.arpa", "home.arpa"));
        assert!(ends_with_labels("HOME.ARPA", "home.arpa"));
        assert!(!ends_with_labels("myhome.arpa", "home.arpa"));
        assert!(!ends_with_labels("arpa", "home.arpa"));
    }
}
