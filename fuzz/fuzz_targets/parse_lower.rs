//! Fuzz target: any bytes through the whole front end. Invalid UTF-8 is repaired as a lossy
//! reader would (the command line refuses it earlier with REV003, which leaves nothing to fuzz).
//! Parse and lower (`revc::compile`), then lint a clean program and render every diagnostic both
//! ways, asserting each span lies in the file on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use revc::diag::{SourceFile, render_human, render_json};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = SourceFile::new("fuzz.rev", text);
    let compiled = revc::compile(&file);
    let mut all = compiled.diagnostics.clone();
    if !compiled.has_errors() {
        let _ = serde_json::to_string(&compiled.program);
        all.extend(revc::check::lint(
            &compiled.program,
            &file.text,
            &revc::check::Config::default(),
        ));
    }
    for d in &all {
        for span in std::iter::once(d.primary.span).chain(d.secondary.iter().map(|l| l.span)) {
            let (s, e) = (span.start as usize, span.end as usize);
            assert!(s <= e && e <= file.text.len(), "span {s}..{e} out of the file");
            assert!(file.text.is_char_boundary(s) && file.text.is_char_boundary(e));
        }
    }
    render_human(&file, &all, false);
    render_json(&file, &all);
});
