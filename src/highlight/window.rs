//! Cropping: the window of sentences whose matched words weigh most
//! ([`snippet`]), or around one span ([`context`]), written with the
//! matches marked.

use std::cmp::Reverse;
use std::ops::Range;

use super::find::Found;
use super::sentences::{layout, Chars, CharsAt, Layout, Sentence};
use super::Snippet;
use crate::query::Kind;

pub(super) const ELLIPSIS: &str = "…";

/// Weights in fixed point, so that sums taken in any order compare
/// exactly. An absent, negative or NaN weight is 1.0, 0, 0.
pub(super) fn fixed_weights(weights: &[f32], patterns: usize) -> Vec<u64> {
    (0..patterns)
        .map(|p| {
            let w = weights.get(p).copied().unwrap_or(1.0);
            let w = if w.is_nan() { 0.0 } else { w.clamp(0.0, 1e6) };
            (f64::from(w) * 65536.0).round() as u64
        })
        .collect()
}

/// The matches shown by a window: summed weight of the distinct patterns,
/// how many matches, how many of the heaviest pattern(s).
pub(super) struct Tally<'a> {
    pub(super) weights: &'a [u64],
    pub(super) heaviest: u64,
    pub(super) counts: Vec<u32>,
    pub(super) weight: u64,
    pub(super) matches: usize,
    pub(super) heavy: usize,
}

impl Tally<'_> {
    pub(super) fn add(&mut self, p: usize) {
        if self.counts[p] == 0 {
            self.weight += self.weights[p];
        }
        self.counts[p] += 1;
        self.matches += 1;
        if self.weights[p] == self.heaviest {
            self.heavy += 1;
        }
    }

    pub(super) fn remove(&mut self, p: usize) {
        self.counts[p] -= 1;
        if self.counts[p] == 0 {
            self.weight -= self.weights[p];
        }
        self.matches -= 1;
        if self.weights[p] == self.heaviest {
            self.heavy -= 1;
        }
    }

    /// Best first: shows the heaviest pattern, then weight, then matches.
    pub(super) fn key(&self) -> (bool, u64, usize) {
        (self.heavy > 0, self.weight, self.matches)
    }
}

/// A match as the window chooser sees it: its pattern, bytes, and the
/// sentences it starts and ends in.
pub(super) struct Mark {
    pub(super) pattern: usize,
    pub(super) bytes: Range<usize>,
    pub(super) first: usize,
    pub(super) last: usize,
}

/// What a snippet is cut around.
pub(super) enum Core {
    /// Sentences `first..=last` of one run, which fit the room.
    Fits { first: usize, last: usize },
    /// One sentence longer than the room, trimmed to show `keep`.
    Long { sentence: usize, keep: Range<usize> },
}

/// Cuts a snippet of about `max_chars` characters of `text` (a document of
/// `kind`) around its matches `found`, where `weights[i]` is the weight of
/// pattern `i` (1.0 past the end).
///
/// The sentences shown are those of one run whose distinct patterns weigh
/// most (then with the most matches, the fewest sentences, the earliest),
/// among those showing a match of the heaviest pattern found; they grow by
/// the next and previous sentences while they fit. A sentence longer than
/// the room is trimmed around its heaviest matches the same way.
pub fn snippet(
    text: &str,
    kind: Kind,
    found: &[Found],
    weights: &[f32],
    max_chars: usize,
) -> Snippet {
    let Layout { runs, sentences } = layout(text, kind);
    if sentences.is_empty() {
        return Snippet {
            text: String::new(),
            highlights: Vec::new(),
        };
    }
    let holding = |b: usize| {
        let i = sentences.partition_point(|s| s.bytes.start <= b);
        (i > 0 && b <= sentences[i - 1].bytes.end).then(|| i - 1)
    };
    // Matches outside every sentence (in a skipped heading) are not shown.
    let mut marks: Vec<Mark> = found
        .iter()
        .flat_map(|f| f.spans.iter().map(move |s| (f.pattern, s.clone())))
        .filter_map(|(pattern, bytes)| {
            let first = holding(bytes.start)?;
            let last = holding(bytes.end.saturating_sub(1).max(bytes.start))?;
            (sentences[first].run == sentences[last].run).then_some(Mark {
                pattern,
                bytes,
                first,
                last,
            })
        })
        .collect();
    marks.sort_by_key(|m| (m.bytes.start, m.bytes.end));
    let at = CharsAt::new(
        text,
        sentences
            .iter()
            .flat_map(|s| [s.bytes.start, s.bytes.end])
            .chain(marks.iter().flat_map(|m| [m.bytes.start, m.bytes.end]))
            .collect(),
    );
    let in_chars = |r: &Range<usize>| at.of(r.start)..at.of(r.end);
    let chars = Chars {
        sentences: sentences.iter().map(|s| in_chars(&s.bytes)).collect(),
        marks: marks.iter().map(|m| in_chars(&m.bytes)).collect(),
    };
    let patterns = marks.iter().map(|m| m.pattern + 1).max().unwrap_or(0);
    let weights = fixed_weights(weights, patterns);
    let mut tally = Tally {
        heaviest: marks.iter().map(|m| weights[m.pattern]).max().unwrap_or(0),
        weights: &weights,
        counts: vec![0; patterns],
        weight: 0,
        matches: 0,
        heavy: 0,
    };
    let core = choose(&sentences, &marks, &chars, &mut tally, max_chars)
        .unwrap_or(Core::Fits { first: 0, last: 0 });
    let (window, run) = match core {
        Core::Long { sentence, keep } => {
            let s = &sentences[sentence];
            let w = trim(text, s.bytes.clone(), keep, max_chars / 4, max_chars);
            (w, s.run)
        }
        Core::Fits { first, last } if chars.sentences[first].len() > max_chars => {
            // No match anywhere: the first sentence, too long.
            let s = &sentences[first];
            debug_assert_eq!(first, last);
            let keep = s.bytes.start..s.bytes.start;
            let w = trim(text, s.bytes.clone(), keep, 0, max_chars);
            (w, s.run)
        }
        Core::Fits { first, last } => {
            let run = sentences[first].run;
            let fits = |lo: usize, hi: usize| {
                sentences[hi].run == run
                    && sentences[lo].run == run
                    && chars.sentences[hi].end - chars.sentences[lo].start <= max_chars
            };
            // Grow within the run: the next sentence, then the previous.
            let (mut lo, mut hi) = (first, last);
            loop {
                let mut grew = false;
                if hi + 1 < sentences.len() && fits(lo, hi + 1) {
                    hi += 1;
                    grew = true;
                }
                if lo > 0 && fits(lo - 1, hi) {
                    lo -= 1;
                    grew = true;
                }
                if !grew {
                    break;
                }
            }
            let window = sentences[lo].bytes.start..sentences[hi].bytes.end;
            (window, run)
        }
    };
    write(
        text,
        window,
        runs[run].clone(),
        marks.iter().map(|m| m.bytes.clone()),
    )
}

/// The best core among the sentences holding matches (see [`snippet`]);
/// `None` without matches.
pub(super) fn choose(
    sentences: &[Sentence],
    marks: &[Mark],
    chars: &Chars,
    tally: &mut Tally<'_>,
    max_chars: usize,
) -> Option<Core> {
    // Marks by the sentence they start in.
    let mut starting: Vec<Range<usize>> = vec![0..0; sentences.len()];
    for (k, m) in marks.iter().enumerate() {
        let r = &mut starting[m.first];
        if r.start == r.end {
            *r = k..k + 1;
        } else {
            r.end = k + 1;
        }
    }
    type Key = ((bool, u64, usize), Reverse<usize>, Reverse<usize>);
    let mut best: Option<(Key, Core)> = None;
    let mut consider = |key: Key, core: Core| {
        if best.as_ref().is_none_or(|(b, _)| key > *b) {
            best = Some((key, core));
        }
    };
    let mut pending: Vec<usize> = Vec::new();
    for i in 0..sentences.len() {
        if starting[i].is_empty() {
            continue;
        }
        let s = &sentences[i];
        if chars.sentences[i].len() > max_chars {
            // A long sentence: the best stretch of its own matches, each
            // anchoring a stretch as long as the room less the lead-in
            // `trim` gives it.
            let reach = max_chars - max_chars / 4;
            let own: Vec<usize> = starting[i]
                .clone()
                .filter(|&k| marks[k].last == i)
                .collect();
            let mut y = 0;
            for x in 0..own.len() {
                let from = chars.marks[own[x]].start;
                if y <= x {
                    tally.add(marks[own[x]].pattern);
                    y = x + 1;
                }
                while let Some(&k) = own.get(y) {
                    if chars.marks[k].end - from > reach {
                        break;
                    }
                    tally.add(marks[k].pattern);
                    y += 1;
                }
                let (a, b) = (&marks[own[x]], &marks[own[y - 1]]);
                let keep = a.bytes.start..a.bytes.end.max(b.bytes.end);
                consider(
                    (tally.key(), Reverse(1), Reverse(keep.start)),
                    Core::Long { sentence: i, keep },
                );
                tally.remove(a.pattern);
            }
            // Every anchor was added and then removed: the tally is empty.
            continue;
        }
        // Sentences i..=j of one run that fit; a match counts once the
        // sentence it ends in is in.
        let mut added: Vec<usize> = Vec::new();
        pending.clear();
        for (j, t) in sentences.iter().enumerate().skip(i) {
            if t.run != s.run || chars.sentences[j].end - chars.sentences[i].start > max_chars {
                break;
            }
            pending.extend(starting[j].clone());
            pending.retain(|&k| {
                let done = marks[k].last <= j;
                if done {
                    tally.add(marks[k].pattern);
                    added.push(k);
                }
                !done
            });
            consider(
                (tally.key(), Reverse(j - i + 1), Reverse(s.bytes.start)),
                Core::Fits { first: i, last: j },
            );
        }
        for k in added {
            tally.remove(marks[k].pattern);
        }
    }
    best.map(|(_, core)| core)
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
pub(super) const CONTEXT_REACH: usize = 4096;

pub(super) fn context_in(
    text: &str,
    span: &Range<usize>,
    marks: &[Range<usize>],
    max_chars: usize,
) -> Snippet {
    // A passage or a quote: nothing in it is a heading.
    let Layout { runs, sentences } = layout(text, Kind::Paragraph);
    let holding = |b: usize| {
        let i = sentences.partition_point(|s| s.bytes.start <= b);
        (i > 0 && b <= sentences[i - 1].bytes.end).then(|| &sentences[i - 1])
    };
    let first = holding(span.start);
    let last = holding(span.end.saturating_sub(1).max(span.start));
    let bounds =
        first.map_or(0, |s| runs[s.run].start)..last.map_or(text.len(), |s| runs[s.run].end);
    let mut window = first.map_or(span.start, |s| s.bytes.start)
        ..last.map_or(span.end, |s| s.bytes.end.max(span.end));
    let chars = |r: &Range<usize>| text[r.clone()].chars().count();
    // The span itself is always shown; `max_chars` bounds what surrounds it.
    let total = max_chars + chars(span);
    if chars(&window) > total {
        // About a quarter of the room before the span, the rest after.
        window = trim(text, window, span.clone(), max_chars / 4, total);
    }
    write(text, window, bounds, marks.iter().cloned())
}

/// Cuts `within` to about `total` characters at word bounds, showing `keep`
/// whole with up to `before` characters before it.
pub(super) fn trim(
    text: &str,
    within: Range<usize>,
    keep: Range<usize>,
    before: usize,
    total: usize,
) -> Range<usize> {
    // Walk back `before` characters (fewer if `keep` needs the room), then
    // forward to a word start.
    let before = before.min(total.saturating_sub(text[keep.clone()].chars().count()));
    let lead: usize = text[within.start..keep.start]
        .chars()
        .rev()
        .take(before)
        .map(char::len_utf8)
        .sum();
    let mut start = keep.start - lead;
    if start > within.start {
        start += after_first_space(&text[start..keep.start]).unwrap_or(keep.start - start);
    }
    let room = total.saturating_sub(text[start..keep.start].chars().count());
    let ahead: usize = text[keep.start..within.end]
        .chars()
        .take(room)
        .map(char::len_utf8)
        .sum();
    let mut end = (keep.start + ahead).max(keep.end);
    if end < within.end {
        // Back to the last whole word (text without spaces is cut as is).
        if let Some(sp) = text[keep.end..end].rfind(char::is_whitespace) {
            end = keep.end + sp;
        }
    }
    let shown = text[keep.end..end].trim_end();
    start..keep.end + shown.len()
}

/// Where the text after the first whitespace starts. (Whitespace is not
/// always one byte: a no-break space is two, an en quad three; found by
/// fuzzing the quote matcher.)
pub(super) fn after_first_space(s: &str) -> Option<usize> {
    s.char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())
}

/// The one writer of snippets and contexts: `text[window]` with line breaks
/// and tabs as spaces, `…` where the passage (`bounds`) goes on past the
/// window, and the parts of `marks` inside the window, merged, in order.
pub(super) fn write(
    text: &str,
    window: Range<usize>,
    bounds: Range<usize>,
    marks: impl Iterator<Item = Range<usize>>,
) -> Snippet {
    let mut out = String::with_capacity(window.len() + 2 * ELLIPSIS.len());
    if window.start > bounds.start {
        out.push_str(ELLIPSIS);
    }
    let shift = out.len() as isize - window.start as isize;
    out.extend(text[window.clone()].chars().map(|c| match c {
        '\n' | '\r' | '\t' => ' ',
        c => c,
    }));
    if window.end < bounds.end {
        out.push_str(ELLIPSIS);
    }
    let mut highlights: Vec<Range<usize>> = marks
        .filter(|r| r.start < window.end && r.end > window.start)
        .map(|r| {
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
