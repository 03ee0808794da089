//! The JSON contract: one object per command, field names promised to
//! scripts (new fields may be added; none is renamed or dropped).
//!
//! `passage search --json`:
//!
//! ```json
//! {"query": "...", "total": 3, "hits": [
//!   {"rank": 1, "score": 7.1, "id": "p…", "kind": "paragraph",
//!    "article": "Iran–Syria relations",
//!    "section": ["History and overview", "Syrian Civil War (2011–2024)"],
//!    "paragraph": 1, "file": "corpus/iran-syria-relations.txt",
//!    "line_start": 52, "line_end": 52, "byte_start": 0, "byte_end": 0,
//!    "years": [2011], "snippet": "...", "highlights": [[34, 40]]}]}
//! ```

use std::io::{self, Write};

use serde::Serialize;

use crate::index::BuildReport;
use crate::search::{Hit, Results};

#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total: usize,
    hits: Vec<JsonHit<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    score: f32,
    id: &'a str,
    kind: &'static str,
    article: &'a str,
    section: &'a [String],
    paragraph: Option<usize>,
    file: &'a str,
    line_start: usize,
    line_end: usize,
    byte_start: usize,
    byte_end: usize,
    years: &'a [i64],
    snippet: &'a str,
    highlights: Vec<[usize; 2]>,
    complete: bool,
}

impl<'a> From<&'a Hit> for JsonHit<'a> {
    fn from(h: &'a Hit) -> Self {
        let d = &h.doc;
        JsonHit {
            rank: h.rank,
            score: h.score,
            id: &d.id,
            kind: d.kind.as_str(),
            article: &d.article,
            section: &d.section,
            paragraph: d.paragraph,
            file: &d.file,
            line_start: d.line_start,
            line_end: d.line_end,
            byte_start: d.byte_start,
            byte_end: d.byte_end,
            years: &d.years,
            snippet: &h.snippet.text,
            highlights: h
                .snippet
                .highlights
                .iter()
                .map(|r| [r.start, r.end])
                .collect(),
            complete: h.complete,
        }
    }
}

/// Writes search results as one JSON object and a newline.
pub fn results<W: Write>(out: &mut W, r: &Results) -> io::Result<()> {
    let doc = JsonResults {
        query: &r.query,
        total: r.total,
        hits: r.hits.iter().map(JsonHit::from).collect(),
        notes: &r.notes,
    };
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes a build report as one JSON object and a newline.
pub fn build_report<W: Write>(out: &mut W, r: &BuildReport) -> io::Result<()> {
    serde_json::to_writer(&mut *out, r)?;
    writeln!(out)
}
