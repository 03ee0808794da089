//! What `index` and automatic updates say (issue 11, item 7): a deleted
//! file is called deleted, a touched one touched, and the counts add up,
//! also when one index folder switches to another corpus. Problems of the
//! corpus are stated by `passage index` every time, and by an automatic
//! update only for the files it read. And no progress bar reaches a
//! stderr that is not a terminal (item 8).
//!
//! See: issue 11, items 7 and 8.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::util::{Env, Run, ARTICLE};

fn index_json(env: &Env, extra: &[&str]) -> Value {
    let mut args = vec!["index", "--json"];
    args.extend(extra);
    let r = env.run(&args);
    assert!(r.code == 0 || r.code == 2, "{r:?}");
    r.json()
}

fn n(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("no count {key} in {v}"))
}

/// Gives a file a new modification time without changing a byte.
fn touch(env: &Env, rel: &str) {
    let f = std::fs::File::options()
        .write(true)
        .open(env.path().join(rel))
        .unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(7))
        .unwrap();
}

/// The `(file, change)` pairs of a report.
fn changes(v: &Value) -> Vec<(String, String)> {
    v["file_changes"]
        .as_array()
        .unwrap_or_else(|| panic!("no file_changes in {v}"))
        .iter()
        .map(|c| {
            (
                c["file"].as_str().unwrap().to_string(),
                c["change"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every passage before and after an update is accounted for exactly once.
fn assert_counts_add_up(before: u64, v: &Value) {
    let [added, updated, removed, unchanged, moved] =
        ["added", "updated", "removed", "unchanged", "moved"].map(|k| n(v, k));
    assert_eq!(removed + updated + unchanged + moved, before, "before: {v}");
    assert_eq!(
        added + updated + unchanged + moved,
        n(v, "paragraphs"),
        "after: {v}"
    );
    assert_eq!(
        n(v, "files_added") + n(v, "files_edited") + n(v, "files_removed"),
        n(v, "files_changed"),
        "{v}"
    );
}

/// A stderr line of a search that brought the index up to date.
fn update_line(r: &Run) -> &str {
    r.stderr
        .lines()
        .find(|l| l.starts_with("passage: ") && !l.contains("no matches"))
        .unwrap_or_else(|| panic!("no update line: {r:?}"))
}

const EXTRA: &str = "corpus/extra.txt";
const EXTRA_TEXT: &str = "= Extra =\n\nThe zebracorn grazes.\n";

#[test]
fn index_messages_a_deleted_file_is_called_deleted() {
    let env = Env::with_article();
    env.write(EXTRA, EXTRA_TEXT);
    index_json(&env, &[]);
    std::fs::remove_file(env.path().join(EXTRA)).unwrap();
    let r = env.run(&["search", "zebracorn"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        update_line(&r),
        "passage: corpus/extra.txt deleted; index updated: 0 added, 0 updated, \
         1 removed, 49 unchanged; 1 sections updated; 1 file changed",
        "{r:?}"
    );
    // And in the JSON of `index`.
    env.write(EXTRA, EXTRA_TEXT);
    index_json(&env, &[]);
    std::fs::remove_file(env.path().join(EXTRA)).unwrap();
    let v = index_json(&env, &[]);
    assert_eq!(changes(&v), [(EXTRA.to_string(), "removed".to_string())]);
    assert_eq!(
        [
            n(&v, "files_removed"),
            n(&v, "files_changed"),
            n(&v, "files_added")
        ],
        [1, 1, 0],
        "{v}"
    );
    assert_counts_add_up(50, &v);
}

#[test]
fn index_messages_a_new_file_is_called_added() {
    let env = Env::with_article();
    index_json(&env, &[]);
    env.write(EXTRA, EXTRA_TEXT);
    let r = env.run(&["search", "zebracorn"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        update_line(&r).starts_with("passage: corpus/extra.txt added; index updated: 1 added, "),
        "{r:?}"
    );
}

#[test]
fn index_messages_a_touched_file_is_not_called_changed() {
    let env = Env::with_article();
    index_json(&env, &[]);
    touch(&env, ARTICLE);
    let r = env.run(&["search", "Velayati"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        update_line(&r),
        "passage: corpus/iran-syria-relations.txt touched but unchanged; nothing to re-index",
        "{r:?}"
    );
    // The new mtime was recorded: the next search has nothing to say.
    let r = env.run(&["search", "Velayati"]);
    assert_eq!((r.code, r.diagnostics().as_str()), (0, ""), "{r:?}");

    touch(&env, ARTICLE);
    let v = index_json(&env, &[]);
    assert_eq!(
        changes(&v),
        [(ARTICLE.to_string(), "touched".to_string())],
        "{v}"
    );
    assert_eq!([n(&v, "files_touched"), n(&v, "files_changed")], [1, 0]);
    assert_eq!(v["committed"], false);
    assert_counts_add_up(49, &v);

    touch(&env, ARTICLE);
    let r = env.run(&["index"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("; 0 sections updated; 0 files changed, 1 touched but unchanged)"),
        "{r:?}"
    );
}

#[test]
fn index_messages_several_files_are_counted_by_what_happened() {
    let env = Env::with_article();
    env.write("corpus/gone.txt", "= Gone =\n\nSoon deleted.\n");
    env.write("corpus/edited.txt", "= Edited =\n\nBefore the edit.\n");
    env.write("corpus/touched.txt", "= Touched =\n\nNever edited.\n");
    index_json(&env, &[]);
    std::fs::remove_file(env.path().join("corpus/gone.txt")).unwrap();
    env.write("corpus/edited.txt", "= Edited =\n\nAfter the edit.\n");
    env.write("corpus/new.txt", "= New =\n\nJust written.\n");
    touch(&env, "corpus/touched.txt");
    let r = env.run(&["search", "--json", "edit"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        update_line(&r).starts_with(
            "passage: 1 file added, 1 changed, 1 deleted, 1 touched but unchanged; \
             index updated: 1 added, 1 updated, 1 removed, 50 unchanged; "
        ),
        "{r:?}"
    );
    assert!(
        update_line(&r).ends_with("; 3 files changed, 1 touched but unchanged"),
        "{r:?}"
    );
}

#[test]
fn index_messages_automatic_updates_report_only_files_they_read() {
    let env = Env::with_article();
    env.write("corpus/empty.txt", "");
    env.write(
        "corpus/unclosed.txt",
        "= Unclosed =\n\n== History\n\nText.\n",
    );
    let skipped =
        "corpus/empty.txt:1: empty file (expected a title line `= Title =`) (file skipped)";
    let warning =
        "corpus/unclosed.txt:3: unclosed heading marker '==', read as heading \"History\" (warning)";
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stderr, format!("{warning}\n{skipped}\n"), "{r:?}");

    // An edit elsewhere: the search says what it updated, and nothing of
    // the files it did not read.
    let p = env.path().join(ARTICLE);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replacen("golden counterweight", "silver counterweight", 1),
    )
    .unwrap();
    let r = env.run(&["search", "\"silver counterweight\""]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.diagnostics().lines().count(), 1, "{r:?}");
    assert!(
        r.stderr
            .starts_with("passage: corpus/iran-syria-relations.txt changed; index updated:"),
        "{r:?}"
    );

    // An edit of the odd file: its warning comes again, the skipped file's
    // problem does not.
    env.write(
        "corpus/unclosed.txt",
        "= Unclosed =\n\n== History\n\nMore text.\n",
    );
    let r = env.run(&["search", "more text"]);
    assert_eq!(r.code, 0, "{r:?}");
    let diagnostics = r.diagnostics();
    let lines: Vec<&str> = diagnostics.lines().collect();
    assert_eq!(lines.len(), 2, "{r:?}");
    assert!(lines[0].starts_with("passage: corpus/unclosed.txt changed; index updated: "));
    assert_eq!(lines[1], warning, "{r:?}");

    // `passage index` on the corpus as it is states all its problems, as
    // its exit status says there are some; the JSON lists them too.
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.starts_with("up to date: "), "{r:?}");
    assert_eq!(r.stderr, format!("{warning}\n{skipped}\n"), "{r:?}");
    let v = index_json(&env, &[]);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(changes(&v), Vec::<(String, String)>::new(), "{v}");
}

/// An article whose passages collide by place: two sections with the same
/// heading path (so two "paragraph 1" of `Notes`), and a repeated passage
/// (its second copy gets a `-2` ID).
const REPEATS: &str = "= Repeats =\n\nLead text.\n\n\
== Notes ==\n\nFirst note.\n\nSee above.\n\n\
== Notes ==\n\nSecond note.\n\nSee above.\n\n\
== Notes ==\n\n* A listed note.\n* Another listed note.\n";

#[test]
fn index_messages_switching_corpus_accounts_for_every_passage() {
    let env = Env::with_article();
    env.write("other/repeats.txt", REPEATS);
    env.write("other/more/article.txt", crate::util::article_text());
    let before = index_json(&env, &[]);
    assert_eq!(n(&before, "paragraphs"), 49);

    let v = index_json(&env, &["--corpus", "other"]);
    assert_eq!(n(&v, "paragraphs"), 49 + 7, "{v}");
    assert_eq!(n(&v, "added"), 49 + 7, "{v}");
    assert_eq!(n(&v, "removed"), 49, "{v}");
    assert_counts_add_up(49, &v);
    assert_eq!(
        changes(&v),
        [
            (ARTICLE.to_string(), "removed".to_string()),
            ("other/more/article.txt".to_string(), "added".to_string()),
            ("other/repeats.txt".to_string(), "added".to_string()),
        ],
        "{v}"
    );

    // Editing in place among the repeats: the counts still add up.
    let edited = REPEATS
        .replacen("First note.", "First note, edited.", 1)
        .replacen("Second note.", "Second note, edited.", 1);
    env.write("other/repeats.txt", edited);
    let v = index_json(&env, &["--corpus", "other"]);
    assert_counts_add_up(56, &v);
    assert_eq!([n(&v, "updated"), n(&v, "added")], [2, 0], "{v}");

    // And back.
    let v = index_json(&env, &[]);
    assert_counts_add_up(56, &v);
    assert_eq!(
        [n(&v, "added"), n(&v, "removed"), n(&v, "paragraphs")],
        [49, 56, 49]
    );
}

#[test]
fn index_messages_full_build_lists_every_file_as_added() {
    let env = Env::with_article();
    env.write("corpus/empty.txt", "");
    let v = index_json(&env, &["--full"]);
    assert_eq!(
        changes(&v),
        [
            ("corpus/empty.txt".to_string(), "added".to_string()),
            (ARTICLE.to_string(), "added".to_string()),
        ]
    );
    // Skipped or not, each file read is a file changed.
    assert_eq!([n(&v, "files_added"), n(&v, "files_changed")], [2, 2]);
    assert_counts_add_up(0, &v);
}

#[test]
fn index_messages_no_progress_bar_on_a_pipe() {
    // More files than the bar's threshold, so that a bar would be drawn on
    // a terminal.
    let env = Env::empty();
    for i in 0..250 {
        env.write(
            &format!("corpus/a{i:03}.txt"),
            format!("= Article {i} =\n\nParagraph {i} of the test.\n"),
        );
    }
    let r = env.run(&["index"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    assert!(r.stdout.starts_with("rebuilt: 250 articles"), "{r:?}");
    // The incremental path reads through the same bar.
    for i in 0..250 {
        touch(&env, &format!("corpus/a{i:03}.txt"));
    }
    let r = env.run(&["index"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    assert!(
        r.stdout
            .contains("0 files changed, 250 touched but unchanged"),
        "{r:?}"
    );
}
