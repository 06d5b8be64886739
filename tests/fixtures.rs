//! Fixture tests: every error code has a fixture whose rendered diagnostics are snapshotted, every
//! construct has a fixture whose IR is snapshotted, and the shipped examples check clean.

use revc::diag::{Code, SourceFile, render_human};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `.rev` files of one fixture directory, sorted so snapshots run in a stable order.
fn rev_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rev"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// What `revc check` shows for one error fixture, colour off. A file that is not UTF-8 never
/// becomes a `SourceFile`, so its one-line error comes from the binary itself.
fn rendered_errors(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("fixture readable");
    let name = format!("fixtures/errors/{}.rev", stem(path));
    match String::from_utf8(bytes) {
        Ok(text) => {
            let file = SourceFile::new(name, text);
            let compiled = revc::compile(&file);
            assert!(compiled.has_errors(), "{} has no error", path.display());
            render_human(&file, &compiled.diagnostics, false)
        }
        Err(_) => {
            let out = Command::new(env!("CARGO_BIN_EXE_revc"))
                .arg("check")
                .arg(path)
                .env("NO_COLOR", "1")
                .output()
                .expect("revc runs");
            assert_eq!(out.status.code(), Some(1));
            let dir = path.parent().expect("a directory").display().to_string();
            String::from_utf8(out.stderr)
                .expect("UTF-8 stderr")
                .replace(&dir, "fixtures/errors")
        }
    }
}

#[test]
fn error_fixtures_render_as_snapshotted() {
    for path in rev_files("tests/fixtures/errors") {
        let rendered = rendered_errors(&path);
        insta::with_settings!({
            snapshot_path => "snapshots/errors",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem(&path), rendered);
        });
    }
}

#[test]
fn every_code_has_a_fixture_that_shows_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let stems = |dir: &str| -> Vec<String> { rev_files(dir).iter().map(|p| stem(p)).collect() };
    let (errors, lints) = (stems("tests/fixtures/errors"), stems("tests/fixtures/lint"));
    let mut missing = Vec::new();
    for code in Code::ALL {
        let code = code.as_str();
        // Lints (REV2xx) have their fixtures and snapshots beside the linter's.
        let (fixtures, snaps) = if code.starts_with("REV2") {
            (&lints, "snapshots/lint")
        } else {
            (&errors, "snapshots/errors")
        };
        let shown = fixtures.iter().filter(|f| f.starts_with(code)).any(|f| {
            let snap = root.join(snaps).join(format!("{f}.snap"));
            std::fs::read_to_string(snap).is_ok_and(|s| s.contains(code))
        });
        if !shown {
            missing.push(code);
        }
    }
    assert!(
        missing.is_empty(),
        "codes without a fixture whose snapshot shows them: {missing:?}"
    );
}

#[test]
fn ir_fixtures_compile_to_snapshotted_ir() {
    for path in rev_files("tests/fixtures/ir") {
        let text = std::fs::read_to_string(&path).expect("fixture readable");
        let file = SourceFile::new(format!("fixtures/ir/{}.rev", stem(&path)), text);
        let compiled = revc::compile(&file);
        assert!(
            !compiled.has_errors(),
            "{}:\n{}",
            path.display(),
            render_human(&file, &compiled.diagnostics, false)
        );
        let ir = serde_json::to_string_pretty(&compiled.program).expect("the IR serializes");
        insta::with_settings!({
            snapshot_path => "snapshots/ir",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem(&path), ir);
        });
    }
}

#[test]
fn examples_check_clean() {
    let files = {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("examples/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "rev"))
            .collect();
        v.sort();
        v
    };
    let names: Vec<String> = files.iter().map(|p| stem(p)).collect();
    assert!(names.contains(&"lifecycle".to_string()) && names.contains(&"xeducation".to_string()));
    for path in files {
        let file = SourceFile::new(
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        );
        let compiled = revc::compile(&file);
        assert!(
            compiled.diagnostics.is_empty(),
            "{}",
            render_human(&file, &compiled.diagnostics, false)
        );
    }
}

#[test]
fn the_design_rule_line_parses_verbatim() {
    let src = "model M {\n  stage Known\n  stage \"Sales Lead\"\n  assignment rules {\n    \
               if lead score at least 40 then Sales Lead\n    default Known\n  }\n}\n";
    let compiled = revc::compile(&SourceFile::new("verbatim.rev", src));
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    let ir = serde_json::to_value(&compiled.program).expect("serializes");
    let names = ir["names"].as_array().expect("names");
    assert!(names.iter().any(|n| n == "lead score"), "{names:?}");
    let field = &ir["fields"][0];
    assert_eq!(field["ty"], "number");
    assert_eq!(field["key"], "leadscore");
}

#[test]
fn every_code_is_documented() {
    let read =
        |f: &str| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).expect(f);
    let (errors, lints) = (read("docs/errors.md"), read("docs/lints.md"));
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| {
            let doc = if c.starts_with("REV2") {
                &lints
            } else {
                &errors
            };
            !doc.contains(&format!("## {c}"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a section in docs/errors.md: {missing:?}"
    );
}

#[test]
fn the_readme_tour_checks_clean() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme.find("```rev\n").expect("a rev block") + "```rev\n".len();
    let len = readme[start..].find("```").expect("the block ends");
    let file = SourceFile::new("README.md", &readme[start..start + len]);
    let compiled = revc::compile(&file);
    assert!(
        compiled.diagnostics.is_empty(),
        "{}",
        render_human(&file, &compiled.diagnostics, false)
    );
    assert_eq!(compiled.program.models.len(), 1);
    assert_eq!(compiled.program.campaigns.len(), 1);
}
