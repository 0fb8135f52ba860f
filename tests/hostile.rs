//! Malformed and hostile inputs (testdata/hostile/): exit status 2 or a clean result, a
//! message naming the file and line, never a panic, and memory bounded by the limits.

use std::io::Write;
use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn hostile(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/hostile")
        .join(name)
}

fn dump(path: &std::path::Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("ldifix")
        .unwrap()
        .arg("dump")
        .arg(path)
        .assert()
}

#[test]
fn truncated_export_names_file_and_line() {
    dump(&hostile("truncated.ldf"))
        .code(2)
        .stderr(predicate::str::contains(
            "truncated.ldf:4: expected ':' after attribute name \"objectCla\"",
        ));
}

#[test]
fn truncated_change_file_warns_at_its_line() {
    dump(&hostile("truncated-modify.ldf"))
        .code(0)
        .stderr(predicate::str::contains(
            "truncated-modify.ldf:10: warning: modification not closed by '-'",
        ));
}

#[test]
fn nul_byte_is_kept_as_data() {
    dump(&hostile("nul-byte.ldf"))
        .code(0)
        .stdout(predicate::str::contains(r#"["cn","a\u0000b"]"#));
}

#[test]
fn invalid_utf8_is_kept_as_bytes() {
    dump(&hostile("invalid-utf8.ldf"))
        .code(0)
        .stdout(predicate::str::contains(r#"["cn",{"base64":"Y2Fm6Q=="}]"#))
        .stdout(predicate::str::contains(r#"["sn",{"base64":"//4="}]"#));
}

#[test]
fn invalid_base64_names_file_and_line() {
    dump(&hostile("invalid-base64.ldf"))
        .code(2)
        .stderr(predicate::str::contains(
            "invalid-base64.ldf:3: invalid base64 value after \"objectGUID::\"",
        ));
}

#[test]
fn odd_length_utf16_is_an_error_not_a_replacement() {
    dump(&hostile("odd-utf16.ldf"))
        .code(2)
        .stderr(predicate::str::contains(
            "odd-utf16.ldf:2: malformed UTF-16: odd number of bytes",
        ))
        .stdout(predicate::str::is_empty());
}

#[test]
fn only_comments_and_empty_files_have_no_records() {
    for f in ["only-comments.ldf", "empty.ldf"] {
        dump(&hostile(f)).code(0).stdout(predicate::str::is_empty());
    }
}

#[test]
fn cr_inside_base64_values_is_preserved() {
    dump(&hostile("cr-in-base64.ldf"))
        .code(0)
        .stdout(predicate::str::contains(
            r#"["description","line1\rline2\r\n"]"#,
        ))
        .stdout(predicate::str::contains(
            r#"["userPrincipalName","car@contoso.com\r"]"#,
        ));
}

#[test]
fn dn_with_every_escape_is_kept_exactly() {
    dump(&hostile("dn-escapes.ldf")).code(0).stdout(predicate::str::contains(
        r#""dn":"CN=Esc\\, \\+ \\\" \\\\ \\# \\< \\> \\; \\= \\0ACNF:x \\20lead\\20,OU=\\E2\\82\\AC uro,DC=x""#,
    ));
}

#[test]
fn url_values_are_reported_never_opened() {
    dump(&hostile("url-values.ldf"))
        .code(0)
        .stdout(predicate::str::contains(
            r#"["jpegPhoto",{"url":"file:///etc/passwd"}]"#,
        ))
        .stdout(predicate::str::contains("root:").not());
}

#[test]
fn a_100_mb_line_is_refused_by_the_line_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long-line.ldf");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"dn: CN=Long,DC=x\ncn: Long\ndescription: ")
        .unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\n").unwrap();
    drop(f);
    dump(&path).code(2).stderr(predicate::str::contains(
        "long-line.ldf:3: limit exceeded: expected a line of at most 67108864 bytes",
    ));
    // A raised limit accepts it.
    Command::cargo_bin("ldifix")
        .unwrap()
        .args(["dump", "--max-line-bytes", "200000000"])
        .arg(&path)
        .assert()
        .code(0);
}

#[test]
fn a_million_values_on_one_attribute_parse_within_limits_and_a_lower_limit_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.ldf");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"dn: CN=Big Group,DC=x\nobjectClass: group\ncn: Big Group\n")
        .unwrap();
    for i in 0..1_000_000u32 {
        writeln!(f, "member: CN=U{i},DC=x").unwrap();
    }
    drop(f);
    Command::cargo_bin("ldifix")
        .unwrap()
        .args(["dump", "--max-values", "500000"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "million.ldf:500002: limit exceeded: expected at most 500000 values in one record",
        ));
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .arg("dump")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 1);
}

#[test]
fn keep_going_reports_every_bad_record_and_still_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.ldf");
    std::fs::write(
        &path,
        "dn: CN=A,DC=x\ncn: A\n\ndn: CN=B,DC=x\nbroken\n\ndn: CN=C,DC=x\ncn: C\n\nsn: orphan\n",
    )
    .unwrap();
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .args(["dump", "--keep-going"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "mixed.ldf:5: expected ':' after attribute name \"broken\" (record starting at line 4)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("mixed.ldf:10: expected a record starting with 'dn:'"),
        "{stderr}"
    );
}

/// Every hostile file through `scan`: exit status 2 naming the file, or findings — never a
/// clean bill of health for a file that is broken, and never a panic.
#[test]
fn scan_answers_every_hostile_file_with_exit_2_or_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(hostile(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ldf"))
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for f in files {
        let json = dir.path().join("out.json");
        let out = Command::cargo_bin("ldifix")
            .unwrap()
            .arg("scan")
            .arg(&f)
            .args(["--quiet", "--force", "--json"])
            .arg(&json)
            .output()
            .unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(2) => assert!(stderr.contains(&name), "{name}: {stderr}"),
            Some(1) => {
                let doc: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
                assert!(!doc["findings"].as_array().unwrap().is_empty(), "{name}");
            }
            other => panic!("{name}: exit {other:?}: {stderr}"),
        }
        let _ = std::fs::remove_file(&json);
    }
}

#[test]
fn a_group_with_a_million_members_is_a_count_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.ldf");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"dn: CN=Big Group,DC=x\nobjectClass: top\nobjectClass: group\ncn: Big Group\nsAMAccountName: big\ngroupType: -2147483646\n").unwrap();
    for i in 0..1_000_000u32 {
        writeln!(f, "member: CN=U{i},DC=x").unwrap();
    }
    drop(f);
    let json = dir.path().join("out.json");
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .arg("scan")
        .arg(&path)
        .args(["--quiet", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let counts: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["errors"].as_array().unwrap().iter().any(|e| e == "Count"))
        .collect();
    assert_eq!(counts.len(), 1, "{doc}");
    assert_eq!(counts[0]["attribute"], "member");
}

/// An export carried out of the domain compressed is named as such, with the command that
/// opens it, at line 1, by every command (exit 2, nothing on stdout).
#[test]
fn compressed_export_names_its_format_and_the_command_that_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("export.ldf.gz");
    // A gzip member header (magic, deflate, no flags) and some deflated bytes.
    std::fs::write(
        &gz,
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x49\xb3\x52\x48\x06\x00",
    )
    .unwrap();
    for args in [
        vec!["dump"],
        vec!["scan"],
        vec!["fix", "--upn-suffix", "a.local=a.com", "--dry-run"],
    ] {
        Command::cargo_bin("ldifix")
            .unwrap()
            .args(&args[..1])
            .arg(&gz)
            .args(&args[1..])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(
                "export.ldf.gz:1: a gzip file, not an export: decompress it first (gunzip -k ",
            ));
    }
}

#[test]
fn malformed_utf16_spoils_only_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u16.ldf");
    let mut v = vec![0xFF, 0xFE];
    let units = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    v.extend(units(
        "dn: CN=A,DC=x\r\ncn: a\r\n\r\ndn: CN=B,DC=x\r\ncn: b",
    ));
    v.extend(0xD800u16.to_le_bytes());
    v.extend(units("\r\n\r\ndn: CN=C,DC=x\r\ncn: c\r\n"));
    std::fs::write(&path, v).unwrap();
    let msg = "u16.ldf:5: malformed UTF-16: unpaired surrogate 0xD800";
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("ldifix")
            .unwrap()
            .args(args)
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(stderr.contains(msg), "{args:?}: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    };
    // Without --keep-going: the record before is printed, then the error.
    let stdout = run(&["dump"]);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("CN=A,DC=x"));
    // With it: A and C, the error for B.
    let stdout = run(&["dump", "--keep-going"]);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("CN=A,DC=x") && stdout.contains("CN=C,DC=x"));
    assert!(!stdout.contains("CN=B,DC=x"));
    // scan --keep-going reads A and C and reports B.
    let stdout = run(&["scan", "--keep-going"]);
    assert!(stdout.contains("(1 invalid, skipped)"), "{stdout}");
}

/// Control characters in the input (NUL, ESC of a terminal escape sequence, BEL, DEL)
/// reach the terminal escaped when an error quotes them, from LDIF and CSV alike.
#[test]
fn error_messages_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    for (name, content, quoted) in [
        (
            "bad.ldf",
            &b"dn: CN=a,DC=x\nob\x1b]0;owned\x07ject\x7f: x\n"[..],
            "\"ob\\u{1b}]0;owned\\u{7}ject\\u{7f}\"",
        ),
        (
            "bad-change.ldf",
            b"dn: CN=a,DC=x\nchangetype: mod\0ify\x1b[2J\n",
            "unknown changetype \"mod\\u{0}ify\\u{1b}[2J\"",
        ),
        (
            "bad.csv",
            b"DN,cn\r\n\"CN=a\",a\r\n\"CN=b\x1b[2J\x7f,b\r\n",
            "found \"CN=b\\u{1b}[2J\\u{7f},b\"",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let out = Command::cargo_bin("ldifix")
            .unwrap()
            .arg("dump")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(quoted), "{name}: {stderr}");
        assert!(
            !stderr.chars().any(|c| c.is_ascii_control() && c != '\n'),
            "{name}: {stderr:?}"
        );
    }
}

#[test]
fn the_line_limit_applies_to_csv_inputs_and_to_a_huge_first_line() {
    let dir = tempfile::tempdir().unwrap();
    // A csvde export with one row longer than the limit.
    let csv = dir.path().join("long.csv");
    std::fs::write(
        &csv,
        format!(
            "DN,objectClass,description\r\n\"CN=a,DC=x\",user,short\r\n\"CN=b,DC=x\",user,{}\r\n",
            "d".repeat(500)
        ),
    )
    .unwrap();
    Command::cargo_bin("ldifix")
        .unwrap()
        .args(["scan", "-q", "--max-line-bytes", "200"])
        .arg(&csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "long.csv:3: limit exceeded: expected a line of at most 200 bytes (--max-line-bytes)",
        ));
    // A file that is one huge line (not LDIF, not CSV): the limit, whatever the format
    // detection makes of it.
    let blob = dir.path().join("blob.bin");
    std::fs::write(&blob, vec![b'A'; 3 << 20]).unwrap();
    for format in [None, Some("csvde"), Some("csv")] {
        let mut cmd = Command::cargo_bin("ldifix").unwrap();
        cmd.args(["scan", "-q", "--max-line-bytes", "100000"])
            .arg(&blob);
        if let Some(f) = format {
            cmd.args(["--input-format", f]);
        }
        cmd.assert().code(2).stderr(predicate::str::contains(
            "blob.bin:1: limit exceeded: expected a line of at most 100000 bytes",
        ));
    }
}

#[test]
fn dump_notes_a_search_cut_short_but_prints_its_records() {
    // dump-jsonl.md: a skipped block is a note, and the exit status stays 0; the note
    // says what the trailer means (scan and fix refuse such an export).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.ldif");
    std::fs::write(
        &path,
        "dn: cn=a,dc=x\ncn: a\n\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n",
    )
    .unwrap();
    dump(&path)
        .code(0)
        .stdout(predicate::str::contains("\"dn\":\"cn=a,dc=x\""))
        .stderr(predicate::str::contains(
            "cut.ldif:5: note: skipped a block without 'dn:' starting with 'search:'",
        ))
        .stderr(predicate::str::contains(
            "cut.ldif:6: note: the search that wrote this file ended with 'result: 4 Size limit exceeded', not 'result: 0 Success'",
        ));
}

#[test]
fn dump_of_a_file_without_records_says_so() {
    // Exit 0 (every record parsed: there were none), with a note instead of silence.
    dump(&hostile("empty.ldf"))
        .code(0)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "empty.ldf: note: no records (the file is empty, or holds only comments or a header)",
        ));
    dump(&hostile("only-comments.ldf"))
        .code(0)
        .stderr(predicate::str::contains(
            "only-comments.ldf: note: no records",
        ));
}

/// ldapsearch and ldbsearch end an export with a summary of what they wrote. An export
/// cut at a record boundary has none; one that lost records in between counts other
/// entries than it holds. scan, fix and verify --against refuse both (exit 2), naming
/// what is missing; scan --keep-going still writes its reports; dump only notes it. The
/// whole export, and the same export joined to itself, pass.
#[test]
fn ldapsearch_and_ldbsearch_exports_cut_at_a_record_boundary_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ldifix = || Command::cargo_bin("ldifix").unwrap();
    for (flavor, tool, summary_at) in [
        ("openldap", "ldapsearch", "\n# search result"),
        ("samba", "ldbsearch", "\n# returned "),
    ] {
        let whole = dir.path().join(format!("{flavor}.ldif"));
        ldifix()
            .args([
                "generate", "--flavor", flavor, "--users", "40", "--seed", "5", "-o",
            ])
            .arg(&whole)
            .assert()
            .success();
        let text = std::fs::read_to_string(&whole).unwrap();
        let records = text.matches("\ndn:").count() + usize::from(text.starts_with("dn:"));
        // Cut right after the last record, before the summary.
        let cut = dir.path().join(format!("{flavor}-cut.ldif"));
        std::fs::write(&cut, &text[..text.rfind(summary_at).unwrap() + 1]).unwrap();
        // One record taken out of the middle (from its dn: line to the next one).
        let at = text[text.len() / 2..].find("\ndn:").unwrap() + text.len() / 2 + 1;
        let next = text[at + 1..].find("\ndn:").unwrap() + at + 2;
        let mut lost = text.clone();
        lost.replace_range(at..next, "");
        let minus = dir.path().join(format!("{flavor}-minus.ldif"));
        std::fs::write(&minus, &lost).unwrap();
        let joined = dir.path().join(format!("{flavor}-joined.ldif"));
        // (`ldapsearch -L` starts with `version: 1`, which only the first line may hold.)
        let again = text.strip_prefix("version: 1\n").unwrap_or(&text);
        std::fs::write(&joined, format!("{text}\n{again}")).unwrap();

        for ok in [&whole, &joined] {
            ldifix()
                .args(["scan", "-q"])
                .arg(ok)
                .assert()
                .code(1)
                .stderr(predicate::str::contains("summary").not());
        }
        let cut_msg = format!("{flavor}-cut.ldif: the file ends without {tool}'s closing summary");
        let minus_msg =
            format!("{flavor}-minus.ldif: {tool}'s closing summary declares {records} entries");
        let holds = format!(
            "but the file holds {} record(s): records are missing",
            records - 1
        );
        ldifix()
            .args(["scan", "-q"])
            .arg(&cut)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(&cut_msg))
            .stderr(predicate::str::contains(format!(
                "cut short after {records} record(s)"
            )));
        ldifix()
            .args(["scan", "-q"])
            .arg(&minus)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(&minus_msg))
            .stderr(predicate::str::contains(&holds));
        // --keep-going reads what is there, and says so in the report.
        let json = dir.path().join(format!("{flavor}.json"));
        ldifix()
            .args(["scan", "-q", "--keep-going", "--json"])
            .arg(&json)
            .arg(&cut)
            .assert()
            .code(2);
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert!(report["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str().unwrap().contains(&cut_msg)));
        for bad in [&cut, &minus] {
            ldifix()
                .args([
                    "fix",
                    "--upn-suffix",
                    "contoso.com=fabrikam.com",
                    "--dry-run",
                ])
                .arg(bad)
                .assert()
                .code(2)
                .stderr(predicate::str::contains("closing summary"));
        }
        // verify --against the export the change file was made from.
        let (changes, undo) = (dir.path().join("c.ldf"), dir.path().join("u.ldf"));
        ldifix()
            .args([
                "fix",
                "--upn-suffix",
                "contoso.com=fabrikam.com",
                "--force",
                "-o",
            ])
            .arg(&changes)
            .arg("--undo")
            .arg(&undo)
            .arg(&whole)
            .assert()
            .code(predicate::in_iter([0, 1]));
        let verify = |export: &std::path::Path| {
            ldifix()
                .arg("verify")
                .arg(&changes)
                .arg("--undo")
                .arg(&undo)
                .arg("--against")
                .arg(export)
                .assert()
        };
        verify(&whole).code(predicate::in_iter([0, 1]));
        verify(&cut)
            .code(2)
            .stderr(predicate::str::contains(&cut_msg));
        dump(&cut).code(0).stderr(predicate::str::contains(format!(
            "{flavor}-cut.ldif: note: the file ends without {tool}'s closing summary"
        )));
        dump(&whole)
            .code(0)
            .stderr(predicate::str::contains("summary").not());
    }
}
