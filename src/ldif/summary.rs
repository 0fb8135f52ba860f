//! What ldapsearch and ldbsearch say of their own output: both end it with a summary in
//! comments, which tells an export cut at a record boundary (a copy stopped by a full
//! disk, a transfer out of an air-gapped network that did not finish) from a whole one.
//!
//! OpenLDAP's `ldapsearch` (with comments: the default, or `-L`) starts with a header
//! (`# LDAPv3`, `# base <…>`) and ends with `# numResponses: N`, then `# numEntries: N`
//! unless no entry came (a paged search repeats the header on every page and sums up
//! once, at the end). Samba's `ldbsearch` writes `# record N` before each entry and ends
//! with `# returned N records`, `# N entries`, `# N referrals`. Files joined one after the
//! other hold one summary each.

use memchr::memmem;

/// Which program wrote an export that sums itself up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exporter {
    /// OpenLDAP `ldapsearch` with comments.
    Ldapsearch,
    /// Samba `ldbsearch`.
    Ldbsearch,
}

impl Exporter {
    /// The program's name.
    pub fn name(self) -> &'static str {
        match self {
            Exporter::Ldapsearch => "ldapsearch",
            Exporter::Ldbsearch => "ldbsearch",
        }
    }

    /// The summary line that counts the entries, as the program writes it.
    fn marker(self) -> &'static str {
        match self {
            Exporter::Ldapsearch => "# numEntries: N",
            Exporter::Ldbsearch => "# N entries",
        }
    }
}

/// An export's own account of itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Who wrote it.
    pub exporter: Exporter,
    /// How many closing summaries the file holds (one per search).
    pub summaries: u64,
    /// The entries they declare, added up.
    pub entries: u64,
}

impl Summary {
    /// What is wrong with an input of `records` records (each with a DN) that this
    /// summary describes, or `None` when they agree.
    pub fn mismatch(&self, records: u64) -> Option<String> {
        let tool = self.exporter.name();
        let marker = self.exporter.marker();
        if self.summaries == 0 {
            return Some(format!(
                "the file ends without {tool}'s closing summary ('{marker}' after the last record): the export was cut short after {records} record(s), and the objects after them are missing"
            ));
        }
        (self.entries != records).then(|| {
            let what = if self.entries > records {
                "records are missing (the file was cut or edited after the export)"
            } else {
                "records were added after the export, or the summary itself was cut short"
            };
            format!(
                "{tool}'s closing summary declares {} entr{} ('{marker}'), but the file holds {records} record(s): {what}",
                self.entries,
                if self.entries == 1 { "y" } else { "ies" },
            )
        })
    }

    /// What to do about a [`Summary::mismatch`]. A file edited on purpose says so by
    /// losing the line that marks it as the program's output (only the head of a file
    /// is looked at to tell its exporter).
    pub fn hint(&self) -> String {
        let (again, mark) = match self.exporter {
            Exporter::Ldapsearch => (
                "export again (ldapsearch -E pr=1000/noprompt …)",
                "the '# LDAPv3' line of its header",
            ),
            Exporter::Ldbsearch => (
                "export again with ldbsearch",
                "its first line, '# record 1'",
            ),
        };
        format!("copy the whole file again, or {again}; if the file was edited on purpose, delete {mark}")
    }
}

/// The summary of an ldapsearch or ldbsearch export (`None` for any other input: ldifde,
/// slapcat and `ldapsearch -LLL` write none). An export is known by its header, so one
/// whose summary is missing is told apart from other LDIF; only then is the file read
/// through for its summaries.
pub fn summary(bytes: &[u8]) -> Option<Summary> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(4096)];
    let ldapsearch = line_starts(head, b"# LDAPv3").any(|at| {
        let next = next_line(head, at);
        head[next..].starts_with(b"# base <")
    });
    // (A blank line may come first: ldifde's files start with one, and conversions add it.)
    let first = first_line(bytes.trim_ascii_start());
    let exporter = if ldapsearch || first.starts_with(b"# numResponses: ") {
        Exporter::Ldapsearch
    } else if first == b"# record 1" || first.starts_with(b"# returned ") {
        Exporter::Ldbsearch
    } else {
        // Other inputs are never searched through.
        return None;
    };
    // Both programs' summaries are counted, whichever wrote the head: a file may join
    // the output of one to the other's. The two searches through the file run side by
    // side.
    let (ldap, ldb) = rayon::join(
        || ldapsearch_summaries(bytes),
        || ldbsearch_summaries(bytes),
    );
    Some(Summary {
        exporter,
        summaries: ldap.0 + ldb.0,
        entries: ldap.1.saturating_add(ldb.1),
    })
}

/// ldapsearch's summaries in `bytes`: how many, and the entries they declare.
fn ldapsearch_summaries(bytes: &[u8]) -> (u64, u64) {
    let (mut summaries, mut entries) = (0u64, 0u64);
    for at in line_starts(bytes, b"# numResponses: ") {
        summaries += 1;
        // The counts follow, one comment line each, up to a line that is not one.
        let mut pos = next_line(bytes, at);
        while let Some(line) = comment_at(bytes, pos) {
            if let Some(n) = line.strip_prefix(b"# numEntries: ").and_then(number) {
                entries = entries.saturating_add(n);
            }
            pos = next_line(bytes, pos);
        }
    }
    (summaries, entries)
}

/// ldbsearch's summaries in `bytes`: how many, and the entries they declare.
fn ldbsearch_summaries(bytes: &[u8]) -> (u64, u64) {
    let (mut summaries, mut entries) = (0u64, 0u64);
    for at in line_starts(bytes, b"# returned ") {
        let line = line_at(bytes, at);
        if !line.trim_ascii_end().ends_with(b" records") {
            continue;
        }
        summaries += 1;
        let next = line_at(bytes, next_line(bytes, at)).trim_ascii_end();
        if let Some(n) = next
            .strip_prefix(b"# ")
            .and_then(|r| r.strip_suffix(b" entries"))
            .and_then(number)
        {
            entries = entries.saturating_add(n);
        }
    }
    (summaries, entries)
}

/// The positions of the lines of `bytes` starting with `prefix`.
fn line_starts<'b>(bytes: &'b [u8], prefix: &'b [u8]) -> LineStarts<'b> {
    LineStarts {
        bytes,
        finder: memmem::find_iter(bytes, prefix),
    }
}

struct LineStarts<'b> {
    bytes: &'b [u8],
    finder: memmem::FindIter<'b, 'b>,
}

impl Iterator for LineStarts<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        self.finder
            .by_ref()
            .find(|&at| at == 0 || self.bytes[at - 1] == b'\n')
    }
}

/// The start of the line after the one at `at` (the end of `bytes` on the last line).
fn next_line(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1)
}

/// The line at `at`, without its line end.
fn line_at(bytes: &[u8], at: usize) -> &[u8] {
    let line = &bytes[at..next_line(bytes, at)];
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The comment line at `at`, if the line there is one.
fn comment_at(bytes: &[u8], at: usize) -> Option<&[u8]> {
    (at < bytes.len() && bytes[at] == b'#').then(|| line_at(bytes, at))
}

fn first_line(bytes: &[u8]) -> &[u8] {
    line_at(bytes, 0)
}

/// A decimal count (spaces around it allowed: an editor may leave them).
fn number(b: &[u8]) -> Option<u64> {
    let b = b.trim_ascii();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LDAPSEARCH: &str = "# extended LDIF\n#\n# LDAPv3\n# base <DC=contoso,DC=local> with scope subtree\n# filter: (objectClass=user)\n# requesting: ALL\n#\n\n# Ann, Users, contoso.local\ndn: CN=Ann,CN=Users,DC=contoso,DC=local\ncn: Ann\n\n# Bob, Users, contoso.local\ndn: CN=Bob,CN=Users,DC=contoso,DC=local\ncn: Bob\n\n# search reference\nref: ldap://contoso.local/CN=Configuration,DC=contoso,DC=local\n\n# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 4\n# numEntries: 2\n# numReferences: 1\n";

    const LDBSEARCH: &str = "# record 1\ndn: CN=Ann,CN=Users,DC=contoso,DC=local\ncn: Ann\n\n# record 2\ndn: CN=Bob,CN=Users,DC=contoso,DC=local\ncn: Bob\n\n# Referral\nref: ldap:///CN=Configuration,DC=contoso,DC=local\n\n# returned 3 records\n# 2 entries\n# 1 referrals\n";

    fn cut_after_second_record(s: &str) -> &str {
        &s[..s
            .find("\n\n# search")
            .or_else(|| s.find("\n\n# Referral"))
            .unwrap()
            + 2]
    }

    #[test]
    fn whole_exports_agree_with_their_summaries() {
        for (text, exporter) in [
            (LDAPSEARCH, Exporter::Ldapsearch),
            (LDBSEARCH, Exporter::Ldbsearch),
        ] {
            let s = summary(text.as_bytes()).unwrap();
            assert_eq!(
                s,
                Summary {
                    exporter,
                    summaries: 1,
                    entries: 2
                }
            );
            assert_eq!(s.mismatch(2), None);
            // The same with CRLF line ends.
            let crlf = text.replace('\n', "\r\n");
            assert_eq!(summary(crlf.as_bytes()), Some(s));
        }
    }

    #[test]
    fn a_cut_export_is_missing_its_summary() {
        for text in [LDAPSEARCH, LDBSEARCH] {
            let cut = cut_after_second_record(text);
            let s = summary(cut.as_bytes()).unwrap();
            assert_eq!(s.summaries, 0, "{cut}");
            let m = s.mismatch(2).unwrap();
            assert!(m.contains("cut short after 2 record(s)"), "{m}");
        }
        // A summary cut between its lines declares no entries.
        let cut = &LDAPSEARCH[..LDAPSEARCH.find("# numEntries").unwrap()];
        let m = summary(cut.as_bytes()).unwrap().mismatch(2).unwrap();
        assert!(
            m.contains("declares 0 entries") && m.contains("summary itself was cut"),
            "{m}"
        );
    }

    #[test]
    fn joined_exports_and_paged_searches_add_up() {
        let joined = format!("{LDAPSEARCH}\n{LDAPSEARCH}");
        let s = summary(joined.as_bytes()).unwrap();
        assert_eq!((s.summaries, s.entries), (2, 4));
        assert_eq!(s.mismatch(4), None);
        let m = s.mismatch(3).unwrap();
        assert!(
            m.contains("declares 4 entries") && m.contains("holds 3"),
            "{m}"
        );
        assert!(s.mismatch(5).unwrap().contains("added"));
        let joined = format!("{LDBSEARCH}{LDBSEARCH}");
        let s = summary(joined.as_bytes()).unwrap();
        assert_eq!((s.summaries, s.entries), (2, 4));
        // A search that found nothing: ldapsearch writes no numEntries line.
        let none = "# extended LDIF\n#\n# LDAPv3\n# base <DC=x> with scope subtree\n#\n\n# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 1\n";
        let s = summary(none.as_bytes()).unwrap();
        assert_eq!((s.summaries, s.entries), (1, 0));
        assert_eq!(s.mismatch(0), None);
    }

    #[test]
    fn a_file_shortened_on_purpose_loses_its_mark_as_the_hint_says() {
        for (text, mark) in [(LDAPSEARCH, "# LDAPv3\n"), (LDBSEARCH, "# record 1\n")] {
            let cut = cut_after_second_record(text);
            let s = summary(cut.as_bytes()).unwrap();
            assert!(s.hint().contains(mark.trim_end()), "{}", s.hint());
            assert_eq!(summary(cut.replacen(mark, "", 1).as_bytes()), None);
        }
    }

    #[test]
    fn mixed_joins_spaces_and_a_leading_blank_line_are_read() {
        let mixed = format!("{LDAPSEARCH}\n{LDBSEARCH}");
        let s = summary(mixed.as_bytes()).unwrap();
        assert_eq!(
            (s.exporter, s.summaries, s.entries),
            (Exporter::Ldapsearch, 2, 4)
        );
        let mixed = format!("{LDBSEARCH}\n{LDAPSEARCH}");
        let s = summary(mixed.as_bytes()).unwrap();
        assert_eq!((s.summaries, s.entries), (2, 4));
        for text in [LDAPSEARCH, LDBSEARCH] {
            let spaced = text
                .replace("# numEntries: 2\n", "# numEntries: 2 \t\n")
                .replace("# 2 entries\n", "# 2 entries \n");
            assert_eq!(summary(spaced.as_bytes()).unwrap().entries, 2);
            let blank = format!("\r\n{}", cut_after_second_record(text));
            assert_eq!(summary(blank.as_bytes()).unwrap().summaries, 0);
        }
    }

    #[test]
    fn other_exports_have_no_summary() {
        for text in [
            "dn: CN=Ann,DC=x\ncn: Ann\n",
            "\r\ndn: CN=Ann,DC=x\r\nchangetype: add\r\ncn: Ann\r\n",
            "version: 1\n\n# a comment\ndn: CN=Ann,DC=x\ncn: Ann\n",
            "",
        ] {
            assert_eq!(summary(text.as_bytes()), None, "{text}");
        }
        // `ldapsearch -L` puts `version: 1` before the same header.
        let l = format!("version: 1\n\n{}", &LDAPSEARCH["# extended LDIF\n".len()..]);
        assert_eq!(summary(l.as_bytes()).unwrap().entries, 2);
    }
}
