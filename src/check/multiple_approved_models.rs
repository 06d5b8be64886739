//! ## What it does
//! Finds more than one model with `status approved` in one file.
//!
//! ## Why is this bad?
//! An approved model records a "Change Revenue Stage" activity for every change. Two approved
//! models in one file assign the same leads twice and double the activity log; usually one of
//! them is a copy being edited that should still be `draft`.
//!
//! ## Example
//! ```rev
//! model "Lead Lifecycle" { status approved ... }
//! model "Lead Lifecycle v2" { status approved ... }
//! ```
//!
//! ## How to fix
//! Keep one model approved and set the others to `draft` or `stages approved`, or move them to
//! files of their own.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::Status;

/// Reports every approved model after the first.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    let p = cx.program;
    let approved: Vec<_> = p
        .models
        .iter()
        .filter(|m| m.status == Status::Approved)
        .collect();
    let Some(first) = approved.first() else {
        return;
    };
    for m in &approved[1..] {
        out.push(
            Diagnostic::error(
                Code::MultipleApprovedModels,
                format!(
                    "model `{}` is approved, and so is `{}` in the same file",
                    p.name(m.name),
                    p.name(first.name)
                ),
                m.status_span.unwrap_or(m.span),
                "second approved model",
            )
            .with_label(
                first.status_span.unwrap_or(first.span),
                "first approved model",
            )
            .with_help("keep one model approved; set the others to `draft` or `stages approved`"),
        );
    }
}
