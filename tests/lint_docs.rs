//! docs/lints.md is generated from the lints' `//!` docs (the text `revc lint --explain` prints);
//! this test fails when they drift. Regenerate with `UPDATE_LINT_DOCS=1 cargo test --test lint_docs`.

#[test]
fn docs_lints_md_matches_the_lint_docs() {
    let want = revc::check::lints_markdown();
    if std::env::var_os("UPDATE_LINT_DOCS").is_some() {
        std::fs::write("docs/lints.md", &want).unwrap();
    }
    let have = std::fs::read_to_string("docs/lints.md").unwrap_or_default();
    assert!(
        have == want,
        "docs/lints.md is out of date: run `UPDATE_LINT_DOCS=1 cargo test --test lint_docs`"
    );
}

#[test]
fn every_lint_doc_says_what_why_example_and_fix() {
    for l in revc::check::LINTS {
        let doc = l.doc();
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                doc.contains(section),
                "{} lacks `{section}`",
                l.code.as_str()
            );
        }
        assert!(l.explain().starts_with(l.code.as_str()));
    }
}
