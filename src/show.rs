//! Resolving a stored passage ID: the passage itself, or what became of it.
//!
//! IDs are content hashes (see [`crate::corpus::passage_id`]), so an edit
//! elsewhere never changes them, but editing the passage does. Updates leave
//! tombstones for IDs that disappear; this follows them to the edited
//! version, or finds the closest current passage to a removed one.

use crate::cite::{cite, CiteMatch, CiteOptions};
use crate::corpus::Document;
use crate::error::Result;
use crate::index::{IndexDir, Opened};

/// What an ID resolves to.
#[derive(Debug, Clone)]
pub enum Shown {
    /// The ID is in the index (normally one document).
    Found {
        /// The documents with this ID.
        docs: Vec<Document>,
    },
    /// The passage was edited; this is its current version.
    Edited {
        /// The ID asked for.
        id: String,
        /// The current version(s).
        docs: Vec<Document>,
    },
    /// The passage was removed; the closest current passage, if any.
    Removed {
        /// The ID asked for.
        id: String,
        /// The closest passage to its old text.
        closest: Option<Box<CiteMatch>>,
    },
    /// The ID was never seen by this index (or its tombstone expired).
    Unknown {
        /// The ID asked for.
        id: String,
    },
}

impl Shown {
    /// A one-line explanation for stderr.
    pub fn message(&self) -> String {
        match self {
            Shown::Found { docs } => format!("{} found", docs.len()),
            Shown::Edited { id, docs } => format!(
                "{id} no longer exists: its passage was edited; the current version is {}",
                docs.first().map_or("", |d| d.id.as_str())
            ),
            Shown::Removed {
                id,
                closest: Some(c),
            } => format!(
                "{id} no longer exists: its passage was removed; the closest current passage is {}",
                c.doc.id
            ),
            Shown::Removed { id, closest: None } => {
                format!("{id} no longer exists: its passage was removed")
            }
            Shown::Unknown { id } => format!("no passage or section has the ID {id}"),
        }
    }
}

/// Follows at most this many edits of the same passage.
const MAX_HOPS: usize = 50;

/// Resolves an ID.
pub fn show(opened: &Opened, dir: &IndexDir, id: &str, opts: &CiteOptions) -> Result<Shown> {
    let docs = opened.by_id(id)?;
    if !docs.is_empty() {
        return Ok(Shown::Found { docs });
    }
    let tombstones = dir.tombstones()?;
    let find = |id: &str| tombstones.iter().rev().find(|t| t.id == id);
    let Some(mut tomb) = find(id) else {
        return Ok(Shown::Unknown { id: id.to_string() });
    };
    for _ in 0..MAX_HOPS {
        let Some(next) = &tomb.replaced_by else { break };
        let docs = opened.by_id(next)?;
        if !docs.is_empty() {
            return Ok(Shown::Edited {
                id: id.to_string(),
                docs,
            });
        }
        match find(next) {
            Some(t) => tomb = t,
            None => break,
        }
    }
    let closest = if tomb.text.trim().is_empty() {
        None
    } else {
        let opts = CiteOptions {
            limit: Some(1),
            ..opts.clone()
        };
        cite(opened, &tomb.text, &opts)?
            .matches
            .into_iter()
            .next()
            .map(Box::new)
    };
    Ok(Shown::Removed {
        id: id.to_string(),
        closest,
    })
}
