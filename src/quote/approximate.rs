//! Approximate matches: the passages best ranked for the quote's words,
//! aligned with it word by word (an edit distance that forgives a changed,
//! added, dropped or swapped word), and the closest returned with what
//! differs.

use std::ops::Range;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query as TQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::exact::occurrences;
use super::words::{editorial_segments, Brackets, QuoteWords};
use super::{located, CiteMatch, CiteOptions, Difference, MatchKind, Place};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::highlight;
use crate::index::{Opened, Unreadable};
use crate::text::{Analyzer, Word};

/// Candidates for an approximate match are the best BM25 passages for the
/// quote's words; this many are aligned.
pub(super) const APPROXIMATE_CANDIDATES: usize = 50;
/// Below this similarity a passage is not worth showing.
pub(super) const MIN_SIMILARITY: f64 = 0.4;

/// The closest passages, best first, the length of the closest (in
/// words), and, when the quote's start ends one passage and its end starts
/// a later one of the same file, a note naming both.
pub(super) fn approximate(
    opened: &Opened,
    qw: &QuoteWords,
    wanted: usize,
    opts: &CiteOptions,
    an: &mut Analyzer,
    unreadable: &mut Unreadable,
) -> Result<(Vec<CiteMatch>, usize, Option<String>)> {
    let f = &opened.fields;
    let searcher = opened.reader.searcher();
    let err = |e| Error::index(opened.root())(e);
    // The quote's words as typed: a misquote changes a few, and the
    // passages holding most of the rest are the candidates.
    let mut words: Vec<&str> = qw.words.iter().map(|w| w.exact.as_str()).collect();
    words.sort_unstable();
    words.dedup();
    let query = BooleanQuery::new(
        words
            .iter()
            .map(|w| {
                let q: Box<dyn TQuery> = Box::new(TermQuery::new(
                    Term::from_field_text(f.text, w),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect(),
    );
    let top = searcher
        .search(
            &query,
            &TopDocs::with_limit(APPROXIMATE_CANDIDATES).order_by_score(),
        )
        .map_err(err)?;
    let mut scored = Vec::new();
    let mut longest = 0;
    // Passages the quote's start ends (its first k words are their last)
    // and passages its end starts: a quote over a paragraph break.
    let mut ends_with: Vec<(usize, Document, Vec<Word>)> = Vec::new();
    let mut starts_with: Vec<(usize, Document, Vec<Word>)> = Vec::new();
    let m = qw.words.len();
    let plain = !qw.segment.iter().any(|&s| s > 0);
    // Alignment compares stems with the quote's: only a word that starts
    // as one of them does can have one of their stems (the stemmer keeps
    // a word's first letter), and stemming is most of reading a passage.
    let firsts: Vec<char> = qw
        .words
        .iter()
        .filter_map(|w| w.stem.chars().next())
        .collect();
    for (_, addr) in top {
        let doc = opened.document(&searcher, addr, unreadable)?;
        let words = an.words_stemming(&doc.text, |w| {
            w.chars().next().is_some_and(|c| firsts.contains(&c))
        });
        longest = longest.max(words.len());
        if plain && m > 1 {
            let same = |a: &[Word], b: &[Word]| a.iter().zip(b).all(|(x, y)| x.exact == y.exact);
            let n = words.len();
            if let Some(k) = (1..m.min(n + 1))
                .rev()
                .find(|&k| same(&qw.words[..k], &words[n - k..]))
            {
                ends_with.push((k, doc.clone(), words.clone()));
            }
            if let Some(k) = (1..m.min(n + 1))
                .rev()
                .find(|&k| same(&qw.words[m - k..], &words[..k]))
            {
                starts_with.push((k, doc.clone(), words.clone()));
            }
        }
        // A passage of n words aligns with a quote of m > n words at a
        // sequence similarity of at most n / m (m - n quote words have no
        // partner), so the similarity is at most 0.75 n / m + 0.25: when
        // that is below the threshold, skip the m × n table (a 99 KB quote
        // of 29,000 words made one of 20 million cells per candidate).
        let m = qw.words.len() as f64;
        if 0.75 * (words.len() as f64 / m).min(1.0) + 0.25 < MIN_SIMILARITY {
            continue;
        }
        if let Some(a) = align(&qw.words, &words) {
            if a.similarity >= MIN_SIMILARITY {
                scored.push((doc, words, a));
            }
        }
    }
    let mut split = None;
    'split: for (k1, d1, w1) in &ends_with {
        for (k2, d2, w2) in &starts_with {
            if k1 + k2 == m && d1.file == d2.file && d2.byte_start >= d1.byte_end {
                let first = w1[w1.len() - k1].bytes.start..w1[w1.len() - 1].bytes.end;
                let second = w2[0].bytes.start..w2[k2 - 1].bytes.end;
                let at = |d: &Document, span: Range<usize>| {
                    let mut d = d.clone();
                    let context = highlight::context(&d.text, &span, &[], 0);
                    let m = located(
                        &mut d,
                        &mut Place::default(),
                        span,
                        MatchKind::Exact,
                        context,
                        None,
                        opts.style,
                    );
                    format!("{} ({}:{}:{})", m.citation, m.doc.file, m.line, m.column)
                };
                split = Some(format!(
                    "the quote runs over two paragraphs: its first {k1} words end {} and its last {k2} start {}; a quote must stand within one paragraph, so cite each on its own",
                    at(d1, first),
                    at(d2, second)
                ));
                break 'split;
            }
        }
    }
    scored.sort_by(|a, b| b.2.similarity.total_cmp(&a.2.similarity));
    let closest_len = scored.first().map_or(longest, |(_, words, _)| words.len());
    let quote_text = |ws: &[usize]| -> Option<String> {
        let (first, last) = (ws.first()?, ws.last()?);
        Some(qw.text[qw.words[*first].bytes.start..qw.words[*last].bytes.end].to_string())
    };
    let out = scored
        .into_iter()
        .take(wanted)
        .map(|(mut doc, words, a)| {
            let span = words[a.window.start].bytes.start..words[a.window.end - 1].bytes.end;
            let mut marks: Vec<Range<usize>> = Vec::new();
            let mut quote_marks: Vec<Range<usize>> = Vec::new();
            let differences = a
                .diffs
                .iter()
                .map(|d| {
                    marks.extend(d.article.iter().map(|&j| words[j].bytes.clone()));
                    quote_marks.extend(d.quote.iter().map(|&i| qw.words[i].bytes.clone()));
                    let quote = quote_text(&d.quote);
                    let article = match (d.article.first(), d.article.last()) {
                        (Some(&s), Some(&e)) => {
                            Some(doc.text[words[s].bytes.start..words[e].bytes.end].to_string())
                        }
                        _ => None,
                    };
                    let spelling_variant = match (&quote, &article) {
                        (Some(q), Some(a)) => crate::search::is_spelling_variant(q, a),
                        _ => false,
                    };
                    Difference {
                        quote,
                        article,
                        spelling_variant,
                    }
                })
                .collect();
            let context = highlight::context(&doc.text, &span, &marks, opts.context_chars);
            // Show the part of the quote around what differs, not a whole
            // pasted page.
            let quote_span = match (quote_marks.first(), quote_marks.last()) {
                (Some(a), Some(b)) => a.start..b.end,
                _ => 0..0,
            };
            let quote_marked =
                highlight::context(&qw.text, &quote_span, &quote_marks, opts.context_chars);
            let kind = MatchKind::Approximate {
                similarity: (a.similarity * 1000.0).round() / 1000.0,
                differences,
            };
            located(
                &mut doc,
                &mut Place::default(),
                span,
                kind,
                context,
                Some(quote_marked),
                opts.style,
            )
        })
        .collect();
    Ok((out, closest_len, split))
}

/// A run of differing words, as indices into the quote and the passage.
pub(super) struct Diff {
    pub(super) quote: Vec<usize>,
    pub(super) article: Vec<usize>,
}

pub(super) struct Alignment {
    /// Words of the passage covered.
    pub(super) window: Range<usize>,
    pub(super) similarity: f64,
    pub(super) diffs: Vec<Diff>,
}

/// Aligns the whole quote with the best-matching stretch of the passage
/// (word-level edit distance, free start and end in the passage; a word
/// with the same stem costs half, two swapped neighbours cost one).
pub(super) fn align(q: &[Word], w: &[Word]) -> Option<Alignment> {
    let (m, n) = (q.len(), w.len());
    if m == 0 || n == 0 {
        return None;
    }
    // Quotes and passages are bounded (MAX_QUOTE_BYTES, one paragraph), but
    // a pathological pair would make the table huge: skip it.
    if m.saturating_mul(n) > 20_000_000 {
        return None;
    }
    let cost = |i: usize, j: usize| -> f64 {
        if q[i].exact == w[j].exact {
            0.0
        } else if q[i].stem == w[j].stem {
            0.5
        } else {
            1.0
        }
    };
    let width = n + 1;
    let mut d = vec![0.0f64; (m + 1) * width];
    for i in 1..=m {
        d[i * width] = i as f64;
        for j in 1..=n {
            let mut best = d[(i - 1) * width + j - 1] + cost(i - 1, j - 1);
            best = best.min(d[(i - 1) * width + j] + 1.0);
            best = best.min(d[i * width + j - 1] + 1.0);
            if i > 1
                && j > 1
                && q[i - 1].exact == w[j - 2].exact
                && q[i - 2].exact == w[j - 1].exact
            {
                best = best.min(d[(i - 2) * width + j - 2] + 1.0);
            }
            d[i * width + j] = best;
        }
    }
    // On a tie take the longer window: a last word that differs reads as
    // changed rather than as dropped.
    let end = (1..=n)
        .rev()
        .min_by(|&a, &b| d[m * width + a].total_cmp(&d[m * width + b]))
        .expect("n >= 1");
    let dist = d[m * width + end];
    // Walk back to recover the path and the window start.
    let (mut i, mut j) = (m, end);
    let mut ops: Vec<(Option<usize>, Option<usize>, bool)> = Vec::new(); // (quote, article, same)
    while i > 0 {
        let here = d[i * width + j];
        if j > 0 && (here - (d[(i - 1) * width + j - 1] + cost(i - 1, j - 1))).abs() < 1e-9 {
            ops.push((Some(i - 1), Some(j - 1), cost(i - 1, j - 1) == 0.0));
            i -= 1;
            j -= 1;
        } else if (here - (d[(i - 1) * width + j] + 1.0)).abs() < 1e-9 {
            ops.push((Some(i - 1), None, false));
            i -= 1;
        } else if j > 0 && (here - (d[i * width + j - 1] + 1.0)).abs() < 1e-9 {
            ops.push((None, Some(j - 1), false));
            j -= 1;
        } else {
            // Transposition.
            ops.push((Some(i - 1), Some(j - 1), false));
            ops.push((Some(i - 2), Some(j - 2), false));
            i -= 2;
            j -= 2;
        }
    }
    ops.reverse();
    let start = j;
    let window = start..end;
    if window.is_empty() {
        return None;
    }
    let mut diffs: Vec<Diff> = Vec::new();
    let mut open = false;
    for (qi, wj, same) in ops {
        if same {
            open = false;
            continue;
        }
        if !open {
            diffs.push(Diff {
                quote: Vec::new(),
                article: Vec::new(),
            });
            open = true;
        }
        let last = diffs.last_mut().expect("pushed");
        if let Some(i) = qi {
            last.quote.push(i);
        }
        if let Some(j) = wj {
            last.article.push(j);
        }
    }
    for diff in &mut diffs {
        diff.quote.sort_unstable();
        diff.article.sort_unstable();
    }
    let len = m.max(window.len()) as f64;
    let sequence = 1.0 - dist / len;
    let window_stems: Vec<&str> = w[window.clone()].iter().map(|x| x.stem.as_str()).collect();
    let shared = q
        .iter()
        .filter(|x| window_stems.contains(&x.stem.as_str()))
        .count() as f64;
    let bag = shared / m as f64;
    Some(Alignment {
        window,
        similarity: (0.75 * sequence + 0.25 * bag).clamp(0.0, 1.0),
        diffs,
    })
}

/// The closest stretch of a passage (bytes) and its similarity.
#[doc(hidden)]
pub type Closest = (Range<usize>, f64);

/// What `cite` does with one candidate passage, without an index: every
/// exact occurrence of `quote` in `passage` (byte ranges) and the closest
/// stretch with its similarity. For the fuzz targets and property tests
/// ([`crate::invariants`]).
#[doc(hidden)]
pub fn match_text(quote: &str, passage: &str) -> (Vec<Range<usize>>, Option<Closest>) {
    let mut an = Analyzer::default();
    let qw = QuoteWords::new(quote, &mut an, Brackets::Printed);
    let segments = qw.segments();
    if segments.is_empty() {
        return (Vec::new(), None);
    }
    let words = an.words(passage);
    let mut exact = occurrences(&segments, &words);
    if exact.is_empty() {
        if let Some(editorial) = editorial_segments(quote, &segments, &mut an) {
            exact = occurrences(&editorial, &words);
        }
    }
    let closest = align(&qw.words, &words).map(|a| {
        (
            words[a.window.start].bytes.start..words[a.window.end - 1].bytes.end,
            a.similarity,
        )
    });
    (exact, closest)
}
