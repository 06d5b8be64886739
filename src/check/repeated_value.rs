//! ## What it does
//! Finds a value written twice in one list: `Country is Germany, France, germany`. Values are
//! compared as the field compares them: text without case after trimming, numbers and dates by
//! value (`40` and `40.0` are one number).
//!
//! ## Why is this bad?
//! The repeat changes nothing, so it is usually a slip for another value that is now missing
//! (`Austria`, say).
//!
//! ## Example
//! ```rev
//! smart list DACH { 1: Country is Germany, Switzerland, germany }
//! ```
//!
//! ## How to fix
//! Delete the repeat, or write the value that was meant.
use super::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::ir::Type;
use crate::syntax::ast::Op;
use std::collections::HashMap;

/// Reports the second and later occurrence of a value in one list.
pub(super) fn run(cx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (f, _, ty) in cx.filters() {
        if f.values.len() < 2 || matches!(f.op, Op::Between) {
            continue;
        }
        let mut seen: HashMap<String, crate::span::Span> = HashMap::new();
        for v in &f.values {
            let key = match ty {
                Type::Number => v
                    .text
                    .trim()
                    .parse::<f64>()
                    .map_or_else(|_| v.text.clone(), |n| n.to_string()),
                Type::Date => crate::ir::date::parse_date(&v.text)
                    .map_or_else(|| v.text.clone(), |d| format!("{}:{:?}", d.day, d.secs)),
                Type::Text | Type::Boolean => v.text.trim().to_lowercase(),
            };
            if let Some(first) = seen.get(&key) {
                out.push(
                    Diagnostic::error(
                        Code::RepeatedValue,
                        format!("`{}` is repeated in this list", v.text),
                        v.span,
                        "repeated here",
                    )
                    .with_label(*first, "first here")
                    .with_help("delete the repeat, or write the value that was meant"),
                );
            } else {
                seen.insert(key, v.span);
            }
        }
    }
}
