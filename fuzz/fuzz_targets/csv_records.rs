//! Arbitrary bytes through format detection and the csvde / PowerShell CSV readers, then
//! the AD model: nothing may panic, and every error must name a line inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

use ldifix::csvin::{InputFormat, Records};
use ldifix::ldif::{Item, Limits};
use ldifix::model::Entry;
use ldifix::source::Input;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::from_bytes(std::path::Path::new("fuzz"), data.to_vec()) else {
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
});
