//! Reading the exports a change file is planned against: every input is opened (mapped
//! when possible) and parsed completely before anything is planned; a malformed input
//! stops the run (exit 2) with its file and line, so no change file is ever built from
//! half an export.

use std::path::PathBuf;

use rayon::prelude::*;

use crate::csvin::{InputFormat, Records};
use crate::ldif::{Item, Keep, Limits, ParseError, Warning};
use crate::model::{Attr, Entry, FileId, Spare};
use crate::pipeline::{self, Chunk, ChunkParser, LineBase};
use crate::source::Input;

/// Open every input. Errors carry the path.
pub fn open_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    if let Some(m) = crate::source::repeated_input(paths) {
        return Err(m);
    }
    let inputs: Vec<Input> = paths
        .iter()
        .map(|p| Input::open(p).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    match crate::source::identical_inputs(&inputs) {
        Some(m) => Err(m),
        None => Ok(inputs),
    }
}

/// Refuse an input that gave no object at all (an empty file, only comments, only change
/// records: almost always the wrong file) with scan's message for it, naming the first
/// such input; `entries` are those of `inputs`, as [`parse_entries`] returns them.
pub fn check_objects(inputs: &[Input], entries: &[Entry<'_>]) -> Result<(), String> {
    let mut seen = vec![false; inputs.len()];
    for e in entries {
        if let Some(s) = seen.get_mut(e.file as usize) {
            *s = true;
        }
    }
    match seen.iter().position(|s| !s) {
        None => Ok(()),
        Some(i) => Err(format!(
            "{}: no objects found (expected an export with 'dn:' records holding \
             attributes, or a csvde/Export-Csv file)\n  hint: check the file name, and \
             that the export command wrote data (ldifde -f FILE …)",
            inputs[i].name()
        )),
    }
}

/// Parse every input into entries (content and `changetype: add` records), in input
/// order. Warnings are printed to stderr; the first parse error is returned.
///
/// LDIF inputs are parsed on all cores, in chunks split at record boundaries (the scan's
/// pipeline), keeping only the attributes an [`Entry`] reads; the entries, warnings and
/// the first error come out in input order, exactly as a sequential read gives them.
pub fn parse_entries<'a>(
    inputs: &'a [Input],
    limits: Limits,
    format: InputFormat,
    csv_join: u8,
    quiet: bool,
) -> Result<Vec<Entry<'a>>, String> {
    parse_entries_with(
        inputs,
        limits,
        format,
        csv_join,
        quiet,
        Attr::read_class,
        &|_| (),
    )
    .map(|(entries, _)| entries)
}

/// [`parse_entries`], also computing `facts(entry)` for every entry right after it is
/// parsed, on the core that parsed it (while the entry is still in that core's cache),
/// returned in the same order as the entries. `facts` may also trim the entry (drop
/// values the caller will not read). LDIF inputs keep the attributes `classes` says
/// ([`Attr::read_class`] keeps every attribute an [`Entry`] knows); CSV inputs keep
/// every known attribute.
pub fn parse_entries_with<'a, T: Send>(
    inputs: &'a [Input],
    limits: Limits,
    format: InputFormat,
    csv_join: u8,
    quiet: bool,
    classes: fn(&str) -> Keep,
    facts: &(dyn Fn(&mut Entry<'a>) -> T + Sync),
) -> Result<(Vec<Entry<'a>>, Vec<T>), String> {
    let mut entries = Vec::new();
    let mut all_facts = Vec::new();
    let total: u64 = inputs.iter().map(|i| i.bytes().len() as u64).sum();
    let bar = crate::progress::bar("read", quiet, total, crate::progress::Unit::Bytes);
    let mut done = 0u64;
    for (i, input) in inputs.iter().enumerate() {
        let file = FileId::try_from(i).map_err(|_| "too many inputs".to_string())?;
        let name = input.name();
        let bytes = input.bytes();
        let located = |e: ParseError| match e.hint() {
            Some(h) => format!("{name}:{e}\n  hint: {h}"),
            None => format!("{name}:{e}"),
        };
        if format.resolve(bytes) == InputFormat::Ldif {
            // The chunks' first lines are not counted up front: each chunk counts its
            // line feeds after its last record, and its lines are made absolute below.
            let chunks = pipeline::chunks(&[bytes], pipeline::DEFAULT_CHUNK_BYTES);
            let parts: Vec<Part<'a, T>> = chunks
                .par_iter()
                .map(|c| {
                    let part = parse_chunk(bytes, c, file, limits, classes, facts);
                    bar.inc(c.len() as u64);
                    part
                })
                .collect();
            // One allocation of the final size: growing by doubling would copy the
            // entries several times and hold up to twice their size at the end.
            entries.reserve_exact(parts.iter().map(|p| p.entries.len()).sum());
            all_facts.reserve_exact(parts.iter().map(|p| p.facts.len()).sum());
            let mut lines = LineBase::new(1);
            let mut changes = Tally::default();
            let before = entries.len();
            for (c, mut part) in chunks.iter().zip(parts) {
                part.shift_lines(lines.shift(c, part.lfs));
                for w in &part.warnings {
                    eprintln!("{name}:{}: warning: {}", w.line, w.message);
                }
                if let Some(e) = part.error {
                    return Err(located(e));
                }
                changes.add(part.changes);
                entries.extend(part.entries);
                all_facts.extend(part.facts);
            }
            if let Some(line) = changes.first {
                eprintln!("{}", change_records_warning(&name, line, changes.n));
            }
            let records = (entries.len() - before) as u64 + changes.n;
            if let Some(e) = summary_error(&name, bytes, records) {
                return Err(e);
            }
        } else {
            let mut parser = Records::new(bytes, format, limits).with_csv_join(csv_join);
            while let Some(item) = parser.next() {
                for w in parser.take_warnings() {
                    eprintln!("{name}:{}: warning: {}", w.line, w.message);
                }
                match item {
                    Ok(Item::Record(r)) => {
                        if let Some(mut e) = Entry::from_record(file, r) {
                            e.unexported = parser.unexported();
                            all_facts.push(facts(&mut e));
                            entries.push(e);
                            if entries.len() % 4096 == 0 {
                                bar.set_position(done + parser.position() as u64);
                            }
                        }
                    }
                    Ok(skipped @ Item::Skipped { .. }) => {
                        if let Some(e) = skipped.failed_search() {
                            return Err(located(e));
                        }
                    }
                    Err(e) => return Err(located(e)),
                }
            }
        }
        done += bytes.len() as u64;
        bar.set_position(done);
    }
    bar.finish_and_clear();
    Ok((entries, all_facts))
}

/// How many records of an input had something a warning names, and the first one's line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// How many.
    pub n: u64,
    /// The first one's line.
    pub first: Option<u64>,
}

impl Tally {
    /// Count the record on `line`.
    pub fn note(&mut self, line: u64) {
        self.n += 1;
        self.first.get_or_insert(line);
    }

    /// Add the tally of a later stretch of the same input.
    pub fn add(&mut self, later: Tally) {
        self.n += later.n;
        self.first = self.first.or(later.first);
    }

    /// Add `by` to the first line (made absolute once the lines before are known).
    pub fn shift(&mut self, by: u64) {
        if let Some(l) = &mut self.first {
            *l += by;
        }
    }
}

/// `n` and `what`, plural when `n` is not 1: "1 record", "3 records".
pub fn counted(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The error for an ldapsearch or ldbsearch export (`bytes`, of which `records` records
/// with a DN were read) whose closing summary is missing or counts other entries: the
/// export was cut short or edited, and the objects it lost would go unchecked
/// ([`crate::ldif::summary`]). `None` for a whole export and for any other input.
pub fn summary_error(name: &str, bytes: &[u8], records: u64) -> Option<String> {
    let s = crate::ldif::summary::summary(bytes)?;
    let why = s.mismatch(records)?;
    Some(format!("{name}: {why}\n  hint: {}", s.hint()))
}

/// The warning for `n` change records (modify, delete, modrdn) in an export, the first
/// on `line` of input `name`: they are not entries, so nothing reads them.
pub fn change_records_warning(name: &str, line: u64, n: u64) -> String {
    let what = counted(n, "change record");
    format!(
        "{name}:{line}: warning: {what} (modify, delete or modrdn) not read (this is the first): an export's records are entries or 'changetype: add' (is this a change file?)"
    )
}

/// The warning for `n` records of input `name`, the first on `line`, holding a DN or a
/// value that is not valid UTF-8 (read as Windows-1252 for the checks); `then` says what
/// the command does with them.
pub fn non_utf8_warning(name: &str, line: u64, n: u64, then: &str) -> String {
    let what = counted(n, "record") + if n == 1 { " holds" } else { " hold" };
    format!(
        "{name}:{line}: warning: {what} a DN or value that is not valid UTF-8 (this is the first): read as Windows-1252 for the checks{then}; export again as Unicode (ldifde -u) to be sure of the text"
    )
}

/// Mark the entries that may have lost characters in the export itself: a DN or value
/// holding `?` in a CSV Windows PowerShell 5.1 wrote in ASCII (its `Export-Csv` default,
/// which writes `?` for every character it cannot encode; a byte order mark or UTF-16
/// says the file was written as Unicode). Changes to them are refused
/// ([`crate::rewrite::plan::LOSSY_REASON`]).
pub fn mark_lossy(inputs: &[Input], entries: &mut [Entry<'_>]) {
    let ascii_51: Vec<bool> = inputs
        .iter()
        .map(|i| {
            i.encoding == crate::source::Encoding::Utf8 && crate::csvin::is_ascii_pwsh51(i.bytes())
        })
        .collect();
    if !ascii_51.contains(&true) {
        return;
    }
    for e in entries.iter_mut() {
        if ascii_51[e.file as usize]
            && (e.dn.contains('?') || e.values().iter().any(|v| v.text.contains('?')))
        {
            e.lossy = true;
        }
    }
}

/// The warnings for the entries whose changes are refused because of how they were
/// exported: not UTF-8 (read as Windows-1252), or lossy ([`mark_lossy`]); per input, the
/// count and the first.
pub fn unchangeable_warnings(inputs: &[Input], entries: &[Entry<'_>]) -> Vec<String> {
    let mut non_utf8 = vec![Tally::default(); inputs.len()];
    let mut lossy = vec![Tally::default(); inputs.len()];
    for e in entries {
        if e.non_utf8 {
            non_utf8[e.file as usize].note(e.line);
        }
        if e.lossy {
            lossy[e.file as usize].note(e.line);
        }
    }
    let mut out = Vec::new();
    for ((input, n), l) in inputs.iter().zip(&non_utf8).zip(&lossy) {
        if let Some(line) = l.first {
            out.push(format!(
                "{}:{line}: warning: {} {} '?' in a file Windows PowerShell 5.1 wrote in ASCII (its Export-Csv default), where '?' stands for characters it could not write: no change is planned for such an object (the report says why); export again with Export-Csv -Encoding UTF8",
                input.name(),
                counted(l.n, "record"),
                if l.n == 1 { "holds" } else { "hold" }
            ));
        }
        if let Some(line) = n.first {
            out.push(non_utf8_warning(
                &input.name(),
                line,
                n.n,
                ", and no change is planned for such an object (the report says why)",
            ));
        }
    }
    out
}

/// What one chunk of an LDIF input gave: its entries and warnings, up to its first error.
struct Part<'a, T> {
    entries: Vec<Entry<'a>>,
    facts: Vec<T>,
    warnings: Vec<Warning>,
    error: Option<ParseError>,
    /// Line feeds in the chunk (its lines are relative to its start until shifted).
    lfs: u64,
    /// Change records (not entries, so not read).
    changes: Tally,
}

impl<T> Part<'_, T> {
    /// Add `by` to every line number held: the lines before the chunk.
    fn shift_lines(&mut self, by: u64) {
        if by == 0 {
            return;
        }
        for e in &mut self.entries {
            e.line += by;
        }
        for w in &mut self.warnings {
            w.line += by;
        }
        self.changes.shift(by);
        if let Some(e) = &mut self.error {
            e.shift_lines(by);
        }
    }
}

fn parse_chunk<'a, T>(
    bytes: &'a [u8],
    chunk: &Chunk,
    file: FileId,
    limits: Limits,
    classes: fn(&str) -> Keep,
    facts: &(dyn Fn(&mut Entry<'a>) -> T + Sync),
) -> Part<'a, T> {
    let mut part = Part {
        entries: Vec::new(),
        facts: Vec::new(),
        warnings: Vec::new(),
        error: None,
        lfs: 0,
        changes: Tally::default(),
    };
    // A line start seen last (offset in the chunk, chunk-relative line): the chunk's
    // line feeds are counted from there on.
    let mut last: Option<(usize, u64)> = None;
    let mut parser = ChunkParser::new(bytes, chunk, limits).with_attr_classes(classes);
    // The chunk is checked for UTF-8 once, and each record's attribute vector serves
    // the next (entries are kept, so their value vectors are not reused).
    let mut spare = Spare::over(chunk.bytes(bytes));
    while let Some(item) = parser.next() {
        part.warnings.extend(parser.take_warnings());
        match item {
            Ok(Item::Record(r)) => {
                last = Some((r.offset.saturating_sub(chunk.start), r.line));
                let line = r.line;
                let entry = Entry::from_record_in(file, r, &mut spare);
                parser.recycle(std::mem::take(&mut spare.attrs));
                if let Some(mut e) = entry {
                    part.facts.push(facts(&mut e));
                    part.entries.push(e);
                } else {
                    part.changes.note(line);
                }
            }
            Ok(skipped @ Item::Skipped { .. }) => {
                if let Some(e) = skipped.failed_search() {
                    part.error = Some(e);
                    break;
                }
            }
            Err(e) => {
                part.error = Some(e);
                break;
            }
        }
    }
    part.warnings.extend(parser.take_warnings());
    part.lfs = pipeline::chunk_lfs(chunk.bytes(bytes), last);
    part
}
