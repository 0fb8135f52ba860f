//! Record serialisation for each output flavour: line ends, base64 decisions, folding,
//! comments. Values go straight into the chunk buffer, so nothing is allocated per line.
//!
//! - `ldifde`: CRLF; `dn:`, then `changetype: add`; base64 for binary values and for any
//!   value that is not a SAFE-STRING (non-ASCII, leading SPACE/`:`/`<`, trailing SPACE);
//!   a line longer than 80 bytes is broken right after `attr: ` and the value continues on
//!   lines of one SPACE + 79 bytes (ldifde's style). The whole file is 7-bit ASCII.
//! - `openldap`: as `ldapsearch -L` writes (LF, `version: 1`, header and trailer comments
//!   without `search:`/`result:` lines, each entry after a `# <UFN of its DN>` comment); same
//!   base64 rule; lines, comments included, cut at 76 bytes (continuations SPACE + 75).
//! - `samba`: LF; the DN is raw UTF-8 on the `dn:` line, never folded, never base64 (as
//!   `ldbsearch` writes it); values base64 when they hold a byte outside 0x20–0x7E or start
//!   with SPACE or `:` (ldb's rule); lines cut at 78 bytes (SPACE + 77).
//! - `import`: LF, no folding, RFC 2849 base64 rule (for `ldbadd`).
//! - `csvde` / `csvde-unicode`: one CSV row per record in the columns of a fixed
//!   [`CsvLayout`] (`DN` first), CRLF. csvde's conventions (formats.md §3.1): several values
//!   of one attribute joined with `;` in one field, binary values as unquoted
//!   `X'<lower-case hex>'`, `objectClass` as its most specific (last) class only, an absent
//!   attribute as an empty field; the DN is always double-quoted, any other field only when
//!   it holds `,`, `"`, CR or LF or starts or ends with a blank (`"` doubled inside). The
//!   row of a record is assembled in the emitter, so memory stays bounded by one record.
//!   csvde has no escape for a `;` inside a value: a multi-valued value holding `;` (an
//!   X.400 proxy address `X400:c=US;a= ;…`) cannot be split back exactly, and readers can
//!   only guess (ldifix's CSV reader warns when it does).

use std::collections::HashMap;

use base64::Engine as _;

use super::Flavor;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Writes records of one flavour into a byte buffer.
pub struct Emitter<'a> {
    out: &'a mut Vec<u8>,
    flavor: Flavor,
    eol: &'static [u8],
    /// Fold width (bytes per physical line), 0 = never fold.
    width: usize,
    scratch: Vec<u8>,
    /// The row being assembled (csvde flavours).
    csv: Option<CsvRow<'a>>,
}

/// The columns of a csvde file: `DN`, then attribute names in a fixed order.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    names: Vec<&'static str>,
    index: HashMap<&'static str, usize>,
}

impl CsvLayout {
    /// A layout with these attribute columns after `DN` (duplicates are dropped).
    pub fn new(names: impl IntoIterator<Item = &'static str>) -> CsvLayout {
        let mut v: Vec<&'static str> = Vec::new();
        let mut index = HashMap::new();
        for n in names {
            if !index.contains_key(n) {
                index.insert(n, v.len());
                v.push(n);
            }
        }
        CsvLayout { names: v, index }
    }

    /// The attribute columns (without `DN`).
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// Append the header line (`DN,name,…` and CRLF).
    pub fn header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"DN");
        for n in &self.names {
            out.push(b',');
            out.extend_from_slice(n.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// One csvde row under construction.
struct CsvRow<'a> {
    layout: &'a CsvLayout,
    dn: Vec<u8>,
    fields: Vec<Vec<u8>>,
    /// Values written per field (a `;` goes between values, even empty ones).
    counts: Vec<u32>,
    /// The first attribute name that has no column, if any.
    unknown: Option<String>,
}

impl CsvRow<'_> {
    fn push(&mut self, name: &[u8], value: &[u8], binary: bool) {
        let Some(&i) = std::str::from_utf8(name)
            .ok()
            .and_then(|n| self.layout.index.get(n))
        else {
            if self.unknown.is_none() {
                self.unknown = Some(String::from_utf8_lossy(name).into_owned());
            }
            return;
        };
        let f = &mut self.fields[i];
        if name == b"objectClass" {
            // csvde exports the most specific class only: the last of the chain.
            f.clear();
            self.counts[i] = 0;
        } else if self.counts[i] > 0 {
            f.push(b';');
        }
        self.counts[i] += 1;
        if binary {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            f.extend_from_slice(b"X'");
            for b in value {
                f.push(HEX[(b >> 4) as usize]);
                f.push(HEX[(b & 15) as usize]);
            }
            f.push(b'\'');
        } else {
            f.extend_from_slice(value);
        }
    }
}

/// Whether a csvde field must be double-quoted.
fn csv_needs_quotes(f: &[u8]) -> bool {
    matches!(f.first(), Some(b' ' | b'\t'))
        || matches!(f.last(), Some(b' ' | b'\t'))
        || f.iter().any(|c| matches!(c, b',' | b'"' | b'\r' | b'\n'))
}

/// Append a CSV field, quoted (with `"` doubled) when `quote`.
fn push_csv_field(out: &mut Vec<u8>, f: &[u8], quote: bool) {
    if !quote {
        out.extend_from_slice(f);
        return;
    }
    out.push(b'"');
    for part in f.split_inclusive(|&c| c == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// The "user-friendly name" ldapsearch prints before each entry (`ldap_dn2ufn`): the RDN
/// values joined by `, `, the trailing `DC=` components as one dotted domain name
/// (`CN=Ann Lee,OU=Staff,DC=contoso,DC=local` → `Ann Lee, Staff, contoso.local`).
pub fn ufn(dn: &str) -> String {
    // RDNs split at commas that are not escaped.
    let mut rdns: Vec<&str> = Vec::new();
    let (mut start, mut esc) = (0, false);
    for (i, c) in dn.char_indices() {
        match c {
            _ if esc => esc = false,
            '\\' => esc = true,
            ',' => {
                rdns.push(&dn[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    rdns.push(&dn[start..]);
    let value = |rdn: &str| {
        rdn.split_once('=')
            .map_or(rdn, |(_, v)| v)
            .trim()
            .to_string()
    };
    let is_dc = |rdn: &str| {
        rdn.split_once('=')
            .is_some_and(|(t, _)| t.trim().eq_ignore_ascii_case("dc"))
    };
    let dcs = rdns.iter().rev().take_while(|r| is_dc(r)).count();
    let mut parts: Vec<String> = rdns[..rdns.len() - dcs].iter().map(|r| value(r)).collect();
    if dcs > 0 {
        let domain: Vec<String> = rdns[rdns.len() - dcs..].iter().map(|r| value(r)).collect();
        parts.push(domain.join("."));
    }
    parts.join(", ")
}

/// RFC 2849 / OpenLDAP: base64 iff a byte is outside 0x20–0x7E, or the value starts with
/// SPACE, `:` or `<`, or ends with SPACE.
pub fn needs_base64(v: &[u8]) -> bool {
    match (v.first(), v.last()) {
        (None, _) => false,
        (Some(f), Some(l)) => {
            matches!(f, b' ' | b':' | b'<')
                || *l == b' '
                || v.iter().any(|b| !(0x20..=0x7E).contains(b))
        }
        (Some(_), None) => false,
    }
}

/// ldb (`ldb_should_b64_encode`): first byte SPACE or `:`, or any byte that is not
/// printable ASCII.
fn ldb_needs_base64(v: &[u8]) -> bool {
    matches!(v.first(), Some(b' ' | b':')) || v.iter().any(|b| !(0x20..=0x7E).contains(b))
}

impl<'a> Emitter<'a> {
    /// An emitter appending to `out`.
    pub fn new(out: &'a mut Vec<u8>, flavor: Flavor) -> Emitter<'a> {
        let (eol, width): (&'static [u8], usize) = match flavor {
            Flavor::Ldifde | Flavor::LdifdeUnicode => (b"\r\n", 80),
            Flavor::Openldap => (b"\n", 76),
            Flavor::Samba => (b"\n", 78),
            Flavor::Import => (b"\n", 0),
            Flavor::Csvde | Flavor::CsvdeUnicode => (b"\r\n", 0),
        };
        Emitter {
            out,
            flavor,
            eol,
            width,
            scratch: Vec::with_capacity(256),
            csv: None,
        }
    }

    /// An emitter of csvde rows in the columns of `layout`.
    pub fn csv(out: &'a mut Vec<u8>, flavor: Flavor, layout: &'a CsvLayout) -> Emitter<'a> {
        let mut e = Emitter::new(out, flavor);
        e.csv = Some(CsvRow {
            layout,
            dn: Vec::new(),
            fields: vec![Vec::new(); layout.names.len()],
            counts: vec![0; layout.names.len()],
            unknown: None,
        });
        e
    }

    /// The first attribute written that has no column in the csvde layout (a bug in the
    /// layout: its value was not written).
    pub fn unknown_column(&self) -> Option<&str> {
        self.csv.as_ref().and_then(|r| r.unknown.as_deref())
    }

    /// The line end in use.
    pub fn eol(&self) -> &'static [u8] {
        self.eol
    }

    /// Append raw bytes (file headers and trailers).
    pub fn raw(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// Start a record: comments the flavour writes, the `dn:` line and, for ldifde, the
    /// `changetype: add` line. `number` is the 1-based record number.
    pub fn start(&mut self, dn: &str, number: u64) {
        if let Some(row) = &mut self.csv {
            row.dn.clear();
            row.dn.extend_from_slice(dn.as_bytes());
            for f in &mut row.fields {
                f.clear();
            }
            row.counts.iter_mut().for_each(|c| *c = 0);
            return;
        }
        match self.flavor {
            Flavor::Samba => {
                self.out.extend_from_slice(b"# record ");
                push_u64(self.out, number);
                self.out.extend_from_slice(self.eol);
                self.out.extend_from_slice(b"dn: ");
                self.out.extend_from_slice(dn.as_bytes());
                self.out.extend_from_slice(self.eol);
            }
            Flavor::Openldap => {
                self.comment(&ufn(dn));
                self.line(b"dn", dn.as_bytes(), false);
            }
            Flavor::Ldifde | Flavor::LdifdeUnicode => {
                self.line(b"dn", dn.as_bytes(), false);
                self.out.extend_from_slice(b"changetype: add");
                self.out.extend_from_slice(self.eol);
            }
            Flavor::Import => self.line(b"dn", dn.as_bytes(), false),
            // Without a layout a csvde emitter writes no records.
            Flavor::Csvde | Flavor::CsvdeUnicode => {}
        }
    }

    /// End a record (the empty separator line; for csvde, the row).
    pub fn end(&mut self) {
        if let Some(row) = &self.csv {
            push_csv_field(self.out, &row.dn, true);
            for f in &row.fields {
                self.out.push(b',');
                push_csv_field(self.out, f, csv_needs_quotes(f));
            }
        }
        self.out.extend_from_slice(self.eol);
    }

    /// A text value.
    pub fn text(&mut self, name: &str, value: &str) {
        self.line(name.as_bytes(), value.as_bytes(), false);
    }

    /// A binary value (always base64).
    pub fn binary(&mut self, name: &str, value: &[u8]) {
        self.line(name.as_bytes(), value, true);
    }

    /// A decimal number.
    pub fn num(&mut self, name: &str, value: i64) {
        let mut buf = [0u8; 24];
        let mut i = buf.len();
        let mut v = value.unsigned_abs();
        loop {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if value < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        self.line(name.as_bytes(), &buf[i..], false);
    }

    /// A `# text` comment line, folded at the flavour's width as ldapsearch folds its
    /// comments (a continuation line starts with a space), never inside a UTF-8 character.
    fn comment(&mut self, text: &str) {
        let mut line = String::with_capacity(text.len() + 2);
        line.push_str("# ");
        line.push_str(text);
        let mut rest = line.as_str();
        let mut room = if self.width == 0 {
            usize::MAX
        } else {
            self.width
        };
        loop {
            if rest.len() <= room {
                self.out.extend_from_slice(rest.as_bytes());
                self.out.extend_from_slice(self.eol);
                return;
            }
            let mut cut = room;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.extend_from_slice(&rest.as_bytes()[..cut]);
            self.out.extend_from_slice(self.eol);
            self.out.push(b' ');
            rest = &rest[cut..];
            room = self.width - 1;
        }
    }

    fn line(&mut self, name: &[u8], value: &[u8], binary: bool) {
        if let Some(row) = &mut self.csv {
            row.push(name, value, binary);
            return;
        }
        let b64 = binary
            || match self.flavor {
                Flavor::Samba => ldb_needs_base64(value),
                _ => needs_base64(value),
            };
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let body: &[u8] = if b64 {
            let n = base64::encoded_len(value.len(), true).unwrap_or(0);
            scratch.resize(n, 0);
            let written = B64.encode_slice(value, &mut scratch).unwrap_or(0);
            scratch.truncate(written);
            &scratch
        } else {
            value
        };
        let sep: &[u8] = if b64 { b":: " } else { b": " };
        let head = name.len() + sep.len();
        let total = head + body.len();
        if self.width == 0 || total <= self.width {
            self.out.extend_from_slice(name);
            if body.is_empty() {
                self.out.extend_from_slice(if b64 { b"::" } else { b":" });
            } else {
                self.out.extend_from_slice(sep);
                self.out.extend_from_slice(body);
            }
            self.out.extend_from_slice(self.eol);
        } else if matches!(self.flavor, Flavor::Ldifde | Flavor::LdifdeUnicode) {
            // ldifde style: break right after `attr: `, then the value on continuation
            // lines.
            self.out.extend_from_slice(name);
            self.out.extend_from_slice(sep);
            self.out.extend_from_slice(self.eol);
            for chunk in body.chunks(self.width - 1) {
                self.out.push(b' ');
                self.out.extend_from_slice(chunk);
                self.out.extend_from_slice(self.eol);
            }
        } else {
            // Cut the logical line at `width`, continuations SPACE + width-1.
            let mut logical = Vec::with_capacity(total);
            logical.extend_from_slice(name);
            logical.extend_from_slice(sep);
            logical.extend_from_slice(body);
            let (first, rest) = logical.split_at(self.width);
            self.out.extend_from_slice(first);
            self.out.extend_from_slice(self.eol);
            for chunk in rest.chunks(self.width - 1) {
                self.out.push(b' ');
                self.out.extend_from_slice(chunk);
                self.out.extend_from_slice(self.eol);
            }
        }
        self.scratch = scratch;
    }
}

/// Append the decimal digits of `v`.
pub fn push_u64(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Transcode UTF-8 to UTF-16LE (no BOM).
pub fn to_utf16le(utf8: &[u8], out: &mut Vec<u8>) {
    out.reserve(utf8.len() * 2);
    if utf8.is_ascii() {
        for &b in utf8 {
            out.push(b);
            out.push(0);
        }
        return;
    }
    for u in String::from_utf8_lossy(utf8).encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldifde_breaks_after_attr_and_folds() {
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out, Flavor::Ldifde);
        e.text("member", &"x".repeat(200));
        e.text("sn", "Müller");
        let s = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = s.split("\r\n").collect();
        assert_eq!(lines[0], "member: ");
        assert_eq!(lines[1].len(), 80);
        assert!(lines[1].starts_with(' '));
        assert_eq!(lines[4], "sn:: TcO8bGxlcg==");
    }

    #[test]
    fn openldap_cuts_at_76_and_samba_keeps_raw_dn() {
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out, Flavor::Openldap);
        e.text("description", &"y".repeat(100));
        let s = String::from_utf8(out).unwrap();
        assert!(s.lines().all(|l| l.len() <= 76));
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out, Flavor::Samba);
        e.start("OU=Zürich,DC=x", 3);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# record 3\ndn: OU=Zürich,DC=x\n"
        );
    }

    #[test]
    fn openldap_entries_start_with_their_ufn_folded_like_any_line() {
        assert_eq!(
            ufn("CN=Ann Lee,OU=Staff,DC=contoso,DC=local"),
            "Ann Lee, Staff, contoso.local"
        );
        assert_eq!(ufn("DC=contoso,DC=local"), "contoso.local");
        assert_eq!(ufn("CN=Lee\\, Ann,OU=Staff,DC=x"), "Lee\\, Ann, Staff, x");
        assert_eq!(
            ufn("CN=Schema,CN=Configuration,O=x"),
            "Schema, Configuration, x"
        );
        let dn = format!("CN={},OU=Zürich,DC=contoso,DC=local", "Ölmann ".repeat(12));
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out, Flavor::Openldap);
        e.start(&dn, 1);
        let s = String::from_utf8(out).unwrap();
        assert!(s.lines().all(|l| l.len() <= 76), "{s}");
        let comment: String = s
            .lines()
            .take_while(|l| !l.starts_with("dn"))
            .enumerate()
            .map(|(i, l)| if i == 0 { l } else { &l[1..] })
            .collect();
        assert_eq!(comment, format!("# {}", ufn(&dn)));
        assert!(comment.ends_with(", Zürich, contoso.local"));
    }

    #[test]
    fn csvde_rows() {
        let layout = CsvLayout::new(["objectClass", "cn", "objectGUID", "memberOf", "sn", "cn"]);
        assert_eq!(
            layout.names(),
            ["objectClass", "cn", "objectGUID", "memberOf", "sn"]
        );
        let mut out = Vec::new();
        layout.header(&mut out);
        {
            let mut e = Emitter::csv(&mut out, Flavor::Csvde, &layout);
            e.start("CN=Smith\\, Ann,DC=x", 1);
            e.text("objectClass", "top");
            e.text("objectClass", "user");
            e.text("cn", "Smith, \"Ann\"");
            e.binary("objectGUID", &[0x0a, 0xff]);
            e.text("memberOf", "CN=a,DC=x");
            e.text("memberOf", "CN=b,DC=x");
            e.text("description", "no column");
            e.end();
            assert_eq!(e.unknown_column(), Some("description"));
            e.start("DC=x", 2);
            e.text("sn", " padded");
            e.end();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "DN,objectClass,cn,objectGUID,memberOf,sn\r\n\
             \"CN=Smith\\, Ann,DC=x\",user,\"Smith, \"\"Ann\"\"\",X'0aff',\"CN=a,DC=x;CN=b,DC=x\",\r\n\
             \"DC=x\",,,,,\" padded\"\r\n"
        );
    }

    #[test]
    fn base64_rule() {
        assert!(needs_base64(b" a"));
        assert!(needs_base64(b"a "));
        assert!(needs_base64(b"<a"));
        assert!(needs_base64("é".as_bytes()));
        assert!(!needs_base64(b"a b"));
        assert!(!ldb_needs_base64(b"<a"));
    }
}
