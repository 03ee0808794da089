//! An incremental update: the difference between the corpus and the
//! current generation, applied in one tantivy commit, and its report.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use tantivy::{IndexWriter, Term};

use super::build::{doc_state, new_writer, read_file, warnings_of};
use super::freshness::{settle, stamp, unchanged};
use super::opened::Opened;
use super::report::{Change, Report};
use super::schema::{key, Fields};
use super::state::{self, DocState, Docs, FileState, Stamp, Stamps, Summary, Tombstone};
use super::{base_dir, IndexDir, Walk, FORMAT};
use crate::corpus;
use crate::error::{Error, Result};
use crate::model::{Document, Kind};
use crate::progress::Progress;
use crate::text;

impl IndexDir {
    /// Applies the difference between the corpus and the current generation.
    pub(super) fn incremental(
        &self,
        opened: &Opened,
        mut docs: Docs,
        walk: &Walk,
        corpus_root: &Path,
        repair: bool,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let (files, scanned_ns) = (walk.files.as_slice(), walk.scanned_ns);
        let dir = &opened.dir;
        let fields = opened.fields;
        let mut report = Report::default();
        let old_stamps: HashMap<&str, &Stamp> = opened
            .stamps
            .files
            .iter()
            .map(|s| (s.file.as_str(), s))
            .collect();
        let mut old_files: HashMap<String, FileState> =
            docs.files.drain(..).map(|f| (f.file.clone(), f)).collect();
        let mut writer: Option<IndexWriter> = None;
        let mut stamps = Vec::with_capacity(files.len());
        let mut states = Vec::with_capacity(files.len());
        let mut tombstones = Vec::new();
        let mut stamps_changed = false;
        // Same size, mtime, ctime and inode: trust it without reading (the cheap path
        // that makes a no-change run cost one stat per file).
        let trusted: Vec<bool> = files
            .iter()
            .map(|file| {
                old_files.contains_key(&file.display)
                    && old_stamps
                        .get(file.display.as_str())
                        .is_some_and(|os| unchanged(os, file))
            })
            .collect();
        let mut done = Progress::default();
        for (f, _) in files.iter().zip(&trusted).filter(|(_, t)| !**t) {
            done.files_total += 1;
            done.bytes_total += f.size;
        }

        for (file, &is_trusted) in files.iter().zip(&trusted) {
            let st = stamp(file);
            let old = old_files.remove(&file.display);
            if is_trusted {
                let o = old.expect("trusted files have a state");
                keep(&mut report, &o);
                states.push(o);
                stamps.push(st);
                continue;
            }
            stamps_changed = true;
            let loaded = read_file(file);
            done.files_done += 1;
            done.bytes_done += file.size;
            progress(done);
            // A file that could not be read has no hash (""), so two
            // failed reads would look alike and the first failure's message
            // (say, "grew past the limit while being read") would be
            // repeated for ever: only content read twice is compared.
            if let Some(o) = old.as_ref().filter(|_| !repair) {
                if !loaded.hash.is_empty() && o.hash == loaded.hash {
                    report.note(&file.display, Change::Touched);
                    keep(&mut report, o);
                    states.push(old.expect("checked"));
                    stamps.push(st);
                    continue;
                }
            }
            // With `repair`, a file whose stamp differs is re-indexed whole
            // even if its content is the one the stale states describe.
            let change = if old.is_some() {
                Change::Edited
            } else {
                Change::Added
            };
            report.note(&file.display, change);
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(new_writer(&opened.index, dir)?),
            };
            let old_docs = old.map(|o| o.docs).unwrap_or_default();
            let new_state = match loaded.parsed {
                Err(p) => {
                    report.skipped.push(p.clone());
                    remove_all(
                        w,
                        &fields,
                        &file.display,
                        &old_docs,
                        &mut report,
                        &mut tombstones,
                    );
                    FileState {
                        file: file.display.clone(),
                        title: String::new(),
                        hash: loaded.hash,
                        docs: Vec::new(),
                        problem: Some(p),
                        warnings: Vec::new(),
                    }
                }
                Ok((text, article)) => {
                    let warnings = warnings_of(&file.display, &article);
                    report.warnings.extend(warnings.iter().cloned());
                    let mut ids = HashSet::new();
                    let new_docs = corpus::documents(&file.display, &text, &article, &mut ids);
                    let words = text::Analyzer::default().words(&text);
                    let doc_states = apply_file(
                        w,
                        &fields,
                        &file.display,
                        &old_docs,
                        &new_docs,
                        &words,
                        repair,
                        &mut report,
                        &mut tombstones,
                    )?;
                    FileState {
                        file: file.display.clone(),
                        title: article.title.clone(),
                        hash: loaded.hash,
                        docs: doc_states,
                        problem: None,
                        warnings,
                    }
                }
            };
            states.push(new_state);
            stamps.push(st);
        }
        // Files that are gone.
        let mut gone: Vec<FileState> = old_files.into_values().collect();
        gone.sort_by(|a, b| a.file.cmp(&b.file));
        for o in gone {
            stamps_changed = true;
            report.note(&o.file, Change::Removed);
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(new_writer(&opened.index, dir)?),
            };
            remove_all(w, &fields, &o.file, &o.docs, &mut report, &mut tombstones);
        }

        let corpus_name = corpus_root.display().to_string();
        if corpus_name != opened.stamps.corpus {
            stamps_changed = true;
        }
        let mut opstamp = opened.stamps.opstamp;
        if let Some(mut w) = writer {
            opstamp = w.commit().map_err(Error::index(dir))?;
            w.wait_merging_threads().map_err(Error::index(dir))?;
            report.committed = true;
        }
        // Gone files were noted after the rest: one list, by file.
        report.file_changes.sort_by(|a, b| a.file.cmp(&b.file));
        docs.files = states;
        docs.opstamp = opstamp;
        docs.bury(tombstones);
        totals(&mut report, &docs);
        if report.committed || stamps_changed {
            let hashes: Vec<&str> = docs.files.iter().map(|s| s.hash.as_str()).collect();
            settle(&mut stamps, files, &hashes, scanned_ns);
            state::save(&dir.join(state::DOCS), &docs)?;
            state::save(
                &dir.join(state::STAMPS),
                &Stamps {
                    format: FORMAT,
                    opstamp,
                    corpus: corpus_name,
                    base: base_dir(),
                    files: stamps,
                    summary: summary(&report),
                },
            )?;
        }
        Ok(report)
    }
}

/// Counts an untouched file, re-reporting its problems.
fn keep(report: &mut Report, f: &FileState) {
    report.unchanged += f.docs.iter().filter(|d| !d.section).count();
    if let Some(p) = &f.problem {
        report.skipped.push(p.clone());
    }
    report.warnings.extend(f.warnings.iter().cloned());
}

pub(super) fn summary(r: &Report) -> Summary {
    Summary {
        articles: r.articles,
        sections: r.sections,
        paragraphs: r.paragraphs,
        skipped: r.skipped.clone(),
        warnings: r.warnings.clone(),
    }
}

/// Article, section and paragraph totals after an update.
pub(super) fn totals(report: &mut Report, docs: &Docs) {
    for f in &docs.files {
        if f.problem.is_none() {
            report.articles += 1;
        }
        for d in &f.docs {
            if d.section {
                report.sections += 1;
            } else {
                report.paragraphs += 1;
            }
        }
    }
}

/// Deletes all documents of a file.
fn remove_all(
    w: &mut IndexWriter,
    fields: &Fields,
    file: &str,
    old: &[DocState],
    report: &mut Report,
    tombstones: &mut Vec<Tombstone>,
) {
    for d in old {
        if d.section {
            report.sections_updated += 1;
        } else {
            report.removed += 1;
            tombstones.push(Tombstone {
                id: d.id.clone(),
                replaced_by: None,
                file: file.to_string(),
                section: d.path.to_vec(),
                paragraph: d.paragraph,
            });
        }
    }
    w.delete_term(Term::from_field_text(fields.file, file));
}

/// Applies the difference between a file's old and new documents and
/// returns the new states. With `replace_all`, the index may hold other
/// documents of the file than `old` says: all are deleted and every new one
/// added (the counts still describe the difference from `old`). `words` are
/// the new file's words, as [`Fields::to_tantivy`] takes them.
#[allow(clippy::too_many_arguments)]
fn apply_file(
    w: &mut IndexWriter,
    fields: &Fields,
    file: &str,
    old: &[DocState],
    new: &[Document],
    words: &[text::Word],
    replace_all: bool,
    report: &mut Report,
    tombstones: &mut Vec<Tombstone>,
) -> Result<Vec<DocState>> {
    if replace_all {
        w.delete_term(Term::from_field_text(fields.file, file));
    }
    let old_by_id: HashMap<(&str, bool), &DocState> = old
        .iter()
        .map(|d| ((d.id.as_str(), d.section), d))
        .collect();
    let new_ids: HashSet<(&str, bool)> = new
        .iter()
        .map(|d| (d.id.as_str(), d.kind == Kind::Section))
        .collect();
    let mut states = Vec::with_capacity(new.len());
    let mut added: Vec<&Document> = Vec::new();
    for d in new {
        let st = doc_state(d);
        match old_by_id.get(&(d.id.as_str(), st.section)) {
            Some(o) if o.digest == st.digest => {
                if replace_all {
                    w.add_document(fields.to_tantivy(d, words))
                        .map_err(Error::index("index"))?;
                }
                if !st.section {
                    report.unchanged += 1;
                }
            }
            Some(_) => {
                w.delete_term(Term::from_field_text(fields.key, &key(file, &d.id)));
                w.add_document(fields.to_tantivy(d, words))
                    .map_err(Error::index("index"))?;
                if st.section {
                    report.sections_updated += 1;
                } else {
                    report.moved += 1;
                }
            }
            None => {
                w.add_document(fields.to_tantivy(d, words))
                    .map_err(Error::index("index"))?;
                if st.section {
                    report.sections_updated += 1;
                } else {
                    added.push(d);
                }
            }
        }
        states.push(st);
    }
    // Old documents gone: an old paragraph at the same section and number
    // as a new one was edited in place; the rest were removed. An article
    // may repeat a section path (two `== Notes ==`), so one place can hold
    // several new paragraphs: keyed by place alone, all but one of them
    // went uncounted (345 of 231,104 on a corpus switch; issue 11, item 7).
    // They pair with old ones in article order.
    let mut new_at: HashMap<(&[String], usize), std::collections::VecDeque<&Document>> =
        HashMap::new();
    for d in &added {
        new_at
            .entry((d.section.as_slice(), d.paragraph.unwrap_or(0)))
            .or_default()
            .push_back(d);
    }
    let mut paired = 0;
    for o in old {
        if new_ids.contains(&(o.id.as_str(), o.section)) {
            continue;
        }
        w.delete_term(Term::from_field_text(fields.key, &key(file, &o.id)));
        if o.section {
            report.sections_updated += 1;
            continue;
        }
        let replaced_by = new_at
            .get_mut(&(o.path.as_slice(), o.paragraph))
            .and_then(|at| at.pop_front())
            .map(|d| d.id.clone());
        if replaced_by.is_some() {
            paired += 1;
            report.updated += 1;
        } else {
            report.removed += 1;
        }
        tombstones.push(Tombstone {
            id: o.id.clone(),
            replaced_by,
            file: file.to_string(),
            section: o.path.to_vec(),
            paragraph: o.paragraph,
        });
    }
    report.added += added.len() - paired;
    Ok(states)
}
