//! IdFix's CSV report (`shared/idfix-rules.md` §8.2–§8.3) and its `Update <stamp>.ldf`
//! transaction files (§8.7–§8.8): a writer for scan results and readers for what IdFix or
//! ldifix wrote and an admin edited.
//!
//! Writer contract ([`write_csv`], [`to_csv`]):
//! * Header `DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION`,
//!   then one line per row: ERROR = the error names joined by `", "`, UPDATE empty when
//!   nothing is proposed, PROPOSEDACTION `Edit`/`Remove`/`Complete`, ACTION empty (the
//!   admin fills it in). UTF-8 without BOM, CRLF line ends, as IdFix writes.
//! * Unlike IdFix, every data cell is quoted per RFC 4180 (inner `"` doubled) by the `csv`
//!   crate, so commas, quotes, line breaks and leading/trailing white space survive a round
//!   trip.
//! * Spreadsheet formula neutralisation: a cell that begins with `=`, `+`, `-`, `@`, TAB or
//!   CR gets one leading `'`. So that this is reversible, a cell that begins with one or
//!   more `'` followed by one of those characters also gets one more `'`. The reader
//!   removes exactly one leading `'` from a cell that begins with `'`+ followed by one of
//!   those characters, and nothing else.
//!
//! Reader contract ([`read_csv`]): accepts ldifix's files and IdFix's own exports:
//! * UTF-8 (BOM optional; each byte that is not part of valid UTF-8 read as Windows-1252,
//!   as a spreadsheet's "CSV" save mixes them) or UTF-16 with BOM.
//! * Cells separated by `,` (IdFix), or by `;` or TAB when the header line holds more of
//!   those (a spreadsheet saving in a locale whose list separator is `;`, Excel's
//!   "Unicode Text"); quoting rules are the same for each.
//! * The header row is matched case-insensitively, in any column order; DISTINGUISHEDNAME,
//!   ATTRIBUTE, VALUE, UPDATE and ACTION are required, the others optional (IdFix before
//!   2.6 had no COMMONNAME); unknown columns are ignored; a repeated column is an error.
//! * Fields: `"…"` quoted (with `""` for a quote, line breaks allowed) or unquoted. As IdFix
//!   writes them, an unquoted cell may contain `"` (taken literally), and a quoted cell may
//!   contain a lone `"` that is not followed by a delimiter (taken literally) — except at the
//!   start of a line: there it is the next row's opening quote, and the field's own closing
//!   quote is missing, an error (as is the end of the file inside quotes).
//! * IdFix reads with `TrimWhiteSpace = true`: unquoted cells are trimmed of white space;
//!   quoted cells are kept exactly (so ldifix's own cells round-trip).
//! * ACTION is kept only if it is exactly one of `EDIT`, `REMOVE`, `COMPLETE`, `UNDO`,
//!   `FAIL` (case-sensitive, as IdFix); otherwise it reads as no action, and the raw text is
//!   kept in [`CsvRow::action_text`] so the caller can warn.
//! * Blank lines are skipped. A row with more non-empty cells than there are columns is an
//!   error; missing trailing cells read as empty. Every row and error carries its 1-based
//!   line number.
//!
//! Update-file contract ([`read_update_file`]): IdFix's line format `key: value`; a
//! `distinguishedName:` line starts a new row, `commonName`, `objectClass`, `attribute`,
//! `error`, `value`, `update`, `action` fill it (keys case-sensitive, as IdFix); `-` and
//! blank lines separate records; other lines are ignored, as IdFix ignores them.

use std::io::{self, Write};

use crate::rules::Row;

use super::text::{is_net_space, net_trim};

/// The header IdFix writes.
pub const HEADER: [&str; 9] = [
    "DISTINGUISHEDNAME",
    "COMMONNAME",
    "OBJECTCLASS",
    "ATTRIBUTE",
    "ERROR",
    "VALUE",
    "UPDATE",
    "PROPOSEDACTION",
    "ACTION",
];

/// Characters that make a spreadsheet read a cell as a formula.
fn is_formula_start(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// Whether `s` is `'`* followed by a formula-start character.
fn quotes_then_formula(s: &str) -> bool {
    s.trim_start_matches('\'')
        .chars()
        .next()
        .is_some_and(is_formula_start)
}

/// The cell as written: with one leading `'` when it could be read as a formula (see the
/// module doc).
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    if quotes_then_formula(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The inverse of [`neutralize`].
pub fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if cell.starts_with('\'') && quotes_then_formula(rest) => rest,
        _ => cell,
    }
}

/// The nine cells of a row, before neutralisation.
pub fn row_cells(row: &Row) -> [String; 9] {
    let f = &row.finding;
    [
        row.entry.dn.clone(),
        row.entry.cn.clone(),
        row.object_class.clone(),
        f.attribute.to_string(),
        f.errors
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        f.value.clone(),
        f.update.clone().unwrap_or_default(),
        f.action.as_str().to_string(),
        String::new(),
    ]
}

/// Write the IdFix CSV for `rows` (in the given order) to `w`.
pub fn write_csv<W: Write>(w: W, rows: &[Row]) -> io::Result<()> {
    let mut w = w;
    w.write_all(HEADER.join(",").as_bytes())?;
    w.write_all(b"\r\n")?;
    let mut cw = ::csv::WriterBuilder::new()
        .quote_style(::csv::QuoteStyle::Always)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(w);
    for row in rows {
        let cells = row_cells(row);
        cw.write_record(cells.iter().map(|c| neutralize(c).into_owned()))
            .map_err(csv_to_io)?;
    }
    cw.flush()
}

fn csv_to_io(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// The IdFix CSV for `rows` as bytes.
pub fn to_csv(rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_csv(&mut out, rows);
    out
}

/// ACTION values IdFix accepts in its grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvAction {
    /// `EDIT`: set the value to UPDATE (remove it when UPDATE is empty).
    Edit,
    /// `REMOVE`: remove the value.
    Remove,
    /// `COMPLETE`: nothing to do.
    Complete,
    /// `UNDO`: put VALUE back.
    Undo,
    /// `FAIL`: a failed apply (nothing to do).
    Fail,
}

impl CsvAction {
    /// IdFix's exact, case-sensitive parse.
    pub fn parse(s: &str) -> Option<CsvAction> {
        match s {
            "EDIT" => Some(CsvAction::Edit),
            "REMOVE" => Some(CsvAction::Remove),
            "COMPLETE" => Some(CsvAction::Complete),
            "UNDO" => Some(CsvAction::Undo),
            "FAIL" => Some(CsvAction::Fail),
            _ => None,
        }
    }

    /// The grid string.
    pub fn as_str(self) -> &'static str {
        match self {
            CsvAction::Edit => "EDIT",
            CsvAction::Remove => "REMOVE",
            CsvAction::Complete => "COMPLETE",
            CsvAction::Undo => "UNDO",
            CsvAction::Fail => "FAIL",
        }
    }
}

/// One data row of an IdFix-format CSV.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvRow {
    /// 1-based line where the row starts.
    pub line: u64,
    /// DISTINGUISHEDNAME.
    pub dn: String,
    /// COMMONNAME (empty when the column is absent).
    pub cn: String,
    /// OBJECTCLASS.
    pub object_class: String,
    /// ATTRIBUTE (as written: IdFix uses `mailnickname` in lower case).
    pub attribute: String,
    /// ERROR (`", "`-separated names).
    pub error: String,
    /// VALUE.
    pub value: String,
    /// UPDATE.
    pub update: String,
    /// PROPOSEDACTION (`Edit`, `Remove`, `Complete`, or empty).
    pub proposed_action: String,
    /// ACTION, when it is one IdFix accepts.
    pub action: Option<CsvAction>,
    /// ACTION as written (trimmed), to report values IdFix would ignore.
    pub action_text: String,
}

/// Why an IdFix CSV or update file could not be read. Displayed as `LINE: expected …`:
/// the caller puts the file name and `:` in front (`edited.csv:3: expected …`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The file has no header line.
    #[error("{line}: expected the header DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION, found an empty file")]
    Empty {
        /// Line number.
        line: u64,
    },
    /// A required column is missing from the header.
    #[error("{line}: expected a column {column} in the header (DISTINGUISHEDNAME, ATTRIBUTE, VALUE, UPDATE and ACTION are needed), found none")]
    MissingColumn {
        /// Line number.
        line: u64,
        /// The column.
        column: &'static str,
    },
    /// A column appears twice in the header.
    #[error("{line}: expected each column once in the header, found {column} twice")]
    DuplicateColumn {
        /// Line number.
        line: u64,
        /// The column.
        column: String,
    },
    /// A quoted field is not closed before the end of the file.
    #[error("{line}: expected a closing '\"' for the field opened at line {opened}, found the end of the file (was the file cut short?)")]
    Unterminated {
        /// Line number: the last line of the file.
        line: u64,
        /// Line of the field's opening quote.
        opened: u64,
    },
    /// A quoted field runs past its line into a line that starts with a `"` that does not
    /// close it: the opening quote of the next row, inside a field whose own closing quote
    /// is missing.
    #[error("{line}: expected a closing '\"' for the field opened at line {opened}, found a row starting inside it (is the '\"' missing at the end of the field?)")]
    RowInQuotes {
        /// Line number of the quote that starts a row.
        line: u64,
        /// Line of the field's opening quote.
        opened: u64,
    },
    /// A row has more cells than the header has columns.
    #[error("{line}: expected at most {expected} cells like the header, found {found} (a comma in an unquoted cell?)")]
    TooManyFields {
        /// Line number.
        line: u64,
        /// Cells found.
        found: usize,
        /// Columns in the header.
        expected: usize,
    },
    /// A row has fewer cells than the header has columns.
    #[error("{line}: expected {expected} cells like the header, found {found} (a cut row, or a value holding both ',' and '\"' that IdFix wrote without doubling its quotes: double them, \"Roe, \"\"Bob\"\"\")")]
    TooFewFields {
        /// Line number.
        line: u64,
        /// Cells found.
        found: usize,
        /// Columns in the header.
        expected: usize,
    },
    /// An update file line before any `distinguishedName:` line.
    #[error("{line}: expected a `distinguishedName:` line before `{key}:`")]
    NoRecord {
        /// Line number.
        line: u64,
        /// The key found.
        key: String,
    },
}

impl CsvError {
    /// The line the error is about.
    pub fn line(&self) -> u64 {
        match self {
            CsvError::Empty { line }
            | CsvError::MissingColumn { line, .. }
            | CsvError::DuplicateColumn { line, .. }
            | CsvError::Unterminated { line, .. }
            | CsvError::RowInQuotes { line, .. }
            | CsvError::TooManyFields { line, .. }
            | CsvError::TooFewFields { line, .. }
            | CsvError::NoRecord { line, .. } => *line,
        }
    }
}

/// Decode a text file: UTF-16 with BOM, UTF-8 (BOM stripped), else UTF-8 where the bytes
/// are UTF-8 and Windows-1252 for each byte that is not.
///
/// A spreadsheet that opens a UTF-8 CSV without BOM reads it in its "ANSI" code page and
/// saves it back in that code page: the cells nobody touched come back as the same UTF-8
/// bytes, the ones typed in are Windows-1252. Reading every valid UTF-8 sequence as UTF-8
/// and each other byte as Windows-1252 gets both right (a whole-file Windows-1252 reading
/// would garble every untouched accented value). [`first_code_page_line`] says where the
/// second reading starts.
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (t, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return t.into_owned();
    }
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push_str(
                &encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(chunk.invalid())
                    .0,
            );
        }
    }
    out
}

/// The 1-based line of the first byte [`decode`] reads as Windows-1252, if any.
pub fn first_code_page_line(bytes: &[u8]) -> Option<u64> {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return None;
    }
    let at = std::str::from_utf8(bytes).err()?.valid_up_to();
    Some(1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64)
}

/// One parsed record: its first line and its cells (text, was quoted).
type Record = (u64, Vec<(String, bool)>);

/// Split CSV text into records (see the module doc for the accepted dialect) with cells
/// separated by `delim`. Works on bytes: every delimiter is ASCII, so slicing at them
/// keeps UTF-8 boundaries.
fn records(text: &str, delim: u8) -> Result<Vec<Record>, CsvError> {
    let b = text.as_bytes();
    let n = b.len();
    let is_blank = |c: u8| (c == b' ' || c == b'\t') && c != delim;
    let mut out = Vec::new();
    let mut i = 0;
    let mut line: u64 = 1;
    while i < n {
        // skip blank lines
        if b[i] == b'\n' || b[i] == b'\r' {
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            i += 1;
            line += 1;
            continue;
        }
        let start_line = line;
        let mut cells: Vec<(String, bool)> = Vec::new();
        loop {
            let mut j = i;
            while j < n && is_blank(b[j]) {
                j += 1;
            }
            if j < n && b[j] == b'"' {
                // quoted field
                let opened = line;
                let mut cell = String::new();
                let mut k = j + 1;
                loop {
                    let Some(q) = memchr::memchr(b'"', &b[k..]).map(|q| k + q) else {
                        let last = n.saturating_sub(1);
                        let line =
                            line + memchr::memchr_iter(b'\n', &b[k..last.max(k)]).count() as u64;
                        return Err(CsvError::Unterminated { line, opened });
                    };
                    let seg = &text[k..q];
                    line += seg.bytes().filter(|&c| c == b'\n').count() as u64;
                    cell.push_str(seg);
                    if b.get(q + 1) == Some(&b'"') {
                        cell.push('"');
                        k = q + 2;
                        continue;
                    }
                    let mut m = q + 1;
                    while m < n && is_blank(b[m]) {
                        m += 1;
                    }
                    if m >= n || b[m] == delim || matches!(b[m], b'\r' | b'\n') {
                        i = m;
                        break;
                    }
                    if matches!(b[q - 1], b'\r' | b'\n') {
                        return Err(CsvError::RowInQuotes { line, opened });
                    }
                    cell.push('"'); // a lone quote inside (IdFix does not escape)
                    k = q + 1;
                }
                cells.push((cell, true));
            } else {
                let k = memchr::memchr3(delim, b'\r', b'\n', &b[i..]).map_or(n, |k| i + k);
                cells.push((net_trim(&text[i..k]).to_string(), false));
                i = k;
            }
            // after a field: delimiter, end of line or end of input
            if i < n && b[i] == delim {
                i += 1;
                continue;
            }
            if i < n && b[i] == b'\r' {
                i += 1;
            }
            if i < n && b[i] == b'\n' {
                i += 1;
            }
            line += 1;
            break;
        }
        out.push((start_line, cells));
    }
    Ok(out)
}

/// Read an IdFix-format CSV (ldifix's or IdFix's own, possibly edited in a spreadsheet).
pub fn read_csv(bytes: &[u8]) -> Result<Vec<CsvRow>, CsvError> {
    let text = decode(bytes);
    // The header line's delimiter: `,` as IdFix writes, `;` where a spreadsheet saves
    // with a locale's list separator (de-DE, fr-FR, …), TAB for Excel's "Unicode Text".
    let first = text.trim_start_matches(['\r', '\n']);
    let recs = records(&text, crate::csvin::detect_delimiter(first.as_bytes()))?;
    let mut it = recs.into_iter();
    let Some((hline, header)) = it.next() else {
        return Err(CsvError::Empty { line: 1 });
    };
    // column index per known header
    let mut pos: [Option<usize>; 9] = [None; 9];
    for (i, (name, _)) in header.iter().enumerate() {
        // IdFix upper-cases its header in the system's culture: on a tr-TR system `i`
        // becomes `İ` (DİSTİNGUİSHEDNAME, ATTRİBUTE, ACTİON); read it as `I`.
        let upper = name
            .trim_matches(is_net_space)
            .to_uppercase()
            .replace('İ', "I");
        if let Some(k) = HEADER.iter().position(|h| *h == upper) {
            if pos[k].is_some() {
                return Err(CsvError::DuplicateColumn {
                    line: hline,
                    column: HEADER[k].to_string(),
                });
            }
            pos[k] = Some(i);
        }
    }
    for k in [0usize, 3, 5, 6, 8] {
        if pos[k].is_none() {
            return Err(CsvError::MissingColumn {
                line: hline,
                column: HEADER[k],
            });
        }
    }
    let width = header.len();
    let mut rows = Vec::new();
    for (line, cells) in it {
        if cells.len() > width && cells[width..].iter().any(|(c, _)| !c.is_empty()) {
            return Err(CsvError::TooManyFields {
                line,
                found: cells.len(),
                expected: width,
            });
        }
        // IdFix and spreadsheets write every cell of every row: a shorter row lost cells
        // (its ACTION among them), and dropping it would drop an edit silently.
        if cells.len() < width {
            return Err(CsvError::TooFewFields {
                line,
                found: cells.len(),
                expected: width,
            });
        }
        let get = |k: usize| -> String {
            pos[k]
                .and_then(|i| cells.get(i))
                .map(|(c, _)| unneutralize(c).to_string())
                .unwrap_or_default()
        };
        let action_text = get(8);
        rows.push(CsvRow {
            line,
            dn: get(0),
            cn: get(1),
            object_class: get(2),
            attribute: get(3),
            error: get(4),
            value: get(5),
            update: get(6),
            proposed_action: get(7),
            action: CsvAction::parse(&action_text),
            action_text,
        });
    }
    Ok(rows)
}

/// One change recorded in an IdFix `Update <stamp>.ldf` transaction file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateRow {
    /// 1-based line of its `distinguishedName:` line.
    pub line: u64,
    /// `distinguishedName`.
    pub dn: String,
    /// `commonName` (IdFix does not write it; empty then).
    pub cn: String,
    /// `objectClass`.
    pub object_class: String,
    /// `attribute`.
    pub attribute: String,
    /// `error`.
    pub error: String,
    /// `value`: the value before IdFix's change.
    pub value: String,
    /// `update`: the value IdFix wrote (for REMOVE, the stale UPDATE text, §8.7).
    pub update: String,
    /// `action` as written (`Edit`, `Remove`, `Undo`); IdFix ignores it when loading.
    pub action: String,
}

/// Read an IdFix `Update <stamp>.ldf` transaction file (text already decoded; use
/// [`decode`] for bytes).
pub fn read_update_file(text: &str) -> Result<Vec<UpdateRow>, CsvError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut rows: Vec<UpdateRow> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i as u64 + 1;
        let l = raw.strip_suffix('\r').unwrap_or(raw);
        let Some(p) = l.find(": ") else {
            continue;
        };
        let (key, value) = (&l[..p], l[p + 2..].to_string());
        if key == "distinguishedName" {
            rows.push(UpdateRow {
                line,
                dn: value,
                ..UpdateRow::default()
            });
            continue;
        }
        let known = matches!(
            key,
            "commonName" | "objectClass" | "attribute" | "error" | "value" | "update" | "action"
        );
        if !known {
            continue;
        }
        let Some(row) = rows.last_mut() else {
            return Err(CsvError::NoRecord {
                line,
                key: key.to_string(),
            });
        };
        match key {
            "commonName" => row.cn = value,
            "objectClass" => row.object_class = value,
            "attribute" => row.attribute = value,
            "error" => row.error = value,
            "value" => row.value = value,
            "update" => row.update = value,
            _ => row.action = value,
        }
    }
    Ok(rows)
}
