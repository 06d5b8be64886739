//! Showing diagnostics: rustc-like text with source snippets (miette), or JSON for tools.

use super::{Diagnostic, Severity, SourceFile};
use crate::span::LineIndex;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use std::fmt;

/// Bridges one of our diagnostics to miette's renderer.
struct Adapter<'a> {
    diag: &'a Diagnostic,
    source: &'a Windowed<'a>,
    /// Where the primary span starts, `(line, column)`, when the diagnostic is shown without a
    /// snippet because a line it labels is too long to print (see [`MAX_SNIPPET_LINE`]).
    bare: Option<(usize, usize)>,
}

/// Longest line, in bytes, shown in a snippet. miette pads labels with a format width, which
/// Rust caps at 65,535 (and panics past it), and a megabyte line is no use on a terminal anyway:
/// a diagnostic on a longer line is shown as its message with the line and column instead.
const MAX_SNIPPET_LINE: usize = 10_000;

/// A source file as miette reads it, one window of lines at a time. miette's own `str` source
/// counts lines from the start of the file for every snippet, which is quadratic in a file with
/// errors all the way down; this one finds the lines with an index and hands miette only them.
struct Windowed<'a> {
    name: &'a str,
    text: &'a str,
    lines: LineIndex,
}

impl Windowed<'_> {
    /// Whether the line holding `offset` is longer than [`MAX_SNIPPET_LINE`].
    fn long_line_at(&self, offset: usize) -> bool {
        let line = self.lines.line(offset as u32);
        let start = self.lines.line_start(line).unwrap_or(0);
        let end = self.lines.line_start(line + 1).unwrap_or(self.text.len());
        end - start > MAX_SNIPPET_LINE
    }
}

impl SourceCode for Windowed<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // Whole lines around the span, one more on each side than asked so miette sees where
        // the context lines end.
        let first = (self.lines.line(start as u32) as usize)
            .saturating_sub(before + 1)
            .max(1);
        let last = self.lines.line(end as u32) as usize + after + 2;
        let from = self.lines.line_start(first as u32).unwrap_or(0);
        let to = self
            .lines
            .line_start(last as u32)
            .unwrap_or(self.text.len());
        let window = &self.text[from..to];
        let local = SourceSpan::new((start - from).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first - 1,
            inner.column(),
            // miette's own `str` source counts lines from the start of the file here (it
            // decides which snippets to merge by it), so the window's count is shifted alike.
            inner.line_count() + first - 1,
        )))
    }
}

impl fmt::Debug for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)?;
        match self.bare {
            Some((line, col)) => write!(
                f,
                " ({}:{line}:{col}, {})",
                self.source.name, self.diag.primary.message
            ),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Adapter<'_> {}

impl miette::Diagnostic for Adapter<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code.as_str()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self.bare {
            Some(_) => None,
            None => Some(self.source),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.bare.is_some() {
            return None;
        }
        let p = &self.diag.primary;
        let primary = LabeledSpan::new_primary_with_span(
            Some(p.message.clone()).filter(|m| !m.is_empty()),
            (p.span.start as usize, p.span.len()),
        );
        let rest = self.diag.secondary.iter().map(|l| {
            LabeledSpan::new_with_span(
                Some(l.message.clone()).filter(|m| !m.is_empty()),
                (l.span.start as usize, l.span.len()),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

/// Renders diagnostics as text with source snippets; `color` adds ANSI colours.
pub fn render_human(file: &SourceFile, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let source = Windowed {
        name: &file.name,
        text: &file.text,
        lines: LineIndex::new(&file.text),
    };
    let mut out = String::new();
    for diag in diags {
        let spans = std::iter::once(&diag.primary).chain(&diag.secondary);
        let long = spans
            .map(|l| l.span)
            .any(|s| source.long_line_at(s.start as usize) || source.long_line_at(s.end as usize));
        let adapter = Adapter {
            diag,
            source: &source,
            bare: long.then(|| {
                source
                    .lines
                    .line_col(&file.text, diag.primary.span.start as usize)
            }),
        };
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &adapter);
    }
    out
}

/// One diagnostic as JSON (the `--format json` shape).
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    /// Stable code, e.g. `REV101`.
    pub code: &'static str,
    /// error, warning or info.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// File as given on the command line.
    pub file: String,
    /// 1-based line of the primary span.
    pub line: usize,
    /// 1-based column (in characters) of the primary span.
    pub column: usize,
    /// Byte range of the primary span.
    pub span: JsonSpan,
    /// The primary label's text.
    pub label: String,
    /// Other labelled places.
    pub related: Vec<JsonLabel>,
    /// What to do.
    pub help: Option<String>,
}

/// A byte range with its line and column.
#[derive(Debug, Serialize)]
pub struct JsonSpan {
    /// First byte.
    pub start: u32,
    /// Past the last byte.
    pub end: u32,
}

/// A secondary label in JSON.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Byte range.
    pub span: JsonSpan,
    /// What the label says.
    pub message: String,
}

/// Converts diagnostics to their JSON shape.
pub fn render_json(file: &SourceFile, diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let index = LineIndex::new(&file.text);
    let line_col = |text: &str, offset: usize| index.line_col(text, offset);
    diags
        .iter()
        .map(|d| {
            let (line, column) = line_col(&file.text, d.primary.span.start as usize);
            JsonDiagnostic {
                code: d.code.as_str(),
                severity: d.severity,
                message: d.message.clone(),
                file: file.name.clone(),
                line,
                column,
                span: JsonSpan {
                    start: d.primary.span.start,
                    end: d.primary.span.end,
                },
                label: d.primary.message.clone(),
                related: d
                    .secondary
                    .iter()
                    .map(|l| {
                        let (line, column) = line_col(&file.text, l.span.start as usize);
                        JsonLabel {
                            line,
                            column,
                            span: JsonSpan {
                                start: l.span.start,
                                end: l.span.end,
                            },
                            message: l.message.clone(),
                        }
                    })
                    .collect(),
                help: d.help.clone(),
            }
        })
        .collect()
}
