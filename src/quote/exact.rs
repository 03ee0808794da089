//! Exact matches: candidates from the index's positions, occurrences
//! counted from the positions of the quote's terms, and the listed ones
//! found in their passage's text. Every step costs in proportion to what
//! it finds or lists: repeated segments are one clause, a passage lacking
//! a term as often as the quote needs it is passed over, and a listed
//! passage keeps only its words that are quote terms.

use std::ops::Range;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query as TQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::words::Segment;
use super::{located, CiteMatch, CiteOptions, MatchKind, Place};
use crate::error::{Error, Result};
use crate::highlight;
use crate::index::{Opened, Unreadable};
use crate::limits::MAX_LISTED;
use crate::text::{Analyzer, Word};

/// The words of a quote's segment that the candidate phrase query holds:
/// enough to make candidates rare, few enough to keep the query cheap.
pub(super) const CANDIDATE_PHRASE_TERMS: usize = 12;

/// The exact matches of the segments (at most the limit, in document
/// order) and how many there are in all.
pub(super) fn exact(
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
pub(super) struct Counted {
    pub(super) addr: DocAddress,
    /// The rank of its file's name among the candidates' files.
    pub(super) file: u32,
    pub(super) byte_start: u64,
    pub(super) occurrences: usize,
}

/// Counts the occurrences of the segments in each candidate passage from
/// the positions of the quote's terms in the `exact` field (a passage's
/// word `i` is at position `i`), as [`occurrences`] finds them in its
/// words, with the file and offset that put it in document order.
pub(super) fn count_by_positions(
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
pub(super) fn count_occurrences<'a>(
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
pub(super) fn occurrences(segments: &[Segment], words: &[Word]) -> Vec<Range<usize>> {
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
pub(super) struct Slot {
    pub(super) term: u32,
    pub(super) word: u32,
    pub(super) start: u32,
    pub(super) end: u32,
}

/// The distinct terms of a quote's segments, and each segment as their
/// indexes.
pub(super) struct Quoted<'a> {
    pub(super) terms: Vec<&'a str>,
    pub(super) segments: Vec<Vec<u32>>,
}

impl<'a> Quoted<'a> {
    pub(super) fn new(segments: &'a [Segment]) -> Quoted<'a> {
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
    pub(super) fn push(
        &self,
        slots: &mut Vec<Slot>,
        word: usize,
        exact: &str,
        bytes: Range<usize>,
    ) {
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
    pub(super) fn slots(&self, an: &mut Analyzer, text: &str) -> Vec<Slot> {
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
    pub(super) fn occurrences(&self, segments: &[Segment], slots: &[Slot]) -> Vec<Range<usize>> {
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
pub(super) fn chains<I: Iterator<Item = usize>>(
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
