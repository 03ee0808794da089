//! Builds the thesaurus table searched at run time from WordNet's synonym
//! lists (the `thesaurus-wordnet` crate's data): one line per single-word
//! headword, sorted, so a search finds a word by binary search in the
//! embedded text, with nothing to parse when the program starts (parsing the
//! crate's map took 0.3 s, a search's time several times over).

use std::collections::{BTreeMap, HashSet};
use std::{env, fs, path::Path};

/// Synonyms kept per headword, in WordNet's order (commonest sense first):
/// the later ones are rarer senses, noise for a search.
const KEEP: usize = 8;

fn plain(word: &str) -> bool {
    word.len() >= 2 && word.bytes().all(|b| b.is_ascii_lowercase())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let data = thesaurus_wordnet::uncompress();
    let mut lists: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut heads: HashSet<&str> = HashSet::new();
    for line in data.lines() {
        let mut parts = line.split('|');
        let Some(head) = parts.next() else { continue };
        heads.insert(head);
        if plain(head) {
            lists.entry(head).or_default().extend(parts);
        }
    }
    let mut out = String::new();
    for (head, syns) in lists {
        let mut kept: Vec<&str> = Vec::new();
        // A synonym that is no headword is a multi-word phrase, or one the
        // crate's data cut short ("plexippu"): neither is a word to search.
        for s in syns {
            if s != head && plain(s) && heads.contains(s) && !kept.contains(&s) {
                kept.push(s);
            }
        }
        kept.truncate(KEEP);
        if !kept.is_empty() {
            out.push_str(head);
            out.push('\t');
            out.push_str(&kept.join(" "));
            out.push('\n');
        }
    }
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("thesaurus.txt");
    fs::write(dest, out).expect("the build's output folder is writable");
}
