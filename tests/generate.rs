//! `ldifix generate` end to end: determinism, every flavour parsing to the same objects,
//! the truth agreeing with the file (collisions re-derived here with an independent
//! normaliser; single-value problems compared with the entra checks), counts and rates,
//! and the import flavour's Samba constraints.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ldifix::ldif::{Item, Parser};
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
    let input = Input::open(path).unwrap();
    let mut out = BTreeMap::new();
    for item in Parser::new(input.bytes()) {
        let Item::Record(r) = item.expect("generated LDIF parses") else {
            continue;
        };
        let e = Entry::from_record(0, r).unwrap();
        let vals: Vec<(String, String)> = e
            .values
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
    out
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
    for fl in ["ldifde-unicode", "openldap", "samba"] {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(["--flavor", fl]);
        let p = gen(dir.path(), &format!("{fl}.ldf"), &args);
        let got = objects(&p);
        assert_eq!(got.len(), reference.len(), "{fl}");
        for (dn, obj) in &reference {
            assert_eq!(got.get(dn), Some(obj), "{fl}: {dn}");
        }
        let raw = std::fs::read(&p).unwrap();
        match fl {
            "ldifde-unicode" => assert!(raw.starts_with(&[0xFF, 0xFE, b'\r', 0, b'\n', 0])),
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
    for item in Parser::new(input.bytes()) {
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
    assert_eq!(count("user"), 6000);
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
