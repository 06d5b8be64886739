//! Per-lead work shared by every input format: the bound context, the worker that decides a
//! lead and writes its row, event and reject.

use super::{RowError, RunConfig, RunError, Sinks};
use crate::engine::decide::{Outcome, decide};
use crate::engine::eval::{BadValue, Cell, LANES, Lead, LeadState};
use crate::engine::lanes::{BadLane, Leads, lanes};
use crate::engine::output::{OutFormat, Padded, csv_field, json_str};
use crate::engine::plan::{Plan, PlanError, Via, closest_columns};
use crate::engine::summary::Stats;
use crate::ir::{StageId, field_key, name_key};
use std::io::{self, Write};

/// A problem with one row: which column (0-based), and what.
pub(super) struct Problem {
    /// The column at fault (0-based).
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// Everything the per-lead work needs, fixed once the header is bound.
pub(super) struct Ctx<'a> {
    pub plan: &'a Plan,
    pub cfg: &'a RunConfig,
    pub header: &'a [String],
    id_col: usize,
    stage_col: Option<usize>,
    stage_keys: Vec<String>,
    rule_locs: Vec<String>,
    transition_locs: Vec<String>,
    campaign_loc: String,
    as_of: String,
    /// `,stage,rule\n` of each (stage, choice) pair, CSV-encoded once; see [`Ctx::tail_index`].
    csv_tail: Vec<Padded>,
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

/// A rejected row, kept structured until its chunk's first line number is known.
pub(super) struct Rejected {
    /// Line, counted from the chunk's first line (0 = that line).
    pub rel_line: u64,
    /// Why.
    pub error: RowError,
    /// The row as read.
    pub raw: String,
}

/// One thread's results for one chunk. Line numbers inside are relative to the chunk's first
/// record, because chunks are decided before the lines before them are counted.
pub(super) struct ChunkOut {
    /// Output rows.
    pub out: Vec<u8>,
    /// Rejected rows.
    pub rejects: Vec<Rejected>,
    /// Activities.
    pub events: Vec<u8>,
    /// Counts (first-unparsed lines relative).
    pub stats: Stats,
    /// The row that stopped the run (line relative).
    pub error: Option<RowError>,
    /// Where the chunk's first record starts.
    pub start: usize,
    /// Where the next record after the chunk starts.
    pub end: usize,
    /// Line breaks in `start..end`.
    pub newlines: u64,
}

impl ChunkOut {
    /// The row buffer, emptied, for another chunk to reuse.
    pub fn recycle(self) -> Vec<u8> {
        let mut out = self.out;
        out.clear();
        out
    }

    /// Writes the chunk to the sinks, now that its first line number (`base`) is known.
    pub fn write(&self, cfg: &RunConfig, base: u64, sinks: &mut Sinks) -> io::Result<()> {
        sinks.out.write_all(&self.out)?;
        if let Some(r) = sinks.rejects.as_mut() {
            let mut buf = Vec::new();
            for rej in &self.rejects {
                let line = base + rej.rel_line;
                let reason = rej.error.reason();
                match cfg.rejects_format {
                    OutFormat::Csv => {
                        buf.extend_from_slice(line.to_string().as_bytes());
                        buf.push(b',');
                        csv_field(&mut buf, &reason);
                        buf.push(b',');
                        csv_field(&mut buf, &rej.raw);
                        buf.push(b'\n');
                    }
                    OutFormat::JsonLines => {
                        buf.extend_from_slice(format!("{{\"line\":{line},\"reason\":").as_bytes());
                        json_str(&mut buf, &reason);
                        buf.extend_from_slice(b",\"raw\":");
                        json_str(&mut buf, &rej.raw);
                        buf.extend_from_slice(b"}\n");
                    }
                }
            }
            r.write_all(&buf)?;
        }
        if let Some(e) = sinks.events.as_mut() {
            e.write_all(&self.events)?;
        }
        Ok(())
    }
}

pub(super) struct Worker {
    state: LeadState,
    bad: Vec<(usize, BadValue)>,
    /// The values of a batch that are not usable.
    bad_lanes: Vec<BadLane>,
    /// The current stage of each lead loaded into a batch lane.
    current: [Option<StageId>; LANES],
    /// Where each lane's lead ends up.
    outcomes: [Outcome; LANES],
    pub o: ChunkOut,
}

impl Worker {
    /// A worker for a chunk starting at `start`, writing rows into `out` (cleared first; a
    /// buffer from an earlier chunk keeps its capacity).
    pub fn new(plan: &Plan, start: usize, mut out: Vec<u8>) -> Self {
        out.clear();
        Worker {
            state: LeadState::new(plan),
            bad: Vec::new(),
            bad_lanes: Vec::new(),
            current: [None; LANES],
            outcomes: [Outcome {
                from: None,
                to: None,
                via: None,
            }; LANES],
            o: ChunkOut {
                out,
                rejects: Vec::new(),
                events: Vec::new(),
                stats: Stats::new(plan),
                error: None,
                start,
                end: start,
                newlines: 0,
            },
        }
    }

    /// Records a bad row (line relative to the chunk); false when the run must stop.
    pub fn reject(&mut self, ctx: &Ctx, rel_line: u64, p: Problem, raw: &str) -> bool {
        let column = p
            .column
            .map(|c| (c + 1, ctx.header.get(c).cloned().unwrap_or_default()));
        let error = RowError {
            line: rel_line,
            column,
            message: p.message,
        };
        if !ctx.cfg.keep_rejects {
            self.o.error = Some(error);
            return false;
        }
        self.o.stats.rejected += 1;
        self.o.rejects.push(Rejected {
            rel_line,
            error,
            raw: raw.to_string(),
        });
        true
    }

    /// Decides one lead and writes its row; a problem rejects the row.
    pub fn lead<L: Lead>(
        &mut self,
        ctx: &Ctx,
        lead: &mut L,
        line: &mut dyn FnMut() -> u64,
    ) -> Result<(), Problem> {
        let plan = ctx.plan;
        let current = self.stage(ctx, lead)?;
        let bad = &mut self.bad;
        bad.clear();
        self.state.load(plan, lead, |slot, b| bad.push((slot, b)));
        if !self.bad.is_empty() {
            self.judge(ctx, lead, line)?;
        }
        let outcome = decide(plan, &mut self.state, lead, current);
        self.count(ctx, lead, &outcome);
        Ok(())
    }

    /// Takes a lead into batch lane `lane` once its stage is read from the stage column, to be
    /// decided with the others by [`Worker::decide_lanes`]; a problem rejects the row (and
    /// leaves the lane free).
    pub fn take_lane<L: Lead>(
        &mut self,
        ctx: &Ctx,
        lead: &mut L,
        lane: usize,
    ) -> Result<(), Problem> {
        self.current[lane] = self.stage(ctx, lead)?;
        Ok(())
    }

    /// Loads and decides the leads taken into lanes `0..count` and writes their rows, in lane
    /// order; a lead with a value that cannot be used is rejected instead, as [`Worker::lead`]
    /// would reject it (`line` and `raw` give its line and text). When a rejected lead stops the
    /// run, gives its lane: the leads after it are left undecided and not counted as read.
    pub fn decide_lanes<B: Leads>(
        &mut self,
        ctx: &Ctx,
        leads: &mut B,
        count: usize,
        line: impl Fn(usize) -> u64,
        raw: impl Fn(usize) -> String,
    ) -> Option<usize> {
        if count == 0 {
            return None;
        }
        let plan = ctx.plan;
        let mut bad = std::mem::take(&mut self.bad_lanes);
        bad.clear();
        self.state.load_lanes(plan, leads, count, &mut bad);
        let mut live = if count == LANES {
            !0
        } else {
            (1u64 << count) - 1
        };
        let mut stop = None;
        if !bad.is_empty() {
            bad.sort_unstable_by_key(|&(lane, slot, _)| (lane, slot));
            for one in bad.chunk_by(|a, b| a.0 == b.0) {
                let lane = one[0].0 as usize;
                self.bad.clear();
                (self.bad).extend(one.iter().map(|&(_, slot, b)| (slot as usize, b)));
                let l = line(lane);
                if let Err(p) = self.judge(ctx, &mut leads.lane(lane), &mut || l) {
                    live &= !(1 << lane);
                    if !self.reject(ctx, l, p, &raw(lane)) {
                        live &= (1 << lane) - 1;
                        self.o.stats.read -= (count - lane - 1) as u64;
                        stop = Some(lane);
                        break;
                    }
                }
            }
        }
        self.bad_lanes = bad;
        let outs = &mut self.outcomes[..count];
        (self.state).decide_lanes(plan, leads, &self.current[..count], live, outs);
        for i in lanes(live) {
            let outcome = self.outcomes[i];
            self.count(ctx, &mut leads.lane(i), &outcome);
        }
        stop
    }

    /// The lead's stage from the stage column.
    fn stage<L: Lead>(&mut self, ctx: &Ctx, lead: &mut L) -> Result<Option<StageId>, Problem> {
        let plan = ctx.plan;
        Ok(match ctx.stage_col {
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
        })
    }

    /// Counts the lead's values that are not usable (`self.bad`, in slot order); the first one
    /// that rejects the row gives its problem.
    fn judge<L: Lead>(
        &mut self,
        ctx: &Ctx,
        lead: &mut L,
        line: &mut dyn FnMut() -> u64,
    ) -> Result<(), Problem> {
        let plan = ctx.plan;
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
                    write_cell_json(e, lead.cell(ctx.id_col));
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
                ctx.csv_tail[ctx.tail_index(outcome.to, outcome.via)].append_to(out);
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

pub(super) fn cell_text(c: Cell<'_>) -> String {
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
        Cell::Num(n) => {
            let _ = write!(out, "{n}");
        }
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
pub(super) fn bind<'a>(
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
    ctx.csv_tail = tails.into_iter().map(Padded::new).collect();
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
