//! `ldifix generate`: write a synthetic Active Directory export with planted problems
//! and, with `--truth`, the list of every planted problem and collision (see
//! [`crate::generate`]). Output files are written atomically.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::generate::{list_kinds, Flavor, Generator, Options};
use crate::output::{self, AtomicFile, Planned};

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ldifix generate --users 10000 -o forest.ldf --truth truth.json\n  ldifix generate --users 1000000 --domain contoso.local --domain fabrikam.local -o big.ldf\n  ldifix generate --flavor import --users 500 --local-upn-share 0.3 -o load.ldif\n  ldifix generate --flavor csvde --users 5000 -o export.csv --truth truth.json\n  ldifix generate --list-kinds"
)]
pub struct Args {
    /// Output file.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        required_unless_present = "list_kinds"
    )]
    pub output: Option<PathBuf>,
    /// Number of users.
    #[arg(long, default_value_t = 1000)]
    pub users: u64,
    /// Number of groups.
    #[arg(long, default_value_t = 50)]
    pub groups: u64,
    /// Number of contacts.
    #[arg(long, default_value_t = 100)]
    pub contacts: u64,
    /// An AD domain (DNS name); repeat for several. A non-routable name such as
    /// contoso.local gets the mail domain contoso.com.
    #[arg(long = "domain", value_name = "DNS", default_values_t = vec!["contoso.local".to_string()])]
    pub domains: Vec<String>,
    /// Seed: the same options give the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of users, mail-enabled groups and contacts with one planted problem, split
    /// evenly over the kinds.
    #[arg(long, value_name = "R", default_value_t = 0.02)]
    pub defect_rate: f64,
    /// Override one kind's rate (probability per object), e.g. `--rate dup-mail=0.01`.
    #[arg(long = "rate", value_name = "KIND=R", value_parser = parse_rate)]
    pub rates: Vec<(String, f64)>,
    /// Share of users whose UPN keeps the AD realm suffix (kind upn-local-suffix).
    #[arg(long, value_name = "F", default_value_t = 0.0)]
    pub local_upn_share: f64,
    /// Output dialect.
    #[arg(long, value_enum, default_value_t = Flavor::Ldifde)]
    pub flavor: Flavor,
    /// Write the ground truth (JSON) here.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the kinds of planted problems and exit.
    #[arg(long)]
    pub list_kinds: bool,
}

fn parse_rate(s: &str) -> Result<(String, f64), String> {
    let (k, r) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KIND=R, got {s:?}"))?;
    let r: f64 = r
        .trim()
        .parse()
        .map_err(|_| format!("{r:?} is not a number"))?;
    Ok((k.trim().to_string(), r))
}

/// Run.
pub fn run(args: Args) -> Result<i32> {
    if args.list_kinds {
        crate::stdout::print(list_kinds().as_bytes())?;
        return Ok(0);
    }
    let Some(output) = args.output.clone() else {
        bail!("-o FILE is required");
    };
    let opts = Options {
        users: args.users,
        groups: args.groups,
        contacts: args.contacts,
        domains: args.domains.clone(),
        seed: args.seed,
        defect_rate: args.defect_rate,
        rates: args.rates.clone(),
        local_upn_share: args.local_upn_share,
        flavor: args.flavor,
    };
    let gen = match Generator::new(opts) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("ldifix generate: {e:#}");
            return Ok(2);
        }
    };
    let mut outputs = vec![Planned::new(&output, "-o")];
    outputs.extend(args.truth.iter().map(|t| Planned::new(t, "--truth")));
    if let Err(e) = output::precheck(&outputs, &[], args.force) {
        eprintln!("ldifix: {e}");
        return Ok(2);
    }
    let total = gen.total_records();
    let bar = crate::progress::bar(
        "generate",
        args.quiet,
        total,
        crate::progress::Unit::Records,
    );
    let mut file = AtomicFile::create(&output, args.force)?;
    let truth = gen.write(&mut file, &|n| bar.set_position(n))?;
    bar.finish_and_clear();
    let unplanted = &truth.summary.unplanted_by_kind;
    if !unplanted.is_empty() {
        let n: u64 = unplanted.values().sum();
        let kinds: Vec<String> = unplanted.iter().map(|(k, n)| format!("{k} {n}")).collect();
        eprintln!(
            "ldifix generate: warning: {n} object{} drew a duplicate or rewrite-collision kind but found no clean user near {} to share a value with, and stayed clean ({}): at these rates too few users are left clean; lower --defect-rate or --rate for the rates to be met",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" },
            kinds.join(", ")
        );
    }
    // The export and its truth are renamed into place together, once both are written.
    let mut files = vec![file];
    if let Some(t) = &args.truth {
        let json = serde_json::to_vec_pretty(&truth).context("cannot serialise the truth")?;
        let mut f = AtomicFile::create(t, args.force)?;
        f.write_all(&json)?;
        files.push(f);
    }
    AtomicFile::commit_all(files)?;
    Ok(0)
}
