//! The CSV reader shared by both dialects: decoding, header → column plan, rows →
//! [`Record`]s. One [`csv::ByteRecord`] is reused for every row.

use std::borrow::Cow;
use std::io::Cursor;

use crate::ldif::{Attr, Body, ErrorKind, Item, Limits, ParseError, Record, Value, Warning};
use crate::model;

use super::csvde::{self, Piece};
use super::pwsh::{self, Mapped};
use super::{decode_csv_text, detect_delimiter, InputFormat};

/// Which CSV producer wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `csvde`.
    Csvde,
    /// PowerShell `Export-Csv`.
    Pwsh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The object's DN.
    Dn,
    /// Ignored (empty header name).
    Skip,
    /// One value per field.
    Single,
    /// Values joined with `;`.
    Multi(Piece),
}

#[derive(Debug, Clone)]
struct Column {
    /// The header name as written, control characters escaped (for messages).
    header: String,
    /// The attribute name records carry.
    name: Cow<'static, str>,
    kind: Kind,
    /// ldifix checks this attribute (it is one of [`model::Attr`]).
    checked: bool,
}

/// Individual warnings for doubtful `;` splits per column; later ones are summed up.
const GUESS_WARNINGS_PER_COLUMN: u64 = 10;

/// Reads a csvde or PowerShell CSV file as records. See the module contract.
pub struct CsvReader<'a> {
    dialect: Dialect,
    rdr: Option<csv::Reader<Cursor<Cow<'a, [u8]>>>>,
    /// Byte offset and physical line of the header line.
    base_offset: usize,
    base_line: u64,
    columns: Vec<Column>,
    dn_col: usize,
    /// `GroupCategory` and `GroupScope` columns when `groupType` must be derived.
    group_cols: Option<(usize, usize)>,
    rec: csv::ByteRecord,
    warnings: Vec<Warning>,
    /// An error found in the header, reported by the first `next`.
    pending: Option<ParseError>,
    limits: Limits,
    done: bool,
    /// Doubtful splits per column.
    guesses: Vec<u64>,
    /// A collection literal in an unchecked column was already reported.
    literal_warned: Vec<bool>,
    /// A row of only empty fields was met (and named in a warning).
    blank_rows_warned: bool,
    /// PowerShell 5.1 file (has `#TYPE`) whose text is pure ASCII.
    ascii_51: bool,
    question_warned: bool,
    /// A malformed csvde `X'…'` binary value was warned about (once per file).
    hex_warned: bool,
    /// Checked attributes an Export-Csv header has no column for (bit `1 << attr`).
    unexported: u32,
    /// The byte multi-valued PowerShell columns were joined with (csvde: always `;`).
    join: u8,
    /// Given to every row: the class the `#TYPE` line names (`…ADUser` → `user`), kept
    /// only when the header has no objectClass column.
    implied_class: Option<&'static str>,
    /// The field delimiter (`,`, `;` or TAB).
    delimiter: u8,
}

fn perr(kind: ErrorKind, line: u64, offset: usize) -> ParseError {
    ParseError {
        kind,
        line,
        record_line: Some(line),
        offset,
    }
}

/// `s` with its C0 control characters and DEL escaped (`\t`, `\u{1b}`, …), so that text
/// from the input quoted in a message never reaches the terminal as a control.
fn escape_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A field or line of the input for a message: shortened, control characters escaped.
fn lossy(b: &[u8]) -> String {
    const MAX: usize = 60;
    let s = escape_controls(&String::from_utf8_lossy(&b[..b.len().min(MAX)]));
    if b.len() > MAX {
        format!("{s}…")
    } else {
        s
    }
}

/// The offset and line of the first byte at or after `offset` that is not a CR or LF:
/// where the csv reader's reported position (a line end before a row, skipped empty
/// lines) really starts a row.
fn past_line_ends(text: &[u8], mut offset: usize, mut line: u64) -> (usize, u64) {
    while let Some(&c) = text.get(offset) {
        match c {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
        offset += 1;
    }
    (offset, line)
}

/// Skip blank lines and lines starting with `#` (the `#TYPE` line) at the start of the
/// text: (offset of the header line, its 1-based line number, the type name of a `#TYPE`
/// line if one was seen).
pub(crate) fn header_start(text: &[u8]) -> (usize, u64, Option<String>) {
    let mut pos = 0usize;
    let mut line = 1u64;
    let mut saw_type = None;
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
        let l = &text[pos..end];
        let blank = l.iter().all(|c| c.is_ascii_whitespace());
        if let Some(t) = l.strip_prefix(b"#TYPE ") {
            saw_type = Some(String::from_utf8_lossy(t).trim().to_string());
        } else if !blank && !l.starts_with(b"#") {
            break;
        }
        pos = (end + 1).min(text.len());
        line += 1;
    }
    (pos, line, saw_type)
}

/// A quoted field the csv reader ended without its closing quote: it takes the end of
/// the input inside quotes as the end of the field, and a `"` followed by text as the end
/// of the quotes, so a missing closing quote would silently swallow the rest of the file or
/// the next line(s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteFault {
    /// The input ends inside the field whose opening quote is at `opened`.
    Open {
        /// Offset of the opening quote in the row.
        opened: usize,
    },
    /// The field opened at `opened` ran past the end of its line and was ended by the
    /// quote at `at`, which is followed by neither the delimiter nor a line end: csvde and
    /// Export-Csv never write that, so the field's own closing quote is missing.
    Stray {
        /// Offset of the opening quote in the row.
        opened: usize,
        /// Offset of the quote taken as its end.
        at: usize,
    },
}

/// Read `row` (the text of one CSV row from its first byte) as the csv reader does (a
/// `"` opens a quoted field only at the start of a field; `""` inside is a quote; CR and
/// LF end the row outside quotes) and report its first [`QuoteFault`], with the 0-based
/// field it is in.
fn quote_fault(row: &[u8], delimiter: u8) -> Option<(QuoteFault, usize)> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        Start,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let is_end = |c: u8| c == b'\r' || c == b'\n';
    let mut state = State::Start;
    let mut field = 0usize;
    let mut opened = 0usize;
    for (i, &c) in row.iter().enumerate() {
        state = match state {
            State::Start if c == b'"' => {
                opened = i;
                State::Quoted
            }
            State::Quoted if c == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if c == b'"' => State::Quoted,
            _ if c == delimiter => {
                field += 1;
                State::Start
            }
            _ if is_end(c) => return None,
            State::Start | State::Unquoted => State::Unquoted,
            State::QuoteInQuoted => {
                if memchr::memchr2(b'\r', b'\n', &row[opened..i]).is_some() {
                    return Some((QuoteFault::Stray { opened, at: i - 1 }, field));
                }
                State::Unquoted
            }
        };
    }
    (state == State::Quoted).then_some((QuoteFault::Open { opened }, field))
}

/// The text of the line of `text` that starts at `from`, for a message.
fn line_snippet(text: &[u8], from: usize) -> String {
    let rest = text.get(from..).unwrap_or_default();
    let end = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
    lossy(&rest[..end])
}

fn attr_name(name: &str) -> Cow<'static, str> {
    match model::Attr::from_desc(name) {
        Some(a) if a.ldap_name() == name => Cow::Borrowed(a.ldap_name()),
        _ => Cow::Owned(name.to_string()),
    }
}

impl<'a> CsvReader<'a> {
    /// A reader of `bytes` (BOM removed / UTF-16 transcoded) in `dialect`.
    pub(crate) fn new(bytes: &'a [u8], dialect: Dialect, limits: Limits) -> CsvReader<'a> {
        let (text, enc_warning) = decode_csv_text(bytes);
        let (base_offset, base_line, saw_type) = header_start(&text);
        let delimiter = detect_delimiter(&text[base_offset..]);
        let ascii_51 = saw_type.is_some() && text.is_ascii();
        let mut cursor = Cursor::new(text);
        cursor.set_position(base_offset as u64);
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(cursor);
        let mut me = CsvReader {
            dialect,
            rdr: Some(rdr),
            base_offset,
            base_line,
            columns: Vec::new(),
            dn_col: 0,
            group_cols: None,
            rec: csv::ByteRecord::new(),
            warnings: enc_warning.into_iter().collect(),
            pending: None,
            limits,
            done: false,
            guesses: Vec::new(),
            literal_warned: Vec::new(),
            blank_rows_warned: false,
            ascii_51,
            question_warned: false,
            hex_warned: false,
            unexported: 0,
            join: b';',
            implied_class: saw_type
                .as_deref()
                .filter(|_| dialect == Dialect::Pwsh)
                .and_then(pwsh::class_of_type),
            delimiter,
        };
        me.read_header();
        me
    }

    /// PowerShell CSV: split multi-valued columns on `join` instead of `;` (the character
    /// the export command's `-join` used). csvde always joins with `;`: ignored there.
    pub(crate) fn with_join(mut self, join: u8) -> CsvReader<'a> {
        if self.dialect == Dialect::Pwsh {
            self.join = join;
        }
        self
    }

    /// The error for a physical line longer than `--max-line-bytes` starting where the
    /// reader stands, found before the csv reader copies it (a huge line without a line
    /// end — a damaged or wrong file — would otherwise be read whole into memory first).
    fn line_too_long(&self) -> Option<ParseError> {
        let r = self.rdr.as_ref()?;
        let text: &[u8] = r.get_ref().get_ref();
        let pos = r.position();
        // The csv reader stands on the line end before the next row (the LF of a CRLF)
        // or on empty lines: the next line starts after them.
        let (start, line) = past_line_ends(
            text,
            self.base_offset
                .saturating_add(usize::try_from(pos.byte()).unwrap_or(usize::MAX)),
            (self.base_line + pos.line()).saturating_sub(1),
        );
        let max = self.limits.max_line;
        let window = text.get(start..)?;
        let window = &window[..window.len().min(max.saturating_add(2))];
        // A line may end in CR LF: its content is at most `max` bytes either way.
        if window.len() <= max.saturating_add(1) || memchr::memchr(b'\n', window).is_some() {
            return None;
        }
        Some(perr(
            ErrorKind::Limit {
                detail: format!("expected a line of at most {max} bytes (--max-line-bytes)"),
            },
            line,
            start,
        ))
    }

    fn read_header(&mut self) {
        if let Some(e) = self.line_too_long() {
            self.pending = Some(e);
            self.done = true;
            return;
        }
        let Some(rdr) = self.rdr.as_mut() else {
            return;
        };
        let mut header = csv::ByteRecord::new();
        match rdr.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                self.done = true; // empty file: no records
                return;
            }
            Err(e) => {
                self.pending = Some(perr(
                    ErrorKind::Expected {
                        expected: "a CSV header line".into(),
                        found: e.to_string(),
                    },
                    self.base_line,
                    self.base_offset,
                ));
                return;
            }
        }
        if let Some(e) = self.check_quotes(&header, self.base_line, self.base_offset) {
            self.pending = Some(e);
            return;
        }
        let names: Vec<String> = header
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        // IdFix's findings columns (what `scan --csv` and IdFix write): a report to edit and
        // apply, not an export of the directory.
        let has = |n: &str| names.iter().any(|h| h.eq_ignore_ascii_case(n));
        if ["DISTINGUISHEDNAME", "ATTRIBUTE", "ERROR", "VALUE", "ACTION"]
            .iter()
            .all(|n| has(n))
        {
            self.pending = Some(perr(
                ErrorKind::Expected {
                    expected: "a directory export (ldifde, csvde, slapcat, Export-Csv), not a findings CSV (ldifix scan --csv, IdFix: edit it and give it to 'ldifix apply-csv FILE --source EXPORT')".into(),
                    found: match &self.rdr {
                        Some(r) => line_snippet(r.get_ref().get_ref(), self.base_offset),
                        None => lossy(header.as_slice()),
                    },
                },
                self.base_line,
                self.base_offset,
            ));
            self.done = true;
            return;
        }
        // A column named twice: csvde and Export-Csv never write one, so the file was
        // merged or edited by hand; both columns are read, as values of one attribute.
        if let Some((first, again)) = names.iter().enumerate().find_map(|(j, n)| {
            let i = names[..j]
                .iter()
                .position(|h| !n.is_empty() && h.eq_ignore_ascii_case(n))?;
            Some((i, j))
        }) {
            self.warnings.push(Warning {
                line: self.base_line,
                message: format!(
                    "column {} \"{}\" repeats column {}: csvde and Export-Csv never write a column twice (was the file merged or edited?); the values of both are read as values of one attribute",
                    again + 1,
                    names[again],
                    first + 1
                ),
            });
        }
        let (columns, dn_col) = match self.dialect {
            Dialect::Csvde => csvde_columns(&names),
            Dialect::Pwsh => pwsh_columns(&names),
        };
        self.guesses = vec![0; columns.len()];
        self.literal_warned = vec![false; columns.len()];
        if self.dialect == Dialect::Pwsh && !columns.iter().any(|c| c.name == "groupType") {
            let find = |n: &str| names.iter().position(|h| h.eq_ignore_ascii_case(n));
            if let (Some(c), Some(s)) = (find("GroupCategory"), find("GroupScope")) {
                self.group_cols = Some((c, s));
            }
        }
        if columns.iter().any(|c| c.name == "objectClass") {
            self.implied_class = None;
        } else if self.dialect == Dialect::Pwsh && dn_col.is_some() && self.implied_class.is_none()
        {
            self.warnings.push(Warning {
                line: self.base_line,
                message: "no ObjectClass column: users, contacts and groups cannot be told apart, so no row is in scope; export it too (Select-Object DistinguishedName,ObjectClass,… | Export-Csv …)".into(),
            });
        }
        if self.dialect == Dialect::Pwsh && dn_col.is_some() {
            // Export-Csv writes only the properties asked for: a checked attribute without
            // a column is unknown on every row, not absent.
            let missing: Vec<model::Attr> = UNEXPORTED_CHECKED
                .into_iter()
                .filter(|a| {
                    !columns
                        .iter()
                        .any(|c| model::Attr::from_desc(&c.name) == Some(*a))
                })
                .collect();
            self.unexported = missing.iter().fold(0, |m, a| m | 1 << *a as u32);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|a| a.ldap_name()).collect();
                self.warnings.push(Warning {
                    line: self.base_line,
                    message: format!(
                        "no column for {}: Export-Csv writes only the properties asked for, so these are unknown on every row — scan does not judge them (nor skip an object for lacking them), fix cannot check collisions against them, apply-csv refuses rows changing them; export them too (Get-ADUser -Properties {} … | Export-Csv)",
                        names.join(", "),
                        names.join(",")
                    ),
                });
            }
        }
        self.columns = columns;
        match dn_col {
            Some(i) => self.dn_col = i,
            None => {
                let expected = match self.dialect {
                    Dialect::Csvde => {
                        "a csvde header whose first column is DN (csvde -f export.csv …)"
                    }
                    Dialect::Pwsh => {
                        "a header with a DistinguishedName column (Select-Object DistinguishedName,… | Export-Csv …)"
                    }
                };
                let found = match &self.rdr {
                    Some(r) => line_snippet(r.get_ref().get_ref(), self.base_offset),
                    None => lossy(header.as_slice()),
                };
                self.pending = Some(perr(
                    ErrorKind::Expected {
                        expected: expected.into(),
                        found,
                    },
                    self.base_line,
                    self.base_offset,
                ));
            }
        }
    }

    /// Checked attributes the header has no column for (bit `1 << attr as u32`; only
    /// Export-Csv files, whose columns are the properties asked for).
    pub fn unexported(&self) -> u32 {
        self.unexported
    }

    /// The format being read.
    pub fn format(&self) -> InputFormat {
        match self.dialect {
            Dialect::Csvde => InputFormat::Csvde,
            Dialect::Pwsh => InputFormat::PwshCsv,
        }
    }

    /// Warnings gathered so far (taken out of the reader).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// Byte offset reached in the decoded input.
    pub fn position(&self) -> usize {
        match &self.rdr {
            Some(r) => self
                .base_offset
                .saturating_add(usize::try_from(r.position().byte()).unwrap_or(usize::MAX)),
            None => 0,
        }
    }

    /// The error for a quoted field of `rec` that is not closed (see [`QuoteFault`]), the
    /// row starting at `offset` on `line`. Rows are checked only when they run to the end
    /// of the input or hold a line break, the only rows where a quote can be missing.
    fn check_quotes(&self, rec: &csv::ByteRecord, line: u64, offset: usize) -> Option<ParseError> {
        let text: &[u8] = self.rdr.as_ref()?.get_ref().get_ref();
        let end = self.position().min(text.len());
        if end < text.len() && memchr::memchr2(b'\r', b'\n', rec.as_slice()).is_none() {
            return None;
        }
        let (fault, field) = quote_fault(text.get(offset..end)?, self.delimiter)?;
        let line_at =
            |at: usize| line + memchr::memchr_iter(b'\n', &text[offset..at]).count() as u64;
        let column = match self.columns.get(field) {
            Some(c) => format!("column {} \"{}\"", field + 1, c.header),
            None => format!("column {}", field + 1),
        };
        let (at, expected, found) = match fault {
            QuoteFault::Open { opened } => {
                let opened = offset + opened;
                let o = line_at(opened);
                (
                    text.len() - 1,
                    format!("a closing '\"' for the field opened at line {o} in {column}, before the end of the file (was the export cut short?)"),
                    line_snippet(text, opened + 1),
                )
            }
            QuoteFault::Stray { opened, at } => {
                let (opened, at) = (offset + opened, offset + at);
                let o = line_at(opened);
                let delimiter = match self.delimiter {
                    b'\t' => "a TAB".to_string(),
                    d => format!("'{}'", char::from(d)),
                };
                (
                    at,
                    format!("{delimiter} or a line end after the '\"' that ends the field opened at line {o} in {column} (is its closing '\"' missing on line {o}?)"),
                    line_snippet(text, at + 1),
                )
            }
        };
        Some(ParseError {
            kind: ErrorKind::Expected { expected, found },
            line: line_at(at),
            record_line: Some(line),
            offset: at,
        })
    }

    /// End of input: summarise the doubtful splits beyond the individual warnings.
    fn finish(&mut self) {
        self.done = true;
        for (i, &n) in self.guesses.iter().enumerate() {
            if n > GUESS_WARNINGS_PER_COLUMN {
                let col = &self.columns[i];
                self.warnings.push(Warning {
                    line: self.base_line,
                    message: format!(
                        "column {} \"{}\": {} more rows whose '{}'-joined values were split by a guess (not listed one by one); export {} with ldifde to check them exactly",
                        i + 1,
                        col.header,
                        n - GUESS_WARNINGS_PER_COLUMN,
                        char::from(self.join),
                        col.name
                    ),
                });
            }
        }
    }

    fn guess_warning(&mut self, i: usize, line: u64, values: usize, piece: Piece) {
        self.guesses[i] += 1;
        if self.guesses[i] > GUESS_WARNINGS_PER_COLUMN {
            return;
        }
        let col = &self.columns[i];
        let why = match piece {
            Piece::Proxy => {
                "it holds an X.400 address (X400:…;…;) or a piece that is not a proxy address"
            }
            Piece::Dn => "a piece is not a distinguished name",
            Piece::Class | Piece::Any => "a piece is empty or not a value of this attribute",
        };
        let sep = char::from(self.join);
        let joiner = match self.dialect {
            Dialect::Csvde => "csvde joins multiple values with ';'".to_string(),
            Dialect::Pwsh => format!("the values were joined with '{sep}'"),
        };
        let result = match piece {
            Piece::Proxy | Piece::Dn => format!("reading it as {values} value(s) is a guess"),
            Piece::Class | Piece::Any => "it was kept as one value, which is a guess".to_string(),
        };
        self.warnings.push(Warning {
            line,
            message: format!(
                "column {} \"{}\": {joiner} and a '{sep}' inside a value cannot be told apart; {why}, so {result} — export {} with ldifde (ldifde -f export.ldf -l {},…) to check it exactly",
                i + 1,
                col.header,
                col.name,
                col.name
            ),
        });
    }

    /// The error for a last row with fewer fields than the header that the file ends
    /// inside (no line end after it): csvde and Export-Csv write every field of every
    /// row, so such a row is what a file cut short leaves, its last value cut too.
    fn cut_short(&self, line: u64, offset: usize) -> Option<ParseError> {
        if self.rec.len() >= self.columns.len() {
            return None;
        }
        let r = self.rdr.as_ref()?;
        let text: &[u8] = r.get_ref().get_ref();
        let end = usize::try_from(r.position().byte()).unwrap_or(usize::MAX);
        if end < text.len() || text.ends_with(b"\n") {
            return None;
        }
        Some(perr(
            ErrorKind::Expected {
                expected: format!(
                    "{} fields, as in the header on line {} (the file ends inside this row: was it cut short?)",
                    self.columns.len(),
                    self.base_line
                ),
                found: format!("{} fields", self.rec.len()),
            },
            line,
            offset,
        ))
    }

    /// Turn the current row into a record.
    fn row(&mut self, line: u64, offset: usize) -> Result<Record<'a>, ParseError> {
        let rec = std::mem::take(&mut self.rec);
        let out = self.row_of(&rec, line, offset);
        self.rec = rec;
        out
    }

    fn row_of(
        &mut self,
        rec: &csv::ByteRecord,
        line: u64,
        offset: usize,
    ) -> Result<Record<'a>, ParseError> {
        if rec.as_slice().len() > self.limits.max_record {
            return Err(perr(
                ErrorKind::Limit {
                    detail: format!(
                        "expected a row of at most {} bytes (--max-record-bytes), found {}",
                        self.limits.max_record,
                        rec.as_slice().len()
                    ),
                },
                line,
                offset,
            ));
        }
        // More fields than the header: most often a comma in a value without its quotes.
        // Fewer: csvde and Export-Csv write every field of every row (an empty value as an
        // empty field), so the row was cut or edited, and its missing columns would read
        // as attributes the object does not hold.
        if rec.len() != self.columns.len() {
            let (at_most, why) = if rec.len() > self.columns.len() {
                ("at most ", "is a field with a comma missing its quotes?")
            } else {
                (
                    "",
                    "csvde and Export-Csv write every field, empty ones as ',,': was the row cut short or edited?",
                )
            };
            return Err(perr(
                ErrorKind::Expected {
                    expected: format!(
                        "{at_most}{} fields, as in the header on line {} ({why})",
                        self.columns.len(),
                        self.base_line
                    ),
                    found: format!("{} fields", rec.len()),
                },
                line,
                offset,
            ));
        }
        let dn = rec.get(self.dn_col).unwrap_or(b"");
        if dn.trim_ascii().is_empty() {
            return Err(perr(
                ErrorKind::Expected {
                    expected: format!(
                        "a DN in column {} \"{}\"",
                        self.dn_col + 1,
                        self.columns
                            .get(self.dn_col)
                            .map_or("DN", |c| c.header.as_str())
                    ),
                    found: lossy(dn),
                },
                line,
                offset,
            ));
        }
        let mut attrs: Vec<Attr<'a>> = Vec::with_capacity(16);
        for (i, field) in rec.iter().enumerate() {
            if field.is_empty() {
                continue;
            }
            let Some(col) = self.columns.get(i) else {
                continue;
            };
            let kind = col.kind;
            if matches!(kind, Kind::Dn | Kind::Skip) {
                continue;
            }
            if self.dialect == Dialect::Pwsh && pwsh::is_collection_literal(field) {
                if col.checked {
                    return Err(perr(
                        ErrorKind::Expected {
                            expected: format!(
                                "the values of column {} \"{}\" (Export-Csv wrote the type name of a multi-valued property instead of its values; export it joined: Select-Object DistinguishedName,…,@{{n='{n}';e={{$_.{n} -join '{sep}'}}}} | Export-Csv …)",
                                i + 1,
                                col.header,
                                n = col.name,
                                sep = char::from(self.join)
                            ),
                            found: String::from_utf8_lossy(field.trim_ascii()).into_owned(),
                        },
                        line,
                        offset,
                    ));
                }
                if !self.literal_warned[i] {
                    self.literal_warned[i] = true;
                    self.warnings.push(Warning {
                        line,
                        message: format!(
                            "column {} \"{}\" holds \"{}\" instead of values (Export-Csv of a multi-valued property); ldifix does not check this attribute, so the column is ignored",
                            i + 1,
                            col.header,
                            String::from_utf8_lossy(field.trim_ascii())
                        ),
                    });
                }
                continue;
            }
            if self.ascii_51
                && !self.question_warned
                && i_is_name(&col.name)
                && field.contains(&b'?')
            {
                self.question_warned = true;
                self.warnings.push(Warning {
                    line,
                    message: format!(
                        "column {} \"{}\" contains '?' in a file written by Windows PowerShell 5.1 in ASCII (its Export-Csv default): non-ASCII characters were replaced by '?' and are lost; export again with Export-Csv -Encoding UTF8",
                        i + 1,
                        col.header
                    ),
                });
            }
            if self.dialect == Dialect::Csvde
                && !self.hex_warned
                && !matches!(kind, Kind::Dn | Kind::Skip)
                && field.len() >= 3
                && (field.starts_with(b"X'") || field.starts_with(b"x'"))
                && field.ends_with(b"'")
                && csvde::decode_hex_literal(field).is_none()
            {
                self.hex_warned = true;
                self.warnings.push(Warning {
                    line,
                    message: format!(
                        "column {} \"{}\" holds {}, which looks like a csvde binary value (X'<hex>') but is not one (not hexadecimal, or an odd number of digits): it is read as text",
                        i + 1,
                        col.header,
                        String::from_utf8_lossy(&field[..field.len().min(40)])
                    ),
                });
            }
            let name = col.name.clone();
            match kind {
                Kind::Single => attrs.push(self.attr(name, field)),
                Kind::Multi(piece) => {
                    let (values, guess) = csvde::split_multi(field, piece, self.join);
                    if guess {
                        self.guess_warning(i, line, values.len(), piece);
                    }
                    for v in values {
                        attrs.push(self.attr(name.clone(), &v));
                    }
                }
                Kind::Dn | Kind::Skip => {}
            }
        }
        if let Some(class) = self.implied_class {
            attrs.push(Attr {
                name: Cow::Borrowed("objectClass"),
                value: Value::Bytes(Cow::Borrowed(class.as_bytes())),
            });
        }
        if let Some((c, s)) = self.group_cols {
            if let (Some(cat), Some(scope)) = (rec.get(c), rec.get(s)) {
                if let Some(gt) = pwsh::group_type(cat, scope) {
                    attrs.push(Attr {
                        name: Cow::Borrowed("groupType"),
                        value: Value::Bytes(Cow::Owned(gt.to_string().into_bytes())),
                    });
                }
            }
        }
        if attrs.len() > self.limits.max_values {
            return Err(perr(
                ErrorKind::Limit {
                    detail: format!(
                        "expected at most {} values in one row (--max-values), found {}",
                        self.limits.max_values,
                        attrs.len()
                    ),
                },
                line,
                offset,
            ));
        }
        Ok(Record {
            offset,
            line,
            dn: Cow::Owned(dn.to_vec()),
            controls: Vec::new(),
            change: None,
            changetype: None,
            body: Body::Attrs(attrs),
        })
    }

    fn attr(&self, name: Cow<'static, str>, v: &[u8]) -> Attr<'a> {
        let bytes = match self.dialect {
            Dialect::Csvde => csvde::decode_hex_literal(v).unwrap_or_else(|| v.to_vec()),
            Dialect::Pwsh => v.to_vec(),
        };
        Attr {
            name,
            value: Value::Bytes(Cow::Owned(bytes)),
        }
    }
}

/// The checked attributes whose absence from an Export-Csv header is reported.
const UNEXPORTED_CHECKED: [model::Attr; 8] = [
    model::Attr::DisplayName,
    model::Attr::GivenName,
    model::Attr::Mail,
    model::Attr::MailNickname,
    model::Attr::ProxyAddresses,
    model::Attr::SamAccountName,
    model::Attr::TargetAddress,
    model::Attr::UserPrincipalName,
];

/// Name-like attributes where a 5.1 ASCII export's `?` means lost characters.
fn i_is_name(name: &str) -> bool {
    ["cn", "displayName", "givenName", "sn", "name"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

fn csvde_columns(names: &[String]) -> (Vec<Column>, Option<usize>) {
    let mut dn_col = None;
    let mut cols = Vec::with_capacity(names.len());
    for (i, h) in names.iter().enumerate() {
        let kind = if h.is_empty() {
            Kind::Skip
        } else if dn_col.is_none() && h.eq_ignore_ascii_case("DN") {
            dn_col = Some(i);
            Kind::Dn
        } else if csvde::is_single(h) {
            Kind::Single
        } else {
            Kind::Multi(csvde::piece_of(h))
        };
        cols.push(Column {
            header: escape_controls(h),
            name: attr_name(h),
            kind,
            checked: model::Attr::from_desc(h).is_some(),
        });
    }
    if dn_col.is_none() {
        // Tolerate a header that names the DN `distinguishedName`.
        if let Some(i) = names
            .iter()
            .position(|h| h.eq_ignore_ascii_case("distinguishedName"))
        {
            cols[i].kind = Kind::Dn;
            dn_col = Some(i);
        }
    }
    (cols, dn_col)
}

fn pwsh_columns(names: &[String]) -> (Vec<Column>, Option<usize>) {
    let mapped: Vec<Mapped> = names.iter().map(|h| pwsh::map_property(h)).collect();
    // LDAP names present as properties of their own: an alias yields to them
    // (`-Properties *` gives both `Surname` and `sn`).
    let direct: Vec<&'static str> = mapped
        .iter()
        .filter_map(|m| match m {
            Mapped::Attr(l, false) => Some(*l),
            _ => None,
        })
        .collect();
    let mut used_alias: Vec<&'static str> = Vec::new();
    let mut dn_col = None;
    let mut cols = Vec::with_capacity(names.len());
    for (i, (h, m)) in names.iter().zip(&mapped).enumerate() {
        let mut kind = Kind::Single;
        let name: Cow<'static, str> = match m {
            Mapped::Dn if dn_col.is_none() => {
                dn_col = Some(i);
                kind = Kind::Dn;
                Cow::Borrowed("distinguishedName")
            }
            Mapped::Dn => Cow::Owned(h.clone()),
            Mapped::Attr(l, false) => Cow::Borrowed(*l),
            Mapped::Attr(l, true) => {
                if direct.contains(l) || used_alias.contains(l) {
                    if h.eq_ignore_ascii_case("Name") {
                        Cow::Borrowed("name")
                    } else {
                        Cow::Owned(h.clone())
                    }
                } else {
                    used_alias.push(l);
                    Cow::Borrowed(*l)
                }
            }
            Mapped::Own => Cow::Owned(h.clone()),
        };
        if h.is_empty() {
            kind = Kind::Skip;
        } else if kind == Kind::Single && csvde::MULTI.contains(&name.to_ascii_lowercase().as_str())
        {
            kind = Kind::Multi(csvde::piece_of(&name));
        }
        cols.push(Column {
            header: escape_controls(h),
            checked: model::Attr::from_desc(&name).is_some(),
            name,
            kind,
        });
    }
    if dn_col.is_none() {
        if let Some(i) = names.iter().position(|h| h.eq_ignore_ascii_case("DN")) {
            cols[i].kind = Kind::Dn;
            dn_col = Some(i);
        }
    }
    (cols, dn_col)
}

impl<'a> Iterator for CsvReader<'a> {
    type Item = Result<Item<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            self.done = true;
            return Some(Err(e));
        }
        loop {
            if self.done {
                return None;
            }
            if let Some(e) = self.line_too_long() {
                self.finish();
                return Some(Err(e));
            }
            let rdr = self.rdr.as_mut()?;
            match rdr.read_byte_record(&mut self.rec) {
                Ok(true) => {}
                Ok(false) => {
                    self.finish();
                    return None;
                }
                Err(e) => {
                    let (line, offset) = match e.position() {
                        Some(p) => (p.line(), usize::try_from(p.byte()).unwrap_or(usize::MAX)),
                        None => (1, 0),
                    };
                    self.finish();
                    return Some(Err(perr(
                        ErrorKind::Expected {
                            expected: "a well-formed CSV row".into(),
                            found: e.to_string(),
                        },
                        (self.base_line + line).saturating_sub(1),
                        self.base_offset.saturating_add(offset),
                    )));
                }
            }
            let (mut line, mut offset) = match self.rec.position() {
                Some(p) => (
                    (self.base_line + p.line()).saturating_sub(1),
                    self.base_offset
                        .saturating_add(usize::try_from(p.byte()).unwrap_or(usize::MAX)),
                ),
                None => (self.base_line, self.base_offset),
            };
            // The csv reader reports a row as starting at the line end before it (the
            // LF of a CRLF, or skipped empty lines): move to the row's first byte.
            if let Some(r) = &self.rdr {
                (offset, line) = past_line_ends(r.get_ref().get_ref(), offset, line);
            }
            if let Some(e) = self.check_quotes(&self.rec, line, offset) {
                return Some(Err(e));
            }
            // A line of only blanks (the csv reader already skips empty lines).
            if self.rec.len() == 1 && self.rec.as_slice().trim_ascii().is_empty() {
                continue;
            }
            // A row of only empty fields (`,,,,`): a spreadsheet saving a csvde file
            // writes them for cells touched below the data. Nothing to read: skipped.
            if self.rec.iter().all(|f| f.trim_ascii().is_empty()) {
                if !self.blank_rows_warned {
                    self.blank_rows_warned = true;
                    self.warnings.push(Warning {
                        line,
                        message: "a row whose every field is empty (and any such row after it) skipped: a spreadsheet writes them for cells touched below the data".into(),
                    });
                }
                continue;
            }
            if let Some(e) = self.cut_short(line, offset) {
                return Some(Err(e));
            }
            return Some(self.row(line, offset).map(Item::Record));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &[u8], d: Dialect) -> (Vec<Result<Record<'_>, ParseError>>, Vec<Warning>) {
        let mut r = CsvReader::new(s, d, Limits::default());
        let mut out = Vec::new();
        for item in r.by_ref() {
            out.push(item.map(|i| match i {
                Item::Record(r) => r,
                Item::Skipped { .. } => unreachable!("CSV never skips"),
            }));
        }
        // Without the header's list of checked attributes an Export-Csv lacks (tested
        // on its own).
        let mut w = r.take_warnings();
        w.retain(|w| !w.message.starts_with("no column for "));
        (out, w)
    }

    fn vals<'r>(r: &'r Record<'_>, name: &str) -> Vec<&'r [u8]> {
        r.attrs()
            .iter()
            .filter(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value.as_bytes())
            .collect()
    }

    #[test]
    fn csvde_rows() {
        let src = b"DN,objectClass,cn,proxyAddresses,objectGUID\r\n\"CN=A B,DC=x\",user,A B,SMTP:a@x;smtp:b@x,X'0a0B'\r\n\r\n\"CN=C,DC=x\",contact,,,\r\n";
        let (recs, warns) = read(src, Dialect::Csvde);
        assert!(warns.is_empty(), "{warns:?}");
        assert_eq!(recs.len(), 2);
        let a = recs[0].as_ref().unwrap();
        assert_eq!(&*a.dn, b"CN=A B,DC=x");
        assert_eq!((a.line, a.offset), (2, 45));
        assert_eq!(vals(a, "proxyAddresses"), [&b"SMTP:a@x"[..], b"smtp:b@x"]);
        assert_eq!(vals(a, "objectGUID"), [&[0x0a, 0x0b][..]]);
        assert_eq!(vals(a, "objectClass"), [&b"user"[..]]);
        let c = recs[1].as_ref().unwrap();
        assert_eq!(c.line, 4);
        assert_eq!(c.attrs().len(), 1);
    }

    #[test]
    fn bad_rows_are_errors_and_reading_goes_on() {
        let src = b"DN,cn\n,x\n\"CN=a\",a,extra\n\"CN=b\",b\n";
        let (recs, _) = read(src, Dialect::Csvde);
        assert_eq!(recs.len(), 3);
        let e = recs[0].as_ref().unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("a DN in column 1"), "{e}");
        let e = recs[1].as_ref().unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.to_string().contains("at most 2 fields"), "{e}");
        assert_eq!(&*recs[2].as_ref().unwrap().dn, b"CN=b");
    }

    #[test]
    fn missing_dn_column_is_one_error() {
        let (recs, _) = read(b"cn,sn\na,b\n", Dialect::Csvde);
        assert_eq!(recs.len(), 1);
        assert!(recs[0].as_ref().unwrap_err().to_string().contains("DN"));
        let (recs, _) = read(b"\"Name\"\n\"a\"\n", Dialect::Pwsh);
        assert_eq!(recs.len(), 1);
        assert!(recs[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("DistinguishedName"));
    }

    #[test]
    fn pwsh_aliases_yield_to_direct_names() {
        let src = b"\"DistinguishedName\",\"Name\",\"CN\",\"Surname\",\"sn\",\"EmailAddress\",\"GroupCategory\",\"GroupScope\"\n\"CN=g,DC=x\",\"g\",\"g\",\"S1\",\"S2\",\"g@x\",\"Security\",\"Global\"\n";
        let (recs, _) = read(src, Dialect::Pwsh);
        let r = recs[0].as_ref().unwrap();
        assert_eq!(vals(r, "cn"), [&b"g"[..]]);
        assert_eq!(vals(r, "name"), [&b"g"[..]]);
        assert_eq!(vals(r, "sn"), [&b"S2"[..]]);
        assert_eq!(vals(r, "mail"), [&b"g@x"[..]]);
        assert_eq!(vals(r, "groupType"), [&b"-2147483646"[..]]);
        assert!(vals(r, "distinguishedName").is_empty());
    }

    #[test]
    fn pwsh_single_valued_columns_are_not_split() {
        let src = b"DistinguishedName;ObjectClass;DisplayName;ProxyAddresses\n\"CN=a,DC=x\";user;\"Smith; John\";\"SMTP:a@x;smtp:b@x\"\n";
        let (recs, warns) = read(src, Dialect::Pwsh);
        assert!(warns.is_empty());
        let r = recs[0].as_ref().unwrap();
        assert_eq!(vals(r, "displayName"), [&b"Smith; John"[..]]);
        assert_eq!(vals(r, "proxyAddresses").len(), 2);
    }

    #[test]
    fn collection_literal_in_unchecked_column_warns_once() {
        let src = b"DistinguishedName,ObjectClass,memberOf\nCN=a,user,Microsoft.ActiveDirectory.Management.ADPropertyValueCollection\nCN=b,user,Microsoft.ActiveDirectory.Management.ADPropertyValueCollection\n";
        let (recs, warns) = read(src, Dialect::Pwsh);
        assert!(recs.iter().all(|r| r.is_ok()));
        assert_eq!(warns.len(), 1);
        assert_eq!(warns[0].line, 2);
    }

    #[test]
    fn missing_object_class_comes_from_the_type_line_or_is_reported() {
        // Select-Object output of Get-ADUser in Windows PowerShell 5.1: every row a user.
        let src = b"#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\n\"DistinguishedName\",\"mail\"\n\"CN=a\",\"a@x.com\"\n\"CN=b\",\"b@x.com\"\n";
        let (recs, warns) = read(src, Dialect::Pwsh);
        assert!(warns.is_empty(), "{warns:?}");
        for r in &recs {
            assert_eq!(vals(r.as_ref().unwrap(), "objectClass"), [&b"user"[..]]);
        }
        // An ObjectClass column wins over the type line.
        let src = b"#TYPE Microsoft.ActiveDirectory.Management.ADUser\n\"DistinguishedName\",\"ObjectClass\"\n\"CN=a\",\"inetOrgPerson\"\n";
        let (recs, warns) = read(src, Dialect::Pwsh);
        assert!(warns.is_empty(), "{warns:?}");
        assert_eq!(
            vals(recs[0].as_ref().unwrap(), "objectClass"),
            [&b"inetOrgPerson"[..]]
        );
        // No column and no type line (PowerShell 7): no class, one warning at the header.
        let src = b"\"DistinguishedName\",\"mail\"\n\"CN=a\",\"a@x.com\"\n\"CN=b\",\"b@x.com\"\n";
        let (recs, warns) = read(src, Dialect::Pwsh);
        assert_eq!(recs.len(), 2);
        assert!(vals(recs[0].as_ref().unwrap(), "objectClass").is_empty());
        assert_eq!(warns.len(), 1, "{warns:?}");
        assert_eq!(warns[0].line, 1);
        assert!(warns[0].message.contains("no ObjectClass column"));
        // csvde always exports objectClass when asked; its files are not second-guessed.
        let (_, warns) = read(b"DN,mail\n\"CN=a\",a@x.com\n", Dialect::Csvde);
        assert!(warns.is_empty(), "{warns:?}");
    }

    #[test]
    fn guess_warnings_are_capped_and_summed() {
        let mut src = b"DN,proxyAddresses\n".to_vec();
        for i in 0..15 {
            src.extend_from_slice(format!("\"CN={i}\",X400:c=US;a= ;p=P;\n").as_bytes());
        }
        let (recs, warns) = read(&src, Dialect::Csvde);
        assert_eq!(recs.len(), 15);
        assert_eq!(warns.len(), 11);
        assert!(warns[10].message.contains("5 more rows"));
        let r = recs[0].as_ref().unwrap();
        assert_eq!(vals(r, "proxyAddresses"), [&b"X400:c=US;a= ;p=P;"[..]]);
    }

    #[test]
    fn ascii_51_question_marks_warn() {
        let src = b"#TYPE Microsoft.ActiveDirectory.Management.ADUser\n\"DistinguishedName\",\"Surname\"\n\"CN=a\",\"M?ller\"\n";
        let (recs, warns) = read(src, Dialect::Pwsh);
        assert_eq!(recs[0].as_ref().unwrap().line, 3);
        assert_eq!(warns.len(), 1);
        assert!(warns[0].message.contains("-Encoding UTF8"));
    }

    #[test]
    fn quote_faults_follow_the_csv_reader() {
        let f = |row: &[u8]| quote_fault(row, b',');
        assert_eq!(f(b"\"CN=a\",b\r\n"), None);
        assert_eq!(f(b"\"CN=a\",\"x\r\ny\",\"a \"\"q\"\" b\""), None);
        // A quote after text on one line stays text, as the csv reader reads it.
        assert_eq!(f(b"\"a\"b,c\"d\r\n"), None);
        assert_eq!(
            f(b"\"CN=a\",x,\"b,c\r\n"),
            Some((QuoteFault::Open { opened: 9 }, 2))
        );
        assert_eq!(
            f(b"\"CN=B,b@x\r\n\"CN=C\",c"),
            Some((QuoteFault::Stray { opened: 0, at: 11 }, 0))
        );
        assert_eq!(
            quote_fault(b"a;\"b;c\n", b';'),
            Some((QuoteFault::Open { opened: 2 }, 1))
        );
    }

    #[test]
    fn unclosed_quote_at_the_end_is_an_error_naming_where_it_opened() {
        for tail in ["\r\n", "", "\r\n\r\n"] {
            let src = format!("DN,objectClass,cn,mail\r\n\"CN=A,DC=x\",user,A,a@x.com\r\n\"CN=B,DC=x,user,B,b@x.com{tail}");
            let (recs, _) = read(src.as_bytes(), Dialect::Csvde);
            assert_eq!(recs.len(), 2, "{tail:?}");
            assert_eq!(&*recs[0].as_ref().unwrap().dn, b"CN=A,DC=x");
            let e = recs[1].as_ref().unwrap_err();
            let last = if tail.len() > 2 { 4 } else { 3 };
            assert_eq!((e.line, e.record_line), (last, Some(3)), "{tail:?}");
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!("{last}: expected a closing '\"' for the field opened at line 3 in column 1 \"DN\", before the end of the file")),
                "{msg}"
            );
            assert!(msg.contains("found \"CN=B,DC=x,user,B,b@x.com\""), "{msg}");
        }
        // PowerShell, ';'-delimited, the quote opened in a later column and lines above.
        let src = b"DistinguishedName;ObjectClass;Description\n\"CN=a\";\"user\";\"one\ntwo\n";
        let (recs, _) = read(src, Dialect::Pwsh);
        assert_eq!(recs.len(), 1);
        let e = recs[0].as_ref().unwrap_err();
        assert_eq!((e.line, e.record_line), (3, Some(2)));
        assert!(
            e.to_string()
                .contains("opened at line 2 in column 3 \"Description\""),
            "{e}"
        );
        // The header itself.
        let (recs, _) = read(b"DN,\"cn\r\n", Dialect::Csvde);
        assert_eq!(recs.len(), 1);
        let e = recs[0].as_ref().unwrap_err();
        assert_eq!((e.line, e.record_line), (1, Some(1)));
        assert!(
            e.to_string().starts_with(
                "1: expected a closing '\"' for the field opened at line 1 in column 2, before"
            ),
            "{e}"
        );
        let (recs, _) = read(b"DN,\"cn\r\n\"CN=a\",a\r\n", Dialect::Csvde);
        assert_eq!(recs.len(), 1);
        let e = recs[0].as_ref().unwrap_err();
        assert_eq!((e.line, e.record_line), (2, Some(1)));
        assert!(
            e.to_string()
                .contains("is its closing '\"' missing on line 1?"),
            "{e}"
        );
    }

    #[test]
    fn missing_closing_quote_before_the_next_row_is_an_error() {
        // Five columns, so the merged row would not have too many fields.
        let src = b"DN,objectClass,cn,mail,sn\r\n\"CN=B,DC=x,user,B,b@x.com\r\n\"CN=C,DC=x\",user,C,c@x.com\r\n\"CN=D,DC=x\",user,D,d@x.com,d\r\n";
        let (recs, _) = read(src, Dialect::Csvde);
        assert_eq!(recs.len(), 2);
        let e = recs[0].as_ref().unwrap_err();
        assert_eq!((e.line, e.record_line), (3, Some(2)));
        let msg = e.to_string();
        assert_eq!(
            msg,
            "3: expected ',' or a line end after the '\"' that ends the field opened at line 2 in column 1 \"DN\" (is its closing '\"' missing on line 2?), found \"CN=C,DC=x\",user,C,c@x.com\" (record starting at line 2)"
        );
        // Reading goes on with the next row.
        assert_eq!(&*recs[1].as_ref().unwrap().dn, b"CN=D,DC=x");
        // A value on two lines, quoted as csvde and Export-Csv write it, is no error.
        let src = b"DN,info\r\n\"CN=a\",\"line \"\"1\"\"\r\nline 2\"\r\n";
        let (recs, _) = read(src, Dialect::Csvde);
        assert_eq!(
            vals(recs[0].as_ref().unwrap(), "info"),
            [&b"line \"1\"\r\nline 2"[..]]
        );
    }

    #[test]
    fn a_line_over_the_limit_is_an_error_before_it_is_read() {
        let limits = Limits {
            max_line: 20,
            ..Limits::default()
        };
        for src in [
            &b"DN,cn\n\"CN=a\",a\n\"CN=b\",bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n\"CN=c\",c\n"[..],
            b"DN,cn\r\n\"CN=a\",a\r\n\r\n\"CN=b\",bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n",
        ] {
            let out: Vec<_> = CsvReader::new(src, Dialect::Csvde, limits).collect();
            assert!(out[0].is_ok());
            let e = out[1].as_ref().unwrap_err();
            let line = if src.contains(&b'\r') { 4 } else { 3 };
            assert_eq!(
                e.to_string(),
                format!("{line}: limit exceeded: expected a line of at most 20 bytes (--max-line-bytes)")
            );
            assert_eq!(out.len(), 2, "the reader stops there");
        }
        // A header over the limit.
        let out: Vec<_> = CsvReader::new(
            b"DN,cnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n",
            Dialect::Csvde,
            limits,
        )
        .collect();
        assert_eq!(
            out[0].as_ref().unwrap_err().to_string(),
            "1: limit exceeded: expected a line of at most 20 bytes (--max-line-bytes)"
        );
    }

    #[test]
    fn limits_apply() {
        let limits = Limits {
            max_line: 1 << 20,
            max_record: 10,
            max_values: 1,
        };
        let src = b"DN,cn\n\"CN=aaaaaaaaaaaa\",a\n\"CN=b\",b\n";
        let out: Vec<_> = CsvReader::new(src, Dialect::Csvde, limits).collect();
        let e = out[0].as_ref().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Limit { .. }));
        assert_eq!(
            e.to_string(),
            "2: limit exceeded: expected a row of at most 10 bytes (--max-record-bytes), found 16"
        );
        assert!(out[1].is_ok());
        let limits = Limits {
            max_values: 1,
            ..Limits::default()
        };
        let src = b"DN,cn,sn\n\"CN=b\",b,c\n";
        let out: Vec<_> = CsvReader::new(src, Dialect::Csvde, limits).collect();
        assert_eq!(
            out[0].as_ref().unwrap_err().to_string(),
            "2: limit exceeded: expected at most 1 values in one row (--max-values), found 2"
        );
    }

    #[test]
    fn messages_escape_control_characters_of_the_input() {
        let msg = |src: &[u8]| {
            let (recs, _) = read(src, Dialect::Csvde);
            let e = recs
                .iter()
                .find_map(|r| r.as_ref().err())
                .unwrap_or_else(|| panic!("no error for {src:?}"));
            e.to_string()
        };
        let m = msg(b"DN,c\x1bn\n\"CN=a\",\"x\0y\x07");
        assert!(
            m.contains("in column 2 \"c\\u{1b}n\", before the end of the file"),
            "{m}"
        );
        assert!(m.ends_with("found \"x\\u{0}y\\u{7}\""), "{m}");
        let m = msg(b"cn\x7f,sn\x1b[2J\na,b\n");
        assert!(m.ends_with("found \"cn\\u{7f},sn\\u{1b}[2J\""), "{m}");
        let m = msg(b"DN,cn\n\t\x0c,a\n");
        assert!(m.ends_with("found \"\\t\\u{c}\""), "{m}");
        // The warnings that quote a header name.
        let mut src = b"DN,proxy\x1bAddresses\n".to_vec();
        src.extend_from_slice(b"\"CN=a\",a;;b\n");
        let (_, warns) = read(&src, Dialect::Csvde);
        assert_eq!(warns.len(), 1, "{warns:?}");
        assert!(
            warns[0]
                .message
                .starts_with("column 2 \"proxy\\u{1b}Addresses\": csvde joins"),
            "{warns:?}"
        );
        for m in [
            msg(b"DN,c\x1bn\n\"CN=a\",\"x\0y\x07"),
            msg(b"cn\x7f,sn\x1b[2J\na,b\n"),
            msg(b"DN,c\x01\n\"CN=a\n\"CN=b\",\x02\n"),
        ] {
            assert!(!m.chars().any(|c| c.is_ascii_control()), "{m:?}");
        }
    }

    #[test]
    fn an_export_csv_without_a_checked_column_says_so_once() {
        let src = b"\"DistinguishedName\",\"ObjectClass\",\"SamAccountName\",\"UserPrincipalName\",\"DisplayName\",\"EmailAddress\"\r\n\"CN=a,DC=x\",\"user\",\"a\",\"a@x.com\",\"A\",\"a@x.com\"\r\n";
        let mut r = CsvReader::new(src, Dialect::Pwsh, Limits::default());
        assert!(r.by_ref().all(|i| i.is_ok()));
        let want = [
            model::Attr::GivenName,
            model::Attr::MailNickname,
            model::Attr::ProxyAddresses,
            model::Attr::TargetAddress,
        ];
        assert_eq!(
            r.unexported(),
            want.iter().fold(0, |m, a| m | 1 << *a as u32)
        );
        let w = r.take_warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].message.starts_with("no column for givenName, mailNickname, proxyAddresses, targetAddress: Export-Csv writes only the properties asked for"), "{w:?}");
        // csvde writes a column for every attribute any object holds: nothing is unknown.
        let mut r = CsvReader::new(b"DN,cn\nCN=a,a\n", Dialect::Csvde, Limits::default());
        assert!(r.by_ref().all(|i| i.is_ok()));
        assert_eq!(r.unexported(), 0);
        assert!(r.take_warnings().is_empty());
    }

    #[test]
    fn a_malformed_csvde_binary_value_is_read_as_text_with_a_warning() {
        let (recs, warnings) = read(
            b"DN,cn,objectGUID\nCN=a,a,X'zz12'\nCN=b,b,X'123'\nCN=c,c,X'00ff'\n",
            Dialect::Csvde,
        );
        assert!(recs.iter().all(|r| r.is_ok()), "{recs:?}");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].line, 2);
        assert!(
            warnings[0].message.contains(
                "column 3 \"objectGUID\" holds X'zz12', which looks like a csvde binary value"
            ),
            "{warnings:?}"
        );
        let (_, warnings) = read(b"DN,cn,objectGUID\nCN=c,c,X'00ff'\n", Dialect::Csvde);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_short_row_is_an_error_at_its_line() {
        // csvde and Export-Csv write every field: a short row, last or not, was cut or
        // edited (its missing columns would read as attributes the object lacks).
        for (src, line) in [
            (&b"DN,cn,mail\nCN=a,a,a@x\nCN=b,b\n"[..], 3),
            (b"DN,cn,mail\nCN=a,a\nCN=b,b,b@x", 2),
            (
                b"\"DN\",\"cn\",\"mail\"\r\n\"CN=a\",\"a\",\r\n\"CN=b\"\r\n",
                3,
            ),
        ] {
            let (recs, _) = read(src, Dialect::Csvde);
            let errs: Vec<_> = recs.iter().filter_map(|r| r.as_ref().err()).collect();
            assert_eq!(errs.len(), 1, "{recs:?}");
            assert_eq!(errs[0].line, line, "{}", errs[0]);
            assert!(
                errs[0].to_string().contains("expected 3 fields, as in the header on line 1 (csvde and Export-Csv write every field"),
                "{}",
                errs[0]
            );
        }
        // Empty fields written as such are fine.
        let (recs, _) = read(b"DN,cn,mail\nCN=a,,\nCN=b,b,\n", Dialect::Csvde);
        assert!(recs.iter().all(|r| r.is_ok()), "{recs:?}");
        assert_eq!(recs.len(), 2);
    }

    #[test]
    fn a_column_named_twice_is_named_in_a_warning() {
        let text = b"DN,objectClass,userPrincipalName,UserPrincipalName\n\"CN=a,DC=x\",user,a@x.com,b@x.com\n";
        let (recs, warns) = read(text, Dialect::Csvde);
        assert_eq!(recs.len(), 1);
        assert_eq!(warns.len(), 1, "{warns:?}");
        assert_eq!(warns[0].line, 1);
        assert!(
            warns[0]
                .message
                .starts_with("column 4 \"UserPrincipalName\" repeats column 3"),
            "{:?}",
            warns[0]
        );
    }

    /// A csvde file saved again by a spreadsheet ends with rows of empty fields: they are
    /// skipped, once named in a warning, and the rows before them read as written.
    #[test]
    fn rows_of_empty_fields_a_spreadsheet_adds_are_skipped() {
        let text = b"DN,objectClass,cn\r\n\"CN=a,DC=x\",user,a\r\n,,\r\n, ,\r\n,,\r\n";
        let (recs, warns) = read(text, Dialect::Csvde);
        assert_eq!(recs.len(), 1);
        assert!(recs[0].is_ok());
        assert_eq!(warns.len(), 1);
        assert_eq!(warns[0].line, 3);
        assert!(
            warns[0].message.contains("every field is empty"),
            "{:?}",
            warns[0]
        );
    }

    #[test]
    fn every_error_names_its_line_and_what_was_expected() {
        for (src, d, line, want) in [
            (&b"cn,sn\na,b\n"[..], Dialect::Csvde, 1, "expected a csvde header whose first column is DN"),
            (b"\n\"Name\"\n\"a\"\n", Dialect::Pwsh, 2, "expected a header with a DistinguishedName column"),
            (b"DN,cn\n\"CN=a\",a,b\n", Dialect::Csvde, 2, "expected at most 2 fields, as in the header on line 1"),
            (b"DN,cn\n\n,a\n", Dialect::Csvde, 3, "expected a DN in column 1 \"DN\""),
            (b"DN,cn,mail\nCN=a,a,a@x\nCN=b,b", Dialect::Csvde, 3, "expected 3 fields, as in the header on line 1 (the file ends inside this row: was it cut short?), found \"2 fields\""),
            (
                b"DistinguishedName,ObjectClass,ProxyAddresses\nCN=a,user,Microsoft.ActiveDirectory.Management.ADPropertyValueCollection\n",
                Dialect::Pwsh,
                2,
                "expected the values of column 3 \"ProxyAddresses\"",
            ),
            (b"DN,cn\n\"CN=a\",\"a\n", Dialect::Csvde, 2, "expected a closing '\"' for the field opened at line 2"),
            (b"DN,cn\n\"CN=a\n\"CN=b\",b\n", Dialect::Csvde, 3, "expected ',' or a line end after the '\"'"),
        ] {
            let (recs, _) = read(src, d);
            let e = recs
                .iter()
                .find_map(|r| r.as_ref().err())
                .unwrap_or_else(|| panic!("no error for {src:?}"));
            assert_eq!(e.line, line, "{e}");
            assert!(e.to_string().starts_with(&format!("{line}: {want}")), "{e}");
        }
    }
}
