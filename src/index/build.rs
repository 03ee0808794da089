//! A full build: every corpus file read and parsed on all cores, fed to one
//! writer, committed into a new generation that replaces the current one
//! only once it is whole.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

use tantivy::{Index, TantivyDocument};

use super::freshness::{now_ns, settle, stamp};
use super::report::{Change, Report};
use super::schema::{schema, settings, Fields};
use super::source::{doc_state, new_writer, read_file, summary, totals, warnings_of};
use super::state::{self, Docs, FileState, Shelf, Stamp, Stamps, Tombstone};
use super::{base_dir, IndexDir, Walk, CURRENT, FORMAT};
use crate::corpus;
use crate::error::{Error, Result};
use crate::model::SourceFile;
use crate::progress::Progress;
use crate::text;

impl IndexDir {
    /// Writes a new generation and makes it current.
    pub(super) fn full_build(
        &self,
        walk: &Walk,
        corpus_root: &Path,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let (files, scanned_ns) = (walk.files.as_slice(), walk.scanned_ns);
        let gen_name = format!("gen-{}-{}", now_ns(), std::process::id());
        let gen = self.root.join(&gen_name);
        // What the generation being replaced knew of IDs, so that `show
        // OLD_ID` still answers after a rebuild.
        let previous: Option<Docs> = self.current().ok().flatten().and_then(|dir| {
            state::load::<Stamps>(&dir.join(state::STAMPS))?
                .shelf
                .load_all(&dir)
        });
        fs::create_dir(&gen).map_err(Error::io(&gen))?;
        let (schema, fields) = schema();
        let index = Index::builder()
            .schema(schema)
            .settings(settings())
            .create_in_dir(&gen)
            .map_err(Error::index(&gen))?;
        text::register(&index);
        let mut writer = new_writer(&index, &gen)?;

        let mut report = Report {
            full: true,
            committed: true,
            ..Report::default()
        };
        // Reading and parsing run on all cores, file by file; this thread
        // feeds the writer, whose own threads analyze and build postings.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Prepared)>(workers * 4);
        let mut prepared: Vec<Option<FileState>> = vec![None; files.len()];
        let mut done = Progress {
            files_total: files.len(),
            bytes_total: files.iter().map(|f| f.size).sum(),
            ..Progress::default()
        };
        let added: Result<()> = std::thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let next = &next;
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let send = |p: Prepared| tx.send((i, p)).is_ok();
                    if !prepare(file, fields, send) {
                        break;
                    }
                });
            }
            drop(tx);
            for (i, p) in rx {
                let state = match p {
                    Prepared::Docs(docs) => {
                        for doc in docs {
                            writer.add_document(doc).map_err(Error::index(&gen))?;
                        }
                        continue;
                    }
                    Prepared::File(state) => state,
                };
                if let Some(problem) = &state.problem {
                    report.skipped.push(problem.clone());
                }
                report.warnings.extend(state.warnings.iter().cloned());
                for d in &state.docs {
                    if d.section {
                        report.sections_updated += 1;
                    } else {
                        report.added += 1;
                    }
                }
                prepared[i] = Some(state);
                done.files_done += 1;
                done.bytes_done += files[i].size;
                progress(done);
            }
            Ok(())
        });
        added?;
        for f in files {
            report.note(&f.display, Change::Added);
        }
        let mut stamps: Vec<Stamp> = files.iter().map(stamp).collect();
        let states: Vec<FileState> = prepared.into_iter().flatten().collect();
        report.sort_problems();
        let opstamp = writer.commit().map_err(Error::index(&gen))?;
        writer.wait_merging_threads().map_err(Error::index(&gen))?;
        let mut tombstones = Vec::new();
        if let Some(previous) = previous {
            state::bury(&mut tombstones, carried_tombstones(previous, &states));
        }
        totals(&mut report, &states);
        if states.len() == files.len() {
            let hashes: Vec<&str> = states.iter().map(|s| s.hash.as_str()).collect();
            settle(&mut stamps, files, &hashes, scanned_ns);
        }
        let mut buckets: BTreeMap<usize, Vec<FileState>> =
            (0..state::BUCKETS).map(|b| (b, Vec::new())).collect();
        for s in states {
            buckets
                .entry(state::bucket_of(&s.file))
                .or_default()
                .push(s);
        }
        let shelf = Shelf::default().write(&gen, buckets, Some(&tombstones))?;
        let stamps = Stamps {
            format: FORMAT,
            opstamp,
            corpus: corpus_root.display().to_string(),
            base: base_dir(),
            files: stamps,
            summary: summary(&report),
            shelf,
        };
        state::save(&gen.join(state::STAMPS), &stamps)?;
        state::write_durably(&self.root.join(CURRENT), gen_name.as_bytes())?;
        self.remove_old_generations(&gen_name);
        Ok(report)
    }
}

/// A file made ready for the index, sent in parts: its documents in
/// chunks as they are made, then its state. A file of millions of
/// passages never holds them all as tantivy documents at once: the channel
/// is bounded, so a worker waits while the writer catches up.
enum Prepared {
    /// Documents to add.
    Docs(Vec<TantivyDocument>),
    /// The file is done: its state.
    File(FileState),
}

/// Documents per chunk.
const CHUNK: usize = 512;

/// Reads and parses one file into documents, handing them to `send` (no
/// index access: runs on any thread). `false` when `send` refused.
fn prepare(file: &SourceFile, fields: Fields, send: impl Fn(Prepared) -> bool) -> bool {
    let loaded = read_file(file);
    let state = match loaded.parsed {
        Err(p) => FileState::skipped(&file.display, loaded.hash, p),
        Ok((text, article)) => {
            let warnings = warnings_of(&file.display, &article);
            let mut ids = HashSet::new();
            let docs = corpus::documents(&file.display, &text, &article, &mut ids);
            let words = text::Analyzer::default().words(&text);
            for chunk in docs.chunks(CHUNK) {
                if !send(Prepared::Docs(
                    chunk.iter().map(|d| fields.to_tantivy(d, &words)).collect(),
                )) {
                    return false;
                }
            }
            FileState {
                file: file.display.clone(),
                title: article.title.clone(),
                hash: loaded.hash,
                docs: docs.iter().map(doc_state).collect(),
                problem: None,
                warnings,
            }
        }
    };
    send(Prepared::File(state))
}

/// The tombstones a rebuild keeps: the old generation's, and one for each
/// paragraph it held that the new one does not, pointing (like an update's)
/// at the paragraph now standing in its place when there is one. IDs alive
/// again need none.
fn carried_tombstones(previous: Docs, now: &[FileState]) -> Vec<Tombstone> {
    let alive: HashSet<&str> = now
        .iter()
        .flat_map(|f| f.docs.iter().map(|d| d.id.as_str()))
        .collect();
    let at: HashMap<(&str, &[String], usize), &str> = now
        .iter()
        .flat_map(|f| {
            f.docs.iter().filter(|d| !d.section).map(move |d| {
                (
                    (f.file.as_str(), d.path.as_slice(), d.paragraph),
                    d.id.as_str(),
                )
            })
        })
        .collect();
    let mut out: Vec<Tombstone> = previous
        .tombstones
        .into_iter()
        .filter(|t| !alive.contains(t.id.as_str()))
        .collect();
    for f in &previous.files {
        for d in f.docs.iter().filter(|d| !d.section) {
            if alive.contains(d.id.as_str()) {
                continue;
            }
            let replaced_by = at
                .get(&(f.file.as_str(), d.path.as_slice(), d.paragraph))
                .map(|id| id.to_string());
            out.push(Tombstone {
                id: d.id.clone(),
                replaced_by,
                file: f.file.clone(),
                section: d.path.to_vec(),
                paragraph: d.paragraph,
            });
        }
    }
    out
}
