//! Index files damaged behind the index's back: tantivy trusts its files,
//! and a flipped byte can make it panic or ask for petabytes, so a
//! generation is checked before it is searched. Also the directory a
//! generation is read through: one per folder and process, tolerant of an
//! index it cannot lock.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

/// Whether the segment files a commit lists are all there and untouched
/// since: each must exist and be no newer than the `meta.json` naming it
/// (tantivy writes a segment's files once, before the commit that lists
/// them). One `stat` per file; only when a file is newer (edited, or the
/// folder copied without keeping times) are all files read once to check
/// their checksums.
pub fn segment_files_intact(
    index: &tantivy::Index,
    dir: &Path,
    metas: &tantivy::IndexMeta,
) -> bool {
    let Ok(committed) = std::fs::metadata(dir.join("meta.json")).and_then(|m| m.modified()) else {
        return false;
    };
    let mut newer = false;
    for seg in &metas.segments {
        let id = seg.id().uuid_string();
        let mut names: Vec<String> = ["idx", "pos", "term", "store", "fast", "fieldnorm"]
            .iter()
            .map(|ext| format!("{id}.{ext}"))
            .collect();
        if let Some(opstamp) = seg.delete_opstamp() {
            names.push(format!("{id}.{opstamp}.del"));
        }
        for name in names {
            match std::fs::metadata(dir.join(name)).and_then(|m| m.modified()) {
                Ok(t) => newer |= t > committed,
                Err(_) => return false,
            }
        }
    }
    !newer || index.validate_checksum().is_ok_and(|bad| bad.is_empty())
}

/// A generation folder opened to search. Tantivy takes a lock file to read
/// a commit; where that file cannot be written (read-only files or mount),
/// nothing can write the index either, so reading goes on without it
/// instead of the index being unusable.
#[derive(Clone, Debug)]
pub struct ReadOnlyTolerant(MmapDirectory);

impl ReadOnlyTolerant {
    /// Opens `dir`, or shares it where this process has it open already.
    /// Tantivy maps each file once per directory: a server opens its index
    /// again after every commit, and with a directory each time, the
    /// segments that stayed were mapped (and counted in its memory) once
    /// per commit still being read, the whole index twice over under load.
    pub fn open(dir: &Path) -> Option<ReadOnlyTolerant> {
        /// The folders kept open: a generation's, and those a full build
        /// replaced while searches still read them.
        const KEPT: usize = 4;
        static OPEN: Mutex<Vec<(PathBuf, MmapDirectory)>> = Mutex::new(Vec::new());
        let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, shared)) = open.iter().find(|(p, _)| p == dir) {
            return Some(ReadOnlyTolerant(shared.clone()));
        }
        let opened = MmapDirectory::open(dir).ok()?;
        open.retain(|(p, _)| p.is_dir());
        if open.len() >= KEPT {
            open.remove(0);
        }
        open.push((dir.to_path_buf(), opened.clone()));
        Some(ReadOnlyTolerant(opened))
    }
}

impl Directory for ReadOnlyTolerant {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }
    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(callback)
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{IndexDir, UpdateOptions};

    /// How many times each file of `folder` is mapped in this process.
    fn maps_of(folder: &std::path::Path) -> std::collections::HashMap<String, usize> {
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let folder = folder.to_string_lossy();
        let mut count = std::collections::HashMap::new();
        for line in maps.lines() {
            if let Some(at) = line.find(&*folder) {
                *count.entry(line[at..].to_string()).or_insert(0) += 1;
            }
        }
        count
    }

    #[test]
    fn an_index_opened_twice_maps_its_files_once() {
        let tmp = tempfile::tempdir().unwrap();
        let corpus = tmp.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "= A =\n\nThe golden counterweight.\n").unwrap();
        let dir = IndexDir::new(tmp.path().join("index"));
        dir.update(&corpus, UpdateOptions::default()).unwrap();
        // As a server holds the commit a slow search still reads beside
        // the one it opened after the next update.
        let first = dir.open(&corpus).unwrap().unwrap();
        let second = dir.open(&corpus).unwrap().unwrap();
        let maps = maps_of(&tmp.path().join("index"));
        assert!(!maps.is_empty(), "the segments are mapped");
        assert!(maps.values().all(|&n| n == 1), "{maps:#?}");
        drop((first, second));
    }
}
