//! Syntax errors in the language's words: what was expected and what was found, never rule names.

use super::{RevParser, Rule};
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use pest::Parser;
use pest::error::{Error, ErrorVariant, InputLocation};

/// Converts a pest error from parsing `src[offset..]` into a diagnostic; also returns the error's
/// offset in the file.
pub(super) fn syntax_error(src: &str, offset: usize, err: &Error<Rule>) -> (Diagnostic, usize) {
    let rel = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut pos = offset + rel;
    let mut expected: Vec<&'static str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for r in positives {
            push_unique(&mut expected, describe(*r));
        }
    }
    for tok in literal_tokens(&src[offset..], rel) {
        push_unique(&mut expected, tok);
    }
    expected.retain(|e| !e.is_empty());
    // A value or name may be quoted, so "a quoted name" beside them says nothing new.
    if expected.contains(&"a value") || expected.contains(&"a name") {
        expected.retain(|e| *e != "a quoted name");
    }
    // Nothing expected and nothing consumed: the block's first word is not a block keyword.
    if expected.is_empty() && src[offset..pos].trim().is_empty() {
        expected.extend(BLOCK_KEYWORDS);
    }
    if let Some(d) = unterminated_quote(src, pos) {
        return (d, pos);
    }
    // Names and values never cross lines: when the line stops early, the error is at its end,
    // not at whatever starts the next line.
    if [
        "a value",
        "a name",
        "a number",
        "an operator",
        "a condition",
    ]
    .iter()
    .any(|e| expected.contains(e))
    {
        pos = end_of_previous_line(src, offset, pos);
    }
    // An unclosed block runs into the next one; the rest of what could continue it is noise.
    if expected.contains(&"`}`") && starts_block(src, pos) {
        expected = vec!["`}`"];
    }
    let found = found_at(src, pos);
    let message = format!("expected {}, found {found}", join_or(&expected));
    let len = found_len(src, pos);
    let mut diag = Diagnostic::error(
        Code::Syntax,
        message,
        Span::new(pos, pos + len),
        format!("expected {} here", join_or(&expected)),
    );
    diag.help = Some(help_for(&expected, src, pos));
    (diag, pos)
}

/// The words that start a top-level block.
const BLOCK_KEYWORDS: [&str; 5] = [
    "`fields`",
    "`smart list`",
    "`model`",
    "`campaign`",
    "`test`",
];

/// If `pos` is at a quote that the line never closes, the error says so.
fn unterminated_quote(src: &str, pos: usize) -> Option<Diagnostic> {
    let rest = &src[pos..];
    if !rest.starts_with('"') {
        return None;
    }
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let line = line.trim_end_matches('\r');
    let mut escaped = false;
    for c in line[1..].chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return None,
            _ => {}
        }
    }
    Some(
        Diagnostic::error(
            Code::Syntax,
            "quoted text is not closed on its line",
            Span::new(pos, pos + line.len()),
            "this quote has no closing `\"`",
        )
        .with_help(
            "close the quote before the end of the line; write `\\\"` for a quote inside it",
        ),
    )
}

/// When only whitespace and comments lie between the last token before `pos` and `pos`, and
/// they hold a line break, the end of that token; otherwise `pos`.
fn end_of_previous_line(src: &str, offset: usize, pos: usize) -> usize {
    let before = &src[offset..pos];
    let mut end = before.len();
    loop {
        let trimmed = before[..end].trim_end();
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        // A comment on the previous line is skipped too (a `#` inside quotes is not one).
        match super::build::comment_start(&trimmed[line_start..]) {
            Some(i) => end = line_start + i,
            None => {
                end = trimmed.len();
                break;
            }
        }
    }
    if before[end..].contains('\n') {
        offset + end
    } else {
        pos
    }
}

fn push_unique(v: &mut Vec<&'static str>, s: &'static str) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Punctuation pest expected at the error (string literals are not rules, so they are only in
/// the detailed parse attempts, which are costly and so collected only after a failure).
fn literal_tokens(rest: &str, rel: usize) -> Vec<&'static str> {
    pest::set_error_detail(true);
    let again = RevParser::parse(Rule::next_item, rest);
    pest::set_error_detail(false);
    let Err(err) = again else { return Vec::new() };
    let Some(attempts) = err.parse_attempts() else {
        return Vec::new();
    };
    if attempts.max_position != rel {
        return Vec::new();
    }
    let mut out = Vec::new();
    for tok in attempts.expected_tokens() {
        // Only punctuation is wanted here; keywords come from the rules.
        {
            let t = match tok.to_string().as_str() {
                "{" => "`{`",
                "}" => "`}`",
                "(" => "`(`",
                ")" => "`)`",
                ":" => "`:`",
                "," => "`,`",
                "->" => "`->`",
                "\"" => "a quoted name",
                _ => continue,
            };
            out.push(t);
        }
    }
    out
}

/// What a grammar rule is, in the language's words.
fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "end of file",
        fields_block | kw_fields => "`fields`",
        smart_list | kw_smart_list | campaign_list => "`smart list`",
        model | kw_model => "`model`",
        campaign | kw_campaign => "`campaign`",
        test_block | kw_test => "`test`",
        test_lead | kw_lead => "`lead`",
        lead_entry => "a field and its value like `Country: Germany`",
        test_expect | kw_expect => "`expect`",
        kw_in_stage => "`in stage`",
        kw_by => "`by`",
        expect_via => "`rule`, `transition` or `default`",
        name | quoted | bare_name | decl_name | bare_decl | model_ref | bare_model | phase_name
        | expect_model | bare_expect | expect_stage | bare_by => "a name",
        value | value_list | bare_value | date | datetime => "a value",
        number | sla_amount => "a number",
        condition | conjunction | negation | membership | filter => "a condition",
        empty_test | between | relative | comparison | comparator | op_is_not_empty
        | op_is_empty | op_is_not | op_is | op_not_contains | op_contains | op_not_starts_with
        | op_starts_with | op_not_ends_with | op_ends_with | op_at_least | op_at_most
        | op_greater_than | op_less_than | op_between | op_on_or_before | op_on_or_after
        | op_before | op_after | op_in_past | op_in_future => "an operator",
        op_in_smart_list | op_not_in_smart_list => "`in smart list`",
        time_unit => "`days`, `weeks`, `months` or `years`",
        sla_unit => "`hours`, `days` or `weeks`",
        arrow => "`->`",
        filter_number | match_expr | match_and | match_not => "a filter number",
        list_filter => "a numbered filter like `1: Country is France`",
        match_clause | kw_match => "`match`",
        kw_all => "`all`",
        kw_any => "`any`",
        field_decl => "a field declaration like `Country text`",
        field_type => "a field type (`text`, `number`, `date` or `boolean`)",
        status_line | kw_status => "`status`",
        status_word => "a status (`draft`, `stages approved` or `approved`)",
        stage_decl | kw_stage => "`stage`",
        kw_detour => "`detour`",
        stage_kind | kind_inventory | kind_gate | kind_sla => "a stage kind",
        phase | kw_phase => "`phase`",
        transition | kw_transition => "`transition`",
        assignment_rules | kw_assignment => "`assignment rules`",
        rule_if | kw_if => "`if`",
        rule_default | kw_default => "`default`",
        kw_then => "`then`",
        kw_when => "`when`",
        kw_otherwise => "`otherwise`",
        kw_change | campaign_move => "`change revenue stage in`",
        kw_to => "`to`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not => "`not`",
        _ => "",
    }
}

fn join_or(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What stands at `pos`, for "found ...".
fn found_at(src: &str, pos: usize) -> String {
    let rest = &src[pos..];
    match rest.chars().next() {
        None => "end of file".into(),
        Some('\n') | Some('\r') => "end of line".into(),
        Some(c) if !is_word_char(c) => format!("`{c}`"),
        Some(_) => {
            let word: String = rest
                .chars()
                .take_while(|&c| is_word_char(c))
                .take(40)
                .collect();
            format!("`{word}`")
        }
    }
}

fn found_len(src: &str, pos: usize) -> usize {
    let rest = &src[pos..];
    match rest.chars().next() {
        None | Some('\n') | Some('\r') => 0,
        Some(c) if !is_word_char(c) => c.len_utf8(),
        Some(_) => rest
            .char_indices()
            .find(|&(_, c)| !is_word_char(c))
            .map_or(rest.len(), |(i, _)| i),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '.'
}

fn help_for(expected: &[&str], src: &str, pos: usize) -> String {
    let word = found_at(src, pos);
    if expected.contains(&"an operator") {
        return "a filter is `FIELD OPERATOR VALUE`, e.g. `Lead Score at least 40`; quote a field \
                name that holds an operator word, e.g. `\"What is your current occupation\" is Student`"
            .into();
    }
    if expected.contains(&"a value") {
        return "write a value after the operator: a number, a date like 2024-06-01, a word, or \
                \"quoted text\""
            .into();
    }
    if expected.contains(&"`days`, `weeks`, `months` or `years`") {
        return "write e.g. `in past 30 days`; the units are days, weeks, months and years".into();
    }
    if expected.contains(&"`hours`, `days` or `weeks`") {
        return "an SLA is `sla N hours`, `sla N days` or `sla N weeks`".into();
    }
    if expected.contains(&"`then`") {
        return "an assignment rule is `if CONDITION then STAGE`".into();
    }
    if expected.contains(&"`->`") {
        return "a transition is `transition FROM -> TO when CONDITION`".into();
    }
    if expected.contains(&"`when`") || expected.contains(&"`otherwise`") {
        return "a transition is `transition FROM -> TO when CONDITION` or `transition FROM -> TO otherwise`"
            .into();
    }
    if expected.contains(&"`}`") && starts_block(src, pos) {
        return format!("a block is not closed: add `}}` before {word}");
    }
    if expected.contains(&"`fields`") || expected.contains(&"`model`") {
        let found = word.trim_matches('`');
        let keywords = ["fields", "smart list", "model", "campaign", "test"];
        // Keywords are short, so two edits is a typo here (`modle`, `campain`).
        let near = keywords
            .iter()
            .find(|k| crate::diag::suggest::distance(&found.to_lowercase(), k) <= 2);
        return match near {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!(
                "a file holds `fields`, `smart list`, `model`, `campaign` and `test` blocks; {word} starts none of them"
            ),
        };
    }
    "see docs/language.md for the form of each construct".into()
}

/// Whether a top-level block keyword stands at `pos`.
fn starts_block(src: &str, pos: usize) -> bool {
    let rest: String = src[pos..]
        .chars()
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    super::BLOCK_KEYWORDS.iter().any(|k| rest.starts_with(k))
}
