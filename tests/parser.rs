//! The article parser on the real article: headings, lead, list items, and
//! line and byte ranges checked against the file itself.

use passage::article::Article;

use crate::util::article_text;

fn line_of(text: &str, byte: usize) -> usize {
    1 + text[..byte].matches('\n').count()
}

#[test]
fn parser_reads_every_heading_of_the_real_article() {
    let text = article_text();
    let a = Article::parse(&text).unwrap();
    assert_eq!(a.title, "Iran–Syria relations");
    let paths: Vec<(String, u8, usize)> = a
        .sections
        .iter()
        .map(|s| (s.path.join(" / "), s.level, s.line_start))
        .collect();
    let expected = [
        ("", 1, 1),
        ("History and overview", 2, 11),
        ("History and overview / Ancient history", 3, 12),
        ("History and overview / Medieval history", 3, 15),
        ("History and overview / Prior to 1979", 3, 20),
        ("History and overview / 1979–1990s", 3, 29),
        ("History and overview / 2000s–2011", 3, 41),
        ("History and overview / Syrian Civil War (2011–2024)", 3, 50),
        (
            "History and overview / Post-Assad regime (2024–present)",
            3,
            76,
        ),
        ("Cultural relations", 2, 86),
        ("Position on territorial claims involving Iran", 2, 94),
        ("See also", 2, 98),
    ];
    let expected: Vec<(String, u8, usize)> = expected
        .iter()
        .map(|(p, l, n)| (p.to_string(), *l, *n))
        .collect();
    assert_eq!(paths, expected);
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
    // Every heading line of the file is a section.
    let heading_lines = text.lines().filter(|l| l.starts_with("==")).count();
    assert_eq!(a.sections.len(), heading_lines + 1);
}

#[test]
fn parser_finds_the_lead_and_list_items() {
    let text = article_text();
    let a = Article::parse(&text).unwrap();
    let lead: Vec<_> = a.passages.iter().filter(|p| p.section == 0).collect();
    assert_eq!(lead.len(), 4);
    assert!(text[lead[0].bytes.clone()].starts_with("Iranian-Syrian relations refers"));
    assert_eq!(lead[3].paragraph, 4);

    let see_also = a.sections.len() - 1;
    let items: Vec<&str> = a
        .passages
        .iter()
        .filter(|p| p.section == see_also)
        .map(|p| {
            assert!(p.list_item);
            &text[p.bytes.clone()]
        })
        .collect();
    assert_eq!(items.len(), 9);
    assert_eq!(items[0], "Arab–Iran relations");
    assert_eq!(items[8], "Hezbollah–Iran relations");
    // A heading with no text of its own is still a section, spanning its
    // subsections.
    let history = &a.sections[1];
    assert_eq!(history.path, vec!["History and overview".to_string()]);
    assert!(!a.passages.iter().any(|p| p.section == 1));
    assert_eq!(history.line_end, 84);
}

#[test]
fn parser_line_and_byte_ranges_match_the_file() {
    let text = article_text();
    let a = Article::parse(&text).unwrap();
    assert_eq!(a.passages.len(), 49);
    for p in &a.passages {
        let body = &text[p.bytes.clone()];
        assert!(!body.is_empty());
        assert_eq!(
            body.trim(),
            body,
            "untrimmed passage at line {}",
            p.line_start
        );
        assert!(!body.contains("\n\n"));
        assert_eq!(line_of(&text, p.bytes.start), p.line_start);
        assert_eq!(line_of(&text, p.bytes.end), p.line_end);
        let line = text.lines().nth(p.line_start - 1).unwrap();
        assert!(line.ends_with(body) || line.contains(body.lines().next().unwrap()));
    }
    // Paragraph numbers restart in each section and count up from 1.
    for (i, s) in a.sections.iter().enumerate() {
        let nums: Vec<usize> = a
            .passages
            .iter()
            .filter(|p| p.section == i)
            .map(|p| p.paragraph)
            .collect();
        assert_eq!(nums, (1..=nums.len()).collect::<Vec<_>>(), "{:?}", s.path);
    }
    for s in &a.sections {
        let t = &text[s.bytes.clone()];
        assert_eq!(line_of(&text, s.bytes.start), s.line_start);
        assert_eq!(line_of(&text, s.bytes.end), s.line_end);
        assert_eq!(
            &text[s.heading.clone()],
            s.path.last().map_or(a.title.as_str(), |h| h)
        );
        assert!(t.trim_end() == t);
    }
}

#[test]
fn parser_reads_years_including_bce() {
    let text = article_text();
    let a = Article::parse(&text).unwrap();
    let ancient = a
        .passages
        .iter()
        .find(|p| text[p.bytes.clone()].starts_with("In 539 BCE"))
        .unwrap();
    let years = |p: &passage::article::Passage| passage::article::years(&text[p.bytes.clone()]);
    assert_eq!(years(ancient), vec![-539, -333, -332, 609, 628]);
    let tourism = a
        .passages
        .iter()
        .find(|p| text[p.bytes.clone()].starts_with("The largest cultural ties"))
        .unwrap();
    // 333,000 visitors is not a year.
    assert_eq!(years(tourism), vec![2008]);
}
