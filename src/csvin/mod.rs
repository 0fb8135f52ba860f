//! CSV exports as input: `csvde` output and PowerShell `Export-Csv` files, read into the
//! same [`ldif::Record`](crate::ldif::Record) model as LDIF so every command takes them
//! unchanged (formats.md §3).
//!
//! Contract:
//! - [`detect`] picks the format from content (after BOM/UTF-16 handling, which
//!   [`source::Input`](crate::source::Input) does): LDIF when the first non-comment,
//!   non-blank line starts with `dn:`/`version:`; csvde when the first line is a CSV
//!   header whose first column is `DN`; PowerShell when the file starts with `#TYPE ` or
//!   the header has a `DistinguishedName` column. Anything else is LDIF, so the LDIF
//!   parser's error explains what is wrong.
//! - [`records`] / [`Records::new`] yield `Result<ldif::Item, ldif::ParseError>` like
//!   [`ldif::Parser`](crate::ldif::Parser): for CSV, one content record (`Body::Attrs`,
//!   owned values) per row, with `line` = the CSV physical line where the row starts and
//!   `offset` = its byte offset in the decoded input. A bad row is an error for that row
//!   only; iteration goes on with the next row.
//! - Quotes: a quoted field still open at the end of the file (an export cut short) is an
//!   error naming the line where it opened, not a field holding the rest of the file; a
//!   quoted field that runs past its line and is ended by a `"` followed by text (the next
//!   row's opening quote: its own closing quote is missing) is an error for that row.
//! - Encoding: a CSV without BOM is read as UTF-8 when it is valid UTF-8, else as
//!   Windows-1252 (transcoded to UTF-8) with one warning. Offsets then refer to the
//!   transcoded text; line numbers are those of the file.
//! - csvde: multi-values are joined with `;` and a `;` inside a value cannot be escaped.
//!   A field whose `;`-split is doubtful (an X.400 proxy address, or pieces that do not
//!   look like values of the attribute) is split by a best guess and *reported* as a
//!   warning naming the line — never guessed silently. `X'hex'` fields are decoded to bytes.
//! - PowerShell: property names are mapped case-insensitively to LDAP names
//!   (`Surname` → `sn`, …); only attributes that are multi-valued in AD are split, on `;`
//!   or the character given to [`Records::with_csv_join`] (`--csv-join`);
//!   a cell holding the type name `Microsoft.ActiveDirectory.Management.ADPropertyValueCollection`
//!   (values never exported) is an error for a checked attribute, naming line and column
//!   and the `-join` that exports it. Without an objectClass column, the class a
//!   `#TYPE …ADUser`/`ADGroup`/`ADComputer` line names is given to every row; with
//!   neither, one warning at the header says that no row can be scoped.
//!
//! Warnings are collected like the LDIF parser's: call [`Records::take_warnings`].

mod csvde;
mod detect;
mod pwsh;
mod reader;

use std::borrow::Cow;

use crate::ldif::{Fault, Item, Limits, ParseError, Parser, Warning};

pub use detect::{detect, detect_delimiter};
pub use reader::CsvReader;

/// The format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum InputFormat {
    /// Detect from content (LDIF, csvde or PowerShell CSV; see `detect`).
    #[default]
    Auto,
    /// LDIF (ldifde, ldapsearch, slapcat, ldbsearch).
    Ldif,
    /// `csvde` output: `DN` first column, multi-values joined with `;`, binary as `X'hex'`.
    Csvde,
    /// PowerShell `Export-Csv` of `Get-ADUser`/`Get-ADObject`… objects.
    #[value(name = "csv", alias = "pwsh", alias = "powershell")]
    PwshCsv,
}

impl InputFormat {
    /// This format, or the detected one for [`InputFormat::Auto`]. Never returns `Auto`.
    pub fn resolve(self, bytes: &[u8]) -> InputFormat {
        match self {
            InputFormat::Auto => detect(bytes),
            f => f,
        }
    }

    /// A short name for messages (`ldif`, `csvde`, `csv`).
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Ldif => "ldif",
            InputFormat::Csvde => "csvde",
            InputFormat::PwshCsv => "csv",
        }
    }
}

/// Records from an input of any format: the LDIF parser or a CSV reader behind one
/// iterator, so commands need not care which. (The LDIF parser, the common case, is
/// kept inline; the CSV reader is boxed.)
#[allow(clippy::large_enum_variant)]
pub enum Records<'a> {
    /// An LDIF input.
    Ldif(Parser<'a>),
    /// A csvde or PowerShell CSV input.
    Csv(Box<CsvReader<'a>>),
}

impl<'a> Records<'a> {
    /// A reader over `bytes` (BOM removed / UTF-16 transcoded, as
    /// [`source::Input::bytes`](crate::source::Input::bytes) gives them) in `format`
    /// (`Auto` detects), with size limits.
    pub fn new(bytes: &'a [u8], format: InputFormat, limits: Limits) -> Records<'a> {
        match format.resolve(bytes) {
            InputFormat::Csvde => Records::Csv(Box::new(CsvReader::new(
                bytes,
                reader::Dialect::Csvde,
                limits,
            ))),
            InputFormat::PwshCsv => Records::Csv(Box::new(CsvReader::new(
                bytes,
                reader::Dialect::Pwsh,
                limits,
            ))),
            InputFormat::Ldif | InputFormat::Auto => {
                Records::Ldif(Parser::with_limits(bytes, limits))
            }
        }
    }

    /// Report the records holding `faults` (places the input could not be decoded) as
    /// bad records ([`Parser::with_faults`]). Only the LDIF parser can: for a CSV input
    /// with faults, `None`, and the caller refuses the file
    /// ([`source::Input::first_fault`](crate::source::Input::first_fault)).
    pub fn with_faults(self, faults: &[Fault]) -> Option<Records<'a>> {
        match self {
            Records::Ldif(p) if !faults.is_empty() => {
                Some(Records::Ldif(p.with_faults(faults.to_vec())))
            }
            Records::Csv(_) if !faults.is_empty() => None,
            other => Some(other),
        }
    }

    /// PowerShell CSV: multi-valued columns were joined with `join` (`-join '|'`)
    /// rather than `;`. No effect on LDIF and csvde input.
    pub fn with_csv_join(self, join: u8) -> Records<'a> {
        match self {
            Records::Csv(c) => Records::Csv(Box::new(c.with_join(join))),
            other => other,
        }
    }

    /// The format being read (never `Auto`).
    pub fn format(&self) -> InputFormat {
        match self {
            Records::Ldif(_) => InputFormat::Ldif,
            Records::Csv(c) => c.format(),
        }
    }

    /// Warnings gathered so far (taken out of the reader).
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        match self {
            Records::Ldif(p) => p.take_warnings(),
            Records::Csv(c) => c.take_warnings(),
        }
    }

    /// Checked attributes the input has no column for ([`CsvReader::unexported`]; none
    /// for LDIF).
    pub fn unexported(&self) -> u32 {
        match self {
            Records::Ldif(_) => 0,
            Records::Csv(c) => c.unexported(),
        }
    }

    /// Byte offset reached in the (decoded) input, for progress.
    pub fn position(&self) -> usize {
        match self {
            Records::Ldif(p) => p.position(),
            Records::Csv(c) => CsvReader::position(c),
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Item<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Records::Ldif(p) => p.next(),
            Records::Csv(c) => c.next(),
        }
    }
}

/// Records of `bytes` in `format` (`Auto` detects) with default limits.
/// Whether `bytes` is a CSV that Windows PowerShell 5.1's `Export-Csv` wrote in its
/// default ASCII encoding (a `#TYPE` line, every byte ASCII): there every character it
/// could not write became `?`, so a `?` in a DN or value may stand for a lost letter.
pub fn is_ascii_pwsh51(bytes: &[u8]) -> bool {
    bytes.is_ascii() && reader::header_start(bytes).2.is_some()
}

pub fn records(bytes: &[u8], format: InputFormat) -> Records<'_> {
    Records::new(bytes, format, Limits::default())
}

/// The text of a CSV file: borrowed when it is valid UTF-8, else read as Windows-1252
/// and transcoded, with the warning that says so (at the line of the first byte that is
/// not UTF-8). A UTF-8 BOM, if still present, is skipped.
pub fn decode_csv_text(bytes: &[u8]) -> (Cow<'_, [u8]>, Option<Warning>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(_) => (Cow::Borrowed(bytes), None),
        Err(e) => {
            let at = e.valid_up_to();
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            let warning = Warning {
                line,
                message: "the file is not valid UTF-8, so it was read as Windows-1252 (ANSI, \
                          what csvde without -u and Export-Csv -Encoding Default write); if \
                          names look wrong, export again as Unicode (csvde -u, or Export-Csv \
                          -Encoding UTF8)"
                    .to_string(),
            };
            (Cow::Owned(text.into_owned().into_bytes()), Some(warning))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed_and_1252_is_transcoded_with_one_warning() {
        let (t, w) = decode_csv_text(b"DN,sn\n\"CN=a\",b\n");
        assert!(matches!(t, Cow::Borrowed(_)));
        assert!(w.is_none());
        let (t, w) = decode_csv_text(b"DN,sn\n\"CN=a\",M\xfcller\n\"CN=b\",\x80\n");
        assert_eq!(&*t, "DN,sn\n\"CN=a\",Müller\n\"CN=b\",€\n".as_bytes());
        let w = w.expect("a warning");
        assert_eq!(w.line, 2);
        assert!(w.message.contains("Windows-1252"));
    }

    #[test]
    fn records_dispatches_on_detected_format() {
        let r = records(b"dn: CN=a\ncn: a\n", InputFormat::Auto);
        assert_eq!(r.format(), InputFormat::Ldif);
        let r = records(b"DN,cn\n\"CN=a\",a\n", InputFormat::Auto);
        assert_eq!(r.format(), InputFormat::Csvde);
        let r = records(b"\"DistinguishedName\",\"Name\"\n", InputFormat::Auto);
        assert_eq!(r.format(), InputFormat::PwshCsv);
        let r = records(b"DN,cn\n", InputFormat::Ldif);
        assert_eq!(r.format(), InputFormat::Ldif);
    }

    #[test]
    fn value_enum_names() {
        use clap::ValueEnum;
        let names: Vec<String> = InputFormat::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        assert_eq!(names, ["auto", "ldif", "csvde", "csv"]);
        assert_eq!(
            InputFormat::from_str("pwsh", true).ok(),
            Some(InputFormat::PwshCsv)
        );
    }
}
