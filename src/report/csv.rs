//! The `--csv` report: IdFix's columns in IdFix's order (idfix-rules.md §8.2) —
//! `DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION`
//! — so spreadsheets and habits built on IdFix keep working, but written correctly.
//!
//! There is one IdFix-format CSV writer in the crate, [`crate::rules::idfix::csv`]; this
//! module is the report's entry point to it. What the file looks like: UTF-8 without BOM,
//! CRLF line ends, every cell quoted per RFC 4180 (inner `"` doubled), `ERROR` the error
//! names joined by `", "`, `ACTION` empty for the admin, and formula neutralisation — a
//! cell starting with `=`, `+`, `-`, `@`, TAB or CR (after any run of `'`) gets one
//! leading `'`, which [`unneutralize`] removes again when the file is read back.

use std::io::{self, Write};

use crate::rules::Row;

pub use crate::rules::idfix::csv::{neutralize, unneutralize, HEADER};

/// Write `rows` (in the given order) with the header.
pub fn write<W: Write>(w: W, rows: &[Row]) -> io::Result<()> {
    crate::rules::idfix::csv::write_csv(w, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Attr;
    use crate::rules::{Action, EntryRef, ErrorName, Finding};

    fn row(dn: &str, value: &str, update: Option<&str>) -> Row {
        Row {
            entry: EntryRef {
                file: 0,
                line: 1,
                dn: dn.into(),
                cn: "John \"JJ\" Smith".into(),
            },
            object_class: "user".into(),
            finding: Finding {
                attr: Attr::ProxyAddresses,
                attribute: "proxyAddresses",
                value: value.into(),
                errors: vec![ErrorName::Character, ErrorName::Format],
                rules: vec!["x"],
                update: update.map(str::to_owned),
                action: Action::Edit,
            },
        }
    }

    #[test]
    fn quoting_and_neutralisation_round_trip() {
        let rows = [
            row("CN=Smith\\, John,DC=x", "=HYPERLINK(\"x\")", None),
            row("CN=a,DC=x", "line\nbreak", Some("-1+2")),
        ];
        let mut buf = Vec::new();
        write(&mut buf, &rows).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with(&format!("{}\r\n", HEADER.join(","))));
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(text.contains("\"John \"\"JJ\"\" Smith\""), "{text}");
        assert!(text.contains("\"Character, Format\""), "{text}");
        assert!(text.contains("\"'-1+2\""), "{text}");
        // RFC 4180 read-back gives the original cells.
        let mut rd = ::csv::Reader::from_reader(text.as_bytes());
        let recs: Vec<::csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(&recs[0][0], "CN=Smith\\, John,DC=x");
        assert_eq!(unneutralize(&recs[0][5]), "=HYPERLINK(\"x\")");
        assert_eq!(&recs[1][5], "line\nbreak");
        assert_eq!(unneutralize(&recs[1][6]), "-1+2");
        assert_eq!(&recs[1][7], "Edit");
    }
}
