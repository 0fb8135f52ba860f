//! Checks on directory entries: the `entra` profile (Microsoft's documented rules,
//! default), and IdFix 2.6.0.3 reproduced exactly (`idfix`, `idfix-dedicated`).
//!
//! Findings are data: a check never fails the run. Each failing check has a stable rule
//! id (see [`catalog`]) and one of the error names of [`ErrorName`].

use serde::Serialize;

use crate::model::{Attr, FileId};

pub mod catalog;
pub mod entra;
pub mod idfix;
pub mod scope;
pub mod tld;

// Values are short: a plain byte loop finds a character faster than a general search
// (`str::find(char)`, `memchr`) gets started.

/// Byte position of the first `b` (an ASCII byte, so always a character boundary).
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// Byte position of the last `b` (an ASCII byte, so always a character boundary).
pub(crate) fn rfind_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().rposition(|c| c == b)
}

// Lengths in UTF-16 units (.NET `String.Length`, Entra's limits), shared by both profiles.

/// Length in UTF-16 code units.
pub fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

/// Whether `s` is longer than `n` UTF-16 units (a UTF-16 length never exceeds the UTF-8
/// length, so short strings are decided without counting).
pub(crate) fn longer_than(s: &str, n: usize) -> bool {
    s.len() > n && utf16_len(s) > n
}

/// The longest prefix of `s` that is at most `n` UTF-16 code units and ends on a character
/// boundary (.NET `Substring(0, n)`, without splitting a surrogate pair).
pub fn truncate_utf16(s: &str, n: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > n {
            return &s[..i];
        }
    }
    s
}

/// The error names reported in findings: IdFix's eight, then ldifix's own for what IdFix
/// does not check. The discriminants of IdFix's names are its `[Flags]` values, which
/// decide their order inside one IdFix rule's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ErrorName {
    /// Not a valid address/format.
    Format = 1,
    /// Empty where a value is required.
    Blank = 2,
    /// Another object holds the same value.
    Duplicate = 4,
    /// Invalid characters.
    Character = 8,
    /// The top-level domain / suffix is not routable.
    TopLevelDomain = 16,
    /// The domain part of an address is invalid.
    DomainPart = 32,
    /// The local part of an address is invalid.
    LocalPart = 64,
    /// Too long.
    Length = 128,
    /// ldifix: the UPN suffix is not a verified domain of the tenant.
    Unverified = 256,
    /// ldifix: invisible, control or format characters.
    Invisible = 512,
    /// ldifix: more than one primary `SMTP:` proxy address.
    MultiplePrimary = 1024,
    /// ldifix: too many values (proxyAddresses, certificates, members).
    Count = 2048,
}

impl ErrorName {
    /// The name as reported.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorName::Format => "Format",
            ErrorName::Blank => "Blank",
            ErrorName::Duplicate => "Duplicate",
            ErrorName::Character => "Character",
            ErrorName::TopLevelDomain => "TopLevelDomain",
            ErrorName::DomainPart => "DomainPart",
            ErrorName::LocalPart => "LocalPart",
            ErrorName::Length => "Length",
            ErrorName::Unverified => "Unverified",
            ErrorName::Invisible => "Invisible",
            ErrorName::MultiplePrimary => "MultiplePrimary",
            ErrorName::Count => "Count",
        }
    }

    /// Parse a name (case-insensitive).
    pub fn parse(s: &str) -> Option<ErrorName> {
        ErrorName::ALL
            .iter()
            .copied()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
    }

    /// All names.
    pub const ALL: [ErrorName; 12] = [
        ErrorName::Format,
        ErrorName::Blank,
        ErrorName::Duplicate,
        ErrorName::Character,
        ErrorName::TopLevelDomain,
        ErrorName::DomainPart,
        ErrorName::LocalPart,
        ErrorName::Length,
        ErrorName::Unverified,
        ErrorName::Invisible,
        ErrorName::MultiplePrimary,
        ErrorName::Count,
    ];
}

/// IdFix's proposed actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// Change the value to UPDATE.
    Edit,
    /// Remove the value.
    Remove,
    /// Leave as is (nothing to do / mark complete).
    Complete,
}

impl Action {
    /// The name as reported (`Edit`, `Remove`, `Complete`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Edit => "Edit",
            Action::Remove => "Remove",
            Action::Complete => "Complete",
        }
    }
}

/// Which rule set runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
pub enum Profile {
    /// Microsoft's documented Entra ID rules (default).
    Entra,
    /// IdFix 2.6.0.3 multi-tenant rules, reproduced exactly.
    Idfix,
    /// IdFix 2.6.0.3 dedicated rules, reproduced exactly.
    IdfixDedicated,
}

impl Profile {
    /// The name as reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Entra => "entra",
            Profile::Idfix => "idfix",
            Profile::IdfixDedicated => "idfix-dedicated",
        }
    }
}

/// One failing (object, attribute, value): all failing checks of that value together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The attribute checked.
    pub attr: Attr,
    /// The attribute name as reported (IdFix profiles print `mailnickname` in lower case).
    pub attribute: &'static str,
    /// The value as in the input (empty when the attribute is absent).
    pub value: String,
    /// Error names, in report order.
    pub errors: Vec<ErrorName>,
    /// Rule ids, one per failing check, in the same order as they ran.
    pub rules: Vec<&'static str>,
    /// The proposed value, if any.
    pub update: Option<String>,
    /// The proposed action.
    pub action: Action,
}

/// Which entry a row is about (IdFix adds rows for the first holder of a duplicate,
/// which is another entry than the one being checked).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryRef {
    /// Input file.
    pub file: FileId,
    /// Line of the record's `dn:` line.
    pub line: u64,
    /// DN text.
    pub dn: String,
    /// cn (or first RDN value).
    pub cn: String,
}

/// A report row: a finding about an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The entry the finding is about.
    pub entry: EntryRef,
    /// The object type shown (IdFix: last objectClass; for its extra duplicate rows, the
    /// *current* entry's type, as IdFix does).
    pub object_class: String,
    /// The finding.
    pub finding: Finding,
}

/// Settings the checks need.
#[derive(Debug, Clone, Default)]
pub struct RuleConfig {
    /// Verified domains of the tenant, lower-case. Empty: the verified-domain rule does
    /// not run.
    pub verified_domains: Vec<String>,
    /// An override TLD list (one per line, with or without a leading dot) for the entra
    /// profile; `None`: the bundled IANA list.
    pub tld_override: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_lengths_and_truncation() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(truncate_utf16("abcdef", 4), "abcd");
        assert_eq!(truncate_utf16("ab😀cd", 3), "ab"); // would split the pair
        assert_eq!(truncate_utf16("ab😀cd", 4), "ab😀");
        assert_eq!(truncate_utf16("ab", 5), "ab");
    }
}
