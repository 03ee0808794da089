//! How text becomes terms: one definition shared by indexing, querying,
//! highlighting and citing, so that all four agree on what a "word" is.
//!
//! Words are UAX #29 word-bound segments holding at least one letter or
//! digit. Each is lowercased, folded to what a plain keyboard types
//! (diacritics, curly quotes and dashes via tantivy's `AsciiFoldingFilter`)
//! and stripped of apostrophes, so `Ba'athist`, `Ba’athist` and `Baathist`
//! are all the term `baathist`. Dashes never join words (UAX #29 splits
//! `Iran–Iraq` like `Iran-Iraq`), so both give `iran`, `iraq`.
//!
//! Two analyzers are built on that: [`EXACT`] (the folded word) and
//! [`STEMMED`] (the folded word, then the English Snowball stemmer).

use std::ops::Range;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation};

/// Name of the folded, unstemmed analyzer.
pub const EXACT: &str = "passage_exact";
/// Name of the folded, stemmed analyzer.
pub const STEMMED: &str = "passage_stem";

/// Words longer than this many bytes are dropped: they are never typed in a
/// query and only bloat the term dictionary.
const MAX_WORD_BYTES: usize = 80;

/// The folded, unstemmed analyzer (for phrases, prefixes and filters).
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(AsciiFoldingFilter)
        .build()
}

/// The folded, stemmed analyzer (for ranked recall).
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// English Snowball stemming with a per-thread cache of stems: a corpus
/// repeats its words, and the stemmer was the dearest step of indexing.
/// Gives exactly what tantivy's `Stemmer` gives.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

impl tantivy::tokenizer::TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerTokenizer<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerTokenizer<T> {
        CachedStemmerTokenizer { inner: tokenizer }
    }
}

/// Tokenizer wrapped by [`CachedStemmer`].
#[derive(Clone)]
pub struct CachedStemmerTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerTokenizer<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            inner: self.inner.token_stream(text),
        }
    }
}

/// Token stream of [`CachedStemmerTokenizer`].
pub struct CachedStemmerStream<S> {
    inner: S,
}

thread_local! {
    static STEMS: std::cell::RefCell<(TextAnalyzer, std::collections::HashMap<String, String>)> =
        std::cell::RefCell::new((
            TextAnalyzer::builder(WholeTokenizer)
                .filter(Stemmer::new(Language::English))
                .build(),
            std::collections::HashMap::new(),
        ));
}

/// Most stems cached per thread.
const STEM_CACHE: usize = 500_000;

fn stem_cached(word: &str) -> String {
    STEMS.with(|cell| {
        let (stemmer, cache) = &mut *cell.borrow_mut();
        if let Some(s) = cache.get(word) {
            return s.clone();
        }
        let mut stream = stemmer.token_stream(word);
        let stem = if stream.advance() && !stream.token().text.is_empty() {
            stream.token().text.clone()
        } else {
            word.to_string()
        };
        drop(stream);
        if cache.len() < STEM_CACHE {
            cache.insert(word.to_string(), stem.clone());
        }
        stem
    })
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        token.text = stem_cached(&token.text);
        true
    }
    fn token(&self) -> &Token {
        self.inner.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

/// Registers both analyzers on an index. Tantivy does not persist
/// tokenizers, so this must follow every create or open.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(EXACT, exact_analyzer());
    index.tokenizers().register(STEMMED, stemmed_analyzer());
}

/// One word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Folded, unstemmed term.
    pub exact: String,
    /// Folded, stemmed term.
    pub stem: String,
    /// Byte range of the word as printed in the text.
    pub bytes: Range<usize>,
}

/// Reusable analyzers for splitting texts into [`Word`]s.
#[derive(Clone)]
pub struct Analyzer {
    exact: TextAnalyzer,
    /// Drops one term if it is an English stop word.
    stop: TextAnalyzer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            exact: exact_analyzer(),
            stop: match StopWordFilter::new(Language::English) {
                Some(f) => TextAnalyzer::builder(WholeTokenizer).filter(f).build(),
                None => TextAnalyzer::from(WholeTokenizer),
            },
        }
    }
}

impl Analyzer {
    /// Splits `text` into words with both forms of each term.
    pub fn words(&mut self, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut stream = self.exact.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push(Word {
                exact: t.text.clone(),
                stem: String::new(),
                bytes: t.offset_from..t.offset_to,
            });
        }
        drop(stream);
        for w in &mut out {
            w.stem = self.stem(&w.exact);
        }
        out
    }

    /// The folded, unstemmed terms of `text`.
    pub fn exact_terms(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stream = self.exact.token_stream(text);
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// Whether a folded term is an English function word (`and`, `the`).
    pub fn is_stop_word(&mut self, exact: &str) -> bool {
        !self.stop.token_stream(exact).advance()
    }

    /// Stems one already folded term.
    pub fn stem(&mut self, exact: &str) -> String {
        stem_cached(exact)
    }
}

/// Emits its whole input as one token; used to stem a single term.
#[derive(Clone)]
struct WholeTokenizer;

impl Tokenizer for WholeTokenizer {
    type TokenStream<'a> = OneToken;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> OneToken {
        OneToken {
            token: Token {
                offset_from: 0,
                offset_to: text.len(),
                position: 0,
                text: text.to_string(),
                position_length: 1,
            },
            done: false,
        }
    }
}

struct OneToken {
    token: Token,
    done: bool,
}

impl TokenStream for OneToken {
    fn advance(&mut self) -> bool {
        let first = !self.done;
        self.done = true;
        first
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// UAX #29 word tokenizer that lowercases and drops apostrophes.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream {
            segments: text.split_word_bound_indices(),
            token: Token::default(),
        }
    }
}

/// Token stream of [`WordTokenizer`].
pub struct WordStream<'a> {
    segments: UWordBoundIndices<'a>,
    token: Token,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        for (start, seg) in self.segments.by_ref() {
            if !seg.chars().any(char::is_alphanumeric) {
                continue;
            }
            self.token.text.clear();
            fold_word_into(seg, &mut self.token.text);
            if self.token.text.is_empty() {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = start + seg.len();
            self.token.position = self.token.position.wrapping_add(1);
            self.token.position_length = 1;
            return true;
        }
        false
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Lowercases a word and removes the marks that plain typing leaves out:
/// apostrophes of every kind, the periods of abbreviations (`U.S` -> `us`;
/// a period between digits, as in `3.5`, stays), and invisible format
/// characters, which UAX #29 keeps inside a word: a soft hyphen or a bidi
/// isolate around `screen` must not make it another word than `screen`.
fn fold_word_into(word: &str, out: &mut String) {
    let has_digit = word.bytes().any(|b| b.is_ascii_digit());
    for c in word.chars() {
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '\u{00B4}' | '`' => {}
            '\u{ad}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}' => {}
            '.' if !has_digit => {}
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> Vec<String> {
        Analyzer::default().exact_terms(text)
    }

    fn stems(text: &str) -> Vec<String> {
        Analyzer::default()
            .words(text)
            .into_iter()
            .map(|w| w.stem)
            .collect()
    }

    #[test]
    fn dashes_split_like_hyphens() {
        assert_eq!(exact("Iran–Iraq War"), exact("Iran-Iraq War"));
        assert_eq!(exact("Iran—Iraq war"), vec!["iran", "iraq", "war"]);
    }

    #[test]
    fn apostrophes_of_every_kind_are_dropped() {
        assert_eq!(exact("Ba'athist"), vec!["baathist"]);
        assert_eq!(exact("Ba’athist"), vec!["baathist"]);
        assert_eq!(exact("Baathist"), vec!["baathist"]);
    }

    #[test]
    fn diacritics_and_case_fold() {
        assert_eq!(exact("Émigré ÇA"), vec!["emigre", "ca"]);
    }

    #[test]
    fn stemming_joins_inflections() {
        assert_eq!(stems("ransacking"), stems("ransacked"));
        assert_eq!(stems("Khomeini's"), stems("Khomeini"));
    }

    #[test]
    fn cached_stemmer_agrees_with_tantivys() {
        let text = "ransacked ransacking relations governments Khomeini's countries \
                    recognized recognizing dissidents émigrés running runs ran";
        let plain = TextAnalyzer::builder(WordTokenizer)
            .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build();
        let collect = |mut a: TextAnalyzer| {
            let mut out = Vec::new();
            let mut s = a.token_stream(text);
            while s.advance() {
                out.push(s.token().text.clone());
            }
            out
        };
        // Twice, so the second pass is served from the cache.
        assert_eq!(collect(stemmed_analyzer()), collect(plain.clone()));
        assert_eq!(collect(stemmed_analyzer()), collect(plain));
    }

    #[test]
    fn offsets_point_at_the_printed_word() {
        let text = "the “golden ring” – Ba’ath";
        let words = Analyzer::default().words(text);
        let printed: Vec<&str> = words.iter().map(|w| &text[w.bytes.clone()]).collect();
        assert_eq!(printed, vec!["the", "golden", "ring", "Ba’ath"]);
    }

    #[test]
    fn invisible_format_characters_do_not_split_or_change_words() {
        assert_eq!(
            exact("coun\u{ad}terweight the \u{2066}screen\u{2069} \u{202e}Iran\u{202c}"),
            vec!["counterweight", "the", "screen", "iran"]
        );
    }

    #[test]
    fn abbreviations_and_numbers() {
        assert_eq!(exact("U.S. 3.5 1990s"), vec!["us", "3.5", "1990s"]);
    }
}
