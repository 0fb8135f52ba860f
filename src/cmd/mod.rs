//! One module per subcommand: each wires inputs → parser → model → rules/index → outputs.
//! `run` returns the process exit status (0 clean, 1 findings, 2 invalid input or usage).

pub mod apply_csv;
pub mod completions;
pub mod dump;
pub mod fix;
pub mod generate;
pub mod man;
pub mod rules;
pub mod scan;
pub mod verify;

use std::path::Path;

use anyhow::Context;

use crate::cli::{Cli, Command};

/// Run the parsed command line; returns the exit status.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Scan(a) => scan::run(a),
        Command::Fix(a) => fix::run(a),
        Command::ApplyCsv(a) => apply_csv::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Dump(a) => dump::run(a),
        Command::Rules(a) => rules::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    }
}

/// How inputs are read — their format and the parser's size limits — shared by every
/// command that reads exports.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Input format: detected from the content by default (LDIF, csvde CSV, PowerShell
    /// Export-Csv).
    #[arg(long, value_enum, default_value_t = crate::csvin::InputFormat::Auto)]
    pub input_format: crate::csvin::InputFormat,
    /// PowerShell CSV: the character multi-valued properties were joined with in the
    /// export command (`-join '|'`). csvde always joins with ';'.
    #[arg(long, value_name = "CHAR", default_value = ";", value_parser = parse_csv_join)]
    pub csv_join: u8,
    /// Longest logical (unfolded) line accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_line_bytes: usize,
    /// Largest record accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_record_bytes: usize,
    /// Most value lines accepted in one record.
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    pub max_values: usize,
}

impl LimitArgs {
    /// A record reader over one input's bytes in the chosen (or detected) format.
    pub fn records<'a>(&self, bytes: &'a [u8]) -> crate::csvin::Records<'a> {
        crate::csvin::Records::new(bytes, self.input_format, self.limits())
            .with_csv_join(self.csv_join)
    }

    /// As parser limits.
    pub fn limits(&self) -> crate::ldif::Limits {
        crate::ldif::Limits {
            max_line: self.max_line_bytes,
            max_record: self.max_record_bytes,
            max_values: self.max_values,
        }
    }
}

/// The tenant's verified domains and the TLD list new values are judged by (`fix`,
/// `apply-csv`).
#[derive(Debug, Clone, clap::Args)]
pub struct TenantArgs {
    /// A verified domain of the tenant: new UPNs are checked against them (and `fix
    /// --upn-from-mail` only uses addresses in them). Repeatable.
    #[arg(long, value_name = "DOMAIN")]
    pub verified_domain: Vec<String>,
    /// A file of verified domains, one per line (# comments allowed).
    #[arg(long, value_name = "FILE")]
    pub verified_domains: Option<std::path::PathBuf>,
    /// Replace the bundled IANA TLD list that new values are judged by (one TLD per
    /// line, with or without a leading dot; the same file as `scan --tld-list`).
    #[arg(long, value_name = "FILE")]
    pub tld_list: Option<std::path::PathBuf>,
}

impl TenantArgs {
    /// The files these options read (outputs must not overwrite them).
    pub fn files(&self) -> Vec<std::path::PathBuf> {
        self.verified_domains
            .iter()
            .chain(&self.tld_list)
            .cloned()
            .collect()
    }

    /// The verified domains (given ones, then the file's) and the TLD list, if any.
    pub fn read(&self) -> anyhow::Result<(Vec<String>, Option<Vec<String>>)> {
        for d in &self.verified_domain {
            check_domain_option(d)?;
        }
        let mut verified = self.verified_domain.clone();
        if let Some(f) = &self.verified_domains {
            verified.extend(read_list(f, ListKind::Domains)?);
        }
        let tlds = self
            .tld_list
            .as_deref()
            .map(|p| read_list(p, ListKind::Tlds))
            .transpose()?;
        Ok((verified, tlds))
    }
}

/// `--csv-join`: one printable ASCII character other than the CSV quote.
fn parse_csv_join(s: &str) -> Result<u8, String> {
    match s.as_bytes() {
        [c] if c.is_ascii_graphic() && *c != b'"' => Ok(*c),
        _ => Err(
            "expected one printable ASCII character other than '\"' (e.g. ';', '|', ',')".into(),
        ),
    }
}

/// What a list file holds, and how an entry is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `--verified-domains`: domain names.
    Domains,
    /// `--tld-list`: top-level domains, with or without a leading dot.
    Tlds,
}

impl ListKind {
    fn what(self) -> &'static str {
        match self {
            ListKind::Domains => "verified-domains file",
            ListKind::Tlds => "TLD list",
        }
    }

    fn expected(self) -> &'static str {
        match self {
            ListKind::Domains => "a domain name such as contoso.com",
            ListKind::Tlds => "a top-level domain such as com or .com",
        }
    }

    fn accepts(self, entry: &str) -> bool {
        match self {
            ListKind::Domains => is_domain_name(entry),
            ListKind::Tlds => {
                let t = entry.strip_prefix('.').unwrap_or(entry);
                !t.is_empty() && t.split('.').all(is_label)
            }
        }
    }
}

/// A DNS label: letters (any script), digits and `-`, not at either end.
fn is_label(l: &str) -> bool {
    !l.is_empty()
        && !l.starts_with('-')
        && !l.ends_with('-')
        && l.chars().all(|c| c.is_alphanumeric() || c == '-')
}

/// A domain name as a tenant verifies it: two or more labels (`contoso.com`), written
/// with or without a leading `@` or a trailing dot.
pub fn is_domain_name(d: &str) -> bool {
    let d = d
        .trim()
        .trim_start_matches(['@', '.'])
        .trim_end_matches('.');
    d.contains('.') && d.split('.').all(is_label)
}

/// The error for a `--verified-domain` value that is not a domain name, if it is not.
pub fn check_domain_option(d: &str) -> anyhow::Result<()> {
    if is_domain_name(d) {
        Ok(())
    } else {
        anyhow::bail!("--verified-domain {d:?}: expected a domain name such as contoso.com")
    }
}

/// The entries of a list file (verified domains, TLDs): one per line, `#` starts a
/// comment, blank lines are skipped. UTF-8 (with or without a byte order mark) or UTF-16
/// with one, as Windows PowerShell 5.1's `Out-File` writes. An entry that is not what
/// the list holds, and a list without any, are errors naming the file (and line).
pub fn read_list(path: &Path, kind: ListKind) -> anyhow::Result<Vec<String>> {
    let what = kind.what();
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read {what} {}", path.display()))?;
    let text = match encoding_rs::Encoding::for_bom(&bytes) {
        Some((enc, n)) => {
            let (t, bad) = enc.decode_without_bom_handling(&bytes[n..]);
            if bad {
                anyhow::bail!("{what} {}: not valid {} text", path.display(), enc.name());
            }
            t.into_owned()
        }
        None => String::from_utf8(bytes).map_err(|_| {
            anyhow::anyhow!(
                "{what} {}: expected UTF-8 text (or UTF-16 with a byte order mark)",
                path.display()
            )
        })?,
    };
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let entry = l.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        if !kind.accepts(entry) {
            anyhow::bail!(
                "{}:{}: expected {}, found {entry:?}",
                path.display(),
                i + 1,
                kind.expected()
            );
        }
        out.push(entry.to_owned());
    }
    if out.is_empty() {
        anyhow::bail!(
            "{what} {}: no entry in it (expected {}, one per line)",
            path.display(),
            kind.expected()
        );
    }
    Ok(out)
}
