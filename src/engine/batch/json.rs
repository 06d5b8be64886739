//! The JSON drivers: a JSON array of objects (read whole), and JSON Lines (streamed line by
//! line). The first object's keys are the columns. Both run on one thread.

use super::csv::trim_terminator;
use super::worker::{Problem, Worker, bind};
use super::{RunConfig, RunError, Sinks};
use crate::engine::input::{JsonLead, json_columns, refuse_encoding};
use crate::engine::plan::Plan;
use crate::engine::scan;
use crate::engine::summary::Stats;
use std::io::{self, BufRead, Read};

/// Runs the plan over a JSON array of objects.
pub(super) fn run_array(
    plan: &mut Plan,
    input: &mut dyn Read,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    if let Some(msg) = refuse_encoding(&bytes) {
        return Err(RunError::Input(msg));
    }
    let text = &bytes[scan::skip_bom(&bytes)..];
    let value: serde_json::Value = serde_json::from_slice(text).map_err(|e| {
        RunError::Input(format!(
            "line {}, column {}: the JSON does not parse: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(RunError::Input(
            "a JSON input must be an array of objects, one per lead".into(),
        ));
    };
    let header: Vec<String> = match items.iter().find_map(|v| v.as_object()) {
        Some(first) => first.keys().cloned().collect(),
        None if items.is_empty() => {
            return Err(RunError::Input(
                "the JSON array is empty: no columns to bind".into(),
            ));
        }
        None => return Err(RunError::Input("the JSON array holds no object".into())),
    };
    let ctx = bind(plan, &header, cfg, sinks.out)?;
    let mut w = Worker::new(ctx.plan, 0, Vec::with_capacity(1 << 16));
    let mut cols = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let n = i as u64 + 1;
        w.o.stats.read += 1;
        let problem = match item.as_object() {
            Some(obj) => {
                json_columns(obj, &header, &mut cols);
                w.lead(&ctx, &mut JsonLead { cols: &cols }, &mut || n).err()
            }
            None => Some(Problem {
                column: None,
                message: format!("element {n} of the array is not an object"),
            }),
        };
        if let Some(p) = problem
            && !w.reject(&ctx, n, p, &item.to_string())
        {
            break;
        }
    }
    finish(w, cfg, sinks)
}

/// Writes the one chunk of a JSON input; its line numbers are already absolute.
fn finish(w: Worker, cfg: &RunConfig, sinks: &mut Sinks) -> Result<Stats, RunError> {
    w.o.write(cfg, 0, sinks)?;
    match w.o.error {
        Some(e) => Err(RunError::Row(e)),
        None => Ok(w.o.stats),
    }
}

/// Runs the plan over JSON Lines: one object per line.
pub(super) fn run_lines(
    plan: &mut Plan,
    input: &mut dyn Read,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    let mut reader = io::BufReader::with_capacity(1 << 20, input);
    let mut line_buf = Vec::new();
    let mut line_no = 0u64;
    // The first object names the columns.
    let first = loop {
        line_buf.clear();
        if reader.read_until(b'\n', &mut line_buf)? == 0 {
            return Err(RunError::Input(
                "the input is empty: no JSON object to take columns from".into(),
            ));
        }
        line_no += 1;
        if line_no == 1
            && let Some(msg) = refuse_encoding(&line_buf)
        {
            return Err(RunError::Input(msg));
        }
        let skip = if line_no == 1 {
            scan::skip_bom(&line_buf)
        } else {
            0
        };
        let text = trim_terminator(&line_buf[skip..]);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(o)) => break (line_no, o),
            Ok(_) => {
                return Err(RunError::Input(format!(
                    "line {line_no}: expected a JSON object"
                )));
            }
            Err(e) => {
                return Err(RunError::Input(format!(
                    "line {line_no}, column {}: the JSON does not parse: {e}",
                    e.column()
                )));
            }
        }
    };
    let header: Vec<String> = first.1.keys().cloned().collect();
    let ctx = bind(plan, &header, cfg, sinks.out)?;
    let mut w = Worker::new(ctx.plan, 0, Vec::with_capacity(1 << 16));
    let mut pending = Some(first);
    loop {
        let from_first = pending.is_some();
        let (n, parsed) = match pending.take() {
            Some((n, obj)) => (n, Ok(serde_json::Value::Object(obj))),
            None => {
                line_buf.clear();
                if reader.read_until(b'\n', &mut line_buf)? == 0 {
                    break;
                }
                line_no += 1;
                let text = trim_terminator(&line_buf);
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                (line_no, serde_json::from_slice::<serde_json::Value>(text))
            }
        };
        w.o.stats.read += 1;
        let mut cols = Vec::with_capacity(header.len());
        let problem = match &parsed {
            Ok(serde_json::Value::Object(obj)) => {
                json_columns(obj, &header, &mut cols);
                w.lead(&ctx, &mut JsonLead { cols: &cols }, &mut || n).err()
            }
            Ok(_) => Some(Problem {
                column: None,
                message: "expected a JSON object".into(),
            }),
            Err(e) => Some(Problem {
                column: None,
                message: format!("the JSON does not parse (column {}): {e}", e.column()),
            }),
        };
        if let Some(p) = problem {
            let raw = match &parsed {
                Ok(v) if from_first => v.to_string(),
                _ => String::from_utf8_lossy(trim_terminator(&line_buf)).into_owned(),
            };
            if !w.reject(&ctx, n, p, &raw) {
                break;
            }
        }
        // Keep memory flat: hand rows to the sinks every so often.
        if w.o.out.len() > 4 << 20 {
            w.o.write(cfg, 0, sinks)?;
            w.o.out.clear();
            w.o.rejects.clear();
            w.o.events.clear();
        }
    }
    finish(w, cfg, sinks)
}
