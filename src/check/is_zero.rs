//! ## What it does
//! Points out `is 0` (and `is not 0`) on a number field. As in Marketo, `is 0` also matches
//! leads whose value is empty, and `is not 0` is false on them.
//!
//! ## Why is this bad?
//! "Lead Score is 0" reads as "scored zero", but it also takes every lead that was never
//! scored; `is not 0` silently drops them. Both are right only if that is meant.
//!
//! ## Example
//! ```rev
//! if Lead Score is 0 then Known          # also takes leads with no score
//! ```
//!
//! ## How to fix
//! Say which you mean: `Lead Score is 0 and Lead Score is not empty` for zero only, or
//! `Lead Score is empty` for unscored leads; `is not 0 or Lead Score is empty` keeps them.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::Type;
use crate::syntax::ast::Op;

/// Reports `is 0` / `is not 0` on number fields.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (f, _, ty) in cx.filters() {
        if ty != Type::Number || !matches!(f.op, Op::Is | Op::IsNot) {
            continue;
        }
        let Some(zero) = f
            .values
            .iter()
            .find(|v| v.text.trim().parse::<f64>() == Ok(0.0))
        else {
            continue;
        };
        let name = &f.field.text;
        let (message, help) = if f.op == Op::Is {
            (
                format!(
                    "`{name} is {}` also matches leads whose `{name}` is empty",
                    zero.text
                ),
                format!(
                    "for zero only, add `and {name} is not empty`; for unset values, write `{name} is empty`"
                ),
            )
        } else {
            (
                format!(
                    "`{name} is not {}` is false for leads whose `{name}` is empty",
                    zero.text
                ),
                format!("to keep those leads, add `or {name} is empty`"),
            )
        };
        out.push(
            Diagnostic::error(Code::IsZero, message, zero.span, "0 stands for empty too")
                .with_label(
                    f.op_span,
                    "this comparison treats empty as 0, as Marketo does",
                )
                .with_help(help),
        );
    }
}
