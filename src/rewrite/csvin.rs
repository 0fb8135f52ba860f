//! `apply-csv` input: an edited `ldifix scan --csv` file or an IdFix CSV (idfix-rules.md
//! §8.2–8.3), and IdFix `Update <stamp>.ldf` transaction files (§8.7), turned into
//! [`Proposal`]s checked against the export.
//!
//! Rows: columns are found by header name (case-insensitive: `DISTINGUISHEDNAME`,
//! `ATTRIBUTE`, `VALUE`, `UPDATE`, `ACTION`; others ignored). Every cell loses the one
//! leading `'` the scan CSV adds to formula-like cells. ACTION (case-insensitive):
//! `EDIT` sets UPDATE (for `proxyAddresses` only that one value is replaced; an empty
//! UPDATE is refused rather than read as a removal, as IdFix would, so "accept every
//! proposal" never deletes values scan had no fix for); `REMOVE` removes the value;
//! `UNDO` restores VALUE over UPDATE. An empty ACTION is a row not selected: skipped
//! silently, as IdFix's Apply does. `COMPLETE` and `FAIL` (IdFix's marks of applied and
//! failed rows) apply nothing and any other ACTION is unknown: such rows are refused
//! with the reason. A row is refused when its object is not in the export (DNs compared
//! semantically), its attribute is unknown or not writable, or VALUE is no longer in
//! the export (compared exactly, then ignoring surrounding spaces, which IdFix's CSV
//! import trims). Rows setting one single-valued attribute of one object to different
//! values are all refused ([`refuse_conflicts`]).

use std::collections::HashMap;

use crate::model::{Attr, Entry, FileId};
use crate::rules::idfix::csv as idfix_csv;

use super::dn_key;
use super::plan::{changeable, is_multi, proposal_refusal, ChangeKind, Op, Proposal, Refusal};

/// One row to apply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsvRow {
    /// 1-based line of the row in its file (the header is line 1).
    pub line: u64,
    /// DISTINGUISHEDNAME.
    pub dn: String,
    /// ATTRIBUTE.
    pub attribute: String,
    /// VALUE: the value in the export when the CSV was written (UNDO: the value to
    /// restore).
    pub value: String,
    /// UPDATE: the new value (UNDO: the value that was written).
    pub update: String,
    /// ACTION, upper-cased.
    pub action: String,
    /// IdFix update files: the action that was applied (`Edit`, `Remove`, `Undo`).
    pub applied: Option<String>,
}

/// Read an edited scan/IdFix CSV with the IdFix-format reader
/// ([`crate::rules::idfix::csv::read_csv`]: header names in any order and case, IdFix's
/// unescaped inner quotes, UTF-8/UTF-16/Windows-1252, the one leading `'` of neutralised
/// cells removed). ACTION is taken case-insensitively here. Errors read `LINE: expected …`
/// (the caller puts the file name and `:` in front).
pub fn read_csv(bytes: &[u8]) -> Result<Vec<CsvRow>, String> {
    let rows = idfix_csv::read_csv(bytes).map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .filter(|r| !(r.dn.trim().is_empty() && r.attribute.trim().is_empty()))
        .map(|r| CsvRow {
            line: r.line,
            dn: r.dn.trim().to_string(),
            attribute: r.attribute.trim().to_string(),
            value: r.value,
            update: r.update,
            action: r.action_text.trim().to_ascii_uppercase(),
            applied: None,
        })
        .collect())
}

/// Read an IdFix `Update <stamp>.ldf` transaction file (not LDIF: `key: value` lines, a
/// `distinguishedName:` line starts each row); every row becomes an `UNDO` row.
pub fn read_update_file(bytes: &[u8]) -> Result<Vec<CsvRow>, String> {
    let text = idfix_csv::decode(bytes);
    let rows = idfix_csv::read_update_file(&text).map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .map(|r| CsvRow {
            line: r.line,
            dn: r.dn,
            attribute: r.attribute,
            value: r.value,
            update: r.update,
            action: "UNDO".into(),
            applied: Some(r.action.trim().to_string()),
        })
        .collect())
}

/// Where a row came from, for refusals of rows whose object is not in the export.
#[derive(Debug, Clone, Copy)]
pub struct RowSource {
    /// A file id that the report maps to the CSV's path.
    pub file: FileId,
}

/// Check rows against the export and turn them into proposals; rows that fail are
/// refused with the reason.
pub fn proposals(
    entries: &[Entry<'_>],
    rows: &[CsvRow],
    src: RowSource,
) -> (Vec<Proposal>, Vec<Refusal>) {
    let mut by_dn: HashMap<Vec<u8>, usize> = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        by_dn.entry(dn_key(e.dn.as_bytes())).or_insert(i);
    }
    let mut props = Vec::new();
    let mut refused = Vec::new();
    for row in rows {
        let kind = match row.action.as_str() {
            "EDIT" => ChangeKind::CsvEdit,
            "REMOVE" => ChangeKind::CsvRemove,
            "UNDO" => ChangeKind::CsvUndo,
            "" => continue, // not selected: IdFix's Apply never touches such a row
            _ => ChangeKind::CsvRow,
        };
        let refuse_row = |reason: String| Refusal {
            file: src.file,
            line: row.line,
            dn: row.dn.clone(),
            attribute: Attr::from_desc(&row.attribute)
                .map(|a| a.ldap_name().to_string())
                .unwrap_or_else(|| row.attribute.clone()),
            old: row.value.clone(),
            proposed: row.update.clone(),
            reason,
            conflicting_dns: Vec::new(),
            kind: kind.clone(),
        };
        if kind == ChangeKind::CsvRow {
            refused.push(refuse_row(match row.action.as_str() {
                a @ ("COMPLETE" | "FAIL") => format!(
                    "skipped: ACTION {a} applies nothing (IdFix's mark of an applied or a \
                     failed row); set EDIT, REMOVE or UNDO to apply the row"
                ),
                a => format!(
                    "unknown action: '{a}' is not EDIT, REMOVE, UNDO, COMPLETE, FAIL or empty"
                ),
            }));
            continue;
        }
        let Some(&ei) = by_dn.get(&dn_key(row.dn.as_bytes())) else {
            refused.push(refuse_row(
                "not found: no object with this DN in the export".into(),
            ));
            continue;
        };
        let e = &entries[ei];
        let Some(attr) = Attr::from_desc(&row.attribute) else {
            refused.push(refuse_row(format!(
                "unknown attribute: '{}'",
                row.attribute
            )));
            continue;
        };
        if !changeable(attr) {
            refused.push(refuse_row(format!(
                "not changeable by modify: {}",
                attr.ldap_name()
            )));
            continue;
        }
        if crate::rules::scope::is_deleted_dn(&e.dn) {
            refused.push(refuse_row(
                "deleted object: its RDN holds \\0ADEL: (an ldifde -x export); a deleted object cannot be modified".into(),
            ));
            continue;
        }
        if !e.exported(attr) {
            refused.push(refuse_row(format!(
                "not exported: the export has no {a} column, so the object's current {a} is unknown (the undo could not restore it); export it too",
                a = attr.ldap_name()
            )));
            continue;
        }
        let refuse_entry = |reason: String| Refusal {
            file: e.file,
            line: e.line,
            dn: e.dn.to_string(),
            attribute: attr.ldap_name().to_string(),
            old: row.value.clone(),
            proposed: row.update.clone(),
            reason,
            conflicting_dns: Vec::new(),
            kind: kind.clone(),
        };
        let find = |v: &str| -> Option<Vec<u8>> {
            e.all(attr)
                .find(|x| x.text == v)
                .or_else(|| e.all(attr).find(|x| x.text.trim() == v.trim()))
                .map(|x| x.bytes().to_vec())
        };
        // Values that differ only in surrounding spaces cannot be told apart once a
        // spreadsheet has trimmed a cell: such a row is refused, not applied to one of them.
        let alike = |v: &str| {
            let mut same = e.all(attr).filter(|x| x.text.trim() == v.trim());
            match (same.next(), same.next()) {
                (Some(a), Some(b)) => Some(format!("'{}' and '{}'", a.text, b.text)),
                _ => None,
            }
        };
        let key_value = if kind == ChangeKind::CsvUndo && !row.update.is_empty() {
            &row.update
        } else {
            &row.value
        };
        if let Some(both) = (!key_value.trim().is_empty())
            .then(|| alike(key_value))
            .flatten()
        {
            refused.push(refuse_entry(format!(
                "ambiguous: the export holds {both}, which differ only in surrounding spaces; a spreadsheet may have trimmed the row's value, so which one is meant cannot be told"
            )));
            continue;
        }
        let update = (!row.update.is_empty()).then(|| row.update.as_bytes().to_vec());
        let op = match kind {
            ChangeKind::CsvUndo => {
                let removed = row
                    .applied
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case("remove"));
                let value = (!row.value.is_empty()).then(|| row.value.as_bytes().to_vec());
                if is_multi(attr) {
                    let Some(v) = value else { continue };
                    let written = if removed || row.update.is_empty() {
                        None
                    } else {
                        find(&row.update)
                    };
                    match written {
                        Some(w) => Op::ReplaceValue {
                            old: w,
                            new: Some(v),
                        },
                        None => {
                            if find(&row.value).is_some() {
                                continue; // already there
                            }
                            Op::AddValue(v)
                        }
                    }
                } else {
                    let cur = e.first(attr).map(|x| x.text.to_string());
                    let ok = match &cur {
                        None => row.update.is_empty() || removed || value.is_none(),
                        Some(c) => c.trim() == row.update.trim() || c.trim() == row.value.trim(),
                    };
                    if !ok {
                        refused.push(refuse_entry(
                            "stale: the current value is neither UPDATE nor VALUE".into(),
                        ));
                        continue;
                    }
                    Op::Set(value)
                }
            }
            _ => {
                let new = if kind == ChangeKind::CsvRemove {
                    None
                } else if update.is_none() {
                    refused.push(refuse_entry(
                        "no update: EDIT with an empty UPDATE (use REMOVE to remove the value)"
                            .into(),
                    ));
                    continue;
                } else {
                    update
                };
                if is_multi(attr) {
                    let Some(old) = find(&row.value) else {
                        refused.push(refuse_entry("stale: VALUE is not in the export".into()));
                        continue;
                    };
                    Op::ReplaceValue { old, new }
                } else {
                    let present = if row.value.is_empty() {
                        !e.has(attr) || find("").is_some()
                    } else {
                        find(&row.value).is_some()
                    };
                    if !present {
                        refused.push(refuse_entry("stale: VALUE is not in the export".into()));
                        continue;
                    }
                    Op::Set(new)
                }
            }
        };
        props.push(Proposal {
            entry: ei,
            attr,
            op,
            check_upn: kind != ChangeKind::CsvUndo,
            kind,
            row: Some((src.file, row.line)),
        });
    }
    (props, refused)
}

/// Refuse the proposals of rows that set one single-valued attribute of one object to
/// different values (which row is meant cannot be told): every such proposal is
/// refused, none applied. Proposals that agree are applied once. Multi-valued
/// attributes are changed value by value and judged by the planner. The proposals kept
/// are returned in (entry, attribute) order, rows in order within.
pub fn refuse_conflicts(
    entries: &[Entry<'_>],
    props: Vec<Proposal>,
    refused: &mut Vec<Refusal>,
) -> Vec<Proposal> {
    let mut props = props;
    props.sort_by_key(|p| (p.entry, p.attr));
    let mut kept = Vec::with_capacity(props.len());
    for group in props.chunk_by(|a, b| a.entry == b.entry && a.attr == b.attr) {
        let attr = group[0].attr;
        let e = &entries[group[0].entry];
        let refuse = |p: &Proposal, what: &str, refused: &mut Vec<Refusal>| {
            refused.push(proposal_refusal(
                e,
                p,
                format!(
                    "conflict: another row also changes {what}{} of this object",
                    attr.ldap_name()
                ),
            ));
        };
        if is_multi(attr) {
            // Rows changing one value (EDIT, REMOVE, UNDO of the same VALUE) must agree,
            // as for a single-valued attribute: the same change is applied once,
            // different ones are all refused (not the first row's taken).
            for (i, p) in group.iter().enumerate() {
                let Some(old) = replaced(p) else {
                    kept.push(p.clone());
                    continue;
                };
                let mut same = group
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| replaced(q) == Some(old));
                if same.clone().all(|(_, q)| q.op == p.op) {
                    // Only the first of identical rows is kept.
                    if same.next().is_some_and(|(first, _)| first == i) {
                        kept.push(p.clone());
                    }
                } else {
                    refuse(p, "this value of ", refused);
                }
            }
        } else if group.iter().all(|p| p.op == group[0].op) {
            kept.push(group[0].clone());
        } else {
            for p in group {
                refuse(p, "", refused);
            }
        }
    }
    kept
}

/// The value a proposal replaces or removes (EDIT, REMOVE, UNDO of one proxy address).
fn replaced(p: &Proposal) -> Option<&[u8]> {
    match &p.op {
        Op::ReplaceValue { old, .. } => Some(old),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scan_csv_and_strips_neutralisation() {
        let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
\"CN=Smith\\, John,DC=x\",John,user,displayName,Character,'=cmd,'-x,Edit,edit\r\n";
        let rows = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].dn, "CN=Smith\\, John,DC=x");
        assert_eq!(rows[0].value, "=cmd");
        assert_eq!(rows[0].update, "-x");
        assert_eq!(rows[0].action, "EDIT");
        assert_eq!(rows[0].line, 2);
        let lf =
            "DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\n\"CN=a,DC=x\",mail,\"two\nlines\",,\nCN=b,mail,x,,\n";
        let rows = read_csv(lf.as_bytes()).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(rows[0].action, "");
    }

    #[test]
    fn reads_idfix_update_file() {
        let f = "distinguishedName: CN=A,DC=x\r\nobjectClass: user\r\nattribute: proxyAddresses\r\nerror: Character\r\nvalue: smtp:a b@x.com\r\nupdate: smtp:ab@x.com\r\naction: Edit\r\n-\r\n\r\n\
distinguishedName: CN=B,DC=x\r\nobjectClass: user\r\nattribute: mail\r\nerror: Format\r\nvalue: b@x\r\nupdate: b@x.com\r\naction: Remove\r\n-\r\n";
        let rows = read_update_file(f.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].value, "smtp:a b@x.com");
        assert_eq!(rows[0].update, "smtp:ab@x.com");
        assert_eq!(rows[0].action, "UNDO");
        assert_eq!(rows[1].applied.as_deref(), Some("Remove"));
        assert_eq!(rows[1].line, 10);
    }
}
