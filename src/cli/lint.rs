//! `revc lint FILE...`: `check`, then the static analysis of src/check/, with ruff's exit codes.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, is_finding, read_source, stderr_color};
use crate::check::{Config, LINTS, lint_by_code, severity_word};
use crate::diag::{Diagnostic, Severity, SourceFile, render_human, render_json};
use crate::span::line_col;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Output formats of `revc lint`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// Text for people, with source snippets.
    #[default]
    Human,
    /// JSON for tools.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

/// What `--deny` can make fatal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Warnings fail the run as errors do.
    Warnings,
}

/// Arguments of `revc lint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .rev files to lint.
    #[arg(value_name = "FILE", required_unless_present = "explain")]
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    format: LintFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    /// Print the documentation of a lint, e.g. `--explain REV201`.
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
}

/// Runs `revc lint`.
pub fn run(args: Args) -> i32 {
    if let Some(code) = &args.explain {
        return match lint_by_code(code) {
            Some(l) => {
                print!("{}", l.explain());
                EXIT_OK
            }
            None => {
                eprintln!("error: `{code}` is not a lint code (lints are REV201 to REV217)");
                EXIT_USAGE
            }
        };
    }
    let mut failed = false;
    let mut usage = false;
    let mut configs: HashMap<PathBuf, Config> = HashMap::new();
    let mut results: Vec<(SourceFile, Vec<Diagnostic>)> = Vec::new();
    let mut unreadable: Vec<(String, String)> = Vec::new();
    for path in &args.files {
        let file = match read_source(path) {
            Ok(f) => f,
            Err(msg) => {
                eprintln!("{msg}");
                if is_finding(&msg) {
                    failed = true;
                    unreadable.push((path.clone(), msg));
                } else {
                    usage = true;
                }
                continue;
            }
        };
        let config = match Config::find(Path::new(path)) {
            None => Config::default(),
            Some(p) => match configs.get(&p) {
                Some(c) => c.clone(),
                None => match Config::load(&p) {
                    Ok(c) => {
                        configs.insert(p, c.clone());
                        c
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        usage = true;
                        continue;
                    }
                },
            },
        };
        let compiled = crate::compile(&file);
        // Errors stop linting this file: the IR is incomplete, so every lint could be wrong.
        let diags = if compiled.has_errors() {
            compiled.diagnostics
        } else {
            let mut d = compiled.diagnostics;
            d.extend(crate::check::lint(&compiled.program, &file.text, &config));
            crate::diag::sort(&mut d);
            d
        };
        let fatal = |d: &Diagnostic| {
            d.severity == Severity::Error
                || (args.deny == Some(Deny::Warnings) && d.severity == Severity::Warning)
        };
        failed |= diags.iter().any(fatal);
        results.push((file, diags));
    }
    match args.format {
        LintFormat::Human => print_human(&results),
        LintFormat::Json => {
            let all: Vec<_> = results
                .iter()
                .flat_map(|(f, d)| render_json(f, d))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&all).expect("diagnostics serialize")
            );
        }
        LintFormat::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&sarif(&results, &unreadable)).expect("SARIF serializes")
        ),
    }
    if usage {
        EXIT_USAGE
    } else if failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn print_human(results: &[(SourceFile, Vec<Diagnostic>)]) {
    let mut counts = [0usize; 3];
    for (file, diags) in results {
        eprint!("{}", render_human(file, diags, stderr_color()));
        for d in diags {
            counts[d.severity as usize] += 1;
        }
    }
    let [info, warn, err] = counts;
    let files = results.len();
    let noun = if files == 1 { "file" } else { "files" };
    if info + warn + err == 0 {
        eprintln!("linted {files} {noun}: no findings");
    } else {
        eprintln!("linted {files} {noun}: {err} error(s), {warn} warning(s), {info} info");
    }
}

/// The SARIF level of a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF region for a byte span (lines and columns 1-based, columns in code points).
fn region(text: &str, span: crate::span::Span) -> Value {
    let (sl, sc) = line_col(text, span.start as usize);
    let (el, ec) = line_col(text, span.end as usize);
    json!({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec})
}

/// The SARIF 2.1.0 log of a run: one rule per lint, with help text and a `helpUri` into
/// docs/lints.md; every finding (lint or check error) as a result.
pub fn sarif(results: &[(SourceFile, Vec<Diagnostic>)], unreadable: &[(String, String)]) -> Value {
    let rules: Vec<Value> = LINTS
        .iter()
        .map(|l| {
            json!({
                "id": l.code.as_str(),
                "name": l.name,
                "shortDescription": {"text": l.code.summary()},
                "fullDescription": {"text": l.doc()},
                "help": {"text": l.doc(), "markdown": l.doc()},
                "helpUri": format!("docs/lints.md#{}", l.code.as_str().to_lowercase()),
                "defaultConfiguration": {"level": level(l.severity)},
                "properties": {"severity": severity_word(l.severity)}
            })
        })
        .collect();
    let mut out = Vec::new();
    for (file, diags) in results {
        for d in diags {
            let mut r = json!({
                "ruleId": d.code.as_str(),
                "level": level(d.severity),
                "message": {"text": match &d.help {
                    Some(h) => format!("{}\nhelp: {h}", d.message),
                    None => d.message.clone(),
                }},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": file.name},
                    "region": region(&file.text, d.primary.span)
                }, "message": {"text": d.primary.message}}],
                "relatedLocations": d.secondary.iter().enumerate().map(|(i, l)| json!({
                    "id": i,
                    "physicalLocation": {
                        "artifactLocation": {"uri": file.name},
                        "region": region(&file.text, l.span)
                    },
                    "message": {"text": l.message}
                })).collect::<Vec<_>>()
            });
            if let Some(i) = LINTS.iter().position(|l| l.code == d.code) {
                r["ruleIndex"] = json!(i);
            }
            out.push(r);
        }
    }
    for (path, msg) in unreadable {
        out.push(json!({
            "ruleId": "REV003",
            "level": "error",
            "message": {"text": msg},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": path}}}]
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "revc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "docs/lints.md",
                "rules": rules
            }},
            "columnKind": "unicodeCodePoints",
            "results": out
        }]
    })
}
