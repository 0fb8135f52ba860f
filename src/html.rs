//! The HTML findings report (`ldifix scan --html PATH`).
//!
//! Contract: [`render`] takes the JSON document of `shared/contracts/scan-json.md` (any
//! `serde_json::Value`; missing or mistyped keys fall back to empty values, nothing panics)
//! and returns one self-contained HTML page:
//!
//! - **No network.** Styles and the script are inline; a `Content-Security-Policy` meta tag
//!   forbids every fetch (`default-src 'none'`) and lets only the report's own script and
//!   stylesheet apply (`'sha256-…'` of exactly those), so the page opens the same on an
//!   air-gapped workstation and an injected script could not run even if one got in.
//! - **Every value escaped.** Values from the document reach the page only as JSON inside
//!   `<script type="application/json" id="ldifix-data">`, with `<`, `>`, `&`, U+2028 and
//!   U+2029 written as `\uXXXX` escapes, so no value can close the block or open a tag.
//!   The script inserts them with `textContent` / `setAttribute`, never as markup. The
//!   static page text contains no value at all (the `<title>` is fixed).
//! - **Contents.** Summary figures (objects, in scope, skipped, findings, collision groups,
//!   inputs), four bar charts drawn as inline SVG from the embedded data (findings by
//!   error, by attribute, UPN suffix distribution, collision group sizes), the findings
//!   as a searchable (free text, all words must match), sortable (click a column header),
//!   filterable (error, attribute) and paged `<table>`, and the collision groups with all
//!   their holders (searchable, paged). Only the visible page is built in the DOM, and
//!   the lower-cased search strings are computed once, so 100 k findings stay fast.
//! - **Deterministic.** The same document always gives byte-identical output: no clock,
//!   no random numbers; the data keeps the document's order (charts: count descending,
//!   then name).
//!
//! The embedded data block is a compact transcription of the document (see
//! [`data_json`]): findings are arrays `[file index, line, dn, object_class, attribute,
//! value, errors, rules, update, action]` with the file names listed once in `files`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Result;
use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// The page stylesheet (inlined).
const CSS: &str = include_str!("html/report.css");
/// The page script (inlined; its SHA-256 goes into the Content-Security-Policy).
const JS: &str = include_str!("html/report.js");

/// Render the report page for a scan document (shared/contracts/scan-json.md).
pub fn render(doc: &Value) -> String {
    let json = serde_json::to_string(&Data::from_doc(doc)).unwrap_or_else(|_| "null".into());
    let b64 = base64::engine::general_purpose::STANDARD;
    let script_hash = b64.encode(sha256(JS.as_bytes()));
    let style_hash = b64.encode(sha256(CSS.as_bytes()));
    let mut out = String::with_capacity(json.len() + json.len() / 32 + CSS.len() + JS.len() + 8192);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    out.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'sha256-{style_hash}'; script-src 'sha256-{script_hash}'; img-src data:; \
         base-uri 'none'; form-action 'none'\">\n"
    ));
    out.push_str("<meta name=\"generator\" content=\"ldifix\">\n");
    out.push_str("<title>ldifix scan report</title>\n<style>");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n");
    out.push_str(BODY);
    out.push_str("<script type=\"application/json\" id=\"ldifix-data\">");
    escape_into(&json, &mut out);
    out.push_str("</script>\n<script>");
    out.push_str(JS);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// Render the report and write it to `path` atomically (an existing file is replaced only
/// with `force`).
pub fn write(doc: &Value, path: &Path, force: bool) -> Result<()> {
    crate::output::write_atomic(path, render(doc).as_bytes(), force)
}

/// The static page: headings, labels and empty containers the script fills. No value
/// from the document appears here.
const BODY: &str = r##"<a class="skip" href="#findings">Skip to the findings</a>
<header>
<h1>ldifix scan report</h1>
<p id="meta" class="meta"></p>
</header>
<main>
<noscript><p class="notice">This report draws its figures, charts and tables with JavaScript, which is turned off. The data is in the <code>ldifix-data</code> block of the page source; the same report is available as JSON with <code>ldifix scan --json</code>.</p></noscript>
<p id="load-error" class="notice" hidden></p>
<section id="summary" aria-labelledby="h-summary">
<h2 id="h-summary">Summary</h2>
<dl id="figures" class="figures"></dl>
<ul id="notes" class="notes"></ul>
<div class="scroll">
<table id="inputs" class="grid small">
<caption>Inputs</caption>
<thead><tr><th scope="col">File</th><th scope="col" class="num">Records</th><th scope="col" class="num">Bytes</th></tr></thead>
<tbody></tbody>
</table>
</div>
</section>
<section id="charts" aria-labelledby="h-charts">
<h2 id="h-charts">Charts</h2>
<div class="charts">
<figure id="chart-errors" class="chart"><figcaption>Findings by error</figcaption></figure>
<figure id="chart-attributes" class="chart"><figcaption>Findings by attribute</figcaption></figure>
<figure id="chart-suffixes" class="chart"><figcaption>UPN suffixes (objects per suffix)</figcaption></figure>
<figure id="chart-groups" class="chart"><figcaption>Collision group sizes (groups per number of holders)</figcaption></figure>
</div>
<p class="hint">Click a bar of the first two charts to filter the findings.</p>
</section>
<section id="findings" aria-labelledby="h-findings">
<h2 id="h-findings">Findings</h2>
<div class="controls" role="search">
<span class="field wide"><label for="f-search">Search</label>
<input id="f-search" type="search" placeholder="DN, value, rule…" autocomplete="off" spellcheck="false"></span>
<span class="field"><label for="f-error">Error</label>
<select id="f-error"><option value="">all</option></select></span>
<span class="field"><label for="f-attribute">Attribute</label>
<select id="f-attribute"><option value="">all</option></select></span>
<span class="field"><label for="f-size">Rows per page</label>
<select id="f-size"><option>50</option><option selected>100</option><option>250</option><option>1000</option></select></span>
<button type="button" id="f-clear">Clear</button>
</div>
<p id="f-status" class="status" role="status" aria-live="polite"></p>
<div class="scroll">
<table id="f-table" class="grid cards">
<caption class="sr">Findings: one row per failing value. Click a column header to sort.</caption>
<thead><tr></tr></thead>
<tbody></tbody>
</table>
</div>
<nav id="f-pager" class="pager" aria-label="Findings pages"></nav>
</section>
<section id="collisions" aria-labelledby="h-collisions">
<h2 id="h-collisions">Collision groups</h2>
<p class="hint">Each group is two or more distinct objects whose values share one key in a uniqueness namespace; every holder is listed, in input order.</p>
<div class="controls" role="search">
<span class="field wide"><label for="c-search">Search</label>
<input id="c-search" type="search" placeholder="key, DN, value…" autocomplete="off" spellcheck="false"></span>
</div>
<p id="c-status" class="status" role="status" aria-live="polite"></p>
<div id="c-list"></div>
<nav id="c-pager" class="pager" aria-label="Collision group pages"></nav>
</section>
<section id="glossary" aria-labelledby="h-glossary">
<h2 id="h-glossary">Error names</h2>
<dl class="glossary">
<dt>Format</dt><dd>Not a valid address or value format.</dd>
<dt>Blank</dt><dd>Empty where a value is required.</dd>
<dt>Duplicate</dt><dd>Another object holds the same value in the same uniqueness namespace.</dd>
<dt>Character</dt><dd>Contains characters Entra ID rejects.</dd>
<dt>TopLevelDomain</dt><dd>The top-level domain or suffix is not routable on the internet.</dd>
<dt>DomainPart</dt><dd>The domain part of an address is invalid.</dd>
<dt>LocalPart</dt><dd>The local part of an address is invalid.</dd>
<dt>Length</dt><dd>Longer than Entra ID allows.</dd>
<dt>Unverified</dt><dd>The UPN suffix is not a verified domain of the tenant (ldifix).</dd>
<dt>Invisible</dt><dd>Invisible, control or formatting characters (ldifix).</dd>
<dt>MultiplePrimary</dt><dd>More than one primary <code>SMTP:</code> proxy address (ldifix).</dd>
<dt>Count</dt><dd>Too many values: proxy addresses, certificates or members (ldifix).</dd>
</dl>
<p class="hint">Actions: <b>Edit</b> change the value to the proposed update, <b>Remove</b> remove the value, <b>Complete</b> nothing to change.</p>
</section>
</main>
"##;

/// The compact data block the page script reads, built from the scan document, as a JSON
/// value (the page embeds exactly this, serialized and escaped). Tolerant: a missing or
/// mistyped key gives an empty value; summary figures the document lacks are computed
/// from its findings and collisions where possible.
pub fn data_json(doc: &Value) -> Value {
    serde_json::to_value(Data::from_doc(doc)).unwrap_or(Value::Null)
}

/// The data block, borrowing the document's strings.
#[derive(Serialize)]
struct Data<'a> {
    tool: String,
    profile: Cow<'a, str>,
    /// `[path, records, bytes]`.
    inputs: Vec<(Cow<'a, str>, u64, u64)>,
    files: Vec<Cow<'a, str>>,
    summary: Figures,
    by_error: Vec<(Cow<'a, str>, u64)>,
    by_attribute: Vec<(Cow<'a, str>, u64)>,
    upn_suffixes: Vec<(Cow<'a, str>, u64)>,
    skip_reasons: Vec<(Cow<'a, str>, u64)>,
    /// `[holders, groups]`, by holders ascending.
    group_sizes: Vec<(u64, u64)>,
    findings: Vec<Row<'a>>,
    /// `[key, namespace, holders]`.
    collisions: Vec<(Cow<'a, str>, Cow<'a, str>, Vec<Holder<'a>>)>,
}

#[derive(Serialize)]
struct Figures {
    objects: Option<u64>,
    in_scope: Option<u64>,
    skipped: Option<u64>,
    findings: Option<u64>,
    collisions: Option<u64>,
    entries: Option<u64>,
    invalid_records: Option<u64>,
    verified_domain_rule: Option<bool>,
}

/// `[file index, line, dn, object_class, attribute, value, errors, rules, update, action]`.
type Row<'a> = (
    usize,
    u64,
    Cow<'a, str>,
    Cow<'a, str>,
    Cow<'a, str>,
    Cow<'a, str>,
    Vec<Cow<'a, str>>,
    Vec<Cow<'a, str>>,
    Option<Cow<'a, str>>,
    Cow<'a, str>,
);

/// `[file index, line, dn, attribute, value]`.
type Holder<'a> = (usize, u64, Cow<'a, str>, Cow<'a, str>, Cow<'a, str>);

impl<'a> Data<'a> {
    fn from_doc(doc: &'a Value) -> Data<'a> {
        let summary = doc.get("summary").and_then(Value::as_object);
        let field = |key: &str| summary.and_then(|s| s.get(key));
        let findings = list(doc.get("findings"));
        let collisions = list(doc.get("collisions"));

        let mut files = FileTable::default();
        let inputs: Vec<_> = list(doc.get("inputs"))
            .iter()
            .map(|i| {
                let path = text(i.get("path"));
                files.index(path.clone());
                (path, count(i.get("records")), count(i.get("bytes")))
            })
            .collect();

        let mut errors_seen: BTreeMap<Cow<'a, str>, u64> = BTreeMap::new();
        let mut attributes_seen: BTreeMap<Cow<'a, str>, u64> = BTreeMap::new();
        let rows: Vec<Row<'a>> = findings
            .iter()
            .map(|f| {
                let attribute = text(f.get("attribute"));
                let errors = texts(f.get("errors"));
                for e in &errors {
                    *errors_seen.entry(e.clone()).or_default() += 1;
                }
                *attributes_seen.entry(attribute.clone()).or_default() += 1;
                (
                    files.index(text(f.get("file"))),
                    count(f.get("line")),
                    text(f.get("dn")),
                    text(f.get("object_class")),
                    attribute,
                    text(f.get("value")),
                    errors,
                    texts(f.get("rules")),
                    f.get("update")
                        .filter(|u| !u.is_null())
                        .map(|u| text(Some(u))),
                    text(f.get("action")),
                )
            })
            .collect();

        let mut sizes: BTreeMap<u64, u64> = BTreeMap::new();
        let groups: Vec<_> = collisions
            .iter()
            .map(|c| {
                let holders: Vec<Holder<'a>> = list(c.get("holders"))
                    .iter()
                    .map(|h| {
                        (
                            files.index(text(h.get("file"))),
                            count(h.get("line")),
                            text(h.get("dn")),
                            text(h.get("attribute")),
                            text(h.get("value")),
                        )
                    })
                    .collect();
                *sizes.entry(holders.len() as u64).or_default() += 1;
                (text(c.get("key")), text(c.get("namespace")), holders)
            })
            .collect();

        let tool = doc.get("tool");
        let tool = [
            text(tool.and_then(|t| t.get("name"))),
            text(tool.and_then(|t| t.get("version"))),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_ref())
        .collect::<Vec<&str>>()
        .join(" ");
        let figure = |key: &str| field(key).and_then(Value::as_u64);

        Data {
            tool,
            profile: text(doc.get("profile")),
            inputs,
            summary: Figures {
                objects: figure("objects"),
                in_scope: figure("in_scope"),
                skipped: figure("skipped"),
                findings: figure("findings").or(Some(findings.len() as u64)),
                collisions: figure("collisions").or(Some(collisions.len() as u64)),
                entries: figure("entries"),
                invalid_records: figure("invalid_records"),
                verified_domain_rule: field("verified_domain_rule").and_then(Value::as_bool),
            },
            // Chart series: the document's own counts when present, else counted here.
            by_error: counts_or(field("by_error"), errors_seen),
            by_attribute: counts_or(field("by_attribute"), attributes_seen),
            upn_suffixes: counts_or(field("upn_suffixes"), BTreeMap::new()),
            skip_reasons: counts_or(field("skip_reasons"), BTreeMap::new()),
            group_sizes: sizes.into_iter().collect(),
            findings: rows,
            collisions: groups,
            files: files.names,
        }
    }
}

/// File names, each listed once, in first-seen order.
#[derive(Default)]
struct FileTable<'a> {
    names: Vec<Cow<'a, str>>,
    seen: HashMap<Cow<'a, str>, usize>,
}

impl<'a> FileTable<'a> {
    fn index(&mut self, name: Cow<'a, str>) -> usize {
        if let Some(&i) = self.seen.get(&name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.clone());
        self.seen.insert(name, i);
        i
    }
}

/// The items of a JSON array (none when it is not an array).
fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A value shown as text: strings as they are, numbers and booleans in JSON notation,
/// null/missing as the empty string, arrays and objects as compact JSON.
fn text(v: Option<&Value>) -> Cow<'_, str> {
    match v {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// A list of texts (a lone string counts as a one-item list).
fn texts(v: Option<&Value>) -> Vec<Cow<'_, str>> {
    match v {
        Some(Value::Array(items)) => items.iter().map(|i| text(Some(i))).collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(other) => vec![text(Some(other))],
    }
}

/// A non-negative count (0 when missing or not a count).
fn count(v: Option<&Value>) -> u64 {
    v.and_then(Value::as_u64).unwrap_or(0)
}

/// `[[name, count], ...]` from a `{name: count}` object (or `fallback` when the object is
/// missing), sorted by count descending then name.
fn counts_or<'a>(
    v: Option<&'a Value>,
    fallback: BTreeMap<Cow<'a, str>, u64>,
) -> Vec<(Cow<'a, str>, u64)> {
    let mut pairs: Vec<(Cow<'a, str>, u64)> = match v.and_then(Value::as_object) {
        Some(m) => m
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_str()), count(Some(v))))
            .collect(),
        None => fallback.into_iter().collect(),
    };
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    pairs
}

/// Make serialized JSON safe inside an HTML `<script>` element: `<`, `>`, `&`, U+2028 and
/// U+2029 become `\uXXXX` escapes. These characters only occur inside JSON strings, where
/// the escapes mean the same characters, so the JSON value is unchanged.
pub fn escape_json_for_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    escape_into(json, &mut out);
    out
}

fn escape_into(json: &str, out: &mut String) {
    let bytes = json.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (rep, len) = match bytes[i] {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => {
                ("\\u2028", 3)
            }
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => {
                ("\\u2029", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        // `start..i` ends before an ASCII byte or a lead byte, so it is a char boundary.
        out.push_str(&json[start..i]);
        out.push_str(rep);
        i += len;
        start = i;
    }
    out.push_str(&json[start..]);
}

/// SHA-256 (FIPS 180-4), for the Content-Security-Policy hash of the inline script.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, word) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn escape_keeps_json_meaning() {
        let v = json!({"a": "<script>&\u{2028}\u{2029}</script>", "b": "€\u{2027}\u{202a}é✓"});
        let escaped = escape_json_for_html(&v.to_string());
        for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!escaped.contains(bad), "{bad:?} left in {escaped}");
        }
        let back: Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn static_parts_hold_no_script_end_or_value_slot() {
        assert!(!JS.to_ascii_lowercase().contains("</script"));
        assert!(!JS.contains("innerHTML") && !JS.contains("outerHTML"));
        assert!(!JS.contains("insertAdjacentHTML") && !JS.contains("document.write"));
        assert!(!CSS.to_ascii_lowercase().contains("</style"));
    }

    #[test]
    fn tolerates_any_document() {
        for doc in [
            Value::Null,
            json!(42),
            json!({"findings": "x", "collisions": {}, "summary": []}),
            json!({"findings": [null, 1, {"errors": "Blank", "line": -3}], "collisions": [{"holders": [1]}]}),
        ] {
            let page = render(&doc);
            assert!(page.contains("id=\"ldifix-data\""));
        }
    }

    #[test]
    fn fallback_counts_from_findings() {
        let doc = json!({"findings": [
            {"attribute": "mail", "errors": ["Character", "Duplicate"]},
            {"attribute": "mail", "errors": ["Character"]},
        ], "collisions": [{"key": "k", "holders": [{}, {}, {}]}]});
        let d = data_json(&doc);
        assert_eq!(d["by_error"], json!([["Character", 2], ["Duplicate", 1]]));
        assert_eq!(d["by_attribute"], json!([["mail", 2]]));
        assert_eq!(d["group_sizes"], json!([[3, 1]]));
        assert_eq!(d["summary"]["findings"], json!(2));
        assert_eq!(d["summary"]["collisions"], json!(1));
    }
}
