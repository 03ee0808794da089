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
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

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

/// What a watcher has seen since its last update: whether the corpus may
/// have changed, and the cookies of searches waiting for it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pending {
    /// The corpus may have changed since the last update applied.
    pub changed: bool,
    /// The corpus root was replaced: watch it again before updating.
    pub rewatch: bool,
    /// Cookies of searches waiting for an answer, each once.
    pub cookies: Vec<PathBuf>,
}

impl Pending {
    /// Adds what one event means.
    pub fn take(&mut self, seen: Seen) {
        self.changed |= seen.changed;
        self.rewatch |= seen.rewatch;
        for cookie in seen.cookies {
            if !self.cookies.contains(&cookie) {
                self.cookies.push(cookie);
            }
        }
    }
}

/// How long a watcher waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// The quiet that ends a burst of events (`--debounce-ms`): an
    /// editor's save is several events.
    pub quiet: Duration,
    /// The longest a burst is waited for after its first event, however
    /// busy the corpus: a file appended to every 100 ms must not starve
    /// the index.
    pub longest: Duration,
    /// How soon changes seen but not applied (the update was refused, say
    /// another writer held the lock) are tried again, events or not.
    pub retry: Duration,
}

impl Timing {
    /// The timing of `passage watch --debounce-ms`.
    pub fn new(quiet: Duration) -> Timing {
        Timing {
            quiet,
            longest: quiet + Duration::from_secs(1),
            retry: Duration::from_secs(1),
        }
    }
}

/// Waits for the next burst of events and adds what they mean to
/// `pending`. It waits for a first event (or, while changes are pending,
/// at most `retry`), then takes events until `quiet` passes without one,
/// `longest` passes since the first, or a search's cookie arrives: the
/// edits before a cookie are applied at once, and events after it stay in
/// the queue for the next burst. Returns `false` when the events have
/// ended (the watch is gone).
pub fn next_burst<E>(
    events: &Receiver<E>,
    pending: &mut Pending,
    timing: Timing,
    mut classify: impl FnMut(E) -> Seen,
) -> bool {
    let first = if pending.changed {
        match events.recv_timeout(timing.retry) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    } else {
        match events.recv() {
            Ok(event) => Some(event),
            Err(_) => return false,
        }
    };
    if let Some(first) = first {
        pending.take(classify(first));
    }
    let started = Instant::now();
    while pending.cookies.is_empty() {
        let Some(left) = timing.longest.checked_sub(started.elapsed()) else {
            break;
        };
        match events.recv_timeout(timing.quiet.min(left)) {
            Ok(event) => pending.take(classify(event)),
            Err(_) => break,
        }
    }
    true
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn changed() -> Seen {
        Seen {
            changed: true,
            ..Seen::default()
        }
    }

    fn cookie(name: &str) -> Seen {
        Seen {
            cookies: vec![PathBuf::from(name)],
            ..Seen::default()
        }
    }

    fn timing(quiet_ms: u64, longest_ms: u64, retry_ms: u64) -> Timing {
        Timing {
            quiet: Duration::from_millis(quiet_ms),
            longest: Duration::from_millis(longest_ms),
            retry: Duration::from_millis(retry_ms),
        }
    }

    #[test]
    fn a_burst_of_events_is_one_update_and_each_cookie_is_kept_once() {
        let (tx, rx) = mpsc::channel();
        for s in [changed(), cookie("a"), changed()] {
            tx.send(s).unwrap();
        }
        let mut pending = Pending::default();
        // Events queued before the wait: all in one burst; the cookie ends
        // it, and the event after the cookie waits for the next.
        assert!(next_burst(
            &rx,
            &mut pending,
            timing(60_000, 60_000, 60_000),
            |s| s
        ));
        assert!(pending.changed);
        assert_eq!(pending.cookies, vec![PathBuf::from("a")]);
        assert_eq!(rx.try_recv(), Ok(changed()));
        pending.take(cookie("a"));
        assert_eq!(pending.cookies.len(), 1);
    }

    #[test]
    fn quiet_ends_a_burst() {
        let (tx, rx) = mpsc::channel();
        tx.send(changed()).unwrap();
        tx.send(Seen::default()).unwrap();
        let mut pending = Pending::default();
        // Nothing after the two events: the burst ends after the quiet,
        // long before `longest` (a minute), with the sender still there.
        assert!(next_burst(
            &rx,
            &mut pending,
            timing(50, 60_000, 60_000),
            |s| s
        ));
        assert!(pending.changed && pending.cookies.is_empty());
        drop(tx);
    }

    #[test]
    fn a_corpus_that_never_goes_quiet_is_updated_all_the_same() {
        let (tx, rx) = mpsc::channel();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let busy = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if tx.send(changed()).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
        };
        let mut pending = Pending::default();
        // An event every 5 ms never leaves a quiet of a minute: the burst
        // ends at `longest` (it returned at all, or this test would hang).
        assert!(next_burst(
            &rx,
            &mut pending,
            timing(60_000, 200, 60_000),
            |s| s
        ));
        assert!(pending.changed);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        busy.join().unwrap();
    }

    #[test]
    fn pending_changes_are_retried_without_an_event_and_the_end_of_events_ends_it() {
        let (tx, rx) = mpsc::channel::<Seen>();
        let mut pending = Pending {
            changed: true,
            ..Pending::default()
        };
        // No event comes: the wait ends after `retry`, changes still pending.
        assert!(next_burst(&rx, &mut pending, timing(10, 10, 20), |s| s));
        assert!(pending.changed);
        drop(tx);
        assert!(!next_burst(&rx, &mut pending, timing(10, 10, 20), |s| s));
        let mut idle = Pending::default();
        assert!(!next_burst(&rx, &mut idle, timing(10, 10, 20), |s| s));
    }
}
