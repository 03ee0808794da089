//! The standing chaos test: rounds of random edits of every kind (in
//! place, saved by rename, renamed, swapped, deleted, added, a folder
//! moved), random `kill -9` of updates (after a random delay, and at a
//! random `rename` through strace's fault injection), searches in parallel
//! with a watcher running on one index and none on another. After each
//! round the next `index` must equal a fresh full build, and every answer
//! in between must be right or carry a warning.
//!
//! A few rounds run in `cargo test`; `PASSAGE_CHAOS_SECONDS=600` runs
//! rounds for that long and prints the counts RELIABILITY.md reports.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::util::json::SearchResults;
use crate::util::Env;

/// Rounds in a plain `cargo test`.
const ROUNDS: usize = 4;
const FOLDERS: [&str; 3] = ["a", "b", "c"];

/// A small seeded generator (the test prints its seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What the corpus holds: each file's path and the marker word its
/// paragraphs carry (one word no other file or version has).
#[derive(Default)]
struct Model {
    files: BTreeMap<String, String>,
    /// Markers that were in the corpus and are no longer.
    gone: Vec<String>,
    next: usize,
}

impl Model {
    fn marker(&mut self) -> String {
        self.next += 1;
        // Letters only, so that no analyzer splits it.
        let letters: String = self
            .next
            .to_string()
            .bytes()
            .map(|d| (b'a' + (d - b'0')) as char)
            .collect();
        format!("chaos{letters}q")
    }
}

fn text(title: &str, marker: &str) -> String {
    format!(
        "= {title} =\n\nThe {marker} lead of {title}.\n\n== Part ==\n\nA second paragraph names {marker} again.\n"
    )
}

/// One random edit of the corpus, applied to the files and the model.
fn edit(env: &Env, model: &mut Model, rng: &mut Rng) -> &'static str {
    let root = env.path().join("corpus");
    let paths: Vec<String> = model.files.keys().cloned().collect();
    let pick = |rng: &mut Rng| paths[rng.below(paths.len())].clone();
    let kind = if paths.len() < 4 { 5 } else { rng.below(8) };
    let retire = |model: &mut Model, rel: &str| {
        if let Some(m) = model.files.remove(rel) {
            model.gone.push(m);
        }
    };
    match kind {
        0 => {
            let rel = pick(rng);
            let m = model.marker();
            std::fs::write(root.join(&rel), text(&title_of(&rel), &m)).unwrap();
            retire(model, &rel);
            model.files.insert(rel, m);
            "in place"
        }
        1 => {
            let rel = pick(rng);
            let m = model.marker();
            let tmp = root.join(".save.tmp");
            std::fs::write(&tmp, text(&title_of(&rel), &m)).unwrap();
            std::fs::rename(&tmp, root.join(&rel)).unwrap();
            retire(model, &rel);
            model.files.insert(rel, m);
            "saved by rename"
        }
        2 => {
            let rel = pick(rng);
            let to = format!("{}/r{}.txt", folder_of(&rel), model.next);
            model.next += 1;
            std::fs::rename(root.join(&rel), root.join(&to)).unwrap();
            let m = model.files.remove(&rel).unwrap();
            model.files.insert(to, m);
            "renamed"
        }
        3 => {
            let (x, y) = (pick(rng), pick(rng));
            if x == y {
                return "nothing";
            }
            let tmp = root.join(".swap.tmp");
            std::fs::rename(root.join(&x), &tmp).unwrap();
            std::fs::rename(root.join(&y), root.join(&x)).unwrap();
            std::fs::rename(&tmp, root.join(&y)).unwrap();
            let (mx, my) = (model.files[&x].clone(), model.files[&y].clone());
            model.files.insert(x, my);
            model.files.insert(y, mx);
            "swapped"
        }
        4 => {
            let rel = pick(rng);
            std::fs::remove_file(root.join(&rel)).unwrap();
            retire(model, &rel);
            "deleted"
        }
        5 | 6 => {
            let folder = FOLDERS[rng.below(FOLDERS.len())];
            let rel = format!("{folder}/n{}.txt", model.next);
            let m = model.marker();
            std::fs::create_dir_all(root.join(folder)).unwrap();
            std::fs::write(root.join(&rel), text(&title_of(&rel), &m)).unwrap();
            model.files.insert(rel, m);
            "added"
        }
        _ => {
            // A folder moved: to a new name and back by the next move.
            let from = folder_of(&pick(rng)).to_string();
            let to = match from.strip_suffix("-moved") {
                Some(back) => back.to_string(),
                None => format!("{from}-moved"),
            };
            if root.join(&to).exists() {
                return "nothing";
            }
            std::fs::rename(root.join(&from), root.join(&to)).unwrap();
            let moved: Vec<String> = model
                .files
                .keys()
                .filter(|r| folder_of(r) == from)
                .cloned()
                .collect();
            for rel in moved {
                let m = model.files.remove(&rel).unwrap();
                model.files.insert(rel.replacen(&from, &to, 1), m);
            }
            "folder moved"
        }
    }
}

fn folder_of(rel: &str) -> &str {
    rel.split('/').next().unwrap()
}

/// A file's title: from its name, so that a renamed file is another
/// article and a swap is two edits.
fn title_of(rel: &str) -> String {
    format!("Chaos {}", rel.trim_end_matches(".txt").replace('/', " "))
}

/// `passage index --index INDEX`, waiting while another writer holds it.
fn index(env: &Env, index: &str) {
    let started = Instant::now();
    loop {
        let r = env.run(&["index", "--index", index]);
        if r.code == 0 {
            return;
        }
        assert!(
            r.stderr.contains("another `passage index` is updating")
                && started.elapsed() < Duration::from_secs(60),
            "{r:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every document as `export` writes it, without its ID, sorted.
fn exported(env: &Env, index: &str) -> Vec<String> {
    let r = env.run(&["export", "--no-update", "--index", index]);
    assert!(r.code == 0 || r.code == 1, "{r:?}");
    crate::util::exported_without_ids(&r.stdout)
}

/// Counts over the whole run.
#[derive(Default)]
struct Counts {
    rounds: usize,
    edits: usize,
    kills: usize,
    injected: usize,
    searches: AtomicUsize,
    warnings: AtomicUsize,
    wrong: Mutex<Vec<String>>,
}

impl Counts {
    /// Judges one answer to `search --json WORD`: `present` says whether
    /// the word is in the corpus (`None`: it may be, edits are running);
    /// `file` is the file that holds it. A wrong answer with a warning is
    /// allowed (the warning says it may be stale); one without is counted.
    fn judge(&self, r: &crate::util::Run, word: &str, present: Option<bool>, file: Option<&str>) {
        self.searches.fetch_add(1, Ordering::Relaxed);
        let warned = r.stderr.contains("warning");
        if warned {
            self.warnings.fetch_add(1, Ordering::Relaxed);
        }
        let problem = if r.stderr.contains("panicked") || !(r.code == 0 || r.code == 1) {
            Some("failed")
        } else if r.code == 0 {
            let hits = r.parse::<SearchResults>().hits;
            // A passage grouped under another shows no snippet of its own.
            let wrong_snippet = |h: &crate::util::json::Hit| {
                if h.snippet.is_empty() {
                    h.grouped_under.is_none()
                } else {
                    !h.snippet.contains(word)
                }
            };
            if hits.iter().any(wrong_snippet) {
                Some("a snippet without the word")
            } else if present == Some(false) {
                Some("found a word no longer in the corpus")
            } else if file.is_some_and(|f| !hits.iter().any(|h| h.file.ends_with(f))) {
                Some("found it in the wrong file")
            } else {
                None
            }
        } else if present == Some(true) {
            Some("missed a word in the corpus")
        } else {
            None
        };
        if let Some(what) = problem {
            if !warned || what == "failed" {
                self.wrong
                    .lock()
                    .unwrap()
                    .push(format!("{what}: {word}: {r:?}"));
            }
        }
    }
}

/// Whether strace can inject faults here (`.ci/run` installs it).
fn strace() -> bool {
    std::process::Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn chaos_edits_kills_and_searches_never_leave_a_wrong_answer_in_silence() {
    assert!(
        strace(),
        "this test kills updates at a `rename` with strace: install it (.ci/run does)"
    );
    let seconds: u64 = std::env::var("PASSAGE_CHAOS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let seed = std::env::var("PASSAGE_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()) ^ 0x9e37_79b9_7f4a_7c15);
    eprintln!("chaos: seed {seed} (PASSAGE_CHAOS_SEED={seed} repeats this run)");
    let mut rng = Rng(seed);
    let env = Env::empty();
    let mut model = Model::default();
    for i in 0..9 {
        let rel = format!("{}/f{i}.txt", FOLDERS[i % 3]);
        let m = model.marker();
        env.write(&format!("corpus/{rel}"), text(&title_of(&rel), &m));
        model.files.insert(rel, m);
    }
    // `index` is kept current by a watcher; `solo` by searches alone.
    index(&env, "index");
    index(&env, "solo");
    // The reader is kept: a watcher whose stdout is closed ends.
    let (mut watch, _out) = env.start_watch(&["--debounce-ms", "30"]);
    let mut counts = Counts::default();
    let began = Instant::now();
    loop {
        let round = counts.rounds;
        if (seconds == 0 && round >= ROUNDS)
            || (seconds > 0 && began.elapsed().as_secs() >= seconds)
        {
            break;
        }
        // Searches run while the edits happen: any answer is judged
        // against what every version of the corpus could show.
        let done = AtomicBool::new(false);
        let words: Vec<String> = model.files.values().cloned().collect();
        let edits = std::thread::scope(|s| {
            s.spawn(|| {
                let mut i = 0;
                while !done.load(Ordering::Relaxed) {
                    let word = &words[i % words.len()];
                    let at = if i % 2 == 0 { "index" } else { "solo" };
                    let r = env.run(&["search", "--json", "--no-typos", "--index", at, word]);
                    counts.judge(&r, word, None, None);
                    i += 1;
                }
            });
            let n = 2 + rng.below(4);
            for _ in 0..n {
                edit(&env, &mut model, &mut rng);
                std::thread::sleep(Duration::from_millis(rng.below(20) as u64));
            }
            done.store(true, Ordering::Relaxed);
            n
        });
        counts.edits += edits;
        // A kill at a random moment of an update of each index, and
        // (strace) at a random rename of one.
        for at in ["index", "solo"] {
            let mut args = vec!["index", "--index", at];
            if rng.below(4) == 0 {
                args.push("--full");
            }
            let mut child = env
                .command(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(rng.below(60) as u64));
            if child.try_wait().unwrap().is_none() {
                counts.kills += 1;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        {
            let when = 1 + rng.below(4);
            let at = if rng.below(2) == 0 { "index" } else { "solo" };
            let status = std::process::Command::new("strace")
                .args(["-f", "-qq", "-o", "/dev/null", "-e"])
                .arg(format!(
                    "inject=rename,renameat,renameat2:signal=SIGKILL:when={when}"
                ))
                .arg(env!("CARGO_BIN_EXE_passage"))
                .args(["index", "--full", "--index", at])
                .current_dir(env.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            if !status.success() {
                counts.injected += 1;
            }
        }
        // Quiet now: every answer must be exactly right (or warn).
        for (rel, word) in &model.files {
            for at in ["index", "solo"] {
                let r = env.run(&[
                    "search",
                    "--json",
                    "--no-typos",
                    "-n",
                    "50",
                    "--index",
                    at,
                    word,
                ]);
                counts.judge(&r, word, Some(true), Some(rel));
            }
        }
        for word in model.gone.iter().rev().take(4) {
            for at in ["index", "solo"] {
                let r = env.run(&["search", "--json", "--no-typos", "--index", at, word]);
                counts.judge(&r, word, Some(false), None);
            }
        }
        // And each index, once updated, is what a fresh build makes.
        let fresh = format!("fresh{round}");
        index(&env, &fresh);
        let expected = exported(&env, &fresh);
        for at in ["index", "solo"] {
            index(&env, at);
            assert_eq!(
                exported(&env, at),
                expected,
                "round {round}: {at} differs from a fresh build (seed {seed})"
            );
        }
        std::fs::remove_dir_all(env.path().join(&fresh)).unwrap();
        counts.rounds += 1;
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let wrong = counts.wrong.lock().unwrap();
    eprintln!(
        "chaos: {} rounds, {} edits, {} updates killed at random moments, {} at a rename, {} searches, {} wrong answers, {} with a warning (seed {seed})",
        counts.rounds,
        counts.edits,
        counts.kills,
        counts.injected,
        counts.searches.load(Ordering::Relaxed),
        wrong.len(),
        counts.warnings.load(Ordering::Relaxed),
    );
    assert!(counts.kills + counts.injected > 0, "no update was killed");
    assert!(
        wrong.is_empty(),
        "{} wrong answers; the first: {}",
        wrong.len(),
        wrong[0]
    );
}
