//! A quote's words: what it asks for, as segments of exact terms between
//! its ellipses, and how an editor's brackets are read (the article's own
//! words first, then insertions or replacements of a few words).

use std::ops::Range;

use crate::text::{Analyzer, Word};

/// The quote's words, each with the segment (between ellipses) it is in
/// and the editorial bracket group, if any, it stands in.
pub(super) struct QuoteWords {
    pub(super) text: String,
    pub(super) words: Vec<Word>,
    pub(super) segment: Vec<usize>,
    pub(super) bracket: Vec<Option<usize>>,
}

/// A run of words that must stand next to each other in the passage, and
/// how far after the previous run it may start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Segment {
    pub(super) terms: Vec<String>,
    /// Most words between the previous segment and this one; `None` for
    /// any number (an ellipsis), `Some(0)` for none (the first segment).
    pub(super) gap: Option<usize>,
}

/// How to read editorial brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Brackets {
    /// As words the article prints (`golden counterweight [to Israel]`).
    Printed,
    /// As an editor's insertion or replacement: the bracketed words stand
    /// for up to [`BRACKET_GAP`] words of the article, or none.
    Editorial,
}

/// Most article words a bracketed replacement stands for (`[Assad]` for
/// "the Syrian president"); an insertion stands for none.
pub(super) const BRACKET_GAP: usize = 5;

impl QuoteWords {
    /// The quote's words with its brackets read one way: as printed (the
    /// words as the analyzer splits them, no groups), or as an editor's
    /// (`[T]he` one word, `[then president]` a group).
    pub(super) fn new(quote: &str, an: &mut Analyzer, brackets: Brackets) -> QuoteWords {
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
    pub(super) fn segments(&self) -> Vec<Segment> {
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
pub(super) fn editorial_segments(
    quote: &str,
    printed: &[Segment],
    an: &mut Analyzer,
) -> Option<Vec<Segment>> {
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
pub(super) fn bracket_groups(quote: &str, ellipses: &[Range<usize>]) -> Vec<Range<usize>> {
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
pub(super) fn in_word(quote: &str, g: &Range<usize>) -> bool {
    let before = quote[..g.start].chars().next_back();
    let after = quote[g.end..].chars().next();
    !quote[g.clone()].contains(char::is_whitespace)
        && (before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric))
}

/// The analyzer splits `[T]he` into `t` and `he`; an editor changed the
/// first letter of one word, so the words that touch across such a bracket
/// are joined back into one.
pub(super) fn join_bracketed_letters(
    quote: &str,
    words: Vec<Word>,
    an: &mut Analyzer,
) -> Vec<Word> {
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
pub(super) fn bracket_around(quote: &str, from: usize, to: usize) -> Option<Range<usize>> {
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
pub(super) fn ellipses(quote: &str) -> Vec<Range<usize>> {
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
