//! `revc check FILE...`: parse and validate, print every diagnostic, exit 1 on any error.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, is_finding, read_source, stderr_color};
use crate::diag::{render_human, render_json};

/// Arguments of `revc check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .rev files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Runs `revc check`.
pub fn run(args: Args) -> i32 {
    let mut errors = 0usize;
    let mut io_failed = false;
    let mut json = Vec::new();
    for path in &args.files {
        let file = match read_source(path) {
            Ok(f) => f,
            Err(msg) => {
                eprintln!("{msg}");
                if is_finding(&msg) {
                    errors += 1;
                } else {
                    io_failed = true;
                }
                continue;
            }
        };
        let compiled = crate::compile(&file);
        errors += compiled.diagnostics.iter().filter(|d| d.is_error()).count();
        match args.format {
            Format::Human => eprint!(
                "{}",
                render_human(&file, &compiled.diagnostics, stderr_color())
            ),
            Format::Json => json.extend(render_json(&file, &compiled.diagnostics)),
        }
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json).expect("diagnostics serialize")
        ),
        Format::Human => {
            let files = args.files.len();
            let noun = if files == 1 { "file" } else { "files" };
            if errors == 0 && !io_failed {
                eprintln!("checked {files} {noun}: no errors");
            } else if errors > 0 {
                let e = if errors == 1 { "error" } else { "errors" };
                eprintln!("checked {files} {noun}: {errors} {e}");
            }
        }
    }
    if io_failed {
        EXIT_USAGE
    } else if errors > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
