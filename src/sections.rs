//! The table of contents of the corpus: every article's sections with the
//! number of passages each holds, for `passage search --list-sections`,
//! optionally restricted by the filters of a query (`article:anarchism`).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query as TQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::state::FileState;
use crate::index::{IndexDir, Opened};
use crate::query::{Filter, Kind, Query};
use crate::search::{exclusion, filter_query, unmatched_filters};
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
    Ok(files(opened)?.iter().map(article_sections).collect())
}

/// The indexed files that were read as articles.
fn files(opened: &Opened) -> Result<Vec<FileState>> {
    let docs = IndexDir::docs(opened).ok_or_else(|| Error::NoIndex {
        path: opened.root().to_path_buf(),
    })?;
    Ok(docs
        .files
        .into_iter()
        .filter(|f| f.problem.is_none())
        .collect())
}

/// One file's sections with their passage counts, all marked matched.
fn article_sections(f: &FileState) -> ArticleSections {
    let mut sections: Vec<SectionEntry> = f
        .docs
        .iter()
        .filter(|d| d.section)
        .map(|d| SectionEntry {
            section: d.path.to_vec(),
            paragraphs: 0,
            total: 0,
            id: d.id.clone(),
            matched: true,
        })
        .collect();
    // Each paragraph counts in its section and in every section above it:
    // looked up by path prefix, so that an article of 100,000 sections is
    // not 100,000 times 100,000 comparisons. A path may repeat (two
    // `== Notes ==`); each of its sections counts.
    let mut at: HashMap<&[String], Vec<usize>> = HashMap::new();
    for (i, d) in f.docs.iter().filter(|d| d.section).enumerate() {
        at.entry(d.path.as_slice()).or_default().push(i);
    }
    for p in f.docs.iter().filter(|d| !d.section) {
        for depth in 0..=p.path.len() {
            let Some(found) = at.get(&p.path[..depth]) else {
                continue;
            };
            for &i in found {
                sections[i].total += 1;
                if depth == p.path.len() {
                    sections[i].paragraphs += 1;
                }
            }
        }
    }
    ArticleSections {
        article: f.title.clone(),
        file: f.file.clone(),
        sections,
    }
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
    let mut an = Analyzer::default();
    let notes = unmatched_filters(q, opened, &mut an)?;
    let picked = picked_sections(opened, q, &mut an)?;
    let mut articles = Vec::new();
    // Only the files holding a picked section are counted out.
    for f in &files(opened)? {
        let Some(ids) = picked.get(&f.file) else {
            continue;
        };
        let mut a = article_sections(f);
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
        articles.push(a);
    }
    Ok(Toc { articles, notes })
}

/// The IDs of the section documents the filters of `q` pick, by file.
fn picked_sections(
    opened: &Opened,
    q: &Query,
    an: &mut Analyzer,
) -> Result<HashMap<String, HashSet<String>>> {
    let f = &opened.fields;
    let mut parts: Vec<(Occur, Box<dyn TQuery>)> = vec![(
        Occur::Must,
        Box::new(TermQuery::new(
            Term::from_field_text(f.kind, Kind::Section.as_str()),
            IndexRecordOption::Basic,
        )),
    )];
    for filter in &q.filters {
        parts.push((Occur::Must, filter_query(filter, f, an)?));
    }
    for filter in &q.excluded_filters {
        parts.push((Occur::MustNot, exclusion(filter_query(filter, f, an)?)));
    }
    let searcher = opened.reader.searcher();
    let found = searcher
        .search(&BooleanQuery::new(parts), &DocSetCollector)
        .map_err(Error::index(opened.root()))?;
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for addr in found {
        let doc: TantivyDocument = searcher.doc(addr).map_err(Error::index(opened.root()))?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        out.entry(text(f.file)).or_default().insert(text(f.id));
    }
    Ok(out)
}
