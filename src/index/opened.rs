//! An opened generation: a reader on its last commit, and the documents'
//! text read back from the corpus files (the index stores where each
//! passage stands, not a second copy of it).

use std::collections::HashSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use super::freshness::Staleness;
use super::integrity;
use super::schema::{schema, Fields};
use super::state::{self, Stamps};
use super::FORMAT;
use crate::error::{Error, Result};
use crate::model::Document;
use crate::text;

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
}

/// Corpus files whose passages could not be read back, and why (gone, or
/// changed without the index being updated): gathered by a command as it
/// reads documents, and carried in its results for the caller to tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unreadable(Vec<String>);

impl Unreadable {
    /// Records one problem (once).
    pub fn note(&mut self, problem: String) {
        if !self.0.contains(&problem) {
            self.0.push(problem);
        }
    }

    /// The problems, one sentence each.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether every passage read had its text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds another's problems.
    pub fn extend(&mut self, other: Unreadable) {
        for p in other.0 {
            self.note(p);
        }
    }
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
    /// updated) leaves the text empty and records why in `unreadable`: the
    /// location is still worth showing.
    pub fn document(
        &self,
        searcher: &Searcher,
        addr: tantivy::DocAddress,
        unreadable: &mut Unreadable,
    ) -> Result<Document> {
        let stored: TantivyDocument = searcher.doc(addr).map_err(Error::index(&self.dir))?;
        let mut d = self.fields.from_tantivy(&stored);
        match self.read_text(&d) {
            Ok(text) => d.text = text,
            Err(e) => unreadable.note(e.to_string()),
        }
        Ok(d)
    }

    /// The whole text of a corpus file, if it can be read as UTF-8.
    pub fn file_text(&self, file: &str, unreadable: &mut Unreadable) -> Option<String> {
        let path = Path::new(&self.stamps.base).join(file);
        match fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) => {
                unreadable.note(format!("{}: {e}", path.display()));
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
        unreadable: &mut Unreadable,
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
        best.map(|(_, addr)| self.document(&searcher, addr, unreadable))
            .transpose()
    }

    /// Finds documents by ID (normally one; an ID shared by two files with
    /// the same title and text gives both).
    pub fn by_id(&self, id: &str, unreadable: &mut Unreadable) -> Result<Vec<Document>> {
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
            out.push(self.document(&searcher, addr, unreadable)?);
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

/// Opens a generation whose state files describe its last commit.
pub(super) fn try_open(dir: PathBuf) -> Option<Opened> {
    let stamps = state::load::<Stamps>(&dir.join(state::STAMPS))?;
    if stamps.format != FORMAT {
        return None;
    }
    let index = Index::open(integrity::ReadOnlyTolerant::open(&dir)?).ok()?;
    text::register(&index);
    let metas = index.load_metas().ok()?;
    if !integrity::segment_files_intact(&index, &dir, &metas) {
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
    })
}
