//! The terminal summary printed after a scan: objects scanned, in scope and skipped;
//! findings as an error × attribute table; the UPN suffix distribution; the largest
//! collision groups with their holders; whether the verified-domain rule ran; elapsed
//! time and throughput.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::ScanReport;
use crate::rules::ErrorName;
use crate::stdout::printable;

/// How many UPN suffixes are listed.
pub const TOP_SUFFIXES: usize = 10;
/// How many collision groups are listed.
pub const TOP_COLLISIONS: usize = 5;
/// How many holders of one group are listed.
pub const TOP_HOLDERS: usize = 10;

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// Write the summary.
pub fn write<W: Write>(mut w: W, r: &ScanReport) -> io::Result<()> {
    let bytes = r.bytes();
    let records: u64 = r.inputs.iter().map(|i| i.records).sum();
    writeln!(w, "ldifix scan (profile {})", r.profile.as_str())?;
    writeln!(
        w,
        "Inputs:   {} file{}, {:.1} MB, {} record{}{}",
        r.inputs.len(),
        if r.inputs.len() == 1 { "" } else { "s" },
        mb(bytes),
        records,
        if records == 1 { "" } else { "s" },
        if r.invalid_records > 0 {
            format!(" ({} invalid, skipped)", r.invalid_records)
        } else {
            String::new()
        }
    )?;
    writeln!(
        w,
        "Objects:  {} scanned, {} in scope, {} skipped{}",
        r.objects,
        r.in_scope,
        r.skipped,
        if r.entries > r.objects {
            match r.entries - r.objects {
                1 => " (1 other entry is not a person or group)".to_string(),
                n => format!(" ({n} other entries are not persons or groups)"),
            }
        } else {
            String::new()
        }
    )?;
    if !r.skip_reasons.is_empty() {
        let mut v: Vec<(&str, u64)> = r.skip_reasons.iter().map(|(k, n)| (*k, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let parts: Vec<String> = v.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(w, "Skipped:  {}", parts.join(", "))?;
    }
    writeln!(
        w,
        "Findings: {}, collision groups: {}",
        r.rows.len(),
        r.collisions.len()
    )?;
    error_table(&mut w, r)?;
    if !r.upn_suffixes.is_empty() {
        writeln!(w)?;
        let all = r.upn_suffixes_by_count();
        writeln!(
            w,
            "UPN suffixes ({} distinct{}):",
            all.len(),
            if all.len() > TOP_SUFFIXES {
                format!(", top {TOP_SUFFIXES}")
            } else {
                String::new()
            }
        )?;
        let width = all
            .iter()
            .take(TOP_SUFFIXES)
            .map(|(s, _)| s.chars().count())
            .max()
            .unwrap_or(0);
        for (s, n) in all.iter().take(TOP_SUFFIXES) {
            let s = printable(s);
            writeln!(w, "  {s:<width$}  {n:>9}")?;
        }
    }
    if !r.collisions.is_empty() {
        writeln!(w)?;
        // Distinct objects per group (one object may hold the key in several attributes,
        // and be exported twice: one DN is one object).
        let objects: Vec<usize> = r
            .collisions
            .iter()
            .map(|c| {
                let mut o: Vec<Vec<u8>> = c
                    .holders
                    .iter()
                    .map(|h| crate::model::dn_key(h.dn.as_bytes()))
                    .collect();
                o.sort_unstable();
                o.dedup();
                o.len()
            })
            .collect();
        let mut order: Vec<usize> = (0..r.collisions.len()).collect();
        // Most objects first, then most values; ties keep report order.
        order.sort_by(|a, b| {
            (objects[*b], r.collisions[*b].holders.len())
                .cmp(&(objects[*a], r.collisions[*a].holders.len()))
        });
        writeln!(
            w,
            "Largest collision groups ({} of {}):",
            order.len().min(TOP_COLLISIONS),
            r.collisions.len()
        )?;
        for &i in order.iter().take(TOP_COLLISIONS) {
            let c = &r.collisions[i];
            let values = if c.holders.len() == objects[i] {
                String::new()
            } else {
                format!(", {} values", c.holders.len())
            };
            writeln!(
                w,
                "  {} [{}] — {} objects{values}",
                printable(&c.key),
                c.namespace.as_str(),
                objects[i],
            )?;
            for h in c.holders.iter().take(TOP_HOLDERS) {
                writeln!(
                    w,
                    "    {}:{}  {}  {}: {}",
                    printable(r.path(h.file)),
                    h.line,
                    printable(&h.dn),
                    printable(h.attribute),
                    printable(&h.value)
                )?;
            }
            if c.holders.len() > TOP_HOLDERS {
                writeln!(w, "    … and {} more", c.holders.len() - TOP_HOLDERS)?;
            }
        }
    }
    writeln!(w)?;
    if r.profile == crate::rules::Profile::Entra && !r.verified_rule {
        writeln!(
            w,
            "Note: the verified-domain rule did not run (give --verified-domain or --verified-domains to check UPN suffixes against the tenant's domains)."
        )?;
    }
    let secs = r.elapsed.as_secs_f64();
    let rate = if secs > 0.0 { mb(bytes) / secs } else { 0.0 };
    writeln!(w, "Time:     {secs:.2} s, {rate:.1} MB/s")?;
    Ok(())
}

fn error_table<W: Write>(w: &mut W, r: &ScanReport) -> io::Result<()> {
    if r.rows.is_empty() {
        return Ok(());
    }
    let mut cells: BTreeMap<(&'static str, ErrorName), u64> = BTreeMap::new();
    let mut attrs: Vec<&'static str> = Vec::new();
    let mut errs: Vec<ErrorName> = Vec::new();
    for row in &r.rows {
        if !attrs.contains(&row.finding.attribute) {
            attrs.push(row.finding.attribute);
        }
        let mut seen = Vec::new();
        for e in &row.finding.errors {
            if seen.contains(e) {
                continue;
            }
            seen.push(*e);
            if !errs.contains(e) {
                errs.push(*e);
            }
            *cells.entry((row.finding.attribute, *e)).or_insert(0) += 1;
        }
    }
    attrs.sort_unstable();
    errs.sort_unstable();
    let aw = attrs.iter().map(|a| a.len()).max().unwrap_or(0).max(9);
    writeln!(w)?;
    write!(w, "  {:<aw$}", "attribute")?;
    let widths: Vec<usize> = errs.iter().map(|e| e.as_str().len().max(6)).collect();
    for (e, cw) in errs.iter().zip(&widths) {
        write!(w, "  {:>cw$}", e.as_str())?;
    }
    writeln!(w)?;
    for a in &attrs {
        write!(w, "  {a:<aw$}")?;
        for (e, cw) in errs.iter().zip(&widths) {
            match cells.get(&(*a, *e)) {
                Some(n) => write!(w, "  {n:>cw$}")?,
                None => write!(w, "  {:>cw$}", "·")?,
            }
        }
        writeln!(w)?;
    }
    Ok(())
}
