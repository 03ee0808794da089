//! Terminal safety: article text, headings, titles, file names and the
//! user's own query, wherever they are printed (results, citations,
//! passages, the section tree, notes, errors), never carry a control
//! character, an ANSI escape or a bidi override to the terminal; JSON
//! escapes them as JSON does. tests/cli.rs checks search snippets.

use crate::util::json::SearchResults;
use crate::util::{Env, Run};

const EVIL: &str = "= Evil \x1b]0;pwned\x07 title =\n\n\
==Heading \u{202e}desrever==\n\
The zebracorn \x1b[2J cleared \x08\x08 the \u{2066}screen\u{2069} and rang \x07 twice.\n";

/// Nothing that a terminal would act on, other than our own colours
/// (`ESC [ digits m`) when they are asked for.
fn assert_harmless(r: &Run, colours: bool) {
    for (name, s) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        let mut rest = s.as_str();
        while let Some(i) = rest.find('\x1b') {
            let seq = &rest[i..];
            let ours = colours
                && seq.starts_with("\x1b[")
                && seq[2..].find('m').is_some_and(|m| {
                    seq[2..2 + m]
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b';')
                });
            assert!(ours, "escape in {name}: {r:?}");
            rest = &seq[1..];
        }
        let bad = s.chars().find(|&c| {
            (c.is_control() && c != '\n' && c != '\x1b')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        });
        assert!(bad.is_none(), "{bad:?} in {name}: {r:?}");
    }
}

fn env() -> Env {
    let env = Env::empty();
    env.write("corpus/evil.txt", EVIL);
    env
}

#[test]
fn terminal_every_command_prints_article_text_harmlessly() {
    let env = env();
    let id = env.search("zebracorn").hits[0].id.clone();
    let runs: [&[&str]; 7] = [
        &["search", "zebracorn"],
        &["search", "--explain", "zebracorn section:heading"],
        &["search", "--list-sections"],
        &["cite", "zebracorn cleared the screen"],
        &["cite", "zebracorn cleared the window"],
        &["show", &id],
        &["related", &id],
    ];
    for args in runs {
        for colour in ["never", "always"] {
            let mut all = args.to_vec();
            if args[0] != "show" || colour == "never" {
                all.extend(["--color", colour]);
            }
            if args == ["search", "--list-sections"] {
                all.truncate(2);
            }
            let r = env.run(&all);
            assert!(r.code == 0 || r.code == 1, "{all:?}: {r:?}");
            assert_harmless(&r, colour == "always");
        }
    }
}

#[test]
fn terminal_the_query_is_echoed_harmlessly() {
    let env = env();
    assert_eq!(env.run(&["index"]).code, 0);
    // In an error, a lenient-parse note, a did-you-mean and a bad quote.
    let runs: [&[&str]; 5] = [
        &["search", "year:\x1b]0;pwned\x07"],
        &["search", "nosuch\u{202e}:x"],
        &["search", "\"zebracorn \x1b[2J"],
        &["search", "--no-typos", "zebracorm\x07\x07"],
        &["cite", "\x1b]0;pwned\x07 \u{202e}"],
    ];
    for args in runs {
        let r = env.run(args);
        assert!(!r.stderr.is_empty(), "{args:?}: {r:?}");
        assert_harmless(&r, false);
    }
    let r = env.run(&["search", "year:\x1b]0;pwned\x07"]);
    assert_eq!(
        r.stderr,
        "passage: bad query at position 6: bad year '\\u{1b}]0;pwned\\u{7}' (expected e.g. year:1979, year:2000..2011, year:..1950)\n"
    );
}

#[test]
fn terminal_json_escapes_control_characters_as_json_does() {
    let env = env();
    let r = env.run(&["search", "--json", "zebracorn"]);
    assert_eq!(r.code, 0, "{r:?}");
    // Raw control characters never reach stdout: JSON escapes them...
    assert!(
        !r.stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{r:?}"
    );
    assert!(r.stdout.contains(r"\u001b"), "{r:?}");
    // ...and a reader gets the text exactly (bidi marks are not control
    // characters; JSON leaves them to the reader's display).
    let v: SearchResults = r.parse();
    let hit = &v.hits[0];
    assert_eq!(hit.article, "Evil \x1b]0;pwned\x07 title");
    assert_eq!(hit.section[0], "Heading \u{202e}desrever");
    assert!(hit.snippet.contains("\x1b[2J"));
    for args in [
        // `screen` between bidi isolates is the word `screen` (it was not
        // found: the isolates were part of the indexed word).
        &["cite", "--json", "cleared the screen"][..],
        &["export", "--ndjson"],
        &["search", "--json", "--list-sections"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert!(
            !r.stdout.chars().any(|c| c.is_control() && c != '\n'),
            "{r:?}"
        );
    }
}

#[test]
fn terminal_folder_names_in_warnings_are_harmless() {
    let env = env();
    assert_eq!(env.run(&["index"]).code, 0);
    // The corpus folder gone: the search warns, naming it, and answers.
    let evil = "gone\x1b]0;pwned\x07";
    std::fs::rename(env.path().join("corpus"), env.path().join("moved")).unwrap();
    let r = env.run(&["search", "--corpus", evil, "zebracorn"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("gone\\u{1b}]0;pwned\\u{7}: corpus not found"),
        "{r:?}"
    );
    assert_harmless(&r, false);
    let r = env.run(&["index", "--corpus", evil]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_harmless(&r, false);
}

#[test]
fn terminal_json_escapes_c1_controls_too() {
    // U+009B is the 8-bit CSI: `\u{9b}2J` clears a terminal that reads it.
    let env = Env::empty();
    env.write(
        "corpus/c1.txt",
        "= C1 \u{9b}31m title =\n\nThe zebracorn \u{9b}2J cleared \u{85} the screen.\n",
    );
    env.write(
        "draft.md",
        "They wrote that \"the zebracorn \u{9b}2J cleared\" it.\n",
    );
    let id = env.search("zebracorn").hits[0].id.clone();
    let runs: [&[&str]; 5] = [
        &["search", "--json", "zebracorn"],
        &["show", "--json", &id],
        &["check", "--json", "draft.md"],
        &["cite", "--json", "zebracorn cleared the screen"],
        &["export", "--ndjson"],
    ];
    for args in runs {
        let r = env.run(args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {r:?}");
        let raw = r.stdout.chars().find(|&c| c.is_control() && c != '\n');
        assert!(raw.is_none(), "{args:?}: raw {raw:?} in {r:?}");
        assert!(r.stdout.contains(r"\u009b"), "{args:?}: {r:?}");
    }
    // A reader gets the text exactly.
    let v: SearchResults = env.run(&["search", "--json", "zebracorn"]).parse();
    assert_eq!(v.hits[0].article, "C1 \u{9b}31m title");
}
