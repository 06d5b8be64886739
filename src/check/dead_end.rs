//! ## What it does
//! Finds a dead end: a stage on the success path (declared with `stage`, not `detour`) that is
//! not the last one, yet has no transition out. The last `stage` declared is the end of the
//! success path (Customer, say) and may be final. SLA stages are left to REV207.
//!
//! ## Why is this bad?
//! Leads that reach a dead end stay there forever: they never progress to the stages after it,
//! and the funnel's later stages starve.
//!
//! ## Example
//! ```rev
//! stage Engaged
//! stage Opportunity        # no transition out: leads stop here
//! stage Customer
//! transition Engaged -> Opportunity when Lead Score at least 40
//! ```
//!
//! ## How to fix
//! Add the transition out (`transition Opportunity -> Customer when ...`), or make the stage a
//! `detour` if it is really off the success path.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::StageKind;

/// Reports non-final success-path stages with no transition out.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    for m in &p.models {
        let Some(last) = m.stages.iter().rposition(|s| !s.detour) else {
            continue;
        };
        for (s, stage) in m.stages.iter().enumerate() {
            let exits = m.transitions.iter().any(|t| t.from.index() == s);
            if stage.detour || s == last || exits || matches!(stage.kind, StageKind::Sla { .. }) {
                continue;
            }
            let name = p.name(stage.name);
            let final_name = p.name(m.stages[last].name);
            out.push(
                Diagnostic::error(
                    Code::DeadEnd,
                    format!("stage `{name}` is a dead end: no transition leads out of it"),
                    stage.span,
                    "leads that get here stay here",
                )
                .with_label(m.stages[last].span, format!("the success path ends at `{final_name}`"))
                .with_help(format!(
                    "add `transition {name} -> ...`, or declare it with `detour` if it is off the success path"
                )),
            );
        }
    }
}
