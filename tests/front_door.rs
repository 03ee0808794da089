//! The promises of the command line a newcomer meets first: query words
//! that start with `-`, one meaning of `-n 0`, each subcommand offering only
//! its own options, the total and IDs in the text output, completions and
//! the man page, and what stderr says matching what JSON says.

use crate::util::Env;

/// The location lines of a text result (`1. Article › … ¶N  file:line  ID`).
fn location_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
        })
        .collect()
}

#[test]
fn a_query_word_starting_with_h_is_a_query_not_the_help() {
    let env = Env::with_article();
    // clap used to read `-hezbollah` as `-h` and print the help, exit 0.
    let r = env.run(&["search", "--color", "never", "-hezbollah", "syria"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains("Usage"), "{r:?}");
    let with_dash = r.stdout.clone();
    let r = env.run(&["search", "--color", "never", "--", "-hezbollah", "syria"]);
    assert_eq!(r.stdout, with_dash, "the same as after `--`");
    assert!(
        !with_dash.to_lowercase().contains("[hezbollah"),
        "{with_dash}"
    );
    // Options around the word still count.
    let r = env.run(&["search", "-hezbollah", "syria", "-n", "2"]);
    assert_eq!(location_lines(&r.stdout).len(), 2, "{r:?}");
    let r = env.run(&["search", "-war", "syria", "-n1"]);
    assert_eq!((r.code, location_lines(&r.stdout).len()), (0, 1), "{r:?}");
    // `-h` alone is still the help.
    let r = env.run(&["search", "-h"]);
    assert!(r.stdout.contains("Usage"), "{r:?}");
}

#[test]
fn a_quote_word_starting_with_a_dash_is_cited() {
    let env = Env::with_article();
    let r = env.run(&["cite", "-hezbollah", "group", "--color", "never"]);
    assert!(!r.stdout.contains("Usage"), "{r:?}");
    // Punctuation is not part of a quote's words: `-hezbollah group` is
    // "Hezbollah group".
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("[Hezbollah group]"), "{r:?}");
}

#[test]
fn an_unknown_long_option_is_an_error_that_says_how_to_search_for_it() {
    let env = Env::with_article();
    let r = env.run(&["search", "--hezbollah"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("'--hezbollah'"), "{r:?}");
    assert!(r.stderr.contains("-- --hezbollah"), "{r:?}");
}

#[test]
fn n_zero_shows_nothing_but_the_count_everywhere() {
    let env = Env::with_article();
    let r = env.run(&["search", "-n", "0", "Hezbollah"]);
    assert_eq!(r.code, 0, "matched, though none shown: {r:?}");
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains(" matches, 0 shown"), "{r:?}");
    let r = env.run(&["search", "--json", "-n", "0", "Hezbollah"]);
    let v = r.json();
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    assert!(v["total"].as_u64().unwrap() > 1, "{v}");

    let r = env.run(&["cite", "-n", "0", "Hezbollah"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("more exact matches not shown (-n 0)"),
        "{r:?}"
    );
    // A quote that is not there: exit 1 and no close passages listed.
    let r = env.run(&["cite", "--json", "-n", "0", "Hezbollah rules the moon"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.json()["matches"].as_array().unwrap().len(), 0);

    let id = env.search_json("\"golden counterweight\"")["hits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env.run(&["related", "-n", "0", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains(" shown"), "{r:?}");
}

#[test]
fn each_subcommand_offers_only_its_own_options() {
    let env = Env::with_article();
    for args in [
        &["index", "--no-update"][..],
        &["watch", "--no-update"],
        &["show", "--full", "x"],
        &["cite", "--explain", "x"],
        &["export", "--limit", "3"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stderr.contains("unexpected argument"), "{args:?}: {r:?}");
    }
    for sub in ["index", "watch"] {
        let r = env.run(&[sub, "--help"]);
        assert!(!r.stdout.contains("--no-update"), "{sub}: {r:?}");
    }
    for sub in ["search", "cite", "show", "related", "export"] {
        let r = env.run(&[sub, "--help"]);
        assert!(r.stdout.contains("--no-update"), "{sub}: {r:?}");
    }
}

#[test]
fn text_output_shows_the_total_and_each_hits_id() {
    let env = Env::with_article();
    let v = env.search_json("Hezbollah");
    let total = v["total"].as_u64().unwrap();
    assert!(total > 3, "{v}");
    let r = env.run(&["search", "--color", "never", "-n", "3", "Hezbollah"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("passage: {total} matches, 3 shown")),
        "{r:?}"
    );
    let lines = location_lines(&r.stdout);
    assert_eq!(lines.len(), 3, "{r:?}");
    // Each result's leader; documents listed under one are on `also:` lines.
    let leaders = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["grouped_under"].is_null());
    for (line, hit) in lines.iter().zip(leaders) {
        let id = hit["id"].as_str().unwrap();
        assert!(
            line.ends_with(&format!("  {id}")),
            "{line} should end in {id}"
        );
        // And the ID printed is one `show` resolves.
        let shown = env.run(&["show", id]);
        assert_eq!(shown.code, 0, "{shown:?}");
    }
    // When every match is shown, just the count.
    let r = env.run(&["search", "\"golden counterweight\""]);
    assert!(r.stderr.contains("passage: 1 match\n"), "{r:?}");
    // On a terminal the ID is dim, so it stays out of the way.
    let r = env.run(&["search", "--color", "always", "-n", "1", "Hezbollah"]);
    assert!(r.stdout.contains("\x1b[2m"), "{r:?}");
    // JSON has `total`, so no count on stderr for scripts to skip.
    let r = env.run(&["search", "--json", "Hezbollah"]);
    assert!(!r.stderr.contains("matches"), "{r:?}");
}

#[test]
fn completions_for_every_shell() {
    let env = Env::empty();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef passage"),
        ("fish", "complete -c passage"),
        ("elvish", "edit:completion"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = env.run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {r:?}");
        assert!(r.stdout.contains(marker), "{shell}: {}", r.stdout);
        // The script knows the subcommands and their options.
        assert!(r.stdout.contains("cite"), "{shell}");
        assert!(r.stdout.contains("list-sections"), "{shell}");
    }
    let r = env.run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("possible values"), "{r:?}");
}

#[test]
fn bash_completion_script_is_valid_bash() {
    let env = Env::empty();
    let r = env.run(&["completions", "bash"]);
    env.write("passage.bash", &r.stdout);
    // `bash -n` parses without running: a syntax error fails it.
    let status = std::process::Command::new("bash")
        .args(["-n", "passage.bash"])
        .current_dir(env.path())
        .status()
        .expect("bash runs");
    assert!(status.success());
}

#[test]
fn man_pages_in_roff() {
    let env = Env::empty();
    let r = env.run(&["man"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &r.stdout[..80]
    );
    assert!(r.stdout.contains(".TH passage 1"), "{}", r.stdout);
    // Each subcommand is listed by name in the SUBCOMMANDS section.
    for sub in [
        "index", "search", "cite", "check", "show", "related", "watch", "serve", "export", "init",
        "status",
    ] {
        assert!(
            r.stdout.contains(&format!("\n{sub}(1)\n"))
                || r.stdout.contains(&format!("passage\\-{sub}(1)")),
            "{sub} is not listed: {}",
            r.stdout
        );
    }
    let r = env.run(&["man", "search"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(".TH passage-search 1"), "{}", r.stdout);
    assert!(r.stdout.contains("list\\-sections"), "{}", r.stdout);
    // The query table keeps its columns: no-fill, one row per line.
    let table = r
        .stdout
        .split(".SH EXTRA\n.nf\n")
        .nth(1)
        .expect("the EXTRA section, no-fill");
    assert!(
        table.contains("\n  Khomei*                   a prefix\n"),
        "{table}"
    );
    let r = env.run(&["man", "nosuch"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.starts_with("passage: no manual page for 'nosuch'"),
        "{r:?}"
    );
}

#[test]
fn cite_json_notes_hold_what_stderr_says() {
    let env = Env::with_article();
    let r = env.run(&["cite", "--json", "-n", "1", "Hezbollah"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v = r.json();
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(!notes.is_empty(), "{v}");
    for n in &notes {
        assert!(
            r.stderr.contains(&format!("passage: note: {n}\n")),
            "{n}: {r:?}"
        );
    }
    let r = env.run(&[
        "cite",
        "--json",
        "Iran is not prepared to lose this golden balance",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    let v = r.json();
    assert_eq!(
        v["notes"][0],
        "no exact match; the closest passages are shown"
    );
    assert!(r.stderr.contains("no exact match; the closest"), "{r:?}");
    // One more match, in the singular.
    let r = env.run(&["cite", "-n", "1", "his full weight behind"]);
    assert!(
        r.stderr.contains("1 more exact match not shown (-n 1)"),
        "{r:?}"
    );
}

#[test]
fn messages_escape_what_they_quote() {
    let env = Env::with_article();
    // A path with an escape sequence: shown escaped, not acted on.
    let r = env.run(&[
        "search",
        "--index",
        "ix\x1b[31m",
        "--corpus",
        "no\x1b[2Jcorpus",
        "x",
    ]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(!r.stderr.contains('\x1b'), "{r:?}");
    assert!(r.stderr.contains("\\u{1b}"), "{r:?}");
}

#[test]
fn progress_bar_on_a_terminal_counts_bytes_and_guesses_no_time_at_first() {
    let env = Env::empty();
    let paragraph = "Zebras graze the open plains in herds of many animals. ".repeat(20);
    for i in 0..300 {
        let body: Vec<String> = (0..20).map(|j| format!("{paragraph} {i} {j}.")).collect();
        env.write(
            &format!("corpus/f{i:03}.txt"),
            format!("= F{i} =\n\n{}\n", body.join("\n\n")),
        );
    }
    // `script` runs the build on a pseudo-terminal, where the bar is drawn.
    let bin = env!("CARGO_BIN_EXE_passage");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{bin} index"), "/dev/null"])
        .current_dir(env.path())
        .env("TERM", "xterm")
        .output()
        .expect("script (util-linux) runs");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(screen.contains("rebuilt: 300 articles"), "{screen}");
    // Measured in bytes, with the files beside them.
    assert!(screen.contains("MiB"), "{screen}");
    assert!(screen.contains("/300 files"), "{screen}");
    // The first frame has no basis for a guess yet.
    let first = ["estimating time left", "about ", "finishing"]
        .iter()
        .filter_map(|w| screen.find(w).map(|at| (at, *w)))
        .min()
        .map(|(_, w)| w);
    assert!(
        matches!(first, Some("estimating time left") | Some("finishing")),
        "{first:?} in {screen}"
    );
}
