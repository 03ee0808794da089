//! Planning: a parsed [`Query`] becomes the tantivy queries that rank it and
//! the patterns that highlight it.
//!
//! The step is pure: what it needs to know of the index (how common a word
//! is, which indexed words are close to a typed one) it asks a [`Lexicon`],
//! so it is unit-tested with a table of words instead of an index.
//!
//! Each clause of the query (a word, or words joined by `OR`) is planned
//! atom by atom ([`word`]), each atom on its own; the clauses then make the
//! tiers of the ranking ([`tiers`]), restricted by the query's filters and
//! exclusions. How much each part counts is in [`weights`].

mod function_words;
mod tiers;
mod weights;
mod word;

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TQuery};

pub(crate) use function_words::is_function_word;
pub(crate) use weights::SECTION_TEXT_WEIGHT;

use super::exclusion::exclusion;
use super::filters::{compile_filters, CompiledFilter};
use super::lexicon::Lexicon;
use super::queries::boxed;
use super::typos::Suggestion;
use crate::error::Result;
use crate::highlight::Pattern;
use crate::index::Fields;
use crate::query::{Atom, Query, QueryError};
use crate::text::Analyzer;
use tiers::{Clause, Tiers};
use weights::{title_idf, FUNCTION_WORD_WEIGHT, LEAD_BOOST, WHEN_YEAR_BONUS};
use word::Context;

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
    ///
    /// [`coverage::STEP`]: super::coverage::STEP
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
    /// The query's filters, compiled: the tiers are restricted by them, and
    /// the search says which of them nothing satisfies.
    pub filters: Vec<CompiledFilter>,
    /// The stems of the query's content words, each with its rarity (IDF
    /// in the text): what a section about the query has in its headings.
    pub topic: Vec<(String, f32)>,
    /// The content words as typed (folded), in query order.
    pub content_words: Vec<String>,
}

/// The query with each word that is in no passage, in no form, replaced by
/// the closest indexed word (as a search engine's "showing results for"),
/// when one is a slip away; `None` when nothing was replaced. Every later
/// step (tiers, the lead's title, the gate, snippets) then reads the word
/// meant. The suggestions say what was replaced and what else was close.
fn replace_unknown_words(
    q: &Query,
    cx: &mut Context<'_>,
    suggestions: &mut Vec<Suggestion>,
) -> Option<Query> {
    let mut out = q.clone();
    let mut replaced = false;
    let last = q.clauses.len().saturating_sub(1);
    for (ci, group) in out.clauses.iter_mut().enumerate() {
        let n = group.len();
        for (ai, atom) in group.iter_mut().enumerate() {
            let Atom::Word(typed) = atom else { continue };
            let words = cx.an.words(typed);
            let [one] = words.as_slice() else { continue };
            let last_word = ci == last && ai + 1 == n;
            if let Some((instead, close)) = word::replacement(cx, &one.exact, &one.stem, last_word)
            {
                suggestions.push(Suggestion {
                    word: typed.clone(),
                    did_you_mean: close,
                    searched_for: Some(instead.clone()),
                });
                *typed = instead;
                replaced = true;
            }
        }
    }
    replaced.then_some(out)
}

/// Passages that name a year, scored [`WHEN_YEAR_BONUS`].
fn names_a_year(f: &Fields) -> Box<dyn TQuery> {
    use std::ops::Bound;
    use tantivy::query::RangeQuery;
    use tantivy::Term;
    let any = RangeQuery::new(
        Bound::Included(Term::from_field_i64(f.years, i64::from(i32::MIN))),
        Bound::Included(Term::from_field_i64(f.years, i64::from(i32::MAX))),
    );
    boxed(ConstScoreQuery::new(boxed(any), WHEN_YEAR_BONUS))
}

impl Plan {
    pub(crate) fn new(
        q: &Query,
        f: &Fields,
        an: &mut Analyzer,
        lex: &dyn Lexicon,
        typos: Typos,
        expand: bool,
    ) -> Result<Plan> {
        let mut cx = Context {
            f,
            an,
            lex,
            stats: lex.stats(),
            typos,
            expand,
            lookups: 0,
        };
        let mut suggestions: Vec<Suggestion> = Vec::new();
        let replaced = replace_unknown_words(q, &mut cx, &mut suggestions);
        let q = replaced.as_ref().unwrap_or(q);
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut weights: Vec<f32> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut parts: Vec<(String, Box<dyn TQuery>)> = Vec::new();
        let mut corrected: Vec<(String, String)> = Vec::new();
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
            let mut expanded: Vec<Box<dyn TQuery>> = Vec::new();
            let mut function = true;
            let (stem, exact) = match group.as_slice() {
                [Atom::Word(w)] => match cx.an.words(w).as_slice() {
                    [one] => (Some(one.stem.clone()), Some(one.exact.clone())),
                    _ => (None, None),
                },
                _ => (None, None),
            };
            for (ai, atom) in group.iter().enumerate() {
                // The last word typed may be unfinished (search as you type).
                let last_word = ci == last_clause && ai + 1 == group.len();
                function &= word::is_function_atom(cx.an, atom);
                let planned = word::atom(&mut cx, atom, last_word);
                for (pattern, weight) in planned.patterns {
                    patterns.push(pattern);
                    weights.push(weight);
                }
                parts.extend(planned.parts);
                notes.extend(planned.notes);
                suggestions.extend(planned.suggestion);
                corrected.extend(planned.corrected);
                expanded.extend(planned.expanded);
                match planned.query {
                    Some(query) => alts.push(query),
                    None => notes.push(format!("{atom} has no letters or digits and was ignored")),
                }
            }
            let query = match alts.len() {
                0 => continue,
                1 => alts.pop().expect("one"),
                _ => boxed(BooleanQuery::new(
                    alts.into_iter().map(|q| (Occur::Should, q)).collect(),
                )),
            };
            let df = stem.as_ref().map_or(0, |s| lex.forms(s).df);
            let expanded = match expanded.len() {
                0 => None,
                1 => expanded.pop(),
                _ => Some(boxed(BooleanQuery::new(
                    expanded.into_iter().map(|q| (Occur::Should, q)).collect(),
                ))),
            };
            clauses.push(Clause {
                query,
                expanded,
                function,
                exact,
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
        let filters = compile_filters(q, f, cx.an, lex)?;
        let mut restrictions: Vec<(Occur, Box<dyn TQuery>)> = filters
            .iter()
            .map(|c| {
                if c.excluded {
                    (Occur::MustNot, exclusion(c.query.box_clone()))
                } else {
                    let only = ConstScoreQuery::new(c.query.box_clone(), 0.0);
                    (Occur::Must, boxed(only))
                }
            })
            .collect();
        for atom in &q.excluded {
            if let Some(query) = word::excluded(&mut cx, atom) {
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
        let n = clauses.len();
        // Function words are required only when there is nothing else.
        let all_function = clauses.iter().all(|c| c.function);
        if !all_function {
            // Function words are never what a snippet marks (`[the]`
            // everywhere) unless the query holds nothing else.
            let keep: Vec<bool> = weights
                .iter()
                .zip(&patterns)
                .map(|(w, pat)| !(matches!(pat, Pattern::Stem(_)) && *w == FUNCTION_WORD_WEIGHT))
                .collect();
            let mut k = keep.iter();
            patterns.retain(|_| *k.next().unwrap_or(&true));
            let mut k = keep.iter();
            weights.retain(|_| *k.next().unwrap_or(&true));
        }
        let (content, mut function): (Vec<&Clause>, Vec<&Clause>) =
            clauses.iter().partition(|c| all_function || !c.function);
        // A question's shape says what kind of answer it wants: "when did
        // ..." is answered by a passage that names a year. Such passages
        // score a little more; none is required to.
        let asks_when = !all_function && clauses.iter().any(|c| c.exact.as_deref() == Some("when"));
        let when = asks_when.then(|| {
            parts.push((
                format!("'when': the passage names a year (+{WHEN_YEAR_BONUS})"),
                names_a_year(f),
            ));
            Clause {
                query: names_a_year(f),
                expanded: None,
                function: true,
                exact: None,
                stem: None,
                df: 0,
            }
        });
        function.extend(when.as_ref());
        let gate = (n > 1).then(|| tiers::complete_gate(q, f, cx.an, lex, cx.stats));
        let rarities: Vec<f32> = content
            .iter()
            .map(|c| c.stem.as_deref().map_or(0.0, |s| title_idf(lex, s)))
            .collect();
        let lead = tiers::lead_bonus(f, lex, cx.stats, &content, rarities.iter().sum());
        if let Some(l) = &lead {
            parts.push((
                format!("the article's title holds every word: its lead (×{LEAD_BOOST})"),
                l.box_clone(),
            ));
        }
        // A question after a fact ("what temperature …", "how many …") is
        // answered by the paragraph stating it, never by a section however
        // well its heading matches; "why" and "how" may ask for a section.
        let words: Vec<&str> = clauses.iter().filter_map(|c| c.exact.as_deref()).collect();
        let asks_fact = match words.as_slice() {
            ["what" | "which" | "who" | "whom" | "whose" | "when" | "where", ..] => true,
            ["how", next, ..] => matches!(
                *next,
                "many" | "much" | "long" | "old" | "far" | "big" | "tall" | "large" | "often"
            ),
            _ => false,
        };
        let content_words: Vec<String> = content.iter().filter_map(|c| c.exact.clone()).collect();
        let topic: Vec<(String, f32)> = content
            .iter()
            .filter(|_| !asks_fact)
            .filter_map(|c| {
                let (exact, stem) = (c.exact.as_deref()?, c.stem.as_deref()?);
                Some((stem.to_string(), weights::weight_of(lex, exact, stem)))
            })
            .collect();
        let Tiers { all, between, any } =
            Tiers::new(&content, &function, lead, gate, &restrictions, f);
        Ok(Plan {
            all,
            words: content.len(),
            between,
            any,
            patterns,
            weights,
            notes,
            parts,
            suggestions,
            corrected,
            filters,
            topic,
            content_words,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;
    use crate::search::lexicon::{Forms, IndexStats};
    use crate::search::typos;

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
        Plan::new(
            &q,
            &table.fields,
            &mut Analyzer::default(),
            table,
            typos,
            true,
        )
        .expect("plans")
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
