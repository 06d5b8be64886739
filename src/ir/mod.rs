//! The validated IR: plain data (serde), typed ids into vectors, names interned, every filter typed
//! with its values already parsed. Built by [`lower`] from the syntax tree.

pub mod date;
mod intern;
mod lower;

pub use date::{DateVal, TimeUnit};
pub use intern::{Interner, Sym};
pub use lower::lower;

use crate::span::Span;
use serde::{Deserialize, Serialize};

/// Deepest a condition may nest once the smart lists it includes are counted in: each `and`,
/// `or`, `not` and `in smart list` is a level. The linter and the engine walk conditions
/// recursively through smart lists, so this bound keeps them within any thread's stack.
pub const MAX_COND_DEPTH: usize = 500;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into its vector.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A field: index into [`Program::fields`].
    FieldId
);
id!(
    /// A smart list: index into [`Program::smart_lists`].
    SmartListId
);
id!(
    /// A model: index into [`Program::models`].
    ModelId
);
id!(
    /// A stage: index into its model's [`Model::stages`].
    StageId
);
id!(
    /// A condition node: index into [`Program::conds`].
    CondId
);

/// A whole validated file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Program {
    /// Every name of the file, interned once.
    pub names: Interner,
    /// Fields, declared or inferred, in order of first mention.
    pub fields: Vec<Field>,
    /// Smart lists in source order.
    pub smart_lists: Vec<SmartList>,
    /// Models in source order.
    pub models: Vec<Model>,
    /// Campaigns in source order.
    pub campaigns: Vec<Campaign>,
    /// The arena of condition nodes that the rules point into.
    pub conds: Vec<CondNode>,
    /// Tests in source order (left out of the JSON when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestCase>,
}

impl Program {
    /// The text of an interned name.
    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym)
    }

    /// A condition node.
    pub fn cond(&self, id: CondId) -> &CondNode {
        &self.conds[id.index()]
    }

    /// The model with this name (compared as names are: case and spacing ignored).
    pub fn model_named(&self, name: &str) -> Option<ModelId> {
        let key = name_key(name);
        self.models
            .iter()
            .position(|m| name_key(self.name(m.name)) == key)
            .map(|i| ModelId(i as u32))
    }

    /// Which condition nodes the roots reach, smart lists followed (indexed by `CondId`).
    pub fn reachable(&self, roots: &[CondId]) -> Vec<bool> {
        let mut seen = vec![false; self.conds.len()];
        let mut stack: Vec<CondId> = roots.to_vec();
        while let Some(c) = stack.pop() {
            if std::mem::replace(&mut seen[c.index()], true) {
                continue;
            }
            match &self.cond(c).kind {
                Cond::And(p) | Cond::Or(p) => stack.extend(p.iter().copied()),
                Cond::Not(x) => stack.push(*x),
                Cond::InList(l) => stack.push(self.smart_lists[l.index()].cond),
                Cond::Filter(_) => {}
            }
        }
        seen
    }

    /// The campaign with this name.
    pub fn campaign_named(&self, name: &str) -> Option<usize> {
        let key = name_key(name);
        self.campaigns
            .iter()
            .position(|c| name_key(self.name(c.name)) == key)
    }
}

/// How stage, list, model and campaign names compare: without case, runs of spaces as one.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// How field names bind to columns: lower case, letters and digits only, so `Lead Score`,
/// `lead_score` and `leadScore` are one field.
pub fn field_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The type of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    /// Compared without case after trimming.
    Text,
    /// A 64-bit float.
    Number,
    /// A calendar day, or an instant when both sides have a time.
    Date,
    /// true/false, yes/no, 1/0.
    Boolean,
}

impl Type {
    /// The type's keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Type::Text => "text",
            Type::Number => "number",
            Type::Date => "date",
            Type::Boolean => "boolean",
        }
    }
}

/// A field that rules read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The name as first written.
    pub name: Sym,
    /// The folded key that binds it to a column.
    pub key: String,
    /// Its type.
    pub ty: Type,
    /// Whether the type comes from the `fields` block (else it is inferred from use).
    pub declared: bool,
    /// The declaration, or the first use.
    pub span: Span,
}

/// A smart list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SmartList {
    /// Its name.
    pub name: Sym,
    /// Numbered filters in order.
    pub filters: Vec<ListFilter>,
    /// How the filters combine, as written.
    pub matcher: MatchKind,
    /// The compiled match expression over the filters' conditions.
    pub cond: CondId,
    /// The whole block.
    pub span: Span,
}

/// A numbered filter of a smart list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListFilter {
    /// Its number.
    pub number: u32,
    /// Its condition.
    pub cond: CondId,
    /// The whole line.
    pub span: Span,
}

/// How a smart list's filters combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// Every filter.
    All,
    /// At least one filter.
    Any,
    /// An expression over the numbers.
    Expr,
}

/// A model's approval status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Stages can change; assigning is refused.
    Draft,
    /// Leads can be assigned; no activity is recorded.
    StagesApproved,
    /// Every real change records an activity.
    Approved,
}

impl Status {
    /// The status as written in a file.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::StagesApproved => "stages approved",
            Status::Approved => "approved",
        }
    }
}

/// A revenue model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Its name.
    pub name: Sym,
    /// Its status (draft when no `status` line).
    pub status: Status,
    /// The `status` line, if any.
    pub status_span: Option<Span>,
    /// Stages and detours in declaration order.
    pub stages: Vec<Stage>,
    /// Phases in order.
    pub phases: Vec<Phase>,
    /// Transitions in file order.
    pub transitions: Vec<Transition>,
    /// Assignment rules in order (first match wins).
    pub rules: Vec<AssignRule>,
    /// The `default` of the assignment rules.
    pub default: Option<DefaultRule>,
    /// The whole block.
    pub span: Span,
}

impl Model {
    /// The stage with this name.
    pub fn stage_named(&self, program: &Program, name: &str) -> Option<StageId> {
        let key = name_key(name);
        self.stages
            .iter()
            .position(|s| name_key(program.name(s.name)) == key)
            .map(|i| StageId(i as u32))
    }

    /// A stage by id.
    pub fn stage(&self, id: StageId) -> &Stage {
        &self.stages[id.index()]
    }
}

/// A stage of a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// Its name.
    pub name: Sym,
    /// Inventory, gate or SLA.
    pub kind: StageKind,
    /// Declared with `detour`: off the success path.
    pub detour: bool,
    /// The declaration.
    pub span: Span,
}

/// What kind of stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum StageKind {
    /// Holds leads (the default).
    Inventory,
    /// Holds no lead: routes it on at once.
    Gate,
    /// Leads must leave within the duration.
    Sla {
        /// The duration in hours.
        hours: u32,
    },
}

/// A phase: a named group of stages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// Its name.
    pub name: Sym,
    /// Its stages.
    pub stages: Vec<StageId>,
    /// The line.
    pub span: Span,
}

/// `transition A -> B when C` (or `otherwise` when `when` is `None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    /// From.
    pub from: StageId,
    /// To.
    pub to: StageId,
    /// The condition; `None` for `otherwise`.
    pub when: Option<CondId>,
    /// The line.
    pub span: Span,
    /// 1-based line number.
    pub line: u32,
}

/// `if C then S`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssignRule {
    /// The condition.
    pub cond: CondId,
    /// The stage it gives.
    pub stage: StageId,
    /// The line.
    pub span: Span,
    /// 1-based line number.
    pub line: u32,
}

/// `default S`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DefaultRule {
    /// The stage.
    pub stage: StageId,
    /// The line.
    pub span: Span,
    /// 1-based line number.
    pub line: u32,
}

/// A campaign: its smart list's leads move to a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// Its name.
    pub name: Sym,
    /// The smart list that selects leads.
    pub list: SmartListId,
    /// The model.
    pub model: ModelId,
    /// The stage leads move to.
    pub stage: StageId,
    /// The whole block.
    pub span: Span,
    /// 1-based line of the block.
    pub line: u32,
}

/// A condition node with its span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CondNode {
    /// What it tests.
    pub kind: Cond,
    /// Where it is written.
    pub span: Span,
}

/// A condition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cond {
    /// All of them.
    And(Vec<CondId>),
    /// Any of them.
    Or(Vec<CondId>),
    /// The negation.
    Not(CondId),
    /// Membership in a smart list.
    InList(SmartListId),
    /// A typed filter on one field.
    Filter(Filter),
}

/// `FIELD OPERATOR VALUES`, typed. A negative operator (`is not`, `not contains`, ...) is its
/// positive with `negated` set: exactly the negation, so it is true on empty values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    /// The field it reads.
    pub field: FieldId,
    /// Whether the result of `test` is negated.
    pub negated: bool,
    /// The positive test.
    pub test: Test,
}

/// A positive test on one value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// `is empty`: the value is missing, blank, or does not parse as the field's type.
    Empty,
    /// A text test; values trimmed and lower-cased.
    Text {
        /// Which comparison.
        op: TextOp,
        /// Any of these (folded).
        values: Vec<String>,
    },
    /// A number test.
    Number(NumTest),
    /// A date test.
    Date(DateTest),
    /// `is true` / `is false`.
    Bool(bool),
}

/// Text comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextOp {
    /// Equal.
    Is,
    /// Holds as a substring.
    Contains,
    /// Starts with.
    StartsWith,
    /// Ends with.
    EndsWith,
}

/// Number tests. Empty is false for all, except that `is` with 0 among its values matches empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumTest {
    /// Equal to any.
    Is(Vec<f64>),
    /// `>=`
    AtLeast(f64),
    /// `<=`
    AtMost(f64),
    /// `>`
    GreaterThan(f64),
    /// `<`
    LessThan(f64),
    /// `low <= x <= high`
    Between(f64, f64),
}

/// Date tests. Empty is false for all, except `before` and `on or before`, which match it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateTest {
    /// Same calendar day as any (or same instant when both have a time).
    Is(Vec<DateVal>),
    /// Strictly before.
    Before(DateVal),
    /// Strictly after.
    After(DateVal),
    /// Before or the same.
    OnOrBefore(DateVal),
    /// After or the same.
    OnOrAfter(DateVal),
    /// Within both, inclusive.
    Between(DateVal, DateVal),
    /// From as-of minus N units to as-of, both days included.
    InPast(u32, TimeUnit),
    /// From as-of to as-of plus N units, both days included.
    InFuture(u32, TimeUnit),
}

/// `test NAME { lead { ... } [in stage S]  expect [MODEL] stage S [by HOW] }`, resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    /// Its name.
    pub name: String,
    /// The model the lead runs through.
    pub model: ModelId,
    /// The lead's values: the field and its text, as a cell of an export would hold it.
    pub values: Vec<TestValue>,
    /// The lead's current stage (`in stage S`); none for a new lead.
    pub current: Option<StageId>,
    /// The stage the lead is expected in.
    pub expect: StageId,
    /// The kind of choice expected to place it, when the test says.
    pub by: Option<ExpectVia>,
    /// The whole block.
    pub span: Span,
    /// 1-based line of the block.
    pub line: u32,
}

/// One value of a test's lead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestValue {
    /// The field.
    pub field: FieldId,
    /// The text as written (unfolded: it stands for a cell of the input).
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

/// The kind of choice a test expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectVia {
    /// An assignment rule (`if ... then`).
    Rule,
    /// The assignment rules' `default`.
    Default,
    /// A transition (gates followed).
    Transition,
}
