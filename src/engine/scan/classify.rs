//! Block classification: the structural bytes of 64 bytes of input as bit masks, computed with
//! the widest vector instructions the CPU has (SSE2, AVX2 or AVX-512BW, chosen at run time),
//! and the bit arithmetic that splits a well-formed record on them.

use super::{QUOTE, Specials, finish, is_term};

/// How far ahead of the block being classified the next bytes are asked for. The hardware's
/// stream prefetcher stops at each 4 KiB page, and a memory-mapped file's pages lie anywhere
/// in physical memory, so without a hint every page starts with a miss all the way to DRAM.
pub(super) const PREFETCH_AHEAD: usize = 2048;

/// Asks for the cache line at `buf[at]` (if within `buf`) to be loaded: a hint, never a fault.
#[inline(always)]
pub(super) fn prefetch(buf: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if at < buf.len() {
        // SAFETY: a prefetch of an address inside `buf`; prefetches never fault anyway.
        unsafe {
            use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(buf.as_ptr().add(at) as *const i8);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (buf, at);
}

/// One 64-byte block classified: bit `i` stands for `buf[at + i]`.
#[derive(Clone, Copy, Default)]
pub(super) struct Masks {
    /// Delimiters, quotes, `\r` and `\n`.
    pub(super) any: u64,
    /// Quotes.
    pub(super) quote: u64,
    /// `\r` and `\n`.
    pub(super) term: u64,
    /// `\n`.
    pub(super) nl: u64,
    /// Bytes beyond ASCII.
    pub(super) hi: u64,
}

/// The vector instructions the CPU offers for classifying blocks, found once per cursor
/// (the standard library caches the CPU's answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Isa {
    /// SSE2 on x86_64 (its baseline), a byte loop elsewhere.
    Baseline,
    /// 32-byte vectors.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// 64-byte vectors compared straight into bit masks.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    pub(super) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            let all = |f: &[bool]| f.iter().all(|&b| b);
            let common = [
                std::arch::is_x86_feature_detected!("bmi1"),
                std::arch::is_x86_feature_detected!("bmi2"),
                std::arch::is_x86_feature_detected!("popcnt"),
                std::arch::is_x86_feature_detected!("lzcnt"),
            ];
            if all(&common)
                && std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
            {
                return Isa::Avx512;
            }
            if all(&common) && std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    }
}

/// Classifies the 64 bytes from `at` (fewer at the end of the buffer: missing bytes have no
/// bits). Every implementation gives the same masks; they differ in vector width.
pub(super) trait Classify {
    /// The masks of the block at `at`.
    fn masks(buf: &[u8], at: usize, delim: u8) -> Masks;
}

/// SSE2 (x86_64's baseline) or a byte loop.
pub(super) struct Baseline;

impl Classify for Baseline {
    #[inline(always)]
    fn masks(buf: &[u8], at: usize, delim: u8) -> Masks {
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
                let mut m = Masks::default();
                for k in 0..4 {
                    let v = _mm_loadu_si128(p.add(16 * k) as *const __m128i);
                    let bits = |x: __m128i| (_mm_movemask_epi8(x) as u32 as u64) << (16 * k);
                    let q = _mm_cmpeq_epi8(v, vq);
                    let n = _mm_cmpeq_epi8(v, vn);
                    let r = _mm_cmpeq_epi8(v, vr);
                    let d = _mm_cmpeq_epi8(v, vd);
                    m.hi |= bits(v);
                    m.quote |= bits(q);
                    m.nl |= bits(n);
                    m.term |= bits(_mm_or_si128(n, r));
                    m.any |= bits(_mm_or_si128(_mm_or_si128(d, q), _mm_or_si128(n, r)));
                }
                return m;
            }
        }
        masks_bytewise(buf, at, delim)
    }
}

/// The masks of a block a byte at a time: the end of a buffer, and CPUs without SSE2.
pub(super) fn masks_bytewise(buf: &[u8], at: usize, delim: u8) -> Masks {
    let end = (at + 64).min(buf.len());
    let mut m = Masks::default();
    for (i, &b) in buf[at.min(end)..end].iter().enumerate() {
        let bit = 1u64 << i;
        if b >= 0x80 {
            m.hi |= bit;
        }
        if b == QUOTE {
            m.quote |= bit;
        }
        if b == b'\n' {
            m.nl |= bit;
        }
        if is_term(b) {
            m.term |= bit;
        }
        if b == delim || b == QUOTE || is_term(b) {
            m.any |= bit;
        }
    }
    m
}

/// AVX2: two 32-byte vectors a block.
#[cfg(target_arch = "x86_64")]
pub(super) struct Avx2;

#[cfg(target_arch = "x86_64")]
impl Classify for Avx2 {
    #[inline(always)]
    fn masks(buf: &[u8], at: usize, delim: u8) -> Masks {
        if at + 64 <= buf.len() {
            // SAFETY: only reached from `Cursor::record_avx2`, compiled for AVX2 and called
            // once `Isa::detect` found it; the loads stay within `buf[at..at + 64]`.
            unsafe { avx2_masks(buf.as_ptr().add(at), delim) }
        } else {
            masks_bytewise(buf, at, delim)
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn avx2_masks(p: *const u8, delim: u8) -> Masks {
    use core::arch::x86_64::*;
    let vd = _mm256_set1_epi8(delim as i8);
    let vq = _mm256_set1_epi8(QUOTE as i8);
    let vn = _mm256_set1_epi8(b'\n' as i8);
    let vr = _mm256_set1_epi8(b'\r' as i8);
    let mut m = Masks::default();
    for k in 0..2 {
        // SAFETY: the caller vouches for 64 readable bytes at `p`.
        let v = unsafe { _mm256_loadu_si256(p.add(32 * k) as *const __m256i) };
        let bits = |x: __m256i| (_mm256_movemask_epi8(x) as u32 as u64) << (32 * k);
        let q = _mm256_cmpeq_epi8(v, vq);
        let n = _mm256_cmpeq_epi8(v, vn);
        let r = _mm256_cmpeq_epi8(v, vr);
        let d = _mm256_cmpeq_epi8(v, vd);
        m.hi |= bits(v);
        m.quote |= bits(q);
        m.nl |= bits(n);
        m.term |= bits(_mm256_or_si256(n, r));
        m.any |= bits(_mm256_or_si256(
            _mm256_or_si256(d, q),
            _mm256_or_si256(n, r),
        ));
    }
    m
}

/// AVX-512BW: one 64-byte vector a block, compared straight into masks.
#[cfg(target_arch = "x86_64")]
pub(super) struct Avx512;

#[cfg(target_arch = "x86_64")]
impl Classify for Avx512 {
    #[inline(always)]
    fn masks(buf: &[u8], at: usize, delim: u8) -> Masks {
        if at + 64 <= buf.len() {
            // SAFETY: only reached from `Cursor::record_avx512`, compiled for AVX-512BW and
            // called once `Isa::detect` found it; the load stays within `buf[at..at + 64]`.
            unsafe { avx512_masks(buf.as_ptr().add(at), delim) }
        } else {
            masks_bytewise(buf, at, delim)
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw")]
#[inline]
unsafe fn avx512_masks(p: *const u8, delim: u8) -> Masks {
    use core::arch::x86_64::*;
    // SAFETY: the caller vouches for 64 readable bytes at `p`.
    let v = unsafe { _mm512_loadu_si512(p as *const _) };
    let q = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(QUOTE as i8));
    let n = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\n' as i8));
    let r = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b'\r' as i8));
    let d = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(delim as i8));
    Masks {
        any: d | q | n | r,
        quote: q,
        term: n | r,
        nl: n,
        hi: _mm512_movepi8_mask(v),
    }
}

/// Bit `i` is the parity of the set bits at or below `i`: for a quote mask,
/// whether byte `i` lies after an opening quote not yet closed.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Scans the record that starts at `start` a block at a time, with bit
/// arithmetic instead of a visit to each structural byte, when the record is
/// well-formed: every quote opens a field, closes one just before a delimiter
/// or line break, or doubles a quote inside one. Then the quotes' running
/// parity tells which delimiters and line breaks are inside quoted fields.
/// Gives the record's end, with its fields pushed and `sp` and `lines` moved
/// past it as the exact scan would leave them; `None` (with `fields`, `sp` and
/// `lines` in any state) when the record has a stray quote or may run to the
/// end of the buffer, which the exact scan then judges.
#[inline(always)]
pub(super) fn fast_record<C: Classify>(
    sp: &mut Specials,
    buf: &[u8],
    start: usize,
    lines: &mut u64,
    seps: &mut Vec<u32>,
    doubled: &mut bool,
) -> Option<usize> {
    // Offsets from the record's start must fit in 32 bits: a record that reaches this block
    // is left to the exact scan.
    let last_block = start.saturating_add(u32::MAX as usize - 64);
    while start >= sp.base + 64 {
        if !sp.advance::<C>() {
            return None;
        }
    }
    // Field starts and closing quotes carried over a block boundary, and the
    // quote parity at the end of the last block.
    let mut starts_in = 1u64 << (start - sp.base);
    let mut close_in = 0u64;
    let mut inside = 0u64;
    loop {
        let rem = sp.mask;
        let q = rem & sp.block.quote;
        let (sep, t, lim, inq, close);
        if q | inside | close_in == 0 {
            // No quote in sight: every structural byte is a delimiter or a terminator.
            t = rem & sp.block.term;
            lim = if t == 0 { !0 } else { t ^ (t - 1) };
            (sep, inq, close) = (rem & lim, 0, 0);
        } else {
            inq = prefix_xor(q) ^ inside;
            let outside = rem & !q & !inq;
            t = outside & sp.block.term;
            // Everything up to and including the record's terminator.
            lim = if t == 0 { !0 } else { t ^ (t - 1) };
            sep = outside & lim;
            let q = q & lim;
            let open = q & inq;
            close = q & !inq;
            let starts = (sep << 1) | starts_in;
            let follows = (sep | open) >> 1 | 1 << 63;
            if open & !(starts | close << 1 | close_in) != 0
                || close & !follows != 0
                || close_in & !(sep | open) != 0
            {
                return None;
            }
            // A quote that opens right after one closes is the second of a doubled pair.
            *doubled |= open & (close << 1 | close_in) != 0;
        }
        if sp.base > last_block {
            return None;
        }
        push_offsets(seps, sep, sp.base.wrapping_sub(start) as u32);
        if t != 0 {
            let tb = t & t.wrapping_neg();
            *lines += (sp.block.nl & rem & lim & !tb).count_ones() as u64;
            sp.mask = rem & !lim;
            let e = sp.base + tb.trailing_zeros() as usize;
            return Some(finish::<C>(sp, buf, e, lines));
        }
        *lines += (sp.block.nl & rem).count_ones() as u64;
        inside = 0u64.wrapping_sub(inq >> 63);
        starts_in = sep >> 63;
        close_in = close >> 63;
        if !sp.advance::<C>() {
            return None;
        }
    }
}

/// Appends the offsets of `bits` (bit `i` is at `base + i`, wrapping) to `out`,
/// eight at a time without a branch per bit: a block holds a few fields, and
/// a loop that exits after a varying count is mispredicted at every block.
#[inline(always)]
fn push_offsets(out: &mut Vec<u32>, bits: u64, base: u32) {
    let n = bits.count_ones() as usize;
    let len = out.len();
    out.reserve(n + 8);
    let p = out.as_mut_ptr();
    let mut s = bits;
    let mut i = 0;
    // The first eight are written whatever `n` (the room is there): most blocks hold fewer,
    // and a loop test before them would be mispredicted on every block that holds none.
    loop {
        for k in 0..8 {
            // SAFETY: `reserve` made room for `len + n + 8` items and `i + k < n + 8`.
            unsafe {
                p.add(len + i + k)
                    .write_volatile(base.wrapping_add(s.trailing_zeros()))
            };
            s &= s.wrapping_sub(1);
        }
        i += 8;
        if i >= n {
            break;
        }
    }
    // SAFETY: the first `n` new items were written above.
    unsafe { out.set_len(len + n) };
}
