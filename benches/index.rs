//! The tenant-wide collision index (`ldifix::index::Index`): building it over every
//! in-scope entry of a generated forest (entries per second), and materialising the
//! collision groups from a built index. Parsing is done once, outside the measured loops.
//! Run with `cargo bench --bench index`.
//!
//! The expected number of collision groups is the generator's ground truth, asserted in
//! every iteration.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ldifix::index::Index;
use ldifix::model::Entry;
use ldifix::rules::Profile;

const USERS: u64 = 100_000;

fn build(entries: &[Entry<'_>]) -> Index {
    let mut ix = Index::new(Profile::Entra);
    for (i, e) in entries.iter().enumerate() {
        ix.add_entry(i as u32, e);
    }
    ix
}

fn bench(c: &mut Criterion) {
    let (bytes, truth) = common::forest(USERS);
    let entries = common::in_scope_entries(&bytes);
    let expected = truth.collisions.len();
    assert!(expected > 0, "the forest has planted collisions");

    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.throughput(Throughput::Elements(entries.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("build", entries.len()),
        &entries,
        |b, entries| {
            b.iter(|| {
                let ix = build(entries);
                assert!(ix.distinct() > entries.len(), "every object holds values");
                ix
            })
        },
    );
    g.bench_with_input(
        BenchmarkId::new("build_and_collide", entries.len()),
        &entries,
        |b, entries| {
            b.iter(|| {
                let n = build(entries).collisions().len();
                assert_eq!(n, expected, "collision groups");
                n
            })
        },
    );
    let ix = build(&entries);
    g.throughput(Throughput::Elements(expected as u64));
    g.bench_function(BenchmarkId::new("collisions", expected), |b| {
        b.iter(|| {
            let n = ix.collisions().len();
            assert_eq!(n, expected, "collision groups");
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
