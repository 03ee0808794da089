//! Finding the quotations of a draft (Markdown or plain text), for
//! `passage check`: pure text in, [`Quotation`]s out, no index.
//!
//! A quotation is the text between double quotation marks: straight `"…"`,
//! curly `“…”`, `„…“` (or `„…”`), `«…»` and `»…«`, with quotes nested inside it
//! (they are part of it), or a Markdown block quote (consecutive `>` lines,
//! joined with spaces). Single quotes are never delimiters: `don't`,
//! `Ba’athist` and `'scare'` quotes are words. A quotation may run over a
//! line break but never over a paragraph break (a blank line, a heading, a
//! list item, a block quote): an unbalanced mark ends with its paragraph
//! instead of swallowing the rest of the draft, and the quotations nested
//! inside an unclosed one still count.
//!
//! Markdown inside a quotation is not part of its words: emphasis
//! (`*`, `_`, `~~`), code backticks, links and images (their text is kept,
//! their address dropped), footnote marks (`[^1]`) and numeric citation
//! marks (`[12]`). Editorial brackets (`[then president]`, `[T]he`) and
//! ellipses are left for [`crate::quote`], which knows what they mean.

use std::ops::Range;

/// One quotation of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quotation {
    /// 1-based line of its first character (after the opening mark).
    pub line: usize,
    /// 1-based column, in characters, of its first character.
    pub column: usize,
    /// Byte range in the draft, from its first character to its last
    /// (the marks excluded).
    pub bytes: Range<usize>,
    /// The quoted words, Markdown removed and line breaks made spaces.
    pub text: String,
    /// Whether it is a block quote (`>` lines) rather than inline marks.
    pub block: bool,
}

/// Every quotation of `draft`, in draft order.
pub fn quotations(draft: &str) -> Vec<Quotation> {
    let lines = split_lines(draft);
    let mut out = Vec::new();
    let mut para: Vec<Range<usize>> = Vec::new();
    let mut block: Vec<Range<usize>> = Vec::new();
    let mut in_fence: Option<&str> = None;
    let flush_para = |para: &mut Vec<Range<usize>>, out: &mut Vec<Quotation>| {
        if !para.is_empty() {
            inline_quotes(draft, para, out);
            para.clear();
        }
    };
    let flush_block = |block: &mut Vec<Range<usize>>, out: &mut Vec<Quotation>| {
        if !block.is_empty() {
            block_quote(draft, block, out);
            block.clear();
        }
    };
    // YAML front matter (`---` … `---` at the top) is metadata, not prose.
    let mut lines = lines.into_iter().peekable();
    if lines
        .peek()
        .is_some_and(|l| draft[l.clone()].trim_end() == "---")
    {
        let mut rest = lines.clone().skip(1);
        if rest.any(|l| matches!(draft[l].trim_end(), "---" | "...")) {
            lines.next();
            for l in lines.by_ref() {
                if matches!(draft[l].trim_end(), "---" | "...") {
                    break;
                }
            }
        }
    }
    for line in lines {
        let text = &draft[line.clone()];
        let trimmed = text.trim_start();
        // Code is not prose: nothing in a fenced block is a quotation.
        if let Some(fence) = in_fence {
            if trimmed.starts_with(fence) {
                in_fence = None;
            }
            continue;
        }
        if let Some(fence) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            flush_para(&mut para, &mut out);
            flush_block(&mut block, &mut out);
            in_fence = Some(fence);
            continue;
        }
        if let Some(inner) = block_content(draft, &line) {
            flush_para(&mut para, &mut out);
            // `>` alone is a paragraph break inside the block quote.
            if draft[inner.clone()].trim().is_empty() {
                flush_block(&mut block, &mut out);
            } else {
                block.push(inner);
            }
            continue;
        }
        flush_block(&mut block, &mut out);
        if trimmed.is_empty() {
            flush_para(&mut para, &mut out);
            continue;
        }
        // A heading or a list item starts a paragraph of its own.
        if starts_block(trimmed) {
            flush_para(&mut para, &mut out);
        }
        para.push(line);
    }
    flush_para(&mut para, &mut out);
    flush_block(&mut block, &mut out);
    out.sort_by_key(|q| q.bytes.start);
    out
}

/// Lines as byte ranges, without their line break (`\n` or `\r\n`).
fn split_lines(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '\n' {
            let end = if s[..i].ends_with('\r') { i - 1 } else { i };
            out.push(start..end);
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push(start..s.len());
    }
    out
}

/// Whether a line (left-trimmed) starts a block of its own: an ATX heading
/// or a list item.
fn starts_block(t: &str) -> bool {
    if t.starts_with('#') {
        return true;
    }
    let mut chars = t.chars();
    match chars.next() {
        Some('-' | '*' | '+') => chars.next().is_some_and(char::is_whitespace),
        Some(c) if c.is_ascii_digit() => {
            let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
            // At most three digits: a wrapped line may well start with a
            // year ("1979. The shah…"), which is not a list item.
            (rest.starts_with(". ") || rest.starts_with(") ")) && t.len() - rest.len() <= 3
        }
        _ => false,
    }
}

/// The content of a block-quote line (after every `>` and the space after
/// it), or `None` when the line is not one.
fn block_content(draft: &str, line: &Range<usize>) -> Option<Range<usize>> {
    let text = &draft[line.clone()];
    let indent = text.len() - text.trim_start_matches(' ').len();
    if indent > 3 || !text[indent..].starts_with('>') {
        return None;
    }
    let mut at = indent;
    while text[at..].starts_with('>') {
        at += 1;
        if text[at..].starts_with(' ') {
            at += 1;
        }
        let spaces = text[at..].len() - text[at..].trim_start_matches(' ').len();
        if text[at + spaces..].starts_with('>') {
            at += spaces;
        }
    }
    Some(line.start + at..line.end)
}

/// A block quote's lines as one quotation; a last line that only
/// attributes it (`— Velayati`, `-- Velayati`) is not part of it.
fn block_quote(draft: &str, lines: &[Range<usize>], out: &mut Vec<Quotation>) {
    let mut lines = lines.to_vec();
    if lines.len() > 1 {
        let last = draft[lines[lines.len() - 1].clone()].trim_start();
        if last.starts_with('—') || last.starts_with("– ") || last.starts_with("-- ") {
            lines.pop();
        }
    }
    let mut raw = String::new();
    for l in &lines {
        if !raw.is_empty() {
            raw.push(' ');
        }
        raw.push_str(draft[l.clone()].trim());
    }
    // A block quote that is itself one inline quotation: the marks go.
    let inner = strip_enclosing_marks(&raw);
    // The marks' lengths, when they went: the quotation starts after one.
    let (open, close) = if inner.len() < raw.len() {
        let open = raw.chars().next().map_or(0, char::len_utf8);
        (open, raw.len() - inner.len() - open)
    } else {
        (0, 0)
    };
    let text = clean(inner);
    if !text.chars().any(char::is_alphanumeric) {
        return;
    }
    let first = lines[0].start
        + (draft[lines[0].clone()].len() - draft[lines[0].clone()].trim_start().len())
        + open;
    let last = lines.last().expect("non-empty").clone();
    let end = last.start + draft[last].trim_end().len() - close;
    let (line, column) = line_column(draft, first);
    out.push(Quotation {
        line,
        column,
        bytes: first..end,
        text,
        block: true,
    });
}

/// `"text"` (or any other pair of marks around the whole) without them.
fn strip_enclosing_marks(s: &str) -> &str {
    let mut chars = s.chars();
    let (Some(first), Some(last)) = (chars.next(), chars.next_back()) else {
        return s;
    };
    match opener(first) {
        Some(o) if closes(o, last) && s.len() > first.len_utf8() + last.len_utf8() => {
            let inner = &s[first.len_utf8()..s.len() - last.len_utf8()];
            // Only when the marks pair with each other, not `"a" and "b"`.
            if inner.chars().any(|c| closes(o, c)) {
                s
            } else {
                inner
            }
        }
        _ => s,
    }
}

/// The kinds of opening marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// `"`
    Straight,
    /// `“`, closed by `”`
    Curly,
    /// `„`, closed by `“` or `”`
    Low,
    /// `«`, closed by `»`
    Guillemet,
    /// `»`, closed by `«` (German and Danish print them this way round)
    Reversed,
}

fn opener(c: char) -> Option<Mark> {
    match c {
        '"' => Some(Mark::Straight),
        '“' => Some(Mark::Curly),
        '„' => Some(Mark::Low),
        '«' => Some(Mark::Guillemet),
        _ => None,
    }
}

fn closes(open: Mark, c: char) -> bool {
    match open {
        Mark::Straight => c == '"',
        Mark::Curly => c == '”',
        Mark::Low => c == '“' || c == '”',
        Mark::Guillemet => c == '»',
        Mark::Reversed => c == '«',
    }
}

fn is_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '«' | '»')
}

/// An open quotation while scanning a paragraph.
struct Open {
    mark: Mark,
    /// Byte just after the opening mark.
    start: usize,
    /// Quotations closed inside it, kept in case it never closes.
    inner: Vec<Range<usize>>,
}

/// The inline quotations of one paragraph (its lines as byte ranges).
fn inline_quotes(draft: &str, lines: &[Range<usize>], out: &mut Vec<Quotation>) {
    let span = lines[0].start..lines[lines.len() - 1].end;
    let text = &draft[span.clone()];
    let mut stack: Vec<Open> = Vec::new();
    let mut found: Vec<Range<usize>> = Vec::new();
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    let mut in_code = false;
    // Marks that quote nothing a writer wrote: an HTML attribute's value
    // (`<abbr title="…">`), a link's or an image's title (`](url "…")`),
    // a reference definition's (`[1]: url "…"`).
    let mut in_tag = false;
    let mut in_link = 0usize;
    let mut in_definition = false;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, c)| c);
        let at = span.start + i;
        if prev.is_none_or(|p| p == '\n') {
            in_definition = is_definition(&text[i..]);
        }
        if c == '`' {
            in_code = !in_code;
        }
        if !in_code {
            match c {
                '<' if next.is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!') => {
                    in_tag = true
                }
                '>' => in_tag = false,
                '(' if prev == Some(']') || in_link > 0 => in_link += 1,
                ')' if in_link > 0 => in_link -= 1,
                _ => {}
            }
        }
        if in_code || in_tag || in_link > 0 || in_definition || !is_mark(c) {
            prev = Some(c);
            continue;
        }
        // Before the mark: start, space or opening punctuation means it
        // opens; after it: end, space or closing punctuation means it
        // closes. A straight mark is both, so context decides.
        let space_before = prev.is_none_or(|p| p.is_whitespace() || "([{—–-/".contains(p));
        let space_after = next.is_none_or(|n| {
            n.is_whitespace() || ".,;:!?)]}—–-…".contains(n) || is_mark(n) || n == '['
        });
        let top = stack.last().map(|o| o.mark);
        let close = match top {
            None => false,
            Some(Mark::Low) if c == '“' => !space_before || space_after,
            Some(m) if closes(m, c) => true,
            // Marks mixed by a paste (`"…”`, `“…"`): a closing-looking mark
            // closes whatever is open.
            Some(Mark::Straight) => c == '”' || c == '»',
            Some(_) => c == '"' && !space_before && space_after,
        };
        // `"` plainly opening (a space before, a word after) while a `"` is
        // open: the open one was never closed (`the "first and then "a
        // real quote"`), so it is dropped for this one.
        if close && c == '"' && top == Some(Mark::Straight) && space_before && !space_after {
            let open = stack.pop().expect("top is some");
            match stack.last_mut() {
                Some(outer) => outer.inner.extend(open.inner),
                None => found.extend(open.inner),
            }
            stack.push(Open {
                mark: Mark::Straight,
                start: at + c.len_utf8(),
                inner: Vec::new(),
            });
        } else if close {
            let open = stack.pop().expect("top is some");
            let range = open.start..at;
            match stack.last_mut() {
                Some(outer) => outer.inner.push(range),
                None => found.push(range),
            }
        } else if c == '»' && space_before && !space_after {
            // `»` closing nothing, before a word: `»Zitat«`.
            stack.push(Open {
                mark: Mark::Reversed,
                start: at + c.len_utf8(),
                inner: Vec::new(),
            });
        } else if let Some(mark) = opener(c) {
            // A straight mark right after a word with a space after it
            // (`5" tall`) opens nothing.
            if c != '"' || space_before || !space_after {
                stack.push(Open {
                    mark,
                    start: at + c.len_utf8(),
                    inner: Vec::new(),
                });
            }
        }
        prev = Some(c);
    }
    // Unclosed marks end with the paragraph; what closed inside them stands.
    for open in stack {
        found.extend(open.inner);
    }
    for range in found {
        let raw = &draft[range.clone()];
        let text = clean(raw);
        if !text.chars().any(char::is_alphanumeric) {
            continue;
        }
        // From the first character that is not space.
        let lead = raw.len() - raw.trim_start().len();
        let start = range.start + lead;
        let end = range.start + raw.trim_end().len();
        let (line, column) = line_column(draft, start);
        out.push(Quotation {
            line,
            column,
            bytes: start..end,
            text,
            block: false,
        });
    }
}

/// Whether a line is a Markdown reference definition: `[label]: url "title"`.
fn is_definition(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('[')
        && t.find("]:").is_some_and(|end| {
            let label = &t[1..end];
            !label.is_empty() && !label.contains(['[', ']', '\n'])
        })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(s: &str, at: usize) -> (usize, usize) {
    let before = &s[..at];
    let line = 1 + before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, 1 + before[start..].chars().count())
}

/// The words of a quotation without Markdown: links and images keep their
/// text, footnote and citation marks go, emphasis and code marks go, line
/// breaks and runs of spaces become one space.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let b = raw.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        let c = rest.chars().next().expect("i < len");
        match c {
            '\\' if rest.len() > 1 && rest.as_bytes()[1].is_ascii_punctuation() => {
                out.push(rest.as_bytes()[1] as char);
                i += 2;
                continue;
            }
            '!' if rest.starts_with("![") => {
                i += 1;
                continue;
            }
            '[' => {
                if let Some(close) = matching_bracket(rest) {
                    let inner = &rest[1..close];
                    let after = &rest[close + 1..];
                    // [^1], [12], [citation needed]: marks, not words.
                    if inner.starts_with('^')
                        || (!inner.is_empty()
                            && inner
                                .chars()
                                .all(|c| c.is_ascii_digit() || ",–- ".contains(c)))
                        // Pandoc citations: [@smith2020, p. 4].
                        || inner.starts_with('@')
                        || inner.eq_ignore_ascii_case("citation needed")
                    {
                        i += close + 1;
                        continue;
                    }
                    // [text](url) and [text][ref]: the text alone.
                    if after.starts_with('(') {
                        if let Some(end) = after.find(')') {
                            out.push_str(&clean(inner));
                            i += close + 1 + end + 1;
                            continue;
                        }
                    }
                    if after.starts_with('[') {
                        if let Some(end) = after.find(']') {
                            if !after[1..end].contains(' ') || end == 1 {
                                out.push_str(&clean(inner));
                                i += close + 1 + end + 1;
                                continue;
                            }
                        }
                    }
                }
                out.push('[');
                i += 1;
                continue;
            }
            '*' | '`' => {
                i += 1;
                continue;
            }
            '~' if rest.starts_with("~~") => {
                i += 2;
                continue;
            }
            '_' => {
                // Emphasis, not the underscore inside snake_case.
                let before = raw[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
                let after = b
                    .get(i + 1)
                    .is_some_and(|&n| (n as char).is_alphanumeric() || n >= 0x80);
                if !(before && after) {
                    i += 1;
                    continue;
                }
            }
            '<' => {
                // An inline HTML tag (<sup>, </em>, <br/>).
                if let Some(end) = rest.find('>') {
                    let tag = &rest[1..end];
                    let name = tag.trim_start_matches('/');
                    if !name.is_empty()
                        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                        && !tag.contains('<')
                        && end < 80
                    {
                        // A superscript is a footnote mark: its content goes too.
                        if tag.eq_ignore_ascii_case("sup") {
                            if let Some(close) = rest.to_ascii_lowercase().find("</sup>") {
                                i += close + "</sup>".len();
                                continue;
                            }
                        }
                        i += end + 1;
                        continue;
                    }
                }
            }
            _ => {}
        }
        // Superscript digits are footnote marks (`ring¹`).
        if matches!(c, '⁰' | '¹' | '²' | '³' | '⁴'..='⁹') {
            i += c.len_utf8();
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out.trim_end().to_string()
}

/// The byte index of the `]` that closes the `[` at the start of `s`
/// (brackets nest), within the same line of text.
fn matching_bracket(s: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(draft: &str) -> Vec<String> {
        quotations(draft).into_iter().map(|q| q.text).collect()
    }

    #[test]
    fn straight_and_curly_quotes() {
        assert_eq!(
            texts("He said \"one two three\" and “four five six”."),
            ["one two three", "four five six"]
        );
    }

    #[test]
    fn low_and_guillemet_quotes() {
        assert_eq!(
            texts("Er sagte „eins zwei drei“ und «quatre cinq six» puis „sept huit”."),
            ["eins zwei drei", "quatre cinq six", "sept huit"]
        );
        assert_eq!(
            texts("Er schrieb »neun zehn elf« und « douze treize »."),
            ["neun zehn elf", "douze treize"]
        );
    }

    #[test]
    fn nested_quotes_are_part_of_the_outer_one() {
        assert_eq!(
            texts("Khomeini called it “the ‘golden ring’ of the \"resistance\" chain”."),
            ["the ‘golden ring’ of the \"resistance\" chain"]
        );
        assert_eq!(texts("« il a dit “non” hier »"), ["il a dit “non” hier"]);
    }

    #[test]
    fn apostrophes_and_single_quotes_are_not_marks() {
        assert_eq!(
            texts("Don't say 'it's fine' — the shah’s “own words”."),
            ["own words"]
        );
        assert!(texts("It isn't ‘quoted’ at all.").is_empty());
    }

    #[test]
    fn a_quote_wraps_over_a_line_break() {
        let q = quotations("First line \"runs over\nthe break\" here.");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].text, "runs over the break");
        assert_eq!((q[0].line, q[0].column), (1, 13));
    }

    #[test]
    fn an_unbalanced_mark_stops_at_the_paragraph_break() {
        let draft = "He said \"this never closes.\n\nLater, \"a real quote\" stands.";
        let q = quotations(draft);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].text, "a real quote");
        assert_eq!((q[0].line, q[0].column), (3, 9));
        // A heading or list item is a break too.
        assert_eq!(texts("- one \"two\n- \"three four\""), ["three four"]);
        // Quotes closed inside an unclosed one still count.
        assert_eq!(texts("“never “closed inner” words"), ["closed inner"]);
    }

    #[test]
    fn block_quotes_join_their_lines() {
        let draft = "Intro.\n\n> Iran is not prepared\n> to lose *this* golden counterweight.\n> — Velayati\n\nAfter.";
        let q = quotations(draft);
        assert_eq!(q.len(), 1);
        assert!(q[0].block);
        assert_eq!(
            q[0].text,
            "Iran is not prepared to lose this golden counterweight."
        );
        assert_eq!((q[0].line, q[0].column), (3, 3));
        // A `>` line alone splits it; nested `> >` is stripped.
        assert_eq!(
            texts("> one two three\n>\n> > four five six\n"),
            ["one two three", "four five six"]
        );
        // A block quote in quotation marks loses them.
        let draft = "> “one two three”\n";
        let q = quotations(draft);
        assert_eq!(q[0].text, "one two three");
        assert_eq!((q[0].line, q[0].column), (1, 4));
        assert_eq!(&draft[q[0].bytes.clone()], "one two three");
    }

    #[test]
    fn markdown_inside_a_quote_is_not_words() {
        assert_eq!(
            texts("\"the **golden** [ring](https://x.org/a_b) of _the_ resistance[^2] chain[3]\""),
            ["the golden ring of the resistance chain"]
        );
        assert_eq!(
            texts("\"snake_case `code` ~~gone~~ word\""),
            ["snake_case code gone word"]
        );
        assert_eq!(
            texts("\"golden ring¹ of [1, 2] the [@smith2020, p. 4] chain\""),
            ["golden ring of the chain"]
        );
        assert_eq!(
            texts("\"an ![image](i.png) here<sup>4</sup>\""),
            ["an image here"]
        );
    }

    #[test]
    fn editorial_brackets_and_ellipses_stay() {
        assert_eq!(
            texts("\"Hafiz al-Assad [then president] voiced … dissidents\" and \"[T]he embassy\""),
            [
                "Hafiz al-Assad [then president] voiced … dissidents",
                "[T]he embassy"
            ]
        );
    }

    #[test]
    fn punctuation_inside_and_marks_after() {
        let draft = "As he said, \"like this,\" and then \"that one.\"[4] Done.";
        assert_eq!(texts(draft), ["like this,", "that one."]);
        // A footnote mark right after the closing quote.
        assert_eq!(texts("Then “golden ring”[^1] was said."), ["golden ring"]);
    }

    #[test]
    fn inches_and_empty_quotes_are_not_quotations() {
        assert_eq!(texts("A 5\" screen and \"a b c\"."), ["a b c"]);
        assert!(texts("Empty \"\" and “ ” here.").is_empty());
    }

    #[test]
    fn code_is_not_prose() {
        assert_eq!(
            texts("```\nlet s = \"in code\";\n```\nText `\"code span\"` and \"real one\"."),
            ["real one"]
        );
    }

    #[test]
    fn positions_count_characters_and_lines() {
        let draft = "Ünïcödé “ab cd”\r\nnext \"ef gh\"";
        let q = quotations(draft);
        assert_eq!((q[0].line, q[0].column), (1, 10));
        assert_eq!((q[1].line, q[1].column), (2, 7));
        assert_eq!(&draft[q[1].bytes.clone()], "ef gh");
    }

    #[test]
    fn quotations_come_in_draft_order() {
        let draft = "> block one two\n\n\"inline three four\" and\n\n> block five six";
        let q = quotations(draft);
        let starts: Vec<usize> = q.iter().map(|q| q.line).collect();
        assert_eq!(starts, [1, 3, 5]);
    }

    #[test]
    fn an_unclosed_straight_quote_gives_way_to_a_new_one() {
        assert_eq!(
            texts("The \"first is never closed and then \"a real quote\" ends."),
            ["a real quote"]
        );
        // Closed ones are untouched.
        assert_eq!(
            texts("\"a b\" and \"c d\" and \" e f \""),
            ["a b", "c d", "e f"]
        );
    }

    #[test]
    fn front_matter_and_years_at_line_starts() {
        assert_eq!(
            texts("---\ntitle: \"My own title here\"\n---\nHe said \"one two\n1979. three four\" then."),
            ["one two 1979. three four"]
        );
        // A lone `---` (a rule) is not front matter.
        assert_eq!(texts("---\n\"a b c\"\n"), ["a b c"]);
    }

    #[test]
    fn clean_keeps_plain_text() {
        assert_eq!(clean("  a   b\n c "), "a b c");
        assert_eq!(clean("a \\* b"), "a * b");
    }
}
