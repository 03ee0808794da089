//! The tiers of a plan, built from its planned clauses: passages holding
//! every content word first, then those missing only the commonest, then
//! any passage holding some word, ranked by how many it holds.
//!
//! Each tier is run only while the results are not yet filled, so the
//! first is the narrowest and cheapest. Every tier carries the same
//! restrictions (filters, exclusions), the same bonus for an article's lead
//! whose title names the query and the same gate on sections.

use tantivy::query::{BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query as TQuery};

use super::function_words::is_function_word;
use super::weights::LEAD_BOOST;
use crate::index::Fields;
use crate::query::{Atom, Query};
use crate::search::coverage::{self, Bonus, Counted};
use crate::search::exclusion::forward_only;
use crate::search::lexicon::{IndexStats, Lexicon};
use crate::search::queries::{boxed, results};
use crate::search::scoring::{Only, ParagraphOr, Words};
use crate::text::Analyzer;

/// One planned clause: its query, whether it holds only function words, and
/// the stem of its word when it is one plain word.
pub(super) struct Clause {
    pub query: Box<dyn TQuery>,
    /// Its words' synonyms, counted in the any-word tier where the clause
    /// itself is missing.
    pub expanded: Option<Box<dyn TQuery>>,
    pub function: bool,
    /// The word as typed, folded (for a plain word).
    pub exact: Option<String>,
    pub stem: Option<String>,
    /// Paragraphs holding the word (0 for a phrase or a prefix: specific).
    pub df: u64,
}

/// The ranked queries of a plan, narrowest first.
pub(super) struct Tiers {
    /// Every content clause.
    pub all: Box<dyn TQuery>,
    /// Between `all` and `any`, each with the content words its passages hold.
    pub between: Vec<(usize, Box<dyn TQuery>)>,
    /// Any content clause, ranked by how many a passage holds; only with
    /// several clauses.
    pub any: Option<Box<dyn TQuery>>,
}

impl Tiers {
    /// The tiers of the `content` clauses (those a passage must hold) and
    /// the `function` ones (which only score), each tier with the `lead`
    /// bonus, the `gate` on sections and the `restrictions`.
    pub(super) fn new(
        content: &[&Clause],
        function: &[&Clause],
        lead: Option<Box<dyn TQuery>>,
        gate: Option<Box<dyn TQuery>>,
        restrictions: &[(Occur, Box<dyn TQuery>)],
        f: &Fields,
    ) -> Tiers {
        let build = |ranked: Vec<(Occur, Box<dyn TQuery>)>| -> Box<dyn TQuery> {
            let mut parts = ranked;
            parts.extend(restrictions.iter().map(|(o, q)| (*o, q.box_clone())));
            // Ranked clauses are all optional in `any`; keep at least one
            // positive clause so exclusions have something to subtract from.
            if !parts.iter().any(|(o, _)| *o == Occur::Must) {
                parts.push((Occur::Must, results(f)));
            }
            boxed(BooleanQuery::new(parts))
        };
        // Every clause is either content or function.
        let n = content.len() + function.len();
        let m = content.len();
        // A tier: the `must` clauses, and at least `k` of the `some`
        // clauses (which, with `k` 0, only score); the function words only
        // scoring; the gate on sections.
        let tier = |must: &[&Clause], some: &[&Clause], k: usize| -> Box<dyn TQuery> {
            let mut ranked: Vec<(Occur, Box<dyn TQuery>)> = must
                .iter()
                .map(|c| (Occur::Must, c.query.box_clone()))
                .collect();
            if k > 0 {
                let q = BooleanQuery::with_minimum_required_clauses(
                    some.iter()
                        .map(|c| (Occur::Should, c.query.box_clone()))
                        .collect(),
                    k,
                );
                ranked.push((Occur::Must, boxed(q)));
            } else {
                ranked.extend(some.iter().map(|c| (Occur::Should, c.query.box_clone())));
            }
            ranked.extend(
                function
                    .iter()
                    .map(|c| (Occur::Should, c.query.box_clone())),
            );
            if let Some(l) = &lead {
                ranked.push((Occur::Should, l.box_clone()));
            }
            if let Some(g) = &gate {
                ranked.push((Occur::Must, g.box_clone()));
            }
            build(ranked)
        };
        let all = tier(content, &[], 0);
        // Next, passages missing only the commonest word (one without
        // "hold" before one without "coolidge").
        let mut between: Vec<(usize, Box<dyn TQuery>)> = Vec::new();
        if m >= 3 {
            let commonest = content
                .iter()
                .enumerate()
                .max_by_key(|(_, c)| c.df)
                .map(|(i, _)| i)
                .expect("m >= 3");
            let rest: Vec<&Clause> = content
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != commonest)
                .map(|(_, c)| *c)
                .collect();
            between.push((m - 1, tier(&rest, &[content[commonest]], 0)));
        }
        // Last, any word, ranked by how many words a passage holds (see
        // [`coverage`]), a section off the query's topic after the rest.
        // Only here do synonyms count: a passage holding every word typed
        // never ranks below one that holds some of them only in other words.
        let any = (n > 1).then(|| {
            let union: Vec<(Occur, Box<dyn TQuery>)> = content
                .iter()
                .map(|c| {
                    let q = boxed(Counted::new(c.query.box_clone(), coverage::STEP));
                    // A word, or else its synonyms for half a word: the
                    // better of the two, not both.
                    let q = match &c.expanded {
                        Some(e) => boxed(DisjunctionMaxQuery::new(vec![
                            q,
                            boxed(Counted::new(e.box_clone(), coverage::EXPANDED)),
                        ])),
                        None => q,
                    };
                    (Occur::Should, q)
                })
                .collect();
            // At least one content word: a passage holding only "the" is no
            // match, and walking every passage that holds it was most of
            // a question's time.
            let mut ranked = vec![(Occur::Must, boxed(BooleanQuery::new(union)))];
            // And at least one word as typed: synonyms rank what the words
            // found, they find nothing alone (nor count as matches).
            if content.iter().any(|c| c.expanded.is_some()) {
                let typed: Vec<(Occur, Box<dyn TQuery>)> = content
                    .iter()
                    .map(|c| (Occur::Should, c.query.box_clone()))
                    .collect();
                let typed = ConstScoreQuery::new(boxed(BooleanQuery::new(typed)), 0.0);
                ranked.push((Occur::Must, boxed(typed)));
            }
            ranked.extend(
                function
                    .iter()
                    .map(|c| (Occur::Should, c.query.box_clone())),
            );
            if let Some(l) = &lead {
                ranked.push((Occur::Should, l.box_clone()));
            }
            match &gate {
                Some(g) => boxed(Bonus::new(
                    build(ranked),
                    g.box_clone(),
                    coverage::on_topic(m),
                )),
                None => build(ranked),
            }
        });
        Tiers { all, between, any }
    }
}

/// The lead of an article whose title holds every content word (a lead's
/// title is only on the lead), scored by the words' rarity among titles;
/// `None` when a content clause is not a plain word.
pub(super) fn lead_bonus(
    f: &Fields,
    lex: &dyn Lexicon,
    stats: IndexStats,
    content: &[&Clause],
    rarity: f32,
) -> Option<Box<dyn TQuery>> {
    let mut must: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for c in content {
        // The word and its inflections: a title holding only a derivation
        // (`Don Quixote` for `quixotical`) is not the subject asked for.
        let forms = lex.forms(c.stem.as_deref()?);
        let (forms, _) = super::word::split_derivations(lex, c.exact.as_deref()?, forms);
        let title = Words::new(f.title, &forms.words, stats.titles, Only::Sections);
        must.push((Occur::Must, boxed(title)));
    }
    (!must.is_empty()).then(|| {
        let all = forward_only(boxed(BooleanQuery::new(must)));
        boxed(ConstScoreQuery::new(all, LEAD_BOOST * rarity))
    })
}

/// Which documents may count as holding every clause: any paragraph, but a
/// section only when its heading holds one of the query's content words. A
/// section holds the text of all its paragraphs, so otherwise a section whose
/// paragraphs share the words out between them would outrank the one
/// paragraph that holds all but one of them.
pub(super) fn complete_gate(
    q: &Query,
    f: &Fields,
    an: &mut Analyzer,
    lex: &dyn Lexicon,
    stats: IndexStats,
) -> Box<dyn TQuery> {
    let mut words: Vec<String> = Vec::new();
    for atom in q.clauses.iter().flatten() {
        let text = match atom {
            Atom::Word(t) | Atom::Prefix(t) | Atom::Phrase { text: t, .. } => t,
        };
        for w in an.words(text) {
            // "and" in "History and overview" says nothing of its topic.
            if !an.is_stop_word(&w.exact) && !is_function_word(&w.exact) {
                for form in lex.forms(&w.stem).words {
                    if !words.contains(&form) {
                        words.push(form);
                    }
                }
            }
        }
    }
    // A heading's words are only on sections, a title's only on leads.
    let heading = Words::new(f.heading, &words, stats.headings, Only::Sections);
    let title = Words::new(f.title, &words, stats.titles, Only::Sections);
    boxed(ConstScoreQuery::new(
        boxed(ParagraphOr::new(vec![boxed(heading), boxed(title)])),
        0.0,
    ))
}
