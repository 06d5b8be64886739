//! ## What it does
//! Finds a detour (declared with `detour`) listed in a phase together with success-path stages.
//!
//! revc's rule: phases group the stages of the success path (Marketing: Known, Engaged; Sales:
//! Sales Lead, Opportunity, Customer). Detours are off that path, so a phase may hold detours
//! only if it holds nothing else (`phase Recycled: Disqualified, Nurture` is fine).
//!
//! ## Why is this bad?
//! Phase reports sum their stages: a detour inside a success-path phase counts disqualified or
//! nurtured leads as progress, and the phase's conversion figures lie.
//!
//! ## Example
//! ```rev
//! detour Disqualified
//! phase Sales: "Sales Lead", Disqualified, Opportunity
//! ```
//!
//! ## How to fix
//! Take the detour out of the phase (put detours in a phase of their own if they need one), or
//! declare it with `stage` if it is really on the success path.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::name_key;
use crate::syntax::ast;

/// Reports detours in phases that also hold success-path stages.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    let ast_models: Vec<&ast::Model> = cx
        .ast
        .items
        .iter()
        .filter_map(|i| match i {
            ast::Item::Model(m) => Some(m),
            _ => None,
        })
        .collect();
    for (mi, m) in p.models.iter().enumerate() {
        for phase in &m.phases {
            if phase.stages.iter().all(|s| m.stage(*s).detour) {
                continue;
            }
            let phase_name = p.name(phase.name);
            for s in phase.stages.iter().filter(|s| m.stage(**s).detour) {
                let stage = m.stage(*s);
                let name = p.name(stage.name);
                // The member's own span, from the syntax tree (the IR keeps the whole line).
                let span = ast_models
                    .get(mi)
                    .and_then(|am| {
                        am.items.iter().find_map(|it| match it {
                            ast::ModelItem::Phase(ph) if ph.span == phase.span => ph
                                .stages
                                .iter()
                                .find(|n| name_key(&n.text) == name_key(name)),
                            _ => None,
                        })
                    })
                    .map_or(phase.span, |n| n.span);
                out.push(
                    Diagnostic::error(
                        Code::DetourInPhase,
                        format!(
                            "detour `{name}` is in phase `{phase_name}` with success-path stages"
                        ),
                        span,
                        "a detour, off the success path",
                    )
                    .with_label(stage.span, "declared with `detour` here")
                    .with_help("move detours to a phase of their own, or declare it with `stage`"),
                );
            }
        }
    }
}
