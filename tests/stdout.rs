//! Standard output that cannot be written. A reader that went away (`ldifix dump x |
//! head -1`) ends the commands whose product is what they print quietly with status 0,
//! and only stops the printing of the others, whose status and files stay what they
//! would have been. A full device is an error naming standard output (status 2).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/contoso-sample.ldf");

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("ldifix")
}

/// Run `ldifix ARGS` with its stdout a pipe whose reader is closed as soon as the
/// process starts, long before it has anything to print.
fn with_closed_stdout(args: &[&str]) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A generated export whose dump is megabytes: more than any pipe holds.
fn large_export(dir: &Path) -> String {
    let p = dir.join("g.ldf");
    let p = p.to_str().unwrap();
    let o = run(&["generate", "--users", "2000", "--seed", "3", "-q", "-o", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    p.to_owned()
}

#[test]
fn a_closed_pipe_ends_the_printing_commands_quietly_with_status_0() {
    let dir = tempfile::tempdir().unwrap();
    let export = large_export(dir.path());
    for args in [
        &["dump", export.as_str()][..],
        &["rules"],
        &["rules", "--json"],
        &["man"],
        &["completions", "bash"],
        &["generate", "--list-kinds"],
    ] {
        let o = with_closed_stdout(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
}

#[test]
fn a_closed_pipe_keeps_the_status_of_scan_and_verify() {
    // Findings: 1, with or without a reader.
    let o = with_closed_stdout(&["scan", EXPORT]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    // A change file that is not safe to import is not made safe by a closed pipe.
    let dir = tempfile::tempdir().unwrap();
    let changes = dir.path().join("c.ldf");
    std::fs::write(
        &changes,
        "\r\ndn: CN=Nobody,OU=Staff,OU=Contoso,DC=contoso,DC=local\r\nchangetype: modify\r\nreplace: mail\r\nmail: nobody@contoso.com\r\n-\r\n\r\n",
    )
    .unwrap();
    let changes = changes.to_str().unwrap();
    let o = run(&["verify", changes, "--against", EXPORT]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = with_closed_stdout(&["verify", changes, "--against", EXPORT]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_closed_pipe_does_not_stop_fix_from_writing_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    // The same run into two directories: its summary read, then not.
    let fix = |name: &str| -> (PathBuf, Vec<String>) {
        let d = dir.path().join(name);
        std::fs::create_dir(&d).unwrap();
        let at = |f: &str| d.join(f).to_str().unwrap().to_owned();
        let args = ["fix", EXPORT, "--upn-suffix", "contoso.local=contoso.com"]
            .map(str::to_owned)
            .into_iter()
            .chain(
                ["-o", "--undo", "--report"]
                    .into_iter()
                    .zip(["c.ldf", "u.ldf", "r.csv"])
                    .flat_map(|(o, f)| [o.to_owned(), at(f)]),
            )
            .collect();
        (d, args)
    };
    let (seen_dir, args) = fix("seen");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let seen = run(&args);
    assert!(!seen.stdout.is_empty());
    let (unseen_dir, args) = fix("unseen");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let unseen = with_closed_stdout(&args);
    assert_eq!(
        unseen.status.code(),
        seen.status.code(),
        "{}",
        stderr(&unseen)
    );
    assert_eq!(stderr(&unseen), stderr(&seen));
    for name in ["c.ldf", "u.ldf", "c.ldf.map.csv", "u.ldf.map.csv", "r.csv"] {
        let a = std::fs::read(seen_dir.join(name)).unwrap();
        let b = std::fs::read(unseen_dir.join(name)).unwrap();
        assert!(a == b, "{name} differs");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_device_is_an_error_naming_standard_output() {
    for args in [
        &["dump", EXPORT][..],
        &["rules"],
        &["man"],
        &["completions", "zsh"],
        &["generate", "--list-kinds"],
        &["scan", EXPORT],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = Command::new(bin())
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            "ldifix: cannot write to standard output: No space left on device\n",
            "{args:?}"
        );
    }
}
