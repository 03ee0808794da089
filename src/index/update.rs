//! An incremental update: the files whose stamp changed are read again; a
//! file whose content changed has its block deleted and written anew (its
//! documents compared with the old ones only to count what changed and to
//! lay tombstones), in one tantivy commit that also carries the new
//! stamps and totals, without waiting for any merge.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use tantivy::query::RangeQuery;
use tantivy::{TantivyDocument, Term};

use super::block::BlockSummary;
use super::build::{add_totals, totals_into};
use super::catalog::{self, tombstone_doc, IndexedFile};
use super::freshness::settle;
use super::remove::{FileDocs, Part};
use super::report::{Change, Report};
use super::source::{load, update_writer, Made, Writer};
use super::state::{DocState, Payload, Tombstone};
use super::{IndexDir, Opened, Walk};
use crate::error::{Error, Result};
use crate::limits::MAX_TOMBSTONES;
use crate::meaning::Model;
use crate::model::{Id, SourceFile};
use crate::progress::Progress;

impl IndexDir {
    /// Applies the difference between the corpus and the current
    /// generation.
    pub(super) fn incremental(
        &self,
        opened: &Opened,
        walk: &Walk,
        corpus_root: &Path,
        model: Option<&Model>,
        progress: &dyn Fn(Progress),
    ) -> Result<Report> {
        let dir = &opened.dir;
        let fields = opened.fields;
        let searcher = &opened.searcher;
        let err = |e| Error::index(dir)(e);
        let indexed = catalog::files(searcher, &fields).map_err(err)?;
        let pairs = pair(&walk.files, &indexed);
        let mut report = Report::default();
        let mut payload = Payload {
            corpus: super::canonical_corpus(corpus_root),
            given: corpus_root.display().to_string(),
            ..opened.payload.clone()
        };
        // A file gone with the corpus it was in is named as that corpus was
        // given (`passage index --corpus other` after `corpus/`).
        let old_corpus = if payload.corpus == opened.payload.corpus {
            opened.corpus.clone()
        } else {
            super::CorpusRoot::new(Path::new(&opened.payload.given))
        };
        let mut done = Progress::default();
        for (f, old) in &pairs {
            if let Some(f) = f.filter(|f| old.is_none_or(|o| !o.entry.stamp.matches(f))) {
                done.files_total += 1;
                done.bytes_total += f.size;
            }
        }
        let mut writer: Option<Writer> = None;
        let bytes_total = done.bytes_total;
        let writer_for = |writer: &mut Option<Writer>| -> Result<()> {
            if writer.is_none() {
                *writer = Some(update_writer(&opened.index, dir, bytes_total)?);
            }
            Ok(())
        };
        // New file documents wait until their racy stamps are settled.
        let mut file_docs: Vec<(&SourceFile, Made)> = Vec::new();
        let mut tombstones: Vec<Tombstone> = Vec::new();
        let mut born: Vec<Id> = Vec::new();
        for (f, old) in pairs {
            match (f, old) {
                (Some(f), Some(old)) if old.entry.stamp.matches(f) => {
                    report.unchanged += old.counts.paragraphs as usize;
                    let (problem, warnings) =
                        catalog::problems_of(searcher, &fields, old, &f.display).map_err(err)?;
                    report.skipped.extend(problem);
                    report.warnings.extend(warnings);
                }
                (Some(f), old) => {
                    let loaded = load(f);
                    done.files_done += 1;
                    done.bytes_done += f.size;
                    progress(done);
                    writer_for(&mut writer)?;
                    let w = writer.as_mut().expect("made above");
                    // A file that could not be read has no hash (0), so two
                    // failed reads would look alike and the first failure's
                    // message would be repeated for ever: only content read
                    // twice is compared.
                    if let Some(old) = old.filter(|o| o.entry.hash != 0) {
                        if old.entry.hash == loaded.entry.hash {
                            report.note(&f.display, Change::Touched);
                            report.unchanged += old.counts.paragraphs as usize;
                            let (problem, warnings) =
                                catalog::problems_of(searcher, &fields, old, &f.display)
                                    .map_err(err)?;
                            report.skipped.extend(problem.clone());
                            report.warnings.extend(warnings.clone());
                            w.delete(Box::new(FileDocs::new(
                                fields.path,
                                &old.entry.rel,
                                Part::FileDoc,
                            )))?;
                            file_docs.push((
                                f,
                                Made {
                                    entry: loaded.entry,
                                    problem,
                                    warnings,
                                    summary: summary_of(old),
                                },
                            ));
                            continue;
                        }
                    }
                    let old_states = match old {
                        Some(old) => {
                            report.note(&f.display, Change::Edited);
                            subtract(&mut payload, old);
                            w.delete(Box::new(FileDocs::new(
                                fields.path,
                                &old.entry.rel,
                                Part::All,
                            )))?;
                            catalog::block_states(
                                searcher,
                                &fields,
                                opened.all_cols(),
                                &old.entry.rel,
                            )
                            .map_err(err)?
                            .states
                        }
                        None => {
                            report.note(&f.display, Change::Added);
                            Vec::new()
                        }
                    };
                    let mut emit = |docs: Vec<TantivyDocument>| -> Result<()> { w.add_batch(docs) };
                    let made = loaded.make(&f.display, fields, true, model, &mut emit)?;
                    report.skipped.extend(made.problem.clone());
                    report.warnings.extend(made.warnings.iter().cloned());
                    add_totals(&mut payload, &made);
                    compare(
                        &f.rel,
                        &old_states,
                        &made.summary.states,
                        &mut report,
                        &mut tombstones,
                        &mut born,
                    );
                    file_docs.push((f, made));
                }
                (None, Some(old)) => {
                    let display = old_corpus.display(&old.entry.rel);
                    report.note(&display, Change::Removed);
                    writer_for(&mut writer)?;
                    let w = writer.as_mut().expect("made above");
                    subtract(&mut payload, old);
                    let old_states =
                        catalog::block_states(searcher, &fields, opened.all_cols(), &old.entry.rel)
                            .map_err(err)?
                            .states;
                    w.delete(Box::new(FileDocs::new(
                        fields.path,
                        &old.entry.rel,
                        Part::All,
                    )))?;
                    compare(
                        &old.entry.rel,
                        &old_states,
                        &[],
                        &mut report,
                        &mut tombstones,
                        &mut born,
                    );
                }
                (None, None) => {}
            }
        }
        {
            let mut racy: Vec<_> = file_docs
                .iter_mut()
                .map(|(f, m)| (*f, &mut m.entry.stamp, m.entry.hash))
                .collect();
            settle(&mut racy, walk.scanned_ns);
        }
        if let Some(w) = writer.as_mut() {
            for (_, m) in &file_docs {
                w.add(m.file_doc(fields))?;
            }
            bury(opened, w, &mut payload, tombstones, &born)?;
        }
        report.file_changes.sort_by(|a, b| a.file.cmp(&b.file));
        report.sort_problems();
        totals_into(&mut report, &payload);
        if writer.is_some() || payload != opened.payload {
            let w = match writer {
                Some(w) => w,
                None => update_writer(&opened.index, dir, 0)?,
            };
            w.commit(&payload.encode())?;
            // What a search can find changed: a touched file's new stamp is
            // committed too, but finds nothing new.
            report.committed = report.files_changed > 0;
        }
        Ok(report)
    }
}

/// The corpus files (sorted by path) beside the indexed ones (sorted by
/// path), paired by path.
fn pair<'a>(
    files: &'a [SourceFile],
    indexed: &'a [IndexedFile],
) -> Vec<(Option<&'a SourceFile>, Option<&'a IndexedFile>)> {
    use std::cmp::Ordering;
    let mut out = Vec::with_capacity(files.len().max(indexed.len()));
    let (mut i, mut j) = (0, 0);
    loop {
        let order = match (files.get(i), indexed.get(j)) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(f), Some(o)) => f.rel.cmp(&o.entry.rel),
        };
        match order {
            Ordering::Less => {
                out.push((Some(&files[i]), None));
                i += 1;
            }
            Ordering::Greater => {
                out.push((None, Some(&indexed[j])));
                j += 1;
            }
            Ordering::Equal => {
                out.push((Some(&files[i]), Some(&indexed[j])));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// A file's totals as its file document keeps them.
fn summary_of(old: &IndexedFile) -> BlockSummary {
    let c = &old.counts;
    BlockSummary {
        article: true,
        sections: c.sections,
        paragraphs: c.paragraphs,
        paragraph_words: c.paragraph_words,
        section_words: c.section_words,
        heading_words: c.heading_words,
        context_words: c.context_words,
        title_words: c.title_words,
        states: Vec::new(),
    }
}

/// Takes a file's totals out of the commit's.
fn subtract(p: &mut Payload, old: &IndexedFile) {
    let c = &old.counts;
    p.files = p.files.saturating_sub(1);
    // A skipped file has no sections: only an article has a lead.
    p.articles = p.articles.saturating_sub(u64::from(c.sections > 0));
    p.sections = p.sections.saturating_sub(c.sections);
    p.paragraphs = p.paragraphs.saturating_sub(c.paragraphs);
    p.paragraph_words = p.paragraph_words.saturating_sub(c.paragraph_words);
    p.section_words = p.section_words.saturating_sub(c.section_words);
    p.heading_words = p.heading_words.saturating_sub(c.heading_words);
    p.context_words = p.context_words.saturating_sub(c.context_words);
    p.title_doc_words = p
        .title_doc_words
        .saturating_sub(c.title_words * (c.sections + c.paragraphs));
    p.title_words = p.title_words.saturating_sub(c.title_words);
}

/// Counts what changed between a file's old and new documents, and lays a
/// tombstone for each passage that is gone: an old paragraph at the same
/// section and number as a new one was edited in place; the rest were
/// removed. An article may repeat a section path (two `== Notes ==`), so
/// one place can hold several new paragraphs: they pair with old ones in
/// article order.
fn compare(
    rel: &str,
    old: &[DocState],
    new: &[DocState],
    report: &mut Report,
    tombstones: &mut Vec<Tombstone>,
    born: &mut Vec<Id>,
) {
    let old_by_id: HashMap<Id, &DocState> = old.iter().map(|d| (d.id, d)).collect();
    let new_ids: HashSet<Id> = new.iter().map(|d| d.id).collect();
    let mut added: Vec<&DocState> = Vec::new();
    for d in new {
        match old_by_id.get(&d.id) {
            Some(o) if o.digest == d.digest => {
                if !d.is_section() {
                    report.unchanged += 1;
                }
            }
            Some(_) if d.is_section() => report.sections_updated += 1,
            Some(_) => report.moved += 1,
            None if d.is_section() => report.sections_updated += 1,
            None => {
                added.push(d);
                born.push(d.id);
            }
        }
    }
    let mut new_at: HashMap<(&[String], usize), VecDeque<&DocState>> = HashMap::new();
    for d in &added {
        new_at
            .entry((d.path.as_slice(), d.paragraph))
            .or_default()
            .push_back(d);
    }
    let mut paired = 0;
    for o in old {
        if new_ids.contains(&o.id) {
            continue;
        }
        if o.is_section() {
            report.sections_updated += 1;
            continue;
        }
        let replaced_by = new_at
            .get_mut(&(o.path.as_slice(), o.paragraph))
            .and_then(|at| at.pop_front())
            .map(|d| d.id);
        if replaced_by.is_some() {
            paired += 1;
            report.updated += 1;
        } else {
            report.removed += 1;
        }
        tombstones.push(Tombstone {
            id: o.id,
            replaced_by,
            file: rel.to_string(),
            section: o.path.to_vec(),
            paragraph: o.paragraph,
        });
    }
    report.added += added.len() - paired;
}

/// Adds the new tombstones, drops those of IDs alive again, and the oldest
/// beyond [`MAX_TOMBSTONES`].
fn bury(
    opened: &Opened,
    w: &mut Writer,
    payload: &mut Payload,
    new: Vec<Tombstone>,
    born: &[Id],
) -> Result<()> {
    let f = opened.fields;
    let err = |e| Error::index(&opened.dir)(e);
    if payload.tombstones > 0 && !born.is_empty() {
        let born: HashSet<Id> = born.iter().copied().collect();
        let existing = catalog::tombstones(&opened.searcher, &f).map_err(err)?;
        for (seq, t, _) in existing {
            if born.contains(&t.id) {
                let at = Term::from_field_u64(f.seq, seq);
                w.delete(Box::new(RangeQuery::new(
                    std::ops::Bound::Included(at.clone()),
                    std::ops::Bound::Included(at),
                )))?;
                payload.tombstones = payload.tombstones.saturating_sub(1);
            }
        }
    }
    for t in &new {
        payload.tombstone_seq += 1;
        payload.tombstones += 1;
        w.add(tombstone_doc(&f, t, payload.tombstone_seq))?;
    }
    if payload.tombstones > MAX_TOMBSTONES {
        // Sequence numbers are dense among the newest: everything below the
        // newest MAX_TOMBSTONES goes.
        let keep_from = payload.tombstone_seq + 1 - MAX_TOMBSTONES;
        w.delete(Box::new(RangeQuery::new(
            std::ops::Bound::Unbounded,
            std::ops::Bound::Excluded(Term::from_field_u64(f.seq, keep_from)),
        )))?;
        payload.tombstones = MAX_TOMBSTONES;
    }
    Ok(())
}
