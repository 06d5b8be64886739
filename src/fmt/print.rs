//! The canonical layout of a syntax tree, as lines that remember which source line they came
//! from (so that comments, which the tree does not hold, can be put back beside them).

use crate::span::{LineIndex, Span};
use crate::syntax::ast::*;

/// What a line of output is, for blank-line and comment placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A line that opens a block (`model X {`).
    Open,
    /// A block's closing `}`.
    Close,
    /// Any other line of code.
    Item,
}

/// One line of formatted code.
#[derive(Clone, Debug)]
pub struct Line {
    /// Nesting depth (two spaces each).
    pub depth: usize,
    /// The code, without indentation.
    pub code: String,
    /// The 1-based source line the code starts on.
    pub src: u32,
    /// What the line is.
    pub kind: Kind,
}

/// How long a test's `lead { ... }` may be on one line before it is written one entry a line.
const LEAD_WIDTH: usize = 80;

/// Lays out a parsed file.
pub fn lines(file: &File, src: &str) -> Vec<Line> {
    let mut p = Printer {
        out: Vec::new(),
        index: LineIndex::new(src),
    };
    for item in &file.items {
        match item {
            Item::Fields(b) => p.fields(b),
            Item::SmartList(l) => p.smart_list(l),
            Item::Model(m) => p.model(m),
            Item::Campaign(c) => p.campaign(c),
            Item::Test(t) => p.test(t),
        }
    }
    p.out
}

struct Printer {
    out: Vec<Line>,
    index: LineIndex,
}

impl Printer {
    fn push(&mut self, depth: usize, code: String, at: u32, kind: Kind) {
        let src = self.index.line(at);
        self.out.push(Line {
            depth,
            code,
            src,
            kind,
        });
    }

    fn open(&mut self, depth: usize, code: String, span: Span) {
        self.push(depth, code, span.start, Kind::Open);
    }

    fn close(&mut self, depth: usize, span: Span) {
        self.push(depth, "}".into(), span.end.saturating_sub(1), Kind::Close);
    }

    fn fields(&mut self, b: &FieldsBlock) {
        self.open(0, "fields {".into(), b.span);
        let names: Vec<String> = b
            .fields
            .iter()
            .map(|f| match &f.ty {
                // A bare name ends only at a known type word: before any other, it must be quoted.
                Some(t) if is_type(&t.text) => name(&f.name, Ctx::Decl),
                Some(_) => quote(&f.name.text),
                // Without a type the declaration is an error; keep it as written.
                None if f.name.quoted => quote(&f.name.text),
                None => f.name.text.clone(),
            })
            .collect();
        let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        for (f, n) in b.fields.iter().zip(names) {
            let code = match &f.ty {
                Some(t) => format!("{n:width$}  {}", type_word(&t.text)),
                None => n,
            };
            self.push(1, code, f.span.start, Kind::Item);
        }
        self.close(0, b.span);
    }

    fn smart_list(&mut self, l: &SmartList) {
        self.open(
            0,
            format!("smart list {} {{", name(&l.name, Ctx::Name)),
            l.span,
        );
        for f in &l.filters {
            let code = format!("{}: {}", f.number.text, cond(&f.cond));
            self.push(1, code, f.span.start, Kind::Item);
        }
        if let Some(m) = &l.matcher {
            let (code, at) = match m {
                Match::All(s) => ("match all".to_string(), *s),
                Match::Any(s) => ("match any".to_string(), *s),
                Match::Expr(e) => (format!("match {}", match_expr(e)), match_span(e)),
            };
            self.push(1, code, at.start, Kind::Item);
        }
        self.close(0, l.span);
    }

    fn model(&mut self, m: &Model) {
        self.open(0, format!("model {} {{", name(&m.name, Ctx::Name)), m.span);
        // Stage kinds line up across the model.
        let decl = |s: &StageDecl| {
            let kw = if s.detour { "detour" } else { "stage" };
            format!("{kw} {}", name(&s.name, Ctx::Decl))
        };
        let width = m
            .items
            .iter()
            .filter_map(|i| match i {
                ModelItem::Stage(s) if s.kind.is_some() => Some(decl(s).chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for item in &m.items {
            match item {
                ModelItem::Status(w) => {
                    let words: Vec<String> = w
                        .text
                        .split_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect();
                    self.push(
                        1,
                        format!("status {}", words.join(" ")),
                        w.span.start,
                        Kind::Item,
                    );
                }
                ModelItem::Stage(s) => {
                    let code = match &s.kind {
                        Some(k) => format!("{:width$}  {}", decl(s), stage_kind(k)),
                        None => decl(s),
                    };
                    self.push(1, code, s.span.start, Kind::Item);
                }
                ModelItem::Phase(p) => {
                    let stages: Vec<String> = p.stages.iter().map(|s| name(s, Ctx::Name)).collect();
                    let code = format!("phase {}: {}", name(&p.name, Ctx::Name), stages.join(", "));
                    self.push(1, code, p.span.start, Kind::Item);
                }
                ModelItem::Transition(t) => {
                    let way = match &t.when {
                        Some(c) => format!("when {}", cond(c)),
                        None => "otherwise".into(),
                    };
                    let code = format!(
                        "transition {} -> {} {way}",
                        name(&t.from, Ctx::Name),
                        name(&t.to, Ctx::Name)
                    );
                    self.push(1, code, t.span.start, Kind::Item);
                }
                ModelItem::Rules(rb) => {
                    self.open(1, "assignment rules {".into(), rb.span);
                    for r in &rb.rules {
                        let (code, span) = match r {
                            Rule::If {
                                cond: c,
                                stage,
                                span,
                            } => (
                                format!("if {} then {}", cond(c), name(stage, Ctx::Name)),
                                *span,
                            ),
                            Rule::Default { stage, span } => {
                                (format!("default {}", name(stage, Ctx::Name)), *span)
                            }
                        };
                        self.push(2, code, span.start, Kind::Item);
                    }
                    self.close(1, rb.span);
                }
            }
        }
        self.close(0, m.span);
    }

    fn campaign(&mut self, c: &Campaign) {
        self.open(
            0,
            format!("campaign {} {{", name(&c.name, Ctx::Name)),
            c.span,
        );
        let list = format!("smart list {}", name(&c.list, Ctx::Name));
        // The list line starts where the campaign's `smart list` keyword is; its name is the
        // closest position the tree keeps.
        self.push(1, list, c.list.span.start, Kind::Item);
        let mv = format!(
            "change revenue stage in {} to {}",
            name(&c.model, Ctx::Model),
            name(&c.stage, Ctx::Name)
        );
        self.push(1, mv, c.model.span.start, Kind::Item);
        self.close(0, c.span);
    }

    fn test(&mut self, t: &Test) {
        self.open(0, format!("test {} {{", quote(&t.name.text)), t.span);
        let entries: Vec<String> = t
            .lead
            .iter()
            .map(|e| format!("{}: {}", name(&e.field, Ctx::Name), value(&e.value)))
            .collect();
        let current = t
            .current
            .as_ref()
            .map(|s| format!(" in stage {}", name(s, Ctx::Name)))
            .unwrap_or_default();
        let one_line = if entries.is_empty() {
            format!("lead {{}}{current}")
        } else {
            format!("lead {{ {} }}{current}", entries.join(", "))
        };
        if one_line.chars().count() + 2 <= LEAD_WIDTH || entries.is_empty() {
            self.push(1, one_line, t.lead_span.start, Kind::Item);
        } else {
            self.open(1, "lead {".into(), t.lead_span);
            for (e, code) in t.lead.iter().zip(entries) {
                self.push(2, code, e.span.start, Kind::Item);
            }
            let end = t.lead_span.end.saturating_sub(1);
            self.push(1, format!("}}{current}"), end, Kind::Close);
        }
        let mut expect = "expect".to_string();
        if let Some(m) = &t.model {
            expect += &format!(" {}", name(m, Ctx::Expect));
        }
        expect += &format!(" stage {}", name(&t.stage, Ctx::ExpectStage));
        if let Some(by) = &t.by {
            expect += &format!(" by {}", by.text.to_ascii_lowercase());
        }
        self.push(1, expect, t.expect_span.start, Kind::Item);
        self.close(0, t.span);
    }
}

fn is_type(t: &str) -> bool {
    ["text", "number", "date", "boolean"]
        .iter()
        .any(|k| t.eq_ignore_ascii_case(k))
}

/// A type word in lower case when it is one of the four types; otherwise as written.
fn type_word(t: &str) -> String {
    if is_type(t) {
        t.to_ascii_lowercase()
    } else {
        t.to_string()
    }
}

fn stage_kind(k: &StageKind) -> String {
    match k {
        StageKind::Inventory(_) => "inventory".into(),
        StageKind::Gate(_) => "gate".into(),
        StageKind::Sla { duration: None, .. } => "sla".into(),
        StageKind::Sla {
            duration: Some((n, u)),
            ..
        } => format!("sla {} {}", n.text, u.text.to_ascii_lowercase()),
    }
}

fn match_span(e: &MatchExpr) -> Span {
    match e {
        MatchExpr::Ref(w) => w.span,
        MatchExpr::Not(_, s) | MatchExpr::And(_, s) | MatchExpr::Or(_, s) => *s,
    }
}

/// A match expression. Parentheses are written wherever the tree nests a group inside another,
/// so the expression parses back to the same tree (and so to the same IR).
fn match_expr(e: &MatchExpr) -> String {
    match e {
        MatchExpr::Ref(w) => w.text.clone(),
        MatchExpr::Not(x, _) => format!("not {}", match_group(x)),
        MatchExpr::And(parts, _) => parts
            .iter()
            .map(match_group)
            .collect::<Vec<_>>()
            .join(" and "),
        MatchExpr::Or(parts, _) => parts
            .iter()
            .map(|p| match p {
                MatchExpr::Or(..) => format!("({})", match_expr(p)),
                _ => match_expr(p),
            })
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn match_group(e: &MatchExpr) -> String {
    match e {
        MatchExpr::And(..) | MatchExpr::Or(..) => format!("({})", match_expr(e)),
        _ => match_expr(e),
    }
}

/// A condition, parenthesized as [`match_expr`] is.
pub fn cond(c: &Cond) -> String {
    match c {
        Cond::Or(parts, _) => parts
            .iter()
            .map(|p| match p {
                Cond::Or(..) => format!("({})", cond(p)),
                _ => cond(p),
            })
            .collect::<Vec<_>>()
            .join(" or "),
        Cond::And(parts, _) => parts.iter().map(group).collect::<Vec<_>>().join(" and "),
        // `not in smart list X` would read as the negated membership test, a different tree.
        Cond::Not(x, _) => match &**x {
            Cond::InList { negated: false, .. } => format!("not ({})", cond(x)),
            _ => format!("not {}", group(x)),
        },
        Cond::InList { negated, list, .. } => {
            let op = if *negated {
                "not in smart list"
            } else {
                "in smart list"
            };
            format!("{op} {}", name(list, Ctx::Name))
        }
        Cond::Filter(f) => filter(f),
    }
}

fn group(c: &Cond) -> String {
    match c {
        Cond::And(..) | Cond::Or(..) => format!("({})", cond(c)),
        _ => cond(c),
    }
}

fn filter(f: &Filter) -> String {
    let field = name(&f.field, Ctx::Name);
    let values: Vec<String> = f.values.iter().map(value).collect();
    match f.op {
        Op::IsEmpty | Op::IsNotEmpty => format!("{field} {}", f.op.words()),
        Op::Between => format!(
            "{field} between {} and {}",
            values.first().map_or("", String::as_str),
            values.get(1).map_or("", String::as_str)
        ),
        Op::InPast(u) | Op::InFuture(u) => {
            let unit = match u {
                TimeUnit::Days => "days",
                TimeUnit::Weeks => "weeks",
                TimeUnit::Months => "months",
                TimeUnit::Years => "years",
            };
            let n = values.first().map_or("", String::as_str);
            format!("{field} {} {n} {unit}", f.op.words())
        }
        op => format!("{field} {} {}", op.words(), values.join(", ")),
    }
}

fn value(v: &Value) -> String {
    match v.kind {
        ValueKind::Quoted => quote(&v.text),
        _ => v.text.clone(),
    }
}

/// A string in quotes, with `\"` and `\\` escaped.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Where a name stands, which decides the words that would end it early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// Anywhere a plain name goes.
    Name,
    /// A declaration (`fields`, `stage`, `detour`): a trailing type or kind word ends it.
    Decl,
    /// The model of a campaign's `change revenue stage in M to S`: `to` ends it.
    Model,
    /// The model of a test's `expect M stage S`: `stage` ends it.
    Expect,
    /// The stage of a test's `expect ... stage S by HOW`: `by rule` and the like end it.
    ExpectStage,
}

/// A name, quoted only when its bare form would not read back as the same name.
pub fn name(n: &Name, ctx: Ctx) -> String {
    if needs_quotes(&n.text, ctx) {
        quote(&n.text)
    } else {
        n.text.clone()
    }
}

/// Phrases that end a bare name (the grammar's `name_stop`).
const STOPS: &[&[&str]] = &[
    &["not", "in", "smart", "list"],
    &["in", "smart", "list"],
    &["is"],
    &["not", "contains"],
    &["contains"],
    &["not", "starts", "with"],
    &["starts", "with"],
    &["not", "ends", "with"],
    &["ends", "with"],
    &["at", "least"],
    &["at", "most"],
    &["greater", "than"],
    &["less", "than"],
    &["between"],
    &["on", "or", "before"],
    &["on", "or", "after"],
    &["before"],
    &["after"],
    &["in", "past"],
    &["in", "future"],
    &["then"],
    &["when"],
    &["otherwise"],
    &["and"],
    &["or"],
];

/// Whether `word` begins with keyword `kw` followed by the end or a non-word character (the
/// grammar's `boundary`).
fn starts_kw(word: &str, kw: &str) -> bool {
    word.len() >= kw.len()
        && word.is_char_boundary(kw.len())
        && word[..kw.len()].eq_ignore_ascii_case(kw)
        && word[kw.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
}

/// Whether a name must be quoted to read back as itself in `ctx`.
pub fn needs_quotes(text: &str, ctx: Ctx) -> bool {
    const SPECIAL: &[char] = &[
        '\t', '\r', '\n', ',', ':', '(', ')', '{', '}', '#', '"', '\\',
    ];
    if text.is_empty() || text.contains(SPECIAL) || text.contains("->") {
        return true;
    }
    let words: Vec<&str> = text.split(' ').collect();
    if words.iter().any(|w| w.is_empty()) {
        return true; // leading, trailing or doubled spaces
    }
    // A condition that starts with `not` is a negation, not a field.
    if starts_kw(words[0], "not") {
        return true;
    }
    for i in 0..words.len() {
        let stop = STOPS.iter().any(|phrase| {
            let k = phrase.len();
            i + k <= words.len()
                && phrase[..k - 1]
                    .iter()
                    .zip(&words[i..])
                    .all(|(p, w)| w.eq_ignore_ascii_case(p))
                && starts_kw(words[i + k - 1], phrase[k - 1])
        });
        let ctx_stop = match ctx {
            Ctx::Model => starts_kw(words[i], "to"),
            Ctx::Expect => starts_kw(words[i], "stage"),
            Ctx::Decl => starts_kw(words[i], "sla"),
            Ctx::ExpectStage => {
                starts_kw(words[i], "by")
                    && words.get(i + 1).is_some_and(|w| {
                        ["rule", "transition", "default"]
                            .iter()
                            .any(|k| starts_kw(w, k))
                    })
            }
            Ctx::Name => false,
        };
        if stop || ctx_stop {
            return true;
        }
    }
    if ctx == Ctx::Decl {
        let last = words[words.len() - 1].to_ascii_lowercase();
        if ["text", "number", "date", "boolean", "inventory", "gate"].contains(&last.as_str()) {
            return true;
        }
    }
    false
}
