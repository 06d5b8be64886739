//! ## What it does
//! Finds a condition that no lead can satisfy: an assignment rule, a transition or a smart list
//! whose filters exclude each other, e.g. `Lead Score at least 50 and Lead Score less than 10`
//! or `Country is India and Country is not India`.
//!
//! The analysis follows the language exactly: `is 0` also matches empty numbers, `before` and
//! `on or before` also match empty dates, and every other comparison is false on empty.
//!
//! ## Why is this bad?
//! The rule or list can never match; leads meant for it go elsewhere. It is almost always a
//! typo (`and` for `or`, a bound the wrong way round).
//!
//! ## Example
//! ```rev
//! if Lead Score at least 50 and Lead Score less than 10 then Sales Lead
//! ```
//!
//! ## How to fix
//! Fix the bounds, or join the filters with `or` if either should do.
use super::Ctx;
use super::flow::Verdict;
use crate::diag::{Code, Diagnostic};

/// Reports contradictory rules, transitions and smart lists.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    for b in &cx.blocks {
        for (i, v) in b.verdicts.iter().enumerate() {
            if *v != Verdict::Contradiction {
                continue;
            }
            let c = &b.choices[i];
            let Some(cond) = c.cond else { continue };
            let to = cx.stage_name(b.model, c.target);
            out.push(
                Diagnostic::error(
                    Code::Contradiction,
                    format!("this condition matches no lead, so nothing goes to `{to}` by it"),
                    p.cond(cond).span,
                    "no lead satisfies this condition",
                )
                .with_label(c.span, "so this can never be chosen")
                .with_help("check the bounds and operators; join the filters with `or` if either should do"),
            );
        }
    }
    for (i, l) in p.smart_lists.iter().enumerate() {
        if cx.lists[i].as_ref().is_some_and(|r| r.is_empty()) {
            let name = p.name(l.name);
            let mut d = Diagnostic::error(
                Code::Contradiction,
                format!("smart list `{name}` matches no lead"),
                l.span,
                "no lead satisfies these filters together",
            );
            for f in &l.filters {
                d = d.with_label(f.span, format!("filter {}", f.number));
            }
            out.push(d.with_help("check the filters' bounds, and whether `match` should be `any`"));
        }
    }
}
