//! Change files: turning proposed changes into a reviewed `changetype: modify` file that
//! `ldifde -i` (or `ldapmodify`/`ldbmodify`) imports, plus its exact undo.
//!
//! Contract:
//! - [`plan`] is pure: entries + proposals in, a [`Plan`] out. Every proposed change is
//!   either in [`Plan::changes`] or in [`Plan::refused`] with its reason; nothing the
//!   directory would refuse (a UPN another object holds, a new value that equals another
//!   new value, a UPN failing the `entra` rules) is ever planned.
//! - [`emit`] writes the change file and the undo file from the *same* plan. The undo file
//!   uses only `replace:` so it can be re-run after a partially applied import, and it
//!   restores every original value byte for byte (`replace: attr` with no value where the
//!   attribute was absent).
//! - [`csvin`] turns edited scan/IdFix CSV rows and IdFix `Update *.ldf` transaction files
//!   into proposals for the same planner.
//! - [`load`] reads the inputs, [`report`] writes the `--report` file.

pub mod checks;
pub mod csvin;
pub mod emit;
pub mod load;
pub mod plan;
pub mod report;

pub use plan::{
    plan_fix, resolve, AttrChange, ChangeKind, Checks, FixOptions, ObjectChange, Op, Plan,
    Proposal, Refusal, SuffixRewrite,
};

use crate::index::Namespace;
use crate::model::Attr;
use crate::rules::Profile;

/// The uniqueness key of a value as the `entra` profile's collision index defines it
/// ([`crate::index::key_for`]): UPN, `mail` and SMTP proxy/target addresses share one
/// namespace; keys are trimmed and lower-cased. `None` for values outside every namespace.
pub fn unique_key(attr: Attr, value: &str) -> Option<(Namespace, String)> {
    crate::index::key_for(Profile::Entra, attr, value)
}

/// DNs are compared with the one normaliser the crate has ([`crate::model::dn_key`]):
/// Samba's `CN=Semi\3BColon` and ldifde's `CN=Semi\;Colon` give the same key.
pub use crate::model::dn_key;

/// The key under which AD keeps a sAMAccountName unique: the domain of the object `dn`
/// (its trailing DC= components) and the name, both trimmed and lower-cased.
pub fn sam_key(dn: &str, name: &str) -> (String, String) {
    let domain = dc_suffix(dn).unwrap_or("").to_lowercase();
    (domain, name.trim().to_lowercase())
}

/// Whether a sAMAccountName ends in `.` (trailing white space aside), which Active
/// Directory refuses to write.
pub fn sam_ends_in_period(name: &[u8]) -> bool {
    String::from_utf8_lossy(name).trim_end().ends_with('.')
}

/// The DNS name of the domain a DN lies in, lower-cased: its `DC=` components joined
/// with dots (`CN=a,DC=Fab,DC=example,DC=com` → `fab.example.com`; empty without any).
pub fn domain_dns(dn: &str) -> String {
    dc_suffix(dn)
        .unwrap_or("")
        .split(',')
        .filter_map(|rdn| rdn.trim().get(3..))
        .collect::<Vec<_>>()
        .join(".")
        .to_lowercase()
}

/// The sAMAccountName a UPN spells out: its part before the last `@` when the part after
/// it is the DNS name `dns` of the account's own domain (`jdoe@fab.example.com` in
/// `DC=fab,DC=example,DC=com` is the logon name of the account `jdoe`), lower-cased.
pub fn implied_sam(upn: &str, dns: &str) -> Option<String> {
    let (local, suffix) = upn.rsplit_once('@')?;
    (!dns.is_empty() && suffix.trim().eq_ignore_ascii_case(dns))
        .then(|| local.trim().to_lowercase())
}

/// The forest root DN guessed from a DN: its trailing `DC=` components
/// (`CN=x,OU=y,DC=contoso,DC=local` → `DC=contoso,DC=local`).
pub fn dc_suffix(dn: &str) -> Option<&str> {
    // Walk RDNs from the end while they are DC=.
    let bytes = dn.as_bytes();
    let mut start = dn.len();
    let mut end = dn.len();
    loop {
        // find the previous unescaped comma before `end`
        let mut j = end;
        let mut cut = None;
        while j > 0 {
            j -= 1;
            if bytes[j] == b',' && !is_escaped(bytes, j) {
                cut = Some(j);
                break;
            }
        }
        let rdn_start = cut.map(|c| c + 1).unwrap_or(0);
        let rdn = dn[rdn_start..end].trim();
        let is_dc = rdn.len() > 3 && rdn.as_bytes()[..3].eq_ignore_ascii_case(b"dc=");
        if !is_dc {
            break;
        }
        start = rdn_start;
        match cut {
            Some(c) => end = c,
            None => break,
        }
    }
    if start >= dn.len() {
        return None;
    }
    Some(dn[start..].trim_start())
}

fn is_escaped(b: &[u8], i: usize) -> bool {
    let mut n = 0;
    let mut j = i;
    while j > 0 && b[j - 1] == b'\\' {
        n += 1;
        j -= 1;
    }
    n % 2 == 1
}

/// The forest root: the longest run of trailing `DC=` components every DN shares (so a
/// child domain `DC=emea,DC=contoso,DC=local` and its root give `DC=contoso,DC=local`).
/// `None` when the DNs share fewer than two: `DC=contoso,DC=local` and
/// `DC=fabrikam,DC=local` only share `DC=local`, the root of neither, and a single-label
/// domain is not guessed either.
pub fn forest_root<'a>(dns: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut common: Option<Vec<String>> = None;
    for dn in dns {
        let Some(sfx) = dc_suffix(dn) else { continue };
        let comps: Vec<String> = sfx
            .split(',')
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>();
        common = Some(match common {
            None => comps,
            Some(prev) => {
                let mut keep = Vec::new();
                for (a, b) in prev.iter().rev().zip(comps.iter().rev()) {
                    if a.eq_ignore_ascii_case(b) {
                        keep.push(a.clone());
                    } else {
                        break;
                    }
                }
                keep.reverse();
                keep
            }
        });
    }
    common.filter(|c| c.len() >= 2).map(|c| c.join(","))
}

/// `--forest-root`: a DN made of one or more `DC=` components, each a DNS label
/// (letters, digits, `-`), such as `DC=contoso,DC=local`; returned with the spaces
/// around its commas removed.
pub fn parse_forest_root(s: &str) -> Result<String, String> {
    let comps: Vec<&str> = s.split(',').map(str::trim).collect();
    let label = |c: &str| {
        c.len() > 3
            && c.as_bytes()[..3].eq_ignore_ascii_case(b"dc=")
            && c.bytes()
                .skip(3)
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if comps.iter().all(|c| label(c)) {
        Ok(comps.join(","))
    } else {
        Err(format!(
            "'{s}': expected a DN of DC= components, e.g. DC=contoso,DC=local"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_keys_share_the_address_namespace() {
        let upn = unique_key(Attr::UserPrincipalName, "Jane@Contoso.COM");
        assert_eq!(upn, Some((Namespace::Address, "jane@contoso.com".into())));
        assert_eq!(
            unique_key(Attr::ProxyAddresses, "smtp:jane@contoso.com "),
            upn
        );
        assert_eq!(unique_key(Attr::Mail, "JANE@contoso.com"), upn);
        assert_ne!(
            unique_key(Attr::ProxyAddresses, "sip:jane@contoso.com"),
            upn
        );
        assert_eq!(unique_key(Attr::DisplayName, "x"), None);
    }

    #[test]
    fn dn_keys_compare_semantically() {
        assert_eq!(
            dn_key(b"CN=Semi\\3BColon,DC=x"),
            dn_key(b"cn=semi\\;colon, dc=X")
        );
        assert_ne!(dn_key(b"CN=a\\2Cb,DC=x"), dn_key(b"CN=a,b,DC=x"));
        assert_eq!(
            dn_key("CN=Jörg,DC=x".as_bytes()),
            dn_key("cn=JÖRG,dc=x".as_bytes())
        );
    }

    #[test]
    fn forest_root_from_dc_components() {
        assert_eq!(
            dc_suffix("CN=Smith\\, John,OU=x,DC=contoso,DC=local"),
            Some("DC=contoso,DC=local")
        );
        assert_eq!(dc_suffix("CN=x,OU=y"), None);
        assert_eq!(
            forest_root([
                "CN=a,DC=emea,DC=contoso,DC=local",
                "CN=b,OU=x,DC=contoso,DC=local"
            ]),
            Some("DC=contoso,DC=local".into())
        );
        assert_eq!(forest_root(["CN=a,O=x"]), None);
        // Unrelated domains share only DC=local; a single-label domain is not guessed.
        assert_eq!(
            forest_root(["CN=a,DC=contoso,DC=local", "CN=b,DC=fabrikam,DC=local"]),
            None
        );
        assert_eq!(forest_root(["CN=a,DC=corp"]), None);
        assert_eq!(
            parse_forest_root("DC=contoso, dc=local").as_deref(),
            Ok("DC=contoso,dc=local")
        );
        assert_eq!(parse_forest_root("DC=corp").as_deref(), Ok("DC=corp"));
        for bad in [
            "garbage",
            "",
            "DC=",
            "OU=x,DC=y",
            "DC=a,,DC=b",
            "DC=a b",
            "DC=a\\,b",
        ] {
            assert!(parse_forest_root(bad).is_err(), "{bad}");
        }
        assert_eq!(dc_suffix("CN=x,ab\u{20ac}=y"), None);
        assert_eq!(dc_suffix(""), None);
        assert_eq!(dc_suffix("DC=x"), Some("DC=x"));
    }

    proptest::proptest! {
        #[test]
        fn helpers_never_panic(b in proptest::collection::vec(proptest::num::u8::ANY, 0..64), t in ".{0,40}") {
            let _ = dn_key(&b);
            let _ = dc_suffix(&t);
            let _ = forest_root([t.as_str(), "CN=x,DC=a,DC=b"]);
            let _ = plan::rewrite_suffix(&b, &[SuffixRewrite { old: "a.local".into(), new: "a.com".into() }]);
            let _ = csvin::read_csv(&b);
            let _ = csvin::read_update_file(&b);
            let _ = t.parse::<SuffixRewrite>();
        }
    }
}
