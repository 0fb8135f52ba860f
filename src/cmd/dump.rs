//! `ldifix dump FILE`: the parser's observable output as JSON Lines
//! (`shared/contracts/dump-jsonl.md`): one object per record, in file order.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Result;
use base64::Engine as _;
use serde_json::{json, Value as Json};

use crate::cmd::LimitArgs;
use crate::ldif::{Body, Item, Record, Value};
use crate::source::{Input, InputError};
use crate::stdout::StdoutError;

/// Arguments.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ldifix dump export.ldf\n  ldifix dump --keep-going export.ldf | jq .dn\n  type export.ldf | ldifix dump -"
)]
pub struct Args {
    /// The LDIF file (`-` for standard input).
    pub file: PathBuf,
    /// Report each bad record on stderr, skip it and go on (exit status is still 2).
    #[arg(long)]
    pub keep_going: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// A value as the contract prints it: a string when valid UTF-8, else `{"base64": …}`.
pub fn value_json(bytes: &[u8]) -> Json {
    match std::str::from_utf8(bytes) {
        Ok(s) => Json::String(s.to_owned()),
        Err(_) => json!({ "base64": base64::engine::general_purpose::STANDARD.encode(bytes) }),
    }
}

fn attr_value_json(v: &Value<'_>) -> Json {
    match v {
        Value::Bytes(b) => value_json(b),
        Value::Url(u) => json!({ "url": String::from_utf8_lossy(u) }),
    }
}

/// The JSON object for one record.
pub fn record_json(r: &Record<'_>) -> Json {
    let mut o = serde_json::Map::new();
    o.insert("line".into(), json!(r.line));
    o.insert("dn".into(), value_json(&r.dn));
    // ldifde's schema variants (`ntdsSchemaAdd`, …) are the contract's change types under
    // another name: `changetype` says which, and `ldifde_changetype` keeps the variant.
    let (changetype, variant) = match (&r.changetype, r.change) {
        (Some(c), Some(kind)) if c.starts_with("ntdsschema") => {
            (json!(kind.as_str()), Some(json!(c)))
        }
        (Some(c), _) => (json!(c), None),
        (None, _) => (Json::Null, None),
    };
    o.insert("changetype".into(), changetype);
    if let Some(v) = variant {
        o.insert("ldifde_changetype".into(), v);
    }
    if !r.controls.is_empty() {
        let cs: Vec<Json> = r
            .controls
            .iter()
            .map(|c| {
                json!({
                    "oid": c.oid,
                    "critical": c.critical,
                    "value": c.value.as_ref().map(attr_value_json).unwrap_or(Json::Null),
                })
            })
            .collect();
        o.insert("controls".into(), Json::Array(cs));
    }
    match &r.body {
        Body::Attrs(attrs) => {
            let a: Vec<Json> = attrs
                .iter()
                .map(|a| json!([a.name, attr_value_json(&a.value)]))
                .collect();
            o.insert("attrs".into(), Json::Array(a));
        }
        Body::Delete => {}
        Body::Modify(mods) => {
            let m: Vec<Json> = mods
                .iter()
                .map(|m| {
                    json!({
                        "op": m.op.as_str(),
                        "attr": m.attr,
                        "values": m.values.iter().map(attr_value_json).collect::<Vec<_>>(),
                    })
                })
                .collect();
            o.insert("mods".into(), Json::Array(m));
        }
        Body::ModDn {
            newrdn,
            deleteoldrdn,
            newsuperior,
        } => {
            o.insert("newrdn".into(), value_json(newrdn));
            o.insert("deleteoldrdn".into(), json!(u8::from(*deleteoldrdn)));
            o.insert(
                "newsuperior".into(),
                newsuperior
                    .as_ref()
                    .map(|n| value_json(n))
                    .unwrap_or(Json::Null),
            );
        }
    }
    Json::Object(o)
}

/// Print an input's decoding error with its hint; the exit status.
fn decode_error(e: &InputError) -> i32 {
    eprintln!("ldifix: {e}");
    if let InputError::Decode { err, .. } = e {
        if let Some(h) = err.hint() {
            eprintln!("  hint: {h}");
        }
    }
    2
}

/// Run.
pub fn run(args: Args) -> Result<i32> {
    // Leniently: a record holding malformed UTF-16 is a bad record like any other, so
    // the records before it are printed and `--keep-going` reads the ones after it.
    let input = match Input::open_lenient(&args.file) {
        Ok(i) => i,
        Err(e @ InputError::Decode { .. }) => return Ok(decode_error(&e)),
        Err(e) => return Err(e.into()),
    };
    let name = input.name();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let records = args.limits.records(input.bytes());
    let Some(mut parser) = records.with_faults(input.faults()) else {
        return Ok(input.first_fault().map_or(2, |e| decode_error(&e)));
    };
    let mut bad = false;
    // Items read: none means an empty file, or one of comments only (a note says so;
    // the contract keeps the exit status 0).
    let mut read = 0u64;
    // Records with a DN, to hold against what an ldapsearch or ldbsearch export says.
    let mut dumped = 0u64;
    let mut stderr = io::stderr();
    while let Some(item) = parser.next() {
        read += 1;
        for w in parser.take_warnings() {
            writeln!(stderr, "{name}:{}: warning: {}", w.line, w.message)?;
        }
        match item {
            Ok(Item::Record(r)) => {
                dumped += 1;
                serde_json::to_writer(&mut out, &record_json(&r)).map_err(StdoutError::from)?;
                out.write_all(b"\n").map_err(StdoutError::from)?;
            }
            Ok(Item::Skipped {
                line,
                keyword,
                result,
            }) => {
                writeln!(
                    stderr,
                    "{name}:{line}: note: skipped a block without 'dn:' starting with '{keyword}:'"
                )?;
                // A search that stopped early is only a note here (the records read are
                // printed as they are); a scan or fix refuses such an export.
                if let Some(r) = result.filter(|r| !r.is_success()) {
                    writeln!(
                        stderr,
                        "{name}:{}: note: the search that wrote this file ended with 'result: {}', not 'result: 0 Success': entries it did not return are missing",
                        r.line, r.text
                    )?;
                }
            }
            Err(e) => {
                bad = true;
                out.flush().map_err(StdoutError::from)?;
                match e.hint() {
                    Some(h) => writeln!(stderr, "ldifix: {name}:{e}\n  hint: {h}")?,
                    None => writeln!(stderr, "ldifix: {name}:{e}")?,
                }
                if !args.keep_going {
                    return Ok(2);
                }
            }
        }
    }
    for w in parser.take_warnings() {
        writeln!(stderr, "{name}:{}: warning: {}", w.line, w.message)?;
    }
    out.flush().map_err(StdoutError::from)?;
    if read == 0 {
        writeln!(
            stderr,
            "{name}: note: no records (the file is empty, or holds only comments or a header)"
        )?;
    }
    // Like a failed search, only a note here (the records read are printed as they are);
    // scan and fix refuse such an export.
    if !bad {
        if let Some(why) =
            crate::ldif::summary::summary(input.bytes()).and_then(|s| s.mismatch(dumped))
        {
            writeln!(stderr, "{name}: note: {why}")?;
        }
    }
    Ok(if bad { 2 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldif::{Item, Parser};

    fn dumped(text: &str) -> Vec<Json> {
        Parser::new(text.as_bytes())
            .map(|i| match i.unwrap() {
                Item::Record(r) => record_json(&r),
                other => panic!("not a record: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn ldifde_schema_change_types_are_dumped_as_the_contracts_with_the_variant_beside() {
        let recs = dumped(
            "dn: CN=a,CN=Schema\nchangetype: ntdsSchemaAdd\nobjectClass: x\n\n\
             dn: CN=a,CN=Schema\nchangetype: NTDSSCHEMAMODIFY\nreplace: y\ny: 1\n-\n\n\
             dn: CN=a,CN=Schema\nchangetype: ntdsSchemaModRdn\nnewrdn: CN=b\ndeleteoldrdn: 1\n\n\
             dn: CN=b,CN=Schema\nchangetype: ntdsSchemaDelete\n\n\
             dn: CN=c\nchangetype: add\nobjectClass: x\n",
        );
        let types: Vec<(&Json, Option<&Json>)> = recs
            .iter()
            .map(|r| (&r["changetype"], r.get("ldifde_changetype")))
            .collect();
        assert_eq!(
            types,
            vec![
                (&json!("add"), Some(&json!("ntdsschemaadd"))),
                (&json!("modify"), Some(&json!("ntdsschemamodify"))),
                (&json!("modrdn"), Some(&json!("ntdsschemamodrdn"))),
                (&json!("delete"), Some(&json!("ntdsschemadelete"))),
                (&json!("add"), None),
            ]
        );
        assert_eq!(recs[0]["attrs"], json!([["objectClass", "x"]]));
        assert_eq!(recs[1]["mods"][0]["op"], json!("replace"));
        assert_eq!(recs[2]["newrdn"], json!("CN=b"));
    }
}
