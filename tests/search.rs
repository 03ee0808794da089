//! Searching the real article: folding and stemming cases, phrases, filters,
//! the JSON contract and highlight ranges.

use crate::util::json::{Kind, SearchResults};
use crate::util::{article_text, Env};

fn paragraphs_containing(v: &SearchResults, needle: &str) -> usize {
    let text = article_text();
    v.hits
        .iter()
        .filter(|h| h.kind == Kind::Paragraph)
        .filter(|h| text[h.bytes()].contains(needle))
        .count()
}

#[test]
fn search_hyphen_matches_en_dash() {
    let env = Env::with_article();
    let v = env.search("Iran-Iraq War");
    let first = &v.hits[0];
    assert_eq!(first.kind, Kind::Paragraph);
    assert!(first.marked().contains(&"Iran–Iraq"), "{first:?}");
    assert!(paragraphs_containing(&v, "Iran–Iraq War") >= 2);
}

#[test]
fn search_stemming_matches_inflections() {
    let env = Env::with_article();
    let v = env.search("ransacking");
    assert_eq!(paragraphs_containing(&v, "ransacked"), 2);
    assert_eq!(v.hits[0].marked(), vec!["ransacked"]);
}

#[test]
fn search_apostrophes_fold() {
    let env = Env::with_article();
    for q in ["Ba’athist", "Baathist", "Ba'athist"] {
        let v = env.search(q);
        assert_eq!(paragraphs_containing(&v, "Ba'athist"), 2, "{q}");
        assert!(
            v.hits[0].marked().iter().all(|m| *m == "Ba'athist"),
            "{q}: {v:?}"
        );
    }
}

#[test]
fn search_phrase_requires_adjacent_words() {
    let env = Env::with_article();
    let v = env.search("\"golden counterweight\"");
    let text = article_text();
    for h in &v.hits {
        assert!(text[h.bytes()].contains("golden counterweight"), "{h:?}");
        assert_eq!(h.marked(), vec!["golden counterweight"]);
    }
    // One paragraph, and the sections around it.
    assert_eq!(paragraphs_containing(&v, "golden"), 1);
    // The two words apart ("golden ring", "counterweight to Israel") match
    // the plain words query but not the phrase.
    let loose = env.search("golden counterweight");
    assert!(paragraphs_containing(&loose, "golden ring") >= 1);
}

#[test]
fn search_ranks_passages_with_every_word_first() {
    let env = Env::with_article();
    let v = env.search("counterweight Velayati");
    let first = &v.hits[0];
    assert!(first.complete);
    assert!(first.marked().contains(&"Velayati"));
    // A word no passage holds together with the others still returns the
    // best partial matches.
    let v = env.search("counterweight zzyzzx");
    assert!(!v.hits.is_empty());
    assert!(v.hits.iter().all(|h| !h.complete));
}

#[test]
fn search_json_contract() {
    let env = Env::with_article();
    // Reading into the typed structs checks that every documented field is
    // there with its type (numbers, arrays, strings; `paragraph` a number
    // or null); the rest is checked against the file.
    let v = env.search("golden counterweight");
    assert_eq!(v.query, "golden counterweight");
    assert!(v.total >= v.documents().len() as u64);
    let text = article_text();
    for (i, h) in v.documents().into_iter().enumerate() {
        assert_eq!(h.rank, i as u64 + 1);
        assert!(h.score.is_finite());
        assert!(h.id.len() > 4);
        assert_eq!(h.article, "Iran–Syria relations");
        assert_eq!(h.file, "corpus/iran-syria-relations.txt");
        let body = &text[h.bytes()];
        let first_line = 1 + text[..h.byte_start].matches('\n').count() as u64;
        assert_eq!(h.line_start, first_line);
        assert_eq!(h.line_end, first_line + body.matches('\n').count() as u64);
        match h.kind {
            Kind::Paragraph => assert!(h.paragraph.unwrap() >= 1),
            Kind::Section => {
                assert!(h.paragraph.is_none());
                // A section starts at its heading line.
                assert!(body.starts_with('='), "{body}");
            }
        }
    }
    assert_eq!(
        v.hits[0].section,
        ["History and overview", "Syrian Civil War (2011–2024)"]
    );
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
        let v = env.search(q);
        assert!(!v.hits.is_empty(), "{q}");
        for h in &v.hits {
            let snippet = &h.snippet;
            let mut last_end = 0;
            for &[a, b] in &h.highlights {
                assert!(a < b && b <= snippet.len() && a >= last_end, "{q}: {h:?}");
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
    let v = env.search("Damascus section:cultural");
    assert!(!v.hits.is_empty());
    for h in &v.hits {
        assert_eq!(h.section[0], "Cultural relations");
    }
    let v = env.search("Iran year:2000..2011 kind:paragraph");
    assert!(!v.hits.is_empty());
    for h in &v.hits {
        assert_eq!(h.kind, Kind::Paragraph);
        assert!(h.years.iter().any(|y| (2000..=2011).contains(y)), "{h:?}");
    }
    let v = env.search("year:-539");
    assert_eq!(
        v.hits.iter().filter(|h| h.kind == Kind::Paragraph).count(),
        1
    );
    let v = env.search("Syria article:iran kind:section");
    assert!(v.hits.iter().all(|h| h.kind == Kind::Section));
    let v = env.search("Syria article:nonexistent");
    assert!(v.hits.is_empty());
}

#[test]
fn search_exclusion_and_or() {
    let env = Env::with_article();
    let v = env.search("Hezbollah -Lebanon kind:paragraph");
    let text = article_text();
    assert!(!v.hits.is_empty());
    for h in &v.hits {
        assert!(!text[h.bytes()].contains("Lebanon"), "{h:?}");
    }
    let v = env.search("Rouhani OR Raisi kind:paragraph");
    assert_eq!(v.hits.len(), 2);
    let v = env.search("Rouhani Raisi kind:paragraph");
    assert!(v.hits.iter().all(|h| !h.complete));
}

#[test]
fn search_prefix_matches_word_starts() {
    let env = Env::with_article();
    let v = env.search("Pezesh*");
    assert_eq!(v.hits[0].marked(), vec!["Pezeshkian"]);
}

#[test]
fn search_an_unknown_word_is_searched_as_the_close_word_the_index_holds() {
    let env = Env::empty();
    env.write(
        "corpus/einstein.txt",
        "= Albert Einstein =\n\nAlbert Einstein was a theoretical physicist.\n\n== Refrigerator ==\n\nEinstein and Szilard built a refrigerator; Einstein patented it, and Einstein sold it.\n",
    );
    env.write(
        "corpus/physics.txt",
        "= Physics =\n\nPhysics is a science.\n\n== People ==\n\nEinstein, Einstein and Bohr argued about Einstein's ideas.\n",
    );
    let r = env.run(&["search", "--json", "Einstien"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: SearchResults = r.parse();
    // Read as if `einstein` had been typed: the article's lead first.
    assert_eq!(v.hits[0].article, "Albert Einstein", "{r:?}");
    assert_eq!(v.hits[0].section, Vec::<String>::new(), "{r:?}");
    assert_eq!(v.suggestions[0].searched_for.as_deref(), Some("einstein"));
    let r = env.run(&["search", "Einstien"]);
    assert!(
        r.stderr
            .contains("'Einstien' is not in the index; searching for 'einstein' instead"),
        "{r:?}"
    );
    // Off with --no-typos: the word is searched as typed.
    let r = env.run(&["search", "--no-typos", "Einstien"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("did you mean: einstein"), "{r:?}");
}

#[test]
fn search_the_exact_form_outranks_words_that_share_only_its_stem() {
    let env = Env::empty();
    env.write(
        "corpus/quixote.txt",
        "= Don Quixote =\n\nDon Quixote is a novel. Quixote rides out; Quixote fights windmills.\n\n== Library ==\n\nThe library of Don Quixote is burned while Quixote sleeps.\n",
    );
    env.write(
        "corpus/village.txt",
        "= Village =\n\nA village of farmers.\n\n== Plans ==\n\nHis quixotical plan amazed the whole village.\n",
    );
    let v = env.search("quixotical");
    assert_eq!(v.hits[0].article, "Village", "{v:?}");
    // Typed as it stands in the novel, the novel's lead comes first.
    let v = env.search("quixote");
    assert_eq!(v.hits[0].article, "Don Quixote", "{v:?}");
}

#[test]
fn search_a_when_question_prefers_a_passage_that_names_a_year() {
    let env = Env::empty();
    env.write(
        "corpus/comet.txt",
        "= Comet =\n\nThe comet would return, the astronomer said, and the comet did return as he said.\n\n== Later ==\n\nThe comet would return in 1758, and it did.\n",
    );
    let v = env.search("when did the comet return");
    assert_eq!(v.hits[0].years, vec![1758], "{v:?}");
    // Without the question's shape, the passage holding the words most often.
    let v = env.search("comet return");
    assert!(v.hits[0].years.is_empty(), "{v:?}");
}

#[test]
fn search_a_word_missing_from_a_passage_is_found_through_its_synonyms_weighed_below_it() {
    let env = Env::empty();
    env.write(
        "corpus/criswell.txt",
        "= Criswell =\n\nA showy psychic who claimed he slept in a coffin every night.\n\n== Later ==\n\nHe appeared in films and wrote columns.\n",
    );
    env.write(
        "corpus/inn.txt",
        "= Inn =\n\nA psychic slept at the inn one night.\n\n== Rooms ==\n\nGuests slept in narrow rooms.\n",
    );
    // "casket" is in no passage: the one saying "coffin" holds it in
    // other words, and comes first.
    let v = env.search("psychic who slept in a casket");
    assert_eq!(v.hits[0].article, "Criswell", "{v:?}");
    let r = env.run(&["search", "--explain", "psychic who slept in a casket"]);
    assert!(
        r.stdout.contains("'coffin' (a synonym of 'casket'"),
        "{r:?}"
    );
    // Off with --no-expand.
    let r = env.run(&[
        "search",
        "--explain",
        "--no-expand",
        "psychic who slept in a casket",
    ]);
    assert!(r.stdout.contains("Criswell"), "{r:?}");
    assert!(!r.stdout.contains("synonym"), "{r:?}");
    // A passage holding the word typed outranks one holding its synonym.
    env.write(
        "corpus/vampire.txt",
        "= Vampire =\n\nThe vampire slept in a casket, a psychic said.\n",
    );
    let v = env.search("psychic who slept in a casket");
    assert_eq!(v.hits[0].article, "Vampire", "{v:?}");
}
