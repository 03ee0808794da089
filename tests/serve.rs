//! `passage serve`: the binary on port 0, asked over HTTP with a small
//! client of std's sockets (one request per connection).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use crate::util::Env;

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

#[test]
fn the_page_searches_as_the_api_does_and_shows_article_text_as_text() {
    let env = Env::with_article();
    env.write(
        "corpus/trap.txt",
        "= Trap =\n\nThis holds <script>document.title=\"pwned\"</script> and \
         <img src=x onerror=\"document.title='pwned'\"> as text, golden.\n",
    );
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
    // The CLI does not wait on a dead watcher: it checks the corpus itself
    // and finds the edit.
    let r = env.run(&["search", "--json", "zygomorphic"]);
    assert_eq!(r.code, 0, "{r:?}");
    let alone = env.run(&["search", "--json", "golden", "counterweight"]);
    assert_eq!(alone.code, 0, "{alone:?}");
    // The next start answers as the CLI alone does.
    let again = start(&env, &[]);
    assert_eq!(
        get(&again, "/api/search?q=golden%20counterweight").body,
        alone.stdout
    );
    let v: serde_json::Value =
        serde_json::from_str(&get(&again, "/api/search?q=zygomorphic").body).unwrap();
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
}
