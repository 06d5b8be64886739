//! ## What it does
//! Finds a stage that nothing can put a lead in: no assignment rule, `default` or campaign names
//! it, and no transition leads to it from a stage that leads can reach.
//!
//! A model with no way in at all (no rules, no `default`, no campaign) is skipped: its leads
//! come from elsewhere, and every stage would be reported.
//!
//! ## Why is this bad?
//! An unreachable stage stays empty forever; reports that count it show zero and the funnel
//! looks broken, or a transition into it was forgotten.
//!
//! ## Example
//! ```rev
//! stage Known
//! stage Opportunity        # no rule, transition or campaign leads here
//! assignment rules { default Known }
//! ```
//!
//! ## How to fix
//! Add the transition or rule that should lead into the stage, or delete the stage.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::ModelId;

/// Reports stages outside the closure of entry points under transitions.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    for (mi, m) in p.models.iter().enumerate() {
        let mut reached = vec![false; m.stages.len()];
        let mut todo: Vec<usize> = m.rules.iter().map(|r| r.stage.index()).collect();
        todo.extend(m.default.iter().map(|d| d.stage.index()));
        todo.extend(
            p.campaigns
                .iter()
                .filter(|c| c.model == ModelId(mi as u32))
                .map(|c| c.stage.index()),
        );
        if todo.is_empty() {
            continue;
        }
        while let Some(s) = todo.pop() {
            if std::mem::replace(&mut reached[s], true) {
                continue;
            }
            todo.extend(
                m.transitions
                    .iter()
                    .filter(|t| t.from.index() == s)
                    .map(|t| t.to.index()),
            );
        }
        for (s, stage) in m.stages.iter().enumerate() {
            if reached[s] {
                continue;
            }
            let name = p.name(stage.name);
            let mut d = Diagnostic::error(
                Code::UnreachableStage,
                format!("no lead can ever enter stage `{name}`"),
                stage.span,
                "no rule, `default`, campaign or reachable transition leads here",
            );
            for t in m.transitions.iter().filter(|t| t.to.index() == s) {
                d = d.with_label(
                    t.span,
                    "this transition starts from a stage no lead reaches",
                );
            }
            out.push(d.with_help(format!(
                "add a transition or assignment rule into `{name}`, or delete the stage"
            )));
        }
    }
}
