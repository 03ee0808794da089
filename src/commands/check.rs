//! `passage check`: check every quotation of a draft.

use super::*;

pub(crate) const CHECK_HELP: &str = "\
A quotation is text between double quotes (\"…\", “…”, „…“, «…», »…«; quotes nested inside are
part of it; single quotes never delimit) or a Markdown block quote (consecutive > lines,
joined). It may run over a line break, never over a paragraph break. Markdown inside it
(emphasis, links, footnote marks like [^1] or [3]) is not part of its words; [brackets] and
ellipses mean what they mean to `cite`.

Each quotation, in draft order, is exact (every place it stands), misquoted (the closest
passage, the words that differ, and the article's wording to copy), missing, or skipped
(fewer than --min-words words: scare quotes).

Exit status: 0 if every checked quotation is exact, 1 if any is misquoted or missing, 2 on
error (an unreadable, binary or over-10 MB draft).";

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Draft files (Markdown or plain text); `-` reads standard input.
    #[arg(required = true, value_name = "DRAFT")]
    pub drafts: Vec<PathBuf>,
    /// Quotations of fewer words are skipped (scare quotes).
    #[arg(long, value_name = "N", default_value_t = passage::check::DEFAULT_MIN_WORDS)]
    pub min_words: usize,
    /// Citation style.
    #[arg(long, value_name = "STYLE", default_value = "plain")]
    pub style: CitationStyle,
    #[command(flatten)]
    pub output: Output,
    #[command(flatten)]
    pub locations: Locations,
    #[command(flatten)]
    pub freshness: Freshness,
}

impl CheckArgs {
    /// The library's options.
    pub fn options(&self) -> passage::check::CheckOptions {
        passage::check::CheckOptions {
            min_words: self.min_words,
            style: self.style.into(),
        }
    }
}

/// `passage check`.
pub fn run(args: &CheckArgs) -> Result<Exit> {
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
    messages::notices(&report.notices());
    let mut out = stdout();
    if args.output.json {
        json::check(&mut out, &report)?;
    } else {
        text::check(&mut out, &report, args.output.style())?;
    }
    out.flush()?;
    if report.quotes.is_empty() {
        messages::info("no quotations found");
    }
    Ok(Exit::found_if(report.summary.all_exact()))
}
