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
//! `UNDO` restores VALUE over UPDATE; `COMPLETE`, `FAIL` and empty do nothing. A row is
//! refused when its object is not in the export (DNs compared semantically), its
//! attribute is unknown or not writable, or VALUE is no longer in the export (compared
//! exactly, then ignoring surrounding spaces, which IdFix's CSV import trims).

use std::collections::HashMap;

use crate::model::{Attr, Entry, FileId};
use crate::report::csv::unneutralize;

use super::dn_key;
use super::plan::{changeable, is_multi, ChangeKind, Op, Proposal, Refusal};

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

/// Read an edited scan/IdFix CSV. Errors name the line.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<CsvRow>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = ::csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let headers = rdr
        .byte_headers()
        .map_err(|e| format!("cannot read the header line: {e}"))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| String::from_utf8_lossy(h).trim().eq_ignore_ascii_case(name))
    };
    let (Some(dn), Some(attr), Some(value)) =
        (col("DISTINGUISHEDNAME"), col("ATTRIBUTE"), col("VALUE"))
    else {
        return Err(
            "the header line lacks DISTINGUISHEDNAME, ATTRIBUTE or VALUE (expected scan --csv or IdFix CSV columns)"
                .into(),
        );
    };
    let update = col("UPDATE");
    let action = col("ACTION");
    let mut rows = Vec::new();
    let mut rec = ::csv::ByteRecord::new();
    // Line numbers from byte offsets (the reader's own line count lags on CRLF files).
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    let mut line_at = |byte: usize| -> u64 {
        let mut at = byte.min(bytes.len());
        // A record "starting" at the LF of the previous CRLF starts on the next line.
        if bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        if at > counted_to {
            newlines += memchr::memchr_iter(b'\n', &bytes[counted_to..at]).count() as u64;
            counted_to = at;
        }
        newlines + 1
    };
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| line_at(p.byte() as usize))
                    .unwrap_or(0);
                return Err(format!("line {line}: {e}"));
            }
        }
        let line = rec
            .position()
            .map(|p| line_at(p.byte() as usize))
            .unwrap_or(0);
        let cell = |i: Option<usize>| -> String {
            let raw = i.and_then(|i| rec.get(i)).unwrap_or(b"");
            let s = String::from_utf8_lossy(raw);
            unneutralize(&s).to_string()
        };
        if rec.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        rows.push(CsvRow {
            line,
            dn: cell(Some(dn)).trim().to_string(),
            attribute: cell(Some(attr)).trim().to_string(),
            value: cell(Some(value)),
            update: cell(update),
            action: cell(action).trim().to_ascii_uppercase(),
            applied: None,
        });
    }
    Ok(rows)
}

/// Read an IdFix `Update <stamp>.ldf` transaction file (not LDIF: `key: value` lines,
/// a `distinguishedName:` line starts each row). Every row becomes an `UNDO` row.
pub fn read_update_file(bytes: &[u8]) -> Vec<CsvRow> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let mut rows: Vec<CsvRow> = Vec::new();
    for (n, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let Some((key, val)) = line.split_once(": ") else {
            continue;
        };
        match key {
            "distinguishedName" => rows.push(CsvRow {
                line: n as u64 + 1,
                dn: val.to_string(),
                action: "UNDO".into(),
                ..CsvRow::default()
            }),
            _ => {
                let Some(r) = rows.last_mut() else { continue };
                match key {
                    "attribute" => r.attribute = val.to_string(),
                    "value" => r.value = val.to_string(),
                    "update" => r.update = val.to_string(),
                    "action" => r.applied = Some(val.trim().to_string()),
                    _ => {}
                }
            }
        }
    }
    rows
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
            _ => continue, // COMPLETE, FAIL, empty: nothing to do
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
        });
    }
    (props, refused)
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
            "DISTINGUISHEDNAME,ATTRIBUTE,VALUE\n\"CN=a,DC=x\",mail,\"two\nlines\"\nCN=b,mail,x\n";
        let rows = read_csv(lf.as_bytes()).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        assert_eq!(rows[0].action, "");
    }

    #[test]
    fn reads_idfix_update_file() {
        let f = "distinguishedName: CN=A,DC=x\r\nobjectClass: user\r\nattribute: proxyAddresses\r\nerror: Character\r\nvalue: smtp:a b@x.com\r\nupdate: smtp:ab@x.com\r\naction: Edit\r\n-\r\n\r\n\
distinguishedName: CN=B,DC=x\r\nobjectClass: user\r\nattribute: mail\r\nerror: Format\r\nvalue: b@x\r\nupdate: b@x.com\r\naction: Remove\r\n-\r\n";
        let rows = read_update_file(f.as_bytes());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].value, "smtp:a b@x.com");
        assert_eq!(rows[0].update, "smtp:ab@x.com");
        assert_eq!(rows[0].action, "UNDO");
        assert_eq!(rows[1].applied.as_deref(), Some("Remove"));
        assert_eq!(rows[1].line, 10);
    }
}
