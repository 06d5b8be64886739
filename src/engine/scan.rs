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

use memchr::memchr;

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
        fields.clear();
        let buf = self.buf;
        let len = buf.len();
        let at_eof = self.at_eof;
        // A local copy keeps the masks in registers; it is stored back with the record.
        let mut sp = self.sp;
        let sp = &mut sp;
        // Structural bytes before `pos` were consumed with the last record.
        let mut p = self.pos;
        // Committed only with a record, so that a spent cursor's count ends at `pos`.
        let mut lines = self.lines;
        // The csv crate discards terminators between records, so blank lines
        // (and the `\n` of a `\r\n` split across calls) never form records.
        while p < len && is_term(buf[p]) {
            sp.next();
            lines += (buf[p] == b'\n') as u64;
            p += 1;
        }
        if p >= len {
            return if at_eof { Step::Eof } else { Step::NeedMore };
        }
        self.start_lines = lines;
        sp.begin(p);
        let start = p;
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
                sp.next();
                quoted = true;
                content = fs + 1;
                loop {
                    let Some(j) = sp.next() else {
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
                        sp.next();
                    } else if c == d {
                        sp.next();
                        fields.push(FieldPos {
                            start: content,
                            end: j,
                            quoted,
                            needs_unescape: needs,
                        });
                        fs = j + 2;
                        continue 'field;
                    } else if is_term(c) {
                        sp.next();
                        fields.push(FieldPos {
                            start: content,
                            end: j,
                            quoted,
                            needs_unescape: needs,
                        });
                        break 'field (finish(sp, buf, j + 1, &mut lines), false);
                    } else {
                        // csv-core drops the closing quote and carries on as
                        // an unquoted field, where quotes are literal.
                        needs = true;
                        break;
                    }
                }
            }
            loop {
                let Some(j) = sp.next() else {
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
                    break 'field (finish(sp, buf, j, &mut lines), false);
                }
            }
        };
        self.hi = sp.hi_through(end);
        self.sp = *sp;
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
#[inline]
fn finish(sp: &mut Specials, buf: &[u8], t: usize, lines: &mut u64) -> usize {
    if buf[t] == b'\n' {
        *lines += 1;
        t + 1
    } else if buf.get(t + 1) == Some(&b'\n') {
        sp.next();
        *lines += 1;
        t + 2
    } else {
        t + 1
    }
}

/// Iterates the offsets of structural bytes from a starting point, a 64-byte
/// block at a time, so short fields cost a bit scan rather than a memchr
/// call setup each. It also keeps the block's bytes beyond ASCII, to tell
/// whether one record holds any.
#[derive(Clone, Copy)]
struct Specials<'a> {
    buf: &'a [u8],
    base: usize,
    mask: u64,
    delim: u8,
    /// Bytes beyond ASCII in the current block.
    hi_mask: u64,
    /// Where the record being scanned starts.
    from: usize,
    /// A byte beyond ASCII was seen in a block before the current one, at or after `from`.
    hi: bool,
}

impl<'a> Specials<'a> {
    #[inline(always)]
    fn new(buf: &'a [u8], from: usize, delim: u8) -> Self {
        let (mask, hi_mask) = block_mask(buf, from, delim);
        Specials {
            buf,
            base: from,
            mask,
            delim,
            hi_mask,
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
            0 => self.hi_mask,
            k if k < 64 => self.hi_mask >> k,
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
        self.hi_mask & below & (!0u64 << lo) != 0
    }

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.base + 64 >= self.buf.len() {
                return None;
            }
            self.hi |= self.hi_since_from() != 0;
            self.base += 64;
            let (mask, hi_mask) = block_mask(self.buf, self.base, self.delim);
            self.mask = mask;
            self.hi_mask = hi_mask;
        }
        let i = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + i)
    }
}

/// Bit `i` is set when `buf[at + i]` is a delimiter, quote, `\r` or `\n`;
/// and in the second mask, when it is beyond ASCII.
#[inline(always)]
fn block_mask(buf: &[u8], at: usize, delim: u8) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    if at + 64 <= buf.len() {
        // SAFETY: SSE2 is part of the x86_64 baseline, and the four 16-byte
        // unaligned loads stay within `buf[at..at + 64]`, checked above.
        unsafe {
            use core::arch::x86_64::*;
            let p = buf.as_ptr().add(at);
            let vd = _mm_set1_epi8(delim as i8);
            let vq = _mm_set1_epi8(QUOTE as i8);
            let vn = _mm_set1_epi8(b'\n' as i8);
            let vr = _mm_set1_epi8(b'\r' as i8);
            let mut m = 0u64;
            let mut high = 0u64;
            for k in 0..4 {
                let v = _mm_loadu_si128(p.add(16 * k) as *const __m128i);
                high |= (_mm_movemask_epi8(v) as u32 as u64) << (16 * k);
                let a = _mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vq));
                let b = _mm_or_si128(_mm_cmpeq_epi8(v, vn), _mm_cmpeq_epi8(v, vr));
                let bits = _mm_movemask_epi8(_mm_or_si128(a, b)) as u32 as u64;
                m |= bits << (16 * k);
            }
            return (m, high);
        }
    }
    let end = (at + 64).min(buf.len());
    let mut m = 0u64;
    let mut hi = 0u64;
    for (i, &b) in buf[at.min(end)..end].iter().enumerate() {
        hi |= ((b >= 0x80) as u64) << i;
        if b == delim || b == QUOTE || is_term(b) {
            m |= 1 << i;
        }
    }
    (m, hi)
}

/// Returns the decoded bytes of a field: borrowed from `buf` when no
/// unescaping is needed, else decoded into `scratch` (cleared first).
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
