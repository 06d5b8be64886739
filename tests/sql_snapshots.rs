//! The generated SQL of the shipped examples, per dialect, as snapshots: a change to the query
//! shows up in review. `revc compile --emit sql` end to end, draft comment included.

use revc::diag::SourceFile;
use revc::ir::{ModelId, date};
use revc::sql::{self, Dialect, SqlOptions};
use std::process::Command;

fn compiled(file: &str) -> revc::ir::Program {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .unwrap();
    let c = revc::compile(&SourceFile::new(file, text));
    assert!(!c.has_errors());
    c.program
}

#[test]
fn examples_compile_to_snapshotted_sql_in_every_dialect() {
    let as_of = date::parse_date("2024-06-15").unwrap().day;
    let cases = [
        (
            "lifecycle",
            "examples/lifecycle.rev",
            "Email",
            Some("Stage"),
        ),
        ("xeducation", "examples/xeducation.rev", "Prospect ID", None),
    ];
    for (name, file, id, stage) in cases {
        let p = compiled(file);
        for d in Dialect::ALL {
            let q = sql::compile(
                &p,
                &SqlOptions {
                    dialect: d,
                    table: "leads".into(),
                    model: ModelId(0),
                    campaign: None,
                    as_of,
                    file_name: file.into(),
                    id_column: Some(id.into()),
                    stage_column: stage.map(String::from),
                    columns: None,
                },
            )
            .unwrap();
            insta::with_settings!({
                snapshot_path => "snapshots/sql",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(format!("{name}-{}", d.as_str()), q);
            });
        }
    }
}

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

#[test]
fn the_command_prints_one_statement_and_says_when_a_model_is_a_draft() {
    let (code, out, err) = revc(&[
        "compile",
        "examples/lifecycle.rev",
        "--emit",
        "sql",
        "--dialect",
        "sqlite",
        "--columns-from",
        "examples/data/lifecycle-leads.csv",
        "--as-of",
        "2024-06-15",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("-- revc compile examples/lifecycle.rev --emit sql --dialect sqlite: model \"Lead Lifecycle\", as of 2024-06-15\n"), "{out}");
    assert!(
        out.contains("\"Email\" AS \"_id\""),
        "the first column is the id: {out}"
    );
    assert!(out.trim_end().ends_with(';'));
    assert!(!out.contains("DRAFT"));

    let draft = std::env::temp_dir().join(format!("revc-sql-draft-{}.rev", std::process::id()));
    std::fs::write(
        &draft,
        "model M {\n  status draft\n  stage A\n  assignment rules {\n    default A\n  }\n}\n",
    )
    .unwrap();
    let (code, out, err) = revc(&[
        "compile",
        draft.to_str().unwrap(),
        "--emit",
        "sql",
        "--id-column",
        "id",
    ]);
    std::fs::remove_file(&draft).unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("-- DRAFT: model \"M\" is a draft"), "{out}");
}

#[test]
fn the_command_explains_what_it_needs() {
    let (code, _, err) = revc(&["compile", "examples/lifecycle.rev", "--emit", "sql"]);
    assert_eq!(code, 1);
    assert!(err.contains("--id-column"), "{err}");
    let (code, _, err) = revc(&[
        "compile",
        "examples/lifecycle.rev",
        "--emit",
        "sql",
        "--columns-from",
        "examples/data/xeducation-sample.csv",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("REV301") && err.contains("has no column"),
        "{err}"
    );
}

#[test]
fn the_query_in_docs_sql_md_is_what_the_compiler_writes() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sql.md"),
    )
    .unwrap();
    let start = doc.rfind("```sql\n").expect("a sql block") + "```sql\n".len();
    let end = start + doc[start..].find("\n```").expect("its end");
    let (code, out, err) = revc(&[
        "compile",
        "examples/lifecycle.rev",
        "--emit",
        "sql",
        "--dialect",
        "spark",
        "--id-column",
        "Email",
        "--as-of",
        "2024-06-15",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(&doc[start..end], out.trim_end());
}
