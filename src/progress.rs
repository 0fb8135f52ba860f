//! Progress bars on stderr: sized in bytes (or records) so the ETA is honest, hidden
//! with `--quiet` and whenever stderr is not a terminal (pipes, CI, tests).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What a bar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of input.
    Bytes,
    /// Records.
    Records,
}

/// A bar labelled `label` for `total` units; hidden when `quiet` or stderr is not a
/// terminal.
pub fn bar(label: &str, quiet: bool, total: u64, unit: Unit) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(8));
    let template = match unit {
        Unit::Bytes => format!(
            "{label} [{{wide_bar}}] {{binary_bytes}}/{{binary_total_bytes}} {{binary_bytes_per_sec}} eta {{eta}}"
        ),
        Unit::Records => {
            format!("{label} [{{wide_bar}}] {{pos}}/{{len}} records, {{per_sec}}, eta {{eta}}")
        }
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_bars_are_hidden() {
        assert!(bar("scan", true, 10, Unit::Bytes).is_hidden());
    }
}
