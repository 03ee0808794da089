//! Typo tolerance, did-you-mean, prefixes, slop, filters, the section list,
//! explanations, related passages and the lenient-parse report.

use serde_json::Value;

use crate::util::Env;

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().unwrap()
}

fn marked(hit: &Value) -> Vec<String> {
    let snippet = hit["snippet"].as_str().unwrap();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            snippet[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize].to_string()
        })
        .collect()
}

#[test]
fn typos_find_the_word_meant_and_mark_it() {
    let env = Env::with_article();
    for (q, line, word) in [
        ("Khomeni ideology", 37, "Khomeini's"),
        ("hezbolah Amal Movement", 39, "Hezbollah's"),
        ("Ahmedinejad visa", 48, "Ahmadinejad"),
        ("Velayti golden", 52, "Velayati"),
    ] {
        let v = env.search_json(q);
        let first = &hits(&v)[0];
        assert_eq!(first["line_start"], line, "{q}: {v}");
        assert!(
            marked(first).contains(&word.to_string()),
            "{q}: {:?}",
            marked(first)
        );
    }
}

#[test]
fn typo_matches_rank_below_exact_ones() {
    let env = Env::with_article();
    // "Khamenei" is in the article; "Khomeini" is one edit away from
    // neither, but both exist: a correctly typed name never drifts.
    let v = env.search_json("Khamenei kind:paragraph");
    for h in hits(&v) {
        assert!(marked(h).iter().all(|m| m == "Khamenei"), "{h}");
    }
}

#[test]
fn numbers_are_never_corrected() {
    let env = Env::with_article();
    // 1947 is not in the article; 1946 is. No typo tolerance on numbers.
    let v = env.search_json("1947");
    assert_eq!(v["total"], 0, "{v}");
    assert!(v["suggestions"].as_array().unwrap().is_empty());
    let v = env.search_json("treaty 1954");
    for h in hits(&v) {
        assert!(!marked(h).contains(&"1953".to_string()), "{h}");
    }
}

#[test]
fn typos_can_be_turned_off() {
    let env = Env::with_article();
    let r = env.run(&["search", "--json", "--no-typos", "Velayti"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json()["total"], 0);
}

#[test]
fn did_you_mean_on_stderr_and_in_json() {
    let env = Env::with_article();
    let r = env.run(&["search", "--color", "never", "--no-typos", "Mossadeq"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("'Mossadeq' is not in the index; did you mean: mossadegh?"),
        "{r:?}"
    );
    let v = env.search_json("Mossadeq");
    assert_eq!(v["suggestions"][0]["word"], "Mossadeq");
    assert_eq!(v["suggestions"][0]["did_you_mean"][0], "mossadegh");
    // A known word gets no suggestion.
    assert!(env.search_json("Mossadegh")["suggestions"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn unfinished_last_word_matches_as_prefix() {
    let env = Env::with_article();
    let v = env.search_json("Pezeshk");
    assert_eq!(marked(&hits(&v)[0]), vec!["Pezeshkian"]);
    let v = env.search_json("Mamluk Sultan");
    assert_eq!(hits(&v)[0]["line_start"], 18);
    // Only the last word: an unfinished first word is not expanded.
    assert_eq!(
        env.search_json("Pezeshk phone")["total"],
        env.search_json("phone")["total"],
        "only the last word is a prefix"
    );
    // A whole word ranks above prefix matches of it.
    let v = env.search_json("Iran");
    assert!(marked(&hits(&v)[0])
        .iter()
        .all(|m| m.to_lowercase().starts_with("iran")));
}

#[test]
fn explicit_prefix_anywhere() {
    let env = Env::with_article();
    let v = env.search_json("Khomei* Hezbollah");
    let first = &hits(&v)[0];
    assert_eq!(first["complete"], true);
    assert!(marked(first).iter().any(|m| m.starts_with("Khomei")));
}

#[test]
fn phrase_slop_and_filters_combine() {
    let env = Env::with_article();
    // "Iran and Syria" has one word between: slop finds more.
    let exact = env.search_json("\"Iran Syria\" kind:paragraph")["total"]
        .as_u64()
        .unwrap();
    let loose = env.search_json("\"Iran Syria\"~1 kind:paragraph")["total"]
        .as_u64()
        .unwrap();
    assert!(loose > exact + 3, "{exact} vs {loose}");
    let v = env.search_json("\"Iran Syria\"~1 kind:paragraph year:2006");
    assert!(!hits(&v).is_empty());
    for h in hits(&v) {
        assert!(
            h["years"].as_array().unwrap().contains(&Value::from(2006)),
            "{h}"
        );
        assert!(marked(h).contains(&"Iran".to_string()), "{h}");
    }
    let v = env.search_json("Damascus section:\"civil war\" year:2020..");
    for h in hits(&v) {
        assert_eq!(h["section"][1], "Syrian Civil War (2011–2024)");
    }
    // Section filter folds like the text: no dash or capital needed.
    assert!(
        env.search_json("section:post-assad")["total"]
            .as_u64()
            .unwrap()
            >= 4
    );
    assert!(
        env.search_json("section:POST ASSAD")["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[test]
fn list_sections_shows_the_tree_with_counts() {
    let env = Env::with_article();
    let r = env.run(&["search", "--list-sections"]);
    assert_eq!(r.code, 0, "{r:?}");
    let expected = "\
Iran–Syria relations  corpus/iran-syria-relations.txt  (49 passages, 4 in the lead)
  History and overview (0, 32 with subsections)
    Ancient history (1)
    Medieval history (2)
    Prior to 1979 (4)
    1979–1990s (5)
    2000s–2011 (4)
    Syrian Civil War (2011–2024) (12)
    Post-Assad regime (2024–present) (4)
  Cultural relations (3)
  Position on territorial claims involving Iran (1)
  See also (9)
";
    assert_eq!(r.stdout, expected);
    let r = env.run(&["search", "--list-sections", "--json"]);
    let v = r.json();
    assert_eq!(v["articles"][0]["sections"][7]["paragraphs"], 12);
}

#[test]
fn explain_says_why_in_plain_words() {
    let env = Env::with_article();
    let r = env.run(&[
        "search",
        "--color",
        "never",
        "--explain",
        "-n",
        "2",
        "Khomeni ideology",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("why: score "), "{r:?}");
    assert!(r.stdout.contains("holds every word of the query"), "{r:?}");
    assert!(r.stdout.contains("'ideology' in the text"), "{r:?}");
    assert!(r.stdout.contains("for 'Khomeni' (typo, ×0.5)"), "{r:?}");
    let r = env.run(&[
        "search",
        "--json",
        "--explain",
        "-n",
        "3",
        "cultural relations",
    ]);
    let v = r.json();
    let e = &v["hits"][0]["explain"];
    assert_eq!(e["tier"], "all words");
    let total: f64 = e["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["score"].as_f64().unwrap())
        .sum();
    let weight = e["section_weight"].as_f64().unwrap_or(1.0);
    let score = v["hits"][0]["score"].as_f64().unwrap();
    assert!(
        (total * weight - score).abs() < 0.05 * score,
        "{total} × {weight} vs {score}"
    );
}

#[test]
fn related_passages_follow_the_topic() {
    let env = Env::with_article();
    let id = env.search_json("Sayida Zaynab pilgrimages")["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env.run(&["related", "--json", "-n", "3", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    let v = r.json();
    let hs = hits(&v);
    assert!(!hs.is_empty());
    assert!(hs
        .iter()
        .all(|h| h["id"] != id.as_str() && h["kind"] == "paragraph"));
    // The other paragraphs on cultural ties come first.
    assert_eq!(hs[0]["section"][0], "Cultural relations", "{v}");
    let r = env.run(&["related", "p000000000000"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no passage has the ID p000000000000"),
        "{r:?}"
    );
}

#[test]
fn lenient_parse_says_how_the_query_was_read() {
    let env = Env::with_article();
    let r = env.run(&["search", "--color", "never", "\"golden counterweight"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("passage: searching for: \"golden counterweight\" (unbalanced quote at position 1 closed at the end)"),
        "{r:?}"
    );
    let r = env.run(&["search", "--color", "never", "OR golden counterweight OR"]);
    assert!(
        r.stderr.contains(
            "searching for: golden counterweight ('OR' at position 1 has nothing to join"
        ),
        "{r:?}"
    );
}
