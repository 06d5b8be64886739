//! The CSV driver. Each block is cut into one chunk per thread at guessed record boundaries
//! (the first line break after an even cut); every chunk is decided on its own thread, and a
//! chunk is trusted only when the chunk before it ended exactly where it began. A guess that
//! fell inside a quoted field is caught that way, and that chunk is decided again from the
//! true boundary.

use super::worker::{ChunkOut, Ctx, Problem, Worker, bind};
use super::{RunConfig, RunError, Sinks, fill};
use crate::engine::input::{CsvLead, refuse_encoding};
use crate::engine::plan::Plan;
use crate::engine::scan::{self, Cursor, Scanner, Step};
use crate::engine::summary::Stats;
use memchr::memchr;
use std::io::Read;

/// Runs the plan over CSV input.
pub(super) fn run(
    plan: &mut Plan,
    input: &mut dyn Read,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    let scanner = Scanner::new(cfg.delimiter);
    let mut buf = Vec::new();
    let mut eof = false;
    fill(&mut buf, input, cfg.block_size, &mut eof)?;
    if let Some(msg) = refuse_encoding(&buf) {
        return Err(RunError::Input(msg));
    }
    let bom = scan::skip_bom(&buf);
    let mut fields = Vec::new();
    let header_end = loop {
        match scanner.next_record(&buf, bom, eof, &mut fields) {
            Step::Record {
                end,
                unterminated_quote,
                ..
            } => {
                if unterminated_quote {
                    return Err(RunError::Input(
                        "line 1: the header row has an unterminated quote".into(),
                    ));
                }
                break end;
            }
            Step::NeedMore => {
                let want = buf.len().max(cfg.block_size);
                fill(&mut buf, input, want, &mut eof)?
            }
            Step::Eof => {
                return Err(RunError::Input(
                    "the input is empty: expected a header row of column names".into(),
                ));
            }
        }
    };
    let mut scratch = Vec::new();
    let header: Vec<String> = fields
        .iter()
        .map(|&f| {
            std::str::from_utf8(scan::field_bytes(&buf, f, &mut scratch))
                .map(str::to_string)
                .map_err(|_| RunError::Input("line 1: the header row is not UTF-8 text".into()))
        })
        .collect::<Result<_, _>>()?;
    let ctx = bind(plan, &header, cfg, sinks.out)?;
    let mut stats = Stats::new(ctx.plan);
    let mut pos = header_end;
    // The line the record at `pos` starts on.
    let mut line = 1 + scan::count_lines(&buf[..header_end]) as u64;
    loop {
        let cuts = guess_cuts(&buf, pos, cfg.threads, cfg.min_chunk);
        let last = cuts.len() - 2;
        let mut outs: Vec<ChunkOut> = std::thread::scope(|s| {
            let (ctx, buf, scanner, cuts) = (&ctx, &buf, &scanner, &cuts);
            let handles: Vec<_> = (1..=last)
                .map(|k| s.spawn(move || chunk(ctx, scanner, buf, cuts[k], cuts[k + 1], eof)))
                .collect();
            let mut outs = vec![chunk(ctx, scanner, buf, cuts[0], cuts[1], eof)];
            outs.extend(
                handles
                    .into_iter()
                    .map(|h| h.join().expect("worker thread panicked")),
            );
            outs
        });
        let mut at = pos;
        for k in 0..outs.len() {
            if outs[k].start != at {
                // The guess for this chunk fell inside a record: decide it again from where
                // the previous chunk really ended.
                let stop = cuts[k + 1].max(at);
                outs[k] = chunk(&ctx, &scanner, &buf, at, stop, eof);
            }
            let o = &outs[k];
            stats.merge_at(&o.stats, line);
            o.write(cfg, line, sinks)?;
            if let Some(e) = &o.error {
                let mut e = e.clone();
                e.line += line;
                return Err(RunError::Row(e));
            }
            line += o.newlines;
            at = o.end;
        }
        if eof {
            break;
        }
        buf.drain(..at);
        pos = 0;
        // A record longer than a block needs a bigger buffer before it can be decided.
        let want = cfg.block_size.max(buf.len());
        fill(&mut buf, input, want, &mut eof)?;
    }
    Ok(stats)
}

/// Where each thread's chunk starts: `pos`, then the byte after the first line break past each
/// even cut, then the end of the buffer. Guesses, not yet known to be record boundaries.
fn guess_cuts(buf: &[u8], pos: usize, threads: usize, min_chunk: usize) -> Vec<usize> {
    let len = buf.len();
    let parts = threads.clamp(1, ((len - pos) / min_chunk.max(1)).max(1));
    let mut cuts = vec![pos];
    for i in 1..parts {
        let nominal = pos + (len - pos) * i / parts;
        if let Some(nl) = memchr(b'\n', &buf[nominal..]) {
            let cut = nominal + nl + 1;
            if cut > *cuts.last().expect("nonempty") && cut < len {
                cuts.push(cut);
            }
        }
    }
    cuts.push(len);
    cuts
}

/// Decides the records that start in `start..stop` (the last one may run past `stop`, up to the
/// end of the buffer); stops before a record the buffer does not hold whole unless `at_eof`.
fn chunk(
    ctx: &Ctx,
    scanner: &Scanner,
    buf: &[u8],
    start: usize,
    stop: usize,
    at_eof: bool,
) -> ChunkOut {
    let mut w = Worker::new(ctx.plan, start);
    let mut fields = Vec::with_capacity(ctx.header.len());
    let mut scratch = Vec::new();
    let mut cur = Cursor::new(scanner, buf, start, at_eof);
    let ncols = ctx.header.len();
    while cur.pos() < stop {
        let Step::Record {
            start: rs,
            end: re,
            unterminated_quote,
        } = cur.next_record(&mut fields)
        else {
            break;
        };
        // Lines are counted from the chunk's first line.
        let line = cur.record_line();
        w.o.stats.read += 1;
        let problem = if unterminated_quote {
            Some(Problem {
                column: Some(fields.len() - 1),
                message: "unterminated quote: the field's closing `\"` is missing".into(),
            })
        } else if fields.len() != ncols {
            Some(Problem {
                column: None,
                message: format!(
                    "expected {ncols} fields as in the header, found {}",
                    fields.len()
                ),
            })
        } else {
            match CsvLead::new(buf, rs..re, cur.non_ascii(), &fields, &mut scratch) {
                Ok(mut lead) => w.lead(ctx, &mut lead, &mut || line).err(),
                Err(e) => {
                    let at = rs + e.valid_up_to();
                    Some(Problem {
                        column: fields.iter().position(|f| f.end >= at),
                        message: format!("invalid UTF-8 (byte 0x{:02x})", buf[at]),
                    })
                }
            }
        };
        if let Some(p) = problem {
            let text = String::from_utf8_lossy(trim_terminator(&buf[rs..re]));
            if !w.reject(ctx, line, p, &text) {
                break;
            }
        }
    }
    w.o.end = cur.pos();
    w.o.newlines = cur.lines();
    w.o
}

/// A row without its line break, for messages and rejects files.
pub(super) fn trim_terminator(raw: &[u8]) -> &[u8] {
    let mut r = raw;
    while let [rest @ .., b'\n' | b'\r'] = r {
        r = rest;
    }
    r
}
