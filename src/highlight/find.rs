//! Finding the query's patterns among a passage's words, once: a word's
//! stem, its exact form or a prefix, and phrases exactly where tantivy's
//! phrase query matches them (in the order it merges their terms).

use std::ops::Range;

use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher, SegmentReader, Term};

use crate::text::{Analyzer, Word};

/// Something to find in a text, already analyzed into terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A word matching by stem (`ransacking` finds `ransacked`).
    Stem(String),
    /// A word matching by its folded form only.
    Exact(String),
    /// Any word starting with this folded text.
    Prefix(String),
    /// Folded words standing as tantivy's `PhraseQuery` with this slop
    /// matches them (see [`phrase_matches`]).
    Phrase {
        /// The folded terms.
        terms: Vec<String>,
        /// Extra words allowed in between.
        slop: u32,
    },
}

/// One place where a pattern stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Which pattern (index into the patterns given).
    pub pattern: usize,
    /// Byte ranges to mark: one per word, or one for a whole exact phrase.
    pub spans: Vec<Range<usize>>,
}

/// The words of `text`, stemmed where a [`Pattern::Stem`] could match them:
/// the English stemmer keeps a word's first letter (it rewrites endings
/// only), so a word whose first letter starts no stem searched for keeps an
/// empty stem, which matches none.
pub fn words_for(analyzer: &mut Analyzer, text: &str, patterns: &[Pattern]) -> Vec<Word> {
    let firsts: Vec<char> = patterns
        .iter()
        .filter_map(|p| match p {
            Pattern::Stem(s) => s.chars().next(),
            _ => None,
        })
        .collect();
    analyzer.words_stemming(text, |w| {
        w.chars().next().is_some_and(|c| firsts.contains(&c))
    })
}

/// Finds every occurrence of the patterns among `words`, in text order.
/// `freqs` tells in which order tantivy merges a sloppy phrase's terms for
/// this text (see [`phrase_matches`]).
pub fn find(patterns: &[Pattern], words: &[Word], freqs: Freqs<'_>) -> Vec<Found> {
    let mut out = Vec::new();
    for (p, pattern) in patterns.iter().enumerate() {
        let one_word = |w: &Word| match pattern {
            Pattern::Stem(s) => w.stem == *s,
            Pattern::Exact(e) => w.exact == *e,
            Pattern::Prefix(pre) => w.exact.starts_with(pre.as_str()),
            Pattern::Phrase { .. } => false,
        };
        match pattern {
            Pattern::Phrase { terms, slop } => {
                let order = if terms.len() > 2 && *slop > 0 {
                    freqs.merge_order(terms)
                } else {
                    Vec::new()
                };
                out.extend(
                    phrase_matches(terms, *slop, words, &order)
                        .into_iter()
                        .map(|at| Found {
                            pattern: p,
                            spans: phrase_spans(&at, words),
                        }),
                );
            }
            _ => out.extend(words.iter().filter(|w| one_word(w)).map(|w| Found {
                pattern: p,
                spans: vec![w.bytes.clone()],
            })),
        }
    }
    // Stable: at one word, the patterns stay in the order given.
    out.sort_by_key(|f| f.spans.first().map_or(0, |s| s.start));
    out
}

/// Where the order of tantivy's merge of a sloppy phrase's terms comes
/// from: it merges them by how many documents of the segment hold each,
/// fewest first (ties in phrase order).
#[derive(Clone, Copy)]
pub enum Freqs<'a> {
    /// No index (a text of its own): the phrase's order.
    Phrase,
    /// The segment holding the document, and the field phrases are
    /// searched in.
    Segment(&'a SegmentReader, Field),
}

impl<'a> Freqs<'a> {
    /// The segment of the document at `addr`; phrases searched in `field`.
    pub fn of(searcher: &'a Searcher, addr: DocAddress, field: Field) -> Freqs<'a> {
        Freqs::Segment(searcher.segment_reader(addr.segment_ord), field)
    }

    /// The order in which tantivy merges `terms` (indices into them).
    pub fn merge_order(self, terms: &[String]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..terms.len()).collect();
        if let Freqs::Segment(reader, field) = self {
            // A term dictionary that cannot be read leaves the phrase's
            // order: the search itself would have failed on it.
            if let Ok(inverted) = reader.inverted_index(field) {
                let freq = |t: &String| {
                    inverted
                        .doc_freq(&Term::from_field_text(field, t))
                        .unwrap_or(0)
                };
                let freqs: Vec<u32> = terms.iter().map(freq).collect();
                order.sort_by_key(|&i| freqs[i]);
            }
        }
        order
    }
}

/// The marks of one phrase occurrence: one span over the whole phrase when
/// its words stand together in order (across a line break too), else one
/// per word.
pub(super) fn phrase_spans(at: &[usize], words: &[Word]) -> Vec<Range<usize>> {
    let together = at.windows(2).all(|w| w[1] == w[0] + 1);
    match (at.first(), at.last()) {
        (Some(&a), Some(&b)) if together => {
            std::iter::once(words[a].bytes.start..words[b].bytes.end).collect()
        }
        _ => {
            let mut sorted = at.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            sorted.into_iter().map(|k| words[k].bytes.clone()).collect()
        }
    }
}

/// Where a phrase stands among `words`, each occurrence as the index of
/// the word taken for each term, in term order; `order` is the order in
/// which tantivy merges the terms ([`Freqs::merge_order`]; the phrase's
/// own order when it is not a permutation of them).
///
/// This is tantivy 0.27's `PhraseScorer` (with scoring on, as ranked search
/// runs it) replayed on the words: a word's index is its position in the
/// index, since both come from the same analyzer. Term `i` of `n` at
/// position `p` is compared at `p + n - 1 - i`, so a phrase standing
/// exactly gives equal values. Without slop every value must be equal.
/// With slop and two terms the values may differ by up to the slop, in
/// either direction (`"Iran Syria"~2` matches `Syria, Iran`: transposing
/// costs 2). With more terms tantivy carries the slop spent from term to
/// term in one greedy merge over the positions, in `order`, which is not a
/// search of every arrangement; it is replayed here step for step, so a
/// text holds an occurrence exactly when tantivy matches it.
pub fn phrase_matches(
    terms: &[String],
    slop: u32,
    words: &[Word],
    order: &[usize],
) -> Vec<Vec<usize>> {
    let n = terms.len();
    // A phrase query needs two terms; one term is a term query.
    if n < 2 {
        return terms
            .first()
            .map(|t| {
                let hits = words.iter().enumerate().filter(|(_, w)| w.exact == *t);
                hits.map(|(k, _)| vec![k]).collect()
            })
            .unwrap_or_default();
    }
    // Shifted positions of each term, ascending.
    let lists: Vec<Vec<u32>> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            words
                .iter()
                .enumerate()
                .filter(|(_, w)| w.exact == *t)
                .map(|(k, _)| (k + n - 1 - i) as u32)
                .collect()
        })
        .collect();
    if lists.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let word = |term: usize, at: u32| at as usize + term + 1 - n;
    if slop == 0 {
        // Values common to every list, in any order.
        let mut common = lists[0].clone();
        for l in &lists[1..] {
            common.retain(|v| l.binary_search(v).is_ok());
        }
        return common
            .into_iter()
            .map(|v| (0..n).map(|t| word(t, v)).collect())
            .collect();
    }
    if n == 2 {
        // Every pair within the slop is a match, in either order (tantivy's
        // merge finds one whenever one exists, which is all a document
        // match needs).
        let (first, second) = (&lists[0], &lists[1]);
        let mut out = Vec::new();
        for &a in first {
            let lo = second.partition_point(|&b| b < a.saturating_sub(slop));
            for &b in second[lo..]
                .iter()
                .take_while(|&&b| b <= a.saturating_add(slop))
            {
                out.push(vec![word(0, a), word(1, b)]);
            }
        }
        return out;
    }
    let mut sorted = order.to_vec();
    sorted.sort_unstable();
    let order: Vec<usize> = if sorted.iter().copied().eq(0..n) {
        order.to_vec()
    } else {
        (0..n).collect()
    };
    let mut left: Vec<Carried> = lists[order[0]]
        .iter()
        .map(|&at| Carried {
            at,
            slop: 0,
            words: vec![word(order[0], at)],
        })
        .collect();
    for &t in &order[1..n - 1] {
        left = carry(&left, &lists[t], t, n, slop).0;
        if left.is_empty() {
            return Vec::new();
        }
    }
    let last = order[n - 1];
    carry(&left, &lists[last], last, n, slop)
        .1
        .into_iter()
        .map(|merged| {
            // From merge order back to term order.
            let mut at = vec![0; n];
            for (k, &t) in order.iter().enumerate() {
                at[t] = merged[k];
            }
            at
        })
        .collect()
}

/// A value carried from one term to the next by tantivy's sloppy phrase
/// merge, with the words that led to it.
#[derive(Debug, Clone)]
pub(super) struct Carried {
    /// The shifted position compared with the next term's.
    pub(super) at: u32,
    /// Slop spent so far (tantivy keeps it in a `u8`).
    pub(super) slop: u8,
    /// The word taken for each term so far.
    pub(super) words: Vec<usize>,
}

/// One step of tantivy's `intersection_count_with_carrying_slop`: merges
/// the carried values with the shifted positions of term `term` (of `n`). Returns
/// the values carried on (what tantivy keeps in its left positions) and
/// the matches it counts (what makes the last step match a document).
pub(super) fn carry(
    left: &[Carried],
    right: &[u32],
    term: usize,
    n: usize,
    max_slop: u32,
) -> (Vec<Carried>, Vec<Vec<usize>>) {
    let mut carried: Vec<Carried> = Vec::new();
    let mut matches = Vec::new();
    if left.is_empty() || right.is_empty() {
        return (carried, matches);
    }
    let word = |at: u32| at as usize + term + 1 - n;
    let with = |before: &[usize], at: u32| {
        let mut w = before.to_vec();
        w.push(word(at));
        w
    };
    // tantivy keeps one entry per value, with the least slop.
    let add = |out: &mut Vec<Carried>, slop: u32, at: u32, words: Vec<usize>| {
        let slop = slop as u8;
        match out.last_mut() {
            Some(last) if last.at == at => {
                if slop < last.slop {
                    last.slop = slop;
                    last.words = words;
                }
            }
            _ => out.push(Carried { at, slop, words }),
        }
    };
    let (mut li, mut ri) = (0, 0);
    loop {
        let l = &left[li];
        let so_far = u32::from(l.slop);
        let r = right[ri];
        let distance = so_far + l.at.abs_diff(r);
        if distance <= max_slop {
            let matched = with(&l.words, r);
            let mut new_slop = distance;
            add(&mut carried, new_slop, l.at.min(r), matched.clone());
            let mut last = matched.clone();
            if l.at < r {
                // Later carried values up to `r` may pair with it better.
                let mut si = li;
                while let Some(next) = left.get(si + 1).filter(|c| c.at <= r) {
                    si += 1;
                    new_slop = so_far + next.at.abs_diff(r);
                    last = with(&next.words, r);
                    add(&mut carried, new_slop, next.at, last.clone());
                }
                add(&mut carried, new_slop, r, last);
            } else {
                let mut si = ri;
                while let Some(&next) = right.get(si + 1).filter(|&&v| v <= l.at) {
                    si += 1;
                    new_slop = so_far + next.abs_diff(l.at);
                    last = with(&l.words, next);
                    add(&mut carried, new_slop, next, last.clone());
                }
                add(&mut carried, new_slop, l.at, last);
            }
            matches.push(matched);
            li += 1;
            ri += 1;
        } else if l.at < r {
            li += 1;
        } else {
            ri += 1;
        }
        if li >= left.len() || ri >= right.len() {
            // What is left of one side is compared with the other's last.
            if li >= left.len() {
                let l = &left[left.len() - 1];
                for &r in &right[ri..] {
                    let s = l.at.abs_diff(r) + u32::from(l.slop);
                    if s <= max_slop {
                        add(&mut carried, s, r, with(&l.words, r));
                    }
                }
            } else {
                let r = right[right.len() - 1];
                for l in &left[li..] {
                    let s = l.at.abs_diff(r) + u32::from(l.slop);
                    if s <= max_slop {
                        add(&mut carried, s, l.at, with(&l.words, r));
                    }
                }
            }
            break;
        }
    }
    (carried, matches)
}
