//! Invariants of the parsers, asserted on any input.
//!
//! The fuzz targets in `fuzz/` call these on whatever libFuzzer generates,
//! and the normal test run calls them on every input kept in
//! `tests/data/fuzz/` and on generated inputs (`tests/reliability.rs`), so a
//! fuzz finding stays a regression test without a nightly toolchain.
//!
//! Each function panics when an invariant fails: that is what a fuzzer
//! looks for. None panics on input the library rejects cleanly.

use std::collections::HashSet;
use std::ops::Range;

use crate::article::Article;
use crate::corpus;
use crate::highlight;
use crate::limits::MAX_QUERY_BYTES;
use crate::query::Query;
use crate::quote;
use crate::text::Analyzer;

/// Whether `r` slices `text` (in bounds, on character boundaries).
fn slices(text: &str, r: &Range<usize>) -> bool {
    r.start <= r.end
        && r.end <= text.len()
        && text.is_char_boundary(r.start)
        && text.is_char_boundary(r.end)
}

/// Where each line starts, counting `\n`, `\r\n` and lone `\r` as line
/// ends, as the parser does.
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = vec![0];
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            out.push(i + 1);
        }
    }
    out
}

/// 1-based line of a byte offset.
fn line_of(starts: &[usize], byte: usize) -> usize {
    starts.partition_point(|&s| s <= byte)
}

/// The `article` fuzz target: [`check_article`] on raw bytes.
pub fn fuzz_article(data: &[u8]) {
    check_article(data);
}

/// The `query` fuzz target: [`check_query`] on the input, if it is text.
pub fn fuzz_query(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        check_query(s);
    }
}

/// The `quote` fuzz target: the input, if it is text, split at its first
/// NUL into a quote and a passage (without a NUL, both are the whole
/// input), through [`check_quote_match`].
pub fn fuzz_quote(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let (quote, passage) = s.split_once('\0').unwrap_or((s, s));
        check_quote_match(quote, passage);
    }
}

/// Parses `bytes` as an article. When the parser accepts them: every
/// section, heading and passage range slices the file; passages are in file
/// order, trimmed, non-empty, inside their section, with the right line
/// numbers; and the documents built from it hold exactly those bytes, under
/// IDs unique in the file.
pub fn check_article(bytes: &[u8]) {
    let Ok(article) = Article::parse_bytes(bytes) else {
        return;
    };
    let text = std::str::from_utf8(bytes).expect("an accepted article is UTF-8");
    assert!(!article.title.trim().is_empty(), "empty title");
    assert!(!article.sections.is_empty(), "no lead section");
    let starts = line_starts(text);
    for s in &article.sections {
        assert!(slices(text, &s.bytes), "section bytes {:?}", s.bytes);
        assert!(slices(text, &s.heading), "heading bytes {:?}", s.heading);
        assert!(s.line_start <= s.line_end, "section lines");
        assert_eq!(line_of(&starts, s.heading.start), s.line_start);
        assert!(
            (1..=6).contains(&s.level),
            "heading level {} out of 1..=6",
            s.level
        );
        if let Some(last) = s.path.last() {
            assert_eq!(last, &text[s.heading.clone()]);
        }
    }
    let mut prev_end = 0;
    for p in &article.passages {
        assert!(slices(text, &p.bytes), "passage bytes {:?}", p.bytes);
        let body = &text[p.bytes.clone()];
        assert!(!body.trim().is_empty(), "empty passage at {:?}", p.bytes);
        assert_eq!(body, body.trim(), "untrimmed passage at {:?}", p.bytes);
        assert!(p.bytes.start >= prev_end, "passages out of order");
        prev_end = p.bytes.end;
        assert!(p.line_start <= p.line_end);
        assert_eq!(line_of(&starts, p.bytes.start), p.line_start);
        assert_eq!(line_of(&starts, p.bytes.end), p.line_end);
        let s = &article.sections[p.section];
        assert!(
            s.bytes.start <= p.bytes.start && p.bytes.end <= s.bytes.end,
            "passage {:?} outside its section {:?}",
            p.bytes,
            s.bytes
        );
    }
    let docs = corpus::documents("f.txt", text, &article, &mut corpus::Ids::default());
    let mut ids = HashSet::new();
    for d in &docs {
        assert_eq!(d.text, text[d.byte_start..d.byte_end]);
        assert!(ids.insert(d.id.clone()), "duplicate id {}", d.id);
        assert!(d.column >= 1);
    }
}

/// Parses `input` as a query. When the parser accepts it, its canonical
/// form (what `read_as` shows) must parse to the same query.
pub fn check_query(input: &str) {
    let Ok(q) = Query::parse(input) else {
        return;
    };
    let canonical = q.to_string();
    // `kind:p` reads as `kind:paragraph`: a canonical form can outgrow the
    // limit the input was under.
    if canonical.len() > MAX_QUERY_BYTES {
        return;
    }
    let again = Query::parse(&canonical).unwrap_or_else(|e| {
        panic!("canonical form {canonical:?} of {input:?} does not parse: {e}")
    });
    let without_notes = |mut q: Query| {
        q.notes.clear();
        q
    };
    assert_eq!(
        without_notes(again),
        without_notes(q),
        "canonical form {canonical:?} of {input:?} reads differently"
    );
}

/// Matches `quote` against `passage` as `cite` does. Every exact match and
/// the closest stretch slice the passage, in order, with a similarity in
/// 0..=1, and the context around each match marks exactly it. And a stretch
/// of the passage's own words, quoted, is found exactly.
pub fn check_quote_match(quote: &str, passage: &str) {
    if quote::check_quote(quote).is_ok() {
        let (exact, closest) = quote::match_text(quote, passage);
        let mut prev_end = 0;
        for r in &exact {
            assert!(slices(passage, r), "match {r:?}");
            assert!(r.start >= prev_end, "matches out of order");
            prev_end = r.end;
            let ctx = highlight::context(passage, r, std::slice::from_ref(r), 300);
            assert_eq!(ctx.highlights.len(), 1, "context of {r:?}");
            let h = &ctx.highlights[0];
            assert!(slices(&ctx.text, h), "highlight {h:?}");
            let shown: String = passage[r.clone()]
                .chars()
                .map(|c| {
                    if matches!(c, '\n' | '\r' | '\t') {
                        ' '
                    } else {
                        c
                    }
                })
                .collect();
            assert_eq!(ctx.text[h.clone()], shown);
        }
        if let Some((r, similarity)) = closest {
            assert!(slices(passage, &r), "closest {r:?}");
            assert!((0.0..=1.0).contains(&similarity), "similarity {similarity}");
        }
    }
    // Self-match: the middle third of the passage's words, quoted.
    let words = Analyzer::default().words(passage);
    if words.is_empty() {
        return;
    }
    let (i, j) = (
        words.len() / 3,
        (2 * words.len()).div_ceil(3).max(words.len() / 3 + 1),
    );
    let stretch = &passage[words[i].bytes.start..words[j - 1].bytes.end];
    if quote::check_quote(stretch).is_err() {
        return;
    }
    let (exact, _) = quote::match_text(stretch, passage);
    assert!(
        !exact.is_empty(),
        "{stretch:?} is not found in {passage:?}, which holds it"
    );
}
