//! `ldifix scan INPUT...`: read every input (several files = several domains of one
//! tenant), keep the objects in scope, run the profile's checks, index every compared
//! value tenant-wide, and report findings and collisions (terminal summary, `--json`,
//! `--csv`).
//!
//! Pipeline ([`crate::pipeline`]): every input is split at record boundaries into chunks
//! of about 8 MB, and all chunks of all inputs are worked on all cores (`--threads`):
//! parse, build entries, decide scope, run the `entra` checks and extract the collision
//! keys ([`scan_chunk`]). The IdFix engine keeps a run-wide duplicate store, so in the
//! IdFix profiles the workers only parse and scope, and the engine checks the entries
//! sequentially, in input order, a batch of chunks at a time. The chunk results are
//! then merged in input order: objects get global ordinals, keys go into the compact
//! [`KeyTable`] (a 64-bit hash and an ordinal per value: no text), candidate groups are
//! resolved by re-reading their holders from the mapped input and comparing exact keys,
//! and — in the `entra` profile — every holder of a collision gets a `Duplicate`
//! finding, merged into its (object, attribute, value) finding when that value already
//! failed other checks, so `findings` and `collisions` agree. The output does not
//! depend on the number of threads or the chunk size.
//!
//! Memory: beyond the mapped inputs, 16 bytes per in-scope object, 12 per distinct
//! (key, object) pair, and the findings; never whole records.
//!
//! Errors: each input stops at its first invalid record (all inputs are read and report
//! theirs); with `--keep-going` every invalid record is reported, in input order.
//!
//! Exit status: 0 no findings, 1 findings, 2 invalid input (`file:line: …`) or usage.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use ahash::AHashMap;
use anyhow::{Context, Result};
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::cmd::{read_list, LimitArgs};
use crate::csvin::{InputFormat, Records};
use crate::index::{self, ChunkKeys, KeyHasher, KeyScratch, KeyTable};
use crate::ldif::{Fault, Item, Limits, ParseError, Parser, Warning};
use crate::model::{Attr, Entry, FileId, Spare};
use crate::output::{self, AtomicFile, Planned};
use crate::pipeline::{self, Chunk, ChunkParser, LineBase};
use crate::report::{self, CollisionReport, Holder, InputSummary, ScanReport};
use crate::rewrite::load::{counted, Tally};
use crate::rules::entra::EntraContext;
use crate::rules::idfix::{DupStore, IdfixEngine, IdfixRules, Prepared};
use crate::rules::scope::Scope;
use crate::rules::tld::TldSet;
use crate::rules::{self, catalog, Action, EntryRef, ErrorName, Finding, Profile, Row, RuleConfig};
use crate::source::Input;

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    ldifix scan export.ldf\n  \
    ldifix scan forest-a.ldf forest-b.ldf --verified-domain contoso.com --json findings.json --csv findings.csv\n  \
    ldifix scan export.ldf --profile idfix --csv idfix.csv\n  \
    ldifix scan export.ldf --include-ou OU=Staff,DC=contoso,DC=local --exclude-ou OU=Service,OU=Staff,DC=contoso,DC=local\n\n\
    Exit status: 0 no findings, 1 findings, 2 invalid input or usage.")]
pub struct Args {
    /// LDIF exports to scan (several files = several domains of one tenant; duplicates
    /// are found across all of them). `-` reads standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Rule set: Microsoft's documented Entra ID rules, or IdFix 2.6.0.3 reproduced.
    #[arg(long, value_enum, default_value_t = Profile::Entra)]
    pub profile: Profile,
    /// A verified domain of the tenant (repeatable). UPN suffixes outside the verified
    /// domains are findings; without any, that rule does not run.
    #[arg(long = "verified-domain", value_name = "DOMAIN")]
    pub verified_domain: Vec<String>,
    /// A file of verified domains, one per line (`#` comments allowed).
    #[arg(long, value_name = "FILE")]
    pub verified_domains: Option<PathBuf>,
    /// Replace the bundled IANA TLD list (one TLD per line, with or without a leading dot).
    #[arg(long, value_name = "FILE")]
    pub tld_list: Option<PathBuf>,
    /// Scan only objects under this container (repeatable), like Entra Connect OU filtering.
    #[arg(long = "include-ou", value_name = "DN")]
    pub include_ou: Vec<String>,
    /// Leave out objects under this container (repeatable); the most specific container wins.
    #[arg(long = "exclude-ou", value_name = "DN")]
    pub exclude_ou: Vec<String>,
    /// Write the findings as CSV with IdFix's columns.
    #[arg(long, value_name = "PATH")]
    pub csv: Option<PathBuf>,
    /// Write the findings report as JSON (shared/contracts/scan-json.md).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write a self-contained HTML report (charts, collision groups, a searchable and
    /// sortable findings table; opens offline).
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Report each bad record, skip it and go on (the exit status is still 2).
    #[arg(long)]
    pub keep_going: bool,
    /// Do not print the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the wall time of each phase on stderr at the end (read, check, report).
    #[arg(long)]
    pub timings: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Target size of the chunks the inputs are split into for parallel work.
    #[arg(long, hide = true, value_name = "BYTES", default_value_t = pipeline::DEFAULT_CHUNK_BYTES as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub chunk_bytes: u64,
    #[command(flatten)]
    pub limits: LimitArgs,
}

// ---------------------------------------------------------------------------------------
// OU filtering

/// Container scoping like Entra Connect's OU filtering: an object is in scope when the
/// most specific listed container above it (or equal to it) is an included one; with no
/// `--include-ou`, everything not excluded is in scope. Equal depth: exclusion wins.
#[derive(Debug, Default)]
pub struct OuFilter {
    include: Vec<Vec<String>>,
    exclude: Vec<Vec<String>>,
    /// Each option as given (`--include-ou DN` first, then `--exclude-ou DN`) and how
    /// many objects in scope of the profile lay in or under its container.
    given: Vec<(&'static str, String)>,
    hits: Vec<AtomicU64>,
}

/// A DN as a list of normalised RDNs, leaf first: the RDNs of [`crate::model::dn_key`]
/// (type and value lower-cased, spaces around `=` and `,` trimmed, escapes decoded and
/// written one way, so `\2C` and `\,` are one comma). `None` for an empty or malformed
/// DN (an RDN without `=` or type, a dangling `\`).
pub fn dn_rdns(dn: &str) -> Option<Vec<String>> {
    // Well-formed: every RDN (split at unescaped `,`/`;`) has a type and a `=`.
    let mut cur = String::new();
    let mut esc = false;
    let well_formed = |rdn: &str| {
        rdn.split_once('=')
            .is_some_and(|(ty, _)| !ty.trim().is_empty())
    };
    for c in dn.chars() {
        if esc {
            cur.push(c);
            esc = false;
            continue;
        }
        match c {
            '\\' => {
                cur.push(c);
                esc = true;
            }
            ',' | ';' => {
                if !well_formed(&cur) {
                    return None;
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if esc || !well_formed(&cur) {
        return None;
    }
    // The key's RDNs: its values escape `\`, `,`, `+`, `=` and `;`, so its unescaped
    // commas are the separators.
    let key = String::from_utf8_lossy(&crate::model::dn_key(dn.as_bytes())).into_owned();
    let mut out = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in key.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' => {
                out.push(key[start..i].to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(key[start..].to_string());
    Some(out)
}

impl OuFilter {
    /// Build from the command line's DNs; an invalid DN is an error naming it.
    pub fn new(include: &[String], exclude: &[String]) -> Result<OuFilter> {
        let parse = |list: &[String], opt: &str| -> Result<Vec<Vec<String>>> {
            list.iter()
                .map(|d| {
                    dn_rdns(d).ok_or_else(|| {
                        anyhow::anyhow!(
                            "{opt} {d:?}: expected a DN such as OU=Staff,DC=contoso,DC=com"
                        )
                    })
                })
                .collect()
        };
        let f = OuFilter {
            include: parse(include, "--include-ou")?,
            exclude: parse(exclude, "--exclude-ou")?,
            given: include
                .iter()
                .map(|d| ("--include-ou", d.clone()))
                .chain(exclude.iter().map(|d| ("--exclude-ou", d.clone())))
                .collect(),
            hits: (0..include.len() + exclude.len())
                .map(|_| AtomicU64::new(0))
                .collect(),
        };
        if let Some((i, e)) = f.include.iter().enumerate().find_map(|(i, c)| {
            f.exclude
                .iter()
                .position(|x| x == c)
                .map(|e| (i, e + f.include.len()))
        }) {
            anyhow::bail!(
                "--include-ou {} and --exclude-ou {} name the same container: give it once",
                f.given[i].1,
                f.given[e].1
            );
        }
        Ok(f)
    }

    /// The options whose container held no object [`OuFilter::allows`] was asked
    /// about (most often a misspelt DN, which would otherwise look like a clean
    /// directory): option name and DN as given.
    pub fn unmatched(&self) -> Vec<(&'static str, &str)> {
        self.given
            .iter()
            .zip(&self.hits)
            .filter(|(_, h)| h.load(Ordering::Relaxed) == 0)
            .map(|((opt, dn), _)| (*opt, dn.as_str()))
            .collect()
    }

    /// True when no container option was given.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether an object with this DN is in scope.
    pub fn allows(&self, dn: &str) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some(rdns) = dn_rdns(dn) else {
            return self.include.is_empty();
        };
        // One pass over the containers: each one the DN lies in counts a hit and
        // deepens its list's most specific match.
        let (mut include, mut exclude) = (None, None);
        let containers = self.include.iter().chain(&self.exclude).zip(&self.hits);
        for (k, (c, hits)) in containers.enumerate() {
            if c.len() <= rdns.len() && rdns[rdns.len() - c.len()..] == c[..] {
                hits.fetch_add(1, Ordering::Relaxed);
                let depth = if k < self.include.len() {
                    &mut include
                } else {
                    &mut exclude
                };
                *depth = (*depth).max(Some(c.len()));
            }
        }
        match (include, exclude) {
            (Some(i), Some(e)) => i > e,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => self.include.is_empty(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Per-chunk scan

/// What the checks need, shared by every chunk.
pub struct ScanOptions<'c> {
    /// The profile.
    pub profile: Profile,
    /// Container scoping.
    pub ou: &'c OuFilter,
    /// Parser limits.
    pub limits: Limits,
    /// Stop at the first invalid record (no `--keep-going`).
    pub stop_at_error: bool,
    /// The format of each input (resolved, never `Auto`; missing: LDIF). A CSV input
    /// is one chunk, read by its CSV reader.
    pub formats: &'c [InputFormat],
    /// PowerShell CSV inputs: the byte multi-valued columns were joined with.
    pub csv_join: u8,
    /// Where each input could not be decoded ([`Input::faults`]; missing: nowhere):
    /// the records holding those places are bad records.
    pub faults: &'c [&'c [Fault]],
}

/// One in-scope object.
#[derive(Debug, Clone, Copy)]
pub struct ObjectPos {
    /// Byte offset of its record in the (decoded) input.
    pub offset: usize,
    /// Line where its record starts.
    pub line: u64,
}

/// How the in-scope entries of a chunk are checked.
#[derive(Clone, Copy)]
pub enum Check<'c> {
    /// The `entra` checks, stateless: run in the chunk's worker.
    Entra(&'c EntraContext),
    /// The IdFix rules, run in the chunk's worker up to the duplicate store, which spans
    /// the run and is consulted later, in input order: the chunk keeps its in-scope
    /// entries' results in [`ChunkScan::pending`].
    Idfix(&'c IdfixRules),
}

/// The result of scanning one chunk. Ordinals are local to the chunk (0 = its first
/// in-scope object); byte offsets are offsets in the whole input; line numbers are
/// relative to the chunk when its first line is not known yet (see
/// [`ChunkScan::shift_lines`]).
#[derive(Debug, Default)]
pub struct ChunkScan {
    /// Records read (valid and invalid).
    pub records: u64,
    /// Entries (content and add records), whatever they describe.
    pub entries: u64,
    /// Entries without an `objectClass` value (never in scope).
    pub classless: Tally,
    /// In-scope objects without a `cn` value.
    pub cnless: Tally,
    /// Change records (modify, delete, modrdn: not entries, so not read).
    pub changes: Tally,
    /// Entries with a DN or value that is not valid UTF-8.
    pub non_utf8: Tally,
    /// Entries holding only part of a checked attribute's values (a ranged retrieval).
    pub partial: Tally,
    /// Entries the profile selects (persons and groups): in scope or skipped.
    pub objects: u64,
    /// Selected entries left out, per skip id (`ou-filter` for OU filtering).
    pub skip_reasons: BTreeMap<&'static str, u64>,
    /// In-scope objects, in input order (their index is the local ordinal).
    pub in_scope: Vec<ObjectPos>,
    /// Findings with the local ordinal of their object, in input order.
    pub rows: Vec<(u32, Row)>,
    /// The collision keys of the in-scope objects.
    pub keys: ChunkKeys,
    /// In-scope objects per UPN suffix (lower-cased).
    pub upn_suffixes: AHashMap<String, u64>,
    /// Invalid records (all of them with `--keep-going`, else the first).
    pub errors: Vec<ParseError>,
    /// Parser warnings.
    pub warnings: Vec<Warning>,
    /// With [`Check::Idfix`]: the in-scope entries' results, in input order.
    pub pending: Prepared,
    /// Line feeds in the chunk, when its first line was not known (`Chunk::line` 0).
    pub lfs: u64,
}

impl ChunkScan {
    /// Add `by` to every line number held (made absolute once the lines before the
    /// chunk are known).
    pub fn shift_lines(&mut self, by: u64) {
        if by == 0 {
            return;
        }
        for p in &mut self.in_scope {
            p.line += by;
        }
        for t in [
            &mut self.classless,
            &mut self.cnless,
            &mut self.changes,
            &mut self.non_utf8,
            &mut self.partial,
        ] {
            t.shift(by);
        }
        for (_, r) in &mut self.rows {
            r.entry.line += by;
        }
        for e in &mut self.errors {
            e.shift_lines(by);
        }
        for w in &mut self.warnings {
            w.line += by;
        }
        self.pending.shift_lines(by);
    }
}

/// Scan one chunk of an input: parse, build entries, decide scope, check (the IdFix
/// rules up to the duplicate store, whose part comes later), and extract the collision
/// keys. `input` is the input's
/// complete bytes; `chunk.input` is its file id. Rows only reference the chunk's own
/// entries, so [`ChunkScan::shift_lines`] can fix all their lines.
pub fn scan_chunk(
    input: &[u8],
    chunk: &Chunk,
    opts: &ScanOptions<'_>,
    check: Check<'_>,
    hasher: &KeyHasher,
) -> ChunkScan {
    let file = chunk.input as FileId;
    let mut out = ChunkScan::default();
    let format = opts
        .formats
        .get(chunk.input)
        .copied()
        .unwrap_or(InputFormat::Ldif);
    let mut parser = if format == InputFormat::Ldif {
        Reader::Ldif(
            ChunkParser::new(input, chunk, opts.limits)
                .with_attr_classes(Attr::read_class)
                .with_faults(
                    opts.faults.get(chunk.input).copied().unwrap_or(&[]),
                    chunk,
                    input.len(),
                ),
        )
    } else {
        Reader::Other(
            Records::new(chunk.bytes(input), format, opts.limits).with_csv_join(opts.csv_join),
        )
    };
    let mut scratch = KeyScratch::default();
    // The UTF-8 check of the whole chunk only pays for values that borrow it, which the
    // CSV reader's never do (it owns every value).
    let mut spare = match parser {
        Reader::Ldif(_) => Spare::over(chunk.bytes(input)),
        Reader::Other(_) => Spare::default(),
    };
    let mut suffix = String::new();
    // A line start seen last (offset in the chunk, line): counting the chunk's line
    // feeds then only reads the bytes after it.
    let mut last: Option<(usize, u64)> = None;
    while let Some(item) = parser.next() {
        out.warnings.extend(parser.take_warnings());
        let rec = match item {
            Ok(Item::Record(r)) => {
                last = Some((r.offset.saturating_sub(chunk.start), r.line));
                r
            }
            Ok(skipped @ Item::Skipped { .. }) => match skipped.failed_search() {
                // An export cut short by its search: bad input, like a bad record.
                Some(e) => {
                    out.errors.push(e);
                    if opts.stop_at_error {
                        break;
                    }
                    continue;
                }
                None => continue,
            },
            Err(e) => {
                out.records += 1;
                out.errors.push(e);
                if opts.stop_at_error {
                    break;
                }
                continue;
            }
        };
        out.records += 1;
        let line = rec.line;
        let Some(mut entry) = Entry::from_record_in(file, rec, &mut spare) else {
            out.changes.note(line);
            continue;
        };
        if let Reader::Other(r) = &parser {
            entry.unexported = r.unexported();
        }
        parser.recycle(std::mem::take(&mut spare.attrs));
        out.entries += 1;
        if entry.partial {
            out.partial.note(entry.line);
        }
        if entry.non_utf8 {
            out.non_utf8.note(entry.line);
        }
        if !entry.has(Attr::ObjectClass) {
            out.classless.note(entry.line);
        }
        // The entry comes back when it is done with, so its buffers serve the next.
        let done = 'entry: {
            let skip = match rules::scope::scope(&entry, opts.profile) {
                Scope::NotApplicable => break 'entry Some(entry),
                Scope::Skipped(reason) => Some(reason),
                Scope::In if !opts.ou.allows(&entry.dn) => Some(catalog::SKIP_OU_FILTER),
                Scope::In => None,
            };
            out.objects += 1;
            if let Some(reason) = skip {
                *out.skip_reasons.entry(reason).or_insert(0) += 1;
                break 'entry Some(entry);
            }
            let local = out.in_scope.len() as u32;
            out.in_scope.push(ObjectPos {
                offset: entry.offset,
                line: entry.line,
            });
            if !entry.has(Attr::Cn) {
                out.cnless.note(entry.line);
            }
            if let Some(upn) = entry.get(Attr::UserPrincipalName) {
                if let Some((_, s)) = upn.rsplit_once('@') {
                    lower_into(s.trim(), &mut suffix);
                    match out.upn_suffixes.get_mut(suffix.as_str()) {
                        Some(n) => *n += 1,
                        None => {
                            out.upn_suffixes.insert(suffix.clone(), 1);
                        }
                    }
                }
            }
            out.keys
                .add_entry(opts.profile, hasher, local, &entry, &mut scratch);
            match check {
                Check::Entra(ctx) => {
                    let findings = rules::entra::check(&entry, ctx);
                    out.rows
                        .extend(findings.into_iter().map(|f| (local, row_for(&entry, f))));
                    Some(entry)
                }
                Check::Idfix(rules) => {
                    rules.prepare(&entry, &mut out.pending);
                    Some(entry)
                }
            }
        };
        if let Some(e) = done {
            spare.keep_values(e);
        }
    }
    out.warnings.extend(parser.take_warnings());
    if chunk.line == 0 {
        out.lfs = pipeline::chunk_lfs(chunk.bytes(input), last);
    }
    out
}

/// The record reader of a chunk: the LDIF parser, or a CSV reader over a whole input.
enum Reader<'a> {
    Ldif(ChunkParser<'a>),
    Other(Records<'a>),
}

impl<'a> Reader<'a> {
    /// Hand back a record's attribute vector (only the LDIF parser reuses it).
    fn recycle(&mut self, attrs: Vec<crate::ldif::Attr<'a>>) {
        if let Reader::Ldif(p) = self {
            p.recycle(attrs);
        }
    }

    fn take_warnings(&mut self) -> Vec<Warning> {
        match self {
            Reader::Ldif(p) => p.take_warnings(),
            Reader::Other(r) => r.take_warnings(),
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Item<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Reader::Ldif(p) => p.next(),
            Reader::Other(r) => r.next(),
        }
    }
}

/// `s` lower-cased into `buf` (Unicode; ASCII fast path).
fn lower_into(s: &str, buf: &mut String) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&s.to_lowercase());
    }
}

/// The report row for an entry's finding.
pub fn row_for(entry: &Entry<'_>, finding: Finding) -> Row {
    Row {
        entry: EntryRef {
            file: entry.file,
            line: entry.line,
            dn: entry.dn.to_string(),
            cn: entry.cn().into_owned(),
        },
        object_class: entry.object_class().unwrap_or("").to_owned(),
        finding,
    }
}

// ---------------------------------------------------------------------------------------
// Inputs and settings

/// A verified domain as the rules compare it: lower-case, without a leading `@` or `.`
/// or a trailing `.`.
pub fn normalize_domain(d: &str) -> String {
    d.trim()
        .trim_start_matches(['@', '.'])
        .trim_end_matches('.')
        .to_lowercase()
}

struct Usage(String);

fn settings(args: &Args) -> Result<std::result::Result<RuleConfig, Usage>> {
    for d in &args.verified_domain {
        if let Err(e) = crate::cmd::check_domain_option(d) {
            return Ok(Err(Usage(format!("{e:#}"))));
        }
    }
    let mut verified: Vec<String> = args
        .verified_domain
        .iter()
        .map(|d| normalize_domain(d))
        .collect();
    if let Some(p) = &args.verified_domains {
        match read_list(p, crate::cmd::ListKind::Domains) {
            Ok(list) => verified.extend(list.iter().map(|d| normalize_domain(d))),
            Err(e) => return Ok(Err(Usage(format!("{e:#}")))),
        }
    }
    verified.retain(|d| !d.is_empty());
    verified.sort();
    verified.dedup();
    let tld_override = match &args.tld_list {
        Some(p) => match read_list(p, crate::cmd::ListKind::Tlds) {
            Ok(list) => Some(list),
            Err(e) => return Ok(Err(Usage(format!("{e:#}")))),
        },
        None => None,
    };
    Ok(Ok(RuleConfig {
        verified_domains: verified,
        tld_override,
    }))
}

// ---------------------------------------------------------------------------------------
// Run

/// Run.
pub fn run(args: Args) -> Result<i32> {
    let started = Instant::now();
    let usage = |msg: &str| {
        eprintln!("ldifix: {msg}");
        Ok(2)
    };
    let config = match settings(&args)? {
        Ok(c) => c,
        Err(Usage(m)) => return usage(&m),
    };
    let ou = match OuFilter::new(&args.include_ou, &args.exclude_ou) {
        Ok(f) => f,
        Err(e) => return usage(&format!("{e:#}")),
    };
    // Outputs never overwrite a file the scan reads, nor each other.
    let outputs: Vec<Planned> = [
        (&args.csv, "--csv"),
        (&args.json, "--json"),
        (&args.html, "--html"),
    ]
    .into_iter()
    .filter_map(|(p, what)| p.as_ref().map(|p| Planned::new(p, what)))
    .collect();
    let read: Vec<PathBuf> = args
        .inputs
        .iter()
        .chain(&args.verified_domains)
        .chain(&args.tld_list)
        .cloned()
        .collect();
    if let Err(e) = output::precheck(&outputs, &read, args.force) {
        return usage(&e);
    }
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return usage("standard input (-) can be read only once");
    }
    if let Some(m) = crate::source::repeated_input(&args.inputs) {
        return usage(&m);
    }

    // Open every input (mapping is cheap; reading stdin is sequential anyway).
    let mut inputs = Vec::with_capacity(args.inputs.len());
    for p in &args.inputs {
        match Input::open_lenient(p) {
            Ok(i) => inputs.push(i),
            Err(e) => return usage(&e.to_string()),
        }
    }
    if FileId::try_from(inputs.len()).is_err() {
        return usage("too many inputs");
    }
    if let Some(m) = crate::source::identical_inputs(&inputs) {
        return usage(&m);
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.map_or(0, usize::from))
        .build()
        .context("cannot start the worker threads")?;
    pool.install(|| scan_inputs(&args, &config, &ou, &inputs, started))
}

/// The scan proper, on the current rayon pool.
fn scan_inputs(
    args: &Args,
    config: &RuleConfig,
    ou: &OuFilter,
    inputs: &[Input],
    started: Instant,
) -> Result<i32> {
    let mut timings = crate::progress::Timings::new(args.timings, started);
    let bytes: Vec<&[u8]> = inputs.iter().map(Input::bytes).collect();
    let formats: Vec<InputFormat> = bytes
        .iter()
        .map(|b| args.limits.input_format.resolve(b))
        .collect();
    // A CSV reader cannot skip a record it cannot decode: such a file is refused.
    for (input, format) in inputs.iter().zip(&formats) {
        if *format != InputFormat::Ldif {
            if let Some(e) = input.first_fault() {
                eprintln!("ldifix: {e}");
                return Ok(2);
            }
        }
    }
    let faults: Vec<&[Fault]> = inputs.iter().map(Input::faults).collect();
    let opts = ScanOptions {
        profile: args.profile,
        ou,
        limits: args.limits.limits(),
        stop_at_error: !args.keep_going,
        formats: &formats,
        csv_join: args.limits.csv_join,
        faults: &faults,
    };
    // LDIF inputs are split into chunks; a CSV input is one chunk (its header gives
    // the columns), numbered from its first line.
    let target = usize::try_from(args.chunk_bytes).unwrap_or(usize::MAX);
    let mut chunks = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        if formats[i] == InputFormat::Ldif {
            chunks.extend(
                pipeline::chunks(&[b], target)
                    .into_iter()
                    .map(|c| Chunk { input: i, ..c }),
            );
        } else {
            chunks.push(Chunk {
                input: i,
                seq: 0,
                start: 0,
                end: b.len(),
                line: 1,
            });
        }
    }
    timings.mark("read");
    let progress = progress_bar(args.quiet, bytes.iter().map(|b| b.len() as u64).sum());
    let hasher = KeyHasher::new();
    let mut merged = Merged::new(inputs.len(), opts.stop_at_error);
    let mut checker = Checker::new(args.profile, config);
    checker.scan(&bytes, &chunks, &opts, &hasher, &progress, &mut merged)?;
    timings.mark("parse and check");
    // The IdFix duplicate store holds a small allocation per value (2 s to free for 1 M
    // users). `scan` is the process's last task, so the store is left to the end of the
    // process rather than freed: freeing it on another thread while the report was built
    // slowed the report down fourfold (200 k users: 276 -> 63 ms, both cores contending
    // for the allocator's locks).
    if let Checker::Idfix(_) = checker {
        std::mem::forget(checker);
    }
    progress.finish_and_clear();

    // Parse errors and warnings, in input order; kept for the reports too.
    let mut stderr = Tee {
        out: io::stderr().lock(),
        kept: Vec::new(),
    };
    let mut invalid = 0u64;
    // An input none of whose records could be checked (no objectClass anywhere), or an
    // export that says it holds other records than it does (cut short).
    let mut unusable = false;
    for (((input, f), format), b) in inputs.iter().zip(&merged.files).zip(&formats).zip(&bytes) {
        let name = input.name();
        for w in &f.warnings {
            writeln!(stderr, "{name}:{}: warning: {}", w.line, w.message)?;
        }
        if let Some(line) = f.changes.first {
            writeln!(
                stderr,
                "{}",
                crate::rewrite::load::change_records_warning(&name, line, f.changes.n)
            )?;
        }
        if let Some(line) = f.non_utf8.first {
            writeln!(
                stderr,
                "{}",
                crate::rewrite::load::non_utf8_warning(&name, line, f.non_utf8.n, "")
            )?;
        }
        if let Some(line) = f.partial.first {
            writeln!(
                stderr,
                "{name}:{line}: warning: {} with only part of an attribute's values (this is the first): a ranged retrieval (';range=0-1499') whose later ranges the export does not hold, so counts and duplicates see only this part; export with ldifde, which gathers every range",
                counted(f.partial.n, "record")
            )?;
        }
        if let Some(line) = f.classless.first {
            if f.classless.n == f.entries {
                unusable = true;
                writeln!(stderr, "{}", classless_error(&name, *format))?;
            } else if *format != InputFormat::PwshCsv {
                // (The Export-Csv reader names rows without a class itself.)
                writeln!(
                    stderr,
                    "{name}:{line}: warning: {} without an objectClass (this is the first): not checked, as neither a person nor a group",
                    counted(f.classless.n, "record")
                )?;
            }
        }
        if let (Some(line), Profile::Idfix | Profile::IdfixDedicated) =
            (f.cnless.first, args.profile)
        {
            writeln!(
                stderr,
                "{name}:{line}: warning: {} in scope without a cn (this is the first): IdFix stopped on such an entry; ldifix checks it, using the value of the DN's first RDN where IdFix used cn",
                counted(f.cnless.n, "object")
            )?;
        }
        for e in &f.errors {
            invalid += 1;
            writeln!(stderr, "ldifix: {name}:{e}")?;
            if let Some(h) = e.hint() {
                writeln!(stderr, "  hint: {h}")?;
            }
        }
        // (A file with an invalid record was not read to its end without --keep-going.)
        if *format == InputFormat::Ldif && f.errors.is_empty() {
            if let Some(e) = crate::rewrite::load::summary_error(&name, b, f.records) {
                unusable = true;
                writeln!(stderr, "ldifix: {e}")?;
            }
        }
    }
    for (opt, dn) in ou.unmatched() {
        writeln!(
            stderr,
            "ldifix: warning: {opt} {dn}: no object in scope lies in or under this container (check the DN)"
        )?;
    }
    let messages = stderr.lines();
    if (invalid > 0 || unusable) && !args.keep_going {
        return Ok(2);
    }

    let mut report = build_report(args, config, inputs, &bytes, &formats, merged, &hasher);
    report.invalid_records = invalid;
    report.messages = messages;
    report.elapsed = started.elapsed();
    timings.mark("collisions");

    // An input without a single record is almost always the wrong file (ldifde itself
    // refuses a 0-byte import file): say so instead of reporting a clean directory.
    let empty: Vec<&str> = report
        .inputs
        .iter()
        .filter(|i| i.records == 0)
        .map(|i| i.path.as_str())
        .collect();
    if !empty.is_empty() {
        for p in empty {
            eprintln!(
                "ldifix: {p}: no records found (expected an export with 'dn:' records, or a csvde/Export-Csv file)\n  hint: check the file name, and that the export command wrote data (ldifde -f FILE …)"
            );
        }
        return Ok(2);
    }

    // Every report is written before any is renamed into place, so a failed write
    // leaves none of them. Errors writing an AtomicFile name it.
    let mut files = Vec::new();
    if let Some(p) = &args.json {
        let mut f = AtomicFile::create(p, args.force)?;
        report::json::write(&mut f, &report)?;
        files.push(f);
    }
    if let Some(p) = &args.html {
        // The HTML report is rendered from the same document as --json.
        let mut buf = Vec::new();
        report::json::write(&mut buf, &report)?;
        let doc: serde_json::Value = serde_json::from_slice(&buf)?;
        let mut f = AtomicFile::create(p, args.force)?;
        f.write_all(crate::html::render(&doc).as_bytes())?;
        files.push(f);
    }
    if let Some(p) = &args.csv {
        let mut f = AtomicFile::create(p, args.force)?;
        if args.profile == Profile::Entra {
            report::csv::write(&mut f, &report.rows)
        } else {
            let mut rows = report.rows.clone();
            rules::idfix::sort_rows(&mut rows);
            report::csv::write(&mut f, &rows)
        }?;
        files.push(f);
    }
    AtomicFile::commit_all(files)?;
    report.elapsed = started.elapsed();
    if !args.quiet {
        // A closed pipe does not change the exit status (src/stdout.rs).
        let mut out = io::BufWriter::new(io::stdout().lock());
        crate::stdout::unless_closed(
            report::summary::write(&mut out, &report).and_then(|()| out.flush()),
        )?;
    }
    timings.mark("reports");
    timings.print();
    Ok(if invalid > 0 || unusable {
        2
    } else if report.has_findings() {
        1
    } else {
        0
    })
}

/// Standard error that keeps a copy of what is written to it.
struct Tee<W: Write> {
    out: W,
    kept: Vec<u8>,
}

impl<W: Write> Tee<W> {
    /// The lines written, without their line ends (the terminal keeps its copy).
    fn lines(self) -> Vec<String> {
        String::from_utf8_lossy(&self.kept)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A progress bar on stderr sized in input bytes; hidden with `--quiet` or when stderr
/// is not a terminal.
fn progress_bar(quiet: bool, total: u64) -> ProgressBar {
    crate::progress::bar("scan", quiet, total, crate::progress::Unit::Bytes)
}

/// The profile's checks.
enum Checker {
    Entra(EntraContext),
    Idfix(Box<IdfixEngine>),
}

impl Checker {
    fn new(profile: Profile, config: &RuleConfig) -> Checker {
        match profile {
            Profile::Entra => Checker::Entra(EntraContext::from_config(config)),
            p => {
                // IdFix's own TLD list unless the user gave one.
                let tlds = match &config.tld_override {
                    Some(list) => TldSet::from_names(list.iter().map(String::as_str)),
                    None => TldSet::idfix(),
                };
                Checker::Idfix(Box::new(IdfixEngine::new(
                    p == Profile::IdfixDedicated,
                    tlds,
                )))
            }
        }
    }

    /// Scan every chunk of every input on the current pool and merge the results in
    /// input order. The `entra` checks and the IdFix rules run in the chunks' workers.
    /// The IdFix duplicate store spans the run, so it is consulted sequentially, in input
    /// order, with the results the workers prepared: chunks are scanned in parallel a
    /// batch at a time while the store takes the previous batch, which bounds the
    /// results held to two batches. Line numbers are made absolute chunk by chunk, in
    /// order.
    fn scan(
        &mut self,
        bytes: &[&[u8]],
        chunks: &[Chunk],
        opts: &ScanOptions<'_>,
        hasher: &KeyHasher,
        progress: &ProgressBar,
        merged: &mut Merged,
    ) -> Result<()> {
        let work = |c: &Chunk, check: Check<'_>| {
            let s = scan_chunk(bytes[c.input], c, opts, check, hasher);
            progress.inc(c.len() as u64);
            s
        };
        let mut lines = LineBase::new(bytes.len());
        let mut absolute = |c: &Chunk, s: &mut ChunkScan| {
            let by = lines.shift(c, s.lfs);
            s.shift_lines(by);
        };
        match self {
            Checker::Entra(ctx) => {
                let ctx = &*ctx;
                let scans: Vec<ChunkScan> = chunks
                    .par_iter()
                    .map(|c| work(c, Check::Entra(ctx)))
                    .collect();
                merged.reserve(scans.iter().map(|s| s.in_scope.len()).sum());
                for (c, mut s) in chunks.iter().zip(scans) {
                    absolute(c, &mut s);
                    merged.push(c, s)?;
                }
            }
            Checker::Idfix(engine) => {
                let (rules, store) = engine.parts();
                let batch = rayon::current_num_threads().max(1) * 2;
                let mut prev: Vec<(&Chunk, ChunkScan)> = Vec::new();
                for group in chunks.chunks(batch) {
                    let (parsed, ()) = rayon::join(
                        || {
                            group
                                .par_iter()
                                .map(|c| (c, work(c, Check::Idfix(rules))))
                                .collect::<Vec<_>>()
                        },
                        || run_engine(store, &mut prev),
                    );
                    for (c, s) in prev.drain(..) {
                        merged.push(c, s)?;
                    }
                    prev = parsed;
                    for (c, s) in prev.iter_mut() {
                        absolute(c, s);
                    }
                }
                run_engine(store, &mut prev);
                for (c, s) in prev {
                    merged.push(c, s)?;
                }
            }
        }
        Ok(())
    }
}

/// Consult the IdFix duplicate store for the pending entries of `scans`, in order.
fn run_engine(store: &mut DupStore, scans: &mut [(&Chunk, ChunkScan)]) {
    for (_, s) in scans.iter_mut() {
        let pending = std::mem::take(&mut s.pending);
        for i in 0..pending.len() {
            let local = i as u32;
            s.rows
                .extend(store.finish(&pending, i).into_iter().map(|r| (local, r)));
        }
    }
}

/// The error for an input none of whose records has an objectClass (an export made
/// with a `-l` list that left it out, an Export-Csv without the column): users, contacts
/// and groups cannot be told apart, so nothing in it can be in scope, checked or
/// compared. A run with such an input reports nothing as clean: it exits 2.
pub fn classless_error(name: &str, format: InputFormat) -> String {
    let hint = match format {
        InputFormat::PwshCsv => {
            "export it again with the column (Select-Object DistinguishedName,ObjectClass,… | Export-Csv …)".to_string()
        }
        _ => {
            let tool = if format == InputFormat::Csvde {
                "csvde"
            } else {
                "ldifde"
            };
            format!("export it again with the attribute ({tool} -l \"cn,mail,objectClass,proxyAddresses,userPrincipalName,…\")")
        }
    };
    format!(
        "ldifix: {name}: no record has an objectClass (expected one on every user, contact and group): they cannot be told apart, so nothing in this input was checked or compared\n  hint: {hint}"
    )
}

/// Per-input state of the merge.
#[derive(Default)]
struct FileState {
    records: u64,
    /// Entries, and the tallies of [`ChunkScan`] for the whole input.
    entries: u64,
    classless: Tally,
    cnless: Tally,
    changes: Tally,
    non_utf8: Tally,
    partial: Tally,
    warnings: Vec<Warning>,
    errors: Vec<ParseError>,
    /// Stopped at an invalid record (no `--keep-going`): later chunks are dropped.
    stopped: bool,
    /// Global ordinal of the input's first in-scope object.
    first_object: u32,
}

/// The chunk results merged in input order, ordinals made global.
struct Merged {
    stop_at_error: bool,
    files: Vec<FileState>,
    objects: Vec<ObjectPos>,
    rows: Vec<(u32, Row)>,
    keys: KeyTable,
    entries: u64,
    selected: u64,
    skip_reasons: BTreeMap<&'static str, u64>,
    upn_suffixes: AHashMap<String, u64>,
}

impl Merged {
    fn new(inputs: usize, stop_at_error: bool) -> Merged {
        Merged {
            stop_at_error,
            files: (0..inputs).map(|_| FileState::default()).collect(),
            objects: Vec::new(),
            rows: Vec::new(),
            keys: KeyTable::new(),
            entries: 0,
            selected: 0,
            skip_reasons: BTreeMap::new(),
            upn_suffixes: AHashMap::new(),
        }
    }

    fn reserve(&mut self, objects: usize) {
        self.objects.reserve_exact(objects);
    }

    /// Add the next chunk's results (chunks must come in input order).
    fn push(&mut self, chunk: &Chunk, s: ChunkScan) -> Result<()> {
        let base = u32::try_from(self.objects.len())
            .ok()
            .filter(|b| b.checked_add(s.in_scope.len() as u32).is_some())
            .filter(|_| u32::try_from(s.in_scope.len()).is_ok())
            .ok_or_else(|| anyhow::anyhow!("more than {} objects in scope", u32::MAX))?;
        let f = &mut self.files[chunk.input];
        if chunk.seq == 0 {
            f.first_object = base;
        }
        if f.stopped {
            return Ok(());
        }
        if self.stop_at_error && !s.errors.is_empty() {
            f.stopped = true;
        }
        f.records += s.records;
        f.entries += s.entries;
        f.classless.add(s.classless);
        f.cnless.add(s.cnless);
        f.changes.add(s.changes);
        f.non_utf8.add(s.non_utf8);
        f.partial.add(s.partial);
        f.warnings.extend(s.warnings);
        f.errors.extend(s.errors);
        self.entries += s.entries;
        self.selected += s.objects;
        for (k, n) in s.skip_reasons {
            *self.skip_reasons.entry(k).or_insert(0) += n;
        }
        for (k, n) in s.upn_suffixes {
            *self.upn_suffixes.entry(k).or_insert(0) += n;
        }
        self.objects.extend_from_slice(&s.in_scope);
        self.rows
            .extend(s.rows.into_iter().map(|(o, r)| (o + base, r)));
        self.keys.push(base, s.keys);
        Ok(())
    }
}

/// The colliding values of one object: (attribute, value as in the input, rule id).
type DupValues = Vec<(Attr, String, &'static str)>;

/// Re-read the entry whose record starts at `pos` (collision holders, and holders that
/// have no other finding). The record parsed before, so this only fails on a changed
/// file.
fn entry_at<'a>(
    bytes: &'a [u8],
    file: FileId,
    pos: ObjectPos,
    limits: Limits,
) -> Option<Entry<'a>> {
    let rest = bytes.get(pos.offset..)?;
    match Parser::with_limits(rest, limits)
        .with_attr_classes(Attr::read_class)
        .next()?
    {
        Ok(Item::Record(r)) => {
            let mut e = Entry::from_record(file, r)?;
            e.line = pos.line;
            e.offset = pos.offset;
            Some(e)
        }
        _ => None,
    }
}

/// Resolve the collisions and build the report from the merged results.
fn build_report(
    args: &Args,
    config: &RuleConfig,
    inputs: &[Input],
    bytes: &[&[u8]],
    formats: &[InputFormat],
    m: Merged,
    hasher: &KeyHasher,
) -> ScanReport {
    let profile = args.profile;
    let limits = args.limits.limits();
    let csv_join = args.limits.csv_join;
    let Merged {
        files,
        objects,
        rows: all_rows,
        keys,
        entries,
        selected,
        skip_reasons,
        upn_suffixes,
        ..
    } = m;
    let bases: Vec<u32> = files.iter().map(|f| f.first_object).collect();
    let summaries: Vec<InputSummary> = inputs
        .iter()
        .zip(&files)
        .map(|(input, f)| InputSummary {
            path: input.name(),
            records: f.records,
            bytes: input.file_len,
        })
        .collect();
    // Locate an object by its global ordinal.
    let locate = |object: u32| -> Option<(usize, ObjectPos)> {
        let f = bases.partition_point(|b| *b <= object).checked_sub(1)?;
        Some((f, *objects.get(object as usize)?))
    };
    let candidates = keys.candidates();
    // Holders in CSV inputs cannot be re-read from their offset (the header gives the
    // columns): read those inputs once and keep the holders' entries.
    let mut csv_entries: AHashMap<u32, Entry<'_>> = AHashMap::new();
    if formats.iter().any(|f| *f != InputFormat::Ldif) {
        let mut wanted: AHashMap<(usize, usize), u32> = AHashMap::new();
        for o in candidates.iter().flat_map(|c| c.objects.iter().copied()) {
            if let Some((f, pos)) = locate(o) {
                if formats.get(f).is_some_and(|x| *x != InputFormat::Ldif) {
                    wanted.insert((f, pos.offset), o);
                }
            }
        }
        for (f, format) in formats.iter().enumerate() {
            if *format == InputFormat::Ldif || !wanted.keys().any(|(g, _)| *g == f) {
                continue;
            }
            for item in Records::new(bytes[f], *format, limits).with_csv_join(csv_join) {
                let Ok(Item::Record(r)) = item else {
                    continue;
                };
                if let Some(&o) = wanted.get(&(f, r.offset)) {
                    if let Some(e) = Entry::from_record(f as FileId, r) {
                        csv_entries.insert(o, e);
                    }
                }
            }
        }
    }
    let fetch = |object: u32| {
        let (f, pos) = locate(object)?;
        if formats.get(f).is_some_and(|x| *x != InputFormat::Ldif) {
            return csv_entries.get(&object).cloned();
        }
        entry_at(bytes[f], f as FileId, pos, limits)
    };
    let collisions = index::resolve(profile, hasher, candidates, &fetch);

    let mut dn_cache: AHashMap<u32, (String, String, String)> = AHashMap::new();
    let mut describe = |object: u32| -> (String, String, String) {
        if let Some(d) = dn_cache.get(&object) {
            return d.clone();
        }
        let d = fetch(object)
            .map(|e| {
                (
                    e.dn.to_string(),
                    e.cn().into_owned(),
                    e.object_class().unwrap_or("").to_owned(),
                )
            })
            .unwrap_or_default();
        dn_cache.insert(object, d.clone());
        d
    };
    let collision_reports: Vec<CollisionReport> = collisions
        .iter()
        .map(|c| CollisionReport {
            namespace: c.namespace,
            key: c.key.clone(),
            holders: c
                .holders
                .iter()
                .map(|o| Holder {
                    file: o.file,
                    line: o.line,
                    dn: describe(o.object).0,
                    attribute: o.attr.ldap_name(),
                    value: o.value.clone(),
                })
                .collect(),
        })
        .collect();

    // Findings, in input order; in the entra profile with every collision holder.
    let mut dupes: BTreeMap<u32, DupValues> = BTreeMap::new();
    if profile == Profile::Entra {
        for c in &collisions {
            let rule = c.namespace.duplicate_rule();
            for o in &c.holders {
                let list = dupes.entry(o.object).or_default();
                if !list.iter().any(|(a, v, _)| *a == o.attr && *v == o.value) {
                    list.push((o.attr, o.value.clone(), rule));
                }
            }
        }
    }
    let mut rows: Vec<Row> = Vec::with_capacity(all_rows.len());
    let mut it = all_rows.into_iter().peekable();
    let mut dit = dupes.into_iter().peekable();
    loop {
        let next_row_obj = it.peek().map(|(o, _)| *o);
        let next_dup_obj = dit.peek().map(|(o, _)| *o);
        let obj = match (next_row_obj, next_dup_obj) {
            (None, None) => break,
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (Some(a), Some(b)) => a.min(b),
        };
        let start = rows.len();
        while let Some((o, _)) = it.peek() {
            if *o != obj {
                break;
            }
            if let Some((_, r)) = it.next() {
                rows.push(r);
            }
        }
        if next_dup_obj != Some(obj) {
            continue;
        }
        let Some((_, list)) = dit.next() else {
            continue;
        };
        for (attr, value, rule) in list {
            let existing = rows[start..]
                .iter_mut()
                .find(|r| r.finding.attr == attr && r.finding.value == value);
            match existing {
                Some(r) => {
                    if !r.finding.errors.contains(&ErrorName::Duplicate) {
                        r.finding.errors.push(ErrorName::Duplicate);
                    }
                    if !r.finding.rules.contains(&rule) {
                        r.finding.rules.push(rule);
                    }
                }
                None => {
                    let (dn, cn, class) = describe(obj);
                    let (file, line) = locate(obj).map_or((0, 0), |(f, p)| (f as FileId, p.line));
                    rows.push(Row {
                        entry: EntryRef { file, line, dn, cn },
                        object_class: class,
                        finding: Finding {
                            attr,
                            attribute: attr.ldap_name(),
                            value,
                            errors: vec![ErrorName::Duplicate],
                            rules: vec![rule],
                            update: None,
                            action: Action::Edit,
                        },
                    });
                }
            }
        }
    }
    if profile != Profile::Entra {
        // The IdFix engine adds rows about earlier entries (first holders of a
        // duplicate): report order is input order.
        rows.sort_by_key(|r| (r.entry.file, r.entry.line));
    }
    let in_scope = objects.len() as u64;
    ScanReport {
        profile,
        inputs: summaries,
        entries,
        objects: selected,
        in_scope,
        skipped: selected.saturating_sub(in_scope),
        skip_reasons,
        rows,
        collisions: collision_reports,
        upn_suffixes: upn_suffixes.into_iter().collect(),
        verified_rule: profile == Profile::Entra && !config.verified_domains.is_empty(),
        invalid_records: 0,
        messages: Vec::new(),
        elapsed: std::time::Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_rdns_reads_hex_and_character_escapes_alike() {
        assert_eq!(
            dn_rdns("OU=Sales\\2C EMEA,DC=x"),
            dn_rdns("ou=sales\\, emea, dc=X")
        );
        assert_eq!(dn_rdns("OU=Sales\\2C EMEA,DC=x").unwrap().len(), 2);
        assert_eq!(dn_rdns("OU=Sales,garbage"), None);
        assert_eq!(dn_rdns("OU=Sales\\"), None);
    }

    #[test]
    fn dn_rdns_normalises() {
        assert_eq!(
            dn_rdns("CN=Smith\\, John , OU = Staff,DC=X"),
            Some(vec![
                "cn=smith\\, john".to_string(),
                "ou=staff".to_string(),
                "dc=x".to_string()
            ])
        );
        assert_eq!(dn_rdns(""), None);
        assert_eq!(dn_rdns("nonsense"), None);
        assert_eq!(dn_rdns("CN=a\\"), None);
    }

    #[test]
    fn ou_filter_most_specific_wins() {
        let f = OuFilter::new(
            &[
                "DC=contoso,DC=com".into(),
                "OU=Keep,OU=Gone,DC=contoso,DC=com".into(),
            ],
            &["ou=gone, dc=contoso, dc=com".into()],
        )
        .unwrap();
        assert!(f.allows("CN=a,OU=Staff,DC=contoso,DC=com"));
        assert!(!f.allows("CN=a,OU=Gone,DC=contoso,DC=com"));
        assert!(f.allows("CN=a,OU=Keep,OU=Gone,DC=contoso,DC=com"));
        assert!(!f.allows("CN=a,DC=fabrikam,DC=com"));
        // RDN boundaries: OU=Gone2 is not under OU=Gone.
        let f = OuFilter::new(&[], &["OU=Gone,DC=x".into()]).unwrap();
        assert!(f.allows("CN=a,OU=Gone2,DC=x"));
        assert!(!f.allows("OU=Gone,DC=x"));
        assert!(OuFilter::new(&["bad".into()], &[]).is_err());
        assert!(OuFilter::default().allows("anything"));
    }

    #[test]
    fn ou_filter_names_containers_that_held_nothing() {
        let f = OuFilter::new(
            &["OU=Staf,DC=x".into(), "OU=Staff,DC=x".into()],
            &["OU=Old,OU=Staff,DC=x".into(), "OU=Gone,DC=x".into()],
        )
        .unwrap();
        assert!(f.allows("CN=a,OU=Staff,DC=x"));
        assert!(!f.allows("CN=b,OU=Old,OU=Staff,DC=x"));
        assert_eq!(
            f.unmatched(),
            [
                ("--include-ou", "OU=Staf,DC=x"),
                ("--exclude-ou", "OU=Gone,DC=x")
            ]
        );
        assert!(OuFilter::default().unmatched().is_empty());
        // One container both included and excluded: refused, naming both spellings.
        let e = OuFilter::new(&["OU=Staff,DC=x".into()], &["ou=staff, dc=x".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--include-ou OU=Staff,DC=x and --exclude-ou ou=staff, dc=x"),
            "{e}"
        );
    }

    #[test]
    fn domains_are_normalised() {
        assert_eq!(normalize_domain(" @Contoso.COM. "), "contoso.com");
        assert_eq!(normalize_domain(".fabrikam.com"), "fabrikam.com");
    }

    fn whole(input: usize, text: &str) -> Chunk {
        Chunk {
            input,
            seq: 0,
            start: 0,
            end: text.len(),
            line: 1,
        }
    }

    #[test]
    fn scan_chunk_counts_scope_and_collects_keys() {
        let text = "dn: CN=A,OU=Staff,DC=x,DC=com\nobjectClass: user\ncn: A\nsAMAccountName: a\n\
                    userPrincipalName: a@x.com\nproxyAddresses: SMTP:a@x.com\nmailNickname: a\n\n\
                    dn: CN=krbtgt,CN=Users,DC=x,DC=com\nobjectClass: user\ncn: krbtgt\nsAMAccountName: krbtgt\n\
                    isCriticalSystemObject: TRUE\n\n\
                    dn: OU=Staff,DC=x,DC=com\nobjectClass: organizationalUnit\n\n\
                    dn: CN=B,OU=Other,DC=x,DC=com\nobjectClass: user\ncn: B\nsAMAccountName: b\n\n\
                    dn: CN=C,DC=x,DC=com\nchangetype: delete\n";
        let ou = OuFilter::new(&[], &["OU=Other,DC=x,DC=com".into()]).unwrap();
        let opts = ScanOptions {
            profile: Profile::Entra,
            ou: &ou,
            limits: Limits::default(),
            stop_at_error: true,
            formats: &[],
            csv_join: b';',
            faults: &[],
        };
        let hasher = KeyHasher::new();
        let mut engine = IdfixEngine::new(false, TldSet::idfix());
        let (rules, _) = engine.parts();
        let s = scan_chunk(
            text.as_bytes(),
            &whole(3, text),
            &opts,
            Check::Idfix(rules),
            &hasher,
        );
        assert_eq!(s.records, 5);
        assert_eq!(s.entries, 4);
        assert_eq!(s.objects, 3);
        assert_eq!(s.in_scope.len(), 1);
        assert_eq!(s.in_scope[0].line, 1);
        assert_eq!(s.pending.len(), 1);
        let (dn, file, _) = s.pending.entry(0).unwrap();
        assert_eq!((dn, file), ("CN=A,OU=Staff,DC=x,DC=com", 3));
        assert_eq!(s.skip_reasons.get(catalog::SKIP_OU_FILTER), Some(&1));
        assert_eq!(s.skip_reasons.values().sum::<u64>(), 2);
        assert_eq!(s.upn_suffixes.get("x.com"), Some(&1));
        // UPN and primary SMTP address share one key; the nickname has its own.
        assert_eq!(s.keys.len(), 2);
        // The record re-reads from its offset.
        let e = entry_at(text.as_bytes(), 3, s.in_scope[0], Limits::default()).unwrap();
        assert_eq!(e.dn, "CN=A,OU=Staff,DC=x,DC=com");
        // The entra checks run in the worker.
        let ctx = EntraContext::default();
        let s = scan_chunk(
            text.as_bytes(),
            &whole(3, text),
            &opts,
            Check::Entra(&ctx),
            &hasher,
        );
        assert!(s.pending.is_empty());
        assert!(s.rows.iter().all(|(o, r)| *o == 0 && r.entry.line == 1));
    }

    #[test]
    fn scan_chunk_positions_are_input_positions() {
        let text = "dn: CN=A,DC=x\nobjectClass: user\nsAMAccountName: a\n\n\
                    dn: CN=B,DC=x\nobjectClass: user\nsAMAccountName: b\n";
        let ou = OuFilter::default();
        let opts = ScanOptions {
            profile: Profile::Entra,
            ou: &ou,
            limits: Limits::default(),
            stop_at_error: true,
            formats: &[],
            csv_join: b';',
            faults: &[],
        };
        let chunks = pipeline::plan(&[text.as_bytes()], 1);
        assert_eq!(chunks.len(), 2);
        let mut engine = IdfixEngine::new(false, TldSet::idfix());
        let s = scan_chunk(
            text.as_bytes(),
            &chunks[1],
            &opts,
            Check::Idfix(engine.parts().0),
            &KeyHasher::new(),
        );
        assert_eq!(s.in_scope.len(), 1);
        assert_eq!(s.in_scope[0].line, 5);
        assert_eq!(s.in_scope[0].offset, chunks[1].start);
        assert_eq!(s.pending.entry(0).map(|(_, _, line)| line), Some(5));
    }

    #[test]
    fn scan_chunk_stops_or_keeps_going() {
        let text = "dn: CN=A,DC=x\nobjectClass: user\n\ndn: CN=B,DC=x\nbroken\n\ndn: CN=C,DC=x\nobjectClass: user\n";
        let ou = OuFilter::default();
        let mut opts = ScanOptions {
            profile: Profile::Entra,
            ou: &ou,
            limits: Limits::default(),
            stop_at_error: true,
            formats: &[],
            csv_join: b';',
            faults: &[],
        };
        let h = KeyHasher::new();
        let mut engine = IdfixEngine::new(false, TldSet::idfix());
        let later = Check::Idfix(engine.parts().0);
        let s = scan_chunk(text.as_bytes(), &whole(0, text), &opts, later, &h);
        assert_eq!((s.records, s.errors.len()), (2, 1));
        assert_eq!(s.errors[0].line, 5);
        opts.stop_at_error = false;
        let s = scan_chunk(text.as_bytes(), &whole(0, text), &opts, later, &h);
        assert_eq!((s.records, s.errors.len(), s.entries), (3, 1, 2));
    }
}
