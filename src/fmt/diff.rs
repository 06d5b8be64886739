//! A unified-style line diff, for `revc fmt --check`.

/// The diff between `old` and `new` in unified style (`---`/`+++` headers, `@@` hunks with
/// three lines of context); empty when they are equal.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = edit_script(&a, &b);
    if ops.iter().all(|o| matches!(o, Op::Same(..))) {
        return String::new();
    }
    let mut out = format!("--- {path}\n+++ {path} (formatted)\n");
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&i| !matches!(ops[i], Op::Same(..)))
        .collect();
    // Group changes whose context would touch into one hunk.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &i in &changed {
        let (lo, hi) = (i.saturating_sub(CONTEXT), (i + CONTEXT + 1).min(ops.len()));
        match hunks.last_mut() {
            Some(h) if lo <= h.1 => h.1 = hi,
            _ => hunks.push((lo, hi)),
        }
    }
    for (lo, hi) in hunks {
        let (mut a_start, mut b_start) = (1, 1);
        for op in &ops[..lo] {
            match op {
                Op::Same(..) => {
                    a_start += 1;
                    b_start += 1;
                }
                Op::Del(_) => a_start += 1,
                Op::Add(_) => b_start += 1,
            }
        }
        let a_len = ops[lo..hi]
            .iter()
            .filter(|o| !matches!(o, Op::Add(_)))
            .count();
        let b_len = ops[lo..hi]
            .iter()
            .filter(|o| !matches!(o, Op::Del(_)))
            .count();
        out += &format!("@@ -{a_start},{a_len} +{b_start},{b_len} @@\n");
        for op in &ops[lo..hi] {
            match op {
                Op::Same(i) => out += &format!(" {}\n", a[*i]),
                Op::Del(i) => out += &format!("-{}\n", a[*i]),
                Op::Add(j) => out += &format!("+{}\n", b[*j]),
            }
        }
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Same(usize),
    Del(usize),
    Add(usize),
}

/// An edit script by longest common subsequence over the lines that differ (common prefix and
/// suffix trimmed first). Beyond a few million cells the middle is shown as replaced whole,
/// which is still a correct diff.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    let mut ops: Vec<Op> = (0..pre).map(Op::Same).collect();
    let (n, m) = (am.len(), bm.len());
    if n * m > 4_000_000 {
        ops.extend((0..n).map(|i| Op::Del(pre + i)));
        ops.extend((0..m).map(|j| Op::Add(pre + j)));
    } else {
        // lcs[i][j]: LCS length of am[i..] and bm[j..].
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        let at = |i: usize, j: usize| i * (m + 1) + j;
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[at(i, j)] = if am[i] == bm[j] {
                    lcs[at(i + 1, j + 1)] + 1
                } else {
                    lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                ops.push(Op::Same(pre + i));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
                ops.push(Op::Del(pre + i));
                i += 1;
            } else {
                ops.push(Op::Add(pre + j));
                j += 1;
            }
        }
    }
    let da = a.len() - suf;
    ops.extend((0..suf).map(|k| Op::Same(da + k)));
    ops
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("f", "a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn a_changed_line_is_a_hunk_with_context() {
        let old = "1\n2\n3\n4\nx\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\ny\n6\n7\n8\n9\n";
        let want = "--- f\n+++ f (formatted)\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-x\n+y\n 6\n 7\n 8\n";
        assert_eq!(unified("f", old, new), want);
    }
}
