//! Every indexed document with its text, in article order, for bulk
//! loading into another engine when a corpus outgrows one machine (see
//! `docs/SCALING.md`).

use tantivy::DocAddress;

use crate::corpus::Document;
use crate::error::{Error, Result};
use crate::index::{Opened, Unreadable};

/// Calls `each` with every document, sections and paragraphs in file and
/// byte order, text included; returns how many there were, and the files
/// that could not be read back. Each corpus file is read once.
pub fn for_each_document(
    opened: &Opened,
    mut each: impl FnMut(&Document) -> std::io::Result<()>,
) -> Result<(usize, Unreadable)> {
    let mut unreadable = Unreadable::default();
    let mut n = 0;
    // A file's block is in file order: each section, then its own
    // paragraphs, then its subsections.
    for file in opened.files()? {
        let rel = &file.entry.rel;
        let roots = opened.blocks_of(rel)?;
        if roots.is_empty() {
            continue;
        }
        let text = opened.file_text(&opened.corpus.display(rel), &mut unreadable);
        for root in roots {
            let cols = opened.cols(root.segment_ord);
            for doc in root.doc_id..=root.doc_id + cols.span(root.doc_id) {
                let addr = DocAddress::new(root.segment_ord, doc);
                if !opened.is_result(addr) {
                    continue;
                }
                let mut d = opened.place(addr)?;
                if let Some(t) = text.as_ref().and_then(|t| t.get(d.byte_start..d.byte_end)) {
                    d.text = t.to_string();
                }
                each(&d).map_err(Error::io("stdout"))?;
                n += 1;
            }
        }
    }
    Ok((n, unreadable))
}
