//! PowerShell `Export-Csv` semantics (formats.md §3.2): the Active Directory module's
//! property names mapped to LDAP attribute names, the type-name literals Export-Csv writes
//! instead of a collection's values, and `groupType` from `GroupCategory`/`GroupScope`.

/// What a header column becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mapped {
    /// The object's DN (`DistinguishedName`).
    Dn,
    /// An attribute: the LDAP name, and whether the property is a friendly alias of it
    /// (`Surname` for `sn`) rather than the LDAP name itself.
    Attr(&'static str, bool),
    /// A property with no known LDAP counterpart: kept under its own name.
    Own,
}

/// Friendly property name (lower case) → LDAP name, for the AD module's cmdlets.
const ALIASES: &[(&str, &str)] = &[
    ("certificates", "userCertificate"),
    ("city", "l"),
    ("country", "c"),
    ("created", "whenCreated"),
    ("emailaddress", "mail"),
    ("fax", "facsimileTelephoneNumber"),
    ("homepage", "wWWHomePage"),
    ("logonworkstations", "userWorkstations"),
    ("members", "member"),
    ("mobilephone", "mobile"),
    ("modified", "whenChanged"),
    ("name", "cn"),
    ("office", "physicalDeliveryOfficeName"),
    ("officephone", "telephoneNumber"),
    ("organization", "o"),
    ("pobox", "postOfficeBox"),
    ("serviceprincipalnames", "servicePrincipalName"),
    ("sid", "objectSid"),
    ("state", "st"),
    ("surname", "sn"),
];

/// LDAP names whose spelling is restored when a property carries them in another case.
const LDAP: &[&str] = &[
    "cn",
    "company",
    "department",
    "description",
    "displayName",
    "employeeID",
    "employeeNumber",
    "givenName",
    "groupType",
    "homeDirectory",
    "homeDrive",
    "homeMDB",
    "homePhone",
    "initials",
    "isCriticalSystemObject",
    "mail",
    "mailNickname",
    "manager",
    "member",
    "memberOf",
    "mobile",
    "msExchHideFromAddressLists",
    "msExchRecipientTypeDetails",
    "objectClass",
    "objectGUID",
    "objectSid",
    "postalCode",
    "profilePath",
    "proxyAddresses",
    "sAMAccountName",
    "scriptPath",
    "servicePrincipalName",
    "sn",
    "streetAddress",
    "targetAddress",
    "telephoneNumber",
    "title",
    "userAccountControl",
    "userCertificate",
    "userPrincipalName",
    "userSMIMECertificate",
    "whenChanged",
    "whenCreated",
];

/// Map one property name (as in the header) to what it becomes.
pub(crate) fn map_property(header: &str) -> Mapped {
    let h = header.trim();
    if h.eq_ignore_ascii_case("DistinguishedName") {
        return Mapped::Dn;
    }
    if let Some(&(_, ldap)) = ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(h)) {
        return Mapped::Attr(ldap, true);
    }
    if let Some(&ldap) = LDAP.iter().find(|l| l.eq_ignore_ascii_case(h)) {
        return Mapped::Attr(ldap, false);
    }
    Mapped::Own
}

/// The type names Export-Csv writes when a property holds a collection or array instead
/// of text: the values were never exported. (`System.Byte[]` is not one: it is what one
/// binary value becomes, also after `-join`, so it still counts as a value.)
pub(crate) const COLLECTION_LITERALS: &[&[u8]] = &[
    b"Microsoft.ActiveDirectory.Management.ADPropertyValueCollection",
    b"System.Object[]",
    b"System.String[]",
];

/// True when `cell` is one of [`COLLECTION_LITERALS`].
pub(crate) fn is_collection_literal(cell: &[u8]) -> bool {
    let c = cell.trim_ascii();
    COLLECTION_LITERALS.contains(&c)
}

/// The `groupType` value for a `GroupCategory` (`Security`/`Distribution`) and
/// `GroupScope` (`DomainLocal`/`Global`/`Universal`) pair, as AD stores it (a signed
/// 32-bit integer; security groups are negative).
pub(crate) fn group_type(category: &[u8], scope: &[u8]) -> Option<i32> {
    let scope_bit: u32 = match scope.trim_ascii().to_ascii_lowercase().as_slice() {
        b"global" => 0x2,
        b"domainlocal" => 0x4,
        b"universal" => 0x8,
        _ => return None,
    };
    let security: u32 = match category.trim_ascii().to_ascii_lowercase().as_slice() {
        b"security" => 0x8000_0000,
        b"distribution" => 0,
        _ => return None,
    };
    Some((scope_bit | security) as i32)
}

/// The object class a PowerShell `#TYPE` line names: `Get-ADUser` objects are users
/// (`Selected.` prefix from Select-Object, `Deserialized.` from remoting included),
/// `Get-ADGroup` groups, `Get-ADComputer` computers; any other type names none.
pub(crate) fn class_of_type(type_name: &str) -> Option<&'static str> {
    let t = type_name.strip_prefix("Selected.").unwrap_or(type_name);
    let t = t.strip_prefix("Deserialized.").unwrap_or(t);
    match t.strip_prefix("Microsoft.ActiveDirectory.Management.")? {
        "ADUser" => Some("user"),
        "ADGroup" => Some("group"),
        "ADComputer" => Some("computer"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_names() {
        assert_eq!(map_property("DistinguishedName"), Mapped::Dn);
        assert_eq!(map_property("distinguishedname"), Mapped::Dn);
        assert_eq!(
            map_property("UserPrincipalName"),
            Mapped::Attr("userPrincipalName", false)
        );
        assert_eq!(
            map_property("SamAccountName"),
            Mapped::Attr("sAMAccountName", false)
        );
        assert_eq!(map_property("Surname"), Mapped::Attr("sn", true));
        assert_eq!(map_property("GivenName"), Mapped::Attr("givenName", false));
        assert_eq!(map_property("Name"), Mapped::Attr("cn", true));
        assert_eq!(map_property("EmailAddress"), Mapped::Attr("mail", true));
        assert_eq!(
            map_property("ProxyAddresses"),
            Mapped::Attr("proxyAddresses", false)
        );
        assert_eq!(map_property("Enabled"), Mapped::Own);
    }

    #[test]
    fn literals_and_group_type() {
        assert!(is_collection_literal(
            b"Microsoft.ActiveDirectory.Management.ADPropertyValueCollection"
        ));
        assert!(!is_collection_literal(b"SMTP:a@x"));
        assert_eq!(group_type(b"Security", b"Global"), Some(-2147483646));
        assert_eq!(group_type(b"Distribution", b"Universal"), Some(8));
        assert_eq!(group_type(b"security", b"DomainLocal"), Some(-2147483644));
        assert_eq!(group_type(b"x", b"Global"), None);
    }

    #[test]
    fn type_line_classes() {
        let t = "Microsoft.ActiveDirectory.Management.ADUser";
        assert_eq!(class_of_type(t), Some("user"));
        assert_eq!(class_of_type(&format!("Selected.{t}")), Some("user"));
        assert_eq!(class_of_type(&format!("Deserialized.{t}")), Some("user"));
        assert_eq!(
            class_of_type("Microsoft.ActiveDirectory.Management.ADGroup"),
            Some("group")
        );
        assert_eq!(
            class_of_type("Microsoft.ActiveDirectory.Management.ADObject"),
            None
        );
        assert_eq!(
            class_of_type("System.Management.Automation.PSCustomObject"),
            None
        );
    }
}
