//! ## What it does
//! Finds an `is` (or `is not`) list on a text field that mixes numbers and words:
//! `Employee Band is 100, 500, large`.
//!
//! ## Why is this bad?
//! A text field compares text: `500` matches only the text "500", not "500.0" or " 500 employees".
//! A mixed list usually means the field is half-number, half-category in the data, or the
//! field should be declared `number` and the words are mistakes.
//!
//! ## Example
//! ```rev
//! fields { "Employee Band" text }
//! smart list Big { 1: Employee Band is 500, 1000, enterprise }
//! ```
//!
//! ## How to fix
//! Split the filter into a number field test and a text field test, or quote the numbers
//! (`"500"`) to say that the text is meant.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::Type;
use crate::syntax::ast::{Op, ValueKind};

/// Reports `is` lists on text fields with both bare numbers and words.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (f, _, ty) in cx.filters() {
        if ty != Type::Text || !matches!(f.op, Op::Is | Op::IsNot) {
            continue;
        }
        let number = f.values.iter().find(|v| v.kind == ValueKind::Number);
        let word = f.values.iter().find(|v| {
            matches!(v.kind, ValueKind::Bare | ValueKind::Quoted)
                && v.text.trim().parse::<f64>().is_err()
        });
        let (Some(n), Some(w)) = (number, word) else {
            continue;
        };
        out.push(
            Diagnostic::error(
                Code::MixedValueList,
                format!(
                    "this list on text field `{}` mixes numbers and words",
                    f.field.text
                ),
                n.span,
                "a number, compared as text",
            )
            .with_label(w.span, "a word")
            .with_help("quote the numbers if the text is meant, or test a number field for them"),
        );
    }
}
