//! Hostile input to the parsers, in the normal test run: every input kept
//! from fuzzing (`tests/data/fuzz/TARGET/`, seeds and findings) replayed
//! through the fuzz targets' own checks, generated inputs with the special
//! characters weighted (proptest), and the cases the issue names one by
//! one. See RELIABILITY.md.

use std::path::Path;

use passage::article::Article;
use passage::invariants;
use passage::query::Query;
use proptest::prelude::*;

use crate::util::repo;

/// Every file kept for a fuzz target, by name.
fn kept(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = repo().join("tests/data/fuzz").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            (display(&p), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs kept for {target}");
    out
}

fn display(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn replay(target: &str, check: fn(&[u8])) {
    for (name, bytes) in kept(target) {
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(outcome.is_ok(), "tests/data/fuzz/{target}/{name} fails");
    }
}

#[test]
fn fuzz_kept_inputs_article() {
    replay("article", invariants::fuzz_article);
}

#[test]
fn fuzz_kept_inputs_query() {
    replay("query", invariants::fuzz_query);
}

#[test]
fn fuzz_kept_inputs_quote() {
    replay("quote", invariants::fuzz_quote);
}

/// Bytes made of the pieces the parsers treat specially, often after a
/// title line so that the parse goes past it.
fn article_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"=".to_vec()),
        Just(b"==".to_vec()),
        Just(b"=======".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"- ".to_vec()),
        Just(b"* ".to_vec()),
        Just("• ".as_bytes().to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\xff".to_vec()),
        Just(b"\xe2\x80".to_vec()),
        Just("\u{202e}".as_bytes().to_vec()),
        Just(b"\x1b]0;t\x07".to_vec()),
        Just(b"word".to_vec()),
        Just("Ünïcödé".as_bytes().to_vec()),
        Just(b"1990s".to_vec()),
        Just(b"539 BCE".to_vec()),
        Just(b"AD 628".to_vec()),
        Just("333–332".as_bytes().to_vec()),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    (any::<bool>(), prop::collection::vec(piece, 0..120)).prop_map(|(title, pieces)| {
        let mut out = if title {
            b"= T =\n".to_vec()
        } else {
            Vec::new()
        };
        out.extend(pieces.concat());
        out
    })
}

fn query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("war"),
        Just("Iran"),
        Just("é"),
        Just(" "),
        Just("\u{a0}"),
        Just("\""),
        Just("~"),
        Just("2"),
        Just("-"),
        Just("OR"),
        Just("*"),
        Just(":"),
        Just("section:"),
        Just("article:"),
        Just("year:"),
        Just("kind:"),
        Just("p"),
        Just(".."),
        Just("1979"),
        Just("("),
        Just(")"),
        Just("\x1b"),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn passage_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Iran"),
        Just("is"),
        Just("not"),
        Just("counterweight"),
        Just("Ba’athist"),
        Just("Iran–Iraq"),
        Just("U.S."),
        Just("3.5"),
        Just(" "),
        Just("\n"),
        Just("\r\n"),
        Just(", "),
        Just("“"),
        Just("”"),
        Just("["),
        Just("]"),
        Just("…"),
        Just("..."),
        Just("[…]"),
        Just("é"),
        Just("\u{301}"),
        Just("\u{200d}"),
        Just("🇮🇷"),
        Just("'"),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn prop_article_parser_holds_its_invariants(bytes in article_bytes()) {
        invariants::check_article(&bytes);
    }

    #[test]
    fn prop_article_parser_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        invariants::check_article(&bytes);
    }

    #[test]
    fn prop_query_canonical_form_reads_back(q in query_text()) {
        invariants::check_query(&q);
    }

    #[test]
    fn prop_query_parser_on_arbitrary_text(q in ".{0,200}") {
        invariants::check_query(&q);
    }

    #[test]
    fn prop_quote_matching_holds_its_invariants(quote in passage_text(), passage in passage_text()) {
        invariants::check_quote_match(&quote, &passage);
    }
}

/// Parses text that must be accepted.
fn parse(text: &str) -> Article {
    invariants::check_article(text.as_bytes());
    Article::parse(text).unwrap_or_else(|e| panic!("{e}: {text:?}"))
}

#[test]
fn parser_deep_headings_are_clamped_to_level_6() {
    let text = format!(
        "= T =\n\n=======Deep=======\na\n\n{} Very deep {}\nb\n",
        "=".repeat(10_000),
        "=".repeat(10_000)
    );
    let a = parse(&text);
    assert_eq!(a.sections[1].level, 6);
    assert_eq!(a.sections[1].path, vec!["Deep".to_string()]);
    assert_eq!(a.sections[2].level, 6);
    // Same level: a sibling, not a child.
    assert_eq!(a.sections[2].path, vec!["Very deep".to_string()]);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
}

#[test]
fn parser_unbalanced_markers_are_read_with_warnings() {
    let text = "= T =\n\n==A===\nx\n\n===B\ny\n\n=C\n\n====\n";
    let a = parse(text);
    let paths: Vec<&Vec<String>> = a.sections.iter().map(|s| &s.path).collect();
    assert_eq!(paths[1], &vec!["A".to_string()]);
    assert_eq!(paths[2], &vec!["A".to_string(), "B".to_string()]);
    let lines: Vec<usize> = a.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, vec![3, 6]);
    assert!(a.warnings[0]
        .message
        .contains("opens with 2 '=' but closes with 3"));
    assert!(a.warnings[1]
        .message
        .contains("unclosed heading marker '==='"));
    // A lone `=` and a run of `=` alone are text, not headings.
    let bodies: Vec<&str> = a.passages.iter().map(|p| &text[p.bytes.clone()]).collect();
    assert_eq!(bodies, vec!["x", "y", "=C", "===="]);
}

#[test]
fn parser_a_10_mb_single_line() {
    let mut text = String::from("= Big =\n\n");
    text.push_str(&"word 1990s ".repeat(1_000_000));
    assert!(text.len() > 10_000_000);
    let a = parse(&text);
    assert_eq!(a.passages.len(), 1);
    assert_eq!(a.passages[0].line_start, 3);
    assert_eq!(a.passages[0].bytes.end, text.trim_end().len());
    assert_eq!(
        passage::article::years(&text[a.passages[0].bytes.clone()]),
        vec![1990]
    );
}

#[test]
fn parser_nul_bytes_are_text() {
    let a = parse("= T\0 =\n\nNUL\0in the text\n\0\n");
    assert_eq!(a.title, "T\0");
    assert_eq!(a.passages.len(), 1);
    assert_eq!(a.passages[0].line_end, 4);
}

#[test]
fn parser_invalid_utf8_names_line_and_byte() {
    let e = Article::parse_bytes(b"= T =\n\nok\nbad \xff\n").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (4, "not valid UTF-8 (byte 14)")
    );
    // A sequence cut short at the very end of the file.
    let e = Article::parse_bytes(b"= T =\n\nok \xe2\x80").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (3, "not valid UTF-8 (byte 10)")
    );
}

#[test]
fn parser_bom_is_skipped_and_offsets_count_it() {
    let text = "\u{feff}= T =\n\nLead.\n";
    let a = parse(text);
    assert_eq!(a.title, "T");
    assert_eq!(&text[a.passages[0].bytes.clone()], "Lead.");
    assert_eq!(a.passages[0].bytes.start, 3 + 6 + 1);
    // A BOM alone, or a BOM before a blank first line, is no title.
    assert!(Article::parse("\u{feff}").is_err());
    assert!(Article::parse("\u{feff}\n= T =\n").is_err());
}

#[test]
fn parser_crlf_and_lone_cr_line_ends() {
    for nl in ["\n", "\r\n", "\r"] {
        let text = [
            "= T =",
            "",
            "Lead one",
            "still lead.",
            "",
            "==A==",
            "- item",
            "",
        ]
        .join(nl);
        let a = parse(&text);
        let got: Vec<(&str, usize, usize)> = a
            .passages
            .iter()
            .map(|p| (&text[p.bytes.clone()], p.line_start, p.line_end))
            .collect();
        let lead = format!("Lead one{nl}still lead.");
        assert_eq!(got, vec![(lead.as_str(), 3, 4), ("item", 7, 7)], "{nl:?}");
    }
    // Mixed: `\r\n` is one line end, `\n\r` two.
    let a = parse("= T =\n\r\rA\r\nB\n\rC\n");
    let lines: Vec<usize> = a.passages.iter().map(|p| p.line_start).collect();
    assert_eq!(lines, vec![4, 7]);
}

#[test]
fn parser_many_sections_and_repeats_stay_linear() {
    // Each of these was quadratic: a parent search per section, a scan of
    // every passage per section, a scan of `-2`, `-3`... per repeated
    // paragraph. At this size a quadratic step would take minutes.
    let mut text = String::from("= T =\n\n");
    for i in 0..100_000 {
        text.push_str(if i % 2 == 0 {
            "==A==\n"
        } else {
            "===B===\nsame words\n"
        });
    }
    let a = parse(&text);
    assert_eq!(a.sections.len(), 100_001);
    assert_eq!(a.passages.len(), 50_000);
    let docs = passage::corpus::documents("f.txt", &text, &a, &mut Default::default());
    let last = docs.last().unwrap();
    assert!(last.id.ends_with("-50000"), "{}", last.id);
}

#[test]
fn parser_a_million_numbers_in_one_paragraph() {
    let mut text = String::from("= T =\n\n");
    for i in 0..1_000_000 {
        text.push_str(&format!("{} ", 1000 + i % 1200));
    }
    let a = parse(&text);
    assert_eq!(
        passage::article::years(&text[a.passages[0].bytes.clone()]).len(),
        1200
    );
}

#[test]
fn query_parser_limits() {
    let long = "a ".repeat(60_000);
    let e = Query::parse(&long).unwrap_err();
    assert_eq!(e.position, 1);
    assert!(e.message.contains("bytes long; the limit is 10000"), "{e}");
    for q in ["*", "**", "-*", "\"\"", "(((", ")"] {
        assert!(Query::parse(q).is_err(), "{q}");
    }
}

/// Found by the `quote` fuzzer: a snippet or citation context cut just
/// after a whitespace of more than one byte (a no-break space, common in
/// Wikipedia text) sliced inside it and panicked.
#[test]
fn fuzz_finding_cut_after_a_multibyte_space() {
    let env = crate::util::Env::empty();
    let para = format!("{}needle{}", "word\u{a0}".repeat(200), " word".repeat(200));
    env.write("corpus/nbsp.txt", format!("= Spaces =\n\n{para}\n"));
    for args in [&["search", "needle"][..], &["cite", "needle"]] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        assert!(r.stdout.contains("[needle]"), "{args:?}: {r:?}");
    }
}
