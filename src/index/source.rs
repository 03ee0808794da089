//! A corpus file as the index reads it (its bytes, hash and parse, made
//! into its documents), and the writers both builds and updates feed.

use std::path::Path;

use tantivy::{Index, IndexWriter, TantivyDocument};

use super::block::{BlockSummary, BlockWriter};
use super::schema::Fields;
use super::state::{FileEntry, Stamp};
use crate::article::{Events, ParseError};
use crate::corpus::Problem;
use crate::error::{Error, Result};
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
            BlockWriter::new(fields, &entry).article(text, events, display, emit)?;
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
    emit: &mut dyn FnMut(Vec<TantivyDocument>) -> Result<()>,
) -> Result<Made> {
    load(file).make(&file.display, fields, emit)
}

/// The tantivy writer of a full build: every core (at most 8), an arena of
/// [`BUILD_ARENA_BYTES`] each, and no merges (a build's segments are few,
/// and merging them cost more than the build; see
/// [`super::IndexDir::merge_if_needed`]).
pub(super) fn new_writer(index: &Index, dir: &Path) -> Result<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let writer = index
        .writer_with_num_threads(threads, threads * BUILD_ARENA_BYTES)
        .map_err(Error::index(dir))?;
    writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    collect_garbage(&writer, dir)?;
    Ok(writer)
}

/// Arena of each thread of a full build's writer: large enough that the
/// bench corpus makes few segments, small enough for the build's memory
/// target.
const BUILD_ARENA_BYTES: usize = 96_000_000;

/// A writer for an update of `bytes` of files: one thread and the smallest
/// arena (an edit adds a few documents, and a large arena costs more to
/// clear than such an update takes); the full build's writer for an update
/// as large as a long article. Neither merges: no command waits for a
/// merge (see [`super::IndexDir::merge_if_needed`]).
pub(super) fn update_writer(index: &Index, dir: &Path, bytes: u64) -> Result<IndexWriter> {
    if bytes > LARGE_UPDATE_BYTES {
        return new_writer(index, dir);
    }
    let writer = index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(Error::index(dir))?;
    writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    collect_garbage(&writer, dir)?;
    Ok(writer)
}

/// An update reading more than this many bytes gets the full writer.
const LARGE_UPDATE_BYTES: u64 = 2 << 20;

/// A writer killed before its commit leaves files (delete bitsets named by
/// the next opstamp) that this writer would try to create again and fail
/// on: tantivy collects them only after a commit, so collect now.
fn collect_garbage(writer: &IndexWriter, dir: &Path) -> Result<()> {
    writer
        .garbage_collect_files()
        .wait()
        .map_err(Error::index(dir))?;
    Ok(())
}
