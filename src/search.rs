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
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EnableScoring, Explanation,
    FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query as TQuery, RangeQuery, Scorer,
    TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, Term, TERMINATED,
};

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::highlight::{self, Pattern, Snippet};
use crate::index::{Fields, Opened};
use crate::query::{Atom, Filter, Kind, Query, QueryError};
use crate::text::Analyzer;

/// Weight of a match in a section document's own heading relative to the
/// body: a topic query should rank the section about it.
const TOPIC_BOOST: f32 = 2.0;
/// Weight of a match in the headings above a paragraph: context, a hint.
const CONTEXT_BOOST: f32 = 0.5;
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
    /// Try close spellings of words the index barely knows.
    pub typos: bool,
    /// Say why each hit ranked where it did.
    pub explain: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            snippet_chars: 240,
            typos: true,
            explain: false,
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
    /// Why it ranked where it did, when asked.
    pub explain: Option<Explain>,
}

/// The parts of a hit's score, in plain words.
#[derive(Debug, Clone)]
pub struct Explain {
    /// `"all words"` (first tier), `"some words"` or `"filters only"`.
    pub tier: &'static str,
    /// What matched and what it contributed (BM25 of that word in that
    /// field, times its weight), largest first.
    pub parts: Vec<(String, f32)>,
    /// The factor applied because the hit is a whole section, if it is.
    pub section_weight: Option<f32>,
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
    /// Words the index does not know, with close indexed words.
    pub suggestions: Vec<Suggestion>,
    /// The query as it was read, in canonical syntax.
    pub read_as: String,
    /// Filters that nothing in the index satisfies, one sentence each
    /// (`no section heading matches section:xyz`): the reason a search
    /// found nothing, worth a note of its own.
    pub filter_notes: Vec<String>,
}

/// Parses and runs a query.
pub fn search(opened: &Opened, input: &str, opts: &SearchOptions) -> Result<Results> {
    let query = Query::parse(input)?;
    let mut analyzer = Analyzer::default();
    let searcher = opened.reader.searcher();
    let plan = Plan::new(&query, &opened.fields, &mut analyzer, &searcher, opts.typos)?;
    let filter_notes = unmatched_filters(&query, opened, &mut analyzer)?;
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
            (query, plan, filter_notes),
            &mut analyzer,
            top,
            total,
            |_| true,
            opts,
        );
    }
    let (mut top, mut total) = run(plan.all.as_ref(), limit)?;
    // The first tier: hits holding every clause.
    let complete: HashSet<DocAddress> = top.iter().map(|(_, a)| *a).collect();
    if let Some(any) = &plan.any {
        let (more, n) = run(any.as_ref(), limit + top.len())?;
        total = n;
        top.extend(more.into_iter().filter(|(_, a)| !complete.contains(a)));
        top.truncate(limit);
    }
    // With a single clause, every hit holds all of it.
    let all_clauses = plan.any.is_none();
    finish(
        opened,
        input,
        (query, plan, filter_notes),
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
    (query, plan, filter_notes): (Query, Plan, Vec<String>),
    analyzer: &mut Analyzer,
    top: Vec<(f32, DocAddress)>,
    total: usize,
    is_complete: impl Fn(&DocAddress) -> bool,
    opts: &SearchOptions,
) -> Result<Results> {
    let searcher = opened.reader.searcher();
    // Ranking asks tantivy for at least one; `-n 0` asks for none, only
    // the count.
    let mut top = top;
    top.truncate(opts.limit);
    let mut hits = load_hits(opened, top, &plan.patterns, opts, analyzer)?;
    for (addr, hit) in &mut hits {
        hit.complete = is_complete(addr);
        if !opts.explain {
            continue;
        }
        let mut parts: Vec<(String, f32)> = plan
            .parts
            .iter()
            .filter_map(|(label, q)| {
                let v = q.explain(&searcher, *addr).ok()?.value();
                (v > 0.0).then(|| (label.clone(), v))
            })
            .collect();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1));
        hit.explain = Some(Explain {
            tier: if !query.has_terms() {
                "filters only"
            } else if hit.complete {
                "all words"
            } else {
                "some words"
            },
            parts,
            section_weight: (hit.doc.kind == crate::corpus::Kind::Section)
                .then_some(SECTION_WEIGHT),
        });
    }
    let hits = hits.into_iter().map(|(_, h)| h).collect();
    let mut notes = query.notes.clone();
    notes.extend(plan.notes);
    Ok(Results {
        query: input.to_string(),
        total,
        hits,
        notes,
        suggestions: plan.suggestions,
        read_as: query.to_string(),
        filter_notes,
    })
}

/// Loads ranked documents and cuts their snippets around `patterns`.
pub(crate) fn load_hits(
    opened: &Opened,
    top: Vec<(f32, DocAddress)>,
    patterns: &[Pattern],
    opts: &SearchOptions,
    analyzer: &mut Analyzer,
) -> Result<Vec<(DocAddress, Hit)>> {
    let searcher = opened.reader.searcher();
    let mut hits = Vec::with_capacity(top.len());
    for (i, (score, addr)) in top.into_iter().enumerate() {
        let doc = opened.document(&searcher, addr)?;
        let words = analyzer.words(&doc.text);
        let freqs = highlight::Freqs::of(&searcher, addr, opened.fields.exact);
        let found = highlight::find(patterns, &words, freqs);
        let snippet = highlight::snippet(&doc.text, doc.kind, &found, &[], opts.snippet_chars);
        hits.push((
            addr,
            Hit {
                rank: i + 1,
                score,
                complete: true,
                doc,
                snippet,
                explain: None,
            },
        ));
    }
    Ok(hits)
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
    /// Named parts of the ranked query, for `--explain`.
    parts: Vec<(String, Box<dyn TQuery>)>,
    suggestions: Vec<Suggestion>,
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

/// Builds the parts of a plan, with what it needs to look at the index.
struct Planner<'a> {
    f: &'a Fields,
    an: &'a mut Analyzer,
    searcher: &'a Searcher,
    typos: bool,
    /// Words looked up for typos and suggestions so far (each a walk of
    /// the term dictionaries).
    lookups: usize,
    patterns: Vec<Pattern>,
    notes: Vec<String>,
    parts: Vec<(String, Box<dyn TQuery>)>,
    suggestions: Vec<Suggestion>,
}

impl Plan {
    fn new(
        q: &Query,
        f: &Fields,
        an: &mut Analyzer,
        searcher: &Searcher,
        typos: bool,
    ) -> Result<Plan> {
        let mut p = Planner {
            f,
            an,
            searcher,
            typos,
            lookups: 0,
            patterns: Vec::new(),
            notes: Vec::new(),
            parts: Vec::new(),
            suggestions: Vec::new(),
        };
        let mut clauses: Vec<Box<dyn TQuery>> = Vec::new();
        let last_clause = q.clauses.len().saturating_sub(1);
        // A clause typed again (`the the the …`) is the same query: planned
        // once and weighted by its count, which ranks as the copies would
        // (BM25 sums them) at the cost of one (1,000 copies took 9 s).
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut weights: Vec<f32> = Vec::new();
        for (ci, group) in q.clauses.iter().enumerate() {
            let key: Vec<String> = group.iter().map(|a| a.to_string()).collect();
            let key = key.join(" OR ");
            if ci != last_clause {
                if let Some(&i) = seen.get(&key) {
                    weights[i] += 1.0;
                    continue;
                }
            }
            let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
            for (ai, atom) in group.iter().enumerate() {
                // The last word typed may be unfinished (search as you type).
                let last_word = ci == last_clause && ai + 1 == group.len();
                match p.atom(atom, last_word) {
                    Some(query) => alts.push(query),
                    None => p
                        .notes
                        .push(format!("{atom} has no letters or digits and was ignored")),
                }
            }
            match alts.len() {
                0 => continue,
                1 => clauses.push(alts.pop().expect("one")),
                _ => clauses.push(boxed(BooleanQuery::new(
                    alts.into_iter().map(|q| (Occur::Should, q)).collect(),
                ))),
            }
            seen.insert(key, clauses.len() - 1);
            weights.push(1.0);
        }
        let clauses: Vec<Box<dyn TQuery>> = clauses
            .into_iter()
            .zip(weights)
            .map(|(c, w)| {
                if w > 1.0 {
                    boxed(BoostQuery::new(c, w))
                } else {
                    c
                }
            })
            .collect();
        let mut restrictions: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        for filter in &q.filters {
            let fq = filter_query(filter, f, p.an)?;
            restrictions.push((Occur::Must, boxed(ConstScoreQuery::new(fq, 0.0))));
        }
        for filter in &q.excluded_filters {
            restrictions.push((Occur::MustNot, exclusion(filter_query(filter, f, p.an)?)));
        }
        for atom in &q.excluded {
            if let Some(query) = p.excluded(atom) {
                restrictions.push((Occur::MustNot, exclusion(query)));
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
            required.push((Occur::Must, complete_gate(q, f, p.an)));
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
            patterns: p.patterns,
            notes: p.notes,
            parts: p.parts,
            suggestions: p.suggestions,
        })
    }
}

/// A word the index does not know, and the indexed words closest to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The word as typed.
    pub word: String,
    /// Closest indexed words (folded), best first.
    pub did_you_mean: Vec<String>,
}

/// Most words a phrase filter's last word expands to as a prefix
/// (`section:"civil wa*"`): headings are few, so far more than the 50 a
/// phrase prefix takes by default, while a hostile one-letter prefix stays
/// bounded.
const MAX_FILTER_EXPANSIONS: u32 = 10_000;

/// Most words of a query looked up for typos and suggestions: each lookup
/// walks the term dictionaries with a Levenshtein automaton (a query of
/// 1,000 unknown words took 9.7 s on the bench corpus). Search engines
/// bound this the same way (Meilisearch reads the first 10 words).
const MAX_TYPO_WORDS: usize = 20;

/// Weight of a typo-corrected word relative to the word as typed.
const TYPO_WEIGHT: f32 = 0.5;
/// Weight (constant score) of a word matched as the prefix of the last,
/// unfinished word.
const PREFIX_WEIGHT: f32 = 0.3;
/// Most corrections tried per word.
const MAX_CORRECTIONS: usize = 3;

impl Planner<'_> {
    fn doc_freq(&self, field: Field, text: &str) -> u64 {
        self.searcher
            .doc_freq(&Term::from_field_text(field, text))
            .unwrap_or(0)
    }

    /// Whether some indexed word starts with `prefix`.
    fn begins_words(&self, prefix: &str) -> bool {
        let field = self.f.exact;
        let fz = FuzzyTermQuery::new_prefix(Term::from_field_text(field, prefix), 0, true);
        self.searcher.segment_readers().iter().any(|seg| {
            let (Ok(automaton), Ok(inv)) = (fz.automaton(), seg.inverted_index(field)) else {
                return false;
            };
            inv.terms()
                .search(automaton)
                .into_stream()
                .is_ok_and(|mut s| s.advance())
        })
    }

    /// Indexed words within `distance` edits of `term` (transpositions
    /// count one), closest and most frequent first.
    fn corrections(&self, field: Field, term: &str, distance: u8) -> Vec<(String, u64)> {
        let fz = FuzzyTermQuery::new(Term::from_field_text(field, term), distance, true);
        let mut found: HashMap<String, u64> = HashMap::new();
        for seg in self.searcher.segment_readers() {
            let (Ok(automaton), Ok(inv)) = (fz.automaton(), seg.inverted_index(field)) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().search(automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(k) = std::str::from_utf8(stream.key()) {
                    // Never turn a word into a number or a number into another.
                    if k != term && !k.bytes().any(|b| b.is_ascii_digit()) {
                        *found.entry(k.to_string()).or_default() +=
                            u64::from(stream.value().doc_freq);
                    }
                }
            }
        }
        let mut out: Vec<(String, u64)> = found.into_iter().collect();
        out.sort_by_key(|(k, df)| (edit_distance(term, k), std::cmp::Reverse(*df), k.clone()));
        out.truncate(MAX_CORRECTIONS);
        out
    }

    /// The query of a clause atom, recording its highlight patterns and
    /// named parts; `None` if it holds no word.
    fn atom(&mut self, atom: &Atom, last_word: bool) -> Option<Box<dyn TQuery>> {
        let f = self.f;
        match atom {
            Atom::Word(w) => {
                let words = self.an.words(w);
                match words.len() {
                    0 => None,
                    1 => Some(self.word(w, &words[0].exact, &words[0].stem, last_word)),
                    _ => {
                        // `Iran-Iraq` or `al-Assad`: the parts must stand together.
                        let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
                        let q = phrase_or_term(f.exact, &terms, 0);
                        self.parts
                            .push((format!("'{w}' as a phrase"), q.box_clone()));
                        self.patterns.push(Pattern::Phrase { terms, slop: 0 });
                        Some(q)
                    }
                }
            }
            Atom::Phrase { text, slop } => {
                let terms = self.an.exact_terms(text);
                let q = match terms.len() {
                    0 => return None,
                    1 => {
                        self.patterns.push(Pattern::Exact(terms[0].clone()));
                        term_query(f.exact, &terms[0])
                    }
                    _ => {
                        self.patterns.push(Pattern::Phrase {
                            terms: terms.clone(),
                            slop: *slop,
                        });
                        phrase_or_term(f.exact, &terms, *slop)
                    }
                };
                let slop_note = if *slop > 0 {
                    format!(" (words up to {slop} apart)")
                } else {
                    String::new()
                };
                self.parts
                    .push((format!("phrase \"{text}\"{slop_note}"), q.box_clone()));
                Some(q)
            }
            Atom::Prefix(p) => {
                let mut terms = self.an.exact_terms(p);
                let last = terms.pop()?;
                let q: Box<dyn TQuery> = if terms.is_empty() {
                    boxed(FuzzyTermQuery::new_prefix(
                        Term::from_field_text(f.exact, &last),
                        0,
                        true,
                    ))
                } else {
                    self.patterns
                        .extend(terms.iter().cloned().map(Pattern::Exact));
                    terms.push(last.clone());
                    boxed(PhrasePrefixQuery::new(
                        terms
                            .iter()
                            .map(|t| Term::from_field_text(f.exact, t))
                            .collect(),
                    ))
                };
                self.patterns.push(Pattern::Prefix(last));
                self.parts
                    .push((format!("words starting with '{p}'"), q.box_clone()));
                Some(q)
            }
        }
    }

    /// A single word: its stem in the text and the heading, its exact form
    /// as a bonus, and, when the index barely knows it, close spellings and
    /// (for the last word typed) words it begins.
    fn word(&mut self, typed: &str, exact: &str, stem: &str, last_word: bool) -> Box<dyn TQuery> {
        let f = self.f;
        let mut alts: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        let mut add = |label: String, q: Box<dyn TQuery>, parts: &mut Vec<_>| {
            parts.push((label, q.box_clone()));
            alts.push((Occur::Should, q));
        };
        add(
            format!("'{typed}' in the text"),
            term_query(f.body, stem),
            &mut self.parts,
        );
        add(
            format!("'{typed}' in the section's heading (×{TOPIC_BOOST})"),
            boxed(BoostQuery::new(term_query(f.topic, stem), TOPIC_BOOST)),
            &mut self.parts,
        );
        add(
            format!("'{typed}' in the headings above the paragraph (×{CONTEXT_BOOST})"),
            boxed(BoostQuery::new(term_query(f.context, stem), CONTEXT_BOOST)),
            &mut self.parts,
        );
        add(
            format!("'{typed}' in exactly this form (×{EXACT_BONUS})"),
            boxed(BoostQuery::new(term_query(f.exact, exact), EXACT_BONUS)),
            &mut self.parts,
        );
        self.patterns.push(Pattern::Stem(stem.to_string()));

        let has_digit = exact.bytes().any(|b| b.is_ascii_digit());
        let df = self.doc_freq(f.body, stem);
        let known_exact = self.doc_freq(f.exact, exact) > 0;
        let len = exact.chars().count();
        let rare = !has_digit && df <= 2 && len >= 3;
        if rare && self.lookups == MAX_TYPO_WORDS {
            self.notes.push(format!(
                "close spellings were looked for only for the first {MAX_TYPO_WORDS} rare or unknown words"
            ));
        }
        self.lookups += usize::from(rare);
        if rare && self.lookups <= MAX_TYPO_WORDS {
            let distance = if len >= 9 { 2 } else { 1 };
            // Correct a word that matches nothing, or very little next to
            // a close spelling that is common. Corrections are looked up
            // among stems, so `Khomeni` finds `Khomeini` and `Khomeini's`.
            if self.typos && len >= 5 {
                let found = self.corrections(f.body, stem, distance);
                let best_df = found.first().map_or(0, |(_, n)| *n);
                if df == 0 || best_df >= 10 * df.max(1) {
                    for (k, _) in &found {
                        add(
                            format!("'{k}…' for '{typed}' (typo, ×{TYPO_WEIGHT})"),
                            boxed(BoostQuery::new(term_query(f.body, k), TYPO_WEIGHT)),
                            &mut self.parts,
                        );
                        self.patterns.push(Pattern::Stem(k.clone()));
                    }
                }
            }
            // Suggest whole words as printed (folded), not stems; not for
            // an unfinished last word that already begins indexed words.
            if df == 0 && !known_exact && len >= 3 && !(last_word && self.begins_words(exact)) {
                // A suggestion costs nothing if wrong: look a little further.
                let found = self.corrections(f.exact, exact, if len >= 6 { 2 } else { 1 });
                if !found.is_empty() {
                    self.suggestions.push(Suggestion {
                        word: typed.to_string(),
                        did_you_mean: found.into_iter().map(|(k, _)| k).collect(),
                    });
                }
            }
        }
        if last_word && !known_exact && !has_digit && len >= 3 {
            add(
                format!("words starting with '{typed}' (unfinished last word, {PREFIX_WEIGHT})"),
                boxed(BoostQuery::new(
                    boxed(FuzzyTermQuery::new_prefix(
                        Term::from_field_text(f.exact, exact),
                        0,
                        true,
                    )),
                    PREFIX_WEIGHT,
                )),
                &mut self.parts,
            );
            self.patterns.push(Pattern::Prefix(exact.to_string()));
        }
        boxed(BooleanQuery::new(alts))
    }

    /// The query of an excluded atom: the word in any form, or the phrase.
    fn excluded(&mut self, atom: &Atom) -> Option<Box<dyn TQuery>> {
        let f = self.f;
        match atom {
            Atom::Word(w) => {
                let words = self.an.words(w);
                match words.len() {
                    0 => None,
                    1 => Some(term_query(f.body, &words[0].stem)),
                    _ => {
                        let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
                        Some(phrase_or_term(f.exact, &terms, 0))
                    }
                }
            }
            Atom::Phrase { text, slop } => {
                let terms = self.an.exact_terms(text);
                (!terms.is_empty()).then(|| phrase_or_term(f.exact, &terms, *slop))
            }
            Atom::Prefix(p) => {
                let last = self.an.exact_terms(p).pop()?;
                Some(boxed(FuzzyTermQuery::new_prefix(
                    Term::from_field_text(f.exact, &last),
                    0,
                    true,
                )))
            }
        }
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps), on
/// characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 {
                j
            } else if j == 0 {
                i
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// Which documents may count as holding every clause: any paragraph, but a
/// section only when its heading holds one of the query's words (other than
/// function words). A section
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
            // "and" in "History and overview" says nothing of its topic.
            if !an.is_stop_word(&w.exact) {
                heading_terms.push((Occur::Should, term_query(f.topic, &w.stem)));
            }
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

/// The query of one filter (scored; wrap it to make it a restriction).
pub(crate) fn filter_query(
    filter: &Filter,
    f: &Fields,
    an: &mut Analyzer,
) -> Result<Box<dyn TQuery>> {
    Ok(match filter {
        Filter::Section(value) | Filter::Article(value) => {
            let (folded, stemmed) = if matches!(filter, Filter::Section(_)) {
                (f.section, f.section_stem)
            } else {
                (f.article, f.article_stem)
            };
            let (text, prefix) = Filter::words_and_prefix(value);
            if prefix {
                // A prefix is of the word as printed: `cultur*` must not
                // depend on what the stemmer makes of `culture`.
                let mut terms = an.exact_terms(text);
                let Some(last) = terms.pop() else {
                    return Ok(boxed(EmptyQuery));
                };
                if terms.is_empty() {
                    boxed(FuzzyTermQuery::new_prefix(
                        Term::from_field_text(folded, &last),
                        0,
                        true,
                    ))
                } else {
                    terms.push(last);
                    let mut q = PhrasePrefixQuery::new(
                        terms
                            .iter()
                            .map(|t| Term::from_field_text(folded, t))
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
                phrase_or_term(stemmed, &stems, 0)
            }
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

/// One sentence for each filter of `q` that no document satisfies at all: a
/// `section:` no heading holds, an `article:` no title holds, a `year:` no
/// passage mentions. Without it a misremembered heading looks the same as a
/// search that found nothing.
pub(crate) fn unmatched_filters(
    q: &Query,
    opened: &Opened,
    an: &mut Analyzer,
) -> Result<Vec<String>> {
    let searcher = opened.reader.searcher();
    let mut out = Vec::new();
    let negated = q.excluded_filters.iter().map(|x| (x, true));
    for (filter, excluded) in q.filters.iter().map(|x| (x, false)).chain(negated) {
        let what = match filter {
            Filter::Section(_) => "no section heading matches",
            Filter::Article(_) => "no article title matches",
            Filter::Year { .. } => "no passage mentions a year in",
            Filter::Kind(_) => continue,
        };
        let fq = filter_query(filter, &opened.fields, an)?;
        if matches_any(&searcher, fq.as_ref()).map_err(Error::index(opened.root()))? {
            continue;
        }
        out.push(if excluded {
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

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
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
