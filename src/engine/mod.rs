//! The batch engine: the IR compiled into a plan, bound to an input's columns, run over every
//! lead.
//!
//! ```text
//! Program ─Plan::compile→ Plan ─Plan::bind(header)→ Bound ─run (per block, per thread)→
//!     output rows (input order) + events + rejects + Summary
//! ```
//!
//! - [`plan`]: conditions compiled once: constants folded, relative dates resolved from as-of,
//!   value lists as sets; columns resolved to indices when the header is read.
//! - [`eval`]: one lead's values (decoded at most once, text folded into a reused buffer) and
//!   the condition evaluator; smart lists are evaluated at most once per lead.
//! - [`cell`]: cells trimmed, parsed as numbers, dates and booleans, and searched, each with a
//!   fast path for the usual value.
//! - [`decide`]: the model's semantics: assignment rules, transitions, gates, campaigns.
//! - [`lanes`]: the same for a batch of up to 64 leads at once, one bit per lead: typed tests
//!   run over the batch in tight loops instead of one tree walk per lead (the CSV path).
//! - [`input`], [`output`], [`batch`]: reading CSV / JSON / JSON Lines, writing results
//!   atomically, and the driver that splits blocks of input across threads.

pub mod batch;
pub mod cell;
pub mod decide;
pub mod eval;
pub mod input;
pub mod lanes;
pub mod output;
pub mod plan;
pub mod scan;
pub mod summary;

pub use plan::{Plan, PlanError, PlanOptions};
