//! Running a [`Query`] against an opened index and returning [`Hit`]s.
//!
//! Ranking is BM25 over the stemmed text, plus the section heading (boosted)
//! and a small bonus for the unstemmed form. Passages holding every clause of
//! the query come first; when fewer than `limit` do, the best passages
//! holding only some of them follow, so a query never comes back empty just
//! because no passage holds all of its words.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader, TantivyDocument, Term};

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::highlight::{self, Pattern, Snippet};
use crate::index::{Fields, Opened};
use crate::query::{Atom, Filter, Kind, Query, QueryError};
use crate::text::Analyzer;

/// Weight of a match in the section heading relative to the body.
const HEADING_BOOST: f32 = 1.5;
/// Weight of a match on the unstemmed form, so `ransacked` ranks the passage
/// that says `ransacked` above one that says `ransacking`.
const EXACT_BONUS: f32 = 0.3;
/// Section documents hold all the text of their paragraphs; this keeps a
/// specific query ranking the paragraph above the section around it while a
/// topic query (matching the heading) still ranks the section.
const SECTION_WEIGHT: f32 = 0.7;

/// How to search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Most hits returned.
    pub limit: usize,
    /// Snippet length to aim for, in characters.
    pub snippet_chars: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            snippet_chars: 240,
        }
    }
}

/// One ranked result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// Relevance score (BM25-based; higher is better).
    pub score: f32,
    /// Whether the passage holds every clause of the query.
    pub complete: bool,
    /// The document.
    pub doc: Document,
    /// The best cut of its text, with the matches marked.
    pub snippet: Snippet,
}

/// Everything a search found.
#[derive(Debug, Clone)]
pub struct Results {
    /// The query as typed.
    pub query: String,
    /// How many documents match (at least one clause, every filter).
    pub total: usize,
    /// The best `limit` of them.
    pub hits: Vec<Hit>,
    /// How the query was read, when it was read leniently.
    pub notes: Vec<String>,
}

/// Parses and runs a query.
pub fn search(opened: &Opened, input: &str, opts: &SearchOptions) -> Result<Results> {
    let query = Query::parse(input)?;
    let mut analyzer = Analyzer::default();
    let plan = Plan::new(&query, &opened.fields, &mut analyzer)?;
    let searcher = opened.reader.searcher();
    let limit = opts.limit.max(1);
    let run = |q: &dyn TQuery, n: usize| -> Result<(Vec<(f32, DocAddress)>, usize)> {
        let top = TopDocs::with_limit(n).tweak_score(|seg: &SegmentReader| {
            // Sections store paragraph 0.
            let para = seg
                .fast_fields()
                .u64("paragraph")
                .map(|c| c.first_or_default_col(1))
                .ok();
            move |doc: DocId, score: Score| match &para {
                Some(col) if col.get_val(doc) == 0 => score * SECTION_WEIGHT,
                _ => score,
            }
        });
        searcher
            .search(q, &(top, Count))
            .map_err(Error::index(opened.root()))
    };
    if !query.has_terms() {
        // Nothing to rank by: list the matches in article order.
        let (top, total) = in_article_order(&searcher, plan.all.as_ref(), limit)
            .map_err(Error::index(opened.root()))?;
        return finish(
            opened,
            input,
            query,
            plan,
            &mut analyzer,
            top,
            total,
            |_| true,
            opts,
        );
    }
    let (mut top, mut total) = run(plan.all.as_ref(), limit)?;
    let mut complete: HashSet<DocAddress> = top.iter().map(|(_, a)| *a).collect();
    if let Some(any) = &plan.any {
        let (more, n) = run(any.as_ref(), limit + top.len())?;
        total = n;
        top.extend(more.into_iter().filter(|(_, a)| !complete.contains(a)));
        top.truncate(limit);
    } else {
        complete.clear();
    }

    let all_clauses = plan.any.is_none();
    finish(
        opened,
        input,
        query,
        plan,
        &mut analyzer,
        top,
        total,
        |addr| all_clauses || complete.contains(addr),
        opts,
    )
}

/// Loads the hits, cuts their snippets and assembles the results.
#[allow(clippy::too_many_arguments)]
fn finish(
    opened: &Opened,
    input: &str,
    query: Query,
    plan: Plan,
    analyzer: &mut Analyzer,
    top: Vec<(f32, DocAddress)>,
    total: usize,
    is_complete: impl Fn(&DocAddress) -> bool,
    opts: &SearchOptions,
) -> Result<Results> {
    let searcher = opened.reader.searcher();
    let mut hits = Vec::with_capacity(top.len());
    for (i, (score, addr)) in top.into_iter().enumerate() {
        let stored: TantivyDocument = searcher.doc(addr).map_err(Error::index(opened.root()))?;
        let doc = opened.fields.from_tantivy(&stored);
        let words = analyzer.words(&doc.text);
        let found = highlight::find(&plan.patterns, &words);
        let snippet = highlight::snippet(&doc.text, &found, opts.snippet_chars);
        hits.push(Hit {
            rank: i + 1,
            score,
            complete: is_complete(&addr),
            doc,
            snippet,
        });
    }
    let mut notes = query.notes;
    notes.extend(plan.notes);
    Ok(Results {
        query: input.to_string(),
        total,
        hits,
        notes,
    })
}

/// Every match of a query without ranked words, in file and byte order
/// (read from fast fields, without loading documents).
fn in_article_order(
    searcher: &Searcher,
    q: &dyn TQuery,
    limit: usize,
) -> tantivy::Result<(Vec<(f32, DocAddress)>, usize)> {
    let all = searcher.search(q, &DocSetCollector)?;
    let total = all.len();
    let mut by_segment: HashMap<u32, Vec<DocAddress>> = HashMap::new();
    for addr in all {
        by_segment.entry(addr.segment_ord).or_default().push(addr);
    }
    let mut keyed: Vec<(String, u64, DocAddress)> = Vec::with_capacity(total);
    for (seg_ord, addrs) in by_segment {
        let ff = searcher.segment_reader(seg_ord).fast_fields();
        let files = ff.str("file")?;
        let starts = ff.u64("byte_start")?.first_or_default_col(0);
        for addr in addrs {
            let mut file = String::new();
            if let Some(col) = &files {
                if let Some(ord) = col.term_ords(addr.doc_id).next() {
                    col.ord_to_str(ord, &mut file)?;
                }
            }
            keyed.push((file, starts.get_val(addr.doc_id), addr));
        }
    }
    keyed.sort();
    Ok((
        keyed
            .into_iter()
            .take(limit)
            .map(|(_, _, a)| (0.0, a))
            .collect(),
        total,
    ))
}

/// The tantivy queries and highlight patterns for one [`Query`].
struct Plan {
    /// Every clause required.
    all: Box<dyn TQuery>,
    /// Any clause suffices; only when there are several clauses.
    any: Option<Box<dyn TQuery>>,
    patterns: Vec<Pattern>,
    notes: Vec<String>,
}

fn boxed(q: impl TQuery) -> Box<dyn TQuery> {
    Box::new(q)
}

fn term_query(field: Field, text: &str) -> Box<dyn TQuery> {
    boxed(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A phrase (several terms) or a term (one) on a positional field.
fn phrase_or_term(field: Field, terms: &[String], slop: u32) -> Box<dyn TQuery> {
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

impl Plan {
    fn new(q: &Query, f: &Fields, an: &mut Analyzer) -> Result<Plan> {
        let mut notes = Vec::new();
        let mut patterns = Vec::new();
        let mut clauses: Vec<Box<dyn TQuery>> = Vec::new();
        for group in &q.clauses {
            let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
            for atom in group {
                match atom_query(atom, f, an) {
                    Some((query, pats)) => {
                        alts.push(query);
                        patterns.extend(pats);
                    }
                    None => notes.push(format!("{atom} has no letters or digits and was ignored")),
                }
            }
            match alts.len() {
                0 => {}
                1 => clauses.push(alts.pop().expect("one")),
                _ => clauses.push(boxed(BooleanQuery::new(
                    alts.into_iter().map(|q| (Occur::Should, q)).collect(),
                ))),
            }
        }
        let mut restrictions: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        for filter in &q.filters {
            let fq = filter_query(filter, f, an)?;
            restrictions.push((Occur::Must, boxed(ConstScoreQuery::new(fq, 0.0))));
        }
        for filter in &q.excluded_filters {
            restrictions.push((Occur::MustNot, filter_query(filter, f, an)?));
        }
        for atom in &q.excluded {
            if let Some((query, _)) = atom_query(atom, f, an) {
                restrictions.push((Occur::MustNot, query));
            }
        }
        if clauses.is_empty() && q.filters.is_empty() {
            if !q.clauses.is_empty() {
                return Err(QueryError {
                    position: 1,
                    message: "nothing to search for: the query has no letters or digits".into(),
                }
                .into());
            }
            if q.excluded.is_empty() && q.excluded_filters.is_empty() {
                return Err(QueryError {
                    position: 1,
                    message: "empty query".into(),
                }
                .into());
            }
        }
        let build = |ranked: Vec<(Occur, Box<dyn TQuery>)>| -> Box<dyn TQuery> {
            let mut parts = ranked;
            parts.extend(restrictions.iter().map(|(o, q)| (*o, q.box_clone())));
            // Ranked clauses are all optional in `any`; keep at least one
            // positive clause so exclusions have something to subtract from.
            if !parts.iter().any(|(o, _)| *o == Occur::Must) {
                parts.push((Occur::Must, boxed(AllQuery)));
            }
            boxed(BooleanQuery::new(parts))
        };
        let n = clauses.len();
        let mut required: Vec<(Occur, Box<dyn TQuery>)> = clauses
            .iter()
            .map(|c| (Occur::Must, c.box_clone()))
            .collect();
        if n > 1 {
            required.push((Occur::Must, complete_gate(q, f, an)));
        }
        let all = build(required);
        let any = (n > 1).then(|| {
            let union = boxed(BooleanQuery::new(
                clauses
                    .iter()
                    .map(|c| (Occur::Should, c.box_clone()))
                    .collect(),
            ));
            build(vec![(Occur::Must, union)])
        });
        Ok(Plan {
            all,
            any,
            patterns,
            notes,
        })
    }
}

/// Which documents may count as holding every clause: any paragraph, but a
/// section only when its heading holds one of the query's words. A section
/// holds the text of all its paragraphs, so otherwise a section whose
/// paragraphs share the words out between them would outrank the one
/// paragraph that holds all but one of them.
fn complete_gate(q: &Query, f: &Fields, an: &mut Analyzer) -> Box<dyn TQuery> {
    let mut heading_terms: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for atom in q.clauses.iter().flatten() {
        let text = match atom {
            Atom::Word(t) | Atom::Prefix(t) | Atom::Phrase { text: t, .. } => t,
        };
        for w in an.words(text) {
            heading_terms.push((Occur::Should, term_query(f.heading, &w.stem)));
        }
    }
    let section_on_topic = boxed(BooleanQuery::new(vec![
        (Occur::Must, term_query(f.kind, Kind::Section.as_str())),
        (Occur::Must, boxed(BooleanQuery::new(heading_terms))),
    ]));
    boxed(ConstScoreQuery::new(
        boxed(BooleanQuery::new(vec![
            (Occur::Should, term_query(f.kind, Kind::Paragraph.as_str())),
            (Occur::Should, section_on_topic),
        ])),
        0.0,
    ))
}

/// The query and highlight patterns of one atom; `None` if it holds no word.
fn atom_query(
    atom: &Atom,
    f: &Fields,
    an: &mut Analyzer,
) -> Option<(Box<dyn TQuery>, Vec<Pattern>)> {
    match atom {
        Atom::Word(w) => {
            let words = an.words(w);
            match words.len() {
                0 => None,
                1 => {
                    let (exact, stem) = (&words[0].exact, &words[0].stem);
                    let q = BooleanQuery::new(vec![
                        (Occur::Should, term_query(f.body, stem)),
                        (
                            Occur::Should,
                            boxed(BoostQuery::new(term_query(f.heading, stem), HEADING_BOOST)),
                        ),
                        (
                            Occur::Should,
                            boxed(BoostQuery::new(term_query(f.exact, exact), EXACT_BONUS)),
                        ),
                    ]);
                    Some((boxed(q), vec![Pattern::Stem(stem.clone())]))
                }
                _ => {
                    // `Iran-Iraq` or `al-Assad`: the parts must stand together.
                    let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
                    let q = phrase_or_term(f.exact, &terms, 0);
                    Some((q, vec![Pattern::Phrase { terms, slop: 0 }]))
                }
            }
        }
        Atom::Phrase { text, slop } => {
            let terms = an.exact_terms(text);
            match terms.len() {
                0 => None,
                1 => Some((
                    term_query(f.exact, &terms[0]),
                    vec![Pattern::Exact(terms[0].clone())],
                )),
                _ => Some((
                    phrase_or_term(f.exact, &terms, *slop),
                    vec![Pattern::Phrase { terms, slop: *slop }],
                )),
            }
        }
        Atom::Prefix(p) => {
            let mut terms = an.exact_terms(p);
            let last = terms.pop()?;
            if terms.is_empty() {
                let q = FuzzyTermQuery::new_prefix(Term::from_field_text(f.exact, &last), 0, true);
                return Some((boxed(q), vec![Pattern::Prefix(last)]));
            }
            let mut patterns: Vec<Pattern> = terms.iter().cloned().map(Pattern::Exact).collect();
            terms.push(last.clone());
            let q = PhrasePrefixQuery::new(
                terms
                    .iter()
                    .map(|t| Term::from_field_text(f.exact, t))
                    .collect(),
            );
            patterns.push(Pattern::Prefix(last));
            Some((boxed(q), patterns))
        }
    }
}

fn filter_query(filter: &Filter, f: &Fields, an: &mut Analyzer) -> Result<Box<dyn TQuery>> {
    Ok(match filter {
        Filter::Section(text) | Filter::Article(text) => {
            let field = if matches!(filter, Filter::Section(_)) {
                f.section
            } else {
                f.article
            };
            let terms = an.exact_terms(text);
            phrase_or_term(field, &terms, 0)
        }
        Filter::Kind(k) => term_query(f.kind, k.as_str()),
        Filter::Year { from, to } => {
            if let (Some(a), Some(b)) = (from, to) {
                if a == b {
                    return Ok(boxed(TermQuery::new(
                        Term::from_field_i64(f.years, *a),
                        IndexRecordOption::Basic,
                    )));
                }
            }
            let bound = |v: &Option<i64>| match v {
                Some(y) => Bound::Included(Term::from_field_i64(f.years, *y)),
                None => Bound::Unbounded,
            };
            boxed(RangeQuery::new(bound(from), bound(to)))
        }
    })
}
