//! `.rev` to SQL: one `SELECT` that gives every lead of a table the stage and rule that
//! `revc assign` gives it, for DuckDB, PostgreSQL, SQLite and Spark SQL.
//!
//! The query reads every column as text and decodes it exactly as the engine does (trimmed,
//! compared without case, NULL and blank both empty, numbers and dates parsed by shape so that a
//! bad value is NULL and never an error), computes shared smart lists once, routes gates, and
//! writes relative dates as literals measured from the as-of day.
//!
//! - [`dialect`]: identifier quoting, string literals, and the functions that differ.
//! - [`expr`]: field values and conditions.
//! - [`query`]: the CTE chain and the decision.
//!
//! What SQL cannot do as the engine does: it cannot reject a row. A lead whose stage cell names
//! no stage keeps that cell as its stage with the rule `rejected: unknown stage`; a number
//! beyond the range of a 64-bit float, which the engine rejects, is read as empty (PostgreSQL)
//! or as infinity (the others).

pub mod dialect;
pub mod expr;
mod query;

pub use dialect::Dialect;

use crate::engine::PlanError;
use crate::engine::plan::closest_columns;
use crate::ir::{self, Cond, CondId, FieldId, ModelId, Program, date};
use std::collections::BTreeMap;

/// What to compile and for which engine.
#[derive(Clone, Debug)]
pub struct SqlOptions {
    /// The SQL dialect.
    pub dialect: Dialect,
    /// The table of leads; dots separate schema and table.
    pub table: String,
    /// The model whose stages leads get.
    pub model: ModelId,
    /// A campaign (index into `Program::campaigns`) to run instead of the assignment rules.
    pub campaign: Option<usize>,
    /// The day relative dates are measured from.
    pub as_of: i32,
    /// The rules file's name as given, for `FILE:LINE` in the `rule` column.
    pub file_name: String,
    /// The id column (default: the first of `columns`).
    pub id_column: Option<String>,
    /// The column with each lead's current stage; leads with one follow transitions.
    pub stage_column: Option<String>,
    /// The table's column names, when known: fields then bind to columns by folded name, as
    /// `revc assign` binds them to a header. Without them each field reads the column named as
    /// the field is written in the rules.
    pub columns: Option<Vec<String>>,
}

/// Why no query can be written.
#[derive(Debug, PartialEq)]
pub enum SqlError {
    /// A field or a named column does not fit the table's columns.
    Bind(PlanError),
    /// No id column was named and no column list says which comes first.
    NoIdColumn,
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqlError::Bind(e) => write!(f, "{e}"),
            SqlError::NoIdColumn => write!(
                f,
                "error: the query needs the id column's name\n  help: pass --id-column NAME, or --columns-from LEADS.csv to take the first column of its header"
            ),
        }
    }
}

/// Compiles one model (or one campaign) of a checked program to a query.
pub fn compile(program: &Program, opts: &SqlOptions) -> Result<String, SqlError> {
    let model = &program.models[opts.model.index()];
    // What the query evaluates: the campaign's list or the assignment rules, and the
    // transitions (leads with a stage follow them, and a lead placed on a gate is routed).
    let mut roots: Vec<CondId> = match opts.campaign {
        Some(c) => vec![program.smart_lists[program.campaigns[c].list.index()].cond],
        None => model.rules.iter().map(|r| r.cond).collect(),
    };
    roots.extend(model.transitions.iter().filter_map(|t| t.when));
    let reach = program.reachable(&roots);
    let mut fields: Vec<FieldId> = Vec::new();
    for (i, c) in program.conds.iter().enumerate() {
        if let (true, Cond::Filter(f)) = (reach[i], &c.kind)
            && !fields.contains(&f.field)
        {
            fields.push(f.field);
        }
    }
    let mut columns: BTreeMap<FieldId, String> = BTreeMap::new();
    for f in fields {
        let name = program.name(program.fields[f.index()].name).to_string();
        let col = match &opts.columns {
            None => name,
            Some(header) => bind_field(&name, header).map_err(SqlError::Bind)?,
        };
        columns.insert(f, col);
    }
    let find = |name: &str, option: &'static str| match &opts.columns {
        None => Ok(name.to_string()),
        Some(header) => find_column(header, name, option).map_err(SqlError::Bind),
    };
    let id_column = match (&opts.id_column, &opts.columns) {
        (Some(n), _) => find(n, "--id-column")?,
        (None, Some(h)) if !h.is_empty() => h[0].clone(),
        (None, _) => return Err(SqlError::NoIdColumn),
    };
    let stage_column = match &opts.stage_column {
        Some(n) => Some(find(n, "--stage-column")?),
        None => None,
    };
    let q = query::Query::new(program, opts, &columns, &id_column, stage_column.as_deref());
    Ok(format!("{}{}", header(program, opts), q.write(&roots)))
}

/// The comment at the top: what was compiled, for which engine, as of when; and for a draft
/// model, that it is one.
fn header(program: &Program, opts: &SqlOptions) -> String {
    let model = &program.models[opts.model.index()];
    let what = match opts.campaign {
        Some(c) => format!(
            "campaign \"{}\" of model \"{}\"",
            program.name(program.campaigns[c].name),
            program.name(model.name)
        ),
        None => format!("model \"{}\"", program.name(model.name)),
    };
    let mut s = String::new();
    if model.status == ir::Status::Draft {
        s += &comment(&format!(
            "DRAFT: model \"{}\" is a draft; revc assign refuses to assign its leads. This query only reads: it shows what the model would do.",
            program.name(model.name)
        ));
    }
    s += &comment(&format!(
        "revc compile {} --emit sql --dialect {}: {what}, as of {}",
        opts.file_name,
        opts.dialect.as_str(),
        date::format_day(opts.as_of)
    ));
    s += &comment(
        "One row per lead: its id, stage (NULL: unassigned) and rule (FILE:LINE, default, or NULL: nothing moved it).",
    );
    s
}

/// A `--` comment line; control characters (a carriage return would end the comment in some
/// engines) become spaces, so no name can start a line of SQL.
fn comment(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("-- {clean}\n")
}

/// The column a field reads: the one whose folded name is the field's.
fn bind_field(field: &str, header: &[String]) -> Result<String, PlanError> {
    let key = ir::field_key(field);
    let found: Vec<&String> = header.iter().filter(|h| ir::field_key(h) == key).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(PlanError::MissingColumn {
            field: field.to_string(),
            closest: closest_columns(field, header),
        }),
        many => Err(PlanError::AmbiguousColumn {
            field: field.to_string(),
            columns: many.iter().map(|s| (*s).clone()).collect(),
        }),
    }
}

/// A column named on the command line: exact name first, then by folded name.
fn find_column(header: &[String], name: &str, option: &'static str) -> Result<String, PlanError> {
    if header.iter().any(|h| h == name) {
        return Ok(name.to_string());
    }
    let key = ir::field_key(name);
    let found: Vec<&String> = header.iter().filter(|h| ir::field_key(h) == key).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(PlanError::UnknownColumn {
            option,
            name: name.to_string(),
            closest: closest_columns(name, header),
        }),
    }
}
