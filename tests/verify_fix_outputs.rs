//! `verify` against what `fix` writes: every change/undo pair fix writes for the sample
//! exports in testdata/ (each kind of change fix makes, for ldifde and for ldapmodify) is
//! safe to import, and the same files cut short or missing a line are not.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use ldifix::csvin::InputFormat;
use ldifix::ldif::Limits;
use ldifix::verify::{self, LineEnd, Options};

const EXPORT: &str = "testdata/contoso-sample.ldf";

fn ldifix() -> Command {
    Command::cargo_bin("ldifix").unwrap()
}

/// Every entra rule id, comma-separated (what `--accept` takes), from `ldifix rules`.
fn entra_rules() -> String {
    let out = ldifix().arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split_whitespace();
            let id = cols.next()?;
            (cols.next()? == "entra").then_some(id)
        })
        .collect();
    assert!(ids.len() > 20, "{text}");
    ids.join(",")
}

/// The files under `dir`, recursively, in name order.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Run `fix EXPORT ARGS --line-ending LE -o CHANGES --undo UNDO`; `None` when fix refuses
/// the input or the options (exit status 2: not an export, no forest root…).
fn fix(export: &Path, args: &[String], le: &str, c: &Path, u: &Path) -> Option<()> {
    let out = ldifix()
        .arg("fix")
        .arg(export)
        .args(args)
        .args(["--line-ending", le, "--force", "-q", "-o"])
        .arg(c)
        .arg("--undo")
        .arg(u)
        .output()
        .unwrap();
    match out.status.code() {
        Some(0 | 1) => Some(()),
        Some(2) => None,
        _ => panic!("fix {export:?} {args:?}: {out:?}"),
    }
}

/// What `verify CHANGES --against EXPORT --undo UNDO --line-ending …` checks.
fn options(changes: &Path, undo: &Path, export: &Path, line_end: LineEnd) -> Options {
    Options {
        changes: changes.to_path_buf(),
        exports: vec![export.to_path_buf()],
        undo: Some(undo.to_path_buf()),
        line_end,
        limits: Limits::default(),
        export_format: InputFormat::Auto,
        csv_join: b';',
        allow_removal: Vec::new(),
    }
}

/// The in-process verdict on a change/undo pair.
fn is_safe(changes: &Path, undo: &Path, export: &Path, line_end: LineEnd) -> bool {
    verify::verify(&options(changes, undo, export, line_end))
        .unwrap()
        .is_safe()
}

/// Every sample fix accepts, with every kind of change fix makes (UPN suffix rewrites,
/// UPNs from mail, accepted fixes of every entra rule, suffix registration, all at once),
/// written for ldifde and for ldapmodify: `verify` of the pair against the sample finds
/// nothing.
#[test]
fn every_fix_output_of_the_samples_verifies_clean() {
    let rules = entra_rules();
    let sets: Vec<Vec<String>> = [
        "--upn-suffix contoso.local=contoso.com --upn-suffix corp.lan=contoso.com",
        "--upn-suffix contoso.com=fabrikam.com --register-suffix --forest-root DC=contoso,DC=local",
        "--upn-from-mail --verified-domain contoso.com --verified-domain fabrikam.com",
        "--accept RULES",
        "--accept RULES --upn-suffix contoso.local=contoso.com --upn-from-mail \
         --verified-domain contoso.com --register-suffix --forest-root DC=contoso,DC=local",
    ]
    .iter()
    .map(|s| {
        s.split_whitespace()
            .map(|a| a.replace("RULES", &rules))
            .collect()
    })
    .collect();
    let dir = tempfile::tempdir().unwrap();
    let (c, u) = (dir.path().join("c.ldf"), dir.path().join("u.ldf"));
    let mut samples = Vec::new();
    files_under(Path::new("testdata"), &mut samples);
    let mut verified: Vec<String> = Vec::new();
    let mut records_per_set = vec![0usize; sets.len()];
    for export in samples.iter().filter(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("ldf" | "ldif" | "csv")
        )
    }) {
        for (si, set) in sets.iter().enumerate() {
            for le in ["crlf", "lf"] {
                if fix(export, set, le, &c, &u).is_none() {
                    continue;
                }
                let line_end = if le == "crlf" {
                    LineEnd::CrLf
                } else {
                    LineEnd::Lf
                };
                let report = verify::verify(&options(&c, &u, export, line_end)).unwrap();
                let written = std::fs::read_to_string(&c).unwrap();
                // A fix with no change writes an empty pair, which has nothing to import
                // (verify says so): that one problem only.
                let nothing = !written.lines().any(|l| l.starts_with("dn:"));
                let problems: Vec<String> = report
                    .problems
                    .iter()
                    .filter(|p| {
                        !(nothing && p.message.contains("holds no record: nothing to import"))
                    })
                    .map(|p| p.to_string())
                    .collect();
                assert!(
                    problems.is_empty(),
                    "fix {export:?} {set:?} --line-ending {le}:\n{}",
                    problems.join("\n")
                );
                records_per_set[si] += written.lines().filter(|l| l.starts_with("dn:")).count();
                let name = export.display().to_string();
                if !verified.contains(&name) {
                    verified.push(name);
                }
            }
        }
    }
    for must in [
        "testdata/contoso-sample.ldf",
        "testdata/samba/planted.ldif",
        "testdata/csv/contoso-csvde.csv",
        "testdata/csv/contoso-csvde-u.csv",
        "testdata/csv/contoso-csvde.ldf",
        "testdata/csv/pwsh51-aduser.csv",
    ] {
        assert!(
            verified.iter().any(|v| v == must),
            "{must} not verified: {verified:?}"
        );
    }
    // Every option set changed something somewhere.
    assert!(
        records_per_set.iter().all(|&n| n > 0),
        "{records_per_set:?}"
    );
}

/// Write `bytes` to `path`.
fn put(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

/// Lines with their line ends.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

fn blank(line: &[u8]) -> bool {
    line.iter().all(|&b| b == b'\r' || b == b'\n')
}

/// A rich fix output (suffix registration, UPN rewrites, accepted fixes replacing
/// single values and proxy addresses value by value) cut after any line, or with any one
/// line removed, is not safe to import, in the change file as in the undo file — except
/// the cuts after the last record and the removal of an empty line before the first or
/// after the last record.
#[test]
fn fix_output_cut_short_or_missing_a_line_is_not_safe() {
    let dir = tempfile::tempdir().unwrap();
    let (c, u) = (dir.path().join("c.ldf"), dir.path().join("u.ldf"));
    let args: Vec<String> = [
        "--accept",
        &entra_rules(),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--register-suffix",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let export = Path::new(EXPORT);
    fix(export, &args, "crlf", &c, &u).expect("fix writes the pair");
    let changes = std::fs::read(&c).unwrap();
    let undo = std::fs::read(&u).unwrap();
    let text = String::from_utf8_lossy(&changes);
    for what in [
        "add: uPNSuffixes",
        "replace: userPrincipalName",
        "delete: proxyAddresses",
    ] {
        assert!(text.contains(what), "{what} not in:\n{text}");
    }
    assert!(is_safe(&c, &u, export, LineEnd::CrLf));

    let cut = dir.path().join("cut.ldf");
    // `file` is the change file (0) or the undo file (1); the other one stays whole.
    for (file, whole) in [(0, &changes), (1, &undo)] {
        let ls = lines(whole);
        let check = |bytes: &[u8], what: &str, may_pass: bool| {
            put(&cut, bytes);
            let safe = if file == 0 {
                is_safe(&cut, &u, export, LineEnd::CrLf)
            } else {
                is_safe(&c, &cut, export, LineEnd::CrLf)
            };
            assert!(
                may_pass || !safe,
                "{} {what} is safe to import:\n{}",
                ["change file", "undo file"][file],
                String::from_utf8_lossy(bytes)
            );
        };
        for k in 0..ls.len() {
            let complete = ls[k..].iter().all(|l| blank(l));
            check(&ls[..k].concat(), &format!("cut after line {k}"), complete);
        }
        for i in 0..ls.len() {
            let rest: Vec<&[u8]> = ls
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, l)| *l)
                .collect();
            let edge = blank(ls[i]) && (i == 0 || ls[i + 1..].iter().all(|l| blank(l)));
            check(&rest.concat(), &format!("without line {}", i + 1), edge);
        }
    }
}

/// Every byte prefix of a small fix output (ldifde and ldapmodify dialects) with its
/// whole undo file: safe only once the last record is whole (`-` written), and then only
/// if the cut is not between a CR and its LF.
#[test]
fn every_byte_prefix_of_a_change_file() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("x.ldf");
    put(
        &x,
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: ann\n\
userPrincipalName: ann@contoso.local\n\ndn: CN=Bob,OU=Staff,DC=contoso,DC=local\n\
objectClass: user\nsAMAccountName: bob\nuserPrincipalName: bob@contoso.local\n",
    );
    let (c, u) = (dir.path().join("c.ldf"), dir.path().join("u.ldf"));
    let cut = dir.path().join("cut.ldf");
    let args = vec![
        "--upn-suffix".to_string(),
        "contoso.local=contoso.com".into(),
    ];
    for (le, line_end) in [("crlf", LineEnd::CrLf), ("lf", LineEnd::Lf)] {
        fix(&x, &args, le, &c, &u).expect("fix writes the pair");
        let whole = std::fs::read(&c).unwrap();
        let last_dash = whole.iter().rposition(|&b| b == b'-').unwrap();
        for n in 0..=whole.len() {
            put(&cut, &whole[..n]);
            let safe = is_safe(&cut, &u, &x, line_end);
            let expected = n > last_dash && !whole[..n].ends_with(b"\r");
            assert_eq!(
                safe,
                expected,
                "{le}: the first {n} bytes:\n{}",
                String::from_utf8_lossy(&whole[..n])
            );
        }
    }
}
