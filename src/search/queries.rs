//! Small builders of tantivy queries, shared by the planner, the filters
//! and the exclusions.

use tantivy::query::{PhraseQuery, Query as TQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::scoring::KindIn;
use crate::index::{DocKind, Fields};

/// A query, boxed.
pub(crate) fn boxed(q: impl TQuery) -> Box<dyn TQuery> {
    Box::new(q)
}

/// A term of `field`, scored by BM25.
pub(crate) fn term_query(field: Field, text: &str) -> Box<dyn TQuery> {
    boxed(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A phrase (several terms) or a term (one) on a positional field.
pub(crate) fn phrase_or_term(field: Field, terms: &[String], slop: u32) -> Box<dyn TQuery> {
    if terms.len() == 1 {
        return term_query(field, &terms[0]);
    }
    let terms: Vec<(usize, Term)> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (i, Term::from_field_text(field, t)))
        .collect();
    boxed(PhraseQuery::new_with_offset_and_slop(terms, slop))
}

/// The documents of one kind.
pub(crate) fn kind_is(_f: &Fields, kind: DocKind) -> Box<dyn TQuery> {
    boxed(KindIn::new(&[kind]))
}

/// Every document a search may show: sections and paragraphs (not file
/// documents, tombstones or chunk copies).
pub(crate) fn results(_f: &Fields) -> Box<dyn TQuery> {
    boxed(KindIn::new(&[DocKind::Section, DocKind::Paragraph]))
}
