//! Conditions: filters typed against their field, values parsed once, names resolved.

use super::Lowerer;
use super::fields::article;
use crate::diag::{Code, Diagnostic, suggest};
use crate::ir::date::parse_date;
use crate::ir::{Cond, CondId, DateTest, DateVal, Filter, NumTest, Test, TextOp, Type, name_key};
use crate::syntax::ast::{self, Op, ValueKind};

/// Largest amount accepted by `in past N UNIT` / `in future N UNIT`.
const MAX_AMOUNT: u32 = 100_000;

impl Lowerer {
    /// Lowers a condition; `None` when it has an error (already reported).
    pub(super) fn lower_cond(&mut self, c: &ast::Cond) -> Option<CondId> {
        match c {
            ast::Cond::Or(parts, span) | ast::Cond::And(parts, span) => {
                let ids: Vec<Option<CondId>> = parts.iter().map(|p| self.lower_cond(p)).collect();
                let ids: Vec<CondId> = ids.into_iter().collect::<Option<_>>()?;
                let kind = if matches!(c, ast::Cond::Or(..)) {
                    Cond::Or(ids)
                } else {
                    Cond::And(ids)
                };
                Some(self.push_cond(kind, *span))
            }
            ast::Cond::Not(inner, span) => {
                let id = self.lower_cond(inner)?;
                Some(self.push_cond(Cond::Not(id), *span))
            }
            ast::Cond::InList {
                negated,
                list,
                span,
            } => {
                let id = self.list_ref(list)?;
                let node = self.push_cond(Cond::InList(id), *span);
                Some(if *negated {
                    self.push_cond(Cond::Not(node), *span)
                } else {
                    node
                })
            }
            ast::Cond::Filter(f) => self.lower_filter(f),
        }
    }

    fn list_ref(&mut self, name: &ast::Name) -> Option<crate::ir::SmartListId> {
        if let Some(&(id, _)) = self.lists_by_key.get(&name_key(&name.text)) {
            return Some(id);
        }
        let names = self
            .program
            .smart_lists
            .iter()
            .map(|l| self.program.name(l.name));
        let help = suggest::did_you_mean_within(&name.text, names, &mut self.suggest_budget)
            .unwrap_or_else(|| "declare it with `smart list NAME { ... }`".into());
        self.error(
            Diagnostic::error(
                Code::UnknownSmartList,
                format!("unknown smart list `{}`", name.text),
                name.span,
                "no smart list has this name",
            )
            .with_help(help),
        );
        None
    }

    fn lower_filter(&mut self, f: &ast::Filter) -> Option<CondId> {
        let field = self.field_of(&f.field)?;
        let ty = self.program.fields[field.index()].ty;
        let negated = matches!(
            f.op,
            Op::IsNot | Op::IsNotEmpty | Op::NotContains | Op::NotStartsWith | Op::NotEndsWith
        );
        let test = match (f.op, ty) {
            (Op::IsEmpty | Op::IsNotEmpty, _) => Test::Empty,
            (Op::Is | Op::IsNot, Type::Text) => text(TextOp::Is, f),
            (Op::Is | Op::IsNot, Type::Number) => Test::Number(NumTest::Is(self.numbers(f)?)),
            (Op::Is | Op::IsNot, Type::Date) => Test::Date(DateTest::Is(self.dates(f)?)),
            (Op::Is | Op::IsNot, Type::Boolean) => Test::Bool(self.boolean(f)?),
            (Op::Contains | Op::NotContains, Type::Text) => text(TextOp::Contains, f),
            (Op::StartsWith | Op::NotStartsWith, Type::Text) => text(TextOp::StartsWith, f),
            (Op::EndsWith | Op::NotEndsWith, Type::Text) => text(TextOp::EndsWith, f),
            (Op::AtLeast, Type::Number) => Test::Number(NumTest::AtLeast(self.one_number(f)?)),
            (Op::AtMost, Type::Number) => Test::Number(NumTest::AtMost(self.one_number(f)?)),
            (Op::GreaterThan, Type::Number) => {
                Test::Number(NumTest::GreaterThan(self.one_number(f)?))
            }
            (Op::LessThan, Type::Number) => Test::Number(NumTest::LessThan(self.one_number(f)?)),
            (Op::Between, Type::Number) => {
                let v = self.numbers(f)?;
                if v[0] > v[1] {
                    self.reversed(f);
                    return None;
                }
                Test::Number(NumTest::Between(v[0], v[1]))
            }
            (Op::AtLeast | Op::OnOrAfter, Type::Date) => {
                Test::Date(DateTest::OnOrAfter(self.one_date(f)?))
            }
            (Op::AtMost | Op::OnOrBefore, Type::Date) => {
                Test::Date(DateTest::OnOrBefore(self.one_date(f)?))
            }
            (Op::GreaterThan | Op::After, Type::Date) => {
                Test::Date(DateTest::After(self.one_date(f)?))
            }
            (Op::LessThan | Op::Before, Type::Date) => {
                Test::Date(DateTest::Before(self.one_date(f)?))
            }
            (Op::Between, Type::Date) => {
                let v = self.dates(f)?;
                if v[0].cmp_lang(&v[1]).is_gt() {
                    self.reversed(f);
                    return None;
                }
                Test::Date(DateTest::Between(v[0], v[1]))
            }
            (Op::InPast(unit), Type::Date) => Test::Date(DateTest::InPast(self.amount(f)?, unit)),
            (Op::InFuture(unit), Type::Date) => {
                Test::Date(DateTest::InFuture(self.amount(f)?, unit))
            }
            (op, ty) => {
                if !self.conflicted.contains(&f.span) {
                    self.wrong_operator(f, op, ty, field);
                }
                return None;
            }
        };
        Some(self.push_cond(
            Cond::Filter(Filter {
                field,
                negated,
                test,
            }),
            f.span,
        ))
    }

    fn wrong_operator(&mut self, f: &ast::Filter, op: Op, ty: Type, field: crate::ir::FieldId) {
        let fld = &self.program.fields[field.index()];
        let name = self.program.name(fld.name).to_string();
        let how = if fld.declared { "declared" } else { "inferred" };
        let ops = match ty {
            Type::Text => {
                "`is`, `is not`, `contains`, `starts with`, `ends with` and their `not` forms"
            }
            Type::Number => {
                "`is`, `is not`, `at least`, `at most`, `greater than`, `less than`, `between`"
            }
            Type::Date => {
                "`is`, `before`, `after`, `on or before`, `on or after`, `between`, `in past`, `in future`"
            }
            Type::Boolean => "`is true`, `is false`",
        };
        let d = Diagnostic::error(
            Code::OperatorType,
            format!(
                "`{}` does not apply to {} field `{name}`",
                op.words(),
                ty.as_str()
            ),
            f.op_span,
            format!("not an operator for {}", article(ty)),
        )
        .with_label(fld.span, format!("`{name}` is {how} {} here", article(ty)))
        .with_help(format!(
            "{} fields take {ops}, `is empty` and `is not empty`",
            ty.as_str()
        ));
        self.error(d);
    }

    fn reversed(&mut self, f: &ast::Filter) {
        self.error(
            Diagnostic::error(
                Code::BetweenReversed,
                format!(
                    "`between {} and {}` has its low bound above its high bound",
                    f.values[0].text, f.values[1].text
                ),
                f.values[0].span.join(f.values[1].span),
                "no value lies in this range",
            )
            .with_help(format!(
                "write the lower bound first: `between {} and {}`",
                f.values[1].text, f.values[0].text
            )),
        );
    }

    /// Reports a list of values on an operator that takes one.
    fn single(&mut self, f: &ast::Filter) -> Option<()> {
        if f.values.len() == 1 {
            return Some(());
        }
        self.error(
            Diagnostic::error(
                Code::ValueList,
                format!("`{}` takes one value, not a list", f.op.words()),
                f.values[1].span.join(f.values[f.values.len() - 1].span),
                "extra values",
            )
            .with_label(f.op_span, "this operator compares with one value")
            .with_help("use `or` to combine filters, e.g. `A at least 10 or A at least 20`; or `is` for a list"),
        );
        None
    }

    fn number(&mut self, v: &ast::Value) -> Option<f64> {
        let parsed = match v.kind {
            ValueKind::Number | ValueKind::Quoted => v.text.trim().parse::<f64>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) if n.is_finite() => Some(n),
            _ => {
                self.error(
                    Diagnostic::error(
                        Code::BadNumber,
                        format!("`{}` is not a number", v.text),
                        v.span,
                        "expected a number",
                    )
                    .with_help(
                        "write digits, with an optional `-` and decimal point: `40`, `-2.5`",
                    ),
                );
                None
            }
        }
    }

    fn numbers(&mut self, f: &ast::Filter) -> Option<Vec<f64>> {
        let vals: Vec<Option<f64>> = f.values.iter().map(|v| self.number(v)).collect();
        vals.into_iter().collect()
    }

    fn one_number(&mut self, f: &ast::Filter) -> Option<f64> {
        self.single(f)?;
        self.number(&f.values[0])
    }

    fn date(&mut self, v: &ast::Value) -> Option<DateVal> {
        match parse_date(&v.text) {
            Some(d) if v.kind != ValueKind::Number => Some(d),
            _ => {
                self.error(
                    Diagnostic::error(
                        Code::BadDate,
                        format!("`{}` is not a date", v.text),
                        v.span,
                        "expected a date",
                    )
                    .with_help(
                        "write an ISO 8601 date such as `2024-06-01`, or a date-time such as `2024-06-01T09:30:00Z`",
                    ),
                );
                None
            }
        }
    }

    fn dates(&mut self, f: &ast::Filter) -> Option<Vec<DateVal>> {
        let vals: Vec<Option<DateVal>> = f.values.iter().map(|v| self.date(v)).collect();
        vals.into_iter().collect()
    }

    fn one_date(&mut self, f: &ast::Filter) -> Option<DateVal> {
        self.single(f)?;
        self.date(&f.values[0])
    }

    fn boolean(&mut self, f: &ast::Filter) -> Option<bool> {
        self.single(f)?;
        let v = &f.values[0];
        match v.text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" => Some(false),
            _ => {
                self.error(
                    Diagnostic::error(
                        Code::BadBoolean,
                        format!("`{}` is not a boolean", v.text),
                        v.span,
                        "expected true or false",
                    )
                    .with_help(
                        "boolean fields take `is true` or `is false` (yes/no and 1/0 also work)",
                    ),
                );
                None
            }
        }
    }

    fn amount(&mut self, f: &ast::Filter) -> Option<u32> {
        let v = &f.values[0];
        match v.text.parse::<u32>() {
            Ok(n) if n <= MAX_AMOUNT => Some(n),
            _ => {
                self.error(
                    Diagnostic::error(
                        Code::BadAmount,
                        format!("`{}` is not a whole number from 0 to {MAX_AMOUNT}", v.text),
                        v.span,
                        "expected a count of days, weeks, months or years",
                    )
                    .with_help("write e.g. `in past 30 days`; for dates before a fixed day use `before 2024-01-01`"),
                );
                None
            }
        }
    }
}

/// A text test: values trimmed and lower-cased once, here.
fn text(op: TextOp, f: &ast::Filter) -> Test {
    Test::Text {
        op,
        values: f.values.iter().map(|v| fold_text(&v.text)).collect(),
    }
}

/// How text compares: trimmed, lower case.
pub fn fold_text(s: &str) -> String {
    s.trim().to_lowercase()
}
