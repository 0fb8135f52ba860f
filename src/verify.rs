//! The pre-import safety check behind `ldifix verify`: is this change file (and its undo)
//! safe to hand to `ldifde -i` (or `ldapmodify`/`ldbmodify`) against the directory the
//! export(s) describe?
//!
//! Contract — [`verify`] reports a [`Problem`] (file, physical line, kind, message) for:
//! - **Format** (change and undo file alike, [`check_bytes`]): a byte-order mark or UTF-16
//!   encoding; any byte outside 7-bit ASCII; a line end other than the expected one
//!   (`crlf` for ldifde, `lf` for ldapmodify/ldbmodify — a file that uses the other one
//!   throughout is one problem at line 1, a mixed file one problem per line); a CR inside a
//!   line; a space or tab at the end of a line; a `version:` line.
//! - **Syntax**: every parse error and parser warning of our LDIF parser (a mod-spec not
//!   closed by `-`, …); records that are not `changetype: modify` (content, add, delete,
//!   modrdn records are each reported); `:<` URL values.
//! - **Incomplete records** (change and undo file alike): a `changetype: modify` record
//!   with no modification (a file cut after its `changetype:` line), an `add:` with no
//!   value (a value line removed).
//! - **DNs**: every DN of the change and undo files must name an object of the exports.
//!   DNs are compared by [`dn_key`]: case-insensitively and semantically (RFC 4514 hex
//!   escapes and `\c` escapes decoded, so `\2C` ≡ `\,` and Samba's `\3B` ≡ ldifde's `\;`,
//!   spaces around separators ignored).
//! - **Would fail on import**: a `delete:` of a value or attribute the object does not hold,
//!   an `add:` of a value it already holds (values compared case-insensitively). The
//!   mod-specs are applied in file order, each judged against the values the export and
//!   the earlier mod-specs leave (`delete: SMTP:a@x` then `add: smtp:a@x` is valid).
//! - **Removals**: a `replace:` or `delete:` with no value that removes an attribute the
//!   object holds, unless [`Options::allow_removal`] names the attribute. ldifix fix never
//!   writes one (its changes always carry their values), and a value line removed from
//!   its output leaves one; apply-csv writes one for a REMOVE row, which is verified with
//!   `--allow-removal ATTR`. A `replace:` with no value of an absent attribute removes
//!   nothing and is not reported.
//! - **Undo** (with an undo file): each `replace:` of the undo file must restore exactly
//!   the export's current values of that DN/attribute, byte for byte (as a multiset);
//!   `replace:` with no value means the export lacks the attribute. `add:` values must be
//!   held by the export, `delete:` values must not be; `add:`/`delete:` in an undo file
//!   are also reported since they cannot be re-run after a partial import. Every
//!   (DN, attribute) the change file touches must be restored by the undo file, and
//!   every (DN, attribute) the undo file restores must be changed by the change file
//!   (an undo record without a change: the change file was cut short, or the undo file
//!   is from another run), one problem per undo record for an object the change file
//!   does not change, else one per attribute.
//! - **Duplicates**: the change file's `replace:`/`add:`/`delete:` of `userPrincipalName`,
//!   `mail`, `proxyAddresses` and `targetAddress` are applied to an in-memory view of the
//!   exported objects; a value an object newly holds afterwards must not be held by any
//!   other object afterwards, and a UPN the change file writes must not be held by any
//!   other object at all. Values are compared with the `entra` collision keys of
//!   [`crate::index::key_for`]: UPN, mail and SMTP proxy/target addresses share one
//!   namespace, compared trimmed and case-insensitively with the `smtp:` prefix stripped;
//!   other proxy types (`X500:`, `SIP:`) a second, `mailNickname` a third. A UPN written
//!   by a record must also not be one another object gives up only in a later record (a
//!   DC refuses a UPN another object holds at the time). Duplicates the change file does
//!   not touch are not its problem and are not reported.
//! - **Single values**: an `add:` that would give one of the single-valued attributes
//!   ldifix knows a second value, and a `replace:` with several, are import errors.
//!   So are a DN, and a value of a text attribute ldifix knows, that are not UTF-8.
//!
//! Semantic problems are reported at the line of the change (or undo) record's `dn:` line.
//! A malformed or unreadable export is a [`Fatal`] error: nothing can be verified
//! against half an export.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use ahash::{AHashMap, AHashSet};

use crate::csvin::{InputFormat, Records};
use crate::index::{Index, Namespace};
use crate::ldif::{Body, ChangeKind, Item, Limits, ModOp, Parser, Record, Value};
use crate::model::{decode_text, dn_key, Attr, Entry, FileId};
use crate::rewrite::sam_key;
use crate::rules::Profile;
use crate::source::{Encoding, Input};

/// The line end the importing tool expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// CR LF: `ldifde -i`.
    CrLf,
    /// LF: `ldapmodify`, `ldbmodify`.
    Lf,
}

/// What kind of problem a [`Problem`] is (a stable name for JSON and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A byte-order mark or UTF-16 encoding.
    Bom,
    /// A byte outside 7-bit ASCII.
    NonAscii,
    /// A line end other than the expected one, or a CR inside a line.
    LineEnding,
    /// A space or tab at the end of a line.
    TrailingSpace,
    /// A `version:` line.
    VersionLine,
    /// A parse error or parser warning (e.g. a mod-spec not closed by `-`).
    Syntax,
    /// A record that is not `changetype: modify`.
    ChangeType,
    /// A `:<` URL value.
    UrlValue,
    /// A `changetype: modify` record with no modification, or an `add:` with no value:
    /// what a file cut short or a removed line leaves.
    Incomplete,
    /// A DN that is not in the exports.
    UnknownDn,
    /// A change the directory would refuse given the export (delete of an absent value…).
    ImportError,
    /// An undo value that does not match the export.
    UndoMismatch,
    /// An undo mod-spec that is not `replace:` (not re-runnable after a partial import).
    UndoOp,
    /// A change the undo file does not restore.
    UndoMissing,
    /// An undo record (or undo mod-spec) for an object (or attribute) the change file does
    /// not change: a change file cut short, or an undo file of another run.
    UndoExtra,
    /// A change that would make two objects hold the same UPN/mail/SMTP address.
    Duplicate,
    /// A `replace:` or `delete:` with no value that removes an attribute the object holds
    /// (ldifix fix never writes one; a removed value line leaves one), unless allowed.
    Removal,
    /// A single-valued attribute of one object that two mod-specs replace with different
    /// values: the import keeps the later one, whatever was meant (ldifix writes one
    /// record per object; two change files joined, or an edit, leave this).
    Conflict,
    /// A new UPN, mail, alias, proxy or target address that breaks Entra's rules (what
    /// `fix` and `apply-csv` refuse to write): a space, a control or non-ASCII character
    /// in a UPN, a non-routable suffix, a malformed address.
    EntraRule,
}

impl Kind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bom => "bom",
            Kind::NonAscii => "non-ascii",
            Kind::LineEnding => "line-ending",
            Kind::TrailingSpace => "trailing-space",
            Kind::VersionLine => "version-line",
            Kind::Syntax => "syntax",
            Kind::ChangeType => "changetype",
            Kind::UrlValue => "url-value",
            Kind::Incomplete => "incomplete",
            Kind::UnknownDn => "unknown-dn",
            Kind::ImportError => "import-error",
            Kind::UndoMismatch => "undo-mismatch",
            Kind::UndoOp => "undo-op",
            Kind::UndoMissing => "undo-missing",
            Kind::UndoExtra => "undo-extra",
            Kind::Duplicate => "duplicate",
            Kind::Removal => "removal",
            Kind::Conflict => "conflict",
            Kind::EntraRule => "entra-rule",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (as named on the command line).
    pub file: String,
    /// 1-based physical line.
    pub line: u64,
    /// What kind of problem.
    pub kind: Kind,
    /// Explanation, naming the DN/attribute/value concerned.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// What to verify.
#[derive(Debug, Clone)]
pub struct Options {
    /// The change file.
    pub changes: PathBuf,
    /// The exports the change file is checked against.
    pub exports: Vec<PathBuf>,
    /// The undo file, if any.
    pub undo: Option<PathBuf>,
    /// The expected line end.
    pub line_end: LineEnd,
    /// Parser limits (for every file read).
    pub limits: Limits,
    /// The exports' format (LDIF, csvde or PowerShell CSV; detected by default) and,
    /// for PowerShell CSV, the byte its multi-valued columns were joined with. The
    /// change and undo files are always LDIF.
    pub export_format: InputFormat,
    pub csv_join: u8,
    /// Attributes the change file may remove (base names, any case): a `replace:` or
    /// `delete:` with no value of one of these is not a [`Kind::Removal`] problem.
    pub allow_removal: Vec<String>,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every problem, change file first, then undo file, each in line order.
    pub problems: Vec<Problem>,
    /// What an import would take but Entra's rules reject ([`Kind::EntraRule`]), in
    /// line order: warnings, as an undo file run as a change file writes back the
    /// original values, whatever they were.
    pub warnings: Vec<Problem>,
    /// Records in the change file.
    pub change_records: usize,
    /// Mod-specs in the change file.
    pub change_mods: usize,
    /// Records in the undo file (0 without one).
    pub undo_records: usize,
    /// Objects in the exports (distinct DNs).
    pub export_objects: usize,
    /// Removals of an attribute the object holds that [`Options::allow_removal`] allowed.
    pub allowed_removals: usize,
}

impl Report {
    /// True when nothing was found: safe to import.
    pub fn is_safe(&self) -> bool {
        self.problems.is_empty()
    }

    /// Problem counts per kind, in kind order.
    pub fn counts(&self) -> BTreeMap<Kind, usize> {
        let mut m = BTreeMap::new();
        for p in &self.problems {
            *m.entry(p.kind).or_insert(0) += 1;
        }
        m
    }
}

/// A failure that prevents verification (exit status 2): unreadable file or malformed
/// export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal(pub String);

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Fatal {}

/// Most problems of one kind reported per file by [`check_bytes`] before they are
/// summarised in one last problem.
pub const MAX_PER_KIND: usize = 20;

// ---------------------------------------------------------------------------------------
// Format checks
// ---------------------------------------------------------------------------------------

/// Byte-level checks of a change or undo file (`bytes` as the parser sees them, BOM
/// removed; `encoding` as detected). Line numbers are physical lines.
pub fn check_bytes(name: &str, bytes: &[u8], encoding: Encoding, expect: LineEnd) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push = |line: u64, kind: Kind, message: String| {
        out.push(Problem {
            file: name.to_string(),
            line,
            kind,
            message,
        })
    };
    match encoding {
        Encoding::Utf8 => {}
        Encoding::Utf8Bom => push(
            1,
            Kind::Bom,
            "the file starts with a UTF-8 byte-order mark (ldbmodify and ldapmodify fail on it; write it without BOM)".into(),
        ),
        Encoding::Utf16Le | Encoding::Utf16Be => push(
            1,
            Kind::Bom,
            "the file is UTF-16 with a byte-order mark; write pure ASCII (values base64 where needed)".into(),
        ),
    }

    // Per-line observations, gathered first so a file that uses the other line end
    // throughout is reported once.
    let mut lf_only: Vec<u64> = Vec::new();
    let mut crlf: Vec<u64> = Vec::new();
    let mut non_ascii: Vec<(u64, usize, u8)> = Vec::new();
    let mut inner_cr: Vec<u64> = Vec::new();
    let mut trailing: Vec<u64> = Vec::new();
    let mut version: Vec<u64> = Vec::new();
    let mut nul: Vec<(u64, usize)> = Vec::new();

    let mut pos = 0usize;
    let mut line = 1u64;
    while pos < bytes.len() {
        let (content, terminated) = match memchr::memchr(b'\n', &bytes[pos..]) {
            Some(i) => (&bytes[pos..pos + i], true),
            None => (&bytes[pos..], false),
        };
        let next = pos + content.len() + usize::from(terminated);
        let (text, had_cr) = match content.last() {
            Some(b'\r') if terminated => (&content[..content.len() - 1], true),
            _ => (content, false),
        };
        if terminated {
            if had_cr {
                crlf.push(line);
            } else {
                lf_only.push(line);
            }
        }
        if text.contains(&b'\r') {
            inner_cr.push(line);
        }
        if let Some(col) = text.iter().position(|&b| b >= 0x80) {
            non_ascii.push((line, col + 1, text[col]));
        }
        if let Some(col) = memchr::memchr(0, text) {
            nul.push((line, col + 1));
        }
        if matches!(text.last(), Some(b' ') | Some(b'\t')) {
            trailing.push(line);
        }
        if text.len() >= 8 && text[..8].eq_ignore_ascii_case(b"version:") {
            version.push(line);
        }
        pos = next;
        line += 1;
    }

    let mut capped = |lines: &[(u64, String)], kind: Kind, more: &dyn Fn(usize) -> String| {
        for (l, m) in lines.iter().take(MAX_PER_KIND) {
            push(*l, kind, m.clone());
        }
        if lines.len() > MAX_PER_KIND {
            let first_skipped = lines[MAX_PER_KIND].0;
            push(first_skipped, kind, more(lines.len() - MAX_PER_KIND));
        }
    };

    // The lines that end the wrong way, and what to say about them.
    let (wrong, right, whole, each, more) = match expect {
        LineEnd::CrLf => (
            &lf_only,
            &crlf,
            "the file has LF line ends; ldifde needs CRLF (for ldapmodify or ldbmodify, which need LF, check with --line-ending lf)",
            "line ends with LF, not CRLF (ldifde needs CRLF on every line)",
            "more lines end with LF, not CRLF",
        ),
        LineEnd::Lf => (
            &crlf,
            &lf_only,
            "the file has CRLF line ends; ldbmodify cannot read them (for ldifde, which needs CRLF, check with --line-ending crlf)",
            "line ends with CRLF, not LF (ldbmodify reads the CR as data)",
            "more lines end with CRLF, not LF",
        ),
    };
    if right.is_empty() && !wrong.is_empty() {
        capped(&[(wrong[0], whole.to_string())], Kind::LineEnding, &|_| {
            String::new()
        });
    } else {
        let v: Vec<(u64, String)> = wrong.iter().map(|&l| (l, each.to_string())).collect();
        capped(&v, Kind::LineEnding, &|n| format!("{n} {more}"));
    }
    let v: Vec<(u64, String)> = inner_cr
        .iter()
        .map(|&l| (l, "carriage return inside the line".to_string()))
        .collect();
    capped(&v, Kind::LineEnding, &|n| {
        format!("{n} more lines hold a carriage return")
    });
    let v: Vec<(u64, String)> = non_ascii
        .iter()
        .map(|&(l, col, b)| {
            (
                l,
                format!("non-ASCII byte 0x{b:02X} at column {col} (ldifde reads plain values in the ANSI code page; write such values base64)"),
            )
        })
        .collect();
    capped(&v, Kind::NonAscii, &|n| {
        format!("{n} more lines hold non-ASCII bytes")
    });
    let v: Vec<(u64, String)> = trailing
        .iter()
        .map(|&l| (l, "trailing space at the end of the line (imported as part of the value, or breaks the line for ldifde)".to_string()))
        .collect();
    capped(&v, Kind::TrailingSpace, &|n| {
        format!("{n} more lines end with a space")
    });
    let v: Vec<(u64, String)> = version
        .iter()
        .map(|&l| {
            (
                l,
                "'version:' line (ldifde's files never carry one; ldbmodify rejects it)"
                    .to_string(),
            )
        })
        .collect();
    capped(&v, Kind::VersionLine, &|n| {
        format!("{n} more 'version:' lines")
    });
    let v: Vec<(u64, String)> = nul
        .iter()
        .map(|&(l, col)| {
            (
                l,
                format!("NUL byte at column {col} (no LDIF line may hold one, RFC 2849; a value with one must be written base64)"),
            )
        })
        .collect();
    capped(&v, Kind::Syntax, &|n| {
        format!("{n} more lines hold a NUL byte")
    });
    out
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// An attribute description's base name, lower-cased (`proxyAddresses;x` → `proxyaddresses`).
fn attr_base(desc: &str) -> String {
    desc.split(';')
        .next()
        .unwrap_or(desc)
        .trim()
        .to_ascii_lowercase()
}

/// A value for a message: quoted, shortened, non-printable bytes as `\xNN`.
fn show(b: &[u8]) -> String {
    const MAX: usize = 80;
    let mut s = String::from("'");
    let text = String::from_utf8_lossy(b);
    let valid = std::str::from_utf8(b).is_ok();
    let mut n = 0;
    if valid {
        for ch in text.chars() {
            if n >= MAX {
                s.push('…');
                break;
            }
            if ch.is_control() || ch == '\u{200b}' || ch == '\u{feff}' {
                s.push_str(&format!("\\u{{{:x}}}", ch as u32));
            } else {
                s.push(ch);
            }
            n += 1;
        }
    } else {
        for &c in b {
            if n >= MAX {
                s.push('…');
                break;
            }
            if (0x20..0x7f).contains(&c) {
                s.push(c as char);
            } else {
                s.push_str(&format!("\\x{c:02x}"));
            }
            n += 1;
        }
    }
    s.push('\'');
    s
}

fn show_list(vals: &[&[u8]]) -> String {
    if vals.is_empty() {
        return "no value".into();
    }
    let shown: Vec<String> = vals.iter().take(5).map(|v| show(v)).collect();
    let mut s = shown.join(", ");
    if vals.len() > 5 {
        s.push_str(&format!(" and {} more", vals.len() - 5));
    }
    s
}

/// Case-insensitive value equality (the directory's string matching rule).
fn value_eq_ci(a: &[u8], b: &[u8]) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    let (ta, _) = decode_text(Cow::Borrowed(a));
    let (tb, _) = decode_text(Cow::Borrowed(b));
    ta.to_lowercase() == tb.to_lowercase()
}

fn sorted(v: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut s: Vec<Vec<u8>> = v.iter().map(|x| x.to_vec()).collect();
    s.sort();
    s
}

/// The attributes whose values must be unique across objects (`entra` collision
/// namespaces: addresses, other proxy types, aliases).
const ADDRESS_ATTRS: [Attr; 5] = [
    Attr::UserPrincipalName,
    Attr::Mail,
    Attr::ProxyAddresses,
    Attr::TargetAddress,
    Attr::MailNickname,
];

fn address_attr(desc: &str) -> Option<Attr> {
    Attr::from_desc(desc).filter(|a| ADDRESS_ATTRS.contains(a))
}

// ---------------------------------------------------------------------------------------
// Change and undo files
// ---------------------------------------------------------------------------------------

/// A change or undo file: its input (which the records borrow) is kept by the caller.
struct ParsedFile<'a> {
    name: String,
    records: Vec<Record<'a>>,
}

fn parse_change_file<'a>(
    input: &'a Input,
    limits: Limits,
    problems: &mut Vec<Problem>,
) -> ParsedFile<'a> {
    let name = input.name();
    let mut records = Vec::new();
    let mut parser = Parser::with_limits(input.bytes(), limits);
    // A change file cut short is found by the checks of its records, which tell a cut
    // inside a record from one after its final '-': the parser's warning about a last
    // line without a line end would call a whole file bad.
    let warn = |problems: &mut Vec<Problem>, parser: &mut Parser<'_>| {
        for w in parser.take_warnings() {
            if w.message != crate::ldif::UNENDED_LAST_LINE {
                problems.push(Problem {
                    file: name.clone(),
                    line: w.line,
                    kind: Kind::Syntax,
                    message: w.message,
                });
            }
        }
    };
    while let Some(item) = parser.next() {
        warn(problems, &mut parser);
        match item {
            Ok(Item::Record(r)) => records.push(r),
            Ok(Item::Skipped { line, keyword, .. }) => problems.push(Problem {
                file: name.clone(),
                line,
                kind: Kind::Syntax,
                message: format!("'{keyword}:' block in a change file"),
            }),
            Err(e) => problems.push(Problem {
                file: name.clone(),
                line: e.line,
                kind: Kind::Syntax,
                message: {
                    let mut m = e.kind.to_string();
                    if let Some(r) = e.record_line {
                        if r != e.line {
                            m.push_str(&format!(" (record starting at line {r})"));
                        }
                    }
                    m
                },
            }),
        }
    }
    warn(problems, &mut parser);
    for r in &records {
        let what = match r.change {
            Some(ChangeKind::Modify) => None,
            None => Some("a content record without 'changetype:' (ldifde would add it as a new object, ldapmodify would modify it)".to_string()),
            Some(k) => Some(format!(
                "'changetype: {}' record ({}); only 'changetype: modify' changes existing objects",
                r.changetype.as_deref().unwrap_or("?"),
                match k {
                    ChangeKind::Add => "creates an object",
                    ChangeKind::Delete => "deletes the object",
                    _ => "renames or moves the object",
                }
            )),
        };
        if let Some(m) = what {
            problems.push(Problem {
                file: name.clone(),
                line: r.line,
                kind: Kind::ChangeType,
                message: format!("{}: {m}", dn_text(&r.dn)),
            });
        }
        if r.change == Some(ChangeKind::Modify) {
            let dn = dn_text(&r.dn);
            let mods = mods_of(r);
            if mods.is_empty() {
                problems.push(Problem {
                    file: name.clone(),
                    line: r.line,
                    kind: Kind::Incomplete,
                    message: format!(
                        "{dn}: 'changetype: modify' record with no modification (expected 'replace:', 'add:' or 'delete:' lines after 'changetype: modify': is the file cut short?)"
                    ),
                });
            }
            for m in mods
                .iter()
                .filter(|m| m.op == ModOp::Add && m.values.is_empty())
            {
                problems.push(Problem {
                    file: name.clone(),
                    line: r.line,
                    kind: Kind::Incomplete,
                    message: format!(
                        "{dn}: 'add: {a}' with no value (expected at least one '{a}:' line before its '-': is a value line missing?)",
                        a = m.attr
                    ),
                });
            }
        }
        let urls = match &r.body {
            Body::Modify(mods) => mods
                .iter()
                .flat_map(|m| m.values.iter().map(move |v| (m.attr.as_ref(), v)))
                .filter(|(_, v)| v.is_url())
                .map(|(a, _)| a.to_string())
                .collect::<Vec<_>>(),
            Body::Attrs(a) => a
                .iter()
                .filter(|a| a.value.is_url())
                .map(|a| a.name.to_string())
                .collect(),
            _ => Vec::new(),
        };
        for a in urls {
            problems.push(Problem {
                file: name.clone(),
                line: r.line,
                kind: Kind::UrlValue,
                message: format!(
                    "{}: '{a}:<' URL value (never opened by ldifix; write the value itself)",
                    dn_text(&r.dn)
                ),
            });
        }
    }
    ParsedFile { name, records }
}

fn dn_text(dn: &[u8]) -> String {
    let (t, _) = decode_text(Cow::Borrowed(dn));
    t.into_owned()
}

fn mods_of<'r, 'a>(r: &'r Record<'a>) -> &'r [crate::ldif::Mod<'a>] {
    match &r.body {
        Body::Modify(m) => m,
        _ => &[],
    }
}

// ---------------------------------------------------------------------------------------
// The export view
// ---------------------------------------------------------------------------------------

/// What is kept of one exported object that a change or undo record names.
struct ObjView {
    id: u32,
    /// Lower-cased base attribute name → raw values, for the attributes asked for.
    attrs: AHashMap<String, Vec<Vec<u8>>>,
}

impl ObjView {
    fn values(&self, attr: &str) -> Vec<&[u8]> {
        self.attrs
            .get(attr)
            .map(|v| v.iter().map(|x| x.as_slice()).collect())
            .unwrap_or_default()
    }
}

struct ExportView {
    /// Every exported DN key → object id.
    ids: AHashMap<Vec<u8>, u32>,
    /// DN text of each object id (first spelling seen).
    dns: Vec<Box<str>>,
    /// Objects named by the change/undo files.
    wanted: AHashMap<Vec<u8>, ObjView>,
    index: Index,
    /// (domain, sAMAccountName), both lower-cased → the objects holding it; filled only
    /// when the change file writes a sAMAccountName.
    sams: AHashMap<(String, String), Vec<u32>>,
}

fn load_exports(
    paths: &[PathBuf],
    wanted_attrs: &AHashMap<Vec<u8>, AHashSet<String>>,
    opts: &Options,
    want_sams: bool,
) -> Result<ExportView, Fatal> {
    let mut view = ExportView {
        ids: AHashMap::new(),
        dns: Vec::new(),
        wanted: AHashMap::new(),
        index: Index::new(Profile::Entra),
        sams: AHashMap::new(),
    };
    for (fi, path) in paths.iter().enumerate() {
        let input = Input::open(path).map_err(|e| Fatal(e.to_string()))?;
        let file = FileId::try_from(fi).map_err(|_| Fatal("too many exports".into()))?;
        let name = input.name();
        let parser = Records::new(input.bytes(), opts.export_format, opts.limits)
            .with_csv_join(opts.csv_join);
        // Records with a DN, to hold against what an ldapsearch or ldbsearch export says
        // it holds.
        let mut records = 0u64;
        let ldif = opts.export_format.resolve(input.bytes()) == InputFormat::Ldif;
        for item in parser {
            let rec = match item {
                Ok(Item::Record(r)) => {
                    records += 1;
                    r
                }
                Ok(skipped @ Item::Skipped { .. }) => match skipped.failed_search() {
                    Some(e) => return Err(Fatal(format!("{name}:{e}"))),
                    None => continue,
                },
                Err(e) => return Err(Fatal(format!("{name}:{e}"))),
            };
            if !matches!(rec.body, Body::Attrs(_)) {
                continue;
            }
            let key = dn_key(&rec.dn);
            let next = u32::try_from(view.dns.len())
                .map_err(|_| Fatal("too many exported objects".into()))?;
            let id = *view.ids.entry(key.clone()).or_insert_with(|| {
                view.dns.push(dn_text(&rec.dn).into_boxed_str());
                next
            });
            if let Some(want) = wanted_attrs.get(&key) {
                if !view.wanted.contains_key(&key) {
                    let mut attrs: AHashMap<String, Vec<Vec<u8>>> = AHashMap::new();
                    for a in rec.attrs() {
                        let base = attr_base(&a.name);
                        if !want.contains(&base) {
                            continue;
                        }
                        if let Value::Bytes(b) = &a.value {
                            attrs.entry(base).or_default().push(b.to_vec());
                        }
                    }
                    view.wanted.insert(key, ObjView { id, attrs });
                }
            }
            if let Some(entry) = Entry::from_record(file, rec) {
                view.index.add_entry(id, &entry);
                if want_sams {
                    for v in entry.all(Attr::SamAccountName) {
                        let ids = view.sams.entry(sam_key(&entry.dn, &v.text)).or_default();
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                }
            }
        }
        if ldif {
            if let Some(e) = crate::rewrite::load::summary_error(&name, input.bytes(), records) {
                return Err(Fatal(e));
            }
        }
    }
    Ok(view)
}

// ---------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------

/// Run every check. Problems are returned in the [`Report`]; unreadable files and
/// malformed exports are [`Fatal`].
pub fn verify(opts: &Options) -> Result<Report, Fatal> {
    let mut report = Report::default();
    let change_input = Input::open(&opts.changes).map_err(|e| Fatal(e.to_string()))?;
    let undo_input = match &opts.undo {
        Some(p) => Some(Input::open(p).map_err(|e| Fatal(e.to_string()))?),
        None => None,
    };

    let mut change_problems = check_bytes(
        &change_input.name(),
        change_input.bytes(),
        change_input.encoding,
        opts.line_end,
    );
    let changes = parse_change_file(&change_input, opts.limits, &mut change_problems);
    let mut undo_problems = Vec::new();
    let undo = undo_input.as_ref().map(|u| {
        undo_problems = check_bytes(&u.name(), u.bytes(), u.encoding, opts.line_end);
        parse_change_file(u, opts.limits, &mut undo_problems)
    });

    report.change_records = changes.records.len();
    if changes.records.is_empty() && change_problems.iter().all(|p| p.kind != Kind::Syntax) {
        change_problems.push(Problem {
            file: changes.name.clone(),
            line: 1,
            kind: Kind::Incomplete,
            message: "the change file holds no record: nothing to import (ldifde fails on an empty file: \"Unable to read the import file\"; a fix with no change writes one, and so may a failed copy)".into(),
        });
    }
    report.change_mods = changes.records.iter().map(|r| mods_of(r).len()).sum();
    report.undo_records = undo.as_ref().map_or(0, |u| u.records.len());

    // Which objects and attributes to keep from the exports.
    let mut wanted: AHashMap<Vec<u8>, AHashSet<String>> = AHashMap::new();
    for r in &changes.records {
        let set = wanted.entry(dn_key(&r.dn)).or_default();
        for m in mods_of(r) {
            set.insert(attr_base(&m.attr));
        }
        for a in ADDRESS_ATTRS {
            set.insert(a.ldap_name().to_ascii_lowercase());
        }
    }
    if let Some(u) = &undo {
        for r in &u.records {
            let set = wanted.entry(dn_key(&r.dn)).or_default();
            for m in mods_of(r) {
                set.insert(attr_base(&m.attr));
            }
        }
    }
    let writes_sam = changes.records.iter().any(|r| {
        mods_of(r)
            .iter()
            .any(|m| attr_base(&m.attr) == "samaccountname")
    });
    let writes_implied = changes.records.iter().any(|r| !implied_upns(r).is_empty());
    let view = load_exports(&opts.exports, &wanted, opts, writes_sam || writes_implied)?;
    report.export_objects = view.dns.len();

    report.allowed_removals =
        check_dns_and_imports(&changes, &view, &opts.allow_removal, &mut change_problems);
    if let Some(u) = &undo {
        check_undo(&changes, u, &view, &mut change_problems, &mut undo_problems);
    }
    check_duplicates(&changes, &view, &mut change_problems);
    check_conflicting_replaces(&changes, &mut change_problems);
    check_new_values(&changes, &mut report.warnings);
    if writes_sam {
        check_sam_duplicates(&changes, &view, &mut change_problems);
    }
    if writes_implied {
        check_implied_upns(&changes, &view, &mut change_problems);
    }

    change_problems.sort_by_key(|p| (p.line, p.kind));
    undo_problems.sort_by_key(|p| (p.line, p.kind));
    report.problems = change_problems;
    report.problems.extend(undo_problems);
    Ok(report)
}

/// A hint for a DN outside every domain export: the configuration partition, where
/// `fix --register-suffix` adds the new UPN suffix.
fn unknown_dn_hint(key: &[u8]) -> &'static str {
    if key.starts_with(b"cn=partitions,cn=configuration,") {
        " (the configuration partition is not part of a domain export: add an export of it with --against, e.g. ldifde -d CN=Partitions,CN=Configuration,DC=…)"
    } else {
        ""
    }
}

/// A `fix --register-suffix` record: only `add: uPNSuffixes` on the forest's Partitions
/// container. Registering a suffix is additive and deliberately not undone (it may have
/// been registered before), and the configuration partition is not part of a domain
/// export, so such a record is neither looked up in the export nor required in the undo.
fn is_suffix_registration(r: &Record<'_>) -> bool {
    dn_key(&r.dn).starts_with(b"cn=partitions,cn=configuration,")
        && r.change == Some(ChangeKind::Modify)
        && !mods_of(r).is_empty()
        && mods_of(r)
            .iter()
            .all(|m| m.op == ModOp::Add && attr_base(&m.attr) == "upnsuffixes")
}

/// (b) every DN exists; changes the directory would refuse given the export; removals
/// of an attribute the object holds, unless `allow_removal` names it (returns how many
/// were allowed). The mod-specs are applied in file order to a copy of the exported
/// values, so each is judged against what the earlier ones left.
fn check_dns_and_imports(
    changes: &ParsedFile,
    view: &ExportView,
    allow_removal: &[String],
    problems: &mut Vec<Problem>,
) -> usize {
    let mut allowed = 0;
    let mut state: AHashMap<(Vec<u8>, String), Vec<Vec<u8>>> = AHashMap::new();
    let mut push = |line: u64, kind: Kind, message: String| {
        problems.push(Problem {
            file: changes.name.clone(),
            line,
            kind,
            message,
        })
    };
    for r in &changes.records {
        // A DN with an empty or malformed RDN (a trailing comma, an RDN without '=') is
        // refused by the directory, even where its normalised form matches an object.
        if crate::cmd::scan::dn_rdns(&String::from_utf8_lossy(&r.dn)).is_none() {
            push(
                r.line,
                Kind::ImportError,
                format!(
                    "{}: not a valid DN (every RDN must be type=value, with no empty RDN such as a trailing comma leaves; the import would fail: invalid DN syntax)",
                    dn_text(&r.dn)
                ),
            );
            continue;
        }
        let key = dn_key(&r.dn);
        let exists = view.ids.contains_key(&key);
        if !exists && is_suffix_registration(r) {
            // Registered suffixes are compared without regard to case.
            let values: Vec<&[u8]> = mods_of(r)
                .iter()
                .flat_map(|m| m.values.iter().map(|v| v.as_bytes()))
                .collect();
            for (i, v) in values.iter().enumerate() {
                if values[..i].iter().any(|w| value_eq_ci(w, v)) {
                    push(
                        r.line,
                        Kind::ImportError,
                        format!("{}: 'add: uPNSuffixes' gives {} twice (values compared without regard to case; the import would fail: attribute or value exists)", dn_text(&r.dn), show(v)),
                    );
                }
            }
            continue;
        }
        match r.change {
            Some(ChangeKind::Add) => {
                if exists {
                    push(
                        r.line,
                        Kind::ImportError,
                        format!(
                            "{}: 'changetype: add' of an object the export already holds",
                            dn_text(&r.dn)
                        ),
                    );
                }
                continue;
            }
            _ if !exists => {
                push(
                    r.line,
                    Kind::UnknownDn,
                    format!(
                        "{}: no object with this DN in the export(s){}",
                        dn_text(&r.dn),
                        unknown_dn_hint(&key)
                    ),
                );
                continue;
            }
            _ => {}
        }
        let Some(obj) = view.wanted.get(&key) else {
            continue;
        };
        let dn = dn_text(&r.dn);
        // A deleted object (an `ldifde -x` export holds them) cannot be modified.
        if crate::rules::scope::is_deleted_dn(&String::from_utf8_lossy(&r.dn)) {
            push(
                r.line,
                Kind::ImportError,
                format!("{dn}: a deleted object (DEL: in its RDN): the import would fail (no such object)"),
            );
        }
        // Bytes that are not UTF-8 (an export read as Windows-1252, copied as is) match
        // no DN or text value of the directory, which holds them as Unicode.
        if std::str::from_utf8(&r.dn).is_err() {
            push(
                r.line,
                Kind::ImportError,
                format!("{dn}: the DN is not valid UTF-8 (the directory holds DNs as Unicode: the import would not find the object)"),
            );
        }
        for m in mods_of(r) {
            let text_attr = Attr::from_desc(&attr_base(&m.attr))
                .is_some_and(|a| !matches!(a, Attr::UserCertificate | Attr::UserSmimeCertificate));
            // Replacing the chain or deleting it whole touches the structural class; a
            // `delete:` of named values may remove an auxiliary class, which is allowed.
            let whole = matches!(m.op, ModOp::Replace)
                || (matches!(m.op, ModOp::Delete) && m.values.is_empty());
            // Adding or deleting a class of a user, contact or group's structural chain
            // is refused as well.
            const STRUCTURAL: [&str; 8] = [
                "top",
                "person",
                "organizationalPerson",
                "user",
                "inetOrgPerson",
                "contact",
                "group",
                "computer",
            ];
            let structural = m.values.iter().any(|v| {
                let v = v.as_bytes().trim_ascii();
                STRUCTURAL
                    .iter()
                    .any(|c| v.eq_ignore_ascii_case(c.as_bytes()))
            });
            if attr_base(&m.attr) == "objectclass" && (whole || structural) {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: '{}: {}' would change the object's class chain, which Active Directory refuses (only auxiliary classes may be added); ldifix never changes objectClass", op_name(m.op), m.attr),
                );
            }
            let base = attr_base(&m.attr);
            let rdn_type = key.split(|&b| b == b'=').next().unwrap_or_default();
            if m.op == ModOp::Increment {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: 'increment: {}' (ldifde knows only add:, delete: and replace:; ldifix never writes one)", m.attr),
                );
            } else if base.as_bytes() == rdn_type || base == "name" {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: '{}: {}' changes the attribute that names the object (the import would fail: not allowed on RDN; a rename is a 'changetype: modrdn' record)", op_name(m.op), m.attr),
                );
            } else if SYSTEM_ONLY.contains(&base.as_str()) {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: '{}: {}' changes an attribute only the directory writes (the import would fail: unwilling to perform or constraint violation)", op_name(m.op), m.attr),
                );
            } else if let Some(meant) = misspelt(&base) {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: '{}: {}' is not an attribute of the schema (did you mean {meant}? the import would fail: no such attribute)", op_name(m.op), m.attr),
                );
            }
            if base == "samaccountname"
                && m.op != ModOp::Delete
                && m.values
                    .iter()
                    .any(|v| crate::rewrite::sam_ends_in_period(v.as_bytes()))
            {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: '{}: {}' with a name ending in '.' (the import would fail: Active Directory refuses such a sAMAccountName)", op_name(m.op), m.attr),
                );
            }
            if m.op != ModOp::Delete && m.values.iter().any(|v| v.as_bytes().is_empty()) {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: '{}: {}' with an empty value (Active Directory holds no empty value: the import would fail; to remove the attribute, write 'delete: {}')", op_name(m.op), m.attr, m.attr),
                );
            }
            if text_attr
                && m.values
                    .iter()
                    .any(|v| std::str::from_utf8(v.as_bytes()).is_err())
            {
                push(
                    r.line,
                    Kind::ImportError,
                    format!("{dn}: a value of {} that is not valid UTF-8 (the directory holds text as Unicode: it would not match)", m.attr),
                );
            }
        }
        for m in mods_of(r) {
            let attr = attr_base(&m.attr);
            // The values as earlier mod-specs of the file left them (a `delete:` then an
            // `add:` of the same address in another case is one valid modify).
            let held = state
                .entry((key.clone(), attr.clone()))
                .or_insert_with(|| obj.values(&attr).iter().map(|v| v.to_vec()).collect());
            match m.op {
                ModOp::Delete if m.values.is_empty() => {
                    if held.is_empty() {
                        push(
                            r.line,
                            Kind::ImportError,
                            format!("{dn}: 'delete: {}' of an attribute the object does not hold (the import would fail: no such attribute)", m.attr),
                        );
                    } else if allow_removal.iter().any(|a| a.eq_ignore_ascii_case(&attr)) {
                        allowed += 1;
                    } else {
                        push(
                            r.line,
                            Kind::Removal,
                            format!(
                                "{dn}: 'delete: {a}' with no value removes every value of {a} ({}) (expected the '{a}:' lines of the values to delete before its '-': is a value line missing? {})",
                                show_list(&held.iter().map(Vec::as_slice).collect::<Vec<_>>()),
                                removal_hint(&m.attr),
                                a = m.attr,
                            ),
                        );
                    }
                    held.clear();
                }
                ModOp::Delete => {
                    for v in &m.values {
                        match held.iter().position(|h| value_eq_ci(h, v.as_bytes())) {
                            Some(i) => {
                                held.remove(i);
                            }
                            None => push(
                                r.line,
                                Kind::ImportError,
                                format!("{dn}: 'delete: {}' of {}, a value the object does not hold (the import would fail: no such attribute)", m.attr, show(v.as_bytes())),
                            ),
                        }
                    }
                }
                ModOp::Add if single_valued(&attr) && held.len() + m.values.len() > 1 => {
                    push(
                        r.line,
                        Kind::ImportError,
                        format!(
                            "{dn}: 'add: {}' of {} to a single-valued attribute that would then hold {} values (the import would fail: attribute or value exists; expected 'replace:')",
                            m.attr,
                            show_list(&m.values.iter().map(|v| v.as_bytes()).collect::<Vec<_>>()),
                            held.len() + m.values.len()
                        ),
                    );
                    held.extend(m.values.iter().map(|v| v.as_bytes().to_vec()));
                }
                ModOp::Add => {
                    let before = held.len();
                    for v in &m.values {
                        if let Some(i) = held.iter().position(|h| value_eq_ci(h, v.as_bytes())) {
                            let why = if i < before {
                                "a value the object already holds"
                            } else {
                                "given twice in this 'add:' (values compared without regard to case)"
                            };
                            push(
                                r.line,
                                Kind::ImportError,
                                format!("{dn}: 'add: {}' of {}, {why} (the import would fail: attribute or value exists)", m.attr, show(v.as_bytes())),
                            );
                        } else {
                            held.push(v.as_bytes().to_vec());
                        }
                    }
                }
                ModOp::Replace => {
                    if m.values.len() > 1 && single_valued(&attr) {
                        push(
                            r.line,
                            Kind::ImportError,
                            format!(
                                "{dn}: 'replace: {}' with {} values ({}) for a single-valued attribute (the import would fail: constraint violation; expected one value)",
                                m.attr,
                                m.values.len(),
                                show_list(&m.values.iter().map(|v| v.as_bytes()).collect::<Vec<_>>()),
                            ),
                        );
                    }
                    if m.values.is_empty() && !held.is_empty() {
                        if allow_removal.iter().any(|a| a.eq_ignore_ascii_case(&attr)) {
                            allowed += 1;
                        } else {
                            push(
                                r.line,
                                Kind::Removal,
                                format!(
                                    "{dn}: 'replace: {a}' with no value removes {a} ({}) (expected at least one '{a}:' line before its '-': is a value line missing? {})",
                                    show_list(&held.iter().map(Vec::as_slice).collect::<Vec<_>>()),
                                    removal_hint(&m.attr),
                                    a = m.attr,
                                ),
                            );
                        }
                    }
                    for (i, v) in m.values.iter().enumerate() {
                        if m.values[..i]
                            .iter()
                            .any(|w| value_eq_ci(w.as_bytes(), v.as_bytes()))
                        {
                            push(
                                r.line,
                                Kind::ImportError,
                                format!("{dn}: 'replace: {}' gives {} twice (values compared without regard to case; the import would fail: attribute or value exists)", m.attr, show(v.as_bytes())),
                            );
                        }
                    }
                    *held = m.values.iter().map(|v| v.as_bytes().to_vec()).collect();
                }
                ModOp::Increment => {}
            }
        }
    }
    allowed
}

/// The keyword of a mod-spec (`add`, `delete`, `replace`, `increment`).
/// The attribute ldifix checks that `name` (lower-cased, no options) is a slip of the
/// keyboard away from, when it is none of them: one letter changed, added, removed or two
/// swapped (two for names over 12 letters: `userPrincipleName`, `proxyAdresses`,
/// `mailNickame`). Names under 6 letters are never judged: `c`, `co`, `st` and other
/// short schema names sit one letter from `cn` and `sn`.
fn misspelt(name: &str) -> Option<&'static str> {
    if name.len() < 6 || crate::model::Attr::from_desc(name).is_some() {
        return None;
    }
    crate::model::Attr::ALL.iter().find_map(|a| {
        let want = a.ldap_name();
        let limit = if want.len() > 12 { 2 } else { 1 };
        (want.len() >= 6 && strsim::osa_distance(name, &want.to_ascii_lowercase()) <= limit)
            .then_some(want)
    })
}

/// Attributes (lower-cased) only the directory itself writes, or constructs on read: a
/// modify of one fails.
const SYSTEM_ONLY: [&str; 13] = [
    "distinguishedname",
    "objectguid",
    "objectsid",
    "whencreated",
    "whenchanged",
    "usncreated",
    "usnchanged",
    "memberof",
    "samaccounttype",
    "canonicalname",
    "createtimestamp",
    "modifytimestamp",
    "primarygrouptoken",
];

fn op_name(op: ModOp) -> &'static str {
    match op {
        ModOp::Add => "add",
        ModOp::Delete => "delete",
        ModOp::Replace => "replace",
        ModOp::Increment => "increment",
    }
}

/// Whether `attr` (a lower-cased attribute type) is one of the attributes ldifix knows
/// that Active Directory's schema makes single-valued (every one it knows but
/// proxyAddresses, objectClass, member and the certificates).
fn single_valued(attr: &str) -> bool {
    Attr::from_desc(attr).is_some_and(|a| {
        !matches!(
            a,
            Attr::ProxyAddresses
                | Attr::ObjectClass
                | Attr::Member
                | Attr::UserCertificate
                | Attr::UserSmimeCertificate
        )
    })
}

/// What to do about an intended removal (the end of a [`Kind::Removal`] message).
fn removal_hint(attr: &str) -> String {
    let name = attr.split(';').next().unwrap_or(attr).trim();
    format!("ldifix fix never removes an attribute; if the removal is intended, as for an apply-csv REMOVE row, verify with --allow-removal {name}")
}

/// (c) the undo file restores exactly the export's values, covers every change and
/// restores nothing the change file does not change.
fn check_undo(
    changes: &ParsedFile,
    undo: &ParsedFile,
    view: &ExportView,
    change_problems: &mut Vec<Problem>,
    undo_problems: &mut Vec<Problem>,
) {
    let mut covered: AHashSet<(Vec<u8>, String)> = AHashSet::new();
    for r in &undo.records {
        let key = dn_key(&r.dn);
        let dn = dn_text(&r.dn);
        for m in mods_of(r) {
            covered.insert((key.clone(), attr_base(&m.attr)));
        }
        if r.change != Some(ChangeKind::Modify) {
            continue; // reported as a changetype problem
        }
        let Some(obj) = view.wanted.get(&key) else {
            if !view.ids.contains_key(&key) {
                undo_problems.push(Problem {
                    file: undo.name.clone(),
                    line: r.line,
                    kind: Kind::UnknownDn,
                    message: format!("{dn}: no object with this DN in the export(s)"),
                });
            }
            continue;
        };
        let mods = mods_of(r);
        let mut skip_next = false;
        for (i, m) in mods.iter().enumerate() {
            if std::mem::take(&mut skip_next) {
                continue;
            }
            let attr = attr_base(&m.attr);
            let held = obj.values(&attr);
            let mut restores: Vec<&[u8]> = m.values.iter().map(|v| v.as_bytes()).collect();
            // `replace: A` with one value then `delete: A` with none: a removal that
            // succeeds whether A is there or not (what `fix` writes for a UPN, whose
            // empty `replace:` Samba refuses); judged as the empty `replace:` it stands for.
            if m.op == ModOp::Replace
                && restores.len() == 1
                && mods.get(i + 1).is_some_and(|n| {
                    n.op == ModOp::Delete && n.values.is_empty() && attr_base(&n.attr) == attr
                })
            {
                restores.clear();
                skip_next = true;
            }
            let mut mismatch = |message: String| {
                undo_problems.push(Problem {
                    file: undo.name.clone(),
                    line: r.line,
                    kind: Kind::UndoMismatch,
                    message: format!("{dn}: {message}"),
                })
            };
            match m.op {
                ModOp::Replace => {
                    if restores.is_empty() && !held.is_empty() {
                        mismatch(format!(
                            "'replace: {}' with no value would remove the attribute, but the export holds {}",
                            m.attr,
                            show_list(&held)
                        ));
                    } else if !restores.is_empty() && held.is_empty() {
                        mismatch(format!(
                            "'replace: {}' restores {}, but the export has no {}",
                            m.attr,
                            show_list(&restores),
                            m.attr
                        ));
                    } else if sorted(&restores) != sorted(&held) {
                        mismatch(format!(
                            "'replace: {}' restores {}, but the export holds {}",
                            m.attr,
                            show_list(&restores),
                            show_list(&held)
                        ));
                    }
                }
                ModOp::Add => {
                    for v in &restores {
                        if !held.contains(v) {
                            mismatch(format!(
                                "'add: {}' restores {}, which the export does not hold",
                                m.attr,
                                show(v)
                            ));
                        }
                    }
                }
                ModOp::Delete => {
                    if restores.is_empty() && !held.is_empty() {
                        mismatch(format!(
                            "'delete: {}' would remove the attribute, but the export holds {}",
                            m.attr,
                            show_list(&held)
                        ));
                    }
                    for v in &restores {
                        if held.contains(v) {
                            mismatch(format!(
                                "'delete: {}' removes {}, which the export holds",
                                m.attr,
                                show(v)
                            ));
                        }
                    }
                }
                ModOp::Increment => {
                    mismatch(format!("'increment: {}' cannot restore a value", m.attr))
                }
            }
            if m.op != ModOp::Replace {
                undo_problems.push(Problem {
                    file: undo.name.clone(),
                    line: r.line,
                    kind: Kind::UndoOp,
                    message: format!(
                        "{dn}: '{}: {}' in an undo file; only 'replace:' can be re-run after a partial import",
                        m.op.as_str(),
                        m.attr
                    ),
                });
            }
        }
    }
    // What the change file changes: objects, and attributes of each object.
    let mut changed_objects: AHashSet<Vec<u8>> = AHashSet::new();
    let mut changed_attrs: AHashSet<(Vec<u8>, String)> = AHashSet::new();
    for r in &changes.records {
        let key = dn_key(&r.dn);
        for m in mods_of(r) {
            changed_attrs.insert((key.clone(), attr_base(&m.attr)));
        }
        changed_objects.insert(key);
    }
    for r in &undo.records {
        let key = dn_key(&r.dn);
        let dn = dn_text(&r.dn);
        if !changed_objects.contains(&key) {
            undo_problems.push(Problem {
                file: undo.name.clone(),
                line: r.line,
                kind: Kind::UndoExtra,
                message: format!(
                    "{dn}: undo record without a change: expected a record for this object in {} (is the change file cut short, or the undo file from another run?)",
                    changes.name
                ),
            });
            continue;
        }
        let mut seen: AHashSet<String> = AHashSet::new();
        for m in mods_of(r) {
            let attr = attr_base(&m.attr);
            if seen.insert(attr.clone()) && !changed_attrs.contains(&(key.clone(), attr)) {
                undo_problems.push(Problem {
                    file: undo.name.clone(),
                    line: r.line,
                    kind: Kind::UndoExtra,
                    message: format!(
                        "{dn}: undo of {} without a change: expected a modification of {} in the record for this object in {} (is the change file cut short, or the undo file from another run?)",
                        m.attr, m.attr, changes.name
                    ),
                });
            }
        }
    }
    for r in changes
        .records
        .iter()
        .filter(|r| !is_suffix_registration(r))
    {
        let key = dn_key(&r.dn);
        let mut seen: AHashSet<String> = AHashSet::new();
        for m in mods_of(r) {
            let attr = attr_base(&m.attr);
            if !seen.insert(attr.clone()) {
                continue;
            }
            if !covered.contains(&(key.clone(), attr)) {
                change_problems.push(Problem {
                    file: changes.name.clone(),
                    line: r.line,
                    kind: Kind::UndoMissing,
                    message: format!(
                        "{}: the change of {} is not restored by the undo file {}",
                        dn_text(&r.dn),
                        m.attr,
                        undo.name
                    ),
                });
            }
        }
    }
}

/// One address value of an object after the change file: attribute, text, and the line
/// of the change record that wrote it (`None`: from the export).
struct AfterValue {
    attr: Attr,
    text: String,
    line: Option<u64>,
}

/// The UPNs a modify record writes (`replace:`/`add:`) that spell out an account's
/// logon name (`name@<the DNS name of the object's domain>`), with that name.
fn implied_upns(r: &Record<'_>) -> Vec<(String, String)> {
    if r.change != Some(ChangeKind::Modify) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut dns: Option<String> = None;
    for m in mods_of(r) {
        if attr_base(&m.attr) != "userprincipalname" || m.op == ModOp::Delete {
            continue;
        }
        for v in &m.values {
            let text = decode_text(Cow::Borrowed(v.as_bytes())).0.into_owned();
            let dns = dns
                .get_or_insert_with(|| crate::rewrite::domain_dns(&String::from_utf8_lossy(&r.dn)));
            if let Some(name) = crate::rewrite::implied_sam(&text, dns) {
                out.push((text, name));
            }
        }
    }
    out
}

/// A UPN written in the domain's own DNS name whose local part is another account's
/// sAMAccountName in that domain (in the export): the two would share a logon name, which
/// Samba AD refuses ("already in use (implied by userPrincipalName)") and Kerberos cannot
/// tell apart.
fn check_implied_upns(changes: &ParsedFile, view: &ExportView, problems: &mut Vec<Problem>) {
    for r in &changes.records {
        let implied = implied_upns(r);
        if implied.is_empty() {
            continue;
        }
        let me = view.ids.get(&dn_key(&r.dn)).copied();
        let dn_str = String::from_utf8_lossy(&r.dn).into_owned();
        for (upn, name) in implied {
            let others: Vec<&str> = view
                .sams
                .get(&sam_key(&dn_str, &name))
                .into_iter()
                .flatten()
                .filter(|o| Some(**o) != me)
                .map(|o| view.dns.get(*o as usize).map_or("?", |d| d.as_ref()))
                .collect();
            if let Some(other) = others.first() {
                problems.push(Problem {
                    file: changes.name.clone(),
                    line: r.line,
                    kind: Kind::Duplicate,
                    message: format!(
                        "{}: the UPN {} is the logon name of {other} (its sAMAccountName '{name}' in the domain {}): Samba AD refuses it (already in use, implied by userPrincipalName), and Kerberos could not tell the two accounts apart",
                        dn_text(&r.dn),
                        show(upn.as_bytes()),
                        crate::rewrite::domain_dns(&dn_str)
                    ),
                });
            }
        }
    }
}

/// A sAMAccountName the change file writes that another object of the same domain holds
/// once the file is imported (from the export or written by the file), in any case: AD
/// refuses it (the account already exists).
fn check_sam_duplicates(changes: &ParsedFile, view: &ExportView, problems: &mut Vec<Problem>) {
    // Each changed object's sAMAccountName values after the file, and the line writing them.
    let mut after: BTreeMap<u32, (String, Vec<(String, u64)>)> = BTreeMap::new();
    for r in &changes.records {
        if r.change != Some(ChangeKind::Modify) {
            continue;
        }
        let key = dn_key(&r.dn);
        let Some(&id) = view.ids.get(&key) else {
            continue;
        };
        let dn = view
            .dns
            .get(id as usize)
            .map_or("", |d| d.as_ref())
            .to_string();
        for m in mods_of(r) {
            if attr_base(&m.attr) != "samaccountname" {
                continue;
            }
            let slot = after.entry(id).or_insert_with(|| {
                // The exported values (the attributes a change names are kept per object).
                let held = view.wanted.get(&key).map_or_else(Vec::new, |o| {
                    o.values("samaccountname")
                        .iter()
                        .map(|v| (decode_text(Cow::Borrowed(v)).0.trim().to_string(), 0))
                        .collect()
                });
                (dn.clone(), held)
            });
            let new: Vec<String> = m
                .values
                .iter()
                .map(|v| {
                    decode_text(Cow::Borrowed(v.as_bytes()))
                        .0
                        .trim()
                        .to_string()
                })
                .collect();
            match m.op {
                ModOp::Replace => slot.1 = new.into_iter().map(|v| (v, r.line)).collect(),
                ModOp::Add => slot.1.extend(new.into_iter().map(|v| (v, r.line))),
                ModOp::Delete if new.is_empty() => slot.1.clear(),
                ModOp::Delete => slot
                    .1
                    .retain(|(v, _)| !new.iter().any(|d| d.to_lowercase() == v.to_lowercase())),
                ModOp::Increment => {}
            }
        }
    }
    // The line of each changed object's first record changing its sAMAccountName.
    let mut first_line: AHashMap<u32, u64> = AHashMap::new();
    for r in &changes.records {
        if r.change != Some(ChangeKind::Modify)
            || !mods_of(r)
                .iter()
                .any(|m| attr_base(&m.attr) == "samaccountname")
        {
            continue;
        }
        if let Some(&id) = view.ids.get(&dn_key(&r.dn)) {
            first_line.entry(id).or_insert(r.line);
        }
    }
    // Holders after the import: the export's, less the changed objects, plus their new values.
    let mut holders: AHashMap<(String, String), Vec<u32>> = AHashMap::new();
    for (k, ids) in &view.sams {
        let kept: Vec<u32> = ids
            .iter()
            .copied()
            .filter(|i| !after.contains_key(i))
            .collect();
        if !kept.is_empty() {
            holders.insert(k.clone(), kept);
        }
    }
    for (id, (dn, vals)) in &after {
        for (v, _) in vals {
            let ids = holders.entry(sam_key(dn, v)).or_default();
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
    }
    for (id, (dn, vals)) in &after {
        for (v, line) in vals {
            if *line == 0 {
                continue; // held before, not written by the file
            }
            let others: Vec<&str> = holders
                .get(&sam_key(dn, v))
                .into_iter()
                .flatten()
                .filter(|o| *o != id)
                .map(|o| view.dns.get(*o as usize).map_or("?", |d| d.as_ref()))
                .collect();
            // An object that gives the value up only in a later record still holds it
            // when this record is imported.
            let later = view
                .sams
                .get(&sam_key(dn, v))
                .into_iter()
                .flatten()
                .find_map(|o| {
                    let first = *first_line.get(o)?;
                    (o != id && first > *line).then_some((*o, first))
                });
            if let (None, Some((o, at))) = (others.first(), later) {
                problems.push(Problem {
                    file: changes.name.clone(),
                    line: *line,
                    kind: Kind::Duplicate,
                    message: format!(
                        "{dn}: the new sAMAccountName {} is held by {}, which the record at line {at} changes only later: the import of this record would fail, the account already exists (put that record before this one)",
                        show(v.as_bytes()),
                        view.dns.get(o as usize).map_or("?", |d| d.as_ref()),
                    ),
                });
            }
            if let Some(other) = others.first() {
                problems.push(Problem {
                    file: changes.name.clone(),
                    line: *line,
                    kind: Kind::Duplicate,
                    message: format!(
                        "{dn}: the new sAMAccountName {} is also held by {other}{} in the same domain (sAMAccountName is unique per domain, in any case: the import would fail, the account already exists)",
                        show(v.as_bytes()),
                        if others.len() > 1 { format!(" and {} more", others.len() - 1) } else { String::new() },
                    ),
                });
            }
        }
    }
}

/// (d) no new duplicate in any `entra` namespace (addresses, other proxies, aliases),
/// and no UPN taken before its holder's later record gives it up.
/// [`Kind::Conflict`]: a single-valued attribute of one object replaced by two
/// mod-specs with different values (the same values twice, as a change file joined to
/// itself gives, change nothing).
fn check_conflicting_replaces(changes: &ParsedFile, problems: &mut Vec<Problem>) {
    // (object, attribute) → the line of the record that first replaces it, and its values.
    type Replaced<'r> = (u64, Vec<&'r [u8]>);
    let mut first: AHashMap<(Vec<u8>, String), Replaced<'_>> = AHashMap::new();
    for r in &changes.records {
        if r.change != Some(ChangeKind::Modify) {
            continue;
        }
        let key = dn_key(&r.dn);
        for m in mods_of(r) {
            let attr = attr_base(&m.attr);
            if m.op != ModOp::Replace || !single_valued(&attr) {
                continue;
            }
            let values: Vec<&[u8]> = m.values.iter().map(|v| v.as_bytes()).collect();
            match first.entry((key.clone(), attr)) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((r.line, values));
                }
                std::collections::hash_map::Entry::Occupied(e) => {
                    let (line, earlier) = e.get();
                    if *earlier != values {
                        let place = if *line == r.line {
                            "earlier in this record".to_string()
                        } else {
                            format!("by the record at line {line}")
                        };
                        problems.push(Problem {
                            file: changes.name.clone(),
                            line: r.line,
                            kind: Kind::Conflict,
                            message: format!(
                                "{}: '{}' is replaced with {} here and with {} {place}: the import keeps the later value, whatever was meant; keep one of them",
                                dn_text(&r.dn),
                                m.attr,
                                show_list(&values),
                                show_list(earlier),
                            ),
                        });
                    }
                }
            }
        }
    }
}

/// The values a change file writes to the checked address attributes, judged as `fix`
/// and `apply-csv` judge the values they write (the Entra rules, with the bundled TLD
/// list; suffixes are not compared with verified domains): verify, the last step before
/// an import, names every value they would refuse. Warnings, not problems: an undo file
/// checked as a change file (before a rollback) restores the exported values, which may
/// break the rules; the import itself would succeed.
fn check_new_values(changes: &ParsedFile, problems: &mut Vec<Problem>) {
    let checks = crate::rewrite::checks::EntraChecks::new(&crate::rules::RuleConfig::default());
    for r in &changes.records {
        if r.change != Some(ChangeKind::Modify) {
            continue;
        }
        for m in mods_of(r) {
            if !matches!(m.op, ModOp::Add | ModOp::Replace) {
                continue;
            }
            let Some(attr) = Attr::from_desc(&m.attr) else {
                continue;
            };
            for v in &m.values {
                let text = String::from_utf8_lossy(v.as_bytes());
                if let Some(why) = checks.value(attr, &text) {
                    problems.push(Problem {
                        file: changes.name.clone(),
                        line: r.line,
                        kind: Kind::EntraRule,
                        message: format!(
                            "{}: the new {} {} breaks Entra's rules: {why}",
                            dn_text(&r.dn),
                            attr.ldap_name(),
                            show(v.as_bytes())
                        ),
                    });
                }
            }
        }
    }
}

fn check_duplicates(changes: &ParsedFile, view: &ExportView, problems: &mut Vec<Problem>) {
    // Group the change records per exported object, in file order.
    let mut order: Vec<Vec<u8>> = Vec::new();
    let mut per_obj: AHashMap<Vec<u8>, Vec<&Record>> = AHashMap::new();
    for r in &changes.records {
        if r.change != Some(ChangeKind::Modify) {
            continue;
        }
        if !mods_of(r).iter().any(|m| address_attr(&m.attr).is_some()) {
            continue;
        }
        let key = dn_key(&r.dn);
        if !view.wanted.contains_key(&key) {
            continue; // unknown DN, reported already
        }
        per_obj
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key.clone());
                Vec::new()
            })
            .push(r);
    }

    let key_of = |attr: Attr, text: &str| crate::index::key_for(Profile::Entra, attr, text);

    // Before and after address keys of every changed object.
    struct Changed {
        id: u32,
        first_line: u64,
        before: AHashSet<(Namespace, String)>,
        after: Vec<AfterValue>,
        after_keys: AHashSet<(Namespace, String)>,
    }
    let mut changed: Vec<Changed> = Vec::new();
    for key in &order {
        let (Some(obj), Some(recs)) = (view.wanted.get(key), per_obj.get(key)) else {
            continue;
        };
        let mut vals: Vec<AfterValue> = Vec::new();
        for a in ADDRESS_ATTRS {
            for v in obj.values(&a.ldap_name().to_ascii_lowercase()) {
                let (t, _) = decode_text(Cow::Borrowed(v));
                vals.push(AfterValue {
                    attr: a,
                    text: t.into_owned(),
                    line: None,
                });
            }
        }
        let before: AHashSet<(Namespace, String)> = vals
            .iter()
            .filter_map(|v| key_of(v.attr, &v.text))
            .collect();
        for r in recs {
            for m in mods_of(r) {
                let Some(attr) = address_attr(&m.attr) else {
                    continue;
                };
                let new: Vec<String> = m
                    .values
                    .iter()
                    .filter_map(|v| match v {
                        Value::Bytes(b) => {
                            Some(decode_text(Cow::Borrowed(b.as_ref())).0.into_owned())
                        }
                        Value::Url(_) => None,
                    })
                    .collect();
                match m.op {
                    ModOp::Replace => {
                        vals.retain(|v| v.attr != attr);
                        vals.extend(new.into_iter().map(|text| AfterValue {
                            attr,
                            text,
                            line: Some(r.line),
                        }));
                    }
                    ModOp::Add => vals.extend(new.into_iter().map(|text| AfterValue {
                        attr,
                        text,
                        line: Some(r.line),
                    })),
                    ModOp::Delete if new.is_empty() => vals.retain(|v| v.attr != attr),
                    ModOp::Delete => vals.retain(|v| {
                        v.attr != attr
                            || !new
                                .iter()
                                .any(|d| value_eq_ci(d.as_bytes(), v.text.as_bytes()))
                    }),
                    ModOp::Increment => {}
                }
            }
        }
        let after_keys: AHashSet<(Namespace, String)> = vals
            .iter()
            .filter_map(|v| key_of(v.attr, &v.text))
            .collect();
        changed.push(Changed {
            id: obj.id,
            first_line: recs.first().map_or(0, |r| r.line),
            before,
            after: vals,
            after_keys,
        });
    }
    let changed_by_id: AHashMap<u32, usize> =
        changed.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    // Key → the changed objects holding it after the change.
    let mut after_holders: AHashMap<&(Namespace, String), Vec<usize>> = AHashMap::new();
    for (i, c) in changed.iter().enumerate() {
        for k in &c.after_keys {
            after_holders.entry(k).or_default().push(i);
        }
    }

    for c in &changed {
        let mut reported: AHashSet<(Namespace, String)> = AHashSet::new();
        for v in &c.after {
            let Some(k) = key_of(v.attr, &v.text) else {
                continue;
            };
            let newly = !c.before.contains(&k);
            let upn_written = v.attr == Attr::UserPrincipalName && v.line.is_some();
            if !(newly || upn_written) || reported.contains(&k) {
                continue;
            }
            // Holders after the change, other than this object: unchanged holders from
            // the export, plus changed objects that hold the key afterwards.
            let mut others: BTreeMap<u32, String> = BTreeMap::new();
            // UPN holders that give the UPN up, but in a later record: the directory
            // still holds it when this record is imported, and a DC (2012 R2 and later)
            // refuses a UPN another object holds. Other values only count as the import
            // leaves them (sync sees the end state).
            let mut later: BTreeMap<u32, (String, u64)> = BTreeMap::new();
            for occ in view.index.owners(k.0, &k.1) {
                if occ.object == c.id {
                    continue;
                }
                if let Some(&oi) = changed_by_id.get(&occ.object) {
                    // Judged by its after state below; here only by when it changes.
                    let o = &changed[oi];
                    let upns =
                        v.attr == Attr::UserPrincipalName && occ.attr == Attr::UserPrincipalName;
                    if let (Some(line), true) = (v.line, upns) {
                        if !o.after_keys.contains(&k) && o.first_line > line {
                            later.entry(occ.object).or_insert_with(|| {
                                let what = format!(
                                    "{} {}",
                                    occ.attr.ldap_name(),
                                    show(occ.value.as_bytes())
                                );
                                (what, o.first_line)
                            });
                        }
                    }
                    continue;
                }
                others.entry(occ.object).or_insert_with(|| {
                    format!("{} {}", occ.attr.ldap_name(), show(occ.value.as_bytes()))
                });
            }
            for &oi in after_holders.get(&k).map_or(&[][..], |v| v.as_slice()) {
                let o = &changed[oi];
                if o.id == c.id {
                    continue;
                }
                if let Some(ov) = o
                    .after
                    .iter()
                    .find(|ov| key_of(ov.attr, &ov.text).as_ref() == Some(&k))
                {
                    let how = if ov.line.is_some() { "new " } else { "" };
                    others.entry(o.id).or_insert_with(|| {
                        format!("{how}{} {}", ov.attr.ldap_name(), show(ov.text.as_bytes()))
                    });
                }
            }
            let dn_of = |id: u32| view.dns.get(id as usize).map_or("?", |d| d.as_ref());
            let dn = dn_of(c.id);
            let mut duplicate = |message: String| {
                problems.push(Problem {
                    file: changes.name.clone(),
                    line: v.line.unwrap_or(c.first_line),
                    kind: Kind::Duplicate,
                    message,
                })
            };
            if others.is_empty() {
                if let Some((id, (what, at))) = later.iter().next() {
                    reported.insert(k.clone());
                    duplicate(format!(
                        "{dn}: the new {} {} would duplicate the {what} of {}, which the record at line {at} changes only later: a DC (Windows Server 2012 R2 and later) refuses this record while another object holds the UPN (put that record before this one)",
                        v.attr.ldap_name(),
                        show(v.text.as_bytes()),
                        dn_of(*id),
                    ));
                }
                continue;
            }
            reported.insert(k.clone());
            let with: Vec<String> = others
                .iter()
                .take(5)
                .map(|(id, what)| format!("{what} of {}", dn_of(*id)))
                .collect();
            let mut with = with.join("; ");
            if others.len() > 5 {
                with.push_str(&format!("; and {} more objects", others.len() - 5));
            }
            let what = if v.line.is_some() { "the new " } else { "" };
            duplicate(format!(
                "{dn}: {what}{} {} would duplicate the {with}{}",
                v.attr.ldap_name(),
                show(v.text.as_bytes()),
                if v.attr == Attr::UserPrincipalName {
                    " (a UPN must be unique across UPN, mail and SMTP addresses)"
                } else {
                    ""
                }
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_file_passes_and_lf_file_is_one_problem() {
        let crlf =
            b"\r\ndn: CN=a,DC=x\r\nchangetype: modify\r\nreplace: mail\r\nmail: a@b.c\r\n-\r\n";
        assert!(check_bytes("c", crlf, Encoding::Utf8, LineEnd::CrLf).is_empty());
        let lf = b"dn: CN=a,DC=x\nchangetype: modify\nreplace: mail\nmail: a@b.c\n-\n";
        let p = check_bytes("c", lf, Encoding::Utf8, LineEnd::CrLf);
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].kind), (1, Kind::LineEnding));
        assert!(check_bytes("c", lf, Encoding::Utf8, LineEnd::Lf).is_empty());
        let p = check_bytes("c", crlf, Encoding::Utf8, LineEnd::Lf);
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn byte_checks_name_their_lines() {
        let f = b"dn: CN=a,DC=x\r\nchangetype: modify\nreplace: mail \r\nmail: \xc3\xa9@b.c\r\nversion: 1\r\n";
        let p = check_bytes("c", f, Encoding::Utf8Bom, LineEnd::CrLf);
        let got: Vec<(u64, Kind)> = p.iter().map(|p| (p.line, p.kind)).collect();
        assert!(got.contains(&(1, Kind::Bom)));
        assert!(got.contains(&(2, Kind::LineEnding)));
        assert!(got.contains(&(3, Kind::TrailingSpace)));
        assert!(got.contains(&(4, Kind::NonAscii)));
        assert!(got.contains(&(5, Kind::VersionLine)));
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn many_problems_of_a_kind_are_capped() {
        let mut f = Vec::new();
        for _ in 0..50 {
            f.extend_from_slice(b"x: y \r\n");
        }
        let p = check_bytes("c", &f, Encoding::Utf8, LineEnd::CrLf);
        assert_eq!(p.len(), MAX_PER_KIND + 1);
        assert!(p[MAX_PER_KIND].message.starts_with("30 more"));
    }

    #[test]
    fn show_escapes_invisible_characters() {
        assert_eq!(show(b"a b"), "'a b'");
        assert_eq!(show("a\u{200b}b".as_bytes()), "'a\\u{200b}b'");
        assert_eq!(show(b"\xe9t\xe9"), "'\\xe9t\\xe9'");
    }

    #[test]
    fn misspelt_names_of_checked_attributes_are_named() {
        for (typo, meant) in [
            ("userprinciplename", "userPrincipalName"),
            ("proxyadresses", "proxyAddresses"),
            ("mailnickame", "mailNickname"),
            ("displaname", "displayName"),
            ("samaccoutnname", "sAMAccountName"),
            ("targetadress", "targetAddress"),
        ] {
            assert_eq!(misspelt(typo), Some(meant), "{typo}");
        }
        // Real schema names near checked ones, the checked names themselves, short names.
        for ok in [
            "userprincipalname",
            "homemta",
            "memberof",
            "samaccounttype",
            "c",
            "co",
            "st",
            "description",
            "telephonenumber",
            "extensionattribute1",
            "msexchrecipientdisplaytype",
        ] {
            assert_eq!(misspelt(ok), None, "{ok}");
        }
    }
}
