//! The command line as a user runs it: exit codes, JSON diagnostics, I/O errors.

use std::path::Path;
use std::process::{Command, Output};

fn revc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_revc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("revc runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn check_exits_0_on_clean_files() {
    let out = revc(&["check", "examples/lifecycle.rev", "examples/xeducation.rev"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("checked 2 files: no errors"));
}

#[test]
fn check_exits_1_on_errors() {
    let out = revc(&["check", "tests/fixtures/errors/REV101-unknown-stage.rev"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("REV101") && err.contains("did you mean `Sales Lead`?"),
        "{err}"
    );
}

#[test]
fn check_exits_2_on_a_missing_file_with_one_line() {
    let out = revc(&["check", "no/such/file.rev"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot read `no/such/file.rev`"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn check_exits_2_on_usage_errors() {
    assert_eq!(revc(&["check"]).status.code(), Some(2));
    assert_eq!(revc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        revc(&["check", "--format", "xml", "examples/lifecycle.rev"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn check_json_has_every_field() {
    let out = revc(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/errors/REV124-value-list.rev",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let arr = v.as_array().expect("an array");
    assert_eq!(arr.len(), 1);
    let d = &arr[0];
    assert_eq!(d["code"], "REV124");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "`at least` takes one value, not a list");
    assert_eq!(d["file"], "tests/fixtures/errors/REV124-value-list.rev");
    assert_eq!(d["line"], 2);
    assert_eq!(d["column"], 30);
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors/REV124-value-list.rev"),
    )
    .unwrap();
    let (start, end) = (
        d["span"]["start"].as_u64().unwrap() as usize,
        d["span"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&src[start..end], "20");
    assert!(d["help"].as_str().is_some_and(|h| h.contains("or")));
}

#[test]
fn check_json_is_an_empty_array_when_clean() {
    let out = revc(&["check", "--format", "json", "examples/lifecycle.rev"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn compile_emits_ir_json() {
    let out = revc(&["compile", "examples/lifecycle.rev", "--emit", "ir"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON IR");
    assert_eq!(v["models"][0]["status"], "approved");
    assert!(
        v["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "Lead Lifecycle")
    );
}

#[test]
fn compile_exits_1_on_errors_and_2_on_missing_file() {
    let out = revc(&[
        "compile",
        "tests/fixtures/errors/REV142-duplicate-default.rev",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(revc(&["compile", "missing.rev"]).status.code(), Some(2));
}

#[test]
fn check_reports_every_file_and_keeps_going() {
    let out = revc(&[
        "check",
        "tests/fixtures/errors/REV101-unknown-stage.rev",
        "missing.rev",
        "examples/lifecycle.rev",
    ]);
    // An I/O error wins: the run could not look at everything it was asked to.
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("REV101") && err.contains("cannot read `missing.rev`"),
        "{err}"
    );
}
