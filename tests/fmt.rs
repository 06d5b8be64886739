//! `revc fmt`: idempotent and meaning-preserving over every fixture, example and generated file;
//! its layout is snapshotted; the command line checks, diffs, reads stdin and leaves broken files
//! alone.

use proptest::prelude::*;
use revc::diag::SourceFile;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rev` file under `dir`, recursively, sorted.
fn rev_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rev_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rev") {
            out.push(p);
        }
    }
    out.sort();
}

/// The IR as JSON without what layout changes: spans and line numbers.
fn ir_without_positions(src: &str) -> Option<serde_json::Value> {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| k != "span" && k != "line" && !k.ends_with("_span"));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let compiled = revc::compile(&SourceFile::new("f.rev", src));
    if compiled.has_errors() {
        return None;
    }
    let mut v = serde_json::to_value(&compiled.program).unwrap();
    strip(&mut v);
    Some(v)
}

/// Formats `src` and checks both properties; returns whether the IR was compared (the file
/// compiled cleanly).
fn check_fmt(name: &str, src: &str) -> bool {
    let once = revc::fmt::format(src).unwrap_or_else(|e| panic!("{name}: does not parse: {e:?}"));
    let twice = revc::fmt::format(&once)
        .unwrap_or_else(|e| panic!("{name}: the formatted text does not parse: {e:?}\n{once}"));
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    match ir_without_positions(src) {
        None => false,
        Some(before) => {
            let after = ir_without_positions(&once)
                .unwrap_or_else(|| panic!("{name}: the formatted file has errors:\n{once}"));
            assert_eq!(before, after, "{name}: formatting changed the IR:\n{once}");
            true
        }
    }
}

#[test]
fn every_fixture_and_example_formats_idempotently_and_keeps_its_ir() {
    let mut files = Vec::new();
    rev_files(&root().join("tests/fixtures"), &mut files);
    rev_files(&root().join("examples"), &mut files);
    let mut compared = 0;
    let mut parsed = 0;
    for path in &files {
        let Ok(src) = std::fs::read_to_string(path) else {
            continue; // the not-UTF-8 fixture
        };
        let (_, syntax) = revc::syntax::parse(&src);
        if !syntax.is_empty() {
            continue;
        }
        parsed += 1;
        if check_fmt(&path.display().to_string(), &src) {
            compared += 1;
        }
    }
    // Every IR fixture and both examples compile cleanly, so the IR check ran on them all.
    assert!(compared >= 20, "only {compared} files compared");
    assert!(
        parsed > compared,
        "no fixture with only semantic errors was formatted"
    );
}

#[test]
fn the_shipped_examples_are_formatted() {
    for name in ["lifecycle", "xeducation"] {
        let path = root().join(format!("examples/{name}.rev"));
        let src = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            revc::fmt::format(&src).unwrap(),
            src,
            "run `revc fmt {}`",
            path.display()
        );
    }
}

#[test]
fn layout_snapshots() {
    let mut files = Vec::new();
    rev_files(&root().join("tests/fixtures/fmt"), &mut files);
    assert!(!files.is_empty());
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        let out = revc::fmt::format(&src).unwrap();
        check_fmt(&path.display().to_string(), &src);
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::with_settings!({
            snapshot_path => "snapshots/fmt",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem, out);
        });
    }
}

#[test]
fn names_are_quoted_only_when_they_must_be() {
    use revc::fmt::{Ctx, needs_quotes};
    for bare in [
        "Lead Score",
        "Do Not Email",
        "Sales Lead",
        "lead_score",
        "Önskad Stad",
    ] {
        assert!(!needs_quotes(bare, Ctx::Name), "{bare}");
    }
    for quoted in [
        "What is your current occupation",
        "Days Before Renewal",
        "Score and Rank",
        "not sure",
        "is-active",
        "A, B",
        "x -> y",
        "two  spaces",
        "",
    ] {
        assert!(needs_quotes(quoted, Ctx::Name), "{quoted}");
    }
    assert!(needs_quotes("Number of Employees number", Ctx::Decl));
    assert!(!needs_quotes("Number of Employees", Ctx::Decl));
    assert!(needs_quotes("Path to Sales", Ctx::Model));
    assert!(!needs_quotes("Path to Sales", Ctx::Name));
    assert!(needs_quotes("Stage Model", Ctx::Expect));
}

fn revc(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revc"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("revc-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn check_prints_a_diff_and_exits_1_then_fmt_rewrites_the_file() {
    let messy = "model M {\n    stage   A\n  stage B\n  assignment rules {\n  default A\n  }\n}\n";
    let path = scratch("messy.rev", messy);
    let p = path.to_str().unwrap();
    let (code, out, _) = revc(&["fmt", "--check", p], None);
    assert_eq!(code, 1);
    let diff = out.replace(p, "messy.rev");
    let want = "--- messy.rev\n+++ messy.rev (formatted)\n@@ -1,7 +1,7 @@\n model M {\n-    stage   A\n+  stage A\n   stage B\n   assignment rules {\n-  default A\n+    default A\n   }\n }\n";
    assert_eq!(diff, want);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        messy,
        "--check wrote"
    );
    let (code, _, _) = revc(&["fmt", p], None);
    assert_eq!(code, 0);
    let (code, out, _) = revc(&["fmt", "--check", p], None);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let (code, out, _) = revc(&["fmt", "-"], Some("FIELDS {\nCountry TEXT\n}\n"));
    assert_eq!(code, 0);
    assert_eq!(out, "fields {\n  Country  text\n}\n");
}

#[test]
fn a_file_with_syntax_errors_is_left_untouched_and_its_errors_shown() {
    let broken = "model M {\n  stage A\n  transition A -> A\n}\n";
    let path = scratch("broken.rev", broken);
    let (code, out, err) = revc(&["fmt", path.to_str().unwrap()], None);
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(err.contains("REV001"), "{err}");
    assert!(err.contains("was not formatted"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

// ---------------------------------------------------------------- generated files

/// A small deterministic generator of valid `.rev` files in random layouts: keyword case,
/// spacing, blank lines, quoting, parentheses and comments all vary.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn sp(&mut self) -> &'static str {
        self.pick(&[" ", " ", "  ", "\t"])
    }
    fn kw(&mut self, k: &str) -> String {
        match self.below(3) {
            0 => k.to_uppercase(),
            _ => k.to_string(),
        }
    }
    /// A name: bare when `bare_ok` and the coin says so, else quoted.
    fn name(&mut self, n: &str, bare_ok: bool) -> String {
        if bare_ok && self.chance(50) {
            n.to_string()
        } else {
            format!("\"{n}\"")
        }
    }
    fn eol(&mut self) -> String {
        let c = if self.chance(15) { " # note" } else { "" };
        let blank = if self.chance(15) { "\n" } else { "" };
        let own = if self.chance(10) {
            "\n  # about the next line"
        } else {
            ""
        };
        format!("{c}\n{blank}{own}\n")
    }
}

/// Field pool: name, whether it may be written bare, type.
const FIELDS: &[(&str, bool, &str)] = &[
    ("Lead Score", true, "number"),
    ("Country", true, "text"),
    ("Do Not Email", true, "boolean"),
    ("What is your job", false, "text"),
    ("Created At", true, "date"),
    ("Days Before Renewal", false, "number"),
];
const STAGES: &[(&str, bool)] = &[
    ("Known", true),
    ("Sales Lead", true),
    ("Is Lost", false),
    ("Routing", true),
];

fn gen_filter(g: &mut Gen) -> String {
    let (f, bare, ty) = FIELDS[g.below(FIELDS.len())];
    let field = g.name(f, bare);
    let s = g.sp();
    let rest = match ty {
        "number" => g
            .pick(&[
                "at least 40",
                "is 0, 5",
                "between 1 and 9",
                "less than -2.5",
                "is not empty",
            ])
            .to_string(),
        "text" => g
            .pick(&[
                "is Germany, \"United Kingdom\"",
                "contains VP",
                "not starts with x",
                "is empty",
                "is not India",
            ])
            .to_string(),
        "boolean" => g.pick(&["is true", "is false", "is empty"]).to_string(),
        _ => g
            .pick(&[
                "before 2024-06-01",
                "in past 30 days",
                "on or after 2024-01-01T10:00:00Z",
                "in future 2 weeks",
            ])
            .to_string(),
    };
    format!("{field}{s}{rest}")
}

fn gen_cond(g: &mut Gen, depth: usize, lists: usize) -> String {
    let leaf = depth == 0 || g.chance(40);
    if leaf {
        if lists > 0 && g.chance(20) {
            let neg = if g.chance(50) { "not " } else { "" };
            return format!("{neg}in smart list \"L{}\"", g.below(lists));
        }
        return gen_filter(g);
    }
    match g.below(4) {
        0 => format!("not ({})", gen_cond(g, depth - 1, lists)),
        1 => format!("({})", gen_cond(g, depth - 1, lists)),
        2 => format!(
            "{} {} {}",
            gen_cond(g, depth - 1, lists),
            g.kw("and"),
            gen_cond(g, depth - 1, lists)
        ),
        _ => format!(
            "{} {} {}",
            gen_cond(g, depth - 1, lists),
            g.kw("or"),
            gen_cond(g, depth - 1, lists)
        ),
    }
}

fn gen_file(seed: u64) -> String {
    let mut g = Gen(seed | 1);
    let mut s = String::new();
    if g.chance(50) {
        s += "# generated\n";
    }
    // Tests may only set fields the file knows; with a `fields` block that is every field.
    let declared = g.chance(50);
    if declared {
        s += &format!("{} {{{}", g.kw("fields"), g.eol());
        for &(f, bare, ty) in FIELDS {
            // A bare declared name must not end in a type word; none of the pool's do.
            let n = g.name(f, bare);
            let sp = g.sp();
            s += &format!("  {n}{sp}{}{}", g.kw(ty), g.eol());
        }
        s += "}\n";
    }
    let lists = g.below(3);
    for l in 0..lists {
        s += &format!("\n{} \"L{l}\" {{{}", g.kw("smart list"), g.eol());
        let n = 1 + g.below(3);
        for i in 1..=n {
            let c = gen_cond(&mut g, 1, l); // only earlier lists: no cycles
            s += &format!("  {i}:{}{c}{}", g.sp(), g.eol());
        }
        match g.below(3) {
            0 => s += &format!("  {} all\n", g.kw("match")),
            1 => s += &format!("  match 1 or (not 1 and {n})\n"),
            _ => {}
        }
        s += "}\n";
    }
    s += &format!("\n{} \"M\" {{{}", g.kw("model"), g.eol());
    s += &format!(
        "  status {}\n",
        g.pick(&["approved", "Stages  Approved", "draft"])
    );
    for &(st, bare) in STAGES {
        let kind = if st == "Routing" {
            " gate"
        } else {
            g.pick(&["", " sla 3 days", " inventory", ""])
        };
        let kw = if st == "Is Lost" { "detour" } else { "stage" };
        let n = g.name(st, bare);
        s += &format!("  {}{}{n}{kind}{}", g.kw(kw), g.sp(), g.eol());
    }
    let stage = |g: &mut Gen| {
        let (st, bare) = STAGES[g.below(STAGES.len())];
        g.name(st, bare)
    };
    for _ in 0..g.below(4) {
        let (a, b) = (stage(&mut g), stage(&mut g));
        let c = gen_cond(&mut g, 2, lists);
        s += &format!("  transition {a} -> {b} {} {c}{}", g.kw("when"), g.eol());
    }
    s += &format!("  transition Routing -> Known {}\n", g.kw("otherwise"));
    s += &format!("  {} {{{}", g.kw("assignment rules"), g.eol());
    for _ in 0..g.below(4) {
        let c = gen_cond(&mut g, 3, lists);
        let st = stage(&mut g);
        s += &format!("    {} {c} {} {st}{}", g.kw("if"), g.kw("then"), g.eol());
    }
    if g.chance(70) {
        let st = stage(&mut g);
        s += &format!("    {} {st}\n", g.kw("default"));
    }
    s += "  }\n}\n";
    if lists > 0 && g.chance(50) {
        s += "campaign \"C\" { smart list \"L0\"\n  change revenue stage in M to Known }\n";
    }
    let tests = if declared { g.below(3) } else { 0 };
    for t in 0..tests {
        let (f, bare, ty) = FIELDS[g.below(FIELDS.len())];
        let v = match ty {
            "number" => "45",
            "boolean" => "yes",
            "date" => "2024-05-01",
            _ => "\"United Kingdom\"",
        };
        let field = g.name(f, bare);
        let current = if g.chance(50) { " in stage Known" } else { "" };
        let model = if g.chance(50) { " M" } else { "" };
        let st = stage(&mut g);
        s += &format!(
            "test \"t{t}\" {{ lead {{ {field}: {v} }}{current}\n  expect{model} stage {st} }}{}",
            g.eol()
        );
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn generated_files_format_idempotently_and_keep_their_ir(seed in any::<u64>()) {
        let src = gen_file(seed);
        let compiled = revc::compile(&SourceFile::new("gen.rev", src.as_str()));
        // The generator writes valid files; if it did not, the IR check below would be skipped.
        prop_assert!(!compiled.has_errors(), "generated file has errors:\n{}\n{:?}", src, compiled.diagnostics);
        prop_assert!(check_fmt("generated", &src));
    }
}
