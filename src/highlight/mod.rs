//! Finding the query's words in a passage and cutting a snippet around them.
//!
//! Tantivy's `SnippetGenerator` marks single terms anywhere (a phrase's words
//! light up wherever they stand alone), keeps one fixed window and gives no
//! document offsets. This stage works on [`crate::text::Word`]s from the shared analyzer
//! instead, so a highlight always lands on the word as printed (`ransacking`
//! marks `ransacked`), a phrase is marked exactly where tantivy's phrase
//! query matches it, and snippets are cut at sentence bounds.
//!
//! A snippet shows the sentences whose matched words weigh most, rare words
//! counting more than function words, and always shows a word of the
//! heaviest pattern found (issue 13: "the Stans" was cut off while `the` was
//! shown). A hard-wrapped paragraph is one run of text, so its sentences
//! span its line breaks. [`snippet`] and [`context`] choose their windows
//! differently and write them with one writer.

mod find;
mod sentences;
mod window;

use std::ops::Range;

use crate::query::Kind;
use crate::text::Analyzer;
pub use find::{find, phrase_matches, words_for, Found, Freqs, Pattern};
pub use window::{context, snippet};

/// A cut of a passage with the matches marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown: sentences from the passage, line breaks turned into
    /// spaces, with `…` where the passage goes on.
    pub text: String,
    /// Byte ranges into `text` of the matched words, sorted, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

/// Bytes of a document analyzed at a time for its snippet.
const SNIPPET_CHUNK: usize = 64 * 1024;
/// Most bytes of a document analyzed for its snippet: a section of three
/// million paragraphs is 18 MB, and analyzing all of it took 1.2 GB.
const SNIPPET_REACH: usize = 1024 * 1024;

/// The snippet of a passage's `text` for `patterns`, found once and then
/// cropped (as milli's matcher does): its words are analyzed, the matches
/// found ([`find`]), and the window that weighs most cut ([`snippet`]). A
/// long text is read in stretches of 64 KiB (each ending at a line), from
/// the first that holds a match, no further than its first MiB; a short one
/// whole.
pub fn cut(
    text: &str,
    kind: Kind,
    patterns: &[Pattern],
    weights: &[f32],
    freqs: Freqs<'_>,
    chars: usize,
    analyzer: &mut Analyzer,
) -> Snippet {
    snippet_within(text, analyzer, |text, analyzer| {
        let words = words_for(analyzer, text, patterns);
        let found = find(patterns, &words, freqs);
        let matched = !found.is_empty();
        (snippet(text, kind, &found, weights, chars), matched)
    })
}

/// The snippet of `text`, cut by `cut` from the first stretch of it (of
/// [`SNIPPET_CHUNK`] bytes, ending at a line) that holds a match, looking
/// no further than [`SNIPPET_REACH`]; short texts are cut whole.
fn snippet_within(
    text: &str,
    analyzer: &mut Analyzer,
    mut cut: impl FnMut(&str, &mut Analyzer) -> (Snippet, bool),
) -> Snippet {
    if text.len() <= SNIPPET_CHUNK {
        return cut(text, analyzer).0;
    }
    let mut start = 0;
    let mut first = None;
    while start < text.len().min(SNIPPET_REACH) {
        let mut end = (start + SNIPPET_CHUNK).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        // End the stretch at a line, so no word or sentence is split.
        if let Some(nl) = text[end..].find('\n').filter(|&n| n < SNIPPET_CHUNK) {
            end += nl + 1;
        }
        let (snippet, matched) = cut(&text[start..end], analyzer);
        if matched {
            return snippet;
        }
        first.get_or_insert(snippet);
        start = end;
    }
    first.unwrap_or(Snippet {
        text: String::new(),
        highlights: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use tantivy::Term;

    use super::find::*;
    use super::window::*;
    use super::*;
    use crate::text::Word;

    #[test]
    fn the_stemmer_keeps_a_words_first_letter() {
        // What `words_for` relies on, over the article and the stemmer's
        // own exceptions (`dying` -> `die`, `skies` -> `sky`).
        let article = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/iran-syria-relations.txt"
        ))
        .unwrap();
        let exceptions = "skis skies dying lying tying idly gently ugly early only singly \
            sky news howe atlas cosmos bias andes inning outing canning herring earring \
            proceed exceed succeed yelling yeses";
        let mut an = Analyzer::default();
        let mut n = 0;
        for w in an.words(&format!("{article} {exceptions}")) {
            assert_eq!(w.stem.chars().next(), w.exact.chars().next(), "{w:?}");
            n += 1;
        }
        assert!(n > 2_000);
        // So a word is stemmed only when a stem searched for starts alike.
        let words = words_for(
            &mut an,
            "Wars warred in Syria",
            &[Pattern::Stem("war".into())],
        );
        let stems: Vec<&str> = words.iter().map(|w| w.stem.as_str()).collect();
        assert_eq!(stems, ["war", "war", "", ""]);
    }

    fn cut(text: &str, kind: Kind, patterns: &[Pattern], weights: &[f32], max: usize) -> Snippet {
        let words = Analyzer::default().words(text);
        snippet(
            text,
            kind,
            &find(patterns, &words, Freqs::Phrase),
            weights,
            max,
        )
    }

    fn run(text: &str, patterns: &[Pattern]) -> Snippet {
        cut(text, Kind::Paragraph, patterns, &[], 120)
    }

    fn marked(s: &Snippet) -> Vec<&str> {
        s.highlights.iter().map(|r| &s.text[r.clone()]).collect()
    }

    fn exact(words: &[&str]) -> Vec<Pattern> {
        words
            .iter()
            .map(|w| Pattern::Exact(w.to_string()))
            .collect()
    }

    fn phrase(text: &str, slop: u32) -> Pattern {
        Pattern::Phrase {
            terms: Analyzer::default().exact_terms(text),
            slop,
        }
    }

    /// The words a phrase takes in `text`, per occurrence.
    fn phrase_in(p: &str, slop: u32, text: &str) -> Vec<Vec<String>> {
        let words = Analyzer::default().words(text);
        let terms = Analyzer::default().exact_terms(p);
        phrase_matches(&terms, slop, &words, &[])
            .into_iter()
            .map(|at| {
                at.iter()
                    .map(|&k| text[words[k].bytes.clone()].to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn stems_highlight_the_printed_word() {
        let mut a = Analyzer::default();
        let stem = a.stem("ransacking");
        let s = run(
            "The embassy was ransacked, and diplomats fled.",
            &[Pattern::Stem(stem)],
        );
        assert_eq!(marked(&s), vec!["ransacked"]);
    }

    #[test]
    fn phrase_marks_only_where_it_stands() {
        let text = "A golden ring. The golden counterweight held. A counterweight.";
        let s = run(text, &[phrase("golden counterweight", 0)]);
        assert_eq!(marked(&s), vec!["golden counterweight"]);
    }

    #[test]
    fn snippet_prefers_the_matching_sentence_and_marks_cuts() {
        let text = format!(
            "{} Iran and Syria signed a treaty. {}",
            "Filler sentence here. ".repeat(10),
            "More filler after. ".repeat(10)
        );
        let s = run(&text, &[Pattern::Exact("treaty".into())]);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert_eq!(marked(&s), vec!["treaty"]);
    }

    #[test]
    fn weights_pick_the_sentence_of_the_rare_word() {
        let text = "The war was long and the war was hard. Later the region was called the Stans.";
        let patterns = exact(&["war", "stans"]);
        // Equal weights: one pattern each, and the first sentence has more
        // matches.
        let plain = cut(text, Kind::Paragraph, &patterns, &[], 45);
        assert_eq!(plain.text, "The war was long and the war was hard.…");
        assert_eq!(marked(&plain), vec!["war", "war"]);
        // The rare word weighs more than twice the common one.
        let weighted = cut(text, Kind::Paragraph, &patterns, &[0.2, 3.0], 45);
        assert_eq!(weighted.text, "…Later the region was called the Stans.");
        assert_eq!(marked(&weighted), vec!["Stans"]);
    }

    #[test]
    fn the_heaviest_word_is_shown_even_when_function_words_weigh_more() {
        let text = "What is the name of it, and what is the point of all of it? \
                    Canberra is the capital of Australia.";
        let patterns = exact(&["what", "is", "the", "of", "capital", "australia"]);
        // Four function words outweigh the two rare words together, but
        // the heaviest word must be shown.
        let weights = [0.6, 0.6, 0.6, 0.6, 0.9, 1.0];
        let s = cut(text, Kind::Paragraph, &patterns, &weights, 60);
        assert!(s.text.contains("Australia"), "{}", s.text);
        assert!(marked(&s).contains(&"Australia"));
        // Without that rule the question would win: its sum is 2.4.
        let only_function_words = [0.6, 0.6, 0.6, 0.6, 0.0, 0.0];
        let s = cut(text, Kind::Paragraph, &patterns, &only_function_words, 60);
        assert!(s.text.starts_with("What is the name"), "{}", s.text);
    }

    #[test]
    fn a_long_sentence_is_trimmed_around_its_heaviest_matches() {
        // Issue 13: the snippet stopped just before "Stans".
        let text = format!(
            "The five countries of Central Asia, {}are often nicknamed the Stans in the press.",
            "which lie between the Caspian Sea and China and were once part of the Soviet Union, "
                .repeat(3)
        );
        let patterns = exact(&["central", "asia", "nicknamed", "the", "stans"]);
        let weights = [1.5, 1.2, 2.0, 0.01, 4.0];
        for w in [&weights[..], &[]] {
            let s = cut(&text, Kind::Paragraph, &patterns, w, 120);
            assert!(s.text.chars().count() <= 122, "{}", s.text);
            let m = marked(&s);
            assert!(
                m.contains(&"Stans") && m.contains(&"nicknamed"),
                "{w:?}: {}",
                s.text
            );
            assert!(s.text.starts_with('…'), "{}", s.text);
        }
        // With only the first words asked for, the cut starts there.
        let s = cut(
            &text,
            Kind::Paragraph,
            &exact(&["central", "asia"]),
            &[],
            120,
        );
        assert!(
            s.text.starts_with("The five countries of Central Asia"),
            "{}",
            s.text
        );
        assert!(s.text.ends_with('…'));
    }

    #[test]
    fn a_hard_wrapped_paragraph_is_one_run_of_text() {
        let text = "Iran and Syria\nsigned a treaty\nin 1990, and the\nalliance held.\n\
                    It was renewed\nin 2006. Others\nfollowed it later.";
        let s = cut(text, Kind::Paragraph, &exact(&["treaty"]), &[], 70);
        assert_eq!(
            s.text,
            "Iran and Syria signed a treaty in 1990, and the alliance held.…"
        );
        assert_eq!(marked(&s), vec!["treaty"]);
        // A sentence spanning lines in the middle shows its whole self,
        // with the ellipses of the paragraph going on around it.
        let s = cut(text, Kind::Paragraph, &exact(&["renewed"]), &[], 30);
        assert_eq!(s.text, "…It was renewed in 2006.…");
    }

    #[test]
    fn a_phrase_across_a_line_break_is_marked_whole() {
        let text = "The engine had a golden\ncounterweight, later replaced.";
        let s = run(text, &[phrase("golden counterweight", 0)]);
        assert_eq!(
            s.text,
            "The engine had a golden counterweight, later replaced."
        );
        assert_eq!(marked(&s), vec!["golden counterweight"]);
        // With slop, words standing together in order are one mark too.
        let s = run(text, &[phrase("golden counterweight", 2)]);
        assert_eq!(marked(&s), vec!["golden counterweight"]);
    }

    #[test]
    fn a_paragraph_starting_with_equals_shows_its_text() {
        for text in [
            "= x + y holds for every x.",
            "=== not a heading, but a line",
        ] {
            let s = cut(
                text,
                Kind::Paragraph,
                &exact(&["holds", "heading"]),
                &[],
                120,
            );
            assert_eq!(s.text, text);
            assert_eq!(marked(&s).len(), 1, "{}", s.text);
        }
        // In a section only heading lines are skipped (by the parser's
        // rule): `= x + y` and `=====` are text there too.
        let section = "==Algebra==\n= x + y holds.\n=====\n\n===Rings===\nA ring holds too.";
        let s = cut(section, Kind::Section, &exact(&["holds"]), &[], 20);
        assert_eq!(s.text, "= x + y holds. =====");
        let s = cut(section, Kind::Section, &exact(&["rings"]), &[], 120);
        assert_eq!(s.text, "= x + y holds. =====", "a heading is not shown");
        assert!(s.highlights.is_empty());
    }

    #[test]
    fn a_sections_paragraphs_and_list_items_are_runs_of_their_own() {
        let section =
            "==Trade==\nExports grew.\nImports fell.\n\n- tea was sold\n- tea was bought\n";
        let s = cut(section, Kind::Section, &exact(&["bought"]), &[], 120);
        assert_eq!(s.text, "- tea was bought");
        let s = cut(section, Kind::Section, &exact(&["imports"]), &[], 120);
        assert_eq!(s.text, "Exports grew. Imports fell.");
        // Line ends of every kind; the lead's title line is a heading too.
        let lead = "= Tea =\r\n\r\nTea was\rransacked.\r\n==Later==\r\nTea again.";
        let s = cut(lead, Kind::Section, &exact(&["tea"]), &[], 120);
        assert_eq!(s.text, "Tea was ransacked.");
        assert_eq!(marked(&s), vec!["Tea"]);
    }

    #[test]
    fn a_huge_paragraph_of_matches_is_cut_in_linear_time() {
        // Every sentence matches: scoring each sentence against every
        // match would be quadratic (10^9 steps here).
        let text = "War. ".repeat(30_000)
            + "A long sentence about war and the Stans, "
            + &"and war ".repeat(10_000);
        let patterns = exact(&["war", "stans"]);
        let s = cut(&text, Kind::Paragraph, &patterns, &[1.0, 2.0], 240);
        assert!(marked(&s).contains(&"Stans"), "{}", s.text);
        assert!(s.text.chars().count() <= 242);
    }

    #[test]
    fn long_sentences_are_cut_around_the_match() {
        let text = format!("{} needle {}", "word ".repeat(100), "word ".repeat(100));
        let s = run(&text, &[Pattern::Exact("needle".into())]);
        assert!(s.text.chars().count() <= 124);
        assert_eq!(marked(&s), vec!["needle"]);
    }

    #[test]
    fn context_in_a_huge_line_looks_near_the_span_only() {
        let text = format!(
            "{}needle. {}",
            "word ".repeat(200_000),
            "word ".repeat(200_000)
        );
        let at = text.find("needle").unwrap();
        let span = at..at + "needle".len();
        let near = context(&text, &span, std::slice::from_ref(&span), 300);
        let whole = context_in(&text, &span, std::slice::from_ref(&span), 300);
        assert_eq!(near, whole);
        assert!(near.text.starts_with('…') && near.text.ends_with('…'));
        let h = near.highlights[0].clone();
        assert_eq!(&near.text[h], "needle");
    }

    #[test]
    fn context_shows_a_quote_starting_with_equals() {
        let text = "= x + y, as the rule says.";
        let at = text.find("rule").unwrap();
        let span = at..at + 4;
        let c = context(text, &span, std::slice::from_ref(&span), 100);
        assert_eq!(c.text, text);
        assert_eq!(&c.text[c.highlights[0].clone()], "rule");
    }

    #[test]
    fn cuts_after_multibyte_spaces() {
        // A no-break space (2 bytes) and an en quad (3) where the cut
        // falls: the cut used to land inside them and panic.
        for space in ["\u{a0}", "\u{2000}"] {
            let text = format!(
                "{}needle{}",
                format!("word{space}").repeat(200),
                " word".repeat(200)
            );
            let s = run(&text, &[Pattern::Exact("needle".into())]);
            assert_eq!(marked(&s), vec!["needle"]);
            let at = text.find("needle").unwrap();
            let span = at..at + 6;
            let c = context(&text, &span, std::slice::from_ref(&span), 100);
            assert_eq!(&c.text[c.highlights[0].clone()], "needle");
        }
    }

    #[test]
    fn slop_works_both_ways_as_in_tantivy() {
        // Issue 13 item 8: `"Iran Syria"~2` matched a text with no highlight.
        assert_eq!(
            phrase_in("Iran Syria", 2, "Syria, Iran and Turkey"),
            vec![vec!["Iran", "Syria"]]
        );
        let s = run(
            "Ties of Syria, Iran and Turkey.",
            &[phrase("Iran Syria", 2)],
        );
        assert_eq!(marked(&s), vec!["Syria", "Iran"]);
        // A transposition costs 2: not within a slop of 1.
        assert!(phrase_in("Iran Syria", 1, "Syria, Iran").is_empty());
        // Forward, the slop is the words skipped.
        assert_eq!(phrase_in("Iran Syria", 2, "Iran and the Syria").len(), 1);
        assert!(phrase_in("Iran Syria", 1, "Iran and the Syria").is_empty());
        // Backward with a word between costs 3.
        assert!(phrase_in("Iran Syria", 2, "Syria and Iran").is_empty());
        assert_eq!(phrase_in("Iran Syria", 3, "Syria and Iran").len(), 1);
        // The slop is one budget for all the gaps (tantivy's own examples).
        assert_eq!(phrase_in("a b c", 1, "a x b c").len(), 1);
        assert_eq!(phrase_in("a b c", 1, "a b x c").len(), 1);
        assert!(phrase_in("a b c", 1, "a x b x c").is_empty());
        // A term repeated may take the same word twice, as in tantivy.
        assert_eq!(phrase_in("war war", 1, "the war"), vec![vec!["war", "war"]]);
        assert!(phrase_in("war war", 0, "the war").is_empty());
    }

    /// Every phrase of 2 to 4 words over a small alphabet, with slops 0 to
    /// 3, run by tantivy over texts built to hold near misses, its words
    /// of unequal frequencies: a text holds an occurrence exactly when
    /// tantivy matches it.
    #[test]
    fn phrases_match_exactly_where_tantivy_matches() {
        use tantivy::collector::TopDocs;
        use tantivy::query::PhraseQuery;
        use tantivy::schema::{
            IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED,
        };
        use tantivy::{doc, DocAddress, Index, TantivyDocument};

        let mut b = Schema::builder();
        let body = b.add_text_field(
            "body",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(crate::text::EXACT)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        );
        let n = b.add_u64_field("n", STORED);
        let index = Index::create_in_ram(b.build());
        crate::text::register(&index);
        let alphabet = ["a", "b", "c"];
        // A fixed linear congruential sequence: the same texts every run,
        // `a` in half the words, `b` in a third, `c` in a sixth.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % m
        };
        let texts: Vec<String> = (0..600)
            .map(|_| {
                let len = 1 + next(9) as usize;
                (0..len)
                    .map(|_| alphabet[[0, 0, 0, 1, 1, 2][next(6) as usize]])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, t) in texts.iter().enumerate() {
            writer
                .add_document(doc!(body => t.as_str(), n => i as u64))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let number = |addr: DocAddress| {
            let d: TantivyDocument = searcher.doc(addr).unwrap();
            d.get_first(n).and_then(|v| v.as_u64()).unwrap() as usize
        };
        // Every document, wherever it is, with its words.
        let mut docs: Vec<(usize, DocAddress, Vec<Word>)> = Vec::new();
        for (seg, reader) in searcher.segment_readers().iter().enumerate() {
            for id in 0..reader.max_doc() {
                let addr = DocAddress::new(seg as u32, id);
                let i = number(addr);
                docs.push((i, addr, Analyzer::default().words(&texts[i])));
            }
        }
        docs.sort_by_key(|d| d.0);
        assert_eq!(docs.len(), texts.len());
        let mut phrases: Vec<Vec<&str>> = alphabet.iter().map(|&a| vec![a]).collect();
        for _ in 1..4 {
            phrases = phrases
                .iter()
                .flat_map(|p| alphabet.iter().map(move |&a| [p.clone(), vec![a]].concat()))
                .chain(phrases.iter().cloned())
                .collect();
        }
        phrases.retain(|p| p.len() >= 2);
        phrases.sort();
        phrases.dedup();
        let (mut checked, mut order_mattered) = (0, 0);
        for p in &phrases {
            let terms: Vec<String> = p.iter().map(|s| s.to_string()).collect();
            for slop in 0..=3 {
                let q = PhraseQuery::new_with_offset_and_slop(
                    terms
                        .iter()
                        .enumerate()
                        .map(|(i, t)| (i, Term::from_field_text(body, t)))
                        .collect(),
                    slop,
                );
                let top = searcher
                    .search(&q, &TopDocs::with_limit(texts.len()).order_by_score())
                    .unwrap();
                let mut by_tantivy: Vec<usize> = top.iter().map(|(_, a)| number(*a)).collect();
                by_tantivy.sort_unstable();
                let holds = |freqs: Freqs<'_>, words: &[Word]| {
                    let found = find(
                        &[Pattern::Phrase {
                            terms: terms.clone(),
                            slop,
                        }],
                        words,
                        freqs,
                    );
                    !found.is_empty()
                };
                let ours: Vec<usize> = docs
                    .iter()
                    .filter(|(_, addr, words)| {
                        let seg = searcher.segment_reader(addr.segment_ord);
                        holds(Freqs::Segment(seg, body), words)
                    })
                    .map(|d| d.0)
                    .collect();
                assert_eq!(ours, by_tantivy, "\"{}\"~{slop}", p.join(" "));
                checked += by_tantivy.len();
                order_mattered += docs
                    .iter()
                    .filter(|(i, _, words)| {
                        holds(Freqs::Phrase, words) != by_tantivy.binary_search(i).is_ok()
                    })
                    .count();
            }
        }
        // The texts hold matches for the phrases, and some that only the
        // merge order decides.
        assert!(checked > 5_000, "{checked}");
        assert!(order_mattered > 0);
    }

    /// A cut that finds `needle` and shows the line holding it.
    fn cut_at(needle: &'static str) -> impl FnMut(&str, &mut Analyzer) -> (Snippet, bool) {
        move |text: &str, _: &mut Analyzer| match text.find(needle) {
            Some(at) => {
                let line = text[at..].lines().next().unwrap_or("").to_string();
                (
                    Snippet {
                        text: line,
                        highlights: Vec::new(),
                    },
                    true,
                )
            }
            None => (
                Snippet {
                    text: String::new(),
                    highlights: Vec::new(),
                },
                false,
            ),
        }
    }

    #[test]
    fn a_long_text_is_cut_from_the_first_stretch_holding_a_match() {
        let mut an = Analyzer::default();
        let filler = "é filler line\n".repeat(2 * SNIPPET_CHUNK / 14);
        let text = format!("{filler}needle here\n{filler}");
        assert!(text.len() > 2 * SNIPPET_CHUNK);
        let s = snippet_within(&text, &mut an, cut_at("needle"));
        assert_eq!(s.text, "needle here");
        // Past the reach, nothing is analyzed: no snippet rather than
        // analyzing megabytes.
        let far = format!("{}needle\n", "x\n".repeat(SNIPPET_REACH));
        let s = snippet_within(&far, &mut an, cut_at("needle"));
        assert_eq!(s.text, "");
    }
}
