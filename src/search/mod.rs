//! Running a [`Query`] against an opened index and returning [`Hit`]s.
//!
//! Ranking is BM25 over the stemmed text, the headings and the article's
//! title, plus a small bonus for the unstemmed form (`plan/` says how each
//! word is looked for). Passages holding every content word of the query
//! come first; when fewer than `limit` do, the best passages holding only
//! some of them follow, so a query never comes back empty just because no
//! passage holds all of its words. When none holds them all, close
//! spellings of known words are tried once (`Marie Curry radium`).

mod arrange;
mod coverage;
mod exclusion;
mod filters;
mod grouping;
mod lexicon;
mod nearest;
mod plan;
mod queries;
mod scoring;
mod thesaurus;
mod typos;

use std::collections::HashMap;

use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::Query as TQuery;
use tantivy::DocAddress;

pub(crate) use exclusion::exclusion;
pub(crate) use filters::{compile_filters, unmatched_filters, CompiledFilter};
pub(crate) use plan::is_function_word;
pub(crate) use queries::kind_is;
pub(crate) use typos::is_spelling_variant;
pub use typos::Suggestion;

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::highlight::{self, Pattern, Snippet};
use crate::index::{Opened, Unreadable};
use crate::limits::{MAX_CASE_CHECKED, MAX_SECOND_TRY_WORDS};
use crate::query::Query;
use crate::text::Analyzer;
use lexicon::IndexLexicon;
use plan::{Plan, Typos};

/// How to search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Most hits returned.
    pub limit: usize,
    /// Snippet length to aim for, in characters.
    pub snippet_chars: usize,
    /// Try close spellings of words the index barely knows.
    pub typos: bool,
    /// Count a word's synonyms where the word is missing.
    pub expand: bool,
    /// Say why each hit ranked where it did.
    pub explain: bool,
    /// Keep only passages holding each word with the case typed (`-s`).
    pub case_sensitive: bool,
    /// Every document its own result: none listed under another.
    pub flat: bool,
    /// The order of the results.
    pub sort: Sort,
    /// Paragraphs of the article shown before and after each result.
    pub context: Context,
}

/// The order results are given in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best first.
    #[default]
    Relevance,
    /// By file, then place in the file.
    Path,
    /// By the earliest year a passage names (none last), then relevance.
    Year,
}

/// How many paragraphs around a result to show with it (`-B`, `-A`, `-C`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// Paragraphs before.
    pub before: usize,
    /// Paragraphs after.
    pub after: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            snippet_chars: 240,
            typos: true,
            expand: true,
            explain: false,
            case_sensitive: false,
            flat: false,
            sort: Sort::Relevance,
            context: Context::default(),
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
    /// Whether the passage holds every content word of the query.
    pub complete: bool,
    /// The document.
    pub doc: Document,
    /// The best cut of its text, with the matches marked.
    pub snippet: Snippet,
    /// Why it ranked where it did, when asked.
    pub explain: Option<Explain>,
    /// With `context`: the paragraphs before it in its article (nearest
    /// last) and after it, with their text.
    pub before: Vec<Document>,
    /// See `before`.
    pub after: Vec<Document>,
    /// The 1-based number of the result it is shown as or under.
    pub group: usize,
    /// The ID of the result it is listed under, when its text overlaps
    /// that better-ranked result's (a paragraph under its section).
    pub grouped_under: Option<String>,
}

/// Which tier of the ranking a hit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Holds every content word: ranked first.
    AllWords,
    /// Holds only `words` of the `of` content words: ranked after those
    /// holding more.
    SomeWords {
        /// Content words held (at least).
        words: usize,
        /// Content words in the query.
        of: usize,
    },
    /// The query has no words, only filters: listed in article order.
    FiltersOnly,
    /// Holds none of the content words, but says what the query says in
    /// other words (under the index's model): ranked with those holding
    /// some, never above those holding every word.
    Meaning,
}

impl Tier {
    /// The name used in JSON (`"all words"`, `"some words"`, `"filters
    /// only"`, `"meaning"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::AllWords => "all words",
            Tier::SomeWords { .. } => "some words",
            Tier::FiltersOnly => "filters only",
            Tier::Meaning => "meaning",
        }
    }
}

/// The parts of a hit's score, in plain words.
#[derive(Debug, Clone)]
pub struct Explain {
    /// The tier it ranked in.
    pub tier: Tier,
    /// What matched and what it contributed (BM25 of that word in that
    /// field, times its weight), largest first.
    pub parts: Vec<(String, f32)>,
    /// The weight of a whole section's text, if the hit is a section.
    pub section_weight: Option<f32>,
}

/// Everything a search found.
#[derive(Debug, Clone)]
pub struct Results {
    /// The query as typed.
    pub query: String,
    /// How many documents match (at least one clause, every filter).
    pub total: usize,
    /// The documents of the best `limit` results, each result's leader
    /// first and then the documents listed under it.
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
    /// Files whose passages could not be read back (shown without text).
    pub unreadable: Unreadable,
    /// How many of `total` hold every content word of the query.
    pub every_word_total: usize,
    /// The query's content words, as typed: those a passage must hold to
    /// hold every word.
    pub content_words: Vec<String>,
}

impl Results {
    /// How many results are shown (documents listed under another count
    /// with it).
    pub fn shown(&self) -> usize {
        self.hits
            .iter()
            .filter(|h| h.grouped_under.is_none())
            .count()
    }
}

/// What a search knows of an index's words (forms, frequencies).
pub(crate) fn lexicon(opened: &Opened) -> IndexLexicon<'_> {
    IndexLexicon::new(opened)
}

/// A word in any of its forms in the paragraphs' text, scored by BM25.
pub(crate) fn words_in_text(
    opened: &Opened,
    lex: &IndexLexicon<'_>,
    stem: &str,
) -> Box<dyn TQuery> {
    use lexicon::Lexicon;
    let forms = lex.forms(stem);
    Box::new(
        scoring::Words::new(
            opened.fields.text,
            &forms.words,
            lex.stats().text,
            scoring::Only::Any,
        )
        .with_df(forms.df),
    )
}

/// Paragraphs and sections holding any form of the word whose stem is
/// `stem`: how widely a word is spread over the corpus.
pub(crate) fn stem_spread(opened: &Opened, lex: &IndexLexicon<'_>, stem: &str) -> Result<u64> {
    use lexicon::Lexicon;
    let forms = lex.forms(stem);
    let f = &opened.fields;
    let sections = scoring::SectionText::new(
        &[f.text, f.heading, f.title],
        &forms.words,
        lex.stats().sections,
    )
    .sections_holding(&opened.searcher)
    .map_err(Error::index(opened.root()))?;
    Ok(forms.df + sections)
}

/// Runs a query: `query` is `input` as [`Query::parse`] read it (parsed by
/// the caller, which can then reject a bad query before opening an index);
/// `input` is only repeated in [`Results::query`].
pub fn search(
    opened: &Opened,
    input: &str,
    query: &Query,
    opts: &SearchOptions,
) -> Result<Results> {
    let _placing = scoring::PlacingColumns::set(opened);
    let mut analyzer = Analyzer::default();
    let searcher = opened.reader.searcher();
    let lexicon = IndexLexicon::new(opened);
    let typos = if opts.typos {
        Typos::Unknown
    } else {
        Typos::Off
    };
    let mut plan = Plan::new(
        query,
        &opened.fields,
        &mut analyzer,
        &lexicon,
        typos,
        opts.expand,
    )?;
    let mut filter_notes = unmatched_filters(&plan.filters, opened)?;
    let limit = opts.limit.max(1);
    // Only the top documents; the counts are taken in the same pass as
    // them: the first tier's (passages holding every word) and, when it
    // runs, the widest query's.
    let run = |q: &dyn TQuery, n: usize| -> Result<Vec<(f32, DocAddress)>> {
        searcher
            .search(q, &TopDocs::with_limit(n).order_by_score())
            .map_err(Error::index(opened.root()))
    };
    let run_counted = |q: &dyn TQuery, n: usize| -> Result<(Vec<(f32, DocAddress)>, usize)> {
        searcher
            .search(q, &(TopDocs::with_limit(n).order_by_score(), Count))
            .map_err(Error::index(opened.root()))
    };
    let mut total: Option<usize> = None;
    let count = |q: &dyn TQuery| -> Result<usize> {
        searcher
            .search(q, &Count)
            .map_err(Error::index(opened.root()))
    };
    if !query.has_terms() {
        // Nothing to rank by: list the matches in article order.
        let (top, total) = in_article_order(opened, plan.all.as_ref(), limit)?;
        // A listing, not a ranking: every match its own result.
        let top = top
            .into_iter()
            .take(opts.limit)
            .enumerate()
            .map(|(i, (score, addr))| Shown {
                score,
                addr,
                group: i + 1,
                under: None,
            })
            .collect();
        return finish(
            opened,
            input,
            (query, plan, filter_notes),
            &mut analyzer,
            top,
            total,
            |_| Tier::FiltersOnly,
            &Meant::default(),
            opts,
        );
    }
    // Documents listed under a better result do not count toward `limit`:
    // rank enough of them to fill it with distinct texts.
    let mut pool = limit.saturating_add(limit.saturating_mul(2).saturating_add(20).min(1000));
    // Case is not in the index: it is checked on the text of the best
    // ranked, so rank more of them.
    let cased = if opts.case_sensitive {
        pool = pool.max(MAX_CASE_CHECKED);
        arrange::cased_clauses(query)
    } else {
        Vec::new()
    };
    let (mut top, mut every) = run_counted(plan.all.as_ref(), pool)?;
    if plan.any.is_none() {
        total = Some(every);
    }
    if top.is_empty() && (2..=MAX_SECOND_TRY_WORDS).contains(&plan.words) && opts.typos {
        // No passage holds every word: perhaps one is a real word typed
        // for another (`curry` for `curie`). Try close spellings of known
        // words once, and keep them only if that finds passages holding all.
        // Not for a longer query: one wrong word there only drops passages
        // a tier, and the lookups cost a search's time again.
        let mut second = Plan::new(
            query,
            &opened.fields,
            &mut analyzer,
            &lexicon,
            Typos::KnownToo,
            opts.expand,
        )?;
        if !second.corrected.is_empty() {
            let (top2, every2) = run_counted(second.all.as_ref(), pool)?;
            if !top2.is_empty() {
                every = every2;
                let fixes: Vec<String> = second
                    .corrected
                    .iter()
                    .map(|(typed, k)| format!("{k}… for {typed}"))
                    .collect();
                second.notes.push(format!(
                    "no passage holds every word as typed; also matched close spellings: {}",
                    fixes.join(", ")
                ));
                plan = second;
                top = top2;
            }
        }
    }
    let words = plan.words;
    let mut tiers: HashMap<DocAddress, Tier> =
        top.iter().map(|(_, a)| (*a, Tier::AllWords)).collect();
    // Then the tiers holding fewer words, until the results are filled:
    // until `limit` distinct texts are ranked (a wider tier costs a run over
    // every passage holding any of the words).
    let filled = |top: &[(f32, DocAddress)]| -> Result<bool> {
        if top.len() >= pool {
            return Ok(true);
        }
        if !cased.is_empty() {
            return Ok(false);
        }
        let spans = spans(opened, top)?;
        Ok(grouping::group(&spans, opts.limit).len() >= opts.limit)
    };
    // Adds a tier's documents not ranked yet, while the pool has room.
    let mut admit = |top: &mut Vec<(f32, DocAddress)>,
                     found: Vec<(f32, DocAddress)>,
                     rank: &dyn Fn(f32) -> (f32, Tier)| {
        for (score, addr) in found {
            if top.len() < pool && !tiers.contains_key(&addr) {
                let (score, tier) = rank(score);
                tiers.insert(addr, tier);
                top.push((score, addr));
            }
        }
    };
    for (k, q) in &plan.between {
        if filled(&top)? {
            break;
        }
        let found = run(q.as_ref(), pool + top.len())?;
        let tier = Tier::SomeWords {
            words: *k,
            of: words,
        };
        admit(&mut top, found, &|score| (score, tier));
    }
    if let Some(any) = plan.any.as_ref() {
        if !filled(&top)? {
            let (found, n) = run_counted(any.as_ref(), pool + top.len())?;
            total = Some(n);
            admit(&mut top, found, &|score| {
                let (held, bm25) = coverage::held(score, words);
                (
                    bm25,
                    Tier::SomeWords {
                        words: held,
                        of: words,
                    },
                )
            });
        }
    }
    let meant = if opts.expand && cased.is_empty() {
        by_meaning(opened, query, &mut top, &mut tiers, pool, &mut filter_notes)?
    } else {
        Meant::default()
    };
    let mut total = match total {
        Some(n) => n,
        None => count(plan.any.as_ref().unwrap_or(&plan.all).as_ref())?,
    };
    // Paragraphs found by meaning alone match too.
    total += tiers.values().filter(|t| **t == Tier::Meaning).count();
    let mut case_note = None;
    if !cased.is_empty() {
        let checked = top.len();
        top = in_case(opened, top, &cased)?;
        if total > checked {
            case_note = Some(format!(
                "case checked on the best {} of {} matches",
                crate::render::thousands(checked),
                crate::render::thousands(total)
            ));
        }
        total = top.len();
    }
    let spans = spans(opened, &top)?;
    let order = grouping::topics_first(&spans, |i| {
        about(opened, top[i].1, &plan.topic, &mut analyzer)
    });
    let top: Vec<(f32, DocAddress)> = order.iter().map(|&i| top[i]).collect();
    let spans: Vec<grouping::Span> = order.into_iter().map(|i| spans[i].clone()).collect();
    filter_notes.extend(case_note);
    let groups = if opts.flat {
        (0..spans.len().min(opts.limit)).map(|i| vec![i]).collect()
    } else {
        grouping::group(&spans, opts.limit)
    };
    let shown: Vec<Shown> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, members)| {
            let leader = top[members[0]].1;
            let top = &top;
            members.iter().enumerate().map(move |(m, &i)| Shown {
                score: top[i].0,
                addr: top[i].1,
                group: g + 1,
                under: (m > 0).then_some(leader),
            })
        })
        .collect();
    let words = plan.content_words.clone();
    let mut results = finish(
        opened,
        input,
        (query, plan, filter_notes),
        &mut analyzer,
        shown,
        total,
        |addr| tiers.get(addr).copied().unwrap_or(Tier::AllWords),
        &meant,
        opts,
    )?;
    results.every_word_total = every.min(total);
    results.content_words = words;
    Ok(results)
}

/// What meaning added to a ranking, for `--explain`: each re-read
/// paragraph's cosine with the query, and the model's name.
#[derive(Default)]
struct Meant {
    cos: HashMap<DocAddress, f32>,
    model: String,
}

/// Where the words found little and the index has a model: fuses the
/// ranking with the paragraphs nearest the query in meaning (see
/// [`nearest`]).
fn by_meaning(
    opened: &Opened,
    query: &Query,
    top: &mut Vec<(f32, DocAddress)>,
    tiers: &mut HashMap<DocAddress, Tier>,
    pool: usize,
    notes: &mut Vec<String>,
) -> Result<Meant> {
    // Only where the words failed: no passage holds every word, and the
    // best holds at most half of them (a paraphrase shares a word or two
    // with the passage it means). Where the best holds more, reordering
    // by a small model's meaning cost the dev suite's questions and facts
    // their first result.
    let weak = match top.first().and_then(|(_, a)| tiers.get(a)) {
        None => true,
        Some(Tier::SomeWords { words, of }) => words * 2 <= *of,
        Some(_) => false,
    };
    let Some(text) = nearest::text_of(query).filter(|_| weak) else {
        return Ok(Meant::default());
    };
    let model = match nearest::model(opened) {
        Ok(Some(model)) => model,
        Ok(None) => return Ok(Meant::default()),
        Err(note) => {
            notes.push(note);
            return Ok(Meant::default());
        }
    };
    let wanted = model.embed(&text);
    if wanted.iter().all(|x| *x == 0.0) {
        return Ok(Meant::default());
    }
    let rest: Vec<DocAddress> = top.iter().map(|(_, a)| *a).collect();
    let near = nearest::by_code(
        opened,
        crate::meaning::Model::code(&wanted),
        nearest::CANDIDATES,
    );
    // Paragraphs not shown: a file that cannot be read is said when shown.
    let mut unread = Unreadable::default();
    let cos = nearest::cosines(
        opened,
        &model,
        &wanted,
        rest.iter().copied().chain(near),
        &mut unread,
    )?;
    let scores: HashMap<DocAddress, f32> = top.iter().map(|(s, a)| (*a, *s)).collect();
    top.clear();
    let is_section = |a: DocAddress| {
        opened.cols(a.segment_ord).kind(a.doc_id) != Some(crate::index::DocKind::Paragraph)
    };
    for addr in nearest::fuse(&rest, &cos, is_section)
        .into_iter()
        .take(pool)
    {
        tiers.entry(addr).or_insert(Tier::Meaning);
        top.push((scores.get(&addr).copied().unwrap_or(0.0), addr));
    }
    Ok(Meant {
        cos,
        model: model.name(),
    })
}

/// The share of a query's weight (its words' rarity) that a section's
/// headings and title must hold for the section to lead its paragraphs: on
/// the dev suite 0.7 put the sections of 3 more topic and section queries
/// first and cost one keyboard query its paragraph; 0.5 cost 7 paragraphs.
const TOPIC_SHARE: f32 = 0.7;

/// Whether a document is a section about the query: its own heading holds
/// one of the query's content words, and its headings and its article's
/// title hold most of what the query says (its words weighed by rarity): a
/// query whose rarest words only a paragraph holds asks for that paragraph
/// ("coin slabbing" under "Coin grading services").
fn about(opened: &Opened, addr: DocAddress, topic: &[(String, f32)], an: &mut Analyzer) -> bool {
    let Ok(doc) = opened.place(addr) else {
        return false;
    };
    if doc.kind != crate::corpus::Kind::Section || topic.is_empty() {
        return false;
    }
    let mut stems =
        |text: &str| -> Vec<String> { an.words(text).into_iter().map(|w| w.stem).collect() };
    let heading = stems(doc.section.last().map_or("", |h| h.as_str()));
    if !topic.iter().any(|(t, _)| heading.contains(t)) {
        return false;
    }
    let mut path = stems(&doc.section.join(" "));
    path.extend(stems(&doc.article));
    let held: f32 = topic
        .iter()
        .filter(|(t, _)| path.contains(t))
        .map(|(_, w)| w)
        .sum();
    let all: f32 = topic.iter().map(|(_, w)| w).sum();
    held >= TOPIC_SHARE * all
}

/// The ranked documents whose text holds the query's words in the case
/// typed (`cased`), in rank order; each file read once.
fn in_case(
    opened: &Opened,
    top: Vec<(f32, DocAddress)>,
    cased: &[Vec<Vec<String>>],
) -> Result<Vec<(f32, DocAddress)>> {
    let mut files: HashMap<String, Option<String>> = HashMap::new();
    let mut unreadable = Unreadable::default();
    let mut kept = Vec::new();
    for (score, addr) in top {
        let d = opened.place(addr)?;
        let text = files
            .entry(d.file.clone())
            .or_insert_with(|| opened.file_text(&d.file, &mut unreadable));
        let Some(text) = text.as_deref() else {
            continue;
        };
        let passage = text.get(d.byte_start..d.byte_end).unwrap_or("");
        if arrange::holds_as_typed(passage, cased) {
            kept.push((score, addr));
        }
    }
    Ok(kept)
}

/// A document to show: its score, where it is, the result it belongs to
/// and, when it is listed under another, that one.
struct Shown {
    score: f32,
    addr: DocAddress,
    group: usize,
    under: Option<DocAddress>,
}

/// Where each ranked document's text stands, from the fast fields.
fn spans(opened: &Opened, top: &[(f32, DocAddress)]) -> Result<Vec<grouping::Span>> {
    let mut out = Vec::with_capacity(top.len());
    for (_, addr) in top {
        out.push(grouping::Span {
            file: opened.rel_of(*addr)?,
            bytes: {
                let b = opened.cols(addr.segment_ord).bytes(addr.doc_id);
                b.start as u64..b.end as u64
            },
        });
    }
    Ok(out)
}

/// Loads the hits, cuts their snippets and assembles the results.
#[allow(clippy::too_many_arguments)]
fn finish(
    opened: &Opened,
    input: &str,
    (query, plan, filter_notes): (&Query, Plan, Vec<String>),
    analyzer: &mut Analyzer,
    shown: Vec<Shown>,
    total: usize,
    tier_of: impl Fn(&DocAddress) -> Tier,
    meant: &Meant,
    opts: &SearchOptions,
) -> Result<Results> {
    let searcher = opened.reader.searcher();
    let top: Vec<(f32, DocAddress)> = shown.iter().map(|s| (s.score, s.addr)).collect();
    let under: Vec<bool> = shown.iter().map(|s| s.under.is_some()).collect();
    let (mut hits, unreadable) = load_hits(
        opened,
        top,
        &plan.patterns,
        &plan.weights,
        &under,
        opts,
        analyzer,
    )?;
    let ids: HashMap<DocAddress, String> = hits
        .iter()
        .map(|(addr, h)| (*addr, h.doc.id.clone()))
        .collect();
    for ((addr, hit), s) in hits.iter_mut().zip(&shown) {
        hit.group = s.group;
        hit.grouped_under = s.under.and_then(|a| ids.get(&a).cloned());
        let tier = tier_of(addr);
        hit.complete = !matches!(tier, Tier::SomeWords { .. });
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
        if let Some(c) = meant.cos.get(addr) {
            parts.push((format!("meaning under {} (cosine)", meant.model), *c));
        }
        hit.explain = Some(Explain {
            tier,
            parts,
            section_weight: (hit.doc.kind == crate::corpus::Kind::Section)
                .then_some(plan::SECTION_TEXT_WEIGHT),
        });
    }
    let mut unreadable = unreadable;
    if opts.context != Context::default() {
        for (addr, hit) in hits.iter_mut() {
            if hit.grouped_under.is_none() {
                (hit.before, hit.after) =
                    arrange::neighbours(opened, *addr, opts.context, &mut unreadable)?;
            }
        }
    }
    let hits = hits.into_iter().map(|(_, h)| h).collect();
    let mut notes = query.notes.clone();
    notes.extend(plan.notes);
    let mut results = Results {
        query: input.to_string(),
        total,
        hits,
        notes,
        suggestions: plan.suggestions,
        read_as: query.to_string(),
        filter_notes,
        unreadable,
        every_word_total: total,
        content_words: Vec::new(),
    };
    results.sort(opts.sort);
    Ok(results)
}

/// Loads ranked documents and cuts their snippets around `patterns`; also
/// says which files could not be read back.
pub(crate) fn load_hits(
    opened: &Opened,
    top: Vec<(f32, DocAddress)>,
    patterns: &[Pattern],
    weights: &[f32],
    listed_under: &[bool],
    opts: &SearchOptions,
    analyzer: &mut Analyzer,
) -> Result<(Vec<(DocAddress, Hit)>, Unreadable)> {
    let searcher = opened.reader.searcher();
    let mut hits = Vec::with_capacity(top.len());
    let mut unreadable = Unreadable::default();
    for (i, (score, addr)) in top.into_iter().enumerate() {
        // A document listed under another result shows no text of its own
        // (that result's shows it): its place is enough, and no snippet is
        // cut (a section listed under its paragraph would be read and
        // analyzed whole for nothing).
        let under = listed_under.get(i).copied().unwrap_or(false);
        let doc = if under {
            opened.place(addr)?
        } else {
            opened.document(&searcher, addr, &mut unreadable)?
        };
        let snippet = if under {
            Snippet {
                text: String::new(),
                highlights: Vec::new(),
            }
        } else {
            let freqs = highlight::Freqs::of(&searcher, addr, opened.fields.text);
            highlight::cut(
                &doc.text,
                doc.kind,
                patterns,
                weights,
                freqs,
                opts.snippet_chars,
                analyzer,
            )
        };
        hits.push((
            addr,
            Hit {
                rank: i + 1,
                score,
                complete: true,
                doc,
                snippet,
                explain: None,
                before: Vec::new(),
                after: Vec::new(),
                group: i + 1,
                grouped_under: None,
            },
        ));
    }
    Ok((hits, unreadable))
}

/// The files holding paragraphs that match the whole query (every content
/// word, every filter; the first tier), each with how many, in path order:
/// `search -c`, as ripgrep counts matching lines per file.
pub fn count_by_file(opened: &Opened, query: &Query) -> Result<Vec<(String, usize)>> {
    let mut analyzer = Analyzer::default();
    let lexicon = IndexLexicon::new(opened);
    let plan = Plan::new(
        query,
        &opened.fields,
        &mut analyzer,
        &lexicon,
        Typos::Unknown,
        false,
    )?;
    let searcher = opened.reader.searcher();
    let docs = searcher
        .search(plan.all.as_ref(), &DocSetCollector)
        .map_err(Error::index(opened.root()))?;
    let mut by_root: HashMap<(u32, u32), usize> = HashMap::new();
    for addr in docs {
        let c = opened.cols(addr.segment_ord);
        if c.kind(addr.doc_id) == Some(crate::index::DocKind::Paragraph) {
            *by_root
                .entry((addr.segment_ord, c.root_of(addr.doc_id)))
                .or_default() += 1;
        }
    }
    let mut by_file: HashMap<String, usize> = HashMap::new();
    for ((seg, root), n) in by_root {
        let file = opened.place(DocAddress::new(seg, root))?.file;
        *by_file.entry(file).or_default() += n;
    }
    let mut out: Vec<(String, usize)> = by_file.into_iter().collect();
    out.sort();
    Ok(out)
}

/// Every match of a query without ranked words, in file and byte order
/// (read from fast fields, without loading documents).
fn in_article_order(
    opened: &Opened,
    q: &dyn TQuery,
    limit: usize,
) -> Result<(Vec<(f32, DocAddress)>, usize)> {
    let all = opened
        .searcher
        .search(q, &DocSetCollector)
        .map_err(Error::index(opened.root()))?;
    let total = all.len();
    let mut keyed: Vec<(String, usize, DocAddress)> = Vec::with_capacity(total);
    for addr in all {
        let start = opened.cols(addr.segment_ord).bytes(addr.doc_id).start;
        keyed.push((opened.rel_of(addr)?, start, addr));
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
