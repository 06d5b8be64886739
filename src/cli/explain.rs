//! `revc explain FILE (--lead JSON | --leads FILE --id ID)`: why one lead lands where it does.

use super::assign::pick_model;
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, io_reason, read_source, stderr_color};
use crate::diag::render_human;
use crate::engine::eval::Lead;
use crate::engine::input::{JsonLead, json_columns, json_text};
use crate::engine::plan::{Plan, PlanOptions};
use crate::engine::scan::{self, Scanner, Step};
use crate::explain::{CellsLead, Ctx, explain, human};
use crate::ir::{StageId, name_key};
use serde_json::{Map, Value};

/// Arguments of `revc explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .rev rules file.
    #[arg(value_name = "FILE")]
    rules: String,
    /// The lead as a JSON object, e.g. '{"Lead Score": 45, "Country": "Germany"}'.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["leads", "id"])]
    lead: Option<String>,
    /// A lead export (CSV, JSON or JSON Lines, by extension) to take the lead from.
    #[arg(long, value_name = "FILE", requires = "id")]
    leads: Option<String>,
    /// The id of the lead in --leads (the value of the id column).
    #[arg(long, value_name = "ID", requires = "leads")]
    id: Option<String>,
    /// The column that identifies a lead in --leads; default the first column.
    #[arg(long, value_name = "NAME")]
    id_column: Option<String>,
    /// The model to use when the file has more than one.
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
    /// The day relative dates are measured from (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The column holding the lead's current stage; a lead with one follows transitions.
    #[arg(long, value_name = "NAME")]
    stage_column: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn fail(msg: impl std::fmt::Display, code: i32) -> i32 {
    eprintln!("{msg}");
    code
}

/// One lead as read from the command line or a file.
enum Input {
    Cells(Vec<String>, CellsLead),
    Json(Vec<String>, Map<String, Value>),
}

/// Runs `revc explain`.
pub fn run(args: Args) -> i32 {
    let file = match read_source(&args.rules) {
        Ok(f) => f,
        Err(msg) => return fail(msg, EXIT_USAGE),
    };
    let compiled = crate::compile(&file);
    if compiled.has_errors() {
        eprint!(
            "{}",
            render_human(&file, &compiled.diagnostics, stderr_color())
        );
        return fail(format!("error: `{}` has errors", args.rules), EXIT_FINDINGS);
    }
    let program = compiled.program;
    let model = match pick_model(&program, args.model.as_deref(), None, &args.rules) {
        Ok(m) => m,
        Err(msg) => return fail(msg, EXIT_USAGE),
    };
    let as_of = match super::as_of_day(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(msg) => return fail(msg, EXIT_USAGE),
    };
    let input = match (&args.lead, &args.leads, &args.id) {
        (Some(json), _, _) => match serde_json::from_str::<Map<String, Value>>(json) {
            Ok(obj) => Input::Json(obj.keys().cloned().collect(), obj),
            Err(e) => {
                return fail(
                    format!("error: --lead is not a JSON object: {e}"),
                    EXIT_USAGE,
                );
            }
        },
        (None, Some(path), Some(id)) => match find_lead(path, id, args.id_column.as_deref()) {
            Ok(i) => i,
            Err(msg) => return fail(msg, EXIT_USAGE),
        },
        _ => {
            return fail(
                "error: give the lead with --lead JSON, or --leads FILE --id ID",
                EXIT_USAGE,
            );
        }
    };
    let mut plan = Plan::compile(
        &program,
        &PlanOptions {
            model,
            campaign: None,
            as_of,
            file_name: args.rules.clone(),
        },
    );
    let mut header = match &input {
        Input::Cells(h, _) | Input::Json(h, _) => h.clone(),
    };
    if args.lead.is_some() {
        // A lead written on the command line leaves out the fields it does not care about:
        // they are empty, as a missing key of a JSON lead is.
        for slot in &plan.slots {
            let key = crate::ir::field_key(&slot.name);
            if !header.iter().any(|h| crate::ir::field_key(h) == key) {
                header.push(slot.name.clone());
            }
        }
    }
    if let Err(e) = plan.bind(&header) {
        return fail(e, EXIT_FINDINGS);
    }
    let stage_col = match &args.stage_column {
        None => None,
        Some(n) => match header.iter().position(|h| h == n) {
            Some(i) => Some(i),
            None => {
                return fail(
                    format!("error: --stage-column `{n}` is not a column of the lead"),
                    EXIT_USAGE,
                );
            }
        },
    };
    let cx = Ctx {
        program: &program,
        plan: &plan,
        src: &file.text,
    };
    let result = match input {
        Input::Cells(_, mut lead) => go(&cx, &mut lead, stage_col),
        Input::Json(_, obj) => {
            let mut cols = Vec::new();
            json_columns(&obj, &header, &mut cols);
            let mut lead = JsonLead { cols: &cols };
            go(&cx, &mut lead, stage_col)
        }
    };
    let trace = match result {
        Ok(t) => t,
        Err(msg) => return fail(msg, EXIT_FINDINGS),
    };
    match args.format {
        Format::Human => print!("{}", human(&trace)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&trace).expect("the trace serializes")
        ),
    }
    EXIT_OK
}

fn go<L: Lead>(
    cx: &Ctx,
    lead: &mut L,
    stage_col: Option<usize>,
) -> Result<crate::explain::Trace, String> {
    let current = match stage_col {
        None => None,
        Some(col) => current_stage(cx.plan, lead, col)?,
    };
    Ok(explain(cx, lead, current).1)
}

/// The lead's current stage from its stage column, compared as `revc assign` does.
fn current_stage<L: Lead>(
    plan: &Plan,
    lead: &mut L,
    col: usize,
) -> Result<Option<StageId>, String> {
    let text = match lead.cell(col) {
        crate::engine::eval::Cell::Str(s) => s.trim().to_string(),
        _ => return Ok(None),
    };
    if text.is_empty() {
        return Ok(None);
    }
    let key = name_key(&text);
    plan.model
        .stages
        .iter()
        .position(|s| name_key(&s.name) == key)
        .map(|i| Some(StageId(i as u32)))
        .ok_or_else(|| {
            format!(
                "error: the lead's stage `{text}` is not a stage of model `{}`",
                plan.model.name
            )
        })
}

/// Finds the lead whose id column holds `id` in a CSV, JSON or JSON Lines file.
fn find_lead(path: &str, id: &str, id_column: Option<&str>) -> Result<Input, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("error: cannot read `{path}`: {}", io_reason(&e)))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("error: `{path}` is not UTF-8 text"))?;
    let not_found = || format!("error: no lead with id `{id}` in `{path}`");
    let lower = path.to_ascii_lowercase();
    let objects: Option<Vec<Map<String, Value>>> =
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
            )
        } else if lower.ends_with(".json") {
            Some(serde_json::from_str(&text).map_err(|e| format!("error: `{path}`: {e}"))?)
        } else {
            None
        };
    if let Some(objects) = objects {
        let obj = objects
            .into_iter()
            .find(|o| {
                let v = match id_column {
                    Some(c) => o.get(c),
                    None => o.values().next(),
                };
                json_text(v).trim() == id
            })
            .ok_or_else(not_found)?;
        return Ok(Input::Json(obj.keys().cloned().collect(), obj));
    }
    let buf = text.as_bytes();
    let scanner = Scanner::new(b',');
    let mut pos = scan::skip_bom(buf);
    let mut fields = Vec::new();
    let mut scratch = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut id_col = 0;
    while let Step::Record { end, .. } = scanner.next_record(buf, pos, true, &mut fields) {
        pos = end;
        let cells: Vec<String> = fields
            .iter()
            .map(|&f| String::from_utf8_lossy(scan::field_bytes(buf, f, &mut scratch)).into_owned())
            .collect();
        match &header {
            None => {
                if let Some(c) = id_column {
                    id_col = cells.iter().position(|h| h == c).ok_or_else(|| {
                        format!("error: --id-column `{c}` is not a column of `{path}`")
                    })?;
                }
                header = Some(cells);
            }
            Some(h) if cells.get(id_col).is_some_and(|v| v.trim() == id) => {
                return Ok(Input::Cells(
                    h.clone(),
                    CellsLead {
                        cells: cells.into_iter().map(Some).collect(),
                    },
                ));
            }
            Some(_) => {}
        }
    }
    Err(not_found())
}
