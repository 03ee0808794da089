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

/// The score step of a word held only through an expansion (a synonym of
/// it): half a word, so a passage holding the word typed ranks above one
/// holding only a synonym, and two synonyms count as one word typed.
pub(crate) const EXPANDED: f32 = STEP / 2.0;

/// Splits a score into half steps (two for a word held, one for a word
/// held only through an expansion) and the BM25 part.
pub(crate) fn split(score: f32) -> (usize, f32) {
    let halves = (score / EXPANDED).floor().max(0.0);
    (halves as usize, score - halves * EXPANDED)
}

/// What a passage on the query's topic (a paragraph, or a section whose
/// heading holds a query word) adds, among `words` content words: more than
/// all the words, so a section whose paragraphs share the words out between
/// them ranks after every passage that holds them itself.
pub(crate) fn on_topic(words: usize) -> f32 {
    (words + 1) as f32 * STEP
}

/// The content words a passage of the any-word tier holds, in the words
/// typed or (two for one) their expansions (at least 1, at most `words`),
/// and its BM25 part, from its score: [`STEP`]s for the words,
/// [`EXPANDED`] for each word held only through an expansion, and
/// [`on_topic`] when it is on topic.
pub(crate) fn held(score: f32, words: usize) -> (usize, f32) {
    let (halves, bm25) = split(score);
    let halves = if halves > 2 * words {
        halves - 2 * (words + 1)
    } else {
        halves
    };
    (halves.div_ceil(2).clamp(1, words.max(1)), bm25)
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

/// A query, with `offset` more for each of its documents that `gate`
/// passes: the on-topic step of the any-word tier. As one more optional
/// clause beside the words, the gate (which passes most of the index) was
/// listed window by window with them, a sixth of a search's time; here it
/// is asked about each document the query found.
pub(crate) struct Bonus {
    base: Box<dyn TQuery>,
    gate: Box<dyn TQuery>,
    offset: Score,
}

impl Bonus {
    pub(crate) fn new(base: Box<dyn TQuery>, gate: Box<dyn TQuery>, offset: Score) -> Bonus {
        Bonus { base, gate, offset }
    }
}

impl Clone for Bonus {
    fn clone(&self) -> Self {
        Bonus {
            base: self.base.box_clone(),
            gate: self.gate.box_clone(),
            offset: self.offset,
        }
    }
}

impl std::fmt::Debug for Bonus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bonus")
            .field("base", &self.base)
            .field("gate", &self.gate)
            .field("offset", &self.offset)
            .finish()
    }
}

impl TQuery for Bonus {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(BonusWeight {
            base: self.base.weight(scoring)?,
            gate: self.gate.weight(scoring)?,
            offset: self.offset,
        }))
    }
}

struct BonusWeight {
    base: Box<dyn Weight>,
    gate: Box<dyn Weight>,
    offset: Score,
}

impl Weight for BonusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(BonusScorer {
            base: self.base.scorer(reader, boost)?,
            gate: self.gate.scorer(reader, boost)?,
            offset: self.offset * boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut e = self.base.explain(reader, doc)?;
        if let Ok(gate) = self.gate.explain(reader, doc) {
            e.add_detail(gate);
        }
        Ok(e)
    }
}

struct BonusScorer {
    base: Box<dyn Scorer>,
    gate: Box<dyn Scorer>,
    offset: Score,
}

impl DocSet for BonusScorer {
    fn advance(&mut self) -> DocId {
        self.base.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.base.seek(target)
    }

    fn doc(&self) -> DocId {
        self.base.doc()
    }

    fn size_hint(&self) -> u32 {
        self.base.size_hint()
    }

    fn cost(&self) -> u64 {
        self.base.cost()
    }
}

impl Scorer for BonusScorer {
    fn score(&mut self) -> Score {
        let doc = self.base.doc();
        let score = self.base.score();
        let at = if self.gate.doc() < doc {
            self.gate.seek(doc)
        } else {
            self.gate.doc()
        };
        if at == doc {
            score + self.offset
        } else {
            score
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_recovers_the_words_and_the_bm25_part() {
        let (halves, rest) = split(3.0 * STEP + EXPANDED + 42.5);
        assert_eq!(halves, 7);
        assert!((rest - 42.5).abs() < 0.01, "{rest}");
        assert_eq!(split(42.5).0, 0);
        // Two words typed and one through a synonym, on topic, of five.
        let (held_, rest) = held(on_topic(5) + 2.0 * STEP + EXPANDED + 3.5, 5);
        assert_eq!(held_, 3);
        assert!((rest - 3.5).abs() < 0.01, "{rest}");
    }
}
