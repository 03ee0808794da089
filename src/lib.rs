//! `passage`: full-text search and citation over Wikipedia-style articles.
//!
//! # Brief overview
//!
//! Data flows one way, one module per stage:
//!
//! 1. [`corpus`] finds article files and turns each into [`corpus::Document`]s,
//!    using [`article`] to parse one file into sections and passages;
//! 2. [`index`] writes the documents into a tantivy index (and opens it);
//! 3. [`query`] parses what a person types; [`search`] runs it and returns
//!    [`search::Hit`]s, whose snippets [`highlight`] cuts and marks;
//! 4. [`quote`] finds where a quote stands (exactly, or the closest
//!    passages) and [`quote::style`] formats references to it; [`check`]
//!    does so for every quotation [`check::draft`] finds in a draft;
//! 5. [`render`] presents hits and citations as text or JSON.
//!
//! [`text`] defines what a word is, and [`model`] what a document is, for
//! all of them.
//!
//! ```
//! use passage::{index::IndexDir, query::Query, search::{search, SearchOptions}};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let corpus = dir.path().join("corpus");
//! std::fs::create_dir(&corpus).unwrap();
//! std::fs::write(corpus.join("a.txt"), "= Tea =\n\nTea was ransacked in 1773.\n").unwrap();
//!
//! let index = IndexDir::new(dir.path().join("index"));
//! index.build(&corpus).unwrap();
//! let opened = index.open(&corpus).unwrap().unwrap();
//! let query = Query::parse("ransacking").unwrap();
//! let results = search(&opened, "ransacking", &query, &SearchOptions::default()).unwrap();
//!
//! let hit = &results.hits[0];
//! assert_eq!(hit.doc.years, vec![1773]);
//! let marked = &hit.snippet.text[hit.snippet.highlights[0].clone()];
//! assert_eq!(marked, "ransacked");
//! ```

#![deny(missing_docs)]

pub mod article;
pub mod check;
pub mod corpus;
pub mod error;
pub mod export;
pub mod guard;
pub mod highlight;
pub mod index;
pub mod invariants;
pub mod limits;
pub mod meaning;
pub mod model;
pub mod notice;
pub mod progress;
pub mod query;
pub mod quote;
pub mod related;
pub mod render;
pub mod search;
pub mod sections;
pub mod settings;
pub mod show;
pub mod text;

pub use error::{Error, Result};
