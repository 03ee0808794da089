//! Concurrency: searches running while `index` and `watch` rewrite the
//! index always answer from one committed state, and no lock left by a
//! killed process blocks the next one. Complements tests/incremental.rs
//! (concurrent writers, searches during rebuilds, the SIGKILL loop).

use std::collections::{BTreeSet, HashMap};
use std::io::BufRead;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use passage::corpus::passage_id;

use crate::util::json::SearchResults;
use crate::util::Env;

const FILES: usize = 6;
const ROUNDS: usize = 6;

/// Version `v` of file `i`: one paragraph naming its version, the same
/// length in every version (so byte ranges never move under a reader).
fn article(i: usize, v: usize) -> (String, String) {
    let body = format!("Version {v:03} of the zebracorn file {i}.");
    (format!("= File {i} =\n\n{body}\n"), body)
}

/// The paragraph ID of file `i` at version `v`.
fn id(i: usize, v: usize) -> String {
    passage_id(&format!("File {i}"), &article(i, v).1)
}

/// Starts `passage watch` and waits for the first line it prints.
fn watch_first_line(env: &Env) -> (std::process::Child, String) {
    let mut watch = env
        .command(&["watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(watch.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (watch, line)
}

/// Writes version `v` of every file, each replaced whole by a rename: a
/// file rewritten in place is empty for a moment, and an update reading it
/// then rightly indexes no paragraph for it, a state no version had.
fn write_version(env: &Env, v: usize) {
    for i in 0..FILES {
        let next = env.path().join(format!("f{i}.next"));
        std::fs::write(&next, article(i, v).0).unwrap();
        std::fs::create_dir_all(env.path().join("corpus")).unwrap();
        std::fs::rename(&next, env.path().join(format!("corpus/f{i}.txt"))).unwrap();
    }
}

#[test]
fn parallel_searches_see_one_committed_state_while_index_and_watch_run() {
    let env = Env::empty();
    write_version(&env, 0);
    assert_eq!(env.run(&["index"]).code, 0);
    // Which file and version each paragraph ID stands for.
    let known: HashMap<String, (usize, usize)> = (0..FILES)
        .flat_map(|i| (0..=ROUNDS).map(move |v| (id(i, v), (i, v))))
        .collect();

    let mut watch = env
        .command(&["watch", "--debounce-ms", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(watch.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("up to date"));

    let done = AtomicBool::new(false);
    let seen: Vec<Vec<Vec<usize>>> = std::thread::scope(|s| {
        let searchers: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let mut seen = Vec::new();
                    while !done.load(Ordering::Relaxed) {
                        // Without --no-update a search may update the index
                        // itself; either way it must answer.
                        let r = env.run(&["search", "--json", "-n", "100", "zebracorn"]);
                        assert!(r.code == 0 || r.code == 1, "{r:?}");
                        assert!(!r.stderr.contains("panicked"), "{r:?}");
                        let r = env.run(&[
                            "search",
                            "--json",
                            "--no-update",
                            "-n",
                            "100",
                            "kind:paragraph",
                        ]);
                        assert_eq!(r.code, 0, "{r:?}");
                        // A committed state holds each file's paragraph
                        // exactly once, at a version the file had: an update
                        // seen halfway would show one twice or not at all.
                        let mut state = vec![None; FILES];
                        for h in r.parse::<SearchResults>().hits {
                            let id = &h.id;
                            let &(i, v) = known
                                .get(id)
                                .unwrap_or_else(|| panic!("unknown paragraph {id}: {r:?}"));
                            assert!(state[i].replace(v).is_none(), "file {i} twice: {r:?}");
                        }
                        let state: Vec<usize> = state
                            .into_iter()
                            .map(|v| v.unwrap_or_else(|| panic!("a file is missing: {r:?}")))
                            .collect();
                        seen.push(state);
                    }
                    seen
                })
            })
            .collect();
        for v in 1..=ROUNDS {
            write_version(&env, v);
            // The watcher or a search may hold the writer lock: wait.
            loop {
                let r = env.run(&["index"]);
                if r.code == 0 {
                    break;
                }
                assert!(
                    r.stderr.contains("another `passage index` is updating"),
                    "{r:?}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        done.store(true, Ordering::Relaxed);
        searchers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    watch.kill().unwrap();
    watch.wait().unwrap();
    let states: BTreeSet<&Vec<usize>> = seen.iter().flatten().collect();
    eprintln!(
        "parallel searches: {} answers, {} distinct committed states",
        seen.iter().map(Vec::len).sum::<usize>(),
        states.len()
    );
    assert!(!states.is_empty());
    // Each searcher's answers never go back in time, file by file.
    for s in &seen {
        for w in s.windows(2) {
            assert!(w[0].iter().zip(&w[1]).all(|(a, b)| a <= b), "{w:?}");
        }
    }
    let r = env.run(&[
        "search",
        "--json",
        "--no-update",
        "-n",
        "100",
        "kind:paragraph",
    ]);
    let last: BTreeSet<String> = r
        .parse::<SearchResults>()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(last, (0..FILES).map(|i| id(i, ROUNDS)).collect());
}

#[test]
fn sigkill_leaves_no_lock_that_blocks_the_next_run() {
    let env = Env::with_copies(20);
    // A watcher killed after its first update leaves `.watch` behind...
    let (mut watch, first) = watch_first_line(&env);
    assert!(first.contains("added"), "{first}");
    watch.kill().unwrap(); // SIGKILL
    watch.wait().unwrap();
    assert!(env.path().join("index/.watch").exists());
    // ...which neither makes searches trust a dead watcher (they still
    // notice an edit) nor blocks the next watcher.
    env.write("corpus/new.txt", "= New =\n\nA zebracorn.\n");
    let r = env.run(&["search", "zebracorn"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("corpus/new.txt added"), "{r:?}");
    let (mut again, line) = watch_first_line(&env);
    again.kill().unwrap();
    again.wait().unwrap();
    assert!(line.contains("up to date"), "{line}");

    // An `index` killed mid-build leaves `.lock` behind, which does not
    // block the next one.
    let mut build = env
        .command(&["index", "--full"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    build.kill().unwrap();
    build.wait().unwrap();
    assert!(env.path().join("index/.lock").exists());
    let r = env.run(&["index"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["search", "-n", "1", "zebracorn"]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn a_watcher_starting_while_a_search_probes_its_lock_still_starts() {
    // A search asks whether a watcher runs by trying the watcher's lock
    // for an instant; a watcher starting in that instant took the search
    // for another watcher and exited (seen in bench/scale.sh).
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    let probe = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.path().join("index/.watch"))
        .unwrap();
    probe.lock().unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(probe);
    });
    let (mut watch, line) = watch_first_line(&env);
    releaser.join().unwrap();
    let _ = watch.kill();
    let _ = watch.wait();
    assert!(line.contains("up to date"), "{line:?}");
}

#[test]
fn a_file_rewritten_while_searches_run_never_yields_a_wrong_snippet_in_silence() {
    // Two versions whose passages stand at different offsets: where one
    // has its sections, the other has filler without the searched word.
    let short = "= Shifting =\n\nThe quokka lead.\n\n== Alpha ==\n\nA quokka in Alpha.\n\n== Beta ==\n\nBeta holds a quokka too.\n";
    let filler = "Filler words say nothing at all here. ".repeat(12);
    let long = format!(
        "= Shifting =\n\n{filler}\n\nThe quokka lead.\n\n== Alpha ==\n\n{filler}\n\nA quokka in Alpha.\n\n== Beta ==\n\n{filler}\n\nBeta holds a quokka too.\n"
    );
    let env = Env::empty();
    env.write("corpus/s.txt", short);
    assert_eq!(env.run(&["index"]).code, 0);
    let done = AtomicBool::new(false);
    let (answers, silent_wrong) = std::thread::scope(|s| {
        s.spawn(|| {
            let mut n = 0;
            while !done.load(Ordering::Relaxed) {
                let text = if n % 2 == 0 { long.as_str() } else { short };
                std::fs::write(env.path().join("corpus/s.txt"), text).unwrap();
                n += 1;
                std::thread::sleep(Duration::from_millis(7));
            }
        });
        let searchers: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let (mut answers, mut wrong) = (0, Vec::new());
                    for _ in 0..60 {
                        let r = env.run(&["search", "--json", "-n", "10", "quokka"]);
                        assert!(r.code == 0 || r.code == 1, "{r:?}");
                        answers += 1;
                        if r.code != 0 || r.stderr.contains("warning") {
                            continue;
                        }
                        let hits = r.parse::<SearchResults>().hits;
                        // A passage grouped under another shows no
                        // snippet of its own.
                        let misplaced = |h: &crate::util::json::Hit| {
                            if h.snippet.is_empty() {
                                h.grouped_under.is_none()
                            } else {
                                !h.snippet.to_lowercase().contains("quokka")
                            }
                        };
                        if hits.iter().any(misplaced) {
                            wrong.push(r);
                        }
                    }
                    (answers, wrong)
                })
            })
            .collect();
        let out: Vec<_> = searchers.into_iter().map(|h| h.join().unwrap()).collect();
        done.store(true, Ordering::Relaxed);
        let answers: usize = out.iter().map(|o| o.0).sum();
        let wrong: Vec<_> = out.into_iter().flat_map(|o| o.1).collect();
        (answers, wrong)
    });
    assert!(
        silent_wrong.is_empty(),
        "{} of {answers} answers show a snippet without the word and no warning; the first: {:?}",
        silent_wrong.len(),
        silent_wrong[0]
    );
}
