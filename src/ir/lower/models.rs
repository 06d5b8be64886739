//! Models (stages, status, phases, transitions, assignment rules) and campaigns.

use super::Lowerer;
use crate::diag::{Code, Diagnostic, suggest};
use crate::ir::{
    AssignRule, Campaign, DefaultRule, Model, ModelId, Phase, Stage, StageId, StageKind, Status,
    Transition, name_key,
};
use crate::span::Span;
use crate::syntax::ast::{self, Item, ModelItem};
use std::collections::HashMap;

/// Stage name key to stage, the span of its name, and the name as declared.
type StageTable = HashMap<String, (StageId, Span, String)>;

impl Lowerer {
    /// Lowers every model; a model whose name repeats is reported and skipped.
    pub(super) fn lower_models(&mut self, file: &ast::File) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in &file.items {
            let Item::Model(m) = item else { continue };
            let key = name_key(&m.name.text);
            if let Some(&first) = seen.get(&key) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateModel,
                        format!("model `{}` is declared twice", m.name.text),
                        m.name.span,
                        "declared again here",
                    )
                    .with_label(first, "first declared here")
                    .with_help("a file may hold several models, each with its own name"),
                );
                continue;
            }
            seen.insert(key, m.name.span);
            let model = self.lower_model(m);
            self.program.models.push(model);
        }
    }

    fn lower_model(&mut self, m: &ast::Model) -> Model {
        let name = self.intern(&m.name.text);
        let mut model = Model {
            name,
            status: Status::Draft,
            status_span: None,
            stages: Vec::new(),
            phases: Vec::new(),
            transitions: Vec::new(),
            rules: Vec::new(),
            default: None,
            span: m.span,
        };
        let stages = self.lower_stages(m, &mut model);
        let mut rules_block: Option<Span> = None;
        let mut phase_names: HashMap<String, Span> = HashMap::new();
        let mut phase_of: HashMap<StageId, Span> = HashMap::new();
        for item in &m.items {
            match item {
                ModelItem::Status(w) => self.status(w, &mut model),
                ModelItem::Stage(_) => {}
                ModelItem::Phase(p) => {
                    let key = name_key(&p.name.text);
                    if let Some(&first) = phase_names.get(&key) {
                        self.error(
                            Diagnostic::error(
                                Code::DuplicatePhase,
                                format!("phase `{}` is declared twice", p.name.text),
                                p.name.span,
                                "declared again here",
                            )
                            .with_label(first, "first declared here")
                            .with_help("list all of the phase's stages on one `phase` line"),
                        );
                        continue;
                    }
                    phase_names.insert(key, p.name.span);
                    let mut members = Vec::new();
                    for s in &p.stages {
                        let Some(id) = self.stage_ref(&stages, s, &m.name.text) else {
                            continue;
                        };
                        if let Some(&first) = phase_of.get(&id) {
                            self.error(
                                Diagnostic::error(
                                    Code::DuplicatePhaseMember,
                                    format!("stage `{}` is in more than one phase", s.text),
                                    s.span,
                                    "listed again here",
                                )
                                .with_label(first, "first listed here")
                                .with_help(
                                    "a stage belongs to at most one phase; remove one of the two",
                                ),
                            );
                            continue;
                        }
                        phase_of.insert(id, s.span);
                        members.push(id);
                    }
                    let name = self.intern(&p.name.text);
                    model.phases.push(Phase {
                        name,
                        stages: members,
                        span: p.span,
                    });
                }
                ModelItem::Transition(t) => {
                    let from = self.stage_ref(&stages, &t.from, &m.name.text);
                    let to = self.stage_ref(&stages, &t.to, &m.name.text);
                    let when = t.when.as_ref().map(|c| self.lower_cond(c));
                    if let (Some(from), Some(to)) = (from, to) {
                        let when = match when {
                            Some(None) => continue,
                            Some(Some(c)) => Some(c),
                            None => None,
                        };
                        let line = self.line(t.span);
                        model.transitions.push(Transition {
                            from,
                            to,
                            when,
                            span: t.span,
                            line,
                        });
                    }
                }
                ModelItem::Rules(rb) => {
                    if let Some(first) = rules_block {
                        self.error(
                            Diagnostic::error(
                                Code::DuplicateSection,
                                format!(
                                    "model `{}` has more than one `assignment rules` block",
                                    m.name.text
                                ),
                                keyword_span(rb.span, "assignment rules"),
                                "second block here",
                            )
                            .with_label(keyword_span(first, "assignment rules"), "first block here")
                            .with_help(
                                "put all assignment rules in one block; the first match wins",
                            ),
                        );
                    }
                    rules_block.get_or_insert(rb.span);
                    self.lower_rules(rb, &stages, &mut model, &m.name.text);
                }
            }
        }
        self.check_transitions(&model, &stages);
        model
    }

    fn lower_stages(&mut self, m: &ast::Model, model: &mut Model) -> StageTable {
        let mut table = StageTable::new();
        for item in &m.items {
            let ModelItem::Stage(s) = item else { continue };
            let key = name_key(&s.name.text);
            if let Some(&(_, first, _)) = table.get(&key) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateStage,
                        format!(
                            "stage `{}` is declared twice in model `{}`",
                            s.name.text, m.name.text
                        ),
                        s.name.span,
                        "declared again here",
                    )
                    .with_label(first, "first declared here")
                    .with_help("each stage of a model needs its own name"),
                );
                continue;
            }
            let kind = match &s.kind {
                None | Some(ast::StageKind::Inventory(_)) => StageKind::Inventory,
                Some(ast::StageKind::Gate(_)) => StageKind::Gate,
                Some(ast::StageKind::Sla { duration, span }) => {
                    match duration {
                        Some((n, unit)) => {
                            let per = match unit.text.to_ascii_lowercase().trim_end_matches('s') {
                                "hour" => 1u64,
                                "day" => 24,
                                _ => 24 * 7,
                            };
                            match n.text.parse::<u64>().ok().map(|n| n * per) {
                                Some(h) if h > 0 && h <= u32::MAX as u64 => {
                                    StageKind::Sla { hours: h as u32 }
                                }
                                _ => {
                                    self.error(
                                    Diagnostic::error(
                                        Code::SlaWithoutDuration,
                                        format!("SLA of stage `{}` must be a positive duration", s.name.text),
                                        n.span,
                                        "not a usable duration",
                                    )
                                    .with_help("write e.g. `sla 3 days`, `sla 48 hours` or `sla 2 weeks`"),
                                );
                                    StageKind::Sla { hours: 0 }
                                }
                            }
                        }
                        None => {
                            self.error(
                            Diagnostic::error(
                                Code::SlaWithoutDuration,
                                format!("SLA stage `{}` has no duration", s.name.text),
                                *span,
                                "how long may a lead stay?",
                            )
                            .with_help("write the duration after `sla`, e.g. `sla 3 days`, `sla 48 hours`"),
                        );
                            StageKind::Sla { hours: 0 }
                        }
                    }
                }
            };
            let name = self.intern(&s.name.text);
            model.stages.push(Stage {
                name,
                kind,
                detour: s.detour,
                span: s.span,
            });
            table.insert(
                key,
                (
                    StageId(model.stages.len() as u32 - 1),
                    s.name.span,
                    s.name.text.clone(),
                ),
            );
        }
        table
    }

    fn status(&mut self, w: &ast::Word, model: &mut Model) {
        if let Some(first) = model.status_span {
            self.error(
                Diagnostic::error(
                    Code::DuplicateSection,
                    "a model has one `status` line".to_string(),
                    w.span,
                    "second status here",
                )
                .with_label(first, "first status here")
                .with_help("keep the status that is true and remove the other"),
            );
            return;
        }
        let norm = name_key(&w.text);
        let status = match norm.as_str() {
            "draft" => Status::Draft,
            "stages approved" => Status::StagesApproved,
            "approved" => Status::Approved,
            _ => {
                let help = suggest::did_you_mean(&norm, ["draft", "stages approved", "approved"])
                    .unwrap_or_else(|| {
                        "the statuses are `draft`, `stages approved` and `approved`".into()
                    });
                self.error(
                    Diagnostic::error(
                        Code::UnknownStatus,
                        format!("unknown status `{}`", w.text),
                        w.span,
                        "not a model status",
                    )
                    .with_help(help),
                );
                return;
            }
        };
        model.status = status;
        model.status_span = Some(w.span);
    }

    fn stage_ref(&mut self, stages: &StageTable, name: &ast::Name, model: &str) -> Option<StageId> {
        if let Some(&(id, _, _)) = stages.get(&name_key(&name.text)) {
            return Some(id);
        }
        // Sorting every stage costs as much as the search, so only while the budget lasts.
        let mut known: Vec<&(StageId, Span, String)> = match self.suggest_budget.0 {
            0 => Vec::new(),
            _ => stages.values().collect(),
        };
        known.sort_by_key(|(id, _, _)| *id);
        let known = known.iter().map(|(_, _, n)| n.as_str());
        let help = suggest::did_you_mean_within(&name.text, known, &mut self.suggest_budget)
            .unwrap_or_else(|| format!("declare it in model `{model}` with `stage {}`", name.text));
        self.error(
            Diagnostic::error(
                Code::UnknownStage,
                format!("unknown stage `{}` in model `{model}`", name.text),
                name.span,
                "no stage of the model has this name",
            )
            .with_help(help),
        );
        None
    }

    fn lower_rules(
        &mut self,
        rb: &ast::RulesBlock,
        stages: &StageTable,
        model: &mut Model,
        name: &str,
    ) {
        for rule in &rb.rules {
            match rule {
                ast::Rule::If { cond, stage, span } => {
                    let c = self.lower_cond(cond);
                    let s = self.stage_ref(stages, stage, name);
                    if let (Some(cond), Some(stage)) = (c, s) {
                        let line = self.line(*span);
                        model.rules.push(AssignRule {
                            cond,
                            stage,
                            span: *span,
                            line,
                        });
                    }
                }
                ast::Rule::Default { stage, span } => {
                    if let Some(first) = &model.default {
                        let first = first.span;
                        self.error(
                            Diagnostic::error(
                                Code::DuplicateDefault,
                                "assignment rules have more than one `default`".to_string(),
                                *span,
                                "second default here",
                            )
                            .with_label(first, "first default here")
                            .with_help(
                                "a lead that no rule takes goes to one default; remove the other",
                            ),
                        );
                        continue;
                    }
                    if let Some(stage) = self.stage_ref(stages, stage, name) {
                        let line = self.line(*span);
                        model.default = Some(DefaultRule {
                            stage,
                            span: *span,
                            line,
                        });
                    }
                }
            }
        }
    }

    /// Gates need an `otherwise`; no stage has two.
    fn check_transitions(&mut self, model: &Model, stages: &StageTable) {
        let mut otherwise: HashMap<StageId, Span> = HashMap::new();
        for t in &model.transitions {
            if t.when.is_some() {
                continue;
            }
            if let Some(&first) = otherwise.get(&t.from) {
                let stage = self.program.name(model.stage(t.from).name).to_string();
                self.error(
                    Diagnostic::error(
                        Code::DuplicateOtherwise,
                        format!("stage `{stage}` has more than one `otherwise` transition"),
                        t.span,
                        "this one can never be taken",
                    )
                    .with_label(first, "this one is taken first")
                    .with_help("keep one `otherwise`; give the other a `when` condition"),
                );
            } else {
                otherwise.insert(t.from, t.span);
            }
        }
        for (i, stage) in model.stages.iter().enumerate() {
            if stage.kind != StageKind::Gate || otherwise.contains_key(&StageId(i as u32)) {
                continue;
            }
            let name = self.program.name(stage.name).to_string();
            let span = stages
                .get(&name_key(&name))
                .map_or(stage.span, |(_, s, _)| *s);
            self.error(
                Diagnostic::error(
                    Code::GateWithoutOtherwise,
                    format!("gate `{name}` has no `otherwise` transition"),
                    span,
                    "a lead that matches no transition would be stuck in this gate",
                )
                .with_help(format!(
                    "a gate holds no lead; add `transition {} -> STAGE otherwise`",
                    quote_if_needed(&name)
                )),
            );
        }
    }

    /// Lowers campaigns against the lowered models and lists.
    pub(super) fn lower_campaigns(&mut self, file: &ast::File) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for item in &file.items {
            let Item::Campaign(c) = item else { continue };
            let key = name_key(&c.name.text);
            if let Some(&first) = seen.get(&key) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateCampaign,
                        format!("campaign `{}` is declared twice", c.name.text),
                        c.name.span,
                        "declared again here",
                    )
                    .with_label(first, "first declared here")
                    .with_help("give each campaign its own name"),
                );
                continue;
            }
            seen.insert(key, c.name.span);
            let list = self.list_ref_for_campaign(&c.list);
            let model = self.model_ref(&c.model);
            let (Some(list), Some(model)) = (list, model) else {
                continue;
            };
            let m = &self.program.models[model.index()];
            let Some(stage) = m.stage_named(&self.program, &c.stage.text) else {
                let names: Vec<String> = m
                    .stages
                    .iter()
                    .map(|s| self.program.name(s.name).to_string())
                    .collect();
                let model_name = c.model.text.clone();
                let stages = names.iter().map(String::as_str);
                let help =
                    suggest::did_you_mean_within(&c.stage.text, stages, &mut self.suggest_budget)
                        .unwrap_or_else(|| {
                            format!("the stages of `{model_name}` are {}", backticked(&names))
                        });
                self.error(
                    Diagnostic::error(
                        Code::CampaignStage,
                        format!("stage `{}` is not in model `{model_name}`", c.stage.text),
                        c.stage.span,
                        "not a stage of this model",
                    )
                    .with_label(c.model.span, "the campaign changes stages in this model")
                    .with_help(help),
                );
                continue;
            };
            let name = self.intern(&c.name.text);
            let line = self.line(c.span);
            self.program.campaigns.push(Campaign {
                name,
                list,
                model,
                stage,
                span: c.span,
                line,
            });
        }
    }

    fn list_ref_for_campaign(&mut self, name: &ast::Name) -> Option<crate::ir::SmartListId> {
        let cond = ast::Cond::InList {
            negated: false,
            list: name.clone(),
            span: name.span,
        };
        let id = self.lower_cond(&cond)?;
        match self.program.cond(id).kind {
            crate::ir::Cond::InList(l) => Some(l),
            _ => None,
        }
    }

    pub(super) fn model_ref(&mut self, name: &ast::Name) -> Option<ModelId> {
        if let Some(id) = self.program.model_named(&name.text) {
            return Some(id);
        }
        let names = self
            .program
            .models
            .iter()
            .map(|m| self.program.name(m.name));
        let help = suggest::did_you_mean_within(&name.text, names, &mut self.suggest_budget)
            .unwrap_or_else(|| "declare the model with `model NAME { ... }`".into());
        self.error(
            Diagnostic::error(
                Code::UnknownModel,
                format!("unknown model `{}`", name.text),
                name.span,
                "no model has this name",
            )
            .with_help(help),
        );
        None
    }
}

/// The span of a block's leading keyword phrase.
fn keyword_span(block: Span, keyword: &str) -> Span {
    Span::new(block.start as usize, block.start as usize + keyword.len())
}

fn backticked(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name as it must be written in a rule: quoted when it is not a plain run of words.
pub fn quote_if_needed(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .split(' ')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_alphanumeric() || c == '_'))
        && name.split(' ').count() == 1;
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
