//! Grouping ranked documents so that each text is shown once.
//!
//! A section document holds the text of its paragraphs and subsections, so a
//! plain ranked list shows the same words twice: a paragraph, then the
//! section around it with a snippet of that same paragraph. Like Pagefind's
//! sub-results and Elasticsearch's field collapsing, a document whose text
//! overlaps a better-ranked result's is listed under that result instead of
//! as a result of its own: a section leads the paragraphs it holds that rank
//! below it, a paragraph leads the sections around it that rank below it.

use std::collections::HashMap;
use std::ops::Range;

/// Where a document's text stands: its file and byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// The file, as indexed.
    pub file: String,
    /// Bytes of the file.
    pub bytes: Range<u64>,
}

impl Span {
    fn overlaps(&self, other: &Span) -> bool {
        self.file == other.file
            && self.bytes.start < other.bytes.end
            && other.bytes.start < self.bytes.end
    }
}

/// Groups documents given in rank order: each group is a list of indices
/// into `ranked`, its leader first, then the documents whose text overlaps
/// the leader's, in rank order. At most `max_groups` groups; documents past
/// them are dropped.
pub(crate) fn group(ranked: &[Span], max_groups: usize) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    // The groups led from each file: only those can overlap (`-n 10000`
    // ranks 30,000 documents, and each against every group was quadratic).
    let mut by_file: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, span) in ranked.iter().enumerate() {
        // The leader is what is shown; a document overlapping only a member
        // (a second paragraph of a section listed under a first) has text
        // not yet shown, so it is a result of its own.
        let led = by_file.entry(span.file.as_str()).or_default();
        if let Some(&g) = led.iter().find(|&&g| ranked[groups[g][0]].overlaps(span)) {
            groups[g].push(i);
        } else if groups.len() < max_groups {
            led.push(groups.len());
            groups.push(vec![i]);
        }
    }
    groups
}

/// How many of the best ranked documents may be moved above a paragraph.
const TOPIC_WINDOW: usize = 200;

/// The ranking with each section about the query (`about(i)`) moved just
/// above the best ranked document inside it: a topic query ("ananda and
/// the first buddhist council") asks for the section ("The First
/// Council"), even when one of its paragraphs, holding the same words more
/// densely, outscores it. Grouped after this, the section leads and its
/// paragraphs are listed under it. Returns the new order, as indices into
/// `ranked`.
pub(crate) fn topics_first(ranked: &[Span], mut about: impl FnMut(usize) -> bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ranked.len()).collect();
    // Only the best ranked can lead what is shown first; past them each
    // move would cost a walk of the ranking (`-n 10000` ranks 11,000).
    for i in 0..ranked.len().min(TOPIC_WINDOW) {
        let s = &ranked[i];
        let inside = |t: &Span| {
            t.file == s.file
                && s.bytes.start <= t.bytes.start
                && t.bytes.end <= s.bytes.end
                && t.bytes != s.bytes
        };
        let at = order
            .iter()
            .position(|&j| j == i)
            .expect("every index is in the order");
        let Some(first) = order[..at].iter().position(|&j| inside(&ranked[j])) else {
            continue;
        };
        if about(i) {
            order.remove(at);
            order.insert(first, i);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(file: &str, a: u64, b: u64) -> Span {
        Span {
            file: file.into(),
            bytes: a..b,
        }
    }

    #[test]
    fn a_section_leads_its_paragraphs_ranked_below_it() {
        let ranked = [
            span("a", 0, 100),   // section
            span("a", 10, 40),   // its paragraph
            span("b", 0, 10),    // elsewhere
            span("a", 50, 90),   // another of its paragraphs
            span("a", 100, 150), // the next section, not overlapping
        ];
        assert_eq!(group(&ranked, 10), vec![vec![0, 1, 3], vec![2], vec![4]]);
    }

    #[test]
    fn a_paragraph_leads_the_sections_around_it_but_not_its_neighbours() {
        let ranked = [
            span("a", 10, 40), // paragraph
            span("a", 0, 100), // its section
            span("a", 50, 90), // a neighbour: its text was not shown
            span("a", 0, 300), // the parent section
        ];
        assert_eq!(group(&ranked, 10), vec![vec![0, 1, 3], vec![2]]);
    }

    #[test]
    fn the_same_bytes_in_another_file_are_another_text() {
        let ranked = [span("a", 0, 10), span("b", 0, 10)];
        assert_eq!(group(&ranked, 10), vec![vec![0], vec![1]]);
    }

    #[test]
    fn at_most_max_groups_and_members_still_join() {
        let ranked = [
            span("a", 0, 10),
            span("b", 0, 10),
            span("c", 0, 10),
            span("a", 2, 5),
        ];
        assert_eq!(group(&ranked, 2), vec![vec![0, 3], vec![1]]);
    }

    #[test]
    fn a_section_about_the_query_moves_above_its_best_document() {
        let ranked = [
            span("a", 10, 40),   // paragraph
            span("b", 0, 10),    // elsewhere
            span("a", 0, 100),   // its section, about the query
            span("a", 50, 90),   // another of its paragraphs
            span("a", 100, 300), // a section about it holding nothing ranked
        ];
        let order = topics_first(&ranked, |i| i == 2 || i == 4);
        assert_eq!(order, vec![2, 0, 1, 3, 4]);
        let moved: Vec<Span> = order.iter().map(|&i| ranked[i].clone()).collect();
        // Grouped, the section leads both its paragraphs.
        assert_eq!(group(&moved, 10), vec![vec![0, 1, 3], vec![2], vec![4]]);
        // Not about it: nothing moves.
        assert_eq!(topics_first(&ranked, |_| false), vec![0, 1, 2, 3, 4]);
    }
}
