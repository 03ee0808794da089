//! Finding the query's words in a passage and cutting a snippet around them.
//!
//! Tantivy's `SnippetGenerator` marks single terms anywhere (a phrase's words
//! light up wherever they stand alone), keeps one fixed window and gives no
//! document offsets. This stage works on [`Word`]s from the shared analyzer
//! instead, so a highlight always lands on the word as printed (`ransacking`
//! marks `ransacked`), a phrase is marked exactly where tantivy's phrase
//! query matches it, and snippets are cut at sentence bounds.
//!
//! A snippet shows the sentences whose matched words weigh most, rare words
//! counting more than function words, and always shows a word of the
//! heaviest pattern found (issue 13: "the Stans" was cut off while `the` was
//! shown). A hard-wrapped paragraph is one run of text, so its sentences
//! span its line breaks. [`snippet`] and [`context`] choose their windows
//! differently and write them with one writer.

use std::cmp::Reverse;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use tantivy::schema::Field;
use tantivy::{DocAddress, Searcher, SegmentReader, Term};

use crate::article;
use crate::query::Kind;
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
fn phrase_spans(at: &[usize], words: &[Word]) -> Vec<Range<usize>> {
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
struct Carried {
    /// The shifted position compared with the next term's.
    at: u32,
    /// Slop spent so far (tantivy keeps it in a `u8`).
    slop: u8,
    /// The word taken for each term so far.
    words: Vec<usize>,
}

/// One step of tantivy's `intersection_count_with_carrying_slop`: merges
/// the carried values with the shifted positions of term `term` (of `n`). Returns
/// the values carried on (what tantivy keeps in its left positions) and
/// the matches it counts (what makes the last step match a document).
fn carry(
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

/// A cut of a passage with the matches marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown: sentences from the passage, line breaks turned into
    /// spaces, with `…` where the passage goes on.
    pub text: String,
    /// Byte ranges into `text` of the matched words, sorted, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

const ELLIPSIS: &str = "…";

/// A sentence of the passage (byte range) and the run it belongs to.
struct Sentence {
    bytes: Range<usize>,
    run: usize,
}

/// A text cut into runs (stretches read as one: a paragraph or list item,
/// its lines joined) and their sentences.
struct Layout {
    runs: Vec<Range<usize>>,
    sentences: Vec<Sentence>,
}

/// The lines of `text` with their byte offsets, without line ends (`\n`,
/// `\r\n` or a lone `\r`, as the article parser splits them).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let from = start;
        let mut i = from;
        while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
            i += 1;
        }
        start = match bytes.get(i) {
            Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => i + 2,
            Some(_) => i + 1,
            None => i,
        };
        Some((from, &text[from..i]))
    })
}

/// Splits `text` into runs and sentences. Blank lines end a run. In a
/// section's text, heading lines (by the article parser's rule) are skipped
/// and a list item starts a new run, as they start passages; a paragraph's
/// text is never cut that way, so a paragraph starting with `=` shows.
fn layout(text: &str, kind: Kind) -> Layout {
    let section = kind == Kind::Section;
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut open: Option<Range<usize>> = None;
    for (start, line) in lines(text) {
        let blank = line.trim().is_empty();
        let heading = section && !blank && article::is_heading_line(line);
        let item = section && !blank && article::is_list_item_line(line);
        if blank || heading || item {
            runs.extend(open.take());
        }
        if blank || heading {
            continue;
        }
        let end = start + line.trim_end().len();
        match &mut open {
            Some(run) => run.end = end,
            None => open = Some(start + line.len() - line.trim_start().len()..end),
        }
    }
    runs.extend(open);
    let mut sentences = Vec::new();
    let mut flat = String::new();
    for (k, run) in runs.iter().enumerate() {
        // Sentence bounds fall at line breaks, so a hard-wrapped paragraph
        // is segmented as the one line it is read as (same byte lengths).
        flat.clear();
        flat.extend(text[run.clone()].chars().map(|c| match c {
            '\n' | '\r' => ' ',
            c => c,
        }));
        for (off, s) in flat.split_sentence_bound_indices() {
            let trimmed = s.trim_end();
            if trimmed.is_empty() {
                continue;
            }
            let b = run.start + off;
            sentences.push(Sentence {
                bytes: b..b + trimmed.len(),
                run: k,
            });
        }
    }
    Layout { runs, sentences }
}

/// Character counts at chosen byte offsets of a text, counted in one pass
/// (a snippet compares the lengths of many windows of one long passage).
struct CharsAt(Vec<(usize, usize)>);

impl CharsAt {
    fn new(text: &str, mut offsets: Vec<usize>) -> CharsAt {
        offsets.sort_unstable();
        offsets.dedup();
        let mut at = Vec::with_capacity(offsets.len());
        let (mut byte, mut chars) = (0, 0);
        for b in offsets {
            chars += text[byte..b].chars().count();
            byte = b;
            at.push((b, chars));
        }
        CharsAt(at)
    }

    /// Characters before byte `b`, which must be one of the offsets.
    fn of(&self, b: usize) -> usize {
        let i = self.0.partition_point(|&(x, _)| x < b);
        self.0[i].1
    }
}

/// The sentences and marks of a snippet, in character offsets.
struct Chars {
    sentences: Vec<Range<usize>>,
    marks: Vec<Range<usize>>,
}

/// Weights in fixed point, so that sums taken in any order compare
/// exactly. An absent, negative or NaN weight is 1.0, 0, 0.
fn fixed_weights(weights: &[f32], patterns: usize) -> Vec<u64> {
    (0..patterns)
        .map(|p| {
            let w = weights.get(p).copied().unwrap_or(1.0);
            let w = if w.is_nan() { 0.0 } else { w.clamp(0.0, 1e6) };
            (f64::from(w) * 65536.0).round() as u64
        })
        .collect()
}

/// The matches shown by a window: summed weight of the distinct patterns,
/// how many matches, how many of the heaviest pattern(s).
struct Tally<'a> {
    weights: &'a [u64],
    heaviest: u64,
    counts: Vec<u32>,
    weight: u64,
    matches: usize,
    heavy: usize,
}

impl Tally<'_> {
    fn add(&mut self, p: usize) {
        if self.counts[p] == 0 {
            self.weight += self.weights[p];
        }
        self.counts[p] += 1;
        self.matches += 1;
        if self.weights[p] == self.heaviest {
            self.heavy += 1;
        }
    }

    fn remove(&mut self, p: usize) {
        self.counts[p] -= 1;
        if self.counts[p] == 0 {
            self.weight -= self.weights[p];
        }
        self.matches -= 1;
        if self.weights[p] == self.heaviest {
            self.heavy -= 1;
        }
    }

    /// Best first: shows the heaviest pattern, then weight, then matches.
    fn key(&self) -> (bool, u64, usize) {
        (self.heavy > 0, self.weight, self.matches)
    }
}

/// A match as the window chooser sees it: its pattern, bytes, and the
/// sentences it starts and ends in.
struct Mark {
    pattern: usize,
    bytes: Range<usize>,
    first: usize,
    last: usize,
}

/// What a snippet is cut around.
enum Core {
    /// Sentences `first..=last` of one run, which fit the room.
    Fits { first: usize, last: usize },
    /// One sentence longer than the room, trimmed to show `keep`.
    Long { sentence: usize, keep: Range<usize> },
}

/// Cuts a snippet of about `max_chars` characters of `text` (a document of
/// `kind`) around its matches `found`, where `weights[i]` is the weight of
/// pattern `i` (1.0 past the end).
///
/// The sentences shown are those of one run whose distinct patterns weigh
/// most (then with the most matches, the fewest sentences, the earliest),
/// among those showing a match of the heaviest pattern found; they grow by
/// the next and previous sentences while they fit. A sentence longer than
/// the room is trimmed around its heaviest matches the same way.
pub fn snippet(
    text: &str,
    kind: Kind,
    found: &[Found],
    weights: &[f32],
    max_chars: usize,
) -> Snippet {
    let Layout { runs, sentences } = layout(text, kind);
    if sentences.is_empty() {
        return Snippet {
            text: String::new(),
            highlights: Vec::new(),
        };
    }
    let holding = |b: usize| {
        let i = sentences.partition_point(|s| s.bytes.start <= b);
        (i > 0 && b <= sentences[i - 1].bytes.end).then(|| i - 1)
    };
    // Matches outside every sentence (in a skipped heading) are not shown.
    let mut marks: Vec<Mark> = found
        .iter()
        .flat_map(|f| f.spans.iter().map(move |s| (f.pattern, s.clone())))
        .filter_map(|(pattern, bytes)| {
            let first = holding(bytes.start)?;
            let last = holding(bytes.end.saturating_sub(1).max(bytes.start))?;
            (sentences[first].run == sentences[last].run).then_some(Mark {
                pattern,
                bytes,
                first,
                last,
            })
        })
        .collect();
    marks.sort_by_key(|m| (m.bytes.start, m.bytes.end));
    let at = CharsAt::new(
        text,
        sentences
            .iter()
            .flat_map(|s| [s.bytes.start, s.bytes.end])
            .chain(marks.iter().flat_map(|m| [m.bytes.start, m.bytes.end]))
            .collect(),
    );
    let in_chars = |r: &Range<usize>| at.of(r.start)..at.of(r.end);
    let chars = Chars {
        sentences: sentences.iter().map(|s| in_chars(&s.bytes)).collect(),
        marks: marks.iter().map(|m| in_chars(&m.bytes)).collect(),
    };
    let patterns = marks.iter().map(|m| m.pattern + 1).max().unwrap_or(0);
    let weights = fixed_weights(weights, patterns);
    let mut tally = Tally {
        heaviest: marks.iter().map(|m| weights[m.pattern]).max().unwrap_or(0),
        weights: &weights,
        counts: vec![0; patterns],
        weight: 0,
        matches: 0,
        heavy: 0,
    };
    let core = choose(&sentences, &marks, &chars, &mut tally, max_chars)
        .unwrap_or(Core::Fits { first: 0, last: 0 });
    let (window, run) = match core {
        Core::Long { sentence, keep } => {
            let s = &sentences[sentence];
            let w = trim(text, s.bytes.clone(), keep, max_chars / 4, max_chars);
            (w, s.run)
        }
        Core::Fits { first, last } if chars.sentences[first].len() > max_chars => {
            // No match anywhere: the first sentence, too long.
            let s = &sentences[first];
            debug_assert_eq!(first, last);
            let keep = s.bytes.start..s.bytes.start;
            let w = trim(text, s.bytes.clone(), keep, 0, max_chars);
            (w, s.run)
        }
        Core::Fits { first, last } => {
            let run = sentences[first].run;
            let fits = |lo: usize, hi: usize| {
                sentences[hi].run == run
                    && sentences[lo].run == run
                    && chars.sentences[hi].end - chars.sentences[lo].start <= max_chars
            };
            // Grow within the run: the next sentence, then the previous.
            let (mut lo, mut hi) = (first, last);
            loop {
                let mut grew = false;
                if hi + 1 < sentences.len() && fits(lo, hi + 1) {
                    hi += 1;
                    grew = true;
                }
                if lo > 0 && fits(lo - 1, hi) {
                    lo -= 1;
                    grew = true;
                }
                if !grew {
                    break;
                }
            }
            let window = sentences[lo].bytes.start..sentences[hi].bytes.end;
            (window, run)
        }
    };
    write(
        text,
        window,
        runs[run].clone(),
        marks.iter().map(|m| m.bytes.clone()),
    )
}

/// The best core among the sentences holding matches (see [`snippet`]);
/// `None` without matches.
fn choose(
    sentences: &[Sentence],
    marks: &[Mark],
    chars: &Chars,
    tally: &mut Tally<'_>,
    max_chars: usize,
) -> Option<Core> {
    // Marks by the sentence they start in.
    let mut starting: Vec<Range<usize>> = vec![0..0; sentences.len()];
    for (k, m) in marks.iter().enumerate() {
        let r = &mut starting[m.first];
        if r.start == r.end {
            *r = k..k + 1;
        } else {
            r.end = k + 1;
        }
    }
    type Key = ((bool, u64, usize), Reverse<usize>, Reverse<usize>);
    let mut best: Option<(Key, Core)> = None;
    let mut consider = |key: Key, core: Core| {
        if best.as_ref().is_none_or(|(b, _)| key > *b) {
            best = Some((key, core));
        }
    };
    let mut pending: Vec<usize> = Vec::new();
    for i in 0..sentences.len() {
        if starting[i].is_empty() {
            continue;
        }
        let s = &sentences[i];
        if chars.sentences[i].len() > max_chars {
            // A long sentence: the best stretch of its own matches, each
            // anchoring a stretch as long as the room less the lead-in
            // `trim` gives it.
            let reach = max_chars - max_chars / 4;
            let own: Vec<usize> = starting[i]
                .clone()
                .filter(|&k| marks[k].last == i)
                .collect();
            let mut y = 0;
            for x in 0..own.len() {
                let from = chars.marks[own[x]].start;
                if y <= x {
                    tally.add(marks[own[x]].pattern);
                    y = x + 1;
                }
                while let Some(&k) = own.get(y) {
                    if chars.marks[k].end - from > reach {
                        break;
                    }
                    tally.add(marks[k].pattern);
                    y += 1;
                }
                let (a, b) = (&marks[own[x]], &marks[own[y - 1]]);
                let keep = a.bytes.start..a.bytes.end.max(b.bytes.end);
                consider(
                    (tally.key(), Reverse(1), Reverse(keep.start)),
                    Core::Long { sentence: i, keep },
                );
                tally.remove(a.pattern);
            }
            // Every anchor was added and then removed: the tally is empty.
            continue;
        }
        // Sentences i..=j of one run that fit; a match counts once the
        // sentence it ends in is in.
        let mut added: Vec<usize> = Vec::new();
        pending.clear();
        for (j, t) in sentences.iter().enumerate().skip(i) {
            if t.run != s.run || chars.sentences[j].end - chars.sentences[i].start > max_chars {
                break;
            }
            pending.extend(starting[j].clone());
            pending.retain(|&k| {
                let done = marks[k].last <= j;
                if done {
                    tally.add(marks[k].pattern);
                    added.push(k);
                }
                !done
            });
            consider(
                (tally.key(), Reverse(j - i + 1), Reverse(s.bytes.start)),
                Core::Fits { first: i, last: j },
            );
        }
        for k in added {
            tally.remove(marks[k].pattern);
        }
    }
    best.map(|(_, core)| core)
}

/// The sentence(s) around `span` of `text`, with `marks` highlighted: the
/// whole span is always shown (a long quote is not cut), with at most about
/// `max_chars` of context, cut at sentence bounds or, when the sentences are
/// longer than that, at word bounds.
pub fn context(
    text: &str,
    span: &Range<usize>,
    marks: &[Range<usize>],
    max_chars: usize,
) -> Snippet {
    // Sentence bounds are looked for near the span only: a passage can be
    // a 10 MB line, and cutting all of it into sentences for each of its
    // matches is quadratic. Past this reach a cut shows as `…` anyway.
    let reach = CONTEXT_REACH.max(16 * max_chars);
    let mut lo = span.start.saturating_sub(reach);
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = span.end.saturating_add(reach).min(text.len());
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    if lo == 0 && hi == text.len() {
        return context_in(text, span, marks, max_chars);
    }
    let shift = |r: &Range<usize>| r.start - lo..r.end - lo;
    let inner: Vec<Range<usize>> = marks
        .iter()
        .filter(|r| r.start >= lo && r.end <= hi)
        .map(shift)
        .collect();
    context_in(&text[lo..hi], &shift(span), &inner, max_chars)
}

/// Bytes around a span within which [`context`] looks for sentence bounds,
/// at the least. Whatever the reach, more than 4 bytes per character of
/// context shown means a sentence cut by it is longer than the context
/// and gets trimmed (and marked `…`) as it would be whole.
const CONTEXT_REACH: usize = 4096;

fn context_in(
    text: &str,
    span: &Range<usize>,
    marks: &[Range<usize>],
    max_chars: usize,
) -> Snippet {
    // A passage or a quote: nothing in it is a heading.
    let Layout { runs, sentences } = layout(text, Kind::Paragraph);
    let holding = |b: usize| {
        let i = sentences.partition_point(|s| s.bytes.start <= b);
        (i > 0 && b <= sentences[i - 1].bytes.end).then(|| &sentences[i - 1])
    };
    let first = holding(span.start);
    let last = holding(span.end.saturating_sub(1).max(span.start));
    let bounds =
        first.map_or(0, |s| runs[s.run].start)..last.map_or(text.len(), |s| runs[s.run].end);
    let mut window = first.map_or(span.start, |s| s.bytes.start)
        ..last.map_or(span.end, |s| s.bytes.end.max(span.end));
    let chars = |r: &Range<usize>| text[r.clone()].chars().count();
    // The span itself is always shown; `max_chars` bounds what surrounds it.
    let total = max_chars + chars(span);
    if chars(&window) > total {
        // About a quarter of the room before the span, the rest after.
        window = trim(text, window, span.clone(), max_chars / 4, total);
    }
    write(text, window, bounds, marks.iter().cloned())
}

/// Cuts `within` to about `total` characters at word bounds, showing `keep`
/// whole with up to `before` characters before it.
fn trim(
    text: &str,
    within: Range<usize>,
    keep: Range<usize>,
    before: usize,
    total: usize,
) -> Range<usize> {
    // Walk back `before` characters (fewer if `keep` needs the room), then
    // forward to a word start.
    let before = before.min(total.saturating_sub(text[keep.clone()].chars().count()));
    let lead: usize = text[within.start..keep.start]
        .chars()
        .rev()
        .take(before)
        .map(char::len_utf8)
        .sum();
    let mut start = keep.start - lead;
    if start > within.start {
        start += after_first_space(&text[start..keep.start]).unwrap_or(keep.start - start);
    }
    let room = total.saturating_sub(text[start..keep.start].chars().count());
    let ahead: usize = text[keep.start..within.end]
        .chars()
        .take(room)
        .map(char::len_utf8)
        .sum();
    let mut end = (keep.start + ahead).max(keep.end);
    if end < within.end {
        // Back to the last whole word (text without spaces is cut as is).
        if let Some(sp) = text[keep.end..end].rfind(char::is_whitespace) {
            end = keep.end + sp;
        }
    }
    let shown = text[keep.end..end].trim_end();
    start..keep.end + shown.len()
}

/// Where the text after the first whitespace starts. (Whitespace is not
/// always one byte: a no-break space is two, an en quad three; found by
/// fuzzing the quote matcher.)
fn after_first_space(s: &str) -> Option<usize> {
    s.char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())
}

/// The one writer of snippets and contexts: `text[window]` with line breaks
/// and tabs as spaces, `…` where the passage (`bounds`) goes on past the
/// window, and the parts of `marks` inside the window, merged, in order.
fn write(
    text: &str,
    window: Range<usize>,
    bounds: Range<usize>,
    marks: impl Iterator<Item = Range<usize>>,
) -> Snippet {
    let mut out = String::with_capacity(window.len() + 2 * ELLIPSIS.len());
    if window.start > bounds.start {
        out.push_str(ELLIPSIS);
    }
    let shift = out.len() as isize - window.start as isize;
    out.extend(text[window.clone()].chars().map(|c| match c {
        '\n' | '\r' | '\t' => ' ',
        c => c,
    }));
    if window.end < bounds.end {
        out.push_str(ELLIPSIS);
    }
    let mut highlights: Vec<Range<usize>> = marks
        .filter(|r| r.start < window.end && r.end > window.start)
        .map(|r| {
            let s = r.start.max(window.start);
            let e = r.end.min(window.end);
            (s as isize + shift) as usize..(e as isize + shift) as usize
        })
        .collect();
    highlights.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(highlights.len());
    for r in highlights {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    Snippet {
        text: out,
        highlights: merged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stemmer_keeps_a_words_first_letter() {
        // What `words_for` relies on, over the article and the stemmer's
        // own exceptions (`dying` -> `die`, `skies` -> `sky`).
        let article = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/iran-syria-relations.txt"
        ))
        .unwrap();
        let exceptions = "skis skies dying lying tying idly gently ugly early only singly \
            sky news howe atlas cosmos bias andes inning outing canning herring earring \
            proceed exceed succeed yelling yeses";
        let mut an = Analyzer::default();
        let mut n = 0;
        for w in an.words(&format!("{article} {exceptions}")) {
            assert_eq!(w.stem.chars().next(), w.exact.chars().next(), "{w:?}");
            n += 1;
        }
        assert!(n > 2_000);
        // So a word is stemmed only when a stem searched for starts alike.
        let words = words_for(
            &mut an,
            "Wars warred in Syria",
            &[Pattern::Stem("war".into())],
        );
        let stems: Vec<&str> = words.iter().map(|w| w.stem.as_str()).collect();
        assert_eq!(stems, ["war", "war", "", ""]);
    }

    fn cut(text: &str, kind: Kind, patterns: &[Pattern], weights: &[f32], max: usize) -> Snippet {
        let words = Analyzer::default().words(text);
        snippet(
            text,
            kind,
            &find(patterns, &words, Freqs::Phrase),
            weights,
            max,
        )
    }

    fn run(text: &str, patterns: &[Pattern]) -> Snippet {
        cut(text, Kind::Paragraph, patterns, &[], 120)
    }

    fn marked(s: &Snippet) -> Vec<&str> {
        s.highlights.iter().map(|r| &s.text[r.clone()]).collect()
    }

    fn exact(words: &[&str]) -> Vec<Pattern> {
        words
            .iter()
            .map(|w| Pattern::Exact(w.to_string()))
            .collect()
    }

    fn phrase(text: &str, slop: u32) -> Pattern {
        Pattern::Phrase {
            terms: Analyzer::default().exact_terms(text),
            slop,
        }
    }

    /// The words a phrase takes in `text`, per occurrence.
    fn phrase_in(p: &str, slop: u32, text: &str) -> Vec<Vec<String>> {
        let words = Analyzer::default().words(text);
        let terms = Analyzer::default().exact_terms(p);
        phrase_matches(&terms, slop, &words, &[])
            .into_iter()
            .map(|at| {
                at.iter()
                    .map(|&k| text[words[k].bytes.clone()].to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn stems_highlight_the_printed_word() {
        let mut a = Analyzer::default();
        let stem = a.stem("ransacking");
        let s = run(
            "The embassy was ransacked, and diplomats fled.",
            &[Pattern::Stem(stem)],
        );
        assert_eq!(marked(&s), vec!["ransacked"]);
    }

    #[test]
    fn phrase_marks_only_where_it_stands() {
        let text = "A golden ring. The golden counterweight held. A counterweight.";
        let s = run(text, &[phrase("golden counterweight", 0)]);
        assert_eq!(marked(&s), vec!["golden counterweight"]);
    }

    #[test]
    fn snippet_prefers_the_matching_sentence_and_marks_cuts() {
        let text = format!(
            "{} Iran and Syria signed a treaty. {}",
            "Filler sentence here. ".repeat(10),
            "More filler after. ".repeat(10)
        );
        let s = run(&text, &[Pattern::Exact("treaty".into())]);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert_eq!(marked(&s), vec!["treaty"]);
    }

    #[test]
    fn weights_pick_the_sentence_of_the_rare_word() {
        let text = "The war was long and the war was hard. Later the region was called the Stans.";
        let patterns = exact(&["war", "stans"]);
        // Equal weights: one pattern each, and the first sentence has more
        // matches.
        let plain = cut(text, Kind::Paragraph, &patterns, &[], 45);
        assert_eq!(plain.text, "The war was long and the war was hard.…");
        assert_eq!(marked(&plain), vec!["war", "war"]);
        // The rare word weighs more than twice the common one.
        let weighted = cut(text, Kind::Paragraph, &patterns, &[0.2, 3.0], 45);
        assert_eq!(weighted.text, "…Later the region was called the Stans.");
        assert_eq!(marked(&weighted), vec!["Stans"]);
    }

    #[test]
    fn the_heaviest_word_is_shown_even_when_function_words_weigh_more() {
        let text = "What is the name of it, and what is the point of all of it? \
                    Canberra is the capital of Australia.";
        let patterns = exact(&["what", "is", "the", "of", "capital", "australia"]);
        // Four function words outweigh the two rare words together, but
        // the heaviest word must be shown.
        let weights = [0.6, 0.6, 0.6, 0.6, 0.9, 1.0];
        let s = cut(text, Kind::Paragraph, &patterns, &weights, 60);
        assert!(s.text.contains("Australia"), "{}", s.text);
        assert!(marked(&s).contains(&"Australia"));
        // Without that rule the question would win: its sum is 2.4.
        let only_function_words = [0.6, 0.6, 0.6, 0.6, 0.0, 0.0];
        let s = cut(text, Kind::Paragraph, &patterns, &only_function_words, 60);
        assert!(s.text.starts_with("What is the name"), "{}", s.text);
    }

    #[test]
    fn a_long_sentence_is_trimmed_around_its_heaviest_matches() {
        // Issue 13: the snippet stopped just before "Stans".
        let text = format!(
            "The five countries of Central Asia, {}are often nicknamed the Stans in the press.",
            "which lie between the Caspian Sea and China and were once part of the Soviet Union, "
                .repeat(3)
        );
        let patterns = exact(&["central", "asia", "nicknamed", "the", "stans"]);
        let weights = [1.5, 1.2, 2.0, 0.01, 4.0];
        for w in [&weights[..], &[]] {
            let s = cut(&text, Kind::Paragraph, &patterns, w, 120);
            assert!(s.text.chars().count() <= 122, "{}", s.text);
            let m = marked(&s);
            assert!(
                m.contains(&"Stans") && m.contains(&"nicknamed"),
                "{w:?}: {}",
                s.text
            );
            assert!(s.text.starts_with('…'), "{}", s.text);
        }
        // With only the first words asked for, the cut starts there.
        let s = cut(
            &text,
            Kind::Paragraph,
            &exact(&["central", "asia"]),
            &[],
            120,
        );
        assert!(
            s.text.starts_with("The five countries of Central Asia"),
            "{}",
            s.text
        );
        assert!(s.text.ends_with('…'));
    }

    #[test]
    fn a_hard_wrapped_paragraph_is_one_run_of_text() {
        let text = "Iran and Syria\nsigned a treaty\nin 1990, and the\nalliance held.\n\
                    It was renewed\nin 2006. Others\nfollowed it later.";
        let s = cut(text, Kind::Paragraph, &exact(&["treaty"]), &[], 70);
        assert_eq!(
            s.text,
            "Iran and Syria signed a treaty in 1990, and the alliance held.…"
        );
        assert_eq!(marked(&s), vec!["treaty"]);
        // A sentence spanning lines in the middle shows its whole self,
        // with the ellipses of the paragraph going on around it.
        let s = cut(text, Kind::Paragraph, &exact(&["renewed"]), &[], 30);
        assert_eq!(s.text, "…It was renewed in 2006.…");
    }

    #[test]
    fn a_phrase_across_a_line_break_is_marked_whole() {
        let text = "The engine had a golden\ncounterweight, later replaced.";
        let s = run(text, &[phrase("golden counterweight", 0)]);
        assert_eq!(
            s.text,
            "The engine had a golden counterweight, later replaced."
        );
        assert_eq!(marked(&s), vec!["golden counterweight"]);
        // With slop, words standing together in order are one mark too.
        let s = run(text, &[phrase("golden counterweight", 2)]);
        assert_eq!(marked(&s), vec!["golden counterweight"]);
    }

    #[test]
    fn a_paragraph_starting_with_equals_shows_its_text() {
        for text in [
            "= x + y holds for every x.",
            "=== not a heading, but a line",
        ] {
            let s = cut(
                text,
                Kind::Paragraph,
                &exact(&["holds", "heading"]),
                &[],
                120,
            );
            assert_eq!(s.text, text);
            assert_eq!(marked(&s).len(), 1, "{}", s.text);
        }
        // In a section only heading lines are skipped (by the parser's
        // rule): `= x + y` and `=====` are text there too.
        let section = "==Algebra==\n= x + y holds.\n=====\n\n===Rings===\nA ring holds too.";
        let s = cut(section, Kind::Section, &exact(&["holds"]), &[], 20);
        assert_eq!(s.text, "= x + y holds. =====");
        let s = cut(section, Kind::Section, &exact(&["rings"]), &[], 120);
        assert_eq!(s.text, "= x + y holds. =====", "a heading is not shown");
        assert!(s.highlights.is_empty());
    }

    #[test]
    fn a_sections_paragraphs_and_list_items_are_runs_of_their_own() {
        let section =
            "==Trade==\nExports grew.\nImports fell.\n\n- tea was sold\n- tea was bought\n";
        let s = cut(section, Kind::Section, &exact(&["bought"]), &[], 120);
        assert_eq!(s.text, "- tea was bought");
        let s = cut(section, Kind::Section, &exact(&["imports"]), &[], 120);
        assert_eq!(s.text, "Exports grew. Imports fell.");
        // Line ends of every kind; the lead's title line is a heading too.
        let lead = "= Tea =\r\n\r\nTea was\rransacked.\r\n==Later==\r\nTea again.";
        let s = cut(lead, Kind::Section, &exact(&["tea"]), &[], 120);
        assert_eq!(s.text, "Tea was ransacked.");
        assert_eq!(marked(&s), vec!["Tea"]);
    }

    #[test]
    fn a_huge_paragraph_of_matches_is_cut_in_linear_time() {
        // Every sentence matches: scoring each sentence against every
        // match would be quadratic (10^9 steps here).
        let text = "War. ".repeat(30_000)
            + "A long sentence about war and the Stans, "
            + &"and war ".repeat(10_000);
        let patterns = exact(&["war", "stans"]);
        let s = cut(&text, Kind::Paragraph, &patterns, &[1.0, 2.0], 240);
        assert!(marked(&s).contains(&"Stans"), "{}", s.text);
        assert!(s.text.chars().count() <= 242);
    }

    #[test]
    fn long_sentences_are_cut_around_the_match() {
        let text = format!("{} needle {}", "word ".repeat(100), "word ".repeat(100));
        let s = run(&text, &[Pattern::Exact("needle".into())]);
        assert!(s.text.chars().count() <= 124);
        assert_eq!(marked(&s), vec!["needle"]);
    }

    #[test]
    fn context_in_a_huge_line_looks_near_the_span_only() {
        let text = format!(
            "{}needle. {}",
            "word ".repeat(200_000),
            "word ".repeat(200_000)
        );
        let at = text.find("needle").unwrap();
        let span = at..at + "needle".len();
        let near = context(&text, &span, std::slice::from_ref(&span), 300);
        let whole = context_in(&text, &span, std::slice::from_ref(&span), 300);
        assert_eq!(near, whole);
        assert!(near.text.starts_with('…') && near.text.ends_with('…'));
        let h = near.highlights[0].clone();
        assert_eq!(&near.text[h], "needle");
    }

    #[test]
    fn context_shows_a_quote_starting_with_equals() {
        let text = "= x + y, as the rule says.";
        let at = text.find("rule").unwrap();
        let span = at..at + 4;
        let c = context(text, &span, std::slice::from_ref(&span), 100);
        assert_eq!(c.text, text);
        assert_eq!(&c.text[c.highlights[0].clone()], "rule");
    }

    #[test]
    fn cuts_after_multibyte_spaces() {
        // A no-break space (2 bytes) and an en quad (3) where the cut
        // falls: the cut used to land inside them and panic.
        for space in ["\u{a0}", "\u{2000}"] {
            let text = format!(
                "{}needle{}",
                format!("word{space}").repeat(200),
                " word".repeat(200)
            );
            let s = run(&text, &[Pattern::Exact("needle".into())]);
            assert_eq!(marked(&s), vec!["needle"]);
            let at = text.find("needle").unwrap();
            let span = at..at + 6;
            let c = context(&text, &span, std::slice::from_ref(&span), 100);
            assert_eq!(&c.text[c.highlights[0].clone()], "needle");
        }
    }

    #[test]
    fn slop_works_both_ways_as_in_tantivy() {
        // Issue 13 item 8: `"Iran Syria"~2` matched a text with no highlight.
        assert_eq!(
            phrase_in("Iran Syria", 2, "Syria, Iran and Turkey"),
            vec![vec!["Iran", "Syria"]]
        );
        let s = run(
            "Ties of Syria, Iran and Turkey.",
            &[phrase("Iran Syria", 2)],
        );
        assert_eq!(marked(&s), vec!["Syria", "Iran"]);
        // A transposition costs 2: not within a slop of 1.
        assert!(phrase_in("Iran Syria", 1, "Syria, Iran").is_empty());
        // Forward, the slop is the words skipped.
        assert_eq!(phrase_in("Iran Syria", 2, "Iran and the Syria").len(), 1);
        assert!(phrase_in("Iran Syria", 1, "Iran and the Syria").is_empty());
        // Backward with a word between costs 3.
        assert!(phrase_in("Iran Syria", 2, "Syria and Iran").is_empty());
        assert_eq!(phrase_in("Iran Syria", 3, "Syria and Iran").len(), 1);
        // The slop is one budget for all the gaps (tantivy's own examples).
        assert_eq!(phrase_in("a b c", 1, "a x b c").len(), 1);
        assert_eq!(phrase_in("a b c", 1, "a b x c").len(), 1);
        assert!(phrase_in("a b c", 1, "a x b x c").is_empty());
        // A term repeated may take the same word twice, as in tantivy.
        assert_eq!(phrase_in("war war", 1, "the war"), vec![vec!["war", "war"]]);
        assert!(phrase_in("war war", 0, "the war").is_empty());
    }

    /// Every phrase of 2 to 4 words over a small alphabet, with slops 0 to
    /// 3, run by tantivy over texts built to hold near misses, its words
    /// of unequal frequencies: a text holds an occurrence exactly when
    /// tantivy matches it.
    #[test]
    fn phrases_match_exactly_where_tantivy_matches() {
        use tantivy::collector::TopDocs;
        use tantivy::query::PhraseQuery;
        use tantivy::schema::{
            IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED,
        };
        use tantivy::{doc, DocAddress, Index, TantivyDocument};

        let mut b = Schema::builder();
        let body = b.add_text_field(
            "body",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(crate::text::EXACT)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        );
        let n = b.add_u64_field("n", STORED);
        let index = Index::create_in_ram(b.build());
        crate::text::register(&index);
        let alphabet = ["a", "b", "c"];
        // A fixed linear congruential sequence: the same texts every run,
        // `a` in half the words, `b` in a third, `c` in a sixth.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % m
        };
        let texts: Vec<String> = (0..600)
            .map(|_| {
                let len = 1 + next(9) as usize;
                (0..len)
                    .map(|_| alphabet[[0, 0, 0, 1, 1, 2][next(6) as usize]])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, t) in texts.iter().enumerate() {
            writer
                .add_document(doc!(body => t.as_str(), n => i as u64))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let number = |addr: DocAddress| {
            let d: TantivyDocument = searcher.doc(addr).unwrap();
            d.get_first(n).and_then(|v| v.as_u64()).unwrap() as usize
        };
        // Every document, wherever it is, with its words.
        let mut docs: Vec<(usize, DocAddress, Vec<Word>)> = Vec::new();
        for (seg, reader) in searcher.segment_readers().iter().enumerate() {
            for id in 0..reader.max_doc() {
                let addr = DocAddress::new(seg as u32, id);
                let i = number(addr);
                docs.push((i, addr, Analyzer::default().words(&texts[i])));
            }
        }
        docs.sort_by_key(|d| d.0);
        assert_eq!(docs.len(), texts.len());
        let mut phrases: Vec<Vec<&str>> = alphabet.iter().map(|&a| vec![a]).collect();
        for _ in 1..4 {
            phrases = phrases
                .iter()
                .flat_map(|p| alphabet.iter().map(move |&a| [p.clone(), vec![a]].concat()))
                .chain(phrases.iter().cloned())
                .collect();
        }
        phrases.retain(|p| p.len() >= 2);
        phrases.sort();
        phrases.dedup();
        let (mut checked, mut order_mattered) = (0, 0);
        for p in &phrases {
            let terms: Vec<String> = p.iter().map(|s| s.to_string()).collect();
            for slop in 0..=3 {
                let q = PhraseQuery::new_with_offset_and_slop(
                    terms
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (i, Term::from_field_text(body, t)))
                        .collect(),
                    slop,
                );
                let top = searcher
                    .search(&q, &TopDocs::with_limit(texts.len()).order_by_score())
                    .unwrap();
                let mut by_tantivy: Vec<usize> = top.iter().map(|(_, a)| number(*a)).collect();
                by_tantivy.sort_unstable();
                let holds = |freqs: Freqs<'_>, words: &[Word]| {
                    let found = find(
                        &[Pattern::Phrase {
                            terms: terms.clone(),
                            slop,
                        }],
                        words,
                        freqs,
                    );
                    !found.is_empty()
                };
                let ours: Vec<usize> = docs
                    .iter()
                    .filter(|(_, addr, words)| {
                        let seg = searcher.segment_reader(addr.segment_ord);
                        holds(Freqs::Segment(seg, body), words)
                    })
                    .map(|d| d.0)
                    .collect();
                assert_eq!(ours, by_tantivy, "\"{}\"~{slop}", p.join(" "));
                checked += by_tantivy.len();
                order_mattered += docs
                    .iter()
                    .filter(|(i, _, words)| {
                        holds(Freqs::Phrase, words) != by_tantivy.binary_search(i).is_ok()
                    })
                    .count();
            }
        }
        // The texts hold matches for the phrases, and some that only the
        // merge order decides.
        assert!(checked > 5_000, "{checked}");
        assert!(order_mattered > 0);
    }
}
