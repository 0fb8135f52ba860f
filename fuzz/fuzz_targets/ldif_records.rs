//! Arbitrary bytes through the input layer (BOM/UTF-16 sniffing) and the record parser,
//! then the AD model: nothing may panic, and every error must name a line inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

use ldifix::ldif::{Item, Parser};
use ldifix::model::Entry;
use ldifix::source::Input;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::from_bytes(std::path::Path::new("fuzz"), data.to_vec()) else {
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
});
