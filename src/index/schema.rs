//! The schema: which fields a document has, how each is analyzed, and the
//! mapping between a [`Document`] and a tantivy document.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::TantivyDocument;

use crate::model::{Document, Kind};
use crate::text;

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Stable ID (untokenized).
    pub id: Field,
    /// File and ID, unique in the index: what an update deletes by.
    pub key: Field,
    /// `paragraph` or `section` (untokenized).
    pub kind: Field,
    /// Article title: stored, and indexed folded for `article:`.
    pub article: Field,
    /// Headings of the section path, one value each: stored, and indexed
    /// folded for `section:`.
    pub section: Field,
    /// The headings of the section path again, stemmed, with positions:
    /// what `section:culture` matches, so that a filter finds a heading the
    /// way a word finds the text (`culture` finds "Cultural relations"). The
    /// folded field above is kept for prefixes (`section:cultur*`).
    pub section_stem: Field,
    /// The article title, stemmed, with positions, for `article:`.
    pub article_stem: Field,
    /// The section's own heading (stored).
    pub heading: Field,
    /// A section document's own heading, stemmed: what the section is about.
    pub topic: Field,
    /// The lead's title, stemmed (the lead's heading is the title): what the
    /// lead is about. Only lead documents have it.
    pub lead_title: Field,
    /// A paragraph's section path, stemmed: where it stands.
    pub context: Field,
    /// A paragraph's text, stemmed, for ranked recall (frequencies, no
    /// positions).
    pub body: Field,
    /// A section's text, stemmed: a field of its own, so that BM25 judges a
    /// section's length among sections (they are many paragraphs long) and
    /// a word's rarity among paragraphs, and so that the ranking weighs a
    /// section's text apart from its heading.
    pub section_body: Field,
    /// The text, folded but unstemmed, with positions for phrases.
    pub exact: Field,
    /// The file, as displayed.
    pub file: Field,
    /// Paragraph number (0 for sections).
    pub paragraph: Field,
    /// Heading level.
    pub level: Field,
    /// First line.
    pub line_start: Field,
    /// Last line.
    pub line_end: Field,
    /// Column of the first character.
    pub column: Field,
    /// First byte.
    pub byte_start: Field,
    /// End byte.
    pub byte_end: Field,
    /// Years mentioned (multi-valued).
    pub years: Field,
}

/// Builds the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_field = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let num = || NumericOptions::default().set_stored();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        article: b.add_text_field(
            "article",
            text_field(text::EXACT, IndexRecordOption::WithFreqsAndPositions).set_stored(),
        ),
        section: b.add_text_field(
            "section",
            text_field(text::EXACT, IndexRecordOption::WithFreqsAndPositions).set_stored(),
        ),
        section_stem: b.add_text_field(
            "section_stem",
            text_field(text::STEMMED, IndexRecordOption::WithFreqsAndPositions),
        ),
        article_stem: b.add_text_field(
            "article_stem",
            text_field(text::STEMMED, IndexRecordOption::WithFreqsAndPositions),
        ),
        heading: b.add_text_field("heading", STORED),
        topic: b.add_text_field(
            "topic",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs),
        ),
        lead_title: b.add_text_field(
            "lead_title",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs),
        ),
        context: b.add_text_field(
            "context",
            text_field(text::STEMMED, IndexRecordOption::WithFreqs),
        ),
        body: b.add_text_field(
            "body",
            text_field(text::TERMS, IndexRecordOption::WithFreqs),
        ),
        section_body: b.add_text_field(
            "section_body",
            text_field(text::TERMS, IndexRecordOption::WithFreqs),
        ),
        exact: b.add_text_field(
            "exact",
            text_field(text::TERMS, IndexRecordOption::WithFreqsAndPositions),
        ),
        file: b.add_text_field("file", STRING | STORED | FAST),
        paragraph: b.add_u64_field("paragraph", num().set_fast()),
        level: b.add_u64_field("level", num()),
        line_start: b.add_u64_field("line_start", num()),
        line_end: b.add_u64_field("line_end", num()),
        column: b.add_u64_field("column", num()),
        byte_start: b.add_u64_field("byte_start", num().set_fast()),
        // Fast, with byte_start, for grouping results by the text they show.
        byte_end: b.add_u64_field("byte_end", num().set_fast()),
        years: b.add_i64_field("years", INDEXED | STORED | FAST),
    };
    (b.build(), fields)
}

impl Fields {
    /// The index document for `d`, given the words of its whole file (see
    /// [`text::Terms`]: each file is analyzed once, for all its documents).
    pub(super) fn to_tantivy(self, d: &Document, file_words: &[text::Word]) -> TantivyDocument {
        let terms = text::Terms::within(file_words, d.byte_start..d.byte_end);
        let mut doc = TantivyDocument::new();
        doc.add_text(self.id, &d.id);
        doc.add_text(self.key, key(&d.file, &d.id));
        doc.add_text(self.kind, d.kind.as_str());
        doc.add_text(self.article, &d.article);
        doc.add_text(self.article_stem, &d.article);
        for h in &d.section {
            doc.add_text(self.section, h);
            doc.add_text(self.section_stem, h);
        }
        doc.add_text(self.heading, &d.heading);
        match d.kind {
            // The lead's heading is the title, already in `article_stem`:
            // counted again as a heading, every query naming the article
            // ranked its lead above the section it asked for. The lead's
            // title is a field of its own instead, weighed less.
            Kind::Section if d.section.is_empty() => doc.add_text(self.lead_title, &d.article),
            Kind::Section => doc.add_text(self.topic, &d.heading),
            Kind::Paragraph => {
                for h in &d.section {
                    doc.add_text(self.context, h);
                }
            }
        }
        match d.kind {
            Kind::Paragraph => doc.add_text(self.body, &terms.stems),
            Kind::Section => doc.add_text(self.section_body, &terms.stems),
        }
        // Phrases and quotes are looked for in paragraphs; positions for
        // the sections holding them would double the largest file.
        if d.kind == Kind::Paragraph {
            doc.add_text(self.exact, &terms.exact);
        }
        doc.add_text(self.file, &d.file);
        doc.add_u64(self.paragraph, d.paragraph.unwrap_or(0) as u64);
        doc.add_u64(self.level, u64::from(d.level));
        doc.add_u64(self.line_start, d.line_start as u64);
        doc.add_u64(self.line_end, d.line_end as u64);
        doc.add_u64(self.column, d.column as u64);
        doc.add_u64(self.byte_start, d.byte_start as u64);
        doc.add_u64(self.byte_end, d.byte_end as u64);
        for y in &d.years {
            doc.add_i64(self.years, *y);
        }
        doc
    }

    /// Reads a stored document back (its text is not stored: see
    /// [`super::Opened::document`]).
    pub fn from_tantivy(&self, doc: &TantivyDocument) -> Document {
        let s = |f: Field| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let n = |f: Field| doc.get_first(f).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let kind = if s(self.kind) == Kind::Section.as_str() {
            Kind::Section
        } else {
            Kind::Paragraph
        };
        Document {
            id: s(self.id),
            kind,
            article: s(self.article),
            section: doc
                .get_all(self.section)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            level: n(self.level) as u8,
            paragraph: match kind {
                Kind::Paragraph => Some(n(self.paragraph)),
                Kind::Section => None,
            },
            file: s(self.file),
            line_start: n(self.line_start),
            line_end: n(self.line_end),
            column: n(self.column),
            byte_start: n(self.byte_start),
            byte_end: n(self.byte_end),
            years: doc.get_all(self.years).filter_map(|v| v.as_i64()).collect(),
            text: String::new(),
            heading: s(self.heading),
        }
    }
}

/// The term that names one document for deletion: IDs are unique within a
/// file, so file and ID together are unique in the index.
pub(super) fn key(file: &str, id: &str) -> String {
    format!("{file}\u{1f}{id}")
}

/// The stored fields are small and repetitive (titles, section paths,
/// numbers): zstd keeps them in about half the room lz4 takes, and a search
/// decompresses only the blocks of its ten hits.
pub(super) fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(3),
        }),
        ..Default::default()
    }
}
