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

/// Largest file the compiler reads, in bytes (16 MiB: about 200,000 typical rules). Spans are
/// 32-bit and pest keeps every token of a block in memory, so a bound keeps both in check.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Longest name (field, stage, smart list, model, campaign), in characters. Did-you-mean compares
/// names pairwise by edit distance, quadratic in their length, so a bound keeps that cheap.
pub const MAX_NAME_CHARS: usize = 1_000;

/// Parses a whole file. Returns the blocks that parsed and one diagnostic per syntax error.
pub fn parse(src: &str) -> (File, Vec<Diagnostic>) {
    let mut file = File::default();
    let mut diags = Vec::new();
    if src.len() > MAX_FILE_BYTES {
        diags.push(too_big(src));
        return (file, diags);
    }
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
                let builder = build::Builder {
                    base: offset,
                    long_names: Default::default(),
                };
                let built = builder.item(item);
                let long = builder.long_names.into_inner();
                // A block with a name past the limit is dropped whole, as one with a syntax
                // error is, so no later stage spends time on the name.
                if long.is_empty() {
                    file.items.push(built);
                } else {
                    diags.extend(long.into_iter().map(name_too_long));
                }
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

/// The limit error of a file longer than [`MAX_FILE_BYTES`], labelled at the first byte past it.
fn too_big(src: &str) -> Diagnostic {
    let mut at = MAX_FILE_BYTES;
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    let end = src[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    Diagnostic::error(
        Code::Limit,
        format!(
            "the file is {} bytes, more than the limit of {} MiB",
            src.len(),
            MAX_FILE_BYTES >> 20
        ),
        Span::new(at, end),
        "the limit is reached here",
    )
    .with_help(
        "split the file: put each model, with the fields and smart lists it uses, in a file of \
         its own",
    )
}

fn name_too_long(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Limit,
        format!("a name is longer than {MAX_NAME_CHARS} characters"),
        // Only the name's start is labelled: a label over the whole name would print it all.
        Span::new(span.start as usize, span.start as usize),
        "this name is too long",
    )
    .with_help(format!(
        "shorten the name to at most {MAX_NAME_CHARS} characters"
    ))
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
