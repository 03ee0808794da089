//! `passage serve`: the binary on port 0, asked over HTTP with a small
//! client of std's sockets (one request per connection).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use crate::util::{output_with_stdin, Env};

/// A running server; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(env: &Env, args: &[&str]) -> Server {
    let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut child = env
        .command(&all)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    Server { child, addr }
}

/// An answer: status, headers (lowercased names), body.
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

fn request(
    server: &Server,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut s = TcpStream::connect(&server.addr).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {}\r\n", server.addr));
    }
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // A refused body may close the connection before it is all sent.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        headers: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

fn get(server: &Server, path: &str) -> Answer {
    request(server, "GET", path, &[], b"")
}

#[test]
fn the_api_answers_what_the_commands_print_with_json_byte_for_byte() {
    let env = Env::with_article();
    let server = start(&env, &[]);
    let api = get(&server, "/api/search?q=golden%20counterweight&n=3");
    assert_eq!(api.status, 200, "{}", api.body);
    let cli = env.run(&["search", "--json", "-n", "3", "golden", "counterweight"]);
    assert_eq!(api.body, cli.stdout);
    let api = get(&server, "/api/cite?q=golden%20counterweight");
    let cli = env.run(&["cite", "--json", "golden counterweight"]);
    assert_eq!((api.status, api.body), (200, cli.stdout));
    let id = env.search("golden counterweight").hits[0].id.clone();
    let api = get(&server, &format!("/api/show/{id}"));
    assert_eq!(
        (api.status, api.body),
        (200, env.run(&["show", "--json", &id]).stdout)
    );
    let api = get(&server, &format!("/api/related/{id}?n=2"));
    assert_eq!(
        (api.status, api.body),
        (200, env.run(&["related", "--json", "-n", "2", &id]).stdout)
    );
    let api = get(&server, "/api/sections?q=article:iran");
    assert_eq!(
        (api.status, api.body),
        (
            200,
            env.run(&["search", "--list-sections", "--json", "article:iran"])
                .stdout
        )
    );
    let draft = "He said \"Iran is not prepared to lose this golden counterweight\" then.\n";
    env.write("draft.md", draft);
    let api = request(&server, "POST", "/api/check", &[], draft.as_bytes());
    let cli = env.run(&["check", "--json", "draft.md"]);
    assert_eq!(api.status, 200, "{}", api.body);
    assert_eq!(
        api.body.replace("<request>", "draft.md"),
        cli.stdout,
        "the same report, the draft named as the request"
    );
    assert_eq!(get(&server, "/health").body, "ok\n");
    let status: serde_json::Value =
        serde_json::from_str(&get(&server, "/api/status").body).unwrap();
    assert_eq!(status["files"], 1, "{status}");
}

#[test]
fn errors_are_json_with_the_message_position_and_a_fitting_status() {
    let env = Env::with_article();
    let server = start(&env, &[]);
    let bad = get(&server, "/api/search?q=year:abc");
    assert_eq!(bad.status, 400, "{}", bad.body);
    let v: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    let cli = env.run(&["search", "year:abc"]);
    assert!(
        cli.stderr.contains(v["error"]["message"].as_str().unwrap()),
        "{v} vs {cli:?}"
    );
    assert_eq!(v["error"]["position"], 6, "{v}");
    let unknown = get(&server, "/api/show/p000000000000");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let unknown = get(&server, "/api/related/p000000000000");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    // A draft over the CLI's limit: 413, and the server answers on.
    let big = vec![b'a'; passage::limits::MAX_DRAFT_BYTES + 1];
    let r = request(&server, "POST", "/api/check", &[], &big);
    assert_eq!(r.status, 413);
    assert_eq!(get(&server, "/health").status, 200);
    let missing = get(&server, "/api/search");
    assert_eq!(missing.status, 400, "{}", missing.body);
    // Each of the CLI's query limits: 400 with its message and position,
    // as the CLI says it.
    let long = "a".repeat(passage::limits::MAX_QUERY_BYTES + 1);
    let many: Vec<String> = (0..=passage::limits::MAX_QUERY_TERMS)
        .map(|i| format!("w{i}"))
        .collect();
    for query in [long, many.join(" ")] {
        let r = get(
            &server,
            &format!("/api/search?q={}", query.replace(' ', "%20")),
        );
        assert_eq!(r.status, 400, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let cli = env.run(&["search", &query]);
        assert_eq!(cli.code, 2);
        let message = v["error"]["message"].as_str().unwrap();
        assert!(cli.stderr.contains(message), "{message} vs {}", cli.stderr);
        assert!(v["error"]["position"].as_u64().unwrap() >= 1, "{v}");
    }
    // More hits than shown at most: capped, and said, as the CLI says it.
    let r = get(&server, "/api/search?q=iran&n=100000");
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(
        v["notes"]
            .to_string()
            .contains("is more than the 10000 hits shown at most"),
        "{}",
        v["notes"]
    );
    // An address longer than the HTTP layer reads: refused with its status
    // (414), not a dropped connection; a quote that long is posted, and one
    // over the CLI's limit gets its message.
    let r = get(&server, &format!("/api/cite?q={}", "a".repeat(70_000)));
    assert_eq!(r.status, 414, "{}", r.headers);
    let r = request(&server, "POST", "/api/cite", &[], b"golden counterweight");
    let cli = env.run(&["cite", "--json", "golden counterweight"]);
    assert_eq!((r.status, r.body), (200, cli.stdout));
    let long = "a ".repeat(passage::limits::MAX_QUOTE_BYTES / 2 + 1);
    let r = request(&server, "POST", "/api/cite", &[], long.as_bytes());
    assert_eq!(r.status, 400, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let cli = env.run(&["cite", &long]);
    assert_eq!(cli.code, 2);
    let message = v["error"]["message"].as_str().unwrap();
    assert!(cli.stderr.contains(message), "{message} vs {}", cli.stderr);
    // Nothing lost: the server answers as before.
    let again = get(&server, "/api/search?q=golden%20counterweight&n=3");
    let cli = env.run(&["search", "--json", "-n", "3", "golden", "counterweight"]);
    assert_eq!((again.status, again.body), (200, cli.stdout));
}

#[test]
fn an_edit_is_in_the_next_answer() {
    let env = Env::with_article();
    let server = start(&env, &[]);
    for i in 0..5 {
        env.write(
            "corpus/fresh.txt",
            format!("= Fresh =\n\nA zygomorphic marker xq{i}.\n"),
        );
        let r = get(&server, &format!("/api/search?q=xq{i}"));
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert!(v["total"].as_u64().unwrap() > 0, "edit {i}: {v}");
    }
    // Requests at once share rounds of the handshake with the watcher:
    // each still answers from a state holding the edit made before it.
    let server = std::sync::Arc::new(server);
    for i in 0..3 {
        env.write(
            "corpus/fresh.txt",
            format!("= Fresh =\n\nA zygomorphic marker yq{i}.\n"),
        );
        let asked: Vec<_> = (0..16)
            .map(|_| {
                let server = server.clone();
                std::thread::spawn(move || get(&server, &format!("/api/search?q=yq{i}")))
            })
            .collect();
        for a in asked {
            let r = a.join().unwrap();
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            assert!(v["total"].as_u64().unwrap() > 0, "edit {i}: {v}");
        }
    }
}

#[test]
fn safe_by_default_loopback_hosts_only_a_token_elsewhere_and_strict_headers() {
    let env = Env::with_article();
    // Any address but loopback needs a token: refused at start, one line.
    let r = env.run(&["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    assert!(r.stderr.contains("needs --token"), "{r:?}");
    let r = env.run(&["serve", "--listen", "0.0.0.0:0", "--token", "short"]);
    assert_eq!(r.code, 2, "{r:?}");

    let server = start(&env, &[]);
    // A page that rebinds its own name to 127.0.0.1 is not answered.
    let r = request(
        &server,
        "GET",
        "/health",
        &[("Host", "evil.example:80")],
        b"",
    );
    assert_eq!(r.status, 403);
    let ok = get(&server, "/api/search?q=war");
    assert!(
        ok.headers
            .contains("content-security-policy: default-src 'none'"),
        "{}",
        ok.headers
    );
    assert!(ok.headers.contains("x-content-type-options: nosniff"));
    assert!(
        !ok.headers.contains("access-control-allow-origin"),
        "no CORS unless asked"
    );
    drop(server);

    let token = "0123456789abcdef-secret";
    let server = start(&env, &["--token", token, "--cors", "https://example.org"]);
    assert_eq!(get(&server, "/api/search?q=war").status, 401);
    let wrong = request(
        &server,
        "GET",
        "/health",
        &[("Authorization", "Bearer 0123456789abcdef-secreT")],
        b"",
    );
    assert_eq!(wrong.status, 401);
    let bearer = format!("Bearer {token}");
    let r = request(
        &server,
        "GET",
        "/api/search?q=war",
        &[("Authorization", &bearer)],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .headers
        .contains("access-control-allow-origin: https://example.org"));
}

/// The page as headless Chromium leaves it after running its script for
/// up to 5 s of virtual time (Debian's `chromium`, which `.ci/run`
/// installs; `PASSAGE_CHROMIUM` names another).
fn rendered(url: &str) -> String {
    let chromium = std::env::var("PASSAGE_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{chromium}: {e} (apt-get install chromium, as .ci/run does)"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An article holding markup that would run if the page did not show
/// article text as text.
fn write_trap(env: &Env) {
    env.write(
        "corpus/trap.txt",
        "= Trap =\n\nThis holds <script>document.title=\"pwned\"</script> and \
         <img src=x onerror=\"document.title='pwned'\"> as text, golden.\n",
    );
}

#[test]
fn the_page_searches_as_the_api_does_and_shows_article_text_as_text() {
    let env = Env::with_article();
    write_trap(&env);
    let server = start(&env, &[]);
    let page = get(&server, "/");
    assert_eq!(page.status, 200);
    assert!(
        page.headers.contains("content-type: text/html"),
        "{}",
        page.headers
    );
    assert!(page
        .headers
        .contains("content-security-policy: default-src 'none'; script-src 'self'"));
    assert!(get(&server, "/app.js")
        .headers
        .contains("content-type: text/javascript"));

    let dom = rendered(&format!("http://{}/#q=golden%20counterweight", server.addr));
    // The first result, its matches marked, and the passages under it.
    let first = dom
        .split("<li class=\"hit")
        .nth(1)
        .unwrap_or_else(|| panic!("no results: {dom}"));
    assert!(first.contains("Syrian Civil War (2011–2024) ¶1"), "{first}");
    assert!(
        first.contains("<mark>golden</mark> <mark>counterweight</mark>"),
        "{first}"
    );
    assert!(first.contains("also: "), "{first}");

    // An article holding markup shows it as text, and runs none of it.
    let dom = rendered(&format!("http://{}/#q=onerror", server.addr));
    assert!(dom.contains("<title>passage</title>"), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;"),
        "{dom}"
    );
    assert!(dom.contains("&lt;img src=x <mark>onerror</mark>="), "{dom}");
    assert!(!dom.contains("<img src=\"x\""), "{dom}");

    // What the copy buttons copy: the passage's citation in each style.
    let id = env.search("golden counterweight").hits[0].id.clone();
    let plain = get(&server, &format!("/api/citation/{id}?style=plain"));
    let v: serde_json::Value = serde_json::from_str(&plain.body).unwrap();
    assert_eq!(
        v["citation"],
        "\"Iran–Syria relations\", § History and overview › Syrian Civil War (2011–2024), ¶1, line 52"
    );
    let md = get(&server, &format!("/api/citation/{id}?style=markdown"));
    assert!(
        md.body
            .contains("](https://en.wikipedia.org/wiki/Iran%E2%80%93Syria_relations#"),
        "{}",
        md.body
    );
    assert_eq!(get(&server, "/api/citation/p000000000000").status, 404);
}

#[test]
fn a_server_killed_leaves_the_index_searchable_and_the_next_start_answers_the_same() {
    let env = Env::with_article();
    let server = start(&env, &[]);
    assert_eq!(
        get(&server, "/api/search?q=golden%20counterweight").status,
        200
    );
    // Killed mid-life, while a request is answered and a file is edited.
    env.write("corpus/fresh.txt", "= Fresh =\n\nA zygomorphic marker.\n");
    let during = std::thread::spawn({
        let addr = server.addr.clone();
        move || TcpStream::connect(addr).is_ok()
    });
    let mut server = server;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let _ = during.join();
    // The CLI does not wait on a dead server or watcher: it says so, checks
    // the corpus itself and finds the edit.
    let r = env.run(&["search", "--json", "zygomorphic"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .contains("the server of index is gone (connection refused); answering without it"),
        "{}",
        r.stderr
    );
    let alone = env.run(&["search", "--json", "golden", "counterweight"]);
    assert_eq!(alone.code, 0, "{alone:?}");
    assert!(alone.stderr.contains("is gone"), "{}", alone.stderr);
    // The next start answers as the CLI alone does.
    let again = start(&env, &[]);
    assert_eq!(
        get(&again, "/api/search?q=golden%20counterweight").body,
        alone.stdout
    );
    let v: serde_json::Value =
        serde_json::from_str(&get(&again, "/api/search?q=zygomorphic").body).unwrap();
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    // Its socket replaced the dead one's: the CLI goes through it again.
    let through = env.run(&["search", "--json", "golden", "counterweight"]);
    assert_eq!((through.code, &through.stdout), (0, &alone.stdout));
    assert_eq!(through.stderr, "");
    assert_eq!(status(&again)["forwarded"], 1);
}

/// The fields of `/api/status`.
fn status(server: &Server) -> serde_json::Value {
    serde_json::from_str(&get(server, "/api/status").body).unwrap()
}

/// How a command line ran: its streams apart, then merged in the order
/// written (a terminal shows them so), and its exit status.
fn ran(env: &Env, line: &str, stdin: &str) -> (String, String, String, i32) {
    let bin = env!("CARGO_BIN_EXE_passage");
    let shell = |merged: bool| {
        let redirect = if merged { " 2>&1" } else { "" };
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c")
            .arg(format!("{bin} {line}{redirect}"))
            .current_dir(env.path())
            .env_remove("NO_COLOR")
            .env("TERM", "xterm");
        output_with_stdin(sh, stdin.as_bytes())
    };
    let apart = shell(false);
    let merged = shell(true);
    assert_eq!(apart.status.code(), merged.status.code(), "{line}");
    (
        String::from_utf8_lossy(&apart.stdout).into_owned(),
        String::from_utf8_lossy(&apart.stderr).into_owned(),
        String::from_utf8_lossy(&merged.stdout).into_owned(),
        apart.status.code().unwrap(),
    )
}

/// Runs `line` on a terminal (`script` gives it one): what it showed.
fn on_a_terminal(env: &Env, line: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_passage");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{bin} {line}"), "/dev/null"])
        .current_dir(env.path())
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_cli_through_a_running_server_prints_exactly_what_it_prints_alone() {
    let env = Env::with_article();
    env.write(
        "draft.md",
        "He said \"Iran is not prepared to lose this golden counterweight\" then, \"and the lost words here\".\n",
    );
    env.write("quote.txt", "golden counterweight\n");
    let id = env.search("golden counterweight").hits[0].id.clone();
    // Command lines, with what each reads on standard input.
    let lines: Vec<(String, &str)> = vec![
        ("search golden counterweight".into(), ""),
        ("search --color always -n 3 iran syria".into(), ""),
        ("search --json -n 2 golden counterweight".into(), ""),
        ("search -l iran".into(), ""),
        ("search -c iran".into(), ""),
        ("search -n 0 iran".into(), ""),
        ("search --format '{rank} {file}:{line}' iran".into(), ""),
        ("search --list-sections article:iran".into(), ""),
        ("search -- -hezbollah syria".into(), ""),
        ("search 'bad \"query'".into(), ""),
        ("search zzqqxxnotaword".into(), ""),
        ("search --explain golden".into(), ""),
        ("search --marks '<<,>>' golden counterweight".into(), ""),
        (format!("show {id}"), ""),
        (format!("show --json {id}"), ""),
        ("show nosuchid".into(), ""),
        (format!("related -n 2 {id}"), ""),
        ("cite golden counterweight".into(), ""),
        ("cite --json --style mla golden counterweight".into(), ""),
        ("cite -".into(), "golden counterweight\n"),
        ("cite --file quote.txt".into(), ""),
        ("check draft.md".into(), ""),
        (
            "check --json - draft.md".into(),
            "\"golden counterweight and more\"\n",
        ),
        // Standard input is read once: the second `-` finds it at its end.
        (
            "check - -".into(),
            "\"Iran is not prepared to lose this golden counterweight\"\n",
        ),
    ];
    let alone: Vec<_> = lines.iter().map(|(l, i)| ran(&env, l, i)).collect();
    let coloured_alone = on_a_terminal(&env, "search golden counterweight");
    assert!(coloured_alone.contains("\x1b["), "{coloured_alone:?}");
    // Failures are the command's own, whoever runs it.
    let missing = ran(&env, "check nosuchdraft.md", "");

    let server = start(&env, &[]);
    let before = status(&server)["forwarded"].as_u64().unwrap();
    for ((line, input), alone) in lines.iter().zip(&alone) {
        assert_eq!(&ran(&env, line, input), alone, "{line}");
    }
    // `ran` runs each line twice (streams apart, then merged).
    let forwarded = status(&server)["forwarded"].as_u64().unwrap() - before;
    assert_eq!(forwarded, 2 * lines.len() as u64);
    assert_eq!(
        on_a_terminal(&env, "search golden counterweight"),
        coloured_alone
    );
    assert_eq!(ran(&env, "check nosuchdraft.md", ""), missing);
    // An edit made just before is in the next answer.
    env.write("corpus/fresh.txt", "= Fresh =\n\nA zygomorphic marker.\n");
    let (out, _, _, code) = ran(&env, "search zygomorphic", "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("zygomorphic"), "{out}");
    // --no-update asks for the index as it is: not the server.
    let before = status(&server)["forwarded"].as_u64().unwrap();
    let (_, _, _, code) = ran(&env, "search --no-update golden", "");
    assert_eq!(code, 0);
    assert_eq!(status(&server)["forwarded"].as_u64().unwrap(), before);
}

#[test]
fn the_socket_is_for_its_user_alone_and_a_stopped_server_is_answered_without() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::with_article();
    assert_eq!(env.run(&["index"]).code, 0);
    let alone = env.run(&["search", "golden", "counterweight"]);
    let mut server = start(&env, &[]);
    let socket = env.path().join("index/serve.sock");
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // Another user (where the tests may switch to one) cannot connect.
    if unsafe { libc::geteuid() } == 0 {
        use std::os::unix::process::CommandExt;
        for dir in [env.path().to_path_buf(), env.path().join("index")] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let r = std::process::Command::new(env!("CARGO_BIN_EXE_passage"))
            .args(["search", "golden"])
            .current_dir(env.path())
            .uid(65534)
            .gid(65534)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(
            stderr.contains("cannot be reached (permission denied)"),
            "{stderr}"
        );
        assert_eq!(status(&server)["forwarded"], 0);
    } else {
        eprintln!("not root: the test cannot run a command as another user");
    }
    // A stopped server takes no request: the CLI waits a moment, then
    // answers alone and says so.
    let pid = server.child.id() as i32;
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let r = env.run(&["search", "golden", "counterweight"]);
    unsafe { libc::kill(pid, libc::SIGCONT) };
    assert_eq!((r.code, &r.stdout), (0, &alone.stdout), "{r:?}");
    assert!(
        r.stderr
            .contains("the server of index did not answer (timed out); answering without it"),
        "{}",
        r.stderr
    );
    // Stopped cleanly, it takes its socket with it.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    server.child.wait().unwrap();
    assert!(!socket.exists());
    let r = env.run(&["search", "golden", "counterweight"]);
    assert_eq!(
        (r.code, &r.stdout, &r.stderr),
        (0, &alone.stdout, &alone.stderr)
    );
}

#[test]
fn in_a_browser_a_query_is_typed_a_citation_copied_and_a_draft_pasted() {
    use crate::util::browser::Browser;
    let env = Env::with_article();
    write_trap(&env);
    let server = start(&env, &[]);
    let mut b = Browser::start();
    b.open(&format!("http://{}/", server.addr));
    b.wait_for("document.readyState === 'complete' && !!document.getElementById('q')");

    // Typed key by key, searched as typed: the first result highlighted.
    b.click("#q");
    b.type_text("golden counterweight");
    let first = b.wait_for(
        "(() => { const h = document.querySelector('#results li.hit'); \
         return h && h.innerHTML.includes('counterweight</mark>') ? h.innerHTML : null })()",
    );
    let first = first.as_str().unwrap();
    assert!(first.contains("Syrian Civil War (2011–2024) ¶1"), "{first}");
    assert!(
        first.contains("<mark>golden</mark> <mark>counterweight</mark>"),
        "{first}"
    );
    let selected = "[...document.querySelectorAll('#results li')].findIndex(li => li.classList.contains('selected'))";
    assert_eq!(b.eval(selected), 0);
    b.press("ArrowDown", 40);
    assert_eq!(b.eval(selected), 1);
    b.press("ArrowUp", 38);
    assert_eq!(b.eval(selected), 0);

    // A copy button puts the citation on the clipboard.
    b.click("#results li.hit .copy button");
    let note = b.wait_for("document.querySelector('#results li.hit .copied').textContent");
    assert_eq!(note, "copied (plain)");
    assert_eq!(
        b.eval("navigator.clipboard.readText()"),
        "\"Iran–Syria relations\", § History and overview › Syrian Civil War (2011–2024), ¶1, line 52"
    );

    // A draft pasted (Ctrl+V) and checked: each quotation's status, and
    // the article's wording beside a misquotation.
    let draft = "Velayati said \"Iran is not prepared to lose this golden counterweight\".\n\
                 He added \"Iran is not ready to lose this golden counterweight\".\n\
                 And \"the moon is made of green cheese entirely\".\n";
    b.click("#tab-check");
    b.eval(&format!("navigator.clipboard.writeText({draft:?})"));
    b.click("#draft");
    b.paste();
    assert_eq!(b.eval("document.getElementById('draft').value"), draft);
    b.click("#check");
    let statuses = b.wait_for(
        "(() => { const q = [...document.querySelectorAll('#quotes li')]; \
         return q.length ? q.map(l => l.querySelector('.label').textContent) : null })()",
    );
    assert_eq!(
        statuses,
        serde_json::json!(["exact", "misquoted", "missing"])
    );
    let wording = b.eval("document.querySelector('#quotes .wording').textContent");
    assert!(
        wording
            .as_str()
            .unwrap()
            .contains("this golden counterweight"),
        "{wording}"
    );

    // An article holding markup shows it as text, and runs none of it.
    b.click("#tab-search");
    b.click("#q");
    b.eval("document.getElementById('q').select()");
    b.type_text("onerror");
    let hit = b.wait_for(
        "(() => { const h = document.querySelector('#results li.hit .snippet'); \
         return h && h.innerHTML.includes('onerror</mark>') ? h.innerHTML : null })()",
    );
    let hit = hit.as_str().unwrap();
    assert!(
        hit.contains("&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;"),
        "{hit}"
    );
    assert_eq!(
        b.eval("document.querySelectorAll('#results img, #results script').length"),
        0
    );
    assert_eq!(b.eval("document.title"), "passage");
}

#[test]
fn what_a_search_remembers_of_the_index_is_forgotten_with_its_commit() {
    let env = Env::with_article();
    let server = start(&env, &[]);
    let total = |q: &str| -> u64 {
        let v: serde_json::Value =
            serde_json::from_str(&get(&server, &format!("/api/search?q={q}")).body).unwrap();
        v["total"].as_u64().unwrap()
    };
    // The forms of `counterweight`, and the close spellings of a word the
    // index does not know, are found and remembered...
    let before = total("counterweight");
    assert!(before > 0);
    assert_eq!(total("zygomorphix"), 0);
    // ...and an edit brings a new form and a word one letter away: the
    // next searches find them.
    env.write(
        "corpus/fresh.txt",
        "= Fresh =\n\nThe counterweighting of a zygomorphic flower.\n",
    );
    assert!(total("counterweight") > before);
    assert!(total("zygomorphix") > 0);
}
