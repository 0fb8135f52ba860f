//! The planner's view of the `entra` profile: which entries may be changed
//! ([`crate::rules::scope::scope`] under [`Profile::Entra`]),
//! their findings (for `--accept`), and whether a candidate UPN passes the profile's UPN
//! rules ([`crate::rules::entra::check_upn`] on the candidate value alone).

use crate::model::Entry;
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

    fn findings(&self, entry: &Entry<'_>) -> Vec<Finding> {
        entra::check(entry, &self.ctx)
    }

    fn upn_problem(&self, _entry: &Entry<'_>, upn: &str) -> Option<String> {
        entra::check_upn(upn, &self.ctx).map(|f| {
            let errors = f
                .errors
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            format!("{errors} ({})", f.rules.join(", "))
        })
    }
}
