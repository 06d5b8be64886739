//! The batch driver: reads the input in large blocks, splits each block at record boundaries
//! across threads, and writes every chunk's rows, events and rejects in input order.
//!
//! Memory stays flat whatever the input size: one block (plus the record that straddles its
//! end) and the output of that block are held at a time.

use super::decide::{Outcome, decide};
use super::eval::{BadValue, Cell, Lead, LeadState};
use super::input::{CsvLead, InputFormat, JsonLead, json_columns, refuse_encoding};
use super::output::{OutFormat, csv_field, json_str};
use super::plan::{Plan, PlanError, Via, closest_columns};
use super::scan::{self, Scanner, Step};
use super::summary::Stats;
use crate::ir::{StageId, field_key, name_key};
use std::io::{self, BufRead, Read, Write};

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

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some((c, name)) => write!(
                f,
                "line {}, column {c} (`{name}`): {}",
                self.line, self.message
            ),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
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

/// A problem with one row: which column (0-based), and what.
struct Problem {
    column: Option<usize>,
    message: String,
}

/// Everything the per-lead work needs, fixed once the header is bound.
struct Ctx<'a> {
    plan: &'a Plan,
    cfg: &'a RunConfig,
    header: &'a [String],
    id_col: usize,
    stage_col: Option<usize>,
    stage_keys: Vec<String>,
    rule_locs: Vec<String>,
    transition_locs: Vec<String>,
    campaign_loc: String,
    as_of: String,
    /// `,stage,rule\n` of each (stage, choice) pair, CSV-encoded once; see [`Ctx::tail_index`].
    csv_tail: Vec<Vec<u8>>,
}

impl Ctx<'_> {
    fn loc(&self, via: Via) -> &str {
        match via {
            Via::Rule(i) => &self.rule_locs[i as usize],
            Via::Transition(i) => &self.transition_locs[i as usize],
            Via::Default => "default",
            Via::Campaign => &self.campaign_loc,
        }
    }

    fn stage_of(&self, cell: &str) -> Option<StageId> {
        let cell = cell.trim();
        let exact = self
            .stage_keys
            .iter()
            .position(|k| k.len() == cell.len() && k.eq_ignore_ascii_case(cell));
        exact
            .or_else(|| {
                let key = name_key(cell);
                self.stage_keys.iter().position(|k| *k == key)
            })
            .map(|i| StageId(i as u32))
    }

    /// Dense index of a (stage, choice) pair into `csv_tail`.
    fn tail_index(&self, s: Option<StageId>, v: Option<Via>) -> usize {
        let (nr, nt) = (self.rule_locs.len(), self.transition_locs.len());
        let vi = match v {
            None => 0,
            Some(Via::Rule(i)) => 1 + i as usize,
            Some(Via::Transition(i)) => 1 + nr + i as usize,
            Some(Via::Default) => 1 + nr + nt,
            Some(Via::Campaign) => 2 + nr + nt,
        };
        let si = s.map_or(0, |s| s.index() + 1);
        si * (3 + nr + nt) + vi
    }

    fn stage_name(&self, s: Option<StageId>) -> &str {
        s.map_or("", |s| &self.plan.model.stages[s.index()].name)
    }
}

/// One thread's results for one chunk.
struct ChunkOut {
    out: Vec<u8>,
    rejects: Vec<u8>,
    events: Vec<u8>,
    stats: Stats,
    error: Option<RowError>,
    end: usize,
}

struct Worker {
    state: LeadState,
    bad: Vec<(usize, BadValue)>,
    o: ChunkOut,
}

impl Worker {
    fn new(plan: &Plan) -> Self {
        Worker {
            state: LeadState::new(plan),
            bad: Vec::new(),
            o: ChunkOut {
                out: Vec::with_capacity(1 << 16),
                rejects: Vec::new(),
                events: Vec::new(),
                stats: Stats::new(plan),
                error: None,
                end: 0,
            },
        }
    }

    /// Records a bad row; false when the run must stop.
    fn reject(&mut self, ctx: &Ctx, line: u64, p: Problem, raw: &str) -> bool {
        let column = p
            .column
            .map(|c| (c + 1, ctx.header.get(c).cloned().unwrap_or_default()));
        let err = RowError {
            line,
            column,
            message: p.message,
        };
        if !ctx.cfg.keep_rejects {
            self.o.error = Some(err);
            return false;
        }
        self.o.stats.rejected += 1;
        let reason = match &err.column {
            Some((c, name)) => format!("column {c} (`{name}`): {}", err.message),
            None => err.message.clone(),
        };
        let r = &mut self.o.rejects;
        match ctx.cfg.rejects_format {
            OutFormat::Csv => {
                r.extend_from_slice(line.to_string().as_bytes());
                r.push(b',');
                csv_field(r, &reason);
                r.push(b',');
                csv_field(r, raw);
                r.push(b'\n');
            }
            OutFormat::JsonLines => {
                r.extend_from_slice(format!("{{\"line\":{line},\"reason\":").as_bytes());
                json_str(r, &reason);
                r.extend_from_slice(b",\"raw\":");
                json_str(r, raw);
                r.extend_from_slice(b"}\n");
            }
        }
        true
    }

    /// Decides one lead and writes its row; a problem rejects the row.
    fn lead<L: Lead>(
        &mut self,
        ctx: &Ctx,
        lead: &mut L,
        line: &mut dyn FnMut() -> u64,
    ) -> Result<(), Problem> {
        let plan = ctx.plan;
        let current = match ctx.stage_col {
            None => None,
            Some(c) => match lead.cell(c) {
                Cell::Str(s) if !s.trim().is_empty() => {
                    Some(ctx.stage_of(s).ok_or_else(|| Problem {
                        column: Some(c),
                        message: format!(
                            "unknown stage `{}` for model `{}`",
                            s.trim(),
                            plan.model.name
                        ),
                    })?)
                }
                Cell::Str(_) | Cell::Null => None,
                _ => {
                    return Err(Problem {
                        column: Some(c),
                        message: "the stage column must hold a stage name".into(),
                    });
                }
            },
        };
        let bad = &mut self.bad;
        bad.clear();
        self.state.load(plan, lead, |slot, b| bad.push((slot, b)));
        for i in 0..self.bad.len() {
            let (slot, b) = self.bad[i];
            let s = &plan.slots[slot];
            let text = cell_text(lead.cell(s.column));
            let problem = |message: String| Problem {
                column: Some(s.column),
                message,
            };
            match b {
                BadValue::Unparsed => {
                    let u = &mut self.o.stats.unparsed[slot];
                    u.count += 1;
                    if u.first.is_none() {
                        u.first = Some((line(), text.clone()));
                    }
                    if ctx.cfg.strict {
                        return Err(problem(format!(
                            "`{text}` is not a {} (field `{}`; --strict rejects such rows)",
                            s.ty.as_str(),
                            s.name
                        )));
                    }
                }
                BadValue::TooLarge => {
                    return Err(problem(format!(
                        "number too large: `{text}` (field `{}`)",
                        s.name
                    )));
                }
                BadValue::Nested => {
                    return Err(problem(format!(
                        "field `{}` holds a JSON object or array; a field holds text, a number, a boolean or null",
                        s.name
                    )));
                }
            }
        }
        let outcome = decide(plan, &mut self.state, lead, current);
        self.count(ctx, lead, &outcome);
        Ok(())
    }

    fn count<L: Lead>(&mut self, ctx: &Ctx, lead: &mut L, outcome: &Outcome) {
        let st = &mut self.o.stats;
        match outcome.to {
            Some(s) => st.per_stage[s.index()] += 1,
            None => st.unassigned += 1,
        }
        if let Some(via) = outcome.via {
            st.hit(via);
            if outcome.changed() {
                st.changed += 1;
                if ctx.cfg.record_events {
                    st.events += 1;
                    let e = &mut self.o.events;
                    e.extend_from_slice(b"{\"lead\":");
                    json_str(e, &cell_text(lead.cell(ctx.id_col)));
                    e.extend_from_slice(b",\"model\":");
                    json_str(e, &ctx.plan.model.name);
                    e.extend_from_slice(b",\"from\":");
                    match outcome.from {
                        Some(f) => json_str(e, ctx.stage_name(Some(f))),
                        None => e.extend_from_slice(b"null"),
                    }
                    e.extend_from_slice(b",\"to\":");
                    json_str(e, ctx.stage_name(outcome.to));
                    e.extend_from_slice(b",\"rule\":");
                    json_str(e, ctx.loc(via));
                    e.extend_from_slice(b",\"at\":");
                    json_str(e, &ctx.as_of);
                    e.extend_from_slice(b"}\n");
                }
            } else {
                st.skipped += 1;
            }
        }
        self.row(ctx, lead, outcome);
    }

    fn row<L: Lead>(&mut self, ctx: &Ctx, lead: &mut L, outcome: &Outcome) {
        let out = &mut self.o.out;
        let stage = ctx.stage_name(outcome.to);
        let rule = outcome.via.map_or("", |v| ctx.loc(v));
        match ctx.cfg.out_format {
            OutFormat::Csv => {
                if ctx.cfg.keep_columns {
                    for c in 0..ctx.header.len() {
                        if c > 0 {
                            out.push(b',');
                        }
                        write_cell_csv(out, lead.cell(c));
                    }
                } else {
                    write_cell_csv(out, lead.cell(ctx.id_col));
                }
                out.extend_from_slice(&ctx.csv_tail[ctx.tail_index(outcome.to, outcome.via)]);
            }
            OutFormat::JsonLines => {
                out.push(b'{');
                let cols: &mut dyn Iterator<Item = usize> = if ctx.cfg.keep_columns {
                    &mut (0..ctx.header.len())
                } else {
                    &mut std::iter::once(ctx.id_col)
                };
                for c in cols {
                    json_str(out, &ctx.header[c]);
                    out.push(b':');
                    write_cell_json(out, lead.cell(c));
                    out.push(b',');
                }
                out.extend_from_slice(b"\"stage\":");
                match outcome.to {
                    Some(_) => json_str(out, stage),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"rule\":");
                match outcome.via {
                    Some(_) => json_str(out, rule),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b"}\n");
            }
        }
    }
}

fn cell_text(c: Cell<'_>) -> String {
    match c {
        Cell::Str(s) => s.to_string(),
        Cell::Num(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Null => String::new(),
        Cell::Nested => "(object or array)".into(),
    }
}

fn write_cell_csv(out: &mut Vec<u8>, c: Cell<'_>) {
    match c {
        Cell::Str(s) => csv_field(out, s),
        other => csv_field(out, &cell_text(other)),
    }
}

fn write_cell_json(out: &mut Vec<u8>, c: Cell<'_>) {
    match c {
        Cell::Str(s) => json_str(out, s),
        Cell::Num(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Cell::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Cell::Null | Cell::Nested => out.extend_from_slice(b"null"),
    }
}

/// Finds a column named on the command line: exact name first, then by folded name.
fn find_column(header: &[String], name: &str, option: &'static str) -> Result<usize, PlanError> {
    if let Some(i) = header.iter().position(|h| h == name) {
        return Ok(i);
    }
    let key = field_key(name);
    let found: Vec<usize> = (0..header.len())
        .filter(|&i| field_key(&header[i]) == key)
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        _ => Err(PlanError::UnknownColumn {
            option,
            name: name.to_string(),
            closest: closest_columns(name, header),
        }),
    }
}

/// Binds the plan to a header and writes the output's header row.
fn bind<'a>(
    plan: &'a mut Plan,
    header: &'a [String],
    cfg: &'a RunConfig,
    out: &mut dyn Write,
) -> Result<Ctx<'a>, RunError> {
    plan.bind(header).map_err(RunError::Plan)?;
    let id_col = match &cfg.id_column {
        Some(n) => find_column(header, n, "--id-column").map_err(RunError::Plan)?,
        None => 0,
    };
    let stage_col = match &cfg.stage_column {
        Some(n) => Some(find_column(header, n, "--stage-column").map_err(RunError::Plan)?),
        None => None,
    };
    let plan: &Plan = plan;
    let mut ctx = Ctx {
        plan,
        cfg,
        header,
        id_col,
        stage_col,
        stage_keys: plan
            .model
            .stages
            .iter()
            .map(|s| name_key(&s.name))
            .collect(),
        rule_locs: (0..plan.model.rules.len())
            .map(|i| plan.location(Via::Rule(i as u32)))
            .collect(),
        transition_locs: (0..plan.model.transition_lines.len())
            .map(|i| plan.location(Via::Transition(i as u32)))
            .collect(),
        campaign_loc: plan.location(Via::Campaign),
        as_of: crate::ir::date::format_day(plan.as_of),
        csv_tail: Default::default(),
    };
    // Each (stage, choice) pair a lead can get, encoded once: stages x (rules + transitions).
    let stages: Vec<Option<StageId>> = std::iter::once(None)
        .chain((0..plan.model.stages.len()).map(|i| Some(StageId(i as u32))))
        .collect();
    let vias: Vec<Option<Via>> = std::iter::once(None)
        .chain((0..plan.model.rules.len()).map(|i| Some(Via::Rule(i as u32))))
        .chain((0..plan.model.transition_lines.len()).map(|i| Some(Via::Transition(i as u32))))
        .chain([Some(Via::Default), Some(Via::Campaign)])
        .collect();
    let mut tails = vec![Vec::new(); stages.len() * vias.len()];
    for &s in &stages {
        for &v in &vias {
            let t = &mut tails[ctx.tail_index(s, v)];
            t.push(b',');
            csv_field(t, ctx.stage_name(s));
            t.push(b',');
            csv_field(t, v.map_or("", |v| ctx.loc(v)));
            t.push(b'\n');
        }
    }
    ctx.csv_tail = tails;
    let mut head = Vec::new();
    match cfg.out_format {
        OutFormat::Csv => {
            let cols: Vec<&str> = if cfg.keep_columns {
                header.iter().map(String::as_str).collect()
            } else {
                vec![header[id_col].as_str()]
            };
            for c in cols {
                csv_field(&mut head, c);
                head.push(b',');
            }
            head.extend_from_slice(b"stage,rule\n");
        }
        OutFormat::JsonLines => {}
    }
    out.write_all(&head)?;
    Ok(ctx)
}

/// Runs the plan over an input; returns the merged counts.
pub fn run(
    plan: &mut Plan,
    input: &mut dyn Read,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    match cfg.format {
        InputFormat::Csv => run_csv(plan, input, cfg, sinks),
        InputFormat::Json => run_json(plan, input, cfg, sinks),
        InputFormat::JsonLines => run_jsonl(plan, input, cfg, sinks),
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

fn write_chunk(o: &ChunkOut, sinks: &mut Sinks) -> io::Result<()> {
    sinks.out.write_all(&o.out)?;
    if let Some(r) = sinks.rejects.as_mut() {
        r.write_all(&o.rejects)?;
    }
    if let Some(e) = sinks.events.as_mut() {
        e.write_all(&o.events)?;
    }
    Ok(())
}

fn run_csv(
    plan: &mut Plan,
    input: &mut dyn Read,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    let scanner = Scanner::new(cfg.delimiter);
    let mut buf = Vec::new();
    let mut eof = false;
    fill(&mut buf, input, cfg.block_size, &mut eof)?;
    if let Some(msg) = refuse_encoding(&buf) {
        return Err(RunError::Input(msg));
    }
    let bom = scan::skip_bom(&buf);
    let mut fields = Vec::new();
    let header_end = loop {
        match scanner.next_record(&buf, bom, eof, &mut fields) {
            Step::Record {
                end,
                unterminated_quote,
                ..
            } => {
                if unterminated_quote {
                    return Err(RunError::Input(
                        "line 1: the header row has an unterminated quote".into(),
                    ));
                }
                break end;
            }
            Step::NeedMore => {
                let want = buf.len().max(cfg.block_size);
                fill(&mut buf, input, want, &mut eof)?
            }
            Step::Eof => {
                return Err(RunError::Input(
                    "the input is empty: expected a header row of column names".into(),
                ));
            }
        }
    };
    let mut scratch = Vec::new();
    let header: Vec<String> = fields
        .iter()
        .map(|&f| {
            std::str::from_utf8(scan::field_bytes(&buf, f, &mut scratch))
                .map(str::to_string)
                .map_err(|_| RunError::Input("line 1: the header row is not UTF-8 text".into()))
        })
        .collect::<Result<_, _>>()?;
    let ctx = bind(plan, &header, cfg, sinks.out)?;
    let mut stats = Stats::new(ctx.plan);
    let mut pos = header_end;
    let mut line = 1 + scan::count_lines(&buf[..header_end]) as u64;
    loop {
        let bounds = if cfg.threads > 1 && buf.len() - pos > 64 << 10 {
            scan::split_records(&scanner, &buf, pos, cfg.threads)
        } else {
            vec![pos, buf.len()]
        };
        let n = bounds.len() - 1;
        let mut lines = vec![line];
        for k in 1..n {
            let l = lines[k - 1] + scan::count_lines(&buf[bounds[k - 1]..bounds[k]]) as u64;
            lines.push(l);
        }
        let outs: Vec<ChunkOut> = std::thread::scope(|s| {
            let (ctx, buf, scanner, bounds, lines) = (&ctx, &buf, &scanner, &bounds, &lines);
            let handles: Vec<_> = (1..n)
                .map(|k| {
                    let last = k == n - 1;
                    s.spawn(move || {
                        csv_chunk(
                            ctx,
                            scanner,
                            buf,
                            bounds[k],
                            bounds[k + 1],
                            !last || eof,
                            lines[k],
                        )
                    })
                })
                .collect();
            let mut outs = vec![csv_chunk(
                ctx,
                scanner,
                buf,
                bounds[0],
                bounds[1],
                n > 1 || eof,
                lines[0],
            )];
            outs.extend(
                handles
                    .into_iter()
                    .map(|h| h.join().expect("worker thread panicked")),
            );
            outs
        });
        for o in &outs {
            stats.merge(&o.stats);
            write_chunk(o, sinks)?;
            if let Some(e) = &o.error {
                return Err(RunError::Row(e.clone()));
            }
        }
        let consumed = outs.last().map_or(pos, |o| o.end);
        line = lines[n - 1] + scan::count_lines(&buf[bounds[n - 1]..consumed]) as u64;
        if eof {
            break;
        }
        buf.drain(..consumed);
        pos = 0;
        // A record longer than a block: read more before trying again.
        let want = cfg.block_size.max(buf.len());
        fill(&mut buf, input, want, &mut eof)?;
    }
    Ok(stats)
}

/// Decides the records in `buf[start..end]`; stops before a record the chunk does not hold
/// whole (unless `at_eof`).
fn csv_chunk(
    ctx: &Ctx,
    scanner: &Scanner,
    buf: &[u8],
    start: usize,
    end: usize,
    at_eof: bool,
    line0: u64,
) -> ChunkOut {
    let slice = &buf[..end];
    let mut w = Worker::new(ctx.plan);
    let mut fields = Vec::with_capacity(ctx.header.len());
    let mut scratch = Vec::new();
    let mut pos = start;
    // Line numbers are counted only when a message needs one.
    let (mut line, mut line_pos) = (line0, start);
    let mut line_at = |at: usize| {
        line += scan::count_lines(&slice[line_pos..at]) as u64;
        line_pos = at;
        line
    };
    let ncols = ctx.header.len();
    while let Step::Record {
        start: rs,
        end: re,
        unterminated_quote,
    } = scanner.next_record(slice, pos, at_eof, &mut fields)
    {
        w.o.stats.read += 1;
        let raw = &slice[rs..re];
        let problem = if unterminated_quote {
            Some(Problem {
                column: Some(fields.len() - 1),
                message: "unterminated quote: the field's closing `\"` is missing".into(),
            })
        } else if fields.len() != ncols {
            Some(Problem {
                column: None,
                message: format!(
                    "expected {ncols} fields as in the header, found {}",
                    fields.len()
                ),
            })
        } else {
            match CsvLead::new(slice, rs..re, &fields, &mut scratch) {
                Ok(mut lead) => w.lead(ctx, &mut lead, &mut || line_at(rs)).err(),
                Err(e) => {
                    let at = rs + e.valid_up_to();
                    Some(Problem {
                        column: fields.iter().position(|f| f.end >= at),
                        message: format!("invalid UTF-8 (byte 0x{:02x})", slice[at]),
                    })
                }
            }
        };
        if let Some(p) = problem {
            let text = String::from_utf8_lossy(trim_terminator(raw));
            if !w.reject(ctx, line_at(rs), p, &text) {
                break;
            }
        }
        pos = re;
    }
    w.o.end = pos;
    w.o
}

fn trim_terminator(raw: &[u8]) -> &[u8] {
    let mut r = raw;
    while let [rest @ .., b'\n' | b'\r'] = r {
        r = rest;
    }
    r
}

fn run_json(
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
    let mut w = Worker::new(ctx.plan);
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
    finish_single(w, sinks)
}

fn finish_single(w: Worker, sinks: &mut Sinks) -> Result<Stats, RunError> {
    write_chunk(&w.o, sinks)?;
    match w.o.error {
        Some(e) => Err(RunError::Row(e)),
        None => Ok(w.o.stats),
    }
}

fn run_jsonl(
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
    let mut w = Worker::new(ctx.plan);
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
            write_chunk(&w.o, sinks)?;
            w.o.out.clear();
            w.o.rejects.clear();
            w.o.events.clear();
        }
    }
    finish_single(w, sinks)
}
