//! Issue 12's leftovers: corpus entries that are not files (links to
//! devices, FIFOs), a file whose size limit problem must not outlive it,
//! and paths with escapes in the message that starts an automatic build.

use std::os::unix::fs::symlink;

use crate::util::Env;

/// Makes a FIFO, or says why not (mkfifo missing): the test then fails
/// rather than passing without having tried.
fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo must be installed to run this test");
    assert!(status.success(), "mkfifo {} failed", path.display());
}

#[test]
fn hostile_devices_and_fifos_named_txt_are_skipped_with_a_reason() {
    let env = Env::with_article();
    let corpus = env.path().join("corpus");
    symlink("/dev/zero", corpus.join("zero.txt")).unwrap();
    symlink("/dev/urandom", corpus.join("urandom.txt")).unwrap();
    symlink("/dev/stdin", corpus.join("stdin.txt")).unwrap();
    mkfifo(&corpus.join("x.txt"));
    // /dev/stdin is whatever the child's stdin is; a pipe that never ends
    // would hang a reader, so make it one (a null device would not).
    let run = || {
        let mut child = env
            .command(&["index"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let _stdin = child.stdin.take();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("`passage index` hung on a device or FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        crate::util::Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            code: out.status.code().unwrap_or(-1),
        }
    };
    for round in 0..2 {
        let r = run();
        assert_eq!(r.code, 2, "round {round}: {r:?}");
        assert_eq!(
            r.stderr,
            "corpus/stdin.txt: not a regular file (a FIFO) (file skipped)\n\
             corpus/urandom.txt: not a regular file (a character device) (file skipped)\n\
             corpus/x.txt: not a regular file (a FIFO) (file skipped)\n\
             corpus/zero.txt: not a regular file (a character device) (file skipped)\n",
            "round {round}: {r:?}"
        );
        assert!(r.stdout.contains("1 article"), "round {round}: {r:?}");
        assert!(
            r.stdout.contains("skipped 4 file(s)"),
            "round {round}: {r:?}"
        );
    }
    // The real article was indexed beside them.
    let r = env.run(&["search", "--no-update", "Velayati"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn hostile_a_too_large_file_is_reported_as_it_is_now_then_indexed_once_it_shrank() {
    let env = Env::with_article();
    let path = env.path().join("corpus/grow.txt");
    let resize = |len: u64| {
        std::fs::File::options()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .unwrap()
            .set_len(len)
            .unwrap()
    };
    // Sparse files: sizes beyond the limit that cost no disk.
    resize(1 << 30);
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.stderr,
        "corpus/grow.txt: too large (1073741824 bytes, limit 67108864) (file skipped)\n"
    );
    // Still too large, at another size: the message is today's, not the
    // first run's (a failed read has no content hash, and two failures
    // used to compare equal and keep the old message).
    resize(3 << 29);
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.stderr,
        "corpus/grow.txt: too large (1610612736 bytes, limit 67108864) (file skipped)\n"
    );
    // Shrunk to an article: indexed, no problem left.
    std::fs::write(&path, "= Grown =\n\nA zeppelinesque paragraph.\n").unwrap();
    let r = env.run(&["index"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    let r = env.run(&["search", "--no-update", "zeppelinesque"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("corpus/grow.txt:3"), "{r:?}");
    let r = env.run(&["index"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
}

#[test]
fn hostile_the_automatic_build_message_escapes_both_paths() {
    let env = Env::with_article();
    let corpus = "corp\x1b[2Jus";
    let index = "ind\x1b]0;pwned\x07ex";
    std::fs::rename(env.path().join("corpus"), env.path().join(corpus)).unwrap();
    let r = env.run(&["search", "--corpus", corpus, "--index", index, "Velayati"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains(
            "passage: no index in ind\\u{1b}]0;pwned\\u{7}ex; building it from corp\\u{1b}[2Jus"
        ),
        "{r:?}"
    );
    assert!(!r.stderr.contains('\x1b'), "{r:?}");
    assert!(!r.stdout.contains('\x1b'), "{r:?}");
}

#[test]
fn hostile_a_long_quote_is_found_exactly_and_only_exactly() {
    let env = Env::with_article();
    // 33 words: longer than the phrase that finds the candidates, so the
    // words past it are checked from the positions alone.
    let quote = "During the Iran–Iraq War, Syria sided with non-Arab Iran against Iraq and \
                 was isolated by Saudi Arabia and some of the Arab countries, with the \
                 exceptions of Libya, Lebanon, Algeria, Sudan and Oman.";
    let r = env.run(&["cite", "--json", quote]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.json()["exact_total"], 1, "{r:?}");
    // The same first 20 words, then one changed: no exact match.
    let changed = quote.replace("Algeria", "Morocco");
    let r = env.run(&["cite", "--json", &changed]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json()["exact_total"], 0, "{r:?}");
}

#[test]
fn hostile_a_quote_at_the_limit_of_function_words_is_answered_at_once() {
    let env = Env::with_article();
    let quote: String = "of the and to in a is that for it "
        .repeat(10_000)
        .chars()
        .take(99_000)
        .collect();
    let started = std::time::Instant::now();
    let r = env.run(&["cite", quote.trim_end()]);
    let took = started.elapsed();
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("the quote is not in the corpus"), "{r:?}");
    // Seconds in a debug build before the fix on one article; well under
    // one after it (the index build is included).
    assert!(took < std::time::Duration::from_secs(20), "{took:?}");
}
