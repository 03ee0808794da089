//! Unix conventions: colour only when asked or on a terminal, `NO_COLOR`,
//! quiet end on a closed pipe, results on stdout.

use std::io::Read;
use std::process::Stdio;

use crate::util::json::{self, IndexReport, Kind, Passage, SearchResults};
use crate::util::{Env, Volatile};

#[test]
fn color_never_marks_matches_with_brackets() {
    let env = Env::with_article();
    let r = env.run(&["search", "--color", "never", "ransacking"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains('\x1b'));
    assert!(r.stdout.contains("[ransacked]"));
    // stdout is a pipe here, so auto means no colour either.
    let r = env.run(&["search", "ransacking"]);
    assert!(!r.stdout.contains('\x1b'));
}

#[test]
fn color_always_uses_ansi() {
    let env = Env::with_article();
    let r = env.run(&["search", "--color", "always", "ransacking"]);
    assert!(r.stdout.contains("\x1b[1;31mransacked\x1b[0m"), "{r:?}");
    // JSON is never coloured.
    let r = env.run(&["search", "--color", "always", "--json", "ransacking"]);
    assert!(!r.stdout.contains('\x1b'));
}

#[test]
fn first_search_builds_the_index_and_says_so() {
    let env = Env::with_article();
    let r = env.run(&["search", "--color", "never", "Velayati"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("no index in index; building it from corpus"),
        "{r:?}"
    );
    assert!(r.stdout.starts_with("1. Iran–Syria relations › History and overview › Syrian Civil War (2011–2024) ¶1  corpus/iran-syria-relations.txt:52  p"), "{r:?}");
    let r = env.run(&["search", "Velayati"]);
    assert_eq!(r.diagnostics(), "", "{r:?}");
}

#[test]
fn closed_pipe_ends_quietly() {
    let env = Env::with_article();
    // Many hits, reader closes after a few bytes.
    let mut child = env
        .command(&["search", "--limit", "1000", "Iran"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 16];
    stdout.read_exact(&mut buf).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(0), "{:?} {err}", out.status);
    assert!(
        !err.contains("Broken pipe") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn index_summary_text_and_json() {
    let env = Env::with_article();
    let r = env.run(&["index"]);
    assert_eq!(r.code, 0, "{r:?}");
    r.assert_stdout_with(
        "rebuilt: 1 article, 12 sections, 49 paragraphs (49 added, 0 updated, 0 removed, \
         0 unchanged; 12 sections updated; 1 file changed) in <secs> -> index\n",
        &[Volatile::Seconds],
    );
    let r = env.run(&["index", "--json", "--full"]);
    let v: IndexReport = r.parse();
    assert_eq!(v.articles, 1);
    assert_eq!(v.sections, 12);
    assert_eq!(v.paragraphs, 49);
    assert!(v.seconds > 0.0);
}

#[test]
fn terminal_output_neutralizes_escapes_in_the_corpus() {
    let env = Env::empty();
    env.write(
        "corpus/evil.txt",
        "= Evil =\n\nThe evil \x1b]0;pwned\x07 title and \u{202e}reversed text.\n",
    );
    let r = env.run(&["search", "--color", "never", "evil"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        !r.stdout.contains('\x1b') && !r.stdout.contains('\u{202e}'),
        "{r:?}"
    );
    let r = env.run(&["search", "--json", "evil"]);
    let v: SearchResults = r.parse();
    assert!(v.hits[0].snippet.contains('\u{202e}'));
}

#[test]
fn export_writes_every_document_as_a_json_line() {
    let env = Env::with_article();
    let r = env.run(&["export", "--ndjson"]);
    assert_eq!(r.code, 0, "{r:?}");
    let text = crate::util::article_text();
    // Typed lines: every field is required and none of `id`, `article`,
    // `section`, `file`, `line_start`, `line_end`, `years` may be null.
    let lines: Vec<Passage> = json::parse_lines(&r.stdout);
    assert_eq!(lines.len(), r.stdout.lines().count());
    assert_eq!(lines.len(), 12 + 49);
    assert_eq!(lines.iter().filter(|d| d.kind == Kind::Section).count(), 12);
    let mut last = (String::new(), 0);
    for d in &lines {
        assert_eq!(d.text, &text[d.bytes()]);
        let key = (d.file.clone(), d.byte_start);
        assert!(key >= last, "article order");
        last = key;
    }
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let env = Env::empty();
    for i in 0..250 {
        env.write(
            &format!("corpus/a{i}.txt"),
            format!("= A{i} =\n\nText {i}.\n"),
        );
    }
    let r = env.run(&["index"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.is_empty(), "{r:?}");
}

#[test]
fn watch_debounce_is_bounded() {
    let env = Env::with_article();
    let r = env.run(&["watch", "--debounce-ms", "18446744073709551615"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("is not in 0..=60000"), "{r:?}");
}
