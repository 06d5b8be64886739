//! The value domains of the exact analysis: what one field (or one undecided test) can be.
//!
//! - numbers: a set of intervals over the reals with open or closed bounds, plus "empty";
//! - dates: the same over whole days (a date compares with plain dates by calendar day), with
//!   bounds normalised to closed integers so `before D` and `on or after D` leave no gap;
//! - text: a finite set of folded values, or everything except a finite set, plus "empty";
//! - booleans and undecided tests: a bit set over {true, false, empty}.
//!
//! Every operation is exact: complement includes "empty", so a negative operator is exactly
//! the negation of its positive, as the language defines it.

use std::collections::BTreeSet;

/// One interval; infinite bounds are always open.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iv {
    /// Lower bound (may be `-inf`).
    pub lo: f64,
    /// Whether `lo` itself is in.
    pub lo_closed: bool,
    /// Upper bound (may be `+inf`).
    pub hi: f64,
    /// Whether `hi` itself is in.
    pub hi_closed: bool,
}

impl Iv {
    /// `[lo, hi]` with the given closedness.
    pub fn new(lo: f64, lo_closed: bool, hi: f64, hi_closed: bool) -> Self {
        Iv {
            lo,
            lo_closed: lo_closed && lo.is_finite(),
            hi,
            hi_closed: hi_closed && hi.is_finite(),
        }
    }

    /// The single point `x`.
    pub fn point(x: f64) -> Self {
        Iv::new(x, true, x, true)
    }

    /// Everything.
    pub fn all() -> Self {
        Iv::new(f64::NEG_INFINITY, false, f64::INFINITY, false)
    }

    fn is_void(&self) -> bool {
        self.lo > self.hi || (self.lo == self.hi && !(self.lo_closed && self.hi_closed))
    }

    fn contains(&self, x: f64) -> bool {
        (self.lo < x || (self.lo_closed && self.lo == x))
            && (x < self.hi || (self.hi_closed && self.hi == x))
    }
}

/// A set of numbers (or whole days when `discrete`), plus whether the empty value is in it.
#[derive(Clone, Debug, PartialEq)]
pub struct NumSet {
    /// Sorted, disjoint, non-touching intervals.
    pub ivs: Vec<Iv>,
    /// Whether the empty value belongs to the set.
    pub empty: bool,
    /// Whole days: bounds are integers, closed, and `[a, b]`, `[b + 1, c]` merge.
    pub discrete: bool,
}

impl NumSet {
    /// A normalised set.
    pub fn new(ivs: Vec<Iv>, empty: bool, discrete: bool) -> Self {
        let mut s = NumSet {
            ivs,
            empty,
            discrete,
        };
        s.normalize();
        s
    }

    fn normalize(&mut self) {
        if self.discrete {
            for iv in &mut self.ivs {
                // Bounds of day sets are whole days, so an open bound is the next closed day.
                if iv.lo.is_finite() && !iv.lo_closed {
                    iv.lo += 1.0;
                    iv.lo_closed = true;
                }
                if iv.hi.is_finite() && !iv.hi_closed {
                    iv.hi -= 1.0;
                    iv.hi_closed = true;
                }
            }
        }
        self.ivs.retain(|iv| !iv.is_void());
        self.ivs.sort_by(|a, b| {
            a.lo.partial_cmp(&b.lo)
                .expect("bounds are never NaN")
                .then(b.lo_closed.cmp(&a.lo_closed))
        });
        let mut out: Vec<Iv> = Vec::with_capacity(self.ivs.len());
        for iv in self.ivs.drain(..) {
            if let Some(last) = out.last_mut() {
                let touches = last.hi > iv.lo
                    || (last.hi == iv.lo && (last.hi_closed || iv.lo_closed))
                    || (self.discrete && last.hi + 1.0 >= iv.lo);
                if touches {
                    if iv.hi > last.hi || (iv.hi == last.hi && iv.hi_closed) {
                        last.hi = iv.hi;
                        last.hi_closed = iv.hi_closed;
                    }
                    continue;
                }
            }
            out.push(iv);
        }
        self.ivs = out;
    }

    /// Every value, and empty.
    pub fn full(discrete: bool) -> Self {
        NumSet::new(vec![Iv::all()], true, discrete)
    }

    /// Whether no value (not even empty) is in it.
    pub fn is_void(&self) -> bool {
        self.ivs.is_empty() && !self.empty
    }

    /// The complement, including the empty value.
    pub fn complement(&self) -> Self {
        let mut ivs = Vec::new();
        let mut lo = f64::NEG_INFINITY;
        let mut lo_closed = false;
        for iv in &self.ivs {
            ivs.push(Iv::new(lo, lo_closed, iv.lo, !iv.lo_closed));
            lo = iv.hi;
            lo_closed = !iv.hi_closed;
        }
        ivs.push(Iv::new(lo, lo_closed, f64::INFINITY, false));
        NumSet::new(ivs, !self.empty, self.discrete)
    }

    /// The intersection.
    pub fn intersect(&self, other: &Self) -> Self {
        let mut ivs = Vec::new();
        for a in &self.ivs {
            for b in &other.ivs {
                let (lo, lo_closed) = if a.lo > b.lo {
                    (a.lo, a.lo_closed)
                } else if b.lo > a.lo {
                    (b.lo, b.lo_closed)
                } else {
                    (a.lo, a.lo_closed && b.lo_closed)
                };
                let (hi, hi_closed) = if a.hi < b.hi {
                    (a.hi, a.hi_closed)
                } else if b.hi < a.hi {
                    (b.hi, b.hi_closed)
                } else {
                    (a.hi, a.hi_closed && b.hi_closed)
                };
                ivs.push(Iv::new(lo, lo_closed, hi, hi_closed));
            }
        }
        NumSet::new(ivs, self.empty && other.empty, self.discrete)
    }

    /// The union.
    pub fn union(&self, other: &Self) -> Self {
        let mut ivs = self.ivs.clone();
        ivs.extend_from_slice(&other.ivs);
        NumSet::new(ivs, self.empty || other.empty, self.discrete)
    }

    /// Whether the number `x` is in the set.
    pub fn contains(&self, x: f64) -> bool {
        self.ivs.iter().any(|iv| iv.contains(x))
    }

    /// A value of the set, preferring a number (a whole one for days); `None` for empty only.
    pub fn pick(&self) -> Option<f64> {
        let iv = self.ivs.first()?;
        let x = match (iv.lo.is_finite(), iv.hi.is_finite()) {
            (true, _) if iv.lo_closed => iv.lo,
            (true, true) => (iv.lo + iv.hi) / 2.0,
            (true, false) => iv.lo + 1.0,
            (false, true) if iv.hi_closed => iv.hi,
            (false, true) => iv.hi - 1.0,
            (false, false) => 0.0,
        };
        Some(x)
    }
}

/// A set of text values (folded: trimmed, lower case), plus whether empty belongs to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextSet {
    /// `false`: exactly `values`; `true`: every non-empty text except `values`.
    pub cofinite: bool,
    /// The listed values.
    pub values: BTreeSet<String>,
    /// Whether the empty value belongs to the set.
    pub empty: bool,
}

impl TextSet {
    /// Every text, and empty.
    pub fn full() -> Self {
        TextSet {
            cofinite: true,
            values: BTreeSet::new(),
            empty: true,
        }
    }

    /// Exactly these values (not empty).
    pub fn of(values: impl IntoIterator<Item = String>) -> Self {
        TextSet {
            cofinite: false,
            values: values.into_iter().collect(),
            empty: false,
        }
    }

    /// Whether nothing is in it.
    pub fn is_void(&self) -> bool {
        !self.cofinite && self.values.is_empty() && !self.empty
    }

    /// The complement, including empty.
    pub fn complement(&self) -> Self {
        TextSet {
            cofinite: !self.cofinite,
            values: self.values.clone(),
            empty: !self.empty,
        }
    }

    /// The intersection.
    pub fn intersect(&self, o: &Self) -> Self {
        let (cofinite, values) = match (self.cofinite, o.cofinite) {
            (false, false) => (
                false,
                self.values.intersection(&o.values).cloned().collect(),
            ),
            (false, true) => (false, self.values.difference(&o.values).cloned().collect()),
            (true, false) => (false, o.values.difference(&self.values).cloned().collect()),
            (true, true) => (true, self.values.union(&o.values).cloned().collect()),
        };
        TextSet {
            cofinite,
            values,
            empty: self.empty && o.empty,
        }
    }

    /// The union (by De Morgan, so it shares the intersection's exactness).
    pub fn union(&self, o: &Self) -> Self {
        self.complement().intersect(&o.complement()).complement()
    }

    /// A non-empty text of the set, if it has one.
    pub fn pick(&self) -> Option<String> {
        if !self.cofinite {
            return self.values.iter().next().cloned();
        }
        (1..)
            .map(|i| {
                if i == 1 {
                    "other".to_string()
                } else {
                    format!("other {i}")
                }
            })
            .find(|s| !self.values.contains(s))
    }
}

/// Bits of [`Dom::Bits`].
pub const TRUE: u8 = 1;
/// The false bit.
pub const FALSE: u8 = 2;
/// The empty bit.
pub const EMPTY: u8 = 4;

/// The domain of one variable of the analysis.
#[derive(Clone, Debug, PartialEq)]
pub enum Dom {
    /// A number or date field.
    Num(NumSet),
    /// A text field.
    Text(TextSet),
    /// A boolean field ({true, false, empty}) or an undecided test ({true, false}).
    Bits {
        /// Which of TRUE, FALSE, EMPTY are in.
        bits: u8,
        /// Which can be in at all.
        universe: u8,
    },
}

impl Dom {
    /// Whether no value is in it.
    pub fn is_void(&self) -> bool {
        match self {
            Dom::Num(n) => n.is_void(),
            Dom::Text(t) => t.is_void(),
            Dom::Bits { bits, .. } => *bits == 0,
        }
    }

    /// Whether every value is in it.
    pub fn is_full(&self) -> bool {
        self.complement().is_void()
    }

    /// The complement.
    pub fn complement(&self) -> Dom {
        match self {
            Dom::Num(n) => Dom::Num(n.complement()),
            Dom::Text(t) => Dom::Text(t.complement()),
            Dom::Bits { bits, universe } => Dom::Bits {
                bits: universe & !bits,
                universe: *universe,
            },
        }
    }

    /// The intersection (both sides are of the same variable, so of the same kind).
    pub fn intersect(&self, o: &Dom) -> Dom {
        match (self, o) {
            (Dom::Num(a), Dom::Num(b)) => Dom::Num(a.intersect(b)),
            (Dom::Text(a), Dom::Text(b)) => Dom::Text(a.intersect(b)),
            (Dom::Bits { bits: a, universe }, Dom::Bits { bits: b, .. }) => Dom::Bits {
                bits: a & b,
                universe: *universe,
            },
            _ => unreachable!("domains of one variable have one kind"),
        }
    }

    /// The union.
    pub fn union(&self, o: &Dom) -> Dom {
        match (self, o) {
            (Dom::Num(a), Dom::Num(b)) => Dom::Num(a.union(b)),
            (Dom::Text(a), Dom::Text(b)) => Dom::Text(a.union(b)),
            (Dom::Bits { bits: a, universe }, Dom::Bits { bits: b, .. }) => Dom::Bits {
                bits: a | b,
                universe: *universe,
            },
            _ => unreachable!("domains of one variable have one kind"),
        }
    }

    /// Whether every value of `self` is in `o`.
    pub fn subset_of(&self, o: &Dom) -> bool {
        self.intersect(&o.complement()).is_void()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_least(x: f64) -> NumSet {
        NumSet::new(vec![Iv::new(x, true, f64::INFINITY, false)], false, false)
    }

    #[test]
    fn open_and_closed_bounds_meet_exactly() {
        let ge40 = at_least(40.0);
        let gt40 = NumSet::new(
            vec![Iv::new(40.0, false, f64::INFINITY, false)],
            false,
            false,
        );
        // `greater than 40` lies inside `at least 40`, not the other way round: 40 itself.
        assert!(gt40.intersect(&ge40.complement()).is_void());
        let rest = ge40.intersect(&gt40.complement());
        assert_eq!(rest.ivs, vec![Iv::point(40.0)]);
        // The complement of `at least 40` holds everything below 40, and empty.
        let c = ge40.complement();
        assert!(c.empty && c.contains(39.999) && !c.contains(40.0));
    }

    #[test]
    fn days_leave_no_gap_between_before_and_on_or_after() {
        let before = NumSet::new(
            vec![Iv::new(f64::NEG_INFINITY, false, 100.0, false)],
            true,
            true,
        );
        let from = NumSet::new(
            vec![Iv::new(100.0, true, f64::INFINITY, false)],
            false,
            true,
        );
        let both = before.union(&from);
        assert_eq!(both, NumSet::full(true));
    }

    #[test]
    fn text_complement_is_exact() {
        let india = TextSet::of(["india".to_string()]);
        let not_india = india.complement();
        assert!(not_india.empty);
        assert!(india.intersect(&not_india).is_void());
        assert_eq!(india.union(&not_india), TextSet::full());
        assert_eq!(not_india.pick().as_deref(), Some("other"));
    }
}
