//! Standard output. A reader that goes away (`ldifix dump x.ldf | head -1`) is not an
//! error, and says nothing: a command whose product is what it prints (`dump`, `rules`,
//! `man`, `completions`, `generate --list-kinds`) stops there with exit status 0, as
//! ripgrep does ([`StdoutError::is_closed`]); a command whose product is its files and
//! its exit status (`scan`, `fix`, `apply-csv`, `verify`) stops printing but finishes
//! its work, and its status keeps its meaning ([`unless_closed`]): a closed pipe must
//! not turn "findings" or "NOT safe to import" into 0. Any other failure to write is
//! an error (exit status 2): `cannot write to standard output: No space left on device`.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

/// Text from an export made safe for a terminal: control characters (C0, DEL, C1: ESC
/// starts the sequences that retitle a terminal, clear it or recolour what follows) are
/// written as `\u{1b}`. Other text is borrowed unchanged.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A failure to write standard output.
#[derive(Debug)]
pub struct StdoutError(io::Error);

impl StdoutError {
    /// Whether the reader went away (a closed pipe): not an error.
    pub fn is_closed(&self) -> bool {
        self.0.kind() == io::ErrorKind::BrokenPipe
    }
}

impl From<io::Error> for StdoutError {
    fn from(e: io::Error) -> StdoutError {
        StdoutError(e)
    }
}

impl From<serde_json::Error> for StdoutError {
    /// A serialisation to standard output that failed writing: the write's error.
    fn from(e: serde_json::Error) -> StdoutError {
        StdoutError(e.into())
    }
}

impl fmt::Display for StdoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The system's text without its " (os error 28)".
        let text = self.0.to_string();
        let text = match self.0.raw_os_error() {
            Some(code) => text
                .strip_suffix(&format!(" (os error {code})"))
                .unwrap_or(&text),
            None => &text,
        };
        write!(f, "cannot write to standard output: {text}")
    }
}

impl std::error::Error for StdoutError {}

/// Write `bytes` to standard output and flush it.
pub fn print(bytes: &[u8]) -> Result<(), StdoutError> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// The outcome of printing what a command says beside its product (a summary): a closed
/// pipe is not an error, and the command goes on.
pub fn unless_closed(printed: io::Result<()>) -> Result<(), StdoutError> {
    match printed {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(StdoutError),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_standard_output_and_the_reason() {
        let e = StdoutError(io::Error::from_raw_os_error(28));
        let text = e.to_string();
        assert!(
            text.starts_with("cannot write to standard output: "),
            "{text}"
        );
        assert!(!text.contains("os error"), "{text}");
        assert!(!e.is_closed());
        let e = StdoutError(io::Error::other("odd"));
        assert_eq!(e.to_string(), "cannot write to standard output: odd");
    }

    #[test]
    fn a_closed_pipe_is_not_an_error_beside_the_product() {
        let closed = || -> io::Result<()> { Err(io::ErrorKind::BrokenPipe.into()) };
        assert!(unless_closed(closed()).is_ok());
        assert!(StdoutError::from(closed().unwrap_err()).is_closed());
        let full = unless_closed(Err(io::Error::from_raw_os_error(28))).unwrap_err();
        assert!(!full.is_closed());
    }

    #[test]
    fn a_failed_serialisation_keeps_the_write_error() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let e = serde_json::to_writer(Closed, &[1, 2, 3]).unwrap_err();
        assert!(StdoutError::from(e).is_closed());
    }
}
