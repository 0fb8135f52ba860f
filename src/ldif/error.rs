//! Typed parse errors and warnings. Every error knows the physical line where the
//! problem is and the line where its record starts; the file name is added by the caller.

use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A line that should be `name: value` has no `:` after the name.
    MissingColon {
        /// The text before the end of the line (the would-be attribute name), shortened.
        name: String,
    },
    /// The attribute description is not valid.
    BadAttributeName {
        /// The name as written, shortened.
        name: String,
    },
    /// The record does not start with `dn:`.
    ExpectedDn {
        /// What the first line starts with, shortened.
        found: String,
    },
    /// A `version:` line that is not the first line of the file, or not `1`.
    BadVersion {
        /// Explanation.
        detail: String,
    },
    /// Invalid base64 after `::`.
    BadBase64 {
        /// The attribute whose value is bad.
        attr: String,
        /// Index in the unfolded line where the decoder stopped.
        at: usize,
        /// The byte it could not decode there (`None`: bad length or padding).
        found: Option<u8>,
    },
    /// A continuation line (starting with a space) where no line can be continued.
    UnexpectedContinuation,
    /// An unknown `changetype:` value.
    BadChangeType {
        /// The value found.
        found: String,
    },
    /// Something else was expected at this point of a change record.
    Expected {
        /// What the grammar wanted.
        expected: String,
        /// What was there, shortened.
        found: String,
    },
    /// A `control:` line that is malformed or on a content record.
    BadControl {
        /// Explanation.
        detail: String,
    },
    /// A configured size limit was exceeded.
    Limit {
        /// Which limit and its value.
        detail: String,
    },
    /// The UTF-16 input is malformed (odd length, unpaired surrogate).
    BadUtf16 {
        /// Explanation.
        detail: String,
    },
    /// A record whose DN is given but that has no attribute lines.
    EmptyRecord,
    /// The search that wrote the file ended with a result other than success
    /// (ldapsearch's `result: 4 Size limit exceeded` trailer): entries are missing.
    IncompleteSearch {
        /// The `result:` value as written.
        result: String,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::MissingColon { name } => {
                write!(f, "expected ':' after attribute name \"{name}\"")
            }
            ErrorKind::BadAttributeName { name } => write!(
                f,
                "invalid attribute description \"{name}\" (expected a name of letters, digits and '-', or an OID, with optional ;options)"
            ),
            ErrorKind::ExpectedDn { found } => write!(
                f,
                "expected a record starting with 'dn:', found \"{found}\""
            ),
            ErrorKind::BadVersion { detail } => write!(f, "{detail}"),
            ErrorKind::BadBase64 { attr, found, .. } => {
                write!(
                    f,
                    "invalid base64 value after \"{attr}::\" (expected the characters A-Z a-z 0-9 + / and '=' padding"
                )?;
                match found {
                    Some(b) if b.is_ascii_graphic() => write!(f, ", found '{}')", *b as char),
                    Some(b) => write!(f, ", found byte 0x{b:02X})"),
                    None => write!(f, ", found a length or padding no base64 text has)"),
                }
            }
            ErrorKind::UnexpectedContinuation => write!(
                f,
                "unexpected continuation line (expected an attribute line or an empty line: a line starting with a space must continue a non-empty line)"
            ),
            ErrorKind::BadChangeType { found } => write!(
                f,
                "unknown changetype \"{found}\" (expected add, delete, modify, modrdn or moddn)"
            ),
            ErrorKind::Expected { expected, found } => {
                write!(f, "expected {expected}, found \"{found}\"")
            }
            ErrorKind::BadControl { detail } => write!(f, "invalid control: {detail}"),
            ErrorKind::Limit { detail } => write!(f, "limit exceeded: {detail}"),
            ErrorKind::BadUtf16 { detail } => write!(f, "malformed UTF-16: {detail}"),
            ErrorKind::EmptyRecord => write!(
                f,
                "expected at least one attribute line after the 'dn:' line"
            ),
            ErrorKind::IncompleteSearch { result } => write!(
                f,
                "the search that wrote this export ended with 'result: {result}' (expected 'result: 0 Success'): the export lacks entries the search did not return, so their values cannot be checked or compared"
            ),
        }
    }
}

/// A parse error at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// 1-based physical line of the problem.
    pub line: u64,
    /// 1-based line where the record containing the problem starts, if known.
    pub record_line: Option<u64>,
    /// Byte offset of the problem in the (decoded) input.
    pub offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.kind)?;
        if let Some(r) = self.record_line {
            if r != self.line {
                write!(f, " (record starting at line {r})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

impl ParseError {
    /// Move the error `by` lines down (its line and its record's line): for an error
    /// found in a stretch of input whose first line is known only later.
    pub fn shift_lines(&mut self, by: u64) {
        self.line += by;
        self.record_line = self.record_line.map(|l| l + by);
    }

    /// What the user can do next, in plain words, for the kinds of error where there is a
    /// usual cause.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.kind {
            ErrorKind::MissingColon { .. } => "every line of a record is 'name: value'; a folded line continues with exactly one leading space — is this an LDIF export (ldifde -f, ldapsearch)? CSV exports are read with --input-format csvde or csv",
            ErrorKind::ExpectedDn { .. } => "a record starts with 'dn:'; an empty line inside a record ends it, so check the lines just before this one",
            ErrorKind::UnexpectedContinuation => "remove the leading space, or the empty line above it that ended the record",
            ErrorKind::BadBase64 { .. } => "a value after '::' must be base64; for plain text use a single ':'",
            ErrorKind::Limit { .. } => "if the file is trusted, raise the limit with the option named in the message",
            ErrorKind::BadUtf16 { .. } => "the file is damaged or was cut short; export it again (ldifde -u writes UTF-16LE with a byte-order mark)",
            ErrorKind::BadVersion { .. } => "only 'version: 1' is allowed, and only as the first line",
            ErrorKind::IncompleteSearch { .. } => "export again so that every object comes: ldapsearch with paging (-E pr=1000/noprompt; Active Directory returns at most 1000 entries per page), with the rights to read every object, from the domain's own naming context; or ldifde, which pages by itself",
            _ => return None,
        })
    }
}

/// A non-fatal observation made while parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based physical line.
    pub line: u64,
    /// What was noticed.
    pub message: String,
}

/// Shorten a byte string for an error message. C0 control characters and DEL are escaped
/// (`\t`, `\r`, `\n`, `\u{1b}`, …) so that no input byte reaches the terminal as a
/// control; every other character is kept as it is.
pub(crate) fn snippet(b: &[u8]) -> String {
    const MAX: usize = 60;
    let mut s = String::with_capacity(b.len().min(MAX) + 3);
    for c in String::from_utf8_lossy(&b[..b.len().min(MAX)]).chars() {
        if c.is_ascii_control() {
            s.extend(c.escape_default());
        } else {
            s.push(c);
        }
    }
    if b.len() > MAX {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_escapes_control_characters_only() {
        assert_eq!(
            snippet(b"a\0b\x1b[31mc\x7fd\te\r\nf\x08"),
            "a\\u{0}b\\u{1b}[31mc\\u{7f}d\\te\\r\\nf\\u{8}"
        );
        // Other Unicode, backslashes and quotes are kept.
        let text = "CN=Jörg\\, Müller \"x\" \u{85}€😀";
        assert_eq!(snippet(text.as_bytes()), text);
        assert_eq!(snippet(b"\xff"), "\u{fffd}");
        // Shortened after 60 bytes of input, whatever the escapes add.
        let long = [0u8; 61];
        assert_eq!(snippet(&long), format!("{}…", "\\u{0}".repeat(60)));
        assert!(snippet(&long).chars().all(|c| !c.is_ascii_control()));
    }
}
