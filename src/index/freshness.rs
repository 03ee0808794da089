//! Whether the index describes the corpus as it is now, and the policy
//! that no command answers from a stale index without saying so:
//! [`ensure_fresh`] builds a missing index, asks a running watcher to
//! catch up ([`super::sync`]) or compares the stamps of every file with a
//! `stat` of it (git's racy-git rules: size, mtime, ctime and inode), and
//! updates what changed. It reports each step as an [`Event`]; the binary
//! only prints them.

use std::path::Path;

use super::state::{now_ns, Stamp};
use super::sync::{Sync, SYNC_TIMEOUT};
use super::{IndexDir, Opened, Report, Scan, UpdateOptions};
use crate::corpus;
use crate::error::{Error, Result};
use crate::model::SourceFile;
use crate::progress::Progress;

/// How a command wants the index brought up to date.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Update the index when the corpus changed (`false`: `--no-update`,
    /// which answers from the index as it is and says so).
    pub update: bool,
    /// How long to wait for a running watcher's answer.
    pub sync_timeout: std::time::Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            update: true,
            sync_timeout: SYNC_TIMEOUT,
        }
    }
}

/// What [`ensure_fresh`] found and did, in order, for the caller to tell.
#[derive(Debug)]
pub enum Event {
    /// There is no index: building it (before the build starts).
    Building,
    /// The index was built (or, when another process was building it,
    /// waited for).
    Built(Report),
    /// A watcher holds the index but was not trusted, and why: the corpus
    /// is checked instead.
    WatcherDistrusted(String),
    /// The watcher could not apply the changes, and why: the corpus is
    /// checked instead.
    WatcherFailed(String),
    /// The corpus could not be listed: the index is searched as it was
    /// built.
    CorpusUnreadable(Error),
    /// Files changed (`what`: one file or `N files`) and the index was
    /// updated.
    Updated {
        /// What changed.
        what: String,
        /// The update.
        report: Report,
    },
    /// Files changed and the index was not updated: its last commit is
    /// searched.
    Stale {
        /// What changed.
        what: String,
        /// Why it was not updated.
        why: NotUpdated,
    },
}

/// Why a changed corpus was not applied before a search.
#[derive(Debug)]
pub enum NotUpdated {
    /// The command was told not to (`--no-update`).
    Declined,
    /// Another process is updating the index.
    Busy,
    /// The update failed (a read-only index folder, a full disk); the last
    /// commit is whole.
    Failed(Error),
}

/// Runs `work` on the index of `corpus` brought up to date. `tell` hears
/// every [`Event`]; `progress` follows a build or update.
///
/// The staleness check (a `stat` of every corpus file, the dearest part of
/// a search on a large corpus) runs on another thread while `work` runs;
/// in the rare case that it finds a change, the index is updated and
/// `work` runs again. A watcher that answers the sync handshake spares the
/// check altogether.
pub fn ensure_fresh<T, E: From<Error>>(
    dir: &IndexDir,
    corpus: &Path,
    policy: Policy,
    tell: &dyn Fn(Event),
    progress: &dyn Fn(Progress),
    work: impl Fn(&Opened) -> std::result::Result<T, E>,
) -> std::result::Result<(Opened, T), E> {
    let reopen = || -> Result<Opened> {
        dir.open(corpus)?.ok_or_else(|| Error::NoIndex {
            path: dir.root().to_path_buf(),
        })
    };
    // The watcher first, the index after its answer: its last commit then
    // holds every change made before this command started.
    let synced = match dir.sync_with_watcher(corpus, policy.sync_timeout) {
        Sync::Synced => true,
        Sync::Unwatched => false,
        Sync::Distrusted(why) => {
            tell(Event::WatcherDistrusted(why));
            false
        }
        Sync::Failed(why) => {
            tell(Event::WatcherFailed(why));
            false
        }
    };
    let Some(opened) = dir.open(corpus)? else {
        tell(Event::Building);
        match dir.update_with_progress(corpus, UpdateOptions::default(), progress) {
            Ok(report) => tell(Event::Built(report)),
            // Someone else is building it: wait for them.
            Err(Error::Busy { .. }) => dir.wait_for_writer()?,
            Err(e) => return Err(e.into()),
        }
        let opened = reopen()?;
        let done = work(&opened)?;
        return Ok((opened, done));
    };
    if synced {
        let done = work(&opened)?;
        return Ok((opened, done));
    }
    let staleness = opened.staleness();
    let (stale, done) = std::thread::scope(|scope| {
        let check = scope.spawn(|| staleness.stale_scan(corpus));
        let done = work(&opened);
        (check.join().expect("staleness check panicked"), done)
    });
    let (stale, scan) = match stale {
        Ok(found) => found,
        Err(e @ Error::Corpus { .. }) => {
            tell(Event::CorpusUnreadable(e));
            return Ok((opened, done?));
        }
        Err(e) => return Err(e.into()),
    };
    if stale.is_empty() {
        return Ok((opened, done?));
    }
    let what = match stale.as_slice() {
        [one] => one.clone(),
        many => format!("{} files", many.len()),
    };
    if !policy.update {
        tell(Event::Stale {
            what,
            why: NotUpdated::Declined,
        });
        return Ok((opened, done?));
    }
    drop(opened);
    // The check's walk is the update's: it began after this command did,
    // so it holds every edit made before.
    match dir.update_scanned(corpus, scan, UpdateOptions::default(), progress) {
        Ok(report) => tell(Event::Updated { what, report }),
        Err(Error::Busy { .. }) => tell(Event::Stale {
            what,
            why: NotUpdated::Busy,
        }),
        // The index's model unreadable: its paragraphs cannot be given
        // their meaning, so the index is searched as it was.
        Err(e @ (Error::Io { .. } | Error::Index { .. } | Error::Model { .. })) => {
            tell(Event::Stale {
                what,
                why: NotUpdated::Failed(e),
            })
        }
        Err(e) => return Err(e.into()),
    }
    let opened = reopen()?;
    let done = work(&opened)?;
    Ok((opened, done))
}

/// What the staleness check compares the corpus with: the stamps of the
/// files an opened index holds.
#[derive(Clone, Copy)]
pub struct Staleness<'a> {
    pub(super) opened: &'a Opened,
}

impl Staleness<'_> {
    /// See [`super::Opened::stale_files`].
    pub fn stale_files(&self, corpus_root: &Path) -> Result<Vec<String>> {
        self.stale_scan(corpus_root).map(|(stale, _)| stale)
    }

    /// [`Staleness::stale_files`], with the walk it made: an update that
    /// follows needs not walk the corpus again.
    pub fn stale_scan(&self, corpus_root: &Path) -> Result<(Vec<String>, Scan)> {
        let scanned_ns = now_ns();
        let found = corpus::walk(corpus_root)?;
        let files = &found.files;
        let o = self.opened;
        let indexed =
            super::catalog::files(&o.searcher, &o.fields).map_err(Error::index(&o.dir))?;
        let stamps: Vec<(&str, Stamp)> = indexed
            .iter()
            .map(|f| (f.entry.rel.as_str(), f.entry.stamp))
            .collect();
        let stale = stale_among(files, &stamps)
            .into_iter()
            .map(|rel| display_of(files, rel, &o.corpus))
            .collect();
        Ok((stale, Scan { scanned_ns, found }))
    }
}

/// How a changed file is named: as the walk found it, or (when it is
/// gone) as the corpus root and its path inside it.
fn display_of(files: &[SourceFile], rel: String, corpus: &super::opened::CorpusRoot) -> String {
    match files.binary_search_by(|f| f.rel.as_str().cmp(&rel)) {
        Ok(i) => files[i].display.clone(),
        Err(_) => corpus.display(&rel),
    }
}

/// The paths (inside the corpus) of the files that differ from their
/// stamps, are new, or are gone. Both lists come sorted by path: one merge.
pub(super) fn stale_among(files: &[SourceFile], stamps: &[(&str, Stamp)]) -> Vec<String> {
    use std::cmp::Ordering;
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    loop {
        let order = match (files.get(i), stamps.get(j)) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(f), Some((rel, _))) => f.rel.as_str().cmp(rel),
        };
        match order {
            Ordering::Less => {
                out.push(files[i].rel.clone());
                i += 1;
            }
            Ordering::Greater => {
                out.push(stamps[j].0.to_string());
                j += 1;
            }
            Ordering::Equal => {
                if !stamps[j].1.matches(&files[i]) {
                    out.push(files[i].rel.clone());
                }
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// How close to the walk a change makes a stamp racy: the coarsest clock
/// tick of the file systems passage is used on (Linux's 100 Hz, with room).
const RACY_NS: u128 = 20_000_000;

/// Proves or smudges the stamps of files changed just before the walk
/// (git's "racily clean" entries). File times advance by clock ticks (4 ms
/// here, 10 ms on some kernels): a file written again in the tick its
/// stamp shows, after it was read, keeps size and times, and its stamp
/// would hide the change for ever. For each such stamp this waits for the
/// tick to pass, reads the file again and compares it with what was
/// indexed (`hash`, 0 when it could not be read): the same, and any later
/// write must show new times; different, and the stamp is smudged so that
/// the next check reads the file.
pub(super) fn settle(racy: &mut [(&SourceFile, &mut Stamp, u64)], scanned_ns: u128) {
    let changed_at = |s: &Stamp| u128::from(s.mtime_ns.max(s.ctime_ns));
    let racy: Vec<&mut (&SourceFile, &mut Stamp, u64)> = racy
        .iter_mut()
        .filter(|(_, s, hash)| *hash != 0 && changed_at(s) + RACY_NS > scanned_ns)
        .collect();
    let Some(latest) = racy.iter().map(|(_, s, _)| changed_at(s)).max() else {
        return;
    };
    let wait = (latest + RACY_NS).saturating_sub(now_ns());
    std::thread::sleep(std::time::Duration::from_nanos(
        wait.min(u64::MAX as u128) as u64
    ));
    for (file, stamp, hash) in racy {
        let same = crate::guard::read_article(file)
            .is_ok_and(|bytes| super::state::content_hash(&bytes) == *hash);
        if !same {
            **stamp = stamp.smudged();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(name: &str, size: u64) -> SourceFile {
        SourceFile {
            path: PathBuf::from(name),
            display: name.to_string(),
            rel: name.to_string(),
            size,
            mtime_ns: 7,
            ctime_ns: 8,
            inode: 9,
            linked: false,
        }
    }

    #[test]
    fn racy_stamps_are_proved_or_smudged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "= A =\n\nText.\n").unwrap();
        let found = corpus::discover(dir.path()).unwrap();
        let hash = super::super::state::content_hash(&std::fs::read(&path).unwrap());
        let walked = now_ns();
        let settled = |hash: u64, walked: u128| {
            let mut stamp = Stamp::of(&found[0]);
            settle(&mut [(&found[0], &mut stamp, hash)], walked);
            stamp
        };
        // Written just before the walk: read again after the tick.
        assert!(
            settled(hash, walked).matches(&found[0]),
            "the same content proves it"
        );
        assert!(
            !settled(hash + 1, walked).matches(&found[0]),
            "other content smudges it"
        );
        // Changed long before the walk: not racy, not read again.
        assert!(settled(hash + 1, walked + 1_000_000_000).matches(&found[0]));
    }

    #[test]
    fn stale_files_are_found_by_one_merge() {
        let stamp = Stamp {
            size: 1,
            mtime_ns: 7,
            ctime_ns: 8,
            inode: 9,
        };
        let stamps: Vec<(&str, Stamp)> = ["a", "b", "d", "e"].iter().map(|n| (*n, stamp)).collect();
        // b changed, c is new, d and e are gone, f is new.
        let files = vec![file("a", 1), file("b", 2), file("c", 1), file("f", 1)];
        assert_eq!(stale_among(&files, &stamps), vec!["b", "c", "d", "e", "f"]);
    }
}
