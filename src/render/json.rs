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
//!
//! `passage cite --json`:
//!
//! ```json
//! {"quote": "...", "matches": [
//!   {"match": "exact", "id": "p…", "article": "Iran–Syria relations",
//!    "section": ["History and overview", "Syrian Civil War (2011–2024)"], "paragraph": 1,
//!    "file": "corpus/iran-syria-relations.txt", "line": 52, "column": 190,
//!    "byte_start": 0, "byte_end": 0, "text": "…as printed in the article…",
//!    "citation": "…", "context": "…", "highlights": [[0, 5]]}],
//!  "exact_total": 1, "notes": []}
//! ```
//!
//! Approximate matches add `"similarity"` (0..1) and `"differences"`:
//! `[{"quote": "balance", "article": "counterweight"}]` (`null` on the side
//! that has no words there).

use std::io::{self, Write};

use serde::Serialize;

use crate::check::Report as CheckReport;
use crate::corpus::Document;
use crate::index::Report;
use crate::quote::{CiteMatch, CiteResults, MatchKind};
use crate::search::{Hit, Results};
use crate::sections::Toc;
use crate::show::Shown;

/// Writes `value` as JSON with every control character escaped: serde_json
/// escapes C0 controls (below U+0020) but passes C1 controls
/// (U+0080–U+009F) through raw, and U+009B is a terminal's 8-bit CSI, as
/// able to move a cursor or retitle a window as ESC `[` when a script
/// prints a field.
fn to_writer<W: Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, EscapeControls);
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// serde_json's compact formatter, escaping C1 controls too.
struct EscapeControls;

impl serde_json::ser::Formatter for EscapeControls {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // In UTF-8 every C1 control is 0xC2 then 0x80..=0x9F.
        if !fragment.as_bytes().contains(&0xC2) {
            return out.write_all(fragment.as_bytes());
        }
        let mut from = 0;
        for (at, c) in fragment.char_indices() {
            if ('\u{80}'..='\u{9f}').contains(&c) {
                out.write_all(&fragment.as_bytes()[from..at])?;
                write!(out, "\\u{:04x}", u32::from(c))?;
                from = at + c.len_utf8();
            }
        }
        out.write_all(&fragment.as_bytes()[from..])
    }
}

#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total: usize,
    /// How many of `total` hold every content word.
    total_every_word: usize,
    hits: Vec<JsonHit<'a>>,
    notes: Vec<&'a str>,
    read_as: &'a str,
    suggestions: Vec<JsonSuggestion<'a>>,
}

#[derive(Serialize)]
struct JsonSuggestion<'a> {
    word: &'a str,
    did_you_mean: &'a [String],
    /// The word searched for instead (`null`: none, the typed word was
    /// searched as it is).
    searched_for: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonExplain<'a> {
    tier: &'static str,
    parts: Vec<JsonPart<'a>>,
    section_weight: Option<f32>,
}

#[derive(Serialize)]
struct JsonPart<'a> {
    what: &'a str,
    score: f32,
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
    group: usize,
    grouped_under: Option<&'a str>,
    /// The documents listed under this result (its text overlaps theirs),
    /// in rank order: `hits` holds results only, so `-n` counts them.
    also: Vec<JsonHit<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<JsonExplain<'a>>,
    /// With `-B`/`-C`: the paragraphs before it, in article order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    before: Vec<JsonPassage<'a>>,
    /// With `-A`/`-C`: the paragraphs after it, in article order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    after: Vec<JsonPassage<'a>>,
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
            group: h.group,
            grouped_under: h.grouped_under.as_deref(),
            also: Vec::new(),
            before: h.before.iter().rev().map(JsonPassage::from).collect(),
            after: h.after.iter().map(JsonPassage::from).collect(),
            explain: h.explain.as_ref().map(|e| JsonExplain {
                tier: e.tier.as_str(),
                parts: e
                    .parts
                    .iter()
                    .map(|(what, score)| JsonPart {
                        what,
                        score: *score,
                    })
                    .collect(),
                section_weight: e.section_weight,
            }),
        }
    }
}

/// The results, each with the documents listed under it in `also`.
fn nested(hits: &[Hit]) -> Vec<JsonHit<'_>> {
    let mut out: Vec<JsonHit<'_>> = Vec::new();
    for h in hits {
        match out.last_mut() {
            Some(leader) if h.grouped_under.is_some() => leader.also.push(JsonHit::from(h)),
            _ => out.push(JsonHit::from(h)),
        }
    }
    out
}

/// Writes search results as one JSON object and a newline.
pub fn results<W: Write>(out: &mut W, r: &Results) -> io::Result<()> {
    let doc = JsonResults {
        query: &r.query,
        total: r.total,
        total_every_word: r.every_word_total,
        hits: nested(&r.hits),
        notes: r
            .notes
            .iter()
            .chain(&r.filter_notes)
            .map(String::as_str)
            .collect(),
        read_as: &r.read_as,
        suggestions: r
            .suggestions
            .iter()
            .map(|s| JsonSuggestion {
                word: &s.word,
                did_you_mean: &s.did_you_mean,
                searched_for: s.searched_for.as_deref(),
            })
            .collect(),
    };
    to_writer(&mut *out, &doc)?;
    writeln!(out)
}

#[derive(Serialize)]
struct JsonCount<'a> {
    file: &'a str,
    count: usize,
}

/// Writes `search -c`'s counts: `{"files": [{"file", "count"}]}`.
pub fn counts<W: Write>(out: &mut W, counts: &[(String, usize)]) -> io::Result<()> {
    #[derive(Serialize)]
    struct JsonCounts<'a> {
        files: Vec<JsonCount<'a>>,
    }
    let doc = JsonCounts {
        files: counts
            .iter()
            .map(|(file, count)| JsonCount {
                file,
                count: *count,
            })
            .collect(),
    };
    to_writer(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes an update report as one JSON object and a newline.
pub fn report<W: Write>(out: &mut W, r: &Report) -> io::Result<()> {
    to_writer(&mut *out, r)?;
    writeln!(out)
}

#[derive(Serialize)]
struct JsonCite<'a> {
    quote: &'a str,
    matches: Vec<JsonCiteMatch<'a>>,
    exact_total: usize,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonDifference<'a> {
    quote: Option<&'a str>,
    article: Option<&'a str>,
    spelling_variant: bool,
}

#[derive(Serialize)]
struct JsonCiteMatch<'a> {
    #[serde(rename = "match")]
    kind: &'static str,
    id: &'a str,
    article: &'a str,
    section: &'a [String],
    paragraph: Option<usize>,
    file: &'a str,
    line: usize,
    column: usize,
    byte_start: usize,
    byte_end: usize,
    text: &'a str,
    citation: &'a str,
    context: &'a str,
    highlights: Vec<[usize; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    differences: Option<Vec<JsonDifference<'a>>>,
}

impl<'a> From<&'a CiteMatch> for JsonCiteMatch<'a> {
    fn from(m: &'a CiteMatch) -> Self {
        let (kind, similarity, differences) = match &m.kind {
            MatchKind::Exact => ("exact", None, None),
            MatchKind::Approximate {
                similarity,
                differences,
            } => (
                "approximate",
                Some(*similarity),
                Some(
                    differences
                        .iter()
                        .map(|d| JsonDifference {
                            quote: d.quote.as_deref(),
                            article: d.article.as_deref(),
                            spelling_variant: d.spelling_variant,
                        })
                        .collect(),
                ),
            ),
        };
        JsonCiteMatch {
            kind,
            id: &m.doc.id,
            article: &m.doc.article,
            section: &m.doc.section,
            paragraph: m.doc.paragraph,
            file: &m.doc.file,
            line: m.line,
            column: m.column,
            byte_start: m.byte_start,
            byte_end: m.byte_end,
            text: &m.text,
            citation: &m.citation,
            context: &m.context.text,
            highlights: m
                .context
                .highlights
                .iter()
                .map(|r| [r.start, r.end])
                .collect(),
            similarity,
            differences,
        }
    }
}

/// Writes `cite` results as one JSON object and a newline.
pub fn cite<W: Write>(out: &mut W, r: &CiteResults) -> io::Result<()> {
    let doc = JsonCite {
        quote: &r.quote,
        matches: r.matches.iter().map(JsonCiteMatch::from).collect(),
        exact_total: r.exact_total,
        notes: &r.notes,
    };
    to_writer(&mut *out, &doc)?;
    writeln!(out)
}

#[derive(Serialize)]
struct JsonPassage<'a> {
    id: &'a str,
    kind: &'static str,
    article: &'a str,
    section: &'a [String],
    paragraph: Option<usize>,
    file: &'a str,
    line_start: usize,
    line_end: usize,
    column: usize,
    byte_start: usize,
    byte_end: usize,
    years: &'a [i64],
    text: &'a str,
}

impl<'a> From<&'a Document> for JsonPassage<'a> {
    fn from(d: &'a Document) -> Self {
        JsonPassage {
            id: &d.id,
            kind: d.kind.as_str(),
            article: &d.article,
            section: &d.section,
            paragraph: d.paragraph,
            file: &d.file,
            line_start: d.line_start,
            line_end: d.line_end,
            column: d.column,
            byte_start: d.byte_start,
            byte_end: d.byte_end,
            years: &d.years,
            text: &d.text,
        }
    }
}

#[derive(Serialize)]
struct JsonShow<'a> {
    id: &'a str,
    status: &'static str,
    passages: Vec<JsonPassage<'a>>,
    closest: Option<JsonPassage<'a>>,
    message: String,
}

/// Writes what `show` found as one JSON object:
/// `{"id", "status": "found"|"edited"|"removed"|"unknown", "passages": [...],
/// "closest": {...passage...}|null, "message"}`.
pub fn show<W: Write>(out: &mut W, s: &Shown, asked: &str) -> io::Result<()> {
    let (status, docs, closest): (&str, &[Document], _) = match s {
        Shown::Found { docs } => ("found", docs, None),
        Shown::Edited { docs, .. } => ("edited", docs, None),
        Shown::Removed { closest, .. } => {
            ("removed", &[], closest.as_deref().map(JsonPassage::from))
        }
        Shown::Unknown { .. } => ("unknown", &[], None),
    };
    let doc = JsonShow {
        id: asked,
        status,
        passages: docs.iter().map(JsonPassage::from).collect(),
        closest,
        message: s.message(),
    };
    to_writer(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes the table of contents: `{"articles": [{"article", "file",
/// "sections": [{"section", "paragraphs", "total", "id", "matched"}]}],
/// "notes": [...]}` (`matched` is false for a section listed only as the
/// parent of one the filters picked).
pub fn sections<W: Write>(out: &mut W, toc: &Toc) -> io::Result<()> {
    to_writer(&mut *out, toc)?;
    writeln!(out)
}

/// Writes one document as a JSON line for `passage export --ndjson`: the
/// fields of `passage show --json`'s passages (`id`, `kind`, `article`,
/// `section`, `paragraph`, `file`, `line_start`, `line_end`, `column`,
/// `byte_start`, `byte_end`, `years`, `text`).
pub fn document_line<W: Write>(out: &mut W, d: &Document) -> io::Result<()> {
    to_writer(&mut *out, &JsonPassage::from(d))?;
    writeln!(out)
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    drafts: &'a [String],
    quotes: Vec<JsonQuote<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonQuote<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    quote: &'a str,
    status: &'static str,
    matches: Vec<JsonCiteMatch<'a>>,
    words: usize,
    block: bool,
    byte_start: usize,
    byte_end: usize,
    exact_total: usize,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonSummary {
    exact: usize,
    misquoted: usize,
    missing: usize,
    skipped: usize,
}

/// Writes `check` results as one JSON object and a newline.
pub fn check<W: Write>(out: &mut W, r: &CheckReport) -> io::Result<()> {
    let doc = JsonCheck {
        drafts: &r.drafts,
        quotes: r
            .quotes
            .iter()
            .map(|q| JsonQuote {
                file: &q.file,
                line: q.quotation.line,
                column: q.quotation.column,
                quote: &q.quotation.text,
                status: q.status.as_str(),
                matches: q
                    .cite
                    .iter()
                    .flat_map(|c| c.matches.iter().map(JsonCiteMatch::from))
                    .collect(),
                words: q.words,
                block: q.quotation.block,
                byte_start: q.quotation.bytes.start,
                byte_end: q.quotation.bytes.end,
                exact_total: q.cite.as_ref().map_or(0, |c| c.exact_total),
                notes: q.cite.as_ref().map_or(&[], |c| c.notes.as_slice()),
            })
            .collect(),
        summary: JsonSummary {
            exact: r.summary.exact,
            misquoted: r.summary.misquoted,
            missing: r.summary.missing,
            skipped: r.summary.skipped,
        },
    };
    to_writer(&mut *out, &doc)?;
    writeln!(out)
}
