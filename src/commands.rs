//! The subcommands: glue between parsed arguments, the library and the
//! renderers. Results go to stdout, diagnostics to stderr.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;

use passage::index::watch::{next_burst, CorpusWatch, Pending, Timing};
use passage::index::{IndexDir, ModelChoice, Opened, Report, UpdateOptions};
use passage::query::Query;
use passage::quote::cite as run_cite;
use passage::render::{json, text};
use passage::search::search as run_search;
use passage::show::{show as run_show, Shown};

use crate::cli::{
    CheckArgs, CiteArgs, CompletionsArgs, ExportArgs, IndexArgs, InitArgs, Locations, ManArgs,
    RelatedArgs, SearchArgs, ShowArgs, StatusArgs, WatchArgs,
};
use crate::exit::Exit;
use crate::messages;

/// `passage index`.
pub fn index(args: &IndexArgs) -> Result<Exit> {
    if args.merge {
        IndexDir::new(&args.locations.index).merge(&args.locations.corpus)?;
        return Ok(Exit::Found);
    }
    let report = update(
        &args.locations,
        UpdateOptions {
            full: args.full,
            model: match (&args.model, args.no_model) {
                (Some(dir), _) => ModelChoice::Use(dir.clone()),
                (None, true) => ModelChoice::Drop,
                (None, false) => ModelChoice::Keep,
            },
        },
        Problems::All,
    )?;
    if report.committed {
        merge_later(&args.locations);
    }
    let mut out = stdout();
    if args.json {
        json::report(&mut out, &report)?;
    } else {
        text::report(&mut out, &report)?;
    }
    out.flush()?;
    Ok(if report.skipped.is_empty() {
        Exit::Found
    } else {
        Exit::Error
    })
}

/// `passage search`.
pub fn search(args: &SearchArgs) -> Result<Exit> {
    if args.list_sections {
        return list_sections(args);
    }
    let input = args.query_text();
    // Parsed once, here: a bad query is rejected before any (possibly
    // slow) index build.
    let query = Query::parse(&input)?;
    if args.count {
        return count(args, &query);
    }
    let options = args.options();
    let mut results = with_fresh(
        &args.locations,
        args.freshness.no_update,
        |opened| Ok(run_search(opened, &input, &query, &options)?),
        |r| r.unreadable.changed(),
    )?;
    if !results.notes.is_empty() {
        messages::info(format!(
            "searching for: {} ({})",
            results.read_as,
            results.notes.join("; ")
        ));
    }
    for note in &results.filter_notes {
        messages::note(note);
    }
    if let Some(capped) = passage::guard::hits_capped(args.limit) {
        messages::note(&capped);
        results.filter_notes.push(capped);
    }
    if !args.output.json {
        for s in &results.suggestions {
            let others: Vec<&str> = s
                .did_you_mean
                .iter()
                .map(String::as_str)
                .filter(|k| Some(*k) != s.searched_for.as_deref())
                .collect();
            messages::info(match &s.searched_for {
                Some(k) if others.is_empty() => {
                    format!(
                        "'{}' is not in the index; searching for '{k}' instead",
                        s.word
                    )
                }
                Some(k) => format!(
                    "'{}' is not in the index; searching for '{k}' instead (or did you mean: {}?)",
                    s.word,
                    others.join(", ")
                ),
                None => format!(
                    "'{}' is not in the index; did you mean: {}?",
                    s.word,
                    s.did_you_mean.join(", ")
                ),
            });
        }
    }
    if args.files_with_matches || args.format.is_some() {
        let mut out = stdout();
        match &args.format {
            Some(template) => text::formatted(&mut out, &results, template)?,
            None => text::files(&mut out, &results, args.limit)?,
        }
        out.flush()?;
        warn_unreadable(&results.unreadable);
        if results.total == 0 {
            messages::info("no matches");
        }
        return Ok(Exit::found_if(results.total > 0));
    }
    print_results(
        &results,
        args.output.json,
        args.output.style(),
        "no matches",
    )
}

/// `passage search -c`: per file, the paragraphs holding every word.
fn count(args: &SearchArgs, query: &Query) -> Result<Exit> {
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let counts = passage::search::count_by_file(&opened, query)?;
    let mut out = stdout();
    if args.output.json {
        json::counts(&mut out, &counts)?;
    } else {
        text::file_counts(&mut out, &counts)?;
    }
    out.flush()?;
    if counts.is_empty() {
        messages::info("no passage holds every word");
    }
    Ok(Exit::found_if(!counts.is_empty()))
}

/// Writes ranked results (search, related) and turns them into an exit
/// status: 0 when something matched (shown or not: `-n 0`), 1 otherwise.
/// In text, how many matched in all follows the hits on stderr; JSON
/// carries it as `total`.
fn print_results(
    results: &passage::search::Results,
    as_json: bool,
    style: passage::render::text::Style,
    none: &str,
) -> Result<Exit> {
    let mut out = stdout();
    if as_json {
        json::results(&mut out, results)?;
    } else {
        text::results(&mut out, results, style)?;
    }
    out.flush()?;
    warn_unreadable(&results.unreadable);
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

/// `passage search --list-sections`.
fn list_sections(args: &SearchArgs) -> Result<Exit> {
    // Reject a bad query before any (possibly slow) index build.
    let query = passage::sections::listing_query(&args.query_text())?;
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let toc = passage::sections::list_matching(&opened, &query)?;
    for note in &toc.notes {
        messages::note(note);
    }
    let mut out = stdout();
    if args.output.json {
        json::sections(&mut out, &toc)?;
    } else {
        text::sections(&mut out, &toc.articles)?;
    }
    out.flush()?;
    if toc.articles.is_empty() {
        messages::info("no sections to list");
    }
    Ok(Exit::found_if(!toc.articles.is_empty()))
}

/// `passage cite`.
pub fn cite(args: &CiteArgs) -> Result<Exit> {
    let quote = match (&args.file, args.quote.as_slice()) {
        (Some(path), _) => crate::input::quote(Some(path))?,
        (None, [dash]) if dash == "-" => crate::input::quote(None)?,
        (None, words) => words.join(" "),
    };
    // Reject a bad quote before any (possibly slow) index build.
    passage::quote::check_quote(&quote)?;
    let options = args.options();
    let results = with_fresh(
        &args.locations,
        args.freshness.no_update,
        |opened| Ok(run_cite(opened, &quote, &options)?),
        |r| r.unreadable.changed(),
    )?;
    let mut out = stdout();
    if args.output.json {
        json::cite(&mut out, &results)?;
    } else {
        text::cite(&mut out, &results, args.output.style())?;
    }
    out.flush()?;
    warn_unreadable(&results.unreadable);
    // The notes (what the listing leaves out, why there is no exact
    // match) are in the JSON too: the same words on stderr.
    for note in &results.notes {
        messages::note(note);
    }
    Ok(Exit::found_if(results.exact_total > 0))
}

/// `passage check`.
pub fn check(args: &CheckArgs) -> Result<Exit> {
    // Read every draft before any (possibly slow) index build.
    let drafts = args
        .drafts
        .iter()
        .map(|p| crate::input::draft(p))
        .collect::<Result<Vec<_>>>()?;
    let options = args.options();
    let report = with_fresh(
        &args.locations,
        args.freshness.no_update,
        |opened| Ok(passage::check::check(opened, &drafts, &options)?),
        |r| r.unreadable.changed(),
    )?;
    let mut out = stdout();
    if args.output.json {
        json::check(&mut out, &report)?;
    } else {
        text::check(&mut out, &report, args.output.style())?;
    }
    out.flush()?;
    warn_unreadable(&report.unreadable);
    if report.quotes.is_empty() {
        messages::info("no quotations found");
    }
    Ok(Exit::found_if(report.summary.all_exact()))
}

/// `passage show`.
pub fn show(args: &ShowArgs) -> Result<Exit> {
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let (shown, unreadable) = run_show(&opened, &args.id)?;
    let mut out = stdout();
    let replaced = matches!(
        shown,
        Shown::Edited { .. }
            | Shown::Removed {
                closest: Some(_),
                ..
            }
    );
    if args.output.json {
        json::show(&mut out, &shown, &args.id)?;
    } else if args.follow || !replaced {
        text::show(&mut out, &shown, args.output.style())?;
    }
    out.flush()?;
    warn_unreadable(&unreadable);
    match &shown {
        Shown::Found { .. } => Ok(Exit::Found),
        other if replaced && !args.output.json && !args.follow => {
            messages::info(format!("{} (--follow prints it)", other.message()));
            Ok(Exit::NotFound)
        }
        other => {
            messages::info(other.message());
            Ok(Exit::found_if(replaced && args.follow))
        }
    }
}

/// `passage related`.
pub fn related(args: &RelatedArgs) -> Result<Exit> {
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let opts = passage::search::SearchOptions {
        limit: args.limit.min(passage::limits::MAX_HITS),
        ..Default::default()
    };
    let mut found = passage::related::related(&opened, &args.id, &opts)?;
    if found.is_none() {
        // An edited passage: its current version, as `show` follows it.
        if let (Shown::Edited { docs, .. }, _) = run_show(&opened, &args.id)? {
            if let Some(current) = docs.first() {
                messages::note(format!(
                    "{} no longer exists: its passage was edited; passages related to its current version {}",
                    args.id, current.id
                ));
                found = passage::related::related(&opened, &current.id, &opts)?;
            }
        }
    }
    let Some(mut results) = found else {
        messages::info(format!(
            "no passage has the ID {} (try `passage show {}`)",
            args.id, args.id
        ));
        return Ok(Exit::NotFound);
    };
    if let Some(capped) = passage::guard::hits_capped(args.limit) {
        messages::note(&capped);
        results.notes.push(capped);
    }
    print_results(
        &results,
        args.output.json,
        args.output.style(),
        "no related passages",
    )
}

/// `passage init [DIR]`.
pub fn init(args: &InitArgs) -> Result<Exit> {
    let (file, settings) = passage::settings::init(&args.dir)?;
    let show = |p: &Option<std::path::PathBuf>| p.as_deref().map(|p| p.display().to_string());
    messages::info(format!(
        "wrote {} (corpus: {}, index: {})",
        file.display(),
        show(&settings.corpus).unwrap_or_default(),
        show(&settings.index).unwrap_or_default()
    ));
    Ok(Exit::Found)
}

/// `passage status`: the corpus and index a command here would use, where
/// each comes from, and whether the index is current.
pub fn status(args: &StatusArgs) -> Result<Exit> {
    let loc = &args.locations;
    let opened = IndexDir::new(&loc.index).open(&loc.corpus)?;
    // One walk of the corpus: the staleness check's, when there is an index.
    let (files, indexed, stale) = match &opened {
        Some(o) => {
            let (stale, scan) = o.staleness().stale_scan(&loc.corpus)?;
            (scan.files_found(), Some(o.files()?.len()), stale)
        }
        None => (
            passage::corpus::walk(&loc.corpus)?.files.len(),
            None,
            Vec::new(),
        ),
    };
    let state = match (indexed, stale.len()) {
        (None, _) => "no index yet (the first search builds it)".to_string(),
        (Some(_), 0) => "current".to_string(),
        (Some(_), 1) => format!(
            "1 file changed since it was built: {} (the next search updates it)",
            stale[0]
        ),
        (Some(_), n) => format!(
            "{} files changed since it was built (the next search updates it)",
            messages::thousands(n)
        ),
    };
    // The model whose meaning the paragraphs carry (`index --model`).
    let model = opened
        .as_ref()
        .map(|o| o.payload.model.clone())
        .filter(|m| !m.is_empty());
    let mut out = stdout();
    if args.json {
        #[derive(serde::Serialize)]
        struct Place {
            path: String,
            from: String,
        }
        #[derive(serde::Serialize)]
        struct Status {
            corpus: Place,
            index: Place,
            files: usize,
            indexed_files: Option<usize>,
            changed: Vec<String>,
            current: bool,
            model: Option<String>,
        }
        let s = Status {
            corpus: Place {
                path: loc.corpus.display().to_string(),
                from: loc.from.0.to_string(),
            },
            index: Place {
                path: loc.index.display().to_string(),
                from: loc.from.1.to_string(),
            },
            files,
            indexed_files: indexed,
            current: indexed.is_some() && stale.is_empty(),
            changed: stale,
            model,
        };
        serde_json::to_writer(&mut out, &s)?;
        writeln!(out)?;
    } else {
        let san = text::sanitize;
        writeln!(
            out,
            "corpus: {}  (from {})",
            san(&loc.corpus.display().to_string()),
            san(&loc.from.0.to_string())
        )?;
        writeln!(
            out,
            "index:  {}  (from {})",
            san(&loc.index.display().to_string()),
            san(&loc.from.1.to_string())
        )?;
        let articles = if files == 1 { "article" } else { "articles" };
        writeln!(
            out,
            "files:  {} {articles}; index {}",
            messages::thousands(files),
            san(&state)
        )?;
        if let Some(m) = model {
            writeln!(out, "model:  {}", san(&m))?;
        }
    }
    out.flush()?;
    Ok(Exit::Found)
}

/// `passage export --ndjson`.
pub fn export(args: &ExportArgs) -> Result<Exit> {
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let mut out = stdout();
    let (n, unreadable) =
        passage::export::for_each_document(&opened, |d| json::document_line(&mut out, d))?;
    out.flush()?;
    warn_unreadable(&unreadable);
    Ok(Exit::found_if(n > 0))
}

/// `passage completions SHELL`: the script clap_complete writes from the
/// same definitions that parse the arguments, so it cannot drift.
pub fn completions(args: &CompletionsArgs) -> Result<Exit> {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    let mut out = stdout();
    clap_complete::generate(args.shell, &mut cmd, "passage", &mut out);
    out.flush()?;
    Ok(Exit::Found)
}

/// `passage man [COMMAND]`: the manual page in roff, from the same
/// definitions that parse the arguments; `passage man search` is the page
/// of one subcommand (`passage-search(1)`), as git splits its pages.
pub fn man(args: &ManArgs) -> Result<Exit> {
    use clap::CommandFactory;
    let cmd = crate::cli::Cli::command();
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                anyhow::bail!("no manual page for '{name}' (pages: {})", names.join(", "));
            };
            let full = format!("passage-{name}");
            sub.clone()
                .name(full.clone())
                .display_name(full)
                .version(cmd.get_version().unwrap_or_default().to_string())
        }
    };
    let mut out = stdout();
    let extra = page.get_after_long_help().map(|h| h.to_string());
    let man = clap_mangen::Man::new(page.clone());
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if page.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if page.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(extra) = extra {
        // Laid out as written (the query table's columns), not refilled
        // into runs of words: roff's no-fill mode.
        writeln!(out, ".SH EXTRA\n.nf")?;
        for line in extra.lines() {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            let lead = if line.starts_with(['.', '\'']) {
                "\\&"
            } else {
                ""
            };
            writeln!(out, "{lead}{line}")?;
        }
        writeln!(out, ".fi")?;
    }
    if page.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    out.flush()?;
    Ok(Exit::Found)
}

/// `passage watch`: an update at start, then one after each burst of
/// changes in the corpus, one line each.
pub fn watch(args: &WatchArgs) -> Result<Exit> {
    let loc = &args.locations;
    let _watching = match IndexDir::new(&loc.index).watch_lock(&loc.corpus) {
        Ok(lock) => lock,
        Err(passage::Error::Busy { .. }) => {
            anyhow::bail!(
                "{}: another `passage watch` is already keeping this index current",
                loc.index.display()
            )
        }
        Err(e) => return Err(e.into()),
    };
    let print = |report: &Report| -> Result<()> {
        let mut out = io::stdout().lock();
        if args.json {
            json::report(&mut out, report)?;
        } else {
            text::watch_line(&mut out, report)?;
        }
        out.flush()?;
        Ok(())
    };
    // Watch before the first update: an edit made while it runs (or just
    // after its line is printed) is then an event, not lost. The corpus is
    // checked first, as the update would, so that a refused one (`/`) is
    // refused, not watched. Searches ask for a sync through cookies in the
    // index folder; one watcher reports both folders' events in one
    // ordered queue.
    passage::guard::check_corpus_root(&loc.corpus)?;
    passage::guard::check_locations(&loc.corpus, &loc.index)?;
    let (tx, rx) = mpsc::channel();
    let cookies = IndexDir::new(&loc.index).sync_dir()?;
    let mut watch = CorpusWatch::new(&loc.corpus, &loc.index, &cookies, move |event| {
        let _ = tx.send(event);
    })?;
    let first = update(loc, UpdateOptions::default(), Problems::All)?;
    print(&first)?;

    let timing = Timing::new(Duration::from_millis(args.debounce_ms));
    // A link target edited before its watch began is caught by one more
    // update.
    let mut pending = Pending {
        changed: watch.follow(&first.links),
        ..Pending::default()
    };
    let mut last_error = None;
    while next_burst(&rx, &mut pending, timing, |event| watch.classify(event)) {
        if pending.rewatch || watch.root_replaced() {
            // Watched again before the update, whose walk then sees every
            // file written in between.
            watch.rewatch();
            pending.rewatch = false;
            pending.changed = true;
        }
        let mut links = None;
        let outcome = if pending.changed {
            match update(loc, UpdateOptions::default(), Problems::Read) {
                Ok(mut report) => {
                    links = Some(std::mem::take(&mut report.links));
                    // Only an applied change is forgotten: a watcher that
                    // has not applied every event it saw never answers a
                    // cookie "synced". Events that arrived during the
                    // update wait in the channel and set it again.
                    pending.changed = false;
                    last_error = None;
                    if report.changed() {
                        print(&report)?;
                    }
                    Ok(())
                }
                Err(e) => {
                    let why = format!("{e:#}");
                    // Retried every second: said once, not every time.
                    if last_error.as_ref() != Some(&why) {
                        messages::error(&why);
                        last_error = Some(why.clone());
                    }
                    Err(why)
                }
            }
        } else {
            Ok(())
        };
        for cookie in pending.cookies.drain(..) {
            passage::index::sync::answer(&cookie, outcome.clone());
        }
        // Links may have come or gone. A target newly watched may have
        // been written before its watch: update again.
        if let Some(links) = links {
            pending.changed |= watch.follow(&links);
        }
        // Between changes, with every search answered: the watcher is
        // where small segments are merged when it runs.
        let dir = IndexDir::new(&loc.index);
        if outcome.is_ok() && dir.needs_merge() {
            if let Err(e) = dir.merge(&loc.corpus) {
                messages::warning(format!("merging the index's segments failed: {e:#}"));
            }
        }
    }
    // The watch is gone: nothing more will come.
    Ok(Exit::Found)
}

/// Opens the index, building it when there is none and bringing it up to
/// date when the corpus changed since (unless `--no-update`).
fn open_fresh(loc: &Locations, no_update: bool) -> Result<Opened> {
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
) -> Result<(Opened, T)> {
    use passage::index::freshness::{ensure_fresh, Event, NotUpdated, Policy};
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
    fresh
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

/// Warns about passages whose text could not be read back from the corpus.
fn warn_unreadable(unreadable: &passage::index::Unreadable) {
    for p in unreadable.iter() {
        messages::warning(format!("{p}; its passages are shown without text"));
    }
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
        if io::stderr().is_terminal() {
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

/// Locked stdout, line-buffered on a terminal and block-buffered otherwise.
fn stdout() -> Box<dyn Write> {
    let out = io::stdout();
    if out.is_terminal() {
        Box::new(io::LineWriter::new(out.lock()))
    } else {
        Box::new(io::BufWriter::new(out.lock()))
    }
}
