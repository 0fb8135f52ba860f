//! `ldifix apply-csv EDITED.csv --source EXPORT... -o changes.ldf --undo undo.ldf`: the
//! IdFix workflow. Rows of an edited `scan --csv` file or IdFix CSV (UPDATE and ACTION
//! columns) and IdFix `Update <stamp>.ldf` transaction files (`--idfix-update`, to undo
//! what IdFix applied) are checked against the export — the object must exist, VALUE
//! must still be there — and turned into the same change and undo files as `fix`, with
//! the same collision and UPN checks. Refused rows are reported with their reason: rows
//! that conflict with another row, and rows whose ACTION applies nothing, too.
//!
//! Exit status: 0 when every actionable row was planned, 1 when some were refused, 2 for
//! invalid input or usage.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::cmd::fix::{precheck_outputs, write_outputs, OutputArgs};
use crate::cmd::LimitArgs;
use crate::cmd::TenantArgs;
use crate::model::FileId;
use crate::rewrite::checks::EntraChecks;
use crate::rewrite::csvin::{self, RowSource};
use crate::rewrite::plan::{joined, op_text, refusal, LOSSY_REASON, NON_UTF8_REASON};
use crate::rewrite::{load, resolve};
use crate::rules::RuleConfig;

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    ldifix scan export.ldf --csv findings.csv   # edit UPDATE/ACTION in a spreadsheet\n  \
    ldifix apply-csv findings.csv --source export.ldf -o changes.ldf --undo undo.ldf\n  \
    ldifix apply-csv --idfix-update \"Update 7-22-2021 6-36-44 AM.ldf\" --source export.ldf -o undo-idfix.ldf --undo redo-idfix.ldf")]
pub struct Args {
    /// The edited CSV (ldifix scan --csv output or an IdFix CSV export).
    #[arg(value_name = "EDITED.csv", required_unless_present = "idfix_update")]
    pub csv: Option<PathBuf>,
    /// The export(s) the CSV was made from, as they are now. Repeatable; `-` reads
    /// standard input.
    #[arg(long = "source", value_name = "EXPORT", required = true, num_args = 1..)]
    pub sources: Vec<PathBuf>,
    /// An IdFix `Update <stamp>.ldf` transaction file: every change it records is undone.
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub idfix_update: Vec<PathBuf>,
    #[command(flatten)]
    pub tenant: TenantArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Run.
pub fn run(args: Args) -> Result<i32> {
    let mut timings = crate::progress::Timings::new(args.out.timings, std::time::Instant::now());
    let mut all_inputs = args.sources.clone();
    all_inputs.extend(args.csv.iter().cloned());
    all_inputs.extend(args.idfix_update.iter().cloned());
    all_inputs.extend(args.tenant.files());
    if let Err(e) = precheck_outputs(&args.out, &all_inputs, &args.sources) {
        eprintln!("ldifix: {e}");
        return Ok(2);
    }
    let (verified, tld_override) = args.tenant.read()?;

    let inputs = match load::open_inputs(&args.sources) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("ldifix: {e}");
            return Ok(2);
        }
    };
    let mut entries = match load::parse_entries(
        &inputs,
        args.limits.limits(),
        args.limits.input_format,
        args.limits.csv_join,
        args.out.quiet,
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
    load::mark_lossy(&inputs, &mut entries);
    for w in load::unchangeable_warnings(&inputs, &entries) {
        eprintln!("{w}");
    }
    let mut paths: Vec<String> = inputs.iter().map(|i| i.name()).collect();
    let mut props = Vec::new();
    let mut refused = Vec::new();
    let mut rows_total = 0usize;
    let next_id = |paths: &mut Vec<String>, p: &PathBuf| -> Result<FileId> {
        paths.push(p.display().to_string());
        FileId::try_from(paths.len() - 1).context("too many inputs")
    };
    if let Some(csv_path) = &args.csv {
        let bytes = std::fs::read(csv_path)
            .with_context(|| format!("cannot read {}", csv_path.display()))?;
        warn_code_page(csv_path, &bytes);
        let rows = match csvin::read_csv(&bytes) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("ldifix: {}:{e}", csv_path.display());
                return Ok(2);
            }
        };
        rows_total += rows.len();
        let file = next_id(&mut paths, csv_path)?;
        let (p, r) = csvin::proposals(&entries, &rows, RowSource { file });
        props.extend(p);
        refused.extend(r);
    }
    for up in &args.idfix_update {
        let bytes = std::fs::read(up).with_context(|| format!("cannot read {}", up.display()))?;
        warn_code_page(up, &bytes);
        let rows = match csvin::read_update_file(&bytes) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("ldifix: {}:{e}", up.display());
                return Ok(2);
            }
        };
        if rows.is_empty() {
            eprintln!(
                "ldifix: {}: no 'distinguishedName:' rows: not an IdFix update file",
                up.display()
            );
            return Ok(2);
        }
        rows_total += rows.len();
        let file = next_id(&mut paths, up)?;
        let (p, r) = csvin::proposals(&entries, &rows, RowSource { file });
        props.extend(p);
        refused.extend(r);
    }
    let config = RuleConfig {
        verified_domains: verified,
        tld_override,
    };
    let checks = EntraChecks::new(&config);
    timings.mark("read and check rows");
    let mut props = csvin::refuse_conflicts(&entries, props, &mut refused);
    // An object read as Windows-1252, or from a lossy export, gets no change: a change or
    // undo written from the export's text would not match the directory's.
    props.retain(|p| {
        let e = &entries[p.entry];
        let reason = if e.non_utf8 {
            NON_UTF8_REASON
        } else if e.lossy {
            LOSSY_REASON
        } else {
            return true;
        };
        refused.push(refusal(
            e,
            p.attr,
            joined(e, p.attr),
            op_text(&p.op),
            reason.to_string(),
            p.kind.clone(),
        ));
        false
    });
    let mut plan = resolve(&entries, props, &checks);
    timings.mark("plan");
    refused.append(&mut plan.refused);
    plan.refused = refused;
    crate::stdout::unless_closed(writeln!(
        std::io::stdout().lock(),
        "rows: {rows_total} read"
    ))?;
    let status = write_outputs(&plan, &args.out, None, &paths, &args.sources);
    timings.mark("write");
    timings.print();
    status
}

/// Say where an edited file stops being UTF-8: its other bytes are read as Windows-1252
/// ([`crate::rules::idfix::csv::decode`]), which is right for what a spreadsheet saves,
/// but the admin should look at the accented values it wrote.
fn warn_code_page(path: &std::path::Path, bytes: &[u8]) {
    if let Some(line) = crate::rules::idfix::csv::first_code_page_line(bytes) {
        eprintln!(
            "{}:{line}: warning: bytes that are not UTF-8 (this is the first) read as Windows-1252, as a spreadsheet's \"CSV\" save writes them: check the accented values in the change file, or save as \"CSV UTF-8\"",
            path.display()
        );
    }
}
