//! ## What it does
//! Finds a smart list that no rule, transition, other smart list or campaign uses.
//!
//! ## Why is this bad?
//! An unused list is dead code that readers still have to understand, and often a sign that a
//! rule meant to use it names another list.
//!
//! ## Example
//! ```rev
//! smart list "Hot Leads" { 1: Lead Score at least 80 }   # nothing says `in smart list "Hot Leads"`
//! ```
//!
//! ## How to fix
//! Use it (`if in smart list "Hot Leads" then ...`) or delete it.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::Cond;

/// Reports smart lists nothing refers to.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    let mut used = vec![false; p.smart_lists.len()];
    for node in &p.conds {
        if let Cond::InList(l) = node.kind {
            used[l.index()] = true;
        }
    }
    for c in &p.campaigns {
        used[c.list.index()] = true;
    }
    for (l, _) in used.iter().enumerate().filter(|(_, u)| !**u) {
        let list = &p.smart_lists[l];
        let name = p.name(list.name);
        out.push(
            Diagnostic::error(
                Code::UnusedSmartList,
                format!("smart list `{name}` is never used"),
                list.span,
                "no rule, transition, smart list or campaign refers to it",
            )
            .with_help(format!(
                "use it with `in smart list \"{name}\"`, or delete it"
            )),
        );
    }
}
