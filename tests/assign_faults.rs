//! `revc assign` under faults and at the edges: a full disk, a missing directory, special files,
//! signals in the middle of a run, a reader that goes away, huge fields and rows, and
//! byte-identical results whatever the thread count, the run or the time zone.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RULES: &str = "model M {
  status approved
  stage Cold
  stage Warm
  stage Hot
  assignment rules {
    if score at least 50 then Hot
    if region is EMEA, APAC or score is 0 then Warm
    if created in past 30 days then Warm
    default Cold
  }
}
";

fn revc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_revc"));
    c.env("NO_COLOR", "1");
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("revc-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rules.rev"), RULES).unwrap();
    dir
}

/// A CSV of `n` leads; quoted notes with line breaks make records span lines.
fn leads(n: usize) -> String {
    let mut s = String::from("id,score,region,created,notes\n");
    let regions = ["EMEA", "apac", "", "Americas", " emea "];
    for i in 0..n {
        let note = if i % 7 == 0 {
            "\"two\nlines, \"\"quoted\"\"\""
        } else {
            "plain"
        };
        s += &format!(
            "L{i},{},{},2024-{:02}-{:02},{note}\n",
            (i * 37) % 101,
            regions[i % regions.len()],
            1 + i % 12,
            1 + i % 28
        );
    }
    s
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".revc-"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_full_disk_is_an_io_error_and_leaves_nothing() {
    let dir = scratch("full");
    std::fs::write(dir.join("leads.csv"), leads(50)).unwrap();
    let out = revc()
        .args([
            "assign",
            "rules.rev",
            "leads.csv",
            "-o",
            "/dev/full",
            "--as-of",
            "2024-06-15",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write `/dev/full`: no space left on device"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(leftovers(&dir).is_empty());
}

#[test]
fn a_missing_directory_or_unwritable_place_is_an_io_error() {
    let dir = scratch("missing");
    std::fs::write(dir.join("leads.csv"), leads(5)).unwrap();
    for target in ["no/such/dir/out.csv", "/proc/revc-out.csv"] {
        let out = revc()
            .args([
                "assign",
                "rules.rev",
                "leads.csv",
                "-o",
                target,
                "--as-of",
                "2024-06-15",
            ])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{target}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with(&format!("error: cannot write `{target}`")),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    }
    assert!(leftovers(&dir).is_empty());
}

#[test]
fn a_special_file_is_written_in_place_not_replaced() {
    let dir = scratch("fifo");
    std::fs::write(dir.join("leads.csv"), leads(20)).unwrap();
    let fifo = dir.join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let status = revc()
        .args([
            "assign",
            "rules.rev",
            "leads.csv",
            "-o",
            "pipe",
            "--as-of",
            "2024-06-15",
        ])
        .current_dir(&dir)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let got = reader.join().unwrap();
    assert_eq!(got.lines().count(), 21, "{got}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "the fifo was replaced"
    );
}

/// Starts a run that reads a pipe we hold open, waits for its temporary output, then signals it.
fn interrupted(signal: &str) {
    let dir = scratch(&format!("signal-{signal}"));
    std::fs::write(dir.join("out.csv"), "previous results\n").unwrap();
    let mut child = revc()
        .args([
            "assign",
            "rules.rev",
            "-",
            "-o",
            "out.csv",
            "--as-of",
            "2024-06-15",
        ])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(leads(1000).as_bytes()).unwrap();
    let started = Instant::now();
    while leftovers(&dir).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no temporary output appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    drop(stdin);
    assert!(!status.success(), "{signal}: {status:?}");
    assert!(
        leftovers(&dir).is_empty(),
        "{signal}: temporary output left behind"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out.csv")).unwrap(),
        "previous results\n",
        "{signal}: the target changed"
    );
}

#[test]
fn sigint_and_sigterm_remove_the_temporary_output() {
    interrupted("INT");
    interrupted("TERM");
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let dir = scratch("head");
    std::fs::write(dir.join("leads.csv"), leads(200_000)).unwrap();
    let mut child = revc()
        .args(["assign", "rules.rev", "leads.csv", "--as-of", "2024-06-15"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn a_huge_field_and_ten_thousand_columns_are_processed() {
    let dir = scratch("huge");
    let big = "x".repeat(100 << 20);
    let csv =
        format!("id,score,region,created,notes\nbig,60,EMEA,2024-06-01,\"{big}\"\nsmall,1,x,,\n");
    std::fs::write(dir.join("big.csv"), csv).unwrap();
    let mut header: Vec<String> = vec![
        "id".into(),
        "score".into(),
        "region".into(),
        "created".into(),
    ];
    header.extend((0..10_000).map(|i| format!("c{i}")));
    let row: Vec<String> = ["wide", "70", "APAC", "2024-06-01"]
        .iter()
        .map(|s| s.to_string())
        .chain((0..10_000).map(|i| i.to_string()))
        .collect();
    std::fs::write(
        dir.join("wide.csv"),
        format!("{}\n{}\n", header.join(","), row.join(",")),
    )
    .unwrap();
    for (file, want) in [("big.csv", "big,Hot"), ("wide.csv", "wide,Hot")] {
        let out = revc()
            .args([
                "assign",
                "rules.rev",
                file,
                "--as-of",
                "2024-06-15",
                "--format",
                "json",
            ])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.lines().nth(1).unwrap().starts_with(want),
            "{file}: {stdout}"
        );
        let summary: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        let n = |k: &str| summary[k].as_u64().unwrap();
        assert_eq!(n("read"), n("assigned") + n("unassigned") + n("rejected"));
    }
}

fn run_with(dir: &Path, extra: &[&str], tz: &str) -> (Vec<u8>, Vec<u8>) {
    let _ = std::fs::remove_file(dir.join("out.csv"));
    let _ = std::fs::remove_file(dir.join("events.jsonl"));
    let status = revc()
        .args([
            "assign",
            "rules.rev",
            "leads.csv",
            "-o",
            "out.csv",
            "--events",
            "events.jsonl",
        ])
        .args(["--stage-column", "stage", "--as-of", "2024-06-15"])
        .args(extra)
        .env("TZ", tz)
        .current_dir(dir)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    (
        std::fs::read(dir.join("out.csv")).unwrap(),
        std::fs::read(dir.join("events.jsonl")).unwrap(),
    )
}

#[test]
fn results_are_identical_across_threads_runs_and_time_zones() {
    let dir = scratch("determinism");
    // Big enough to be split into chunks (256 KB each) on every thread count; a stage column
    // with some leads already in a stage, so both choices and skips happen.
    let mut csv = String::new();
    for (i, line) in leads(40_000).lines().enumerate() {
        let stage = ["", "Warm", "Cold", ""][i % 4];
        if i == 0 {
            csv += &format!("{line},stage\n");
        } else {
            csv += &format!("{line},{stage}\n");
        }
    }
    std::fs::write(dir.join("leads.csv"), csv).unwrap();
    let reference = run_with(&dir, &["--threads", "1"], "UTC");
    assert!(reference.0.len() > 1_000_000 / 2 && !reference.1.is_empty());
    for (extra, tz) in [
        (&["--threads", "2"][..], "UTC"),
        (&["--threads", "8"][..], "UTC"),
        (&["--threads", "8"][..], "UTC"),
        (&["--threads", "2"][..], "Pacific/Kiritimati"),
        (&["--threads", "1"][..], "America/Los_Angeles"),
    ] {
        let got = run_with(&dir, extra, tz);
        assert!(got.0 == reference.0, "output differs with {extra:?} {tz}");
        assert!(got.1 == reference.1, "events differ with {extra:?} {tz}");
    }
}

#[test]
fn an_input_pipe_that_closes_early_ends_the_run_cleanly() {
    // The writer stops in the middle of a row: that last row is cut short, so it is rejected with
    // its line, and every lead before it is assigned.
    let dir = scratch("short-pipe");
    let mut child = revc()
        .args([
            "assign",
            "rules.rev",
            "-",
            "-o",
            "out.csv",
            "--rejects",
            "rejects.csv",
        ])
        .args(["--as-of", "2024-06-15", "--format", "json"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"id,score,region,created,notes\na,60,x,,\nb,1,EMEA,,\nc,7,\"APAC")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(
        (
            summary["read"].as_u64(),
            summary["assigned"].as_u64(),
            summary["rejected"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    let rejects = std::fs::read_to_string(dir.join("rejects.csv")).unwrap();
    assert!(
        rejects.starts_with("4,") && rejects.contains("unterminated quote"),
        "{rejects}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out.csv"))
            .unwrap()
            .lines()
            .count(),
        3
    );
}
