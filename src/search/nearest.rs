//! The paragraphs nearest a query in meaning, under the index's model
//! ([`crate::meaning`]): what a search adds when no passage holds every
//! word typed, as when a person says in their own words what the article
//! says in its.
//!
//! Two steps, as the index keeps only 64 bits of each paragraph: every
//! paragraph's code is compared with the query's (a few milliseconds for a
//! quarter of a million), and the nearest few, with the paragraphs the
//! words found, are re-read and compared exactly. The ranking then fuses
//! the two orders. It does so only where the words failed (no passage
//! holds every word, the best at most half), so a passage holding every
//! word is never outranked by meaning.

use std::collections::{BinaryHeap, HashMap};

use tantivy::DocAddress;

use crate::index::{DocKind, Opened, Unreadable};
use crate::meaning::{cosine, distance, Model};
use crate::query::{Atom, Query};

/// Paragraphs taken by their codes before the exact comparison: enough
/// that the right one is rarely lost to the codes' coarseness, few enough
/// that reading them back costs milliseconds.
pub(crate) const CANDIDATES: usize = 100;

/// Below this cosine a paragraph is not near enough to be added by meaning
/// alone. It keeps out the far ones only: under potion-base-2M the nearest
/// paragraphs to the dev suite's paraphrases, mostly of other subjects,
/// scored 0.55–0.71 (the right one 0.56 where it was first), which is why
/// meaning is fused only where the words failed.
pub(crate) const MIN_COSINE: f32 = 0.5;

/// How much a rank in the order by meaning counts against a rank in the
/// order by words, in the fused ranking (reciprocal ranks, k = 60, as
/// hybrid engines fuse them): half, as the words typed weigh more than
/// what a model makes of them.
pub(crate) const MEANING_WEIGHT: f32 = 0.5;
const RRF_K: f32 = 60.0;

/// The index's model, loaded for a search, or why it is not used.
pub(crate) fn model(opened: &Opened) -> Result<Option<Model>, String> {
    let p = &opened.payload;
    if p.model.is_empty() {
        return Ok(None);
    }
    let dir = std::path::Path::new(&p.model);
    let stale = |why: String| {
        format!(
            "{why}; searching by the words alone (`passage index --model DIR` gives it one again)"
        )
    };
    let model = Model::open(dir).map_err(|e| stale(e.to_string()))?;
    if model.print() != p.model_print {
        return Err(stale(format!(
            "the index's model {} changed since it was indexed",
            dir.display()
        )));
    }
    Ok(Some(model))
}

/// The text a query means: its words and phrases, as typed. `None` when it
/// restricts where hits stand (filters, exclusions), which paragraphs found
/// by meaning would not be checked against.
pub(crate) fn text_of(query: &Query) -> Option<String> {
    if !query.filters.is_empty() || !query.excluded.is_empty() || !query.excluded_filters.is_empty()
    {
        return None;
    }
    let words: Vec<&str> = query
        .clauses
        .iter()
        .filter_map(|alts| alts.first())
        .map(|a| match a {
            Atom::Word(t) | Atom::Prefix(t) | Atom::Phrase { text: t, .. } => t.as_str(),
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The `n` live paragraphs whose codes are nearest `code`.
pub(crate) fn by_code(opened: &Opened, code: u64, n: usize) -> Vec<DocAddress> {
    // A max-heap of the best so far: the worst on top, replaced by better.
    let mut best: BinaryHeap<(u32, DocAddress)> = BinaryHeap::with_capacity(n + 1);
    let searcher = opened.reader.searcher();
    for (seg, reader) in searcher.segment_readers().iter().enumerate() {
        let cols = opened.cols(seg as u32);
        let alive = reader.alive_bitset();
        for doc in 0..cols.docs() {
            let Some(sense) = cols.sense(doc) else {
                continue;
            };
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let d = distance(code, sense);
            if best.len() < n {
                best.push((d, DocAddress::new(seg as u32, doc)));
            } else if best.peek().is_some_and(|(worst, _)| d < *worst) {
                best.pop();
                best.push((d, DocAddress::new(seg as u32, doc)));
            }
        }
    }
    best.into_sorted_vec().into_iter().map(|(_, a)| a).collect()
}

/// The cosine of each paragraph among `addrs` with the query's vector,
/// from its text read back (a section, or a paragraph whose file cannot be
/// read, has none).
pub(crate) fn cosines(
    opened: &Opened,
    model: &Model,
    query: &[f32],
    addrs: impl IntoIterator<Item = DocAddress>,
    unreadable: &mut Unreadable,
) -> crate::error::Result<HashMap<DocAddress, f32>> {
    let searcher = opened.reader.searcher();
    let mut out = HashMap::new();
    for addr in addrs {
        if out.contains_key(&addr)
            || opened.cols(addr.segment_ord).kind(addr.doc_id) != Some(DocKind::Paragraph)
        {
            continue;
        }
        let doc = opened.document(&searcher, addr, unreadable)?;
        if !doc.text.is_empty() {
            out.insert(addr, cosine(query, &model.embed(&doc.text)));
        }
    }
    Ok(out)
}

/// The fused order of `lexical` (best first, by words) and the paragraphs
/// near in meaning (`cos`): each paragraph ranks by the sum of its
/// reciprocal ranks in the two orders, and one the words did not find
/// joins only if it is near enough ([`MIN_COSINE`]). A section keeps its
/// place among them: the index holds no vector of a whole section, so
/// meaning has nothing to say of it.
pub(crate) fn fuse(
    lexical: &[DocAddress],
    cos: &HashMap<DocAddress, f32>,
    is_section: impl Fn(DocAddress) -> bool,
) -> Vec<DocAddress> {
    let mut by_meaning: Vec<(&DocAddress, &f32)> = cos.iter().collect();
    by_meaning.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    let mut score: HashMap<DocAddress, f32> = HashMap::new();
    let paragraphs = lexical.iter().filter(|a| !is_section(**a));
    for (r, a) in paragraphs.enumerate() {
        *score.entry(*a).or_default() += 1.0 / (RRF_K + r as f32);
    }
    for (r, (a, c)) in by_meaning.into_iter().enumerate() {
        if score.contains_key(a) || *c >= MIN_COSINE {
            *score.entry(*a).or_default() += MEANING_WEIGHT / (RRF_K + r as f32);
        }
    }
    let mut fused: Vec<(DocAddress, f32)> = score.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut fused = fused.into_iter().map(|(a, _)| a);
    let mut out: Vec<DocAddress> = lexical
        .iter()
        .map(|a| {
            if is_section(*a) {
                *a
            } else {
                fused
                    .next()
                    .expect("as many paragraphs fused as the words found")
            }
        })
        .collect();
    out.extend(fused);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32) -> DocAddress {
        DocAddress::new(0, d)
    }

    #[test]
    fn fusion_lifts_what_both_orders_rank_well_and_adds_only_near_paragraphs() {
        // 9 is a section: it keeps its place, second.
        let lexical = [at(1), at(9), at(2), at(3)];
        let cos: HashMap<DocAddress, f32> = [(at(3), 0.9), (at(4), 0.8), (at(5), 0.2)].into();
        let fused = fuse(&lexical, &cos, |a| a == at(9));
        // 3 is last by words and first by meaning: first; 5 is too far to
        // join; 4 joins by meaning alone, below those the words found.
        assert_eq!(fused, [at(3), at(9), at(1), at(2), at(4)]);
    }

    #[test]
    fn a_query_with_filters_or_exclusions_means_nothing_by_itself() {
        let q = Query::parse("monarch gave up the throne").unwrap();
        assert_eq!(text_of(&q).as_deref(), Some("monarch gave up the throne"));
        assert_eq!(text_of(&Query::parse("throne year:1936").unwrap()), None);
        assert_eq!(text_of(&Query::parse("throne -king").unwrap()), None);
    }
}
