//! Field types: the `fields` block, and inference from use for fields it does not declare.

use super::Lowerer;
use crate::diag::{Code, Diagnostic, suggest};
use crate::ir::{Field, FieldId, Type, field_key};
use crate::span::Span;
use crate::syntax::ast::{self, Cond, Item, ModelItem, Op, ValueKind};

/// The type a filter implies for its field, if any (`is empty` implies none).
pub(super) fn implied_type(f: &ast::Filter) -> Option<Type> {
    let any_date = f
        .values
        .iter()
        .any(|v| matches!(v.kind, ValueKind::Date | ValueKind::DateTime));
    match f.op {
        Op::IsEmpty | Op::IsNotEmpty => None,
        Op::Contains
        | Op::NotContains
        | Op::StartsWith
        | Op::NotStartsWith
        | Op::EndsWith
        | Op::NotEndsWith => Some(Type::Text),
        Op::AtLeast | Op::AtMost | Op::GreaterThan | Op::LessThan | Op::Between => {
            Some(if any_date { Type::Date } else { Type::Number })
        }
        Op::Before
        | Op::After
        | Op::OnOrBefore
        | Op::OnOrAfter
        | Op::InPast(_)
        | Op::InFuture(_) => Some(Type::Date),
        Op::Is | Op::IsNot => {
            let all = |pred: &dyn Fn(&ast::Value) -> bool| f.values.iter().all(pred);
            if all(&|v| v.kind == ValueKind::Bare && is_bool_word(&v.text)) {
                Some(Type::Boolean)
            } else if all(&|v| v.kind == ValueKind::Number) {
                Some(Type::Number)
            } else if all(&|v| matches!(v.kind, ValueKind::Date | ValueKind::DateTime)) {
                Some(Type::Date)
            } else {
                Some(Type::Text)
            }
        }
    }
}

fn is_bool_word(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
}

/// Calls `f` on every filter of the file, in source order.
fn each_filter<'a>(file: &'a ast::File, f: &mut impl FnMut(&'a ast::Filter)) {
    fn walk<'a>(c: &'a Cond, f: &mut impl FnMut(&'a ast::Filter)) {
        match c {
            Cond::Or(parts, _) | Cond::And(parts, _) => parts.iter().for_each(|p| walk(p, f)),
            Cond::Not(inner, _) => walk(inner, f),
            Cond::InList { .. } => {}
            Cond::Filter(filter) => f(filter),
        }
    }
    for item in &file.items {
        match item {
            Item::SmartList(l) => l.filters.iter().for_each(|lf| walk(&lf.cond, f)),
            Item::Model(m) => {
                for mi in &m.items {
                    match mi {
                        ModelItem::Transition(t) => {
                            if let Some(c) = &t.when {
                                walk(c, f);
                            }
                        }
                        ModelItem::Rules(rb) => {
                            for r in &rb.rules {
                                if let ast::Rule::If { cond, .. } = r {
                                    walk(cond, f);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

impl Lowerer {
    /// Builds the field table: declared fields first, then every other field by first use,
    /// typed by the first use that implies a type.
    pub(super) fn type_fields(&mut self, file: &ast::File) {
        for item in &file.items {
            if let Item::Fields(block) = item {
                self.has_fields_block = true;
                for decl in &block.fields {
                    self.declare_field(decl);
                }
            }
        }
        // Undeclared fields: the first use that implies a type decides; a later one that
        // disagrees is an error pointing at both.
        let mut first_typed: Vec<Option<(Type, Span)>> = vec![None; self.program.fields.len()];
        let mut uses: Vec<&ast::Filter> = Vec::new();
        each_filter(file, &mut |f| uses.push(f));
        for f in uses {
            let key = field_key(&f.field.text);
            let id = match self.fields_by_key.get(&key) {
                Some(&id) => id,
                None if self.has_fields_block => continue, // reported when the filter is lowered
                None => {
                    let name = self.intern(f.field.text.trim());
                    self.program.fields.push(Field {
                        name,
                        key: key.clone(),
                        ty: Type::Text,
                        declared: false,
                        span: f.field.span,
                    });
                    first_typed.push(None);
                    let id = FieldId(self.program.fields.len() as u32 - 1);
                    self.fields_by_key.insert(key, id);
                    id
                }
            };
            if self.program.fields[id.index()].declared {
                continue;
            }
            let Some(ty) = implied_type(f) else { continue };
            match first_typed[id.index()] {
                None => {
                    first_typed[id.index()] = Some((ty, f.span));
                    self.program.fields[id.index()].ty = ty;
                }
                Some((first, _)) if first == ty => {}
                Some((first, first_span)) => {
                    let name = self
                        .program
                        .name(self.program.fields[id.index()].name)
                        .to_string();
                    self.conflicted.insert(f.span);
                    self.error(
                        Diagnostic::error(
                            Code::TypeConflict,
                            format!("field `{name}` is used as {} and as {}", article(first), article(ty)),
                            f.span,
                            format!("this use makes it {}", article(ty)),
                        )
                        .with_label(first_span, format!("this use makes it {}", article(first)))
                        .with_help(format!(
                            "declare its type in a `fields` block, e.g. `fields {{ \"{name}\" {} }}`",
                            first.as_str()
                        )),
                    );
                }
            }
        }
    }

    fn declare_field(&mut self, decl: &ast::FieldDecl) {
        let (name_text, ty) = match &decl.ty {
            Some(w) => (decl.name.text.clone(), self.field_type(w)),
            None => {
                // `Country txt` reads as one bare name; its last word is the misspelt type.
                let text = decl.name.text.trim_end();
                match text.rfind([' ', '\t']) {
                    Some(i) if !decl.name.quoted => {
                        let word = ast::Word {
                            text: text[i + 1..].to_string(),
                            span: Span::new(
                                decl.name.span.start as usize + i + 1,
                                decl.name.span.start as usize + text.len(),
                            ),
                        };
                        (text[..i].trim_end().to_string(), self.field_type(&word))
                    }
                    _ => {
                        self.error(
                            Diagnostic::error(
                                Code::UnknownType,
                                format!("field `{}` has no type", decl.name.text),
                                decl.name.span,
                                "a type should follow this name",
                            )
                            .with_help(
                                "write one of `text`, `number`, `date`, `boolean` after the name",
                            ),
                        );
                        (decl.name.text.clone(), None)
                    }
                }
            }
        };
        let key = field_key(&name_text);
        let span = decl.name.span;
        if let Some(&prev) = self.fields_by_key.get(&key) {
            let prev_span = self.program.fields[prev.index()].span;
            let prev_name = self
                .program
                .name(self.program.fields[prev.index()].name)
                .to_string();
            self.error(
                Diagnostic::error(
                    Code::DuplicateField,
                    format!("field `{name_text}` is declared twice"),
                    span,
                    "declared again here",
                )
                .with_label(prev_span, format!("`{prev_name}` first declared here"))
                .with_help(
                    "field names bind to columns ignoring case, spaces and punctuation; remove one declaration",
                ),
            );
            return;
        }
        let name = self.intern(&name_text);
        self.program.fields.push(Field {
            name,
            key: key.clone(),
            ty: ty.unwrap_or(Type::Text),
            declared: true,
            span,
        });
        self.fields_by_key
            .insert(key, FieldId(self.program.fields.len() as u32 - 1));
    }

    fn field_type(&mut self, w: &ast::Word) -> Option<Type> {
        match w.text.to_ascii_lowercase().as_str() {
            "text" => Some(Type::Text),
            "number" => Some(Type::Number),
            "date" => Some(Type::Date),
            "boolean" => Some(Type::Boolean),
            _ => {
                let help = suggest::did_you_mean(&w.text, ["text", "number", "date", "boolean"])
                    .unwrap_or_else(|| {
                        "the types are `text`, `number`, `date` and `boolean`".into()
                    });
                self.error(
                    Diagnostic::error(
                        Code::UnknownType,
                        format!("unknown field type `{}`", w.text),
                        w.span,
                        "not a type",
                    )
                    .with_help(help),
                );
                None
            }
        }
    }

    /// The field a filter reads, or an error when a `fields` block exists and lacks it.
    pub(super) fn field_of(&mut self, name: &ast::Name) -> Option<FieldId> {
        if let Some(&id) = self.fields_by_key.get(&field_key(&name.text)) {
            return Some(id);
        }
        let declared = self
            .program
            .fields
            .iter()
            .map(|f| self.program.name(f.name));
        let help = suggest::did_you_mean_within(&name.text, declared, &mut self.suggest_budget)
            .unwrap_or_else(|| {
                format!(
                    "declare it in the `fields` block, e.g. `\"{}\" text`",
                    name.text
                )
            });
        self.error(
            Diagnostic::error(
                Code::UnknownField,
                format!("unknown field `{}`", name.text),
                name.span,
                "not declared in `fields`",
            )
            .with_help(help),
        );
        None
    }
}

/// `a number`, `a text`, `a date`, `a boolean`.
pub(super) fn article(ty: Type) -> String {
    format!("a {}", ty.as_str())
}
