//! What a run did: counts merged from every thread, shown to people or as JSON.

use super::plan::{Plan, Via};
use crate::ir::date::format_day;
use serde::Serialize;

/// A field's values that did not parse as its type.
#[derive(Clone, Debug, Default)]
pub struct Unparsed {
    /// How many.
    pub count: u64,
    /// The first one: its line and text.
    pub first: Option<(u64, String)>,
}

/// Counts of one chunk, or of the whole run once merged.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Leads read (rejected ones included).
    pub read: u64,
    /// Leads in each stage after the run (index = stage).
    pub per_stage: Vec<u64>,
    /// Leads assigned to nothing.
    pub unassigned: u64,
    /// Leads whose stage the run changed.
    pub changed: u64,
    /// Choices that named the stage the lead was already in.
    pub skipped: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Activities written.
    pub events: u64,
    /// Hits per assignment rule.
    pub rule_hits: Vec<u64>,
    /// Hits per transition.
    pub transition_hits: Vec<u64>,
    /// Hits of the default.
    pub default_hits: u64,
    /// Hits of the campaign.
    pub campaign_hits: u64,
    /// Per slot of the plan.
    pub unparsed: Vec<Unparsed>,
}

impl Stats {
    /// Zeroed counts shaped for a plan.
    pub fn new(plan: &Plan) -> Self {
        Stats {
            per_stage: vec![0; plan.model.stages.len()],
            rule_hits: vec![0; plan.model.rules.len()],
            transition_hits: vec![0; plan.model.transition_lines.len()],
            unparsed: vec![Unparsed::default(); plan.slots.len()],
            ..Stats::default()
        }
    }

    /// Counts a hit of a choice.
    pub fn hit(&mut self, via: Via) {
        match via {
            Via::Rule(i) => self.rule_hits[i as usize] += 1,
            Via::Transition(i) => self.transition_hits[i as usize] += 1,
            Via::Default => self.default_hits += 1,
            Via::Campaign => self.campaign_hits += 1,
        }
    }

    /// Adds the counts of a later chunk whose first line is `base` (its unparsed examples
    /// carry lines relative to that).
    pub fn merge_at(&mut self, o: &Stats, base: u64) {
        fn add(a: &mut [u64], b: &[u64]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.read += o.read;
        add(&mut self.per_stage, &o.per_stage);
        self.unassigned += o.unassigned;
        self.changed += o.changed;
        self.skipped += o.skipped;
        self.rejected += o.rejected;
        self.events += o.events;
        add(&mut self.rule_hits, &o.rule_hits);
        add(&mut self.transition_hits, &o.transition_hits);
        self.default_hits += o.default_hits;
        self.campaign_hits += o.campaign_hits;
        for (a, b) in self.unparsed.iter_mut().zip(&o.unparsed) {
            a.count += b.count;
            if a.first.is_none() {
                a.first = b.first.as_ref().map(|(line, v)| (base + line, v.clone()));
            }
        }
    }

    /// Leads placed in some stage.
    pub fn assigned(&self) -> u64 {
        self.per_stage.iter().sum()
    }
}

/// The summary of a run, as `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The model.
    pub model: String,
    /// Its status.
    pub status: &'static str,
    /// The campaign run, if any.
    pub campaign: Option<String>,
    /// The as-of day (ISO).
    pub as_of: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Leads read.
    pub read: u64,
    /// Leads placed in a stage.
    pub assigned: u64,
    /// Leads placed in no stage.
    pub unassigned: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Leads whose stage changed.
    pub changed: u64,
    /// Moves to the stage a lead was already in.
    pub skipped: u64,
    /// Activities recorded.
    pub events: u64,
    /// Leads per stage, success path first.
    pub stages: Vec<StageCount>,
    /// Hits per choice, in file order.
    pub rules: Vec<RuleHits>,
    /// Values that did not parse, per field.
    pub unparsed: Vec<UnparsedField>,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Throughput.
    pub leads_per_second: f64,
    /// Threads used.
    pub threads: usize,
}

/// One stage's count.
#[derive(Debug, Serialize)]
pub struct StageCount {
    /// Stage name.
    pub stage: String,
    /// Off the success path.
    pub detour: bool,
    /// Leads in it.
    pub leads: u64,
}

/// One choice's hits.
#[derive(Debug, Serialize)]
pub struct RuleHits {
    /// `FILE:LINE` or `default`.
    pub rule: String,
    /// What kind of choice.
    pub kind: &'static str,
    /// Leads it placed.
    pub hits: u64,
}

/// Values of one field that did not parse.
#[derive(Debug, Serialize)]
pub struct UnparsedField {
    /// The field.
    pub field: String,
    /// Its type.
    pub r#type: &'static str,
    /// How many values.
    pub count: u64,
    /// Line of the first.
    pub first_line: u64,
    /// Text of the first.
    pub first_value: String,
}

impl Summary {
    /// Builds the summary of a finished run. Transitions are listed only when leads could take
    /// them (`stage_column`: the input gave current stages).
    pub fn new(
        plan: &Plan,
        stats: &Stats,
        seconds: f64,
        threads: usize,
        dry_run: bool,
        stage_column: bool,
    ) -> Self {
        let detours: Vec<bool> = plan.model.stages.iter().map(|s| s.detour).collect();
        let mut order: Vec<usize> = (0..plan.model.stages.len())
            .filter(|&i| !plan.model.stages[i].gate)
            .collect();
        order.sort_by_key(|&i| detours[i]);
        let stages = order
            .into_iter()
            .map(|i| StageCount {
                stage: plan.model.stages[i].name.clone(),
                detour: detours[i],
                leads: stats.per_stage[i],
            })
            .collect();
        let mut rules: Vec<(u32, RuleHits)> = Vec::new();
        if let Some(c) = &plan.campaign {
            rules.push((
                c.line,
                RuleHits {
                    rule: plan.location(Via::Campaign),
                    kind: "campaign",
                    hits: stats.campaign_hits,
                },
            ));
        } else {
            for (i, &h) in stats.rule_hits.iter().enumerate() {
                rules.push((
                    plan.model.rule_lines[i],
                    RuleHits {
                        rule: plan.location(Via::Rule(i as u32)),
                        kind: "rule",
                        hits: h,
                    },
                ));
            }
            if let Some(line) = plan.model.default_line {
                rules.push((
                    line,
                    RuleHits {
                        rule: "default".into(),
                        kind: "default",
                        hits: stats.default_hits,
                    },
                ));
            }
            for (i, &h) in stats.transition_hits.iter().enumerate() {
                if !stage_column {
                    break;
                }
                rules.push((
                    plan.model.transition_lines[i],
                    RuleHits {
                        rule: plan.location(Via::Transition(i as u32)),
                        kind: "transition",
                        hits: h,
                    },
                ));
            }
        }
        rules.sort_by_key(|(line, _)| *line);
        let unparsed = stats
            .unparsed
            .iter()
            .enumerate()
            .filter(|(_, u)| u.count > 0)
            .map(|(i, u)| {
                let (line, value) = u.first.clone().unwrap_or_default();
                UnparsedField {
                    field: plan.slots[i].name.clone(),
                    r#type: plan.slots[i].ty.as_str(),
                    count: u.count,
                    first_line: line,
                    first_value: value,
                }
            })
            .collect();
        Summary {
            model: plan.model.name.clone(),
            status: plan.model.status.as_str(),
            campaign: plan.campaign.as_ref().map(|c| c.name.clone()),
            as_of: format_day(plan.as_of),
            dry_run,
            read: stats.read,
            assigned: stats.assigned(),
            unassigned: stats.unassigned,
            rejected: stats.rejected,
            changed: stats.changed,
            skipped: stats.skipped,
            events: stats.events,
            stages,
            rules: rules.into_iter().map(|(_, r)| r).collect(),
            unparsed,
            seconds,
            leads_per_second: if seconds > 0.0 {
                stats.read as f64 / seconds
            } else {
                0.0
            },
            threads,
        }
    }

    /// The summary for people.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let campaign = self
            .campaign
            .as_ref()
            .map(|c| format!(", campaign `{c}`"))
            .unwrap_or_default();
        s += &format!(
            "model `{}` ({}){campaign}, as of {}{}\n",
            self.model,
            self.status,
            self.as_of,
            if self.dry_run {
                " — dry run: nothing written"
            } else {
                ""
            }
        );
        // One column of counts: labels and stage names (indented under `assigned`) share a width.
        let names = self.stages.iter().map(|st| st.stage.chars().count() + 2);
        let w = names.chain([10]).max().unwrap_or(10);
        let line =
            |label: &str, n: u64, note: &str| format!("  {label:<w$}  {:>10}{note}\n", group(n));
        s += &line(
            "read",
            self.read,
            &format!(
                "  in {:.3} s ({} leads/s, {} threads)",
                self.seconds,
                group(self.leads_per_second as u64),
                self.threads
            ),
        );
        s += &line("assigned", self.assigned, "");
        let max = self
            .stages
            .iter()
            .map(|st| st.leads)
            .max()
            .unwrap_or(0)
            .max(1);
        for st in &self.stages {
            let bar = "█".repeat(((st.leads * 30).div_ceil(max)) as usize);
            let tag = if st.detour { " (detour)" } else { "" };
            s += &line(
                &format!("  {}", st.stage),
                st.leads,
                &format!("  {bar}{tag}"),
            );
        }
        s += &line("unassigned", self.unassigned, "");
        s += &line("rejected", self.rejected, "");
        s += &line("changed", self.changed, "");
        s += &line(
            "skipped",
            self.skipped,
            "  (moves to the stage a lead was already in)",
        );
        s += &line("activities", self.events, "");
        if !self.rules.is_empty() {
            s += "hits per rule\n";
            let w = self.rules.iter().map(|r| r.rule.len()).max().unwrap_or(0);
            for r in &self.rules {
                let note = if r.hits == 0 { "  <- never fired" } else { "" };
                s += &format!(
                    "  {:<w$}  {:<10}  {:>10}{note}\n",
                    r.rule,
                    r.kind,
                    group(r.hits)
                );
            }
        }
        if !self.unparsed.is_empty() {
            s += "values that did not parse (treated as empty)\n";
            for u in &self.unparsed {
                s += &format!(
                    "  `{}` ({}): {}, first on line {}: {:?}\n",
                    u.field,
                    u.r#type,
                    group(u.count),
                    u.first_line,
                    u.first_value
                );
            }
        }
        s
    }
}

/// 1234567 -> "1,234,567".
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
