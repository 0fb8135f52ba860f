//! Writing the changes of a [`Plan`](super::Plan) as a change file and as its undo file.
//!
//! Change file: one `changetype: modify` record per object, holding all its changes in
//! plan order. Single-valued attributes get `replace: attr` + the new value (no value:
//! the attribute is removed); `proxyAddresses` is changed value by value, `delete:` of
//! the old value then `add:` of the new one. Every mod-spec is closed by `-`. DNs are
//! written exactly as exported, values byte for byte; both go base64 when they are not a
//! safe string ([`crate::ldif::writer::needs_base64`]), so the file is pure ASCII.
//!
//! Undo file: one record per changed object, one `replace:` per changed attribute with
//! every original value in original order (`replace: attr` alone where the attribute
//! was absent; for `userPrincipalName`, which Samba AD will not empty that way, `replace:`
//! with the written value then `delete:`). `replace:` never fails on a value that is or is
//! not there, and neither does that pair, so the undo file can be re-run after a partially
//! applied change file.
//!
//! Both writers return a map of output line → DN (the `dn:` line of every record), so
//! ldifde's "entry starting on line N" can be traced back to an object.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::ldif::writer::{LdifWriter, WriterOptions};
use crate::model::Attr;

use super::plan::ObjectChange;

/// The record that registers UPN suffixes (`--register-suffix`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// `CN=Partitions,CN=Configuration,<forest root DN>`.
    pub partitions_dn: String,
    /// The suffixes to add to `uPNSuffixes`.
    pub suffixes: Vec<String>,
}

impl Registration {
    /// The registration for a forest root DN.
    pub fn new(forest_root: &str, suffixes: Vec<String>) -> Self {
        Registration {
            partitions_dn: format!("CN=Partitions,CN=Configuration,{forest_root}"),
            suffixes,
        }
    }
}

/// One record of an output file: the line of its `dn:` line and its DN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMapEntry<'a> {
    /// 1-based line of the `dn:` line in the output.
    pub line: u64,
    /// The DN as text (lossy for non-UTF-8 DNs).
    pub dn: &'a str,
}

/// Write the change file. `register` prepends one record on the Partitions container
/// adding every new suffix (`add: uPNSuffixes`, one value per suffix): one record per
/// object, like every other change. The record is one modify, applied whole or not at
/// all: a suffix already registered makes it fail (`ldifde -k` skips it), and none is
/// added. The undo file leaves the suffixes registered ([`write_undo`]).
pub fn write_changes<'a, W: Write>(
    w: W,
    changes: &'a [ObjectChange<'_>],
    opts: WriterOptions,
    register: Option<&'a Registration>,
) -> io::Result<(W, Vec<LineMapEntry<'a>>)> {
    let mut lw = LdifWriter::new(w, opts);
    let mut map = Vec::with_capacity(changes.len() + 1);
    if let Some(r) = register.filter(|r| !r.suffixes.is_empty()) {
        map.push(LineMapEntry {
            line: lw.next_record_line(),
            dn: &r.partitions_dn,
        });
        lw.begin(r.partitions_dn.as_bytes())?;
        lw.keyword_line("changetype: modify")?;
        mod_spec(&mut lw, "add", "uPNSuffixes", &r.suffixes)?;
        lw.end()?;
    }
    for c in changes {
        map.push(LineMapEntry {
            line: lw.next_record_line(),
            dn: &c.dn,
        });
        lw.begin(&c.dn_raw)?;
        lw.keyword_line("changetype: modify")?;
        for m in &c.mods {
            let name = m.attr.ldap_name();
            if m.is_multi() {
                if !m.old.is_empty() {
                    mod_spec(&mut lw, "delete", name, &m.old)?;
                }
                if !m.new.is_empty() {
                    mod_spec(&mut lw, "add", name, &m.new)?;
                }
            } else if m.new.is_empty() {
                remove(&mut lw, m.attr, &m.before)?;
            } else {
                mod_spec(&mut lw, "replace", name, &m.new)?;
            }
        }
        lw.end()?;
    }
    Ok((lw.finish()?, map))
}

/// Remove single-valued `attr`, which holds `known` or nothing: `replace: attr` with no
/// value, except for `userPrincipalName`, whose empty `replace:` Samba AD refuses ("new
/// value for userPrincipalName not provided for mandatory, single-valued attribute"):
/// it is first set to `known` (a no-op when it holds it), then deleted whole — in one
/// modify, so the pair succeeds whether the attribute is there or not, on Samba and on
/// Windows alike, and can be re-run like a plain `replace:`.
fn remove<W: Write>(
    lw: &mut LdifWriter<W>,
    attr: Attr,
    known: &[impl AsRef<[u8]>],
) -> io::Result<()> {
    let name = attr.ldap_name();
    match known.first() {
        Some(v) if attr == Attr::UserPrincipalName => {
            mod_spec(lw, "replace", name, &[v.as_ref()])?;
            lw.keyword_pair("delete", name)?;
            lw.keyword_line("-")
        }
        _ => mod_spec(lw, "replace", name, &[] as &[&[u8]]),
    }
}

/// Write the undo file: the exact inverse of [`write_changes`] for the same plan,
/// suffix registration excepted: a suffix added by `--register-suffix` is never removed,
/// since it may have been registered before and other users' UPNs may use it.
pub fn write_undo<'a, W: Write>(
    w: W,
    changes: &'a [ObjectChange<'_>],
    opts: WriterOptions,
) -> io::Result<(W, Vec<LineMapEntry<'a>>)> {
    let mut lw = LdifWriter::new(w, opts);
    let mut map = Vec::with_capacity(changes.len());
    let mut done: Vec<Attr> = Vec::new();
    for c in changes {
        map.push(LineMapEntry {
            line: lw.next_record_line(),
            dn: &c.dn,
        });
        lw.begin(&c.dn_raw)?;
        lw.keyword_line("changetype: modify")?;
        done.clear();
        for m in &c.mods {
            if done.contains(&m.attr) {
                continue;
            }
            done.push(m.attr);
            if m.before.is_empty() && !m.is_multi() {
                remove(&mut lw, m.attr, &m.new)?;
            } else {
                mod_spec(&mut lw, "replace", m.attr.ldap_name(), &m.before)?;
            }
        }
        lw.end()?;
    }
    Ok((lw.finish()?, map))
}

fn mod_spec<W: Write>(
    lw: &mut LdifWriter<W>,
    op: &str,
    name: &str,
    values: &[impl AsRef<[u8]>],
) -> io::Result<()> {
    lw.keyword_pair(op, name)?;
    for v in values {
        lw.attr(name, v.as_ref())?;
    }
    lw.keyword_line("-")
}

/// Write the line map as CSV (`line,dn`) to `w`.
pub fn write_map_csv<W: Write>(w: W, map: &[LineMapEntry<'_>]) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(w);
    w.write_record(["line", "dn"])?;
    let mut line = String::with_capacity(20);
    for m in map {
        line.clear();
        let _ = write!(line, "{}", m.line);
        w.write_record([line.as_bytes(), m.dn.as_bytes()])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldif::writer::LineEnding;
    use crate::rewrite::plan::{AttrChange, ChangeKind, ObjectChange, Plan};

    /// The change file as bytes (writing to a Vec cannot fail).
    fn change_bytes<'a>(
        plan: &'a Plan<'_>,
        opts: WriterOptions,
        register: Option<&'a Registration>,
    ) -> (Vec<u8>, Vec<LineMapEntry<'a>>) {
        write_changes(Vec::new(), &plan.changes, opts, register).unwrap()
    }

    /// The undo file as bytes.
    fn undo_bytes<'a>(plan: &'a Plan<'_>, opts: WriterOptions) -> (Vec<u8>, Vec<LineMapEntry<'a>>) {
        write_undo(Vec::new(), &plan.changes, opts).unwrap()
    }

    fn plan() -> Plan<'static> {
        Plan {
            changes: vec![
                ObjectChange {
                    dn_raw: b"CN=Smith\\, John,OU=Sales,DC=contoso,DC=local".into(),
                    dn: "CN=Smith\\, John,OU=Sales,DC=contoso,DC=local".into(),
                    file: 0,
                    line: 2,
                    mods: vec![AttrChange {
                        attr: Attr::UserPrincipalName,
                        before: vec![b"John@Contoso.Local".into()],
                        old: vec![b"John@Contoso.Local".into()],
                        new: vec![b"John@contoso.com".to_vec()],
                        kind: ChangeKind::UpnSuffix,
                    }],
                },
                ObjectChange {
                    dn_raw: "CN=Jörg,DC=contoso,DC=local".as_bytes().into(),
                    dn: "CN=Jörg,DC=contoso,DC=local".into(),
                    file: 0,
                    line: 9,
                    mods: vec![
                        AttrChange {
                            attr: Attr::Mail,
                            before: vec![],
                            old: vec![],
                            new: vec![b"j@contoso.com".to_vec()],
                            kind: ChangeKind::CsvEdit,
                        },
                        AttrChange {
                            attr: Attr::ProxyAddresses,
                            before: vec![b"SMTP:j@contoso.local".into(), b"x500:/o=x".into()],
                            old: vec![b"SMTP:j@contoso.local".into()],
                            new: vec![b"SMTP:j@contoso.com".to_vec()],
                            kind: ChangeKind::CsvEdit,
                        },
                    ],
                },
            ],
            ..Plan::default()
        }
    }

    #[test]
    fn change_file_bytes_ldifde() {
        let reg = Registration::new("DC=contoso,DC=local", vec!["contoso.com".into()]);
        let p = plan();
        let (bytes, map) = change_bytes(&p, WriterOptions::ldifde(), Some(&reg));
        let expected = "\r\n\
dn: CN=Partitions,CN=Configuration,DC=contoso,DC=local\r\n\
changetype: modify\r\n\
add: uPNSuffixes\r\n\
uPNSuffixes: contoso.com\r\n\
-\r\n\
\r\n\
dn: CN=Smith\\, John,OU=Sales,DC=contoso,DC=local\r\n\
changetype: modify\r\n\
replace: userPrincipalName\r\n\
userPrincipalName: John@contoso.com\r\n\
-\r\n\
\r\n\
dn:: Q049SsO2cmcsREM9Y29udG9zbyxEQz1sb2NhbA==\r\n\
changetype: modify\r\n\
replace: mail\r\n\
mail: j@contoso.com\r\n\
-\r\n\
delete: proxyAddresses\r\n\
proxyAddresses: SMTP:j@contoso.local\r\n\
-\r\n\
add: proxyAddresses\r\n\
proxyAddresses: SMTP:j@contoso.com\r\n\
-\r\n\
\r\n";
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        assert_eq!(
            map.iter().map(|m| m.line).collect::<Vec<_>>(),
            vec![2, 8, 14]
        );
    }

    #[test]
    fn undo_file_is_replace_only() {
        let opts = WriterOptions {
            line_ending: LineEnding::Lf,
            ..WriterOptions::default()
        };
        let (bytes, _) = undo_bytes(&plan(), opts);
        let expected = "dn: CN=Smith\\, John,OU=Sales,DC=contoso,DC=local\n\
changetype: modify\n\
replace: userPrincipalName\n\
userPrincipalName: John@Contoso.Local\n\
-\n\
\n\
dn:: Q049SsO2cmcsREM9Y29udG9zbyxEQz1sb2NhbA==\n\
changetype: modify\n\
replace: mail\n\
-\n\
replace: proxyAddresses\n\
proxyAddresses: SMTP:j@contoso.local\n\
proxyAddresses: x500:/o=x\n\
-\n\
\n";
        assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    }

    /// A UPN the change gives a user who had none is removed by the undo with `replace:`
    /// of the written value then `delete:` (Samba refuses an empty `replace:` of it);
    /// any other absent attribute with an empty `replace:`.
    #[test]
    fn undo_removes_an_added_upn_with_replace_then_delete() {
        let change = ObjectChange {
            dn: "CN=A,DC=x".into(),
            dn_raw: b"CN=A,DC=x".into(),
            file: 0,
            line: 1,
            mods: vec![
                AttrChange {
                    attr: Attr::UserPrincipalName,
                    before: vec![],
                    old: vec![],
                    new: vec![b"a@x.com".to_vec()],
                    kind: ChangeKind::UpnFromMail,
                },
                AttrChange {
                    attr: Attr::Mail,
                    before: vec![],
                    old: vec![],
                    new: vec![b"a@x.com".to_vec()],
                    kind: ChangeKind::CsvEdit,
                },
            ],
        };
        let opts = WriterOptions {
            line_ending: LineEnding::Lf,
            ..WriterOptions::default()
        };
        let (out, _) = write_undo(Vec::new(), std::slice::from_ref(&change), opts).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "dn: CN=A,DC=x\nchangetype: modify\nreplace: userPrincipalName\nuserPrincipalName: a@x.com\n-\ndelete: userPrincipalName\n-\nreplace: mail\n-\n\n"
        );
    }
}
