//! ## What it does
//! Finds assignment rules without `default` that leave some leads unassigned, and shows a
//! concrete example lead (its field values) that no rule takes. The example is checked against
//! every rule before it is reported.
//!
//! ## Why is this bad?
//! New leads that match no rule get no stage: they drop out of the funnel reports without
//! anyone noticing. Empty values are the usual cause: `Lead Score less than 40` and
//! `Lead Score at least 40` together still miss leads with no score.
//!
//! ## Example
//! ```rev
//! assignment rules {
//!   if Lead Score at least 40 then Sales Lead
//!   if Lead Score less than 40 then Known
//! }   # a lead with no Lead Score gets no stage
//! ```
//!
//! ## How to fix
//! Add `default STAGE`, or a rule for the leads the example stands for.
use super::Ctx;
use crate::diag::{Code, Diagnostic};

/// Reports rule blocks with a confirmed unassigned lead.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for b in &cx.blocks {
        let Some(lead) = &b.gap else { continue };
        let (Some(first), Some(last)) = (b.choices.first(), b.choices.last()) else {
            continue;
        };
        let model = cx.program.name(cx.program.models[b.model.index()].name);
        out.push(
            Diagnostic::error(
                Code::Gap,
                format!("the assignment rules of `{model}` leave some leads without a stage"),
                last.span,
                "no `default` after the last rule",
            )
            .with_label(first.span, "rules are tried from here")
            .with_help(format!(
                "for example, {} matches no rule; add `default STAGE` or a rule for such leads",
                lead.describe(cx.program)
            )),
        );
    }
}
