//! ## What it does
//! Finds an entry of the `fields` block that no condition reads.
//!
//! ## Why is this bad?
//! Declared fields are bound to the data's columns: an unused one still makes a lead export
//! look like it needs that column, and it is often a leftover from a rule that was deleted or a
//! field name misspelled elsewhere.
//!
//! ## Example
//! ```rev
//! fields {
//!   "Lead Score" number
//!   "Created At" date      # no rule reads Created At
//! }
//! ```
//!
//! ## How to fix
//! Delete the entry, or write the rule that needs it.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::Cond;

/// Reports declared fields no filter reads.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    let mut used = vec![false; p.fields.len()];
    for node in &p.conds {
        if let Cond::Filter(f) = &node.kind {
            used[f.field.index()] = true;
        }
    }
    for (i, f) in p.fields.iter().enumerate() {
        if f.declared && !used[i] {
            let name = p.name(f.name);
            out.push(
                Diagnostic::error(
                    Code::UnusedField,
                    format!("field `{name}` is declared but no condition reads it"),
                    f.span,
                    "declared here, never read",
                )
                .with_help("delete the entry, or write the rule that needs it"),
            );
        }
    }
}
