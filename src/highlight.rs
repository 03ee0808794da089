//! Finding the query's words in a passage and cutting a snippet around them.
//!
//! Tantivy's `SnippetGenerator` marks single terms anywhere (a phrase's words
//! light up wherever they stand alone), keeps one fixed window and gives no
//! document offsets. This stage works on [`Word`]s from the shared analyzer
//! instead, so a highlight always lands on the word as printed (`ransacking`
//! marks `ransacked`), a phrase is marked only where it stands as a phrase,
//! and snippets are cut at sentence bounds.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::text::Word;

/// Something to find in a text, already analyzed into terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// A word matching by stem (`ransacking` finds `ransacked`).
    Stem(String),
    /// A word matching by its folded form only.
    Exact(String),
    /// Any word starting with this folded text.
    Prefix(String),
    /// Folded words in this order, at most `slop` extra words apart in all.
    Phrase {
        /// The folded terms.
        terms: Vec<String>,
        /// Extra words allowed in between.
        slop: u32,
    },
}

/// One place where a pattern stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Which pattern (index into the patterns given).
    pub pattern: usize,
    /// Byte ranges to mark: one per word, or one for a whole exact phrase.
    pub spans: Vec<Range<usize>>,
}

/// Finds every occurrence of the patterns among `words`, in text order.
pub fn find(patterns: &[Pattern], words: &[Word]) -> Vec<Found> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        for (p, pattern) in patterns.iter().enumerate() {
            let spans = match pattern {
                Pattern::Stem(s) if w.stem == *s => vec![w.bytes.clone()],
                Pattern::Exact(e) if w.exact == *e => vec![w.bytes.clone()],
                Pattern::Prefix(pre) if w.exact.starts_with(pre.as_str()) => {
                    vec![w.bytes.clone()]
                }
                Pattern::Phrase { terms, slop } if terms.first() == Some(&w.exact) => {
                    match phrase_at(terms, *slop, words, i) {
                        Some(spans) => spans,
                        None => continue,
                    }
                }
                _ => continue,
            };
            out.push(Found { pattern: p, spans });
        }
    }
    out
}

/// Matches a phrase whose first term is at word `i`; the later terms must
/// follow in order with at most `slop` words skipped in all.
fn phrase_at(terms: &[String], slop: u32, words: &[Word], i: usize) -> Option<Vec<Range<usize>>> {
    let mut at = vec![i];
    let mut skipped = 0usize;
    let mut j = i + 1;
    for t in &terms[1..] {
        loop {
            let w = words.get(j)?;
            if w.exact == *t {
                at.push(j);
                j += 1;
                break;
            }
            skipped += 1;
            if skipped > slop as usize {
                return None;
            }
            j += 1;
        }
    }
    let first = &words[at[0]].bytes;
    let last = &words[*at.last().expect("non-empty")].bytes;
    if skipped == 0 {
        Some(std::iter::once(first.start..last.end).collect())
    } else {
        Some(at.iter().map(|&k| words[k].bytes.clone()).collect())
    }
}

/// A cut of a passage with the matches marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown: sentences from the passage, line breaks turned into
    /// spaces, with `…` where the passage goes on.
    pub text: String,
    /// Byte ranges into `text` of the matched words, sorted, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

const ELLIPSIS: &str = "…";

/// A sentence of the passage (byte range) and the line it belongs to.
struct Sentence {
    bytes: Range<usize>,
    line: Range<usize>,
}

/// Splits the text into sentences within lines, skipping heading lines (a
/// section document starts with its heading and holds subsection headings).
fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let start = line_start;
        line_start += line.len();
        let content = line.trim_end();
        let lead = content.len() - content.trim_start().len();
        if content.trim().is_empty() || content.trim_start().starts_with('=') {
            continue;
        }
        let line_range = start + lead..start + content.len();
        for (off, s) in content[lead..].split_sentence_bound_indices() {
            let trimmed = s.trim_end();
            if trimmed.is_empty() {
                continue;
            }
            let b = line_range.start + off;
            out.push(Sentence {
                bytes: b..b + trimmed.len(),
                line: line_range.clone(),
            });
        }
    }
    out
}

/// Cuts a snippet of about `max_chars` characters around the best-matching
/// sentence of `text`.
pub fn snippet(text: &str, found: &[Found], max_chars: usize) -> Snippet {
    let sents = sentences(text);
    if sents.is_empty() {
        return Snippet {
            text: String::new(),
            highlights: Vec::new(),
        };
    }
    let spans: Vec<(usize, Range<usize>)> = found
        .iter()
        .flat_map(|f| f.spans.iter().map(move |s| (f.pattern, s.clone())))
        .collect();
    // Best sentence: most distinct patterns, then most matches, then first.
    let score = |s: &Sentence| {
        let inside: Vec<usize> = spans
            .iter()
            .filter(|(_, r)| r.start >= s.bytes.start && r.end <= s.bytes.end)
            .map(|(p, _)| *p)
            .collect();
        let mut distinct = inside.clone();
        distinct.sort_unstable();
        distinct.dedup();
        (distinct.len(), inside.len())
    };
    let best = (0..sents.len())
        .max_by_key(|&i| (score(&sents[i]), std::cmp::Reverse(i)))
        .expect("non-empty");
    let chars = |r: &Range<usize>| text[r.clone()].chars().count();

    let line = sents[best].line.clone();
    let mut window = sents[best].bytes.clone();
    if chars(&window) > max_chars {
        window = trim_long(text, window, &spans, max_chars);
    } else {
        // Grow within the same line: the next sentence, then the previous.
        let (mut lo, mut hi) = (best, best);
        loop {
            let mut grew = false;
            if hi + 1 < sents.len() && sents[hi + 1].line == line {
                let cand = window.start..sents[hi + 1].bytes.end;
                if chars(&cand) <= max_chars {
                    window = cand;
                    hi += 1;
                    grew = true;
                }
            }
            if lo > 0 && sents[lo - 1].line == line {
                let cand = sents[lo - 1].bytes.start..window.end;
                if chars(&cand) <= max_chars {
                    window = cand;
                    lo -= 1;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
    }

    let mut out = String::with_capacity(window.len() + 8);
    if window.start > line.start {
        out.push_str(ELLIPSIS);
    }
    let shift = out.len() as isize - window.start as isize;
    out.extend(text[window.clone()].chars().map(|c| match c {
        '\n' | '\r' | '\t' => ' ',
        c => c,
    }));
    if window.end < line.end {
        out.push_str(ELLIPSIS);
    }
    let mut highlights: Vec<Range<usize>> = spans
        .iter()
        .filter(|(_, r)| r.start < window.end && r.end > window.start)
        .map(|(_, r)| {
            let s = r.start.max(window.start);
            let e = r.end.min(window.end);
            (s as isize + shift) as usize..(e as isize + shift) as usize
        })
        .collect();
    highlights.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(highlights.len());
    for r in highlights {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    Snippet {
        text: out,
        highlights: merged,
    }
}

/// The sentence(s) around `span` of `text`, with `marks` highlighted: the
/// whole span is always shown (a long quote is not cut), with at most about
/// `max_chars` of context, cut at sentence bounds or, when the sentences are
/// longer than that, at word bounds.
pub fn context(
    text: &str,
    span: &Range<usize>,
    marks: &[Range<usize>],
    max_chars: usize,
) -> Snippet {
    // Sentence bounds are looked for near the span only: a passage can be
    // a 10 MB line, and cutting all of it into sentences for each of its
    // matches is quadratic. Past this reach a cut shows as `…` anyway.
    let reach = CONTEXT_REACH.max(16 * max_chars);
    let mut lo = span.start.saturating_sub(reach);
    while !text.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = span.end.saturating_add(reach).min(text.len());
    while !text.is_char_boundary(hi) {
        hi += 1;
    }
    if lo == 0 && hi == text.len() {
        return context_in(text, span, marks, max_chars);
    }
    let shift = |r: &Range<usize>| r.start - lo..r.end - lo;
    let inner: Vec<Range<usize>> = marks
        .iter()
        .filter(|r| r.start >= lo && r.end <= hi)
        .map(shift)
        .collect();
    context_in(&text[lo..hi], &shift(span), &inner, max_chars)
}

/// Bytes around a span within which [`context`] looks for sentence bounds,
/// at the least. Whatever the reach, more than 4 bytes per character of
/// context shown means a sentence cut by it is longer than the context
/// and gets trimmed (and marked `…`) as it would be whole.
const CONTEXT_REACH: usize = 4096;

fn context_in(
    text: &str,
    span: &Range<usize>,
    marks: &[Range<usize>],
    max_chars: usize,
) -> Snippet {
    let sents = sentences(text);
    let holding = |b: usize| {
        sents
            .iter()
            .find(|s| s.bytes.start <= b && b <= s.bytes.end)
    };
    let first = holding(span.start);
    let last = holding(span.end.saturating_sub(1).max(span.start));
    let line_start = first.map_or(0, |s| s.line.start);
    let line_end = last.map_or(text.len(), |s| s.line.end);
    let mut window = first.map_or(span.start, |s| s.bytes.start)
        ..last.map_or(span.end, |s| s.bytes.end.max(span.end));
    let chars = |r: &Range<usize>| text[r.clone()].chars().count();
    // The span itself is always shown; `max_chars` bounds what surrounds it.
    if chars(&window) > max_chars + chars(span) {
        // Keep about a quarter of the room before the span, the rest after.
        let room = max_chars;
        let before: String = text[window.start..span.start]
            .chars()
            .rev()
            .take(room / 4)
            .collect();
        let mut start = span.start - before.len();
        if start > window.start {
            start += after_first_space(&text[start..span.start]).unwrap_or(span.start - start);
        }
        let after_room = room - text[start..span.start].chars().count();
        let after: usize = text[span.end..window.end]
            .chars()
            .take(after_room)
            .map(char::len_utf8)
            .sum();
        let mut end = span.end + after;
        if end < window.end {
            end = span.end + text[span.end..end].rfind(char::is_whitespace).unwrap_or(0);
        }
        window = start.min(span.start)..end.max(span.end);
    }
    let mut out = String::with_capacity(window.len() + 8);
    if window.start > line_start {
        out.push_str(ELLIPSIS);
    }
    let shift = out.len() as isize - window.start as isize;
    out.extend(text[window.clone()].chars().map(|c| match c {
        '\n' | '\r' | '\t' => ' ',
        c => c,
    }));
    if window.end < line_end {
        out.push_str(ELLIPSIS);
    }
    let mut highlights: Vec<Range<usize>> = marks
        .iter()
        .filter(|r| r.start >= window.start && r.end <= window.end)
        .map(|r| (r.start as isize + shift) as usize..(r.end as isize + shift) as usize)
        .collect();
    highlights.sort_by_key(|r| (r.start, r.end));
    Snippet {
        text: out,
        highlights,
    }
}

/// Where the text after the first whitespace starts. (Whitespace is not
/// always one byte: a no-break space is two, an en quad three; found by
/// fuzzing the quote matcher.)
fn after_first_space(s: &str) -> Option<usize> {
    s.char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())
}

/// Cuts a sentence longer than `max_chars` to a window that starts a little
/// before its first match, at word bounds.
fn trim_long(
    text: &str,
    sentence: Range<usize>,
    spans: &[(usize, Range<usize>)],
    max_chars: usize,
) -> Range<usize> {
    let first = spans
        .iter()
        .filter(|(_, r)| r.start >= sentence.start && r.end <= sentence.end)
        .map(|(_, r)| r.start)
        .min()
        .unwrap_or(sentence.start);
    let before = max_chars / 4;
    // Walk back `before` characters, then forward to a word start.
    let mut start = first;
    for (n, (i, _)) in text[sentence.start..first].char_indices().rev().enumerate() {
        start = sentence.start + i;
        if n + 1 >= before {
            break;
        }
    }
    if start > sentence.start {
        start = match after_first_space(&text[start..first]) {
            Some(after) => start + after,
            None => first,
        };
    }
    let mut end = start;
    for (n, (i, c)) in text[start..sentence.end].char_indices().enumerate() {
        end = start + i + c.len_utf8();
        if n + 1 >= max_chars {
            break;
        }
    }
    if end < sentence.end {
        // Back to the last whole word.
        if let Some(sp) = text[start..end].rfind(char::is_whitespace) {
            if start + sp > first {
                end = start + sp;
            }
        }
    }
    let trimmed = text[start..end].trim_end();
    start..start + trimmed.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    fn run(text: &str, patterns: &[Pattern]) -> Snippet {
        let words = Analyzer::default().words(text);
        snippet(text, &find(patterns, &words), 120)
    }

    fn marked(s: &Snippet) -> Vec<&str> {
        s.highlights.iter().map(|r| &s.text[r.clone()]).collect()
    }

    #[test]
    fn stems_highlight_the_printed_word() {
        let mut a = Analyzer::default();
        let stem = a.stem("ransacking");
        let s = run(
            "The embassy was ransacked, and diplomats fled.",
            &[Pattern::Stem(stem)],
        );
        assert_eq!(marked(&s), vec!["ransacked"]);
    }

    #[test]
    fn phrase_marks_only_where_it_stands() {
        let text = "A golden ring. The golden counterweight held. A counterweight.";
        let s = run(
            text,
            &[Pattern::Phrase {
                terms: vec!["golden".into(), "counterweight".into()],
                slop: 0,
            }],
        );
        assert_eq!(marked(&s), vec!["golden counterweight"]);
    }

    #[test]
    fn snippet_prefers_the_matching_sentence_and_marks_cuts() {
        let text = format!(
            "{} Iran and Syria signed a treaty. {}",
            "Filler sentence here. ".repeat(10),
            "More filler after. ".repeat(10)
        );
        let s = run(&text, &[Pattern::Exact("treaty".into())]);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert_eq!(marked(&s), vec!["treaty"]);
    }

    #[test]
    fn long_sentences_are_cut_around_the_match() {
        let text = format!("{} needle {}", "word ".repeat(100), "word ".repeat(100));
        let s = run(&text, &[Pattern::Exact("needle".into())]);
        assert!(s.text.chars().count() <= 124);
        assert_eq!(marked(&s), vec!["needle"]);
    }

    #[test]
    fn context_in_a_huge_line_looks_near_the_span_only() {
        let text = format!(
            "{}needle. {}",
            "word ".repeat(200_000),
            "word ".repeat(200_000)
        );
        let at = text.find("needle").unwrap();
        let span = at..at + "needle".len();
        let near = context(&text, &span, std::slice::from_ref(&span), 300);
        let whole = context_in(&text, &span, std::slice::from_ref(&span), 300);
        assert_eq!(near, whole);
        assert!(near.text.starts_with('…') && near.text.ends_with('…'));
        let h = near.highlights[0].clone();
        assert_eq!(&near.text[h], "needle");
    }

    #[test]
    fn cuts_after_multibyte_spaces() {
        // A no-break space (2 bytes) and an en quad (3) where the cut
        // falls: the cut used to land inside them and panic.
        for space in ["\u{a0}", "\u{2000}"] {
            let text = format!(
                "{}needle{}",
                format!("word{space}").repeat(200),
                " word".repeat(200)
            );
            let s = run(&text, &[Pattern::Exact("needle".into())]);
            assert_eq!(marked(&s), vec!["needle"]);
            let at = text.find("needle").unwrap();
            let span = at..at + 6;
            let c = context(&text, &span, std::slice::from_ref(&span), 100);
            assert_eq!(&c.text[c.highlights[0].clone()], "needle");
        }
    }
}
