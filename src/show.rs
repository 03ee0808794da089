//! Resolving a stored passage ID: the passage itself, or what became of it.
//!
//! IDs are content hashes (see [`crate::corpus::passage_id`]), so an edit
//! elsewhere never changes them, but editing the passage does. Updates leave
//! tombstones for IDs that disappear; this follows them to the edited
//! version, or, for a removed passage, to what now stands at its place.

use crate::corpus::Document;
use crate::error::Result;
use crate::index::{Opened, Unreadable};
use crate::limits::MAX_HOPS;

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
    /// The passage was removed; what stands at its place now, if anything.
    Removed {
        /// The ID asked for.
        id: String,
        /// The passage now at the same place (same section and number, or
        /// the last one of the section), or the section itself.
        closest: Option<Box<Document>>,
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
                "{id} no longer exists: its passage was removed; {} now stands at its place",
                c.id
            ),
            Shown::Removed { id, closest: None } => {
                format!("{id} no longer exists: its passage was removed")
            }
            Shown::Unknown { id } => format!("no passage or section has the ID {id}"),
        }
    }
}

/// Resolves an ID; also says which files could not be read back.
pub fn show(opened: &Opened, id: &str) -> Result<(Shown, Unreadable)> {
    let mut unreadable = Unreadable::default();
    let shown = resolve(opened, id, &mut unreadable)?;
    Ok((shown, unreadable))
}

fn resolve(opened: &Opened, id: &str, unreadable: &mut Unreadable) -> Result<Shown> {
    let docs = opened.by_id(id, unreadable)?;
    if !docs.is_empty() {
        return Ok(Shown::Found { docs });
    }
    // The newest tombstone of an ID (an ID edited back and again has
    // several).
    let find = |id: &str| -> Result<Option<crate::index::state::Tombstone>> {
        Ok(opened.tombstones_of(id)?.pop())
    };
    let Some(mut tomb) = find(id)? else {
        return Ok(Shown::Unknown { id: id.to_string() });
    };
    for _ in 0..MAX_HOPS {
        let Some(next) = tomb.replaced_by.map(|n| n.to_string()) else {
            break;
        };
        let docs = opened.by_id(&next, unreadable)?;
        if !docs.is_empty() {
            return Ok(Shown::Edited {
                id: id.to_string(),
                docs,
            });
        }
        match find(&next)? {
            Some(t) => tomb = t,
            None => break,
        }
    }
    let closest = opened
        .at_place(&tomb.file, &tomb.section, tomb.paragraph, unreadable)?
        .map(Box::new);
    Ok(Shown::Removed {
        id: id.to_string(),
        closest,
    })
}
