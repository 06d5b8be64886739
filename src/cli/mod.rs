//! The command line: argument parsing and dispatch, one file per subcommand.

mod assign;
mod check;
mod compile;
mod explain;
mod fmt;
mod lint;
mod test;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings, errors in the input, or rejected rows.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage, configuration or I/O error.
pub const EXIT_USAGE: i32 = 2;

/// revc: compile, check and run revenue-cycle rules written in `.rev` files.
#[derive(Debug, Parser)]
#[command(name = "revc", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assign every lead of an export (CSV, JSON, JSON Lines) to a stage of a model.
    Assign(Box<assign::Args>),
    /// Parse and validate .rev files; print every error at once.
    Check(check::Args),
    /// Compile a .rev file and print what it compiles to.
    Compile(compile::Args),
    /// Show why one lead lands where it does, choice by choice.
    Explain(Box<explain::Args>),
    /// Rewrite .rev files in the canonical layout (comments kept); --check only reports.
    Fmt(fmt::Args),
    /// Check .rev files, then find unreachable rules, contradictions, gaps and dead stages.
    Lint(lint::Args),
    /// Run the `test` blocks of .rev files through the engine.
    Test(test::Args),
}

/// Output format of diagnostics and summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people, with source snippets.
    #[default]
    Human,
    /// JSON for tools.
    Json,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Assign(args) => assign::run(*args),
        Command::Check(args) => check::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Explain(args) => explain::run(*args),
        Command::Fmt(args) => fmt::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Test(args) => test::run(args),
    }
}

/// Whether to colour output written to standard error.
pub(crate) fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Reads a rules file, or says why it cannot: the message to print, which holds `error[REV` when
/// the file's content is at fault (not UTF-8, too big) rather than the reading.
pub(crate) fn read_source(path: &str) -> Result<crate::diag::SourceFile, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("error: cannot read `{path}`: {}", io_reason(&e));
    let limit = crate::syntax::MAX_FILE_BYTES;
    // One byte past the limit is enough to know the file is too big; a 50 GB file (or an
    // endless device) is never read whole.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit as u64 + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() > limit {
        return Err(format!(
            "{path}: error[REV002]: the file is larger than the limit of {} MiB\n  help: split \
             the file: put each model, with the fields and smart lists it uses, in a file of its own",
            limit >> 20
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(crate::diag::SourceFile::new(path, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let col = at
                - bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            Err(format!(
                "{path}:{line}:{col}: error[REV003]: the file is not UTF-8 text (invalid byte 0x{:02x})\n  help: save the file as UTF-8",
                bytes[at]
            ))
        }
    }
}

/// Whether a [`read_source`] failure is a finding about the file (exit 1), not an I/O error.
pub(crate) fn is_finding(msg: &str) -> bool {
    msg.contains("error[REV")
}

/// An I/O error in lowercase words, without Rust's `(os error N)` suffix.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// The as-of day of `--as-of DATE` (today, in UTC, when not given), or the usage error to print.
pub(crate) fn as_of_day(arg: Option<&str>) -> Result<i32, String> {
    match arg {
        None => Ok(crate::ir::date::today()),
        Some(s) => crate::ir::date::parse_date(s).map(|d| d.day).ok_or_else(|| {
            format!("error: --as-of `{s}` is not a date\n  help: write it as YYYY-MM-DD, e.g. --as-of 2024-06-30")
        }),
    }
}
