//! The habits people bring: ripgrep's flags, clap's errors said like every
//! other error, counts that say how many passages hold every word, and
//! `-n` counting results in every output.

use crate::util::Env;

/// Two articles: "war" in three paragraphs, "War" capitalised in one, and
/// "gin" and "tonic" never in one paragraph.
fn corpus() -> Env {
    let env = Env::empty();
    env.write(
        "corpus/a.txt",
        "= Alpha =\n\nThe War began in spring.\n\nAnother paragraph about war and peace.\n\nA third paragraph, on gin.\n",
    );
    env.write(
        "corpus/b.txt",
        "= Beta =\n\nwar and peace in lower case.\n\nA paragraph on tonic.\n",
    );
    env
}

#[test]
fn clap_errors_are_one_line_with_their_suggestion() {
    let env = corpus();
    for (args, says) in [
        (
            &["serch", "war"][..],
            "passage: unrecognized subcommand 'serch' (some similar subcommands exist: 'serve', 'search')\n",
        ),
        (
            &["search", "-n", "abc", "war"][..],
            "passage: invalid value 'abc' for '--limit <N>': invalid digit found in string\n",
        ),
        (
            &["search", "--corpus", "a", "--corpus", "b", "war"][..],
            "passage: the argument '--corpus <DIR>' cannot be used multiple times\n",
        ),
    ] {
        let r = env.run(args);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (2, "", says)
        );
    }
    let r = env.run(&["search"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(
        r.stderr
            .starts_with("passage: the following required arguments were not provided: <QUERY>"),
        "{r:?}"
    );
    // Help is still clap's, on stdout, exit 0.
    let r = env.run(&["search", "--help"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("--files-with-matches"), "{r:?}");
}

#[test]
fn a_flag_is_a_flag_or_refused_never_a_word_to_exclude() {
    let env = corpus();
    let plain = env.run(&["search", "war"]);
    assert_eq!(plain.code, 0, "{plain:?}");
    // -i and -w are what a search does anyway.
    assert_eq!(env.run(&["search", "-i", "war"]).stdout, plain.stdout);
    assert_eq!(env.run(&["search", "-iw", "war"]).stdout, plain.stdout);
    // An unknown one is refused, saying how to exclude the word.
    let r = env.run(&["search", "-x", "war"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            2,
            "",
            "passage: -x is not an option of search; to exclude the word 'x', put it after --: passage search -- … -x\n"
        )
    );
    // After --, it is the word excluded.
    let r = env.run(&["search", "--", "war", "-x"]);
    assert_eq!(r.stdout, plain.stdout);
}

#[test]
fn files_counts_case_context_sort_and_format_mean_what_they_do_in_ripgrep() {
    let env = corpus();
    // -l: each file once.
    let r = env.run(&["search", "-l", "--sort", "path", "war"]);
    assert_eq!(r.stdout, "corpus/a.txt\ncorpus/b.txt\n", "{r:?}");
    // -c: per file, the paragraphs holding every word, in path order.
    let r = env.run(&["search", "-c", "war"]);
    assert_eq!(r.stdout, "corpus/a.txt:2\ncorpus/b.txt:1\n", "{r:?}");
    let r = env.run(&["search", "-c", "war", "peace"]);
    assert_eq!(r.stdout, "corpus/a.txt:1\ncorpus/b.txt:1\n", "{r:?}");
    let r = env.run(&["search", "-c", "zebra"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{r:?}");
    // -s: the case typed, at the start of a word.
    let r = env.run(&["search", "-s", "--format", "{file}:{line}", "War"]);
    assert_eq!(r.stdout, "corpus/a.txt:3\n", "{r:?}");
    let r = env.run(&[
        "search",
        "-s",
        "--format",
        "{file}:{line}",
        "--sort",
        "path",
        "war",
    ]);
    assert_eq!(r.stdout, "corpus/a.txt:5\ncorpus/b.txt:3\n", "{r:?}");
    // -A / -B / -C: the paragraphs around, as ripgrep's `line-` lines.
    let r = env.run(&["search", "--color", "never", "-C", "1", "about"]);
    assert_eq!(
        r.stdout,
        "1. Alpha ¶2  corpus/a.txt:5  ".to_string()
            + &id_of(&env, "about")
            + "\n   3- The War began in spring.\n   Another paragraph [about] war and peace.\n   7- A third paragraph, on gin.\n",
        "{r:?}"
    );
    let r = env.run(&["search", "--json", "-A", "1", "about"]);
    let v = r.json();
    assert_eq!(v["hits"][0]["after"][0]["line_start"], 7, "{v}");
    assert!(v["hits"][0].get("before").is_none(), "{v}");
    // --format: one line per result, every field known.
    let r = env.run(&["search", "--format", "{file}:{line}: {citation}", "about"]);
    assert_eq!(r.stdout, "corpus/a.txt:5: \"Alpha\", ¶2, line 5\n", "{r:?}");
    let r = env.run(&["search", "--format", "{nope}", "war"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("no field {nope}"), "{r:?}");
}

fn id_of(env: &Env, query: &str) -> String {
    env.search(query).hits[0].id.clone()
}

#[test]
fn counts_say_how_many_passages_hold_every_word() {
    let env = corpus();
    let v = env.search("war peace");
    // The two paragraphs saying both; the leads' sections hold both words
    // too, but their own headings none, so they count as holding some.
    assert_eq!((v.total, v.total_every_word), (5, 2), "{v:?}");
    let r = env.run(&["search", "-n", "0", "war", "peace"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.stderr,
        "passage: 2 passages hold every word (5 hold some), 0 shown\n"
    );
    let r = env.run(&["search", "-n", "0", "gin", "tonic"]);
    assert_eq!(
        r.stderr,
        "passage: no passage holds every word (4 hold some), 0 shown; not found together: gin, tonic\n"
    );
    // Every word held everywhere: the count as it was.
    let v = env.search("war");
    assert_eq!(v.total, v.total_every_word, "{v:?}");
    let r = env.run(&["search", "-n", "0", "war"]);
    assert_eq!(r.stderr, format!("passage: {} matches, 0 shown\n", v.total));
}

#[test]
fn n_counts_results_in_json_and_text_lists_them_all_with_flat() {
    let env = Env::empty();
    env.write(
        "corpus/c.txt",
        "= Cranberry =\n\nA plant.\n\n== Harvest ==\n\nThe harvest of cranberry is wet.\n\nEach cranberry harvest floods the bog.\n\nA harvest needs cranberry growers.\n",
    );
    let v = env.search("cranberry harvest");
    let r = env.run(&["search", "--json", "-n", "1", "cranberry harvest"]);
    let one = r.json();
    assert_eq!(one["hits"].as_array().unwrap().len(), 1, "{one}");
    assert!(
        !one["hits"][0]["also"].as_array().unwrap().is_empty(),
        "{one}"
    );
    assert!(v.hits.iter().all(|h| h.grouped_under.is_none()), "{v:?}");
    // --flat: every document its own result, each with its text.
    let r = env.run(&["search", "--flat", "--color", "never", "cranberry harvest"]);
    let results = r
        .stdout
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .count();
    assert_eq!(results, v.documents().len(), "{r:?}");
    assert!(!r.stdout.contains("also:"), "{r:?}");
}

#[test]
fn a_search_without_a_corpus_leaves_no_index_folder_behind() {
    let env = Env::empty();
    env.write("elsewhere/notes.md", "nothing here\n");
    let dir = env.path().join("elsewhere");
    let out = env
        .command(&["search", "war"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let r = crate::util::Run::from(out);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            2,
            "",
            "passage: corpus: corpus not found (pass --corpus DIR, a folder of *.txt articles)\n"
        )
    );
    assert!(
        !dir.join("index").exists(),
        "an empty index folder was left"
    );
}

#[test]
fn the_index_is_found_like_git_finds_dot_git() {
    let env = Env::empty();
    env.write(
        "proj/corpus/a.txt",
        "= Alpha =\n\nThe War began in spring.\n",
    );
    env.write("proj/corpus/deep/b.txt", "= Beta =\n\nwar and peace.\n");
    let proj = env.path().join("proj");
    let run_in = |dir: &std::path::Path, args: &[&str], vars: &[(&str, &str)]| {
        let mut c = env.command(args);
        c.current_dir(dir);
        for (k, v) in vars {
            c.env(k, v);
        }
        crate::util::Run::from(c.output().unwrap())
    };
    let r = run_in(&proj, &["init"], &[]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            0,
            "passage: wrote ./passage.toml (corpus: corpus, index: index)\n"
        )
    );
    assert_eq!(run_in(&proj, &["init"], &[]).code, 2, "not twice");
    // From a folder below, with no flags: the project's corpus and index.
    let deep = proj.join("corpus/deep");
    let r = run_in(&deep, &["status"], &[]);
    let file = proj.join("passage.toml").display().to_string();
    assert_eq!(
        r.stdout,
        format!(
            "corpus: {c}  (from {file})\nindex:  {i}  (from {file})\nfiles:  2 articles; index no index yet (the first search builds it)\n",
            c = proj.join("corpus").display(),
            i = proj.join("index").display()
        ),
        "{r:?}"
    );
    let r = run_in(&deep, &["search", "--format", "{article}", "peace"], &[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "Beta\n"), "{r:?}");
    assert!(proj.join("index").is_dir(), "the project's index was built");
    assert!(!deep.join("index").exists(), "no second index where it ran");
    let r = run_in(&deep, &["status", "--json"], &[]);
    assert_eq!(r.json()["current"], true, "{r:?}");
    // The environment overrides the file, a flag both.
    let other = env.path().join("other-index");
    let other = other.display().to_string();
    let r = run_in(&deep, &["status", "--json"], &[("PASSAGE_INDEX", &other)]);
    let v = r.json();
    assert_eq!(
        (v["index"]["path"].as_str(), v["index"]["from"].as_str()),
        (Some(other.as_str()), Some("$PASSAGE_INDEX"))
    );
    let r = run_in(
        &deep,
        &["status", "--json", "--index", "flagged"],
        &[("PASSAGE_INDEX", &other)],
    );
    assert_eq!(r.json()["index"]["from"], "a flag", "{r:?}");
    // The file's defaults: -n and colour.
    env.write(
        "proj/passage.toml",
        "corpus = \"corpus\"\nindex = \"index\"\nlimit = 1\ncolor = \"always\"\n",
    );
    let r = run_in(&deep, &["search", "war"], &[]);
    assert!(r.stdout.contains("\x1b["), "colour from the file: {r:?}");
    assert_eq!(r.stdout.matches("\n\n").count(), 0, "one result: {r:?}");
    // A bad file is one line naming it and its line.
    env.write(
        "proj/passage.toml",
        "corpus = \"corpus\"\ncolour = \"never\"\n",
    );
    let r = run_in(&deep, &["search", "war"], &[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .starts_with(&format!("passage: {file}:2: unknown field `colour`")),
        "{r:?}"
    );
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
}

#[test]
fn a_highlight_can_be_told_from_the_articles_own_brackets_and_the_marks_chosen() {
    let env = Env::empty();
    env.write(
        "corpus/a.txt",
        "= Treaty =\n\nThe pact was a golden counterweight [to Israel] in the region, a\\[b].\n",
    );
    let r = env.run(&["search", "counterweight"]);
    assert_eq!(r.code, 0, "{r:?}");
    // The match in marks; the article's own brackets (and a backslash
    // before one) escaped, so the text reads back as itself.
    assert!(
        r.stdout
            .contains(r"golden [counterweight] \[to Israel\] in the region, a\\\[b\]."),
        "{r:?}"
    );
    let r = env.run(&["search", "--marks", "<<,>>", "counterweight"]);
    assert!(
        r.stdout
            .contains(r"golden <<counterweight>> [to Israel] in the region, a\[b]."),
        "{r:?}"
    );
    // JSON is unmarked: the snippet as the article has it.
    let v = env.run(&["search", "--json", "counterweight"]).json();
    assert!(
        v["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains(r"counterweight [to Israel] in the region, a\[b]."),
        "{v}"
    );
    let r = env.run(&["search", "--marks", "<<", "counterweight"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("expected OPEN,CLOSE"), "{r:?}");
}

#[test]
fn symbols_are_words_found_as_typed() {
    let env = Env::empty();
    env.write(
        "corpus/languages.txt",
        "= Languages =\n\nANSI C was standardised in 1989.\n\n\
         C# runs on the .NET runtime.\n\n\
         C++ adds classes to C.\n\n\
         AT&T built Unix; the U.S. Navy bought it.\n\n\
         A net of at least two tees.\n",
    );
    let first = |q: &str| -> String {
        let r = env.run(&["search", "-n", "1", "--", q]);
        assert_eq!(r.code, 0, "{q}: {r:?}");
        r.stdout
            .lines()
            .nth(1)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    assert_eq!(first("C#"), "[C#] runs on the .NET runtime.");
    assert_eq!(first(".NET"), "C# runs on the [.NET] runtime.");
    assert_eq!(first("C++"), "[C++] adds classes to C.");
    assert_eq!(first("AT&T"), "[AT&T] built Unix; the U.S. Navy bought it.");
    // The abbreviation's last period is part of the highlight.
    assert_eq!(
        first("US Navy"),
        "AT&T built Unix; the [U.S.] [Navy] bought it."
    );
    // C is still C, and not C# or C++.
    let r = env.run(&["search", "--json", "-n", "10", "--", "C"]);
    let v = r.json();
    let snippets: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["snippet"].as_str().unwrap())
        .collect();
    assert_eq!(snippets.len(), 2, "{v}");
    assert!(snippets.iter().all(|s| !s.starts_with("C#")), "{v}");
    // A word that only shares letters with a symbol word is not it.
    let r = env.run(&["search", "--json", "--", "net"]);
    assert_eq!(r.json()["hits"].as_array().unwrap().len(), 1, "{r:?}");
}

#[test]
fn every_command_says_its_notices_before_its_answer() {
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    // stdout and stderr in one stream, as a terminal shows them.
    // Separate pipes lose the interleaving: run through a shell.
    let merged = |args: &[&str]| -> String {
        let line = std::iter::once(env!("CARGO_BIN_EXE_passage"))
            .chain(args.iter().copied())
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{line} 2>&1"))
            .current_dir(env.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cite = merged(&[
        "cite",
        "--color",
        "never",
        "Iran is not prepared to lose this golden balance",
    ]);
    let note = cite.find("passage: note: no exact match").expect(&cite);
    let answer = cite.find("1. approximate").expect(&cite);
    assert!(note < answer, "{cite}");
    // A word the index does not know: said before the results, in JSON
    // mode too (stderr is for people, stdout for the script).
    for json in [false, true] {
        let mut args = vec!["search", "-n", "1", "Khomeni"];
        if json {
            args.push("--json");
        }
        let out = merged(&args);
        let said = out.find("'Khomeni' is not in the index").expect(&out);
        let answer = out.find(if json { "{" } else { "1. " }).expect(&out);
        assert!(said < answer, "{out}");
    }
}
