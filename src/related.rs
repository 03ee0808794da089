//! Passages related to one passage: more-like-this over its most
//! distinctive words, so a reader can follow a topic through the articles.

use std::collections::HashMap;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query as TQuery, RangeQuery};

use crate::error::{Error, Result};
use crate::highlight::Pattern;
use crate::index::{Opened, Unreadable};
use crate::search::{load_hits, Results, SearchOptions};
use crate::text::Analyzer;

/// How many of the passage's words make up the query.
const TERMS: usize = 12;

/// The paragraphs most similar to the document with this ID, or `None`
/// when no document has it.
pub fn related(opened: &Opened, id: &str, opts: &SearchOptions) -> Result<Option<Results>> {
    let mut unreadable = Unreadable::default();
    let Some(doc) = opened.by_id(id, &mut unreadable)?.into_iter().next() else {
        return Ok(None);
    };
    let id_hash = crate::model::Id::parse(id).map_or(0, |i| i.hash);
    let searcher = opened.reader.searcher();
    let f = &opened.fields;
    let mut an = Analyzer::default();
    let mut tf: HashMap<String, u32> = HashMap::new();
    for w in an.words(&doc.text) {
        if w.stem.chars().count() >= 3
            && !w.stem.bytes().all(|b| b.is_ascii_digit())
            && !an.is_stop_word(&w.exact)
            && !crate::search::is_function_word(&w.exact)
        {
            *tf.entry(w.stem).or_default() += 1;
        }
    }
    // Distinctive = frequent here, rare elsewhere (tf-idf), over paragraphs
    // and sections alike, as a word's spread across the corpus.
    let lex = crate::search::lexicon(opened);
    let n = (opened.payload.paragraphs + opened.payload.sections).max(1) as f32;
    let mut spread = Vec::with_capacity(tf.len());
    for (stem, count) in tf {
        let df = crate::search::stem_spread(opened, &lex, &stem)?;
        spread.push((stem, count, df));
    }
    let mut weighted: Vec<(String, f32)> = spread
        .into_iter()
        .filter_map(|(stem, count, df)| {
            // A word only this passage has relates it to nothing.
            (df > 1).then(|| {
                let idf = (1.0 + n / df as f32).ln();
                (stem, (1.0 + (count as f32).ln()) * idf)
            })
        })
        .collect();
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    weighted.truncate(TERMS);
    let words: Vec<(Occur, Box<dyn TQuery>)> = weighted
        .iter()
        .map(|(stem, w)| {
            let q: Box<dyn TQuery> = Box::new(BoostQuery::new(
                crate::search::words_in_text(opened, &lex, stem),
                *w,
            ));
            (Occur::Should, q)
        })
        .collect();
    let own = tantivy::Term::from_field_u64(f.id, id_hash);
    let query = BooleanQuery::new(vec![
        (Occur::Must, Box::new(BooleanQuery::new(words))),
        (
            Occur::MustNot,
            Box::new(RangeQuery::new(
                std::ops::Bound::Included(own.clone()),
                std::ops::Bound::Included(own),
            )),
        ),
    ]);
    let (mut top, total) = searcher
        .search(
            &query,
            &(
                TopDocs::with_limit(opts.limit.max(1)).order_by_score(),
                Count,
            ),
        )
        .map_err(Error::index(opened.root()))?;
    // tantivy wants room for one; `-n 0` asks for none, only the count.
    top.truncate(opts.limit);
    let patterns: Vec<Pattern> = weighted
        .iter()
        .map(|(s, _)| Pattern::Stem(s.clone()))
        .collect();
    let (hits, more) = load_hits(opened, top, &patterns, &[], &[], opts, &mut an)?;
    unreadable.extend(more);
    let hits = hits.into_iter().map(|(_, h)| h).collect();
    let terms: Vec<&str> = weighted.iter().map(|(s, _)| s.as_str()).collect();
    Ok(Some(Results {
        query: format!("related:{id}"),
        total,
        hits,
        notes: Vec::new(),
        suggestions: Vec::new(),
        read_as: terms.join(" "),
        filter_notes: Vec::new(),
        unreadable,
        every_word_total: total,
        content_words: Vec::new(),
    }))
}
