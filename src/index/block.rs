//! A corpus file as index documents: its file document (stamp, hash,
//! problems, word counts), and the block of its article: each section
//! followed by its own paragraphs, in file order, the lead first.
//!
//! A block is written in one `IndexWriter::run` call, so tantivy keeps its
//! documents together and in order in one segment (merges keep them so: an
//! update deletes and re-adds a file's block whole, never part of it).
//! Relations are then offsets between document numbers: a document's
//! parent stands `up` documents before it, a section's subtree is the
//! `span` documents after it. That is what lets a search score a section
//! from its paragraphs' postings instead of indexing its text again
//! (Lucene's block join).
//!
//! The file document stands apart from the block, so that a file touched
//! without a change (a new mtime, the same bytes) costs a new file
//! document, not its block again.
//!
//! A file of very many passages is written in chunks of at most
//! [`CHUNK_DOCS`] documents, each a block of its own: a later chunk starts
//! with copies of the sections still open ([`DocKind::SectionContinued`]),
//! which its paragraphs point to. A section that runs over a chunk's end is scored
//! on the part in its first chunk; memory stays bounded by the chunk, not
//! by the file.

use std::sync::Arc;

use tantivy::TantivyDocument;

use super::schema::{DocKind, Fields};
use super::state::{problem_to_stored, Digest, DocState, FileEntry};
use crate::article::{Event, Events};
use crate::corpus::{column_of, Ids, Problem};
use crate::error::Result;
use crate::limits::{CHUNK_DOCS, MAX_WARNINGS};
use crate::meaning::Model;
use crate::model::Id;
use crate::text::Analyzer;

/// What a block held, for the report, the commit's totals and an update's
/// comparison with the old block.
#[derive(Debug, Default)]
pub struct BlockSummary {
    /// Whether the file was indexed as an article (not skipped).
    pub article: bool,
    /// Section documents.
    pub sections: u64,
    /// Paragraph documents.
    pub paragraphs: u64,
    /// Words of the paragraphs.
    pub paragraph_words: u64,
    /// Words of the sections' texts.
    pub section_words: u64,
    /// Words of the headings.
    pub heading_words: u64,
    /// Words of the headings above each paragraph, summed over paragraphs
    /// (what BM25 takes a paragraph's context's length to be on average).
    pub context_words: u64,
    /// Words of the title.
    pub title_words: u64,
    /// Every document's state, sections first in file order, then the
    /// passages.
    pub states: Vec<DocState>,
}

/// A section being written: its document waits in the chunk until it
/// closes (its end, its subtree and its length are known then).
struct Open {
    /// Index of its document in the chunk.
    slot: usize,
    /// Its index among the article's sections (what its end event names).
    index: usize,
    /// The lead (the article's root section; its heading is the title).
    lead: bool,
    /// A copy at the head of a later chunk ([`DocKind::SectionContinued`]).
    continued: bool,
    level: u8,
    id: Id,
    path: Arc<Vec<String>>,
    heading: String,
    line: usize,
    line_end: usize,
    column: usize,
    byte_start: usize,
    byte_end: usize,
    years: Vec<i64>,
    /// The same years, to keep them unique in a section of millions of
    /// passages.
    seen_years: std::collections::HashSet<i64>,
    /// Words of its text so far.
    len: u64,
    /// Words of its own heading (0 for the lead, whose is the title).
    heading_words: u64,
    /// Documents of its text so far (the lead's text ends at the first
    /// heading; another section's runs over its subtree).
    reach: Option<usize>,
    /// IDs of its text's passages, for its digest.
    digest: Digest,
}

/// Writes a file's block: chunks of tantivy documents handed to `emit`.
pub struct BlockWriter<'a> {
    fields: Fields,
    file: &'a FileEntry,
    chunk: Vec<Option<TantivyDocument>>,
    /// Open sections, outermost first (the lead, then each level).
    open: Vec<Open>,
    summary: BlockSummary,
    an: Analyzer,
    title: String,
    terms: String,
    /// Whether to keep every document's state (an update compares them
    /// with the old ones; a first build needs none, and a file of millions
    /// of passages would hold millions).
    states: bool,
    /// The model whose codes the paragraphs carry, if the index has one.
    model: Option<&'a Model>,
}

impl<'a> BlockWriter<'a> {
    /// Starts the block of `file`, keeping its documents' states if asked.
    pub fn new(
        fields: Fields,
        file: &'a FileEntry,
        states: bool,
        model: Option<&'a Model>,
    ) -> BlockWriter<'a> {
        BlockWriter {
            states,
            model,
            fields,
            file,
            chunk: Vec::new(),
            open: Vec::new(),
            summary: BlockSummary::default(),
            an: Analyzer::default(),
            title: String::new(),
            terms: String::new(),
        }
    }

    /// The file document of a file: its stamp and hash, why it was
    /// skipped or what was odd in it, and the totals of its block.
    pub fn file_doc(
        fields: Fields,
        file: &FileEntry,
        problem: Option<&Problem>,
        warnings: &[Problem],
        summary: &BlockSummary,
    ) -> TantivyDocument {
        let f = fields;
        let mut doc = TantivyDocument::new();
        doc.add_u64(f.kind, DocKind::File as u64);
        doc.add_text(f.path, &file.rel);
        doc.add_u64(f.size, file.stamp.size);
        doc.add_u64(f.mtime, file.stamp.mtime_ns);
        doc.add_u64(f.ctime, file.stamp.ctime_ns);
        doc.add_u64(f.inode, file.stamp.inode);
        doc.add_u64(f.hash, file.hash);
        if let Some(p) = problem {
            doc.add_text(f.problem, problem_to_stored(p));
        }
        for w in warnings {
            doc.add_text(f.warning, problem_to_stored(w));
        }
        doc.add_u64(
            f.problems,
            warnings.len() as u64 + u64::from(problem.is_some()),
        );
        doc.add_u64(f.sections, summary.sections);
        doc.add_u64(f.paragraphs, summary.paragraphs);
        doc.add_u64(f.paragraph_words, summary.paragraph_words);
        doc.add_u64(f.section_words, summary.section_words);
        doc.add_u64(f.heading_words, summary.heading_words);
        doc.add_u64(f.context_words, summary.context_words);
        doc.add_u64(f.title_words, summary.title_words);
        doc
    }

    /// The block of an article, made as it is parsed (`events` over
    /// `text`, the file's text): only the open sections and the chunk are
    /// held, whatever the file's size. Returns the block's totals and the
    /// file's warnings (the first [`MAX_WARNINGS`], and a last one saying
    /// how many more there were).
    pub fn article(
        mut self,
        text: &str,
        events: Events<'_>,
        display: &str,
        emit: &mut dyn FnMut(Vec<TantivyDocument>) -> Result<()>,
    ) -> Result<(BlockSummary, Vec<Problem>)> {
        self.summary.article = true;
        self.title = events.title().to_string();
        let mut ids = Ids::default();
        let mut warnings = Vec::new();
        let mut more_warnings = 0usize;
        for event in events {
            match event {
                Event::Section(s) => {
                    let path: Vec<String> = s.path.to_vec();
                    self.open_section(
                        s.index,
                        ids.section(&self.title, &path),
                        s.level,
                        Arc::new(path),
                        s.heading_text,
                        s.line_start,
                        column_of(text, s.line_bytes.start),
                        s.line_bytes,
                    );
                }
                Event::Passage(p) => {
                    let body = &text[p.bytes.clone()];
                    let id = ids.passage(&self.title, body);
                    self.passage(
                        id,
                        p.paragraph,
                        p.line_start,
                        p.line_end,
                        column_of(text, p.bytes.start),
                        p.bytes,
                        body,
                        emit,
                    )?;
                }
                Event::SectionEnd(e) => {
                    if let Some(o) = self
                        .open
                        .iter_mut()
                        .find(|o| o.index == e.index && !o.continued)
                    {
                        o.line_end = e.line_end;
                        o.byte_end = e.bytes_end;
                    }
                }
                Event::Warning(w) if warnings.len() < MAX_WARNINGS => warnings.push(Problem {
                    file: display.to_string(),
                    line: w.line,
                    message: w.message,
                }),
                Event::Warning(_) => more_warnings += 1,
            }
        }
        if more_warnings > 0 {
            warnings.push(Problem {
                file: display.to_string(),
                line: 0,
                message: format!("{more_warnings} more odd lines like these, read the same way"),
            });
        }
        self.close_sections(0);
        self.flush(emit)?;
        Ok((self.summary, warnings))
    }

    /// Opens a section, closing those it ends.
    #[allow(clippy::too_many_arguments)]
    fn open_section(
        &mut self,
        index: usize,
        id: Id,
        level: u8,
        path: Arc<Vec<String>>,
        heading: &str,
        line: usize,
        column: usize,
        bytes: std::ops::Range<usize>,
    ) {
        // A heading ends the sections of its level and deeper, and the
        // lead's text; the lead stays open (its subtree is the article).
        let lead = self.open.is_empty();
        if !lead {
            let keep = 1 + self.open[1..]
                .iter()
                .take_while(|o| o.level < level)
                .count();
            self.close_sections(keep);
        }
        let at = self.chunk.len();
        // A level 1 section (the lead, or a later `= X =`) holds only its
        // own passages: its text ends at the next heading.
        for o in self
            .open
            .iter_mut()
            .filter(|o| o.level == 1 && o.reach.is_none())
        {
            o.reach = Some(at - o.slot - 1);
        }
        let words = count_words(&mut self.an, heading);
        if lead {
            self.summary.title_words += words;
        } else {
            self.summary.heading_words += words;
        }
        // A heading's words are part of the text of every section around
        // it (a subsection's heading stands inside its parent's text), and
        // its line stretches their ends.
        for o in self.open.iter_mut().filter(|o| o.reach.is_none()) {
            o.len += words;
            o.digest.str(heading);
            o.line_end = o.line_end.max(line);
            o.byte_end = o.byte_end.max(bytes.end);
        }
        let mut digest = Digest::default();
        digest.str(heading);
        self.chunk.push(None);
        self.open.push(Open {
            slot: at,
            index,
            lead,
            continued: false,
            level,
            id,
            path,
            heading: heading.to_string(),
            line,
            line_end: line,
            column,
            byte_start: bytes.start,
            byte_end: bytes.end,
            years: Vec::new(),
            seen_years: Default::default(),
            len: words,
            heading_words: if lead { 0 } else { words },
            reach: None,
            digest,
        });
    }

    /// Adds a passage to the innermost open section.
    #[allow(clippy::too_many_arguments)]
    fn passage(
        &mut self,
        id: Id,
        paragraph: usize,
        line: usize,
        line_end: usize,
        column: usize,
        bytes: std::ops::Range<usize>,
        body: &str,
        emit: &mut dyn FnMut(Vec<TantivyDocument>) -> Result<()>,
    ) -> Result<()> {
        if self.chunk.len() >= CHUNK_DOCS {
            self.next_chunk(emit)?;
        }
        let f = self.fields;
        self.terms.clear();
        let mut printed = Vec::new();
        let words = self.an.terms_and_words(
            body,
            &mut self.terms,
            &mut printed,
            crate::article::may_date,
        ) as u64;
        let years = if body.bytes().any(|b| b.is_ascii_digit()) {
            crate::article::years_of_words(&printed)
        } else {
            Vec::new()
        };
        let years = years.as_slice();
        let at = self.chunk.len();
        let section = self.open.last().expect("a passage follows its section");
        let mut doc = TantivyDocument::new();
        doc.add_u64(f.kind, DocKind::Paragraph as u64);
        doc.add_text(f.text, &self.terms);
        doc.add_u64(f.up, (at - section.slot) as u64);
        add_id(&mut doc, f, id);
        doc.add_u64(f.paragraph, paragraph as u64);
        doc.add_u64(f.line, line as u64);
        doc.add_u64(f.line_end, line_end as u64);
        doc.add_u64(f.column, column as u64);
        doc.add_u64(f.byte_start, bytes.start as u64);
        doc.add_u64(f.byte_end, bytes.end as u64);
        for &y in years {
            doc.add_i64(f.years, y);
        }
        if let Some(model) = self.model {
            doc.add_u64(f.sense, Model::code(&model.embed(body)));
        }
        self.chunk.push(Some(doc));
        self.summary.paragraphs += 1;
        self.summary.paragraph_words += words;
        self.summary.context_words += self.open.iter().map(|o| o.heading_words).sum::<u64>();
        if self.states {
            let path = section.path.clone();
            let mut digest = Digest::default();
            digest.str(&id.to_string()).str(&self.title);
            for h in path.iter() {
                digest.str(h);
            }
            digest
                .num(section.level.into())
                .num(paragraph as u64)
                .num(line as u64)
                .num(line_end as u64)
                .num(column as u64)
                .num(bytes.start as u64)
                .num(bytes.end as u64);
            for &y in years {
                digest.num(y as u64);
            }
            self.summary.states.push(DocState {
                id,
                digest: digest.finish(),
                path,
                paragraph,
            });
        }
        let id = self.states.then(|| id.to_string());
        for o in self.open.iter_mut().filter(|o| o.reach.is_none()) {
            o.len += words;
            o.line_end = o.line_end.max(line_end);
            o.byte_end = o.byte_end.max(bytes.end);
            for &y in years {
                if o.seen_years.insert(y) {
                    o.years.push(y);
                }
            }
            if let Some(id) = &id {
                o.digest.str(id);
            }
        }
        Ok(())
    }

    /// Closes the open sections from `keep` on (innermost first), writing
    /// their documents.
    fn close_sections(&mut self, keep: usize) {
        while self.open.len() > keep {
            let o = self.open.pop().expect("checked");
            self.write_section(o);
        }
    }

    /// Writes a closed section's document into its slot.
    fn write_section(&mut self, o: Open) {
        let f = self.fields;
        let end = self.chunk.len();
        let span = (end - o.slot - 1) as u64;
        let reach = o.reach.map_or(span, |r| r as u64);
        let up = self.open.last().map_or(0, |parent| o.slot - parent.slot) as u64;
        let mut doc = TantivyDocument::new();
        let kind = if o.continued {
            DocKind::SectionContinued
        } else {
            DocKind::Section
        };
        doc.add_u64(f.kind, kind as u64);
        if o.lead {
            // The root of the block: the title, and the file's path (what
            // an update deletes the block by, and where a result's text is).
            doc.add_text(f.title, &o.heading);
            doc.add_text(f.path, &self.file.rel);
        } else {
            doc.add_text(f.heading, &o.heading);
        }
        doc.add_u64(f.up, up);
        doc.add_u64(f.span, span);
        doc.add_u64(f.level, o.level.into());
        if o.continued {
            self.chunk[o.slot] = Some(doc);
            return;
        }
        doc.add_u64(f.reach, reach);
        doc.add_u64(f.len, o.len);
        add_id(&mut doc, f, o.id);
        doc.add_u64(f.line, o.line as u64);
        doc.add_u64(f.line_end, o.line_end as u64);
        doc.add_u64(f.column, o.column as u64);
        doc.add_u64(f.byte_start, o.byte_start as u64);
        doc.add_u64(f.byte_end, o.byte_end as u64);
        for &y in &o.years {
            doc.add_i64(f.years, y);
        }
        self.chunk[o.slot] = Some(doc);
        self.summary.sections += 1;
        self.summary.section_words += o.len;
        if !self.states {
            return;
        }
        let mut digest = o.digest;
        digest.str(&o.id.to_string()).str(&self.title);
        for h in o.path.iter() {
            digest.str(h);
        }
        digest
            .num(o.level.into())
            .num(o.line as u64)
            .num(o.line_end as u64)
            .num(o.column as u64)
            .num(o.byte_start as u64)
            .num(o.byte_end as u64);
        for &y in &o.years {
            digest.num(y as u64);
        }
        self.summary.states.push(DocState {
            id: o.id,
            digest: digest.finish(),
            path: o.path,
            paragraph: 0,
        });
    }

    /// Ends the chunk and starts another whose first documents stand for
    /// the file and the sections still open.
    fn next_chunk(
        &mut self,
        emit: &mut dyn FnMut(Vec<TantivyDocument>) -> Result<()>,
    ) -> Result<()> {
        // The open sections end here as far as this chunk goes; their
        // copies open the next.
        let copies: Vec<Open> = self
            .open
            .iter()
            .map(|o| Open {
                slot: 0,
                index: o.index,
                lead: o.lead,
                continued: true,
                level: o.level,
                id: o.id,
                path: o.path.clone(),
                heading: o.heading.clone(),
                line: o.line,
                line_end: o.line_end,
                column: o.column,
                byte_start: o.byte_start,
                byte_end: o.byte_end,
                years: Vec::new(),
                seen_years: Default::default(),
                len: 0,
                heading_words: o.heading_words,
                reach: o.reach.map(|_| 0),
                digest: Digest::default(),
            })
            .collect();
        self.close_sections(0);
        self.flush(emit)?;
        for mut o in copies {
            o.slot = self.chunk.len();
            self.chunk.push(None);
            self.open.push(o);
        }
        Ok(())
    }

    /// Hands the chunk over (its sections all closed).
    fn flush(&mut self, emit: &mut dyn FnMut(Vec<TantivyDocument>) -> Result<()>) -> Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let docs: Vec<TantivyDocument> = std::mem::take(&mut self.chunk)
            .into_iter()
            .map(|d| d.expect("every section is written when it closes"))
            .collect();
        emit(docs)
    }
}

fn add_id(doc: &mut TantivyDocument, f: Fields, id: Id) {
    doc.add_u64(f.id, id.hash);
    if id.dup > 0 {
        doc.add_u64(f.dup, id.dup);
    }
}

/// Words of a short text (a heading).
fn count_words(an: &mut Analyzer, text: &str) -> u64 {
    let mut scratch = String::new();
    an.terms_into(text, &mut scratch) as u64
}
