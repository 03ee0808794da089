//! Bad input: one clear line on stderr, exit status 2, nothing lost.

use crate::util::Env;

fn assert_error(r: &crate::util::Run, needle: &str) {
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains(needle), "expected {needle:?} in {r:?}");
    assert!(!r.stderr.contains("panicked"), "{r:?}");
}

#[test]
fn error_unknown_field_points_at_it() {
    let env = Env::with_article();
    let r = env.run(&["search", "war nosuch:foo"]);
    assert_error(&r, "position 5: unknown field 'nosuch'");
}

#[test]
fn error_empty_query() {
    let env = Env::with_article();
    assert_error(&env.run(&["search", "  "]), "empty query");
    assert_error(&env.run(&["search", "— …"]), "nothing to search for");
}

#[test]
fn error_malformed_filter_values() {
    let env = Env::with_article();
    assert_error(
        &env.run(&["search", "year:abc"]),
        "position 6: bad year 'abc'",
    );
    assert_error(&env.run(&["search", "war year:2011..2000"]), "position 10");
    assert_error(
        &env.run(&["search", "kind:chapter"]),
        "unknown kind 'chapter'",
    );
    assert_error(
        &env.run(&["search", "war section:"]),
        "expected a value after 'section:'",
    );
    assert_error(&env.run(&["search", "\"a b\"~x"]), "'~' after a phrase");
}

#[test]
fn error_bad_query_does_not_build_the_index() {
    let env = Env::with_article();
    let r = env.run(&["search", "year:abc"]);
    assert_eq!(r.code, 2);
    assert!(!env.path().join("index/CURRENT").exists());
}

#[test]
fn unbalanced_quote_is_closed_with_a_note() {
    let env = Env::with_article();
    let r = env.run(&["search", "--color", "never", "\"golden counterweight"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("unbalanced quote"), "{r:?}");
    assert!(r.stdout.contains("[golden counterweight]"), "{r:?}");
}

#[test]
fn no_matches_exits_1() {
    let env = Env::with_article();
    env.run(&["index"]);
    let r = env.run(&["search", "zzyzzx"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.is_empty());
    assert_eq!(r.stderr.trim(), "passage: no matches");
}

#[test]
fn missing_corpus_is_a_clear_error() {
    let env = Env::empty();
    let r = env.run(&["index", "--corpus", "nowhere"]);
    assert_error(&r, "nowhere: corpus not found");
}

#[test]
fn bad_files_are_reported_by_line_and_skipped() {
    let env = Env::with_article();
    env.write("corpus/empty.txt", "");
    env.write("corpus/notitle.txt", "\n\nJust text.\n");
    env.write(
        "corpus/binary.txt",
        b"= Bin =\n\nok\n\xff\xfe bad\n".as_slice(),
    );
    env.write(
        "corpus/unclosed.txt",
        "= Unclosed =\n\n==History\nThe unclosed heading text.\n",
    );
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    let err: Vec<&str> = r.stderr.lines().collect();
    assert!(
        err.contains(
            &"corpus/empty.txt:1: empty file (expected a title line `= Title =`) (file skipped)"
        ),
        "{r:?}"
    );
    assert!(
        err.contains(&"corpus/notitle.txt:3: expected a title line `= Title =` (file skipped)"),
        "{r:?}"
    );
    assert!(
        err.iter()
            .any(|l| l.starts_with("corpus/binary.txt:4: not valid UTF-8")),
        "{r:?}"
    );
    assert!(
        err.iter()
            .any(|l| l.starts_with("corpus/unclosed.txt:3: unclosed heading marker")),
        "{r:?}"
    );
    assert_eq!(err.len(), 4, "{r:?}");
    // The good articles are indexed, the unclosed heading read as a heading.
    assert!(r.stdout.contains("rebuilt: 2 articles"), "{r:?}");
    let v = env.search("unclosed heading");
    assert_eq!(v.hits[0].section[0], "History");
    assert_eq!(
        env.search("Velayati").hits[0].article,
        "Iran–Syria relations"
    );
}
