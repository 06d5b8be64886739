//! First-match blocks: the assignment rules of a model, and the transitions out of one stage.
//! For each choice in order it decides whether it is a contradiction, unreachable (and which
//! earlier choices cover it), or a tautology; it finds a lead that no rule takes (a gap) and
//! transitions that overlap, each confirmed on a concrete lead.
//!
//! What is still possible after choices 1..i is kept as a region. When a region grows past the
//! cap, the previous (larger) one is kept: it still contains every lead that can get that far,
//! so "no lead gets here" stays true, and findings only go missing, never appear wrongly.

use super::eval::Lead;
use super::region::{Analyzer, Region};
use crate::ir::{CondId, ModelId, Program, StageId};
use crate::span::Span;

/// One choice of a block: a rule, a transition, a `default` or an `otherwise` (no condition).
#[derive(Clone, Debug)]
pub struct Choice {
    /// Its condition; `None` for `default` and `otherwise`.
    pub cond: Option<CondId>,
    /// Where it is written.
    pub span: Span,
    /// 1-based line.
    pub line: u32,
    /// The stage it gives.
    pub target: StageId,
}

/// What the analysis proved about one choice.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Some lead may take it (or the analysis could not tell).
    Reachable,
    /// Its condition matches no lead.
    Contradiction,
    /// Every lead it matches is taken by the listed earlier choices (indices into the block).
    Unreachable(Vec<usize>),
}

/// Which block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// A model's assignment rules.
    Rules,
    /// The transitions out of one stage.
    Transitions(StageId),
}

/// The analysis of one first-match block.
#[derive(Clone, Debug)]
pub struct Block {
    /// The model.
    pub model: ModelId,
    /// Rules or transitions.
    pub kind: BlockKind,
    /// Choices in the order they are tried.
    pub choices: Vec<Choice>,
    /// One verdict per choice.
    pub verdicts: Vec<Verdict>,
    /// Per choice: its condition matches every lead.
    pub tautology: Vec<bool>,
    /// For rules without `default`: a lead no rule takes, checked on the concrete lead.
    pub gap: Option<Lead>,
    /// (earlier, later, a lead both match): transitions whose conditions overlap.
    pub overlaps: Vec<(usize, usize, Lead)>,
}

/// Analyzes every block of every model.
pub fn analyze(program: &Program, an: &mut Analyzer) -> Vec<Block> {
    let mut blocks = Vec::new();
    for (mi, model) in program.models.iter().enumerate() {
        let model_id = ModelId(mi as u32);
        let mut choices: Vec<Choice> = model
            .rules
            .iter()
            .map(|r| Choice {
                cond: Some(r.cond),
                span: r.span,
                line: r.line,
                target: r.stage,
            })
            .collect();
        if let Some(d) = &model.default {
            choices.push(Choice {
                cond: None,
                span: d.span,
                line: d.line,
                target: d.stage,
            });
        }
        if !choices.is_empty() {
            blocks.push(block(program, an, model_id, BlockKind::Rules, choices));
        }
        for s in 0..model.stages.len() {
            let from = StageId(s as u32);
            let out: Vec<&crate::ir::Transition> = model
                .transitions
                .iter()
                .filter(|t| t.from == from)
                .collect();
            // `otherwise` is the way out when no `when` matches, wherever it is written.
            let choices: Vec<Choice> = out
                .iter()
                .filter(|t| t.when.is_some())
                .chain(out.iter().filter(|t| t.when.is_none()))
                .map(|t| Choice {
                    cond: t.when,
                    span: t.span,
                    line: t.line,
                    target: t.to,
                })
                .collect();
            if !choices.is_empty() {
                blocks.push(block(
                    program,
                    an,
                    model_id,
                    BlockKind::Transitions(from),
                    choices,
                ));
            }
        }
    }
    blocks
}

fn block(
    program: &Program,
    an: &mut Analyzer,
    model: ModelId,
    kind: BlockKind,
    choices: Vec<Choice>,
) -> Block {
    let regions: Vec<Option<Region>> = choices
        .iter()
        .map(|c| match c.cond {
            Some(id) => an.region(id),
            None => Some(Region::full()),
        })
        .collect();
    let mut remaining = Region::full();
    let mut verdicts = Vec::with_capacity(choices.len());
    let mut tautology = Vec::with_capacity(choices.len());
    for (i, r) in regions.iter().enumerate() {
        let Some(r) = r else {
            verdicts.push(Verdict::Reachable);
            tautology.push(false);
            continue;
        };
        tautology.push(choices[i].cond.is_some() && r.is_full() == Some(true));
        if r.is_empty() {
            verdicts.push(if choices[i].cond.is_some() {
                Verdict::Contradiction
            } else {
                Verdict::Reachable
            });
            continue;
        }
        match r.intersect(&remaining) {
            Some(x) if x.is_empty() => {
                verdicts.push(Verdict::Unreachable(cover(r, &regions[..i], &verdicts)));
            }
            _ => verdicts.push(Verdict::Reachable),
        }
        if let Some(rest) = r.complement().and_then(|c| c.intersect(&remaining)) {
            remaining = rest;
        }
    }
    let has_fallback = choices.iter().any(|c| c.cond.is_none());
    let gap = if kind == BlockKind::Rules && !has_fallback {
        find_gap(program, &choices, &remaining)
    } else {
        None
    };
    let overlaps = if matches!(kind, BlockKind::Transitions(_)) {
        find_overlaps(program, &choices, &regions, &verdicts)
    } else {
        Vec::new()
    };
    Block {
        model,
        kind,
        choices,
        verdicts,
        tautology,
        gap,
        overlaps,
    }
}

/// The earlier choices that cover `r`: those sharing a lead with it, then (latest first) each
/// dropped if the others still cover `r`, so the finding names a small set.
fn cover(r: &Region, earlier: &[Option<Region>], verdicts: &[Verdict]) -> Vec<usize> {
    let mut by: Vec<usize> = (0..earlier.len())
        .filter(|&j| verdicts[j] == Verdict::Reachable)
        .filter(|&j| {
            earlier[j]
                .as_ref()
                .and_then(|rj| rj.intersect(r))
                .is_some_and(|x| !x.is_empty())
        })
        .collect();
    let covered = |set: &[usize]| {
        let mut rest = r.clone();
        for &k in set {
            let Some(next) = earlier[k]
                .as_ref()
                .and_then(|rk| rk.complement())
                .and_then(|c| c.intersect(&rest))
            else {
                return false;
            };
            rest = next;
        }
        rest.is_empty()
    };
    for pos in (0..by.len()).rev() {
        let mut without = by.clone();
        without.remove(pos);
        if !without.is_empty() && covered(&without) {
            by = without;
        }
    }
    by
}

/// A lead of `remaining` that really matches no choice.
fn find_gap(program: &Program, choices: &[Choice], remaining: &Region) -> Option<Lead> {
    remaining.0.iter().take(32).find_map(|b| {
        let lead = Lead::from_box(program, b);
        let none = choices.iter().all(|c| {
            c.cond
                .is_some_and(|id| lead.matches(program, id) == Some(false))
        });
        none.then_some(lead)
    })
}

/// Pairs of reachable `when` transitions that some concrete lead matches both of.
fn find_overlaps(
    program: &Program,
    choices: &[Choice],
    regions: &[Option<Region>],
    verdicts: &[Verdict],
) -> Vec<(usize, usize, Lead)> {
    let mut out = Vec::new();
    for j in 0..choices.len() {
        let (Some(cj), Some(rj)) = (choices[j].cond, &regions[j]) else {
            continue;
        };
        if verdicts[j] != Verdict::Reachable {
            continue;
        }
        for i in 0..j {
            let (Some(ci), Some(ri)) = (choices[i].cond, &regions[i]) else {
                continue;
            };
            if verdicts[i] != Verdict::Reachable {
                continue;
            }
            let Some(both) = ri.intersect(rj) else {
                continue;
            };
            let lead = both
                .0
                .iter()
                .take(32)
                .map(|b| Lead::from_box(program, b))
                .find(|l| {
                    l.matches(program, ci) == Some(true) && l.matches(program, cj) == Some(true)
                });
            if let Some(lead) = lead {
                out.push((i, j, lead));
                // One finding per later transition: the first earlier one that wins.
                break;
            }
        }
    }
    out
}
