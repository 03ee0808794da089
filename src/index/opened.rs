//! An opened generation: a reader on its last commit, its totals, and the
//! documents as results show them: their place assembled from the block
//! (section path, title, file) and their text read back from the corpus
//! (the index stores where each passage stands, not a second copy of it).

use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::{DocAddress, DocId, Index, IndexReader, ReloadPolicy, Searcher};

use super::catalog::{self, first_str, Cols};
use super::freshness::Staleness;
use super::integrity;
use super::schema::{schema, DocKind, Fields};
use super::state::{Payload, Tombstone};
use super::FORMAT;
use crate::error::{Error, Result};
use crate::model::{Document, Id, Kind};
use crate::text;

/// The corpus an index is read against: where its files are now and how
/// to show their names. The index keeps paths relative to the corpus root,
/// so a corpus moved or copied with its index (or named another way) reads
/// as it was.
#[derive(Debug, Clone)]
pub struct CorpusRoot {
    root: PathBuf,
    /// The root is a single file, not a folder.
    single_file: bool,
}

impl CorpusRoot {
    /// The corpus at `root` (as given on the command line).
    pub fn new(root: &Path) -> CorpusRoot {
        CorpusRoot {
            root: root.to_path_buf(),
            single_file: root.is_file(),
        }
    }

    /// The root as given.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Where the file with this relative path is.
    pub fn file(&self, rel: &str) -> PathBuf {
        if self.single_file || rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// How to show the file with this relative path: the corpus as given,
    /// joined with it.
    pub fn display(&self, rel: &str) -> String {
        crate::corpus::display_path(&self.file(rel))
    }
}

/// An opened generation, ready to search.
pub struct Opened {
    /// The tantivy index, with the analyzers registered.
    pub index: Index,
    /// A reader on its last commit.
    pub reader: IndexReader,
    /// The commit's searcher (the reader is never reloaded).
    pub searcher: Searcher,
    /// The schema's fields.
    pub fields: Fields,
    /// The commit's totals.
    pub payload: Payload,
    /// The commit the reader holds.
    pub opstamp: u64,
    /// The generation's folder.
    pub dir: PathBuf,
    /// The corpus it is read against.
    pub corpus: CorpusRoot,
    /// Each segment's fast columns, by segment number.
    cols: Vec<Cols>,
    /// Stored strings already read: headings, titles, paths (a result's
    /// place reads its section's and its article's).
    strings: Memo<(DocAddress, u8), String>,
    /// The forms of each stem searched for, and the paragraphs holding
    /// one: found by walking the term dictionaries (a sixth of a search's
    /// time), the same for every search of this commit (a server's, or a
    /// page's search as you type).
    pub(crate) forms: Memo<String, (Vec<String>, u64)>,
    /// The words within an edit distance of each word (close spellings
    /// of it), with the paragraphs holding each: the same for every search
    /// of this commit.
    pub(crate) neighbours: Memo<(String, u8), Vec<(String, u64)>>,
}

/// What searches of one commit found and later ones reuse; it starts over
/// when it holds [`Memo::MAX`] entries.
pub(crate) struct Memo<K, V>(Mutex<HashMap<K, V>>);

impl<K: std::hash::Hash + Eq, V: Clone> Memo<K, V> {
    const MAX: usize = 50_000;

    fn new() -> Self {
        Memo(Mutex::new(HashMap::default()))
    }

    /// What was kept for `key`.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.0.lock().ok()?.get(key).cloned()
    }

    /// Keeps `value` for `key`.
    pub(crate) fn keep(&self, key: K, value: V) {
        if let Ok(mut kept) = self.0.lock() {
            if kept.len() >= Self::MAX {
                kept.clear();
            }
            kept.insert(key, value);
        }
    }
}

/// Corpus files whose passages could not be read back, and why (gone, or
/// changed without the index being updated): gathered by a command as it
/// reads documents, and carried in its results for the caller to tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unreadable {
    problems: Vec<String>,
    changed: bool,
}

impl Unreadable {
    /// Records one problem (once).
    pub fn note(&mut self, problem: String) {
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// Records a file that changed since it was indexed: an update and a
    /// second try can show its text.
    fn note_changed(&mut self, problem: String) {
        self.changed = true;
        self.note(problem);
    }

    /// Whether a file changed since it was indexed (rather than, say,
    /// became unreadable).
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// The problems, one sentence each.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.problems.iter().map(String::as_str)
    }

    /// Whether every passage read had its text.
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// Adds another's problems.
    pub fn extend(&mut self, other: Unreadable) {
        self.changed |= other.changed;
        for p in other.problems {
            self.note(p);
        }
    }
}

/// Why a document's text was not read back.
enum ReadBack {
    /// Its file changed since it was indexed.
    Changed(Error),
    /// Its file cannot be read.
    Failed(Error),
}

/// Which stored string of a document.
#[derive(Clone, Copy)]
enum Str {
    Heading = 0,
    Title = 1,
    Path = 2,
}

impl Opened {
    /// The generation's folder, for error messages.
    pub fn root(&self) -> &Path {
        &self.dir
    }

    /// The fast columns of a segment.
    pub fn cols(&self, segment_ord: u32) -> &Cols {
        &self.cols[segment_ord as usize]
    }

    /// Every segment's columns.
    pub fn all_cols(&self) -> &[Cols] {
        &self.cols
    }

    fn string(&self, addr: DocAddress, which: Str) -> Result<String> {
        let key = (addr, which as u8);
        if let Some(s) = self.strings.get(&key) {
            return Ok(s);
        }
        let s = match which {
            Str::Path => self
                .cols(addr.segment_ord)
                .path(addr.doc_id)
                .map_err(|e| Error::index(&self.dir)(e.into()))?,
            Str::Heading | Str::Title => {
                let doc = catalog::stored(&self.searcher, addr).map_err(Error::index(&self.dir))?;
                let field = match which {
                    Str::Heading => self.fields.heading,
                    _ => self.fields.title,
                };
                first_str(&doc, field)
            }
        };
        self.strings.keep(key, s.clone());
        Ok(s)
    }

    /// Whether `addr` is a result: a section or a paragraph.
    pub fn is_result(&self, addr: DocAddress) -> bool {
        matches!(
            self.cols(addr.segment_ord).kind(addr.doc_id),
            Some(DocKind::Section | DocKind::Paragraph)
        )
    }

    /// A document's place, without its text: its kind, ID, article, section
    /// path, file and where in it.
    pub fn place(&self, addr: DocAddress) -> Result<Document> {
        let seg = addr.segment_ord;
        let c = self.cols(seg);
        let doc = addr.doc_id;
        let kind = match c.kind(doc) {
            Some(DocKind::Paragraph) => Kind::Paragraph,
            _ => Kind::Section,
        };
        let section = c.section_of(doc);
        // Up from the section: its headings, then the root's title and path.
        let mut path: Vec<String> = Vec::new();
        let mut at: DocId = section;
        loop {
            let up = c.up(at);
            if up == 0 || up > at {
                break;
            }
            path.push(self.string(DocAddress::new(seg, at), Str::Heading)?);
            at -= up;
        }
        path.reverse();
        let root = DocAddress::new(seg, at);
        let title = self.string(root, Str::Title)?;
        let rel = self.string(root, Str::Path)?;
        let heading = path.last().cloned().unwrap_or_else(|| title.clone());
        let (line_start, line_end) = c.lines(doc);
        let bytes = c.bytes(doc);
        Ok(Document {
            id: c.id(doc).map(|i| i.to_string()).unwrap_or_default(),
            kind,
            article: title,
            section: path,
            level: c.level(section),
            paragraph: (kind == Kind::Paragraph).then(|| c.paragraph(doc)),
            file: self.corpus.display(&rel),
            line_start,
            line_end,
            column: c.column(doc),
            byte_start: bytes.start,
            byte_end: bytes.end,
            years: c.years(doc),
            text: String::new(),
            heading,
        })
    }

    /// The path (relative to the corpus) of a document's file.
    pub fn rel_of(&self, addr: DocAddress) -> Result<String> {
        let c = self.cols(addr.segment_ord);
        let root = c.root_of(addr.doc_id);
        self.string(DocAddress::new(addr.segment_ord, root), Str::Path)
    }

    /// A document with its text, read from its corpus file: the index keeps
    /// only where each passage stands, not a second copy of the corpus.
    ///
    /// A file that cannot be read (gone, or changed without the index being
    /// updated) leaves the text empty and records why in `unreadable`: the
    /// location is still worth showing.
    pub fn document(
        &self,
        _searcher: &Searcher,
        addr: DocAddress,
        unreadable: &mut Unreadable,
    ) -> Result<Document> {
        let mut d = self.place(addr)?;
        let rel = self.rel_of(addr)?;
        match self.read_text(addr, &rel, &d) {
            Ok(text) => d.text = text,
            Err(ReadBack::Changed(e)) => unreadable.note_changed(e.to_string()),
            Err(ReadBack::Failed(e)) => unreadable.note(e.to_string()),
        }
        Ok(d)
    }

    /// The whole text of a corpus file (by its displayed name), if it can
    /// be read as UTF-8.
    pub fn file_text(&self, display: &str, unreadable: &mut Unreadable) -> Option<String> {
        let path = PathBuf::from(display);
        match std::fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) => {
                unreadable.note(format!("{}: {e}", path.display()));
                None
            }
        }
    }

    /// The bytes `byte_start..byte_end` of a document's file, checked
    /// against what was indexed: a paragraph's ID is a hash of its
    /// article's title and its text, and a section's text holds its
    /// paragraphs at their offsets. A file rewritten since (even while
    /// this search runs) is caught here, the one place text is read back.
    fn read_text(
        &self,
        addr: DocAddress,
        rel: &str,
        d: &Document,
    ) -> std::result::Result<String, ReadBack> {
        use std::io::{Read, Seek, SeekFrom};
        let path = self.corpus.file(rel);
        let len = d.byte_end.saturating_sub(d.byte_start);
        let mut buf = vec![0u8; len];
        let read = File::open(&path).and_then(|mut f| {
            f.seek(SeekFrom::Start(d.byte_start as u64))?;
            f.read_exact(&mut buf)
        });
        let changed = || {
            ReadBack::Changed(Error::Corpus {
                path: path.clone(),
                message: "changed since it was indexed (run `passage index`)".into(),
            })
        };
        let text = match read {
            Ok(()) => String::from_utf8(buf).map_err(|_| changed())?,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::NotFound
                ) =>
            {
                return Err(changed())
            }
            Err(e) => return Err(ReadBack::Failed(Error::io(&path)(e))),
        };
        let holds = |text: &str, id: Option<Id>| {
            id.is_some_and(|id| {
                crate::corpus::Ids::default().passage(&d.article, text).hash == id.hash
            })
        };
        match d.kind {
            Kind::Paragraph => {
                if !holds(&text, Id::parse(&d.id)) {
                    return Err(changed());
                }
            }
            Kind::Section => {
                let c = self.cols(addr.segment_ord);
                let reach = c.reach(addr.doc_id);
                for doc in addr.doc_id + 1..=addr.doc_id + reach {
                    if c.kind(doc) != Some(DocKind::Paragraph) {
                        continue;
                    }
                    let at = c.bytes(doc);
                    let inside = at
                        .start
                        .checked_sub(d.byte_start)
                        .zip(at.end.checked_sub(d.byte_start))
                        .and_then(|(from, to)| text.get(from..to));
                    if inside.is_some_and(|p| !holds(p, c.id(doc))) {
                        return Err(changed());
                    }
                }
            }
        }
        Ok(text)
    }

    /// What stands now where a passage stood: the paragraph with the same
    /// section path and number, else the last paragraph of that section,
    /// else the section itself.
    pub fn at_place(
        &self,
        file_rel: &str,
        section: &[String],
        paragraph: usize,
        unreadable: &mut Unreadable,
    ) -> Result<Option<Document>> {
        let roots = catalog::roots_of(&self.searcher, &self.fields, file_rel)
            .map_err(Error::index(&self.dir))?;
        let mut best: Option<(usize, DocAddress)> = None;
        for root in roots {
            let c = self.cols(root.segment_ord);
            for doc in root.doc_id..=root.doc_id + c.span(root.doc_id) {
                let addr = DocAddress::new(root.segment_ord, doc);
                if !self.is_result(addr) {
                    continue;
                }
                let d = self.place(addr)?;
                if d.section != section {
                    continue;
                }
                // Rank: the same number, then the closest number below, then
                // the section document.
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
        }
        best.map(|(_, addr)| self.document(&self.searcher, addr, unreadable))
            .transpose()
    }

    /// Finds documents by ID (normally one; an ID shared by two files with
    /// the same title and text gives both).
    pub fn by_id(&self, id: &str, unreadable: &mut Unreadable) -> Result<Vec<Document>> {
        let Some(id) = Id::parse(id) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for addr in self.addresses_of(id)? {
            out.push(self.document(&self.searcher, addr, unreadable)?);
        }
        out.sort_by(|a, b| (&a.file, a.byte_start).cmp(&(&b.file, b.byte_start)));
        Ok(out)
    }

    /// The documents with an ID.
    pub fn addresses_of(&self, id: Id) -> Result<Vec<DocAddress>> {
        let found = catalog::with_value(&self.searcher, self.fields.id, id.hash)
            .map_err(Error::index(&self.dir))?;
        Ok(found
            .into_iter()
            .filter(|a| self.is_result(*a) && self.cols(a.segment_ord).id(a.doc_id) == Some(id))
            .collect())
    }

    /// Every corpus file the index holds, by path.
    pub fn files(&self) -> Result<Vec<catalog::IndexedFile>> {
        catalog::files(&self.searcher, &self.fields).map_err(Error::index(&self.dir))
    }

    /// The roots of a file's block (one per chunk), in order.
    pub fn blocks_of(&self, rel: &str) -> Result<Vec<DocAddress>> {
        catalog::roots_of(&self.searcher, &self.fields, rel).map_err(Error::index(&self.dir))
    }

    /// The tombstones of an ID.
    pub fn tombstones_of(&self, id: &str) -> Result<Vec<Tombstone>> {
        let Some(id) = Id::parse(id) else {
            return Ok(Vec::new());
        };
        catalog::tombstones_of(&self.searcher, &self.fields, id).map_err(Error::index(&self.dir))
    }

    /// The files of the corpus that differ from what was indexed: changed
    /// size or mtime, new or gone. Costs one `stat` per file.
    pub fn stale_files(&self, corpus_root: &Path) -> Result<Vec<String>> {
        self.staleness().stale_files(corpus_root)
    }

    /// What the staleness check needs, apart from the search (so that it
    /// can run on another thread while the index is searched).
    pub fn staleness(&self) -> Staleness<'_> {
        Staleness { opened: self }
    }
}

/// Why a generation was not opened.
pub(super) enum Unopened {
    /// It is of another format: build a new one.
    OtherFormat,
    /// It could not be read, perhaps as a writer replaced it: look again.
    Failed,
}

/// Opens a generation built by this format version, against `corpus`.
pub(super) fn try_open(dir: PathBuf, corpus: &Path) -> Result<Opened, Unopened> {
    let index = Index::open(integrity::ReadOnlyTolerant::open(&dir).ok_or(Unopened::Failed)?)
        .map_err(|_| Unopened::Failed)?;
    text::register(&index);
    let metas = index.load_metas().map_err(|_| Unopened::Failed)?;
    // meta.json is replaced whole, so a payload of another format (or none:
    // format 18 and older kept their state beside the index) is what this
    // generation is, not a writer caught half way.
    let payload = metas
        .payload
        .as_deref()
        .and_then(Payload::decode)
        .filter(|p| p.format == FORMAT)
        .ok_or(Unopened::OtherFormat)?;
    let opened = (|| {
        if !integrity::segment_files_intact(&index, &dir, &metas) {
            return None;
        }
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .ok()?;
        let searcher = reader.searcher();
        // The reader must hold exactly the commit whose payload was read.
        let seen: std::collections::HashSet<_> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        let meta_segments: std::collections::HashSet<_> =
            metas.segments.iter().map(|s| s.id()).collect();
        if seen != meta_segments {
            return None;
        }
        let cols = searcher
            .segment_readers()
            .iter()
            .map(Cols::of)
            .collect::<tantivy::Result<Vec<Cols>>>()
            .ok()?;
        let (_, fields) = schema();
        Some(Opened {
            index,
            reader,
            searcher,
            fields,
            payload,
            opstamp: metas.opstamp,
            dir,
            corpus: CorpusRoot::new(corpus),
            cols,
            strings: Memo::new(),
            forms: Memo::new(),
            neighbours: Memo::new(),
        })
    })();
    opened.ok_or(Unopened::Failed)
}
