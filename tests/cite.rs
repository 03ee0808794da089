//! `passage cite` on the real article: every match is checked against the
//! file itself (line, column, bytes, text).

use crate::util::json::{CiteMatch, CiteResults, Difference, MatchKind};
use crate::util::{article_text, output_with_stdin, Env};

/// Checks a match's location fields against the file and returns its text.
fn check_location(m: &CiteMatch) -> String {
    let text = article_text();
    let a = m.byte_start;
    let printed = &text[m.bytes()];
    assert_eq!(m.text, printed, "{m:?}");
    let line = 1 + text[..a].matches('\n').count();
    assert_eq!(m.line, line as u64, "{m:?}");
    let line_start = text[..a].rfind('\n').map_or(0, |i| i + 1);
    let column = 1 + text[line_start..a].chars().count();
    assert_eq!(m.column, column as u64, "{m:?}");
    assert_eq!(m.file, "corpus/iran-syria-relations.txt");
    // The context shows the match, marked.
    let marked = m.marked();
    assert!(!marked.is_empty(), "{m:?}");
    if m.kind == MatchKind::Exact {
        assert_eq!(marked[0], printed.replace('\n', " "), "{m:?}");
    }
    printed.to_string()
}

fn cite(env: &Env, args: &[&str]) -> (i32, CiteResults, String) {
    let mut all = vec!["cite", "--json"];
    all.extend_from_slice(args);
    let r = env.run(&all);
    assert!(r.code == 0 || r.code == 1, "{r:?}");
    (r.code, r.parse(), r.stderr)
}

#[test]
fn cite_curly_quote_matches_straight_and_back() {
    let env = Env::with_article();
    // The article prints straight quotes here...
    let (code, v, _) = cite(
        &env,
        &["--", "put “his full weight behind” Ruhollah Khomeini"],
    );
    assert_eq!(code, 0);
    assert_eq!(v.matches.len(), 1);
    let m = &v.matches[0];
    assert_eq!(m.kind, MatchKind::Exact);
    assert_eq!(
        check_location(m),
        "put \"his full weight behind\" Ruhollah Khomeini"
    );
    assert_eq!(m.line, 5);
    // ...and curly ones here.
    let (code, v, _) = cite(
        &env,
        &[
            "--",
            "\"the golden ring of the resistance chain in the region.\"",
        ],
    );
    assert_eq!(code, 0);
    let m = &v.matches[0];
    assert_eq!(
        check_location(m),
        "the golden ring of the resistance chain in the region"
    );
    assert_eq!(m.line, 80);
    assert_eq!(m.paragraph, Some(2));
    assert_eq!(m.section[1], "Post-Assad regime (2024–present)");
}

#[test]
fn cite_hyphen_matches_en_dash() {
    let env = Env::with_article();
    let (code, v, _) = cite(&env, &["--", "since the Iran-Iraq War, when Syria sided"]);
    assert_eq!(code, 0);
    assert_eq!(v.matches.len(), 1);
    assert_eq!(
        check_location(&v.matches[0]),
        "since the Iran–Iraq War, when Syria sided"
    );
}

#[test]
fn cite_finds_every_occurrence_in_document_order() {
    let env = Env::with_article();
    let (code, v, _) = cite(&env, &["--", "the Iranian embassy was ransacked"]);
    assert_eq!(code, 0);
    let lines: Vec<u64> = v.matches.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![9, 80]);
    for m in &v.matches {
        assert_eq!(check_location(m), "the Iranian embassy was ransacked");
    }
    assert_eq!(v.exact_total, 2);
}

#[test]
fn cite_one_word_changed_is_approximate_and_exits_1() {
    let env = Env::with_article();
    let (code, v, stderr) = cite(
        &env,
        &["--", "Iran is not prepared to lose this golden balance"],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("no exact match"), "{stderr}");
    let m = &v.matches[0];
    assert_eq!(m.kind, MatchKind::Approximate);
    assert_eq!(m.line, 52);
    let sim = m.similarity.expect("an approximate match's similarity");
    assert!(sim > 0.7 && sim < 1.0, "{sim}");
    let differences = m.differences.as_ref().expect("differences");
    assert_eq!(
        differences[0],
        Difference {
            quote: Some("balance".into()),
            article: Some("counterweight".into()),
            spelling_variant: false,
        }
    );
    assert_eq!(
        check_location(m),
        "Iran is not prepared to lose this golden counterweight"
    );
    assert!(v.matches.iter().all(|m| m.kind == MatchKind::Approximate));
}

#[test]
fn cite_misremembered_quotes_find_the_right_paragraph() {
    let env = Env::with_article();
    for (quote, line) in [
        // a word dropped
        ("the golden ring of resistance chain", 80),
        // a word added
        (
            "Syria was the very first Arab state to recognize the Islamic Republic",
            33,
        ),
        // words swapped
        (
            "Iran launched missiles into Syria, targeting State Islamic fighters",
            64,
        ),
        // inflection changed (no stemming in exact matching)
        ("the Iranian embassy was ransacking", 9),
    ] {
        let (code, v, _) = cite(&env, &["--", quote]);
        assert_eq!(code, 1, "{quote}");
        assert_eq!(v.matches[0].line, line, "{quote}: {v:?}");
    }
}

#[test]
fn cite_a_quote_that_is_nowhere_exits_1() {
    let env = Env::with_article();
    let r = env.run(&[
        "cite",
        "--json",
        "the quick brown fox jumps over the lazy dog",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let v: CiteResults = r.parse();
    assert!(v.matches.iter().all(|m| m.kind == MatchKind::Approximate));
    assert_eq!(v.exact_total, 0);
}

#[test]
fn cite_a_single_word_lists_every_occurrence() {
    let env = Env::with_article();
    let text = article_text();
    // Whole-word occurrences of "Hezbollah" (not "Hezbollah's"), in the
    // article body (the title line has none).
    let expected = text
        .match_indices("Hezbollah")
        .filter(|(i, w)| {
            let after = text[i + w.len()..].chars().next().unwrap_or(' ');
            !after.is_alphanumeric() && after != '\'' && after != '’'
        })
        .count();
    let (code, v, _) = cite(&env, &["Hezbollah"]);
    assert_eq!(code, 0);
    assert_eq!(v.matches.len(), expected);
    let mut last = 0;
    for m in &v.matches {
        assert_eq!(check_location(m), "Hezbollah");
        let b = m.byte_start;
        assert!(b > last);
        last = b;
    }
    // --limit cuts the list and says how many more there are.
    let r = env.run(&["cite", "--json", "-n", "2", "Hezbollah"]);
    assert_eq!(r.parse::<CiteResults>().matches.len(), 2);
    assert!(
        r.stderr
            .contains(&format!("{} more exact matches", expected - 2)),
        "{r:?}"
    );
}

#[test]
fn cite_a_whole_paragraph() {
    let env = Env::with_article();
    let text = article_text();
    let para = text.lines().nth(32).unwrap();
    let (code, v, _) = cite(&env, &["--", para]);
    assert_eq!(code, 0);
    assert_eq!(v.matches.len(), 1);
    let m = &v.matches[0];
    // From the first word to the last (the final period is not a word).
    assert_eq!(check_location(m), para.trim_end_matches('.'));
    assert_eq!(m.column, 1);
    assert_eq!(m.paragraph, Some(2));
}

#[test]
fn cite_ellipsis_spans_the_omitted_words() {
    let env = Env::with_article();
    for q in [
        "Iran is not prepared … counterweight",
        "Iran is not prepared [...] counterweight",
    ] {
        let (code, v, _) = cite(&env, &["--", q]);
        assert_eq!(code, 0, "{q}");
        assert_eq!(
            check_location(&v.matches[0]),
            "Iran is not prepared to lose this golden counterweight"
        );
    }
    // Editorial brackets are just punctuation.
    let (code, _, _) = cite(&env, &["--", "golden counterweight [to Israel]"]);
    assert_eq!(code, 0);
}

#[test]
fn cite_empty_quote_is_an_error() {
    let env = Env::with_article();
    for q in ["", "   ", "… ..."] {
        let r = env.run(&["cite", "--", q]);
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stderr.starts_with("passage: bad quote:"), "{r:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    }
}

#[test]
fn cite_longer_than_any_passage_says_so() {
    let env = Env::with_article();
    let text = article_text();
    let two: Vec<&str> = text.lines().skip(51).take(3).collect();
    let r = env.run(&["cite", "--", &two.join("\n")]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("a quote must stand within one paragraph"),
        "{r:?}"
    );
}

#[test]
fn cite_styles() {
    let env = Env::with_article();
    let q = ["--", "golden counterweight"];
    let (_, v, _) = cite(&env, &q);
    assert_eq!(
        v.matches[0].citation,
        "\"Iran–Syria relations\", § History and overview › Syrian Civil War (2011–2024), ¶1, line 52"
    );
    let (_, v, _) = cite(&env, &["--style", "markdown", "--", "golden counterweight"]);
    assert_eq!(
        v.matches[0].citation,
        "[\"Iran–Syria relations\", § Syrian Civil War (2011–2024), ¶1](https://en.wikipedia.org/wiki/Iran%E2%80%93Syria_relations#Syrian_Civil_War_%282011%E2%80%932024%29)"
    );
    let (_, v, _) = cite(&env, &["--style", "mla", "--", "golden counterweight"]);
    let mla = &v.matches[0].citation;
    assert!(mla.starts_with("\"Iran–Syria Relations.\" Wikipedia, Wikimedia Foundation, en.wikipedia.org/wiki/Iran–Syria_relations#Syrian_Civil_War_(2011–2024), section \"Syrian Civil War (2011–2024)\", para. 1. Accessed "), "{mla}");
}

#[test]
fn cite_human_output() {
    let env = Env::with_article();
    let r = env.run(&["cite", "--color", "never", "golden counterweight"]);
    assert_eq!(r.code, 0, "{r:?}");
    let expected = "1. exact \"Iran–Syria relations\", § History and overview › Syrian Civil War (2011–2024), ¶1, line 52  corpus/iran-syria-relations.txt:52:444\n   …Foreign Policy Advisor Ali Akbar Velayati declared, \"Iran is not prepared to lose this [golden counterweight] \\[to Israel\\].\"\n";
    r.assert_stdout(expected);
}

#[test]
fn cite_many_candidates_are_counted_and_listed_in_document_order() {
    // Beyond 2,000 candidates in a segment the files of all documents are
    // read at once from the index: the same order and count as one by one.
    let env = Env::empty();
    for name in ["c", "a", "b"] {
        let paragraphs: Vec<String> = (0..2_500)
            .map(|i| format!("The zebra {name} number {i}."))
            .collect();
        env.write(
            &format!("corpus/{name}.txt"),
            format!("= {name} =\n\n{}\n", paragraphs.join("\n\n")),
        );
    }
    let r = env.run(&["cite", "--json", "-n", "3", "the zebra"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: CiteResults = r.parse();
    assert_eq!(v.exact_total, 7_500);
    let at: Vec<(&str, u64)> = v
        .matches
        .iter()
        .map(|m| (m.file.as_str(), m.line))
        .collect();
    assert_eq!(
        at,
        [
            ("corpus/a.txt", 3),
            ("corpus/a.txt", 5),
            ("corpus/a.txt", 7)
        ]
    );
    // A single word: every occurrence counts, also twice in one passage.
    env.write("corpus/d.txt", "= d =\n\nzebra zebra zebra\n");
    let r = env.run(&["cite", "--json", "-n", "1", "zebra"]);
    let v: CiteResults = r.parse();
    assert_eq!(v.exact_total, 7_503, "{}", r.stderr);
}

#[test]
fn cite_reads_the_quote_from_stdin_and_from_a_file() {
    let env = Env::with_article();
    // Shell characters and a trailing line break, as a file or a pipe has.
    let quote = "Iran's \"leaders\", such as Ayatollah Khamenei; $(not run) `ever`\n";
    env.write("q.txt", quote);
    let r = env.run(&["cite", "--json", "--file", "q.txt"]);
    let v: CiteResults = r.parse();
    assert_eq!(v.quote, quote.trim_end());
    let out = output_with_stdin(
        env.command(&["cite", "--json", "-"]),
        b"the golden ring of the resistance chain\n",
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: CiteResults = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.quote, "the golden ring of the resistance chain");
    assert_eq!(v.exact_total, 1);
    assert_eq!(v.matches[0].line, 80);
    // Both at once is refused; a missing file is one line, exit 2.
    assert_eq!(env.run(&["cite", "--file", "q.txt", "word"]).code, 2);
    let r = env.run(&["cite", "--file", "nope.txt"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("passage: nope.txt: cannot read the quote"),
        "{}",
        r.stderr
    );
}

#[test]
fn editorial_brackets_are_insertions_or_replacements() {
    let env = Env::with_article();
    for (quote, printed) in [
        (
            "Hafiz al-Assad [then president] voiced support for Iranian dissidents",
            "Hafiz al-Assad voiced support for Iranian dissidents",
        ),
        (
            "[T]he collapse of the Assad regime",
            "the collapse of the Assad regime",
        ),
        (
            "[The advisor] declared, \"Iran is not prepared to lose",
            "declared, \"Iran is not prepared to lose",
        ),
        // A bracketed word the article also prints is read as printed.
        (
            "[Velayati] declared, \"Iran is not prepared to lose",
            "Velayati declared, \"Iran is not prepared to lose",
        ),
        (
            "Advisor [Velayati] declared",
            "Advisor Ali Akbar Velayati declared",
        ),
        // Brackets the article prints itself still match as words.
        (
            "golden counterweight [to Israel]",
            // From the first word to the last.
            "golden counterweight [to Israel",
        ),
    ] {
        let (code, v, _) = cite(&env, &["--", quote]);
        assert_eq!(code, 0, "{quote}: {v:?}");
        assert_eq!(v.matches[0].kind, MatchKind::Exact, "{quote}");
        assert_eq!(check_location(&v.matches[0]), printed, "{quote}");
    }
    // A bracket stands for a few words, not for any stretch.
    let (code, _, _) = cite(&env, &["--", "Hafiz al-Assad [x] Iranian revolution"]);
    assert_eq!(code, 1);
}

#[test]
fn a_quote_over_two_paragraphs_names_both() {
    let env = Env::with_article();
    let (code, v, stderr) = cite(
        &env,
        &[
            "--",
            "offensives were completed on December 8th. During the Syrian Civil War, Iran conducted",
        ],
    );
    assert_eq!(code, 1);
    let note = v
        .notes
        .iter()
        .find(|n| n.starts_with("the quote runs over two paragraphs"))
        .unwrap_or_else(|| panic!("{:?}", v.notes));
    assert!(note.contains("its first 6 words end"), "{note}");
    assert!(
        note.contains("(corpus/iran-syria-relations.txt:5:"),
        "{note}"
    );
    assert!(note.contains("its last 7 start"), "{note}");
    assert!(
        note.contains("(corpus/iran-syria-relations.txt:7:1)"),
        "{note}"
    );
    assert!(stderr.contains(note.as_str()), "{stderr}");
}

#[test]
fn cite_names_a_spelling_variant_and_lists_nothing_below_the_floor() {
    let env = Env::empty();
    env.write(
        "corpus/logic.txt",
        "= Logic =\n\nThe formalisation of arithmetic was the work of many hands over a century.\n\nA paragraph about nothing in particular at all.\n",
    );
    let r = env.run(&[
        "cite",
        "--json",
        "The formalization of arithmetic was the work of many hands",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let v = r.json();
    let d = &v["matches"][0]["differences"][0];
    assert_eq!(
        (
            d["quote"].as_str(),
            d["article"].as_str(),
            d["spelling_variant"].as_bool()
        ),
        (Some("formalization"), Some("formalisation"), Some(true)),
        "{v}"
    );
    let r = env.run(&[
        "cite",
        "--color",
        "never",
        "The formalization of arithmetic was the work of many hands",
    ]);
    assert!(
        r.stdout.contains(
            "a spelling variant, not another word: quote \"formalization\" / article \"formalisation\""
        ),
        "{r:?}"
    );
    // A quote sharing a few common words with a passage lists nothing.
    let r = env.run(&[
        "cite",
        "--json",
        "the work of the moon and the stars on a winter night",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let v = r.json();
    assert_eq!(v["matches"].as_array().unwrap().len(), 0, "{v}");
}
