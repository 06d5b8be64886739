//! Every lint has a fixture that fires it (tests/fixtures/lint/REV2xx-name.rev, its findings
//! snapshotted) and one of near misses that must not fire it (REV2xx-name-ok.rev).

use revc::check::{Config, LINTS, lint};
use revc::diag::{SourceFile, render_human};
use std::path::Path;

const DIR: &str = "tests/fixtures/lint";

/// The findings of one fixture with the given code, after a clean `check`.
fn findings(file: &str, code: &str) -> (SourceFile, Vec<revc::diag::Diagnostic>) {
    let path = Path::new(DIR).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let src = SourceFile::new(format!("{DIR}/{file}"), text);
    let compiled = revc::compile(&src);
    assert!(
        !compiled.has_errors(),
        "{file} must pass check:\n{}",
        render_human(&src, &compiled.diagnostics, false)
    );
    let diags = lint(&compiled.program, &src.text, &Config::default());
    let mine = diags
        .into_iter()
        .filter(|d| d.code.as_str() == code)
        .collect();
    (src, mine)
}

#[test]
fn every_lint_fires_on_its_fixture_and_not_on_its_near_misses() {
    for l in LINTS {
        let stem = format!("{}-{}", l.code.as_str(), l.name.replace('_', "-"));
        let (src, fired) = findings(&format!("{stem}.rev"), l.code.as_str());
        assert!(
            !fired.is_empty(),
            "{stem}.rev does not fire {}",
            l.code.as_str()
        );
        insta::with_settings!({ snapshot_path => "snapshots/lint", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(stem.clone(), render_human(&src, &fired, false));
        });

        let (src, fired) = findings(&format!("{stem}-ok.rev"), l.code.as_str());
        assert!(
            fired.is_empty(),
            "{stem}-ok.rev fires {}:\n{}",
            l.code.as_str(),
            render_human(&src, &fired, false)
        );
    }
}

#[test]
fn the_shipped_example_lints_clean() {
    let text = std::fs::read_to_string("examples/lifecycle.rev").unwrap();
    let src = SourceFile::new("examples/lifecycle.rev", text);
    let compiled = revc::compile(&src);
    assert!(!compiled.has_errors());
    let diags = lint(&compiled.program, &src.text, &Config::default());
    assert!(diags.is_empty(), "{}", render_human(&src, &diags, false));
}
