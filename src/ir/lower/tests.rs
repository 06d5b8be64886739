//! Lowering of `test` blocks: the model, stages and fields they name are resolved against the
//! lowered program, so a test that names something unknown is a compile error like any other.

use super::Lowerer;
use crate::diag::{Code, Diagnostic, suggest};
use crate::ir::{ExpectVia, FieldId, ModelId, StageId, TestCase, TestValue, field_key, name_key};
use crate::span::Span;
use crate::syntax::ast::{self, Item};
use std::collections::HashMap;

impl Lowerer {
    /// Lowers every `test` block, after models (whose stages tests name) and fields.
    pub(super) fn lower_tests(&mut self, file: &ast::File) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in &file.items {
            let Item::Test(t) = item else { continue };
            let key = name_key(&t.name.text);
            if let Some(&first) = seen.get(&key) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateTest,
                        format!("test `{}` is declared twice", t.name.text),
                        t.name.span,
                        "declared again here",
                    )
                    .with_label(first, "first declared here")
                    .with_help("give each test its own name, so a failure says which one"),
                );
            } else {
                seen.insert(key, t.name.span);
            }
            if let Some(case) = self.lower_test(t) {
                self.program.tests.push(case);
            }
        }
    }

    fn lower_test(&mut self, t: &ast::Test) -> Option<TestCase> {
        let values = self.test_values(t);
        let model = self.test_model(t)?;
        let current = match &t.current {
            Some(n) => Some(self.test_stage(model, n)?),
            None => None,
        };
        let expect = self.test_stage(model, &t.stage)?;
        let by =
            t.by.as_ref()
                .map(|w| match w.text.to_ascii_lowercase().as_str() {
                    "rule" => ExpectVia::Rule,
                    "default" => ExpectVia::Default,
                    _ => ExpectVia::Transition,
                });
        let line = self.line(t.span);
        Some(TestCase {
            name: t.name.text.clone(),
            model,
            values: values?,
            current,
            expect,
            by,
            span: t.span,
            line,
        })
    }

    /// The lead's values, each bound to a field of the program.
    fn test_values(&mut self, t: &ast::Test) -> Option<Vec<TestValue>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut set: HashMap<FieldId, Span> = HashMap::new();
        for e in &t.lead {
            let Some(&field) = self.fields_by_key.get(&field_key(&e.field.text)) else {
                ok = false;
                let names: Vec<String> = self
                    .program
                    .fields
                    .iter()
                    .map(|f| self.program.name(f.name).to_string())
                    .collect();
                let help = suggest::did_you_mean(&e.field.text, names.iter().map(String::as_str))
                    .unwrap_or_else(|| {
                        "a test sets only fields that rules read or `fields` declares".into()
                    });
                self.error(
                    Diagnostic::error(
                        Code::TestUnknownField,
                        format!(
                            "test `{}` sets unknown field `{}`",
                            t.name.text, e.field.text
                        ),
                        e.field.span,
                        "no rule reads this field",
                    )
                    .with_help(help),
                );
                continue;
            };
            if let Some(&first) = set.get(&field) {
                ok = false;
                self.error(
                    Diagnostic::error(
                        Code::TestDuplicateValue,
                        format!("test `{}` sets field `{}` twice", t.name.text, e.field.text),
                        e.field.span,
                        "set again here",
                    )
                    .with_label(first, "first set here")
                    .with_help("keep one value per field; field names compare without case, spaces or punctuation"),
                );
                continue;
            }
            set.insert(field, e.field.span);
            out.push(TestValue {
                field,
                text: e.value.text.clone(),
                span: e.value.span,
            });
        }
        ok.then_some(out)
    }

    /// The model a test runs: the one it names, or the file's only model.
    fn test_model(&mut self, t: &ast::Test) -> Option<ModelId> {
        if let Some(name) = &t.model {
            return self.model_ref(name);
        }
        if self.program.models.len() == 1 {
            return Some(ModelId(0));
        }
        let raw: Vec<&str> = self
            .program
            .models
            .iter()
            .map(|m| self.program.name(m.name))
            .collect();
        let names: Vec<String> = raw.iter().map(|n| format!("`{n}`")).collect();
        let (message, help) = if names.is_empty() {
            (
                format!(
                    "test `{}` has no model to run: the file declares none",
                    t.name.text
                ),
                "declare a model with `model NAME { ... }`".to_string(),
            )
        } else {
            (
                format!("test `{}` does not say which model to run", t.name.text),
                format!(
                    "name the model after `expect`, e.g. `expect {} stage ...`; the models are {}",
                    crate::fmt::quote(raw[0]),
                    names.join(", ")
                ),
            )
        };
        self.error(
            Diagnostic::error(Code::TestModel, message, t.expect_span, "which model?")
                .with_help(help),
        );
        None
    }

    fn test_stage(&mut self, model: ModelId, name: &ast::Name) -> Option<StageId> {
        let m = &self.program.models[model.index()];
        if let Some(id) = m.stage_named(&self.program, &name.text) {
            return Some(id);
        }
        let model_name = self.program.name(m.name).to_string();
        let names: Vec<String> = m
            .stages
            .iter()
            .map(|s| self.program.name(s.name).to_string())
            .collect();
        let help = suggest::did_you_mean(&name.text, names.iter().map(String::as_str))
            .unwrap_or_else(|| {
                format!(
                    "the stages of `{model_name}` are {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        self.error(
            Diagnostic::error(
                Code::UnknownStage,
                format!("unknown stage `{}` in model `{model_name}`", name.text),
                name.span,
                "no stage of the model has this name",
            )
            .with_help(help),
        );
        None
    }
}
