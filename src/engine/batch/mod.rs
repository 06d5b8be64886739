//! The batch driver: reads the input in large blocks, decides each block's leads on several
//! threads, and writes every chunk's rows, events and rejects in input order.
//!
//! Memory stays flat whatever the input size: one block (plus the record that straddles its
//! end) and that block's output are held at a time.

mod csv;
mod json;
mod worker;

pub use csv::Pages;

use super::input::InputFormat;
use super::output::OutFormat;
use super::plan::{Plan, PlanError};
use super::summary::Stats;
use std::io::{self, Read, Write};

/// How to read and write one run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Input format.
    pub format: InputFormat,
    /// CSV delimiter.
    pub delimiter: u8,
    /// The id column (default: the first).
    pub id_column: Option<String>,
    /// The column holding each lead's current stage.
    pub stage_column: Option<String>,
    /// Put all input columns before `stage` and `rule`.
    pub keep_columns: bool,
    /// Reject values that do not parse as their field's type.
    pub strict: bool,
    /// Worker threads.
    pub threads: usize,
    /// Output row format.
    pub out_format: OutFormat,
    /// Bad rows go to the rejects sink (else the run stops at the first).
    pub keep_rejects: bool,
    /// Rejects format.
    pub rejects_format: OutFormat,
    /// Record an activity per real change.
    pub record_events: bool,
    /// Bytes read per block.
    pub block_size: usize,
    /// Smallest share of a block worth a thread of its own.
    pub min_chunk: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            format: InputFormat::Csv,
            delimiter: b',',
            id_column: None,
            stage_column: None,
            keep_columns: false,
            strict: false,
            threads: 1,
            out_format: OutFormat::Csv,
            keep_rejects: false,
            rejects_format: OutFormat::Csv,
            record_events: false,
            block_size: 8 << 20,
            min_chunk: 256 << 10,
        }
    }
}

/// Where results go.
pub struct Sinks<'a> {
    /// Output rows.
    pub out: &'a mut dyn Write,
    /// Rejected rows.
    pub rejects: Option<&'a mut dyn Write>,
    /// Activities.
    pub events: Option<&'a mut dyn Write>,
}

/// A bad row, when the run stops at it.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    /// 1-based line where the row starts (for a JSON array: the element's number).
    pub line: u64,
    /// 1-based column (field) and its name, when one field is at fault.
    pub column: Option<(usize, String)>,
    /// What is wrong.
    pub message: String,
}

impl RowError {
    /// The reason with its column, as a rejects file gives it.
    pub fn reason(&self) -> String {
        match &self.column {
            Some((c, name)) => format!("column {c} (`{name}`): {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason())
    }
}

/// Why a run failed.
#[derive(Debug)]
pub enum RunError {
    /// The rules do not fit the input's columns.
    Plan(PlanError),
    /// A bad row and no rejects file.
    Row(RowError),
    /// The input cannot be read as the format it claims.
    Input(String),
    /// Reading or writing failed.
    Io(io::Error),
}

impl From<io::Error> for RunError {
    fn from(e: io::Error) -> Self {
        RunError::Io(e)
    }
}

/// Runs the plan over an input; returns the merged counts.
pub fn run(
    plan: &mut Plan,
    input: &mut dyn Read,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    match cfg.format {
        InputFormat::Csv => csv::run(plan, csv::Source::Stream(input), cfg, sinks),
        InputFormat::Json => json::run_array(plan, input, cfg, sinks),
        InputFormat::JsonLines => json::run_lines(plan, input, cfg, sinks),
    }
}

/// Runs the plan over an input that is all in memory, such as a mapped file: CSV is decided
/// in windows on it without copying, and `pages` hears which ranges are read next and which
/// are done with (a mapped file makes the first ready and drops the second, so that memory
/// stays flat). Gives what [`run`] gives.
pub fn run_whole(
    plan: &mut Plan,
    input: &[u8],
    pages: &dyn Pages,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    match cfg.format {
        InputFormat::Csv => csv::run(plan, csv::Source::Whole(input, pages), cfg, sinks),
        _ => run(plan, &mut &input[..], cfg, sinks),
    }
}

/// Reads until `want` more bytes are in `buf` or the input ends.
fn fill(buf: &mut Vec<u8>, input: &mut dyn Read, want: usize, eof: &mut bool) -> io::Result<()> {
    buf.reserve(want);
    let got = input.take(want as u64).read_to_end(buf)?;
    if got < want {
        *eof = true;
    }
    Ok(())
}
