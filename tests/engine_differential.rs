//! The fast engine against the reference evaluator: random rule sets over number, text, date
//! and boolean fields, random leads (empty and unparsable values included), at 1 and 3 threads
//! and with tiny blocks so records straddle block and chunk boundaries. CSV leads are decided
//! in batches of 64 (`engine::lanes`), so runs of up to a few hundred leads fill several.
//!
//! Leads with a current stage (transitions, gates routed on through other gates) and campaigns
//! are checked the same way against the one-lead-at-a-time engine that JSON Lines input uses.

#[path = "engine_support/mod.rs"]
mod support;

use proptest::prelude::*;
use revc::engine::batch::{self, RunConfig, Sinks};
use revc::engine::input::InputFormat;
use revc::engine::output::OutFormat;
use revc::engine::{Plan, PlanOptions};
use std::collections::HashMap;

const AS_OF: &str = "2024-06-15";

fn num_filter() -> impl Strategy<Value = String> {
    let v = prop_oneof![
        Just("0".to_string()),
        (-5i32..60).prop_map(|n| n.to_string()),
        Just("40.5".to_string())
    ];
    (0..7usize, v.clone(), v).prop_map(|(op, a, b)| match op {
        0 => format!("score is {a}, {b}"),
        1 => format!("score is not {a}"),
        2 => format!("score at least {a}"),
        3 => format!("score at most {a}"),
        4 => format!("score greater than {a}"),
        5 => format!("score less than {a}"),
        _ => "score is empty".to_string(),
    })
}

fn text_filter() -> impl Strategy<Value = String> {
    let v = prop_oneof![
        Just("germany"),
        Just("France"),
        Just("United Kingdom"),
        Just("uni"),
        Just("ce")
    ];
    (0..8usize, v.clone(), v).prop_map(|(op, a, b)| match op {
        0 => format!("Country is \"{a}\", \"{b}\""),
        1 => format!("Country is not \"{a}\""),
        2 => format!("Country contains \"{a}\""),
        3 => format!("Country not contains \"{a}\""),
        4 => format!("Country starts with \"{a}\""),
        5 => format!("Country ends with \"{b}\""),
        6 => "Country is not empty".to_string(),
        _ => "Country is empty".to_string(),
    })
}

fn date_filter() -> impl Strategy<Value = String> {
    let d = prop_oneof![Just("2024-06-01"), Just("2024-06-15"), Just("2023-12-31")];
    (0..7usize, d, 0u32..40).prop_map(|(op, d, n)| match op {
        0 => format!("created before {d}"),
        1 => format!("created on or after {d}"),
        2 => format!("created is {d}"),
        3 => format!("created in past {n} days"),
        4 => format!("created in future {n} weeks"),
        5 => format!("created in past {} months", n % 13),
        _ => format!("created after {d}"),
    })
}

fn bool_filter() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("optout is true"),
        Just("optout is false"),
        Just("optout is empty")
    ]
    .prop_map(String::from)
}

fn filter() -> impl Strategy<Value = String> {
    prop_oneof![
        num_filter(),
        text_filter(),
        date_filter(),
        bool_filter(),
        Just("in smart list Hot".to_string())
    ]
}

fn condition() -> impl Strategy<Value = String> {
    (filter(), prop::option::of((0..3usize, filter()))).prop_map(|(a, rest)| match rest {
        None => a,
        Some((0, b)) => format!("{a} and {b}"),
        Some((1, b)) => format!("{a} or {b}"),
        Some((_, b)) => format!("not ({a}) and {b}"),
    })
}

fn rules() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(condition(), 1..6),
        any::<bool>(),
        (num_filter(), text_filter()),
    )
        .prop_map(|(conds, default, (l1, l2))| {
            let stages = ["Known", "Engaged", "Sales Lead", "Disqualified"];
            let mut s = String::from(
                "fields {\n  score number\n  Country text\n  created date\n  optout boolean\n  Notes text\n}\n",
            );
            s += &format!("smart list Hot {{\n  1: {l1}\n  2: {l2}\n  match any\n}}\n");
            s += "model M {\n  status stages approved\n";
            for st in stages {
                s += &format!("  stage \"{st}\"\n");
            }
            s += "  assignment rules {\n";
            for (i, c) in conds.iter().enumerate() {
                s += &format!("    if {c} then \"{}\"\n", stages[i % stages.len()]);
            }
            if default {
                s += "    default Known\n";
            }
            s += "  }\n}\n";
            s
        })
}

fn lead() -> impl Strategy<Value = [String; 5]> {
    let score = prop_oneof![
        Just(""),
        Just("0"),
        Just("40"),
        Just("40.5"),
        Just(" 12 "),
        Just("abc"),
        Just("-3"),
        Just("59")
    ];
    let country = prop_oneof![
        Just(""),
        Just("Germany"),
        Just(" FRANCE "),
        Just("United Kingdom"),
        Just("Uniçe"),
        Just("Peru")
    ];
    let created = prop_oneof![
        Just(""),
        Just("2024-06-01"),
        Just("2024-06-15T23:30:00Z"),
        Just("2024-05-20"),
        Just("2023-12-31"),
        Just("2024-07-01"),
        Just("junk")
    ];
    let optout = prop_oneof![
        Just(""),
        Just("Yes"),
        Just("no"),
        Just("TRUE"),
        Just("0"),
        Just("maybe")
    ];
    // Notes are written quoted: line breaks, commas and doubled quotes inside them make records
    // span lines, so guessed chunk cuts land inside quotes.
    let notes = prop_oneof![
        Just(""),
        Just("a\nb"),
        Just("x, \"\"y\"\""),
        Just("\n\n"),
        Just("B")
    ];
    (score, country, created, optout, notes)
        .prop_map(|(a, b, c, d, e)| [a.into(), b.into(), c.into(), d.into(), e.into()])
}

fn csv_text(leads: &[[String; 5]]) -> String {
    let mut s = String::from("id,Score,country,Created,OptOut,notes\n");
    for (i, l) in leads.iter().enumerate() {
        s += &format!(
            "L{i},\"{}\",\"{}\",{},{},\"{}\"\n",
            l[0], l[1], l[2], l[3], l[4]
        );
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn engine_agrees_with_reference(src in rules(), leads in prop::collection::vec(lead(), 1..300), threads in 1usize..4, block_size in prop_oneof![Just(64usize), Just(1000), Just(1 << 20)]) {
        let program = support::program(&src);
        let as_of = revc::ir::date::parse_date(AS_OF).unwrap().day;
        let cfg = RunConfig { threads, block_size, min_chunk: 16, ..RunConfig::default() };
        let (out, stats) = support::run_csv(&program, &csv_text(&leads), cfg, as_of);
        let mut reader = csv::ReaderBuilder::new().from_reader(out.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        prop_assert_eq!(rows.len(), leads.len());
        prop_assert_eq!(stats.read, stats.assigned() + stats.unassigned + stats.rejected);
        for (i, l) in leads.iter().enumerate() {
            let notes = l[4].replace("\"\"", "\"");
            let lead: HashMap<String, String> = [("score", &l[0]), ("country", &l[1]), ("created", &l[2]), ("optout", &l[3]), ("notes", &notes)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            let want = support::assign_new(&program, &lead, as_of).unwrap_or_default();
            let id = format!("L{i}");
            prop_assert_eq!(&rows[i][0], id.as_str());
            let got = &rows[i][1];
            prop_assert_eq!(got, want.as_str(), "lead {} = {:?}\n{}", i, l, src);
        }
    }
}

/// A model whose leads may already be in a stage: transitions out of every stage, two gates in
/// a row (`Routing` may route on to `Triage`), assignment rules that may land on a gate, and
/// optionally a campaign. Gives the rules and whether the campaign is run.
fn staged_rules() -> impl Strategy<Value = (String, bool)> {
    let transition = (0..4usize, 0..5usize, condition());
    (
        prop::collection::vec(transition, 0..8),
        (condition(), condition()),
        prop::collection::vec((condition(), 0..5usize), 0..4),
        any::<bool>(),
        (num_filter(), text_filter()),
    )
        .prop_map(|(trans, (g1, g2), conds, campaign, (l1, l2))| {
            let from = ["Known", "Engaged", "Sales Lead", "Disqualified"];
            let to = ["Known", "Engaged", "Routing", "Sales Lead", "Disqualified"];
            let mut s = String::from(
                "fields {\n  score number\n  Country text\n  created date\n  optout boolean\n  Notes text\n}\n",
            );
            s += &format!("smart list Hot {{\n  1: {l1}\n  2: {l2}\n  match any\n}}\n");
            s += "model M {\n  status approved\n";
            s += "  stage Known\n  stage Engaged\n  stage Routing gate\n  stage Triage gate\n";
            s += "  stage \"Sales Lead\"\n  detour Disqualified\n";
            for (f, t, c) in &trans {
                if from[*f] != to[*t] {
                    s += &format!("  transition \"{}\" -> \"{}\" when {c}\n", from[*f], to[*t]);
                }
            }
            s += &format!("  transition Routing -> Triage when {g1}\n");
            s += "  transition Routing -> \"Sales Lead\" otherwise\n";
            s += &format!("  transition Triage -> Disqualified when {g2}\n");
            s += "  transition Triage -> Engaged otherwise\n";
            s += "  assignment rules {\n";
            for (c, t) in &conds {
                s += &format!("    if {c} then \"{}\"\n", to[*t]);
            }
            s += "    default Known\n  }\n}\n";
            if campaign {
                s += "campaign Back {\n  smart list Hot\n  change revenue stage in M to Routing\n}\n";
            }
            (s, campaign)
        })
}

fn current_stage() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just(""),
        Just("Known"),
        Just(" engaged "),
        Just("SALES LEAD"),
        Just("Disqualified"),
        Just("Routing"),
        Just("Nowhere"),
    ]
}

/// Runs the engine over `input` with a stage column, writing rows and events as JSON Lines.
/// Gives the rows, the events, and the counts (or the error that stopped the run, without its
/// line: CSV and JSON Lines number lines differently).
fn run_staged(
    program: &revc::ir::Program,
    campaign: bool,
    input: &str,
    cfg: RunConfig,
) -> (String, String, String) {
    let mut plan = Plan::compile(
        program,
        &PlanOptions {
            model: revc::ir::ModelId(0),
            campaign: campaign.then_some(0),
            as_of: revc::ir::date::parse_date(AS_OF).unwrap().day,
            file_name: "rules.rev".into(),
        },
    );
    let cfg = RunConfig {
        stage_column: Some("stage".into()),
        out_format: OutFormat::JsonLines,
        record_events: true,
        ..cfg
    };
    let (mut out, mut rejects, mut events) = (Vec::new(), Vec::new(), Vec::new());
    let mut sinks = Sinks {
        out: &mut out,
        rejects: Some(&mut rejects),
        events: Some(&mut events),
    };
    let stats = match batch::run(&mut plan, &mut input.as_bytes(), &cfg, &mut sinks) {
        Ok(stats) => stats,
        Err(batch::RunError::Row(e)) => {
            let stopped = format!("stopped: {}", e.reason());
            let events = String::from_utf8(events).unwrap();
            return (String::from_utf8(out).unwrap(), events, stopped);
        }
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(
        stats.read,
        stats.assigned() + stats.unassigned + stats.rejected
    );
    let counts = format!(
        "read {} per stage {:?} unassigned {} changed {} skipped {} rejected {} events {} rules {:?} transitions {:?} default {} campaign {}",
        stats.read,
        stats.per_stage,
        stats.unassigned,
        stats.changed,
        stats.skipped,
        stats.rejected,
        stats.events,
        stats.rule_hits,
        stats.transition_hits,
        stats.default_hits,
        stats.campaign_hits
    );
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(events).unwrap(),
        counts,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    #[test]
    fn batched_stages_agree_with_one_lead_at_a_time(
        (src, campaign) in staged_rules(),
        leads in prop::collection::vec((lead(), current_stage(), 0..40u8), 1..300),
        threads in 1usize..4,
        block_size in prop_oneof![Just(64usize), Just(1 << 20)],
        (strict, keep_rejects) in (any::<bool>(), prop::bool::weighted(0.8)),
    ) {
        let program = support::program(&src);
        let mut csv = String::from("id,Score,country,Created,OptOut,notes,stage\n");
        let mut jsonl = String::new();
        for (i, (l, stage, odd)) in leads.iter().enumerate() {
            // Now and then a number too large for a double, which rejects the row.
            let mut l = l.clone();
            if *odd == 0 {
                l[0] = "1e400".into();
            }
            csv += &format!("L{i},\"{}\",\"{}\",{},{},\"{}\",{stage}\n", l[0], l[1], l[2], l[3], l[4]);
            let notes = l[4].replace("\"\"", "\"");
            let row = serde_json::json!({
                "id": format!("L{i}"), "Score": l[0], "country": l[1], "Created": l[2],
                "OptOut": l[3], "notes": notes, "stage": stage,
            });
            jsonl += &format!("{row}\n");
        }
        let cfg = RunConfig { threads, block_size, min_chunk: 16, strict, keep_rejects, ..RunConfig::default() };
        let batched = run_staged(&program, campaign, &csv, RunConfig { format: InputFormat::Csv, ..cfg.clone() });
        let single = run_staged(&program, campaign, &jsonl, RunConfig { format: InputFormat::JsonLines, ..cfg });
        prop_assert_eq!(&batched.2, &single.2, "{}", src);
        prop_assert_eq!(&batched.0, &single.0, "{}", src);
        prop_assert_eq!(&batched.1, &single.1, "{}", src);
    }
}
