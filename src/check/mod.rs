//! `revc lint`: static analysis of a validated program. One file per lint (its `//!` text is the
//! lint's documentation, shown by `revc lint --explain` and gathered in docs/lints.md); an exact
//! analysis core ([`domain`], [`region`], [`flow`]) that proves each finding or stays silent.

pub mod config;
pub mod domain;
pub mod eval;
pub mod flow;
pub mod region;

mod contradiction;
mod dead_end;
mod detour_in_phase;
mod gap;
mod is_zero;
mod mixed_value_list;
mod multiple_approved_models;
mod overlapping_transitions;
mod repeated_value;
mod self_transition;
mod sla_without_exit;
mod tautology;
mod unreachable_rule;
mod unreachable_stage;
mod unused_field;
mod unused_smart_list;
mod unused_suppression;

pub use config::Config;

use crate::diag::{Code, Diagnostic, Severity};
use crate::ir::{FieldId, Program, Type, field_key};
use crate::syntax::ast;

/// What every lint reads: the program, its source, its syntax tree and the block analysis.
pub struct Ctx<'a> {
    /// The validated program.
    pub program: &'a Program,
    /// Its source text.
    pub src: &'a str,
    /// The syntax tree, for spans the IR does not keep (single values, phase members).
    pub ast: ast::File,
    /// The first-match blocks, analyzed.
    pub blocks: Vec<flow::Block>,
    /// Per smart list: the leads it matches (`None` past the analysis cap).
    pub lists: Vec<Option<region::Region>>,
}

impl<'a> Ctx<'a> {
    /// Parses the source again for its tree and runs the block analysis.
    pub fn new(program: &'a Program, src: &'a str) -> Self {
        let (ast, _) = crate::syntax::parse(src);
        region::reset_budget();
        let mut an = region::Analyzer::new(program);
        let blocks = flow::analyze(program, &mut an);
        let lists = program
            .smart_lists
            .iter()
            .map(|l| an.region(l.cond))
            .collect();
        Ctx {
            program,
            src,
            ast,
            blocks,
            lists,
        }
    }

    /// The name of a stage of a model.
    pub fn stage_name(&self, model: crate::ir::ModelId, stage: crate::ir::StageId) -> &str {
        let m = &self.program.models[model.index()];
        self.program.name(m.stage(stage).name)
    }

    /// Every filter of the syntax tree with the field it reads (and that field's type).
    pub fn filters(&self) -> Vec<(&ast::Filter, FieldId, Type)> {
        let mut conds: Vec<&ast::Cond> = Vec::new();
        for item in &self.ast.items {
            match item {
                ast::Item::SmartList(l) => conds.extend(l.filters.iter().map(|f| &f.cond)),
                ast::Item::Model(m) => {
                    for mi in &m.items {
                        match mi {
                            ast::ModelItem::Transition(t) => conds.extend(t.when.iter()),
                            ast::ModelItem::Rules(b) => {
                                conds.extend(b.rules.iter().filter_map(|r| match r {
                                    ast::Rule::If { cond, .. } => Some(cond),
                                    ast::Rule::Default { .. } => None,
                                }))
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        // Looked up once per filter, so by key rather than by a scan of every field.
        let by_key: std::collections::HashMap<&str, usize> = self
            .program
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.key.as_str(), i))
            .rev()
            .collect();
        let mut out = Vec::new();
        while let Some(c) = conds.pop() {
            match c {
                ast::Cond::Or(parts, _) | ast::Cond::And(parts, _) => conds.extend(parts.iter()),
                ast::Cond::Not(inner, _) => conds.push(inner),
                ast::Cond::InList { .. } => {}
                ast::Cond::Filter(f) => {
                    let key = field_key(&f.field.text);
                    if let Some(&i) = by_key.get(key.as_str()) {
                        out.push((f, FieldId(i as u32), self.program.fields[i].ty));
                    }
                }
            }
        }
        out.sort_by_key(|(f, _, _)| f.span.start);
        out
    }
}

/// One lint: its code, its kebab-case name, its default severity, its documentation and its run.
pub struct Lint {
    /// Stable code.
    pub code: Code,
    /// Short name, as in docs/lints.md.
    pub name: &'static str,
    /// Severity unless `revc.toml` says otherwise.
    pub severity: Severity,
    /// The lint file's source; its `//!` lines are the documentation.
    source: &'static str,
    /// Adds the lint's findings (severity is set by the driver).
    run: fn(&Ctx, &mut Vec<Diagnostic>),
}

impl Lint {
    /// The documentation: the `//!` lines of the lint's file, without the markers.
    pub fn doc(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines().take_while(|l| l.starts_with("//!")) {
            let text = line.trim_start_matches("//!");
            out.push_str(text.strip_prefix(' ').unwrap_or(text));
            out.push('\n');
        }
        out
    }

    /// What `revc lint --explain CODE` prints.
    pub fn explain(&self) -> String {
        format!(
            "{} ({}): {}\nDefault severity: {}\n\n{}",
            self.code.as_str(),
            self.name,
            self.code.summary(),
            severity_word(self.severity),
            self.doc()
        )
    }
}

macro_rules! lint {
    ($module:ident, $code:ident, $severity:ident) => {
        Lint {
            code: Code::$code,
            name: stringify!($module),
            severity: Severity::$severity,
            source: include_str!(concat!(stringify!($module), ".rs")),
            run: $module::run,
        }
    };
}

/// Every lint, in code order.
pub static LINTS: &[Lint] = &[
    lint!(unreachable_rule, UnreachableRule, Warning),
    lint!(contradiction, Contradiction, Error),
    lint!(tautology, Tautology, Warning),
    lint!(gap, Gap, Warning),
    lint!(unreachable_stage, UnreachableStage, Warning),
    lint!(dead_end, DeadEnd, Warning),
    lint!(sla_without_exit, SlaWithoutExit, Warning),
    lint!(self_transition, SelfTransition, Warning),
    lint!(detour_in_phase, DetourInPhase, Warning),
    lint!(overlapping_transitions, OverlappingTransitions, Warning),
    lint!(unused_smart_list, UnusedSmartList, Warning),
    lint!(unused_field, UnusedField, Warning),
    lint!(repeated_value, RepeatedValue, Warning),
    lint!(is_zero, IsZero, Info),
    lint!(mixed_value_list, MixedValueList, Warning),
    lint!(multiple_approved_models, MultipleApprovedModels, Warning),
    lint!(unused_suppression, UnusedSuppression, Warning),
];

/// The lint with this code (`REV201`, any case).
pub fn lint_by_code(code: &str) -> Option<&'static Lint> {
    LINTS
        .iter()
        .find(|l| l.code.as_str().eq_ignore_ascii_case(code.trim()))
}

/// The word for a severity, as in `revc.toml`.
pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Runs every selected lint on a program that passed `check`, applies inline suppressions, and
/// returns the findings sorted by position.
pub fn lint(program: &Program, src: &str, config: &Config) -> Vec<Diagnostic> {
    let cx = Ctx::new(program, src);
    let mut out = Vec::new();
    for l in LINTS {
        let Some(severity) = config.severity(l) else {
            continue;
        };
        let mut found = Vec::new();
        (l.run)(&cx, &mut found);
        for mut d in found {
            d.code = l.code;
            d.severity = severity;
            d.primary.span = trim(src, d.primary.span);
            for label in &mut d.secondary {
                label.span = trim(src, label.span);
            }
            out.push(d);
        }
    }
    unused_suppression::apply(src, &mut out, config);
    crate::diag::sort(&mut out);
    out
}

/// A span without the whitespace after it: the IR's spans of lines (transitions) run up to the
/// next token, and a label should underline only the written text.
fn trim(src: &str, span: crate::span::Span) -> crate::span::Span {
    let text = span.text(src);
    crate::span::Span::new(
        span.start as usize,
        span.start as usize + text.trim_end().len(),
    )
}

/// docs/lints.md, generated from the lints' documentation (a test keeps the file in step).
pub fn lints_markdown() -> String {
    let mut out = String::from(
        "# Lints\n\n<!-- Generated from the `//!` docs of src/check/*.rs by \
         `UPDATE_LINT_DOCS=1 cargo test --test lint_docs`; do not edit by hand. -->\n\n\
         `revc lint FILE...` runs `check`, then these lints. Configure them in `revc.toml` \
         (`[lint] select`, `ignore`, `[lint.severity]`), suppress one finding with \
         `# revc: ignore[REV201]` on its line or the line above, and read one with \
         `revc lint --explain REV201`.\n\n| code | name | default | summary |\n|---|---|---|---|\n",
    );
    for l in LINTS {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            l.code.as_str(),
            l.code.as_str().to_lowercase(),
            l.name,
            severity_word(l.severity),
            l.code.summary()
        ));
    }
    for l in LINTS {
        out.push_str(&format!(
            "\n<a id=\"{}\"></a>\n\n## {} `{}`\n\nDefault severity: {}. {}.\n\n",
            l.code.as_str().to_lowercase(),
            l.code.as_str(),
            l.name,
            severity_word(l.severity),
            capitalize(l.code.summary())
        ));
        for line in l.doc().lines() {
            // The lint docs use `##` sections; under a lint's own `##` heading they are `###`.
            if line.starts_with("## ") {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
