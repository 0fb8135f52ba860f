//! Progress bars on stderr: sized in bytes (or records) so the ETA is honest, hidden
//! with `--quiet` and whenever stderr is not a terminal (pipes, CI, tests).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

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

/// Wall time per phase of a run, printed on stderr at its end with `--timings` (for
/// people timing large forests: which phase a slow run spends its time in). Phases are
/// marked in order; each lasts from the previous mark (or the start) to its own.
#[derive(Debug)]
pub struct Timings {
    on: bool,
    start: Instant,
    last: Instant,
    phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Timings from `start` (the run's start), printed only when `on`.
    pub fn new(on: bool, start: Instant) -> Self {
        Timings {
            on,
            start,
            last: start,
            phases: Vec::new(),
        }
    }

    /// End the phase `name` now.
    pub fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.last));
        self.last = now;
    }

    /// The line `--timings` prints: each phase, then the total since the start.
    pub fn line(&self) -> String {
        let mut s = String::from("timings:");
        for (name, d) in &self.phases {
            s.push_str(&format!(" {name} {:.3} s,", d.as_secs_f64()));
        }
        s.push_str(&format!(
            " total {:.3} s",
            self.start.elapsed().as_secs_f64()
        ));
        s
    }

    /// Print [`Timings::line`] on stderr when asked for.
    pub fn print(&self) {
        if self.on {
            eprintln!("{}", self.line());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_name_each_phase_in_order_then_the_total() {
        let mut t = Timings::new(true, Instant::now());
        t.mark("read");
        t.mark("check");
        let line = t.line();
        assert!(line.starts_with("timings: read "), "{line}");
        let (read, check, total) = (
            line.find(" read ").unwrap(),
            line.find(" check ").unwrap(),
            line.find(" total ").unwrap(),
        );
        assert!(read < check && check < total, "{line}");
        assert!(line.ends_with(" s"), "{line}");
    }

    #[test]
    fn quiet_bars_are_hidden() {
        assert!(bar("scan", true, 10, Unit::Bytes).is_hidden());
    }
}
