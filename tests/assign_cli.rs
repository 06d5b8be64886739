//! `revc assign` end to end: each directory under tests/fixtures/assign/ is one case. Its `args`
//! file holds the command line (one argument per line; `{dir}` is the case directory, `{tmp}` a
//! fresh scratch directory); the snapshot holds the exit code, standard output, standard error
//! (timings removed) and every file the run left in `{tmp}`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("revc-assign-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Drops what changes from run to run: wall time, throughput, thread count.
fn stable(stderr: &str) -> String {
    if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(stderr) {
        for k in ["seconds", "leads_per_second", "threads"] {
            v.as_object_mut().map(|o| o.remove(k));
        }
        return serde_json::to_string_pretty(&v).unwrap();
    }
    stderr
        .lines()
        .map(|l| match l.find(" in ") {
            Some(i) if l.trim_start().starts_with("read") => format!("{} in (time)", &l[..i]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_case(case: &Path) -> String {
    let name = case.file_name().unwrap().to_string_lossy().to_string();
    let tmp = scratch(&name);
    let root = env!("CARGO_MANIFEST_DIR");
    let rel = case.strip_prefix(root).unwrap_or(case);
    let args: Vec<String> = std::fs::read_to_string(case.join("args"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            // Relative to the repository, so that column widths in the summary do not depend
            // on where the repository is checked out.
            l.replace("{dir}", &rel.display().to_string())
                .replace("{tmp}", &tmp.display().to_string())
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_revc"))
        .args(&args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let mut snap = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}\n",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        stable(&String::from_utf8_lossy(&out.stderr))
    );
    let mut files: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        snap += &format!(
            "--- file {}\n{}",
            f.file_name().unwrap().to_string_lossy(),
            String::from_utf8_lossy(&std::fs::read(&f).unwrap())
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
    snap.replace(&case.display().to_string(), "{dir}")
        .replace(&rel.display().to_string(), "{dir}")
        .replace(&tmp.display().to_string(), "{tmp}")
}

#[test]
fn assign_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/assign");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "expected the assign fixture cases");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let snap = run_case(&case);
        insta::with_settings!({ snapshot_path => "snapshots/assign", snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("assign", snap);
        });
    }
}
