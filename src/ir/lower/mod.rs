//! Lowering: the syntax tree becomes the validated IR, and every error of the file is collected.
//!
//! Order matters: fields are typed first (declared or inferred from every use), then smart lists
//! are registered so conditions anywhere can name any of them, then conditions, models and
//! campaigns are lowered against those tables.

mod cond;
mod fields;
mod lists;
mod models;
mod tests;

use super::{CondId, CondNode, FieldId, Program, SmartListId, Sym};
use crate::diag::Diagnostic;
use crate::span::{LineIndex, Span};
use crate::syntax::ast;
use std::collections::HashMap;

/// Lowers a parsed file into the IR. The program is complete only when no diagnostic is an error.
pub fn lower(file: &ast::File, src: &str) -> (Program, Vec<Diagnostic>) {
    let mut cx = Lowerer {
        program: Program::default(),
        diags: Vec::new(),
        lines: LineIndex::new(src),
        fields_by_key: HashMap::new(),
        has_fields_block: false,
        lists_by_key: HashMap::new(),
        conflicted: std::collections::HashSet::new(),
        suggest_budget: crate::diag::suggest::Budget::default(),
    };
    cx.type_fields(file);
    cx.register_lists(file);
    cx.lower_lists(file);
    cx.lower_models(file);
    cx.lower_campaigns(file);
    if cx.check_list_cycles() {
        cx.check_depth();
    }
    cx.lower_tests(file);
    let mut diags = cx.diags;
    crate::diag::sort(&mut diags);
    (cx.program, diags)
}

/// State of one lowering.
struct Lowerer {
    program: Program,
    diags: Vec<Diagnostic>,
    lines: LineIndex,
    /// Field key to field.
    fields_by_key: HashMap<String, FieldId>,
    /// Whether the file has a `fields` block (then it lists every field).
    has_fields_block: bool,
    /// Smart list name key to list and its name's span.
    lists_by_key: HashMap<String, (SmartListId, Span)>,
    /// Filters already reported as a type conflict (REV125); their operator is not reported
    /// again as not applying to the field's type, which would say the same thing twice.
    conflicted: std::collections::HashSet<Span>,
    /// Work left to this file's did-you-mean searches.
    suggest_budget: crate::diag::suggest::Budget,
}

impl Lowerer {
    fn intern(&mut self, s: &str) -> Sym {
        self.program.names.intern(s)
    }

    fn push_cond(&mut self, kind: super::Cond, span: Span) -> CondId {
        self.program.conds.push(CondNode { kind, span });
        CondId(self.program.conds.len() as u32 - 1)
    }

    fn line(&self, span: Span) -> u32 {
        self.lines.line(span.start)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}
