//! A corpus file as the index reads it (its bytes, hash and parse, made
//! into its documents), and the writers both builds and updates feed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use tantivy::indexer::UserOperation;
use tantivy::{Document, Index, IndexWriter, TantivyDocument};

use super::block::{BlockSummary, BlockWriter};
use super::schema::Fields;
use super::state::{FileEntry, Stamp};
use crate::article::{Events, ParseError};
use crate::corpus::Problem;
use crate::error::{Error, Result};
use crate::limits::MAX_WAITING_DOCS;
use crate::meaning::Model;
use crate::model::SourceFile;

/// A file read and made into documents.
pub(super) struct Made {
    /// Its path, stamp and hash.
    pub entry: FileEntry,
    /// Why it was skipped, if it was.
    pub problem: Option<Problem>,
    /// Oddities found parsing it.
    pub warnings: Vec<Problem>,
    /// Its block's totals and states.
    pub summary: BlockSummary,
}

impl Made {
    /// Its file document.
    pub fn file_doc(&self, fields: Fields) -> TantivyDocument {
        BlockWriter::file_doc(
            fields,
            &self.entry,
            self.problem.as_ref(),
            &self.warnings,
            &self.summary,
        )
    }
}

/// A corpus file's bytes and hash, or why it could not be read.
pub(super) struct Loaded {
    /// Its path, stamp and hash (0 when it could not be read).
    pub entry: FileEntry,
    bytes: std::result::Result<Vec<u8>, Problem>,
}

/// Reads a corpus file (within the size limit, never blocking on a FIFO:
/// see [`crate::guard::read_article`]).
pub(super) fn load(file: &SourceFile) -> Loaded {
    let (hash, bytes) = match crate::guard::read_article(file) {
        Ok(bytes) => (super::state::content_hash(&bytes), Ok(bytes)),
        Err(message) => (
            0,
            Err(Problem {
                file: file.display.clone(),
                line: 0,
                message,
            }),
        ),
    };
    Loaded {
        entry: FileEntry {
            rel: file.rel.clone(),
            stamp: Stamp::of(file),
            hash,
        },
        bytes,
    }
}

impl Loaded {
    /// Parses the file and makes its block as it goes, handing each chunk
    /// of documents to `emit`; its file document is left to the caller
    /// (its stamp may still be smudged).
    pub fn make(
        self,
        display: &str,
        fields: Fields,
        states: bool,
        model: Option<&Model>,
        emit: &mut dyn FnMut(Vec<TantivyDocument>) -> Result<()>,
    ) -> Result<Made> {
        let entry = self.entry;
        let skipped = |entry, problem| {
            Ok(Made {
                entry,
                problem: Some(problem),
                warnings: Vec::new(),
                summary: BlockSummary::default(),
            })
        };
        let bytes = match self.bytes {
            Ok(bytes) => bytes,
            Err(problem) => return skipped(entry, problem),
        };
        let events = match Events::from_bytes(&bytes) {
            Ok(events) => events,
            Err(ParseError { line, message }) => {
                let problem = Problem {
                    file: display.to_string(),
                    line,
                    message,
                };
                return skipped(entry, problem);
            }
        };
        // `from_bytes` checked the encoding.
        let text = std::str::from_utf8(&bytes).unwrap_or_default();
        let (summary, warnings) =
            BlockWriter::new(fields, &entry, states, model).article(text, events, display, emit)?;
        Ok(Made {
            entry,
            problem: None,
            warnings,
            summary,
        })
    }
}

/// Reads a corpus file and makes its block (see [`Loaded::make`]).
pub(super) fn make(
    file: &SourceFile,
    fields: Fields,
    states: bool,
    model: Option<&Model>,
    emit: &mut dyn FnMut(Vec<TantivyDocument>) -> Result<()>,
) -> Result<Made> {
    load(file).make(&file.display, fields, states, model, emit)
}

/// The index writer builds and updates feed, with a bound on what waits
/// in it: tantivy queues up to 10,000 batches of documents for its
/// threads, and a file parsed faster than it is indexed (three million
/// one-word paragraphs) would otherwise wait there whole.
pub(super) struct Writer {
    inner: IndexWriter<Fed>,
    queue: Arc<Queue>,
    dir: PathBuf,
}

/// Documents handed to the writer and not yet taken by its threads.
#[derive(Default)]
struct Queue {
    waiting: Mutex<usize>,
    taken: Condvar,
}

/// A document on its way to the writer: the last of a batch says, when an
/// indexing thread is done with it (and drops it), that the batch left the
/// queue.
pub(super) struct Fed {
    doc: TantivyDocument,
    batch: Option<(Arc<Queue>, usize)>,
}

impl Document for Fed {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }

    fn into_tantivy_document(mut self) -> TantivyDocument {
        std::mem::take(&mut self.doc)
    }
}

impl Drop for Fed {
    fn drop(&mut self) {
        if let Some((queue, n)) = self.batch.take() {
            let mut waiting = queue.waiting.lock().expect("not poisoned");
            *waiting = waiting.saturating_sub(n);
            queue.taken.notify_all();
        }
    }
}

impl Writer {
    fn new(inner: IndexWriter<Fed>, dir: &Path) -> Result<Writer> {
        // A writer killed before its commit leaves files (delete bitsets
        // named by the next opstamp) that this writer would try to create
        // again and fail on: tantivy collects them only after a commit, so
        // collect now.
        inner
            .garbage_collect_files()
            .wait()
            .map_err(Error::index(dir))?;
        Ok(Writer {
            inner,
            queue: Arc::new(Queue::default()),
            dir: dir.to_path_buf(),
        })
    }

    /// Adds a batch of documents kept together, in order, in one segment
    /// (a block), once the queue has room for it.
    pub fn add_batch(&self, docs: Vec<TantivyDocument>) -> Result<()> {
        let n = docs.len();
        if n == 0 {
            return Ok(());
        }
        {
            let mut waiting = self.queue.waiting.lock().expect("not poisoned");
            while *waiting > 0 && *waiting + n > MAX_WAITING_DOCS {
                waiting = self.queue.taken.wait(waiting).expect("not poisoned");
            }
            *waiting += n;
        }
        let queue = &self.queue;
        let ops = docs.into_iter().enumerate().map(|(i, doc)| {
            UserOperation::Add(Fed {
                doc,
                batch: (i + 1 == n).then(|| (queue.clone(), n)),
            })
        });
        self.inner.run(ops).map_err(Error::index(&self.dir))?;
        Ok(())
    }

    /// Adds one document.
    pub fn add(&self, doc: TantivyDocument) -> Result<()> {
        self.add_batch(vec![doc])
    }

    /// Deletes what `query` matches (when committing).
    pub fn delete(&self, query: Box<dyn tantivy::query::Query>) -> Result<()> {
        self.inner
            .delete_query(query)
            .map_err(Error::index(&self.dir))?;
        Ok(())
    }

    /// Commits, with the commit's totals as its payload.
    pub fn commit(mut self, payload: &str) -> Result<()> {
        let mut commit = self
            .inner
            .prepare_commit()
            .map_err(Error::index(&self.dir))?;
        commit.set_payload(payload);
        commit.commit().map_err(Error::index(&self.dir))?;
        Ok(())
    }
}

/// The tantivy writer of a full build: every core (at most 8), an arena of
/// [`BUILD_ARENA_BYTES`] each, and no merges (a build's segments are few,
/// and merging them cost more than the build; see
/// [`super::IndexDir::merge_if_needed`]).
pub(super) fn new_writer(index: &Index, dir: &Path) -> Result<Writer> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let writer: IndexWriter<Fed> = index
        .writer_with_num_threads(threads, threads * BUILD_ARENA_BYTES)
        .map_err(Error::index(dir))?;
    writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    Writer::new(writer, dir)
}

/// Arena of each thread of a full build's writer: large enough that the
/// bench corpus makes few segments, small enough for the build's memory
/// target.
const BUILD_ARENA_BYTES: usize = 48_000_000;

/// A writer for an update of `bytes` of files: one thread and the smallest
/// arena (an edit adds a few documents, and a large arena costs more to
/// clear than such an update takes); the full build's writer for an update
/// as large as a long article. Neither merges: no command waits for a
/// merge (see [`super::IndexDir::merge_if_needed`]).
pub(super) fn update_writer(index: &Index, dir: &Path, bytes: u64) -> Result<Writer> {
    if bytes > LARGE_UPDATE_BYTES {
        return new_writer(index, dir);
    }
    let writer: IndexWriter<Fed> = index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(Error::index(dir))?;
    writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    Writer::new(writer, dir)
}

/// An update reading more than this many bytes gets the full writer.
const LARGE_UPDATE_BYTES: u64 = 2 << 20;
