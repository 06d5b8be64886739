//! Parsing: `.rev` text to a syntax tree with spans. pest stays inside this module.
//!
//! The file is parsed one top-level block at a time so that a syntax error in one block does not
//! hide the errors of the next: after an error, parsing resumes at the next line that starts a
//! block in the first column.

pub mod ast;
mod build;
mod errors;

pub use build::unquote;

use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use ast::File;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/rev.pest"]
struct RevParser;

/// The words that start a top-level block (lower case), where parsing resumes after an error.
pub(crate) const BLOCK_KEYWORDS: [&str; 5] = ["fields", "smart list", "model", "campaign", "test"];

/// Deepest nesting of parentheses and `not` that the parser accepts; deeper input would
/// overflow the stack of a recursive-descent parser.
pub const MAX_NESTING: usize = 100;

/// Parses a whole file. Returns the blocks that parsed and one diagnostic per syntax error.
pub fn parse(src: &str) -> (File, Vec<Diagnostic>) {
    let mut file = File::default();
    let mut diags = Vec::new();
    if let Some(d) = check_nesting(src) {
        diags.push(d);
        return (file, diags);
    }
    let mut offset = 0;
    while offset <= src.len() {
        let rest = &src[offset..];
        match RevParser::parse(Rule::next_item, rest) {
            Ok(mut pairs) => {
                let top = pairs.next().expect("next_item");
                let Some(item) = top.into_inner().find(|p| p.as_rule() != Rule::EOI) else {
                    break;
                };
                let end = item.as_span().end();
                let builder = build::Builder { base: offset };
                file.items.push(builder.item(item));
                offset += end;
            }
            Err(err) => {
                let (diag, pos) = errors::syntax_error(src, offset, &err);
                diags.push(diag);
                match resume_point(src, pos) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
        }
    }
    (file, diags)
}

/// The start of the next line after `pos` that begins a top-level block in column 1.
fn resume_point(src: &str, pos: usize) -> Option<usize> {
    let mut line_start = src[pos..].find('\n')? + pos + 1;
    loop {
        let line = &src[line_start..];
        let lower: String = line
            .chars()
            .take(12)
            .collect::<String>()
            .to_ascii_lowercase();
        if BLOCK_KEYWORDS.iter().any(|k| lower.starts_with(k)) {
            return Some(line_start);
        }
        line_start += line.find('\n')? + 1;
    }
}

/// Refuses input nested deeper than [`MAX_NESTING`] before pest recurses into it.
fn check_nesting(src: &str) -> Option<Diagnostic> {
    let bytes = src.as_bytes();
    let (mut depth, mut nots) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(too_deep(i, "parentheses"));
                }
            }
            b')' => depth = depth.saturating_sub(1),
            b'{' | b'}' => nots = 0,
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if src[start..i].eq_ignore_ascii_case("not") {
                    nots += 1;
                    if nots > MAX_NESTING {
                        return Some(too_deep(start, "`not`"));
                    }
                } else {
                    nots = 0;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn too_deep(at: usize, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Limit,
        format!("{what} nested more than {MAX_NESTING} deep"),
        Span::new(at, at + 1),
        "too deep here",
    )
    .with_help("split the condition into smart lists and refer to them with `in smart list`")
}
