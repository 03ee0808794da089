//! `passage check` on drafts written for these tests, against the real
//! article: every quotation's status and draft position, the places found
//! (checked against the article file itself), misquotes with their
//! differences, exit codes, standard input and bad drafts.

use crate::util::json::{CheckResults, CheckStatus, MatchKind};
use crate::util::{article_text, output_with_stdin, Env, Run};

/// Line and column (1-based, in characters) where `needle` first starts
/// in `text`, counted here independently of the code under test.
fn pos(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the draft"));
    let before = &text[..at];
    let line = 1 + before.matches('\n').count();
    let col = 1 + before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count();
    (line as u64, col as u64)
}

fn check_json(env: &Env, args: &[&str]) -> (Run, CheckResults) {
    let mut all = vec!["check", "--json"];
    all.extend_from_slice(args);
    let r = env.run(&all);
    assert!(r.code == 0 || r.code == 1, "{r:?}");
    let v = r.parse();
    (r, v)
}

/// A draft with one quotation of each kind the issue lists.
const DRAFT: &str = "\
# How Iran sees Syria

Velayati declared that \"Iran is not prepared to lose this golden counterweight [to Israel].\"
Khomeini called Syria “the golden ring of the resistance
chain in the region.” Some remember it as \"Iran is not ready to lose this golden counterweight\".

Its *allies* called it a \"reset\" and a 'new page', and nobody said \"the moon is made of blue cheese and jam\".

> Hafiz al-Assad [then president] voiced support
> for Iranian dissidents
> — the article

“[T]he Iranian embassy was ransacked,” wrote one; another wrote “Iran is not prepared … counterweight”.
A report spoke of “an *extensive*, expensive, and integrated effort to keep [Syrian President] Bashar al-Assad in power”[^1].
It said „Hafez al-Assad put “his full weight behind” Ruhollah Khomeini“ once.
An unclosed \"quote runs on

and stops at the paragraph break, so \"Quds Force commanders fled the country\" is still found.

[^1]: The article, ¶2.
";

#[test]
fn check_gives_every_quotation_its_status_in_draft_order() {
    let env = Env::with_article();
    env.write("draft.md", DRAFT);
    let (r, v) = check_json(&env, &["draft.md"]);
    assert_eq!(r.code, 1, "a misquote and a missing quote: exit 1");
    assert_eq!(v.drafts, ["draft.md"]);
    let got: Vec<(CheckStatus, &str)> = v
        .quotes
        .iter()
        .map(|q| (q.status, q.quote.as_str()))
        .collect();
    use CheckStatus::*;
    assert_eq!(
        got,
        [
            (
                Exact,
                "Iran is not prepared to lose this golden counterweight [to Israel]."
            ),
            (
                Exact,
                "the golden ring of the resistance chain in the region."
            ),
            (
                Misquoted,
                "Iran is not ready to lose this golden counterweight"
            ),
            (Skipped, "reset"),
            (Missing, "the moon is made of blue cheese and jam"),
            (
                Exact,
                "Hafiz al-Assad [then president] voiced support for Iranian dissidents"
            ),
            (Exact, "[T]he Iranian embassy was ransacked,"),
            (Exact, "Iran is not prepared … counterweight"),
            (
                Exact,
                "an extensive, expensive, and integrated effort to keep [Syrian President] Bashar al-Assad in power"
            ),
            (
                Exact,
                "Hafez al-Assad put “his full weight behind” Ruhollah Khomeini"
            ),
            (Exact, "Quds Force commanders fled the country"),
        ]
    );
    // Positions are those of each quotation's first character in the draft.
    for (q, needle) in v.quotes.iter().zip([
        "Iran is not prepared to lose",
        "the golden ring",
        "Iran is not ready",
        "reset",
        "the moon",
        "Hafiz al-Assad",
        "[T]he",
        "Iran is not prepared …",
        "an *extensive*",
        "Hafez al-Assad put",
        "Quds Force",
    ]) {
        assert_eq!((q.line, q.column), pos(DRAFT, needle), "{q:?}");
        assert_eq!(q.file, "draft.md");
        assert!(DRAFT[q.byte_start..q.byte_end].starts_with(needle), "{q:?}");
    }
    assert!(v.quotes[5].block);
    assert!(v.quotes.iter().filter(|q| q.block).count() == 1);
    assert_eq!(
        (
            v.summary.exact,
            v.summary.misquoted,
            v.summary.missing,
            v.summary.skipped
        ),
        (8, 1, 1, 1)
    );
}

#[test]
fn exact_quotes_list_every_place_as_cite_does() {
    let env = Env::with_article();
    env.write(
        "d.txt",
        "They wrote that \"the Iranian embassy was ransacked\" twice.\n",
    );
    let (r, v) = check_json(&env, &["d.txt"]);
    assert_eq!(r.code, 0, "{r:?}");
    let q = &v.quotes[0];
    assert_eq!(q.status, CheckStatus::Exact);
    assert_eq!(q.exact_total, 2);
    assert_eq!(q.matches.len(), 2);
    let text = article_text();
    for m in &q.matches {
        assert_eq!(m.kind, MatchKind::Exact);
        assert_eq!(&text[m.bytes()], "the Iranian embassy was ransacked");
        assert_eq!(m.text, "the Iranian embassy was ransacked");
    }
    // The same places, in the same order, as `cite` gives.
    let c = env.run(&["cite", "--json", "the Iranian embassy was ransacked"]);
    let c: crate::util::json::CiteResults = c.parse();
    let places = |ms: &[crate::util::json::CiteMatch]| -> Vec<(u64, u64, String)> {
        ms.iter()
            .map(|m| (m.line, m.column, m.citation.clone()))
            .collect()
    };
    assert_eq!(places(&q.matches), places(&c.matches));
}

#[test]
fn a_misquote_shows_the_closest_passage_and_what_differs() {
    let env = Env::with_article();
    env.write(
        "d.md",
        "Velayati said “Iran is not ready to lose this golden counterweight”.\n",
    );
    let (r, v) = check_json(&env, &["d.md"]);
    assert_eq!(r.code, 1);
    let q = &v.quotes[0];
    assert_eq!(q.status, CheckStatus::Misquoted);
    assert_eq!(q.matches.len(), 1, "only the closest passage");
    let m = &q.matches[0];
    assert_eq!(m.kind, MatchKind::Approximate);
    let d = m.differences.as_ref().unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].quote.as_deref(), Some("ready"));
    assert_eq!(d[0].article.as_deref(), Some("prepared"));
    // The article's own wording, to copy, is what the file holds there.
    assert_eq!(
        m.text,
        "Iran is not prepared to lose this golden counterweight"
    );
    assert_eq!(&article_text()[m.bytes()], m.text);
    assert_eq!(m.line, 52);

    let r = env.run(&["check", "--color", "never", "d.md"]);
    assert_eq!(r.code, 1);
    r.assert_stdout(
        "d.md:1:16: misquoted \"Iran is not ready to lose this golden counterweight\"\n   \
         closest: \"Iran–Syria relations\", § History and overview › Syrian Civil War (2011–2024), ¶1, line 52  corpus/iran-syria-relations.txt:52:410  (similarity 0.89)\n   \
         differs: quote \"ready\" / article \"prepared\"\n   \
         article: \"Iran is not prepared to lose this golden counterweight\"\n\
         \n\
         1 quotation: 0 exact, 1 misquoted, 0 missing; 0 skipped\n",
    );
}

#[test]
fn text_output_lists_places_and_the_summary() {
    let env = Env::with_article();
    env.write(
        "d.md",
        "A \"reset\", then \"his full weight behind\", then \"nothing like this stands in any article\".\n",
    );
    let r = env.run(&["check", "--color", "never", "d.md"]);
    assert_eq!(r.code, 1, "{r:?}");
    r.assert_stdout(
        "d.md:1:4: skipped \"reset\" (1 word)\n\
         d.md:1:18: exact \"his full weight behind\"\n   \
         \"Iran–Syria relations\", ¶2, line 5  corpus/iran-syria-relations.txt:5:403\n   \
         \"Iran–Syria relations\", § History and overview › Prior to 1979, ¶3, line 25  corpus/iran-syria-relations.txt:25:843\n\
         d.md:1:49: missing \"nothing like this stands in any article\"\n\
         \n\
         3 quotations: 1 exact, 0 misquoted, 1 missing; 1 skipped\n",
    );
}

#[test]
fn min_words_decides_what_is_skipped() {
    let env = Env::with_article();
    env.write("d.md", "\"golden counterweight\" and \"the golden ring\"\n");
    let (_, v) = check_json(&env, &["d.md"]);
    let statuses: Vec<CheckStatus> = v.quotes.iter().map(|q| q.status).collect();
    assert_eq!(statuses, [CheckStatus::Skipped, CheckStatus::Exact]);
    assert!(v.quotes[0].matches.is_empty());
    let (r, v) = check_json(&env, &["--min-words", "2", "d.md"]);
    assert_eq!(r.code, 0);
    let statuses: Vec<CheckStatus> = v.quotes.iter().map(|q| q.status).collect();
    assert_eq!(statuses, [CheckStatus::Exact, CheckStatus::Exact]);
    assert_eq!(v.quotes[0].words, 2);
}

#[test]
fn every_quote_exact_exits_0_and_no_quotes_too() {
    let env = Env::with_article();
    env.write(
        "ok.md",
        "> Iran is not prepared to lose this golden counterweight\n",
    );
    env.write("none.md", "No quotations here, only the shah's 'words'.\n");
    let r = env.run(&["check", "--color", "never", "ok.md"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.run(&["check", "--color", "never", "none.md"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.stdout,
        "0 quotations: 0 exact, 0 misquoted, 0 missing; 0 skipped\n"
    );
    assert!(r.stderr.contains("no quotations found"), "{r:?}");
}

#[test]
fn several_drafts_and_standard_input() {
    let env = Env::with_article();
    env.write("a.md", "\"the Iranian embassy was ransacked\"\n");
    let out = output_with_stdin(
        env.command(&["check", "--json", "a.md", "-"]),
        "Piped: «the golden ring of the resistance chain»\n".as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: CheckResults = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.drafts, ["a.md", "<stdin>"]);
    let files: Vec<(&str, u64, u64)> = v
        .quotes
        .iter()
        .map(|q| (q.file.as_str(), q.line, q.column))
        .collect();
    assert_eq!(files, [("a.md", 1, 2), ("<stdin>", 1, 9)]);
    assert!(v.quotes.iter().all(|q| q.status == CheckStatus::Exact));
}

#[test]
fn colour_marks_statuses_on_request_and_never_in_json() {
    let env = Env::with_article();
    env.write(
        "d.md",
        "\"the Iranian embassy was ransacked\" and \"not in the corpus at all\"\n",
    );
    let r = env.run(&["check", "--color", "always", "d.md"]);
    assert!(r.stdout.contains("\x1b[32mexact\x1b[0m"), "{r:?}");
    assert!(r.stdout.contains("\x1b[1;31mmissing\x1b[0m"), "{r:?}");
    let r = env.run(&["check", "--color", "never", "d.md"]);
    assert!(!r.stdout.contains('\x1b'), "{r:?}");
    let r = env.run(&["check", "--json", "--color", "always", "d.md"]);
    assert!(!r.stdout.contains('\x1b'), "{r:?}");
}

#[test]
fn bad_drafts_are_one_line_errors() {
    let env = Env::with_article();
    let one_line = |r: &Run, needle: &str| {
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stdout.is_empty(), "{r:?}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{r:?}");
        assert!(lines[0].starts_with("passage: "), "{r:?}");
        assert!(lines[0].contains(needle), "{r:?}");
    };
    one_line(&env.run(&["check", "missing.md"]), "missing.md");
    env.write("bin.md", b"\"a b c\" \x00\x01\x02");
    one_line(&env.run(&["check", "bin.md"]), "bin.md: not a text file");
    env.write("latin1.md", b"\"caf\xe9 au lait\"\n");
    one_line(&env.run(&["check", "latin1.md"]), "latin1.md: not UTF-8");
    env.write(
        "huge.md",
        "\"a b c\" ".repeat(passage::limits::MAX_DRAFT_BYTES / 8 + 1),
    );
    one_line(
        &env.run(&["check", "huge.md"]),
        "huge.md: the draft is larger",
    );
    std::fs::create_dir(env.path().join("folder.md")).unwrap();
    one_line(&env.run(&["check", "folder.md"]), "folder.md");
    // No index was built for any of them: the drafts are read first.
    assert!(!env.path().join("index").exists());
}

#[test]
fn check_raises_no_false_alarms_on_markup_or_insertions() {
    let env = Env::with_article();
    env.write(
        "draft.md",
        "It was <abbr title=\"a title that is not in any article\">IRGC</abbr> work.\n\n\
         ![a map](map.png \"a map title that quotes nothing at all\") and [a link](https://x.org \"a link title quoting nothing\").\n\n\
         [1]: https://example.org \"a reference title quoting nothing\"\n\n\
         They called it \"[Iran] counterweight\" once.\n\n\
         Velayati declared that \"Iran is not prepared to lose this golden counterweight\".\n",
    );
    let (_, v) = check_json(&env, &["draft.md"]);
    let quotes: Vec<(&str, CheckStatus)> = v
        .quotes
        .iter()
        .map(|q| (q.quote.as_str(), q.status))
        .collect();
    assert_eq!(
        quotes,
        vec![
            // One word of its own: skipped, not "exact" in many places.
            ("[Iran] counterweight", CheckStatus::Skipped),
            (
                "Iran is not prepared to lose this golden counterweight",
                CheckStatus::Exact
            ),
        ]
    );
}

#[test]
fn a_long_block_quote_is_shortened_between_words() {
    let env = Env::with_article();
    let long = "Iran is not prepared to lose this golden counterweight and the rest of this sentence goes on and on well past any width a report line would show whole";
    env.write("draft.md", format!("> {long}\n"));
    let r = env.run(&["check", "--color", "never", "draft.md"]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains(" … "))
        .unwrap_or_else(|| panic!("a shortened quotation: {r:?}"));
    let quoted = line.split('"').nth(1).expect("the quotation in quotes");
    let (head, tail) = quoted.split_once(" … ").expect("cut once");
    let words: Vec<&str> = long.split(' ').collect();
    for part in head.split(' ').chain(tail.split(' ')) {
        assert!(words.contains(&part), "{part:?} is a cut word: {line}");
    }
}
