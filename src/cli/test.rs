//! `revc test FILE...`: run the `test` blocks of rules files and report like `cargo test`.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, read_source, stderr_color};
use crate::diag::render_human;
use crate::explain::{human, run::run_tests};

/// Arguments of `revc test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .rev files whose tests to run.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Run only the tests whose name contains this text (without case).
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// The day relative dates are measured from (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

/// Runs `revc test`.
pub fn run(args: Args) -> i32 {
    let as_of = match super::as_of_day(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(msg) => {
            eprintln!("{msg}");
            return EXIT_USAGE;
        }
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut broken = false;
    let mut io_failed = false;
    for path in &args.files {
        let file = match read_source(path) {
            Ok(f) => f,
            Err(msg) => {
                eprintln!("{msg}");
                io_failed |= !super::is_finding(&msg);
                broken = true;
                continue;
            }
        };
        let compiled = crate::compile(&file);
        if compiled.has_errors() {
            eprint!(
                "{}",
                render_human(&file, &compiled.diagnostics, stderr_color())
            );
            eprintln!("error: `{path}` has errors; its tests did not run");
            broken = true;
            continue;
        }
        let results = run_tests(
            &compiled.program,
            &file.text,
            path,
            as_of,
            args.filter.as_deref(),
        );
        let noun = if results.len() == 1 { "test" } else { "tests" };
        println!("running {} {noun} from {path}", results.len());
        for r in &results {
            match &r.failure {
                None => {
                    passed += 1;
                    println!("test {} ... ok", r.name);
                }
                Some(_) => {
                    failed += 1;
                    println!("test {} ... FAILED", r.name);
                }
            }
        }
        for r in &results {
            if let Some(why) = &r.failure {
                println!("\n---- {} ({path}:{}) ----\n{why}\n", r.name, r.line);
                print!("{}", human(&r.trace));
            }
        }
    }
    let verdict = if failed == 0 && !broken {
        "ok"
    } else {
        "FAILED"
    };
    println!("\ntest result: {verdict}. {passed} passed, {failed} failed");
    if io_failed {
        EXIT_USAGE
    } else if failed > 0 || broken {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
