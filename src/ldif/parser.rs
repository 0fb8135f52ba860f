//! The record parser: RFC 2849 (+ RFC 4525 `increment`) and the dialects real exporters
//! write (ldifde, ldapsearch/slapcat, Samba ldbsearch).
//!
//! ADVICE FOR HACKERS. The input is the complete, mapped file, so every parser here is a
//! nom *complete* parser over one logical line; records are produced one at a time and
//! nothing but the current record is held. The mechanics, in order:
//!
//! 1. Physical lines end at LF; one CR before the LF is dropped (a lone CR is data).
//! 2. A physical line starting with one SPACE continues the previous line: the line break
//!    and that one space are removed, *before* any decoding, so folds may fall inside
//!    base64 or inside a multi-byte UTF-8 sequence. An unfolded line borrows the input;
//!    a folded one is joined into an owned buffer.
//! 3. A line starting with `#` is a comment, continuation lines included; it ends the
//!    logical line before it (a comment cannot sit between two halves of a fold).
//! 4. Records are separated by one or more empty lines. A line of only spaces/tabs that is
//!    not followed by a continuation line also separates records (Microsoft's own LDF
//!    files use `" "` lines that way).
//! 5. Line numbers are counted as lines are consumed; each record remembers the byte
//!    offset and physical line of its `dn:` line.

use std::borrow::Cow;

use base64::Engine as _;
use memchr::memchr;
use nom::bytes::complete::{take_while, take_while1};
use nom::IResult;

use super::error::{snippet, ErrorKind, ParseError, Warning};
use super::record::{Attr, Body, ChangeKind, Control, Mod, ModOp, Record, Value};

/// Size limits. Exceeding one is a clear error, never an allocation failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest logical line (after unfolding), in bytes.
    pub max_line: usize,
    /// Largest record, in bytes of input.
    pub max_record: usize,
    /// Most value lines in one record.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 64 << 20,
            max_record: 256 << 20,
            max_values: 2_000_000,
        }
    }
}

/// What the parser yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item<'a> {
    /// An LDIF record.
    Record(Record<'a>),
    /// A dn-less `search:`/`result:`/`ref:` block that was skipped.
    Skipped {
        /// Physical line of the block's first line.
        line: u64,
        /// The keyword that started it (`search`, `result`, `ref`), lower-cased.
        keyword: String,
        /// The block's `result:` line, if it has one (ldapsearch's trailer).
        result: Option<SearchResult>,
    },
}

/// The `result:` line of a skipped block: how the search that wrote the file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    /// Physical line of the `result:` line.
    pub line: u64,
    /// Its byte offset.
    pub offset: usize,
    /// The value as written (`4 Size limit exceeded`), trimmed and shortened.
    pub text: String,
    /// The LDAP result code at its start, if it starts with one.
    pub code: Option<u32>,
}

impl SearchResult {
    /// Whether the search ended with `0` (success): every entry it was asked for came.
    pub fn is_success(&self) -> bool {
        self.code == Some(0)
    }

    /// The error a reader of a whole export makes of a search that did not succeed (a
    /// size or time limit, missing rights, a referral): the file lacks entries.
    pub fn error(&self, block_line: u64) -> ParseError {
        ParseError {
            kind: ErrorKind::IncompleteSearch {
                result: self.text.clone(),
            },
            line: self.line,
            record_line: Some(block_line),
            offset: self.offset,
        }
    }
}

impl Item<'_> {
    /// For a skipped block ending a search that did not succeed, the error saying so.
    pub fn failed_search(&self) -> Option<ParseError> {
        match self {
            Item::Skipped {
                line,
                result: Some(r),
                ..
            } if !r.is_success() => Some(r.error(*line)),
            _ => None,
        }
    }
}

/// One logical line: its text (unfolded), physical line number and byte offset.
struct LLine<'a> {
    text: Cow<'a, [u8]>,
    line: u64,
    offset: usize,
    /// The whole input, so a problem found in `text` can be named at its physical line.
    buf: &'a [u8],
}

impl LLine<'_> {
    /// The physical line holding byte `at` of the unfolded `text` (the last one when
    /// `at` is past its end).
    fn line_at(&self, at: usize) -> u64 {
        line_in_fold(self.buf, self.offset, self.line, at)
    }
}

/// The physical line holding byte `at` of the logical line that starts at `offset` (on
/// physical line `line`) of `buf`, once unfolded: continuation lines start with a space,
/// which unfolding removes; a CR before the LF is not part of a line.
fn line_in_fold(buf: &[u8], offset: usize, line: u64, at: usize) -> u64 {
    // The length of the physical line at `pos` without its line end, and where the next
    // one starts.
    let phys = |pos: usize| {
        let rest = &buf[pos.min(buf.len())..];
        let (i, next) = match memchr(b'\n', rest) {
            Some(i) => (i, pos + i + 1),
            None => (rest.len(), buf.len()),
        };
        (
            if i > 0 && rest[i - 1] == b'\r' {
                i - 1
            } else {
                i
            },
            next,
        )
    };
    let (first, mut next) = phys(offset);
    if at < first {
        return line;
    }
    let mut left = at - first;
    let mut n = line;
    while next < buf.len() && buf[next] == b' ' {
        let (len, after) = phys(next);
        n += 1;
        let len = len.saturating_sub(1);
        if left < len {
            return n;
        }
        left -= len;
        next = after;
    }
    n
}

/// Parses records from a complete buffer. Iterate it; on error, the iterator skips to the
/// next record, so a caller may go on (`--keep-going`) or stop.
pub struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Physical line number of the line starting at `pos` (1-based).
    line: u64,
    limits: Limits,
    /// Nothing but comments and blank lines has been seen yet.
    at_file_start: bool,
    /// The block being read is the file's first (where `version:` belongs), even when it
    /// turns out to be bad.
    first_block: bool,
    /// Where the block being read starts (its first line after the blank lines and
    /// comments before it), and that line's number.
    block_start: usize,
    block_line: u64,
    /// A block's result held back while a fault found before it is reported.
    pending: Option<Result<Item<'a>, ParseError>>,
    warnings: Vec<Warning>,
    done: bool,
    names: NameCache<'a>,
    /// Which attributes content records keep, and how.
    filter: Filter,
    /// Attribute count of the previous record: the next record's vector is sized to it.
    attr_hint: usize,
    /// Reused buffers for values that are validated but not kept (folded base64 text,
    /// decoded bytes).
    scratch: Vec<u8>,
    scratch2: Vec<u8>,
    /// An emptied attribute vector handed back by the reader ([`Parser::recycle`]),
    /// used for the next record instead of a new allocation.
    spare: Vec<Attr<'a>>,
    /// The searches for a line's end and its name's colon (run for every line).
    newline: ByteFinder,
    colon: ByteFinder,
    /// Places where the input could not be decoded ([`Parser::with_faults`]), by
    /// offset, and how many of them were reported.
    faults: Vec<Fault>,
    faults_done: usize,
}

/// A place where the bytes given to the parser are not what the file held: the file's
/// encoding could not be decoded there (an unpaired UTF-16 surrogate, a dangling byte).
/// The record holding it is reported as bad with `kind`, never parsed from bytes the
/// decoder had to leave out ([`Parser::with_faults`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Byte offset in the parser's buffer where the undecodable input was left out.
    pub offset: usize,
    /// What was wrong there.
    pub kind: ErrorKind,
}

/// A search for one byte, its SIMD routine chosen once per parser: `memchr::memchr`
/// chooses on every call (an indirect call and a fresh needle each time), which shows on
/// lines of a few dozen bytes.
#[derive(Clone, Copy)]
enum ByteFinder {
    #[cfg(target_arch = "x86_64")]
    Avx2(memchr::arch::x86_64::avx2::memchr::One),
    Any(u8),
}

impl ByteFinder {
    fn new(needle: u8) -> Self {
        #[cfg(target_arch = "x86_64")]
        if let Some(one) = memchr::arch::x86_64::avx2::memchr::One::new(needle) {
            return ByteFinder::Avx2(one);
        }
        ByteFinder::Any(needle)
    }

    #[inline]
    fn find(self, haystack: &[u8]) -> Option<usize> {
        match self {
            #[cfg(target_arch = "x86_64")]
            ByteFinder::Avx2(one) => one.find(haystack),
            ByteFinder::Any(needle) => memchr(needle, haystack),
        }
    }
}

/// What a reader wants of an attribute ([`Parser::with_attr_classes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Not in the record (the line is still checked).
    Drop,
    /// In the record with its value.
    Value,
    /// In the record with an empty value (the line is checked, the value not decoded).
    Presence,
}

/// The attribute filter of a parser.
#[derive(Clone, Copy)]
enum Filter {
    All,
    Bool(fn(&str) -> bool),
    Classes(fn(&str) -> Keep),
}

impl Filter {
    fn keep(self, desc: &str) -> Keep {
        match self {
            Filter::All => Keep::Value,
            Filter::Bool(f) => {
                if f(desc) {
                    Keep::Value
                } else {
                    Keep::Drop
                }
            }
            Filter::Classes(f) => f(desc),
        }
    }
}

/// Attribute names repeat on nearly every record; validating each one as UTF-8 again (and
/// asking the attribute filter again) is a measurable share of parse time. The cache maps
/// name bytes to an earlier `&str` with the same bytes (anywhere in the input, so it
/// borrows the input like any other name) and the filter's answer for it: a small open
/// addressing table (linear probing), emptied when it is three-quarters full so a file
/// with endless distinct names costs no more than a miss per line.
///
/// It also predicts: records of one export list their attributes in much the same order,
/// so the cache remembers which name followed each name last time (`succ`, with
/// [`RECORD_START`] for the first line of a record's attributes). A line that starts
/// with the predicted name and a colon is recognised with one comparison, without
/// searching for its colon or hashing its name; any other line is looked up as before.
struct NameCache<'a> {
    slots: Box<[(&'a str, Keep); NAME_SLOTS]>,
    used: usize,
    /// The slot of the name that followed each slot's name last time (`NO_SLOT`: none).
    succ: Box<[u16; NAME_SLOTS + 1]>,
    /// The slot of the last name met (or [`RECORD_START`]).
    prev: usize,
}

const NAME_SLOTS: usize = 256;

/// The `prev` of [`NameCache`] at the start of a record's attributes.
const RECORD_START: usize = NAME_SLOTS;

/// No successor known.
const NO_SLOT: u16 = u16::MAX;

/// Bytes reserved beyond a folded line's first physical line when it is joined: room
/// for three continuation lines of a typical export.
const FOLD_ROOM: usize = 256;

impl<'a> NameCache<'a> {
    fn new() -> Self {
        NameCache {
            slots: Box::new([("", Keep::Value); NAME_SLOTS]),
            used: 0,
            succ: Box::new([NO_SLOT; NAME_SLOTS + 1]),
            prev: RECORD_START,
        }
    }

    /// The predicted name if `line` starts with it and a colon: (colon position, slot).
    #[inline]
    fn predict(&self, line: &[u8]) -> Option<(usize, usize)> {
        let slot = usize::from(self.succ[self.prev]);
        let name = self.slots.get(slot)?.0.as_bytes();
        let n = name.len();
        (n > 0 && line.get(n) == Some(&b':') && same_name(name, &line[..n])).then_some((n, slot))
    }

    /// Record that the name in `slot` came next.
    #[inline]
    fn advance(&mut self, slot: usize) {
        self.succ[self.prev] = slot as u16;
        self.prev = slot;
    }

    /// The first and last eight bytes and the length, mixed (names are never empty).
    #[inline]
    fn slot_of(b: &[u8]) -> usize {
        let n = b.len();
        let x = if n >= 8 {
            let head = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
            let tail = u64::from_le_bytes(b[n - 8..].try_into().unwrap_or_default());
            head ^ tail.rotate_left(29) ^ n as u64
        } else {
            b.iter().fold(n as u64, |h, &c| (h << 8) | u64::from(c))
        };
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % NAME_SLOTS
    }

    /// The slot of the cached name with these bytes.
    #[inline]
    fn lookup(&self, b: &[u8]) -> Option<usize> {
        let mut h = Self::slot_of(b);
        loop {
            let slot = self.slots[h];
            if same_name(slot.0.as_bytes(), b) {
                return Some(h);
            }
            if slot.0.is_empty() {
                return None;
            }
            h = (h + 1) % NAME_SLOTS;
        }
    }

    /// Cache a name that is not cached yet and return its slot (`None` if it is not
    /// UTF-8).
    fn insert(&mut self, b: &'a [u8], filter: Filter) -> Option<usize> {
        // Never an attribute of a record (the general path says why).
        if b.eq_ignore_ascii_case(b"dn") || b.eq_ignore_ascii_case(b"changetype") {
            return None;
        }
        let s = std::str::from_utf8(b).ok()?;
        let keep = filter.keep(s);
        if self.used >= NAME_SLOTS * 3 / 4 {
            self.slots.fill(("", Keep::Value));
            self.succ.fill(NO_SLOT);
            self.used = 0;
        }
        let mut h = Self::slot_of(b);
        while !self.slots[h].0.is_empty() {
            h = (h + 1) % NAME_SLOTS;
        }
        self.slots[h] = (s, keep);
        self.used += 1;
        Some(h)
    }
}

/// `a == b` for attribute names, without a `memcmp` call: names of 8 bytes or more are
/// compared a word at a time (the last word overlapping), shorter ones byte by byte.
#[inline]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a == b;
    }
    let word =
        |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default());
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The `changetype:` keywords (any case), lower-cased, with ldifde's schema variants.
const CHANGE_TYPES: [(&str, ChangeKind); 9] = [
    ("add", ChangeKind::Add),
    ("modify", ChangeKind::Modify),
    ("delete", ChangeKind::Delete),
    ("modrdn", ChangeKind::ModRdn),
    ("moddn", ChangeKind::ModDn),
    ("ntdsschemaadd", ChangeKind::Add),
    ("ntdsschemadelete", ChangeKind::Delete),
    ("ntdsschemamodify", ChangeKind::Modify),
    ("ntdsschemamodrdn", ChangeKind::ModRdn),
];

/// The search result a `result: <code> <text>` line gives (any case, spaces allowed
/// before the value).
fn search_result(t: &[u8], line: u64, offset: usize) -> Option<SearchResult> {
    if t.len() < 7 || !t[..7].eq_ignore_ascii_case(b"result:") {
        return None;
    }
    let value = String::from_utf8_lossy(trim_spaces(&t[7..]));
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    Some(SearchResult {
        line,
        offset,
        code: digits.parse().ok(),
        text: snippet(value.as_bytes()),
    })
}

/// Internal results carry a boxed error so the hot path moves small values.
type PResult<T> = Result<T, Box<ParseError>>;

const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The warning for an input whose last line has no line end.
pub const UNENDED_LAST_LINE: &str = "the input ends inside its last line (no line end after it): was the file cut short? Its last value may be incomplete";

impl<'a> Parser<'a> {
    /// A parser over `buf` (already decoded to UTF-8/bytes, BOM removed) with default limits.
    pub fn new(buf: &'a [u8]) -> Self {
        Self::with_limits(buf, Limits::default())
    }

    /// A parser with explicit limits.
    pub fn with_limits(buf: &'a [u8], limits: Limits) -> Self {
        Parser {
            buf,
            pos: 0,
            line: 1,
            limits,
            at_file_start: true,
            first_block: false,
            block_start: 0,
            block_line: 1,
            pending: None,
            warnings: Vec::new(),
            done: false,
            names: NameCache::new(),
            filter: Filter::All,
            attr_hint: 16,
            scratch: Vec::new(),
            scratch2: Vec::new(),
            spare: Vec::new(),
            newline: ByteFinder::new(b'\n'),
            colon: ByteFinder::new(b':'),
            faults: Vec::new(),
            faults_done: 0,
        }
    }

    /// Keep only the attributes whose description (as written, options included) `keep`
    /// accepts in the attribute lists of content and `changetype: add` records. The other
    /// lines are still read and checked exactly as before (syntax, base64, size limits,
    /// line numbers), so the same inputs are accepted and rejected; their values are just
    /// not decoded into the record. Change records (modify, delete, modrdn) are not
    /// filtered. A reader that looks at a few attributes of every object (a scan) saves
    /// most of the decoding and allocation that way.
    pub fn with_attr_filter(mut self, keep: fn(&str) -> bool) -> Self {
        self.filter = Filter::Bool(keep);
        self.names = NameCache::new();
        self
    }

    /// [`Parser::with_attr_filter`] with a third answer, [`Keep::Presence`]: the attribute
    /// line is read and checked like a dropped one, and appears in the record with an
    /// empty value, for a reader that only counts an attribute's values (group members,
    /// certificates) and need not pay for decoding or copying them.
    pub fn with_attr_classes(mut self, keep: fn(&str) -> Keep) -> Self {
        self.filter = Filter::Classes(keep);
        self.names = NameCache::new();
        self
    }

    /// Warnings gathered so far (taken out of the parser).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// Hand back the attribute vector of a record that was read (its values are
    /// cleared here): the next record's attributes go into it, which saves an
    /// allocation per record for a reader that consumes records one by one.
    pub fn recycle(&mut self, mut attrs: Vec<Attr<'a>>) {
        attrs.clear();
        if attrs.capacity() > self.spare.capacity() {
            self.spare = attrs;
        }
    }

    /// Report the records holding `faults` (sorted by offset) as bad records, each with
    /// its fault's error at the fault's physical line, instead of what their remaining
    /// bytes parse to; a fault outside any record is reported where it is, after the
    /// records before it. A record with several faults is reported once.
    pub fn with_faults(mut self, faults: Vec<Fault>) -> Self {
        debug_assert!(faults.windows(2).all(|w| w[0].offset <= w[1].offset));
        self.faults = faults;
        self.faults_done = 0;
        self
    }

    /// The error for the first fault before `end`, if any, consuming every fault before
    /// `end`: for the stretch that started at byte `start` on line `start_line`, in the
    /// record starting on `record_line` (when there is one).
    #[cold]
    fn fault_before(
        &mut self,
        start: usize,
        start_line: u64,
        end: usize,
        record_line: Option<u64>,
    ) -> Option<ParseError> {
        let first = self.faults.get(self.faults_done)?;
        if first.offset >= end {
            return None;
        }
        let at = first.offset.clamp(start, self.buf.len());
        let line = start_line + memchr::memchr_iter(b'\n', &self.buf[start..at]).count() as u64;
        let err = ParseError {
            kind: first.kind.clone(),
            line,
            record_line,
            offset: first.offset,
        };
        while self
            .faults
            .get(self.faults_done)
            .is_some_and(|f| f.offset < end)
        {
            self.faults_done += 1;
        }
        Some(err)
    }

    /// The physical line holding byte `at` of the logical (unfolded) line that starts at
    /// byte `offset` on physical line `line`: each continuation line adds its bytes after
    /// the leading space.
    #[cold]
    fn locate_in_fold(&self, offset: usize, line: u64, at: usize) -> u64 {
        line_in_fold(self.buf, offset, line, at)
    }

    /// The error for a record (starting at byte `start`, line `line`) that ends beyond
    /// `--max-record-bytes`, named at its last line.
    #[cold]
    fn record_too_large(&self, start: usize, line: u64) -> ParseError {
        let body = &self.buf[start..self.pos];
        let lfs = memchr::memchr_iter(b'\n', body).count() as u64;
        let last = line + lfs - u64::from(lfs > 0 && body.ends_with(b"\n"));
        ParseError {
            kind: ErrorKind::Limit {
                detail: record_limit(self.limits.max_record),
            },
            line: last,
            record_line: Some(line),
            offset: start,
        }
    }

    /// A `dn:` or `changetype:` line among a record's attributes: most likely the empty
    /// line between two records is missing (their attributes would merge), or a
    /// `changetype:` is out of place; never read as an attribute.
    #[cold]
    fn misplaced_keyword(&self, l: &LLine<'_>, s: &LineSpec<'_>, dn_line: u64) -> Box<ParseError> {
        let expected = if s.is("dn") {
            "an empty line before a new record's 'dn:' line (records are separated by an empty line)"
        } else {
            "'changetype:' only right after the 'dn:' line and its controls"
        };
        self.err(
            ErrorKind::Expected {
                expected: expected.into(),
                found: snippet(&l.text),
            },
            l.line,
            l.offset,
            dn_line,
        )
    }

    /// Byte offset the parser has reached.
    pub fn position(&self) -> usize {
        self.pos
    }

    // ---- physical lines -------------------------------------------------------------

    /// The physical line at `pos`: (content without CR/LF, position after the line end).
    #[inline(always)]
    fn phys(&self, pos: usize) -> (&'a [u8], usize) {
        let rest = &self.buf[pos..];
        match self.newline.find(rest) {
            Some(i) => {
                let mut end = i;
                if end > 0 && rest[end - 1] == b'\r' {
                    end -= 1;
                }
                (&rest[..end], pos + i + 1)
            }
            None => {
                let mut end = rest.len();
                if end > 0 && rest[end - 1] == b'\r' {
                    end -= 1;
                }
                (&rest[..end], self.buf.len())
            }
        }
    }

    #[inline]
    fn starts_with_space(&self, pos: usize) -> bool {
        pos < self.buf.len() && self.buf[pos] == b' '
    }

    /// A continuation line starts at `pos`: it starts with a space and is not a
    /// whitespace-only separator line (rule 4 above).
    #[inline]
    fn is_continuation(&self, pos: usize) -> bool {
        if !self.starts_with_space(pos) {
            return false;
        }
        let (content, next) = self.phys(pos);
        !self.is_blank(content, next)
    }

    fn is_blank(&self, content: &[u8], next: usize) -> bool {
        content.is_empty()
            || (content.iter().all(|&c| c == b' ' || c == b'\t') && !self.starts_with_space(next))
    }

    /// Skip a comment line at `self.pos` and its continuation lines.
    fn skip_comment(&mut self) {
        let (_, mut next) = self.phys(self.pos);
        self.line += 1;
        while self.is_continuation(next) {
            let (_, n) = self.phys(next);
            next = n;
            self.line += 1;
        }
        self.pos = next;
    }

    fn err(&self, kind: ErrorKind, line: u64, offset: usize, record_line: u64) -> Box<ParseError> {
        Box::new(ParseError {
            kind,
            line,
            record_line: Some(record_line),
            offset,
        })
    }

    /// Read the next logical line of the current record; `None` at a record separator
    /// or the end of input (the separator is not consumed). Comments are skipped.
    fn next_lline(&mut self, record_line: u64) -> PResult<Option<LLine<'a>>> {
        loop {
            if self.pos >= self.buf.len() {
                return Ok(None);
            }
            let (content, next) = self.phys(self.pos);
            if self.is_blank(content, next) {
                return Ok(None);
            }
            if content[0] == b'#' {
                self.skip_comment();
                continue;
            }
            if content[0] == b' ' {
                return Err(self.err(
                    ErrorKind::UnexpectedContinuation,
                    self.line,
                    self.pos,
                    record_line,
                ));
            }
            let start_line = self.line;
            let offset = self.pos;
            if content.len() > self.limits.max_line {
                return Err(self.err(
                    ErrorKind::Limit {
                        detail: format!(
                            "expected a line of at most {} bytes (--max-line-bytes)",
                            self.limits.max_line
                        ),
                    },
                    start_line,
                    offset,
                    record_line,
                ));
            }
            self.line += 1;
            self.pos = next;
            if !self.is_continuation(next) {
                return Ok(Some(LLine {
                    text: Cow::Borrowed(content),
                    line: start_line,
                    offset,
                    buf: self.buf,
                }));
            }
            // Folded: join continuation lines into an owned buffer, sized for a few
            // continuation lines up front (exports fold at 76-80 bytes and start many
            // folds right after the colon, so growing from the first line's size would
            // reallocate several times).
            let mut owned = Vec::with_capacity(content.len() + FOLD_ROOM);
            owned.extend_from_slice(content);
            while self.is_continuation(self.pos) {
                let (c, n) = self.phys(self.pos);
                owned.extend_from_slice(&c[1..]);
                if owned.len() > self.limits.max_line {
                    return Err(self.err(
                        ErrorKind::Limit {
                            detail: format!(
                                "expected a line of at most {} bytes (--max-line-bytes)",
                                self.limits.max_line
                            ),
                        },
                        start_line,
                        offset,
                        record_line,
                    ));
                }
                self.pos = n;
                self.line += 1;
            }
            return Ok(Some(LLine {
                text: Cow::Owned(owned),
                line: start_line,
                offset,
                buf: self.buf,
            }));
        }
    }

    /// Advance past the rest of the current record (used after an error).
    /// Returns the first `result:` line met, if any (what a skipped ldapsearch trailer
    /// says of its search).
    fn skip_record(&mut self) -> Option<SearchResult> {
        let mut result = None;
        while self.pos < self.buf.len() {
            let (content, next) = self.phys(self.pos);
            if self.is_blank(content, next) {
                break;
            }
            if result.is_none() {
                result = search_result(content, self.line, self.pos);
            }
            self.pos = next;
            self.line += 1;
        }
        result
    }

    /// Skip separators and comments before a record. Returns false at end of input.
    fn skip_to_record(&mut self) -> PResult<bool> {
        loop {
            if self.pos >= self.buf.len() {
                return Ok(false);
            }
            let (content, next) = self.phys(self.pos);
            if self.is_blank(content, next) {
                self.pos = next;
                self.line += 1;
                continue;
            }
            if content[0] == b'#' {
                self.skip_comment();
                continue;
            }
            self.block_start = self.pos;
            self.block_line = self.line;
            self.first_block = std::mem::replace(&mut self.at_file_start, false);
            if content[0] == b' ' {
                let e = Box::new(ParseError {
                    kind: ErrorKind::UnexpectedContinuation,
                    line: self.line,
                    record_line: None,
                    offset: self.pos,
                });
                // Resynchronise: drop the continuation lines.
                while self.starts_with_space(self.pos) {
                    let (_, n) = self.phys(self.pos);
                    self.pos = n;
                    self.line += 1;
                }
                return Err(e);
            }
            return Ok(true);
        }
    }

    // ---- records --------------------------------------------------------------------

    fn parse_record(&mut self) -> PResult<Option<Item<'a>>> {
        if !self.skip_to_record()? {
            return Ok(None);
        }
        let record_line = self.line;
        let record_start = self.pos;
        let Some(mut first) = self.next_lline(record_line)? else {
            return Ok(None);
        };
        let mut spec = split_line(&first, record_line)?;

        if spec.is("version") {
            if !self.first_block {
                // `ldapsearch -L` heads every page of a paged search with `version: 1`,
                // and joined exports repeat it: a block of that line alone is skipped.
                let v = spec.plain_value(&first);
                if trim_spaces(&v) == b"1" && self.next_lline(record_line)?.is_none() {
                    return self.parse_record();
                }
                return Err(self.err(
                    ErrorKind::BadVersion {
                        detail: "expected a record starting with 'dn:', found a 'version:' line (only allowed as the first line of the file)"
                            .into(),
                    },
                    first.line,
                    first.offset,
                    record_line,
                ));
            }
            let v = spec.plain_value(&first);
            // Trailing spaces are tolerated (copies of Microsoft's examples carry them).
            if trim_spaces(&v) != b"1" {
                return Err(self.err(
                    ErrorKind::BadVersion {
                        detail: format!(
                            "unsupported LDIF version \"{}\" (expected 'version: 1')",
                            snippet(&v)
                        ),
                    },
                    first.line,
                    first.offset,
                    record_line,
                ));
            }
            self.first_block = false;
            match self.next_lline(record_line)? {
                Some(l) => {
                    first = l;
                    spec = split_line(&first, record_line)?;
                }
                None => return self.parse_record(),
            }
        }
        self.first_block = false;

        if spec.is("search") || spec.is("result") || spec.is("ref") {
            let keyword = spec.name_str().to_ascii_lowercase();
            // The block's `result:` line (ldapsearch writes `search: 2` first).
            let first_result = search_result(&first.text, first.line, first.offset);
            let rest_result = self.skip_record();
            let result = first_result.or(rest_result);
            return Ok(Some(Item::Skipped {
                line: first.line,
                keyword,
                result,
            }));
        }
        if spec.is("version") {
            return Err(self.err(
                ErrorKind::BadVersion {
                    detail: "expected a record starting with 'dn:', found a 'version:' line (only allowed as the first line of the file)"
                        .into(),
                },
                first.line,
                first.offset,
                record_line,
            ));
        }
        if !spec.is("dn") {
            return Err(self.err(
                ErrorKind::ExpectedDn {
                    found: snippet(&first.text),
                },
                first.line,
                first.offset,
                first.line,
            ));
        }
        let dn_line = first.line;
        let dn_offset = first.offset;
        let dn = match spec.kind {
            ValueKind::Plain => spec.plain_value(&first),
            ValueKind::Base64 => spec.base64_value(&first, &mut self.warnings, dn_line)?,
            ValueKind::Url => {
                return Err(self.err(
                    ErrorKind::Expected {
                        expected: "'dn:' or 'dn::' (a DN cannot be a URL)".into(),
                        found: snippet(&first.text),
                    },
                    first.line,
                    first.offset,
                    dn_line,
                ))
            }
        };

        let mut rec = RecordBuilder {
            values: 0,
            start: record_start,
            dn_line,
        };
        let mut controls = Vec::new();
        let mut next = self.next_lline(dn_line)?;
        // Controls, then an optional changetype.
        while let Some(l) = &next {
            let s = split_line(l, dn_line)?;
            if !s.is("control") {
                break;
            }
            controls.push(parse_control(l, &s, dn_line, &mut self.warnings)?);
            next = self.next_lline(dn_line)?;
        }
        let Some(line) = next else {
            return Err(self.err(ErrorKind::EmptyRecord, dn_line, dn_offset, dn_line));
        };
        let s = split_line(&line, dn_line)?;
        if !s.is("changetype") {
            if !controls.is_empty() {
                return Err(self.err(
                    ErrorKind::BadControl {
                        detail: "controls are only allowed on change records (expected 'changetype:' after 'control:')".into(),
                    },
                    line.line,
                    line.offset,
                    dn_line,
                ));
            }
            let attrs = self.read_attrs(Some(line), &mut rec)?;
            return Ok(Some(Item::Record(Record {
                offset: dn_offset,
                line: dn_line,
                dn,
                controls,
                change: None,
                changetype: None,
                body: Body::Attrs(attrs),
            })));
        }
        let ct_raw = s.plain_value(&line);
        let ct = trim_spaces(&ct_raw);
        let Some(&(ct_lower, kind)) = CHANGE_TYPES
            .iter()
            .find(|(k, _)| k.as_bytes().eq_ignore_ascii_case(ct))
        else {
            return Err(self.err(
                ErrorKind::BadChangeType {
                    found: snippet(&ct_raw),
                },
                line.line,
                line.offset,
                dn_line,
            ));
        };
        let body = match kind {
            ChangeKind::Add => {
                // Straight onto the fast path: no attribute line at all is an empty record.
                let attrs = self.read_attrs(None, &mut rec)?;
                if rec.values == 0 {
                    return Err(self.err(ErrorKind::EmptyRecord, line.line, line.offset, dn_line));
                }
                Body::Attrs(attrs)
            }
            ChangeKind::Delete => {
                if let Some(l) = self.next_lline(dn_line)? {
                    return Err(self.err(
                        ErrorKind::Expected {
                            expected: "the end of the record after 'changetype: delete'".into(),
                            found: snippet(&l.text),
                        },
                        l.line,
                        l.offset,
                        dn_line,
                    ));
                }
                Body::Delete
            }
            ChangeKind::Modify => Body::Modify(self.read_mods(&mut rec)?),
            ChangeKind::ModRdn | ChangeKind::ModDn => self.read_moddn(&line, dn_line)?,
        };
        Ok(Some(Item::Record(Record {
            offset: dn_offset,
            line: dn_line,
            dn,
            controls,
            change: Some(kind),
            changetype: Some(Cow::Borrowed(ct_lower)),
            body,
        })))
    }

    fn read_attrs(
        &mut self,
        mut line: Option<LLine<'a>>,
        rec: &mut RecordBuilder,
    ) -> PResult<Vec<Attr<'a>>> {
        let mut attrs = if self.spare.capacity() > 0 {
            std::mem::take(&mut self.spare)
        } else {
            Vec::with_capacity(self.attr_hint)
        };
        self.names.prev = RECORD_START;
        // `line`, when given, was read already (the general path takes it); without one,
        // reading starts on the fast path.
        loop {
            if let Some(l) = line.take() {
                let s = split_line(&l, rec.dn_line)?;
                if s.is("dn") || s.is("changetype") {
                    return Err(self.misplaced_keyword(&l, &s, rec.dn_line));
                }
                rec.count(self, &l)?;
                let value = s.value(&l, &mut self.warnings, rec.dn_line)?;
                match self.filter.keep(s.name_str()) {
                    Keep::Value => attrs.push(Attr {
                        name: s.name_cow(&l),
                        value,
                    }),
                    Keep::Presence => attrs.push(Attr {
                        name: s.name_cow(&l),
                        value: Value::Bytes(Cow::Borrowed(&[])),
                    }),
                    Keep::Drop => {}
                }
            }
            // The common shape takes the fast path; anything else the general one.
            loop {
                match self.fast_attr(rec, &mut attrs)? {
                    Fast::Pushed | Fast::Skipped => {}
                    Fast::End => {
                        self.attr_hint = attrs.len().max(4);
                        return Ok(attrs);
                    }
                    Fast::General => break,
                }
            }
            line = self.next_lline(rec.dn_line)?;
            if line.is_none() {
                break;
            }
        }
        self.attr_hint = attrs.len().max(4);
        Ok(attrs)
    }

    /// The fast path for the line shape that makes up nearly all of an export: a
    /// non-comment `name: value` or `name:: base64` line, folded or not, whose name is a
    /// plain attribute type (letters, digits, '-', no options). It consumes the line only
    /// when it can handle it completely; every other shape (comments, options, URLs,
    /// FILL spaces continued across a fold, blank-ish lines, errors, limits) is left to the
    /// general path, which applies the same rules and reports the errors. A folded value
    /// is joined straight into its own buffer (plain) or into a reused one (base64 text);
    /// a value the attribute filter drops is only checked, never stored.
    #[inline]
    fn fast_attr(&mut self, rec: &mut RecordBuilder, attrs: &mut Vec<Attr<'a>>) -> PResult<Fast> {
        let buf = self.buf;
        let pos = self.pos;
        if pos >= buf.len() {
            return Ok(Fast::End);
        }
        let (line, next) = self.phys(pos);
        if line.is_empty() {
            return Ok(Fast::End);
        }
        if !line[0].is_ascii_alphabetic() || line.len() > self.limits.max_line {
            return Ok(Fast::General);
        }
        // The name ends at the first colon. The predicted name is recognised as a prefix
        // (a name holds no colon, so its colon is the first); otherwise a name seen
        // before is looked up as is (the cache only holds names that passed the check
        // below), and a new one must be a plain attribute type.
        let (i, cached) = match self.names.predict(line) {
            Some((i, slot)) => (i, Some(slot)),
            None => {
                let Some(i) = self.colon.find(line) else {
                    return Ok(Fast::General);
                };
                let cached = self.names.lookup(&line[..i]);
                if cached.is_none() && !line[1..i].iter().all(|&c| TYPE_CHARS[c as usize]) {
                    return Ok(Fast::General);
                }
                (i, cached)
            }
        };
        let base64 = match line.get(i + 1) {
            Some(b':') => true,
            Some(b'<') => return Ok(Fast::General),
            _ => false,
        };
        let mut j = i + 1 + usize::from(base64);
        while j < line.len() && line[j] == b' ' {
            j += 1;
        }
        if base64 && line.get(j) == Some(&b'\t') {
            return Ok(Fast::General);
        }
        let slot = match cached {
            Some(slot) => slot,
            None => match self.names.insert(&line[..i], self.filter) {
                Some(new) => new,
                None => return Ok(Fast::General),
            },
        };
        let (name, keep) = self.names.slots[slot];
        let first = &line[j..];

        // Continuation lines, if any: join them (rule 2 of the module notes).
        let mut end = next;
        let mut lines = 1u64;
        let mut joined: Option<Vec<u8>> = None;
        if next < buf.len() && buf[next] == b' ' {
            // A fold right after the colon may hide a second ':' or a '<': general path.
            if i + 1 == line.len() {
                return Ok(Fast::General);
            }
            let mut total = line.len();
            let mut value_len = first.len();
            if base64 {
                self.scratch.clear();
                self.scratch.extend_from_slice(first);
            } else if keep == Keep::Value {
                let mut v = Vec::with_capacity(first.len() + FOLD_ROOM);
                v.extend_from_slice(first);
                joined = Some(v);
            }
            while end < buf.len() && buf[end] == b' ' {
                let (c, n) = self.phys(end);
                if self.is_blank(c, n) {
                    break;
                }
                let piece = &c[1..];
                // FILL continued on the next line ("attr:" + "  value"): general path.
                if value_len == 0 && piece.first() == Some(&b' ') {
                    return Ok(Fast::General);
                }
                total += piece.len();
                if total > self.limits.max_line {
                    return Ok(Fast::General);
                }
                value_len += piece.len();
                if base64 {
                    self.scratch.extend_from_slice(piece);
                } else if let Some(v) = &mut joined {
                    v.extend_from_slice(piece);
                }
                end = n;
                lines += 1;
            }
        }

        let value = if base64 {
            let text: &[u8] = if lines > 1 { &self.scratch } else { first };
            let raw = &text[..text.iter().rposition(|&c| c != b' ').map_or(0, |e| e + 1)];
            if raw.is_empty() {
                return Ok(Fast::General);
            }
            if keep == Keep::Value {
                match B64.decode(raw) {
                    Ok(v) => Some(Cow::Owned(v)),
                    Err(_) => return Ok(Fast::General),
                }
            } else {
                // Only checked: the plain shape is recognised without decoding, anything
                // else is left to the decoder.
                if !base64_surely_valid(raw) {
                    self.scratch2.clear();
                    if B64.decode_vec(raw, &mut self.scratch2).is_err() {
                        return Ok(Fast::General);
                    }
                }
                None
            }
        } else if keep != Keep::Value {
            None
        } else {
            Some(match joined {
                Some(v) => Cow::Owned(v),
                None => Cow::Borrowed(first),
            })
        };
        let value = match keep {
            Keep::Presence => Some(Cow::Borrowed(&[][..])),
            _ => value,
        };
        rec.count_at(self, self.line, pos)?;
        self.names.advance(slot);
        self.pos = end;
        self.line += lines;
        Ok(match value {
            Some(v) => {
                // Pushed here rather than returned: the attribute is written once,
                // straight into the record's vector.
                attrs.push(Attr {
                    name: Cow::Borrowed(name),
                    value: Value::Bytes(v),
                });
                Fast::Pushed
            }
            None => Fast::Skipped,
        })
    }

    fn read_mods(&mut self, rec: &mut RecordBuilder) -> PResult<Vec<Mod<'a>>> {
        let dn_line = rec.dn_line;
        let mut mods = Vec::new();
        loop {
            let Some(l) = self.next_lline(dn_line)? else {
                return Ok(mods);
            };
            let s = split_line(&l, dn_line)?;
            let op = match s.name_str().to_ascii_lowercase().as_str() {
                "add" => ModOp::Add,
                "delete" => ModOp::Delete,
                "replace" => ModOp::Replace,
                "increment" => ModOp::Increment,
                _ => return Err(self.err(
                    ErrorKind::Expected {
                        expected:
                            "'add:', 'delete:', 'replace:' or 'increment:' starting a modification"
                                .into(),
                        found: snippet(&l.text),
                    },
                    l.line,
                    l.offset,
                    dn_line,
                )),
            };
            let attr_raw = s.plain_value(&l);
            let attr_trim = trim_spaces(&attr_raw);
            let attr_name = match std::str::from_utf8(attr_trim) {
                Ok(a) if valid_attr_desc(a.as_bytes()) => a.to_owned(),
                _ => {
                    return Err(self.err(
                        ErrorKind::BadAttributeName {
                            name: snippet(attr_trim),
                        },
                        l.line,
                        l.offset,
                        dn_line,
                    ))
                }
            };
            let mut values = Vec::new();
            let mut closed = false;
            while let Some(v) = self.next_lline(dn_line)? {
                if is_dash(&v.text) {
                    closed = true;
                    break;
                }
                let vs = split_line(&v, dn_line)?;
                if !vs.is(&attr_name) {
                    return Err(self.err(
                        ErrorKind::Expected {
                            expected: format!(
                                "'-' or a value of \"{attr_name}\" in this '{}:' modification",
                                op.as_str()
                            ),
                            found: snippet(&v.text),
                        },
                        v.line,
                        v.offset,
                        dn_line,
                    ));
                }
                rec.count(self, &v)?;
                values.push(vs.value(&v, &mut self.warnings, dn_line)?);
            }
            if op == ModOp::Increment && values.len() != 1 {
                return Err(self.err(
                    ErrorKind::Expected {
                        expected: "exactly one value in an 'increment:' modification".into(),
                        found: format!("{} values", values.len()),
                    },
                    l.line,
                    l.offset,
                    dn_line,
                ));
            }
            mods.push(Mod {
                op,
                attr: Cow::Owned(attr_name),
                values,
            });
            if !closed {
                self.warnings.push(Warning {
                    line: l.line,
                    message: "modification not closed by '-' at the end of the record".into(),
                });
                return Ok(mods);
            }
        }
    }

    fn read_moddn(&mut self, ct: &LLine<'a>, dn_line: u64) -> PResult<Body<'a>> {
        let expect = |p: &mut Self, what: &str| -> PResult<LLine<'a>> {
            match p.next_lline(dn_line)? {
                Some(l) => {
                    let ok = split_line(&l, dn_line)?.is(what);
                    if ok {
                        Ok(l)
                    } else {
                        Err(p.err(
                            ErrorKind::Expected {
                                expected: format!("'{what}:'"),
                                found: snippet(&l.text),
                            },
                            l.line,
                            l.offset,
                            dn_line,
                        ))
                    }
                }
                // The record ended: named at its last line, after which the line was
                // expected.
                None => Err(p.err(
                    ErrorKind::Expected {
                        expected: format!("'{what}:'"),
                        found: "end of record".into(),
                    },
                    p.line.saturating_sub(1).max(ct.line),
                    p.pos,
                    dn_line,
                )),
            }
        };
        let l = expect(self, "newrdn")?;
        let s = split_line(&l, dn_line)?;
        let newrdn = s.dn_value(&l, &mut self.warnings, dn_line)?;
        let l = expect(self, "deleteoldrdn")?;
        let s = split_line(&l, dn_line)?;
        let d = s.plain_value(&l);
        let deleteoldrdn = match trim_spaces(&d) {
            b"0" => false,
            b"1" => true,
            other => {
                return Err(self.err(
                    ErrorKind::Expected {
                        expected: "'deleteoldrdn: 0' or 'deleteoldrdn: 1'".into(),
                        found: snippet(other),
                    },
                    l.line_at(s.vstart),
                    l.offset,
                    dn_line,
                ))
            }
        };
        let mut newsuperior = None;
        if let Some(l) = self.next_lline(dn_line)? {
            let s = split_line(&l, dn_line)?;
            if !s.is("newsuperior") {
                return Err(self.err(
                    ErrorKind::Expected {
                        expected: "'newsuperior:' or the end of the record".into(),
                        found: snippet(&l.text),
                    },
                    l.line,
                    l.offset,
                    dn_line,
                ));
            }
            newsuperior = Some(s.dn_value(&l, &mut self.warnings, dn_line)?);
            if let Some(l) = self.next_lline(dn_line)? {
                return Err(self.err(
                    ErrorKind::Expected {
                        expected: "the end of the record after 'newsuperior:'".into(),
                        found: snippet(&l.text),
                    },
                    l.line,
                    l.offset,
                    dn_line,
                ));
            }
        }
        Ok(Body::ModDn {
            newrdn,
            deleteoldrdn,
            newsuperior,
        })
    }
}

impl<'a> Iterator for Parser<'a> {
    type Item = Result<Item<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(held) = self.pending.take() {
            return Some(held);
        }
        if self.done {
            return None;
        }
        let (start, start_line) = (self.pos, self.line);
        (self.block_start, self.block_line) = (start, start_line);
        let item = match self.parse_record() {
            Ok(Some(Item::Record(r))) if self.pos - r.offset > self.limits.max_record => {
                // The last line of a record is only measured here, where it ends.
                Err(self.record_too_large(r.offset, r.line))
            }
            Ok(Some(item)) => Ok(item),
            Ok(None) => {
                self.done = true;
                // Every exporter ends its last line; a file that does not was most
                // likely cut short (its last value may be cut too).
                if !self.buf.is_empty() && !self.buf.ends_with(b"\n") {
                    self.warnings.push(Warning {
                        // Every line was consumed: the last one is the line before.
                        line: self.line.saturating_sub(1).max(1),
                        message: UNENDED_LAST_LINE.into(),
                    });
                }
                // A fault after the last record (in a trailing comment, a dangling byte
                // after the final line end) is reported on its own.
                return self
                    .fault_before(start, start_line, usize::MAX, None)
                    .map(Err);
            }
            Err(mut e) => {
                if let ErrorKind::BadBase64 { at, .. } = e.kind {
                    e.line = self.locate_in_fold(e.offset, e.line, at);
                }
                let _ = self.skip_record();
                Err(*e)
            }
        };
        if self.faults.len() > self.faults_done {
            Some(self.with_fault(item, start, start_line))
        } else {
            Some(item)
        }
    }
}

impl<'a> Parser<'a> {
    /// `item`, the block just read (the stretch from `start` held blank lines and
    /// comments, then the block), checked against the faults left: a fault in the lines
    /// before the block is reported on its own, the block's result held back for the
    /// next call; a fault in the block makes it bad, reported with the fault, the first
    /// thing wrong with it, instead of what was read from its decodable bytes.
    #[cold]
    fn with_fault(
        &mut self,
        item: Result<Item<'a>, ParseError>,
        start: usize,
        start_line: u64,
    ) -> Result<Item<'a>, ParseError> {
        let gap = self.fault_before(start, start_line, self.block_start, None);
        let record_line = match &item {
            Ok(Item::Record(r)) => Some(r.line),
            Ok(Item::Skipped { line, .. }) => Some(*line),
            Err(e) => e.record_line,
        };
        // A block running to the end of an input cut short in its last line also holds
        // the fault there (the dangling byte); after a final line end, it does not.
        let end = if self.pos >= self.buf.len() && !self.buf.ends_with(b"\n") {
            usize::MAX
        } else {
            self.pos
        };
        let item = match self.fault_before(self.block_start, self.block_line, end, record_line) {
            Some(e) => Err(e),
            None => item,
        };
        match gap {
            Some(e) => {
                self.pending = Some(item);
                Err(e)
            }
            None => item,
        }
    }
}

/// What the fast path did.
enum Fast {
    /// It read one attribute line and pushed it.
    Pushed,
    /// It read and checked one attribute line the filter drops.
    Skipped,
    /// The record ends here (blank line or end of input; not consumed).
    End,
    /// The next line needs the general path.
    General,
}

struct RecordBuilder {
    values: usize,
    start: usize,
    dn_line: u64,
}

impl RecordBuilder {
    #[inline]
    fn count(&mut self, p: &Parser<'_>, l: &LLine<'_>) -> PResult<()> {
        self.count_at(p, l.line, l.offset)
    }

    #[inline(always)]
    fn count_at(&mut self, p: &Parser<'_>, line: u64, offset: usize) -> PResult<()> {
        self.values += 1;
        if self.values > p.limits.max_values || offset - self.start > p.limits.max_record {
            return Err(self.over_limit(p, line, offset));
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn over_limit(&self, p: &Parser<'_>, line: u64, offset: usize) -> Box<ParseError> {
        if self.values > p.limits.max_values {
            let detail = format!(
                "expected at most {} values in one record (--max-values)",
                p.limits.max_values
            );
            return p.err(ErrorKind::Limit { detail }, line, offset, self.dn_line);
        }
        // The record grew past the limit on the line before this one.
        let detail = record_limit(p.limits.max_record);
        let before = line.saturating_sub(1).max(self.dn_line);
        p.err(ErrorKind::Limit { detail }, before, offset, self.dn_line)
    }
}

/// What `--max-record-bytes` expects, for its error (checked mid-record and at a record's
/// end).
fn record_limit(max: usize) -> String {
    format!("expected a record of at most {max} bytes (--max-record-bytes)")
}

// ---- one logical line -------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Plain,
    Base64,
    Url,
}

/// A logical line split into attribute description and value-spec.
struct LineSpec<'t> {
    /// The attribute description (printable ASCII, checked by `attr_desc`).
    name: &'t [u8],
    kind: ValueKind,
    /// Byte range of the value text (after the separator and FILL) within the line.
    vstart: usize,
}

fn is_dash(text: &[u8]) -> bool {
    !text.is_empty() && text[0] == b'-' && text[1..].iter().all(|&c| c == b' ' || c == b'\t')
}

fn trim_spaces(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
    let e = b.iter().rposition(|&c| c != b' ').map_or(s, |e| e + 1);
    &b[s..e.max(s)]
}

const fn class_table(opt: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0usize;
    while c < 256 {
        let b = c as u8;
        t[c] = if opt {
            b > b' ' && b < 0x7f && b != b';' && b != b':'
        } else {
            b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'
        };
        c += 1;
    }
    t
}

/// A byte of the standard base64 alphabet (no padding). Compares rather than a table
/// look-up, so a loop over many bytes runs on vector instructions (`c | 0x20` maps only
/// upper- and lower-case letters into `a..=z`).
#[inline]
fn is_b64_char(c: u8) -> bool {
    ((c | 0x20).wrapping_sub(b'a') < 26) | (c.wrapping_sub(b'0') < 10) | (c == b'+') | (c == b'/')
}

/// Whether [`B64`] surely accepts `raw` (non-empty, trailing spaces removed), checked
/// without decoding: alphabet characters only, then either no padding and a length that
/// is not 1 modulo 4, or the canonical one or two `=` that complete a group of four.
/// `false` means "not this shape", not "invalid": the decoder decides those.
fn base64_surely_valid(raw: &[u8]) -> bool {
    let pad = raw.iter().rev().take(3).take_while(|&&c| c == b'=').count();
    let body = &raw[..raw.len() - pad];
    // Without an early exit: values are nearly always valid, and the whole-slice form
    // is vectorised.
    if !body.iter().fold(true, |ok, &c| ok & is_b64_char(c)) {
        return false;
    }
    match pad {
        0 => body.len() % 4 != 1,
        1 => body.len() % 4 == 3,
        2 => body.len() % 4 == 2,
        _ => false,
    }
}

/// Characters of an AttributeType: letters, digits, '-', '_' (tolerated) and '.' (OIDs).
static TYPE_CHARS: [bool; 256] = class_table(false);
/// Characters of an option: any printable ASCII except ';' and ':' (AD's `range=0-1499`).
static OPT_CHARS: [bool; 256] = class_table(true);

/// nom: `AttributeType *(";" option)`, where the type is an OID or a name (letters,
/// digits, '-', and '_' in tolerant reading) and options are any printable chars except
/// `;` and `:` (AD's `member;range=0-1499`).
fn attr_desc(i: &[u8]) -> IResult<&[u8], &[u8]> {
    let start = i;
    let (mut rest, _) = take_while1(|c| TYPE_CHARS[c as usize])(i)?;
    while let Some((&b';', tail)) = rest.split_first() {
        let (r, _) = take_while1(|c| OPT_CHARS[c as usize])(tail)?;
        rest = r;
    }
    Ok((rest, &start[..start.len() - rest.len()]))
}

/// A description `attr_desc` accepted is valid when its type starts with a letter, or is a
/// numeric OID (digits separated by single dots).
fn desc_ok(d: &[u8]) -> bool {
    match d.first() {
        Some(c) if c.is_ascii_alphabetic() => true,
        Some(c) if c.is_ascii_digit() => {
            let ty = d.split(|&c| c == b';').next().unwrap_or(d);
            ty.split(|&c| c == b'.')
                .all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
        }
        _ => false,
    }
}

fn valid_attr_desc(b: &[u8]) -> bool {
    matches!(attr_desc(b), Ok((rest, d)) if rest.is_empty() && desc_ok(d))
}

/// nom: the value-spec separator: `:` FILL, `::` FILL, or `:<` FILL.
fn value_sep(i: &[u8]) -> IResult<&[u8], ValueKind> {
    let (i, _) = nom::bytes::complete::tag(&b":"[..])(i)?;
    let (i, kind) = match i.first() {
        Some(b':') => (&i[1..], ValueKind::Base64),
        Some(b'<') => (&i[1..], ValueKind::Url),
        _ => (i, ValueKind::Plain),
    };
    // FILL is spaces; after `::` and `:<`, where a TAB cannot be part of the value,
    // OpenLDAP skips it too (formats.md §1.4 row 7), and so does this reader.
    let (i, _) = if kind == ValueKind::Plain {
        take_while(|c| c == b' ')(i)?
    } else {
        take_while(|c| c == b' ' || c == b'\t')(i)?
    };
    Ok((i, kind))
}

fn split_line<'t>(l: &'t LLine<'_>, record_line: u64) -> PResult<LineSpec<'t>> {
    let text: &'t [u8] = &l.text;
    let fail = |kind| {
        Box::new(ParseError {
            kind,
            line: l.line,
            record_line: Some(record_line),
            offset: l.offset,
        })
    };
    let (rest, desc) = match attr_desc(text) {
        Ok(x) => x,
        Err(_) => {
            let name_end = memchr(b':', text).unwrap_or(text.len());
            return Err(if name_end == text.len() {
                fail(ErrorKind::MissingColon {
                    name: snippet(text),
                })
            } else {
                fail(ErrorKind::BadAttributeName {
                    name: snippet(&text[..name_end]),
                })
            });
        }
    };
    // Tolerate spaces between the description and the colon ("changeType : add").
    let rest2 = trim_leading_spaces(rest);
    let (after, kind) = match value_sep(rest2) {
        Ok(x) => x,
        Err(_) => {
            return Err(if memchr(b':', rest).is_none() {
                fail(ErrorKind::MissingColon {
                    name: snippet(desc),
                })
            } else {
                let name_end = memchr(b':', text).unwrap_or(text.len());
                fail(ErrorKind::BadAttributeName {
                    name: snippet(&text[..name_end]),
                })
            });
        }
    };
    if !desc_ok(desc) {
        return Err(fail(ErrorKind::BadAttributeName {
            name: snippet(desc),
        }));
    }
    Ok(LineSpec {
        name: desc,
        kind,
        vstart: text.len() - after.len(),
    })
}

fn trim_leading_spaces(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
    &b[s..]
}

/// Take `range` of the line's text, borrowing when the line is borrowed.
fn sub<'a>(l: &LLine<'a>, start: usize) -> Cow<'a, [u8]> {
    match &l.text {
        Cow::Borrowed(b) => Cow::Borrowed(&b[start..]),
        Cow::Owned(o) => Cow::Owned(o[start..].to_vec()),
    }
}

impl LineSpec<'_> {
    fn name_cow<'a>(&self, l: &LLine<'a>) -> Cow<'a, str> {
        match &l.text {
            Cow::Borrowed(b) => {
                let n = &b[..self.name.len()];
                Cow::Borrowed(std::str::from_utf8(n).unwrap_or_default())
            }
            Cow::Owned(_) => Cow::Owned(self.name_str().to_owned()),
        }
    }

    /// The description as text (it is ASCII by construction).
    fn name_str(&self) -> &str {
        std::str::from_utf8(self.name).unwrap_or_default()
    }

    fn is(&self, keyword: &str) -> bool {
        self.name.eq_ignore_ascii_case(keyword.as_bytes())
    }

    fn plain_value<'a>(&self, l: &LLine<'a>) -> Cow<'a, [u8]> {
        sub(l, self.vstart)
    }

    fn base64_value<'a>(
        &self,
        l: &LLine<'a>,
        warnings: &mut Vec<Warning>,
        record_line: u64,
    ) -> PResult<Cow<'a, [u8]>> {
        let raw = &l.text[self.vstart..];
        // Trailing spaces after base64 are tolerated; anything else must be BASE64-CHAR.
        let raw = &raw[..raw.iter().rposition(|&c| c != b' ').map_or(0, |e| e + 1)];
        if raw.is_empty() {
            warnings.push(Warning {
                line: l.line,
                message: format!(
                    "empty base64 value for \"{}::\" read as an empty value",
                    self.name_str()
                ),
            });
            return Ok(Cow::Borrowed(&[]));
        }
        let bad = |e: base64::DecodeError| {
            // Where in the (unfolded) line the decoder stopped: the parser turns it into
            // the physical line ([`Parser::locate_in_fold`]).
            let (at, found) = match e {
                base64::DecodeError::InvalidByte(i, b)
                | base64::DecodeError::InvalidLastSymbol(i, b) => (self.vstart + i, Some(b)),
                _ => (self.vstart + raw.len().saturating_sub(1), None),
            };
            Box::new(ParseError {
                kind: ErrorKind::BadBase64 {
                    attr: self.name_str().to_owned(),
                    at,
                    found,
                },
                line: l.line,
                record_line: Some(record_line),
                offset: l.offset,
            })
        };
        // The decoder rejects every byte outside the base64 alphabet (RFC 2849 note 10:
        // no extraneous characters), so no separate validation pass is needed.
        B64.decode(raw).map(Cow::Owned).map_err(bad)
    }

    fn dn_value<'a>(
        &self,
        l: &LLine<'a>,
        warnings: &mut Vec<Warning>,
        record_line: u64,
    ) -> PResult<Cow<'a, [u8]>> {
        match self.kind {
            ValueKind::Plain => Ok(self.plain_value(l)),
            ValueKind::Base64 => self.base64_value(l, warnings, record_line),
            ValueKind::Url => Err(Box::new(ParseError {
                kind: ErrorKind::Expected {
                    expected: format!("'{0}:' or '{0}::' (not a URL)", self.name_str()),
                    found: snippet(&l.text),
                },
                line: l.line,
                record_line: Some(record_line),
                offset: l.offset,
            })),
        }
    }

    fn value<'a>(
        &self,
        l: &LLine<'a>,
        warnings: &mut Vec<Warning>,
        record_line: u64,
    ) -> PResult<Value<'a>> {
        Ok(match self.kind {
            ValueKind::Plain => Value::Bytes(self.plain_value(l)),
            ValueKind::Base64 => Value::Bytes(self.base64_value(l, warnings, record_line)?),
            ValueKind::Url => {
                let v = self.plain_value(l);
                let end = v.iter().rposition(|&c| c != b' ').map_or(0, |e| e + 1);
                // A URL (RFC 1738) is printable ASCII without spaces.
                let bad = v[..end].iter().position(|&c| !(0x21..=0x7e).contains(&c));
                if end == 0 || bad.is_some() {
                    return Err(Box::new(ParseError {
                        kind: ErrorKind::Expected {
                            expected: format!(
                                "a URL of printable ASCII characters after \"{}:<\"",
                                self.name_str()
                            ),
                            found: snippet(&v[bad.map_or(0, |b| b.saturating_sub(20))..end]),
                        },
                        line: l.line_at(self.vstart + bad.unwrap_or(0)),
                        record_line: Some(record_line),
                        offset: l.offset,
                    }));
                }
                Value::Url(match v {
                    Cow::Borrowed(b) => Cow::Borrowed(&b[..end]),
                    Cow::Owned(mut o) => {
                        o.truncate(end);
                        Cow::Owned(o)
                    }
                })
            }
        })
    }
}

fn parse_control<'a>(
    l: &LLine<'a>,
    s: &LineSpec<'_>,
    record_line: u64,
    warnings: &mut Vec<Warning>,
) -> PResult<Control<'a>> {
    let bad = |detail: &str, at: usize| {
        Box::new(ParseError {
            kind: ErrorKind::BadControl {
                detail: detail.to_owned(),
            },
            line: l.line_at(at),
            record_line: Some(record_line),
            offset: l.offset,
        })
    };
    if s.kind != ValueKind::Plain {
        return Err(bad("expected 'control: <oid> [true|false][: value]'", 0));
    }
    let text: &[u8] = &l.text;
    let rest = &text[s.vstart..];
    let oid_len = rest
        .iter()
        .position(|&c| !(c.is_ascii_digit() || c == b'.'))
        .unwrap_or(rest.len());
    let oid = &rest[..oid_len];
    if oid.is_empty()
        || !oid
            .split(|&c| c == b'.')
            .all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
    {
        // Named where the OID stops being one (digits separated by single dots).
        let at = oid
            .windows(2)
            .position(|w| w == b"..")
            .map_or(s.vstart + oid_len, |k| s.vstart + k + 1);
        let at = if oid.first() == Some(&b'.') {
            s.vstart
        } else {
            at
        };
        return Err(bad("expected a numeric OID after 'control:'", at));
    }
    let oid_s = String::from_utf8_lossy(oid).into_owned();
    let mut i = s.vstart + oid_len;
    let mut critical = false;
    let after_spaces = |i: usize| {
        let mut j = i;
        while j < text.len() && text[j] == b' ' {
            j += 1;
        }
        j
    };
    let j = after_spaces(i);
    // Keywords in any case (`TRUE`, `False`), as the other LDIF keywords.
    let word = |w: &[u8]| {
        text.get(j..j + w.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(w))
    };
    if word(b"true") {
        critical = true;
        i = j + 4;
    } else if word(b"false") {
        i = j + 5;
    } else {
        i = j;
    }
    // Trailing spaces end the line as well as its end does.
    if after_spaces(i) >= text.len() {
        i = text.len();
    }
    let value = if i >= text.len() {
        None
    } else {
        if text[i] != b':' {
            return Err(bad(
                "expected 'true', 'false' or ':' after the control's OID",
                i,
            ));
        }
        let fake = LineSpec {
            name: b"control",
            kind: match text.get(i + 1) {
                Some(b':') => ValueKind::Base64,
                Some(b'<') => ValueKind::Url,
                _ => ValueKind::Plain,
            },
            vstart: 0,
        };
        let skip = if fake.kind == ValueKind::Plain { 1 } else { 2 };
        let vstart = after_spaces(i + skip);
        let spec = LineSpec { vstart, ..fake };
        Some(spec.value(l, warnings, record_line)?)
    };
    Ok(Control {
        oid: Cow::Owned(oid_s),
        critical,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_finder_agrees_with_memchr_at_every_length_and_position() {
        for needle in [b'\n', b':'] {
            let finder = ByteFinder::new(needle);
            for len in 0..100 {
                let mut hay = vec![b'a'; len];
                assert_eq!(finder.find(&hay), None, "len {len}");
                for at in 0..len {
                    hay[at] = needle;
                    assert_eq!(finder.find(&hay), memchr(needle, &hay), "len {len} at {at}");
                    assert_eq!(finder.find(&hay[at..]), Some(0));
                    hay[at] = b'a';
                }
            }
        }
    }

    #[test]
    fn base64_alphabet_test_is_exact() {
        for c in 0..=255u8 {
            let want = c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
            assert_eq!(is_b64_char(c), want, "byte {c:#04x}");
        }
    }

    fn parse_all(s: &str) -> Vec<Record<'_>> {
        Parser::new(s.as_bytes())
            .filter_map(|r| match r.unwrap() {
                Item::Record(r) => Some(r),
                Item::Skipped { .. } => None,
            })
            .collect()
    }

    fn err_of(s: &str) -> ParseError {
        Parser::new(s.as_bytes())
            .find_map(|r| r.err())
            .expect("an error")
    }

    fn val<'a>(r: &'a Record<'_>, i: usize) -> &'a [u8] {
        r.attrs()[i].value.as_bytes()
    }

    /// Every string of up to 8 characters over a small alphabet (two symbols differing
    /// only in low bits, '+', '/', '=', a non-alphabet byte): whatever the shortcut
    /// accepts, the decoder accepts too, and the shortcut does accept the usual shapes.
    #[test]
    fn base64_shortcut_never_accepts_what_the_decoder_refuses() {
        const SYMBOLS: [u8; 6] = [b'A', b'B', b'+', b'/', b'=', b'!'];
        let mut accepted = 0usize;
        for len in 1..=8u32 {
            for mut n in 0..SYMBOLS.len().pow(len) {
                let mut s = Vec::with_capacity(len as usize);
                for _ in 0..len {
                    s.push(SYMBOLS[n % SYMBOLS.len()]);
                    n /= SYMBOLS.len();
                }
                if base64_surely_valid(&s) {
                    accepted += 1;
                    assert!(B64.decode(&s).is_ok(), "{}", String::from_utf8_lossy(&s));
                }
            }
        }
        assert!(accepted > 10_000);
        for ok in [
            &b"zR8wEzOPOkunbb+2iLjXDg=="[..],
            b"AQQAAAAAAAUVAAAAAVKAHnmc7LeBZBfR",
            b"AQUAAAAAAAUVAAAAAVKAHnmc7LeBZBfRLysAAA==",
            b"YWI",
            b"YWJj",
            b"YQ=",
        ] {
            assert_eq!(base64_surely_valid(ok), ok != b"YQ=");
        }
    }

    /// `Keep::Presence` attributes stay in the record, once per line, with empty values;
    /// dropped ones disappear; both are still checked (bad base64 is an error at its line).
    /// The name prediction never takes a line for the predicted name unless the line
    /// spells exactly that name: names that are prefixes of each other, options, case and
    /// changing orders between records all come out as written.
    #[test]
    fn predicted_names_are_only_taken_when_the_line_spells_them() {
        let text = "dn: cn=a\nmail: a@x\nmailNickname: a\ncn: a\n\n\
                    dn: cn=b\nmailNickname: b\nmail: b@x\ncn: b\n\n\
                    dn: cn=c\nmail;lang-de: c@x\nMAIL: C@x\nmailNickname:: Yw==\ncnx: c\n\n\
                    dn: cn=d\nmail: d@x\nmailNickname: d\ncn: d\n";
        let recs = parse_all(text);
        let names = |r: &Record<'_>| -> Vec<String> {
            r.attrs().iter().map(|a| a.name.to_string()).collect()
        };
        assert_eq!(names(&recs[0]), ["mail", "mailNickname", "cn"]);
        assert_eq!(names(&recs[1]), ["mailNickname", "mail", "cn"]);
        assert_eq!(
            names(&recs[2]),
            ["mail;lang-de", "MAIL", "mailNickname", "cnx"]
        );
        assert_eq!(names(&recs[3]), ["mail", "mailNickname", "cn"]);
        assert_eq!(val(&recs[2], 2), b"c");
        assert_eq!(val(&recs[1], 1), b"b@x");
        // A line that starts like the predicted name but has no colon after it is an
        // error, as it would be without a prediction.
        let bad = "dn: cn=a\nmail: a@x\n\ndn: cn=b\nmail a@x\n";
        let items: Vec<_> = Parser::new(bad.as_bytes()).collect();
        assert!(items[0].is_ok());
        assert_eq!(items[1].as_ref().unwrap_err().line, 5);
    }

    #[test]
    fn presence_only_attributes_are_counted_and_checked() {
        fn classes(desc: &str) -> Keep {
            match desc {
                "member" => Keep::Presence,
                "cn" => Keep::Value,
                _ => Keep::Drop,
            }
        }
        let text =
            "dn: cn=g\ncn: g\nmember: cn=a\nmember:: Y249YsOk\nmember: cn=very long\n  value\n\
                    other:: AQID\nmember:: !!\n";
        let items: Vec<_> = Parser::new(text.as_bytes())
            .with_attr_classes(classes)
            .collect();
        // The bad base64 of the last member line fails the record, at its line.
        let e = items[0].as_ref().unwrap_err();
        assert_eq!(e.line, 8);
        assert!(matches!(e.kind, ErrorKind::BadBase64 { .. }));

        let good = &text[..text.find("member:: !!").unwrap()];
        let rec = match Parser::new(good.as_bytes())
            .with_attr_classes(classes)
            .next()
            .unwrap()
            .unwrap()
        {
            Item::Record(r) => r,
            _ => panic!(),
        };
        let names: Vec<&str> = rec.attrs().iter().map(|a| a.name.as_ref()).collect();
        assert_eq!(names, ["cn", "member", "member", "member"]);
        assert_eq!(val(&rec, 0), b"g");
        assert!(rec.attrs()[1..]
            .iter()
            .all(|a| a.value.as_bytes().is_empty()));
    }

    #[test]
    fn version_spec_is_optional_and_first() {
        let r = parse_all("version: 1\ndn: cn=a\ncn: a\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].line, 2);
        let r = parse_all("version: 1\n\n\ndn: cn=a\ncn: a\n");
        assert_eq!(r[0].line, 4);
        // Later, only a block of `version: 1` alone (a page of `ldapsearch -L`, a join).
        let r = parse_all("dn: cn=a\ncn: a\n\n# p\nversion: 1\n\ndn: cn=b\ncn: b\n");
        assert_eq!((r.len(), r[1].line), (2, 7));
        for (text, line) in [
            ("dn: cn=a\ncn: a\n\nversion: 1\ndn: cn=b\ncn: b\n", 4),
            ("dn: cn=a\ncn: a\n\nversion: 2\n\ndn: cn=b\ncn: b\n", 4),
            ("version: 2\ndn: cn=a\ncn: a\n", 1),
        ] {
            let e = err_of(text);
            assert_eq!(e.line, line, "{text}");
            assert!(matches!(e.kind, ErrorKind::BadVersion { .. }), "{text}");
        }
    }

    #[test]
    fn dn_spec_plain_base64_and_empty() {
        let r =
            parse_all("dn: cn=a,dc=x\ncn: a\n\ndn:: Y249w6Q=\ncn: b\n\ndn:\nobjectClass: top\n");
        assert_eq!(&*r[0].dn, b"cn=a,dc=x");
        assert_eq!(&*r[1].dn, "cn=ä".as_bytes());
        assert_eq!(&*r[2].dn, b"");
        assert!(matches!(r[0].dn, Cow::Borrowed(_)));
    }

    #[test]
    fn value_spec_kinds() {
        let r = parse_all(
            "dn: cn=a\nx:plain\ny:   spaced  \nz:: AAEC\nu:< file:///etc/passwd\ne:\nb::\n",
        );
        assert_eq!(val(&r[0], 0), b"plain");
        assert_eq!(val(&r[0], 1), b"spaced  ");
        assert_eq!(val(&r[0], 2), &[0, 1, 2]);
        assert!(r[0].attrs()[3].value.is_url());
        assert_eq!(val(&r[0], 3), b"file:///etc/passwd");
        assert_eq!(val(&r[0], 4), b"");
        assert_eq!(val(&r[0], 5), b"");
    }

    #[test]
    fn a_tab_after_a_base64_or_url_separator_is_fill_but_a_plain_value_keeps_it() {
        let r = parse_all("dn::\tY249YQ==\nz::\t AAEC\nu:<\tfile:///x\nt:\tkept\n");
        assert_eq!(&*r[0].dn, b"cn=a");
        assert_eq!(val(&r[0], 0), &[0, 1, 2]);
        assert_eq!(val(&r[0], 1), b"file:///x");
        assert_eq!(val(&r[0], 2), b"\tkept");
        // Filtered (the fast path) and unfiltered readers agree.
        let text = b"dn: cn=a\nz::\tAAEC\n";
        let got: Vec<_> = Parser::new(text)
            .with_attr_filter(|_| true)
            .collect::<Result<_, _>>()
            .unwrap();
        match &got[0] {
            Item::Record(rec) => assert_eq!(val(rec, 0), &[0, 1, 2]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn folding_anywhere_including_base64_and_utf8() {
        let s = "dn: cn=a\ndescription: very\n  long\n  line\nd2:: w6\n Q=\n";
        let r = parse_all(s);
        assert_eq!(val(&r[0], 0), b"very long line");
        assert_eq!(val(&r[0], 1), "ä".as_bytes());
        // fold inside a multi-byte UTF-8 sequence
        let mut b = b"dn: cn=a\nsn: J\xc3".to_vec();
        b.extend_from_slice(b"\n \xbcrgen\n");
        let recs: Vec<_> = Parser::new(&b).map(|r| r.unwrap()).collect();
        match &recs[0] {
            Item::Record(r) => assert_eq!(r.attrs()[0].value.as_bytes(), "Jürgen".as_bytes()),
            _ => panic!(),
        }
    }

    #[test]
    fn comments_including_folded_ones() {
        let s = "# head\n#  folded\n  comment\ndn: cn=a\n# in record\n more comment\ncn: a\n";
        let r = parse_all(s);
        assert_eq!(r[0].line, 4);
        assert_eq!(r[0].attrs().len(), 1);
    }

    #[test]
    fn crlf_lf_mixed_and_blank_runs() {
        let s = "\r\n\r\ndn: cn=a\r\ncn: a\r\n\r\n\n\r\ndn: cn=b\ncn: b\r\n";
        let r = parse_all(s);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].line, 3);
        assert_eq!(r[1].line, 8);
        assert_eq!(val(&r[1], 0), b"b");
    }

    #[test]
    fn lone_cr_is_data() {
        let r = parse_all("dn: cn=a\ncn: a\rb\n");
        assert_eq!(val(&r[0], 0), b"a\rb");
    }

    #[test]
    fn whitespace_only_line_separates_records() {
        let r = parse_all("dn: cn=a\ncn: a\n \ndn: cn=b\ncn: b\n");
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn attribute_options() {
        let r = parse_all("dn: cn=a\nuserCertificate;binary:: AA==\nmember;range=0-1499: cn=x\nou;lang-ja;phonetic: y\n");
        let names: Vec<_> = r[0].attrs().iter().map(|a| a.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "userCertificate;binary",
                "member;range=0-1499",
                "ou;lang-ja;phonetic"
            ]
        );
    }

    #[test]
    fn keywords_in_any_case() {
        let r = parse_all("DN: cn=a\nChangeType: Modify\nREPLACE: mail\nmail: x\n-\n");
        assert_eq!(r[0].changetype.as_deref(), Some("modify"));
        match &r[0].body {
            Body::Modify(m) => {
                assert_eq!(m[0].op, ModOp::Replace);
                assert_eq!(m[0].values.len(), 1);
            }
            _ => panic!(),
        }
    }

    #[test]
    fn a_cut_modrdn_is_named_at_its_last_line() {
        // The record ends where 'deleteoldrdn:' was due: after line 3 (newrdn, folded over
        // lines 3-4 in the second case), not at the changetype line.
        let e = err_of("dn: cn=a\nchangetype: modrdn\nnewrdn: cn=b\n\ndn: cn=c\ncn: c\n");
        assert_eq!((e.line, e.record_line), (3, Some(1)), "{e}");
        assert!(e
            .to_string()
            .contains("expected 'deleteoldrdn:', found \"end of record\""));
        let e = err_of("dn: cn=a\nchangetype: modrdn\nnewrdn: cn=\n b\n");
        assert_eq!(e.line, 4, "{e}");
        let e = err_of("dn: cn=a\nchangetype: modrdn\n\n");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.to_string().contains("'newrdn:'"), "{e}");
    }

    #[test]
    fn change_records_all_kinds() {
        let s = "dn: cn=a\nchangetype: add\ncn: a\n\ndn: cn=b\nchangetype: delete\n\n\
dn: cn=c\nchangetype: modrdn\nnewrdn: cn=d\ndeleteoldrdn: 1\n\n\
dn: cn=e\nchangetype: moddn\nnewrdn:: Y249w6Q=\ndeleteoldrdn: 0\nnewsuperior: ou=x\n\n\
dn: cn=f\nchangetype: modify\nadd: a\na: 1\n-\ndelete: b\n-\nreplace: c\nc: 1\nc: 2\n-\nincrement: n\nn: 5\n-\n";
        let r = parse_all(s);
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].change, Some(ChangeKind::Add));
        assert_eq!(r[1].body, Body::Delete);
        match &r[3].body {
            Body::ModDn {
                newrdn,
                deleteoldrdn,
                newsuperior,
            } => {
                assert_eq!(&**newrdn, "cn=ä".as_bytes());
                assert!(!deleteoldrdn);
                assert_eq!(newsuperior.as_deref(), Some(&b"ou=x"[..]));
            }
            _ => panic!(),
        }
        match &r[4].body {
            Body::Modify(m) => {
                assert_eq!(m.len(), 4);
                assert_eq!(m[1].values.len(), 0);
                assert_eq!(m[2].values.len(), 2);
                assert_eq!(m[3].op, ModOp::Increment);
            }
            _ => panic!(),
        }
    }

    #[test]
    fn controls() {
        let s = "dn: cn=a\ncontrol: 1.2.840.113556.1.4.805 true\ncontrol: 1.2.3 false: v\ncontrol: 1.2.4:: AAE=\nchangetype: delete\n";
        let r = parse_all(s);
        assert_eq!(r[0].controls.len(), 3);
        assert!(r[0].controls[0].critical);
        assert_eq!(r[0].controls[0].value, None);
        assert_eq!(r[0].controls[1].value.as_ref().unwrap().as_bytes(), b"v");
        assert_eq!(r[0].controls[2].value.as_ref().unwrap().as_bytes(), &[0, 1]);
        let e = err_of("dn: cn=a\ncontrol: 1.2.3\ncn: a\n");
        assert!(matches!(e.kind, ErrorKind::BadControl { .. }));
    }

    #[test]
    fn dnless_blocks() {
        let s = "dn: cn=a\ncn: a\n\n# search reference\nref: ldap://x/y\n\nsearch: 2\nresult: 0 Success\n";
        let items: Vec<_> = Parser::new(s.as_bytes()).map(|r| r.unwrap()).collect();
        assert_eq!(items.len(), 3);
        assert!(
            matches!(&items[1], Item::Skipped { line: 5, keyword, result: None } if keyword == "ref")
        );
        // ldapsearch's trailer: the block's `result:` line is noted; success is no error.
        match &items[2] {
            Item::Skipped {
                line: 7,
                keyword,
                result: Some(r),
            } => {
                assert_eq!((keyword.as_str(), r.line, r.code), ("search", 8, Some(0)));
                assert!(r.is_success());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(items[2].failed_search(), None);
        // A search cut short by a size limit: the error names its `result:` line.
        let cut = "dn: cn=a\ncn: a\n\n# search result\nsearch: 2\nRESULT:  4 Size limit exceeded\n";
        let items: Vec<_> = Parser::new(cut.as_bytes()).map(|r| r.unwrap()).collect();
        let e = items[1].failed_search().expect("an error");
        assert_eq!((e.line, e.record_line), (6, Some(5)));
        assert!(e
            .to_string()
            .contains("ended with 'result: 4 Size limit exceeded' (expected 'result: 0 Success')"));
        assert!(e.hint().unwrap().contains("-E pr=1000/noprompt"));
        let e = err_of("dn: cn=a\ncn: a\n\ncn: b\nsn: c\n");
        assert_eq!(e.line, 4);
        assert!(matches!(e.kind, ErrorKind::ExpectedDn { .. }));
    }

    #[test]
    fn missing_colon_names_line_and_attribute() {
        let e = err_of("dn: cn=a\ncn: a\nmail foo\n");
        assert_eq!(e.line, 3);
        assert_eq!(e.record_line, Some(1));
        assert_eq!(
            e.to_string(),
            "3: expected ':' after attribute name \"mail\" (record starting at line 1)"
        );
    }

    #[test]
    fn bad_base64_and_continuation() {
        let e = err_of("dn: cn=a\nx:: ab$d\n");
        assert!(matches!(e.kind, ErrorKind::BadBase64 { .. }));
        assert_eq!(e.line, 2);
        let e = err_of("\n continued\ndn: cn=a\ncn: a\n");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn modify_structure_errors() {
        let e = err_of("dn: cn=a\nchangetype: modify\nreplace: mail\nsn: x\n-\n");
        assert_eq!(e.line, 4);
        let e = err_of("dn: cn=a\nchangetype: frobnicate\n");
        assert!(matches!(e.kind, ErrorKind::BadChangeType { .. }));
        let mut p = Parser::new(b"dn: cn=a\nchangetype: modify\nreplace: mail\nmail: x\n");
        assert!(p.next().unwrap().is_ok());
        assert_eq!(p.take_warnings().len(), 1);
    }

    #[test]
    fn keep_going_resyncs_at_next_record() {
        let s = "dn: cn=a\nbad line\ncn: x\n\ndn: cn=b\ncn: b\n";
        let res: Vec<_> = Parser::new(s.as_bytes()).collect();
        assert_eq!(res.len(), 2);
        assert!(res[0].is_err());
        assert!(matches!(&res[1], Ok(Item::Record(r)) if r.line == 5));
    }

    #[test]
    fn limits() {
        let lim = Limits {
            max_line: 10,
            max_record: 1 << 20,
            max_values: 2,
        };
        let e = Parser::with_limits(b"dn: cn=a\ncn: aaaaaaaaaaaaaa\n", lim)
            .find_map(|r| r.err())
            .unwrap();
        assert!(matches!(e.kind, ErrorKind::Limit { .. }));
        let e = Parser::with_limits(b"dn: cn=a\ncn: a\ncn: b\ncn: c\n", lim)
            .find_map(|r| r.err())
            .unwrap();
        assert_eq!(e.line, 4);
    }

    #[test]
    fn no_final_newline_and_empty_input() {
        assert_eq!(parse_all("dn: cn=a\ncn: a").len(), 1);
        assert_eq!(parse_all("").len(), 0);
        assert_eq!(parse_all("# only\n# comments\n").len(), 0);
    }

    #[test]
    fn dn_only_record_is_an_error() {
        let e = err_of("dn: cn=a\n\ndn: cn=b\ncn: b\n");
        assert_eq!(e.kind, ErrorKind::EmptyRecord);
        assert_eq!(e.line, 1);
    }
}
