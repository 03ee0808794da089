//! Searching the real article: folding and stemming cases, phrases, filters,
//! the JSON contract and highlight ranges.

use serde_json::Value;

use crate::util::{article_text, Env};

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().unwrap()
}

/// The highlighted texts of a hit.
fn marked(hit: &Value) -> Vec<String> {
    let snippet = hit["snippet"].as_str().unwrap();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            snippet[a..b].to_string()
        })
        .collect()
}

fn paragraphs_containing(v: &Value, needle: &str) -> usize {
    let text = article_text();
    hits(v)
        .iter()
        .filter(|h| h["kind"] == "paragraph")
        .filter(|h| {
            let (a, b) = (
                h["byte_start"].as_u64().unwrap() as usize,
                h["byte_end"].as_u64().unwrap() as usize,
            );
            text[a..b].contains(needle)
        })
        .count()
}

#[test]
fn search_hyphen_matches_en_dash() {
    let env = Env::with_article();
    let v = env.search_json("Iran-Iraq War");
    let first = &hits(&v)[0];
    assert_eq!(first["kind"], "paragraph");
    assert!(marked(first).iter().any(|m| m == "Iran–Iraq"), "{first}");
    assert!(paragraphs_containing(&v, "Iran–Iraq War") >= 2);
}

#[test]
fn search_stemming_matches_inflections() {
    let env = Env::with_article();
    let v = env.search_json("ransacking");
    assert_eq!(paragraphs_containing(&v, "ransacked"), 2);
    let first = &hits(&v)[0];
    assert_eq!(marked(first), vec!["ransacked"]);
}

#[test]
fn search_apostrophes_fold() {
    let env = Env::with_article();
    for q in ["Ba’athist", "Baathist", "Ba'athist"] {
        let v = env.search_json(q);
        assert_eq!(paragraphs_containing(&v, "Ba'athist"), 2, "{q}");
        assert!(
            marked(&hits(&v)[0]).iter().all(|m| m == "Ba'athist"),
            "{q}: {v}"
        );
    }
}

#[test]
fn search_phrase_requires_adjacent_words() {
    let env = Env::with_article();
    let v = env.search_json("\"golden counterweight\"");
    let text = article_text();
    for h in hits(&v) {
        let (a, b) = (
            h["byte_start"].as_u64().unwrap() as usize,
            h["byte_end"].as_u64().unwrap() as usize,
        );
        assert!(text[a..b].contains("golden counterweight"), "{h}");
        assert_eq!(marked(h), vec!["golden counterweight"]);
    }
    // One paragraph, and the sections around it.
    assert_eq!(paragraphs_containing(&v, "golden"), 1);
    // The two words apart ("golden ring", "counterweight to Israel") match
    // the plain words query but not the phrase.
    let loose = env.search_json("golden counterweight");
    assert!(paragraphs_containing(&loose, "golden ring") >= 1);
}

#[test]
fn search_ranks_passages_with_every_word_first() {
    let env = Env::with_article();
    let v = env.search_json("counterweight Velayati");
    let first = &hits(&v)[0];
    assert_eq!(first["complete"], true);
    assert!(marked(first).contains(&"Velayati".to_string()));
    // A word no passage holds together with the others still returns the
    // best partial matches.
    let v = env.search_json("counterweight zzyzzx");
    assert!(!hits(&v).is_empty());
    assert!(hits(&v).iter().all(|h| h["complete"] == false));
}

#[test]
fn search_json_contract() {
    let env = Env::with_article();
    let v = env.search_json("golden counterweight");
    assert_eq!(v["query"], "golden counterweight");
    assert!(v["total"].as_u64().unwrap() >= hits(&v).len() as u64);
    let text = article_text();
    for (i, h) in hits(&v).iter().enumerate() {
        assert_eq!(h["rank"], i as u64 + 1);
        assert!(h["score"].is_number());
        assert!(h["id"].as_str().unwrap().len() > 4);
        assert_eq!(h["article"], "Iran–Syria relations");
        assert!(h["section"].is_array());
        assert_eq!(h["file"], "corpus/iran-syria-relations.txt");
        assert!(h["years"].is_array());
        let (a, b) = (
            h["byte_start"].as_u64().unwrap() as usize,
            h["byte_end"].as_u64().unwrap() as usize,
        );
        let body = &text[a..b];
        let first_line = 1 + text[..a].matches('\n').count() as u64;
        assert_eq!(h["line_start"], first_line);
        assert_eq!(
            h["line_end"],
            first_line + body.matches('\n').count() as u64
        );
        match h["kind"].as_str().unwrap() {
            "paragraph" => assert!(h["paragraph"].as_u64().unwrap() >= 1),
            "section" => {
                assert!(h["paragraph"].is_null());
                // A section starts at its heading line.
                assert!(body.starts_with('='), "{body}");
            }
            k => panic!("unknown kind {k}"),
        }
    }
    let first = &hits(&v)[0];
    assert_eq!(first["section"][0], "History and overview");
    assert_eq!(first["section"][1], "Syrian Civil War (2011–2024)");
}

#[test]
fn search_highlight_ranges_are_valid_and_on_matched_words() {
    let env = Env::with_article();
    for (q, words) in [
        (
            "Hezbollah Lebanon",
            vec!["hezbollah", "hezbollah's", "lebanon"],
        ),
        ("ransacking embassy", vec!["ransacked", "embassy"]),
        ("Khomei*", vec!["khomeini", "khomeini's", "khomeinei"]),
    ] {
        let v = env.search_json(q);
        assert!(!hits(&v).is_empty(), "{q}");
        for h in hits(&v) {
            let snippet = h["snippet"].as_str().unwrap();
            let mut last_end = 0;
            for r in h["highlights"].as_array().unwrap() {
                let (a, b) = (
                    r[0].as_u64().unwrap() as usize,
                    r[1].as_u64().unwrap() as usize,
                );
                assert!(a < b && b <= snippet.len() && a >= last_end, "{q}: {h}");
                assert!(snippet.is_char_boundary(a) && snippet.is_char_boundary(b));
                last_end = b;
                let m = snippet[a..b].to_lowercase().replace('’', "'");
                assert!(words.contains(&m.as_str()), "{q}: marked {m:?}");
            }
        }
    }
}

#[test]
fn search_filters_section_year_kind_article() {
    let env = Env::with_article();
    let v = env.search_json("Damascus section:cultural");
    assert!(!hits(&v).is_empty());
    for h in hits(&v) {
        assert_eq!(h["section"][0], "Cultural relations");
    }
    let v = env.search_json("Iran year:2000..2011 kind:paragraph");
    assert!(!hits(&v).is_empty());
    for h in hits(&v) {
        assert_eq!(h["kind"], "paragraph");
        let years: Vec<i64> = h["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y.as_i64().unwrap())
            .collect();
        assert!(years.iter().any(|y| (2000..=2011).contains(y)), "{h}");
    }
    let v = env.search_json("year:-539");
    assert_eq!(
        hits(&v).iter().filter(|h| h["kind"] == "paragraph").count(),
        1
    );
    let v = env.search_json("Syria article:iran kind:section");
    assert!(hits(&v).iter().all(|h| h["kind"] == "section"));
    let v = env.search_json("Syria article:nonexistent");
    assert!(hits(&v).is_empty());
}

#[test]
fn search_exclusion_and_or() {
    let env = Env::with_article();
    let v = env.search_json("Hezbollah -Lebanon kind:paragraph");
    let text = article_text();
    assert!(!hits(&v).is_empty());
    for h in hits(&v) {
        let (a, b) = (
            h["byte_start"].as_u64().unwrap() as usize,
            h["byte_end"].as_u64().unwrap() as usize,
        );
        assert!(!text[a..b].contains("Lebanon"), "{h}");
    }
    let v = env.search_json("Rouhani OR Raisi kind:paragraph");
    assert_eq!(hits(&v).len(), 2);
    let v = env.search_json("Rouhani Raisi kind:paragraph");
    assert!(hits(&v).iter().all(|h| h["complete"] == false));
}

#[test]
fn search_prefix_matches_word_starts() {
    let env = Env::with_article();
    let v = env.search_json("Pezesh*");
    assert_eq!(marked(&hits(&v)[0]), vec!["Pezeshkian"]);
}
