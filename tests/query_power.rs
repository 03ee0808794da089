//! Typo tolerance, did-you-mean, prefixes, slop, filters, the section list,
//! explanations, related passages and the lenient-parse report.

use crate::util::json::{Kind, SearchResults, SectionList};
use crate::util::Env;

#[test]
fn typos_find_the_word_meant_and_mark_it() {
    let env = Env::with_article();
    for (q, line, word) in [
        ("Khomeni ideology", 37, "Khomeini's"),
        ("hezbolah Amal Movement", 39, "Hezbollah's"),
        ("Ahmedinejad visa", 48, "Ahmadinejad"),
        ("Velayti golden", 52, "Velayati"),
    ] {
        let v = env.search(q);
        let first = &v.hits[0];
        assert_eq!(first.line_start, line, "{q}: {v:?}");
        assert!(first.marked().contains(&word), "{q}: {:?}", first.marked());
    }
}

#[test]
fn typo_matches_rank_below_exact_ones() {
    let env = Env::with_article();
    // "Khamenei" is in the article; "Khomeini" is one edit away from
    // neither, but both exist: a correctly typed name never drifts.
    let v = env.search("Khamenei kind:paragraph");
    assert!(!v.hits.is_empty(), "{v:?}");
    for h in &v.hits {
        assert!(h.marked().iter().all(|m| *m == "Khamenei"), "{h:?}");
    }
}

#[test]
fn numbers_are_never_corrected() {
    let env = Env::with_article();
    // 1947 is not in the article; 1946 is. No typo tolerance on numbers.
    let v = env.search("1947");
    assert_eq!(v.total, 0, "{v:?}");
    assert!(v.suggestions.is_empty());
    let v = env.search("treaty 1954");
    for h in &v.hits {
        assert!(!h.marked().contains(&"1953"), "{h:?}");
    }
}

#[test]
fn typos_can_be_turned_off() {
    let env = Env::with_article();
    let r = env.run(&["search", "--json", "--no-typos", "Velayti"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.parse::<SearchResults>().total, 0);
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
    let v = env.search("Mossadeq");
    assert_eq!(v.suggestions[0].word, "Mossadeq");
    assert_eq!(v.suggestions[0].did_you_mean[0], "mossadegh");
    // A known word gets no suggestion.
    assert!(env.search("Mossadegh").suggestions.is_empty());
}

#[test]
fn unfinished_last_word_matches_as_prefix() {
    let env = Env::with_article();
    let v = env.search("Pezeshk");
    assert_eq!(v.hits[0].marked(), vec!["Pezeshkian"]);
    let v = env.search("Mamluk Sultan");
    assert_eq!(v.hits[0].line_start, 18);
    // Only the last word: an unfinished first word is not expanded.
    assert_eq!(
        env.search("Pezeshk phone").total,
        env.search("phone").total,
        "only the last word is a prefix"
    );
    // A whole word ranks above prefix matches of it.
    let v = env.search("Iran");
    assert!(v.hits[0]
        .marked()
        .iter()
        .all(|m| m.to_lowercase().starts_with("iran")));
}

#[test]
fn explicit_prefix_anywhere() {
    let env = Env::with_article();
    let v = env.search("Khomei* Hezbollah");
    let first = &v.hits[0];
    assert!(first.complete);
    assert!(first.marked().iter().any(|m| m.starts_with("Khomei")));
}

#[test]
fn phrase_slop_and_filters_combine() {
    let env = Env::with_article();
    // "Iran and Syria" has one word between: slop finds more.
    let exact = env.search("\"Iran Syria\" kind:paragraph").total;
    let loose = env.search("\"Iran Syria\"~1 kind:paragraph").total;
    assert!(loose > exact + 3, "{exact} vs {loose}");
    let v = env.search("\"Iran Syria\"~1 kind:paragraph year:2006");
    assert!(!v.hits.is_empty());
    for h in &v.hits {
        assert!(h.years.contains(&2006), "{h:?}");
        assert!(h.marked().contains(&"Iran"), "{h:?}");
    }
    let v = env.search("Damascus section:\"civil war\" year:2020..");
    for h in &v.hits {
        assert_eq!(h.section[1], "Syrian Civil War (2011–2024)");
    }
    // Section filter folds like the text: no dash or capital needed.
    assert!(env.search("section:post-assad").total >= 4);
    assert!(env.search("section:POST ASSAD").total >= 1);
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
    r.assert_stdout(expected);
    let r = env.run(&["search", "--list-sections", "--json"]);
    let v: SectionList = r.parse();
    assert_eq!(v.articles[0].sections[7].paragraphs, 12);
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
    // An unknown word is searched for as the close word the index holds.
    assert!(r.stdout.contains("'khomeini' in the text"), "{r:?}");
    assert!(
        r.stderr
            .contains("'Khomeni' is not in the index; searching for 'khomeini' instead"),
        "{r:?}"
    );
    let r = env.run(&[
        "search",
        "--json",
        "--explain",
        "-n",
        "3",
        "cultural relations",
    ]);
    let v: SearchResults = r.parse();
    let e = v.hits[0].explain.as_ref().expect("explain with --explain");
    assert_eq!(e.tier, "all words");
    // The parts add up to the score (a section's text weight is inside
    // its parts; `section_weight` says what it was).
    let total: f64 = e.parts.iter().map(|p| p.score).sum();
    let score = v.hits[0].score;
    assert!((total - score).abs() < 0.05 * score, "{total} vs {score}");
    if v.hits[0].kind == Kind::Section {
        assert_eq!(e.section_weight, Some(0.7));
    }
}

#[test]
fn related_passages_follow_the_topic() {
    let env = Env::with_article();
    let id = env.search("Sayida Zaynab pilgrimages").hits[0].id.clone();
    let r = env.run(&["related", "--json", "-n", "3", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: SearchResults = r.parse();
    let hs = &v.hits;
    assert!(!hs.is_empty());
    assert!(hs.iter().all(|h| h.id != id && h.kind == Kind::Paragraph));
    // The other paragraphs on cultural ties come first.
    assert_eq!(hs[0].section[0], "Cultural relations", "{v:?}");
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
