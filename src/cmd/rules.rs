//! `ldifix rules [--profile P] [--json] [--skips]`: list the rule catalog — id, profile,
//! attribute, error name and a one-line explanation for every rule — as an aligned table
//! on stdout or, with `--json`, as a JSON array of objects with the keys `id`, `profile`,
//! `attribute`, `error`, `summary`. `--skips` lists the scope (skip) reasons instead
//! (keys `id`, `summary`). Always exits 0.

use crate::rules::catalog::{RuleInfo, SkipInfo, RULES, SKIP_REASONS};
use crate::rules::Profile;

/// Arguments of `ldifix rules`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ldifix rules\n  ldifix rules --profile idfix\n  ldifix rules --json > rules.json\n  ldifix rules --skips"
)]
pub struct Args {
    /// Only the rules of this profile (default: all profiles).
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List the reasons an entry can be skipped (scope rules) instead of the checks.
    #[arg(long)]
    pub skips: bool,
}

/// Run: print the listing; exit status 0.
pub fn run(args: Args) -> anyhow::Result<i32> {
    let text = render(&args)?;
    // A closed pipe (`ldifix rules | head`) ends the run with status 0 (src/stdout.rs).
    crate::stdout::print(text.as_bytes())?;
    Ok(0)
}

/// The listing `run` prints.
pub fn render(args: &Args) -> anyhow::Result<String> {
    if args.skips {
        let skips: Vec<&SkipInfo> = SKIP_REASONS.iter().collect();
        if args.json {
            return Ok(serde_json::to_string_pretty(&skips)? + "\n");
        }
        let rows: Vec<[&str; 2]> = skips.iter().map(|s| [s.id, s.summary]).collect();
        return Ok(table(&["ID", "EXPLANATION"], &rows));
    }
    let rules: Vec<&RuleInfo> = RULES
        .iter()
        .filter(|r| args.profile.map_or(true, |p| r.profile == p))
        .collect();
    if args.json {
        return Ok(serde_json::to_string_pretty(&rules)? + "\n");
    }
    let rows: Vec<[&str; 5]> = rules
        .iter()
        .map(|r| {
            [
                r.id,
                r.profile.as_str(),
                r.attribute,
                r.error.as_str(),
                r.summary,
            ]
        })
        .collect();
    Ok(table(
        &["ID", "PROFILE", "ATTRIBUTE", "ERROR", "EXPLANATION"],
        &rows,
    ))
}

/// Columns padded to their widest cell (in characters); the last column is not padded.
fn table<const N: usize>(head: &[&str; N], rows: &[[&str; N]]) -> String {
    let mut width = [0usize; N];
    for row in std::iter::once(head).chain(rows.iter()) {
        for (w, cell) in width.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut s = String::new();
    for row in std::iter::once(head).chain(rows.iter()) {
        for (i, cell) in row.iter().enumerate() {
            s.push_str(cell);
            if i + 1 < N {
                let pad = width[i] - cell.chars().count() + 2;
                s.extend(std::iter::repeat(' ').take(pad));
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(profile: Option<Profile>, json: bool, skips: bool) -> Args {
        Args {
            profile,
            json,
            skips,
        }
    }

    #[test]
    fn table_lists_every_rule_once() {
        let t = render(&args(None, false, false)).unwrap();
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("ID") && lines[0].contains("EXPLANATION"));
        assert_eq!(lines.len(), RULES.len() + 1);
        let line = lines
            .iter()
            .find(|l| l.starts_with("upn-nonroutable-suffix "))
            .unwrap();
        assert!(line.contains(" entra ") && line.contains("TopLevelDomain"));
        assert!(t.contains("\nMT-UPN-CHAR "));
        assert!(t.contains("\nD-MAIL-RFC "));
    }

    #[test]
    fn profile_filter() {
        let t = render(&args(Some(Profile::Idfix), false, false)).unwrap();
        assert!(t.lines().skip(1).all(|l| l.starts_with("MT-")));
        assert!(!t.contains("upn-character"));
    }

    #[test]
    fn json_array() {
        let t = render(&args(Some(Profile::Entra), true, false)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        let a = v.as_array().unwrap();
        assert_eq!(
            a.len(),
            RULES.iter().filter(|r| r.profile == Profile::Entra).count()
        );
        let upn = a.iter().find(|r| r["id"] == "upn-character").unwrap();
        assert_eq!(upn["profile"], "entra");
        assert_eq!(upn["attribute"], "userPrincipalName");
        assert_eq!(upn["error"], "Character");
        assert!(upn["summary"].as_str().unwrap().len() > 10);
    }

    #[test]
    fn skips_listing() {
        let t = render(&args(None, true, true)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v.as_array().unwrap().len(), SKIP_REASONS.len());
        let t = render(&args(None, false, true)).unwrap();
        assert!(t.contains("conflict-object"));
    }
}
