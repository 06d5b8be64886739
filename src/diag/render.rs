//! Showing diagnostics: rustc-like text with source snippets (miette), or JSON for tools.

use super::{Diagnostic, Severity, SourceFile};
use crate::span::line_col;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;
use std::fmt;

/// Bridges one of our diagnostics to miette's renderer.
struct Adapter<'a> {
    diag: &'a Diagnostic,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
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
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
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
    let source = NamedSource::new(&file.name, file.text.clone());
    let mut out = String::new();
    for diag in diags {
        let adapter = Adapter {
            diag,
            source: &source,
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
