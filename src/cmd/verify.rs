//! `ldifix verify` (being written).

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run.
pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("verify is not available yet")
}
