//! What the index knows of each corpus file and document, beyond their
//! words, all of it inside the tantivy index itself so that one commit
//! changes it all at once (a kill at any instant leaves the previous commit
//! whole, its state included):
//!
//! - a file's stamp (size, mtime, ctime, inode) and content hash are fast
//!   columns of its file document, the root of its block;
//! - a document's state (ID, place, digest) is read back from its columns
//!   when an update needs it ([`DocState`]);
//! - tombstones (what became of an ID that is gone) are documents of their
//!   own;
//! - the totals a search scores with (documents and words per kind) are
//!   the commit's payload ([`Payload`]), a short line, not JSON.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::corpus::{fnv1a, fnv1a_extend, Problem};
use crate::error::{Error, Result};
use crate::model::{Id, SourceFile};

/// A corpus file as it was when indexed: what a search compares with a
/// `stat` of it (git's racy-git fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: u64,
    /// Status change time, nanoseconds since the epoch.
    pub ctime_ns: u64,
    /// Inode number.
    pub inode: u64,
}

impl Stamp {
    /// The stamp of a file as the walk found it.
    pub fn of(file: &SourceFile) -> Stamp {
        let ns = |t: u128| u64::try_from(t).unwrap_or(u64::MAX);
        Stamp {
            size: file.size,
            mtime_ns: ns(file.mtime_ns),
            ctime_ns: ns(file.ctime_ns),
            inode: file.inode,
        }
    }

    /// Whether a file is as this stamp says: same size, mtime, ctime and
    /// inode. Size and mtime alone miss two files of equal size and mtime
    /// swapped by `mv` (as after unpacking an archive): the rename changes
    /// both files' ctime and each name's inode. Stamps an update could not
    /// prove are smudged ([`Stamp::smudged`]) and never match.
    pub fn matches(&self, file: &SourceFile) -> bool {
        *self == Stamp::of(file)
    }

    /// A stamp that matches no file (git's smudged entries): the next
    /// check reads the file again.
    pub fn smudged(self) -> Stamp {
        Stamp {
            size: u64::MAX,
            ..self
        }
    }
}

/// A corpus file as the index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the corpus root, with `/` between folders (empty
    /// when the corpus is a single file).
    pub rel: String,
    /// Its stamp.
    pub stamp: Stamp,
    /// Hash of its bytes (0 when it could not be read).
    pub hash: u64,
}

/// One indexed document, as much as an update needs to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocState {
    /// Its ID.
    pub id: Id,
    /// Hash of everything that is indexed or shown for it but its words
    /// (which its ID, or a section's passages' IDs, stand for): a changed
    /// digest means it moved or changed.
    pub digest: u64,
    /// Section path (to pair an edited paragraph with its old version);
    /// shared by the documents of a section.
    pub path: Arc<Vec<String>>,
    /// Paragraph number (0 for a section).
    pub paragraph: usize,
}

impl DocState {
    /// A section document's state rather than a passage's.
    pub fn is_section(&self) -> bool {
        self.id.section
    }
}

/// A digest being made, the same whether read back from the index or made
/// from a parse: FNV-1a over what is added, kept as it goes (a section of
/// millions of passages adds each one's ID).
#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Digest {
        Digest(fnv1a(&[]))
    }
}

impl Digest {
    /// Adds a string.
    pub fn str(&mut self, s: &str) -> &mut Digest {
        self.0 = fnv1a_extend(self.0, s.as_bytes());
        self.0 = fnv1a_extend(self.0, &[0x1f]);
        self
    }

    /// Adds a number.
    pub fn num(&mut self, n: u64) -> &mut Digest {
        self.0 = fnv1a_extend(self.0, &n.to_le_bytes());
        self
    }

    /// The hash.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// What became of a passage ID that is no longer in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// The old ID.
    pub id: Id,
    /// The ID of its edited version, when it was edited in place.
    pub replaced_by: Option<Id>,
    /// Its file, relative to the corpus root.
    pub file: String,
    /// Where it stood: its section path...
    pub section: Vec<String>,
    /// ...and paragraph number, to point at what stands there now.
    pub paragraph: usize,
}

/// A file's problems as stored: `line`, a tab, the message.
pub fn problem_to_stored(p: &Problem) -> String {
    format!("{}\t{}", p.line, p.message)
}

/// A stored problem of `file` read back.
pub fn problem_from_stored(file: &str, s: &str) -> Problem {
    let (line, message) = s.split_once('\t').unwrap_or(("0", s));
    Problem {
        file: file.to_string(),
        line: line.parse().unwrap_or(0),
        message: message.to_string(),
    }
}

/// The totals of a commit, kept as its payload: what BM25 needs to score
/// a passage, a section, a heading and a title (how many there are and
/// how long they are on average), and what `index` reports when nothing
/// changed. Written as `key=value` pairs on one line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payload {
    /// The index format version.
    pub format: u32,
    /// The corpus's canonical path when it was last indexed.
    pub corpus: String,
    /// The corpus path as given then (to name its files once it is gone).
    pub given: String,
    /// Corpus files, indexed or skipped.
    pub files: u64,
    /// Articles indexed.
    pub articles: u64,
    /// Section documents (the leads included).
    pub sections: u64,
    /// Paragraph documents.
    pub paragraphs: u64,
    /// Words of all paragraphs.
    pub paragraph_words: u64,
    /// Words of all sections' texts (each section counts its subsections').
    pub section_words: u64,
    /// Words of all headings (the leads' titles not included).
    pub heading_words: u64,
    /// Words of all titles.
    pub title_words: u64,
    /// Words of the headings above each paragraph, summed over paragraphs.
    pub context_words: u64,
    /// Words of each section's and paragraph's article title, summed.
    pub title_doc_words: u64,
    /// The sequence number of the newest tombstone.
    pub tombstone_seq: u64,
    /// Tombstones in the index.
    pub tombstones: u64,
    /// The folder of the model whose codes the paragraphs carry (empty for
    /// none).
    pub model: String,
    /// The model's fingerprint when they were made
    /// ([`crate::meaning::fingerprint`]).
    pub model_print: u64,
}

impl Payload {
    /// The payload as written into the commit: `key=value` pairs separated
    /// by spaces, the two paths escaped (`%`, space and line ends as `%XX`).
    pub fn encode(&self) -> String {
        let p = self;
        format!(
            "format={} files={} articles={} sections={} paragraphs={} paragraph_words={} \
             section_words={} heading_words={} title_words={} context_words={} title_doc_words={} \
             tombstone_seq={} tombstones={} model_print={} corpus={} given={} model={}",
            p.format,
            p.files,
            p.articles,
            p.sections,
            p.paragraphs,
            p.paragraph_words,
            p.section_words,
            p.heading_words,
            p.title_words,
            p.context_words,
            p.title_doc_words,
            p.tombstone_seq,
            p.tombstones,
            p.model_print,
            escape(&p.corpus),
            escape(&p.given),
            escape(&p.model),
        )
    }

    /// Reads a payload back; `None` when it is not one of ours.
    pub fn decode(s: &str) -> Option<Payload> {
        let mut p = Payload::default();
        let mut format = false;
        for pair in s.split(' ') {
            let (k, v) = pair.split_once('=')?;
            match k {
                "corpus" => p.corpus = unescape(v)?,
                "given" => p.given = unescape(v)?,
                "model" => p.model = unescape(v)?,
                _ => {
                    let n: u64 = v.parse().ok()?;
                    match k {
                        "format" => {
                            p.format = u32::try_from(n).ok()?;
                            format = true;
                        }
                        "files" => p.files = n,
                        "articles" => p.articles = n,
                        "sections" => p.sections = n,
                        "paragraphs" => p.paragraphs = n,
                        "paragraph_words" => p.paragraph_words = n,
                        "section_words" => p.section_words = n,
                        "heading_words" => p.heading_words = n,
                        "title_words" => p.title_words = n,
                        "context_words" => p.context_words = n,
                        "title_doc_words" => p.title_doc_words = n,
                        "tombstone_seq" => p.tombstone_seq = n,
                        "tombstones" => p.tombstones = n,
                        "model_print" => p.model_print = n,
                        // A later version's key: read what is known.
                        _ => {}
                    }
                }
            }
        }
        format.then_some(p)
    }
}

/// A path as one space-free token.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | ' ' | '\n' | '\r' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Hash of a file's bytes (never 0, which stands for "not read").
pub fn content_hash(bytes: &[u8]) -> u64 {
    fnv1a(bytes).max(1)
}

/// Replaces `path` with `bytes` atomically: a reader sees the old content or
/// the new, never a part.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut f = File::create(&tmp).map_err(Error::io(&tmp))?;
    f.write_all(bytes).map_err(Error::io(&tmp))?;
    f.sync_all().map_err(Error::io(&tmp))?;
    fs::rename(&tmp, path).map_err(Error::io(path))?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Now, in nanoseconds since the epoch.
pub fn now_ns() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips() {
        let p = Payload {
            format: 19,
            corpus: "/tmp/a b/c=d corpus=x%20\ny".into(),
            given: "../a b".into(),
            files: 3,
            articles: 2,
            sections: 14,
            paragraphs: 50,
            paragraph_words: 5000,
            section_words: 9000,
            heading_words: 40,
            title_words: 4,
            context_words: 9,
            title_doc_words: 256,
            tombstone_seq: 7,
            tombstones: 5,
            model: "/models/potion base".into(),
            model_print: 42,
        };
        assert_eq!(Payload::decode(&p.encode()), Some(p));
        assert_eq!(Payload::decode("{\"json\": 1}"), None);
    }

    #[test]
    fn stored_problems_round_trip() {
        let p = Problem {
            file: "a.txt".into(),
            line: 3,
            message: "unclosed\theading".into(),
        };
        assert_eq!(problem_from_stored("a.txt", &problem_to_stored(&p)), p);
    }
}
