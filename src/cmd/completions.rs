//! `ldifix completions SHELL`: a completion script for the shell, on stdout.

use clap::CommandFactory;

use crate::cli::Cli;

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ldifix completions bash > /etc/bash_completion.d/ldifix\n  ldifix completions powershell >> $PROFILE\n  ldifix completions zsh > ~/.zfunc/_ldifix"
)]
pub struct Args {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// Run.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let mut cmd = Cli::command();
    // Into memory: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ldifix", &mut script);
    crate::stdout::print(&script)?;
    Ok(0)
}
