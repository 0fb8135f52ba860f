//! `ldifix man`: the man page (roff) on stdout.

use clap::CommandFactory;

use crate::cli::Cli;

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ldifix man > /usr/local/share/man/man1/ldifix.1")]
pub struct Args {}

/// Run.
pub fn run(_args: Args) -> anyhow::Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    crate::stdout::print(&buf)?;
    Ok(0)
}
