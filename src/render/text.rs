//! Human output: a location line and a snippet per hit, matches in colour on
//! a terminal or between `[` `]` otherwise.

use std::io::{self, Write};

use crate::check::{Report as CheckReport, Status};
use crate::corpus::Document;
use crate::highlight::Snippet;
use crate::index::{Change, Report};
use crate::limits::{MAX_LISTED_UNDER, MAX_PLACES, MAX_QUOTE_SHOWN};
use crate::quote::{CiteResults, MatchKind};
use crate::search::{Hit, Results, Tier};
use crate::sections::ArticleSections;
use crate::show::Shown;

/// How to mark matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// ANSI colours.
    Color,
    /// Each match between two marks (`[match]` by default), readable in a
    /// pipe or a file; the text's own marks are escaped with a backslash
    /// (`\[to Israel\]`), so that a match can always be told from them.
    Plain(Marks),
}

/// The marks around a match in plain output (`--marks OPEN,CLOSE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marks {
    /// Before a match.
    pub open: &'static str,
    /// After a match.
    pub close: &'static str,
}

impl Default for Marks {
    fn default() -> Self {
        Marks {
            open: "[",
            close: "]",
        }
    }
}

impl Marks {
    /// `text` with each of the marks it holds escaped by a backslash, and
    /// each backslash before one, so that the text reads back as itself.
    fn escape(self, text: &str) -> String {
        let mark_at = |s: &str| {
            [self.open, self.close]
                .into_iter()
                .find(|m| !m.is_empty() && s.starts_with(m))
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(m) = mark_at(rest) {
                out.push('\\');
                out.push_str(m);
                rest = &rest[m.len()..];
                continue;
            }
            if c == '\\' && mark_at(&rest[1..]).is_some() {
                out.push('\\');
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

impl Style {
    /// `s` in the colour `code` on a terminal, as it is otherwise.
    fn paint(self, code: &str, s: &str) -> String {
        match self {
            Style::Color => format!("{code}{s}{RESET}"),
            Style::Plain(_) => s.to_string(),
        }
    }
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const PATH: &str = "\x1b[35m";
const LOCATION: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const EXACT: &str = "\x1b[32m";
const MISQUOTED: &str = "\x1b[33m";

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
    let paint = |code: &str, s: &str| style.paint(code, s);
    let leaders = r
        .hits
        .iter()
        .enumerate()
        .filter(|(_, h)| h.grouped_under.is_none());
    for (n, (i, hit)) in leaders.enumerate() {
        let d = &hit.doc;
        if n > 0 {
            writeln!(out)?;
        }
        // The ID last and dim: there for `show` and `related`, out of the
        // way of reading.
        writeln!(
            out,
            "{} {}  {}  {}",
            paint(BOLD, &format!("{}.", hit.group)),
            paint(PATH, &sanitize(&location(d))),
            paint(LOCATION, &format!("{}:{}", sanitize(&d.file), d.line_start)),
            paint(DIM, &sanitize(&d.id)),
        )?;
        // The paragraphs around it (`-B`, `-A`, `-C`), as ripgrep marks
        // context lines: `line-` before the text.
        let around = |out: &mut W, docs: &mut dyn Iterator<Item = &Document>| -> io::Result<()> {
            for c in docs {
                let text = format!("{}- {}", c.line_start, sanitize(&c.text.replace('\n', " ")));
                writeln!(out, "   {}", paint(DIM, &text))?;
            }
            Ok(())
        };
        around(out, &mut hit.before.iter().rev())?;
        // No text (its file could not be read back as indexed; stderr says
        // why): no empty line in its place.
        if !hit.snippet.text.is_empty() {
            writeln!(out, "   {}", marked(&hit.snippet, style))?;
        }
        around(out, &mut hit.after.iter())?;
        explain(out, hit)?;
        // The passages listed under it, the sections around it among them.
        let under: Vec<&Hit> = r.hits[i + 1..]
            .iter()
            .take_while(|h| h.grouped_under.is_some())
            .collect();
        let room = if under.len() > MAX_LISTED_UNDER {
            MAX_LISTED_UNDER - 1
        } else {
            MAX_LISTED_UNDER
        };
        for m in under.iter().take(room) {
            let d = &m.doc;
            writeln!(
                out,
                "   {} {}  {}  {}",
                paint(DIM, "also:"),
                paint(PATH, &sanitize(&location(d))),
                paint(LOCATION, &format!("{}:{}", sanitize(&d.file), d.line_start)),
                paint(DIM, &sanitize(&d.id)),
            )?;
        }
        if under.len() > room {
            let more = under.len() - room;
            let text = format!("also: {more} more passages here (--flat or --json lists them)");
            writeln!(out, "   {}", paint(DIM, &text))?;
        }
    }
    Ok(())
}

/// The fields a `--format` template may name.
const TEMPLATE_FIELDS: &[&str] = &[
    "rank",
    "file",
    "line",
    "id",
    "article",
    "section",
    "paragraph",
    "kind",
    "score",
    "years",
    "citation",
    "snippet",
];

/// The pieces of a `--format` template: text, and `{field}`s.
enum Piece<'t> {
    Text(String),
    Field(&'t str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("{{") {
            text.push('{');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("}}") {
            text.push('}');
            rest = r;
        } else if c == '{' {
            let Some(end) = rest.find('}') else {
                return Err("an unclosed { (write {{ for a brace)".into());
            };
            let name = &rest[1..end];
            if !TEMPLATE_FIELDS.contains(&name) {
                return Err(format!(
                    "no field {{{name}}} (fields: {})",
                    TEMPLATE_FIELDS.join(", ")
                ));
            }
            out.push(Piece::Text(std::mem::take(&mut text)));
            out.push(Piece::Field(name));
            rest = &rest[end + 1..];
        } else if c == '}' {
            return Err("a } without its { (write }} for a brace)".into());
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out.push(Piece::Text(text));
    Ok(out)
}

/// Checks a `--format` template before any search runs.
pub fn check_template(template: &str) -> Result<(), String> {
    pieces(template).map(|_| ())
}

/// Writes each result (not the documents listed under one) on one line,
/// as `template` says (`{file}:{line}: {citation}`). Values are sanitized
/// and their line breaks made spaces: one result, one line.
pub fn formatted<W: Write>(out: &mut W, r: &Results, template: &str) -> io::Result<()> {
    let pieces = pieces(template).map_err(io::Error::other)?;
    for hit in r.hits.iter().filter(|h| h.grouped_under.is_none()) {
        let d = &hit.doc;
        let mut line = String::new();
        for p in &pieces {
            let value = match p {
                Piece::Text(t) => {
                    line.push_str(t);
                    continue;
                }
                Piece::Field("rank") => hit.group.to_string(),
                Piece::Field("file") => d.file.clone(),
                Piece::Field("line") => d.line_start.to_string(),
                Piece::Field("id") => d.id.clone(),
                Piece::Field("article") => d.article.clone(),
                Piece::Field("section") => d.section.join(" › "),
                Piece::Field("paragraph") => d.paragraph.map(|n| n.to_string()).unwrap_or_default(),
                Piece::Field("kind") => d.kind.as_str().to_string(),
                Piece::Field("score") => format!("{:.2}", hit.score),
                Piece::Field("years") => {
                    let years: Vec<String> = d.years.iter().map(i64::to_string).collect();
                    years.join(",")
                }
                Piece::Field("citation") => {
                    crate::quote::style::cite(crate::quote::style::Style::Plain, d, d.line_start)
                }
                Piece::Field(_) => hit.snippet.text.clone(),
            };
            line.push_str(&sanitize(&value.replace(['\n', '\r'], " ")));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Writes the files of the results, best first, each once, at most `max`.
pub fn files<W: Write>(out: &mut W, r: &Results, max: usize) -> io::Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    for hit in &r.hits {
        if seen.len() == max {
            break;
        }
        if !seen.contains(&hit.doc.file.as_str()) {
            seen.push(&hit.doc.file);
            writeln!(out, "{}", sanitize(&hit.doc.file))?;
        }
    }
    Ok(())
}

/// Writes `search -c`'s `file:count` lines.
pub fn file_counts<W: Write>(out: &mut W, counts: &[(String, usize)]) -> io::Result<()> {
    for (file, n) in counts {
        writeln!(out, "{}:{n}", sanitize(file))?;
    }
    Ok(())
}

/// Writes why a hit ranked where it did, when asked.
fn explain<W: Write>(out: &mut W, hit: &Hit) -> io::Result<()> {
    if let Some(e) = &hit.explain {
        const AFTER: &str = "ranked after those holding more";
        let tier = match e.tier {
            Tier::AllWords => "holds every word of the query (ranked in the first tier)".into(),
            Tier::SomeWords { words: 1, .. } => {
                format!("holds only some words of the query ({AFTER})")
            }
            Tier::SomeWords { words, of } => {
                format!("holds {words} or more of the {of} words of the query ({AFTER})")
            }
            Tier::FiltersOnly => "matches the filters (listed in article order)".into(),
            Tier::Meaning => {
                "holds none of the words, but is near the query in meaning (found by the index's model)"
                    .into()
            }
        };
        writeln!(out, "   why: score {:.2}; {tier}", hit.score)?;
        for (what, score) in &e.parts {
            writeln!(out, "   {score:>8.2}  {}", sanitize(what))?;
        }
        if let Some(w) = e.section_weight {
            writeln!(out, "   {:>8}  a whole section: its text weighs ×{w}", "")?;
        }
    }
    Ok(())
}

/// Writes the table of contents: each article, its sections indented by
/// depth, with their own and total passage counts.
pub fn sections<W: Write>(out: &mut W, articles: &[ArticleSections]) -> io::Result<()> {
    for (i, a) in articles.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        for s in &a.sections {
            match s.section.last() {
                None => writeln!(
                    out,
                    "{}  {}  ({} passages, {} in the lead)",
                    sanitize(&a.article),
                    sanitize(&a.file),
                    s.total,
                    s.paragraphs
                )?,
                Some(h) => {
                    let indent = "  ".repeat(s.section.len());
                    if s.total == s.paragraphs {
                        writeln!(out, "{indent}{} ({})", sanitize(h), s.paragraphs)?;
                    } else {
                        writeln!(
                            out,
                            "{indent}{} ({}, {} with subsections)",
                            sanitize(h),
                            s.paragraphs,
                            s.total
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Text made safe to print, its own marks escaped in plain output.
fn plain(text: &str, style: Style) -> String {
    match style {
        Style::Color => sanitize(text),
        Style::Plain(marks) => marks.escape(&sanitize(text)),
    }
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
        line.push_str(&plain(&text[at..h.start], style));
        let m = plain(&text[h.clone()], style);
        match style {
            Style::Color => line.push_str(&format!("{MATCH}{m}{RESET}")),
            Style::Plain(marks) => line.push_str(&format!("{}{m}{}", marks.open, marks.close)),
        }
        at = h.end;
    }
    line.push_str(&plain(&text[at..], style));
    line
}

/// Writes `cite` results: per match the citation, `file:line:column`, and
/// the sentence around it with the quote marked; an approximate match also
/// shows the quote with the words that differ marked.
pub fn cite<W: Write>(out: &mut W, r: &CiteResults, style: Style) -> io::Result<()> {
    let paint = |code: &str, s: &str| style.paint(code, s);
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
        if let MatchKind::Approximate { differences, .. } = &m.kind {
            for d in differences.iter().filter(|d| d.spelling_variant) {
                let (q, a) = (d.quote.as_deref(), d.article.as_deref());
                writeln!(
                    out,
                    "   a spelling variant, not another word: quote \"{}\" / article \"{}\"",
                    sanitize(q.unwrap_or_default()),
                    sanitize(a.unwrap_or_default())
                )?;
            }
        }
    }
    Ok(())
}

/// Writes `check` results: per quotation its draft location, status and
/// words, then its places (exact), or the closest passage, what differs
/// and the article's wording (misquoted); then the summary line.
pub fn check<W: Write>(out: &mut W, r: &CheckReport, style: Style) -> io::Result<()> {
    let paint = |code: &str, s: &str| style.paint(code, s);
    for q in &r.quotes {
        let status = q.status.as_str();
        let status = match q.status {
            Status::Exact => paint(EXACT, status),
            Status::Misquoted => paint(MISQUOTED, status),
            Status::Missing => paint(MATCH, status),
            Status::Skipped => paint(DIM, status),
        };
        let mut line = format!(
            "{}: {status} \"{}\"",
            paint(
                LOCATION,
                &format!(
                    "{}:{}:{}",
                    sanitize(&q.file),
                    q.quotation.line,
                    q.quotation.column
                )
            ),
            sanitize(&shorten(&q.quotation.text, MAX_QUOTE_SHOWN)),
        );
        if q.status == Status::Skipped {
            let w = if q.words == 1 { "word" } else { "words" };
            line.push_str(&paint(DIM, &format!(" ({} {w})", q.words)));
        }
        writeln!(out, "{line}")?;
        let Some(c) = &q.cite else { continue };
        match q.status {
            Status::Exact => {
                for m in c.matches.iter().take(MAX_PLACES) {
                    writeln!(
                        out,
                        "   {}  {}",
                        paint(PATH, &sanitize(&m.citation)),
                        paint(
                            LOCATION,
                            &format!("{}:{}:{}", sanitize(&m.doc.file), m.line, m.column)
                        ),
                    )?;
                }
                let more = c
                    .exact_total
                    .saturating_sub(c.matches.len().min(MAX_PLACES));
                if more > 0 {
                    let places = if more == 1 { "place" } else { "places" };
                    writeln!(out, "   and {more} more {places} (--json lists them)")?;
                }
            }
            Status::Misquoted => {
                if let Some(m) = c.matches.first() {
                    let similarity = match &m.kind {
                        MatchKind::Approximate { similarity, .. } => *similarity,
                        MatchKind::Exact => 1.0,
                    };
                    writeln!(
                        out,
                        "   closest: {}  {}  (similarity {similarity:.2})",
                        paint(PATH, &sanitize(&m.citation)),
                        paint(
                            LOCATION,
                            &format!("{}:{}:{}", sanitize(&m.doc.file), m.line, m.column)
                        ),
                    )?;
                    if let MatchKind::Approximate { differences, .. } = &m.kind {
                        for d in differences {
                            let side = |s: &Option<String>| match s {
                                Some(s) => format!("\"{}\"", sanitize(s)),
                                None => "(nothing)".to_string(),
                            };
                            writeln!(
                                out,
                                "   differs: quote {} / article {}{}",
                                paint(MISQUOTED, &side(&d.quote)),
                                paint(EXACT, &side(&d.article)),
                                if d.spelling_variant {
                                    " (a spelling variant)"
                                } else {
                                    ""
                                },
                            )?;
                        }
                    }
                    writeln!(out, "   article: \"{}\"", sanitize(&m.text))?;
                }
            }
            Status::Missing | Status::Skipped => {}
        }
        for note in &c.notes {
            writeln!(
                out,
                "   {}",
                paint(DIM, &format!("note: {}", sanitize(note)))
            )?;
        }
    }
    if !r.quotes.is_empty() {
        writeln!(out)?;
    }
    let s = &r.summary;
    let quotations = if s.total() == 1 {
        "quotation"
    } else {
        "quotations"
    };
    writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "{} {quotations}: {} exact, {} misquoted, {} missing; {} skipped",
                s.total(),
                s.exact,
                s.misquoted,
                s.missing,
                s.skipped
            )
        )
    )
}

/// `s` cut to at most `max` characters, `…` standing for the cut middle.
fn shorten(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max * 2 / 3).collect();
    let tail: String = s.chars().skip(n - (max - max * 2 / 3 - 1)).collect();
    // Cut between words, never inside one: a word cut in two reads as a
    // word the quotation does not have.
    let head = match head.rfind(char::is_whitespace) {
        Some(i) if s[head.len()..].starts_with(|c: char| !c.is_whitespace()) => &head[..i],
        _ => head.as_str(),
    };
    let cut = s.len() - tail.len();
    let tail = match tail.find(char::is_whitespace) {
        Some(i) if s[..cut].ends_with(|c: char| !c.is_whitespace()) => &tail[i..],
        _ => tail.as_str(),
    };
    format!("{} … {}", head.trim_end(), tail.trim_start())
}

/// The counts of an update, in a few words.
pub fn counts(r: &Report) -> String {
    let n = super::thousands;
    let mut s = format!(
        "{} added, {} updated, {} removed, {} unchanged",
        n(r.added),
        n(r.updated),
        n(r.removed),
        n(r.unchanged)
    );
    if r.moved > 0 {
        s.push_str(&format!(", {} moved", n(r.moved)));
    }
    s.push_str(&format!(
        "; {} sections updated; {} file{} changed",
        n(r.sections_updated),
        n(r.files_changed),
        if r.files_changed == 1 { "" } else { "s" }
    ));
    if r.files_touched > 0 {
        s.push_str(&format!(", {} touched but unchanged", n(r.files_touched)));
    }
    s
}

/// What an update found the files it read to be: `corpus/a.txt deleted`
/// for one file, `3 files added, 1 changed, 2 deleted` for several.
/// Touched files (new mtime, same content) are named as such, never as
/// changed. Empty when the update read nothing.
pub fn file_changes(r: &Report) -> String {
    let verb = |c: Change| match c {
        Change::Added => "added",
        Change::Edited => "changed",
        Change::Removed => "deleted",
        Change::Touched => "touched but unchanged",
    };
    if let [one] = r.file_changes.as_slice() {
        return format!("{} {}", one.file, verb(one.change));
    }
    let mut parts = Vec::new();
    for (n, c) in [
        (r.files_added, Change::Added),
        (r.files_edited, Change::Edited),
        (r.files_removed, Change::Removed),
        (r.files_touched, Change::Touched),
    ] {
        if n == 0 {
            continue;
        }
        let count = super::thousands(n);
        if parts.is_empty() {
            parts.push(format!(
                "{count} file{} {}",
                if n == 1 { "" } else { "s" },
                verb(c)
            ));
        } else {
            parts.push(format!("{count} {}", verb(c)));
        }
    }
    parts.join(", ")
}

/// The line a search prints after bringing a stale index up to date:
/// what it found on disk, then what the update did. `noticed` names what
/// the stat check saw differ, for when the update found nothing to do
/// (another process had already applied it).
pub fn freshened(r: &Report, noticed: &str) -> String {
    let found = file_changes(r);
    if r.files_changed > 0 {
        format!("{found}; index updated: {}", counts(r))
    } else if !found.is_empty() {
        format!("{found}; nothing to re-index")
    } else {
        format!("{noticed} changed; the index was already up to date")
    }
}

/// Writes the summary of an update.
pub fn report<W: Write>(out: &mut W, r: &Report) -> io::Result<()> {
    let what = if r.full {
        "rebuilt"
    } else if r.committed {
        "updated"
    } else {
        "up to date"
    };
    writeln!(
        out,
        "{what}: {} article{}, {} sections, {} paragraphs ({}) in {:.2}s -> {}",
        super::thousands(r.articles),
        if r.articles == 1 { "" } else { "s" },
        super::thousands(r.sections),
        super::thousands(r.paragraphs),
        counts(r),
        r.seconds,
        r.index
    )?;
    let files = r.skipped.len() - r.skipped_folders;
    match (files, r.skipped_folders) {
        (0, 0) => {}
        (files, 0) => writeln!(out, "skipped {files} file(s) (see messages above)")?,
        (0, folders) => writeln!(out, "skipped {folders} folder(s) (see messages above)")?,
        (files, folders) => writeln!(
            out,
            "skipped {files} file(s) and {folders} folder(s) (see messages above)"
        )?,
    }
    Ok(())
}

/// One line per update for `watch`, with the time of day (UTC).
pub fn watch_line<W: Write>(out: &mut W, r: &Report) -> io::Result<()> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    let what = if r.committed { "updated" } else { "up to date" };
    writeln!(
        out,
        "{h:02}:{m:02}:{s:02} {what}: {} ({:.2}s)",
        counts(r),
        r.seconds
    )
}

/// Writes a passage in full with its location.
fn passage<W: Write>(out: &mut W, d: &Document, style: Style) -> io::Result<()> {
    let paint = |code: &str, s: &str| style.paint(code, s);
    writeln!(
        out,
        "{}  {}  {}",
        paint(BOLD, &d.id),
        paint(PATH, &sanitize(&location(d))),
        paint(
            LOCATION,
            &format!("{}:{}:{}", sanitize(&d.file), d.line_start, d.column)
        ),
    )?;
    for line in d.text.lines() {
        writeln!(out, "   {}", sanitize(line))?;
    }
    Ok(())
}

/// Writes what `show` found: the passage, its current version, or the
/// closest passage to a removed one.
pub fn show<W: Write>(out: &mut W, s: &Shown, style: Style) -> io::Result<()> {
    match s {
        Shown::Found { docs } | Shown::Edited { docs, .. } => {
            for (i, d) in docs.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                passage(out, d, style)?;
            }
        }
        Shown::Removed {
            closest: Some(c), ..
        } => passage(out, c, style)?,
        Shown::Removed { closest: None, .. } | Shown::Unknown { .. } => {}
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

/// Controls, and the invisible characters that reorder or hide text on a
/// terminal: zero-width and bidi marks (the Arabic letter mark too),
/// embeddings and isolates, the line and paragraph separators (which some
/// terminals take as line breaks) and tag characters (which spell hidden
/// text).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{61c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
            | '\u{e0000}'..='\u{e007f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshened_says_what_happened() {
        // Another process applied the change first: nothing found, and no
        // claim that anything was updated.
        let nothing = Report::default();
        assert_eq!(
            freshened(&nothing, "corpus/a.txt"),
            "corpus/a.txt changed; the index was already up to date"
        );
        assert_eq!(file_changes(&nothing), "");
    }

    #[test]
    fn templates_name_known_fields_and_braces_are_doubled() {
        assert!(check_template("{file}:{line}: {citation}").is_ok());
        assert!(check_template("{{literal}}").is_ok());
        let e = check_template("{nope}").unwrap_err();
        assert!(e.starts_with("no field {nope} (fields: rank, file"), "{e}");
        assert!(check_template("{file").is_err());
        assert!(check_template("file}").is_err());
    }

    #[test]
    fn printers_write_whole_lines() {
        let mut out: Vec<u8> = Vec::new();
        file_counts(&mut out, &[("a.txt".into(), 2), ("b\x1b.txt".into(), 1)]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a.txt:2\nb\\u{1b}.txt:1\n");
        // A long text shortened between words, never inside one.
        let long = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
        let short = shorten(long, 30);
        let words: Vec<&str> = long.split(' ').collect();
        for w in short.split(' ').filter(|w| *w != "…") {
            assert!(words.contains(&w), "{w:?} in {short:?}");
        }
        assert!(short.contains(" … "), "{short}");
    }

    #[test]
    fn sanitize_neutralizes_escapes_and_bidi() {
        assert_eq!(sanitize("a\x1b]0;pwned\x07b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(sanitize("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(sanitize("plain – text"), "plain – text");
    }
}
