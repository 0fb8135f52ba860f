//! `ldifix scan` on many chunks and threads gives byte-identical results to a
//! single-threaded, single-chunk run: JSON, CSV, the terminal summary (but its timing
//! line), stderr and the exit status, in every profile and export flavour, for one and
//! several inputs, with and without invalid records.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

struct Run {
    code: i32,
    json: Vec<u8>,
    csv: Vec<u8>,
    stdout: String,
    stderr: String,
}

fn ldifix(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("ldifix")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn generate(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["generate", "-o", name, "--quiet"];
    args.extend_from_slice(extra);
    let out = ldifix(dir, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(name)
}

/// Scan `inputs` with `extra` options; `tag` names the output files.
fn scan(dir: &Path, inputs: &[&str], extra: &[&str], tag: &str) -> Run {
    let json = format!("{tag}.json");
    let csv = format!("{tag}.csv");
    let mut args = vec!["scan"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--json", &json, "--csv", &csv, "--force"]);
    args.extend_from_slice(extra);
    let out = ldifix(dir, &args);
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("Time:"))
        .map(|l| format!("{l}\n"))
        .collect();
    Run {
        code,
        json: std::fs::read(dir.join(&json)).unwrap_or_default(),
        csv: std::fs::read(dir.join(&csv)).unwrap_or_default(),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The reference (one thread, one chunk per input) against several chunkings and
/// thread counts; returns the reference.
fn same_everywhere(dir: &Path, inputs: &[&str], extra: &[&str]) -> Run {
    fn with<'s>(extra: &[&'s str], more: &[&'s str]) -> Vec<&'s str> {
        let mut v: Vec<&str> = extra.to_vec();
        v.extend_from_slice(more);
        v
    }
    let reference = scan(
        dir,
        inputs,
        &with(extra, &["--threads", "1", "--chunk-bytes", "1000000000"]),
        "ref",
    );
    for (i, more) in [
        &["--threads", "1", "--chunk-bytes", "4096"][..],
        &["--chunk-bytes", "4096"][..],
        &["--threads", "3", "--chunk-bytes", "777"][..],
        &[][..],
    ]
    .iter()
    .enumerate()
    {
        let got = scan(dir, inputs, &with(extra, more), &format!("run{i}"));
        let what = format!("{inputs:?} {extra:?} {more:?}");
        assert_eq!(got.code, reference.code, "{what}: {}", got.stderr);
        assert!(got.json == reference.json, "{what}: JSON differs");
        assert!(got.csv == reference.csv, "{what}: CSV differs");
        assert_eq!(got.stdout, reference.stdout, "{what}");
        assert_eq!(got.stderr, reference.stderr, "{what}");
    }
    reference
}

fn findings(run: &Run) -> usize {
    let doc: serde_json::Value = serde_json::from_slice(&run.json).unwrap();
    doc["findings"].as_array().unwrap().len()
}

fn collisions(run: &Run) -> usize {
    let doc: serde_json::Value = serde_json::from_slice(&run.json).unwrap();
    doc["collisions"].as_array().unwrap().len()
}

#[test]
fn many_chunks_and_threads_match_one_thread_in_every_profile() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    // Two domains generated from different seeds share many names: cross-file
    // collisions on top of the planted ones.
    generate(
        dir,
        "a.ldf",
        &["--users", "1500", "--seed", "3", "--defect-rate", "0.1"],
    );
    generate(
        dir,
        "b.ldf",
        &[
            "--users",
            "700",
            "--seed",
            "4",
            "--defect-rate",
            "0.1",
            "--domain",
            "contoso.local",
            "--domain",
            "fabrikam.local",
        ],
    );
    assert!(std::fs::metadata(dir.join("a.ldf")).unwrap().len() > 200 * 4096);
    for profile in ["entra", "idfix", "idfix-dedicated"] {
        let r = same_everywhere(dir, &["a.ldf", "b.ldf"], &["--profile", profile]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(findings(&r) > 100, "{profile}: {} findings", findings(&r));
        assert!(
            collisions(&r) > 10,
            "{profile}: {} collisions",
            collisions(&r)
        );
    }
    // OU filtering and verified domains ride along.
    let r = same_everywhere(
        dir,
        &["b.ldf", "a.ldf"],
        &[
            "--verified-domain",
            "contoso.com",
            "--exclude-ou",
            "OU=Europe,OU=Corp,DC=contoso,DC=local",
        ],
    );
    assert_eq!(r.code, 1);
}

#[test]
fn every_flavour_splits_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    for flavor in ["ldifde", "ldifde-unicode", "openldap", "samba"] {
        let name = format!("{flavor}.ldf");
        generate(
            dir,
            &name,
            &[
                "--users",
                "600",
                "--seed",
                "9",
                "--defect-rate",
                "0.2",
                "--flavor",
                flavor,
            ],
        );
        let r = same_everywhere(dir, &[&name], &[]);
        assert_eq!(r.code, 1, "{flavor}: {}", r.stderr);
        assert!(findings(&r) > 50);
    }
}

/// A valid user record.
fn user(i: usize) -> String {
    format!(
        "dn: CN=U{i},OU=Staff,DC=x,DC=com\nobjectClass: top\nobjectClass: person\n\
         objectClass: organizationalPerson\nobjectClass: user\ncn: U{i}\n\
         sAMAccountName: u{i}\nuserPrincipalName: u{}@x.com\nmail: u{i}@x.com\n\n",
        i % 50
    )
}

#[test]
fn invalid_records_are_reported_in_input_order() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let mut text = String::new();
    let mut bad_lines = Vec::new();
    for i in 0..400 {
        if i % 37 == 5 {
            bad_lines.push(text.lines().count() + 2);
            text += &format!("dn: CN=Bad{i},DC=x,DC=com\nno colon here\n\n");
        }
        text += &user(i);
    }
    std::fs::write(dir.join("bad.ldf"), &text).unwrap();
    std::fs::write(dir.join("good.ldf"), user(1000)).unwrap();

    // Without --keep-going: each input stops at its first invalid record.
    let r = same_everywhere(dir, &["good.ldf", "bad.ldf"], &[]);
    assert_eq!(r.code, 2);
    // One error line (followed by its hint line).
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("ldifix: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("\n  hint: "), "{}", r.stderr);
    assert!(
        errors[0].starts_with(&format!("ldifix: bad.ldf:{}:", bad_lines[0])),
        "{}",
        r.stderr
    );

    // With --keep-going: all of them, in input order, and the rest is scanned.
    let r = same_everywhere(dir, &["bad.ldf", "good.ldf"], &["--keep-going"]);
    assert_eq!(r.code, 2);
    let lines: Vec<usize> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("ldifix: bad.ldf:"))
        .filter_map(|l| l.split(':').next()?.parse().ok())
        .collect();
    assert_eq!(lines, bad_lines);
    assert!(collisions(&r) > 0);
}

#[test]
fn csv_inputs_are_one_chunk_and_collide_with_ldif_inputs() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let same = ["--users", "400", "--seed", "5", "--defect-rate", "0.1"];
    let mut a = same.to_vec();
    a.extend(["--flavor", "csvde"]);
    generate(dir, "f.csv", &a);
    generate(dir, "f.ldf", &same);
    // The same forest twice, the CSV copy moved to another container: every mail-enabled
    // object collides with its copy across the two inputs, so holders must be re-read
    // from the CSV input too. (Without the move, each copy is the same object exported
    // twice, which is no collision.)
    let csv = std::fs::read_to_string(dir.join("f.csv")).unwrap();
    assert!(csv.contains("DC=contoso,DC=local"));
    std::fs::write(
        dir.join("f.csv"),
        csv.replace("DC=contoso,DC=local", "DC=copy,DC=contoso,DC=local"),
    )
    .unwrap();
    let r = same_everywhere(dir, &["f.csv", "f.ldf"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&r.json).unwrap();
    let across = doc["collisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let files: Vec<&str> = c["holders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["file"].as_str().unwrap())
                .collect();
            files.contains(&"f.csv") && files.contains(&"f.ldf")
        })
        .count();
    assert!(across > 300, "{across} collisions across the inputs");
    assert!(doc["collisions"][0]["holders"][0]["dn"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
}
