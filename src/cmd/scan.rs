//! `ldifix scan INPUT...`: read every input (several files = several domains of one
//! tenant), keep the objects in scope, run the profile's checks, index every compared
//! value tenant-wide, and report findings and collisions (terminal summary, `--json`,
//! `--csv`).
//!
//! Pipeline: each file is handled by [`scan_bytes`], a plain function over the file's
//! bytes (files are scanned in parallel in the `entra` profile; the IdFix engine keeps a
//! run-wide duplicate store, so its profiles scan files in order). The per-file results
//! are then merged in input order: objects get global ordinals, their values go into the
//! [`Index`], and — in the `entra` profile — every holder of a collision gets a
//! `Duplicate` finding, merged into its (object, attribute, value) finding when that
//! value already failed other checks, so `findings` and `collisions` agree.
//!
//! Exit status: 0 no findings, 1 findings, 2 invalid input (`file:line: …`) or usage.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use ahash::AHashMap;
use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::cmd::LimitArgs;
use crate::index::{self, Index, Namespace};
use crate::ldif::{Item, Limits, ParseError, Parser, Warning};
use crate::model::{Attr, Entry, FileId};
use crate::output::{check_writable, AtomicFile};
use crate::report::{self, CollisionReport, Holder, InputSummary, ScanReport};
use crate::rules::entra::EntraContext;
use crate::rules::idfix::IdfixEngine;
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
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Report each bad record, skip it and go on (the exit status is still 2).
    #[arg(long)]
    pub keep_going: bool,
    /// Do not print the summary.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

// ---------------------------------------------------------------------------------------
// OU filtering

/// Container scoping like Entra Connect's OU filtering: an object is in scope when the
/// most specific listed container above it (or equal to it) is an included one; with no
/// `--include-ou`, everything not excluded is in scope. Equal depth: exclusion wins.
#[derive(Debug, Clone, Default)]
pub struct OuFilter {
    include: Vec<Vec<String>>,
    exclude: Vec<Vec<String>>,
}

/// A DN as a list of normalised RDNs (`type=value`, lower-cased, spaces around `=` and
/// `,` trimmed), leaf first. `None` for an empty or malformed DN.
pub fn dn_rdns(dn: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut esc = false;
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
                out.push(norm_rdn(&cur)?);
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if esc {
        return None;
    }
    out.push(norm_rdn(&cur)?);
    Some(out)
}

fn norm_rdn(rdn: &str) -> Option<String> {
    let (ty, val) = rdn.split_once('=')?;
    let ty = ty.trim();
    let val = val.trim();
    if ty.is_empty() {
        return None;
    }
    Some(format!("{}={}", ty.to_lowercase(), val.to_lowercase()))
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
        Ok(OuFilter {
            include: parse(include, "--include-ou")?,
            exclude: parse(exclude, "--exclude-ou")?,
        })
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
        let depth = |list: &[Vec<String>]| {
            list.iter()
                .filter(|c| c.len() <= rdns.len() && rdns[rdns.len() - c.len()..] == c[..])
                .map(|c| c.len())
                .max()
        };
        match (depth(&self.include), depth(&self.exclude)) {
            (Some(i), Some(e)) => i > e,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => self.include.is_empty(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Per-file scan

/// What the checks need, shared by every file.
pub struct ScanOptions<'c> {
    /// The profile.
    pub profile: Profile,
    /// Container scoping.
    pub ou: &'c OuFilter,
    /// Parser limits.
    pub limits: Limits,
    /// Stop at the first invalid record (no `--keep-going`).
    pub stop_at_error: bool,
}

/// One in-scope object of a file.
#[derive(Debug, Clone, Copy)]
pub struct ObjectPos {
    /// Byte offset of its record in the (decoded) input.
    pub offset: usize,
    /// Line where its record starts.
    pub line: u64,
}

/// The result of scanning one file.
#[derive(Debug, Default)]
pub struct FileScan<'a> {
    /// Records read (valid and invalid).
    pub records: u64,
    /// Entries (content and add records), whatever they describe.
    pub entries: u64,
    /// Entries the profile selects (persons and groups): in scope or skipped.
    pub objects: u64,
    /// Selected entries left out, per skip id (`ou-filter` for OU filtering).
    pub skip_reasons: BTreeMap<&'static str, u64>,
    /// In-scope objects, in file order (their index is the object's file-local ordinal).
    pub in_scope: Vec<ObjectPos>,
    /// Findings with the file-local ordinal of their object.
    pub rows: Vec<(u32, Row)>,
    /// Values to index: (file-local ordinal, attribute, value as in the input).
    pub values: Vec<(u32, Attr, Cow<'a, str>)>,
    /// In-scope objects per UPN suffix.
    pub upn_suffixes: BTreeMap<String, u64>,
    /// Invalid records (all of them with `--keep-going`, else the first).
    pub errors: Vec<ParseError>,
    /// Parser warnings.
    pub warnings: Vec<Warning>,
}

/// Scan one file's bytes: parse, build entries, decide scope, run `check` on each
/// in-scope entry (it appends that entry's findings), and collect the values to index.
pub fn scan_bytes<'a, F>(
    file: FileId,
    bytes: &'a [u8],
    opts: &ScanOptions<'_>,
    mut check: F,
) -> FileScan<'a>
where
    F: FnMut(&Entry<'a>, &mut Vec<Row>),
{
    let mut out = FileScan::default();
    let mut parser = Parser::with_limits(bytes, opts.limits);
    let mut rows = Vec::new();
    while let Some(item) = parser.next() {
        out.warnings.extend(parser.take_warnings());
        let rec = match item {
            Ok(Item::Record(r)) => r,
            Ok(Item::Skipped { .. }) => continue,
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
        let Some(entry) = Entry::from_record(file, rec) else {
            continue;
        };
        out.entries += 1;
        let skip = match rules::scope::scope(&entry, opts.profile) {
            Scope::NotApplicable => continue,
            Scope::Skipped(reason) => Some(reason),
            Scope::In if !opts.ou.allows(&entry.dn) => Some(catalog::SKIP_OU_FILTER),
            Scope::In => None,
        };
        out.objects += 1;
        if let Some(reason) = skip {
            *out.skip_reasons.entry(reason).or_insert(0) += 1;
            continue;
        }
        let local = out.in_scope.len() as u32;
        out.in_scope.push(ObjectPos {
            offset: entry.offset,
            line: entry.line,
        });
        if let Some(upn) = entry.get(Attr::UserPrincipalName) {
            if let Some((_, suffix)) = upn.rsplit_once('@') {
                let s = suffix.trim().to_lowercase();
                match out.upn_suffixes.get_mut(&s) {
                    Some(n) => *n += 1,
                    None => {
                        out.upn_suffixes.insert(s, 1);
                    }
                }
            }
        }
        rows.clear();
        check(&entry, &mut rows);
        out.rows.extend(rows.drain(..).map(|r| (local, r)));
        for v in index::indexed_values(opts.profile, &entry) {
            out.values.push((local, v.attr, v.text.clone()));
        }
    }
    out.warnings.extend(parser.take_warnings());
    out
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

fn read_list(path: &Path, what: &str) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

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
    let mut verified: Vec<String> = args
        .verified_domain
        .iter()
        .map(|d| normalize_domain(d))
        .collect();
    if let Some(p) = &args.verified_domains {
        match read_list(p, "verified-domains file") {
            Ok(list) => verified.extend(list.iter().map(|d| normalize_domain(d))),
            Err(e) => return Ok(Err(Usage(format!("{e:#}")))),
        }
    }
    verified.retain(|d| !d.is_empty());
    verified.sort();
    verified.dedup();
    let tld_override = match &args.tld_list {
        Some(p) => match read_list(p, "TLD list") {
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
    for p in [&args.csv, &args.json].into_iter().flatten() {
        if let Err(e) = check_writable(p, args.force) {
            return usage(&format!("{e:#}"));
        }
    }
    if let (Some(a), Some(b)) = (&args.csv, &args.json) {
        if a == b {
            return usage("--csv and --json name the same file");
        }
    }
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return usage("standard input (-) can be read only once");
    }

    // Open every input (mapping is cheap; reading stdin is sequential anyway).
    let mut inputs = Vec::with_capacity(args.inputs.len());
    for p in &args.inputs {
        match Input::open(p) {
            Ok(i) => inputs.push(i),
            Err(e) => return usage(&e.to_string()),
        }
    }

    let opts = ScanOptions {
        profile: args.profile,
        ou: &ou,
        limits: args.limits.limits(),
        stop_at_error: !args.keep_going,
    };
    let mut checker = Checker::new(args.profile, &config);
    let scans: Vec<FileScan<'_>> = checker.scan_all(&inputs, &opts);

    // Parse errors and warnings, in input order.
    let mut stderr = io::stderr().lock();
    let mut invalid = 0u64;
    for (input, s) in inputs.iter().zip(&scans) {
        let name = input.name();
        for w in &s.warnings {
            writeln!(stderr, "{name}:{}: warning: {}", w.line, w.message)?;
        }
        for e in &s.errors {
            invalid += 1;
            writeln!(stderr, "ldifix: {name}:{e}")?;
        }
    }
    drop(stderr);
    if invalid > 0 && !args.keep_going {
        return Ok(2);
    }

    let mut report = merge(&args, &config, &inputs, scans);
    report.invalid_records = invalid;
    report.elapsed = started.elapsed();

    if let Some(p) = &args.json {
        let mut f = AtomicFile::create(p, args.force)?;
        report::json::write(&mut f, &report)
            .with_context(|| format!("cannot write {}", p.display()))?;
        f.commit()?;
    }
    if let Some(p) = &args.csv {
        let mut f = AtomicFile::create(p, args.force)?;
        if args.profile == Profile::Entra {
            report::csv::write(&mut f, &report.rows)
        } else {
            let mut rows = report.rows.clone();
            rules::idfix::sort_rows(&mut rows);
            report::csv::write(&mut f, &rows)
        }
        .with_context(|| format!("cannot write {}", p.display()))?;
        f.commit()?;
    }
    report.elapsed = started.elapsed();
    if !args.quiet {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        report::summary::write(&mut out, &report)?;
        out.flush()?;
    }
    Ok(if invalid > 0 {
        2
    } else if report.has_findings() {
        1
    } else {
        0
    })
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

    /// Scan every input: in parallel for stateless checks, in input order for the IdFix
    /// engine (its duplicate store spans the run).
    fn scan_all<'a>(&mut self, inputs: &'a [Input], opts: &ScanOptions<'_>) -> Vec<FileScan<'a>> {
        match self {
            Checker::Entra(ctx) => {
                let ctx = &*ctx;
                inputs
                    .par_iter()
                    .enumerate()
                    .map(|(i, input)| {
                        scan_bytes(i as FileId, input.bytes(), opts, |e, rows| {
                            rows.extend(
                                rules::entra::check(e, ctx)
                                    .into_iter()
                                    .map(|f| row_for(e, f)),
                            )
                        })
                    })
                    .collect()
            }
            Checker::Idfix(engine) => inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    scan_bytes(i as FileId, input.bytes(), opts, |e, rows| {
                        rows.extend(engine.check(e))
                    })
                })
                .collect(),
        }
    }
}

/// The colliding values of one object: (attribute, value as in the input, rule id).
type DupValues = Vec<(Attr, String, &'static str)>;

/// The Entra duplicate rule for a namespace.
fn duplicate_rule(ns: Namespace) -> &'static str {
    match ns {
        Namespace::MailNickname => catalog::NICK_DUPLICATE,
        Namespace::Proxy => catalog::PROXY_DUPLICATE,
        Namespace::Address | Namespace::Idfix(_) => catalog::ADDRESS_DUPLICATE,
    }
}

/// Re-read the entry whose record starts at `pos` (for collision holders that have no
/// other finding). The record parsed before, so this only fails on a changed file.
fn entry_at<'a>(bytes: &'a [u8], file: FileId, pos: ObjectPos) -> Option<Entry<'a>> {
    let rest = bytes.get(pos.offset..)?;
    match Parser::new(rest).next()? {
        Ok(Item::Record(r)) => {
            let mut e = Entry::from_record(file, r)?;
            e.line = pos.line;
            e.offset = pos.offset;
            Some(e)
        }
        _ => None,
    }
}

/// Merge the per-file results in input order into the report.
fn merge(
    args: &Args,
    config: &RuleConfig,
    inputs: &[Input],
    mut scans: Vec<FileScan<'_>>,
) -> ScanReport {
    let profile = args.profile;
    let file_rows: Vec<Vec<(u32, Row)>> = scans
        .iter_mut()
        .map(|s| std::mem::take(&mut s.rows))
        .collect();
    let mut index = Index::new(profile);
    let mut bases = Vec::with_capacity(scans.len());
    let mut base = 0u32;
    let mut objects = 0u64;
    let mut entries = 0u64;
    let mut skip_reasons: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut in_scope = 0u64;
    let mut upn_suffixes = BTreeMap::new();
    let mut summaries = Vec::with_capacity(scans.len());
    for (i, (input, s)) in inputs.iter().zip(&scans).enumerate() {
        bases.push(base);
        for (local, attr, value) in &s.values {
            let ObjectPos { line, .. } = s.in_scope[*local as usize];
            index.add(base + local, i as FileId, line, *attr, value);
        }
        for (k, n) in &s.upn_suffixes {
            *upn_suffixes.entry(k.clone()).or_insert(0) += n;
        }
        base = base.saturating_add(s.in_scope.len() as u32);
        objects += s.objects;
        entries += s.entries;
        for (k, n) in &s.skip_reasons {
            *skip_reasons.entry(k).or_insert(0) += n;
        }
        in_scope += s.in_scope.len() as u64;
        summaries.push(InputSummary {
            path: input.name(),
            records: s.records,
            bytes: input.file_len,
        });
    }
    let collisions = index.collisions();
    // Locate an object by its global ordinal.
    let locate = |object: u32| -> Option<(usize, ObjectPos)> {
        let f = bases.partition_point(|b| *b <= object).checked_sub(1)?;
        let pos = *scans[f].in_scope.get((object - bases[f]) as usize)?;
        Some((f, pos))
    };
    let mut dn_cache: AHashMap<u32, (String, String, String)> = AHashMap::new();
    let mut describe = |object: u32| -> (String, String, String) {
        if let Some(d) = dn_cache.get(&object) {
            return d.clone();
        }
        let d = locate(object)
            .and_then(|(f, pos)| entry_at(inputs[f].bytes(), f as FileId, pos))
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
            let rule = duplicate_rule(c.namespace);
            for o in &c.holders {
                let list = dupes.entry(o.object).or_default();
                if !list.iter().any(|(a, v, _)| *a == o.attr && *v == o.value) {
                    list.push((o.attr, o.value.clone(), rule));
                }
            }
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    for (f, (s, srows)) in scans.iter().zip(file_rows).enumerate() {
        let b = bases[f];
        let end = b.saturating_add(s.in_scope.len() as u32);
        let mut file_dupes: Vec<(u32, DupValues)> = Vec::new();
        while let Some((&o, _)) = dupes.first_key_value() {
            if o >= end {
                break;
            }
            if let Some((o, d)) = dupes.pop_first() {
                file_dupes.push((o - b, d));
            }
        }
        let mut di = 0;
        let mut it = srows.into_iter().peekable();
        loop {
            let next_row_obj = it.peek().map(|(o, _)| *o);
            let next_dup_obj = file_dupes.get(di).map(|(o, _)| *o);
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
            if next_dup_obj == Some(obj) {
                let list = std::mem::take(&mut file_dupes[di].1);
                di += 1;
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
                            let (dn, cn, class) = describe(b + obj);
                            let pos = s.in_scope.get(obj as usize).copied();
                            rows.push(Row {
                                entry: EntryRef {
                                    file: f as FileId,
                                    line: pos.map_or(0, |p| p.line),
                                    dn,
                                    cn,
                                },
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
        }
    }
    if profile != Profile::Entra {
        // The IdFix engine adds rows about earlier entries (first holders of a
        // duplicate): report order is input order.
        rows.sort_by_key(|r| (r.entry.file, r.entry.line));
    }
    ScanReport {
        profile,
        inputs: summaries,
        entries,
        objects,
        in_scope,
        skipped: objects.saturating_sub(in_scope),
        skip_reasons,
        rows,
        collisions: collision_reports,
        upn_suffixes,
        verified_rule: profile == Profile::Entra && !config.verified_domains.is_empty(),
        invalid_records: 0,
        elapsed: std::time::Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn domains_are_normalised() {
        assert_eq!(normalize_domain(" @Contoso.COM. "), "contoso.com");
        assert_eq!(normalize_domain(".fabrikam.com"), "fabrikam.com");
    }

    #[test]
    fn scan_bytes_counts_scope_and_collects_values() {
        let text = "dn: CN=A,OU=Staff,DC=x,DC=com\nobjectClass: user\ncn: A\nsAMAccountName: a\n\
                    userPrincipalName: a@x.com\nproxyAddresses: SMTP:a@x.com\n\n\
                    dn: CN=krbtgt,CN=Users,DC=x,DC=com\nobjectClass: user\ncn: krbtgt\nsAMAccountName: krbtgt\n\n\
                    dn: OU=Staff,DC=x,DC=com\nobjectClass: organizationalUnit\n\n\
                    dn: CN=B,OU=Other,DC=x,DC=com\nobjectClass: user\ncn: B\nsAMAccountName: b\n\n\
                    dn: CN=C,DC=x,DC=com\nchangetype: delete\n";
        let ou = OuFilter::new(&[], &["OU=Other,DC=x,DC=com".into()]).unwrap();
        let opts = ScanOptions {
            profile: Profile::Entra,
            ou: &ou,
            limits: Limits::default(),
            stop_at_error: true,
        };
        let mut checked = Vec::new();
        let s = scan_bytes(3, text.as_bytes(), &opts, |e, _| {
            checked.push(e.dn.to_string())
        });
        assert_eq!(s.records, 5);
        assert_eq!(s.entries, 4);
        assert_eq!(s.objects, 3);
        assert_eq!(s.in_scope.len(), 1);
        assert_eq!(s.in_scope[0].line, 1);
        assert_eq!(checked, vec!["CN=A,OU=Staff,DC=x,DC=com".to_string()]);
        assert_eq!(s.skip_reasons.get(catalog::SKIP_OU_FILTER), Some(&1));
        assert_eq!(s.skip_reasons.values().sum::<u64>(), 2);
        assert_eq!(s.upn_suffixes.get("x.com"), Some(&1));
        let vals: Vec<(u32, Attr, &str)> = s
            .values
            .iter()
            .map(|(o, a, v)| (*o, *a, v.as_ref()))
            .collect();
        assert_eq!(
            vals,
            vec![
                (0, Attr::UserPrincipalName, "a@x.com"),
                (0, Attr::ProxyAddresses, "SMTP:a@x.com")
            ]
        );
        // The record re-reads from its offset.
        let e = entry_at(text.as_bytes(), 3, s.in_scope[0]).unwrap();
        assert_eq!(e.dn, "CN=A,OU=Staff,DC=x,DC=com");
    }

    #[test]
    fn scan_bytes_stops_or_keeps_going() {
        let text = "dn: CN=A,DC=x\nobjectClass: user\n\ndn: CN=B,DC=x\nbroken\n\ndn: CN=C,DC=x\nobjectClass: user\n";
        let ou = OuFilter::default();
        let mut opts = ScanOptions {
            profile: Profile::Entra,
            ou: &ou,
            limits: Limits::default(),
            stop_at_error: true,
        };
        let s = scan_bytes(0, text.as_bytes(), &opts, |_, _| {});
        assert_eq!((s.records, s.errors.len()), (2, 1));
        assert_eq!(s.errors[0].line, 5);
        opts.stop_at_error = false;
        let s = scan_bytes(0, text.as_bytes(), &opts, |_, _| {});
        assert_eq!((s.records, s.errors.len(), s.entries), (3, 1, 2));
    }
}
