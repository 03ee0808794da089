//! An incremental update: the difference between the corpus and the
//! current generation, applied in one tantivy commit, and its report.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use tantivy::{IndexWriter, Term};

use super::freshness::{settle, stamp, unchanged};
use super::opened::Opened;
use super::report::{Change, Report};
use super::schema::{key, Fields};
use super::source::{doc_state, new_writer, read_file, summary, totals, warnings_of};
use super::state::{self, DocState, FileState, Stamp, Stamps, Tombstone};
use super::{base_dir, IndexDir, Walk, FORMAT};
use crate::corpus;
use crate::error::{Error, Result};
use crate::model::{Document, Kind};
use crate::progress::Progress;
use crate::text;

impl IndexDir {
    /// Applies the difference between the corpus and the current
    /// generation. Reads and writes the states of the buckets holding a
    /// changed file only; `None` when those cannot be read (then rebuild).
    pub(super) fn incremental(
        &self,
        opened: &Opened,
        walk: &Walk,
        corpus_root: &Path,
        repair: bool,
        progress: &dyn Fn(Progress),
    ) -> Result<Option<Report>> {
        let (files, scanned_ns) = (walk.files.as_slice(), walk.scanned_ns);
        let dir = &opened.dir;
        let fields = opened.fields;
        let shelf = &opened.stamps.shelf;
        if shelf.buckets.len() != state::BUCKETS {
            return Ok(None);
        }
        let mut report = Report::default();
        let old_stamps: HashMap<&str, &Stamp> = opened
            .stamps
            .files
            .iter()
            .map(|s| (s.file.as_str(), s))
            .collect();
        // Same size, mtime, ctime and inode: trust it without reading (the
        // cheap path that makes a no-change run cost one stat per file).
        let trusted: Vec<bool> = files
            .iter()
            .map(|file| {
                old_stamps
                    .get(file.display.as_str())
                    .is_some_and(|os| unchanged(os, file))
            })
            .collect();
        let now: HashSet<&str> = files.iter().map(|f| f.display.as_str()).collect();
        // The buckets to read and write: those of every file read again and
        // of every file gone.
        let touched: BTreeSet<usize> = files
            .iter()
            .zip(&trusted)
            .filter(|(_, t)| !**t)
            .map(|(f, _)| f.display.as_str())
            .chain(old_stamps.keys().copied().filter(|f| !now.contains(f)))
            .map(state::bucket_of)
            .collect();
        let Some(loaded_states) = shelf.load(dir, touched.iter().copied()) else {
            return Ok(None);
        };
        let Some(mut all_tombstones) = shelf.load_tombstones(dir) else {
            return Ok(None);
        };
        // What the untouched buckets hold, known from the totals without
        // reading them: the old totals less those of the buckets read.
        let mut untouched = Report::default();
        totals(&mut untouched, &loaded_states);
        let sum = &opened.stamps.summary;
        let untouched_articles = sum.articles.saturating_sub(untouched.articles);
        let untouched_sections = sum.sections.saturating_sub(untouched.sections);
        let untouched_paragraphs = sum.paragraphs.saturating_sub(untouched.paragraphs);
        let in_touched = |file: &str| touched.contains(&state::bucket_of(file));
        report.skipped = sum
            .skipped
            .iter()
            .filter(|p| !in_touched(&p.file))
            .cloned()
            .collect();
        report.warnings = sum
            .warnings
            .iter()
            .filter(|p| !in_touched(&p.file))
            .cloned()
            .collect();

        let mut old_files: HashMap<String, FileState> = loaded_states
            .into_iter()
            .map(|f| (f.file.clone(), f))
            .collect();
        let mut writer: Option<IndexWriter> = None;
        let mut stamps = Vec::with_capacity(files.len());
        let mut hashes: Vec<String> = Vec::with_capacity(files.len());
        let mut states: BTreeMap<usize, Vec<FileState>> =
            touched.iter().map(|&b| (b, Vec::new())).collect();
        let mut tombstones = Vec::new();
        let mut stamps_changed = false;
        let mut done = Progress::default();
        for (f, _) in files.iter().zip(&trusted).filter(|(_, t)| !**t) {
            done.files_total += 1;
            done.bytes_total += f.size;
        }

        for (file, &is_trusted) in files.iter().zip(&trusted) {
            let st = stamp(file);
            let bucket = state::bucket_of(&file.display);
            let old = old_files.remove(&file.display);
            if is_trusted {
                // In a bucket being rewritten, its state is carried over;
                // elsewhere it was counted with its bucket.
                if let Some(o) = old {
                    keep(&mut report, &o);
                    states.entry(bucket).or_default().push(o);
                }
                hashes.push(String::new());
                stamps.push(st);
                continue;
            }
            stamps_changed = true;
            let loaded = read_file(file);
            done.files_done += 1;
            done.bytes_done += file.size;
            progress(done);
            hashes.push(loaded.hash.clone());
            // A file that could not be read has no hash (""), so two
            // failed reads would look alike and the first failure's message
            // (say, "grew past the limit while being read") would be
            // repeated for ever: only content read twice is compared.
            if let Some(o) = old.as_ref().filter(|_| !repair) {
                if !loaded.hash.is_empty() && o.hash == loaded.hash {
                    report.note(&file.display, Change::Touched);
                    keep(&mut report, o);
                    states
                        .entry(bucket)
                        .or_default()
                        .push(old.expect("checked"));
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
                None => writer.insert(update_writer(&opened.index, dir, done.bytes_total)?),
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
                    FileState::skipped(&file.display, loaded.hash, p)
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
            states.entry(bucket).or_default().push(new_state);
            stamps.push(st);
        }
        // Files that are gone (the states left of the buckets read).
        let mut gone: Vec<FileState> = old_files.into_values().collect();
        gone.sort_by(|a, b| a.file.cmp(&b.file));
        for o in gone {
            stamps_changed = true;
            report.note(&o.file, Change::Removed);
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(update_writer(&opened.index, dir, 0)?),
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
        // Gone files were noted after the rest: one list, by file; the
        // problems, gathered from the old totals and the files read, too.
        report.file_changes.sort_by(|a, b| a.file.cmp(&b.file));
        report.sort_problems();
        report.unchanged += untouched_paragraphs;
        for written in states.values() {
            totals(&mut report, written);
        }
        report.articles += untouched_articles;
        report.sections += untouched_sections;
        report.paragraphs += untouched_paragraphs;
        if report.committed || stamps_changed {
            let hashes: Vec<&str> = hashes.iter().map(String::as_str).collect();
            settle(&mut stamps, files, &hashes, scanned_ns);
            let tombstones_changed = !tombstones.is_empty();
            state::bury(&mut all_tombstones, tombstones);
            let shelf = shelf.write(
                dir,
                states,
                tombstones_changed.then_some(all_tombstones.as_slice()),
            )?;
            state::save(
                &dir.join(state::STAMPS),
                &Stamps {
                    format: FORMAT,
                    opstamp,
                    corpus: corpus_name,
                    base: base_dir(),
                    files: stamps,
                    summary: summary(&report),
                    shelf: shelf.clone(),
                },
            )?;
            shelf.sweep(dir);
        }
        Ok(Some(report))
    }
}

/// A writer for an update of `bytes` of files. An edit adds a few
/// documents, and the arena of a full build (64 MB a thread) costs more to
/// clear than such an update takes: one thread and a small arena then,
/// the full build's writer for an update as large as an article is long.
fn update_writer(index: &tantivy::Index, dir: &Path, bytes: u64) -> Result<IndexWriter> {
    if bytes > LARGE_UPDATE_BYTES {
        let writer = new_writer(index, dir)?;
        writer.set_merge_policy(small_merges());
        return Ok(writer);
    }
    let writer = index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(Error::index(dir))?;
    writer.set_merge_policy(small_merges());
    writer
        .garbage_collect_files()
        .wait()
        .map_err(Error::index(dir))?;
    Ok(writer)
}

/// Merges only among small segments: a commit waits for the merges it
/// starts, and merging the full build's large segments took 17 s once.
fn small_merges() -> Box<dyn tantivy::merge_policy::MergePolicy> {
    let mut policy = tantivy::merge_policy::LogMergePolicy::default();
    policy.set_max_docs_before_merge(SMALL_SEGMENT_DOCS);
    Box::new(policy)
}

/// Segments with more documents than this are left out of an update's
/// merges.
const SMALL_SEGMENT_DOCS: usize = 20_000;

/// An update reading more than this many bytes gets the full writer.
const LARGE_UPDATE_BYTES: u64 = 2 << 20;

/// Counts an untouched file, re-reporting its problems.
fn keep(report: &mut Report, f: &FileState) {
    report.unchanged += f.docs.iter().filter(|d| !d.section).count();
    if let Some(p) = &f.problem {
        report.skipped.push(p.clone());
    }
    report.warnings.extend(f.warnings.iter().cloned());
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
