//! Shared corpora. The load and fault tests need a corpus bigger than one
//! article, built the same way every time: copies of the real article, each
//! retitled so every copy is an article of its own (its passages get their
//! own IDs) while its text, and so the work of indexing it, stays the same.

use super::{article_text, Env};

/// The article's `text` retitled `Copy {i}`.
fn retitled(text: &str, i: usize) -> String {
    text.replacen("= Iran–Syria relations =", &format!("= Copy {i} ="), 1)
}

impl Env {
    /// A project folder holding the real article and `n` copies of it in
    /// `corpus/copies/c{i}.txt`: big enough for a build to take a while.
    pub fn with_copies(n: usize) -> Env {
        let env = Env::with_article();
        env.write_copies("corpus/copies", n);
        env
    }

    /// Writes `n` copies of the article as `{dir}/c{i}.txt` (relative to
    /// the project folder) and returns their paths, in order.
    pub fn write_copies(&self, dir: &str, n: usize) -> Vec<String> {
        let text = article_text();
        (0..n)
            .map(|i| {
                let rel = format!("{dir}/c{i}.txt");
                self.write(&rel, retitled(&text, i));
                rel
            })
            .collect()
    }
}
