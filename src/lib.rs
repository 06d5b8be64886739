//! revc: a compiler, linter and batch engine for revenue-cycle rules written in `.rev` files.
//!
//! The pipeline, one public function per stage:
//!
//! ```text
//! .rev text ─syntax::parse→ AST with spans ─ir::lower→ validated IR ─check→ diagnostics
//!                                                       └─engine::compile→ plan ─run→ assignments
//! ```
//!
//! - [`syntax`] holds the only grammar (`grammar/rev.pest`); pest types never leave it.
//! - [`ir`] is plain data: typed ids into vectors, names interned, filters typed and parsed.
//! - [`diag`] renders every diagnostic with a stable code, a label and a help line.
//! - [`cli`] is the command line; `main.rs` only calls it.

pub mod check;
pub mod cli;
pub mod diag;
pub mod engine;
pub mod explain;
pub mod fmt;
pub mod ir;
pub mod span;
pub mod sql;
pub mod syntax;

use diag::{Diagnostic, SourceFile};

/// The result of compiling one file: the IR (complete only without errors) and all diagnostics.
#[derive(Debug)]
pub struct Compiled {
    /// The validated program.
    pub program: ir::Program,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and lowers one file: the front end of every command.
pub fn compile(file: &SourceFile) -> Compiled {
    let (ast, mut diagnostics) = syntax::parse(&file.text);
    let (program, lower_diags) = ir::lower(&ast, &file.text);
    // A block with a syntax error is dropped whole, so names it declares look unknown; those
    // follow-on errors would only bury the real one.
    let syntax_failed = !diagnostics.is_empty();
    diagnostics.extend(lower_diags.into_iter().filter(|d| {
        !syntax_failed
            || !matches!(
                d.code,
                diag::Code::UnknownStage
                    | diag::Code::UnknownSmartList
                    | diag::Code::UnknownModel
                    | diag::Code::UnknownField
                    | diag::Code::CampaignStage
                    | diag::Code::GateWithoutOtherwise
                    | diag::Code::TestUnknownField
                    | diag::Code::TestModel
            )
    }));
    diag::sort(&mut diagnostics);
    Compiled {
        program,
        diagnostics,
    }
}
