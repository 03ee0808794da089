//! Human output: a location line and a snippet per hit, matches in colour on
//! a terminal or between `[` `]` otherwise.

use std::io::{self, Write};

use crate::cite::{CiteResults, MatchKind};
use crate::corpus::Document;
use crate::highlight::Snippet;
use crate::index::BuildReport;
use crate::search::Results;

/// How to mark matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// ANSI colours.
    Color,
    /// `[match]` brackets, readable in a pipe or a file.
    Plain,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const PATH: &str = "\x1b[35m";
const LOCATION: &str = "\x1b[32m";

/// `Article › Section › Subsection ¶N` for a paragraph; a section ends in
/// `(section)` instead.
pub fn location(d: &Document) -> String {
    let mut s = d.article.clone();
    for h in &d.section {
        s.push_str(" › ");
        s.push_str(h);
    }
    match d.paragraph {
        Some(n) => s.push_str(&format!(" ¶{n}")),
        None => s.push_str(" (section)"),
    }
    s
}

/// Writes ranked hits.
pub fn results<W: Write>(out: &mut W, r: &Results, style: Style) -> io::Result<()> {
    let paint = |code: &str, s: &str| match style {
        Style::Color => format!("{code}{s}{RESET}"),
        Style::Plain => s.to_string(),
    };
    for (i, hit) in r.hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let d = &hit.doc;
        writeln!(
            out,
            "{} {}  {}",
            paint(BOLD, &format!("{}.", hit.rank)),
            paint(PATH, &sanitize(&location(d))),
            paint(LOCATION, &format!("{}:{}", sanitize(&d.file), d.line_start)),
        )?;
        writeln!(out, "   {}", marked(&hit.snippet, style))?;
    }
    Ok(())
}

/// A snippet with its highlights coloured or bracketed, made safe.
fn marked(snippet: &Snippet, style: Style) -> String {
    let text = &snippet.text;
    let mut line = String::new();
    let mut at = 0;
    for h in &snippet.highlights {
        if h.start < at || h.end > text.len() {
            continue;
        }
        line.push_str(&sanitize(&text[at..h.start]));
        let m = sanitize(&text[h.clone()]);
        match style {
            Style::Color => line.push_str(&format!("{MATCH}{m}{RESET}")),
            Style::Plain => line.push_str(&format!("[{m}]")),
        }
        at = h.end;
    }
    line.push_str(&sanitize(&text[at..]));
    line
}

/// Writes `cite` results: per match the citation, `file:line:column`, and
/// the sentence around it with the quote marked; an approximate match also
/// shows the quote with the words that differ marked.
pub fn cite<W: Write>(out: &mut W, r: &CiteResults, style: Style) -> io::Result<()> {
    let paint = |code: &str, s: &str| match style {
        Style::Color => format!("{code}{s}{RESET}"),
        Style::Plain => s.to_string(),
    };
    for (i, m) in r.matches.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let kind = match &m.kind {
            MatchKind::Exact => "exact".to_string(),
            MatchKind::Approximate { similarity, .. } => {
                format!("approximate, similarity {similarity:.2}")
            }
        };
        writeln!(
            out,
            "{} {}  {}",
            paint(BOLD, &format!("{}. {kind}", i + 1)),
            paint(PATH, &sanitize(&m.citation)),
            paint(
                LOCATION,
                &format!("{}:{}:{}", sanitize(&m.doc.file), m.line, m.column)
            ),
        )?;
        match &m.quote_marked {
            None => writeln!(out, "   {}", marked(&m.context, style))?,
            Some(q) => {
                writeln!(out, "   article: {}", marked(&m.context, style))?;
                writeln!(out, "   quote:   {}", marked(q, style))?;
            }
        }
    }
    Ok(())
}

/// Writes the one-line summary of a build.
pub fn build_report<W: Write>(out: &mut W, r: &BuildReport) -> io::Result<()> {
    writeln!(
        out,
        "indexed {} article{}: {} sections, {} paragraphs in {:.2}s -> {}",
        r.articles,
        if r.articles == 1 { "" } else { "s" },
        r.sections,
        r.paragraphs,
        r.seconds,
        r.index
    )?;
    if !r.skipped.is_empty() {
        writeln!(
            out,
            "skipped {} file(s) (see messages above)",
            r.skipped.len()
        )?;
    }
    Ok(())
}

/// Makes text safe for a terminal: control characters, ANSI escapes and
/// bidi overrides become visible escapes instead of acting on the terminal.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            match c {
                '\n' | '\r' | '\t' => out.push(' '),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_neutralizes_escapes_and_bidi() {
        assert_eq!(sanitize("a\x1b]0;pwned\x07b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(sanitize("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(sanitize("plain – text"), "plain – text");
    }
}
