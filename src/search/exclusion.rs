//! Queries that debug builds of tantivy can run as exclusions
//! (`Occur::MustNot`) and explain.

use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader};

use super::queries::boxed;

/// An exclusion (`Occur::MustNot`) that tantivy can run in a debug build.
///
/// Tantivy 0.27 asks an excluded query's scorer about each candidate
/// document in turn, even one behind where the scorer stands (before its
/// first match, or before the bound a miss returned), and a phrase scorer
/// asserts, in debug builds only, that it is never asked that: every
/// excluded phrase (`-"civil war"`, `-section:"see also"`) panicked. See
/// quickwit-oss/tantivy#2811. The wrapper answers such a question itself,
/// as release builds did without it: not there, look from where it stands.
pub(crate) fn exclusion(q: Box<dyn TQuery>) -> Box<dyn TQuery> {
    boxed(Exclusion(q))
}

/// The same wrapper, for a scored intersection whose parts `--explain`
/// names (tantivy's explain of it asserts in debug builds the same way).
pub(crate) fn forward_only(q: Box<dyn TQuery>) -> Box<dyn TQuery> {
    boxed(Exclusion(q))
}

#[derive(Debug)]
struct Exclusion(Box<dyn TQuery>);

impl Clone for Exclusion {
    fn clone(&self) -> Self {
        Exclusion(self.0.box_clone())
    }
}

impl TQuery for Exclusion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ExclusionWeight(self.0.weight(scoring)?)))
    }
}

struct ExclusionWeight(Box<dyn Weight>);

impl Weight for ExclusionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(NeverBack(self.0.scorer(reader, boost)?)))
    }

    /// Tantivy's own explain of an intersection seeks its scorer to the
    /// document, which asserts (in debug builds) when the scorer's first
    /// match is already past it; this one asks the forward-only scorer.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("matched", scorer.score()))
    }
}

/// A scorer never asked about a document behind the one it stands on: it
/// only moves forward, so such a document is not (or no longer) to be found.
struct NeverBack(Box<dyn Scorer>);

impl DocSet for NeverBack {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if target <= doc {
            return doc;
        }
        self.0.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let doc = self.0.doc();
        if target < doc {
            return SeekDangerResult::SeekLowerBound(doc);
        }
        self.0.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for NeverBack {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
