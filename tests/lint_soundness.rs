//! Soundness of the analysis on random rule sets over two number fields and a text field: no
//! lead ever takes a rule the linter calls unreachable or contradictory, and every gap witness
//! really matches no rule. Leads are every combination of boundary values of the rules (each
//! constant, just below and above it, halfway between constants), empty, and unlisted text.

mod common;

use common::{Lead, V, first_match, matches};
use proptest::prelude::*;
use revc::check::Ctx;
use revc::check::eval::Value;
use revc::check::flow::{BlockKind, Verdict};
use revc::diag::SourceFile;

const NUMS: [f64; 6] = [0.0, 10.0, 20.0, 40.0, 40.5, 50.0];
const WORDS: [&str; 3] = ["india", "france", "spain"];

fn num() -> impl Strategy<Value = f64> {
    prop::sample::select(NUMS.to_vec())
}

/// One filter as source text.
fn atom() -> impl Strategy<Value = String> {
    let field = prop::sample::select(vec!["Score", "Visits"]);
    let number = (field, 0..9u8, num(), num()).prop_map(|(f, op, a, b)| match op {
        0 => format!("{f} is {a}"),
        1 => format!("{f} is not {a}, {b}"),
        2 => format!("{f} at least {a}"),
        3 => format!("{f} at most {a}"),
        4 => format!("{f} greater than {a}"),
        5 => format!("{f} less than {a}"),
        6 => format!("{f} between {} and {}", a.min(b), a.max(b)),
        7 => format!("{f} is empty"),
        _ => format!("{f} is not empty"),
    });
    let word = prop::sample::select(WORDS.to_vec());
    let text = (0..6u8, word.clone(), word).prop_map(|(op, a, b)| match op {
        0 => format!("Country is {a}"),
        1 => format!("Country is {a}, {b}"),
        2 => format!("Country is not {a}"),
        3 => "Country is empty".to_string(),
        4 => "Country is not empty".to_string(),
        _ => format!("Country contains {}", &a[..2]),
    });
    prop_oneof![3 => number, 1 => text]
}

/// A condition: one to three filters joined by `and`/`or`, maybe negated.
fn cond() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(atom(), 1..=3),
        prop::collection::vec(any::<bool>(), 2),
        any::<bool>(),
    )
        .prop_map(|(atoms, ands, negate)| {
            let mut s = atoms[0].clone();
            for (i, a) in atoms.iter().enumerate().skip(1) {
                s.push_str(if ands[i - 1] { " and " } else { " or " });
                s.push_str(a);
            }
            if negate { format!("not ({s})") } else { s }
        })
}

fn source(rules: &[String], default: bool) -> String {
    let mut s = String::from("fields {\n  Score number\n  Visits number\n  Country text\n}\n");
    s.push_str("model M {\n  stage A\n  stage B\n  assignment rules {\n");
    for (i, c) in rules.iter().enumerate() {
        s.push_str(&format!(
            "    if {c} then {}\n",
            if i % 2 == 0 { "A" } else { "B" }
        ));
    }
    if default {
        s.push_str("    default A\n");
    }
    s.push_str("  }\n}\n");
    s
}

/// Every combination of boundary values of the three fields.
fn leads() -> Vec<Lead> {
    let mut nums = vec![V::Empty];
    for &x in &NUMS {
        for d in [-1.0, -0.25, 0.0, 0.25, 1.0] {
            nums.push(V::Num(x + d));
        }
    }
    let mut texts = vec![
        V::Empty,
        V::Text("germany".into()),
        V::Text("indiana".into()),
    ];
    texts.extend(WORDS.iter().map(|w| V::Text(w.to_string())));
    let mut out = Vec::new();
    for a in &nums {
        for b in &nums {
            for c in &texts {
                out.push(Lead::from([(0, a.clone()), (1, b.clone()), (2, c.clone())]));
            }
        }
    }
    out
}

fn to_test_lead(l: &revc::check::eval::Lead) -> Lead {
    l.0.iter()
        .enumerate()
        .map(|(i, v)| {
            let v = match v {
                Value::Empty => V::Empty,
                Value::Num(x) => V::Num(*x),
                Value::Text(t) => V::Text(t.clone()),
                other => panic!("no such field type here: {other:?}"),
            };
            (i, v)
        })
        .collect()
}

/// Checks every claim of the analysis about one rule set; returns how many claims it checked.
fn check(rules: &[String], default: bool, leads: &[Lead]) -> usize {
    let text = source(rules, default);
    let file = SourceFile::new("gen.rev", text.clone());
    let compiled = revc::compile(&file);
    assert!(!compiled.has_errors(), "{text}\n{:?}", compiled.diagnostics);
    let p = &compiled.program;
    // Field indices must be the order of the `fields` block, which `leads` assumes.
    assert_eq!(
        p.fields.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
        ["score", "visits", "country"]
    );
    let cx = Ctx::new(p, &text);
    let block = cx
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Rules)
        .expect("a rules block");
    let mut claims = 0;
    for (i, v) in block.verdicts.iter().enumerate().take(rules.len()) {
        if *v == Verdict::Reachable {
            continue;
        }
        claims += 1;
        for lead in leads {
            assert_ne!(
                first_match(p, lead),
                Some(i),
                "rule {} is called {v:?} but {lead:?} takes it\n{text}",
                i + 1
            );
            if *v == Verdict::Contradiction {
                assert!(
                    !matches(p, p.models[0].rules[i].cond, lead),
                    "{lead:?} matches rule {}\n{text}",
                    i + 1
                );
            }
        }
    }
    if let Some(gap) = &block.gap {
        claims += 1;
        let lead = to_test_lead(gap);
        assert_eq!(
            first_match(p, &lead),
            None,
            "gap witness {lead:?} matches a rule\n{text}"
        );
    }
    claims
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn unreachable_rules_and_gap_witnesses_are_real(
        rules in prop::collection::vec(cond(), 1..7),
        default in any::<bool>(),
    ) {
        check(&rules, default, &leads());
    }
}

#[test]
fn the_checker_sees_claims_of_each_kind() {
    // Guards the property above against checking nothing: these sets have an unreachable rule,
    // a contradiction and a gap, and each claim is checked against every lead.
    let leads = leads();
    let rules = ["Score at least 40", "Score greater than 40"].map(String::from);
    assert_eq!(check(&rules, true, &leads), 1);
    let rules = ["Country is india and Country is not india"].map(String::from);
    assert_eq!(check(&rules, true, &leads), 1);
    let rules = ["Score at least 40", "Score less than 40"].map(String::from);
    assert_eq!(check(&rules, false, &leads), 1);
}
