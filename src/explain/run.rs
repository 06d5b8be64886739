//! `revc test`: each `test` block's lead through the engine, its outcome against the test's
//! `expect`.

use super::{CellsLead, Ctx, Trace, explain};
use crate::engine::plan::{Plan, PlanOptions, Via};
use crate::ir::{ExpectVia, Program, TestCase};

/// The outcome of one test.
#[derive(Clone, Debug)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// 1-based line of the test.
    pub line: u32,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
    /// What the engine did with the lead.
    pub trace: Trace,
}

/// Runs the tests whose name contains `filter` (without case), in file order.
pub fn run_tests(
    program: &Program,
    src: &str,
    file_name: &str,
    as_of: i32,
    filter: Option<&str>,
) -> Vec<TestResult> {
    let filter = filter.map(str::to_lowercase);
    // Every field of the program is a column; a test leaves the ones it does not set empty.
    let header: Vec<String> = program
        .fields
        .iter()
        .map(|f| program.name(f.name).to_string())
        .collect();
    program
        .tests
        .iter()
        .filter(|t| {
            filter
                .as_ref()
                .is_none_or(|f| t.name.to_lowercase().contains(f))
        })
        .map(|t| run_one(program, src, file_name, as_of, &header, t))
        .collect()
}

fn run_one(
    program: &Program,
    src: &str,
    file_name: &str,
    as_of: i32,
    header: &[String],
    t: &TestCase,
) -> TestResult {
    let mut plan = Plan::compile(
        program,
        &PlanOptions {
            model: t.model,
            campaign: None,
            as_of,
            file_name: file_name.to_string(),
        },
    );
    // Columns are the program's own fields, one per folded name, so binding cannot fail.
    plan.bind(header).expect("fields bind to themselves");
    let mut lead = CellsLead {
        cells: vec![None; header.len()],
    };
    for v in &t.values {
        lead.cells[v.field.index()] = Some(v.text.clone());
    }
    let cx = Ctx {
        program,
        plan: &plan,
        src,
    };
    let (outcome, trace) = explain(&cx, &mut lead, t.current);
    let model = &program.models[t.model.index()];
    let stage_name = |s| program.name(model.stage(s).name).to_string();
    let expected = stage_name(t.expect);
    let by_ok = matches!(
        (t.by, outcome.via),
        (None, _)
            | (Some(ExpectVia::Rule), Some(Via::Rule(_)))
            | (Some(ExpectVia::Default), Some(Via::Default))
            | (Some(ExpectVia::Transition), Some(Via::Transition(_)))
    );
    let failure = if !trace.unparsed.is_empty() {
        Some(format!(
            "the test's value of {} does not parse as the field's type",
            trace
                .unparsed
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else if outcome.to != Some(t.expect) || !by_ok {
        let by = |v: Option<ExpectVia>| match v {
            Some(ExpectVia::Rule) => " by rule",
            Some(ExpectVia::Default) => " by default",
            Some(ExpectVia::Transition) => " by transition",
            None => "",
        };
        let got = match (outcome.to, outcome.via) {
            (None, _) => "no stage".to_string(),
            (Some(s), Some(Via::Default)) => format!("`{}` by default", stage_name(s)),
            (Some(s), Some(v)) => format!(
                "`{}` by {} at {}",
                stage_name(s),
                trace.result.by.as_deref().unwrap_or(""),
                plan.location(v)
            ),
            (Some(s), None) => format!("`{}` (no choice held: it stayed)", stage_name(s)),
        };
        Some(format!("expected `{expected}`{}, got {got}", by(t.by)))
    } else {
        None
    };
    TestResult {
        name: t.name.clone(),
        line: t.line,
        failure,
        trace,
    }
}
