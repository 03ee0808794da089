//! The subcommands: glue between parsed arguments, the library and the
//! renderers. Results go to stdout, diagnostics to stderr.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};

use passage::cite::cite as run_cite;
use passage::index::{BuildReport, IndexDir, Opened};
use passage::query::Query;
use passage::render::{json, text};
use passage::search::search as run_search;

use crate::cli::{CiteArgs, IndexArgs, Locations, SearchArgs};

/// `passage index`.
pub fn index(args: &IndexArgs) -> Result<ExitCode> {
    let report = build(&args.locations)?;
    let mut out = stdout();
    if args.json {
        json::build_report(&mut out, &report)?;
    } else {
        text::build_report(&mut out, &report)?;
    }
    out.flush()?;
    Ok(if report.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `passage search`.
pub fn search(args: &SearchArgs) -> Result<ExitCode> {
    let input = args.query_text();
    // Reject a bad query before any (possibly slow) index build.
    Query::parse(&input)?;
    let opened = open_or_build(&args.locations)?;
    let results = run_search(&opened, &input, &args.options())?;
    for note in &results.notes {
        eprintln!("passage: note: {}", text::sanitize(note));
    }
    let mut out = stdout();
    if args.json {
        json::results(&mut out, &results)?;
    } else {
        text::results(&mut out, &results, args.color.style())?;
    }
    out.flush()?;
    if results.hits.is_empty() {
        eprintln!("passage: no matches");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `passage cite`.
pub fn cite(args: &CiteArgs) -> Result<ExitCode> {
    let quote = args.quote.join(" ");
    // Reject a bad quote before any (possibly slow) index build.
    passage::cite::check_quote(&quote)?;
    let opened = open_or_build(&args.locations)?;
    let results = run_cite(&opened, &quote, &args.options())?;
    for note in &results.notes {
        eprintln!("passage: note: {}", text::sanitize(note));
    }
    let mut out = stdout();
    if args.json {
        json::cite(&mut out, &results)?;
    } else {
        text::cite(&mut out, &results, args.color.style())?;
    }
    out.flush()?;
    let shown = results
        .matches
        .iter()
        .filter(|m| m.kind == passage::cite::MatchKind::Exact)
        .count();
    if results.exact_total > shown {
        eprintln!(
            "passage: {} more exact matches not shown (--limit)",
            results.exact_total - shown
        );
    }
    if results.exact_total == 0 {
        if results.matches.is_empty() {
            eprintln!("passage: the quote is not in the corpus, and no passage is close to it");
        } else {
            eprintln!("passage: no exact match; the closest passages are shown");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the index, building it first when there is none.
fn open_or_build(loc: &Locations) -> Result<Opened> {
    let dir = IndexDir::new(&loc.index);
    if let Some(opened) = dir.open()? {
        return Ok(opened);
    }
    eprintln!(
        "passage: no index in {}; building it from {}",
        loc.index.display(),
        loc.corpus.display()
    );
    build(loc)?;
    dir.open()?.with_context(|| {
        format!(
            "{}: the index just built cannot be opened",
            loc.index.display()
        )
    })
}

/// Builds the index and reports problems with corpus files on stderr, one
/// `file:line: message` line each.
fn build(loc: &Locations) -> Result<BuildReport> {
    let report = IndexDir::new(&loc.index).build(&loc.corpus)?;
    for p in &report.warnings {
        eprintln!("{}", text::sanitize(&format!("{p} (warning)")));
    }
    for p in &report.skipped {
        eprintln!("{}", text::sanitize(&format!("{p} (file skipped)")));
    }
    Ok(report)
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
