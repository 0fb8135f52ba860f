//! Splitting inputs into chunks that parse on their own, so a multi-gigabyte export is
//! read on all cores.
//!
//! Contract:
//! - A chunk boundary is the start of a line that begins with `dn:` (ASCII
//!   case-insensitive) right after an *empty* line (`LF` or `CR LF` alone). An empty line
//!   always ends a record, a folded line and a comment with its continuation lines
//!   (those continue only on lines starting with a space), so a boundary never falls
//!   inside any of them, and the record after it cannot be a `version:` line, the only
//!   syntax whose meaning depends on what came before. Parsing the chunks one by one
//!   therefore yields exactly the items, errors and warnings of parsing the whole input,
//!   once positions are shifted ([`ChunkParser`] does it).
//! - Chunks of one input are contiguous, in order, and cover it completely; a chunk is
//!   at least the target size unless it is the input's last, and a record larger than
//!   the target simply makes its chunk larger.
//! - Line numbers stay exact: each chunk knows the physical line it starts on (the
//!   `LF`s before it, counted on all cores with memchr).

use std::ops::Range;

use memchr::memchr_iter;
use rayon::prelude::*;

use crate::ldif::{Fault, Item, Limits, ParseError, Parser, SearchResult, Warning};

/// Default target size of a chunk.
pub const DEFAULT_CHUNK_BYTES: usize = 8 << 20;

/// One stretch of one input, starting at a record boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// Index of the input it belongs to.
    pub input: usize,
    /// Index of the chunk among its input's chunks.
    pub seq: usize,
    /// Byte offset of its first byte in the input.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
    /// 1-based physical line of its first byte in the input.
    pub line: u64,
}

impl Chunk {
    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether it is empty (an empty input has one empty chunk).
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Its bytes, out of its input's bytes.
    pub fn bytes<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        input.get(self.start..self.end).unwrap_or(&[])
    }
}

/// The first record boundary strictly after `from` (see the module documentation), or
/// `None` when there is none.
pub fn next_boundary(bytes: &[u8], from: usize) -> Option<usize> {
    let from = from.min(bytes.len());
    for i in memchr_iter(b'\n', &bytes[from..]).map(|i| i + from) {
        // The line after the LF at `i` is empty when it is LF or CR LF alone.
        let after = match bytes.get(i + 1) {
            Some(b'\n') => i + 2,
            Some(b'\r') if bytes.get(i + 2) == Some(&b'\n') => i + 3,
            _ => continue,
        };
        if bytes
            .get(after..after + 3)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"dn:"))
        {
            return Some(after);
        }
    }
    None
}

/// Split one input at record boundaries into ranges of about `target` bytes (at least
/// one range, even for an empty input).
pub fn split(bytes: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut out = Vec::with_capacity(bytes.len() / target + 1);
    let mut start = 0;
    while bytes.len() - start > target {
        match next_boundary(bytes, start + target) {
            Some(p) if p < bytes.len() => {
                out.push(start..p);
                start = p;
            }
            _ => break,
        }
    }
    out.push(start..bytes.len());
    out
}

/// Chunks of every input, in input order then byte order, with their first lines
/// still unknown (`line` 0: a [`ChunkParser`] then reports lines relative to the
/// chunk, and [`LineBase`] makes them absolute once the chunks before are done).
pub fn chunks(inputs: &[&[u8]], target: usize) -> Vec<Chunk> {
    let mut chunks: Vec<Chunk> = Vec::new();
    for (input, bytes) in inputs.iter().enumerate() {
        for (seq, r) in split(bytes, target).into_iter().enumerate() {
            chunks.push(Chunk {
                input,
                seq,
                start: r.start,
                end: r.end,
                line: 0,
            });
        }
    }
    chunks
}

/// [`chunks`] with their first lines, counted up front on the current rayon pool.
pub fn plan(inputs: &[&[u8]], target: usize) -> Vec<Chunk> {
    let mut chunks = chunks(inputs, target);
    let lfs: Vec<u64> = chunks
        .par_iter()
        .map(|c| count_lf(c.bytes(inputs[c.input])))
        .collect();
    let mut base = LineBase::new(inputs.len());
    for (c, n) in chunks.iter_mut().zip(lfs) {
        c.line = base.shift(c, n) + 1;
    }
    chunks
}

/// Number of line feeds in `bytes`.
pub fn count_lf(bytes: &[u8]) -> u64 {
    memchr_iter(b'\n', bytes).count() as u64
}

/// Line feeds in a chunk, cheaply, once it is parsed: `last` is the (offset within the
/// chunk, chunk-relative line) of a line start seen while parsing (the last record's
/// `dn:` line); only the bytes after it are counted.
pub fn chunk_lfs(chunk_bytes: &[u8], last: Option<(usize, u64)>) -> u64 {
    match last {
        Some((off, line)) if off <= chunk_bytes.len() && line > 0 => {
            (line - 1) + count_lf(&chunk_bytes[off..])
        }
        _ => count_lf(chunk_bytes),
    }
}

/// Running first line of the next chunk of each input: feed it every chunk in order.
#[derive(Debug, Clone)]
pub struct LineBase {
    next: Vec<u64>,
}

impl LineBase {
    /// For `inputs` inputs.
    pub fn new(inputs: usize) -> Self {
        LineBase {
            next: vec![1; inputs],
        }
    }

    /// The number of lines before `chunk` (add it to the chunk's relative line
    /// numbers), given that the chunk holds `lfs` line feeds. Chunks of one input must
    /// come in order.
    pub fn shift(&mut self, chunk: &Chunk, lfs: u64) -> u64 {
        let Some(next) = self.next.get_mut(chunk.input) else {
            return 0;
        };
        if chunk.seq == 0 {
            *next = 1;
        }
        let before = *next - 1;
        *next += lfs;
        before
    }
}

/// A [`Parser`] over one chunk whose items, errors and warnings carry byte offsets in
/// the whole input, and line numbers in the whole input when the chunk's first line is
/// known (`line` > 0), else relative to the chunk (1 = its first line).
pub struct ChunkParser<'a> {
    parser: Parser<'a>,
    offset: usize,
    lines: u64,
}

impl<'a> ChunkParser<'a> {
    /// Parse `chunk` of `input` (the input's complete bytes).
    pub fn new(input: &'a [u8], chunk: &Chunk, limits: Limits) -> Self {
        ChunkParser {
            parser: Parser::with_limits(chunk.bytes(input), limits),
            offset: chunk.start,
            lines: chunk.line.saturating_sub(1),
        }
    }

    /// Keep attributes as `keep` says ([`Parser::with_attr_classes`]).
    pub fn with_attr_classes(mut self, keep: fn(&str) -> crate::ldif::Keep) -> Self {
        self.parser = self.parser.with_attr_classes(keep);
        self
    }

    /// Report the records holding the input's `faults` (offsets in the whole input) as
    /// bad ([`Parser::with_faults`]); only this chunk's faults are kept (a fault at the
    /// very end of the input belongs to its last chunk).
    pub fn with_faults(mut self, faults: &[Fault], chunk: &Chunk, input_len: usize) -> Self {
        let mine: Vec<Fault> = faults
            .iter()
            .filter(|f| {
                f.offset >= chunk.start
                    && (f.offset < chunk.end || (f.offset == chunk.end && chunk.end == input_len))
            })
            .map(|f| Fault {
                offset: f.offset - chunk.start,
                kind: f.kind.clone(),
            })
            .collect();
        if !mine.is_empty() {
            self.parser = self.parser.with_faults(mine);
        }
        self
    }

    /// Hand back a record's attribute vector for reuse ([`Parser::recycle`]).
    pub fn recycle(&mut self, attrs: Vec<crate::ldif::Attr<'a>>) {
        self.parser.recycle(attrs);
    }

    /// Warnings gathered so far, with input line numbers.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        let mut w = self.parser.take_warnings();
        for x in &mut w {
            x.line += self.lines;
        }
        w
    }

    /// An error of this chunk's parser with input positions.
    pub fn shift_error(&self, mut e: ParseError) -> ParseError {
        e.shift_lines(self.lines);
        e.offset += self.offset;
        e
    }
}

impl<'a> Iterator for ChunkParser<'a> {
    type Item = Result<Item<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.parser.next()? {
            Ok(Item::Record(mut r)) => {
                r.offset += self.offset;
                r.line += self.lines;
                Ok(Item::Record(r))
            }
            Ok(Item::Skipped {
                line,
                keyword,
                result,
            }) => Ok(Item::Skipped {
                line: line + self.lines,
                keyword,
                result: result.map(|r| SearchResult {
                    line: r.line + self.lines,
                    offset: r.offset + self.offset,
                    ..r
                }),
            }),
            Err(e) => Err(self.shift_error(e)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed<'a> = (Vec<Result<Item<'a>, ParseError>>, Vec<Warning>);

    fn whole(bytes: &[u8]) -> Parsed<'_> {
        let mut p = Parser::new(bytes);
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        while let Some(i) = p.next() {
            warnings.extend(p.take_warnings());
            items.push(i);
        }
        warnings.extend(p.take_warnings());
        (items, warnings)
    }

    fn chunked(bytes: &[u8], target: usize) -> Parsed<'_> {
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        for c in plan(&[bytes], target) {
            let mut p = ChunkParser::new(bytes, &c, Limits::default());
            while let Some(i) = p.next() {
                warnings.extend(p.take_warnings());
                items.push(i);
            }
            warnings.extend(p.take_warnings());
        }
        (items, warnings)
    }

    /// Like [`chunked`], but with line numbers made absolute after each chunk is parsed
    /// ([`chunks`], [`chunk_lfs`], [`LineBase`]), as `scan` does.
    fn chunked_relative(bytes: &[u8], target: usize) -> Parsed<'_> {
        let mut items = Vec::new();
        let mut warnings = Vec::new();
        let mut base = LineBase::new(1);
        for c in chunks(&[bytes], target) {
            assert_eq!(c.line, 0);
            let mut p = ChunkParser::new(bytes, &c, Limits::default());
            let mut mine = Vec::new();
            let mut my_warnings = Vec::new();
            let mut last = None;
            while let Some(i) = p.next() {
                my_warnings.extend(p.take_warnings());
                if let Ok(Item::Record(r)) = &i {
                    last = Some((r.offset - c.start, r.line));
                }
                mine.push(i);
            }
            my_warnings.extend(p.take_warnings());
            let shift = base.shift(&c, chunk_lfs(c.bytes(bytes), last));
            for i in &mut mine {
                match i {
                    Ok(Item::Record(r)) => r.line += shift,
                    Ok(Item::Skipped { line, result, .. }) => {
                        *line += shift;
                        if let Some(r) = result {
                            r.line += shift;
                        }
                    }
                    Err(e) => e.shift_lines(shift),
                }
            }
            for w in &mut my_warnings {
                w.line += shift;
            }
            items.extend(mine);
            warnings.extend(my_warnings);
        }
        (items, warnings)
    }

    /// Every kind of line that could confuse a splitter, in CRLF and LF.
    fn tricky(crlf: bool) -> Vec<u8> {
        let text = "version: 1\n\
            # a comment\n # its continuation\n\n\
            dn: CN=A,DC=x\ncn: A\ndescription: folded\n  over\n\n  dn: not a record\n\
            \n\
            dn: CN=B,DC=x\n# comment inside\n # continued\ncn: B\n \n\
            DN: CN=C,DC=x\nmail: c@x\n\t\n\
            dn:: Q049RCxEQz14\nsn:: w6Q=\n\n\n\n\
            search: 2\nresult: 0 Success\n\n\
            dn: CN=E,DC=x\nbroken line\n\n\
            version: 1\n\n\
            dn: CN=F,DC=x\nchangetype: modify\nreplace: mail\nmail: f@x\n-\n\n\
            dn: CN=G,DC=x\n\n\
            dn: CN=H,DC=x\ncn: H\nsn: \u{e4}\n";
        let mut s = text.repeat(7);
        if crlf {
            s = s.replace('\n', "\r\n");
        }
        s.into_bytes()
    }

    #[test]
    fn boundaries_only_before_dn_after_an_empty_line() {
        let b = b"dn: a\ncn: x\n \ndn: b\ncn: y\n\n dn: c\n\r\nDn: d\ncn: z\n";
        assert_eq!(next_boundary(b, 0), Some(b.len() - 12));
        assert_eq!(next_boundary(b, b.len() - 12), None);
        assert_eq!(next_boundary(b"", 5), None);
        assert_eq!(split(b"", 4), vec![0..0]);
    }

    #[test]
    fn chunked_parse_equals_whole_parse() {
        for crlf in [false, true] {
            let bytes = tricky(crlf);
            let want = whole(&bytes);
            assert!(want.0.iter().any(|i| i.is_err()));
            for target in [1, 2, 7, 30, 64, 100, 333, 1000, 1 << 20] {
                let got = chunked(&bytes, target);
                assert_eq!(got, want, "crlf {crlf} target {target}");
                let got = chunked_relative(&bytes, target);
                assert_eq!(got, want, "relative, crlf {crlf} target {target}");
                // The ranges tile the input.
                let cs = plan(&[&bytes], target);
                assert_eq!(cs[0].start, 0);
                assert_eq!(cs.last().map(|c| c.end), Some(bytes.len()));
                assert!(cs.windows(2).all(|w| w[0].end == w[1].start));
                if target < 1000 {
                    assert!(cs.len() > 5, "target {target}: {} chunks", cs.len());
                }
            }
        }
    }

    #[test]
    fn chunk_lines_count_every_lf_but_not_lone_cr() {
        let b = b"dn: a\rb\ncn: x\n\ndn: b\ncn: y\n\ndn: c\ncn: z\n";
        let cs = plan(&[&b[..], &b[..]], 1);
        let lines: Vec<(usize, u64)> = cs.iter().map(|c| (c.input, c.line)).collect();
        assert_eq!(lines, vec![(0, 1), (0, 4), (0, 7), (1, 1), (1, 4), (1, 7)]);
    }

    proptest::proptest! {
        #[test]
        fn random_inputs_split_anywhere(
            pieces in proptest::collection::vec(0usize..14, 0..60),
            target in 1usize..200,
        ) {
            const P: [&str; 14] = [
                "dn: CN=a,DC=x\n", "cn: a\n", "\n", "\r\n", " folded\n", "# c\n",
                " \n", "dn:: Q049YQ==\n", "version: 1\n", "x\n", "DN: b\n",
                "mail:: ???\n", "search: 1\n", "\t\n",
            ];
            let text: String = pieces.iter().map(|&i| P[i]).collect();
            let bytes = text.as_bytes();
            proptest::prop_assert_eq!(chunked(bytes, target), whole(bytes));
            proptest::prop_assert_eq!(chunked_relative(bytes, target), whole(bytes));
        }
    }
}
