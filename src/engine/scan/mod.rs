//! Zero-copy CSV record scanner: finds record and field boundaries in a byte
//! buffer and decodes only the fields a caller asks for.
//!
//! Parsing matches the `csv` crate configured with `has_headers(false)`,
//! `flexible(true)` and default quoting (double quotes, `""` escapes, no
//! escape byte, `\n` / `\r` / `\r\n` terminators), record for record,
//! including its quirks: blank lines vanish, a lone `\r` ends a record, a quote
//! inside an unquoted field is literal, text after a closing quote is appended
//! to the field, and a leading UTF-8 BOM is dropped (see [`skip_bom`]). The one
//! deliberate difference is that an unterminated quote at end of input is
//! reported instead of silently accepted.
//!
//! Each 64-byte block is classified once, with the widest vector instructions
//! the CPU has (SSE2, AVX2 or AVX-512BW, chosen at run time). A well-formed
//! record (quotes only around whole fields) is then split with bit arithmetic on
//! the block's masks, a block at a time; any other record is scanned exactly, a
//! structural byte at a time.

use memchr::memchr;

mod classify;

#[cfg(target_arch = "x86_64")]
use classify::{Avx2, Avx512};
use classify::{Baseline, Classify, Isa, Masks, PREFETCH_AHEAD, fast_record, prefetch};

const QUOTE: u8 = b'"';

/// Location of one field inside the scanned buffer.
///
/// For a quoted field `start..end` excludes the opening quote and, unless text
/// follows the closing quote, the closing quote too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldPos {
    /// Offset of the first content byte.
    pub start: usize,
    /// Offset one past the last content byte.
    pub end: usize,
    /// The field opened with a quote.
    pub quoted: bool,
    /// The raw bytes differ from the decoded value: the field holds doubled
    /// quotes, or text after its closing quote (`"ab"c` decodes to `abc`).
    pub needs_unescape: bool,
}

/// Outcome of [`Scanner::next_record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A record with at least one field.
    Record {
        /// Offset of the record's first byte, after any skipped blank lines.
        start: usize,
        /// Offset just past the record terminator (or the buffer end at EOF).
        end: usize,
        /// Input ended inside a quoted field; the `csv` crate accepts this
        /// silently, so the record is still returned for the caller to judge.
        unterminated_quote: bool,
    },
    /// The record may continue past the buffer: refill and call again from
    /// the same position.
    NeedMore,
    /// Nothing but blank lines remained.
    Eof,
}

/// Record scanner for one delimiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scanner {
    delimiter: u8,
}

#[inline(always)]
fn is_term(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

impl Scanner {
    /// Creates a scanner splitting fields on `delimiter`.
    ///
    /// # Panics
    /// If `delimiter` is `"`, `\n` or `\r`, which the grammar reserves.
    pub fn new(delimiter: u8) -> Self {
        assert!(
            delimiter != QUOTE && !is_term(delimiter),
            "delimiter must not be a quote or a line terminator"
        );
        Scanner { delimiter }
    }

    /// The field delimiter.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Scans one record starting at `pos`, skipping blank lines first, and
    /// pushes its fields into `fields` (cleared first).
    ///
    /// `at_eof` tells whether `buf` ends the input. When it does not and the
    /// record might continue past `buf`, [`Step::NeedMore`] is returned; the
    /// caller should grow the buffer (geometrically, since the record is
    /// rescanned from `pos`) and call again. The UTF-8 BOM is not handled
    /// here: pass `skip_bom(buf)` as the first `pos`.
    pub fn next_record(
        &self,
        buf: &[u8],
        pos: usize,
        at_eof: bool,
        fields: &mut Vec<FieldPos>,
    ) -> Step {
        Cursor::new(self, buf, pos, at_eof).next_record(fields)
    }
}

/// Scans record after record from one position, carrying the structural-byte
/// masks from one record to the next so that each 64-byte block of the buffer
/// is classified once. Gives the same records as [`Scanner::next_record`]
/// called at each record's end, and also counts line breaks and tells whether a
/// record holds bytes beyond ASCII.
pub struct Cursor<'a> {
    buf: &'a [u8],
    sp: Specials<'a>,
    pos: usize,
    at_eof: bool,
    delim: u8,
    lines: u64,
    start_lines: u64,
    hi: bool,
    /// Try [`fast_record`] before the exact scan.
    fast: bool,
    /// The instructions blocks are classified with.
    isa: Isa,
}

impl<'a> Cursor<'a> {
    /// A cursor at `pos` (a record start, or blank lines before one).
    #[inline]
    pub fn new(scanner: &Scanner, buf: &'a [u8], pos: usize, at_eof: bool) -> Self {
        let sp = Specials::new(buf, pos, scanner.delimiter);
        Cursor {
            buf,
            hi: true,
            sp,
            pos,
            at_eof,
            delim: scanner.delimiter,
            lines: 0,
            start_lines: 0,
            fast: true,
            isa: Isa::detect(),
        }
    }

    /// One cursor per way of classifying blocks that this CPU supports (SSE2, AVX2,
    /// AVX-512BW): for tests, which must cover every version whatever machine runs them.
    #[doc(hidden)]
    pub fn each_isa(scanner: &Scanner, buf: &'a [u8], pos: usize, at_eof: bool) -> Vec<Self> {
        let mut isas = vec![Isa::Baseline];
        #[cfg(target_arch = "x86_64")]
        {
            match Isa::detect() {
                Isa::Avx512 => isas.extend([Isa::Avx2, Isa::Avx512]),
                Isa::Avx2 => isas.push(Isa::Avx2),
                Isa::Baseline => {}
            }
        }
        isas.into_iter()
            .map(|isa| Cursor {
                isa,
                ..Cursor::new(scanner, buf, pos, at_eof)
            })
            .collect()
    }

    /// A cursor that visits every structural byte, never taking the bit-parallel path for
    /// well-formed records: the reference that the fast path is tested against.
    pub fn exact(scanner: &Scanner, buf: &'a [u8], pos: usize, at_eof: bool) -> Self {
        Cursor {
            fast: false,
            ..Cursor::new(scanner, buf, pos, at_eof)
        }
    }

    /// Where the next record (or the blank lines before it) starts.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Line breaks (`\n`) consumed since the cursor was made, through the end
    /// of the last record returned.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Line breaks consumed before the last record returned began: its line,
    /// counted from the cursor's first line (0).
    pub fn record_line(&self) -> u64 {
        self.start_lines
    }

    /// Whether the last record returned holds a byte beyond ASCII (an
    /// all-ASCII record is UTF-8 without further checking).
    pub fn non_ascii(&self) -> bool {
        self.hi
    }

    /// The next record, as [`Scanner::next_record`] would find it at
    /// [`Cursor::pos`]. After [`Step::NeedMore`] or [`Step::Eof`] the cursor
    /// is spent: make a new one once the buffer has grown.
    pub fn next_record(&mut self, fields: &mut Vec<FieldPos>) -> Step {
        let mut found = Fields {
            pos: std::mem::take(fields),
            ..Fields::default()
        };
        let step = self.next_fields(&mut found);
        if found.well_formed {
            let mut pos = std::mem::take(&mut found.pos);
            pos.clear();
            pos.extend((0..found.len()).filter_map(|i| found.get(self.buf, i)));
            found.pos = pos;
        }
        *fields = found.pos;
        step
    }

    /// The next record, as [`Cursor::next_record`] finds it, with its fields
    /// in the compact form of [`Fields`]: what the engine reads leads with.
    pub fn next_fields(&mut self, fields: &mut Fields) -> Step {
        match self.isa {
            // SAFETY: `Isa::detect` found the CPU features these versions are compiled for.
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => unsafe { self.record_avx512(fields) },
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => unsafe { self.record_avx2(fields) },
            Isa::Baseline => self.record::<Baseline>(fields),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,bmi1,bmi2,popcnt,lzcnt")]
    fn record_avx512(&mut self, fields: &mut Fields) -> Step {
        self.record::<Avx512>(fields)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,bmi1,bmi2,popcnt,lzcnt")]
    fn record_avx2(&mut self, fields: &mut Fields) -> Step {
        self.record::<Avx2>(fields)
    }

    #[inline(always)]
    fn record<C: Classify>(&mut self, found: &mut Fields) -> Step {
        found.seps.clear();
        found.well_formed = false;
        let fields = &mut found.pos;
        fields.clear();
        let buf = self.buf;
        let len = buf.len();
        let at_eof = self.at_eof;
        // Worked on in place: a local copy of this many bytes is moved with vector stores
        // whose fields are then read back narrower, which stalls store-to-load forwarding.
        let sp = &mut self.sp;
        // Structural bytes before `pos` were consumed with the last record.
        let mut p = self.pos;
        // Committed only with a record, so that a spent cursor's count ends at `pos`.
        let mut lines = self.lines;
        // The csv crate discards terminators between records, so blank lines
        // (and the `\n` of a `\r\n` split across calls) never form records.
        while p < len && is_term(buf[p]) {
            sp.next::<C>();
            lines += (buf[p] == b'\n') as u64;
            p += 1;
        }
        if p >= len {
            return if at_eof { Step::Eof } else { Step::NeedMore };
        }
        self.start_lines = lines;
        sp.begin(p);
        let start = p;
        if self.fast {
            let saved_lines = lines;
            found.doubled = false;
            if let Some(end) = fast_record::<C>(
                sp,
                buf,
                start,
                &mut lines,
                &mut found.seps,
                &mut found.doubled,
            ) {
                found.well_formed = true;
                found.start = start;
                self.hi = sp.hi_through(end);
                self.lines = lines;
                self.pos = end;
                return Step::Record {
                    start,
                    end,
                    unterminated_quote: false,
                };
            }
            // A cursor made at the record's start finds what this one would have.
            *sp = Specials::new(buf, start, self.delim);
            sp.begin(start);
            lines = saved_lines;
            found.seps.clear();
        }
        let d = self.delim;
        let mut fs = p;
        // Every structural byte (delimiter, quote, \r, \n) is visited in order
        // through `sp`, so peeking at `buf[j + 1]` must be paired with
        // consuming it from `sp` when it is structural.
        let (end, unterminated_quote) = 'field: loop {
            let mut content = fs;
            let mut quoted = false;
            let mut needs = false;
            if fs < len && buf[fs] == QUOTE {
                sp.next::<C>();
                quoted = true;
                content = fs + 1;
                loop {
                    let Some(j) = sp.next::<C>() else {
                        if !at_eof {
                            return need_more(fields);
                        }
                        fields.push(FieldPos {
                            start: content,
                            end: len,
                            quoted,
                            needs_unescape: needs,
                        });
                        break 'field (len, true);
                    };
                    let b = buf[j];
                    if b != QUOTE {
                        lines += (b == b'\n') as u64;
                        continue;
                    }
                    let Some(&c) = buf.get(j + 1) else {
                        // A following quote would make this an escaped quote.
                        if !at_eof {
                            return need_more(fields);
                        }
                        fields.push(FieldPos {
                            start: content,
                            end: j,
                            quoted,
                            needs_unescape: needs,
                        });
                        break 'field (len, false);
                    };
                    if c == QUOTE {
                        needs = true;
                        sp.next::<C>();
                    } else if c == d {
                        sp.next::<C>();
                        fields.push(FieldPos {
                            start: content,
                            end: j,
                            quoted,
                            needs_unescape: needs,
                        });
                        fs = j + 2;
                        continue 'field;
                    } else if is_term(c) {
                        sp.next::<C>();
                        fields.push(FieldPos {
                            start: content,
                            end: j,
                            quoted,
                            needs_unescape: needs,
                        });
                        break 'field (finish::<C>(sp, buf, j + 1, &mut lines), false);
                    } else {
                        // csv-core drops the closing quote and carries on as
                        // an unquoted field, where quotes are literal.
                        needs = true;
                        break;
                    }
                }
            }
            loop {
                let Some(j) = sp.next::<C>() else {
                    if !at_eof {
                        return need_more(fields);
                    }
                    fields.push(FieldPos {
                        start: content,
                        end: len,
                        quoted,
                        needs_unescape: needs,
                    });
                    break 'field (len, false);
                };
                let c = buf[j];
                if c == d {
                    fields.push(FieldPos {
                        start: content,
                        end: j,
                        quoted,
                        needs_unescape: needs,
                    });
                    fs = j + 1;
                    continue 'field;
                }
                if is_term(c) {
                    fields.push(FieldPos {
                        start: content,
                        end: j,
                        quoted,
                        needs_unescape: needs,
                    });
                    break 'field (finish::<C>(sp, buf, j, &mut lines), false);
                }
            }
        };
        self.hi = sp.hi_through(end);
        self.lines = lines;
        self.pos = end;
        Step::Record {
            start,
            end,
            unterminated_quote,
        }
    }
}

fn need_more(fields: &mut Vec<FieldPos>) -> Step {
    fields.clear();
    Step::NeedMore
}

/// The end of a record whose terminator is at `t` (already consumed from
/// `sp`): swallows the `\n` of a `\r\n` so that the end lands on the next
/// record when one follows, and counts the line break.
#[inline(always)]
fn finish<C: Classify>(sp: &mut Specials, buf: &[u8], t: usize, lines: &mut u64) -> usize {
    if buf[t] == b'\n' {
        *lines += 1;
        t + 1
    } else if buf.get(t + 1) == Some(&b'\n') {
        sp.next::<C>();
        *lines += 1;
        t + 2
    } else {
        t + 1
    }
}

/// Iterates the offsets of structural bytes from a starting point, a 64-byte
/// block at a time, so short fields cost a bit scan rather than a memchr
/// call setup each. It also keeps the block's bytes beyond ASCII, to tell
/// whether one record holds any, and the block's quotes and line breaks, for
/// [`fast_record`].
#[derive(Clone, Copy)]
struct Specials<'a> {
    buf: &'a [u8],
    base: usize,
    /// Structural bytes of the current block not yet consumed.
    mask: u64,
    delim: u8,
    /// All of the current block's masks, consumed or not.
    block: Masks,
    /// Where the record being scanned starts.
    from: usize,
    /// A byte beyond ASCII was seen in a block before the current one, at or after `from`.
    hi: bool,
}

impl<'a> Specials<'a> {
    #[inline(always)]
    fn new(buf: &'a [u8], from: usize, delim: u8) -> Self {
        let block = Baseline::masks(buf, from, delim);
        Specials {
            buf,
            base: from,
            mask: block.any,
            delim,
            block,
            from,
            hi: false,
        }
    }

    /// Starts watching for bytes beyond ASCII from `from`, a record's start.
    #[inline(always)]
    fn begin(&mut self, from: usize) {
        self.from = from;
        self.hi = false;
    }

    /// The bits of the current block at or after `from`.
    #[inline(always)]
    fn hi_since_from(&self) -> u64 {
        match self.from.saturating_sub(self.base) {
            0 => self.block.hi,
            k if k < 64 => self.block.hi >> k,
            _ => 0,
        }
    }

    /// Whether `buf[from..end]` holds a byte beyond ASCII, once every block up to
    /// `end` has been loaded.
    #[inline(always)]
    fn hi_through(&self, end: usize) -> bool {
        let lo = self.from.saturating_sub(self.base);
        let hi = end.saturating_sub(self.base).min(64);
        if self.hi || lo >= hi {
            return self.hi;
        }
        let below = if hi == 64 { !0 } else { (1u64 << hi) - 1 };
        self.block.hi & below & (!0u64 << lo) != 0
    }

    /// Moves to the next block, whose structural bytes all become unconsumed;
    /// false when the current block is the buffer's last.
    #[inline(always)]
    fn advance<C: Classify>(&mut self) -> bool {
        if self.base + 64 >= self.buf.len() {
            return false;
        }
        self.hi |= self.hi_since_from() != 0;
        self.base += 64;
        prefetch(self.buf, self.base + PREFETCH_AHEAD);
        self.block = C::masks(self.buf, self.base, self.delim);
        self.mask = self.block.any;
        true
    }

    #[inline(always)]
    fn next<C: Classify>(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if !self.advance::<C>() {
                return None;
            }
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + i)
    }
}

/// The fields of one record: from the bit-parallel path, the offset of each
/// field's end (its delimiter or terminator) from the record's start, decoded
/// on demand; from the exact scan, each field's position.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    start: usize,
    seps: Vec<u32>,
    pos: Vec<FieldPos>,
    well_formed: bool,
    /// A well-formed record holds a doubled quote (`""`) somewhere.
    doubled: bool,
}

impl Fields {
    /// Room for records of `n` fields.
    pub fn with_capacity(n: usize) -> Self {
        Fields {
            seps: Vec::with_capacity(n + 8),
            pos: Vec::with_capacity(n),
            ..Fields::default()
        }
    }

    /// How many fields the record has.
    #[inline]
    pub fn len(&self) -> usize {
        if self.well_formed {
            self.seps.len()
        } else {
            self.pos.len()
        }
    }

    /// Whether the record has no fields (never so for a record returned).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Field `i` of the record, whose bytes are in `buf` (the buffer the cursor scanned).
    #[inline(always)]
    pub fn get(&self, buf: &[u8], i: usize) -> Option<FieldPos> {
        if !self.well_formed {
            return self.pos.get(i).copied();
        }
        let j = self.start + *self.seps.get(i)? as usize;
        let fs = match i {
            0 => self.start,
            _ => self.start + self.seps[i - 1] as usize + 1,
        };
        // In a well-formed record a field that opens with a quote closes just before its end.
        Some(if fs < j && buf[fs] == QUOTE {
            FieldPos {
                start: fs + 1,
                end: j - 1,
                quoted: true,
                needs_unescape: self.doubled && memchr(QUOTE, &buf[fs + 1..j - 1]).is_some(),
            }
        } else {
            FieldPos {
                start: fs,
                end: j,
                quoted: false,
                needs_unescape: false,
            }
        })
    }
}

/// Returns the decoded bytes of a field: borrowed from `buf` when no
/// unescaping is needed, else decoded into `scratch` (cleared first).
#[inline(always)]
pub fn field_bytes<'a>(buf: &'a [u8], f: FieldPos, scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let raw = &buf[f.start..f.end];
    if !f.needs_unescape {
        return raw;
    }
    scratch.clear();
    unescape_into(raw, scratch);
    scratch
}

/// Appends the decoded value of a field that needs unescaping to `out`.
///
/// `raw` is quoted content: pairs of quotes stand for one, and the first lone
/// quote is the closing one, after which everything is literal.
pub fn unescape_into(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(k) = memchr(QUOTE, &raw[i..]) {
        let k = i + k;
        out.extend_from_slice(&raw[i..k]);
        if raw.get(k + 1) == Some(&QUOTE) {
            out.push(QUOTE);
            i = k + 2;
        } else {
            out.extend_from_slice(&raw[k + 1..]);
            return;
        }
    }
    out.extend_from_slice(&raw[i..]);
}

/// Returns where parsing starts: 3 when `buf` opens with a UTF-8 BOM, else 0.
///
/// Like the `csv` crate, the BOM is only recognised whole at the very start,
/// and before parsing, so `\u{feff}"a"` is a quoted field.
pub fn skip_bom(buf: &[u8]) -> usize {
    if buf.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    }
}

/// Splits `buf` from `start` into up to `parts` chunks at record boundaries so
/// that each chunk can be scanned on its own as `next_record(&buf[..b_next],
/// pos, true, ..)`.
///
/// Returns `[start, b1, .., buf.len()]`, strictly increasing except that an
/// empty input gives `[start, start]`. Each split is first guessed as the byte
/// after the first `\n` past a nominal even cut, then verified: the scan of
/// the preceding chunk must end exactly there. A guess inside a quoted field
/// fails that check and is replaced by the exact boundary the scan found.
/// Verification scans run on scoped threads for large inputs, so the cost is
/// about one boundary scan of `buf` divided by `parts`.
pub fn split_records(scanner: &Scanner, buf: &[u8], start: usize, parts: usize) -> Vec<usize> {
    let len = buf.len();
    let start = start.min(len);
    let parts = parts.max(1);
    let span = (len - start) as u128;
    let mut spec = vec![start];
    for i in 1..parts {
        let nominal = start + (span * i as u128 / parts as u128) as usize;
        let guess = memchr(b'\n', &buf[nominal..]).map_or(len, |k| nominal + k + 1);
        if guess > spec[spec.len() - 1] && guess < len {
            spec.push(guess);
        }
    }
    spec.push(len);
    if spec.len() == 2 {
        return spec;
    }

    // reach[k]: where a scan that treats spec[k] as a record start first
    // reaches spec[k + 1] or beyond. Only trusted once spec[k] is verified.
    let chunks = spec.len() - 1;
    let reach: Vec<usize> = if len - start >= PARALLEL_MIN {
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..chunks)
                .map(|k| {
                    let (from, to) = (spec[k], spec[k + 1]);
                    s.spawn(move || scan_until(scanner, buf, from, to))
                })
                .collect();
            let mut reach = vec![scan_until(scanner, buf, spec[0], spec[1])];
            reach.extend(
                handles
                    .into_iter()
                    .map(|h| h.join().expect("scan thread panicked")),
            );
            reach
        })
    } else {
        (0..chunks)
            .map(|k| scan_until(scanner, buf, spec[k], spec[k + 1]))
            .collect()
    };

    let mut out = vec![start];
    // Invariant: `pos` is an exact record boundary reached from `start`.
    let mut pos = reach[0];
    for k in 1..chunks {
        let guess = spec[k];
        if pos < guess {
            pos = scan_until(scanner, buf, pos, guess);
        }
        if pos == guess {
            out.push(guess);
            pos = reach[k];
        } else if pos < spec[k + 1] {
            out.push(pos);
        }
    }
    out.push(len);
    out
}

/// Inputs below this size are verified on the calling thread: spawning costs
/// more than scanning.
const PARALLEL_MIN: usize = 1 << 20;

/// Scans records from `from` (taken as a record start) until reaching
/// `target` or beyond, stepping over blank lines one byte at a time so that a
/// blank line ending exactly at `target` counts as reaching it.
fn scan_until(scanner: &Scanner, buf: &[u8], from: usize, target: usize) -> usize {
    let mut fields = Vec::new();
    let mut p = from;
    while p < target {
        if is_term(buf[p]) {
            p += 1;
            continue;
        }
        match scanner.next_record(buf, p, true, &mut fields) {
            Step::Record { end, .. } => p = end,
            _ => return buf.len(),
        }
    }
    p
}

/// Counts `\n` bytes in `buf`, to turn byte offsets into line numbers.
pub fn count_lines(buf: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', buf).count()
}
