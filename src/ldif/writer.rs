//! The LDIF writer: content and change records with deterministic bytes.
//!
//! A DN or value is written base64 (`dn::`, `attr::`) exactly when it is not an RFC 2849
//! SAFE-STRING or ends with a space — that is, when it holds a byte outside 0x20–0x7E,
//! starts with SPACE, `:` or `<`, or ends with SPACE (formats.md §1.6, OpenLDAP's rule).
//! So every line written is 7-bit ASCII, which sidesteps ldifde's ANSI/Unicode question.
//! Folding is optional (default none: ldifde accepts long lines); when on, lines are cut
//! at `fold` bytes and continued with one leading space. Lines never end in a space.

use std::io::{self, Write};

use base64::Engine as _;

use super::record::{Body, Record, Value};

/// Line ending of written files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LineEnding {
    /// CR LF (ldifde, Windows).
    CrLf,
    /// LF (ldapmodify, ldbmodify).
    #[default]
    Lf,
}

impl LineEnding {
    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::CrLf => b"\r\n",
            LineEnding::Lf => b"\n",
        }
    }
}

/// How to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterOptions {
    /// Line ending.
    pub line_ending: LineEnding,
    /// Fold lines longer than this many bytes (at least 2); `None`: never fold.
    pub fold: Option<usize>,
    /// Start the file with an empty line (what ldifde users are told to do).
    pub leading_blank_line: bool,
    /// Write `version: 1` first.
    pub version_line: bool,
}

impl WriterOptions {
    /// The dialect `ldifde -i` imports: CRLF, leading empty line, no `version:`, no folding.
    pub fn ldifde() -> Self {
        WriterOptions {
            line_ending: LineEnding::CrLf,
            fold: None,
            leading_blank_line: true,
            version_line: false,
        }
    }
}

/// True when `b` must be written base64 (not a SAFE-STRING, or ends with a space).
pub fn needs_base64(b: &[u8]) -> bool {
    match (b.first(), b.last()) {
        (None, _) => false,
        (Some(&f), Some(&l)) => {
            f == b' ' || f == b':' || f == b'<' || l == b' ' || !all_printable(b)
        }
        _ => false,
    }
}

/// Every byte printable ASCII (0x20..=0x7e). Sixteen bytes at a time with no early exit
/// inside a block, which the compiler turns into vector instructions (a byte-by-byte
/// search stood out when writing a change for every user).
fn all_printable(b: &[u8]) -> bool {
    let printable = |c: u8| c.wrapping_sub(0x20) < 0x5f;
    let mut blocks = b.chunks_exact(16);
    for block in &mut blocks {
        if !block.iter().fold(true, |ok, &c| ok & printable(c)) {
            return false;
        }
    }
    blocks.remainder().iter().all(|&c| printable(c))
}

/// Writes records to `W`. Wrap `W` in a `BufWriter` for files.
pub struct LdifWriter<W: Write> {
    w: W,
    opts: WriterOptions,
    started: bool,
    line: Vec<u8>,
    /// Physical lines written so far (to map output lines to records).
    lines_written: u64,
}

impl<W: Write> LdifWriter<W> {
    /// A writer with `opts`.
    pub fn new(w: W, opts: WriterOptions) -> Self {
        LdifWriter {
            w,
            opts,
            started: false,
            line: Vec::with_capacity(256),
            lines_written: 0,
        }
    }

    /// The 1-based line number the next record's `dn:` line will have.
    pub fn next_record_line(&self) -> u64 {
        let header = if self.started {
            0
        } else {
            u64::from(self.opts.version_line) * 2 + u64::from(self.opts.leading_blank_line)
        };
        self.lines_written + header + 1
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            if self.opts.version_line {
                self.raw_line(b"version: 1")?;
                self.raw_line(b"")?;
            }
            if self.opts.leading_blank_line {
                self.raw_line(b"")?;
            }
        }
        Ok(())
    }

    fn raw_line(&mut self, l: &[u8]) -> io::Result<()> {
        self.w.write_all(l)?;
        self.w.write_all(self.opts.line_ending.bytes())?;
        self.lines_written += 1;
        Ok(())
    }

    /// Emit the line in `self.line`, folded if configured.
    fn flush_line(&mut self) -> io::Result<()> {
        let eol = self.opts.line_ending.bytes();
        match self.opts.fold {
            Some(width) if width >= 2 && self.line.len() > width => {
                let mut rest = &self.line[..];
                let (first, tail) = rest.split_at(width);
                self.w.write_all(first)?;
                self.w.write_all(eol)?;
                self.lines_written += 1;
                rest = tail;
                while !rest.is_empty() {
                    let n = rest.len().min(width - 1);
                    self.w.write_all(b" ")?;
                    self.w.write_all(&rest[..n])?;
                    self.w.write_all(eol)?;
                    self.lines_written += 1;
                    rest = &rest[n..];
                }
            }
            _ => {
                // One write per line: the line end goes into the line's buffer.
                self.line.extend_from_slice(eol);
                self.w.write_all(&self.line)?;
                self.lines_written += 1;
            }
        }
        self.line.clear();
        Ok(())
    }

    /// Write `name: value` (or `name:: base64` when needed) as one logical line.
    pub fn attr(&mut self, name: &str, value: &[u8]) -> io::Result<()> {
        self.line.extend_from_slice(name.as_bytes());
        push_value(&mut self.line, value);
        self.flush_line()
    }

    /// Write `name:< url`. Bytes a URL cannot hold (outside printable ASCII) are
    /// percent-encoded, so the output stays 7-bit ASCII.
    pub fn url_attr(&mut self, name: &str, url: &[u8]) -> io::Result<()> {
        self.line.extend_from_slice(name.as_bytes());
        self.line.extend_from_slice(b":< ");
        push_url(&mut self.line, url);
        self.flush_line()
    }

    /// Write a line as is (a keyword line such as `changetype: modify` or `-`).
    pub fn keyword_line(&mut self, text: &str) -> io::Result<()> {
        self.line.extend_from_slice(text.as_bytes());
        self.flush_line()
    }

    /// Write a keyword line `keyword: value` (a mod-spec line such as `replace: mail`).
    pub fn keyword_pair(&mut self, keyword: &str, value: &str) -> io::Result<()> {
        self.line.extend_from_slice(keyword.as_bytes());
        self.line.extend_from_slice(b": ");
        self.line.extend_from_slice(value.as_bytes());
        self.flush_line()
    }

    /// Begin a record: the separator before it (or the file header) and its `dn:` line.
    pub fn begin(&mut self, dn: &[u8]) -> io::Result<()> {
        self.start()?;
        self.attr("dn", dn)
    }

    /// End a record with its separating empty line.
    pub fn end(&mut self) -> io::Result<()> {
        self.raw_line(b"")
    }

    fn value(&mut self, name: &str, v: &Value<'_>) -> io::Result<()> {
        match v {
            Value::Bytes(b) => self.attr(name, b),
            Value::Url(u) => self.url_attr(name, u),
        }
    }

    /// Write one whole record.
    pub fn write_record(&mut self, rec: &Record<'_>) -> io::Result<()> {
        self.begin(&rec.dn)?;
        for c in &rec.controls {
            self.line.extend_from_slice(b"control: ");
            self.line.extend_from_slice(c.oid.as_bytes());
            self.line
                .extend_from_slice(if c.critical { b" true" } else { b" false" });
            match &c.value {
                None => {}
                Some(Value::Bytes(b)) => push_value(&mut self.line, b),
                Some(Value::Url(u)) => {
                    self.line.extend_from_slice(b":< ");
                    push_url(&mut self.line, u);
                }
            }
            self.flush_line()?;
        }
        if let Some(kind) = rec.change {
            let word = match &rec.changetype {
                Some(ct) if valid_keyword(ct) => ct.as_ref(),
                _ => kind.as_str(),
            };
            self.line.extend_from_slice(b"changetype: ");
            self.line.extend_from_slice(word.as_bytes());
            self.flush_line()?;
        }
        match &rec.body {
            Body::Attrs(attrs) => {
                for a in attrs {
                    self.value(&a.name, &a.value)?;
                }
            }
            Body::Delete => {}
            Body::Modify(mods) => {
                for m in mods {
                    self.line.extend_from_slice(m.op.as_str().as_bytes());
                    self.line.extend_from_slice(b": ");
                    self.line.extend_from_slice(m.attr.as_bytes());
                    self.flush_line()?;
                    for v in &m.values {
                        self.value(&m.attr, v)?;
                    }
                    self.keyword_line("-")?;
                }
            }
            Body::ModDn {
                newrdn,
                deleteoldrdn,
                newsuperior,
            } => {
                self.attr("newrdn", newrdn)?;
                self.keyword_line(if *deleteoldrdn {
                    "deleteoldrdn: 1"
                } else {
                    "deleteoldrdn: 0"
                })?;
                if let Some(ns) = newsuperior {
                    self.attr("newsuperior", ns)?;
                }
            }
        }
        self.end()
    }

    /// Flush and return the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.start()?;
        self.w.flush()?;
        Ok(self.w)
    }
}

fn valid_keyword(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphabetic())
}

fn push_url(line: &mut Vec<u8>, url: &[u8]) {
    for &c in url {
        if (0x21..=0x7e).contains(&c) {
            line.push(c);
        } else {
            line.extend_from_slice(format!("%{c:02X}").as_bytes());
        }
    }
}

fn push_value(line: &mut Vec<u8>, value: &[u8]) {
    if value.is_empty() {
        line.push(b':');
    } else if needs_base64(value) {
        line.extend_from_slice(b":: ");
        let start = line.len();
        let n = base64::encoded_len(value.len(), true).unwrap_or(0);
        line.resize(start + n, 0);
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(value, &mut line[start..])
            .unwrap_or(0);
        line.truncate(start + written);
    } else {
        line.extend_from_slice(b": ");
        line.extend_from_slice(value);
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::ldif::{Attr, ChangeKind, Item, Mod, ModOp, Parser};

    fn modify(dn: &str, upn: &str) -> Record<'static> {
        Record {
            offset: 0,
            line: 0,
            dn: Cow::Owned(dn.as_bytes().to_vec()),
            controls: vec![],
            change: Some(ChangeKind::Modify),
            changetype: None,
            body: Body::Modify(vec![Mod {
                op: ModOp::Replace,
                attr: Cow::Borrowed("userPrincipalName"),
                values: vec![Value::Bytes(Cow::Owned(upn.as_bytes().to_vec()))],
            }]),
        }
    }

    #[test]
    fn ldifde_change_file_bytes() {
        let mut w = LdifWriter::new(Vec::new(), WriterOptions::ldifde());
        w.write_record(&modify(
            "CN=Smith\\, John,OU=Sales,DC=contoso,DC=local",
            "john.smith@contoso.com",
        ))
        .unwrap();
        w.write_record(&modify("CN=Jörg,DC=contoso,DC=local", "jorg@contoso.com"))
            .unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "\r\ndn: CN=Smith\\, John,OU=Sales,DC=contoso,DC=local\r\nchangetype: modify\r\nreplace: userPrincipalName\r\nuserPrincipalName: john.smith@contoso.com\r\n-\r\n\r\n\
dn:: Q049SsO2cmcsREM9Y29udG9zbyxEQz1sb2NhbA==\r\nchangetype: modify\r\nreplace: userPrincipalName\r\nuserPrincipalName: jorg@contoso.com\r\n-\r\n\r\n"
        );
    }

    #[test]
    fn base64_decision_table() {
        assert!(!needs_base64(b""));
        assert!(!needs_base64(b"plain value"));
        assert!(needs_base64(b" lead"));
        assert!(needs_base64(b":colon"));
        assert!(needs_base64(b"<lt"));
        assert!(needs_base64(b"trail "));
        assert!(needs_base64("é".as_bytes()));
        assert!(needs_base64(b"a\rb"));
        assert!(needs_base64(b"a\x01b"));
        assert!(!needs_base64(b"a:b<c"));
    }

    #[test]
    fn printable_test_finds_any_byte_at_every_length_and_position() {
        for len in 0..50 {
            for at in 0..len {
                for bad in [0x00, 0x1f, 0x7f, 0x80, 0xff] {
                    let mut v = vec![b'a'; len];
                    v[at] = bad;
                    assert!(!all_printable(&v), "len {len} at {at} byte {bad:#x}");
                }
                for good in [0x20, 0x7e] {
                    let mut v = vec![b'a'; len];
                    v[at] = good;
                    assert!(all_printable(&v), "len {len} at {at} byte {good:#x}");
                }
            }
        }
    }
    #[test]
    fn folding_round_trips() {
        let long = "x".repeat(300);
        let rec = Record {
            offset: 0,
            line: 1,
            dn: Cow::Borrowed(b"cn=a"),
            controls: vec![],
            change: None,
            changetype: None,
            body: Body::Attrs(vec![Attr {
                name: Cow::Borrowed("description"),
                value: Value::Bytes(Cow::Owned(long.clone().into_bytes())),
            }]),
        };
        let opts = WriterOptions {
            fold: Some(76),
            ..Default::default()
        };
        let mut w = LdifWriter::new(Vec::new(), opts);
        w.write_record(&rec).unwrap();
        let out = w.finish().unwrap();
        assert!(out.split(|&c| c == b'\n').all(|l| l.len() <= 76));
        let parsed: Vec<_> = Parser::new(&out).map(|r| r.unwrap()).collect();
        match &parsed[0] {
            Item::Record(r) => assert_eq!(r.attrs()[0].value.as_bytes(), long.as_bytes()),
            _ => panic!(),
        }
    }

    #[test]
    fn url_values_stay_ascii() {
        let mut w = LdifWriter::new(Vec::new(), WriterOptions::default());
        w.begin(b"cn=a").unwrap();
        w.url_attr("jpegPhoto", "file:///tmp/ä b".as_bytes())
            .unwrap();
        let out = w.finish().unwrap();
        assert_eq!(out, b"dn: cn=a\njpegPhoto:< file:///tmp/%C3%A4%20b\n");
    }

    #[test]
    fn record_lines_are_tracked() {
        let mut w = LdifWriter::new(Vec::new(), WriterOptions::ldifde());
        assert_eq!(w.next_record_line(), 2);
        w.write_record(&modify("cn=a", "a@b.c")).unwrap();
        assert_eq!(w.next_record_line(), 8);
    }
}
