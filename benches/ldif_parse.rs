//! Parse throughput on an ldifde-style export (CRLF, `changetype: add`, base64 binary and
//! non-ASCII values, folded long values), touching every value. Run with
//! `cargo bench --bench ldif_parse`.

use std::fmt::Write as _;

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ldifix::ldif::{Body, Item, Parser};

/// About `users` user records shaped like ldifde output (~1.5 KB each).
fn ldifde_export(users: usize) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut s = String::with_capacity(users * 1600);
    s.push_str("\r\n");
    for i in 0..users {
        let first = ["Mary", "John", "José", "Søren", "Anna", "Li"][i % 6];
        let last = format!("Surname{i}");
        let ou = format!("OU=Dept{},OU=Staff", i % 37);
        let dn = format!("CN={first} {last},{ou},DC=contoso,DC=local");
        if dn.is_ascii() {
            let _ = write!(s, "dn: {dn}\r\n");
        } else {
            let _ = write!(s, "dn:: {}\r\n", b64.encode(dn.as_bytes()));
        }
        s.push_str("changetype: add\r\nobjectClass: top\r\nobjectClass: person\r\nobjectClass: organizationalPerson\r\nobjectClass: user\r\n");
        let _ = write!(s, "cn: {first} {last}\r\nsn: {last}\r\n");
        if first.is_ascii() {
            let _ = write!(s, "givenName: {first}\r\ndisplayName: {first} {last}\r\n");
        } else {
            let _ = write!(
                s,
                "givenName:: {}\r\ndisplayName:: {}\r\n",
                b64.encode(first),
                b64.encode(format!("{first} {last}"))
            );
        }
        let _ = write!(s, "distinguishedName: \r\n {dn}\r\n");
        s.push_str("instanceType: 4\r\nwhenCreated: 20240105101010.0Z\r\nwhenChanged: 20250105101010.0Z\r\n");
        let _ = write!(
            s,
            "uSNCreated: {}\r\nuSNChanged: {}\r\n",
            10000 + i,
            20000 + i
        );
        let _ = write!(
            s,
            "memberOf: CN=All Staff,OU=Groups,DC=contoso,DC=local\r\nmemberOf: CN=Dept{},OU=Groups,DC=contoso,DC=local\r\n",
            i % 37
        );
        let guid: Vec<u8> = (0..16).map(|k| (i * 7 + k * 13) as u8).collect();
        let sid: Vec<u8> = (0..28).map(|k| (i * 3 + k * 5) as u8).collect();
        let _ = write!(
            s,
            "objectGUID:: {}\r\nobjectSid:: {}\r\n",
            b64.encode(&guid),
            b64.encode(&sid)
        );
        let _ = write!(
            s,
            "userAccountControl: 512\r\nsAMAccountName: u{i}\r\nuserPrincipalName: u{i}@contoso.local\r\nmail: user{i}@contoso.com\r\n"
        );
        let _ = write!(
            s,
            "proxyAddresses: SMTP:user{i}@contoso.com\r\nproxyAddresses: smtp:u{i}@contoso.mail.onmicrosoft.com\r\nproxyAddresses: X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=u{i}\r\n"
        );
        let _ = write!(
            s,
            "mailNickname: u{i}\r\ntargetAddress: SMTP:u{i}@contoso.mail.onmicrosoft.com\r\nobjectCategory: \r\n CN=Person,CN=Schema,CN=Configuration,DC=contoso,DC=local\r\ndSCorePropagationData: 16010101000000.0Z\r\nlastLogonTimestamp: 133500000000000000\r\n\r\n"
        );
    }
    s.into_bytes()
}

/// Parse everything and fold every value's bytes into a checksum so nothing is skipped.
fn parse_all(bytes: &[u8]) -> (usize, u64) {
    let mut n = 0usize;
    let mut sum = 0u64;
    for item in Parser::new(bytes) {
        if let Ok(Item::Record(r)) = item {
            n += 1;
            sum = sum.wrapping_add(r.dn.len() as u64);
            if let Body::Attrs(attrs) = &r.body {
                for a in attrs {
                    let v = a.value.as_bytes();
                    sum = sum
                        .wrapping_add(v.len() as u64)
                        .wrapping_add(u64::from(v.last().copied().unwrap_or(0)));
                }
            }
        }
    }
    (n, sum)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    let users = 20_000usize;
    let data = ldifde_export(users);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(20);
    g.bench_with_input(BenchmarkId::new("ldifde", users), &data, |b, d| {
        b.iter(|| {
            let (n, _) = parse_all(d);
            assert_eq!(n, users);
        })
    });
    // The practical floor: find every line end, nothing else.
    g.bench_with_input(BenchmarkId::new("memchr_lines", users), &data, |b, d| {
        b.iter(|| memchr::memchr_iter(b'\n', d).count())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
