//! Ready-made citations of a passage, in a few styles.
//!
//! - **plain** (default): `"Iran–Syria relations", § History and overview ›
//!   Syrian Civil War (2011–2024), ¶1, line 52`
//! - **markdown**: a link to the section's anchor on Wikipedia, e.g.
//!   `["Iran–Syria relations", § Syrian Civil War (2011–2024), ¶1](https://en.wikipedia.org/wiki/Iran%E2%80%93Syria_relations#Syrian_Civil_War_%282011%E2%80%932024%29)`
//! - **mla**: MLA 9 for a Wikipedia article, e.g. `"Iran–Syria Relations."
//!   Wikipedia, Wikimedia Foundation, en.wikipedia.org/wiki/Iran–Syria_relations#…,
//!   section "Syrian Civil War (2011–2024)", para. 1. Accessed 26 Nov. 2026.`

use std::time::{SystemTime, UNIX_EPOCH};

use crate::corpus::Document;

/// A citation style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// Title, section path, paragraph and line.
    #[default]
    Plain,
    /// A Markdown link to the section on Wikipedia.
    Markdown,
    /// MLA-like reference to the Wikipedia article.
    Mla,
}

/// Formats the citation of a passage whose quoted text starts on `line`.
pub fn cite(style: Style, d: &Document, line: usize) -> String {
    match style {
        Style::Plain => plain(d, line),
        Style::Markdown => markdown(d),
        Style::Mla => mla(d, &today()),
    }
}

fn plain(d: &Document, line: usize) -> String {
    let mut s = format!("\"{}\"", d.article);
    if !d.section.is_empty() {
        s.push_str(", § ");
        s.push_str(&d.section.join(" › "));
    }
    if let Some(p) = d.paragraph {
        s.push_str(&format!(", ¶{p}"));
    }
    s.push_str(&format!(", line {line}"));
    s
}

fn markdown(d: &Document) -> String {
    let mut label = format!("\"{}\"", d.article);
    if let Some(h) = d.section.last() {
        label.push_str(&format!(", § {h}"));
    }
    if let Some(p) = d.paragraph {
        label.push_str(&format!(", ¶{p}"));
    }
    let label = label.replace('[', "\\[").replace(']', "\\]");
    format!("[{label}]({})", url(d, true))
}

fn mla(d: &Document, accessed: &str) -> String {
    let mut s = format!(
        "\"{}.\" Wikipedia, Wikimedia Foundation, {}",
        title_case(&d.article),
        url(d, false).trim_start_matches("https://")
    );
    if let Some(h) = d.section.last() {
        s.push_str(&format!(", section \"{h}\""));
    }
    if let Some(p) = d.paragraph {
        s.push_str(&format!(", para. {p}"));
    }
    s.push_str(&format!(". Accessed {accessed}."));
    s
}

/// The article's address on English Wikipedia, with the section anchor.
/// `escape` percent-encodes everything but unreserved ASCII, as a Markdown
/// link target needs (parentheses would end it).
fn url(d: &Document, escape: bool) -> String {
    let page = d.article.replace(' ', "_");
    let mut u = format!("https://en.wikipedia.org/wiki/{}", enc(&page, escape));
    if let Some(h) = d.section.last() {
        u.push('#');
        u.push_str(&enc(&h.replace(' ', "_"), escape));
    }
    u
}

fn enc(s: &str, escape: bool) -> String {
    if !escape {
        return s.to_string();
    }
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b',' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// MLA capitalizes the principal words of a title.
fn title_case(title: &str) -> String {
    const MINOR: [&str; 12] = [
        "a", "an", "the", "and", "but", "or", "of", "in", "on", "to", "for", "at",
    ];
    let mut out = String::new();
    for (i, word) in title.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // A minor word stays lower case, unless it opens a parenthesis
        // ("Garbage Collection (Computer Science)").
        if i > 0 && MINOR.contains(&word) {
            out.push_str(word);
            continue;
        }
        // Capitalize each part of a dashed compound (Iran–Syria Relations).
        let mut cap = true;
        for c in word.chars() {
            if cap {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            // After a dash of a compound (Iran–Syria Relations), and past
            // opening punctuation to the first letter ("(Computer").
            cap = matches!(c, '-' | '–' | '—') || (cap && !c.is_alphanumeric());
        }
    }
    out
}

/// Today's date as MLA writes it (`26 Nov. 2026`), in UTC.
fn today() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    let (y, m, d) = civil_from_days(days);
    const MONTHS: [&str; 12] = [
        "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
        "Dec.",
    ];
    format!("{d} {} {y}", MONTHS[(m - 1) as usize])
}

/// Days since 1970-01-01 to a (year, month, day) date (H. Hinnant's
/// algorithm), to avoid a date crate for one line of output.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Kind;

    fn doc() -> Document {
        Document {
            id: "p1".into(),
            kind: Kind::Paragraph,
            article: "Iran–Syria relations".into(),
            section: vec![
                "History and overview".into(),
                "Syrian Civil War (2011–2024)".into(),
            ],
            level: 3,
            paragraph: Some(1),
            file: "corpus/iran-syria-relations.txt".into(),
            line_start: 52,
            line_end: 52,
            column: 1,
            byte_start: 0,
            byte_end: 0,
            years: vec![],
            text: String::new(),
            heading: String::new(),
        }
    }

    #[test]
    fn plain_style() {
        assert_eq!(
            cite(Style::Plain, &doc(), 52),
            "\"Iran–Syria relations\", § History and overview › Syrian Civil War (2011–2024), ¶1, line 52"
        );
    }

    #[test]
    fn markdown_style_links_the_section_anchor() {
        assert_eq!(
            cite(Style::Markdown, &doc(), 52),
            "[\"Iran–Syria relations\", § Syrian Civil War (2011–2024), ¶1](https://en.wikipedia.org/wiki/Iran%E2%80%93Syria_relations#Syrian_Civil_War_%282011%E2%80%932024%29)"
        );
    }

    #[test]
    fn mla_style() {
        assert_eq!(
            mla(&doc(), "26 Nov. 2026"),
            "\"Iran–Syria Relations.\" Wikipedia, Wikimedia Foundation, en.wikipedia.org/wiki/Iran–Syria_relations#Syrian_Civil_War_(2011–2024), section \"Syrian Civil War (2011–2024)\", para. 1. Accessed 26 Nov. 2026."
        );
    }

    #[test]
    fn mla_title_case_inside_parentheses() {
        assert_eq!(
            title_case("Garbage collection (computer science)"),
            "Garbage Collection (Computer Science)"
        );
        assert_eq!(title_case("Mercury (planet)"), "Mercury (Planet)");
        assert_eq!(title_case("War of the roses"), "War of the Roses");
        assert_eq!(title_case("\"Weird Al\" Yankovic"), "\"Weird Al\" Yankovic");
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_418), (2025, 11, 26));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
