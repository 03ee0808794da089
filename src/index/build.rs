//! A full build: every corpus file read, parsed and made into its block on
//! all cores, fed to one writer, committed into a new generation that
//! replaces the current one only once it is whole.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use tantivy::{Index, TantivyDocument};

use super::catalog::tombstone_doc;
use super::freshness::settle;
use super::report::{Change, Report};
use super::schema::{schema, settings};
use super::source::{make, new_writer, Made};
use super::state::{self, now_ns, Payload, Tombstone};
use super::{legacy, IndexDir, Opened, Walk, CURRENT, FORMAT};
use crate::error::{Error, Result};
use crate::limits::MAX_TOMBSTONES;
use crate::meaning::Model;
use crate::model::Id;
use crate::progress::Progress;
use crate::text;

/// A file made ready for the index, sent in parts: its documents in
/// chunks as they are made, then the rest. A file of millions of passages
/// never holds them all as tantivy documents at once: the channel is
/// bounded, so a worker waits while the writer catches up.
enum Prepared {
    /// A chunk of a block, to add in one `run`.
    Chunk(Vec<TantivyDocument>),
    /// The file is done.
    File(Box<Made>),
}

impl IndexDir {
    /// Writes a new generation and makes it current.
    pub(super) fn full_build(
        &self,
        walk: &Walk,
        corpus_root: &Path,
        model: Option<&Model>,
        current: Option<Opened>,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let files = walk.files.as_slice();
        let gen_name = format!("gen-{}-{}", now_ns(), std::process::id());
        let gen = self.root.join(&gen_name);
        // What the generation being replaced knew of IDs, so that `show
        // OLD_ID` still answers after a rebuild.
        let replaced = legacy::replaced(self, current);
        // The documents' states are kept only to lay the tombstones of the
        // passages the index being replaced held.
        let keep_states = replaced.is_some();
        fs::create_dir(&gen).map_err(Error::io(&gen))?;
        let (schema, fields) = schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_dir(&gen)
            .map_err(Error::index(&gen))?;
        text::register(&index);
        let writer = new_writer(&index, &gen)?;

        let mut report = Report {
            full: true,
            committed: true,
            ..Report::default()
        };
        // Reading, parsing and making blocks run on all cores, file by
        // file; this thread feeds the writer, whose own threads index.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Prepared)>(workers * 4);
        let mut made: Vec<Option<Made>> = (0..files.len()).map(|_| None).collect();
        let mut done = Progress {
            files_total: files.len(),
            bytes_total: files.iter().map(|f| f.size).sum(),
            ..Progress::default()
        };
        let added: Result<()> = std::thread::scope(|scope| {
            let mut handles = Vec::new();
            for _ in 0..workers {
                let tx = tx.clone();
                let next = &next;
                handles.push(scope.spawn(move || -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            return Ok(());
                        };
                        let mut emit = |docs: Vec<TantivyDocument>| {
                            tx.send((i, Prepared::Chunk(docs)))
                                .map_err(|_| Error::Stopped)
                        };
                        let m = make(file, fields, keep_states, model, &mut emit)?;
                        if tx.send((i, Prepared::File(Box::new(m)))).is_err() {
                            return Err(Error::Stopped);
                        }
                    }
                }));
            }
            drop(tx);
            let mut failed = None;
            for (i, p) in rx.iter() {
                match p {
                    Prepared::Chunk(docs) => {
                        if let Err(e) = writer.add_batch(docs) {
                            failed = Some(e);
                            break;
                        }
                    }
                    Prepared::File(m) => {
                        done.files_done += 1;
                        done.bytes_done += files[i].size;
                        progress(done);
                        made[i] = Some(*m);
                    }
                }
            }
            // Dropping the receiver stops the workers at their next send.
            drop(rx);
            for h in handles {
                match h.join().expect("a build worker panicked") {
                    Ok(()) | Err(Error::Stopped) => {}
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
            failed.map_or(Ok(()), Err)
        });
        added?;
        let mut made: Vec<Made> = made.into_iter().flatten().collect();
        // Files changed just before the walk: proved or smudged before
        // their stamps are written.
        {
            let mut racy: Vec<_> = files
                .iter()
                .zip(made.iter_mut())
                .map(|(f, m)| (f, &mut m.entry.stamp, m.entry.hash))
                .collect();
            settle(&mut racy, walk.scanned_ns);
        }
        let mut payload = Payload {
            format: FORMAT,
            corpus: super::canonical_corpus(corpus_root),
            given: corpus_root.display().to_string(),
            model: model
                .map(|m| m.dir().display().to_string())
                .unwrap_or_default(),
            model_print: model.map_or(0, Model::print),
            ..Payload::default()
        };
        for (f, m) in files.iter().zip(&made) {
            report.note(&f.display, Change::Added);
            if let Some(p) = &m.problem {
                report.skipped.push(p.clone());
            }
            report.warnings.extend(m.warnings.iter().cloned());
            report.added += m.summary.paragraphs as usize;
            report.sections_updated += m.summary.sections as usize;
            add_totals(&mut payload, m);
            writer.add(m.file_doc(fields))?;
        }
        report.sort_problems();
        // The tombstones carried over, and those of the IDs this build drops.
        if let Some(replaced) = replaced {
            let tombstones = carried_tombstones(replaced, &made);
            let first = tombstones.len().saturating_sub(MAX_TOMBSTONES as usize);
            for (seq, t) in tombstones[first..].iter().enumerate() {
                writer.add(tombstone_doc(&fields, t, seq as u64 + 1))?;
            }
            payload.tombstones = (tombstones.len() - first) as u64;
            payload.tombstone_seq = payload.tombstones;
        }
        totals_into(&mut report, &payload);
        writer.commit(&payload.encode())?;
        state::write_durably(&self.root.join(CURRENT), gen_name.as_bytes())?;
        self.remove_old_generations(&gen_name);
        Ok(report)
    }
}

/// Adds a file's totals to the commit's.
pub(super) fn add_totals(p: &mut Payload, m: &Made) {
    p.files += 1;
    p.articles += u64::from(m.problem.is_none());
    let s = &m.summary;
    p.sections += s.sections;
    p.paragraphs += s.paragraphs;
    p.paragraph_words += s.paragraph_words;
    p.section_words += s.section_words;
    p.heading_words += s.heading_words;
    p.context_words += s.context_words;
    p.title_doc_words += s.title_words * (s.sections + s.paragraphs);
    p.title_words += s.title_words;
}

/// The totals a report ends with: what the index holds afterwards.
pub(super) fn totals_into(report: &mut Report, p: &Payload) {
    report.articles = p.articles as usize;
    report.sections = p.sections as usize;
    report.paragraphs = p.paragraphs as usize;
}

/// The passages the previous index held, as much as a tombstone needs.
#[derive(Debug, Default)]
pub(super) struct Previous {
    /// Its tombstones, oldest first.
    pub tombstones: Vec<Tombstone>,
    /// Its paragraphs: ID, file (relative), section path, number.
    pub passages: Vec<(Id, String, Vec<String>, usize)>,
}

/// The tombstones a rebuild keeps: the old index's, and one for each
/// paragraph it held that the new one does not, pointing (like an
/// update's) at the paragraph now standing in its place when there is
/// one. IDs alive again need none.
fn carried_tombstones(replaced: legacy::Replaced, now: &[Made]) -> Vec<Tombstone> {
    let alive: HashSet<Id> = now
        .iter()
        .flat_map(|m| m.summary.states.iter().map(|d| d.id))
        .collect();
    let previous = replaced.gone(&alive);
    let at: HashMap<(&str, &[String], usize), Id> = now
        .iter()
        .flat_map(|m| {
            m.summary
                .states
                .iter()
                .filter(|d| !d.is_section())
                .map(move |d| ((m.entry.rel.as_str(), d.path.as_slice(), d.paragraph), d.id))
        })
        .collect();
    let mut out: Vec<Tombstone> = previous
        .tombstones
        .into_iter()
        .filter(|t| !alive.contains(&t.id))
        .collect();
    for (id, file, section, paragraph) in previous.passages {
        let replaced_by = at
            .get(&(file.as_str(), section.as_slice(), paragraph))
            .copied();
        out.push(Tombstone {
            id,
            replaced_by,
            file,
            section,
            paragraph,
        });
    }
    out
}
