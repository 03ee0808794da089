//! Finding exactly where a quote stands, or the passages closest to it.
//!
//! A quote matches exactly where a paragraph has the same words in the same
//! order, compared as folded terms ([`crate::text`]): case, punctuation
//! between words, dashes, curly quotes, diacritics, spacing and editorial
//! brackets do not matter; inflection does (no stemming). An ellipsis
//! (`…`, `...`, `[…]`) stands for any run of words within the passage.
//!
//! Candidates come from the index (phrase queries on positions); their
//! occurrences are counted from the word positions of the quote's terms, and
//! only the passages listed are read back and matched word by word for the
//! exact bytes. When
//! nothing matches exactly, the best-ranked passages for the quote's words
//! are aligned with it word by word (an edit distance that forgives a
//! changed, added, dropped or swapped word) and the closest are returned with
//! what differs.

mod approximate;
mod exact;
pub mod style;
mod words;

use std::ops::Range;

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::highlight::Snippet;
use crate::index::{Opened, Unreadable};
use crate::limits::{MAX_LISTED, MAX_QUOTE_BYTES, MAX_QUOTE_ELLIPSES};
use crate::text::Analyzer;
use approximate::approximate;
pub use approximate::{match_text, Closest};
use exact::exact;
use style::Style;
use words::{editorial_segments, ellipses, Brackets, QuoteWords};

/// How to cite.
#[derive(Debug, Clone)]
pub struct CiteOptions {
    /// Most matches to return (exact ones first); `None` for every exact
    /// match and [`DEFAULT_APPROXIMATE`] approximate ones.
    pub limit: Option<usize>,
    /// Citation style.
    pub style: Style,
    /// Length of the context shown around a match, in characters.
    pub context_chars: usize,
    /// Most approximate matches when there is no exact one, whatever the
    /// limit (`None`: the limit decides).
    pub approximate: Option<usize>,
}

/// How many approximate matches to return when no limit is given.
pub const DEFAULT_APPROXIMATE: usize = 3;

/// The least similarity (0..1) of a passage listed as close to a quote
/// that is not in the corpus: below it, what a passage shares with the
/// quote is a few common words.
pub const MIN_LISTED_SIMILARITY: f64 = 0.5;

impl Default for CiteOptions {
    fn default() -> Self {
        CiteOptions {
            limit: None,
            style: Style::Plain,
            context_chars: 300,
            approximate: None,
        }
    }
}

/// A run of words where the quote and the article differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The quote's words here, as typed (`None`: the article has extra words).
    pub quote: Option<String>,
    /// The article's words here, as printed (`None`: the quote has extra words).
    pub article: Option<String>,
    /// Whether the two are one word spelled two ways (`formalization`,
    /// `formalisation`): a difference of spelling, not of wording.
    pub spelling_variant: bool,
}

/// Exact or approximate.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchKind {
    /// Same words in the same order.
    Exact,
    /// Close but not the same.
    Approximate {
        /// 0..1, 1 being identical.
        similarity: f64,
        /// What differs, in order.
        differences: Vec<Difference>,
    },
}

/// One place the quote stands (or nearly does).
#[derive(Debug, Clone)]
pub struct CiteMatch {
    /// Exact or approximate.
    pub kind: MatchKind,
    /// The passage holding it, without its text (which may be megabytes):
    /// `text` and `context` are what is shown of it.
    pub doc: Document,
    /// 1-based line of the first matched word.
    pub line: usize,
    /// 1-based column, in characters, of the first matched word.
    pub column: usize,
    /// Byte offset of the first matched word in the file.
    pub byte_start: usize,
    /// Byte offset just past the last matched word in the file.
    pub byte_end: usize,
    /// `file[byte_start..byte_end]`: the words as the article prints them.
    pub text: String,
    /// The citation in the requested style.
    pub citation: String,
    /// The sentence(s) around the match, the match (or, for an approximate
    /// one, the differing words) marked.
    pub context: Snippet,
    /// For an approximate match: the quote with its differing words marked.
    pub quote_marked: Option<Snippet>,
}

/// Everything `cite` found.
#[derive(Debug, Clone)]
pub struct CiteResults {
    /// The quote as given.
    pub quote: String,
    /// Exact matches in document order, then approximate ones, best first.
    pub matches: Vec<CiteMatch>,
    /// How many exact matches there are in all (some may be cut by the limit).
    pub exact_total: usize,
    /// Remarks for stderr (e.g. the quote is longer than any passage).
    pub notes: Vec<String>,
    /// Files whose passages could not be read back.
    pub unreadable: Unreadable,
}

/// Checks that a quote can be looked for: not too long, not cut into too
/// many parts, and holding at least one word.
pub fn check_quote(quote: &str) -> Result<()> {
    if quote.len() > MAX_QUOTE_BYTES {
        return Err(Error::Quote(format!(
            "the quote is {} bytes long; the limit is {MAX_QUOTE_BYTES}",
            quote.len()
        )));
    }
    let ellipses = ellipses(quote).len();
    if ellipses > MAX_QUOTE_ELLIPSES {
        return Err(Error::Quote(format!(
            "the quote has {ellipses} ellipses; the limit is {MAX_QUOTE_ELLIPSES} (cite its parts on their own)"
        )));
    }
    if !quote.chars().any(char::is_alphanumeric) {
        return Err(Error::Quote(if quote.trim().is_empty() {
            "empty quote".into()
        } else {
            "the quote has no words (letters or digits) to look for".into()
        }));
    }
    Ok(())
}

/// Finds the quote.
pub fn cite(opened: &Opened, quote: &str, opts: &CiteOptions) -> Result<CiteResults> {
    check_quote(quote)?;
    let mut an = Analyzer::default();
    let qw = QuoteWords::new(quote, &mut an, Brackets::Printed);
    if qw.words.is_empty() {
        return Err(Error::Quote(
            "the quote has no words (letters or digits) to look for".into(),
        ));
    }
    let searcher = opened.reader.searcher();
    // Brackets first as the article's own words (`counterweight [to
    // Israel]`), then, only if that finds nothing, as an editor's
    // insertions or replacements (`Hafiz al-Assad [then president] voiced`).
    let printed = qw.segments();
    let mut unreadable = Unreadable::default();
    let mut found = exact(opened, &searcher, &printed, opts, &mut an, &mut unreadable)?;
    if found.1 == 0 {
        if let Some(segments) = editorial_segments(quote, &printed, &mut an) {
            found = exact(opened, &searcher, &segments, opts, &mut an, &mut unreadable)?;
        }
    }
    let (mut matches, exact_total) = found;
    let mut notes = Vec::new();
    let limit = opts.limit.unwrap_or(usize::MAX).min(MAX_LISTED);
    let shown = matches.len();
    if exact_total > shown {
        let more = exact_total - shown;
        let (s, verb) = if more == 1 { ("", "is") } else { ("es", "are") };
        notes.push(if shown == MAX_LISTED && limit == MAX_LISTED {
            format!(
                "{more} more exact match{s} {verb} not listed: at most {MAX_LISTED} are (narrow the quote to find the place you want)"
            )
        } else {
            format!("{more} more exact match{s} not shown (-n {shown})")
        });
    }

    if exact_total == 0 {
        let wanted = opts
            .approximate
            .or(opts.limit)
            .unwrap_or(DEFAULT_APPROXIMATE);
        let (approx, closest_len, split) =
            approximate(opened, &qw, wanted, opts, &mut an, &mut unreadable)?;
        if let Some(split) = split {
            notes.push(split);
        } else if closest_len > 0 && qw.words.len() > closest_len {
            notes.push(format!(
                "the quote has {} words but the closest passage only {closest_len}: a quote must stand within one paragraph, so cite each paragraph on its own",
                qw.words.len()
            ));
        }
        // Below the floor a passage shares a few words with the quote by
        // chance: listing it as "closest" would only mislead.
        matches = approx
            .into_iter()
            .filter(|m| match m.kind {
                MatchKind::Approximate { similarity, .. } => similarity >= MIN_LISTED_SIMILARITY,
                MatchKind::Exact => true,
            })
            .collect();
        notes.push(
            if wanted == 0 {
                "no exact match"
            } else if matches.is_empty() {
                "the quote is not in the corpus, and no passage is close to it"
            } else {
                "no exact match; the closest passages are shown"
            }
            .to_string(),
        );
    }
    Ok(CiteResults {
        quote: quote.to_string(),
        matches,
        exact_total,
        notes,
        unreadable,
    })
}

/// Fills in the location fields of a match at `span` (bytes of the passage).
fn located(
    doc: &mut Document,
    place: &mut Place,
    span: Range<usize>,
    kind: MatchKind,
    context: Snippet,
    quote_marked: Option<Snippet>,
    style: Style,
) -> CiteMatch {
    place.advance(&doc.text, span.start);
    let line = doc.line_start + place.breaks;
    let column = if place.after_break {
        1 + place.chars
    } else {
        doc.column + place.chars
    };
    CiteMatch {
        kind,
        line,
        column,
        byte_start: doc.byte_start + span.start,
        byte_end: doc.byte_start + span.end,
        text: doc.text[span].to_string(),
        citation: style::cite(style, doc, line),
        context,
        quote_marked,
        doc: without_text(doc),
    }
}

/// How far into a passage's text a match starts, in line breaks and then
/// characters: counted once for all the matches of a passage, which come
/// in text order (a 60 MB paragraph listed 1,000 times was scanned from
/// its start for each).
#[derive(Default)]
struct Place {
    /// Bytes counted so far.
    at: usize,
    /// Line ends before `at` (`\n`, `\r\n` or a lone `\r`).
    breaks: usize,
    /// Whether a line end was seen: `chars` then counts from it.
    after_break: bool,
    /// Characters since the last line end (or the passage's start).
    chars: usize,
    /// Whether the last byte counted was `\r` (a `\n` next ends no line).
    cr: bool,
}

impl Place {
    fn advance(&mut self, text: &str, to: usize) {
        if to < self.at {
            *self = Place::default();
        }
        for &b in &text.as_bytes()[self.at..to] {
            match b {
                b'\n' if self.cr => self.cr = false,
                b'\n' | b'\r' => {
                    self.breaks += 1;
                    self.after_break = true;
                    self.chars = 0;
                    self.cr = b == b'\r';
                }
                _ => {
                    self.cr = false;
                    // A character starts at every byte that does not
                    // continue one.
                    self.chars += usize::from(b & 0xC0 != 0x80);
                }
            }
        }
        self.at = to;
    }
}

/// A copy of a passage without its text, which may be megabytes and is
/// shown through a match's `text` and `context` instead.
fn without_text(doc: &mut Document) -> Document {
    let text = std::mem::take(&mut doc.text);
    let copy = doc.clone();
    doc.text = text;
    copy
}

#[cfg(test)]
mod tests {
    use super::approximate::*;
    use super::exact::*;
    use super::words::*;
    use super::*;
    use crate::text::Word;

    fn words(s: &str) -> Vec<Word> {
        Analyzer::default().words(s)
    }

    fn segs(q: &str) -> Vec<Segment> {
        QuoteWords::new(q, &mut Analyzer::default(), Brackets::Printed).segments()
    }

    fn terms(segments: &[Segment]) -> Vec<Vec<&str>> {
        segments
            .iter()
            .map(|s| s.terms.iter().map(String::as_str).collect())
            .collect()
    }

    fn editorial(q: &str) -> Vec<Segment> {
        QuoteWords::new(q, &mut Analyzer::default(), Brackets::Editorial).segments()
    }

    /// The count from term positions is the count of the word-by-word
    /// search, for quotes with and without ellipses over random passages
    /// of a few words (so that words repeat and occurrences overlap).
    #[test]
    fn counting_by_positions_agrees_with_the_word_by_word_search() {
        let vocab = ["a", "b", "c", "a b"];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..3000 {
            let passage: Vec<&str> = (0..next(30)).map(|_| vocab[next(3)]).collect();
            let passage = passage.join(" ");
            let quote: Vec<&str> = (0..1 + next(4))
                .map(|_| if next(4) == 0 { "…" } else { vocab[next(4)] })
                .collect();
            let quote = quote.join(" ");
            let segments = segs(&quote);
            if segments.is_empty() || segments.iter().any(|s| s.terms.is_empty()) {
                continue;
            }
            let w = words(&passage);
            let mut positions: std::collections::HashMap<String, Vec<u32>> = Default::default();
            for (i, word) in w.iter().enumerate() {
                positions
                    .entry(word.exact.clone())
                    .or_default()
                    .push(i as u32);
            }
            let counted = count_occurrences(&segments, |t| positions.get(t).map(Vec::as_slice));
            assert_eq!(
                counted,
                occurrences(&segments, &w).len(),
                "{quote:?} in {passage:?}"
            );
        }
    }

    #[test]
    fn ellipses_split_segments() {
        assert_eq!(terms(&segs("a b … c")), vec![vec!["a", "b"], vec!["c"]]);
        assert_eq!(
            terms(&segs("a [...] c ... d")),
            vec![vec!["a"], vec!["c"], vec!["d"]]
        );
        assert_eq!(terms(&segs("… a b")), vec![vec!["a", "b"]]);
        assert_eq!(terms(&segs("a . . . b")), vec![vec!["a"], vec!["b"]]);
        assert_eq!(
            terms(&segs("counterweight [to Israel]")),
            vec![vec!["counterweight", "to", "israel"]]
        );
        assert!(segs("a … b")[1].gap.is_none());
    }

    #[test]
    fn editorial_brackets_are_bounded_gaps() {
        let s = editorial("Hafiz al-Assad [then president] voiced support");
        assert_eq!(
            terms(&s),
            vec![vec!["hafiz", "al", "assad"], vec!["voiced", "support"]]
        );
        assert_eq!(s[1].gap, Some(BRACKET_GAP));
        // An ellipsis beside a bracket leaves the gap unbounded.
        let s = editorial("a b [c] … d");
        assert_eq!(terms(&s), vec![vec!["a", "b"], vec!["d"]]);
        assert_eq!(s[1].gap, None);
        // Leading and trailing groups are dropped; `[T]he` is one word.
        assert_eq!(terms(&editorial("[He] said [it] [so]")), vec![vec!["said"]]);
        assert_eq!(
            terms(&editorial("[T]he embassy")),
            vec![vec!["the", "embassy"]]
        );
        assert_eq!(
            terms(&editorial("govern[ment] of [I]ran")),
            vec![vec!["government", "of", "iran"]]
        );
    }

    #[test]
    fn brackets_match_insertions_replacements_and_printed_words() {
        let passage = "Hafiz al-Assad voiced support for Iranian dissidents. The Iranian embassy was ransacked. Iran will not lose this golden counterweight [to Israel].";
        let found = |q: &str| match_text(q, passage).0.len();
        assert_eq!(found("Hafiz al-Assad [then president] voiced support"), 1);
        assert_eq!(found("[T]he Iranian embassy"), 1);
        assert_eq!(found("[Tehran] will not lose"), 1);
        assert_eq!(found("Iran [Tehran] will not lose"), 1);
        assert_eq!(found("golden counterweight [to Israel]"), 1);
        // A bracket is a few words at most, not any run of them.
        assert_eq!(found("Hafiz al-Assad [said] dissidents"), 1);
        assert_eq!(found("Hafiz al-Assad [x] embassy"), 0);
        // The words outside the brackets still have to match.
        assert_eq!(found("Hafiz al-Assad [then president] voiced doubts"), 0);
    }

    #[test]
    fn bounded_gaps_backtrack() {
        // The first `b` is too far from the `c` that follows; the second
        // `b` is close enough.
        let w = words("a b x x x x x x x x b c");
        let s = vec![
            Segment {
                terms: vec!["a".into()],
                gap: Some(0),
            },
            Segment {
                terms: vec!["b".into()],
                gap: None,
            },
            Segment {
                terms: vec!["c".into()],
                gap: Some(1),
            },
        ];
        assert_eq!(occurrences(&s, &w).len(), 1);
        let s2 = vec![
            Segment {
                terms: vec!["b".into()],
                gap: Some(0),
            },
            Segment {
                terms: vec!["c".into()],
                gap: Some(0),
            },
        ];
        assert_eq!(occurrences(&s2, &w).len(), 1);
    }

    #[test]
    fn occurrences_find_every_one_in_order() {
        let text = "Iran is not prepared to lose this golden counterweight. Iran is here.";
        let w = words(text);
        let found = occurrences(&segs("Iran is"), &w);
        assert_eq!(found.len(), 2);
        let found = occurrences(&segs("Iran is not … counterweight"), &w);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &text[found[0].clone()],
            "Iran is not prepared to lose this golden counterweight"
        );
        assert!(occurrences(&segs("counterweight … prepared"), &w).is_empty());
    }

    #[test]
    fn alignment_forgives_one_changed_word() {
        let q = words("not prepared to lose this golden balance");
        let w = words("Iran is not prepared to lose this golden counterweight to Israel.");
        let a = align(&q, &w).unwrap();
        assert_eq!(a.window, 2..9);
        assert_eq!(a.diffs.len(), 1);
        assert_eq!(a.diffs[0].quote, vec![6]);
        assert_eq!(a.diffs[0].article, vec![8]);
        assert!(a.similarity > 0.8 && a.similarity < 1.0);
    }

    #[test]
    fn alignment_handles_swaps_and_drops() {
        let w = words("the golden ring of the resistance chain in the region");
        let swapped = align(&words("the ring golden of the resistance chain"), &w).unwrap();
        assert!(swapped.similarity > 0.8, "{}", swapped.similarity);
        let dropped = align(&words("the golden ring of resistance chain"), &w).unwrap();
        assert!(dropped.similarity > 0.8);
        let added = align(&words("the golden ring of the whole resistance chain"), &w).unwrap();
        assert!(added.similarity > 0.8);
    }
}
