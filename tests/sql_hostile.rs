//! No value or name in a rule can break out of the generated SQL: hostile values (quotes,
//! backslashes, semicolons, comment markers, `${...}`) and hostile column, model and stage names
//! compile to a single statement that SQLite runs, and each hostile value matches exactly the
//! lead that holds it, as in the engine.

#[path = "sql_support/mod.rs"]
mod support;

use revc::ir::ModelId;
use revc::sql::{self, Dialect, SqlOptions};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sql")
            .join(name),
    )
    .unwrap()
}

fn run() -> support::Run {
    support::Run {
        file_name: "it's; -- a /* file */.rev".into(),
        model: ModelId(0),
        campaign: None,
        stage_column: None,
        id_column: None,
        as_of: 19_000,
    }
}

#[test]
fn hostile_values_stay_inside_their_literals() {
    let p = support::program("hostile.rev", &fixture("hostile.rev"));
    let csv = fixture("hostile.csv");
    let r = run();
    let db = support::sqlite_with(&csv);
    // `prepare` refuses a text with a second statement after the first, so a value that ended
    // its literal and started a statement would fail here.
    let got = support::query(&db, &support::sql_for(&p, &r, &csv));
    let stage = |id: &str| got[id].0.as_str();
    let expect = [
        ("q", "Quote"),
        ("q2", "Plain"),
        ("b", "Backslash"),
        ("b2", "Plain"),
        ("s", "Statement"),
        ("s2", "Plain"),
        ("c", "Comment"),
        ("k", "Block"),
        ("k2", "Plain"),
        ("d", "Dollar"),
        ("d2", "Dollar"),
        ("d3", "Plain"),
        ("m", "Mixed"),
        ("m2", "Plain"),
        ("o", "Other' stage"),
        ("p", "Plain"),
    ];
    for (id, want) in expect {
        assert_eq!(stage(id), want, "lead {id}");
    }
    assert_eq!(got["q"].1, "it's; -- a /* file */.rev:23");
    // The table is still there, whole.
    let n: i64 = db
        .query_row("SELECT count(*) FROM leads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 16);
    // And the engine agrees on every lead.
    let (n, diffs) = support::differences(&p, &r, &csv);
    assert_eq!(n, 16);
    assert!(diffs.is_empty(), "{diffs:#?}");
}

#[test]
fn hostile_table_and_id_names_are_quoted_in_every_dialect() {
    let p = support::program("hostile.rev", &fixture("hostile.rev"));
    for d in Dialect::ALL {
        let q = sql::compile(
            &p,
            &SqlOptions {
                dialect: d,
                table: "my\"schema`.le'ads".into(),
                model: ModelId(0),
                campaign: None,
                as_of: 19_000,
                file_name: "x.rev".into(),
                id_column: Some("id\"`".into()),
                stage_column: None,
                columns: None,
            },
        )
        .unwrap();
        match d {
            Dialect::Spark => {
                assert!(q.contains("FROM `my\"schema```.`le'ads`"), "{q}");
                assert!(q.contains("`id\"```"), "{q}");
                assert!(!q.contains("${"), "Spark would substitute it: {q}");
            }
            _ => {
                assert!(q.contains("FROM \"my\"\"schema`\".\"le'ads\""), "{q}");
                assert!(q.contains("\"id\"\"`\""), "{q}");
            }
        }
    }
    // The hostile table name runs on SQLite too.
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "ATTACH ':memory:' AS \"my\"\"schema`\"; CREATE TABLE \"my\"\"schema`\".\"le'ads\" (\"id\"\"`\" TEXT, \"it's a \"\"col\"\" `name`\" TEXT, \"back\\slash\" TEXT); INSERT INTO \"my\"\"schema`\".\"le'ads\" VALUES ('1', 'It''s', NULL);",
    )
    .unwrap();
    let q = sql::compile(
        &p,
        &SqlOptions {
            dialect: Dialect::Sqlite,
            table: "my\"schema`.le'ads".into(),
            model: ModelId(0),
            campaign: None,
            as_of: 19_000,
            file_name: "x.rev".into(),
            id_column: Some("id\"`".into()),
            stage_column: None,
            columns: None,
        },
    )
    .unwrap();
    let got = support::query(&db, &q);
    assert_eq!(got["1"], ("Quote".to_string(), "x.rev:23".to_string()));
}

#[test]
fn control_characters_in_values_are_written_as_codes() {
    // A quoted value may hold a carriage return or a NUL; raw, either could cut the query.
    let src = "model M {\n  status approved\n  stage A\n  stage B\n  assignment rules {\n    if Note is \"a\rb\", \"c\u{0}d\" then A\n    default B\n  }\n}\n";
    let p = support::program("ctl.rev", src);
    let csv = "id,Note\n1,\"a\rb\"\n2,ab\n";
    let q = support::sql_for(&p, &run(), csv);
    assert!(!q.contains('\r') && !q.contains('\0'), "{q}");
    let got = support::query(&support::sqlite_with(csv), &q);
    assert_eq!(got["1"].0, "A");
    assert_eq!(got["2"].0, "B");
}
