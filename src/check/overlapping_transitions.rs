//! ## What it does
//! Finds two `when` transitions out of one stage whose conditions overlap: some lead matches
//! both, so the order of lines in the file silently decides where it goes (the earlier one wins).
//! The finding names the winner and shows an example lead, checked against both conditions.
//! A transition that is completely covered is reported by REV201 instead.
//!
//! ## Why is this bad?
//! Reordering lines, which looks harmless in review, changes where leads go. Exclusive conditions
//! make the model mean the same in any order.
//!
//! ## Example
//! ```rev
//! transition Engaged -> "Sales Lead" when Lead Score at least 40
//! transition Engaged -> Nurture when Country is empty   # a lead with score 50 and no country?
//! ```
//!
//! ## How to fix
//! Make the conditions exclusive (`... when Country is empty and Lead Score less than 40`), or
//! suppress the finding with `# revc: ignore[REV210]` if the order is the intent.
use super::Ctx;
use super::flow::BlockKind;
use crate::diag::{Code, Diagnostic};

/// Reports overlapping transitions, one finding per later transition.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for b in &cx.blocks {
        let BlockKind::Transitions(from) = b.kind else {
            continue;
        };
        for (i, j, lead) in &b.overlaps {
            let (first, second) = (&b.choices[*i], &b.choices[*j]);
            let win = cx.stage_name(b.model, first.target);
            let lose = cx.stage_name(b.model, second.target);
            let from = cx.stage_name(b.model, from);
            out.push(
                Diagnostic::error(
                    Code::OverlappingTransitions,
                    format!(
                        "transitions out of `{from}` overlap: leads matching both go to `{win}` (line {}), not `{lose}`",
                        first.line
                    ),
                    second.span,
                    "this one loses for leads matching both",
                )
                .with_label(first.span, "this one wins: it comes first")
                .with_help(format!(
                    "for example, {}; make the conditions exclusive, or suppress this if the order is meant",
                    lead.describe(cx.program)
                )),
            );
        }
    }
}
