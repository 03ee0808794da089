//! The library's error type: every failure a command can report, each
//! naming the file, folder or query position it is about.

use std::path::PathBuf;

use crate::query::QueryError;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The corpus folder or one of its entries could not be read.
    #[error("{}: {message}", path.display())]
    Corpus {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A file or folder of the index could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Tantivy failed while reading or writing the index.
    #[error("index {}: {source}", path.display())]
    Index {
        /// The index folder.
        path: PathBuf,
        /// The underlying error.
        source: tantivy::TantivyError,
    },
    /// Another process is writing the index.
    #[error("{}: another `passage index` is updating this index; try again when it has finished", path.display())]
    Busy {
        /// The index folder.
        path: PathBuf,
    },
    /// No index has been built in this folder.
    #[error("{}: no index here (run `passage index`)", path.display())]
    NoIndex {
        /// The index folder.
        path: PathBuf,
    },
    /// The quote given to `cite` cannot be looked for.
    #[error("bad quote: {0}")]
    Quote(String),
    /// The query cannot be read.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// Work stopped because another part of it failed first (that part's
    /// error is the one reported).
    #[error("stopped")]
    Stopped,
    /// A query given to list sections holds something other than filters
    /// that pick sections (a word, a phrase, `kind:paragraph`).
    #[error("--list-sections takes only filters that pick sections (article:, section:, year:), not {0}")]
    ListingQuery(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    pub(crate) fn index(path: impl Into<PathBuf>) -> impl FnOnce(tantivy::TantivyError) -> Error {
        let path = path.into();
        move |source| Error::Index { path, source }
    }
}
