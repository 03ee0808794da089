//! The tantivy index: an index folder, its generations and locks. The
//! stages live in the submodules: [`mod@schema`] (fields), `block` (a
//! corpus file as documents), [`state`] (stamps, states, totals),
//! `catalog` (reading them back), `build` (a full build), `update` (an
//! incremental one), [`freshness`] (whether the corpus changed since),
//! `opened` (a generation opened to search) and `integrity` (damaged
//! files).
//!
//! An index folder holds generations: `gen-*/` folders, each a complete
//! tantivy index, and a `CURRENT` file naming the one in use. Everything a
//! generation knows (words, places, file stamps, tombstones, totals) is
//! inside its tantivy index, so each commit changes all of it at once.
//!
//! - A full build writes a new generation beside the old one and only then
//!   replaces `CURRENT` (write to a temporary file, fsync, rename), so a
//!   build that fails or is interrupted leaves the previous generation in
//!   use. Leftover generations are removed by the next writer.
//! - An incremental update changes the current generation in place: it
//!   deletes and re-adds the blocks of the files whose content changed, and
//!   the file documents of those touched, in one tantivy commit (atomic: a
//!   killed update leaves the previous commit, state and all).
//! - A lock file (`.lock`, an OS lock that dies with its process) keeps two
//!   writers apart. A merge also holds `.merge.lock` while it holds it, so
//!   that a writer finding the index locked can tell a merge, which it
//!   waits for, from another writer, which it reports.

mod block;
mod build;
mod catalog;
pub mod freshness;
mod integrity;
mod legacy;
mod opened;
mod remove;
mod report;
pub mod schema;
mod source;
pub mod state;
pub mod sync;
mod update;
pub mod watch;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use catalog::{Cols, FileCounts, IndexedFile};
pub use opened::{CorpusRoot, Opened, Unreadable};
pub use report::{Change, FileChange, Report};
pub use schema::{schema, DocKind, Fields};

use crate::corpus;
use crate::error::{Error, Result};
use crate::limits::MAX_SEGMENTS;
use crate::meaning::Model;
use crate::progress::Progress;
use opened::{try_open, Unopened};

/// Bumped whenever the schema or the analyzers change meaning, so an index
/// built by another version is rebuilt instead of silently misread.
pub const FORMAT: u32 = 21;

/// How to update.
#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// Rebuild from scratch instead of applying the difference.
    pub full: bool,
    /// Which model's codes the paragraphs carry.
    pub model: ModelChoice,
}

/// Which model's codes the paragraphs carry after an update (see
/// [`crate::meaning`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ModelChoice {
    /// The index's own, if it has one.
    #[default]
    Keep,
    /// The model in this folder: an index of another model, or of none, or
    /// whose model's files changed, is rebuilt with it.
    Use(PathBuf),
    /// None: an index with a model is rebuilt without.
    Drop,
}

/// A walk of the corpus and when it began: what an update compares with
/// the index.
pub struct Scan {
    scanned_ns: u128,
    found: corpus::Walk,
}

impl Scan {
    /// How many corpus files the walk found.
    pub fn files_found(&self) -> usize {
        self.found.files.len()
    }
}

/// The corpus files as one walk found them, and when it began.
pub(super) struct Walk {
    files: Vec<corpus::SourceFile>,
    scanned_ns: u128,
}

/// An index folder.
#[derive(Debug, Clone)]
pub struct IndexDir {
    root: PathBuf,
}
const CURRENT: &str = "CURRENT";
const LOCK: &str = ".lock";
/// Held by a merge from before it takes [`LOCK`] until after it lets it
/// go. (What the holder of `LOCK` wrote into it could not tell: between
/// taking the lock and writing, a merge's lock read as a writer's.)
const MERGE_LOCK: &str = ".merge.lock";

/// Holds an OS lock on a file of an index folder until dropped.
pub struct WriteLock {
    file: File,
}

/// Longest a writer waits for a merge to end (merging only small segments
/// takes well under a second).
const MERGE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

impl IndexDir {
    /// An index folder at `root` (it need not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> IndexDir {
        IndexDir { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// What tells one commit of the index from the next: the generation
    /// in use and the time and size of its last commit's metadata. A
    /// process holding the index open compares it to know when to open it
    /// again.
    pub fn last_commit(&self) -> Option<(PathBuf, std::time::SystemTime, u64)> {
        let dir = self.current().ok()??;
        let meta = fs::metadata(dir.join("meta.json")).ok()?;
        Some((dir, meta.modified().ok()?, meta.len()))
    }

    /// The generation in use, if any.
    pub(super) fn current(&self) -> Result<Option<PathBuf>> {
        let path = self.root.join(CURRENT);
        match fs::read_to_string(&path) {
            // Garbled: no generation is named, so build one.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Ok(None),
            Ok(name) => {
                let name = name.trim();
                if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
                    return Ok(None);
                }
                let dir = self.root.join(name);
                Ok(dir.is_dir().then_some(dir))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path)(e)),
        }
    }

    /// Opens the generation in use, to be read against the corpus at
    /// `corpus`. `Ok(None)` when there is none or it was built by another
    /// format version (both of which mean: build it).
    pub fn open(&self, corpus: &Path) -> Result<Option<Opened>> {
        // A writer may commit, or swap in a new generation and delete this
        // one, while we read: whatever fails, look again a few times.
        for attempt in 0..8 {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(25 * attempt));
            }
            let Some(dir) = self.current()? else {
                return Ok(None);
            };
            match try_open(dir, corpus) {
                Ok(opened) => return Ok(Some(opened)),
                Err(Unopened::OtherFormat) => return Ok(None),
                Err(Unopened::Failed) => {}
            }
        }
        Ok(None)
    }

    /// Waits until no other process is writing the index.
    pub fn wait_for_writer(&self) -> Result<()> {
        let path = self.root.join(LOCK);
        let Ok(file) = File::options().write(true).open(&path) else {
            return Ok(());
        };
        file.lock().map_err(Error::io(&path))?;
        Ok(())
    }

    /// Brings the index up to date with the corpus: applies only what
    /// changed, or rebuilds from scratch when asked, when there is no
    /// usable index, or when its state files do not match it.
    pub fn update(&self, corpus_root: &Path, opts: UpdateOptions) -> Result<Report> {
        self.update_with_progress(corpus_root, opts, &|_| {})
    }

    /// [`IndexDir::update`], calling `progress` after each file it reads
    /// (for a progress bar). A no-change update reads none and never calls
    /// it.
    pub fn update_with_progress(
        &self,
        corpus_root: &Path,
        opts: UpdateOptions,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        self.update_from(corpus_root, None, opts, progress)
    }

    /// [`IndexDir::update_with_progress`] from a walk already made (by
    /// [`freshness::Staleness::stale_scan`]).
    pub fn update_scanned(
        &self,
        corpus_root: &Path,
        scan: Scan,
        opts: UpdateOptions,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        self.update_from(corpus_root, Some(scan), opts, progress)
    }

    fn update_from(
        &self,
        corpus_root: &Path,
        scan: Option<Scan>,
        opts: UpdateOptions,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let started = Instant::now();
        fs::create_dir_all(&self.root).map_err(Error::io(&self.root))?;
        crate::guard::check_locations(corpus_root, &self.root)?;
        let _lock = self.lock()?;
        let Scan { scanned_ns, found } = match scan {
            Some(scan) => scan,
            None => Scan {
                scanned_ns: state::now_ns(),
                found: corpus::walk(corpus_root)?,
            },
        };
        let links = found
            .files
            .iter()
            .filter(|f| f.linked)
            .map(|f| f.path.clone())
            .collect();
        let walk = Walk {
            scanned_ns,
            files: found.files,
        };
        // Holding the lock, no other build is writing a generation:
        // anything but the current one is left over from a killed or failed
        // build (a `--full` killed twenty times must not leave twenty).
        if let Ok(current) = self.current() {
            let keep = current
                .as_deref()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.remove_old_generations(&keep);
        }
        // A full build keeps the model of the index it replaces (which
        // may be unreadable: it is rebuilt for a reason).
        let current = if opts.full {
            self.open(corpus_root).ok().flatten()
        } else {
            self.open(corpus_root)?
        };
        let had = current.as_ref().map(|o| &o.payload);
        let model = match &opts.model {
            ModelChoice::Keep => had
                .filter(|p| !p.model.is_empty())
                .map(|p| PathBuf::from(&p.model)),
            ModelChoice::Use(dir) => Some(std::path::absolute(dir).map_err(Error::io(dir))?),
            ModelChoice::Drop => None,
        };
        let model = model.map(|dir| Model::open(&dir)).transpose()?;
        // Codes of two models cannot be compared: a change of model (or
        // of its files) rebuilds every paragraph's.
        let same_model = had.is_some_and(|p| match &model {
            Some(m) => p.model == m.dir().display().to_string() && p.model_print == m.print(),
            None => p.model.is_empty(),
        });
        let mut report = match current {
            Some(opened) if !opts.full && same_model => {
                crate::guard::check_writable(&opened.dir)?;
                self.incremental(&opened, &walk, corpus_root, model.as_ref(), progress)?
            }
            // The generation replaced, opened once: what it knew of IDs is
            // carried over.
            replaced => {
                crate::guard::check_writable(&self.root)?;
                self.full_build(&walk, corpus_root, model.as_ref(), replaced, progress)?
            }
        };
        // Folders left out are found again by every walk: said by every
        // update, as a file's problems are when it is read.
        report.links = links;
        report.skipped_folders = found.skipped.len();
        report.skipped.extend(found.skipped);
        report.sort_problems();
        report.seconds = started.elapsed().as_secs_f64();
        report.index = self.root.display().to_string();
        Ok(report)
    }

    /// Rebuilds from scratch (same as `update` with `full`).
    pub fn build(&self, corpus_root: &Path) -> Result<Report> {
        self.update(
            corpus_root,
            UpdateOptions {
                full: true,
                ..UpdateOptions::default()
            },
        )
    }

    /// Takes the writer lock, failing at once if another process holds it
    /// to write; a merge of small segments (quick, and run in the
    /// background: see [`IndexDir::merge`]) is waited for.
    pub fn lock(&self) -> Result<WriteLock> {
        let started = Instant::now();
        // A merge may end between finding the lock held and asking whether
        // a merge holds it: the lock is tried once more before a writer is
        // said to hold it.
        let mut tried_again = false;
        loop {
            match self.try_lock_file(LOCK) {
                Err(Error::Busy { .. }) if started.elapsed() < MERGE_WAIT => {
                    if self.merging() {
                        tried_again = false;
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    } else if std::mem::replace(&mut tried_again, true) {
                        return Err(Error::Busy {
                            path: self.root.clone(),
                        });
                    }
                }
                other => return other,
            }
        }
    }

    /// Whether a merge is running (or about to, or just ended).
    fn merging(&self) -> bool {
        matches!(self.try_lock_file(MERGE_LOCK), Err(Error::Busy { .. }))
    }

    /// Whether the current generation has more segments than a search
    /// should open ([`MAX_SEGMENTS`]): updates add one each, and only a
    /// merge takes them away.
    pub fn needs_merge(&self) -> bool {
        let Ok(Some(dir)) = self.current() else {
            return false;
        };
        let Ok(dir) = tantivy::directory::MmapDirectory::open(&dir) else {
            return false;
        };
        tantivy::Index::open(dir)
            .and_then(|index| index.searchable_segment_metas())
            .is_ok_and(|metas| metas.len() > MAX_SEGMENTS)
    }

    /// Merges the small segments of the current generation into one (a
    /// full build's segments, each a large share of the index, are left
    /// alone), if it has more than [`MAX_SEGMENTS`]. Nothing waits for it:
    /// it runs after a command has answered, in a process of its own, or
    /// in a watcher between changes. `Ok(false)` when there was nothing to
    /// merge or another writer holds the index.
    pub fn merge(&self, corpus: &Path) -> Result<bool> {
        // Taken first and let go last (locals drop in reverse order).
        let _merging = match self.try_lock_file(MERGE_LOCK) {
            Ok(lock) => lock,
            Err(Error::Busy { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let _lock = match self.try_lock_file(LOCK) {
            Ok(lock) => lock,
            Err(Error::Busy { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let Some(opened) = self.open(corpus)? else {
            return Ok(false);
        };
        let metas = opened
            .index
            .searchable_segment_metas()
            .map_err(Error::index(&opened.dir))?;
        if metas.len() <= MAX_SEGMENTS {
            return Ok(false);
        }
        let largest = metas.iter().map(|m| m.num_docs()).max().unwrap_or(0);
        // Small: under a tenth of the largest, or mostly deleted.
        let small: Vec<tantivy::index::SegmentId> = metas
            .iter()
            .filter(|m| m.num_docs() * 10 < largest || m.num_deleted_docs() > m.num_docs())
            .map(|m| m.id())
            .collect();
        let ids = if small.len() >= 2 {
            small
        } else {
            metas.iter().map(|m| m.id()).collect()
        };
        // The segments' metas are tracked while held: held, their files
        // would count as in use and outlive the merge.
        drop(metas);
        // Only the index is kept: a reader, too, would keep the merged
        // segments' files alive.
        let (index, gen) = (opened.index.clone(), opened.dir.clone());
        drop(opened);
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .map_err(Error::index(&gen))?;
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        writer.merge(&ids).wait().map_err(Error::index(&gen))?;
        // The merged segments' files are deleted now, not at the next
        // commit: until then the index would take their room twice.
        // A search still reading them keeps its open maps.
        writer
            .garbage_collect_files()
            .wait()
            .map_err(Error::index(&gen))?;
        writer.wait_merging_threads().map_err(Error::index(&gen))?;
        Ok(true)
    }

    /// Takes an exclusive OS lock on a file of the index folder, at once
    /// or not at all.
    pub(super) fn try_lock_file(&self, name: &str) -> Result<WriteLock> {
        fs::create_dir_all(&self.root).map_err(Error::io(&self.root))?;
        let path = self.root.join(name);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(WriteLock { file }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Busy {
                path: self.root.clone(),
            }),
            Err(fs::TryLockError::Error(e)) => Err(Error::io(path)(e)),
        }
    }

    /// Removes every generation but `keep`. Failures are ignored: a search
    /// may still have old files open, and the next build tries again.
    fn remove_old_generations(&self, keep: &str) {
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("gen-") && name != keep {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// The canonical path of a corpus: what the index records as the corpus
/// it was built from, so that `../x`, `/abs/x` and a symlink to it are one
/// corpus (the path as typed when it cannot be resolved).
pub(super) fn canonical_corpus(corpus: &Path) -> String {
    std::fs::canonicalize(corpus)
        .unwrap_or_else(|_| corpus.to_path_buf())
        .display()
        .to_string()
}
