//! The table of contents of the corpus: every article's sections with the
//! number of passages each holds, for `passage search --list-sections`,
//! optionally restricted by the filters of a query (`article:anarchism`).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query as TQuery};
use tantivy::{DocAddress, DocId};

use crate::error::{Error, Result};
use crate::index::{DocKind, Opened};
use crate::query::{Filter, Kind, Query};
use crate::search::{compile_filters, exclusion, unmatched_filters, CompiledFilter};
use crate::text::Analyzer;

/// A table of contents: the articles listed and what is worth saying
/// about the filters that picked them.
#[derive(Debug, Clone, Serialize)]
pub struct Toc {
    /// Articles in index order, each with the sections listed.
    pub articles: Vec<ArticleSections>,
    /// Filters that nothing in the index satisfies, one sentence each (see
    /// [`crate::search::Results::filter_notes`]).
    pub notes: Vec<String>,
}

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
    /// Whether the section satisfies the filters; `false` for a section
    /// listed only because a section under it does (its place in the tree).
    pub matched: bool,
}

/// Lists the sections of every indexed article.
pub fn list(opened: &Opened) -> Result<Vec<ArticleSections>> {
    articles(opened)?
        .iter()
        .map(|rel| article_sections(opened, rel))
        .collect()
}

/// The paths of the indexed files that were read as articles, in order.
fn articles(opened: &Opened) -> Result<Vec<String>> {
    Ok(opened
        .files()?
        .into_iter()
        .filter(|f| f.counts.sections > 0)
        .map(|f| f.entry.rel)
        .collect())
}

/// One file's sections with their passage counts, all marked matched, read
/// from its block: each section, then its own paragraphs.
fn article_sections(opened: &Opened, rel: &str) -> Result<ArticleSections> {
    let mut sections: Vec<SectionEntry> = Vec::new();
    let mut article = String::new();
    // Each section document (and each copy of one heading a later chunk)
    // as an index into `sections`.
    // Hashed by rustc-hash: 100,000 headings spent a sixth of a listing
    // in SipHash.
    let mut entry_of: rustc_hash::FxHashMap<DocAddress, usize> = Default::default();
    let mut last_at: rustc_hash::FxHashMap<Vec<String>, usize> = Default::default();
    for root in opened.blocks_of(rel)? {
        let c = opened.cols(root.segment_ord);
        let at = |doc: DocId| DocAddress::new(root.segment_ord, doc);
        for doc in root.doc_id..=root.doc_id + c.span(root.doc_id) {
            match c.kind(doc) {
                Some(DocKind::Section) => {
                    let place = opened.place(at(doc))?;
                    if doc == root.doc_id {
                        article = place.article.clone();
                    }
                    last_at.insert(place.section.clone(), sections.len());
                    entry_of.insert(at(doc), sections.len());
                    sections.push(SectionEntry {
                        section: place.section,
                        paragraphs: 0,
                        total: 0,
                        id: place.id,
                        matched: true,
                    });
                }
                Some(DocKind::SectionContinued) => {
                    let place = opened.place(at(doc))?;
                    if let Some(&i) = last_at.get(&place.section) {
                        entry_of.insert(at(doc), i);
                    }
                }
                Some(DocKind::Paragraph) => {
                    // Counted in its section and in every section above it.
                    let mut s = doc - c.up(doc);
                    if let Some(&i) = entry_of.get(&at(s)) {
                        sections[i].paragraphs += 1;
                    }
                    loop {
                        if let Some(&i) = entry_of.get(&at(s)) {
                            sections[i].total += 1;
                        }
                        let up = c.up(s);
                        if up == 0 || up > s {
                            break;
                        }
                        s -= up;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(ArticleSections {
        article,
        file: opened.corpus.display(rel),
        sections,
    })
}

/// Reads the query given with a listing. A listing is of sections, so only
/// what picks sections may restrict it: `article:`, `section:` and `year:`
/// (a section mentions a year when some passage in it or its subsections
/// does), negated or not. A word or phrase would ask for passages, which is
/// what searching does: it is refused rather than silently ignored. An
/// empty query lists everything.
pub fn listing_query(input: &str) -> Result<Query> {
    if input.trim().is_empty() {
        return Ok(Query::default());
    }
    let q = Query::parse(input)?;
    let refuse = |what: String| Err(Error::ListingQuery(what));
    if let Some(atom) = q.clauses.iter().flatten().next() {
        return refuse(format!(
            "'{}' (without --list-sections, it is searched for)",
            atom.canonical()
        ));
    }
    if let Some(atom) = q.excluded.first() {
        return refuse(format!(
            "'-{}' (without --list-sections, it is searched for)",
            atom.canonical()
        ));
    }
    for (filter, excluded) in q
        .filters
        .iter()
        .map(|x| (x, false))
        .chain(q.excluded_filters.iter().map(|x| (x, true)))
    {
        // `kind:section` is what a listing holds anyway; the opposite
        // would list nothing.
        if let Filter::Kind(kind) = filter {
            if (*kind == Kind::Paragraph) != excluded {
                let sign = if excluded { "-" } else { "" };
                return refuse(format!("{sign}{filter} (the list is of sections)"));
            }
        }
    }
    Ok(q)
}

/// Lists the sections the filters of `q` pick (see [`listing_query`]), each
/// with the sections above it for its place in the tree; an article none of
/// whose sections is picked is left out. Without filters, every section.
pub fn list_matching(opened: &Opened, q: &Query) -> Result<Toc> {
    if q.filters.is_empty() && q.excluded_filters.is_empty() {
        return Ok(Toc {
            articles: list(opened)?,
            notes: Vec::new(),
        });
    }
    let lex = crate::search::lexicon(opened);
    let filters = compile_filters(q, &opened.fields, &mut Analyzer::default(), &lex)?;
    let notes = unmatched_filters(&filters, opened)?;
    let picked = picked_sections(opened, filters)?;
    let mut listed = Vec::new();
    // Only the files holding a picked section are counted out.
    for rel in &articles(opened)? {
        let Some(ids) = picked.get(rel) else {
            continue;
        };
        let mut a = article_sections(opened, rel)?;
        for s in &mut a.sections {
            s.matched = ids.contains(&s.id);
        }
        // Every heading above a picked section, so it shows where it stands.
        let keep: Vec<bool> = {
            let above: HashSet<&[String]> = a
                .sections
                .iter()
                .filter(|s| s.matched)
                .flat_map(|s| (0..s.section.len()).map(|n| &s.section[..n]))
                .collect();
            a.sections
                .iter()
                .map(|s| s.matched || above.contains(s.section.as_slice()))
                .collect()
        };
        let mut keep = keep.into_iter();
        a.sections.retain(|_| keep.next().unwrap_or(false));
        listed.push(a);
    }
    Ok(Toc {
        articles: listed,
        notes,
    })
}

/// The IDs of the section documents the `filters` pick, by file.
fn picked_sections(
    opened: &Opened,
    filters: Vec<CompiledFilter>,
) -> Result<HashMap<String, HashSet<String>>> {
    let f = &opened.fields;
    let mut parts: Vec<(Occur, Box<dyn TQuery>)> =
        vec![(Occur::Must, crate::search::kind_is(f, DocKind::Section))];
    for c in filters {
        parts.push(if c.excluded {
            (Occur::MustNot, exclusion(c.query))
        } else {
            (Occur::Must, c.query)
        });
    }
    let found = opened
        .searcher
        .search(&BooleanQuery::new(parts), &DocSetCollector)
        .map_err(Error::index(opened.root()))?;
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for addr in found {
        let id = opened
            .cols(addr.segment_ord)
            .id(addr.doc_id)
            .map(|i| i.to_string())
            .unwrap_or_default();
        out.entry(opened.rel_of(addr)?).or_default().insert(id);
    }
    Ok(out)
}
