//! Writing change files (`ldifix::ldif::writer::LdifWriter`): 100,000 `changetype:
//! modify` records replacing `userPrincipalName`, ldifde-style (CRLF, leading empty line,
//! no folding), one in eight with a non-ASCII DN written base64, in bytes per second.
//! Run with `cargo bench --bench writer`.
//!
//! Every iteration asserts the number of lines written (six per record plus the leading
//! empty line), so no record can be skipped.

use std::borrow::Cow;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ldifix::ldif::writer::{LdifWriter, WriterOptions};
use ldifix::ldif::{Body, ChangeKind, Mod, ModOp, Record, Value};

const RECORDS: usize = 100_000;

/// The records `ldifix fix --upn-suffix contoso.local=contoso.com` writes, shaped alike.
fn records(n: usize) -> Vec<Record<'static>> {
    (0..n)
        .map(|i| {
            let first = if i % 8 == 0 { "Jörg" } else { "John" };
            let dn = format!(
                "CN={first} Smith{i},OU=Dept{},OU=Staff,DC=contoso,DC=local",
                i % 37
            );
            Record {
                offset: 0,
                line: 0,
                dn: Cow::Owned(dn.into_bytes()),
                controls: Vec::new(),
                change: Some(ChangeKind::Modify),
                changetype: Some(Cow::Borrowed("modify")),
                body: Body::Modify(vec![Mod {
                    op: ModOp::Replace,
                    attr: Cow::Borrowed("userPrincipalName"),
                    values: vec![Value::Bytes(Cow::Owned(
                        format!("user{i}@contoso.com").into_bytes(),
                    ))],
                }]),
            }
        })
        .collect()
}

/// Write every record; returns the bytes and the line the next record would start on.
fn write_all(recs: &[Record<'_>], capacity: usize) -> (Vec<u8>, u64) {
    let mut w = LdifWriter::new(Vec::with_capacity(capacity), WriterOptions::ldifde());
    for r in recs {
        w.write_record(r).expect("writing to memory");
    }
    let next = w.next_record_line();
    (w.finish().expect("writing to memory"), next)
}

fn bench(c: &mut Criterion) {
    let recs = records(RECORDS);
    let (sample, _) = write_all(&recs, 0);
    let size = sample.len();
    // Leading empty line, then dn, changetype, replace, value, "-", empty line per record.
    let expected_next = 1 + 6 * RECORDS as u64 + 1;

    let mut g = c.benchmark_group("writer");
    g.throughput(Throughput::Bytes(size as u64));
    g.sample_size(20);
    g.bench_with_input(
        BenchmarkId::new("ldifde_modify", RECORDS),
        &recs,
        |b, recs| {
            b.iter(|| {
                let (out, next) = write_all(recs, size);
                assert_eq!(next, expected_next, "lines written");
                assert_eq!(out.len(), size);
                out.len()
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
