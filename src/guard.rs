//! Refusals that keep hostile input from costing unbounded memory or time,
//! or from reaching what it should not: the size limit on corpus files,
//! file names the index cannot record faithfully, corpus locations that
//! would index the whole file system or the index itself (index files
//! damaged behind its back are `index::integrity`'s).
//!
//! Each refusal is a message for one `file: message` line, never a panic;
//! see `RELIABILITY.md` for the limits and why they are where they are.

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::limits::{MAX_FILE_BYTES, MAX_HITS};
use crate::model::SourceFile;

/// The note for a `-n` beyond [`MAX_HITS`], if it is.
pub fn hits_capped(asked: usize) -> Option<String> {
    (asked > MAX_HITS).then(|| {
        format!(
            "-n {asked} is more than the {MAX_HITS} hits shown at most; the count covers every match, and `passage export --ndjson` writes every document"
        )
    })
}

/// Reads a corpus file to index it, or says why not: a name that is not
/// UTF-8 (the index stores names as text, and a lossy one would not lead
/// back to the file), or more than [`MAX_FILE_BYTES`], checked on the size
/// found by the walk and again while reading (the file may grow between
/// the two).
pub fn read_article(file: &SourceFile) -> std::result::Result<Vec<u8>, String> {
    if file.path.to_str().is_none() {
        return Err("file name is not valid UTF-8 (rename the file to index it)".into());
    }
    if file.size > MAX_FILE_BYTES {
        return Err(too_large(file.size));
    }
    // A device or FIFO behind a `*.txt` name (a link to /dev/zero would be
    // read forever, a FIFO would block until a writer comes) is refused by
    // its type before it is opened; the open below does not block and the
    // opened file is checked again, in case the name was swapped between.
    let meta = std::fs::metadata(&file.path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let f = std::fs::File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&file.path)
        .map_err(|e| e.to_string())?;
    let meta = f.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut bytes = Vec::with_capacity(file.size as usize + 1);
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "too large (grew past the limit of {MAX_FILE_BYTES} bytes while being read)"
        ));
    }
    Ok(bytes)
}

/// `not a regular file (a FIFO)`: what the name leads to, so the user
/// sees why a file that is listed is not indexed.
fn not_regular(meta: &std::fs::Metadata) -> String {
    let t = meta.file_type();
    let kind = if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a folder"
    } else {
        "not a file"
    };
    format!("not a regular file ({kind})")
}

fn too_large(size: u64) -> String {
    format!("too large ({size} bytes, limit {MAX_FILE_BYTES})")
}

/// Refuses a corpus that is the root of the file system (walking it would
/// read every `*.txt` file on the machine).
pub fn check_corpus_root(corpus: &Path) -> Result<()> {
    if let Ok(real) = std::fs::canonicalize(corpus) {
        if real.parent().is_none() {
            return Err(Error::Corpus {
                path: corpus.to_path_buf(),
                message: "refusing to use the root of the file system as the corpus \
                          (pass --corpus DIR, a folder of *.txt articles)"
                    .into(),
            });
        }
    }
    Ok(())
}

/// Refuses a corpus that is the index folder or lies inside it: the index
/// would be reading what it writes. (An index inside the corpus is fine:
/// it holds no `*.txt` files.)
pub fn check_locations(corpus: &Path, index: &Path) -> Result<()> {
    let (Some(corpus_real), Some(index_real)) = (real(corpus), real(index)) else {
        return Ok(());
    };
    if corpus_real.starts_with(&index_real) {
        return Err(Error::Corpus {
            path: corpus.to_path_buf(),
            message: format!(
                "the corpus is {} the index folder {}; pass --corpus and --index folders apart",
                if corpus_real == index_real {
                    "the same folder as"
                } else {
                    "inside"
                },
                index.display()
            ),
        });
    }
    Ok(())
}

/// Fails at once, plainly, when the index folder `dir` cannot be written
/// (read-only, another owner): tantivy would fail deep inside, naming a
/// temporary file, after the work of reading the corpus.
pub fn check_writable(dir: &Path) -> Result<()> {
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                e.kind(),
                format!("cannot write in the index folder ({e}); it is left as it was"),
            ),
        }),
    }
}

fn real(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: PathBuf) -> SourceFile {
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        SourceFile {
            display: path.display().to_string(),
            rel: path.display().to_string(),
            path,
            size,
            mtime_ns: 0,
            ctime_ns: 0,
            inode: 0,
            linked: false,
        }
    }

    #[test]
    fn a_huge_sparse_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.txt");
        // Sparse: a gigabyte that costs no disk.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        let err = read_article(&source(path)).unwrap_err();
        assert_eq!(err, "too large (1073741824 bytes, limit 67108864)");
    }

    #[test]
    fn a_file_that_grew_after_the_walk_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grew.txt");
        std::fs::write(&path, "= T =\n").unwrap();
        let mut f = source(path.clone());
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 10)
            .unwrap();
        f.size = 6;
        let err = read_article(&f).unwrap_err();
        assert!(err.contains("grew past the limit"), "{err}");
    }

    #[test]
    fn devices_and_fifos_are_refused_by_type_unopened() {
        let err = read_article(&source(PathBuf::from("/dev/zero"))).unwrap_err();
        assert_eq!(err, "not a regular file (a character device)");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.txt");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo must be installed to run this test");
        assert!(made.success());
        // Opening it for reading would block until a writer came.
        let err = read_article(&source(fifo)).unwrap_err();
        assert_eq!(err, "not a regular file (a FIFO)");
    }

    #[test]
    fn root_and_index_as_corpus_are_refused() {
        let e = check_corpus_root(Path::new("/")).unwrap_err();
        assert!(e.to_string().contains("root of the file system"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        std::fs::create_dir_all(index.join("gen-1")).unwrap();
        let e = check_locations(&index, &index).unwrap_err();
        assert!(e.to_string().contains("the same folder as"), "{e}");
        let e = check_locations(&index.join("gen-1"), &index).unwrap_err();
        assert!(e.to_string().contains("inside the index folder"), "{e}");
        // The index inside the corpus is allowed.
        assert!(check_locations(dir.path(), &index).is_ok());
    }
}
