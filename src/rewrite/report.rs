//! The `--report` of `fix` and `apply-csv`: every planned change and every refused
//! change with its reason. JSON when the path ends in `.json`, else CSV.
//!
//! CSV columns: `status,kind,file,line,dn,attribute,operation,old,new,reason,conflicting_dn`
//! (`status` = `change` or `refused`; multiple values joined with `; `; cells
//! formula-neutralised as in the scan CSV). JSON: `{"tool", "summary": {"objects",
//! "changes", "refused", "by_kind", "refused_by_reason"}, "changes": [...], "refused":
//! [...]}` with values as strings (`{"base64": …}` when not UTF-8).

use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value as Json};

use crate::cmd::dump::value_json;
use crate::report::csv::neutralize;

use super::plan::{AttrChange, Plan};

/// The report format for a path: JSON for `*.json`, CSV otherwise.
pub fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn operation(m: &AttrChange) -> &'static str {
    if m.is_multi() {
        match (m.old.is_empty(), m.new.is_empty()) {
            (false, false) => "replace-value",
            (false, true) => "delete-value",
            (true, false) => "add-value",
            (true, true) => "none",
        }
    } else if m.new.is_empty() {
        "remove"
    } else {
        "replace"
    }
}

fn lossy_join(vs: &[impl AsRef<[u8]>]) -> String {
    vs.iter()
        .map(|v| String::from_utf8_lossy(v.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Write the CSV report.
pub fn write_csv<W: Write>(w: W, plan: &Plan, paths: &[String]) -> io::Result<()> {
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(w);
    out.write_record([
        "status",
        "kind",
        "file",
        "line",
        "dn",
        "attribute",
        "operation",
        "old",
        "new",
        "reason",
        "conflicting_dn",
    ])?;
    let path = |f: u32| paths.get(f as usize).cloned().unwrap_or_default();
    for c in &plan.changes {
        for m in &c.mods {
            let old = lossy_join(&m.old);
            let new = lossy_join(&m.new);
            out.write_record([
                "change",
                &m.kind.name(),
                &path(c.file),
                &c.line.to_string(),
                &neutralize(&c.dn),
                m.attr.ldap_name(),
                operation(m),
                &neutralize(&old),
                &neutralize(&new),
                "",
                "",
            ])?;
        }
    }
    for r in &plan.refused {
        out.write_record([
            "refused",
            &r.kind.name(),
            &path(r.file),
            &r.line.to_string(),
            &neutralize(&r.dn),
            &r.attribute,
            "",
            &neutralize(&r.old),
            &neutralize(&r.proposed),
            &neutralize(&r.reason),
            &neutralize(&r.conflicting_dns.join("; ")),
        ])?;
    }
    out.flush()
}

/// The JSON report document.
pub fn json(plan: &Plan, paths: &[String]) -> Json {
    let path = |f: u32| paths.get(f as usize).cloned().unwrap_or_default();
    let changes: Vec<Json> = plan
        .changes
        .iter()
        .flat_map(|c| {
            c.mods.iter().map(move |m| {
                json!({
                    "file": path(c.file),
                    "line": c.line,
                    "dn": c.dn,
                    "attribute": m.attr.ldap_name(),
                    "kind": m.kind.name(),
                    "operation": operation(m),
                    "old": m.old.iter().map(|v| value_json(v)).collect::<Vec<_>>(),
                    "new": m.new.iter().map(|v| value_json(v)).collect::<Vec<_>>(),
                })
            })
        })
        .collect();
    let refused: Vec<Json> = plan
        .refused
        .iter()
        .map(|r| {
            json!({
                "file": path(r.file),
                "line": r.line,
                "dn": r.dn,
                "attribute": r.attribute,
                "kind": r.kind.name(),
                "old": r.old,
                "proposed": r.proposed,
                "reason": r.reason,
                "conflicting_dns": r.conflicting_dns,
            })
        })
        .collect();
    json!({
        "tool": {"name": "ldifix", "version": env!("CARGO_PKG_VERSION")},
        "summary": {
            "objects": plan.changes.len(),
            "changes": plan.change_count(),
            "refused": plan.refused.len(),
            "by_kind": plan.counts_by_kind(),
            "refused_by_reason": plan.refusals_by_reason(),
        },
        "changes": changes,
        "refused": refused,
    })
}

/// The report as bytes, in the format the path asks for.
pub fn report_bytes(path: &Path, plan: &Plan, paths: &[String]) -> io::Result<Vec<u8>> {
    if is_json(path) {
        let mut v = serde_json::to_vec_pretty(&json(plan, paths))?;
        v.push(b'\n');
        Ok(v)
    } else {
        let mut v = Vec::new();
        write_csv(&mut v, plan, paths)?;
        Ok(v)
    }
}
