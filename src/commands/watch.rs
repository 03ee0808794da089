//! `passage watch`: keep the index up to date while the corpus is edited.

use super::*;
use passage::limits::MAX_DEBOUNCE_MS;

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Print one JSON object per update instead of a line of text.
    #[arg(long)]
    pub json: bool,
    /// Quiet time after a change before updating, in milliseconds (at most
    /// 60000: a watcher that waits longer is one that searches cannot
    /// trust to be current)
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 200,
        value_parser = clap::value_parser!(u64).range(0..=MAX_DEBOUNCE_MS)
    )]
    pub debounce_ms: u64,
    #[command(flatten)]
    pub locations: Locations,
}

/// `passage watch`: an update at start, then one after each burst of
/// changes in the corpus, one line each.
pub fn run(args: &WatchArgs) -> Result<Exit> {
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
    let mut print = |applied: Applied<'_>| -> Result<()> {
        let Applied::Update(report) = applied else {
            return Ok(());
        };
        let mut out = io::stdout().lock();
        if args.json {
            json::report(&mut out, report)?;
        } else {
            text::watch_line(&mut out, report)?;
        }
        out.flush()?;
        Ok(())
    };
    keep_current(loc, Duration::from_millis(args.debounce_ms), &mut print)?;
    // The watch is gone: nothing more will come.
    Ok(Exit::Found)
}

/// What [`keep_current`] did to the index.
pub(crate) enum Applied<'a> {
    /// An update that changed it (the first, whatever it changed).
    Update(&'a Report),
    /// A merge of its small segments.
    Merge,
    /// The searches that asked for a sync were answered (a server in this
    /// process waits for this, not for the cookie files to go).
    Answered,
}

/// Keeps the index of `loc` current while the corpus is edited, until the
/// watch ends: an update at start, then one after each burst of changes.
/// `applied` hears of each change to the index before the searches waiting
/// for it are answered. The caller holds the watch lock.
pub(crate) fn keep_current(
    loc: &Locations,
    debounce: Duration,
    applied: &mut dyn FnMut(Applied<'_>) -> Result<()>,
) -> Result<()> {
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
    applied(Applied::Update(&first))?;

    let timing = Timing::new(debounce);
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
                        applied(Applied::Update(&report))?;
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
        if !pending.cookies.is_empty() {
            for cookie in pending.cookies.drain(..) {
                passage::index::sync::answer(&cookie, outcome.clone());
            }
            applied(Applied::Answered)?;
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
            match dir.merge(&loc.corpus) {
                Ok(true) => applied(Applied::Merge)?,
                Ok(false) => {}
                Err(e) => messages::warning(format!("merging the index's segments failed: {e:#}")),
            }
        }
    }
    Ok(())
}
