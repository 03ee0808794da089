//! Building the index: many articles, subfolders, atomic replacement.

use crate::util::json::{self, IndexReport, SearchResults};
use crate::util::Env;

#[test]
fn index_walks_subfolders_and_many_files() {
    let env = Env::empty();
    for i in 0..30 {
        env.write(
            &format!("corpus/part{}/a{i}.txt", i % 3),
            format!("= Article {i} =\n\nLead of article {i} about topic{i}.\n\n==Details==\nDetail paragraph {i}.\n"),
        );
    }
    env.write("corpus/notes.md", "= Not an article =\n\nIgnored.\n");
    let r = env.run(&["index", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: IndexReport = r.parse();
    assert_eq!(v.articles, 30);
    assert_eq!(v.paragraphs, 60);
    assert_eq!(v.sections, 60);
    let v = env.search("topic17");
    assert_eq!(v.hits[0].file, "corpus/part2/a17.txt");
    assert_eq!(v.hits[0].article, "Article 17");
    assert_eq!(env.search("Ignored").hits.len(), 0);
}

#[test]
fn rebuild_replaces_the_index_and_cleans_old_generations() {
    let env = Env::with_article();
    env.run(&["index"]);
    env.write("corpus/extra.txt", "= Extra =\n\nA zebracorn appears.\n");
    let r = env.run(&["index"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(env.search("zebracorn").hits[0].article, "Extra");
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
fn failed_rebuild_leaves_the_previous_index_searchable() {
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    // The corpus disappears: the rebuild fails before touching the index.
    std::fs::rename(env.path().join("corpus"), env.path().join("gone")).unwrap();
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(env.search("Velayati").hits[0].line_start, 52);
}

#[test]
fn interrupted_build_leaves_the_previous_index_searchable() {
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    // A generation left half-written by a killed build is ignored and then
    // cleaned up by the next build.
    let junk = env.path().join("index/gen-0-0");
    std::fs::create_dir(&junk).unwrap();
    std::fs::write(junk.join("meta.json"), "{ truncated").unwrap();
    assert_eq!(env.search("Velayati").hits[0].line_start, 52);
    assert_eq!(env.run(&["index"]).code, 0);
    assert!(!junk.exists());
}

#[test]
fn deleted_index_is_rebuilt_on_search() {
    let env = Env::with_article();
    env.run(&["index"]);
    std::fs::remove_dir_all(env.path().join("index")).unwrap();
    assert_eq!(env.search("Velayati").hits[0].line_start, 52);
}

#[test]
fn a_second_writer_is_refused_clearly() {
    let env = Env::with_article();
    std::fs::create_dir_all(env.path().join("index")).unwrap();
    let lock = std::fs::File::create(env.path().join("index/.lock")).unwrap();
    lock.lock().unwrap();
    let r = env.run(&["index"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("another `passage index` is updating this index"),
        "{r:?}"
    );
    drop(lock);
    assert_eq!(env.run(&["index"]).code, 0);
}

#[test]
fn search_from_another_folder_reads_passages_back() {
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    let elsewhere = tempfile::tempdir().unwrap();
    let index = env.path().join("index");
    let corpus = env.path().join("corpus");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["search", "--json", "--no-update", "--index"])
        .arg(&index)
        .arg("--corpus")
        .arg(&corpus)
        .arg("Velayati")
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: SearchResults = json::parse(&String::from_utf8_lossy(&out.stdout));
    assert!(v.hits[0].snippet.contains("Velayati"));
}
