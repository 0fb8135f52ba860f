//! ldifix: offline preparation of Active Directory exports for Microsoft Entra Connect
//! sync — the maintained, file-based successor of Microsoft's IdFix.
//!
//! Data flow: [`source`] (bytes) → [`ldif`] (records) → [`model`] (entries) →
//! `rules` (findings) + `index` (collisions) → reports and change files.
#![deny(unsafe_code)]

pub mod cli;
pub mod cmd;
pub mod csvin;
pub mod generate;
pub mod html;
pub mod index;
pub mod ldif;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod rewrite;
pub mod rules;
pub mod source;
pub mod stdout;
pub mod verify;
