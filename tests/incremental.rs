//! Rebuilding after edits: only the difference is applied, IDs survive
//! edits elsewhere, staleness is never silent, and no crash or race leaves
//! an index that cannot answer.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::json::{IndexReport, SearchResults, Show, ShowStatus};
use crate::util::{assert_output_with, Env, Volatile, ARTICLE};

fn index(env: &Env) -> IndexReport {
    let r = env.run(&["index", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    r.parse()
}

fn edit(env: &Env, from: &str, to: &str) {
    let p = env.path().join(ARTICLE);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// Paragraph IDs with their first line, in article order.
fn paragraph_ids(env: &Env) -> Vec<(String, u64)> {
    let r = env.run(&[
        "search",
        "--json",
        "--no-update",
        "-n",
        "10000",
        "kind:paragraph",
    ]);
    r.parse::<SearchResults>()
        .hits
        .into_iter()
        .map(|h| (h.id, h.line_start))
        .collect()
}

fn meta(env: &Env) -> String {
    let current = std::fs::read_to_string(env.path().join("index/CURRENT")).unwrap();
    std::fs::read_to_string(
        env.path()
            .join("index")
            .join(current.trim())
            .join("meta.json"),
    )
    .unwrap()
}

#[test]
fn no_change_costs_no_commit() {
    let env = Env::with_article();
    index(&env);
    let before = meta(&env);
    let v = index(&env);
    assert_eq!(v.counts(), [0, 0, 0, 49, 0, 0]);
    assert!(!v.committed);
    assert_eq!(meta(&env), before);
}

/// The segments of the last commit: id, documents and deleted documents.
fn segment_list(env: &Env) -> Vec<(String, u64, u64)> {
    let meta: serde_json::Value = serde_json::from_str(&meta(env)).unwrap();
    meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let deleted = s["deletes"]["num_deleted_docs"].as_u64().unwrap_or(0);
            (
                s["segment_id"].as_str().unwrap().to_string(),
                s["max_doc"].as_u64().unwrap(),
                deleted,
            )
        })
        .collect()
}

#[test]
fn touched_but_unchanged_updates_nothing() {
    let env = Env::with_article();
    index(&env);
    let before = segment_list(&env);
    std::thread::sleep(Duration::from_millis(20));
    let text = std::fs::read(env.path().join(ARTICLE)).unwrap();
    std::fs::write(env.path().join(ARTICLE), text).unwrap();
    let v = index(&env);
    assert_eq!(v.counts(), [0, 0, 0, 49, 0, 0]);
    assert!(!v.committed);
    // Only the file's new stamp is written, none of its passages: one
    // document in all is deleted (the file's old stamp, in whichever
    // segment the build's threads put it; a segment holding nothing else
    // goes with it), every other segment is as it was, and one segment of
    // one document is new.
    let after = segment_list(&env);
    let mut deleted = 0;
    for (id, docs, del) in &before {
        match after.iter().find(|(i, ..)| i == id) {
            Some((_, d, del_after)) => {
                assert_eq!(d, docs, "{before:?} {after:?}");
                deleted += del_after - del;
            }
            None => {
                assert_eq!((*docs, *del), (1, 0), "{before:?} {after:?}");
                deleted += 1;
            }
        }
    }
    assert_eq!(deleted, 1, "{before:?} {after:?}");
    let new: Vec<_> = after
        .iter()
        .filter(|(i, ..)| !before.iter().any(|(b, ..)| b == i))
        .collect();
    assert_eq!(new.len(), 1, "{before:?} {after:?}");
    assert_eq!(new[0].1, 1, "{before:?} {after:?}");
    // And the new mtime was recorded: a search sees nothing stale.
    let r = env.run(&["search", "Velayati"]);
    assert_eq!(r.diagnostics(), "", "{r:?}");
}

#[test]
fn edit_one_paragraph_updates_exactly_one() {
    let env = Env::with_article();
    index(&env);
    let old_ids = paragraph_ids(&env);
    // Same length, so nothing else moves.
    edit(&env, "golden counterweight", "silver counterweight");
    let v = index(&env);
    assert_eq!(v.counts(), [0, 1, 0, 48, 2, 1], "{v:?}");
    assert_eq!(v.moved, 0);
    let new_ids = paragraph_ids(&env);
    let changed: Vec<_> = old_ids
        .iter()
        .zip(&new_ids)
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].0 .1, 52);
    // The new wording is found, the old is not.
    assert_eq!(
        env.search("\"silver counterweight\"").hits[0].line_start,
        52
    );
    assert_eq!(env.search("\"golden counterweight\"").total, 0);
    let r = env.run(&["cite", "--json", "silver counterweight"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(env.run(&["cite", "golden counterweight"]).code, 1);
}

#[test]
fn a_longer_edit_moves_the_passages_after_it() {
    let env = Env::with_article();
    index(&env);
    edit(
        &env,
        "golden counterweight",
        "golden and precious counterweight",
    );
    let v = index(&env);
    assert_eq!(v.updated, 1, "{v:?}");
    assert_eq!(v.added, 0);
    assert_eq!(v.removed, 0);
    assert!(v.moved > 0);
    // Byte ranges of moved passages match the file again.
    let text = std::fs::read_to_string(env.path().join(ARTICLE)).unwrap();
    let hit = &env.search("Mazzeh").hits[0];
    assert!(text[hit.bytes()].starts_with("Iran opened its first cultural center"));
}

#[test]
fn inserting_a_paragraph_keeps_the_other_ids() {
    let env = Env::with_article();
    index(&env);
    let old: Vec<String> = paragraph_ids(&env).into_iter().map(|(id, _)| id).collect();
    edit(
        &env,
        "===Medieval history===\n",
        "===Medieval history===\nA new first paragraph about zebracorns.\n\n",
    );
    let v = index(&env);
    assert_eq!(v.added, 1, "{v:?}");
    assert_eq!(v.updated, 0);
    assert_eq!(v.removed, 0);
    let new: Vec<String> = paragraph_ids(&env).into_iter().map(|(id, _)| id).collect();
    assert_eq!(new.len(), old.len() + 1);
    let added: Vec<&String> = new.iter().filter(|id| !old.contains(id)).collect();
    assert_eq!(added.len(), 1);
    assert!(old.iter().all(|id| new.contains(id)));
    let hit = &env.search("zebracorns").hits[0];
    assert_eq!(&hit.id, added[0]);
    assert_eq!(hit.paragraph, Some(1));
    assert_eq!(hit.section[1], "Medieval history");
}

#[test]
fn deleting_a_section_removes_its_passages() {
    let env = Env::with_article();
    index(&env);
    let text = std::fs::read_to_string(env.path().join(ARTICLE)).unwrap();
    let start = text.find("==Cultural relations==").unwrap();
    let end = text.find("==Position on territorial").unwrap();
    std::fs::write(
        env.path().join(ARTICLE),
        format!("{}{}", &text[..start], &text[end..]),
    )
    .unwrap();
    let v = index(&env);
    assert_eq!(v.removed, 3, "{v:?}");
    assert_eq!(v.added, 0);
    assert_eq!(v.paragraphs, 46);
    assert_eq!(v.sections, 11);
    assert_eq!(env.search("Mazzeh").total, 0);
    assert_eq!(env.search("section:cultural").total, 0);
}

#[test]
fn renaming_a_section_keeps_paragraph_ids_and_moves_them() {
    let env = Env::with_article();
    index(&env);
    let old = paragraph_ids(&env);
    // Same length, so nothing after it moves.
    edit(&env, "==Cultural relations==", "==Cultural exchanges==");
    let v = index(&env);
    assert_eq!(v.added, 0, "{v:?}");
    assert_eq!(v.removed, 0);
    assert_eq!(v.updated, 0);
    assert_eq!(v.moved, 3);
    assert_eq!(paragraph_ids(&env), old);
    let hit = &env.search("Mazzeh").hits[0];
    assert_eq!(hit.section[0], "Cultural exchanges");
    assert_eq!(env.search("section:relations").total, 0);
    assert_eq!(env.search("section:exchanges kind:paragraph").total, 3);
}

#[test]
fn adding_and_removing_an_article_file() {
    let env = Env::with_article();
    index(&env);
    let ids = paragraph_ids(&env);
    env.write(
        "corpus/more/extra.txt",
        "= Extra =\n\nA zebracorn appears.\n\nAnother one.\n",
    );
    let v = index(&env);
    assert_eq!(v.counts(), [2, 0, 0, 49, 1, 1], "{v:?}");
    assert_eq!(v.articles, 2);
    assert_eq!(
        env.search("zebracorn").hits[0].file,
        "corpus/more/extra.txt"
    );
    let after: Vec<_> = paragraph_ids(&env)
        .into_iter()
        .filter(|p| ids.contains(p))
        .collect();
    assert_eq!(after, ids);
    std::fs::remove_file(env.path().join("corpus/more/extra.txt")).unwrap();
    let v = index(&env);
    assert_eq!(v.counts(), [0, 0, 2, 49, 1, 1], "{v:?}");
    assert_eq!(env.search("zebracorn").total, 0);
}

#[test]
fn full_rebuild_on_request() {
    let env = Env::with_article();
    index(&env);
    let r = env.run(&["index", "--json", "--full"]);
    let v: IndexReport = r.parse();
    assert!(v.full);
    assert_eq!(v.added, 49);
}

#[test]
fn search_and_cite_bring_a_stale_index_up_to_date() {
    let env = Env::with_article();
    index(&env);
    edit(&env, "golden counterweight", "silver counterweight");
    let r = env.run(&["search", "--json", "\"silver counterweight\""]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("corpus/iran-syria-relations.txt changed; index updated: 0 added, 1 updated"),
        "{r:?}"
    );
    edit(&env, "silver counterweight", "bronze counterweight");
    let r = env.run(&["cite", "--json", "bronze counterweight"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("index updated"), "{r:?}");
}

#[test]
fn no_update_warns_and_uses_the_old_index() {
    let env = Env::with_article();
    index(&env);
    edit(&env, "golden counterweight", "silver counterweight");
    let r = env.run(&["search", "--no-update", "\"golden counterweight\""]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("warning: corpus/iran-syria-relations.txt changed since the index was built"),
        "{r:?}"
    );
    // Nothing was updated.
    let r = env.run(&["search", "--no-update", "\"silver counterweight\""]);
    assert_eq!(r.code, 1, "{r:?}");
}

#[test]
fn show_resolves_ids_edited_and_removed() {
    let env = Env::with_article();
    let id = env.search("Velayati").hits[0].id.clone();
    let r = env.run(&["show", "--json", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: Show = r.parse();
    assert_eq!(v.status, ShowStatus::Found);
    assert_eq!(v.passages[0].line_start, 52);
    assert!(v.passages[0].text.contains("golden counterweight"));

    // Edited: the old ID leads to the new version.
    edit(&env, "golden counterweight", "silver counterweight");
    let r = env.run(&["show", "--json", &id]);
    assert_eq!(r.code, 1, "{r:?}");
    let v: Show = r.parse();
    assert_eq!(v.status, ShowStatus::Edited);
    assert!(v.passages[0].text.contains("silver counterweight"));
    assert!(
        r.stderr.contains("was edited; the current version is"),
        "{r:?}"
    );
    // In text, the new version goes to stdout only when asked for: a
    // script keeping stdout never keeps another passage's text.
    let r = env.run(&["show", "--color", "never", &id]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:?}");
    assert!(r.stderr.contains("(--follow prints it)"), "{r:?}");
    let r = env.run(&["show", "--color", "never", "--follow", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("silver counterweight"), "{r:?}");
    // `related` follows an edited ID as `show` does.
    let r = env.run(&["related", "--json", "-n", "2", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("its passage was edited; passages related to its current version"),
        "{r:?}"
    );

    // Removed: what stands at its place now.
    let para = &v.passages[0].text;
    let new_id = &v.passages[0].id;
    edit(&env, &format!("{para}\n\n"), "");
    let r = env.run(&["show", "--json", new_id]);
    assert_eq!(r.code, 1, "{r:?}");
    let v: Show = r.parse();
    assert_eq!(v.status, ShowStatus::Removed, "{r:?}");
    let closest = v.closest.expect("a removed passage's closest");
    assert_eq!(closest.section[1], "Syrian Civil War (2011–2024)");
    assert_eq!(closest.paragraph, Some(1));
    assert!(closest.text.starts_with("Iran reportedly assisted"));
    assert!(r.stderr.contains("was removed; "), "{r:?}");
    let r = env.run(&["show", "--color", "never", new_id]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:?}");
    let r = env.run(&["show", "--color", "never", "--follow", new_id]);
    assert!(r.stdout.contains("Iran reportedly assisted"), "{r:?}");

    let r = env.run(&["show", "p000000000000"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("no passage or section has the ID p000000000000"),
        "{r:?}"
    );
}

#[test]
fn concurrent_index_runs_are_refused_cleanly() {
    let env = Env::with_copies(30);
    let children: Vec<_> = (0..3)
        .map(|_| {
            env.command(&["index", "--full"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ok = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => ok += 1,
            Some(2) => assert!(
                err.contains("another `passage index` is updating this index"),
                "{err}"
            ),
            other => panic!("{other:?}: {err}"),
        }
    }
    assert!(ok >= 1);
    assert!(env.search("Velayati").total > 30);
}

#[test]
fn searches_during_rebuilds_always_answer() {
    let env = Env::with_copies(30);
    index(&env);
    let mut builder = env
        .command(&["index", "--full"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut searches = 0;
    let started = Instant::now();
    let mut rebuilds = 1;
    while started.elapsed() < Duration::from_secs(8) {
        let r = env.run(&["search", "--json", "-n", "1", "Velayati"]);
        assert_eq!(r.code, 0, "search {searches}: {r:?}");
        assert_eq!(r.parse::<SearchResults>().hits[0].line_start, 52);
        searches += 1;
        if let Ok(Some(_)) = builder.try_wait() {
            if rebuilds == 3 {
                break;
            }
            rebuilds += 1;
            builder = env
                .command(&["index", "--full"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
        }
    }
    let _ = builder.wait();
    assert!(searches > 3);
}

#[test]
fn killed_rebuilds_always_leave_a_searchable_index() {
    let env = Env::with_copies(20);
    index(&env);
    // How long a full build takes here, to kill at points within it.
    let t = Instant::now();
    assert_eq!(env.run(&["index", "--full"]).code, 0);
    let build_ms = t.elapsed().as_millis().max(20) as u64;
    let mut seed = std::process::id() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    eprintln!("kill loop: build takes {build_ms} ms, seed {seed}");
    for round in 0..12 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = (seed >> 33) % build_ms;
        // Alternate full rebuilds and incremental updates after an edit.
        let args: &[&str] = if round % 2 == 0 {
            &["index", "--full"]
        } else {
            let word = format!("zebra{round}");
            env.write(
                &format!("corpus/copies/c{}.txt", round % 20),
                format!("= Copy {} =\n\nA {word} paragraph.\n", round % 20),
            );
            &["index"]
        };
        let mut child = env
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let r = env.run(&["search", "--json", "--no-update", "-n", "1", "Velayati"]);
        assert_eq!(r.code, 0, "round {round}, killed after {delay} ms: {r:?}");
        assert!(!r.stderr.contains("building it"), "round {round}: {r:?}");
    }
    // The next update repairs whatever is out of date.
    let r = env.run(&["index", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["search", "--json", "zebra11"]);
    assert_eq!(r.code, 0, "{r:?}");
    let gens = std::fs::read_dir(env.path().join("index"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gen-")
        })
        .count();
    assert_eq!(gens, 1);
}

#[test]
fn watch_prints_one_line_per_update() {
    let env = Env::with_article();
    let mut child = env
        .command(&["watch", "--debounce-ms", "100"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("initial update line");
    let volatile = [Volatile::Clock, Volatile::Seconds];
    assert_output_with(
        &first,
        "<time> updated: 49 added, 0 updated, 0 removed, 0 unchanged; \
         12 sections updated; 1 file changed (<secs>)",
        &volatile,
    );
    // One watcher per index.
    let r = env.run(&["watch"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("another `passage watch` is already keeping this index current"),
        "{r:?}"
    );
    std::thread::sleep(Duration::from_millis(300));
    edit(&env, "golden counterweight", "silver counterweight");
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a line after the edit");
    let _ = child.kill();
    let _ = child.wait();
    assert_output_with(
        &line,
        "<time> updated: 0 added, 1 updated, 0 removed, 48 unchanged; \
         2 sections updated; 1 file changed (<secs>)",
        &volatile,
    );
    let r = env.run(&["search", "--no-update", "\"silver counterweight\""]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn files_swapped_with_equal_size_and_mtime_are_noticed() {
    // As after unpacking an archive: two files of the same size and the
    // same mtime, then swapped with three renames. Size and mtime alone say
    // nothing changed; the ctime and the inodes do (git's racy-git rules).
    let env = Env::empty();
    env.write("corpus/a.txt", "= A =\n\nThe walrus sleeps on ice.\n");
    env.write("corpus/b.txt", "= B =\n\nThe heron waits in reeds.\n");
    let when = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    for f in ["a", "b"] {
        let file = std::fs::File::options()
            .write(true)
            .open(env.path().join(format!("corpus/{f}.txt")))
            .unwrap();
        file.set_modified(when).unwrap();
    }
    let first = index(&env);
    assert_eq!(first.paragraphs, 2);
    let dir = env.path().join("corpus");
    std::fs::rename(dir.join("a.txt"), dir.join("t.tmp")).unwrap();
    std::fs::rename(dir.join("b.txt"), dir.join("a.txt")).unwrap();
    std::fs::rename(dir.join("t.tmp"), dir.join("b.txt")).unwrap();
    let r = env.run(&["index", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let report: IndexReport = r.parse();
    assert_eq!(report.files_edited, 2, "{r:?}");
    // The walrus now stands in b.txt, under b's title, and show agrees.
    let v: SearchResults = env.search("walrus");
    assert_eq!(v.hits[0].file, "corpus/b.txt", "{v:?}");
    assert_eq!(v.hits[0].article, "A", "{v:?}");
    let r = env.run(&["show", "--json", &v.hits[0].id]);
    let shown: Show = r.parse();
    assert_eq!(shown.passages[0].file, "corpus/b.txt", "{shown:?}");
    assert!(shown.passages[0].text.contains("walrus"), "{shown:?}");
}

#[test]
fn id_history_survives_a_full_rebuild() {
    let env = Env::with_article();
    let id = env.search("Velayati").hits[0].id.clone();
    // Edited, and the edit picked up by a full rebuild (not an update): the
    // old ID still leads to the new version.
    edit(&env, "golden counterweight", "silver counterweight");
    let r = env.run(&["index", "--full"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["show", "--json", &id]);
    assert_eq!(r.code, 1, "{r:?}");
    let v: Show = r.parse();
    assert_eq!(v.status, ShowStatus::Edited, "{r:?}");
    assert!(v.passages[0].text.contains("silver counterweight"));
    // And a second rebuild keeps what the first carried over.
    let r = env.run(&["index", "--full"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: Show = env.run(&["show", "--json", &id]).parse();
    assert_eq!(v.status, ShowStatus::Edited);
    // An ID that was edited back is alive again, not a tombstone.
    edit(&env, "silver counterweight", "golden counterweight");
    env.run(&["index", "--full"]);
    let v: Show = env.run(&["show", "--json", &id]).parse();
    assert_eq!(v.status, ShowStatus::Found);
}

/// Segments of the index's current generation.
fn segments(env: &Env) -> usize {
    segment_list(env).len()
}

/// Waits until no process holds the index's writer lock (a merge started
/// in the background).
fn wait_for_writers(env: &Env) {
    let lock = std::fs::File::options()
        .write(true)
        .open(env.path().join("index/.lock"))
        .unwrap();
    lock.lock().unwrap();
}

/// Files of the current generation that belong to no segment of its
/// commit.
fn leftover_files(env: &Env) -> Vec<String> {
    let meta: serde_json::Value = serde_json::from_str(&meta(env)).unwrap();
    let live: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    let current = std::fs::read_to_string(env.path().join("index/CURRENT")).unwrap();
    std::fs::read_dir(env.path().join("index").join(current.trim()))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            let stem = name.split('.').next().unwrap_or("");
            stem.len() == 32 && !live.iter().any(|l| l == stem)
        })
        .collect()
}

#[test]
fn updates_leave_a_bounded_number_of_segments() {
    let env = Env::with_article();
    for i in 0..4 {
        env.write(
            &format!("corpus/extra{i}.txt"),
            format!("= Extra {i} =\n\nA first paragraph.\n"),
        );
    }
    index(&env);
    // Each edit is its own update and its own small segment (kept alive
    // by a file added with it); merging them runs after the answer, in the
    // background, never in the search.
    let (mut before, mut merged) = (segments(&env), 0);
    for round in 0..16 {
        let file = format!("corpus/extra{}.txt", round % 4);
        let mut text = std::fs::read_to_string(env.path().join(&file)).unwrap();
        text.push_str(&format!("\nRound {round} mentions quokkas.\n"));
        std::thread::sleep(Duration::from_millis(5));
        env.write(&file, text);
        env.write(
            &format!("corpus/new{round}.txt"),
            format!("= New {round} =\n\nA wombat.\n"),
        );
        let r = env.run(&["search", "-n", "0", "quokkas"]);
        assert_eq!(r.code, 0, "{r:?}");
        wait_for_writers(&env);
        merged += usize::from(segments(&env) < before);
        before = segments(&env);
        // A merge leaves no file of the segments it merged.
        assert_eq!(leftover_files(&env), Vec::<String>::new(), "round {round}");
    }
    assert!(merged > 0, "no merge ran");
    assert!(
        segments(&env) <= passage::limits::MAX_SEGMENTS,
        "{}",
        meta(&env)
    );
    let r = env.run(&["search", "--json", "-n", "0", "quokkas"]);
    assert_eq!(r.json()["total"], 16 + 4, "{r:?}");
}

#[test]
fn a_writer_waits_for_a_merge_instead_of_failing() {
    let env = Env::with_article();
    index(&env);
    let lock_path = env.path().join("index/.lock");
    let locked = |path: &std::path::Path| {
        let f = std::fs::File::create(path).unwrap();
        f.lock().unwrap();
        f
    };
    // A background merge the instant it has both its locks, before it has
    // done anything else: it is waited for, not taken for another writer.
    let merge = locked(&env.path().join("index/.merge.lock"));
    let lock = locked(&lock_path);
    let held = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(lock);
        drop(merge);
    });
    let started = Instant::now();
    let r = env.run(&["index", "--full"]);
    held.join().unwrap();
    assert_eq!(r.code, 0, "{r:?}");
    assert!(started.elapsed() >= Duration::from_millis(250), "{r:?}");
    // Any other writer is refused at once, as before.
    let _lock = locked(&lock_path);
    let r = env.run(&["index", "--full"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("another `passage index`"), "{r:?}");
}

#[test]
fn a_format_18_index_carries_its_ids_and_history_over() {
    // The state a format-18 build kept beside its index (its JSON stamps,
    // the bucket of document states holding this article, and its
    // tombstones), made by `passage` 5e19da7 after one edit: "golden" ->
    // "silver counterweight", which gave p7f6424c4037c's passage the ID
    // pc68a99bbe864.
    let env = Env::with_article();
    edit(&env, "golden counterweight", "silver counterweight");
    let gen = env.path().join("index/gen-format18");
    let fixture = crate::util::repo().join("tests/data/format18");
    std::fs::create_dir_all(gen.join("docs")).unwrap();
    for f in [
        "stamps.json",
        "docs/61-2.json.zst",
        "docs/tombstones-2.json.zst",
    ] {
        std::fs::copy(fixture.join(f), gen.join(f)).unwrap();
    }
    env.write("index/CURRENT", "gen-format18");
    let v = index(&env);
    assert!(v.full, "{v:?}");
    let r = env.run(&["show", "--json", "p7f6424c4037c"]);
    let shown: Show = r.parse();
    assert_eq!(shown.status, ShowStatus::Edited, "{r:?}");
    assert_eq!(shown.passages[0].id, "pc68a99bbe864", "{r:?}");
    assert!(shown.passages[0].text.contains("silver counterweight"));
    let r = env.run(&["show", "--json", "pc68a99bbe864"]);
    assert_eq!(r.parse::<Show>().status, ShowStatus::Found, "{r:?}");
    // The old generation is gone once the new one is in use.
    assert!(!gen.exists());
}

/// Every document as `export` writes it, without its ID, sorted.
fn exported(env: &Env, index: &str) -> Vec<String> {
    let r = env.run(&["export", "--index", index]);
    assert_eq!(r.code, 0, "{r:?}");
    crate::util::exported_without_ids(&r.stdout)
}

#[test]
fn killed_updates_leave_index_and_corpus_agreeing() {
    // A kill at any instant of an update (files added, edited, removed)
    // leaves an index whose documents and file states agree: the next
    // update makes it exactly what a build from scratch makes.
    let env = Env::with_copies(12);
    index(&env);
    let t = Instant::now();
    for i in 0..3 {
        env.write(
            &format!("corpus/new{i}.txt"),
            format!("= New {i} =\n\nA.\n"),
        );
    }
    index(&env);
    let update_ms = t.elapsed().as_millis().max(10) as u64;
    let mut seed = std::process::id() as u64 ^ 0x2545_f491_4f6c_dd1d;
    eprintln!("kill loop: an update takes about {update_ms} ms, seed {seed}");
    let mut killed = 0;
    for round in 0..16 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = (seed >> 33) % (update_ms + 20);
        // One file removed, one added, one edited.
        let gone = format!("corpus/copies/c{}.txt", round % 12);
        let _ = std::fs::remove_file(env.path().join(&gone));
        env.write(
            &format!("corpus/added{round}.txt"),
            format!("= Added {round} =\n\nAn okapi{round} paragraph.\n"),
        );
        env.write(
            &format!("corpus/new{}.txt", round % 3),
            format!("= New {round} =\n\nEdited in round {round}.\n"),
        );
        let mut child = env
            .command(&["index"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        killed += usize::from(child.try_wait().unwrap().is_none());
        let _ = child.kill();
        let _ = child.wait();
        wait_for_writers(&env);
        let repaired = index(&env);
        let fresh_dir = format!("fresh{round}");
        let r = env.run(&["index", "--json", "--index", &fresh_dir]);
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(
            exported(&env, "index"),
            exported(&env, &fresh_dir),
            "round {round}, killed after {delay} ms; then {repaired:?}"
        );
        std::fs::remove_dir_all(env.path().join(&fresh_dir)).unwrap();
    }
    // Most rounds kill the update part way (the rest let it finish).
    eprintln!("{killed} of 16 updates killed before they ended");
    assert!(killed > 0);
}
