//! Ranking at corpus scale (issue 13), through the binary, on a small corpus
//! of several articles built for each failure class: a topic query finds
//! its section, a subject its article's lead, function words do not count
//! toward "every word", other spellings and demonyms meet, completions and
//! corrections prefer the common word, a known word typed for another is
//! corrected once, exclusions cover headings, and no text is shown twice.

use crate::util::json::{Kind, SearchResults};
use crate::util::Env;

const CRANBERRY: &str = "= Cranberry =

The cranberry is a low creeping shrub of acid bogs; its berries are red and sour.

==Harvesting==
Cranberries are harvested in the fall, when the fruit takes on its deep red colour.

Most cranberries are harvested by flooding the beds, so that the berries float.

A few growers still harvest by hand with wooden scoops.

==Uses==
Cranberry juice is sold all year; the harvest of juice berries is mechanical.
";

const TURING: &str = "= Alan Turing =

Alan Turing was an English mathematician, logician and computer scientist.

==Death==
Turing died in 1954 of cyanide poisoning; an inquest found it was suicide.
";

const ALGORITHM: &str = "= Algorithm =

An algorithm is a finite list of instructions.

==Alan Turing==
Alan Turing defined computing machines; Turing machines, Turing's thesis and Turing's \
proof made Alan Turing's name, and Turing himself wrote of Turing reduction.
";

const MIXED: &str = "= Kenya =

Nairobi is the capital of Kenya and its largest city.

==Questions==
What is it that the people of the valley ask? What is the answer, and what is the reason of it?

==Farming==
Brazilian growers export more coffee than any other country.

The colour of the coffee cherry turns red when it is ripe.

Photosynthesis feeds the plant; photosynthesis needs light; photosynthesis makes sugar.

The plant stores photosynthates in its roots.

==Science==
Marie Curie discovered radium and polonium with Pierre Curie.

==Cooking==
A curry powder holds turmeric; curry is cooked slowly.

==War==
The conflict lasted three years and ended with a treaty.
";

fn corpus() -> Env {
    let env = Env::empty();
    env.write("corpus/cranberry.txt", CRANBERRY);
    env.write("corpus/turing.txt", TURING);
    env.write("corpus/algorithm.txt", ALGORITHM);
    env.write("corpus/kenya.txt", MIXED);
    env
}

fn first(v: &SearchResults) -> (&str, Vec<String>, Kind) {
    let h = &v.hits[0];
    (h.article.as_str(), h.section.clone(), h.kind)
}

#[test]
fn a_topic_query_ranks_the_section_first_with_its_paragraphs_under_it() {
    let env = corpus();
    let v = env.search("cranberry harvest");
    assert_eq!(
        first(&v),
        ("Cranberry", vec!["Harvesting".to_string()], Kind::Section),
        "{v:?}"
    );
    // Its paragraphs are listed under it, not as results of their own.
    let leader = v.hits[0].id.clone();
    let under = &v.hits[0].also;
    assert!(under.len() >= 2, "{v:?}");
    assert!(under.iter().all(|h| h.group == 1));
    assert!(under
        .iter()
        .all(|h| h.grouped_under.as_deref() == Some(leader.as_str())));
    // `hits` holds results only: none of them is listed under another.
    assert!(v.hits.iter().all(|h| h.grouped_under.is_none()), "{v:?}");
}

#[test]
fn a_query_naming_an_article_ranks_its_lead_first() {
    let env = corpus();
    let v = env.search("alan turing");
    assert_eq!(first(&v), ("Alan Turing", vec![], Kind::Section), "{v:?}");
    // A section about the subject of that article ranks for a topic.
    let v = env.search("alan turing death");
    assert_eq!(
        first(&v),
        ("Alan Turing", vec!["Death".to_string()], Kind::Section),
        "{v:?}"
    );
}

#[test]
fn function_words_do_not_count_toward_every_word() {
    let env = corpus();
    let v = env.search("what is the capital of kenya");
    let h = &v.hits[0];
    assert!(h.snippet.contains("Nairobi"), "{v:?}");
    assert!(h.complete);
    // And the snippet marks the words that matter, not `the` and `of`.
    let marked: Vec<&str> = h
        .highlights
        .iter()
        .map(|[a, b]| &h.snippet[*a..*b])
        .collect();
    assert!(
        marked.iter().any(|m| m.eq_ignore_ascii_case("capital")),
        "{marked:?}"
    );
    assert!(
        !marked.iter().any(|m| *m == "the" || *m == "of"),
        "{marked:?}"
    );
}

#[test]
fn other_spellings_and_demonyms_meet() {
    let env = corpus();
    let v = env.search("color coffee cherry");
    assert!(v.hits[0].snippet.contains("colour"), "{v:?}");
    assert!(v.hits[0].complete, "{v:?}");
    let v = env.search("brazil coffee");
    assert!(v.hits[0].snippet.contains("Brazilian"), "{v:?}");
    assert!(v.hits[0].complete, "{v:?}");
}

#[test]
fn an_unfinished_word_completes_to_the_common_word_first() {
    let env = corpus();
    let v = env.search("photosynth");
    assert!(v.hits[0].snippet.contains("Photosynthesis feeds"), "{v:?}");
}

#[test]
fn a_known_word_typed_for_another_is_corrected_when_nothing_holds_every_word() {
    let env = corpus();
    let r = env.run(&["search", "--json", "marie curry radium"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: SearchResults = r.parse();
    assert!(v.hits[0].snippet.contains("Marie Curie"), "{v:?}");
    assert!(v.hits[0].complete, "{v:?}");
    assert!(
        r.stderr.contains("close spellings: curi") && r.stderr.contains("for curry"),
        "{r:?}"
    );
    // A query whose words all stand together is left alone.
    let r = env.run(&["search", "--json", "curry powder turmeric"]);
    let v: SearchResults = r.parse();
    assert!(v.hits[0].snippet.contains("curry powder"), "{v:?}");
    assert!(!r.stderr.contains("close spellings"), "{r:?}");
}

#[test]
fn an_excluded_word_is_excluded_from_the_headings_too() {
    let env = corpus();
    // "war" stands only in a heading: the passage under it is not one
    // without "war".
    let r = env.run(&["search", "--json", "conflict -war"]);
    let v: SearchResults = r.parse();
    assert!(
        v.hits
            .iter()
            .all(|h| !h.section.contains(&"War".to_string())),
        "{v:?}"
    );
    let r = env.run(&["search", "war -war"]);
    assert_eq!(r.code, 1, "{r:?}");
}

#[test]
fn no_text_is_shown_twice() {
    let env = corpus();
    for q in [
        "cranberry harvest",
        "turing",
        "coffee",
        "alan turing death",
        "red berries",
    ] {
        let v = env.search(q);
        let leaders: Vec<_> = v
            .hits
            .iter()
            .filter(|h| h.grouped_under.is_none())
            .collect();
        for (i, a) in leaders.iter().enumerate() {
            for b in &leaders[i + 1..] {
                let overlap =
                    a.file == b.file && a.byte_start < b.byte_end && b.byte_start < a.byte_end;
                assert!(!overlap, "{q}: {} and {} overlap: {v:?}", a.id, b.id);
            }
        }
        // Every document listed under a result overlaps it and follows it.
        let all = v.documents();
        for (i, h) in all.iter().enumerate() {
            if let Some(id) = &h.grouped_under {
                let l = all[..i].iter().find(|x| &x.id == id).expect("leader first");
                assert!(l.file == h.file && l.byte_start < h.byte_end && h.byte_start < l.byte_end);
                assert_eq!(l.group, h.group);
            }
        }
    }
    // In text, the documents under a result are `also:` lines.
    let r = env.run(&["search", "--color", "never", "cranberry harvest"]);
    assert!(
        r.stdout.contains("\n   also: Cranberry › Harvesting ¶"),
        "{r:?}"
    );
}
