//! The CSV driver. Each block is cut into one chunk per thread at guessed record boundaries
//! (the first line break after an even cut); every chunk is decided on its own thread, and a
//! chunk is trusted only when the chunk before it ended exactly where it began. A guess that
//! fell inside a quoted field is caught that way, and that chunk is decided again from the
//! true boundary.

use super::worker::{ChunkOut, Ctx, Problem, Worker, bind};
use super::{RunConfig, RunError, Sinks, fill};
use crate::engine::eval::LANES;
use crate::engine::input::{CsvLead, CsvLeads, refuse_encoding};
use crate::engine::plan::Plan;
use crate::engine::scan::{self, Cursor, Fields, Scanner, Step};
use crate::engine::summary::Stats;
use memchr::memchr;
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where the CSV bytes come from.
pub(super) enum Source<'a> {
    /// Read block by block.
    Stream(&'a mut dyn Read),
    /// All in memory already (a mapped file): blocks are windows on it and nothing is copied.
    Whole(&'a [u8], &'a dyn Pages),
}

/// Runs the plan over CSV input.
pub(super) fn run(
    plan: &mut Plan,
    mut source: Source,
    cfg: &RunConfig,
    sinks: &mut Sinks,
) -> Result<Stats, RunError> {
    let scanner = Scanner::new(cfg.delimiter);
    let mut buf = Vec::new();
    let whole: Option<&[u8]> = match &source {
        Source::Whole(bytes, _) => Some(*bytes),
        Source::Stream(_) => None,
    };
    let mut eof = whole.is_some();
    if let Source::Stream(input) = &mut source {
        fill(&mut buf, *input, cfg.block_size, &mut eof)?;
    }
    if let Some(msg) = refuse_encoding(whole.unwrap_or(&buf)) {
        return Err(RunError::Input(msg));
    }
    let mut fields = Vec::new();
    let header_end = loop {
        let b = whole.unwrap_or(&buf);
        match scanner.next_record(b, scan::skip_bom(b), eof, &mut fields) {
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
                let Source::Stream(input) = &mut source else {
                    unreachable!("a whole input is at its end");
                };
                let want = buf.len().max(cfg.block_size);
                fill(&mut buf, *input, want, &mut eof)?
            }
            Step::Eof => {
                return Err(RunError::Input(
                    "the input is empty: expected a header row of column names".into(),
                ));
            }
        }
    };
    let mut scratch = Vec::new();
    let header_bytes = whole.unwrap_or(&buf);
    let header: Vec<String> = fields
        .iter()
        .map(|&f| {
            std::str::from_utf8(scan::field_bytes(header_bytes, f, &mut scratch))
                .map(str::to_string)
                .map_err(|_| RunError::Input("line 1: the header row is not UTF-8 text".into()))
        })
        .collect::<Result<_, _>>()?;
    let ctx = bind(plan, &header, cfg, sinks.out)?;
    let mut run = Blocks {
        ctx: &ctx,
        scanner,
        stats: Stats::new(ctx.plan),
        line: 1 + scan::count_lines(&header_bytes[..header_end]) as u64,
        done: Vec::new(),
        spare_outs: Vec::new(),
    };
    match source {
        Source::Stream(input) => run.stream(input, buf, header_end, eof, sinks)?,
        Source::Whole(bytes, pages) => run.whole(bytes, pages, header_end, sinks)?,
    }
    for (o, base) in run.done.drain(..) {
        o.write(cfg, base, sinks)?;
    }
    Ok(run.stats)
}

/// Room kept in front of each block read, for the record that straddles the last block's end.
const HEADROOM: usize = 64 << 10;

/// Released ranges of a whole input start and end on multiples of this (a power of two, and a
/// multiple of any page size).
const PAGE_RUN: usize = 64 << 10;

/// The memory behind a whole input, told what the run is about to read and what it is done
/// with. A mapped file makes pages ready ahead and drops them behind; plain memory ignores both.
pub trait Pages {
    /// `range` is read next.
    fn will_need(&self, range: std::ops::Range<usize>);
    /// `range` is not read again.
    fn done_with(&self, range: std::ops::Range<usize>);
}

impl Pages for () {
    fn will_need(&self, _: std::ops::Range<usize>) {}
    fn done_with(&self, _: std::ops::Range<usize>) {}
}

/// The block-by-block part of a run, once the header is bound.
struct Blocks<'c, 'p> {
    ctx: &'c Ctx<'p>,
    scanner: Scanner,
    stats: Stats,
    /// The line the next block's first record starts on.
    line: u64,
    /// Decided chunks with their first line, waiting to be written.
    done: Vec<(ChunkOut, u64)>,
    /// Row buffers of written chunks, for the next chunks to reuse.
    spare_outs: Vec<Vec<u8>>,
}

impl Blocks<'_, '_> {
    /// Reads block after block; the record that straddles a block's end goes in front of the
    /// next block's bytes.
    fn stream(
        &mut self,
        input: &mut dyn Read,
        first: Vec<u8>,
        start: usize,
        mut eof: bool,
        sinks: &mut Sinks,
    ) -> Result<(), RunError> {
        let cfg = self.ctx.cfg;
        let (mut data, mut start) = (first, start);
        let mut spare = Vec::new();
        let mut read_size = cfg.block_size;
        loop {
            let mut next = std::mem::take(&mut spare);
            let mut next_eof = eof;
            let at = self.block(&data, start, eof, sinks, |_| {
                if !eof {
                    next.clear();
                    next.resize(HEADROOM, 0);
                    fill(&mut next, input, read_size, &mut next_eof)?;
                }
                Ok(())
            })?;
            if eof {
                return Ok(());
            }
            let tail_len = data.len() - at;
            read_size = if at == start {
                // Not one whole record in the block: read more, geometrically.
                cfg.block_size.max(data.len() - start)
            } else {
                cfg.block_size
            };
            let next_start = if tail_len <= HEADROOM {
                let s = HEADROOM - tail_len;
                next[s..HEADROOM].copy_from_slice(&data[at..]);
                s
            } else {
                let mut joined = Vec::with_capacity(tail_len + next.len() - HEADROOM);
                joined.extend_from_slice(&data[at..]);
                joined.extend_from_slice(&next[HEADROOM..]);
                next = joined;
                0
            };
            spare = std::mem::replace(&mut data, next);
            start = next_start;
            eof = next_eof;
        }
    }

    /// Decides windows of a whole input in turn. While the workers decide one window, this
    /// thread has the next one's pages made ready (so that the workers do not stop on page
    /// faults) and lets go of the ones already decided.
    fn whole(
        &mut self,
        bytes: &[u8],
        pages: &dyn Pages,
        mut start: usize,
        sinks: &mut Sinks,
    ) -> Result<(), RunError> {
        let cfg = self.ctx.cfg;
        let mut size = cfg.block_size;
        let mut freed = 0;
        let mut ready = bytes.len().min(start.saturating_add(size));
        pages.will_need(0..ready);
        loop {
            let end = bytes.len().min(start.saturating_add(size));
            let eof = end == bytes.len();
            let done_to = start;
            let at = self.block(&bytes[..end], start, eof, sinks, |_| {
                let upto = done_to & !(PAGE_RUN - 1);
                if upto > freed {
                    pages.done_with(freed..upto);
                    freed = upto;
                }
                let want = bytes.len().min(end.saturating_add(size));
                if want > ready {
                    pages.will_need(ready..want);
                    ready = want;
                }
                Ok(())
            })?;
            if eof {
                return Ok(());
            }
            // Not one whole record in the window: widen it, geometrically.
            size = if at == start {
                size * 2
            } else {
                cfg.block_size
            };
            start = at;
        }
    }

    /// Decides the records of `live` from `start` on worker threads while `io` runs on this
    /// thread after the last block's rows are written; returns where the next block starts.
    fn block(
        &mut self,
        live: &[u8],
        start: usize,
        eof: bool,
        sinks: &mut Sinks,
        io: impl FnOnce(&mut Sinks) -> Result<(), RunError>,
    ) -> Result<usize, RunError> {
        let (ctx, cfg, scanner) = (self.ctx, self.ctx.cfg, &self.scanner);
        // More chunks than threads, taken from a shared counter: a thread slowed down (by
        // this thread's I/O, or by another process) takes fewer, instead of the whole block
        // waiting for it.
        let parts = if cfg.threads > 1 { cfg.threads * 4 } else { 1 };
        let cuts = guess_cuts(live, start, parts, cfg.min_chunk);
        let nchunks = cuts.len() - 1;
        let taken = AtomicUsize::new(0);
        let bufs: Vec<Mutex<Vec<u8>>> = (0..nchunks)
            .map(|_| Mutex::new(self.spare_outs.pop().unwrap_or_default()))
            .collect();
        let (done, spare_outs) = (&mut self.done, &mut self.spare_outs);
        let (mut outs, io) = std::thread::scope(|s| {
            let (cuts, taken, bufs) = (&cuts, &taken, &bufs);
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
                            mine.push((
                                k,
                                chunk(ctx, scanner, live, cuts[k], cuts[k + 1], eof, out),
                            ));
                        }
                    })
                })
                .collect();
            // The workers decide this block while this thread writes the last block's rows
            // and reads the next block: the disk and the rules keep each other busy.
            let io = (|| -> Result<(), RunError> {
                for (o, base) in done.drain(..) {
                    o.write(cfg, base, sinks)?;
                    spare_outs.push(o.recycle());
                }
                io(sinks)
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
        let mut at = start;
        for k in 0..outs.len() {
            if outs[k].start != at {
                // The guess for this chunk fell inside a record: decide it again from where
                // the previous chunk really ended.
                let stop = cuts[k + 1].max(at);
                let out = std::mem::take(&mut outs[k].out);
                outs[k] = chunk(ctx, scanner, live, at, stop, eof, out);
            }
            at = outs[k].end;
        }
        for o in outs {
            self.stats.merge_at(&o.stats, self.line);
            let base = self.line;
            self.line += o.newlines;
            if let Some(e) = &o.error {
                let mut e = e.clone();
                e.line += base;
                for (o, base) in self.done.drain(..) {
                    o.write(cfg, base, sinks)?;
                }
                o.write(cfg, base, sinks)?;
                return Err(RunError::Row(e));
            }
            self.done.push((o, base));
        }
        Ok(at)
    }
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
/// Leads are taken into batch lanes as they are read and decided [`LANES`] at a time; a bad
/// row first has the leads before it decided, so that rows, rejects and a stop come in order.
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
    let ncols = ctx.header.len();
    let mut b = Batch {
        fields: (0..LANES).map(|_| Fields::with_capacity(ncols)).collect(),
        ascii: 0,
        taken: 0,
        line: [0; LANES],
        span: [(0, 0); LANES],
        after: [(0, 0); LANES],
    };
    let mut scratch = Vec::new();
    let mut cur = Cursor::new(scanner, buf, start, at_eof);
    let mut stopped = None;
    while cur.pos() < stop {
        let n = b.taken;
        let fields = &mut b.fields[n];
        let Step::Record {
            start: rs,
            end: re,
            unterminated_quote,
        } = cur.next_fields(fields)
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
            match CsvLead::new(buf, rs..re, cur.non_ascii(), fields, &mut scratch) {
                Ok(mut lead) => w.take_lane(ctx, &mut lead, n).err(),
                Err(bad) => {
                    let at = rs + bad;
                    Some(Problem {
                        column: (0..fields.len())
                            .position(|i| fields.get(buf, i).is_some_and(|f| f.end >= at)),
                        message: format!("invalid UTF-8 (byte 0x{:02x})", buf[at]),
                    })
                }
            }
        };
        match problem {
            None => {
                b.ascii = b.ascii & !(1 << n) | (!cur.non_ascii() as u64) << n;
                b.line[n] = line;
                b.span[n] = (rs, re);
                b.after[n] = (cur.pos(), cur.lines());
                b.taken += 1;
                if b.taken == LANES {
                    stopped = b.decide(ctx, &mut w, buf, &mut scratch);
                    if stopped.is_some() {
                        break;
                    }
                }
            }
            Some(p) => {
                stopped = b.decide(ctx, &mut w, buf, &mut scratch);
                if stopped.is_some() {
                    // The run stops before this row: it was never read.
                    w.o.stats.read -= 1;
                    break;
                }
                let text = String::from_utf8_lossy(trim_terminator(&buf[rs..re]));
                if !w.reject(ctx, line, p, &text) {
                    break;
                }
            }
        }
    }
    if stopped.is_none() {
        stopped = b.decide(ctx, &mut w, buf, &mut scratch);
    }
    // A lead rejected while its batch was decided may have stopped the run: the chunk ends
    // after it, as if the records after it had not been read.
    (w.o.end, w.o.newlines) = stopped.unwrap_or((cur.pos(), cur.lines()));
    w.o
}

/// The leads of one chunk taken into batch lanes and not yet decided.
struct Batch {
    /// Each lane's fields.
    fields: Vec<Fields>,
    /// Bit `i` set when lane `i`'s record is all ASCII.
    ascii: u64,
    /// Lanes `0..taken` hold leads.
    taken: usize,
    /// Each lane's line, from the chunk's first.
    line: [u64; LANES],
    /// Each lane's record.
    span: [(usize, usize); LANES],
    /// Where the cursor was after each lane's record: position and lines.
    after: [(usize, u64); LANES],
}

impl Batch {
    /// Decides the leads taken, and empties the lanes. When a rejected lead stops the run,
    /// gives the cursor's position and lines after its record.
    fn decide(
        &mut self,
        ctx: &Ctx,
        w: &mut Worker,
        buf: &[u8],
        scratch: &mut Vec<u8>,
    ) -> Option<(usize, u64)> {
        let n = std::mem::take(&mut self.taken);
        let mut leads = CsvLeads {
            buf,
            fields: &self.fields[..n],
            ascii: self.ascii,
            scratch,
        };
        let (line, span) = (&self.line, &self.span);
        let raw = |i: usize| {
            let (rs, re) = span[i];
            String::from_utf8_lossy(trim_terminator(&buf[rs..re])).into_owned()
        };
        let stop = w.decide_lanes(ctx, &mut leads, n, |i| line[i], raw)?;
        Some(self.after[stop])
    }
}

/// A row without its line break, for messages and rejects files.
pub(super) fn trim_terminator(raw: &[u8]) -> &[u8] {
    let mut r = raw;
    while let [rest @ .., b'\n' | b'\r'] = r {
        r = rest;
    }
    r
}
