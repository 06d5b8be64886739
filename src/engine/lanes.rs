//! Batch evaluation: up to [`LANES`] loaded leads decided together, one bit per lead.
//!
//! A condition is evaluated for a mask of leads and gives the mask of those it holds for. A
//! test on a number, date or boolean runs over the batch's values of its slot in one tight loop
//! without a branch per lead, instead of one dispatch through the condition tree per lead; a
//! text test runs only for the leads still in question, one by one, as the single-lead
//! evaluator would. `and` narrows the mask child by child and `or` drops the leads already
//! found, so a condition is tested for exactly the leads whose answer it can still change, as
//! short-circuit evaluation would; every test is pure, so the outcome of each lead is the one
//! [`decide`](super::decide::decide) gives it alone.

use super::cell::{typed, typed_number_word};
use super::decide::Outcome;
use super::eval::{BadValue, Cell, LANES, Lead, LeadState, Val, at, num_test};
use super::plan::{Node, NodeTest, Plan, Via};
use crate::ir::{NumTest, StageId, Type};

/// The leads of a batch, each seen through [`Lead`].
pub trait Leads {
    /// Whether a cell can be [`Cell::Nested`], as for [`Lead::CAN_NEST`].
    const CAN_NEST: bool = true;

    /// One lead of the batch.
    type One<'s>: Lead
    where
        Self: 's;

    /// The lead in `lane`.
    fn lane(&mut self, lane: usize) -> Self::One<'_>;
}

/// The lanes whose bit is set in `m`, lowest first.
#[inline(always)]
pub(crate) fn lanes(mut m: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (m != 0).then(|| {
            let i = m.trailing_zeros() as usize;
            m &= m - 1;
            i
        })
    })
}

/// The lanes of `m` that `keep` holds for.
fn lanes_where(m: u64, keep: impl Fn(usize) -> bool) -> u64 {
    lanes(m).filter(|&i| keep(i)).fold(0, |m, i| m | 1 << i)
}

/// Bit `i` set for each of `vals` (lane `i`) that `hit` holds for. One loop per kind of test,
/// so that the loop body is a load, a compare and an or.
#[inline(always)]
fn mask(vals: &[Val], hit: impl Fn(&Val) -> bool) -> u64 {
    let mut m = 0u64;
    for (i, v) in vals.iter().enumerate() {
        m |= (hit(v) as u64) << i;
    }
    m
}

/// A number test over lanes; `empty` is the answer for a lane without a number. Lanes hold no
/// [`Val::Dec`]: [`LeadState::load_lanes`] divides them.
#[inline(always)]
fn num_mask(vals: &[Val], empty: bool, t: impl Fn(f64) -> bool) -> u64 {
    mask(vals, |v| {
        let (is_num, x) = match *v {
            Val::Num(x) => (true, x),
            _ => (false, 0.0),
        };
        (is_num & t(x)) | (!is_num & empty)
    })
}

/// A value of a batch that is not usable: its lane, its slot, and what is wrong.
pub type BadLane = (u32, u32, BadValue);

impl LeadState {
    /// Decodes the typed fields of the leads in lanes `0..count`, a slot at a time: each slot's
    /// loop parses one type, with no dispatch on the type per value. Numbers with a fraction
    /// are divided at once, since a batch's tests read every lane of a slot. A value that is
    /// not usable is null for matching and goes to `bad`, slot by slot (not in lane order).
    pub fn load_lanes<B: Leads>(
        &mut self,
        plan: &Plan,
        leads: &mut B,
        count: usize,
        bad: &mut Vec<BadLane>,
    ) {
        self.forget_lanes(count);
        if B::CAN_NEST {
            for (slot, s) in plan.slots.iter().enumerate() {
                for lane in 0..count {
                    if s.ty == Type::Text && matches!(leads.lane(lane).cell(s.column), Cell::Nested)
                    {
                        self.vals[at(slot, lane)] = Val::Null;
                        bad.push((lane as u32, slot as u32, BadValue::Nested));
                    }
                }
            }
        }
        for t in &plan.typed {
            let (slot, col) = (t.slot as usize, t.column as usize);
            // Each arm is its own loop, with the type known inside it.
            match t.ty {
                Type::Number => self.load_column(leads, count, slot, col, Type::Number, bad),
                Type::Date => self.load_column(leads, count, slot, col, Type::Date, bad),
                Type::Boolean => self.load_column(leads, count, slot, col, Type::Boolean, bad),
                Type::Text => unreachable!("text is decoded lazily, not loaded"),
            }
        }
    }

    #[inline(always)]
    fn load_column<B: Leads>(
        &mut self,
        leads: &mut B,
        count: usize,
        slot: usize,
        col: usize,
        ty: Type,
        bad: &mut Vec<BadLane>,
    ) {
        for lane in 0..count {
            let mut lead = leads.lane(lane);
            let short = if ty == Type::Number {
                lead.short_cell(col)
            } else {
                None
            };
            let mut v = match short {
                Some((w, s)) => typed_number_word(w, s),
                None => typed(ty, lead.cell(col)),
            };
            match v {
                Val::Dec(d) => v = Val::Num(d.value()),
                Val::Bad(b) => {
                    bad.push((lane as u32, slot as u32, b));
                    v = Val::Null;
                }
                _ => {}
            }
            self.vals[at(slot, lane)] = v;
        }
    }

    /// The lanes of `active` whose lead the condition node `n` holds for. `count` leads are
    /// loaded (lanes `0..count`); `active` names only such lanes.
    pub fn eval_lanes<B: Leads>(
        &mut self,
        plan: &Plan,
        leads: &mut B,
        count: usize,
        n: u32,
        active: u64,
    ) -> u64 {
        match &plan.nodes[n as usize] {
            Node::And(c) => {
                let mut m = active;
                for &x in c.iter() {
                    if m == 0 {
                        break;
                    }
                    m = self.eval_lanes(plan, leads, count, x, m);
                }
                m
            }
            Node::Or(c) => {
                let (mut hit, mut rest) = (0, active);
                for &x in c.iter() {
                    if rest == 0 {
                        break;
                    }
                    let h = self.eval_lanes(plan, leads, count, x, rest);
                    hit |= h;
                    rest &= !h;
                }
                hit
            }
            Node::Not(x) => active & !self.eval_lanes(plan, leads, count, *x, active),
            Node::List(l) => {
                let l = *l as usize;
                let need = active & !self.lists_known[l];
                if need != 0 {
                    let m = self.eval_lanes(plan, leads, count, plan.lists[l], need);
                    self.lists_in[l] |= m;
                    self.lists_known[l] |= need;
                }
                self.lists_in[l] & active
            }
            Node::Filter { slot, neg, test } => {
                let slot = *slot as usize;
                let hit = if plan.slots[slot].ty == Type::Text {
                    let mut m = 0;
                    for i in lanes(active) {
                        let mut lead = leads.lane(i);
                        m |= (self.test(plan, &mut lead, i, slot, test) as u64) << i;
                    }
                    m
                } else {
                    self.typed_lanes(slot, test, count)
                };
                (hit ^ if *neg { !0 } else { 0 }) & active
            }
            Node::Unused => 0,
        }
    }

    /// A typed test over lanes `0..count` of `slot`.
    fn typed_lanes(&mut self, slot: usize, test: &NodeTest, count: usize) -> u64 {
        let vals = &self.vals[at(slot, 0)..at(slot, count)];
        match test {
            NodeTest::Num(t, empty) => {
                let e = *empty;
                match *t {
                    NumTest::AtLeast(b) => num_mask(vals, e, |x| x >= b),
                    NumTest::AtMost(b) => num_mask(vals, e, |x| x <= b),
                    NumTest::GreaterThan(b) => num_mask(vals, e, |x| x > b),
                    NumTest::LessThan(b) => num_mask(vals, e, |x| x < b),
                    NumTest::Between(lo, hi) => num_mask(vals, e, |x| lo <= x && x <= hi),
                    NumTest::Is(_) => num_mask(vals, e, |x| num_test(t, x)),
                }
            }
            NodeTest::Empty => mask(vals, |v| matches!(v, Val::Null)),
            NodeTest::Bool(b) => {
                let b = *b;
                mask(vals, |v| matches!(*v, Val::Bool(x) if x == b))
            }
            // Dates; a copy of each value is tested, since lanes hold no decimal to divide.
            _ => mask(vals, |v| super::eval::typed_test(&mut { *v }, test)),
        }
    }

    /// Decides the leads of lanes `all` (of the `current.len()` loaded by
    /// [`LeadState::load_lanes`], each with its stage from the stage column, if any) into
    /// `out`, lane for lane what [`decide`](super::decide::decide) gives each lead alone.
    /// Forgets the batch's text and smart lists first.
    pub fn decide_lanes<B: Leads>(
        &mut self,
        plan: &Plan,
        leads: &mut B,
        current: &[Option<StageId>],
        all: u64,
        out: &mut [Outcome],
    ) {
        let count = current.len();
        debug_assert!(
            count <= LANES && out.len() >= count && (count == LANES || all >> count == 0)
        );
        self.text.clear();
        self.lists_known.iter_mut().for_each(|l| *l = 0);
        self.lists_in.iter_mut().for_each(|l| *l = 0);
        for (o, &c) in out.iter_mut().zip(current) {
            *o = Outcome {
                from: c,
                to: c,
                via: None,
            };
        }
        let placed;
        if let Some(c) = &plan.campaign {
            placed = self.eval_lanes(plan, leads, count, c.list, all);
            for i in lanes(placed) {
                out[i].to = Some(c.stage);
                out[i].via = Some(Via::Campaign);
            }
        } else {
            let new = lanes_where(all, |i| current[i].is_none());
            let mut rest = new;
            for (k, &(cond, stage)) in plan.model.rules.iter().enumerate() {
                if rest == 0 {
                    break;
                }
                let m = self.eval_lanes(plan, leads, count, cond, rest);
                for i in lanes(m) {
                    out[i].to = Some(stage);
                    out[i].via = Some(Via::Rule(k as u32));
                }
                rest &= !m;
            }
            let mut moved = new & !rest;
            if let Some(d) = plan.model.default {
                for i in lanes(rest) {
                    out[i].to = Some(d);
                    out[i].via = Some(Via::Default);
                }
                moved = new;
            }
            // At most one move through non-gate stages: the first transition out that holds,
            // for the leads of each current stage together.
            let mut staged = all & !new;
            while staged != 0 {
                let s = current[staged.trailing_zeros() as usize].expect("a staged lead");
                let group = lanes_where(staged, |i| current[i] == Some(s));
                staged &= !group;
                moved |= self.step_lanes(plan, leads, count, s, group, out);
            }
            placed = moved;
        }
        self.route_lanes(plan, leads, count, placed, out);
    }

    /// Moves the lanes of `group` (all in stage `stage`) by the first transition out of it that
    /// holds for each; gives the lanes that moved.
    fn step_lanes<B: Leads>(
        &mut self,
        plan: &Plan,
        leads: &mut B,
        count: usize,
        stage: StageId,
        group: u64,
        out: &mut [Outcome],
    ) -> u64 {
        let mut rest = group;
        for t in &plan.model.out_of[stage.index()] {
            if rest == 0 {
                break;
            }
            let m = match t.when {
                None => rest,
                Some(w) => self.eval_lanes(plan, leads, count, w, rest),
            };
            for i in lanes(m) {
                out[i].to = Some(t.to);
                out[i].via = Some(Via::Transition(t.index));
            }
            rest &= !m;
        }
        group & !rest
    }

    /// Routes the lanes of `placed` that landed on a gate on at once, a hop at a time for all
    /// of them together, through as many gates as follow; a gate cycle (which the linter
    /// reports) stops after visiting every stage once, as for one lead.
    fn route_lanes<B: Leads>(
        &mut self,
        plan: &Plan,
        leads: &mut B,
        count: usize,
        placed: u64,
        out: &mut [Outcome],
    ) {
        let stages = &plan.model.stages;
        let at_gate = |o: &Outcome| o.to.is_some_and(|s| stages[s.index()].gate);
        let mut routing = lanes_where(placed, |i| at_gate(&out[i]));
        for _ in 0..stages.len() {
            if routing == 0 {
                break;
            }
            let mut todo = routing;
            while todo != 0 {
                let s = out[todo.trailing_zeros() as usize].to.expect("at a gate");
                let group = lanes_where(todo, |i| out[i].to == Some(s));
                todo &= !group;
                let moved = self.step_lanes(plan, leads, count, s, group, out);
                routing &= !(group & !moved);
            }
            routing = lanes_where(routing, |i| at_gate(&out[i]));
        }
    }
}
