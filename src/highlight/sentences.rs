//! A passage as runs (a paragraph or list item, its lines joined) and
//! sentences, with character offsets: what a window is cut from.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::article;
use crate::query::Kind;

/// A sentence of the passage (byte range) and the run it belongs to.
pub(super) struct Sentence {
    pub(super) bytes: Range<usize>,
    pub(super) run: usize,
}

/// A text cut into runs (stretches read as one: a paragraph or list item,
/// its lines joined) and their sentences.
pub(super) struct Layout {
    pub(super) runs: Vec<Range<usize>>,
    pub(super) sentences: Vec<Sentence>,
}

/// The lines of `text` with their byte offsets, without line ends (`\n`,
/// `\r\n` or a lone `\r`, as the article parser splits them).
pub(super) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let from = start;
        let mut i = from;
        while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
            i += 1;
        }
        start = match bytes.get(i) {
            Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => i + 2,
            Some(_) => i + 1,
            None => i,
        };
        Some((from, &text[from..i]))
    })
}

/// Splits `text` into runs and sentences. Blank lines end a run. In a
/// section's text, heading lines (by the article parser's rule) are skipped
/// and a list item starts a new run, as they start passages; a paragraph's
/// text is never cut that way, so a paragraph starting with `=` shows.
pub(super) fn layout(text: &str, kind: Kind) -> Layout {
    let section = kind == Kind::Section;
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut open: Option<Range<usize>> = None;
    for (start, line) in lines(text) {
        let blank = line.trim().is_empty();
        let heading = section && !blank && article::is_heading_line(line);
        let item = section && !blank && article::is_list_item_line(line);
        if blank || heading || item {
            runs.extend(open.take());
        }
        if blank || heading {
            continue;
        }
        let end = start + line.trim_end().len();
        match &mut open {
            Some(run) => run.end = end,
            None => open = Some(start + line.len() - line.trim_start().len()..end),
        }
    }
    runs.extend(open);
    let mut sentences = Vec::new();
    let mut flat = String::new();
    for (k, run) in runs.iter().enumerate() {
        // Sentence bounds fall at line breaks, so a hard-wrapped paragraph
        // is segmented as the one line it is read as (same byte lengths).
        flat.clear();
        flat.extend(text[run.clone()].chars().map(|c| match c {
            '\n' | '\r' => ' ',
            c => c,
        }));
        for (off, s) in flat.split_sentence_bound_indices() {
            let trimmed = s.trim_end();
            if trimmed.is_empty() {
                continue;
            }
            let b = run.start + off;
            sentences.push(Sentence {
                bytes: b..b + trimmed.len(),
                run: k,
            });
        }
    }
    Layout { runs, sentences }
}

/// Character counts at chosen byte offsets of a text, counted in one pass
/// (a snippet compares the lengths of many windows of one long passage).
pub(super) struct CharsAt(Vec<(usize, usize)>);

impl CharsAt {
    pub(super) fn new(text: &str, mut offsets: Vec<usize>) -> CharsAt {
        offsets.sort_unstable();
        offsets.dedup();
        let mut at = Vec::with_capacity(offsets.len());
        let (mut byte, mut chars) = (0, 0);
        for b in offsets {
            chars += text[byte..b].chars().count();
            byte = b;
            at.push((b, chars));
        }
        CharsAt(at)
    }

    /// Characters before byte `b`, which must be one of the offsets.
    pub(super) fn of(&self, b: usize) -> usize {
        let i = self.0.partition_point(|&(x, _)| x < b);
        self.0[i].1
    }
}

/// The sentences and marks of a snippet, in character offsets.
pub(super) struct Chars {
    pub(super) sentences: Vec<Range<usize>>,
    pub(super) marks: Vec<Range<usize>>,
}
