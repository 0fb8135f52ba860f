//! What every command may write, checked before any work: never a file it reads (exports,
//! CSVs, update files, `--tld-list`, `--verified-domains`; by any name: `./x`, a symbolic
//! link), never one file for two outputs (line maps and per-input files included), never
//! `-`; each refusal exits 2, leaves every file as it was and writes nothing. And when an
//! output cannot be written (a full disk), the error names it and no output is left.

use std::path::PathBuf;

use assert_cmd::Command;

const EXPORT: &str = "dn: CN=Ann,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: ann
userPrincipalName: ann@contoso.local

dn: CN=Bob,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: bob
userPrincipalName: bob@contoso.local
";

const SUFFIX: [&str; 2] = ["--upn-suffix", "contoso.local=contoso.com"];

/// A directory the commands run in, holding the export `x.ldf`, the list files `tld.txt`
/// and `vd.txt`, an edited CSV `edit.csv`, an IdFix update file `update.ldf` and a
/// symbolic link `link.ldf` to the export.
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        let d = Dir {
            dir: tempfile::tempdir().unwrap(),
        };
        d.write("x.ldf", EXPORT);
        d.write("tld.txt", "com\nlocal\n");
        d.write("vd.txt", "contoso.com\n");
        d.write(
            "edit.csv",
            "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,ACTION\r\n\
             \"CN=Ann,OU=Staff,DC=contoso,DC=local\",Ann,user,userPrincipalName,topleveldomain,ann@contoso.local,ann@contoso.com,EDIT\r\n",
        );
        d.write(
            "update.ldf",
            "distinguishedName: CN=Ann,OU=Staff,DC=contoso,DC=local\r\nobjectClass: user\r\n\
             attribute: sAMAccountName\r\nerror: Character\r\nvalue: a nn\r\nupdate: ann\r\n\
             action: Edit\r\n-\r\n\r\n",
        );
        #[cfg(unix)]
        std::os::unix::fs::symlink("x.ldf", d.p("link.ldf")).unwrap();
        d
    }
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn write(&self, name: &str, content: &str) {
        std::fs::write(self.p(name), content).unwrap();
    }
    /// Every file of the directory (symbolic links as their target's text) with its
    /// bytes, sorted by name.
    fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                let bytes = match std::fs::read_link(e.path()) {
                    Ok(target) => target.to_string_lossy().into_owned().into_bytes(),
                    Err(_) => std::fs::read(e.path()).unwrap_or_default(),
                };
                (name, bytes)
            })
            .collect();
        v.sort();
        v
    }
    fn names(&self) -> Vec<String> {
        self.files().into_iter().map(|(n, _)| n).collect()
    }
    /// `ldifix ARGS` in the directory: exit status, stdout, stderr.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let o = Command::cargo_bin("ldifix")
            .unwrap()
            .current_dir(self.dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
    /// `ldifix ARGS` must be refused with exit 2 and the usage error `message`, before
    /// any work (nothing on stdout), leaving every file byte for byte as it was and
    /// writing none.
    fn refused(&self, args: &[&str], message: &str) {
        let before = self.files();
        let (code, out, err) = self.run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert_eq!(err, format!("ldifix: {message}\n"), "{args:?}");
        assert_eq!(out, "", "{args:?}: no work was done");
        assert_eq!(
            self.files(),
            before,
            "{args:?}: files unchanged, none written"
        );
    }
}

fn is_input(name: &str) -> String {
    format!("{name} is an input; outputs never overwrite inputs")
}

#[test]
fn scan_never_writes_over_what_it_reads() {
    let d = Dir::new();
    for opt in ["--json", "--csv", "--html"] {
        for force in [false, true] {
            let f: &[&str] = if force { &["--force"] } else { &[] };
            for name in ["x.ldf", "./x.ldf", "link.ldf"] {
                let args = [&["scan", "x.ldf", opt, name, "-q"], f].concat();
                d.refused(&args, &is_input(name));
            }
            let args = [
                &["scan", "x.ldf", "--tld-list", "tld.txt", opt, "tld.txt"],
                f,
            ]
            .concat();
            d.refused(&args, &is_input("tld.txt"));
            let args = [
                &[
                    "scan",
                    "x.ldf",
                    "--verified-domains",
                    "vd.txt",
                    opt,
                    "vd.txt",
                ],
                f,
            ]
            .concat();
            d.refused(&args, &is_input("vd.txt"));
            // The input is refused even among other outputs, through its absolute path.
            let abs = d.p("x.ldf").display().to_string();
            let other = if opt == "--csv" { "--json" } else { "--csv" };
            let args = [&["scan", "x.ldf", other, "r.out", opt, &abs], f].concat();
            d.refused(&args, &is_input(&abs));
        }
    }
    // Standard input is no file: it is no input an output could overwrite.
    let o = Command::cargo_bin("ldifix")
        .unwrap()
        .current_dir(d.dir.path())
        .args(["scan", "-", "--json", "r.json", "-q"])
        .write_stdin(EXPORT)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "findings: {o:?}");
    assert!(d.p("r.json").is_file());
}

#[test]
fn fix_apply_csv_and_verify_never_write_over_what_they_read() {
    let d = Dir::new();
    let fix = |extra: &[&str]| -> Vec<String> {
        ["fix", "x.ldf", SUFFIX[0], SUFFIX[1]]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--tld-list", "tld.txt", "-o", "tld.txt", "--undo", "u.ldf"],
            "tld.txt",
        ),
        (
            vec![
                "--tld-list",
                "tld.txt",
                "-o",
                "c.ldf",
                "--undo",
                "./tld.txt",
            ],
            "./tld.txt",
        ),
        (
            vec![
                "--verified-domains",
                "vd.txt",
                "-o",
                "c.ldf",
                "--undo",
                "u.ldf",
                "--report",
                "vd.txt",
            ],
            "vd.txt",
        ),
        (vec!["-o", "c.ldf", "--undo", "link.ldf"], "link.ldf"),
    ];
    for (extra, name) in &cases {
        for force in [&[][..], &["--force"][..]] {
            let args = fix(&[&extra[..], force].concat());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            d.refused(&args, &is_input(name));
        }
    }
    // A list file named like a line map: the map would overwrite it.
    d.write("c.ldf.map.csv", "com\n");
    let args = fix(&[
        "--tld-list",
        "c.ldf.map.csv",
        "-o",
        "c.ldf",
        "--undo",
        "u.ldf",
        "--force",
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    d.refused(&args, &is_input("c.ldf.map.csv"));
    std::fs::remove_file(d.p("c.ldf.map.csv")).unwrap();

    // apply-csv reads the edited CSV, the update files, the exports and the list files.
    for (out, name) in [
        (["-o", "edit.csv", "--undo", "u.ldf"], "edit.csv"),
        (["-o", "c.ldf", "--undo", "update.ldf"], "update.ldf"),
        (["-o", "c.ldf", "--undo", "./x.ldf"], "./x.ldf"),
        (["-o", "tld.txt", "--undo", "u.ldf"], "tld.txt"),
    ] {
        let args = [
            &[
                "apply-csv",
                "edit.csv",
                "--idfix-update",
                "update.ldf",
                "--source",
                "x.ldf",
                "--tld-list",
                "tld.txt",
                "--force",
            ][..],
            &out[..],
        ]
        .concat();
        d.refused(&args, &is_input(name));
    }

    // verify: without --force too, the answer is that the file is an input, not a hint
    // to replace it.
    for force in [&[][..], &["--force"][..]] {
        let args = [
            &[
                "verify",
                "update.ldf",
                "--against",
                "x.ldf",
                "--json",
                "x.ldf",
            ][..],
            force,
        ]
        .concat();
        d.refused(&args, &is_input("x.ldf"));
    }
}

#[test]
fn outputs_sharing_a_file_are_refused_before_any_work() {
    let d = Dir::new();
    let fix = |extra: &[&str]| -> Vec<String> {
        ["fix", "x.ldf", SUFFIX[0], SUFFIX[1]]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    let refused = |extra: &[&str], message: &str| {
        let args = fix(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        d.refused(&args, message);
    };
    // The undo file named like the change file's line map: the map would replace it.
    refused(
        &["-o", "c.ldf", "--undo", "c.ldf.map.csv", "--force"],
        "c.ldf.map.csv is named for two outputs: --undo and the line map of c.ldf",
    );
    // The report named like a line map: refused at once, not after writing the others.
    refused(
        &[
            "-o",
            "c.ldf",
            "--undo",
            "u.ldf",
            "--report",
            "u.ldf.map.csv",
        ],
        "u.ldf.map.csv is named for two outputs: the line map of u.ldf and --report",
    );
    refused(
        &["-o", "c.ldf", "--undo", "./c.ldf", "--force"],
        "c.ldf and ./c.ldf are the same file, named for two outputs: -o and --undo",
    );
    // Through a symbolic link to the directory.
    #[cfg(unix)]
    {
        std::fs::create_dir(d.p("out")).unwrap();
        std::os::unix::fs::symlink("out", d.p("via")).unwrap();
        refused(
            &[
                "-o",
                "out/c.ldf",
                "--undo",
                "u.ldf",
                "--report",
                "via/c.ldf",
            ],
            "out/c.ldf and via/c.ldf are the same file, named for two outputs: -o and --report",
        );
    }
    // Before the "exists" check: --force would not help.
    d.write("r.csv", "keep me");
    refused(
        &["-o", "c.ldf", "--undo", "r.csv", "--report", "r.csv"],
        "r.csv is named for two outputs: --undo and --report",
    );
    // --per-input: every per-input file counts.
    d.write("a.ldf", EXPORT);
    d.write("b.ldf", &EXPORT.replace("contoso", "fabrikam"));
    d.refused(
        &[
            "fix",
            "a.ldf",
            "b.ldf",
            SUFFIX[0],
            SUFFIX[1],
            "--per-input",
            "-o",
            "c.ldf",
            "--undo",
            "u.ldf",
            "--report",
            "u.b.ldf",
        ],
        "u.b.ldf is named for two outputs: --undo for b.ldf and --report",
    );
    d.refused(
        &[
            "apply-csv",
            "edit.csv",
            "--source",
            "x.ldf",
            "-o",
            "c.ldf",
            "--undo",
            "c.ldf.map.csv",
            "--force",
        ],
        "c.ldf.map.csv is named for two outputs: --undo and the line map of c.ldf",
    );
    d.refused(
        &["scan", "x.ldf", "--json", "r.json", "--html", "./r.json"],
        "r.json and ./r.json are the same file, named for two outputs: --json and --html",
    );
    // generate: the truth never replaces the export, not even with --force.
    d.write("t.out", "keep me");
    for truth in ["t.out", "./t.out"] {
        let message = if truth == "t.out" {
            "t.out is named for two outputs: -o and --truth".to_string()
        } else {
            "t.out and ./t.out are the same file, named for two outputs: -o and --truth".to_string()
        };
        d.refused(
            &[
                "generate", "--users", "10", "-q", "-o", "t.out", "--truth", truth, "--force",
            ],
            &message,
        );
    }
    // Different names still work, and give every output.
    let before = d.names();
    let (code, out, err) = d.run(
        &fix(&["-o", "c.ldf", "--undo", "u.ldf", "--report", "r.json"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, 0, "{out}{err}");
    let mut expected = before;
    expected
        .extend(["c.ldf", "c.ldf.map.csv", "r.json", "u.ldf", "u.ldf.map.csv"].map(String::from));
    expected.sort();
    assert_eq!(d.names(), expected);
}

#[test]
fn dash_is_no_output() {
    let d = Dir::new();
    let message = |opt: &str| {
        format!("{opt} -: outputs are written to files, not to standard output; give a file name")
    };
    let fix = ["fix", "x.ldf", SUFFIX[0], SUFFIX[1]];
    d.refused(
        &[&fix[..], &["-o", "-", "--undo", "u.ldf"]].concat(),
        &message("-o"),
    );
    d.refused(
        &[&fix[..], &["-o", "c.ldf", "--undo", "-"]].concat(),
        &message("--undo"),
    );
    d.refused(
        &[
            &fix[..],
            &["-o", "c.ldf", "--undo", "u.ldf", "--report", "-"],
        ]
        .concat(),
        &message("--report"),
    );
    d.refused(
        &[&fix[..], &["--per-input", "-o", "-", "--undo", "u.ldf"]].concat(),
        &message("-o"),
    );
    d.refused(
        &[
            "apply-csv",
            "edit.csv",
            "--source",
            "x.ldf",
            "-o",
            "-",
            "--undo",
            "u.ldf",
        ],
        &message("-o"),
    );
    for opt in ["--json", "--csv", "--html"] {
        d.refused(&["scan", "x.ldf", opt, "-"], &message(opt));
    }
    d.refused(
        &["verify", "update.ldf", "--against", "x.ldf", "--json", "-"],
        &message("--json"),
    );
    d.refused(&["generate", "--users", "10", "-o", "-"], &message("-o"));
    d.refused(
        &["generate", "--users", "10", "-o", "g.ldf", "--truth", "-"],
        &message("--truth"),
    );
    // --dry-run writes nothing, so it names no output.
    let (code, out, _) = d.run(&[&fix[..], &["--dry-run"]].concat());
    assert_eq!(code, 0, "{out}");
    assert!(!d.p("-").exists());
}

/// Write errors, made by a limit on the size of the files the process writes.
#[cfg(target_os = "linux")]
mod write_errors {
    use super::*;
    use std::path::Path;

    /// Run `ldifix ARGS` in `dir` with the largest file it may write limited to `limit`
    /// bytes (SIGXFSZ ignored, so a write past it fails with EFBIG as one on a full disk
    /// fails with ENOSPC): exit status and stderr.
    fn run_limited(dir: &Path, limit: u64, args: &[&str]) -> (i32, String) {
        let o = std::process::Command::new("bash")
            .current_dir(dir)
            .arg("-c")
            // bash counts the limit in KiB.
            .arg(format!(
                "trap '' XFSZ; ulimit -f {}; exec \"$@\"",
                limit / 1024
            ))
            .arg("bash")
            .arg(assert_cmd::cargo::cargo_bin("ldifix"))
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    fn size(p: &Path) -> u64 {
        std::fs::metadata(p).unwrap().len()
    }

    #[test]
    fn an_output_that_cannot_be_written_is_named_and_no_output_is_left() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        let ldifix = |args: &[&str]| {
            let o = Command::cargo_bin("ldifix")
                .unwrap()
                .current_dir(dir)
                .args(args)
                .output()
                .unwrap();
            assert!(o.status.code().unwrap_or(-1) < 2, "{args:?}: {o:?}");
        };
        ldifix(&[
            "generate",
            "--users",
            "3000",
            "--local-upn-share",
            "0.9",
            "-q",
            "-o",
            "big.ldf",
        ]);
        // Every name in the directory, temporary files (`.NAME.*.tmp`) included.
        let names = |dir: &Path| {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let clean = names(dir);

        // generate: the export is larger than the limit.
        let (code, err) = run_limited(
            dir,
            64 << 10,
            &["generate", "--users", "3000", "-q", "-o", "g.ldf"],
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.starts_with("ldifix: cannot write g.ldf: "), "{err}");
        assert!(err.contains("(os error 27)"), "{err}");
        assert_eq!(names(dir), clean);

        // fix: the report is the largest output, and the last written; the change and
        // undo files fit. None of them may be left.
        let fix = [
            "fix",
            "big.ldf",
            "-q",
            "--upn-suffix",
            "contoso.local=contoso.com",
            "-o",
            "c.ldf",
            "--undo",
            "u.ldf",
            "--report",
            "r.json",
        ];
        ldifix(&fix);
        let largest = ["c.ldf", "u.ldf", "c.ldf.map.csv", "u.ldf.map.csv"]
            .map(|n| size(&dir.join(n)))
            .into_iter()
            .max()
            .unwrap();
        let report = size(&dir.join("r.json"));
        assert!(report > largest + 8192, "{report} > {largest}");
        for n in ["c.ldf", "u.ldf", "c.ldf.map.csv", "u.ldf.map.csv", "r.json"] {
            std::fs::remove_file(dir.join(n)).unwrap();
        }
        let (code, err) = run_limited(dir, largest + 4096, &fix);
        assert_eq!(code, 2, "{err}");
        assert!(err.starts_with("ldifix: cannot write r.json: "), "{err}");
        assert_eq!(names(dir), clean);

        // scan: the first report written, --json, fails.
        let scan = [
            "scan", "big.ldf", "-q", "--json", "s.json", "--html", "s.html", "--csv", "s.csv",
        ];
        let (code, err) = run_limited(dir, 64 << 10, &scan);
        assert_eq!(code, 2, "{err}");
        assert!(err.starts_with("ldifix: cannot write s.json: "), "{err}");
        assert_eq!(names(dir), clean);
    }
}
