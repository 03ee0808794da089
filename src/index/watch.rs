//! What a running `passage watch` watches, and which events mean the
//! corpus may have changed.
//!
//! inotify watches inodes, not paths, so a recursive watch of the corpus
//! folder alone misses three kinds of change that a search's own walk sees:
//! the corpus folder itself replaced (`mv corpus.new corpus`, or removed
//! and made again), a corpus of one file replaced by rename (`sed -i`
//! writes a new file over it), and the target of a symbolic link that lies
//! outside the corpus. So the watcher also watches the folder holding the
//! corpus (to see the corpus's own name come and go) and the folders
//! holding the targets of links that lead out (as each update's walk finds
//! the links); and before it answers a
//! search it checks that the corpus root is still the inode it watches.
//! When one of these changes it watches again and updates: the update's
//! walk sees every file, including those written before the new watch.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::sync::is_cookie;
use crate::error::{Error, Result};

/// The watches of one corpus and one index folder.
pub struct CorpusWatch {
    watcher: RecommendedWatcher,
    /// The corpus, canonical (a folder, or one file).
    root: PathBuf,
    /// The root's inode as watched: another one means it was replaced.
    root_id: Option<(u64, u64)>,
    /// The index folder, canonical: its own writes are not corpus changes
    /// when it lives inside the corpus.
    index: Option<PathBuf>,
    /// The folder holding the corpus, when it has one.
    parent: Option<PathBuf>,
    /// Targets of links in the corpus that lie outside it.
    targets: HashSet<PathBuf>,
    /// The folders watched for those targets.
    target_dirs: HashSet<PathBuf>,
}

/// What one event asks of the watcher.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The corpus may have changed.
    pub changed: bool,
    /// The corpus root was replaced or removed: watch it again.
    pub rewatch: bool,
    /// Cookies of searches waiting for an answer.
    pub cookies: Vec<PathBuf>,
}

impl CorpusWatch {
    /// Watches `corpus` (and what inotify would miss, see the module's
    /// notes) and the cookie folder `cookies`, sending events to `handler`.
    pub fn new<F: notify::EventHandler>(
        corpus: &Path,
        index: &Path,
        cookies: &Path,
        handler: F,
    ) -> Result<CorpusWatch> {
        let root = std::fs::canonicalize(corpus).map_err(Error::io(corpus))?;
        let watcher = notify::recommended_watcher(handler).map_err(|e| cannot_watch(corpus, e))?;
        let mut watch = CorpusWatch {
            watcher,
            parent: root.parent().map(Path::to_path_buf),
            root_id: inode(&root),
            root,
            index: std::fs::canonicalize(index).ok(),
            targets: HashSet::new(),
            target_dirs: HashSet::new(),
        };
        watch
            .watcher
            .watch(&watch.root, RecursiveMode::Recursive)
            .map_err(|e| cannot_watch(corpus, e))?;
        if let Some(parent) = &watch.parent {
            // Not fatal: the inode check before each answer still tells.
            let _ = watch.watcher.watch(parent, RecursiveMode::NonRecursive);
        }
        let cookies = std::fs::canonicalize(cookies).map_err(Error::io(cookies))?;
        watch
            .watcher
            .watch(&cookies, RecursiveMode::NonRecursive)
            .map_err(|e| cannot_watch(&cookies, e))?;
        Ok(watch)
    }

    /// What an event means.
    pub fn classify(&self, event: notify::Result<notify::Event>) -> Seen {
        let mut seen = Seen::default();
        let Ok(event) = event else {
            // Lost events (a queue overflow): anything may have changed.
            seen.changed = true;
            return seen;
        };
        if event.kind.is_access() {
            return seen;
        }
        if event.need_rescan() {
            seen.changed = true;
        }
        for p in &event.paths {
            if is_cookie(p) {
                // Its removal (our answer) is an event too: only a cookie
                // still there waits for an answer.
                if !event.kind.is_remove() && p.exists() {
                    seen.cookies.push(p.clone());
                }
            } else if self.index.as_deref().is_some_and(|ix| p.starts_with(ix)) {
                // The index writing itself, should it live inside the corpus.
            } else if *p == self.root {
                seen.changed = true;
                seen.rewatch = true;
            } else if p.starts_with(&self.root) || self.targets.contains(p) {
                seen.changed = true;
            }
            // Anything else is a neighbour of the corpus or of a link's
            // target: not the corpus.
        }
        seen
    }

    /// Whether the corpus root is no longer the inode being watched (a
    /// change the parent's watch should have reported; checked before each
    /// answer all the same, it costs one `stat`).
    pub fn root_replaced(&self) -> bool {
        inode(&self.root) != self.root_id
    }

    /// Watches the corpus root again, after it was replaced.
    pub fn rewatch(&mut self) {
        let _ = self.watcher.unwatch(&self.root);
        self.root_id = inode(&self.root);
        if self.root_id.is_some() {
            // A corpus that is gone cannot be watched; the update says why,
            // and the parent's watch reports its return.
            let _ = self.watcher.watch(&self.root, RecursiveMode::Recursive);
        }
    }

    /// Watches the folders of the targets of `links` (the corpus's links,
    /// as an update's walk found them) that lead out of the corpus.
    /// Returns whether a target is watched that was not before: it may have
    /// changed before its watch.
    pub fn follow(&mut self, links: &[PathBuf]) -> bool {
        let targets: HashSet<PathBuf> = links
            .iter()
            .filter_map(|l| std::fs::canonicalize(l).ok())
            .filter(|t| !t.starts_with(&self.root))
            .collect();
        let dirs: HashSet<PathBuf> = targets
            .iter()
            .filter_map(|t| t.parent().map(Path::to_path_buf))
            .collect();
        for gone in self.target_dirs.difference(&dirs) {
            if Some(gone) != self.parent.as_ref() {
                let _ = self.watcher.unwatch(gone);
            }
        }
        for new in dirs.difference(&self.target_dirs) {
            if Some(new) != self.parent.as_ref() {
                let _ = self.watcher.watch(new, RecursiveMode::NonRecursive);
            }
        }
        let new = !targets.is_subset(&self.targets);
        self.targets = targets;
        self.target_dirs = dirs;
        new
    }
}

fn cannot_watch(path: &Path, e: notify::Error) -> Error {
    Error::Corpus {
        path: path.to_path_buf(),
        message: format!("cannot watch: {e}"),
    }
}

#[cfg(unix)]
fn inode(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(p: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(p).ok().map(|_| (0, 0))
}
