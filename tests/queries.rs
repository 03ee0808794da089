//! Realistic queries against the real article, typed the way a reader who
//! half-remembers it would (keyboard dashes and apostrophes, inflections,
//! names, a few exact phrases). Each names the one paragraph a person would
//! clearly want first, by its 1-based `line_start` in the article.

use crate::util::json::{Hit, Kind};
use crate::util::{article_text, Env};

/// (query, line where the paragraph that must rank first starts)
const QUERIES: &[(&str, u64)] = &[
    // Lead
    ("ambassadorial posts vacant", 3),
    ("Baathist rule closest ally", 5),
    ("joint oil and gas company", 7),
    // Ancient and medieval history
    ("Cyrus the Great Eber-Nari", 13),
    ("Hamdanids expelled from Baghdad", 16),
    ("Aq Qoyunlu Mamluk", 18),
    // Prior to 1979
    ("first envoy to Syria 1946", 21),
    ("Mossadegh friendship treaty", 23),
    ("Baathist Iraq enemy of both countries", 25),
    ("passports for Khomeini's entourage", 25),
    ("Chamran training guerrillas", 27),
    // 1979–1990s
    ("conduit to Shia community in Lebanon", 31),
    ("Assad not a true Muslim", 33),
    ("Syria recognized Islamic Republic February 1979", 33),
    ("Iran-Iraq war Scud missiles", 35),
    ("Hama massacre", 35),
    ("Khomeini's ideology Hezbollah", 37),
    ("Amal Movement", 39),
    ("Saddam Kuwait coalition", 39),
    // 2000s–2011
    ("Cedar Revolution", 42),
    ("defense minister Najjar", 44),
    ("cement factories car assembly", 46),
    ("remove travel visas", 48),
    // Syrian Civil War
    ("golden counterweight", 52),
    ("Iranian snipers", 54),
    ("hand of America Khamenei", 56),
    ("\"answer to the demands of its people\"", 56),
    ("independent Alawite state", 58),
    ("80,000 Shi'ite fighters", 60),
    ("Rouhani inauguration", 62),
    ("Tehran terror attacks missiles", 64),
    ("Jahangiri agreements", 66),
    ("Gantz Masyaf underground facility", 70),
    ("oil below market prices", 72),
    ("Raisi visit to Damascus", 74),
    // Post-Assad regime
    ("\"Hayat Tahrir al-Sham\"", 78),
    ("Pezeshkian phone call", 78),
    ("ransacking Iranian embassy posters", 80),
    ("\"golden ring of the resistance chain\"", 80),
    ("300 billion compensation", 80),
    ("Gargash deterrence shattered", 82),
    ("Syria bans Iranian citizens", 82),
    ("IRGC members arrested", 84),
    // Cultural relations, territorial claims
    ("Mazzeh cultural center", 88),
    ("Iranians studying Arabic", 90),
    ("Sayida Zaynab pilgrimage", 92),
    ("Abu Musa Tunbs", 96),
];

/// At most `n` characters of `s`, with `…` if cut.
fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// One line about a hit: kind, section path, lines and snippet.
fn describe(hit: Option<&Hit>) -> String {
    let Some(h) = hit else {
        return "no hit".to_string();
    };
    format!(
        "{} [{}] line {} (paragraph {}): {}",
        h.kind.as_str(),
        h.section.join(" > "),
        h.line_start,
        h.paragraph.map_or("null".to_string(), |p| p.to_string()),
        clip(&h.snippet, 90),
    )
}

/// The expected lines are paragraph starts: not blank, not headings, not
/// list items (guards against off-by-one line numbers in the table above).
#[test]
fn query_expectations_point_at_paragraphs() {
    let text = article_text();
    let lines: Vec<&str> = text.lines().collect();
    for &(query, line) in QUERIES {
        let l = lines
            .get(line as usize - 1)
            .unwrap_or_else(|| panic!("{query:?}: line {line} is past the end"));
        assert!(
            !l.trim().is_empty() && !l.starts_with('=') && !l.starts_with("- "),
            "{query:?}: line {line} is not a paragraph: {l:?}"
        );
        assert!(
            line == 1
                || lines[line as usize - 2].trim().is_empty()
                || lines[line as usize - 2].starts_with('='),
            "{query:?}: line {line} does not start a paragraph"
        );
    }
}

#[test]
fn queries_rank_the_expected_paragraph_first() {
    let env = Env::with_article();
    let mut failures = Vec::new();
    for &(query, line) in QUERIES {
        let results = env.search(query);
        let is_expected = |h: &&Hit| h.kind == Kind::Paragraph && h.line_start == line;
        let top = results.hits.first();
        if !top.is_some_and(|h| is_expected(&h)) {
            let rank_of_expected = results
                .hits
                .iter()
                .find(is_expected)
                .map(|h| format!("expected paragraph at rank {}", h.rank))
                .unwrap_or_else(|| "expected paragraph not in the hits".to_string());
            failures.push(format!(
                "{query:<42} | line {line:<3} | {}\n{:42} | {:8} | {rank_of_expected}",
                describe(top),
                "",
                "",
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries ranked the wrong passage first:\n{:<42} | expected | got\n{}",
        failures.len(),
        QUERIES.len(),
        "query",
        failures.join("\n")
    );
}

#[test]
fn query_highlights_are_char_boundary_ranges_in_the_snippet() {
    let env = Env::with_article();
    let mut failures = Vec::new();
    for &(query, _) in QUERIES {
        // The typed hit already requires each range to be two numbers.
        for hit in env.search(query).hits {
            let snippet = &hit.snippet;
            for &[a, b] in &hit.highlights {
                let valid = a < b
                    && b <= snippet.len()
                    && snippet.is_char_boundary(a)
                    && snippet.is_char_boundary(b);
                if !valid {
                    failures.push(format!(
                        "{query:?}: hit {} (line {}): highlight [{a},{b}] in a {}-byte snippet: {snippet:?}",
                        hit.rank,
                        hit.line_start,
                        snippet.len(),
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} invalid highlight ranges:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
