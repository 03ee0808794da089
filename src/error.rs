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
    /// A model folder could not be read as a Model2Vec model.
    #[error("model {}: {message}", path.display())]
    Model {
        /// The folder.
        path: PathBuf,
        /// Why.
        message: String,
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
        move |source| {
            // A writer thread that failed on a full disk reaches us as "An
            // index writer was killed", its reason lost: say the reason.
            let writing = matches!(
                source,
                tantivy::TantivyError::ErrorInThread(_) | tantivy::TantivyError::IoError(_)
            );
            if writing && disk_full(&path) {
                return Error::Io {
                    path,
                    source: std::io::Error::from_raw_os_error(libc::ENOSPC),
                };
            }
            Error::Index { path, source }
        }
    }
}

/// Whether the file system holding `path` (or its nearest existing
/// parent) has no room left for an ordinary user.
fn disk_full(path: &std::path::Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Some(existing) = path.ancestors().find(|p| p.exists()) else {
        return false;
    };
    let Ok(c) = std::ffi::CString::new(existing.as_os_str().as_bytes()) else {
        return false;
    };
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a valid C string and `stats` is written by statvfs
    // before it is read (only when it returns 0).
    if unsafe { libc::statvfs(c.as_ptr(), stats.as_mut_ptr()) } != 0 {
        return false;
    }
    let stats = unsafe { stats.assume_init() };
    // Less than a block of a segment file: as good as full.
    (stats.f_bavail as u128) * (stats.f_frsize as u128) < 64 * 1024
}
