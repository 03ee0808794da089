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
//!
//! [`Events`] is the parser itself: it reads the file one line at a time and
//! hands out each section as it opens, each passage as it closes, and each
//! section's end once it is final, holding nothing but the open passage and
//! the open headings, so a file of millions of passages costs no more
//! memory than one of a few. [`Article::parse`] collects its events into a
//! whole [`Article`] for the consumers that want one.

use crate::limits::MAX_LEVEL;
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
        Article::parse(utf8(bytes)?)
    }

    /// Parses the text of one article file.
    ///
    /// The whole article is held: its size grows with the file's. A
    /// consumer that needs one passage at a time reads [`Events`] instead,
    /// which this collects.
    pub fn parse(text: &str) -> Result<Article, ParseError> {
        let events = Events::new(text)?;
        let mut article = Article {
            title: events.title().to_string(),
            sections: Vec::new(),
            passages: Vec::new(),
            warnings: Vec::new(),
        };
        for event in events {
            match event {
                Event::Section(start) => article.sections.push(start.section()),
                Event::Passage(passage) => article.passages.push(passage),
                Event::SectionEnd(end) => {
                    // Every end follows its start, so the section is there.
                    if let Some(s) = article.sections.get_mut(end.index) {
                        s.line_end = end.line_end;
                        s.bytes.end = end.bytes_end;
                    }
                }
                Event::Warning(warning) => article.warnings.push(warning),
            }
        }
        Ok(article)
    }

    /// The text of a section's heading (the title for the lead).
    pub fn heading<'a>(&self, text: &'a str, section: &Section) -> &'a str {
        &text[section.heading.clone()]
    }
}

/// The text of a file's bytes, or why they are not an article's: the
/// first check of a parse, done before any event.
fn utf8(bytes: &[u8]) -> Result<&str, ParseError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        ParseError {
            line,
            message: format!("not valid UTF-8 (byte {})", e.valid_up_to()),
        }
    })
}

/// What the streaming parser ([`Events`]) reads, in file order.
///
/// A section's [`Event::Section`] comes before its passages, and its
/// [`Event::SectionEnd`] after them and its subsections' (but for level 1
/// sections, which hold none: see [`SectionEnd`]). Collected, the events
/// are exactly [`Article::parse`]'s article: see there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'t> {
    /// A section opens: the lead first (at the title line), then each
    /// heading in file order. Its end is not known yet.
    Section(SectionStart<'t>),
    /// A passage closes. It belongs to the section opened last.
    Passage(Passage),
    /// A section's end is final: no later event changes it. See
    /// [`SectionEnd`] for when it comes.
    SectionEnd(SectionEnd),
    /// Something odd was read the obvious way (it comes just before the
    /// section of the heading it is about).
    Warning(Warning),
}

/// A section as it opens: everything [`Section`] holds but its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionStart<'t> {
    /// Its index in file order (the lead is 0): what [`Passage::section`]
    /// and [`SectionEnd::index`] call it.
    pub index: usize,
    /// Headings from the top of the article down to this section; empty
    /// for the lead.
    pub path: HeadingPath<'t>,
    /// Heading level: 2 for `==A==`, 3 for `===B===`; 1 for the lead.
    pub level: u8,
    /// 1-based line of the heading (the title line for the lead).
    pub line_start: usize,
    /// The heading line: from its start (after a byte order mark, for the
    /// lead) to its end (trailing blanks left out, except on the title
    /// line). The section's bytes start here, and end here if it holds
    /// no text.
    pub line_bytes: Range<usize>,
    /// Byte range of the heading text alone (without the `=` markers).
    pub heading: Range<usize>,
    /// The heading text itself (the title, for the lead).
    pub heading_text: &'t str,
}

impl SectionStart<'_> {
    /// The section as far as it is known when it opens: ending at its own
    /// heading line. A [`SectionEnd`] of the same index stretches it.
    pub fn section(&self) -> Section {
        Section {
            path: self.path.to_vec(),
            level: self.level,
            line_start: self.line_start,
            line_end: self.line_start,
            bytes: self.line_bytes.clone(),
            heading: self.heading.clone(),
        }
    }
}

/// Where a section ends, once no later event can change it.
///
/// A section of level 1 (the lead, or a `= Title =` line further down)
/// covers its own passages only: its end comes at the next heading, or at
/// the end of the file. Any other section covers its own passages and its
/// subsections (their headings too): its end comes at the next heading of
/// its level or above, or at the end of the file. When several end at
/// once, the innermost comes first.
///
/// The end is the largest among the section's heading line, the passages
/// it covers and (but for level 1) its subsections' heading lines: a
/// consumer could compute it from the other events, but need not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionEnd {
    /// The section's index in file order ([`SectionStart::index`]).
    pub index: usize,
    /// 1-based last line holding text of the section (or its heading line).
    pub line_end: usize,
    /// End of the section's bytes ([`Section::bytes`]).
    pub bytes_end: usize,
}

/// The headings from the top of an article down to a section, held
/// without allocating: a path is at most six headings deep, since levels
/// only grow down a path and markers longer than `======` are clamped.
#[derive(Clone, Copy)]
pub struct HeadingPath<'t> {
    headings: [&'t str; MAX_LEVEL],
    len: usize,
}

impl<'t> HeadingPath<'t> {
    /// The headings, outermost first.
    pub fn as_slice(&self) -> &[&'t str] {
        &self.headings[..self.len]
    }

    /// The path as [`Section::path`] holds it.
    pub fn to_vec(&self) -> Vec<String> {
        self.as_slice().iter().map(|h| h.to_string()).collect()
    }
}

impl<'t> std::ops::Deref for HeadingPath<'t> {
    type Target = [&'t str];

    fn deref(&self) -> &[&'t str] {
        self.as_slice()
    }
}

impl PartialEq for HeadingPath<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for HeadingPath<'_> {}

impl fmt::Debug for HeadingPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The streaming parser: an article's [`Event`]s, read one line at a time.
///
/// It holds the open passage and the headings of the open sections, never
/// a list of the file's lines, sections or passages: parsing any file costs
/// the same little memory (the events are the caller's to keep or drop).
/// [`Events::new`] checks the title line first, so an unusable file is an
/// error before any event.
///
/// ```
/// use passage::article::{Event, Events};
///
/// let text = "= Tea =\n\nA drink.\n\n==History==\nOld.\n";
/// let events = Events::new(text).unwrap();
/// assert_eq!(events.title(), "Tea");
/// let mut passages = Vec::new();
/// for event in events {
///     if let Event::Passage(p) = event {
///         passages.push(&text[p.bytes]);
///     }
/// }
/// assert_eq!(passages, ["A drink.", "Old."]);
/// ```
#[derive(Debug)]
pub struct Events<'t> {
    lines: Lines<'t>,
    title: &'t str,
    /// The lead's end so far, until it is final.
    lead: Option<SectionEnd>,
    /// Open headings, outermost first (at most [`MAX_LEVEL`]: their levels
    /// grow up the stack).
    stack: Vec<OpenHeading<'t>>,
    /// Sections opened so far, the lead included.
    sections: usize,
    /// Passages so far in the section opened last.
    in_section: usize,
    /// The passage being read, if any.
    open: Option<OpenPassage>,
    /// Events read but not yet handed out: a line gives at most a passage,
    /// the ends of the open sections, a warning and a section.
    pending: std::collections::VecDeque<Event<'t>>,
    /// Whether the end of the file has been read.
    done: bool,
}

/// A heading whose section is open.
#[derive(Debug)]
struct OpenHeading<'t> {
    level: u8,
    text: &'t str,
    /// Its section's end so far.
    end: SectionEnd,
    /// Whether its end has been handed out (a level 1 section's comes at
    /// the next heading, before it is closed).
    ended: bool,
}

/// The passage being read.
#[derive(Debug)]
struct OpenPassage {
    line_start: usize,
    start: usize,
    list_item: bool,
    /// Its last line so far and where that line's text ends: every line of
    /// a passage holds text (a blank line ends it).
    line_end: usize,
    end: usize,
}

impl SectionEnd {
    /// Stretches the section to a line ending at byte `end`.
    fn reach(&mut self, line: usize, end: usize) {
        self.line_end = self.line_end.max(line);
        self.bytes_end = self.bytes_end.max(end);
    }
}

impl<'t> Events<'t> {
    /// Starts parsing the text of one article file, reading up to its title
    /// line: an empty file, or one whose first line holding text is not a
    /// title (`= Title =`), is an error.
    pub fn new(text: &'t str) -> Result<Events<'t>, ParseError> {
        let mut lines = Lines::new(text);
        let title_line = loop {
            match lines.next() {
                Some(line) if line.text.trim().is_empty() => {}
                Some(line) => break line,
                None => {
                    return Err(ParseError {
                        line: 1,
                        message: "empty file (expected a title line `= Title =`)".into(),
                    })
                }
            }
        };
        // A byte order mark counts in the offsets, not in the title line.
        let skip = if title_line.number == 1 && text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let found = match parse_heading(&title_line.text[skip..]) {
            Some(h) if h.level == 1 && h.warning.is_none() => h,
            _ => {
                return Err(ParseError {
                    line: title_line.number,
                    message: "expected a title line `= Title =`".into(),
                })
            }
        };
        let start = title_line.start + skip;
        let heading = start + found.text.start..start + found.text.end;
        let line_bytes = start..title_line.start + title_line.text.len();
        let title = &text[heading.clone()];
        let mut pending = std::collections::VecDeque::with_capacity(MAX_LEVEL + 4);
        // The lead is a section with an empty path, opened at the title line.
        pending.push_back(Event::Section(SectionStart {
            index: 0,
            path: HeadingPath {
                headings: [""; MAX_LEVEL],
                len: 0,
            },
            level: 1,
            line_start: title_line.number,
            line_bytes: line_bytes.clone(),
            heading,
            heading_text: title,
        }));
        Ok(Events {
            lines,
            title,
            lead: Some(SectionEnd {
                index: 0,
                line_end: title_line.number,
                bytes_end: line_bytes.end,
            }),
            stack: Vec::with_capacity(MAX_LEVEL),
            sections: 1,
            in_section: 0,
            open: None,
            pending,
            done: false,
        })
    }

    /// [`Events::new`] on raw file bytes, which must be UTF-8 (checked
    /// first, over the whole file). A byte order mark is skipped (offsets
    /// still count it, so they stay valid for the file).
    pub fn from_bytes(bytes: &'t [u8]) -> Result<Events<'t>, ParseError> {
        Events::new(utf8(bytes)?)
    }

    /// The title from the `= Title =` line.
    pub fn title(&self) -> &'t str {
        self.title
    }

    /// Reads one line after the title's.
    fn read(&mut self, line: Line<'t>) {
        if line.text.trim().is_empty() {
            self.close_passage();
            return;
        }
        if let Some(h) = parse_heading(line.text) {
            self.close_passage();
            self.close_sections(h.level);
            if let Some(message) = h.warning {
                self.pending.push_back(Event::Warning(Warning {
                    line: line.number,
                    message,
                }));
            }
            let heading = line.start + h.text.start..line.start + h.text.end;
            let end = line.start + line.text.trim_end().len();
            // A subsection's heading stands inside the sections around it
            // (but for level 1 ones, which cover their own text only).
            for o in self.stack.iter_mut().filter(|o| o.level > 1) {
                o.end.reach(line.number, end);
            }
            let text = &line.text[h.text.clone()];
            let mut path = HeadingPath {
                headings: [""; MAX_LEVEL],
                len: 0,
            };
            // The stack's levels grow and are clamped, so the path fits.
            for (slot, o) in path.headings.iter_mut().zip(&self.stack) {
                *slot = o.text;
            }
            path.len = self.stack.len().min(MAX_LEVEL - 1);
            path.headings[path.len] = text;
            path.len += 1;
            let index = self.sections;
            self.sections += 1;
            self.in_section = 0;
            self.pending.push_back(Event::Section(SectionStart {
                index,
                path,
                level: h.level,
                line_start: line.number,
                line_bytes: line.start..end,
                heading,
                heading_text: text,
            }));
            self.stack.push(OpenHeading {
                level: h.level,
                text,
                end: SectionEnd {
                    index,
                    line_end: line.number,
                    bytes_end: end,
                },
                ended: false,
            });
            return;
        }
        let end = line.start + line.text.trim_end().len();
        if let Some(offset) = list_item_start(line.text) {
            self.close_passage();
            self.open = Some(OpenPassage {
                line_start: line.number,
                start: line.start + offset,
                list_item: true,
                line_end: line.number,
                end,
            });
            return;
        }
        match &mut self.open {
            Some(open) => {
                open.line_end = line.number;
                open.end = end;
            }
            None => {
                let indent = line.text.len() - line.text.trim_start().len();
                self.open = Some(OpenPassage {
                    line_start: line.number,
                    start: line.start + indent,
                    list_item: false,
                    line_end: line.number,
                    end,
                });
            }
        }
    }

    /// Ends the open passage, if any, stretching the sections that cover
    /// it: the one opened last, and those around it but of level 1.
    fn close_passage(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        self.in_section += 1;
        match self.stack.split_last_mut() {
            Some((own, around)) => {
                own.end.reach(open.line_end, open.end);
                for o in around.iter_mut().filter(|o| o.level > 1) {
                    o.end.reach(open.line_end, open.end);
                }
            }
            None => {
                if let Some(lead) = &mut self.lead {
                    lead.reach(open.line_end, open.end);
                }
            }
        }
        self.pending.push_back(Event::Passage(Passage {
            section: self.sections - 1,
            paragraph: self.in_section,
            list_item: open.list_item,
            line_start: open.line_start,
            line_end: open.line_end,
            bytes: open.start..open.end,
        }));
    }

    /// Hands out the ends that a heading of `level` makes final (0: the end
    /// of the file), and closes the sections it ends.
    fn close_sections(&mut self, level: u8) {
        // A level 1 section covers its own text only, which any heading
        // ends; the lead is one.
        if let Some(lead) = self.lead.take() {
            self.pending.push_back(Event::SectionEnd(lead));
        }
        if let Some(last) = self.stack.last_mut() {
            if last.level == 1 && !last.ended {
                last.ended = true;
                self.pending.push_back(Event::SectionEnd(last.end));
            }
        }
        while let Some(o) = self.stack.pop_if(|o| o.level >= level) {
            if !o.ended {
                self.pending.push_back(Event::SectionEnd(o.end));
            }
        }
    }
}

impl<'t> Iterator for Events<'t> {
    type Item = Event<'t>;

    fn next(&mut self) -> Option<Event<'t>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.done {
                return None;
            }
            match self.lines.next() {
                Some(line) => self.read(line),
                None => {
                    self.done = true;
                    self.close_passage();
                    self.close_sections(0);
                }
            }
        }
    }
}

impl std::iter::FusedIterator for Events<'_> {}

/// One physical line of the file.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// 1-based number.
    number: usize,
    /// Byte offset of the line start in the file.
    start: usize,
    /// The line without its terminator (`\n`, `\r\n` or a lone `\r`).
    text: &'a str,
}

/// The lines of a text, one at a time: split on `\n`, `\r\n` and lone
/// `\r`, keeping byte offsets. A last line without a terminator counts;
/// nothing after a final terminator does.
#[derive(Debug)]
struct Lines<'a> {
    text: &'a str,
    /// Where the next line starts.
    at: usize,
    /// Lines read so far.
    number: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            at: 0,
            number: 0,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        if start >= bytes.len() {
            return None;
        }
        let (end, next) = match bytes[start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
        {
            Some(i) => {
                let end = start + i;
                let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
                (end, end + 1 + usize::from(crlf))
            }
            None => (bytes.len(), bytes.len()),
        };
        self.at = next;
        self.number += 1;
        Some(Line {
            number: self.number,
            start,
            text: &self.text[start..end],
        })
    }
}

/// A heading line read from the file.
struct Heading {
    level: u8,
    /// Byte range of the heading text within the line.
    text: Range<usize>,
    warning: Option<String>,
}

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

/// Whether [`years_of_words`] reads a word as more than a break between
/// numbers: a number of at most four digits (`1990`, `1990s`), an era
/// (`AD`, `BC`, `BCE`, `CE`) or a word that joins a range (`to`, `and`).
/// Any other word may be passed as an empty one, with the same years.
pub fn may_date(word: &str) -> bool {
    let digits = word
        .strip_suffix('s')
        .filter(|d| !d.is_empty())
        .unwrap_or(word);
    (!digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        || matches!(
            word,
            "AD" | "BC" | "BCE" | "CE" | "to" | "and" | "or" | "until" | "through"
        )
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

    /// The whole-file parser that [`Events`] replaced, kept as the oracle
    /// its events must agree with: it held every line, section and passage,
    /// and fixed the sections' ends at the end.
    mod reference {
        use super::super::*;

        pub fn parse_bytes(bytes: &[u8]) -> Result<Article, ParseError> {
            match std::str::from_utf8(bytes) {
                Ok(text) => parse(text),
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

        pub fn parse(text: &str) -> Result<Article, ParseError> {
            Parser::new(text).run()
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
                let title_range = title_line.start + skip + title.text.start
                    ..title_line.start + skip + title.text.end;
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
                            .map(|&(_, s)| {
                                self.sections[s].path.last().cloned().unwrap_or_default()
                            })
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
    }

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

    #[test]
    fn years_need_only_the_words_that_may_date() {
        for text in [
            "In 539 BCE, Cyrus took the city in 333 to 332 BCE",
            "in 333–332 BCE. from 609 to 628 AD, then AD 700 and 1990s",
            "on 12 November 1946 and 1990s; 2000s–2011 or 12 s 12345s",
            "from 12 the 13 BC, 400 big BCE, 1200 and then 99 CE",
        ] {
            let all: Vec<&str> = crate::text::word_segments(text).collect();
            let mut kept: Vec<&str> = Vec::new();
            for w in &all {
                if may_date(w) {
                    kept.push(w);
                } else if kept.last() != Some(&"") {
                    kept.push("");
                }
            }
            assert_eq!(years_of_words(&kept), years_of_words(&all), "{text}");
        }
    }

    /// The events of `text`, and the article they collect into.
    fn events_of(text: &str) -> Result<(String, Vec<Event<'_>>), ParseError> {
        let events = Events::new(text)?;
        let title = events.title().to_string();
        Ok((title, events.collect()))
    }

    #[test]
    fn events_come_in_file_order() {
        let text = "= T =\n\nLead.\n\n==A==\n- x\n===B\nb\n\n==C==\n";
        let (title, events) = events_of(text).unwrap();
        assert_eq!(title, "T");
        let short: Vec<String> = events
            .iter()
            .map(|e| match e {
                Event::Section(s) => format!("open {} {:?}", s.index, s.path),
                Event::Passage(p) => format!("{} in {}", &text[p.bytes.clone()], p.section),
                Event::SectionEnd(e) => format!("end {} at line {}", e.index, e.line_end),
                Event::Warning(w) => format!("warning at line {}", w.line),
            })
            .collect();
        assert_eq!(
            short,
            [
                "open 0 []",
                "Lead. in 0",
                "end 0 at line 3",
                r#"open 1 ["A"]"#,
                "x in 1",
                "warning at line 7",
                r#"open 2 ["A", "B"]"#,
                "b in 2",
                "end 2 at line 8",
                "end 1 at line 8",
                r#"open 3 ["C"]"#,
                "end 3 at line 10",
            ]
        );
    }

    #[test]
    fn level_one_sections_cover_their_own_text() {
        // A `= U =` line further down is a section of level 1, like the
        // lead: its subsections do not stretch it, and its end is final at
        // the next heading.
        let text = "= T =\nlead\n= U =\nu\n==A==\na\n==B==\n";
        let (_, events) = events_of(text).unwrap();
        let ends: Vec<SectionEnd> = events
            .iter()
            .filter_map(|e| match e {
                Event::SectionEnd(end) => Some(*end),
                _ => None,
            })
            .collect();
        let lines: Vec<(usize, usize)> = ends.iter().map(|e| (e.index, e.line_end)).collect();
        assert_eq!(lines, [(0, 2), (1, 4), (2, 6), (3, 7)]);
        assert_eq!(Article::parse(text), reference::parse(text));
    }

    #[test]
    fn unusable_files_fail_before_any_event() {
        for bytes in [&b""[..], b"\n \n", b"\nno title\n= T =\n", b"= T =\n\xff\n"] {
            let events = Events::from_bytes(bytes);
            assert_eq!(events.err(), reference::parse_bytes(bytes).err());
        }
    }

    /// Lines the random articles are made of: titles, headings of every
    /// level, closed, unclosed and mismatched, text that looks like
    /// headings or list items but is not, list items, blank lines.
    const LINES: &[&str] = &[
        "= T =",
        "= Title =  ",
        "=T=",
        "\u{feff}= T =",
        "= x + y",
        "=====",
        "==A==",
        "== B ==  ",
        "==A",
        "==A===",
        "===C===",
        "===D",
        "====E====",
        "=========Deep=========",
        "======F",
        "  ==A==",
        "- item",
        "* two ",
        "  • three",
        "-x",
        "- ",
        "text",
        "  indented",
        "more text  ",
        "é ü 1990s",
        "",
        "",
        "   ",
        "\t",
    ];

    /// Line ends, and none (the next line then runs on).
    const ENDS: &[&str] = &["\n", "\n", "\r\n", "\r", ""];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]

        /// On random articles, the events collect into exactly the article
        /// the whole-file parser made (or the same error); every section
        /// gets one end, as final as the whole-file parser's and no later
        /// than its next heading of its level or above.
        #[test]
        fn events_give_the_whole_file_parse(
            bom in proptest::bool::ANY,
            invalid in proptest::bool::weighted(0.05),
            title in proptest::option::of(proptest::sample::select(&LINES[..4])),
            lines in proptest::collection::vec(
                (proptest::sample::select(LINES), proptest::sample::select(ENDS)),
                0..30,
            ),
        ) {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            if let Some(t) = title {
                text.push_str(t);
                text.push('\n');
            }
            for (line, end) in &lines {
                text.push_str(line);
                text.push_str(end);
            }
            let mut bytes = text.clone().into_bytes();
            if invalid {
                bytes.insert(bytes.len() / 2, 0xff);
            }
            let expected = reference::parse_bytes(&bytes);
            proptest::prop_assert_eq!(&Article::parse_bytes(&bytes), &expected, "{:?}", text);
            let Ok(expected) = expected else {
                proptest::prop_assert_eq!(
                    Events::from_bytes(&bytes).err(),
                    reference::parse_bytes(&bytes).err()
                );
                return Ok(());
            };
            let (title, events) = events_of(&text).map_err(|e| {
                proptest::test_runner::TestCaseError::fail(e.to_string())
            })?;
            proptest::prop_assert_eq!(&title, &expected.title);
            // Sections still waiting for their end: (index, level).
            let mut waiting: Vec<(usize, u8)> = Vec::new();
            let mut opened = 0;
            let mut passages = 0;
            for event in &events {
                match event {
                    Event::Section(start) => {
                        proptest::prop_assert_eq!(start.index, opened);
                        let s = &expected.sections[start.index];
                        proptest::prop_assert_eq!(&start.path.to_vec(), &s.path);
                        proptest::prop_assert_eq!(start.heading_text, &text[s.heading.clone()]);
                        // The ends this heading makes final have come.
                        for &(i, level) in &waiting {
                            proptest::prop_assert!(
                                level > 1 && level < start.level,
                                "section {} still open at {}: {:?}", i, start.index, text
                            );
                        }
                        waiting.push((start.index, start.level));
                        opened += 1;
                    }
                    Event::Passage(p) => {
                        proptest::prop_assert_eq!(p, &expected.passages[passages]);
                        proptest::prop_assert_eq!(p.section + 1, opened);
                        passages += 1;
                    }
                    Event::SectionEnd(end) => {
                        let s = &expected.sections[end.index];
                        proptest::prop_assert_eq!(end.line_end, s.line_end);
                        proptest::prop_assert_eq!(end.bytes_end, s.bytes.end);
                        let at = waiting.iter().position(|&(i, _)| i == end.index);
                        proptest::prop_assert!(at.is_some(), "end {} twice or early", end.index);
                        waiting.retain(|&(i, _)| i != end.index);
                    }
                    Event::Warning(_) => {}
                }
            }
            proptest::prop_assert!(waiting.is_empty());
            proptest::prop_assert_eq!(opened, expected.sections.len());
            proptest::prop_assert_eq!(passages, expected.passages.len());
        }
    }

    /// Streams `text` through the parser, counting what it gives, and
    /// checks that the parser's own buffers never grew past their first
    /// size (a list of lines or passages would).
    fn stream(text: &str) -> (usize, usize, Option<Passage>) {
        let mut events = Events::new(text).unwrap();
        let (pending, stack) = (events.pending.capacity(), events.stack.capacity());
        let (mut sections, mut passages, mut last) = (0, 0, None);
        for event in &mut events {
            match event {
                Event::Section(_) => sections += 1,
                Event::Passage(p) => {
                    passages += 1;
                    last = Some(p);
                }
                Event::SectionEnd(_) | Event::Warning(_) => {}
            }
        }
        assert_eq!(events.pending.capacity(), pending);
        assert_eq!(events.stack.capacity(), stack);
        (sections, passages, last)
    }

    /// Three million one-word paragraphs (18 MB, the shape of issue 20's
    /// file) stream through in one pass with the parser's memory fixed.
    #[test]
    fn millions_of_paragraphs_stream() {
        let n = 3_000_000;
        let mut text = String::with_capacity(8 + 6 * n);
        text.push_str("= T =\n\n");
        for _ in 0..n {
            text.push_str("word\n\n");
        }
        let (sections, passages, last) = stream(&text);
        assert_eq!((sections, passages), (1, n));
        let last = last.unwrap();
        assert_eq!((last.section, last.paragraph), (0, n));
        assert_eq!(last.line_start, 2 + 2 * n - 1);
        assert_eq!(&text[last.bytes], "word");
    }

    /// A million headings, nested and not, stream through the same way.
    #[test]
    fn millions_of_headings_stream() {
        let n = 1_000_000;
        let mut text = String::from("= T =\n");
        let marks = ["==", "===", "====", "=====", "======", "=======", "==="];
        for i in 0..n {
            let m = marks[i % marks.len()];
            text.push_str(&format!("{m} h {m}\nx\n"));
        }
        let (sections, passages, _) = stream(&text);
        assert_eq!((sections, passages), (n + 1, n));
    }
}
