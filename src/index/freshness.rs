//! Whether the index describes the corpus as it is now, and the policy
//! that no command answers from a stale index without saying so:
//! [`ensure_fresh`] builds a missing index, asks a running watcher to
//! catch up ([`super::sync`]) or compares the stamps of every file with a
//! `stat` of it (git's racy-git rules: size, mtime, ctime and inode), and
//! updates what changed. It reports each step as an [`Event`]; the binary
//! only prints them.

use std::collections::HashMap;
use std::path::Path;

use super::state::{Stamp, Stamps};
use super::sync::{Sync, SYNC_TIMEOUT};
use super::{IndexDir, Opened, Report, UpdateOptions};
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
        dir.open()?.ok_or_else(|| Error::NoIndex {
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
    let Some(opened) = dir.open()? else {
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
        let check = scope.spawn(|| staleness.stale_files(corpus));
        let done = work(&opened);
        (check.join().expect("staleness check panicked"), done)
    });
    let stale = match stale {
        Ok(stale) => stale,
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
    match dir.update_with_progress(corpus, UpdateOptions::default(), progress) {
        Ok(report) => tell(Event::Updated { what, report }),
        Err(Error::Busy { .. }) => tell(Event::Stale {
            what,
            why: NotUpdated::Busy,
        }),
        Err(e @ (Error::Io { .. } | Error::Index { .. })) => tell(Event::Stale {
            what,
            why: NotUpdated::Failed(e),
        }),
        Err(e) => return Err(e.into()),
    }
    let opened = reopen()?;
    let done = work(&opened)?;
    Ok((opened, done))
}

/// The stamps of an opened index, to compare the corpus with.
#[derive(Clone, Copy)]
pub struct Staleness<'a> {
    pub(super) stamps: &'a Stamps,
    pub(super) opstamp: u64,
}

impl Staleness<'_> {
    /// See [`super::Opened::stale_files`].
    pub fn stale_files(&self, corpus_root: &Path) -> Result<Vec<String>> {
        Ok(self.stale_among(&corpus::discover(corpus_root)?))
    }

    pub(super) fn stale_among(&self, files: &[SourceFile]) -> Vec<String> {
        if self.stamps.opstamp != self.opstamp {
            // The stamps describe an older commit: trust none of them.
            return files.iter().map(|f| f.display.clone()).collect();
        }
        let stamps = &self.stamps.files;
        let mut out = Vec::new();
        if files.is_sorted_by(|a, b| a.display < b.display)
            && stamps.is_sorted_by(|a, b| a.file < b.file)
        {
            // Both lists come sorted by path: one merge, no hashing.
            use std::cmp::Ordering;
            let (mut i, mut j) = (0, 0);
            loop {
                let order = match (files.get(i), stamps.get(j)) {
                    (None, None) => break,
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(f), Some(s)) => f.display.cmp(&s.file),
                };
                match order {
                    Ordering::Less => {
                        out.push(files[i].display.clone());
                        i += 1;
                    }
                    Ordering::Greater => {
                        out.push(stamps[j].file.clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        let (f, s) = (&files[i], &stamps[j]);
                        if !unchanged(s, f) {
                            out.push(f.display.clone());
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
            return out;
        }
        let mut known: HashMap<&str, &Stamp> =
            stamps.iter().map(|s| (s.file.as_str(), s)).collect();
        for f in files {
            match known.remove(f.display.as_str()) {
                Some(old) if unchanged(old, f) => {}
                _ => out.push(f.display.clone()),
            }
        }
        out.extend(known.into_keys().map(str::to_string));
        out.sort();
        out
    }
}

/// Size, mtime, ctime and inode of a file, as found by the corpus walk.
pub(super) fn stamp(file: &SourceFile) -> Stamp {
    Stamp {
        file: file.display.clone(),
        size: file.size,
        mtime_ns: file.mtime_ns,
        ctime_ns: file.ctime_ns,
        inode: file.inode,
    }
}

/// Whether a file is as its stamp says: same size, mtime, ctime and inode.
/// Size and mtime alone miss two files of equal size and mtime swapped by
/// `mv` (as after unpacking an archive): the rename changes both files'
/// ctime and each name's inode. Stamps an update could not prove are
/// smudged by [`settle`] and never match.
pub(super) fn unchanged(s: &Stamp, f: &SourceFile) -> bool {
    s.size == f.size && s.mtime_ns == f.mtime_ns && s.ctime_ns == f.ctime_ns && s.inode == f.inode
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
/// indexed (`hashes`, aligned with `stamps`): the same, and any later
/// write must show new times; different, and the stamp is smudged so that
/// the next check reads the file.
pub(super) fn settle(
    stamps: &mut [Stamp],
    files: &[SourceFile],
    hashes: &[&str],
    scanned_ns: u128,
) {
    let changed_at = |s: &Stamp| s.mtime_ns.max(s.ctime_ns);
    let racy: Vec<usize> = (0..stamps.len())
        .filter(|&i| !hashes[i].is_empty() && changed_at(&stamps[i]) + RACY_NS > scanned_ns)
        .collect();
    let Some(latest) = racy.iter().map(|&i| changed_at(&stamps[i])).max() else {
        return;
    };
    let wait = (latest + RACY_NS).saturating_sub(now_ns());
    std::thread::sleep(std::time::Duration::from_nanos(
        wait.min(u64::MAX as u128) as u64
    ));
    for i in racy {
        let same = crate::guard::read_article(&files[i])
            .is_ok_and(|bytes| super::state::content_hash(&bytes) == hashes[i]);
        if !same {
            stamps[i].size = u64::MAX;
        }
    }
}

/// Now, in nanoseconds since the epoch.
pub(super) fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(name: &str, size: u64) -> SourceFile {
        SourceFile {
            path: PathBuf::from(name),
            display: name.to_string(),
            size,
            mtime_ns: 7,
            ctime_ns: 8,
            inode: 9,
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
        // Written just before the walk: read again after the tick.
        let mut proved = vec![stamp(&found[0])];
        settle(&mut proved, &found, &[&hash], walked);
        assert!(
            unchanged(&proved[0], &found[0]),
            "the same content proves it"
        );
        let mut smudged = vec![stamp(&found[0])];
        settle(&mut smudged, &found, &["another"], walked);
        assert!(
            !unchanged(&smudged[0], &found[0]),
            "other content smudges it"
        );
        // Changed long before the walk: not racy, not read again.
        let mut old = vec![stamp(&found[0])];
        settle(&mut old, &found, &["another"], walked + 1_000_000_000);
        assert!(unchanged(&old[0], &found[0]));
    }

    #[test]
    fn stale_files_by_merge_and_by_hash_agree() {
        let stamps = Stamps {
            opstamp: 3,
            files: ["a", "b", "d", "e"]
                .iter()
                .map(|n| Stamp {
                    file: n.to_string(),
                    size: 1,
                    mtime_ns: 7,
                    ctime_ns: 8,
                    inode: 9,
                })
                .collect(),
            ..Stamps::default()
        };
        let check = Staleness {
            stamps: &stamps,
            opstamp: 3,
        };
        // b changed, c is new, d and e are gone, f is new.
        let files = vec![file("a", 1), file("b", 2), file("c", 1), file("f", 1)];
        let expected = vec!["b", "c", "d", "e", "f"];
        assert_eq!(check.stale_among(&files), expected);
        // Unsorted input takes the other path and gives the same answer.
        let mut shuffled = files;
        shuffled.reverse();
        assert_eq!(check.stale_among(&shuffled), expected);
        // Stamps of another commit are not trusted.
        let older = Staleness {
            stamps: &stamps,
            opstamp: 4,
        };
        assert_eq!(older.stale_among(&[file("a", 1)]), vec!["a"]);
    }
}
