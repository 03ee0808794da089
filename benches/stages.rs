//! Micro-benchmarks of the stages that run per passage: parsing an
//! article, analyzing its text into words, and cutting a snippet.
//! Whole-command timings against peers live in BENCHMARKS.md (hyperfine).

use criterion::{criterion_group, criterion_main, Criterion};
use passage::article::Article;
use passage::corpus::Kind;
use passage::highlight::{find, snippet, Freqs, Pattern};
use passage::text::Analyzer;
use std::hint::black_box;

const ARTICLE: &str = include_str!("../corpus/iran-syria-relations.txt");

fn parse(c: &mut Criterion) {
    c.bench_function("parse article", |b| {
        b.iter(|| Article::parse(black_box(ARTICLE)).unwrap())
    });
}

fn tokenize(c: &mut Criterion) {
    let mut an = Analyzer::default();
    c.bench_function("analyze article words", |b| {
        b.iter(|| an.words(black_box(ARTICLE)))
    });
}

fn snippets(c: &mut Criterion) {
    let mut an = Analyzer::default();
    let article = Article::parse(ARTICLE).unwrap();
    let longest = article
        .passages
        .iter()
        .map(|p| &ARTICLE[p.bytes.clone()])
        .max_by_key(|t| t.len())
        .unwrap();
    let words = an.words(longest);
    let patterns = vec![
        Pattern::Stem(an.stem("iran")),
        Pattern::Phrase {
            terms: vec!["civil".into(), "war".into()],
            slop: 0,
        },
    ];
    c.bench_function("snippet of the longest passage", |b| {
        b.iter(|| {
            let found = find(black_box(&patterns), &words, Freqs::Phrase);
            snippet(longest, Kind::Paragraph, &found, &[], 240)
        })
    });
}

criterion_group!(benches, parse, tokenize, snippets);
criterion_main!(benches);
