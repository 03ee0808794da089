//! The query language: parsing what a person types into a [`Query`].
//!
//! ```text
//! golden counterweight          words: every word ranks above some words
//! "golden counterweight"~2      a phrase, optionally with slop
//! -hezbollah  -"civil war"      exclusions
//! Khomeini OR Khamenei          alternatives
//! Khomei*                       a prefix
//! section:culture article:iran  filters on headings and titles (words or "phrases",
//!                               stemmed like the text; section:cultur* a prefix)
//! year:1979  year:2000..2011    years mentioned (also year:..1950, year:2000..)
//! kind:paragraph kind:section   document kind
//! ```
//!
//! This stage only reads the syntax; turning words into index terms is the
//! search stage's job. Positions in errors are 1-based character columns.

use crate::limits::{MAX_QUERY_BYTES, MAX_QUERY_TERMS, MAX_SLOP_WORK};
use std::fmt;

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// Groups of alternatives; a passage holding one atom of every group
    /// ranks above a passage holding fewer groups.
    pub clauses: Vec<Vec<Atom>>,
    /// Atoms no hit may contain.
    pub excluded: Vec<Atom>,
    /// Restrictions every hit must satisfy.
    pub filters: Vec<Filter>,
    /// Filters no hit may satisfy (`-section:history`).
    pub excluded_filters: Vec<Filter>,
    /// How the query was read leniently, for a note on stderr.
    pub notes: Vec<String>,
}

impl fmt::Display for Query {
    /// The query as it was read, in canonical syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        for group in &self.clauses {
            let alts: Vec<String> = group.iter().map(Atom::canonical).collect();
            parts.push(alts.join(" OR "));
        }
        parts.extend(self.excluded.iter().map(|a| format!("-{}", a.canonical())));
        parts.extend(self.filters.iter().map(Filter::to_string));
        parts.extend(self.excluded_filters.iter().map(|x| format!("-{x}")));
        f.write_str(&parts.join(" "))
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = |v: &str| {
            if v.contains(char::is_whitespace) {
                format!("\"{v}\"")
            } else {
                v.to_string()
            }
        };
        match self {
            Filter::Section(v) => write!(f, "section:{}", value(v)),
            Filter::Article(v) => write!(f, "article:{}", value(v)),
            Filter::Kind(k) => write!(f, "kind:{}", k.as_str()),
            Filter::Year { from, to } if from == to => {
                write!(
                    f,
                    "year:{}",
                    from.map(|y| y.to_string()).unwrap_or_default()
                )
            }
            Filter::Year { from, to } => write!(
                f,
                "year:{}..{}",
                from.map(|y| y.to_string()).unwrap_or_default(),
                to.map(|y| y.to_string()).unwrap_or_default()
            ),
        }
    }
}

/// A searchable unit of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A bare word as typed (it may analyze to several terms, as
    /// `Iran-Iraq` does; those must then stand together).
    Word(String),
    /// `word*`: any word starting with this text.
    Prefix(String),
    /// `"several words"~slop`.
    Phrase {
        /// The text between the quotes.
        text: String,
        /// How many positions the words may move apart.
        slop: u32,
    },
}

impl Atom {
    /// Whether it holds anything searchable: a word is a run of letters or
    /// digits, so `—` or `…` alone is not one.
    pub fn has_word(&self) -> bool {
        let text = match self {
            Atom::Word(t) | Atom::Prefix(t) | Atom::Phrase { text: t, .. } => t,
        };
        text.chars().any(char::is_alphanumeric)
    }
}

impl Atom {
    /// The atom in query syntax.
    pub fn canonical(&self) -> String {
        match self {
            Atom::Word(w) => w.clone(),
            Atom::Prefix(p) => format!("{p}*"),
            Atom::Phrase { text, slop: 0 } => format!("\"{text}\""),
            Atom::Phrase { text, slop } => format!("\"{text}\"~{slop}"),
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Word(w) => write!(f, "'{w}'"),
            Atom::Prefix(p) => write!(f, "'{p}*'"),
            Atom::Phrase { text, .. } => write!(f, "\"{text}\""),
        }
    }
}

/// A restriction on where a hit stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Some heading on the section path holds these words, in order,
    /// matched as the text is (folded and stemmed); a trailing `*` makes the
    /// last one a prefix of a folded word (see [`Filter::words_and_prefix`]).
    Section(String),
    /// The article title holds these words, in order, as for `Section`.
    Article(String),
    /// The passage mentions a year in this inclusive range.
    Year {
        /// Lowest year, if bounded.
        from: Option<i64>,
        /// Highest year, if bounded.
        to: Option<i64>,
    },
    /// Only documents of this kind.
    Kind(Kind),
}

impl Filter {
    /// The words of a `section:` or `article:` value and whether the last
    /// of them is a prefix (`section:cultur*`, `section:"civil wa*"`); the
    /// parser has made sure a `*` follows a letter or digit.
    pub fn words_and_prefix(value: &str) -> (&str, bool) {
        match value.strip_suffix('*') {
            Some(before) => (before, true),
            None => (value, false),
        }
    }
}

pub use crate::model::Kind;

/// A query that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// 1-based character column where the problem starts.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bad query at position {}: {}",
            self.position, self.message
        )
    }
}

impl std::error::Error for QueryError {}

/// The filter names the parser knows.
pub const FIELDS: [&str; 4] = ["section", "article", "year", "kind"];

impl Query {
    /// Parses a query string.
    pub fn parse(input: &str) -> Result<Query, QueryError> {
        if input.len() > MAX_QUERY_BYTES {
            return Err(QueryError {
                position: 1,
                message: format!(
                    "query is {} bytes long; the limit is {MAX_QUERY_BYTES}",
                    input.len()
                ),
            });
        }
        Parser::new(input).run()
    }

    /// Whether the query has anything to rank by (words, phrases, prefixes).
    pub fn has_terms(&self) -> bool {
        !self.clauses.is_empty()
    }
}

/// One whitespace-separated piece of the input, before grouping.
enum Piece {
    Atom { atom: Atom, negated: bool },
    Filter { filter: Filter, negated: bool },
    Or { position: usize },
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    notes: Vec<String>,
}

impl Parser {
    fn new(input: &str) -> Parser {
        Parser {
            chars: input.chars().collect(),
            pos: 0,
            notes: Vec::new(),
        }
    }

    fn err<T>(&self, position: usize, message: impl Into<String>) -> Result<T, QueryError> {
        Err(QueryError {
            position: position + 1,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn run(mut self) -> Result<Query, QueryError> {
        let mut pieces = Vec::new();
        let mut terms = 0;
        loop {
            while self.peek().is_some_and(char::is_whitespace) {
                self.pos += 1;
            }
            if self.peek().is_none() {
                break;
            }
            let start = self.pos;
            if let Some(p) = self.piece()? {
                if !matches!(p, Piece::Or { .. }) {
                    terms += 1;
                    if terms > MAX_QUERY_TERMS {
                        return self.err(
                            start,
                            format!(
                                "too many words, phrases and filters (the limit is {MAX_QUERY_TERMS})"
                            ),
                        );
                    }
                }
                pieces.push(p);
            }
        }
        self.group(pieces)
    }

    /// Reads one piece starting at a non-space character.
    fn piece(&mut self) -> Result<Option<Piece>, QueryError> {
        let start = self.pos;
        let negated = self.peek() == Some('-')
            && self
                .chars
                .get(self.pos + 1)
                .is_some_and(|c| !c.is_whitespace() && *c != '-');
        if negated {
            self.pos += 1;
        }
        // field:value
        let name_len = self.chars[self.pos..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if name_len > 0 && self.chars.get(self.pos + name_len) == Some(&':') {
            let name: String = self.chars[self.pos..self.pos + name_len].iter().collect();
            let name_pos = self.pos;
            self.pos += name_len + 1;
            let value_pos = self.pos;
            let value = match self.peek() {
                Some('"') => self.quoted()?.0,
                Some(c) if !c.is_whitespace() => self.bare(),
                _ => {
                    return self.err(value_pos, format!("expected a value after '{name}:'"));
                }
            };
            let filter = self.filter(&name.to_ascii_lowercase(), name_pos, &value, value_pos)?;
            return Ok(Some(Piece::Filter { filter, negated }));
        }
        let atom = if self.peek() == Some('"') {
            let (text, slop) = self.quoted()?;
            Atom::Phrase { text, slop }
        } else {
            let word = self.bare();
            if word == "OR" && !negated {
                return Ok(Some(Piece::Or { position: start }));
            }
            match word.strip_suffix('*') {
                Some(p) if !p.is_empty() && !p.ends_with('*') => Atom::Prefix(p.to_string()),
                Some(_) => {
                    return self.err(
                        start,
                        "'*' needs a few letters before it (e.g. khomei*)".to_string(),
                    )
                }
                None => Atom::Word(word),
            }
        };
        Ok(Some(Piece::Atom { atom, negated }))
    }

    /// A bare run of characters up to whitespace or a quote.
    fn bare(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| !c.is_whitespace() && c != '"') {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// A `"quoted"` text with an optional `~N`; an unclosed quote ends at the
    /// end of the query, with a note.
    fn quoted(&mut self) -> Result<(String, u32), QueryError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '"') {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if self.peek().is_none() {
            self.notes.push(format!(
                "unbalanced quote at position {} closed at the end",
                open + 1
            ));
            return Ok((text, 0));
        }
        self.pos += 1;
        let mut slop = 0;
        if self.peek() == Some('~') {
            let tilde = self.pos;
            self.pos += 1;
            let digits_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            let digits: String = self.chars[digits_start..self.pos].iter().collect();
            slop = match digits.parse::<u32>() {
                Ok(n) if n <= 100 => n,
                _ => {
                    return self.err(
                        tilde,
                        "'~' after a phrase needs a number of words from 0 to 100 (e.g. \"iran syria\"~2)",
                    )
                }
            };
            let gaps = crate::text::Analyzer::default()
                .exact_terms(&text)
                .len()
                .saturating_sub(1) as u32;
            if slop.saturating_mul(gaps) > MAX_SLOP_WORK {
                return self.err(
                    tilde,
                    format!(
                        "a phrase of {} words with '~{slop}' asks too much: the slop times the gaps between the words may be at most {MAX_SLOP_WORK} (here {}); use fewer words or a smaller slop",
                        gaps + 1,
                        slop * gaps
                    ),
                );
            }
        }
        Ok((text, slop))
    }

    fn filter(
        &self,
        name: &str,
        name_pos: usize,
        value: &str,
        value_pos: usize,
    ) -> Result<Filter, QueryError> {
        match name {
            "section" | "article" => {
                if !value.chars().any(char::is_alphanumeric) {
                    return self.err(value_pos, format!("'{name}:' needs a word to look for"));
                }
                if let Some(before) = value.strip_suffix('*') {
                    if !before.ends_with(char::is_alphanumeric) {
                        return self.err(
                            value_pos,
                            format!("'*' needs a few letters before it (e.g. {name}:cultur*)"),
                        );
                    }
                }
                Ok(if name == "section" {
                    Filter::Section(value.to_string())
                } else {
                    Filter::Article(value.to_string())
                })
            }
            "kind" => match value.to_ascii_lowercase().as_str() {
                "paragraph" | "p" => Ok(Filter::Kind(Kind::Paragraph)),
                "section" | "s" => Ok(Filter::Kind(Kind::Section)),
                _ => self.err(
                    value_pos,
                    format!("unknown kind '{value}' (expected paragraph or section)"),
                ),
            },
            "year" => self.year(value, value_pos),
            _ => self.err(
                name_pos,
                format!(
                    "unknown field '{name}' (known: {}); to search for the text, quote it: \"{name}:{value}\"",
                    FIELDS.join(", ")
                ),
            ),
        }
    }

    fn year(&self, value: &str, value_pos: usize) -> Result<Filter, QueryError> {
        let bad = || {
            self.err(
                value_pos,
                format!(
                    "bad year '{value}' (expected e.g. year:1979, year:2000..2011, year:..1950)"
                ),
            )
        };
        let parse = |s: &str| -> Option<Option<i64>> {
            if s.is_empty() {
                return Some(None);
            }
            let n: i64 = s.parse().ok()?;
            (-100_000..=100_000).contains(&n).then_some(Some(n))
        };
        let (from, to) = match value.split_once("..") {
            Some((a, b)) => match (parse(a), parse(b)) {
                (Some(a), Some(b)) if a.is_some() || b.is_some() => (a, b),
                _ => return bad(),
            },
            None => match parse(value) {
                Some(Some(n)) => (Some(n), Some(n)),
                _ => return bad(),
            },
        };
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return self.err(
                    value_pos,
                    format!("year range '{value}' is empty: {a} is after {b}"),
                );
            }
        }
        Ok(Filter::Year { from, to })
    }

    /// Joins pieces into clauses: `a OR b` makes one group of alternatives.
    fn group(mut self, pieces: Vec<Piece>) -> Result<Query, QueryError> {
        let mut q = Query::default();
        let mut pending_or = false;
        let mut ignored = 0;
        let n = pieces.len();
        for (i, piece) in pieces.into_iter().enumerate() {
            match piece {
                Piece::Or { position } => {
                    let has_left = q.clauses.last().is_some();
                    if !has_left || i + 1 == n || pending_or {
                        self.notes.push(format!(
                            "'OR' at position {} has nothing to join and was ignored",
                            position + 1
                        ));
                        pending_or = false;
                        continue;
                    }
                    pending_or = true;
                }
                Piece::Atom { atom, negated } => {
                    if !atom.has_word() {
                        self.notes
                            .push(format!("{} has no letters or digits and was ignored", atom));
                        ignored += 1;
                        continue;
                    }
                    if negated {
                        q.excluded.push(atom);
                    } else if pending_or {
                        q.clauses.last_mut().expect("checked above").push(atom);
                    } else {
                        q.clauses.push(vec![atom]);
                    }
                    pending_or = false;
                }
                Piece::Filter { filter, negated } => {
                    if negated {
                        q.excluded_filters.push(filter);
                    } else {
                        q.filters.push(filter);
                    }
                    pending_or = false;
                }
            }
        }
        if q.clauses.is_empty()
            && q.excluded.is_empty()
            && q.filters.is_empty()
            && q.excluded_filters.is_empty()
        {
            if ignored > 0 {
                return self.err(
                    0,
                    "nothing to search for: the query has no letters or digits",
                );
            }
            return self.err(0, "empty query (try words, \"a phrase\" or section:NAME)");
        }
        q.notes = self.notes;
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Atom {
        Atom::Word(s.into())
    }

    #[test]
    fn words_phrases_and_or() {
        let q = Query::parse(r#"golden "civil war"~2 Khomeini OR Khamenei -hezbollah Khomei*"#)
            .unwrap();
        assert_eq!(
            q.clauses,
            vec![
                vec![w("golden")],
                vec![Atom::Phrase {
                    text: "civil war".into(),
                    slop: 2
                }],
                vec![w("Khomeini"), w("Khamenei")],
                vec![Atom::Prefix("Khomei".into())],
            ]
        );
        assert_eq!(q.excluded, vec![w("hezbollah")]);
    }

    #[test]
    fn filters() {
        let q = Query::parse(
            r#"section:"civil war" article:iran year:2000..2011 year:1979 kind:paragraph -section:see"#,
        )
        .unwrap();
        assert_eq!(
            q.filters,
            vec![
                Filter::Section("civil war".into()),
                Filter::Article("iran".into()),
                Filter::Year {
                    from: Some(2000),
                    to: Some(2011)
                },
                Filter::Year {
                    from: Some(1979),
                    to: Some(1979)
                },
                Filter::Kind(Kind::Paragraph),
            ]
        );
        assert_eq!(q.excluded_filters, vec![Filter::Section("see".into())]);
        assert!(!q.has_terms());
    }

    #[test]
    fn sloppy_phrases_are_bounded() {
        assert!(Query::parse("\"iran syria\"~64").is_ok());
        assert!(Query::parse("\"a b c d e\"~16").is_ok());
        let many = format!("\"{}\"~100", "the ".repeat(25));
        let e = Query::parse(&many).unwrap_err();
        assert_eq!(e.position, many.find('~').unwrap() + 1);
        assert!(
            e.message.contains("at most 100 (here 2400)"),
            "{}",
            e.message
        );
        // Without slop a long phrase is cheap: no bound beyond the query's.
        assert!(Query::parse(&format!("\"{}\"", "the ".repeat(25))).is_ok());
    }

    #[test]
    fn filter_prefixes_need_a_letter_before_the_star() {
        let q = Query::parse(r#"section:cultur* article:"iran sy*""#).unwrap();
        assert_eq!(
            q.filters,
            vec![
                Filter::Section("cultur*".into()),
                Filter::Article("iran sy*".into())
            ]
        );
        assert_eq!(Filter::words_and_prefix("iran sy*"), ("iran sy", true));
        assert_eq!(Filter::words_and_prefix("culture"), ("culture", false));
        for bad in ["section:cul**", r#"section:"civil *""#, "article:*"] {
            let e = Query::parse(bad).unwrap_err();
            assert_eq!(e.position, bad.find(':').unwrap() + 2, "{bad}");
        }
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = Query::parse("war nosuch:foo").unwrap_err();
        assert_eq!(e.position, 5);
        assert!(e.message.contains("unknown field 'nosuch'"));
        assert_eq!(Query::parse("year:abc").unwrap_err().position, 6);
        assert_eq!(Query::parse("year:2011..2000").unwrap_err().position, 6);
        assert_eq!(Query::parse("kind:chapter").unwrap_err().position, 6);
        assert_eq!(Query::parse("war section:").unwrap_err().position, 13);
        assert!(Query::parse("   ").unwrap_err().message.contains("empty"));
        assert!(Query::parse("*").is_err());
    }

    #[test]
    fn unbalanced_quote_is_closed_with_a_note() {
        let q = Query::parse(r#""golden counterweight"#).unwrap();
        assert_eq!(
            q.clauses,
            vec![vec![Atom::Phrase {
                text: "golden counterweight".into(),
                slop: 0
            }]]
        );
        assert_eq!(q.notes.len(), 1);
    }

    #[test]
    fn dangling_or_is_ignored_with_a_note() {
        let q = Query::parse("OR war OR").unwrap();
        assert_eq!(q.clauses, vec![vec![w("war")]]);
        assert_eq!(q.notes.len(), 2);
    }
}
