//! Test support for the SQL back end: load CSV text into SQLite as TEXT columns, run a
//! generated query there, run the engine in-process on the same CSV, and compare lead by lead.
#![allow(dead_code)]

use revc::diag::SourceFile;
use revc::engine::batch::{self, RunConfig, Sinks};
use revc::engine::{Plan, PlanOptions};
use revc::ir::{ModelId, Program};
use revc::sql::{self, Dialect, SqlOptions};
use std::collections::BTreeMap;

/// One lead's result: stage and rule, empty for none (the engine writes empty, SQL NULL).
pub type Row = (String, String);

/// What to run: the file (as named in `rule`), the model, a campaign, a stage column.
#[derive(Clone, Debug)]
pub struct Run {
    /// The rules file's name as given on the command line.
    pub file_name: String,
    /// The model.
    pub model: ModelId,
    /// A campaign, by index.
    pub campaign: Option<usize>,
    /// The stage column.
    pub stage_column: Option<String>,
    /// The id column.
    pub id_column: Option<String>,
    /// The as-of day.
    pub as_of: i32,
}

/// Compiles rules text, panicking on errors (the generators only write valid files).
pub fn program(name: &str, src: &str) -> Program {
    let c = revc::compile(&SourceFile::new(name, src));
    assert!(!c.has_errors(), "{:#?}\n{src}", c.diagnostics);
    c.program
}

/// The header and records of CSV text.
pub fn parse_csv(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A fresh in-memory SQLite database with the CSV loaded as table `leads`, every column TEXT.
/// A column without a name (the X Education export ends every line with a comma) gets one.
pub fn sqlite_with(csv: &str) -> rusqlite::Connection {
    let (header, rows) = parse_csv(csv);
    let db = rusqlite::Connection::open_in_memory().unwrap();
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if h.is_empty() {
                format!("_unnamed_{i}")
            } else {
                h.clone()
            }
        })
        .collect();
    let cols: Vec<String> = names
        .iter()
        .map(|n| format!("{} TEXT", Dialect::Sqlite.ident(n)))
        .collect();
    db.execute(&format!("CREATE TABLE leads ({})", cols.join(", ")), [])
        .unwrap();
    let marks = vec!["?"; names.len()].join(", ");
    let mut ins = db
        .prepare(&format!("INSERT INTO leads VALUES ({marks})"))
        .unwrap();
    for row in rows {
        let mut vals: Vec<Option<String>> = row.into_iter().map(Some).collect();
        vals.resize(names.len(), None);
        ins.execute(rusqlite::params_from_iter(vals)).unwrap();
    }
    drop(ins);
    db
}

/// Runs a query on a connection: id -> (stage, rule).
pub fn query(db: &rusqlite::Connection, sql: &str) -> BTreeMap<String, Row> {
    let mut st = db
        .prepare(sql)
        .unwrap_or_else(|e| panic!("SQLite rejects the query: {e}\n{sql}"));
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            ))
        })
        .unwrap();
    let mut out = BTreeMap::new();
    for row in rows {
        let (id, stage, rule) = row.unwrap();
        assert!(
            out.insert(id.clone(), (stage, rule)).is_none(),
            "id {id} twice"
        );
    }
    out
}

/// The SQL for a run, for SQLite, binding fields to the CSV's header.
pub fn sql_for(p: &Program, run: &Run, csv: &str) -> String {
    let (header, _) = parse_csv(csv);
    sql::compile(
        p,
        &SqlOptions {
            dialect: Dialect::Sqlite,
            table: "leads".into(),
            model: run.model,
            campaign: run.campaign,
            as_of: run.as_of,
            file_name: run.file_name.clone(),
            id_column: run.id_column.clone(),
            stage_column: run.stage_column.clone(),
            columns: Some(header),
        },
    )
    .unwrap()
}

/// The engine's result for a run over CSV text: id -> (stage, rule).
pub fn engine(p: &Program, run: &Run, csv: &str) -> BTreeMap<String, Row> {
    let mut plan = Plan::compile(
        p,
        &PlanOptions {
            model: run.model,
            campaign: run.campaign,
            as_of: run.as_of,
            file_name: run.file_name.clone(),
        },
    );
    let cfg = RunConfig {
        stage_column: run.stage_column.clone(),
        id_column: run.id_column.clone(),
        ..RunConfig::default()
    };
    let mut out = Vec::new();
    let mut sinks = Sinks {
        out: &mut out,
        rejects: None,
        events: None,
    };
    batch::run(&mut plan, &mut csv.as_bytes(), &cfg, &mut sinks).expect("engine run");
    let (_, rows) = parse_csv(&String::from_utf8(out).unwrap());
    let mut m = BTreeMap::new();
    for r in rows {
        assert!(
            m.insert(r[0].clone(), (r[1].clone(), r[2].clone()))
                .is_none(),
            "id {} twice",
            r[0]
        );
    }
    m
}

/// Leads where SQLite and the engine differ: (id, SQL, engine).
pub fn differences(p: &Program, run: &Run, csv: &str) -> (usize, Vec<(String, Row, Row)>) {
    let sql = sql_for(p, run, csv);
    let got = query(&sqlite_with(csv), &sql);
    let want = engine(p, run, csv);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the query and the engine see different leads"
    );
    let diffs = want
        .iter()
        .filter(|(id, w)| got[*id] != **w)
        .map(|(id, w)| (id.clone(), got[id].clone(), w.clone()))
        .collect();
    (want.len(), diffs)
}
