//! Test support for the engine: a deliberately simple tree-walking reference evaluator over the
//! IR, written from DESIGN.md's semantics and sharing no code with the engine, and helpers to run
//! the real engine on in-memory input.
#![allow(dead_code)]

use revc::diag::SourceFile;
use revc::engine::batch::{self, RunConfig, Sinks};
use revc::engine::{Plan, PlanOptions};
use revc::ir::{self, Cond, CondId, DateTest, NumTest, Program, Test, TextOp, Type};
use std::collections::HashMap;

/// A lead for the reference: folded field key -> raw cell text.
pub type RefLead = HashMap<String, String>;

/// Compiles rules text, panicking on errors (the generators only write valid files).
pub fn program(src: &str) -> Program {
    let c = revc::compile(&SourceFile::new("rules.rev", src));
    assert!(!c.has_errors(), "{:#?}\n{src}", c.diagnostics);
    c.program
}

fn cell<'a>(p: &Program, lead: &'a RefLead, field: ir::FieldId) -> Option<&'a str> {
    let key = &p.fields[field.index()].key;
    lead.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn number(s: &str) -> Option<f64> {
    let ok = s.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    s.parse::<f64>().ok().filter(|x| ok && x.is_finite())
}

/// Evaluates a condition the slow, obvious way.
pub fn eval(p: &Program, lead: &RefLead, c: CondId, as_of: i32) -> bool {
    match &p.cond(c).kind {
        Cond::And(parts) => parts.iter().all(|&x| eval(p, lead, x, as_of)),
        Cond::Or(parts) => parts.iter().any(|&x| eval(p, lead, x, as_of)),
        Cond::Not(x) => !eval(p, lead, *x, as_of),
        Cond::InList(l) => eval(p, lead, p.smart_lists[l.index()].cond, as_of),
        Cond::Filter(f) => {
            let ty = p.fields[f.field.index()].ty;
            let raw = cell(p, lead, f.field);
            let positive = match &f.test {
                Test::Empty => match ty {
                    Type::Text => raw.is_none(),
                    Type::Number => raw.and_then(number).is_none(),
                    Type::Date => raw.and_then(ir::date::parse_date).is_none(),
                    Type::Boolean => raw.map(|s| s.to_lowercase()).is_none_or(|s| {
                        !["true", "false", "yes", "no", "1", "0"].contains(&s.as_str())
                    }),
                },
                Test::Text { op, values } => match raw {
                    None => false,
                    Some(s) => {
                        let s = s.to_lowercase();
                        values.iter().any(|v| match op {
                            TextOp::Is => s == *v,
                            TextOp::Contains => s.contains(v.as_str()),
                            TextOp::StartsWith => s.starts_with(v.as_str()),
                            TextOp::EndsWith => s.ends_with(v.as_str()),
                        })
                    }
                },
                Test::Number(t) => match raw.and_then(number) {
                    // Marketo: `is 0` also matches empty.
                    None => matches!(t, NumTest::Is(v) if v.contains(&0.0)),
                    Some(x) => match t {
                        NumTest::Is(v) => v.contains(&x),
                        NumTest::AtLeast(b) => x >= *b,
                        NumTest::AtMost(b) => x <= *b,
                        NumTest::GreaterThan(b) => x > *b,
                        NumTest::LessThan(b) => x < *b,
                        NumTest::Between(a, b) => x >= *a && x <= *b,
                    },
                },
                Test::Date(t) => match raw.and_then(ir::date::parse_date) {
                    None => matches!(t, DateTest::Before(_) | DateTest::OnOrBefore(_)),
                    Some(d) => {
                        let cmp = |b: &ir::DateVal| d.cmp_lang(b);
                        match t {
                            DateTest::Is(v) => v.iter().any(|b| cmp(b).is_eq()),
                            DateTest::Before(b) => cmp(b).is_lt(),
                            DateTest::After(b) => cmp(b).is_gt(),
                            DateTest::OnOrBefore(b) => !cmp(b).is_gt(),
                            DateTest::OnOrAfter(b) => !cmp(b).is_lt(),
                            DateTest::Between(a, b) => !cmp(a).is_lt() && !cmp(b).is_gt(),
                            DateTest::InPast(n, u) => {
                                let from = ir::date::shift(as_of, -(*n as i64), *u);
                                d.day >= from && d.day <= as_of
                            }
                            DateTest::InFuture(n, u) => {
                                let to = ir::date::shift(as_of, *n as i64, *u);
                                d.day >= as_of && d.day <= to
                            }
                        }
                    }
                },
                Test::Bool(b) => match raw.map(|s| s.to_lowercase()) {
                    Some(s) if ["true", "yes", "1"].contains(&s.as_str()) => *b,
                    Some(s) if ["false", "no", "0"].contains(&s.as_str()) => !*b,
                    _ => false,
                },
            };
            positive != f.negated
        }
    }
}

/// The stage name the reference gives a new lead under model 0's assignment rules.
pub fn assign_new(p: &Program, lead: &RefLead, as_of: i32) -> Option<String> {
    let m = &p.models[0];
    let stage = m
        .rules
        .iter()
        .find(|r| eval(p, lead, r.cond, as_of))
        .map(|r| r.stage)
        .or(m.default.as_ref().map(|d| d.stage))?;
    Some(p.name(m.stage(stage).name).to_string())
}

/// Runs the real engine over CSV text; returns the output CSV and the stats.
pub fn run_csv(
    p: &Program,
    csv: &str,
    cfg: RunConfig,
    as_of: i32,
) -> (String, revc::engine::summary::Stats) {
    let mut plan = Plan::compile(
        p,
        &PlanOptions {
            model: ir::ModelId(0),
            campaign: None,
            as_of,
            file_name: "rules.rev".into(),
        },
    );
    let mut out = Vec::new();
    let mut rejects = Vec::new();
    let mut sinks = Sinks {
        out: &mut out,
        rejects: Some(&mut rejects),
        events: None,
    };
    let stats = batch::run(&mut plan, &mut csv.as_bytes(), &cfg, &mut sinks).expect("engine run");
    // The in-memory path (a mapped file's) decides the same text in windows: it must agree.
    let (mut whole_out, mut whole_rejects) = (Vec::new(), Vec::new());
    let mut sinks = Sinks {
        out: &mut whole_out,
        rejects: Some(&mut whole_rejects),
        events: None,
    };
    let whole_stats =
        batch::run_whole(&mut plan, csv.as_bytes(), &(), &cfg, &mut sinks).expect("engine run");
    assert_eq!(
        String::from_utf8_lossy(&whole_out),
        String::from_utf8_lossy(&out)
    );
    assert_eq!(whole_rejects, rejects);
    assert_eq!(format!("{whole_stats:?}"), format!("{stats:?}"));
    (String::from_utf8(out).unwrap(), stats)
}
