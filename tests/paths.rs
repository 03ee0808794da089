//! Paths: symlinks (out of the corpus, looping, dangling), file names
//! with spaces, newlines, escapes or non-UTF-8 bytes, and corpus locations
//! that would index the file system or the index itself. See
//! RELIABILITY.md.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;

use crate::util::json::SearchResults;
use crate::util::Env;

#[test]
fn paths_symlinks_out_of_the_corpus_loops_and_dangling_links() {
    let env = Env::empty();
    let outside = env.path().join("outside");
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::write(
        outside.join("o.txt"),
        "= Outside =\n\nAn outside zebracorn.\n",
    )
    .unwrap();
    std::fs::write(outside.join("dir/d.txt"), "= InDir =\n\nA dir zebracorn.\n").unwrap();
    let corpus = env.path().join("corpus");
    // A file link is followed wherever it points; folder links never are
    // (`up` and `self` would loop).
    symlink("../outside/o.txt", corpus.join("link.txt")).unwrap();
    symlink("../outside/dir", corpus.join("linkdir")).unwrap();
    symlink("..", corpus.join("up")).unwrap();
    symlink(".", corpus.join("self")).unwrap();
    symlink("loop2.txt", corpus.join("loop1.txt")).unwrap();
    symlink("loop1.txt", corpus.join("loop2.txt")).unwrap();
    symlink("nowhere.txt", corpus.join("dangling.txt")).unwrap();
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.starts_with("rebuilt: 1 article"), "{r:?}");
    let mut err: Vec<&str> = r.stderr.lines().collect();
    err.sort();
    assert_eq!(
        err,
        vec![
            "corpus/dangling.txt: No such file or directory (os error 2) (file skipped)",
            "corpus/loop1.txt: Too many levels of symbolic links (os error 40) (file skipped)",
            "corpus/loop2.txt: Too many levels of symbolic links (os error 40) (file skipped)",
        ]
    );
    let v = env.search("zebracorn");
    let files: Vec<&str> = v.documents().iter().map(|h| h.file.as_str()).collect();
    assert_eq!(files, vec!["corpus/link.txt", "corpus/link.txt"]);
    // Nothing changed: the links' stamps are stable, no update is made.
    let r = env.run(&["search", "zebracorn"]);
    assert_eq!((r.code, r.diagnostics().as_str()), (0, ""), "{r:?}");
}

#[test]
fn paths_names_with_spaces_newlines_and_escapes() {
    let env = Env::empty();
    env.write(
        "corpus/with space.txt",
        "= Spaced =\n\nA spaced zebracorn.\n",
    );
    env.write(
        "corpus/new\nline.txt",
        "= Newline =\n\nA newline zebracorn.\n",
    );
    env.write(
        "corpus/esc\x1b]0;pwned\x07.txt",
        "= Esc =\n\nAn esc zebracorn.\n",
    );
    let r = env.run(&["search", "--color", "never", "kind:paragraph zebracorn"]);
    assert_eq!(r.code, 0, "{r:?}");
    // One location line and one snippet line per hit, nothing acting on
    // the terminal.
    let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 6, "{r:?}");
    assert!(!r.stdout.contains(['\x1b', '\x07']), "{r:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(". Esc ¶1  corpus/esc\\u{1b}]0;pwned\\u{7}.txt:3  p")),
        "{r:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("corpus/new line.txt:3  p")),
        "{r:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("corpus/with space.txt:3  p")),
        "{r:?}"
    );
    // JSON keeps the names exact (escaped as JSON escapes them), and the
    // passages are read back through them.
    let r = env.run(&["search", "--json", "kind:paragraph zebracorn"]);
    assert!(
        r.stdout.contains(r#""file":"corpus/new\nline.txt""#),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains(r#""file":"corpus/esc\u001b]0;pwned\u0007.txt""#),
        "{r:?}"
    );
    let v: SearchResults = r.parse();
    for h in &v.hits {
        assert!(h.snippet.contains("zebracorn"), "{h:?}");
    }
    assert_eq!(r.stderr, "");
}

#[test]
fn paths_a_non_utf8_file_name_is_skipped_clearly() {
    let env = Env::with_article();
    let name = std::ffi::OsStr::from_bytes(b"bad\xff.txt");
    std::fs::write(
        env.path().join("corpus").join(name),
        "= Bad name =\n\nA zebracorn.\n",
    )
    .unwrap();
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.stderr,
        "corpus/bad\u{fffd}.txt: file name is not valid UTF-8 (rename the file to index it) (file skipped)\n"
    );
    // Skipped, not stale: searches do not try again and again.
    let r = env.run(&["search", "-n", "1", "Velayati"]);
    assert_eq!((r.code, r.diagnostics().as_str()), (0, ""), "{r:?}");
}

#[test]
fn paths_corpus_at_the_root_or_in_the_index_is_refused() {
    let env = Env::with_article();
    for args in [
        &["index", "--corpus", "/"][..],
        &["watch", "--corpus", "/"],
        &["search", "--corpus", "/", "war"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        // (`search` first says it is building the missing index.)
        assert_eq!(
            r.stderr.lines().last(),
            Some("passage: /: refusing to use the root of the file system as the corpus (pass --corpus DIR, a folder of *.txt articles)"),
            "{args:?}"
        );
    }
    assert!(!env.path().join("index/CURRENT").exists());
    assert_eq!(env.run(&["index"]).code, 0);
    // With an index built, a search warns and answers from it; it never
    // walks the file system.
    let r = env.run(&["search", "--corpus", "/", "-n", "1", "Velayati"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("refusing to use the root"), "{r:?}");
    let r = env.run(&["index", "--corpus", "index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.stderr,
        "passage: index: the corpus is the same folder as the index folder index; pass --corpus and --index folders apart\n"
    );
    std::fs::create_dir(env.path().join("index/sub")).unwrap();
    let r = env.run(&["index", "--corpus", "index/sub"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("the corpus is inside the index folder index"),
        "{r:?}"
    );
    // The index inside the corpus is fine (it holds no *.txt).
    let r = env.run(&["index", "--corpus", ".", "--index", "corpus/.idx"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn paths_a_fifo_named_txt_is_never_opened() {
    let env = Env::with_article();
    // Opening a FIFO for reading would wait forever for a writer.
    // mkfifo is coreutils, on every machine the tests run on: a test that
    // skipped itself without it would pass having checked nothing.
    let made = std::process::Command::new("mkfifo")
        .arg(env.path().join("corpus/fifo.txt"))
        .status()
        .expect("mkfifo must be installed to run this test");
    assert!(made.success(), "mkfifo failed");
    // Skipped by its type, never opened (the walk used to drop it without
    // a word; see tests/hostile.rs for devices).
    let r = env.run(&["index"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "corpus/fifo.txt: not a regular file (a FIFO) (file skipped)\n"
        ),
        "{r:?}"
    );
    assert!(r.stdout.starts_with("rebuilt: 1 article"), "{r:?}");
}

/// Copies a folder tree (files, folders and symlinks as links).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&src, &dst);
        } else if kind.is_symlink() {
            symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

#[test]
fn paths_a_moved_or_copied_project_folder_works_as_it_was() {
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    let before = env.search("Velayati counterweight");
    assert!(!before.hits.is_empty());
    // Copied elsewhere (as `cp -r`: new inodes and times), then the old
    // folder's article rewritten: the copy reads its own corpus, and its
    // files, touched by the copy, are hashed and found unchanged (nothing
    // indexed again).
    let copy = tempfile::Builder::new()
        .prefix("passage-moved")
        .tempdir()
        .unwrap();
    copy_tree(env.path(), copy.path());
    env.write(
        crate::util::ARTICLE,
        "= Iran–Syria relations =\n\nNothing of the old text.\n",
    );
    let run = |args: &[&str]| {
        crate::util::Run::from(
            std::process::Command::new(env!("CARGO_BIN_EXE_passage"))
                .args(args)
                .current_dir(copy.path())
                .output()
                .unwrap(),
        )
    };
    let r = run(&["search", "--json", "Velayati counterweight"]);
    assert_eq!(
        (r.code, r.diagnostics().as_str()),
        (
            0,
            "passage: corpus/iran-syria-relations.txt touched but unchanged; nothing to re-index\n"
        ),
        "{r:?}"
    );
    let after: SearchResults = r.parse();
    assert_eq!(after.hits.len(), before.hits.len());
    for (a, b) in after.hits.iter().zip(&before.hits) {
        assert_eq!((&a.id, &a.file, &a.snippet), (&b.id, &b.file, &b.snippet));
    }
    let r = run(&["index", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = r.json();
    assert_eq!(
        (&v["committed"], &v["unchanged"]),
        (&false.into(), &49.into()),
        "{r:?}"
    );
}

#[test]
fn paths_the_corpus_typed_another_way_is_the_same_corpus() {
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    symlink("corpus", env.path().join("link")).unwrap();
    let abs = env.path().join("corpus");
    let name = env.path().file_name().unwrap().to_str().unwrap();
    let up = format!("../{name}/corpus");
    for corpus in ["corpus", "./corpus/", abs.to_str().unwrap(), "link", &up] {
        let r = env.run(&["index", "--json", "--corpus", corpus]);
        assert_eq!(r.code, 0, "{corpus}: {r:?}");
        let v: serde_json::Value = r.json();
        assert_eq!(
            (&v["files_changed"], &v["full"], &v["committed"]),
            (&0.into(), &false.into(), &false.into()),
            "{corpus}: {r:?}"
        );
        let r = env.run(&["search", "--corpus", corpus, "Velayati"]);
        assert_eq!((r.code, r.diagnostics().as_str()), (0, ""), "{corpus}");
        assert!(r.stdout.contains("Velayati"), "{corpus}: {r:?}");
    }
    // Another folder is another corpus: its files replace the first's.
    env.write("other/a.txt", "= Other =\n\nA quokka.\n");
    let r = env.run(&["index", "--json", "--corpus", "other"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v = r.json();
    assert_eq!(
        (&v["added"], &v["removed"]),
        (&1.into(), &49.into()),
        "{r:?}"
    );
    let r = env.run(&["search", "--corpus", "other", "Velayati"]);
    assert_eq!(r.code, 1, "{r:?}");
    let r = env.run(&["search", "--corpus", "other", "quokka"]);
    assert_eq!((r.code, r.diagnostics().as_str()), (0, ""), "{r:?}");
}
