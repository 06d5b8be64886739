//! A small tree-walking evaluator over the IR for number and text fields, written from DESIGN.md
//! alone (not from revc's analysis), to check the linter's claims against.

use revc::ir::{Cond, CondId, NumTest, Program, Test, TextOp};
use std::collections::HashMap;

/// A field value on a test lead.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    /// Missing.
    Empty,
    /// A number.
    Num(f64),
    /// Text, already trimmed and lower case.
    Text(String),
}

/// A test lead: field index to value (absent means empty).
pub type Lead = HashMap<usize, V>;

/// Whether `lead` matches condition `id`.
pub fn matches(p: &Program, id: CondId, lead: &Lead) -> bool {
    match &p.cond(id).kind {
        Cond::And(xs) => xs.iter().all(|x| matches(p, *x, lead)),
        Cond::Or(xs) => xs.iter().any(|x| matches(p, *x, lead)),
        Cond::Not(x) => !matches(p, *x, lead),
        Cond::InList(l) => matches(p, p.smart_lists[l.index()].cond, lead),
        Cond::Filter(f) => {
            let v = lead.get(&f.field.index()).unwrap_or(&V::Empty);
            // Negative operators are exactly the negation of the positive one.
            positive(&f.test, v) != f.negated
        }
    }
}

fn positive(t: &Test, v: &V) -> bool {
    match (t, v) {
        (Test::Empty, V::Empty) => true,
        (Test::Empty, _) => false,
        // Marketo: number `is 0` also matches empty.
        (Test::Number(NumTest::Is(xs)), V::Empty) => xs.contains(&0.0),
        // Every other comparison is false on empty.
        (_, V::Empty) => false,
        (Test::Number(n), V::Num(x)) => match n {
            NumTest::Is(xs) => xs.contains(x),
            NumTest::AtLeast(a) => x >= a,
            NumTest::AtMost(a) => x <= a,
            NumTest::GreaterThan(a) => x > a,
            NumTest::LessThan(a) => x < a,
            NumTest::Between(a, b) => a <= x && x <= b,
        },
        (Test::Text { op, values }, V::Text(s)) => values.iter().any(|w| match op {
            TextOp::Is => s == w,
            TextOp::Contains => s.contains(w.as_str()),
            TextOp::StartsWith => s.starts_with(w.as_str()),
            TextOp::EndsWith => s.ends_with(w.as_str()),
        }),
        _ => panic!("the soundness test only uses number and text fields: {t:?} on {v:?}"),
    }
}

/// The index of the first rule of model 0 that `lead` matches.
pub fn first_match(p: &Program, lead: &Lead) -> Option<usize> {
    p.models[0]
        .rules
        .iter()
        .position(|r| matches(p, r.cond, lead))
}
