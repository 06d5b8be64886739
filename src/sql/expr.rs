//! Expressions: each field's value as the engine reads it (trimmed, folded, parsed, NULL when
//! empty or unparsable), and each condition as a SQL boolean that is never NULL.
//!
//! Conditions are written so that NULL never reaches a `NOT`: every test on a value checks
//! `IS NULL` itself, so a negative operator is the exact negation of its positive, true on
//! empty, as in the engine.

use super::dialect::Dialect;
use crate::ir::{
    Cond, CondId, DateTest, DateVal, FieldId, NumTest, Program, SmartListId, Test, TextOp, Type,
    date,
};
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

/// The columns that hold one field's value at each step of the query.
#[derive(Clone, Debug)]
pub struct FieldCols {
    /// The field's type.
    pub ty: Type,
    /// Its input column, as named in the table.
    pub column: String,
    /// A short name for the field, unique in the query, used in generated column names.
    pub slug: String,
}

impl FieldCols {
    /// The trimmed text (empty string when blank, NULL when the cell is NULL).
    pub fn trimmed(&self) -> String {
        format!("t_{}", self.slug)
    }
    /// The value the tests read: folded text, number, boolean as 1/0, or a date's day number.
    pub fn value(&self) -> String {
        let prefix = match self.ty {
            Type::Text => "x",
            Type::Number => "n",
            Type::Boolean => "b",
            Type::Date => "d",
        };
        format!("{prefix}_{}", self.slug)
    }
    /// A date-time's instant in seconds since the epoch (NULL for a plain date).
    pub fn secs(&self) -> String {
        format!("s_{}", self.slug)
    }
}

/// Upper-case characters by the characters of their lower case, over all of Unicode; built once.
fn uppers_of() -> &'static HashMap<char, Vec<char>> {
    static MAP: OnceLock<HashMap<char, Vec<char>>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map: HashMap<char, Vec<char>> = HashMap::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c.is_ascii() {
                continue;
            }
            let mut lower = c.to_lowercase();
            if lower.len() == 1 && lower.next() == Some(c) {
                continue;
            }
            for l in c.to_lowercase() {
                map.entry(l).or_default().push(c);
            }
        }
        map
    })
}

/// Steps of a `lower()` that lower-cases as the engine does (`char::to_lowercase`, one character at a
/// time) wherever that can change a comparison with `constants`.
///
/// `lower()` is ASCII-only in SQLite (and in PostgreSQL under the C locale), and Spark's is
/// Java's, which turns a final `Σ` into `ς`. So every non-ASCII character whose lower case
/// shares a character with the constants is replaced by its lower case first; no other
/// character can make a folded value equal to, or contain, a constant.
pub fn lower_steps(d: Dialect, constants: &[&str]) -> Vec<String> {
    let used: BTreeSet<char> = constants.iter().flat_map(|s| s.chars()).collect();
    let mut uppers: BTreeSet<char> = BTreeSet::new();
    if used.iter().any(|c| !c.is_ascii() || matches!(c, 'i' | 'k')) {
        let map = uppers_of();
        for c in &used {
            if let Some(u) = map.get(c) {
                uppers.extend(u.iter().copied());
            }
        }
    }
    if used.contains(&'ς') {
        uppers.insert('Σ');
    }
    let mut steps: Vec<String> = uppers
        .into_iter()
        .map(|u| {
            let l: String = u.to_lowercase().collect();
            format!(
                "replace({{}}, {}, {})",
                d.string(&u.to_string()),
                d.string(&l)
            )
        })
        .collect();
    steps.push("lower({})".into());
    steps
}

/// Applies template steps (`{}` stands for the text so far) to `x`, innermost first.
pub fn apply(steps: &[String], x: &str) -> String {
    steps
        .iter()
        .fold(x.to_string(), |e, s| s.replacen("{}", &e, 1))
}

/// A number as a SQL literal that reads back as the same 64-bit float.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        // Rust prints the shortest text that reads back as the same float.
        format!("{x:e}")
    }
}

/// A day number with its date in a comment, for people reading the query.
fn day(n: i32) -> String {
    format!("{n} /* {} */", date::format_day(n))
}

/// Writes conditions.
pub struct Conds<'a> {
    /// The program.
    pub program: &'a Program,
    /// The dialect.
    pub dialect: Dialect,
    /// The as-of day that relative dates count from.
    pub as_of: i32,
    /// The columns of each field the query reads.
    pub fields: &'a HashMap<FieldId, FieldCols>,
    /// Smart lists computed once as columns (shared ones), by list.
    pub list_cols: &'a HashMap<SmartListId, String>,
}

impl Conds<'_> {
    /// A condition as a SQL boolean that is never NULL.
    pub fn cond(&self, id: CondId) -> String {
        let d = self.dialect;
        match &self.program.cond(id).kind {
            Cond::And(parts) if parts.is_empty() => "TRUE".into(),
            Cond::Or(parts) if parts.is_empty() => "FALSE".into(),
            Cond::And(parts) => join(parts.iter().map(|&p| self.cond(p)), " AND "),
            Cond::Or(parts) => join(parts.iter().map(|&p| self.cond(p)), " OR "),
            Cond::Not(x) => format!("(NOT {})", self.cond(*x)),
            Cond::InList(l) => match self.list_cols.get(l) {
                // A shared list is a column of the query (a boolean; 0/1 in SQLite, which reads
                // it as a condition all the same).
                Some(col) => d.ident(col),
                None => self.cond(self.program.smart_lists[l.index()].cond),
            },
            Cond::Filter(f) => {
                let cols = &self.fields[&f.field];
                let positive = self.test(cols, &f.test);
                if f.negated {
                    format!("(NOT {positive})")
                } else {
                    positive
                }
            }
        }
    }

    /// A positive test on one field, never NULL.
    fn test(&self, cols: &FieldCols, test: &Test) -> String {
        let d = self.dialect;
        let v = d.ident(&cols.value());
        match test {
            Test::Empty => format!("({v} IS NULL)"),
            Test::Text { op, values } => {
                let values: Vec<&str> = values
                    .iter()
                    .map(String::as_str)
                    .filter(|s| d.can_hold(s))
                    .collect();
                // An empty constant: blank text is NULL, so `is ""` never holds, and every
                // non-empty text contains, starts and ends with "".
                if values.contains(&"") && *op != TextOp::Is {
                    return format!("({v} IS NOT NULL)");
                }
                let values: Vec<&str> = values.into_iter().filter(|s| !s.is_empty()).collect();
                if values.is_empty() {
                    return "FALSE".into();
                }
                let any = match op {
                    TextOp::Is => format!(
                        "{v} IN ({})",
                        values
                            .iter()
                            .map(|s| d.string(s))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    TextOp::Contains => {
                        join(values.iter().map(|s| d.contains(&v, &d.string(s))), " OR ")
                    }
                    TextOp::StartsWith => join(
                        values.iter().map(|s| {
                            format!("substr({v}, 1, {}) = {}", s.chars().count(), d.string(s))
                        }),
                        " OR ",
                    ),
                    TextOp::EndsWith => join(
                        values.iter().map(|s| {
                            format!("{} = {}", d.right(&v, s.chars().count()), d.string(s))
                        }),
                        " OR ",
                    ),
                };
                format!("({v} IS NOT NULL AND {any})")
            }
            Test::Number(t) => {
                let cmp = |op: &str, x: f64| format!("{v} {op} {}", number(x));
                match t {
                    NumTest::Is(xs) => {
                        let list = xs.iter().map(|&x| number(x)).collect::<Vec<_>>().join(", ");
                        if xs.contains(&0.0) {
                            // Marketo: `is 0` also matches empty.
                            format!("({v} IS NULL OR {v} IN ({list}))")
                        } else {
                            format!("({v} IS NOT NULL AND {v} IN ({list}))")
                        }
                    }
                    NumTest::AtLeast(x) => format!("({v} IS NOT NULL AND {})", cmp(">=", *x)),
                    NumTest::AtMost(x) => format!("({v} IS NOT NULL AND {})", cmp("<=", *x)),
                    NumTest::GreaterThan(x) => format!("({v} IS NOT NULL AND {})", cmp(">", *x)),
                    NumTest::LessThan(x) => format!("({v} IS NOT NULL AND {})", cmp("<", *x)),
                    NumTest::Between(a, b) => format!(
                        "({v} IS NOT NULL AND {} AND {})",
                        cmp(">=", *a),
                        cmp("<=", *b)
                    ),
                }
            }
            Test::Bool(b) => format!("({v} IS NOT NULL AND {v} = {})", *b as u8),
            Test::Date(t) => self.date_test(cols, t),
        }
    }

    /// A date test. Bounds with a time compare instants when the value has one too, and
    /// calendar days otherwise, as `DateVal::cmp_lang` does.
    fn date_test(&self, cols: &FieldCols, t: &DateTest) -> String {
        let d = self.dialect;
        let dv = d.ident(&cols.value());
        let sv = d.ident(&cols.secs());
        let cmp = |op: &str, b: &DateVal| match b.secs {
            Some(secs) => format!(
                "(CASE WHEN {sv} IS NOT NULL THEN {sv} {op} {secs} ELSE {dv} {op} {} END)",
                day(b.day)
            ),
            None => format!("{dv} {op} {}", day(b.day)),
        };
        let plain = |n: i32| DateVal::day(n);
        // (condition on a present value, whether empty matches)
        let (on_value, empty) = match t {
            DateTest::Is(bs) => (join(bs.iter().map(|b| cmp("=", b)), " OR "), false),
            DateTest::Before(b) => (cmp("<", b), true),
            DateTest::OnOrBefore(b) => (cmp("<=", b), true),
            DateTest::After(b) => (cmp(">", b), false),
            DateTest::OnOrAfter(b) => (cmp(">=", b), false),
            DateTest::Between(a, b) => (format!("{} AND {}", cmp(">=", a), cmp("<=", b)), false),
            DateTest::InPast(n, unit) => {
                let from = date::shift(self.as_of, -(*n as i64), *unit);
                (
                    format!(
                        "{} AND {}",
                        cmp(">=", &plain(from)),
                        cmp("<=", &plain(self.as_of))
                    ),
                    false,
                )
            }
            DateTest::InFuture(n, unit) => {
                let to = date::shift(self.as_of, *n as i64, *unit);
                (
                    format!(
                        "{} AND {}",
                        cmp(">=", &plain(self.as_of)),
                        cmp("<=", &plain(to))
                    ),
                    false,
                )
            }
        };
        if empty {
            // Marketo: `before` and `on or before` also match empty.
            format!("({dv} IS NULL OR {on_value})")
        } else {
            format!("({dv} IS NOT NULL AND {on_value})")
        }
    }
}

/// `(a SEP b SEP c)`, or just `a` for one part.
fn join(parts: impl Iterator<Item = String>, sep: &str) -> String {
    let parts: Vec<String> = parts.collect();
    if parts.len() == 1 {
        return parts.into_iter().next().expect("one part");
    }
    format!("({})", parts.join(sep))
}

/// The text constants that the program's tests compare a field with.
pub fn text_constants(program: &Program, field: FieldId) -> Vec<&str> {
    program
        .conds
        .iter()
        .filter_map(|c| match &c.kind {
            Cond::Filter(f) if f.field == field => match &f.test {
                Test::Text { values, .. } => Some(values.iter().map(String::as_str)),
                _ => None,
            },
            _ => None,
        })
        .flatten()
        .collect()
}

/// The typed value of trimmed text `t`, as the engine decodes it.
pub fn typed_value(d: Dialect, ty: Type, t: &str) -> String {
    match ty {
        Type::Text => unreachable!("text is folded in steps; see lower_steps"),
        Type::Number => d.number(t),
        // The engine compares these words without ASCII case; no other character lower-cases
        // into one of them.
        Type::Boolean => format!(
            "CASE WHEN lower({t}) IN ('true', 'yes', '1') THEN 1 WHEN lower({t}) IN ('false', 'no', '0') THEN 0 END"
        ),
        Type::Date => unreachable!("dates are decoded in steps; see date_parts"),
    }
}

/// The parts of a date or date-time in trimmed text `t`, each NULL when `t` does not have the
/// shape of one: `(name suffix, expression)` pairs.
pub fn date_parts(d: Dialect, t: &str) -> Vec<(&'static str, String)> {
    let ok = d.date_shape(t);
    let int = |from: &str, len: usize| d.int(&format!("substr({t}, {from}, {len})"));
    let when = |cond: &str, v: String| format!("CASE WHEN {cond} THEN {v} END");
    let timed = format!("{ok} AND length({t}) > 10");
    // Offsets are read from the end: `±HH:MM` or `±HHMM`; no other part of a time has a sign.
    let long_off = format!(
        "substr({t}, length({t}) - 5, 1) IN ('+', '-') AND substr({t}, length({t}) - 2, 1) = ':'"
    );
    let short_off = format!("substr({t}, length({t}) - 4, 1) IN ('+', '-')");
    let off_part = |long_from: &str, short_from: &str| {
        format!(
            "CASE WHEN {long_off} THEN {} WHEN {short_off} THEN {} ELSE 0 END",
            int(&format!("length({t}) - {long_from}"), 2),
            int(&format!("length({t}) - {short_from}"), 2)
        )
    };
    vec![
        ("y", when(&ok, int("1", 4))),
        ("mo", when(&ok, int("6", 2))),
        ("dd", when(&ok, int("9", 2))),
        (
            "hh",
            format!("CASE WHEN {timed} THEN {} ELSE 0 END", int("12", 2)),
        ),
        (
            "mi",
            format!("CASE WHEN {timed} THEN {} ELSE 0 END", int("15", 2)),
        ),
        (
            "ss",
            format!(
                "CASE WHEN {timed} AND substr({t}, 17, 1) = ':' THEN {} ELSE 0 END",
                int("18", 2)
            ),
        ),
        ("timed", format!("CASE WHEN {timed} THEN 1 ELSE 0 END")),
        (
            "osign",
            format!(
                "CASE WHEN {timed} AND (({long_off} AND substr({t}, length({t}) - 5, 1) = '-') OR (NOT ({long_off}) AND substr({t}, length({t}) - 4, 1) = '-')) THEN -1 ELSE 1 END"
            ),
        ),
        (
            "oh",
            format!("CASE WHEN {timed} THEN {} ELSE 0 END", off_part("4", "3")),
        ),
        (
            "om",
            format!("CASE WHEN {timed} THEN {} ELSE 0 END", off_part("1", "1")),
        ),
    ]
}

/// Whether the parts (columns named `prefix` + suffix) make a real calendar day and time, and
/// the day number (days since 1970-01-01) of the calendar date, by Howard Hinnant's algorithm
/// shifted by 400 years so that every division is of non-negative numbers.
pub fn date_checks(d: Dialect, col: &dyn Fn(&str) -> String) -> (String, String) {
    let (y, mo, dd) = (col("y"), col("mo"), col("dd"));
    let leap = format!("(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)");
    let dim = format!(
        "CASE WHEN {mo} IN (4, 6, 9, 11) THEN 30 WHEN {mo} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 END"
    );
    let valid = format!(
        "{y} IS NOT NULL AND {mo} BETWEEN 1 AND 12 AND {dd} BETWEEN 1 AND {dim} AND {} <= 23 AND {} <= 59 AND {} <= 60 AND {} <= 23 AND {} <= 59",
        col("hh"),
        col("mi"),
        col("ss"),
        col("oh"),
        col("om")
    );
    let yy = format!("({y} - CASE WHEN {mo} <= 2 THEN 1 ELSE 0 END + 400)");
    let era = d.idiv(&yy, "400");
    let yoe = format!("({yy} - {era} * 400)");
    let doy = format!(
        "({} + {dd} - 1)",
        d.idiv(&format!("153 * (({mo} + 9) % 12) + 2"), "5")
    );
    let doe = format!(
        "({yoe} * 365 + {} - {} + {doy})",
        d.idiv(&yoe, "4"),
        d.idiv(&yoe, "100")
    );
    let days = format!("({era} * 146097 + {doe} - 719468 - 146097)");
    (valid, days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_exactly() {
        for x in [0.0, 40.0, -3.0, 40.5, 0.1, 1e20, 1.5e-7, 123456789012345.0] {
            let s = number(x);
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
        }
        assert_eq!(number(40.0), "40");
    }

    #[test]
    fn folding_covers_the_upper_cases_of_constants() {
        let lower = |c: &[&str]| apply(&lower_steps(Dialect::Sqlite, c), "x");
        let e = lower(&["françe"]);
        assert!(e.contains("'Ç'"), "{e}");
        let plain = lower(&["germany"]);
        assert_eq!(plain, "lower(x)");
        let kelvin = lower(&["kiel"]);
        assert!(
            kelvin.contains('\u{212A}') && kelvin.contains('\u{130}'),
            "{kelvin}"
        );
    }
}
