//! Property test: the scanner agrees with the csv crate on random CSV-ish
//! text, whether parsed in one pass, streamed in small pieces, or split into
//! chunks with `split_records`.

#[path = "scan_support/mod.rs"]
mod common;
use common::*;
use proptest::prelude::*;

/// Token soup heavy in the bytes that matter to the grammar.
fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        6 => Just("a"),
        4 => Just(","),
        4 => Just("\""),
        3 => Just("\n"),
        2 => Just("\r"),
        2 => Just("\r\n"),
        2 => Just(" "),
        2 => Just("é"),
        2 => Just("\"\""),
        1 => Just("\"a\nb\""),
        1 => Just("\u{feff}"),
    ];
    prop::collection::vec(token, 0..60).prop_map(|t| t.concat())
}

/// Well-formed-looking rows: ragged, empty and quoted fields, embedded line
/// breaks, doubled quotes, mixed terminators and blank lines.
fn rows() -> impl Strategy<Value = String> {
    let plain = "[a é]{0,4}";
    let quoted = "[a,\n\r é]{0,3}(\"\"[a,\n]{0,2}){0,2}".prop_map(|c| format!("\"{c}\""));
    let field = prop_oneof![3 => plain.prop_map(String::from), 2 => quoted];
    let term = prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("\n\n")];
    let row = (prop::collection::vec(field, 1..5), term)
        .prop_map(|(f, t)| format!("{}{}", f.join(","), t));
    (prop::collection::vec(row, 0..8), any::<bool>()).prop_map(|(r, cut_last)| {
        let mut s = r.concat();
        if cut_last {
            // Input that ends without a terminator.
            while s.ends_with(['\n', '\r']) {
                s.pop();
            }
        }
        s
    })
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    (prop_oneof![soup(), rows()], any::<bool>()).prop_map(|(s, bom)| {
        let mut v = if bom {
            "\u{feff}".as_bytes().to_vec()
        } else {
            Vec::new()
        };
        v.extend_from_slice(s.as_bytes());
        v
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matches_csv_crate(input in input(), step in 1usize..8) {
        let want = csv_records(&input);
        let (got, unterminated) = scan_all(&input);
        prop_assert_eq!(&got, &want);
        // Only the final record can run into end of input.
        if let Some((_, init)) = unterminated.split_last() {
            prop_assert!(init.iter().all(|u| !u));
        }
        prop_assert_eq!(&scan_streaming(&input, step), &want);
        for parts in [2, 3, 7] {
            prop_assert_eq!(&scan_chunks(&input, parts), &want, "parts {}", parts);
        }
    }
}
