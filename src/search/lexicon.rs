//! What the planner needs to know of the index's words, behind a trait so
//! that planning is unit-tested with a table instead of an index: a word's
//! forms (the folded words that share its stem, found in the term
//! dictionary), how common they are, close spellings and completions.
//!
//! The index holds folded words, not stems: `ransacked` is found as
//! itself, and `ransacking` as one of the forms of its stem. A stem is a
//! prefix of its words but for its last letter (English Snowball replaces
//! a final `y` by `i`, adds or keeps an `e`, ends `-ability` in `l`), so a
//! stem's forms are among the words starting with it, or with it less that
//! letter: one short walk of the dictionary per segment, each word's stem
//! checked.

use std::cell::RefCell;
use std::collections::{BinaryHeap, HashMap};

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::Term;

use super::scoring::{union_doc_freq, Stats};
use crate::index::Opened;
use crate::text::Analyzer;

/// A word's forms in the index, and how many paragraphs hold one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Forms {
    /// Folded words, each in some paragraph (or heading, or title).
    pub words: Vec<String>,
    /// Paragraphs holding any of them.
    pub df: u64,
}

/// BM25's statistics of each kind of text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexStats {
    /// Paragraphs.
    pub text: Stats,
    /// Sections' texts.
    pub sections: Stats,
    /// Headings.
    pub headings: Stats,
    /// The headings above a paragraph.
    pub context: Stats,
    /// Titles.
    pub titles: Stats,
    /// An article's title as every document of the article holds it.
    pub inherited_titles: Stats,
}

/// What the planner needs to know of the index.
pub(crate) trait Lexicon {
    /// The forms of the word whose stem is `stem`.
    fn forms(&self, stem: &str) -> Forms;
    /// Paragraphs holding the folded word itself.
    fn word_freq(&self, word: &str) -> u64;
    /// Paragraphs in the index.
    fn num_docs(&self) -> u64;
    /// Articles whose title holds one of `words`.
    fn title_freq(&self, words: &[String]) -> u64;
    /// Articles in the index.
    fn num_articles(&self) -> u64;
    /// Indexed words within `distance` edits of `word` (transpositions
    /// count one), other than `word`, with their document frequencies, in
    /// no particular order.
    fn within(&self, word: &str, distance: u8) -> Vec<(String, u64)>;
    /// The `max` commonest indexed words that start with `prefix`, other
    /// than `prefix` itself, with their frequencies.
    fn starting_with(&self, prefix: &str, max: usize) -> Vec<(String, u64)>;
    /// Stems of indexed words that differ from `stem` by at most
    /// `distance` edits after their first letters (an inflection the
    /// stemmer does not join: `monogamy`, `monogamous`), other than `stem`,
    /// with the paragraphs holding a form of each.
    fn near_stems(&self, stem: &str, distance: usize) -> Vec<(String, u64)>;
    /// The statistics queries score with.
    fn stats(&self) -> IndexStats;
}

/// A [`Lexicon`] over an opened index's term dictionaries.
pub(crate) struct IndexLexicon<'a> {
    opened: &'a Opened,
    forms: RefCell<HashMap<String, Forms>>,
    an: RefCell<Analyzer>,
}

impl<'a> IndexLexicon<'a> {
    pub(crate) fn new(opened: &'a Opened) -> IndexLexicon<'a> {
        IndexLexicon {
            opened,
            forms: RefCell::new(HashMap::new()),
            an: RefCell::new(Analyzer::default()),
        }
    }

    fn text(&self) -> Field {
        self.opened.fields.text
    }

    /// Words of `field` starting with `prefix`, in every segment, kept by
    /// `keep`, with their document frequencies summed.
    fn prefixed(
        &self,
        field: Field,
        prefix: &str,
        mut keep: impl FnMut(&str) -> bool,
    ) -> Vec<(String, u64)> {
        let mut found: HashMap<String, u64> = HashMap::new();
        for seg in self.opened.searcher.segment_readers() {
            let Ok(inv) = seg.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().range().ge(prefix.as_bytes()).into_stream() else {
                continue;
            };
            while stream.advance() {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                let Ok(k) = std::str::from_utf8(key) else {
                    continue;
                };
                if let Some(n) = found.get_mut(k) {
                    *n += u64::from(stream.value().doc_freq);
                } else if keep(k) {
                    found.insert(k.to_string(), u64::from(stream.value().doc_freq));
                }
            }
        }
        let mut out: Vec<(String, u64)> = found.into_iter().collect();
        out.sort();
        out
    }

    /// Every term of the text the automaton of `fz` accepts, with its
    /// document frequency summed over segments.
    fn walk(&self, fz: &FuzzyTermQuery, keep: impl Fn(&[u8]) -> bool) -> Vec<(String, u64)> {
        let mut found: HashMap<String, u64> = HashMap::new();
        // One automaton for every segment: building it is most of a walk.
        let Ok(automaton) = fz.automaton() else {
            return Vec::new();
        };
        for seg in self.opened.searcher.segment_readers() {
            let Ok(inv) = seg.inverted_index(self.text()) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().search(&automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                if !keep(stream.key()) {
                    continue;
                }
                if let Ok(k) = std::str::from_utf8(stream.key()) {
                    *found.entry(k.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
        found.into_iter().collect()
    }
}

/// Letters a stem and its near stems share at least (the walk of the
/// dictionary looks at the words starting with all but its last two).
const NEAR_STEM_PREFIX: usize = 3;

/// Where the forms of `stem` are among the words: those starting with it,
/// or with it less its last letter when the stemmer may have changed that.
pub(crate) fn forms_prefix(stem: &str) -> &str {
    match stem.char_indices().last() {
        Some((i, 'i' | 'e' | 'l' | 'y')) if i > 0 => &stem[..i],
        _ => stem,
    }
}

impl Lexicon for IndexLexicon<'_> {
    fn forms(&self, stem: &str) -> Forms {
        if let Some(f) = self.forms.borrow().get(stem) {
            return f.clone();
        }
        if let Some((words, df)) = self.opened.forms.get(stem) {
            let f = Forms { words, df };
            self.forms.borrow_mut().insert(stem.to_string(), f.clone());
            return f;
        }
        // The words of the text, and of headings and titles (a word a
        // heading alone uses, `Harvesting`, is a form too).
        let mut words: Vec<String> = Vec::new();
        {
            let mut an = self.an.borrow_mut();
            let f = &self.opened.fields;
            for field in [f.text, f.heading, f.title] {
                for (w, _) in self.prefixed(field, forms_prefix(stem), |w| an.stem(w) == stem) {
                    if !words.contains(&w) {
                        words.push(w);
                    }
                }
            }
        }
        // `dying`, `lying`, `tying`, `vying`: the one family whose words do
        // not start with their stem less a letter (`die`, `lie`...).
        if let Some(base) = stem.strip_suffix("ie") {
            let ying = format!("{base}ying");
            if self.word_freq(&ying) > 0 && !words.contains(&ying) {
                words.push(ying);
            }
        }
        if words.is_empty() {
            // Not in any text: the stem itself, for headings and titles.
            words.push(stem.to_string());
        }
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(self.text(), w))
            .collect();
        let df = union_doc_freq(&self.opened.searcher, self.text(), &terms).unwrap_or(0);
        self.opened
            .forms
            .keep(stem.to_string(), (words.clone(), df));
        let f = Forms { words, df };
        self.forms.borrow_mut().insert(stem.to_string(), f.clone());
        f
    }

    fn word_freq(&self, word: &str) -> u64 {
        self.opened
            .searcher
            .doc_freq(&Term::from_field_text(self.text(), word))
            .unwrap_or(0)
    }

    fn num_docs(&self) -> u64 {
        self.opened.payload.paragraphs.max(1)
    }

    fn title_freq(&self, words: &[String]) -> u64 {
        let title = self.opened.fields.title;
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(title, w))
            .collect();
        union_doc_freq(&self.opened.searcher, title, &terms).unwrap_or(0)
    }

    fn num_articles(&self) -> u64 {
        self.opened.payload.articles.max(1)
    }

    fn within(&self, word: &str, distance: u8) -> Vec<(String, u64)> {
        let key = (word.to_string(), distance);
        if let Some(found) = self.opened.neighbours.get(&key) {
            return found;
        }
        let fz = FuzzyTermQuery::new(Term::from_field_text(self.text(), word), distance, true);
        let found = self.walk(&fz, |_| true);
        self.opened.neighbours.keep(key, found.clone());
        found
    }

    fn starting_with(&self, prefix: &str, max: usize) -> Vec<(String, u64)> {
        let all = self.prefixed(self.text(), prefix, |k| k != prefix);
        // The commonest `max`, by a bounded heap: a one-letter prefix
        // walks tens of thousands of words.
        let mut heap: BinaryHeap<std::cmp::Reverse<(u64, String)>> = BinaryHeap::new();
        for (k, df) in all {
            heap.push(std::cmp::Reverse((df, k)));
            if heap.len() > max {
                heap.pop();
            }
        }
        let mut out: Vec<(String, u64)> = heap
            .into_iter()
            .map(|std::cmp::Reverse((df, k))| (k, df))
            .collect();
        out.sort_by_key(|(k, df)| (std::cmp::Reverse(*df), k.clone()));
        out
    }

    fn near_stems(&self, stem: &str, distance: usize) -> Vec<(String, u64)> {
        // The stem less its last two letters, keeping at least three.
        let chars: Vec<(usize, char)> = stem.char_indices().collect();
        if chars.len() < NEAR_STEM_PREFIX + 2 {
            return Vec::new();
        }
        let prefix = &stem[..chars[chars.len() - 2].0];
        let mut stems: Vec<String> = Vec::new();
        {
            let mut an = self.an.borrow_mut();
            for (w, _) in self.prefixed(self.text(), prefix, |_| true) {
                let s = an.stem(&w);
                if s != stem
                    && !stems.contains(&s)
                    && super::typos::edit_distance(&s, stem) <= distance
                {
                    stems.push(s);
                }
            }
        }
        stems
            .into_iter()
            .map(|s| {
                let df = self.forms(&s).df;
                (s, df)
            })
            .collect()
    }

    fn stats(&self) -> IndexStats {
        let p = &self.opened.payload;
        // Every kind of text is weighed among all passages and sections,
        // as when each was a field of every document: the ranking's weights
        // were tuned with these figures.
        let docs = p.sections + p.paragraphs;
        IndexStats {
            text: Stats::new(docs, p.paragraph_words),
            sections: Stats::new(docs, p.section_words),
            headings: Stats::new(docs, p.heading_words),
            context: Stats::new(docs, p.context_words),
            titles: Stats::new(p.articles, p.title_words),
            inherited_titles: Stats::new(docs, p.title_doc_words),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_starts_with_its_stems_prefix() {
        let mut an = Analyzer::default();
        for w in [
            "ransacked",
            "ransacking",
            "countries",
            "country",
            "happily",
            "conflating",
            "conflated",
            "ability",
            "capabilities",
            "skies",
            "aging",
            "relational",
            "organization",
            "governments",
            "running",
            "runs",
            "quixotical",
            "quixote",
        ] {
            let stem = an.stem(w);
            assert!(
                w.starts_with(forms_prefix(&stem)),
                "{w}: stem {stem}, prefix {}",
                forms_prefix(&stem)
            );
        }
    }
}
