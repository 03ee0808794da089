//! Every indexed document with its text, in article order, for bulk
//! loading into another engine when a corpus outgrows one machine (see
//! `docs/SCALING.md`).

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::AllQuery;
use tantivy::TantivyDocument;

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
    let searcher = opened.reader.searcher();
    let all = searcher
        .search(&AllQuery, &DocSetCollector)
        .map_err(Error::index(opened.root()))?;
    let mut docs: Vec<Document> = Vec::with_capacity(all.len());
    for addr in all {
        let stored: TantivyDocument = searcher.doc(addr).map_err(Error::index(opened.root()))?;
        docs.push(opened.fields.from_tantivy(&stored));
    }
    // A section starts where its heading does, before its paragraphs.
    docs.sort_by(|a, b| {
        (&a.file, a.byte_start, a.paragraph.is_some()).cmp(&(
            &b.file,
            b.byte_start,
            b.paragraph.is_some(),
        ))
    });
    let mut files: HashMap<String, Option<String>> = HashMap::new();
    let n = docs.len();
    for mut d in docs {
        if !files.contains_key(&d.file) {
            files.clear();
            let text = opened.file_text(&d.file, &mut unreadable);
            files.insert(d.file.clone(), text);
        }
        if let Some(Some(text)) = files.get(&d.file) {
            if let Some(t) = text.get(d.byte_start..d.byte_end) {
                d.text = t.to_string();
            }
        }
        each(&d).map_err(Error::io("stdout"))?;
    }
    Ok((n, unreadable))
}
