//! Every diagnostic the binary prints goes through here, so that each kind
//! of message reads the same everywhere and nothing from a corpus file, a
//! query or a path reaches the terminal unescaped (ripgrep's
//! `crates/core/messages.rs` is the model).
//!
//! Messages go to stderr, one line each, prefixed `passage:`. A failure to
//! write them (stderr closed) is ignored: a diagnostic must never turn
//! into a panic.

use std::fmt::Display;

use passage::render::text::sanitize;

/// Writes one line to stderr, escaped.
fn line(text: &str) {
    crate::console::err_line(&sanitize(text));
}

/// A fatal error, the last thing a command says.
pub fn error(what: impl Display) {
    line(&format!("passage: {what}"));
}

/// Something the user should act on; the command still answers.
pub fn warning(what: impl Display) {
    line(&format!("passage: warning: {what}"));
}

/// How the input was read, or what the output leaves out.
pub fn note(what: impl Display) {
    line(&format!("passage: note: {what}"));
}

/// A plain remark: what happened (`no matches`, `18,914 matches`, the
/// index being built).
pub fn info(what: impl Display) {
    line(&format!("passage: {what}"));
}

/// What an answer says beside it ([`passage::notice`]), each on its line,
/// before the answer: one order for every command.
pub fn notices(notices: &[passage::notice::Notice]) {
    for n in notices {
        line(&format!("passage: {n}"));
    }
}

/// A problem with one corpus file, `file:line: what (outcome)`, in the
/// form compilers use so editors can jump to it.
pub fn problem(what: impl Display, outcome: &str) {
    line(&format!("{what} ({outcome})"));
}

pub use passage::render::thousands;

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn test_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(18914), "18,914");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
