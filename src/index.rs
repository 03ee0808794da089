//! The tantivy index: its schema, building it from documents, and opening
//! it for search.
//!
//! An index folder holds generations: `gen-*/` folders, each a complete
//! tantivy index plus a `manifest.json`, and a `CURRENT` file naming the one
//! in use. A build writes a new generation beside the old one and only then
//! replaces `CURRENT` (write to a temporary file, fsync, rename), so a build
//! that fails or is interrupted leaves the previous generation in use.
//! Leftover generations are removed by the next build. A lock file
//! (`.lock`, an OS lock that dies with its process) keeps two builds apart.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

use crate::corpus::{self, Document, Kind, Problem};
use crate::error::{Error, Result};
use crate::text;

/// Bumped whenever the schema or the analyzers change meaning, so an index
/// built by another version is rebuilt instead of silently misread.
pub const FORMAT: u32 = 2;

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Stable ID (untokenized).
    pub id: Field,
    /// `paragraph` or `section` (untokenized).
    pub kind: Field,
    /// Article title: stored, and indexed folded for `article:`.
    pub article: Field,
    /// Headings of the section path, one value each: stored, and indexed
    /// folded for `section:`.
    pub section: Field,
    /// The section's own heading, stemmed, for boosting.
    pub heading: Field,
    /// The text, stemmed, for ranked recall (frequencies, no positions).
    pub body: Field,
    /// The text, folded but unstemmed, with positions for phrases.
    pub exact: Field,
    /// The text as printed (stored only).
    pub text: Field,
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
        kind: b.add_text_field("kind", STRING | STORED),
        article: b.add_text_field(
            "article",
            text_field(text::EXACT, IndexRecordOption::WithFreqsAndPositions).set_stored(),
        ),
        section: b.add_text_field(
            "section",
            text_field(text::EXACT, IndexRecordOption::WithFreqsAndPositions).set_stored(),
        ),
        heading: b.add_text_field(
            "heading",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs).set_stored(),
        ),
        body: b.add_text_field(
            "body",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs),
        ),
        exact: b.add_text_field(
            "exact",
            text_field(text::EXACT, IndexRecordOption::WithFreqsAndPositions),
        ),
        text: b.add_text_field("text", TextOptions::default().set_stored()),
        file: b.add_text_field("file", STRING | STORED),
        paragraph: b.add_u64_field("paragraph", num().set_fast()),
        level: b.add_u64_field("level", num()),
        line_start: b.add_u64_field("line_start", num()),
        line_end: b.add_u64_field("line_end", num()),
        column: b.add_u64_field("column", num()),
        byte_start: b.add_u64_field("byte_start", num()),
        byte_end: b.add_u64_field("byte_end", num()),
        years: b.add_i64_field("years", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

impl Fields {
    fn to_tantivy(self, d: &Document) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(self.id, &d.id);
        doc.add_text(self.kind, d.kind.as_str());
        doc.add_text(self.article, &d.article);
        for h in &d.section {
            doc.add_text(self.section, h);
        }
        doc.add_text(self.heading, &d.heading);
        doc.add_text(self.body, &d.text);
        doc.add_text(self.exact, &d.text);
        doc.add_text(self.text, &d.text);
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

    /// Reads a stored document back.
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
            text: s(self.text),
            heading: s(self.heading),
        }
    }
}

/// What a build did.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// Articles indexed.
    pub articles: usize,
    /// Section documents.
    pub sections: usize,
    /// Paragraph documents (paragraphs and list items).
    pub paragraphs: usize,
    /// Files left out, with the reason.
    pub skipped: Vec<Problem>,
    /// Oddities read sensibly (e.g. an unclosed heading marker).
    pub warnings: Vec<Problem>,
    /// Wall-clock time of the build.
    pub seconds: f64,
    /// The index folder.
    pub index: String,
}

/// What a generation was built from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`] of the build.
    pub format: u32,
    /// The corpus path as given.
    pub corpus: String,
    /// Every indexed file.
    pub files: Vec<FileStamp>,
}

/// A file as it was when indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// As displayed.
    pub file: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: u128,
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
    /// What it was built from.
    pub manifest: Manifest,
    /// The generation's folder.
    pub dir: PathBuf,
}

impl Opened {
    /// The generation's folder, for error messages.
    pub fn root(&self) -> &Path {
        &self.dir
    }
}

const CURRENT: &str = "CURRENT";
const MANIFEST: &str = "manifest.json";
const LOCK: &str = ".lock";

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

    /// Opens the generation in use. `Ok(None)` when there is none or it was
    /// built by another format version (both mean: build it).
    pub fn open(&self) -> Result<Option<Opened>> {
        let Some(dir) = self.current()? else {
            return Ok(None);
        };
        let manifest: Manifest = match fs::read(dir.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
        {
            Some(m) => m,
            None => return Ok(None),
        };
        if manifest.format != FORMAT {
            return Ok(None);
        }
        let index = Index::open_in_dir(&dir).map_err(Error::index(&dir))?;
        text::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(Error::index(&dir))?;
        let (_, fields) = schema();
        Ok(Some(Opened {
            index,
            reader,
            fields,
            manifest,
            dir,
        }))
    }

    /// Builds a new generation from the corpus and makes it current.
    pub fn build(&self, corpus_root: &Path) -> Result<BuildReport> {
        let started = Instant::now();
        fs::create_dir_all(&self.root).map_err(Error::io(&self.root))?;
        let _lock = self.lock()?;
        let files = corpus::discover(corpus_root)?;

        let gen_name = format!(
            "gen-{}-{}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
            std::process::id()
        );
        let gen = self.root.join(&gen_name);
        fs::create_dir(&gen).map_err(Error::io(&gen))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(&gen, schema).map_err(Error::index(&gen))?;
        text::register(&index);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let mut writer: IndexWriter = index
            .writer_with_num_threads(threads, threads * 64_000_000)
            .map_err(Error::index(&gen))?;

        let mut report = BuildReport {
            articles: 0,
            sections: 0,
            paragraphs: 0,
            skipped: Vec::new(),
            warnings: Vec::new(),
            seconds: 0.0,
            index: self.root.display().to_string(),
        };
        let mut stamps = Vec::with_capacity(files.len());
        let mut ids = HashSet::new();
        for file in &files {
            let stamp = stamp(&file.path, &file.display);
            let (text, article) = match corpus::load(file) {
                Ok(x) => x,
                Err(p) => {
                    report.skipped.push(p);
                    continue;
                }
            };
            report
                .warnings
                .extend(article.warnings.iter().map(|w| Problem {
                    file: file.display.clone(),
                    line: w.line,
                    message: w.message.clone(),
                }));
            report.articles += 1;
            for d in corpus::documents(&file.display, &text, &article, &mut ids) {
                match d.kind {
                    Kind::Section => report.sections += 1,
                    Kind::Paragraph => report.paragraphs += 1,
                }
                writer
                    .add_document(fields.to_tantivy(&d))
                    .map_err(Error::index(&gen))?;
            }
            if let Some(s) = stamp {
                stamps.push(s);
            }
        }
        writer.commit().map_err(Error::index(&gen))?;
        writer.wait_merging_threads().map_err(Error::index(&gen))?;

        let manifest = Manifest {
            format: FORMAT,
            corpus: corpus_root.display().to_string(),
            files: stamps,
        };
        let bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
        write_durably(&gen.join(MANIFEST), &bytes)?;
        write_durably(&self.root.join(CURRENT), gen_name.as_bytes())?;
        self.remove_old_generations(&gen_name);
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }

    /// Takes the writer lock, failing at once if another process holds it.
    fn lock(&self) -> Result<File> {
        let path = self.root.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Busy {
                path: self.root.clone(),
            }),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(path)(e)),
        }
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
}

/// Size and mtime of a file, for later staleness checks.
fn stamp(path: &Path, display: &str) -> Option<FileStamp> {
    let m = fs::metadata(path).ok()?;
    let mtime_ns = m
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(FileStamp {
        file: display.to_string(),
        size: m.len(),
        mtime_ns,
    })
}

/// Replaces `path` with `bytes` atomically: a reader sees the old content or
/// the new, never a part.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(Error::io(&tmp))?;
    f.write_all(bytes).map_err(Error::io(&tmp))?;
    f.sync_all().map_err(Error::io(&tmp))?;
    fs::rename(&tmp, path).map_err(Error::io(path))?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
