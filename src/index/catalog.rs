//! Reading back what the index holds besides words: its files and their
//! stamps, a file's block and the states of its documents, tombstones, and
//! one document's place (its section path, title and file), all from fast
//! columns and a few stored strings (see [`super::block`] for the layout).

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::{Arc, OnceLock};

use tantivy::collector::DocSetCollector;
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::fastfield::FastFieldReaders;
use tantivy::query::RangeQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Searcher, SegmentReader, TantivyDocument, Term, TERMINATED,
};

use super::schema::{DocKind, Fields};
use super::state::{problem_from_stored, Digest, DocState, FileEntry, Stamp, Tombstone};
use crate::corpus::Problem;
use crate::model::Id;

/// The fast columns of one segment, each opened when first read (a search
/// reads a handful for its hits, and opening all of them was a tenth of a
/// rare word's search).
pub struct Cols {
    ff: FastFieldReaders,
    docs: u32,
    kind: OnceLock<Column<u64>>,
    up: OnceLock<Column<u64>>,
    span: OnceLock<Column<u64>>,
    reach: OnceLock<Column<u64>>,
    len: OnceLock<Column<u64>>,
    id: OnceLock<Column<u64>>,
    dup: OnceLock<Column<u64>>,
    paragraph: OnceLock<Column<u64>>,
    level: OnceLock<Column<u64>>,
    line: OnceLock<Column<u64>>,
    line_end: OnceLock<Column<u64>>,
    column: OnceLock<Column<u64>>,
    byte_start: OnceLock<Column<u64>>,
    byte_end: OnceLock<Column<u64>>,
    years: OnceLock<Column<i64>>,
    sense: OnceLock<Column<u64>>,
    /// The path column: its dictionary is opened once, not per string read.
    paths: OnceLock<Option<tantivy::columnar::StrColumn>>,
}

/// A column of the schema, opened once (one that cannot be opened reads
/// as empty: every document without a value).
fn open<'a>(
    ff: &FastFieldReaders,
    cell: &'a OnceLock<Column<u64>>,
    name: &str,
    docs: u32,
) -> &'a Column<u64> {
    cell.get_or_init(|| {
        ff.u64(name)
            .unwrap_or_else(|_| Column::build_empty_column(docs))
    })
}

impl Cols {
    /// The columns of a segment (none opened yet).
    pub fn of(reader: &SegmentReader) -> tantivy::Result<Cols> {
        Ok(Cols {
            ff: reader.fast_fields().clone(),
            docs: reader.max_doc(),
            kind: OnceLock::new(),
            up: OnceLock::new(),
            span: OnceLock::new(),
            reach: OnceLock::new(),
            len: OnceLock::new(),
            id: OnceLock::new(),
            dup: OnceLock::new(),
            paragraph: OnceLock::new(),
            level: OnceLock::new(),
            line: OnceLock::new(),
            line_end: OnceLock::new(),
            column: OnceLock::new(),
            byte_start: OnceLock::new(),
            byte_end: OnceLock::new(),
            years: OnceLock::new(),
            sense: OnceLock::new(),
            paths: OnceLock::new(),
        })
    }

    /// The path in a document's `path` column (a file document's, or a
    /// block root's); empty when it has none.
    pub fn path(&self, doc: DocId) -> std::io::Result<String> {
        let paths = self
            .paths
            .get_or_init(|| self.ff.str("path").ok().flatten());
        let mut bytes = Vec::new();
        if let Some(paths) = paths {
            if let Some(ord) = paths.term_ords(doc).next() {
                paths.ord_to_bytes(ord, &mut bytes)?;
            }
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// One of the columns that place a document in its article (`kind`,
    /// `up`, `span`, `reach`, `len`), opened once for the segment: the
    /// scorers read these for every query.
    pub fn placing(&self, name: &str) -> Option<Column<u64>> {
        let cell = match name {
            "kind" => &self.kind,
            "up" => &self.up,
            "span" => &self.span,
            "reach" => &self.reach,
            "len" => &self.len,
            _ => return None,
        };
        Some(open(&self.ff, cell, name, self.docs).clone())
    }

    /// The kind of a document.
    pub fn kind(&self, doc: DocId) -> Option<DocKind> {
        DocKind::from_u64(open(&self.ff, &self.kind, "kind", self.docs).first(doc)?)
    }

    /// How many documents back its parent stands (0 for a root).
    pub fn up(&self, doc: DocId) -> u32 {
        open(&self.ff, &self.up, "up", self.docs)
            .first(doc)
            .unwrap_or(0) as u32
    }

    /// Documents after it in its subtree.
    pub fn span(&self, doc: DocId) -> u32 {
        open(&self.ff, &self.span, "span", self.docs)
            .first(doc)
            .unwrap_or(0) as u32
    }

    /// Documents after a section that hold its text.
    pub fn reach(&self, doc: DocId) -> u32 {
        open(&self.ff, &self.reach, "reach", self.docs)
            .first(doc)
            .unwrap_or(0) as u32
    }

    /// Words of a section's text.
    pub fn len(&self, doc: DocId) -> u64 {
        open(&self.ff, &self.len, "len", self.docs)
            .first(doc)
            .unwrap_or(0)
    }

    /// A document's ID (`None` for file documents and copies).
    pub fn id(&self, doc: DocId) -> Option<Id> {
        Some(Id {
            section: self.kind(doc)? != DocKind::Paragraph,
            hash: open(&self.ff, &self.id, "id", self.docs).first(doc)?,
            dup: open(&self.ff, &self.dup, "dup", self.docs)
                .first(doc)
                .unwrap_or(0),
        })
    }

    /// Heading level.
    pub fn level(&self, doc: DocId) -> u8 {
        open(&self.ff, &self.level, "level", self.docs)
            .first(doc)
            .unwrap_or(0) as u8
    }

    /// Paragraph number (0 for a section).
    pub fn paragraph(&self, doc: DocId) -> usize {
        open(&self.ff, &self.paragraph, "paragraph", self.docs)
            .first(doc)
            .unwrap_or(0) as usize
    }

    /// First and last line.
    pub fn lines(&self, doc: DocId) -> (usize, usize) {
        (
            open(&self.ff, &self.line, "line", self.docs)
                .first(doc)
                .unwrap_or(0) as usize,
            open(&self.ff, &self.line_end, "line_end", self.docs)
                .first(doc)
                .unwrap_or(0) as usize,
        )
    }

    /// Column of the first character.
    pub fn column(&self, doc: DocId) -> usize {
        open(&self.ff, &self.column, "column", self.docs)
            .first(doc)
            .unwrap_or(0) as usize
    }

    /// Byte range in the file.
    pub fn bytes(&self, doc: DocId) -> std::ops::Range<usize> {
        open(&self.ff, &self.byte_start, "byte_start", self.docs)
            .first(doc)
            .unwrap_or(0) as usize
            ..open(&self.ff, &self.byte_end, "byte_end", self.docs)
                .first(doc)
                .unwrap_or(0) as usize
    }

    /// A paragraph's meaning code, if the index has a model.
    pub fn sense(&self, doc: DocId) -> Option<u64> {
        open(&self.ff, &self.sense, "sense", self.docs).first(doc)
    }

    /// Documents in the segment, deleted ones included.
    pub fn docs(&self) -> u32 {
        self.docs
    }

    /// Years mentioned.
    pub fn years(&self, doc: DocId) -> Vec<i64> {
        self.years
            .get_or_init(|| {
                self.ff
                    .i64("years")
                    .unwrap_or_else(|_| Column::build_empty_column(self.docs))
            })
            .values_for_doc(doc)
            .collect()
    }

    /// The section a document belongs to (itself for a section), and the
    /// root of its block.
    pub fn section_of(&self, doc: DocId) -> DocId {
        match self.kind(doc) {
            Some(DocKind::Paragraph) => doc - self.up(doc),
            _ => doc,
        }
    }

    /// The root of a document's block (its file's lead, or a chunk's copy
    /// of it).
    pub fn root_of(&self, mut doc: DocId) -> DocId {
        loop {
            let up = self.up(doc);
            if up == 0 || up > doc {
                return doc;
            }
            doc -= up;
        }
    }
}

/// The stored strings of a document.
pub fn stored(searcher: &Searcher, addr: DocAddress) -> tantivy::Result<TantivyDocument> {
    searcher.doc(addr)
}

/// The first stored string of `field`.
pub fn first_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// What a file document says of its block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCounts {
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
    /// Words of the headings above each paragraph, summed.
    pub context_words: u64,
    /// Words of the title.
    pub title_words: u64,
    /// Problems and warnings (stored).
    pub problems: u64,
}

/// A file as the index holds it: its entry, its counts, where its file
/// document is.
#[derive(Debug, Clone)]
pub struct IndexedFile {
    /// Path, stamp and hash.
    pub entry: FileEntry,
    /// Its block's totals.
    pub counts: FileCounts,
    /// Its file document.
    pub addr: DocAddress,
}

/// Every live file document, by path: read from the columns the file
/// documents alone have (their rows line up), not document by document.
pub fn files(searcher: &Searcher, _f: &Fields) -> tantivy::Result<Vec<IndexedFile>> {
    let mut out: Vec<IndexedFile> = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let ff = reader.fast_fields();
        let Some(paths) = ff.str("path")? else {
            continue;
        };
        let names = dictionary_strings(&paths)?;
        let col = |name: &str| ff.u64(name);
        let hash = col("hash")?;
        let columns = [
            col("size")?,
            col("mtime")?,
            col("ctime")?,
            col("inode")?,
            col("sections")?,
            col("paragraphs")?,
            col("paragraph_words")?,
            col("section_words")?,
            col("heading_words")?,
            col("title_words")?,
            col("problems")?,
            col("context_words")?,
        ];
        let alive = reader.alive_bitset();
        let docs: Vec<DocId> = match &hash.index {
            ColumnIndex::Full => (0..reader.max_doc()).collect(),
            ColumnIndex::Optional(index) => index.iter_non_null_docs().collect(),
            _ => Vec::new(),
        };
        for (row, doc) in docs.into_iter().enumerate() {
            if !alive.is_none_or(|a| a.is_alive(doc)) {
                continue;
            }
            let Some(name) = paths
                .term_ords(doc)
                .next()
                .and_then(|o| names.get(o as usize))
            else {
                continue;
            };
            // Every file document has every one of these columns: the same
            // row in each.
            let row = row as u32;
            let v: Vec<u64> = columns.iter().map(|c| value_at(c, doc, row)).collect();
            out.push(IndexedFile {
                entry: FileEntry {
                    rel: name.clone(),
                    stamp: Stamp {
                        size: v[0],
                        mtime_ns: v[1],
                        ctime_ns: v[2],
                        inode: v[3],
                    },
                    hash: value_at(&hash, doc, row),
                },
                counts: FileCounts {
                    sections: v[4],
                    paragraphs: v[5],
                    paragraph_words: v[6],
                    section_words: v[7],
                    heading_words: v[8],
                    title_words: v[9],
                    problems: v[10],
                    context_words: v[11],
                },
                addr: DocAddress::new(ord as u32, doc),
            });
        }
    }
    out.sort_unstable_by(|a, b| a.entry.rel.cmp(&b.entry.rel));
    Ok(out)
}

/// The value of a column that file documents alone have, at the row of
/// the `row`-th of them (`doc`).
fn value_at(col: &Column<u64>, doc: DocId, row: u32) -> u64 {
    match &col.index {
        ColumnIndex::Full => col.values.get_val(doc),
        ColumnIndex::Optional(_) => col.values.get_val(row),
        _ => col.first(doc).unwrap_or(0),
    }
}

/// Every string of a text column's dictionary, by ordinal.
pub fn dictionary_strings(col: &tantivy::columnar::StrColumn) -> tantivy::Result<Vec<String>> {
    let mut out = Vec::with_capacity(col.num_terms());
    let mut stream = col.dictionary().stream()?;
    while stream.advance() {
        out.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok(out)
}

/// The problems and warnings a file document keeps.
pub fn problems_of(
    searcher: &Searcher,
    f: &Fields,
    file: &IndexedFile,
    display: &str,
) -> tantivy::Result<(Option<Problem>, Vec<Problem>)> {
    if file.counts.problems == 0 {
        return Ok((None, Vec::new()));
    }
    let doc = stored(searcher, file.addr)?;
    let problem = doc
        .get_first(f.problem)
        .and_then(|v| v.as_str())
        .map(|s| problem_from_stored(display, s));
    let warnings = doc
        .get_all(f.warning)
        .filter_map(|v| v.as_str())
        .map(|s| problem_from_stored(display, s))
        .collect();
    Ok((problem, warnings))
}

/// The roots of a file's block (one per chunk), live, in order.
pub fn roots_of(searcher: &Searcher, f: &Fields, rel: &str) -> tantivy::Result<Vec<DocAddress>> {
    let term = Term::from_field_text(f.path, rel);
    let mut out = Vec::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let inverted = reader.inverted_index(f.path)?;
        let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? else {
            continue;
        };
        let kind = reader.fast_fields().u64("kind")?;
        let alive = reader.alive_bitset();
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let live = alive.is_none_or(|a| a.is_alive(doc));
            let k = kind.first(doc).and_then(DocKind::from_u64);
            if live && matches!(k, Some(DocKind::Section | DocKind::SectionContinued)) {
                out.push(DocAddress::new(ord as u32, doc));
            }
            doc = postings.advance();
        }
    }
    Ok(out)
}

/// What an update needs to know of a file's block as indexed.
#[derive(Debug, Default)]
pub struct BlockRead {
    /// Every document's state.
    pub states: Vec<DocState>,
}

/// The states of every document of a file's block, as [`super::block`]
/// made them.
pub fn block_states(
    searcher: &Searcher,
    f: &Fields,
    cols: &[Cols],
    rel: &str,
) -> tantivy::Result<BlockRead> {
    let mut out = BlockRead::default();
    for root in roots_of(searcher, f, rel)? {
        let c = &cols[root.segment_ord as usize];
        let seg = root.segment_ord;
        let first = root.doc_id;
        let last = first + c.span(first);
        let heading_of = |doc: DocId| -> tantivy::Result<String> {
            let d = stored(searcher, DocAddress::new(seg, doc))?;
            Ok(if c.up(doc) == 0 {
                first_str(&d, f.title)
            } else {
                first_str(&d, f.heading)
            })
        };
        let title = heading_of(first)?;
        // Section paths, by document: each section's is its parent's and
        // its own heading.
        let mut paths: HashMap<DocId, (Arc<Vec<String>>, String)> = HashMap::new();
        for doc in first..=last {
            match c.kind(doc) {
                Some(DocKind::Section | DocKind::SectionContinued) => {
                    let heading = heading_of(doc)?;
                    let path = if doc == first {
                        Arc::new(Vec::new())
                    } else {
                        let parent = doc - c.up(doc);
                        let mut p = paths
                            .get(&parent)
                            .map(|(p, _)| (**p).clone())
                            .unwrap_or_default();
                        p.push(heading.clone());
                        Arc::new(p)
                    };
                    paths.insert(doc, (path, heading));
                }
                _ => continue,
            }
        }
        for doc in first..=last {
            let Some(kind) = c.kind(doc) else { continue };
            let Some(id) = c.id(doc) else { continue };
            let (lines, column, bytes, years) =
                (c.lines(doc), c.column(doc), c.bytes(doc), c.years(doc));
            let mut digest = Digest::default();
            let (path, level, paragraph) = match kind {
                DocKind::Paragraph => {
                    let section = doc - c.up(doc);
                    let path = paths
                        .get(&section)
                        .map(|(p, _)| p.clone())
                        .unwrap_or_default();
                    (path, c.level(section), c.paragraph(doc))
                }
                DocKind::Section => {
                    let (path, heading) = paths.get(&doc).cloned().unwrap_or_default();
                    digest.str(&heading);
                    for x in doc + 1..=doc + c.reach(doc) {
                        match c.kind(x) {
                            Some(DocKind::Section) => {
                                digest.str(
                                    &paths.get(&x).map(|(_, h)| h.clone()).unwrap_or_default(),
                                );
                            }
                            Some(DocKind::Paragraph) => {
                                if let Some(pid) = c.id(x) {
                                    digest.str(&pid.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                    (path, c.level(doc), 0)
                }
                _ => continue,
            };
            digest.str(&id.to_string()).str(&title);
            for h in path.iter() {
                digest.str(h);
            }
            digest.num(level.into());
            if kind == DocKind::Paragraph {
                digest.num(paragraph as u64);
            }
            digest
                .num(lines.0 as u64)
                .num(lines.1 as u64)
                .num(column as u64)
                .num(bytes.start as u64)
                .num(bytes.end as u64);
            for y in years {
                digest.num(y as u64);
            }
            out.states.push(DocState {
                id,
                digest: digest.finish(),
                path,
                paragraph,
            });
        }
    }
    Ok(out)
}

/// The live documents whose `field` column holds `value`.
pub fn with_value(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    value: u64,
) -> tantivy::Result<Vec<DocAddress>> {
    let term = Term::from_field_u64(field, value);
    let q = RangeQuery::new(Bound::Included(term.clone()), Bound::Included(term));
    let mut found: Vec<DocAddress> = searcher.search(&q, &DocSetCollector)?.into_iter().collect();
    found.sort();
    Ok(found)
}

/// Every tombstone, oldest first, with its sequence number and address.
pub fn tombstones(
    searcher: &Searcher,
    f: &Fields,
) -> tantivy::Result<Vec<(u64, Tombstone, DocAddress)>> {
    let mut out = Vec::new();
    for addr in with_value(searcher, f.kind, DocKind::Tombstone as u64)? {
        out.push(tombstone_at(searcher, f, addr)?);
    }
    out.sort_by_key(|(seq, _, _)| *seq);
    Ok(out)
}

/// The tombstones of one ID.
pub fn tombstones_of(searcher: &Searcher, f: &Fields, id: Id) -> tantivy::Result<Vec<Tombstone>> {
    let mut out = Vec::new();
    for addr in with_value(searcher, f.id, id.hash)? {
        let reader = searcher.segment_reader(addr.segment_ord);
        let kind = reader.fast_fields().u64("kind")?;
        if kind.first(addr.doc_id) != Some(DocKind::Tombstone as u64) {
            continue;
        }
        let (_, t, _) = tombstone_at(searcher, f, addr)?;
        if t.id == id {
            out.push(t);
        }
    }
    Ok(out)
}

fn tombstone_at(
    searcher: &Searcher,
    f: &Fields,
    addr: DocAddress,
) -> tantivy::Result<(u64, Tombstone, DocAddress)> {
    let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
    let v = |name: &str| -> tantivy::Result<Option<u64>> { Ok(ff.u64(name)?.first(addr.doc_id)) };
    let paragraph = v("paragraph")?.unwrap_or(0);
    let id = Id {
        section: paragraph == 0,
        hash: v("id")?.unwrap_or(0),
        dup: v("dup")?.unwrap_or(0),
    };
    let replaced_by = v("replaced_by")?.map(|hash| Id {
        section: false,
        hash,
        dup: 0,
    });
    let replaced_dup = v("replaced_dup")?.unwrap_or(0);
    let seq = v("seq")?.unwrap_or(0);
    let doc = stored(searcher, addr)?;
    let mut place = doc
        .get_all(f.place)
        .filter_map(|v| v.as_str())
        .map(str::to_string);
    let file = place.next().unwrap_or_default();
    Ok((
        seq,
        Tombstone {
            id,
            replaced_by: replaced_by.map(|r| Id {
                dup: replaced_dup,
                ..r
            }),
            file,
            section: place.collect(),
            paragraph: paragraph as usize,
        },
        addr,
    ))
}

/// A tombstone as an index document.
pub fn tombstone_doc(f: &Fields, t: &Tombstone, seq: u64) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(f.kind, DocKind::Tombstone as u64);
    doc.add_u64(f.id, t.id.hash);
    if t.id.dup > 0 {
        doc.add_u64(f.dup, t.id.dup);
    }
    if let Some(r) = t.replaced_by {
        doc.add_u64(f.replaced_by, r.hash);
        if r.dup > 0 {
            doc.add_u64(f.replaced_dup, r.dup);
        }
    }
    doc.add_u64(f.seq, seq);
    doc.add_u64(f.paragraph, t.paragraph as u64);
    doc.add_text(f.place, &t.file);
    for h in &t.section {
        doc.add_text(f.place, h);
    }
    doc
}

/// Whether a document number is alive in its segment.
pub fn is_alive(reader: &SegmentReader, doc: DocId) -> bool {
    reader.alive_bitset().is_none_or(|a| a.is_alive(doc))
}
