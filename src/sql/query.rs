//! The shape of the query: a chain of CTEs that decode each lead's values once, compute the
//! shared smart lists once, then decide every lead with one `CASE` that yields an outcome number;
//! the final `SELECT` maps that number to the stage and the rule.
//!
//! ```text
//! lead_text    id, current stage, trimmed text of each field      (one scan of the table)
//! lead_fold_N  text lower-cased (and the stage cell's spaces evened) a few calls at a time
//! lead_parts   date fields: year, month, ... as integers          (only with date fields)
//! lead_days    date fields: calendar check and day number         (only with date fields)
//! lead_values  each field typed: folded text, number, 1/0, day and instant
//! lead_lists_N shared smart lists, one CTE per level of nesting
//! decided      the outcome number of each lead
//! SELECT       id, stage, rule
//! ```

use super::SqlOptions;
use super::dialect::Dialect;
use super::expr::{self, Conds, FieldCols};
use crate::ir::{
    Cond, CondId, FieldId, Model, Program, SmartListId, StageId, StageKind, Type, name_key,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// How many folding templates one CTE applies to a column: SQLite's parser stack holds about
/// 30 nested calls, and the rest of an expression needs some of it.
const FOLD_STEPS: usize = 8;

/// Where a lead's outcome comes from, as the engine's `Via`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Via {
    Rule(usize),
    Default,
    Transition(usize),
    Campaign,
}

/// One outcome a lead can get: a stage (none: unassigned) and the choice that placed it (none:
/// nothing moved it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Outcome {
    Placed(Option<StageId>, Option<Via>),
    /// The stage column names no stage of the model: the engine rejects the row.
    UnknownStage,
}

/// Everything one query is built from.
pub struct Query<'a> {
    pub(super) program: &'a Program,
    pub(super) model: &'a Model,
    pub(super) opts: &'a SqlOptions,
    /// The input column of each field the run reads.
    pub(super) columns: &'a BTreeMap<FieldId, String>,
    /// The id column.
    pub(super) id_column: &'a str,
    /// The stage column, when leads have one.
    pub(super) stage_column: Option<&'a str>,
    /// Outcome numbers, handed out as outcomes are met.
    outcomes: Vec<Outcome>,
}

impl<'a> Query<'a> {
    /// A query over these bindings.
    pub(super) fn new(
        program: &'a Program,
        opts: &'a SqlOptions,
        columns: &'a BTreeMap<FieldId, String>,
        id_column: &'a str,
        stage_column: Option<&'a str>,
    ) -> Self {
        Query {
            program,
            model: &program.models[opts.model.index()],
            opts,
            columns,
            id_column,
            stage_column,
            outcomes: Vec::new(),
        }
    }

    fn d(&self) -> Dialect {
        self.opts.dialect
    }

    fn code(&mut self, o: Outcome) -> String {
        let i = match self.outcomes.iter().position(|x| *x == o) {
            Some(i) => i,
            None => {
                self.outcomes.push(o);
                self.outcomes.len() - 1
            }
        };
        i.to_string()
    }

    /// Writes the whole query.
    pub(super) fn write(mut self, roots: &[CondId]) -> String {
        let d = self.d();
        let p = self.program;
        // Fields: a short unique name each, for generated column names.
        let mut used = HashSet::new();
        let fields: HashMap<FieldId, FieldCols> = self
            .columns
            .iter()
            .map(|(&f, col)| {
                let field = &p.fields[f.index()];
                let mut slug: String = field.key.chars().take(40).collect();
                if !used.insert(slug.clone()) {
                    slug = format!("{slug}_{}", f.index());
                    used.insert(slug.clone());
                }
                (
                    f,
                    FieldCols {
                        ty: field.ty,
                        column: col.clone(),
                        slug,
                    },
                )
            })
            .collect();
        let mut order: Vec<FieldId> = fields.keys().copied().collect();
        order.sort();
        let id = |s: &str| d.ident(s);
        let mut ctes: Vec<(String, String)> = Vec::new();

        // lead_text: the only step that reads the table.
        let mut cols = vec![format!("{} AS {}", id(self.id_column), id("_id"))];
        // Folding chains: templates applied to a column, a few per step so that no expression
        // nests deeper than SQLite's parser takes.
        let mut chains: Vec<(String, Vec<String>)> = Vec::new();
        if let Some(sc) = self.stage_column {
            let raw = d.as_text(&id(sc));
            cols.push(format!("{raw} AS {}", id("_stage_raw")));
            cols.push(format!("{} AS {}", d.trim(&raw), id("_stage_t")));
            let stage_keys: Vec<String> = self
                .model
                .stages
                .iter()
                .map(|s| name_key(p.name(s.name)))
                .collect();
            let keys: Vec<&str> = stage_keys.iter().map(String::as_str).collect();
            let mut steps = d.space_steps();
            steps.extend(expr::lower_steps(d, &keys));
            chains.push(("_stage_t".into(), steps));
        }
        for f in &order {
            let fc = &fields[f];
            if fc.ty == Type::Text {
                let constants = expr::text_constants(p, *f);
                chains.push((fc.trimmed(), expr::lower_steps(d, &constants)));
            }
        }
        for f in &order {
            let fc = &fields[f];
            cols.push(format!(
                "{} AS {}",
                d.trim(&d.as_text(&id(&fc.column))),
                id(&fc.trimmed())
            ));
        }
        ctes.push((
            "lead_text".into(),
            format!(
                "SELECT\n    {}\n  FROM {}",
                cols.join(",\n    "),
                table(d, &self.opts.table)
            ),
        ));

        let mut prev = "lead_text".to_string();
        let mut folded: HashMap<String, String> = HashMap::new();
        let rounds = chains
            .iter()
            .map(|(_, st)| st.len().div_ceil(FOLD_STEPS))
            .max()
            .unwrap_or(0);
        for r in 0..rounds {
            let mut cols = Vec::new();
            for (base, steps) in &chains {
                let Some(chunk) = steps.chunks(FOLD_STEPS).nth(r) else {
                    continue;
                };
                let from = folded.get(base).cloned().unwrap_or_else(|| base.clone());
                let to = format!("{base}_{}", r + 1);
                cols.push(format!("{} AS {}", expr::apply(chunk, &id(&from)), id(&to)));
                folded.insert(base.clone(), to);
            }
            let name = format!("lead_fold_{}", r + 1);
            ctes.push((name.clone(), select_star(&prev, &cols)));
            prev = name;
        }

        // Dates are decoded in two steps so that no part is written twice.
        let dates: Vec<&FieldCols> = order
            .iter()
            .map(|f| &fields[f])
            .filter(|fc| fc.ty == Type::Date)
            .collect();
        if !dates.is_empty() {
            let mut parts = Vec::new();
            let mut days = Vec::new();
            for fc in &dates {
                let t = id(&fc.trimmed());
                for (suffix, e) in expr::date_parts(d, &t) {
                    parts.push(format!("{e} AS {}", id(&format!("{}_{suffix}", fc.slug))));
                }
                let col = |s: &str| id(&format!("{}_{s}", fc.slug));
                let (valid, day) = expr::date_checks(d, &col);
                days.push(format!(
                    "CASE WHEN {valid} THEN 1 ELSE 0 END AS {}",
                    id(&format!("{}_ok", fc.slug))
                ));
                days.push(format!(
                    "CASE WHEN {valid} THEN {day} END AS {}",
                    id(&format!("{}_day", fc.slug))
                ));
            }
            ctes.push(("lead_parts".into(), select_star(&prev, &parts)));
            prev = "lead_days".into();
            ctes.push(("lead_days".into(), select_star("lead_parts", &days)));
        }

        // lead_values: every field as the tests read it.
        let mut values = Vec::new();
        if self.stage_column.is_some() {
            values.push(format!(
                "CASE WHEN {} = '' THEN NULL ELSE {} END AS {}",
                id("_stage_t"),
                id(&folded["_stage_t"]),
                id("_stage_key")
            ));
        }
        for f in &order {
            let fc = &fields[f];
            let t = id(&fc.trimmed());
            match fc.ty {
                Type::Date => {
                    let c = |s: &str| id(&format!("{}_{s}", fc.slug));
                    let secs = format!(
                        "{} * 86400 + {} * 3600 + {} * 60 + {} - {} * ({} * 3600 + {} * 60)",
                        c("day"),
                        c("hh"),
                        c("mi"),
                        c("ss"),
                        c("osign"),
                        c("oh"),
                        c("om")
                    );
                    // The UTC day of an instant: floor division, kept non-negative by an offset
                    // of 800,000 days (before year 0).
                    let utc_day = format!(
                        "{} - 800000",
                        d.idiv(&format!("{secs} + 69120000000"), "86400")
                    );
                    values.push(format!(
                        "CASE WHEN {ok} = 1 THEN CASE WHEN {timed} = 1 THEN {utc_day} ELSE {day} END END AS {}",
                        id(&fc.value()),
                        ok = c("ok"),
                        timed = c("timed"),
                        day = c("day"),
                    ));
                    values.push(format!(
                        "CASE WHEN {} = 1 AND {} = 1 THEN {secs} END AS {}",
                        c("ok"),
                        c("timed"),
                        id(&fc.secs())
                    ));
                }
                Type::Text => values.push(format!(
                    "CASE WHEN {t} = '' THEN NULL ELSE {} END AS {}",
                    id(&folded[&fc.trimmed()]),
                    id(&fc.value())
                )),
                ty => values.push(format!(
                    "{} AS {}",
                    expr::typed_value(d, ty, &t),
                    id(&fc.value())
                )),
            }
        }
        ctes.push(("lead_values".into(), select_star(&prev, &values)));

        // Shared smart lists: computed once each, in order of nesting.
        let reach = p.reachable(roots);
        let mut refs: HashMap<SmartListId, usize> = HashMap::new();
        for (i, c) in p.conds.iter().enumerate() {
            if let (true, Cond::InList(l)) = (reach[i], &c.kind) {
                *refs.entry(*l).or_default() += 1;
            }
        }
        if let Some(c) = self.opts.campaign {
            *refs.entry(p.campaigns[c].list).or_default() += 1;
        }
        let mut shared: Vec<SmartListId> = refs
            .iter()
            .filter(|(_, n)| **n >= 2)
            .map(|(l, _)| *l)
            .collect();
        shared.sort();
        let mut list_cols: HashMap<SmartListId, String> = HashMap::new();
        let mut level: HashMap<SmartListId, usize> = HashMap::new();
        for &l in &shared {
            list_level(p, l, &shared, &mut level);
        }
        prev = "lead_values".to_string();
        let max_level = level.values().copied().max().unwrap_or(0);
        for lv in 1..=max_level {
            let mut cols = Vec::new();
            let mut here: Vec<SmartListId> =
                shared.iter().copied().filter(|l| level[l] == lv).collect();
            here.sort();
            let mut named = Vec::new();
            for l in here {
                let name = format!(
                    "list_{}_{}",
                    l.index(),
                    slug(p.name(p.smart_lists[l.index()].name))
                );
                let conds = Conds {
                    program: p,
                    dialect: d,
                    as_of: self.opts.as_of,
                    fields: &fields,
                    list_cols: &list_cols,
                };
                cols.push(format!(
                    "{} AS {}",
                    conds.cond(p.smart_lists[l.index()].cond),
                    id(&name)
                ));
                named.push((l, name));
            }
            list_cols.extend(named);
            let cte = format!("lead_lists_{lv}");
            ctes.push((cte.clone(), select_star(&prev, &cols)));
            prev = cte;
        }

        // decided: the outcome number of each lead.
        let conds = Conds {
            program: p,
            dialect: d,
            as_of: self.opts.as_of,
            fields: &fields,
            list_cols: &list_cols,
        };
        let decision = self.decision(&conds);
        ctes.push((
            "decided".into(),
            select_star(&prev, &[format!("{decision} AS {}", id("_outcome"))]),
        ));

        // The final SELECT maps outcome numbers to a stage and a rule.
        let mut stage_case = String::new();
        let mut rule_case = String::new();
        for (i, o) in self.outcomes.iter().enumerate() {
            let (stage, rule) = match *o {
                Outcome::Placed(s, v) => (
                    s.map(|s| d.string(p.name(self.model.stage(s).name))),
                    v.map(|v| d.string(&self.location(v))),
                ),
                Outcome::UnknownStage => (
                    Some(id("_stage_raw")),
                    Some(d.string("rejected: unknown stage")),
                ),
            };
            if let Some(s) = stage {
                let _ = write!(stage_case, " WHEN {i} THEN {s}");
            }
            if let Some(r) = rule {
                let _ = write!(rule_case, " WHEN {i} THEN {r}");
            }
        }
        let case = |body: &str| {
            if body.is_empty() {
                // No outcome places a lead: a NULL of the text type.
                format!("CAST(NULL AS {})", d.text_type())
            } else {
                format!("CASE {}{body} END", id("_outcome"))
            }
        };
        let mut sql = String::from("WITH\n");
        let n = ctes.len();
        for (i, (name, body)) in ctes.into_iter().enumerate() {
            let _ = write!(
                sql,
                "{name} {} (\n  {body}\n){}\n",
                d.cte_as(),
                if i + 1 < n { "," } else { "" }
            );
        }
        let _ = write!(
            sql,
            "SELECT\n  {} AS {},\n  {} AS {},\n  {} AS {}\nFROM decided",
            id("_id"),
            id(self.id_column),
            case(&stage_case),
            id("stage"),
            case(&rule_case),
            id("rule"),
        );
        sql
    }

    /// Where a choice is written, as `revc assign` writes it.
    fn location(&self, v: Via) -> String {
        let line = match v {
            Via::Rule(i) => self.model.rules[i].line,
            Via::Transition(i) => self.model.transitions[i].line,
            Via::Default => return "default".into(),
            Via::Campaign => self
                .opts
                .campaign
                .map_or(0, |c| self.program.campaigns[c].line),
        };
        format!("{}:{line}", self.opts.file_name)
    }

    /// The decision for one lead, as an outcome number.
    fn decision(&mut self, conds: &Conds) -> String {
        let d = self.d();
        let key = d.ident("_stage_key");
        let stages = self.model.stages.len();
        // Leads whose stage cell names a stage, by that stage.
        let stage_arms = |q: &mut Self, f: &mut dyn FnMut(&mut Self, StageId) -> String| {
            let mut arms = String::new();
            for s in 0..stages {
                let sid = StageId(s as u32);
                let k = name_key(q.program.name(q.model.stage(sid).name));
                let _ = write!(
                    arms,
                    "\n    WHEN {key} = {} THEN {}",
                    d.string(&k),
                    f(q, sid)
                );
            }
            arms
        };
        if let Some(c) = self.opts.campaign {
            let camp = &self.program.campaigns[c];
            let selected = conds.cond(self.program.smart_lists[camp.list.index()].cond);
            let to = self.route(conds, camp.stage, Via::Campaign, 0);
            let new_lead = format!("CASE WHEN {selected} THEN {to} END");
            return match self.stage_column {
                None => new_lead,
                Some(_) => {
                    let arms = stage_arms(self, &mut |q, s| {
                        let stay = q.code(Outcome::Placed(Some(s), None));
                        format!("CASE WHEN {selected} THEN {to} ELSE {stay} END")
                    });
                    let unknown = self.code(Outcome::UnknownStage);
                    format!("CASE WHEN {key} IS NULL THEN {new_lead}{arms}\n    ELSE {unknown} END")
                }
            };
        }
        let new_lead = self.assignment(conds);
        match self.stage_column {
            None => new_lead,
            Some(_) => {
                let arms = stage_arms(self, &mut |q, s| q.first_step(conds, s));
                let unknown = self.code(Outcome::UnknownStage);
                format!("CASE WHEN {key} IS NULL THEN {new_lead}{arms}\n    ELSE {unknown} END")
            }
        }
    }

    /// Assignment rules: first match, else the default, else unassigned.
    fn assignment(&mut self, conds: &Conds) -> String {
        let mut s = String::from("CASE");
        for i in 0..self.model.rules.len() {
            let r = &self.model.rules[i];
            let (cond, stage) = (r.cond, r.stage);
            let to = self.route(conds, stage, Via::Rule(i), 0);
            let _ = write!(s, "\n      WHEN {} THEN {to}", conds.cond(cond));
        }
        let otherwise = match &self.model.default {
            Some(dr) => {
                let stage = dr.stage;
                self.route(conds, stage, Via::Default, 0)
            }
            None => self.code(Outcome::Placed(None, None)),
        };
        if s == "CASE" {
            return otherwise;
        }
        let _ = write!(s, "\n      ELSE {otherwise} END");
        s
    }

    /// A lead in stage `from` (not routed yet): the first transition out of it that holds, in
    /// file order, else it stays.
    fn first_step(&mut self, conds: &Conds, from: StageId) -> String {
        let stay = self.code(Outcome::Placed(Some(from), None));
        let steps = self.steps_out_of(from);
        self.steps_case(conds, &steps, stay, 0)
    }

    /// Transitions out of a stage in the order the engine tries them: file order, and for a
    /// gate its `otherwise` last.
    fn steps_out_of(&self, from: StageId) -> Vec<usize> {
        let mut steps: Vec<usize> = (0..self.model.transitions.len())
            .filter(|&i| self.model.transitions[i].from == from)
            .collect();
        if self.model.stage(from).kind == StageKind::Gate {
            steps.sort_by_key(|&i| self.model.transitions[i].when.is_none());
        }
        steps
    }

    /// `CASE WHEN step THEN (routed target) ... ELSE none END`; an `otherwise` ends the search.
    fn steps_case(&mut self, conds: &Conds, steps: &[usize], none: String, hops: usize) -> String {
        let mut s = String::from("CASE");
        for &i in steps {
            let t = &self.model.transitions[i];
            let (to, when) = (t.to, t.when);
            let target = self.route(conds, to, Via::Transition(i), hops);
            match when {
                Some(c) => {
                    let _ = write!(s, " WHEN {} THEN {target}", conds.cond(c));
                }
                None => {
                    if s == "CASE" {
                        return target;
                    }
                    let _ = write!(s, " ELSE {target} END");
                    return s;
                }
            }
        }
        if s == "CASE" {
            return none;
        }
        let _ = write!(s, " ELSE {none} END");
        s
    }

    /// A lead landing on `stage` by `via`: a gate routes it on at once, through as many gates
    /// as follow; a cycle of gates stops after visiting every stage once, as in the engine.
    fn route(&mut self, conds: &Conds, stage: StageId, via: Via, hops: usize) -> String {
        let here = self.code(Outcome::Placed(Some(stage), Some(via)));
        if self.model.stage(stage).kind != StageKind::Gate || hops >= self.model.stages.len() {
            return here;
        }
        let steps = self.steps_out_of(stage);
        self.steps_case(conds, &steps, here, hops + 1)
    }
}

/// `SELECT *, more FROM prev`.
fn select_star(prev: &str, more: &[String]) -> String {
    // CTE names are revc's own lower-case words, valid bare in every dialect.
    format!(
        "SELECT\n    *,\n    {}\n  FROM {prev}",
        more.join(",\n    ")
    )
}

/// A table name: each dot-separated part quoted, so `schema.leads` works and nothing else can
/// be smuggled in.
fn table(d: Dialect, name: &str) -> String {
    name.split('.')
        .map(|p| d.ident(p))
        .collect::<Vec<_>>()
        .join(".")
}

/// A smart list's name as a column-name fragment.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    s.trim_matches('_').to_string()
}

/// The CTE level of a shared list: one more than the deepest shared list it reads.
fn list_level(
    p: &Program,
    l: SmartListId,
    shared: &[SmartListId],
    level: &mut HashMap<SmartListId, usize>,
) -> usize {
    if let Some(&lv) = level.get(&l) {
        return lv;
    }
    let mut deepest = 0;
    let mut stack = vec![p.smart_lists[l.index()].cond];
    while let Some(c) = stack.pop() {
        match &p.cond(c).kind {
            Cond::And(x) | Cond::Or(x) => stack.extend(x.iter().copied()),
            Cond::Not(x) => stack.push(*x),
            Cond::InList(m) if shared.contains(m) => {
                deepest = deepest.max(list_level(p, *m, shared, level));
            }
            Cond::InList(m) => stack.push(p.smart_lists[m.index()].cond),
            Cond::Filter(_) => {}
        }
    }
    level.insert(l, deepest + 1);
    deepest + 1
}
