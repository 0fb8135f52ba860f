//! `ldifix generate` end to end: determinism, every flavour parsing to the same objects,
//! the truth agreeing with the file (collisions re-derived here with an independent
//! normaliser; single-value problems compared with the entra checks), counts and rates,
//! and the import flavour's Samba constraints. Every file is read the way the commands
//! read their inputs (`csvin::Records`, format detected from content), so the csvde
//! flavours go through the CSV reader and the LDIF flavours through the LDIF parser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ldifix::csvin::{InputFormat, Records};
use ldifix::ldif::{Item, Limits, Parser, Warning};
use ldifix::model::{Attr, Entry};
use ldifix::rules::entra::{check, EntraContext};
use ldifix::rules::scope::{scope, Scope};
use ldifix::rules::Profile;
use ldifix::source::Input;
use serde_json::Value as Json;

fn gen(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    Command::cargo_bin("ldifix")
        .unwrap()
        .arg("generate")
        .arg("-o")
        .arg(&out)
        .arg("--quiet")
        .args(args)
        .assert()
        .success();
    out
}

fn gen_truth(dir: &Path, name: &str, args: &[&str]) -> (PathBuf, Json) {
    let t = dir.join(format!("{name}.truth.json"));
    let mut a: Vec<&str> = args.to_vec();
    let ts = t.to_str().unwrap().to_string();
    a.push("--truth");
    a.push(&ts);
    let out = gen(dir, name, &a);
    let truth: Json = serde_json::from_slice(&std::fs::read(&t).unwrap()).unwrap();
    (out, truth)
}

const CHECKED: [Attr; 8] = [
    Attr::GivenName,
    Attr::DisplayName,
    Attr::SamAccountName,
    Attr::UserPrincipalName,
    Attr::Mail,
    Attr::ProxyAddresses,
    Attr::MailNickname,
    Attr::TargetAddress,
];

/// dn → (object class, checked values in file order, in scope).
type Objects = BTreeMap<String, (String, Vec<(String, String)>, bool)>;

fn objects(path: &Path) -> Objects {
    let (objs, format, warnings) = objects_and_warnings(path);
    if format == InputFormat::Csvde {
        csvde_warnings_are_the_expected_ones(&objs, &warnings);
    }
    objs
}

/// A proxy address with a `type:` prefix (1 to 16 letters, digits or `-`).
fn typed(v: &str) -> bool {
    match v.split_once(':') {
        Some((t, _)) => {
            (1..=16).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }
        None => false,
    }
}

/// csvde joins values with `;`, so a proxy address without `type:` cannot be told from the
/// rest of the value before it: the generator writes it first and the CSV reader reports
/// each such row as a guessed split (10 rows one by one, the rest summed up in one
/// warning). Nothing else may be warned about: no X.400 value is planted.
fn csvde_warnings_are_the_expected_ones(objs: &Objects, warnings: &[Warning]) {
    let rows = objs
        .values()
        .filter(|o| o.1.iter().any(|(a, v)| a == "proxyAddresses" && !typed(v)))
        .count();
    let expected = rows.min(10) + usize::from(rows > 10);
    assert_eq!(warnings.len(), expected, "{rows} rows: {warnings:?}");
    for w in warnings {
        assert!(
            w.message.contains("\"proxyAddresses\"") && w.message.contains("guess"),
            "{w:?}"
        );
    }
    if rows > 10 {
        let last = &warnings[warnings.len() - 1];
        assert!(
            last.message.contains(&format!("{} more rows", rows - 10)),
            "{last:?}"
        );
    }
}

/// The reference objects in the order the csvde flavours write proxyAddresses: values
/// without a `type:` prefix first.
fn csvde_order(objs: &Objects) -> Objects {
    objs.iter()
        .map(|(dn, (class, vals, inscope))| {
            let mut vals = vals.clone();
            if let Some(start) = vals.iter().position(|(a, _)| a == "proxyAddresses") {
                let end = start
                    + vals[start..]
                        .iter()
                        .take_while(|(a, _)| a == "proxyAddresses")
                        .count();
                vals[start..end].sort_by_key(|(_, v)| typed(v));
            }
            (dn.clone(), (class.clone(), vals, *inscope))
        })
        .collect()
}

/// The objects of a generated file, its detected format and the reader's warnings.
fn objects_and_warnings(path: &Path) -> (Objects, InputFormat, Vec<Warning>) {
    let input = Input::open(path).unwrap();
    let mut out = BTreeMap::new();
    let mut records = Records::new(input.bytes(), InputFormat::Auto, Limits::default());
    let format = records.format();
    for item in records.by_ref() {
        let Item::Record(r) = item.expect("generated file parses") else {
            continue;
        };
        let e = Entry::from_record(0, r).unwrap();
        let vals: Vec<(String, String)> = e
            .values()
            .iter()
            .filter(|v| CHECKED.contains(&v.attr))
            .map(|v| (v.attr.ldap_name().to_string(), v.text.to_string()))
            .collect();
        let inscope = scope(&e, Profile::Entra) == Scope::In;
        let prev = out.insert(
            e.dn.to_string(),
            (e.object_class().unwrap_or("").to_string(), vals, inscope),
        );
        assert!(prev.is_none(), "duplicate DN {}", e.dn);
    }
    let warnings = records.take_warnings();
    (out, format, warnings)
}

#[test]
fn same_options_same_bytes_whatever_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("elsewhere");
    std::fs::create_dir(&sub).unwrap();
    let args = [
        "--users",
        "700",
        "--groups",
        "20",
        "--contacts",
        "30",
        "--seed",
        "42",
    ];
    let a = gen(dir.path(), "a.ldf", &args);
    let b = gen(&sub, "b-other-name.ldf", &args);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let c = gen(
        dir.path(),
        "c.ldf",
        &[
            "--users",
            "700",
            "--groups",
            "20",
            "--contacts",
            "30",
            "--seed",
            "43",
        ],
    );
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());
    // Refuses to overwrite without --force.
    Command::cargo_bin("ldifix")
        .unwrap()
        .args(["generate", "--quiet", "-o"])
        .arg(&a)
        .assert()
        .code(2);
}

#[test]
fn every_flavour_parses_to_the_same_objects() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "--users",
        "400",
        "--groups",
        "12",
        "--contacts",
        "40",
        "--defect-rate",
        "0.3",
        "--domain",
        "contoso.local",
        "--domain",
        "fabrikam.com",
    ];
    let mut args: Vec<&str> = base.to_vec();
    args.extend(["--flavor", "ldifde"]);
    let reference = objects(&gen(dir.path(), "ldifde.ldf", &args));
    let raw = std::fs::read(dir.path().join("ldifde.ldf")).unwrap();
    assert!(
        raw.starts_with(b"\r\ndn: "),
        "ldifde starts with an empty line"
    );
    assert!(raw.is_ascii(), "ldifde output is 7-bit");
    for fl in [
        "ldifde-unicode",
        "openldap",
        "samba",
        "csvde",
        "csvde-unicode",
    ] {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(["--flavor", fl]);
        let ext = if fl.starts_with("csvde") {
            "csv"
        } else {
            "ldf"
        };
        let p = gen(dir.path(), &format!("{fl}.{ext}"), &args);
        let (got, format, warnings) = objects_and_warnings(&p);
        let want = if ext == "csv" {
            InputFormat::Csvde
        } else {
            InputFormat::Ldif
        };
        assert_eq!(format, want, "{fl}");
        if format == InputFormat::Csvde {
            // One warning per row with a proxy address without `type:` (written first),
            // nothing else.
            csvde_warnings_are_the_expected_ones(&got, &warnings);
        }
        let reference = if ext == "csv" {
            let ordered = csvde_order(&reference);
            assert!(ordered != reference, "the defect rate plants proxy-prefix");
            ordered
        } else {
            reference.clone()
        };
        assert_eq!(got.len(), reference.len(), "{fl}");
        for (dn, obj) in &reference {
            assert_eq!(got.get(dn), Some(obj), "{fl}: {dn}");
        }
        let raw = std::fs::read(&p).unwrap();
        match fl {
            "ldifde-unicode" => assert!(raw.starts_with(&[0xFF, 0xFE, b'\r', 0, b'\n', 0])),
            "csvde" => {
                assert!(raw.starts_with(b"DN,objectClass,"));
                let s = String::from_utf8(raw).unwrap();
                assert!(s.contains(",X'") && !s.contains("X400:"));
                assert!(s.contains("\r\n\"CN=") && s.ends_with("\r\n"));
            }
            "csvde-unicode" => {
                assert!(raw.starts_with(&[0xFF, 0xFE, b'D', 0, b'N', 0, b',', 0]));
                let text = String::from_utf16(
                    &raw[2..]
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect::<Vec<_>>(),
                )
                .unwrap();
                let plain = std::fs::read(dir.path().join("csvde.csv")).unwrap();
                assert_eq!(text.as_bytes(), &plain[..], "csvde -u = csvde in UTF-16LE");
            }
            "openldap" => {
                assert!(raw.starts_with(b"version: 1\n"));
                let s = String::from_utf8(raw).unwrap();
                assert!(s.lines().all(|l| l.len() <= 76 || l.starts_with('#')));
            }
            _ => {
                let s = String::from_utf8(raw).unwrap();
                assert!(s.contains("# record 1\ndn: "));
                assert!(s.contains("dn: CN=Users,OU=Zürich,") || s.contains("OU=Zürich,OU=Europe"));
                assert!(s.contains("# Referral\nref: ldap://"));
                assert!(s.contains("objectSid: S-1-5-21-"));
            }
        }
    }
    // The import flavour holds the same people, without system objects.
    let mut args: Vec<&str> = base[..6].to_vec();
    args.extend(["--flavor", "import", "--defect-rate", "0"]);
    let imp = objects(&gen(dir.path(), "import.ldif", &args));
    let mut args: Vec<&str> = base[..6].to_vec();
    args.extend(["--defect-rate", "0"]);
    let full = objects(&gen(dir.path(), "full.ldf", &args));
    for (dn, o) in &imp {
        if o.0 == "user" || o.0 == "group" || o.0 == "contact" {
            assert_eq!(full.get(dn), Some(o), "{dn}");
        }
    }
}

/// The independent normaliser: address = UPN, mail, SMTP proxy/target without `smtp:`,
/// trimmed and lower-cased; proxy = other typed proxy/target values as `type:address`;
/// mailNickname lower-cased.
fn norm(attr: &str, v: &str) -> Option<(String, String)> {
    let lower = |s: &str| s.trim().to_lowercase();
    match attr {
        "userPrincipalName" | "mail" => Some(("address".into(), lower(v))),
        "mailNickname" => Some(("mailNickname".into(), lower(v))),
        "proxyAddresses" | "targetAddress" => {
            let v = v.trim_start();
            let (t, a) = v.split_once(':')?;
            if t.is_empty() {
                return None;
            }
            if t.trim().eq_ignore_ascii_case("smtp") {
                Some(("address".into(), lower(a)))
            } else {
                Some(("proxy".into(), format!("{}:{}", lower(t), lower(a))))
            }
        }
        _ => None,
    }
    .filter(|(_, k)| !k.is_empty())
}

type Holders = BTreeSet<(String, String, String)>;
type Group = (String, String, Holders);

fn derive_collisions(objs: &Objects) -> BTreeSet<Group> {
    let mut by_key: BTreeMap<(String, String), Holders> = BTreeMap::new();
    for (dn, (_, vals, inscope)) in objs {
        if !inscope {
            continue;
        }
        for (a, v) in vals {
            if let Some(k) = norm(a, v) {
                by_key
                    .entry(k)
                    .or_default()
                    .insert((dn.clone(), a.clone(), v.clone()));
            }
        }
    }
    by_key
        .into_iter()
        .filter(|(_, h)| h.iter().map(|x| &x.0).collect::<BTreeSet<_>>().len() >= 2)
        .map(|((ns, k), h)| (ns, k, h))
        .collect()
}

fn truth_collisions(t: &Json) -> BTreeSet<Group> {
    t["collisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let h = c["holders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    (
                        h["dn"].as_str().unwrap().to_string(),
                        h["attribute"].as_str().unwrap().to_string(),
                        h["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (
                c["namespace"].as_str().unwrap().to_string(),
                c["key"].as_str().unwrap().to_string(),
                h,
            )
        })
        .collect()
}

fn truth_agrees(args: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (p, t) = gen_truth(dir.path(), "f.ldf", args);
    let objs = objects(&p);
    // Collisions, re-derived from the records.
    let derived = derive_collisions(&objs);
    let listed = truth_collisions(&t);
    assert!(!listed.is_empty());
    let only_file: Vec<_> = derived.difference(&listed).take(3).collect();
    let only_truth: Vec<_> = listed.difference(&derived).take(3).collect();
    assert!(
        only_file.is_empty() && only_truth.is_empty(),
        "only in file: {only_file:?}\nonly in truth: {only_truth:?}"
    );
    // Single-value problems: exactly what the entra checks find, nothing else.
    let ctx = EntraContext::default();
    let input = Input::open(&p).unwrap();
    let mut found = BTreeSet::new();
    for item in Records::new(input.bytes(), InputFormat::Auto, Limits::default()) {
        let Ok(Item::Record(r)) = item else { continue };
        let e = Entry::from_record(0, r).unwrap();
        if scope(&e, Profile::Entra) != Scope::In {
            continue;
        }
        for f in check(&e, &ctx) {
            for rule in &f.rules {
                found.insert((
                    e.dn.to_string(),
                    f.attribute.to_string(),
                    f.value.clone(),
                    rule.to_string(),
                ));
            }
        }
    }
    let mut expected = BTreeSet::new();
    let mut dup_expected = BTreeSet::new();
    for p in t["problems"].as_array().unwrap() {
        let key = (
            p["dn"].as_str().unwrap().to_string(),
            p["attribute"].as_str().unwrap().to_string(),
            p["value"].as_str().unwrap().to_string(),
            p["rule"].as_str().unwrap().to_string(),
        );
        if p["errors"][0] == "Duplicate" {
            dup_expected.insert(key);
        } else {
            expected.insert(key);
        }
    }
    let missing: Vec<_> = expected.difference(&found).take(5).collect();
    let extra: Vec<_> = found.difference(&expected).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    // Every holder of every collision is a Duplicate problem, and nothing else is.
    let holders: BTreeSet<_> = listed
        .iter()
        .flat_map(|(ns, _, h)| {
            h.iter().map(move |(d, a, v)| {
                let rule = match ns.as_str() {
                    "mailNickname" => "nick-duplicate",
                    "proxy" => "proxy-duplicate",
                    _ => "address-duplicate",
                };
                (d.clone(), a.clone(), v.clone(), rule.to_string())
            })
        })
        .collect();
    assert_eq!(holders, dup_expected);
    // Rewrite collisions: the rewritten UPN is held by the partner.
    for r in t["rewrite_collisions"].as_array().unwrap() {
        let upn = r["upn"].as_str().unwrap();
        let (local, _) = upn.rsplit_once('@').unwrap();
        let cw = &r["conflicts_with"];
        let v = cw["value"].as_str().unwrap();
        assert!(v
            .to_lowercase()
            .starts_with(&format!("{}@", local.to_lowercase())));
        let holder = &objs[cw["dn"].as_str().unwrap()];
        assert!(holder
            .1
            .iter()
            .any(|(a, x)| a == cw["attribute"].as_str().unwrap() && x == v));
    }
}

#[test]
fn truth_agrees_with_the_file() {
    truth_agrees(&[
        "--users",
        "3000",
        "--groups",
        "40",
        "--contacts",
        "300",
        "--defect-rate",
        "0.5",
        "--local-upn-share",
        "0.05",
        "--domain",
        "contoso.local",
        "--domain",
        "fabrikam.local",
    ]);
}

#[test]
fn truth_agrees_in_samba_and_import_flavours() {
    truth_agrees(&[
        "--users",
        "1500",
        "--contacts",
        "100",
        "--defect-rate",
        "0.5",
        "--flavor",
        "samba",
    ]);
    truth_agrees(&[
        "--users",
        "1500",
        "--contacts",
        "100",
        "--defect-rate",
        "0.5",
        "--flavor",
        "import",
    ]);
}

#[test]
fn counts_and_rates_are_respected() {
    let dir = tempfile::tempdir().unwrap();
    let (p, t) = gen_truth(
        dir.path(),
        "f.ldf",
        &[
            "--users",
            "6000",
            "--groups",
            "30",
            "--contacts",
            "500",
            "--defect-rate",
            "0.2",
            "--rate",
            "dup-mail=0.05",
        ],
    );
    let objs = objects(&p);
    let count = |c: &str| objs.values().filter(|o| o.0 == c && o.2).count();
    // Every requested user is in scope, and so is the domain's health mailbox: Entra
    // Connect syncs it (no default rule leaves it out).
    let health = objs
        .iter()
        .filter(|(dn, o)| o.2 && dn.contains("CN=Monitoring Mailboxes,"))
        .count();
    assert_eq!(health, 1);
    assert_eq!(count("user"), 6000 + health);
    assert_eq!(objs.values().filter(|o| o.0 == "group").count(), 30);
    assert_eq!(count("contact"), 500);
    let planted = t["summary"]["planted_by_kind"].as_object().unwrap();
    let dup_mail = planted["dup-mail"].as_u64().unwrap() as f64;
    // dup-mail: 5% of users + 5% of contacts + 5% of mail-enabled groups.
    assert!(
        (dup_mail / 6500.0 - 0.05).abs() < 0.012,
        "dup-mail {dup_mail}"
    );
    let total: u64 = planted.values().map(|v| v.as_u64().unwrap()).sum();
    let share = total as f64 / 6500.0;
    assert!((share - 0.25).abs() < 0.03, "planted share {share}");
    // With --defect-rate 0 the file is clean: no finding and no collision.
    let (p, t) = gen_truth(
        dir.path(),
        "clean.ldf",
        &["--users", "2000", "--defect-rate", "0"],
    );
    assert!(t["problems"].as_array().unwrap().is_empty());
    assert!(derive_collisions(&objects(&p)).is_empty());
}

#[test]
fn import_flavour_meets_samba_constraints() {
    let dir = tempfile::tempdir().unwrap();
    let p = gen(
        dir.path(),
        "load.ldif",
        &[
            "--flavor",
            "import",
            "--users",
            "3000",
            "--contacts",
            "200",
            "--defect-rate",
            "1",
            "--local-upn-share",
            "0",
        ],
    );
    let text = String::from_utf8(std::fs::read(&p).unwrap()).unwrap();
    assert!(!text.contains('\r'));
    assert!(text.starts_with("dn: OU=Corp,DC=contoso,DC=local\n"));
    for bad in [
        "changetype:",
        "objectGUID",
        "objectSid",
        "whenCreated",
        "memberOf",
        "krbtgt",
        "CNF:",
        "# ",
    ] {
        assert!(!text.contains(bad), "{bad}");
    }
    let input = Input::open(&p).unwrap();
    let mut upns = BTreeSet::new();
    let mut seen_dns = BTreeSet::new();
    for item in Parser::new(input.bytes()) {
        let Item::Record(r) = item.unwrap() else {
            continue;
        };
        let e = Entry::from_record(0, r).unwrap();
        // Parents and group members exist before use.
        if let Some((_, parent)) = e.dn.split_once(",OU=") {
            let parent = format!("OU={parent}");
            assert!(
                seen_dns.contains(&parent) || !parent.contains("OU=Corp"),
                "{parent}"
            );
        }
        if let Some(u) = e.get(Attr::UserPrincipalName) {
            assert!(upns.insert(u.to_lowercase()), "duplicate UPN {u}");
        }
        if let Some(s) = e.get(Attr::SamAccountName) {
            assert!(
                !s.contains('.') && !s.contains('[') && s.chars().count() <= 20,
                "{s}"
            );
        }
        let px: Vec<String> = e
            .all(Attr::ProxyAddresses)
            .map(|v| v.text.to_lowercase())
            .collect();
        let uniq: BTreeSet<_> = px.iter().collect();
        assert_eq!(uniq.len(), px.len(), "same proxy twice in {}", e.dn);
        seen_dns.insert(e.dn.to_string());
    }
    let members = text.lines().filter(|l| l.starts_with("member: ")).count();
    assert!(members > 0);
    assert!(upns.len() >= 3000);
}

#[test]
fn list_kinds_and_bad_options() {
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .args(["generate", "--list-kinds"])
        .assert()
        .success();
    let s = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(s.contains("upn-local-suffix") && s.contains("rewrite-collision"));
    Command::cargo_bin("ldifix")
        .unwrap()
        .args(["generate", "-o", "/nonexistent/x.ldf", "--rate", "nope=0.1"])
        .assert()
        .code(2);
    Command::cargo_bin("ldifix")
        .unwrap()
        .args([
            "generate",
            "-o",
            "/nonexistent/x.ldf",
            "--flavor",
            "import",
            "--domain",
            "a.local",
            "--domain",
            "b.local",
        ])
        .assert()
        .code(2);
}

#[test]
fn truth_agrees_in_csvde_flavours() {
    let base = [
        "--users",
        "2000",
        "--groups",
        "30",
        "--contacts",
        "200",
        "--defect-rate",
        "0.5",
        "--local-upn-share",
        "0.05",
        "--domain",
        "contoso.local",
        "--domain",
        "fabrikam.local",
    ];
    for fl in ["csvde", "csvde-unicode"] {
        let mut args = base.to_vec();
        args.extend(["--flavor", fl]);
        truth_agrees(&args);
    }
}

#[test]
fn csvde_same_options_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("other");
    std::fs::create_dir(&sub).unwrap();
    let args = [
        "--users",
        "600",
        "--contacts",
        "40",
        "--defect-rate",
        "0.3",
        "--flavor",
        "csvde",
    ];
    let a = gen(dir.path(), "a.csv", &args);
    let b = gen(&sub, "b.csv", &args);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // The header is written before any row and is the union of the columns rows use:
    // every row has exactly as many fields as the header.
    let input = Input::open(&a).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(input.bytes());
    let mut n = 0;
    for rec in rdr.byte_records() {
        rec.expect("every row has the header's field count");
        n += 1;
    }
    assert!(n > 640, "{n} rows");
}

/// csvde joins multiple values with `;` and cannot escape a `;` inside one, so an X.400
/// proxy address (`X400:c=US;a= ;…`) does not round-trip: the generator never plants one
/// (in any flavour), and the CSV reader warns when it meets one.
#[test]
fn x400_proxy_in_csvde_is_reported_not_silently_split() {
    use ldifix::generate::emit::{CsvLayout, Emitter};
    use ldifix::generate::Flavor;
    let layout = CsvLayout::new(["objectClass", "mail", "proxyAddresses"]);
    let mut buf = Vec::new();
    layout.header(&mut buf);
    {
        let mut e = Emitter::csv(&mut buf, Flavor::Csvde, &layout);
        e.start("CN=John Smith,OU=Users,DC=contoso,DC=local", 1);
        for c in ["top", "person", "organizationalPerson", "user"] {
            e.text("objectClass", c);
        }
        e.text("mail", "j@contoso.com");
        e.text("proxyAddresses", "SMTP:j@contoso.com");
        e.text(
            "proxyAddresses",
            "X400:c=US;a= ;p=Contoso;o=Exchange;s=Smith;g=John;",
        );
        e.text("proxyAddresses", "smtp:js@contoso.com");
        e.end();
        e.start("CN=Ann Lee,OU=Users,DC=contoso,DC=local", 2);
        e.text("objectClass", "user");
        e.text("proxyAddresses", "SMTP:ann@contoso.com");
        e.end();
    }
    let text = String::from_utf8(buf.clone()).unwrap();
    assert_eq!(
        text,
        "DN,objectClass,mail,proxyAddresses\r\n\
         \"CN=John Smith,OU=Users,DC=contoso,DC=local\",user,j@contoso.com,\
         SMTP:j@contoso.com;X400:c=US;a= ;p=Contoso;o=Exchange;s=Smith;g=John;;smtp:js@contoso.com\r\n\
         \"CN=Ann Lee,OU=Users,DC=contoso,DC=local\",user,,SMTP:ann@contoso.com\r\n"
    );
    let mut r = Records::new(&buf, InputFormat::Auto, Limits::default());
    let recs: Vec<_> = r.by_ref().map(|i| i.unwrap()).collect();
    assert_eq!(recs.len(), 2);
    let w = r.take_warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].line, 2);
    assert!(w[0].message.contains("proxyAddresses") && w[0].message.contains("X.400"));
}

/// The (dn, attribute, value, rule) of every finding of `ldifix scan --json`.
fn scan_findings(path: &Path, json: &Path) -> BTreeSet<(String, String, String, String)> {
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .arg("scan")
        .arg(path)
        .arg("--json")
        .arg(json)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "scan {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Json = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    let mut set = BTreeSet::new();
    for f in doc["findings"].as_array().unwrap() {
        for rule in f["rules"].as_array().unwrap() {
            set.insert((
                f["dn"].as_str().unwrap().to_string(),
                f["attribute"].as_str().unwrap().to_string(),
                f["value"].as_str().unwrap().to_string(),
                rule.as_str().unwrap().to_string(),
            ));
        }
    }
    set
}

/// `ldifix scan` finds the same problems in a csvde export as in the ldifde export of the
/// same forest (line numbers differ; no X.400 value is planted, so nothing is lost to
/// csvde's `;` joining).
#[test]
fn scan_finds_the_same_in_csvde_as_in_ldifde() {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "--users",
        "1500",
        "--groups",
        "20",
        "--contacts",
        "150",
        "--defect-rate",
        "0.4",
        "--local-upn-share",
        "0.05",
        "--domain",
        "contoso.local",
        "--domain",
        "fabrikam.com",
    ];
    let mut a = base.to_vec();
    a.extend(["--flavor", "ldifde"]);
    let ldf = gen(dir.path(), "f.ldf", &a);
    let mut a = base.to_vec();
    a.extend(["--flavor", "csvde"]);
    let csv = gen(dir.path(), "f.csv", &a);
    let from_ldf = scan_findings(&ldf, &dir.path().join("ldf.json"));
    let from_csv = scan_findings(&csv, &dir.path().join("csv.json"));
    assert!(from_ldf.len() > 100, "{}", from_ldf.len());
    let only_ldf: Vec<_> = from_ldf.difference(&from_csv).take(5).collect();
    let only_csv: Vec<_> = from_csv.difference(&from_ldf).take(5).collect();
    assert!(
        only_ldf.is_empty() && only_csv.is_empty(),
        "only in ldifde: {only_ldf:?}\nonly in csvde: {only_csv:?}"
    );
}

/// A duplicate kind needs a clean user to copy a value from: at a rate that leaves none,
/// the objects stay clean, and generate says so (stderr, exit 0) and counts them in the
/// truth's `unplanted_by_kind`; at an ordinary rate there is no such count.
#[test]
fn duplicates_without_a_clean_partner_are_counted_and_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.json");
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .args([
            "generate",
            "-q",
            "--defect-rate",
            "0",
            "--groups",
            "0",
            "--contacts",
            "0",
        ])
        .args(["--users", "50", "--rate", "dup-upn=1", "-o"])
        .arg(dir.path().join("g.ldf"))
        .arg("--truth")
        .arg(&t)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: 50 objects drew a duplicate or rewrite-collision kind")
            && stderr.contains("(dup-upn 50)"),
        "{stderr}"
    );
    let truth: Json = serde_json::from_slice(&std::fs::read(&t).unwrap()).unwrap();
    assert_eq!(truth["summary"]["unplanted_by_kind"]["dup-upn"], 50);
    assert!(truth["summary"]["planted_by_kind"].get("dup-upn").is_none());

    let (_, truth) = gen_truth(
        dir.path(),
        "ok.ldf",
        &["--users", "200", "--rate", "dup-upn=0.1"],
    );
    assert!(
        truth["summary"].get("unplanted_by_kind").is_none(),
        "{}",
        truth["summary"]
    );
    assert!(
        truth["summary"]["planted_by_kind"]["dup-upn"]
            .as_u64()
            .unwrap()
            > 0
    );
}

/// The truth lists every value a planted rewrite collision would collide with
/// (`conflicts_with_all`): for each user `fix` refuses, the DNs it names are exactly the
/// truth's — also when an object copied the partner's address (a contact's planted
/// duplicate mail).
#[test]
fn rewrite_collisions_list_every_holder_fix_names() {
    let dir = tempfile::tempdir().unwrap();
    let (x, truth) = gen_truth(
        dir.path(),
        "rw.ldf",
        &[
            "--users",
            "5000",
            "--domain",
            "contoso.local",
            "--domain",
            "fabrikam.local",
            "--local-upn-share",
            "0.5",
            "--rate",
            "rewrite-collision=0.05",
            "--defect-rate",
            "0.1",
        ],
    );
    let rep = dir.path().join("rep.json");
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .arg("fix")
        .arg(&x)
        .args([
            "--upn-suffix",
            "contoso.local=contoso.com",
            "--upn-suffix",
            "fabrikam.local=fabrikam.com",
            "-q",
            "-o",
        ])
        .arg(dir.path().join("c.ldf"))
        .arg("--undo")
        .arg(dir.path().join("u.ldf"))
        .arg("--report")
        .arg(&rep)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let dns = |v: &Json, key: &str| -> BTreeSet<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.get("dn").unwrap_or(h).as_str().unwrap().to_string())
            .collect()
    };
    let want: BTreeMap<String, BTreeSet<String>> = truth["rewrite_collisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["dn"].as_str().unwrap().to_string(),
                dns(r, "conflicts_with_all"),
            )
        })
        .collect();
    let report: Json = serde_json::from_slice(&std::fs::read(&rep).unwrap()).unwrap();
    let got: BTreeMap<String, BTreeSet<String>> = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reason"].as_str().unwrap().starts_with("collision"))
        .map(|r| {
            (
                r["dn"].as_str().unwrap().to_string(),
                dns(r, "conflicting_dns"),
            )
        })
        .collect();
    assert!(!want.is_empty());
    assert!(
        want.values().any(|h| h.len() > 1),
        "no collision with two holders planted"
    );
    assert_eq!(got, want);
}

/// A user's pwdLastSet, lastLogon and lastLogonTimestamp lie between its whenCreated and
/// the pretended export date (2025-01-01), the password set before the last logon.
#[test]
fn logon_times_are_plausible() {
    let dir = tempfile::tempdir().unwrap();
    let x = gen(dir.path(), "t.ldf", &["--users", "2000", "--seed", "5"]);
    let text = std::fs::read_to_string(&x).unwrap();
    // FILETIME (100 ns since 1601) to seconds since 1970.
    let unix = |v: &str| v.parse::<i64>().unwrap() / 10_000_000 - 11_644_473_600;
    let exported = 1_735_689_600;
    let mut users = 0;
    for rec in text.split("\r\n\r\n") {
        let get = |k: &str| {
            rec.split("\r\n")
                .find_map(|l| l.strip_prefix(k).and_then(|v| v.strip_prefix(": ")))
        };
        let (Some(created), Some(pwd), Some(logon), Some(stamp)) = (
            get("whenCreated"),
            get("pwdLastSet"),
            get("lastLogon"),
            get("lastLogonTimestamp"),
        ) else {
            continue;
        };
        users += 1;
        // whenCreated is YYYYMMDDhhmmss.0Z: compare as Unix seconds via the days since 1970.
        let y: i64 = created[..4].parse().unwrap();
        let m: i64 = created[4..6].parse().unwrap();
        let d: i64 = created[6..8].parse().unwrap();
        let secs: i64 = created[8..10].parse::<i64>().unwrap() * 3600
            + created[10..12].parse::<i64>().unwrap() * 60
            + created[12..14].parse::<i64>().unwrap();
        // Days from civil (Howard Hinnant's algorithm).
        let (yy, mm) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
        let era = yy.div_euclid(400);
        let yoe = yy - era * 400;
        let doy = (153 * mm + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let c = (era * 146_097 + doe - 719_468) * 86_400 + secs;
        let (p, l, s) = (unix(pwd), unix(logon), unix(stamp));
        assert!(c <= p && p <= l && l <= exported, "{rec}");
        assert!(c <= s && s <= l && l - s <= 14 * 86_400, "{rec}");
    }
    assert_eq!(users, 2000);
}
