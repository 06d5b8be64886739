//! ## What it does
//! Applies inline suppressions, and reports one that suppressed nothing. A comment
//! `# revc: ignore[REV201]` (several codes: `ignore[REV201, REV210]`) silences those findings on
//! its own line, or on the line below when the comment stands on a line of its own above.
//!
//! ## Why is this bad?
//! A stale suppression hides the next real finding on that line, and tells readers about a
//! problem that is no longer there (or never was: a mistyped code suppresses nothing).
//!
//! ## Example
//! ```rev
//! # revc: ignore[REV201]
//! if Lead Score at least 40 then Sales Lead     # nothing here is unreachable any more
//! ```
//!
//! ## How to fix
//! Delete the comment, or correct its code.
use super::{Config, Ctx};
use crate::diag::{Code, Diagnostic};
use crate::span::{LineIndex, Span};

/// Nothing to do here: suppressions are applied by [`apply`], after every other lint ran.
pub(super) fn run(_: &Ctx, _: &mut Vec<Diagnostic>) {}

/// One code in one `# revc: ignore[...]` comment.
struct Suppression {
    line: u32,
    code: String,
    span: Span,
    used: bool,
}

/// Removes suppressed findings from `out` and adds one for each suppression that suppressed
/// nothing (when that lint is enabled).
pub(super) fn apply(src: &str, out: &mut Vec<Diagnostic>, config: &Config) {
    let mut sups = parse(src);
    if sups.is_empty() {
        return;
    }
    let index = LineIndex::new(src);
    out.retain(|d| {
        let line = index.line(d.primary.span.start);
        let mut keep = true;
        for s in sups.iter_mut() {
            if (s.line == line || s.line + 1 == line)
                && s.code.eq_ignore_ascii_case(d.code.as_str())
            {
                s.used = true;
                keep = false;
            }
        }
        keep
    });
    let lint = super::lint_by_code(Code::UnusedSuppression.as_str()).expect("REV217 is registered");
    let Some(severity) = config.severity(lint) else {
        return;
    };
    for s in sups.iter().filter(|s| !s.used) {
        let known = super::lint_by_code(&s.code).is_some();
        let help = if known {
            "delete the suppression; nothing on this line or the next has this finding".to_string()
        } else {
            format!(
                "`{}` is not a lint code; `revc lint --explain REV201` shows one",
                s.code
            )
        };
        let mut d = Diagnostic::error(
            Code::UnusedSuppression,
            format!("`# revc: ignore[{}]` suppresses nothing", s.code),
            s.span,
            "no such finding here",
        )
        .with_help(help);
        d.severity = severity;
        out.push(d);
    }
}

/// Finds `# revc: ignore[...]` in comments (a `#` outside quotes).
fn parse(src: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (n, line) in src.split('\n').enumerate() {
        if let Some(hash) = comment_start(line) {
            let comment = &line[hash + 1..];
            let body = comment.trim_start();
            let body_at = hash + 1 + (comment.len() - body.len());
            if let Some(rest) = body.strip_prefix("revc:") {
                let rest_trim = rest.trim_start();
                if let Some(list) = rest_trim.strip_prefix("ignore[") {
                    let list_at = body_at + 5 + (rest.len() - rest_trim.len()) + 7;
                    let list = list.split(']').next().unwrap_or("");
                    let mut at = list_at;
                    for part in list.split(',') {
                        let code = part.trim();
                        let lead = part.len() - part.trim_start().len();
                        if !code.is_empty() {
                            let start = offset + at + lead;
                            out.push(Suppression {
                                line: n as u32 + 1,
                                code: code.to_string(),
                                span: Span::new(start, start + code.len()),
                                used: false,
                            });
                        }
                        at += part.len() + 1;
                    }
                }
            }
        }
        offset += line.len() + 1;
    }
    out
}

/// The byte index of the `#` that starts a comment on this line, skipping quoted text.
fn comment_start(line: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes_with_their_spans() {
        let src = "x \"a # b\" # revc: ignore[REV201, rev210]\n";
        let s = parse(src);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].span.text(src), "REV201");
        assert_eq!(s[1].span.text(src), "rev210");
        assert_eq!(s[1].line, 1);
    }
}
