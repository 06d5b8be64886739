//! The syntax tree: what the file says, with a span on every part, before any name is resolved.

use crate::span::Span;

/// A name as written: bare words or a quoted string (with escapes already undone).
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    /// The name's text.
    pub text: String,
    /// Where it is written (quotes included).
    pub span: Span,
    /// Whether it was quoted.
    pub quoted: bool,
}

/// A word of the source whose meaning is checked later (a type, a status, a filter number).
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    /// The text as written.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// A whole `.rev` file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// Top-level blocks in source order.
    pub items: Vec<Item>,
}

/// A top-level block.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `fields { ... }`
    Fields(FieldsBlock),
    /// `smart list NAME { ... }`
    SmartList(SmartList),
    /// `model NAME { ... }`
    Model(Model),
    /// `campaign NAME { ... }`
    Campaign(Campaign),
    /// `test NAME { lead { ... } expect ... }`
    Test(Test),
}

/// `test NAME { lead { FIELD: VALUE, ... } [in stage S]  expect [MODEL] stage S [by HOW] }`
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// The test's name.
    pub name: Name,
    /// The lead's values in order.
    pub lead: Vec<LeadEntry>,
    /// The `lead { ... }` part, up to its closing brace.
    pub lead_span: Span,
    /// `in stage S`: the lead's current stage, when it has one.
    pub current: Option<Name>,
    /// The model named by `expect`, when one is.
    pub model: Option<Name>,
    /// The stage the lead is expected in.
    pub stage: Name,
    /// `by rule|transition|default`, when written.
    pub by: Option<Word>,
    /// The `expect` line.
    pub expect_span: Span,
    /// The whole block.
    pub span: Span,
}

/// `FIELD: VALUE` in a test's lead.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadEntry {
    /// The field.
    pub field: Name,
    /// Its value, as a cell of an export would hold it.
    pub value: Value,
    /// The whole entry.
    pub span: Span,
}

/// `fields { NAME TYPE ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct FieldsBlock {
    /// The declarations in order.
    pub fields: Vec<FieldDecl>,
    /// The whole block.
    pub span: Span,
}

/// One `NAME TYPE` line.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// The field.
    pub name: Name,
    /// The type word, when one could be told apart from the name.
    pub ty: Option<Word>,
    /// The whole line.
    pub span: Span,
}

/// `smart list NAME { N: CONDITION ... match ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct SmartList {
    /// The list's name.
    pub name: Name,
    /// Numbered filters in order.
    pub filters: Vec<ListFilter>,
    /// The `match` line, if any (default: all).
    pub matcher: Option<Match>,
    /// The whole block.
    pub span: Span,
}

/// `N: CONDITION`
#[derive(Clone, Debug, PartialEq)]
pub struct ListFilter {
    /// The number as written.
    pub number: Word,
    /// The filter.
    pub cond: Cond,
    /// The whole line.
    pub span: Span,
}

/// How a smart list combines its filters.
#[derive(Clone, Debug, PartialEq)]
pub enum Match {
    /// `match all`
    All(Span),
    /// `match any`
    Any(Span),
    /// `match 1 and (2 or 3)`
    Expr(MatchExpr),
}

/// An expression over filter numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum MatchExpr {
    /// A filter number.
    Ref(Word),
    /// `not E`
    Not(Box<MatchExpr>, Span),
    /// `E and E ...`
    And(Vec<MatchExpr>, Span),
    /// `E or E ...`
    Or(Vec<MatchExpr>, Span),
}

/// `model NAME { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The model's name.
    pub name: Name,
    /// Its lines in source order.
    pub items: Vec<ModelItem>,
    /// The whole block.
    pub span: Span,
}

/// One line or block inside a model.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelItem {
    /// `status WORDS`
    Status(Word),
    /// `stage NAME [KIND]` or `detour NAME [KIND]`
    Stage(StageDecl),
    /// `phase NAME: STAGE, ...`
    Phase(Phase),
    /// `transition A -> B when C` / `otherwise`
    Transition(Transition),
    /// `assignment rules { ... }`
    Rules(RulesBlock),
}

/// A stage or detour declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct StageDecl {
    /// Declared with `detour` (off the success path).
    pub detour: bool,
    /// The stage's name.
    pub name: Name,
    /// The kind, when written.
    pub kind: Option<StageKind>,
    /// The whole line.
    pub span: Span,
}

/// A stage kind as written.
#[derive(Clone, Debug, PartialEq)]
pub enum StageKind {
    /// `inventory`
    Inventory(Span),
    /// `gate`
    Gate(Span),
    /// `sla [N UNIT]`
    Sla {
        /// The duration, when written: amount and unit.
        duration: Option<(Word, Word)>,
        /// `sla` and its duration.
        span: Span,
    },
}

/// `phase NAME: STAGE, STAGE...`
#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    /// The phase's name.
    pub name: Name,
    /// Its stages.
    pub stages: Vec<Name>,
    /// The whole line.
    pub span: Span,
}

/// `transition A -> B when CONDITION` or `... otherwise`.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    /// From this stage.
    pub from: Name,
    /// To this stage.
    pub to: Name,
    /// The condition; `None` for `otherwise`.
    pub when: Option<Cond>,
    /// The whole line.
    pub span: Span,
}

/// `assignment rules { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct RulesBlock {
    /// The rules in order.
    pub rules: Vec<Rule>,
    /// The whole block.
    pub span: Span,
}

/// One assignment rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// `if CONDITION then STAGE`
    If {
        /// The condition.
        cond: Cond,
        /// The stage it gives.
        stage: Name,
        /// The whole line.
        span: Span,
    },
    /// `default STAGE`
    Default {
        /// The stage.
        stage: Name,
        /// The whole line.
        span: Span,
    },
}

/// `campaign NAME { smart list L  change revenue stage in M to S }`
#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    /// The campaign's name.
    pub name: Name,
    /// Its smart list.
    pub list: Name,
    /// The model whose stage it changes.
    pub model: Name,
    /// The stage it moves leads to.
    pub stage: Name,
    /// The whole block.
    pub span: Span,
}

/// A condition over one lead.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// `A or B ...`
    Or(Vec<Cond>, Span),
    /// `A and B ...`
    And(Vec<Cond>, Span),
    /// `not A`
    Not(Box<Cond>, Span),
    /// `in smart list X` / `not in smart list X`
    InList {
        /// `not in smart list`.
        negated: bool,
        /// The list.
        list: Name,
        /// The whole membership test.
        span: Span,
    },
    /// `FIELD OPERATOR VALUES`
    Filter(Filter),
}

impl Cond {
    /// The span of the whole condition.
    pub fn span(&self) -> Span {
        match self {
            Cond::Or(_, s) | Cond::And(_, s) | Cond::Not(_, s) => *s,
            Cond::InList { span, .. } => *span,
            Cond::Filter(f) => f.span,
        }
    }
}

/// `FIELD OPERATOR VALUES`
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// The field.
    pub field: Name,
    /// The operator.
    pub op: Op,
    /// Where the operator is written.
    pub op_span: Span,
    /// Its values (none for `is empty`; two for `between`; the amount for `in past`).
    pub values: Vec<Value>,
    /// The whole filter.
    pub span: Span,
}

/// A unit of relative time in `in past N UNIT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// days
    Days,
    /// weeks (7 days)
    Weeks,
    /// calendar months
    Months,
    /// calendar years
    Years,
}

/// An operator as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `is empty`
    IsEmpty,
    /// `is not empty`
    IsNotEmpty,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `contains`
    Contains,
    /// `not contains`
    NotContains,
    /// `starts with`
    StartsWith,
    /// `not starts with`
    NotStartsWith,
    /// `ends with`
    EndsWith,
    /// `not ends with`
    NotEndsWith,
    /// `at least`
    AtLeast,
    /// `at most`
    AtMost,
    /// `greater than`
    GreaterThan,
    /// `less than`
    LessThan,
    /// `between A and B`
    Between,
    /// `before`
    Before,
    /// `after`
    After,
    /// `on or before`
    OnOrBefore,
    /// `on or after`
    OnOrAfter,
    /// `in past N UNIT`
    InPast(TimeUnit),
    /// `in future N UNIT`
    InFuture(TimeUnit),
}

impl Op {
    /// The operator's words, as the language writes them.
    pub fn words(self) -> &'static str {
        match self {
            Op::IsEmpty => "is empty",
            Op::IsNotEmpty => "is not empty",
            Op::Is => "is",
            Op::IsNot => "is not",
            Op::Contains => "contains",
            Op::NotContains => "not contains",
            Op::StartsWith => "starts with",
            Op::NotStartsWith => "not starts with",
            Op::EndsWith => "ends with",
            Op::NotEndsWith => "not ends with",
            Op::AtLeast => "at least",
            Op::AtMost => "at most",
            Op::GreaterThan => "greater than",
            Op::LessThan => "less than",
            Op::Between => "between",
            Op::Before => "before",
            Op::After => "after",
            Op::OnOrBefore => "on or before",
            Op::OnOrAfter => "on or after",
            Op::InPast(_) => "in past",
            Op::InFuture(_) => "in future",
        }
    }
}

/// How a value literal was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// `"..."`
    Quoted,
    /// words
    Bare,
    /// `-12.5`
    Number,
    /// `2024-06-01`
    Date,
    /// `2024-06-01T09:30:00Z`
    DateTime,
}

/// A value literal.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// How it was written.
    pub kind: ValueKind,
    /// Its text (quotes and escapes undone).
    pub text: String,
    /// Where.
    pub span: Span,
}
