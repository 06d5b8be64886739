//! Cells read as the evaluator needs them: trimmed, parsed as numbers (a word at a time for
//! the usual short ones), dates and booleans, and searched for short needles ignoring ASCII
//! case. Everything here runs once or more per lead, so each has a fast path for the usual
//! value and falls back to the general one for anything else.

use super::eval::{BadValue, Cell, Val};
use crate::ir::date::{parse_date, parse_day};
use crate::ir::{DateVal, Type};

/// Text of at most this many bytes is searched with [`Short`].
pub const SHORT: usize = 64;

/// Short ASCII text padded to [`SHORT`] bytes, so that every position can be compared 16 bytes
/// at a time without reading past the text.
pub struct Short {
    pad: [u8; SHORT],
    len: usize,
}

impl Short {
    /// `t`, of at most [`SHORT`] bytes.
    #[inline]
    pub fn new(t: &[u8]) -> Self {
        let mut pad = [0; SHORT];
        pad[..t.len()].copy_from_slice(t);
        Short { pad, len: t.len() }
    }

    /// Whether the text contains `needle` (folded, so lower-case) ignoring ASCII case. A needle
    /// beyond ASCII cannot occur in ASCII text. The positions holding the needle's first byte
    /// (in either case) are found 16 at a time; only those are compared further.
    #[inline]
    pub fn contains(&self, needle: &[u8]) -> bool {
        let Some((&first, rest)) = needle.split_first() else {
            return true;
        };
        if needle.len() > self.len {
            return false;
        }
        // Setting bit 5 folds exactly the two cases of a letter onto the lower one.
        let fold = if first.is_ascii_lowercase() { 0x20 } else { 0 };
        let mut at = self.positions(first, fold) & (u64::MAX >> (63 - (self.len - needle.len())));
        while at != 0 {
            let i = at.trailing_zeros() as usize;
            if self.pad[i + 1..i + needle.len()].eq_ignore_ascii_case(rest) {
                return true;
            }
            at &= at - 1;
        }
        false
    }

    /// Bit `i` set when `pad[i] | fold == b`.
    #[inline(always)]
    fn positions(&self, b: u8, fold: u8) -> u64 {
        #[cfg(target_arch = "x86_64")]
        {
            let mut m = 0u64;
            for k in 0..SHORT / 16 {
                // SAFETY: SSE2 is part of the x86_64 baseline; the load reads
                // `pad[16k..16k + 16]`, within the array.
                m |= unsafe {
                    use core::arch::x86_64::*;
                    let v = _mm_loadu_si128(self.pad.as_ptr().add(16 * k) as *const __m128i);
                    let v = _mm_or_si128(v, _mm_set1_epi8(fold as i8));
                    (_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u16 as u64)
                        << (16 * k)
                };
            }
            m
        }
        #[cfg(not(target_arch = "x86_64"))]
        (0..SHORT).fold(0, |m, i| m | (((self.pad[i] | fold) == b) as u64) << i)
    }
}

/// `str::trim`, with a fast path for the usual ASCII edges. `trim_ascii` keeps the vertical tab
/// (0x0B), which `str::trim` removes, so an edge byte of 0x0B takes the slow path too.
#[inline]
pub fn trim(s: &str) -> &str {
    // The usual value has printable ASCII at both ends: nothing to trim.
    let printable = |b: u8| b > b' ' && b < 0x7F;
    match s.as_bytes() {
        [a, .., b] if printable(*a) && printable(*b) => return s,
        [a] if printable(*a) => return s,
        _ => {}
    }
    let t = s.trim_ascii();
    // Unicode white space beyond ASCII's (vertical tab, NEL, no-break space...) is rare.
    let odd = |b: u8| b >= 0x80 || b == 0x0B;
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(&a), Some(&b)) if odd(a) || odd(b) => t.trim(),
        _ => t,
    }
}

/// Decodes a cell as a typed value: [`Val::Null`] for empty, [`Val::Bad`] when unusable.
/// Inlined into the load loop so that the value goes straight to its slot.
#[inline(always)]
pub(super) fn typed(ty: Type, cell: Cell<'_>) -> Val {
    match cell {
        Cell::Null => Val::Null,
        Cell::Nested => Val::Bad(BadValue::Nested),
        Cell::Num(n) => match ty {
            Type::Number => Val::Num(n),
            Type::Boolean if n == 1.0 => Val::Bool(true),
            Type::Boolean if n == 0.0 => Val::Bool(false),
            _ => Val::Bad(BadValue::Unparsed),
        },
        Cell::Bool(b) => match ty {
            Type::Boolean => Val::Bool(b),
            _ => Val::Bad(BadValue::Unparsed),
        },
        Cell::Str(s) => {
            // The usual value has nothing to trim, and its parse is tried first; one with
            // space around fails it and takes the general path.
            let quick = match ty {
                Type::Number => fast_decimal(s.as_bytes()).map(Decimal::val),
                Type::Date => parse_day(s.as_bytes()).map(Val::Day),
                Type::Boolean => parse_bool(s).map(Val::Bool),
                Type::Text => unreachable!("text is decoded lazily"),
            };
            if let Some(v) = quick {
                return v;
            }
            let t = trim(s);
            if t.is_empty() {
                return Val::Null;
            }
            match ty {
                // The fast reading already failed on `s`: only trimming can change its answer.
                Type::Number if t.len() < s.len() => parse_number(t),
                Type::Number => slow_number(t).unwrap_or_else(Val::Bad),
                Type::Date => match parse_date(t) {
                    Some(DateVal { secs: Some(t), .. }) => Val::Instant(t),
                    Some(d) => Val::Day(d.day),
                    None => Val::Bad(BadValue::Unparsed),
                },
                Type::Boolean => parse_bool(t).map_or(Val::Bad(BadValue::Unparsed), Val::Bool),
                Type::Text => unreachable!("text is decoded lazily"),
            }
        }
    }
}

/// [`typed`] for a number cell `s` whose first eight bytes are also at hand as the
/// little-endian word `w` (bytes past `s` may hold anything): the usual short number is read
/// from the word, without gathering its bytes into one.
#[inline(always)]
pub(super) fn typed_number_word(w: u64, s: &str) -> Val {
    let b = s.as_bytes();
    let neg = b.first() == Some(&b'-');
    let n = b.len() - neg as usize;
    if (1..=8 - neg as usize).contains(&n)
        && let Some((m, scale)) = word_decimal_of(w >> (8 * neg as u32), n)
    {
        return Decimal(m | (scale as u64) << 56 | (neg as u64) << 63).val();
    }
    typed(Type::Number, Cell::Str(s))
}

/// Reads a number cell: decimal notation with optional sign and exponent. `NaN` and `inf` are
/// not numbers; a value beyond the range of a 64-bit float is too large.
#[inline(always)]
fn parse_number(s: &str) -> Val {
    if let Some(d) = fast_decimal(s.as_bytes()) {
        return d.val();
    }
    slow_number(s).unwrap_or_else(Val::Bad)
}

/// Numbers off the fast path: exponents, long mantissas, odd shapes, words.
#[inline(never)]
fn slow_number(s: &str) -> Result<Val, BadValue> {
    let b = s.as_bytes();
    let ok_start = b[0].is_ascii_digit() || matches!(b[0], b'-' | b'+' | b'.');
    if !ok_start
        || b.iter()
            .any(|c| c.is_ascii_alphabetic() && !matches!(c, b'e' | b'E'))
    {
        return Err(BadValue::Unparsed);
    }
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Val::Num(x)),
        Ok(_) => Err(BadValue::TooLarge),
        Err(_) => Err(BadValue::Unparsed),
    }
}

/// `fast_decimal`'s mark for a number without a decimal point.
const NO_DOT: usize = usize::MAX;

/// Powers of ten that a double holds exactly.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `-?digits(.digits)?` with at most 15 digits in all, the shape of nearly every CRM number.
/// The digits form an integer below 2^53 and the scale a power of ten below 10^16, both exact
/// in a double, so one division gives the correctly rounded value (Clinger's fast path): the
/// same double the general parser returns.
#[inline(always)]
fn fast_decimal(b: &[u8]) -> Option<Decimal> {
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let (m, scale) = match b.len() {
        1..=8 => word_decimal(b)?,
        9..=16 => loop_decimal(b)?,
        _ => return None,
    };
    Some(Decimal(m | (scale as u64) << 56 | (neg as u64) << 63))
}

/// A word with every one of its eight bytes set to `b`.
const fn splat(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// `fast_decimal`'s digits and point (1 to 8 bytes) read as one word, without a branch per
/// digit: mantissa and scale.
#[inline(always)]
fn word_decimal(b: &[u8]) -> Option<(u64, usize)> {
    word_decimal_of(load_le(b), b.len())
}

/// [`word_decimal`] of the `n` (1 to 8) bytes in the low end of `w`; the bytes above them
/// may hold anything.
#[inline(always)]
fn word_decimal_of(w: u64, n: usize) -> Option<(u64, usize)> {
    let mut valid = u64::MAX >> (64 - 8 * n);
    let mut w = w & valid;
    // Bytes equal to `.`: exact per byte, no carry between bytes.
    let t = w ^ splat(b'.');
    let dots = !((t & splat(0x7F)).wrapping_add(splat(0x7F)) | t) & valid & splat(0x80);
    let mut scale = 0;
    if dots != 0 {
        let k = dots.trailing_zeros() as usize / 8;
        // `5.` and `.5` are left to the general parser, which has its own view of them.
        if dots.count_ones() > 1 || k == 0 || k == n - 1 {
            return None;
        }
        // The integer digits move up a byte over the point, leaving byte 0 empty.
        let below = (1u64 << (8 * k)) - 1;
        w = (w & below) << 8 | (w & !(below << 8 | 0xFF));
        valid &= !0xFF;
        scale = n - 1 - k;
    }
    let x = w.wrapping_sub(splat(b'0') & valid);
    // A byte below `0` borrows (its top bit is then set); one above `9` sets its top bit once
    // 0x76 is added. Either way the number is refused, so a borrow into the next byte is moot.
    if (x | x.wrapping_add(splat(0x76))) & valid & splat(0x80) != 0 {
        return None;
    }
    // Digits right-aligned, the first one lowest, empty bytes below as leading zeros; then
    // pairs, quads and the two halves combined (the usual eight-digit multiplications).
    let x = x << (8 * (8 - n));
    let x = (x & splat(0x0F)).wrapping_mul(10 << 8 | 1) >> 8;
    let x = (x & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 << 16 | 1) >> 16;
    let x = (x & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 << 32 | 1) >> 32;
    Some((x, scale))
}

/// The 1 to 8 bytes of `b` as a little-endian word, zero above: two overlapping loads, so no
/// copy of a varying length.
#[inline(always)]
fn load_le(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64;
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]) as u64;
        lo | hi << (8 * (n - 4))
    } else {
        b[0] as u64 | (b[n / 2] as u64) << (8 * (n / 2)) | (b[n - 1] as u64) << (8 * (n - 1))
    }
}

/// `fast_decimal`'s digits and point, a byte at a time: for the longer numbers.
fn loop_decimal(b: &[u8]) -> Option<(u64, usize)> {
    let mut m = 0u64;
    let mut dot = NO_DOT;
    for (i, &c) in b.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            m = m * 10 + d as u64;
        } else if c == b'.' && dot == NO_DOT {
            dot = i;
        } else {
            return None;
        }
    }
    let (digits, scale) = match dot {
        NO_DOT => (b.len(), 0),
        _ => (b.len() - 1, b.len() - 1 - dot),
    };
    if b.is_empty() || digits > 15 || (dot != NO_DOT && (scale == 0 || dot == 0)) {
        return None;
    }
    Some((m, scale))
}

/// A decimal as `fast_decimal` read it: the mantissa (below 2^53) in the low 56 bits, the
/// scale (digits after the point) above it, the sign in the top bit. The division that makes
/// it a double is the slowest step of reading a number, and most values with a fraction are
/// never compared (their rule is decided before it reads them), so it waits for first use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Decimal(u64);

impl Decimal {
    /// The value, correctly rounded: the mantissa and the power of ten are exact doubles, so
    /// one division rounds once (Clinger's fast path).
    #[inline]
    pub(super) fn value(self) -> f64 {
        let m = (self.0 & ((1 << 56) - 1)) as f64;
        let scale = (self.0 >> 56 & 0x7F) as usize;
        let x = if scale == 0 { m } else { m / POW10[scale] };
        if self.0 >> 63 == 1 { -x } else { x }
    }

    /// As a lead's value: a number when it has no fraction (no division needed), else
    /// kept undivided.
    #[inline]
    fn val(self) -> Val {
        if self.0 >> 56 & 0x7F == 0 {
            Val::Num(self.value())
        } else {
            Val::Dec(self)
        }
    }
}

/// true/false, yes/no, 1/0, without case.
#[inline]
fn parse_bool(s: &str) -> Option<bool> {
    let b = s.as_bytes();
    let is = |w: &[u8]| b.len() == w.len() && b.eq_ignore_ascii_case(w);
    match b.first().map(u8::to_ascii_lowercase) {
        Some(b't') if is(b"true") => Some(true),
        Some(b'y') if is(b"yes") => Some(true),
        Some(b'1') if b.len() == 1 => Some(true),
        Some(b'f') if is(b"false") => Some(false),
        Some(b'n') if is(b"no") => Some(false),
        Some(b'0') if b.len() == 1 => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "\u{b}x",
            "x\u{b}",
            " \u{b} x \u{a0}",
            "\u{3000}x",
            "x",
            "",
            "\u{b}",
        ] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn fast_decimals_equal_the_general_parser() {
        for s in [
            "0",
            "-0",
            "7",
            "40.5",
            "-3.25",
            "0.1",
            "123456789012345",
            "99999.9999",
            "16.5",
            "0.00000000000001",
            "3.14159265358979",
        ] {
            let got = fast_decimal(s.as_bytes()).map(Decimal::value);
            assert_eq!(
                got.map(f64::to_bits),
                Some(s.parse::<f64>().unwrap().to_bits()),
                "{s}"
            );
        }
        // Declined: left to the general parser (16 digits, exponents, odd shapes).
        for s in [
            "",
            "-",
            ".",
            "5.",
            ".5",
            "1e5",
            "1,000",
            "1234567890123456",
            "1.000000000000001",
            "--1",
            "1.2.3",
        ] {
            assert_eq!(fast_decimal(s.as_bytes()), None, "{s}");
        }
    }

    /// The word-at-a-time reading against the byte loop, over every string of up to 8 bytes
    /// from an alphabet of digits, points, signs and letters.
    #[test]
    fn word_decimals_equal_the_byte_loop() {
        let alphabet = b"0179.-a/:";
        let mut s = Vec::new();
        for n in 1..=6usize {
            for mut k in 0..alphabet.len().pow(n as u32) {
                s.clear();
                for _ in 0..n {
                    s.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                assert_eq!(
                    word_decimal(&s),
                    loop_decimal(&s),
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
        // Seven and eight bytes: a sample, drawn with a fixed linear congruential generator.
        let mut r = 0x2545_F491_4F6C_DD1Du64;
        for n in [7, 8] {
            for _ in 0..200_000 {
                s.clear();
                for _ in 0..n {
                    r = r.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    // Mostly digits, so that long valid numbers are common.
                    let i = (r >> 33) as usize % (alphabet.len() + 12);
                    s.push(if i < alphabet.len() {
                        alphabet[i]
                    } else {
                        b'0' + (i % 10) as u8
                    });
                }
                assert_eq!(
                    word_decimal(&s),
                    loop_decimal(&s),
                    "{:?}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
        for t in [
            "12345678", "99999999", "1234.567", "0.000001", "9999999.", "1.2.3.45",
        ] {
            assert_eq!(
                word_decimal(t.as_bytes()),
                loop_decimal(t.as_bytes()),
                "{t}"
            );
        }
    }

    /// Numbers read from a word with arbitrary bytes past the text give what the plain reading
    /// gives, signs and failures included.
    #[test]
    fn numbers_from_a_word_equal_the_plain_reading() {
        let same = |a: Val, b: Val| format!("{a:?}") == format!("{b:?}");
        let texts = [
            "0",
            "7",
            "42",
            "-3",
            "16.5",
            "-0.25",
            "1234",
            "12345678",
            "-1234567",
            "9999.999",
            "1.2.3",
            "5.",
            ".5",
            "1e3",
            "abc",
            "-",
            "--1",
            " 12",
            "12 ",
            "",
            "123456789",
            "-12345678",
            "00012",
            "3.14159",
        ];
        for t in texts {
            for junk in [0u8, b'9', b'.', 0xFF, b' '] {
                let mut bytes = [junk; 8];
                let n = t.len().min(8);
                bytes[..n].copy_from_slice(&t.as_bytes()[..n]);
                let got = typed_number_word(u64::from_le_bytes(bytes), t);
                let want = typed(Type::Number, Cell::Str(t));
                assert!(same(got, want), "{t:?} with {junk:#x}: {got:?} vs {want:?}");
            }
        }
    }

    /// `Short::contains` against a plain search, over texts and needles from a small alphabet
    /// with both cases, at every length up to the limit.
    #[test]
    fn short_contains_is_a_plain_search() {
        let plain = |hay: &[u8], needle: &[u8]| {
            needle.is_empty()
                || hay
                    .windows(needle.len())
                    .any(|w| w.eq_ignore_ascii_case(needle))
        };
        let alphabet = b"aAbB1[{ -";
        let mut r = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            r = r.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (r >> 33) as usize % n
        };
        for len in 0..=SHORT {
            for _ in 0..200 {
                let hay: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
                let n = next(4);
                let needle: Vec<u8> = (0..n)
                    .map(|_| alphabet[next(alphabet.len())].to_ascii_lowercase())
                    .collect();
                assert_eq!(
                    Short::new(&hay).contains(&needle),
                    plain(&hay, &needle),
                    "{:?} in {:?}",
                    String::from_utf8_lossy(&needle),
                    String::from_utf8_lossy(&hay)
                );
            }
        }
    }

    #[test]
    fn booleans() {
        for (s, v) in [
            ("TRUE", Some(true)),
            ("Yes", Some(true)),
            ("1", Some(true)),
            ("no", Some(false)),
            ("False", Some(false)),
            ("0", Some(false)),
            ("y", None),
            ("10", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(s), v, "{s}");
        }
    }
}
