//! The model's semantics for one lead: assignment rules for new leads, transitions for leads
//! with a stage, gates routed at once, campaigns.

use super::eval::{Lead, LeadState};
use super::plan::{Plan, Via};
use crate::ir::StageId;

/// Where one lead ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The stage it was in (none for a new lead).
    pub from: Option<StageId>,
    /// The stage it is in after the run (none: assigned to nothing).
    pub to: Option<StageId>,
    /// The choice that placed it, when one did.
    pub via: Option<Via>,
}

impl Outcome {
    /// Whether the run changed the lead's stage.
    pub fn changed(&self) -> bool {
        self.via.is_some() && self.from != self.to
    }
}

/// Decides one loaded lead. `current` is its stage from the stage column, if any.
pub fn decide<L: Lead>(
    plan: &Plan,
    state: &mut LeadState,
    lead: &mut L,
    current: Option<StageId>,
) -> Outcome {
    let stay = Outcome {
        from: current,
        to: current,
        via: None,
    };
    let (stage, via) = if let Some(c) = &plan.campaign {
        if !state.eval(plan, lead, c.list) {
            return stay;
        }
        (c.stage, Via::Campaign)
    } else if let Some(cur) = current {
        // At most one move through non-gate stages: the first transition out that holds.
        match first_step(plan, state, lead, cur) {
            Some(step) => step,
            None => return stay,
        }
    } else {
        let rule = plan
            .model
            .rules
            .iter()
            .position(|&(cond, _)| state.eval(plan, lead, cond));
        match (rule, plan.model.default) {
            (Some(i), _) => (plan.model.rules[i].1, Via::Rule(i as u32)),
            (None, Some(d)) => (d, Via::Default),
            (None, None) => return stay,
        }
    };
    let (to, via) = route(plan, state, lead, stage, via);
    Outcome {
        from: current,
        to: Some(to),
        via: Some(via),
    }
}

/// The first transition out of `stage` whose condition holds.
fn first_step<L: Lead>(
    plan: &Plan,
    state: &mut LeadState,
    lead: &mut L,
    stage: StageId,
) -> Option<(StageId, Via)> {
    plan.model.out_of[stage.index()]
        .iter()
        .find(|s| s.when.is_none_or(|w| state.eval(plan, lead, w)))
        .map(|s| (s.to, Via::Transition(s.index)))
}

/// A lead that lands on a gate is routed on at once, through as many gates as follow; a gate
/// cycle (which the linter reports) stops after visiting every stage once.
fn route<L: Lead>(
    plan: &Plan,
    state: &mut LeadState,
    lead: &mut L,
    mut stage: StageId,
    mut via: Via,
) -> (StageId, Via) {
    let mut hops = 0;
    while plan.model.stages[stage.index()].gate && hops < plan.model.stages.len() {
        match first_step(plan, state, lead, stage) {
            Some((to, v)) => {
                stage = to;
                via = v;
            }
            None => break,
        }
        hops += 1;
    }
    (stage, via)
}
