use std::io::Write;

use clap::Parser;

fn main() {
    let cli = ldifix::cli::Cli::parse();
    let code = match ldifix::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`ldifix dump x | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                0
            } else {
                let _ = writeln!(std::io::stderr(), "ldifix: {err:#}");
                2
            }
        }
    };
    std::process::exit(code);
}
