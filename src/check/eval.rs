//! Concrete leads: build an example lead from a box of the analysis, and evaluate conditions on
//! it with the language's rules, so every "such a lead exists" finding is confirmed on a real
//! lead before it is reported.

use super::domain::{Dom, FALSE, TRUE};
use super::region::Boxed;
use crate::ir::date::civil_from_days;
use crate::ir::{Cond, CondId, DateTest, NumTest, Program, Test, TextOp};

/// One field's value on an example lead.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Missing, blank, or not of the field's type.
    Empty,
    /// A number.
    Num(f64),
    /// A calendar day (days since 1970-01-01).
    Day(i32),
    /// Folded text (trimmed, lower case).
    Text(String),
    /// A boolean.
    Bool(bool),
}

/// An example lead: one value per field of the program, by field index.
#[derive(Clone, Debug, PartialEq)]
pub struct Lead(pub Vec<Value>);

impl Lead {
    /// A lead taken from a box: each constrained field gets a value of its domain, every other
    /// field is empty. Undecided tests are not read: the caller evaluates the result.
    pub fn from_box(program: &Program, b: &Boxed) -> Lead {
        let mut vals = vec![Value::Empty; program.fields.len()];
        for (i, v) in vals.iter_mut().enumerate() {
            let Some(dom) = b.get(i as u32) else { continue };
            *v = match dom {
                Dom::Num(n) => match n.pick() {
                    Some(x) if n.discrete => Value::Day(x as i32),
                    Some(x) => Value::Num(x),
                    None => Value::Empty,
                },
                Dom::Text(t) => t.pick().map_or(Value::Empty, Value::Text),
                Dom::Bits { bits, .. } if bits & TRUE != 0 => Value::Bool(true),
                Dom::Bits { bits, .. } if bits & FALSE != 0 => Value::Bool(false),
                Dom::Bits { .. } => Value::Empty,
            };
        }
        Lead(vals)
    }

    /// Whether the lead matches a condition; `None` when that depends on today's date.
    pub fn matches(&self, program: &Program, id: CondId) -> Option<bool> {
        match &program.cond(id).kind {
            Cond::And(parts) => {
                let mut all = Some(true);
                for p in parts {
                    match self.matches(program, *p) {
                        Some(false) => return Some(false),
                        Some(true) => {}
                        None => all = None,
                    }
                }
                all
            }
            Cond::Or(parts) => {
                let mut any = Some(false);
                for p in parts {
                    match self.matches(program, *p) {
                        Some(true) => return Some(true),
                        Some(false) => {}
                        None => any = None,
                    }
                }
                any
            }
            Cond::Not(inner) => self.matches(program, *inner).map(|b| !b),
            Cond::InList(list) => self.matches(program, program.smart_lists[list.index()].cond),
            Cond::Filter(f) => test(&self.0[f.field.index()], &f.test).map(|b| b != f.negated),
        }
    }

    /// The lead in words: its non-empty fields, e.g. `Lead Score 39.5, Country "other"`.
    pub fn describe(&self, program: &Program) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != Value::Empty)
            .map(|(i, v)| {
                let name = program.name(program.fields[i].name);
                let val = match v {
                    Value::Num(x) => format!("{x}"),
                    Value::Day(d) => {
                        let (y, m, dd) = civil_from_days(*d as i64);
                        format!("{y:04}-{m:02}-{dd:02}")
                    }
                    Value::Text(t) => format!("\"{t}\""),
                    Value::Bool(b) => b.to_string(),
                    Value::Empty => unreachable!("filtered out"),
                };
                format!("{name} {val}")
            })
            .collect();
        if parts.is_empty() {
            "a lead with every field empty".to_string()
        } else if parts.len() == self.0.len() {
            format!("a lead with {}", parts.join(", "))
        } else {
            format!(
                "a lead with {} and every other field empty",
                parts.join(", ")
            )
        }
    }
}

/// A positive test on one value, as the language defines it.
fn test(v: &Value, t: &Test) -> Option<bool> {
    Some(match (t, v) {
        (Test::Empty, v) => *v == Value::Empty,
        (Test::Bool(b), Value::Bool(x)) => b == x,
        (Test::Text { op, values }, Value::Text(s)) => values.iter().any(|w| match op {
            TextOp::Is => s == w,
            TextOp::Contains => s.contains(w.as_str()),
            TextOp::StartsWith => s.starts_with(w.as_str()),
            TextOp::EndsWith => s.ends_with(w.as_str()),
        }),
        (Test::Number(NumTest::Is(vs)), Value::Empty) => vs.contains(&0.0),
        (Test::Number(n), Value::Num(x)) => match n {
            NumTest::Is(vs) => vs.contains(x),
            NumTest::AtLeast(a) => x >= a,
            NumTest::AtMost(a) => x <= a,
            NumTest::GreaterThan(a) => x > a,
            NumTest::LessThan(a) => x < a,
            NumTest::Between(a, b) => a <= x && x <= b,
        },
        (Test::Date(DateTest::InPast(..) | DateTest::InFuture(..)), _) => return None,
        (Test::Date(DateTest::Before(_) | DateTest::OnOrBefore(_)), Value::Empty) => true,
        // A plain day compared with a date or a date-time compares calendar days.
        (Test::Date(d), Value::Day(x)) => match d {
            DateTest::Is(vs) => vs.iter().any(|v| v.day == *x),
            DateTest::Before(v) => *x < v.day,
            DateTest::OnOrBefore(v) => *x <= v.day,
            DateTest::After(v) => *x > v.day,
            DateTest::OnOrAfter(v) => *x >= v.day,
            DateTest::Between(a, b) => a.day <= *x && *x <= b.day,
            DateTest::InPast(..) | DateTest::InFuture(..) => return None,
        },
        // Every other comparison is false on empty (or on a value of another type).
        _ => false,
    })
}
