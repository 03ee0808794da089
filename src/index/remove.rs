//! What an update deletes a file by: its file document and its block (the
//! documents carrying its path, and the span after each), as one query
//! tantivy applies to every segment when it commits.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, Term, TERMINATED};

use super::schema::DocKind;

/// Which of a file's documents to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The file document and every chunk of its block.
    All,
    /// The file document alone (its stamp changed, not its content).
    FileDoc,
}

/// The documents of the file with path `rel`.
#[derive(Debug, Clone)]
pub struct FileDocs {
    path: Field,
    rel: String,
    part: Part,
}

impl FileDocs {
    /// The documents of `rel` that `part` names.
    pub fn new(path: Field, rel: &str, part: Part) -> FileDocs {
        FileDocs {
            path,
            rel: rel.to_string(),
            part,
        }
    }

    /// The documents in one segment, in order.
    fn docs(&self, reader: &SegmentReader) -> tantivy::Result<Vec<DocId>> {
        let inverted = reader.inverted_index(self.path)?;
        let term = Term::from_field_text(self.path, &self.rel);
        let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)? else {
            return Ok(Vec::new());
        };
        let ff = reader.fast_fields();
        let kind = ff.u64("kind")?;
        let span = ff.u64("span")?;
        let mut out = Vec::new();
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let is_file = kind.first(doc) == Some(DocKind::File as u64);
            match self.part {
                Part::FileDoc if is_file => out.push(doc),
                Part::FileDoc => {}
                Part::All => {
                    let end = doc + span.first(doc).unwrap_or(0) as DocId;
                    out.extend(doc..=end.min(reader.max_doc().saturating_sub(1)));
                }
            }
            doc = postings.advance();
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

impl Query for FileDocs {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for FileDocs {
    fn scorer(&self, reader: &SegmentReader, boost: f32) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(Listed {
            docs: self.docs(reader)?,
            at: 0,
            boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let found = self.docs(reader)?.binary_search(&doc).is_ok();
        Ok(Explanation::new(
            if found {
                "of the file"
            } else {
                "not of the file"
            },
            if found { 1.0 } else { 0.0 },
        ))
    }
}

/// A sorted list of documents, each scored `boost`.
struct Listed {
    docs: Vec<DocId>,
    at: usize,
    boost: f32,
}

impl DocSet for Listed {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

impl Scorer for Listed {
    fn score(&mut self) -> f32 {
        self.boost
    }
}
