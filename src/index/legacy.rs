//! What a rebuild carries over from the generation it replaces: its
//! passage IDs and its tombstones, so that `passage show OLD_ID` still
//! answers afterwards. The generation may be of this format (read from
//! its index) or of format 18, the last that kept its state beside the
//! index as JSON (`stamps.json` and `docs/*.json.zst`): a format bump
//! carries IDs and their history over.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;
use tantivy::DocAddress;

use super::build::Previous;
use super::catalog;
use super::schema::DocKind;
use super::state::Tombstone;
use super::{IndexDir, Opened};
use crate::model::Id;

/// The generation a rebuild replaces.
pub(super) enum Replaced {
    /// Of this format.
    Current(Box<Opened>),
    /// Of format 18.
    Format18(Previous),
}

impl Replaced {
    /// Its tombstones and the places of the passages whose ID is not in
    /// `alive`.
    pub(super) fn gone(self, alive: &HashSet<Id>) -> Previous {
        match self {
            Replaced::Format18(mut p) => {
                p.passages.retain(|(id, ..)| !alive.contains(id));
                p
            }
            Replaced::Current(o) => {
                let tombstones = catalog::tombstones(&o.searcher, &o.fields)
                    .map(|t| t.into_iter().map(|(_, t, _)| t).collect())
                    .unwrap_or_default();
                let mut passages = Vec::new();
                for (ord, reader) in o.searcher.segment_readers().iter().enumerate() {
                    let c = o.cols(ord as u32);
                    for doc in 0..reader.max_doc() {
                        if !catalog::is_alive(reader, doc)
                            || c.kind(doc) != Some(DocKind::Paragraph)
                        {
                            continue;
                        }
                        let Some(id) = c.id(doc).filter(|id| !alive.contains(id)) else {
                            continue;
                        };
                        let addr = DocAddress::new(ord as u32, doc);
                        let (Ok(place), Ok(rel)) = (o.place(addr), o.rel_of(addr)) else {
                            continue;
                        };
                        passages.push((id, rel, place.section, c.paragraph(doc)));
                    }
                }
                Previous {
                    tombstones,
                    passages,
                }
            }
        }
    }
}

/// The generation in use, whatever its format: `current`, as the update
/// opened it, or one of format 18; `None` when there is none that can be
/// read.
pub(super) fn replaced(dir: &IndexDir, current: Option<Opened>) -> Option<Replaced> {
    if let Some(o) = current {
        return Some(Replaced::Current(Box::new(o)));
    }
    let gen = dir.current().ok()??;
    format18(&gen).map(Replaced::Format18)
}

/// `stamps.json` of format 18, as much as is needed.
#[derive(Deserialize)]
struct Stamps18 {
    format: u32,
    corpus: String,
    shelf: Shelf18,
}

#[derive(Deserialize)]
struct Shelf18 {
    buckets: Vec<String>,
    tombstones: String,
}

#[derive(Deserialize)]
struct File18 {
    file: String,
    paths: Vec<Vec<String>>,
    docs: Vec<(String, bool, u64, u32, u32)>,
}

#[derive(Deserialize)]
struct Tombstone18 {
    id: String,
    replaced_by: Option<String>,
    file: String,
    section: Vec<String>,
    paragraph: usize,
}

fn load<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let mut bytes = std::fs::read(path).ok()?;
    if path.extension().is_some_and(|e| e == "zst") {
        bytes = zstd::decode_all(bytes.as_slice()).ok()?;
    }
    serde_json::from_slice(&bytes).ok()
}

/// The passages and tombstones of a format-18 generation, with file names
/// made relative to its corpus (they were stored as displayed).
fn format18(gen: &Path) -> Option<Previous> {
    let stamps: Stamps18 = load(&gen.join("stamps.json"))?;
    if stamps.format != 18 {
        return None;
    }
    let prefix = format!("{}/", stamps.corpus.trim_end_matches('/'));
    let rel = |display: &str| -> String {
        match display.strip_prefix(&prefix) {
            Some(r) => r.to_string(),
            // A corpus of one file: its name.
            None => display.rsplit('/').next().unwrap_or(display).to_string(),
        }
    };
    let docs = gen.join("docs");
    let mut passages = Vec::new();
    for name in &stamps.shelf.buckets {
        let files: Vec<File18> = load(&docs.join(name))?;
        for f in files {
            for (id, section, _, path, paragraph) in f.docs {
                let Some(id) = Id::parse(&id).filter(|_| !section) else {
                    continue;
                };
                let path = f.paths.get(path as usize).cloned().unwrap_or_default();
                passages.push((id, rel(&f.file), path, paragraph as usize));
            }
        }
    }
    let tombstones: Vec<Tombstone18> = load(&docs.join(&stamps.shelf.tombstones))?;
    let tombstones = tombstones
        .into_iter()
        .filter_map(|t| {
            Some(Tombstone {
                id: Id::parse(&t.id)?,
                replaced_by: t.replaced_by.as_deref().and_then(Id::parse),
                file: rel(&t.file),
                section: t.section,
                paragraph: t.paragraph,
            })
        })
        .collect();
    Some(Previous {
        tombstones,
        passages,
    })
}
