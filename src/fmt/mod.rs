//! `revc fmt`: one canonical layout for `.rev` files.
//!
//! The syntax tree has no comments, so they are collected from the source by a small line
//! scanner ([`comments`]) and put back by line: a comment alone on its line goes before the
//! first line of code that started after it, at that code's indentation; a comment after code
//! stays after the code of its line. Blank lines between the lines of a block are kept (runs of
//! them become one); top-level blocks are always one blank line apart.
//!
//! Formatting is idempotent and meaning-preserving (the IR of the output equals the IR of the
//! input, spans and line numbers aside); tests/fmt.rs proves both over every fixture and
//! example and over generated files.

pub mod comments;
pub mod diff;
mod print;

pub use print::{Ctx, needs_quotes, quote};

use crate::diag::Diagnostic;
use comments::Comment;
use print::{Kind, Line};

/// Formats a file. A file with syntax errors is not formatted: its errors come back instead.
pub fn format(src: &str) -> Result<String, Vec<Diagnostic>> {
    let (file, errors) = crate::syntax::parse(src);
    if !errors.is_empty() {
        return Err(errors);
    }
    let code = print::lines(&file, src);
    let comments = comments::collect(src);
    let blank: Vec<bool> = src.lines().map(|l| l.trim().is_empty()).collect();
    Ok(layout(&code, &comments, &blank))
}

/// One line of the output before it is written.
struct Out {
    depth: usize,
    code: String,
    comment: Option<String>,
    /// Source line, for blank lines.
    src: u32,
    kind: Option<Kind>,
}

/// Merges code and comments and writes the lines with indentation and blank lines.
fn layout(code: &[Line], comments: &[Comment], blank: &[bool]) -> String {
    let mut out: Vec<Out> = Vec::new();
    let mut own = comments.iter().filter(|c| !c.trailing).peekable();
    let mut trailing = comments.iter().filter(|c| c.trailing).peekable();
    for (i, line) in code.iter().enumerate() {
        while let Some(c) = own.next_if(|c| c.line < line.src) {
            // Before a closing brace the comment is the block's last line: indent it as one.
            let depth = line.depth + usize::from(line.kind == Kind::Close);
            out.push(Out {
                depth,
                code: String::new(),
                comment: Some(c.text.clone()),
                src: c.line,
                kind: None,
            });
        }
        // Trailing comments go on the last code line that started on or before their line.
        let next_src = code.get(i + 1).map_or(u32::MAX, |n| n.src);
        let mut mine: Vec<&str> = Vec::new();
        while let Some(c) = trailing.next_if(|c| c.line < next_src) {
            mine.push(&c.text);
        }
        out.push(Out {
            depth: line.depth,
            code: line.code.clone(),
            comment: (!mine.is_empty()).then(|| mine.join(" ")),
            src: line.src,
            kind: Some(line.kind),
        });
    }
    for c in own.chain(trailing) {
        out.push(Out {
            depth: 0,
            code: String::new(),
            comment: Some(c.text.clone()),
            src: c.line,
            kind: None,
        });
    }
    write(&out, blank)
}

fn write(out: &[Out], blank: &[bool]) -> String {
    let source_blank_before = |src: u32| src >= 2 && blank.get(src as usize - 2) == Some(&true);
    let blank_before: Vec<bool> = (0..out.len())
        .map(|i| {
            let Some(prev) = i.checked_sub(1).map(|p| &out[p]) else {
                return false;
            };
            let o = &out[i];
            match (o.kind, prev.kind) {
                (Some(Kind::Close), _) => false,
                (_, Some(Kind::Open)) => false,
                // Top-level blocks are one blank line apart.
                (_, Some(Kind::Close)) if o.depth == 0 && prev.depth == 0 => true,
                _ => source_blank_before(o.src),
            }
        })
        .collect();
    // Trailing comments of adjacent code lines line up, two spaces after the longest code.
    let width = |o: &Out| o.depth * 2 + o.code.chars().count();
    let has_trailing = |o: &Out| o.comment.is_some() && o.kind.is_some();
    let mut align = vec![0usize; out.len()];
    let mut i = 0;
    while i < out.len() {
        if has_trailing(&out[i]) {
            let mut j = i + 1;
            while j < out.len() && has_trailing(&out[j]) && !blank_before[j] {
                j += 1;
            }
            let w = out[i..j].iter().map(width).max().unwrap_or(0);
            align[i..j].iter_mut().for_each(|a| *a = w);
            i = j;
        } else {
            i += 1;
        }
    }
    let mut s = String::new();
    for (i, o) in out.iter().enumerate() {
        if blank_before[i] {
            s.push('\n');
        }
        let indent = "  ".repeat(o.depth);
        match (&o.comment, o.kind) {
            (Some(c), None) => s += &format!("{indent}{c}"),
            (Some(c), Some(_)) => {
                s += &format!("{indent}{}", o.code);
                let pad = align[i] - width(o) + 2;
                s += &format!("{}{c}", " ".repeat(pad));
            }
            (None, _) => s += &format!("{indent}{}", o.code),
        }
        s.push('\n');
    }
    s
}
