//! Planning one atom of a query (a word, a phrase, a prefix) on its own:
//! its query, the patterns that mark it in a snippet, the named parts
//! `--explain` shows, and what was learnt on the way (a close indexed word
//! to suggest, a known word corrected, a note). All of it comes back as one
//! [`PlannedWord`], which the plan merges in query order.
//!
//! A plain word is looked for in several places (the text, the headings,
//! the title, exactly as typed) and with its derivations: other spellings,
//! typo corrections, completions of an unfinished last word. Derivations
//! share one IDF, the commonest form's, so a rare derivation never outranks
//! the word meant (Lucene's blended synonym scoring does the same).

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery,
    Query as TQuery,
};
use tantivy::Term;

use super::function_words::is_function_word;
use super::weights::{
    idf, title_idf, weight_of, CONTEXT_BOOST, DERIVED_WEIGHT, EXACT_BONUS, EXPAND_RARER_THAN,
    EXPANSION_WEIGHT, LEAD_WORD_BOOST, MIN_EXPANDED_DF, PREFIX_WEIGHT, SECTION_TEXT_WEIGHT,
    TITLE_BOOST, TOPIC_BOOST, TYPO_WEIGHT, VARIANT_WEIGHT,
};
use super::Typos;
use crate::highlight::Pattern;
use crate::index::Fields;
use crate::limits::{MAX_COMPLETIONS, MAX_CORRECTIONS, MAX_EXPANSIONS, MAX_TYPO_WORDS};
use crate::query::Atom;
use crate::search::lexicon::{Forms, IndexStats, Lexicon};
use crate::search::queries::{boxed, phrase_or_term};
use crate::search::scoring::{
    Heirs, Inherit, InheritedWords, Length, Only, SectionText, Summed, Words,
};
use crate::search::thesaurus;
use crate::search::typos::{self, Suggestion};
use crate::text::Analyzer;

/// What planning a word reads (the index's words and statistics, how to
/// analyze text, which typos to try) and the one thing the words of a
/// query share: the budget of typo lookups.
pub(super) struct Context<'a> {
    pub f: &'a Fields,
    pub an: &'a mut Analyzer,
    pub lex: &'a dyn Lexicon,
    pub stats: IndexStats,
    pub typos: Typos,
    /// Whether words are expanded to their synonyms (not with `--no-expand`).
    pub expand: bool,
    /// Rare words looked up for typos and suggestions so far (each a walk
    /// of the term dictionaries), bounded by [`MAX_TYPO_WORDS`].
    pub lookups: usize,
}

/// One atom, planned.
#[derive(Default)]
pub(super) struct PlannedWord {
    /// Its query; `None` if it holds no word.
    pub query: Option<Box<dyn TQuery>>,
    /// Its synonyms' query, which counts only where the word itself is
    /// missing; `None` without synonyms the index holds.
    pub expanded: Option<Box<dyn TQuery>>,
    /// What to mark in the text, each with how much it says about the
    /// query (for choosing the snippet window).
    pub patterns: Vec<(Pattern, f32)>,
    /// Named parts of its query, for `--explain`.
    pub parts: Vec<(String, Box<dyn TQuery>)>,
    /// Close indexed words, when the index does not know it.
    pub suggestion: Option<Suggestion>,
    /// Known words corrected (`curry` -> `curie`), with `Typos::KnownToo`.
    pub corrected: Vec<(String, String)>,
    /// How it was read, when that is worth saying.
    pub notes: Vec<String>,
}

impl PlannedWord {
    fn pattern(&mut self, pattern: Pattern, weight: f32) {
        self.patterns.push((pattern, weight));
    }
}

/// Whether an atom is made only of function words.
pub(super) fn is_function_atom(an: &mut Analyzer, atom: &Atom) -> bool {
    match atom {
        Atom::Word(w) => {
            let words = an.words(w);
            !words.is_empty() && words.iter().all(|w| is_function_word(&w.exact))
        }
        _ => false,
    }
}

/// A clause atom, planned; `last_word` when it is the last thing typed
/// (which may be unfinished).
pub(super) fn atom(cx: &mut Context<'_>, atom: &Atom, last_word: bool) -> PlannedWord {
    let mut out = PlannedWord::default();
    let query = atom_query(cx, atom, last_word, &mut out);
    PlannedWord { query, ..out }
}

/// The query of a clause atom, adding its patterns and parts to `out`;
/// `None` if it holds no word.
fn atom_query(
    cx: &mut Context<'_>,
    atom: &Atom,
    last_word: bool,
    out: &mut PlannedWord,
) -> Option<Box<dyn TQuery>> {
    let f = cx.f;
    match atom {
        Atom::Word(w) => {
            let words = cx.an.words(w);
            match words.len() {
                0 => None,
                1 => Some(word(cx, w, &words[0].exact, &words[0].stem, last_word, out)),
                _ => {
                    // `Iran-Iraq` or `al-Assad`: the parts must stand together.
                    let weight = words
                        .iter()
                        .map(|w| weight_of(cx.lex, &w.exact, &w.stem))
                        .sum();
                    let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
                    let q = phrase_or_term(f.text, &terms, 0);
                    out.parts
                        .push((format!("'{w}' as a phrase"), q.box_clone()));
                    out.pattern(Pattern::Phrase { terms, slop: 0 }, weight);
                    Some(q)
                }
            }
        }
        Atom::Phrase { text, slop } => {
            let words = cx.an.words(text);
            let weight = words
                .iter()
                .map(|w| weight_of(cx.lex, &w.exact, &w.stem))
                .sum();
            let terms: Vec<String> = words.into_iter().map(|w| w.exact).collect();
            let q = match terms.len() {
                0 => return None,
                1 => {
                    out.pattern(Pattern::Exact(terms[0].clone()), weight);
                    exact_word(cx, &terms[0])
                }
                _ => {
                    out.pattern(
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
            out.parts
                .push((format!("phrase \"{text}\"{slop_note}"), q.box_clone()));
            Some(q)
        }
        Atom::Prefix(p) => {
            let mut terms = cx.an.exact_terms(p);
            let last = terms.pop()?;
            let q: Box<dyn TQuery> = if terms.is_empty() {
                boxed(FuzzyTermQuery::new_prefix(
                    Term::from_field_text(f.text, &last),
                    0,
                    true,
                ))
            } else {
                for t in &terms {
                    let stem = cx.an.stem(t);
                    let w = weight_of(cx.lex, t, &stem);
                    out.pattern(Pattern::Exact(t.clone()), w);
                }
                terms.push(last.clone());
                boxed(PhrasePrefixQuery::new(
                    terms
                        .iter()
                        .map(|t| Term::from_field_text(f.text, t))
                        .collect(),
                ))
            };
            out.pattern(Pattern::Prefix(last), 1.0);
            out.parts
                .push((format!("words starting with '{p}'"), q.box_clone()));
            Some(q)
        }
    }
}

/// The query of an excluded atom: the word in any form, in the text or
/// the headings (`war -war` is empty, not the passages under a heading
/// holding "war"), or the phrase.
pub(super) fn excluded(cx: &mut Context<'_>, atom: &Atom) -> Option<Box<dyn TQuery>> {
    let f = cx.f;
    match atom {
        Atom::Word(w) => {
            let words = cx.an.words(w);
            match words.len() {
                0 => None,
                1 => {
                    let forms = cx.lex.forms(&words[0].stem);
                    let st = cx.stats;
                    let heading = Words::new(f.heading, &forms.words, st.headings, Only::Sections);
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
            let terms = cx.an.exact_terms(text);
            (!terms.is_empty()).then(|| phrase_or_term(f.text, &terms, *slop))
        }
        Atom::Prefix(p) => {
            let last = cx.an.exact_terms(p).pop()?;
            Some(boxed(FuzzyTermQuery::new_prefix(
                Term::from_field_text(f.text, &last),
                0,
                true,
            )))
        }
    }
}

/// A folded word exactly as typed, in the text.
fn exact_word(cx: &Context<'_>, word: &str) -> Box<dyn TQuery> {
    boxed(Words::new(
        cx.f.text,
        &[word.to_string()],
        cx.stats.text,
        Only::Any,
    ))
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

/// The queries of one word's clause: the text, walked lazily (a rare word
/// beside it skips most of it), and the rest (sections, headings, what
/// documents inherit), lists made once per search and summed into one;
/// and each of them named, for `--explain`.
#[derive(Default)]
struct WordClause {
    lazy: Vec<(Occur, Box<dyn TQuery>)>,
    lists: Vec<Box<dyn TQuery>>,
    parts: Vec<(String, Box<dyn TQuery>)>,
}

impl WordClause {
    /// The clause's query; its named parts go to `out`.
    fn finish(mut self, out: &mut PlannedWord) -> Box<dyn TQuery> {
        out.parts.append(&mut self.parts);
        if !self.lists.is_empty() {
            self.lazy
                .push((Occur::Should, boxed(Summed::new(self.lists))));
        }
        boxed(BooleanQuery::new(self.lazy))
    }
}

/// The places a word (in any of its `forms`) is looked for, each with
/// its weight, as the named parts of `--explain`: the text of a
/// paragraph, of a section, a section's heading, the headings above a
/// paragraph, the article's title.
fn fields_of(
    cx: &Context<'_>,
    forms: &Forms,
    stem: &str,
    weight: f32,
    label: &str,
    scope: Scope,
    out: &mut WordClause,
) {
    let f = cx.f;
    let st = cx.stats;
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
        out.parts.push((format!("{label} {where_}"), q.box_clone()));
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
    let rarity = title_idf(cx.lex, stem);
    let lead_word = boxed(ConstScoreQuery::new(boxed(title()), rarity));
    let q = scaled(lead_word, LEAD_WORD_BOOST * weight);
    out.parts.push((
        format!("{label} in the title of the lead (×{LEAD_WORD_BOOST})"),
        q.box_clone(),
    ));
    out.lists.push(q);
}

/// A single word as typed, and what the index knows of it.
struct Typed<'w> {
    /// As typed.
    typed: &'w str,
    /// Folded.
    exact: &'w str,
    stem: &'w str,
    /// Paragraphs holding it in any form.
    df: u64,
    /// Whether the index holds it exactly as typed.
    known_exact: bool,
    has_digit: bool,
    /// Its length in characters.
    len: usize,
    /// Whether it is the last word typed (perhaps unfinished).
    last_word: bool,
}

/// One derivation of a typed word, to be added to its clause.
struct Derived {
    stem: String,
    df: u64,
    weight: f32,
    why: String,
}

/// A single word: its stem in the text, the headings and the title, its
/// exact form as a bonus, and its derivations: other spellings, close
/// spellings when the index barely knows it, and completions when it is
/// the last word typed.
fn word(
    cx: &mut Context<'_>,
    typed: &str,
    exact: &str,
    stem: &str,
    last_word: bool,
    out: &mut PlannedWord,
) -> Box<dyn TQuery> {
    let mut clause = WordClause::default();
    let q = boxed(BoostQuery::new(exact_word(cx, exact), EXACT_BONUS));
    clause.parts.push((
        format!("'{typed}' in exactly this form (×{EXACT_BONUS})"),
        q.box_clone(),
    ));
    clause.lazy.push((Occur::Should, q));
    // A function word is looked for as typed: its forms would cost a
    // walk of the dictionary for nothing (`the`, `be`).
    let forms = if is_function_word(exact) {
        Forms {
            words: vec![exact.to_string()],
            df: cx.lex.word_freq(exact),
        }
    } else {
        cx.lex.forms(stem)
    };
    let df = forms.df;
    // The exact form outranks its derivations: when the word typed is in
    // the index, the forms that share only its stem (`quixote` for
    // `quixotical`) weigh as derived words, and only the word and its
    // inflections count in titles.
    let (forms, farther) = split_derivations(cx.lex, exact, forms);
    out.pattern(
        Pattern::Stem(stem.to_string()),
        weight_of(cx.lex, exact, stem),
    );
    let w = Typed {
        typed,
        exact,
        stem,
        df,
        known_exact: cx.lex.word_freq(exact) > 0,
        has_digit: exact.bytes().any(|b| b.is_ascii_digit()),
        len: exact.chars().count(),
        last_word,
    };

    let mut derived: Vec<Derived> = Vec::new();
    variants(cx, &w, &mut derived);
    close_spellings(cx, &w, &mut derived, out);
    completions(cx, &w, &mut derived);

    // All derivations share the IDF of the commonest form (the word
    // itself included): the rarest is no longer the best-scoring.
    let n = cx.lex.num_docs();
    let shared = derived.iter().map(|d| d.df).max().unwrap_or(0).max(df);
    // An unfinished word that is no word as typed matches its own stem
    // only by accident of the stemmer (`photosynth` is the stem of
    // "photosynthates"): one more completion, not the word meant.
    let completing = derived.iter().any(|d| d.weight == PREFIX_WEIGHT) && !w.known_exact;
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
    fields_of(
        cx,
        &forms,
        stem,
        own,
        &format!("'{typed}'"),
        scope,
        &mut clause,
    );
    if !farther.is_empty() {
        fields_of(
            cx,
            &Forms {
                words: farther,
                df: forms.df,
            },
            stem,
            DERIVED_WEIGHT * own,
            &format!("other words from the stem of '{typed}' (×{DERIVED_WEIGHT})"),
            Scope::Derived,
            &mut clause,
        );
    }
    let taken: Vec<String> = derived.iter().map(|d| d.stem.clone()).collect();
    if scope == Scope::All && !w.has_digit && !completing {
        out.expanded = expansions(cx, &w, &taken, out);
    }
    for d in derived {
        let blend = if d.df > 0 {
            idf(shared, n) / idf(d.df, n)
        } else {
            1.0
        };
        let hl = idf(shared.max(1), n) * d.weight;
        let forms = cx.lex.forms(&d.stem);
        fields_of(
            cx,
            &forms,
            &d.stem,
            d.weight * blend,
            &d.why,
            Scope::Derived,
            &mut clause,
        );
        out.pattern(Pattern::Stem(d.stem), hl);
    }
    clause.finish(out)
}

/// The query of a rare word's synonyms that the index holds (at most
/// [`MAX_EXPANSIONS`], WordNet's commonest senses first), each weighed
/// [`EXPANSION_WEIGHT`] and never above the word typed, nor above its own
/// rarity; `None` when it has none. Forms already searched for the word
/// (`taken`, its own stem) are not synonyms.
fn expansions(
    cx: &mut Context<'_>,
    w: &Typed<'_>,
    taken: &[String],
    out: &mut PlannedWord,
) -> Option<Box<dyn TQuery>> {
    if !cx.expand {
        return None;
    }
    // A common word's synonyms are as common, in as many senses: noise
    // that outvoted the words typed ("claimed", "night").
    if w.df > (cx.lex.num_docs() / EXPAND_RARER_THAN).max(MIN_EXPANDED_DF) {
        return None;
    }
    let n = cx.lex.num_docs();
    let mut clause = WordClause::default();
    let mut found = 0;
    for syn in thesaurus::synonyms(w.exact) {
        if found == MAX_EXPANSIONS {
            break;
        }
        let stem = cx.an.stem(syn);
        if stem == w.stem || taken.contains(&stem) || is_function_word(syn) {
            continue;
        }
        let forms = cx.lex.forms(&stem);
        if forms.df == 0 {
            continue;
        }
        found += 1;
        let blend = if w.df > 0 {
            (idf(w.df, n) / idf(forms.df, n)).min(1.0)
        } else {
            1.0
        };
        fields_of(
            cx,
            &forms,
            &stem,
            EXPANSION_WEIGHT * blend,
            &format!(
                "'{syn}' (a synonym of '{}', ×{EXPANSION_WEIGHT}, only where the word is missing)",
                w.typed
            ),
            Scope::Derived,
            &mut clause,
        );
        out.pattern(
            Pattern::Stem(stem),
            idf(forms.df.max(1), n) * EXPANSION_WEIGHT,
        );
    }
    (found > 0).then(|| clause.finish(out))
}

/// `forms` (of the stem of `exact`) split into the word and its
/// inflections, and the other words sharing its stem, when `exact` itself
/// is indexed; all of them and none otherwise (a word typed in no form of
/// its own is looked for in every form of its stem). Both keep the
/// stem's document frequency: they share one IDF.
pub(super) fn split_derivations(
    lex: &dyn Lexicon,
    exact: &str,
    forms: Forms,
) -> (Forms, Vec<String>) {
    if forms.words.len() < 2 || lex.word_freq(exact) == 0 {
        return (forms, Vec::new());
    }
    let (near, far): (Vec<String>, Vec<String>) = forms
        .words
        .into_iter()
        .partition(|f| inflection_of(exact, f));
    (
        Forms {
            words: near,
            df: forms.df,
        },
        far,
    )
}

/// Whether `form` is `word` or an inflection of it, or `word` of `form`:
/// the two differ only by inflectional endings after what they share
/// (`relation`, `relations`; `adopt`, `adopted`, `adopting`; `study`,
/// `studies`; `run`, `running`). A derivation that shares the stem
/// (`quixote`, `quixotical`; `nation`, `national`) is not.
pub(super) fn inflection_of(word: &str, form: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "", "s", "es", "e", "ed", "d", "ing", "y", "ies", "ied", "ier", "iest", "er", "ers", "est",
        "'s", "s'",
    ];
    let mut common = word
        .bytes()
        .zip(form.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !word.is_char_boundary(common) {
        common -= 1;
    }
    // A consonant doubled before the ending (`running`) is part of it.
    let last = common.checked_sub(1).map(|i| word.as_bytes()[i]);
    let inflectional = |rest: &str| {
        ENDINGS.contains(&rest)
            || (last.is_some_and(|b| b.is_ascii_alphabetic())
                && rest.as_bytes().first().copied() == last
                && ENDINGS.contains(&&rest[1..]))
    };
    inflectional(&word[common..]) && inflectional(&form[common..])
}

/// The indexed word to search for instead of `exact` when `exact`, in
/// none of its forms (those of `stem`), is in any passage: the closest spelling, one
/// slip away (two for a long word), and the close ones to suggest (it
/// first).
/// None for a short word, a word with digits, or a last word that begins
/// indexed words (it is being typed: completions serve it).
pub(super) fn replacement(
    cx: &mut Context<'_>,
    exact: &str,
    stem: &str,
    last_word: bool,
) -> Option<(String, Vec<String>)> {
    let len = exact.chars().count();
    if cx.typos == Typos::Off
        || len < 5
        || exact.bytes().any(|b| b.is_ascii_digit())
        || is_function_word(exact)
        || cx.lex.word_freq(exact) > 0
        || cx.lookups >= MAX_TYPO_WORDS
        || cx.lex.forms(stem).df > 0
        || (last_word && !cx.lex.starting_with(exact, 1).is_empty())
    {
        return None;
    }
    cx.lookups += 1;
    let distance = if len >= 9 { 2 } else { 1 };
    let best = typos::closest(cx.lex.within(exact, distance), exact)
        .into_iter()
        .next()?
        .0;
    // A suggestion costs nothing if wrong: look a little further (but
    // not at other forms of the word chosen: they are searched with it).
    let best_stem = cx.an.stem(&best);
    let mut close: Vec<String> = typos::closest(
        cx.lex
            .within(exact, distance.max(if len >= 6 { 2 } else { 1 })),
        exact,
    )
    .into_iter()
    .map(|(k, _)| k)
    .filter(|k| cx.an.stem(k) != best_stem)
    .take(MAX_CORRECTIONS - 1)
    .collect();
    close.insert(0, best.clone());
    Some((best, close))
}

/// Other spellings and related words the index holds (`color` for
/// `colour`, `Brazil` for `Brazilian`); none for a word with digits or a
/// function word.
fn variants(cx: &mut Context<'_>, w: &Typed<'_>, derived: &mut Vec<Derived>) {
    if w.has_digit || is_function_word(w.exact) {
        return;
    }
    for (variant, kind) in typos::variants(w.exact) {
        let vstem = cx.an.stem(&variant);
        if vstem == w.stem || derived.iter().any(|d| d.stem == vstem) {
            continue;
        }
        let vdf = cx.lex.forms(&vstem).df;
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
            why: format!("'{variant}' ({what} of '{}', ×{weight})", w.typed),
        });
    }
}

/// Close spellings of a word the index barely knows (or, with
/// `Typos::KnownToo`, of a known word): corrections added as derivations,
/// and for an unknown word the close indexed words to suggest. Each word
/// looked up spends one of the query's [`MAX_TYPO_WORDS`] lookups.
fn close_spellings(
    cx: &mut Context<'_>,
    w: &Typed<'_>,
    derived: &mut Vec<Derived>,
    out: &mut PlannedWord,
) {
    let (typed, exact, stem, df, len) = (w.typed, w.exact, w.stem, w.df, w.len);
    let rare = !w.has_digit && df <= 2 && len >= 3;
    let try_known = cx.typos == Typos::KnownToo && !w.has_digit && len >= 5 && df > 0;
    if rare && cx.lookups == MAX_TYPO_WORDS {
        out.notes.push(format!(
            "close spellings were looked for only for the first {MAX_TYPO_WORDS} rare or unknown words"
        ));
    }
    cx.lookups += usize::from(rare || try_known);
    if !(rare || try_known) || cx.lookups > MAX_TYPO_WORDS {
        return;
    }
    // A real word typed for another is one slip away, in the word or in
    // its stem (curry, curie: one between `curri` and `curi`); two edits
    // around every known word cost a search's time again.
    let distance = if len >= 9 && !try_known { 2 } else { 1 };
    // Correct a word that matches nothing, or very little next to a close
    // spelling that is common. Corrections are looked up among the words
    // as typed, then taken with all their forms, so `Khomeni` finds
    // `Khomeini` and `Khomeini's`.
    if cx.typos != Typos::Off && len >= 5 {
        let mut found: Vec<(String, u64)> = Vec::new();
        let mut typed_near = typos::closest(cx.lex.within(exact, distance), exact);
        typed_near.truncate(2 * MAX_CORRECTIONS);
        for (k, _) in typed_near {
            let kstem = cx.an.stem(&k);
            if kstem != stem && !found.iter().any(|(s, _)| *s == kstem) {
                let kdf = cx.lex.forms(&kstem).df;
                found.push((kstem, kdf));
            }
        }
        // And a slip in the ending, which the stemmer may read as another
        // word (`monogamy`, `monogamous`).
        for (kstem, kdf) in typos::closest(cx.lex.near_stems(stem, 1), stem) {
            if !found.iter().any(|(s, _)| *s == kstem) {
                found.push((kstem, kdf));
            }
        }
        if try_known {
            // A known word is corrected only toward one as common, the
            // commonest first.
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
                    out.corrected.push((typed.to_string(), k.clone()));
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
    // Suggest whole words as printed (folded), not stems; not for an
    // unfinished last word that already begins indexed words.
    let begins = w.last_word && !cx.lex.starting_with(exact, 1).is_empty();
    if rare && df == 0 && !w.known_exact && len >= 3 && !begins {
        // A suggestion costs nothing if wrong: look a little further.
        let found = typos::closest(cx.lex.within(exact, if len >= 6 { 2 } else { 1 }), exact);
        if !found.is_empty() {
            out.suggestion = Some(Suggestion {
                word: typed.to_string(),
                searched_for: None,
                did_you_mean: found
                    .into_iter()
                    .take(MAX_CORRECTIONS)
                    .map(|(k, _)| k)
                    .collect(),
            });
        }
    }
}

/// The words a reader is likely typing, when the last word typed is no
/// word as it stands: its commonest completions.
fn completions(cx: &mut Context<'_>, w: &Typed<'_>, derived: &mut Vec<Derived>) {
    if !w.last_word || w.known_exact || w.has_digit || w.len < 3 {
        return;
    }
    for (k, kdf) in cx.lex.starting_with(w.exact, MAX_COMPLETIONS) {
        let kstem = cx.an.stem(&k);
        if kstem == w.stem || derived.iter().any(|d| d.stem == kstem) {
            continue;
        }
        let sdf = cx.lex.forms(&kstem).df.max(kdf);
        derived.push(Derived {
            why: format!("'{k}' completing '{}' (×{PREFIX_WEIGHT})", w.typed),
            stem: kstem,
            df: sdf,
            weight: PREFIX_WEIGHT,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_are_told_from_derivations() {
        for (a, b) in [
            ("relation", "relations"),
            ("adopting", "adopted"),
            ("study", "studies"),
            ("run", "running"),
            ("einstein", "einstein's"),
            ("quixotical", "quixotical"),
        ] {
            assert!(inflection_of(a, b) && inflection_of(b, a), "{a} {b}");
        }
        for (a, b) in [
            ("quixotical", "quixote"),
            ("nation", "national"),
            ("relate", "relativity"),
        ] {
            assert!(!inflection_of(a, b), "{a} {b}");
        }
    }
}
