//! The plan: the IR compiled for one model and one run, then bound to an input's columns.
//!
//! Everything that does not depend on the lead happens here, once: text constants are already
//! folded by lowering and become sets or substring finders; relative dates become fixed day
//! ranges from as-of; `is 0` and `before` learn whether they match empty.

use crate::ir::{
    self, Cond, CondId, DateTest, DateVal, FieldId, ModelId, NumTest, Program, StageId, StageKind,
    Status, Test, TextOp, Type, date,
};
use memchr::memmem::Finder;
use std::collections::HashSet;

/// What to run and how.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// The model whose stages leads get.
    pub model: ModelId,
    /// A campaign (index into `Program::campaigns`) to run instead of the assignment rules.
    pub campaign: Option<usize>,
    /// The as-of day that relative dates are measured from.
    pub as_of: i32,
    /// The rules file's name as given, for `FILE:LINE` in the output.
    pub file_name: String,
}

/// Why a plan cannot be made or bound.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// A field the rules read has no column. Lists the closest columns.
    MissingColumn {
        /// The field as written in the rules.
        field: String,
        /// Closest column names, best first.
        closest: Vec<String>,
    },
    /// A field folds like two or more columns.
    AmbiguousColumn {
        /// The field.
        field: String,
        /// The columns it could mean.
        columns: Vec<String>,
    },
    /// A column named on the command line is not in the input.
    UnknownColumn {
        /// Which option named it.
        option: &'static str,
        /// The name given.
        name: String,
        /// Closest column names.
        closest: Vec<String>,
    },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::MissingColumn { field, closest } => {
                write!(
                    f,
                    "error[REV301]: field `{field}` has no column in the input"
                )?;
                if closest.is_empty() {
                    write!(
                        f,
                        "\n  help: add a column named `{field}`, or change the rules"
                    )
                } else {
                    write!(f, "\n  help: the closest columns are {}", list(closest))
                }
            }
            PlanError::AmbiguousColumn { field, columns } => write!(
                f,
                "error[REV302]: field `{field}` matches more than one column: {}\n  help: column names are compared ignoring case, spaces and punctuation; rename one of the columns",
                list(columns)
            ),
            PlanError::UnknownColumn {
                option,
                name,
                closest,
            } => {
                write!(
                    f,
                    "error[REV303]: {option} `{name}` is not a column of the input"
                )?;
                if !closest.is_empty() {
                    write!(f, "\n  help: did you mean {}?", list(closest))?;
                }
                Ok(())
            }
        }
    }
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A field the rules read, bound to a column.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The IR field.
    pub field: FieldId,
    /// Its name as written.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// The input column, once bound.
    pub column: usize,
}

/// A number, date or boolean slot, compactly: what loading a lead needs of it.
#[derive(Clone, Copy, Debug)]
pub struct TypedSlot {
    /// Index into [`Plan::slots`].
    pub slot: u32,
    /// The input column.
    pub column: u32,
    /// Number, date or boolean.
    pub ty: Type,
}

/// Puts first, in each `and` and `or`, the children that test a number, date or boolean: values
/// decoded when the lead is loaded, so such a test is a comparison, where a text test finds and
/// trims its cell and a smart list is a whole condition. A costly child is then reached only
/// when the cheap ones leave the answer open. The order of children never changes an answer:
/// no test has an effect beyond caching what it decoded.
fn cheap_first(nodes: &mut [Node], slots: &[Slot]) {
    let cheap: Vec<bool> = nodes
        .iter()
        .map(|n| matches!(n, Node::Filter { slot, .. } if slots[*slot as usize].ty != Type::Text))
        .collect();
    for n in nodes.iter_mut() {
        if let Node::And(all) | Node::Or(all) = n {
            all.sort_by_key(|&c| !cheap[c as usize]);
        }
    }
}

/// A compiled condition node; indices are the IR's `CondId`s.
#[derive(Debug)]
pub enum Node {
    /// All children, those that test a number, date or boolean first (see `cheap_first`).
    And(Box<[u32]>),
    /// Any child, ordered as for [`Node::And`].
    Or(Box<[u32]>),
    /// Negation.
    Not(u32),
    /// A smart list (its index).
    List(u32),
    /// A test on one slot; `neg` negates the result, empty included.
    Filter {
        /// Which slot.
        slot: u32,
        /// Negate.
        neg: bool,
        /// The positive test.
        test: NodeTest,
    },
    /// Not reachable from this run's rules; never evaluated.
    Unused,
}

/// A compiled positive test.
#[derive(Debug)]
pub enum NodeTest {
    /// The value is empty (or did not parse).
    Empty,
    /// Folded text equals one of these.
    TextIs(TextSet),
    /// Folded text contains one of these.
    TextContains(Vec<Finder<'static>>),
    /// Folded text starts with one of these.
    TextStarts(Box<[Box<str>]>),
    /// Folded text ends with one of these.
    TextEnds(Box<[Box<str>]>),
    /// A number test, and whether it matches empty (`is 0`).
    Num(NumTest, bool),
    /// A date range; bounds are (value, inclusive); `empty` says whether empty matches.
    DateRange {
        /// Lower bound.
        lo: Option<(DateVal, bool)>,
        /// Upper bound.
        hi: Option<(DateVal, bool)>,
        /// Whether an empty value matches (`before`, `on or before`).
        empty: bool,
    },
    /// Same day (or instant) as one of these.
    DateIs(Box<[DateVal]>),
    /// `is true` / `is false`.
    Bool(bool),
}

/// A set of folded texts: a short list is scanned, a long one hashed.
#[derive(Debug)]
pub enum TextSet {
    /// Few values.
    Few(Box<[Box<str>]>),
    /// Many values.
    Many(HashSet<Box<str>>),
}

impl TextSet {
    fn new(values: &[String]) -> Self {
        if values.len() <= 8 {
            TextSet::Few(values.iter().map(|v| v.as_str().into()).collect())
        } else {
            TextSet::Many(values.iter().map(|v| v.as_str().into()).collect())
        }
    }

    /// Whether `s` (folded) is in the set.
    #[inline]
    pub fn contains(&self, s: &str) -> bool {
        match self {
            TextSet::Few(v) => v.iter().any(|x| &**x == s),
            TextSet::Many(h) => h.contains(s),
        }
    }
}

/// A stage as the engine sees it.
#[derive(Clone, Debug)]
pub struct StagePlan {
    /// The name as declared.
    pub name: String,
    /// Gates hold no lead.
    pub gate: bool,
    /// Off the success path.
    pub detour: bool,
}

/// Where a choice is, for the output's `rule` column and the hit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    /// Assignment rule `i`.
    Rule(u32),
    /// The default.
    Default,
    /// Transition `i` of the model.
    Transition(u32),
    /// The campaign.
    Campaign,
}

/// A transition as the engine follows it.
#[derive(Clone, Debug)]
pub struct Step {
    /// The condition; `None` for `otherwise`.
    pub when: Option<u32>,
    /// Target stage.
    pub to: StageId,
    /// Which transition.
    pub index: u32,
}

/// The model's choices, compiled.
#[derive(Clone, Debug)]
pub struct ModelPlan {
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: Status,
    /// Its stages, in declaration order.
    pub stages: Vec<StagePlan>,
    /// Assignment rules: condition node and stage.
    pub rules: Vec<(u32, StageId)>,
    /// The default stage.
    pub default: Option<StageId>,
    /// Transitions out of each stage, in file order; for gates `otherwise` comes last.
    pub out_of: Vec<Vec<Step>>,
    /// 1-based line of each assignment rule.
    pub rule_lines: Vec<u32>,
    /// 1-based line of each transition.
    pub transition_lines: Vec<u32>,
    /// Line of the default.
    pub default_line: Option<u32>,
}

/// The campaign being run.
#[derive(Clone, Debug)]
pub struct CampaignPlan {
    /// Its name.
    pub name: String,
    /// Its smart list's node.
    pub list: u32,
    /// The stage it moves leads to.
    pub stage: StageId,
    /// Its line.
    pub line: u32,
}

/// The compiled plan of one run.
#[derive(Debug)]
pub struct Plan {
    /// Fields the run reads.
    pub slots: Vec<Slot>,
    /// The slots that are not text, with their columns, as [`Plan::bind`] left them: loading a
    /// lead walks these alone.
    pub typed: Vec<TypedSlot>,
    /// Condition nodes (index = IR `CondId`).
    pub nodes: Vec<Node>,
    /// Smart list index to its node.
    pub lists: Vec<u32>,
    /// The model.
    pub model: ModelPlan,
    /// The campaign, when one is run.
    pub campaign: Option<CampaignPlan>,
    /// The as-of day.
    pub as_of: i32,
    /// The rules file's name.
    pub file_name: String,
}

impl Plan {
    /// Compiles the program for one model (and maybe one campaign).
    pub fn compile(program: &Program, opts: &PlanOptions) -> Plan {
        let model = &program.models[opts.model.index()];
        let campaign = opts.campaign.map(|i| &program.campaigns[i]);
        // Roots: what this run can evaluate.
        let mut roots: Vec<CondId> = Vec::new();
        match campaign {
            Some(c) => {
                roots.push(program.smart_lists[c.list.index()].cond);
                // A campaign that moves leads onto a gate routes them on by the gate's
                // transitions, through every gate that follows.
                let mut gates = vec![c.stage];
                let mut seen = vec![false; model.stages.len()];
                while let Some(g) = gates.pop() {
                    if model.stage(g).kind != StageKind::Gate
                        || std::mem::replace(&mut seen[g.index()], true)
                    {
                        continue;
                    }
                    for t in model.transitions.iter().filter(|t| t.from == g) {
                        roots.extend(t.when);
                        gates.push(t.to);
                    }
                }
            }
            None => {
                roots.extend(model.rules.iter().map(|r| r.cond));
                roots.extend(model.transitions.iter().filter_map(|t| t.when));
            }
        }
        let reachable = program.reachable(&roots);
        let mut slots: Vec<Slot> = Vec::new();
        let mut slot_of: Vec<Option<u32>> = vec![None; program.fields.len()];
        let mut nodes = Vec::with_capacity(program.conds.len());
        for (i, node) in program.conds.iter().enumerate() {
            if !reachable[i] {
                nodes.push(Node::Unused);
                continue;
            }
            nodes.push(match &node.kind {
                Cond::And(c) => Node::And(c.iter().map(|x| x.0).collect()),
                Cond::Or(c) => Node::Or(c.iter().map(|x| x.0).collect()),
                Cond::Not(c) => Node::Not(c.0),
                Cond::InList(l) => Node::List(l.0),
                Cond::Filter(f) => {
                    let slot = *slot_of[f.field.index()].get_or_insert_with(|| {
                        let field = &program.fields[f.field.index()];
                        slots.push(Slot {
                            field: f.field,
                            name: program.name(field.name).to_string(),
                            ty: field.ty,
                            column: usize::MAX,
                        });
                        slots.len() as u32 - 1
                    });
                    Node::Filter {
                        slot,
                        neg: f.negated,
                        test: compile_test(&f.test, opts.as_of),
                    }
                }
            });
        }
        cheap_first(&mut nodes, &slots);
        let stages: Vec<StagePlan> = model
            .stages
            .iter()
            .map(|s| StagePlan {
                name: program.name(s.name).to_string(),
                gate: s.kind == StageKind::Gate,
                detour: s.detour,
            })
            .collect();
        let mut out_of: Vec<Vec<Step>> = vec![Vec::new(); stages.len()];
        for (i, t) in model.transitions.iter().enumerate() {
            out_of[t.from.index()].push(Step {
                when: t.when.map(|c| c.0),
                to: t.to,
                index: i as u32,
            });
        }
        for (s, steps) in out_of.iter_mut().enumerate() {
            if stages[s].gate {
                // A gate tries its conditions first; `otherwise` is its way out when none hold.
                steps.sort_by_key(|st| st.when.is_none());
            }
        }
        Plan {
            slots,
            typed: Vec::new(),
            nodes,
            lists: program.smart_lists.iter().map(|l| l.cond.0).collect(),
            model: ModelPlan {
                name: program.name(model.name).to_string(),
                status: model.status,
                stages,
                rules: model.rules.iter().map(|r| (r.cond.0, r.stage)).collect(),
                default: model.default.as_ref().map(|d| d.stage),
                out_of,
                rule_lines: model.rules.iter().map(|r| r.line).collect(),
                transition_lines: model.transitions.iter().map(|t| t.line).collect(),
                default_line: model.default.as_ref().map(|d| d.line),
            },
            campaign: campaign.map(|c| CampaignPlan {
                name: program.name(c.name).to_string(),
                list: program.smart_lists[c.list.index()].cond.0,
                stage: c.stage,
                line: c.line,
            }),
            as_of: opts.as_of,
            file_name: opts.file_name.clone(),
        }
    }

    /// Where a choice is written: `FILE:LINE`, or `default`.
    pub fn location(&self, via: Via) -> String {
        let line = match via {
            Via::Rule(i) => self.model.rule_lines[i as usize],
            Via::Transition(i) => self.model.transition_lines[i as usize],
            Via::Default => return "default".to_string(),
            Via::Campaign => self.campaign.as_ref().map_or(0, |c| c.line),
        };
        format!("{}:{line}", self.file_name)
    }

    /// Binds the fields to the input's columns by folded name; once per input.
    pub fn bind(&mut self, header: &[String]) -> Result<(), PlanError> {
        let keys: Vec<String> = header.iter().map(|h| ir::field_key(h)).collect();
        for slot in &mut self.slots {
            let key = ir::field_key(&slot.name);
            let matches: Vec<usize> = (0..keys.len()).filter(|&i| keys[i] == key).collect();
            match matches.as_slice() {
                [one] => slot.column = *one,
                [] => {
                    return Err(PlanError::MissingColumn {
                        field: slot.name.clone(),
                        closest: closest_columns(&slot.name, header),
                    });
                }
                many => {
                    return Err(PlanError::AmbiguousColumn {
                        field: slot.name.clone(),
                        columns: many.iter().map(|&i| header[i].clone()).collect(),
                    });
                }
            }
        }
        self.typed = (self.slots.iter().enumerate())
            .filter(|(_, slot)| slot.ty != Type::Text)
            .map(|(i, slot)| TypedSlot {
                slot: i as u32,
                column: slot.column as u32,
                ty: slot.ty,
            })
            .collect();
        Ok(())
    }
}

/// The closest column names to a field, for the error that says it has no column.
pub fn closest_columns(name: &str, header: &[String]) -> Vec<String> {
    let key = ir::field_key(name);
    let mut scored: Vec<(usize, &String)> = header
        .iter()
        .filter(|h| !h.trim().is_empty())
        .map(|h| (crate::diag::suggest::distance(&key, &ir::field_key(h)), h))
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    scored.into_iter().take(3).map(|(_, h)| h.clone()).collect()
}

fn compile_test(test: &Test, as_of: i32) -> NodeTest {
    match test {
        Test::Empty => NodeTest::Empty,
        Test::Text { op, values } => match op {
            TextOp::Is => NodeTest::TextIs(TextSet::new(values)),
            TextOp::Contains => NodeTest::TextContains(
                values
                    .iter()
                    .map(|v| Finder::new(v.as_bytes()).into_owned())
                    .collect(),
            ),
            TextOp::StartsWith => {
                NodeTest::TextStarts(values.iter().map(|v| v.as_str().into()).collect())
            }
            TextOp::EndsWith => {
                NodeTest::TextEnds(values.iter().map(|v| v.as_str().into()).collect())
            }
        },
        Test::Number(n) => {
            let zero = matches!(n, NumTest::Is(v) if v.contains(&0.0));
            NodeTest::Num(n.clone(), zero)
        }
        Test::Date(d) => {
            let day = |x: i32| DateVal::day(x);
            match d {
                DateTest::Is(v) => NodeTest::DateIs(v.clone().into_boxed_slice()),
                DateTest::Before(v) => NodeTest::DateRange {
                    lo: None,
                    hi: Some((*v, false)),
                    empty: true,
                },
                DateTest::OnOrBefore(v) => NodeTest::DateRange {
                    lo: None,
                    hi: Some((*v, true)),
                    empty: true,
                },
                DateTest::After(v) => NodeTest::DateRange {
                    lo: Some((*v, false)),
                    hi: None,
                    empty: false,
                },
                DateTest::OnOrAfter(v) => NodeTest::DateRange {
                    lo: Some((*v, true)),
                    hi: None,
                    empty: false,
                },
                DateTest::Between(a, b) => NodeTest::DateRange {
                    lo: Some((*a, true)),
                    hi: Some((*b, true)),
                    empty: false,
                },
                DateTest::InPast(n, unit) => NodeTest::DateRange {
                    lo: Some((day(date::shift(as_of, -(*n as i64), *unit)), true)),
                    hi: Some((day(as_of), true)),
                    empty: false,
                },
                DateTest::InFuture(n, unit) => NodeTest::DateRange {
                    lo: Some((day(as_of), true)),
                    hi: Some((day(date::shift(as_of, *n as i64, *unit)), true)),
                    empty: false,
                },
            }
        }
        Test::Bool(b) => NodeTest::Bool(*b),
    }
}
