//! A running `passage watch` is a speed-up only: a search sees every edit
//! made before it started, whether the watcher is quick, still debouncing,
//! starved by a busy file, stopped, hung or watching something else.

use std::io::BufRead;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::util::Env;

fn stop(mut watch: Child) {
    let _ = watch.kill();
    let _ = watch.wait();
}

fn signal(watch: &Child, sig: &str) {
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -{sig} {}", watch.id())])
        .status()
        .unwrap();
    assert!(status.success());
}

/// An article whose one paragraph names `word`.
fn article(word: &str) -> String {
    format!("= Watched =\n\nThe watched paragraph names {word} today.\n")
}

#[test]
fn an_edit_still_in_the_debounce_window_is_seen() {
    let env = Env::empty();
    env.write("corpus/w.txt", article("aardvark"));
    assert_eq!(env.run(&["index"]).code, 0);
    // A minute of debounce: without the handshake the watcher would not
    // apply the edit before the search.
    let (watch, _out) = env.start_watch(&["--debounce-ms", "60000"]);
    env.write("corpus/w.txt", article("zeppelin"));
    let r = env.run(&["search", "--json", "zeppelin"]);
    let old = env.run(&["search", "aardvark"]);
    stop(watch);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("[zeppelin]") || r.stdout.contains("zeppelin"),
        "{r:?}"
    );
    assert!(
        !r.stderr.contains("warning"),
        "a trusted watcher needs no warning: {r:?}"
    );
    assert_eq!(old.code, 1, "the old word is gone: {old:?}");
}

#[test]
fn a_stopped_watcher_is_not_trusted() {
    let env = Env::empty();
    env.write("corpus/w.txt", article("aardvark"));
    assert_eq!(env.run(&["index"]).code, 0);
    let (watch, _out) = env.start_watch(&["--debounce-ms", "50"]);
    signal(&watch, "STOP");
    env.write("corpus/w.txt", article("zeppelin"));
    let started = Instant::now();
    let r = env.run(&["search", "zeppelin"]);
    let took = started.elapsed();
    signal(&watch, "CONT");
    stop(watch);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("zeppelin"), "{r:?}");
    assert!(
        r.stderr.contains("is stopped; checking the corpus instead"),
        "{r:?}"
    );
    // Seen as stopped at once, not after waiting for an answer.
    assert!(took < Duration::from_millis(1500), "{took:?}");
}

/// Holds the watch lock as a watcher would, with `claim` written in it.
fn fake_watcher(env: &Env, claim: &str) -> std::fs::File {
    std::fs::create_dir_all(env.path().join("index")).unwrap();
    let lock = std::fs::File::options()
        .create(true)
        .truncate(true)
        .write(true)
        .open(env.path().join("index/.watch"))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(env.path().join("index/.watch"), claim).unwrap();
    std::fs::create_dir_all(env.path().join("index/.sync")).unwrap();
    lock
}

#[test]
fn a_hung_watcher_is_waited_for_a_bounded_time_then_not_trusted() {
    let env = Env::empty();
    env.write("corpus/w.txt", article("aardvark"));
    assert_eq!(env.run(&["index"]).code, 0);
    // A process that holds the lock and claims this corpus but never
    // answers: this test's own, which runs.
    let corpus = std::fs::canonicalize(env.path().join("corpus")).unwrap();
    let claim = serde_json::json!({
        "pid": std::process::id(),
        "corpus": corpus.display().to_string(),
        "format": passage::index::FORMAT,
    });
    let _lock = fake_watcher(&env, &claim.to_string());
    env.write("corpus/w.txt", article("zeppelin"));
    let started = Instant::now();
    let r = env.run(&["search", "zeppelin"]);
    let took = started.elapsed();
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("zeppelin"), "{r:?}");
    assert!(r.stderr.contains("did not answer within"), "{r:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    // The unanswered cookie is not left behind.
    let left: Vec<_> = std::fs::read_dir(env.path().join("index/.sync"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".passage-sync-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_watcher_of_another_corpus_or_version_is_not_trusted() {
    let env = Env::empty();
    env.write("corpus/w.txt", article("aardvark"));
    assert_eq!(env.run(&["index"]).code, 0);
    let corpus = std::fs::canonicalize(env.path().join("corpus")).unwrap();
    for (claim, says) in [
        (
            serde_json::json!({"pid": std::process::id(), "corpus": "/elsewhere", "format": passage::index::FORMAT}),
            "watches another corpus (/elsewhere)",
        ),
        (
            serde_json::json!({"pid": std::process::id(), "corpus": corpus.display().to_string(), "format": 1}),
            "writes another index format (1)",
        ),
        (serde_json::json!("garbage"), "claims nothing it watches"),
    ] {
        let lock = fake_watcher(&env, &claim.to_string());
        env.write("corpus/w.txt", article("zeppelin"));
        let r = env.run(&["search", "zeppelin"]);
        drop(lock);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stderr.contains(says), "{says}: {r:?}");
        env.write("corpus/w.txt", article("aardvark"));
        assert_eq!(env.run(&["index"]).code, 0);
    }
}

#[test]
fn a_busy_file_does_not_starve_the_watcher() {
    let env = Env::empty();
    env.write("corpus/w.txt", article("aardvark"));
    env.write("corpus/busy.txt", "= Busy =\n\nA log.\n");
    assert_eq!(env.run(&["index"]).code, 0);
    let (watch, mut out) = env.start_watch(&["--debounce-ms", "300"]);
    // Appended to every 100 ms: the corpus is never quiet for 300 ms.
    let done = AtomicBool::new(false);
    let line = std::thread::scope(|s| {
        s.spawn(|| {
            let mut n = 0;
            while !done.load(Ordering::Relaxed) {
                n += 1;
                let mut f = std::fs::File::options()
                    .append(true)
                    .open(env.path().join("corpus/busy.txt"))
                    .unwrap();
                std::io::Write::write_all(&mut f, format!("\nLine {n}.\n").as_bytes()).unwrap();
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        env.write("corpus/w.txt", article("zeppelin"));
        // The watcher applies the burst within its bound (debounce + 1 s),
        // busy file or not; reading its next line waits for that.
        let (tx, rx) = std::sync::mpsc::channel();
        s.spawn(move || {
            let mut line = String::new();
            let _ = out.read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20));
        done.store(true, Ordering::Relaxed);
        line
    });
    // The search needs no handshake to be right now: check it too, without
    // an update of its own.
    let r = env.run(&["search", "--no-update", "zeppelin"]);
    stop(watch);
    let line = line.expect("the watcher applied no update while the file was busy");
    assert!(line.contains("updated"), "{line:?}");
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn a_watcher_whose_update_was_refused_does_not_vouch_for_the_index() {
    let env = Env::empty();
    env.write("corpus/w.txt", article("aardvark"));
    assert_eq!(env.run(&["index"]).code, 0);
    let (watch, _out) = env.start_watch(&["--debounce-ms", "50"]);
    // Another writer holds the index (as `index --full` would): the
    // watcher's update of the edit below is refused.
    let lock = std::fs::File::options()
        .write(true)
        .open(env.path().join("index/.lock"))
        .unwrap();
    lock.lock().unwrap();
    env.write("corpus/w.txt", article("platinum"));
    // Long enough for the watcher to see the edit and fail to apply it.
    std::thread::sleep(Duration::from_millis(600));
    let during = env.run(&["search", "platinum"]);
    drop(lock);
    // Once the writer is gone the watcher applies what it saw, without a
    // new event; and before that, no search is told "synced" for it.
    let after = env.run(&["search", "platinum"]);
    stop(watch);
    assert!(
        during.code == 0 || during.stderr.contains("warning"),
        "a stale answer needs a warning: {during:?}"
    );
    assert_eq!(after.code, 0, "{after:?}");
    assert!(after.stdout.contains("platinum"), "{after:?}");
}

/// Replaces `rel` by writing a new file and renaming it over (as `sed -i`
/// and most editors save).
fn replace_by_rename(env: &Env, rel: &str, content: &str) {
    let to = env.path().join(rel);
    let tmp = to.with_file_name(".passage-test-save");
    std::fs::write(&tmp, content).unwrap();
    std::fs::rename(&tmp, &to).unwrap();
}

/// Asserts that `search WORD` (with the given extra arguments) finds
/// `word`: with a watcher running, as a search without one would.
#[track_caller]
fn finds(env: &Env, word: &str, extra: &[&str]) {
    let mut args = vec!["search", word];
    args.extend_from_slice(extra);
    let r = env.run(&args);
    assert!(
        r.code == 0 && r.stdout.contains(word),
        "{word}: a stale answer: {r:?}"
    );
}

#[test]
fn a_watcher_follows_the_corpus_folder_swapped_or_made_again() {
    let env = Env::empty();
    env.write("corpus/w.txt", article("aardvark"));
    assert_eq!(env.run(&["index"]).code, 0);
    let (watch, _out) = env.start_watch(&["--debounce-ms", "50"]);
    // Swapped for another folder.
    env.write("corpus.new/w.txt", article("zeppelin"));
    std::fs::rename(env.path().join("corpus"), env.path().join("corpus.old")).unwrap();
    std::fs::rename(env.path().join("corpus.new"), env.path().join("corpus")).unwrap();
    finds(&env, "zeppelin", &[]);
    // The new folder is watched: an edit in it is seen.
    env.write("corpus/w.txt", article("platinum"));
    finds(&env, "platinum", &[]);
    // Removed and made again.
    std::fs::remove_dir_all(env.path().join("corpus")).unwrap();
    env.write("corpus/w.txt", article("quagmire"));
    finds(&env, "quagmire", &[]);
    env.write("corpus/w.txt", article("obsidian"));
    finds(&env, "obsidian", &[]);
    stop(watch);
}

#[test]
fn a_watcher_sees_edits_of_a_link_target_outside_the_corpus() {
    let env = Env::empty();
    env.write("outside/x.txt", article("aardvark"));
    std::os::unix::fs::symlink("../outside/x.txt", env.path().join("corpus/x.txt")).unwrap();
    assert_eq!(env.run(&["index"]).code, 0);
    let (watch, _out) = env.start_watch(&["--debounce-ms", "50"]);
    env.write("outside/x.txt", article("zeppelin"));
    finds(&env, "zeppelin", &[]);
    replace_by_rename(&env, "outside/x.txt", &article("platinum"));
    finds(&env, "platinum", &[]);
    stop(watch);
}

#[test]
fn a_watcher_of_a_one_file_corpus_sees_every_save() {
    let env = Env::empty();
    env.write("one.txt", article("aardvark"));
    let at = ["--corpus", "one.txt"];
    assert_eq!(env.run(&["index", "--corpus", "one.txt"]).code, 0);
    let (watch, _out) = env.start_watch(&at);
    for word in ["zeppelin", "platinum", "quagmire"] {
        replace_by_rename(&env, "one.txt", &article(word));
        finds(&env, word, &at);
    }
    stop(watch);
}
