//! One lead's values and the condition evaluator.
//!
//! A lead's values are decoded at most once: typed fields (number, date, boolean) when the lead
//! is loaded, so that values that do not parse are counted whatever the rules short-circuit;
//! text fields on first use, folded into a buffer that is reused from lead to lead. Nothing here
//! allocates per lead once the buffers have grown to their working size.

use super::cell::{Decimal, SHORT, Short, trim, typed};
use super::plan::{Node, NodeTest, Plan, TextSet};
use crate::ir::{DateVal, NumTest, Type};
use std::fmt::Write as _;

/// A raw cell of the input, before typing.
#[derive(Clone, Copy, Debug)]
pub enum Cell<'a> {
    /// A CSV cell or a JSON string: read as text and parsed by the field's type.
    Str(&'a str),
    /// A JSON number.
    Num(f64),
    /// A JSON boolean.
    Bool(bool),
    /// Missing, or JSON null.
    Null,
    /// A JSON object or array: no field type can hold it.
    Nested,
}

/// Access to one lead's cells by column.
pub trait Lead {
    /// Whether a cell can be [`Cell::Nested`] (JSON can, CSV cannot): text fields are then
    /// checked when the lead is loaded instead of when first read.
    const CAN_NEST: bool = true;

    /// The cell in column `col`.
    fn cell(&mut self, col: usize) -> Cell<'_>;

    /// The cell in column `col` as stored text of at most eight bytes, with the eight bytes
    /// from its start as a little-endian word (those past the text may hold anything): lets a
    /// number be read without gathering its bytes. `None` sends the reader to [`Lead::cell`].
    #[inline(always)]
    fn short_cell(&mut self, col: usize) -> Option<(u64, &str)> {
        let _ = col;
        None
    }

    /// True when every text cell is known to be ASCII, which spares checking each one.
    fn all_ascii(&self) -> bool {
        false
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Val {
    Unread,
    Null,
    Text {
        start: u32,
        end: u32,
    },
    Num(f64),
    /// A number with a fraction, read but not yet divided: see [`Decimal`].
    Dec(Decimal),
    /// A date without a time: its day number.
    Day(i32),
    /// A date-time: its instant, in seconds since the epoch. Dates are split in two so that
    /// a value fits in 16 bytes and moves in registers, not through the stack.
    Instant(i64),
    Bool(bool),
    /// Not usable; only while a lead is being loaded (see [`LeadState::load`]).
    Bad(BadValue),
}

impl Val {
    /// The date of a [`Val::Day`] or [`Val::Instant`].
    #[inline]
    pub(super) fn date(self) -> Option<DateVal> {
        match self {
            Val::Day(d) => Some(DateVal::day(d)),
            Val::Instant(t) => Some(DateVal {
                day: t.div_euclid(86_400) as i32,
                secs: Some(t),
            }),
            _ => None,
        }
    }
}

/// What was wrong with a value while loading a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadValue {
    /// Did not parse as the field's type: null for matching, counted.
    Unparsed,
    /// A number too large for a 64-bit float: the row is rejected.
    TooLarge,
    /// A JSON object or array: the row is rejected.
    Nested,
}

/// Leads decided together by [`LeadState::decide_lanes`]: one bit per lead in a `u64` mask.
pub const LANES: usize = 64;

/// Where a slot's value for a lane is kept: each slot's lanes are side by side, so that a test
/// on a typed slot reads one run of memory for a whole batch.
#[inline(always)]
pub(super) fn at(slot: usize, lane: usize) -> usize {
    slot * LANES + lane
}

/// Per-thread evaluation state, reused from lead to lead: values for one lead (lane 0), or for
/// a batch of up to [`LANES`] leads.
#[derive(Debug)]
pub struct LeadState {
    pub(super) vals: Vec<Val>,
    /// The text slots: the only ones a new lead must mark unread, since loading overwrites
    /// every other.
    text_slots: Vec<u32>,
    /// Folded text of every lane's text values read so far.
    pub(super) text: String,
    /// Smart lists of the one lead: 0 not yet evaluated, 1 false, 2 true.
    lists: Vec<u8>,
    /// Smart lists of a batch: the lanes evaluated, and of those the ones in the list.
    pub(super) lists_known: Vec<u64>,
    pub(super) lists_in: Vec<u64>,
}

impl LeadState {
    /// State sized for a plan.
    pub fn new(plan: &Plan) -> Self {
        LeadState {
            vals: vec![Val::Unread; plan.slots.len() * LANES],
            text_slots: (plan.slots.iter().enumerate())
                .filter(|(_, s)| s.ty == Type::Text)
                .map(|(i, _)| i as u32)
                .collect(),
            text: String::with_capacity(256),
            lists: vec![0; plan.lists.len()],
            lists_known: vec![0; plan.lists.len()],
            lists_in: vec![0; plan.lists.len()],
        }
    }

    /// Starts a new lead: forgets the last one and decodes its typed fields. `on_bad` hears of
    /// each value that is not usable (slot, what).
    pub fn load<L: Lead>(
        &mut self,
        plan: &Plan,
        lead: &mut L,
        mut on_bad: impl FnMut(usize, BadValue),
    ) {
        self.forget();
        // Bad values are marked in place and reported after the loop, which keeps the loop
        // free of calls: each value goes straight to its slot.
        let mut any_bad = false;
        for &i in &self.text_slots {
            self.vals[at(i as usize, 0)] = Val::Unread;
        }
        if L::CAN_NEST {
            for (i, slot) in plan.slots.iter().enumerate() {
                if slot.ty == Type::Text && matches!(lead.cell(slot.column), Cell::Nested) {
                    self.vals[at(i, 0)] = Val::Bad(BadValue::Nested);
                    any_bad = true;
                }
            }
        }
        for t in &plan.typed {
            let v = typed(t.ty, lead.cell(t.column as usize));
            any_bad |= matches!(v, Val::Bad(_));
            self.vals[at(t.slot as usize, 0)] = v;
        }
        if any_bad {
            for i in 0..plan.slots.len() {
                let v = &mut self.vals[at(i, 0)];
                if let Val::Bad(bad) = *v {
                    *v = Val::Null;
                    on_bad(i, bad);
                }
            }
        }
    }

    /// Forgets the last lead's text and smart lists.
    fn forget(&mut self) {
        self.text.clear();
        self.lists.iter_mut().for_each(|l| *l = 0);
    }

    /// Marks the text slots of lanes `0..count` unread: the start of loading a batch.
    pub(super) fn forget_lanes(&mut self, count: usize) {
        for &i in &self.text_slots {
            self.vals[at(i as usize, 0)..at(i as usize, count)].fill(Val::Unread);
        }
    }

    /// The slot's text trimmed but not folded, when it is all ASCII and not yet folded: then a
    /// comparison with folded constants can ignore ASCII case in place instead of copying.
    /// `Some(None)` is an empty value; `None` means: use the folded text.
    #[inline(always)]
    fn ascii_raw<'l, L: Lead>(
        &self,
        plan: &Plan,
        lead: &'l mut L,
        lane: usize,
        slot: usize,
    ) -> Option<Option<&'l str>> {
        if !matches!(self.vals[at(slot, lane)], Val::Unread) {
            return None;
        }
        let all_ascii = lead.all_ascii();
        match lead.cell(plan.slots[slot].column) {
            Cell::Str(s) => {
                let t = trim(s);
                if t.is_empty() {
                    Some(None)
                } else if all_ascii || t.is_ascii() {
                    Some(Some(t))
                } else {
                    None
                }
            }
            Cell::Null => Some(None),
            _ => None,
        }
    }

    fn text_of<L: Lead>(
        &mut self,
        plan: &Plan,
        lead: &mut L,
        lane: usize,
        slot: usize,
    ) -> Option<&str> {
        let i = at(slot, lane);
        if let Val::Unread = self.vals[i] {
            let start = self.text.len();
            let v = match lead.cell(plan.slots[slot].column) {
                Cell::Str(s) => fold_into(&mut self.text, s),
                Cell::Num(n) => {
                    let _ = write!(self.text, "{n}");
                    true
                }
                Cell::Bool(b) => {
                    self.text.push_str(if b { "true" } else { "false" });
                    true
                }
                Cell::Null | Cell::Nested => false,
            };
            self.vals[i] = if v {
                Val::Text {
                    start: start as u32,
                    end: self.text.len() as u32,
                }
            } else {
                Val::Null
            };
        }
        match self.vals[i] {
            Val::Text { start, end } => Some(&self.text[start as usize..end as usize]),
            _ => None,
        }
    }

    /// Evaluates condition node `n` for the loaded lead.
    ///
    /// A filter is tested in place; only combinations go through a call, so that the usual
    /// `A and B` costs one call rather than three.
    #[inline(always)]
    pub fn eval<L: Lead>(&mut self, plan: &Plan, lead: &mut L, n: u32) -> bool {
        match &plan.nodes[n as usize] {
            Node::Filter { slot, neg, test } => {
                self.test(plan, lead, 0, *slot as usize, test) != *neg
            }
            _ => self.eval_node(plan, lead, n),
        }
    }

    #[inline(never)]
    fn eval_node<L: Lead>(&mut self, plan: &Plan, lead: &mut L, n: u32) -> bool {
        match &plan.nodes[n as usize] {
            Node::And(c) => c.iter().all(|&x| self.eval(plan, lead, x)),
            Node::Or(c) => c.iter().any(|&x| self.eval(plan, lead, x)),
            Node::Not(x) => !self.eval(plan, lead, *x),
            Node::List(l) => {
                let l = *l as usize;
                match self.lists[l] {
                    1 => false,
                    2 => true,
                    _ => {
                        let r = self.eval(plan, lead, plan.lists[l]);
                        self.lists[l] = 1 + r as u8;
                        r
                    }
                }
            }
            Node::Filter { slot, neg, test } => {
                self.test(plan, lead, 0, *slot as usize, test) != *neg
            }
            Node::Unused => false,
        }
    }

    /// The positive test `test` on `slot` of the lead in `lane`.
    #[inline(always)]
    pub(super) fn test<L: Lead>(
        &mut self,
        plan: &Plan,
        lead: &mut L,
        lane: usize,
        slot: usize,
        test: &NodeTest,
    ) -> bool {
        if plan.slots[slot].ty != Type::Text {
            return typed_test(&mut self.vals[at(slot, lane)], test);
        }
        match test {
            NodeTest::Empty => {
                if matches!(self.vals[at(slot, lane)], Val::Unread) {
                    match lead.cell(plan.slots[slot].column) {
                        Cell::Str(s) => trim(s).is_empty(),
                        Cell::Num(_) | Cell::Bool(_) => false,
                        Cell::Null | Cell::Nested => true,
                    }
                } else {
                    self.text_of(plan, lead, lane, slot).is_none()
                }
            }
            NodeTest::TextIs(set) => {
                if let (TextSet::Few(vals), Some(raw)) =
                    (set, self.ascii_raw(plan, lead, lane, slot))
                {
                    return raw.is_some_and(|t| {
                        vals.iter()
                            .any(|v| v.len() == t.len() && v.eq_ignore_ascii_case(t))
                    });
                }
                self.text_of(plan, lead, lane, slot)
                    .is_some_and(|t| set.contains(t))
            }
            NodeTest::TextContains(finders) => {
                // Short ASCII text is searched in place, ignoring case: cheaper than folding a
                // copy and setting up a substring search.
                if let Some(raw) = self.ascii_raw(plan, lead, lane, slot) {
                    let t = raw.unwrap_or("").as_bytes();
                    if t.len() <= SHORT {
                        let hay = Short::new(t);
                        return raw.is_some() && finders.iter().any(|f| hay.contains(f.needle()));
                    }
                }
                self.text_of(plan, lead, lane, slot)
                    .is_some_and(|t| finders.iter().any(|f| f.find(t.as_bytes()).is_some()))
            }
            NodeTest::TextStarts(v) => {
                if let Some(raw) = self.ascii_raw(plan, lead, lane, slot) {
                    return raw.is_some_and(|t| {
                        v.iter().any(|p| {
                            t.len() >= p.len()
                                && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
                        })
                    });
                }
                self.text_of(plan, lead, lane, slot)
                    .is_some_and(|t| v.iter().any(|p| t.starts_with(&**p)))
            }
            NodeTest::TextEnds(v) => {
                if let Some(raw) = self.ascii_raw(plan, lead, lane, slot) {
                    return raw.is_some_and(|t| {
                        v.iter().any(|p| {
                            t.len() >= p.len()
                                && t.as_bytes()[t.len() - p.len()..]
                                    .eq_ignore_ascii_case(p.as_bytes())
                        })
                    });
                }
                self.text_of(plan, lead, lane, slot)
                    .is_some_and(|t| v.iter().any(|p| t.ends_with(&**p)))
            }
            // Typed tests never name a text slot.
            NodeTest::Num(..)
            | NodeTest::DateRange { .. }
            | NodeTest::DateIs(_)
            | NodeTest::Bool(_) => false,
        }
    }
}

/// The positive test `test` on one value of a typed (number, date, boolean) slot. A decimal
/// not yet divided is divided here, once: the value is kept as a number for the next test.
#[inline(always)]
pub(super) fn typed_test(v: &mut Val, test: &NodeTest) -> bool {
    match test {
        NodeTest::Empty => matches!(v, Val::Null),
        NodeTest::Num(t, zero_is_empty) => match *v {
            Val::Num(x) => num_test(t, x),
            Val::Dec(d) => {
                let x = d.value();
                *v = Val::Num(x);
                num_test(t, x)
            }
            _ => *zero_is_empty,
        },
        NodeTest::DateRange { lo, hi, empty } => match v.date() {
            Some(d) => {
                lo.is_none_or(|(b, incl)| {
                    let o = d.cmp_lang(&b);
                    o.is_gt() || (incl && o.is_eq())
                }) && hi.is_none_or(|(b, incl)| {
                    let o = d.cmp_lang(&b);
                    o.is_lt() || (incl && o.is_eq())
                })
            }
            None => *empty,
        },
        NodeTest::DateIs(vals) => match v.date() {
            Some(d) => vals.iter().any(|b| d.cmp_lang(b).is_eq()),
            None => false,
        },
        NodeTest::Bool(b) => matches!(*v, Val::Bool(x) if x == *b),
        // Text tests never name a typed slot.
        NodeTest::TextIs(_)
        | NodeTest::TextContains(_)
        | NodeTest::TextStarts(_)
        | NodeTest::TextEnds(_) => false,
    }
}

#[inline]
pub(super) fn num_test(t: &NumTest, x: f64) -> bool {
    match t {
        NumTest::Is(v) => v.contains(&x),
        NumTest::AtLeast(b) => x >= *b,
        NumTest::AtMost(b) => x <= *b,
        NumTest::GreaterThan(b) => x > *b,
        NumTest::LessThan(b) => x < *b,
        NumTest::Between(lo, hi) => *lo <= x && x <= *hi,
    }
}

/// Appends `s` trimmed and lower-cased; false when it is blank (empty is null).
fn fold_into(buf: &mut String, s: &str) -> bool {
    let s = trim(s);
    if s.is_empty() {
        return false;
    }
    if s.is_ascii() {
        let start = buf.len();
        buf.push_str(s);
        buf[start..].make_ascii_lowercase();
    } else {
        buf.extend(s.chars().flat_map(char::to_lowercase));
    }
    true
}

/// A field's value as the engine decoded it for the loaded lead: what `revc explain` shows
/// beside each filter. Text is trimmed and folded, as the comparisons see it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decoded<'a> {
    /// Missing, blank, or not parseable as the field's type.
    Empty,
    /// Folded text.
    Text(&'a str),
    /// A number.
    Num(f64),
    /// A date or date-time.
    Date(DateVal),
    /// A boolean.
    Bool(bool),
}

impl LeadState {
    /// The decoded value of `slot` for the loaded lead (text is decoded on demand, as `eval`
    /// would). Explaining only: the batch path never calls it.
    pub fn decoded<L: Lead>(&mut self, plan: &Plan, lead: &mut L, slot: usize) -> Decoded<'_> {
        if plan.slots[slot].ty == Type::Text {
            return match self.text_of(plan, lead, 0, slot) {
                Some(t) => Decoded::Text(t),
                None => Decoded::Empty,
            };
        }
        match self.vals[at(slot, 0)] {
            Val::Num(n) => Decoded::Num(n),
            Val::Dec(d) => Decoded::Num(d.value()),
            v @ (Val::Day(_) | Val::Instant(_)) => v.date().map_or(Decoded::Empty, Decoded::Date),
            Val::Bool(b) => Decoded::Bool(b),
            Val::Unread | Val::Null | Val::Text { .. } | Val::Bad(_) => Decoded::Empty,
        }
    }
}
