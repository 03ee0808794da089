//! What a search does to its ranked documents on the way out, as ripgrep's
//! flags ask: keep only those holding the words in the case typed (`-s`),
//! put the results in another order (`--sort`), and fetch the paragraphs
//! around each (`-A`, `-B`, `-C`).

use tantivy::DocAddress;

use super::{Context, Hit, Results, Sort};
use crate::corpus::Document;
use crate::error::Result;
use crate::index::{DocKind, Opened, Unreadable};
use crate::query::{Atom, Query};

/// The words of each clause of a query as typed, case kept, split where a
/// word breaks (`C-3PO` is `C`, `3PO`): a passage holds a clause in the
/// case typed when it holds every word of one of its alternatives.
pub(crate) fn cased_clauses(q: &Query) -> Vec<Vec<Vec<String>>> {
    q.clauses
        .iter()
        .map(|alts| {
            alts.iter()
                .map(|a| {
                    let text = match a {
                        Atom::Word(t) | Atom::Prefix(t) | Atom::Phrase { text: t, .. } => t,
                    };
                    text.split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .collect()
        })
        .filter(|alts: &Vec<Vec<String>>| alts.iter().all(|words| !words.is_empty()))
        .collect()
}

/// Whether `text` holds every clause in the case typed: each word as the
/// start of a word of the text (`War` in "Wars", not in "war" nor "Postwar").
pub(crate) fn holds_as_typed(text: &str, clauses: &[Vec<Vec<String>>]) -> bool {
    clauses.iter().all(|alts| {
        alts.iter()
            .any(|words| words.iter().all(|w| starts_a_word(text, w)))
    })
}

fn starts_a_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

impl Results {
    /// The results in `order`, each with the documents listed under it,
    /// numbered again from 1.
    pub fn sort(&mut self, order: Sort) {
        let key = |h: &Hit| -> (String, usize, i64) {
            let year = h.doc.years.iter().copied().min().unwrap_or(i64::MAX);
            match order {
                Sort::Relevance => (String::new(), h.group, 0),
                Sort::Path => (h.doc.file.clone(), h.doc.byte_start, 0),
                Sort::Year => (String::new(), 0, year),
            }
        };
        if order == Sort::Relevance {
            return;
        }
        let mut groups: Vec<Vec<Hit>> = Vec::new();
        for hit in self.hits.drain(..) {
            match groups.last_mut() {
                Some(g) if hit.grouped_under.is_some() => g.push(hit),
                _ => groups.push(vec![hit]),
            }
        }
        // Stable: equal keys keep the ranking's order.
        groups.sort_by_cached_key(|g| key(&g[0]));
        let mut rank = 0;
        for (g, members) in groups.into_iter().enumerate() {
            for mut hit in members {
                rank += 1;
                hit.rank = rank;
                hit.group = g + 1;
                self.hits.push(hit);
            }
        }
    }
}

/// The paragraphs before and after a paragraph in its article (nearest
/// first for both), up to `context`; none for a section, which already
/// holds its paragraphs.
pub(crate) fn neighbours(
    opened: &Opened,
    addr: DocAddress,
    context: Context,
    unreadable: &mut Unreadable,
) -> Result<(Vec<Document>, Vec<Document>)> {
    let c = opened.cols(addr.segment_ord);
    let doc = addr.doc_id;
    if c.kind(doc) != Some(DocKind::Paragraph) {
        return Ok((Vec::new(), Vec::new()));
    }
    let root = c.root_of(doc);
    let end = root + c.span(root);
    let searcher = opened.reader.searcher();
    let mut load =
        |d: u32| opened.document(&searcher, DocAddress::new(addr.segment_ord, d), unreadable);
    let mut before = Vec::new();
    let mut at = doc;
    while before.len() < context.before && at > root {
        at -= 1;
        if c.kind(at) == Some(DocKind::Paragraph) {
            before.push(load(at)?);
        }
    }
    let mut after = Vec::new();
    let mut at = doc;
    while after.len() < context.after && at < end {
        at += 1;
        if c.kind(at) == Some(DocKind::Paragraph) {
            after.push(load(at)?);
        }
    }
    Ok((before, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_is_checked_as_typed_at_the_start_of_a_word() {
        let q = Query::parse("War peace").unwrap();
        let c = cased_clauses(&q);
        assert_eq!(c.len(), 2, "{c:?}");
        assert!(holds_as_typed("The Wars of peace", &c));
        assert!(!holds_as_typed("the war of peace", &c));
        assert!(!holds_as_typed("the Postwar peace", &c));
        // Either alternative of an OR.
        let c = cased_clauses(&Query::parse("Iran OR Syria").unwrap());
        assert!(holds_as_typed("in Syria", &c));
        assert!(!holds_as_typed("in syria and iran", &c));
        // Lower case is a case too.
        let c = cased_clauses(&Query::parse("war").unwrap());
        assert!(holds_as_typed("a war", &c));
        assert!(!holds_as_typed("War came", &c));
    }
}
