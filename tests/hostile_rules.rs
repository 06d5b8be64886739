//! Hostile `.rev` input: whatever bytes a rules file holds, the front end (parse, lower, lint and
//! both renderings) answers with diagnostics or a clear limit error, never a panic, a stack
//! overflow or a hang. Plain tests build each named hostile case in memory (nothing big is
//! committed); property tests throw arbitrary bytes and mutated fixtures at it.
//!
//! The library tests run on the test harness's threads, whose stacks (2 MiB) are smaller than
//! the command line's main thread (8 MiB), so a recursion that fits here fits there.

use proptest::prelude::*;
use revc::diag::{Code, Diagnostic, SourceFile, render_human, render_json};
use revc::syntax::{MAX_FILE_BYTES, MAX_NAME_CHARS, MAX_NESTING};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Asserts that a span lies within `src` and starts and ends on character boundaries, so that
/// slicing the source with it (as every renderer does) cannot panic.
fn assert_span_ok(src: &str, span: revc::span::Span, what: &str) {
    let (s, e) = (span.start as usize, span.end as usize);
    assert!(s <= e, "{what}: span {s}..{e} is reversed");
    assert!(
        e <= src.len(),
        "{what}: span {s}..{e} past the end ({})",
        src.len()
    );
    assert!(
        src.is_char_boundary(s),
        "{what}: span start {s} inside a character"
    );
    assert!(
        src.is_char_boundary(e),
        "{what}: span end {e} inside a character"
    );
}

fn assert_spans_ok(src: &str, diags: &[Diagnostic]) {
    for d in diags {
        let what = format!("{} {}", d.code.as_str(), d.message);
        assert_span_ok(src, d.primary.span, &what);
        for l in &d.secondary {
            assert_span_ok(src, l.span, &what);
        }
    }
}

/// Everything `check`, `compile --emit ir` and `lint` do with a text, in the library: compile,
/// lint when clean, serialize the IR, render both ways. Returns the compile diagnostics.
fn front_end(text: &str) -> Vec<Diagnostic> {
    let file = SourceFile::new("hostile.rev", text);
    let compiled = revc::compile(&file);
    assert_spans_ok(text, &compiled.diagnostics);
    let mut all = compiled.diagnostics.clone();
    if !compiled.has_errors() {
        serde_json::to_string(&compiled.program).expect("the IR serializes");
        let found = revc::check::lint(&compiled.program, text, &revc::check::Config::default());
        assert_spans_ok(text, &found);
        all.extend(found);
    }
    render_human(&file, &all, false);
    render_json(&file, &all);
    compiled.diagnostics
}

fn codes(diags: &[Diagnostic]) -> Vec<Code> {
    diags.iter().map(|d| d.code).collect()
}

/// A model whose assignment rule holds `cond`, so a condition can be tried alone.
fn with_rule(cond: &str) -> String {
    format!(
        "model M {{\n  stage Known\n  stage Engaged\n  assignment rules {{\n    if {cond} then Engaged\n    default Known\n  }}\n}}\n"
    )
}

#[test]
fn parentheses_nested_100_000_deep_are_a_limit_error() {
    let n = 100_000;
    let cond = format!("{}lead score at least 1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(codes(&front_end(&with_rule(&cond))), [Code::Limit]);
}

#[test]
fn not_nested_100_000_deep_is_a_limit_error() {
    let cond = format!("{}lead score at least 1", "not ".repeat(100_000));
    assert_eq!(codes(&front_end(&with_rule(&cond))), [Code::Limit]);
}

#[test]
fn nesting_at_the_limit_compiles_and_lints() {
    let d = MAX_NESTING;
    let cond = format!("{}lead score at least 1{}", "(".repeat(d), ")".repeat(d));
    assert_eq!(codes(&front_end(&with_rule(&cond))), []);
    let cond = format!("{}lead score at least 1", "not ".repeat(d));
    assert_eq!(codes(&front_end(&with_rule(&cond))), []);
    // Both at once: `not (` alternating, each counted against its own limit.
    let cond = format!(
        "{}lead score at least 1{}",
        "not (".repeat(d),
        ")".repeat(d)
    );
    assert_eq!(codes(&front_end(&with_rule(&cond))), []);
}

#[test]
fn a_100_000_character_name_is_a_limit_error() {
    let long = "x".repeat(100_000);
    for src in [
        with_rule(&format!("\"{long}\" at least 1")),
        with_rule(&format!("{long} at least 1")),
        format!("model \"{long}\" {{\n  stage Known\n}}\n"),
        format!("smart list {long} {{\n  1: a is b\n}}\n"),
    ] {
        let diags = front_end(&src);
        assert_eq!(codes(&diags), [Code::Limit], "{diags:?}");
        assert!(diags[0].message.contains(&MAX_NAME_CHARS.to_string()));
    }
    // At the limit, the name is fine.
    let name = "é".repeat(MAX_NAME_CHARS);
    assert_eq!(
        codes(&front_end(&with_rule(&format!("\"{name}\" at least 1")))),
        []
    );
}

#[test]
fn long_unknown_names_do_not_make_did_you_mean_quadratic() {
    // Hundreds of unknown stages of the longest allowed name, among as many known ones: the
    // edit distance of every pair would be 10^11 steps.
    let n = 300;
    let mut src = String::from("model M {\n");
    for i in 0..n {
        src.push_str(&format!(
            "  stage \"{}{i}\"\n",
            "s".repeat(MAX_NAME_CHARS - 4)
        ));
    }
    src.push_str("  assignment rules {\n");
    for i in 0..n {
        src.push_str(&format!(
            "    if a is b then \"{}{i}\"\n",
            "t".repeat(MAX_NAME_CHARS - 4)
        ));
    }
    src.push_str("  }\n}\n");
    let start = std::time::Instant::now();
    let diags = front_end(&src);
    assert_eq!(diags.len(), n);
    assert!(diags.iter().all(|d| d.code == Code::UnknownStage));
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn a_file_over_the_size_limit_is_a_limit_error() {
    let rule = "    if lead score at least 1 then Engaged\n";
    let mut src = String::from("model M {\n  stage Engaged\n  assignment rules {\n");
    while src.len() <= MAX_FILE_BYTES {
        src.push_str(rule);
    }
    src.push_str("  }\n}\n");
    let diags = front_end(&src);
    assert_eq!(codes(&diags), [Code::Limit]);
    assert!(diags[0].message.contains("MiB"), "{}", diags[0].message);
    assert!(diags[0].help.as_deref().unwrap_or("").contains("split"));
}

#[test]
fn a_100_000_rule_file_compiles() {
    let mut src = String::from("model M {\n  stage Known\n");
    for s in 0..50 {
        src.push_str(&format!("  stage S{s}\n"));
    }
    src.push_str("  assignment rules {\n");
    for i in 0..100_000 {
        src.push_str(&format!(
            "    if lead score at least {i} then S{}\n",
            i % 50
        ));
    }
    src.push_str("    default Known\n  }\n}\n");
    assert!(src.len() < MAX_FILE_BYTES);
    // Compiled, not linted: the linter's first-match analysis grows faster than the file (see
    // bench/compile-scaling.sh), too slow for a debug test at this size; 5,000 rules are linted.
    let file = SourceFile::new("big.rev", src);
    let compiled = revc::compile(&file);
    assert!(!compiled.has_errors());
    assert_eq!(compiled.program.models[0].rules.len(), 100_000);
}

#[test]
fn a_5_000_rule_file_lints() {
    let mut src = String::from("model M {\n  stage Known\n");
    for s in 0..50 {
        src.push_str(&format!("  stage S{s}\n"));
    }
    src.push_str("  assignment rules {\n");
    for i in 0..5_000 {
        src.push_str(&format!(
            "    if lead score at least {i} then S{}\n",
            i % 50
        ));
    }
    src.push_str("    default Known\n  }\n}\n");
    let diags = front_end(&src);
    assert!(diags.iter().all(|d| !d.is_error()), "{:?}", &diags[..1]);
}

#[test]
fn a_40_000_error_file_reports_every_error() {
    // One syntax error per block and one unknown name per rule: recovery, sorting, line lookup
    // and rendering each run once per diagnostic, so any quadratic step shows here.
    let mut src = String::new();
    for i in 0..20_000 {
        src.push_str(&format!("model M{i} {{\n  stage\n}}\n"));
    }
    let diags = front_end(&src);
    assert_eq!(diags.len(), 20_000);
    let mut src = String::from("model M {\n  stage Known\n  assignment rules {\n");
    for i in 0..20_000 {
        src.push_str(&format!("    if a is b then Unknown{i}\n"));
    }
    src.push_str("  }\n}\n");
    let diags = front_end(&src);
    assert_eq!(diags.len(), 20_000);
    assert!(diags.iter().all(|d| d.code == Code::UnknownStage));
}

#[test]
fn a_very_long_line_is_diagnosed() {
    let value = "v".repeat(1 << 20);
    let diags = front_end(&with_rule(&format!("Country is {value}, and")));
    assert_eq!(codes(&diags), [Code::Syntax]);
    let diags = front_end(&format!("{}\n", "z ".repeat(1 << 19)));
    assert_eq!(codes(&diags), [Code::Syntax]);
}

#[test]
fn a_nul_byte_inside_a_name_is_part_of_the_name() {
    // The grammar takes any character but separators in a bare name, NUL included; what
    // matters here is that it travels through lowering, linting and rendering unharmed.
    let src = "model M {\n  stage Kn\0own\n  stage Known\n  assignment rules {\n    default Kn\0own\n  }\n}\n";
    assert_eq!(codes(&front_end(src)), []);
    assert_eq!(codes(&front_end(&with_rule("Country is \0"))), []);
}

#[test]
fn a_diagnostic_past_column_65_535_renders() {
    // miette pads labels with a format width, and Rust panics on widths past 65,535.
    let src = format!("{} model\n", " ".repeat(70_000));
    let file = SourceFile::new("long.rev", src.as_str());
    let compiled = revc::compile(&file);
    assert_eq!(codes(&compiled.diagnostics), [Code::Syntax]);
    let text = render_human(&file, &compiled.diagnostics, false);
    assert!(text.contains("long.rev:1:70007"), "{text}");
}

#[test]
fn nul_bytes_a_lone_quote_and_binary_give_syntax_errors() {
    for src in [
        "\0".to_string(),
        "\"".to_string(),
        with_rule("\""),
        "model \"".to_string(),
        "\u{feff}model M { stage Known }".to_string(),
        String::from_utf8_lossy(&(0..=255u8).cycle().take(10_000).collect::<Vec<u8>>())
            .into_owned(),
    ] {
        let diags = front_end(&src);
        assert!(!diags.is_empty(), "no diagnostic for {src:?}");
        assert!(diags.iter().all(|d| d.code == Code::Syntax), "{diags:?}");
    }
}

/// `n` smart lists, each including the next; the last matches on a field.
fn list_chain(n: usize) -> String {
    let mut src = String::new();
    for i in 0..n {
        src.push_str(&format!(
            "smart list L{i} {{\n  1: in smart list L{}\n}}\n",
            i + 1
        ));
    }
    src.push_str(&format!(
        "smart list L{n} {{\n  1: lead score at least 1\n}}\n"
    ));
    src + &with_rule("in smart list L0")
}

#[test]
fn smart_lists_included_20_000_deep_are_a_limit_error() {
    let diags = front_end(&list_chain(20_000));
    assert_eq!(codes(&diags), [Code::Limit]);
    assert!(
        diags[0].message.contains("smart list"),
        "{}",
        diags[0].message
    );
}

#[test]
fn smart_lists_included_to_the_limit_lint() {
    // Each list of the chain holds a condition nested to the parser's limit, so the analysis
    // recurses through the deepest input the compiler accepts.
    let depth = revc::ir::MAX_COND_DEPTH / (MAX_NESTING + 2);
    let mut src = String::new();
    for i in 0..depth {
        let inner = format!("in smart list L{}", i + 1);
        let cond = format!(
            "{}{inner}{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        src.push_str(&format!("smart list L{i} {{\n  1: {cond}\n}}\n"));
    }
    src.push_str(&format!(
        "smart list L{depth} {{\n  1: lead score at least 1\n}}\n"
    ));
    let src = src + &with_rule("in smart list L0");
    assert_eq!(codes(&front_end(&src)), []);
}

#[test]
fn a_smart_list_cycle_of_20_000_lists_is_reported_once() {
    let mut src = String::new();
    let n = 20_000;
    for i in 0..n {
        src.push_str(&format!(
            "smart list L{i} {{\n  1: in smart list L{}\n}}\n",
            (i + 1) % n
        ));
    }
    let diags = front_end(&src);
    assert_eq!(codes(&diags), [Code::SmartListCycle]);
}

/// Writes `bytes` to a fresh temporary `.rev` file and returns its path.
fn temp_rev(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("revc-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{name}.rev"));
    std::fs::write(&path, bytes).expect("temp file written");
    path
}

/// Runs `revc check`, `revc compile --emit ir` and `revc lint` on a file; each must exit 0 or 1
/// (never by a signal, never 101 from a panic) and print no panic message. Returns the stderr of
/// `check`.
fn cli_all(path: &Path) -> String {
    let mut check_err = String::new();
    for args in [
        &["check"][..],
        &["compile", "--emit", "ir"][..],
        &["lint"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_revc"))
            .args(args)
            .arg(path)
            .env("NO_COLOR", "1")
            .output()
            .expect("revc runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "revc {args:?} {} ended with {:?}: {}",
            path.display(),
            out.status,
            &stderr[..stderr.len().min(2000)]
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        if args[0] == "check" {
            check_err = stderr;
        }
    }
    check_err
}

#[test]
fn the_command_line_survives_every_hostile_file() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    bytes.extend_from_slice(b"\nmodel M {\n");
    let n = 100_000;
    let deep_parens = with_rule(&format!("{}a is b{}", "(".repeat(n), ")".repeat(n)));
    let deep_not = with_rule(&format!("{}a is b", "not ".repeat(n)));
    let long_name = with_rule(&format!("\"{}\" is b", "n".repeat(n)));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("binary", bytes),
        ("latin1", b"model M {\n  stage Kn\xe9own\n}\n".to_vec()),
        ("nul", b"model M {\0\n".to_vec()),
        ("lone-quote", b"\"".to_vec()),
        ("empty", Vec::new()),
        ("deep-parens", deep_parens.into_bytes()),
        ("deep-not", deep_not.into_bytes()),
        ("long-name", long_name.into_bytes()),
        (
            "long-line",
            format!("{}\n", "word ".repeat(200_000)).into_bytes(),
        ),
        ("list-chain", list_chain(20_000).into_bytes()),
    ];
    for (name, bytes) in cases {
        let stderr = cli_all(&temp_rev(name, &bytes));
        assert!(stderr.contains("error"), "{name}: {stderr}");
    }
}

#[test]
fn the_command_line_refuses_a_50_mb_file_without_reading_it_all() {
    let rule = "    if lead score at least 1 then Engaged\n";
    let mut src = String::from("model M {\n  stage Engaged\n  assignment rules {\n");
    src.push_str(&rule.repeat(50_000_000 / rule.len()));
    src.push_str("  }\n}\n");
    let stderr = cli_all(&temp_rev("fifty-mb", src.as_bytes()));
    assert!(stderr.contains("error[REV002]"), "{stderr}");
    assert!(stderr.contains("MiB"), "{stderr}");
}

/// The fixtures and examples, the seeds of the mutation tests (read once).
fn seeds() -> &'static [String] {
    static SEEDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(read_seeds)
}

fn read_seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut dirs = vec![root.join("tests/fixtures"), root.join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rev") {
                let bytes = std::fs::read(&path).expect("readable fixture");
                out.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    out.sort();
    assert!(out.len() > 50, "only {} seeds", out.len());
    out
}

/// Words and punctuation whose insertion is most likely to upset the parser and lowering.
const TOKENS: &[&str] = &[
    "\"",
    "(",
    ")",
    "{",
    "}",
    ",",
    ":",
    "->",
    "#",
    "\n",
    "\\",
    "not ",
    " and ",
    " or ",
    " then ",
    " is ",
    "in smart list ",
    " between ",
    " when ",
    "otherwise",
    "model ",
    "smart list ",
    "fields {",
    "campaign ",
    "match ",
    "stage ",
    "sla ",
    "é",
    "\u{1F600}",
    "\0",
    "\r\n",
    "2024-02-30",
    "99999999999999999999",
    "-0",
    "1e400",
];

/// One edit of a seed text.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the byte at a position with another (then repair to UTF-8).
    Flip(usize, u8),
    /// Insert a token at a position.
    Insert(usize, usize),
    /// Cut the text at a position.
    Truncate(usize),
    /// Copy a range to another place.
    Duplicate(usize, usize, usize),
    /// Remove a range.
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0..200usize, any::<usize>())
            .prop_map(|(a, n, b)| Mutation::Duplicate(a, n, b)),
        (any::<usize>(), 0..40usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
    ]
}

/// Applies edits to a seed, working on bytes and then repairing to UTF-8 (as a lossy reader
/// would), so mutations can land in the middle of a character.
fn mutate(seed: &str, edits: &[Mutation]) -> String {
    let mut b = seed.as_bytes().to_vec();
    for m in edits {
        let at = |x: usize, len: usize| if len == 0 { 0 } else { x % (len + 1) };
        match *m {
            Mutation::Flip(i, v) if !b.is_empty() => {
                let i = i % b.len();
                b[i] = v;
            }
            Mutation::Flip(..) => {}
            Mutation::Insert(i, t) => {
                let i = at(i, b.len());
                b.splice(i..i, TOKENS[t].bytes());
            }
            Mutation::Truncate(i) => b.truncate(at(i, b.len())),
            Mutation::Duplicate(i, n, j) => {
                let i = at(i, b.len());
                let piece = b[i..(i + n).min(b.len())].to_vec();
                let j = at(j, b.len());
                b.splice(j..j, piece);
            }
            Mutation::Delete(i, n) => {
                let i = at(i, b.len());
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        front_end(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_token_soup_never_panics(
        toks in proptest::collection::vec(
            prop_oneof![
                (0..TOKENS.len()).prop_map(|t| TOKENS[t].to_string()),
                "[a-zA-Z0-9 ]{1,8}",
            ],
            0..60,
        )
    ) {
        front_end(&toks.concat());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic(
        seed in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        front_end(&mutate(&seeds[seed.index(seeds.len())], &edits));
    }
}
