//! One test per csv-crate quirk: each pins the csv crate's own output and
//! checks the scanner agrees, in one pass, streamed, and split.

#[path = "scan_support/mod.rs"]
mod common;
use common::*;
use revc::engine::scan::*;

fn check(input: &str, expected: &[&[&str]]) {
    let input = input.as_bytes();
    let want = s(expected);
    assert_eq!(csv_records(input), want, "csv crate on {input:?}");
    let (got, unterminated) = scan_all(input);
    assert_eq!(got, want, "scanner on {input:?}");
    assert!(unterminated.iter().all(|u| !u));
    for step in [1, 2, 5] {
        assert_eq!(
            scan_streaming(input, step),
            want,
            "streaming {step} on {input:?}"
        );
    }
    for parts in [2, 3, 7] {
        assert_eq!(
            scan_chunks(input, parts),
            want,
            "chunks {parts} on {input:?}"
        );
    }
}

#[test]
fn plain_records_and_ragged_rows() {
    check("a,b,c\n1,2\nx\n", &[&["a", "b", "c"], &["1", "2"], &["x"]]);
}

#[test]
fn empty_input_has_no_records() {
    check("", &[]);
    check("\n\r\n\r\r\n", &[]);
}

#[test]
fn blank_lines_are_skipped() {
    check("a\n\n\nb\r\n\r\nc", &[&["a"], &["b"], &["c"]]);
    check("\n\na", &[&["a"]]);
}

#[test]
fn whitespace_line_is_a_record() {
    check("a\n \nb", &[&["a"], &[" "], &["b"]]);
}

#[test]
fn trailing_and_lone_delimiters_make_empty_fields() {
    check("a,\n,\n,,", &[&["a", ""], &["", ""], &["", "", ""]]);
}

#[test]
fn lone_cr_ends_a_record() {
    check("a,b\rc,d\r\re", &[&["a", "b"], &["c", "d"], &["e"]]);
}

#[test]
fn crlf_and_lf_cr_mixes() {
    check("a\r\nb\n\rc\r\n", &[&["a"], &["b"], &["c"]]);
}

#[test]
fn quote_inside_unquoted_field_is_literal() {
    check(
        "a\"b,c\"\"d\"\n x\"\"",
        &[&["a\"b", "c\"\"d\""], &[" x\"\""]],
    );
}

#[test]
fn quoted_fields_with_delimiters_newlines_and_doubled_quotes() {
    check(
        "\"a,b\",\"c\nd\",\"e\"\"f\",\"\"\n\"\r\n\"",
        &[&["a,b", "c\nd", "e\"f", ""], &["\r\n"]],
    );
}

#[test]
fn text_after_closing_quote_is_appended() {
    check(
        "\"ab\"c,d\n\"x\"\"y\"z\"w\n",
        &[&["abc", "d"], &["x\"yz\"w"]],
    );
    check("\"a\" ,\"b\"\"\"c", &[&["a ", "b\"c"]]);
}

#[test]
fn empty_quoted_field_line_is_not_blank() {
    check("\"\"\n\"\",\"\"", &[&[""], &["", ""]]);
}

#[test]
fn bom_is_dropped_only_at_the_start() {
    check("\u{feff}a,b\n\u{feff}c", &[&["a", "b"], &["\u{feff}c"]]);
    // Stripped before parsing, so the quote still opens a quoted field.
    check("\u{feff}\"a,b\"", &[&["a,b"]]);
    // A BOM-only first line is a blank line, not an empty record.
    check("\u{feff}\nx", &[&["x"]]);
    check("\u{feff}", &[]);
}

#[test]
fn multibyte_utf8_is_opaque() {
    check("é,\"é\"\"é\"\né", &[&["é", "é\"é"], &["é"]]);
}

#[test]
fn unterminated_quote_returns_rest_of_input_flagged() {
    let input = b"a,b\n\"c,d\ne\n";
    let want = s(&[&["a", "b"], &["c,d\ne\n"]]);
    assert_eq!(csv_records(input), want);
    let (got, unterminated) = scan_all(input);
    assert_eq!(got, want);
    assert_eq!(unterminated, vec![false, true]);
    assert_eq!(scan_streaming(input, 3), want);

    let (got, unterminated) = scan_all(b"x,\"a\"\"");
    assert_eq!(got, s(&[&["x", "a\""]]));
    assert_eq!(csv_records(b"x,\"a\"\""), got);
    assert_eq!(unterminated, vec![true]);
}

#[test]
fn need_more_until_the_record_is_complete() {
    let sc = Scanner::new(b',');
    let mut f = Vec::new();
    assert_eq!(sc.next_record(b"a,b", 0, false, &mut f), Step::NeedMore);
    assert!(f.is_empty());
    // A closing quote at the buffer end might be the first of a "" pair.
    assert_eq!(sc.next_record(b"\"a\"", 0, false, &mut f), Step::NeedMore);
    assert_eq!(sc.next_record(b"\n\n", 0, false, &mut f), Step::NeedMore);
    assert_eq!(sc.next_record(b"\n\n", 0, true, &mut f), Step::Eof);
    assert_eq!(
        sc.next_record(b"\n\"a\"\"b\",c\r\nd", 0, false, &mut f),
        Step::Record {
            start: 1,
            end: 11,
            unterminated_quote: false
        }
    );
    assert_eq!(
        f,
        vec![
            FieldPos {
                start: 2,
                end: 6,
                quoted: true,
                needs_unescape: true
            },
            FieldPos {
                start: 8,
                end: 9,
                quoted: false,
                needs_unescape: false
            },
        ]
    );
}

#[test]
fn field_bytes_borrows_when_it_can() {
    let buf = b"\"ab\",\"a\"\"b\"";
    let sc = Scanner::new(b',');
    let mut f = Vec::new();
    sc.next_record(buf, 0, true, &mut f);
    let mut scratch = Vec::new();
    let first = field_bytes(buf, f[0], &mut scratch);
    assert_eq!(first, b"ab");
    assert!(std::ptr::eq(first.as_ptr(), buf[1..].as_ptr()));
    assert_eq!(field_bytes(buf, f[1], &mut scratch), b"a\"b");
}

#[test]
fn other_delimiters() {
    let sc = Scanner::new(b';');
    let mut f = Vec::new();
    let buf = b"a,b;\"c;d\"\n";
    sc.next_record(buf, 0, true, &mut f);
    let mut scratch = Vec::new();
    let got: Vec<_> = f
        .iter()
        .map(|&x| field_bytes(buf, x, &mut scratch).to_vec())
        .collect();
    assert_eq!(got, vec![b"a,b".to_vec(), b"c;d".to_vec()]);
}

#[test]
fn long_fields_cross_simd_blocks() {
    let long = "x".repeat(200);
    let q = format!("\"{}\"\"{}\n{}\"", long, long, long);
    let input = format!("{long},{q}\n{long}\r\n");
    let qd = format!("{}\"{}\n{}", long, long, long);
    check(&input, &[&[&long, &qd], &[&long]]);
}

#[test]
fn count_lines_counts_newlines() {
    assert_eq!(count_lines(b""), 0);
    assert_eq!(count_lines(b"a\nb\r\nc\r"), 2);
    assert_eq!(count_lines(&b"\n".repeat(1000)), 1000);
}

#[test]
fn split_falls_back_when_guess_is_inside_quotes() {
    // Large enough to take the threaded path, with every line break that a
    // nominal cut could land near sitting inside a quoted field.
    let mut input = String::new();
    let mut want = Vec::new();
    for i in 0..60_000 {
        input.push_str(&format!("{i},\"multi\nline\nvalue {i}\",z\n"));
        want.push(vec![
            i.to_string(),
            format!("multi\nline\nvalue {i}"),
            "z".to_string(),
        ]);
    }
    assert!(input.len() > 1 << 20);
    let want: Records = want
        .into_iter()
        .map(|r| r.into_iter().map(String::into_bytes).collect())
        .collect();
    let sc = Scanner::new(b',');
    for parts in [2, 3, 7, 16] {
        let b = split_records(&sc, input.as_bytes(), 0, parts);
        assert_eq!(b.len(), parts + 1);
        assert_eq!(scan_chunks(input.as_bytes(), parts), want);
    }
    // A single huge quoted field leaves nowhere to split.
    let one = format!("\"{}\"\n", "a\n".repeat(600_000));
    assert_eq!(split_records(&sc, one.as_bytes(), 0, 4), vec![0, one.len()]);
}
