//! `section:` and `article:` match headings and titles the way words match
//! the text (folded, stemmed, `*` a prefix), a filter that matches nothing
//! says so, and filters restrict `--list-sections`.
//!
//! See issue 11, items 2 and 5.

use serde_json::Value;

use crate::util::Env;

/// A second, small article, so that filters have something to tell apart.
const ANARCHISM: &str = "\
= Anarchism =

Anarchism is a political philosophy.

==History==

Early anarchist thought appeared in 1840.

===Origins===

Proudhon wrote What is Property? in 1840.

==Anarchist culture==

Anarchists founded free schools in 1901.

==See also==

* Libertarianism
";

fn with_two_articles() -> Env {
    let env = Env::with_article();
    env.write("corpus/anarchism.txt", ANARCHISM);
    env
}

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().unwrap()
}

/// The section paths of every hit of a filters-only query (`-n` large
/// enough for all of them).
fn paths(env: &Env, query: &str) -> Vec<Vec<String>> {
    let r = env.run(&["search", "--json", "-n", "500", "--", query]);
    assert!(r.code == 0 || r.code == 1, "{query}: {r:?}");
    let v = r.json();
    assert_eq!(hits(&v).len() as u64, v["total"].as_u64().unwrap(), "{v}");
    hits(&v)
        .iter()
        .map(|h| {
            h["section"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

fn notes(v: &Value) -> Vec<&str> {
    v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect()
}

// See: issue 11, item 2 (`section:culture`, the README's own example, found
// nothing: the heading is "Cultural relations").
#[test]
fn r11_section_filter_is_stemmed_like_the_text() {
    let env = Env::with_article();
    // The section document and its three paragraphs.
    let cultural = vec![vec!["Cultural relations".to_string()]; 4];
    for q in [
        "section:culture",
        "section:cultural",
        "section:CULTURES",
        "section:Cultúral",
        "section:\"cultural relation\"",
        "section:cultur*",
        "section:CULT*",
    ] {
        assert_eq!(paths(&env, q), cultural, "{q}");
    }
}

#[test]
fn a_prefix_is_of_the_folded_word_not_its_stem() {
    let env = Env::with_article();
    // "culture" begins no heading word ("Cultural" does not start with it),
    // though it shares the stem: a prefix means what it says.
    let r = env.run(&["search", "section:culture*"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .lines()
            .any(|l| l == "passage: note: no section heading matches section:culture*"),
        "{r:?}"
    );
    // A phrase whose last word is a prefix.
    let war = paths(&env, "section:\"civil wa*\"");
    assert!(!war.is_empty());
    assert!(
        war.iter()
            .all(|p| p.last().unwrap() == "Syrian Civil War (2011–2024)"),
        "{war:?}"
    );
    // The dash of "Post-Assad" is folded away like in the text.
    let post = paths(&env, "section:post-ass*");
    assert_eq!(post.len(), 5, "{post:?}");
}

#[test]
fn article_filter_is_folded_and_stemmed() {
    let env = with_two_articles();
    let iran_syria = paths(&env, "article:relations");
    assert_eq!(paths(&env, "article:relation"), iran_syria);
    assert_eq!(paths(&env, "article:\"iran-syria\""), iran_syria);
    assert_eq!(paths(&env, "article:\"IRAN—SYRIA RELATION\""), iran_syria);
    // Lead, History, Origins, culture, See also: 5 sections, 5 passages.
    assert_eq!(paths(&env, "article:anarchism").len(), 10);
    assert_eq!(paths(&env, "article:anarch*").len(), 10);
    // The stemmer keeps "Syrian" and "Syria" apart in titles as it does in
    // the text: the same rule for both.
    let r = env.run(&["search", "article:syrian"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("no article title matches article:syrian"));
}

// See: issue 11, item 2 ("a filter that matches no heading at all says so
// on stderr").
#[test]
fn r11_a_filter_that_matches_nothing_says_so() {
    let env = Env::with_article();
    let r = env.run(&["search", "section:xyz"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "passage: no index in index; building it from corpus\n\
         passage: note: no section heading matches section:xyz\n\
         passage: no matches\n"
    );
    let v = env.search_json("golden section:xyz article:qqq");
    assert_eq!(v["total"], 0);
    assert_eq!(
        notes(&v),
        vec![
            "no section heading matches section:xyz",
            "no article title matches article:qqq"
        ]
    );
    // A negated one removes nothing: the search still finds, and says why
    // the exclusion did nothing.
    let r = env.run(&["search", "--", "golden", "-section:xyz"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains(
        "passage: note: no section heading matches section:xyz, so -section:xyz excludes nothing"
    ));
    // Headings that exist bring no note, even when the combination finds
    // nothing.
    let v = env.search_json("section:culture year:1650");
    assert_eq!(v["total"], 0, "{v}");
    assert_eq!(notes(&v), vec!["no passage mentions a year in year:1650"]);
    let v = env.search_json("section:culture article:iran khomeini");
    assert!(notes(&v).is_empty(), "{v}");
}

#[test]
fn a_filter_word_too_long_to_index_matches_nothing_without_a_panic() {
    let env = Env::with_article();
    let long = format!("section:{}", "a".repeat(90));
    let r = env.run(&["search", &long]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("no section heading matches"), "{r:?}");
    assert!(!r.stderr.contains("internal error"), "{r:?}");
}

#[test]
fn star_without_letters_before_it_is_an_error() {
    let env = Env::with_article();
    for q in ["section:cul**", "section:\"civil *\""] {
        let r = env.run(&["search", q]);
        assert_eq!(r.code, 2, "{q}: {r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{q}: {r:?}");
        assert!(
            r.stderr.contains("'*' needs a few letters before it"),
            "{r:?}"
        );
    }
}

// See: issue 11, item 5 (`--list-sections article:anarchism` printed every
// line of the corpus).
#[test]
fn r11_list_sections_article_keeps_only_that_article() {
    let env = with_two_articles();
    let all = env.run(&["search", "--list-sections"]);
    assert_eq!(all.code, 0, "{all:?}");
    assert_eq!(all.stdout.lines().count(), 5 + 1 + 12);
    let r = env.run(&["search", "--list-sections", "article:anarchism"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.stdout,
        "\
Anarchism  corpus/anarchism.txt  (5 passages, 1 in the lead)
  History (1, 2 with subsections)
    Origins (1)
  Anarchist culture (1)
  See also (1)
"
    );
    // The same text as the article's part of the full list.
    assert!(all.stdout.starts_with(&r.stdout), "{all:?}");
}

#[test]
fn list_sections_section_keeps_matches_under_their_parents() {
    let env = with_two_articles();
    let r = env.run(&["search", "--list-sections", "section:culture"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.stdout,
        "\
Anarchism  corpus/anarchism.txt  (5 passages, 1 in the lead)
  Anarchist culture (1)

Iran–Syria relations  corpus/iran-syria-relations.txt  (49 passages, 4 in the lead)
  Cultural relations (3)
"
    );
    let r = env.run(&[
        "search",
        "--list-sections",
        "--json",
        "section:\"civil war\"",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let v = r.json();
    let articles = v["articles"].as_array().unwrap();
    assert_eq!(articles.len(), 1, "{v}");
    let listed: Vec<(String, bool)> = articles[0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["section"].as_array().unwrap();
            let last = path.last().map_or("", |h| h.as_str().unwrap());
            (last.to_string(), s["matched"].as_bool().unwrap())
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            (String::new(), false),
            ("History and overview".to_string(), false),
            ("Syrian Civil War (2011–2024)".to_string(), true),
        ]
    );
    assert_eq!(v["notes"], serde_json::json!([]));
}

#[test]
fn list_sections_years_and_exclusions() {
    let env = with_two_articles();
    // 1840 is mentioned under History › Origins and in History itself.
    let r = env.run(&["search", "--list-sections", "year:1840"]);
    assert_eq!(
        r.stdout,
        "\
Anarchism  corpus/anarchism.txt  (5 passages, 1 in the lead)
  History (1, 2 with subsections)
    Origins (1)
"
    );
    let r = env.run(&[
        "search",
        "--list-sections",
        "--",
        "article:anarchism",
        "-section:history",
        "-section:\"see also\"",
    ]);
    assert_eq!(
        r.stdout,
        "\
Anarchism  corpus/anarchism.txt  (5 passages, 1 in the lead)
  Anarchist culture (1)
"
    );
    // kind:section is what a list holds anyway.
    let r = env.run(&[
        "search",
        "--list-sections",
        "kind:section",
        "article:anarchism",
    ]);
    assert_eq!(r.stdout.lines().count(), 5, "{r:?}");
}

#[test]
fn list_sections_refuses_words_and_says_when_a_filter_matches_nothing() {
    let env = with_two_articles();
    for q in [
        "golden",
        "article:iran golden",
        "\"civil war\"",
        "kind:paragraph",
    ] {
        let r = env.run(&["search", "--list-sections", q]);
        assert_eq!(r.code, 2, "{q}: {r:?}");
        assert_eq!(r.stdout, "", "{q}");
        assert_eq!(r.stderr.lines().count(), 1, "{q}: {r:?}");
        assert!(
            r.stderr
                .starts_with("passage: --list-sections takes only filters that pick sections"),
            "{q}: {r:?}"
        );
    }
    let r = env.run(&["search", "--list-sections", "article:xyz"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(r
        .stderr
        .lines()
        .any(|l| l == "passage: note: no article title matches article:xyz"));
    let r = env.run(&["search", "--list-sections", "--json", "article:xyz"]);
    assert_eq!(r.code, 1, "{r:?}");
    let v = r.json();
    assert_eq!(v["articles"], serde_json::json!([]));
    assert_eq!(notes(&v), vec!["no article title matches article:xyz"]);
}

#[test]
fn help_describes_filters_in_the_list() {
    let env = Env::empty();
    let r = env.run(&["search", "--help"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("section:cultur*"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("With --list-sections, a query of filters restricts the list"),
        "{}",
        r.stdout
    );
}

/// Paragraphs of the export, as (section path, text).
fn exported_paragraphs(env: &Env) -> Vec<(Vec<String>, String)> {
    let r = env.run(&["export", "--ndjson"]);
    assert_eq!(r.code, 0, "{r:?}");
    r.stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|d| d["kind"] == "paragraph")
        .map(|d| {
            let path = d["section"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            (path, d["text"].as_str().unwrap().to_string())
        })
        .collect()
}

// Tantivy's debug builds panicked on any excluded phrase (its exclusion
// asks a phrase scorer about a document behind it: quickwit-oss/tantivy#2811).
#[test]
fn excluded_phrases_exclude_exactly_what_they_name() {
    let env = Env::with_article();
    let total = |q: &str| {
        let r = env.run(&["search", "--json", "-n", "1", "--", q]);
        assert!(r.code == 0 || r.code == 1, "{q}: {r:?}");
        assert!(!r.stderr.contains("internal error"), "{q}: {r:?}");
        r.json()["total"].as_u64().unwrap() as usize
    };
    let paragraphs = exported_paragraphs(&env);
    let all = total("kind:paragraph");
    assert_eq!(all, paragraphs.len());
    let civil_war = paragraphs
        .iter()
        .filter(|(_, t)| t.to_lowercase().contains("civil war"))
        .count();
    assert!(civil_war > 0);
    assert_eq!(total("kind:paragraph -\"civil war\""), all - civil_war);
    let see_also = paragraphs
        .iter()
        .filter(|(p, _)| p.iter().any(|h| h == "See also"))
        .count();
    assert_eq!(see_also, 9);
    assert_eq!(
        total("kind:paragraph -section:\"see also\""),
        all - see_also
    );
    // Ranked words with an excluded phrase, too.
    let v = env.search_json("Syria -\"civil war\" kind:paragraph");
    assert!(!hits(&v).is_empty());
    for h in hits(&v) {
        let s = h["snippet"].as_str().unwrap().to_lowercase();
        assert!(!s.contains("civil war"), "{h}");
    }
}
