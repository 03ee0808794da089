//! What an index generation was built from, kept beside it so that updates
//! can apply only the difference and searches can tell cheaply whether the
//! corpus changed.
//!
//! - `stamps.json`: per corpus file its size, mtime, ctime and inode, all a
//!   search reads to detect changes (a `stat` per file, no hashing), the
//!   tantivy commit (opstamp) they describe, totals, and the [`Shelf`]: the
//!   names of the files below. It is replaced atomically, last.
//! - `docs/`: per file its content hash and the digest of every document
//!   indexed from it, in [`BUCKETS`] buckets by file name (zstd-compressed
//!   JSON, each file written once under a new name), and the tombstones of
//!   passages that were edited or removed (so `passage show` can say where
//!   an old ID went). An update reads and writes only the buckets of the
//!   files that changed: its state costs the change, not the corpus.
//!
//! A crash between a tantivy commit and the write of `stamps.json` leaves
//! an opstamp that disagrees with the index, and the files the old stamps
//! name; the next update then re-reads every file whose stamp differs.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::corpus::{fnv1a, Problem};
use crate::error::{Error, Result};
use crate::model::Document;

/// File name of the stamps.
pub const STAMPS: &str = "stamps.json";
/// Folder of the document states.
pub const DOCS: &str = "docs";
/// How many buckets the document states are split into: a one-file edit
/// rewrites one of them (a 64th of the state, 120 KB on the bench corpus).
pub const BUCKETS: usize = 64;

/// Most tombstones kept (the oldest are dropped first).
const MAX_TOMBSTONES: usize = 10_000;

/// A corpus file as it was when indexed. Written as a `[file, size,
/// mtime_ns, ctime_ns, inode]` array: every search reads all of them, and
/// named fields made the reading twice as slow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StampRow", into = "StampRow")]
pub struct Stamp {
    /// As displayed (e.g. `corpus/x.txt`).
    pub file: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: u128,
    /// Status change time, nanoseconds since the epoch.
    pub ctime_ns: u128,
    /// Inode number.
    pub inode: u64,
}

/// How a [`Stamp`] is written. The times as `u64` nanoseconds (enough
/// until the year 2554): serde_json reads a `u128` three times slower, and
/// these are most of what every search reads before it can answer.
type StampRow = (String, u64, u64, u64, u64);

impl From<StampRow> for Stamp {
    fn from((file, size, mtime_ns, ctime_ns, inode): StampRow) -> Stamp {
        Stamp {
            file,
            size,
            mtime_ns: mtime_ns.into(),
            ctime_ns: ctime_ns.into(),
            inode,
        }
    }
}

impl From<Stamp> for StampRow {
    fn from(s: Stamp) -> Self {
        let ns = |t: u128| u64::try_from(t).unwrap_or(u64::MAX);
        (s.file, s.size, ns(s.mtime_ns), ns(s.ctime_ns), s.inode)
    }
}

/// The stamps of every corpus file, for the staleness check.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stamps {
    /// The index format version.
    pub format: u32,
    /// The tantivy commit these stamps describe.
    pub opstamp: u64,
    /// The corpus path as given when indexing.
    pub corpus: String,
    /// The folder the file paths are relative to (the working folder of
    /// the indexing command), to read passages back from any folder.
    pub base: String,
    /// Every corpus file, indexed or skipped.
    pub files: Vec<Stamp>,
    /// Totals and problems, to report a no-change update without reading
    /// the document states.
    #[serde(default)]
    pub summary: Summary,
    /// Where the document states are.
    #[serde(default)]
    pub shelf: Shelf,
}

/// The files of `docs/` a generation's stamps describe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shelf {
    /// One file name per bucket, by bucket number.
    pub buckets: Vec<String>,
    /// The tombstones' file name.
    pub tombstones: String,
    /// Counts writes, to give every file a new name.
    pub serial: u64,
    /// The names the shelf before the last write held, kept one write
    /// longer for a reader of the previous stamps.
    pub previous: Vec<String>,
}

/// The bucket a file's state is kept in.
pub fn bucket_of(file: &str) -> usize {
    (fnv1a(file.as_bytes()) % BUCKETS as u64) as usize
}

impl Shelf {
    /// The states of the files in `buckets`, or `None` if one cannot be
    /// read (which means: rebuild).
    pub fn load(
        &self,
        gen: &Path,
        buckets: impl IntoIterator<Item = usize>,
    ) -> Option<Vec<FileState>> {
        let mut out = Vec::new();
        for b in buckets {
            let name = self.buckets.get(b)?;
            out.extend(load::<Vec<FileState>>(&gen.join(DOCS).join(name))?);
        }
        Some(out)
    }

    /// Every state and the tombstones.
    pub fn load_all(&self, gen: &Path) -> Option<Docs> {
        if self.buckets.len() != BUCKETS {
            return None;
        }
        let mut files = self.load(gen, 0..BUCKETS)?;
        files.sort_by(|a, b| a.file.cmp(&b.file));
        Some(Docs {
            files,
            tombstones: self.load_tombstones(gen)?,
        })
    }

    /// The tombstones.
    pub fn load_tombstones(&self, gen: &Path) -> Option<Vec<Tombstone>> {
        load(&gen.join(DOCS).join(&self.tombstones))
    }

    /// Writes the buckets in `changed` (each with every state it holds) and
    /// the tombstones, when given, under new names; returns the shelf that
    /// names them. Nothing is removed (see [`Shelf::sweep`]): until the
    /// stamps naming the new shelf replace the old, the old one is whole.
    pub fn write(
        &self,
        gen: &Path,
        changed: std::collections::BTreeMap<usize, Vec<FileState>>,
        tombstones: Option<&[Tombstone]>,
    ) -> Result<Shelf> {
        let dir = gen.join(DOCS);
        fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
        let serial = self.serial + 1;
        let mut next = Shelf {
            buckets: self.buckets.clone(),
            tombstones: self.tombstones.clone(),
            serial,
            previous: self.names(),
        };
        next.buckets.resize(BUCKETS, String::new());
        for (b, mut states) in changed {
            states.sort_by(|a, b| a.file.cmp(&b.file));
            let name = format!("{b:02}-{serial}.json.zst");
            write_new(&dir.join(&name), &states)?;
            next.buckets[b] = name;
        }
        if let Some(t) = tombstones {
            let name = format!("tombstones-{serial}.json.zst");
            write_new(&dir.join(&name), &t)?;
            next.tombstones = name;
        }
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(next)
    }

    /// Removes the files of `docs/` that neither this shelf nor the one
    /// before it names (left by older writes or by a crash). Failures are
    /// ignored: the next write tries again.
    pub fn sweep(&self, gen: &Path) {
        let keep: std::collections::HashSet<String> = self
            .names()
            .into_iter()
            .chain(self.previous.iter().cloned())
            .collect();
        let Ok(entries) = fs::read_dir(gen.join(DOCS)) else {
            return;
        };
        for e in entries.flatten() {
            if !keep.contains(e.file_name().to_string_lossy().as_ref()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    fn names(&self) -> Vec<String> {
        self.buckets
            .iter()
            .chain(std::iter::once(&self.tombstones))
            .filter(|n| !n.is_empty())
            .cloned()
            .collect()
    }
}

/// Writes a new state file (compressed JSON), durably. Its name is new, so
/// no reader can see it half-written: nothing names it yet.
fn write_new<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec(value).expect("state serializes");
    let bytes = zstd::encode_all(bytes.as_slice(), 3).map_err(Error::io(path))?;
    let mut f = File::create(path).map_err(Error::io(path))?;
    f.write_all(&bytes).map_err(Error::io(path))?;
    f.sync_data().map_err(Error::io(path))
}

/// What the index holds, in numbers, and the problems found building it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Articles indexed.
    pub articles: usize,
    /// Section documents.
    pub sections: usize,
    /// Paragraph documents.
    pub paragraphs: usize,
    /// Files skipped.
    pub skipped: Vec<Problem>,
    /// Warnings.
    pub warnings: Vec<Problem>,
}

/// One indexed document, as much as an update needs to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocState {
    /// Its ID.
    pub id: String,
    /// `true` for a section document.
    pub section: bool,
    /// Hash of everything stored for it: a changed digest means re-index.
    pub digest: u64,
    /// Section path (to pair an edited paragraph with its old version);
    /// shared by the documents of a section, as loading `docs.json.zst` for a
    /// large corpus would otherwise copy it once per document.
    pub path: Arc<Vec<String>>,
    /// Paragraph number (0 for a section).
    pub paragraph: usize,
}

/// One corpus file as indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "FileRepr", from = "FileRepr")]
pub struct FileState {
    /// As displayed.
    pub file: String,
    /// The article's title (empty when the file was skipped).
    #[serde(default)]
    pub title: String,
    /// Hash of the file's bytes.
    pub hash: String,
    /// Its documents (none when the file was skipped).
    pub docs: Vec<DocState>,
    /// Why the file was skipped, if it was.
    pub problem: Option<Problem>,
    /// Oddities found when parsing it.
    pub warnings: Vec<Problem>,
}

impl FileState {
    /// A file left out of the index, and why.
    pub fn skipped(file: &str, hash: String, problem: Problem) -> FileState {
        FileState {
            file: file.to_string(),
            title: String::new(),
            hash,
            docs: Vec::new(),
            problem: Some(problem),
            warnings: Vec::new(),
        }
    }
}

/// How a [`FileState`] is written: section paths once in a table, each
/// document as a short tuple `[id, is_section, digest, path_index,
/// paragraph]`, which keeps the JSON about a third of the naive size.
#[derive(Serialize, Deserialize)]
struct FileRepr {
    file: String,
    #[serde(default)]
    title: String,
    hash: String,
    paths: Vec<Vec<String>>,
    docs: Vec<(String, bool, u64, u32, u32)>,
    problem: Option<Problem>,
    warnings: Vec<Problem>,
}

impl From<FileState> for FileRepr {
    fn from(f: FileState) -> FileRepr {
        // By content, hashed: an article of 100,000 sections has as many
        // paths, and looking each up in a list made saving it quadratic.
        let mut paths: Vec<Arc<Vec<String>>> = Vec::new();
        let mut seen: std::collections::HashMap<Arc<Vec<String>>, usize> =
            std::collections::HashMap::new();
        let docs = f
            .docs
            .into_iter()
            .map(|d| {
                let i = *seen.entry(d.path.clone()).or_insert_with(|| {
                    paths.push(d.path);
                    paths.len() - 1
                });
                (d.id, d.section, d.digest, i as u32, d.paragraph as u32)
            })
            .collect();
        let paths = paths.into_iter().map(|p| (*p).clone()).collect();
        FileRepr {
            file: f.file,
            title: f.title,
            hash: f.hash,
            paths,
            docs,
            problem: f.problem,
            warnings: f.warnings,
        }
    }
}

impl From<FileRepr> for FileState {
    fn from(r: FileRepr) -> FileState {
        let paths: Vec<Arc<Vec<String>>> = r.paths.into_iter().map(Arc::new).collect();
        let docs = r
            .docs
            .into_iter()
            .map(|(id, section, digest, path, paragraph)| DocState {
                id,
                section,
                digest,
                path: paths.get(path as usize).cloned().unwrap_or_default(),
                paragraph: paragraph as usize,
            })
            .collect();
        FileState {
            file: r.file,
            title: r.title,
            hash: r.hash,
            docs,
            problem: r.problem,
            warnings: r.warnings,
        }
    }
}

/// What became of a passage ID that is no longer in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The old ID.
    pub id: String,
    /// The ID of its edited version, when it was edited in place.
    pub replaced_by: Option<String>,
    /// Its file.
    pub file: String,
    /// Where it stood: its section path...
    pub section: Vec<String>,
    /// ...and paragraph number, to point at what stands there now.
    pub paragraph: usize,
}

/// Per-file document states and tombstones, all of them.
#[derive(Debug, Clone, Default)]
pub struct Docs {
    /// Every corpus file.
    pub files: Vec<FileState>,
    /// Passages edited or removed, oldest first.
    pub tombstones: Vec<Tombstone>,
}

/// Adds tombstones, dropping the oldest beyond the limit.
pub fn bury(tombstones: &mut Vec<Tombstone>, new: Vec<Tombstone>) {
    tombstones.extend(new);
    if tombstones.len() > MAX_TOMBSTONES {
        let excess = tombstones.len() - MAX_TOMBSTONES;
        tombstones.drain(..excess);
    }
}

/// Hash of everything indexed or stored for a document: its text and
/// where it stands.
pub fn digest(d: &Document) -> u64 {
    let mut bytes = Vec::with_capacity(d.text.len() + 128);
    for part in [
        d.id.as_str(),
        d.kind.as_str(),
        &d.article,
        &d.heading,
        &d.file,
        &d.text,
    ] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0x1f);
    }
    for h in &d.section {
        bytes.extend_from_slice(h.as_bytes());
        bytes.push(0x1e);
    }
    for n in [
        d.level as usize,
        d.paragraph.unwrap_or(0),
        d.line_start,
        d.line_end,
        d.column,
        d.byte_start,
        d.byte_end,
    ] {
        bytes.extend_from_slice(&(n as u64).to_le_bytes());
    }
    for y in &d.years {
        bytes.extend_from_slice(&y.to_le_bytes());
    }
    fnv1a(&bytes)
}

/// Hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:016x}-{}", fnv1a(bytes), bytes.len())
}

/// Reads a state file; `None` when it is missing or unreadable (both mean:
/// rebuild).
pub fn load<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let mut bytes = fs::read(path).ok()?;
    if compressed(path) {
        bytes = zstd::decode_all(bytes.as_slice()).ok()?;
    }
    serde_json::from_slice(&bytes).ok()
}

fn compressed(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zst")
}

/// Writes a state file atomically.
pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec(value).expect("state serializes");
    if compressed(path) {
        bytes = zstd::encode_all(bytes.as_slice(), 3).map_err(Error::io(path))?;
    }
    write_durably(path, &bytes)
}

/// Replaces `path` with `bytes` atomically: a reader sees the old content or
/// the new, never a part.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut f = File::create(&tmp).map_err(Error::io(&tmp))?;
    f.write_all(bytes).map_err(Error::io(&tmp))?;
    f.sync_all().map_err(Error::io(&tmp))?;
    fs::rename(&tmp, path).map_err(Error::io(path))?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
