//! What a command says beside its answer: how the query was read, what the
//! answer leaves out, what could not be read. Every answer carries its
//! notices in one list, in one order, and the binary prints them in one
//! place (`passage: …` lines on stderr, before the answer); JSON keeps its
//! own fields for them (`notes`, `suggestions`), as it always had.

use std::fmt;

use crate::index::Unreadable;
use crate::search::{Results, Suggestion};

/// How much a notice asks of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A plain remark: how the input was read, what was done.
    Info,
    /// What the answer leaves out or how it was limited.
    Note,
    /// Something to act on: the answer is incomplete.
    Warning,
}

/// One thing said beside an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// How much it asks of the reader.
    pub level: Level,
    /// What it says, one line.
    pub text: String,
}

impl Notice {
    /// A plain remark.
    pub fn info(text: impl Into<String>) -> Notice {
        Notice {
            level: Level::Info,
            text: text.into(),
        }
    }

    /// What the answer leaves out.
    pub fn note(text: impl Into<String>) -> Notice {
        Notice {
            level: Level::Note,
            text: text.into(),
        }
    }

    /// Something to act on.
    pub fn warning(text: impl Into<String>) -> Notice {
        Notice {
            level: Level::Warning,
            text: text.into(),
        }
    }

    /// The warnings of files whose passages could not be read back.
    pub fn unreadable(unreadable: &Unreadable) -> impl Iterator<Item = Notice> + '_ {
        unreadable
            .iter()
            .map(|p| Notice::warning(format!("{p}; its passages are shown without text")))
    }

    /// What a word the index does not know was searched as, or could be.
    pub fn suggestion(s: &Suggestion) -> Notice {
        let others: Vec<&str> = s
            .did_you_mean
            .iter()
            .map(String::as_str)
            .filter(|k| Some(*k) != s.searched_for.as_deref())
            .collect();
        Notice::info(match &s.searched_for {
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
        })
    }
}

impl fmt::Display for Notice {
    /// As printed after `passage: `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            Level::Info => f.write_str(&self.text),
            Level::Note => write!(f, "note: {}", self.text),
            Level::Warning => write!(f, "warning: {}", self.text),
        }
    }
}

impl Results {
    /// What a search says beside its results, in order: how the query was
    /// read, the filters nothing matches, the words the index does not
    /// know, the files that could not be read back.
    pub fn notices(&self) -> Vec<Notice> {
        let mut out = Vec::new();
        if !self.notes.is_empty() {
            out.push(Notice::info(format!(
                "searching for: {} ({})",
                self.read_as,
                self.notes.join("; ")
            )));
        }
        out.extend(self.filter_notes.iter().map(Notice::note));
        out.extend(self.suggestions.iter().map(Notice::suggestion));
        out.extend(Notice::unreadable(&self.unreadable));
        out
    }
}

impl crate::quote::CiteResults {
    /// What a citation says beside its matches: the files that could not be
    /// read back, then what the listing leaves out and why there is no
    /// exact match.
    pub fn notices(&self) -> Vec<Notice> {
        Notice::unreadable(&self.unreadable)
            .chain(self.notes.iter().map(Notice::note))
            .collect()
    }
}

impl crate::check::Report {
    /// What a check says beside its report: the files that could not be
    /// read back.
    pub fn notices(&self) -> Vec<Notice> {
        Notice::unreadable(&self.unreadable).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_prints_with_its_level() {
        assert_eq!(Notice::info("no matches").to_string(), "no matches");
        assert_eq!(Notice::note("capped").to_string(), "note: capped");
        assert_eq!(Notice::warning("gone").to_string(), "warning: gone");
    }

    #[test]
    fn a_suggestion_says_what_was_searched_instead_and_what_else_is_close() {
        let s = Suggestion {
            word: "Khomeni".into(),
            did_you_mean: vec!["khomeini".into(), "khomein".into()],
            searched_for: Some("khomeini".into()),
        };
        assert_eq!(
            Notice::suggestion(&s).text,
            "'Khomeni' is not in the index; searching for 'khomeini' instead (or did you mean: khomein?)"
        );
    }
}
