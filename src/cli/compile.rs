//! `revc compile FILE --emit ir`: print what a file compiles to.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, is_finding, read_source, stderr_color};
use crate::diag::render_human;

/// What `compile` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// The validated IR as JSON (see docs/ir.md).
    Ir,
}

/// Arguments of `revc compile`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .rev file.
    #[arg(value_name = "FILE")]
    file: String,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Emit::Ir)]
    emit: Emit,
}

/// Runs `revc compile`.
pub fn run(args: Args) -> i32 {
    let file = match read_source(&args.file) {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("{msg}");
            return if is_finding(&msg) {
                EXIT_FINDINGS
            } else {
                EXIT_USAGE
            };
        }
    };
    let compiled = crate::compile(&file);
    if compiled.has_errors() {
        eprint!(
            "{}",
            render_human(&file, &compiled.diagnostics, stderr_color())
        );
        return EXIT_FINDINGS;
    }
    match args.emit {
        Emit::Ir => println!(
            "{}",
            serde_json::to_string_pretty(&compiled.program).expect("the IR serializes")
        ),
    }
    EXIT_OK
}
