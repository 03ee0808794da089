//! Planning: a parsed [`Query`] becomes the tantivy queries that rank it and
//! the patterns that highlight it.
//!
//! The step is pure: what it needs to know of the index (how common a word
//! is, which indexed words are close to a typed one) it asks a [`Lexicon`],
//! so it is unit-tested with a table of words instead of an index.
//!
//! Each word of the query becomes one clause: the word in the text, in the
//! headings, in the article's title and in exactly the form typed, plus its
//! derivations (spelling variants, typo corrections, completions of an
//! unfinished last word). Derivations of one word share one IDF, the
//! commonest's, so a rare derivation never outranks the word meant (Lucene's
//! blended synonym scoring does the same).

use std::collections::HashMap;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, Query as TQuery,
};
use tantivy::Term;

use super::coverage::{self, Counted};
use super::exclusion::{exclusion, forward_only};
use super::filters::filter_query;
use super::lexicon::{Forms, IndexStats, Lexicon};
use super::queries::{boxed, kind_is, phrase_or_term, results};
use super::scoring::{Heirs, Inherit, InheritedWords, Length, Only, SectionText, Summed, Words};
use super::typos::{self, Suggestion};
use crate::error::Result;
use crate::highlight::Pattern;
use crate::index::{DocKind, Fields};
use crate::limits::{MAX_COMPLETIONS, MAX_CORRECTIONS, MAX_TYPO_WORDS};
use crate::query::{Atom, Query, QueryError};
use crate::text::Analyzer;

/// Weight of a match in a section document's own heading relative to the
/// body: a topic query should rank the section about it.
pub(crate) const TOPIC_BOOST: f32 = 3.0;
/// Weight of a section's text relative to a paragraph's: a section holds
/// all the words of its paragraphs, so its heading, not its text, should
/// make it outrank them.
pub(crate) const SECTION_TEXT_WEIGHT: f32 = 0.7;
/// Weight of a match in the headings above a paragraph: context, a hint.
pub(crate) const CONTEXT_BOOST: f32 = 0.5;
/// Weight of a match in the article's title: a query naming the subject of
/// an article should find that article.
pub(crate) const TITLE_BOOST: f32 = 0.5;
/// Weight of an article's lead when its title holds every content word of
/// the query: the query names the article (CirrusSearch's title "near
/// match"), times the words' rarity among titles.
pub(crate) const LEAD_BOOST: f32 = 2.0;
/// Weight of a match in the title of an article's lead, over the title's own.
pub(crate) const LEAD_WORD_BOOST: f32 = 1.5;
/// Weight of a match on the unstemmed form, so `ransacked` ranks the passage
/// that says `ransacked` above one that says `ransacking`.
pub(crate) const EXACT_BONUS: f32 = 0.3;
/// Weight of a typo-corrected word relative to the word as typed.
pub(crate) const TYPO_WEIGHT: f32 = 0.5;
/// Weight of a completion of the last, unfinished word.
pub(crate) const PREFIX_WEIGHT: f32 = 0.3;
/// Weight of another spelling of the same word (colour for color).
pub(crate) const VARIANT_WEIGHT: f32 = 0.9;
/// Weight of a derivation of the word (Brazil for Brazilian).
pub(crate) const DERIVED_WEIGHT: f32 = 0.6;
/// Highlight weight of a function word: shown when it stands in the
/// window, never the reason to choose one.
const FUNCTION_WORD_WEIGHT: f32 = 0.05;

/// Which words get close spellings tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Typos {
    /// None (`--no-typos`).
    Off,
    /// Words the index does not know, or barely knows next to a common
    /// close spelling.
    Unknown,
    /// Known words too: the second try when no passage holds every word
    /// (`Marie Curry radium`, where `curry` is a word but `curie` is meant).
    KnownToo,
}

/// The tantivy queries and highlight patterns for one [`Query`].
pub(crate) struct Plan {
    /// The first tier: every content word (or all words, when all are
    /// function words), and every filter.
    pub all: Box<dyn TQuery>,
    /// How many content words the first tier holds.
    pub words: usize,
    /// Tiers between the first and `any`, each with the content words its
    /// passages hold.
    pub between: Vec<(usize, Box<dyn TQuery>)>,
    /// Any word suffices, ranked by how many a passage holds (its score
    /// counts them in [`coverage::STEP`]s); only with several clauses.
    pub any: Option<Box<dyn TQuery>>,
    /// What to mark in the text.
    pub patterns: Vec<Pattern>,
    /// How much each pattern says about the query (rare words most), for
    /// choosing the snippet window.
    pub weights: Vec<f32>,
    /// How the query was read, when it was read leniently.
    pub notes: Vec<String>,
    /// Named parts of the ranked query, for `--explain`.
    pub parts: Vec<(String, Box<dyn TQuery>)>,
    /// Unknown words and close indexed words.
    pub suggestions: Vec<Suggestion>,
    /// Known words that were corrected (`curry` -> `curie`), with `Typos::KnownToo`.
    pub corrected: Vec<(String, String)>,
}

/// BM25's IDF, as tantivy computes it.
fn idf(df: u64, n: u64) -> f32 {
    let (df, n) = (df as f32, n.max(1) as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Function words of questions and keyword queries: they do not count
/// toward "holds every word" (a paragraph holding "what" is no answer to
/// "what is the capital of australia") and never choose a snippet. NLTK's
/// English stop words plus a few more prepositions and modals; broader than
/// the index's stop words, which only decide headings.
pub(crate) fn is_function_word(exact: &str) -> bool {
    const WORDS: &[&str] = &[
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "don",
        "down",
        "during",
        "each",
        "ever",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "onto",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "s",
        "same",
        "shall",
        "she",
        "should",
        "so",
        "some",
        "such",
        "t",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ];
    WORDS.binary_search(&exact).is_ok()
}

/// Builds the parts of a plan.
struct Planner<'a> {
    f: &'a Fields,
    an: &'a mut Analyzer,
    lex: &'a dyn Lexicon,
    stats: IndexStats,
    typos: Typos,
    /// Rare words looked up for typos and suggestions so far (each a walk
    /// of the term dictionaries).
    lookups: usize,
    patterns: Vec<Pattern>,
    weights: Vec<f32>,
    notes: Vec<String>,
    parts: Vec<(String, Box<dyn TQuery>)>,
    suggestions: Vec<Suggestion>,
    corrected: Vec<(String, String)>,
}

/// One planned clause: its query, whether it holds only function words, and
/// the stem of its word when it is one plain word.
struct Clause {
    query: Box<dyn TQuery>,
    function: bool,
    stem: Option<String>,
    /// Paragraphs holding the word (0 for a phrase or a prefix: specific).
    df: u64,
}

impl Plan {
    pub(crate) fn new(
        q: &Query,
        f: &Fields,
        an: &mut Analyzer,
        lex: &dyn Lexicon,
        typos: Typos,
    ) -> Result<Plan> {
        let mut p = Planner {
            f,
            an,
            lex,
            stats: lex.stats(),
            typos,
            lookups: 0,
            patterns: Vec::new(),
            weights: Vec::new(),
            notes: Vec::new(),
            parts: Vec::new(),
            suggestions: Vec::new(),
            corrected: Vec::new(),
        };
        let mut clauses: Vec<Clause> = Vec::new();
        let last_clause = q.clauses.len().saturating_sub(1);
        // A clause typed again (`the the the …`) is the same query: planned
        // once and weighted by its count, which ranks as the copies would
        // (BM25 sums them) at the cost of one (1,000 copies took 9 s).
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut counts: Vec<f32> = Vec::new();
        for (ci, group) in q.clauses.iter().enumerate() {
            let key: Vec<String> = group.iter().map(|a| a.to_string()).collect();
            let key = key.join(" OR ");
            if ci != last_clause {
                if let Some(&i) = seen.get(&key) {
                    counts[i] += 1.0;
                    continue;
                }
            }
            let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
            let mut function = true;
            let stem = match group.as_slice() {
                [Atom::Word(w)] => match p.an.words(w).as_slice() {
                    [one] => Some(one.stem.clone()),
                    _ => None,
                },
                _ => None,
            };
            for (ai, atom) in group.iter().enumerate() {
                // The last word typed may be unfinished (search as you type).
                let last_word = ci == last_clause && ai + 1 == group.len();
                function &= p.is_function_atom(atom);
                match p.atom(atom, last_word) {
                    Some(query) => alts.push(query),
                    None => p
                        .notes
                        .push(format!("{atom} has no letters or digits and was ignored")),
                }
            }
            let query = match alts.len() {
                0 => continue,
                1 => alts.pop().expect("one"),
                _ => boxed(BooleanQuery::new(
                    alts.into_iter().map(|q| (Occur::Should, q)).collect(),
                )),
            };
            let df = stem.as_ref().map_or(0, |s| p.lex.forms(s).df);
            clauses.push(Clause {
                query,
                function,
                stem,
                df,
            });
            seen.insert(key, clauses.len() - 1);
            counts.push(1.0);
        }
        for (c, n) in clauses.iter_mut().zip(&counts) {
            if *n > 1.0 {
                c.query = boxed(BoostQuery::new(c.query.box_clone(), *n));
            }
        }
        let mut restrictions: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        for filter in &q.filters {
            let fq = filter_query(filter, f, p.an, p.lex)?;
            restrictions.push((Occur::Must, boxed(ConstScoreQuery::new(fq, 0.0))));
        }
        for filter in &q.excluded_filters {
            restrictions.push((
                Occur::MustNot,
                exclusion(filter_query(filter, f, p.an, p.lex)?),
            ));
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
                parts.push((Occur::Must, results(f)));
            }
            boxed(BooleanQuery::new(parts))
        };
        let n = clauses.len();
        // Function words are required only when there is nothing else.
        let all_function = clauses.iter().all(|c| c.function);
        if !all_function {
            // Function words are never what a snippet marks (`[the]`
            // everywhere) unless the query holds nothing else.
            let keep: Vec<bool> = p
                .weights
                .iter()
                .zip(&p.patterns)
                .map(|(w, pat)| !(matches!(pat, Pattern::Stem(_)) && *w == FUNCTION_WORD_WEIGHT))
                .collect();
            let mut k = keep.iter();
            p.patterns.retain(|_| *k.next().unwrap_or(&true));
            let mut k = keep.iter();
            p.weights.retain(|_| *k.next().unwrap_or(&true));
        }
        let (content, function): (Vec<&Clause>, Vec<&Clause>) =
            clauses.iter().partition(|c| all_function || !c.function);
        let m = content.len();
        let gate = (n > 1).then(|| complete_gate(q, &mut p));
        let rarities: Vec<f32> = content
            .iter()
            .map(|c| c.stem.as_deref().map_or(0.0, |s| p.title_idf(s)))
            .collect();
        let lead = lead_bonus(&mut p, &content, rarities.iter().sum());
        if let Some(l) = &lead {
            p.parts.push((
                format!("the article's title holds every word: its lead (×{LEAD_BOOST})"),
                l.box_clone(),
            ));
        }
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
        let all = tier(&content, &[], 0);
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
        let any = (n > 1).then(|| {
            let union: Vec<(Occur, Box<dyn TQuery>)> = content
                .iter()
                .map(|c| {
                    let q = Counted::new(c.query.box_clone(), coverage::STEP);
                    (Occur::Should, boxed(q))
                })
                .collect();
            // At least one content word: a passage holding only "the" is no
            // match, and walking every passage that holds it was most of
            // a question's time.
            let mut ranked = vec![(Occur::Must, boxed(BooleanQuery::new(union)))];
            ranked.extend(
                function
                    .iter()
                    .map(|c| (Occur::Should, c.query.box_clone())),
            );
            if let Some(g) = &gate {
                let on_topic = Counted::new(g.box_clone(), coverage::on_topic(m));
                ranked.push((Occur::Should, boxed(on_topic)));
            }
            if let Some(l) = &lead {
                ranked.push((Occur::Should, l.box_clone()));
            }
            build(ranked)
        });
        Ok(Plan {
            all,
            words: m,
            between,
            any,
            patterns: p.patterns,
            weights: p.weights,
            notes: p.notes,
            parts: p.parts,
            suggestions: p.suggestions,
            corrected: p.corrected,
        })
    }
}

/// Where a form of a word is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The word typed: text, headings, title, the lead's title.
    All,
    /// A derivation: where it makes a passage hold the word (text, heading,
    /// title); the context and the lead's title only rank, and each field
    /// is one more scorer per form.
    Derived,
    /// A function word: the text only.
    Function,
}

/// The queries of one word's clause: the text, walked lazily (a rare word
/// beside it skips most of it), and the rest (sections, headings, what
/// documents inherit), lists made once per search and summed into one.
struct WordClause {
    lazy: Vec<(Occur, Box<dyn TQuery>)>,
    lists: Vec<Box<dyn TQuery>>,
}

impl WordClause {
    fn query(mut self) -> Box<dyn TQuery> {
        if !self.lists.is_empty() {
            self.lazy
                .push((Occur::Should, boxed(Summed::new(self.lists))));
        }
        boxed(BooleanQuery::new(self.lazy))
    }
}

/// Where a word is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A paragraph's text.
    Text,
    /// A section's text.
    SectionText,
    /// A section's own heading.
    Heading,
    /// The headings above a paragraph.
    Context,
    /// The article's title.
    Title,
}

/// One derivation of a typed word, to be added to its clause.
struct Derived {
    stem: String,
    df: u64,
    weight: f32,
    why: String,
}

impl Planner<'_> {
    fn is_function_atom(&mut self, atom: &Atom) -> bool {
        match atom {
            Atom::Word(w) => {
                let words = self.an.words(w);
                !words.is_empty() && words.iter().all(|w| is_function_word(&w.exact))
            }
            _ => false,
        }
    }

    fn pattern(&mut self, pattern: Pattern, weight: f32) {
        self.patterns.push(pattern);
        self.weights.push(weight);
    }

    /// The IDF of a stem among article titles (over every document, as the
    /// title field's BM25 has it).
    fn title_idf(&self, stem: &str) -> f32 {
        let forms = self.lex.forms(stem);
        idf(
            self.lex.title_freq(&forms.words).max(1),
            self.lex.num_articles(),
        )
    }

    /// Highlight weight of a stem: its IDF in the text.
    fn weight_of(&self, exact: &str, stem: &str) -> f32 {
        if is_function_word(exact) {
            return FUNCTION_WORD_WEIGHT;
        }
        let df = self.lex.forms(stem).df;
        idf(df.max(1), self.lex.num_docs())
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
                        let weight = words
                            .iter()
                            .map(|w| self.weight_of(&w.exact, &w.stem))
                            .sum();
                        let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
                        let q = phrase_or_term(f.text, &terms, 0);
                        self.parts
                            .push((format!("'{w}' as a phrase"), q.box_clone()));
                        self.pattern(Pattern::Phrase { terms, slop: 0 }, weight);
                        Some(q)
                    }
                }
            }
            Atom::Phrase { text, slop } => {
                let words = self.an.words(text);
                let weight = words
                    .iter()
                    .map(|w| self.weight_of(&w.exact, &w.stem))
                    .sum();
                let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
                let q = match terms.len() {
                    0 => return None,
                    1 => {
                        self.pattern(Pattern::Exact(terms[0].clone()), weight);
                        self.exact_word(&terms[0])
                    }
                    _ => {
                        self.pattern(
                            Pattern::Phrase {
                                terms: terms.clone(),
                                slop: *slop,
                            },
                            weight,
                        );
                        phrase_or_term(f.text, &terms, *slop)
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
                    boxed(tantivy::query::FuzzyTermQuery::new_prefix(
                        Term::from_field_text(f.text, &last),
                        0,
                        true,
                    ))
                } else {
                    for t in &terms {
                        let stem = self.an.stem(t);
                        let w = self.weight_of(t, &stem);
                        self.pattern(Pattern::Exact(t.clone()), w);
                    }
                    terms.push(last.clone());
                    boxed(PhrasePrefixQuery::new(
                        terms
                            .iter()
                            .map(|t| Term::from_field_text(f.text, t))
                            .collect(),
                    ))
                };
                self.pattern(Pattern::Prefix(last), 1.0);
                self.parts
                    .push((format!("words starting with '{p}'"), q.box_clone()));
                Some(q)
            }
        }
    }

    /// A folded word exactly as typed, in the text.
    fn exact_word(&self, word: &str) -> Box<dyn TQuery> {
        boxed(Words::new(
            self.f.text,
            &[word.to_string()],
            self.stats.text,
            Only::Any,
        ))
    }

    /// The places a word (in any of its `forms`) is looked for, each with
    /// its weight, as the named parts of `--explain`: the text of a
    /// paragraph, of a section, a section's heading, the headings above a
    /// paragraph, the article's title.
    fn fields_of(
        &mut self,
        forms: &Forms,
        stem: &str,
        weight: f32,
        label: &str,
        scope: Scope,
        out: &mut WordClause,
    ) {
        let f = self.f;
        let st = self.stats;
        let scaled = |q: Box<dyn TQuery>, w: f32| -> Box<dyn TQuery> {
            if (w - 1.0).abs() < f32::EPSILON {
                q
            } else {
                boxed(BoostQuery::new(q, w))
            }
        };
        let heading = || Words::new(f.heading, &forms.words, st.headings, Only::Sections);
        let title = || Words::new(f.title, &forms.words, st.titles, Only::Sections);
        let places: [(Place, f32, String, Box<dyn TQuery>); 5] = [
            (
                Place::Text,
                1.0,
                "in the text".to_string(),
                boxed(Words::new(f.text, &forms.words, st.text, Only::Any).with_df(forms.df)),
            ),
            (
                Place::SectionText,
                SECTION_TEXT_WEIGHT,
                format!("in the section's text (×{SECTION_TEXT_WEIGHT})"),
                boxed(SectionText::new(
                    &[f.text, f.heading, f.title],
                    &forms.words,
                    st.sections,
                )),
            ),
            (
                Place::Heading,
                TOPIC_BOOST,
                format!("in the section's heading (×{TOPIC_BOOST})"),
                boxed(heading()),
            ),
            (
                Place::Context,
                CONTEXT_BOOST,
                format!("in the headings above the paragraph (×{CONTEXT_BOOST})"),
                boxed(InheritedWords::new(
                    f.heading,
                    &forms.words,
                    st.context,
                    Heirs::Paragraphs,
                    Length::Path,
                )),
            ),
            (
                Place::Title,
                TITLE_BOOST,
                format!("in the article's title (×{TITLE_BOOST})"),
                boxed(InheritedWords::new(
                    f.title,
                    &forms.words,
                    st.inherited_titles,
                    Heirs::All,
                    Length::Own,
                )),
            ),
        ];
        for (place, boost, where_, q) in places {
            let wanted = match scope {
                Scope::All => true,
                Scope::Derived => place != Place::Context,
                // "the" in a title or a heading says nothing, and in a
                // section's text only what it says in its paragraphs.
                Scope::Function => place == Place::Text,
            };
            if !wanted {
                continue;
            }
            let q = scaled(q, boost * weight);
            self.parts
                .push((format!("{label} {where_}"), q.box_clone()));
            // The text is walked lazily (a rare word beside it skips most
            // of it); the rest, sections and what documents inherit, are
            // lists made once and summed into one.
            if place == Place::Text {
                out.lazy.push((Occur::Should, q));
            } else {
                out.lists.push(q);
            }
        }
        if scope != Scope::All {
            return;
        }
        // A lead is about its title as a section is about its heading, but
        // weighs less than a heading: "deng xiaoping long march" asks for
        // the section, "euphrates river" for the lead.
        // Scored by the word's rarity among titles.
        let rarity = self.title_idf(stem);
        let lead_word = boxed(ConstScoreQuery::new(boxed(title()), rarity));
        let q = scaled(lead_word, LEAD_WORD_BOOST * weight);
        self.parts.push((
            format!("{label} in the title of the lead (×{LEAD_WORD_BOOST})"),
            q.box_clone(),
        ));
        out.lists.push(q);
    }

    /// A single word: its stem in the text, the headings and the title, its
    /// exact form as a bonus, and its derivations: other spellings, close
    /// spellings when the index barely knows it, and completions when it is
    /// the last word typed.
    fn word(&mut self, typed: &str, exact: &str, stem: &str, last_word: bool) -> Box<dyn TQuery> {
        let mut alts: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        let q = boxed(BoostQuery::new(self.exact_word(exact), EXACT_BONUS));
        self.parts.push((
            format!("'{typed}' in exactly this form (×{EXACT_BONUS})"),
            q.box_clone(),
        ));
        alts.push((Occur::Should, q));
        // A function word is looked for as typed: its forms would cost a
        // walk of the dictionary for nothing (`the`, `be`).
        let forms = if is_function_word(exact) {
            Forms {
                words: vec![exact.to_string()],
                df: self.lex.word_freq(exact),
            }
        } else {
            self.lex.forms(stem)
        };
        let df = forms.df;
        let weight = self.weight_of(exact, stem);
        self.pattern(Pattern::Stem(stem.to_string()), weight);

        let mut derived: Vec<Derived> = Vec::new();
        let has_digit = exact.bytes().any(|b| b.is_ascii_digit());
        let len = exact.chars().count();
        if !has_digit && !is_function_word(exact) {
            for (variant, kind) in typos::variants(exact) {
                let vstem = self.an.stem(&variant);
                if vstem == stem || derived.iter().any(|d| d.stem == vstem) {
                    continue;
                }
                let vdf = self.lex.forms(&vstem).df;
                if vdf == 0 {
                    continue;
                }
                let (weight, what) = match kind {
                    typos::Variant::Spelling => (VARIANT_WEIGHT, "another spelling"),
                    typos::Variant::Derived => (DERIVED_WEIGHT, "a related word"),
                };
                derived.push(Derived {
                    stem: vstem,
                    df: vdf,
                    weight,
                    why: format!("'{variant}' ({what} of '{typed}', ×{weight})"),
                });
            }
        }
        let known_exact = self.lex.word_freq(exact) > 0;
        let rare = !has_digit && df <= 2 && len >= 3;
        let try_known = self.typos == Typos::KnownToo && !has_digit && len >= 5 && df > 0;
        if rare && self.lookups == MAX_TYPO_WORDS {
            self.notes.push(format!(
                "close spellings were looked for only for the first {MAX_TYPO_WORDS} rare or unknown words"
            ));
        }
        self.lookups += usize::from(rare || try_known);
        if (rare || try_known) && self.lookups <= MAX_TYPO_WORDS {
            // A real word typed for another is one slip away, in the word
            // or in its stem (curry, curie: one between `curri` and
            // `curi`); two edits around every known word cost a search's
            // time again.
            let distance = if len >= 9 && !try_known { 2 } else { 1 };
            // Correct a word that matches nothing, or very little next to
            // a close spelling that is common. Corrections are looked up
            // among the words as typed, then taken with all their forms,
            // so `Khomeni` finds `Khomeini` and `Khomeini's`.
            if self.typos != Typos::Off && len >= 5 {
                let mut found: Vec<(String, u64)> = Vec::new();
                let mut typed_near = typos::closest(self.lex.within(exact, distance), exact);
                typed_near.truncate(2 * MAX_CORRECTIONS);
                for (k, _) in typed_near {
                    let kstem = self.an.stem(&k);
                    if kstem != stem && !found.iter().any(|(s, _)| *s == kstem) {
                        let kdf = self.lex.forms(&kstem).df;
                        found.push((kstem, kdf));
                    }
                }
                // And a slip in the ending, which the stemmer may read as
                // another word (`monogamy`, `monogamous`).
                for (kstem, kdf) in typos::closest(self.lex.near_stems(stem, 1), stem) {
                    if !found.iter().any(|(s, _)| *s == kstem) {
                        found.push((kstem, kdf));
                    }
                }
                if try_known {
                    // A known word is corrected only toward one as common,
                    // the commonest first.
                    found.retain(|(_, kdf)| *kdf >= df);
                    found.sort_by_key(|(_, kdf)| std::cmp::Reverse(*kdf));
                }
                found.truncate(MAX_CORRECTIONS);
                let best_df = found.iter().map(|(_, n)| *n).max().unwrap_or(0);
                let correct = if try_known {
                    // A known word is corrected only toward one as common.
                    best_df >= df
                } else {
                    df == 0 || best_df >= 10 * df.max(1)
                };
                if correct {
                    for (k, kdf) in found {
                        if try_known && kdf < df {
                            continue;
                        }
                        if try_known {
                            self.corrected.push((typed.to_string(), k.clone()));
                        }
                        derived.push(Derived {
                            why: format!("'{k}…' for '{typed}' (typo, ×{TYPO_WEIGHT})"),
                            stem: k,
                            df: kdf,
                            weight: TYPO_WEIGHT,
                        });
                    }
                }
            }
            // Suggest whole words as printed (folded), not stems; not for
            // an unfinished last word that already begins indexed words.
            let begins = last_word && !self.lex.starting_with(exact, 1).is_empty();
            if rare && df == 0 && !known_exact && len >= 3 && !begins {
                // A suggestion costs nothing if wrong: look a little further.
                let found =
                    typos::closest(self.lex.within(exact, if len >= 6 { 2 } else { 1 }), exact);
                if !found.is_empty() {
                    self.suggestions.push(Suggestion {
                        word: typed.to_string(),
                        did_you_mean: found
                            .into_iter()
                            .take(MAX_CORRECTIONS)
                            .map(|(k, _)| k)
                            .collect(),
                    });
                }
            }
        }
        if last_word && !known_exact && !has_digit && len >= 3 {
            // The words a reader is likely typing: the commonest completions.
            for (k, kdf) in self.lex.starting_with(exact, MAX_COMPLETIONS) {
                let kstem = self.an.stem(&k);
                if kstem == stem || derived.iter().any(|d| d.stem == kstem) {
                    continue;
                }
                let sdf = self.lex.forms(&kstem).df.max(kdf);
                derived.push(Derived {
                    why: format!("'{k}' completing '{typed}' (×{PREFIX_WEIGHT})"),
                    stem: kstem,
                    df: sdf,
                    weight: PREFIX_WEIGHT,
                });
            }
        }
        // All derivations share the IDF of the commonest form (the word
        // itself included): the rarest is no longer the best-scoring.
        let n = self.lex.num_docs();
        let shared = derived.iter().map(|d| d.df).max().unwrap_or(0).max(df);
        // An unfinished word that is no word as typed matches its own stem
        // only by accident of the stemmer (`photosynth` is the stem of
        // "photosynthates"): one more completion, not the word meant.
        let completing = derived.iter().any(|d| d.weight == PREFIX_WEIGHT) && !known_exact;
        let own = if completing && df > 0 {
            PREFIX_WEIGHT * idf(shared, n) / idf(df, n)
        } else {
            1.0
        };
        let scope = if is_function_word(exact) {
            Scope::Function
        } else {
            Scope::All
        };
        let mut clause = WordClause {
            lazy: alts,
            lists: Vec::new(),
        };
        self.fields_of(&forms, stem, own, &format!("'{typed}'"), scope, &mut clause);
        for d in derived {
            let blend = if d.df > 0 {
                idf(shared, n) / idf(d.df, n)
            } else {
                1.0
            };
            let hl = idf(shared.max(1), n) * d.weight;
            let forms = self.lex.forms(&d.stem);
            self.fields_of(
                &forms,
                &d.stem,
                d.weight * blend,
                &d.why,
                Scope::Derived,
                &mut clause,
            );
            self.pattern(Pattern::Stem(d.stem), hl);
        }
        clause.query()
    }

    /// The query of an excluded atom: the word in any form, in the text or
    /// the headings (`war -war` is empty, not the passages under a heading
    /// holding "war"), or the phrase.
    fn excluded(&mut self, atom: &Atom) -> Option<Box<dyn TQuery>> {
        let f = self.f;
        match atom {
            Atom::Word(w) => {
                let words = self.an.words(w);
                match words.len() {
                    0 => None,
                    1 => {
                        let forms = self.lex.forms(&words[0].stem);
                        let st = self.stats;
                        let heading =
                            Words::new(f.heading, &forms.words, st.headings, Only::Sections);
                        Some(boxed(BooleanQuery::new(vec![
                            (
                                Occur::Should,
                                boxed(Words::new(f.text, &forms.words, st.text, Only::Any)),
                            ),
                            (
                                Occur::Should,
                                boxed(SectionText::new(
                                    &[f.text, f.heading, f.title],
                                    &forms.words,
                                    st.sections,
                                )),
                            ),
                            (Occur::Should, boxed(heading.clone())),
                            (
                                Occur::Should,
                                boxed(Inherit::new(boxed(heading), Heirs::Paragraphs)),
                            ),
                        ])))
                    }
                    _ => {
                        let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
                        Some(phrase_or_term(f.text, &terms, 0))
                    }
                }
            }
            Atom::Phrase { text, slop } => {
                let terms = self.an.exact_terms(text);
                (!terms.is_empty()).then(|| phrase_or_term(f.text, &terms, *slop))
            }
            Atom::Prefix(p) => {
                let last = self.an.exact_terms(p).pop()?;
                Some(boxed(tantivy::query::FuzzyTermQuery::new_prefix(
                    Term::from_field_text(f.text, &last),
                    0,
                    true,
                )))
            }
        }
    }
}

/// The lead of an article whose title holds every content word (a lead's
/// title is only on the lead), scored by the words' rarity among titles;
/// `None` when a content clause is not a plain word.
fn lead_bonus(p: &mut Planner<'_>, content: &[&Clause], rarity: f32) -> Option<Box<dyn TQuery>> {
    let mut must: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for c in content {
        let forms = p.lex.forms(c.stem.as_deref()?);
        let title = Words::new(p.f.title, &forms.words, p.stats.titles, Only::Sections);
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
fn complete_gate(q: &Query, p: &mut Planner<'_>) -> Box<dyn TQuery> {
    let f = p.f;
    let mut words: Vec<String> = Vec::new();
    for atom in q.clauses.iter().flatten() {
        let text = match atom {
            Atom::Word(t) | Atom::Prefix(t) | Atom::Phrase { text: t, .. } => t,
        };
        for w in p.an.words(text) {
            // "and" in "History and overview" says nothing of its topic.
            if !p.an.is_stop_word(&w.exact) && !is_function_word(&w.exact) {
                for form in p.lex.forms(&w.stem).words {
                    if !words.contains(&form) {
                        words.push(form);
                    }
                }
            }
        }
    }
    // A heading's words are only on sections, a title's only on leads.
    let heading = Words::new(f.heading, &words, p.stats.headings, Only::Sections);
    let title = Words::new(f.title, &words, p.stats.titles, Only::Sections);
    boxed(ConstScoreQuery::new(
        boxed(BooleanQuery::new(vec![
            (Occur::Should, kind_is(f, DocKind::Paragraph)),
            (Occur::Should, boxed(heading)),
            (Occur::Should, boxed(title)),
        ])),
        0.0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;

    /// A lexicon from a table of folded words and the paragraphs holding
    /// each (none holding two).
    struct Table {
        fields: Fields,
        words: Vec<(String, u64)>,
    }

    impl Table {
        fn new(rows: &[(&str, u64)]) -> Table {
            let (_, fields) = schema();
            let words = rows.iter().map(|(t, n)| (t.to_string(), *n)).collect();
            Table { fields, words }
        }
    }

    impl Lexicon for Table {
        fn forms(&self, stem: &str) -> Forms {
            let mut an = Analyzer::default();
            let found: Vec<&(String, u64)> = self
                .words
                .iter()
                .filter(|(w, _)| an.stem(w) == stem)
                .collect();
            Forms {
                words: if found.is_empty() {
                    vec![stem.to_string()]
                } else {
                    found.iter().map(|(w, _)| w.clone()).collect()
                },
                df: found.iter().map(|(_, n)| n).sum(),
            }
        }
        fn word_freq(&self, word: &str) -> u64 {
            self.words
                .iter()
                .find(|(w, _)| w == word)
                .map_or(0, |r| r.1)
        }
        fn num_docs(&self) -> u64 {
            1000
        }
        fn title_freq(&self, _: &[String]) -> u64 {
            0
        }
        fn num_articles(&self) -> u64 {
            100
        }
        fn within(&self, word: &str, distance: u8) -> Vec<(String, u64)> {
            self.words
                .iter()
                .filter(|(t, _)| t != word && typos::edit_distance(t, word) <= distance as usize)
                .cloned()
                .collect()
        }
        fn starting_with(&self, prefix: &str, max: usize) -> Vec<(String, u64)> {
            let mut v: Vec<(String, u64)> = self
                .words
                .iter()
                .filter(|(t, _)| t != prefix && t.starts_with(prefix))
                .cloned()
                .collect();
            v.sort_by_key(|(t, n)| (std::cmp::Reverse(*n), t.clone()));
            v.truncate(max);
            v
        }
        fn near_stems(&self, stem: &str, distance: usize) -> Vec<(String, u64)> {
            let mut an = Analyzer::default();
            let mut out: Vec<(String, u64)> = Vec::new();
            for (w, _) in &self.words {
                let s = an.stem(w);
                if s != stem
                    && typos::edit_distance(&s, stem) <= distance
                    && !out.iter().any(|(x, _)| *x == s)
                {
                    let df = self.forms(&s).df;
                    out.push((s, df));
                }
            }
            out
        }
        fn stats(&self) -> IndexStats {
            let st = crate::search::scoring::Stats::new(1000, 20_000);
            IndexStats {
                text: st,
                sections: st,
                headings: st,
                context: st,
                titles: st,
                inherited_titles: st,
            }
        }
    }

    fn plan(table: &Table, input: &str, typos: Typos) -> Plan {
        let q = Query::parse(input).expect("parses");
        Plan::new(&q, &table.fields, &mut Analyzer::default(), table, typos).expect("plans")
    }

    fn labels(p: &Plan) -> Vec<&str> {
        p.parts.iter().map(|(l, _)| l.as_str()).collect()
    }

    #[test]
    fn function_words_are_not_required() {
        let t = Table::new(&[("capital", 50), ("australia", 80)]);
        let p = plan(&t, "what is the capital of australia", Typos::Unknown);
        let shown = format!("{:?}", p.all);
        // Two content words required (Must), the function words optional.
        assert!(shown.matches("Must").count() >= 2, "{shown}");
        // And never marked in a snippet.
        assert_eq!(
            p.patterns,
            vec![
                Pattern::Stem("capit".into()),
                Pattern::Stem("australia".into())
            ]
        );
        assert!(p.weights.iter().all(|w| *w > 1.0), "{:?}", p.weights);
        // A query of function words only keeps them.
        let p = plan(&t, "the who", Typos::Unknown);
        assert_eq!(p.patterns.len(), 2);
    }

    #[test]
    fn completions_are_the_commonest_and_share_one_idf() {
        let t = Table::new(&[("photosynthesis", 172), ("photosynthates", 1)]);
        let p = plan(&t, "photosynth", Typos::Unknown);
        let l = labels(&p);
        assert!(
            l.iter().any(|l| l.contains("'photosynthesis' completing")),
            "{l:?}"
        );
        // photosynthates is a completion too, but scored with the IDF of
        // photosynthesis, not its own (which would be the highest).
        let pos = |s: &str| {
            p.patterns
                .iter()
                .position(|x| x == &Pattern::Stem(s.into()))
        };
        let common = pos("photosynthesi").expect("a pattern");
        assert!(p.weights[common] > 0.0);
    }

    #[test]
    fn spelling_variants_are_added_when_the_index_knows_them() {
        let t = Table::new(&[("color", 40), ("colour", 10)]);
        let p = plan(&t, "colour", Typos::Unknown);
        assert!(
            labels(&p).iter().any(|l| l.contains("another spelling")),
            "{:?}",
            labels(&p)
        );
        let t = Table::new(&[("colour", 10)]);
        let p = plan(&t, "colour", Typos::Unknown);
        assert!(
            !labels(&p).iter().any(|l| l.contains("another spelling")),
            "{:?}",
            labels(&p)
        );
    }

    #[test]
    fn known_words_are_corrected_only_on_the_second_try_and_toward_commoner_ones() {
        let t = Table::new(&[("curry", 30), ("curie", 90), ("curra", 5), ("marie", 500)]);
        let first = plan(&t, "marie curry", Typos::Unknown);
        assert!(first.corrected.is_empty());
        let second = plan(&t, "marie curry", Typos::KnownToo);
        assert_eq!(
            second.corrected,
            vec![("curry".to_string(), "curi".to_string())]
        );
        let off = plan(&t, "marie curry", Typos::Off);
        assert!(off.corrected.is_empty());
    }

    #[test]
    fn a_word_excluded_is_excluded_from_the_headings_too() {
        let t = Table::new(&[("war", 500)]);
        let p = plan(&t, "war -war", Typos::Unknown);
        let shown = format!("{:?}", p.all);
        assert!(shown.contains("MustNot"), "{shown}");
    }
}
