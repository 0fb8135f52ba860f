//! Record serialisation for each output flavour: line ends, base64 decisions, folding,
//! comments. Values go straight into the chunk buffer, so nothing is allocated per line.
//!
//! - `ldifde`: CRLF; `dn:`, then `changetype: add`; base64 for binary values and for any
//!   value that is not a SAFE-STRING (non-ASCII, leading SPACE/`:`/`<`, trailing SPACE);
//!   a line longer than 80 bytes is broken right after `attr: ` and the value continues on
//!   lines of one SPACE + 79 bytes (ldifde's style). The whole file is 7-bit ASCII.
//! - `openldap`: LF; same base64 rule; lines cut at 76 bytes (continuations SPACE + 75).
//! - `samba`: LF; the DN is raw UTF-8 on the `dn:` line, never folded, never base64 (as
//!   `ldbsearch` writes it); values base64 when they hold a byte outside 0x20–0x7E or start
//!   with SPACE or `:` (ldb's rule); lines cut at 78 bytes (SPACE + 77).
//! - `import`: LF, no folding, RFC 2849 base64 rule (for `ldbadd`).

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
        };
        Emitter {
            out,
            flavor,
            eol,
            width,
            scratch: Vec::with_capacity(256),
        }
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
                self.out.extend_from_slice(b"# ");
                self.out.extend_from_slice(dn.as_bytes());
                self.out.extend_from_slice(self.eol);
                self.line(b"dn", dn.as_bytes(), false);
            }
            Flavor::Ldifde | Flavor::LdifdeUnicode => {
                self.line(b"dn", dn.as_bytes(), false);
                self.out.extend_from_slice(b"changetype: add");
                self.out.extend_from_slice(self.eol);
            }
            Flavor::Import => self.line(b"dn", dn.as_bytes(), false),
        }
    }

    /// End a record (the empty separator line).
    pub fn end(&mut self) {
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

    fn line(&mut self, name: &[u8], value: &[u8], binary: bool) {
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
    fn base64_rule() {
        assert!(needs_base64(b" a"));
        assert!(needs_base64(b"a "));
        assert!(needs_base64(b"<a"));
        assert!(needs_base64("é".as_bytes()));
        assert!(!needs_base64(b"a b"));
        assert!(!ldb_needs_base64(b"<a"));
    }
}
