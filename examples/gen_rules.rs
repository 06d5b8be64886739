//! Writes a large generated `.rev` file to stdout, for bench/check-speed.sh.
//!
//! `cargo run --release --example gen_rules -- 5000 > /tmp/rules.rev` writes a model whose
//! assignment rules hold 5,000 rules over a mix of every field type and operator family, plus
//! smart lists that the rules refer to, so the check exercises lowering, typing and lookups.

use std::fmt::Write;

fn main() {
    let n: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 5000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: gen_rules [NUMBER_OF_RULES]");
            std::process::exit(2);
        }
    };
    let mut out = String::new();
    out.push_str("fields {\n  \"Lead Score\" number\n  Country text\n  \"Job Title\" text\n");
    out.push_str("  \"Created At\" date\n  Unsubscribed boolean\n}\n\n");
    let lists = (n / 50).max(1);
    for l in 0..lists {
        let _ = writeln!(
            out,
            "smart list \"List {l}\" {{\n  1: Country is C{l}, D{l}, \"E {l}\"\n  \
             2: \"Lead Score\" between {l} and {}\n  3: \"Job Title\" contains VP, Director\n  \
             match 1 and (2 or 3)\n}}\n",
            l + 10
        );
    }
    out.push_str("model \"Generated\" {\n  status approved\n");
    let stages = 50;
    for s in 0..stages {
        let _ = writeln!(out, "  stage \"Stage {s}\"");
    }
    out.push_str("  detour Out\n  assignment rules {\n");
    for i in 0..n {
        let stage = i % stages;
        let rule = match i % 5 {
            0 => format!("lead score at least {i}"),
            1 => format!("Country is X{i}, Y{i} and not Unsubscribed is true"),
            2 => format!(
                "Created At in past {} days or Created At before 2024-01-01",
                i % 365
            ),
            3 => format!("in smart list \"List {}\"", i % lists),
            _ => format!(
                "(Job Title starts with T{i} or Job Title is empty) and lead score between 1 and {}",
                i + 1
            ),
        };
        let _ = writeln!(out, "    if {rule} then Stage {stage}");
    }
    out.push_str("    default Out\n  }\n}\n");
    print!("{out}");
}
