//! `ldifix scan` end to end: exit statuses, the JSON contract
//! (shared/contracts/scan-json.md), collisions across files and attributes, OU scoping,
//! CSV quoting and determinism.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A complete, valid user in domain `dc` (e.g. `a` → `DC=a,DC=contoso,DC=com`), with
/// extra attribute lines.
fn user(cn: &str, dc: &str, sam: &str, extra: &[&str]) -> String {
    let mut s = format!(
        "dn: CN={cn},OU=Staff,DC={dc},DC=contoso,DC=com\n\
         objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n\
         cn: {cn}\ndisplayName: {cn}\ngivenName: {cn}\nsAMAccountName: {sam}\nuserAccountControl: 512\n"
    );
    for l in extra {
        s.push_str(l);
        s.push('\n');
    }
    s.push('\n');
    s
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
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn scan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(|k| k.as_str()).collect()
}

fn has_keys(v: &Value, want: &[&str]) {
    let k = keys(v);
    for w in want {
        assert!(k.contains(w), "missing key {w} in {v}");
    }
}

/// (dn, attribute, value) of every finding with `Duplicate` in `errors`.
fn duplicate_findings(doc: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "Duplicate")
        })
        .map(|f| {
            (
                f["dn"].as_str().unwrap().to_owned(),
                f["attribute"].as_str().unwrap().to_owned(),
                f["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

/// (dn, attribute, value) of every holder of every collision.
fn collision_holders(doc: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = doc["collisions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["holders"].as_array().unwrap().iter())
        .map(|h| {
            (
                h["dn"].as_str().unwrap().to_owned(),
                h["attribute"].as_str().unwrap().to_owned(),
                h["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn dn(cn: &str, dc: &str) -> String {
    format!("CN={cn},OU=Staff,DC={dc},DC=contoso,DC=com")
}

fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.to_owned(), b.to_owned(), c.to_owned())
}

#[test]
fn clean_input_exits_0_with_contract_shape() {
    let d = Dir::new();
    let text = user(
        "Ann Lee",
        "a",
        "alee",
        &[
            "userPrincipalName: ann.lee@contoso.com",
            "mail: ann.lee@contoso.com",
            "mailNickname: ann.lee",
            "proxyAddresses: SMTP:ann.lee@contoso.com",
        ],
    );
    d.write("a.ldf", &text);
    let (code, stdout, stderr) = scan(d.dir.path(), &["a.ldf", "--json", "r.json"]);
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    let doc = json(&d.path("r.json"));
    has_keys(
        &doc,
        &[
            "tool",
            "profile",
            "inputs",
            "summary",
            "findings",
            "collisions",
        ],
    );
    assert_eq!(doc["tool"]["name"], "ldifix");
    assert!(doc["tool"]["version"].is_string());
    assert_eq!(doc["profile"], "entra");
    let input = &doc["inputs"][0];
    has_keys(input, &["path", "records", "bytes"]);
    assert_eq!(input["path"], "a.ldf");
    assert_eq!(input["records"], 1);
    assert_eq!(input["bytes"], text.len() as u64);
    let s = &doc["summary"];
    has_keys(
        s,
        &[
            "objects",
            "in_scope",
            "skipped",
            "findings",
            "by_error",
            "by_attribute",
            "upn_suffixes",
        ],
    );
    assert_eq!(s["objects"], 1);
    assert_eq!(s["in_scope"], 1);
    assert_eq!(s["skipped"], 0);
    assert_eq!(s["findings"], 0);
    assert_eq!(s["upn_suffixes"]["contoso.com"], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    assert_eq!(doc["collisions"].as_array().unwrap().len(), 0);
    // The verified-domain rule did not run and the summary says so.
    assert_eq!(s["verified_domain_rule"], false);
    assert!(
        stdout.contains("verified-domain rule did not run"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 scanned, 1 in scope, 0 skipped"),
        "{stdout}"
    );
}

#[test]
fn cross_domain_duplicates_list_every_holder_in_collisions_and_findings() {
    let d = Dir::new();
    d.write(
        "forest-a.ldf",
        &(user(
            "Mary A",
            "a",
            "marya",
            &[
                "userPrincipalName: mary.a@contoso.com",
                "mail: mary@contoso.com",
                "proxyAddresses: SMTP:mary@contoso.com",
            ],
        ) + &user(
            "Other",
            "a",
            "other",
            &["userPrincipalName: other@contoso.com"],
        )),
    );
    d.write(
        "forest-b.ldf",
        &(user(
            "Mary B",
            "b",
            "maryb",
            &[
                "userPrincipalName: mary.b@contoso.com",
                "mail: mary@contoso.com",
            ],
        ) + &user(
            "Mary C",
            "b",
            "maryc",
            &[
                "userPrincipalName: mary.c@contoso.com",
                "proxyAddresses: SMTP:mary.c@contoso.com",
                "proxyAddresses: smtp:mary@contoso.com",
            ],
        )),
    );
    let (code, stdout, stderr) = scan(
        d.dir.path(),
        &["forest-a.ldf", "forest-b.ldf", "--json", "r.json"],
    );
    assert_eq!(code, 1, "stdout: {stdout}\nstderr: {stderr}");
    let doc = json(&d.path("r.json"));
    let cols = doc["collisions"].as_array().unwrap();
    assert_eq!(cols.len(), 1, "{cols:?}");
    let c = &cols[0];
    has_keys(c, &["key", "holders"]);
    assert_eq!(c["key"], "mary@contoso.com");
    let holders = c["holders"].as_array().unwrap();
    for h in holders {
        has_keys(h, &["file", "line", "dn", "attribute", "value"]);
    }
    let got: Vec<(String, u64, String, String)> = holders
        .iter()
        .map(|h| {
            (
                h["file"].as_str().unwrap().to_owned(),
                h["line"].as_u64().unwrap(),
                h["attribute"].as_str().unwrap().to_owned(),
                h["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Input order, the first holder included, line = where the record starts.
    assert_eq!(
        got,
        vec![
            (
                "forest-a.ldf".into(),
                1,
                "mail".into(),
                "mary@contoso.com".into()
            ),
            (
                "forest-a.ldf".into(),
                1,
                "proxyAddresses".into(),
                "SMTP:mary@contoso.com".into()
            ),
            (
                "forest-b.ldf".into(),
                1,
                "mail".into(),
                "mary@contoso.com".into()
            ),
            (
                "forest-b.ldf".into(),
                14,
                "proxyAddresses".into(),
                "smtp:mary@contoso.com".into()
            ),
        ]
    );
    assert_eq!(holders[0]["dn"], dn("Mary A", "a"));
    // Every holder also has a Duplicate finding, and no one else has one.
    assert_eq!(duplicate_findings(&doc), collision_holders(&doc));
    // Findings are in input order.
    let order: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    for f in doc["findings"].as_array().unwrap() {
        has_keys(
            f,
            &[
                "file",
                "line",
                "dn",
                "object_class",
                "attribute",
                "value",
                "errors",
                "rules",
                "update",
                "action",
            ],
        );
        assert_eq!(f["object_class"], "user");
        assert!(!f["errors"].as_array().unwrap().is_empty());
        assert!(!f["rules"].as_array().unwrap().is_empty());
    }
    assert!(doc["summary"]["by_error"]["Duplicate"].as_u64().unwrap() >= 4);
    assert!(stdout.contains("mary@contoso.com"), "{stdout}");
}

#[test]
fn upn_equal_to_another_objects_smtp_proxy_collides() {
    let d = Dir::new();
    d.write(
        "a.ldf",
        &(user(
            "A",
            "a",
            "usera",
            &["userPrincipalName: shared@contoso.com"],
        ) + &user(
            "B",
            "a",
            "userb",
            &[
                "userPrincipalName: b@contoso.com",
                "proxyAddresses: SMTP:b@contoso.com",
                "proxyAddresses: smtp:shared@contoso.com",
            ],
        )),
    );
    let (code, _, stderr) = scan(d.dir.path(), &["a.ldf", "--json", "r.json"]);
    assert_eq!(code, 1, "{stderr}");
    let doc = json(&d.path("r.json"));
    let want = vec![
        t(&dn("A", "a"), "userPrincipalName", "shared@contoso.com"),
        t(&dn("B", "a"), "proxyAddresses", "smtp:shared@contoso.com"),
    ];
    assert_eq!(collision_holders(&doc), want);
    assert_eq!(duplicate_findings(&doc), want);
}

#[test]
fn case_only_duplicate_collides() {
    let d = Dir::new();
    d.write(
        "a.ldf",
        &(user(
            "A",
            "a",
            "usera",
            &[
                "userPrincipalName: a@contoso.com",
                "mail: John.Doe@contoso.com",
            ],
        ) + &user(
            "B",
            "a",
            "userb",
            &[
                "userPrincipalName: b@contoso.com",
                "mail: john.doe@CONTOSO.com",
            ],
        )),
    );
    let (code, _, stderr) = scan(d.dir.path(), &["a.ldf", "--json", "r.json"]);
    assert_eq!(code, 1, "{stderr}");
    let doc = json(&d.path("r.json"));
    assert_eq!(doc["collisions"][0]["key"], "john.doe@contoso.com");
    assert_eq!(
        duplicate_findings(&doc),
        vec![
            t(&dn("A", "a"), "mail", "John.Doe@contoso.com"),
            t(&dn("B", "a"), "mail", "john.doe@CONTOSO.com"),
        ]
    );
}

#[test]
fn same_value_on_one_object_in_two_attributes_is_not_a_collision() {
    let d = Dir::new();
    d.write(
        "a.ldf",
        &user(
            "A",
            "a",
            "usera",
            &[
                "userPrincipalName: a@contoso.com",
                "mail: a@contoso.com",
                "proxyAddresses: SMTP:a@contoso.com",
                "targetAddress: SMTP:a@contoso.com",
            ],
        ),
    );
    let (code, stdout, stderr) = scan(d.dir.path(), &["a.ldf", "--json", "r.json"]);
    let doc = json(&d.path("r.json"));
    assert!(doc["collisions"].as_array().unwrap().is_empty());
    assert!(duplicate_findings(&doc).is_empty());
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_value_repeated_on_one_object_is_one_holder_and_one_finding() {
    let d = Dir::new();
    let text = user(
        "A",
        "a",
        "usera",
        &[
            "proxyAddresses: smtp:dup@contoso.com",
            "proxyAddresses: smtp:dup@contoso.com",
        ],
    ) + &user("B", "a", "userb", &["proxyAddresses: smtp:dup@contoso.com"]);
    d.write("a.ldf", &text);
    scan(d.dir.path(), &["a.ldf", "--json", "r.json"]);
    let doc = json(&d.path("r.json"));
    let groups = doc["collisions"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    let holders: Vec<&str> = groups[0]["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["dn"].as_str().unwrap())
        .collect();
    assert_eq!(holders, vec![dn("A", "a"), dn("B", "a")]);
    assert_eq!(
        duplicate_findings(&doc),
        vec![
            t(&dn("A", "a"), "proxyAddresses", "smtp:dup@contoso.com"),
            t(&dn("B", "a"), "proxyAddresses", "smtp:dup@contoso.com"),
        ]
    );
}

#[test]
fn include_and_exclude_ou() {
    let d = Dir::new();
    let text = user("A", "a", "usera", &["userPrincipalName: x y@contoso.com"])
        + &user("B", "b", "userb", &["userPrincipalName: x y@contoso.com"])
        + &user("C", "c", "userc", &["userPrincipalName: x y@contoso.com"]);
    d.write("a.ldf", &text);
    // Only domain a: no collision.
    let (_, _, e) = scan(
        d.dir.path(),
        &[
            "a.ldf",
            "--include-ou",
            "dc=A, dc=Contoso,DC=com",
            "--json",
            "a.json",
        ],
    );
    let doc = json(&d.path("a.json"));
    assert_eq!(doc["summary"]["objects"], 3, "{e}");
    assert_eq!(doc["summary"]["in_scope"], 1);
    assert_eq!(doc["summary"]["skipped"], 2);
    assert!(doc["collisions"].as_array().unwrap().is_empty());
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["dn"] == dn("A", "a")));
    // Everything but domain b: A and C collide.
    scan(
        d.dir.path(),
        &[
            "a.ldf",
            "--exclude-ou",
            "DC=b,DC=contoso,DC=com",
            "--json",
            "b.json",
        ],
    );
    let doc = json(&d.path("b.json"));
    assert_eq!(doc["summary"]["in_scope"], 2);
    let holders: Vec<String> = collision_holders(&doc).into_iter().map(|h| h.0).collect();
    assert_eq!(holders, vec![dn("A", "a"), dn("C", "c")]);
    // Include the tenant, exclude a more specific OU: the most specific wins.
    scan(
        d.dir.path(),
        &[
            "a.ldf",
            "--include-ou",
            "DC=contoso,DC=com",
            "--exclude-ou",
            "OU=Staff,DC=c,DC=contoso,DC=com",
            "--json",
            "c.json",
        ],
    );
    let doc = json(&d.path("c.json"));
    assert_eq!(doc["summary"]["in_scope"], 2);
    // A malformed container DN is a usage error.
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "--include-ou", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.contains("--include-ou"), "{err}");
    // So is one container both included and excluded.
    let (code, _, err) = scan(
        d.dir.path(),
        &[
            "a.ldf",
            "--include-ou",
            "DC=a,DC=contoso,DC=com",
            "--exclude-ou",
            "dc=a,dc=contoso,dc=com",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("name the same container"), "{err}");
}

#[test]
fn a_container_holding_no_object_is_named_in_a_warning() {
    let d = Dir::new();
    d.write(
        "a.ldf",
        &user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]),
    );
    // A misspelt OU scopes everything out: the run is clean but says why.
    let (code, _, err) = scan(
        d.dir.path(),
        &[
            "a.ldf",
            "--include-ou",
            "OU=Staf,DC=a,DC=contoso,DC=com",
            "--exclude-ou",
            "OU=Staff,DC=b,DC=contoso,DC=com",
            "--json",
            "a.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&d.path("a.json"))["summary"]["in_scope"], 0);
    assert!(
        err.contains("warning: --include-ou OU=Staf,DC=a,DC=contoso,DC=com: no object in scope lies in or under this container"),
        "{err}"
    );
    assert!(
        err.contains("--exclude-ou OU=Staff,DC=b,DC=contoso,DC=com"),
        "{err}"
    );
    // The right DN: no warning.
    let (_, _, err) = scan(
        d.dir.path(),
        &["a.ldf", "--include-ou", "OU=Staff,DC=a,DC=contoso,DC=com"],
    );
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn an_export_without_object_classes_is_bad_input_as_nothing_could_be_checked() {
    let d = Dir::new();
    // Exported with a -l list that left objectClass out: nothing can be in scope, so the
    // duplicate mail below cannot be found. Reporting that as clean (exit 0) would hide
    // it: the run is refused (exit 2, no report), or reported with --keep-going (exit 2).
    d.write(
        "bare.ldf",
        "dn: CN=A,OU=Staff,DC=a,DC=contoso,DC=com\ncn: A\nmail: a@contoso.com\n\n\
         dn: CN=B,OU=Staff,DC=a,DC=contoso,DC=com\ncn: B\nmail: a@contoso.com\n",
    );
    let (code, _, err) = scan(d.dir.path(), &["bare.ldf", "--json", "bare.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(!d.path("bare.json").exists());
    assert!(
        err.contains("ldifix: bare.ldf: no record has an objectClass (expected one on every user, contact and group): they cannot be told apart, so nothing in this input was checked or compared"),
        "{err}"
    );
    assert!(err.contains("ldifde -l"), "{err}");
    let (code, _, err) = scan(
        d.dir.path(),
        &["bare.ldf", "--json", "bare.json", "--keep-going"],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(json(&d.path("bare.json"))["summary"]["in_scope"], 0);
    // Some records without one: counted, and the first named by line.
    let mut mixed = user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]);
    mixed.push_str("dn: CN=X,OU=Staff,DC=a,DC=contoso,DC=com\ncn: X\n\n");
    mixed.push_str("dn: CN=Y,OU=Staff,DC=a,DC=contoso,DC=com\ncn: Y\n\n");
    d.write("mixed.ldf", &mixed);
    let (code, _, err) = scan(d.dir.path(), &["mixed.ldf"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("mixed.ldf:13: warning: 2 records without an objectClass (this is the first): not checked"),
        "{err}"
    );
    // Every record with one: no such warning.
    assert_a_clean_export_says_nothing_of(&d, "objectClass");
}

/// Scan a one-user export with every attribute a check reads, and assert that stderr
/// does not mention `what`.
fn assert_a_clean_export_says_nothing_of(d: &Dir, what: &str) {
    d.write(
        "clean.ldf",
        &user("C", "a", "userc", &["userPrincipalName: c@contoso.com"]),
    );
    let (_, _, err) = scan(d.dir.path(), &["clean.ldf"]);
    assert!(!err.contains(what), "{err}");
}

#[test]
fn change_records_are_named_in_a_warning_not_read() {
    let d = Dir::new();
    let mut text = user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]);
    text.push_str(
        "dn: CN=A,OU=Staff,DC=a,DC=contoso,DC=com\nchangetype: modify\n\
         replace: userPrincipalName\nuserPrincipalName: a@contoso.com\n-\n\n\
         dn: CN=B,OU=Staff,DC=a,DC=contoso,DC=com\nchangetype: delete\n",
    );
    d.write("a.ldf", &text);
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "--json", "a.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("a.ldf:13: warning: 2 change records (modify, delete or modrdn) not read (this is the first)"),
        "{err}"
    );
    assert_eq!(json(&d.path("a.json"))["summary"]["in_scope"], 1);
    // An export alone: no such warning.
    assert_a_clean_export_says_nothing_of(&d, "change record");
}

#[test]
fn values_read_as_windows_1252_are_named_in_a_note() {
    let d = Dir::new();
    let mut text = user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]).into_bytes();
    text.extend_from_slice(
        b"dn: CN=M\xfcller,OU=Staff,DC=a,DC=contoso,DC=com\nobjectClass: user\ncn: M\xfcller\n\
          sAMAccountName: mueller\nuserPrincipalName: mueller@contoso.com\n",
    );
    std::fs::write(d.path("a.ldf"), text).unwrap();
    let (code, _, err) = scan(d.dir.path(), &["a.ldf"]);
    assert!(code == 0 || code == 1, "{err}");
    assert!(
        err.contains("a.ldf:13: warning: 1 record holds a DN or value that is not valid UTF-8 (this is the first): read as Windows-1252 for the checks; export again as Unicode"),
        "{err}"
    );
    assert_a_clean_export_says_nothing_of(&d, "UTF-8");
}

#[test]
fn an_export_cut_inside_its_last_line_is_named_at_that_line() {
    let d = Dir::new();
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&user(&format!("U{i}"), "a", &format!("u{i}"), &[]));
    }
    text.push_str(
        "dn: CN=Z,OU=Staff,DC=a,DC=contoso,DC=com\nobjectClass: user\ncn: Z\nmail: z@cont",
    );
    d.write("cut.ldf", &text);
    let last = text.lines().count();
    // In small chunks too, so the warning's line is made absolute like the others.
    for chunk in ["8388608", "4096"] {
        let (code, _, err) = scan(d.dir.path(), &["cut.ldf", "--chunk-bytes", chunk]);
        assert!(code == 0 || code == 1, "{err}");
        assert!(
            err.contains(&format!(
                "cut.ldf:{last}: warning: the input ends inside its last line"
            )),
            "{err}"
        );
    }
}

#[test]
fn idfix_profile_names_objects_without_a_cn() {
    let d = Dir::new();
    let mut text = user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]);
    text.push_str(
        "dn: CN=NoCn,OU=Staff,DC=a,DC=contoso,DC=com\nobjectClass: user\n\
         sAMAccountName: nocn\nuserPrincipalName: nocn@contoso.com\n",
    );
    d.write("a.ldf", &text);
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "--profile", "idfix"]);
    // Findings (1) or none (0), never a failed run.
    assert!(code == 0 || code == 1, "{err}");
    assert!(
        err.contains("a.ldf:13: warning: 1 object in scope without a cn (this is the first): IdFix stopped on such an entry; ldifix checks it, using the value of the DN's first RDN"),
        "{err}"
    );
    // The entra profile does not use cn: no warning.
    let (_, _, err) = scan(d.dir.path(), &["a.ldf"]);
    assert!(!err.contains("without a cn"), "{err}");
}

#[test]
fn the_same_file_given_twice_is_a_usage_error() {
    let d = Dir::new();
    d.write(
        "a.ldf",
        &user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]),
    );
    let (code, out, err) = scan(d.dir.path(), &["a.ldf", "./a.ldf"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.contains("a.ldf and ./a.ldf are the same file: give each input once"),
        "{err}"
    );
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "a.ldf", "--json", "a.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("a.ldf is given twice"), "{err}");
    assert!(!d.path("a.json").exists());
}

#[test]
fn invalid_input_exits_2_naming_file_and_line() {
    let d = Dir::new();
    let good = user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]);
    // Line 13 is the broken record's first line.
    let text = format!("{good}dn: CN=Bad,DC=a,DC=contoso,DC=com\nthis line has no colon\n\n{good}");
    assert_eq!(good.lines().count(), 12);
    d.write("bad.ldf", &text);
    let (code, stdout, err) = scan(d.dir.path(), &["bad.ldf", "--json", "r.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.ldf:14:"), "{err}");
    assert!(err.contains("expected"), "{err}");
    assert!(stdout.is_empty());
    assert!(!d.path("r.json").exists(), "no report without --keep-going");
    // --keep-going: the bad record is reported and skipped, the reports are written,
    // the exit status is still 2.
    let (code, _, err) = scan(
        d.dir.path(),
        &["bad.ldf", "--keep-going", "--json", "r.json", "--quiet"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("bad.ldf:14:"), "{err}");
    let doc = json(&d.path("r.json"));
    assert_eq!(doc["summary"]["invalid_records"], 1);
    assert_eq!(doc["summary"]["objects"], 2);
    assert_eq!(doc["inputs"][0]["records"], 3);
    // A missing input is an error too.
    let (code, _, err) = scan(d.dir.path(), &["missing.ldf"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.ldf"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let d = Dir::new();
    d.write("a.ldf", &user("A", "a", "usera", &[]));
    let (code, _, _) = scan(d.dir.path(), &[]);
    assert_eq!(code, 2);
    let (code, _, _) = scan(d.dir.path(), &["a.ldf", "--profile", "nope"]);
    assert_eq!(code, 2);
    // Existing outputs are not replaced without --force.
    d.write("r.json", "keep me");
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "--json", "r.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.path("r.json")).unwrap(),
        "keep me"
    );
    let (code, _, _) = scan(d.dir.path(), &["a.ldf", "--json", "r.json", "--force"]);
    assert_ne!(code, 2);
    assert!(json(&d.path("r.json"))["summary"].is_object());
}

#[test]
fn csv_has_idfix_columns_rfc4180_quoting_and_formula_neutralisation() {
    let d = Dir::new();
    let a = "dn: CN=Smith\\, John,OU=Staff,DC=a,DC=contoso,DC=com\n\
             objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n\
             cn: Smith, John\ndisplayName: Smith, John\nsAMAccountName: jsmith\n\
             userPrincipalName: jsmith@contoso.com\nmailNickname: =cmd\n\n";
    let b = user(
        "B",
        "a",
        "userb",
        &["userPrincipalName: b@contoso.com", "mailNickname: =CMD"],
    );
    d.write("a.ldf", &format!("{a}{b}"));
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "--csv", "r.csv", "--quiet"]);
    assert_eq!(code, 1, "{err}");
    let text = std::fs::read_to_string(d.path("r.csv")).unwrap();
    assert!(text.starts_with(
        "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n"
    ));
    // Every cell quoted (RFC 4180), inner quotes doubled, formulas neutralised.
    assert!(
        text.contains(
            "\"CN=Smith\\, John,OU=Staff,DC=a,DC=contoso,DC=com\",\"Smith, John\",\"user\",\"mailNickname\",\"Duplicate\",\"'=cmd\",\"\",\"Edit\",\"\"\r\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(",\"mailNickname\",\"Duplicate\",\"'=CMD\","),
        "{text}"
    );
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rd.headers().unwrap().len(), 9);
    let recs: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), 2, "{text}");
    assert_eq!(
        &recs[0][0],
        "CN=Smith\\, John,OU=Staff,DC=a,DC=contoso,DC=com"
    );
    assert_eq!(&recs[0][1], "Smith, John");
    assert_eq!(ldifix::report::csv::unneutralize(&recs[0][5]), "=cmd");
}

#[test]
fn output_is_deterministic() {
    let d = Dir::new();
    let mut a = String::new();
    let mut b = String::new();
    for i in 0..200 {
        a += &user(
            &format!("U{i}"),
            "a",
            &format!("ua{i}"),
            &[
                &format!("userPrincipalName: u{i}@contoso.com"),
                &format!("mail: m{}@contoso.com", i % 37),
                &format!("proxyAddresses: smtp:p{}@contoso.com", i % 11),
            ],
        );
        b += &user(
            &format!("V{i}"),
            "b",
            &format!("vb{i}"),
            &[
                &format!("userPrincipalName: U{}@contoso.com", i % 53),
                &format!("proxyAddresses: SMTP:M{}@contoso.com", i % 29),
            ],
        );
    }
    d.write("a.ldf", &a);
    d.write("b.ldf", &b);
    let run = |n: &str| {
        let j = format!("{n}.json");
        let c = format!("{n}.csv");
        let (code, _, err) = scan(
            d.dir.path(),
            &["a.ldf", "b.ldf", "--json", &j, "--csv", &c, "--quiet"],
        );
        assert_eq!(code, 1, "{err}");
        let doc = json(&d.path(&j));
        assert!(!doc["collisions"].as_array().unwrap().is_empty());
        assert_eq!(duplicate_findings(&doc), collision_holders(&doc));
        (
            std::fs::read(d.path(&j)).unwrap(),
            std::fs::read(d.path(&c)).unwrap(),
        )
    };
    assert_eq!(run("one"), run("two"));
}

#[test]
fn idfix_profile_runs_and_says_so() {
    let d = Dir::new();
    d.write(
        "a.ldf",
        &user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]),
    );
    let (code, _, err) = scan(
        d.dir.path(),
        &["a.ldf", "--profile", "idfix", "--json", "r.json", "--quiet"],
    );
    assert!(code == 0 || code == 1, "{err}");
    let doc = json(&d.path("r.json"));
    assert_eq!(doc["profile"], "idfix");
    assert_eq!(doc["summary"]["verified_domain_rule"], false);
}

/// The IdFix profiles compare values as IdFix's `InvariantCultureIgnoreCase` store does:
/// a soft hyphen or a zero-width space is ignored, so `Ann\u{AD}a@…` duplicates `anna@…`
/// (Duplicate rows and a collision group); the entra profile keeps them apart and flags
/// the invisible character instead.
#[test]
fn idfix_profile_duplicates_ignore_what_invariant_culture_ignores() {
    let d = Dir::new();
    let mut text = user(
        "A",
        "a",
        "usera",
        &["userPrincipalName: Ann\u{ad}a@contoso.com"],
    );
    text += &user("B", "a", "userb", &["userPrincipalName: anna@contoso.com"]);
    text += &user(
        "C",
        "a",
        "userc",
        &["userPrincipalName: \u{200b}bob@contoso.com"],
    );
    text += &user(
        "D",
        "a",
        "userd",
        &["userPrincipalName: bo\u{2060}b@contoso.com"],
    );
    d.write("a.ldf", &text);
    let (_, _, err) = scan(
        d.dir.path(),
        &["a.ldf", "--profile", "idfix", "--json", "r.json", "--quiet"],
    );
    let doc = json(&d.path("r.json"));
    let groups = doc["collisions"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{err} {groups:?}");
    let dups: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "Duplicate")
        })
        .map(|f| f["dn"].as_str().unwrap())
        .collect();
    assert!(dups.iter().any(|dn| dn.starts_with("CN=B,")), "{dups:?}");
    assert!(dups.iter().any(|dn| dn.starts_with("CN=D,")), "{dups:?}");

    let (_, _, err) = scan(d.dir.path(), &["a.ldf", "--json", "e.json", "--quiet"]);
    let doc = json(&d.path("e.json"));
    assert_eq!(doc["collisions"].as_array().unwrap().len(), 0, "{err}");
    assert!(
        doc["summary"]["by_error"]["Invisible"].as_u64().unwrap() >= 3,
        "{}",
        doc["summary"]
    );
}

/// A ranged retrieval (`member;range=0-1499`) holds part of an attribute's values: one
/// warning per file names the first such record and the count; the last range
/// (`range=1500-*`) is whole.
#[test]
fn partial_ranged_values_are_warned_about_once() {
    let d = Dir::new();
    let mut text = user(
        "A",
        "a",
        "usera",
        &["proxyAddresses;range=0-1: SMTP:a@contoso.com"],
    );
    text += &user(
        "B",
        "a",
        "userb",
        &["proxyAddresses;Range=2-*: SMTP:b@contoso.com"],
    );
    text += &user(
        "C",
        "a",
        "userc",
        &["PROXYADDRESSES;RANGE=0-1499: SMTP:c@contoso.com"],
    );
    d.write("a.ldf", &text);
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "--quiet"]);
    assert!(code == 0 || code == 1, "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("ranged retrieval"))
        .collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("a.ldf:1: warning: 2 records with only part of an attribute's values (this is the first)"),
        "{err}"
    );
    d.write(
        "b.ldf",
        &user(
            "D",
            "a",
            "userd",
            &["proxyAddresses;range=0-*: SMTP:d@contoso.com"],
        ),
    );
    let (_, _, err) = scan(d.dir.path(), &["b.ldf", "--quiet"]);
    assert!(!err.contains("ranged retrieval"), "{err}");
}

/// An Export-Csv holds only the properties asked for: attributes without a column are
/// unknown, so no user is skipped for lacking a sAMAccountName and the idfix profile
/// flags no missing displayName, while the values that are there are still judged.
#[test]
fn export_csv_columns_left_out_are_unknown_not_absent() {
    let d = Dir::new();
    d.write(
        "p.csv",
        "#TYPE Microsoft.ActiveDirectory.Management.ADUser\r\n\
         \"DistinguishedName\",\"ObjectClass\",\"UserPrincipalName\",\"mail\"\r\n\
         \"CN=a,DC=x,DC=com\",\"user\",\"a b@contoso.com\",\"a@contoso.com\"\r\n\
         \"CN=b,DC=x,DC=com\",\"user\",\"b@contoso.com\",\"b@contoso.com\"\r\n",
    );
    let (_, _, err) = scan(d.dir.path(), &["p.csv", "--json", "e.json", "--quiet"]);
    let doc = json(&d.path("e.json"));
    assert_eq!(doc["summary"]["in_scope"], 2, "{err}");
    assert_eq!(doc["summary"]["findings"], 1, "{err}");
    assert_eq!(doc["findings"][0]["attribute"], "userPrincipalName");
    let (_, _, err) = scan(
        d.dir.path(),
        &["p.csv", "--profile", "idfix", "--json", "i.json", "--quiet"],
    );
    let doc = json(&d.path("i.json"));
    let attrs: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["attribute"].as_str().unwrap())
        .collect();
    assert!(
        !attrs.iter().any(|a| a.eq_ignore_ascii_case("displayName")),
        "{err} {attrs:?}"
    );
    assert!(attrs.contains(&"userPrincipalName"), "{err} {attrs:?}");
}

// ---- proof: scan agrees exactly with `ldifix generate --truth` ---------------------------

type Problem = (String, String, String, String);

fn ldifix(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("ldifix")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// The planted kinds the generator knows (`--list-kinds`).
fn all_kinds(dir: &Path) -> Vec<String> {
    let out = ldifix(dir, &["generate", "--list-kinds"]);
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// Generate a two-domain forest with every planted kind in `flavor`, scan it, and
/// compare (dn, attribute, value, rule) of every problem and every collision group.
fn proof(flavor: &str, users: u64) {
    let d = Dir::new();
    let dir = d.dir.path();
    let users = users.to_string();
    let out = ldifix(
        dir,
        &[
            "generate",
            "--users",
            &users,
            "--domain",
            "contoso.local",
            "--domain",
            "fabrikam.local",
            "--defect-rate",
            "0.03",
            "--local-upn-share",
            "0.005",
            "--flavor",
            flavor,
            "-o",
            "forest.ldf",
            "--truth",
            "truth.json",
            "--quiet",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth = json(&d.path("truth.json"));
    // Every kind is planted at least once.
    let planted = &truth["summary"]["planted_by_kind"];
    for k in all_kinds(dir) {
        assert!(
            planted[&k].as_u64().unwrap_or(0) > 0,
            "kind {k} not planted: {planted}"
        );
    }
    let (code, _, err) = scan(dir, &["forest.ldf", "--json", "scan.json", "--quiet"]);
    assert_eq!(code, 1, "{err}");
    let doc = json(&d.path("scan.json"));

    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let want: std::collections::BTreeSet<Problem> = truth["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                s(&p["dn"]),
                s(&p["attribute"]),
                s(&p["value"]),
                s(&p["rule"]),
            )
        })
        .collect();
    let mut got: std::collections::BTreeSet<Problem> = Default::default();
    for f in doc["findings"].as_array().unwrap() {
        for r in f["rules"].as_array().unwrap() {
            got.insert((s(&f["dn"]), s(&f["attribute"]), s(&f["value"]), s(r)));
        }
    }
    let missed: Vec<&Problem> = want.difference(&got).collect();
    let extra: Vec<&Problem> = got.difference(&want).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{flavor}: missed {} {:#?}\nextra {} {:#?}",
        missed.len(),
        &missed[..missed.len().min(20)],
        extra.len(),
        &extra[..extra.len().min(20)]
    );

    type Group = (String, Vec<(String, String, String)>);
    let groups = |v: &Value| -> std::collections::BTreeSet<Group> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    s(&c["key"]),
                    c["holders"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|h| (s(&h["dn"]), s(&h["attribute"]), s(&h["value"])))
                        .collect(),
                )
            })
            .collect()
    };
    let want_c = groups(&truth["collisions"]);
    let got_c = groups(&doc["collisions"]);
    assert!(!want_c.is_empty());
    assert_eq!(
        want_c.difference(&got_c).collect::<Vec<_>>(),
        Vec::<&Group>::new(),
        "{flavor}: collisions missed"
    );
    assert_eq!(
        got_c.difference(&want_c).collect::<Vec<_>>(),
        Vec::<&Group>::new(),
        "{flavor}: collisions not planted"
    );
}

#[test]
fn proof_ldifde_10k() {
    proof("ldifde", 10_000);
}

#[test]
fn proof_ldifde_unicode_10k() {
    proof("ldifde-unicode", 10_000);
}

#[test]
#[ignore = "100k objects: run in release (cargo test --release --test scan -- --ignored)"]
fn proof_ldifde_100k() {
    proof("ldifde", 100_000);
}

#[test]
#[ignore = "100k objects: run in release (cargo test --release --test scan -- --ignored)"]
fn proof_ldifde_unicode_100k() {
    proof("ldifde-unicode", 100_000);
}

#[test]
fn html_report_and_summary_of_the_shipped_sample() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/contoso-sample.ldf");
    let html = dir.path().join("report.html");
    let json_path = dir.path().join("report.json");
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .arg("scan")
        .arg(&sample)
        .arg("--html")
        .arg(&html)
        .arg("--json")
        .arg(&json_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    // A group is described by its distinct objects, then its values.
    assert!(
        stdout.contains("mary.jones@contoso.com [address] — 2 objects, 5 values"),
        "{stdout}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"<script type="application/json" id="ldifix-data">"#));
    // The page embeds the same findings as the JSON report.
    let doc = json(&json_path);
    let n = doc["findings"].as_array().unwrap().len();
    assert!(n > 50);
    assert!(page.contains("anna.berg@contoso.com"));
    // The same path twice is a usage error.
    let out = Command::cargo_bin("ldifix")
        .unwrap()
        .arg("scan")
        .arg(&sample)
        .arg("--html")
        .arg(&html)
        .arg("--json")
        .arg(&html)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_object_exported_twice_does_not_collide_with_itself() {
    let d = Dir::new();
    let a = user(
        "A",
        "a",
        "usera",
        &["userPrincipalName: a@contoso.com", "mail: a@contoso.com"],
    );
    // The same DN again, spelled differently (case, spaces), in the same file and in a
    // second export.
    let again = a.replace(
        "dn: CN=A,OU=Staff,DC=a,DC=contoso,DC=com",
        "dn: cn=A, ou=Staff, dc=A,dc=contoso,dc=com",
    );
    d.write("a.ldf", &format!("{a}{again}"));
    d.write("b.ldf", &a);
    let (code, stdout, stderr) = scan(d.dir.path(), &["a.ldf", "b.ldf", "--json", "r.json"]);
    let doc = json(&d.path("r.json"));
    assert!(doc["collisions"].as_array().unwrap().is_empty(), "{doc}");
    assert!(duplicate_findings(&doc).is_empty());
    assert_eq!(code, 0, "{stdout}{stderr}");

    // Another object holding the value: one group, every copy listed, two objects.
    d.write("c.ldf", &user("C", "c", "userc", &["mail: A@contoso.com"]));
    let (code, stdout, _) = scan(
        d.dir.path(),
        &["a.ldf", "b.ldf", "c.ldf", "--json", "r2.json"],
    );
    assert_eq!(code, 1);
    let doc = json(&d.path("r2.json"));
    let groups = doc["collisions"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{doc}");
    let holders: Vec<(&str, u64)> = groups[0]["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["file"].as_str().unwrap(), h["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(holders.len(), 7, "{holders:?}");
    assert!(
        stdout.contains("a@contoso.com [address] — 2 objects, 7 values"),
        "{stdout}"
    );
}

#[test]
fn contacts_and_distribution_groups_with_mail_alone_are_not_synced_and_do_not_collide() {
    let d = Dir::new();
    let mut text = user(
        "U",
        "a",
        "useru",
        &["mail: u@contoso.com", "proxyAddresses: SMTP:u@contoso.com"],
    );
    text.push_str(
        "dn: CN=Pat,OU=Contacts,DC=a,DC=contoso,DC=com\nobjectClass: top\nobjectClass: person\n\
         objectClass: organizationalPerson\nobjectClass: contact\ncn: Pat\nmail: u@contoso.com\n\n\
         dn: CN=Team,OU=Groups,DC=a,DC=contoso,DC=com\nobjectClass: top\nobjectClass: group\n\
         cn: Team\nsAMAccountName: Team\ngroupType: 8\nmail: u@contoso.com\n\n",
    );
    d.write("a.ldf", &text);
    let (code, stdout, stderr) = scan(d.dir.path(), &["a.ldf", "--json", "r.json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let doc = json(&d.path("r.json"));
    assert_eq!(doc["summary"]["skipped"], 2, "{doc}");
    assert!(doc["collisions"].as_array().unwrap().is_empty());
    // Mail-enabled (proxyAddresses present), the contact collides.
    let text = text.replace(
        "cn: Pat\nmail: u@contoso.com\n",
        "cn: Pat\nmail: u@contoso.com\nproxyAddresses: SMTP:u@contoso.com\n",
    );
    d.write("b.ldf", &text);
    let (code, _, _) = scan(d.dir.path(), &["b.ldf", "--json", "r2.json"]);
    assert_eq!(code, 1);
    let doc = json(&d.path("r2.json"));
    assert_eq!(doc["collisions"].as_array().unwrap().len(), 1, "{doc}");
}

#[test]
fn timings_name_the_phases_on_stderr_and_change_nothing_else() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/contoso-sample.ldf");
    let d = Dir::new();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("ldifix")
            .unwrap()
            .current_dir(d.dir.path())
            .args(args)
            .output()
            .unwrap();
        // The summary's own time line differs from run to run.
        let stdout: String = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("Time:"))
            .map(|l| format!("{l}\n"))
            .collect();
        (
            out.status.code(),
            stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let sample = sample.to_str().unwrap();
    let fix = [
        "fix",
        sample,
        "--upn-suffix",
        "contoso.local=contoso.com",
        "--dry-run",
    ];
    for (args, phases) in [
        (
            vec!["scan", sample],
            "timings: read , parse and check , collisions , reports , total ",
        ),
        (
            fix.to_vec(),
            "timings: read , parse and check , plan , write , total ",
        ),
    ] {
        let (code, stdout, stderr) = run(&args);
        let timed = [args.clone(), vec!["--timings"]].concat();
        let (code_t, stdout_t, stderr_t) = run(&timed);
        assert_eq!((code_t, stdout_t), (code, stdout), "{args:?}");
        let extra: Vec<&str> = stderr_t.lines().filter(|l| !stderr.contains(l)).collect();
        assert_eq!(extra.len(), 1, "{stderr_t}");
        // The phases in order, each with its seconds ("read 0.001 s,").
        let shape: String = extra[0]
            .split(' ')
            .filter(|w| w.parse::<f64>().is_err() && *w != "s," && *w != "s")
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            shape,
            phases.replace(" ,", "").replace(", ", " ").trim_end(),
            "{}",
            extra[0]
        );
    }
}

#[test]
fn the_console_summary_writes_no_control_character_from_the_export() {
    let d = Dir::new();
    let evil = "userPrincipalName: evil\u{1b}]0;pwned\u{7}\u{1b}[2J@contoso.com";
    let text = user("E\u{1b}[31mvil", "a", "e1", &[evil])
        + &user("E2", "a", "e2", &[&evil.replace("evil", "EVIL")]);
    d.write("a.ldf", &text);
    let (code, stdout, _) = scan(d.dir.path(), &["a.ldf"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("evil\\u{1b}]0;pwned\\u{7}\\u{1b}[2J@contoso.com"),
        "{stdout}"
    );
    assert!(stdout.contains("CN=E\\u{1b}[31mvil,"), "{stdout}");
}

#[test]
fn verified_domains_and_tld_lists_are_checked_before_they_are_used() {
    let d = Dir::new();
    d.write(
        "a.ldf",
        &user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]),
    );
    d.write("empty.txt", "# our domains\n\n");
    d.write("url.txt", "contoso.com\nhttps://fabrikam.com\n");
    d.write("tlds.txt", "com\n<html>\n");
    for (args, message) in [
        (
            vec!["--verified-domains", "empty.txt"],
            "verified-domains file empty.txt: no entry in it",
        ),
        (
            vec!["--verified-domain", "https://contoso.com"],
            "--verified-domain \"https://contoso.com\": expected a domain name",
        ),
        (
            vec!["--verified-domain", ""],
            "--verified-domain \"\": expected a domain name",
        ),
        (
            vec!["--verified-domains", "url.txt"],
            "url.txt:2: expected a domain name such as contoso.com, found \"https://fabrikam.com\"",
        ),
        (
            vec!["--tld-list", "tlds.txt"],
            "tlds.txt:2: expected a top-level domain such as com or .com, found \"<html>\"",
        ),
    ] {
        let all = [vec!["a.ldf"], args.clone()].concat();
        let (code, stdout, stderr) = scan(d.dir.path(), &all);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // A list written as UTF-16 with a byte order mark (Windows PowerShell's Out-File).
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "contoso.com\r\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(d.path("domains16.txt"), utf16).unwrap();
    let (code, stdout, stderr) = scan(
        d.dir.path(),
        &[
            "a.ldf",
            "--verified-domains",
            "domains16.txt",
            "--json",
            "r.json",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        json(&d.path("r.json"))["summary"]["verified_domain_rule"],
        true
    );
}

#[test]
fn an_ldapsearch_export_cut_short_by_its_search_is_bad_input() {
    let d = Dir::new();
    // Plain ldapsearch against Active Directory stops at 1000 entries and says so in its
    // trailer: the objects it did not return could hold duplicates of these.
    let mut text = String::from("# extended LDIF\n#\n\n");
    text.push_str(&user(
        "A",
        "a",
        "usera",
        &["userPrincipalName: a@contoso.com"],
    ));
    text.push_str(&user(
        "B",
        "a",
        "userb",
        &["userPrincipalName: b@contoso.com"],
    ));
    let trailer =
        "# search result\nsearch: 2\nresult: 4 Size limit exceeded\n\n# numResponses: 3\n";
    d.write("cut.ldif", &format!("{text}{trailer}"));
    let (code, _, err) = scan(d.dir.path(), &["cut.ldif", "--json", "cut.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(!d.path("cut.json").exists());
    let line = text.lines().count() + 3;
    assert!(
        err.contains(&format!("ldifix: cut.ldif:{line}: the search that wrote this export ended with 'result: 4 Size limit exceeded' (expected 'result: 0 Success')")),
        "{err}"
    );
    assert!(err.contains("-E pr=1000/noprompt"), "{err}");
    // A search that succeeded is only a trailer.
    d.write(
        "whole.ldif",
        &format!("{text}# search result\nsearch: 2\nresult: 0 Success\n"),
    );
    let (code, _, err) = scan(d.dir.path(), &["whole.ldif"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("result"), "{err}");
}

#[test]
fn a_copy_of_an_input_under_another_name_is_refused() {
    let d = Dir::new();
    let text = user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]);
    d.write("a.ldf", &text);
    d.write("copy-of-a.ldf", &text);
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "copy-of-a.ldf"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "copy-of-a.ldf holds the same export as a.ldf (the same bytes): give each export once"
        ),
        "{err}"
    );
    // Two different exports of the same size are read.
    d.write("b.ldf", &text.replace("usera", "userb"));
    let (code, _, err) = scan(d.dir.path(), &["a.ldf", "b.ldf"]);
    assert_ne!(code, 2, "{err}");
}

#[test]
fn the_json_report_keeps_what_the_run_said_about_its_inputs() {
    let d = Dir::new();
    // Cut inside its last line: the report must not look like that of a whole export.
    let text = user("A", "a", "usera", &["userPrincipalName: a@contoso.com"]);
    d.write("cut.ldf", &format!("{text}dn: CN=B,OU=Staff,DC=a,DC=contoso,DC=com\nobjectClass: user\nuserPrincipalName: b@cont"));
    let (code, _, err) = scan(d.dir.path(), &["cut.ldf", "--json", "cut.json"]);
    assert!(code < 2, "{err}");
    let doc = json(&d.path("cut.json"));
    let messages: Vec<&str> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.starts_with("cut.ldf:")
            && m.contains("warning: the input ends inside its last line")),
        "{messages:?}"
    );
    // With --keep-going, each bad record is named there too.
    d.write(
        "bad.ldf",
        &format!("{text}dn: CN=C,OU=Staff,DC=a,DC=contoso,DC=com\nbroken line\n"),
    );
    let (code, _, err) = scan(
        d.dir.path(),
        &["bad.ldf", "--json", "bad.json", "--keep-going"],
    );
    assert_eq!(code, 2, "{err}");
    let doc = json(&d.path("bad.json"));
    assert_eq!(doc["summary"]["invalid_records"], 1);
    let first = doc["messages"][0].as_str().unwrap();
    assert!(
        first.starts_with("ldifix: bad.ldf:")
            && first.contains("expected ':' after attribute name"),
        "{first}"
    );
    // A clean run says nothing.
    let (_, _, _) = scan(d.dir.path(), &["cut.ldf", "--json", "x.json"]);
    d.write("clean.ldf", &text);
    scan(d.dir.path(), &["clean.ldf", "--json", "clean.json"]);
    assert_eq!(
        json(&d.path("clean.json"))["messages"],
        serde_json::json!([])
    );
}
