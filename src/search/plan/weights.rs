//! How much each part of a plan counts: the boosts of the places a word is
//! found and of its derivations, relative to the word in a paragraph's
//! text, and the highlight weights that choose a snippet's window. Kept
//! together so that the balance between them can be read in one place.

use super::function_words::is_function_word;
use crate::search::lexicon::Lexicon;

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
/// Weight of a synonym (an expansion) relative to the word typed: a hint
/// of the meaning, worth less than the word itself.
pub(crate) const EXPANSION_WEIGHT: f32 = 0.4;
/// Only a word rarer than one passage in this many is expanded to its
/// synonyms (on the dev suite, expanding every word cost 0.007 P@1, the
/// rare ones gained 0.01 MRR on paraphrases)…
pub(crate) const EXPAND_RARER_THAN: u64 = 1000;
/// … or one held by at most this many (in a small corpus every word is rare).
pub(crate) const MIN_EXPANDED_DF: u64 = 20;
/// Highlight weight of a function word: shown when it stands in the
/// window, never the reason to choose one.
pub(super) const FUNCTION_WORD_WEIGHT: f32 = 0.05;

/// BM25's IDF, as tantivy computes it.
pub(super) fn idf(df: u64, n: u64) -> f32 {
    let (df, n) = (df as f32, n.max(1) as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The IDF of a stem among article titles (over every document, as the
/// title field's BM25 has it).
pub(super) fn title_idf(lex: &dyn Lexicon, stem: &str) -> f32 {
    let forms = lex.forms(stem);
    idf(lex.title_freq(&forms.words).max(1), lex.num_articles())
}

/// Highlight weight of a stem: its IDF in the text.
pub(super) fn weight_of(lex: &dyn Lexicon, exact: &str, stem: &str) -> f32 {
    if is_function_word(exact) {
        return FUNCTION_WORD_WEIGHT;
    }
    let df = lex.forms(stem).df;
    idf(df.max(1), lex.num_docs())
}

/// Score added to a passage that names a year, for a question asking
/// "when": about a rare word's weight in the text, so the year decides
/// between passages that hold the same words.
pub(super) const WHEN_YEAR_BONUS: f32 = 1.0;
