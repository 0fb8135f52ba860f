//! The HTML report (`ldifix::html`): every document value is escaped out of the markup,
//! the embedded data is the document's, the page needs no network, output is
//! deterministic, and a 100 k-finding document renders fast.

use std::time::Instant;

use ldifix::html::{data_json, render, write};
use serde_json::{json, Value};

const ALERT: &str = "<script>alert(1)</script>";
const CLOSER: &str = "x</script><script>alert(2)</script>\u{2028}y\u{2029}z";

fn finding(i: usize, dn: &str, value: &str) -> Value {
    json!({
        "file": "forest-a.ldf", "line": 10 + i, "dn": dn, "object_class": "user",
        "attribute": "userPrincipalName", "value": value,
        "errors": ["Character", "TopLevelDomain"],
        "rules": ["upn-character", "upn-nonroutable-suffix"],
        "update": null, "action": "Edit"
    })
}

/// A document in the shape of shared/contracts/scan-json.md, with hostile values in every
/// string position a value can reach.
fn hostile_doc() -> Value {
    json!({
        "tool": {"name": "ldifix", "version": "0.1.0<b>"},
        "profile": "entra",
        "inputs": [
            {"path": "forest-a.ldf", "records": 3, "bytes": 1000},
            {"path": "<img src=x onerror=alert(3)>.ldf", "records": 1, "bytes": 10}
        ],
        "summary": {
            "objects": 4, "in_scope": 3, "skipped": 1, "findings": 3,
            "by_error": {"Character": 3, "TopLevelDomain": 3},
            "by_attribute": {"userPrincipalName": 3},
            "upn_suffixes": {"contoso.local": 2, "</script><script>alert(4)</script>": 1},
            "collisions": 1, "verified_domain_rule": false
        },
        "findings": [
            {
                "file": "forest-a.ldf", "line": 1, "dn": "CN=Mary,DC=contoso,DC=local",
                "displayName": ALERT, "object_class": "user", "attribute": "displayName",
                "value": ALERT, "errors": ["Character"], "rules": ["display-character"],
                "update": ALERT, "action": "Edit"
            },
            finding(1, CLOSER, CLOSER),
            finding(2, "CN=A&amp;B,DC=x", "a&b@contoso.local"),
        ],
        "collisions": [{
            "key": ALERT, "namespace": "address",
            "holders": [
                {"file": "forest-a.ldf", "line": 1, "dn": "CN=Mary,DC=contoso,DC=local",
                 "attribute": "mail", "value": CLOSER},
                {"file": "<img src=x onerror=alert(3)>.ldf", "line": 5, "dn": ALERT,
                 "attribute": "proxyAddresses", "value": "smtp:mary@contoso.com"}
            ]
        }]
    })
}

/// The text between `<script type="application/json" id="ldifix-data">` and the next
/// `</script>`.
fn data_block(page: &str) -> &str {
    let open = "<script type=\"application/json\" id=\"ldifix-data\">";
    let start = page.find(open).expect("data block present") + open.len();
    let len = page[start..].find("</script>").expect("data block closed");
    &page[start..start + len]
}

#[test]
fn hostile_values_never_reach_the_markup() {
    let page = render(&hostile_doc());
    // No value opens a script or an element anywhere in the page.
    assert!(
        !page.contains("<script>alert"),
        "unescaped <script>alert in the page"
    );
    assert!(!page.contains("<img"), "unescaped <img in the page");
    assert!(!page.contains("0.1.0<b>"), "unescaped <b> in the page");
    assert!(!page.contains('\u{2028}') && !page.contains('\u{2029}'));
    // Exactly two script elements: the data block and the page script, none injected.
    assert_eq!(
        page.matches("<script").count(),
        2,
        "only the data block and the page script"
    );
    assert_eq!(page.matches("</script>").count(), 2);
    // The data block ends where it should: it holds no `<`, `>` or `&` at all, and the
    // JSON it holds is complete.
    let block = data_block(&page);
    assert!(!block.contains('<') && !block.contains('>') && !block.contains('&'));
    assert!(!block.to_ascii_lowercase().contains("</script"));
    let parsed: Value = serde_json::from_str(block).expect("data block is JSON");
    // And it carries the values exactly (the escapes decode back to the originals).
    let rows = parsed["findings"].as_array().unwrap();
    assert_eq!(rows[0][5], json!(ALERT));
    assert_eq!(rows[0][8], json!(ALERT));
    assert_eq!(rows[1][2], json!(CLOSER));
    assert_eq!(rows[1][5], json!(CLOSER));
    assert_eq!(rows[2][2], json!("CN=A&amp;B,DC=x"));
    assert_eq!(parsed["collisions"][0][0], json!(ALERT));
    assert_eq!(parsed["collisions"][0][2][0][4], json!(CLOSER));
    assert_eq!(
        parsed["files"][1],
        json!("<img src=x onerror=alert(3)>.ldf")
    );
    assert_eq!(parsed, data_json(&hostile_doc()));
}

#[test]
fn static_text_holds_no_document_value() {
    let doc = hostile_doc();
    let page = render(&doc);
    let block = data_block(&page);
    let outside = page.replacen(block, "", 1);
    for v in ["forest-a.ldf", "CN=Mary", "contoso.local", "0.1.0"] {
        assert!(!outside.contains(v), "{v} appears outside the data block");
    }
    assert!(page.contains("<title>ldifix scan report</title>"));
}

#[test]
fn self_contained_and_locked_down() {
    let page = render(&hostile_doc());
    let lower = page.to_ascii_lowercase();
    for needle in ["http://", "https://", "src=\"", "<link", "@import", "url("] {
        let hits: Vec<_> = lower.match_indices(needle).collect();
        // The SVG namespace URI is an identifier, not a fetch.
        let real = hits
            .iter()
            .filter(|(i, _)| !lower[*i..].starts_with("http://www.w3.org/2000/svg"))
            .count();
        assert_eq!(real, 0, "{needle} found: the page must not fetch anything");
    }
    assert!(page.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains("script-src 'sha256-"));
    assert!(!lower.contains("innerhtml"));
}

#[test]
fn identical_input_gives_identical_output() {
    let a = render(&hostile_doc());
    let b = render(&hostile_doc());
    assert_eq!(a, b);
    // A clone built separately (different map insertion history) renders the same too.
    let reparsed: Value = serde_json::from_str(&hostile_doc().to_string()).unwrap();
    assert_eq!(render(&reparsed), a);
    // And a different document gives a different page.
    let mut other = hostile_doc();
    other["findings"][2]["value"] = json!("changed@contoso.local");
    assert_ne!(render(&other), a);
}

#[test]
fn data_carries_summary_charts_and_groups() {
    let d = data_json(&hostile_doc());
    assert_eq!(d["tool"], json!("ldifix 0.1.0<b>"));
    assert_eq!(d["profile"], json!("entra"));
    assert_eq!(d["summary"]["objects"], json!(4));
    assert_eq!(d["summary"]["in_scope"], json!(3));
    assert_eq!(d["summary"]["skipped"], json!(1));
    assert_eq!(d["summary"]["findings"], json!(3));
    assert_eq!(d["summary"]["collisions"], json!(1));
    assert_eq!(d["summary"]["verified_domain_rule"], json!(false));
    assert_eq!(
        d["inputs"],
        json!([
            ["forest-a.ldf", 3, 1000],
            ["<img src=x onerror=alert(3)>.ldf", 1, 10]
        ])
    );
    // Chart series: count descending, then name.
    assert_eq!(
        d["by_error"],
        json!([["Character", 3], ["TopLevelDomain", 3]])
    );
    assert_eq!(
        d["upn_suffixes"],
        json!([
            ["contoso.local", 2],
            ["</script><script>alert(4)</script>", 1]
        ])
    );
    assert_eq!(d["group_sizes"], json!([[2, 1]]));
    // Findings keep document order; file names are indexed once.
    let rows = d["findings"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][0], json!(0));
    assert_eq!(rows[1][1], json!(11));
    assert_eq!(rows[1][6], json!(["Character", "TopLevelDomain"]));
    assert_eq!(rows[1][8], Value::Null);
    assert_eq!(rows[1][9], json!("Edit"));
    // Every holder of the group is there, in input order, with its file.
    let holders = d["collisions"][0][2].as_array().unwrap();
    assert_eq!(holders.len(), 2);
    assert_eq!(holders[1][0], json!(1));
    assert_eq!(holders[1][1], json!(5));
    assert_eq!(holders[1][3], json!("proxyAddresses"));
}

#[test]
fn empty_document_renders_a_complete_page() {
    let page = render(&json!({}));
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    let d: Value = serde_json::from_str(data_block(&page)).unwrap();
    assert_eq!(d["findings"], json!([]));
    assert_eq!(d["summary"]["findings"], json!(0));
}

#[test]
fn write_is_atomic_and_refuses_to_clobber() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    write(&hostile_doc(), &path, false).unwrap();
    let first = std::fs::read_to_string(&path).unwrap();
    assert_eq!(first, render(&hostile_doc()));
    assert!(
        write(&json!({}), &path, false).is_err(),
        "existing file kept without force"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    write(&json!({}), &path, true).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), render(&json!({})));
}

#[test]
fn hundred_thousand_findings_render_fast() {
    let n = 100_000;
    let findings: Vec<Value> = (0..n)
        .map(|i| {
            finding(
                i,
                &format!("CN=User {i},OU=Staff,DC=contoso,DC=local"),
                &format!("user{i}@contoso.local"),
            )
        })
        .collect();
    let collisions: Vec<Value> = (0..n / 10)
        .map(|i| {
            json!({"key": format!("dup{i}@contoso.com"), "namespace": "address", "holders": [
                {"file": "forest-a.ldf", "line": i, "dn": format!("CN=A{i}"), "attribute": "mail", "value": format!("dup{i}@contoso.com")},
                {"file": "forest-b.ldf", "line": i, "dn": format!("CN=B{i}"), "attribute": "proxyAddresses", "value": format!("smtp:dup{i}@contoso.com")}
            ]})
        })
        .collect();
    let doc = json!({
        "tool": {"name": "ldifix", "version": "0.1.0"}, "profile": "entra",
        "inputs": [{"path": "forest-a.ldf", "records": n, "bytes": 200_000_000u64}],
        "summary": {"objects": n, "in_scope": n, "skipped": 0, "findings": n},
        "findings": findings, "collisions": collisions
    });
    let t = Instant::now();
    let page = render(&doc);
    let took = t.elapsed();
    println!(
        "rendered {n} findings and {} collision groups: {} bytes in {:.3} s",
        n / 10,
        page.len(),
        took.as_secs_f64()
    );
    let d: Value = serde_json::from_str(data_block(&page)).unwrap();
    assert_eq!(d["findings"].as_array().unwrap().len(), n);
    assert_eq!(d["collisions"].as_array().unwrap().len(), n / 10);
    assert_eq!(d["group_sizes"], json!([[2, n / 10]]));
}
