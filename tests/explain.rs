//! `revc explain` agrees with `revc assign` on every lead of the example data, and its trace's
//! first matches lead where the engine put the lead; `revc explain` and `revc test` output is
//! snapshotted.

use revc::diag::SourceFile;
use revc::engine::plan::{Plan, PlanOptions};
use revc::explain::{CellsLead, Ctx, explain};
use revc::ir::{StageId, date, name_key};
use std::path::Path;
use std::process::Command;

const AS_OF: &str = "2024-06-15";

fn revc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_revc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `revc assign` and explains every lead of the same file; both must agree on the stage
/// and the rule, and the trace must lead where the engine did.
fn agree(rules: &str, leads: &str, stage_column: Option<&str>) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = vec!["assign", rules, leads, "--as-of", AS_OF, "--threads", "1"];
    if let Some(c) = stage_column {
        args.extend(["--stage-column", c]);
    }
    let (code, out, err) = revc(&args);
    assert_eq!(code, 0, "{err}");
    let mut assigned = csv::Reader::from_reader(out.as_bytes());
    let assigned: Vec<csv::StringRecord> = assigned.records().map(Result::unwrap).collect();

    let text = std::fs::read_to_string(root.join(rules)).unwrap();
    let compiled = revc::compile(&SourceFile::new(rules, text.as_str()));
    assert!(!compiled.has_errors());
    let program = compiled.program;
    let mut plan = Plan::compile(
        &program,
        &PlanOptions {
            model: revc::ir::ModelId(0),
            campaign: None,
            as_of: date::parse_date(AS_OF).unwrap().day,
            file_name: rules.to_string(),
        },
    );
    let mut reader = csv::Reader::from_path(root.join(leads)).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    plan.bind(&header).unwrap();
    let stage_col = stage_column.map(|c| header.iter().position(|h| h == c).unwrap());
    let cx = Ctx {
        program: &program,
        plan: &plan,
        src: &text,
    };
    let mut n = 0;
    for (row, want) in reader.records().map(Result::unwrap).zip(&assigned) {
        let current = stage_col.and_then(|c| {
            let key = name_key(row.get(c).unwrap_or(""));
            plan.model
                .stages
                .iter()
                .position(|s| name_key(&s.name) == key)
                .map(|i| StageId(i as u32))
        });
        let mut lead = CellsLead {
            cells: row.iter().map(|c| Some(c.to_string())).collect(),
        };
        let (_, trace) = explain(&cx, &mut lead, current);
        let id = &want[0];
        assert_eq!(&row[0], id, "rows line up");
        let stage = trace.result.stage.clone().unwrap_or_default();
        assert_eq!(stage, &want[1], "{rules} lead {id}: stage");
        let rule = trace.result.rule.clone().unwrap_or_default();
        assert_eq!(rule, &want[2], "{rules} lead {id}: rule");
        assert_eq!(
            trace.traced_stage().unwrap_or(""),
            &want[1],
            "{rules} lead {id}: the trace's first matches"
        );
        n += 1;
    }
    assert_eq!(n, assigned.len());
    n
}

#[test]
fn explain_agrees_with_assign_on_every_example_lead() {
    let mut leads = 0;
    leads += agree(
        "examples/lifecycle.rev",
        "examples/data/lifecycle-leads.csv",
        None,
    );
    leads += agree(
        "examples/lifecycle.rev",
        "examples/data/lifecycle-leads.csv",
        Some("Stage"),
    );
    leads += agree(
        "examples/xeducation.rev",
        "examples/data/xeducation-sample.csv",
        None,
    );
    assert!(leads >= 500 + 2 * 16, "{leads}");
}

fn snapshot(name: &str, args: &[&str]) {
    let (code, out, err) = revc(args);
    let snap = format!("exit: {code}\n--- stdout\n{out}--- stderr\n{err}");
    insta::with_settings!({
        snapshot_path => "snapshots/explain",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, snap);
    });
}

#[test]
fn explain_output() {
    let rules = "examples/lifecycle.rev";
    let csv = "examples/data/lifecycle-leads.csv";
    snapshot(
        "new-lead-human",
        &[
            "explain",
            rules,
            "--leads",
            csv,
            "--id",
            "ben@acme.fr",
            "--as-of",
            AS_OF,
        ],
    );
    snapshot(
        "gate-human",
        &[
            "explain",
            rules,
            "--leads",
            csv,
            "--id",
            "lou@acme.fr",
            "--as-of",
            AS_OF,
            "--stage-column",
            "Stage",
        ],
    );
    snapshot(
        "lead-json",
        &[
            "explain",
            rules,
            "--lead",
            r#"{"Lead Score": 3, "Country": null, "Unsubscribed": true, "Created At": "2024-06-01"}"#,
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    );
    snapshot(
        "unknown-id",
        &[
            "explain", rules, "--leads", csv, "--id", "nobody", "--as-of", AS_OF,
        ],
    );
}

#[test]
fn test_command_output() {
    snapshot(
        "test-examples",
        &[
            "test",
            "examples/lifecycle.rev",
            "examples/xeducation.rev",
            "--as-of",
            AS_OF,
        ],
    );
    snapshot(
        "test-failing",
        &["test", "tests/fixtures/test/failing.rev", "--as-of", AS_OF],
    );
    snapshot(
        "test-filter",
        &[
            "test",
            "tests/fixtures/test/failing.rev",
            "--filter",
            "HOT LEAD",
        ],
    );
}
