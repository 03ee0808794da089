//! README.md is a test: every example in it runs here and its output is
//! compared, so the README cannot go stale (issue 11).
//!
//! - A fence opened with ` ```console ` (at any indent, e.g. inside a list
//!   item) is an example; other fences (` ```sh `, ` ```text `) are
//!   instructions or formats and are not run.
//! - Each line starting `$ ` is a command; the lines after it, up to the
//!   next `$ ` or the end of the fence, are what it prints.
//! - A fence runs in a fresh temporary project folder holding `corpus/` with
//!   the repository's article, with the built binary on `PATH` as `passage`
//!   (`cargo run --release -q --` is read as `passage`), `NO_COLOR` unset and
//!   `TERM=xterm`; unless the fence is ` ```console fresh `, `passage index`
//!   has already run there (as after the quick start). Its commands go one
//!   at a time to ONE `sh` (on its stdin, so no command may read stdin),
//!   so they share the folder, shell variables, `$?` and background jobs:
//!   an example can show `echo $?`, or run `passage watch &` and `kill $!`
//!   later.
//! - A command's output is what it printed until it ended; when that is the
//!   start of what the README shows, the harness waits (up to 20 s) for a
//!   background job to print the rest, so `passage watch &` followed by a
//!   `sed -i` shows the watcher's report under the `sed`, without timing
//!   luck. Anything printed later goes to the next command.
//! - Output is stdout and stderr merged into one stream (`2>&1`), in the
//!   order they were written: what a person sees on a terminal. `passage`
//!   writes stderr unbuffered and flushes stdout before its trailing remarks,
//!   so the order is stable.
//! - Volatile parts are normalized on both sides before comparing: durations
//!   (`0.05s`, `"seconds":0.038`), clock times (`15:45:47`) and MLA access
//!   dates (`Accessed 26 Nov. 2026`). Everything else must match exactly.
//! - A fence gets 60 s, then it fails; its process group is killed at its end.
//!
//! `PASSAGE_BLESS=1 cargo test --test tests readme` rewrites the expected
//! outputs in README.md from what was run (leaving an output alone when it
//! differs only in volatile parts), for after an intended output change.
//!
//! Figures that another test computes (the relevance scores, too slow to
//! run as a README command) sit in a ` ```text NAME ` fence; that test calls
//! [`check_figures`] (blessed the same way, with its own test name).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::util::{article_text, repo, ARTICLE};

/// How long one fence may run before it is killed and fails.
const FENCE_TIMEOUT: Duration = Duration::from_secs(60);

/// Fences run at once: they mostly wait on the file system (index commits),
/// so a few in parallel keep the whole test short even on two cores.
const PARALLEL: usize = 4;

/// How long a command's output may take to complete after the command
/// ended, when what it printed is the start of what is shown (the rest
/// comes from a background job). Only a matching prefix waits, so a stale
/// example fails at once.
const SETTLE: Duration = Duration::from_secs(20);

/// A pause after a background job printed what was expected, before the
/// next command (see [`Shell::step`]).
const SETTLE_GRACE: Duration = Duration::from_secs(1);

/// One `$ ` line and the output shown under it.
#[derive(Debug, Clone)]
struct Step {
    /// 1-based line of the `$ ` line in the Markdown file.
    line: usize,
    command: String,
    /// The expected output, indentation removed.
    expected: Vec<String>,
    /// 0-based index of the first expected line in the file's lines.
    first: usize,
}

/// One runnable fence.
#[derive(Debug, Clone)]
struct Example {
    /// 1-based line of the opening fence.
    line: usize,
    /// The fence's indentation, re-applied when blessing.
    indent: String,
    /// ` ```console fresh `: the folder has no index yet.
    fresh: bool,
    steps: Vec<Step>,
}

/// The runnable examples of a Markdown text.
fn parse(markdown: &str) -> Vec<Example> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut examples = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            i += 1;
            continue;
        };
        let indent = lines[i][..lines[i].len() - trimmed.len()].to_string();
        let mut info = info.split_whitespace();
        let runnable = info.next() == Some("console");
        let fresh = info.any(|word| word == "fresh");
        let open = i;
        i += 1;
        let mut steps: Vec<Step> = Vec::new();
        while i < lines.len() && lines[i].trim() != "```" {
            let text = lines[i].strip_prefix(indent.as_str()).unwrap_or(lines[i]);
            if runnable {
                if let Some(command) = text.strip_prefix("$ ") {
                    steps.push(Step {
                        line: i + 1,
                        command: command.to_string(),
                        expected: Vec::new(),
                        first: i + 1,
                    });
                } else if let Some(step) = steps.last_mut() {
                    step.expected.push(text.to_string());
                } else {
                    panic!(
                        "README.md:{}: a console fence must start with a `$ ` command",
                        i + 1
                    );
                }
            }
            i += 1;
        }
        if runnable {
            assert!(
                !steps.is_empty(),
                "README.md:{}: empty console fence",
                open + 1
            );
            examples.push(Example {
                line: open + 1,
                indent,
                fresh,
                steps,
            });
        }
        i += 1;
    }
    examples
}

/// The command as the harness runs it: the quick start's `cargo run` is the
/// built binary, which is already on `PATH` as `passage`.
fn rewrite(command: &str) -> String {
    for prefix in ["cargo run --release -q -- ", "cargo run -q -- "] {
        if let Some(rest) = command.strip_prefix(prefix) {
            return format!("passage {rest}");
        }
    }
    command.to_string()
}

/// A line with its volatile parts replaced by placeholders.
fn normalize(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    // Boundaries are checked on the byte before a candidate, so that a
    // `file:52:410` location or `v1.2s` is never taken for a time.
    let boundary = |i: usize| i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.');
    while i < b.len() {
        if let Some(end) =
            clock_time(b, i).filter(|_| i == 0 || !matches!(b[i - 1], b'0'..=b'9' | b':'))
        {
            out.push_str("[TIME]");
            i = end;
        } else if let Some(end) = duration(b, i).filter(|_| boundary(i)) {
            out.push_str("[DURATION]s");
            i = end;
        } else if line[i..].starts_with("\"seconds\":") {
            let start = i + "\"seconds\":".len();
            let end = start + number_len(&b[start..]);
            out.push_str("\"seconds\":[DURATION]");
            i = end;
        } else if let Some(end) = access_date(line, i) {
            out.push_str("Accessed [DATE]");
            i = end;
        } else {
            // Copy one whole character (the line is UTF-8).
            let ch = line[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

fn digits(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

fn number_len(b: &[u8]) -> usize {
    b.iter()
        .take_while(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+'))
        .count()
}

/// `H:MM:SS` or `HH:MM:SS` at `i`, not followed by more digits or colons.
fn clock_time(b: &[u8], i: usize) -> Option<usize> {
    let h = digits(b, i);
    if !(1..=2).contains(&h) {
        return None;
    }
    let mut j = i + h;
    for _ in 0..2 {
        if b.get(j) != Some(&b':') || digits(b, j + 1) != 2 {
            return None;
        }
        j += 3;
    }
    match b.get(j) {
        Some(c) if c.is_ascii_digit() || *c == b':' => None,
        _ => Some(j),
    }
}

/// `0.05s` at `i` (digits, a dot, digits, `s`, then no letter or digit).
fn duration(b: &[u8], i: usize) -> Option<usize> {
    let whole = digits(b, i);
    if whole == 0 || b.get(i + whole) != Some(&b'.') {
        return None;
    }
    let frac = digits(b, i + whole + 1);
    let s = i + whole + 1 + frac;
    if frac == 0 || b.get(s) != Some(&b's') {
        return None;
    }
    match b.get(s + 1) {
        Some(c) if c.is_ascii_alphanumeric() => None,
        _ => Some(s + 1),
    }
}

/// `Accessed 26 Nov. 2026` (an MLA access date: day, month as MLA
/// abbreviates it, year) at `i`; returns where the year ends.
fn access_date(line: &str, i: usize) -> Option<usize> {
    let rest = line[i..].strip_prefix("Accessed ")?;
    let mut parts = rest.splitn(3, ' ');
    let (day, month, tail) = (parts.next()?, parts.next()?, parts.next()?);
    let month_ok = month.trim_end_matches('.').len() >= 3
        && month
            .trim_end_matches('.')
            .chars()
            .all(|c| c.is_ascii_alphabetic());
    let year = tail.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&day.len())
        || !day.bytes().all(|c| c.is_ascii_digit())
        || !month_ok
        || year != 4
    {
        return None;
    }
    Some(i + "Accessed ".len() + day.len() + 1 + month.len() + 1 + year)
}

/// Whether the output matches the expected lines, volatile parts aside.
fn same(expected: &[String], actual: &[String]) -> bool {
    expected.len() == actual.len()
        && expected
            .iter()
            .zip(actual)
            .all(|(e, a)| normalize(e) == normalize(a))
}

/// One line of an alignment of expected and actual output.
enum Edit {
    /// An expected line equal to the next actual one, volatile parts aside.
    Both(usize),
    Expected(usize),
    Actual(usize),
}

/// Aligns the normalized lines along a longest common subsequence.
fn align(expected: &[String], actual: &[String]) -> Vec<Edit> {
    let (e, a): (Vec<String>, Vec<String>) = (
        expected.iter().map(|l| normalize(l)).collect(),
        actual.iter().map(|l| normalize(l)).collect(),
    );
    let (n, m) = (e.len(), a.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if e[i] == a[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut edits = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && e[i] == a[j] {
            edits.push(Edit::Both(i));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            edits.push(Edit::Expected(i));
            i += 1;
        } else {
            edits.push(Edit::Actual(j));
            j += 1;
        }
    }
    edits
}

/// A line diff (`-` README, `+` actual, ` ` both), the README's lines
/// numbered from `first_line`.
fn diff(expected: &[String], actual: &[String], first_line: usize) -> String {
    let mut out = String::new();
    for edit in align(expected, actual) {
        let _ = match edit {
            Edit::Both(i) => writeln!(out, "  {:>4}   {}", first_line + i, expected[i]),
            Edit::Expected(i) => writeln!(out, "  {:>4} - {}", first_line + i, expected[i]),
            Edit::Actual(j) => writeln!(out, "       + {}", actual[j]),
        };
    }
    out
}

/// The output to write back: the actual lines, except that a README line
/// equal to its actual line up to volatile parts is kept as it is, so a
/// bless does not churn every time and date.
fn blessed(expected: &[String], actual: &[String]) -> Vec<String> {
    align(expected, actual)
        .into_iter()
        .filter_map(|edit| match edit {
            Edit::Both(i) => Some(expected[i].clone()),
            Edit::Expected(_) => None,
            Edit::Actual(j) => Some(actual[j].clone()),
        })
        .collect()
}

/// Printed after each command, to tell where its output ends.
fn marker(k: usize) -> String {
    format!("@@passage-readme-done-{k}@@")
}

/// What the shell is sent for one command: the command, then a marker line
/// that keeps the command's `$?` for the next one (`echo $?`).
fn shell_step(k: usize, command: &str) -> String {
    format!(
        "{}\n__rc=$?; printf '\\n%s\\n' '{}'; (exit $__rc)\n",
        rewrite(command),
        marker(k)
    )
}

/// Whether `actual` could still become `expected`: fewer lines, each equal
/// so far (volatile parts aside).
fn is_prefix(actual: &[String], expected: &[String]) -> bool {
    actual.len() < expected.len() && same(&expected[..actual.len()], actual)
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

/// The shell of one fence: commands go in one at a time on its stdin, and
/// stdout and stderr go to one file, read as it grows.
struct Shell {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    out_path: PathBuf,
    /// Where the output of the command being run starts in the file.
    pos: usize,
}

impl Shell {
    fn output(&self) -> String {
        let bytes = std::fs::read(&self.out_path).unwrap_or_default();
        String::from_utf8_lossy(&bytes[self.pos.min(bytes.len())..]).into_owned()
    }

    /// Runs step `k` and returns its output, waiting for it to end and, when
    /// what it printed so far is the start of what is expected, for a
    /// background job to print the rest (a `passage watch &` reporting an
    /// edit made by this command).
    fn step(&mut self, k: usize, step: &Step, deadline: Instant) -> Result<Vec<String>, String> {
        use std::io::Write;
        let sent = self
            .stdin
            .as_mut()
            .map(|stdin| stdin.write_all(shell_step(k, &step.command).as_bytes()));
        if !matches!(sent, Some(Ok(()))) {
            return Err(format!(
                "README.md:{}: the shell ended before `{}`",
                step.line, step.command
            ));
        }
        let m = format!("\n{}\n", marker(k));
        let mut settle: Option<Instant> = None;
        loop {
            let out = self.output();
            if let Some(at) = out.find(&m) {
                let mut got = lines(&out[..at]);
                let mut used = at + m.len();
                if !is_prefix(&got, &step.expected) {
                    // Done (matching or not): what a background job prints
                    // later belongs to the next command.
                    self.pos += used;
                    return Ok(got);
                }
                // Complete lines a background job printed since, as many
                // as are still missing.
                for line in out[used..].split_inclusive('\n') {
                    if got.len() == step.expected.len() || !line.ends_with('\n') {
                        break;
                    }
                    got.push(line.trim_end_matches('\n').to_string());
                    used += line.len();
                }
                let until = *settle.get_or_insert_with(|| Instant::now() + SETTLE);
                if !is_prefix(&got, &step.expected) || Instant::now() >= until {
                    self.pos += used;
                    if same(&step.expected, &got) {
                        // The job printed just before its next step (a
                        // watcher is registered after its first report):
                        // give it a moment before the next command.
                        std::thread::sleep(SETTLE_GRACE);
                    }
                    return Ok(got);
                }
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "README.md:{}: `{}` ran over the fence's {}s; output so far:\n{out}",
                    step.line,
                    step.command,
                    FENCE_TIMEOUT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        drop(self.stdin.take());
        // Whatever the fence left running (its process group) ends with it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

/// Runs a fence in a fresh project folder; returns each command's output.
fn run(example: &Example, corpus: &[(&str, String)]) -> Result<Vec<Vec<String>>, String> {
    let tmp = tempfile::Builder::new()
        .prefix("passage-readme")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let project = tmp.path().join("project");
    std::fs::create_dir_all(project.join("corpus")).unwrap();
    for (rel, text) in corpus {
        let p = project.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_passage"), bin.join("passage")).unwrap();
    let path = match std::env::var_os("PATH") {
        Some(p) => {
            let mut dirs = vec![bin.clone()];
            dirs.extend(std::env::split_paths(&p));
            std::env::join_paths(dirs).unwrap()
        }
        None => bin.clone().into_os_string(),
    };
    // The reader's state after the quick start: an index exists. The
    // setup is the real command, so a broken `index` shows up here too.
    if !example.fresh {
        let setup = Command::new(env!("CARGO_BIN_EXE_passage"))
            .arg("index")
            .current_dir(&project)
            .output()
            .map_err(|e| e.to_string())?;
        if !setup.status.success() {
            return Err(format!(
                "README.md:{}: `passage index` before the fence failed: {}",
                example.line,
                String::from_utf8_lossy(&setup.stderr)
            ));
        }
    }
    // A file, not a pipe: a background job (a `watch`) would hold a pipe
    // open after the shell ends, and the file can be read while it grows.
    let out_path = tmp.path().join("output");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = {
        use std::os::unix::process::CommandExt;
        Command::new("sh")
            .arg("-s")
            .current_dir(&project)
            .env("PATH", path)
            .env_remove("NO_COLOR")
            .env_remove("PASSAGE_BLESS")
            .env("TERM", "xterm")
            .stdin(Stdio::piped())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run sh: {e}"))?
    };
    let stdin = child.stdin.take();
    let mut shell = Shell {
        child,
        stdin,
        out_path,
        pos: 0,
    };
    {
        use std::io::Write;
        let _ = shell.stdin.as_mut().unwrap().write_all(b"exec 2>&1\n");
    }
    let deadline = Instant::now() + FENCE_TIMEOUT;
    let mut outputs = Vec::new();
    for (k, step) in example.steps.iter().enumerate() {
        outputs.push(shell.step(k, step, deadline)?);
    }
    Ok(outputs)
}

/// A command whose output differs from the README's.
struct Mismatch {
    step: Step,
    indent: String,
    actual: Vec<String>,
}

/// Runs every example (a few at a time); returns the mismatches and the
/// fences that could not run at all.
fn check(examples: &[Example], corpus: &[(&str, String)]) -> (Vec<Mismatch>, Vec<String>) {
    let next = AtomicUsize::new(0);
    let results = Mutex::new((Vec::new(), Vec::new()));
    std::thread::scope(|s| {
        for _ in 0..PARALLEL.min(examples.len()) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(example) = examples.get(k) else {
                    break;
                };
                let outcome = run(example, corpus);
                let mut r = results.lock().unwrap();
                match outcome {
                    Ok(outputs) => {
                        for (step, actual) in example.steps.iter().zip(outputs) {
                            if !same(&step.expected, &actual) {
                                r.0.push(Mismatch {
                                    step: step.clone(),
                                    indent: example.indent.clone(),
                                    actual,
                                });
                            }
                        }
                    }
                    Err(e) => r.1.push(e),
                }
            });
        }
    });
    let (mut mismatches, failures) = results.into_inner().unwrap();
    mismatches.sort_by_key(|m: &Mismatch| m.step.line);
    (mismatches, failures)
}

/// The README's text with each mismatching output replaced by the actual.
fn bless(markdown: &str, mismatches: &[Mismatch]) -> String {
    let mut lines: Vec<String> = markdown.lines().map(str::to_string).collect();
    // From the bottom up, so earlier line numbers stay valid.
    for m in mismatches.iter().rev() {
        let range = m.step.first..m.step.first + m.step.expected.len();
        let new = blessed(&m.step.expected, &m.actual).into_iter().map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{}{l}", m.indent)
            }
        });
        lines.splice(range, new);
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn report(mismatches: &[Mismatch]) -> String {
    let mut out = String::new();
    for m in mismatches {
        let _ = writeln!(
            out,
            "README.md:{}: `$ {}` printed something else (- README, + actual):\n{}",
            m.step.line,
            m.step.command,
            diff(&m.step.expected, &m.actual, m.step.first + 1)
        );
    }
    out
}

fn readme_path() -> PathBuf {
    repo().join("README.md")
}

/// Serializes blessing: two tests rewriting README.md at once would each
/// write back the other's old text.
static README_LOCK: Mutex<()> = Mutex::new(());

fn blessing() -> bool {
    std::env::var_os("PASSAGE_BLESS").is_some_and(|v| v == "1")
}

/// Checks that the ` ```text NAME ` fence of README.md holds exactly
/// `lines`, or (blessing) writes them there; panics with a diff otherwise.
pub fn check_figures(name: &str, lines: &[String]) {
    let _lock = README_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let path = readme_path();
    let markdown = std::fs::read_to_string(&path).unwrap();
    let all: Vec<&str> = markdown.lines().collect();
    let open = format!("```text {name}");
    let start = all
        .iter()
        .position(|l| l.trim() == open)
        .unwrap_or_else(|| panic!("README.md has no `{open}` fence"))
        + 1;
    let len = all[start..]
        .iter()
        .position(|l| l.trim() == "```")
        .unwrap_or_else(|| panic!("README.md:{start}: `{open}` is not closed"));
    let shown: Vec<String> = all[start..start + len]
        .iter()
        .map(|l| l.to_string())
        .collect();
    if shown == lines {
        return;
    }
    if blessing() {
        let mut new: Vec<String> = all.iter().map(|l| l.to_string()).collect();
        new.splice(start..start + len, lines.iter().cloned());
        std::fs::write(&path, new.join("\n") + "\n").unwrap();
        eprintln!("README.md:{}: blessed the `{name}` figures", start + 1);
        return;
    }
    panic!(
        "README.md:{}: the `{name}` figures are stale (PASSAGE_BLESS=1 rewrites them; - README, + now):\n{}",
        start + 1,
        diff(&shown, lines, start + 1)
    );
}

#[test]
fn readme_examples_print_what_they_show() {
    let path: &Path = &readme_path();
    let markdown = std::fs::read_to_string(path).unwrap();
    let examples = parse(&markdown);
    assert!(
        examples.len() >= 10,
        "only {} examples found",
        examples.len()
    );
    let corpus = [(ARTICLE, article_text())];
    let (mismatches, failures) = check(&examples, &corpus);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if mismatches.is_empty() {
        return;
    }
    if blessing() {
        // Such a line would read back as a command or the fence's end.
        if let Some(m) = mismatches.iter().find(|m| {
            m.actual
                .iter()
                .any(|l| l.starts_with("$ ") || l.trim_start().starts_with("```"))
        }) {
            panic!(
                "README.md:{}: cannot bless: the output has a line starting `$ ` or ```:\n{}",
                m.step.line,
                m.actual.join("\n")
            );
        }
        let _lock = README_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // Re-read: another test may have blessed its figures meanwhile, and
        // the figures fences are not examples, so line numbers still hold.
        let markdown = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, bless(&markdown, &mismatches)).unwrap();
        eprintln!(
            "README.md: blessed {} outputs:\n{}",
            mismatches.len(),
            report(&mismatches)
        );
        return;
    }
    panic!(
        "{} README example(s) are stale (PASSAGE_BLESS=1 cargo test --test tests readme rewrites them):\n{}",
        mismatches.len(),
        report(&mismatches)
    );
}

#[test]
fn readme_harness_normalizes_only_volatile_parts() {
    let same_line = |a: &str, b: &str| normalize(a) == normalize(b);
    assert!(same_line(
        "rebuilt: 49 paragraphs in 0.05s -> index",
        "rebuilt: 49 paragraphs in 12.30s -> index"
    ));
    assert!(same_line("x (0.00s)", "x (0.09s)"));
    assert!(same_line(
        r#"{"a":1,"seconds":0.03826613,"index":"index"}"#,
        r#"{"a":1,"seconds":1.5e-5,"index":"index"}"#
    ));
    assert!(same_line("15:45:47 up to date", "08:01:02 up to date"));
    assert!(same_line(
        "para. 2. Accessed 26 Nov. 2026.  corpus",
        "para. 2. Accessed 1 May 2027.  corpus"
    ));
    // What is not volatile still has to match.
    assert!(!same_line(
        "rebuilt: 49 paragraphs in 0.05s",
        "rebuilt: 48 paragraphs in 0.05s"
    ));
    assert!(!same_line("relations.txt:52:410", "relations.txt:52:411"));
    assert!(!same_line(
        "line 5  corpus/a.txt:5:403",
        "line 5  corpus/a.txt:5:404"
    ));
    assert!(!same_line("similarity 0.89", "similarity 0.88"));
    assert!(!same_line(
        "Accessed 26 Nov. 2026. x",
        "Accessed 26 Nov. 2026. y"
    ));
    assert_eq!(normalize("a.txt:52:41:00"), "a.txt:52:41:00");
    assert_eq!(normalize("v1.2s"), "v1.2s");
}

#[test]
fn readme_harness_detects_a_wrong_output() {
    let markdown = "text\n\n```console\n$ echo one; echo two >&2\none\ntwo\n$ echo three; false\nTHREE\n$ echo $?\n1\n```\n\n```sh\n$ not run\n```\n";
    let examples = parse(markdown);
    assert_eq!(examples.len(), 1);
    let steps = &examples[0].steps;
    assert_eq!(
        steps
            .iter()
            .map(|s| (s.line, s.command.as_str()))
            .collect::<Vec<_>>(),
        [
            (4, "echo one; echo two >&2"),
            (7, "echo three; false"),
            (9, "echo $?")
        ]
    );
    let (mismatches, failures) = check(&examples, &[]);
    assert!(failures.is_empty(), "{failures:?}");
    // stderr merged in order and `$?` carried over pass; the wrong case fails.
    assert_eq!(mismatches.len(), 1, "{}", report(&mismatches));
    assert_eq!(mismatches[0].step.line, 7);
    assert_eq!(mismatches[0].actual, ["three"]);
    let shown = report(&mismatches);
    assert!(shown.contains("README.md:7:"), "{shown}");
    assert!(
        shown.contains("     8 - THREE") && shown.contains("+ three"),
        "{shown}"
    );
    // Blessing writes the actual output in place, and then it passes.
    let blessed = bless(markdown, &mismatches);
    assert!(
        blessed.contains("$ echo three; false\nthree\n$ echo $?"),
        "{blessed}"
    );
    let (again, _) = check(&parse(&blessed), &[]);
    assert!(again.is_empty(), "{}", report(&again));
}

#[test]
fn readme_harness_indented_fences_and_background_jobs() {
    let markdown = "- item:\n  ```console\n  $ (sleep 0.2; echo late) & echo early\n  early\n  $ wait; echo done\n  late\n  done\n  ```\n";
    let examples = parse(markdown);
    assert_eq!(examples[0].indent, "  ");
    let (mismatches, failures) = check(&examples, &[]);
    assert!(failures.is_empty(), "{failures:?}");
    assert!(mismatches.is_empty(), "{}", report(&mismatches));
}

#[test]
fn readme_harness_waits_for_a_background_job() {
    let markdown = "```console\n$ (sleep 0.5; echo late) &\nlate\n$ echo next\nnext\n```\n";
    let (mismatches, failures) = check(&parse(markdown), &[]);
    assert!(failures.is_empty(), "{failures:?}");
    assert!(mismatches.is_empty(), "{}", report(&mismatches));
    // A stale example fails without waiting: "early" is no start of "late".
    let started = Instant::now();
    let markdown = "```console\n$ echo early; (sleep 30; echo late) &\nlate\n```\n";
    let (mismatches, _) = check(&parse(markdown), &[]);
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].actual, ["early"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
