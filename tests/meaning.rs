//! A static embedding model the user points to (`passage index --model
//! DIR`), tested on a tiny model in Model2Vec's format that the test
//! writes: a word-level tokenizer and a table of 4-dimensional rows, where
//! `feline` and `cat` point the same way and `engine` another.

use crate::util::{json, Env};

/// The model's words and their rows: cats along the first axis, machines
/// along the second, weather along the third.
const ROWS: &[(&str, [f32; 4])] = &[
    ("[UNK]", [0.0, 0.0, 0.0, 0.0]),
    ("cat", [1.0, 0.0, 0.1, 0.0]),
    ("cats", [1.0, 0.0, 0.0, 0.1]),
    ("feline", [0.9, 0.1, 0.0, 0.0]),
    ("kitten", [0.95, 0.0, 0.05, 0.0]),
    ("engine", [0.0, 1.0, 0.0, 0.1]),
    ("piston", [0.0, 0.9, 0.1, 0.0]),
    ("rain", [0.0, 0.0, 1.0, 0.0]),
    ("storm", [0.1, 0.0, 0.9, 0.0]),
];

/// Writes the model's three files into `dir`.
fn write_model(env: &Env, dir: &str) {
    let vocab: Vec<String> = ROWS
        .iter()
        .enumerate()
        .map(|(i, (w, _))| format!("{w:?}: {i}"))
        .collect();
    let tokenizer = format!(
        r#"{{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
  "normalizer": {{"type": "Lowercase"}}, "pre_tokenizer": {{"type": "Whitespace"}},
  "post_processor": null, "decoder": null,
  "model": {{"type": "WordLevel", "vocab": {{{}}}, "unk_token": "[UNK]"}}}}"#,
        vocab.join(", ")
    );
    // safetensors: a little-endian u64 header length, the JSON header
    // (padded to 8 bytes), then the rows as little-endian f32.
    let data: Vec<u8> = ROWS
        .iter()
        .flat_map(|(_, r)| r.iter().flat_map(|x| x.to_le_bytes()))
        .collect();
    let mut header = format!(
        r#"{{"embeddings":{{"dtype":"F32","shape":[{},4],"data_offsets":[0,{}]}}}}"#,
        ROWS.len(),
        data.len()
    );
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut weights = (header.len() as u64).to_le_bytes().to_vec();
    weights.extend_from_slice(header.as_bytes());
    weights.extend_from_slice(&data);
    env.write(&format!("{dir}/tokenizer.json"), tokenizer);
    env.write(&format!("{dir}/model.safetensors"), weights);
    env.write(&format!("{dir}/config.json"), r#"{"normalize": true}"#);
}

fn corpus(env: &Env) {
    env.write(
        "corpus/pets.txt",
        "= Pets =\n\nA kitten sleeps most of the day in the sun.\n\n\
         == Machines ==\n\nThe piston moves inside the engine block.\n",
    );
    env.write(
        "corpus/weather.txt",
        "= Weather =\n\nRain and storm clouds came over the hills.\n",
    );
}

#[test]
fn a_word_no_passage_holds_finds_the_passage_near_it_in_meaning_and_says_how() {
    let env = Env::empty();
    corpus(&env);
    write_model(&env, "model");
    let r = env.run(&["index", "--model", "model"]);
    assert_eq!(r.code, 0, "{r:?}");
    let status = env.run(&["status", "--json"]).json();
    let model = env.path().join("model");
    assert_eq!(
        status["model"],
        model.display().to_string().as_str(),
        "{status}"
    );

    // No passage holds "feline": the kitten's is nearest in meaning.
    let found = env.search("feline");
    let first = &found.hits[0];
    assert!(first.snippet.contains("kitten"), "{found:?}");
    // Found by meaning alone, and never the engine's passage.
    assert!(
        found.hits.iter().all(|h| !h.snippet.contains("piston")),
        "{found:?}"
    );

    let r = env.run(&["search", "--explain", "feline"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("near the query in meaning")
            && r.stdout.contains("meaning under model (cosine)"),
        "{r:?}"
    );
    let v = env.run(&["search", "--json", "--explain", "feline"]).json();
    assert_eq!(v["hits"][0]["explain"]["tier"], "meaning", "{v}");

    // --no-expand is the words alone: nothing holds "feline".
    let r = env.run(&["search", "--no-expand", "feline"]);
    assert_eq!(r.code, 1, "{r:?}");
}

#[test]
fn a_passage_holding_the_words_outranks_one_near_in_meaning() {
    let env = Env::empty();
    corpus(&env);
    env.write(
        "corpus/cats.txt",
        "= Cats =\n\nThe feline family includes lions.\n",
    );
    write_model(&env, "model");
    assert_eq!(env.run(&["index", "--model", "model"]).code, 0);
    let found: json::SearchResults = env
        .run(&["search", "--json", "--explain", "feline"])
        .parse();
    assert!(found.hits[0].snippet.contains("lions"), "{found:?}");
}

#[test]
fn the_index_keeps_its_model_through_updates_and_says_when_it_is_gone() {
    let env = Env::empty();
    corpus(&env);
    write_model(&env, "model");
    assert_eq!(env.run(&["index", "--model", "model"]).code, 0);
    // A file added later is given its meaning by the index's model.
    env.write("corpus/later.txt", "= Later =\n\nCats chase string.\n");
    let found = env.search("kitten feline");
    assert!(
        found.hits.iter().any(|h| h.snippet.contains("string")),
        "{found:?}"
    );

    // The model's files replaced: searches go on by the words, and say so.
    std::fs::remove_file(env.path().join("model/config.json")).unwrap();
    let r = env.run(&["search", "feline"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("no config.json here") && r.stderr.contains("by the words alone"),
        "{r:?}"
    );
    // An edit then cannot be given its meaning: the index is searched as
    // it was, and the search says so.
    env.write("corpus/later.txt", "= Later =\n\nCats chase wool.\n");
    let r = env.run(&["search", "wool"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("cannot be updated") && r.stderr.contains("last committed state"),
        "{r:?}"
    );
    // --no-model rebuilds without it; the note is gone.
    let r = env.run(&["index", "--no-model"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["search", "kitten"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stderr.contains("model"), "{r:?}");
}

#[test]
fn a_folder_that_is_no_model_is_one_line_and_leaves_the_index_as_it_was() {
    let env = Env::empty();
    corpus(&env);
    assert_eq!(env.run(&["index"]).code, 0);
    env.write("not-a-model/readme.txt", "hello");
    let r = env.run(&["index", "--model", "not-a-model"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(
        r.stderr.starts_with("passage: model ") && r.stderr.contains("no config.json here"),
        "{r:?}"
    );
    // Nothing was lost: the index still answers.
    assert_eq!(env.run(&["search", "kitten"]).code, 0);
    // A model folder whose files are not a model: one line too.
    env.write("not-a-model/config.json", "{}");
    env.write("not-a-model/tokenizer.json", "{");
    env.write("not-a-model/model.safetensors", "x");
    let r = env.run(&["index", "--model", "not-a-model"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("not a Model2Vec model"), "{r:?}");
}
