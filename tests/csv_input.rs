//! CSV exports as input (issue 7): csvde and PowerShell `Export-Csv` fixtures of
//! testdata/csv/ read into the LDIF record model, format detection, warnings and errors.

use std::path::{Path, PathBuf};

use ldifix::csvin::{self, InputFormat};
use ldifix::ldif::{Item, ParseError, Record, Warning};
use ldifix::model::{Attr, Entry};
use ldifix::source::Input;
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/csv")
        .join(name)
}

fn open(name: &str) -> Input {
    Input::open(&fixture(name)).expect("fixture opens")
}

/// Every item of `bytes` read as `format`, and the warnings.
fn read(bytes: &[u8], format: InputFormat) -> (Vec<Result<Record<'_>, ParseError>>, Vec<Warning>) {
    let mut r = csvin::records(bytes, format);
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    while let Some(item) = r.next() {
        warnings.extend(r.take_warnings());
        match item {
            Ok(Item::Record(rec)) => out.push(Ok(rec)),
            Ok(Item::Skipped { .. }) => {}
            Err(e) => out.push(Err(e)),
        }
    }
    warnings.extend(r.take_warnings());
    (out, warnings)
}

/// [`read`], every record read; the warnings without the header's list of checked
/// attributes an Export-Csv lacks (its own test is in the reader).
fn ok_records(bytes: &[u8], format: InputFormat) -> (Vec<Record<'_>>, Vec<Warning>) {
    let (items, mut w) = read(bytes, format);
    w.retain(|w| !w.message.starts_with("no column for "));
    let recs = items
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("unexpected error {e}")))
        .collect();
    (recs, w)
}

fn values<'r>(r: &'r Record<'_>, name: &str) -> Vec<&'r [u8]> {
    r.attrs()
        .iter()
        .filter(|a| a.name.eq_ignore_ascii_case(name))
        .map(|a| a.value.as_bytes())
        .collect()
}

fn text(r: &Record<'_>, name: &str) -> Vec<String> {
    values(r, name)
        .into_iter()
        .map(|b| String::from_utf8(b.to_vec()).expect("UTF-8 value"))
        .collect()
}

fn dn<'r>(r: &'r Record<'_>) -> &'r str {
    r.dn_str().expect("UTF-8 DN")
}

fn find<'v, 'a>(recs: &'v [Record<'a>], cn_prefix: &str) -> &'v Record<'a> {
    recs.iter()
        .find(|r| dn(r).starts_with(cn_prefix))
        .unwrap_or_else(|| panic!("no record {cn_prefix}"))
}

const X400: &str = "X400:c=US;a= ;p=Contoso;o=Exchange;s=User;g=Legacy;";

// ---- detection --------------------------------------------------------------------

#[test]
fn detection_picks_the_format_of_every_fixture() {
    for (name, want) in [
        ("contoso-csvde.csv", InputFormat::Csvde),
        ("contoso-csvde-u.csv", InputFormat::Csvde),
        ("contoso-csvde.ldf", InputFormat::Ldif),
        ("pwsh51-aduser.csv", InputFormat::PwshCsv),
        ("pwsh7-semicolon.csv", InputFormat::PwshCsv),
        ("pwsh-collection.csv", InputFormat::PwshCsv),
    ] {
        let input = open(name);
        assert_eq!(csvin::detect(input.bytes()), want, "{name}");
        assert_eq!(InputFormat::Auto.resolve(input.bytes()), want, "{name}");
    }
}

#[test]
fn detection_says_ldif_for_every_ldif_file_in_testdata() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut stack = vec![root];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("testdata readable") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            if ext != "ldf" && ext != "ldif" {
                continue;
            }
            // Files whose encoding is malformed on purpose never reach detection.
            let Ok(input) = Input::open(&p) else { continue };
            assert_eq!(
                csvin::detect(input.bytes()),
                InputFormat::Ldif,
                "{}",
                p.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 20, "only {seen} LDIF files found");
}

#[test]
fn forced_format_overrides_detection() {
    let input = open("contoso-csvde.csv");
    let r = csvin::records(input.bytes(), InputFormat::Ldif);
    assert_eq!(r.format(), InputFormat::Ldif);
    // Read as LDIF, the CSV is an error, not records.
    let (items, _) = read(input.bytes(), InputFormat::Ldif);
    assert!(items.iter().all(|i| i.is_err()));
}

// ---- csvde ------------------------------------------------------------------------

#[test]
fn csvde_fixture_parses_to_the_expected_records() {
    let input = open("contoso-csvde.csv");
    let (recs, warnings) = ok_records(input.bytes(), InputFormat::Auto);
    assert_eq!(recs.len(), 15);
    assert!(recs.iter().all(|r| r.change.is_none()));

    let john = &recs[0];
    assert_eq!(
        dn(john),
        "CN=John Smith,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local"
    );
    assert_eq!(john.line, 2);
    assert_eq!(&input.bytes()[john.offset..john.offset + 4], b"\"CN=");
    assert_eq!(text(john, "objectClass"), ["user"]);
    assert_eq!(
        text(john, "proxyAddresses"),
        ["SMTP:john.smith@contoso.com", "smtp:jsmith@contoso.local"]
    );
    assert_eq!(text(john, "userPrincipalName"), ["john.smith@contoso.com"]);
    assert_eq!(
        values(john, "objectGUID"),
        [&[
            0x25, 0x30, 0x3b, 0x46, 0x51, 0x5c, 0x67, 0x72, 0x7d, 0x88, 0x93, 0x9e, 0xa9, 0xb4,
            0xbf, 0xca
        ][..]]
    );
    assert_eq!(
        values(john, "userCertificate"),
        [&[0x30, 0x82, 0x01, 0x0a, 0xff][..]]
    );
    assert!(
        values(john, "targetAddress").is_empty(),
        "empty field = absent"
    );

    let jorg = find(&recs, "CN=Jörg");
    assert_eq!(text(jorg, "sn"), ["Müller"]);
    assert_eq!(jorg.line, 3);

    let jane = find(&recs, "CN=Smith\\, Jane");
    assert_eq!(text(jane, "displayName"), ["Smith, Jane"]);

    let paul = find(&recs, "CN=Paul");
    assert_eq!(text(paul, "displayName"), ["Paul \"PJ\" O'Brien"]);

    let sales = find(&recs, "CN=Sales Team");
    assert_eq!(text(sales, "objectClass"), ["group"]);
    assert_eq!(text(sales, "groupType"), ["8"]);
    assert_eq!(
        text(sales, "member"),
        [
            "CN=John Smith,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local",
            "CN=Smith\\, Jane,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local",
            "CN=Ana García,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local",
        ]
    );
    let contact = find(&recs, "CN=Partner Contact");
    assert_eq!(
        text(contact, "targetAddress"),
        ["SMTP:partner@fabrikam.com"]
    );

    // The X.400 address is regrouped, and the guess is reported at its line.
    let legacy = find(&recs, "CN=Legacy User");
    assert_eq!(
        text(legacy, "proxyAddresses"),
        [
            "SMTP:legacy.user@contoso.com",
            X400,
            "smtp:legacy@contoso.local"
        ]
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].line, legacy.line);
    assert_eq!(legacy.line, 6);
    let m = &warnings[0].message;
    assert!(m.contains("proxyAddresses"), "{m}");
    assert!(m.contains("guess"), "{m}");
    assert!(m.contains("ldifde"), "{m}");
}

#[test]
fn utf16_csvde_equals_the_utf8_one() {
    let a = open("contoso-csvde.csv");
    let b = open("contoso-csvde-u.csv");
    let (ra, wa) = ok_records(a.bytes(), InputFormat::Auto);
    let (rb, wb) = ok_records(b.bytes(), InputFormat::Auto);
    assert_eq!(ra, rb);
    assert_eq!(wa, wb);
}

#[test]
fn ansi_csvde_is_read_as_windows_1252_with_one_warning() {
    let utf8 = open("contoso-csvde.csv");
    let text = std::str::from_utf8(utf8.bytes()).expect("UTF-8 fixture");
    let (ansi, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&ansi).is_err());
    let (r8, w8) = ok_records(utf8.bytes(), InputFormat::Auto);
    let (r1252, w1252) = ok_records(&ansi, InputFormat::Auto);
    assert_eq!(r1252.len(), r8.len());
    for (x, y) in r8.iter().zip(&r1252) {
        assert_eq!(x.dn, y.dn);
        assert_eq!(x.line, y.line);
        assert_eq!(x.body, y.body);
    }
    assert_eq!(w1252.len(), w8.len() + 1);
    let enc: Vec<_> = w1252
        .iter()
        .filter(|w| w.message.contains("Windows-1252"))
        .collect();
    assert_eq!(enc.len(), 1);
    assert_eq!(enc[0].line, 3, "first non-UTF-8 byte is on Jörg's line");
}

#[test]
fn csvde_and_ldif_fixtures_give_the_same_entries() {
    let csv = open("contoso-csvde.csv");
    let ldf = open("contoso-csvde.ldf");
    let (rc, _) = ok_records(csv.bytes(), InputFormat::Auto);
    let (rl, wl) = ok_records(ldf.bytes(), InputFormat::Auto);
    assert!(wl.is_empty());
    assert_eq!(rc.len(), rl.len());
    for (c, l) in rc.into_iter().zip(rl) {
        // Binary values are compared on the records (the model only counts them).
        for name in ["objectGUID", "userCertificate"] {
            assert_eq!(values(&c, name), values(&l, name), "{name} of {}", dn(&c));
        }
        let ec = Entry::from_record(0, c).expect("content record");
        let el = Entry::from_record(1, l).expect("add record");
        assert_eq!(ec.dn, el.dn);
        assert_eq!(ec.dn_raw(), el.dn_raw());
        assert_eq!(ec.object_class(), el.object_class(), "{}", ec.dn);
        assert_eq!(ec.cn(), el.cn());
        assert!(!ec.non_utf8);
        for attr in Attr::ALL {
            if attr == Attr::ObjectClass {
                continue; // csvde exports the most specific class only
            }
            let vc: Vec<&str> = ec.all(attr).map(|v| v.text.as_ref()).collect();
            let vl: Vec<&str> = el.all(attr).map(|v| v.text.as_ref()).collect();
            assert_eq!(vc, vl, "{attr:?} of {}", ec.dn);
            assert_eq!(ec.count(attr), el.count(attr), "{attr:?} of {}", ec.dn);
        }
    }
}

// ---- PowerShell -------------------------------------------------------------------

#[test]
fn pwsh51_ansi_export_with_type_line() {
    let input = open("pwsh51-aduser.csv");
    let (recs, warnings) = ok_records(input.bytes(), InputFormat::Auto);
    assert_eq!(recs.len(), 11);
    // One warning: the file is Windows-1252.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].message.contains("Windows-1252"));
    assert_eq!(warnings[0].line, 4);

    let john = &recs[0];
    assert_eq!(john.line, 3, "after the #TYPE line and the header");
    assert_eq!(
        dn(john),
        "CN=John Smith,OU=Sales,OU=Staff,OU=Contoso,DC=contoso,DC=local"
    );
    assert_eq!(text(john, "sAMAccountName"), ["jsmith"]);
    assert_eq!(text(john, "userPrincipalName"), ["john.smith@contoso.com"]);
    assert_eq!(text(john, "givenName"), ["John"]);
    assert_eq!(text(john, "sn"), ["Smith"]);
    assert_eq!(text(john, "cn"), ["John Smith"]);
    assert_eq!(text(john, "objectClass"), ["user"]);
    assert_eq!(
        text(john, "objectSid"),
        ["S-1-5-21-1004336348-1177238915-682003330-1100"]
    );
    assert_eq!(text(john, "Enabled"), ["True"]);
    assert!(
        values(john, "DistinguishedName").is_empty(),
        "the DN is not an attribute"
    );

    let jorg = find(&recs, "CN=Jörg Müller");
    assert_eq!(text(jorg, "displayName"), ["Jörg Müller"]);
    let e = Entry::from_record(0, jorg.clone()).expect("entry");
    assert_eq!(e.get(Attr::Sn), Some("Müller"));
    assert_eq!(e.get(Attr::Cn), Some("Jörg Müller"));
    assert_eq!(e.object_class(), Some("user"));
    assert!(!e.non_utf8, "text was transcoded once for the whole file");
}

#[test]
fn pwsh7_semicolon_export() {
    let input = open("pwsh7-semicolon.csv");
    let (recs, warnings) = ok_records(input.bytes(), InputFormat::Auto);
    assert_eq!(recs.len(), 11);
    let john = &recs[0];
    assert_eq!(john.line, 2);
    assert_eq!(
        text(john, "proxyAddresses"),
        ["SMTP:john.smith@contoso.com", "smtp:jsmith@contoso.local"]
    );
    let jane = find(&recs, "CN=Smith\\, Jane");
    assert_eq!(text(jane, "displayName"), ["Smith, Jane"]);
    let paul = find(&recs, "CN=Paul");
    assert_eq!(text(paul, "displayName"), ["Paul \"PJ\" O'Brien"]);
    let svc = find(&recs, "CN=svc-backup");
    assert!(values(svc, "userPrincipalName").is_empty());
    assert!(values(svc, "proxyAddresses").is_empty());

    let legacy = find(&recs, "CN=Legacy User");
    assert_eq!(
        text(legacy, "proxyAddresses"),
        [
            "SMTP:legacy.user@contoso.com",
            X400,
            "smtp:legacy@contoso.local"
        ]
    );
    // Select-Object left ObjectClass out and PowerShell 7 writes no #TYPE line: the
    // rows cannot be scoped, which the header's warning says; then the guessed split.
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].line, 1);
    assert!(warnings[0].message.contains("no ObjectClass column"));
    assert_eq!(warnings[1].line, legacy.line);
    assert!(warnings[1].message.contains("guess"));
}

#[test]
fn collection_literal_is_an_error_naming_file_line_and_column() {
    let input = open("pwsh-collection.csv");
    let (items, _) = read(input.bytes(), InputFormat::Auto);
    assert_eq!(items.len(), 3);
    for (i, item) in items.iter().enumerate() {
        let e = item.as_ref().expect_err("no values were exported");
        assert_eq!(e.line, 2 + i as u64);
        let msg = format!("{}:{e}", input.name());
        assert!(
            msg.contains(&format!("pwsh-collection.csv:{}:", 2 + i)),
            "{msg}"
        );
        assert!(msg.contains("column 7 \"ProxyAddresses\""), "{msg}");
        assert!(
            msg.contains("@{n='proxyAddresses';e={$_.proxyAddresses -join ';'}}"),
            "{msg}"
        );
        assert!(
            msg.contains("Microsoft.ActiveDirectory.Management.ADPropertyValueCollection"),
            "{msg}"
        );
    }
}

// ---- robustness -------------------------------------------------------------------

fn drain(bytes: &[u8], format: InputFormat) -> usize {
    let mut r = csvin::records(bytes, format);
    let mut n = 0;
    while let Some(item) = r.next() {
        let _ = r.take_warnings();
        if let Ok(Item::Record(rec)) = item {
            assert!(rec.offset <= bytes.len() * 3 + 3);
            let _ = Entry::from_record(0, rec);
        }
        n += 1;
    }
    let _ = r.position();
    n
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for f in [InputFormat::Auto, InputFormat::Csvde, InputFormat::PwshCsv] {
            drain(&bytes, f);
        }
    }

    #[test]
    fn csv_shaped_input_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("DN"), Just("DistinguishedName"), Just("#TYPE x"), Just(","), Just(";"),
                Just("\t"), Just("\""), Just("\r\n"), Just("\n"), Just("X'"), Just("'"),
                Just("0a"), Just("proxyAddresses"), Just("X400:"), Just("SMTP:a@b"),
                Just("Microsoft.ActiveDirectory.Management.ADPropertyValueCollection"),
                Just("CN=a"), Just("objectClass"), Just("GroupScope"), Just("GroupCategory"),
                Just("Global"), Just("Security"), Just("\u{e9}"), Just("\u{80}"), Just(" "),
            ],
            0..64,
        )
    ) {
        let s: String = parts.concat();
        for f in [InputFormat::Auto, InputFormat::Csvde, InputFormat::PwshCsv] {
            drain(s.as_bytes(), f);
        }
        let (ansi, _, _) = encoding_rs::WINDOWS_1252.encode(&s);
        drain(&ansi, InputFormat::Auto);
    }
}

/// Throughput on a large csvde export (run with `--ignored`; prints rows/s).
#[test]
#[ignore]
fn large_csvde_throughput() {
    let input = open("contoso-csvde.csv");
    let text = std::str::from_utf8(input.bytes()).expect("UTF-8 fixture");
    let mut lines = text.split("\r\n");
    let header = lines.next().expect("header");
    let rows: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    let mut big = String::from(header);
    big.push_str("\r\n");
    for i in 0..20_000 {
        for r in &rows {
            big.push_str(&r.replacen("\"CN=", &format!("\"CN=n{i} "), 1));
            big.push_str("\r\n");
        }
    }
    let t = std::time::Instant::now();
    let n = drain(big.as_bytes(), InputFormat::Auto);
    let s = t.elapsed().as_secs_f64();
    assert_eq!(n, 20_000 * rows.len());
    eprintln!(
        "{n} rows, {} MB in {s:.2} s: {:.0} rows/s, {:.1} MB/s",
        big.len() >> 20,
        n as f64 / s,
        big.len() as f64 / s / 1e6
    );
}

fn ldifix() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("ldifix").unwrap()
}

/// A PowerShell export whose proxy addresses were joined with `-join '|'`: Ann's second
/// address is Bo's mail.
const PIPE_JOINED: &str = "\"DistinguishedName\",\"ObjectClass\",\"SamAccountName\",\"UserPrincipalName\",\"mail\",\"ProxyAddresses\"
\"CN=Ann,OU=Staff,DC=contoso,DC=com\",\"user\",\"ann\",\"ann@contoso.com\",\"ann@contoso.com\",\"SMTP:ann@contoso.com|smtp:bo@contoso.com\"
\"CN=Bo,OU=Staff,DC=contoso,DC=com\",\"user\",\"bo\",\"bo@contoso.com\",\"bo@contoso.com\",\"SMTP:bo@contoso.com\"
";

#[test]
fn csv_join_splits_powershell_multi_values_on_the_given_character() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("users.csv");
    std::fs::write(&csv, PIPE_JOINED).unwrap();
    let csv = csv.to_str().unwrap();
    let proxies = |extra: &[&str]| -> Vec<String> {
        let out = ldifix().args(["dump", csv]).args(extra).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let first = String::from_utf8(out.stdout).unwrap();
        let rec: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
        rec["attrs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p[0] == "proxyAddresses")
            .map(|p| p[1].as_str().unwrap().to_string())
            .collect()
    };
    // By default only ';' joins: the field stays one value.
    assert_eq!(proxies(&[]), ["SMTP:ann@contoso.com|smtp:bo@contoso.com"]);
    assert_eq!(
        proxies(&["--csv-join", "|"]),
        ["SMTP:ann@contoso.com", "smtp:bo@contoso.com"]
    );

    // scan finds the collision only when the values are split.
    let collisions = |extra: &[&str]| -> Vec<String> {
        let json = dir.path().join("scan.json");
        let out = ldifix()
            .args(["scan", csv, "--force", "--quiet", "--json"])
            .arg(&json)
            .args(extra)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        report["collisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(collisions(&[]).is_empty());
    assert_eq!(collisions(&["--csv-join", "|"]), ["bo@contoso.com"]);

    // fix reads the same values: Ann's primary SMTP address is her UPN already once
    // the field is split; unsplit, the whole field would be proposed and refused.
    let plan = |extra: &[&str]| -> String {
        let out = ldifix()
            .args([
                "fix",
                csv,
                "--upn-from-mail",
                "--verified-domain",
                "contoso.com",
            ])
            .args(["--dry-run"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(plan(&[]).contains("0 changes; 1 refused"), "{}", plan(&[]));
    let split = plan(&["--csv-join", "|"]);
    assert!(split.contains("0 changes; 0 refused"), "{split}");

    // A joiner that cannot be one is refused before anything is read.
    for bad in ["", "||", "\""] {
        let out = ldifix()
            .args(["scan", csv, "--csv-join", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--csv-join"));
    }
}

/// `verify --against` reads CSV exports like every other command: a change file planned
/// from a csvde export (UTF-8 or UTF-16) checks out against it, and against an export
/// whose value changed since, the undo file is reported as not restoring it.
#[test]
fn verify_checks_change_files_against_csv_exports() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    for export in ["contoso-csvde.csv", "contoso-csvde-u.csv"] {
        let export = fixture(export);
        let export = export.to_str().unwrap();
        let out = ldifix()
            .args(["fix", export, "--upn-suffix", "contoso.com=fabrikam.com"])
            .args(["-o", &p("c.ldf"), "--undo", &p("u.ldf"), "--force"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("9 changes"), "{text}");
        let out = ldifix()
            .args([
                "verify",
                &p("c.ldf"),
                "--against",
                export,
                "--undo",
                &p("u.ldf"),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(0), "{text}{out:?}");
        assert!(text.contains("verify: OK — 9 records"), "{text}");
    }
    let changed = std::fs::read_to_string(fixture("contoso-csvde.csv"))
        .unwrap()
        .replace("john.smith@contoso.com", "john.smith2@contoso.com");
    std::fs::write(p("changed.csv"), changed).unwrap();
    let out = ldifix()
        .args(["verify", &p("c.ldf"), "--against", &p("changed.csv")])
        .args(["--undo", &p("u.ldf")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("undo-mismatch 1"), "{text}");
    assert!(text.contains("john.smith2@contoso.com"), "{text}");
}

/// A csvde export cut short inside a quoted field (the last row opens its DN's quote and
/// the file ends): every command that reads it names the line where the quote opened and
/// exits 2, and none takes the rest of the file as the DN or writes an output.
#[test]
fn unclosed_quote_is_an_error_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    std::fs::write(
        p("bad.csv"),
        "DN,objectClass,cn,mail\r\n\"CN=A,DC=x\",user,A,a@x.com\r\n\"CN=B,DC=x,user,B,b@x.com\r\n",
    )
    .unwrap();
    let message = "bad.csv:3: expected a closing '\"' for the field opened at line 3 in column 1 \"DN\", before the end of the file (was the export cut short?), found \"CN=B,DC=x,user,B,b@x.com\"";
    let run = |args: &[&str]| {
        let out = ldifix().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}{stdout}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stdout.contains("CN=B"), "{args:?}: {stdout}");
        stdout
    };
    let bad = p("bad.csv");
    let dumped = run(&["dump", &bad]);
    assert_eq!(dumped.lines().count(), 1, "only the row before: {dumped}");
    run(&["scan", &bad]);
    run(&["scan", &bad, "--keep-going"]);
    let plan = run(&[
        "fix",
        &bad,
        "--upn-suffix",
        "a=b",
        "-o",
        &p("o.ldf"),
        "--undo",
        &p("u.ldf"),
    ]);
    assert!(plan.is_empty(), "fix printed a plan: {plan}");
    std::fs::write(
        p("c.ldf"),
        "dn: CN=A,DC=x\nchangetype: modify\nreplace: mail\nmail: z@x.com\n-\n",
    )
    .unwrap();
    run(&["verify", &p("c.ldf"), "--against", &bad]);
    std::fs::write(
        p("edited.csv"),
        "DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n\"CN=A,DC=x\",mail,a@x.com,z@x.com,EDIT\r\n",
    )
    .unwrap();
    run(&[
        "apply-csv",
        &p("edited.csv"),
        "--source",
        &bad,
        "-o",
        &p("o.ldf"),
        "--undo",
        &p("u.ldf"),
    ]);
    for out in ["o.ldf", "u.ldf"] {
        assert!(!dir.path().join(out).exists(), "{out} was written");
    }
}

/// A findings CSV (`scan --csv`, IdFix's export) given where an export is expected is
/// named as such, with the command that takes it, in any delimiter — not read as an
/// Export-Csv whose DISTINGUISHEDNAME column makes every row an object.
#[test]
fn a_findings_csv_is_not_taken_for_an_export() {
    for header in [
        "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION",
        "DISTINGUISHEDNAME;ATTRIBUTE;ERROR;VALUE;UPDATE;ACTION",
    ] {
        let d = sep(header);
        let csv = format!(
            "{header}\r\n\"CN=a,DC=x\"{d}user{d}mail{d}Character{d}a b@x.com{d}ab@x.com{d}Edit{d}EDIT\r\n"
        );
        let (items, _) = read(csv.as_bytes(), InputFormat::Auto);
        let e = match items.first() {
            Some(Err(e)) => e.to_string(),
            other => panic!("expected an error, got {other:?}"),
        };
        assert!(
            e.starts_with("1: expected a directory export (ldifde, csvde, slapcat, Export-Csv), not a findings CSV"),
            "{e}"
        );
        assert!(e.contains("ldifix apply-csv FILE --source EXPORT"), "{e}");
    }
    fn sep(header: &str) -> &'static str {
        if header.contains(';') {
            ";"
        } else {
            ","
        }
    }
}
