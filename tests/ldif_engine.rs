//! The LDIF engine against the RFC 2849 examples, malformed inputs, and properties:
//! write→parse round trips, UTF-16 ≡ UTF-8, mmap ≡ read.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use ldifix::ldif::writer::{LdifWriter, LineEnding, WriterOptions};
use ldifix::ldif::{
    Attr, Body, ChangeKind, Control, ErrorKind, Item, Limits, Mod, ModOp, ParseError, Parser,
    Record, Value,
};
use ldifix::source::Input;
use proptest::prelude::*;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rfc2849")
}

fn records(bytes: &[u8]) -> Result<Vec<Record<'_>>, ParseError> {
    let mut out = Vec::new();
    for item in Parser::new(bytes) {
        if let Item::Record(r) = item? {
            out.push(r);
        }
    }
    Ok(out)
}

fn first_error(bytes: &[u8]) -> ParseError {
    Parser::new(bytes)
        .find_map(|r| r.err())
        .expect("input should be rejected")
}

fn attr<'a>(r: &'a Record<'_>, name: &str) -> Vec<&'a [u8]> {
    r.attrs()
        .iter()
        .filter(|a| a.name == name)
        .map(|a| a.value.as_bytes())
        .collect()
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(examples_dir().join(name)).unwrap()
}

#[test]
fn rfc_example_1_and_2_content_records() {
    let b = read("corrected/example1.ldif");
    let r = records(&b).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(
        &*r[0].dn,
        b"cn=Barbara Jensen, ou=Product Development, dc=airius, dc=com"
    );
    assert_eq!(attr(&r[0], "cn").len(), 3);
    let b = read("corrected/example2.ldif");
    let r = records(&b).unwrap();
    assert_eq!(
        attr(&r[0], "description"),
        [&b"Babs is a big sailing fan, and travels extensively in search of perfect sailing conditions."[..]]
    );
}

#[test]
fn rfc_example_3_base64_folded_value() {
    let b = read("corrected/example3.ldif");
    let r = records(&b).unwrap();
    assert_eq!(
        attr(&r[0], "description"),
        [&b"What a careful reader you are!  This value is base-64-encoded because it has a control character in it (a CR).\r  By the way, you should really get out more."[..]]
    );
    let e = first_error(&read("example3.ldif"));
    assert_eq!(e.line, 12);
    assert_eq!(e.record_line, Some(2));
}

#[test]
fn rfc_example_4_utf8_and_language_options() {
    let b = read("corrected/example4.ldif");
    let r = records(&b).unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(&*r[0].dn, "ou=営業部,o=Airius".as_bytes());
    assert_eq!(
        attr(&r[0], "ou;lang-ja;phonetic"),
        ["えいぎょうぶ".as_bytes()]
    );
    assert_eq!(&*r[1].dn, "uid=rogasawara,ou=営業部,o=Airius".as_bytes());
    let expect = [
        ("givenname;lang-ja", "ロドニー"),
        ("sn;lang-ja", "小笠原"),
        ("cn;lang-ja", "小笠原 ロドニー"),
        ("title;lang-ja", "営業部 部長"),
        ("givenname;lang-ja;phonetic", "ろどにー"),
        ("sn;lang-ja;phonetic", "おがさわら"),
        ("cn;lang-ja;phonetic", "おがさわら ろどにー"),
        ("title;lang-ja;phonetic", "えいぎょうぶ ぶちょう"),
    ];
    for (name, value) in expect {
        assert_eq!(attr(&r[1], name), [value.as_bytes()], "{name}");
    }
    assert_eq!(
        attr(&r[1], "userpassword"),
        [&b"{SHA}O3HSv1MusyL4kTjP+HKI5uxuNoM="[..]]
    );
    let e = first_error(&read("example4.ldif"));
    assert_eq!(e.line, 43);
}

#[test]
fn rfc_example_5_url_value_is_recorded_not_opened() {
    let b = read("corrected/example5.ldif");
    let r = records(&b).unwrap();
    let photo = r[0].attrs().iter().find(|a| a.name == "jpegphoto").unwrap();
    assert!(photo.value.is_url());
    assert_eq!(
        photo.value.as_bytes(),
        b"file:///usr/local/directory/photos/hjensen.jpg"
    );
    let e = first_error(&read("example5.ldif"));
    assert_eq!(e.line, 8);
    assert!(matches!(e.kind, ErrorKind::ExpectedDn { .. }));
}

#[test]
fn rfc_example_6_change_records() {
    let b = read("corrected/example6.ldif");
    let r = records(&b).unwrap();
    let kinds: Vec<_> = r.iter().map(|r| r.change).collect();
    assert_eq!(
        kinds,
        [
            Some(ChangeKind::Add),
            Some(ChangeKind::Delete),
            Some(ChangeKind::ModRdn),
            Some(ChangeKind::ModRdn),
            Some(ChangeKind::Modify),
            Some(ChangeKind::Modify)
        ]
    );
    match &r[4].body {
        Body::Modify(m) => {
            let ops: Vec<_> = m
                .iter()
                .map(|m| (m.op, m.attr.as_ref(), m.values.len()))
                .collect();
            assert_eq!(
                ops,
                [
                    (ModOp::Add, "postaladdress", 1),
                    (ModOp::Delete, "description", 0),
                    (ModOp::Replace, "telephonenumber", 2),
                    (ModOp::Delete, "facsimiletelephonenumber", 1)
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    match &r[3].body {
        Body::ModDn {
            newsuperior,
            deleteoldrdn,
            ..
        } => {
            assert!(!deleteoldrdn);
            assert_eq!(
                newsuperior.as_deref(),
                Some(&b"ou=Accounting, dc=airius, dc=com"[..])
            );
        }
        other => panic!("{other:?}"),
    }
    let e = first_error(&read("example6.ldif"));
    assert_eq!(e.line, 42);
}

#[test]
fn rfc_example_7_control() {
    let b = read("corrected/example7.ldif");
    let r = records(&b).unwrap();
    assert_eq!(
        r[0].controls,
        [Control {
            oid: Cow::Borrowed("1.2.840.113556.1.4.805"),
            critical: true,
            value: None
        }]
    );
    assert_eq!(r[0].change, Some(ChangeKind::Delete));
}

#[test]
fn verbatim_examples_1_2_7_are_valid() {
    for n in [1, 2, 7] {
        let b = read(&format!("example{n}.ldif"));
        records(&b).unwrap();
    }
}

/// Malformed inputs: each must fail at the right physical line.
#[test]
fn malformed_inputs_fail_at_their_line() {
    let cases: &[(&str, u64)] = &[
        ("dn: cn=a\ncn: a\nno colon here\n", 3),
        ("dn: cn=a\ncn: a\n\nsn: orphan\n", 4),
        ("dn: cn=a\njpegPhoto:: ***\n", 2),
        ("dn: cn=a\ncn: a\n\nversion: 1\ndn: cn=b\ncn: b\n", 4),
        ("\n continuation first\n", 2),
        ("dn: cn=a\nchangetype: move\n", 2),
        ("dn: cn=a\nchangetype: delete\ncn: a\n", 3),
        ("dn: cn=a\nchangetype: modify\nreplace: mail\nsn: b\n-\n", 4),
        ("dn: cn=a\nchangetype: modify\nfrobnicate: mail\n-\n", 3),
        (
            "dn: cn=a\nchangetype: modrdn\nnewrdn: cn=b\ndeleteoldrdn: 2\n",
            4,
        ),
        ("dn: cn=a\nchangetype: modrdn\ndeleteoldrdn: 1\n", 3),
        ("dn: cn=a\ncontrol: 1.2..3 true\nchangetype: delete\n", 2),
        ("dn: cn=a\ncontrol: 1.2.3\ncn: x\n", 3),
        ("dn: cn=a\n1bad: x\n", 2),
        ("dn:< file:///etc/passwd\ncn: a\n", 1),
        (
            "dn: cn=a\nchangetype: modify\nincrement: n\nn: 1\nn: 2\n-\n",
            3,
        ),
        ("dn: cn=a\n\n", 1),
        ("dn: cn=a\ncn: a\njpegPhoto:< file:///tmp/ä\n", 3),
        ("dn: cn=a\ncn: a\njpegPhoto:<\n", 3),
    ];
    for (input, line) in cases {
        let e = first_error(input.as_bytes());
        assert_eq!(e.line, *line, "input {input:?}: {e}");
    }
}

#[test]
fn utf16_path_gives_the_same_records_as_utf8() {
    for name in ["corrected/example4.ldif", "corrected/example6.ldif"] {
        let utf8 = read(name);
        let text = String::from_utf8(utf8.clone())
            .unwrap()
            .replace('\n', "\r\n");
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        let crlf = text.into_bytes();
        let base = records(&crlf).unwrap();
        for enc in [le, be] {
            let input = Input::from_bytes(Path::new(name), enc).unwrap();
            assert_eq!(records(input.bytes()).unwrap(), base);
        }
    }
}

#[test]
fn mmap_and_read_paths_give_identical_records() {
    let path = examples_dir().join("corrected/example4.ldif");
    let mapped = Input::open(&path).unwrap();
    assert!(mapped.is_mapped());
    let read_in = Input::from_bytes(&path, std::fs::read(&path).unwrap()).unwrap();
    assert!(!read_in.is_mapped());
    assert_eq!(
        records(mapped.bytes()).unwrap(),
        records(read_in.bytes()).unwrap()
    );
}

// ---- properties ---------------------------------------------------------------------------

fn attr_name() -> impl Strategy<Value = String> {
    (
        // `dn` and `changetype` are keywords, never attributes of a record.
        "[a-zA-Z][a-zA-Z0-9-]{0,12}".prop_filter("a keyword", |n| {
            !n.eq_ignore_ascii_case("dn") && !n.eq_ignore_ascii_case("changetype")
        }),
        proptest::option::of("[a-zA-Z0-9=-]{1,8}"),
    )
        .prop_map(|(n, o)| match o {
            Some(o) => format!("{n};{o}"),
            None => n,
        })
}

fn value_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        " ?[a-zé李 ]{0,20} ?".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 500..3000),
    ]
}

fn value() -> impl Strategy<Value = Value<'static>> {
    prop_oneof![
        8 => value_bytes().prop_map(|b| Value::Bytes(Cow::Owned(b))),
        1 => "[a-z]{1,5}://[a-z/.]{1,30}".prop_map(|u| Value::Url(Cow::Owned(u.into_bytes()))),
    ]
}

fn attrs() -> impl Strategy<Value = Vec<Attr<'static>>> {
    proptest::collection::vec(
        (attr_name(), value()).prop_map(|(n, v)| Attr {
            name: Cow::Owned(n),
            value: v,
        }),
        1..8,
    )
}

fn modspec() -> impl Strategy<Value = Mod<'static>> {
    (
        prop_oneof![
            Just(ModOp::Add),
            Just(ModOp::Delete),
            Just(ModOp::Replace),
            Just(ModOp::Increment)
        ],
        attr_name(),
        proptest::collection::vec(value(), 0..4),
    )
        .prop_map(|(op, attr, mut values)| {
            if op == ModOp::Increment {
                values.truncate(1);
                if values.is_empty() {
                    values.push(Value::Bytes(Cow::Borrowed(b"1")));
                }
            }
            Mod {
                op,
                attr: Cow::Owned(attr),
                values,
            }
        })
}

fn control() -> impl Strategy<Value = Control<'static>> {
    (
        "[1-9][0-9]{0,3}(\\.[0-9]{1,4}){1,6}",
        any::<bool>(),
        proptest::option::of(value_bytes()),
    )
        .prop_map(|(oid, critical, v)| Control {
            oid: Cow::Owned(oid),
            critical,
            value: v.map(|b| Value::Bytes(Cow::Owned(b))),
        })
}

fn record() -> impl Strategy<Value = Record<'static>> {
    let body = prop_oneof![
        attrs().prop_map(|a| (None, Body::Attrs(a))),
        attrs().prop_map(|a| (Some(ChangeKind::Add), Body::Attrs(a))),
        Just((Some(ChangeKind::Delete), Body::Delete)),
        proptest::collection::vec(modspec(), 0..4)
            .prop_map(|m| (Some(ChangeKind::Modify), Body::Modify(m))),
        (
            value_bytes(),
            any::<bool>(),
            proptest::option::of(value_bytes()),
            any::<bool>()
        )
            .prop_map(|(rdn, del, sup, moddn)| (
                Some(if moddn {
                    ChangeKind::ModDn
                } else {
                    ChangeKind::ModRdn
                }),
                Body::ModDn {
                    newrdn: Cow::Owned(rdn),
                    deleteoldrdn: del,
                    newsuperior: sup.map(Cow::Owned)
                }
            )),
    ];
    (
        value_bytes(),
        body,
        proptest::collection::vec(control(), 0..3),
    )
        .prop_map(|(dn, (change, body), controls)| {
            let controls = if change.is_some() { controls } else { vec![] };
            let changetype = change.map(|c| {
                Cow::Owned(
                    match c {
                        ChangeKind::Add => "add",
                        ChangeKind::Delete => "delete",
                        ChangeKind::Modify => "modify",
                        ChangeKind::ModRdn => "modrdn",
                        ChangeKind::ModDn => "moddn",
                    }
                    .to_owned(),
                )
            });
            Record {
                offset: 0,
                line: 0,
                dn: Cow::Owned(dn),
                controls,
                change,
                changetype,
                body,
            }
        })
}

fn normalise(mut r: Record<'_>) -> Record<'static> {
    r.offset = 0;
    r.line = 0;
    let own_v = |v: Value<'_>| v.into_owned();
    Record {
        offset: 0,
        line: 0,
        dn: Cow::Owned(r.dn.into_owned()),
        controls: r
            .controls
            .into_iter()
            .map(|c| Control {
                oid: Cow::Owned(c.oid.into_owned()),
                critical: c.critical,
                value: c.value.map(own_v),
            })
            .collect(),
        change: r.change,
        changetype: r.changetype.map(|c| Cow::Owned(c.into_owned())),
        body: match r.body {
            Body::Attrs(a) => Body::Attrs(
                a.into_iter()
                    .map(|a| Attr {
                        name: Cow::Owned(a.name.into_owned()),
                        value: own_v(a.value),
                    })
                    .collect(),
            ),
            Body::Delete => Body::Delete,
            Body::Modify(m) => Body::Modify(
                m.into_iter()
                    .map(|m| Mod {
                        op: m.op,
                        attr: Cow::Owned(m.attr.into_owned()),
                        values: m.values.into_iter().map(own_v).collect(),
                    })
                    .collect(),
            ),
            Body::ModDn {
                newrdn,
                deleteoldrdn,
                newsuperior,
            } => Body::ModDn {
                newrdn: Cow::Owned(newrdn.into_owned()),
                deleteoldrdn,
                newsuperior: newsuperior.map(|n| Cow::Owned(n.into_owned())),
            },
        },
    }
}

fn options() -> impl Strategy<Value = WriterOptions> {
    (
        any::<bool>(),
        proptest::option::of(2usize..120),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(crlf, fold, lead, version)| WriterOptions {
            line_ending: if crlf {
                LineEnding::CrLf
            } else {
                LineEnding::Lf
            },
            fold,
            leading_blank_line: lead,
            version_line: version,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn write_then_parse_gives_the_same_records(recs in proptest::collection::vec(record(), 1..6), opts in options()) {
        let mut w = LdifWriter::new(Vec::new(), opts);
        for r in &recs {
            w.write_record(r).unwrap();
        }
        let bytes = w.finish().unwrap();
        prop_assert!(bytes.is_ascii());
        let parsed: Vec<_> = records(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?
            .into_iter().map(normalise).collect();
        prop_assert_eq!(parsed, recs);
    }

    #[test]
    fn parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for item in Parser::new(&bytes) {
            let _ = item;
        }
    }

    #[test]
    fn folding_preserves_bytes(v in proptest::collection::vec(any::<u8>(), 0..600), width in 2usize..90) {
        let rec = Record { offset: 0, line: 0, dn: Cow::Borrowed(b"cn=x"), controls: vec![], change: None, changetype: None,
            body: Body::Attrs(vec![Attr { name: Cow::Borrowed("v"), value: Value::Bytes(Cow::Owned(v.clone())) }]) };
        let mut w = LdifWriter::new(Vec::new(), WriterOptions { fold: Some(width), ..Default::default() });
        w.write_record(&rec).unwrap();
        let bytes = w.finish().unwrap();
        let parsed = records(&bytes).unwrap();
        prop_assert_eq!(parsed[0].attrs()[0].value.as_bytes(), &v[..]);
    }
}

/// The attribute filter used by the equivalence tests: keeps names of odd length
/// (options included), so about half the lines of any record are dropped.
fn odd_names(name: &str) -> bool {
    name.len() % 2 == 1
}

/// What a filtered parse must give: the unfiltered items with the dropped attributes
/// taken out of content and add records (errors and everything else unchanged).
fn filtered_by_hand(bytes: &[u8]) -> Vec<Result<Item<'_>, ParseError>> {
    Parser::new(bytes)
        .map(|item| {
            item.map(|i| match i {
                Item::Record(mut r) => {
                    if let Body::Attrs(a) = &mut r.body {
                        a.retain(|x| odd_names(&x.name));
                    }
                    Item::Record(r)
                }
                other => other,
            })
        })
        .collect()
}

#[test]
fn attr_filter_drops_values_but_not_checks() {
    // Folded and base64 values on both sides of the filter, and errors in dropped lines.
    let text = "dn: cn=a\r\nab: x\r\nabc:: Zm9v\r\nabcd:: \r\n YmFy\r\nabcde: long\r\n  folded\r\nmail: m\r\n\r\n\
                dn: cn=b\nab:: !!!\n\ndn: cn=c\nxy: 1\nabcdefg\n\ndn: cn=d\nxyz: ok\n";
    let want = filtered_by_hand(text.as_bytes());
    let got: Vec<_> = Parser::new(text.as_bytes())
        .with_attr_filter(odd_names)
        .collect();
    assert_eq!(got, want);
    // The bad base64 in a dropped attribute and the line without a colon still fail.
    assert_eq!(got.iter().filter(|i| i.is_err()).count(), 2);
    let Ok(Item::Record(r)) = &got[0] else {
        panic!("first record")
    };
    let names: Vec<&str> = r.attrs().iter().map(|a| a.name.as_ref()).collect();
    assert_eq!(names, ["abc", "abcde"]);
    assert_eq!(r.attrs()[0].value.as_bytes(), b"foo");
    assert_eq!(r.attrs()[1].value.as_bytes(), b"long folded");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn attr_filter_equals_filtering_afterwards(recs in proptest::collection::vec(record(), 1..6), opts in options()) {
        let mut w = LdifWriter::new(Vec::new(), opts);
        for r in &recs {
            w.write_record(r).unwrap();
        }
        let bytes = w.finish().unwrap();
        let got: Vec<_> = Parser::new(&bytes).with_attr_filter(odd_names).collect();
        prop_assert_eq!(got, filtered_by_hand(&bytes));
    }

    #[test]
    fn attr_filter_equals_filtering_afterwards_on_any_bytes(bytes in proptest::collection::vec(prop_oneof![
        Just(b'\n'), Just(b' '), Just(b':'), Just(b'a'), Just(b'b'), Just(b'Z'), Just(b'='), Just(b'\r'),
        Just(b'd'), Just(b'n'), Just(b'#'), Just(b';'), Just(b'<'), any::<u8>()], 0..300)) {
        let mut text = b"dn: cn=x\nab: 1\nabc:: Zm9v\n".to_vec();
        text.extend_from_slice(&bytes);
        let got: Vec<_> = Parser::new(&text).with_attr_filter(odd_names).collect();
        prop_assert_eq!(got, filtered_by_hand(&text));
    }
}

fn utf16(s: &str, le: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
        .collect()
}

/// Records A (line 1), B (line 4, an unpaired surrogate on line 5) and C (line 7), as
/// UTF-16LE with a BOM.
fn utf16_with_a_bad_record() -> Vec<u8> {
    let mut v = vec![0xFF, 0xFE];
    v.extend(utf16(
        "dn: CN=A,DC=x\r\ncn: a\r\n\r\ndn: CN=B,DC=x\r\ncn: b",
        true,
    ));
    v.extend(0xD800u16.to_le_bytes());
    v.extend(utf16("\r\n\r\ndn: CN=C,DC=x\r\ncn: c\r\n", true));
    v
}

#[test]
fn a_record_holding_malformed_utf16_is_one_bad_record_and_the_others_are_read() {
    let bytes = utf16_with_a_bad_record();
    // Opened strictly, the file is refused at the bad code unit's line.
    match Input::from_bytes(Path::new("u.ldf"), bytes.clone()) {
        Err(ldifix::source::InputError::Decode { err, .. }) => assert_eq!(err.line, 5),
        _ => panic!("expected a decode error"),
    }
    // Leniently, the unit is left out (never replaced) and its place listed.
    let input = Input::from_bytes_lenient(Path::new("u.ldf"), bytes).unwrap();
    assert_eq!(input.faults().len(), 1);
    assert!(!String::from_utf8_lossy(input.bytes()).contains('\u{FFFD}'));
    let items: Vec<_> = Parser::new(input.bytes())
        .with_faults(input.faults().to_vec())
        .collect();
    assert_eq!(items.len(), 3, "{items:?}");
    match &items[0] {
        Ok(Item::Record(r)) => assert_eq!((&*r.dn, r.line), (&b"CN=A,DC=x"[..], 1)),
        other => panic!("{other:?}"),
    }
    match &items[1] {
        Err(e) => {
            assert!(matches!(e.kind, ErrorKind::BadUtf16 { .. }), "{e}");
            assert_eq!((e.line, e.record_line), (5, Some(4)));
            assert!(e.to_string().contains("unpaired surrogate 0xD800"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    match &items[2] {
        Ok(Item::Record(r)) => assert_eq!((&*r.dn, r.line), (&b"CN=C,DC=x"[..], 7)),
        other => panic!("{other:?}"),
    }
}

/// What the parser gives for `body` (UTF-16LE text, the byte order mark added here),
/// read leniently: one word per item, with its line and the line of the record it is in.
fn shape_of_utf16(body: &[u8]) -> Vec<String> {
    let mut v = vec![0xFF, 0xFE];
    v.extend_from_slice(body);
    let input = Input::from_bytes_lenient(Path::new("u.ldf"), v).unwrap();
    Parser::new(input.bytes())
        .with_faults(input.faults().to_vec())
        .map(|i| match i {
            Ok(Item::Record(r)) => format!("record {}", r.line),
            Ok(Item::Skipped { line, .. }) => format!("skipped {line}"),
            Err(e) => format!("error {} {:?}", e.line, e.record_line),
        })
        .collect()
}

#[test]
fn a_fault_outside_records_is_reported_where_it_is() {
    // Between records (in a comment), and a dangling byte after a blank line at the end.
    let mut v = utf16("dn: CN=A,DC=x\ncn: a\n\n# note ", true);
    v.extend(0xDC00u16.to_le_bytes());
    v.extend(utf16("\n\ndn: CN=C,DC=x\ncn: c\n\n", true));
    v.push(b'x');
    // The comment is no part of record C: the fault there is reported on its own, at its
    // line, and C is read; the dangling byte after the last blank line stands alone.
    assert_eq!(
        shape_of_utf16(&v),
        ["record 1", "error 4 None", "record 6", "error 9 None"]
    );
}

#[test]
fn a_fault_in_the_blank_lines_or_comments_before_a_record_spares_the_record() {
    // In the comment opening the file, in a folded comment's continuation, on a blank line.
    let mut v = utf16("# exported ", true);
    v.extend(0xD800u16.to_le_bytes());
    v.extend(utf16("\ndn: CN=A,DC=x\ncn: a\n\n# long\n note ", true));
    v.extend(0xDC00u16.to_le_bytes());
    v.extend(utf16("\ndn: CN=B,DC=x\ncn: b\n", true));
    v.extend(0xD800u16.to_le_bytes());
    v.extend(utf16("\ndn: CN=C,DC=x\ncn: c\n", true));
    // At the end of a record's last line, the unit is in that record, which is bad.
    let mut w = utf16("dn: CN=B,DC=x\ncn: b", true);
    w.extend(0xD800u16.to_le_bytes());
    w.extend(utf16("\n\ndn: CN=C,DC=x\ncn: c\n", true));
    assert_eq!(shape_of_utf16(&w), ["error 2 Some(1)", "record 4"]);
    assert_eq!(
        shape_of_utf16(&v),
        [
            "error 1 None",
            "record 2",
            "error 6 None",
            "record 7",
            // The bad unit is all of line 9: without it, that line is the blank one
            // ending record B, which is whole.
            "error 9 None",
            "record 10"
        ]
    );
}

#[test]
fn a_version_line_after_a_bad_first_block_is_still_out_of_place() {
    let items: Vec<_> = Parser::new(b"garbage: 1\n\nversion: 1\ndn: CN=A,DC=x\ncn: a\n").collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(
        items[0].as_ref().unwrap_err().kind,
        ErrorKind::ExpectedDn { .. }
    ));
    let e = items[1].as_ref().unwrap_err();
    assert!(matches!(e.kind, ErrorKind::BadVersion { .. }), "{e}");
    assert_eq!(e.line, 3);
    // As the first block, after comments and blank lines, it is read.
    let ok = records(b"# x\n\nversion: 1\ndn: CN=A,DC=x\ncn: a\n").unwrap();
    assert_eq!(ok.len(), 1);
}

#[test]
fn a_dangling_byte_in_the_last_record_makes_that_record_bad() {
    // Cut in the last line: the record is bad, named at its last line.
    let mut v = utf16("dn: CN=A,DC=x\ncn: a\n\ndn: CN=B,DC=x\ncn: b", true);
    v.push(b'x');
    assert_eq!(shape_of_utf16(&v), ["record 1", "error 5 Some(4)"]);
    let mut v2 = vec![0xFF, 0xFE];
    v2.extend(&v);
    let input = Input::from_bytes_lenient(Path::new("u.ldf"), v2).unwrap();
    let e = Parser::new(input.bytes())
        .with_faults(input.faults().to_vec())
        .nth(1)
        .unwrap()
        .unwrap_err();
    assert!(e.to_string().contains("odd number of bytes"), "{e}");
    // After the final line end, the record is whole: the byte is reported on its own.
    let mut v = utf16("dn: CN=A,DC=x\ncn: a\n\ndn: CN=B,DC=x\ncn: b\n", true);
    v.push(b'x');
    assert_eq!(shape_of_utf16(&v), ["record 1", "record 4", "error 6 None"]);
}

#[test]
fn utf16_without_a_byte_order_mark_is_recognised() {
    let text = "dn: CN=J\u{f6}rg \u{1D11E},DC=x\r\ncn: J\u{f6}rg\r\n";
    let base = records(text.as_bytes()).unwrap();
    for le in [true, false] {
        let input = Input::from_bytes(Path::new("n.ldf"), utf16(text, le)).unwrap();
        let enc = if le {
            ldifix::source::Encoding::Utf16Le
        } else {
            ldifix::source::Encoding::Utf16Be
        };
        assert_eq!(input.encoding, enc);
        assert_eq!(records(input.bytes()).unwrap(), base);
    }
    // UTF-8 text is never taken for UTF-16, whatever it starts with.
    for s in [
        "dn: a\n",
        "# c\n",
        "\r\n\r\ndn: a\n",
        "\u{0}\u{0}\u{0}\u{0}",
    ] {
        let input = Input::from_bytes(Path::new("u.ldf"), s.as_bytes().to_vec()).unwrap();
        assert_eq!(input.encoding, ldifix::source::Encoding::Utf8, "{s:?}");
    }
}

#[test]
fn every_parse_error_says_what_was_expected() {
    let bad: &[&str] = &[
        "dn: a\nmail\n",
        "dn: a\nsn:: YWJj!\n",
        "dn: a\ncn: a\n\nversion: 1\ndn: b\ncn: b\n",
        "dn: a\ncn: a\n\nversion: 2\n",
        "version: 2\ndn: a\ncn: a\n",
        " folded\n",
        "cn: a\n",
        "dn: a\n",
        "dn: a\nchangetype: frob\n",
        "dn: a\nchangetype: modify\nfrob: x\n",
        "dn: a\ncontrol: x\nchangetype: delete\n",
        "dn: a\ncontrol: 1.2.3 maybe\nchangetype: delete\n",
        "dn: a\nb@d: x\n",
    ];
    for text in bad {
        let e = first_error(text.as_bytes());
        assert!(e.to_string().contains("expected"), "{text:?}: {e}");
    }
    let limited = |text: &str, limits: Limits| {
        Parser::with_limits(text.as_bytes(), limits)
            .find_map(|r| r.err())
            .expect("over the limit")
    };
    let small = Limits {
        max_line: 8,
        max_record: 16,
        max_values: 1,
    };
    for text in ["dn: a\ncn: aaaaaaaaaa\n", "dn: a\ncn: a\nsn: b\n"] {
        let e = limited(text, small);
        assert!(e.to_string().contains("expected"), "{text:?}: {e}");
    }
}

#[test]
fn a_bad_base64_character_in_a_folded_value_is_named_at_its_physical_line() {
    // The stray space sits on line 5, the value starts on line 3.
    let text = "dn: CN=A,DC=x\ncn: a\ndescription:: YWJj\n ZGVm\n Z2 hp\n";
    let e = first_error(text.as_bytes());
    assert!(matches!(e.kind, ErrorKind::BadBase64 { .. }), "{e}");
    assert_eq!((e.line, e.record_line), (5, Some(1)), "{e}");
    // Unfolded, the same character is on the value's own line.
    let e = first_error(b"dn: CN=A,DC=x\ncn: a\ndescription:: YWJjZGVmZ2 hp\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.to_string().contains("found byte 0x20"), "{e}");
    // A bad character on the first line of a folded value.
    let e = first_error(b"dn: CN=A,DC=x\ndescription:: YW!j\n ZGVm\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.to_string().contains("found '!'"), "{e}");
}

#[test]
fn other_bad_values_in_a_folded_line_are_named_at_their_physical_line() {
    // (text, physical line of the problem), CRLF and LF alike.
    let cases = [
        // deleteoldrdn's value alone on a continuation line.
        (
            "dn: CN=A,DC=x\nchangetype: modrdn\nnewrdn: CN=B\ndeleteoldrdn:\n 7\n",
            5,
        ),
        // A space in a URL on the third physical line of the value.
        (
            "dn: CN=A,DC=x\ncn: A\nphoto:< file:///tmp/aaaa\n bbbb\n cc d\n",
            5,
        ),
        // ... and on its first line.
        ("dn: CN=A,DC=x\ncn: A\nphoto:< file:///a b\n cccc\n", 3),
        // A control OID broken on its continuation line.
        (
            "dn: CN=A,DC=x\ncontrol: 1.2.840.113556.1.4.805\n .x true\nchangetype: delete\n",
            3,
        ),
        // ... and after it, the criticality.
        (
            "dn: CN=A,DC=x\ncontrol: 1.2.3\n  maybe\nchangetype: delete\n",
            3,
        ),
    ];
    for (text, line) in cases {
        for t in [text.to_string(), text.replace('\n', "\r\n")] {
            let e = first_error(t.as_bytes());
            assert_eq!((e.line, e.record_line), (line, Some(1)), "{t:?}: {e}");
        }
    }
    // Unfolded, the problem is on the logical line's own line.
    let e = first_error(b"dn: CN=A,DC=x\nchangetype: modrdn\nnewrdn: CN=B\ndeleteoldrdn: 7\n");
    assert_eq!(e.line, 4, "{e}");
}

#[test]
fn control_keywords_in_any_case_and_trailing_spaces_are_read() {
    for (line, critical) in [
        ("control: 1.2.3 TRUE", true),
        ("control: 1.2.3 False", false),
        ("control: 1.2.3 true  ", true),
        ("control: 1.2.3  ", false),
    ] {
        let text = format!("dn: CN=A,DC=x\n{line}\nchangetype: delete\n");
        let r = records(text.as_bytes()).unwrap();
        assert_eq!(r[0].controls.len(), 1, "{line:?}");
        assert_eq!(r[0].controls[0].critical, critical, "{line:?}");
        assert_eq!(r[0].controls[0].value, None, "{line:?}");
    }
}

#[test]
fn a_version_line_with_trailing_spaces_is_read() {
    let r = records(b"version: 1  \r\ndn: CN=A,DC=x\r\ncn: a\r\n").unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].line, 2);
}

#[test]
fn the_record_size_limit_counts_the_last_line_and_names_the_line_that_crossed_it() {
    let limits = Limits {
        max_record: 20,
        ..Limits::default()
    };
    // 14 + 14 bytes: the second (and last) line crosses the limit.
    let text = "dn: CN=A,DC=x\ncn: aaaaaaaaa\n\ndn: CN=B,DC=x\ncn: b\n";
    let items: Vec<_> = Parser::with_limits(text.as_bytes(), limits).collect();
    let e = items[0].as_ref().unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Limit { .. }), "{e}");
    assert_eq!((e.line, e.record_line), (2, Some(1)), "{e}");
    assert!(matches!(items[1], Ok(Item::Record(_))), "{items:?}");
    // Crossed in the middle of a record: named at the line that crossed it, not after.
    let text = "dn: CN=A,DC=x\ncn: aaaaaaaaa\nsn: b\n";
    let e = Parser::with_limits(text.as_bytes(), limits)
        .find_map(|r| r.err())
        .unwrap();
    assert_eq!(e.line, 2, "{e}");
    // Exactly at the limit is accepted.
    let limits = Limits {
        max_record: 28,
        ..Limits::default()
    };
    let text = "dn: CN=A,DC=x\ncn: aaaaaaaaa\n";
    assert!(Parser::with_limits(text.as_bytes(), limits).all(|r| r.is_ok()));
}

#[test]
fn a_dn_or_changetype_line_among_attributes_is_an_error_not_an_attribute() {
    // A missing empty line between two records would merge them.
    let text = "dn: CN=A,DC=x\ncn: a\nDN: CN=B,DC=x\ncn: b\n\ndn: CN=C,DC=x\ncn: c\n";
    let items: Vec<_> = Parser::new(text.as_bytes()).collect();
    assert_eq!(items.len(), 2, "{items:?}");
    let e = items[0].as_ref().unwrap_err();
    assert_eq!((e.line, e.record_line), (3, Some(1)), "{e}");
    assert!(
        e.to_string()
            .starts_with("3: expected an empty line before a new record's 'dn:' line"),
        "{e}"
    );
    assert!(matches!(&items[1], Ok(Item::Record(r)) if &*r.dn == b"CN=C,DC=x"));
    // A second changetype, or one after the attributes.
    for text in [
        "dn: CN=A,DC=x\nchangetype: add\nchangetype: add\ncn: a\n",
        "dn: CN=A,DC=x\ncn: a\nchangeType: add\n",
    ] {
        let e = first_error(text.as_bytes());
        assert!(
            e.to_string()
                .contains("expected 'changetype:' only right after the 'dn:' line"),
            "{text:?}: {e}"
        );
    }
    // Names that merely start with the keywords are attributes.
    let r = records(b"dn: CN=A,DC=x\ndnsHostName: a\nchangetypes: b\ndn;x: c\n").unwrap();
    assert_eq!(r[0].attrs().len(), 3);
}

#[test]
fn an_input_ending_inside_its_last_line_is_named_in_a_warning() {
    let mut p = Parser::new(b"dn: CN=A,DC=x\ncn: a\n\ndn: CN=B,DC=x\ncn: b");
    assert_eq!(p.by_ref().filter(|i| i.is_ok()).count(), 2);
    let w = p.take_warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].line, 5);
    assert_eq!(w[0].message, ldifix::ldif::UNENDED_LAST_LINE);
    // With its line end (LF or CRLF), or empty: no warning.
    for whole in [
        &b"dn: CN=A,DC=x\ncn: a\n"[..],
        b"dn: CN=A,DC=x\r\ncn: a\r\n",
        b"",
    ] {
        let mut p = Parser::new(whole);
        p.by_ref().for_each(drop);
        assert!(p.take_warnings().is_empty(), "{whole:?}");
    }
}
