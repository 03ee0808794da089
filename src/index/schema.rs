//! The schema: which fields each kind of index document has, and how each
//! is analyzed and kept.
//!
//! Every word of a passage is indexed once: a paragraph's text in
//! [`Fields::text`] (folded words with positions), a section's own heading
//! in [`Fields::heading`], an article's title in [`Fields::title`]. A
//! section is not indexed again: its text is the text of the documents
//! that follow it in its file's block (see `index/block.rs`), and a search
//! scores it from their postings. Everything per document that is a number
//! (where it stands, its parent, its ID) is a fast column; the store keeps
//! only the strings a result shows (headings, the title, the file's path).

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
};

use crate::text;

/// What an index document is, kept in the [`Fields::kind`] column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum DocKind {
    /// A corpus file: its path, stamp, hash, problems and word counts.
    File = 0,
    /// A section (the lead included).
    Section = 1,
    /// A paragraph or list item.
    Paragraph = 2,
    /// What became of a passage ID that is gone (for `show`).
    Tombstone = 3,
    /// A section continued in a later chunk of a long file's block: where
    /// that chunk's paragraphs find their headings. Never a result.
    SectionContinued = 4,
}

impl DocKind {
    /// The kind stored in a column value.
    pub fn from_u64(v: u64) -> Option<DocKind> {
        Some(match v {
            0 => DocKind::File,
            1 => DocKind::Section,
            2 => DocKind::Paragraph,
            3 => DocKind::Tombstone,
            4 => DocKind::SectionContinued,
            _ => return None,
        })
    }
}

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// [`DocKind`] (fast).
    pub kind: Field,
    /// A paragraph's text: folded words with positions, for ranked recall,
    /// phrases and quotes alike.
    pub text: Field,
    /// A section's own heading, folded, with positions (stored as printed).
    pub heading: Field,
    /// The article's title on its lead, folded, with positions (stored).
    pub title: Field,
    /// A file's path relative to the corpus root, on its file document and
    /// on the root of its block: indexed, as the key an update deletes and
    /// re-adds them by, and a fast column, for listing every file (a
    /// search's staleness check) and naming a result's file.
    pub path: Field,
    /// How many documents back the parent stands (a paragraph's section, a
    /// section's enclosing section, the lead's file); 0 for a root.
    pub up: Field,
    /// How many documents after this one belong to it (its subtree).
    pub span: Field,
    /// How many documents after a section hold its text: its subtree, but
    /// only its own paragraphs for the lead (whose text is the lead alone).
    pub reach: Field,
    /// Words in a section's text (its heading line, its paragraphs and its
    /// subsections'), exactly: its length for BM25.
    pub len: Field,
    /// A passage's or section's ID: the 48-bit hash of
    /// [`crate::corpus::passage_id`] or [`crate::corpus::section_id`].
    pub id: Field,
    /// The `-N` suffix of an ID repeated within one file (absent for none).
    pub dup: Field,
    /// Paragraph number within its section.
    pub paragraph: Field,
    /// Heading level (1 for the lead).
    pub level: Field,
    /// First line.
    pub line: Field,
    /// Last line.
    pub line_end: Field,
    /// Column (in characters) of the first character.
    pub column: Field,
    /// First byte in the file.
    pub byte_start: Field,
    /// End byte in the file.
    pub byte_end: Field,
    /// Years mentioned (multi-valued; a section's: its passages').
    pub years: Field,
    /// A file's size in bytes.
    pub size: Field,
    /// A file's modification time, nanoseconds since the epoch.
    pub mtime: Field,
    /// A file's status change time, nanoseconds since the epoch.
    pub ctime: Field,
    /// A file's inode number.
    pub inode: Field,
    /// A hash of a file's bytes (FNV-1a).
    pub hash: Field,
    /// Why a file was skipped (`line\tmessage`, stored).
    pub problem: Field,
    /// A file's parse warnings (`line\tmessage` each, stored).
    pub warning: Field,
    /// How many problems and warnings a file has (so that only those files'
    /// stored fields are read).
    pub problems: Field,
    /// A file's section documents.
    pub sections: Field,
    /// A file's paragraph documents.
    pub paragraphs: Field,
    /// Words of a file's paragraphs.
    pub paragraph_words: Field,
    /// Words of a file's sections' texts.
    pub section_words: Field,
    /// Words of a file's headings.
    pub heading_words: Field,
    /// Words of a file's title.
    pub title_words: Field,
    /// Words of the headings above each of a file's paragraphs, summed.
    pub context_words: Field,
    /// A tombstone's successor ID (the 48-bit hash; 0 for none) and its
    /// suffix.
    pub replaced_by: Field,
    /// The suffix of `replaced_by`.
    pub replaced_dup: Field,
    /// The order tombstones were laid in (the oldest are dropped first).
    pub seq: Field,
    /// A paragraph's meaning, as 64 bits of its vector under the index's
    /// model ([`crate::meaning::Model::code`]); absent without a model.
    pub sense: Field,
    /// Where a tombstone's passage stood: its section path (one value per
    /// heading, stored).
    pub place: Field,
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fast = || NumericOptions::default() | FAST;
    let fields = Fields {
        kind: b.add_u64_field("kind", fast()),
        text: b.add_text_field("text", words(text::TERMS)),
        heading: b.add_text_field("heading", words(text::EXACT) | STORED),
        title: b.add_text_field("title", words(text::EXACT) | STORED),
        path: b.add_text_field(
            "path",
            TextOptions::default()
                .set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer("raw")
                        .set_index_option(IndexRecordOption::Basic)
                        .set_fieldnorms(false),
                )
                .set_fast("raw"),
        ),
        up: b.add_u64_field("up", fast()),
        span: b.add_u64_field("span", fast()),
        reach: b.add_u64_field("reach", fast()),
        len: b.add_u64_field("len", fast()),
        id: b.add_u64_field("id", fast()),
        dup: b.add_u64_field("dup", fast()),
        paragraph: b.add_u64_field("paragraph", fast()),
        level: b.add_u64_field("level", fast()),
        line: b.add_u64_field("line", fast()),
        line_end: b.add_u64_field("line_end", fast()),
        column: b.add_u64_field("column", fast()),
        byte_start: b.add_u64_field("byte_start", fast()),
        byte_end: b.add_u64_field("byte_end", fast()),
        years: b.add_i64_field("years", fast()),
        size: b.add_u64_field("size", fast()),
        mtime: b.add_u64_field("mtime", fast()),
        ctime: b.add_u64_field("ctime", fast()),
        inode: b.add_u64_field("inode", fast()),
        hash: b.add_u64_field("hash", fast()),
        problem: b.add_text_field("problem", STORED),
        warning: b.add_text_field("warning", STORED),
        problems: b.add_u64_field("problems", fast()),
        sections: b.add_u64_field("sections", fast()),
        paragraphs: b.add_u64_field("paragraphs", fast()),
        paragraph_words: b.add_u64_field("paragraph_words", fast()),
        section_words: b.add_u64_field("section_words", fast()),
        heading_words: b.add_u64_field("heading_words", fast()),
        title_words: b.add_u64_field("title_words", fast()),
        context_words: b.add_u64_field("context_words", fast()),
        replaced_by: b.add_u64_field("replaced_by", fast()),
        replaced_dup: b.add_u64_field("replaced_dup", fast()),
        seq: b.add_u64_field("seq", fast()),
        sense: b.add_u64_field("sense", fast()),
        place: b.add_text_field("place", STORED),
    };
    (b.build(), fields)
}

/// The stored fields are a few short strings per section and file, read
/// for each result shown: lz4, whose blocks decompress without the
/// context zstd allocates for each (a fifth of a rare word's search).
pub(super) fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Lz4,
        ..Default::default()
    }
}
