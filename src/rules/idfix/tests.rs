//! Tests of the IdFix 2.6.0.3 engine: every worked example of idfix-rules.md §7.1, the
//! duplicate semantics of §6, the dedicated special rules, and the CSV/update-file formats.

use super::csv::{self as icsv, CsvAction, CsvError};
use super::*;
use crate::ldif::{Item, Parser};

const DN: &str = "CN=John Smith,OU=Staff,DC=contoso,DC=com";

fn parse(ldif: &str) -> Vec<Entry<'_>> {
    Parser::new(ldif.as_bytes())
        .filter_map(|i| match i.expect("valid test LDIF") {
            Item::Record(r) => Entry::from_record(0, r),
            _ => None,
        })
        .collect()
}

fn mt() -> IdfixEngine {
    IdfixEngine::new(false, TldSet::idfix())
}

fn dedicated() -> IdfixEngine {
    IdfixEngine::new(true, TldSet::idfix())
}

/// A user "John Smith" (displayName set, so only the attribute under test fails) with one
/// extra attribute line; run MT and return the rows for `attribute`.
fn john(attr_line: &str, attribute: &str) -> Vec<Row> {
    let ldif = format!(
        "dn: {DN}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: John Smith\ndisplayName: John Smith\n{attr_line}\n"
    );
    let es = parse(&ldif);
    let mut eng = mt();
    let rows = eng.check(&es[0]);
    rows.into_iter()
        .filter(|r| r.finding.attribute == attribute)
        .collect()
}

fn errs(r: &Row) -> String {
    r.finding
        .errors
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Assert one row with this ERROR cell, UPDATE (None = empty) and PROPOSED.
fn expect(rows: &[Row], error: &str, update: Option<&str>, action: Action) {
    assert_eq!(rows.len(), 1, "rows: {rows:#?}");
    let r = &rows[0];
    assert_eq!(errs(r), error);
    assert_eq!(r.finding.update.as_deref(), update);
    assert_eq!(r.finding.action, action);
    assert_eq!(r.entry.dn, DN);
    assert_eq!(r.entry.cn, "John Smith");
    assert_eq!(r.object_class, "user");
}

// ----- §7.1 worked examples, userPrincipalName -----

#[test]
fn upn_space_is_character() {
    let r = john(
        "userPrincipalName: John Smith@contoso.com",
        "userPrincipalName",
    );
    expect(&r, "Character", Some("JohnSmith@contoso.com"), Action::Edit);
    assert_eq!(r[0].finding.rules, vec![id::MT_UPN_CHAR]);
    assert_eq!(r[0].finding.value, "John Smith@contoso.com");
}

#[test]
fn upn_apostrophe_is_character() {
    let r = john(
        "userPrincipalName: john.o'neil@contoso.com",
        "userPrincipalName",
    );
    expect(
        &r,
        "Character",
        Some("john.oneil@contoso.com"),
        Action::Edit,
    );
}

#[test]
fn upn_local_tld_is_top_level_domain() {
    let r = john(
        "userPrincipalName: jsmith@contoso.local",
        "userPrincipalName",
    );
    expect(
        &r,
        "TopLevelDomain",
        Some("jsmith@contoso.local"),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_UPN_RFC]);
}

#[test]
fn upn_app_tld_is_top_level_domain_with_stale_list() {
    let r = john("userPrincipalName: jsmith@contoso.app", "userPrincipalName");
    expect(
        &r,
        "TopLevelDomain",
        Some("jsmith@contoso.app"),
        Action::Edit,
    );
}

#[test]
fn upn_double_at_is_local_part() {
    let r = john(
        "userPrincipalName: jsmith@@contoso.com",
        "userPrincipalName",
    );
    expect(&r, "LocalPart", Some("jsmith@contoso.com"), Action::Edit);
}

#[test]
fn upn_without_at_is_format_domain_local() {
    let r = john("userPrincipalName: jsmith", "userPrincipalName");
    expect(
        &r,
        "Format, DomainPart, LocalPart",
        Some("jsmith"),
        Action::Edit,
    );
}

#[test]
fn upn_dot_before_at_is_local_part() {
    let r = john(
        "userPrincipalName: j.smith.@contoso.com",
        "userPrincipalName",
    );
    expect(&r, "LocalPart", Some("j.smith@contoso.com"), Action::Edit);
}

#[test]
fn upn_trailing_dot_is_format_domain() {
    let r = john(
        "userPrincipalName: jsmith@contoso.com.",
        "userPrincipalName",
    );
    expect(
        &r,
        "Format, DomainPart",
        Some("jsmith@contoso.com."),
        Action::Edit,
    );
}

#[test]
fn upn_umlaut_is_character() {
    let r = john("userPrincipalName: jürgen@contoso.de", "userPrincipalName");
    expect(&r, "Character", Some("jrgen@contoso.de"), Action::Edit);
}

#[test]
fn upn_acute_is_local_part() {
    let r = john("userPrincipalName: josé@contoso.com", "userPrincipalName");
    expect(&r, "LocalPart", Some("jos@contoso.com"), Action::Edit);
}

#[test]
fn upn_underscore_in_domain_is_domain_part() {
    let r = john(
        "userPrincipalName: jsmith@con_toso.com",
        "userPrincipalName",
    );
    expect(&r, "DomainPart", Some("jsmith@contoso.com"), Action::Edit);
}

#[test]
fn upn_all_invalid_falls_back_to_cn() {
    let r = john("userPrincipalName: %&*", "userPrincipalName");
    expect(
        &r,
        "Character, Format, DomainPart, LocalPart",
        Some("John Smith"),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_UPN_CHAR, id::MT_UPN_RFC]);
}

#[test]
fn upn_too_long_truncation_removes_domain() {
    let v = format!("{}@contoso.com", "a".repeat(120));
    let r = john(&format!("userPrincipalName: {v}"), "userPrincipalName");
    let a113 = "a".repeat(113);
    expect(
        &r,
        "Length, Format, DomainPart, LocalPart",
        Some(&a113),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_UPN_LEN, id::MT_UPN_RFC]);
}

#[test]
fn upn_64_48_limits_not_checked() {
    let v = format!("{}@{}.com", "a".repeat(60), "b".repeat(45));
    assert_eq!(v.len(), 110);
    assert!(john(&format!("userPrincipalName: {v}"), "userPrincipalName").is_empty());
}

#[test]
fn upn_dollar_is_accepted() {
    assert!(john(
        "userPrincipalName: j$smith@contoso.com",
        "userPrincipalName"
    )
    .is_empty());
}

// ----- §7.1 proxyAddresses -----

#[test]
fn proxy_smtp_space_is_character() {
    let r = john(
        "proxyAddresses: SMTP:john smith@contoso.com",
        "proxyAddresses",
    );
    expect(
        &r,
        "Character",
        Some("SMTP:johnsmith@contoso.com"),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_PROXY_CHAR_SMTP]);
}

#[test]
fn proxy_smtp_local_tld() {
    let r = john("proxyAddresses: smtp:john@contoso.local", "proxyAddresses");
    expect(
        &r,
        "TopLevelDomain",
        Some("smtp:john@contoso.local"),
        Action::Edit,
    );
}

#[test]
fn proxy_smtp_parentheses_are_character() {
    let r = john(
        "proxyAddresses: smtp:john(old)@contoso.com",
        "proxyAddresses",
    );
    expect(
        &r,
        "Character",
        Some("smtp:johnold@contoso.com"),
        Action::Edit,
    );
}

#[test]
fn proxy_x500_apostrophe_is_character() {
    let v = "X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=abc-O'Neil";
    let r = john(&format!("proxyAddresses: {v}"), "proxyAddresses");
    let fixed = v.replace('\'', "");
    expect(&r, "Character", Some(&fixed), Action::Edit);
    assert_eq!(r[0].finding.rules, vec![id::MT_PROXY_CHAR_X500]);
}

#[test]
fn proxy_second_colon_is_character() {
    let r = john("proxyAddresses: SIP:john:doe@contoso.com", "proxyAddresses");
    expect(
        &r,
        "Character",
        Some("SIP:johndoe@contoso.com"),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_PROXY_COLON]);
}

#[test]
fn proxy_eum_space_is_character() {
    let r = john(
        "proxyAddresses: EUM:1234;phone-context=Dial Plan.contoso.com",
        "proxyAddresses",
    );
    expect(
        &r,
        "Character",
        Some("EUM:1234;phone-context=DialPlan.contoso.com"),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_PROXY_CHAR_OTHER]);
}

#[test]
fn proxy_x400_space_and_semicolon_accepted() {
    assert!(john(
        "proxyAddresses: x400:c=US;a= ;p=Org;o=Exchange;s=Smith;",
        "proxyAddresses"
    )
    .is_empty());
}

#[test]
fn proxy_punycode_tld() {
    let r = john(
        "proxyAddresses: smtp:john.smith@contoso.xn--p1ai",
        "proxyAddresses",
    );
    expect(
        &r,
        "Format, TopLevelDomain, DomainPart",
        Some("smtp:john.smith@contoso.xn--p1ai"),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_PROXY_RFC]);
}

#[test]
fn proxy_18_letter_tld() {
    let r = john(
        "proxyAddresses: smtp:j@sub.contoso.northwesternmutual",
        "proxyAddresses",
    );
    expect(
        &r,
        "Format, TopLevelDomain, DomainPart",
        Some("smtp:j@sub.contoso.northwesternmutual"),
        Action::Edit,
    );
}

// ----- §7.1 other attributes -----

#[test]
fn target_backslash_is_character() {
    let r = john("targetAddress: SMTP:j\\smith@contoso.com", "targetAddress");
    expect(
        &r,
        "Character",
        Some("SMTP:jsmith@contoso.com"),
        Action::Edit,
    );
    assert_eq!(r[0].finding.rules, vec![id::MT_TGT_CHAR_SMTP]);
}

#[test]
fn nickname_leading_dot_is_character() {
    let r = john("mailNickname: .jsmith", "mailnickname");
    expect(&r, "Character", Some("jsmith"), Action::Edit);
    assert_eq!(r[0].finding.rules, vec![id::MT_NICK_LEADDOT]);
}

#[test]
fn nickname_only_dots_falls_back_to_cn() {
    let r = john("mailNickname: ...", "mailnickname");
    expect(&r, "Character", Some("John Smith"), Action::Edit);
}

#[test]
fn nickname_trailing_dot_not_checked_in_mt() {
    assert!(john("mailNickname: jsmith.", "mailnickname").is_empty());
}

#[test]
fn sam_slash_is_character() {
    let r = john("sAMAccountName: john/smith", "sAMAccountName");
    expect(&r, "Character", Some("johnsmith"), Action::Edit);
}

#[test]
fn sam_21_chars_is_length_for_users() {
    let v = "abcdefghijklmnopqrstu";
    let r = john(&format!("sAMAccountName: {v}"), "sAMAccountName");
    expect(&r, "Length", Some("abcdefghijklmnopqrst"), Action::Edit);
}

#[test]
fn sam_limit_is_256_for_inetorgperson() {
    let ldif = "dn: CN=I,DC=x\nobjectClass: user\nobjectClass: inetOrgPerson\ncn: I\ndisplayName: I\nsAMAccountName: abcdefghijklmnopqrstuvwxyz\n";
    let es = parse(ldif);
    assert!(mt().check(&es[0]).is_empty());
}

#[test]
fn display_name_absent_is_blank_with_cn() {
    let ldif = format!("dn: {DN}\nobjectClass: user\ncn: John Smith\n");
    let es = parse(&ldif);
    let r = mt().check(&es[0]);
    expect(&r, "Blank", Some("John Smith"), Action::Edit);
    assert_eq!(r[0].finding.attribute, "displayName");
    assert_eq!(r[0].finding.value, "");
    assert_eq!(r[0].finding.rules, vec![id::MT_DN_BLANK]);
}

#[test]
fn display_name_too_long_and_given_name() {
    let ldif = format!(
        "dn: {DN}\nobjectClass: user\ncn: John Smith\ndisplayName: {}\ngivenName: {}\n",
        "d".repeat(256),
        "g".repeat(64)
    );
    let es = parse(&ldif);
    let r = mt().check(&es[0]);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].finding.attribute, "displayName");
    assert_eq!(errs(&r[0]), "Length");
    assert_eq!(r[0].finding.update.as_deref().map(str::len), Some(255));
    assert_eq!(r[1].finding.attribute, "givenName");
    assert_eq!(r[1].finding.update.as_deref().map(str::len), Some(63));
}

#[test]
fn mt_attribute_order_and_strings() {
    let ldif = format!(
        "dn: {DN}\nobjectClass: user\ncn: John Smith\nuserPrincipalName: a b@contoso.com\ntargetAddress: x:a:b\nsAMAccountName: a/b\nproxyAddresses: smtp:a b@contoso.com\nmailNickname: .a\nmail: {}\ngivenName: {}\n",
        "m".repeat(257),
        "g".repeat(64)
    );
    let es = parse(&ldif);
    let r = mt().check(&es[0]);
    let attrs: Vec<&str> = r.iter().map(|r| r.finding.attribute).collect();
    assert_eq!(
        attrs,
        [
            "displayName",
            "givenName",
            "mail",
            "mailnickname",
            "proxyAddresses",
            "sAMAccountName",
            "targetAddress",
            "userPrincipalName"
        ]
    );
}

#[test]
fn alternate_login_id_skips_upn() {
    let ldif = format!("dn: {DN}\nobjectClass: user\ncn: John Smith\ndisplayName: J\nuserPrincipalName: a b@c.com\n");
    let es = parse(&ldif);
    let mut eng = mt().with_alternate_login_id(true);
    assert!(eng.check(&es[0]).is_empty());
}

#[test]
fn missing_cn_uses_first_rdn() {
    let es = parse("dn: CN=Smith\\, Ann,DC=x\nobjectClass: user\n");
    let r = mt().check(&es[0]);
    assert_eq!(r[0].entry.cn, "Smith, Ann");
    assert_eq!(r[0].finding.update.as_deref(), Some("Smith, Ann"));
}

#[test]
fn missing_object_class_is_empty_type() {
    let es = parse("dn: CN=A,DC=x\ncn: A\n");
    let r = mt().check(&es[0]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].object_class, "");
}

// ----- §6 duplicates -----

fn user(name: &str, extra: &str) -> String {
    format!("dn: CN={name},OU=Staff,DC=contoso,DC=com\nobjectClass: user\ncn: {name}\ndisplayName: {name}\n{extra}\n\n")
}

#[test]
fn duplicate_first_proxy_with_nickname_is_complete_and_first_holder_not_listed() {
    let ldif = user("A", "mailNickname: a\nproxyAddresses: SMTP:x@contoso.com")
        + &user("B", "mailNickname: b\nproxyAddresses: SMTP:x@contoso.com");
    let es = parse(&ldif);
    let mut eng = mt();
    assert!(eng.check(&es[0]).is_empty());
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].entry.cn, "B");
    assert_eq!(errs(&r[0]), "Duplicate");
    assert_eq!(r[0].finding.update.as_deref(), Some("SMTP:x@contoso.com"));
    assert_eq!(r[0].finding.action, Action::Complete);
    assert_eq!(r[0].finding.rules, vec![id::MT_PROXY_DUP]);
}

#[test]
fn duplicate_second_proxy_is_edit_with_row_for_first_holder() {
    let ldif = user("A", "mailNickname: a\nproxyAddresses: SMTP:x@contoso.com")
        + &user("B", "mailNickname: b\nproxyAddresses: SMTP:b@contoso.com\nproxyAddresses: smtp:X@Contoso.com");
    let es = parse(&ldif);
    let mut eng = mt();
    assert!(eng.check(&es[0]).is_empty());
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 2, "{r:#?}");
    // the extra row comes first: DN/CN of A, object type of B, B's value
    assert_eq!(r[0].entry.cn, "A");
    assert_eq!(r[0].entry.dn, "CN=A,OU=Staff,DC=contoso,DC=com");
    assert_eq!(r[0].finding.value, "smtp:X@Contoso.com");
    assert_eq!(errs(&r[0]), "Duplicate");
    assert_eq!(r[0].finding.action, Action::Edit);
    assert_eq!(r[0].finding.update.as_deref(), Some("smtp:X@Contoso.com"));
    assert_eq!(r[1].entry.cn, "B");
    assert_eq!(r[1].finding.action, Action::Edit);
}

#[test]
fn duplicate_extra_row_uses_current_object_type() {
    let ldif = "dn: CN=G,DC=x\nobjectClass: group\ncn: G\ndisplayName: G\nmail: m@x.com\n\n"
        .to_string()
        + &user("U", "mail: M@X.com");
    let es = parse(&ldif);
    let mut eng = mt();
    eng.check(&es[0]);
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].entry.cn, "G");
    assert_eq!(r[0].object_class, "user");
    assert_eq!(r[1].finding.action, Action::Edit); // no mailNickname
}

#[test]
fn duplicate_proxy_without_nickname_is_remove() {
    let ldif = user("A", "proxyAddresses: smtp:x@contoso.com")
        + &user("B", "proxyAddresses: smtp:x@contoso.com");
    let es = parse(&ldif);
    let mut eng = mt();
    eng.check(&es[0]);
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].finding.action, Action::Remove);
}

#[test]
fn duplicate_non_smtp_proxy_is_edit_with_extra_row() {
    let ldif = user("A", "proxyAddresses: sip:x@contoso.com")
        + &user("B", "proxyAddresses: SIP:X@contoso.com");
    let es = parse(&ldif);
    let mut eng = mt();
    eng.check(&es[0]);
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].entry.cn, "A");
}

#[test]
fn duplicate_prefix_is_part_of_the_key() {
    let ldif = user(
        "A",
        "proxyAddresses: smtp:x@contoso.com\nmail: x@contoso.com",
    ) + &user(
        "B",
        "proxyAddresses: sip:x@contoso.com\nuserPrincipalName: x@contoso.com",
    );
    let es = parse(&ldif);
    let mut eng = mt();
    assert!(eng.check(&es[0]).is_empty());
    assert!(eng.check(&es[1]).is_empty());
}

#[test]
fn duplicate_within_one_object() {
    let ldif = user(
        "A",
        "mailNickname: a\nproxyAddresses: SMTP:x@contoso.com\nproxyAddresses: smtp:x@contoso.com",
    );
    let es = parse(&ldif);
    let r = mt().check(&es[0]);
    // second value: not the first proxy ⇒ Edit, and an extra row naming A itself
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|r| r.entry.cn == "A"));
    assert_eq!(r[1].finding.value, "smtp:x@contoso.com");
    assert_eq!(r[1].finding.action, Action::Edit);
}

#[test]
fn duplicate_upn_with_nickname_is_complete() {
    let ldif = user("A", "userPrincipalName: a@contoso.com")
        + &user("B", "mailNickname: b\nuserPrincipalName: A@CONTOSO.COM");
    let es = parse(&ldif);
    let mut eng = mt();
    eng.check(&es[0]);
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].finding.action, Action::Complete);
    assert_eq!(r[0].finding.rules, vec![id::MT_UPN_DUP]);
}

#[test]
fn duplicate_nickname_with_home_mdb_is_complete() {
    let ldif = user("A", "mailNickname: nick") + &user("B", "mailNickname: NICK\nhomeMDB: CN=db");
    let es = parse(&ldif);
    let mut eng = mt();
    eng.check(&es[0]);
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].finding.action, Action::Complete);
}

#[test]
fn duplicate_upn_is_judged_on_the_repaired_value() {
    // B's UPN is repaired to A's; the store key is the running value, so B is a
    // duplicate (Edit, since the value changed); the first-holder lookup uses B's
    // *original* value, which no one holds: IdFix 2.6.0.3 swallows the exception and
    // the extra row is omitted.
    let ldif = user("A", "userPrincipalName: jsmith@contoso.com")
        + &user("B", "userPrincipalName: j smith@contoso.com");
    let es = parse(&ldif);
    let mut eng = mt();
    eng.check(&es[0]);
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(errs(&r[0]), "Character, Duplicate");
    assert_eq!(r[0].finding.update.as_deref(), Some("jsmith@contoso.com"));
    assert_eq!(r[0].finding.action, Action::Edit);
}

#[test]
fn sam_duplicate_only_without_upn() {
    let ldif = user("A", "sAMAccountName: js")
        + &user("B", "sAMAccountName: JS")
        + &user("C", "sAMAccountName: js\nuserPrincipalName: c@contoso.com");
    let es = parse(&ldif);
    let mut eng = mt();
    eng.check(&es[0]);
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 2); // extra row for A (no mailNickname ⇒ Edit)
    assert_eq!(r[1].finding.rules, vec![id::MT_SAM_DUP]);
    assert!(eng.check(&es[2]).is_empty());
}

#[test]
fn three_holders_list_the_first_twice() {
    let ldif =
        user("A", "mail: m@x.com") + &user("B", "mail: m@x.com") + &user("C", "mail: m@x.com");
    let es = parse(&ldif);
    let mut eng = mt();
    let mut rows: Vec<Row> = es.iter().flat_map(|e| eng.check(e)).collect();
    sort_rows(&mut rows);
    let cns: Vec<&str> = rows.iter().map(|r| r.entry.cn.as_str()).collect();
    assert_eq!(cns, ["A", "A", "B", "C"]);
}

// ----- dedicated -----

#[test]
fn dedicated_display_name_trim_and_group_blank() {
    let ldif = "dn: CN=G,DC=x\nobjectClass: group\ncn: G\n\ndn: CN=U,DC=x\nobjectClass: user\ncn: U\n\ndn: CN=T,DC=x\nobjectClass: user\ncn: T\ndisplayName:: ICBUcmltICA=\nhomeMDB: CN=db\n";
    let es = parse(ldif);
    let mut eng = dedicated();
    let g = eng.check(&es[0]);
    let g: Vec<_> = g
        .iter()
        .filter(|r| r.finding.attribute == "displayName")
        .collect();
    assert_eq!(g.len(), 1);
    assert_eq!(errs(g[0]), "Blank");
    assert_eq!(g[0].finding.update.as_deref(), Some("G"));
    assert_eq!(g[0].finding.rules, vec![id::D_DN_BLANK]);
    let u = eng.check(&es[1]);
    assert!(u.iter().all(|r| r.finding.attribute != "displayName"));
    let t = eng.check(&es[2]);
    assert_eq!(t.len(), 1);
    assert_eq!(errs(&t[0]), "Character");
    assert_eq!(t[0].finding.update.as_deref(), Some("Trim"));
}

#[test]
fn dedicated_group_blank_truncates_cn_to_255() {
    let cn = "c".repeat(300);
    let ldif = format!("dn: CN=g,DC=x\nobjectClass: group\ncn: {cn}\n");
    let es = parse(&ldif);
    let r = dedicated().check(&es[0]);
    assert_eq!(r[0].finding.update.as_deref().map(str::len), Some(255));
}

#[test]
fn dedicated_mail_whitespace_then_rfc_then_duplicate() {
    let ldif = "dn: CN=A,DC=x\nobjectClass: user\ncn: A\nhomeMDB: CN=db\nmail: holly@adatum.com\n\ndn: CN=B,DC=x\nobjectClass: user\ncn: B\nhomeMDB: CN=db\nmail: holly @adatum.com\n";
    let es = parse(ldif);
    let mut eng = dedicated();
    assert!(eng.check(&es[0]).is_empty());
    let r = eng.check(&es[1]);
    assert_eq!(r.len(), 1, "{r:#?}");
    assert_eq!(errs(&r[0]), "Character, Duplicate");
    assert_eq!(r[0].finding.rules, vec![id::D_MAIL_CHAR, id::D_MAIL_DUP]);
}

#[test]
fn dedicated_nickname_characters() {
    let ldif =
        "dn: CN=A,DC=x\nobjectClass: user\ncn: A\nhomeMDB: CN=db\nmailNickname: j smith@x!\n";
    let es = parse(ldif);
    let r = dedicated().check(&es[0]);
    assert_eq!(r.len(), 1);
    assert_eq!(errs(&r[0]), "Character");
    assert_eq!(r[0].finding.update.as_deref(), Some("jsmithx"));
    assert_eq!(r[0].finding.attribute, "mailnickname");
}

#[test]
fn dedicated_nickname_periods_rule_never_reports() {
    let ldif = "dn: CN=A,DC=x\nobjectClass: user\ncn: A\nhomeMDB: CN=db\nmailNickname: .jsmith.\n";
    let es = parse(ldif);
    assert!(dedicated().check(&es[0]).is_empty());
}

#[test]
fn dedicated_contact_nickname_blank_fixers() {
    let base = "objectClass: contact\nmail: c@contoso.com\ntargetAddress: SMTP:c@contoso.com\n";
    let cases = [
        ("givenName: Ann\nsn: Lee\n", "Ann.Lee"),
        ("givenName: Ann\n", "Ann"),
        ("sn: Lee\n", "Lee"),
        ("sAMAccountName: alee\n", "alee"),
        ("", "Contact C"),
    ];
    for (extra, want) in cases {
        let ldif = format!("dn: CN=Contact C,DC=x\ncn: Contact C\n{base}{extra}");
        let es = parse(&ldif);
        let r = dedicated().check(&es[0]);
        assert_eq!(r.len(), 1, "{extra}: {r:#?}");
        assert_eq!(r[0].finding.attribute, "mailnickname");
        assert_eq!(errs(&r[0]), "Blank");
        assert_eq!(r[0].finding.update.as_deref(), Some(want), "{extra}");
        assert_eq!(r[0].finding.rules, vec![id::D_NICK_BLANK]);
    }
    // a user without mailNickname is not reported
    let es = parse("dn: CN=U,DC=x\nobjectClass: user\ncn: U\nhomeMDB: CN=db\n");
    assert!(dedicated().check(&es[0]).is_empty());
}

#[test]
fn dedicated_target_address_blank_rules() {
    // contact: update SMTP:+mail
    let es =
        parse("dn: CN=C,DC=x\nobjectClass: contact\ncn: C\nmailNickname: c\nmail: c@contoso.com\n");
    let r = dedicated().check(&es[0]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].finding.attribute, "targetAddress");
    assert_eq!(errs(&r[0]), "Blank");
    assert_eq!(r[0].finding.update.as_deref(), Some("SMTP:c@contoso.com"));
    // user without homeMDB: Blank with empty update
    let es = parse("dn: CN=U,DC=x\nobjectClass: user\ncn: U\nmail: u@contoso.com\n");
    let r = dedicated().check(&es[0]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].finding.update, None);
    assert_eq!(r[0].finding.action, Action::Edit);
    // user with homeMDB: fine; user with a blank homeMDB: Blank
    let es = parse("dn: CN=U,DC=x\nobjectClass: user\ncn: U\nhomeMDB: CN=db\n");
    assert!(dedicated().check(&es[0]).is_empty());
    let es = parse("dn: CN=U,DC=x\nobjectClass: user\ncn: U\nhomeMDB:: ICA=\n");
    assert_eq!(dedicated().check(&es[0]).len(), 1);
    // group: never
    let es = parse("dn: CN=G,DC=x\nobjectClass: group\ncn: G\ndisplayName: G\n");
    assert!(dedicated().check(&es[0]).is_empty());
    // contact without mail: reported without update (IdFix would throw)
    let es = parse("dn: CN=C,DC=x\nobjectClass: contact\ncn: C\nmailNickname: c\n");
    let r = dedicated().check(&es[0]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].finding.update, None);
}

#[test]
fn dedicated_target_rfc_and_final_newline() {
    // no character rule in dedicated: the `$`-before-final-newline quirk is observable
    let es = parse("dn: CN=U,DC=x\nobjectClass: user\ncn: U\nhomeMDB: CN=db\ntargetAddress:: U01UUDp1QGNvbnRvc28uY29tCg==\n");
    let r = dedicated().check(&es[0]);
    assert_eq!(r.len(), 1);
    assert_eq!(errs(&r[0]), "TopLevelDomain"); // ".com\n" is not in the list
    assert_eq!(r[0].finding.rules, vec![id::D_TGT_RFC]);
}

#[test]
fn dedicated_proxy_chain_has_no_character_rule() {
    let es = parse("dn: CN=U,DC=x\nobjectClass: user\ncn: U\nhomeMDB: CN=db\nproxyAddresses: X500:/cn=O'Neil\nproxyAddresses: smtp:a b@contoso.com\n");
    let r = dedicated().check(&es[0]);
    assert_eq!(r.len(), 1);
    assert_eq!(errs(&r[0]), "LocalPart"); // the repaired value passes the format check
    assert_eq!(r[0].finding.update.as_deref(), Some("smtp:ab@contoso.com"));
    assert_eq!(r[0].finding.rules, vec![id::D_PROXY_RFC]);
}

// ----- ordering -----

#[test]
fn sort_is_stable_and_case_insensitive() {
    let ldif = user("b", "") + &user("A", "") + &user("a", "mail: x");
    let ldif = ldif.replace("displayName", "x-ignored");
    let es = parse(&ldif);
    let mut eng = mt();
    let mut rows: Vec<Row> = es.iter().flat_map(|e| eng.check(e)).collect();
    sort_rows(&mut rows);
    let cns: Vec<&str> = rows.iter().map(|r| r.entry.cn.as_str()).collect();
    assert_eq!(cns, ["A", "a", "b"]);
    assert_eq!(culture_cmp("CN=é,DC=x", "CN=f,DC=x"), Ordering::Less);
    // hyphen ignored at the first level, a tie-break only
    assert_eq!(culture_cmp("CN=a-c", "CN=ab"), Ordering::Greater);
    assert_ne!(culture_cmp("CN=a-b", "CN=ab"), Ordering::Equal);
    assert_eq!(culture_cmp("CN=1", "CN=a"), Ordering::Less);
    assert_eq!(culture_cmp("CN=a,", "CN=a1"), Ordering::Less);
}

// ----- CSV -----

fn sample_rows() -> Vec<Row> {
    let ldif = format!(
        "dn: CN=Smith\\, John,OU=Staff,DC=contoso,DC=com\nobjectClass: user\ncn: Smith, John\ndisplayName: x\nuserPrincipalName: =cmd|' /C calc'!A0@x.com\nproxyAddresses: smtp:\"q\"@contoso.com\nmailNickname: {}\n",
        " -lead"
    );
    let es = parse(&ldif);
    let mut rows = mt().check(&es[0]);
    rows.extend(john(
        "userPrincipalName: John Smith@contoso.com",
        "userPrincipalName",
    ));
    rows
}

#[test]
fn csv_header_quoting_and_neutralisation() {
    let rows = sample_rows();
    let bytes = icsv::to_csv(&rows);
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with(
        "DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION\r\n"
    ));
    assert!(
        text.contains("\"CN=Smith\\, John,OU=Staff,DC=contoso,DC=com\",\"Smith, John\",\"user\""),
        "{text}"
    );
    assert!(text.contains("\"'=cmd|' /C calc'!A0@x.com\""), "{text}");
    assert!(text.contains("\"smtp:\"\"q\"\"@contoso.com\""), "{text}");
    assert!(text.ends_with("\"Edit\",\"\"\r\n"));
    // round trip
    let back = icsv::read_csv(&bytes).unwrap();
    assert_eq!(back.len(), rows.len());
    for (b, r) in back.iter().zip(&rows) {
        let cells = icsv::row_cells(r);
        assert_eq!(b.dn, cells[0]);
        assert_eq!(b.cn, cells[1]);
        assert_eq!(b.object_class, cells[2]);
        assert_eq!(b.attribute, cells[3]);
        assert_eq!(b.error, cells[4]);
        assert_eq!(b.value, cells[5]);
        assert_eq!(b.update, cells[6]);
        assert_eq!(b.proposed_action, cells[7]);
        assert_eq!(b.action, None);
    }
    assert_eq!(back[0].line, 2);
}

#[test]
fn neutralisation_is_reversible() {
    for s in [
        "=1+2", "+x", "-x", "@x", "\tx", "\rx", "'=x", "''+x", "'x", "x=", "", "'",
    ] {
        let n = icsv::neutralize(s);
        assert_eq!(icsv::unneutralize(&n), s, "{s:?}");
    }
    assert_eq!(icsv::neutralize("=x"), "'=x");
    assert_eq!(icsv::neutralize("'=x"), "''=x");
    assert_eq!(icsv::neutralize("'x"), "'x");
}

#[test]
fn csv_reads_idfix_export_quirks() {
    let idfix = "distinguishedName,commonName,objectClass,attribute,error,value,update,proposedAction,action\r\n\
\"CN=John Smith,OU=Staff,DC=contoso,DC=com\",John Smith,user,userPrincipalName,Character,John Smith@contoso.com,JohnSmith@contoso.com,Edit,EDIT\r\n\
\"CN=Ann Lee,OU=Staff,DC=contoso,DC=com\",Ann Lee,user,proxyAddresses,\"Character, Format, DomainPart\",smtp:ann lee@contoso,smtp:annlee@contoso,Edit,  REMOVE \r\n\
\r\n\
\"CN=Q,DC=x\",Q,user,proxyAddresses,Format,smtp:\"q\"@x.com,smtp:q@x.com,Edit,Edit\r\n\
\"CN=R,DC=x\",R,user,displayName,Blank,\"a \"b\" c, d\",,Edit,COMPLETE\r\n";
    let rows = icsv::read_csv(idfix.as_bytes()).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].dn, "CN=John Smith,OU=Staff,DC=contoso,DC=com");
    assert_eq!(rows[0].action, Some(CsvAction::Edit));
    assert_eq!(rows[1].error, "Character, Format, DomainPart");
    assert_eq!(rows[1].action, Some(CsvAction::Remove)); // trimmed
    assert_eq!(rows[2].line, 5);
    assert_eq!(rows[2].value, "smtp:\"q\"@x.com");
    assert_eq!(rows[2].action, None); // "Edit" is not an IdFix ACTION
    assert_eq!(rows[2].action_text, "Edit");
    assert_eq!(rows[3].value, "a \"b\" c, d");
    assert_eq!(rows[3].action, Some(CsvAction::Complete));
}

#[test]
fn csv_header_variants_and_errors() {
    // older IdFix: no COMMONNAME; columns in another order
    let ok = "ACTION,VALUE,DISTINGUISHEDNAME,ATTRIBUTE,UPDATE\nUNDO,v,CN=a,mail,u\n";
    let rows = icsv::read_csv(ok.as_bytes()).unwrap();
    assert_eq!(rows[0].action, Some(CsvAction::Undo));
    assert_eq!(rows[0].cn, "");
    assert_eq!(rows[0].dn, "CN=a");
    assert!(matches!(
        icsv::read_csv(b"DISTINGUISHEDNAME,VALUE\nx,y\n"),
        Err(CsvError::MissingColumn {
            column: "ATTRIBUTE",
            ..
        })
    ));
    assert!(matches!(icsv::read_csv(b""), Err(CsvError::Empty { .. })));
    let e = icsv::read_csv(b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\na,b,c,d,e,f\n")
        .unwrap_err();
    assert_eq!(e.line(), 2);
    // The header IdFix writes on a tr-TR system (dotted capital I).
    let rows = icsv::read_csv(
        "DİSTİNGUİSHEDNAME,COMMONNAME,OBJECTCLASS,ATTRİBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTİON,ACTİON\r\nCN=a,a,user,mail,Character,x y@z.com,xy@z.com,Edit,EDIT\r\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].dn.as_str(), rows[0].attribute.as_str()),
        ("CN=a", "mail")
    );
    assert_eq!(rows[0].action_text, "EDIT");
    // Fewer cells: a cut row, or IdFix's unescaped quotes in a value with a comma.
    let e = icsv::read_csv(
        b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\nCN=a,displayName,x,y,EDIT\n\"CN=b\",displayName,\"Roe, \"Bob\"\",\"Roe, Bob\",EDIT\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        CsvError::TooFewFields {
            line: 3,
            found: 4,
            expected: 5
        }
    );
    assert!(
        e.to_string()
            .starts_with("3: expected 5 cells like the header, found 4"),
        "{e}"
    );
    let e =
        icsv::read_csv(b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\n\n\"a,b\n").unwrap_err();
    assert_eq!(e, CsvError::Unterminated { line: 3, opened: 3 });
    assert_eq!(
        e.to_string(),
        "3: expected a closing '\"' for the field opened at line 3, found the end of the file (was the file cut short?)"
    );
    let e = icsv::read_csv(b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\n\"a,b\nc\n\n")
        .unwrap_err();
    assert_eq!(e, CsvError::Unterminated { line: 4, opened: 2 });
    // A row whose DN lost its closing quote would take the next row as part of its DN.
    let e = icsv::read_csv(
        b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n\"CN=a,DC=x,mail,a,b,EDIT\r\n\"CN=b,DC=x\",mail,c,d,EDIT\r\n",
    )
    .unwrap_err();
    assert_eq!(e, CsvError::RowInQuotes { line: 3, opened: 2 });
    // A lone quote elsewhere inside a quoted cell is still text, as IdFix writes it.
    let rows = icsv::read_csv(
        b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n\"CN=a,DC=x\",mail,\"x\r\ny \"q\" z\",,\r\n",
    )
    .unwrap();
    assert_eq!(rows[0].value, "x\r\ny \"q\" z");
    // UTF-16 with BOM
    let mut u16 = vec![0xFF, 0xFE];
    for c in
        "DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\nCN=ü,mail,v,,EDIT\r\n".encode_utf16()
    {
        u16.extend_from_slice(&c.to_le_bytes());
    }
    let rows = icsv::read_csv(&u16).unwrap();
    assert_eq!(rows[0].dn, "CN=ü");
}

#[test]
fn csv_reads_semicolon_and_tab_separated_saves() {
    // A spreadsheet in a de-DE/fr-FR locale saves with ';' and in Windows-1252; values
    // holding ',' stay unquoted, values holding ';' are quoted.
    let mut semi = b"DISTINGUISHEDNAME;ATTRIBUTE;VALUE;UPDATE;ACTION\r\n".to_vec();
    semi.extend_from_slice(b"\"CN=Roe\\, Bob;x,DC=x\";displayName;Roe, Bob;Bob Roe;EDIT\r\n");
    semi.extend_from_slice(b"CN=J\xfcrgen,DC=x;mail;j@x;;REMOVE\r\n");
    assert_eq!(icsv::first_code_page_line(&semi), Some(3));
    let rows = icsv::read_csv(&semi).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].dn, "CN=Roe\\, Bob;x,DC=x");
    assert_eq!(rows[0].value, "Roe, Bob");
    assert_eq!(rows[0].update, "Bob Roe");
    assert_eq!(rows[0].action, Some(icsv::CsvAction::Edit));
    assert_eq!(rows[1].dn, "CN=J\u{fc}rgen,DC=x");
    assert_eq!(rows[1].action, Some(icsv::CsvAction::Remove));
    assert_eq!(rows[1].line, 3);

    // Excel's "Unicode Text": UTF-16LE with BOM, TAB-separated; a cell may hold ',' and ';'.
    let mut tab = vec![0xFF, 0xFE];
    for c in "DISTINGUISHEDNAME\tATTRIBUTE\tVALUE\tUPDATE\tACTION\r\nCN=a,DC=x\tdisplayName\t a;b, c\t\"x\ty\"\tEDIT\r\n"
        .encode_utf16()
    {
        tab.extend_from_slice(&c.to_le_bytes());
    }
    assert_eq!(icsv::first_code_page_line(&tab), None);
    let rows = icsv::read_csv(&tab).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].dn, "CN=a,DC=x");
    assert_eq!(rows[0].value, "a;b, c");
    assert_eq!(rows[0].update, "x\ty");
    assert_eq!(rows[0].action, Some(icsv::CsvAction::Edit));

    // Saved back by a spreadsheet that read UTF-8 as its code page: untouched cells are
    // UTF-8 again, typed ones Windows-1252; each is read as what it is.
    let mixed = b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\nCN=J\xc3\xbcrgen,givenName,J\xc3\xbcrgen,J\xfcrgen ,EDIT\r\n";
    let rows = icsv::read_csv(mixed).unwrap();
    assert_eq!(rows[0].value, "J\u{fc}rgen");
    assert_eq!(rows[0].update, "J\u{fc}rgen");
    assert_eq!(icsv::first_code_page_line(mixed), Some(2));

    // IdFix's own comma file is unchanged, even with ';' in a value.
    let rows = icsv::read_csv(
        b"DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n\"CN=a,DC=x\",mail,a;b;c;d;e;f,,EDIT\r\n",
    )
    .unwrap();
    assert_eq!(rows[0].value, "a;b;c;d;e;f");
}

#[test]
fn csv_errors_name_the_line_and_what_was_expected() {
    const H: &str = "DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n";
    for (input, want) in [
        (
            String::new(),
            "1: expected the header DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION, found an empty file",
        ),
        (
            "\r\nDISTINGUISHEDNAME,VALUE\r\n".to_string(),
            "2: expected a column ATTRIBUTE in the header (DISTINGUISHEDNAME, ATTRIBUTE, VALUE, UPDATE and ACTION are needed), found none",
        ),
        (
            "DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION,value\r\n".to_string(),
            "1: expected each column once in the header, found VALUE twice",
        ),
        (
            format!("{H}a,b,c,d,e,f,g\r\n"),
            "2: expected at most 5 cells like the header, found 7 (a comma in an unquoted cell?)",
        ),
        (
            format!("{H}\"CN=a,DC=x\",mail,\"v\r\n,,\r\n"),
            "3: expected a closing '\"' for the field opened at line 2, found the end of the file (was the file cut short?)",
        ),
        (
            format!("{H}\"CN=a,DC=x,mail,v,,\r\n\"CN=b,DC=x\",mail,v,,\r\n"),
            "3: expected a closing '\"' for the field opened at line 2, found a row starting inside it (is the '\"' missing at the end of the field?)",
        ),
    ] {
        let e = icsv::read_csv(input.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), want);
        assert!(want.starts_with(&format!("{}: expected ", e.line())));
    }
    let e = icsv::read_update_file("\r\nvalue: x\r\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "2: expected a `distinguishedName:` line before `value:`"
    );
}

#[test]
fn csv_multiline_quoted_value_keeps_line_numbers() {
    let t = "DISTINGUISHEDNAME,ATTRIBUTE,VALUE,UPDATE,ACTION\r\n\"CN=a\",mail,\"x\r\ny\",,\r\nCN=b,mail,z,,EDIT\r\n";
    let rows = icsv::read_csv(t.as_bytes()).unwrap();
    assert_eq!(rows[0].value, "x\r\ny");
    assert_eq!(rows[1].line, 4);
}

#[test]
fn update_file_parsing() {
    let t = "distinguishedName: CN=John Smith,OU=Staff,DC=contoso,DC=com\r\nobjectClass: user\r\nattribute: userPrincipalName\r\nerror: Character\r\nvalue: John Smith@contoso.com\r\nupdate: JohnSmith@contoso.com\r\naction: Edit\r\n-\r\n\r\ndistinguishedName: CN=Ann,DC=x\r\nobjectClass: user\r\nattribute: proxyAddresses\r\nerror: Duplicate\r\nvalue: smtp:a: b@x.com\r\nupdate: \r\naction: Remove\r\n-\r\n\r\n";
    let rows = icsv::read_update_file(t).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].dn, "CN=John Smith,OU=Staff,DC=contoso,DC=com");
    assert_eq!(rows[0].line, 1);
    assert_eq!(rows[0].attribute, "userPrincipalName");
    assert_eq!(rows[0].value, "John Smith@contoso.com");
    assert_eq!(rows[0].update, "JohnSmith@contoso.com");
    assert_eq!(rows[0].action, "Edit");
    assert_eq!(rows[1].line, 10);
    assert_eq!(rows[1].value, "smtp:a: b@x.com");
    assert_eq!(rows[1].update, "");
    assert!(matches!(
        icsv::read_update_file("value: x\n"),
        Err(CsvError::NoRecord { line: 1, .. })
    ));
}

// ----- properties -----

mod props {
    use super::*;
    use proptest::prelude::*;

    fn row_with(dn: &str, cn: &str, value: &str, update: Option<String>) -> Row {
        Row {
            entry: EntryRef {
                file: 0,
                line: 1,
                dn: dn.to_string(),
                cn: cn.to_string(),
            },
            object_class: "user".into(),
            finding: Finding {
                attr: Attr::Mail,
                attribute: "mail",
                value: value.to_string(),
                errors: vec![ErrorName::Character, ErrorName::Format],
                rules: vec![id::MT_MAIL_LEN],
                update,
                action: Action::Edit,
            },
        }
    }

    proptest! {
        #[test]
        fn csv_round_trips_any_text(dn in "\\PC*", cn in ".*", value in "(\\PC|[\\r\\n\\t \"',=+@-])*", update in proptest::option::of("(\\PC|[\\r\\n\"])+")) {
            let rows = vec![row_with(&dn, &cn, &value, update.clone()), row_with("CN=x", "x", "", None)];
            let back = icsv::read_csv(&icsv::to_csv(&rows)).unwrap();
            prop_assert_eq!(back.len(), 2);
            prop_assert_eq!(&back[0].dn, &dn);
            prop_assert_eq!(&back[0].cn, &cn);
            prop_assert_eq!(&back[0].value, &value);
            prop_assert_eq!(back[0].update.clone(), update.unwrap_or_default());
            prop_assert_eq!(&back[0].error, "Character, Format");
        }

        #[test]
        fn readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = icsv::read_csv(&bytes);
            let _ = icsv::read_update_file(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn engine_never_panics(v in "(\\PC|[\\r\\n\\t :@.;,\"'])*", cls in "(user|contact|group|inetOrgPerson)") {
            let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s);
            let ldif = format!(
                "dn: CN=a,DC=x\nobjectClass: {cls}\ndisplayName:: {v}\nmail:: {v}\nmailNickname:: {v}\nproxyAddresses:: {v}\nproxyAddresses:: {p}\nsAMAccountName:: {v}\ntargetAddress:: {p}\nuserPrincipalName:: {v}\n",
                v = b64(&v),
                p = b64(&format!("smtp:{v}")),
            );
            let es = parse(&ldif);
            for dedicated in [false, true] {
                let mut eng = IdfixEngine::new(dedicated, TldSet::idfix());
                let rows = eng.check(&es[0]);
                let again = eng.check(&es[0]);
                for r in rows.iter().chain(&again) {
                    prop_assert_eq!(r.finding.errors.is_empty(), false);
                    prop_assert_eq!(r.finding.rules.is_empty(), false);
                }
            }
        }
    }
}

/// Scale check (run with `--ignored`): 100k users, every 10th sharing a mail with the
/// previous one; the duplicate store stays linear.
#[test]
#[ignore]
fn scale_100k_users_linear() {
    let mut ldif = String::new();
    for i in 0..100_000u32 {
        let m = if i % 10 == 1 { i - 1 } else { i };
        ldif.push_str(&format!(
            "dn: CN=U{i},OU=Staff,DC=contoso,DC=com\nobjectClass: user\ncn: U{i}\ndisplayName: U{i}\nmail: u{m}@contoso.com\nmailNickname: u{i}\nproxyAddresses: SMTP:u{i}@contoso.com\nuserPrincipalName: u{i}@contoso.com\nsAMAccountName: u{i}\n\n"
        ));
    }
    let es = parse(&ldif);
    let t = std::time::Instant::now();
    let mut eng = mt();
    let mut rows: Vec<Row> = es.iter().flat_map(|e| eng.check(e)).collect();
    sort_rows(&mut rows);
    eprintln!("100k entries: {} rows in {:?}", rows.len(), t.elapsed());
    assert_eq!(rows.len(), 10_000);
    assert!(rows.iter().all(|r| r.finding.action == Action::Complete));
}
