//! Crash-safe output files. Every output is written to a temporary file beside its
//! destination, flushed and fsync'd, then renamed over the final name, so a crash, a
//! Ctrl-C or a SIGKILL leaves either the previous file or the complete new one — never a
//! partial file under the final name. An existing output is only replaced with `force`.
//!
//! An interrupted run (SIGINT, SIGTERM, SIGHUP) removes the temporary files it has not
//! renamed yet before it exits ([`remove_temporaries_on_interrupt`]). SIGKILL cannot be
//! caught: a killed run leaves its temporary files (hidden, `.NAME.XXXXXX.tmp`, beside
//! the outputs) for the user to delete — still never a partial file under a final name.
//!
//! Every error writing, syncing or renaming an output names the output (never the
//! temporary file, which is gone once the run ends), and [`precheck`] refuses, before any
//! work, a set of outputs that would overwrite an input or each other.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{bail, Context, Result};
use tempfile::TempPath;

/// An output being written.
pub struct AtomicFile {
    /// The temporary file, written through a buffer; `tmp` removes it unless renamed.
    file: BufWriter<File>,
    tmp: TempPath,
    /// The temporary file's entry in [`LIVE`]. Declared after `tmp`, so it is dropped
    /// after the temporary file is removed: an interrupt in between finds the file gone,
    /// never a file it does not know of.
    live: Live,
    dest: PathBuf,
    force: bool,
    /// Bytes written so far, and how many of them the kernel was asked to start writing
    /// to disk ([`AtomicFile::start_writeback`]).
    written: u64,
    kicked: u64,
    /// Nothing written since the last [`AtomicFile::sync`].
    synced: bool,
}

/// Bytes handed to the file between two requests to start writing them to disk.
const WRITEBACK_STEP: u64 = 8 << 20;

impl AtomicFile {
    /// Start writing `dest`. Fails at once if `dest` exists and `force` is false, so no
    /// work is wasted.
    pub fn create(dest: &Path, force: bool) -> Result<AtomicFile> {
        check_writable(dest, force)?;
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        // Created and entered in the registry under its lock: an interrupt removes it, or
        // comes before it exists.
        let mut registry = live();
        let (file, tmp) = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?
            .into_parts();
        let live = Live::enter(&mut registry, &tmp);
        drop(registry);
        // Temporary files are created 0600; the finished output gets the permissions of the
        // file it replaces, or those of any new file (0666 less the umask: 0644 with the
        // usual 022, 0600 with 077).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dest)
                .map(|m| m.permissions().mode() & 0o7777)
                .unwrap_or(0o666 & !umask());
            let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
        }
        Ok(AtomicFile {
            file: BufWriter::with_capacity(1 << 20, file),
            tmp,
            live,
            dest: dest.to_owned(),
            force,
            written: 0,
            kicked: 0,
            synced: false,
        })
    }

    /// Count `n` bytes written; every [`WRITEBACK_STEP`] bytes, ask the kernel to start
    /// writing what reached the file so far to disk, without waiting for it (Linux's
    /// `sync_file_range`). A large output is then on its way to disk while the rest is
    /// produced, and the fsync before the rename waits for its last few MiB only instead
    /// of all of it. Elsewhere, and if the call fails, the fsync does all the work.
    fn start_writeback(&mut self, n: usize) {
        self.written += n as u64;
        if self.written - self.kicked < WRITEBACK_STEP {
            return;
        }
        // Bytes still in the buffer are not in the file yet.
        let in_file = self.written - self.file.buffer().len() as u64;
        if in_file > self.kicked {
            start_writeback(self.file.get_ref(), self.kicked, in_file - self.kicked);
            self.kicked = in_file;
        }
    }

    /// The final path.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flush and fsync what is written so far (so several outputs can be synced on
    /// several threads before [`AtomicFile::commit`] renames them in order). A file not
    /// written since it was synced is not synced again.
    pub fn sync(&mut self) -> Result<()> {
        if self.synced {
            return Ok(());
        }
        self.flush()?;
        self.file
            .get_ref()
            .sync_all()
            .with_context(|| format!("cannot sync {}", self.dest.display()))?;
        self.synced = true;
        Ok(())
    }

    /// `e`, saying which output it happened to (its kind kept: a closed pipe is still
    /// one).
    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", self.dest.display()),
        )
    }

    /// Flush, fsync and rename into place.
    pub fn commit(self) -> Result<()> {
        AtomicFile::commit_all(vec![self])
    }

    /// Commit `files` in order ([`AtomicFile::commit`]), then fsync each directory they
    /// were renamed in once: the renames are durable when this returns. Every file is
    /// flushed and synced before the first is renamed, so an error writing any of them
    /// (a full disk) leaves none in place. The renames are one step for an interrupt: it
    /// waits until every file is in place (or a rename failed and the files after it are
    /// removed), so it never leaves some outputs of a run new and others old.
    pub fn commit_all(mut files: Vec<AtomicFile>) -> Result<()> {
        for f in &mut files {
            f.sync()?;
        }
        let parts: Vec<Synced> = files.into_iter().map(AtomicFile::into_synced).collect();
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut registry = live();
        let mut result = Ok(());
        let mut rest = parts.into_iter();
        for p in rest.by_ref() {
            let dir = p.dir();
            if let Err(e) = p.rename(&mut registry) {
                result = Err(e);
                break;
            }
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        // After a failed rename: the files not renamed are removed, still under the lock.
        for p in rest {
            p.discard(&mut registry);
        }
        for d in dirs {
            sync_dir(&d);
        }
        if result.is_ok() {
            COMMITTED.store(true, Ordering::SeqCst);
        }
        drop(registry);
        result
    }

    /// Flushed and synced ([`AtomicFile::sync`] was called): the parts a rename needs.
    fn into_synced(self) -> Synced {
        let AtomicFile {
            file,
            tmp,
            live,
            dest,
            force,
            ..
        } = self;
        // Flushed by the sync: nothing is left to write.
        drop(file);
        Synced {
            tmp,
            live,
            dest,
            force,
        }
    }
}

/// An output written and synced, waiting to be renamed into place.
struct Synced {
    tmp: TempPath,
    /// Declared after `tmp`, as in [`AtomicFile`].
    live: Live,
    dest: PathBuf,
    force: bool,
}

impl Synced {
    /// The directory the output is renamed in.
    fn dir(&self) -> PathBuf {
        match self.dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        }
    }

    /// Rename into place (the directory not synced); `registry` is the locked registry of
    /// temporary files, held across the rename: an interrupt waits for it, then finds the
    /// file renamed and out of the registry — it never removes a finished output.
    fn rename(self, registry: &mut Vec<PathBuf>) -> Result<()> {
        let Synced {
            tmp,
            live: mut entry,
            dest,
            force,
        } = self;
        let renamed = if force {
            tmp.persist(&dest)
        } else {
            tmp.persist_noclobber(&dest)
        };
        // Renamed, or not renamed and removed with the error: no temporary file is left.
        let renamed = renamed.map(drop).map_err(|e| rename_error(&dest, e.error));
        entry.leave(registry);
        renamed
    }

    /// Remove the temporary file without renaming it (`registry` as for `rename`).
    fn discard(self, registry: &mut Vec<PathBuf>) {
        let Synced { tmp, mut live, .. } = self;
        drop(tmp);
        live.leave(registry);
    }
}

/// The process's umask, read once: from `/proc/self/status` where Linux shows it
/// (reading it there changes nothing), else by setting and restoring it — the first
/// output is created before any other thread creates files.
#[cfg(unix)]
#[allow(unsafe_code)]
#[allow(clippy::useless_conversion)] // mode_t is u32 on Linux, u16 elsewhere
fn umask() -> u32 {
    static MASK: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *MASK.get_or_init(|| {
        let shown = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Umask:"))
                    .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            });
        shown.unwrap_or_else(|| {
            // SAFETY: umask only swaps the process's file mode mask; it is put back at once.
            unsafe {
                let old = libc::umask(0o022);
                libc::umask(old);
                u32::from(old)
            }
        }) & 0o777
    })
}

/// The error of a failed rename into `dest`: only a destination that appeared since the
/// run started is said to exist.
fn rename_error(dest: &Path, e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::AlreadyExists {
        anyhow::anyhow!("{} exists (use --force to replace it)", dest.display())
    } else {
        anyhow::Error::new(e).context(format!("cannot rename into {}", dest.display()))
    }
}

/// The temporary files of the outputs being written, not renamed yet: what an interrupt
/// removes. A temporary file is created and entered, renamed and left, under its lock;
/// the interrupt takes the lock for good, so it sees every temporary file that exists
/// and none that was renamed, and nothing is created or renamed after it.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Set when a commit put its outputs in place: an interrupt after it says they are whole.
static COMMITTED: AtomicBool = AtomicBool::new(false);

/// The registry of temporary files, locked. Its list stays valid if a thread panicked
/// holding it (every change to it is one push or one removal).
fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An [`AtomicFile`]'s entry in [`LIVE`]; leaves it when dropped.
struct Live(Option<PathBuf>);

impl Live {
    fn enter(registry: &mut Vec<PathBuf>, path: &Path) -> Live {
        registry.push(path.to_owned());
        Live(Some(path.to_owned()))
    }

    /// Leave the registry (`registry` is its locked list).
    fn leave(&mut self, registry: &mut Vec<PathBuf>) {
        if let Some(p) = self.0.take() {
            if let Some(i) = registry.iter().position(|q| *q == p) {
                registry.swap_remove(i);
            }
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if self.0.is_some() {
            self.leave(&mut live());
        }
    }
}

/// From now on, SIGINT, SIGTERM and SIGHUP end the process on a thread of its own:
/// it removes the temporary files of the outputs not renamed yet, says `ldifix:
/// interrupted` on stderr and exits with 128 + the signal's number (130, 143, 129).
/// The outputs a run commits together ([`AtomicFile::commit_all`]) are renamed as one
/// step: an interrupt during it waits for it, so it leaves either the previous outputs
/// or all the new ones, and says which. A signal ignored when ldifix started (`nohup` ignores SIGHUP, a shell
/// script's background job SIGINT) stays ignored. SIGKILL cannot be caught: a killed
/// run leaves its temporary files (never a partial file under an output's name).
///
/// Call it once, early in `main`. Elsewhere than on Unix it does nothing.
#[cfg(unix)]
pub fn remove_temporaries_on_interrupt() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let caught: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
        .into_iter()
        .filter(|&s| !ignored(s))
        .collect();
    if caught.is_empty() {
        return Ok(());
    }
    // The handlers are installed on the thread that waits for them, which says when they
    // are: a handler without its thread would leave the signal ignored.
    let (tell, told) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            let mut signals = match signal_hook::iterator::Signals::new(&caught) {
                Ok(s) => s,
                Err(e) => {
                    let _ = tell.send(Err(e));
                    return;
                }
            };
            let _ = tell.send(Ok(()));
            if let Some(signal) = signals.forever().next() {
                interrupted(128 + signal);
            }
        })?;
    told.recv()
        .unwrap_or_else(|_| Err(io::Error::other("the interrupt thread ended")))
}

/// Interrupts end the process as the platform does (no signals to catch here).
#[cfg(not(unix))]
pub fn remove_temporaries_on_interrupt() -> io::Result<()> {
    Ok(())
}

/// Whether `signal` is ignored (it was when the process started, as nothing of ldifix
/// has changed it yet).
#[cfg(unix)]
#[allow(unsafe_code)]
fn ignored(signal: i32) -> bool {
    // SAFETY: sigaction with a null new action only reads the current one into `old`, a
    // zeroed sigaction (a valid value of that plain C struct) of ours.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

/// Remove the temporary files and exit with `code`, holding the registry: nothing is
/// created or renamed after the removal, and [`exit`] waits (forever) for this exit.
#[cfg(unix)]
fn interrupted(code: i32) -> ! {
    let registry = live();
    for p in registry.iter() {
        let _ = std::fs::remove_file(p);
    }
    // On its own line after the terminal's `^C` or a progress bar.
    let newline = if io::IsTerminal::is_terminal(&io::stderr()) {
        "\n"
    } else {
        ""
    };
    // Outputs renamed into place before the interrupt are complete; say so when nothing
    // was left unfinished (the interrupt came after, or during, the last commit).
    let note = if registry.is_empty() && COMMITTED.load(Ordering::SeqCst) {
        " (after its outputs were written: they are complete)"
    } else {
        ""
    };
    let _ = writeln!(io::stderr(), "{newline}ldifix: interrupted{note}");
    std::process::exit(code)
}

/// Exit with `code`, unless an interrupt is being handled: it exits with its own status
/// (the two never call `exit` at once). Standard output is flushed first, outside the
/// registry's lock, so a reader that stopped reading cannot keep an interrupt waiting.
pub fn exit(code: i32) -> ! {
    let _ = io::stdout().flush();
    let _registry = live();
    std::process::exit(code)
}

/// Every error names the output ([`AtomicFile::named`]).
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.synced = false;
        let n = self.file.write(buf).map_err(|e| self.named(e))?;
        self.start_writeback(n);
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.synced = false;
        self.file.write_all(buf).map_err(|e| self.named(e))?;
        self.start_writeback(buf.len());
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush().map_err(|e| self.named(e))
    }
}

/// Refuse an existing destination unless `force`, and never replace anything but a
/// regular file: renaming over `/dev/null`, a directory or a named pipe would destroy it.
pub fn check_writable(dest: &Path, force: bool) -> Result<()> {
    // A missing directory is found before any work, not when the output is created.
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            let what = if dir.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            bail!("cannot write {}: {} {what}", dest.display(), dir.display());
        }
    }
    if let Ok(meta) = std::fs::symlink_metadata(dest) {
        if !meta.file_type().is_file() {
            bail!(
                "{} exists and is not a regular file; ldifix writes only regular files",
                dest.display()
            );
        }
        if !force {
            bail!("{} exists (use --force to replace it)", dest.display());
        }
    }
    Ok(())
}

/// A file a run will write, and what names it on the command line (`--json`,
/// `the line map of c.ldf`), for the messages of [`precheck`].
#[derive(Debug, Clone)]
pub struct Planned {
    /// The path as given (or derived from one given).
    pub path: PathBuf,
    /// The option or the output it is derived from.
    pub what: String,
}

impl Planned {
    /// The output `path`, named by `what`.
    pub fn new(path: impl Into<PathBuf>, what: impl Into<String>) -> Planned {
        Planned {
            path: path.into(),
            what: what.into(),
        }
    }
}

/// Refuse, before any work, every file a run would write that it must not: `-` (outputs
/// are files; no option writes to standard output), one of the files the run reads
/// (`inputs`: exports, CSVs, list files), a file named for two outputs (compared as
/// [`check_not_input`] compares: `./a` and `a`, or a path through a symbolic link, are
/// the same file), and an existing file without `force` or one that is not a regular
/// file ([`check_writable`]). `outputs` must hold every file the run writes, derived
/// ones (line maps, per-input files) included. The first problem is returned as the
/// message of a usage error; in the order above, so an input named as an output is
/// never answered with a hint to use `--force`.
pub fn precheck(outputs: &[Planned], inputs: &[PathBuf], force: bool) -> Result<(), String> {
    for o in outputs {
        refuse_stdout(&o.what, &o.path)?;
    }
    for o in outputs {
        check_not_input(&o.path, inputs)?;
    }
    let ids: Vec<PathBuf> = outputs.iter().map(|o| identity(&o.path)).collect();
    for (i, o) in outputs.iter().enumerate() {
        if let Some(j) = ids[..i].iter().position(|id| *id == ids[i]) {
            let first = &outputs[j];
            return Err(if first.path == o.path {
                format!(
                    "{} is named for two outputs: {} and {}",
                    o.path.display(),
                    first.what,
                    o.what
                )
            } else {
                format!(
                    "{} and {} are the same file, named for two outputs: {} and {}",
                    first.path.display(),
                    o.path.display(),
                    first.what,
                    o.what
                )
            });
        }
    }
    for o in outputs {
        check_writable(&o.path, force).map_err(|e| format!("{e:#}"))?;
    }
    Ok(())
}

/// Refuse `-` as the file of output option `what`: it would create a file named `-`
/// where standard output was meant.
pub fn refuse_stdout(what: &str, path: &Path) -> Result<(), String> {
    if path.as_os_str() == "-" {
        return Err(format!(
            "{what} -: outputs are written to files, not to standard output; give a file name"
        ));
    }
    Ok(())
}

/// Refuse an output path that names one of the inputs (inputs are never modified): the
/// same file once symbolic links, `.` and `..` are resolved. `-` among the inputs is
/// standard input, no file.
pub fn check_not_input(output: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    let Ok(out) = std::fs::canonicalize(output) else {
        return Ok(()); // does not exist yet: cannot be an input
    };
    for i in inputs.iter().filter(|i| i.as_os_str() != "-") {
        if std::fs::canonicalize(i).is_ok_and(|c| c == out) {
            return Err(format!(
                "{} is an input; outputs never overwrite inputs",
                output.display()
            ));
        }
    }
    Ok(())
}

/// The file a path names, for comparing outputs: the canonical path of an existing
/// file, else the canonical path of its directory joined with its name (the file does
/// not exist yet), else the path as given.
fn identity(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let Some(name) = p.file_name() else {
        return p.to_owned();
    };
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match std::fs::canonicalize(dir) {
        Ok(d) => d.join(name),
        Err(_) => p.to_owned(),
    }
}

/// Write a whole byte buffer atomically.
pub fn write_atomic(dest: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let mut f = AtomicFile::create(dest, force)?;
    f.write_all(bytes)?;
    f.commit()
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Ask the kernel to start writing `len` bytes of `f` from `from` to disk, without
/// waiting ([`AtomicFile::start_writeback`]).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn start_writeback(f: &File, from: u64, len: u64) {
    use std::os::unix::io::AsRawFd;
    let (Ok(from), Ok(len)) = (i64::try_from(from), i64::try_from(len)) else {
        return;
    };
    // SAFETY: a system call on a descriptor `f` keeps open for the call's duration; it
    // reads no memory of ours. Its result is a hint's: the fsync before the rename is
    // what makes the file durable.
    unsafe {
        libc::sync_file_range(f.as_raw_fd(), from, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn start_writeback(_f: &File, _from: u64, _len: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_holds_exactly_the_temporary_files_not_renamed() {
        // Other tests use the registry at the same time: only these files are looked at.
        let dir = tempfile::tempdir().unwrap();
        let registered = |p: &Path| live().iter().any(|q| q == p);
        let [a, b, c] = ["a", "b", "c"].map(|n| AtomicFile::create(&dir.path().join(n), false));
        let [mut a, b, c] = [a.unwrap(), b.unwrap(), c.unwrap()];
        let [ta, tb, tc] = [&a, &b, &c].map(|f| f.tmp.to_path_buf());
        assert!(registered(&ta) && registered(&tb) && registered(&tc));
        a.write_all(b"a").unwrap();
        a.commit().unwrap();
        assert!(!registered(&ta));
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"a");
        drop(b);
        assert!(!registered(&tb) && !tb.exists());
        // A rename refused (the output appeared meanwhile) removes the temporary file too.
        std::fs::write(dir.path().join("c"), b"theirs").unwrap();
        assert!(c.commit().is_err());
        assert!(!registered(&tc) && !tc.exists());
        assert_eq!(std::fs::read(dir.path().join("c")).unwrap(), b"theirs");
    }

    #[test]
    fn refuses_existing_without_force_and_replaces_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.ldf");
        write_atomic(&p, b"one", false).unwrap();
        assert!(write_atomic(&p, b"two", false).is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
    }

    #[cfg(unix)]
    #[test]
    fn new_outputs_follow_the_umask_and_replacements_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.json");
        write_atomic(&p, b"{}", false).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o666 & !umask()
        );
        // As a file the shell creates.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777
        );
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"{}", true).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[cfg(unix)]
    #[test]
    fn never_replaces_a_device_or_a_directory() {
        let e = write_atomic(Path::new("/dev/null"), b"x", true).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        assert!(write_atomic(dir.path(), b"x", true).is_err());
        assert!(dir.path().is_dir());
    }

    #[test]
    fn uncommitted_output_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.ldf");
        {
            let mut f = AtomicFile::create(&p, false).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!p.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn large_output_written_in_pieces_is_whole_and_in_order() {
        // More than two writeback steps, in pieces that straddle the buffer's size.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.ldf");
        let mut f = AtomicFile::create(&p, false).unwrap();
        let mut expected = Vec::new();
        let mut i = 0u32;
        while expected.len() < (2 * WRITEBACK_STEP + 12_345) as usize {
            let piece = vec![(i % 251) as u8; 700_001 + (i as usize % 3) * 333_333];
            f.write_all(&piece).unwrap();
            expected.extend_from_slice(&piece);
            i += 1;
        }
        assert!(f.kicked > 0, "writeback was started");
        assert!(f.kicked <= f.written);
        f.commit().unwrap();
        assert!(std::fs::read(&p).unwrap() == expected);
    }

    #[test]
    fn commit_all_renames_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let paths = [dir.path().join("a"), sub.join("b"), dir.path().join("c")];
        let mut files = Vec::new();
        for (k, p) in paths.iter().enumerate() {
            let mut f = AtomicFile::create(p, false).unwrap();
            write!(f, "file {k}").unwrap();
            files.push(f);
        }
        AtomicFile::commit_all(files).unwrap();
        for (k, p) in paths.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(p).unwrap(), format!("file {k}"));
        }
        // Nothing but the outputs (and the subdirectory) is left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
        assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_rename_says_why_and_exists_only_when_it_does() {
        let dir = tempfile::tempdir().unwrap();
        for force in [false, true] {
            let p = dir.path().join("out.ldf");
            let mut f = AtomicFile::create(&p, force).unwrap();
            f.write_all(b"x").unwrap();
            // The temporary file vanished: the rename fails, and nothing exists.
            std::fs::remove_file(&f.tmp).unwrap();
            let e = format!("{:#}", f.commit().unwrap_err());
            assert!(
                e.starts_with(&format!("cannot rename into {}: ", p.display())),
                "{e}"
            );
            assert!(!e.contains("exists"), "{e}");
            assert!(!p.exists());
        }
        // A destination that appeared after the output was started does exist.
        let p = dir.path().join("late.ldf");
        let mut f = AtomicFile::create(&p, false).unwrap();
        f.write_all(b"new").unwrap();
        std::fs::write(&p, b"theirs").unwrap();
        let e = format!("{:#}", f.commit().unwrap_err());
        assert_eq!(
            e,
            format!("{} exists (use --force to replace it)", p.display())
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"theirs");
    }

    /// An output whose every write fails, as on a full disk: its temporary file
    /// reopened read-only. Returns it and the error a write to that file gives.
    fn failing(p: &Path) -> (AtomicFile, io::Error) {
        let mut f = AtomicFile::create(p, false).unwrap();
        f.file = BufWriter::new(File::open(&f.tmp).unwrap());
        let raw = File::open(&f.tmp).unwrap().write(b"x").unwrap_err();
        (f, raw)
    }

    #[test]
    fn write_errors_name_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.csv");
        let (mut f, raw) = failing(&p);
        let e = f.write_all(&vec![b'x'; 2 << 20]).unwrap_err();
        assert_eq!(e.kind(), raw.kind());
        assert_eq!(
            e.to_string(),
            format!("cannot write {}: {raw}", p.display())
        );
        // Buffered bytes fail when they are flushed.
        let (mut f, raw) = failing(&p);
        f.write_all(b"a,b\n").unwrap();
        let e = format!("{:#}", f.commit().unwrap_err());
        assert_eq!(e, format!("cannot write {}: {raw}", p.display()));
        assert!(!p.exists());
    }

    #[test]
    fn commit_all_renames_none_when_one_cannot_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        let bad = dir.path().join("bad.csv");
        let mut g = AtomicFile::create(&good, false).unwrap();
        g.write_all(b"{}").unwrap();
        let (mut b, raw) = failing(&bad);
        b.write_all(b"a,b\n").unwrap();
        let e = format!("{:#}", AtomicFile::commit_all(vec![g, b]).unwrap_err());
        assert_eq!(e, format!("cannot write {}: {raw}", bad.display()));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn precheck_refuses_dash_inputs_shared_files_then_existing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let input = d.join("in.ldf");
        std::fs::write(&input, "x").unwrap();
        let old = d.join("old.csv");
        std::fs::write(&old, "x").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::os::unix::fs::symlink(&input, d.join("link.ldf")).unwrap();
        let inputs = [input.clone(), PathBuf::from("-")];
        let one = |p: &Path, force| precheck(&[Planned::new(p, "--json")], &inputs, force);
        assert_eq!(
            one(Path::new("-"), true).unwrap_err(),
            "--json -: outputs are written to files, not to standard output; give a file name"
        );
        for p in [
            input.clone(),
            d.join("sub/../in.ldf"),
            d.join("./in.ldf"),
            d.join("link.ldf"),
        ] {
            for force in [false, true] {
                assert_eq!(
                    one(&p, force).unwrap_err(),
                    format!(
                        "{} is an input; outputs never overwrite inputs",
                        p.display()
                    )
                );
            }
        }
        assert!(one(&old, false).unwrap_err().contains("--force"));
        one(&old, true).unwrap();
        one(&d.join("new.csv"), false).unwrap();
        // Two outputs in one file: refused before the hint to use --force.
        for (a, b) in [
            (old.clone(), d.join("sub/../old.csv")),
            (d.join("new.csv"), d.join("sub/../new.csv")),
        ] {
            let two = [Planned::new(&a, "-o"), Planned::new(&b, "--undo")];
            assert_eq!(
                precheck(&two, &inputs, false).unwrap_err(),
                format!(
                    "{} and {} are the same file, named for two outputs: -o and --undo",
                    a.display(),
                    b.display()
                )
            );
        }
        let two = [
            Planned::new(d.join("new.csv"), "-o"),
            Planned::new(d.join("new.csv"), "the line map of x"),
        ];
        assert_eq!(
            precheck(&two, &inputs, true).unwrap_err(),
            format!(
                "{} is named for two outputs: -o and the line map of x",
                d.join("new.csv").display()
            )
        );
        assert!(
            std::fs::read_dir(d).unwrap().count() == 4,
            "nothing written"
        );
    }
}
