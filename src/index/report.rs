//! What an update did, file by file and in totals: the report `index`,
//! `watch` and an automatic update print.

use std::collections::HashSet;

use serde::Serialize;

use crate::corpus::Problem;

/// What an update did. Passage counts are paragraphs and list items;
/// section documents are counted apart.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Articles in the index after the update.
    pub articles: usize,
    /// Section documents in the index after the update.
    pub sections: usize,
    /// Paragraph documents in the index after the update.
    pub paragraphs: usize,
    /// Passages that are new.
    pub added: usize,
    /// Passages edited in place (same section and number, new text).
    pub updated: usize,
    /// Passages no longer in the corpus.
    pub removed: usize,
    /// Passages left as they were.
    pub unchanged: usize,
    /// Passages with the same text but a new location or section path
    /// (re-indexed under the same ID).
    pub moved: usize,
    /// Section documents written or deleted.
    pub sections_updated: usize,
    /// Files whose content changed, appeared or disappeared (in a full
    /// build: every file read, indexed or skipped). The sum of
    /// `files_added`, `files_edited` and `files_removed`.
    pub files_changed: usize,
    /// Files new to the index (in a full build: every file).
    pub files_added: usize,
    /// Files whose content changed.
    pub files_edited: usize,
    /// Files gone from the corpus.
    pub files_removed: usize,
    /// Files whose size or modification time changed but whose content did
    /// not (read and hashed, nothing re-indexed; not in `files_changed`).
    pub files_touched: usize,
    /// Every file this update read or found gone, and what it found.
    pub file_changes: Vec<FileChange>,
    /// Whether the index was rebuilt from scratch.
    pub full: bool,
    /// Whether a tantivy commit was made.
    pub committed: bool,
    /// Files left out, with the reason; and folders that could not be
    /// read, whose files are left out (`line` 0, the folder as `file`,
    /// ending in `/`).
    pub skipped: Vec<Problem>,
    /// How many of `skipped` are folders.
    pub skipped_folders: usize,
    /// Oddities read sensibly (e.g. an unclosed heading marker).
    pub warnings: Vec<Problem>,
    /// Wall-clock time.
    pub seconds: f64,
    /// The index folder.
    pub index: String,
    /// The corpus files that are symbolic links, as the walk found them
    /// (a watcher watches where they lead).
    #[serde(skip)]
    pub links: Vec<std::path::PathBuf>,
}

/// What an update found a file to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// New to the index (every file is, in a full build).
    Added,
    /// Its content changed.
    Edited,
    /// Gone from the corpus.
    Removed,
    /// A new size or modification time, the same content.
    Touched,
}

/// One file an update read or found gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// The file, as displayed.
    pub file: String,
    /// What the update found.
    pub change: Change,
}

impl Report {
    /// Whether the update changed what a search can find.
    pub fn changed(&self) -> bool {
        self.committed
    }

    /// Records what became of a file, in the list and in the counts.
    pub(super) fn note(&mut self, file: &str, change: Change) {
        match change {
            Change::Added => self.files_added += 1,
            Change::Edited => self.files_edited += 1,
            Change::Removed => self.files_removed += 1,
            Change::Touched => self.files_touched += 1,
        }
        if change != Change::Touched {
            self.files_changed += 1;
        }
        self.file_changes.push(FileChange {
            file: file.to_string(),
            change,
        });
    }

    /// Puts the skipped files and warnings in file and line order (they
    /// are gathered as files finish, in any order).
    pub(super) fn sort_problems(&mut self) {
        let order = |a: &Problem, b: &Problem| (&a.file, a.line).cmp(&(&b.file, b.line));
        self.skipped.sort_by(order);
        self.warnings.sort_by(order);
    }

    /// The warnings and skipped files of the files this update read:
    /// [`Report::warnings`] and [`Report::skipped`] also carry over those of
    /// files it trusted unread, which were reported when they were read.
    pub fn problems_read<'a>(&'a self) -> (Vec<&'a Problem>, Vec<&'a Problem>) {
        let read: HashSet<&str> = self
            .file_changes
            .iter()
            .filter(|c| c.change != Change::Removed)
            .map(|c| c.file.as_str())
            .collect();
        let folders: HashSet<&str> = self
            .skipped
            .iter()
            .filter(|p| p.file.ends_with('/'))
            .map(|p| p.file.as_str())
            .collect();
        let of = |list: &'a [Problem]| -> Vec<&'a Problem> {
            list.iter()
                .filter(|p| read.contains(p.file.as_str()) || folders.contains(p.file.as_str()))
                .collect()
        };
        (of(&self.warnings), of(&self.skipped))
    }
}
