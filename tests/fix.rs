//! `ldifix fix` and `ldifix apply-csv` end to end: suffix rewrite semantics, collision
//! and UPN refusals, exact change-file bytes, undo round trips through our own parser,
//! and the safety rules (dry run, no overwrite, inputs untouched).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use base64::Engine as _;
use ldifix::ldif::{Body, Item, ModOp, Parser, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn ldifix() -> Command {
    Command::cargo_bin("ldifix").unwrap()
}

fn b64(s: &str) -> String {
    B64.encode(s.as_bytes())
}

/// The main fixture: LF, one object per situation.
fn export() -> String {
    let joerg = b64("CN=Jörg Müller,OU=Staff,DC=contoso,DC=local");
    format!(
        "dn: CN=Jane Doe,OU=Staff,DC=contoso,DC=local
objectClass: top
objectClass: user
sAMAccountName: jane
userPrincipalName: Jane@Contoso.Local
mail: jane@fabrikam.com
proxyAddresses: SMTP:jane@fabrikam.com

dn:: {joerg}
objectClass: user
sAMAccountName: joerg
userPrincipalName: joerg@CONTOSO.LOCAL

dn: CN=Other Suffix,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: other
userPrincipalName: other@fabrikam.com

dn: CN=Taken,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: taken
userPrincipalName: taken@contoso.com

dn: CN=Taker,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: taker
userPrincipalName: Taken@contoso.local

dn: CN=Mail Holder,OU=Staff,DC=contoso,DC=local
objectClass: contact
mail: mh@contoso.com

dn: CN=Mail Taker,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: mailtaker
userPrincipalName: mh@contoso.local

dn: CN=Proxy Holder,OU=Groups,DC=contoso,DC=local
objectClass: group
groupType: 8
proxyAddresses: smtp:PH@contoso.com

dn: CN=Proxy Taker,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: proxytaker
userPrincipalName: ph@contoso.local

dn: CN=Twin A,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: twina
userPrincipalName: twin@contoso.local

dn: CN=Twin B,OU=Staff,DC=corp,DC=contoso,DC=local
objectClass: user
sAMAccountName: twinb
userPrincipalName: twin@corp.contoso.local

dn: CN=Bad Space,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: badspace
userPrincipalName: bad space@contoso.local

dn: CN=Critical,CN=Users,DC=contoso,DC=local
objectClass: user
sAMAccountName: critical
isCriticalSystemObject: TRUE
userPrincipalName: crit@contoso.local

dn: CN=No Upn,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: noupn
mail: No.Upn@contoso.com
"
    )
}

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn write(&self, name: &str, content: &[u8]) -> PathBuf {
        let p = self.p(name);
        std::fs::write(&p, content).unwrap();
        p
    }
    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.p(name)).unwrap()
    }
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The directory as an in-memory model: DN → attribute (lower-case) → values in order.
type Model = BTreeMap<Vec<u8>, BTreeMap<String, Vec<Vec<u8>>>>;

fn model(ldif: &[u8]) -> Model {
    let mut m = Model::new();
    for item in Parser::new(ldif) {
        let Item::Record(r) = item.unwrap() else {
            continue;
        };
        let Body::Attrs(attrs) = r.body else {
            panic!("not a content record")
        };
        let e = m.entry(r.dn.to_vec()).or_default();
        for a in attrs {
            let Value::Bytes(b) = a.value else { panic!() };
            e.entry(a.name.to_lowercase()).or_default().push(b.to_vec());
        }
    }
    m
}

/// Apply a change file to the model as a directory would (modify records only).
fn apply(m: &mut Model, changes: &[u8]) -> usize {
    let mut n = 0;
    for item in Parser::new(changes) {
        let Item::Record(r) = item.unwrap() else {
            continue;
        };
        let Body::Modify(mods) = r.body else {
            panic!("not a modify record")
        };
        n += 1;
        let e = m.entry(r.dn.to_vec()).or_default();
        for md in mods {
            let name = md.attr.to_lowercase();
            let vals: Vec<Vec<u8>> = md.values.iter().map(|v| v.as_bytes().to_vec()).collect();
            match md.op {
                ModOp::Replace => {
                    e.remove(&name);
                    if !vals.is_empty() {
                        e.insert(name, vals);
                    }
                }
                ModOp::Add => {
                    let cur = e.entry(name.clone()).or_default();
                    for v in vals {
                        assert!(!cur.contains(&v), "add of an existing value {v:?}");
                        cur.push(v);
                    }
                }
                ModOp::Delete => {
                    let cur = e.get_mut(&name).expect("delete from an absent attribute");
                    // No value: the whole attribute goes.
                    if vals.is_empty() {
                        cur.clear();
                    }
                    for v in vals {
                        let i = cur
                            .iter()
                            .position(|x| *x == v)
                            .expect("delete of a missing value");
                        cur.remove(i);
                    }
                    if cur.is_empty() {
                        e.remove(&name);
                    }
                }
                ModOp::Increment => panic!("increment"),
            }
        }
    }
    n
}

fn upn(m: &Model, dn: &str) -> Option<String> {
    m.get(dn.as_bytes())
        .and_then(|e| e.get("userprincipalname"))
        .map(|v| String::from_utf8(v[0].clone()).unwrap())
}

fn sha(p: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(p).unwrap().hash(&mut h);
    h.finish()
}

fn run_fix(d: &Dir, extra: &[&str]) -> (i32, String) {
    let input = d.p("export.ldf");
    let out = ldifix()
        .arg("fix")
        .arg(s(&input))
        .args([
            "--upn-suffix",
            "contoso.local=contoso.com",
            "--upn-suffix",
            "corp.contoso.local=contoso.com",
        ])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// [`run_fix`] writing the change file c.ldf, the undo file u.ldf and the report r.csv
/// into `d`.
fn run_fix_writing(d: &Dir, extra: &[&str]) -> (i32, String) {
    let (c, u, r) = (d.p("c.ldf"), d.p("u.ldf"), d.p("r.csv"));
    let mut args = vec!["-o", s(&c), "--undo", s(&u), "--report", s(&r)];
    args.extend_from_slice(extra);
    run_fix(d, &args)
}

/// Run `apply-csv` on the edited CSV text `csv` against `input`, writing c.ldf, u.ldf and
/// the report r.csv into `d`: the exit status, standard output and the refused report rows
/// as (dn, reason, conflicting DN).
fn apply_csv_refusals(
    d: &Dir,
    csv: &str,
    input: &Path,
) -> (Option<i32>, String, Vec<(String, String, String)>) {
    let csv_path = d.write("edited.csv", csv.as_bytes());
    let out = ldifix()
        .args(["apply-csv", s(&csv_path), "--source", s(input)])
        .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
        .args(["--report", s(&d.p("r.csv"))])
        .output()
        .unwrap();
    let refused = report_rows(&d.p("r.csv"))
        .iter()
        .filter(|r| r["status"] == "refused")
        .map(|r| {
            (
                r["dn"].clone(),
                r["reason"].clone(),
                r["conflicting_dn"].clone(),
            )
        })
        .collect();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        refused,
    )
}

fn report_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .zip(rec.iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn suffix_rewrite_collisions_and_undo_round_trip() {
    let d = Dir::new();
    let input = d.write("export.ldf", export().as_bytes());
    let before = sha(&input);
    let (code, out) = run_fix(
        &d,
        &[
            "--upn-from-mail",
            "-o",
            s(&d.p("changes.ldf")),
            "--undo",
            s(&d.p("undo.ldf")),
            "--report",
            s(&d.p("report.csv")),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(sha(&input), before, "input modified");

    let original = model(export().as_bytes());
    let mut m = original.clone();
    let changes = d.read("changes.ldf");
    assert!(changes.is_ascii());
    apply(&mut m, &changes);

    // Case-insensitive match, prefix kept byte for byte.
    assert_eq!(
        upn(&m, "CN=Jane Doe,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("Jane@contoso.com")
    );
    assert_eq!(
        upn(&m, "CN=Jörg Müller,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("joerg@contoso.com")
    );
    // Only OLD suffixes; out of scope untouched.
    assert_eq!(
        upn(&m, "CN=Other Suffix,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("other@fabrikam.com")
    );
    assert_eq!(
        upn(&m, "CN=Critical,CN=Users,DC=contoso,DC=local").as_deref(),
        Some("crit@contoso.local")
    );
    // Absent attribute added from mail.
    assert_eq!(
        upn(&m, "CN=No Upn,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("No.Upn@contoso.com")
    );
    // Refused ones unchanged.
    for dn in [
        "CN=Taker,OU=Staff,DC=contoso,DC=local",
        "CN=Mail Taker,OU=Staff,DC=contoso,DC=local",
        "CN=Proxy Taker,OU=Staff,DC=contoso,DC=local",
        "CN=Twin A,OU=Staff,DC=contoso,DC=local",
        "CN=Twin B,OU=Staff,DC=corp,DC=contoso,DC=local",
        "CN=Bad Space,OU=Staff,DC=contoso,DC=local",
    ] {
        assert_eq!(
            m.get(dn.as_bytes()),
            original.get(dn.as_bytes()),
            "{dn} changed"
        );
    }

    // The report names both DNs of every collision, and the UPN refusal.
    let rows = report_rows(&d.p("report.csv"));
    let refused: BTreeMap<String, (String, String)> = rows
        .iter()
        .filter(|r| r["status"] == "refused")
        .map(|r| {
            (
                r["dn"].clone(),
                (r["reason"].clone(), r["conflicting_dn"].clone()),
            )
        })
        .collect();
    let conflict = |dn: &str| refused.get(dn).map(|x| x.1.as_str()).unwrap_or("<none>");
    assert_eq!(
        conflict("CN=Taker,OU=Staff,DC=contoso,DC=local"),
        "CN=Taken,OU=Staff,DC=contoso,DC=local"
    );
    assert_eq!(
        conflict("CN=Mail Taker,OU=Staff,DC=contoso,DC=local"),
        "CN=Mail Holder,OU=Staff,DC=contoso,DC=local"
    );
    assert_eq!(
        conflict("CN=Proxy Taker,OU=Staff,DC=contoso,DC=local"),
        "CN=Proxy Holder,OU=Groups,DC=contoso,DC=local"
    );
    assert_eq!(
        conflict("CN=Twin A,OU=Staff,DC=contoso,DC=local"),
        "CN=Twin B,OU=Staff,DC=corp,DC=contoso,DC=local"
    );
    assert_eq!(
        conflict("CN=Twin B,OU=Staff,DC=corp,DC=contoso,DC=local"),
        "CN=Twin A,OU=Staff,DC=contoso,DC=local"
    );
    let bad = &refused["CN=Bad Space,OU=Staff,DC=contoso,DC=local"];
    assert!(bad.0.starts_with("entra:"), "{bad:?}");
    assert_eq!(refused.len(), 6, "{refused:?}");
    assert_eq!(rows.iter().filter(|r| r["status"] == "change").count(), 3);

    // Undo restores the original byte for byte, even after a partial or repeated apply.
    let undo = d.read("undo.ldf");
    apply(&mut m, &undo);
    assert_eq!(m, original);
    apply(&mut m, &undo);
    assert_eq!(m, original);
}

#[test]
fn exact_change_file_bytes() {
    let d = Dir::new();
    let joerg = b64("CN=Jörg Müller,OU=Staff,DC=contoso,DC=local");
    let input = format!(
        "\r\ndn: CN=Smith\\, Jane,OU=Staff,DC=contoso,DC=local\r\nchangetype: add\r\nobjectClass: user\r\nsAMAccountName: jane\r\nuserPrincipalName: Jane@Contoso.Local\r\n\r\n\
dn:: {joerg}\r\nchangetype: add\r\nobjectClass: user\r\nsAMAccountName: joerg\r\nuserPrincipalName: joerg@CONTOSO.LOCAL\r\n"
    );
    d.write("export.ldf", input.as_bytes());
    let (code, out) = run_fix(&d, &["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))]);
    assert_eq!(code, 0, "{out}");
    let expected = format!(
        "\r\n\
dn: CN=Smith\\, Jane,OU=Staff,DC=contoso,DC=local\r\n\
changetype: modify\r\n\
replace: userPrincipalName\r\n\
userPrincipalName: Jane@contoso.com\r\n\
-\r\n\
\r\n\
dn:: {joerg}\r\n\
changetype: modify\r\n\
replace: userPrincipalName\r\n\
userPrincipalName: joerg@contoso.com\r\n\
-\r\n\
\r\n"
    );
    assert_eq!(String::from_utf8(d.read("c.ldf")).unwrap(), expected);
    let undo = format!(
        "\r\n\
dn: CN=Smith\\, Jane,OU=Staff,DC=contoso,DC=local\r\n\
changetype: modify\r\n\
replace: userPrincipalName\r\n\
userPrincipalName: Jane@Contoso.Local\r\n\
-\r\n\
\r\n\
dn:: {joerg}\r\n\
changetype: modify\r\n\
replace: userPrincipalName\r\n\
userPrincipalName: joerg@CONTOSO.LOCAL\r\n\
-\r\n\
\r\n"
    );
    assert_eq!(String::from_utf8(d.read("u.ldf")).unwrap(), undo);
    assert_eq!(
        String::from_utf8(d.read("c.ldf.map.csv")).unwrap(),
        "line,dn\n2,\"CN=Smith\\, Jane,OU=Staff,DC=contoso,DC=local\"\n8,\"CN=Jörg Müller,OU=Staff,DC=contoso,DC=local\"\n"
    );
    // LF dialect: no CR, no leading empty line.
    let (code, out) = run_fix(
        &d,
        &[
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
            "--line-ending",
            "lf",
            "--force",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let lf = String::from_utf8(d.read("c.ldf")).unwrap();
    assert_eq!(lf, expected.replace("\r\n", "\n")[1..]);
}

#[test]
fn dry_run_writes_nothing_and_existing_outputs_need_force() {
    let d = Dir::new();
    let input = d.write("export.ldf", export().as_bytes());
    let before = sha(&input);
    let (code, out) = run_fix(
        &d,
        &[
            "--dry-run",
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
            "--report",
            s(&d.p("r.json")),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("upn-suffix 2"), "{out}");
    assert!(out.contains("collision"), "{out}");
    assert!(
        out.contains("CN=Taken,OU=Staff,DC=contoso,DC=local"),
        "{out}"
    );
    assert_eq!(d.names(), vec!["export.ldf"]);

    // Existing outputs are kept without --force.
    d.write("c.ldf", b"keep me");
    let (code, out) = run_fix(&d, &["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(d.read("c.ldf"), b"keep me");
    assert_eq!(d.names(), vec!["c.ldf", "export.ldf"]);
    // An output may never be an input.
    let (code, _) = run_fix(
        &d,
        &["-o", s(&input), "--undo", s(&d.p("u.ldf")), "--force"],
    );
    assert_eq!(code, 2);
    let (code, out) = run_fix(
        &d,
        &[
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
            "--force",
            "--report",
            s(&d.p("r.json")),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_ne!(d.read("c.ldf"), b"keep me");
    let report: serde_json::Value = serde_json::from_slice(&d.read("r.json")).unwrap();
    assert_eq!(report["summary"]["changes"], 2);
    assert_eq!(report["summary"]["refused"], 6);
    assert_eq!(sha(&input), before);
}

#[test]
fn register_suffix_prepends_the_partitions_record() {
    let d = Dir::new();
    d.write("export.ldf", export().as_bytes());
    let (code, out) = run_fix(
        &d,
        &[
            "--register-suffix",
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
        ],
    );
    assert_eq!(code, 1, "{out}");
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(c.starts_with(
        "\r\ndn: CN=Partitions,CN=Configuration,DC=contoso,DC=local\r\nchangetype: modify\r\nadd: uPNSuffixes\r\nuPNSuffixes: contoso.com\r\n-\r\n\r\ndn: "
    ), "{c}");
    assert_eq!(c.matches("uPNSuffixes: ").count(), 1);
    // An already registered suffix (Microsoft's procedure registers it by hand first)
    // fails that record and stops a plain ldifde import: the run says so.
    assert!(
        out.contains("if a suffix is already registered that record fails ('attribute or value exists') and ldifde stops there: import with 'ldifde -i -k'"),
        "{out}"
    );
}

/// Users Entra Connect leaves out keep their UPN; a note counts those under a suffix
/// being replaced, per reason, so an empty plan does not pass for a clean directory.
#[test]
fn users_out_of_sync_scope_under_a_replaced_suffix_are_counted_in_a_note() {
    let d = Dir::new();
    // Exported with a short -l list: no sAMAccountName, so no user is in scope.
    d.write(
        "export.ldf",
        b"dn: CN=A,OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: A\nuserPrincipalName: a@contoso.local\n\n\
          dn: CN=B,OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: B\nuserPrincipalName: b@Contoso.Local\n\n\
          dn: CN=C,OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: C\nuserPrincipalName: c@contoso.com\n",
    );
    let (code, out) = run_fix(&d, &["--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("plan: 0 objects, 0 changes"), "{out}");
    assert!(
        out.contains("note: 2 user(s) or group(s) with a UPN under a suffix being replaced were left as they are: Entra Connect does not synchronise them (no-samaccountname: 2)"),
        "{out}"
    );
}

/// A suffix no planned change uses (every UPN it would make is refused: `contoso..com`
/// is no host name) is not registered, and a note says so.
#[test]
fn register_suffix_skips_a_suffix_no_change_uses() {
    let d = Dir::new();
    d.write("export.ldf", export().as_bytes());
    let out = ldifix()
        .arg("fix")
        .arg(s(&d.p("export.ldf")))
        .args([
            "--upn-suffix",
            "contoso.local=contoso..com",
            "--register-suffix",
        ])
        .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "--register-suffix: no planned change uses contoso..com, so it is not registered"
        ),
        "{stderr}"
    );
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(!c.contains("uPNSuffixes"), "{c}");
}

#[test]
fn apply_csv_rows_checked_against_the_export() {
    let d = Dir::new();
    let export = "dn: CN=Ann Lee,OU=Staff,DC=contoso,DC=com
objectClass: user
sAMAccountName: ann
userPrincipalName: ann lee@contoso.com
displayName: Ann  Lee
proxyAddresses: SMTP:ann@contoso.com
proxyAddresses: smtp:ann lee@contoso.com

dn: CN=Bo,OU=Staff,DC=contoso,DC=com
objectClass: user
sAMAccountName: bo
userPrincipalName: bo@contoso.com
mail: bo@contoso.com
";
    let input = d.write("export.ldf", export.as_bytes());
    let before = sha(&input);
    let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
\"CN=Ann Lee,OU=Staff,DC=contoso,DC=com\",Ann Lee,user,userPrincipalName,Character,ann lee@contoso.com,annlee@contoso.com,Edit,EDIT\r\n\
\"CN=Ann Lee,OU=Staff,DC=contoso,DC=com\",Ann Lee,user,proxyAddresses,Character,smtp:ann lee@contoso.com,smtp:annlee@contoso.com,Edit,EDIT\r\n\
\"CN=Ann Lee,OU=Staff,DC=contoso,DC=com\",Ann Lee,user,displayName,Character,Ann  Lee,,Edit,COMPLETE\r\n\
\"cn=ann lee,ou=staff,dc=contoso,dc=com\",Ann Lee,user,mail,Blank,,'=ann@contoso.com,Edit,EDIT\r\n\
\"CN=Bo,OU=Staff,DC=contoso,DC=com\",Bo,user,mail,Format,bo@old.com,bo@new.com,Edit,EDIT\r\n\
\"CN=Ghost,OU=Staff,DC=contoso,DC=com\",Ghost,user,mail,Format,g@x,g@x.com,Edit,EDIT\r\n\
\"CN=Bo,OU=Staff,DC=contoso,DC=com\",Bo,user,userPrincipalName,Character,bo@contoso.com,Ann@Contoso.com,Edit,EDIT\r\n";
    let csv_path = d.write("edited.csv", csv.as_bytes());
    let out = ldifix()
        .args(["apply-csv", s(&csv_path), "--source", s(&input)])
        .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
        .args(["--report", s(&d.p("r.csv"))])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(sha(&input), before);

    let rows = report_rows(&d.p("r.csv"));
    let reasons: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r["status"] == "refused")
        .map(|r| (r["dn"].clone(), r["reason"].clone()))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons
        .iter()
        .any(|(dn, r)| dn.starts_with("CN=Ghost") && r.starts_with("not found")));
    // The COMPLETE row applies nothing, and says so.
    assert!(reasons
        .iter()
        .any(|(dn, r)| dn.starts_with("CN=Ann Lee") && r.starts_with("skipped: ACTION COMPLETE")));
    assert!(reasons
        .iter()
        .any(|(dn, r)| dn.starts_with("CN=Bo") && r.starts_with("stale")));
    // Bo's new UPN is Ann's primary SMTP address.
    let coll: Vec<_> = rows
        .iter()
        .filter(|r| r["reason"].starts_with("collision"))
        .collect();
    assert_eq!(coll.len(), 1, "{reasons:?}");
    assert_eq!(coll[0]["dn"], "CN=Bo,OU=Staff,DC=contoso,DC=com");
    // A refusal the planner makes names the CSV row, as those the reader makes do.
    assert!(coll[0]["file"].ends_with("edited.csv"), "{:?}", coll[0]);
    assert_eq!(coll[0]["line"], "8");
    let ghost: Vec<_> = rows
        .iter()
        .filter(|r| r["dn"].starts_with("CN=Ghost"))
        .collect();
    assert!(ghost[0]["file"].ends_with("edited.csv"), "{ghost:?}");
    assert_eq!(ghost[0]["line"], "7");
    assert_eq!(
        coll[0]["conflicting_dn"],
        "CN=Ann Lee,OU=Staff,DC=contoso,DC=com"
    );

    let original = model(export.as_bytes());
    let mut m = original.clone();
    apply(&mut m, &d.read("c.ldf"));
    let ann = &m[b"CN=Ann Lee,OU=Staff,DC=contoso,DC=com".as_slice()];
    assert_eq!(
        ann["proxyaddresses"],
        vec![
            b"SMTP:ann@contoso.com".to_vec(),
            b"smtp:annlee@contoso.com".to_vec()
        ]
    );
    assert_eq!(ann["mail"], vec![b"=ann@contoso.com".to_vec()]);
    assert_eq!(
        ann["userprincipalname"],
        vec![b"annlee@contoso.com".to_vec()]
    );
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);
}

#[test]
fn apply_csv_keeps_one_smtp_primary_per_object() {
    let d = Dir::new();
    let user = |cn: &str, proxies: &[&str]| {
        let mut t = format!(
            "dn: CN={cn},OU=Staff,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: {cn}\n"
        );
        for p in proxies {
            t.push_str(&format!("proxyAddresses: {p}\n"));
        }
        t + "\n"
    };
    let export = [
        user("a", &["SMTP:a@contoso.com", "smtp:a2@contoso.com"]),
        user("b", &["SMTP:b@contoso.com", "smtp:b2@contoso.com"]),
        user("c", &["SMTP:c@contoso.com", "smtp:c2@contoso.com"]),
        user("d", &["SMTP:d@contoso.com", "X500:/o=Contoso/cn=d"]),
        user("e", &["SMTP:e@contoso.com", "smtp:e2@contoso.com"]),
    ]
    .concat();
    let input = d.write("export.ldf", export.as_bytes());
    let row = |cn: &str, value: &str, update: &str, action: &str| {
        format!(
            "\"CN={cn},OU=Staff,DC=contoso,DC=com\",{cn},user,proxyAddresses,Format,{value},{update},Edit,{action}\r\n"
        )
    };
    let csv = [
        "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n".to_string(),
        // a: the primary demoted, none promoted, a secondary left: refused.
        row("a", "SMTP:a@contoso.com", "smtp:a@contoso.com", "EDIT"),
        // b: demoted and another promoted in the same run: both applied.
        row("b", "SMTP:b@contoso.com", "smtp:b@contoso.com", "EDIT"),
        row("b", "smtp:b2@contoso.com", "SMTP:b2@contoso.com", "EDIT"),
        // c: a second primary: refused.
        row("c", "smtp:c2@contoso.com", "SMTP:c2@contoso.com", "EDIT"),
        // d: the only SMTP address removed: nothing is left to be primary.
        row("d", "SMTP:d@contoso.com", "", "REMOVE"),
        // e: the primary changed, still primary.
        row("e", "SMTP:e@contoso.com", "SMTP:e.new@contoso.com", "EDIT"),
    ]
    .concat();
    let (code, text, refused) = apply_csv_refusals(&d, &csv, &input);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].0.starts_with("CN=a,") && refused[0].1.contains("no SMTP: primary"));
    assert!(refused[1].0.starts_with("CN=c,") && refused[1].1.contains("second SMTP: primary"));

    let original = model(export.as_bytes());
    let mut m = original.clone();
    apply(&mut m, &d.read("c.ldf"));
    let proxies = |cn: &str| {
        let dn = format!("CN={cn},OU=Staff,DC=contoso,DC=com");
        let mut v: Vec<String> = m[dn.as_bytes()]
            .get("proxyaddresses")
            .map(|v| {
                v.iter()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(proxies("a"), ["SMTP:a@contoso.com", "smtp:a2@contoso.com"]);
    assert_eq!(proxies("b"), ["SMTP:b2@contoso.com", "smtp:b@contoso.com"]);
    assert_eq!(proxies("c"), ["SMTP:c@contoso.com", "smtp:c2@contoso.com"]);
    assert_eq!(proxies("d"), ["X500:/o=Contoso/cn=d"]);
    assert_eq!(
        proxies("e"),
        ["SMTP:e.new@contoso.com", "smtp:e2@contoso.com"]
    );
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);
}

#[test]
fn idfix_update_file_is_undone() {
    let d = Dir::new();
    // The export as it is after IdFix applied its changes.
    let export = "dn: CN=Ann Lee,OU=Staff,DC=contoso,DC=com
objectClass: user
sAMAccountName: ann
displayName: Ann Lee
proxyAddresses: SMTP:ann@contoso.com
proxyAddresses: smtp:annlee@contoso.com
";
    let input = d.write("export.ldf", export.as_bytes());
    let update = "distinguishedName: CN=Ann Lee,OU=Staff,DC=contoso,DC=com\r\nobjectClass: user\r\nattribute: displayName\r\nerror: Character\r\nvalue: Ann  Lee\r\nupdate: Ann Lee\r\naction: Edit\r\n-\r\n\r\n\
distinguishedName: CN=Ann Lee,OU=Staff,DC=contoso,DC=com\r\nobjectClass: user\r\nattribute: proxyAddresses\r\nerror: Character\r\nvalue: smtp:ann lee@contoso.com\r\nupdate: smtp:annlee@contoso.com\r\naction: Edit\r\n-\r\n\r\n\
distinguishedName: CN=Ann Lee,OU=Staff,DC=contoso,DC=com\r\nobjectClass: user\r\nattribute: proxyAddresses\r\nerror: Format\r\nvalue: smtp:ann@bad\r\nupdate: smtp:ann@bad.com\r\naction: Remove\r\n-\r\n\r\n";
    let up = d.write("Update 7-22-2021 6-36-44 AM.ldf", update.as_bytes());
    let out = ldifix()
        .args(["apply-csv", "--idfix-update", s(&up), "--source", s(&input)])
        .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let original = model(export.as_bytes());
    let mut m = original.clone();
    apply(&mut m, &d.read("c.ldf"));
    let ann = &m[b"CN=Ann Lee,OU=Staff,DC=contoso,DC=com".as_slice()];
    assert_eq!(ann["displayname"], vec![b"Ann  Lee".to_vec()]);
    assert_eq!(
        ann["proxyaddresses"],
        vec![
            b"SMTP:ann@contoso.com".to_vec(),
            b"smtp:ann lee@contoso.com".to_vec(),
            b"smtp:ann@bad".to_vec()
        ]
    );
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);
}

/// A malformed edited CSV or update file stops `apply-csv` with `FILE:LINE: expected …`
/// (exit 2) before anything is written; an edited row whose closing quote is missing does
/// not swallow the row after it or the rest of the file.
#[test]
fn apply_csv_refuses_malformed_input_naming_file_line_and_what_was_expected() {
    let d = Dir::new();
    let input = d.write(
        "export.ldf",
        b"dn: CN=A,DC=x\nobjectClass: user\nsAMAccountName: a\nmail: a@x.com\n",
    );
    const H: &str = "DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n";
    for (option, text, want) in [
        (
            None,
            format!("{H}\"CN=A,DC=x\",mail,a@x.com,z@x.com,EDIT\r\n\"CN=A,DC=x,mail,a@x.com,y@x.com,EDIT\r\n"),
            "edited.csv:3: expected a closing '\"' for the field opened at line 3, found the end of the file",
        ),
        (
            None,
            format!("{H}\"CN=A,DC=x,mail,a@x.com,z@x.com,EDIT\r\n\"CN=A,DC=x\",mail,a@x.com,y@x.com,EDIT\r\n"),
            "edited.csv:3: expected a closing '\"' for the field opened at line 2, found a row starting inside it",
        ),
        (
            None,
            format!("{H}CN=A,mail,a@x.com,z@x.com,EDIT,x,y\r\n"),
            "edited.csv:2: expected at most 5 cells like the header, found 7",
        ),
        (
            None,
            "DISTINGUISHEDNAME,VALUE,UPDATE,ACTION\r\n".to_string(),
            "edited.csv:1: expected a column ATTRIBUTE in the header",
        ),
        (
            Some("--idfix-update"),
            "value: a@x.com\r\n".to_string(),
            "edited.csv:1: expected a `distinguishedName:` line before `value:`",
        ),
    ] {
        let edited = d.write("edited.csv", text.as_bytes());
        let out = ldifix()
            .arg("apply-csv")
            .args(option)
            .args([s(&edited), "--source", s(&input)])
            .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{want}: {stderr}");
        assert!(stderr.contains(&format!("ldifix: {}", s(&d.p(want)))), "{stderr}");
        assert!(out.stdout.is_empty(), "{want}");
        assert_eq!(d.names(), ["edited.csv", "export.ldf"], "{want}");
    }
}

#[test]
fn accepted_entra_fixes_compose_with_the_rewrite() {
    let d = Dir::new();
    let export = "dn: CN=Bad Space,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: bad
userPrincipalName: bad space@contoso.local
mail: bad space@contoso.com
proxyAddresses: SMTP:bad space@contoso.com
proxyAddresses: x500:/o=Contoso/cn=bad
";
    d.write("export.ldf", export.as_bytes());
    let (code, out) = run_fix(
        &d,
        &[
            "--accept",
            "Character,mail-whitespace",
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
        ],
    );
    assert_eq!(code, 0, "{out}");
    let original = model(export.as_bytes());
    let mut m = original.clone();
    apply(&mut m, &d.read("c.ldf"));
    let e = &m[b"CN=Bad Space,OU=Staff,DC=contoso,DC=local".as_slice()];
    assert_eq!(
        e["userprincipalname"],
        vec![b"badspace@contoso.com".to_vec()]
    );
    assert_eq!(e["mail"], vec![b"badspace@contoso.com".to_vec()]);
    assert_eq!(
        e["proxyaddresses"],
        vec![
            b"x500:/o=Contoso/cn=bad".to_vec(),
            b"SMTP:badspace@contoso.com".to_vec()
        ]
    );
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);

    // An unknown selector is a usage error.
    let (code, _) = run_fix(&d, &["--accept", "NoSuchRule", "--dry-run"]);
    assert_eq!(code, 2);
}

/// A proposed value repairs every rule its value breaks: it is applied only when each
/// rule that repairs something is accepted. Accepting the trim of " jörg smith@… " does
/// not also strip its space and transliterate the ö, and accepting the non-routable
/// suffix (which repairs nothing itself) changes no sign-in name: both are refused,
/// naming what else to accept, and the suffix rewrite of those users waits too.
#[test]
fn accept_applies_a_value_only_when_every_rule_it_repairs_is_accepted() {
    let d = Dir::new();
    let export = format!(
        "dn: CN=Jorg,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: jorg
userPrincipalName:: {}

dn: CN=Ann,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: ann
userPrincipalName: ann lee@contoso.local
",
        b64(" jörg smith@contoso.local ")
    );
    d.write("export.ldf", export.as_bytes());
    let (code, out) = run_fix_writing(&d, &["--accept", "upn-whitespace"]);
    assert_eq!(code, 1, "{out}");
    let rows = report_rows(&d.p("r.csv"));
    let jorg = rows
        .iter()
        .find(|r| r["dn"].starts_with("CN=Jorg") && r["reason"].contains("also repairs"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!(
        jorg["reason"].contains("not accepted: the proposed value also repairs what upn-character, upn-diacritic flag (--accept does not name them"),
        "{jorg:?}"
    );
    let written = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(!written.contains("jorgsmith"), "{written}");

    let (code, out) = run_fix_writing(&d, &["--accept", "upn-nonroutable-suffix", "--force"]);
    assert_eq!(code, 1, "{out}");
    let written = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(!written.contains("annlee"), "{written}");
    let rows = report_rows(&d.p("r.csv"));
    assert!(
        rows.iter()
            .any(|r| r["dn"].starts_with("CN=Ann") && r["reason"].contains("upn-character flags")),
        "{rows:?}"
    );

    // Every repairing rule accepted: applied, and composed with the suffix rewrite.
    let (code, out) = run_fix_writing(
        &d,
        &[
            "--accept",
            "upn-whitespace,upn-character,upn-diacritic",
            "--force",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let mut m = model(export.as_bytes());
    apply(&mut m, &d.read("c.ldf"));
    assert_eq!(
        upn(&m, "CN=Jorg,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("jorgsmith@contoso.com")
    );
    assert_eq!(
        upn(&m, "CN=Ann,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("annlee@contoso.com")
    );
}

/// The planner runs on all cores; what it writes must not depend on how many there are.
/// A generated forest (duplicates, bad characters, non-routable suffixes) is fixed with
/// every kind of proposal on one thread and on four: every output is byte-identical.
#[test]
fn plan_is_the_same_on_one_thread_and_many() {
    let d = Dir::new();
    let gen = ldifix()
        .current_dir(d.dir.path())
        .args([
            "generate",
            "-o",
            "forest.ldf",
            "--users",
            "4000",
            "--seed",
            "11",
        ])
        .args([
            "--domain",
            "contoso.local",
            "--domain",
            "corp.contoso.local",
        ])
        .args(["--quiet"])
        .output()
        .unwrap();
    assert!(
        gen.status.success(),
        "{}",
        String::from_utf8_lossy(&gen.stderr)
    );
    let run = |threads: &str| {
        let tag = format!("t{threads}");
        let out = ldifix()
            .current_dir(d.dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "fix",
                "forest.ldf",
                "--upn-from-mail",
                "--verified-domain",
                "contoso.com",
            ])
            .args(["--upn-suffix", "contoso.local=contoso.com"])
            .args(["--upn-suffix", "corp.contoso.local=contoso.com"])
            .args(["--accept", "Character,Format"])
            .args([
                "-o",
                &format!("{tag}.ldf"),
                "--undo",
                &format!("{tag}-undo.ldf"),
            ])
            .args(["--report", &format!("{tag}.csv")])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).replace(&tag, "T");
        let files: Vec<Vec<u8>> = ["", "-undo"]
            .iter()
            .flat_map(|u| [format!("{tag}{u}.ldf"), format!("{tag}{u}.ldf.map.csv")])
            .chain([format!("{tag}.csv")])
            .map(|n| d.read(&n))
            .collect();
        (out.status.code(), stdout, files)
    };
    let one = run("1");
    let many = run("4");
    assert_eq!(one.0, Some(1), "{}", one.1); // some changes are refused
    assert!(one.1.contains("refused: "), "{}", one.1);
    let modifies = String::from_utf8_lossy(&one.2[0])
        .matches("changetype: modify")
        .count();
    assert!(modifies > 300, "a real plan: {modifies} objects changed");
    assert_eq!(one.1, many.1);
    assert!(one.2 == many.2, "outputs differ between 1 and 4 threads");
}

/// `--tld-list` replaces the bundled IANA list that new UPNs are judged by, in `fix` and
/// in `apply-csv`, as it does in `scan`: a suffix outside the list is refused with
/// TopLevelDomain, one the list holds is written.
#[test]
fn tld_list_judges_new_upns_in_fix_and_apply_csv() {
    let d = Dir::new();
    let export = "dn: CN=Ann,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: ann
userPrincipalName: ann@contoso.local

dn: CN=Bo,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: bo
userPrincipalName: bo@contoso.com
";
    let input = d.write("export.ldf", export.as_bytes());
    // "zz" is no IANA TLD; this list holds it and leaves out "com".
    let tlds = d.write("tlds.txt", b"# the tenant's own list\n.zz\nnet\n");
    // `cmd` with `extra` options, writing OUT.ldf and OUT-undo.ldf.
    let run = |cmd: &[&str], extra: &[&str], out: &str| {
        let o = ldifix()
            .args(cmd)
            .args(["-o", s(&d.p(&format!("{out}.ldf")))])
            .args(["--undo", s(&d.p(&format!("{out}-undo.ldf")))])
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let fix_cmd = ["fix", s(&input), "--upn-suffix", "contoso.local=contoso.zz"];
    let fix = |extra: &[&str], out: &str| run(&fix_cmd, extra, out);
    let (code, text) = fix(&[], "bundled");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("plan: 0 objects"), "{text}");
    assert!(text.contains("upn-nonroutable-suffix"), "{text}");
    let (code, text) = fix(&["--tld-list", s(&tlds)], "listed");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("plan: 1 objects, 1 changes"), "{text}");
    let mut m = model(export.as_bytes());
    apply(&mut m, &d.read("listed.ldf"));
    assert_eq!(
        upn(&m, "CN=Ann,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("ann@contoso.zz")
    );

    // apply-csv: an edited UPN in ".com" passes with the bundled list and is refused
    // by a list without "com".
    let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
\"CN=Bo,OU=Staff,DC=contoso,DC=local\",Bo,user,userPrincipalName,Format,bo@contoso.com,bob@contoso.com,Edit,EDIT\r\n";
    let csv_path = d.write("edited.csv", csv.as_bytes());
    let csv_cmd = ["apply-csv", s(&csv_path), "--source", s(&input)];
    let apply_csv = |extra: &[&str], out: &str| run(&csv_cmd, extra, out);
    let (code, text) = apply_csv(&[], "csv-bundled");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("plan: 1 objects, 1 changes"), "{text}");
    let (code, text) = apply_csv(&["--tld-list", s(&tlds)], "csv-listed");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("plan: 0 objects"), "{text}");
    assert!(text.contains("TopLevelDomain"), "{text}");

    // An unreadable list is a usage error naming the file, and nothing is written.
    let o = ldifix()
        .args(["fix", s(&input), "--upn-suffix", "contoso.local=contoso.zz"])
        .args(["--tld-list", s(&d.p("missing.txt"))])
        .args(["-o", s(&d.p("m.ldf")), "--undo", s(&d.p("m-undo.ldf"))])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read TLD list"));
    assert!(!d.p("m.ldf").exists() && !d.p("m-undo.ldf").exists());
}

/// `--per-input`: one change file and one undo file per export (domain), named after it;
/// collisions are still judged across every input; the suffix registration goes into the
/// first change file only; each pair round-trips on its own domain; an existing output
/// of any pair stops the run before anything is written.
#[test]
fn per_input_writes_one_pair_per_domain() {
    let d = Dir::new();
    let contoso = "dn: CN=Ann,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: ann
userPrincipalName: ann@contoso.local

dn: CN=Cy,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: cy
userPrincipalName: cy@contoso.local
";
    let emea = "dn: CN=Bo,OU=Staff,DC=emea,DC=contoso,DC=local
objectClass: user
sAMAccountName: bo
userPrincipalName: bo@emea.contoso.local

dn: CN=Cy Two,OU=Staff,DC=emea,DC=contoso,DC=local
objectClass: user
sAMAccountName: cy2
userPrincipalName: cy@emea.contoso.local
";
    let a = d.write("contoso.ldf", contoso.as_bytes());
    let b = d.write("emea.ldf", emea.as_bytes());
    let run = |extra: &[&str]| {
        let o = ldifix()
            .args(["fix", s(&a), s(&b), "--per-input", "--line-ending", "lf"])
            .args(["--upn-suffix", "contoso.local=contoso.com"])
            .args(["--upn-suffix", "emea.contoso.local=contoso.com"])
            .args(["-o", s(&d.p("changes.ldf")), "--undo", s(&d.p("undo.ldf"))])
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    let (code, out) = run(&["--register-suffix"]);
    // Cy and Cy Two would both become cy@contoso.com, across the two domains.
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("collision: another change also writes 'cy@contoso.com'"),
        "{out}"
    );
    assert_eq!(
        d.names(),
        [
            "changes.contoso.ldf",
            "changes.contoso.ldf.map.csv",
            "changes.emea.ldf",
            "changes.emea.ldf.map.csv",
            "contoso.ldf",
            "emea.ldf",
            "undo.contoso.ldf",
            "undo.contoso.ldf.map.csv",
            "undo.emea.ldf",
            "undo.emea.ldf.map.csv",
        ]
    );
    let first = String::from_utf8(d.read("changes.contoso.ldf")).unwrap();
    let second = String::from_utf8(d.read("changes.emea.ldf")).unwrap();
    assert!(first.contains("dn: CN=Partitions,CN=Configuration,DC=contoso,DC=local"));
    assert!(!second.contains("uPNSuffixes"), "{second}");
    assert!(!first.contains("DC=emea"), "{first}");
    for (export, name, dn, upn_after) in [
        (
            contoso,
            "contoso",
            "CN=Ann,OU=Staff,DC=contoso,DC=local",
            "ann@contoso.com",
        ),
        (
            emea,
            "emea",
            "CN=Bo,OU=Staff,DC=emea,DC=contoso,DC=local",
            "bo@contoso.com",
        ),
    ] {
        let original = model(export.as_bytes());
        let mut m = original.clone();
        let changes = d.read(&format!("changes.{name}.ldf"));
        // The Partitions record is not in the export's model: only count the users.
        let users: Vec<u8> = String::from_utf8(changes)
            .unwrap()
            .split("\n\n")
            .filter(|r| !r.contains("CN=Partitions"))
            .collect::<Vec<_>>()
            .join("\n\n")
            .into_bytes();
        assert_eq!(apply(&mut m, &users), 1, "{name}");
        assert_eq!(upn(&m, dn).as_deref(), Some(upn_after));
        assert_eq!(apply(&mut m, &d.read(&format!("undo.{name}.ldf"))), 1);
        assert_eq!(m, original, "{name}");
    }
    let map = String::from_utf8(d.read("changes.emea.ldf.map.csv")).unwrap();
    assert_eq!(
        map,
        "line,dn\n1,\"CN=Bo,OU=Staff,DC=emea,DC=contoso,DC=local\"\n"
    );

    // Any existing output of any pair: exit 2, nothing replaced or added.
    std::fs::remove_file(d.p("changes.contoso.ldf")).unwrap();
    let before = sha(&d.p("undo.emea.ldf"));
    let (code, out) = run(&[]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("undo.contoso.ldf"), "{out}");
    assert!(!d.p("changes.contoso.ldf").exists());
    assert_eq!(sha(&d.p("undo.emea.ldf")), before);
}

/// Inputs sharing a file name get their position in the output names.
#[test]
fn per_input_names_inputs_sharing_a_name_by_position() {
    let d = Dir::new();
    std::fs::create_dir_all(d.p("a")).unwrap();
    std::fs::create_dir_all(d.p("b")).unwrap();
    let one = "dn: CN=Ann,DC=a,DC=local\nobjectClass: user\nsAMAccountName: ann\nuserPrincipalName: ann@a.local\n";
    let two = "dn: CN=Bo,DC=b,DC=local\nobjectClass: user\nsAMAccountName: bo\nuserPrincipalName: bo@b.local\n";
    let a = d.write("a/export.ldf", one.as_bytes());
    let b = d.write("b/export.ldf", two.as_bytes());
    let o = ldifix()
        .args(["fix", s(&a), s(&b), "--per-input"])
        .args([
            "--upn-suffix",
            "a.local=contoso.com",
            "--upn-suffix",
            "b.local=contoso.com",
        ])
        .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{text}");
    let c1 = String::from_utf8(d.read("c.export-1.ldf")).unwrap();
    let c2 = String::from_utf8(d.read("c.export-2.ldf")).unwrap();
    assert!(
        c1.contains("ann@contoso.com") && !c1.contains("bo@"),
        "{c1}"
    );
    assert!(
        c2.contains("bo@contoso.com") && !c2.contains("ann@"),
        "{c2}"
    );
    assert!(d.p("u.export-1.ldf").exists() && d.p("u.export-2.ldf").exists());
    assert!(!d.p("c.ldf").exists());
}

/// An output in a directory that does not exist is refused before the export is read
/// (no plan is printed), naming the directory, by fix and scan alike.
#[test]
fn missing_output_directory_fails_before_any_work() {
    let d = Dir::new();
    let input = d.write("export.ldf", export().as_bytes());
    let missing = d.p("no-such-dir");
    let o = ldifix()
        .args([
            "fix",
            s(&input),
            "--upn-suffix",
            "contoso.local=contoso.com",
        ])
        .args([
            "-o",
            s(&missing.join("c.ldf")),
            "--undo",
            s(&missing.join("u.ldf")),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("plan:"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no-such-dir does not exist"), "{err}");
    let o = ldifix()
        .args(["scan", s(&input), "--json", s(&missing.join("r.json"))])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-dir does not exist"));
    assert!(!missing.exists());
    // A file where the directory should be is named as such.
    std::fs::write(&missing, b"").unwrap();
    let o = ldifix()
        .args(["scan", s(&input), "--json", s(&missing.join("r.json"))])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-dir is not a directory"));
}

/// Runs `ldifix ARGS...`: exit status and stdout + stderr.
fn run_args(args: &[&str]) -> (i32, String) {
    let o = ldifix().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// The refused rows of a CSV report.
fn refused_rows(path: &Path) -> Vec<HashMap<String, String>> {
    report_rows(path)
        .into_iter()
        .filter(|r| r["status"] == "refused")
        .collect()
}

/// `--accept Duplicate` and the duplicate rule ids are accepted; every duplicate of the
/// inputs is reported as a refused change naming the other holders, and nothing is
/// written for it.
#[test]
fn accepted_duplicates_are_reported_never_fixed() {
    let d = Dir::new();
    let export = "dn: CN=Amy One,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: amy1
userPrincipalName: amy1@contoso.com
mail: amy@contoso.com
mailNickname: amy
proxyAddresses: sip:amy@contoso.com

dn: CN=Amy Two,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: amy2
userPrincipalName: amy2@contoso.com
mail: Amy@Contoso.com
mailNickname: AMY
proxyAddresses: SIP:amy@contoso.com

dn: CN=Ben,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: ben
userPrincipalName: ben@contoso.com
mail: ben@contoso.com
";
    let input = d.write("export.ldf", export.as_bytes());
    let one = "CN=Amy One,OU=Staff,DC=contoso,DC=local";
    let two = "CN=Amy Two,OU=Staff,DC=contoso,DC=local";
    for (accept, rules) in [
        (
            "Duplicate",
            &["address-duplicate", "nick-duplicate", "proxy-duplicate"][..],
        ),
        ("address-duplicate", &["address-duplicate"][..]),
        (
            "nick-duplicate,PROXY-DUPLICATE",
            &["nick-duplicate", "proxy-duplicate"][..],
        ),
    ] {
        let report = d.p(&format!("r-{accept}.csv"));
        let (code, out) = run_args(&[
            "fix",
            s(&input),
            "--accept",
            accept,
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
            "--report",
            s(&report),
            "--force",
        ]);
        assert_eq!(code, 1, "{accept}: {out}");
        let rows = refused_rows(&report);
        assert_eq!(rows.len(), 2 * rules.len(), "{accept}: {rows:?}");
        for r in &rows {
            assert!(
                r["reason"].starts_with("duplicate: not changed automatically"),
                "{r:?}"
            );
            assert!(r["reason"].contains("decide which object keeps"), "{r:?}");
            let other = if r["dn"] == one { two } else { one };
            assert_eq!(r["conflicting_dn"], other, "{r:?}");
            let rule = r["kind"].strip_prefix("accept:").unwrap();
            assert!(rules.contains(&rule), "{accept}: {r:?}");
        }
        for rule in rules {
            for dn in [one, two] {
                assert!(
                    rows.iter()
                        .any(|r| r["dn"] == dn && r["kind"] == format!("accept:{rule}")),
                    "{accept}: {rule} of {dn} not reported: {rows:?}"
                );
            }
        }
        // Nothing is written for a duplicate.
        let c = String::from_utf8(d.read("c.ldf")).unwrap();
        assert!(!c.contains("dn:"), "{c}");
    }
}

/// `--upn-suffix` refuses a UPN of several values when one of them has an OLD suffix,
/// like `--upn-from-mail` and apply-csv do; users whose values have no OLD suffix are
/// left alone.
#[test]
fn suffix_rewrite_refuses_several_upn_values() {
    let d = Dir::new();
    let export = "dn: CN=Two Upns,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: two
userPrincipalName: two@fabrikam.com
userPrincipalName: Two@Contoso.Local

dn: CN=Two Others,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: others
userPrincipalName: a@fabrikam.com
userPrincipalName: b@fabrikam.com

dn: CN=One,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: one
userPrincipalName: one@contoso.local
";
    d.write("export.ldf", export.as_bytes());
    let (code, out) = run_fix_writing(&d, &[]);
    assert_eq!(code, 1, "{out}");
    let rows = refused_rows(&d.p("r.csv"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["dn"], "CN=Two Upns,OU=Staff,DC=contoso,DC=local");
    assert_eq!(rows[0]["kind"], "upn-suffix");
    assert!(
        rows[0]["reason"].starts_with("multiple values: userPrincipalName has 2 values"),
        "{rows:?}"
    );
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(c.contains("one@contoso.com"), "{c}");
    assert!(!c.contains("Two Upns") && !c.contains("Two Others"), "{c}");
}

/// A UPN whose suffix is OLD only once surrounding whitespace is trimmed is refused,
/// naming the accept rule that trims it (a TAB is a control character, which scan removes
/// as invisible); with those rules accepted both are rewritten.
#[test]
fn suffix_rewrite_reports_upns_with_surrounding_whitespace() {
    let d = Dir::new();
    let export = format!(
        "dn: CN=Henry,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: henry
userPrincipalName:: {}

dn: CN=Tab,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: tt
userPrincipalName:: {}
",
        b64(" henry@contoso.local "),
        b64("tt@contoso.local\t")
    );
    d.write("export.ldf", export.as_bytes());
    let (code, out) = run_fix_writing(&d, &[]);
    assert_eq!(code, 1, "{out}");
    let rows = refused_rows(&d.p("r.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (r, dn, rule) in [
        (&rows[0], "CN=Henry", "upn-whitespace"),
        (&rows[1], "CN=Tab", "upn-invisible"),
    ] {
        assert!(r["dn"].starts_with(dn), "{rows:?}");
        assert_eq!(r["kind"], "upn-suffix");
        assert!(
            r["reason"].contains("leading or trailing whitespace"),
            "{r:?}"
        );
        assert!(
            r["reason"].ends_with(&format!("--accept {rule} trims it first")),
            "{r:?}"
        );
    }
    assert!(!String::from_utf8(d.read("c.ldf")).unwrap().contains("dn:"));

    // With the whitespace fixes accepted, the trimmed UPN's suffix is rewritten.
    let (code, out) = run_fix(
        &d,
        &[
            "--accept",
            "upn-whitespace,upn-invisible",
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
            "--force",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let original = model(export.as_bytes());
    let mut m = original.clone();
    apply(&mut m, &d.read("c.ldf"));
    assert_eq!(
        upn(&m, "CN=Henry,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("henry@contoso.com")
    );
    assert_eq!(
        upn(&m, "CN=Tab,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("tt@contoso.com")
    );
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);
}

/// apply-csv: two rows setting one single-valued attribute of one object to different
/// values are both refused; rows whose ACTION applies nothing (COMPLETE, FAIL) or is not
/// an ACTION at all are reported; rows with an empty ACTION are not selected.
#[test]
fn apply_csv_refuses_conflicting_rows_and_reports_unapplied_actions() {
    let d = Dir::new();
    let export = "dn: CN=Bob,OU=Staff,DC=contoso,DC=com
objectClass: user
sAMAccountName: bob
userPrincipalName: bob smith@contoso.com
displayName: Bob  Smith
mail: bob@contoso.com
proxyAddresses: SMTP:bob@contoso.com
proxyAddresses: smtp:bob smith@contoso.com
proxyAddresses: smtp:b s@contoso.com

dn: CN=Cy,OU=Staff,DC=contoso,DC=com
objectClass: user
sAMAccountName: cy
userPrincipalName: cy@contoso.com
displayName: Cy  Lee
";
    let input = d.write("export.ldf", export.as_bytes());
    let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,userPrincipalName,Character,bob smith@contoso.com,bobsmith@contoso.com,Edit,EDIT\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,userPrincipalName,Character,bob smith@contoso.com,bob.smith@contoso.com,Edit,EDIT\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,displayName,Character,Bob  Smith,Bob Smith,Edit,EDIT\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,displayName,Character,Bob  Smith,Bob Smith,Edit,EDIT\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,mail,Format,bob@contoso.com,bob@contoso.org,Edit,FOO\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,proxyAddresses,Character,smtp:bob smith@contoso.com,smtp:bobsmith@contoso.com,Edit,EDIT\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,proxyAddresses,Character,smtp:bob smith@contoso.com,,Edit,REMOVE\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,proxyAddresses,Character,smtp:b s@contoso.com,smtp:bs@contoso.com,Edit,EDIT\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=com\",Bob,user,proxyAddresses,Character,smtp:b s@contoso.com,smtp:bs@contoso.com,Edit,EDIT\r\n\
\"CN=Cy,OU=Staff,DC=contoso,DC=com\",Cy,user,displayName,Character,Cy  Lee,Cy Lee,Edit,COMPLETE\r\n\
\"CN=Cy,OU=Staff,DC=contoso,DC=com\",Cy,user,displayName,Character,Cy  Lee,Cy Lee,Edit,FAIL\r\n\
\"CN=Cy,OU=Staff,DC=contoso,DC=com\",Cy,user,userPrincipalName,Format,cy@contoso.com,cy@contoso.org,Edit,\r\n";
    let csv_path = d.write("edited.csv", csv.as_bytes());
    let (code, out) = run_args(&[
        "apply-csv",
        s(&csv_path),
        "--source",
        s(&input),
        "-o",
        s(&d.p("c.ldf")),
        "--undo",
        s(&d.p("u.ldf")),
        "--report",
        s(&d.p("r.csv")),
    ]);
    assert_eq!(code, 1, "{out}");
    let rows = refused_rows(&d.p("r.csv"));
    let reason = |dn: &str, attr: &str, needle: &str| {
        rows.iter()
            .filter(|r| r["dn"].starts_with(dn) && r["attribute"] == attr)
            .filter(|r| r["reason"].contains(needle))
            .count()
    };
    assert_eq!(
        reason(
            "CN=Bob",
            "userPrincipalName",
            "conflict: another row also changes userPrincipalName of this object"
        ),
        2,
        "{rows:?}"
    );
    assert_eq!(
        reason("CN=Bob", "mail", "unknown action: 'FOO'"),
        1,
        "{rows:?}"
    );
    assert_eq!(reason("CN=Cy", "displayName", "COMPLETE"), 1, "{rows:?}");
    assert_eq!(reason("CN=Cy", "displayName", "FAIL"), 1, "{rows:?}");
    // Two rows changing one proxy address differently: both refused, each at its row
    // (not the first row's change taken).
    let proxy: Vec<_> = rows
        .iter()
        .filter(|r| r["attribute"] == "proxyAddresses")
        .collect();
    assert_eq!(proxy.len(), 2, "{rows:?}");
    for (r, line) in proxy.iter().zip(["7", "8"]) {
        assert_eq!(
            r["reason"],
            "conflict: another row also changes this value of proxyAddresses of this object"
        );
        assert_eq!(r["line"], line, "{r:?}");
    }
    assert_eq!(rows.len(), 7, "{rows:?}");
    // Two rows asking for the same value agree: the change is made once.
    let original = model(export.as_bytes());
    let mut m = original.clone();
    assert_eq!(apply(&mut m, &d.read("c.ldf")), 1);
    let bob = &m[b"CN=Bob,OU=Staff,DC=contoso,DC=com".as_slice()];
    assert_eq!(bob["displayname"], vec![b"Bob Smith".to_vec()]);
    assert_eq!(
        bob["proxyaddresses"],
        vec![
            b"SMTP:bob@contoso.com".to_vec(),
            b"smtp:bob smith@contoso.com".to_vec(),
            b"smtp:bs@contoso.com".to_vec()
        ]
    );
    assert_eq!(
        bob["userprincipalname"],
        vec![b"bob smith@contoso.com".to_vec()]
    );
    assert_eq!(bob["mail"], vec![b"bob@contoso.com".to_vec()]);
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);
}

/// Two `--upn-suffix` mappings of one OLD suffix (any case) to different NEW suffixes
/// are a usage error naming both; nothing is written.
#[test]
fn two_mappings_of_one_old_suffix_are_a_usage_error() {
    let d = Dir::new();
    let input = d.write("export.ldf", export().as_bytes());
    let (code, out) = run_args(&[
        "fix",
        s(&input),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--upn-suffix",
        "CONTOSO.LOCAL=corp.contoso.com",
        "-o",
        s(&d.p("c.ldf")),
        "--undo",
        s(&d.p("u.ldf")),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("contoso.local=contoso.com"), "{out}");
    assert!(out.contains("CONTOSO.LOCAL=corp.contoso.com"), "{out}");
    assert!(!out.contains("plan:"), "{out}");
    assert_eq!(d.names(), vec!["export.ldf"]);
}

/// `--register-suffix` with several NEW suffixes writes one record on the Partitions
/// container holding all of them; the undo file does not remove them.
#[test]
fn register_suffix_writes_one_record_for_all_new_suffixes() {
    let d = Dir::new();
    let input = d.write(
        "export.ldf",
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: ann\nuserPrincipalName: ann@contoso.local\n\n\
dn: CN=Bo,OU=Staff,DC=corp,DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: bo\nuserPrincipalName: bo@corp.contoso.local\n",
    );
    let (code, out) = run_args(&[
        "fix",
        s(&input),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--upn-suffix",
        "corp.contoso.local=corp.contoso.com",
        "--register-suffix",
        "--line-ending",
        "lf",
        "-o",
        s(&d.p("c.ldf")),
        "--undo",
        s(&d.p("u.ldf")),
    ]);
    assert_eq!(code, 0, "{out}");
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(
        c.starts_with(
            "dn: CN=Partitions,CN=Configuration,DC=contoso,DC=local\nchangetype: modify\n\
add: uPNSuffixes\nuPNSuffixes: contoso.com\nuPNSuffixes: corp.contoso.com\n-\n\ndn: "
        ),
        "{c}"
    );
    assert_eq!(c.matches("CN=Partitions").count(), 1, "{c}");
    assert_eq!(
        String::from_utf8(d.read("c.ldf.map.csv"))
            .unwrap()
            .matches("CN=Partitions")
            .count(),
        1
    );
    assert!(!String::from_utf8(d.read("u.ldf"))
        .unwrap()
        .contains("Partitions"));
}

/// The forest root of `--register-suffix`: `--forest-root` must be a DN of DC=
/// components, and inputs of unrelated domains (no common root of two or more DC=
/// components) make guessing a usage error asking for it.
#[test]
fn forest_root_is_validated_and_never_guessed_from_unrelated_domains() {
    let d = Dir::new();
    let a = d.write(
        "contoso.ldf",
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: ann\nuserPrincipalName: ann@contoso.local\n",
    );
    let b = d.write(
        "fabrikam.ldf",
        b"dn: CN=Bo,OU=Staff,DC=fabrikam,DC=local\nobjectClass: user\nsAMAccountName: bo\nuserPrincipalName: bo@fabrikam.local\n",
    );
    let (c, u) = (d.p("c.ldf"), d.p("u.ldf"));
    let run = |extra: &[&str]| {
        let mut args = vec![
            "fix",
            s(&a),
            s(&b),
            "--upn-suffix",
            "contoso.local=contoso.com",
            "--upn-suffix",
            "fabrikam.local=fabrikam.com",
            "--register-suffix",
            "-o",
            s(&c),
            "--undo",
            s(&u),
        ];
        args.extend_from_slice(extra);
        run_args(&args)
    };
    let (code, out) = run(&[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("--forest-root"), "{out}");
    assert!(!d.p("c.ldf").exists());
    for bad in [
        "garbage",
        "DC=",
        "OU=x,DC=contoso,DC=local",
        "DC=contoso,,DC=local",
    ] {
        let (code, out) = run(&["--forest-root", bad]);
        assert_eq!(code, 2, "{bad}: {out}");
        assert!(out.contains("--forest-root"), "{bad}: {out}");
        assert!(!d.p("c.ldf").exists(), "{bad}");
    }
    let (code, out) = run(&["--forest-root", "DC=contoso,DC=local"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("warning"), "{out}");
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(
        c.starts_with("\r\ndn: CN=Partitions,CN=Configuration,DC=contoso,DC=local\r\n"),
        "{c}"
    );
    // A root no input DN lies under (mistyped) is written as given, with a warning.
    let (code, out) = run(&["--forest-root", "DC=contosso,DC=local", "--force"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: --forest-root DC=contosso,DC=local: no object of the inputs lies under it (their domains: DC=contoso,DC=local, DC=fabrikam,DC=local)"),
        "{out}"
    );
}

/// A change refused because another object already holds its value does not also refuse
/// that object's own change writing the same value: Carol's new UPN is Dave's address
/// (refused), Dave's UPN from his primary address is written.
#[test]
fn a_refused_change_does_not_refuse_the_holders_own_change() {
    let d = Dir::new();
    let export = "dn: CN=Carol,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: carol
userPrincipalName: carol@contoso.local

dn: CN=Dave,OU=Staff,DC=contoso,DC=local
objectClass: user
sAMAccountName: dave
userPrincipalName: dave@contoso.local
mail: carol@contoso.com
proxyAddresses: SMTP:carol@contoso.com
";
    let input = d.write("export.ldf", export.as_bytes());
    let (code, out) = run_args(&[
        "fix",
        s(&input),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--upn-from-mail",
        "--verified-domain",
        "contoso.com",
        "-o",
        s(&d.p("c.ldf")),
        "--undo",
        s(&d.p("u.ldf")),
        "--report",
        s(&d.p("r.csv")),
    ]);
    assert_eq!(code, 1, "{out}");
    let rows = refused_rows(&d.p("r.csv"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["dn"], "CN=Carol,OU=Staff,DC=contoso,DC=local");
    assert!(
        rows[0]["reason"]
            .starts_with("collision: another object already holds 'carol@contoso.com'"),
        "{rows:?}"
    );
    assert_eq!(
        rows[0]["conflicting_dn"],
        "CN=Dave,OU=Staff,DC=contoso,DC=local"
    );
    let original = model(export.as_bytes());
    let mut m = original.clone();
    assert_eq!(apply(&mut m, &d.read("c.ldf")), 1);
    assert_eq!(
        upn(&m, "CN=Dave,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("carol@contoso.com")
    );
    assert_eq!(
        upn(&m, "CN=Carol,OU=Staff,DC=contoso,DC=local").as_deref(),
        Some("carol@contoso.local")
    );
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);
}

/// An object exported twice (in two inputs) is planned once, from its first record, and
/// the run says so, naming both records.
#[test]
fn an_object_exported_twice_is_planned_once_with_a_warning() {
    let d = Dir::new();
    let rec = "dn: CN=Ann,OU=Staff,DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: ann\nuserPrincipalName: ann@contoso.local\n\n";
    d.write("a.ldf", rec.as_bytes());
    d.write("b.ldf", format!("\n{rec}").as_bytes());
    let (code, out) = run_args(&[
        "fix",
        s(&d.p("a.ldf")),
        s(&d.p("b.ldf")),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "-o",
        s(&d.p("c.ldf")),
        "--undo",
        s(&d.p("u.ldf")),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: 1 record(s) repeat the DN of an earlier record")
            && out.contains("b.ldf:2 repeats ")
            && out.contains("a.ldf:1)"),
        "{out}"
    );
    let change = String::from_utf8(d.read("c.ldf")).unwrap();
    assert_eq!(change.matches("changetype: modify").count(), 1, "{change}");
    // One export: no warning.
    let (_, out) = run_args(&[
        "fix",
        s(&d.p("a.ldf")),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--dry-run",
    ]);
    assert!(!out.contains("repeat the DN"), "{out}");
}

/// An export without a single object (empty, comments only, change records only) is
/// almost always the wrong file: refused like `scan` refuses it, nothing written. The
/// same file given twice is refused too.
#[test]
fn an_export_without_objects_or_given_twice_is_refused() {
    let d = Dir::new();
    let rec = "dn: CN=Ann,OU=Staff,DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: ann\nuserPrincipalName: ann@contoso.local\n\n";
    d.write("a.ldf", rec.as_bytes());
    d.write("empty.ldf", b"");
    d.write("comments.ldf", b"version: 1\n# nothing exported\n");
    d.write(
        "changes.ldf",
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=local\nchangetype: modify\nreplace: mail\nmail: a@b.c\n-\n",
    );
    for bad in ["empty.ldf", "comments.ldf", "changes.ldf"] {
        let (code, out) = run_args(&[
            "fix",
            s(&d.p("a.ldf")),
            s(&d.p(bad)),
            "--upn-suffix",
            "contoso.local=contoso.com",
            "-o",
            s(&d.p("c.ldf")),
            "--undo",
            s(&d.p("u.ldf")),
        ]);
        assert_eq!(code, 2, "{bad}: {out}");
        assert!(
            out.contains(&format!("{bad}: no objects found (expected an export")),
            "{bad}: {out}"
        );
        assert!(!d.p("c.ldf").exists() && !d.p("u.ldf").exists(), "{bad}");
    }
    let (code, out) = run_args(&[
        "fix",
        s(&d.p("a.ldf")),
        s(&d.p("a.ldf")),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--dry-run",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("a.ldf is given twice: give each input once"),
        "{out}"
    );
}

#[test]
fn an_export_without_object_classes_is_refused() {
    let d = Dir::new();
    // Exported with a -l list that left objectClass out: no UPN can be rewritten, and no
    // change could be checked against its values.
    d.write(
        "export.ldf",
        b"dn: CN=A,OU=Staff,DC=contoso,DC=local\ncn: A\nuserPrincipalName: a@contoso.local\n",
    );
    let (code, out) = run_fix_writing(&d, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("export.ldf: no record has an objectClass (expected one on every user, contact and group): they cannot be told apart, so nothing in this input was checked or compared"),
        "{out}"
    );
    assert!(
        out.contains("hint: export it again with the attribute (ldifde -l"),
        "{out}"
    );
    assert!(!d.p("c.ldf").exists() && !d.p("u.ldf").exists());
    // With one, no such warning.
    d.write(
        "export.ldf",
        b"dn: CN=A,OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: A\nuserPrincipalName: a@contoso.local\n",
    );
    let (_, out) = run_fix(&d, &["--dry-run"]);
    assert!(!out.contains("objectClass"), "{out}");
}

#[test]
fn change_records_in_the_export_are_named_in_a_warning_not_read() {
    let d = Dir::new();
    d.write(
        "export.ldf",
        b"dn: CN=A,OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: A\nsAMAccountName: a\n\
          userAccountControl: 512\nuserPrincipalName: a@contoso.local\n\n\
          dn: CN=A,OU=Staff,DC=contoso,DC=local\nchangetype: modify\nreplace: userPrincipalName\nuserPrincipalName: a@contoso.com\n-\n",
    );
    let (code, out) = run_fix(&d, &["--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("export.ldf:8: warning: 1 change record (modify, delete or modrdn) not read (this is the first)"),
        "{out}"
    );
    // The entry is still planned from.
    assert!(out.contains("upn-suffix 1"), "{out}");
}

#[test]
fn an_object_whose_export_bytes_are_not_utf8_is_refused_not_changed() {
    let d = Dir::new();
    // "René" and "Müller" as Windows-1252 bytes: the directory holds them as Unicode, so
    // a change naming the DN or restoring the UPN from these bytes would not match.
    let mut export =
        b"dn: CN=Ren\xe9,OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: Ren\xe9\n\
sAMAccountName: rene\nuserAccountControl: 512\nuserPrincipalName: ren\xe9@contoso.local\n\n"
            .to_vec();
    export.extend_from_slice(
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: Ann\n\
sAMAccountName: ann\nuserAccountControl: 512\nuserPrincipalName: ann@contoso.local\n",
    );
    d.write("export.ldf", &export);
    let (code, out) = run_fix_writing(&d, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("export.ldf:1: warning: 1 record holds a DN or value that is not valid UTF-8 (this is the first): read as Windows-1252 for the checks, and no change is planned for such an object"),
        "{out}"
    );
    let rows = report_rows(&d.p("r.csv"));
    let rene: Vec<_> = rows.iter().filter(|r| r["dn"].contains("Ren")).collect();
    assert_eq!(rene.len(), 1, "{rows:?}");
    assert_eq!(rene[0]["status"], "refused");
    assert!(
        rene[0]["reason"].starts_with("not UTF-8 in the export"),
        "{rows:?}"
    );
    // Ann is changed; nothing of René's bytes reaches the change or undo file.
    for file in ["c.ldf", "u.ldf"] {
        let text = String::from_utf8(d.read(file)).unwrap();
        assert_eq!(text.matches("changetype: modify").count(), 1, "{text}");
        assert!(text.contains("dn: CN=Ann,"), "{text}");
    }
}

#[test]
fn upn_from_mail_falls_back_to_the_suffix_rewrite_when_its_address_is_unusable() {
    let d = Dir::new();
    let user = |cn: &str, extra: &str| {
        format!(
            "dn: CN={cn},OU=Staff,DC=contoso,DC=local\nobjectClass: user\ncn: {cn}\nsAMAccountName: {cn}\n\
             userAccountControl: 512\nuserPrincipalName: {cn}@contoso.local\n{extra}\n"
        )
    };
    // Bad: a primary address Entra refuses as a UPN; Far: one in an unverified domain;
    // Good: a usable one.
    let export = [
        user("bad", "proxyAddresses: SMTP:b ad@contoso.com\n"),
        user("far", "proxyAddresses: SMTP:far@fabrikam.com\n"),
        user("good", "proxyAddresses: SMTP:good.one@contoso.com\n"),
    ]
    .concat();
    d.write("export.ldf", export.as_bytes());
    let out = ldifix()
        .arg("fix")
        .arg(s(&d.p("export.ldf")))
        .args([
            "--upn-from-mail",
            "--upn-suffix",
            "contoso.local=contoso.com",
        ])
        .args(["--report", s(&d.p("r.csv")), "--dry-run"])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("upn-from-mail 1, upn-suffix 2"), "{text}");
    // Bad and Far are changed, so neither is refused: a note counts them.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("; 0 refused"), "{text}");
    assert!(
        text.contains("note: 2 users got their UPN from --upn-suffix: their primary SMTP address is ambiguous, not a valid UPN or in an unverified domain"),
        "{text}"
    );
    // Far's UPN was rewritten by --upn-suffix: no note says it kept its UPN.
    assert!(!text.contains("kept their UPN"), "{text}");
    // Without --upn-suffix, Far keeps its UPN and the note says so.
    let out = ldifix()
        .arg("fix")
        .arg(s(&d.p("export.ldf")))
        .args([
            "--upn-from-mail",
            "--verified-domain",
            "contoso.com",
            "--dry-run",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("note: 1 user kept its UPN: its primary SMTP domain is not verified"),
        "{text}"
    );
}

#[test]
fn apply_csv_refuses_new_addresses_and_aliases_entra_would_reject() {
    let d = Dir::new();
    let export = "dn: CN=D1,OU=Staff,DC=contoso,DC=com\nobjectClass: user\ncn: D1\nsAMAccountName: d1\n\
                  userAccountControl: 512\nuserPrincipalName: d1@contoso.com\nmail: d1@contoso.com\n\
                  mailNickname: d1\nproxyAddresses: SMTP:d1@contoso.com\n";
    d.write("export.ldf", export.as_bytes());
    let row = |attr: &str, old: &str, new: &str| {
        format!("\"CN=D1,OU=Staff,DC=contoso,DC=com\",\"D1\",\"user\",\"{attr}\",\"Character\",\"{old}\",\"{new}\",\"Edit\",\"EDIT\"\n")
    };
    let csv = [
        "\"DISTINGUISHEDNAME\",\"COMMONNAME\",\"OBJECTCLASS\",\"ATTRIBUTE\",\"ERROR\",\"VALUE\",\"UPDATE\",\"PROPOSEDACTION\",\"ACTION\"\n".to_string(),
        row("mail", "d1@contoso.com", "d1 x@contoso.com"),
        row("proxyAddresses", "SMTP:d1@contoso.com", "SMTP:d1\u{200b}@contoso.com"),
        row("mailNickname", "d1", "d 1"),
    ]
    .concat();
    d.write("edited.csv", csv.as_bytes());
    let out = ldifix()
        .arg("apply-csv")
        .arg(s(&d.p("edited.csv")))
        .args(["--source", s(&d.p("export.ldf"))])
        .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
        .args(["--report", s(&d.p("r.csv"))])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("0 changes; 3 refused"), "{text}");
    let rows = report_rows(&d.p("r.csv"));
    let reasons: Vec<&str> = rows.iter().map(|r| r["reason"].as_str()).collect();
    assert_eq!(reasons.len(), 3, "{rows:?}");
    assert!(
        reasons.iter().all(|r| r.starts_with("entra: ")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("Invisible")),
        "{reasons:?}"
    );
}

#[test]
fn include_and_exclude_ou_limit_the_objects_changed_not_the_values_judged() {
    let d = Dir::new();
    let user = |cn: &str, ou: &str, upn: &str| {
        format!(
            "dn: CN={cn},OU={ou},DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: {cn}\nuserPrincipalName: {upn}\n\n"
        )
    };
    let export = [
        user("a", "Staff", "a@contoso.local"),
        user("b", "Staff", "b@contoso.local"),
        user("c", "Service", "c@contoso.local"),
        // Outside the containers changed, and holding the value b would be given.
        user("d", "Service", "b@contoso.com"),
    ]
    .concat();
    d.write("export.ldf", export.as_bytes());
    let (code, out) = run_fix(
        &d,
        &["--dry-run", "--include-ou", "ou=staff,dc=contoso,dc=local"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("plan: 1 objects, 1 changes"), "{out}");
    assert!(
        out.contains("'b@contoso.local' -> 'b@contoso.com': collision"),
        "{out}"
    );
    assert!(!out.contains("CN=c,"), "{out}");
    let (code, out) = run_fix(
        &d,
        &["--dry-run", "--exclude-ou", "OU=Staff,DC=contoso,DC=local"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("plan: 1 objects, 1 changes"), "{out}");
    // A container no object lies in is named.
    let (_, out) = run_fix(
        &d,
        &["--dry-run", "--include-ou", "OU=Staf,DC=contoso,DC=local"],
    );
    assert!(
        out.contains("warning: --include-ou OU=Staf,DC=contoso,DC=local: no object in scope"),
        "{out}"
    );
}

#[test]
fn a_new_sam_account_name_is_unique_in_its_domain() {
    let d = Dir::new();
    let user = |cn: &str, dc: &str, sam: &str| {
        format!(
            "dn: CN={cn},OU=Staff,DC={dc},DC=com\nobjectClass: user\nsAMAccountName: {sam}\nuserPrincipalName: {cn}@{dc}.com\n\n"
        )
    };
    let export = [
        user("a", "contoso", "jsmith"),
        user("b", "contoso", "b x"),
        user("c", "contoso", "c x"),
        user("e", "contoso", "e x"),
        user("f", "contoso", "f x"),
        user("g", "emea", "taken"),
    ]
    .concat();
    let input = d.write("export.ldf", export.as_bytes());
    let row = |cn: &str, dc: &str, value: &str, update: &str| {
        format!(
            "\"CN={cn},OU=Staff,DC={dc},DC=com\",{cn},user,sAMAccountName,Character,{value},{update},Edit,EDIT\r\n"
        )
    };
    let csv = [
        "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n".to_string(),
        // Held by a, in another case: refused.
        row("b", "contoso", "b x", "JSmith"),
        // Held only in another domain: applied.
        row("c", "contoso", "c x", "taken"),
        // Written by two changes: both refused.
        row("e", "contoso", "e x", "same"),
        row("f", "contoso", "f x", "same"),
    ]
    .concat();
    let (code, text, refused) = apply_csv_refusals(&d, &csv, &input);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused[0].0.starts_with("CN=b,"), "{refused:?}");
    assert!(
        refused[0].1.starts_with(
            "collision: another object of the domain already holds sAMAccountName 'JSmith'"
        ),
        "{refused:?}"
    );
    assert!(refused[0].2.starts_with("CN=a,"), "{refused:?}");
    assert!(
        refused[1].0.starts_with("CN=e,") && refused[1].1.contains("another change also writes")
    );
    assert!(refused[2].0.starts_with("CN=f,") && refused[2].2.starts_with("CN=e,"));
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(c.contains("sAMAccountName: taken"), "{c}");
    assert_eq!(c.matches("changetype: modify").count(), 1, "{c}");
}

#[test]
fn apply_csv_refuses_a_value_that_only_surrounding_spaces_tell_from_another() {
    let d = Dir::new();
    let export = "dn: CN=a,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: a\n\
                  proxyAddresses: SMTP:a@contoso.com\nproxyAddresses: smtp:b@contoso.com \n\
                  proxyAddresses: smtp:b@contoso.com\n";
    let input = d.write("export.ldf", export.as_bytes());
    // The spreadsheet trimmed VALUE: which of the two is meant cannot be told.
    let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
\"CN=a,OU=Staff,DC=contoso,DC=com\",a,user,proxyAddresses,Character,smtp:b@contoso.com,,Remove,REMOVE\r\n";
    let csv_path = d.write("edited.csv", csv.as_bytes());
    let out = ldifix()
        .args([
            "apply-csv",
            s(&csv_path),
            "--source",
            s(&input),
            "--dry-run",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("plan: 0 objects"), "{text}");
    assert!(
        text.contains("ambiguous: the export holds 'smtp:b@contoso.com ' and 'smtp:b@contoso.com'"),
        "{text}"
    );
}

#[test]
fn objects_with_a_question_mark_in_an_ascii_powershell_51_export_are_not_changed() {
    let d = Dir::new();
    let csv = "#TYPE Microsoft.ActiveDirectory.Management.ADUser\r\n\
\"DistinguishedName\",\"ObjectClass\",\"SamAccountName\",\"UserPrincipalName\"\r\n\
\"CN=M?ller,OU=Staff,DC=contoso,DC=local\",\"user\",\"mueller\",\"mueller@contoso.local\"\r\n\
\"CN=Ann,OU=Staff,DC=contoso,DC=local\",\"user\",\"ann\",\"ann@contoso.local\"\r\n";
    let input = d.write("users.csv", csv.as_bytes());
    let out = ldifix()
        .args([
            "fix",
            s(&input),
            "--upn-suffix",
            "contoso.local=contoso.com",
            "--dry-run",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.starts_with("plan: 1 objects, 1 changes"), "{stdout}");
    assert!(stdout.contains("CN=M?ller,OU=Staff,DC=contoso,DC=local [userPrincipalName] 'mueller@contoso.local' -> 'mueller@contoso.com': lossy export:"), "{stdout}");
    assert!(
        stderr.contains("users.csv:3: warning: 1 record holds '?' in a file Windows PowerShell 5.1 wrote in ASCII"),
        "{stderr}"
    );
    // The same file written as UTF-8 (a BOM, or any non-ASCII byte): a '?' is a '?'.
    let utf8 = d.write(
        "utf8.csv",
        [&b"\xEF\xBB\xBF"[..], csv.as_bytes()].concat().as_slice(),
    );
    let out = ldifix()
        .args([
            "fix",
            s(&utf8),
            "--upn-suffix",
            "contoso.local=contoso.com",
            "--dry-run",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("plan: 2 objects, 2 changes"), "{stdout}");
}

#[test]
fn apply_csv_changes_no_object_read_as_windows_1252() {
    let d = Dir::new();
    // René's sn is Windows-1252 (0xE9), not UTF-8.
    let mut export = b"dn: CN=Rene,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: rene\nsn: Ren\xe9\nmail: r e@contoso.com\n\n".to_vec();
    export.extend_from_slice(
        b"dn: CN=Ann,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nsAMAccountName: ann\nmail: a n@contoso.com\n",
    );
    let input = d.write("export.ldf", &export);
    let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
\"CN=Rene,OU=Staff,DC=contoso,DC=com\",Rene,user,mail,Character,r e@contoso.com,re@contoso.com,Edit,EDIT\r\n\
\"CN=Ann,OU=Staff,DC=contoso,DC=com\",Ann,user,mail,Character,a n@contoso.com,an@contoso.com,Edit,EDIT\r\n";
    let (code, text, refused) = apply_csv_refusals(&d, csv, &input);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].0.starts_with("CN=Rene,"), "{refused:?}");
    assert!(
        refused[0].1.starts_with("not UTF-8 in the export"),
        "{refused:?}"
    );
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert_eq!(c.matches("changetype: modify").count(), 1, "{c}");
    assert!(c.contains("mail: an@contoso.com"), "{c}");
}

/// A scan CSV opened in a spreadsheet of a de-DE locale and saved as "CSV": cells
/// separated by ';', the untouched accented cells UTF-8 again, the typed UPDATE cells
/// Windows-1252. The rows apply as edited and a warning names the first non-UTF-8 line.
#[test]
fn apply_csv_reads_a_semicolon_spreadsheet_save_in_its_code_page() {
    let d = Dir::new();
    let export = "dn: CN=J\u{fc}rgen Ma\u{df},OU=Staff,DC=contoso,DC=com
objectClass: user
sAMAccountName: jmass
givenName: J\u{fc}rgen 
mail: j ma\u{df}@contoso.com
";
    let input = d.write("export.ldf", export.as_bytes());
    let mut csv = b"DISTINGUISHEDNAME;COMMONNAME;OBJECTCLASS;ATTRIBUTE;ERROR;VALUE;UPDATE;PROPOSEDACTION;ACTION\r\n".to_vec();
    csv.extend_from_slice(
        "CN=J\u{fc}rgen Ma\u{df},OU=Staff,DC=contoso,DC=com;J\u{fc}rgen Ma\u{df};user;mail;Character;j ma\u{df}@contoso.com;jmass@contoso.com;Edit;EDIT\r\n"
            .as_bytes(),
    );
    csv.extend_from_slice(
        "CN=J\u{fc}rgen Ma\u{df},OU=Staff,DC=contoso,DC=com;J\u{fc}rgen Ma\u{df};user;givenName;Format;\"J\u{fc}rgen \";"
            .as_bytes(),
    );
    csv.extend_from_slice(b"J\xfcrgen;Edit;EDIT\r\n");
    let csv_path = d.write("edited.csv", &csv);
    let out = ldifix()
        .args(["apply-csv", s(&csv_path), "--source", s(&input)])
        .args(["-o", s(&d.p("c.ldf")), "--undo", s(&d.p("u.ldf"))])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("edited.csv:3: warning: bytes that are not UTF-8 (this is the first) read as Windows-1252"),
        "{err}"
    );
    let original = model(export.as_bytes());
    let mut m = original.clone();
    apply(&mut m, &d.read("c.ldf"));
    let o = &m["CN=J\u{fc}rgen Ma\u{df},OU=Staff,DC=contoso,DC=com".as_bytes()];
    assert_eq!(o["mail"], vec![b"jmass@contoso.com".to_vec()]);
    assert_eq!(o["givenname"], vec!["J\u{fc}rgen".as_bytes().to_vec()]);
    apply(&mut m, &d.read("u.ldf"));
    assert_eq!(m, original);
}

/// An Export-Csv holds only the properties asked for: a row changing an attribute the
/// export has no column for is refused (its current value is unknown; the undo would
/// have deleted it), while a row for an exported attribute goes through.
#[test]
fn apply_csv_refuses_attributes_the_export_has_no_column_for() {
    let d = Dir::new();
    let src = d.write(
        "export.csv",
        b"\"DistinguishedName\",\"Enabled\",\"GivenName\",\"Name\",\"ObjectClass\",\"SamAccountName\",\"Surname\",\"UserPrincipalName\"\r\n\
          \"CN=Amy Lee,OU=Staff,DC=contoso,DC=local\",\"True\",\"Amy\",\"Amy Lee\",\"user\",\"amy\",\"Lee\",\"amy lee@contoso.com\"\r\n",
    );
    let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
               \"CN=Amy Lee,OU=Staff,DC=contoso,DC=local\",\"Amy Lee\",\"user\",\"displayName\",\"Blank\",\"\",\"Amy Lee\",\"Edit\",\"EDIT\"\r\n\
               \"CN=Amy Lee,OU=Staff,DC=contoso,DC=local\",\"Amy Lee\",\"user\",\"userPrincipalName\",\"Character\",\"amy lee@contoso.com\",\"amylee@contoso.com\",\"Edit\",\"EDIT\"\r\n";
    let (code, out, refused) = apply_csv_refusals(&d, csv, &src);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0]
            .1
            .starts_with("not exported: the export has no displayName column"),
        "{refused:?}"
    );
    let undo = String::from_utf8(d.read("u.ldf")).unwrap();
    assert!(!undo.contains("displayName"), "{undo}");
    let changes = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(
        changes.contains("userPrincipalName: amylee@contoso.com"),
        "{changes}"
    );
}

/// A row for a deleted object (`\0ADEL:` in its RDN, as `ldifde -x` exports it) is
/// refused: the directory cannot modify it (verify calls such a change an import error).
#[test]
fn apply_csv_refuses_a_deleted_object() {
    let d = Dir::new();
    let src = d.write(
        "export.ldf",
        b"dn: CN=Ned\\0ADEL:1d1b6f0c-2b1e-4f5a-9a77-3c1e2d4f5a6b,CN=Deleted Objects,DC=contoso,DC=local\nobjectClass: user\nsAMAccountName: ned\nuserPrincipalName: ned@contoso.com\n",
    );
    let csv = "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n\
               \"CN=Ned\\0ADEL:1d1b6f0c-2b1e-4f5a-9a77-3c1e2d4f5a6b,CN=Deleted Objects,DC=contoso,DC=local\",Ned,user,userPrincipalName,X,ned@contoso.com,ned2@contoso.com,Edit,EDIT\r\n";
    let (code, out, refused) = apply_csv_refusals(&d, csv, &src);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].1.starts_with("deleted object"), "{refused:?}");
    assert!(!String::from_utf8(d.read("c.ldf")).unwrap().contains("ned2"));
}

/// A new UPN in the domain's own DNS name spells out an account's logon name
/// (`jdoe@fab.example.com` in `DC=fab,DC=example,DC=com` is the account `jdoe`): a change
/// giving it to one account while another has the sAMAccountName `jdoe`, or giving an
/// account the sAMAccountName another's UPN spells out, is refused naming the other
/// account (Samba AD refuses both). A UPN naming the object's own account, or one in
/// another domain, is not.
#[test]
fn a_new_logon_name_held_by_another_account_is_refused() {
    let d = Dir::new();
    let export = "dn: CN=Bee Holder,OU=Staff,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: JDoe
userPrincipalName: john@fab.example.com

dn: CN=Suffix Rewrite,OU=Staff,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: srew
userPrincipalName: jdoe@fab.local

dn: CN=Self,OU=Staff,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: self
userPrincipalName: self@fab.local

dn: CN=Child,OU=Staff,DC=emea,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: child
userPrincipalName: holder2@emea.fab.local

dn: CN=Root Holder,OU=Staff,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: holder2
userPrincipalName: rh@fab.example.com

dn: CN=Apos Sam,OU=Staff,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: o'abcd
userPrincipalName: apos@fab.example.com

dn: CN=Implied Holder,OU=Staff,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: holder1
userPrincipalName: OAbcd@Fab.Example.Com
";
    let input = d.write("export.ldf", export.as_bytes());
    let (code, out) = run_args(&[
        "fix",
        s(&input),
        "--upn-suffix",
        "fab.local=fab.example.com",
        "--upn-suffix",
        "emea.fab.local=fab.example.com",
        "--accept",
        "sam-character",
        "-o",
        s(&d.p("c.ldf")),
        "--undo",
        s(&d.p("u.ldf")),
        "--report",
        s(&d.p("r.csv")),
    ]);
    assert_eq!(code, 1, "{out}");
    let rows = refused_rows(&d.p("r.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let upn = rows
        .iter()
        .find(|r| r["dn"].starts_with("CN=Suffix Rewrite,"))
        .expect("the rewrite into Bee Holder's logon name is refused");
    assert!(
        upn["reason"].starts_with("collision: the new UPN 'jdoe@fab.example.com' is another account's logon name (its sAMAccountName 'jdoe' in the domain fab.example.com)"),
        "{upn:?}"
    );
    assert_eq!(
        upn["conflicting_dn"],
        "CN=Bee Holder,OU=Staff,DC=fab,DC=example,DC=com"
    );
    let sam = rows
        .iter()
        .find(|r| r["dn"].starts_with("CN=Apos Sam,"))
        .expect("the sAMAccountName another's UPN spells out is refused");
    assert!(
        sam["reason"].starts_with("collision: another account's UPN is 'oabcd@fab.example.com'"),
        "{sam:?}"
    );
    assert_eq!(
        sam["conflicting_dn"],
        "CN=Implied Holder,OU=Staff,DC=fab,DC=example,DC=com"
    );
    // Self's own logon name, and Child's UPN in the DNS name of a domain it is not in,
    // go through.
    let c = String::from_utf8(d.read("c.ldf")).unwrap();
    assert!(c.contains("userPrincipalName: self@fab.example.com"), "{c}");
    assert!(
        c.contains("userPrincipalName: holder2@fab.example.com"),
        "{c}"
    );
    assert!(
        !c.contains("userPrincipalName: jdoe@fab.example.com"),
        "{c}"
    );
    // verify reads the same rule: the refused rewrite, written by hand, is a problem.
    let hand = d.write(
        "hand.ldf",
        b"dn: CN=Suffix Rewrite,OU=Staff,DC=fab,DC=example,DC=com\r\nchangetype: modify\r\nreplace: userPrincipalName\r\nuserPrincipalName: jdoe@fab.example.com\r\n-\r\n\r\n",
    );
    let (code, out) = run_args(&["verify", s(&hand), "--against", s(&input)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("hand.ldf:1: CN=Suffix Rewrite,OU=Staff,DC=fab,DC=example,DC=com: the UPN 'jdoe@fab.example.com' is the logon name of CN=Bee Holder"),
        "{out}"
    );
}

/// The model as an export again (names lower-cased, values ASCII or base64).
fn export_of(m: &Model) -> String {
    use base64::Engine as _;
    let mut out = String::new();
    for (dn, attrs) in m {
        out.push_str(&format!("dn: {}\n", String::from_utf8_lossy(dn)));
        for (name, vals) in attrs {
            for v in vals {
                match std::str::from_utf8(v) {
                    Ok(t) if t.is_ascii() && !t.starts_with(' ') => {
                        out.push_str(&format!("{name}: {t}\n"))
                    }
                    _ => out.push_str(&format!(
                        "{name}:: {}\n",
                        base64::engine::general_purpose::STANDARD.encode(v)
                    )),
                }
            }
        }
        out.push('\n');
    }
    out
}

/// `--upn-from-mail` takes the primary address as the run's accepted fixes leave it: a
/// mail repaired in the same run gives the UPN its repaired form, so a second run on the
/// imported result plans nothing (it changed the UPN a second time).
#[test]
fn upn_from_mail_uses_the_address_repaired_in_the_same_run() {
    let d = Dir::new();
    let export = "dn: CN=Uni Mail,OU=S,DC=corp,DC=local
objectClass: user
sAMAccountName: unim
userPrincipalName: unim@corp.local
mail:: asO2cmdAY29ycC5leGFtcGxlLmNvbQ==

dn: CN=Space Proxy,OU=S,DC=corp,DC=local
objectClass: user
sAMAccountName: sprox
userPrincipalName: sprox@corp.local
mail: s prox@corp.example.com
proxyAddresses: SMTP:s prox@corp.example.com
";
    let args = |input: &Path, c: &Path, u: &Path| -> Vec<String> {
        [
            "fix",
            s(input),
            "--upn-suffix",
            "corp.local=corp.example.com",
            "--upn-from-mail",
            "--verified-domain",
            "corp.example.com",
            "--accept",
            "mail-character,mail-whitespace,proxy-whitespace,proxy-character",
            "-o",
            s(c),
            "--undo",
            s(u),
        ]
        .iter()
        .map(|a| a.to_string())
        .collect()
    };
    let input = d.write("export.ldf", export.as_bytes());
    let a = args(&input, &d.p("c1.ldf"), &d.p("u1.ldf"));
    let (code, out) = run_args(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(code == 0 || code == 1, "{out}");
    let mut m = model(export.as_bytes());
    apply(&mut m, &d.read("c1.ldf"));
    let uni = &m[b"CN=Uni Mail,OU=S,DC=corp,DC=local".as_slice()];
    assert_eq!(uni["mail"], vec![b"jorg@corp.example.com".to_vec()]);
    assert_eq!(
        uni["userprincipalname"],
        vec![b"jorg@corp.example.com".to_vec()]
    );
    let sp = &m[b"CN=Space Proxy,OU=S,DC=corp,DC=local".as_slice()];
    assert_eq!(
        sp["userprincipalname"],
        vec![b"sprox@corp.example.com".to_vec()]
    );

    let after = d.write("after.ldf", export_of(&m).as_bytes());
    let a = args(&after, &d.p("c2.ldf"), &d.p("u2.ldf"));
    let (code, out) = run_args(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 changes"),
        "a second run changes nothing more: {out}"
    );
}

/// A sAMAccountName ending in '.' is refused by the directory: fix refuses the repair
/// that would write one (`abc.'` less its `'`), and verify names one written by hand.
#[test]
fn a_sam_account_name_ending_in_a_period_is_refused() {
    let d = Dir::new();
    let export = "dn: CN=Apos Sam,OU=Staff,DC=fab,DC=example,DC=com
objectClass: user
sAMAccountName: abc.'
userPrincipalName: apos@fab.example.com
";
    let input = d.write("export.ldf", export.as_bytes());
    let (code, out) = run_args(&[
        "fix",
        s(&input),
        "--accept",
        "sam-character",
        "-o",
        s(&d.p("c.ldf")),
        "--undo",
        s(&d.p("u.ldf")),
        "--report",
        s(&d.p("r.csv")),
    ]);
    assert_eq!(code, 1, "{out}");
    let rows = refused_rows(&d.p("r.csv"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0]["reason"],
        "invalid: the new sAMAccountName 'abc.' ends with '.', which Active Directory refuses"
    );
    let hand = d.write(
        "hand.ldf",
        b"dn: CN=Apos Sam,OU=Staff,DC=fab,DC=example,DC=com\r\nchangetype: modify\r\nreplace: sAMAccountName\r\nsAMAccountName: abc.\r\n-\r\n\r\n",
    );
    let (code, out) = run_args(&["verify", s(&hand), "--against", s(&input)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("hand.ldf:1: CN=Apos Sam,OU=Staff,DC=fab,DC=example,DC=com: 'replace: sAMAccountName' with a name ending in '.'"),
        "{out}"
    );
}

/// `a=b` with `b=c`: one run applies one step, so a second run would rewrite again; the
/// run says so (and still plans the one step).
#[test]
fn chained_suffix_mappings_are_named_in_a_warning() {
    let d = Dir::new();
    d.write("export.ldf", export().as_bytes());
    let input = d.p("export.ldf");
    let (code, out) = run_args(&[
        "fix",
        s(&input),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--upn-suffix",
        "Contoso.COM=fabrikam.com",
        "--dry-run",
    ]);
    assert_ne!(code, 2, "{out}");
    assert!(
        out.contains("warning: --upn-suffix contoso.local=contoso.com and --upn-suffix Contoso.COM=fabrikam.com chain: this run rewrites contoso.local to contoso.com only, and a second run would rewrite those UPNs again to fabrikam.com; give contoso.local=fabrikam.com if fabrikam.com is meant"),
        "{out}"
    );
    // Unrelated mappings: no warning.
    let (_, out) = run_args(&[
        "fix",
        s(&input),
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--dry-run",
    ]);
    assert!(!out.contains("chain"), "{out}");
}
