//! The `--json` findings report, exactly as `shared/contracts/scan-json.md` specifies:
//! `tool`, `profile`, `inputs`, `summary`, `findings`, `collisions`, with the listed keys
//! in that order. Keys of our own: `summary.entries` (content records read, whatever
//! they describe; `objects` counts the persons and groups among them, `in_scope +
//! skipped`), `summary.skip_reasons` (skipped objects per skip id, `ldifix rules`),
//! `summary.verified_domain_rule` (whether the verified-domain rule ran),
//! `summary.invalid_records`, `summary.collisions` (number of groups), and
//! `namespace` on each collision (`address`, `proxy`, `mailNickname`, or IdFix's
//! attribute name in the IdFix profiles), and `messages`: what the run printed about its
//! inputs on standard error (warnings such as an input ending inside its last line, and
//! with `--keep-going` each bad record), one string per line, so a report never looks
//! complete while its input was not.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::ScanReport;

#[derive(Serialize)]
struct Doc<'a> {
    tool: Tool,
    profile: &'static str,
    inputs: Vec<Input<'a>>,
    summary: Summary,
    findings: Vec<Finding<'a>>,
    collisions: Vec<Collision<'a>>,
    messages: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Input<'a> {
    path: &'a str,
    records: u64,
    bytes: u64,
}

#[derive(Serialize)]
struct Summary {
    objects: u64,
    in_scope: u64,
    skipped: u64,
    findings: u64,
    by_error: BTreeMap<&'static str, u64>,
    by_attribute: BTreeMap<&'static str, u64>,
    upn_suffixes: BTreeMap<String, u64>,
    entries: u64,
    skip_reasons: BTreeMap<&'static str, u64>,
    collisions: u64,
    verified_domain_rule: bool,
    invalid_records: u64,
}

#[derive(Serialize)]
struct Finding<'a> {
    file: &'a str,
    line: u64,
    dn: &'a str,
    object_class: &'a str,
    attribute: &'static str,
    value: &'a str,
    errors: Vec<&'static str>,
    rules: &'a [&'static str],
    update: Option<&'a str>,
    action: &'static str,
}

#[derive(Serialize)]
struct Collision<'a> {
    key: &'a str,
    namespace: &'static str,
    holders: Vec<Holder<'a>>,
}

#[derive(Serialize)]
struct Holder<'a> {
    file: &'a str,
    line: u64,
    dn: &'a str,
    attribute: &'static str,
    value: &'a str,
}

/// Write the report as one pretty-printed JSON document followed by a newline.
pub fn write<W: Write>(mut w: W, r: &ScanReport) -> io::Result<()> {
    let doc = Doc {
        tool: Tool {
            name: "ldifix",
            version: env!("CARGO_PKG_VERSION"),
        },
        profile: r.profile.as_str(),
        inputs: r
            .inputs
            .iter()
            .map(|i| Input {
                path: &i.path,
                records: i.records,
                bytes: i.bytes,
            })
            .collect(),
        summary: Summary {
            objects: r.objects,
            in_scope: r.in_scope,
            skipped: r.skipped,
            findings: r.rows.len() as u64,
            by_error: r.by_error(),
            by_attribute: r.by_attribute(),
            upn_suffixes: r.upn_suffixes.clone(),
            entries: r.entries,
            skip_reasons: r.skip_reasons.clone(),
            collisions: r.collisions.len() as u64,
            verified_domain_rule: r.verified_rule,
            invalid_records: r.invalid_records,
        },
        findings: r
            .rows
            .iter()
            .map(|row| Finding {
                file: r.path(row.entry.file),
                line: row.entry.line,
                dn: &row.entry.dn,
                object_class: &row.object_class,
                attribute: row.finding.attribute,
                value: &row.finding.value,
                errors: row.finding.errors.iter().map(|e| e.as_str()).collect(),
                rules: &row.finding.rules,
                update: row.finding.update.as_deref(),
                action: row.finding.action.as_str(),
            })
            .collect(),
        collisions: r
            .collisions
            .iter()
            .map(|c| Collision {
                key: &c.key,
                namespace: c.namespace.as_str(),
                holders: c
                    .holders
                    .iter()
                    .map(|h| Holder {
                        file: r.path(h.file),
                        line: h.line,
                        dn: &h.dn,
                        attribute: h.attribute,
                        value: &h.value,
                    })
                    .collect(),
            })
            .collect(),
        messages: &r.messages,
    };
    serde_json::to_writer_pretty(&mut w, &doc).map_err(io::Error::from)?;
    w.write_all(b"\n")
}
