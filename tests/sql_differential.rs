//! The generated SQL against the engine, lead by lead, on SQLite: the shipped examples and their
//! data in every mode (assignment rules, transitions from a stage column, campaigns), and random
//! rule sets over random leads (empty, blank, mixed case, Unicode, unparsable, boundary values).

#[path = "sql_support/mod.rs"]
mod support;

use proptest::prelude::*;
use revc::ir::{ModelId, date};
use support::Run;

const AS_OF: &str = "2024-06-15";

fn as_of() -> i32 {
    date::parse_date(AS_OF).unwrap().day
}

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn run(file: &str) -> Run {
    Run {
        file_name: file.into(),
        model: ModelId(0),
        campaign: None,
        stage_column: None,
        id_column: None,
        as_of: as_of(),
    }
}

/// Asserts zero differences, showing the first few when there are some.
fn assert_agree(p: &revc::ir::Program, r: &Run, csv: &str, min_leads: usize) {
    let (n, diffs) = support::differences(p, r, csv);
    assert!(n >= min_leads, "only {n} leads compared");
    assert!(
        diffs.is_empty(),
        "{} of {n} leads differ (id, SQL, engine): {:#?}\n{}",
        diffs.len(),
        &diffs[..diffs.len().min(10)],
        support::sql_for(p, r, csv)
    );
}

#[test]
fn lifecycle_example_agrees_in_every_mode() {
    let file = "examples/lifecycle.rev";
    let p = support::program(file, &read(file));
    let csv = read("examples/data/lifecycle-leads.csv");
    let campaign = p.campaign_named("Backfill hot leads");
    for (stage_column, campaign) in [
        (None, None),
        (Some("Stage"), None),
        (None, campaign),
        (Some("Stage"), campaign),
    ] {
        let r = Run {
            stage_column: stage_column.map(String::from),
            campaign,
            ..run(file)
        };
        assert_agree(&p, &r, &csv, 16);
    }
}

/// The X Education sample with a stage column made up from its lead number, so that every
/// stage (gate and detours included, in odd case and spacing) and no stage appear.
fn xeducation_with_stages(csv: &str) -> String {
    let stages = [
        "",
        "Inquiry",
        "engaged",
        "  ROUTING ",
        "Sales   Qualified",
        "Enrolled",
        "nurture",
        "Do Not Contact",
        "Lost",
    ];
    let mut out = String::new();
    for (i, line) in csv.lines().enumerate() {
        out += line;
        if i == 0 {
            out += "Current Stage\n";
        } else {
            out += &format!("\"{}\"\n", stages[i % stages.len()]);
        }
    }
    out
}

#[test]
fn xeducation_example_agrees_in_every_mode() {
    let file = "examples/xeducation.rev";
    let p = support::program(file, &read(file));
    let csv = xeducation_with_stages(&read("examples/data/xeducation-sample.csv"));
    let campaign = p.campaign_named("Backfill engaged visitors");
    for (stage_column, campaign) in [
        (None, None),
        (Some("Current Stage"), None),
        (None, campaign),
        (Some("Current Stage"), campaign),
    ] {
        let r = Run {
            stage_column: stage_column.map(String::from),
            campaign,
            ..run(file)
        };
        assert_agree(&p, &r, &csv, 500);
    }
}

#[test]
fn an_unknown_stage_is_kept_and_marked_rejected() {
    let file = "examples/lifecycle.rev";
    let p = support::program(file, &read(file));
    let csv = "Email,Lead Score,Number of Employees,Country,Job Title,Created At,Unsubscribed,Closed Won,Stage\n\
               a@x,50,1,Peru,CEO,2024-01-01,no,no,Nowhere\n";
    let r = Run {
        stage_column: Some("Stage".into()),
        ..run(file)
    };
    let got = support::query(&support::sqlite_with(csv), &support::sql_for(&p, &r, csv));
    assert_eq!(
        got["a@x"],
        ("Nowhere".to_string(), "rejected: unknown stage".to_string())
    );
}

// ------------------------------------------------------------------ random rule sets

fn num_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        (-5i32..60).prop_map(|n| n.to_string()),
        Just("40.5".to_string()),
        Just("-0.25".to_string())
    ]
}

fn num_filter() -> BoxedStrategy<String> {
    (0..9usize, num_value(), num_value())
        .prop_map(|(op, a, b)| match op {
            0 => format!("score is {a}, {b}"),
            1 => format!("score is not {a}"),
            2 => format!("score at least {a}"),
            3 => format!("score at most {a}"),
            4 => format!("score greater than {a}"),
            5 => format!("score less than {a}"),
            6 => {
                let (x, y): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
                let (lo, hi) = if x <= y { (a, b) } else { (b, a) };
                format!("score between {lo} and {hi}")
            }
            7 => "score is not empty".to_string(),
            _ => "score is empty".to_string(),
        })
        .boxed()
}

fn text_value() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("germany"),
        Just("France"),
        Just("United Kingdom"),
        Just("uni"),
        Just("ce"),
        Just("ÇA"),
        Just("straße"),
        Just("kiel"),
        Just("o'brien"),
    ]
}

fn text_filter() -> BoxedStrategy<String> {
    (0..10usize, text_value(), text_value())
        .prop_map(|(op, a, b)| match op {
            0 => format!("Country is \"{a}\", \"{b}\""),
            1 => format!("Country is not \"{a}\""),
            2 => format!("Country contains \"{a}\", \"{b}\""),
            3 => format!("Country not contains \"{a}\""),
            4 => format!("Country starts with \"{a}\""),
            5 => format!("Country not starts with \"{b}\""),
            6 => format!("Country ends with \"{b}\""),
            7 => format!("Country not ends with \"{a}\""),
            8 => "Country is not empty".to_string(),
            _ => "Country is empty".to_string(),
        })
        .boxed()
}

fn date_value() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("2024-06-01"),
        Just("2024-06-15"),
        Just("2023-12-31"),
        Just("2024-02-29"),
        Just("2024-06-15T12:00:00Z"),
        Just("2024-06-01T00:00:00+02:00"),
    ]
}

fn date_filter() -> BoxedStrategy<String> {
    (0..12usize, date_value(), date_value(), 0u32..40)
        .prop_map(|(op, a, b, n)| {
            let (lo, hi) = if date::parse_date(a)
                .unwrap()
                .cmp_lang(&date::parse_date(b).unwrap())
                .is_le()
            {
                (a, b)
            } else {
                (b, a)
            };
            match op {
                0 => format!("created before {a}"),
                1 => format!("created on or after {a}"),
                2 => format!("created is {a}, {b}"),
                3 => format!("created in past {n} days"),
                4 => format!("created in future {n} weeks"),
                5 => format!("created in past {} months", n % 13),
                6 => format!("created in future {} years", n % 3),
                7 => format!("created on or before {a}"),
                8 => format!("created between {lo} and {hi}"),
                9 => format!("created is not {a}"),
                10 => "created is empty".to_string(),
                _ => format!("created after {a}"),
            }
        })
        .boxed()
}

fn bool_filter() -> BoxedStrategy<String> {
    prop_oneof![
        Just("optout is true"),
        Just("optout is false"),
        Just("optout is empty"),
        Just("optout is not empty")
    ]
    .prop_map(String::from)
    .boxed()
}

fn filter() -> BoxedStrategy<String> {
    prop_oneof![
        num_filter(),
        text_filter(),
        date_filter(),
        bool_filter(),
        Just("in smart list Hot".to_string()),
        Just("not in smart list Warm".to_string()),
    ]
    .boxed()
}

fn condition() -> BoxedStrategy<String> {
    (filter(), prop::option::of((0..4usize, filter(), filter())))
        .prop_map(|(a, rest)| match rest {
            None => a,
            Some((0, b, _)) => format!("{a} and {b}"),
            Some((1, b, _)) => format!("{a} or {b}"),
            Some((2, b, c)) => format!("{a} and ({b} or {c})"),
            Some((_, b, _)) => format!("not ({a}) and {b}"),
        })
        .boxed()
}

const STAGES: [&str; 6] = [
    "Known",
    "Engaged",
    "Routing",
    "Sales Lead",
    "Nurture",
    "Lost",
];

/// A model with a gate (`Routing`), transitions (some `otherwise`), assignment rules that may
/// land on the gate, two smart lists (one reading the other) and a campaign.
fn rules() -> BoxedStrategy<String> {
    (
        prop::collection::vec((condition(), 0..STAGES.len()), 1..6),
        any::<bool>(),
        (num_filter(), text_filter(), date_filter()),
        prop::collection::vec((0..STAGES.len(), 0..STAGES.len(), prop::option::of(condition())), 0..6),
        (condition(), condition(), 0..STAGES.len()),
    )
        .prop_map(|(rules, default, (l1, l2, l3), transitions, (g1, g2, camp))| {
            let mut s = String::from(
                "fields {\n  score number\n  Country text\n  created date\n  optout boolean\n}\n",
            );
            s += &format!("smart list Hot {{\n  1: {l1}\n  2: {l2}\n  match any\n}}\n");
            s += &format!("smart list Warm {{\n  1: in smart list Hot\n  2: {l3}\n  match 1 or not 2\n}}\n");
            s += "model M {\n  status stages approved\n";
            for st in STAGES {
                if st == "Routing" {
                    s += "  stage Routing gate\n";
                } else {
                    s += &format!("  stage \"{st}\"\n");
                }
            }
            // The gate: two conditions and its way out.
            s += &format!("  transition Routing -> \"Sales Lead\" when {g1}\n");
            s += &format!("  transition Routing -> Lost when {g2}\n");
            s += "  transition Routing -> Nurture otherwise\n";
            let mut has_otherwise = [false; STAGES.len()];
            for (from, to, when) in transitions {
                // Not out of the gate (its `otherwise` is set above), not to itself, and one
                // `otherwise` per stage (a second is an error).
                if STAGES[from] == "Routing" || from == to || (when.is_none() && has_otherwise[from]) {
                    continue;
                }
                has_otherwise[from] |= when.is_none();
                match when {
                    Some(c) => {
                        s += &format!("  transition \"{}\" -> \"{}\" when {c}\n", STAGES[from], STAGES[to])
                    }
                    None => s += &format!("  transition \"{}\" -> \"{}\" otherwise\n", STAGES[from], STAGES[to]),
                }
            }
            s += "  assignment rules {\n";
            for (c, st) in rules {
                s += &format!("    if {c} then \"{}\"\n", STAGES[st]);
            }
            if default {
                s += "    default Known\n";
            }
            s += "  }\n}\n";
            s += &format!(
                "campaign C {{\n  smart list Warm\n  change revenue stage in M to \"{}\"\n}}\n",
                STAGES[camp]
            );
            s
        }).boxed()
}

fn lead() -> BoxedStrategy<[&'static str; 5]> {
    let score = prop_oneof![
        Just(""),
        Just("0"),
        Just("-0"),
        Just("40"),
        Just("40.5"),
        Just("40.50"),
        Just(" 12 "),
        Just("\t7"),
        Just("abc"),
        Just("-3"),
        Just("59"),
        Just("1e1"),
        Just("+5"),
        Just("5."),
        Just(".5"),
        Just("1.2.3"),
        Just("--1"),
        Just("1e"),
        Just("0x10"),
        Just("inf"),
        Just("NaN"),
        Just("4 0"),
        Just("1_000"),
        Just("4e-1"),
        Just("\u{a0}40\u{a0}"),
    ];
    let country = prop_oneof![
        Just(""),
        Just("   "),
        Just("Germany"),
        Just(" FRANCE "),
        Just("United Kingdom"),
        Just("UNITED  KINGDOM"),
        Just("Uniçe"),
        Just("ÇA VA"),
        Just("STRASSE"),
        Just("STRAẞE"),
        Just("\u{212a}iel"),
        Just("KIEL"),
        Just("O'Brien"),
        Just("Peru"),
        Just("\u{3000}france"),
    ];
    let created = prop_oneof![
        Just(""),
        Just("2024-06-01"),
        Just("2024-06-15T23:30:00Z"),
        Just("2024-06-15T23:30:00-02:00"),
        Just("2024-06-01T01:00:00+0200"),
        Just("2024-06-01 10:00"),
        Just("2024-06-01t10:00:59.123456z"),
        Just("2024-05-20"),
        Just("2023-12-31"),
        Just("2024-07-01"),
        Just("2024-02-29"),
        Just("2023-02-29"),
        Just("2024-13-01"),
        Just("2024-06-15T24:00"),
        Just("2024-06-15T10:60"),
        Just("2024-06-15T23:59:60Z"),
        Just("2024-06-15T10:00+24:00"),
        Just("2024-6-1"),
        Just("1969-12-31T23:00:00-03:00"),
        Just("0000-03-01"),
        Just("9999-12-31T23:59:59-23:59"),
        Just("junk"),
        Just(" 2024-06-14 "),
        Just("2024-06-15T"),
        Just("2024-06-15T10:00:00."),
    ];
    let optout = prop_oneof![
        Just(""),
        Just("Yes"),
        Just("no"),
        Just("TRUE"),
        Just("0"),
        Just(" 1 "),
        Just("maybe"),
        Just("y"),
    ];
    let stage = prop_oneof![
        Just(""),
        Just(" "),
        Just("Known"),
        Just("engaged"),
        Just("ROUTING"),
        Just("sales   lead"),
        Just(" Sales\tLead "),
        Just("Nurture"),
        Just("lost"),
    ];
    (score, country, created, optout, stage)
        .prop_map(|(a, b, c, d, e)| [a, b, c, d, e])
        .boxed()
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn csv_text(leads: &[[&str; 5]]) -> String {
    let mut s = String::from("id,Score,country,Created,OptOut,Stage\n");
    for (i, l) in leads.iter().enumerate() {
        let cells: Vec<String> = l.iter().map(|c| csv_field(c)).collect();
        s += &format!("L{i},{}\n", cells.join(","));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn sql_agrees_with_the_engine(
        src in rules(),
        leads in prop::collection::vec(lead(), 1..40),
        mode in 0..4usize,
    ) {
        let p = support::program("rules.rev", &src);
        let csv = csv_text(&leads);
        let r = Run {
            file_name: "rules.rev".into(),
            model: ModelId(0),
            campaign: (mode >= 2).then_some(0),
            stage_column: (mode % 2 == 1).then(|| "Stage".to_string()),
            id_column: None,
            as_of: as_of(),
        };
        let (n, diffs) = support::differences(&p, &r, &csv);
        prop_assert_eq!(n, leads.len());
        prop_assert!(diffs.is_empty(), "{:#?}\nleads {:?}\n{}", diffs, leads, src);
    }
}
