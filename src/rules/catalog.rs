//! The single source of rule identifiers.
//!
//! Every check ldifix runs has a stable id listed here with its profile, the attribute it
//! judges, the error name it reports and a one-line explanation (`ldifix rules` prints this
//! table). Code that produces a finding must use the constants below, never a string
//! literal, so ids stay unique and documented.
//!
//! * `entra` ids are kebab-case (`upn-character`, `upn-nonroutable-suffix`, ...).
//! * `idfix` / `idfix-dedicated` ids follow the IdFix 2.6.0.3 rule chains (`MT-UPN-CHAR`,
//!   `D-MAIL-RFC`, ...); a rule whose check can yield several error names (the RFC 2822
//!   rule) lists its principal one.
//! * [`SKIP_REASONS`] are the reasons the scope rules give for leaving an entry out.

use crate::rules::{ErrorName, Profile};

/// One rule of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// Stable id, as reported in findings.
    pub id: &'static str,
    /// The profile whose checks use it.
    #[serde(serialize_with = "ser_profile")]
    pub profile: Profile,
    /// The attribute judged, as reported.
    pub attribute: &'static str,
    /// The error name reported (the principal one for multi-error checks).
    #[serde(serialize_with = "ser_error")]
    pub error: ErrorName,
    /// One-line explanation.
    pub summary: &'static str,
}

/// One reason for skipping an entry (see [`crate::rules::scope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SkipInfo {
    /// Stable id, as reported.
    pub id: &'static str,
    /// One-line explanation.
    pub summary: &'static str,
}

fn ser_profile<S: serde::Serializer>(p: &Profile, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(p.as_str())
}

fn ser_error<S: serde::Serializer>(e: &ErrorName, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(e.as_str())
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// The rules of one profile, in listing order.
pub fn rules_for(profile: Profile) -> impl Iterator<Item = &'static RuleInfo> {
    RULES.iter().filter(move |r| r.profile == profile)
}

/// The skip reason with this id.
pub fn skip_reason(id: &str) -> Option<&'static SkipInfo> {
    SKIP_REASONS.iter().find(|r| r.id == id)
}

// ---- rule ids ----
/// `upn-invisible` (entra, userPrincipalName): contains control, format or zero-width characters (removed by the fix)
pub const UPN_INVISIBLE: &str = "upn-invisible";
/// `upn-whitespace` (entra, userPrincipalName): leading or trailing whitespace (trimmed by the fix)
pub const UPN_WHITESPACE: &str = "upn-whitespace";
/// `upn-at` (entra, userPrincipalName): needs a separating @ with text before and after it
pub const UPN_AT: &str = "upn-at";
/// `upn-character` (entra, userPrincipalName): characters outside Entra's set A-Z a-z 0-9 ' . - \_ ! # ^ ~ (spaces, & and extra @ included)
pub const UPN_CHARACTER: &str = "upn-character";
/// `upn-diacritic` (entra, userPrincipalName): letters with diacritics are invalid (transliterated by the fix: é→e, ß→ss)
pub const UPN_DIACRITIC: &str = "upn-diacritic";
/// `upn-local-part` (entra, userPrincipalName): the part before @ starts or ends with . (no . right before @) or has ..
pub const UPN_LOCAL_PART: &str = "upn-local-part";
/// `upn-domain-part` (entra, userPrincipalName): the suffix is not a DNS name (letters, digits, - and . between non-empty labels)
pub const UPN_DOMAIN_PART: &str = "upn-domain-part";
/// `upn-length` (entra, userPrincipalName): longer than 113 characters (UTF-16 units)
pub const UPN_LENGTH: &str = "upn-length";
/// `upn-local-length` (entra, userPrincipalName): more than 64 characters before @
pub const UPN_LOCAL_LENGTH: &str = "upn-local-length";
/// `upn-domain-length` (entra, userPrincipalName): more than 48 characters after @
pub const UPN_DOMAIN_LENGTH: &str = "upn-domain-length";
/// `upn-nonroutable-suffix` (entra, userPrincipalName): suffix is not internet-routable (TLD not in the IANA list, or special-use such as .local, .lan, .internal, home.arpa)
pub const UPN_NONROUTABLE_SUFFIX: &str = "upn-nonroutable-suffix";
/// `upn-unverified-suffix` (entra, userPrincipalName): suffix is not a verified domain of the tenant (Entra would use \<alias\>@\<tenant\>.onmicrosoft.com); runs only when verified domains are given
pub const UPN_UNVERIFIED_SUFFIX: &str = "upn-unverified-suffix";
/// `mail-invisible` (entra, mail): contains control, format or zero-width characters
pub const MAIL_INVISIBLE: &str = "mail-invisible";
/// `mail-whitespace` (entra, mail): whitespace anywhere in the address
pub const MAIL_WHITESPACE: &str = "mail-whitespace";
/// `mail-character` (entra, mail): characters not allowed in an SMTP address (non-ASCII letters, ( ) \< \> \[ \] , ; : \\ ")
pub const MAIL_CHARACTER: &str = "mail-character";
/// `mail-format` (entra, mail): not one @ with a local part and a domain
pub const MAIL_FORMAT: &str = "mail-format";
/// `mail-local-part` (entra, mail): local part has an empty dot-separated label (leading/trailing . or ..)
pub const MAIL_LOCAL_PART: &str = "mail-local-part";
/// `mail-domain-part` (entra, mail): domain has an empty label, .., a trailing ., a single label or invalid characters
pub const MAIL_DOMAIN_PART: &str = "mail-domain-part";
/// `mail-length` (entra, mail): longer than 256 characters
pub const MAIL_LENGTH: &str = "mail-length";
/// `nick-invisible` (entra, mailNickname): contains control, format or zero-width characters
pub const NICK_INVISIBLE: &str = "nick-invisible";
/// `nick-character` (entra, mailNickname): characters other than ASCII letters, digits and ! # $ % ' \* + - / = ? ^ \_ \` { \| } ~ .
pub const NICK_CHARACTER: &str = "nick-character";
/// `nick-period` (entra, mailNickname): . must be between other characters (not first, last or doubled)
pub const NICK_PERIOD: &str = "nick-period";
/// `nick-length` (entra, mailNickname): longer than 64 characters
pub const NICK_LENGTH: &str = "nick-length";
/// `proxy-invisible` (entra, proxyAddresses): contains control, format or zero-width characters
pub const PROXY_INVISIBLE: &str = "proxy-invisible";
/// `proxy-whitespace` (entra, proxyAddresses): leading or trailing whitespace
pub const PROXY_WHITESPACE: &str = "proxy-whitespace";
/// `proxy-prefix` (entra, proxyAddresses): no type: prefix (SMTP:, smtp:, X500:, SIP:, ...)
pub const PROXY_PREFIX: &str = "proxy-prefix";
/// `proxy-character` (entra, proxyAddresses): invalid characters after the prefix (SMTP: whitespace \< \> ( ) ; , \[ \] " and non-ASCII; X400/X500: tab/CR/LF \[ \] " '; other types: whitespace \< \> ( ) , \[ \] ")
pub const PROXY_CHARACTER: &str = "proxy-character";
/// `proxy-colon` (entra, proxyAddresses): SMTP value has another : after the type prefix
pub const PROXY_COLON: &str = "proxy-colon";
/// `proxy-smtp-format` (entra, proxyAddresses): SMTP address is not valid (one @, non-empty labels, no trailing .)
pub const PROXY_SMTP_FORMAT: &str = "proxy-smtp-format";
/// `proxy-nonroutable` (entra, proxyAddresses): SMTP address domain is not internet-routable
pub const PROXY_NONROUTABLE: &str = "proxy-nonroutable";
/// `proxy-length` (entra, proxyAddresses): value longer than 256 characters
pub const PROXY_LENGTH: &str = "proxy-length";
/// `proxy-multiple-primary` (entra, proxyAddresses): a second (or later) primary SMTP: address; only one is allowed
pub const PROXY_MULTIPLE_PRIMARY: &str = "proxy-multiple-primary";
/// `proxy-count` (entra, proxyAddresses): more than 300 values (object size limit in Entra)
pub const PROXY_COUNT: &str = "proxy-count";
/// `target-invisible` (entra, targetAddress): contains control, format or zero-width characters
pub const TARGET_INVISIBLE: &str = "target-invisible";
/// `target-whitespace` (entra, targetAddress): leading or trailing whitespace
pub const TARGET_WHITESPACE: &str = "target-whitespace";
/// `target-prefix` (entra, targetAddress): no type: prefix (SMTP:, X500:, ...)
pub const TARGET_PREFIX: &str = "target-prefix";
/// `target-character` (entra, targetAddress): invalid characters after the prefix: whitespace \\ \< \> ( ) ; , \[ \] " (SMTP: also non-ASCII and another :)
pub const TARGET_CHARACTER: &str = "target-character";
/// `target-smtp-format` (entra, targetAddress): SMTP address is not valid (one @, non-empty labels, no trailing .)
pub const TARGET_SMTP_FORMAT: &str = "target-smtp-format";
/// `target-length` (entra, targetAddress): longer than 256 characters
pub const TARGET_LENGTH: &str = "target-length";
/// `sam-invisible` (entra, sAMAccountName): contains control, format or zero-width characters
pub const SAM_INVISIBLE: &str = "sam-invisible";
/// `sam-character` (entra, sAMAccountName): invalid characters \[ \] \\ " \| , / : \< \> + = ; ? \* '
pub const SAM_CHARACTER: &str = "sam-character";
/// `sam-length` (entra, sAMAccountName): longer than 20 characters (users and inetOrgPersons)
pub const SAM_LENGTH: &str = "sam-length";
/// `displayname-invisible` (entra, displayName): contains control, format or zero-width characters
pub const DISPLAYNAME_INVISIBLE: &str = "displayname-invisible";
/// `displayname-blank` (entra, displayName): present but empty or only whitespace (the fix proposes cn)
pub const DISPLAYNAME_BLANK: &str = "displayname-blank";
/// `displayname-length` (entra, displayName): longer than 256 characters
pub const DISPLAYNAME_LENGTH: &str = "displayname-length";
/// `givenname-invisible` (entra, givenName): contains control, format or zero-width characters
pub const GIVENNAME_INVISIBLE: &str = "givenname-invisible";
/// `givenname-length` (entra, givenName): longer than 64 characters
pub const GIVENNAME_LENGTH: &str = "givenname-length";
/// `cert-count` (entra, userCertificate): more than 15 values
pub const CERT_COUNT: &str = "cert-count";
/// `smime-cert-count` (entra, userSMIMECertificate): more than 15 values
pub const SMIME_CERT_COUNT: &str = "smime-cert-count";
/// `group-member-count` (entra, member): group has 250,000 members or more (Entra Connect does not sync it)
pub const GROUP_MEMBER_COUNT: &str = "group-member-count";
/// `address-duplicate` (entra, mail/proxyAddresses/userPrincipalName/targetAddress): another object holds the same address in mail, an SMTP proxyAddresses value, userPrincipalName or an SMTP targetAddress (case-insensitive, prefix stripped)
pub const ADDRESS_DUPLICATE: &str = "address-duplicate";
/// `nick-duplicate` (entra, mailNickname): another object holds the same alias (case-insensitive)
pub const NICK_DUPLICATE: &str = "nick-duplicate";
/// `proxy-duplicate` (entra, proxyAddresses/targetAddress): another object holds the same non-SMTP address (`SIP:`, `X500:`, `EUM:` …; compared as lower-cased `type:address`)
pub const PROXY_DUPLICATE: &str = "proxy-duplicate";
/// `MT-DN-LEN` (idfix, displayName): longer than 255 characters; truncated
pub const MT_DN_LEN: &str = "MT-DN-LEN";
/// `MT-DN-BLANK` (idfix, displayName): absent or empty; update = cn
pub const MT_DN_BLANK: &str = "MT-DN-BLANK";
/// `MT-GN-LEN` (idfix, givenName): longer than 63 characters; truncated
pub const MT_GN_LEN: &str = "MT-GN-LEN";
/// `MT-MAIL-LEN` (idfix, mail): longer than 256 characters; truncated
pub const MT_MAIL_LEN: &str = "MT-MAIL-LEN";
/// `MT-MAIL-DUP` (idfix, mail): duplicate mail (the first holder gets an extra row when the proposed action is Edit)
pub const MT_MAIL_DUP: &str = "MT-MAIL-DUP";
/// `MT-NICK-LEN` (idfix, mailnickname): longer than 64 characters; truncated
pub const MT_NICK_LEN: &str = "MT-NICK-LEN";
/// `MT-NICK-LEADDOT` (idfix, mailnickname): leading periods; removed (cn if nothing remains)
pub const MT_NICK_LEADDOT: &str = "MT-NICK-LEADDOT";
/// `MT-NICK-DUP` (idfix, mailnickname): duplicate mailNickname
pub const MT_NICK_DUP: &str = "MT-NICK-DUP";
/// `MT-PROXY-LEN` (idfix, proxyAddresses): value longer than 256 characters; truncated
pub const MT_PROXY_LEN: &str = "MT-PROXY-LEN";
/// `MT-PROXY-COLON` (idfix, proxyAddresses): a second : after the prefix; removed
pub const MT_PROXY_COLON: &str = "MT-PROXY-COLON";
/// `MT-PROXY-DUP` (idfix, proxyAddresses): duplicate type:address value
pub const MT_PROXY_DUP: &str = "MT-PROXY-DUP";
/// `MT-PROXY-CHAR-SMTP` (idfix, proxyAddresses): SMTP value: whitespace " ( ) , ; \< \> \[ \]; removed
pub const MT_PROXY_CHAR_SMTP: &str = "MT-PROXY-CHAR-SMTP";
/// `MT-PROXY-CHAR-X400` (idfix, proxyAddresses): X400 value: \\f \\n \\r \\t \\v \[ \] " '; removed
pub const MT_PROXY_CHAR_X400: &str = "MT-PROXY-CHAR-X400";
/// `MT-PROXY-CHAR-X500` (idfix, proxyAddresses): X500 value: \\f \\n \\r \\t \\v \[ \] " '; removed
pub const MT_PROXY_CHAR_X500: &str = "MT-PROXY-CHAR-X500";
/// `MT-PROXY-CHAR-OTHER` (idfix, proxyAddresses): other types: whitespace " ( ) , \< \> \[ \]; removed
pub const MT_PROXY_CHAR_OTHER: &str = "MT-PROXY-CHAR-OTHER";
/// `MT-PROXY-RFC` (idfix, proxyAddresses): SMTP value fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)
pub const MT_PROXY_RFC: &str = "MT-PROXY-RFC";
/// `MT-SAM-LEN` (idfix, sAMAccountName): longer than 20 (objectClass user) or 256 characters; truncated
pub const MT_SAM_LEN: &str = "MT-SAM-LEN";
/// `MT-SAM-CHAR` (idfix, sAMAccountName): characters \\ " \| , / \[ \] : \< \> + = ; ? \*; removed
pub const MT_SAM_CHAR: &str = "MT-SAM-CHAR";
/// `MT-SAM-DUP` (idfix, sAMAccountName): duplicate sAMAccountName (only when there is no userPrincipalName)
pub const MT_SAM_DUP: &str = "MT-SAM-DUP";
/// `MT-TGT-LEN` (idfix, targetAddress): longer than 255 characters; truncated
pub const MT_TGT_LEN: &str = "MT-TGT-LEN";
/// `MT-TGT-COLON` (idfix, targetAddress): a second : after the prefix; removed
pub const MT_TGT_COLON: &str = "MT-TGT-COLON";
/// `MT-TGT-DUP` (idfix, targetAddress): duplicate targetAddress
pub const MT_TGT_DUP: &str = "MT-TGT-DUP";
/// `MT-TGT-CHAR-SMTP` (idfix, targetAddress): SMTP value: whitespace " ( ) , ; \< \> \[ \\ \]; removed
pub const MT_TGT_CHAR_SMTP: &str = "MT-TGT-CHAR-SMTP";
/// `MT-TGT-CHAR-OTHER` (idfix, targetAddress): other types: whitespace " ( ) , \< \> \[ \\ \]; removed
pub const MT_TGT_CHAR_OTHER: &str = "MT-TGT-CHAR-OTHER";
/// `MT-TGT-RFC` (idfix, targetAddress): SMTP value fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)
pub const MT_TGT_RFC: &str = "MT-TGT-RFC";
/// `MT-UPN-LEN` (idfix, userPrincipalName): longer than 113 characters; truncated
pub const MT_UPN_LEN: &str = "MT-UPN-LEN";
/// `MT-UPN-CHAR` (idfix, userPrincipalName): whitespace " % & ' ( ) \* + , / : ; \< = \> ? \[ \\ \] { \| } and äëïöüÿÄËÏÖÜŸ; removed
pub const MT_UPN_CHAR: &str = "MT-UPN-CHAR";
/// `MT-UPN-RFC` (idfix, userPrincipalName): fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)
pub const MT_UPN_RFC: &str = "MT-UPN-RFC";
/// `MT-UPN-DUP` (idfix, userPrincipalName): duplicate userPrincipalName (after the fixes above)
pub const MT_UPN_DUP: &str = "MT-UPN-DUP";
/// `D-DN-LEN` (idfix-dedicated, displayName): longer than 256 characters; truncated
pub const D_DN_LEN: &str = "D-DN-LEN";
/// `D-DN-CHAR` (idfix-dedicated, displayName): leading or trailing whitespace; trimmed (cn if nothing remains)
pub const D_DN_CHAR: &str = "D-DN-CHAR";
/// `D-DN-BLANK` (idfix-dedicated, displayName): group with absent or empty displayName; update = cn (≤255)
pub const D_DN_BLANK: &str = "D-DN-BLANK";
/// `D-MAIL-LEN` (idfix-dedicated, mail): longer than 256 characters; truncated
pub const D_MAIL_LEN: &str = "D-MAIL-LEN";
/// `D-MAIL-CHAR` (idfix-dedicated, mail): whitespace anywhere; removed
pub const D_MAIL_CHAR: &str = "D-MAIL-CHAR";
/// `D-MAIL-RFC` (idfix-dedicated, mail): fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)
pub const D_MAIL_RFC: &str = "D-MAIL-RFC";
/// `D-MAIL-DUP` (idfix-dedicated, mail): duplicate mail
pub const D_MAIL_DUP: &str = "D-MAIL-DUP";
/// `D-NICK-LEN` (idfix-dedicated, mailnickname): longer than 64 characters; truncated
pub const D_NICK_LEN: &str = "D-NICK-LEN";
/// `D-NICK-CHAR` (idfix-dedicated, mailnickname): whitespace and ! " # $ % & ' ( ) \* + , / : ; \< = \> ? @ \[ \\ \] ^ \` { \| } ~; removed
pub const D_NICK_CHAR: &str = "D-NICK-CHAR";
/// `D-NICK-DUP` (idfix-dedicated, mailnickname): duplicate mailNickname
pub const D_NICK_DUP: &str = "D-NICK-DUP";
/// `D-NICK-BLANK` (idfix-dedicated, mailnickname): contact with absent or empty mailNickname; update = givenName.sn, else sAMAccountName, else cn
pub const D_NICK_BLANK: &str = "D-NICK-BLANK";
/// `D-PROXY-LEN` (idfix-dedicated, proxyAddresses): value longer than 256 characters; truncated
pub const D_PROXY_LEN: &str = "D-PROXY-LEN";
/// `D-PROXY-COLON` (idfix-dedicated, proxyAddresses): a second : after the prefix; removed
pub const D_PROXY_COLON: &str = "D-PROXY-COLON";
/// `D-PROXY-DUP` (idfix-dedicated, proxyAddresses): duplicate type:address value
pub const D_PROXY_DUP: &str = "D-PROXY-DUP";
/// `D-PROXY-RFC` (idfix-dedicated, proxyAddresses): SMTP value fails IdFix RFC 2822 check
pub const D_PROXY_RFC: &str = "D-PROXY-RFC";
/// `D-TGT-LEN` (idfix-dedicated, targetAddress): longer than 256 characters; truncated
pub const D_TGT_LEN: &str = "D-TGT-LEN";
/// `D-TGT-BLANK` (idfix-dedicated, targetAddress): contact or user with neither homeMDB nor targetAddress; update = SMTP:+mail (contacts)
pub const D_TGT_BLANK: &str = "D-TGT-BLANK";
/// `D-TGT-RFC` (idfix-dedicated, targetAddress): SMTP value fails IdFix RFC 2822 check
pub const D_TGT_RFC: &str = "D-TGT-RFC";

/// Every rule, in listing order: entra, then idfix, then idfix-dedicated.
pub static RULES: &[RuleInfo] = &[
    RuleInfo { id: UPN_INVISIBLE, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters (removed by the fix)" },
    RuleInfo { id: UPN_WHITESPACE, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Character, summary: "leading or trailing whitespace (trimmed by the fix)" },
    RuleInfo { id: UPN_AT, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Format, summary: "needs a separating @ with text before and after it" },
    RuleInfo { id: UPN_CHARACTER, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Character, summary: "characters outside Entra's set A-Z a-z 0-9 ' . - _ ! # ^ ~ (spaces, & and extra @ included)" },
    RuleInfo { id: UPN_DIACRITIC, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Character, summary: "letters with diacritics are invalid (transliterated by the fix: é→e, ß→ss)" },
    RuleInfo { id: UPN_LOCAL_PART, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::LocalPart, summary: "the part before @ starts or ends with . (no . right before @) or has .." },
    RuleInfo { id: UPN_DOMAIN_PART, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::DomainPart, summary: "the suffix is not a DNS name (letters, digits, - and . between non-empty labels)" },
    RuleInfo { id: UPN_LENGTH, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Length, summary: "longer than 113 characters (UTF-16 units)" },
    RuleInfo { id: UPN_LOCAL_LENGTH, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Length, summary: "more than 64 characters before @" },
    RuleInfo { id: UPN_DOMAIN_LENGTH, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Length, summary: "more than 48 characters after @" },
    RuleInfo { id: UPN_NONROUTABLE_SUFFIX, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::TopLevelDomain, summary: "suffix is not internet-routable (TLD not in the IANA list, or special-use such as .local, .lan, .internal, home.arpa)" },
    RuleInfo { id: UPN_UNVERIFIED_SUFFIX, profile: Profile::Entra, attribute: "userPrincipalName", error: ErrorName::Unverified, summary: "suffix is not a verified domain of the tenant (Entra would use <alias>@<tenant>.onmicrosoft.com); runs only when verified domains are given" },
    RuleInfo { id: MAIL_INVISIBLE, profile: Profile::Entra, attribute: "mail", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters" },
    RuleInfo { id: MAIL_WHITESPACE, profile: Profile::Entra, attribute: "mail", error: ErrorName::Character, summary: "whitespace anywhere in the address" },
    RuleInfo { id: MAIL_CHARACTER, profile: Profile::Entra, attribute: "mail", error: ErrorName::Character, summary: "characters not allowed in an SMTP address (non-ASCII letters, ( ) < > [ ] , ; : \\ \")" },
    RuleInfo { id: MAIL_FORMAT, profile: Profile::Entra, attribute: "mail", error: ErrorName::Format, summary: "not one @ with a local part and a domain" },
    RuleInfo { id: MAIL_LOCAL_PART, profile: Profile::Entra, attribute: "mail", error: ErrorName::LocalPart, summary: "local part has an empty dot-separated label (leading/trailing . or ..)" },
    RuleInfo { id: MAIL_DOMAIN_PART, profile: Profile::Entra, attribute: "mail", error: ErrorName::DomainPart, summary: "domain has an empty label, .., a trailing ., a single label or invalid characters" },
    RuleInfo { id: MAIL_LENGTH, profile: Profile::Entra, attribute: "mail", error: ErrorName::Length, summary: "longer than 256 characters" },
    RuleInfo { id: NICK_INVISIBLE, profile: Profile::Entra, attribute: "mailNickname", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters" },
    RuleInfo { id: NICK_CHARACTER, profile: Profile::Entra, attribute: "mailNickname", error: ErrorName::Character, summary: "characters other than ASCII letters, digits and ! # $ % ' * + - / = ? ^ _ ` { | } ~ ." },
    RuleInfo { id: NICK_PERIOD, profile: Profile::Entra, attribute: "mailNickname", error: ErrorName::Character, summary: ". must be between other characters (not first, last or doubled)" },
    RuleInfo { id: NICK_LENGTH, profile: Profile::Entra, attribute: "mailNickname", error: ErrorName::Length, summary: "longer than 64 characters" },
    RuleInfo { id: PROXY_INVISIBLE, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters" },
    RuleInfo { id: PROXY_WHITESPACE, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Character, summary: "leading or trailing whitespace" },
    RuleInfo { id: PROXY_PREFIX, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Format, summary: "no type: prefix (SMTP:, smtp:, X500:, SIP:, ...)" },
    RuleInfo { id: PROXY_CHARACTER, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Character, summary: "invalid characters after the prefix (SMTP: whitespace < > ( ) ; , [ ] \" and non-ASCII; X400/X500: tab/CR/LF [ ] \" '; other types: whitespace < > ( ) , [ ] \")" },
    RuleInfo { id: PROXY_COLON, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Character, summary: "SMTP value has another : after the type prefix" },
    RuleInfo { id: PROXY_SMTP_FORMAT, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Format, summary: "SMTP address is not valid (one @, non-empty labels, no trailing .)" },
    RuleInfo { id: PROXY_NONROUTABLE, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::TopLevelDomain, summary: "SMTP address domain is not internet-routable" },
    RuleInfo { id: PROXY_LENGTH, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Length, summary: "value longer than 256 characters" },
    RuleInfo { id: PROXY_MULTIPLE_PRIMARY, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::MultiplePrimary, summary: "a second (or later) primary SMTP: address; only one is allowed" },
    RuleInfo { id: PROXY_COUNT, profile: Profile::Entra, attribute: "proxyAddresses", error: ErrorName::Count, summary: "more than 300 values (object size limit in Entra)" },
    RuleInfo { id: TARGET_INVISIBLE, profile: Profile::Entra, attribute: "targetAddress", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters" },
    RuleInfo { id: TARGET_WHITESPACE, profile: Profile::Entra, attribute: "targetAddress", error: ErrorName::Character, summary: "leading or trailing whitespace" },
    RuleInfo { id: TARGET_PREFIX, profile: Profile::Entra, attribute: "targetAddress", error: ErrorName::Format, summary: "no type: prefix (SMTP:, X500:, ...)" },
    RuleInfo { id: TARGET_CHARACTER, profile: Profile::Entra, attribute: "targetAddress", error: ErrorName::Character, summary: "invalid characters after the prefix: whitespace \\ < > ( ) ; , [ ] \" (SMTP: also non-ASCII and another :)" },
    RuleInfo { id: TARGET_SMTP_FORMAT, profile: Profile::Entra, attribute: "targetAddress", error: ErrorName::Format, summary: "SMTP address is not valid (one @, non-empty labels, no trailing .)" },
    RuleInfo { id: TARGET_LENGTH, profile: Profile::Entra, attribute: "targetAddress", error: ErrorName::Length, summary: "longer than 256 characters" },
    RuleInfo { id: SAM_INVISIBLE, profile: Profile::Entra, attribute: "sAMAccountName", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters" },
    RuleInfo { id: SAM_CHARACTER, profile: Profile::Entra, attribute: "sAMAccountName", error: ErrorName::Character, summary: "invalid characters [ ] \\ \" | , / : < > + = ; ? * '" },
    RuleInfo { id: SAM_LENGTH, profile: Profile::Entra, attribute: "sAMAccountName", error: ErrorName::Length, summary: "longer than 20 characters (users and inetOrgPersons)" },
    RuleInfo { id: DISPLAYNAME_INVISIBLE, profile: Profile::Entra, attribute: "displayName", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters" },
    RuleInfo { id: DISPLAYNAME_BLANK, profile: Profile::Entra, attribute: "displayName", error: ErrorName::Blank, summary: "present but empty or only whitespace (the fix proposes cn)" },
    RuleInfo { id: DISPLAYNAME_LENGTH, profile: Profile::Entra, attribute: "displayName", error: ErrorName::Length, summary: "longer than 256 characters" },
    RuleInfo { id: GIVENNAME_INVISIBLE, profile: Profile::Entra, attribute: "givenName", error: ErrorName::Invisible, summary: "contains control, format or zero-width characters" },
    RuleInfo { id: GIVENNAME_LENGTH, profile: Profile::Entra, attribute: "givenName", error: ErrorName::Length, summary: "longer than 64 characters" },
    RuleInfo { id: CERT_COUNT, profile: Profile::Entra, attribute: "userCertificate", error: ErrorName::Count, summary: "more than 15 values" },
    RuleInfo { id: SMIME_CERT_COUNT, profile: Profile::Entra, attribute: "userSMIMECertificate", error: ErrorName::Count, summary: "more than 15 values" },
    RuleInfo { id: GROUP_MEMBER_COUNT, profile: Profile::Entra, attribute: "member", error: ErrorName::Count, summary: "group has 250,000 members or more (Entra Connect does not sync it)" },
    RuleInfo { id: ADDRESS_DUPLICATE, profile: Profile::Entra, attribute: "addresses", error: ErrorName::Duplicate, summary: "another object holds the same address in mail, an SMTP proxyAddresses value, userPrincipalName or an SMTP targetAddress (case-insensitive, prefix stripped)" },
    RuleInfo { id: NICK_DUPLICATE, profile: Profile::Entra, attribute: "mailNickname", error: ErrorName::Duplicate, summary: "another object holds the same alias (case-insensitive)" },
    RuleInfo { id: PROXY_DUPLICATE, profile: Profile::Entra, attribute: "proxyAddresses/targetAddress", error: ErrorName::Duplicate, summary: "another object holds the same non-SMTP address (SIP:, X500:, EUM: …; compared as lower-cased type:address)" },
    RuleInfo { id: MT_DN_LEN, profile: Profile::Idfix, attribute: "displayName", error: ErrorName::Length, summary: "longer than 255 characters; truncated" },
    RuleInfo { id: MT_DN_BLANK, profile: Profile::Idfix, attribute: "displayName", error: ErrorName::Blank, summary: "absent or empty; update = cn" },
    RuleInfo { id: MT_GN_LEN, profile: Profile::Idfix, attribute: "givenName", error: ErrorName::Length, summary: "longer than 63 characters; truncated" },
    RuleInfo { id: MT_MAIL_LEN, profile: Profile::Idfix, attribute: "mail", error: ErrorName::Length, summary: "longer than 256 characters; truncated" },
    RuleInfo { id: MT_MAIL_DUP, profile: Profile::Idfix, attribute: "mail", error: ErrorName::Duplicate, summary: "duplicate mail (the first holder gets an extra row when the proposed action is Edit)" },
    RuleInfo { id: MT_NICK_LEN, profile: Profile::Idfix, attribute: "mailnickname", error: ErrorName::Length, summary: "longer than 64 characters; truncated" },
    RuleInfo { id: MT_NICK_LEADDOT, profile: Profile::Idfix, attribute: "mailnickname", error: ErrorName::Character, summary: "leading periods; removed (cn if nothing remains)" },
    RuleInfo { id: MT_NICK_DUP, profile: Profile::Idfix, attribute: "mailnickname", error: ErrorName::Duplicate, summary: "duplicate mailNickname" },
    RuleInfo { id: MT_PROXY_LEN, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Length, summary: "value longer than 256 characters; truncated" },
    RuleInfo { id: MT_PROXY_COLON, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Character, summary: "a second : after the prefix; removed" },
    RuleInfo { id: MT_PROXY_DUP, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Duplicate, summary: "duplicate type:address value" },
    RuleInfo { id: MT_PROXY_CHAR_SMTP, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Character, summary: "SMTP value: whitespace \" ( ) , ; < > [ ]; removed" },
    RuleInfo { id: MT_PROXY_CHAR_X400, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Character, summary: "X400 value: \\f \\n \\r \\t \\v [ ] \" '; removed" },
    RuleInfo { id: MT_PROXY_CHAR_X500, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Character, summary: "X500 value: \\f \\n \\r \\t \\v [ ] \" '; removed" },
    RuleInfo { id: MT_PROXY_CHAR_OTHER, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Character, summary: "other types: whitespace \" ( ) , < > [ ]; removed" },
    RuleInfo { id: MT_PROXY_RFC, profile: Profile::Idfix, attribute: "proxyAddresses", error: ErrorName::Format, summary: "SMTP value fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)" },
    RuleInfo { id: MT_SAM_LEN, profile: Profile::Idfix, attribute: "sAMAccountName", error: ErrorName::Length, summary: "longer than 20 (objectClass user) or 256 characters; truncated" },
    RuleInfo { id: MT_SAM_CHAR, profile: Profile::Idfix, attribute: "sAMAccountName", error: ErrorName::Character, summary: "characters \\ \" | , / [ ] : < > + = ; ? *; removed" },
    RuleInfo { id: MT_SAM_DUP, profile: Profile::Idfix, attribute: "sAMAccountName", error: ErrorName::Duplicate, summary: "duplicate sAMAccountName (only when there is no userPrincipalName)" },
    RuleInfo { id: MT_TGT_LEN, profile: Profile::Idfix, attribute: "targetAddress", error: ErrorName::Length, summary: "longer than 255 characters; truncated" },
    RuleInfo { id: MT_TGT_COLON, profile: Profile::Idfix, attribute: "targetAddress", error: ErrorName::Character, summary: "a second : after the prefix; removed" },
    RuleInfo { id: MT_TGT_DUP, profile: Profile::Idfix, attribute: "targetAddress", error: ErrorName::Duplicate, summary: "duplicate targetAddress" },
    RuleInfo { id: MT_TGT_CHAR_SMTP, profile: Profile::Idfix, attribute: "targetAddress", error: ErrorName::Character, summary: "SMTP value: whitespace \" ( ) , ; < > [ \\ ]; removed" },
    RuleInfo { id: MT_TGT_CHAR_OTHER, profile: Profile::Idfix, attribute: "targetAddress", error: ErrorName::Character, summary: "other types: whitespace \" ( ) , < > [ \\ ]; removed" },
    RuleInfo { id: MT_TGT_RFC, profile: Profile::Idfix, attribute: "targetAddress", error: ErrorName::Format, summary: "SMTP value fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)" },
    RuleInfo { id: MT_UPN_LEN, profile: Profile::Idfix, attribute: "userPrincipalName", error: ErrorName::Length, summary: "longer than 113 characters; truncated" },
    RuleInfo { id: MT_UPN_CHAR, profile: Profile::Idfix, attribute: "userPrincipalName", error: ErrorName::Character, summary: "whitespace \" % & ' ( ) * + , / : ; < = > ? [ \\ ] { | } and äëïöüÿÄËÏÖÜŸ; removed" },
    RuleInfo { id: MT_UPN_RFC, profile: Profile::Idfix, attribute: "userPrincipalName", error: ErrorName::Format, summary: "fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)" },
    RuleInfo { id: MT_UPN_DUP, profile: Profile::Idfix, attribute: "userPrincipalName", error: ErrorName::Duplicate, summary: "duplicate userPrincipalName (after the fixes above)" },
    RuleInfo { id: D_DN_LEN, profile: Profile::IdfixDedicated, attribute: "displayName", error: ErrorName::Length, summary: "longer than 256 characters; truncated" },
    RuleInfo { id: D_DN_CHAR, profile: Profile::IdfixDedicated, attribute: "displayName", error: ErrorName::Character, summary: "leading or trailing whitespace; trimmed (cn if nothing remains)" },
    RuleInfo { id: D_DN_BLANK, profile: Profile::IdfixDedicated, attribute: "displayName", error: ErrorName::Blank, summary: "group with absent or empty displayName; update = cn (≤255)" },
    RuleInfo { id: D_MAIL_LEN, profile: Profile::IdfixDedicated, attribute: "mail", error: ErrorName::Length, summary: "longer than 256 characters; truncated" },
    RuleInfo { id: D_MAIL_CHAR, profile: Profile::IdfixDedicated, attribute: "mail", error: ErrorName::Character, summary: "whitespace anywhere; removed" },
    RuleInfo { id: D_MAIL_RFC, profile: Profile::IdfixDedicated, attribute: "mail", error: ErrorName::Format, summary: "fails IdFix RFC 2822 check (Format/TopLevelDomain/DomainPart/LocalPart)" },
    RuleInfo { id: D_MAIL_DUP, profile: Profile::IdfixDedicated, attribute: "mail", error: ErrorName::Duplicate, summary: "duplicate mail" },
    RuleInfo { id: D_NICK_LEN, profile: Profile::IdfixDedicated, attribute: "mailnickname", error: ErrorName::Length, summary: "longer than 64 characters; truncated" },
    RuleInfo { id: D_NICK_CHAR, profile: Profile::IdfixDedicated, attribute: "mailnickname", error: ErrorName::Character, summary: "whitespace and ! \" # $ % & ' ( ) * + , / : ; < = > ? @ [ \\ ] ^ ` { | } ~; removed" },
    RuleInfo { id: D_NICK_DUP, profile: Profile::IdfixDedicated, attribute: "mailnickname", error: ErrorName::Duplicate, summary: "duplicate mailNickname" },
    RuleInfo { id: D_NICK_BLANK, profile: Profile::IdfixDedicated, attribute: "mailnickname", error: ErrorName::Blank, summary: "contact with absent or empty mailNickname; update = givenName.sn, else sAMAccountName, else cn" },
    RuleInfo { id: D_PROXY_LEN, profile: Profile::IdfixDedicated, attribute: "proxyAddresses", error: ErrorName::Length, summary: "value longer than 256 characters; truncated" },
    RuleInfo { id: D_PROXY_COLON, profile: Profile::IdfixDedicated, attribute: "proxyAddresses", error: ErrorName::Character, summary: "a second : after the prefix; removed" },
    RuleInfo { id: D_PROXY_DUP, profile: Profile::IdfixDedicated, attribute: "proxyAddresses", error: ErrorName::Duplicate, summary: "duplicate type:address value" },
    RuleInfo { id: D_PROXY_RFC, profile: Profile::IdfixDedicated, attribute: "proxyAddresses", error: ErrorName::Format, summary: "SMTP value fails IdFix RFC 2822 check" },
    RuleInfo { id: D_TGT_LEN, profile: Profile::IdfixDedicated, attribute: "targetAddress", error: ErrorName::Length, summary: "longer than 256 characters; truncated" },
    RuleInfo { id: D_TGT_BLANK, profile: Profile::IdfixDedicated, attribute: "targetAddress", error: ErrorName::Blank, summary: "contact or user with neither homeMDB nor targetAddress; update = SMTP:+mail (contacts)" },
    RuleInfo { id: D_TGT_RFC, profile: Profile::IdfixDedicated, attribute: "targetAddress", error: ErrorName::Format, summary: "SMTP value fails IdFix RFC 2822 check" },
];

// ---- scope (skip) reasons ----
/// Skip reason `deleted-object`: a deleted object (an `ldifde -x` export)
pub const SKIP_DELETED: &str = "deleted-object";
/// Skip reason `cn-dollar`: cn ends with $ (machine-style account)
pub const SKIP_CN_DOLLAR: &str = "cn-dollar";
/// Skip reason `well-known-prefix`: cn starts with one of IdFix's 15 well-known exclusion prefixes (Admini, Guest, krbtgt, msol, ...)
pub const SKIP_WELL_KNOWN: &str = "well-known-prefix";
/// Skip reason `conflict-object`: replication conflict (CNF) object
pub const SKIP_CONFLICT: &str = "conflict-object";
/// Skip reason `critical-system-object`: isCriticalSystemObject (idfix: TRUE; entra: present)
pub const SKIP_CRITICAL: &str = "critical-system-object";
/// Skip reason `sam-prefix`: user whose sAMAccountName starts with CAS\_, SUPPORT\_, MSOL\_ (entra: also AAD\_)
pub const SKIP_SAM_PREFIX: &str = "sam-prefix";
/// Skip reason `nickname-prefix`: user whose mailNickname starts with CAS\_ or SystemMailbox
pub const SKIP_NICK_PREFIX: &str = "nickname-prefix";
/// Skip reason `msol-hidden`: displayName starts with MSOL (contacts in entra: contains (MSOL)) and hidden from address lists
pub const SKIP_MSOL_HIDDEN: &str = "msol-hidden";
/// Skip reason `recipient-type`: msExchRecipientTypeDetails marks a system/arbitration/discovery mailbox (idfix: string compare; entra: bitmask 0x21C07000)
pub const SKIP_RECIPIENT_TYPE: &str = "recipient-type";
/// Skip reason `no-samaccountname`: entra: user without sAMAccountName
pub const SKIP_NO_SAM: &str = "no-samaccountname";
/// Skip reason `security-group-without-mail`: idfix: security group without mail
pub const SKIP_SECURITY_NO_MAIL: &str = "security-group-without-mail";
/// Skip reason `distribution-group-without-proxy`: idfix: distribution group without proxyAddresses
pub const SKIP_DISTRIBUTION_NO_PROXY: &str = "distribution-group-without-proxy";
/// Skip reason `distribution-group-not-mail-enabled`: entra: distribution group that is not mail-enabled (no proxyAddresses, or no primary address with @)
pub const SKIP_DISTRIBUTION_NOT_MAIL_ENABLED: &str = "distribution-group-not-mail-enabled";
/// Skip reason `contact-not-mail-enabled`: entra: contact without mail, or not mail-enabled (no proxyAddresses, or no primary address with @)
pub const SKIP_CONTACT_NOT_MAIL_ENABLED: &str = "contact-not-mail-enabled";
/// Skip reason `rich-coexistence-group`: entra: the MSOL\_AD\_Sync\_RichCoexistence group
pub const SKIP_RICH_COEXISTENCE: &str = "rich-coexistence-group";
/// Skip reason `role-group`: entra: Exchange role group (msExchRecipientTypeDetails & 0x40000000)
pub const SKIP_ROLE_GROUP: &str = "role-group";
/// Skip reason `ou-filter`: outside --include-ou / inside --exclude-ou
pub const SKIP_OU_FILTER: &str = "ou-filter";

/// Every reason [`crate::rules::scope::scope`] can give for skipping an entry.
pub static SKIP_REASONS: &[SkipInfo] = &[
    SkipInfo { id: SKIP_DELETED, summary: "deleted object (\\0ADEL: in its RDN: an ldifde -x export)" },
    SkipInfo { id: SKIP_CN_DOLLAR, summary: "idfix: cn ends with $ (machine-style account)" },
    SkipInfo { id: SKIP_WELL_KNOWN, summary: "idfix: cn starts with one of IdFix's 15 well-known exclusion prefixes (Admini, Guest, krbtgt, msol, ...)" },
    SkipInfo { id: SKIP_CONFLICT, summary: "replication conflict (CNF) object" },
    SkipInfo { id: SKIP_CRITICAL, summary: "isCriticalSystemObject (idfix: TRUE; entra: present)" },
    SkipInfo { id: SKIP_SAM_PREFIX, summary: "user whose sAMAccountName starts with CAS_, SUPPORT_ or MSOL_ (entra: AAD_… or MSOL_…, SUPPORT_388945a0, CAS_…})" },
    SkipInfo { id: SKIP_NICK_PREFIX, summary: "user whose mailNickname starts with CAS_ or SystemMailbox (entra: SystemMailbox{…, or CAS_…} on users and contacts)" },
    SkipInfo { id: SKIP_MSOL_HIDDEN, summary: "idfix: user whose displayName starts with MSOL, hidden from address lists (entra: contact whose displayName contains (MSOL), hidden)" },
    SkipInfo { id: SKIP_RECIPIENT_TYPE, summary: "msExchRecipientTypeDetails marks a system/arbitration/discovery mailbox (idfix: string compare; entra: bitmask 0x21C07000)" },
    SkipInfo { id: SKIP_NO_SAM, summary: "entra: user without sAMAccountName" },
    SkipInfo { id: SKIP_SECURITY_NO_MAIL, summary: "idfix: security group without mail" },
    SkipInfo { id: SKIP_DISTRIBUTION_NO_PROXY, summary: "idfix: distribution group without proxyAddresses" },
    SkipInfo { id: SKIP_DISTRIBUTION_NOT_MAIL_ENABLED, summary: "entra: distribution group that is not mail-enabled (no proxyAddresses, or no primary address with @)" },
    SkipInfo { id: SKIP_CONTACT_NOT_MAIL_ENABLED, summary: "entra: contact without mail, or not mail-enabled (no proxyAddresses, or no primary address with @)" },
    SkipInfo { id: SKIP_RICH_COEXISTENCE, summary: "entra: the MSOL_AD_Sync_RichCoexistence group" },
    SkipInfo { id: SKIP_ROLE_GROUP, summary: "entra: Exchange role group (msExchRecipientTypeDetails & 0x40000000)" },
    SkipInfo { id: SKIP_OU_FILTER, summary: "outside --include-ou / inside --exclude-ou" },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
        }
        for s in SKIP_REASONS {
            assert!(seen.insert(s.id), "duplicate id {}", s.id);
        }
    }

    #[test]
    fn id_style_matches_profile() {
        for r in RULES {
            match r.profile {
                Profile::Entra => assert!(
                    r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                    "{}",
                    r.id
                ),
                Profile::Idfix => assert!(r.id.starts_with("MT-"), "{}", r.id),
                Profile::IdfixDedicated => assert!(r.id.starts_with("D-"), "{}", r.id),
            }
            assert!(!r.summary.is_empty());
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            rule(UPN_CHARACTER).map(|r| r.error),
            Some(ErrorName::Character)
        );
        assert_eq!(
            rule("upn-nonroutable-suffix").map(|r| r.error),
            Some(ErrorName::TopLevelDomain)
        );
        assert_eq!(
            rule(D_MAIL_RFC).map(|r| r.profile),
            Some(Profile::IdfixDedicated)
        );
        assert!(rule("no-such-rule").is_none());
        assert!(rules_for(Profile::Idfix).all(|r| r.id.starts_with("MT-")));
        assert!(skip_reason(SKIP_CONFLICT).is_some());
    }

    /// `pub const NAME: &str = "value";` pairs of this file.
    fn constants() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for line in include_str!("catalog.rs").lines() {
            let Some(rest) = line.trim().strip_prefix("pub const ") else {
                continue;
            };
            let Some((name, value)) = rest.split_once(": &str = \"") else {
                continue;
            };
            let value = value.trim_end_matches("\";");
            out.push((name.to_string(), value.to_string()));
        }
        out
    }

    /// `id::NAME` tokens used in a source file.
    fn used_ids(src: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, _) in src.match_indices("id::") {
            let name: String = src[i + 4..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
        out
    }

    #[test]
    fn every_constant_is_listed_and_every_listed_id_has_a_constant() {
        let consts = constants();
        assert!(consts.len() >= RULES.len() + SKIP_REASONS.len());
        for (name, value) in &consts {
            assert!(
                rule(value).is_some() || skip_reason(value).is_some(),
                "{name} = {value} is not in RULES or SKIP_REASONS"
            );
        }
        for id in RULES
            .iter()
            .map(|r| r.id)
            .chain(SKIP_REASONS.iter().map(|s| s.id))
        {
            assert!(consts.iter().any(|(_, v)| v == id), "{id} has no constant");
        }
    }

    #[test]
    fn ids_used_by_entra_and_scope_are_in_the_catalog() {
        let consts = constants();
        let entra_src = include_str!("entra.rs");
        let scope_src = include_str!("scope.rs");
        for (src, profile_rules) in [(entra_src, true), (scope_src, false)] {
            let used = used_ids(src);
            assert!(!used.is_empty());
            for name in used {
                let (_, value) = consts
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("id::{name} is not a catalog constant"));
                if profile_rules {
                    let r = rule(value).unwrap_or_else(|| panic!("{value} is not a rule"));
                    assert_eq!(r.profile, Profile::Entra, "{value}");
                    // The module's own list of ids is complete.
                    assert!(
                        crate::rules::entra::RULE_IDS.contains(&value.as_str())
                            || value.contains("duplicate"),
                        "{value} missing from entra::RULE_IDS"
                    );
                } else {
                    assert!(skip_reason(value).is_some(), "{value} is not a skip reason");
                    assert!(crate::rules::scope::SKIP_IDS.contains(&value.as_str()));
                }
            }
        }
    }
}
