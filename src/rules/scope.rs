//! Which entries are checked: selection (persons and groups, like IdFix's LDAP filter
//! `(|(objectCategory=Person)(objectCategory=Group))`, judged here from `objectClass`) and
//! the skip rules of each profile.
//!
//! Contract of [`scope`]:
//! * [`Scope::NotApplicable`]: not a person (user, inetOrgPerson, contact, person) or
//!   group — computers (whose class chain includes `user`) and everything else. For
//!   `idfix-dedicated`, also entries without `mail` (its default filter requires it).
//!   Such entries are neither checked nor counted as skipped.
//! * [`Scope::Skipped`]: selected but excluded; the reason is a skip id of
//!   [`crate::rules::catalog::SKIP_REASONS`]. The first matching rule wins.
//! * `idfix`: IdFix 2.6.0.3's multi-tenant skip list (idfix-rules.md §2.4) exactly, bugs
//!   included: the object type is the last `objectClass` (an inetOrgPerson is not a
//!   "user"), cn prefixes are plain case-insensitive prefixes, the conflict test is "DN
//!   contains `ACNF:`", `isCriticalSystemObject` must parse as TRUE, and
//!   `msExchRecipientTypeDetails` is string-compared with hex literals (so it never
//!   matches AD's decimal values). Where IdFix's skip code would throw (no `cn`, an
//!   unparsable boolean or `groupType`), the entry is not skipped, as in IdFix.
//! * `idfix-dedicated`: §2.5 — the cn, prefix and `ACNF:` rules only.
//! * `entra`: Entra Connect's default exclusions (§2.6) and nothing of IdFix's own `cn`
//!   rules (a trailing `$`, the well-known prefixes), which would leave out objects Entra
//!   syncs: `isCriticalSystemObject` present (any value); users and inetOrgPersons without
//!   `sAMAccountName`, with an `AAD_…`/`MSOL_…` account, `SUPPORT_388945a0`, a `CAS_…}`
//!   account or alias, or a `SystemMailbox{…` alias; the `msExchRecipientTypeDetails`
//!   bitmask `0x21C07000` evaluated numerically; conflict objects recognised in the first
//!   RDN (escaped `\0ACNF:` or a raw line feed before `CNF:`). **Groups follow Entra's semantics, not IdFix's:** security groups are synced
//!   whether or not they have mail (IdFix skips those without `mail`), distribution groups
//!   only when mail-enabled; role groups and the rich-coexistence group are skipped.
//!   Contacts are skipped unless they have `mail` and are mail-enabled (`proxyAddresses`
//!   present, and a primary address with `@` in a `SMTP:` proxy or in `mail`; a
//!   distribution group is mail-enabled by the same test). The 250,000-member limit is reported as a
//!   finding by the checks, not as a skip, so it stays visible.
//! * OU filtering is separate: [`dn_under`] / [`ou_filter`].

use crate::model::{first_rdn_value, Attr, Entry};
use crate::rules::catalog as id;
use crate::rules::Profile;

/// The scope decision for one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Checked.
    In,
    /// Selected but excluded, with the skip id.
    Skipped(&'static str),
    /// Not a person or group (or not selected by the profile's filter).
    NotApplicable,
}

/// IdFix's `WellKnownExclusions` (cn prefixes, case-insensitive).
pub const WELL_KNOWN_PREFIXES: [&str; 15] = [
    "Admini",
    "CAS_{",
    "DiscoverySearchMailbox",
    "FederatedEmail",
    "Guest",
    "HTTPConnector",
    "krbtgt",
    "iusr_",
    "iwam",
    "msol",
    "support_",
    "SystemMailbox",
    "WWIOadmini",
    "HealthMailbox",
    "Exchange Online-ApplicationAccount",
];

/// The `msExchRecipientTypeDetails` values IdFix compares as strings.
const IDFIX_RECIPIENT_TYPES: [&str; 7] = [
    "0x1000",
    "0x2000",
    "0x4000",
    "0x400000",
    "0x800000",
    "0x1000000",
    "0x20000000",
];

/// Entra Connect's mask of system recipient types (the same seven bits).
pub const SYSTEM_RECIPIENT_MASK: i64 = 0x21C0_7000;
/// Exchange role groups.
pub const ROLE_GROUP_BIT: i64 = 0x4000_0000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Contact,
    Group,
}

fn kind(e: &Entry) -> Option<Kind> {
    // One pass over the objectClass values; the precedence is applied after it: a
    // computer is never selected, then group, contact, person.
    let (mut computer, mut group, mut contact, mut person) = (false, false, false, false);
    for v in e.all(Attr::ObjectClass) {
        let class: &str = &v.text;
        let is = |name: &str| class.eq_ignore_ascii_case(name);
        if is("computer") {
            computer = true;
        } else if is("group") {
            group = true;
        } else if is("contact") {
            contact = true;
        } else if is("user") || is("inetOrgPerson") || is("person") || is("organizationalPerson") {
            person = true;
        }
    }
    if computer {
        None
    } else if group {
        Some(Kind::Group)
    } else if contact {
        Some(Kind::Contact)
    } else if person {
        Some(Kind::User)
    } else {
        None
    }
}

/// Decide whether `entry` is checked under `profile`.
pub fn scope(entry: &Entry, profile: Profile) -> Scope {
    let Some(kind) = kind(entry) else {
        return Scope::NotApplicable;
    };
    // A deleted object (an `ldifde -x` export holds them): neither IdFix's search nor
    // Entra Connect sees it, and a change to it fails ("No such object").
    if is_deleted(entry) {
        return Scope::Skipped(id::SKIP_DELETED);
    }
    match profile {
        Profile::Idfix => idfix_mt(entry),
        Profile::IdfixDedicated => {
            if !entry.has(Attr::Mail) {
                return Scope::NotApplicable;
            }
            match idfix_common(entry, false) {
                Ok(Some(r)) => Scope::Skipped(r),
                Ok(None) | Err(()) => Scope::In,
            }
        }
        Profile::Entra => entra(entry, kind),
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn contains_ci(s: &str, needle: &str) -> bool {
    let (h, n) = (s.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// .NET `bool.Parse`: "true"/"false" in any case, surrounding whitespace allowed.
fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// IdFix rules 1–4. `Err` = IdFix's skip code would throw (entry not skipped).
fn idfix_common(e: &Entry, critical: bool) -> Result<Option<&'static str>, ()> {
    let cn = e.get(Attr::Cn).ok_or(())?;
    if cn.ends_with('$') {
        return Ok(Some(id::SKIP_CN_DOLLAR));
    }
    if WELL_KNOWN_PREFIXES.iter().any(|p| starts_with_ci(cn, p)) {
        return Ok(Some(id::SKIP_WELL_KNOWN));
    }
    // The escaped mark in the DN as IdFix tests it, and a raw line feed before `CNF:` in a
    // decoded DN or in `cn` (idfix-rules.md §2.4 item 3).
    if contains_ci(&e.dn, "ACNF:") || e.dn.contains("\nCNF:") || cn.contains("\nCNF:") {
        return Ok(Some(id::SKIP_CONFLICT));
    }
    if critical {
        if let Some(v) = e.get(Attr::IsCriticalSystemObject) {
            if parse_bool(v).ok_or(())? {
                return Ok(Some(id::SKIP_CRITICAL));
            }
        }
    }
    Ok(None)
}

fn idfix_mt(e: &Entry) -> Scope {
    match idfix_mt_inner(e) {
        Ok(Some(r)) => Scope::Skipped(r),
        Ok(None) | Err(()) => Scope::In,
    }
}

fn idfix_mt_inner(e: &Entry) -> Result<Option<&'static str>, ()> {
    if let Some(r) = idfix_common(e, true)? {
        return Ok(Some(r));
    }
    let ty = e.object_class().unwrap_or("");
    if ty.eq_ignore_ascii_case("user") {
        if let Some(sam) = e.get(Attr::SamAccountName) {
            if ["CAS_", "SUPPORT_", "MSOL_"]
                .iter()
                .any(|p| starts_with_ci(sam, p))
            {
                return Ok(Some(id::SKIP_SAM_PREFIX));
            }
        }
        if let Some(nick) = e.get(Attr::MailNickname) {
            if ["CAS_", "SYSTEMMAILBOX"]
                .iter()
                .any(|p| starts_with_ci(nick, p))
            {
                return Ok(Some(id::SKIP_NICK_PREFIX));
            }
        }
        if let (Some(dn), Some(hide)) = (
            e.get(Attr::DisplayName),
            e.get(Attr::MsExchHideFromAddressLists),
        ) {
            if parse_bool(hide).ok_or(())? && starts_with_ci(dn, "MSOL") {
                return Ok(Some(id::SKIP_MSOL_HIDDEN));
            }
        }
        if let Some(t) = e.get(Attr::MsExchRecipientTypeDetails) {
            if IDFIX_RECIPIENT_TYPES.contains(&t) {
                return Ok(Some(id::SKIP_RECIPIENT_TYPE));
            }
        }
    } else if ty.eq_ignore_ascii_case("group") {
        let gt: i64 = e
            .get(Attr::GroupType)
            .and_then(|v| v.trim().parse().ok())
            .ok_or(())?;
        if gt < 0 {
            if !e.has(Attr::Mail) {
                return Ok(Some(id::SKIP_SECURITY_NO_MAIL));
            }
        } else if !e.has(Attr::ProxyAddresses) {
            return Ok(Some(id::SKIP_DISTRIBUTION_NO_PROXY));
        }
    }
    Ok(None)
}

/// A number as AD exports it (decimal, possibly negative); hex `0x…` also accepted.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(h, 16).ok();
    }
    t.parse().ok()
}

/// Whether `dn` is a deleted object's: AD renames a deleted object so that its RDN
/// value carries a line feed and `DEL:` (escaped `\0ADEL:` in a string DN, raw in a
/// decoded one).
pub fn is_deleted_dn(dn: &str) -> bool {
    // Without a `\` or a line feed a DN cannot hold the mark: most are decided here.
    memchr::memchr2(b'\\', b'\n', dn.as_bytes()).is_some()
        && (contains_ci(dn, "\\0ADEL:") || dn.contains("\nDEL:"))
}

fn is_deleted(e: &Entry) -> bool {
    is_deleted_dn(&e.dn)
}

/// Whether the first RDN marks a replication conflict object.
fn is_conflict(e: &Entry) -> bool {
    // Every marker below needs a line feed, raw or escaped (`\0A`, `\` + line feed):
    // without a `\` or a line feed a text cannot hold one, so most entries are decided
    // without searching, or building the unescaped RDN value.
    let may_mark = |s: &str| memchr::memchr2(b'\\', b'\n', s.as_bytes()).is_some();
    let cn_marked = || {
        e.get(Attr::Cn)
            .is_some_and(|c| may_mark(c) && c.contains("\nCNF:"))
    };
    let dn: &str = &e.dn;
    if !may_mark(dn) {
        return cn_marked();
    }
    // The first RDN as written (up to the first unescaped comma).
    let bytes = dn.as_bytes();
    let mut end = bytes.len();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b',' => {
                end = i;
                break;
            }
            _ => i += 1,
        }
    }
    let rdn = &dn[..end.min(dn.len())];
    contains_ci(rdn, "\\0ACNF:")
        || rdn.contains("\nCNF:")
        || first_rdn_value(dn).contains("\nCNF:")
        || cn_marked()
}

/// Whether the export holds what [`mail_enabled`] looks at (an Export-Csv may lack the
/// `mail` or `proxyAddresses` column: the object is then checked, not skipped).
fn mail_known(e: &Entry<'_>) -> bool {
    e.exported(Attr::Mail) && e.exported(Attr::ProxyAddresses)
}

/// Mail-enabled as Entra Connect's contact rules judge it (also applied to
/// distribution groups): `proxyAddresses` present, and a primary address with `@`,
/// found in a `SMTP:` proxy or in `mail`. A `mail` alone does not make an object
/// mail-enabled.
fn mail_enabled(e: &Entry) -> bool {
    let mut proxies = e.all(Attr::ProxyAddresses).peekable();
    if proxies.peek().is_none() {
        return false;
    }
    proxies.any(|v| v.text.starts_with("SMTP:") && has_at(&v.text))
        || e.all(Attr::Mail).any(|v| has_at(&v.text))
}

fn has_at(s: &str) -> bool {
    s.bytes().any(|b| b == b'@')
}

/// `CAS_…}`: the Client Access Server accounts Entra Connect leaves out.
fn cas_account(s: &str) -> bool {
    starts_with_ci(s, "CAS_") && s.contains('}')
}

fn entra(e: &Entry, kind: Kind) -> Scope {
    // Entra Connect's own exclusions only (idfix-rules.md §2.6): IdFix's `cn` rules (a
    // trailing `$`, the 15 well-known prefixes) would leave out users and groups Entra
    // syncs ("Guest, Anna", "Administration Office").
    if is_conflict(e) {
        return Scope::Skipped(id::SKIP_CONFLICT);
    }
    if e.has(Attr::IsCriticalSystemObject) {
        return Scope::Skipped(id::SKIP_CRITICAL);
    }
    let recipient = e.get(Attr::MsExchRecipientTypeDetails).and_then(parse_int);
    let nick = e.get(Attr::MailNickname).unwrap_or("");
    let hidden = e
        .get(Attr::MsExchHideFromAddressLists)
        .and_then(parse_bool)
        .unwrap_or(false);
    match kind {
        Kind::User => {
            let sam = match e.get(Attr::SamAccountName) {
                Some(sam) => sam,
                // An Export-Csv without the column: unknown, not absent (every user the
                // directory made has one), so the user is checked.
                None if !e.exported(Attr::SamAccountName) => "",
                None => return Scope::Skipped(id::SKIP_NO_SAM),
            };
            if starts_with_ci(sam, "AAD_")
                || starts_with_ci(sam, "MSOL_")
                || sam.eq_ignore_ascii_case("SUPPORT_388945a0")
                || cas_account(sam)
            {
                return Scope::Skipped(id::SKIP_SAM_PREFIX);
            }
            if starts_with_ci(nick, "SystemMailbox{") || cas_account(nick) {
                return Scope::Skipped(id::SKIP_NICK_PREFIX);
            }
            if recipient.is_some_and(|r| r & SYSTEM_RECIPIENT_MASK != 0) {
                return Scope::Skipped(id::SKIP_RECIPIENT_TYPE);
            }
        }
        Kind::Contact => {
            if hidden
                && e.get(Attr::DisplayName)
                    .is_some_and(|d| contains_ci(d, "(MSOL)"))
            {
                return Scope::Skipped(id::SKIP_MSOL_HIDDEN);
            }
            if cas_account(nick) {
                return Scope::Skipped(id::SKIP_NICK_PREFIX);
            }
            // Synced only with a `mail` value, and mail-enabled.
            if (!e.has(Attr::Mail) || !mail_enabled(e)) && mail_known(e) {
                return Scope::Skipped(id::SKIP_CONTACT_NOT_MAIL_ENABLED);
            }
        }
        Kind::Group => {
            if e.get(Attr::SamAccountName)
                .is_some_and(|s| s.eq_ignore_ascii_case("MSOL_AD_Sync_RichCoexistence"))
            {
                return Scope::Skipped(id::SKIP_RICH_COEXISTENCE);
            }
            if recipient.is_some_and(|r| r & ROLE_GROUP_BIT != 0) {
                return Scope::Skipped(id::SKIP_ROLE_GROUP);
            }
            // groupType bit 0x80000000 = security group; exported as a negative decimal.
            // Unknown groupType: judged as security (synced), the safe side for a check.
            let security = e
                .get(Attr::GroupType)
                .and_then(parse_int)
                .map_or(true, |g| g < 0 || g & 0x8000_0000 != 0);
            if !security && !mail_enabled(e) && mail_known(e) {
                return Scope::Skipped(id::SKIP_DISTRIBUTION_NOT_MAIL_ENABLED);
            }
        }
    }
    Scope::In
}

/// Every skip id this module can return (for the catalog consistency test).
pub const SKIP_IDS: &[&str] = &[
    id::SKIP_DELETED,
    id::SKIP_CN_DOLLAR,
    id::SKIP_WELL_KNOWN,
    id::SKIP_CONFLICT,
    id::SKIP_CRITICAL,
    id::SKIP_SAM_PREFIX,
    id::SKIP_NICK_PREFIX,
    id::SKIP_MSOL_HIDDEN,
    id::SKIP_RECIPIENT_TYPE,
    id::SKIP_NO_SAM,
    id::SKIP_SECURITY_NO_MAIL,
    id::SKIP_DISTRIBUTION_NO_PROXY,
    id::SKIP_DISTRIBUTION_NOT_MAIL_ENABLED,
    id::SKIP_CONTACT_NOT_MAIL_ENABLED,
    id::SKIP_RICH_COEXISTENCE,
    id::SKIP_ROLE_GROUP,
    id::SKIP_OU_FILTER,
];

/// Split a DN into its RDNs at unescaped commas, each trimmed of surrounding spaces.
fn rdns(dn: &str) -> Vec<&str> {
    let b = dn.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b',' | b';' => {
                out.push(dn[start..i].trim());
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    if start <= dn.len() {
        out.push(dn.get(start..).unwrap_or("").trim());
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Compare two RDNs: case-insensitive, spaces around `=` ignored.
fn rdn_eq(a: &str, b: &str) -> bool {
    let norm = |r: &str| -> (String, String) {
        match r.split_once('=') {
            Some((t, v)) => (t.trim().to_lowercase(), v.trim().to_lowercase()),
            None => (String::new(), r.trim().to_lowercase()),
        }
    };
    norm(a) == norm(b)
}

/// Whether `dn` is `base` or lies under it: case-insensitive, on RDN boundaries
/// (`OU=Staff,DC=x` is not under `OU=Sta`), spaces after commas and around `=` ignored.
/// An empty base contains everything.
pub fn dn_under(dn: &str, base: &str) -> bool {
    let (d, b) = (rdns(dn), rdns(base));
    if b.len() > d.len() {
        return false;
    }
    d[d.len() - b.len()..]
        .iter()
        .zip(b.iter())
        .all(|(x, y)| rdn_eq(x, y))
}

/// Entra Connect-style OU filtering: in scope when under some `include` base (or no
/// includes are given) and under no `exclude` base.
pub fn ou_filter(dn: &str, include: &[String], exclude: &[String]) -> bool {
    (include.is_empty() || include.iter().any(|b| dn_under(dn, b)))
        && !exclude.iter().any(|b| dn_under(dn, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldif::{Item, Parser};

    /// Parse one record; the text is leaked so tests can build it inline.
    fn entry(s: &str) -> Entry<'static> {
        let s: &'static str = Box::leak(s.to_string().into_boxed_str());
        match Parser::new(s.as_bytes()).next().unwrap().unwrap() {
            Item::Record(r) => Entry::from_record(0, r).unwrap(),
            _ => panic!("not a record"),
        }
    }

    fn user(extra: &str) -> String {
        format!(
            "dn: CN=John Smith,OU=Staff,DC=contoso,DC=com\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: John Smith\nsAMAccountName: jsmith\n{extra}"
        )
    }

    fn all(s: &str) -> [Scope; 3] {
        let e = entry(s);
        [
            scope(&e, Profile::Entra),
            scope(&e, Profile::Idfix),
            scope(&e, Profile::IdfixDedicated),
        ]
    }

    #[test]
    fn selection() {
        let u = user("mail: j@contoso.com\n");
        assert_eq!(all(&u), [Scope::In; 3]);
        let c = "dn: CN=PC1,DC=x\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\nobjectClass: computer\ncn: PC1\nmail: a@b.com\n";
        assert_eq!(all(c), [Scope::NotApplicable; 3]);
        let ou = "dn: OU=Staff,DC=x\nobjectClass: organizationalUnit\nou: Staff\n";
        assert_eq!(all(ou), [Scope::NotApplicable; 3]);
        // Dedicated's filter needs mail.
        let e = entry(&u.replace("mail: j@contoso.com\n", ""));
        assert_eq!(scope(&e, Profile::IdfixDedicated), Scope::NotApplicable);
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
    }

    #[test]
    fn cn_dollar_and_prefixes() {
        // IdFix's rules on `cn`; Entra Connect has none of them and syncs these objects.
        let s = user("mail: a@b.com\n").replace("cn: John Smith", "cn: SVC$");
        let skipped = Scope::Skipped(id::SKIP_CN_DOLLAR);
        assert_eq!(all(&s), [Scope::In, skipped, skipped]);
        for cn in [
            "Administrator",
            "guest, anna",
            "Msollo, Dan",
            "krbtgt",
            "HealthMailbox123",
            "Exchange Online-ApplicationAccount",
            "CAS_{abc}",
        ] {
            let s = user("mail: a@b.com\n").replace("cn: John Smith", &format!("cn: {cn}"));
            let skipped = Scope::Skipped(id::SKIP_WELL_KNOWN);
            assert_eq!(all(&s), [Scope::In, skipped, skipped], "{cn}");
        }
    }

    #[test]
    fn conflict_objects() {
        // Escaped form in the DN: every profile.
        let s = user("mail: a@b.com\n").replace(
            "dn: CN=John Smith,",
            "dn: CN=John Smith\\0ACNF:0b7c1f2e-1111-2222-3333-444455556666,",
        );
        assert_eq!(all(&s), [Scope::Skipped(id::SKIP_CONFLICT); 3]);
        // IdFix's bug: "ACNF:" anywhere in the DN, e.g. in an OU name.
        let s = user("mail: a@b.com\n").replace("OU=Staff", "OU=ACNF: team");
        let r = all(&s);
        assert_eq!(r[1], Scope::Skipped(id::SKIP_CONFLICT));
        assert_eq!(r[2], Scope::Skipped(id::SKIP_CONFLICT));
        assert_eq!(r[0], Scope::In, "entra judges the first RDN only");
    }

    #[test]
    fn critical_system_object() {
        let t = user("isCriticalSystemObject: TRUE\n");
        let e = entry(&t);
        assert_eq!(scope(&e, Profile::Entra), Scope::Skipped(id::SKIP_CRITICAL));
        assert_eq!(scope(&e, Profile::Idfix), Scope::Skipped(id::SKIP_CRITICAL));
        let f = user("isCriticalSystemObject: FALSE\nmail: a@b.com\n");
        let e = entry(&f);
        assert_eq!(
            scope(&e, Profile::Entra),
            Scope::Skipped(id::SKIP_CRITICAL),
            "presence"
        );
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
        assert_eq!(
            scope(&e, Profile::IdfixDedicated),
            Scope::In,
            "dead code in Dedicated"
        );
        // Unparsable boolean: IdFix's skip code throws, entry not skipped.
        let b = user("isCriticalSystemObject: yes\nsAMAccountName: MSOL_x\n");
        assert_eq!(scope(&entry(&b), Profile::Idfix), Scope::In);
    }

    #[test]
    fn user_rules() {
        // (sAMAccountName, skipped by idfix, skipped by entra)
        for (sam, idfix, entra) in [
            ("CAS_x", true, false),
            ("CAS_{abc}", true, true),
            ("support_388945a0", true, true),
            ("SUPPORT_other", true, false),
            ("MSOL_abc", true, true),
            ("AAD_123", false, true),
        ] {
            let s = user("").replace("sAMAccountName: jsmith", &format!("sAMAccountName: {sam}"));
            let e = entry(&s);
            let want = |skip: bool| {
                if skip {
                    Scope::Skipped(id::SKIP_SAM_PREFIX)
                } else {
                    Scope::In
                }
            };
            assert_eq!(scope(&e, Profile::Idfix), want(idfix), "{sam}");
            assert_eq!(scope(&e, Profile::Entra), want(entra), "{sam}");
        }

        // (mailNickname, skipped by idfix, skipped by entra)
        for (nick, idfix, entra) in [
            ("SystemMailbox{1f05a927}", true, true),
            ("SystemMailboxArchive", true, false),
            ("CAS_{abc}", true, true),
            ("CAS_abc", true, false),
        ] {
            let e = entry(&user(&format!("mailNickname: {nick}\n")));
            let want = |skip: bool| {
                if skip {
                    Scope::Skipped(id::SKIP_NICK_PREFIX)
                } else {
                    Scope::In
                }
            };
            assert_eq!(scope(&e, Profile::Idfix), want(idfix), "{nick}");
            assert_eq!(scope(&e, Profile::Entra), want(entra), "{nick}");
        }

        // A hidden MSOL user: IdFix's rule; Entra's is for contacts only.
        let e = entry(&user(
            "displayName: MSOL_sync\nmsExchHideFromAddressLists: TRUE\n",
        ));
        assert_eq!(
            scope(&e, Profile::Idfix),
            Scope::Skipped(id::SKIP_MSOL_HIDDEN)
        );
        assert_eq!(scope(&e, Profile::Entra), Scope::In);
        let e = entry(&user(
            "displayName: MSOL_sync\nmsExchHideFromAddressLists: FALSE\n",
        ));
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
    }

    #[test]
    fn recipient_type_string_vs_bitmask() {
        // AD exports decimal: IdFix's hex string compare never matches, Entra's mask does.
        let e = entry(&user("msExchRecipientTypeDetails: 8388608\n"));
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
        assert_eq!(
            scope(&e, Profile::Entra),
            Scope::Skipped(id::SKIP_RECIPIENT_TYPE)
        );
        let e = entry(&user("msExchRecipientTypeDetails: 0x800000\n"));
        assert_eq!(
            scope(&e, Profile::Idfix),
            Scope::Skipped(id::SKIP_RECIPIENT_TYPE)
        );
        let e = entry(&user("msExchRecipientTypeDetails: 1\n"));
        assert_eq!(scope(&e, Profile::Entra), Scope::In, "user mailbox");
    }

    #[test]
    fn entra_user_without_sam_and_inetorgperson() {
        let s = user("").replace("sAMAccountName: jsmith\n", "");
        let e = entry(&s);
        assert_eq!(scope(&e, Profile::Entra), Scope::Skipped(id::SKIP_NO_SAM));
        assert_eq!(
            scope(&e, Profile::Idfix),
            Scope::In,
            "commented out in IdFix"
        );
        // inetOrgPerson: not "user" for IdFix, but Entra's user rules apply.
        let s = user("")
            .replace(
                "objectClass: user\n",
                "objectClass: user\nobjectClass: inetOrgPerson\n",
            )
            .replace("sAMAccountName: jsmith", "sAMAccountName: MSOL_x");
        let e = entry(&s);
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
        assert_eq!(
            scope(&e, Profile::Entra),
            Scope::Skipped(id::SKIP_SAM_PREFIX)
        );
    }

    fn group(extra: &str) -> String {
        format!("dn: CN=Team,OU=Groups,DC=contoso,DC=com\nobjectClass: top\nobjectClass: group\ncn: Team\nsAMAccountName: Team\n{extra}")
    }

    #[test]
    fn groups_idfix_vs_entra() {
        // Security group without mail: IdFix skips, Entra syncs.
        let e = entry(&group("groupType: -2147483646\n"));
        assert_eq!(
            scope(&e, Profile::Idfix),
            Scope::Skipped(id::SKIP_SECURITY_NO_MAIL)
        );
        assert_eq!(scope(&e, Profile::Entra), Scope::In);
        // Distribution group without proxies: both skip (different reasons).
        let e = entry(&group("groupType: 2\n"));
        assert_eq!(
            scope(&e, Profile::Idfix),
            Scope::Skipped(id::SKIP_DISTRIBUTION_NO_PROXY)
        );
        assert_eq!(
            scope(&e, Profile::Entra),
            Scope::Skipped(id::SKIP_DISTRIBUTION_NOT_MAIL_ENABLED)
        );
        let e = entry(&group(
            "groupType: 2\nproxyAddresses: SMTP:team@contoso.com\n",
        ));
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
        assert_eq!(scope(&e, Profile::Entra), Scope::In);
        // `mail` alone does not make a distribution group mail-enabled.
        let e = entry(&group(
            "groupType: 8
mail: team@contoso.com
",
        ));
        assert_eq!(
            scope(&e, Profile::Entra),
            Scope::Skipped(id::SKIP_DISTRIBUTION_NOT_MAIL_ENABLED)
        );
        let e = entry(&group(
            "groupType: 8
mail: team@contoso.com
proxyAddresses: X500:/o=Team
",
        ));
        assert_eq!(scope(&e, Profile::Entra), Scope::In);
        // Missing groupType: IdFix throws (not skipped).
        let e = entry(&group(""));
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
        // Entra-only group exclusions.
        let s = group("groupType: -2147483646\n").replace(
            "sAMAccountName: Team",
            "sAMAccountName: MSOL_AD_Sync_RichCoexistence",
        );
        // (cn "Team" does not start with "msol", so only the Entra rule applies)
        assert_eq!(
            scope(&entry(&s), Profile::Entra),
            Scope::Skipped(id::SKIP_RICH_COEXISTENCE)
        );
        let e = entry(&group(
            "groupType: 8\nmail: t@contoso.com\nmsExchRecipientTypeDetails: 1073741824\n",
        ));
        assert_eq!(
            scope(&e, Profile::Entra),
            Scope::Skipped(id::SKIP_ROLE_GROUP)
        );
    }

    #[test]
    fn contacts() {
        let c = "dn: CN=Ext,OU=Contacts,DC=contoso,DC=com\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: contact\ncn: Ext\n";
        let e = entry(c);
        assert_eq!(
            scope(&e, Profile::Entra),
            Scope::Skipped(id::SKIP_CONTACT_NOT_MAIL_ENABLED)
        );
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
        // Mail-enabled takes proxyAddresses and a primary address with '@'; a contact
        // also needs `mail`.
        let not_synced = [
            "mail: ext@fabrikam.com\n",
            "proxyAddresses: SMTP:ext@fabrikam.com\n",
            "mail: ext\nproxyAddresses: smtp:ext\n",
        ];
        for extra in not_synced {
            assert_eq!(
                scope(&entry(&format!("{c}{extra}")), Profile::Entra),
                Scope::Skipped(id::SKIP_CONTACT_NOT_MAIL_ENABLED),
                "{extra}"
            );
        }
        let synced = [
            "mail: ext@fabrikam.com\nproxyAddresses: SMTP:ext@fabrikam.com\n",
            "mail: ext@fabrikam.com\nproxyAddresses: X500:/o=Ext\n",
            "mail: ext\nproxyAddresses: SMTP:ext@fabrikam.com\n",
        ];
        for extra in synced {
            assert_eq!(
                scope(&entry(&format!("{c}{extra}")), Profile::Entra),
                Scope::In,
                "{extra}"
            );
        }
        let h = format!("{c}mail: x@y.com\nproxyAddresses: SMTP:x@y.com\ndisplayName: Sync (MSOL) contact\nmsExchHideFromAddressLists: TRUE\n");
        assert_eq!(
            scope(&entry(&h), Profile::Entra),
            Scope::Skipped(id::SKIP_MSOL_HIDDEN)
        );
    }

    #[test]
    fn missing_cn_idfix_not_skipped_entra_judges_no_cn() {
        // IdFix's skip code throws without a cn; Entra Connect has no cn rule (the real
        // krbtgt is skipped as a critical system object).
        let s = "dn: CN=krbtgt,CN=Users,DC=x\nobjectClass: user\nsAMAccountName: krbtgt\n";
        let e = entry(s);
        assert_eq!(scope(&e, Profile::Idfix), Scope::In);
        assert_eq!(scope(&e, Profile::Entra), Scope::In);
        let e = entry(&format!("{s}isCriticalSystemObject: TRUE\n"));
        assert_eq!(scope(&e, Profile::Entra), Scope::Skipped(id::SKIP_CRITICAL));
    }

    #[test]
    fn deleted_objects_are_skipped_by_every_profile() {
        for dn in [
            "dn: CN=John Smith\\0ADEL:0b7c1f2e-1111-2222-3333-444455556666,CN=Deleted Objects,",
            "dn: CN=John Smith\\0adel:0b7c1f2e-1111-2222-3333-444455556666,",
        ] {
            let s = user("mail: a@b.com\n").replace("dn: CN=John Smith,", dn);
            assert_eq!(all(&s), [Scope::Skipped(id::SKIP_DELETED); 3], "{dn}");
        }
        // A raw line feed before DEL: in a decoded DN.
        let s = user("mail: a@b.com\n").replace(
            "dn: CN=John Smith,OU=Staff,DC=contoso,DC=com",
            "dn:: Q049Sm9obiBTbWl0aApERUw6MGI3YyxPVT1TdGFmZixEQz14",
        );
        let e = entry(&s);
        assert!(e.dn.contains("\nDEL:"), "{}", e.dn);
        assert_eq!(scope(&e, Profile::Entra), Scope::Skipped(id::SKIP_DELETED));
        // An ordinary object whose name only mentions deletion is in scope.
        let s = user("mail: a@b.com\n").replace("cn: John Smith", "cn: Deleted Objects Team");
        assert_eq!(scope(&entry(&s), Profile::Entra), Scope::In);
    }

    #[test]
    fn a_conflict_mark_in_cn_alone_is_a_conflict_object_for_idfix_too() {
        let s = user("mail: a@b.com\n")
            .replace("cn: John Smith", "cn:: Sm9obiBTbWl0aApDTkY6MGI3YzFmMmU=");
        assert_eq!(all(&s), [Scope::Skipped(id::SKIP_CONFLICT); 3]);
    }

    #[test]
    fn dn_under_rules() {
        let dn = "CN=John,OU=Staff,DC=contoso,DC=com";
        assert!(dn_under(dn, "OU=Staff,DC=contoso,DC=com"));
        assert!(dn_under(dn, "ou=staff, dc=Contoso, dc=COM"));
        assert!(dn_under(
            "CN=John, OU=Staff, DC=contoso, DC=com",
            "OU=Staff,DC=contoso,DC=com"
        ));
        assert!(dn_under(dn, "DC=com"));
        assert!(dn_under(dn, dn));
        assert!(dn_under(dn, ""));
        assert!(!dn_under(dn, "OU=Sta,DC=contoso,DC=com"));
        assert!(!dn_under(dn, "taff,DC=contoso,DC=com"));
        assert!(!dn_under(dn, "OU=Other,DC=contoso,DC=com"));
        assert!(!dn_under("DC=com", dn));
        // An escaped comma is not an RDN boundary.
        assert!(!dn_under(
            "CN=Smith\\, John,OU=Staff,DC=x",
            "John,OU=Staff,DC=x"
        ));
        assert!(dn_under("CN=Smith\\, John,OU=Staff,DC=x", "OU=Staff,DC=x"));
    }

    #[test]
    fn ou_filter_rules() {
        let inc = vec!["OU=Staff,DC=x".to_string()];
        let exc = vec!["OU=Old,OU=Staff,DC=x".to_string()];
        assert!(ou_filter("CN=a,OU=Staff,DC=x", &inc, &exc));
        assert!(!ou_filter("CN=a,OU=Old,OU=Staff,DC=x", &inc, &exc));
        assert!(!ou_filter("CN=a,OU=Other,DC=x", &inc, &exc));
        assert!(ou_filter("CN=a,OU=Other,DC=x", &[], &exc));
    }

    #[test]
    fn skip_ids_in_catalog() {
        for s in SKIP_IDS {
            assert!(crate::rules::catalog::skip_reason(s).is_some(), "{s}");
        }
        assert_eq!(SKIP_IDS.len(), crate::rules::catalog::SKIP_REASONS.len());
    }
}
