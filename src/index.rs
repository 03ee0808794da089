//! The tantivy index: its schema, building it from documents, and opening
//! it for search.
//!
//! An index folder holds generations: `gen-*/` folders, each a complete
//! tantivy index plus its state files ([`crate::state`]), and a `CURRENT`
//! file naming the one in use.
//!
//! - A full build writes a new generation beside the old one and only then
//!   replaces `CURRENT` (write to a temporary file, fsync, rename), so a
//!   build that fails or is interrupted leaves the previous generation in
//!   use. Leftover generations are removed by the next full build.
//! - An incremental update changes the current generation in place: it
//!   deletes and adds only the documents of files whose content changed,
//!   in one tantivy commit (atomic: a killed update leaves the previous
//!   commit), then rewrites the state files. If it is killed between the
//!   two, the opstamps disagree and the next update rebuilds.
//! - A lock file (`.lock`, an OS lock that dies with its process) keeps two
//!   writers apart.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::corpus::{self, Document, Kind, Problem, SourceFile};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::state::{self, DocState, Docs, FileState, Stamp, Stamps, Summary, Tombstone};
use crate::text;

/// Bumped whenever the schema or the analyzers change meaning, so an index
/// built by another version is rebuilt instead of silently misread.
pub const FORMAT: u32 = 17;

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Stable ID (untokenized).
    pub id: Field,
    /// File and ID, unique in the index: what an update deletes by.
    pub key: Field,
    /// `paragraph` or `section` (untokenized).
    pub kind: Field,
    /// Article title: stored, and indexed folded for `article:`.
    pub article: Field,
    /// Headings of the section path, one value each: stored, and indexed
    /// folded for `section:`.
    pub section: Field,
    /// The headings of the section path again, stemmed, with positions:
    /// what `section:culture` matches, so that a filter finds a heading the
    /// way a word finds the text (`culture` finds "Cultural relations"). The
    /// folded field above is kept for prefixes (`section:cultur*`).
    pub section_stem: Field,
    /// The article title, stemmed, with positions, for `article:`.
    pub article_stem: Field,
    /// The section's own heading (stored).
    pub heading: Field,
    /// A section document's own heading, stemmed: what the section is about.
    pub topic: Field,
    /// The lead's title, stemmed (the lead's heading is the title): what the
    /// lead is about. Only lead documents have it.
    pub lead_title: Field,
    /// A paragraph's section path, stemmed: where it stands.
    pub context: Field,
    /// A paragraph's text, stemmed, for ranked recall (frequencies, no
    /// positions).
    pub body: Field,
    /// A section's text, stemmed: a field of its own, so that BM25 judges a
    /// section's length among sections (they are many paragraphs long) and
    /// a word's rarity among paragraphs, and so that the ranking weighs a
    /// section's text apart from its heading.
    pub section_body: Field,
    /// The text, folded but unstemmed, with positions for phrases.
    pub exact: Field,
    /// The file, as displayed.
    pub file: Field,
    /// Paragraph number (0 for sections).
    pub paragraph: Field,
    /// Heading level.
    pub level: Field,
    /// First line.
    pub line_start: Field,
    /// Last line.
    pub line_end: Field,
    /// Column of the first character.
    pub column: Field,
    /// First byte.
    pub byte_start: Field,
    /// End byte.
    pub byte_end: Field,
    /// Years mentioned (multi-valued).
    pub years: Field,
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_field = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let num = || NumericOptions::default().set_stored();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        article: b.add_text_field(
            "article",
            text_field(text::EXACT, IndexRecordOption::WithFreqsAndPositions).set_stored(),
        ),
        section: b.add_text_field(
            "section",
            text_field(text::EXACT, IndexRecordOption::WithFreqsAndPositions).set_stored(),
        ),
        section_stem: b.add_text_field(
            "section_stem",
            text_field(text::STEMMED, IndexRecordOption::WithFreqsAndPositions),
        ),
        article_stem: b.add_text_field(
            "article_stem",
            text_field(text::STEMMED, IndexRecordOption::WithFreqsAndPositions),
        ),
        heading: b.add_text_field("heading", STORED),
        topic: b.add_text_field(
            "topic",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs),
        ),
        lead_title: b.add_text_field(
            "lead_title",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs),
        ),
        context: b.add_text_field(
            "context",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs),
        ),
        body: b.add_text_field(
            "body",
            text_field(text::TERMS, IndexRecordOption::WithFreqs),
        ),
        section_body: b.add_text_field(
            "section_body",
            text_field(text::TERMS, IndexRecordOption::WithFreqs),
        ),
        exact: b.add_text_field(
            "exact",
            text_field(text::TERMS, IndexRecordOption::WithFreqsAndPositions),
        ),
        file: b.add_text_field("file", STRING | STORED | FAST),
        paragraph: b.add_u64_field("paragraph", num().set_fast()),
        level: b.add_u64_field("level", num()),
        line_start: b.add_u64_field("line_start", num()),
        line_end: b.add_u64_field("line_end", num()),
        column: b.add_u64_field("column", num()),
        byte_start: b.add_u64_field("byte_start", num().set_fast()),
        // Fast, with byte_start, for grouping results by the text they show.
        byte_end: b.add_u64_field("byte_end", num().set_fast()),
        years: b.add_i64_field("years", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// The index document for `d`, given the words of its whole file (see
    /// [`text::Terms`]: each file is analyzed once, for all its documents).
    fn to_tantivy(self, d: &Document, file_words: &[text::Word]) -> TantivyDocument {
        let terms = text::Terms::within(file_words, d.byte_start..d.byte_end);
        let mut doc = TantivyDocument::new();
        doc.add_text(self.id, &d.id);
        doc.add_text(self.key, key(&d.file, &d.id));
        doc.add_text(self.kind, d.kind.as_str());
        doc.add_text(self.article, &d.article);
        doc.add_text(self.article_stem, &d.article);
        for h in &d.section {
            doc.add_text(self.section, h);
            doc.add_text(self.section_stem, h);
        }
        doc.add_text(self.heading, &d.heading);
        match d.kind {
            // The lead's heading is the title, already in `article_stem`:
            // counted again as a heading, every query naming the article
            // ranked its lead above the section it asked for. The lead's
            // title is a field of its own instead, weighed less.
            Kind::Section if d.section.is_empty() => doc.add_text(self.lead_title, &d.article),
            Kind::Section => doc.add_text(self.topic, &d.heading),
            Kind::Paragraph => {
                for h in &d.section {
                    doc.add_text(self.context, h);
                }
            }
        }
        match d.kind {
            Kind::Paragraph => doc.add_text(self.body, &terms.stems),
            Kind::Section => doc.add_text(self.section_body, &terms.stems),
        }
        // Phrases and quotes are looked for in paragraphs; positions for
        // the sections holding them would double the largest file.
        if d.kind == Kind::Paragraph {
            doc.add_text(self.exact, &terms.exact);
        }
        doc.add_text(self.file, &d.file);
        doc.add_u64(self.paragraph, d.paragraph.unwrap_or(0) as u64);
        doc.add_u64(self.level, u64::from(d.level));
        doc.add_u64(self.line_start, d.line_start as u64);
        doc.add_u64(self.line_end, d.line_end as u64);
        doc.add_u64(self.column, d.column as u64);
        doc.add_u64(self.byte_start, d.byte_start as u64);
        doc.add_u64(self.byte_end, d.byte_end as u64);
        for y in &d.years {
            doc.add_i64(self.years, *y);
        }
        doc
    }

    /// Reads a stored document back (its text is not stored: see
    /// [`Opened::document`]).
    pub fn from_tantivy(&self, doc: &TantivyDocument) -> Document {
        let s = |f: Field| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let n = |f: Field| doc.get_first(f).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let kind = if s(self.kind) == Kind::Section.as_str() {
            Kind::Section
        } else {
            Kind::Paragraph
        };
        Document {
            id: s(self.id),
            kind,
            article: s(self.article),
            section: doc
                .get_all(self.section)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            level: n(self.level) as u8,
            paragraph: match kind {
                Kind::Paragraph => Some(n(self.paragraph)),
                Kind::Section => None,
            },
            file: s(self.file),
            line_start: n(self.line_start),
            line_end: n(self.line_end),
            column: n(self.column),
            byte_start: n(self.byte_start),
            byte_end: n(self.byte_end),
            years: doc.get_all(self.years).filter_map(|v| v.as_i64()).collect(),
            text: String::new(),
            heading: s(self.heading),
        }
    }
}

/// What an update did. Passage counts are paragraphs and list items;
/// section documents are counted apart.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Articles in the index after the update.
    pub articles: usize,
    /// Section documents in the index after the update.
    pub sections: usize,
    /// Paragraph documents in the index after the update.
    pub paragraphs: usize,
    /// Passages that are new.
    pub added: usize,
    /// Passages edited in place (same section and number, new text).
    pub updated: usize,
    /// Passages no longer in the corpus.
    pub removed: usize,
    /// Passages left as they were.
    pub unchanged: usize,
    /// Passages with the same text but a new location or section path
    /// (re-indexed under the same ID).
    pub moved: usize,
    /// Section documents written or deleted.
    pub sections_updated: usize,
    /// Files whose content changed, appeared or disappeared (in a full
    /// build: every file read, indexed or skipped). The sum of
    /// `files_added`, `files_edited` and `files_removed`.
    pub files_changed: usize,
    /// Files new to the index (in a full build: every file).
    pub files_added: usize,
    /// Files whose content changed.
    pub files_edited: usize,
    /// Files gone from the corpus.
    pub files_removed: usize,
    /// Files whose size or modification time changed but whose content did
    /// not (read and hashed, nothing re-indexed; not in `files_changed`).
    pub files_touched: usize,
    /// Every file this update read or found gone, and what it found.
    pub file_changes: Vec<FileChange>,
    /// Whether the index was rebuilt from scratch.
    pub full: bool,
    /// Whether a tantivy commit was made.
    pub committed: bool,
    /// Files left out, with the reason.
    pub skipped: Vec<Problem>,
    /// Oddities read sensibly (e.g. an unclosed heading marker).
    pub warnings: Vec<Problem>,
    /// Wall-clock time.
    pub seconds: f64,
    /// The index folder.
    pub index: String,
}

/// What an update found a file to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// New to the index (every file is, in a full build).
    Added,
    /// Its content changed.
    Edited,
    /// Gone from the corpus.
    Removed,
    /// A new size or modification time, the same content.
    Touched,
}

/// One file an update read or found gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// The file, as displayed.
    pub file: String,
    /// What the update found.
    pub change: Change,
}

impl Report {
    /// Whether the update changed what a search can find.
    pub fn changed(&self) -> bool {
        self.committed
    }

    /// Records what became of a file, in the list and in the counts.
    fn note(&mut self, file: &str, change: Change) {
        match change {
            Change::Added => self.files_added += 1,
            Change::Edited => self.files_edited += 1,
            Change::Removed => self.files_removed += 1,
            Change::Touched => self.files_touched += 1,
        }
        if change != Change::Touched {
            self.files_changed += 1;
        }
        self.file_changes.push(FileChange {
            file: file.to_string(),
            change,
        });
    }

    /// The warnings and skipped files of the files this update read:
    /// [`Report::warnings`] and [`Report::skipped`] also carry over those of
    /// files it trusted unread, which were reported when they were read.
    pub fn problems_read(&self) -> (Vec<&Problem>, Vec<&Problem>) {
        let read: HashSet<&str> = self
            .file_changes
            .iter()
            .filter(|c| c.change != Change::Removed)
            .map(|c| c.file.as_str())
            .collect();
        fn of<'a>(list: &'a [Problem], read: &HashSet<&str>) -> Vec<&'a Problem> {
            list.iter()
                .filter(|p| read.contains(p.file.as_str()))
                .collect()
        }
        (of(&self.warnings, &read), of(&self.skipped, &read))
    }
}

/// How to update.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateOptions {
    /// Rebuild from scratch instead of applying the difference.
    pub full: bool,
}

/// An index folder.
#[derive(Debug, Clone)]
pub struct IndexDir {
    root: PathBuf,
}

/// An opened generation, ready to search.
pub struct Opened {
    /// The tantivy index, with the analyzers registered.
    pub index: Index,
    /// A reader on its last commit.
    pub reader: IndexReader,
    /// The schema's fields.
    pub fields: Fields,
    /// The corpus files as they were at that commit (or at an earlier
    /// one, when an update was killed between its commit and writing them).
    pub stamps: Stamps,
    /// The commit the reader holds.
    pub opstamp: u64,
    /// The generation's folder.
    pub dir: PathBuf,
    /// Corpus files whose passages could not be read back, and why.
    pub problems: std::cell::RefCell<Vec<String>>,
}

impl Opened {
    /// The generation's folder, for error messages.
    pub fn root(&self) -> &Path {
        &self.dir
    }

    /// A document with its text, read from its corpus file: the index keeps
    /// only where each passage stands, not a second copy of the corpus.
    ///
    /// A file that cannot be read (gone, or changed without the index being
    /// updated) leaves the text empty and records why in [`Opened::problems`]:
    /// the location is still worth showing.
    pub fn document(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> Result<Document> {
        let stored: TantivyDocument = searcher.doc(addr).map_err(Error::index(&self.dir))?;
        let mut d = self.fields.from_tantivy(&stored);
        match self.read_text(&d) {
            Ok(text) => d.text = text,
            Err(e) => {
                let msg = e.to_string();
                let mut problems = self.problems.borrow_mut();
                if !problems.contains(&msg) {
                    problems.push(msg);
                }
            }
        }
        Ok(d)
    }

    /// The whole text of a corpus file, if it can be read as UTF-8.
    pub fn file_text(&self, file: &str) -> Option<String> {
        let path = Path::new(&self.stamps.base).join(file);
        match fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problems
                    .borrow_mut()
                    .push(format!("{}: {e}", path.display()));
                None
            }
        }
    }

    /// The bytes `byte_start..byte_end` of a document's file.
    fn read_text(&self, d: &Document) -> Result<String> {
        use std::io::{Read, Seek, SeekFrom};
        let path = Path::new(&self.stamps.base).join(&d.file);
        let len = d.byte_end.saturating_sub(d.byte_start);
        let mut buf = vec![0u8; len];
        let read = File::open(&path).and_then(|mut f| {
            f.seek(SeekFrom::Start(d.byte_start as u64))?;
            f.read_exact(&mut buf)
        });
        let changed = || Error::Corpus {
            path: path.clone(),
            message: "changed since it was indexed (run `passage index`)".into(),
        };
        match read {
            Ok(()) => String::from_utf8(buf).map_err(|_| changed()),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(changed()),
            Err(e) => Err(Error::io(&path)(e)),
        }
    }

    /// What stands now where a passage stood: the paragraph with the same
    /// section path and number, else the last paragraph of that section,
    /// else the section itself.
    pub fn at_place(
        &self,
        file: &str,
        section: &[String],
        paragraph: usize,
    ) -> Result<Option<Document>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.file, file),
            IndexRecordOption::Basic,
        );
        let found = searcher
            .search(&q, &DocSetCollector)
            .map_err(Error::index(&self.dir))?;
        let mut best: Option<(usize, tantivy::DocAddress)> = None;
        for addr in found {
            let stored: TantivyDocument = searcher.doc(addr).map_err(Error::index(&self.dir))?;
            let d = self.fields.from_tantivy(&stored);
            if d.section != section {
                continue;
            }
            // Rank: the same number, then the closest number below, then the
            // section document.
            let rank = match d.paragraph {
                Some(n) if n == paragraph => usize::MAX,
                Some(n) if n < paragraph => n + 1,
                Some(_) => 1,
                None => 0,
            };
            if best.is_none_or(|(r, _)| rank > r) {
                best = Some((rank, addr));
            }
        }
        best.map(|(_, addr)| self.document(&searcher, addr))
            .transpose()
    }

    /// Finds documents by ID (normally one; an ID shared by two files with
    /// the same title and text gives both).
    pub fn by_id(&self, id: &str) -> Result<Vec<Document>> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let found = searcher
            .search(&q, &DocSetCollector)
            .map_err(Error::index(&self.dir))?;
        let mut out = Vec::new();
        for addr in found {
            out.push(self.document(&searcher, addr)?);
        }
        out.sort_by(|a, b| (&a.file, a.byte_start).cmp(&(&b.file, b.byte_start)));
        Ok(out)
    }

    /// The files of the corpus that differ from what was indexed: changed
    /// size or mtime, new or gone. Costs one `stat` per file.
    pub fn stale_files(&self, corpus_root: &Path) -> Result<Vec<String>> {
        self.staleness().stale_files(corpus_root)
    }

    /// What the staleness check needs, apart from the index (so that it can
    /// run on another thread while the index is searched).
    pub fn staleness(&self) -> Staleness<'_> {
        Staleness {
            stamps: &self.stamps,
            opstamp: self.opstamp,
        }
    }
}

/// The stamps of an opened index, to compare the corpus with.
#[derive(Clone, Copy)]
pub struct Staleness<'a> {
    stamps: &'a Stamps,
    opstamp: u64,
}

impl Staleness<'_> {
    /// See [`Opened::stale_files`].
    pub fn stale_files(&self, corpus_root: &Path) -> Result<Vec<String>> {
        Ok(self.stale_among(&corpus::discover(corpus_root)?))
    }

    fn stale_among(&self, files: &[SourceFile]) -> Vec<String> {
        if self.stamps.opstamp != self.opstamp {
            // The stamps describe an older commit: trust none of them.
            return files.iter().map(|f| f.display.clone()).collect();
        }
        let stamps = &self.stamps.files;
        let mut out = Vec::new();
        if files.is_sorted_by(|a, b| a.display < b.display)
            && stamps.is_sorted_by(|a, b| a.file < b.file)
        {
            // Both lists come sorted by path: one merge, no hashing.
            use std::cmp::Ordering;
            let (mut i, mut j) = (0, 0);
            loop {
                let order = match (files.get(i), stamps.get(j)) {
                    (None, None) => break,
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(f), Some(s)) => f.display.cmp(&s.file),
                };
                match order {
                    Ordering::Less => {
                        out.push(files[i].display.clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        out.push(stamps[j].file.clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        let (f, s) = (&files[i], &stamps[j]);
                        if !unchanged(s, f) {
                            out.push(f.display.clone());
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
            return out;
        }
        let mut known: HashMap<&str, &Stamp> =
            stamps.iter().map(|s| (s.file.as_str(), s)).collect();
        for f in files {
            match known.remove(f.display.as_str()) {
                Some(old) if unchanged(old, f) => {}
                _ => out.push(f.display.clone()),
            }
        }
        out.extend(known.into_keys().map(str::to_string));
        out.sort();
        out
    }
}

const CURRENT: &str = "CURRENT";
const LOCK: &str = ".lock";
const WATCH_LOCK: &str = ".watch";

/// Holds the writer lock of an index folder until dropped.
pub struct WriteLock {
    _file: File,
}

impl IndexDir {
    /// An index folder at `root` (it need not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> IndexDir {
        IndexDir { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The generation in use, if any.
    fn current(&self) -> Result<Option<PathBuf>> {
        let path = self.root.join(CURRENT);
        match fs::read_to_string(&path) {
            // Garbled: no generation is named, so build one.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Ok(None),
            Ok(name) => {
                let name = name.trim();
                if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
                    return Ok(None);
                }
                let dir = self.root.join(name);
                Ok(dir.is_dir().then_some(dir))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path)(e)),
        }
    }

    /// Opens the generation in use. `Ok(None)` when there is none, it was
    /// built by another format version, or its state files do not describe
    /// its last commit (all of which mean: build it).
    pub fn open(&self) -> Result<Option<Opened>> {
        // A writer may commit, or swap in a new generation and delete this
        // one, while we read: whatever fails, look again a few times.
        for attempt in 0..8 {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(25 * attempt));
            }
            let Some(dir) = self.current()? else {
                return Ok(None);
            };
            if let Some(opened) = try_open(dir) {
                return Ok(Some(opened));
            }
        }
        Ok(None)
    }

    /// Waits until no other process is writing the index.
    pub fn wait_for_writer(&self) -> Result<()> {
        let path = self.root.join(LOCK);
        let Ok(file) = File::options().write(true).open(&path) else {
            return Ok(());
        };
        file.lock().map_err(Error::io(&path))?;
        Ok(())
    }

    /// Brings the index up to date with the corpus: applies only what
    /// changed, or rebuilds from scratch when asked, when there is no
    /// usable index, or when its state files do not match it.
    pub fn update(&self, corpus_root: &Path, opts: UpdateOptions) -> Result<Report> {
        self.update_with_progress(corpus_root, opts, &|_| {})
    }

    /// [`IndexDir::update`], calling `progress` after each file it reads
    /// (for a progress bar). A no-change update reads none and never calls
    /// it.
    pub fn update_with_progress(
        &self,
        corpus_root: &Path,
        opts: UpdateOptions,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let started = Instant::now();
        fs::create_dir_all(&self.root).map_err(Error::io(&self.root))?;
        crate::guard::check_locations(corpus_root, &self.root)?;
        let _lock = self.lock()?;
        let files = corpus::discover(corpus_root)?;
        let current = if opts.full {
            None
        } else {
            self.open_for_update()?
        };
        if let Some((opened, _)) = &current {
            // Holding the lock, no other build is writing a generation:
            // anything but the current one is left over from a crash.
            if let Some(name) = opened.dir.file_name() {
                self.remove_old_generations(&name.to_string_lossy());
            }
        }
        // Nothing changed (one stat per file): done, without reading the
        // document states.
        if let Some((opened, false)) = &current {
            if opened.stamps.corpus == corpus_root.display().to_string()
                && opened.staleness().stale_among(&files).is_empty()
            {
                let sum = &opened.stamps.summary;
                return Ok(Report {
                    articles: sum.articles,
                    sections: sum.sections,
                    paragraphs: sum.paragraphs,
                    unchanged: sum.paragraphs,
                    skipped: sum.skipped.clone(),
                    warnings: sum.warnings.clone(),
                    seconds: started.elapsed().as_secs_f64(),
                    index: self.root.display().to_string(),
                    ..Report::default()
                });
            }
        }
        let current = current.and_then(|(opened, repair)| {
            Self::load_docs(&opened).map(|docs| (opened, docs, repair))
        });
        let mut report = match current {
            Some((opened, docs, repair)) => {
                crate::guard::check_writable(&opened.dir)?;
                self.incremental(&opened, docs, &files, corpus_root, repair, progress)?
            }
            None => {
                crate::guard::check_writable(&self.root)?;
                self.full_build(&files, corpus_root, progress)?
            }
        };
        report.seconds = started.elapsed().as_secs_f64();
        report.index = self.root.display().to_string();
        Ok(report)
    }

    /// Rebuilds from scratch (same as `update` with `full`).
    pub fn build(&self, corpus_root: &Path) -> Result<Report> {
        self.update(corpus_root, UpdateOptions { full: true })
    }

    /// The current generation, and whether its state files lag behind its
    /// last commit (an update killed between its commit and writing them):
    /// then every file that differs from its stamp is re-indexed whole.
    fn open_for_update(&self) -> Result<Option<(Opened, bool)>> {
        let Some(opened) = self.open()? else {
            return Ok(None);
        };
        let repair = opened.stamps.opstamp != opened.opstamp;
        Ok(Some((opened, repair)))
    }

    /// The document states of a generation, if they match its stamps.
    fn load_docs(opened: &Opened) -> Option<Docs> {
        let docs = state::load::<Docs>(&opened.dir.join(state::DOCS))?;
        (docs.format == FORMAT && docs.opstamp == opened.stamps.opstamp).then_some(docs)
    }

    /// Marks this index as watched for as long as the returned lock lives
    /// (`passage watch` holds it), so searches can skip their own check for
    /// edits. Fails with [`Error::Busy`] if another watcher holds it.
    pub fn watch_lock(&self) -> Result<WriteLock> {
        // A search asks whether a watcher runs by trying this same lock for
        // an instant ([`Self::is_watched`]); a watcher starting in that
        // instant must not take the search for another watcher. One that
        // really runs holds the lock for good: a second of retries tells.
        let mut tries = 0;
        loop {
            match self.try_lock_file(WATCH_LOCK) {
                Err(Error::Busy { .. }) if tries < 20 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => return other,
            }
        }
    }

    /// Whether a `passage watch` is keeping this index current (an OS lock,
    /// so a killed watcher never leaves a stale claim).
    pub fn is_watched(&self) -> bool {
        let Ok(file) = File::options().write(true).open(self.root.join(WATCH_LOCK)) else {
            return false;
        };
        matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock))
    }

    /// Takes the writer lock, failing at once if another process holds it.
    pub fn lock(&self) -> Result<WriteLock> {
        self.try_lock_file(LOCK)
    }

    /// Takes an exclusive OS lock on a file of the index folder, at once
    /// or not at all.
    fn try_lock_file(&self, name: &str) -> Result<WriteLock> {
        fs::create_dir_all(&self.root).map_err(Error::io(&self.root))?;
        let path = self.root.join(name);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(WriteLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Busy {
                path: self.root.clone(),
            }),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(path)(e)),
        }
    }

    /// Writes a new generation and makes it current.
    fn full_build(
        &self,
        files: &[SourceFile],
        corpus_root: &Path,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let gen_name = format!(
            "gen-{}-{}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
            std::process::id()
        );
        let gen = self.root.join(&gen_name);
        // What the generation being replaced knew of IDs, so that `show
        // OLD_ID` still answers after a rebuild.
        let previous: Option<Docs> = self
            .current()
            .ok()
            .flatten()
            .and_then(|dir| state::load::<Docs>(&dir.join(state::DOCS)));
        fs::create_dir(&gen).map_err(Error::io(&gen))?;
        let (schema, fields) = schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_dir(&gen)
            .map_err(Error::index(&gen))?;
        text::register(&index);
        let mut writer = new_writer(&index, &gen)?;

        let mut report = Report {
            full: true,
            committed: true,
            ..Report::default()
        };
        // Reading and parsing run on all cores, file by file; this thread
        // feeds the writer, whose own threads analyze and build postings.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Prepared)>(workers * 4);
        let mut prepared: Vec<Option<FileState>> = vec![None; files.len()];
        let mut done = Progress {
            files_total: files.len(),
            bytes_total: files.iter().map(|f| f.size).sum(),
            ..Progress::default()
        };
        let added: Result<()> = std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let next = &next;
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if tx.send((i, prepare(file, fields))).is_err() {
                        break;
                    }
                });
            }
            drop(tx);
            for (i, p) in rx {
                if let Some(problem) = &p.state.problem {
                    report.skipped.push(problem.clone());
                }
                report.warnings.extend(p.state.warnings.iter().cloned());
                for d in &p.state.docs {
                    if d.section {
                        report.sections_updated += 1;
                    } else {
                        report.added += 1;
                    }
                }
                for doc in p.docs {
                    writer.add_document(doc).map_err(Error::index(&gen))?;
                }
                prepared[i] = Some(p.state);
                done.files_done += 1;
                done.bytes_done += files[i].size;
                progress(done);
            }
            Ok(())
        });
        added?;
        for f in files {
            report.note(&f.display, Change::Added);
        }
        let stamps: Vec<Stamp> = files.iter().map(stamp).collect();
        let states: Vec<FileState> = prepared.into_iter().flatten().collect();
        report
            .skipped
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        report
            .warnings
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        let opstamp = writer.commit().map_err(Error::index(&gen))?;
        writer.wait_merging_threads().map_err(Error::index(&gen))?;
        let mut docs = Docs {
            format: FORMAT,
            opstamp,
            files: states,
            tombstones: Vec::new(),
        };
        if let Some(previous) = previous {
            docs.bury(carried_tombstones(previous, &docs.files));
        }
        totals(&mut report, &docs);
        let stamps = Stamps {
            format: FORMAT,
            opstamp,
            corpus: corpus_root.display().to_string(),
            base: base_dir(),
            files: stamps,
            summary: summary(&report),
        };
        state::save(&gen.join(state::DOCS), &docs)?;
        state::save(&gen.join(state::STAMPS), &stamps)?;
        state::write_durably(&self.root.join(CURRENT), gen_name.as_bytes())?;
        self.remove_old_generations(&gen_name);
        Ok(report)
    }

    /// Applies the difference between the corpus and the current generation.
    fn incremental(
        &self,
        opened: &Opened,
        mut docs: Docs,
        files: &[SourceFile],
        corpus_root: &Path,
        repair: bool,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let dir = &opened.dir;
        let fields = opened.fields;
        let mut report = Report::default();
        let old_stamps: HashMap<&str, &Stamp> = opened
            .stamps
            .files
            .iter()
            .map(|s| (s.file.as_str(), s))
            .collect();
        let mut old_files: HashMap<String, FileState> =
            docs.files.drain(..).map(|f| (f.file.clone(), f)).collect();
        let mut writer: Option<IndexWriter> = None;
        let mut stamps = Vec::with_capacity(files.len());
        let mut states = Vec::with_capacity(files.len());
        let mut tombstones = Vec::new();
        let mut stamps_changed = false;
        // Same size, mtime, ctime and inode: trust it without reading (the cheap path
        // that makes a no-change run cost one stat per file).
        let trusted: Vec<bool> = files
            .iter()
            .map(|file| {
                old_files.contains_key(&file.display)
                    && old_stamps
                        .get(file.display.as_str())
                        .is_some_and(|os| unchanged(os, file))
            })
            .collect();
        let mut done = Progress::default();
        for (f, _) in files.iter().zip(&trusted).filter(|(_, t)| !**t) {
            done.files_total += 1;
            done.bytes_total += f.size;
        }

        for (file, &is_trusted) in files.iter().zip(&trusted) {
            let st = stamp(file);
            let old = old_files.remove(&file.display);
            if is_trusted {
                let o = old.expect("trusted files have a state");
                keep(&mut report, &o);
                states.push(o);
                stamps.push(st);
                continue;
            }
            stamps_changed = true;
            let loaded = read_file(file);
            done.files_done += 1;
            done.bytes_done += file.size;
            progress(done);
            // A file that could not be read has no hash (""), so two
            // failed reads would look alike and the first failure's message
            // (say, "grew past the limit while being read") would be
            // repeated for ever: only content read twice is compared.
            if let Some(o) = old.as_ref().filter(|_| !repair) {
                if !loaded.hash.is_empty() && o.hash == loaded.hash {
                    report.note(&file.display, Change::Touched);
                    keep(&mut report, o);
                    states.push(old.expect("checked"));
                    stamps.push(st);
                    continue;
                }
            }
            // With `repair`, a file whose stamp differs is re-indexed whole
            // even if its content is the one the stale states describe.
            let change = if old.is_some() {
                Change::Edited
            } else {
                Change::Added
            };
            report.note(&file.display, change);
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(new_writer(&opened.index, dir)?),
            };
            let old_docs = old.map(|o| o.docs).unwrap_or_default();
            let new_state = match loaded.parsed {
                Err(p) => {
                    report.skipped.push(p.clone());
                    remove_all(
                        w,
                        &fields,
                        &file.display,
                        &old_docs,
                        &mut report,
                        &mut tombstones,
                    );
                    FileState {
                        file: file.display.clone(),
                        title: String::new(),
                        hash: loaded.hash,
                        docs: Vec::new(),
                        problem: Some(p),
                        warnings: Vec::new(),
                    }
                }
                Ok((text, article)) => {
                    let warnings = warnings_of(&file.display, &article);
                    report.warnings.extend(warnings.iter().cloned());
                    let mut ids = HashSet::new();
                    let new_docs = corpus::documents(&file.display, &text, &article, &mut ids);
                    let words = text::Analyzer::default().words(&text);
                    let doc_states = apply_file(
                        w,
                        &fields,
                        &file.display,
                        &old_docs,
                        &new_docs,
                        &words,
                        repair,
                        &mut report,
                        &mut tombstones,
                    )?;
                    FileState {
                        file: file.display.clone(),
                        title: article.title.clone(),
                        hash: loaded.hash,
                        docs: doc_states,
                        problem: None,
                        warnings,
                    }
                }
            };
            states.push(new_state);
            stamps.push(st);
        }
        // Files that are gone.
        let mut gone: Vec<FileState> = old_files.into_values().collect();
        gone.sort_by(|a, b| a.file.cmp(&b.file));
        for o in gone {
            stamps_changed = true;
            report.note(&o.file, Change::Removed);
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(new_writer(&opened.index, dir)?),
            };
            remove_all(w, &fields, &o.file, &o.docs, &mut report, &mut tombstones);
        }

        let corpus_name = corpus_root.display().to_string();
        if corpus_name != opened.stamps.corpus {
            stamps_changed = true;
        }
        let mut opstamp = opened.stamps.opstamp;
        if let Some(mut w) = writer {
            opstamp = w.commit().map_err(Error::index(dir))?;
            w.wait_merging_threads().map_err(Error::index(dir))?;
            report.committed = true;
        }
        // Gone files were noted after the rest: one list, by file.
        report.file_changes.sort_by(|a, b| a.file.cmp(&b.file));
        docs.files = states;
        docs.opstamp = opstamp;
        docs.bury(tombstones);
        totals(&mut report, &docs);
        if report.committed || stamps_changed {
            state::save(&dir.join(state::DOCS), &docs)?;
            state::save(
                &dir.join(state::STAMPS),
                &Stamps {
                    format: FORMAT,
                    opstamp,
                    corpus: corpus_name,
                    base: base_dir(),
                    files: stamps,
                    summary: summary(&report),
                },
            )?;
        }
        Ok(report)
    }

    /// Removes every generation but `keep`. Failures are ignored: a search
    /// may still have old files open, and the next build tries again.
    fn remove_old_generations(&self, keep: &str) {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("gen-") && name != keep {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }

    /// The document states of the generation `opened` holds, if they
    /// describe its last commit.
    pub fn docs(opened: &Opened) -> Option<Docs> {
        Self::load_docs(opened).filter(|d| d.opstamp == opened.opstamp)
    }

    /// The tombstones of the current generation (for `show`).
    pub fn tombstones(&self) -> Result<Vec<Tombstone>> {
        let Some(dir) = self.current()? else {
            return Ok(Vec::new());
        };
        Ok(state::load::<Docs>(&dir.join(state::DOCS))
            .map(|d| d.tombstones)
            .unwrap_or_default())
    }
}

/// Opens a generation whose state files describe its last commit.
fn try_open(dir: PathBuf) -> Option<Opened> {
    let stamps = state::load::<Stamps>(&dir.join(state::STAMPS))?;
    if stamps.format != FORMAT {
        return None;
    }
    let index = Index::open(crate::guard::ReadOnlyTolerant::open(&dir)?).ok()?;
    text::register(&index);
    let metas = index.load_metas().ok()?;
    if !crate::guard::segment_files_intact(&index, &dir, &metas) {
        return None;
    }
    let reader: IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .ok()?;
    // The reader must hold exactly the commit the stamps describe.
    let seen: HashSet<_> = reader
        .searcher()
        .segment_readers()
        .iter()
        .map(|r| r.segment_id())
        .collect();
    let meta_segments: HashSet<_> = metas.segments.iter().map(|s| s.id()).collect();
    if seen != meta_segments {
        return None;
    }
    let (_, fields) = schema();
    Some(Opened {
        index,
        reader,
        fields,
        stamps,
        opstamp: metas.opstamp,
        dir,
        problems: Default::default(),
    })
}

/// The stored fields are small and repetitive (titles, section paths,
/// numbers): zstd keeps them in about half the room lz4 takes, and a search
/// decompresses only the blocks of its ten hits.
fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        ..Default::default()
    }
}

fn new_writer(index: &Index, dir: &Path) -> Result<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let writer = index
        .writer_with_num_threads(threads, threads * 64_000_000)
        .map_err(Error::index(dir))?;
    // A writer killed before its commit leaves files (delete bitsets named
    // by the next opstamp) that this writer would try to create again and
    // fail on: tantivy collects them only after a commit, so collect now.
    writer
        .garbage_collect_files()
        .wait()
        .map_err(Error::index(dir))?;
    Ok(writer)
}

/// One file made ready for the index: its state and its documents.
struct Prepared {
    state: FileState,
    docs: Vec<TantivyDocument>,
}

/// Reads and parses one file into documents (no index access: runs on any
/// thread).
fn prepare(file: &SourceFile, fields: Fields) -> Prepared {
    let loaded = read_file(file);
    match loaded.parsed {
        Err(p) => Prepared {
            state: FileState {
                file: file.display.clone(),
                title: String::new(),
                hash: loaded.hash,
                docs: Vec::new(),
                problem: Some(p),
                warnings: Vec::new(),
            },
            docs: Vec::new(),
        },
        Ok((text, article)) => {
            let warnings = warnings_of(&file.display, &article);
            let mut ids = HashSet::new();
            let docs = corpus::documents(&file.display, &text, &article, &mut ids);
            let words = text::Analyzer::default().words(&text);
            Prepared {
                state: FileState {
                    file: file.display.clone(),
                    title: article.title.clone(),
                    hash: loaded.hash,
                    docs: docs.iter().map(doc_state).collect(),
                    problem: None,
                    warnings,
                },
                docs: docs.iter().map(|d| fields.to_tantivy(d, &words)).collect(),
            }
        }
    }
}

/// A file's bytes, hash and parse.
struct Loaded {
    hash: String,
    parsed: std::result::Result<(String, crate::article::Article), Problem>,
}

fn read_file(file: &SourceFile) -> Loaded {
    match crate::guard::read_article(file) {
        Ok(bytes) => {
            let hash = state::content_hash(&bytes);
            Loaded {
                hash,
                parsed: corpus::parse(&file.display, bytes),
            }
        }
        Err(message) => Loaded {
            hash: String::new(),
            parsed: Err(Problem {
                file: file.display.clone(),
                line: 0,
                message,
            }),
        },
    }
}

fn warnings_of(file: &str, article: &crate::article::Article) -> Vec<Problem> {
    article
        .warnings
        .iter()
        .map(|w| Problem {
            file: file.to_string(),
            line: w.line,
            message: w.message.clone(),
        })
        .collect()
}

fn doc_state(d: &Document) -> DocState {
    DocState {
        id: d.id.clone(),
        section: d.kind == Kind::Section,
        digest: state::digest(d),
        path: std::sync::Arc::new(d.section.clone()),
        paragraph: d.paragraph.unwrap_or(0),
    }
}

/// Counts an untouched file, re-reporting its problems.
fn keep(report: &mut Report, f: &FileState) {
    report.unchanged += f.docs.iter().filter(|d| !d.section).count();
    if let Some(p) = &f.problem {
        report.skipped.push(p.clone());
    }
    report.warnings.extend(f.warnings.iter().cloned());
}

fn summary(r: &Report) -> Summary {
    Summary {
        articles: r.articles,
        sections: r.sections,
        paragraphs: r.paragraphs,
        skipped: r.skipped.clone(),
        warnings: r.warnings.clone(),
    }
}

/// Article, section and paragraph totals after an update.
fn totals(report: &mut Report, docs: &Docs) {
    for f in &docs.files {
        if f.problem.is_none() {
            report.articles += 1;
        }
        for d in &f.docs {
            if d.section {
                report.sections += 1;
            } else {
                report.paragraphs += 1;
            }
        }
    }
}

/// The term that names one document for deletion: IDs are unique within a
/// file, so file and ID together are unique in the index.
fn key(file: &str, id: &str) -> String {
    format!("{file}\u{1f}{id}")
}

/// The tombstones a rebuild keeps: the old generation's, and one for each
/// paragraph it held that the new one does not, pointing (like an update's)
/// at the paragraph now standing in its place when there is one. IDs alive
/// again need none.
fn carried_tombstones(previous: Docs, now: &[FileState]) -> Vec<Tombstone> {
    let alive: HashSet<&str> = now
        .iter()
        .flat_map(|f| f.docs.iter().map(|d| d.id.as_str()))
        .collect();
    let at: HashMap<(&str, &[String], usize), &str> = now
        .iter()
        .flat_map(|f| {
            f.docs.iter().filter(|d| !d.section).map(move |d| {
                (
                    (f.file.as_str(), d.path.as_slice(), d.paragraph),
                    d.id.as_str(),
                )
            })
        })
        .collect();
    let mut out: Vec<Tombstone> = previous
        .tombstones
        .into_iter()
        .filter(|t| !alive.contains(t.id.as_str()))
        .collect();
    for f in &previous.files {
        for d in f.docs.iter().filter(|d| !d.section) {
            if alive.contains(d.id.as_str()) {
                continue;
            }
            let replaced_by = at
                .get(&(f.file.as_str(), d.path.as_slice(), d.paragraph))
                .map(|id| id.to_string());
            out.push(Tombstone {
                id: d.id.clone(),
                replaced_by,
                file: f.file.clone(),
                section: d.path.to_vec(),
                paragraph: d.paragraph,
            });
        }
    }
    out
}

/// Deletes all documents of a file.
fn remove_all(
    w: &mut IndexWriter,
    fields: &Fields,
    file: &str,
    old: &[DocState],
    report: &mut Report,
    tombstones: &mut Vec<Tombstone>,
) {
    for d in old {
        if d.section {
            report.sections_updated += 1;
        } else {
            report.removed += 1;
            tombstones.push(Tombstone {
                id: d.id.clone(),
                replaced_by: None,
                file: file.to_string(),
                section: d.path.to_vec(),
                paragraph: d.paragraph,
            });
        }
    }
    w.delete_term(Term::from_field_text(fields.file, file));
}

/// Applies the difference between a file's old and new documents and
/// returns the new states. With `replace_all`, the index may hold other
/// documents of the file than `old` says: all are deleted and every new one
/// added (the counts still describe the difference from `old`). `words` are
/// the new file's words, as [`Fields::to_tantivy`] takes them.
#[allow(clippy::too_many_arguments)]
fn apply_file(
    w: &mut IndexWriter,
    fields: &Fields,
    file: &str,
    old: &[DocState],
    new: &[Document],
    words: &[text::Word],
    replace_all: bool,
    report: &mut Report,
    tombstones: &mut Vec<Tombstone>,
) -> Result<Vec<DocState>> {
    if replace_all {
        w.delete_term(Term::from_field_text(fields.file, file));
    }
    let old_by_id: HashMap<(&str, bool), &DocState> = old
        .iter()
        .map(|d| ((d.id.as_str(), d.section), d))
        .collect();
    let new_ids: HashSet<(&str, bool)> = new
        .iter()
        .map(|d| (d.id.as_str(), d.kind == Kind::Section))
        .collect();
    let mut states = Vec::with_capacity(new.len());
    let mut added: Vec<&Document> = Vec::new();
    for d in new {
        let st = doc_state(d);
        match old_by_id.get(&(d.id.as_str(), st.section)) {
            Some(o) if o.digest == st.digest => {
                if replace_all {
                    w.add_document(fields.to_tantivy(d, words))
                        .map_err(Error::index("index"))?;
                }
                if !st.section {
                    report.unchanged += 1;
                }
            }
            Some(_) => {
                w.delete_term(Term::from_field_text(fields.key, &key(file, &d.id)));
                w.add_document(fields.to_tantivy(d, words))
                    .map_err(Error::index("index"))?;
                if st.section {
                    report.sections_updated += 1;
                } else {
                    report.moved += 1;
                }
            }
            None => {
                w.add_document(fields.to_tantivy(d, words))
                    .map_err(Error::index("index"))?;
                if st.section {
                    report.sections_updated += 1;
                } else {
                    added.push(d);
                }
            }
        }
        states.push(st);
    }
    // Old documents gone: an old paragraph at the same section and number
    // as a new one was edited in place; the rest were removed. An article
    // may repeat a section path (two `== Notes ==`), so one place can hold
    // several new paragraphs: keyed by place alone, all but one of them
    // went uncounted (345 of 231,104 on a corpus switch; issue 11, item 7).
    // They pair with old ones in article order.
    let mut new_at: HashMap<(&[String], usize), std::collections::VecDeque<&Document>> =
        HashMap::new();
    for d in &added {
        new_at
            .entry((d.section.as_slice(), d.paragraph.unwrap_or(0)))
            .or_default()
            .push_back(d);
    }
    let mut paired = 0;
    for o in old {
        if new_ids.contains(&(o.id.as_str(), o.section)) {
            continue;
        }
        w.delete_term(Term::from_field_text(fields.key, &key(file, &o.id)));
        if o.section {
            report.sections_updated += 1;
            continue;
        }
        let replaced_by = new_at
            .get_mut(&(o.path.as_slice(), o.paragraph))
            .and_then(|at| at.pop_front())
            .map(|d| d.id.clone());
        if replaced_by.is_some() {
            paired += 1;
            report.updated += 1;
        } else {
            report.removed += 1;
        }
        tombstones.push(Tombstone {
            id: o.id.clone(),
            replaced_by,
            file: file.to_string(),
            section: o.path.to_vec(),
            paragraph: o.paragraph,
        });
    }
    report.added += added.len() - paired;
    Ok(states)
}

/// The folder corpus paths are relative to.
fn base_dir() -> String {
    std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default()
}

/// Size, mtime, ctime and inode of a file, as found by the corpus walk.
fn stamp(file: &SourceFile) -> Stamp {
    Stamp {
        file: file.display.clone(),
        size: file.size,
        mtime_ns: file.mtime_ns,
        ctime_ns: file.ctime_ns,
        inode: file.inode,
    }
}

/// Whether a file is as its stamp says: same size, mtime, ctime and inode.
/// Size and mtime alone miss two files of equal size and mtime swapped by
/// `mv` (as after unpacking an archive): the rename changes both files'
/// ctime and each name's inode.
fn unchanged(s: &Stamp, f: &SourceFile) -> bool {
    s.size == f.size && s.mtime_ns == f.mtime_ns && s.ctime_ns == f.ctime_ns && s.inode == f.inode
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64) -> SourceFile {
        SourceFile {
            path: PathBuf::from(name),
            display: name.to_string(),
            size,
            mtime_ns: 7,
            ctime_ns: 8,
            inode: 9,
        }
    }

    #[test]
    fn stale_files_by_merge_and_by_hash_agree() {
        let stamps = Stamps {
            opstamp: 3,
            files: ["a", "b", "d", "e"]
                .iter()
                .map(|n| Stamp {
                    file: n.to_string(),
                    size: 1,
                    mtime_ns: 7,
                    ctime_ns: 8,
                    inode: 9,
                })
                .collect(),
            ..Stamps::default()
        };
        let check = Staleness {
            stamps: &stamps,
            opstamp: 3,
        };
        // b changed, c is new, d and e are gone, f is new.
        let files = vec![file("a", 1), file("b", 2), file("c", 1), file("f", 1)];
        let expected = vec!["b", "c", "d", "e", "f"];
        assert_eq!(check.stale_among(&files), expected);
        // Unsorted input takes the other path and gives the same answer.
        let mut shuffled = files;
        shuffled.reverse();
        assert_eq!(check.stale_among(&shuffled), expected);
        // Stamps of another commit are not trusted.
        let older = Staleness {
            stamps: &stamps,
            opstamp: 4,
        };
        assert_eq!(older.stale_among(&[file("a", 1)]), vec!["a"]);
    }
}
