//! The practical floor of reading an LDIF export: map the file and count its record
//! separators, nothing else. Used by `scripts/bench-peers.sh` as the reference every other
//! tool is compared with.
//!
//! Usage: `count_records FILE [THREADS]` (default 2 threads). Prints the number of
//! separators found.
//!
//! The separator is an empty line: `\r\n\r\n` in a CRLF file (ldifde), `\n\n` otherwise;
//! the file's first line ending decides which one is searched (one `memmem` pass over the
//! bytes, as a parser of that dialect would make). The file is split into equal byte
//! ranges, one per thread; each thread counts the matches that *start* in its range, so
//! a separator straddling two ranges is counted exactly once.

use std::fs::File;
use std::process::ExitCode;

use memchr::memmem;

/// Separators starting in `hay[start..end]` (a match may extend past `end`).
fn count_in(hay: &[u8], start: usize, end: usize, needle: &[u8]) -> u64 {
    let stop = (end + needle.len() - 1).min(hay.len());
    if start >= stop {
        return 0;
    }
    memmem::find_iter(&hay[start..stop], needle).count() as u64
}

/// The separator of `bytes`: `\r\n\r\n` when the first line ends in CR LF.
fn separator(bytes: &[u8]) -> &'static [u8] {
    match memchr::memchr(b'\n', bytes) {
        Some(i) if i > 0 && bytes[i - 1] == b'\r' => b"\r\n\r\n",
        _ => b"\n\n",
    }
}

/// Count separators on `threads` threads.
fn count(bytes: &[u8], threads: usize) -> u64 {
    let needle = separator(bytes);
    let threads = threads.max(1);
    let step = bytes.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let start = (t * step).min(bytes.len());
                let end = ((t + 1) * step).min(bytes.len());
                s.spawn(move || count_in(bytes, start, end, needle))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: count_records FILE [THREADS]");
        return ExitCode::from(2);
    };
    let threads = match args.next().map(|t| t.to_string_lossy().parse::<usize>()) {
        None => 2,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("THREADS must be a positive number");
            return ExitCode::from(2);
        }
    };
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open {}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let n = if len == 0 {
        0
    } else {
        // SAFETY: the file is only read; a concurrent truncation by another process would
        // be the caller's mistake (the benchmark owns its files).
        let map = match unsafe { memmap2::Mmap::map(&file) } {
            Ok(m) => m,
            Err(e) => {
                eprintln!("cannot map {}: {e}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        };
        count(&map, threads)
    };
    println!("{n}");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_straddling_separators_once() {
        let data = b"\r\ndn: a\r\nx: 1\r\n\r\ndn: b\r\n\r\ndn: c\r\n\r\n";
        for t in 1..=data.len() {
            assert_eq!(count(data, t), 3, "threads {t}");
        }
        let lf = b"dn: a\n\ndn: b\n\n";
        for t in 1..=lf.len() {
            assert_eq!(count(lf, t), 2, "threads {t}");
        }
        assert_eq!(count(b"", 2), 0);
    }
}
