//! Command-line arguments (clap derive), converted into the library's
//! options before any work is done.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::commands;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use passage::quote::style as citation;
use passage::render::text::{Marks, Style};

/// Full-text search and citation over Wikipedia-style articles.
///
/// Every *.txt file under the corpus folder is an article: a `= Title =`
/// line, `==Section==` headings, paragraphs separated by blank lines.
#[derive(Debug, Parser)]
#[command(name = "passage", version, max_term_width = 98)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bring the index up to date with the corpus (only what changed).
    Index(commands::index::IndexArgs),
    /// Search the articles; builds the index first if there is none.
    #[command(after_long_help = commands::search::QUERY_HELP)]
    Search(commands::search::SearchArgs),
    /// Find exactly where a quote stands, and cite it.
    #[command(after_long_help = commands::cite::CITE_HELP)]
    Cite(commands::cite::CiteArgs),
    /// Check every quotation of a draft against the corpus.
    #[command(after_long_help = commands::check::CHECK_HELP)]
    Check(commands::check::CheckArgs),
    /// Print a passage by its ID (as given by search or cite --json).
    Show(commands::show::ShowArgs),
    /// List the passages most similar to one passage (by its ID).
    Related(commands::related::RelatedArgs),
    /// Keep the index up to date while the corpus is edited.
    Watch(commands::watch::WatchArgs),
    /// Hold the index open and keep it current, and answer over HTTP (the
    /// commands' --json, byte for byte): /api/search, /api/cite, POST
    /// /api/check, /api/show/ID, /api/related/ID, /api/sections,
    /// /api/status, /health.
    Serve(commands::serve::ServeArgs),
    /// Write every indexed document with its text, one JSON object per line.
    Export(commands::export::ExportArgs),
    /// Print a completion script for a shell (see the README for where to put it).
    Completions(commands::completions::CompletionsArgs),
    /// Print the manual page (roff) on stdout: `passage man | man -l -`.
    Man(commands::man::ManArgs),
    /// Write a passage.toml in DIR (default: here): commands run in DIR or
    /// below it then find the corpus and index without flags.
    Init(commands::init::InitArgs),
    /// Say which corpus and index a command run here would use, where
    /// that comes from, and whether the index is current.
    Status(commands::status::StatusArgs),
}

/// Where the corpus and the index are: a flag, else `PASSAGE_CORPUS` /
/// `PASSAGE_INDEX`, else the nearest passage.toml, else `corpus` and
/// `index` here (see [`resolve`]).
#[derive(Debug, Args)]
pub struct Locations {
    /// Folder of *.txt articles (or one article file) [default: $PASSAGE_CORPUS, or passage.toml's, or corpus]
    #[arg(
        long,
        value_name = "DIR",
        default_value = "corpus",
        hide_default_value = true
    )]
    pub corpus: PathBuf,
    /// Index folder [default: $PASSAGE_INDEX, or passage.toml's, or index]
    #[arg(
        long,
        value_name = "DIR",
        default_value = "index",
        hide_default_value = true
    )]
    pub index: PathBuf,
    /// Where each came from, for `status`.
    #[arg(skip)]
    pub from: (Source, Source),
}

/// Where a setting came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Source {
    /// The built-in default.
    #[default]
    Default,
    /// A flag.
    Flag,
    /// An environment variable, named.
    Env(&'static str),
    /// A passage.toml.
    File(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => write!(f, "the default"),
            Source::Flag => write!(f, "a flag"),
            Source::Env(name) => write!(f, "${name}"),
            Source::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Whether a command that reads the index may update it first (search,
/// cite, show, related, export; `index` and `watch` always update).
#[derive(Debug, Args)]
pub struct Freshness {
    /// Do not bring the index up to date when the corpus changed; warn and
    /// use it as it is.
    #[arg(long)]
    pub no_update: bool,
}

/// How results are printed (search, cite, show, related).
#[derive(Debug, Args)]
pub struct Output {
    /// Print results as one JSON object (never coloured).
    #[arg(long)]
    pub json: bool,
    /// When to colour matches.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorWhen,
    /// The marks around a match when not coloured (default `[,]`); the
    /// text's own marks are shown escaped (`\[`), so a match can always be
    /// told from them. `--marks '<<,>>'`, `--marks '**,**'`.
    #[arg(long, value_name = "OPEN,CLOSE", value_parser = parse_marks)]
    pub marks: Option<Marks>,
}

impl Output {
    /// How to mark matches: colour, or the marks.
    pub fn style(&self) -> Style {
        self.color.style(self.marks.unwrap_or_default())
    }
}

/// `OPEN,CLOSE`, as `--marks` takes it.
fn parse_marks(s: &str) -> Result<Marks, String> {
    let (open, close) = s
        .split_once(',')
        .filter(|(o, c)| !o.is_empty() && !c.is_empty())
        .ok_or_else(|| format!("expected OPEN,CLOSE (such as '<<,>>'), not {s:?}"))?;
    if open.chars().chain(close.chars()).any(char::is_control) {
        return Err("the marks must be printable".into());
    }
    Ok(Marks {
        open: interned(open),
        close: interned(close),
    })
}

/// A string kept for the life of the process, once per distinct value:
/// `Style` stays `Copy`, and a server parsing its clients' command lines
/// keeps each pair of marks once, not once per request.
fn interned(s: &str) -> &'static str {
    static KEPT: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(k) = kept.iter().find(|k| **k == s) {
        return k;
    }
    let k: &'static str = Box::leak(s.into());
    kept.push(k);
    k
}

/// Reads the command line. A query or quote word that starts with `-`
/// (`passage search -hezbollah syria`) would otherwise be read by clap as a
/// cluster of short options (`-h` then prints the help and exits 0); see
/// [`words_after_dashes`].
/// clap's own errors (a missing query, a misspelt subcommand, `-n abc`)
/// are said as every other error is: one line, `passage: …`, exit 2, with
/// clap's suggestion kept; help and version print as clap prints them.
pub fn parse() -> Cli {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match parse_in(std::env::args_os().collect(), &here, &env) {
        Ok(cli) => cli,
        Err(NotParsed::Printed(e)) => e.exit(),
        Err(NotParsed::Error(e)) => {
            crate::messages::error(e);
            std::process::exit(i32::from(crate::exit::Exit::Error.code()));
        }
    }
}

/// Why a command line gave no command to run.
pub enum NotParsed {
    /// Help or the version, for clap to print.
    Printed(clap::Error),
    /// A one-line error.
    Error(String),
}

/// Reads a command line run in `here` with the environment `env` (a server
/// reads its client's so).
pub fn parse_in(
    args: Vec<OsString>,
    here: &std::path::Path,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Cli, NotParsed> {
    let args = words_after_dashes(args).map_err(NotParsed::Error)?;
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (mut cli, matches) = match parsed {
        Ok(both) => both,
        Err(e) if !e.use_stderr() => return Err(NotParsed::Printed(e)),
        Err(e) => return Err(NotParsed::Error(one_line_error(&e.render().to_string()))),
    };
    if let Some((_, sub)) = matches.subcommand() {
        resolve(&mut cli.command, sub, here, env).map_err(NotParsed::Error)?;
    }
    Ok(cli)
}

/// A passage.toml's value for a choice (`color`, `style`), read as the
/// flag reads it; an unknown one is an error naming the file and the
/// values allowed.
fn choice<T: ValueEnum>(
    f: &passage::settings::Found,
    name: &str,
    value: &Option<String>,
) -> Result<Option<T>, String> {
    let Some(v) = value else { return Ok(None) };
    T::from_str(v, true).map(Some).map_err(|_| {
        let allowed: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        let (last, rest) = allowed.split_last().expect("a choice has values");
        format!(
            "{}: {name} = {v:?}: expected {} or {last}",
            f.file.display(),
            rest.join(", ")
        )
    })
}

/// Fills what the command line left to its default from the environment
/// (`PASSAGE_CORPUS`, `PASSAGE_INDEX`) and the nearest passage.toml above
/// `here` (paths, `limit`, `color`, `style`): a flag wins over both, the
/// environment over the file. The file is read only when something is
/// left to it.
pub fn resolve(
    command: &mut Command,
    sub: &clap::ArgMatches,
    here: &std::path::Path,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<(), String> {
    use clap::parser::ValueSource;
    let given = |id: &str| sub.value_source(id) == Some(ValueSource::CommandLine);
    let mut found: Option<Option<passage::settings::Found>> = None;
    let mut file = || -> Result<Option<passage::settings::Found>, String> {
        if found.is_none() {
            found = Some(passage::settings::find(here).map_err(|e| e.to_string())?);
        }
        Ok(found.clone().flatten())
    };
    let (locations, limit, color, style) = match command {
        Command::Index(a) => (Some(&mut a.locations), None, None, None),
        Command::Search(a) => (
            Some(&mut a.locations),
            Some(&mut a.limit),
            Some(&mut a.output.color),
            None,
        ),
        Command::Cite(a) => (
            Some(&mut a.locations),
            None,
            Some(&mut a.output.color),
            Some(&mut a.style),
        ),
        Command::Check(a) => (
            Some(&mut a.locations),
            None,
            Some(&mut a.output.color),
            Some(&mut a.style),
        ),
        Command::Show(a) => (
            Some(&mut a.locations),
            None,
            Some(&mut a.output.color),
            None,
        ),
        Command::Related(a) => (
            Some(&mut a.locations),
            Some(&mut a.limit),
            Some(&mut a.output.color),
            None,
        ),
        Command::Watch(a) => (Some(&mut a.locations), None, None, None),
        Command::Serve(a) => (Some(&mut a.locations), None, None, None),
        Command::Export(a) => (Some(&mut a.locations), None, None, None),
        Command::Status(a) => (Some(&mut a.locations), None, None, None),
        Command::Completions(_) | Command::Man(_) | Command::Init(_) => (None, None, None, None),
    };
    if let Some(loc) = locations {
        for (id, var, path, from) in [
            ("corpus", "PASSAGE_CORPUS", &mut loc.corpus, &mut loc.from.0),
            ("index", "PASSAGE_INDEX", &mut loc.index, &mut loc.from.1),
        ] {
            if given(id) {
                *from = Source::Flag;
            } else if let Some(v) = env(var) {
                *path = PathBuf::from(v);
                *from = Source::Env(var);
            } else if let Some(f) = file()? {
                let set = if id == "corpus" {
                    f.settings.corpus
                } else {
                    f.settings.index
                };
                if let Some(p) = set {
                    *path = p;
                    *from = Source::File(f.file);
                }
            }
        }
    }
    if let Some(limit) = limit {
        if !given("limit") {
            if let Some(n) = file()?.and_then(|f| f.settings.limit) {
                *limit = n;
            }
        }
    }
    if let Some(color) = color.filter(|_| !given("color")) {
        if let Some(f) = file()? {
            if let Some(c) = choice(&f, "color", &f.settings.color)? {
                *color = c;
            }
        }
    }
    if let Some(style) = style.filter(|_| !given("style")) {
        if let Some(f) = file()? {
            if let Some(st) = choice(&f, "style", &f.settings.style)? {
                *style = st;
            }
        }
    }
    Ok(())
}

/// clap's error text in one line: the error, its indented details and its
/// tips, without the usage and the pointer to `--help`.
fn one_line_error(rendered: &str) -> String {
    let mut what = String::new();
    let mut tips: Vec<String> = Vec::new();
    for line in rendered.lines() {
        let t = line.trim();
        if t.starts_with("Usage:") || t.starts_with("For more information") {
            break;
        }
        if t.is_empty() {
            continue;
        }
        if let Some(tip) = t.strip_prefix("tip:") {
            tips.push(tip.trim().to_string());
        } else {
            let t = t.strip_prefix("error:").unwrap_or(t).trim();
            if !what.is_empty() {
                what.push(' ');
            }
            what.push_str(t);
        }
    }
    for tip in tips {
        what.push_str(&format!(" ({tip})"));
    }
    what
}

/// For `search` and `cite`, the subcommands whose positional arguments are
/// free text: moves every word that is not an option of the subcommand
/// behind a `--`, so that a word such as `-hezbollah` is read as part of
/// the query. A word is an option only when it is exactly one: a known
/// `--long` (with its value), `-h`, or a known short option with its value
/// (`-n 5`, `-n5`). `-nato` is not `-n ato`, whose value would be invalid,
/// but the word `-nato`. A cluster of known flags (`-iw`) is options. A
/// single letter that is no option (`-x`) is refused: a ripgrep user
/// typing a flag must not silently exclude a word. Anything else is left
/// as it was, for clap to read or reject with its own message.
pub fn words_after_dashes(args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let Some(name) = args.get(1).and_then(|a| a.to_str()) else {
        return Ok(args);
    };
    if name != "search" && name != "cite" {
        return Ok(args);
    }
    let mut cmd = Cli::command();
    cmd.build();
    let Some(sub) = cmd.find_subcommand(name) else {
        return Ok(args);
    };
    let takes_value = |a: &clap::Arg| a.get_action().takes_values();
    let long = |name: &str| {
        sub.get_arguments()
            .find(|a| a.get_long() == Some(name))
            .map(takes_value)
    };
    let short = |c: char| {
        sub.get_arguments()
            .find(|a| a.get_short() == Some(c))
            .map(takes_value)
    };
    let mut options: Vec<OsString> = Vec::new();
    let mut words: Vec<OsString> = Vec::new();
    let mut rest = args[2..].iter();
    while let Some(arg) = rest.next() {
        let Some(s) = arg.to_str() else {
            words.push(arg.clone());
            continue;
        };
        if s == "--" {
            words.extend(rest.by_ref().cloned());
            break;
        }
        if let Some(body) = s.strip_prefix("--") {
            // Unknown long options go to clap, which names them and says
            // how to pass them as a value.
            options.push(arg.clone());
            if long(body) == Some(true) {
                options.extend(rest.next().cloned());
            }
            continue;
        }
        let mut chars = s.chars();
        let is_option = chars.next() == Some('-')
            && match chars.next().map(|c| (c, short(c))) {
                Some((_, Some(true))) => {
                    let value = chars.as_str();
                    if value.is_empty() {
                        options.push(arg.clone());
                        options.extend(rest.next().cloned());
                        continue;
                    }
                    value.starts_with(|c: char| c.is_ascii_digit() || c == '=')
                }
                Some((_, Some(false))) => chars.as_str().chars().all(|c| short(c) == Some(false)),
                Some((c, None)) if chars.as_str().is_empty() && c.is_ascii_alphabetic() => {
                    return Err(format!(
                        "{s} is not an option of {name}; to exclude the word '{c}', put it after --: passage {name} -- … {s}"
                    ));
                }
                _ => false,
            };
        if is_option {
            options.push(arg.clone());
        } else {
            words.push(arg.clone());
        }
    }
    if !words
        .iter()
        .any(|w| w.to_str().is_some_and(|w| w.starts_with('-')))
    {
        return Ok(args);
    }
    let mut out = args[..2].to_vec();
    out.extend(options);
    out.push("--".into());
    out.extend(words);
    Ok(out)
}

/// Parses `-n`. A count beyond [`passage::limits::MAX_HITS`] is kept as
/// asked, so the command can say it was capped; the library is given at
/// most that many.
pub(crate) fn hit_count(s: &str) -> Result<usize, String> {
    s.trim().parse().map_err(|e| format!("{e}"))
}

/// Citation styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CitationStyle {
    /// "Title", § Section › Subsection, ¶N, line L
    Plain,
    /// A Markdown link to the section on Wikipedia.
    Markdown,
    /// MLA-like reference to the Wikipedia article, with today's access date.
    Mla,
}

impl From<CitationStyle> for citation::Style {
    fn from(s: CitationStyle) -> Self {
        match s {
            CitationStyle::Plain => citation::Style::Plain,
            CitationStyle::Markdown => citation::Style::Markdown,
            CitationStyle::Mla => citation::Style::Mla,
        }
    }
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when stdout is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    Auto,
    /// Always colour.
    Always,
    /// Never colour; matches are shown as [match] (see `--marks`).
    Never,
}

impl ColorWhen {
    /// Resolves `auto` against the environment.
    pub fn style(self, marks: Marks) -> Style {
        let on = match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                crate::console::stdout_is_terminal()
                    && crate::console::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && crate::console::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        };
        if on {
            Style::Color
        } else {
            Style::Plain(marks)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::search::SearchArgs;

    fn search(args: &[&str]) -> SearchArgs {
        let mut all = vec!["passage", "search"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all).unwrap().command {
            Command::Search(s) => s,
            _ => unreachable!(),
        }
    }

    #[test]
    fn test_color() {
        assert_eq!(search(&["x"]).output.color, ColorWhen::Auto);
        assert_eq!(
            search(&["--color", "never", "x"]).output.color,
            ColorWhen::Never
        );
        // The same flag twice is an error, not "the last one wins".
        assert!(Cli::try_parse_from([
            "passage", "search", "--color", "never", "--color", "always", "x"
        ])
        .is_err());
        assert!(Cli::try_parse_from(["passage", "search", "--color", "sometimes", "x"]).is_err());
    }

    #[test]
    fn test_style() {
        let parse = |args: &[&str]| {
            let mut all = vec!["passage", "cite"];
            all.extend_from_slice(args);
            match Cli::try_parse_from(all).unwrap().command {
                Command::Cite(c) => c,
                _ => unreachable!(),
            }
        };
        assert_eq!(parse(&["a quote"]).style, CitationStyle::Plain);
        assert_eq!(parse(&["--style", "mla", "a"]).style, CitationStyle::Mla);
        assert_eq!(parse(&["a"]).limit, None);
        assert_eq!(parse(&["-n", "2", "a", "b"]).quote, vec!["a", "b"]);
        assert!(Cli::try_parse_from(["passage", "cite", "--style", "apa", "x"]).is_err());
    }

    fn reread(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        words_after_dashes(args)
            .expect("no unknown flag")
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn test_words_after_dashes() {
        // Nothing starting with `-` among the words: left as it was.
        let plain = ["passage", "search", "-n", "3", "war"];
        assert_eq!(reread(&plain), plain);
        assert_eq!(
            reread(&["passage", "search", "-hezbollah", "syria", "-n", "2"]),
            ["passage", "search", "-n", "2", "--", "-hezbollah", "syria"]
        );
        assert_eq!(
            reread(&["passage", "cite", "--style", "mla", "-war", "-n5"]),
            ["passage", "cite", "--style", "mla", "-n5", "--", "-war"]
        );
        // `-nato` is a word, not `-n` with the value `ato`.
        assert_eq!(
            reread(&["passage", "search", "war", "-nato", "--color=never"]),
            ["passage", "search", "--color=never", "--", "war", "-nato"]
        );
        // `-h` alone is the help; words after a `--` stay words.
        assert_eq!(
            reread(&["passage", "search", "-h"]),
            ["passage", "search", "-h"]
        );
        assert_eq!(
            reread(&["passage", "search", "war", "--", "-x", "-n"]),
            ["passage", "search", "--", "war", "-x", "-n"]
        );
        // A flag a ripgrep user types is one, or is refused: never a word.
        assert_eq!(
            reread(&["passage", "search", "-iw", "war"]),
            ["passage", "search", "-iw", "war"]
        );
        assert_eq!(
            reread(&["passage", "search", "-C", "2", "war", "-peace"]),
            ["passage", "search", "-C", "2", "--", "war", "-peace"]
        );
        let refused = words_after_dashes(
            ["passage", "search", "-x", "war"]
                .iter()
                .map(OsString::from)
                .collect(),
        );
        let e = refused.expect_err("-x is no option");
        assert!(e.contains("passage search -- … -x"), "{e}");
        // Other subcommands are clap's alone.
        let show = ["passage", "show", "-x"];
        assert_eq!(reread(&show), show);
        let s = match Cli::try_parse_from(reread(&["passage", "search", "-hezbollah", "syria"]))
            .unwrap()
            .command
        {
            Command::Search(s) => s,
            _ => unreachable!(),
        };
        assert_eq!(s.query_text(), "-hezbollah syria");
    }

    #[test]
    fn test_limit_and_query_words() {
        let s = search(&["-n", "3", "golden", "counterweight"]);
        assert_eq!(s.limit, 3);
        assert_eq!(s.query_text(), "golden counterweight");
        assert_eq!(search(&["--", "-hezbollah"]).query_text(), "-hezbollah");
        let s = search(&["ransacking", "-n", "2", "--color", "never"]);
        assert_eq!((s.query_text().as_str(), s.limit), ("ransacking", 2));
    }
}
