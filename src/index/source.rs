//! A corpus file as the index reads it: its bytes, hash and parse, the
//! states of its documents, and the writer both builds and updates feed.

use std::path::Path;

use tantivy::{Index, IndexWriter};

use super::report::Report;
use super::state::{self, DocState, FileState, Summary};
use crate::corpus::{self, Problem};
use crate::error::{Error, Result};
use crate::model::{Document, Kind, SourceFile};

/// A file's bytes, hash and parse.
pub(super) struct Loaded {
    pub(super) hash: String,
    pub(super) parsed: std::result::Result<(String, crate::article::Article), Problem>,
}

/// Reads and parses a corpus file (within the size limit, never blocking
/// on a FIFO: see [`crate::guard::read_article`]).
pub(super) fn read_file(file: &SourceFile) -> Loaded {
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

/// An article's parse warnings as problems of its file.
pub(super) fn warnings_of(file: &str, article: &crate::article::Article) -> Vec<Problem> {
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

/// What an update needs to know of an indexed document.
pub(super) fn doc_state(d: &Document) -> DocState {
    DocState {
        id: d.id.clone(),
        section: d.kind == Kind::Section,
        digest: state::digest(d),
        path: std::sync::Arc::new(d.section.clone()),
        paragraph: d.paragraph.unwrap_or(0),
    }
}

/// The tantivy writer of a full build (every core, 64 MB of arena each).
pub(super) fn new_writer(index: &Index, dir: &Path) -> Result<IndexWriter> {
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

/// The totals and problems a report ends with, kept in the stamps.
pub(super) fn summary(r: &Report) -> Summary {
    Summary {
        articles: r.articles,
        sections: r.sections,
        paragraphs: r.paragraphs,
        skipped: r.skipped.clone(),
        warnings: r.warnings.clone(),
    }
}

/// Adds the article, section and paragraph totals of `files`.
pub(super) fn totals(report: &mut Report, files: &[FileState]) {
    for f in files {
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
