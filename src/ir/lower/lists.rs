//! Smart lists: numbered filters, the match expression compiled over them, and cycles.

use super::Lowerer;
use crate::diag::{Code, Diagnostic};
use crate::ir::{
    Cond, CondId, ListFilter, MAX_COND_DEPTH, MatchKind, SmartList, SmartListId, name_key,
};
use crate::span::Span;
use crate::syntax::ast::{self, Item, Match, MatchExpr};
use std::collections::HashMap;

/// Lists of a cycle named in its message and labelled, at most.
const MAX_CYCLE_SHOWN: usize = 8;

impl Lowerer {
    /// Gives every smart list an id first, so that conditions anywhere can name any list.
    pub(super) fn register_lists(&mut self, file: &ast::File) {
        for item in &file.items {
            let Item::SmartList(l) = item else { continue };
            let key = name_key(&l.name.text);
            if let Some(&(_, first)) = self.lists_by_key.get(&key) {
                self.error(
                    Diagnostic::error(
                        Code::DuplicateSmartList,
                        format!("smart list `{}` is declared twice", l.name.text),
                        l.name.span,
                        "declared again here",
                    )
                    .with_label(first, "first declared here")
                    .with_help("rename one of them, or merge their filters"),
                );
                continue;
            }
            let name = self.intern(&l.name.text);
            // The condition is filled in by `lower_lists`; a placeholder keeps ids stable.
            let placeholder = self.push_cond(Cond::And(Vec::new()), l.span);
            self.program.smart_lists.push(SmartList {
                name,
                filters: Vec::new(),
                matcher: MatchKind::All,
                cond: placeholder,
                span: l.span,
            });
            let id = SmartListId(self.program.smart_lists.len() as u32 - 1);
            self.lists_by_key.insert(key, (id, l.name.span));
        }
    }

    /// Lowers each list's filters and compiles its match expression.
    pub(super) fn lower_lists(&mut self, file: &ast::File) {
        for item in &file.items {
            let Item::SmartList(l) = item else { continue };
            let Some(&(id, span)) = self.lists_by_key.get(&name_key(&l.name.text)) else {
                continue;
            };
            if span != l.name.span {
                continue; // a duplicate, already reported
            }
            let mut filters = Vec::new();
            let mut by_number: HashMap<u32, (CondId, Span)> = HashMap::new();
            for lf in &l.filters {
                let cond = self.lower_cond(&lf.cond);
                let Ok(number) = lf.number.text.parse::<u32>() else {
                    self.error(
                        Diagnostic::error(
                            Code::UnknownFilterNumber,
                            format!("filter number `{}` is too large", lf.number.text),
                            lf.number.span,
                            "not a filter number",
                        )
                        .with_help("number filters 1, 2, 3, ..."),
                    );
                    continue;
                };
                if let Some(&(_, first)) = by_number.get(&number) {
                    self.error(
                        Diagnostic::error(
                            Code::DuplicateFilterNumber,
                            format!(
                                "filter number {number} is used twice in smart list `{}`",
                                l.name.text
                            ),
                            lf.number.span,
                            "used again here",
                        )
                        .with_label(first, "first used here")
                        .with_help("give each filter its own number"),
                    );
                    continue;
                }
                if let Some(cond) = cond {
                    by_number.insert(number, (cond, lf.number.span));
                    filters.push(ListFilter {
                        number,
                        cond,
                        span: lf.span,
                    });
                }
            }
            let conds: Vec<CondId> = filters.iter().map(|f| f.cond).collect();
            let (matcher, kind) = match &l.matcher {
                None | Some(Match::All(_)) => (MatchKind::All, Some(Cond::And(conds))),
                Some(Match::Any(_)) => (MatchKind::Any, Some(Cond::Or(conds))),
                Some(Match::Expr(e)) => (
                    MatchKind::Expr,
                    self.match_expr(e, &by_number, &l.name.text)
                        .map(|c| self.program.cond(c).kind.clone()),
                ),
            };
            let list = &mut self.program.smart_lists[id.index()];
            list.filters = filters;
            list.matcher = matcher;
            let cond = list.cond;
            if let Some(kind) = kind {
                self.program.conds[cond.index()].kind = kind;
            }
        }
    }

    fn match_expr(
        &mut self,
        e: &MatchExpr,
        by_number: &HashMap<u32, (CondId, Span)>,
        list: &str,
    ) -> Option<CondId> {
        match e {
            MatchExpr::Ref(w) => {
                let found = w.text.parse::<u32>().ok().and_then(|n| by_number.get(&n));
                match found {
                    Some(&(id, _)) => Some(id),
                    None => {
                        let mut have: Vec<u32> = by_number.keys().copied().collect();
                        have.sort_unstable();
                        let have: Vec<String> = have.iter().map(u32::to_string).collect();
                        self.error(
                            Diagnostic::error(
                                Code::UnknownFilterNumber,
                                format!("smart list `{list}` has no filter {}", w.text),
                                w.span,
                                "no filter has this number",
                            )
                            .with_help(if have.is_empty() {
                                "the list has no filters; add `1: FIELD OPERATOR VALUE` lines"
                                    .to_string()
                            } else {
                                format!("its filters are numbered {}", have.join(", "))
                            }),
                        );
                        None
                    }
                }
            }
            MatchExpr::Not(inner, span) => {
                let id = self.match_expr(inner, by_number, list)?;
                Some(self.push_cond(Cond::Not(id), *span))
            }
            MatchExpr::And(parts, span) | MatchExpr::Or(parts, span) => {
                let ids: Vec<Option<CondId>> = parts
                    .iter()
                    .map(|p| self.match_expr(p, by_number, list))
                    .collect();
                let ids: Vec<CondId> = ids.into_iter().collect::<Option<_>>()?;
                let kind = if matches!(e, MatchExpr::And(..)) {
                    Cond::And(ids)
                } else {
                    Cond::Or(ids)
                };
                Some(self.push_cond(kind, *span))
            }
        }
    }

    /// Reports smart lists that include each other, once per cycle; true when there is none.
    pub(super) fn check_list_cycles(&mut self) -> bool {
        let mut acyclic = true;
        let n = self.program.smart_lists.len();
        // Edges: list -> (list it names, span of the `in smart list` test).
        let mut edges: Vec<Vec<(SmartListId, Span)>> = vec![Vec::new(); n];
        for (i, list) in self.program.smart_lists.iter().enumerate() {
            let mut stack = vec![list.cond];
            let mut seen = std::collections::HashSet::new();
            while let Some(c) = stack.pop() {
                if !seen.insert(c) {
                    continue;
                }
                let node = self.program.cond(c);
                match &node.kind {
                    Cond::And(p) | Cond::Or(p) => stack.extend(p.iter().copied()),
                    Cond::Not(x) => stack.push(*x),
                    Cond::InList(l) => edges[i].push((*l, node.span)),
                    Cond::Filter(_) => {}
                }
            }
            edges[i].sort_by_key(|(_, s)| *s);
        }
        // Depth-first search with colours; a grey target closes a cycle.
        let mut colour = vec![0u8; n];
        let mut reported = vec![false; n];
        for start in 0..n {
            if colour[start] != 0 {
                continue;
            }
            let mut path: Vec<(usize, usize)> = vec![(start, 0)];
            colour[start] = 1;
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                if *next == edges[node].len() {
                    colour[node] = 2;
                    path.pop();
                    continue;
                }
                let (to, span) = edges[node][*next];
                *next += 1;
                let to = to.index();
                if colour[to] == 1 {
                    let pos = path.iter().position(|&(p, _)| p == to).unwrap_or(0);
                    let members: Vec<usize> = path[pos..].iter().map(|&(p, _)| p).collect();
                    acyclic = false;
                    if !members.iter().any(|&m| reported[m]) {
                        members.iter().for_each(|&m| reported[m] = true);
                        self.report_cycle(&members, &edges, span);
                    }
                } else if colour[to] == 0 {
                    colour[to] = 1;
                    path.push((to, 0));
                }
            }
        }
        acyclic
    }

    /// Reports the first `in smart list` test (by position) through which a condition nests
    /// deeper than [`MAX_COND_DEPTH`]. Runs only without cycles, and iteratively, since the
    /// depth it measures is what would overflow a recursive walk.
    pub(super) fn check_depth(&mut self) {
        let conds = &self.program.conds;
        let lists = &self.program.smart_lists;
        let children = |c: CondId| -> Vec<CondId> {
            match &conds[c.index()].kind {
                Cond::And(p) | Cond::Or(p) => p.clone(),
                Cond::Not(x) => vec![*x],
                Cond::InList(l) => vec![lists[l.index()].cond],
                Cond::Filter(_) => Vec::new(),
            }
        };
        // depth[c]: levels from c down to its deepest filter, 0 while unknown.
        let mut depth = vec![0u32; conds.len()];
        for root in 0..conds.len() {
            if depth[root] != 0 {
                continue;
            }
            let mut stack = vec![(CondId(root as u32), false)];
            while let Some((c, expanded)) = stack.pop() {
                if depth[c.index()] != 0 {
                    continue;
                }
                let kids = children(c);
                if expanded {
                    let deepest = kids.iter().map(|k| depth[k.index()]).max().unwrap_or(0);
                    depth[c.index()] = deepest + 1;
                } else {
                    stack.push((c, true));
                    stack.extend(
                        kids.into_iter()
                            .filter(|k| depth[k.index()] == 0)
                            .map(|k| (k, false)),
                    );
                }
            }
        }
        let worst = conds
            .iter()
            .enumerate()
            .filter(|(i, n)| {
                matches!(n.kind, Cond::InList(_)) && depth[*i] as usize > MAX_COND_DEPTH
            })
            .min_by_key(|(_, n)| n.span.start);
        if let Some((_, node)) = worst {
            let span = node.span;
            self.error(
                Diagnostic::error(
                    Code::Limit,
                    format!(
                        "smart lists include each other more than {MAX_COND_DEPTH} levels deep"
                    ),
                    span,
                    "the chain of included smart lists starts here",
                )
                .with_help(
                    "include fewer levels: merge the filters of a list into the list that \
                     includes it",
                ),
            );
        }
    }

    fn report_cycle(
        &mut self,
        members: &[usize],
        edges: &[Vec<(SmartListId, Span)>],
        closing: Span,
    ) {
        let names: Vec<String> = members
            .iter()
            .map(|&m| {
                self.program
                    .name(self.program.smart_lists[m].name)
                    .to_string()
            })
            .collect();
        // A cycle through thousands of lists would make a message and a label per list, and
        // rendering that many labels is quadratic: the first few tell the story.
        let mut chain: Vec<String> = names
            .iter()
            .take(MAX_CYCLE_SHOWN)
            .map(|n| format!("`{n}`"))
            .collect();
        if names.len() > MAX_CYCLE_SHOWN {
            chain.push(format!("... ({} lists in all)", names.len()));
        }
        chain.push(format!("`{}`", names[0]));
        let mut d = Diagnostic::error(
            Code::SmartListCycle,
            format!("smart lists include each other: {}", chain.join(" -> ")),
            closing,
            "this test closes the cycle",
        )
        .with_help(
            "a smart list cannot depend on itself; move the shared filters into a third list",
        );
        for (k, &m) in members.iter().enumerate().take(MAX_CYCLE_SHOWN) {
            let next = members[(k + 1) % members.len()];
            if let Some(&(_, span)) = edges[m].iter().find(|(t, _)| t.index() == next)
                && span != closing
            {
                d = d.with_label(
                    span,
                    format!("`{}` includes `{}`", names[k], names[(k + 1) % names.len()]),
                );
            }
        }
        self.error(d);
    }
}
