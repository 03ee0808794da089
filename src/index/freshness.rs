//! Whether the index describes the corpus as it is now: the stamps of every
//! file compared with a `stat` of it (git's racy-git rules: size, mtime,
//! ctime and inode).

use std::collections::HashMap;
use std::path::Path;

use super::state::{Stamp, Stamps};
use crate::corpus;
use crate::error::Result;
use crate::model::SourceFile;

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
/// ctime and each name's inode.
pub(super) fn unchanged(s: &Stamp, f: &SourceFile) -> bool {
    s.size == f.size && s.mtime_ns == f.mtime_ns && s.ctime_ns == f.ctime_ns && s.inode == f.inode
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
