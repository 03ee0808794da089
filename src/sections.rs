//! The table of contents of the corpus: every article's sections with the
//! number of passages each holds, for `passage search --list-sections`.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::{IndexDir, Opened};

/// One article's sections.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSections {
    /// Title.
    pub article: String,
    /// File.
    pub file: String,
    /// Sections in file order, the lead first.
    pub sections: Vec<SectionEntry>,
}

/// One section.
#[derive(Debug, Clone, Serialize)]
pub struct SectionEntry {
    /// Headings from the top; empty for the lead.
    pub section: Vec<String>,
    /// Passages directly in this section.
    pub paragraphs: usize,
    /// Passages in this section and its subsections.
    pub total: usize,
    /// The section document's ID.
    pub id: String,
}

/// Lists the sections of every indexed article.
pub fn list(opened: &Opened) -> Result<Vec<ArticleSections>> {
    let docs = IndexDir::docs(opened).ok_or_else(|| Error::NoIndex {
        path: opened.root().to_path_buf(),
    })?;
    let mut out = Vec::new();
    for f in docs.files.iter().filter(|f| f.problem.is_none()) {
        let mut sections: Vec<SectionEntry> = f
            .docs
            .iter()
            .filter(|d| d.section)
            .map(|d| SectionEntry {
                section: d.path.to_vec(),
                paragraphs: 0,
                total: 0,
                id: d.id.clone(),
            })
            .collect();
        for p in f.docs.iter().filter(|d| !d.section) {
            for s in &mut sections {
                if s.section == *p.path {
                    s.paragraphs += 1;
                }
                if p.path.starts_with(&s.section) {
                    s.total += 1;
                }
            }
        }
        out.push(ArticleSections {
            article: f.title.clone(),
            file: f.file.clone(),
            sections,
        });
    }
    Ok(out)
}
