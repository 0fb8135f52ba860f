//! Replays the fuzz corpora (fuzz/corpus/*, seeds plus every crash ever found) through the
//! same checks the fuzz targets make, so CI covers them without a fuzzer.

use std::path::Path;

use ldifix::csvin::{InputFormat, Records};
use ldifix::ldif::writer::{LdifWriter, LineEnding, WriterOptions};
use ldifix::ldif::{Item, Limits, Parser, Record};
use ldifix::model::Entry;
use ldifix::source::Input;

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

fn check_records(data: &[u8]) {
    let Ok(input) = Input::from_bytes(Path::new("corpus"), data.to_vec()) else {
        return;
    };
    let bytes = input.bytes();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for item in Parser::new(bytes) {
        match item {
            Ok(Item::Record(r)) => {
                assert!(r.line >= 1 && r.line <= lines);
                let _ = Entry::from_record(0, r);
            }
            Ok(Item::Skipped { line, .. }) => assert!(line <= lines),
            Err(e) => assert!(e.line >= 1 && e.line <= lines, "{e}"),
        }
    }
}

fn check_roundtrip(data: &[u8]) {
    let first = records(data);
    for (ending, fold) in [(LineEnding::CrLf, None), (LineEnding::Lf, Some(40))] {
        let mut w = LdifWriter::new(
            Vec::new(),
            WriterOptions {
                line_ending: ending,
                fold,
                leading_blank_line: true,
                version_line: false,
            },
        );
        for r in &first {
            w.write_record(r).unwrap();
        }
        let out = w.finish().unwrap();
        assert!(out.is_ascii());
        let again = records(&out);
        assert_eq!(again.len(), first.len());
        for (a, b) in first.iter().zip(&again) {
            assert_eq!(
                (&a.dn, a.change, &a.body, &a.controls),
                (&b.dn, b.change, &b.body, &b.controls)
            );
        }
    }
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn ldif_records_corpus() {
    let c = corpus("ldif_records");
    assert!(c.len() >= 10);
    for (name, data) in c {
        let r = std::panic::catch_unwind(|| check_records(&data));
        assert!(r.is_ok(), "{name}");
    }
}

#[test]
fn ldif_roundtrip_corpus() {
    let c = corpus("ldif_roundtrip");
    assert!(c.len() >= 10);
    for (name, data) in c {
        let r = std::panic::catch_unwind(|| check_roundtrip(&data));
        assert!(r.is_ok(), "{name}");
    }
}

fn check_csv(data: &[u8]) {
    let Ok(input) = Input::from_bytes(Path::new("corpus"), data.to_vec()) else {
        return;
    };
    let bytes = input.bytes();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    for format in [InputFormat::Csvde, InputFormat::PwshCsv, InputFormat::Auto] {
        for item in Records::new(bytes, format, Limits::default()) {
            match item {
                Ok(Item::Record(r)) => {
                    let _ = Entry::from_record(0, r);
                }
                Ok(Item::Skipped { .. }) => {}
                Err(e) => assert!(e.line >= 1 && e.line <= lines + 1, "{e}"),
            }
        }
    }
}

#[test]
fn csv_records_corpus() {
    let c = corpus("csv_records");
    assert!(c.len() >= 5);
    for (name, data) in c {
        let r = std::panic::catch_unwind(|| check_csv(&data));
        assert!(r.is_ok(), "{name}");
    }
}
