//! The handshake that makes a running `passage watch` a speed-up only,
//! never a source of stale answers (Watchman's cookie files).
//!
//! A watcher holds an OS lock on `.watch` in the index folder and writes
//! there what it watches (its process, corpus and index format). A search
//! that finds the lock held does not trust it blindly: it drops a cookie
//! file into `.sync/` in the index folder, which the watcher watches with
//! the corpus, and waits for the watcher to remove it. The file system
//! reports one watcher's events in order (one inotify queue), so by the
//! time the watcher sees the cookie it has seen every edit made before the
//! search started; it applies them (skipping what is left of its debounce) and
//! only then removes the cookie. A watcher that is stopped, hung, starved,
//! watching another corpus or built by another version never answers, or
//! says so in its claim, and the search checks the corpus itself.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{IndexDir, WriteLock, FORMAT};
use crate::error::{Error, Result};

/// The lock file a watcher holds, and its claim inside.
const WATCH_LOCK: &str = ".watch";

/// The folder of the index folder where searches drop cookies (not the
/// corpus folder: nothing ever writes there).
const SYNC_DIR: &str = ".sync";

/// Cookie files start so.
pub const COOKIE_PREFIX: &str = ".passage-sync-";

/// How long a search waits for a watcher to answer before checking the
/// corpus itself. A healthy watcher with nothing to apply answers in a
/// millisecond; one applying an edit, in the time of an update.
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(2);

/// What a watcher writes into its lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The watcher's process.
    pub pid: u32,
    /// The corpus it watches, canonical.
    pub corpus: String,
    /// The index format it writes.
    pub format: u32,
}

/// What asking the watcher gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sync {
    /// No watcher runs: the corpus must be checked.
    Unwatched,
    /// The watcher has applied every change made before the request.
    Synced,
    /// A watcher holds the lock but cannot be trusted; the reason, for a
    /// `the watcher ...` sentence.
    Distrusted(String),
    /// The watcher answered that it could not apply the changes.
    Failed(String),
}

impl IndexDir {
    /// Marks this index as watched for as long as the returned lock lives
    /// (`passage watch` holds it), claiming `corpus`. Fails with
    /// [`Error::Busy`] if another watcher holds it.
    pub fn watch_lock(&self, corpus: &Path) -> Result<WriteLock> {
        // A search asks whether a watcher runs by trying this same lock for
        // an instant ([`Self::is_watched`]); a watcher starting in that
        // instant must not take the search for another watcher. One that
        // really runs holds the lock for good: a second of retries tells.
        let mut tries = 0;
        let lock = loop {
            match self.try_lock_file(WATCH_LOCK) {
                Err(Error::Busy { .. }) if tries < 20 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => break other?,
            }
        };
        let claim = Claim {
            pid: std::process::id(),
            corpus: canonical(corpus),
            format: FORMAT,
        };
        let path = self.root.join(WATCH_LOCK);
        let line = serde_json::to_string(&claim).expect("a claim serializes");
        lock.file.set_len(0).map_err(Error::io(&path))?;
        (&lock.file)
            .write_all(line.as_bytes())
            .and_then(|()| lock.file.sync_data())
            .map_err(Error::io(&path))?;
        Ok(lock)
    }

    /// Whether a `passage watch` holds this index's watch lock (an OS lock,
    /// so a killed watcher never leaves a stale claim). Holding it is not
    /// enough to be trusted: see [`IndexDir::sync_with_watcher`].
    pub fn is_watched(&self) -> bool {
        let Ok(file) = fs::File::options()
            .write(true)
            .open(self.root.join(WATCH_LOCK))
        else {
            return false;
        };
        matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock))
    }

    /// Asks the watcher, if one runs, to apply every change made to
    /// `corpus` so far, and waits up to `timeout` for its answer.
    pub fn sync_with_watcher(&self, corpus: &Path, timeout: Duration) -> Sync {
        if !self.is_watched() {
            return Sync::Unwatched;
        }
        let claim = match self.claim() {
            Some(claim) => claim,
            None => return Sync::Distrusted("claims nothing it watches".into()),
        };
        if claim.format != FORMAT {
            return Sync::Distrusted(format!(
                "(process {}) writes another index format ({})",
                claim.pid, claim.format
            ));
        }
        if claim.corpus != canonical(corpus) {
            return Sync::Distrusted(format!(
                "(process {}) watches another corpus ({})",
                claim.pid, claim.corpus
            ));
        }
        if let Some(state) = process_state(claim.pid) {
            if matches!(state, 'T' | 't' | 'Z' | 'X') {
                return Sync::Distrusted(format!("(process {}) is stopped", claim.pid));
            }
        }
        let Some(cookie) = drop_cookie(&self.root.join(SYNC_DIR)) else {
            // An index folder the search cannot write to: check the corpus
            // instead.
            return Sync::Unwatched;
        };
        let started = Instant::now();
        let mut pause = Duration::from_micros(200);
        loop {
            if let Some(answer) = answered(&cookie) {
                return answer;
            }
            if started.elapsed() >= timeout {
                let _ = fs::remove_file(&cookie);
                return Sync::Distrusted(format!(
                    "(process {}) did not answer within {:.1} s",
                    claim.pid,
                    timeout.as_secs_f64()
                ));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(5));
        }
    }

    /// Drops a cookie for the watcher this process runs itself, which then
    /// tells when it answered (so nothing polls): read the answer with
    /// [`answered`]. `None` if the folder cannot be written to.
    pub fn own_cookie(&self) -> Option<PathBuf> {
        drop_cookie(&self.root.join(SYNC_DIR))
    }

    /// The folder a watcher must watch, with the corpus, for cookies
    /// (created if need be).
    pub fn sync_dir(&self) -> Result<PathBuf> {
        let dir = self.root.join(SYNC_DIR);
        fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
        Ok(dir)
    }

    /// The watcher's claim, read while it holds the lock. It writes the
    /// claim just after taking the lock: a search in between waits a moment.
    fn claim(&self) -> Option<Claim> {
        let path = self.root.join(WATCH_LOCK);
        for attempt in 0..10 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(10));
            }
            if let Ok(text) = fs::read_to_string(&path) {
                if let Ok(claim) = serde_json::from_str(&text) {
                    return Some(claim);
                }
            }
        }
        None
    }
}

/// Whether a path is a cookie (which a watcher answers instead of
/// indexing).
pub fn is_cookie(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(COOKIE_PREFIX))
}

/// A watcher's answer to a cookie: removed once every change before it is
/// applied, or, when applying them failed, the reason written into it (one
/// line) for the search to tell.
pub fn answer(cookie: &Path, outcome: std::result::Result<(), String>) {
    match outcome {
        Ok(()) => {
            let _ = fs::remove_file(cookie);
        }
        Err(why) => {
            if cookie.exists() {
                let _ = fs::write(cookie, format!("{}\n", why.replace('\n', " ")));
            }
        }
    }
}

/// The watcher's answer to a cookie: `None` while it has not answered.
pub fn answered(cookie: &Path) -> Option<Sync> {
    match fs::read(cookie) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Sync::Synced),
        Ok(answer) if !answer.is_empty() && answer.ends_with(b"\n") => {
            let _ = fs::remove_file(cookie);
            Some(Sync::Failed(
                String::from_utf8_lossy(&answer).trim().to_string(),
            ))
        }
        _ => None,
    }
}

/// Creates a cookie in `dir`.
fn drop_cookie(dir: &Path) -> Option<PathBuf> {
    let path = dir.join(format!(
        "{COOKIE_PREFIX}{}-{}",
        std::process::id(),
        super::state::now_ns()
    ));
    fs::File::options()
        .write(true)
        .create_new(true)
        .open(&path)
        .ok()
        .map(|_| path)
}

fn canonical(p: &Path) -> String {
    fs::canonicalize(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

/// A process's state letter from `/proc` (Linux): `R`, `S`, `D`, or `T`
/// when stopped. `None` where it cannot be read (another system, another
/// PID namespace): the cookie's timeout decides then.
fn process_state(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S ...`: the name may hold spaces and parentheses.
    let after = &stat[stat.rfind(')')? + 1..];
    after.trim_start().chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_process_reads_as_stopped() {
        // Our own process runs.
        let me = process_state(std::process::id()).expect("this is Linux");
        assert!(matches!(me, 'R' | 'S' | 'D'), "{me}");
        assert_eq!(process_state(u32::MAX), None);
    }

    #[test]
    fn cookies_are_not_corpus_files() {
        assert!(is_cookie(Path::new("/c/.passage-sync-12-34")));
        assert!(!is_cookie(Path::new("/c/article.txt")));
    }
}
