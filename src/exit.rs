//! The exit statuses, as grep and ripgrep give them: scripts branch on
//! them, so each command ends through one of these and nothing else.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Something matched (or the command did what it was asked).
    Found,
    /// Nothing matched: a search with no hits, a quote not in the corpus,
    /// an ID that no longer exists.
    NotFound,
    /// An error: bad input, an unreadable corpus or index, a skipped file.
    Error,
}

impl Exit {
    /// The status number: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Exit::Found => 0,
            Exit::NotFound => 1,
            Exit::Error => 2,
        }
    }

    /// `Found` when `found`, else `NotFound`.
    pub fn found_if(found: bool) -> Exit {
        if found {
            Exit::Found
        } else {
            Exit::NotFound
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
