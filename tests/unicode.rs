//! Text beyond Latin-1, through the binary: decomposed and precomposed
//! accents, full case folding, marks of other scripts, spaces of every
//! width and invisible characters match alike in search, highlighting and
//! cite, while offsets and highlights point into the text as printed.

use crate::util::Env;

/// An article mixing the scripts and forms of the bench corpus. The Greek
/// word of the first paragraph is in NFD (as bench file AA_59/8406.txt
/// prints it), everything else in NFC.
const ARTICLE: &str = "= Scripts =

The postal term epistaltike\u{304} for sending was common.

The dessert crème brûlée is French. ΟΔΟΣ means road, as does άνθρωπος mean person.

İstanbul lies on the Bosphorus. שָׁלוֹם is a greeting, and so is مُحَمَّد a name.

The crowd totaled 500\u{202f}000 people. «\u{202f}Bonjour\u{202f}», said the host.

The Arabic letter mark hides in scr\u{61c}een and the Korean word 한국어 is here.
";

fn env() -> Env {
    let env = Env::empty();
    env.write("corpus/scripts.txt", ARTICLE);
    env
}

/// The highlighted words of the first hit, as printed in its snippet.
fn first_marks(env: &Env, query: &str) -> Vec<String> {
    let v = env.search_json(query);
    let hit = &v["hits"][0];
    let snippet = hit["snippet"]
        .as_str()
        .unwrap_or_else(|| panic!("{query}: {v}"));
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let (a, b) = (
                h[0].as_u64().unwrap() as usize,
                h[1].as_u64().unwrap() as usize,
            );
            snippet[a..b].to_string()
        })
        .collect()
}

#[test]
fn unicode_decomposed_and_precomposed_text_match_either_way() {
    let env = env();
    // The NFD article word, typed without the accent, as a phrase.
    assert_eq!(
        first_marks(&env, "\"epistaltike for sending\""),
        ["epistaltike\u{304} for sending"]
    );
    // NFD typed, NFC in the text.
    assert_eq!(
        first_marks(&env, "cre\u{300}me bru\u{302}le\u{301}e"),
        ["crème", "brûlée"]
    );
    // And no did-you-mean that looks like what was typed.
    let v = env.search_json("cre\u{300}me");
    assert_eq!(v["suggestions"].as_array().unwrap().len(), 0, "{v}");
    // Hangul typed as jamo (NFD) finds the syllables (NFC).
    let jamo = "\u{1112}\u{1161}\u{11ab}\u{1100}\u{116e}\u{11a8}\u{110b}\u{1165}";
    assert_eq!(first_marks(&env, jamo), ["한국어"]);
}

#[test]
fn unicode_full_case_folding_and_marks_of_every_script() {
    let env = env();
    assert_eq!(first_marks(&env, "οδος"), ["ΟΔΟΣ"]);
    assert_eq!(first_marks(&env, "ΟΔΟΣ"), ["ΟΔΟΣ"]);
    assert_eq!(first_marks(&env, "ανθρωπος"), ["άνθρωπος"]);
    let r = env.run(&["search", "--json", "--no-typos", "istanbul"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(first_marks(&env, "istanbul"), ["İstanbul"]);
    assert_eq!(first_marks(&env, "שלום"), ["שָׁלוֹם"]);
    assert_eq!(first_marks(&env, "محمد"), ["مُحَمَّد"]);
    assert_eq!(first_marks(&env, "screen"), ["scr\u{61c}een"]);
}

#[test]
fn unicode_every_space_separates_words() {
    let env = env();
    assert_eq!(first_marks(&env, "bonjour"), ["Bonjour"]);
    assert_eq!(
        first_marks(&env, "\"500 000 people\""),
        ["500\u{202f}000 people"]
    );
}

#[test]
fn unicode_cite_matches_across_forms_with_exact_offsets() {
    let env = env();
    for (quote, printed) in [
        ("epistaltike for sending", "epistaltike\u{304} for sending"),
        (
            "cre\u{300}me bru\u{302}le\u{301}e is French",
            "crème brûlée is French",
        ),
        ("totaled 500 000 people", "totaled 500\u{202f}000 people"),
        (
            "ISTANBUL LIES ON THE BOSPHORUS",
            "İstanbul lies on the Bosphorus",
        ),
        ("οδος means road", "ΟΔΟΣ means road"),
    ] {
        let r = env.run(&["cite", "--json", quote]);
        assert_eq!(r.code, 0, "{quote}: {r:?}");
        let v = r.json();
        let m = &v["matches"][0];
        assert_eq!(m["match"], "exact", "{quote}: {v}");
        assert_eq!(m["text"], printed, "{quote}");
        let (a, b) = (
            m["byte_start"].as_u64().unwrap() as usize,
            m["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&ARTICLE[a..b], printed, "{quote}: offsets into the file");
    }
}

#[test]
fn unicode_separators_and_tags_are_escaped_on_the_terminal() {
    let env = Env::empty();
    env.write(
        "corpus/odd.txt",
        "= Odd =\n\nA zebracorn\u{2028}line, a\u{2029}paragraph and a hidden \u{e0041}\u{e0042}tag.\n",
    );
    let r = env.run(&["search", "--color", "never", "zebracorn"]);
    assert_eq!(r.code, 0, "{r:?}");
    for c in ['\u{2028}', '\u{2029}', '\u{e0041}'] {
        assert!(!r.stdout.contains(c), "{c:?} unescaped: {r:?}");
    }
    assert!(r.stdout.contains("\\u{2028}"), "{r:?}");
    assert!(r.stdout.contains("\\u{e0041}"), "{r:?}");
}

#[test]
fn unicode_a_zero_width_space_inside_a_word_leaves_it_one_word() {
    let env = Env::empty();
    env.write(
        "corpus/zw.txt",
        "= Wrapped =\n\nThe counter\u{200b}weight held the door.\n",
    );
    let r = env.run(&["search", "--json", "counterweight"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: crate::util::json::SearchResults = r.parse();
    let hit = &v.hits[0];
    // The highlight covers the word as printed, invisible space and all.
    let [from, to] = hit.highlights[0];
    assert_eq!(&hit.snippet[from..to], "counter\u{200b}weight", "{r:?}");
    let cite = env.run(&["cite", "the counterweight held"]);
    assert_eq!(cite.code, 0, "{cite:?}");
}
