//! From a corpus folder to documents: finds every article file, parses it
//! and turns its passages and sections into [`Document`]s ready to index.
//!
//! Nothing here knows about tantivy; the index stage takes the documents as
//! plain values.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::article::{Article, ParseError};
use crate::error::{Error, Result};

pub use crate::model::{Document, Id, Kind, SourceFile};

/// A file that was left out of the index, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Problem {
    /// The file, as displayed.
    pub file: String,
    /// 1-based line, or 0 when the problem is the whole file (unreadable).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Lists every `*.txt` file under `root` (or `root` itself if it is a
/// file), sorted so that builds are reproducible. Hidden entries are
/// skipped, and so are symlinked folders (they could loop) and folders
/// that cannot be read (see [`walk`]).
pub fn discover(root: &Path) -> Result<Vec<SourceFile>> {
    walk(root).map(|w| w.files)
}

/// What a walk of the corpus found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Every article file, sorted by its path inside the corpus.
    pub files: Vec<SourceFile>,
    /// Folders below the root that could not be read (permission denied,
    /// a path too long for the system), each left out with its reason as
    /// an unreadable file is (named with a trailing `/`): the rest of the
    /// corpus is indexed.
    pub skipped: Vec<Problem>,
}

/// The corpus root's metadata, or why it cannot be a corpus: the root of
/// the file system, or nothing there. Checked before anything is written.
pub fn root_metadata(root: &Path) -> Result<std::fs::Metadata> {
    crate::guard::check_corpus_root(root)?;
    std::fs::metadata(root).map_err(|e| Error::Corpus {
        path: root.to_path_buf(),
        message: if e.kind() == std::io::ErrorKind::NotFound {
            "corpus not found (pass --corpus DIR, a folder of *.txt articles)".into()
        } else {
            e.to_string()
        },
    })
}

/// [`discover`], with the folders it had to leave out.
///
/// Each file is stat-ed relative to its open folder while the folder is
/// read (no second path lookup), and the folders below the root are walked
/// on all cores: this walk is what every search pays to notice edits.
pub fn walk(root: &Path) -> Result<Walk> {
    let meta = root_metadata(root)?;
    if meta.is_file() {
        return Ok(Walk {
            files: vec![source_file(root, root.to_path_buf(), &meta)],
            skipped: Vec::new(),
        });
    }
    let mut out = Walk::default();
    // The root itself must be readable: a corpus that cannot be listed is
    // an error, not an empty corpus.
    let subdirs = read_folder(root, root, &mut out.files).map_err(|e| Error::Corpus {
        path: root.to_path_buf(),
        message: e.to_string(),
    })?;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(subdirs.len().max(1));
    let chunks: Vec<Vec<PathBuf>> = (0..workers)
        .map(|w| subdirs.iter().skip(w).step_by(workers).cloned().collect())
        .collect();
    let results: Vec<Walk> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|dirs| {
                scope.spawn(move || {
                    let mut found = Walk::default();
                    let mut stack = dirs;
                    while let Some(dir) = stack.pop() {
                        match read_folder(root, &dir, &mut found.files) {
                            Ok(subdirs) => stack.extend(subdirs),
                            // Named with a trailing `/`: a folder.
                            Err(e) => found.skipped.push(Problem {
                                file: format!("{}/", display_path(&dir)),
                                line: 0,
                                message: e.to_string(),
                            }),
                        }
                    }
                    found
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("corpus walker panicked"))
            .collect()
    });
    for r in results {
        out.files.extend(r.files);
        out.skipped.extend(r.skipped);
    }
    // By the path inside the corpus, as the index lists its files: as
    // reproducible as by path components, and much cheaper for thousands.
    out.files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    out.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

/// Reads one folder: its article files go to `found`, its subfolders are
/// returned. A folder that fails halfway adds none of its files.
fn read_folder(
    root: &Path,
    dir: &Path,
    found: &mut Vec<SourceFile>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut subdirs = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.as_encoded_bytes().first() == Some(&b'.') {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            subdirs.push(entry.path());
            continue;
        }
        if !name.as_encoded_bytes().ends_with(b".txt") {
            continue;
        }
        let path = entry.path();
        let meta = if ft.is_symlink() {
            std::fs::metadata(&path)
        } else {
            entry.metadata()
        };
        match meta {
            Ok(meta) if meta.is_file() => files.push(SourceFile {
                linked: ft.is_symlink(),
                ..source_file(root, path, &meta)
            }),
            // A device, FIFO or socket named `*.txt` (often a link to
            // /dev/zero or /dev/stdin) is listed, never opened, so that
            // reading it says what it is instead of it silently missing.
            Ok(meta) if !meta.is_dir() => files.push(source_file(root, path, &meta)),
            // A dangling or looping link is listed (with the link's own
            // stamp) so that reading it reports why, rather than the file
            // silently missing.
            Err(_) if ft.is_symlink() => {
                if let Ok(link) = entry.metadata() {
                    files.push(source_file(root, path, &link));
                }
            }
            _ => {}
        }
    }
    found.append(&mut files);
    Ok(subdirs)
}

/// A found file, named as displayed and as the index knows it (relative
/// to the corpus root; a corpus of one file: its name).
fn source_file(root: &Path, path: PathBuf, meta: &std::fs::Metadata) -> SourceFile {
    let display = display_path(&path);
    let rel = match path.strip_prefix(root) {
        Ok(r) if !r.as_os_str().is_empty() => r.to_string_lossy().replace('\\', "/"),
        _ => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    SourceFile::new(path, display, rel, meta)
}

/// Shows a path with forward slashes and without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The documents of one parsed article.
///
/// `ids` collects the identifiers handed out so far in this file, so a
/// repeated passage gets a distinct one (`-2`, `-3`...).
pub fn documents(file: &str, text: &str, article: &Article, ids: &mut Ids) -> Vec<Document> {
    let mut out = Vec::with_capacity(article.passages.len() + article.sections.len());
    // Hostile files (thousands of sections, one paragraph repeated
    // thousands of times) must cost linear time here: passages are found
    // by binary search, years and ID suffixes are remembered in maps.
    for s in &article.sections {
        let mut years = Vec::new();
        let mut seen = HashSet::new();
        let from = article
            .passages
            .partition_point(|p| p.bytes.start < s.bytes.start);
        for p in article.passages[from..]
            .iter()
            .take_while(|p| p.bytes.start < s.bytes.end)
        {
            if p.bytes.end <= s.bytes.end {
                let found = crate::article::years(&text[p.bytes.clone()]);
                years.extend(found.into_iter().filter(|&y| seen.insert(y)));
            }
        }
        out.push(Document {
            id: ids.section(&article.title, &s.path).to_string(),
            kind: Kind::Section,
            article: article.title.clone(),
            section: s.path.clone(),
            level: s.level,
            paragraph: None,
            file: file.to_string(),
            line_start: s.line_start,
            line_end: s.line_end,
            column: column_of(text, s.bytes.start),
            byte_start: s.bytes.start,
            byte_end: s.bytes.end,
            years,
            text: text[s.bytes.clone()].to_string(),
            heading: article.heading(text, s).to_string(),
        });
    }
    for p in &article.passages {
        let s = &article.sections[p.section];
        let body = &text[p.bytes.clone()];
        out.push(Document {
            id: ids.passage(&article.title, body).to_string(),
            kind: Kind::Paragraph,
            article: article.title.clone(),
            section: s.path.clone(),
            level: s.level,
            paragraph: Some(p.paragraph),
            file: file.to_string(),
            line_start: p.line_start,
            line_end: p.line_end,
            column: column_of(text, p.bytes.start),
            byte_start: p.bytes.start,
            byte_end: p.bytes.end,
            years: crate::article::years(body),
            text: body.to_string(),
            heading: article.heading(text, s).to_string(),
        });
    }
    out
}

/// 1-based character column of a byte offset.
pub fn column_of(text: &str, byte: usize) -> usize {
    let line_start = text[..byte].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    1 + text[line_start..byte].chars().count()
}

/// The IDs handed out in one file: the first passage with a given text
/// gets its plain ID, a repeat of it `-2`, `-3`... (a file of three
/// million identical lines counts, it does not search).
#[derive(Debug, Default)]
pub struct Ids {
    seen: rustc_hash::FxHashMap<(bool, u64), u64>,
}

impl Ids {
    /// The ID of the next passage with this text.
    pub fn passage(&mut self, article: &str, text: &str) -> Id {
        self.next(false, fnv1a_parts(&[article, text]) >> 16)
    }

    /// The ID of the next section with this heading path.
    pub fn section(&mut self, article: &str, path: &[String]) -> Id {
        let mut parts: Vec<&str> = vec![article];
        parts.extend(path.iter().map(String::as_str));
        self.next(true, fnv1a_parts(&parts) >> 16)
    }

    fn next(&mut self, section: bool, hash: u64) -> Id {
        let n = self.seen.entry((section, hash)).or_insert(0);
        *n += 1;
        Id {
            section,
            hash,
            dup: if *n == 1 { 0 } else { *n },
        }
    }
}

/// A passage's ID: `p` and 12 hex digits of a hash of the article title and
/// the passage text. It does not depend on where the passage stands, so
/// edits elsewhere leave it alone; editing the passage itself changes it.
pub fn passage_id(article: &str, text: &str) -> String {
    Ids::default().passage(article, text).to_string()
}

/// A section's ID: `s` and 12 hex digits of a hash of the article title and
/// the heading path. Renaming a heading changes it and its subsections'.
pub fn section_id(article: &str, path: &[String]) -> String {
    Ids::default().section(article, path).to_string()
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bits: tiny and, unlike std's hasher, fixed across Rust
/// releases, which IDs meant to be stored must be.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv_extend(FNV_OFFSET, bytes)
}

/// [`fnv1a`] of what was hashed into `h`, then `bytes`.
pub fn fnv1a_extend(h: u64, bytes: &[u8]) -> u64 {
    fnv_extend(h, bytes)
}

fn fnv_extend(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Hashes several strings, separated so that ("ab", "c") differs from
/// ("a", "bc").
fn fnv1a_parts(parts: &[&str]) -> u64 {
    let mut h = FNV_OFFSET;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h = fnv_extend(h, &[0x1f]);
        }
        h = fnv_extend(h, part.as_bytes());
    }
    h
}

/// Parses the bytes of one file.
pub fn parse(display: &str, bytes: Vec<u8>) -> std::result::Result<(String, Article), Problem> {
    let article = Article::parse_bytes(&bytes).map_err(|ParseError { line, message }| Problem {
        file: display.to_string(),
        line,
        message,
    })?;
    // parse_bytes has checked the encoding.
    let text = String::from_utf8(bytes).unwrap_or_default();
    Ok((text, article))
}
