//! ## What it does
//! Finds an SLA stage (`stage "Sales Lead" sla 3 days`) with no transition out of it.
//!
//! ## Why is this bad?
//! An SLA says leads must leave the stage within its time. With no way out, every lead that
//! enters breaks the SLA, and the breach alerts go to sales for leads they cannot move.
//!
//! ## Example
//! ```rev
//! stage "Sales Lead" sla 3 days
//! stage Opportunity
//! # no transition "Sales Lead" -> ...
//! ```
//!
//! ## How to fix
//! Add the transitions that take leads out (to the next stage, and to a detour such as
//! Disqualified), or drop the `sla`.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::StageKind;

/// Reports SLA stages with no transition out.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    for m in &p.models {
        for (s, stage) in m.stages.iter().enumerate() {
            let StageKind::Sla { hours } = stage.kind else {
                continue;
            };
            if m.transitions.iter().any(|t| t.from.index() == s) {
                continue;
            }
            let name = p.name(stage.name);
            out.push(
                Diagnostic::error(
                    Code::SlaWithoutExit,
                    format!("SLA stage `{name}` has no transition out"),
                    stage.span,
                    format!("leads must leave within {hours} hours, but cannot leave at all"),
                )
                .with_help(format!(
                    "add `transition {name} -> STAGE when ...`, or drop the `sla`"
                )),
            );
        }
    }
}
