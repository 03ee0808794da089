//! `passage serve`: the index held open by one process, kept current by a
//! watcher inside it, and asked over HTTP: the same answers as the
//! commands' `--json`, byte for byte.
//!
//! Threads: tokio's runtime takes requests; the searches themselves run on
//! its blocking pool, at most one per core at a time (more wait a moment in
//! a queue, then get 503); the watcher runs on its own thread and, after
//! each update, opens the index again and swaps it in before it answers the
//! requests waiting for it. A request first asks the watcher to sync, as a
//! CLI search does, so it answers from a state that holds every edit made
//! before it started.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Query as UrlQuery, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use anyhow::Context as _;

use super::watch::{keep_current, Applied};
use super::*;
use crate::cli::CitationStyle;
use passage::index::sync::Sync;
use passage::limits::{MAX_DRAFT_BYTES, MAX_HITS};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on. Only a loopback address (127.0.0.1,
    /// [::1]) is allowed without --token; port 0 picks a free port. The
    /// first line printed names the address.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:7341")]
    pub listen: SocketAddr,
    /// A secret every request must carry (`Authorization: Bearer TOKEN`);
    /// required to listen on any address but loopback. Also read from
    /// PASSAGE_TOKEN.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "PASSAGE_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Let pages from this origin call the API (CORS); none by default.
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
    /// Quiet time after a change before updating, in milliseconds (as
    /// `watch --debounce-ms`).
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub debounce_ms: u64,
    #[command(flatten)]
    pub locations: Locations,
}

/// How long a request waits for a free search slot before 503.
const QUEUE_WAIT: Duration = Duration::from_secs(2);
/// The longest a request may take.
const REQUEST_TIME: Duration = Duration::from_secs(10);
/// How long a request waits for the watcher to apply earlier edits.
const SYNC_WAIT: Duration = Duration::from_secs(5);
/// The shortest token accepted (as Meilisearch asks of its master key).
const MIN_TOKEN_BYTES: usize = 16;

/// What every request shares.
struct Shared {
    loc: Locations,
    /// The index as last opened, with the commit it holds; swapped by the
    /// watcher after each update.
    opened: RwLock<(Option<Commit>, Arc<Opened>)>,
    /// Whether the watcher is this process's (else another `passage watch`
    /// updates the index, and a request opens it again when it changed).
    own_watcher: bool,
    /// Requests waiting for the watcher share its answers.
    syncs: Syncs,
    /// The corpus and index, canonical (as the socket's clients are
    /// compared).
    corpus: PathBuf,
    index: PathBuf,
    /// One thread per core runs the searches: they are CPU work.
    workers: Workers,
    /// The runtime, for threads of the server outside it that wait for
    /// the watcher.
    runtime: std::sync::OnceLock<tokio::runtime::Handle>,
    token: Option<String>,
    cors: Option<HeaderValue>,
    /// The `Host` values a loopback server answers (DNS rebinding), once
    /// its port is known.
    hosts: std::sync::OnceLock<Vec<String>>,
    started: Instant,
    updates: std::sync::atomic::AtomicU64,
    /// Commands run for CLI processes over the socket.
    forwarded: std::sync::atomic::AtomicU64,
}

/// What tells one commit of the index from the next.
type Commit = (PathBuf, std::time::SystemTime, u64);

/// `passage serve`.
pub fn run(args: &ServeArgs) -> Result<Exit> {
    let loopback = args.listen.ip().is_loopback();
    if let Some(t) = &args.token {
        if t.len() < MIN_TOKEN_BYTES {
            anyhow::bail!("--token must be at least {MIN_TOKEN_BYTES} bytes");
        }
    } else if !loopback {
        anyhow::bail!(
            "listening on {} (not loopback) needs --token: anyone who can reach it could read the corpus",
            args.listen
        );
    }
    let loc = &args.locations;
    passage::guard::check_corpus_root(&loc.corpus)?;
    // The watcher: this process's, unless another `passage watch` already
    // keeps the index current (a request then syncs with that one).
    let watching = IndexDir::new(&loc.index).watch_lock(&loc.corpus);
    let own_watcher = match &watching {
        Ok(_) => true,
        Err(passage::Error::Busy { .. }) => false,
        Err(e) => anyhow::bail!("{e}"),
    };
    if !own_watcher {
        // Built or brought up to date as a search would.
        open_fresh(loc, false)?;
    } else if IndexDir::new(&loc.index).open(&loc.corpus)?.is_none() {
        // Built here; brought up to date by the watcher's first update.
        update(loc, UpdateOptions::default(), Problems::All)?;
    }
    let commit = IndexDir::new(&loc.index).last_commit();
    let Some(opened) = IndexDir::new(&loc.index).open(&loc.corpus)? else {
        anyhow::bail!("{}: no index here", loc.index.display());
    };
    let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
    let shared = Arc::new(Shared {
        loc: Locations {
            corpus: loc.corpus.clone(),
            index: loc.index.clone(),
            from: loc.from.clone(),
        },
        opened: RwLock::new((commit, Arc::new(opened))),
        own_watcher,
        syncs: Syncs::default(),
        corpus: std::fs::canonicalize(&loc.corpus)
            .with_context(|| format!("{}: cannot read", loc.corpus.display()))?,
        index: std::fs::canonicalize(&loc.index)
            .with_context(|| format!("{}: cannot read", loc.index.display()))?,
        workers: Workers::new(slots),
        runtime: std::sync::OnceLock::new(),
        token: args.token.clone(),
        cors: args
            .cors
            .as_deref()
            .map(HeaderValue::from_str)
            .transpose()
            .map_err(|_| anyhow::anyhow!("--cors: not a valid origin"))?,
        hosts: std::sync::OnceLock::new(),
        started: Instant::now(),
        updates: std::sync::atomic::AtomicU64::new(0),
        forwarded: std::sync::atomic::AtomicU64::new(0),
    });
    // Requests are taken once the watcher watches: a request's cookie made
    // before that would be an event it never sees, and wait for nothing.
    let (ready, watching_now) = mpsc::channel::<()>();
    if own_watcher {
        let shared = shared.clone();
        let debounce = Duration::from_millis(args.debounce_ms);
        std::thread::spawn(move || {
            let _lock = watching;
            let loc = &shared.loc;
            // The first update (at start) is always taken in: the index
            // opened before it may be older.
            let mut first = true;
            let result = keep_current(loc, debounce, &mut |applied| {
                if let Applied::Update(r) = &applied {
                    if !r.changed() && !std::mem::take(&mut first) {
                        return Ok(());
                    }
                }
                if let Applied::Answered = applied {
                    shared.syncs.answered();
                    return Ok(());
                }
                reopen(&shared)?;
                let _ = ready.send(());
                Ok(())
            });
            if let Err(e) = result {
                messages::error(format!("the watcher stopped: {e:#}; answers may be stale"));
            }
        });
    } else {
        drop(ready);
    }
    // Its first update done (or it failed, and said so).
    let _ = watching_now.recv();
    drop(watching_now);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let _ = shared.runtime.set(runtime.handle().clone());
    runtime.block_on(serve(args.listen, shared))?;
    Ok(Exit::Found)
}

/// Opens the index again and swaps it in.
fn reopen(shared: &Shared) -> Result<()> {
    let dir = IndexDir::new(&shared.loc.index);
    let commit = dir.last_commit();
    if let Some(opened) = dir.open(&shared.loc.corpus)? {
        *shared.opened.write().expect("not poisoned") = (commit, Arc::new(opened));
        shared
            .updates
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(())
}

/// Requests waiting for the watcher at once share one cookie: each waits
/// for the first round of the handshake that began after it arrived (an
/// earlier one may have missed its edits), so one cookie at a time is in
/// flight however many requests come. Waiting takes no thread.
struct Syncs {
    state: std::sync::Mutex<Rounds>,
    /// The last round ended, and its answer.
    ended: tokio::sync::watch::Sender<(u64, Option<Sync>)>,
    /// Bumped when this process's watcher answered its cookies.
    answers: tokio::sync::watch::Sender<u64>,
}

#[derive(Default)]
struct Rounds {
    /// Rounds begun; whether one runs.
    begun: u64,
    running: bool,
}

impl Default for Syncs {
    fn default() -> Syncs {
        Syncs {
            state: Default::default(),
            ended: tokio::sync::watch::channel((0, None)).0,
            answers: tokio::sync::watch::channel(0).0,
        }
    }
}

impl Syncs {
    /// Called by this process's watcher once it answered its cookies.
    fn answered(&self) {
        self.answers.send_modify(|n| *n += 1);
    }

    /// One round of the handshake with this process's own watcher: its
    /// cookie, then a wait for its answer, woken by the watcher.
    async fn own_round(&self, dir: &IndexDir) -> Sync {
        // Before the cookie: an answer after it is then seen as a change.
        let mut answers = self.answers.subscribe();
        let Some(cookie) = dir.own_cookie() else {
            return Sync::Unwatched;
        };
        let deadline = tokio::time::Instant::now() + SYNC_WAIT;
        loop {
            if let Some(answer) = passage::index::sync::answered(&cookie) {
                return answer;
            }
            if tokio::time::timeout_at(deadline, answers.changed())
                .await
                .is_err()
            {
                let _ = std::fs::remove_file(&cookie);
                return Sync::Distrusted(format!(
                    "did not answer within {:.1} s",
                    SYNC_WAIT.as_secs_f64()
                ));
            }
        }
    }
}

impl Shared {
    /// Brings the index current with every edit made before the call, as a
    /// CLI search does.
    async fn sync(self: &Arc<Self>) -> Sync {
        let mut ended = self.syncs.ended.subscribe();
        let wanted = self.syncs.state.lock().expect("not poisoned").begun + 1;
        loop {
            {
                let last = ended.borrow_and_update();
                if last.0 >= wanted {
                    return last.1.clone().unwrap_or(Sync::Unwatched);
                }
            }
            let lead = {
                let mut rounds = self.syncs.state.lock().expect("not poisoned");
                (!rounds.running).then(|| {
                    rounds.running = true;
                    rounds.begun += 1;
                    rounds.begun
                })
            };
            if let Some(round) = lead {
                // A task of its own: a request given up on (timed out)
                // does not leave the round half-run.
                let shared = self.clone();
                tokio::spawn(async move {
                    let dir = IndexDir::new(&shared.loc.index);
                    let answer = if shared.own_watcher {
                        shared.syncs.own_round(&dir).await
                    } else {
                        let corpus = shared.loc.corpus.clone();
                        tokio::task::spawn_blocking(move || {
                            dir.sync_with_watcher(&corpus, SYNC_WAIT)
                        })
                        .await
                        .unwrap_or_else(|e| Sync::Failed(e.to_string()))
                    };
                    shared.syncs.state.lock().expect("not poisoned").running = false;
                    shared.syncs.ended.send_replace((round, Some(answer)));
                });
            }
            let _ = ended.changed().await;
        }
    }

    /// [`Self::sync`] for a thread outside the runtime's workers.
    fn sync_blocking(self: &Arc<Self>) -> Sync {
        match self.runtime.get() {
            Some(handle) => handle.block_on(self.sync()),
            None => Sync::Failed("the server has not started".into()),
        }
    }

    /// The index as it is now: when another process's watcher keeps it,
    /// opened again if it committed since.
    fn current(&self) -> Arc<Opened> {
        let (commit, opened) = self.opened.read().expect("not poisoned").clone();
        if self.own_watcher || IndexDir::new(&self.loc.index).last_commit() == commit {
            return opened;
        }
        if let Err(e) = reopen(self) {
            messages::warning(format!(
                "cannot open the index again ({e:#}); answering from it as it was"
            ));
        }
        self.opened.read().expect("not poisoned").1.clone()
    }
}

impl crate::remote::Resident for Shared {
    fn corpus(&self) -> &std::path::Path {
        &self.corpus
    }
    fn index(&self) -> &std::path::Path {
        &self.index
    }
    fn sync(self: &Arc<Self>) -> Sync {
        self.sync_blocking()
    }
    fn current(&self) -> Arc<Opened> {
        Shared::current(self)
    }
    fn work<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        self.workers.run_blocking(f)
    }
    fn served(&self) {
        self.forwarded
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

async fn serve(addr: SocketAddr, shared: Arc<Shared>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let _ = shared.hosts.set(
        ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{}", local.port()))
            .collect(),
    );
    let socket = match socket(&shared.loc.index) {
        Ok(socket) => socket,
        Err(e) => {
            messages::warning(format!(
                "{e:#}; commands run on this index will not use the server"
            ));
            None
        }
    };
    {
        // The first line: where it listens (a test passes port 0).
        let mut out = io::stdout().lock();
        writeln!(out, "listening on http://{local}")?;
        out.flush()?;
    }
    if let Some((listener, _)) = &socket {
        let listener = listener.clone();
        let shared = shared.clone();
        let build = Arc::new(crate::remote::build());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let Ok(stream) = stream.into_std() else {
                    continue;
                };
                if stream.set_nonblocking(false).is_err() {
                    continue;
                }
                let (shared, build) = (shared.clone(), build.clone());
                tokio::task::spawn_blocking(move || crate::remote::answer(stream, shared, &build));
            }
        });
    }
    let app = router(shared);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
            }
        })
        .await;
    if let Some((_, made)) = socket {
        made.remove();
    }
    served?;
    Ok(())
}

/// The socket CLI commands on this index ask (mode 0600, in the index
/// folder): `None` when another server already answers there.
fn socket(index: &std::path::Path) -> Result<Option<(Arc<tokio::net::UnixListener>, Made)>> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::net::{UnixListener, UnixStream};
    let path = index.join(crate::remote::SOCKET);
    if path.exists() {
        if UnixStream::connect(&path).is_ok() {
            messages::warning(format!(
                "another server answers commands run on this index ({})",
                path.display()
            ));
            return Ok(None);
        }
        // Left by a server that was killed.
        let _ = std::fs::remove_file(&path);
    }
    // Made under another name and renamed: a client never finds it before
    // its mode is set.
    let made = index.join(format!(".serve-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&made);
    let listener = UnixListener::bind(&made)
        .with_context(|| format!("cannot make the socket {}", path.display()))?;
    std::fs::set_permissions(&made, std::fs::Permissions::from_mode(0o600))
        .and_then(|()| std::fs::rename(&made, &path))
        .with_context(|| format!("cannot make the socket {}", path.display()))?;
    let inode = std::fs::metadata(&path)
        .map(|m| m.ino())
        .unwrap_or_default();
    listener.set_nonblocking(true)?;
    let listener = tokio::net::UnixListener::from_std(listener)?;
    Ok(Some((Arc::new(listener), Made { path, inode })))
}

/// The socket this server made, removed when it stops (unless another
/// server has made its own there since).
struct Made {
    path: PathBuf,
    inode: u64,
}

impl Made {
    fn remove(self) {
        use std::os::unix::fs::MetadataExt;
        if std::fs::metadata(&self.path).is_ok_and(|m| m.ino() == self.inode) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { page("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/app.js",
            get(|| async { page("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/app.css",
            get(|| async { page("text/css; charset=utf-8", STYLE) }),
        )
        .route("/health", get(|| async { "ok\n" }))
        .route("/api/citation/{id}", get(citation))
        .route("/api/status", get(status))
        .route("/api/search", get(search))
        .route("/api/cite", get(cite).post(cite_posted))
        .route("/api/check", post(check))
        .route("/api/show/{id}", get(show))
        .route("/api/related/{id}", get(related))
        .route("/api/sections", get(sections))
        .layer(DefaultBodyLimit::max(MAX_DRAFT_BYTES))
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

/// The page: plain HTML, CSS and a module of JavaScript, in the binary.
const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

fn page(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Every request: the `Host` of a loopback server, the token, then the
/// headers every answer carries.
async fn guard(
    State(shared): State<Arc<Shared>>,
    req: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let headers = req.headers();
    if shared.token.is_none() {
        // A page on another site that rebinds its name to 127.0.0.1 would
        // otherwise read the answers as its own.
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let hosts = shared.hosts.get().map_or(&[][..], Vec::as_slice);
        if !host.is_some_and(|h| hosts.iter().any(|k| k == h)) {
            return error(
                StatusCode::FORBIDDEN,
                "this server answers requests to localhost only",
                None,
            );
        }
    }
    if let Some(token) = &shared.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "));
        if !given.is_some_and(|g| same(g.as_bytes(), token.as_bytes())) {
            let mut r = error(
                StatusCode::UNAUTHORIZED,
                "a valid token is required (Authorization: Bearer TOKEN)",
                None,
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
    }
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(origin) = &shared.cors {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
    r
}

/// Compares two secrets in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// A JSON value as an answer's body: one line.
fn line_of(value: serde_json::Value) -> Vec<u8> {
    format!("{value}\n").into_bytes()
}

/// An error as JSON: `{"error": {"status": …, "message": …, "position":
/// …}}`, the CLI's message and, for a bad query, its 1-based character
/// position.
fn error_body(status: StatusCode, message: &str, position: Option<usize>) -> Vec<u8> {
    line_of(serde_json::json!({
        "error": { "status": status.as_u16(), "message": message, "position": position }
    }))
}

/// [`error_body`] as a response (503 with `Retry-After`).
fn error(status: StatusCode, message: &str, position: Option<usize>) -> Response {
    let body = error_body(status, message, position);
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// A command's failure as an error response: a bad query or quote is the
/// request's fault (400, with the position), anything else the server's.
fn failed(e: &anyhow::Error) -> Response {
    let message = format!("{e:#}");
    if let Some(passage::Error::Query(q)) = e.downcast_ref::<passage::Error>() {
        return error(StatusCode::BAD_REQUEST, &message, Some(q.position));
    }
    if let Some(q) = e.downcast_ref::<passage::query::QueryError>() {
        return error(StatusCode::BAD_REQUEST, &message, Some(q.position));
    }
    if matches!(
        e.downcast_ref::<passage::Error>(),
        Some(passage::Error::Quote(_) | passage::Error::ListingQuery(_))
    ) {
        return error(StatusCode::BAD_REQUEST, &message, None);
    }
    error(StatusCode::INTERNAL_SERVER_ERROR, &message, None)
}

/// Runs `work` on the current index, in a search slot on the blocking
/// pool, after the watcher has applied every edit made before the request;
/// its JSON (as the command's `--json` writes it) is the answer.
async fn answer<F>(shared: Arc<Shared>, work: F) -> Response
where
    F: FnOnce(&Opened) -> Result<(StatusCode, Vec<u8>)> + Send + 'static,
{
    let run = async move {
        // Waiting for the watcher takes no worker: the requests waiting at
        // once share one round of the handshake.
        if let Sync::Distrusted(why) | Sync::Failed(why) = shared.sync().await {
            messages::warning(format!(
                "the watcher {why}; answering from the index as it is"
            ));
        }
        let worker = shared.clone();
        shared
            .workers
            .run(move || work(&worker.current()))
            .await
            .map_err(|Busy| {
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "too many requests at once; try again",
                    None,
                )
            })
    };
    match tokio::time::timeout(REQUEST_TIME, run).await {
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the request took longer than 10 s",
            None,
        ),
        Ok(Err(busy)) => busy,
        Ok(Ok(Err(e))) => failed(&e),
        Ok(Ok(Ok((status, body)))) => {
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
    }
}

/// The threads that run searches, one per core, fed by a queue. A thread
/// per request (tokio's blocking pool) gave each of dozens of threads an
/// allocator heap of its own, and the server a gigabyte under load.
struct Workers {
    queue: std::sync::mpsc::SyncSender<Job>,
}

type Job = Box<dyn FnOnce() + Send>;

/// Every worker stayed busy for [`QUEUE_WAIT`], or the work panicked.
struct Busy;

impl Workers {
    fn new(n: usize) -> Workers {
        let (queue, jobs) = std::sync::mpsc::sync_channel::<Job>(1024);
        let jobs = Arc::new(std::sync::Mutex::new(jobs));
        for i in 0..n {
            let jobs = jobs.clone();
            std::thread::Builder::new()
                .name(format!("search-{i}"))
                .spawn(move || loop {
                    let job = jobs.lock().expect("not poisoned").recv();
                    match job {
                        // A panic was said by the hook; the worker goes on.
                        Ok(job) => {
                            drop(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)))
                        }
                        Err(_) => return,
                    }
                })
                .expect("a thread starts");
        }
        Workers { queue }
    }

    /// Runs `f` on a worker, unless it waits in the queue longer than
    /// [`QUEUE_WAIT`].
    fn submit<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
        answer: impl FnOnce(T) + Send + 'static,
    ) -> Result<(), Busy> {
        let queued = Instant::now();
        self.queue
            .try_send(Box::new(move || {
                if queued.elapsed() <= QUEUE_WAIT {
                    answer(f());
                }
            }))
            .map_err(|_| Busy)
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(f, move |v| drop(tx.send(v)))?;
        rx.await.map_err(|_| Busy)
    }

    fn run_blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.submit(f, move |v| drop(tx.send(v))).ok()?;
        rx.recv().ok()
    }
}

/// What a command's `--json` writer writes, as an answer's body.
fn json_of(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write(&mut out)?;
    Ok(out)
}

/// `-n` as the commands take it.
fn hits(n: Option<usize>, default: usize) -> usize {
    n.unwrap_or(default).min(MAX_HITS)
}

#[derive(Deserialize)]
struct SearchParams {
    q: String,
    n: Option<usize>,
    #[serde(default)]
    explain: bool,
    #[serde(default)]
    no_typos: bool,
    #[serde(default)]
    no_expand: bool,
    #[serde(default)]
    flat: bool,
}

/// `GET /api/search?q=…&n=…`: `passage search --json`.
async fn search(
    State(shared): State<Arc<Shared>>,
    UrlQuery(p): UrlQuery<SearchParams>,
) -> Response {
    let query = match passage::query::Query::parse(&p.q) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string(), Some(e.position)),
    };
    answer(shared, move |opened| {
        let asked = p.n.unwrap_or(10);
        let options = passage::search::SearchOptions {
            limit: hits(p.n, 10),
            typos: !p.no_typos,
            expand: !p.no_expand,
            explain: p.explain,
            flat: p.flat,
            ..Default::default()
        };
        let mut results = passage::search::search(opened, &p.q, &query, &options)?;
        if let Some(capped) = passage::guard::hits_capped(asked) {
            results.filter_notes.push(capped);
        }
        Ok((StatusCode::OK, json_of(|o| json::results(o, &results))?))
    })
    .await
}

#[derive(Deserialize)]
struct CiteParams {
    q: String,
    n: Option<usize>,
    style: Option<CitationStyle>,
}

/// `GET /api/cite?q=…`: `passage cite --json`.
async fn cite(State(shared): State<Arc<Shared>>, UrlQuery(p): UrlQuery<CiteParams>) -> Response {
    let CiteParams { q, n, style } = p;
    cited(shared, q, n, style).await
}

#[derive(Deserialize)]
struct PostedCiteParams {
    n: Option<usize>,
    style: Option<CitationStyle>,
}

/// `POST /api/cite` with the quote as the body: a quote longer than an
/// address carries (HTTP stops at 64 KB; the CLI's limit is 100 KB).
async fn cite_posted(
    State(shared): State<Arc<Shared>>,
    UrlQuery(p): UrlQuery<PostedCiteParams>,
    body: Bytes,
) -> Response {
    match text_of(body, "the quote") {
        Ok(q) => cited(shared, q, p.n, p.style).await,
        Err(e) => e,
    }
}

/// A request's body as text, or the 400 saying `what` is not.
fn text_of(body: Bytes, what: &str) -> Result<String, Response> {
    String::from_utf8(body.into()).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            &format!("{what} is not UTF-8 text"),
            None,
        )
    })
}

async fn cited(
    shared: Arc<Shared>,
    q: String,
    n: Option<usize>,
    style: Option<CitationStyle>,
) -> Response {
    if let Err(e) = passage::quote::check_quote(&q) {
        return error(StatusCode::BAD_REQUEST, &e.to_string(), None);
    }
    answer(shared, move |opened| {
        let options = passage::quote::CiteOptions {
            limit: n.map(|n| n.min(MAX_HITS)),
            style: style.unwrap_or(CitationStyle::Plain).into(),
            ..Default::default()
        };
        let results = passage::quote::cite(opened, &q, &options)?;
        Ok((StatusCode::OK, json_of(|o| json::cite(o, &results))?))
    })
    .await
}

#[derive(Deserialize)]
struct CheckParams {
    min_words: Option<usize>,
    style: Option<CitationStyle>,
}

/// `POST /api/check` with the draft as the body: `passage check --json`.
async fn check(
    State(shared): State<Arc<Shared>>,
    UrlQuery(p): UrlQuery<CheckParams>,
    body: Bytes,
) -> Response {
    let text = match text_of(body, "the draft") {
        Ok(text) => text,
        Err(e) => return e,
    };
    answer(shared, move |opened| {
        let options = passage::check::CheckOptions {
            min_words: p.min_words.unwrap_or(passage::check::DEFAULT_MIN_WORDS),
            style: p.style.unwrap_or(CitationStyle::Plain).into(),
        };
        let draft = passage::check::Draft {
            name: "<request>".into(),
            text,
        };
        let report = passage::check::check(opened, &[draft], &options)?;
        Ok((StatusCode::OK, json_of(|o| json::check(o, &report))?))
    })
    .await
}

/// `GET /api/show/{id}`: `passage show --json ID`; 404 for an ID the index
/// never had.
async fn show(State(shared): State<Arc<Shared>>, UrlPath(id): UrlPath<String>) -> Response {
    answer(shared, move |opened| {
        let (shown, _) = passage::show::show(opened, &id)?;
        let status = match shown {
            Shown::Unknown { .. } => StatusCode::NOT_FOUND,
            _ => StatusCode::OK,
        };
        Ok((status, json_of(|o| json::show(o, &shown, &id))?))
    })
    .await
}

#[derive(Deserialize)]
struct RelatedParams {
    n: Option<usize>,
}

/// `GET /api/related/{id}?n=…`: `passage related --json ID`.
async fn related(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    UrlQuery(p): UrlQuery<RelatedParams>,
) -> Response {
    answer(shared, move |opened| {
        let options = passage::search::SearchOptions {
            limit: hits(p.n, 10),
            ..Default::default()
        };
        match passage::related::related(opened, &id, &options)? {
            Some(results) => Ok((StatusCode::OK, json_of(|o| json::results(o, &results))?)),
            None => Ok((
                StatusCode::NOT_FOUND,
                error_body(
                    StatusCode::NOT_FOUND,
                    &format!("no passage has the ID {id}"),
                    None,
                ),
            )),
        }
    })
    .await
}

#[derive(Deserialize)]
struct SectionsParams {
    #[serde(default)]
    q: String,
}

/// `GET /api/sections?q=…`: `passage search --list-sections --json`.
async fn sections(
    State(shared): State<Arc<Shared>>,
    UrlQuery(p): UrlQuery<SectionsParams>,
) -> Response {
    answer(shared, move |opened| {
        let query = passage::sections::listing_query(&p.q)?;
        let toc = passage::sections::list_matching(opened, &query)?;
        Ok((StatusCode::OK, json_of(|o| json::sections(o, &toc))?))
    })
    .await
}

/// `GET /api/status`: the corpus, the index, how many files it holds, and
/// how many updates this server applied.
async fn status(State(shared): State<Arc<Shared>>) -> Response {
    answer(shared.clone(), move |opened| {
        let body = serde_json::json!({
            "corpus": shared.loc.corpus.display().to_string(),
            "index": shared.loc.index.display().to_string(),
            "files": opened.files()?.len(),
            "generation": opened.root().file_name().map(|n| n.to_string_lossy().into_owned()),
            "updates": shared.updates.load(std::sync::atomic::Ordering::Relaxed),
            "forwarded": shared.forwarded.load(std::sync::atomic::Ordering::Relaxed),
            "uptime_s": shared.started.elapsed().as_secs(),
            "version": env!("CARGO_PKG_VERSION"),
        });
        Ok((StatusCode::OK, line_of(body)))
    })
    .await
}

#[derive(Deserialize)]
struct CitationParams {
    style: Option<CitationStyle>,
}

/// `GET /api/citation/{id}?style=…`: a passage's citation, as `cite`
/// writes it (the page's copy buttons): `{"id", "style", "citation"}`.
async fn citation(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    UrlQuery(p): UrlQuery<CitationParams>,
) -> Response {
    answer(shared, move |opened| {
        let mut unreadable = passage::index::Unreadable::default();
        let style = p.style.unwrap_or(CitationStyle::Plain);
        let Some(doc) = opened.by_id(&id, &mut unreadable)?.into_iter().next() else {
            let message = format!("no passage or section has the ID {id}");
            return Ok((StatusCode::NOT_FOUND, error_body(StatusCode::NOT_FOUND, &message, None)));
        };
        let text = passage::quote::style::cite(style.into(), &doc, doc.line_start);
        let body = serde_json::json!({"id": id, "style": format!("{style:?}").to_lowercase(), "citation": text});
        Ok((StatusCode::OK, line_of(body)))
    })
    .await
}
