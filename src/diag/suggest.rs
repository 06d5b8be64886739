//! Did-you-mean: the closest known name to a misspelled one.

/// Edit distance (Levenshtein) between two strings, by characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Work allowed to the did-you-mean searches of one file, in steps of the edit distance (one
/// step per pair of characters compared). A file of many unknown names among many known ones
/// would otherwise be quadratic; once it is spent, errors keep their help line without a
/// suggestion (the first errors, which are fixed first, get theirs).
#[derive(Clone, Debug)]
pub struct Budget(pub u64);

impl Default for Budget {
    /// Fifty million steps: a fraction of a second, and hundreds of searches among hundreds of
    /// names of ordinary length.
    fn default() -> Self {
        Budget(50_000_000)
    }
}

/// The candidates closest to `name` (compared without case), best first; only those close enough
/// to be a plausible typo (distance at most a third of the longer name, and at least 1).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    closest_within(name, candidates, &mut Budget(u64::MAX)).unwrap_or_default()
}

/// [`closest`] within a budget of work; `None` when the budget ran out before every candidate
/// was compared (a partial answer could miss the best candidate).
pub fn closest_within<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    budget: &mut Budget,
) -> Option<Vec<&'a str>> {
    let wanted = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = Vec::new();
    for c in candidates {
        let cost = (c.len() as u64 + 1) * (wanted.len() as u64 + 1);
        if cost > budget.0 {
            // Stop at once: looking at the rest would cost time for no answer.
            budget.0 = 0;
            return None;
        }
        budget.0 -= cost;
        let lc = c.to_lowercase();
        let (lw, ll) = (wanted.chars().count(), lc.chars().count());
        let limit = (lw.max(ll) / 3).max(1);
        let contains = lc.contains(&wanted) || wanted.contains(&lc);
        // The distance is at least the difference in length: when that is already past the
        // limit, the costly distance is skipped.
        let d = if lw.abs_diff(ll) > limit && !contains {
            lw.abs_diff(ll)
        } else {
            distance(&wanted, &lc)
        };
        if d <= limit || (contains && !lc.is_empty() && !wanted.is_empty()) {
            scored.push((d, c));
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    Some(scored.into_iter().map(|(_, c)| c).collect())
}

/// A help line `did you mean `X`?`, if some candidate is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates)
        .first()
        .map(|c| format!("did you mean `{c}`?"))
}

/// [`did_you_mean`] within a budget of work shared by a file's searches.
pub fn did_you_mean_within<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    budget: &mut Budget,
) -> Option<String> {
    closest_within(name, candidates, budget)?
        .first()
        .map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("Sales Laed", ["Known", "Sales Lead"]),
            Some("did you mean `Sales Lead`?".into())
        );
        assert_eq!(did_you_mean("Zebra", ["Known", "Sales Lead"]), None);
    }

    #[test]
    fn a_spent_budget_gives_no_suggestion() {
        let mut budget = Budget(1_000);
        assert_eq!(
            did_you_mean_within("Sales Laed", ["Known", "Sales Lead"], &mut budget),
            Some("did you mean `Sales Lead`?".into())
        );
        assert!(budget.0 < 1_000);
        let long = "x".repeat(100);
        assert_eq!(
            did_you_mean_within("Sales Laed", [long.as_str(), "Sales Lead"], &mut budget),
            None
        );
        assert_eq!(budget.0, 0);
        assert_eq!(
            did_you_mean_within("Sales Laed", ["Sales Lead"], &mut budget),
            None
        );
    }
}
