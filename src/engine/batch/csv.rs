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
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    // The line the record at `pos` starts on.
    let mut line = 1 + scan::count_lines(&buf[..header_end]) as u64;
    let mut block = Block { data: buf, start: header_end };
    // Decided chunks with their first line, waiting to be written.
    let mut done: Vec<(ChunkOut, u64)> = Vec::new();
    let mut spare = Vec::new();
    let mut spare_outs: Vec<Vec<u8>> = Vec::new();
    let mut read_size = cfg.block_size;
    loop {
        // The workers decide this block while this thread writes the last block's rows and
        // reads the next block: the disk and the rules keep each other busy.
        let live = &block.data[..];
        // More chunks than threads, taken from a shared counter: a thread slowed down (by
        // this thread's I/O, or by another process) takes fewer, instead of the whole block
        // waiting for it.
        let parts = if cfg.threads > 1 { cfg.threads * 4 } else { 1 };
        let cuts = guess_cuts(live, block.start, parts, cfg.min_chunk);
        let mut next = std::mem::take(&mut spare);
        let mut next_eof = eof;
        let nchunks = cuts.len() - 1;
        let taken = AtomicUsize::new(0);
        let bufs: Vec<Mutex<Vec<u8>>> = (0..nchunks)
            .map(|_| Mutex::new(spare_outs.pop().unwrap_or_default()))
            .collect();
        let (mut outs, io) = std::thread::scope(|s| {
            let (ctx, scanner, cuts, taken, bufs) = (&ctx, &scanner, &cuts, &taken, &bufs);
            let handles: Vec<_> = (0..cfg.threads.min(nchunks))
                .map(|_| {
                    s.spawn(move || {
                        let mut mine = Vec::new();
                        loop {
                            let k = taken.fetch_add(1, Ordering::Relaxed);
                            if k >= nchunks {
                                break mine;
                            }
                            let out = std::mem::take(&mut *bufs[k].lock().expect("unpoisoned"));
                            mine.push((k, chunk(ctx, scanner, live, cuts[k], cuts[k + 1], eof, out)));
                        }
                    })
                })
                .collect();
            let io = (|| -> Result<(), RunError> {
                for (o, base) in done.drain(..) {
                    o.write(cfg, base, sinks)?;
                    spare_outs.push(o.recycle());
                }
                if !eof {
                    next.clear();
                    next.resize(HEADROOM, 0);
                    fill(&mut next, input, read_size, &mut next_eof)?;
                }
                Ok(())
            })();
            let mut outs: Vec<(usize, ChunkOut)> = handles
                .into_iter()
                .flat_map(|h| h.join().expect("worker thread panicked"))
                .collect();
            outs.sort_unstable_by_key(|(k, _)| *k);
            let outs: Vec<ChunkOut> = outs.into_iter().map(|(_, o)| o).collect();
            (outs, io)
        });
        io?;
        let mut at = block.start;
        for k in 0..outs.len() {
            if outs[k].start != at {
                // The guess for this chunk fell inside a record: decide it again from where
                // the previous chunk really ended.
                let stop = cuts[k + 1].max(at);
                let out = std::mem::take(&mut outs[k].out);
                outs[k] = chunk(&ctx, &scanner, live, at, stop, eof, out);
            }
            at = outs[k].end;
        }
        for o in outs {
            stats.merge_at(&o.stats, line);
            let base = line;
            line += o.newlines;
            if let Some(e) = &o.error {
                let mut e = e.clone();
                e.line += base;
                for (o, base) in done.drain(..) {
                    o.write(cfg, base, sinks)?;
                }
                o.write(cfg, base, sinks)?;
                return Err(RunError::Row(e));
            }
            done.push((o, base));
        }
        if eof {
            break;
        }
        // The record that straddles the block's end goes in front of the next block's bytes.
        let tail_len = block.data.len() - at;
        read_size = if at == block.start {
            // Not one whole record in the block: read more, geometrically.
            cfg.block_size.max(block.data.len() - block.start)
        } else {
            cfg.block_size
        };
        let start = if tail_len <= HEADROOM {
            let start = HEADROOM - tail_len;
            next[start..HEADROOM].copy_from_slice(&block.data[at..]);
            start
        } else {
            let mut joined = Vec::with_capacity(tail_len + next.len() - HEADROOM);
            joined.extend_from_slice(&block.data[at..]);
            joined.extend_from_slice(&next[HEADROOM..]);
            next = joined;
            0
        };
        spare = std::mem::replace(&mut block, Block { data: next, start }).data;
        eof = next_eof;
    }
    for (o, base) in done.drain(..) {
        o.write(cfg, base, sinks)?;
    }
    Ok(stats)
}

/// Room kept in front of each block read, for the record that straddles the last block's end.
const HEADROOM: usize = 64 << 10;

/// A block of input: `data[start..]` is yet to be decided.
struct Block {
    data: Vec<u8>,
    start: usize,
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
    out: Vec<u8>,
) -> ChunkOut {
    let mut w = Worker::new(ctx.plan, start, out);
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
