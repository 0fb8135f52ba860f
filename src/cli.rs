//! The command line, declared once with clap derive. Each subcommand's arguments live
//! beside its implementation in `cmd/`.

use clap::{Parser, Subcommand};

use crate::cmd;

/// Get an on-premises Active Directory ready for Microsoft Entra Connect sync, offline,
/// from export files (ldifde, csvde, ldapsearch, slapcat, ldbsearch).
#[derive(Debug, Parser)]
#[command(
    name = "ldifix",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  ldifix scan contoso.ldf fabrikam.ldf --json findings.json --html findings.html\n  ldifix fix contoso.ldf --upn-suffix contoso.local=contoso.com -o changes.ldf --undo undo.ldf\n  ldifix verify changes.ldf --against contoso.ldf --undo undo.ldf\n  ldifix generate --users 100000 -o forest.ldf --truth truth.json\n\nExit status: 0 clean, 1 findings (or refused changes), 2 invalid input or usage, 130 interrupted\n(143 on SIGTERM, 129 on SIGHUP).\nRun 'ldifix <command> --help' for each command's options and examples."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find every value Entra ID would reject and every duplicate, across all inputs.
    Scan(cmd::scan::Args),
    /// Write an ldifde change file (UPN suffix rewrite, accepted fixes) and its exact undo.
    Fix(cmd::fix::Args),
    /// Turn an edited scan/IdFix CSV into change and undo files.
    #[command(name = "apply-csv")]
    ApplyCsv(cmd::apply_csv::Args),
    /// Generate a synthetic Active Directory export with planted problems and their truth.
    Generate(cmd::generate::Args),
    /// Print the parsed records of an LDIF file as JSON Lines.
    Dump(cmd::dump::Args),
    /// List the rules with their ids and explanations.
    Rules(cmd::rules::Args),
    /// Check a change file against the export before importing it.
    Verify(cmd::verify::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions(cmd::completions::Args),
    /// Print the man page (roff) to stdout.
    Man(cmd::man::Args),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
