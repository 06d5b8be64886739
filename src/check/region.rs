//! Conditions as sets of leads: a union of boxes (disjunctive normal form), each box a domain
//! per variable. A variable is a field, or an undecided test (`contains`, `in past 30 days`...)
//! treated as an independent yes/no.
//!
//! Treating undecided tests as independent variables only adds impossible combinations to the
//! space, so "no lead matches" and "every lead matches" stay exact claims about real leads; claims
//! that some lead exists (gaps, overlaps) are confirmed on a concrete lead by [`super::eval`]
//! before they are reported. Past [`MAX_BOXES`] an operation gives up and the caller stays silent.

use super::domain::{Dom, EMPTY, FALSE, Iv, NumSet, TRUE, TextSet};
use crate::ir::{Cond, CondId, DateTest, NumTest, Program, Test, TextOp, Type};
use std::collections::HashMap;

/// Past this many boxes an operation gives up (the analysis then stays silent).
pub const MAX_BOXES: usize = 256;

/// Box operations one lint run may spend. Past it every operation gives up (and the caller
/// stays silent), so rules that keep regions at their size cap cannot make the analysis run for
/// minutes (1,000 rules of examples/gen_rules.rs took over 100 s without it, 4.5 s with it; the
/// 2,000 rules of bench/lint-speed.sh need 2.2M). Counting work, not time, keeps findings the
/// same from run to run.
pub const WORK_BUDGET: u64 = 10_000_000;

thread_local! {
    static BUDGET: std::cell::Cell<u64> = const { std::cell::Cell::new(WORK_BUDGET) };
}

/// Starts a lint run with a full work budget.
pub fn reset_budget() {
    BUDGET.with(|b| b.set(WORK_BUDGET));
}

/// Takes `work` from the budget; false (and the budget stays spent) when it is not there.
fn spend(work: usize) -> bool {
    BUDGET.with(|b| {
        let left = b.get();
        let work = work as u64;
        if left < work {
            b.set(0);
            false
        } else {
            b.set(left - work);
            true
        }
    })
}

/// One box: the variables it constrains (sorted), each with its domain. Unlisted variables are
/// unconstrained.
#[derive(Clone, Debug, PartialEq)]
pub struct Boxed(pub Vec<(u32, Dom)>);

/// A set of leads: the union of its boxes. No box means no lead.
#[derive(Clone, Debug, PartialEq)]
pub struct Region(pub Vec<Boxed>);

impl Boxed {
    /// The domain of `var` in this box, if constrained.
    pub fn get(&self, var: u32) -> Option<&Dom> {
        self.0
            .binary_search_by_key(&var, |(v, _)| *v)
            .ok()
            .map(|i| &self.0[i].1)
    }

    fn intersect(&self, o: &Boxed) -> Option<Boxed> {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::with_capacity(self.0.len() + o.0.len());
        while i < self.0.len() || j < o.0.len() {
            let a = self.0.get(i);
            let b = o.0.get(j);
            let next = match (a, b) {
                (Some((va, da)), Some((vb, db))) if va == vb => {
                    i += 1;
                    j += 1;
                    (*va, da.intersect(db))
                }
                (Some((va, da)), Some((vb, _))) if va < vb => {
                    i += 1;
                    (*va, da.clone())
                }
                (Some((va, da)), None) => {
                    i += 1;
                    (*va, da.clone())
                }
                (_, Some((vb, db))) => {
                    j += 1;
                    (*vb, db.clone())
                }
                (None, None) => unreachable!("loop condition"),
            };
            if next.1.is_void() {
                return None;
            }
            out.push(next);
        }
        Some(Boxed(out))
    }

    fn subset_of(&self, o: &Boxed) -> bool {
        o.0.iter().all(|(v, d)| match self.get(*v) {
            Some(mine) => mine.subset_of(d),
            None => d.is_full(),
        })
    }
}

impl Region {
    /// Every lead.
    pub fn full() -> Region {
        Region(vec![Boxed(Vec::new())])
    }

    /// No lead.
    pub fn none() -> Region {
        Region(Vec::new())
    }

    /// Whether no lead is in it.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One variable constrained to a domain.
    pub fn atom(var: u32, dom: Dom) -> Region {
        if dom.is_void() {
            Region::none()
        } else if dom.is_full() {
            Region::full()
        } else {
            Region(vec![Boxed(vec![(var, dom)])])
        }
    }

    /// The intersection; `None` past the size cap.
    pub fn intersect(&self, o: &Region) -> Option<Region> {
        if !spend(self.0.len() * o.0.len()) {
            return None;
        }
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &o.0 {
                if let Some(x) = a.intersect(b) {
                    out.push(x);
                }
            }
            if out.len() > MAX_BOXES * 4 {
                out = simplify(out)?;
                if out.len() > MAX_BOXES {
                    return None;
                }
            }
        }
        capped(simplify(out)?)
    }

    /// The union; `None` past the size cap.
    pub fn union(&self, o: &Region) -> Option<Region> {
        let mut out = self.0.clone();
        out.extend(o.0.iter().cloned());
        capped(simplify(out)?)
    }

    /// The complement; `None` past the size cap.
    pub fn complement(&self) -> Option<Region> {
        let mut acc = Region::full();
        for b in &self.0 {
            // Outside one box means outside it on at least one of its variables.
            let outside = Region(
                b.0.iter()
                    .map(|(v, d)| Boxed(vec![(*v, d.complement())]))
                    .filter(|x| !x.0[0].1.is_void())
                    .collect(),
            );
            acc = acc.intersect(&outside)?;
            if acc.is_empty() {
                break;
            }
        }
        Some(acc)
    }

    /// Whether every lead is in it; `None` when the cap stops the computation.
    pub fn is_full(&self) -> Option<bool> {
        Some(self.complement()?.is_empty())
    }
}

fn capped(r: Vec<Boxed>) -> Option<Region> {
    (r.len() <= MAX_BOXES).then_some(Region(r))
}

/// Drops boxes inside other boxes and merges boxes that differ on one variable only, so regions
/// stay small when rules slice one field into ranges.
fn simplify(mut boxes: Vec<Boxed>) -> Option<Vec<Boxed>> {
    loop {
        let before = boxes.len();
        // Each pass compares every box with those kept so far.
        if !spend(before * before / 2 + 1) {
            return None;
        }
        let mut keep: Vec<Boxed> = Vec::with_capacity(boxes.len());
        'next: for b in boxes {
            for k in keep.iter_mut() {
                if b.subset_of(k) {
                    continue 'next;
                }
                if let Some(m) = merge(k, &b) {
                    *k = m;
                    continue 'next;
                }
            }
            keep.retain(|k| !k.subset_of(&b));
            keep.push(b);
        }
        boxes = keep;
        if boxes.len() == before {
            return Some(boxes);
        }
    }
}

/// The union of two boxes when it is a box: same variables, same domains but on one.
fn merge(a: &Boxed, b: &Boxed) -> Option<Boxed> {
    if a.0.len() != b.0.len() {
        return None;
    }
    let mut differ = None;
    for (i, ((va, da), (vb, db))) in a.0.iter().zip(&b.0).enumerate() {
        if va != vb {
            return None;
        }
        if da != db {
            if differ.is_some() {
                return None;
            }
            differ = Some(i);
        }
    }
    let i = differ?;
    let mut out = a.clone();
    let u = a.0[i].1.union(&b.0[i].1);
    if u.is_full() {
        out.0.remove(i);
    } else {
        out.0[i].1 = u;
    }
    Some(out)
}

/// Turns IR conditions into regions; remembers smart lists and undecided tests.
pub struct Analyzer<'p> {
    program: &'p Program,
    /// Undecided tests by their text, so the same test written twice is one variable.
    opaque: HashMap<String, u32>,
    /// What each opaque variable stands for: (field, test), for reading concrete leads.
    pub opaque_tests: Vec<(crate::ir::FieldId, Test)>,
    lists: HashMap<u32, Option<Region>>,
    /// Date fields compared anywhere with a date-time: their order is by instant, not by day,
    /// so every test on them is undecided.
    timed: Vec<bool>,
}

impl<'p> Analyzer<'p> {
    /// An analyzer for one program.
    pub fn new(program: &'p Program) -> Self {
        let mut timed = vec![false; program.fields.len()];
        for node in &program.conds {
            if let Cond::Filter(f) = &node.kind
                && let Test::Date(t) = &f.test
                && date_vals(t).iter().any(|d| d.secs.is_some())
            {
                timed[f.field.index()] = true;
            }
        }
        Analyzer {
            program,
            opaque: HashMap::new(),
            opaque_tests: Vec::new(),
            lists: HashMap::new(),
            timed,
        }
    }

    /// The variable number of an opaque test (after all fields).
    fn opaque_var(&mut self, field: crate::ir::FieldId, test: &Test) -> u32 {
        let key = format!("{}:{test:?}", field.0);
        let n = self.program.fields.len() as u32;
        if let Some(&v) = self.opaque.get(&key) {
            return v;
        }
        let v = n + self.opaque_tests.len() as u32;
        self.opaque.insert(key, v);
        self.opaque_tests.push((field, test.clone()));
        v
    }

    /// The leads a condition matches; `None` past the size cap.
    pub fn region(&mut self, id: CondId) -> Option<Region> {
        let node = self.program.cond(id);
        match &node.kind {
            Cond::And(parts) => {
                let mut acc = Region::full();
                for p in parts {
                    acc = acc.intersect(&self.region(*p)?)?;
                }
                Some(acc)
            }
            Cond::Or(parts) => {
                let mut acc = Region::none();
                for p in parts {
                    acc = acc.union(&self.region(*p)?)?;
                }
                Some(acc)
            }
            Cond::Not(inner) => self.region(*inner)?.complement(),
            Cond::InList(list) => {
                if let Some(r) = self.lists.get(&list.0) {
                    return r.clone();
                }
                // Smart-list cycles are rejected by check (REV132); mark it while expanding so a
                // cycle could not recurse forever anyway.
                self.lists.insert(list.0, None);
                let cond = self.program.smart_lists[list.index()].cond;
                let r = self.region(cond);
                self.lists.insert(list.0, r.clone());
                r
            }
            Cond::Filter(f) => {
                let ty = self.program.fields[f.field.index()].ty;
                let dom = match self.exact(ty, &f.test, self.timed[f.field.index()]) {
                    Some(d) => (f.field.0, d),
                    None => {
                        let v = self.opaque_var(f.field, &f.test);
                        (
                            v,
                            Dom::Bits {
                                bits: TRUE,
                                universe: TRUE | FALSE,
                            },
                        )
                    }
                };
                let dom = if f.negated {
                    (dom.0, dom.1.complement())
                } else {
                    dom
                };
                Some(Region::atom(dom.0, dom.1))
            }
        }
    }

    /// The exact domain of a positive test, or `None` when it is not decided exactly.
    fn exact(&self, ty: Type, test: &Test, timed: bool) -> Option<Dom> {
        let num = |ivs: Vec<Iv>, empty: bool| Some(Dom::Num(NumSet::new(ivs, empty, false)));
        let inf = f64::INFINITY;
        match test {
            Test::Empty => Some(match ty {
                Type::Number | Type::Date => {
                    Dom::Num(NumSet::new(Vec::new(), true, ty == Type::Date))
                }
                Type::Text => Dom::Text(TextSet {
                    cofinite: false,
                    values: Default::default(),
                    empty: true,
                }),
                Type::Boolean => Dom::Bits {
                    bits: EMPTY,
                    universe: TRUE | FALSE | EMPTY,
                },
            }),
            Test::Bool(b) => Some(Dom::Bits {
                bits: if *b { TRUE } else { FALSE },
                universe: TRUE | FALSE | EMPTY,
            }),
            // An empty value in the list would ask how blank text compares: left undecided.
            Test::Text {
                op: TextOp::Is,
                values,
            } if values.iter().all(|v| !v.is_empty()) => {
                Some(Dom::Text(TextSet::of(values.iter().cloned())))
            }
            Test::Text { .. } => None,
            Test::Number(t) => match t {
                // `is 0` also matches empty values, as Marketo does.
                NumTest::Is(vs) => num(
                    vs.iter().map(|v| Iv::point(*v)).collect(),
                    vs.contains(&0.0),
                ),
                NumTest::AtLeast(x) => num(vec![Iv::new(*x, true, inf, false)], false),
                NumTest::AtMost(x) => num(vec![Iv::new(-inf, false, *x, true)], false),
                NumTest::GreaterThan(x) => num(vec![Iv::new(*x, false, inf, false)], false),
                NumTest::LessThan(x) => num(vec![Iv::new(-inf, false, *x, false)], false),
                NumTest::Between(a, b) => num(vec![Iv::new(*a, true, *b, true)], false),
            },
            Test::Date(_) if timed => None,
            Test::Date(t) => {
                let d = |v: &crate::ir::DateVal| v.day as f64;
                let (ivs, empty) = match t {
                    DateTest::Is(vs) => (vs.iter().map(|v| Iv::point(d(v))).collect(), false),
                    // `before` and `on or before` also match empty values, as Marketo does.
                    DateTest::Before(v) => (vec![Iv::new(-inf, false, d(v), false)], true),
                    DateTest::OnOrBefore(v) => (vec![Iv::new(-inf, false, d(v), true)], true),
                    DateTest::After(v) => (vec![Iv::new(d(v), false, inf, false)], false),
                    DateTest::OnOrAfter(v) => (vec![Iv::new(d(v), true, inf, false)], false),
                    DateTest::Between(a, b) => (vec![Iv::new(d(a), true, d(b), true)], false),
                    DateTest::InPast(..) | DateTest::InFuture(..) => return None,
                };
                Some(Dom::Num(NumSet::new(ivs, empty, true)))
            }
        }
    }
}

/// The date constants of a date test.
pub fn date_vals(t: &DateTest) -> Vec<crate::ir::DateVal> {
    match t {
        DateTest::Is(vs) => vs.clone(),
        DateTest::Before(v)
        | DateTest::After(v)
        | DateTest::OnOrBefore(v)
        | DateTest::OnOrAfter(v) => {
            vec![*v]
        }
        DateTest::Between(a, b) => vec![*a, *b],
        DateTest::InPast(..) | DateTest::InFuture(..) => Vec::new(),
    }
}
