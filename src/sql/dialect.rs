//! What differs between the SQL engines revc compiles to: identifier quoting, string literals
//! (escaped so that no value of a rule can end the literal early), integer division, text
//! functions, and the checks that say whether a text is a well-formed number or date.
//!
//! Every function here returns SQL text; none of them looks at a lead.

use std::fmt::Write as _;

/// A SQL engine that `revc compile --emit sql` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Dialect {
    /// DuckDB (1.x and later).
    Duckdb,
    /// PostgreSQL (12 and later).
    Postgres,
    /// SQLite (3.35 and later), with no extension loaded.
    Sqlite,
    /// Apache Spark SQL (3.3 and later; ANSI mode on or off).
    Spark,
}

/// Unicode `White_Space`: what `str::trim` removes, and so what the engine trims.
pub const WHITESPACE: &[char] = &[
    '\u{9}', '\u{a}', '\u{b}', '\u{c}', '\u{d}', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
    '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}',
    '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
];

/// The shape of a number the engine reads: optional sign, digits with at most one point (at
/// least one digit), optional exponent. Written without backslashes so that it means the same
/// in every dialect's string literal.
const NUMBER_RE: &str = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$";

/// The shape of an ISO 8601 date or date-time the engine reads (the calendar is checked apart).
const DATE_RE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?$";

impl Dialect {
    /// The dialect's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
            Dialect::Spark => "spark",
        }
    }

    /// Every dialect, for tests and snapshots.
    pub const ALL: [Dialect; 4] = [
        Dialect::Duckdb,
        Dialect::Postgres,
        Dialect::Sqlite,
        Dialect::Spark,
    ];

    /// A quoted identifier. The quote character is doubled inside, which every one of these
    /// engines reads back as itself, so a column name cannot end the identifier early.
    pub fn ident(self, name: &str) -> String {
        let q = match self {
            Dialect::Spark => '`',
            _ => '"',
        };
        let mut s = String::with_capacity(name.len() + 2);
        s.push(q);
        for c in name.chars() {
            if c == q {
                s.push(q);
            }
            s.push(c);
        }
        s.push(q);
        s
    }

    /// A string literal holding exactly `value`.
    ///
    /// Quotes are doubled (Spark: backslash-escaped, since Spark joins adjacent literals and
    /// reads backslash escapes). Control characters and white space other than the space are
    /// written by their code (invisible, they would be hard to review); they never appear raw: a line break could end a
    /// `--` comment elsewhere on the line in some tools, and SQLite stops reading at a NUL.
    /// PostgreSQL gets an `E'...'` literal when the value has a backslash, so the meaning does
    /// not depend on `standard_conforming_strings`. Spark writes `$` as `\u0024`, because Spark
    /// substitutes `${...}` variables in the query text before it parses it.
    pub fn string(self, value: &str) -> String {
        match self {
            Dialect::Spark => {
                let mut s = String::from("'");
                for c in value.chars() {
                    match c {
                        '\\' => s.push_str("\\\\"),
                        '\'' => s.push_str("\\'"),
                        c if unprintable(c) || c == '$' => {
                            let _ = write!(s, "\\u{:04X}", c as u32);
                        }
                        c => s.push(c),
                    }
                }
                s.push('\'');
                s
            }
            _ => {
                // Runs of ordinary characters become quoted literals; control characters become
                // `chr(n)` / `char(n)` calls joined with `||`.
                let mut parts: Vec<String> = Vec::new();
                let mut run = String::new();
                for c in value.chars() {
                    if unprintable(c) {
                        if !run.is_empty() {
                            parts.push(self.plain_literal(&run));
                            run.clear();
                        }
                        parts.push(self.char_code(c));
                    } else {
                        run.push(c);
                    }
                }
                if !run.is_empty() || parts.is_empty() {
                    parts.push(self.plain_literal(&run));
                }
                if parts.len() == 1 {
                    parts.pop().expect("one part")
                } else {
                    format!("({})", parts.join(" || "))
                }
            }
        }
    }

    /// A literal without control characters, for every dialect but Spark.
    fn plain_literal(self, run: &str) -> String {
        let doubled = run.replace('\'', "''");
        if self == Dialect::Postgres && run.contains('\\') {
            format!("E'{}'", doubled.replace('\\', "\\\\"))
        } else {
            format!("'{doubled}'")
        }
    }

    /// One character by its code point.
    fn char_code(self, c: char) -> String {
        match self {
            Dialect::Sqlite => format!("char({})", c as u32),
            _ => format!("chr({})", c as u32),
        }
    }

    /// Whether a text value can be held by this engine's text type at all. PostgreSQL text
    /// cannot hold NUL, so a rule value with one can never match there.
    pub fn can_hold(self, value: &str) -> bool {
        !(self == Dialect::Postgres && value.contains('\0'))
    }

    /// The text type a column is cast to before it is read.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::Duckdb => "VARCHAR",
            Dialect::Postgres | Dialect::Sqlite => "TEXT",
            Dialect::Spark => "STRING",
        }
    }

    /// `x` cast to the dialect's text type.
    pub fn as_text(self, x: &str) -> String {
        format!("CAST({x} AS {})", self.text_type())
    }

    /// `x` with Unicode white space removed from both ends, as `str::trim` does.
    pub fn trim(self, x: &str) -> String {
        let set: String = WHITESPACE.iter().collect();
        match self {
            Dialect::Sqlite => format!("trim({x}, {})", self.string(&set)),
            Dialect::Postgres => format!("btrim({x}, {})", self.string(&set)),
            Dialect::Duckdb => format!("trim({x}, {})", self.string(&set)),
            Dialect::Spark => format!("trim(BOTH {} FROM {x})", self.string(&set)),
        }
    }

    /// Steps that replace every white-space character by a plain space, then collapse runs of
    /// spaces to one: templates where `{}` stands for the text so far.
    pub fn space_steps(self) -> Vec<String> {
        let others: String = WHITESPACE.iter().filter(|&&c| c != ' ').collect();
        match self {
            Dialect::Sqlite => {
                // No translate() and no regular expressions: one replace() per character, then
                // passes that each halve every run of spaces (8 collapse runs of up to 256).
                let mut steps: Vec<String> = others
                    .chars()
                    .map(|c| format!("replace({{}}, {}, ' ')", self.char_code(c)))
                    .collect();
                steps.extend((0..8).map(|_| "replace({}, '  ', ' ')".to_string()));
                steps
            }
            _ => {
                let to = " ".repeat(others.chars().count());
                let collapse = match self {
                    Dialect::Spark => "regexp_replace({}, ' {2,}', ' ')",
                    _ => "regexp_replace({}, ' {2,}', ' ', 'g')",
                };
                vec![
                    format!(
                        "translate({{}}, {}, {})",
                        self.string(&others),
                        self.string(&to)
                    ),
                    collapse.to_string(),
                ]
            }
        }
    }

    /// `AS` before a CTE's body. SQLite, PostgreSQL and DuckDB are told to compute each step
    /// once (`MATERIALIZED`): otherwise they may inline a step into the next and repeat its
    /// expressions wherever a column is read, which grows the query exponentially with the
    /// number of steps. Spark does not inline a projection whose expressions would repeat.
    pub fn cte_as(self) -> &'static str {
        match self {
            Dialect::Spark => "AS",
            _ => "AS MATERIALIZED",
        }
    }

    /// Whether `needle` (a literal) occurs in `hay`; both non-null.
    pub fn contains(self, hay: &str, needle: &str) -> String {
        match self {
            Dialect::Postgres => format!("strpos({hay}, {needle}) > 0"),
            _ => format!("instr({hay}, {needle}) > 0"),
        }
    }

    /// The last `n` characters of `x` (fewer when `x` is shorter).
    pub fn right(self, x: &str, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("substr({x}, -{n})"),
            _ => format!("right({x}, {n})"),
        }
    }

    /// The 64-bit integer type.
    pub fn int_type(self) -> &'static str {
        match self {
            Dialect::Sqlite => "INTEGER",
            _ => "BIGINT",
        }
    }

    /// `x` (a text of digits) as a 64-bit integer.
    pub fn int(self, x: &str) -> String {
        match self {
            Dialect::Spark | Dialect::Duckdb => format!("TRY_CAST({x} AS BIGINT)"),
            _ => format!("CAST({x} AS {})", self.int_type()),
        }
    }

    /// Integer division of non-negative integers (truncation and floor agree there).
    pub fn idiv(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Sqlite | Dialect::Postgres => format!("({a}) / {b}"),
            Dialect::Duckdb => format!("({a}) // {b}"),
            Dialect::Spark => format!("({a}) div {b}"),
        }
    }

    /// Whether the trimmed, non-null text `t` matches a regular expression (anchored in it).
    fn matches(self, t: &str, re: &str) -> String {
        let lit = self.string(re);
        match self {
            Dialect::Postgres => format!("{t} ~ {lit}"),
            Dialect::Duckdb => format!("regexp_matches({t}, {lit})"),
            Dialect::Spark => format!("{t} RLIKE {lit}"),
            Dialect::Sqlite => unreachable!("SQLite has no regular expressions"),
        }
    }

    /// The number in trimmed text `t`, or NULL when `t` is not one (never an error).
    pub fn number(self, t: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "CASE WHEN {} THEN CAST({t} AS REAL) END",
                sqlite_number_shape(t)
            ),
            Dialect::Duckdb | Dialect::Spark => format!(
                "CASE WHEN {} THEN TRY_CAST({t} AS DOUBLE) END",
                self.matches(t, NUMBER_RE)
            ),
            Dialect::Postgres => {
                // A cast to double precision raises an error out of its range; numeric holds
                // any value of bounded length, so it is read as numeric and checked first.
                let n = format!("CAST({t} AS numeric)");
                format!(
                    "CASE WHEN length({t}) <= 1000 AND {} AND NOT {t} ~ '[eE][+-]?[0-9]{{5}}' THEN CASE WHEN abs({n}) >= 1.7976931348623158e308 THEN NULL WHEN abs({n}) < 2.4703282292062328e-324 THEN 0 ELSE CAST({n} AS double precision) END END",
                    self.matches(t, NUMBER_RE)
                )
            }
        }
    }

    /// Whether trimmed text `t` has the shape of an ISO 8601 date or date-time.
    pub fn date_shape(self, t: &str) -> String {
        match self {
            Dialect::Sqlite => sqlite_date_shape(t),
            _ => self.matches(t, DATE_RE),
        }
    }
}

/// A character written by its code: control characters, and white space other than the space,
/// which would be invisible in the query.
fn unprintable(c: char) -> bool {
    c.is_control() || (c.is_whitespace() && c != ' ')
}

/// SQLite has no regular expressions; a number's shape is checked with GLOB: after an optional
/// sign, a mantissa of digits with at most one point and at least one digit, then optionally
/// `e`, an optional sign and digits.
fn sqlite_number_shape(t: &str) -> String {
    // The text after an optional leading sign (SQLite booleans are 0 or 1).
    let s = format!("substr({t}, 1 + (substr({t}, 1, 1) IN ('+', '-')))");
    let p = format!("instr(lower({s}), 'e')");
    let m = format!("CASE WHEN {p} > 0 THEN substr({s}, 1, {p} - 1) ELSE {s} END");
    let x = format!("substr({s}, {p} + 1)");
    let x = format!("substr({x}, 1 + (substr({x}, 1, 1) IN ('+', '-')))");
    format!(
        "({m}) GLOB '*[0-9]*' AND ({m}) NOT GLOB '*[^0-9.]*' AND ({m}) NOT GLOB '*.*.*' AND ({p} = 0 OR (({x}) <> '' AND ({x}) NOT GLOB '*[^0-9]*'))"
    )
}

/// SQLite's date shape check with GLOB: the date, then optionally a time (`T`, `t` or a space,
/// `HH:MM`, optional `:SS` and fraction) and an offset (`Z`, `±HH:MM`, `±HHMM`), read from the
/// end since no other part of a time holds a sign.
fn sqlite_date_shape(t: &str) -> String {
    let d = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]";
    // The length of the offset at the end of the text (0 when none).
    let off = format!(
        "(CASE WHEN substr({t}, -1) IN ('Z', 'z') THEN 1 WHEN substr({t}, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' THEN 6 WHEN substr({t}, -5) GLOB '[+-][0-9][0-9][0-9][0-9]' THEN 5 ELSE 0 END)"
    );
    // The time between the separator and the offset.
    let time = format!("substr({t}, 12, length({t}) - 11 - {off})");
    format!(
        "substr({t}, 1, 10) GLOB '{d}' AND (length({t}) = 10 OR (substr({t}, 11, 1) IN ('T', 't', ' ') AND (({time}) GLOB '[0-9][0-9]:[0-9][0-9]' OR ({time}) GLOB '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' OR (({time}) GLOB '[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9]*' AND substr({time}, 10) NOT GLOB '*[^0-9]*'))))"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_double_their_quote() {
        assert_eq!(Dialect::Sqlite.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
        assert_eq!(
            Dialect::Postgres.ident("What is your current occupation"),
            "\"What is your current occupation\""
        );
    }

    #[test]
    fn literals_escape_what_could_end_them() {
        assert_eq!(Dialect::Sqlite.string("it's"), "'it''s'");
        assert_eq!(Dialect::Duckdb.string("a\\b"), "'a\\b'");
        assert_eq!(Dialect::Postgres.string("a\\'b"), "E'a\\\\''b'");
        assert_eq!(Dialect::Spark.string("a\\'b"), "'a\\\\\\'b'");
        assert_eq!(Dialect::Spark.string("${x}"), "'\\u0024{x}'");
        assert_eq!(Dialect::Sqlite.string("a\rb"), "('a' || char(13) || 'b')");
        assert_eq!(Dialect::Postgres.string("\t"), "chr(9)");
        assert_eq!(Dialect::Sqlite.string(""), "''");
    }
}
