//! How text becomes terms: one definition shared by indexing, querying,
//! highlighting and citing, so that all four agree on what a "word" is.
//!
//! Words are UAX #29 word-bound segments holding at least one letter or
//! digit. Each is lowercased, folded to what a plain keyboard types
//! (diacritics, curly quotes and dashes via tantivy's `AsciiFoldingFilter`)
//! and stripped of apostrophes, so `Ba'athist`, `Ba’athist` and `Baathist`
//! are all the term `baathist`. Dashes never join words (UAX #29 splits
//! `Iran–Iraq` like `Iran-Iraq`), so both give `iran`, `iraq`. A few
//! symbols make another word and stay in it (`C#`, `C++`, `.NET`, `AT&T`:
//! see `with_symbols`).
//!
//! Two analyzers are built on that: [`EXACT`] (the folded word) and
//! [`STEMMED`] (the folded word, then the English Snowball stemmer). The
//! large fields are analyzed once per file by [`Analyzer::words`] and handed
//! to the index as [`Terms`], which the [`TERMS`] tokenizer only splits.

use std::ops::Range;

use crate::limits::MAX_WORD_BYTES;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation};

/// Name of the folded, unstemmed analyzer.
pub const EXACT: &str = "passage_exact";
/// Name of the folded, stemmed analyzer.
pub const STEMMED: &str = "passage_stem";
/// Name of the tokenizer of already analyzed [`Terms`].
pub const TERMS: &str = "passage_terms";

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
    static STEMS: std::cell::RefCell<(TextAnalyzer, rustc_hash::FxHashMap<String, String>)> =
        std::cell::RefCell::new((
            TextAnalyzer::builder(WholeTokenizer)
                .filter(Stemmer::new(Language::English))
                .build(),
            rustc_hash::FxHashMap::default(),
        ));
}

/// Most stems cached per thread. A build's frequent words come first, so
/// this catches nearly every repeat (a full build of the bench corpus took
/// no longer than with 500,000); a server's searches walk the dictionary and
/// stem every word under a prefix, and at 500,000 its two search threads
/// held 26 MB of stems after 20 s of load.
const STEM_CACHE: usize = 50_000;

fn stem_cached(word: &str) -> String {
    let mut out = String::new();
    stem_into(word, &mut out);
    out
}

/// Writes the stem of `word` into `out`, reusing its buffer (this runs once
/// per word indexed).
fn stem_into(word: &str, out: &mut String) {
    STEMS.with(|cell| {
        let (stemmer, cache) = &mut *cell.borrow_mut();
        out.clear();
        if let Some(s) = cache.get(word) {
            out.push_str(s);
            return;
        }
        let mut stream = stemmer.token_stream(word);
        if stream.advance() && !stream.token().text.is_empty() {
            out.push_str(&stream.token().text);
        } else {
            out.push_str(word);
        }
        drop(stream);
        if cache.len() < STEM_CACHE {
            cache.insert(word.to_string(), out.clone());
        }
    })
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        let word = std::mem::take(&mut token.text);
        stem_into(&word, &mut token.text);
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
    index
        .tokenizers()
        .register(TERMS, TextAnalyzer::from(TermsTokenizer));
}

/// A passage's words as the index takes them: the folded words and their
/// stems, each joined by single spaces. Analyzing a file once and slicing
/// its words for each document costs a third of analyzing every paragraph
/// twice (exact and stemmed) and every section again.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Folded words, for phrases and prefixes.
    pub exact: String,
    /// Their stems, for ranked recall.
    pub stems: String,
}

impl Terms {
    /// Joins `words` (which never contain a space: a word is a UAX #29
    /// segment holding a letter or digit, and folding adds no space).
    fn of(words: &[Word]) -> Terms {
        let bytes: usize = words.iter().map(|w| w.exact.len() + 1).sum();
        let mut t = Terms {
            exact: String::with_capacity(bytes),
            stems: String::with_capacity(bytes),
        };
        for w in words {
            if !t.exact.is_empty() {
                t.exact.push(' ');
                t.stems.push(' ');
            }
            t.exact.push_str(&w.exact);
            t.stems.push_str(&w.stem);
        }
        t
    }

    /// The words of a file that lie within `bytes` (`words` in text order).
    pub fn within(words: &[Word], bytes: Range<usize>) -> Terms {
        let first = words.partition_point(|w| w.bytes.start < bytes.start);
        let n = words[first..].partition_point(|w| w.bytes.end <= bytes.end);
        Terms::of(&words[first..first + n])
    }
}

/// Splits [`Terms`] at spaces: the analysis was done before.
#[derive(Clone, Copy, Debug, Default)]
struct TermsTokenizer;

impl Tokenizer for TermsTokenizer {
    type TokenStream<'a> = TermsStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> TermsStream<'a> {
        TermsStream {
            text,
            at: 0,
            token: Token::default(),
        }
    }
}

struct TermsStream<'a> {
    text: &'a str,
    at: usize,
    token: Token,
}

impl TokenStream for TermsStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.at..];
        let start = self.at + (rest.len() - rest.trim_start_matches(' ').len());
        if start >= self.text.len() {
            return false;
        }
        let end = self.text[start..]
            .find(' ')
            .map_or(self.text.len(), |i| start + i);
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..end]);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.position_length = 1;
        self.at = end;
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
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
        self.words_stemming(text, |_| true)
    }

    /// Calls `f` with each folded, unstemmed term of `text` and its bytes,
    /// keeping none of them (a passage of millions of words).
    pub fn for_each_exact(&mut self, text: &str, mut f: impl FnMut(&str, Range<usize>)) {
        let mut stream = self.exact.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            f(&t.text, t.offset_from..t.offset_to);
        }
    }

    /// [`Analyzer::words`], stemming only the words `wanted` accepts; the
    /// others are left with an empty stem. Stemming is most of the work, and
    /// a snippet needs the stems of few words.
    pub fn words_stemming(&mut self, text: &str, wanted: impl Fn(&str) -> bool) -> Vec<Word> {
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
        for w in out.iter_mut().filter(|w| wanted(&w.exact)) {
            stem_into(&w.exact, &mut w.stem);
        }
        out
    }

    /// Appends the folded terms of `text` to `out`, each after a space,
    /// as the [`TERMS`] tokenizer takes them, and returns how many there
    /// were: what indexing a passage needs, with no string per word.
    pub fn terms_into(&mut self, text: &str, out: &mut String) -> usize {
        self.terms_and_words(text, out, &mut Vec::new(), |_| false)
    }

    /// [`Analyzer::terms_into`], also giving the words as printed that
    /// `keep` accepts (for what else the index learns from them, in the
    /// same pass); each run of other words stands as one empty word, so
    /// that what was next to what is kept. A passage of 12 million words
    /// is not 12 million slices.
    pub fn terms_and_words<'t>(
        &mut self,
        text: &'t str,
        out: &mut String,
        printed: &mut Vec<&'t str>,
        keep: impl Fn(&str) -> bool,
    ) -> usize {
        let mut n = 0;
        let mut stream = self.exact.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            out.push(' ');
            out.push_str(&t.text);
            let word = &text[t.offset_from..t.offset_to];
            if keep(word) {
                printed.push(word);
            } else if printed.last() != Some(&"") {
                printed.push("");
            }
            n += 1;
        }
        n
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
            segments: Symbols::new(text),
            token: Token::default(),
        }
    }
}

/// The words of `text` as printed (UAX #29 word segments holding a letter
/// or digit, split at every space, with their symbols: `C#`, `AT&T`),
/// without folding them: the segmenter of [`WordTokenizer`], with its
/// shortcut for ASCII lines.
pub fn word_segments(text: &str) -> impl Iterator<Item = &str> {
    Symbols::new(text)
        .map(|(_, w)| w)
        .filter(|w| w.chars().any(char::is_alphanumeric))
}

/// Token stream of [`WordTokenizer`].
pub struct WordStream<'a> {
    segments: Symbols<'a>,
    token: Token,
}

/// UAX #29 word segments, stretch by stretch: the algorithm always breaks
/// at a line end and around an ASCII space or tab, so the text is split
/// there into stretches, each split by the general algorithm or, when it is
/// ASCII (most of an English corpus), by a shortcut where the rules come
/// down to a few. A line of English with one accented name or dash is thus
/// mostly ASCII stretches.
struct Segments<'a> {
    text: &'a str,
    /// The stretch being split.
    line: Range<usize>,
    words: LineWords<'a>,
    /// What follows a space inside the last segment, offset in the line.
    rest: Option<(usize, &'a str)>,
}

/// [`Segments`], each word with its symbols ([`with_symbols`]).
struct Symbols<'a> {
    segments: Segments<'a>,
    /// Where the last word ended when it took in the segments after it
    /// (`AT&T`): those are skipped.
    skip_to: usize,
}

impl<'a> Symbols<'a> {
    fn new(text: &'a str) -> Symbols<'a> {
        Symbols {
            segments: Segments {
                text,
                line: 0..0,
                words: LineWords::Ascii(AsciiWords { text: "", at: 0 }),
                rest: None,
            },
            skip_to: 0,
        }
    }
}

impl<'a> Iterator for Symbols<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let text = self.segments.text;
        for (start, word) in self.segments.by_ref() {
            if start < self.skip_to {
                continue;
            }
            let (start, end) = with_symbols(text, start, start + word.len());
            self.skip_to = end;
            return Some((start, &text[start..end]));
        }
        None
    }
}

impl<'a> Segments<'a> {
    /// The part of a segment before its first space, keeping the rest for
    /// the next call. UAX #29 joins words across U+202F NARROW NO-BREAK
    /// SPACE (as it joins them across `_`), the space of French
    /// `«\u{202f}Bonjour\u{202f}»` and of `500\u{202f}000`; for matching,
    /// every space separates words, whatever its width or breaking rules.
    fn split_at_space(&mut self, at: usize, segment: &'a str) -> &'a str {
        if segment.is_ascii() {
            return segment;
        }
        let Some((i, c)) = segment.char_indices().find(|(_, c)| c.is_whitespace()) else {
            return segment;
        };
        let after = i + c.len_utf8();
        if after < segment.len() {
            self.rest = Some((at + after, &segment[after..]));
        }
        &segment[..i]
    }
}

enum LineWords<'a> {
    Unicode(std::iter::Peekable<UWordBoundIndices<'a>>),
    Ascii(AsciiWords<'a>),
}

impl<'a> Iterator for Segments<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<(usize, &'a str)> {
        loop {
            let next = match &mut self.words {
                _ if self.rest.is_some() => self.rest.take(),
                LineWords::Unicode(s) => s
                    .next()
                    .map(|(at, word)| join_zero_width(s, &self.text[self.line.clone()], at, word)),
                LineWords::Ascii(s) => s.next(),
            };
            if let Some((at, word)) = next {
                return Some((self.line.start + at, self.split_at_space(at, word)));
            }
            let start = self.line.end;
            if start >= self.text.len() {
                return None;
            }
            let (end, ascii) = stretch(self.text.as_bytes(), start);
            let line = &self.text[start..end];
            self.line = start..end;
            self.words = if ascii {
                LineWords::Ascii(AsciiWords { text: line, at: 0 })
            } else {
                LineWords::Unicode(line.split_word_bound_indices().peekable())
            };
        }
    }
}

/// A word with the symbols that make it another word, as people type it:
/// `C#`, `F#`, `C++`, `A+` (a word of letters followed by `#` or `+`s),
/// `.NET` (a period before a word, not after a letter, digit or period),
/// `AT&T`, `R&B` (letters joined by `&`); and an abbreviation's last period
/// (`U.S.`, `e.g.`), which its term leaves out (`us`) but its highlight
/// takes in. `start..end` is a segment of `text`; the word's bytes are
/// returned. A symbol only counts where no letter or digit follows it, so
/// `C#5` or `1+1` stay as they were.
fn with_symbols(whole: &str, start: usize, end: usize) -> (usize, usize) {
    let text = whole.as_bytes();
    // Letters of any script (and their marks): `.ß` must be `.SS`'s word.
    let letter = |c: char| c.is_alphabetic() || is_combining_mark(c);
    let letters = |r: Range<usize>| !r.is_empty() && whole[r].chars().all(letter);
    // Whether a letter or digit (or a mark on one) starts at byte `i`.
    let word_char_at =
        |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || is_combining_mark(c));
    let word_char = |i: usize| word_char_at(whole.get(i..).and_then(|s| s.chars().next()));
    let word_char_before =
        |i: usize| word_char_at(whole.get(..i).and_then(|s| s.chars().next_back()));
    let (mut start, mut end) = (start, end);
    if letters(start..end) {
        // `.NET`
        if start >= 1
            && text[start - 1] == b'.'
            && !(word_char_before(start - 1) || text[..start - 1].ends_with(b"."))
        {
            start -= 1;
        }
        // `AT&T`, `R&B`: letters, `&`, letters.
        while text.get(end) == Some(&b'&') {
            let after = end
                + 1
                + whole[end + 1..]
                    .chars()
                    .take_while(|c| letter(*c))
                    .map(char::len_utf8)
                    .sum::<usize>();
            if after == end + 1 || word_char(after) {
                break;
            }
            end = after;
        }
        // `C#`, `C++`, `A+`
        let sym = text[end..]
            .iter()
            .take_while(|b| **b == b'+' || **b == b'#')
            .count();
        let sym_ok = match &text[end..end + sym] {
            [] => false,
            [b'#'] | [b'+'] | [b'+', b'+'] => true,
            _ => false,
        };
        if sym_ok && !word_char(end + sym) {
            end += sym;
        }
    } else if text.get(end) == Some(&b'.')
        && !word_char(end + 1)
        && text[start..end].contains(&b'.')
        && text[start..end].split(|b| *b == b'.').all(|part| {
            !part.is_empty() && part.len() <= 2 && part.iter().all(u8::is_ascii_alphabetic)
        })
    {
        // `U.S.`: letters between periods, one or two at a time.
        end += 1;
    }
    (start, end)
}

/// A word with U+200B ZERO WIDTH SPACE inside (`w\u{200b}ord`, as pasted
/// from a page that marks where a long word may wrap) is one word, as it
/// reads: UAX #29 breaks words there, the one invisible character it
/// treats neither as Format nor as Extend. `at` and `word` are a segment
/// of `line` just taken from `segments`; the segments it joins are taken
/// too.
fn join_zero_width<'a>(
    segments: &mut std::iter::Peekable<UWordBoundIndices<'a>>,
    line: &'a str,
    at: usize,
    word: &'a str,
) -> (usize, &'a str) {
    let mut end = at + word.len();
    if !word.chars().next_back().is_some_and(char::is_alphanumeric) {
        return (at, word);
    }
    loop {
        let rest = &line[end..];
        let gap = rest.len() - rest.trim_start_matches('\u{200b}').len();
        if gap == 0
            || !rest[gap..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        {
            break;
        }
        while segments.next_if(|&(i, _)| i < end + gap).is_some() {}
        match segments.next() {
            Some((i, w)) => end = i + w.len(),
            None => break,
        }
    }
    (at, &line[at..end])
}

/// The stretch of `text` from `start`: to the end of its line, or, when the
/// line holds other than ASCII, to the end of a run of ASCII that ends at a
/// space or tab before the first other byte, or to the end of the run of
/// other bytes up to the next space or tab; and whether it is ASCII.
fn stretch(text: &[u8], start: usize) -> (usize, bool) {
    let rest = &text[start..];
    let line_end = rest
        .iter()
        .position(|&b| b == b'\n')
        .map_or(rest.len(), |i| i + 1);
    let line = &rest[..line_end];
    let Some(first) = line.iter().position(|b| !b.is_ascii()) else {
        return (start + line_end, true);
    };
    let is_gap = |b: &u8| matches!(b, b' ' | b'\t');
    if let Some(gap) = line[..first].iter().rposition(is_gap) {
        return (start + gap + 1, true);
    }
    let end = line[first..]
        .iter()
        .position(is_gap)
        .map_or(line_end, |i| first + i + 1);
    (start + end, false)
}

/// The segments of ASCII text that UAX #29 would return and that can hold a
/// word (every other segment holds no letter or digit and is skipped).
struct AsciiWords<'a> {
    text: &'a str,
    at: usize,
}

/// UAX #29 word-break classes of the ASCII characters that matter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ALetter.
    Letter,
    /// Numeric.
    Digit,
    /// ExtendNumLet (`_`).
    Joiner,
    /// MidLetter (`:`): joins letters.
    MidLetter,
    /// MidNumLet (`.`) and Single_Quote (`'`): join letters or digits.
    MidNumLet,
    /// MidNum (`,` `;`): joins digits.
    MidNum,
    Other,
}

fn class(b: u8) -> Class {
    CLASSES[b as usize]
}

/// [`class`] of every byte, looked up: it runs once per byte indexed.
static CLASSES: [Class; 256] = {
    let mut t = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
            b'0'..=b'9' => Class::Digit,
            b'_' => Class::Joiner,
            b':' => Class::MidLetter,
            b'.' | b'\'' => Class::MidNumLet,
            b',' | b';' => Class::MidNum,
            _ => Class::Other,
        };
        b += 1;
    }
    t
};

impl<'a> Iterator for AsciiWords<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<(usize, &'a str)> {
        use Class::*;
        let b = self.text.as_bytes();
        let start = self.at
            + b[self.at..]
                .iter()
                .position(|&c| matches!(class(c), Letter | Digit | Joiner))?;
        let mut last = class(b[start]);
        let mut end = start + 1;
        while end < b.len() {
            let c = class(b[end]);
            let next = b.get(end + 1).map_or(Other, |&n| class(n));
            match c {
                // WB5, WB8-10, WB13a-b.
                Letter | Digit | Joiner => {}
                // WB6-7: a letter, a mid mark, a letter.
                MidLetter | MidNumLet if last == Letter && next == Letter => end += 1,
                // WB11-12: a digit, a mid mark, a digit.
                MidNum | MidNumLet if last == Digit && next == Digit => end += 1,
                _ => break,
            }
            last = class(b[end]);
            end += 1;
        }
        self.at = end;
        Some((start, &self.text[start..end]))
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        for (start, seg) in self.segments.by_ref() {
            let has_alnum = if seg.is_ascii() {
                seg.bytes().any(|b| b.is_ascii_alphanumeric())
            } else {
                seg.chars().any(char::is_alphanumeric)
            };
            if !has_alnum {
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
///
/// Beyond ASCII the word is first decomposed (NFKD, so `é` typed as one
/// character or as `e` plus a combining accent, and compatibility forms such
/// as `ﬁ` or full-width letters, all become the same letters) and its
/// combining marks of every script are dropped (Latin and Greek accents,
/// Hebrew points, Arabic harakat, the dot of Turkish `İ`). Lowercasing is
/// Unicode's full mapping; the two places where full case folding goes
/// further for the scripts of the corpus are added: final `ς` is `σ`, and
/// `ß` (and `ẞ`, lowercased to it) is `ss`. What is left is recomposed
/// (NFC), so a Hangul syllable typed as jamo is the same syllable.
fn fold_word_into(word: &str, out: &mut String) {
    let has_digit = word.bytes().any(|b| b.is_ascii_digit());
    // `.NET`: a leading period is part of the word.
    let lead = usize::from(word.starts_with('.') && word.len() > 1);
    out.push_str(&word[..lead]);
    let word = &word[lead..];
    if word.is_ascii() {
        for b in word.bytes() {
            match b {
                b'\'' | b'`' => {}
                b'.' if !has_digit => {}
                b => out.push(b.to_ascii_lowercase() as char),
            }
        }
        return;
    }
    let start = out.len();
    let mut composable = false;
    for c in word.nfkd() {
        if is_combining_mark(c) || is_invisible(c) {
            continue;
        }
        match c {
            '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '\u{00B4}' | '`' => {}
            '.' if !has_digit => {}
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            'ς' => out.push('σ'),
            'ß' | 'ẞ' => out.push_str("ss"),
            c => {
                composable |= matches!(c, '\u{1100}'..='\u{11ff}');
                out.extend(c.to_lowercase());
            }
        }
    }
    if composable {
        let folded: String = out[start..].nfc().collect();
        out.truncate(start);
        out.push_str(&folded);
    }
}

/// Characters with no width and no meaning for matching, which UAX #29
/// keeps inside a word: the soft hyphen, zero-width spaces and joiners,
/// bidi marks, embeddings and isolates (the Arabic letter mark too), word
/// joiners, the byte order mark, the Mongolian vowel separator,
/// interlinear annotation marks and tag characters.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}'
        | '\u{61c}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}')
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
    fn symbols_that_make_another_word_are_part_of_it() {
        assert_eq!(
            exact("C# and C++ beat C."),
            vec!["c#", "and", "c++", "beat", "c"]
        );
        assert_eq!(
            exact("the .NET stack (.NET)"),
            vec!["the", ".net", "stack", ".net"]
        );
        assert_eq!(
            exact("AT&T and R&B; AT & T"),
            vec!["at&t", "and", "r&b", "at", "t"]
        );
        assert_eq!(
            exact("an A+ grade, F# too"),
            vec!["an", "a+", "grade", "f#", "too"]
        );
        // No symbol where a letter or digit follows it, or after a digit.
        assert_eq!(exact("C#5 1+1 C+++"), vec!["c", "5", "1", "1", "c"]);
        // Not after a letter, digit or period: a sentence's or an ellipsis's.
        assert_eq!(
            exact("end.NET ...NET 3.NET"),
            vec!["endnet", "net", "3", "net"]
        );
        // An abbreviation's last period is in its word, not its term.
        let words = Analyzer::default().words("The U.S. Navy, e.g. ships.");
        let printed: Vec<&str> = words
            .iter()
            .map(|w| &"The U.S. Navy, e.g. ships."[w.bytes.clone()])
            .collect();
        assert_eq!(printed, vec!["The", "U.S.", "Navy", "e.g.", "ships"]);
        assert_eq!(exact("The U.S. Navy"), vec!["the", "us", "navy"]);
        // What stands before the period is read as a character, whatever
        // its form: a no-break space is a space, an accent is its letter's.
        assert_eq!(exact("\u{a0}.NET"), vec![".net"]);
        assert_eq!(exact("e\u{301}.NET"), exact("\u{e9}.NET"));
        // The same in a line with other than ASCII (the general segmenter).
        assert_eq!(
            exact("Café C# AT&T — .NET U.S."),
            vec!["cafe", "c#", "at&t", ".net", "us"]
        );
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
    fn decomposed_and_precomposed_text_are_the_same_words() {
        // NFD (a letter, then a combining accent), as pasted from a PDF or
        // typed on a Mac, against NFC.
        assert_eq!(
            exact("cre\u{300}me bru\u{302}le\u{301}e"),
            exact("crème brûlée")
        );
        assert_eq!(exact("crème brûlée"), vec!["creme", "brulee"]);
        assert_eq!(exact("epistaltike\u{304}"), vec!["epistaltike"]);
        // Hangul: jamo and syllables.
        assert_eq!(exact("\u{1112}\u{1161}\u{11ab}"), exact("한"));
        assert_eq!(exact("한국어").len(), 1);
        // Compatibility forms: ligatures, full-width letters.
        assert_eq!(exact("ﬁnal ＡＢＣ"), vec!["final", "abc"]);
    }

    #[test]
    fn full_case_folding() {
        assert_eq!(exact("ΠΑΣ"), exact("πας"));
        assert_eq!(exact("ΟΔΟΣ"), exact("οδος"));
        assert_eq!(exact("İstanbul"), vec!["istanbul"]);
        assert_eq!(exact("STRAẞE Straße"), vec!["strasse", "strasse"]);
        // Greek accents, Hebrew points, Arabic harakat.
        assert_eq!(exact("άνθρωπος"), exact("ανθρωπος"));
        assert_eq!(exact("שָׁלוֹם"), exact("שלום"));
        assert_eq!(exact("مُحَمَّد"), exact("محمد"));
    }

    #[test]
    fn every_space_separates_words() {
        assert_eq!(exact("«\u{202f}Bonjour\u{202f}»"), vec!["bonjour"]);
        assert_eq!(exact("500\u{202f}000"), vec!["500", "000"]);
        assert_eq!(
            exact("a\u{a0}b\u{2009}c\u{3000}d"),
            vec!["a", "b", "c", "d"]
        );
        // Offsets still point at the words as printed.
        let text = "totaled 500\u{202f}000 people";
        let words = Analyzer::default().words(text);
        let printed: Vec<&str> = words.iter().map(|w| &text[w.bytes.clone()]).collect();
        assert_eq!(printed, vec!["totaled", "500", "000", "people"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 500, ..Default::default() })]

        /// NFC, NFD, NFKC and upper/lower case variants of random text in
        /// several scripts give the same terms.
        #[test]
        fn normalization_and_case_variants_give_the_same_terms(
            chars in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..40)
        ) {
            let text: String = chars.into_iter().collect();
            let terms = exact(&text);
            for variant in [
                text.nfc().collect::<String>(),
                text.nfd().collect(),
                text.nfkc().collect(),
                text.to_uppercase(),
                text.to_lowercase(),
                text.to_uppercase().nfd().collect(),
            ] {
                proptest::prop_assert_eq!(&exact(&variant), &terms, "{:?} vs {:?}", variant, text);
            }
        }
    }

    /// Letters of the scripts the bench corpus holds, with and without
    /// marks, and spaces of several widths. (Not dotless `ı`: its
    /// uppercase is `I`, whose lowercase is `i`, a different letter.)
    const ALPHABET: &[char] = &[
        'a', 'e', 'i', 's', 'z', 'A', 'E', 'S', 'é', 'è', 'ê', 'ë', 'ü', 'ñ', 'ç', 'å', 'ø', 'ß',
        'ẞ', 'İ', 'ō', 'ē', 'α', 'ά', 'έ', 'ή', 'ί', 'ό', 'ύ', 'ώ', 'σ', 'ς', 'Σ', 'Ω', 'π', 'ש',
        'ָ', 'ׁ', 'ל', 'ו', 'ֹ', 'م', 'ُ', 'ح', 'َ', 'ّ', 'د', '한', '국', '\u{1112}', '\u{1161}',
        '\u{11ab}', '\u{301}', '\u{308}', ' ', ' ', '\u{a0}', '\u{202f}', '-', '.', '1', '0',
    ];

    #[test]
    fn the_arabic_letter_mark_and_tags_are_invisible() {
        assert_eq!(exact("scr\u{61c}een"), vec!["screen"]);
        assert_eq!(exact("scr\u{e0041}een"), vec!["screen"]);
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
    fn a_zero_width_space_inside_a_word_does_not_split_it() {
        assert_eq!(
            exact("a w\u{200b}ord, long\u{200b}\u{200b}er\u{200b}word; end\u{200b} \u{200b}x"),
            vec!["a", "word", "longerword", "end", "x"]
        );
        let text = "the w\u{200b}ord is";
        let words = Analyzer::default().words(text);
        let printed: Vec<&str> = words.iter().map(|w| &text[w.bytes.clone()]).collect();
        assert_eq!(printed, vec!["the", "w\u{200b}ord", "is"]);
    }

    #[test]
    fn abbreviations_and_numbers() {
        assert_eq!(exact("U.S. 3.5 1990s"), vec!["us", "3.5", "1990s"]);
    }

    fn tokens(mut a: TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut s = a.token_stream(text);
        while s.advance() {
            out.push((s.token().text.clone(), s.token().position));
        }
        out
    }

    #[test]
    fn terms_index_as_the_analyzers_would() {
        let text = "= Title =\n\nThe Ba’ath party’s U.S. ties (1990s), 3.5 km.\n\n\
                    ==Émigrés==\n* Ransacked   twice\r\nlast line";
        let mut an = Analyzer::default();
        let words = an.words(text);
        // Any range whose ends fall between words: a paragraph or a section.
        for range in [0..text.len(), 11..61, 63..text.len(), 77..text.len()] {
            let terms = Terms::within(&words, range.clone());
            let slice = &text[range];
            assert_eq!(
                tokens(TextAnalyzer::from(TermsTokenizer), &terms.exact),
                tokens(exact_analyzer(), slice),
                "{slice:?}"
            );
            assert_eq!(
                tokens(TextAnalyzer::from(TermsTokenizer), &terms.stems),
                tokens(stemmed_analyzer(), slice),
                "{slice:?}"
            );
        }
    }

    /// The word segments UAX #29 gives, as the general algorithm finds them.
    fn unicode_words(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
            .collect()
    }

    fn ascii_words(text: &str) -> Vec<(usize, &str)> {
        AsciiWords { text, at: 0 }
            .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
            .collect()
    }

    #[test]
    fn ascii_shortcut_segments_like_uax29() {
        let article = include_str!("../corpus/iran-syria-relations.txt");
        let samples = [
            "U.S. 3.5 1,000;2 a:b a::b x'y 'tis 90's 1990s _a a_b __ 1_000 a_.b a.1 1.a",
            "end. start.. a'.b 3,,4 3.,4 e.g. a...b 12:30 n't . , _ :a b:",
        ];
        for text in samples
            .into_iter()
            .chain(article.lines().filter(|l| l.is_ascii()))
        {
            assert_eq!(ascii_words(text), unicode_words(text), "{text:?}");
        }
        // Random strings over the characters whose rules differ.
        let alphabet = b"aZ9_.:',; -\n\r\t(\"";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize] as char);
            }
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            assert_eq!(ascii_words(&text), unicode_words(&text), "{text:?}");
        }
    }

    #[test]
    fn line_by_line_segments_like_the_whole_text() {
        let text = format!(
            "{}\r\nmixed – line's U.S.\rlone CR\r\n\n3.5\n",
            include_str!("../corpus/iran-syria-relations.txt")
        );
        let segments = Segments {
            text: &text,
            line: 0..0,
            words: LineWords::Ascii(AsciiWords { text: "", at: 0 }),
            rest: None,
        };
        let lines: Vec<(usize, &str)> = segments
            .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
            .collect();
        assert_eq!(lines, unicode_words(&text));
    }

    /// UAX #29's word segments holding a letter or digit, each split at the
    /// spaces inside it (as the tokenizer splits U+202F).
    fn reference_words(text: &str) -> Vec<(usize, &str)> {
        let mut out = Vec::new();
        for (i, seg) in text.split_word_bound_indices() {
            let mut at = 0;
            for part in seg.split(char::is_whitespace) {
                if part.chars().any(char::is_alphanumeric) {
                    out.push((i + at, part));
                }
                at += part.len()
                    + seg[at + part.len()..]
                        .chars()
                        .next()
                        .map_or(0, char::len_utf8);
            }
        }
        out
    }

    #[test]
    fn stretches_segment_like_the_whole_text() {
        let alphabet: Vec<char> = "aZ9_.:',; \t\n\réÉ–’\u{202f}\u{ad}\u{301}ß한\u{200d}😀\u{a0}"
            .chars()
            .collect();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..30_000 {
            let mut text = String::new();
            for _ in 0..(seed % 16) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let segments = Segments {
                text: &text,
                line: 0..0,
                words: LineWords::Ascii(AsciiWords { text: "", at: 0 }),
                rest: None,
            };
            let got: Vec<(usize, &str)> = segments
                .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
                .collect();
            assert_eq!(got, reference_words(&text), "{text:?}");
        }
    }
}
