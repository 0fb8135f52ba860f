use std::io::Write;

use clap::Parser;

fn main() {
    tune_allocator();
    let cli = ldifix::cli::Cli::parse();
    // Should this fail, an interrupt ends the process at once (temporary files left).
    let _ = ldifix::output::remove_temporaries_on_interrupt();
    let code = match ldifix::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`ldifix dump x | head`) is not an error (src/stdout.rs).
            if err.chain().any(|e| {
                e.downcast_ref::<ldifix::stdout::StdoutError>()
                    .is_some_and(|e| e.is_closed())
                    || e.downcast_ref::<std::io::Error>()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                0
            } else {
                let _ = writeln!(std::io::stderr(), "ldifix: {err:#}");
                2
            }
        }
    };
    ldifix::output::exit(code);
}

/// glibc's malloc gives freed memory back to the kernel at once: blocks from 128 KiB up
/// are mapped and unmapped one by one, and the heap is trimmed whenever 128 KiB are free
/// at its top. ldifix allocates and frees in phases (a chunk's entries, then the plan's
/// candidates, then its changes), so every phase touched fresh pages again, and a page
/// fault is dear on a virtual machine: `fix` on 1 M users spent 4.5 s of 6.5 s in the
/// kernel. Blocks below 32 MiB now come from the heap, the heap grows 64 MiB at a time,
/// and freed memory stays with the process for the next phase. The price: peak memory
/// can be a few per cent higher (`fix` with little to write on 1 M users: 2.48 -> 2.60
/// GB with the mapped file).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_allocator() {
    // SAFETY: mallopt only sets malloc's parameters; it runs before any other thread
    // exists and before anything but the runtime has allocated.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
