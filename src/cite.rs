//! Finding exactly where a quote stands, or the passages closest to it.
//!
//! A quote matches exactly where a paragraph has the same words in the same
//! order, compared as folded terms ([`crate::text`]): case, punctuation
//! between words, dashes, curly quotes, diacritics, spacing and editorial
//! brackets do not matter; inflection does (no stemming). An ellipsis
//! (`…`, `...`, `[…]`) stands for any run of words within the passage.
//!
//! Candidates come from the index (phrase queries on positions); their
//! occurrences are counted from the word positions of the quote's terms, and
//! only the passages listed are read back and matched word by word for the
//! exact bytes. When
//! nothing matches exactly, the best-ranked passages for the quote's words
//! are aligned with it word by word (an edit distance that forgives a
//! changed, added, dropped or swapped word) and the closest are returned with
//! what differs.

use std::ops::Range;

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query as TQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use crate::citation::{self, Style};
use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::highlight::{self, Snippet};
use crate::index::{Opened, Unreadable};
use crate::limits::{MAX_LISTED, MAX_QUOTE_BYTES, MAX_QUOTE_ELLIPSES};
use crate::text::{Analyzer, Word};

/// The words of a quote's segment that the candidate phrase query holds:
/// enough to make candidates rare, few enough to keep the query cheap.
const CANDIDATE_PHRASE_TERMS: usize = 12;

/// How to cite.
#[derive(Debug, Clone)]
pub struct CiteOptions {
    /// Most matches to return (exact ones first); `None` for every exact
    /// match and [`DEFAULT_APPROXIMATE`] approximate ones.
    pub limit: Option<usize>,
    /// Citation style.
    pub style: Style,
    /// Length of the context shown around a match, in characters.
    pub context_chars: usize,
    /// Most approximate matches when there is no exact one, whatever the
    /// limit (`None`: the limit decides).
    pub approximate: Option<usize>,
}

/// How many approximate matches to return when no limit is given.
pub const DEFAULT_APPROXIMATE: usize = 3;

impl Default for CiteOptions {
    fn default() -> Self {
        CiteOptions {
            limit: None,
            style: Style::Plain,
            context_chars: 300,
            approximate: None,
        }
    }
}

/// A run of words where the quote and the article differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The quote's words here, as typed (`None`: the article has extra words).
    pub quote: Option<String>,
    /// The article's words here, as printed (`None`: the quote has extra words).
    pub article: Option<String>,
}

/// Exact or approximate.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchKind {
    /// Same words in the same order.
    Exact,
    /// Close but not the same.
    Approximate {
        /// 0..1, 1 being identical.
        similarity: f64,
        /// What differs, in order.
        differences: Vec<Difference>,
    },
}

/// One place the quote stands (or nearly does).
#[derive(Debug, Clone)]
pub struct CiteMatch {
    /// Exact or approximate.
    pub kind: MatchKind,
    /// The passage holding it, without its text (which may be megabytes):
    /// `text` and `context` are what is shown of it.
    pub doc: Document,
    /// 1-based line of the first matched word.
    pub line: usize,
    /// 1-based column, in characters, of the first matched word.
    pub column: usize,
    /// Byte offset of the first matched word in the file.
    pub byte_start: usize,
    /// Byte offset just past the last matched word in the file.
    pub byte_end: usize,
    /// `file[byte_start..byte_end]`: the words as the article prints them.
    pub text: String,
    /// The citation in the requested style.
    pub citation: String,
    /// The sentence(s) around the match, the match (or, for an approximate
    /// one, the differing words) marked.
    pub context: Snippet,
    /// For an approximate match: the quote with its differing words marked.
    pub quote_marked: Option<Snippet>,
}

/// Everything `cite` found.
#[derive(Debug, Clone)]
pub struct CiteResults {
    /// The quote as given.
    pub quote: String,
    /// Exact matches in document order, then approximate ones, best first.
    pub matches: Vec<CiteMatch>,
    /// How many exact matches there are in all (some may be cut by the limit).
    pub exact_total: usize,
    /// Remarks for stderr (e.g. the quote is longer than any passage).
    pub notes: Vec<String>,
    /// Files whose passages could not be read back.
    pub unreadable: Unreadable,
}

/// The quote's words, each with the segment (between ellipses) it is in
/// and the editorial bracket group, if any, it stands in.
struct QuoteWords {
    text: String,
    words: Vec<Word>,
    segment: Vec<usize>,
    bracket: Vec<Option<usize>>,
}

/// A run of words that must stand next to each other in the passage, and
/// how far after the previous run it may start.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    terms: Vec<String>,
    /// Most words between the previous segment and this one; `None` for
    /// any number (an ellipsis), `Some(0)` for none (the first segment).
    gap: Option<usize>,
}

/// How to read editorial brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Brackets {
    /// As words the article prints (`golden counterweight [to Israel]`).
    Printed,
    /// As an editor's insertion or replacement: the bracketed words stand
    /// for up to [`BRACKET_GAP`] words of the article, or none.
    Editorial,
}

/// Most article words a bracketed replacement stands for (`[Assad]` for
/// "the Syrian president"); an insertion stands for none.
const BRACKET_GAP: usize = 5;

impl QuoteWords {
    /// The quote's words with its brackets read one way: as printed (the
    /// words as the analyzer splits them, no groups), or as an editor's
    /// (`[T]he` one word, `[then president]` a group).
    fn new(quote: &str, an: &mut Analyzer, brackets: Brackets) -> QuoteWords {
        let marks = ellipses(quote);
        let (words, groups) = match brackets {
            Brackets::Printed => (an.words(quote), Vec::new()),
            Brackets::Editorial => (
                join_bracketed_letters(quote, an.words(quote), an),
                bracket_groups(quote, &marks),
            ),
        };
        let segment = words
            .iter()
            .map(|w| marks.iter().filter(|m| m.start < w.bytes.start).count())
            .collect();
        let bracket = words
            .iter()
            .map(|w| {
                groups
                    .iter()
                    .position(|g| g.start < w.bytes.start && w.bytes.end < g.end)
            })
            .collect();
        QuoteWords {
            text: quote.to_string(),
            words,
            segment,
            bracket,
        }
    }

    /// Non-empty runs of exact terms between ellipses (and, read as an
    /// editor's, between bracket groups, which are dropped).
    fn segments(&self) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        // The ellipsis segment and bracket group of the previous word.
        let mut last: (usize, Option<usize>) = (usize::MAX, None);
        // What lies between the last segment and the next word kept: an
        // ellipsis (any gap) or bracket groups (a bounded one).
        let mut gap: Option<usize> = Some(0);
        for ((w, &s), &b) in self.words.iter().zip(&self.segment).zip(&self.bracket) {
            if s != last.0 && last.0 != usize::MAX {
                gap = None;
            }
            if b.is_some() {
                if b != last.1 {
                    gap = gap.map(|g| g + BRACKET_GAP);
                }
                last = (s, b);
                continue;
            }
            if out.is_empty() || s != last.0 || last.1.is_some() {
                out.push(Segment {
                    terms: Vec::new(),
                    gap: if out.is_empty() { Some(0) } else { gap },
                });
                gap = Some(0);
            }
            last = (s, b);
            out.last_mut().expect("pushed").terms.push(w.exact.clone());
        }
        out
    }
}

/// The segments with the quote's brackets read as an editor's, when that
/// reads differently from `printed` (and leaves words to look for).
fn editorial_segments(quote: &str, printed: &[Segment], an: &mut Analyzer) -> Option<Vec<Segment>> {
    if !quote.contains('[') {
        return None;
    }
    let segments = QuoteWords::new(quote, an, Brackets::Editorial).segments();
    (!segments.is_empty() && segments != printed).then_some(segments)
}

/// Byte ranges of the editorial bracket groups of a quote, brackets
/// included: `[then president]`, not an ellipsis (`[…]`) and not a
/// bracket inside a word (`[T]he`, which [`join_bracketed_letters`]
/// reads as one word).
fn bracket_groups(quote: &str, ellipses: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in quote.char_indices() {
        match c {
            '[' => open = Some(i),
            ']' => {
                if let Some(start) = open.take() {
                    let range = start..i + 1;
                    if ellipses
                        .iter()
                        .any(|e| e.start <= start && range.end <= e.end)
                        || in_word(quote, &range)
                    {
                        continue;
                    }
                    out.push(range);
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether a bracket group touches a letter or digit on either side and
/// holds no space: part of a word (`[T]he`, `govern[ment]`).
fn in_word(quote: &str, g: &Range<usize>) -> bool {
    let before = quote[..g.start].chars().next_back();
    let after = quote[g.end..].chars().next();
    !quote[g.clone()].contains(char::is_whitespace)
        && (before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric))
}

/// The analyzer splits `[T]he` into `t` and `he`; an editor changed the
/// first letter of one word, so the words that touch across such a bracket
/// are joined back into one.
fn join_bracketed_letters(quote: &str, words: Vec<Word>, an: &mut Analyzer) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    for w in words {
        if let Some(prev) = out.last_mut() {
            let between = &quote[prev.bytes.end..w.bytes.start];
            if !between.is_empty() && between.chars().all(|c| c == '[' || c == ']') {
                let g = bracket_around(quote, prev.bytes.end, w.bytes.start);
                if g.is_some_and(|g| in_word(quote, &g)) {
                    prev.exact.push_str(&w.exact);
                    prev.stem = an.stem(&prev.exact);
                    prev.bytes.end = w.bytes.end;
                    continue;
                }
            }
        }
        out.push(w);
    }
    out
}

/// The bracket group that has a bracket in `from..to`, when it holds
/// letters and digits only (`[T]`, `[ment]`; not `[…]` or `[a [b]`).
fn bracket_around(quote: &str, from: usize, to: usize) -> Option<Range<usize>> {
    let at = from + quote[from..to].find(['[', ']'])?;
    let g = if quote[at..].starts_with('[') {
        let end = at + quote[at..].find(']')? + 1;
        at..end
    } else {
        let start = quote[..at].rfind('[')?;
        start..at + 1
    };
    let inner = &quote[g.start + 1..g.end - 1];
    (!inner.is_empty() && inner.chars().all(char::is_alphanumeric)).then_some(g)
}

/// Byte ranges of ellipses: `…`, `...` (or more dots), and either in
/// brackets or parentheses.
fn ellipses(quote: &str) -> Vec<Range<usize>> {
    let b = quote.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let (len, found) = if quote[i..].starts_with('…') {
            ("…".len(), true)
        } else if quote[i..].starts_with(". . .") {
            // Spaced, as Chicago style prints it.
            (". . .".len(), true)
        } else if quote[i..].starts_with("...") {
            (b[i..].iter().take_while(|&&c| c == b'.').count(), true)
        } else {
            (1, false)
        };
        if found {
            let mut start = i;
            let mut end = i + len;
            if start > 0
                && matches!(b[start - 1], b'[' | b'(')
                && matches!(b.get(end), Some(b']' | b')'))
            {
                start -= 1;
                end += 1;
            }
            out.push(start..end);
            i = end;
        } else {
            i += quote[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// Checks that a quote can be looked for: not too long, not cut into too
/// many parts, and holding at least one word.
pub fn check_quote(quote: &str) -> Result<()> {
    if quote.len() > MAX_QUOTE_BYTES {
        return Err(Error::Quote(format!(
            "the quote is {} bytes long; the limit is {MAX_QUOTE_BYTES}",
            quote.len()
        )));
    }
    let ellipses = ellipses(quote).len();
    if ellipses > MAX_QUOTE_ELLIPSES {
        return Err(Error::Quote(format!(
            "the quote has {ellipses} ellipses; the limit is {MAX_QUOTE_ELLIPSES} (cite its parts on their own)"
        )));
    }
    if !quote.chars().any(char::is_alphanumeric) {
        return Err(Error::Quote(if quote.trim().is_empty() {
            "empty quote".into()
        } else {
            "the quote has no words (letters or digits) to look for".into()
        }));
    }
    Ok(())
}

/// Finds the quote.
pub fn cite(opened: &Opened, quote: &str, opts: &CiteOptions) -> Result<CiteResults> {
    check_quote(quote)?;
    let mut an = Analyzer::default();
    let qw = QuoteWords::new(quote, &mut an, Brackets::Printed);
    if qw.words.is_empty() {
        return Err(Error::Quote(
            "the quote has no words (letters or digits) to look for".into(),
        ));
    }
    let searcher = opened.reader.searcher();
    // Brackets first as the article's own words (`counterweight [to
    // Israel]`), then, only if that finds nothing, as an editor's
    // insertions or replacements (`Hafiz al-Assad [then president] voiced`).
    let printed = qw.segments();
    let mut unreadable = Unreadable::default();
    let mut found = exact(opened, &searcher, &printed, opts, &mut an, &mut unreadable)?;
    if found.1 == 0 {
        if let Some(segments) = editorial_segments(quote, &printed, &mut an) {
            found = exact(opened, &searcher, &segments, opts, &mut an, &mut unreadable)?;
        }
    }
    let (mut matches, exact_total) = found;
    let mut notes = Vec::new();
    let limit = opts.limit.unwrap_or(usize::MAX).min(MAX_LISTED);
    let shown = matches.len();
    if exact_total > shown {
        let more = exact_total - shown;
        let (s, verb) = if more == 1 { ("", "is") } else { ("es", "are") };
        notes.push(if shown == MAX_LISTED && limit == MAX_LISTED {
            format!(
                "{more} more exact match{s} {verb} not listed: at most {MAX_LISTED} are (narrow the quote to find the place you want)"
            )
        } else {
            format!("{more} more exact match{s} not shown (-n {shown})")
        });
    }

    if exact_total == 0 {
        let wanted = opts
            .approximate
            .or(opts.limit)
            .unwrap_or(DEFAULT_APPROXIMATE);
        let (approx, closest_len, split) =
            approximate(opened, &qw, wanted, opts, &mut an, &mut unreadable)?;
        if let Some(split) = split {
            notes.push(split);
        } else if closest_len > 0 && qw.words.len() > closest_len {
            notes.push(format!(
                "the quote has {} words but the closest passage only {closest_len}: a quote must stand within one paragraph, so cite each paragraph on its own",
                qw.words.len()
            ));
        }
        matches = approx;
        notes.push(
            if wanted == 0 {
                "no exact match"
            } else if matches.is_empty() {
                "the quote is not in the corpus, and no passage is close to it"
            } else {
                "no exact match; the closest passages are shown"
            }
            .to_string(),
        );
    }
    Ok(CiteResults {
        quote: quote.to_string(),
        matches,
        exact_total,
        notes,
        unreadable,
    })
}

/// The exact matches of the segments (at most the limit, in document
/// order) and how many there are in all.
fn exact(
    opened: &Opened,
    searcher: &tantivy::Searcher,
    segments: &[Segment],
    opts: &CiteOptions,
    an: &mut Analyzer,
    unreadable: &mut Unreadable,
) -> Result<(Vec<CiteMatch>, usize)> {
    let f = &opened.fields;
    let err = |e| Error::index(opened.root())(e);
    // Only paragraphs have text: no need to say which documents.
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    let mut planned = std::collections::HashSet::new();
    for seg in segments {
        // Candidates need only the start of each segment: the count below
        // checks every word from positions, and a phrase query of 29,000
        // terms (a 99 KB quote) took seconds before finding nothing.
        let seg = &seg.terms[..seg.terms.len().min(CANDIDATE_PHRASE_TERMS)];
        // A segment repeated (`the … the … the`) narrows nothing more:
        // each distinct one is a clause once.
        if !planned.insert(seg) {
            continue;
        }
        let q: Box<dyn TQuery> = if seg.len() == 1 {
            Box::new(TermQuery::new(
                Term::from_field_text(f.text, &seg[0]),
                IndexRecordOption::Basic,
            ))
        } else {
            Box::new(PhraseQuery::new(
                seg.iter()
                    .map(|t| Term::from_field_text(f.text, t))
                    .collect(),
            ))
        };
        clauses.push((Occur::Must, q));
    }
    let candidates = searcher
        .search(&BooleanQuery::new(clauses), &DocSetCollector)
        .map_err(err)?;

    // Count every occurrence from the index's word positions, and read
    // back from the corpus only the passages listed: `cite "of the"` has
    // 150,000 candidate passages on the bench corpus, and reading and
    // analyzing each took 12 s where the phrase search takes 0.1 s.
    let mut counted = count_by_positions(opened, segments, candidates)?;
    let exact_total: usize = counted.iter().map(|c| c.occurrences).sum();
    let limit = opts.limit.unwrap_or(usize::MAX).min(MAX_LISTED);
    // Document order; only the passages that may be listed need sorting
    // (at most one per listed match).
    let order = |c: &Counted| (c.file, c.byte_start);
    if counted.len() > limit {
        counted.select_nth_unstable_by_key(limit, order);
        counted.truncate(limit);
    }
    counted.sort_unstable_by_key(order);
    let mut matches: Vec<CiteMatch> = Vec::new();
    let quoted = Quoted::new(segments);
    for c in &counted {
        if matches.len() >= limit {
            break;
        }
        let mut doc = opened.document(searcher, c.addr, unreadable)?;
        let slots = quoted.slots(an, &doc.text);
        let mut place = Place::default();
        for span in quoted.occurrences(segments, &slots) {
            if matches.len() >= limit {
                break;
            }
            let context = highlight::context(
                &doc.text,
                &span,
                std::slice::from_ref(&span),
                opts.context_chars,
            );
            matches.push(located(
                &mut doc,
                &mut place,
                span,
                MatchKind::Exact,
                context,
                None,
                opts.style,
            ));
        }
    }
    Ok((matches, exact_total))
}

/// A passage holding the quote, with where it stands and how often.
struct Counted {
    addr: DocAddress,
    /// The rank of its file's name among the candidates' files.
    file: u32,
    byte_start: u64,
    occurrences: usize,
}

/// Counts the occurrences of the segments in each candidate passage from
/// the positions of the quote's terms in the `exact` field (a passage's
/// word `i` is at position `i`), as [`occurrences`] finds them in its
/// words, with the file and offset that put it in document order.
fn count_by_positions(
    opened: &Opened,
    segments: &[Segment],
    candidates: std::collections::HashSet<DocAddress>,
) -> Result<Vec<Counted>> {
    let searcher = &opened.searcher;
    let f = &opened.fields;
    let err = |e| Error::index(opened.root())(e);
    let mut terms: Vec<&String> = segments.iter().flat_map(|s| &s.terms).collect();
    terms.sort();
    terms.dedup();
    // How many times the quote needs each term: a passage with fewer
    // occurrences cannot hold it, whatever the order (`the … the … the`,
    // 16,000 times in a quote, is then ruled out for nearly every passage
    // at the cost of a comparison, not a walk of the chain).
    let mut need = vec![0usize; terms.len()];
    for t in segments.iter().flat_map(|s| &s.terms) {
        if let Ok(i) = terms.binary_search(&t) {
            need[i] += 1;
        }
    }
    let mut by_segment: Vec<Vec<u32>> = vec![Vec::new(); searcher.segment_readers().len()];
    for a in candidates {
        by_segment[a.segment_ord as usize].push(a.doc_id);
    }
    let mut out = Vec::new();
    // File names, once each per block; their ranks in name order replace
    // them at the end.
    let mut files: Vec<String> = Vec::new();
    let mut file_index: rustc_hash::FxHashMap<String, u32> = Default::default();
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); terms.len()];
    for (ord, mut docs) in by_segment.into_iter().enumerate() {
        if docs.is_empty() {
            continue;
        }
        docs.sort_unstable();
        let reader = searcher.segment_reader(ord as u32);
        let cols = opened.cols(ord as u32);
        let inverted = reader.inverted_index(f.text).map_err(err)?;
        let mut postings = Vec::with_capacity(terms.len());
        for t in &terms {
            let term = Term::from_field_text(f.text, t);
            postings.push(
                inverted
                    .read_postings(&term, IndexRecordOption::WithFreqsAndPositions)
                    .map_err(|e| err(e.into()))?,
            );
        }
        // The file of each block's root, once.
        let mut by_root: rustc_hash::FxHashMap<u32, u32> = Default::default();
        for doc in docs {
            for (p, out) in postings.iter_mut().zip(&mut positions) {
                out.clear();
                if let Some(p) = p {
                    use tantivy::DocSet;
                    // A term missing from the last passage left its cursor
                    // past it, maybe past this one too: seek only forward.
                    let at = if p.doc() < doc { p.seek(doc) } else { p.doc() };
                    if at == doc {
                        tantivy::postings::Postings::positions(p, out);
                    }
                }
            }
            if need.iter().zip(&positions).any(|(&n, p)| p.len() < n) {
                continue;
            }
            let at = |t: &String| {
                terms
                    .binary_search(&t)
                    .ok()
                    .map(|i| positions[i].as_slice())
            };
            let n = count_occurrences(segments, at);
            if n == 0 {
                continue;
            }
            let root = cols.root_of(doc);
            let file = match by_root.get(&root) {
                Some(&i) => i,
                None => {
                    let name = opened.rel_of(DocAddress::new(ord as u32, root))?;
                    let i = *file_index.entry(name.clone()).or_insert_with(|| {
                        files.push(name);
                        files.len() as u32 - 1
                    });
                    by_root.insert(root, i);
                    i
                }
            };
            out.push(Counted {
                addr: DocAddress::new(ord as u32, doc),
                file,
                byte_start: cols.bytes(doc).start as u64,
                occurrences: n,
            });
        }
    }
    let mut by_name: Vec<u32> = (0..files.len() as u32).collect();
    by_name.sort_unstable_by(|&a, &b| files[a as usize].cmp(&files[b as usize]));
    let mut rank = vec![0u32; files.len()];
    for (r, &i) in by_name.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    for c in &mut out {
        c.file = rank[c.file as usize];
    }
    Ok(out)
}

/// How many occurrences [`occurrences`] would find, given the sorted
/// positions of each term in the passage.
fn count_occurrences<'a>(
    segments: &[Segment],
    positions: impl Fn(&String) -> Option<&'a [u32]>,
) -> usize {
    let starts: Vec<&[u32]> = segments
        .iter()
        .map(|seg| positions(&seg.terms[0]).unwrap_or(&[]))
        .collect();
    let has = |t: &String, p: u32| positions(t).is_some_and(|v| v.binary_search(&p).is_ok());
    let at = |k: usize, p: usize| {
        segments[k].terms[1..]
            .iter()
            .enumerate()
            .all(|(j, t)| has(t, (p + 1 + j) as u32))
    };
    let cand = |k: usize, from: usize, to: usize| {
        let v = starts[k];
        let i = v.partition_point(|&p| (p as usize) < from);
        v[i..]
            .iter()
            .map(|&p| p as usize)
            .take_while(move |&p| p <= to)
    };
    chains(segments, cand, at).len()
}

/// Every exact occurrence of the segments, in order within one passage, as
/// byte ranges of the passage text from the first word to the last.
fn occurrences(segments: &[Segment], words: &[Word]) -> Vec<Range<usize>> {
    let quoted = Quoted::new(segments);
    let mut slots = Vec::new();
    for (i, w) in words.iter().enumerate() {
        quoted.push(&mut slots, i, &w.exact, w.bytes.clone());
    }
    quoted.occurrences(segments, &slots)
}

/// A word of a passage that is one of a quote's terms: which, its number
/// among the passage's words, and where it stands. Only these are kept: a
/// 60 MB paragraph holds 12 million words, which as [`Word`]s (two
/// strings each) took a gigabyte.
#[derive(Clone, Copy)]
struct Slot {
    term: u32,
    word: u32,
    start: u32,
    end: u32,
}

/// The distinct terms of a quote's segments, and each segment as their
/// indexes.
struct Quoted<'a> {
    terms: Vec<&'a str>,
    segments: Vec<Vec<u32>>,
}

impl<'a> Quoted<'a> {
    fn new(segments: &'a [Segment]) -> Quoted<'a> {
        let mut terms: Vec<&str> = segments
            .iter()
            .flat_map(|s| s.terms.iter().map(String::as_str))
            .collect();
        terms.sort_unstable();
        terms.dedup();
        let ids = segments
            .iter()
            .map(|s| {
                s.terms
                    .iter()
                    .map(|t| terms.binary_search(&t.as_str()).unwrap_or(0) as u32)
                    .collect()
            })
            .collect();
        Quoted {
            terms,
            segments: ids,
        }
    }

    /// Keeps word number `word` if it is one of the quote's terms.
    fn push(&self, slots: &mut Vec<Slot>, word: usize, exact: &str, bytes: Range<usize>) {
        if let Ok(term) = self.terms.binary_search(&exact) {
            slots.push(Slot {
                term: term as u32,
                word: word as u32,
                start: bytes.start as u32,
                end: bytes.end as u32,
            });
        }
    }

    /// The slots of a passage's text, without keeping its words.
    fn slots(&self, an: &mut Analyzer, text: &str) -> Vec<Slot> {
        let mut out = Vec::new();
        let mut word = 0;
        an.for_each_exact(text, |exact, bytes| {
            self.push(&mut out, word, exact, bytes);
            word += 1;
        });
        out
    }

    /// [`occurrences`], on slots. Positions are word numbers; a word that
    /// is no slot is no term of the quote.
    fn occurrences(&self, segments: &[Segment], slots: &[Slot]) -> Vec<Range<usize>> {
        let ids = &self.segments;
        let slot_at = |p: usize| slots.binary_search_by_key(&p, |s| s.word as usize).ok();
        let at = |k: usize, p: usize| {
            let Some(i) = slot_at(p) else {
                return false;
            };
            let seg = &ids[k];
            i + seg.len() <= slots.len()
                && seg
                    .iter()
                    .zip(&slots[i..])
                    .enumerate()
                    .all(|(j, (&t, s))| s.term == t && s.word as usize == p + j)
        };
        let cand = |k: usize, from: usize, to: usize| {
            let first = ids[k][0];
            let i = slots.partition_point(|s| (s.word as usize) < from);
            slots[i..]
                .iter()
                .take_while(move |s| s.word as usize <= to)
                .filter(move |s| s.term == first)
                .map(|s| s.word as usize)
        };
        chains(segments, cand, at)
            .into_iter()
            .filter_map(|(start, end)| {
                let from = slots[slot_at(start)?].start as usize;
                let to = slots[slot_at(end - 1)?].end as usize;
                Some(from..to)
            })
            .collect()
    }
}

/// The occurrences of a chain of segments, as word ranges, in order and
/// not overlapping: each starts at the earliest word that begins a
/// complete chain after the previous one, and ends where the earliest
/// completion does. `cand(k, from, to)` lists the positions in `from..=to`
/// where segment `k`'s first term stands; `at(k, p)` says whether the rest
/// of segment `k` follows at `p`. A segment's gap bounds how far after the
/// previous one it may start; with bounded gaps the earliest choice is not
/// always the one that completes, so the search backtracks, remembering
/// the (segment, position) pairs from which no completion exists.
fn chains<I: Iterator<Item = usize>>(
    segments: &[Segment],
    cand: impl Fn(usize, usize, usize) -> I,
    at: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if segments.is_empty() {
        return out;
    }
    let mut dead: rustc_hash::FxHashSet<(usize, usize)> = Default::default();
    // Candidates are walked lazily, and the starts once: listing them
    // again from each occurrence's end made `of the` in a 10 MB
    // paragraph (100,000 occurrences) quadratic.
    let mut from = 0;
    'starts: for start in cand(0, 0, usize::MAX) {
        if start < from || !at(0, start) {
            continue;
        }
        // Depth-first over the later segments, iteratively (a quote may
        // have thousands of segments).
        let mut stack: Vec<(usize, usize, I)> = Vec::new();
        let mut end = start + segments[0].terms.len();
        let mut k = 1;
        loop {
            if k == segments.len() {
                out.push((start, end));
                from = end;
                continue 'starts;
            }
            if dead.contains(&(k, end)) {
                // Back up.
            } else {
                let to = segments[k]
                    .gap
                    .map_or(usize::MAX, |g| end.saturating_add(g));
                stack.push((k, end, cand(k, end, to)));
            }
            // Advance the top frame to its next viable candidate.
            let mut advanced = false;
            while let Some(top) = stack.last_mut() {
                let (tk, tend) = (top.0, top.1);
                if let Some(p) = top.2.next() {
                    if at(tk, p) {
                        end = p + segments[tk].terms.len();
                        k = tk + 1;
                        advanced = true;
                        break;
                    }
                } else {
                    dead.insert((tk, tend));
                    stack.pop();
                }
            }
            if !advanced {
                continue 'starts;
            }
        }
    }
    out
}

/// Fills in the location fields of a match at `span` (bytes of the passage).
fn located(
    doc: &mut Document,
    place: &mut Place,
    span: Range<usize>,
    kind: MatchKind,
    context: Snippet,
    quote_marked: Option<Snippet>,
    style: Style,
) -> CiteMatch {
    place.advance(&doc.text, span.start);
    let line = doc.line_start + place.breaks;
    let column = if place.after_break {
        1 + place.chars
    } else {
        doc.column + place.chars
    };
    CiteMatch {
        kind,
        line,
        column,
        byte_start: doc.byte_start + span.start,
        byte_end: doc.byte_start + span.end,
        text: doc.text[span].to_string(),
        citation: citation::cite(style, doc, line),
        context,
        quote_marked,
        doc: without_text(doc),
    }
}

/// How far into a passage's text a match starts, in line breaks and then
/// characters: counted once for all the matches of a passage, which come
/// in text order (a 60 MB paragraph listed 1,000 times was scanned from
/// its start for each).
#[derive(Default)]
struct Place {
    /// Bytes counted so far.
    at: usize,
    /// Line ends before `at` (`\n`, `\r\n` or a lone `\r`).
    breaks: usize,
    /// Whether a line end was seen: `chars` then counts from it.
    after_break: bool,
    /// Characters since the last line end (or the passage's start).
    chars: usize,
    /// Whether the last byte counted was `\r` (a `\n` next ends no line).
    cr: bool,
}

impl Place {
    fn advance(&mut self, text: &str, to: usize) {
        if to < self.at {
            *self = Place::default();
        }
        for &b in &text.as_bytes()[self.at..to] {
            match b {
                b'\n' if self.cr => self.cr = false,
                b'\n' | b'\r' => {
                    self.breaks += 1;
                    self.after_break = true;
                    self.chars = 0;
                    self.cr = b == b'\r';
                }
                _ => {
                    self.cr = false;
                    // A character starts at every byte that does not
                    // continue one.
                    self.chars += usize::from(b & 0xC0 != 0x80);
                }
            }
        }
        self.at = to;
    }
}

/// A copy of a passage without its text, which may be megabytes and is
/// shown through a match's `text` and `context` instead.
fn without_text(doc: &mut Document) -> Document {
    let text = std::mem::take(&mut doc.text);
    let copy = doc.clone();
    doc.text = text;
    copy
}

/// Candidates for an approximate match are the best BM25 passages for the
/// quote's words; this many are aligned.
const APPROXIMATE_CANDIDATES: usize = 50;
/// Below this similarity a passage is not worth showing.
const MIN_SIMILARITY: f64 = 0.4;

/// The closest passages, best first, the length of the closest (in
/// words), and, when the quote's start ends one passage and its end starts
/// a later one of the same file, a note naming both.
fn approximate(
    opened: &Opened,
    qw: &QuoteWords,
    wanted: usize,
    opts: &CiteOptions,
    an: &mut Analyzer,
    unreadable: &mut Unreadable,
) -> Result<(Vec<CiteMatch>, usize, Option<String>)> {
    let f = &opened.fields;
    let searcher = opened.reader.searcher();
    let err = |e| Error::index(opened.root())(e);
    // The quote's words as typed: a misquote changes a few, and the
    // passages holding most of the rest are the candidates.
    let mut words: Vec<&str> = qw.words.iter().map(|w| w.exact.as_str()).collect();
    words.sort_unstable();
    words.dedup();
    let query = BooleanQuery::new(
        words
            .iter()
            .map(|w| {
                let q: Box<dyn TQuery> = Box::new(TermQuery::new(
                    Term::from_field_text(f.text, w),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect(),
    );
    let top = searcher
        .search(
            &query,
            &TopDocs::with_limit(APPROXIMATE_CANDIDATES).order_by_score(),
        )
        .map_err(err)?;
    let mut scored = Vec::new();
    let mut longest = 0;
    // Passages the quote's start ends (its first k words are their last)
    // and passages its end starts: a quote over a paragraph break.
    let mut ends_with: Vec<(usize, Document, Vec<Word>)> = Vec::new();
    let mut starts_with: Vec<(usize, Document, Vec<Word>)> = Vec::new();
    let m = qw.words.len();
    let plain = !qw.segment.iter().any(|&s| s > 0);
    // Alignment compares stems with the quote's: only a word that starts
    // as one of them does can have one of their stems (the stemmer keeps
    // a word's first letter), and stemming is most of reading a passage.
    let firsts: Vec<char> = qw
        .words
        .iter()
        .filter_map(|w| w.stem.chars().next())
        .collect();
    for (_, addr) in top {
        let doc = opened.document(&searcher, addr, unreadable)?;
        let words = an.words_stemming(&doc.text, |w| {
            w.chars().next().is_some_and(|c| firsts.contains(&c))
        });
        longest = longest.max(words.len());
        if plain && m > 1 {
            let same = |a: &[Word], b: &[Word]| a.iter().zip(b).all(|(x, y)| x.exact == y.exact);
            let n = words.len();
            if let Some(k) = (1..m.min(n + 1))
                .rev()
                .find(|&k| same(&qw.words[..k], &words[n - k..]))
            {
                ends_with.push((k, doc.clone(), words.clone()));
            }
            if let Some(k) = (1..m.min(n + 1))
                .rev()
                .find(|&k| same(&qw.words[m - k..], &words[..k]))
            {
                starts_with.push((k, doc.clone(), words.clone()));
            }
        }
        // A passage of n words aligns with a quote of m > n words at a
        // sequence similarity of at most n / m (m - n quote words have no
        // partner), so the similarity is at most 0.75 n / m + 0.25: when
        // that is below the threshold, skip the m × n table (a 99 KB quote
        // of 29,000 words made one of 20 million cells per candidate).
        let m = qw.words.len() as f64;
        if 0.75 * (words.len() as f64 / m).min(1.0) + 0.25 < MIN_SIMILARITY {
            continue;
        }
        if let Some(a) = align(&qw.words, &words) {
            if a.similarity >= MIN_SIMILARITY {
                scored.push((doc, words, a));
            }
        }
    }
    let mut split = None;
    'split: for (k1, d1, w1) in &ends_with {
        for (k2, d2, w2) in &starts_with {
            if k1 + k2 == m && d1.file == d2.file && d2.byte_start >= d1.byte_end {
                let first = w1[w1.len() - k1].bytes.start..w1[w1.len() - 1].bytes.end;
                let second = w2[0].bytes.start..w2[k2 - 1].bytes.end;
                let at = |d: &Document, span: Range<usize>| {
                    let mut d = d.clone();
                    let context = highlight::context(&d.text, &span, &[], 0);
                    let m = located(
                        &mut d,
                        &mut Place::default(),
                        span,
                        MatchKind::Exact,
                        context,
                        None,
                        opts.style,
                    );
                    format!("{} ({}:{}:{})", m.citation, m.doc.file, m.line, m.column)
                };
                split = Some(format!(
                    "the quote runs over two paragraphs: its first {k1} words end {} and its last {k2} start {}; a quote must stand within one paragraph, so cite each on its own",
                    at(d1, first),
                    at(d2, second)
                ));
                break 'split;
            }
        }
    }
    scored.sort_by(|a, b| b.2.similarity.total_cmp(&a.2.similarity));
    let closest_len = scored.first().map_or(longest, |(_, words, _)| words.len());
    let quote_text = |ws: &[usize]| -> Option<String> {
        let (first, last) = (ws.first()?, ws.last()?);
        Some(qw.text[qw.words[*first].bytes.start..qw.words[*last].bytes.end].to_string())
    };
    let out = scored
        .into_iter()
        .take(wanted)
        .map(|(mut doc, words, a)| {
            let span = words[a.window.start].bytes.start..words[a.window.end - 1].bytes.end;
            let mut marks: Vec<Range<usize>> = Vec::new();
            let mut quote_marks: Vec<Range<usize>> = Vec::new();
            let differences = a
                .diffs
                .iter()
                .map(|d| {
                    marks.extend(d.article.iter().map(|&j| words[j].bytes.clone()));
                    quote_marks.extend(d.quote.iter().map(|&i| qw.words[i].bytes.clone()));
                    Difference {
                        quote: quote_text(&d.quote),
                        article: match (d.article.first(), d.article.last()) {
                            (Some(&s), Some(&e)) => {
                                Some(doc.text[words[s].bytes.start..words[e].bytes.end].to_string())
                            }
                            _ => None,
                        },
                    }
                })
                .collect();
            let context = highlight::context(&doc.text, &span, &marks, opts.context_chars);
            // Show the part of the quote around what differs, not a whole
            // pasted page.
            let quote_span = match (quote_marks.first(), quote_marks.last()) {
                (Some(a), Some(b)) => a.start..b.end,
                _ => 0..0,
            };
            let quote_marked =
                highlight::context(&qw.text, &quote_span, &quote_marks, opts.context_chars);
            let kind = MatchKind::Approximate {
                similarity: (a.similarity * 1000.0).round() / 1000.0,
                differences,
            };
            located(
                &mut doc,
                &mut Place::default(),
                span,
                kind,
                context,
                Some(quote_marked),
                opts.style,
            )
        })
        .collect();
    Ok((out, closest_len, split))
}

/// A run of differing words, as indices into the quote and the passage.
struct Diff {
    quote: Vec<usize>,
    article: Vec<usize>,
}

struct Alignment {
    /// Words of the passage covered.
    window: Range<usize>,
    similarity: f64,
    diffs: Vec<Diff>,
}

/// Aligns the whole quote with the best-matching stretch of the passage
/// (word-level edit distance, free start and end in the passage; a word
/// with the same stem costs half, two swapped neighbours cost one).
fn align(q: &[Word], w: &[Word]) -> Option<Alignment> {
    let (m, n) = (q.len(), w.len());
    if m == 0 || n == 0 {
        return None;
    }
    // Quotes and passages are bounded (MAX_QUOTE_BYTES, one paragraph), but
    // a pathological pair would make the table huge: skip it.
    if m.saturating_mul(n) > 20_000_000 {
        return None;
    }
    let cost = |i: usize, j: usize| -> f64 {
        if q[i].exact == w[j].exact {
            0.0
        } else if q[i].stem == w[j].stem {
            0.5
        } else {
            1.0
        }
    };
    let width = n + 1;
    let mut d = vec![0.0f64; (m + 1) * width];
    for i in 1..=m {
        d[i * width] = i as f64;
        for j in 1..=n {
            let mut best = d[(i - 1) * width + j - 1] + cost(i - 1, j - 1);
            best = best.min(d[(i - 1) * width + j] + 1.0);
            best = best.min(d[i * width + j - 1] + 1.0);
            if i > 1
                && j > 1
                && q[i - 1].exact == w[j - 2].exact
                && q[i - 2].exact == w[j - 1].exact
            {
                best = best.min(d[(i - 2) * width + j - 2] + 1.0);
            }
            d[i * width + j] = best;
        }
    }
    // On a tie take the longer window: a last word that differs reads as
    // changed rather than as dropped.
    let end = (1..=n)
        .rev()
        .min_by(|&a, &b| d[m * width + a].total_cmp(&d[m * width + b]))
        .expect("n >= 1");
    let dist = d[m * width + end];
    // Walk back to recover the path and the window start.
    let (mut i, mut j) = (m, end);
    let mut ops: Vec<(Option<usize>, Option<usize>, bool)> = Vec::new(); // (quote, article, same)
    while i > 0 {
        let here = d[i * width + j];
        if j > 0 && (here - (d[(i - 1) * width + j - 1] + cost(i - 1, j - 1))).abs() < 1e-9 {
            ops.push((Some(i - 1), Some(j - 1), cost(i - 1, j - 1) == 0.0));
            i -= 1;
            j -= 1;
        } else if (here - (d[(i - 1) * width + j] + 1.0)).abs() < 1e-9 {
            ops.push((Some(i - 1), None, false));
            i -= 1;
        } else if j > 0 && (here - (d[i * width + j - 1] + 1.0)).abs() < 1e-9 {
            ops.push((None, Some(j - 1), false));
            j -= 1;
        } else {
            // Transposition.
            ops.push((Some(i - 1), Some(j - 1), false));
            ops.push((Some(i - 2), Some(j - 2), false));
            i -= 2;
            j -= 2;
        }
    }
    ops.reverse();
    let start = j;
    let window = start..end;
    if window.is_empty() {
        return None;
    }
    let mut diffs: Vec<Diff> = Vec::new();
    let mut open = false;
    for (qi, wj, same) in ops {
        if same {
            open = false;
            continue;
        }
        if !open {
            diffs.push(Diff {
                quote: Vec::new(),
                article: Vec::new(),
            });
            open = true;
        }
        let last = diffs.last_mut().expect("pushed");
        if let Some(i) = qi {
            last.quote.push(i);
        }
        if let Some(j) = wj {
            last.article.push(j);
        }
    }
    for diff in &mut diffs {
        diff.quote.sort_unstable();
        diff.article.sort_unstable();
    }
    let len = m.max(window.len()) as f64;
    let sequence = 1.0 - dist / len;
    let window_stems: Vec<&str> = w[window.clone()].iter().map(|x| x.stem.as_str()).collect();
    let shared = q
        .iter()
        .filter(|x| window_stems.contains(&x.stem.as_str()))
        .count() as f64;
    let bag = shared / m as f64;
    Some(Alignment {
        window,
        similarity: (0.75 * sequence + 0.25 * bag).clamp(0.0, 1.0),
        diffs,
    })
}

/// The closest stretch of a passage (bytes) and its similarity.
#[doc(hidden)]
pub type Closest = (Range<usize>, f64);

/// What `cite` does with one candidate passage, without an index: every
/// exact occurrence of `quote` in `passage` (byte ranges) and the closest
/// stretch with its similarity. For the fuzz targets and property tests
/// ([`crate::invariants`]).
#[doc(hidden)]
pub fn match_text(quote: &str, passage: &str) -> (Vec<Range<usize>>, Option<Closest>) {
    let mut an = Analyzer::default();
    let qw = QuoteWords::new(quote, &mut an, Brackets::Printed);
    let segments = qw.segments();
    if segments.is_empty() {
        return (Vec::new(), None);
    }
    let words = an.words(passage);
    let mut exact = occurrences(&segments, &words);
    if exact.is_empty() {
        if let Some(editorial) = editorial_segments(quote, &segments, &mut an) {
            exact = occurrences(&editorial, &words);
        }
    }
    let closest = align(&qw.words, &words).map(|a| {
        (
            words[a.window.start].bytes.start..words[a.window.end - 1].bytes.end,
            a.similarity,
        )
    });
    (exact, closest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Word> {
        Analyzer::default().words(s)
    }

    fn segs(q: &str) -> Vec<Segment> {
        QuoteWords::new(q, &mut Analyzer::default(), Brackets::Printed).segments()
    }

    fn terms(segments: &[Segment]) -> Vec<Vec<&str>> {
        segments
            .iter()
            .map(|s| s.terms.iter().map(String::as_str).collect())
            .collect()
    }

    fn editorial(q: &str) -> Vec<Segment> {
        QuoteWords::new(q, &mut Analyzer::default(), Brackets::Editorial).segments()
    }

    /// The count from term positions is the count of the word-by-word
    /// search, for quotes with and without ellipses over random passages
    /// of a few words (so that words repeat and occurrences overlap).
    #[test]
    fn counting_by_positions_agrees_with_the_word_by_word_search() {
        let vocab = ["a", "b", "c", "a b"];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..3000 {
            let passage: Vec<&str> = (0..next(30)).map(|_| vocab[next(3)]).collect();
            let passage = passage.join(" ");
            let quote: Vec<&str> = (0..1 + next(4))
                .map(|_| if next(4) == 0 { "…" } else { vocab[next(4)] })
                .collect();
            let quote = quote.join(" ");
            let segments = segs(&quote);
            if segments.is_empty() || segments.iter().any(|s| s.terms.is_empty()) {
                continue;
            }
            let w = words(&passage);
            let mut positions: std::collections::HashMap<String, Vec<u32>> = Default::default();
            for (i, word) in w.iter().enumerate() {
                positions
                    .entry(word.exact.clone())
                    .or_default()
                    .push(i as u32);
            }
            let counted = count_occurrences(&segments, |t| positions.get(t).map(Vec::as_slice));
            assert_eq!(
                counted,
                occurrences(&segments, &w).len(),
                "{quote:?} in {passage:?}"
            );
        }
    }

    #[test]
    fn ellipses_split_segments() {
        assert_eq!(terms(&segs("a b … c")), vec![vec!["a", "b"], vec!["c"]]);
        assert_eq!(
            terms(&segs("a [...] c ... d")),
            vec![vec!["a"], vec!["c"], vec!["d"]]
        );
        assert_eq!(terms(&segs("… a b")), vec![vec!["a", "b"]]);
        assert_eq!(terms(&segs("a . . . b")), vec![vec!["a"], vec!["b"]]);
        assert_eq!(
            terms(&segs("counterweight [to Israel]")),
            vec![vec!["counterweight", "to", "israel"]]
        );
        assert!(segs("a … b")[1].gap.is_none());
    }

    #[test]
    fn editorial_brackets_are_bounded_gaps() {
        let s = editorial("Hafiz al-Assad [then president] voiced support");
        assert_eq!(
            terms(&s),
            vec![vec!["hafiz", "al", "assad"], vec!["voiced", "support"]]
        );
        assert_eq!(s[1].gap, Some(BRACKET_GAP));
        // An ellipsis beside a bracket leaves the gap unbounded.
        let s = editorial("a b [c] … d");
        assert_eq!(terms(&s), vec![vec!["a", "b"], vec!["d"]]);
        assert_eq!(s[1].gap, None);
        // Leading and trailing groups are dropped; `[T]he` is one word.
        assert_eq!(terms(&editorial("[He] said [it] [so]")), vec![vec!["said"]]);
        assert_eq!(
            terms(&editorial("[T]he embassy")),
            vec![vec!["the", "embassy"]]
        );
        assert_eq!(
            terms(&editorial("govern[ment] of [I]ran")),
            vec![vec!["government", "of", "iran"]]
        );
    }

    #[test]
    fn brackets_match_insertions_replacements_and_printed_words() {
        let passage = "Hafiz al-Assad voiced support for Iranian dissidents. The Iranian embassy was ransacked. Iran will not lose this golden counterweight [to Israel].";
        let found = |q: &str| match_text(q, passage).0.len();
        assert_eq!(found("Hafiz al-Assad [then president] voiced support"), 1);
        assert_eq!(found("[T]he Iranian embassy"), 1);
        assert_eq!(found("[Tehran] will not lose"), 1);
        assert_eq!(found("Iran [Tehran] will not lose"), 1);
        assert_eq!(found("golden counterweight [to Israel]"), 1);
        // A bracket is a few words at most, not any run of them.
        assert_eq!(found("Hafiz al-Assad [said] dissidents"), 1);
        assert_eq!(found("Hafiz al-Assad [x] embassy"), 0);
        // The words outside the brackets still have to match.
        assert_eq!(found("Hafiz al-Assad [then president] voiced doubts"), 0);
    }

    #[test]
    fn bounded_gaps_backtrack() {
        // The first `b` is too far from the `c` that follows; the second
        // `b` is close enough.
        let w = words("a b x x x x x x x x b c");
        let s = vec![
            Segment {
                terms: vec!["a".into()],
                gap: Some(0),
            },
            Segment {
                terms: vec!["b".into()],
                gap: None,
            },
            Segment {
                terms: vec!["c".into()],
                gap: Some(1),
            },
        ];
        assert_eq!(occurrences(&s, &w).len(), 1);
        let s2 = vec![
            Segment {
                terms: vec!["b".into()],
                gap: Some(0),
            },
            Segment {
                terms: vec!["c".into()],
                gap: Some(0),
            },
        ];
        assert_eq!(occurrences(&s2, &w).len(), 1);
    }

    #[test]
    fn occurrences_find_every_one_in_order() {
        let text = "Iran is not prepared to lose this golden counterweight. Iran is here.";
        let w = words(text);
        let found = occurrences(&segs("Iran is"), &w);
        assert_eq!(found.len(), 2);
        let found = occurrences(&segs("Iran is not … counterweight"), &w);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &text[found[0].clone()],
            "Iran is not prepared to lose this golden counterweight"
        );
        assert!(occurrences(&segs("counterweight … prepared"), &w).is_empty());
    }

    #[test]
    fn alignment_forgives_one_changed_word() {
        let q = words("not prepared to lose this golden balance");
        let w = words("Iran is not prepared to lose this golden counterweight to Israel.");
        let a = align(&q, &w).unwrap();
        assert_eq!(a.window, 2..9);
        assert_eq!(a.diffs.len(), 1);
        assert_eq!(a.diffs[0].quote, vec![6]);
        assert_eq!(a.diffs[0].article, vec![8]);
        assert!(a.similarity > 0.8 && a.similarity < 1.0);
    }

    #[test]
    fn alignment_handles_swaps_and_drops() {
        let w = words("the golden ring of the resistance chain in the region");
        let swapped = align(&words("the ring golden of the resistance chain"), &w).unwrap();
        assert!(swapped.similarity > 0.8, "{}", swapped.similarity);
        let dropped = align(&words("the golden ring of resistance chain"), &w).unwrap();
        assert!(dropped.similarity > 0.8);
        let added = align(&words("the golden ring of the whole resistance chain"), &w).unwrap();
        assert!(added.similarity > 0.8);
    }
}
