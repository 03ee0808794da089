//! Ranking by how many of the query's words a passage holds, in one pass.
//!
//! Passages holding more of the content words rank first (Meilisearch's
//! "words" rule): 5 of 6 words above 2 of 6, however often those 2 stand in
//! the passage. Running one query per count was one query per tier (six more
//! for a long query, doubling its time); instead each content clause adds
//! [`STEP`] to the score of a passage it matches, so one top-k run sorts by
//! count, then by BM25, and [`split`] takes the two apart again.

use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader};

/// The score step of one word held: far above any BM25 sum of a query
/// within the limits, and low enough that an `f32` keeps BM25's precision.
pub(crate) const STEP: f32 = 10_000.0;

/// Splits a score into the words held (whole steps) and the BM25 part.
pub(crate) fn split(score: f32) -> (usize, f32) {
    let steps = (score / STEP).floor().max(0.0);
    (steps as usize, score - steps * STEP)
}

/// What a passage on the query's topic (a paragraph, or a section whose
/// heading holds a query word) adds, among `words` content words: more than
/// all the words, so a section whose paragraphs share the words out between
/// them ranks after every passage that holds them itself.
pub(crate) fn on_topic(words: usize) -> f32 {
    (words + 1) as f32 * STEP
}

/// The content words a passage of the any-word tier holds (at least 1, at
/// most `words`), and its BM25 part, from its score: [`STEP`]s for the
/// words, and [`on_topic`] when it is on topic.
pub(crate) fn held(score: f32, words: usize) -> (usize, f32) {
    let (steps, bm25) = split(score);
    let held = if steps > words {
        steps - (words + 1)
    } else {
        steps
    };
    (held.clamp(1, words.max(1)), bm25)
}

/// A query whose matches score `offset` more than the inner query's.
#[derive(Debug)]
pub(crate) struct Counted {
    inner: Box<dyn TQuery>,
    offset: Score,
}

impl Counted {
    pub(crate) fn new(inner: Box<dyn TQuery>, offset: Score) -> Counted {
        Counted { inner, offset }
    }
}

impl Clone for Counted {
    fn clone(&self) -> Self {
        Counted {
            inner: self.inner.box_clone(),
            offset: self.offset,
        }
    }
}

impl TQuery for Counted {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(CountedWeight {
            inner: self.inner.weight(scoring)?,
            offset: self.offset,
        }))
    }
}

struct CountedWeight {
    inner: Box<dyn Weight>,
    offset: Score,
}

impl Weight for CountedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(CountedScorer {
            inner: self.inner.scorer(reader, boost)?,
            offset: self.offset * boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

struct CountedScorer {
    inner: Box<dyn Scorer>,
    offset: Score,
}

impl DocSet for CountedScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.inner.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for CountedScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_recovers_the_words_and_the_bm25_part() {
        let (steps, rest) = split(3.0 * STEP + 42.5);
        assert_eq!(steps, 3);
        assert!((rest - 42.5).abs() < 0.01, "{rest}");
        assert_eq!(split(42.5).0, 0);
    }
}
