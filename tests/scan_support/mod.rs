//! Test support for the CSV scanner: the csv crate as its oracle, and scanning helpers.
#![allow(dead_code)]

use revc::engine::scan::*;

pub type Records = Vec<Vec<Vec<u8>>>;

/// Reference parse with the csv crate in the configuration the scanner mimics.
pub fn csv_records(input: &[u8]) -> Records {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    while rdr
        .read_byte_record(&mut rec)
        .expect("csv crate never errors here")
    {
        out.push(rec.iter().map(|f| f.to_vec()).collect());
    }
    out
}

/// Decodes records in `buf[..end]` from `pos`, treating `end` as end of input.
pub fn scan_range(sc: &Scanner, buf: &[u8], pos: usize, end: usize) -> (Records, Vec<bool>) {
    let buf = &buf[..end];
    let mut fields = Vec::new();
    let mut scratch = Vec::new();
    let (mut recs, mut unterminated) = (Vec::new(), Vec::new());
    let mut p = pos;
    loop {
        match sc.next_record(buf, p, true, &mut fields) {
            Step::Record {
                start,
                end,
                unterminated_quote,
            } => {
                assert!(start >= p && end > start && end <= buf.len());
                assert!(!fields.is_empty());
                recs.push(
                    fields
                        .iter()
                        .map(|&f| field_bytes(buf, f, &mut scratch).to_vec())
                        .collect(),
                );
                unterminated.push(unterminated_quote);
                p = end;
            }
            Step::Eof => return (recs, unterminated),
            Step::NeedMore => panic!("NeedMore at eof"),
        }
    }
}

pub fn scan_all(input: &[u8]) -> (Records, Vec<bool>) {
    let sc = Scanner::new(b',');
    scan_range(&sc, input, skip_bom(input), input.len())
}

/// Feeds the input in growing prefixes, as a streaming reader would.
pub fn scan_streaming(input: &[u8], step: usize) -> Records {
    let sc = Scanner::new(b',');
    let mut fields = Vec::new();
    let mut scratch = Vec::new();
    let mut recs = Vec::new();
    let mut have = 0;
    let mut pos = None;
    loop {
        let at_eof = have >= input.len();
        let buf = &input[..have];
        // The csv crate only sees a BOM that is wholly buffered; a real
        // reader buffers at least 3 bytes before looking.
        let p = match pos {
            Some(p) => p,
            None if buf.len() >= 3 || at_eof => {
                pos = Some(skip_bom(buf));
                continue;
            }
            None => {
                have = (have + step).min(input.len());
                continue;
            }
        };
        match sc.next_record(buf, p, at_eof, &mut fields) {
            Step::Record { end, .. } => {
                recs.push(
                    fields
                        .iter()
                        .map(|&f| field_bytes(buf, f, &mut scratch).to_vec())
                        .collect(),
                );
                pos = Some(end);
            }
            Step::NeedMore => {
                assert!(!at_eof);
                assert!(fields.is_empty());
                have = (have + step).min(input.len());
            }
            Step::Eof => return recs,
        }
    }
}

/// Scans each chunk from split_records independently and concatenates.
pub fn scan_chunks(input: &[u8], parts: usize) -> Records {
    let sc = Scanner::new(b',');
    let start = skip_bom(input);
    let b = split_records(&sc, input, start, parts);
    assert_eq!(b[0], start);
    assert_eq!(*b.last().unwrap(), input.len());
    assert!(b.len() <= parts + 1);
    assert!(b.windows(2).all(|w| w[0] < w[1]) || b.len() == 2);
    let mut all = Vec::new();
    for w in b.windows(2) {
        all.extend(scan_range(&sc, input, w[0], w[1]).0);
    }
    all
}

pub fn s(v: &[&[&str]]) -> Records {
    v.iter()
        .map(|r| r.iter().map(|f| f.as_bytes().to_vec()).collect())
        .collect()
}
