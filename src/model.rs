//! What every stage shares, at the bottom of the data flow: the documents
//! the corpus stage makes and the index stores, their kind, and the corpus
//! files as found. Nothing here depends on another stage, so the corpus
//! stage need not depend on the query stage (for `Kind`) and the size guard
//! need not depend on the corpus stage (for `SourceFile`).

use std::path::PathBuf;

use serde::Serialize;

/// The two kinds of indexed documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A paragraph or list item.
    Paragraph,
    /// A section: its heading and all its text, subsections included.
    Section,
}

impl Kind {
    /// The name used in the index, the JSON output and `kind:` filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Paragraph => "paragraph",
            Kind::Section => "section",
        }
    }
}

/// One searchable unit: a paragraph (or list item) or a whole section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// Stable identifier, see [`crate::corpus::passage_id`] and
    /// [`crate::corpus::section_id`].
    pub id: String,
    /// Paragraph or section.
    pub kind: Kind,
    /// Article title.
    pub article: String,
    /// Headings from the top of the article; empty for the lead.
    pub section: Vec<String>,
    /// Heading level of the section (1 for the lead, 2 for `==A==`...).
    pub level: u8,
    /// 1-based number within the section; `None` for a section document.
    pub paragraph: Option<usize>,
    /// Path of the file as given by the corpus root (e.g.
    /// `corpus/iran-syria-relations.txt`).
    pub file: String,
    /// 1-based first line (a section's heading line).
    pub line_start: usize,
    /// 1-based last line.
    pub line_end: usize,
    /// 1-based column, in characters, where the text starts on `line_start`.
    pub column: usize,
    /// Byte offset of the start of the text in the file.
    pub byte_start: usize,
    /// Byte offset just past the end of the text in the file.
    pub byte_end: usize,
    /// Years mentioned (for sections: in any of their passages).
    pub years: Vec<i64>,
    /// The text, exactly `file[byte_start..byte_end]`.
    pub text: String,
    /// The section's own heading (the article title for the lead).
    pub heading: String,
}

/// A passage's or section's ID as numbers: `p` (or `s`) and the 12 hex
/// digits of a 48-bit hash, then `-N` when the same passage stands again in
/// its file (see [`crate::corpus::passage_id`]). The index keeps the two
/// numbers in fast columns, not the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id {
    /// A section's ID (`s…`) rather than a passage's (`p…`).
    pub section: bool,
    /// The 48-bit hash.
    pub hash: u64,
    /// The `-N` suffix; 0 for none.
    pub dup: u64,
}

impl Id {
    /// Reads `p0123456789ab` or `s0123456789ab-2`; `None` for anything
    /// else.
    pub fn parse(s: &str) -> Option<Id> {
        let section = match s.as_bytes().first()? {
            b'p' => false,
            b's' => true,
            _ => return None,
        };
        let (hex, dup) = match s[1..].split_once('-') {
            Some((hex, digits)) => {
                let n: u64 = digits.parse().ok()?;
                // `-1` and `-02` are not IDs passage hands out.
                if n < 2 || n.to_string() != digits {
                    return None;
                }
                (hex, n)
            }
            None => (&s[1..], 0),
        };
        if hex.len() != 12 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        Some(Id {
            section,
            hash: u64::from_str_radix(hex, 16).ok()?,
            dup,
        })
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.section { 's' } else { 'p' };
        write!(f, "{kind}{:012x}", self.hash)?;
        if self.dup > 0 {
            write!(f, "-{}", self.dup)?;
        }
        Ok(())
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One article file found in the corpus, with its size and modification
/// time as of the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where to read it.
    pub path: PathBuf,
    /// How to show it: the corpus argument joined with the path inside it.
    pub display: String,
    /// Its path inside the corpus folder, with `/` between folders (its
    /// name when the corpus is this one file): how the index knows it.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: u128,
    /// Status change time, nanoseconds since the epoch (0 where the system
    /// has none): set by every write and rename, and not by `touch -d` or
    /// an unpacked archive, so two files of equal size and mtime swapped
    /// by `mv` still differ (git's "racy git" rules compare it too).
    pub ctime_ns: u128,
    /// Inode number (0 where the system has none): a file replaced by
    /// another under the same name has another.
    pub inode: u64,
    /// Whether it is a symbolic link in the corpus (its target may lie
    /// outside, where a watcher of the corpus folder sees no change).
    pub linked: bool,
}

impl SourceFile {
    pub(crate) fn new(
        path: PathBuf,
        display: String,
        rel: String,
        meta: &std::fs::Metadata,
    ) -> SourceFile {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let (ctime_ns, inode) = change_stamp(meta);
        // Stamps keep times as u64 nanoseconds (see `index::state::Stamp`):
        // a time past the year 2554 is clamped alike here, so that it still
        // compares equal to its stamp.
        let clamp = |t: u128| t.min(u128::from(u64::MAX));
        SourceFile {
            display,
            rel,
            path,
            size: meta.len(),
            mtime_ns: clamp(mtime_ns),
            ctime_ns: clamp(ctime_ns),
            inode,
            linked: false,
        }
    }
}

#[cfg(unix)]
fn change_stamp(meta: &std::fs::Metadata) -> (u128, u64) {
    use std::os::unix::fs::MetadataExt;
    let ctime = u128::try_from(meta.ctime()).unwrap_or(0) * 1_000_000_000
        + u128::try_from(meta.ctime_nsec()).unwrap_or(0);
    (ctime, meta.ino())
}

#[cfg(not(unix))]
fn change_stamp(_: &std::fs::Metadata) -> (u128, u64) {
    (0, 0)
}
