//! `ldifix fix INPUT... -o changes.ldf --undo undo.ldf`: plan UPN suffix rewrites,
//! UPNs from the primary SMTP address and accepted scan fixes, refuse every change the
//! directory or Entra ID would reject, and write a change file `ldifde -i` imports plus
//! its exact undo.
//!
//! Outputs go through [`crate::output::AtomicFile`] (temporary file, fsync, rename); an
//! existing output is only replaced with `--force`; the undo file is committed before
//! the change file, so a change file never exists without its undo. Inputs are only
//! read. Exit status: 0 when everything planned was written and nothing was refused, 1
//! when some changes were refused, 2 for invalid input or usage.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cmd::{LimitArgs, TenantArgs};
use crate::ldif::writer::{LineEnding, WriterOptions};
use crate::model::Attr;
use crate::output::{self, AtomicFile, Planned};
use crate::rewrite::checks::EntraChecks;
use crate::rewrite::emit::{self, Registration};
use crate::rewrite::plan::{
    plan_fix_with, read_class_without_accept, read_without_accept, EntryFacts, DUPLICATE_RULE_IDS,
};
use crate::rewrite::{load, report, FixOptions, Plan, SuffixRewrite};
use crate::rules::{entra, ErrorName, RuleConfig};
use crate::stdout::{printable, unless_closed};

/// Line ending of the written files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Eol {
    /// CR LF, leading empty line: what `ldifde -i` imports (default).
    Crlf,
    /// LF, no leading empty line: for `ldapmodify` and `ldbmodify`.
    Lf,
}

impl Eol {
    /// The writer options of the dialect.
    pub fn writer_options(self) -> WriterOptions {
        match self {
            Eol::Crlf => WriterOptions::ldifde(),
            Eol::Lf => WriterOptions {
                line_ending: LineEnding::Lf,
                fold: None,
                leading_blank_line: false,
                version_line: false,
            },
        }
    }
}

/// Where and how the change and undo files are written (shared with `apply-csv`).
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// The change file to write. Beside it, CHANGES.ldf.map.csv maps each of its lines
    /// to the DN of its record (to read ldifde's error log, which names lines); likewise
    /// UNDO.ldf.map.csv.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "CHANGES.ldf",
        required_unless_present = "dry_run"
    )]
    pub output: Option<PathBuf>,
    /// The undo file to write (the exact inverse of the change file).
    #[arg(long, value_name = "UNDO.ldf", required_unless_present = "dry_run")]
    pub undo: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Line ending: crlf (ldifde, default) or lf (ldapmodify, ldbmodify).
    #[arg(long, value_enum, default_value_t = Eol::Crlf)]
    pub line_ending: Eol,
    /// Also write every change and every refused change with its reason (CSV, or JSON
    /// when the name ends in .json).
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Write one change file and one undo file per input export (each export being one
    /// domain, imported on a DC of that domain): CHANGES.ldf becomes
    /// CHANGES.<input name>.ldf, likewise for UNDO.ldf. Collisions are still checked
    /// across all inputs.
    #[arg(long)]
    pub per_input: bool,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print the wall time of each phase on stderr at the end (read, plan, write).
    #[arg(long)]
    pub timings: bool,
}

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    ldifix fix export.ldf --upn-suffix contoso.local=contoso.com -o changes.ldf --undo undo.ldf\n  \
    ldifix fix a.ldf b.ldf --upn-from-mail --verified-domain contoso.com --dry-run\n  \
    ldifix fix export.ldf --accept Character --report fix-report.csv -o changes.ldf --undo undo.ldf\n\
Import with: ldifde -i -f changes.ldf -j <logdir>   (undo: ldifde -i -f undo.ldf)")]
pub struct Args {
    /// The exports: LDIF (ldifde, ldapsearch, slapcat, ldbsearch) or CSV (csvde,
    /// PowerShell Export-Csv). `-` reads standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Rewrite the UPN suffix OLD (after the last @, any case) to NEW; NEW counts as a
    /// verified domain. Repeatable, one mapping per OLD suffix.
    #[arg(long, value_name = "OLD=NEW")]
    pub upn_suffix: Vec<SuffixRewrite>,
    /// Set each user's UPN to its primary SMTP address (SMTP: proxy, else mail) where
    /// that domain is verified.
    #[arg(long)]
    pub upn_from_mail: bool,
    #[command(flatten)]
    pub tenant: TenantArgs,
    /// Apply scan's proposed value for findings of this rule id or error name (e.g.
    /// Character). Duplicates are never fixed: with Duplicate (or address-duplicate,
    /// nick-duplicate, proxy-duplicate) each one is reported as refused, with the other
    /// holders. Repeatable or comma-separated.
    #[arg(long, value_name = "RULE|ERROR", value_delimiter = ',')]
    pub accept: Vec<String>,
    /// Start the change file with one record adding every NEW suffix to uPNSuffixes on
    /// CN=Partitions,CN=Configuration,<forest root>. The undo file does not remove them.
    #[arg(long)]
    pub register_suffix: bool,
    /// The forest root DN for --register-suffix, made of DC= components (default: the DC=
    /// components the inputs' DNs share, when they share two or more).
    #[arg(long, value_name = "DN", value_parser = crate::rewrite::parse_forest_root)]
    pub forest_root: Option<String>,
    /// Change only objects under this container (repeatable), like Entra Connect OU
    /// filtering and `scan --include-ou`.
    #[arg(long = "include-ou", value_name = "DN")]
    pub include_ou: Vec<String>,
    /// Change no object under this container (repeatable); the most specific container
    /// wins. Collisions are still judged against every object of the inputs.
    #[arg(long = "exclude-ou", value_name = "DN")]
    pub exclude_ou: Vec<String>,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Refuse, before any work, outputs that would overwrite a file the run reads (`read`:
/// the exports, CSVs and list files) or each other, and (without `--force`) existing
/// ones: every file the run writes is checked, line maps and per-input files included
/// ([`crate::output::precheck`]). `sources` are the exports the per-input files are
/// named after.
pub fn precheck_outputs(
    out: &OutputArgs,
    read: &[PathBuf],
    sources: &[PathBuf],
) -> Result<(), String> {
    if out.dry_run {
        return Ok(());
    }
    for (what, p) in [
        ("-o", &out.output),
        ("--undo", &out.undo),
        ("--report", &out.report),
    ] {
        if let Some(p) = p {
            output::refuse_stdout(what, p)?;
        }
    }
    output::precheck(&planned_outputs(out, sources), read, out.force)
}

/// Every file a run writes, in the order they are created: per target its change file,
/// undo file and their line maps, then the report.
fn planned_outputs(out: &OutputArgs, sources: &[PathBuf]) -> Vec<Planned> {
    let mut all = Vec::new();
    for t in targets(out, sources) {
        let of = match t.input {
            Some(i) => format!(" for {}", sources[i].display()),
            None => String::new(),
        };
        let maps = [
            Planned::new(
                map_path(&t.changes),
                format!("the line map of {}", t.changes.display()),
            ),
            Planned::new(
                map_path(&t.undo),
                format!("the line map of {}", t.undo.display()),
            ),
        ];
        all.push(Planned::new(t.changes, format!("-o{of}")));
        all.push(Planned::new(t.undo, format!("--undo{of}")));
        all.extend(maps);
    }
    if let Some(r) = &out.report {
        all.push(Planned::new(r, "--report"));
    }
    all
}

/// One change file and its undo file, for the changes of `input` (`None`: all inputs).
struct Target {
    changes: PathBuf,
    undo: PathBuf,
    input: Option<usize>,
}

/// The change and undo files to write: one pair, or with `--per-input` one pair per
/// input named after it (`changes.ldf` + `contoso.ldf` → `changes.contoso.ldf`; inputs
/// sharing a name are told apart by their position: `changes.export-2.ldf`).
fn targets(out: &OutputArgs, sources: &[PathBuf]) -> Vec<Target> {
    let (Some(changes), Some(undo)) = (&out.output, &out.undo) else {
        return Vec::new();
    };
    if !out.per_input {
        return vec![Target {
            changes: changes.clone(),
            undo: undo.clone(),
            input: None,
        }];
    }
    let stems: Vec<String> = sources
        .iter()
        .map(|p| match p.to_str() {
            Some("-") => "stdin".to_string(),
            _ => p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "input".into()),
        })
        .collect();
    stems
        .iter()
        .enumerate()
        .map(|(i, stem)| {
            let shared = stems.iter().filter(|s| *s == stem).count() > 1;
            let name = if shared {
                format!("{stem}-{}", i + 1)
            } else {
                stem.clone()
            };
            Target {
                changes: with_infix(changes, &name),
                undo: with_infix(undo, &name),
                input: Some(i),
            }
        })
        .collect()
}

/// `dir/changes.ldf` with `name` → `dir/changes.name.ldf` (no extension: `changes.name`).
fn with_infix(p: &Path, name: &str) -> PathBuf {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = match p.extension() {
        Some(ext) => format!("{stem}.{name}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{name}"),
    };
    p.with_file_name(file)
}

/// The sidecar line map of an output: `<file>.map.csv`.
pub fn map_path(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(".map.csv");
    PathBuf::from(s)
}

/// Print the plan summary (and, with `all`, every refused change) to stdout.
pub fn print_summary(plan: &Plan, all_refusals: bool, max_refusals: usize) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut o = stdout.lock();
    let kinds = plan
        .counts_by_kind()
        .into_iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(
        o,
        "plan: {} objects, {} changes{}; {} refused",
        plan.changes.len(),
        plan.change_count(),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({kinds})")
        },
        plan.refused.len()
    )?;
    if !plan.refused.is_empty() {
        let reasons = plan
            .refusals_by_reason()
            .into_iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(o, "refused: {reasons}")?;
        let limit = if all_refusals {
            usize::MAX
        } else {
            max_refusals
        };
        for r in plan.refused.iter().take(limit) {
            write!(
                o,
                "  {} [{}] '{}' -> '{}': {}",
                printable(&r.dn),
                r.attribute,
                printable(&r.old),
                printable(&r.proposed),
                printable(&r.reason)
            )?;
            if !r.conflicting_dns.is_empty() {
                write!(o, " (with {})", printable(&r.conflicting_dns.join(" | ")))?;
            }
            writeln!(o)?;
        }
        if plan.refused.len() > limit {
            writeln!(o, "  … {} more (see --report)", plan.refused.len() - limit)?;
        }
    }
    // "note: 2 users kept their UPN: their …" (`{its}` in `what` agrees with the count).
    let mut note = |n: usize, what: &str| -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        let its = if n == 1 { "its" } else { "their" };
        let what = what.replace("{its}", its);
        writeln!(o, "note: {} {what}", load::counted(n as u64, "user"))
    };
    note(
        plan.unverified_mail,
        "kept {its} UPN: {its} primary SMTP domain is not verified",
    )?;
    note(
        plan.suffix_fallback,
        "got {its} UPN from --upn-suffix: {its} primary SMTP address is ambiguous, not a valid UPN or in an unverified domain",
    )?;
    Ok(())
}

/// Write undo, change, line maps and report for `plan`; returns the exit status.
pub fn write_outputs(
    plan: &Plan,
    out: &OutputArgs,
    register: Option<&Registration>,
    report_paths: &[String],
    sources: &[PathBuf],
) -> Result<i32> {
    // A closed pipe stops the printing, not the run (src/stdout.rs).
    unless_closed(print_summary(plan, out.dry_run, 20))?;
    let stdout = std::io::stdout();
    if out.dry_run {
        unless_closed(writeln!(stdout.lock(), "dry run: nothing written"))?;
        return Ok(if plan.refused.is_empty() { 0 } else { 1 });
    }
    if out.output.is_none() || out.undo.is_none() {
        anyhow::bail!("-o/--output and --undo are required (or use --dry-run)");
    }
    let opts = out.line_ending.writer_options();
    let targets = targets(out, sources);
    // Create every temporary file first: an existing output fails before anything moves.
    let mut files = Vec::with_capacity(targets.len());
    for t in &targets {
        files.push([
            AtomicFile::create(&t.undo, out.force)?,
            AtomicFile::create(&t.changes, out.force)?,
            AtomicFile::create(&map_path(&t.undo), out.force)?,
            AtomicFile::create(&map_path(&t.changes), out.force)?,
        ]);
    }
    let mut report_f = match &out.report {
        Some(p) => Some(AtomicFile::create(p, out.force)?),
        None => None,
    };

    let mut written = Vec::with_capacity(targets.len());
    for (k, (t, [undo_f, change_f, undo_map_f, change_map_f])) in
        targets.iter().zip(files.iter_mut()).enumerate()
    {
        // Changes are in input order, so an input's changes are one run of them.
        let changes = match t.input {
            None => &plan.changes[..],
            Some(i) => {
                let from = plan.changes.partition_point(|c| (c.file as usize) < i);
                let to = plan.changes.partition_point(|c| (c.file as usize) <= i);
                &plan.changes[from..to]
            }
        };
        // The suffix is registered once, forest-wide: in the first change file.
        let register = if k == 0 { register } else { None };
        // The undo file and the change file (each with its line map) are written on two
        // threads, straight into their temporary files: nothing is held in memory.
        let (undo_records, change_records) = rayon::join(
            || {
                write_with_map(undo_f, undo_map_f, |f| {
                    emit::write_undo(f, changes, opts).map(|(_, map)| map)
                })
            },
            || {
                write_with_map(change_f, change_map_f, |f| {
                    emit::write_changes(f, changes, opts, register).map(|(_, map)| map)
                })
            },
        );
        written.push((undo_records?, change_records?));
    }
    if let (Some(f), Some(p)) = (report_f.as_mut(), &out.report) {
        f.write_all(&report::report_bytes(p, plan, report_paths)?)?;
        // Synced before any output is renamed: a report that cannot be written (a full
        // disk) leaves no change file behind.
        f.sync()?;
    }
    // One commit, which an interrupt never splits: every undo file, then every change
    // file, then the report (if a rename fails, no change file is in place without its
    // undo file).
    let mut undos = Vec::with_capacity(files.len() * 4 + 1);
    let mut changes = Vec::with_capacity(files.len() * 2);
    for [undo_f, change_f, undo_map_f, change_map_f] in files {
        undos.extend([undo_f, undo_map_f]);
        changes.extend([change_f, change_map_f]);
    }
    undos.extend(changes);
    undos.extend(report_f);
    AtomicFile::commit_all(undos)?;
    let mut o = stdout.lock();
    let printed =
        targets
            .iter()
            .zip(written)
            .try_for_each(|(t, (undo_records, change_records))| {
                writeln!(
                    o,
                    "wrote {} ({} records) and {} ({} records)",
                    t.undo.display(),
                    undo_records,
                    t.changes.display(),
                    change_records
                )
            });
    unless_closed(printed.and_then(|()| match &out.report {
        Some(p) => writeln!(o, "report: {}", p.display()),
        None => Ok(()),
    }))?;
    Ok(if plan.refused.is_empty() { 0 } else { 1 })
}

/// Write one LDIF output with `emit`, then its line map; an error names the file it
/// happened in (an [`AtomicFile`]'s errors do); both are synced. Returns the number of
/// records written.
fn write_with_map<'a>(
    ldif: &mut AtomicFile,
    map_f: &mut AtomicFile,
    emit: impl FnOnce(&mut AtomicFile) -> std::io::Result<Vec<emit::LineMapEntry<'a>>>,
) -> Result<usize> {
    let map = emit(ldif)?;
    // Synced here, so the commits then only rename: the LDIF file on a thread of its own
    // (mostly waiting for the disk) while its line map is written.
    let (synced, mapped) = std::thread::scope(|s| {
        let synced = s.spawn(|| ldif.sync());
        let mapped = emit::write_map_csv(&mut *map_f, &map)
            .map_err(anyhow::Error::from)
            .and_then(|()| map_f.sync());
        (synced.join(), mapped)
    });
    synced.map_err(|_| anyhow::anyhow!("cannot sync {}", ldif.dest().display()))??;
    mapped?;
    Ok(map.len())
}

/// Why no forest root was guessed, for the usage error: the first few distinct domain
/// roots of the entries (their trailing DC= components).
fn domain_roots_note(entries: &[crate::model::Entry<'_>]) -> String {
    let roots = domain_roots(entries);
    if roots.is_empty() {
        " (no DN ends in DC= components)".into()
    } else {
        format!(
            " (domains {}: no common root of two or more DC= components)",
            roots.join(" and ")
        )
    }
}

/// The first few distinct domain roots of the entries (their trailing DC= components).
fn domain_roots<'e>(entries: &'e [crate::model::Entry<'_>]) -> Vec<&'e str> {
    let mut roots: Vec<&str> = Vec::new();
    for e in entries {
        if let Some(d) = crate::rewrite::dc_suffix(&e.dn) {
            if !roots.iter().any(|r| r.eq_ignore_ascii_case(d)) {
                roots.push(d);
                if roots.len() == 4 {
                    break;
                }
            }
        }
    }
    roots
}

/// Run.
pub fn run(args: Args) -> Result<i32> {
    if args.upn_suffix.is_empty() && !args.upn_from_mail && args.accept.is_empty() {
        eprintln!("ldifix: nothing to do: give --upn-suffix, --upn-from-mail or --accept");
        return Ok(2);
    }
    if let Some((a, b)) = SuffixRewrite::ambiguous(&args.upn_suffix) {
        eprintln!(
            "ldifix: --upn-suffix {}={} and --upn-suffix {}={} map the same suffix to \
             different ones: give one mapping per OLD suffix",
            a.old, a.new, b.old, b.new
        );
        return Ok(2);
    }
    if let Some((a, b)) = SuffixRewrite::chained(&args.upn_suffix) {
        eprintln!(
            "ldifix: warning: --upn-suffix {}={} and --upn-suffix {}={} chain: this run rewrites {} to {} only, and a second run would rewrite those UPNs again to {}; give {}={} if {} is meant",
            a.old, a.new, b.old, b.new, a.old, a.new, b.new, a.old, b.new, b.new
        );
    }
    let mut read = args.inputs.clone();
    read.extend(args.tenant.files());
    if let Err(e) = precheck_outputs(&args.out, &read, &args.inputs) {
        eprintln!("ldifix: {e}");
        return Ok(2);
    }
    let (verified, tld_override) = args.tenant.read()?;
    let opts = FixOptions {
        upn_suffixes: args.upn_suffix.clone(),
        upn_from_mail: args.upn_from_mail,
        verified_domains: verified,
        accept: args
            .accept
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if let Some(bad) = opts.accept.iter().find(|a| {
        ErrorName::parse(a).is_none()
            && !entra::RULE_IDS
                .iter()
                .chain(&DUPLICATE_RULE_IDS)
                .any(|r| r.eq_ignore_ascii_case(a))
    }) {
        eprintln!(
            "ldifix: --accept {bad}: not an error name or entra rule id (see `ldifix rules`)"
        );
        return Ok(2);
    }
    if opts.upn_from_mail && opts.verified().is_empty() {
        eprintln!("ldifix: --upn-from-mail needs --verified-domain(s) or --upn-suffix");
        return Ok(2);
    }

    let mut timings = crate::progress::Timings::new(args.out.timings, std::time::Instant::now());
    let ou = match crate::cmd::scan::OuFilter::new(&args.include_ou, &args.exclude_ou) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("ldifix: {e:#}");
            return Ok(2);
        }
    };
    let inputs = match load::open_inputs(&args.inputs) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("ldifix: {e}");
            return Ok(2);
        }
    };
    timings.mark("read");
    let config = RuleConfig {
        verified_domains: opts.verified(),
        tld_override,
    };
    let checks = EntraChecks::new(&config);
    // The DN hash and scope of each entry are computed as it is parsed, on all cores.
    let hasher = ahash::RandomState::new();
    let (mut entries, facts) = match load::parse_entries_with(
        &inputs,
        args.limits.limits(),
        args.limits.input_format,
        args.limits.csv_join,
        args.out.quiet,
        if opts.accept.is_empty() {
            read_class_without_accept
        } else {
            Attr::read_class
        },
        &|e| {
            let mut facts = EntryFacts::of(e, &checks, &hasher);
            // Objects outside the containers asked for are not changed; they still
            // hold their values, which changes must not collide with.
            if facts.in_scope() && !ou.allows(&e.dn) {
                facts.leave_out();
            }
            if opts.accept.is_empty() {
                e.retain_values(|v| read_without_accept(v.attr, &v.text));
            }
            facts
        },
    ) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("ldifix: {e}");
            return Ok(2);
        }
    };
    if let Err(e) = load::check_objects(&inputs, &entries) {
        eprintln!("ldifix: {e}");
        return Ok(2);
    }
    // An input none of whose entries has an objectClass has nothing in scope (the
    // Export-Csv reader says so itself). Records read as Windows-1252, or lossy, are named
    // too: fix refuses to change those objects.
    #[derive(Clone, Default)]
    struct Seen {
        entries: u64,
        classless: u64,
    }
    load::mark_lossy(&inputs, &mut entries);
    for (opt, dn) in ou.unmatched() {
        eprintln!(
            "ldifix: warning: {opt} {dn}: no object in scope lies in or under this container (check the DN)"
        );
    }
    let mut seen = vec![Seen::default(); inputs.len()];
    for (e, f) in entries.iter().zip(&facts) {
        let c = &mut seen[e.file as usize];
        c.entries += 1;
        c.classless += u64::from(f.classless());
    }
    let mut unusable = false;
    for (input, c) in inputs.iter().zip(seen) {
        let format = args.limits.input_format.resolve(input.bytes());
        if c.entries > 0 && c.classless == c.entries {
            unusable = true;
            eprintln!(
                "{}",
                crate::cmd::scan::classless_error(&input.name(), format)
            );
        }
    }
    // Its objects' values cannot be told from other objects', so no change can be
    // checked against them: nothing is planned.
    if unusable {
        return Ok(2);
    }
    for w in load::unchangeable_warnings(&inputs, &entries) {
        eprintln!("{w}");
    }
    timings.mark("parse and check");
    let plan = plan_fix_with(&entries, &facts, &opts, &checks);
    timings.mark("plan");
    if let Some((again, first)) = plan.first_repeat {
        let at = |i: usize| {
            let e = &entries[i];
            format!("{}:{}", inputs[e.file as usize].name(), e.line)
        };
        eprintln!(
            "ldifix: warning: {} record(s) repeat the DN of an earlier record (an object exported twice; first {} repeats {}): each object is planned from its first record",
            plan.repeated,
            at(again),
            at(first)
        );
    }

    // Users and groups Entra Connect leaves out are not rewritten; say how many of them
    // hold a UPN under a suffix being replaced (an export without sAMAccountName makes
    // that every user), so an empty plan is not mistaken for a clean directory.
    if !args.upn_suffix.is_empty() {
        let mut left: std::collections::BTreeMap<&'static str, u64> = Default::default();
        for (e, f) in entries.iter().zip(&facts) {
            let Some(id) = f.skipped_by() else {
                continue;
            };
            let under = e.all(crate::model::Attr::UserPrincipalName).any(|v| {
                crate::rewrite::plan::rewrite_suffix(v.text.as_bytes(), &args.upn_suffix).is_some()
            });
            if under {
                *left.entry(id).or_default() += 1;
            }
        }
        if !left.is_empty() {
            let n: u64 = left.values().sum();
            let why: Vec<String> = left.iter().map(|(id, n)| format!("{id}: {n}")).collect();
            eprintln!(
                "ldifix: note: {n} user(s) or group(s) with a UPN under a suffix being replaced were left as they are: Entra Connect does not synchronise them ({}); 'ldifix scan' lists them under Skipped",
                why.join(", ")
            );
        }
    }

    let register = if args.register_suffix && !args.upn_suffix.is_empty() {
        let root = match &args.forest_root {
            Some(r) => {
                // A root no input DN lies under is most often mistyped: the record on its
                // Partitions container, first in the change file, would fail the import.
                // (A forest of several trees may hold exports outside it: a warning.)
                let root_key = crate::model::dn_key(r.as_bytes());
                let under = entries.iter().any(|e| {
                    let k = crate::model::dn_key(e.dn.as_bytes());
                    k.ends_with(&root_key)
                        && (k.len() == root_key.len()
                            || k[..k.len() - root_key.len()].ends_with(b","))
                });
                if !under {
                    eprintln!(
                        "ldifix: warning: --forest-root {r}: no object of the inputs lies under it (their domains: {}); check it (the uPNSuffixes record on CN=Partitions,CN=Configuration,{r} comes first in the change file, and an import stops on it if the DN is wrong)",
                        domain_roots(&entries).join(", ")
                    );
                }
                r.clone()
            }
            None => match crate::rewrite::forest_root(entries.iter().map(|e| e.dn.as_ref())) {
                Some(r) => r,
                None => {
                    eprintln!(
                        "ldifix: cannot tell the forest root from the DNs{}; give --forest-root DN",
                        domain_roots_note(&entries)
                    );
                    return Ok(2);
                }
            },
        };
        // Only the suffixes a planned UPN uses: one whose every change was refused (an
        // invalid or colliding suffix) is not registered.
        let used = |suffix: &str| {
            plan.changes.iter().flat_map(|c| &c.mods).any(|m| {
                m.attr == crate::model::Attr::UserPrincipalName
                    && m.new.iter().any(|v| {
                        let v = String::from_utf8_lossy(v);
                        v.rsplit_once('@')
                            .is_some_and(|(_, d)| d.eq_ignore_ascii_case(suffix))
                    })
            })
        };
        let mut suffixes: Vec<String> = Vec::new();
        for s in &args.upn_suffix {
            if suffixes.iter().any(|x| x.eq_ignore_ascii_case(&s.new)) {
                continue;
            }
            if used(&s.new) {
                suffixes.push(s.new.clone());
            } else {
                eprintln!(
                    "ldifix: note: --register-suffix: no planned change uses {}, so it is not registered",
                    s.new
                );
            }
        }
        if !suffixes.is_empty() && !args.out.dry_run {
            // Microsoft's procedure registers the suffix first, by hand: then this record
            // fails and a plain ldifde import stops before any UPN change.
            eprintln!(
                "ldifix: note: --register-suffix: the change file starts with a record adding {} to uPNSuffixes on CN=Partitions,CN=Configuration,{root}; if a suffix is already registered that record fails ('attribute or value exists') and ldifde stops there: import with 'ldifde -i -k', which skips exactly that error, or leave out --register-suffix",
                suffixes.join(", ")
            );
        }
        (!suffixes.is_empty()).then(|| Registration::new(&root, suffixes))
    } else {
        None
    };
    let paths: Vec<String> = inputs.iter().map(|i| i.name()).collect();
    let status = write_outputs(&plan, &args.out, register.as_ref(), &paths, &args.inputs);
    timings.mark("write");
    timings.print();
    // The process ends here: freeing a million entries one by one would only add time.
    std::mem::forget(plan);
    std::mem::forget(entries);
    status
}
