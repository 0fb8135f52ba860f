//! Shared fixtures of the criterion benches: a generated ldifde forest with its ground
//! truth, and the in-scope entries `ldifix scan` would check (entra profile).

#![allow(dead_code)]

use ldifix::generate::truth::Truth;
use ldifix::generate::{Generator, Options};
use ldifix::ldif::{Item, Parser};
use ldifix::model::Entry;
use ldifix::rules::scope::{scope, Scope};
use ldifix::rules::Profile;

/// An ldifde export of `users` users (and the generator's default groups and contacts),
/// seed 1, as `ldifix generate --users N --seed 1` writes it, with its truth.
pub fn forest(users: u64) -> (Vec<u8>, Truth) {
    let gen = Generator::new(Options {
        users,
        seed: 1,
        ..Options::default()
    })
    .expect("valid generator options");
    let mut bytes = Vec::with_capacity(users as usize * 2048);
    let truth = gen
        .write(&mut bytes, &|_| {})
        .expect("generate into memory");
    (bytes, truth)
}

/// The entries of `bytes` the entra profile checks (scope `In`), in file order.
pub fn in_scope_entries(bytes: &[u8]) -> Vec<Entry<'_>> {
    Parser::new(bytes)
        .filter_map(|item| match item {
            Ok(Item::Record(r)) => Entry::from_record(0, r),
            _ => None,
        })
        .filter(|e| matches!(scope(e, Profile::Entra), Scope::In))
        .collect()
}
