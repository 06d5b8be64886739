//! The comments of a source file with their lines: the syntax tree drops them, `fmt` keeps them.

/// One `#` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// 1-based line.
    pub line: u32,
    /// The comment from `#` to the end of the line, trailing whitespace removed.
    pub text: String,
    /// Whether code stands before it on its line.
    pub trailing: bool,
}

/// Every comment of `src`, in order. Quotes never cross a line, so a line-by-line scan that
/// skips quoted text (with its `\"` escapes) finds exactly the `#` that start comments.
pub fn collect(src: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let mut in_quote = false;
        let mut escaped = false;
        for (at, c) in line.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_quote => escaped = true,
                '"' => in_quote = !in_quote,
                '#' if !in_quote => {
                    out.push(Comment {
                        line: i as u32 + 1,
                        text: line[at..].trim_end().to_string(),
                        trailing: !line[..at].trim().is_empty(),
                    });
                    break;
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_own_line_and_trailing_comments_but_not_hashes_in_quotes() {
        let src = "# top\nfields {  # after code\n  \"A # B\" text\n  \"C \\\" # D\" text # e\n}\n";
        let got = collect(src);
        let want = vec![
            Comment {
                line: 1,
                text: "# top".into(),
                trailing: false,
            },
            Comment {
                line: 2,
                text: "# after code".into(),
                trailing: true,
            },
            Comment {
                line: 4,
                text: "# e".into(),
                trailing: true,
            },
        ];
        assert_eq!(got, want);
    }
}
