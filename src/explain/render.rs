//! The trace for people: each choice with its source line, each condition node indented under
//! it with its truth and the comparison the engine made.

use super::{Node, Trace};
use std::fmt::Write as _;

/// Renders a trace as text.
pub fn human(t: &Trace) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "model `{}`, as of {}", t.model, t.as_of);
    match &t.current {
        Some(c) => {
            let _ = writeln!(
                s,
                "lead in stage `{c}`: transitions out of it, first match wins"
            );
        }
        None => {
            let _ = writeln!(s, "new lead: assignment rules, first match wins");
        }
    }
    for f in &t.unparsed {
        let _ = writeln!(
            s,
            "note: the value of `{f}` does not parse as its type; it counts as empty"
        );
    }
    for step in &t.steps {
        let _ = writeln!(s, "\n{}:", step.title);
        if step.choices.is_empty() {
            let _ = writeln!(s, "  (none)");
        }
        let mut taken = false;
        for c in &step.choices {
            let mark = if c.first { "=>" } else { "  " };
            let verdict = match (c.cond.is_some(), c.matched) {
                (false, _) => "always holds".to_string(),
                (true, m) => m.to_string(),
            };
            let note = if c.first {
                "  <- first match"
            } else if taken {
                "  (not reached)"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "{mark} {} -> `{}`: {verdict}{note}\n     {}  {}",
                c.what, c.stage, c.location, c.source
            );
            if let Some(n) = &c.cond {
                node(&mut s, n, 3, "");
            }
            taken |= c.first;
        }
    }
    let r = &t.result;
    let _ = match (&r.stage, &r.rule) {
        (Some(st), Some(_)) if r.by.as_deref() == Some("default") => {
            writeln!(s, "\nresult: `{st}` by default")
        }
        (Some(st), Some(rule)) if r.changed || t.current.is_none() => {
            writeln!(
                s,
                "\nresult: `{st}` by {} at {rule}",
                r.by.as_deref().unwrap_or("")
            )
        }
        (Some(st), Some(rule)) => writeln!(
            s,
            "\nresult: stays in `{st}` ({} at {rule} leads to the stage it is in)",
            r.by.as_deref().unwrap_or("")
        ),
        (Some(st), None) => writeln!(s, "\nresult: stays in `{st}` (no transition holds)"),
        (None, _) => writeln!(
            s,
            "\nresult: assigned to no stage (no rule holds and no default)"
        ),
    };
    s
}

fn node(s: &mut String, n: &Node, depth: usize, prefix: &str) {
    let pad = "  ".repeat(depth);
    let tf = |b: bool| if b { "true " } else { "false" };
    match n {
        Node::Filter {
            text,
            field,
            raw,
            comparison,
            result,
        } => {
            let raw = match raw {
                Some(r) => format!("`{field}` = {r:?}"),
                None => format!("`{field}` is empty"),
            };
            let _ = writeln!(
                s,
                "{pad}{} {prefix}{text}    [{raw}; {comparison}]",
                tf(*result)
            );
        }
        Node::All { result, parts } | Node::Any { result, parts } => {
            let word = if matches!(n, Node::All { .. }) {
                "all of"
            } else {
                "any of"
            };
            let _ = writeln!(s, "{pad}{} {prefix}{word}:", tf(*result));
            for p in parts {
                node(s, p, depth + 1, "");
            }
        }
        Node::Not { result, part } => {
            let _ = writeln!(s, "{pad}{} {prefix}not:", tf(*result));
            node(s, part, depth + 1, "");
        }
        Node::SmartList {
            name,
            matcher,
            result,
            filters,
        } => {
            let _ = writeln!(
                s,
                "{pad}{} {prefix}in smart list `{name}` (match {matcher})",
                tf(*result)
            );
            for (num, f) in filters {
                node(s, f, depth + 1, &format!("{num}: "));
            }
        }
    }
}
