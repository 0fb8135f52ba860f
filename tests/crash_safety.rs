//! Crash safety of outputs: `ldifix generate` is SIGKILLed while it writes a large
//! output; the final name must then hold the previous file byte for byte (never a
//! partial file), a later successful run must replace it completely, and with no
//! previous file the output must either not exist or be complete. Interrupted by SIGINT
//! or SIGTERM instead, it removes its temporary file and exits with 130 or 143; `fix`
//! interrupted while it renames its outputs leaves all of them new.
//!
//! Every output goes through `output::AtomicFile` (temporary `.NAME.*.tmp` beside the
//! destination, fsync, rename), so this exercises the mechanism every command shares.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ldifix::ldif::{Item, Parser};
use ldifix::model::Entry;
use ldifix::rules::scope::{scope, Scope};
use ldifix::rules::Profile;
use ldifix::source::Input;

/// Users in the large output: big enough that writing takes well over the longest kill
/// delay, small enough to keep the test within seconds.
const USERS: usize = 60_000;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("ldifix")
}

fn gen_args(out: &Path, users: usize, seed: u64) -> Vec<String> {
    vec![
        "generate".into(),
        "--users".into(),
        users.to_string(),
        "--groups".into(),
        "20".into(),
        "--contacts".into(),
        "50".into(),
        "--seed".into(),
        seed.to_string(),
        "-q".into(),
        "-o".into(),
        out.display().to_string(),
    ]
}

fn run_to_end(args: &[String]) {
    let st = Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "ldifix {args:?} failed: {st:?}");
}

/// Temporary files of `out` in its directory (`.NAME.*.tmp`).
fn temps(out: &Path) -> Vec<PathBuf> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!(".{name}.");
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&prefix) && n.ends_with(".tmp")
        })
        .map(|e| e.path())
        .collect()
}

/// Start `args`, wait until its temporary output exists (so the write has begun), wait
/// `delay` more, then SIGKILL it. Returns true when the process was still running at
/// the kill.
fn kill_mid_write(args: &[String], out: &Path, delay: Duration) -> bool {
    let mut child: Child = Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while temps(out).is_empty() {
        if child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(30) {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(delay);
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
    running
}

/// Parse a whole file with our parser: (records, in-scope users).
fn census(path: &Path) -> (usize, usize) {
    let input = Input::open(path).unwrap();
    let mut records = 0;
    let mut users = 0;
    for item in Parser::new(input.bytes()) {
        let Item::Record(r) = item.expect("a complete output parses") else {
            continue;
        };
        records += 1;
        if let Some(e) = Entry::from_record(0, r) {
            // The generator's health mailbox is in scope too (Entra Connect syncs it:
            // no default rule leaves it out), but it is not one of the requested users.
            let health = e.dn.contains("CN=Monitoring Mailboxes,");
            if e.object_class() == Some("user") && scope(&e, Profile::Entra) == Scope::In && !health
            {
                users += 1;
            }
        }
    }
    (records, users)
}

fn remove_temps(out: &Path) {
    for t in temps(out) {
        let _ = std::fs::remove_file(t);
    }
}

#[test]
fn sigkill_never_leaves_a_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.ldf");
    let reference = dir.path().join("reference.ldf");

    // The complete new output, for comparison (generate is deterministic per options).
    run_to_end(&gen_args(&reference, USERS, 1));
    let ref_bytes = std::fs::read(&reference).unwrap();
    let (ref_records, ref_users) = census(&reference);
    assert_eq!(
        ref_users, USERS,
        "the reference output holds every requested user"
    );

    // A previous, different output under the final name.
    run_to_end(&gen_args(&out, 500, 7));
    let previous = std::fs::read(&out).unwrap();
    assert_ne!(previous, ref_bytes);

    let mut forced = gen_args(&out, USERS, 1);
    forced.push("--force".into());
    let mut landed = 0;
    for ms in [0u64, 50, 200, 500] {
        let running = kill_mid_write(&forced, &out, Duration::from_millis(ms));
        let now = std::fs::read(&out).unwrap();
        if now == previous {
            if running {
                landed += 1;
            }
        } else {
            // Only possible when the run had already committed before the kill.
            assert!(
                now == ref_bytes,
                "after SIGKILL at +{ms} ms, {} is neither the previous file nor the complete new one ({} bytes)",
                out.display(),
                now.len()
            );
            // Put the previous file back for the next round.
            std::fs::write(&out, &previous).unwrap();
        }
        remove_temps(&out);
    }
    assert!(
        landed >= 2,
        "too few kills landed mid-write ({landed}); the output is written too fast to test"
    );

    // A later successful run replaces the previous file completely.
    run_to_end(&forced);
    let now = std::fs::read(&out).unwrap();
    assert!(now == ref_bytes, "the successful run left a different file");
    assert_eq!(census(&out), (ref_records, USERS));
    assert!(
        temps(&out).is_empty(),
        "a successful run leaves no temporary file"
    );

    // No previous file: after a kill the output does not exist or is complete.
    let fresh = dir.path().join("fresh.ldf");
    let mut missing = 0;
    for ms in [20u64, 300] {
        let _ = std::fs::remove_file(&fresh);
        kill_mid_write(
            &gen_args(&fresh, USERS, 1),
            &fresh,
            Duration::from_millis(ms),
        );
        if fresh.exists() {
            assert_eq!(census(&fresh), (ref_records, USERS));
            assert!(std::fs::read(&fresh).unwrap() == ref_bytes);
        } else {
            missing += 1;
        }
        remove_temps(&fresh);
    }
    assert!(
        missing >= 1,
        "no kill landed before the fresh output was committed"
    );
}

/// Start `generate` of a large output (200 k users: seconds of writing) with SIGINT,
/// SIGTERM and SIGHUP at their defaults — a test run as a shell script's background job
/// inherits SIGINT ignored, which ldifix leaves ignored — and `ignore` ignored.
fn spawn_large_generate(out: &Path, ignore: Option<i32>) -> Child {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(bin());
    cmd.args(gen_args(out, 200_000, 1))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: signal() is async-signal-safe, as code between fork and exec must be.
    unsafe {
        cmd.pre_exec(move || {
            for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(s, libc::SIG_DFL);
            }
            if let Some(s) = ignore {
                libc::signal(s, libc::SIG_IGN);
            }
            Ok(())
        });
    }
    cmd.spawn().unwrap()
}

/// Wait until `child` has created the temporary file of `out`.
fn wait_for_temp(child: &mut Child, out: &Path) {
    let start = Instant::now();
    while temps(out).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ldifix ended before its temporary output was seen"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary output after 60 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn send(child: &Child, signal: &str) {
    let st = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success(), "kill -{signal} failed");
}

/// Interrupt `generate` mid-write with `signal`: it exits with `code`, says only that it
/// was interrupted, and leaves nothing in the directory — no temporary file, no output.
fn interrupt_mid_write(signal: &str, code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.ldf");
    let mut child = spawn_large_generate(&out, None);
    wait_for_temp(&mut child, &out);
    send(&child, signal);
    let done = child.wait_with_output().unwrap();
    assert_eq!(
        done.status.code(),
        Some(code),
        "SIG{signal}: {:?}, stderr {:?}",
        done.status,
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&done.stderr),
        "ldifix: interrupted\n"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn sigint_removes_the_temporary_output_and_exits_130() {
    interrupt_mid_write("INT", 130);
}

#[test]
fn sigterm_removes_the_temporary_output_and_exits_143() {
    interrupt_mid_write("TERM", 143);
}

/// `nohup` ignores SIGHUP: so does ldifix then, and it goes on writing.
#[test]
fn a_signal_ignored_at_start_stays_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.ldf");
    let mut child = spawn_large_generate(&out, Some(libc::SIGHUP));
    wait_for_temp(&mut child, &out);
    send(&child, "HUP");
    std::thread::sleep(Duration::from_millis(200));
    let still = child.try_wait().unwrap();
    if still.is_none() {
        send(&child, "TERM");
    }
    let done = child.wait_with_output().unwrap();
    // Ended by SIGTERM (143) — or, on a machine fast enough to finish 200 k users in
    // 200 ms, completed (0); never by SIGHUP (129).
    assert!(
        matches!(done.status.code(), Some(143) | Some(0)),
        "{:?}",
        done.status
    );
    assert!(still.is_none() || out.exists());
    assert!(temps(&out).is_empty());
}

/// The outputs of one `fix` run are renamed as one step: SIGINT sent the moment the
/// first of them (the undo file) is renamed over a previous run's outputs leaves every
/// output new — never a new undo file beside an old change file, map or report — and
/// the message says the outputs are complete. Whenever the signal lands in the renames,
/// this must hold; several tries make it likely that some land right in them.
#[test]
fn sigint_during_the_renames_of_fix_leaves_all_outputs_new() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ldf");
    run_to_end(&gen_args(&input, USERS, 3));
    let names = [
        "undo.ldf",
        "undo.ldf.map.csv",
        "changes.ldf",
        "changes.ldf.map.csv",
        "report.csv",
    ];
    let path = |n: &str| dir.path().join(n);
    for _ in 0..3 {
        for n in names {
            std::fs::write(path(n), "OLD").unwrap();
        }
        let old_undo = std::fs::metadata(path("undo.ldf")).unwrap().ino();
        let mut child = Command::new(bin())
            .args(["fix", "-q"])
            .arg(&input)
            .args(["--upn-suffix", "contoso.com=fabrikam.com", "--force", "-o"])
            .arg(path("changes.ldf"))
            .arg("--undo")
            .arg(path("undo.ldf"))
            .arg("--report")
            .arg(path("report.csv"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        loop {
            let renamed = std::fs::metadata(path("undo.ldf")).is_ok_and(|m| m.ino() != old_undo);
            if renamed || child.try_wait().unwrap().is_some() {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "fix took over 120 s"
            );
        }
        send(&child, "INT");
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        let old: Vec<&str> = names
            .into_iter()
            .filter(|n| std::fs::read(path(n)).unwrap() == b"OLD")
            .collect();
        assert!(
            old.is_empty(),
            "still old after the interrupt: {old:?}; stderr {stderr:?}"
        );
        if done.status.code() == Some(130) {
            assert!(stderr.contains("they are complete"), "{stderr:?}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }
}

/// New outputs get the permissions of any new file (0666 less the umask): a user who
/// asked for private files (umask 077) gets 0600 change and undo files.
#[test]
fn new_outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ldf");
    std::fs::write(
        &input,
        "dn: CN=Ann,DC=contoso,DC=local\nobjectClass: user\ncn: Ann\nsAMAccountName: ann\nuserPrincipalName: ann@contoso.local\n",
    )
    .unwrap();
    for (mask, want) in [("077", 0o600), ("022", 0o644)] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {mask}; exec \"$0\" fix -q \"$1\" --upn-suffix contoso.local=contoso.com -o \"$2\" --undo \"$3\" --force"
            ))
            .arg(bin())
            .arg(&input)
            .arg(dir.path().join("c.ldf"))
            .arg(dir.path().join("u.ldf"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        for name in ["c.ldf", "u.ldf", "c.ldf.map.csv"] {
            let p = dir.path().join(name);
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                want,
                "{name} under umask {mask}"
            );
            std::fs::remove_file(&p).unwrap();
        }
        std::fs::remove_file(dir.path().join("u.ldf.map.csv")).unwrap();
    }
}
