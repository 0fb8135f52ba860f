//! Throughput of the entra rule checks (`ldifix::rules::entra::check`) over the in-scope
//! entries of a generated forest, in entries per second. Parsing is done once, outside
//! the measured loop. Run with `cargo bench --bench rules`.
//!
//! The expected number of findings comes from the generator's ground truth (one finding
//! per planted (object, attribute, value) that is not a duplicate), and every iteration
//! asserts it.

mod common;

use std::collections::BTreeSet;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ldifix::rules::entra::{self, EntraContext};

const USERS: u64 = 20_000;

fn bench(c: &mut Criterion) {
    let (bytes, truth) = common::forest(USERS);
    let entries = common::in_scope_entries(&bytes);
    let ctx = EntraContext::default();
    // One finding per failing (object, attribute, value); duplicates are the index's job.
    let expected: BTreeSet<(String, String, String)> = truth
        .problems
        .iter()
        .filter(|p| !p.errors.iter().all(|e| e == "Duplicate"))
        .map(|p| {
            (
                p.dn.clone(),
                p.attribute.to_ascii_lowercase(),
                p.value.clone(),
            )
        })
        .collect();
    let expected = expected.len();
    assert!(expected > 0, "the forest has planted problems");

    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Elements(entries.len() as u64));
    g.sample_size(20);
    g.bench_with_input(
        BenchmarkId::new("entra_check", entries.len()),
        &entries,
        |b, entries| {
            b.iter(|| {
                let n: usize = entries.iter().map(|e| entra::check(e, &ctx).len()).sum();
                assert_eq!(n, expected, "findings over {} entries", entries.len());
                n
            })
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
