//! Every bound `passage` puts on its input, its work and its memory, in one
//! place, each with the reason it is what it is. A limit is a promise to
//! the reader too: anything within these bounds finishes in bounded time
//! and memory, anything beyond gets a one-line error that names the limit.

// ---- Input: what is accepted at all ----

/// Largest corpus file read, in bytes (64 MiB). The longest Wikipedia
/// articles are about 1 MB of text; a bigger file is almost surely not an
/// article (a log, a dump) and is refused before being read. Indexing
/// streams a file's passages, so memory does not grow with it, but its
/// bytes are still held once.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Longest query accepted, in bytes; a longer one is a mistake (a pasted
/// file), not a search.
pub const MAX_QUERY_BYTES: usize = 10_000;

/// Most words, phrases and filters in a query: each costs index lookups
/// (a typo-tolerant word, several), and a pasted page is not a search.
pub const MAX_QUERY_TERMS: usize = 1_000;

/// Most work a sloppy phrase may ask for: its slop times the gaps
/// between its words. tantivy's sloppy phrase matching grows steeply with
/// both when the words repeat (25 times `the` with `~100` took 15.8 s and
/// 4.8 GB on the 18 KB article; on a fifth of the bench corpus, 8 words
/// with `~50` took 2.4 s and `~20` 0.27 s). Within this bound the worst
/// seen on the whole bench corpus was 0.45 s (9 times `the`, `~16`). A
/// reader's `"iran syria"~5` or `"a b c d e"~10` is far below it.
pub const MAX_SLOP_WORK: u32 = 100;

/// Longest quote accepted, in bytes (a whole article pasted by mistake
/// should get a message, not minutes of alignment).
pub const MAX_QUOTE_BYTES: usize = 100_000;

/// Largest draft accepted, in bytes: a hundred times the longest quote. A
/// book-length draft is still far below it; a file of tens of megabytes is
/// not a draft.
pub const MAX_DRAFT_BYTES: usize = 100 * MAX_QUOTE_BYTES;

/// Words longer than this many bytes are dropped: they are never typed in a
/// query and only bloat the term dictionary.
pub const MAX_WORD_BYTES: usize = 80;

/// Longest heading marker accepted; deeper ones are clamped (a run of
/// hundreds of `=` is not a reason to allocate a deep path).
pub const MAX_LEVEL: usize = 6;

/// Longest `--debounce-ms` accepted: a minute; longer is not a debounce.
pub const MAX_DEBOUNCE_MS: u64 = 60_000;

// ---- Work: what one command may cost ----

/// Most hits a search or `related` shows (`-n` is capped here, with a
/// note): each costs its passage read back from the corpus and a snippet,
/// and `a* -n 1000000 --json` took 16.8 s and 437 MB on the bench corpus
/// where `-n 10000` takes 0.6 s and 47 MB. The count of all matches is
/// still given; `export` lists every document.
pub const MAX_HITS: usize = 10_000;

/// Most words of a query looked up for typos and suggestions: each lookup
/// walks the term dictionaries with a Levenshtein automaton (a query of
/// 1,000 unknown words took 9.7 s on the bench corpus). Search engines
/// bound this the same way (Meilisearch reads the first 10 words).
pub const MAX_TYPO_WORDS: usize = 20;

/// Most corrections tried per word: past three, a correction is a guess.
pub const MAX_CORRECTIONS: usize = 3;

/// Most ranked documents whose case is checked with `search -s`: the
/// index holds no case, so each is read back from its file.
pub const MAX_CASE_CHECKED: usize = 1_000;

/// Most paragraphs shown around a result (`-C`, `-A`, `-B`): more is the
/// article itself (`show` prints a passage whole).
pub const MAX_CONTEXT: usize = 20;

/// Most synonyms a query word is expanded to: WordNet's first ones the
/// index holds (commonest senses first); later ones are mostly rare senses.
pub const MAX_EXPANSIONS: usize = 4;

/// Most completions of an unfinished last word: the commonest ones, so a
/// prefix means the words a reader is likely typing.
pub const MAX_COMPLETIONS: usize = 8;

/// Most content words of a query whose known words get close spellings
/// tried when no passage holds them all: each is another search.
pub const MAX_SECOND_TRY_WORDS: usize = 4;

/// Most words a phrase filter's last word expands to as a prefix
/// (`section:"civil wa*"`): headings are few, so far more than the 50 a
/// phrase prefix takes by default, while a hostile one-letter prefix stays
/// bounded.
pub const MAX_FILTER_EXPANSIONS: u32 = 10_000;

/// Most exact matches `cite` lists, whatever the limit asked for
/// (`exact_total` still counts them all): each costs a context cut from its
/// passage.
pub const MAX_LISTED: usize = 1_000;

/// Most exact places `check` lists for one quotation (`exact_total` still
/// counts them all; the text shows [`MAX_PLACES`]): a draft quoting a
/// common phrase 600 times printed 300 MB of places in JSON.
pub const MAX_CHECK_LISTED: usize = 20;

/// Most ellipses in one quote: each splits it into a segment looked for
/// on its own, and a quote of thousands (`the … the … …`) is no citation
/// a writer makes, while each costs a walk of the passages.
pub const MAX_QUOTE_ELLIPSES: usize = 100;

/// Edits of the same passage `show` follows: a chain longer than this is
/// a loop in a damaged history, not a history.
pub const MAX_HOPS: usize = 50;

// ---- Memory: what indexing holds at once ----

/// Most documents in one chunk of a block: a section of millions of tiny
/// paragraphs is cut here, so what a writer holds is bounded by the chunk,
/// not by the file (3,000,000 tiny paragraphs index in 230 MB).
pub const CHUNK_DOCS: usize = 5_000;

/// Most documents waiting in the writer's queue: tantivy's own channel
/// holds 10,000 batches, however big; this bounds the documents instead.
pub const MAX_WAITING_DOCS: usize = 20_000;

/// Most warnings kept for one file: a file of millions of odd lines is
/// hostile input, and its warnings are not worth more memory than its text.
pub const MAX_WARNINGS: usize = 100;

/// Most tombstones kept (the oldest are dropped first): each is an answer
/// to `show` of an ID that no longer stands; ten thousand edits back is
/// history enough, and the list is read by every update.
pub const MAX_TOMBSTONES: u64 = 10_000;

// ---- Index shape ----

/// Most segments a generation keeps before a merge: each is a term
/// dictionary more to walk for every word a search looks up.
pub const MAX_SEGMENTS: usize = 10;

// ---- Display: what a reader's screen holds ----

/// Most documents listed under one result in text (`--json` lists all).
pub const MAX_LISTED_UNDER: usize = 3;

/// Most places listed under an exact quotation in text (`--json` lists
/// them all).
pub const MAX_PLACES: usize = 5;

/// Longest quotation shown in full on its status line, in characters.
pub const MAX_QUOTE_SHOWN: usize = 100;
