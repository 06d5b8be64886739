//! `revc assign RULES LEADS`: put every lead of an export in a stage, and say what was done.

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, io_reason, read_source, stderr_color};
use crate::diag::{render_human, suggest};
use crate::engine::batch::{self, RunConfig, RunError, Sinks};
use crate::engine::input::InputFormat;
use crate::engine::output::{AtomicFile, OutFormat};
use crate::engine::summary::Summary;
use crate::engine::{Plan, PlanOptions};
use crate::ir::{ModelId, Program, Status};
use std::io::{self, Read, Write};
use std::time::Instant;

/// Input formats on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InputArg {
    /// Comma-separated (or `--delimiter`) with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Jsonl,
}

/// Arguments of `revc assign`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The .rev rules file.
    #[arg(value_name = "RULES")]
    rules: String,
    /// The leads: CSV, JSON or JSON Lines (by extension, or --input-format); `-` reads stdin.
    #[arg(value_name = "LEADS")]
    leads: String,
    /// Write results here (CSV, or JSON Lines for .jsonl); default standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<String>,
    /// The model to use when the file has more than one.
    #[arg(long, value_name = "NAME")]
    model: Option<String>,
    /// Run this campaign: its smart list selects leads, which move to its stage.
    #[arg(long, value_name = "NAME")]
    campaign: Option<String>,
    /// The day relative dates are measured from (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The column that identifies a lead; default the first column.
    #[arg(long, value_name = "NAME")]
    id_column: Option<String>,
    /// The column holding each lead's current stage; leads with one follow transitions.
    #[arg(long, value_name = "NAME")]
    stage_column: Option<String>,
    /// Write one activity per real stage change here (JSON Lines; approved models only).
    #[arg(long, value_name = "FILE")]
    events: Option<String>,
    /// Write bad rows here (line, reason, raw text) instead of stopping at the first.
    #[arg(long, value_name = "FILE")]
    rejects: Option<String>,
    /// Put all input columns before `stage` and `rule`.
    #[arg(long)]
    keep_columns: bool,
    /// Decide every lead and print the summary, but write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Reject rows whose values do not parse as their field's type.
    #[arg(long)]
    strict: bool,
    /// Worker threads; default all cores.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// CSV field delimiter (one byte, e.g. ';' or '\t' written as a real tab).
    #[arg(long, value_name = "CHAR", default_value = ",")]
    delimiter: String,
    /// Input format, when the extension does not tell.
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<InputArg>,
}

fn fail(msg: impl std::fmt::Display, code: i32) -> i32 {
    eprintln!("{msg}");
    code
}

/// Runs `revc assign`.
pub fn run(args: Args) -> i32 {
    let file = match read_source(&args.rules) {
        Ok(f) => f,
        Err(msg) => {
            let code = if super::is_finding(&msg) {
                EXIT_FINDINGS
            } else {
                EXIT_USAGE
            };
            return fail(msg, code);
        }
    };
    let compiled = crate::compile(&file);
    if compiled.has_errors() {
        eprint!(
            "{}",
            render_human(&file, &compiled.diagnostics, stderr_color())
        );
        return fail(
            format!("error: `{}` has errors; nothing was assigned", args.rules),
            EXIT_FINDINGS,
        );
    }
    let program = compiled.program;
    let campaign = match &args.campaign {
        None => None,
        Some(name) => match program.campaign_named(name) {
            Some(i) => Some(i),
            None => {
                let names: Vec<&str> = program
                    .campaigns
                    .iter()
                    .map(|c| program.name(c.name))
                    .collect();
                return fail(unknown("campaign", name, &names, &args.rules), EXIT_USAGE);
            }
        },
    };
    let model = match pick_model(&program, args.model.as_deref(), campaign, &args.rules) {
        Ok(m) => m,
        Err(msg) => return fail(msg, EXIT_USAGE),
    };
    let as_of = match super::as_of_day(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(msg) => return fail(msg, EXIT_USAGE),
    };
    let m = &program.models[model.index()];
    if m.status == Status::Draft && !args.dry_run {
        let at = match m.status_span {
            Some(span) => {
                let (line, col) = crate::span::line_col(&file.text, span.start as usize);
                format!("`status draft` at {}:{line}:{col}", args.rules)
            }
            None => "no `status` line: models start as drafts".to_string(),
        };
        return fail(
            format!(
                "error[REV304]: model `{}` is a draft ({at}); a draft cannot assign leads\n  help: set `status stages approved` or `status approved`, or try it with --dry-run",
                program.name(m.name)
            ),
            EXIT_FINDINGS,
        );
    }
    let delimiter = match args.delimiter.as_bytes() {
        [b] if !matches!(b, b'"' | b'\n' | b'\r') => *b,
        _ => {
            return fail(
                "error: --delimiter must be one byte other than a quote or line break",
                EXIT_USAGE,
            );
        }
    };
    let format = match args.input_format {
        Some(InputArg::Csv) => InputFormat::Csv,
        Some(InputArg::Json) => InputFormat::Json,
        Some(InputArg::Jsonl) => InputFormat::JsonLines,
        None => InputFormat::for_path(&args.leads),
    };
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let cfg = RunConfig {
        format,
        delimiter,
        id_column: args.id_column.clone(),
        stage_column: args.stage_column.clone(),
        keep_columns: args.keep_columns,
        strict: args.strict,
        threads,
        out_format: args
            .output
            .as_deref()
            .map_or(OutFormat::Csv, OutFormat::for_path),
        keep_rejects: args.rejects.is_some(),
        rejects_format: args
            .rejects
            .as_deref()
            .map_or(OutFormat::Csv, OutFormat::for_path),
        record_events: m.status == Status::Approved && args.events.is_some(),
        ..RunConfig::default()
    };
    let mut plan = Plan::compile(
        &program,
        &PlanOptions {
            model,
            campaign,
            as_of,
            file_name: args.rules.clone(),
        },
    );
    let mut input = if args.leads == "-" {
        Leads::Stream(Box::new(io::stdin().lock()))
    } else {
        match std::fs::File::open(&args.leads) {
            Ok(f) => Leads::open(f),
            Err(e) => {
                return fail(
                    format!("error: cannot read `{}`: {}", args.leads, io_reason(&e)),
                    EXIT_USAGE,
                );
            }
        }
    };
    let started = Instant::now();
    let code = execute(&args, &cfg, &mut plan, &mut input);
    let (code, stats) = match code {
        Ok(stats) => (
            if stats.rejected > 0 {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            },
            stats,
        ),
        Err(code) => return code,
    };
    let summary = Summary::new(
        &plan,
        &stats,
        started.elapsed().as_secs_f64(),
        threads,
        args.dry_run,
        args.stage_column.is_some(),
    );
    match args.format {
        Format::Human => eprint!("{}", summary.human()),
        Format::Json => eprintln!(
            "{}",
            serde_json::to_string_pretty(&summary).expect("summary serializes")
        ),
    }
    if stats.rejected > 0 && args.format == Format::Human {
        eprintln!(
            "{} rows rejected; see `{}`",
            stats.rejected,
            args.rejects.as_deref().unwrap_or("")
        );
    }
    code
}

/// The leads as the run reads them.
enum Leads {
    /// Read as a stream: standard input, pipes, special files.
    Stream(Box<dyn Read>),
    /// A regular file, mapped: nothing is copied, and a run reads it in place.
    Mapped(memmap2::Mmap),
}

impl Leads {
    /// Maps a regular file when it can; anything else is streamed.
    fn open(file: std::fs::File) -> Self {
        if file.metadata().is_ok_and(|m| m.is_file() && m.len() > 0) {
            // SAFETY: the map is only read. Like every tool that maps its input (ripgrep,
            // for one), a run assumes that no other process truncates or rewrites the file
            // while it reads it; streaming it would give no better answer in that case.
            if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
                let _ = map.advise(memmap2::Advice::Sequential);
                return Leads::Mapped(map);
            }
        }
        Leads::Stream(Box::new(file))
    }
}

/// A mapped file's pages, made ready ahead of the workers and dropped behind them.
struct MappedPages<'a>(&'a memmap2::Mmap);

impl batch::Pages for MappedPages<'_> {
    fn will_need(&self, range: std::ops::Range<usize>) {
        // Filling the page tables here, on the I/O thread, spares the workers the faults.
        let _ = self
            .0
            .advise_range(memmap2::Advice::PopulateRead, range.start, range.len());
    }

    fn done_with(&self, range: std::ops::Range<usize>) {
        // SAFETY: the map is read-only and backed by the file, so dropping its pages loses
        // nothing: they would be read from the file again if touched, which the run does not
        // do once a range is done with.
        let _ = unsafe {
            self.0.unchecked_advise_range(
                memmap2::UncheckedAdvice::DontNeed,
                range.start,
                range.len(),
            )
        };
    }
}

/// Opens the sinks, runs, and commits the files only when the run succeeded.
fn execute(
    args: &Args,
    cfg: &RunConfig,
    plan: &mut Plan,
    input: &mut Leads,
) -> Result<crate::engine::summary::Stats, i32> {
    let open = |path: &str| {
        AtomicFile::create(path).map_err(|e| {
            fail(
                format!("error: cannot write `{path}`: {}", io_reason(&e)),
                EXIT_USAGE,
            )
        })
    };
    let dry = args.dry_run;
    crate::engine::output::remove_temps_on_signal();
    let mut out_file = match (&args.output, dry) {
        (Some(p), false) if p != "-" => Some(open(p)?),
        _ => None,
    };
    let mut rejects_file = match (&args.rejects, dry) {
        (Some(p), false) => Some(open(p)?),
        _ => None,
    };
    let mut events_file = match (&args.events, dry) {
        (Some(p), false) => Some(open(p)?),
        _ => None,
    };
    let stdout = io::stdout();
    let mut stdout_w = io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut sink = io::sink();
    let mut reject_sink = io::sink();
    let out: &mut dyn Write = match (&mut out_file, dry) {
        (_, true) => &mut sink,
        (Some(f), _) => f,
        (None, _) => &mut stdout_w,
    };
    let rejects: Option<&mut dyn Write> = match (&mut rejects_file, cfg.keep_rejects) {
        (Some(f), _) => Some(f),
        (None, true) => Some(&mut reject_sink),
        (None, false) => None,
    };
    let events: Option<&mut dyn Write> = events_file.as_mut().map(|f| f as &mut dyn Write);
    let mut sinks = Sinks {
        out,
        rejects,
        events,
    };
    let result = match input {
        Leads::Stream(r) => batch::run(plan, r, cfg, &mut sinks),
        Leads::Mapped(map) => batch::run_whole(plan, map, &MappedPages(map), cfg, &mut sinks),
    };
    let stats = match result {
        Ok(s) => s,
        Err(e) => {
            return Err(match e {
                RunError::Plan(p) => fail(
                    format!("{p}\n  note: the input is `{}`", args.leads),
                    EXIT_FINDINGS,
                ),
                RunError::Row(r) => fail(
                    format!(
                        "error[REV305]: {}: {r}\n  help: fix the row, or pass --rejects FILE to set bad rows aside and go on\n  note: nothing was written",
                        args.leads
                    ),
                    EXIT_FINDINGS,
                ),
                RunError::Input(msg) => fail(
                    format!("error[REV306]: {}: {msg}", args.leads),
                    EXIT_FINDINGS,
                ),
                RunError::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
                RunError::Io(e) => fail(format!("error: {}", io_reason(&e)), EXIT_USAGE),
            });
        }
    };
    if let Err(e) = stdout_w.flush() {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Err(EXIT_OK);
        }
        return Err(fail(
            format!("error: cannot write the output: {}", io_reason(&e)),
            EXIT_USAGE,
        ));
    }
    for f in [rejects_file, events_file, out_file].into_iter().flatten() {
        let target = f.target().display().to_string();
        if let Err(e) = f.commit() {
            return Err(fail(
                format!("error: cannot write `{target}`: {}", io_reason(&e)),
                EXIT_USAGE,
            ));
        }
    }
    Ok(stats)
}

/// An unknown name on the command line, with the closest names the file declares.
pub(crate) fn unknown(what: &str, name: &str, names: &[&str], file: &str) -> String {
    let help = suggest::did_you_mean(name, names.iter().copied()).unwrap_or_else(|| {
        if names.is_empty() {
            format!("`{file}` declares no {what}")
        } else {
            format!(
                "`{file}` declares {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    });
    format!("error: unknown {what} `{name}`\n  help: {help}")
}

/// The model a run uses: `--model`, the campaign's, or the file's only one.
pub(crate) fn pick_model(
    program: &Program,
    name: Option<&str>,
    campaign: Option<usize>,
    file: &str,
) -> Result<ModelId, String> {
    let names: Vec<&str> = program
        .models
        .iter()
        .map(|m| program.name(m.name))
        .collect();
    match (name, campaign) {
        (Some(n), c) => {
            let id = program
                .model_named(n)
                .ok_or_else(|| unknown("model", n, &names, file))?;
            if let Some(c) = c {
                let cm = program.campaigns[c].model;
                if cm != id {
                    return Err(format!(
                        "error: campaign `{}` changes stages in model `{}`, not `{n}`",
                        program.name(program.campaigns[c].name),
                        program.name(program.models[cm.index()].name)
                    ));
                }
            }
            Ok(id)
        }
        (None, Some(c)) => Ok(program.campaigns[c].model),
        (None, None) => match program.models.len() {
            1 => Ok(ModelId(0)),
            0 => Err(format!(
                "error: `{file}` declares no model; nothing to assign leads to"
            )),
            _ => Err(format!(
                "error: `{file}` declares {} models; choose one with --model\n  help: the models are {}",
                names.len(),
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
    }
}
