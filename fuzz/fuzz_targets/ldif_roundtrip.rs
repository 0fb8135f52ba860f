//! parse(write(parse(x))) == parse(x): every record the parser accepts is written by our
//! writer (CRLF and LF, folded and not) and read back to the same record.
#![no_main]
use libfuzzer_sys::fuzz_target;

use ldifix::ldif::writer::{LdifWriter, LineEnding, WriterOptions};
use ldifix::ldif::{Item, Parser, Record};

fn records(b: &[u8]) -> Vec<Record<'_>> {
    Parser::new(b)
        .filter_map(|i| match i {
            Ok(Item::Record(mut r)) => {
                r.offset = 0;
                r.line = 0;
                Some(r)
            }
            _ => None,
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let first = records(data);
    if first.is_empty() {
        return;
    }
    for (ending, fold) in [(LineEnding::CrLf, None), (LineEnding::Lf, Some(40))] {
        let mut w = LdifWriter::new(
            Vec::new(),
            WriterOptions { line_ending: ending, fold, leading_blank_line: true, version_line: false },
        );
        for r in &first {
            w.write_record(r).unwrap();
        }
        let out = w.finish().unwrap();
        assert!(out.is_ascii());
        let again = records(&out);
        assert_eq!(again.len(), first.len());
        for (a, b) in first.iter().zip(&again) {
            assert_eq!(a.dn, b.dn);
            assert_eq!(a.change, b.change);
            assert_eq!(a.body, b.body);
            assert_eq!(a.controls, b.controls);
        }
    }
});
