//! `revc fmt FILE...`: rewrite files in the canonical layout; `--check` only reports.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, io_reason, read_source, stderr_color};
use crate::diag::{SourceFile, render_human};
use std::io::{Read, Write};

/// Arguments of `revc fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .rev files to format in place; `-` formats standard input to standard output.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Change nothing: print a diff of each file that is not formatted and exit 1.
    #[arg(long)]
    check: bool,
}

/// Runs `revc fmt`.
pub fn run(args: Args) -> i32 {
    let mut code = EXIT_OK;
    let mut worst = |c: i32| code = code.max(c);
    for path in &args.files {
        let file = if path == "-" {
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                eprintln!("error: cannot read standard input: {}", io_reason(&e));
                worst(EXIT_USAGE);
                continue;
            }
            SourceFile::new("<stdin>", text)
        } else {
            match read_source(path) {
                Ok(f) => f,
                Err(msg) => {
                    eprintln!("{msg}");
                    worst(if super::is_finding(&msg) {
                        EXIT_FINDINGS
                    } else {
                        EXIT_USAGE
                    });
                    continue;
                }
            }
        };
        let formatted = match crate::fmt::format(&file.text) {
            Ok(f) => f,
            Err(diags) => {
                // A file that does not parse is left as it is.
                eprint!("{}", render_human(&file, &diags, stderr_color()));
                eprintln!(
                    "error: `{}` has syntax errors; it was not formatted",
                    file.name
                );
                worst(EXIT_FINDINGS);
                continue;
            }
        };
        if args.check {
            let diff = crate::fmt::diff::unified(&file.name, &file.text, &formatted);
            if !diff.is_empty() {
                print!("{diff}");
                worst(EXIT_FINDINGS);
            }
        } else if path == "-" {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out
                .write_all(formatted.as_bytes())
                .and_then(|()| out.flush())
            {
                eprintln!("error: cannot write standard output: {}", io_reason(&e));
                worst(EXIT_USAGE);
            }
        } else if formatted != file.text {
            if let Err(e) = write_atomically(path, &formatted) {
                eprintln!("error: cannot write `{path}`: {}", io_reason(&e));
                worst(EXIT_USAGE);
            } else {
                eprintln!("formatted {path}");
            }
        }
    }
    code
}

/// Writes beside the target and renames, so an interrupted run never leaves half a file.
fn write_atomically(path: &str, text: &str) -> std::io::Result<()> {
    let tmp = format!("{path}.revc-fmt.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
