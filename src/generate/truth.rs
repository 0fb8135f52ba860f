//! The ground truth of a generated forest: every planted problem (one entry per
//! (dn, attribute, value, rule)), every collision group with all its holders, and every
//! planted rewrite collision, so a scan's precision and recall can be measured exactly.
//!
//! Collision groups are assembled from the plants: a duplicate plant names its partner
//! user, whose clean values are regenerated to list every holder of the shared key.
//! Groups are ordered by their first holder's position in the file; holders in file
//! order. Every holder's colliding value is also a problem with errors `["Duplicate"]`
//! and the catalog's duplicate rule (`address-duplicate` for the address namespace, `proxy-duplicate` for the proxy
//! namespaces, `nick-duplicate` for aliases).

use std::collections::BTreeMap;

use serde::Serialize;

use super::defects::KINDS;
use super::forest::{key_of, Forest, Ns};
use super::Options;
use crate::rules::catalog as id;

/// A planted single-value problem as recorded while generating.
#[derive(Debug, Clone)]
pub struct ProblemRec {
    /// Record number (0-based).
    pub seq: u64,
    /// Attribute rank in the record.
    pub rank: u32,
    /// Value index within the attribute.
    pub vidx: u32,
    /// DN.
    pub dn: String,
    /// Attribute.
    pub attribute: &'static str,
    /// Value.
    pub value: String,
    /// Rule id.
    pub rule: &'static str,
    /// Kind index.
    pub kind: usize,
}

/// A planted duplicate as recorded while generating.
#[derive(Debug, Clone)]
pub struct DupRec {
    /// Record number of the planted object.
    pub seq: u64,
    /// Attribute rank.
    pub rank: u32,
    /// Value index.
    pub vidx: u32,
    /// DN.
    pub dn: String,
    /// Attribute.
    pub attribute: &'static str,
    /// Value.
    pub value: String,
    /// Partner user (global index).
    pub partner: u64,
    /// Kind index.
    pub kind: usize,
}

/// A planted rewrite collision.
#[derive(Debug, Clone)]
pub struct RewriteRec {
    /// Record number.
    pub seq: u64,
    /// DN.
    pub dn: String,
    /// The UPN with the realm suffix.
    pub upn: String,
    /// Partner user.
    pub partner: u64,
    /// Partner's attribute.
    pub attribute: &'static str,
    /// Partner's value.
    pub value: String,
}

/// What one chunk contributed.
#[derive(Debug, Clone)]
pub struct ChunkTruth {
    /// Problems.
    pub problems: Vec<ProblemRec>,
    /// Duplicates.
    pub dups: Vec<DupRec>,
    /// Rewrite collisions.
    pub rewrites: Vec<RewriteRec>,
    /// Objects planted, per kind.
    pub planted: Vec<u64>,
    /// Objects that drew a kind they could not be given, per kind.
    pub unplaced: Vec<u64>,
}

impl Default for ChunkTruth {
    fn default() -> Self {
        ChunkTruth {
            problems: Vec::new(),
            dups: Vec::new(),
            rewrites: Vec::new(),
            planted: vec![0; KINDS.len()],
            unplaced: vec![0; KINDS.len()],
        }
    }
}

impl ChunkTruth {
    /// Append another chunk (chunks are merged in file order).
    pub fn merge(&mut self, o: ChunkTruth) {
        self.problems.extend(o.problems);
        self.dups.extend(o.dups);
        self.rewrites.extend(o.rewrites);
        for (a, b) in self.planted.iter_mut().zip(o.planted) {
            *a += b;
        }
        for (a, b) in self.unplaced.iter_mut().zip(o.unplaced) {
            *a += b;
        }
    }
}

/// One expected finding.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// DN as written.
    pub dn: String,
    /// Attribute as the entra profile reports it.
    pub attribute: String,
    /// Value as written (`"<n> values"` for a count).
    pub value: String,
    /// Expected error names.
    pub errors: Vec<String>,
    /// Rule id.
    pub rule: String,
    /// The planted kind it comes from.
    pub kind: String,
}

/// One holder of a collision.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Holder {
    /// DN.
    pub dn: String,
    /// Attribute.
    pub attribute: String,
    /// Value as written.
    pub value: String,
}

/// A collision group.
#[derive(Debug, Clone, Serialize)]
pub struct Collision {
    /// Normalised key.
    pub key: String,
    /// `address`, `proxy` or `mailNickname`.
    pub namespace: String,
    /// The planted kind.
    pub kind: String,
    /// Every holder, in file order.
    pub holders: Vec<Holder>,
}

/// A rewrite collision.
#[derive(Debug, Clone, Serialize)]
pub struct Rewrite {
    /// The user whose UPN keeps the realm suffix.
    pub dn: String,
    /// That UPN.
    pub upn: String,
    /// What the rewritten UPN would collide with (the partner value it was made from).
    pub conflicts_with: Holder,
    /// Every value it would collide with, in file order: the partner's values with that
    /// address and those of any object that holds it too.
    pub conflicts_with_all: Vec<Holder>,
}

/// Counts.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Records written.
    pub records: u64,
    /// Objects planted per kind.
    pub planted_by_kind: BTreeMap<String, u64>,
    /// Objects that drew a duplicate or rewrite-collision kind but found no clean user
    /// to share a value with, and stayed clean, per kind (only when some did: the rates
    /// of those kinds were then not met).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unplanted_by_kind: BTreeMap<String, u64>,
    /// Problems listed.
    pub problems: usize,
    /// Collision groups listed.
    pub collisions: usize,
}

/// The truth file.
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    /// Generator name and version.
    pub generator: BTreeMap<&'static str, &'static str>,
    /// The generation options.
    pub options: Options,
    /// Counts.
    pub summary: Summary,
    /// Expected findings.
    pub problems: Vec<Problem>,
    /// Expected collision groups.
    pub collisions: Vec<Collision>,
    /// Expected rewrite collisions.
    pub rewrite_collisions: Vec<Rewrite>,
}

fn error_of(rule: &str) -> String {
    id::rule(rule)
        .map(|r| r.error.as_str().to_string())
        .unwrap_or_else(|| "Duplicate".into())
}

type Pos = (u64, u32, u32);

/// Assemble the truth.
pub fn build(opts: &Options, f: &Forest, acc: ChunkTruth) -> Truth {
    let mut problems: Vec<(Pos, Problem)> = acc
        .problems
        .into_iter()
        .map(|p| {
            (
                (p.seq, p.rank, p.vidx),
                Problem {
                    dn: p.dn,
                    attribute: p.attribute.into(),
                    value: p.value,
                    errors: vec![error_of(p.rule)],
                    rule: p.rule.into(),
                    kind: KINDS[p.kind].name.into(),
                },
            )
        })
        .collect();
    let mut groups: BTreeMap<(Ns, String), (usize, BTreeMap<Pos, Holder>)> = BTreeMap::new();
    for d in acc.dups {
        let Some(key) = key_of(d.attribute, &d.value) else {
            continue;
        };
        let p = f.person(d.partner);
        let pseq = f.user_seq(d.partner);
        let pdn = f.user_dn(&p);
        let pc = f.user_checked(&p);
        let g = groups
            .entry(key.clone())
            .or_insert((d.kind, BTreeMap::new()));
        g.1.insert(
            (d.seq, d.rank, d.vidx),
            Holder {
                dn: d.dn,
                attribute: d.attribute.into(),
                value: d.value,
            },
        );
        for (rank, vidx, attr, v) in pc.values() {
            if key_of(attr, v).as_ref() == Some(&key) {
                g.1.insert(
                    (pseq, rank, vidx),
                    Holder {
                        dn: pdn.clone(),
                        attribute: attr.into(),
                        value: v.to_string(),
                    },
                );
            }
        }
    }
    // Every value the rewritten UPN would collide with: the partner's values with its
    // address (UPN, mail, SMTP proxy) and those of objects that copied one of them.
    let rewrite_collisions = acc
        .rewrites
        .into_iter()
        .map(|r| {
            let p = f.person(r.partner);
            let pdn = f.user_dn(&p);
            let mut all: BTreeMap<Pos, Holder> = BTreeMap::new();
            if let Some(key) = key_of(r.attribute, &r.value) {
                let pseq = f.user_seq(r.partner);
                for (rank, vidx, attr, v) in f.user_checked(&p).values() {
                    if key_of(attr, v).as_ref() == Some(&key) {
                        all.insert(
                            (pseq, rank, vidx),
                            Holder {
                                dn: pdn.clone(),
                                attribute: attr.into(),
                                value: v.to_string(),
                            },
                        );
                    }
                }
                if let Some((_, holders)) = groups.get(&key) {
                    all.extend(holders.iter().map(|(pos, h)| (*pos, h.clone())));
                }
            }
            Rewrite {
                dn: r.dn,
                upn: r.upn,
                conflicts_with: Holder {
                    dn: pdn,
                    attribute: r.attribute.into(),
                    value: r.value,
                },
                conflicts_with_all: all.into_values().collect(),
            }
        })
        .collect();
    let mut collisions: Vec<(Pos, Collision)> = Vec::new();
    for ((ns, key), (kind, holders)) in groups {
        let rule = match ns {
            Ns::MailNickname => id::NICK_DUPLICATE,
            Ns::Proxy => id::PROXY_DUPLICATE,
            _ => id::ADDRESS_DUPLICATE,
        };
        let first = holders.keys().next().copied().unwrap_or((0, 0, 0));
        for (pos, h) in &holders {
            problems.push((
                *pos,
                Problem {
                    dn: h.dn.clone(),
                    attribute: h.attribute.clone(),
                    value: h.value.clone(),
                    errors: vec!["Duplicate".into()],
                    rule: rule.into(),
                    kind: KINDS[kind].name.into(),
                },
            ));
        }
        collisions.push((
            first,
            Collision {
                key,
                namespace: ns.as_str().into(),
                kind: KINDS[kind].name.into(),
                holders: holders.into_values().collect(),
            },
        ));
    }
    problems.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.rule.cmp(&b.1.rule)));
    collisions.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.namespace.cmp(&b.1.namespace))
            .then_with(|| a.1.key.cmp(&b.1.key))
    });
    let problems: Vec<Problem> = problems.into_iter().map(|p| p.1).collect();
    let collisions: Vec<Collision> = collisions.into_iter().map(|c| c.1).collect();
    // Per-kind counts by kind name, the kinds counted only.
    let by_kind = |counts: Vec<u64>| -> BTreeMap<String, u64> {
        KINDS
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.name.to_string(), n))
            .collect()
    };
    let planted_by_kind = by_kind(acc.planted);
    let unplanted_by_kind = by_kind(acc.unplaced);
    let mut generator = BTreeMap::new();
    generator.insert("name", "ldifix");
    generator.insert("version", env!("CARGO_PKG_VERSION"));
    Truth {
        generator,
        options: opts.clone(),
        summary: Summary {
            records: f.total,
            planted_by_kind,
            unplanted_by_kind,
            problems: problems.len(),
            collisions: collisions.len(),
        },
        problems,
        collisions,
        rewrite_collisions,
    }
}
