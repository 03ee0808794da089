//! The subcommands: glue between parsed arguments, the library and the
//! renderers. Results go to stdout, diagnostics to stderr.
//!
//! Each subcommand is a file here holding its arguments (clap derive), its
//! long help and its `run`; this module holds what they share: opening the
//! index fresh, updating it with a progress bar, reporting its problems,
//! printing ranked results.

pub mod check;
pub mod cite;
pub mod completions;
pub mod export;
pub mod index;
pub mod init;
pub mod man;
pub mod related;
pub mod search;
pub mod serve;
pub mod show;
pub mod status;
pub mod watch;

use std::io::{self, Write};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use anyhow::Result;

use passage::index::watch::{next_burst, CorpusWatch, Pending, Timing};
use passage::index::{IndexDir, ModelChoice, Opened, Report, UpdateOptions};
use passage::notice::Notice;
use passage::query::Query;
use passage::quote::cite as run_cite;
use passage::render::{json, text};
use passage::search::search as run_search;
use passage::show::{show as run_show, Shown};

use clap::{Args, ValueEnum};
use std::path::PathBuf;

use crate::cli::{hit_count, CitationStyle, Freshness, Locations, Output};
use crate::console::stdout;
use crate::exit::Exit;
use crate::messages;

/// Writes ranked results (search, related), their notices first, and
/// turns them into an exit status: 0 when something matched (shown or not:
/// `-n 0`), 1 otherwise. In text, how many matched in all follows the hits
/// on stderr; JSON carries it as `total`.
fn print_results(
    results: &passage::search::Results,
    as_json: bool,
    style: passage::render::text::Style,
    none: &str,
) -> Result<Exit> {
    messages::notices(&results.notices());
    let mut out = stdout();
    if as_json {
        json::results(&mut out, results)?;
    } else {
        text::results(&mut out, results, style)?;
    }
    out.flush()?;
    if results.total == 0 {
        messages::info(none);
        return Ok(Exit::NotFound);
    }
    if !as_json {
        messages::info(total_line(results));
    }
    Ok(Exit::Found)
}

/// `18,914 matches, 10 shown`; `2 matches` when every one is shown; and
/// when only some passages hold every word, how many do: `28 passages hold
/// every word (2,845 hold some), 10 shown`, or the words no passage holds
/// together.
fn total_line(r: &passage::search::Results) -> String {
    let (total, every, shown) = (r.total, r.every_word_total, r.shown());
    let shown = if shown >= total {
        String::new()
    } else {
        format!(", {} shown", messages::thousands(shown))
    };
    let some = format!("({} hold some)", messages::thousands(total));
    match every {
        _ if every >= total => {
            let matches = if total == 1 { "match" } else { "matches" };
            format!("{} {matches}{shown}", messages::thousands(total))
        }
        0 => format!(
            "no passage holds every word {some}{shown}; not found together: {}",
            r.content_words.join(", ")
        ),
        1 => format!("1 passage holds every word {some}{shown}"),
        n => format!(
            "{} passages hold every word {some}{shown}",
            messages::thousands(n)
        ),
    }
}

/// Opens the index, building it when there is none and bringing it up to
/// date when the corpus changed since (unless `--no-update`).
fn open_fresh(loc: &Locations, no_update: bool) -> Result<Arc<Opened>> {
    let stale = std::cell::Cell::new(false);
    fresh(loc, no_update, &stale, |_| Ok(())).map(|(opened, ())| opened)
}

/// Runs `work` on the index brought up to date (see [`fresh`]), for a
/// command that ends when its answer is written: the index is never closed.
/// Unmapping its files and freeing its readers cost more than some searches
/// (a third of a millisecond on the bench corpus), and the process exit
/// releases them anyway.
///
/// An answer that read back text from a file rewritten since it was
/// indexed (`read_changed`: even while this command ran) is made once
/// more after another update; if the file changed again, the answer says
/// so on stderr.
fn with_fresh<T>(
    loc: &Locations,
    no_update: bool,
    work: impl Fn(&Opened) -> Result<T>,
    read_changed: impl Fn(&T) -> bool,
) -> Result<T> {
    let stale = std::cell::Cell::new(false);
    let (opened, answer) = fresh(loc, no_update, &stale, &work)?;
    std::mem::forget(opened);
    // An index that could not be updated (said on stderr) would answer
    // the same again.
    if no_update || stale.get() || !read_changed(&answer) {
        return Ok(answer);
    }
    let (opened, again) = fresh(loc, no_update, &stale, &work)?;
    std::mem::forget(opened);
    Ok(again)
}

/// Runs `work` on the index brought up to date by
/// [`passage::index::freshness::ensure_fresh`], saying on stderr what it
/// did and whenever the answer may not include every edit (and then
/// setting `stale`).
fn fresh<T>(
    loc: &Locations,
    no_update: bool,
    stale: &std::cell::Cell<bool>,
    work: impl Fn(&Opened) -> Result<T>,
) -> Result<(Arc<Opened>, T)> {
    use passage::index::freshness::{ensure_fresh, Event, NotUpdated, Policy};
    // Run by a server for a client: its index is already current.
    if let Some(opened) = crate::console::resident() {
        let done = work(&opened)?;
        return Ok((opened, done));
    }
    let bar = progress_bar();
    let progress = progress_of(&bar);
    let tell = |event: Event| {
        bar.suspend(|| match event {
            Event::Building => messages::info(format!(
                "no index in {}; building it from {}",
                loc.index.display(),
                loc.corpus.display()
            )),
            Event::Built(report) => report_problems(&report, Problems::Read),
            Event::WatcherDistrusted(why) => messages::warning(format!(
                "the watcher of {} {why}; checking the corpus instead",
                loc.index.display()
            )),
            Event::WatcherFailed(why) => messages::warning(format!(
                "the watcher of {} could not apply the changes ({why}); checking the corpus instead",
                loc.index.display()
            )),
            Event::CorpusUnreadable(e) => {
                messages::warning(format!("{e}; searching the index as it was built"))
            }
            Event::Updated { what, report } => {
                messages::info(text::freshened(&report, &what));
                report_problems(&report, Problems::Read);
            }
            Event::Stale { what, why } => messages::warning(match why {
                NotUpdated::Declined => format!(
                    "{what} changed since the index was built; results may be out of date (run `passage index`)"
                ),
                NotUpdated::Busy => format!(
                    "{what} changed and another process is updating the index; searching its last committed state"
                ),
                NotUpdated::Failed(e) => format!(
                    "{what} changed but the index cannot be updated ({e}); searching its last committed state"
                ),
            }),
        })
    };
    let policy = Policy {
        update: !no_update,
        ..Policy::default()
    };
    let updated = std::cell::Cell::new(false);
    let tell_and_note = |event: Event| {
        if matches!(event, Event::Updated { .. }) {
            updated.set(true);
        }
        if matches!(event, Event::Stale { .. } | Event::CorpusUnreadable(_)) {
            stale.set(true);
        }
        tell(event);
    };
    // A command that fails leaves nothing behind: no empty index folder
    // where it found no corpus to build one from.
    let existed = loc.index.exists();
    if !existed {
        passage::corpus::root_metadata(&loc.corpus)?;
    }
    let fresh = ensure_fresh(
        &IndexDir::new(&loc.index),
        &loc.corpus,
        policy,
        &tell_and_note,
        &progress,
        work,
    );
    if fresh.is_err() && !existed && loc.index.is_dir() {
        // Made by this command, holding only what it began to write.
        let _ = std::fs::remove_dir_all(&loc.index);
    }
    bar.finish_and_clear();
    if updated.get() {
        merge_later(loc);
    }
    fresh.map(|(opened, done)| (Arc::new(opened), done))
}

/// Starts merging the index's small segments in a process of its own when
/// updates have left too many (as `git gc --auto` does): no command waits
/// for a merge, and the next writer waits for this one only while it runs.
fn merge_later(loc: &Locations) {
    let dir = IndexDir::new(&loc.index);
    if !dir.needs_merge() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    use std::os::unix::process::CommandExt;
    // Nothing is said if it cannot start: the next update tries again.
    let _ = std::process::Command::new(exe)
        .arg("index")
        .arg("--merge")
        .arg("--corpus")
        .arg(&loc.corpus)
        .arg("--index")
        .arg(&loc.index)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        // Its own process group: a Ctrl-C meant for the command does not
        // cut the merge short (a killed merge is harmless, but wasted).
        .process_group(0)
        .spawn();
}

/// Which problems of the corpus an update reports on stderr.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Problems {
    /// Every skipped file and warning of the corpus, read this time or
    /// not: `passage index` (and `watch` as it starts) states the corpus's
    /// problems, which are why `index` exits 2.
    All,
    /// Only those of the files this update read: an automatic update (a
    /// search noticing an edit, `watch` after a change) says nothing again
    /// about files it did not touch.
    Read,
}

/// Updates the index and reports problems with corpus files on stderr, one
/// `file:line: message` line each.
fn update(loc: &Locations, opts: UpdateOptions, problems: Problems) -> Result<Report> {
    let bar = progress_bar();
    let result =
        IndexDir::new(&loc.index).update_with_progress(&loc.corpus, opts, &progress_of(&bar));
    bar.finish_and_clear();
    let report = result?;
    report_problems(&report, problems);
    Ok(report)
}

/// A progress bar for builds long enough to wonder about, only on a
/// terminal. It counts bytes, not files (file sizes differ a thousandfold),
/// and shows no time left until there is a basis for a guess (see
/// `passage::progress`).
fn progress_bar() -> indicatif::ProgressBar {
    use passage::progress::{time_left, Progress};
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        if crate::console::stderr_is_terminal() {
            indicatif::ProgressDrawTarget::stderr()
        } else {
            indicatif::ProgressDrawTarget::hidden()
        },
    );
    let left = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        let p = Progress {
            bytes_done: state.pos(),
            bytes_total: state.len().unwrap_or(0),
            ..Progress::default()
        };
        let _ = w.write_str(&time_left(&p, state.elapsed()));
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "indexing {bar:40} {binary_bytes}/{binary_total_bytes}, {msg} files, {left}",
        )
        .map(|s| s.with_key("left", left))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// What an update calls after each file, drawing `bar`.
fn progress_of(bar: &indicatif::ProgressBar) -> impl Fn(passage::progress::Progress) + '_ {
    let ticking = std::cell::Cell::new(false);
    move |p| {
        if p.worth_a_bar() {
            bar.set_length(p.bytes_total);
            bar.set_position(p.bytes_done);
            bar.set_message(format!("{}/{}", p.files_done, p.files_total));
            // Redraws are rate-limited, so the last update may never be
            // drawn, and none comes while the writer flushes a segment or
            // commits: a steady tick keeps the bytes and the time left true.
            if !ticking.replace(true) {
                bar.enable_steady_tick(Duration::from_millis(250));
            }
        }
    }
}

fn report_problems(report: &Report, which: Problems) {
    let (warnings, skipped) = match which {
        Problems::All => (
            report.warnings.iter().collect(),
            report.skipped.iter().collect(),
        ),
        Problems::Read => report.problems_read(),
    };
    for p in warnings {
        messages::problem(p, "warning");
    }
    for p in skipped {
        let what = if p.file.ends_with('/') {
            "folder skipped"
        } else {
            "file skipped"
        };
        messages::problem(p, what);
    }
}
