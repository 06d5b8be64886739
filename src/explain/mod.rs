//! `revc explain` and `revc test`: why one lead lands where it does, choice by choice.
//!
//! Nothing here re-implements the language's semantics. The lead is loaded and decided by the
//! engine exactly as `revc assign` does ([`crate::engine::decide::decide`]); the trace then asks
//! the same engine ([`LeadState::eval`] on the IR's condition ids) for the truth of every
//! condition node it shows, and the decoded value of every field it reads. The outcome printed
//! is the engine's; the trace's first matches are checked against it in tests/explain.rs.

mod render;
pub mod run;

pub use render::human;

use crate::engine::decide::{Outcome, decide};
use crate::engine::eval::{Cell, Decoded, Lead, LeadState};
use crate::engine::plan::{Plan, Via};
use crate::ir::{
    self, Cond, CondId, DateTest, DateVal, NumTest, Program, StageId, Test, TextOp, date,
};
use serde::Serialize;

/// A lead as a row of cells (`None`: missing), in the order of a header.
#[derive(Clone, Debug, Default)]
pub struct CellsLead {
    /// The cells by column.
    pub cells: Vec<Option<String>>,
}

impl Lead for CellsLead {
    fn cell(&mut self, col: usize) -> Cell<'_> {
        match self.cells.get(col) {
            Some(Some(s)) => Cell::Str(s),
            _ => Cell::Null,
        }
    }
}

/// Everything about one lead's way through a model.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// The model.
    pub model: String,
    /// The as-of day, `YYYY-MM-DD`.
    pub as_of: String,
    /// The lead's stage before the run, when it had one.
    pub current: Option<String>,
    /// Each set of choices in the order the engine went through them: the assignment rules
    /// (or the transitions out of the current stage), then one set per gate reached.
    pub steps: Vec<StepTrace>,
    /// Fields whose values did not parse as their type (null for matching).
    pub unparsed: Vec<String>,
    /// Where the engine put the lead.
    pub result: ResultTrace,
}

/// One set of choices, first match wins.
#[derive(Clone, Debug, Serialize)]
pub struct StepTrace {
    /// `assignment rules`, `transitions out of X` or `gate X`.
    pub title: String,
    /// The choices in the order they are tried.
    pub choices: Vec<Choice>,
}

/// One rule, default or transition.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    /// `rule N`, `default`, `transition N`, `otherwise`.
    pub what: String,
    /// `FILE:LINE`.
    pub location: String,
    /// The source line.
    pub source: String,
    /// The stage it gives.
    pub stage: String,
    /// Whether it holds (`default` and `otherwise` always do).
    pub matched: bool,
    /// The first that holds: the one the engine takes.
    pub first: bool,
    /// Its condition, node by node.
    pub cond: Option<Node>,
    #[serde(skip)]
    stage_id: Option<StageId>,
}

/// A condition node with its value for this lead.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    /// A filter on one field.
    Filter {
        /// The filter as written.
        text: String,
        /// The field's name.
        field: String,
        /// The cell as read (before typing), when present.
        raw: Option<String>,
        /// The comparison with the lead's decoded value and the folded constants.
        comparison: String,
        /// Its truth.
        result: bool,
    },
    /// All of the parts.
    All {
        /// Its truth.
        result: bool,
        /// The parts.
        parts: Vec<Node>,
    },
    /// Any of the parts.
    Any {
        /// Its truth.
        result: bool,
        /// The parts.
        parts: Vec<Node>,
    },
    /// The negation.
    Not {
        /// Its truth.
        result: bool,
        /// What is negated.
        part: Box<Node>,
    },
    /// Membership in a smart list, expanded.
    SmartList {
        /// The list's name.
        name: String,
        /// How its filters combine, over their numbers.
        matcher: String,
        /// Its truth.
        result: bool,
        /// Its numbered filters.
        filters: Vec<(u32, Node)>,
    },
}

impl Node {
    /// The node's truth.
    pub fn result(&self) -> bool {
        match self {
            Node::Filter { result, .. }
            | Node::All { result, .. }
            | Node::Any { result, .. }
            | Node::Not { result, .. }
            | Node::SmartList { result, .. } => *result,
        }
    }
}

/// Where the lead ends up.
#[derive(Clone, Debug, Serialize)]
pub struct ResultTrace {
    /// The stage (none: assigned to nothing, or it stays where it was).
    pub stage: Option<String>,
    /// The choice that placed it: `FILE:LINE`, `default`, or none.
    pub rule: Option<String>,
    /// What kind of choice: `rule`, `default`, `transition`, or none.
    pub by: Option<String>,
    /// Whether the stage changed.
    pub changed: bool,
}

/// What the trace needs besides the lead.
pub struct Ctx<'a> {
    /// The validated program.
    pub program: &'a Program,
    /// Its plan, bound to the lead's header.
    pub plan: &'a Plan,
    /// The rules file's text, for the source lines.
    pub src: &'a str,
}

/// Decides one lead with the engine and traces every choice on the way.
pub fn explain<L: Lead>(cx: &Ctx, lead: &mut L, current: Option<StageId>) -> (Outcome, Trace) {
    let plan = cx.plan;
    let mut state = LeadState::new(plan);
    let mut bad = Vec::new();
    state.load(plan, lead, |slot, _| bad.push(slot));
    let outcome = decide(plan, &mut state, lead, current);
    let mut t = Tracer {
        cx,
        state: &mut state,
    };
    let mut steps = Vec::new();
    let model = &cx.program.models[model_index(cx)];
    let mut next = match current {
        None => {
            let mut choices: Vec<Choice> = model
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let node = t.node(lead, r.cond);
                    t.choice(format!("rule {}", i + 1), r.span, r.stage, Some(node))
                })
                .collect();
            if let Some(d) = &model.default {
                choices.push(t.choice("default".into(), d.span, d.stage, None));
            }
            let next = mark_first(&mut choices);
            steps.push(StepTrace {
                title: "assignment rules".into(),
                choices,
            });
            next
        }
        Some(c) => {
            let (step, next) = t.transitions(lead, c, false);
            steps.push(step);
            next
        }
    };
    // A lead that lands on a gate is routed on at once, as many gates as follow.
    let mut hops = 0;
    while let Some(s) = next {
        if !plan.model.stages[s.index()].gate || hops >= plan.model.stages.len() {
            break;
        }
        let (step, n) = t.transitions(lead, s, true);
        steps.push(step);
        if n.is_none() {
            break;
        }
        next = n;
        hops += 1;
    }
    let stage_name = |s: Option<StageId>| s.map(|s| plan.model.stages[s.index()].name.clone());
    let result = ResultTrace {
        stage: stage_name(outcome.to),
        rule: outcome.via.map(|v| plan.location(v)),
        by: outcome.via.map(|v| {
            match v {
                Via::Rule(_) => "rule",
                Via::Default => "default",
                Via::Transition(_) => "transition",
                Via::Campaign => "campaign",
            }
            .to_string()
        }),
        changed: outcome.changed(),
    };
    let trace = Trace {
        model: plan.model.name.clone(),
        as_of: date::format_day(plan.as_of),
        current: stage_name(current),
        steps,
        unparsed: bad.iter().map(|&s| plan.slots[s].name.clone()).collect(),
        result,
    };
    (outcome, trace)
}

impl Trace {
    /// The stage the trace's first matches lead to, followed through gates: what the trace
    /// says, to be checked against the engine's [`Trace::result`].
    pub fn traced_stage(&self) -> Option<&str> {
        let taken = self
            .steps
            .iter()
            .rev()
            .find_map(|s| s.choices.iter().find(|c| c.first));
        taken.map(|c| c.stage.as_str()).or(self.current.as_deref())
    }
}

fn model_index(cx: &Ctx) -> usize {
    cx.program
        .model_named(&cx.plan.model.name)
        .map_or(0, |m| m.index())
}

/// Marks the first choice that holds and returns its stage id.
fn mark_first(choices: &mut [Choice]) -> Option<StageId> {
    let first = choices.iter_mut().find(|c| c.matched)?;
    first.first = true;
    first.stage_id
}

struct Tracer<'a, 'b> {
    cx: &'a Ctx<'a>,
    state: &'b mut LeadState,
}

impl Tracer<'_, '_> {
    fn choice(
        &mut self,
        what: String,
        span: crate::span::Span,
        stage: StageId,
        cond: Option<Node>,
    ) -> Choice {
        let plan = self.cx.plan;
        let line_start = self.cx.src[..span.start as usize]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line_end = self.cx.src[span.start as usize..]
            .find('\n')
            .map_or(self.cx.src.len(), |i| span.start as usize + i);
        let (line, _) = crate::span::line_col(self.cx.src, span.start as usize);
        Choice {
            what,
            location: format!("{}:{line}", plan.file_name),
            source: self.cx.src[line_start..line_end].trim().to_string(),
            stage: plan.model.stages[stage.index()].name.clone(),
            matched: cond.as_ref().is_none_or(Node::result),
            first: false,
            cond,
            stage_id: Some(stage),
        }
    }

    /// The transitions out of `stage`, in the order the engine tries them.
    fn transitions<L: Lead>(
        &mut self,
        lead: &mut L,
        stage: StageId,
        gate: bool,
    ) -> (StepTrace, Option<StageId>) {
        let plan = self.cx.plan;
        let model = &self.cx.program.models[model_index(self.cx)];
        let mut choices = Vec::new();
        for step in &plan.model.out_of[stage.index()] {
            let t = &model.transitions[step.index as usize];
            let (what, node) = match t.when {
                Some(c) => (
                    format!("transition {}", step.index + 1),
                    Some(self.node(lead, c)),
                ),
                None => ("otherwise".to_string(), None),
            };
            choices.push(self.choice(what, t.span, t.to, node));
        }
        let next = mark_first(&mut choices);
        let name = &plan.model.stages[stage.index()].name;
        let title = if gate {
            format!("gate `{name}`")
        } else {
            format!("transitions out of `{name}`")
        };
        (StepTrace { title, choices }, next)
    }

    /// A condition node, its truth asked of the engine.
    fn node<L: Lead>(&mut self, lead: &mut L, id: CondId) -> Node {
        let program = self.cx.program;
        let result = self.state.eval(self.cx.plan, lead, id.0);
        match &program.cond(id).kind {
            Cond::And(parts) => Node::All {
                result,
                parts: parts.iter().map(|&p| self.node(lead, p)).collect(),
            },
            Cond::Or(parts) => Node::Any {
                result,
                parts: parts.iter().map(|&p| self.node(lead, p)).collect(),
            },
            Cond::Not(p) => Node::Not {
                result,
                part: Box::new(self.node(lead, *p)),
            },
            Cond::InList(l) => {
                let list = &program.smart_lists[l.index()];
                Node::SmartList {
                    name: program.name(list.name).to_string(),
                    matcher: matcher_text(program, list),
                    result,
                    filters: list
                        .filters
                        .iter()
                        .map(|f| (f.number, self.node(lead, f.cond)))
                        .collect(),
                }
            }
            Cond::Filter(f) => {
                let span = program.cond(id).span;
                let plan = self.cx.plan;
                let slot = plan
                    .slots
                    .iter()
                    .position(|s| s.field == f.field)
                    .expect("a reachable filter has a slot");
                let raw = match lead.cell(plan.slots[slot].column) {
                    Cell::Str(s) if !s.trim().is_empty() => Some(s.to_string()),
                    Cell::Str(_) | Cell::Null | Cell::Nested => None,
                    Cell::Num(n) => Some(n.to_string()),
                    Cell::Bool(b) => Some(b.to_string()),
                };
                let value = self.state.decoded(plan, lead, slot);
                let cmp = comparison(&f.test, value, plan.as_of);
                Node::Filter {
                    text: span.text(self.cx.src).to_string(),
                    field: plan.slots[slot].name.clone(),
                    raw,
                    comparison: if f.negated {
                        format!("not ({cmp})")
                    } else {
                        cmp
                    },
                    result,
                }
            }
        }
    }
}

/// A smart list's match expression over its filter numbers.
fn matcher_text(program: &Program, list: &ir::SmartList) -> String {
    match list.matcher {
        ir::MatchKind::All => "all".into(),
        ir::MatchKind::Any => "any".into(),
        ir::MatchKind::Expr => expr_text(program, list, list.cond, false),
    }
}

fn expr_text(program: &Program, list: &ir::SmartList, id: CondId, nested: bool) -> String {
    if let Some(f) = list.filters.iter().find(|f| f.cond == id) {
        return f.number.to_string();
    }
    let join = |parts: &[CondId], word: &str| {
        let s = parts
            .iter()
            .map(|&p| expr_text(program, list, p, true))
            .collect::<Vec<_>>()
            .join(word);
        if nested { format!("({s})") } else { s }
    };
    match &program.cond(id).kind {
        Cond::And(p) => join(p, " and "),
        Cond::Or(p) => join(p, " or "),
        Cond::Not(p) => format!("not {}", expr_text(program, list, *p, true)),
        _ => "?".into(),
    }
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("{v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(v: Decoded) -> String {
    match v {
        Decoded::Empty => "empty".into(),
        Decoded::Text(t) => format!("{t:?}"),
        Decoded::Num(n) => n.to_string(),
        Decoded::Date(d) => show_date(d),
        Decoded::Bool(b) => b.to_string(),
    }
}

fn show_date(d: DateVal) -> String {
    date::format_day(d.day)
}

/// The positive test with the lead's value and the folded constants, e.g. `45 >= 40`.
fn comparison(test: &Test, v: Decoded, as_of: i32) -> String {
    let x = show(v);
    match test {
        Test::Empty => format!("{x} is empty"),
        Test::Text { op, values } => {
            let op = match op {
                TextOp::Is => "is",
                TextOp::Contains => "contains",
                TextOp::StartsWith => "starts with",
                TextOp::EndsWith => "ends with",
            };
            if values.len() == 1 {
                format!("{x} {op} {}", quoted_list(values))
            } else {
                format!("{x} {op} one of {}", quoted_list(values))
            }
        }
        Test::Number(n) => {
            let s = match n {
                NumTest::Is(v) => format!(
                    "{x} is one of {}",
                    v.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
                ),
                NumTest::AtLeast(b) => format!("{x} >= {b}"),
                NumTest::AtMost(b) => format!("{x} <= {b}"),
                NumTest::GreaterThan(b) => format!("{x} > {b}"),
                NumTest::LessThan(b) => format!("{x} < {b}"),
                NumTest::Between(a, b) => format!("{a} <= {x} <= {b}"),
            };
            match (v, n) {
                (Decoded::Empty, NumTest::Is(v)) if v.contains(&0.0) => {
                    s + " (empty matches `is 0`)"
                }
                _ => s,
            }
        }
        Test::Date(d) => {
            let day = |n: i32| date::format_day(n);
            let s = match d {
                DateTest::Is(v) => format!(
                    "{x} is {}",
                    v.iter()
                        .map(|d| show_date(*d))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                DateTest::Before(b) => format!("{x} < {}", show_date(*b)),
                DateTest::After(b) => format!("{x} > {}", show_date(*b)),
                DateTest::OnOrBefore(b) => format!("{x} <= {}", show_date(*b)),
                DateTest::OnOrAfter(b) => format!("{x} >= {}", show_date(*b)),
                DateTest::Between(a, b) => {
                    format!("{} <= {x} <= {}", show_date(*a), show_date(*b))
                }
                DateTest::InPast(n, u) => format!(
                    "{} <= {x} <= {}",
                    day(date::shift(as_of, -(*n as i64), *u)),
                    day(as_of)
                ),
                DateTest::InFuture(n, u) => format!(
                    "{} <= {x} <= {}",
                    day(as_of),
                    day(date::shift(as_of, *n as i64, *u))
                ),
            };
            match (v, d) {
                (Decoded::Empty, DateTest::Before(_) | DateTest::OnOrBefore(_)) => {
                    s + " (empty matches `before`)"
                }
                _ => s,
            }
        }
        Test::Bool(b) => format!("{x} is {b}"),
    }
}
