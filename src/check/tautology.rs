//! ## What it does
//! Finds a rule or transition condition, or a smart list, that every lead satisfies, such as
//! `Lead Score at least 0 or Lead Score less than 0 or Lead Score is empty`.
//!
//! ## Why is this bad?
//! A rule that takes every lead makes every rule after it in the same block unreachable; a smart
//! list that matches everyone usually lost a filter. If "everyone" is meant, `default` or
//! `otherwise` says so plainly.
//!
//! ## Example
//! ```rev
//! if Country is India or Country is not India then Engaged
//! ```
//!
//! ## How to fix
//! Write `default STAGE` (or `otherwise`) instead, or restore the missing filter.
use super::Ctx;
use super::flow::BlockKind;
use crate::diag::{Code, Diagnostic};

/// Reports conditions and smart lists that match every lead.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    for b in &cx.blocks {
        for (i, &t) in b.tautology.iter().enumerate() {
            let c = &b.choices[i];
            let Some(cond) = c.cond.filter(|_| t) else {
                continue;
            };
            let (what, instead) = match b.kind {
                BlockKind::Rules => ("rule", "`default`"),
                BlockKind::Transitions(_) => ("transition", "`otherwise`"),
            };
            let mut d = Diagnostic::error(
                Code::Tautology,
                format!("this {what}'s condition matches every lead"),
                p.cond(cond).span,
                "every lead satisfies this",
            );
            if let Some(next) = b.choices.get(i + 1) {
                d = d.with_label(next.span, "so this and everything after it is unreachable");
            }
            out.push(d.with_help(format!("if every lead is meant, write {instead} instead")));
        }
    }
    for (i, l) in p.smart_lists.iter().enumerate() {
        let full = cx.lists[i].as_ref().and_then(|r| r.is_full()) == Some(true);
        if full {
            out.push(
                Diagnostic::error(
                    Code::Tautology,
                    format!("smart list `{}` matches every lead", p.name(l.name)),
                    l.span,
                    "every lead satisfies these filters",
                )
                .with_help("a filter is probably missing, or `match any` should be `match all`"),
            );
        }
    }
}
