//! Scan reports: the data a scan produces ([`ScanReport`]) and its three faces — the
//! terminal [`summary`], the `--json` document ([`json`], exactly
//! `shared/contracts/scan-json.md`) and the IdFix-style `--csv` file ([`csv`]).
//!
//! A report is plain data in a deterministic order: findings by input file, record line,
//! then check order; collisions by their first holder's position, then key. Writers never
//! reorder it, so two scans of the same inputs give byte-identical files.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::index::Namespace;
use crate::model::FileId;
use crate::rules::{Profile, Row};

pub mod csv;
pub mod json;
pub mod summary;

/// One input file of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputSummary {
    /// The path as given on the command line.
    pub path: String,
    /// Records read (content and change records, including bad ones skipped with
    /// `--keep-going`).
    pub records: u64,
    /// Size of the file as stored, in bytes.
    pub bytes: u64,
}

/// One holder of a collided value, resolved for reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Input file.
    pub file: FileId,
    /// Line where the holder's record starts.
    pub line: u64,
    /// The holder's DN.
    pub dn: String,
    /// The attribute holding the value (LDAP display name).
    pub attribute: &'static str,
    /// The value as in the input.
    pub value: String,
}

/// A collision group, resolved for reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollisionReport {
    /// The uniqueness namespace.
    pub namespace: Namespace,
    /// The normalised value that collided.
    pub key: String,
    /// Every holder, in input order.
    pub holders: Vec<Holder>,
}

/// Everything a scan found, in report order.
#[derive(Debug, Clone)]
pub struct ScanReport {
    /// The profile that ran.
    pub profile: Profile,
    /// The inputs, in command-line order (a row's `entry.file` indexes this list).
    pub inputs: Vec<InputSummary>,
    /// Entries read (content and add records), whatever they describe.
    pub entries: u64,
    /// Objects the profile selects (persons and groups): `in_scope + skipped`.
    pub objects: u64,
    /// Objects in scope (checked).
    pub in_scope: u64,
    /// Selected objects left out by the skip rules or OU filtering.
    pub skipped: u64,
    /// `skipped` per skip id (see `ldifix rules`; `ou-filter` for OU filtering).
    pub skip_reasons: BTreeMap<&'static str, u64>,
    /// The findings, in report order.
    pub rows: Vec<Row>,
    /// The collision groups, in report order.
    pub collisions: Vec<CollisionReport>,
    /// Number of in-scope objects per UPN suffix (lower-cased text after the last `@`).
    pub upn_suffixes: BTreeMap<String, u64>,
    /// Whether the verified-domain rule ran (it needs `--verified-domain(s)`).
    pub verified_rule: bool,
    /// Records that could not be parsed (skipped with `--keep-going`).
    pub invalid_records: u64,
    /// What the run said about its inputs on standard error, line by line: warnings
    /// (an input cut short, values read as Windows-1252, …) and, with `--keep-going`, each
    /// bad record with its file and line.
    pub messages: Vec<String>,
    /// Wall time of the scan.
    pub elapsed: Duration,
}

impl ScanReport {
    /// The path of input `file` (empty if out of range).
    pub fn path(&self, file: FileId) -> &str {
        self.inputs
            .get(file as usize)
            .map(|i| i.path.as_str())
            .unwrap_or("")
    }

    /// Total bytes of all inputs.
    pub fn bytes(&self) -> u64 {
        self.inputs.iter().map(|i| i.bytes).sum()
    }

    /// Number of findings per error name (a finding counts once for each of its names).
    pub fn by_error(&self) -> BTreeMap<&'static str, u64> {
        let mut m = BTreeMap::new();
        for r in &self.rows {
            let mut seen = Vec::with_capacity(r.finding.errors.len());
            for e in &r.finding.errors {
                if !seen.contains(e) {
                    seen.push(*e);
                    *m.entry(e.as_str()).or_insert(0) += 1;
                }
            }
        }
        m
    }

    /// Number of findings per attribute.
    pub fn by_attribute(&self) -> BTreeMap<&'static str, u64> {
        let mut m = BTreeMap::new();
        for r in &self.rows {
            *m.entry(r.finding.attribute).or_insert(0) += 1;
        }
        m
    }

    /// UPN suffixes, most frequent first (ties by name).
    pub fn upn_suffixes_by_count(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self
            .upn_suffixes
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }

    /// Whether the scan found anything (exit status 1).
    pub fn has_findings(&self) -> bool {
        !self.rows.is_empty() || !self.collisions.is_empty()
    }
}
