//! Parsing one article file into passages and sections.
//!
//! This stage knows nothing about the index: it turns the bytes of a corpus
//! file into an [`Article`] whose passages point back into those bytes, so
//! every later stage can cite `file[byte_start..byte_end]` exactly.
//!
//! The format is the plain-text Wikipedia layout of the corpus:
//!
//! ```text
//! = Title =
//!
//! Lead paragraph.
//!
//! ==Section==
//! ===Subsection===
//! Paragraph, possibly over several lines.
//!
//! - a list item
//! * another
//! ```
//!
//! Problems that make a file unusable (empty, not UTF-8, no title line) are
//! returned as a [`ParseError`] carrying the line; problems with an obvious
//! reading (a heading whose closing marker is missing or of another length)
//! are accepted and reported as [`Warning`]s.

use std::fmt;
use std::ops::Range;

/// A parsed article: its title, sections and passages, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The title from the `= Title =` line.
    pub title: String,
    /// Every section, the lead first (with an empty path), in file order.
    pub sections: Vec<Section>,
    /// Every paragraph and list item, in file order.
    pub passages: Vec<Passage>,
    /// Problems that were read sensibly rather than rejected.
    pub warnings: Vec<Warning>,
}

/// A section: a heading and everything up to the next heading of the same or
/// a higher level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Headings from the top of the article down to this section; empty for
    /// the lead.
    pub path: Vec<String>,
    /// Heading level: 2 for `==A==`, 3 for `===B===`; 1 for the lead.
    pub level: u8,
    /// 1-based line of the heading (the title line for the lead).
    pub line_start: usize,
    /// 1-based last line holding text of this section or its subsections.
    pub line_end: usize,
    /// Bytes from the heading line to the end of the section's last text,
    /// subsections included.
    pub bytes: Range<usize>,
    /// Byte range of the heading text alone (without the `=` markers).
    pub heading: Range<usize>,
}

/// One paragraph or list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Index into [`Article::sections`] of the section holding it.
    pub section: usize,
    /// 1-based number of this passage within its own section.
    pub paragraph: usize,
    /// Whether it was a `-`/`*` list item (the bullet is not part of it).
    pub list_item: bool,
    /// 1-based first line.
    pub line_start: usize,
    /// 1-based last line.
    pub line_end: usize,
    /// `file[bytes]` is exactly the passage text.
    pub bytes: Range<usize>,
}

/// A file that cannot be read as an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line where the problem is.
    pub line: usize,
    /// What is wrong, in a few words.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Something odd that was read in the obvious way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line.
    pub line: usize,
    /// What was odd and how it was read.
    pub message: String,
}

impl Article {
    /// Parses raw file bytes. A UTF-8 byte order mark is skipped (offsets
    /// still count it, so they stay valid for the file).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Article, ParseError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Article::parse(text),
            Err(e) => {
                let valid = &bytes[..e.valid_up_to()];
                let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
                Err(ParseError {
                    line,
                    message: format!("not valid UTF-8 (byte {})", e.valid_up_to()),
                })
            }
        }
    }

    /// Parses the text of one article file.
    pub fn parse(text: &str) -> Result<Article, ParseError> {
        Parser::new(text).run()
    }

    /// The text of a section's heading (the title for the lead).
    pub fn heading<'a>(&self, text: &'a str, section: &Section) -> &'a str {
        &text[section.heading.clone()]
    }
}

/// One physical line of the file.
#[derive(Clone, Copy)]
struct Line<'a> {
    /// 1-based number.
    number: usize,
    /// Byte offset of the line start in the file.
    start: usize,
    /// The line without its terminator (`\n`, `\r\n` or a lone `\r`).
    text: &'a str,
}

/// Splits on `\n`, `\r\n` and lone `\r`, keeping byte offsets.
fn lines(text: &str) -> Vec<Line<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(Line {
                    number: out.len() + 1,
                    start,
                    text: &text[start..i],
                });
                start = i + 1;
            }
            b'\r' => {
                out.push(Line {
                    number: out.len() + 1,
                    start,
                    text: &text[start..i],
                });
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push(Line {
            number: out.len() + 1,
            start,
            text: &text[start..],
        });
    }
    out
}

/// A heading line read from the file.
struct Heading {
    level: u8,
    /// Byte range of the heading text within the line.
    text: Range<usize>,
    warning: Option<String>,
}

/// Longest heading marker accepted; deeper ones are clamped (a run of
/// hundreds of `=` is not a reason to allocate a deep path).
const MAX_LEVEL: usize = 6;

/// Whether the parser reads `line` (without its line end) as a heading:
/// `==A==`, or `===B` with a warning; `= x + y` and `=====` are text. The
/// highlighter skips exactly these lines of a section's text.
pub fn is_heading_line(line: &str) -> bool {
    parse_heading(line).is_some()
}

/// Whether the parser starts a list item at `line` (`- item`, `* item`,
/// `• item`): a new passage, even without a blank line before it.
pub fn is_list_item_line(line: &str) -> bool {
    list_item_start(line).is_some()
}

/// Reads `==A==`-style headings. Returns `None` for lines that are not
/// headings (no leading `=`, or nothing but `=` signs).
fn parse_heading(line: &str) -> Option<Heading> {
    let open = line.bytes().take_while(|&b| b == b'=').count();
    if open == 0 {
        return None;
    }
    let rest = &line[open..];
    let trimmed_end = rest.trim_end();
    let close = trimmed_end.bytes().rev().take_while(|&b| b == b'=').count();
    let inner = &trimmed_end[..trimmed_end.len() - close];
    let lead_ws = inner.len() - inner.trim_start().len();
    let inner_trim = inner.trim();
    if inner_trim.is_empty() {
        return None;
    }
    // A lone `=` starting a line is an equation or a definition, not a
    // heading: level 1 is the title's, and a title is always closed.
    if open == 1 && close == 0 {
        return None;
    }
    let text_start = open + lead_ws;
    let text = text_start..text_start + inner_trim.len();
    let warning = if close == 0 {
        Some(format!(
            "unclosed heading marker '{}', read as heading \"{}\"",
            "=".repeat(open.min(MAX_LEVEL)),
            inner_trim
        ))
    } else if close != open {
        Some(format!(
            "heading opens with {open} '=' but closes with {close}, read as level {}",
            open.min(MAX_LEVEL)
        ))
    } else {
        None
    };
    Some(Heading {
        level: open.min(MAX_LEVEL) as u8,
        text,
        warning,
    })
}

/// `- item` / `* item`: returns the offset of the item text within the line.
fn list_item_start(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some('-' | '*' | '•'), Some(c)) if c == ' ' || c == '\t' => {
            let bullet = rest.chars().next().map_or(1, char::len_utf8);
            let after = &rest[bullet..];
            let ws = after.len() - after.trim_start().len();
            if after.trim().is_empty() {
                None
            } else {
                Some(indent + bullet + ws)
            }
        }
        _ => None,
    }
}

struct Parser<'a> {
    text: &'a str,
    lines: Vec<Line<'a>>,
    sections: Vec<Section>,
    passages: Vec<Passage>,
    warnings: Vec<Warning>,
    /// Open passage: (first line index, byte start, list item?).
    open: Option<(usize, usize, bool)>,
    /// Passages so far in the current section.
    count_in_section: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text,
            lines: lines(text),
            sections: Vec::new(),
            passages: Vec::new(),
            warnings: Vec::new(),
            open: None,
            count_in_section: 0,
        }
    }

    fn run(mut self) -> Result<Article, ParseError> {
        let bom = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        let first = self
            .lines
            .iter()
            .position(|l| !l.text.trim().is_empty())
            .ok_or_else(|| ParseError {
                line: 1,
                message: "empty file (expected a title line `= Title =`)".into(),
            })?;
        let title_line = &self.lines[first];
        let skip = if first == 0 { bom } else { 0 };
        let title = match parse_heading(&title_line.text[skip..]) {
            Some(h) if h.level == 1 && h.warning.is_none() => h,
            _ => {
                return Err(ParseError {
                    line: title_line.number,
                    message: "expected a title line `= Title =`".into(),
                })
            }
        };
        let title_range =
            title_line.start + skip + title.text.start..title_line.start + skip + title.text.end;
        let title_text = self.text[title_range.clone()].to_string();
        // The lead is a section with an empty path, opened at the title line.
        self.sections.push(Section {
            path: Vec::new(),
            level: 1,
            line_start: title_line.number,
            line_end: title_line.number,
            bytes: title_line.start + skip..title_line.start + title_line.text.len(),
            heading: title_range,
        });

        // Headings on the path above the current point, as (level, section index).
        let mut stack: Vec<(u8, usize)> = Vec::new();
        for i in first + 1..self.lines.len() {
            let line = self.lines[i];
            if line.text.trim().is_empty() {
                self.close_passage(i);
                continue;
            }
            if let Some(h) = parse_heading(line.text) {
                self.close_passage(i);
                if let Some(w) = h.warning {
                    self.warnings.push(Warning {
                        line: line.number,
                        message: w,
                    });
                }
                while stack.last().is_some_and(|&(lvl, _)| lvl >= h.level) {
                    stack.pop();
                }
                let mut path: Vec<String> = stack
                    .iter()
                    .map(|&(_, s)| self.sections[s].path.last().cloned().unwrap_or_default())
                    .collect();
                let heading = line.start + h.text.start..line.start + h.text.end;
                path.push(self.text[heading.clone()].to_string());
                stack.push((h.level, self.sections.len()));
                self.sections.push(Section {
                    path,
                    level: h.level,
                    line_start: line.number,
                    line_end: line.number,
                    bytes: line.start..line.start + line.text.trim_end().len(),
                    heading,
                });
                self.count_in_section = 0;
                continue;
            }
            if let Some(offset) = list_item_start(line.text) {
                self.close_passage(i);
                self.open = Some((i, line.start + offset, true));
                continue;
            }
            if self.open.is_none() {
                let indent = line.text.len() - line.text.trim_start().len();
                self.open = Some((i, line.start + indent, false));
            }
        }
        let end = self.lines.len();
        self.close_passage(end);
        self.extend_sections();
        Ok(Article {
            title: title_text,
            sections: self.sections,
            passages: self.passages,
            warnings: self.warnings,
        })
    }

    /// Ends the open passage, if any, at the last non-blank line before
    /// line index `next`.
    fn close_passage(&mut self, next: usize) {
        let Some((first, start, list_item)) = self.open.take() else {
            return;
        };
        let last = (first..next)
            .rev()
            .find(|&j| !self.lines[j].text.trim().is_empty())
            .unwrap_or(first);
        let last_line = &self.lines[last];
        let end = last_line.start + last_line.text.trim_end().len();
        self.count_in_section += 1;
        let section = self.sections.len() - 1;
        self.passages.push(Passage {
            section,
            paragraph: self.count_in_section,
            list_item,
            line_start: self.lines[first].number,
            line_end: last_line.number,
            bytes: start..end,
        });
    }

    /// Stretches each section over its own passages and its subsections.
    fn extend_sections(&mut self) {
        for p in &self.passages {
            let s = &mut self.sections[p.section];
            s.line_end = s.line_end.max(p.line_end);
            s.bytes.end = s.bytes.end.max(p.bytes.end);
        }
        // A section's parent is the nearest earlier one of a lower level,
        // found with a stack: searching backwards from each section instead
        // is quadratic, and a file of a million `==A==` lines is hostile
        // input, not an article.
        let mut parents = Vec::with_capacity(self.sections.len());
        let mut stack: Vec<usize> = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            while stack
                .last()
                .is_some_and(|&j| self.sections[j].level >= s.level)
            {
                stack.pop();
            }
            parents.push(stack.last().copied());
            stack.push(i);
        }
        // A later section nested under an earlier one extends it; walk
        // backwards so deep ends propagate to every ancestor.
        for i in (0..self.sections.len()).rev() {
            let (line_end, end) = {
                let s = &self.sections[i];
                (s.line_end, s.bytes.end)
            };
            if let Some(parent) = parents[i] {
                if self.sections[parent].level > 1 {
                    let p = &mut self.sections[parent];
                    p.line_end = p.line_end.max(line_end);
                    p.bytes.end = p.bytes.end.max(end);
                }
            }
        }
    }
}

/// Years mentioned in a passage.
///
/// A year is a number of 3 or 4 digits standing alone between 100 and 2199
/// (`1946`, and `1990` from `1990s`), or any number of 1-4 digits marked as
/// an era: `539 BCE` / `539 BC` gives -539, `628 AD` / `AD 628` / `628 CE`
/// gives 628. An era mark applies to a range before it too (`333–332 BCE`
/// gives -333 and -332). Bare numbers under 1000 without an era mark are
/// counts, not years, unless written as a decade (`1990s`).
pub fn years(text: &str) -> Vec<i64> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    let words: Vec<&str> = crate::text::word_segments(text).collect();
    years_of_words(&words)
}

/// [`years`], given the passage's words as printed (as the index's
/// analysis finds them, which then costs nothing more).
pub fn years_of_words(words: &[&str]) -> Vec<i64> {
    let mut out = Years::default();
    let mut pending_range: Vec<i64> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let (digits, decade) = match w.strip_suffix('s') {
            Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) => (d, true),
            _ => (w, false),
        };
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            // "AD 628": an era before the number.
            if (w == "AD") && i + 1 < words.len() {
                if let Ok(n) = words[i + 1].parse::<i64>() {
                    if words[i + 1].len() <= 4 {
                        push_year(&mut out, n);
                        i += 2;
                        continue;
                    }
                }
            }
            if !matches!(w, "to" | "and" | "or" | "until" | "through") {
                pending_range.clear();
            }
            i += 1;
            continue;
        }
        let n: i64 = digits.parse().unwrap_or(0);
        let era = words.get(i + 1).copied();
        match era {
            Some("BCE" | "BC") if !decade => {
                for r in pending_range.drain(..) {
                    push_year(&mut out, -r);
                }
                push_year(&mut out, -n);
                i += 2;
                continue;
            }
            Some("AD" | "CE") if !decade => {
                for r in pending_range.drain(..) {
                    push_year(&mut out, r);
                }
                push_year(&mut out, n);
                i += 2;
                continue;
            }
            _ => {}
        }
        if (1000..=2199).contains(&n) || (decade && (100..=2199).contains(&n)) {
            push_year(&mut out, n);
            pending_range.clear();
        } else if digits.len() <= 4 && !decade {
            // Might be the first half of "333–332 BCE".
            pending_range.push(n);
        }
        i += 1;
    }
    out.list
}

/// Years in order of first mention, without repeats (a set beside the
/// list: a paragraph of a million numbers must not cost a scan per number).
#[derive(Default)]
struct Years {
    list: Vec<i64>,
    seen: std::collections::HashSet<i64>,
}

fn push_year(out: &mut Years, y: i64) {
    if y != 0 && out.seen.insert(y) {
        out.list.push(y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_with_and_without_spaces() {
        let h = parse_heading("==Cultural relations==").unwrap();
        assert_eq!(h.level, 2);
        assert_eq!(
            &"==Cultural relations=="[h.text.clone()],
            "Cultural relations"
        );
        let line = "=== Post-Assad regime (2024–present) ===";
        let h = parse_heading(line).unwrap();
        assert_eq!(h.level, 3);
        assert_eq!(&line[h.text.clone()], "Post-Assad regime (2024–present)");
        assert!(h.warning.is_none());
        assert!(parse_heading("=====").is_none());
        assert!(parse_heading("= (1.2 × 10^5) + 3").is_none());
        assert!(parse_heading("plain").is_none());
    }

    #[test]
    fn heading_and_list_lines_as_other_stages_see_them() {
        for line in ["==A==", "===B", "= Title ="] {
            assert!(is_heading_line(line), "{line}");
        }
        for line in ["= x + y", "=====", "  ==A==", "text == text"] {
            assert!(!is_heading_line(line), "{line}");
        }
        assert!(is_list_item_line("- tea") && is_list_item_line("  * tea"));
        assert!(!is_list_item_line("-tea") && !is_list_item_line("- "));
    }

    #[test]
    fn unclosed_heading_is_read_with_a_warning() {
        let a = Article::parse("= T =\n\n==History\ntext\n").unwrap();
        assert_eq!(a.sections[1].path, vec!["History".to_string()]);
        assert_eq!(a.warnings.len(), 1);
        assert_eq!(a.warnings[0].line, 3);
    }

    #[test]
    fn rejects_unusable_files() {
        assert_eq!(Article::parse("").unwrap_err().line, 1);
        assert_eq!(Article::parse("\n\n  \n").unwrap_err().line, 1);
        let e = Article::parse("\nno title here\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Article::parse_bytes(b"= T =\n\nok\nbad \xff byte\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("UTF-8"));
    }

    #[test]
    fn passages_lists_and_offsets() {
        let text = "\u{feff}= T =\r\n\r\nLead one\r\nstill lead.\r\n\r\n==A==\r\n- x\r\n* y\r\n\r\n===B===\r\nb para\r\n";
        let a = Article::parse(text).unwrap();
        assert_eq!(a.title, "T");
        let texts: Vec<&str> = a.passages.iter().map(|p| &text[p.bytes.clone()]).collect();
        assert_eq!(texts, vec!["Lead one\r\nstill lead.", "x", "y", "b para"]);
        assert_eq!(a.passages[1].paragraph, 1);
        assert_eq!(a.passages[2].paragraph, 2);
        assert!(a.passages[2].list_item);
        assert_eq!(a.sections[2].path, vec!["A".to_string(), "B".to_string()]);
        // Section A covers its subsection B.
        assert_eq!(a.sections[1].line_end, 11);
        assert!(text[a.sections[1].bytes.clone()].ends_with("b para"));
    }

    #[test]
    fn years_and_eras() {
        assert_eq!(years("In 539 BCE, Cyrus"), vec![-539]);
        assert_eq!(
            years("in 333–332 BCE. from 609 to 628 AD"),
            vec![-333, -332, 609, 628]
        );
        assert_eq!(
            years("on 12 November 1946 and 1990s; 2000s–2011"),
            vec![1946, 1990, 2000, 2011]
        );
        assert_eq!(
            years("333,000 Iranians, 18 people, 10th century"),
            Vec::<i64>::new()
        );
    }
}
