//! Render the HTML report from a scan JSON document (shared/contracts/scan-json.md):
//! `cargo run --example html_report -- findings.json report.html`. The same renderer
//! `ldifix scan --html` uses; this entry point serves scripts/html-check.sh and lets a
//! saved `--json` report be turned into a page later. Replaces an existing output.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: html_report FINDINGS.json REPORT.html");
        return ExitCode::from(2);
    };
    let doc: serde_json::Value = match std::fs::read(input)
        .map_err(anyhow::Error::from)
        .and_then(|b| serde_json::from_slice(&b).map_err(anyhow::Error::from))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("html_report: {input}: {e}");
            return ExitCode::from(2);
        }
    };
    match ldifix::html::write(&doc, std::path::Path::new(output), true) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("html_report: {e:#}");
            ExitCode::from(2)
        }
    }
}
