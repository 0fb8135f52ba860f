//! Input format detection from content, and CSV delimiter detection from a header line.

use super::InputFormat;

/// Physical lines of `b` (LF-terminated, one trailing CR dropped).
fn lines(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    b.split(|&c| c == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

fn is_blank(l: &[u8]) -> bool {
    l.iter().all(|c| c.is_ascii_whitespace())
}

fn starts_with_ci(l: &[u8], p: &[u8]) -> bool {
    l.len() >= p.len() && l[..p.len()].eq_ignore_ascii_case(p)
}

/// A line that starts an LDIF file: `dn:` or `version:` (any case), or one of the
/// `search:`, `result:` and `ref:` lines `ldapsearch` prints between records.
fn is_ldif_start(l: &[u8]) -> bool {
    [&b"dn:"[..], b"version:", b"search:", b"result:", b"ref:"]
        .iter()
        .any(|p| starts_with_ci(l, p))
}

/// The format of `bytes` (see the module contract). Never returns `InputFormat::Auto`.
pub fn detect(bytes: &[u8]) -> InputFormat {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut saw_type = false;
    // An LDIF comment may be folded: its continuation lines start with a space.
    let mut in_comment = false;
    for l in lines(bytes) {
        if in_comment && l.starts_with(b" ") {
            continue;
        }
        in_comment = false;
        if is_blank(l) {
            continue;
        }
        if l.starts_with(b"#TYPE ") {
            saw_type = true;
            continue;
        }
        if l.starts_with(b"#") {
            in_comment = true;
            continue; // an LDIF comment
        }
        if is_ldif_start(l) {
            return InputFormat::Ldif;
        }
        if saw_type {
            return InputFormat::PwshCsv;
        }
        let fields = header_fields(l);
        if fields
            .first()
            .is_some_and(|f| f.trim().eq_ignore_ascii_case("DN"))
        {
            return InputFormat::Csvde;
        }
        if fields
            .iter()
            .any(|f| f.trim().eq_ignore_ascii_case("DistinguishedName"))
        {
            return InputFormat::PwshCsv;
        }
        // A header of quoted fields is what Export-Csv writes (no LDIF line starts with
        // a quote): its reader says which column is missing.
        if l.starts_with(b"\"") && fields.len() > 1 {
            return InputFormat::PwshCsv;
        }
        return InputFormat::Ldif;
    }
    if saw_type {
        InputFormat::PwshCsv
    } else {
        InputFormat::Ldif
    }
}

/// The delimiter of a CSV header line: the most frequent of `,`, `;` and TAB outside
/// double quotes (`,` on a tie or when there is none).
pub fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut comma, mut semi, mut tab) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for &c in header {
        match c {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => comma += 1,
            b';' if !quoted => semi += 1,
            b'\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma && tab > semi {
        b'\t'
    } else {
        b','
    }
}

/// Bytes of a line that detection looks at: a header is far shorter, and a huge line (a
/// damaged or wrong file) is left to the reader's line limit rather than copied here.
const HEADER_PEEK: usize = 1 << 20;

/// The fields of one header line, unquoted (lossy UTF-8; only used for detection).
fn header_fields(line: &[u8]) -> Vec<String> {
    let line = &line[..line.len().min(HEADER_PEEK)];
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(line))
        .from_reader(line);
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldif_starts() {
        assert_eq!(detect(b"dn: CN=a\ncn: a\n"), InputFormat::Ldif);
        assert_eq!(
            detect(b"\r\n# comment\r\nversion: 1\r\n"),
            InputFormat::Ldif
        );
        assert_eq!(detect(b"# record 1\nDN: cn=x\n"), InputFormat::Ldif);
        assert_eq!(detect(b""), InputFormat::Ldif);
        assert_eq!(detect(b"garbage"), InputFormat::Ldif);
        // Export-Csv without its DistinguishedName column: a CSV, so its reader names
        // what is missing (an LDIF error would say "expected ':'").
        assert_eq!(
            detect(b"\"Name\",\"ObjectClass\",\"UserPrincipalName\"\r\n\"a\",\"user\",\"a@x\"\r\n"),
            InputFormat::PwshCsv
        );
        assert_eq!(detect(b"\"just one\"\n"), InputFormat::Ldif);
        // A folded comment whose continuation looks like a CSV header is still a comment.
        assert_eq!(
            detect(b"# exported by\n DistinguishedName,mail\ndn: cn=x\n"),
            InputFormat::Ldif
        );
        assert_eq!(
            detect(b"# long\r\n DN,mail\r\n\r\nversion: 1\r\n"),
            InputFormat::Ldif
        );
        // ldapsearch's trailer lines, as the first non-comment line of a result-only file.
        assert_eq!(
            detect(b"# search result\nsearch: 2\nresult: 0 Success\n"),
            InputFormat::Ldif
        );
    }

    #[test]
    fn csvde_and_pwsh_headers() {
        assert_eq!(detect(b"DN,objectClass,cn\n"), InputFormat::Csvde);
        assert_eq!(detect(b"\xEF\xBB\xBF\"DN\",cn\n"), InputFormat::Csvde);
        assert_eq!(
            detect(b"#TYPE Microsoft.ActiveDirectory.Management.ADUser\n\"a\",\"b\"\n"),
            InputFormat::PwshCsv
        );
        assert_eq!(
            detect(b"\"GivenName\";\"DistinguishedName\"\n"),
            InputFormat::PwshCsv
        );
        assert_eq!(detect(b"Name\tdistinguishedname\n"), InputFormat::PwshCsv);
        // csvde exports a distinguishedName column too; DN first wins.
        assert_eq!(detect(b"DN,distinguishedName\n"), InputFormat::Csvde);
    }

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter(b"\"a\",\"b\""), b',');
        assert_eq!(detect_delimiter(b"\"a;x\",\"b\""), b',');
        assert_eq!(detect_delimiter(b"\"a\";\"b\";\"c,d\""), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"DN"), b',');
    }
}
