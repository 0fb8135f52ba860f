//! `ldifix verify CHANGES.ldf --against EXPORT... [--undo UNDO.ldf] [--json PATH]`: the
//! pre-import safety check (see [`crate::verify`] for every check made).
//!
//! Prints each problem as `file:line: message` on stdout, then a summary. Exit status: 0
//! only when the change file is safe to import (no problem at all), 1 when any problem
//! was found, 2 when a file cannot be read, an export is malformed, or on usage errors.
//! `--json PATH` also writes the problems as JSON (through [`crate::output`]):
//!
//! ```json
//! { "tool": "ldifix", "command": "verify", "safe": false,
//!   "changes": "c.ldf", "undo": "u.ldf", "against": ["export.ldf"], "line_ending": "crlf",
//!   "allow_removal": [],
//!   "summary": { "change_records": 2, "change_mods": 2, "undo_records": 2,
//!                "export_objects": 80, "allowed_removals": 0, "problems": 1,
//!                "by_kind": { "unknown-dn": 1 }, "warnings": 1 },
//!   "problems": [ { "file": "c.ldf", "line": 7, "kind": "unknown-dn", "message": "…" } ],
//!   "warnings": [ { "file": "c.ldf", "line": 2, "kind": "entra-rule", "message": "…" } ] }
//! ```
//!
//! Warnings (`entra-rule`: a value the change file writes that Entra's rules reject, as
//! `fix` and `apply-csv` would refuse to write it) are printed after the problems and do
//! not change the exit status: an undo file checked before a rollback writes back the
//! exported values, whatever they were.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use crate::cmd::fix::Eol;
use crate::cmd::LimitArgs;
use crate::output::{self, Planned};
use crate::verify::{self, LineEnd, Options, Report};

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    ldifix verify changes.ldf --against export.ldf --undo undo.ldf\n  \
    ldifix verify changes.ldf --against export.ldf --undo undo.ldf --allow-removal mail\n  \
    ldifix verify changes.ldif --against a.ldf b.ldf --line-ending lf --json verify.json\n\
Exit status: 0 safe to import, 1 problems found, 2 unreadable input or usage error.")]
pub struct Args {
    /// The change file to check.
    #[arg(value_name = "CHANGES.ldf")]
    pub changes: PathBuf,
    /// The export(s) describing the directory the change file will be imported into.
    #[arg(long, required = true, num_args = 1.., value_name = "EXPORT")]
    pub against: Vec<PathBuf>,
    /// The undo file: checked to restore exactly the export's values, to cover every
    /// change, and to restore nothing the change file does not change.
    #[arg(long, value_name = "UNDO.ldf")]
    pub undo: Option<PathBuf>,
    /// The line end the importing tool needs: crlf (ldifde, default) or lf (ldapmodify,
    /// ldbmodify).
    #[arg(long, value_enum, default_value_t = Eol::Crlf)]
    pub line_ending: Eol,
    /// An attribute the change file may remove: a 'replace:' or 'delete:' with no value
    /// that removes an attribute the object holds is reported otherwise, since ldifix fix
    /// never writes one and a removed value line leaves one (apply-csv writes one for a
    /// REMOVE row). Repeatable or comma-separated.
    #[arg(long, value_name = "ATTR", value_delimiter = ',')]
    pub allow_removal: Vec<String>,
    /// Also write the problems as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Replace an existing --json file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    file: &'a str,
    line: u64,
    kind: &'static str,
    message: &'a str,
}

impl<'a> JsonProblem<'a> {
    fn of(p: &'a crate::verify::Problem) -> Self {
        JsonProblem {
            file: &p.file,
            line: p.line,
            kind: p.kind.as_str(),
            message: &p.message,
        }
    }
}

#[derive(Serialize)]
struct JsonSummary {
    change_records: usize,
    change_mods: usize,
    undo_records: usize,
    export_objects: usize,
    allowed_removals: usize,
    problems: usize,
    by_kind: std::collections::BTreeMap<&'static str, usize>,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    tool: &'static str,
    command: &'static str,
    safe: bool,
    changes: String,
    undo: Option<String>,
    against: Vec<String>,
    line_ending: &'static str,
    allow_removal: &'a [String],
    summary: JsonSummary,
    problems: Vec<JsonProblem<'a>>,
    warnings: Vec<JsonProblem<'a>>,
}

/// The `--json` document of a report.
fn json_bytes(args: &Args, report: &Report) -> Result<Vec<u8>> {
    let doc = JsonDoc {
        tool: "ldifix",
        command: "verify",
        safe: report.is_safe(),
        changes: args.changes.display().to_string(),
        undo: args.undo.as_ref().map(|u| u.display().to_string()),
        against: args
            .against
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        line_ending: match args.line_ending {
            Eol::Crlf => "crlf",
            Eol::Lf => "lf",
        },
        allow_removal: &args.allow_removal,
        summary: JsonSummary {
            change_records: report.change_records,
            change_mods: report.change_mods,
            undo_records: report.undo_records,
            export_objects: report.export_objects,
            allowed_removals: report.allowed_removals,
            problems: report.problems.len(),
            by_kind: report
                .counts()
                .into_iter()
                .map(|(k, n)| (k.as_str(), n))
                .collect(),
            warnings: report.warnings.len(),
        },
        problems: report.problems.iter().map(JsonProblem::of).collect(),
        warnings: report.warnings.iter().map(JsonProblem::of).collect(),
    };
    let mut v = serde_json::to_vec_pretty(&doc)?;
    v.push(b'\n');
    Ok(v)
}

/// Run.
pub fn run(args: Args) -> Result<i32> {
    // An export read twice lists each object twice; a change file given as its own undo
    // file is no undo file.
    let pair: Vec<PathBuf> = std::iter::once(&args.changes)
        .chain(&args.undo)
        .cloned()
        .collect();
    if let Some(m) = crate::source::repeated_input(&args.against)
        .or_else(|| crate::source::repeated_input(&pair))
    {
        eprintln!("ldifix: {m}");
        return Ok(2);
    }
    if let Some(j) = &args.json {
        let read: Vec<PathBuf> = std::iter::once(&args.changes)
            .chain(&args.undo)
            .chain(&args.against)
            .cloned()
            .collect();
        if let Err(e) = output::precheck(&[Planned::new(j, "--json")], &read, args.force) {
            eprintln!("ldifix: {e}");
            return Ok(2);
        }
    }
    let opts = Options {
        changes: args.changes.clone(),
        exports: args.against.clone(),
        undo: args.undo.clone(),
        line_end: match args.line_ending {
            Eol::Crlf => LineEnd::CrLf,
            Eol::Lf => LineEnd::Lf,
        },
        limits: args.limits.limits(),
        export_format: args.limits.input_format,
        csv_join: args.limits.csv_join,
        allow_removal: args.allow_removal.clone(),
    };
    let report = match verify::verify(&opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ldifix: {e}");
            return Ok(2);
        }
    };

    // A closed pipe stops the printing, not the verdict: the status stays 1 for a file
    // that is not safe to import (src/stdout.rs).
    crate::stdout::unless_closed(print_report(&args, &report))?;
    if let Some(j) = &args.json {
        let bytes = json_bytes(&args, &report)?;
        if let Err(e) = output::write_atomic(j, &bytes, args.force) {
            eprintln!("ldifix: {e:#}");
            return Ok(2);
        }
    }
    Ok(if report.is_safe() { 0 } else { 1 })
}

/// Print each problem, then the verdict, on stdout.
fn print_report(args: &Args, report: &Report) -> std::io::Result<()> {
    let mut o = std::io::stdout().lock();
    for p in &report.problems {
        writeln!(o, "{p}")?;
    }
    for w in &report.warnings {
        writeln!(o, "{}:{}: warning: {}", w.file, w.line, w.message)?;
    }
    let warned = match report.warnings.len() {
        0 => String::new(),
        1 => " (1 warning above: a value Entra would reject)".to_string(),
        n => format!(" ({n} warnings above: values Entra would reject)"),
    };
    let undo_part = match &args.undo {
        Some(_) => format!(", undo {} records", report.undo_records),
        None => String::new(),
    };
    let allowed_part = match report.allowed_removals {
        0 => String::new(),
        n => format!(
            " ({n} removals allowed by --allow-removal {})",
            args.allow_removal.join(",")
        ),
    };
    if report.is_safe() {
        writeln!(
            o,
            "verify: OK — {} records ({} modifications){undo_part} checked against {} exported objects{allowed_part}: safe to import{warned}",
            report.change_records, report.change_mods, report.export_objects
        )?;
    } else {
        let kinds = report
            .counts()
            .into_iter()
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(
            o,
            "verify: {} problem{} ({kinds}) in {} records ({} modifications){undo_part} checked against {} exported objects{allowed_part}: NOT safe to import",
            report.problems.len(),
            if report.problems.len() == 1 { "" } else { "s" },
            report.change_records,
            report.change_mods,
            report.export_objects
        )?;
    }
    Ok(())
}
