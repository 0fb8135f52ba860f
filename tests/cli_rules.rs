//! `ldifix rules`: the listing on stdout, exit status 0.

use assert_cmd::Command;

fn ldifix() -> Command {
    Command::cargo_bin("ldifix").expect("binary")
}

#[test]
fn table_exits_zero_and_lists_every_profile() {
    let out = ldifix()
        .arg("rules")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let head = text.lines().next().expect("header");
    for col in ["ID", "PROFILE", "ATTRIBUTE", "ERROR", "EXPLANATION"] {
        assert!(head.contains(col), "{head}");
    }
    for id in [
        "upn-character",
        "upn-nonroutable-suffix",
        "MT-UPN-CHAR",
        "D-MAIL-RFC",
    ] {
        assert!(text.lines().any(|l| l.starts_with(id)), "{id}");
    }
}

#[test]
fn json_for_one_profile() {
    let out = ldifix()
        .args(["rules", "--profile", "idfix-dedicated", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let rules = v.as_array().expect("array");
    assert!(!rules.is_empty());
    for r in rules {
        assert_eq!(r["profile"], "idfix-dedicated");
        assert!(r["id"].as_str().unwrap_or("").starts_with("D-"));
        for key in ["attribute", "error", "summary"] {
            assert!(r[key].is_string(), "{key}");
        }
    }
}

#[test]
fn skip_reasons() {
    let out = ldifix()
        .args(["rules", "--skips"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("conflict-object") && text.contains("critical-system-object"));
}

#[test]
fn bad_profile_is_a_usage_error() {
    ldifix()
        .args(["rules", "--profile", "nope"])
        .assert()
        .code(2);
}
