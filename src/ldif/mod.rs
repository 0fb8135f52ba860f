//! LDIF (RFC 2849 + RFC 4525 `increment`) reading and writing, with the dialects real
//! exporters produce (ldifde, ldapsearch/slapcat, Samba ldbsearch).
//!
//! This module knows nothing of Active Directory: it turns bytes into [`Record`]s and
//! records into bytes. It never opens files, never fetches `:<` URLs and never panics on
//! input.

mod error;
mod parser;
mod record;
pub mod summary;
pub mod writer;

pub use error::{ErrorKind, ParseError, Warning};
pub use parser::{Fault, Item, Keep, Limits, Parser, SearchResult, UNENDED_LAST_LINE};
pub use record::{Attr, Body, ChangeKind, Control, Mod, ModOp, Record, Value};
