//! Input formats: CSV (any delimiter), a JSON array of objects, JSON Lines; and the leads they
//! hold, seen through the [`Lead`] trait.

use super::eval::{Cell, Lead};
use super::lanes::Leads;
use super::scan::{self, Fields};
use serde_json::{Map, Value};

/// How leads are written in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// A header row, then one lead per record.
    Csv,
    /// `[ {...}, {...} ]`
    Json,
    /// One object per line.
    JsonLines,
}

impl InputFormat {
    /// Chosen by the file's extension (`.json`, `.jsonl`/`.ndjson`, else CSV).
    pub fn for_path(path: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            InputFormat::JsonLines
        } else if lower.ends_with(".json") {
            InputFormat::Json
        } else {
            InputFormat::Csv
        }
    }
}

/// Refuses input that is plainly not UTF-8 text: a UTF-16 or UTF-32 byte-order mark, or NUL
/// bytes in every other position of the first line (UTF-16 without a mark).
pub fn refuse_encoding(head: &[u8]) -> Option<String> {
    let utf16 = "the input is UTF-16 text; revc reads UTF-8: convert it first, e.g. \
                 `iconv -f UTF-16 -t UTF-8 leads.csv > leads-utf8.csv`";
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Some(utf16.into());
    }
    let probe = &head[..head.len().min(64)];
    let nuls = probe.iter().filter(|&&b| b == 0).count();
    if probe.len() >= 8 && nuls * 3 >= probe.len() {
        return Some(utf16.into());
    }
    None
}

/// A CSV record whose bytes are known to be UTF-8: its buffer, its fields' positions, and a
/// scratch buffer for unescaping.
pub struct CsvLead<'a> {
    buf: &'a [u8],
    fields: &'a Fields,
    scratch: &'a mut Vec<u8>,
    ascii: bool,
}

impl<'a> CsvLead<'a> {
    /// A lead over `record` (the record's own bytes, terminator included) if they are UTF-8;
    /// else the offset in `record` of the first byte that is not. `fields` point into `buf`,
    /// within `record`. `non_ascii` false says that the record is all ASCII (the scanner
    /// knows), which spares the check.
    pub fn new(
        buf: &'a [u8],
        record: std::ops::Range<usize>,
        non_ascii: bool,
        fields: &'a Fields,
        scratch: &'a mut Vec<u8>,
    ) -> Result<Self, usize> {
        if non_ascii {
            check_utf8(&buf[record])?;
        }
        Ok(CsvLead {
            buf,
            fields,
            scratch,
            ascii: !non_ascii,
        })
    }
}

/// The CSV records of a batch, each one checked as [`CsvLead::new`] checks a record.
pub struct CsvLeads<'a> {
    /// The buffer the records are in.
    pub buf: &'a [u8],
    /// Each lane's fields, pointing into `buf`.
    pub fields: &'a [Fields],
    /// Bit `i` set when the record in lane `i` is all ASCII.
    pub ascii: u64,
    /// Scratch for unescaping, shared: one cell is read at a time.
    pub scratch: &'a mut Vec<u8>,
}

impl Leads for CsvLeads<'_> {
    const CAN_NEST: bool = false;

    type One<'s>
        = CsvLead<'s>
    where
        Self: 's;

    #[inline(always)]
    fn lane(&mut self, lane: usize) -> CsvLead<'_> {
        CsvLead {
            buf: self.buf,
            fields: &self.fields[lane],
            scratch: self.scratch,
            ascii: self.ascii >> lane & 1 == 1,
        }
    }
}

impl Lead for CsvLead<'_> {
    const CAN_NEST: bool = false;

    #[inline(always)]
    fn all_ascii(&self) -> bool {
        self.ascii
    }

    #[inline(always)]
    fn cell(&mut self, col: usize) -> Cell<'_> {
        let Some(f) = self.fields.get(self.buf, col) else {
            return Cell::Null;
        };
        let bytes = scan::field_bytes(self.buf, f, self.scratch);
        // SAFETY: `new` checked that the whole record is UTF-8. A field starts and ends at a
        // delimiter, quote or line break (all ASCII, so never inside a multi-byte character),
        // and unescaping only removes ASCII quote bytes; the field's bytes are therefore UTF-8.
        Cell::Str(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    #[inline(always)]
    fn short_cell(&mut self, col: usize) -> Option<(u64, &str)> {
        let f = self.fields.get(self.buf, col)?;
        let word = self.buf.get(f.start..f.start + 8)?;
        if f.needs_unescape || f.end - f.start > 8 {
            return None;
        }
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        // SAFETY: as in `cell`: the field's bytes are UTF-8.
        Some((w, unsafe {
            std::str::from_utf8_unchecked(&self.buf[f.start..f.end])
        }))
    }
}

/// Checks that `b` is UTF-8; else gives the offset of the first byte that is not. Only the
/// span from the first byte beyond ASCII to the last is decoded: in a lead record that is a
/// name or two, and the rest is found to be ASCII 16 bytes at a time.
pub fn check_utf8(b: &[u8]) -> Result<(), usize> {
    let lo = first_high(b);
    if lo == b.len() {
        return Ok(());
    }
    // The byte after the last one beyond ASCII is ASCII (or the end): a character boundary.
    let hi = last_high(b) + 1;
    std::str::from_utf8(&b[lo..hi]).map_or_else(|e| Err(lo + e.valid_up_to()), |_| Ok(()))
}

/// The index of the first byte beyond ASCII, or `b.len()`.
#[inline]
fn first_high(b: &[u8]) -> usize {
    let mut i = 0;
    while i + 16 <= b.len() {
        let m = high_bits(&b[i..i + 16]);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    i + b[i..]
        .iter()
        .position(|&c| c >= 0x80)
        .unwrap_or(b.len() - i)
}

/// The index of the last byte beyond ASCII; `b` holds one.
#[inline]
fn last_high(b: &[u8]) -> usize {
    let mut end = b.len();
    while end >= 16 {
        let m = high_bits(&b[end - 16..end]);
        if m != 0 {
            return end - 16 + (31 - m.leading_zeros()) as usize;
        }
        end -= 16;
    }
    b[..end]
        .iter()
        .rposition(|&c| c >= 0x80)
        .expect("a byte beyond ASCII")
}

/// Bit `i` set when `b[i]` (of 16) is beyond ASCII; the low 16 bits of the result.
#[inline(always)]
fn high_bits(b: &[u8]) -> u32 {
    debug_assert_eq!(b.len(), 16);
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86_64 baseline; the load reads the 16 bytes of `b`.
        unsafe {
            use core::arch::x86_64::*;
            _mm_movemask_epi8(_mm_loadu_si128(b.as_ptr() as *const __m128i)) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    b.iter()
        .enumerate()
        .fold(0, |m, (i, &c)| m | ((c >> 7) as u32) << i)
}

/// A JSON object seen by column: `cols[i]` is the value of header column `i`.
pub struct JsonLead<'a> {
    /// Values by column.
    pub cols: &'a [Option<&'a Value>],
}

impl Lead for JsonLead<'_> {
    fn cell(&mut self, col: usize) -> Cell<'_> {
        match self.cols.get(col).copied().flatten() {
            None | Some(Value::Null) => Cell::Null,
            Some(Value::String(s)) => Cell::Str(s),
            Some(Value::Number(n)) => n.as_f64().map_or(Cell::Null, Cell::Num),
            Some(Value::Bool(b)) => Cell::Bool(*b),
            Some(Value::Array(_) | Value::Object(_)) => Cell::Nested,
        }
    }
}

/// Lines up an object's values with the header's columns. Objects usually list their keys in
/// the header's order, so keys are compared in place before any lookup by name.
pub fn json_columns<'a>(
    obj: &'a Map<String, Value>,
    header: &[String],
    out: &mut Vec<Option<&'a Value>>,
) {
    out.clear();
    out.resize(header.len(), None);
    let mut in_order = obj.len() == header.len();
    if in_order {
        for (i, (k, v)) in obj.iter().enumerate() {
            if *k != header[i] {
                in_order = false;
                break;
            }
            out[i] = Some(v);
        }
    }
    if !in_order {
        for (i, h) in header.iter().enumerate() {
            out[i] = obj.get(h);
        }
    }
}

/// The text of a JSON value as an output cell.
pub fn json_text(v: Option<&Value>) -> std::borrow::Cow<'_, str> {
    match v {
        None | Some(Value::Null) => "".into(),
        Some(Value::String(s)) => s.as_str().into(),
        Some(other) => other.to_string().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::check_utf8;

    /// The span check against the standard library's, with every kind of bad byte at every
    /// position of records of every length around the 16-byte steps.
    #[test]
    fn check_utf8_is_std() {
        let chars = ["é", "€", "😀", "a"];
        let bad: [&[u8]; 5] = [b"\xff", b"\xc3", b"\xe2\x82", b"\x80", b"\xed\xa0\x80"];
        for len in 0..50 {
            for (k, c) in chars.iter().enumerate() {
                for at in 0..=len {
                    let mut s: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                    s.splice(at..at, c.bytes());
                    // A second character further on, so that the span has two ends.
                    if k % 2 == 0 {
                        s.extend_from_slice("ü,x".as_bytes());
                    }
                    let want = std::str::from_utf8(&s)
                        .map(|_| ())
                        .map_err(|e| e.valid_up_to());
                    assert_eq!(check_utf8(&s), want, "{s:?}");
                    for b in bad {
                        let mut t = s.clone();
                        t.splice(at..at, b.iter().copied());
                        let want = std::str::from_utf8(&t)
                            .map(|_| ())
                            .map_err(|e| e.valid_up_to());
                        assert_eq!(check_utf8(&t), want, "{t:?}");
                    }
                }
            }
        }
    }
}
