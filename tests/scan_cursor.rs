//! Property test: the streaming [`Cursor`] finds the same records as
//! `Scanner::next_record` called at each record's end and as the exact cursor
//! (which never takes the bit-parallel path for well-formed records), on inputs
//! long enough to cross many 64-byte blocks, and its line counts and ASCII
//! flags are exact (line counts and which records hold bytes beyond ASCII).

use proptest::prelude::*;
use revc::engine::scan::{Cursor, Scanner, Step, count_lines};

/// Rows with long plain and quoted fields, doubled quotes, embedded line
/// breaks, non-ASCII text, stray quotes, blank lines and mixed terminators.
fn input() -> impl Strategy<Value = Vec<u8>> {
    let plain = "[a-z é;]{0,40}";
    let quoted = "[a-z,\n\r é]{0,30}(\"\"[a-z,\n]{0,8}){0,2}".prop_map(|c| format!("\"{c}\""));
    let odd = prop_oneof![Just("a\"b".to_string()), Just("\"a\"b".to_string())];
    let field = prop_oneof![6 => plain.prop_map(String::from), 3 => quoted, 1 => odd];
    let term = prop_oneof![
        Just("\n"),
        Just("\r\n"),
        Just("\r"),
        Just("\n\n"),
        Just("\r\n\r\n")
    ];
    let row = (prop::collection::vec(field, 1..8), term)
        .prop_map(|(f, t)| format!("{}{}", f.join(","), t));
    (prop::collection::vec(row, 0..30), any::<bool>()).prop_map(|(r, cut)| {
        let mut s = r.concat();
        if cut {
            while s.ends_with(['\n', '\r']) {
                s.pop();
            }
        }
        s.into_bytes()
    })
}

fn check(buf: &[u8], from: usize, at_eof: bool) -> Result<(), TestCaseError> {
    let sc = Scanner::new(b',');
    for cur in Cursor::each_isa(&sc, buf, from, at_eof) {
        check_cursor(&sc, cur, buf, from, at_eof)?;
    }
    Ok(())
}

fn check_cursor(
    sc: &Scanner,
    mut cur: Cursor,
    buf: &[u8],
    from: usize,
    at_eof: bool,
) -> Result<(), TestCaseError> {
    let mut exact = Cursor::exact(sc, buf, from, at_eof);
    let (mut want_f, mut got_f, mut exact_f) = (Vec::new(), Vec::new(), Vec::new());
    let mut pos = from;
    loop {
        let want = sc.next_record(buf, pos, at_eof, &mut want_f);
        prop_assert_eq!(cur.pos(), pos);
        let got = cur.next_record(&mut got_f);
        prop_assert_eq!(got, want);
        prop_assert_eq!(&got_f, &want_f);
        prop_assert_eq!(exact.next_record(&mut exact_f), want);
        prop_assert_eq!(&exact_f, &want_f);
        prop_assert_eq!(exact.lines(), cur.lines());
        let Step::Record { start, end, .. } = got else {
            return Ok(());
        };
        prop_assert_eq!(cur.record_line(), count_lines(&buf[from..start]) as u64);
        prop_assert_eq!(cur.lines(), count_lines(&buf[from..end]) as u64);
        prop_assert_eq!(cur.non_ascii(), !buf[start..end].is_ascii());
        pos = end;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn cursor_matches_next_record(input in input(), cut in 0.0f64..1.0) {
        check(&input, 0, true)?;
        // A buffer that does not end the input: the last record may need more.
        let n = (input.len() as f64 * cut) as usize;
        check(&input[..n], 0, false)?;
    }
}
