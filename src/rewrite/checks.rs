//! The planner's view of the `entra` profile: which entries may be changed
//! ([`crate::rules::scope::scope`] under [`Profile::Entra`]),
//! their findings (for `--accept`), and whether a candidate UPN passes the profile's UPN
//! rules ([`crate::rules::entra::check_upn`] on the candidate value alone).

use crate::model::{Attr, Entry};
use crate::rules::entra::{self, EntraContext};
use crate::rules::scope::{self, Scope};
use crate::rules::{Finding, Profile, RuleConfig};

use super::plan::Checks;

/// [`Checks`] backed by the `entra` profile.
#[derive(Debug, Clone)]
pub struct EntraChecks {
    ctx: EntraContext,
}

impl EntraChecks {
    /// Checks with the run's settings (verified domains, TLD list).
    pub fn new(config: &RuleConfig) -> Self {
        EntraChecks {
            ctx: EntraContext::from_config(config),
        }
    }
}

impl Checks for EntraChecks {
    fn in_scope(&self, entry: &Entry<'_>) -> bool {
        scope::scope(entry, Profile::Entra) == Scope::In
    }

    fn skipped_by(&self, entry: &Entry<'_>) -> Option<&'static str> {
        match scope::scope(entry, Profile::Entra) {
            Scope::Skipped(id) => Some(id),
            _ => None,
        }
    }

    fn findings(&self, entry: &Entry<'_>) -> Vec<Finding> {
        entra::check(entry, &self.ctx)
    }

    fn upn_problem(&self, _entry: &Entry<'_>, upn: &str) -> Option<String> {
        self.upn(upn)
    }

    fn value_problem(&self, _entry: &Entry<'_>, attr: Attr, value: &str) -> Option<String> {
        self.value(attr, value)
    }
}

impl EntraChecks {
    /// Why `upn` breaks the Entra UPN rules (error names, then rule ids), if it does.
    pub fn upn(&self, upn: &str) -> Option<String> {
        entra::check_upn(upn, &self.ctx).map(described)
    }

    /// Why `value` breaks the Entra rules of `attr` (mail, alias, proxy or target
    /// address; a UPN as [`EntraChecks::upn`]), judged alone, if it does.
    pub fn value(&self, attr: Attr, value: &str) -> Option<String> {
        match attr {
            Attr::UserPrincipalName => return self.upn(value),
            Attr::Mail => entra::check_mail(value),
            Attr::MailNickname => entra::check_mail_nickname(value),
            Attr::ProxyAddresses => entra::check_proxy(value, &mut false, &self.ctx),
            Attr::TargetAddress => entra::check_target(value),
            _ => None,
        }
        .map(described)
    }
}

/// A finding as a refusal names it: its error names, then its rule ids.
fn described(f: Finding) -> String {
    let errors = f
        .errors
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    format!("{errors} ({})", f.rules.join(", "))
}
