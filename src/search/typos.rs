//! Derivations of a typed word: close spellings (typos), completions of an
//! unfinished word, other spellings (British and American) and related
//! forms (demonyms), and the did-you-mean suggestions (the index is asked
//! through [`super::lexicon::Lexicon`]).
//!
//! Spelling rules only propose: a variant is used when the index holds it
//! (the planner asks), so a rule that makes a non-word costs nothing.

/// A word the index does not know, and the indexed words closest to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The word as typed.
    pub word: String,
    /// Closest indexed words (folded), best first.
    pub did_you_mean: Vec<String>,
    /// The word searched for instead, when the typed one is in no passage
    /// and a close one is (the first of `did_you_mean`).
    pub searched_for: Option<String>,
}

/// How a variant relates to the word typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// The same word spelled otherwise (colour, color).
    Spelling,
    /// A related form (Brazilian, Brazil).
    Derived,
}

/// Spelling pairs inside a word, both ways: British and American
/// (`-our`/`-or`, `-ise`/`-ize`, `-yse`/`-yze`, `-ogue`/`-og`, `ae`/`e`,
/// `oe`/`e`, `-ence`/`-ense`).
const INFIXES: &[(&str, &str)] = &[
    ("our", "or"),
    ("ise", "ize"),
    ("isi", "izi"),
    ("isa", "iza"),
    ("yse", "yze"),
    ("ysi", "yzi"),
    ("ogue", "og"),
    ("ae", "e"),
    ("oe", "e"),
    ("ence", "ense"),
];

/// Word endings, both ways: `-re`/`-er` (centre, center), doubled `l`
/// before a suffix (travelled, traveled).
const ENDINGS: &[(&str, &str)] = &[
    ("tre", "ter"),
    ("tres", "ters"),
    ("bre", "ber"),
    ("bres", "bers"),
    ("llor", "lor"),
    ("lled", "led"),
    ("lling", "ling"),
    ("ller", "ler"),
    ("llers", "lers"),
    ("mme", "m"),
    ("mmes", "ms"),
];

/// Demonym and place endings, from the demonym to the place and back
/// (Brazilian/Brazil, Canadian/Canada, Italian/Italy, Chinese/China,
/// Polish/Poland, Finnish/Finland, Israeli/Israel, Mexican/Mexico, Korean/Korea).
const DEMONYMS: &[(&str, &str)] = &[
    ("ian", ""),
    ("ian", "a"),
    ("ian", "ia"),
    ("ian", "y"),
    ("ian", "e"),
    ("an", ""),
    ("an", "a"),
    ("an", "o"),
    ("ean", "e"),
    ("ese", ""),
    ("ese", "a"),
    ("ish", "land"),
    ("ish", "and"),
    ("ish", "ey"),
    ("ish", "en"),
    ("i", ""),
];

/// Other spellings and related forms of a folded word, to be checked
/// against the index.
pub(crate) fn variants(exact: &str) -> Vec<(String, Variant)> {
    let mut out: Vec<(String, Variant)> = Vec::new();
    let mut push = |w: String, kind: Variant| {
        if w != exact && w.chars().count() >= 3 && !out.iter().any(|(x, _)| *x == w) {
            out.push((w, kind));
        }
    };
    if !exact.is_ascii() || exact.len() < 4 {
        return out;
    }
    for (a, b) in INFIXES {
        for (from, to) in [(a, b), (b, a)] {
            // Each place the pair stands, one at a time.
            for (i, _) in exact.match_indices(from) {
                let mut w = String::with_capacity(exact.len() + 2);
                w.push_str(&exact[..i]);
                w.push_str(to);
                w.push_str(&exact[i + from.len()..]);
                push(w, Variant::Spelling);
            }
        }
    }
    for (a, b) in ENDINGS {
        for (from, to) in [(a, b), (b, a)] {
            if let Some(stem) = exact.strip_suffix(from) {
                if stem.len() >= 2 {
                    push(format!("{stem}{to}"), Variant::Spelling);
                }
            }
        }
    }
    for (demonym, place) in DEMONYMS {
        // Demonym to place.
        if let Some(stem) = exact.strip_suffix(demonym) {
            if stem.len() >= 3 {
                push(format!("{stem}{place}"), Variant::Derived);
                // Finnish -> Finland: a doubled consonant undone.
                let b = stem.as_bytes();
                if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] {
                    push(
                        format!("{}{place}", &stem[..stem.len() - 1]),
                        Variant::Derived,
                    );
                }
            }
        }
        // Place to demonym.
        let base = if place.is_empty() {
            Some(exact)
        } else {
            exact.strip_suffix(place)
        };
        if let Some(stem) = base {
            if stem.len() >= 3 {
                push(format!("{stem}{demonym}"), Variant::Derived);
            }
        }
    }
    out
}

/// Whether two words are one word spelled two ways (`formalization`,
/// `formalisation`; `centre`, `center`), case aside.
pub(crate) fn is_spelling_variant(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    a != b
        && variants(&a)
            .iter()
            .any(|(v, kind)| *kind == Variant::Spelling && *v == b)
}

/// Optimal string alignment distance (Levenshtein plus adjacent swaps), on
/// characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * w + j] = if i == 0 {
                j
            } else if j == 0 {
                i
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                v
            };
        }
    }
    d[a.len() * w + b.len()]
}

/// Close spellings, closest first, then commonest; never a number.
pub(crate) fn closest(found: Vec<(String, u64)>, typed: &str) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = found
        .into_iter()
        .filter(|(k, _)| k != typed && !k.bytes().any(|b| b.is_ascii_digit()))
        .collect();
    out.sort_by_key(|(k, df)| (edit_distance(typed, k), std::cmp::Reverse(*df), k.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(word: &str, variant: &str) -> bool {
        variants(word).iter().any(|(w, _)| w == variant)
    }

    #[test]
    fn british_and_american_spellings_both_ways() {
        for (a, b) in [
            ("colour", "color"),
            ("organise", "organize"),
            ("organisation", "organization"),
            ("analyse", "analyze"),
            ("centre", "center"),
            ("theatres", "theaters"),
            ("catalogue", "catalog"),
            ("travelled", "traveled"),
            ("modelling", "modeling"),
            ("anaemia", "anemia"),
            ("defence", "defense"),
            ("programme", "program"),
        ] {
            assert!(has(a, b), "{a} -> {b}: {:?}", variants(a));
            assert!(has(b, a), "{b} -> {a}: {:?}", variants(b));
        }
    }

    #[test]
    fn demonyms_and_places_both_ways() {
        for (a, b) in [
            ("brazilian", "brazil"),
            ("egyptian", "egypt"),
            ("canadian", "canada"),
            ("italian", "italy"),
            ("indian", "india"),
            ("chinese", "china"),
            ("japanese", "japan"),
            ("mexican", "mexico"),
            ("korean", "korea"),
            ("polish", "poland"),
            ("finnish", "finland"),
            ("turkish", "turkey"),
            ("israeli", "israel"),
        ] {
            assert!(has(a, b), "{a} -> {b}: {:?}", variants(a));
        }
        for (a, b) in [
            ("egypt", "egyptian"),
            ("brazil", "brazilian"),
            ("india", "indian"),
        ] {
            assert!(has(a, b), "{a} -> {b}: {:?}", variants(a));
        }
    }

    #[test]
    fn short_and_non_ascii_words_have_no_variants() {
        assert!(variants("our").is_empty());
        assert!(variants("köln").is_empty());
    }

    #[test]
    fn closest_orders_by_distance_then_frequency() {
        let found = vec![
            ("mort".to_string(), 50),
            ("mozart".to_string(), 300),
            ("mozarts".to_string(), 900),
            ("m0zrt".to_string(), 900),
        ];
        let c = closest(found, "mozrt");
        assert_eq!(c[0].0, "mozart");
        assert!(c.iter().all(|(k, _)| k != "m0zrt"));
    }
}
