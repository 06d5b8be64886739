//! Builds the syntax tree from pest's pairs: one function per grammar rule.

use super::Rule;
use super::ast::*;
use crate::span::Span;
use pest::iterators::Pair;

type P<'i> = Pair<'i, Rule>;

/// Turns pest spans (relative to the parsed slice) into file spans.
pub(super) struct Builder {
    /// Offset of the parsed slice in the file.
    pub base: usize,
    /// Spans of names longer than [`super::MAX_NAME_CHARS`]; the block holding one is dropped.
    pub long_names: std::cell::RefCell<Vec<Span>>,
}

/// Length of `text` without trailing whitespace and trailing `#` comments.
fn content_len(text: &str) -> usize {
    let mut t = text.trim_end();
    loop {
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&t[line_start..]) {
            Some(i) => t = t[..line_start + i].trim_end(),
            None => return t.len(),
        }
    }
}

/// Where a `#` comment starts in one line, ignoring `#` inside quotes.
pub(super) fn comment_start(line: &str) -> Option<usize> {
    let mut in_quote = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quote => escaped = true,
            '"' => in_quote = !in_quote,
            '#' if !in_quote => return Some(i),
            _ => {}
        }
    }
    None
}

impl Builder {
    /// The span of a pair without the whitespace and comments pest skips after its last token
    /// (a rule ending in a repetition swallows them), so labels end on the construct itself.
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        let end = s.start() + content_len(p.as_str());
        Span::new(self.base + s.start(), self.base + end)
    }

    fn word(&self, p: &P) -> Word {
        Word {
            text: p.as_str().to_string(),
            span: self.span(p),
        }
    }

    /// `item`: one top-level block.
    pub fn item(&self, p: P) -> Item {
        match p.as_rule() {
            Rule::fields_block => Item::Fields(self.fields_block(p)),
            Rule::smart_list => Item::SmartList(self.smart_list(p)),
            Rule::model => Item::Model(self.model(p)),
            Rule::campaign => Item::Campaign(self.campaign(p)),
            Rule::test_block => Item::Test(self.test_block(p)),
            r => unreachable!("not an item: {r:?}"),
        }
    }

    /// `name`, `decl_name`, `model_ref`, `phase_name`: a quoted or bare name.
    pub fn name(&self, p: P) -> Name {
        let span = self.span(&p);
        let inner = p.into_inner().next().expect("a name has one part");
        match inner.as_rule() {
            Rule::quoted => self.checked(Name {
                text: unquote(inner.as_str()),
                span,
                quoted: true,
            }),
            Rule::name => self.name(inner),
            _ => self.checked(Name {
                text: inner.as_str().to_string(),
                span,
                quoted: false,
            }),
        }
    }

    /// Notes a name longer than the limit; counting stops just past it.
    fn checked(&self, name: Name) -> Name {
        if name.text.chars().nth(super::MAX_NAME_CHARS).is_some() {
            self.long_names.borrow_mut().push(name.span);
        }
        name
    }

    /// `fields_block`
    fn fields_block(&self, p: P) -> FieldsBlock {
        let span = self.span(&p);
        let fields = p
            .into_inner()
            .filter(|c| c.as_rule() == Rule::field_decl)
            .map(|c| self.field_decl(c))
            .collect();
        FieldsBlock { fields, span }
    }

    /// `field_decl`
    fn field_decl(&self, p: P) -> FieldDecl {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.name(it.next().expect("field name"));
        let ty = it.next().map(|t| self.word(&t));
        FieldDecl { name, ty, span }
    }

    /// `smart_list`
    fn smart_list(&self, p: P) -> SmartList {
        let span = self.span(&p);
        let mut name = None;
        let mut filters = Vec::new();
        let mut matcher = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => name = Some(self.name(c)),
                Rule::list_filter => filters.push(self.list_filter(c)),
                Rule::match_clause => matcher = Some(self.match_clause(c)),
                _ => {}
            }
        }
        SmartList {
            name: name.expect("smart list name"),
            filters,
            matcher,
            span,
        }
    }

    /// `list_filter`
    fn list_filter(&self, p: P) -> ListFilter {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let number = self.word(&it.next().expect("filter number"));
        let cond = self.condition(it.next().expect("filter condition"));
        ListFilter { number, cond, span }
    }

    /// `match_clause`
    fn match_clause(&self, p: P) -> Match {
        let c = p.into_inner().nth(1).expect("match body");
        match c.as_rule() {
            Rule::kw_all => Match::All(self.span(&c)),
            Rule::kw_any => Match::Any(self.span(&c)),
            _ => Match::Expr(self.match_expr(c)),
        }
    }

    /// `match_expr`, `match_and`, `match_not`, `filter_number`
    fn match_expr(&self, p: P) -> MatchExpr {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::filter_number => MatchExpr::Ref(self.word(&p)),
            Rule::match_not => {
                let inner = p.into_inner().nth(1).expect("negated expression");
                MatchExpr::Not(Box::new(self.match_expr(inner)), span)
            }
            rule => {
                let mut parts: Vec<MatchExpr> = p
                    .into_inner()
                    .filter(|c| !matches!(c.as_rule(), Rule::kw_and | Rule::kw_or))
                    .map(|c| self.match_expr(c))
                    .collect();
                if parts.len() == 1 {
                    parts.pop().expect("one part")
                } else if rule == Rule::match_expr {
                    MatchExpr::Or(parts, span)
                } else {
                    MatchExpr::And(parts, span)
                }
            }
        }
    }

    /// `model`
    fn model(&self, p: P) -> Model {
        let span = self.span(&p);
        let mut name = None;
        let mut items = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::name => name = Some(self.name(c)),
                Rule::status_line => items.push(self.status_line(c)),
                Rule::stage_decl => items.push(ModelItem::Stage(self.stage_decl(c))),
                Rule::phase => items.push(ModelItem::Phase(self.phase(c))),
                Rule::transition => items.push(ModelItem::Transition(self.transition(c))),
                Rule::assignment_rules => items.push(ModelItem::Rules(self.assignment_rules(c))),
                _ => {}
            }
        }
        Model {
            name: name.expect("model name"),
            items,
            span,
        }
    }

    /// `status_line`
    fn status_line(&self, p: P) -> ModelItem {
        let w = p.into_inner().nth(1).expect("status word");
        ModelItem::Status(self.word(&w))
    }

    /// `stage_decl`
    fn stage_decl(&self, p: P) -> StageDecl {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let detour = it.next().expect("stage keyword").as_rule() == Rule::kw_detour;
        let name = self.name(it.next().expect("stage name"));
        let kind = it.next().map(|k| self.stage_kind(k));
        StageDecl {
            detour,
            name,
            kind,
            span,
        }
    }

    /// `stage_kind`
    fn stage_kind(&self, p: P) -> StageKind {
        let k = p.into_inner().next().expect("kind");
        let span = self.span(&k);
        match k.as_rule() {
            Rule::kind_inventory => StageKind::Inventory(span),
            Rule::kind_gate => StageKind::Gate(span),
            _ => {
                let mut it = k.into_inner();
                let duration = match (it.next(), it.next()) {
                    (Some(n), Some(u)) => Some((self.word(&n), self.word(&u))),
                    _ => None,
                };
                StageKind::Sla { duration, span }
            }
        }
    }

    /// `phase`
    fn phase(&self, p: P) -> Phase {
        let span = self.span(&p);
        let mut it = p.into_inner().skip(1);
        let name = self.name(it.next().expect("phase name"));
        let stages = it.map(|c| self.name(c)).collect();
        Phase { name, stages, span }
    }

    /// `transition`
    fn transition(&self, p: P) -> Transition {
        let span = self.span(&p);
        let mut it = p.into_inner().skip(1);
        let from = self.name(it.next().expect("from"));
        let _arrow = it.next();
        let to = self.name(it.next().expect("to"));
        let _when = it.next();
        let when = it.next().map(|c| self.condition(c));
        Transition {
            from,
            to,
            when,
            span,
        }
    }

    /// `assignment_rules`
    fn assignment_rules(&self, p: P) -> RulesBlock {
        let span = self.span(&p);
        let rules = p
            .into_inner()
            .filter(|c| matches!(c.as_rule(), Rule::rule_if | Rule::rule_default))
            .map(|c| self.rule(c))
            .collect();
        RulesBlock { rules, span }
    }

    /// `rule_if`, `rule_default`
    fn rule(&self, p: P) -> Rule_ {
        let span = self.span(&p);
        let is_if = p.as_rule() == Rule::rule_if;
        let mut it = p.into_inner().skip(1);
        if is_if {
            let cond = self.condition(it.next().expect("condition"));
            let _then = it.next();
            let stage = self.name(it.next().expect("stage"));
            Rule_::If { cond, stage, span }
        } else {
            let stage = self.name(it.next().expect("stage"));
            Rule_::Default { stage, span }
        }
    }

    /// `campaign`
    fn campaign(&self, p: P) -> Campaign {
        let span = self.span(&p);
        let mut it = p.into_inner().skip(1);
        let name = self.name(it.next().expect("campaign name"));
        let list = self.name(
            it.next()
                .expect("campaign list")
                .into_inner()
                .nth(1)
                .expect("list name"),
        );
        let mut mv = it.next().expect("campaign move").into_inner().skip(1);
        let model = self.name(mv.next().expect("model"));
        let _to = mv.next();
        let stage = self.name(mv.next().expect("stage"));
        Campaign {
            name,
            list,
            model,
            stage,
            span,
        }
    }

    /// `test_block`
    fn test_block(&self, p: P) -> Test {
        let span = self.span(&p);
        let mut it = p.into_inner().skip(1);
        let name = self.name(it.next().expect("test name"));
        let lead = it.next().expect("test lead");
        let lead_span = self.span(&lead);
        let mut entries = Vec::new();
        let mut current = None;
        for c in lead.into_inner() {
            match c.as_rule() {
                Rule::lead_entry => {
                    let span = self.span(&c);
                    let mut e = c.into_inner();
                    let field = self.name(e.next().expect("entry field"));
                    let value = self.value(e.next().expect("entry value"));
                    entries.push(LeadEntry { field, value, span });
                }
                Rule::name => current = Some(self.name(c)),
                _ => {}
            }
        }
        let expect = it.next().expect("test expect");
        let expect_span = self.span(&expect);
        let (mut model, mut stage, mut by) = (None, None, None);
        for c in expect.into_inner() {
            match c.as_rule() {
                Rule::expect_model => model = Some(self.name(c)),
                Rule::expect_stage => stage = Some(self.name(c)),
                Rule::expect_via => by = Some(self.word(&c)),
                _ => {}
            }
        }
        Test {
            name,
            lead: entries,
            lead_span,
            current,
            model,
            stage: stage.expect("expected stage"),
            by,
            expect_span,
            span,
        }
    }

    /// `condition`, `conjunction`, `negation`, `membership`, `filter`
    pub fn condition(&self, p: P) -> Cond {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::condition | Rule::conjunction => {
                let is_or = p.as_rule() == Rule::condition;
                let mut parts: Vec<Cond> = p
                    .into_inner()
                    .filter(|c| !matches!(c.as_rule(), Rule::kw_and | Rule::kw_or))
                    .map(|c| self.condition(c))
                    .collect();
                if parts.len() == 1 {
                    parts.pop().expect("one part")
                } else if is_or {
                    Cond::Or(parts, span)
                } else {
                    Cond::And(parts, span)
                }
            }
            Rule::negation => {
                let inner = p.into_inner().nth(1).expect("negated condition");
                Cond::Not(Box::new(self.condition(inner)), span)
            }
            Rule::membership => {
                let mut it = p.into_inner();
                let negated = it.next().expect("op").as_rule() == Rule::op_not_in_smart_list;
                let list = self.name(it.next().expect("list name"));
                Cond::InList {
                    negated,
                    list,
                    span,
                }
            }
            Rule::filter => Cond::Filter(self.filter(p)),
            r => unreachable!("not a condition: {r:?}"),
        }
    }

    /// `filter` and its `predicate`.
    fn filter(&self, p: P) -> Filter {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let field = self.name(it.next().expect("field"));
        let pred = it.next().expect("predicate");
        let rule = pred.as_rule();
        let mut parts = pred.into_inner();
        let (op, op_span, values) = match rule {
            Rule::empty_test => {
                let o = parts.next().expect("op");
                let op = if o.as_rule() == Rule::op_is_empty {
                    Op::IsEmpty
                } else {
                    Op::IsNotEmpty
                };
                (op, self.span(&o), Vec::new())
            }
            Rule::between => {
                let o = parts.next().expect("between");
                let low = self.value(parts.next().expect("low"));
                let _and = parts.next();
                let high = self.value(parts.next().expect("high"));
                (Op::Between, self.span(&o), vec![low, high])
            }
            Rule::relative => {
                let o = parts.next().expect("in past/future");
                let amount = parts.next().expect("amount");
                let unit = time_unit(parts.next().expect("unit").as_str());
                let op = if o.as_rule() == Rule::op_in_past {
                    Op::InPast(unit)
                } else {
                    Op::InFuture(unit)
                };
                let value = Value {
                    kind: ValueKind::Number,
                    text: amount.as_str().to_string(),
                    span: self.span(&amount),
                };
                (op, self.span(&o), vec![value])
            }
            _ => {
                let cmp = parts.next().expect("comparator");
                let o = cmp.into_inner().next().expect("operator");
                let values = parts
                    .next()
                    .expect("values")
                    .into_inner()
                    .map(|v| self.value(v))
                    .collect();
                (comparator(o.as_rule()), self.span(&o), values)
            }
        };
        Filter {
            field,
            op,
            op_span,
            values,
            span,
        }
    }

    /// `value`
    fn value(&self, p: P) -> Value {
        let inner = p.into_inner().next().expect("value part");
        let span = self.span(&inner);
        let (kind, text) = match inner.as_rule() {
            Rule::quoted => (ValueKind::Quoted, unquote(inner.as_str())),
            Rule::number => (ValueKind::Number, inner.as_str().to_string()),
            Rule::date => (ValueKind::Date, inner.as_str().to_string()),
            Rule::datetime => (ValueKind::DateTime, inner.as_str().to_string()),
            _ => (ValueKind::Bare, inner.as_str().to_string()),
        };
        Value { kind, text, span }
    }
}

/// The AST's rule type is named `Rule` too; this alias keeps pest's apart.
type Rule_ = super::ast::Rule;

fn comparator(rule: Rule) -> Op {
    match rule {
        Rule::op_is_not => Op::IsNot,
        Rule::op_is => Op::Is,
        Rule::op_not_contains => Op::NotContains,
        Rule::op_contains => Op::Contains,
        Rule::op_not_starts_with => Op::NotStartsWith,
        Rule::op_starts_with => Op::StartsWith,
        Rule::op_not_ends_with => Op::NotEndsWith,
        Rule::op_ends_with => Op::EndsWith,
        Rule::op_at_least => Op::AtLeast,
        Rule::op_at_most => Op::AtMost,
        Rule::op_greater_than => Op::GreaterThan,
        Rule::op_less_than => Op::LessThan,
        Rule::op_on_or_before => Op::OnOrBefore,
        Rule::op_on_or_after => Op::OnOrAfter,
        Rule::op_before => Op::Before,
        Rule::op_after => Op::After,
        r => unreachable!("not a comparator: {r:?}"),
    }
}

fn time_unit(word: &str) -> TimeUnit {
    match word.to_ascii_lowercase().trim_end_matches('s') {
        "day" => TimeUnit::Days,
        "week" => TimeUnit::Weeks,
        "month" => TimeUnit::Months,
        _ => TimeUnit::Years,
    }
}

/// Undoes the quotes and the `\"` / `\\` escapes of a quoted string.
pub fn unquote(s: &str) -> String {
    let body = &s[1..s.len() - 1];
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}
