//! Whole-output comparison: a test states everything a command prints, and
//! a mismatch shows as a unified line diff instead of two long strings, so
//! a changed line is found at a glance (fd's `tests/testenv` and
//! ripgrep's `eqnice!` do the same).
//!
//! Parts that change from run to run (timings, the clock) are replaced by a
//! placeholder in both texts before comparing, only where a test asks for
//! it with a [`Volatile`]: everything else must match byte for byte.

use similar::TextDiff;

/// A part of the output that differs between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volatile {
    /// A duration in seconds as the summaries print it (`0.05s`, `12s`):
    /// becomes `<secs>`.
    Seconds,
    /// A wall-clock time `HH:MM:SS` (the `watch` lines): becomes `<time>`.
    Clock,
}

impl Volatile {
    fn replace(self, text: &str) -> String {
        match self {
            Volatile::Seconds => replace_runs(text, "<secs>", seconds_at),
            Volatile::Clock => replace_runs(text, "<time>", clock_at),
        }
    }
}

/// Replaces every match found by `at` (the length of a match starting at
/// this byte, if one does) with `with`. A match starts only after a
/// non-alphanumeric character, so numbers inside words stay.
fn replace_runs(text: &str, with: &str, at: fn(&[u8]) -> Option<usize>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        let starts_word = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        match at(&bytes[i..]).filter(|_| starts_word) {
            Some(n) => {
                out.push_str(&text[copied..i]);
                out.push_str(with);
                i += n;
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// `12s`, `0.05s`: digits, optionally a fraction, then `s` not followed by
/// a letter (so `5 sections` and `2s3` stay).
fn seconds_at(b: &[u8]) -> Option<usize> {
    let mut n = digits(b);
    if n == 0 {
        return None;
    }
    if b.get(n) == Some(&b'.') && digits(&b[n + 1..]) > 0 {
        n += 1 + digits(&b[n + 1..]);
    }
    let after = b.get(n + 1);
    (b.get(n) == Some(&b's') && !after.is_some_and(|c| c.is_ascii_alphanumeric())).then_some(n + 1)
}

/// `HH:MM:SS`.
fn clock_at(b: &[u8]) -> Option<usize> {
    let shape = b"00:00:00";
    let ok = b.len() >= shape.len()
        && shape.iter().zip(b).all(|(s, c)| {
            if *s == b':' {
                *c == b':'
            } else {
                c.is_ascii_digit()
            }
        })
        && !b.get(shape.len()).is_some_and(|c| c.is_ascii_digit());
    ok.then_some(shape.len())
}

/// Normalizes both texts and compares them; on a difference, the error is a
/// unified diff from `expected` to `actual` (`-` expected, `+` actual).
pub fn compare(actual: &str, expected: &str, volatile: &[Volatile]) -> Result<(), String> {
    let normalize = |s: &str| volatile.iter().fold(s.to_string(), |s, v| v.replace(&s));
    let (actual, expected) = (normalize(actual), normalize(expected));
    if actual == expected {
        return Ok(());
    }
    let diff = TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    Err(format!(
        "output differs (- expected, + actual):\n{diff}\n--- actual output in full:\n{actual}"
    ))
}

/// Asserts that `actual` is exactly `expected`, printing a line diff when
/// it is not.
#[track_caller]
pub fn assert_output(actual: &str, expected: &str) {
    assert_output_with(actual, expected, &[]);
}

/// [`assert_output`] after replacing the `volatile` parts of both texts.
#[track_caller]
pub fn assert_output_with(actual: &str, expected: &str, volatile: &[Volatile]) {
    if let Err(diff) = compare(actual, expected, volatile) {
        panic!("{diff}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assert_output_diff_names_the_changed_line() {
        let err = compare("a\nb\nc\n", "a\nB\nc\n", &[]).unwrap_err();
        assert!(err.contains("\n-B\n+b\n"), "{err}");
        assert!(err.contains(" a\n") && err.contains(" c\n"), "{err}");
        assert!(compare("a\nb\n", "a\nb\n", &[]).is_ok());
        // A missing final newline is a difference too.
        assert!(compare("a\nb", "a\nb\n", &[]).is_err());
    }

    #[test]
    fn assert_output_normalizes_only_what_is_asked() {
        let actual = "rebuilt: 5 sections in 0.05s -> index\n";
        let expected = "rebuilt: 5 sections in 1.25s -> index\n";
        assert!(compare(actual, expected, &[]).is_err());
        assert!(compare(actual, expected, &[Volatile::Seconds]).is_ok());
        assert!(compare(
            actual,
            "rebuilt: 5 sections in <secs> -> index\n",
            &[Volatile::Seconds]
        )
        .is_ok());
        // Counts are not durations.
        assert!(compare("6 sections", "5 sections", &[Volatile::Seconds]).is_err());
        assert_eq!(
            Volatile::Seconds.replace("(0.09s) 12s x2s 3sx"),
            "(<secs>) <secs> x2s 3sx"
        );
        assert_eq!(
            Volatile::Clock.replace("15:45:47 up to date (at 1:2:3)"),
            "<time> up to date (at 1:2:3)"
        );
        assert!(compare(
            "15:45:47 updated\n",
            "09:00:01 updated\n",
            &[Volatile::Clock]
        )
        .is_ok());
        assert!(compare(
            "15:45:47 updated\n",
            "09:00:01 removed\n",
            &[Volatile::Clock]
        )
        .is_err());
    }
}
