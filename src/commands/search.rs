//! `passage search`: search the articles (and list their sections, count matches per file).

use super::*;
use passage::search::{Context, SearchOptions, Sort};

pub(crate) const QUERY_HELP: &str = "\
Query syntax:
  golden counterweight      words (passages holding all of them rank first)
  \"golden counterweight\"    an exact phrase; \"iran syria\"~2 allows 2 words between
  -hezbollah                exclude a word or \"phrase\"
  Khomeini OR Khamenei      either word
  Khomei*                   a prefix
  section:culture           a word (or \"phrase\") in a heading on the section path, matched
                            like the text (culture finds \"Cultural relations\")
  section:cultur*           a heading word starting with cultur
  article:iran              a word (or \"phrase\", or prefix*) in the article title
  year:1979 year:2000..2011 passages mentioning a year in the range (year:..1950, year:2000..)
  kind:paragraph            only paragraphs (or kind:section)

With --list-sections, a query of filters restricts the list: article: keeps the articles
it matches, section: and year: the sections they match (year: counts subsections), each
shown under the headings above it. Words and phrases are refused there (exit 2).

Exit status: 0 if something matched, 1 if nothing did, 2 on error.";

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query; several arguments are joined with spaces. A query that
    /// starts with `-` goes after `--` (passage search -- -hezbollah war).
    #[arg(required_unless_present = "list_sections", value_name = "QUERY")]
    pub query: Vec<String>,
    /// Say, per hit, why it ranked where it did.
    #[arg(long)]
    pub explain: bool,
    /// Do not try close spellings of words the index does not know.
    #[arg(long)]
    pub no_typos: bool,
    /// Do not count a word's synonyms (from WordNet) where the word itself
    /// is missing.
    #[arg(long)]
    pub no_expand: bool,
    /// List the sections of every article, with their passage counts,
    /// instead of searching; filters in the query (article:, section:,
    /// year:) restrict the list.
    #[arg(long)]
    pub list_sections: bool,
    /// Most hits to show; 0 shows none, only how many matched.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = hit_count)]
    pub limit: usize,
    /// Ignore case (the default, as ripgrep's -i asks).
    #[arg(short = 'i', long, overrides_with = "case_sensitive")]
    pub ignore_case: bool,
    /// Keep only passages holding each word in the case typed, at the start
    /// of a word (`War` finds "Wars", not "war"); checked on the text of
    /// the best 1,000 matches.
    #[arg(short = 's', long, overrides_with = "ignore_case")]
    pub case_sensitive: bool,
    /// Match whole words (the default: `word*` asks for a prefix).
    #[arg(short = 'w', long)]
    pub word_regexp: bool,
    /// Print only the files of the results, best first, one per line (at
    /// most N files, from the best 10×N results).
    #[arg(short = 'l', long, conflicts_with_all = ["count", "format", "list_sections"])]
    pub files_with_matches: bool,
    /// Print each file holding passages with every word, and how many
    /// (file:count, in path order).
    #[arg(short = 'c', long, conflicts_with_all = ["format", "list_sections"])]
    pub count: bool,
    /// Show N paragraphs of the article before and after each result.
    #[arg(short = 'C', long, value_name = "N")]
    pub context: Option<usize>,
    /// Show N paragraphs after each result.
    #[arg(short = 'A', long, value_name = "N")]
    pub after_context: Option<usize>,
    /// Show N paragraphs before each result.
    #[arg(short = 'B', long, value_name = "N")]
    pub before_context: Option<usize>,
    /// Every passage its own result, none listed under another (a section
    /// and its paragraph both shown).
    #[arg(long)]
    pub flat: bool,
    /// The order of the results.
    #[arg(long, value_name = "ORDER", default_value = "relevance")]
    pub sort: SortBy,
    /// Print each result on one line, as TEMPLATE says: {rank}, {file},
    /// {line}, {id}, {article}, {section}, {paragraph}, {kind}, {score},
    /// {years}, {citation}, {snippet}; {{ and }} for braces.
    #[arg(long, value_name = "TEMPLATE", value_parser = template, conflicts_with_all = ["json", "list_sections"])]
    pub format: Option<String>,
    #[command(flatten)]
    pub output: Output,
    #[command(flatten)]
    pub locations: Locations,
    #[command(flatten)]
    pub freshness: Freshness,
}

/// Orders of search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    /// Best first.
    Relevance,
    /// By file, then place in the file.
    Path,
    /// By the earliest year a passage names (none last).
    Year,
}

/// Checks a `--format` template: every `{name}` must be a known field.
fn template(s: &str) -> Result<String, String> {
    passage::render::text::check_template(s).map(|()| s.to_string())
}

impl SearchArgs {
    /// The query as one string.
    pub fn query_text(&self) -> String {
        self.query.join(" ")
    }

    /// The library's options.
    pub fn options(&self) -> SearchOptions {
        let limit = if self.files_with_matches {
            self.limit.saturating_mul(10)
        } else {
            self.limit
        };
        let around = |n: Option<usize>| n.or(self.context).unwrap_or(0);
        SearchOptions {
            limit: limit.min(passage::limits::MAX_HITS),
            typos: !self.no_typos,
            expand: !self.no_expand,
            explain: self.explain,
            case_sensitive: self.case_sensitive,
            flat: self.flat,
            sort: match self.sort {
                SortBy::Relevance => Sort::Relevance,
                SortBy::Path => Sort::Path,
                SortBy::Year => Sort::Year,
            },
            context: Context {
                before: around(self.before_context).min(passage::limits::MAX_CONTEXT),
                after: around(self.after_context).min(passage::limits::MAX_CONTEXT),
            },
            ..SearchOptions::default()
        }
    }
}

/// `passage search`.
pub fn run(args: &SearchArgs) -> Result<Exit> {
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
    if let Some(capped) = passage::guard::hits_capped(args.limit) {
        results.filter_notes.push(capped);
    }
    if args.files_with_matches || args.format.is_some() {
        messages::notices(&results.notices());
        let mut out = stdout();
        match &args.format {
            Some(template) => text::formatted(&mut out, &results, template)?,
            None => text::files(&mut out, &results, args.limit)?,
        }
        out.flush()?;
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
