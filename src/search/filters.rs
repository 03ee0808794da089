//! Filters (`section:`, `article:`, `year:`, `kind:`) as tantivy queries,
//! and the notes that say when a filter matches nothing at all.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    Query as TQuery, RangeQuery,
};
use tantivy::{Searcher, Term, TERMINATED};

use super::lexicon::Lexicon;
use super::queries::{boxed, kind_is};
use super::scoring::{Heirs, Inherit, Only, Words};
use crate::error::{Error, Result};
use crate::index::{DocKind, Fields, Opened};
use crate::limits::MAX_FILTER_EXPANSIONS;
use crate::model::Kind;
use crate::query::{Filter, Query};
use crate::text::Analyzer;

/// The query of one filter (scored; wrap it to make it a restriction).
///
/// `section:` matches a heading and everything under it (subsections,
/// paragraphs), `article:` an article's title and its whole article: the
/// heading or title is indexed once, on its section, and the documents
/// under it inherit the match. A word matches any of its forms (`culture`
/// finds "Cultural relations"), several words must all stand in the same
/// heading; a prefix is of the word as printed (`cultur*`).
pub(crate) fn filter_query(
    filter: &Filter,
    f: &Fields,
    an: &mut Analyzer,
    lex: &dyn Lexicon,
) -> Result<Box<dyn TQuery>> {
    Ok(match filter {
        Filter::Section(value) | Filter::Article(value) => {
            let (field, stats) = if matches!(filter, Filter::Section(_)) {
                (f.heading, lex.stats().headings)
            } else {
                (f.title, lex.stats().titles)
            };
            let (text, prefix) = Filter::words_and_prefix(value);
            let matched: Box<dyn TQuery> = if prefix {
                // A prefix is of the word as printed: `cultur*` must not
                // depend on what the stemmer makes of `culture`.
                let mut terms = an.exact_terms(text);
                let Some(last) = terms.pop() else {
                    return Ok(boxed(EmptyQuery));
                };
                if terms.is_empty() {
                    boxed(FuzzyTermQuery::new_prefix(
                        Term::from_field_text(field, &last),
                        0,
                        true,
                    ))
                } else {
                    terms.push(last);
                    let mut q = PhrasePrefixQuery::new(
                        terms
                            .iter()
                            .map(|t| Term::from_field_text(field, t))
                            .collect(),
                    );
                    q.set_max_expansions(MAX_FILTER_EXPANSIONS);
                    boxed(q)
                }
            } else {
                let stems: Vec<String> = an.words(text).into_iter().map(|w| w.stem).collect();
                if stems.is_empty() {
                    // Only words too long to be indexed: no heading holds them.
                    return Ok(boxed(EmptyQuery));
                }
                let words: Vec<(Occur, Box<dyn TQuery>)> = stems
                    .iter()
                    .map(|s| {
                        let forms = lex.forms(s);
                        let q: Box<dyn TQuery> =
                            boxed(Words::new(field, &forms.words, stats, Only::Sections));
                        (Occur::Must, q)
                    })
                    .collect();
                boxed(BooleanQuery::new(words))
            };
            boxed(Inherit::new(matched, Heirs::All))
        }
        Filter::Kind(k) => kind_is(
            f,
            match k {
                Kind::Section => DocKind::Section,
                Kind::Paragraph => DocKind::Paragraph,
            },
        ),
        Filter::Year { from, to } => {
            let bound = |v: &Option<i64>| match v {
                Some(y) => Bound::Included(Term::from_field_i64(f.years, *y)),
                None => Bound::Unbounded,
            };
            boxed(RangeQuery::new(bound(from), bound(to)))
        }
    })
}

/// A filter of a query with its query, compiled once: planning restricts
/// by it, and [`unmatched_filters`] asks whether anything satisfies it.
pub(crate) struct CompiledFilter {
    pub filter: Filter,
    /// Negated (`-section:history`): no hit may satisfy it.
    pub excluded: bool,
    /// As [`filter_query`] makes it.
    pub query: Box<dyn TQuery>,
}

/// The filters of `q`, then its negated filters, each compiled.
pub(crate) fn compile_filters(
    q: &Query,
    f: &Fields,
    an: &mut Analyzer,
    lex: &dyn Lexicon,
) -> Result<Vec<CompiledFilter>> {
    let negated = q.excluded_filters.iter().map(|x| (x, true));
    let mut distinct: Vec<(&Filter, bool)> = Vec::new();
    // A filter repeated restricts nothing more: `year:1000..2199` typed
    // 624 times within the query limit is compiled and run once.
    for pair in q.filters.iter().map(|x| (x, false)).chain(negated) {
        if !distinct.contains(&pair) {
            distinct.push(pair);
        }
    }
    distinct
        .into_iter()
        .map(|(filter, excluded)| {
            Ok(CompiledFilter {
                filter: filter.clone(),
                excluded,
                query: filter_query(filter, f, an, lex)?,
            })
        })
        .collect()
}

/// One sentence for each of the `filters` that no document satisfies at
/// all: a `section:` no heading holds, an `article:` no title holds, a
/// `year:` no passage mentions. Without it a misremembered heading looks
/// the same as a search that found nothing.
pub(crate) fn unmatched_filters(
    filters: &[CompiledFilter],
    opened: &Opened,
) -> Result<Vec<String>> {
    let searcher = opened.reader.searcher();
    let mut out = Vec::new();
    for CompiledFilter {
        filter,
        excluded,
        query,
    } in filters
    {
        let what = match filter {
            Filter::Section(_) => "no section heading matches",
            Filter::Article(_) => "no article title matches",
            Filter::Year { .. } => "no passage mentions a year in",
            Filter::Kind(_) => continue,
        };
        if matches_any(&searcher, query.as_ref()).map_err(Error::index(opened.root()))? {
            continue;
        }
        out.push(if *excluded {
            format!("{what} {filter}, so -{filter} excludes nothing")
        } else {
            format!("{what} {filter}")
        });
    }
    Ok(out)
}

/// Whether some live document matches `q`: stops at the first one instead
/// of counting them all (`section:history` matches a good part of a corpus).
fn matches_any(searcher: &Searcher, q: &dyn TQuery) -> tantivy::Result<bool> {
    let weight = q.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for seg in searcher.segment_readers() {
        let mut scorer = weight.scorer(seg, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if seg.alive_bitset().is_none_or(|alive| alive.is_alive(doc)) {
                return Ok(true);
            }
            doc = scorer.advance();
        }
    }
    Ok(false)
}
