//! Getting an input's bytes: memory-mapped regular files (the zero-copy path), read
//! files for stdin, pipes or when mapping fails, and BOM sniffing — a UTF-8 BOM is
//! skipped, UTF-16LE/BE with a BOM (`ldifde -u`) is transcoded to an owned UTF-8 buffer
//! whose line numbers match the original file; UTF-16 without a BOM is recognised by
//! its first two characters (ASCII, so every other byte is zero). Malformed UTF-16 is an
//! error at its line, never replaced with U+FFFD: [`Input::open`] refuses the file,
//! [`Input::open_lenient`] leaves the bad code units out and lists where
//! ([`Input::faults`]) so a parser reports only the records holding them.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::ldif::{ErrorKind, Fault, ParseError};

/// How the input was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (or bytes) without a BOM.
    Utf8,
    /// UTF-8 with a BOM (skipped).
    Utf8Bom,
    /// UTF-16 little-endian (transcoded), with a BOM or recognised without one.
    Utf16Le,
    /// UTF-16 big-endian (transcoded), with a BOM or recognised without one.
    Utf16Be,
}

enum Data {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

/// One input file's content, ready for the parser.
pub struct Input {
    data: Data,
    start: usize,
    /// The path as given (`-` for stdin).
    pub path: PathBuf,
    /// The detected encoding.
    pub encoding: Encoding,
    /// Size of the file as stored (before transcoding).
    pub file_len: u64,
    /// Where code units that could not be decoded were left out (lenient opening only).
    faults: Vec<Fault>,
}

/// Failure to get an input's bytes.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{path}: {err}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error (in the message, not a source: printed once).
        err: io::Error,
    },
    /// The file is a spreadsheet workbook (a zip holding XML), not an export.
    #[error("{path}:1: a spreadsheet workbook ({kind}), not an export: save it as CSV (in Excel: File > Save As > CSV UTF-8) and give ldifix the CSV file")]
    Workbook {
        /// The path.
        path: String,
        /// `.xlsx` or `.ods`.
        kind: &'static str,
    },
    /// The file is a compressed archive, not an export.
    #[error("{path}:1: a {kind} file, not an export: {hint} and give ldifix the export inside")]
    Compressed {
        /// The path.
        path: String,
        /// `gzip`, `zip`, …
        kind: &'static str,
        /// How to decompress it.
        hint: String,
    },
    /// The file's encoding is malformed.
    #[error("{path}:{err}")]
    Decode {
        /// The path.
        path: String,
        /// Where and what.
        err: ParseError,
    },
}

/// Two of `paths` naming one file, the same path twice or two names of it (`./x`, a
/// link), as a message for a usage error: reading a file twice reports each of its
/// objects twice. Standard input (`-`) given twice is one of these. Paths that cannot
/// be inspected are left to the open that follows.
pub fn repeated_input(paths: &[PathBuf]) -> Option<String> {
    let mut seen: Vec<(&PathBuf, FileKey)> = Vec::with_capacity(paths.len());
    for p in paths {
        let Some(key) = file_key(p) else {
            continue;
        };
        if let Some((first, _)) = seen.iter().find(|(_, k)| *k == key) {
            return Some(if first.as_os_str() == p.as_os_str() {
                format!("{} is given twice: give each input once", p.display())
            } else {
                format!(
                    "{} and {} are the same file: give each input once",
                    first.display(),
                    p.display()
                )
            });
        }
        seen.push((p, key));
    }
    None
}

/// Two inputs holding the same export byte for byte (a copy under another name), as a
/// message for a usage error: every object would be read twice, and each of its values
/// reported as colliding with itself. Only inputs of equal length are compared.
pub fn identical_inputs(inputs: &[Input]) -> Option<String> {
    for (j, b) in inputs.iter().enumerate() {
        let bb = b.bytes();
        if bb.is_empty() {
            continue;
        }
        if let Some(a) = inputs[..j]
            .iter()
            .find(|a| a.bytes().len() == bb.len() && a.bytes() == bb)
        {
            return Some(format!(
                "{} holds the same export as {} (the same bytes): give each export once (read twice, every object would collide with itself)",
                b.name(),
                a.name()
            ));
        }
    }
    None
}

/// What identifies a file: device and inode on Unix, the canonical path elsewhere;
/// standard input is one file of its own.
#[derive(PartialEq, Eq)]
enum FileKey {
    Stdin,
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

fn file_key(p: &Path) -> Option<FileKey> {
    if p.as_os_str() == "-" {
        return Some(FileKey::Stdin);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(p).ok()?;
        Some(FileKey::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(p).ok().map(FileKey::Path)
    }
}

impl Input {
    /// Open `path` (`-` = stdin): map a regular file, else read it. Malformed UTF-16 is
    /// an error naming the line of the first bad code unit.
    pub fn open(path: &Path) -> Result<Input, InputError> {
        Self::open_with(path, false)
    }

    /// [`Input::open`], except that malformed UTF-16 leaves the bad code units out of
    /// the bytes and lists where ([`Input::faults`]), for a reader that reports the
    /// records holding them and reads the rest (`dump`, `scan --keep-going`).
    pub fn open_lenient(path: &Path) -> Result<Input, InputError> {
        Self::open_with(path, true)
    }

    fn open_with(path: &Path, lenient: bool) -> Result<Input, InputError> {
        let io_err = |err| InputError::Io {
            path: path.display().to_string(),
            err,
        };
        if path.as_os_str() == "-" {
            let mut buf = Vec::new();
            io::stdin().lock().read_to_end(&mut buf).map_err(io_err)?;
            let len = buf.len() as u64;
            return Self::from_data(path, Data::Owned(buf), len, lenient);
        }
        let file = File::open(path).map_err(io_err)?;
        let meta = file.metadata().map_err(io_err)?;
        if meta.is_file() && meta.len() > 0 {
            if let Some(map) = map_file(&file) {
                return Self::from_data(path, Data::Mapped(map), meta.len(), lenient);
            }
        }
        let mut buf = Vec::new();
        let mut f = file;
        f.read_to_end(&mut buf).map_err(io_err)?;
        let len = buf.len() as u64;
        Self::from_data(path, Data::Owned(buf), len, lenient)
    }

    /// Wrap bytes already in memory (stdin, tests); `path` names them in messages.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Input, InputError> {
        let len = bytes.len() as u64;
        Self::from_data(path, Data::Owned(bytes), len, false)
    }

    /// [`Input::from_bytes`], lenient like [`Input::open_lenient`].
    pub fn from_bytes_lenient(path: &Path, bytes: Vec<u8>) -> Result<Input, InputError> {
        let len = bytes.len() as u64;
        Self::from_data(path, Data::Owned(bytes), len, true)
    }

    fn from_data(
        path: &Path,
        data: Data,
        file_len: u64,
        lenient: bool,
    ) -> Result<Input, InputError> {
        let raw: &[u8] = match &data {
            Data::Mapped(m) => m,
            Data::Owned(v) => v,
        };
        if let Some(kind) = workbook(raw) {
            return Err(InputError::Workbook {
                path: path.display().to_string(),
                kind,
            });
        }
        if let Some((kind, tool)) = compression(raw) {
            return Err(InputError::Compressed {
                path: path.display().to_string(),
                kind,
                hint: if path.as_os_str() == "-" {
                    format!("decompress it first ({tool})")
                } else {
                    format!("decompress it first ({tool} {})", path.display())
                },
            });
        }
        let (encoding, start) = sniff(raw);
        match encoding {
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let (utf8, faults) = decode_utf16(&raw[start..], encoding == Encoding::Utf16Le);
                let input = Input {
                    data: Data::Owned(utf8),
                    start: 0,
                    path: path.to_owned(),
                    encoding,
                    file_len,
                    faults,
                };
                match input.first_fault() {
                    Some(e) if !lenient => Err(e),
                    _ => Ok(input),
                }
            }
            _ => Ok(Input {
                data,
                start,
                path: path.to_owned(),
                encoding,
                file_len,
                faults: Vec::new(),
            }),
        }
    }

    /// Where undecodable code units were left out of [`Input::bytes`] (byte offsets in
    /// them, in order); always empty unless opened leniently.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// The first fault as an error at its line, for a reader that cannot skip a bad
    /// record (CSV): the file is refused as [`Input::open`] would.
    pub fn first_fault(&self) -> Option<InputError> {
        let f = self.faults.first()?;
        let bytes = self.bytes();
        let line = 1 + memchr::memchr_iter(b'\n', &bytes[..f.offset.min(bytes.len())]).count();
        Some(InputError::Decode {
            path: self.name(),
            err: ParseError {
                kind: f.kind.clone(),
                line: line as u64,
                record_line: None,
                offset: f.offset,
            },
        })
    }

    /// The bytes to parse (BOM removed, UTF-16 transcoded).
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            Data::Mapped(m) => &m[self.start..],
            Data::Owned(v) => &v[self.start..],
        }
    }

    /// True when the bytes come straight from a memory map.
    pub fn is_mapped(&self) -> bool {
        matches!(self.data, Data::Mapped(_))
    }

    /// The path for messages.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// Map a file read-only. The file must not be changed by another process while it is
/// mapped (the same contract every mmap-based reader has); we never write through it.
#[allow(unsafe_code)]
fn map_file(file: &File) -> Option<Mmap> {
    // SAFETY: read-only mapping; see the contract above.
    let map = unsafe { Mmap::map(file) }.ok()?;
    #[cfg(unix)]
    {
        let _ = map.advise(memmap2::Advice::Sequential);
    }
    Some(map)
}

fn sniff(b: &[u8]) -> (Encoding, usize) {
    if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (Encoding::Utf8Bom, 3)
    } else if b.starts_with(&[0xFF, 0xFE]) {
        (Encoding::Utf16Le, 2)
    } else if b.starts_with(&[0xFE, 0xFF]) {
        (Encoding::Utf16Be, 2)
    } else if b.len() >= 4 && ascii_unit(b[0], b[1]) && ascii_unit(b[2], b[3]) {
        // "d\0n\0", "#\0 \0", "\r\0\n\0": UTF-8 text never holds a NUL byte there.
        (Encoding::Utf16Le, 0)
    } else if b.len() >= 4 && ascii_unit(b[1], b[0]) && ascii_unit(b[3], b[2]) {
        (Encoding::Utf16Be, 0)
    } else {
        (Encoding::Utf8, 0)
    }
}

/// A UTF-16 code unit `lo`, `hi` (in that order) holding a printable ASCII character, a
/// tab, CR or LF.
fn ascii_unit(lo: u8, hi: u8) -> bool {
    hi == 0 && (lo.is_ascii_graphic() || matches!(lo, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The compression format `raw` starts with, by its magic number, and the command that
/// undoes it: exports are often carried out of a domain compressed.
/// The kind of spreadsheet workbook a zip file is, by the name of its first member
/// (Office Open XML starts with `[Content_Types].xml` or a part under `xl/` or `_rels/`;
/// OpenDocument with `mimetype` naming a spreadsheet), if it is one.
fn workbook(raw: &[u8]) -> Option<&'static str> {
    if !raw.starts_with(b"PK\x03\x04") || raw.len() < 30 {
        return None;
    }
    let name_len = usize::from(u16::from_le_bytes([raw[26], raw[27]]));
    let extra_len = usize::from(u16::from_le_bytes([raw[28], raw[29]]));
    let name = raw.get(30..30 + name_len)?;
    if name == b"[Content_Types].xml" || name.starts_with(b"xl/") || name.starts_with(b"_rels/") {
        return Some(".xlsx");
    }
    // OpenDocument stores `mimetype` first, uncompressed.
    let body = raw.get(30 + name_len + extra_len..)?;
    (name == b"mimetype" && body.starts_with(b"application/vnd.oasis.opendocument.spreadsheet"))
        .then_some(".ods")
}

fn compression(raw: &[u8]) -> Option<(&'static str, &'static str)> {
    const MAGIC: [(&[u8], &str, &str); 6] = [
        (b"\x1f\x8b", "gzip", "gunzip -k"),
        (b"PK\x03\x04", "zip", "unzip"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip", "7z x"),
        (b"BZh", "bzip2", "bunzip2 -k"),
        (b"\xfd7zXZ\x00", "xz", "unxz -k"),
        (b"\x28\xb5\x2f\xfd", "zstd", "unzstd"),
    ];
    MAGIC
        .iter()
        .find(|(m, _, _)| raw.starts_with(m))
        .map(|&(_, kind, tool)| (kind, tool))
}

/// Transcode UTF-16 to UTF-8 without replacing anything: a code unit that is not part
/// of a character (an unpaired surrogate, a dangling last byte) is left out and listed
/// as a [`Fault`] at the offset where it would have been. Line numbers are preserved
/// because every U+000A becomes exactly one LF. The fast path is encoding_rs; on
/// failure the standard library's decoder goes over the units one by one.
fn decode_utf16(b: &[u8], le: bool) -> (Vec<u8>, Vec<Fault>) {
    let enc = if le {
        encoding_rs::UTF_16LE
    } else {
        encoding_rs::UTF_16BE
    };
    if b.len() % 2 == 0 {
        if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(b) {
            return (s.into_owned().into_bytes(), Vec::new());
        }
    }
    let units = b.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(b.len() / 2);
    let mut faults = Vec::new();
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => out.push(c),
            Err(e) => faults.push(Fault {
                offset: out.len(),
                kind: ErrorKind::BadUtf16 {
                    detail: format!(
                        "unpaired surrogate 0x{:04X} (expected a valid UTF-16 code unit sequence)",
                        e.unpaired_surrogate()
                    ),
                },
            }),
        }
    }
    if b.len() % 2 == 1 {
        // The dangling byte is on the last line.
        faults.push(Fault {
            offset: out.len(),
            kind: ErrorKind::BadUtf16 {
                detail: "odd number of bytes (expected whole 2-byte code units)".into(),
            },
        });
    }
    (out.into_bytes(), faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        let mut v = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn an_input_named_twice_is_found_by_file_not_by_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ldf");
        let b = dir.path().join("b.ldf");
        std::fs::write(&a, "dn: CN=a\n").unwrap();
        std::fs::write(&b, "dn: CN=a\n").unwrap();
        assert_eq!(repeated_input(&[a.clone(), b.clone()]), None);
        let m = repeated_input(&[a.clone(), b.clone(), a.clone()]).unwrap();
        assert!(
            m.ends_with("a.ldf is given twice: give each input once"),
            "{m}"
        );
        let dotted = dir.path().join(".").join("a.ldf");
        let m = repeated_input(&[a.clone(), dotted]).unwrap();
        assert!(m.contains("are the same file"), "{m}");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.ldf");
            std::os::unix::fs::symlink(&a, &link).unwrap();
            assert!(repeated_input(&[link, a.clone()]).is_some());
        }
        let m = repeated_input(&["-".into(), b.clone(), "-".into()]).unwrap();
        assert_eq!(m, "- is given twice: give each input once");
        // A missing file is left to the open that reports it.
        assert_eq!(repeated_input(&[dir.path().join("nope"), a]), None);
    }

    #[test]
    fn bom_sniffing() {
        let i = Input::from_bytes(Path::new("x"), b"\xEF\xBB\xBFdn: a\n".to_vec()).unwrap();
        assert_eq!(i.bytes(), b"dn: a\n");
        assert_eq!(i.encoding, Encoding::Utf8Bom);
        let i = Input::from_bytes(Path::new("x"), utf16le("dn: cn=Jos\u{e9}\r\n")).unwrap();
        assert_eq!(i.bytes(), "dn: cn=José\r\n".as_bytes());
        let mut be = vec![0xFE, 0xFF];
        for u in "a\nb".encode_utf16() {
            be.extend_from_slice(&u.to_be_bytes());
        }
        let i = Input::from_bytes(Path::new("x"), be).unwrap();
        assert_eq!(i.bytes(), b"a\nb");
    }

    #[test]
    fn malformed_utf16_names_its_line() {
        let mut v = utf16le("dn: a\ncn: b\n");
        v.extend_from_slice(&0xD800u16.to_le_bytes());
        v.extend_from_slice(&(b'x' as u16).to_le_bytes());
        match Input::from_bytes(Path::new("f.ldf"), v) {
            Err(InputError::Decode { err, .. }) => assert_eq!(err.line, 3),
            _ => panic!("expected a decode error"),
        }
        let mut v = utf16le("dn: a\n");
        v.push(b'x');
        match Input::from_bytes(Path::new("f.ldf"), v) {
            Err(InputError::Decode { err, .. }) => {
                assert_eq!(err.line, 2);
                assert!(err.to_string().contains("odd number of bytes"));
            }
            _ => panic!("expected a decode error"),
        }
    }

    /// A zip whose first member is `name` (then `body`), as a local file header starts.
    fn zip_with(name: &[u8], body: &[u8]) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend_from_slice(&[0u8; 22]);
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z.extend_from_slice(name);
        z.extend_from_slice(body);
        z
    }

    #[test]
    fn a_workbook_is_told_to_be_saved_as_csv_not_unzipped() {
        for (zip, kind) in [
            (zip_with(b"[Content_Types].xml", b"<?xml"), ".xlsx"),
            (zip_with(b"xl/workbook.xml", b"<?xml"), ".xlsx"),
            (
                zip_with(
                    b"mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                ),
                ".ods",
            ),
        ] {
            let msg = Input::from_bytes(Path::new("users.xlsx"), zip)
                .err()
                .expect("refused")
                .to_string();
            assert_eq!(
                msg,
                format!("users.xlsx:1: a spreadsheet workbook ({kind}), not an export: save it as CSV (in Excel: File > Save As > CSV UTF-8) and give ldifix the CSV file")
            );
        }
        // Any other zip is an archive to unzip.
        let msg = Input::from_bytes(Path::new("e.zip"), zip_with(b"export.ldf", b"dn"))
            .err()
            .expect("refused")
            .to_string();
        assert!(
            msg.contains("a zip file, not an export: decompress it first (unzip e.zip)"),
            "{msg}"
        );
    }

    #[test]
    fn compressed_files_are_named_with_the_command_that_opens_them() {
        for (bytes, kind, tool) in [
            (&b"\x1f\x8b\x08\x00rest"[..], "gzip", "gunzip -k"),
            (b"PK\x03\x04rest", "zip", "unzip"),
            (b"7z\xbc\xaf\x27\x1crest", "7-Zip", "7z x"),
            (b"BZh91AY", "bzip2", "bunzip2 -k"),
            (b"\xfd7zXZ\x00rest", "xz", "unxz -k"),
            (b"\x28\xb5\x2f\xfdrest", "zstd", "unzstd"),
        ] {
            let err = Input::from_bytes(Path::new("x.ldf.z"), bytes.to_vec())
                .err()
                .expect("refused");
            let msg = err.to_string();
            assert!(
                msg.starts_with(&format!("x.ldf.z:1: a {kind} file")),
                "{msg}"
            );
            assert!(msg.contains(&format!("({tool} x.ldf.z)")), "{msg}");
        }
        // An export that merely starts with such letters is read.
        assert!(Input::from_bytes(Path::new("a"), b"BZ: x\n".to_vec()).is_ok());
        assert!(Input::from_bytes(Path::new("a"), b"dn: cn=PK\n".to_vec()).is_ok());
    }
}
