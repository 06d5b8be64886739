//! ## What it does
//! Finds a transition whose two ends are the same stage: `transition Engaged -> Engaged when ...`.
//!
//! ## Why is this bad?
//! Moving a lead to the stage it is already in changes nothing (an approved model skips it and
//! counts it as skipped), and it shadows the transitions after it out of that stage. It is
//! usually a copy-paste slip for another stage.
//!
//! ## Example
//! ```rev
//! transition Engaged -> Engaged when Lead Score at least 40
//! ```
//!
//! ## How to fix
//! Point it at the intended stage, or delete it.
use super::Ctx;
use crate::diag::{Code, Diagnostic};

/// Reports transitions from a stage to itself.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    for m in &p.models {
        for t in m.transitions.iter().filter(|t| t.from == t.to) {
            let stage = m.stage(t.from);
            let name = p.name(stage.name);
            out.push(
                Diagnostic::error(
                    Code::SelfTransition,
                    format!("transition from `{name}` to itself"),
                    t.span,
                    "a lead here is already in this stage",
                )
                .with_label(stage.span, "the stage")
                .with_help("point it at the intended stage, or delete it"),
            );
        }
    }
}
