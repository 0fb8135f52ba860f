//! Reading the exports a change file is planned against: every input is opened (mapped
//! when possible) and parsed completely before anything is planned; a malformed input
//! stops the run (exit 2) with its file and line, so no change file is ever built from
//! half an export.

use std::path::{Path, PathBuf};

use crate::csvin::{InputFormat, Records};
use crate::ldif::{Item, Limits};
use crate::model::{Entry, FileId};
use crate::source::Input;

/// Open every input. Errors carry the path.
pub fn open_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, String> {
    paths
        .iter()
        .map(|p| Input::open(p).map_err(|e| e.to_string()))
        .collect()
}

/// Parse every input into entries (content and `changetype: add` records), in input
/// order. Warnings are printed to stderr; the first parse error is returned.
pub fn parse_entries<'a>(
    inputs: &'a [Input],
    limits: Limits,
    format: InputFormat,
    quiet: bool,
) -> Result<Vec<Entry<'a>>, String> {
    let mut entries = Vec::new();
    let total: u64 = inputs.iter().map(|i| i.bytes().len() as u64).sum();
    let bar = crate::progress::bar("read", quiet, total, crate::progress::Unit::Bytes);
    let mut done = 0u64;
    for (i, input) in inputs.iter().enumerate() {
        let file = FileId::try_from(i).map_err(|_| "too many inputs".to_string())?;
        let name = input.name();
        let mut parser = Records::new(input.bytes(), format, limits);
        while let Some(item) = parser.next() {
            for w in parser.take_warnings() {
                eprintln!("{name}:{}: warning: {}", w.line, w.message);
            }
            match item {
                Ok(Item::Record(r)) => {
                    if let Some(e) = Entry::from_record(file, r) {
                        entries.push(e);
                        if entries.len() % 4096 == 0 {
                            bar.set_position(done + parser.position() as u64);
                        }
                    }
                }
                Ok(Item::Skipped { .. }) => {}
                Err(e) => {
                    return Err(match e.hint() {
                        Some(h) => format!("{name}:{e}\n  hint: {h}"),
                        None => format!("{name}:{e}"),
                    })
                }
            }
        }
        done += input.bytes().len() as u64;
    }
    bar.finish_and_clear();
    Ok(entries)
}

/// Refuse an output path that names one of the inputs (inputs are never modified).
pub fn check_not_input(output: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(out) = canon(output) else {
        return Ok(()); // does not exist yet: cannot be an input
    };
    for i in inputs {
        if canon(i).as_ref() == Some(&out) {
            return Err(format!(
                "{} is an input; outputs never overwrite inputs",
                output.display()
            ));
        }
    }
    Ok(())
}
