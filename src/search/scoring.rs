//! The queries a search is made of, beyond tantivy's own: a word in any of
//! its forms ([`Words`]), a section scored from its passages' postings
//! ([`SectionText`]), and a section's or an article's match passed down to
//! the documents under it ([`Inherit`]).
//!
//! The index holds each word once (see `index::block`): a section's text is
//! the text of the documents after it in its block, so its score is the
//! exact BM25 of that virtual document, tf and length summed over its
//! passages, with the number of sections and their average length taken
//! from the commit's totals (INDEXING.md §2.3, option B). Headings and
//! titles are indexed on the sections, and a paragraph under a heading
//! inherits the heading's match.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

use crate::index::DocKind;

/// BM25's statistics of one kind of document: how many there are and how
/// long on average (from the commit's totals, not tantivy's, which count
/// every kind of document in every field).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stats {
    /// Documents.
    pub docs: u64,
    /// Average length in words.
    pub avg_len: f32,
}

impl Stats {
    /// `docs` documents of `words` words in all.
    pub fn new(docs: u64, words: u64) -> Stats {
        // An average below one word is right for a field most documents
        // lack (a section's heading among all passages and sections).
        let avg_len = words as f32 / docs.max(1) as f32;
        Stats {
            docs: docs.max(1),
            avg_len: if avg_len > 0.0 { avg_len } else { 1.0 },
        }
    }
}

/// The placing columns of the index a search on this thread reads (see
/// [`PlacingColumns::set`]): each scorer reads them per segment, and opening
/// a column decodes its header, a tenth of a search's time when each query
/// did it again.
pub(crate) struct PlacingColumns(HashMap<SegmentId, Vec<Column<u64>>>);

/// The placing columns, in the order [`PlacingColumns`] keeps them.
const PLACING_NAMES: [&str; 5] = ["kind", "up", "span", "reach", "len"];

thread_local! {
    static PLACING: std::cell::RefCell<Option<Arc<PlacingColumns>>> =
        const { std::cell::RefCell::new(None) };
}

impl PlacingColumns {
    /// Makes the columns of `opened` the ones scorers on this thread read,
    /// until the guard is dropped. Without it (or for a segment it does not
    /// know) a scorer opens the column itself, as before.
    pub(crate) fn set(opened: &crate::index::Opened) -> PlacingGuard {
        let cols = opened
            .searcher
            .segment_readers()
            .iter()
            .zip(opened.all_cols())
            .map(|(r, c)| {
                let cols = PLACING_NAMES.iter().filter_map(|n| c.placing(n)).collect();
                (r.segment_id(), cols)
            })
            .collect();
        let previous = PLACING.with(|p| p.replace(Some(Arc::new(PlacingColumns(cols)))));
        PlacingGuard(previous)
    }
}

/// Puts back what was set before (a search within a search).
pub(crate) struct PlacingGuard(Option<Arc<PlacingColumns>>);

impl Drop for PlacingGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        PLACING.with(|p| *p.borrow_mut() = previous);
    }
}

/// A placing column of a segment (`kind`, `up`, `span`, `reach`, `len`).
fn placing(reader: &SegmentReader, name: &str) -> tantivy::Result<Column<u64>> {
    let at = PLACING_NAMES.iter().position(|n| *n == name);
    let known = PLACING.with(|p| {
        p.borrow()
            .as_ref()
            .and_then(|c| c.0.get(&reader.segment_id()))
            .and_then(|cols| cols.get(at?).cloned())
    });
    match known {
        Some(col) => Ok(col),
        None => reader.fast_fields().u64(name),
    }
}

/// BM25's weight of a word held by `df` documents. The totals come from the
/// commit and the document counts from the postings, which still count
/// deleted documents until a merge: the number of documents is never taken
/// below the count of those holding the word.
fn bm25(df: u64, stats: Stats) -> Bm25Weight {
    Bm25Weight::for_one_term(df, stats.docs.max(df), stats.avg_len)
}

/// Which kind of document a query may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Only {
    /// Any (the field says which: only paragraphs have text).
    Any,
    /// Sections (not their copies in later chunks).
    Sections,
}

fn kind_ok(only: Only, kind: &Column<u64>, doc: DocId) -> bool {
    match only {
        Only::Any => true,
        Only::Sections => kind.first(doc) == Some(DocKind::Section as u64),
    }
}

/// A sorted list of documents and their scores, as a scorer.
struct ListScorer {
    docs: Arc<Vec<(DocId, Score)>>,
    at: usize,
    boost: Score,
}

impl ListScorer {
    fn new(docs: Arc<Vec<(DocId, Score)>>, boost: Score) -> ListScorer {
        ListScorer { docs, at: 0, boost }
    }
}

impl DocSet for ListScorer {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        let rest = &self.docs[self.at..];
        self.at += rest.partition_point(|(d, _)| *d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).map_or(TERMINATED, |(d, _)| *d)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

impl Scorer for ListScorer {
    fn score(&mut self) -> Score {
        self.docs.get(self.at).map_or(0.0, |(_, s)| *s) * self.boost
    }
}

/// The postings of several terms as one: each document once, with the
/// term frequencies summed.
struct Union {
    postings: Vec<SegmentPostings>,
    doc: DocId,
    tf: u32,
}

impl Union {
    fn new(
        reader: &SegmentReader,
        field: Field,
        terms: &[Term],
        freqs: bool,
    ) -> tantivy::Result<Union> {
        let inverted = reader.inverted_index(field)?;
        let option = if freqs {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        };
        let mut postings = Vec::with_capacity(terms.len());
        for t in terms {
            if let Some(p) = inverted.read_postings(t, option)? {
                postings.push(p);
            }
        }
        let mut u = Union {
            postings,
            doc: 0,
            tf: 0,
        };
        u.settle();
        Ok(u)
    }

    /// Stands on the smallest document of the lists.
    fn settle(&mut self) {
        let doc = self
            .postings
            .iter()
            .map(|p| p.doc())
            .min()
            .unwrap_or(TERMINATED);
        self.doc = doc;
        self.tf = if doc == TERMINATED {
            0
        } else {
            self.postings
                .iter()
                .filter(|p| p.doc() == doc)
                .map(|p| p.term_freq())
                .sum()
        };
    }

    fn advance(&mut self) -> DocId {
        let doc = self.doc;
        for p in &mut self.postings {
            if p.doc() == doc {
                p.advance();
            }
        }
        self.settle();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for p in &mut self.postings {
            if p.doc() < target {
                p.seek(target);
            }
        }
        self.settle();
        self.doc
    }

    fn len(&self) -> u32 {
        self.postings.iter().map(|p| p.size_hint()).sum()
    }
}

/// A word in any of its indexed forms, in one field, scored by BM25 with
/// the forms' frequencies summed (as if the field held the word's stem):
/// `governments` counts for `government`. A form is a folded word; the
/// planner finds a word's forms in the term dictionary.
#[derive(Clone, Debug)]
pub(crate) struct Words {
    field: Field,
    terms: Arc<Vec<Term>>,
    stats: Stats,
    only: Only,
    /// Documents holding any form, when known (the planner's); else counted
    /// once over every segment and shared by the clones.
    df: Arc<OnceLock<u64>>,
}

impl Words {
    /// The forms `words` of a word in `field`.
    pub fn new(field: Field, words: &[String], stats: Stats, only: Only) -> Words {
        Words {
            field,
            terms: Arc::new(
                words
                    .iter()
                    .map(|w| Term::from_field_text(field, w))
                    .collect(),
            ),
            stats,
            only,
            df: Arc::new(OnceLock::new()),
        }
    }

    /// With the documents holding any form already counted.
    pub fn with_df(self, df: u64) -> Words {
        let _ = self.df.set(df);
        self
    }

    fn df(&self, searcher: &Searcher) -> tantivy::Result<u64> {
        if let Some(df) = self.df.get() {
            return Ok(*df);
        }
        let df = union_doc_freq(searcher, self.field, &self.terms)?;
        Ok(*self.df.get_or_init(|| df))
    }
}

/// Documents holding any of `terms` (deleted ones included, as tantivy
/// counts a term's documents).
pub(crate) fn union_doc_freq(
    searcher: &Searcher,
    field: Field,
    terms: &[Term],
) -> tantivy::Result<u64> {
    if terms.len() == 1 {
        return searcher.doc_freq(&terms[0]);
    }
    let mut n = 0;
    for reader in searcher.segment_readers() {
        let mut u = Union::new(reader, field, terms, false)?;
        while u.doc != TERMINATED {
            n += 1;
            u.advance();
        }
    }
    Ok(n)
}

impl Query for Words {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring.searcher() {
            Some(searcher) if scoring.is_scoring_enabled() => {
                let df = self.df(searcher)?;
                Some(bm25(df, self.stats))
            }
            _ => None,
        };
        Ok(Box::new(WordsWeight {
            q: self.clone(),
            bm25,
        }))
    }
}

struct WordsWeight {
    q: Words,
    bm25: Option<Bm25Weight>,
}

impl Weight for WordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let union = Union::new(reader, self.q.field, &self.q.terms, true)?;
        let norms = match &self.bm25 {
            Some(_) => Some(reader.get_fieldnorms_reader(self.q.field)?),
            None => None,
        };
        let kind = placing(reader, "kind")?;
        let mut s = WordsScorer {
            union,
            norms,
            bm25: self.bm25.as_ref().map(|b| b.boost_by(boost)),
            only: self.q.only,
            kind,
        };
        s.skip_other_kinds();
        Ok(Box::new(s))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_scoring(self.scorer(reader, 1.0)?, doc)
    }
}

/// The score a scorer gives `doc`, as an explanation.
fn explain_by_scoring(mut scorer: Box<dyn Scorer>, doc: DocId) -> tantivy::Result<Explanation> {
    if scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(Explanation::new("matched", scorer.score()))
}

struct WordsScorer {
    union: Union,
    norms: Option<FieldNormReader>,
    bm25: Option<Bm25Weight>,
    only: Only,
    kind: Column<u64>,
}

impl WordsScorer {
    fn skip_other_kinds(&mut self) {
        while self.union.doc != TERMINATED && !kind_ok(self.only, &self.kind, self.union.doc) {
            self.union.advance();
        }
    }
}

impl DocSet for WordsScorer {
    fn advance(&mut self) -> DocId {
        self.union.advance();
        self.skip_other_kinds();
        self.union.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.union.seek(target);
        self.skip_other_kinds();
        self.union.doc
    }

    fn doc(&self) -> DocId {
        self.union.doc
    }

    fn size_hint(&self) -> u32 {
        self.union.len()
    }
}

impl Scorer for WordsScorer {
    fn score(&mut self) -> Score {
        match (&self.bm25, &self.norms) {
            (Some(b), Some(n)) => b.score(n.fieldnorm_id(self.union.doc), self.union.tf),
            _ => 1.0,
        }
    }
}

/// The sections of a segment that a word's forms reach, with the word's
/// frequency in each one's text and that text's length (as a fieldnorm id).
type Reached = Vec<(DocId, u32, u8)>;

/// [`Reached`] for every segment of a searcher, and how many documents in
/// all: worked out once per search and shared by a query's clones.
type ReachedAll = (HashMap<SegmentId, Arc<Reached>>, u64);

/// Scored documents per segment, once per search.
type ListCache = Arc<Mutex<HashMap<SegmentId, Arc<Vec<(DocId, Score)>>>>>;

/// The list of a segment from `cache` (made by `make` the first time), or
/// made afresh when there is no cache (scoring off: nothing is reused).
fn cached_list(
    cache: Option<&ListCache>,
    reader: &SegmentReader,
    make: impl FnOnce() -> tantivy::Result<Vec<(DocId, Score)>>,
) -> tantivy::Result<Arc<Vec<(DocId, Score)>>> {
    let Some(cache) = cache else {
        return Ok(Arc::new(make()?));
    };
    let id = reader.segment_id();
    if let Some(l) = cache.lock().expect("not poisoned").get(&id) {
        return Ok(l.clone());
    }
    let l = Arc::new(make()?);
    cache.lock().expect("not poisoned").insert(id, l.clone());
    Ok(l)
}

/// A word in a section's text: the text of the documents after it in its
/// block (its heading, its paragraphs, its subsections' headings and
/// paragraphs; the lead's title and own paragraphs), scored as one
/// document by BM25 among sections.
#[derive(Clone, Debug)]
pub(crate) struct SectionText {
    /// The forms, in the text, heading and title fields.
    terms: Arc<Vec<(Field, Vec<Term>)>>,
    stats: Stats,
    /// Computed once per search, shared by the clones (a query runs in
    /// several tiers): per segment, the sections reached; and how many in
    /// all.
    reached: Arc<OnceLock<ReachedAll>>,
}

impl SectionText {
    /// The forms `words` of a word, looked for in `fields`.
    pub fn new(fields: &[Field], words: &[String], stats: Stats) -> SectionText {
        SectionText {
            terms: Arc::new(
                fields
                    .iter()
                    .map(|&f| {
                        (
                            f,
                            words.iter().map(|w| Term::from_field_text(f, w)).collect(),
                        )
                    })
                    .collect(),
            ),
            stats,
            reached: Arc::new(OnceLock::new()),
        }
    }

    /// Walks the postings of every form up to the sections holding them.
    ///
    /// One sweep in document order: the sections whose text covers the
    /// current document stand on a stack (their ranges nest or do not
    /// meet), so a posting costs a look at its own section and the stack,
    /// and only a section newly entered is looked up.
    fn reach(&self, reader: &SegmentReader) -> tantivy::Result<Reached> {
        let (kind, up, reach, len) = (
            placing(reader, "kind")?,
            placing(reader, "up")?,
            placing(reader, "reach")?,
            placing(reader, "len")?,
        );
        let alive = reader.alive_bitset();
        let section = DocKind::Section as u64;
        let mut unions = Vec::with_capacity(self.terms.len());
        for (field, terms) in self.terms.iter() {
            unions.push(Union::new(reader, *field, terms, true)?);
        }
        let mut out: Reached = Vec::new();
        // (section, last document of its text, tf so far), outermost first.
        let mut stack: Vec<(DocId, DocId, u32)> = Vec::new();
        let close = |stack: &mut Vec<(DocId, DocId, u32)>, out: &mut Reached, upto: DocId| {
            while stack.last().is_some_and(|o| o.1 < upto) {
                let (s, _, tf) = stack.pop().expect("checked");
                if alive.is_none_or(|a| a.is_alive(s)) {
                    let words = len.first(s).unwrap_or(0).min(u32::MAX as u64) as u32;
                    out.push((s, tf, FieldNormReader::fieldnorm_to_id(words)));
                }
            }
        };
        let mut entered: Vec<(DocId, DocId)> = Vec::new();
        loop {
            let p = unions.iter().map(|u| u.doc).min().unwrap_or(TERMINATED);
            if p == TERMINATED {
                break;
            }
            let tf: u32 = unions.iter().filter(|u| u.doc == p).map(|u| u.tf).sum();
            for u in unions.iter_mut().filter(|u| u.doc == p) {
                u.advance();
            }
            close(&mut stack, &mut out, p);
            // Up from the posting's own section to the innermost section
            // already on the stack: the sections between are entered now,
            // those whose text reaches this far.
            let mut s = match kind.first(p) {
                Some(k) if k == DocKind::Paragraph as u64 => p - up.first(p).unwrap_or(0) as DocId,
                _ => p,
            };
            let top = stack.last().map(|o| o.0);
            entered.clear();
            loop {
                if Some(s) == top {
                    break;
                }
                if kind.first(s) == Some(section) {
                    let end = s + reach.first(s).unwrap_or(0) as DocId;
                    if p <= end {
                        entered.push((s, end));
                    }
                }
                let step = up.first(s).unwrap_or(0) as DocId;
                if step == 0 || step > s {
                    break;
                }
                s -= step;
            }
            stack.extend(entered.drain(..).rev().map(|(s, end)| (s, end, 0)));
            for o in &mut stack {
                o.2 += tf;
            }
        }
        close(&mut stack, &mut out, TERMINATED);
        out.sort_unstable_by_key(|r| r.0);
        Ok(out)
    }

    /// How many sections hold the word.
    pub fn sections_holding(&self, searcher: &Searcher) -> tantivy::Result<u64> {
        Ok(self.all(searcher)?.1)
    }

    fn all(&self, searcher: &Searcher) -> tantivy::Result<&ReachedAll> {
        if let Some(r) = self.reached.get() {
            return Ok(r);
        }
        let mut map = HashMap::new();
        let mut df = 0;
        for reader in searcher.segment_readers() {
            let r = self.reach(reader)?;
            df += r.len() as u64;
            map.insert(reader.segment_id(), Arc::new(r));
        }
        Ok(self.reached.get_or_init(|| (map, df)))
    }
}

impl Query for SectionText {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let (reached, bm25) = match scoring.searcher() {
            Some(searcher) => {
                let (map, df) = self.all(searcher)?;
                let bm25 = scoring.is_scoring_enabled().then(|| bm25(*df, self.stats));
                (Some(map.clone()), bm25)
            }
            None => (None, None),
        };
        Ok(Box::new(SectionTextWeight {
            q: self.clone(),
            reached,
            bm25,
        }))
    }
}

struct SectionTextWeight {
    q: SectionText,
    reached: Option<HashMap<SegmentId, Arc<Reached>>>,
    bm25: Option<Bm25Weight>,
}

impl Weight for SectionTextWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let reached = match self
            .reached
            .as_ref()
            .and_then(|m| m.get(&reader.segment_id()))
        {
            Some(r) => r.clone(),
            None => Arc::new(self.q.reach(reader)?),
        };
        let scored: Vec<(DocId, Score)> = reached
            .iter()
            .map(|&(doc, tf, norm)| {
                let s = self.bm25.as_ref().map_or(1.0, |b| b.score(norm, tf));
                (doc, s)
            })
            .collect();
        Ok(Box::new(ListScorer::new(Arc::new(scored), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_scoring(self.scorer(reader, 1.0)?, doc)
    }
}

/// Which documents under a matching section inherit its match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heirs {
    /// The paragraphs of its subtree (a heading is the context of the
    /// paragraphs under it).
    Paragraphs,
    /// The section itself and every section and paragraph of its subtree
    /// (a filter, or an article's title).
    All,
}

/// The documents under the sections `inner` matches, each scored as the
/// best of the sections above it that match.
#[derive(Debug)]
pub(crate) struct Inherit {
    inner: Box<dyn Query>,
    heirs: Heirs,
    /// Per segment, once per search (scores at boost 1).
    cache: ListCache,
}

impl Clone for Inherit {
    fn clone(&self) -> Self {
        Inherit {
            inner: self.inner.box_clone(),
            heirs: self.heirs,
            cache: self.cache.clone(),
        }
    }
}

impl Inherit {
    /// What `inner`'s sections hand down to `heirs`.
    pub fn new(inner: Box<dyn Query>, heirs: Heirs) -> Inherit {
        Inherit {
            inner,
            heirs,
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

impl Query for Inherit {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // Scores kept only when there are any to keep (an inner query
        // unscored scores each match alike).
        Ok(Box::new(InheritWeight {
            inner: self.inner.weight(scoring)?,
            heirs: self.heirs,
            cache: scoring.is_scoring_enabled().then(|| self.cache.clone()),
        }))
    }
}

struct InheritWeight {
    inner: Box<dyn Weight>,
    heirs: Heirs,
    cache: Option<ListCache>,
}

impl InheritWeight {
    fn heirs(&self, reader: &SegmentReader) -> tantivy::Result<Vec<(DocId, Score)>> {
        let (kind, span) = (placing(reader, "kind")?, placing(reader, "span")?);
        let mut parents: Vec<(DocId, Score)> = Vec::new();
        let mut scorer = self.inner.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            parents.push((doc, scorer.score()));
            doc = scorer.advance();
        }
        // Subtrees nest or do not meet: one pass, with the subtrees still
        // open on a stack, gives each heir the best score above it.
        let mut out: Vec<(DocId, Score)> = Vec::new();
        let mut open: Vec<(DocId, Score)> = Vec::new(); // (last doc, best score)
        let mut next = 0;
        let mut at: DocId = parents.first().map_or(TERMINATED, |p| p.0);
        while at != TERMINATED {
            while open.last().is_some_and(|o| o.0 < at) {
                open.pop();
            }
            while next < parents.len() && parents[next].0 <= at {
                let (p, s) = parents[next];
                let end = p + span.first(p).unwrap_or(0) as DocId;
                let best = open.last().map_or(s, |o| o.1.max(s));
                open.push((end, best));
                next += 1;
            }
            if let Some(&(_, best)) = open.last() {
                let k = kind.first(at);
                let heir = match self.heirs {
                    Heirs::Paragraphs => k == Some(DocKind::Paragraph as u64),
                    Heirs::All => {
                        k == Some(DocKind::Paragraph as u64) || k == Some(DocKind::Section as u64)
                    }
                };
                if heir {
                    out.push((at, best));
                }
                at += 1;
            } else {
                at = parents.get(next).map_or(TERMINATED, |p| p.0);
            }
        }
        Ok(out)
    }
}

impl Weight for InheritWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let list = cached_list(self.cache.as_ref(), reader, || self.heirs(reader))?;
        Ok(Box::new(ListScorer::new(list, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_scoring(self.scorer(reader, 1.0)?, doc)
    }
}

/// How long the text a document inherits is, for BM25.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    /// The headings of its section path (a paragraph's context).
    Path,
    /// The matching section's own field (an article's title).
    Own,
}

/// A word in the headings or title above a document, scored by BM25 as if
/// each heir held that text as a field of its own: tf summed over the
/// matching sections above it, the length of its whole path (or of the
/// title), and the number of heirs as the document frequency. This is how
/// a paragraph's context and an article's title were scored when every
/// document carried them, at no cost in the index.
#[derive(Clone, Debug)]
pub(crate) struct InheritedWords {
    field: Field,
    terms: Arc<Vec<Term>>,
    stats: Stats,
    heirs: Heirs,
    length: Length,
    /// Per segment, once per search: the heirs with their tf and length;
    /// and how many in all.
    found: Arc<OnceLock<ReachedAll>>,
}

impl InheritedWords {
    /// The forms `words` of a word in the `field` of the sections above.
    pub fn new(
        field: Field,
        words: &[String],
        stats: Stats,
        heirs: Heirs,
        length: Length,
    ) -> InheritedWords {
        InheritedWords {
            field,
            terms: Arc::new(
                words
                    .iter()
                    .map(|w| Term::from_field_text(field, w))
                    .collect(),
            ),
            stats,
            heirs,
            length,
            found: Arc::new(OnceLock::new()),
        }
    }

    fn heirs_in(&self, reader: &SegmentReader) -> tantivy::Result<Reached> {
        let (kind, up, span) = (
            placing(reader, "kind")?,
            placing(reader, "up")?,
            placing(reader, "span")?,
        );
        let norms = reader.get_fieldnorms_reader(self.field)?;
        let headings = reader.get_fieldnorms_reader(reader.schema().get_field("heading")?)?;
        let mut parents: Vec<(DocId, u32)> = Vec::new();
        let mut u = Union::new(reader, self.field, &self.terms, true)?;
        while u.doc != TERMINATED {
            if kind.first(u.doc) == Some(DocKind::Section as u64) {
                parents.push((u.doc, u.tf));
            }
            u.advance();
        }
        let is_heir = |doc: DocId| {
            let k = kind.first(doc);
            match self.heirs {
                Heirs::Paragraphs => k == Some(DocKind::Paragraph as u64),
                Heirs::All => {
                    k == Some(DocKind::Paragraph as u64) || k == Some(DocKind::Section as u64)
                }
            }
        };
        // A section's path length: its heading's and those above it (the
        // lead's title is not part of a path).
        let mut path_len: HashMap<DocId, u32> = HashMap::new();
        let mut path_of = |s: DocId| -> u32 {
            let mut chain = Vec::new();
            let mut at = s;
            let mut total = loop {
                if let Some(&n) = path_len.get(&at) {
                    break n;
                }
                let step = up.first(at).unwrap_or(0) as DocId;
                if step == 0 || step > at {
                    break 0; // the lead
                }
                chain.push(at);
                at -= step;
            };
            for &c in chain.iter().rev() {
                total += headings.fieldnorm(c);
                path_len.insert(c, total);
            }
            total
        };
        let mut out: Reached = Vec::new();
        // (last doc, tf summed, own length) of the matching sections open.
        let mut open: Vec<(DocId, u32, u32)> = Vec::new();
        let mut next = 0;
        let mut at: DocId = parents.first().map_or(TERMINATED, |p| p.0);
        while at != TERMINATED {
            while open.last().is_some_and(|o| o.0 < at) {
                open.pop();
            }
            while next < parents.len() && parents[next].0 <= at {
                let (p, tf) = parents[next];
                let end = p + span.first(p).unwrap_or(0) as DocId;
                let sum = open.last().map_or(tf, |o| o.1 + tf);
                open.push((end, sum, norms.fieldnorm(p)));
                next += 1;
            }
            if let Some(&(_, tf, own)) = open.last() {
                if is_heir(at) {
                    let len = match self.length {
                        Length::Own => own,
                        Length::Path => {
                            let s = match kind.first(at) {
                                Some(k) if k == DocKind::Paragraph as u64 => {
                                    at - up.first(at).unwrap_or(0) as DocId
                                }
                                _ => at,
                            };
                            path_of(s)
                        }
                    };
                    out.push((at, tf, FieldNormReader::fieldnorm_to_id(len)));
                }
                at += 1;
            } else {
                at = parents.get(next).map_or(TERMINATED, |p| p.0);
            }
        }
        Ok(out)
    }

    fn all(&self, searcher: &Searcher) -> tantivy::Result<&ReachedAll> {
        if let Some(r) = self.found.get() {
            return Ok(r);
        }
        let mut map = HashMap::new();
        let mut df = 0;
        for reader in searcher.segment_readers() {
            let r = self.heirs_in(reader)?;
            df += r.len() as u64;
            map.insert(reader.segment_id(), Arc::new(r));
        }
        Ok(self.found.get_or_init(|| (map, df)))
    }
}

impl Query for InheritedWords {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let (found, bm25) = match scoring.searcher() {
            Some(searcher) => {
                let (map, df) = self.all(searcher)?;
                let bm25 = scoring.is_scoring_enabled().then(|| bm25(*df, self.stats));
                (Some(map.clone()), bm25)
            }
            None => (None, None),
        };
        Ok(Box::new(InheritedWordsWeight {
            q: self.clone(),
            found,
            bm25,
        }))
    }
}

struct InheritedWordsWeight {
    q: InheritedWords,
    found: Option<HashMap<SegmentId, Arc<Reached>>>,
    bm25: Option<Bm25Weight>,
}

impl Weight for InheritedWordsWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let found = match self
            .found
            .as_ref()
            .and_then(|m| m.get(&reader.segment_id()))
        {
            Some(r) => r.clone(),
            None => Arc::new(self.q.heirs_in(reader)?),
        };
        let scored: Vec<(DocId, Score)> = found
            .iter()
            .map(|&(doc, tf, norm)| (doc, self.bm25.as_ref().map_or(1.0, |b| b.score(norm, tf))))
            .collect();
        Ok(Box::new(ListScorer::new(Arc::new(scored), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_scoring(self.scorer(reader, 1.0)?, doc)
    }
}

/// Several queries as one, each document scored by the sum of theirs (as a
/// `BooleanQuery` of `Should` clauses scores it), worked out once per
/// segment and search: a word's clause unites a dozen queries (its forms in
/// the text, a section's text and heading, the headings above, the title,
/// and the same for each derivation), and a search runs it in several
/// tiers. Run lazily by tantivy's union, the clauses of one question cost
/// more than the rest of the search.
#[derive(Debug)]
pub(crate) struct Summed {
    parts: Vec<Box<dyn Query>>,
    cache: ListCache,
}

impl Clone for Summed {
    fn clone(&self) -> Self {
        Summed {
            parts: self.parts.iter().map(|q| q.box_clone()).collect(),
            cache: self.cache.clone(),
        }
    }
}

impl Summed {
    /// The sum of `parts`.
    pub fn new(parts: Vec<Box<dyn Query>>) -> Summed {
        Summed {
            parts,
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }
}

impl Query for Summed {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .parts
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(SummedWeight {
            weights,
            cache: scoring.is_scoring_enabled().then(|| self.cache.clone()),
        }))
    }
}

struct SummedWeight {
    weights: Vec<Box<dyn Weight>>,
    cache: Option<ListCache>,
}

impl SummedWeight {
    /// Every part's documents with their scores, merged (the parts come
    /// sorted: a heap of their heads merges them in one pass).
    fn merged(&self, reader: &SegmentReader) -> tantivy::Result<Vec<(DocId, Score)>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for w in &self.weights {
            scorers.push(w.scorer(reader, 1.0)?);
        }
        let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<(DocId, usize)>> = scorers
            .iter()
            .enumerate()
            .filter(|(_, s)| s.doc() != TERMINATED)
            .map(|(i, s)| std::cmp::Reverse((s.doc(), i)))
            .collect();
        let mut out: Vec<(DocId, Score)> = Vec::new();
        while let Some(std::cmp::Reverse((doc, i))) = heap.pop() {
            let score = scorers[i].score();
            match out.last_mut() {
                Some((last, sum)) if *last == doc => *sum += score,
                _ => out.push((doc, score)),
            }
            let next = scorers[i].advance();
            if next != TERMINATED {
                heap.push(std::cmp::Reverse((next, i)));
            }
        }
        Ok(out)
    }
}

impl Weight for SummedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let list = cached_list(self.cache.as_ref(), reader, || self.merged(reader))?;
        Ok(Box::new(ListScorer::new(list, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_scoring(self.scorer(reader, 1.0)?, doc)
    }
}

/// The documents of some kinds, read from the `kind` column: a test of
/// one value for a document another clause proposes (`seek`), a walk of the
/// column only when listed on its own.
/// Every paragraph, and the documents `others` match: a gate a search asks
/// about one document at a time (`seek`), never to list what passes. As a
/// union of the paragraphs with the others, it listed every paragraph of
/// the index in windows of 4,096 documents for each query that seeked it,
/// a third of a search's time.
#[derive(Debug)]
pub(crate) struct ParagraphOr {
    others: Vec<Box<dyn Query>>,
}

impl Clone for ParagraphOr {
    fn clone(&self) -> Self {
        ParagraphOr {
            others: self.others.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl ParagraphOr {
    pub fn new(others: Vec<Box<dyn Query>>) -> ParagraphOr {
        ParagraphOr { others }
    }
}

impl Query for ParagraphOr {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let others = self
            .others
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(ParagraphOrWeight { others }))
    }
}

struct ParagraphOrWeight {
    others: Vec<Box<dyn Weight>>,
}

impl Weight for ParagraphOrWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let others = self
            .others
            .iter()
            .map(|w| w.scorer(reader, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut s = ParagraphOrScorer {
            kind: placing(reader, "kind")?,
            others,
            doc: 0,
            max_doc: reader.max_doc(),
        };
        s.settle(0);
        Ok(Box::new(s))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_scoring(self.scorer(reader, 1.0)?, doc)
    }
}

struct ParagraphOrScorer {
    kind: Column<u64>,
    others: Vec<Box<dyn Scorer>>,
    doc: DocId,
    max_doc: DocId,
}

impl ParagraphOrScorer {
    /// Stands on the first document from `target` on that passes.
    fn settle(&mut self, mut target: DocId) {
        loop {
            if target >= self.max_doc {
                self.doc = TERMINATED;
                return;
            }
            if self.kind.first(target) == Some(DocKind::Paragraph as u64) {
                self.doc = target;
                return;
            }
            let mut next = TERMINATED;
            for s in &mut self.others {
                let d = if s.doc() < target {
                    s.seek(target)
                } else {
                    s.doc()
                };
                next = next.min(d);
            }
            if next == target {
                self.doc = target;
                return;
            }
            // Paragraphs follow their section: the next one passes.
            target += 1;
        }
    }
}

impl DocSet for ParagraphOrScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.settle(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED && target > self.doc {
            self.settle(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.max_doc.saturating_sub(self.doc)
    }
}

impl Scorer for ParagraphOrScorer {
    fn score(&mut self) -> Score {
        self.others
            .iter_mut()
            .filter(|s| s.doc() == self.doc)
            .map(|s| s.score())
            .sum()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct KindIn {
    kinds: Vec<u64>,
}

impl KindIn {
    /// The documents of any of `kinds`.
    pub fn new(kinds: &[DocKind]) -> KindIn {
        KindIn {
            kinds: kinds.iter().map(|k| *k as u64).collect(),
        }
    }
}

impl Query for KindIn {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for KindIn {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut s = KindScorer {
            kind: placing(reader, "kind")?,
            kinds: self.kinds.clone(),
            doc: 0,
            max_doc: reader.max_doc(),
            boost,
        };
        s.settle();
        Ok(Box::new(s))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_by_scoring(self.scorer(reader, 1.0)?, doc)
    }
}

struct KindScorer {
    kind: Column<u64>,
    kinds: Vec<u64>,
    doc: DocId,
    max_doc: DocId,
    boost: Score,
}

impl KindScorer {
    /// Moves on from `doc` to the first document of a wanted kind.
    fn settle(&mut self) {
        while self.doc < self.max_doc
            && !self
                .kind
                .first(self.doc)
                .is_some_and(|k| self.kinds.contains(&k))
        {
            self.doc += 1;
        }
        if self.doc >= self.max_doc {
            self.doc = TERMINATED;
        }
    }
}

impl DocSet for KindScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc += 1;
            self.settle();
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED && target > self.doc {
            self.doc = target;
            self.settle();
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.max_doc.saturating_sub(self.doc)
    }
}

impl Scorer for KindScorer {
    fn score(&mut self) -> Score {
        self.boost
    }
}
