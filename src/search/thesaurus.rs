//! Words of the same meaning, from WordNet: what a query means in words its
//! passage does not use ("casket" for a passage saying "coffin", "chopper"
//! for "helicopter").
//!
//! The table is built by `build.rs` from WordNet's synonym lists (the
//! `thesaurus-wordnet` crate's data): one line per single-word headword,
//! `word\tsynonym synonym …`, sorted, synonyms in WordNet's order (the
//! commonest sense first). It is embedded in the binary and searched in
//! place, so a search pays nothing to load it.
//!
//! WordNet knows no sense from context and many of its synonyms belong to
//! rare senses ("flier" is also a handbill), so the planner takes only
//! the first few that the index holds, weighs them below the words typed
//! and lets them count only where the word typed is missing.

use std::cmp::Ordering;

static TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/thesaurus.txt"));

/// The synonyms of a folded word, WordNet's commonest sense first; none
/// for a word WordNet does not know as a headword.
fn listed(word: &str) -> impl Iterator<Item = &'static str> {
    let line = find(word).unwrap_or("");
    line.split_once('\t')
        .map_or("", |(_, syns)| syns)
        .split(' ')
        .filter(|s| !s.is_empty())
}

/// The table's line for `word`, by binary search over byte positions, each
/// widened to the line it falls in.
fn find(word: &str) -> Option<&'static str> {
    let (mut lo, mut hi) = (0usize, TABLE.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = TABLE[..mid].rfind('\n').map_or(0, |i| i + 1).max(lo);
        let end = TABLE[start..].find('\n').map_or(TABLE.len(), |i| start + i);
        let line = &TABLE[start..end];
        let head = line.split_once('\t').map_or(line, |(h, _)| h);
        match head.cmp(word) {
            Ordering::Equal => return Some(line),
            Ordering::Less => lo = end + 1,
            Ordering::Greater => hi = start,
        }
    }
    None
}

/// The synonyms of a word as it appears in a query, inflected or not:
/// WordNet lists base forms (`canine`, not `canines`; `abdicate`, not
/// `abdicated`), so the word's own line is tried first and then the base
/// forms its ending suggests.
pub(crate) fn synonyms(exact: &str) -> Vec<&'static str> {
    for base in base_forms(exact) {
        let found: Vec<&'static str> = listed(&base).collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// `exact`, then the words it may inflect: `dogs` -> `dog`, `studies` ->
/// `study`, `abdicated` -> `abdicate`, `abdicat`, `stopped` -> `stop`,
/// `running` -> `run`.
fn base_forms(exact: &str) -> Vec<String> {
    let mut out = vec![exact.to_string()];
    let mut add = |s: String| {
        if s.len() >= 2 && !out.contains(&s) {
            out.push(s);
        }
    };
    let undouble = |stem: &str| -> Option<String> {
        let b = stem.as_bytes();
        (b.len() >= 3 && b[b.len() - 1] == b[b.len() - 2]).then(|| stem[..stem.len() - 1].into())
    };
    if let Some(s) = exact.strip_suffix("ies") {
        add(format!("{s}y"));
    }
    if let Some(s) = exact.strip_suffix("es") {
        add(s.to_string());
    }
    if let Some(s) = exact.strip_suffix('s') {
        add(s.to_string());
    }
    if let Some(s) = exact.strip_suffix("ied") {
        add(format!("{s}y"));
    }
    if let Some(s) = exact.strip_suffix("ed") {
        add(format!("{s}e"));
        add(s.to_string());
        if let Some(u) = undouble(s) {
            add(u);
        }
    }
    if let Some(s) = exact.strip_suffix("ing") {
        add(format!("{s}e"));
        add(s.to_string());
        if let Some(u) = undouble(s) {
            add(u);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_every_line_is_found() {
        let mut last = "";
        let mut n = 0;
        for line in TABLE.lines() {
            let head = line.split_once('\t').expect("a tab").0;
            assert!(head > last, "{last} then {head}");
            assert_eq!(find(head), Some(line));
            last = head;
            n += 1;
        }
        assert!(n > 10_000, "{n} headwords");
        assert_eq!(find("zzzzzz"), None);
        assert_eq!(find(""), None);
        assert_eq!(find("aaaaaa"), None);
    }

    #[test]
    fn synonyms_come_from_the_base_form() {
        assert!(synonyms("casket").contains(&"coffin"));
        assert!(synonyms("caskets").contains(&"coffin"));
        assert!(synonyms("chopper").contains(&"helicopter"));
        assert!(synonyms("abdicated").contains(&"renounce"));
        assert!(synonyms("studies")
            .iter()
            .any(|s| *s == "survey" || *s == "report"));
        assert!(synonyms("qwxzv").is_empty());
    }
}
