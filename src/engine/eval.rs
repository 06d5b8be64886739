//! One lead's values and the condition evaluator.
//!
//! A lead's values are decoded at most once: typed fields (number, date, boolean) when the lead
//! is loaded, so that values that do not parse are counted whatever the rules short-circuit;
//! text fields on first use, folded into a buffer that is reused from lead to lead. Nothing here
//! allocates per lead once the buffers have grown to their working size.

use super::plan::{Node, NodeTest, Plan, TextSet};
use crate::ir::date::{parse_date, parse_day};
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

    /// True when every text cell is known to be ASCII, which spares checking each one.
    fn all_ascii(&self) -> bool {
        false
    }
}

#[derive(Clone, Copy, Debug)]
enum Val {
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
    fn date(self) -> Option<DateVal> {
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

/// Per-thread evaluation state, reused from lead to lead.
#[derive(Debug)]
pub struct LeadState {
    vals: Vec<Val>,
    /// The text slots: the only ones a new lead must mark unread, since loading overwrites
    /// every other.
    text_slots: Vec<u32>,
    text: String,
    lists: Vec<u8>,
}

impl LeadState {
    /// State sized for a plan.
    pub fn new(plan: &Plan) -> Self {
        LeadState {
            vals: vec![Val::Unread; plan.slots.len()],
            text_slots: (plan.slots.iter().enumerate())
                .filter(|(_, s)| s.ty == Type::Text)
                .map(|(i, _)| i as u32)
                .collect(),
            text: String::with_capacity(256),
            lists: vec![0; plan.lists.len()],
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
        self.text.clear();
        self.lists.iter_mut().for_each(|l| *l = 0);
        // Bad values are marked in place and reported after the loop, which keeps the loop
        // free of calls: each value goes straight to its slot.
        let mut any_bad = false;
        for &i in &self.text_slots {
            self.vals[i as usize] = Val::Unread;
        }
        if L::CAN_NEST {
            for (i, slot) in plan.slots.iter().enumerate() {
                if slot.ty == Type::Text && matches!(lead.cell(slot.column), Cell::Nested) {
                    self.vals[i] = Val::Bad(BadValue::Nested);
                    any_bad = true;
                }
            }
        }
        for t in &plan.typed {
            let v = typed(t.ty, lead.cell(t.column as usize));
            any_bad |= matches!(v, Val::Bad(_));
            self.vals[t.slot as usize] = v;
        }
        if any_bad {
            for (i, v) in self.vals.iter_mut().enumerate() {
                if let Val::Bad(bad) = *v {
                    on_bad(i, bad);
                    *v = Val::Null;
                }
            }
        }
    }

    /// The slot's text trimmed but not folded, when it is all ASCII and not yet folded: then a
    /// comparison with folded constants can ignore ASCII case in place instead of copying.
    /// `Some(None)` is an empty value; `None` means: use the folded text.
    fn ascii_raw<'l, L: Lead>(
        &self,
        plan: &Plan,
        lead: &'l mut L,
        slot: usize,
    ) -> Option<Option<&'l str>> {
        if !matches!(self.vals[slot], Val::Unread) {
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

    fn text_of<L: Lead>(&mut self, plan: &Plan, lead: &mut L, slot: usize) -> Option<&str> {
        if let Val::Unread = self.vals[slot] {
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
            self.vals[slot] = if v {
                Val::Text {
                    start: start as u32,
                    end: self.text.len() as u32,
                }
            } else {
                Val::Null
            };
        }
        match self.vals[slot] {
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
            Node::Filter { slot, neg, test } => self.test(plan, lead, *slot as usize, test) != *neg,
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
            Node::Filter { slot, neg, test } => self.test(plan, lead, *slot as usize, test) != *neg,
            Node::Unused => false,
        }
    }

    #[inline(always)]
    fn test<L: Lead>(&mut self, plan: &Plan, lead: &mut L, slot: usize, test: &NodeTest) -> bool {
        match test {
            NodeTest::Empty => match plan.slots[slot].ty {
                Type::Text if matches!(self.vals[slot], Val::Unread) => {
                    match lead.cell(plan.slots[slot].column) {
                        Cell::Str(s) => trim(s).is_empty(),
                        Cell::Num(_) | Cell::Bool(_) => false,
                        Cell::Null | Cell::Nested => true,
                    }
                }
                Type::Text => self.text_of(plan, lead, slot).is_none(),
                _ => matches!(self.vals[slot], Val::Null),
            },
            NodeTest::TextIs(set) => {
                if let (TextSet::Few(vals), Some(raw)) = (set, self.ascii_raw(plan, lead, slot)) {
                    return raw.is_some_and(|t| {
                        vals.iter()
                            .any(|v| v.len() == t.len() && v.eq_ignore_ascii_case(t))
                    });
                }
                self.text_of(plan, lead, slot)
                    .is_some_and(|t| set.contains(t))
            }
            NodeTest::TextContains(finders) => {
                // Short ASCII text is searched in place, ignoring case: cheaper than folding a
                // copy and setting up a substring search.
                if let Some(raw) = self.ascii_raw(plan, lead, slot) {
                    let t = raw.unwrap_or("").as_bytes();
                    if t.len() <= 64 {
                        return raw.is_some()
                            && finders.iter().any(|f| contains_ascii_nocase(t, f.needle()));
                    }
                }
                self.text_of(plan, lead, slot)
                    .is_some_and(|t| finders.iter().any(|f| f.find(t.as_bytes()).is_some()))
            }
            NodeTest::TextStarts(v) => {
                if let Some(raw) = self.ascii_raw(plan, lead, slot) {
                    return raw.is_some_and(|t| {
                        v.iter().any(|p| {
                            t.len() >= p.len()
                                && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
                        })
                    });
                }
                self.text_of(plan, lead, slot)
                    .is_some_and(|t| v.iter().any(|p| t.starts_with(&**p)))
            }
            NodeTest::TextEnds(v) => {
                if let Some(raw) = self.ascii_raw(plan, lead, slot) {
                    return raw.is_some_and(|t| {
                        v.iter().any(|p| {
                            t.len() >= p.len()
                                && t.as_bytes()[t.len() - p.len()..]
                                    .eq_ignore_ascii_case(p.as_bytes())
                        })
                    });
                }
                self.text_of(plan, lead, slot)
                    .is_some_and(|t| v.iter().any(|p| t.ends_with(&**p)))
            }
            NodeTest::Num(t, zero_is_empty) => match self.vals[slot] {
                Val::Num(x) => num_test(t, x),
                Val::Dec(d) => {
                    let x = d.value();
                    self.vals[slot] = Val::Num(x);
                    num_test(t, x)
                }
                _ => *zero_is_empty,
            },
            NodeTest::DateRange { lo, hi, empty } => match self.vals[slot] {
                Val::Day(_) | Val::Instant(_) => {
                    let d = self.vals[slot].date().expect("a date value");
                    lo.is_none_or(|(b, incl)| {
                        let o = d.cmp_lang(&b);
                        o.is_gt() || (incl && o.is_eq())
                    }) && hi.is_none_or(|(b, incl)| {
                        let o = d.cmp_lang(&b);
                        o.is_lt() || (incl && o.is_eq())
                    })
                }
                _ => *empty,
            },
            NodeTest::DateIs(v) => match self.vals[slot] {
                Val::Day(_) | Val::Instant(_) => {
                    let d = self.vals[slot].date().expect("a date value");
                    v.iter().any(|b| d.cmp_lang(b).is_eq())
                }
                _ => false,
            },
            NodeTest::Bool(b) => matches!(self.vals[slot], Val::Bool(x) if x == *b),
        }
    }
}

/// Whether `hay` (ASCII) contains `needle` (folded, so lower-case) ignoring ASCII case. A needle
/// beyond ASCII cannot occur in ASCII text.
#[inline]
fn contains_ascii_nocase(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if hay.len() < needle.len() {
        return false;
    }
    (0..=hay.len() - needle.len()).any(|i| {
        hay[i].to_ascii_lowercase() == first
            && hay[i + 1..i + needle.len()].eq_ignore_ascii_case(rest)
    })
}

#[inline]
fn num_test(t: &NumTest, x: f64) -> bool {
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

/// `str::trim`, with a fast path for the usual ASCII edges. `trim_ascii` keeps the vertical tab
/// (0x0B), which `str::trim` removes, so an edge byte of 0x0B takes the slow path too.
#[inline]
pub fn trim(s: &str) -> &str {
    // The usual value has printable ASCII at both ends: nothing to trim.
    let printable = |b: u8| b > b' ' && b < 0x7F;
    match s.as_bytes() {
        [a, .., b] if printable(*a) && printable(*b) => return s,
        [a] if printable(*a) => return s,
        _ => {}
    }
    let t = s.trim_ascii();
    // Unicode white space beyond ASCII's (vertical tab, NEL, no-break space...) is rare.
    let odd = |b: u8| b >= 0x80 || b == 0x0B;
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(&a), Some(&b)) if odd(a) || odd(b) => t.trim(),
        _ => t,
    }
}

/// Decodes a cell as a typed value: [`Val::Null`] for empty, [`Val::Bad`] when unusable.
/// Inlined into the load loop so that the value goes straight to its slot.
#[inline(always)]
fn typed(ty: Type, cell: Cell<'_>) -> Val {
    match cell {
        Cell::Null => Val::Null,
        Cell::Nested => Val::Bad(BadValue::Nested),
        Cell::Num(n) => match ty {
            Type::Number => Val::Num(n),
            Type::Boolean if n == 1.0 => Val::Bool(true),
            Type::Boolean if n == 0.0 => Val::Bool(false),
            _ => Val::Bad(BadValue::Unparsed),
        },
        Cell::Bool(b) => match ty {
            Type::Boolean => Val::Bool(b),
            _ => Val::Bad(BadValue::Unparsed),
        },
        Cell::Str(s) => {
            // The usual value has nothing to trim, and its parse is tried first; one with
            // space around fails it and takes the general path.
            let quick = match ty {
                Type::Number => fast_decimal(s.as_bytes()).map(Decimal::val),
                Type::Date => parse_day(s.as_bytes()).map(Val::Day),
                Type::Boolean => parse_bool(s).map(Val::Bool),
                Type::Text => unreachable!("text is decoded lazily"),
            };
            if let Some(v) = quick {
                return v;
            }
            let s = trim(s);
            if s.is_empty() {
                return Val::Null;
            }
            match ty {
                Type::Number => parse_number(s),
                Type::Date => match parse_date(s) {
                    Some(DateVal { secs: Some(t), .. }) => Val::Instant(t),
                    Some(d) => Val::Day(d.day),
                    None => Val::Bad(BadValue::Unparsed),
                },
                Type::Boolean => parse_bool(s).map_or(Val::Bad(BadValue::Unparsed), Val::Bool),
                Type::Text => unreachable!("text is decoded lazily"),
            }
        }
    }
}

/// Reads a number cell: decimal notation with optional sign and exponent. `NaN` and `inf` are
/// not numbers; a value beyond the range of a 64-bit float is too large.
#[inline(always)]
fn parse_number(s: &str) -> Val {
    if let Some(d) = fast_decimal(s.as_bytes()) {
        return d.val();
    }
    match slow_number(s) {
        Ok(v) => v,
        Err(b) => Val::Bad(b),
    }
}

/// Numbers off the fast path: exponents, long mantissas, odd shapes, words.
#[inline(never)]
fn slow_number(s: &str) -> Result<Val, BadValue> {
    let b = s.as_bytes();
    let ok_start = b[0].is_ascii_digit() || matches!(b[0], b'-' | b'+' | b'.');
    if !ok_start
        || b.iter()
            .any(|c| c.is_ascii_alphabetic() && !matches!(c, b'e' | b'E'))
    {
        return Err(BadValue::Unparsed);
    }
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Val::Num(x)),
        Ok(_) => Err(BadValue::TooLarge),
        Err(_) => Err(BadValue::Unparsed),
    }
}

/// `fast_decimal`'s mark for a number without a decimal point.
const NO_DOT: usize = usize::MAX;

/// Powers of ten that a double holds exactly.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `-?digits(.digits)?` with at most 15 digits in all, the shape of nearly every CRM number.
/// The digits form an integer below 2^53 and the scale a power of ten below 10^16, both exact
/// in a double, so one division gives the correctly rounded value (Clinger's fast path): the
/// same double the general parser returns.
#[inline(always)]
fn fast_decimal(b: &[u8]) -> Option<Decimal> {
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (m, scale) = match b.len() {
        1..=8 => word_decimal(b)?,
        9..=16 => loop_decimal(b)?,
        _ => return None,
    };
    Some(Decimal(m | (scale as u64) << 56 | (neg as u64) << 63))
}

/// Each byte of a word set to `b`.
const fn bytes(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// `fast_decimal`'s digits and point (1 to 8 bytes) read as one word, without a branch per
/// digit: mantissa and scale.
#[inline(always)]
fn word_decimal(b: &[u8]) -> Option<(u64, usize)> {
    let n = b.len();
    let mut w = load_le(b);
    let mut valid = u64::MAX >> (64 - 8 * n);
    // Bytes equal to `.`: exact per byte, no carry between bytes.
    let t = w ^ bytes(b'.');
    let dots = !((t & bytes(0x7F)).wrapping_add(bytes(0x7F)) | t) & valid & bytes(0x80);
    let mut scale = 0;
    if dots != 0 {
        let k = dots.trailing_zeros() as usize / 8;
        // `5.` and `.5` are left to the general parser, which has its own view of them.
        if dots.count_ones() > 1 || k == 0 || k == n - 1 {
            return None;
        }
        // The integer digits move up a byte over the point, leaving byte 0 empty.
        let below = (1u64 << (8 * k)) - 1;
        w = (w & below) << 8 | (w & !(below << 8 | 0xFF));
        valid &= !0xFF;
        scale = n - 1 - k;
    }
    let x = w.wrapping_sub(bytes(b'0') & valid);
    // A byte below `0` borrows (its top bit is then set); one above `9` sets its top bit once
    // 0x76 is added. Either way the number is refused, so a borrow into the next byte is moot.
    if (x | x.wrapping_add(bytes(0x76))) & valid & bytes(0x80) != 0 {
        return None;
    }
    // Digits right-aligned, the first one lowest, empty bytes below as leading zeros; then
    // pairs, quads and the two halves combined (the usual eight-digit multiplications).
    let x = x << (8 * (8 - n));
    let x = (x & bytes(0x0F)).wrapping_mul(10 << 8 | 1) >> 8;
    let x = (x & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1) >> 16;
    let x = (x & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 << 32 | 1) >> 32;
    Some((x, scale))
}

/// The 1 to 8 bytes of `b` as a little-endian word, zero above: two overlapping loads, so no
/// copy of a varying length.
#[inline(always)]
fn load_le(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64;
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]) as u64;
        lo | hi << (8 * (n - 4))
    } else {
        b[0] as u64 | (b[n / 2] as u64) << (8 * (n / 2)) | (b[n - 1] as u64) << (8 * (n - 1))
    }
}

/// `fast_decimal`'s digits and point, a byte at a time: for the longer numbers.
fn loop_decimal(b: &[u8]) -> Option<(u64, usize)> {
    let mut m = 0u64;
    let mut dot = NO_DOT;
    for (i, &c) in b.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            m = m * 10 + d as u64;
        } else if c == b'.' && dot == NO_DOT {
            dot = i;
        } else {
            return None;
        }
    }
    let (digits, scale) = match dot {
        NO_DOT => (b.len(), 0),
        _ => (b.len() - 1, b.len() - 1 - dot),
    };
    if b.is_empty() || digits > 15 || (dot != NO_DOT && (scale == 0 || dot == 0)) {
        return None;
    }
    Some((m, scale))
}

/// A decimal as `fast_decimal` read it: the mantissa (below 2^53) in the low 56 bits, the
/// scale (digits after the point) above it, the sign in the top bit. The division that makes
/// it a double is the slowest step of reading a number, and most values with a fraction are
/// never compared (their rule is decided before it reads them), so it waits for first use.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Decimal(u64);

impl Decimal {
    /// The value, correctly rounded: the mantissa and the power of ten are exact doubles, so
    /// one division rounds once (Clinger's fast path).
    #[inline]
    fn value(self) -> f64 {
        let m = (self.0 & ((1 << 56) - 1)) as f64;
        let scale = (self.0 >> 56 & 0x7F) as usize;
        let x = if scale == 0 { m } else { m / POW10[scale] };
        if self.0 >> 63 == 1 { -x } else { x }
    }

    /// As a lead's value: a number when it has no fraction (no division needed), else
    /// kept undivided.
    #[inline]
    fn val(self) -> Val {
        if self.0 >> 56 & 0x7F == 0 {
            Val::Num(self.value())
        } else {
            Val::Dec(self)
        }
    }
}

/// true/false, yes/no, 1/0, without case.
#[inline]
fn parse_bool(s: &str) -> Option<bool> {
    let b = s.as_bytes();
    let is = |w: &[u8]| b.len() == w.len() && b.eq_ignore_ascii_case(w);
    match b.first().map(u8::to_ascii_lowercase) {
        Some(b't') if is(b"true") => Some(true),
        Some(b'y') if is(b"yes") => Some(true),
        Some(b'1') if b.len() == 1 => Some(true),
        Some(b'f') if is(b"false") => Some(false),
        Some(b'n') if is(b"no") => Some(false),
        Some(b'0') if b.len() == 1 => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "\u{b}x",
            "x\u{b}",
            " \u{b} x \u{a0}",
            "\u{3000}x",
            "x",
            "",
            "\u{b}",
        ] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn fast_decimals_equal_the_general_parser() {
        for s in [
            "0",
            "-0",
            "7",
            "40.5",
            "-3.25",
            "0.1",
            "123456789012345",
            "99999.9999",
            "16.5",
            "0.00000000000001",
            "3.14159265358979",
        ] {
            let got = fast_decimal(s.as_bytes()).map(Decimal::value);
            assert_eq!(
                got.map(f64::to_bits),
                Some(s.parse::<f64>().unwrap().to_bits()),
                "{s}"
            );
        }
        // Declined: left to the general parser (16 digits, exponents, odd shapes).
        for s in [
            "",
            "-",
            ".",
            "5.",
            ".5",
            "1e5",
            "1,000",
            "1234567890123456",
            "1.000000000000001",
            "--1",
            "1.2.3",
        ] {
            assert_eq!(fast_decimal(s.as_bytes()), None, "{s}");
        }
    }

    /// The word-at-a-time reading against the byte loop, over every string of up to 8 bytes
    /// from an alphabet of digits, points, signs and letters.
    #[test]
    fn word_decimals_equal_the_byte_loop() {
        let alphabet = b"0179.-a/:";
        let mut s = Vec::new();
        for n in 1..=6usize {
            for mut k in 0..alphabet.len().pow(n as u32) {
                s.clear();
                for _ in 0..n {
                    s.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                assert_eq!(
                    word_decimal(&s),
                    loop_decimal(&s),
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
        // Seven and eight bytes: a sample, drawn with a fixed linear congruential generator.
        let mut r = 0x2545_F491_4F6C_DD1Du64;
        for n in [7, 8] {
            for _ in 0..200_000 {
                s.clear();
                for _ in 0..n {
                    r = r.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    // Mostly digits, so that long valid numbers are common.
                    let i = (r >> 33) as usize % (alphabet.len() + 12);
                    s.push(if i < alphabet.len() {
                        alphabet[i]
                    } else {
                        b'0' + (i % 10) as u8
                    });
                }
                assert_eq!(
                    word_decimal(&s),
                    loop_decimal(&s),
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
        for t in [
            "12345678", "99999999", "1234.567", "0.000001", "9999999.", "1.2.3.45",
        ] {
            assert_eq!(
                word_decimal(t.as_bytes()),
                loop_decimal(t.as_bytes()),
                "{t}"
            );
        }
    }

    #[test]
    fn booleans() {
        for (s, v) in [
            ("TRUE", Some(true)),
            ("Yes", Some(true)),
            ("1", Some(true)),
            ("no", Some(false)),
            ("False", Some(false)),
            ("0", Some(false)),
            ("y", None),
            ("10", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(s), v, "{s}");
        }
    }
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
            return match self.text_of(plan, lead, slot) {
                Some(t) => Decoded::Text(t),
                None => Decoded::Empty,
            };
        }
        match self.vals[slot] {
            Val::Num(n) => Decoded::Num(n),
            Val::Dec(d) => Decoded::Num(d.value()),
            v @ (Val::Day(_) | Val::Instant(_)) => Decoded::Date(v.date().expect("a date value")),
            Val::Bool(b) => Decoded::Bool(b),
            Val::Unread | Val::Null | Val::Text { .. } | Val::Bad(_) => Decoded::Empty,
        }
    }
}
