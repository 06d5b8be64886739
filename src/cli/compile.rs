//! `revc compile FILE --emit ir|sql`: print what a file compiles to: the validated IR as JSON,
//! or one SQL query that assigns every lead of a table as `revc assign` would.

use super::assign::{pick_model, unknown};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, io_reason, is_finding, read_source, stderr_color};
use crate::diag::render_human;
use crate::engine::scan::{self, Scanner, Step};
use crate::sql::{self, Dialect, SqlOptions};

/// What `compile` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// The validated IR as JSON (see docs/ir.md).
    Ir,
    /// One SQL query: id, stage and rule of every lead of a table (see docs/sql.md).
    Sql,
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
    /// SQL: the engine the query is for.
    #[arg(long, value_enum, default_value_t = Dialect::Duckdb)]
    dialect: Dialect,
    /// SQL: the table of leads (dots separate a schema).
    #[arg(long, value_name = "NAME", default_value = "leads")]
    table: String,
    /// SQL: the model to use when the file has more than one.
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
    /// SQL: run this campaign instead of the assignment rules.
    #[arg(long, value_name = "NAME")]
    campaign: Option<String>,
    /// SQL: the day relative dates are measured from (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// SQL: the column that identifies a lead; default the first column of --columns-from.
    #[arg(long, value_name = "NAME")]
    id_column: Option<String>,
    /// SQL: the column holding each lead's current stage; leads with one follow transitions.
    #[arg(long, value_name = "NAME")]
    stage_column: Option<String>,
    /// SQL: a CSV file whose header row lists the table's columns; fields then bind to columns
    /// by folded name, as in `revc assign`.
    #[arg(long, value_name = "CSV")]
    columns_from: Option<String>,
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
        Emit::Ir => {
            println!(
                "{}",
                serde_json::to_string_pretty(&compiled.program).expect("the IR serializes")
            );
            EXIT_OK
        }
        Emit::Sql => match emit_sql(&args, &compiled.program) {
            Ok(sql) => {
                println!("{sql};");
                EXIT_OK
            }
            Err((msg, code)) => {
                eprintln!("{msg}");
                code
            }
        },
    }
}

fn emit_sql(args: &Args, program: &crate::ir::Program) -> Result<String, (String, i32)> {
    let usage = |m: String| (m, EXIT_USAGE);
    let campaign = match &args.campaign {
        None => None,
        Some(name) => match program.campaign_named(name) {
            Some(i) => Some(i),
            None => {
                let names: Vec<&str> = program
                    .campaigns
                    .iter()
                    .map(|c| program.name(c.name))
                    .collect();
                return Err(usage(unknown("campaign", name, &names, &args.file)));
            }
        },
    };
    let model = pick_model(program, args.model.as_deref(), campaign, &args.file).map_err(usage)?;
    let as_of = super::as_of_day(args.as_of.as_deref()).map_err(usage)?;
    let columns = match &args.columns_from {
        None => None,
        Some(path) => Some(csv_header(path).map_err(usage)?),
    };
    let opts = SqlOptions {
        dialect: args.dialect,
        table: args.table.clone(),
        model,
        campaign,
        as_of,
        file_name: args.file.clone(),
        id_column: args.id_column.clone(),
        stage_column: args.stage_column.clone(),
        columns,
    };
    sql::compile(program, &opts).map_err(|e| (e.to_string(), EXIT_FINDINGS))
}

/// The column names of a CSV file's header row.
fn csv_header(path: &str) -> Result<Vec<String>, String> {
    use std::io::Read as _;
    // The header is at the start: a lead table may be large, so read only its first megabyte.
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(1 << 20).read_to_end(&mut buf))
        .map_err(|e| format!("error: cannot read `{path}`: {}", io_reason(&e)))?;
    let scanner = Scanner::new(b',');
    let mut fields = Vec::new();
    match scanner.next_record(&buf, scan::skip_bom(&buf), true, &mut fields) {
        Step::Record { .. } => {}
        _ => return Err(format!("error: `{path}` has no header row")),
    }
    let mut scratch = Vec::new();
    fields
        .iter()
        .map(|&f| {
            std::str::from_utf8(scan::field_bytes(&buf, f, &mut scratch))
                .map(str::to_string)
                .map_err(|_| format!("error: the header row of `{path}` is not UTF-8 text"))
        })
        .collect()
}
