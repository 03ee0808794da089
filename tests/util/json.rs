//! Typed JSON: the contract the README documents, as serde structs the
//! tests read output into, so a test names fields instead of walking
//! `serde_json::Value` and a renamed or dropped field fails every test that
//! reads that output, not just the one that happens to look at it.
//!
//! Two rules keep the structs honest about the contract:
//! - Every documented field is required, nullable ones included: serde
//!   treats a missing `Option` field as `None`, so those go through
//!   [`nullable`], which makes "absent" an error while `null` stays `None`.
//!   Only fields the README says appear in some cases (`explain` with
//!   `--explain`, `similarity` and `differences` on approximate matches)
//!   are optional.
//! - Unknown fields are ignored (no `deny_unknown_fields`): the contract
//!   lets fields be added.
//!
//! Many fields are read by no test: deserializing them is the check that
//! they are there, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::ops::Range;

use serde::{Deserialize, Deserializer};

/// Makes a nullable field required: absent is an error, `null` is `None`.
/// (A `deserialize_with` field gets no implicit default from serde.)
fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// What a document is: `"paragraph"` (a paragraph or list item) or
/// `"section"`. Any other value fails to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A paragraph or list item.
    Paragraph,
    /// A heading with all its text, subsections included.
    Section,
}

impl Kind {
    /// The name as the JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Paragraph => "paragraph",
            Kind::Section => "section",
        }
    }
}

/// `passage search --json` and `passage related --json`.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub total: u64,
    /// How many of `total` hold every content word.
    pub total_every_word: u64,
    /// The results only: the documents listed under one are in its `also`.
    pub hits: Vec<Hit>,
    pub notes: Vec<String>,
    pub read_as: String,
    pub suggestions: Vec<Suggestion>,
}

/// One search hit.
#[derive(Debug, Clone, Deserialize)]
pub struct Hit {
    pub rank: u64,
    pub score: f64,
    pub id: String,
    pub kind: Kind,
    pub article: String,
    pub section: Vec<String>,
    /// `None` for a section hit.
    #[serde(deserialize_with = "nullable")]
    pub paragraph: Option<u64>,
    pub file: String,
    pub line_start: u64,
    pub line_end: u64,
    pub byte_start: usize,
    pub byte_end: usize,
    pub years: Vec<i64>,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    pub complete: bool,
    /// The number of the result it is shown as or under.
    pub group: u64,
    /// The ID of the result it is listed under; `None` for a result's leader.
    #[serde(deserialize_with = "nullable")]
    pub grouped_under: Option<String>,
    /// The documents listed under this result, in rank order.
    pub also: Vec<Hit>,
    /// Only with `--explain`.
    #[serde(default)]
    pub explain: Option<Explain>,
}

impl SearchResults {
    /// Every document shown, each result followed by those listed under it.
    pub fn documents(&self) -> Vec<&Hit> {
        self.hits
            .iter()
            .flat_map(|h| std::iter::once(h).chain(h.also.iter()))
            .collect()
    }
}

impl Hit {
    /// `file[bytes]` is the passage.
    pub fn bytes(&self) -> Range<usize> {
        self.byte_start..self.byte_end
    }

    /// The highlighted texts of the snippet, in order.
    pub fn marked(&self) -> Vec<&str> {
        marked(&self.snippet, &self.highlights)
    }
}

/// The texts of `ranges` in `text`; panics (failing the test) on a range
/// that is out of bounds or not on character boundaries.
fn marked<'a>(text: &'a str, ranges: &[[usize; 2]]) -> Vec<&'a str> {
    ranges
        .iter()
        .map(|&[a, b]| {
            text.get(a..b)
                .unwrap_or_else(|| panic!("highlight {a}..{b} is not a range of {text:?}"))
        })
        .collect()
}

/// A did-you-mean suggestion.
#[derive(Debug, Clone, Deserialize)]
pub struct Suggestion {
    pub word: String,
    pub did_you_mean: Vec<String>,
    /// The word searched for instead of an unknown one, if any.
    #[serde(deserialize_with = "nullable")]
    pub searched_for: Option<String>,
}

/// Why a hit ranked where it did (`--explain`).
#[derive(Debug, Clone, Deserialize)]
pub struct Explain {
    pub tier: String,
    pub parts: Vec<ExplainPart>,
    #[serde(deserialize_with = "nullable")]
    pub section_weight: Option<f64>,
}

/// One part of an explained score.
#[derive(Debug, Clone, Deserialize)]
pub struct ExplainPart {
    pub what: String,
    pub score: f64,
}

/// `passage cite --json`.
#[derive(Debug, Clone, Deserialize)]
pub struct CiteResults {
    pub quote: String,
    pub matches: Vec<CiteMatch>,
    pub exact_total: u64,
    pub notes: Vec<String>,
}

/// `"exact"` or `"approximate"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// The quote's words, in order, in one passage.
    Exact,
    /// The closest passage text, when no exact match exists.
    Approximate,
}

/// One place a quote was found.
#[derive(Debug, Clone, Deserialize)]
pub struct CiteMatch {
    #[serde(rename = "match")]
    pub kind: MatchKind,
    pub id: String,
    pub article: String,
    pub section: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub paragraph: Option<u64>,
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub byte_start: usize,
    pub byte_end: usize,
    pub text: String,
    pub citation: String,
    pub context: String,
    pub highlights: Vec<[usize; 2]>,
    /// Approximate matches only.
    #[serde(default)]
    pub similarity: Option<f64>,
    /// Approximate matches only.
    #[serde(default)]
    pub differences: Option<Vec<Difference>>,
}

impl CiteMatch {
    /// `file[bytes]` is `text`.
    pub fn bytes(&self) -> Range<usize> {
        self.byte_start..self.byte_end
    }

    /// The highlighted texts of the context, in order.
    pub fn marked(&self) -> Vec<&str> {
        marked(&self.context, &self.highlights)
    }
}

/// Where an approximate match differs from the quote; `None` on the side
/// that has no words there.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Difference {
    #[serde(deserialize_with = "nullable")]
    pub quote: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub article: Option<String>,
    /// One word spelled two ways (`formalization`, `formalisation`).
    pub spelling_variant: bool,
}

/// A document with its text: `passage show --json`'s passages and each
/// line of `passage export --ndjson`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Passage {
    pub id: String,
    pub kind: Kind,
    pub article: String,
    pub section: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub paragraph: Option<u64>,
    pub file: String,
    pub line_start: u64,
    pub line_end: u64,
    pub column: u64,
    pub byte_start: usize,
    pub byte_end: usize,
    pub years: Vec<i64>,
    pub text: String,
}

impl Passage {
    /// `file[bytes]` is `text`.
    pub fn bytes(&self) -> Range<usize> {
        self.byte_start..self.byte_end
    }
}

/// What became of an ID asked for with `passage show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShowStatus {
    /// The ID exists.
    Found,
    /// Its passage was edited; `passages` holds the current version.
    Edited,
    /// Its passage is gone; `closest` stands at its place.
    Removed,
    /// No passage ever had it (that the index knows of).
    Unknown,
}

/// `passage show --json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Show {
    pub id: String,
    pub status: ShowStatus,
    pub passages: Vec<Passage>,
    #[serde(deserialize_with = "nullable")]
    pub closest: Option<Passage>,
    pub message: String,
}

/// `passage index --json` (and each line of `passage watch --json`).
#[derive(Debug, Clone, Deserialize)]
pub struct IndexReport {
    pub articles: u64,
    pub sections: u64,
    pub paragraphs: u64,
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub unchanged: u64,
    pub moved: u64,
    pub sections_updated: u64,
    pub files_changed: u64,
    pub files_added: u64,
    pub files_edited: u64,
    pub files_removed: u64,
    pub files_touched: u64,
    pub file_changes: Vec<FileChange>,
    pub full: bool,
    pub committed: bool,
    pub skipped: Vec<Problem>,
    /// How many of `skipped` are folders (named with a trailing `/`).
    pub skipped_folders: u64,
    pub warnings: Vec<Problem>,
    pub seconds: f64,
    pub index: String,
}

/// What an update did to one file.
#[derive(Debug, Clone, Deserialize)]
pub struct FileChange {
    pub file: String,
    pub change: Change,
}

/// `added`, `edited`, `removed` or `touched`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Edited,
    Removed,
    Touched,
}

impl IndexReport {
    /// The passage and file counts the incremental tests compare:
    /// added, updated, removed, unchanged, sections updated, files changed.
    pub fn counts(&self) -> [u64; 6] {
        [
            self.added,
            self.updated,
            self.removed,
            self.unchanged,
            self.sections_updated,
            self.files_changed,
        ]
    }
}

/// A file left out of the index, or an oddity read sensibly.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Problem {
    pub file: String,
    /// 0 when the problem is the whole file.
    pub line: u64,
    pub message: String,
}

/// `passage search --list-sections --json`.
#[derive(Debug, Clone, Deserialize)]
pub struct SectionList {
    pub articles: Vec<ArticleSections>,
    pub notes: Vec<String>,
}

/// One article's sections, the lead first.
#[derive(Debug, Clone, Deserialize)]
pub struct ArticleSections {
    pub article: String,
    pub file: String,
    pub sections: Vec<SectionEntry>,
}

/// One section of the list.
#[derive(Debug, Clone, Deserialize)]
pub struct SectionEntry {
    pub section: Vec<String>,
    /// Passages directly in this section.
    pub paragraphs: u64,
    /// Passages in this section and its subsections.
    pub total: u64,
    pub id: String,
    /// False for a section listed only as the parent of one that matched.
    pub matched: bool,
}

/// Parses one JSON document, or panics with the error and the text (serde
/// names the missing field and where the object ends).
#[track_caller]
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> T {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("not a {} ({e}):\n{text}", std::any::type_name::<T>()),
    }
}

/// Parses JSON Lines (`export --ndjson`, `watch --json`): one document per
/// non-empty line.
#[track_caller]
pub fn parse_lines<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        out.push(parse(line));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::*;
    use crate::util::Env;

    /// Every object in `v` (the first element of each array stands for
    /// all), as JSON pointers.
    fn objects(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    objects(child, format!("{at}/{k}"), out);
                }
                out.push(at);
            }
            Value::Array(items) => {
                if let Some(first) = items.first() {
                    objects(first, format!("{at}/0"), out);
                }
            }
            _ => {}
        }
    }

    /// Checks that `T` reads `v`, still reads it with an unknown field added
    /// to any object, and fails when any field but the `optional` ones
    /// (named by key) is dropped from any object. Returns how many fields
    /// were found required, so a caller can check the walk saw them all.
    fn check_contract<T: DeserializeOwned>(v: &Value, optional: &[&str]) -> usize {
        let reads = |v: &Value| serde_json::from_value::<T>(v.clone());
        if let Err(e) = reads(v) {
            panic!("does not read ({e}): {v}");
        }
        let mut at = Vec::new();
        objects(v, String::new(), &mut at);
        let mut required = 0;
        for pointer in at {
            let mut added = v.clone();
            let obj = added
                .pointer_mut(&pointer)
                .unwrap()
                .as_object_mut()
                .unwrap();
            obj.insert("a_field_added_later".into(), Value::from(1));
            assert!(
                reads(&added).is_ok(),
                "an added field at {pointer:?} is refused"
            );
            let keys: Vec<String> = v
                .pointer(&pointer)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            for key in keys.iter().filter(|k| !optional.contains(&k.as_str())) {
                let mut dropped = v.clone();
                dropped
                    .pointer_mut(&pointer)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .remove(key);
                assert!(
                    reads(&dropped).is_err(),
                    "reads without {pointer}/{key}: the field is not required"
                );
                required += 1;
            }
        }
        required
    }

    fn stdout_json(env: &Env, args: &[&str]) -> Value {
        let r = env.run(args);
        assert!(r.code == 0 || r.code == 1, "{r:?}");
        r.json()
    }

    #[test]
    fn typed_json_requires_every_field_of_every_contract() {
        let env = Env::with_article();
        // Search: a suggestion for the unknown word, an explanation.
        let v = stdout_json(
            &env,
            &[
                "search",
                "--json",
                "--explain",
                "-n",
                "2",
                "--no-typos",
                "Velayati Mossadeq",
            ],
        );
        assert!(!v["suggestions"].as_array().unwrap().is_empty(), "{v}");
        // 7 top-level + 19 per hit + 3 explain + 2 per part + 3 per
        // suggestion, and again a hit's, explain's and part's for the
        // section listed under the first result.
        assert_eq!(
            check_contract::<SearchResults>(&v, &["explain"]),
            7 + 19 + 3 + 2 + 3 + (19 + 3 + 2)
        );
        // Related prints search results.
        let id = v["hits"][0]["id"].as_str().unwrap().to_string();
        let v = stdout_json(&env, &["related", "--json", "-n", "2", &id]);
        assert_eq!(check_contract::<SearchResults>(&v, &[]), 7 + 19);

        let v = stdout_json(&env, &["cite", "--json", "golden counterweight"]);
        assert_eq!(check_contract::<CiteResults>(&v, &[]), 4 + 14);
        let v = stdout_json(
            &env,
            &[
                "cite",
                "--json",
                "Iran is not prepared to lose this golden balance",
            ],
        );
        assert_eq!(v["matches"][0]["match"], "approximate", "{v}");
        assert_eq!(
            check_contract::<CiteResults>(&v, &["similarity", "differences"]),
            4 + 14 + 2 + 1
        );

        let v = stdout_json(&env, &["show", "--json", &id]);
        assert_eq!(check_contract::<Show>(&v, &[]), 5 + 13);

        let v = stdout_json(&env, &["search", "--json", "--list-sections"]);
        assert_eq!(check_contract::<SectionList>(&v, &[]), 2 + 3 + 5);

        let r = env.run(&["export", "--ndjson"]);
        assert_eq!(r.code, 0, "{r:?}");
        let first: Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
        assert_eq!(check_contract::<Passage>(&first, &[]), 13);

        // A report with a skipped file and a warning.
        env.write("corpus/empty.txt", "");
        env.write("corpus/unclosed.txt", "= Unclosed =\n\n==History\nText.\n");
        let r = env.run(&["index", "--json"]);
        let v = r.json();
        assert!(
            !v["skipped"].as_array().unwrap().is_empty()
                && !v["warnings"].as_array().unwrap().is_empty(),
            "{r:?}"
        );
        assert_eq!(check_contract::<IndexReport>(&v, &[]), 22 + 3 + 3 + 2);
    }

    #[test]
    fn typed_json_refuses_unknown_kinds_and_statuses() {
        let mut v: Value = serde_json::from_str(
            r#"{"id":"p1","kind":"paragraph","article":"A","section":[],"paragraph":null,"file":"f","line_start":1,"line_end":1,"column":1,"byte_start":0,"byte_end":1,"years":[],"text":"x"}"#,
        )
        .unwrap();
        assert!(serde_json::from_value::<Passage>(v.clone()).is_ok());
        v["kind"] = Value::from("chapter");
        assert!(serde_json::from_value::<Passage>(v).is_err());
    }
}

/// `passage check --json`.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckResults {
    pub drafts: Vec<String>,
    pub quotes: Vec<CheckQuote>,
    pub summary: CheckSummary,
}

/// What a quotation of a draft turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Exact,
    Misquoted,
    Missing,
    Skipped,
}

/// One quotation of a draft.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckQuote {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub quote: String,
    pub status: CheckStatus,
    pub matches: Vec<CiteMatch>,
    pub words: u64,
    pub block: bool,
    pub byte_start: usize,
    pub byte_end: usize,
    pub exact_total: u64,
    pub notes: Vec<String>,
}

/// How many quotations ended how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct CheckSummary {
    pub exact: u64,
    pub misquoted: u64,
    pub missing: u64,
    pub skipped: u64,
}
