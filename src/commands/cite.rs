//! `passage cite`: find exactly where a quote stands, and cite it.

use super::*;
use passage::quote::CiteOptions;

pub(crate) const CITE_HELP: &str = "\
The quote matches where a paragraph has the same words in the same order, ignoring case,
punctuation, dashes vs hyphens, curly vs straight quotes, diacritics and spacing.
An ellipsis (…, ..., . . . or […]) stands for any words in between, within the same paragraph.
[Brackets] are the article's words if it prints them, else an editor's insertion or
replacement (of up to 5 words); [T]he is a changed first letter. `cite -` reads the quote
from standard input, `cite --file F` from a file.
Every exact occurrence is listed, in document order. With no exact match, the closest
passages follow, marked approximate, with the words that differ.

Citation styles (--style):
  plain     \"Iran–Syria relations\", § History and overview › Syrian Civil War (2011–2024), ¶1, line 52
  markdown  [\"Iran–Syria relations\", § Syrian Civil War (2011–2024), ¶1](https://en.wikipedia.org/wiki/…#…)
  mla       \"Iran–Syria Relations.\" Wikipedia, Wikimedia Foundation, en.wikipedia.org/wiki/…, section \"…\", para. 1. Accessed 26 Nov. 2026.

Exit status: 0 if the quote stands in the corpus, 1 if it does not (even when close passages
are shown), 2 on error.";

#[derive(Debug, Args)]
pub struct CiteArgs {
    /// The quote; several arguments are joined with spaces. `-` alone reads
    /// it from standard input.
    #[arg(required_unless_present = "file", value_name = "QUOTE")]
    pub quote: Vec<String>,
    /// Read the quote from a file (for long quotes, or quotes full of shell
    /// characters).
    #[arg(long, value_name = "FILE", conflicts_with = "quote")]
    pub file: Option<PathBuf>,
    /// Most matches to show (default: every exact match, or the 3 closest);
    /// 0 shows none, only how many there are.
    #[arg(short = 'n', long, value_name = "N", value_parser = hit_count)]
    pub limit: Option<usize>,
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

impl CiteArgs {
    /// The library's options.
    pub fn options(&self) -> CiteOptions {
        CiteOptions {
            limit: self.limit.map(|n| n.min(passage::limits::MAX_HITS)),
            style: self.style.into(),
            ..CiteOptions::default()
        }
    }
}

/// `passage cite`.
pub fn run(args: &CiteArgs) -> Result<Exit> {
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
    messages::notices(&results.notices());
    let mut out = stdout();
    if args.output.json {
        json::cite(&mut out, &results)?;
    } else {
        text::cite(&mut out, &results, args.output.style())?;
    }
    out.flush()?;
    Ok(Exit::found_if(results.exact_total > 0))
}
