//! csvde column semantics: which columns hold several values joined with `;`, how a
//! doubtful split is regrouped, and `X'hex'` binary values (formats.md §3.1). The
//! multi-value splitting is shared with PowerShell files whose users joined values with
//! `;` themselves.

use std::borrow::Cow;

/// What a single value of a multi-valued attribute looks like, to judge a `;` split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A proxy address: `type:address` (`SMTP:a@x`, `X500:/o=…`, `X400:c=US;a= ;…`).
    Proxy,
    /// A distinguished name (contains `=`).
    Dn,
    /// An object class name (letters, digits, `-`).
    Class,
    /// Anything non-empty.
    Any,
}

/// Attributes that are single-valued in AD (or always exported as one value): never
/// split on `;`, whatever they contain. Lower case.
const SINGLE: &[&str] = &[
    "accountexpires",
    "c",
    "cn",
    "co",
    "comment",
    "company",
    "department",
    "displayname",
    "distinguishedname",
    "division",
    "dnshostname",
    "employeeid",
    "employeenumber",
    "employeetype",
    "givenname",
    "grouptype",
    "homedirectory",
    "homedrive",
    "homemdb",
    "homemta",
    "info",
    "initials",
    "instancetype",
    "iscriticalsystemobject",
    "l",
    "lastlogontimestamp",
    "legacyexchangedn",
    "mail",
    "mailnickname",
    "manager",
    "managedby",
    "mobile",
    "msexchhidefromaddresslists",
    "msexchhomeservername",
    "msexchmailboxguid",
    "msexchrecipientdisplaytype",
    "msexchrecipienttypedetails",
    "name",
    "objectcategory",
    "objectguid",
    "objectsid",
    "physicaldeliveryofficename",
    "postalcode",
    "primarygroupid",
    "profilepath",
    "pwdlastset",
    "samaccountname",
    "samaccounttype",
    "scriptpath",
    "sn",
    "st",
    "streetaddress",
    "targetaddress",
    "telephonenumber",
    "title",
    "useraccountcontrol",
    "userprincipalname",
    "usnchanged",
    "usncreated",
    "whenchanged",
    "whencreated",
    "wwwhomepage",
];

/// DN-valued multi-valued attributes. Lower case.
const DN_MULTI: &[&str] = &[
    "directreports",
    "member",
    "memberof",
    "msexchdelegatelistlink",
    "publicdelegates",
    "seealso",
    "showinaddressbook",
];

/// Attributes that are multi-valued in AD, for PowerShell files (where only these are
/// split). Lower case.
pub(crate) const MULTI: &[&str] = &[
    "altsecurityidentities",
    "directreports",
    "member",
    "memberof",
    "msexchdelegatelistlink",
    "msexchextensioncustomattribute1",
    "msexchextensioncustomattribute2",
    "msexchextensioncustomattribute3",
    "msexchextensioncustomattribute4",
    "msexchextensioncustomattribute5",
    "objectclass",
    "otherfacsimiletelephonenumber",
    "otherhomephone",
    "otheripphone",
    "othermailbox",
    "othermobile",
    "otherpager",
    "othertelephone",
    "proxyaddresses",
    "publicdelegates",
    "seealso",
    "serviceprincipalname",
    "showinaddressbook",
    "url",
    "usercertificate",
    "usersmimecertificate",
];

fn base_name(name: &str) -> String {
    name.split(';')
        .next()
        .unwrap_or(name)
        .trim()
        .to_ascii_lowercase()
}

/// True when `name` (an LDAP attribute name) is single-valued for csvde purposes.
pub(crate) fn is_single(name: &str) -> bool {
    let b = base_name(name);
    SINGLE.contains(&b.as_str()) || (b.starts_with("extensionattribute") && b.len() > 18)
}

/// How the values of a multi-valued attribute look.
pub(crate) fn piece_of(name: &str) -> Piece {
    let b = base_name(name);
    if b == "proxyaddresses" {
        Piece::Proxy
    } else if b == "objectclass" {
        Piece::Class
    } else if DN_MULTI.contains(&b.as_str()) {
        Piece::Dn
    } else {
        Piece::Any
    }
}

/// `type:` at the start of a proxy address (1 to 16 letters, digits or `-`).
fn proxy_start(p: &[u8]) -> bool {
    match memchr::memchr(b':', p) {
        Some(i) => {
            (1..=16).contains(&i)
                && p[..i]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        }
        None => false,
    }
}

fn looks_like(p: &[u8], kind: Piece) -> bool {
    match kind {
        Piece::Proxy => proxy_start(p),
        Piece::Dn => memchr::memchr(b'=', p).is_some(),
        Piece::Class => !p.is_empty() && p.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'),
        Piece::Any => !p.is_empty(),
    }
}

/// Split a field holding values joined with `join` (csvde: always `;`). Returns the
/// values and whether the split is a guess (the field has an X.400 proxy address, whose
/// own `;` cannot be told from a joiner `;`, or a piece that does not look like a value of
/// the attribute). A guessed split regroups pieces that do not start a value onto the
/// value before them (proxy addresses and DNs) or keeps the field whole.
pub(crate) fn split_multi(field: &[u8], kind: Piece, join: u8) -> (Vec<Cow<'_, [u8]>>, bool) {
    if memchr::memchr(join, field).is_none() {
        return (vec![Cow::Borrowed(field)], false);
    }
    // DNs joined with ',' cannot be split: every RDN looks like a DN of its own.
    if kind == Piece::Dn && join == b',' {
        return (vec![Cow::Borrowed(field)], true);
    }
    let pieces: Vec<&[u8]> = field.split(|&c| c == join).collect();
    let x400 = kind == Piece::Proxy
        && join == b';'
        && pieces
            .iter()
            .any(|p| p.len() >= 5 && p[..5].eq_ignore_ascii_case(b"X400:"));
    if !x400 && pieces.iter().all(|p| looks_like(p, kind)) {
        return (pieces.into_iter().map(Cow::Borrowed).collect(), false);
    }
    match kind {
        Piece::Proxy | Piece::Dn => {
            let mut out: Vec<Vec<u8>> = Vec::new();
            for p in pieces {
                match out.last_mut() {
                    Some(last) if !looks_like(p, kind) => {
                        last.push(join);
                        last.extend_from_slice(p);
                    }
                    _ => out.push(p.to_vec()),
                }
            }
            (out.into_iter().map(Cow::Owned).collect(), true)
        }
        Piece::Class | Piece::Any => (vec![Cow::Borrowed(field)], true),
    }
}

/// Decode a csvde binary value `X'<hex>'` (either case); `None` when `v` is not one.
pub(crate) fn decode_hex_literal(v: &[u8]) -> Option<Vec<u8>> {
    let inner = v
        .strip_prefix(b"X'")
        .or_else(|| v.strip_prefix(b"x'"))?
        .strip_suffix(b"'")?;
    if inner.len() % 2 != 0 {
        return None;
    }
    let nib = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    inner
        .chunks_exact(2)
        .map(|pair| Some(nib(pair[0])? << 4 | nib(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[Cow<'_, [u8]>]) -> Vec<String> {
        v.iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect()
    }

    #[test]
    fn plain_split() {
        let (v, guess) = split_multi(
            b"SMTP:a@x.com;smtp:b@x.com;X500:/o=Org/cn=a",
            Piece::Proxy,
            b';',
        );
        assert!(!guess);
        assert_eq!(
            strs(&v),
            ["SMTP:a@x.com", "smtp:b@x.com", "X500:/o=Org/cn=a"]
        );
        let (v, guess) = split_multi(b"CN=a,DC=x;CN=b,DC=x", Piece::Dn, b';');
        assert!(!guess);
        assert_eq!(v.len(), 2);
        let (v, guess) = split_multi(b"SMTP:a@x.com", Piece::Proxy, b';');
        assert!(!guess);
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn other_joiners() {
        // With '|' an X.400 address's own ';' is no joiner: an exact split.
        let (v, guess) = split_multi(
            b"SMTP:a@x.com|X400:c=US;a= ;p=Org;s=A;|smtp:b@x.com",
            Piece::Proxy,
            b'|',
        );
        assert!(!guess);
        assert_eq!(
            strs(&v),
            ["SMTP:a@x.com", "X400:c=US;a= ;p=Org;s=A;", "smtp:b@x.com"]
        );
        // DNs joined with ',' cannot be told apart: kept whole, reported as a guess.
        let (v, guess) = split_multi(b"CN=a,DC=x,CN=b,DC=x", Piece::Dn, b',');
        assert!(guess);
        assert_eq!(strs(&v), ["CN=a,DC=x,CN=b,DC=x"]);
    }

    #[test]
    fn x400_is_a_reported_guess() {
        let (v, guess) = split_multi(
            b"SMTP:j@contoso.com;X400:c=US;a= ;p=Contoso;o=Exchange;s=Smith;g=John;;smtp:js@contoso.com",
            Piece::Proxy,
            b';',
        );
        assert!(guess);
        assert_eq!(
            strs(&v),
            [
                "SMTP:j@contoso.com",
                "X400:c=US;a= ;p=Contoso;o=Exchange;s=Smith;g=John;",
                "smtp:js@contoso.com"
            ]
        );
    }

    #[test]
    fn unknown_attribute_with_empty_piece_is_kept_whole() {
        let (v, guess) = split_multi(b"a;;b", Piece::Any, b';');
        assert!(guess);
        assert_eq!(strs(&v), ["a;;b"]);
        let (v, guess) = split_multi(b"top;person;user", Piece::Class, b';');
        assert!(!guess);
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn hex_literals() {
        assert_eq!(decode_hex_literal(b"X'00ff1A'"), Some(vec![0, 255, 0x1a]));
        assert_eq!(decode_hex_literal(b"X''"), Some(vec![]));
        assert_eq!(decode_hex_literal(b"X'0'"), None);
        assert_eq!(decode_hex_literal(b"X'zz'"), None);
        assert_eq!(decode_hex_literal(b"0011"), None);
    }

    #[test]
    fn classification() {
        assert!(is_single("displayName"));
        assert!(is_single("extensionAttribute7"));
        assert!(!is_single("proxyAddresses"));
        assert_eq!(piece_of("ProxyAddresses"), Piece::Proxy);
        assert_eq!(piece_of("memberOf"), Piece::Dn);
        assert_eq!(piece_of("objectclass"), Piece::Class);
        assert_eq!(piece_of("otherTelephone"), Piece::Any);
    }
}
