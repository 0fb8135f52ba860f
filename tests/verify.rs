//! `ldifix verify` end to end against testdata/contoso-sample.ldf: a clean hand-made
//! change/undo pair passes, and every failure kind is reported at the right
//! `file:line` with exit status 1 (2 for unreadable input).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const EXPORT: &str = "testdata/contoso-sample.ldf";

fn ldifix() -> Command {
    Command::cargo_bin("ldifix").unwrap()
}

/// LF text → CRLF bytes.
fn crlf(s: &str) -> Vec<u8> {
    s.replace('\n', "\r\n").into_bytes()
}

/// The clean change file: three records (lines 2, 8, 14) touching William Torres' UPN and
/// telephone number, John Smith's mail (DN written with `\2C` and another case than the
/// export's `\,`), and Jose Alvarez's UPN (DN given semantically equal, lower case).
const CHANGES: &str = "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipalName
userPrincipalName: william.torres@contoso.com
-
replace: telephoneNumber
telephoneNumber: +1 555 0100
-

dn: cn=smith\\2C john, ou=staff, ou=contoso, dc=contoso, dc=local
changetype: modify
replace: mail
mail: john.smith2@contoso.com
-

dn: CN=Grace Hopper,OU=IT,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
delete: proxyAddresses
proxyAddresses: smtp:ghopper@contoso.mail.onmicrosoft.com
-
add: proxyAddresses
proxyAddresses: smtp:grace@contoso.com
-
";

/// Its exact undo (replace only, original bytes, absent telephoneNumber restored as
/// absent).
const UNDO: &str = "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipalName
userPrincipalName: william.torres@contoso.local
-
replace: telephoneNumber
-

dn: CN=Smith\\, John,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: mail
mail: john.smith@contoso.com
-

dn: CN=Grace Hopper,OU=IT,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: proxyAddresses
proxyAddresses: SMTP:grace.hopper@contoso.com
proxyAddresses: smtp:ghopper@contoso.mail.onmicrosoft.com
-
";

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Run verify; returns (exit status, stdout).
fn verify(changes: &Path, undo: Option<&Path>, extra: &[&str]) -> (i32, String) {
    let mut cmd = ldifix();
    cmd.arg("verify").arg(changes).arg("--against").arg(EXPORT);
    if let Some(u) = undo {
        cmd.arg("--undo").arg(u);
    }
    cmd.args(extra);
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The problem lines (`file:line: message`) of a run's stdout (not its warnings).
fn problems(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| !l.starts_with("verify:") && !l.contains(": warning: "))
        .collect()
}

/// Assert exactly one problem, at `name:line`, whose message contains `needle`.
fn assert_one(stdout: &str, name: &str, line: u64, needle: &str) {
    let p = problems(stdout);
    assert_eq!(p.len(), 1, "expected one problem, got:\n{stdout}");
    assert!(
        stdout.contains("verify: 1 problem ("),
        "the verdict counts one problem:\n{stdout}"
    );
    let prefix = format!("{name}:{line}: ");
    assert!(
        p[0].contains(&prefix) && p[0].contains(needle),
        "expected {prefix}…{needle}…, got:\n{stdout}"
    );
}

#[test]
fn clean_pair_passes() {
    let f = Fixture::new();
    let c = f.write("c.ldf", &crlf(CHANGES));
    let u = f.write("u.ldf", &crlf(UNDO));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(problems(&out).is_empty(), "{out}");
    assert!(out.contains("safe to import"), "{out}");
    assert!(out.contains("3 records (5 modifications)"), "{out}");
}

/// Two records replacing one object's UPN with different values: the import keeps the
/// later one, whatever was meant. The same change twice (a change file joined to itself)
/// is no conflict, and neither is a record changing another attribute of the object.
#[test]
fn one_attribute_replaced_twice_with_different_values_is_a_conflict() {
    let f = Fixture::new();
    let u = f.write("u.ldf", &crlf(UNDO));
    let again = "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipalName
userPrincipalName: w.torres@contoso.com
-
";
    // The clean file's records start at lines 2, 11 and 17 and it ends on line 24; the
    // added record starts after a blank line, at line 26.
    let c = f.write("c.ldf", &crlf(&format!("{CHANGES}{again}")));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c.ldf",
        26,
        "CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local: 'userPrincipalName' is replaced with 'w.torres@contoso.com' here and with 'william.torres@contoso.com' by the record at line 2: the import keeps the later value",
    );
    assert!(out.contains("(conflict 1)"), "{out}");

    let same = again.replace("w.torres@", "william.torres@");
    let other = "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: telephoneNumber
telephoneNumber: +1 555 0100
-
";
    let c = f.write("c2.ldf", &crlf(&format!("{CHANGES}{same}{other}")));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn unknown_dn_is_reported_at_its_record() {
    let f = Fixture::new();
    let text = CHANGES.replace(
        "dn: cn=smith\\2C john, ou=staff",
        "dn: cn=smith\\2C jon, ou=staff",
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 11, "no object with this DN");
}

#[test]
fn escaped_comma_is_not_a_separator() {
    // `CN=Smith, John` (two RDNs, the second no type=value) is not `CN=Smith\, John`.
    let f = Fixture::new();
    let text = CHANGES.replace("dn: cn=smith\\2C john,", "dn: cn=smith, john,");
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 11, "not a valid DN");
    // `CN=Smith,CN=John`: well-formed, and no object has it.
    let text = CHANGES.replace("dn: cn=smith\\2C john,", "dn: cn=smith,cn=john,");
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 11, "no object with this DN");
}

#[test]
fn lf_line_ends_need_the_lf_target() {
    let f = Fixture::new();
    let c = f.write("c.ldf", CHANGES.as_bytes());
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 1, "--line-ending lf");
    // For ldapmodify/ldbmodify the same file is right…
    let (code, out) = verify(&c, None, &["--line-ending", "lf"]);
    assert_eq!(code, 0, "{out}");
    // …and a CRLF one is not.
    let c2 = f.write("c2.ldf", &crlf(CHANGES));
    let (code, out) = verify(&c2, None, &["--line-ending", "lf"]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c2.ldf", 1, "CRLF");
}

#[test]
fn one_lf_line_in_a_crlf_file_is_named() {
    let f = Fixture::new();
    let mut b = crlf(CHANGES);
    // Line 5 ("-" closing the first mod-spec) loses its CR.
    let text = String::from_utf8(b.clone()).unwrap();
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    let l5 = lines[4].to_string() + "\n" + lines[5];
    lines.splice(4..6, [l5.as_str()]);
    b = lines.join("\r\n").into_bytes();
    let c = f.write("c.ldf", &b);
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 5, "LF, not CRLF");
}

#[test]
fn bom_is_reported() {
    let f = Fixture::new();
    let mut b = b"\xEF\xBB\xBF".to_vec();
    b.extend(crlf(CHANGES));
    let c = f.write("c.ldf", &b);
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 1, "byte-order mark");
}

#[test]
fn non_ascii_byte_is_reported_at_its_line() {
    let f = Fixture::new();
    let text = CHANGES.replace("mail: john.smith2@", "mail: jöhn.smith2@");
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 14, "non-ASCII byte 0xC3 at column 8");
}

#[test]
fn trailing_space_is_reported() {
    let f = Fixture::new();
    let text = CHANGES.replace("replace: mail\n", "replace: mail \n");
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 13, "trailing space");
}

#[test]
fn version_line_is_reported() {
    let f = Fixture::new();
    let text = format!("version: 1{CHANGES}");
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 1, "'version:' line");
}

#[test]
fn missing_dash_between_mod_specs_is_a_syntax_error() {
    let f = Fixture::new();
    // Drop the "-" of line 6: "replace: telephoneNumber" (now line 6) is read as a value
    // line of the userPrincipalName modification.
    let text = CHANGES.replacen(
        "contoso.com\n-\nreplace: tele",
        "contoso.com\nreplace: tele",
        1,
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 6, "expected '-'");
}

#[test]
fn missing_final_dash_is_reported_at_its_mod_spec() {
    let f = Fixture::new();
    let text = CHANGES.replace(
        "mail: john.smith2@contoso.com\n-\n",
        "mail: john.smith2@contoso.com\n",
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 13, "not closed by '-'");
}

#[test]
fn non_modify_records_are_reported() {
    let f = Fixture::new();
    let text = format!(
        "{CHANGES}
dn: CN=Mary Jones,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: delete
"
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 26, "changetype: delete");
}

#[test]
fn undo_value_not_matching_the_export() {
    let f = Fixture::new();
    let c = f.write("c.ldf", &crlf(CHANGES));
    // One byte differs in case: byte-for-byte comparison.
    let undo = UNDO.replace(
        "william.torres@contoso.local",
        "william.torres@Contoso.local",
    );
    let u = f.write("u.ldf", &crlf(&undo));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "u.ldf", 2, "'william.torres@contoso.local'");
}

#[test]
fn undo_that_removes_an_existing_attribute() {
    let f = Fixture::new();
    let c = f.write("c.ldf", &crlf(CHANGES));
    let undo = UNDO.replace(
        "replace: mail\nmail: john.smith@contoso.com\n",
        "replace: mail\n",
    );
    let u = f.write("u.ldf", &crlf(&undo));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "u.ldf", 10, "would remove the attribute");
}

#[test]
fn undo_must_cover_every_change() {
    let f = Fixture::new();
    let c = f.write("c.ldf", &crlf(CHANGES));
    let undo = UNDO.replace("replace: telephoneNumber\n-\n", "");
    let u = f.write("u.ldf", &crlf(&undo));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 2, "telephoneNumber is not restored");
}

/// The two users of the smallest export: their UPN suffix is what `fix` rewrites.
const TWO_USERS: &str = "dn: CN=Ann,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: ann
userPrincipalName: ann@contoso.local

dn: CN=Bob,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: bob
userPrincipalName: bob@contoso.local
";

/// Run `fix EXPORT ARGS -o changes.ldf --undo undo.ldf` in the fixture; returns the two
/// paths.
fn fix(f: &Fixture, export: &Path, args: &[&str]) -> (PathBuf, PathBuf) {
    let (c, u) = (f.path("changes.ldf"), f.path("undo.ldf"));
    let out = ldifix()
        .arg("fix")
        .arg(export)
        .args(args)
        .arg("-o")
        .arg(&c)
        .arg("--undo")
        .arg(&u)
        .args(["--force", "-q"])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    (c, u)
}

/// Run `verify CHANGES --against EXPORT [--undo UNDO] EXTRA`; returns (exit status,
/// stdout).
fn verify_against(
    changes: &Path,
    export: &Path,
    undo: Option<&Path>,
    extra: &[&str],
) -> (i32, String) {
    let mut cmd = ldifix();
    cmd.arg("verify").arg(changes).arg("--against").arg(export);
    if let Some(u) = undo {
        cmd.arg("--undo").arg(u);
    }
    let out = cmd.args(extra).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A change file cut after its first record, or empty, with the whole undo file: the undo
/// records without a change are reported at their line of the undo file.
#[test]
fn undo_records_without_a_change() {
    let f = Fixture::new();
    let x = f.write("x.ldf", TWO_USERS.as_bytes());
    let (c, u) = fix(&f, &x, &["--upn-suffix", "contoso.local=contoso.com"]);
    let (code, out) = verify_against(&c, &x, Some(&u), &[]);
    assert_eq!(code, 0, "{out}");

    // The last whole record cut off (lines 8 to 13 of 13).
    let whole = std::fs::read(&c).unwrap();
    let first: Vec<u8> = whole
        .split_inclusive(|&b| b == b'\n')
        .take(7)
        .flatten()
        .copied()
        .collect();
    let cut = f.write("cut.ldf", &first);
    let j = f.path("v.json");
    let (code, out) = verify_against(&cut, &x, Some(&u), &["--json", j.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "undo.ldf",
        8,
        "CN=Bob,OU=Staff,DC=contoso,DC=local: undo record without a change: expected a record for this object in ",
    );
    assert!(out.contains("NOT safe to import"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&j).unwrap()).unwrap();
    assert_eq!(v["summary"]["by_kind"]["undo-extra"], 1);
    assert_eq!(v["problems"][0]["kind"], "undo-extra");
    assert_eq!(v["problems"][0]["line"], 8);
    assert!(v["problems"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("undo.ldf"));

    // An empty change file: itself (ldifde refuses it), then every undo record.
    let empty = f.write("empty.ldf", b"");
    let (code, out) = verify_against(&empty, &x, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    let p = problems(&out);
    assert_eq!(p.len(), 3, "{out}");
    assert!(
        p[0].contains("empty.ldf:1: the change file holds no record"),
        "{out}"
    );
    assert!(p[1].contains("undo.ldf:2: CN=Ann"), "{out}");
    assert!(p[2].contains("undo.ldf:8: CN=Bob"), "{out}");
}

/// A change file with no record at all (empty, a blank line, only a comment) is not safe
/// to import: ldifde fails on it, and a failed copy leaves one.
#[test]
fn a_change_file_without_records_is_not_safe() {
    let f = Fixture::new();
    let x = f.write("x.ldf", TWO_USERS.as_bytes());
    for (name, bytes) in [
        ("empty.ldf", &b""[..]),
        ("blank.ldf", b"\r\n"),
        ("comment.ldf", b"# nothing here\r\n"),
    ] {
        let c = f.write(name, bytes);
        let (code, out) = verify_against(&c, &x, None, &[]);
        assert_eq!(code, 1, "{name}: {out}");
        assert_one(&out, name, 1, "the change file holds no record");
        assert!(out.contains("(incomplete 1)"), "{out}");
    }
}

/// Modifications ldifde or the directory refuses, whatever the export holds: the RDN
/// attribute, attributes only the directory writes, `increment:`, an empty value, one
/// value twice in an `add:` or a `replace:`, a DN with a trailing comma.
#[test]
fn modifications_the_directory_refuses() {
    let f = Fixture::new();
    let x = f.write("x.ldf", TWO_USERS.as_bytes());
    let ann = "dn: CN=Ann,OU=Staff,DC=contoso,DC=local\r\nchangetype: modify\r\n";
    let cases: [(&str, &str); 8] = [
        ("replace: cn\r\ncn: Anne\r\n-\r\n", "'replace: cn' changes the attribute that names the object"),
        ("replace: name\r\nname: Anne\r\n-\r\n", "'replace: name' changes the attribute that names the object"),
        ("replace: objectGUID\r\nobjectGUID:: AAAA\r\n-\r\n", "'replace: objectGUID' changes an attribute only the directory writes"),
        ("replace: memberOf\r\nmemberOf: CN=G,DC=contoso,DC=local\r\n-\r\n", "'replace: memberOf' changes an attribute only the directory writes"),
        ("increment: uSNChanged\r\nuSNChanged: 1\r\n-\r\n", "'increment: uSNChanged' (ldifde knows only add:, delete: and replace:"),
        ("replace: mail\r\nmail:\r\n-\r\n", "'replace: mail' with an empty value"),
        ("add: proxyAddresses\r\nproxyAddresses: smtp:a@x.com\r\nproxyAddresses: SMTP:A@x.com\r\n-\r\n", "'SMTP:A@x.com', given twice in this 'add:'"),
        ("replace: proxyAddresses\r\nproxyAddresses: smtp:a@x.com\r\nproxyAddresses: SMTP:A@x.com\r\n-\r\n", "'replace: proxyAddresses' gives 'SMTP:A@x.com' twice"),
    ];
    for (i, (body, needle)) in cases.iter().enumerate() {
        let c = f.write(&format!("c{i}.ldf"), format!("{ann}{body}\r\n").as_bytes());
        let (code, out) = verify_against(&c, &x, None, &[]);
        assert_eq!(code, 1, "{body}: {out}");
        assert_one(&out, &format!("c{i}.ldf"), 1, needle);
    }
    // The same replace of mail with a value is fine.
    let c = f.write(
        "ok.ldf",
        format!("{ann}replace: mail\r\nmail: ann@contoso.com\r\n-\r\n\r\n").as_bytes(),
    );
    let (code, out) = verify_against(&c, &x, None, &[]);
    assert_eq!(code, 0, "{out}");
    // A trailing comma makes the DN invalid, though its normalised form is Ann's.
    let c = f.write(
        "comma.ldf",
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=local,\r\nchangetype: modify\r\nreplace: mail\r\nmail: ann@contoso.com\r\n-\r\n\r\n",
    );
    let (code, out) = verify_against(&c, &x, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "comma.ldf", 1, "not a valid DN");
    // A NUL byte in a plain value is no LDIF.
    let c = f.write(
        "nul.ldf",
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=local\r\nchangetype: modify\r\nreplace: mail\r\nmail: ann\0@contoso.com\r\n-\r\n\r\n",
    );
    let (code, out) = verify_against(&c, &x, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "nul.ldf", 4, "NUL byte at column 10");
}

/// An export given twice, or the change file given as its own undo file, is a usage
/// error, as for scan and fix.
#[test]
fn an_input_given_twice_is_refused() {
    let f = Fixture::new();
    let x = f.write("x.ldf", TWO_USERS.as_bytes());
    let (c, _) = fix(&f, &x, &["--upn-suffix", "contoso.local=contoso.com"]);
    let out = ldifix()
        .arg("verify")
        .arg(&c)
        .arg("--against")
        .arg(&x)
        .arg(&x)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is given twice"));
    let (code, _) = verify_against(&c, &x, Some(&c), &[]);
    assert_eq!(code, 2);
}

/// A change file cut after the `changetype:` line of its last record: the record with no
/// modification is reported at its `dn:` line, with or without an undo file.
#[test]
fn modify_record_without_a_modification() {
    let f = Fixture::new();
    let x = f.write("x.ldf", TWO_USERS.as_bytes());
    let (c, u) = fix(&f, &x, &["--upn-suffix", "contoso.local=contoso.com"]);
    let whole = std::fs::read(&c).unwrap();
    let first: Vec<u8> = whole
        .split_inclusive(|&b| b == b'\n')
        .take(9)
        .flatten()
        .copied()
        .collect();
    assert!(first.ends_with(b"changetype: modify\r\n"));
    let cut = f.write("cut.ldf", &first);
    let needle = "CN=Bob,OU=Staff,DC=contoso,DC=local: 'changetype: modify' record with no modification (expected 'replace:', 'add:' or 'delete:' lines after 'changetype: modify'";
    let (code, out) = verify_against(&cut, &x, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "cut.ldf", 8, needle);
    assert!(out.contains("(incomplete 1)"), "{out}");
    // With the undo file, Bob's undo record has no change to undo either.
    let (code, out) = verify_against(&cut, &x, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    let p = problems(&out);
    assert_eq!(p.len(), 2, "{out}");
    assert!(
        p[0].contains("cut.ldf:8: ") && p[0].contains(needle),
        "{out}"
    );
    assert!(
        p[1].contains("undo.ldf:8: ")
            && p[1].contains("undo of userPrincipalName without a change"),
        "{out}"
    );
    // The same record cut short in the undo file.
    let undo = UNDO.replace("replace: mail\nmail: john.smith@contoso.com\n-\n", "");
    let c = f.write("c.ldf", &crlf(CHANGES));
    let u = f.write("u.ldf", &crlf(&undo));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    let p = problems(&out);
    assert_eq!(p.len(), 2, "{out}");
    assert!(
        p[0].contains("c.ldf:11: ") && p[0].contains("mail is not restored"),
        "{out}"
    );
    assert!(
        p[1].contains("u.ldf:10: ") && p[1].contains("record with no modification"),
        "{out}"
    );
}

/// An `add:` whose value line is gone adds nothing: reported as incomplete.
#[test]
fn add_without_a_value() {
    let f = Fixture::new();
    let changes = CHANGES.replace("proxyAddresses: smtp:grace@contoso.com\n", "");
    let c = f.write("c.ldf", &crlf(&changes));
    let u = f.write("u.ldf", &crlf(UNDO));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c.ldf",
        17,
        "'add: proxyAddresses' with no value (expected at least one 'proxyAddresses:' line before its '-'",
    );
}

/// A value line removed from a `replace:` (`sed 5d`) leaves a `replace:` with no value,
/// which removes the attribute: reported (fix never removes one) at the record, naming the
/// value removed, unless --allow-removal names the attribute.
#[test]
fn replace_without_a_value_is_a_removal() {
    let f = Fixture::new();
    let x = f.write("x.ldf", TWO_USERS.as_bytes());
    let (c, u) = fix(&f, &x, &["--upn-suffix", "contoso.local=contoso.com"]);
    let text = String::from_utf8(std::fs::read(&c).unwrap()).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    assert_eq!(lines[4], "userPrincipalName: ann@contoso.com\r\n");
    let cut: String = lines
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != 4)
        .map(|(_, l)| *l)
        .collect();
    let cut = f.write("cut.ldf", cut.as_bytes());
    let j = f.path("v.json");
    let json = j.to_str().unwrap();
    for undo in [None, Some(u.as_path())] {
        let (code, out) = verify_against(&cut, &x, undo, &["--json", json, "--force"]);
        assert_eq!(code, 1, "{out}");
        assert_one(
            &out,
            "cut.ldf",
            2,
            "CN=Ann,OU=Staff,DC=contoso,DC=local: 'replace: userPrincipalName' with no value removes userPrincipalName ('ann@contoso.local') (expected at least one 'userPrincipalName:' line before its '-'",
        );
        assert!(out.contains("--allow-removal userPrincipalName"), "{out}");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&j).unwrap()).unwrap();
        assert_eq!(v["problems"][0]["kind"], "removal");
        assert_eq!(v["summary"]["allowed_removals"], 0);
    }
    // Allowed (in any case), it is counted and named in the summary.
    let (code, out) = verify_against(
        &cut,
        &x,
        Some(&u),
        &[
            "--allow-removal",
            "mail,USERPRINCIPALNAME",
            "--json",
            json,
            "--force",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "(1 removals allowed by --allow-removal mail,USERPRINCIPALNAME): safe to import"
        ),
        "{out}"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&j).unwrap()).unwrap();
    assert_eq!(v["safe"], true);
    assert_eq!(v["summary"]["allowed_removals"], 1);
    assert_eq!(v["allow_removal"][1], "USERPRINCIPALNAME");
    // Another attribute allowed does not allow this one.
    let (code, out) = verify_against(&cut, &x, Some(&u), &["--allow-removal", "mail"]);
    assert_eq!(code, 1, "{out}");
}

/// A `delete:` whose value line is gone deletes every value: a removal too. A `replace:`
/// with no value of an attribute the object does not hold removes nothing and passes.
#[test]
fn delete_without_a_value_is_a_removal() {
    let f = Fixture::new();
    let changes = CHANGES.replace(
        "delete: proxyAddresses\nproxyAddresses: smtp:ghopper@contoso.mail.onmicrosoft.com\n",
        "delete: proxyAddresses\n",
    );
    let c = f.write("c.ldf", &crlf(&changes));
    let u = f.write("u.ldf", &crlf(UNDO));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c.ldf",
        17,
        "'delete: proxyAddresses' with no value removes every value of proxyAddresses ('SMTP:grace.hopper@contoso.com', 'smtp:ghopper@contoso.mail.onmicrosoft.com')",
    );
    let (code, out) = verify(&c, Some(&u), &["--allow-removal", "proxyAddresses"]);
    assert_eq!(code, 0, "{out}");

    let absent = CHANGES.replace(
        "replace: telephoneNumber\ntelephoneNumber: +1 555 0100\n",
        "replace: telephoneNumber\n",
    );
    let c = f.write("c2.ldf", &crlf(&absent));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 0, "{out}");
}

/// apply-csv writes a `replace:` with no value for a REMOVE row: reported until the
/// removal is allowed.
#[test]
fn apply_csv_removal_needs_allow_removal() {
    let f = Fixture::new();
    let csv = f.write(
        "edited.csv",
        b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n\"CN=Grace Hopper,OU=IT,OU=Staff,OU=Contoso,DC=contoso,DC=local\",mail,grace.hopper@contoso.com,,REMOVE\r\n",
    );
    let (c, u) = (f.path("c.ldf"), f.path("u.ldf"));
    let out = ldifix()
        .arg("apply-csv")
        .arg(&csv)
        .args(["--source", EXPORT, "-o"])
        .arg(&c)
        .arg("--undo")
        .arg(&u)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c.ldf",
        2,
        "'replace: mail' with no value removes mail ('grace.hopper@contoso.com')",
    );
    let (code, out) = verify(&c, Some(&u), &["--allow-removal", "mail"]);
    assert_eq!(code, 0, "{out}");
}

/// An undo mod-spec for an attribute the change file does not change (of an object it
/// changes) is named with its attribute.
#[test]
fn undo_of_an_attribute_without_a_change() {
    let f = Fixture::new();
    let changes = CHANGES.replace(
        "replace: telephoneNumber\ntelephoneNumber: +1 555 0100\n-\n",
        "",
    );
    let c = f.write("c.ldf", &crlf(&changes));
    let u = f.write("u.ldf", &crlf(UNDO));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "u.ldf",
        2,
        "undo of telephoneNumber without a change: expected a modification of telephoneNumber in the record for this object in ",
    );
}

/// What `fix` writes when nothing changes (an empty pair: one empty line each for
/// ldifde, nothing for ldapmodify) has nothing to import: verify says so and exits 1,
/// so a script that imports only what verify passed does not run ldifde on it (ldifde
/// fails on an empty file).
#[test]
fn fix_with_no_change_has_nothing_to_import() {
    let f = Fixture::new();
    let x = f.write("x.ldf", TWO_USERS.as_bytes());
    for le in ["crlf", "lf"] {
        let (c, u) = fix(
            &f,
            &x,
            &[
                "--upn-suffix",
                "fabrikam.local=fabrikam.com",
                "--line-ending",
                le,
            ],
        );
        let expected: &[u8] = if le == "crlf" { b"\r\n" } else { b"" };
        assert_eq!(std::fs::read(&c).unwrap(), expected, "{le}");
        assert_eq!(std::fs::read(&u).unwrap(), expected, "{le}");
        let (code, out) = verify_against(&c, &x, Some(&u), &["--line-ending", le]);
        assert_eq!(code, 1, "{le}: {out}");
        assert_one(&out, "changes.ldf", 1, "holds no record: nothing to import");
        assert!(
            out.contains("in 0 records (0 modifications), undo 0 records"),
            "{out}"
        );
    }
}

#[test]
fn undo_with_add_and_delete_is_not_rerunnable() {
    let f = Fixture::new();
    let c = f.write("c.ldf", &crlf(CHANGES));
    let undo = UNDO.replace(
        "replace: proxyAddresses
proxyAddresses: SMTP:grace.hopper@contoso.com
proxyAddresses: smtp:ghopper@contoso.mail.onmicrosoft.com
-",
        "delete: proxyAddresses
proxyAddresses: smtp:grace@contoso.com
-
add: proxyAddresses
proxyAddresses: smtp:ghopper@contoso.mail.onmicrosoft.com
-",
    );
    let u = f.write("u.ldf", &crlf(&undo));
    let (code, out) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 1, "{out}");
    let p = problems(&out);
    assert_eq!(p.len(), 2, "{out}");
    assert!(
        p.iter()
            .all(|l| l.contains("u.ldf:16: ") && l.contains("re-run")),
        "{out}"
    );
}

#[test]
fn change_creating_a_duplicate_upn() {
    let f = Fixture::new();
    // William takes Ava Nguyen's UPN.
    let text = CHANGES.replace(
        "userPrincipalName: william.torres@contoso.com",
        "userPrincipalName: Ava.Nguyen@contoso.local",
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 2, "CN=Ava Nguyen,OU=Staff");
    assert!(
        out.contains("userPrincipalName 'ava.nguyen@contoso.local'"),
        "{out}"
    );
}

#[test]
fn two_changes_creating_the_same_new_upn() {
    let f = Fixture::new();
    let text = format!(
        "{CHANGES}
dn: CN=Ava Nguyen,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipalName
userPrincipalName: william.torres@contoso.com
-
"
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    let p = problems(&out);
    assert_eq!(p.len(), 2, "{out}");
    assert!(p[0].starts_with(&format!("{}:2: ", c.display())), "{out}");
    assert!(p[1].starts_with(&format!("{}:26: ", c.display())), "{out}");
}

#[test]
fn mail_equal_to_another_objects_smtp_proxy() {
    let f = Fixture::new();
    // John Smith's new mail is Mary Jones' secondary smtp: proxy address.
    let text = CHANGES.replace(
        "mail: john.smith2@contoso.com",
        "mail: MJones@contoso.mail.onmicrosoft.com",
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 11, "CN=Mary Jones");
    assert!(
        out.contains("proxyAddresses 'smtp:mjones@contoso.mail.onmicrosoft.com'"),
        "{out}"
    );
}

#[test]
fn releasing_a_value_lets_another_object_take_it() {
    // Grace gives up her smtp: proxy and William takes it as his mail in the same file:
    // she still holds it as targetAddress, so that is a duplicate…
    let f = Fixture::new();
    let text = CHANGES.replace(
        "replace: telephoneNumber\ntelephoneNumber: +1 555 0100\n",
        "replace: mail\nmail: ghopper@contoso.mail.onmicrosoft.com\n",
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c.ldf",
        2,
        "targetAddress 'SMTP:ghopper@contoso.mail.onmicrosoft.com' of CN=Grace Hopper",
    );
    // …until her targetAddress changes too: then only William holds it.
    let text = text.replace(
        "proxyAddresses: smtp:grace@contoso.com\n-\n",
        "proxyAddresses: smtp:grace@contoso.com\n-\nreplace: targetAddress\ntargetAddress: SMTP:grace@contoso.com\n-\n",
    );
    let c = f.write("c2.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn existing_duplicates_the_change_does_not_touch_are_not_reported() {
    // Anna Lind's UPN already equals Anna Berg's mail; changing Anna Lind's
    // telephone number creates nothing new.
    let f = Fixture::new();
    let text = "
dn: CN=Anna Lind,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: telephoneNumber
telephoneNumber: 1
-
";
    let c = f.write("c.ldf", &crlf(text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 0, "{out}");
    // Writing that same UPN again is a duplicate UPN, even though it already was one.
    let text = "
dn: CN=Anna Lind,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipalName
userPrincipalName: anna.berg@contoso.com
-
";
    let c = f.write("c2.ldf", &crlf(text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c2.ldf", 2, "CN=Anna Berg");
}

#[test]
fn import_errors_against_the_export() {
    let f = Fixture::new();
    let text = CHANGES.replace(
        "proxyAddresses: smtp:ghopper@contoso.mail.onmicrosoft.com",
        "proxyAddresses: smtp:nobody@contoso.com",
    );
    let c = f.write("c.ldf", &crlf(&text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", 17, "a value the object does not hold");
}

/// The mod-specs of a record are applied in order: demoting a second primary address
/// (`delete: SMTP:x`, then `add: smtp:x`, as `fix --accept proxy-multiple-primary`
/// writes it) is valid, while adding a value twice or deleting it twice is not.
#[test]
fn mod_specs_are_judged_in_order() {
    let f = Fixture::new();
    let record = |mods: &str| {
        crlf(&format!(
            "\ndn: CN=Wes Primary,OU=Staff,OU=Contoso,DC=contoso,DC=local\nchangetype: modify\n{mods}"
        ))
    };
    let demote = "delete: proxyAddresses\nproxyAddresses: SMTP:wes@contoso.com\n-\nadd: proxyAddresses\nproxyAddresses: smtp:wes@contoso.com\n-\n";
    let c = f.write("c.ldf", &record(demote));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 0, "{out}");

    let twice_added = "add: proxyAddresses\nproxyAddresses: smtp:w@contoso.com\n-\nadd: proxyAddresses\nproxyAddresses: SMTP:W@contoso.com\n-\n";
    let c = f.write("c2.ldf", &record(twice_added));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c2.ldf",
        2,
        "'add: proxyAddresses' of 'SMTP:W@contoso.com', a value the object already holds",
    );

    let twice_deleted = "delete: proxyAddresses\nproxyAddresses: SMTP:wes@contoso.com\n-\ndelete: proxyAddresses\nproxyAddresses: smtp:wes@contoso.com\n-\n";
    let c = f.write("c3.ldf", &record(twice_deleted));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c3.ldf",
        2,
        "'delete: proxyAddresses' of 'smtp:wes@contoso.com', a value the object does not hold",
    );
}

#[test]
fn json_report_lists_the_problems() {
    let f = Fixture::new();
    let text = CHANGES.replace("CN=William Torres,", "CN=Nobody,");
    let c = f.write("c.ldf", &crlf(&text));
    let j = f.path("v.json");
    let (code, out) = verify(&c, None, &["--json", j.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&j).unwrap()).unwrap();
    assert_eq!(v["safe"], false);
    assert_eq!(v["summary"]["problems"], 1);
    assert_eq!(v["summary"]["by_kind"]["unknown-dn"], 1);
    assert_eq!(v["problems"][0]["line"], 2);
    assert_eq!(v["problems"][0]["kind"], "unknown-dn");
    // An existing JSON file is not replaced without --force.
    let (code, _) = verify(&c, None, &["--json", j.to_str().unwrap()]);
    assert_eq!(code, 2);
    let (code, _) = verify(&c, None, &["--json", j.to_str().unwrap(), "--force"]);
    assert_eq!(code, 1);
}

#[test]
fn unreadable_inputs_exit_2() {
    let f = Fixture::new();
    let c = f.write("c.ldf", &crlf(CHANGES));
    let missing = f.path("missing.ldf");
    let (code, _) = verify(&missing, None, &[]);
    assert_eq!(code, 2);
    let out = ldifix()
        .arg("verify")
        .arg(&c)
        .arg("--against")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A malformed export: nothing can be verified against half an export.
    let bad = f.write("bad.ldf", b"dn: CN=x,DC=y\nobjectClass user\n");
    let out = ldifix()
        .arg("verify")
        .arg(&c)
        .arg("--against")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.ldf:2"));
    // Usage: --against is required.
    let out = ldifix().arg("verify").arg(&c).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fix_output_verifies_clean() {
    let f = Fixture::new();
    let c = f.path("changes.ldf");
    let u = f.path("undo.ldf");
    let out = ldifix()
        .args([
            "fix",
            EXPORT,
            "--upn-suffix",
            "contoso.local=contoso.com",
            "-o",
        ])
        .arg(&c)
        .arg("--undo")
        .arg(&u)
        .output()
        .unwrap();
    // 1: some rewrites were refused (collisions, invalid UPNs); the files are written.
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let (code, stdout) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("safe to import"), "{stdout}");
    // The LF dialect verifies for the LF target.
    let c2 = f.path("changes-lf.ldif");
    let u2 = f.path("undo-lf.ldif");
    let out = ldifix()
        .args([
            "fix",
            EXPORT,
            "--upn-suffix",
            "contoso.local=contoso.com",
            "--line-ending",
            "lf",
            "-o",
        ])
        .arg(&c2)
        .arg("--undo")
        .arg(&u2)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let (code, stdout) = verify(&c2, Some(&u2), &["--line-ending", "lf"]);
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn suffix_registration_is_accepted_without_export_or_undo() {
    let f = Fixture::new();
    let c = f.path("changes.ldf");
    let u = f.path("undo.ldf");
    let out = ldifix()
        .args([
            "fix",
            EXPORT,
            "--upn-suffix",
            "contoso.local=contoso.com",
            "--register-suffix",
            "-o",
        ])
        .arg(&c)
        .arg("--undo")
        .arg(&u)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    // The Partitions record is additive and deliberately not undone: it needs neither an
    // export of the configuration partition nor an undo record.
    let (code, stdout) = verify(&c, Some(&u), &[]);
    assert_eq!(code, 0, "{stdout}");
    // Any other change to the configuration partition is still an unknown DN.
    let other = f.write(
        "other.ldf",
        &crlf("\ndn: CN=Partitions,CN=Configuration,DC=contoso,DC=local\nchangetype: modify\nreplace: uPNSuffixes\nuPNSuffixes: contoso.com\n-\n\n"),
    );
    let (code, stdout) = verify(&other, None, &[]);
    assert_eq!(code, 1, "{stdout}");
    assert_one(&stdout, "other.ldf", 2, "configuration partition");
}

/// A misspelt name of an attribute ldifix writes (a hand-edited change file) is named
/// with the attribute meant: the import would fail on it (no such attribute).
#[test]
fn a_misspelt_attribute_name_is_an_import_error() {
    let f = Fixture::new();
    let c = f.write(
        "c.ldf",
        &crlf(
            "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipleName
userPrincipleName: william.torres@contoso.com
-
",
        ),
    );
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c.ldf",
        2,
        "'replace: userPrincipleName' is not an attribute of the schema (did you mean userPrincipalName? the import would fail: no such attribute)",
    );
}

#[test]
fn single_valued_attributes_get_one_value() {
    let f = Fixture::new();
    // A second UPN added, and a replace with two values.
    let c = f.write(
        "c.ldf",
        &crlf(
            "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
add: userPrincipalName
userPrincipalName: william.torres@contoso.com
-

dn: CN=Mary Jones,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: mailNickname
mailNickname: mjones1
mailNickname: mjones2
-
",
        ),
    );
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    let p = problems(&out);
    assert_eq!(p.len(), 2, "{out}");
    assert!(
        p[0].contains("c.ldf:2: ")
            && p[0].contains("'add: userPrincipalName' of 'william.torres@contoso.com' to a single-valued attribute that would then hold 2 values"),
        "{out}"
    );
    assert!(
        p[1].contains("c.ldf:8: ")
            && p[1].contains("'replace: mailNickname' with 2 values ('mjones1', 'mjones2') for a single-valued attribute"),
        "{out}"
    );
}

/// Verify the change file `text` (LF, written as CRLF) alone against the sample export,
/// and assert it is not safe for exactly one problem, at `line`, saying `needle`.
fn assert_not_safe_for_one(text: &str, line: u64, needle: &str) {
    let f = Fixture::new();
    let c = f.write("c.ldf", &crlf(text));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "c.ldf", line, needle);
}

#[test]
fn aliases_and_other_proxy_types_must_stay_unique() {
    // William takes Mary's alias (in another case).
    assert_not_safe_for_one(
        "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: mailNickname
mailNickname: MJones
-
",
        2,
        "the new mailNickname 'MJones' would duplicate the mailNickname 'mjones' of CN=Mary Jones",
    );
}

#[test]
fn a_value_given_up_only_by_a_later_record_is_a_duplicate_when_imported() {
    let f = Fixture::new();
    // Mary takes William's UPN before William's record gives it up: a DC refuses the
    // first record. In the other order the file imports.
    let first = "
dn: CN=Mary Jones,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipalName
userPrincipalName: william.torres@contoso.local
-
";
    let second = "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: userPrincipalName
userPrincipalName: william.torres@contoso.com
-
";
    let c = f.write("c.ldf", &crlf(&format!("{first}{second}")));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "c.ldf",
        2,
        "which the record at line 8 changes only later: a DC (Windows Server 2012 R2 and later) refuses this record while another object holds the UPN",
    );
    let c = f.write("c2.ldf", &crlf(&format!("{second}{first}")));
    let (code, out) = verify(&c, None, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_dn_or_value_that_is_not_utf8_is_not_safe() {
    let f = Fixture::new();
    // An export holding "René" as Windows-1252 bytes, and a change file that copies them
    // (base64 of the same bytes): the directory holds the name as Unicode.
    let export = f.write(
        "e.ldf",
        b"dn: CN=Ren\xe9,DC=contoso,DC=local\nobjectClass: user\ncn: Ren\xe9\nuserPrincipalName: ren\xe9@contoso.local\n",
    );
    let c = f.write(
        "c.ldf",
        &crlf(
            "
dn:: Q049UmVu6SxEQz1jb250b3NvLERDPWxvY2Fs
changetype: modify
replace: userPrincipalName
userPrincipalName:: cmVu6UBjb250b3NvLmNvbQ==
-
",
        ),
    );
    let (code, text) = verify_against(&c, &export, None, &[]);
    assert_eq!(code, 1, "{text}");
    let p = problems(&text);
    assert_eq!(p.len(), 2, "{text}");
    assert!(
        p[0].contains("c.ldf:2: ") && p[0].contains("the DN is not valid UTF-8"),
        "{text}"
    );
    assert!(
        p[1].contains("a value of userPrincipalName that is not valid UTF-8"),
        "{text}"
    );
}

#[test]
fn replacing_the_object_class_chain_is_an_import_error() {
    assert_not_safe_for_one(
        "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
replace: objectClass
objectClass: top
objectClass: contact
-
",
        2,
        "'replace: objectClass' would change the object's class chain, which Active Directory refuses",
    );
}

#[test]
fn adding_or_deleting_a_structural_class_is_an_import_error() {
    // A class the user lacks, a class it holds.
    for (op, class) in [("add", "Contact"), ("delete", "user")] {
        assert_not_safe_for_one(
            &format!(
                "
dn: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local
changetype: modify
{op}: objectClass
objectClass: {class}
-
"
            ),
            2,
            &format!("'{op}: objectClass' would change the object's class chain"),
        );
    }
}

#[test]
fn a_change_to_a_deleted_object_is_an_import_error() {
    let f = Fixture::new();
    let export = f.write(
        "export.ldf",
        b"dn: CN=Gone\\0ADEL:0b7c1f2e-1111-2222-3333-444455556666,CN=Deleted Objects,DC=x\n\
objectClass: user\nisDeleted: TRUE\nuserPrincipalName: gone@x.local\n",
    );
    let c = f.write(
        "c.ldf",
        &crlf(
            "
dn: CN=Gone\\0ADEL:0b7c1f2e-1111-2222-3333-444455556666,CN=Deleted Objects,DC=x
changetype: modify
replace: userPrincipalName
userPrincipalName: gone@x.com
-
",
        ),
    );
    let (code, text) = verify_against(&c, &export, None, &[]);
    assert_eq!(code, 1, "{text}");
    assert_one(&text, "c.ldf", 2, "a deleted object (DEL: in its RDN)");
}

/// A sAMAccountName the change file writes that another object of the same domain holds
/// after the import (in any case), or still holds when the record is imported because it
/// gives it up only in a later record, is a duplicate; the same name in another domain,
/// or taken after its holder gave it up, is fine.
#[test]
fn sam_account_names_stay_unique_per_domain() {
    let f = Fixture::new();
    let x = f.write(
        "x.ldf",
        format!("{TWO_USERS}\ndn: CN=Cy,OU=Staff,DC=fabrikam,DC=local\nobjectClass: user\nsAMAccountName: cy\n").as_bytes(),
    );
    let rec = |dn: &str, sam: &str| {
        format!("dn: {dn}\r\nchangetype: modify\r\nreplace: sAMAccountName\r\nsAMAccountName: {sam}\r\n-\r\n\r\n")
    };
    let bob = "CN=Bob,OU=Staff,DC=contoso,DC=local";
    let ann = "CN=Ann,OU=Staff,DC=contoso,DC=local";
    let cy = "CN=Cy,OU=Staff,DC=fabrikam,DC=local";
    let c = f.write("dup.ldf", rec(bob, "ANN").as_bytes());
    let (code, out) = verify_against(&c, &x, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(&out, "dup.ldf", 1, "the new sAMAccountName 'ANN' is also held by CN=Ann,OU=Staff,DC=contoso,DC=local in the same domain");
    // Two changes writing one name.
    let c = f.write(
        "two.ldf",
        format!("{}{}", rec(bob, "zed"), rec(ann, "Zed")).as_bytes(),
    );
    let (code, out) = verify_against(&c, &x, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(problems(&out).len(), 2, "{out}");
    // Taken before its holder gives it up.
    let c = f.write(
        "late.ldf",
        format!("{}{}", rec(bob, "ann"), rec(ann, "ann2")).as_bytes(),
    );
    let (code, out) = verify_against(&c, &x, None, &[]);
    assert_eq!(code, 1, "{out}");
    assert_one(
        &out,
        "late.ldf",
        1,
        "which the record at line 7 changes only later",
    );
    // Fine: the other order, and another domain's name.
    let c = f.write(
        "ok.ldf",
        format!("{}{}{}", rec(ann, "ann2"), rec(bob, "ann"), rec(cy, "bob")).as_bytes(),
    );
    let (code, out) = verify_against(&c, &x, None, &[]);
    assert_eq!(code, 0, "{out}");
}

/// A value fix and apply-csv would refuse to write (a UPN with a space, a control
/// character or a non-routable suffix; a malformed mail) is named in a warning at its
/// record: the import itself would succeed, and an undo file checked before a rollback
/// writes back exported values whatever they were, so the exit status stays 0.
#[test]
fn values_entra_rejects_are_named_in_warnings() {
    let f = Fixture::new();
    let text = CHANGES
        .replace(
            "userPrincipalName: william.torres@contoso.com",
            "userPrincipalName:: d2lsbGlhbQB0b3JyZXNAY29udG9zby5jb20=",
        )
        .replace(
            "mail: john.smith2@contoso.com",
            "mail: john smith@contoso.com",
        );
    let c = f.write("c.ldf", &crlf(&text));
    let json = f.path("v.json");
    let (code, out) = verify(&c, None, &["--json", json.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(problems(&out).is_empty(), "{out}");
    assert!(
        out.contains("c.ldf:2: warning: CN=William Torres,OU=Staff,OU=Contoso,DC=contoso,DC=local: the new userPrincipalName 'william\\u{0}torres@contoso.com' breaks Entra's rules: Invisible"),
        "{out}"
    );
    assert!(
        out.contains("c.ldf:11: warning: ")
            && out
                .contains("the new mail 'john smith@contoso.com' breaks Entra's rules: Character"),
        "{out}"
    );
    assert!(
        out.contains("safe to import (2 warnings above: values Entra would reject)"),
        "{out}"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["safe"], true);
    assert_eq!(v["summary"]["warnings"], 2);
    assert_eq!(v["warnings"][0]["kind"], "entra-rule");
    assert_eq!(v["warnings"][1]["line"], 11);
    // A non-routable suffix is named too (the undo of a suffix rewrite writes the old
    // suffix back: a warning, never a problem).
    let u = f.write("u.ldf", &crlf(UNDO));
    let (code, out) = verify(&u, None, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("the new userPrincipalName 'william.torres@contoso.local' breaks Entra's rules: TopLevelDomain (upn-nonroutable-suffix)"),
        "{out}"
    );
}
