//! ## What it does
//! Finds an assignment rule, transition, `default` or `otherwise` that no lead can reach,
//! because the choices before it (alone or together) already take every lead it matches. Rules
//! and transitions are tried in order and the first match wins.
//!
//! ## Why is this bad?
//! The rule looks active in review but never assigns a lead: its stage silently gets fewer
//! leads than planned, and the dead rule is usually a sign that the order is wrong.
//!
//! ## Example
//! ```rev
//! assignment rules {
//!   if Lead Score at least 40 then Sales Lead
//!   if Lead Score at least 50 then Opportunity   # every lead at 50+ is already taken above
//! }
//! ```
//! `at least 40` followed by `greater than 40` is not reported: a lead scoring 40.5 reaches it.
//!
//! ## How to fix
//! Move the narrower rule above the broader one, or delete it if it is obsolete.
use super::Ctx;
use super::flow::{BlockKind, Verdict};
use crate::diag::{Code, Diagnostic};

/// Reports every choice proved unreachable.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for b in &cx.blocks {
        for (i, v) in b.verdicts.iter().enumerate() {
            let Verdict::Unreachable(by) = v else {
                continue;
            };
            let c = &b.choices[i];
            let what = match (b.kind, c.cond.is_some()) {
                (BlockKind::Rules, true) => "assignment rule",
                (BlockKind::Rules, false) => "`default`",
                (BlockKind::Transitions(_), true) => "transition",
                (BlockKind::Transitions(_), false) => "`otherwise` transition",
            };
            let lines: Vec<String> = by.iter().map(|&j| b.choices[j].line.to_string()).collect();
            let (earlier, them) = if by.len() == 1 {
                (
                    format!("line {} takes", lines[0]),
                    format!("line {}", lines[0]),
                )
            } else {
                (
                    format!("lines {} take", lines.join(", ")),
                    "them".to_string(),
                )
            };
            let mut d = Diagnostic::error(
                Code::UnreachableRule,
                format!("{what} can never be chosen: {earlier} every lead it matches"),
                c.span,
                "no lead reaches this",
            );
            for &j in by {
                let e = &b.choices[j];
                let to = cx.stage_name(b.model, e.target);
                let label = if by.len() == 1 {
                    format!("every lead it matches goes to `{to}` here first")
                } else {
                    format!("leads it matches go to `{to}` here first")
                };
                d = d.with_label(e.span, label);
            }
            let help = if c.cond.is_some() {
                format!("move it above {them} if it should win, or delete it")
            } else {
                format!("the rules above cover every lead; delete the {what} or narrow {them}")
            };
            out.push(d.with_help(help));
        }
    }
}
