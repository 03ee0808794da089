//! Checking every quotation of a draft against the corpus (`passage
//! check`): the quotations [`draft`] finds, each looked up by
//! [`crate::quote`] in one opened index, each given a [`Status`].
//!
//! Data flows one way: draft text → [`draft::Quotation`]s → cite results →
//! statuses; [`crate::render`] presents the [`Report`].

pub mod draft;

use crate::error::Result;
use crate::index::{Opened, Unreadable};
use crate::limits::MAX_CHECK_LISTED;
use crate::quote::style::Style;
use crate::quote::{self, CiteOptions, CiteResults, MatchKind};
use crate::text::Analyzer;
use draft::Quotation;

/// How to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Quotations of fewer words are skipped (scare quotes like "reset").
    pub min_words: usize,
    /// Citation style of the places found.
    pub style: Style,
}

/// Quotations shorter than this are skipped unless `--min-words` says
/// otherwise.
pub const DEFAULT_MIN_WORDS: usize = 3;

/// Below this similarity the closest passage is not the quote misquoted
/// but another text: the quote is missing. Higher than what `cite` shows
/// (0.4), since here a writer's own phrase in quotes must not read as a
/// misquote of whatever shares its common words.
pub const MIN_MISQUOTE_SIMILARITY: f64 = 0.6;

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            min_words: DEFAULT_MIN_WORDS,
            style: Style::Plain,
        }
    }
}

/// A draft to check.
#[derive(Debug, Clone)]
pub struct Draft {
    /// How to name it in locations (its path, or `<stdin>`).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// What a quotation turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It stands, word for word, somewhere in the corpus.
    Exact,
    /// It does not, but a passage is close: the quote was changed.
    Misquoted,
    /// Nothing close.
    Missing,
    /// Too short to check.
    Skipped,
}

impl Status {
    /// The name used in text and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Exact => "exact",
            Status::Misquoted => "misquoted",
            Status::Missing => "missing",
            Status::Skipped => "skipped",
        }
    }
}

/// One quotation and what became of it.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The draft's name.
    pub file: String,
    /// Where it stands in the draft and what it says.
    pub quotation: Quotation,
    /// How many words it has (as `cite` counts them).
    pub words: usize,
    /// Exact, misquoted, missing or skipped.
    pub status: Status,
    /// What `cite` found: every exact place, or the closest passage for a
    /// misquote; `None` when skipped.
    pub cite: Option<CiteResults>,
}

/// How many quotations ended how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Found word for word.
    pub exact: usize,
    /// Close to a passage but not the same.
    pub misquoted: usize,
    /// Nothing close.
    pub missing: usize,
    /// Too short to check.
    pub skipped: usize,
}

impl Summary {
    /// Every quotation found, checked or not.
    pub fn total(&self) -> usize {
        self.exact + self.misquoted + self.missing + self.skipped
    }

    /// Whether every checked quotation stands exactly.
    pub fn all_exact(&self) -> bool {
        self.misquoted == 0 && self.missing == 0
    }
}

/// Everything `check` found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The drafts' names, as given.
    pub drafts: Vec<String>,
    /// Every quotation, draft by draft, in draft order.
    pub quotes: Vec<Checked>,
    /// The counts.
    pub summary: Summary,
    /// Files whose passages could not be read back.
    pub unreadable: Unreadable,
}

/// Checks every quotation of the drafts against one opened index.
pub fn check(opened: &Opened, drafts: &[Draft], opts: &CheckOptions) -> Result<Report> {
    let mut an = Analyzer::default();
    let mut quotes = Vec::new();
    let mut summary = Summary::default();
    let mut unreadable = Unreadable::default();
    let exact_opts = CiteOptions {
        limit: Some(MAX_CHECK_LISTED),
        approximate: Some(quote::DEFAULT_APPROXIMATE),
        style: opts.style,
        ..CiteOptions::default()
    };
    for d in drafts {
        for q in draft::quotations(&d.text) {
            // The quotation's own words: an editor's [insertion] is not
            // what it quotes (`"[He] said"` quotes one word).
            let words = an.words(&without_insertions(&q.text)).len();
            let (status, results) =
                if words < opts.min_words.max(1) || quote::check_quote(&q.text).is_err() {
                    (Status::Skipped, None)
                } else {
                    let mut r = quote::cite(opened, &q.text, &exact_opts)?;
                    unreadable.extend(std::mem::take(&mut r.unreadable));
                    (status_of(&r), Some(r))
                };
            match status {
                Status::Exact => summary.exact += 1,
                Status::Misquoted => summary.misquoted += 1,
                Status::Missing => summary.missing += 1,
                Status::Skipped => summary.skipped += 1,
            }
            let results = results.map(|mut r| {
                if r.exact_total == 0 {
                    // cite's last note then says there is no exact match
                    // and closer passages are shown: the status says it.
                    r.notes.pop();
                }
                if status != Status::Exact {
                    // The closest passage only: the one to copy from.
                    r.matches.truncate(usize::from(status == Status::Misquoted));
                }
                r
            });
            quotes.push(Checked {
                file: d.name.clone(),
                quotation: q,
                words,
                status,
                cite: results,
            });
        }
    }
    Ok(Report {
        drafts: drafts.iter().map(|d| d.name.clone()).collect(),
        quotes,
        summary,
        unreadable,
    })
}

/// A quotation without its `[bracketed]` insertions.
fn without_insertions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Exact when cite found it; misquoted when its closest passage is close
/// enough; missing otherwise.
fn status_of(r: &CiteResults) -> Status {
    if r.exact_total > 0 {
        return Status::Exact;
    }
    match r.matches.first().map(|m| &m.kind) {
        Some(MatchKind::Approximate { similarity, .. })
            if *similarity >= MIN_MISQUOTE_SIMILARITY =>
        {
            Status::Misquoted
        }
        _ => Status::Missing,
    }
}
