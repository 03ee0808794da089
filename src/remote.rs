//! The CLI's fast path: while `passage serve` runs for an index, `search`,
//! `cite`, `show`, `related` and `check` on that index are run by the
//! server, which holds the index open and current, and print what it
//! sends back: what the command would have printed alone, byte for byte
//! (see [`crate::console`]).
//!
//! The two talk over a Unix socket in the index folder (`serve.sock`, mode
//! 0600), in frames: a tag byte, a length (u32, little-endian), the bytes.
//! The client sends its command line, working folder, the environment
//! output depends on, whether its stdout and stderr are terminals, and the
//! inputs the command reads (draft and quote files, standard input); the
//! server answers `A` (accepted) at once, then what the command printed,
//! chunk by chunk (`O` stdout, `E` stderr), then `X` and the exit status.
//! Or `N` and why it will not: the client then runs the command itself and
//! says so on stderr, as it does when the server is gone or answers
//! nothing, the way a search treats a watcher it cannot trust. Or `M`: the
//! command line is not for this server (it names another index, or reads
//! inputs the client did not send): the client reads it as usual, quietly.
//!
//! A `search`, `show`, `related` or `cite` is sent before clap reads the
//! command line ([`forward_early`]: reading it takes longer than the rest
//! of the client's work); the others after ([`forward`]).

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use passage::index::sync::Sync as Synced;
use passage::index::Opened;
use passage::limits::{MAX_DRAFT_BYTES, MAX_QUOTE_BYTES};

use crate::cli::{Command, Locations};
use crate::console::{self, Remote, Stream};
use crate::exit::Exit;
use crate::messages;

/// The socket's name in the index folder.
pub const SOCKET: &str = "serve.sock";

/// The largest request line, and all inputs together (four drafts at the
/// limit): more, and the client runs the command itself.
const MAX_REQUEST: usize = 1 << 20;
const MAX_INPUTS: usize = 4 * (MAX_DRAFT_BYTES + 1);

/// How long a client waits for the server to take its request (a stopped or
/// hung server), and then for the answer.
const ACCEPT_WAIT: Duration = Duration::from_secs(2);
const ANSWER_WAIT: Duration = Duration::from_secs(120);
/// How long the server waits for a request's bytes.
const REQUEST_WAIT: Duration = Duration::from_secs(10);

#[derive(Serialize, Deserialize)]
struct Request {
    /// Which passage sent it: another build may print otherwise.
    build: String,
    args: Vec<String>,
    cwd: PathBuf,
    env: BTreeMap<String, String>,
    stdout_tty: bool,
    stderr_tty: bool,
    /// Whether the client read the inputs the command reads: a client that
    /// did not parse its command line ([`forward_early`]) sends none.
    #[serde(default)]
    inputs: bool,
}

/// This binary, told from another build: its version, index format, and
/// the size and time of its file.
pub fn build() -> String {
    let file = std::env::current_exe()
        .and_then(std::fs::metadata)
        .ok()
        .map(|m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            format!("{}.{}", m.len(), t.as_nanos())
        })
        .unwrap_or_default();
    format!(
        "{} {} {file}",
        env!("CARGO_PKG_VERSION"),
        passage::index::FORMAT
    )
}

/// The commands a server can run, with where they look.
fn served(command: &Command) -> Option<(&Locations, bool)> {
    match command {
        Command::Search(a) => Some((&a.locations, a.freshness.no_update)),
        Command::Cite(a) => Some((&a.locations, a.freshness.no_update)),
        Command::Check(a) => Some((&a.locations, a.freshness.no_update)),
        Command::Show(a) => Some((&a.locations, a.freshness.no_update)),
        Command::Related(a) => Some((&a.locations, a.freshness.no_update)),
        _ => None,
    }
}

/// The files and standard input a command reads, read as [`crate::input`]
/// reads them (the limit and one byte more). `None` when one cannot be
/// read: the command, run here, says why.
struct Inputs {
    files: Vec<(PathBuf, Vec<u8>)>,
    stdin: Option<Vec<u8>>,
}

fn inputs(command: &Command) -> Option<Inputs> {
    let mut inputs = Inputs {
        files: Vec::new(),
        stdin: None,
    };
    let stdin = |limit: usize| -> Option<Vec<u8>> {
        let bytes = console::stdin(limit as u64 + 1).ok()?;
        // Read once: if the server cannot be used, the command reads these.
        console::keep_stdin(bytes.clone());
        Some(bytes)
    };
    match command {
        Command::Cite(a) => match (&a.file, a.quote.as_slice()) {
            (Some(path), _) => {
                let bytes = crate::input::read_file(path, MAX_QUOTE_BYTES).ok()?;
                inputs.files.push((path.clone(), bytes));
            }
            (None, [dash]) if dash == "-" => inputs.stdin = Some(stdin(MAX_QUOTE_BYTES)?),
            _ => {}
        },
        Command::Check(a) => {
            for path in &a.drafts {
                if path.as_os_str() == "-" {
                    if inputs.stdin.is_none() {
                        inputs.stdin = Some(stdin(MAX_DRAFT_BYTES)?);
                    }
                } else if std::fs::metadata(path).ok()?.is_dir() {
                    return None;
                } else {
                    let bytes = crate::input::read_file(path, MAX_DRAFT_BYTES).ok()?;
                    inputs.files.push((path.clone(), bytes));
                }
            }
        }
        _ => {}
    }
    let total: usize = inputs.files.iter().map(|(_, b)| b.len()).sum::<usize>()
        + inputs.stdin.as_ref().map_or(0, Vec::len);
    (total <= MAX_INPUTS).then_some(inputs)
}

/// Whether a command reads files or standard input.
fn reads_inputs(command: &Command) -> bool {
    match command {
        Command::Cite(a) => a.file.is_some() || a.quote == ["-"],
        Command::Check(_) => true,
        _ => false,
    }
}

/// Runs the command through the index's server, if one runs: `None` when
/// the command is to run here (no server; or one that is gone, distrusted
/// or refused, said on stderr).
pub fn forward(cli: &crate::cli::Cli) -> Option<Exit> {
    let (loc, no_update) = served(&cli.command)?;
    // `--no-update` asks for the index as it is, without the watcher.
    if no_update {
        return None;
    }
    // Checked before the inputs are read: standard input is read only for
    // a server.
    if !has_socket(&loc.index) {
        return None;
    }
    let args = utf8_args()?;
    let inputs = inputs(&cli.command)?;
    through(&loc.index, args, Some(inputs))
}

/// The fast path before the command line is parsed (parsing it takes
/// longer than the rest of a search through the server): `search`,
/// `show`, `related` and `cite` without inputs to read, where the index
/// folder is found without clap (`--index`, `PASSAGE_INDEX`, passage.toml,
/// `index`). The server parses the command line; if it finds another index
/// there, or inputs to read, or anything amiss, the command line is parsed
/// here as usual, and that path may ask the server again.
pub fn forward_early() -> Option<Exit> {
    let args = utf8_args()?;
    if !matches!(
        args.get(1).map(String::as_str),
        Some("search" | "show" | "related" | "cite")
    ) {
        return None;
    }
    let options = args[2..].iter().take_while(|a| *a != "--");
    let mut index = None;
    let mut options = options.peekable();
    while let Some(a) = options.next() {
        match a.as_str() {
            // Said by clap, read from standard input or a file, or asking
            // for the index as it is: the usual path.
            "-h" | "--help" | "-V" | "--version" | "-" | "--no-update" | "--file" => return None,
            "--index" => index = Some(PathBuf::from(options.peek()?.as_str())),
            _ if a.starts_with("--file=") => return None,
            _ => {
                if let Some(v) = a.strip_prefix("--index=") {
                    index = Some(PathBuf::from(v));
                }
            }
        }
    }
    if args[2..].iter().any(|a| a == "-") {
        return None;
    }
    let index = match index {
        Some(index) => index,
        None => match std::env::var_os("PASSAGE_INDEX").filter(|v| !v.is_empty()) {
            Some(v) => PathBuf::from(v),
            None => {
                let here = std::env::current_dir().ok()?;
                match passage::settings::find(&here) {
                    Ok(Some(found)) => found.settings.index.unwrap_or_else(|| "index".into()),
                    Ok(None) => "index".into(),
                    Err(_) => return None,
                }
            }
        },
    };
    if !has_socket(&index) {
        return None;
    }
    through(&index, args, None)
}

/// Whether a server's socket is in the index folder `index`.
fn has_socket(index: &Path) -> bool {
    std::fs::symlink_metadata(index.join(SOCKET)).is_ok_and(|m| m.file_type().is_socket())
}

/// The command line, if it is UTF-8 (one that is not is run here).
fn utf8_args() -> Option<Vec<String>> {
    std::env::args_os()
        .map(OsString::into_string)
        .collect::<Result<Vec<_>, _>>()
        .ok()
}

/// Asks the server whose socket is in `index` to run the command line
/// `args` (with the inputs it reads, when read).
fn through(index: &Path, args: Vec<String>, inputs: Option<Inputs>) -> Option<Exit> {
    let socket = index.join(SOCKET);
    let cwd = std::env::current_dir().ok()?;
    // Said once: the usual path, after the early one, does not ask again.
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SAID.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let say = |why: &str| {
        SAID.store(true, std::sync::atomic::Ordering::Relaxed);
        messages::warning(format!(
            "the server of {} {why}; answering without it",
            index.display()
        ))
    };
    let stream = match UnixStream::connect(&socket) {
        Ok(s) => s,
        Err(e) => {
            let gone = e.kind() == io::ErrorKind::ConnectionRefused;
            say(&format!(
                "{} ({})",
                if gone { "is gone" } else { "cannot be reached" },
                reason(&e)
            ));
            return None;
        }
    };
    if peer_uid(&stream) != Some(unsafe { libc::geteuid() }) {
        say("is run by another user");
        return None;
    }
    let env = std::env::vars()
        .filter(|(k, _)| {
            (k.starts_with("PASSAGE_") && k != "PASSAGE_TOKEN")
                || console::VARS.contains(&k.as_str())
        })
        .collect();
    let request = Request {
        build: build(),
        args,
        cwd,
        env,
        stdout_tty: console::stdout_is_terminal(),
        stderr_tty: console::stderr_is_terminal(),
        inputs: inputs.is_some(),
    };
    match ask(
        stream,
        &request,
        inputs.unwrap_or(Inputs {
            files: Vec::new(),
            stdin: None,
        }),
    ) {
        Ok(exit) => Some(exit),
        Err(Declined::Why(why)) => {
            say(&why);
            None
        }
        Err(Declined::Quietly) => None,
    }
}

/// Why a server did not answer.
enum Declined {
    /// Said on stderr.
    Why(String),
    /// Not for it to answer, as the command line was read here (another
    /// index, inputs to read, an error clap is to say): nothing said.
    Quietly,
}

/// Sends the request and prints the answer. An error before anything was
/// printed is why the command is to run here.
fn ask(stream: UnixStream, request: &Request, inputs: Inputs) -> Result<Exit, Declined> {
    let lost = |e: io::Error| Declined::Why(format!("did not answer ({})", reason(&e)));
    let why = |bytes: Vec<u8>| Declined::Why(String::from_utf8_lossy(&bytes).into_owned());
    let unreadable = || Declined::Why("answered what this passage cannot read".into());
    let header = serde_json::to_vec(request).expect("a request serializes");
    stream
        .set_write_timeout(Some(ACCEPT_WAIT))
        .and_then(|()| stream.set_read_timeout(Some(ACCEPT_WAIT)))
        .map_err(lost)?;
    let mut w = io::BufWriter::new(&stream);
    frame(&mut w, b'R', &header).map_err(lost)?;
    for (path, bytes) in &inputs.files {
        let mut named = path.to_string_lossy().into_owned().into_bytes();
        named.push(0);
        named.extend_from_slice(bytes);
        frame(&mut w, b'F', &named).map_err(lost)?;
    }
    if let Some(bytes) = &inputs.stdin {
        frame(&mut w, b'S', bytes).map_err(lost)?;
    }
    frame(&mut w, b'Z', &[]).map_err(lost)?;
    w.flush().map_err(lost)?;
    drop(w);
    let mut r = io::BufReader::new(&stream);
    match read_frame(&mut r, MAX_REQUEST).map_err(lost)? {
        (b'A', _) => {}
        (b'N', bytes) => return Err(why(bytes)),
        (b'M', _) => return Err(Declined::Quietly),
        _ => return Err(unreadable()),
    }
    stream.set_read_timeout(Some(ANSWER_WAIT)).map_err(lost)?;
    // The answer is printed once whole: a server lost half-way leaves
    // nothing half-printed, and the command runs here.
    let mut printed = Vec::new();
    let exit = loop {
        match read_frame(&mut r, usize::MAX).map_err(lost)? {
            (b'O', bytes) => printed.push((Stream::Out, bytes)),
            (b'E', bytes) => printed.push((Stream::Err, bytes)),
            (b'X', code) => {
                break match code.first() {
                    Some(0) => Exit::Found,
                    Some(1) => Exit::NotFound,
                    _ => Exit::Error,
                }
            }
            (b'N', bytes) => return Err(why(bytes)),
            _ => return Err(unreadable()),
        }
    };
    let (mut out, mut err) = (io::stdout().lock(), io::stderr().lock());
    for (stream, bytes) in printed {
        let written = match stream {
            Stream::Out => out.write_all(&bytes).and_then(|()| out.flush()),
            Stream::Err => err.write_all(&bytes),
        };
        // A closed pipe (`| head`) is the reader saying it has enough.
        if written.is_err() && stream == Stream::Out {
            return Ok(Exit::Found);
        }
    }
    Ok(exit)
}

/// An I/O error in a few words.
fn reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => "timed out".into(),
        io::ErrorKind::UnexpectedEof => "it closed the connection".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn frame(w: &mut impl Write, tag: u8, bytes: &[u8]) -> io::Result<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| io::Error::other("frame too large"))?;
    w.write_all(&[tag])?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(bytes)
}

fn read_frame(r: &mut impl Read, max: usize) -> io::Result<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    r.read_exact(&mut head)?;
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > max {
        return Err(io::Error::other("frame too large"));
    }
    let mut bytes = Vec::new();
    r.take(len as u64).read_to_end(&mut bytes)?;
    if bytes.len() < len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok((head[0], bytes))
}

/// The user on the other end of a Unix socket.
pub fn peer_uid(stream: &UnixStream) -> Option<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for the kernel to write, and
    // `len` says how large `cred` is.
    let ok = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast(),
            &raw mut len,
        )
    };
    (ok == 0).then_some(cred.uid)
}

/// What a server offers its clients.
pub trait Resident: Send + std::marker::Sync + 'static {
    /// The corpus and index it serves, canonical.
    fn corpus(&self) -> &Path;
    fn index(&self) -> &Path;
    /// Brings the index current with every edit made before the call.
    fn sync(self: &Arc<Self>) -> Synced;
    /// The index as it is now.
    fn current(&self) -> Arc<Opened>;
    /// Runs `f` where the server runs its searches (`None`: busy too long).
    fn work<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T>;
    /// Counts a command run for a client.
    fn served(&self);
}

/// Answers one client: runs its command and sends back what it printed.
/// The connection is dropped on anything it cannot read.
pub fn answer<R: Resident>(stream: UnixStream, host: Arc<R>, build: &str) {
    let _ = answer_or_fail(stream, host, build);
}

fn answer_or_fail<R: Resident>(stream: UnixStream, host: Arc<R>, build: &str) -> io::Result<()> {
    // The socket's mode keeps other users out; this says so to root's.
    if peer_uid(&stream) != Some(unsafe { libc::geteuid() }) {
        return Ok(());
    }
    stream.set_read_timeout(Some(REQUEST_WAIT))?;
    let mut r = io::BufReader::new(&stream);
    let (tag, header) = read_frame(&mut r, MAX_REQUEST)?;
    if tag != b'R' {
        return Ok(());
    }
    let mut files = HashMap::new();
    let mut stdin = None;
    let mut left = MAX_INPUTS;
    loop {
        let (tag, bytes) = read_frame(&mut r, left)?;
        left -= bytes.len();
        match tag {
            b'F' => {
                let Some(nul) = bytes.iter().position(|&b| b == 0) else {
                    return Ok(());
                };
                let path = PathBuf::from(String::from_utf8_lossy(&bytes[..nul]).into_owned());
                files.insert(path, bytes[nul + 1..].to_vec());
            }
            b'S' => stdin = Some(bytes),
            b'Z' => break,
            _ => return Ok(()),
        }
    }
    drop(r);
    let mut w = io::BufWriter::new(&stream);
    let refuse = |w: &mut io::BufWriter<&UnixStream>, why: &str| -> io::Result<()> {
        frame(w, b'N', why.as_bytes())?;
        w.flush()
    };
    let Ok(request) = serde_json::from_slice::<Request>(&header) else {
        return refuse(&mut w, "answered what this passage cannot read");
    };
    if request.build != build {
        return refuse(&mut w, "is another build of passage");
    }
    let env: BTreeMap<String, OsString> = request
        .env
        .iter()
        .map(|(k, v)| (k.clone(), OsString::from(v)))
        .collect();
    // Not for this server: the client reads its command line itself.
    let elsewhere = |w: &mut io::BufWriter<&UnixStream>| -> io::Result<()> {
        frame(w, b'M', &[])?;
        w.flush()
    };
    let Ok(cli) = crate::cli::parse_in(
        request.args.iter().map(OsString::from).collect(),
        &request.cwd,
        &|name| env.get(name).filter(|v| !v.is_empty()).cloned(),
    ) else {
        return elsewhere(&mut w);
    };
    let Some((loc, no_update)) = served(&cli.command) else {
        return elsewhere(&mut w);
    };
    let index = std::fs::canonicalize(request.cwd.join(&loc.index)).ok();
    if no_update
        || index.as_deref() != Some(host.index())
        || (!request.inputs && reads_inputs(&cli.command))
    {
        return elsewhere(&mut w);
    }
    let corpus = request.cwd.join(&loc.corpus);
    if std::fs::canonicalize(&corpus).ok().as_deref() != Some(host.corpus()) {
        return refuse(
            &mut w,
            &format!("serves another corpus ({})", host.corpus().display()),
        );
    }
    // Taken: from here on it answers, or says why not.
    frame(&mut w, b'A', &[])?;
    w.flush()?;
    match host.sync() {
        Synced::Synced => {}
        Synced::Unwatched => return refuse(&mut w, "has no watcher"),
        Synced::Distrusted(why) | Synced::Failed(why) => {
            return refuse(
                &mut w,
                &format!("cannot vouch for its index (the watcher {why})"),
            )
        }
    }
    host.served();
    let resident = {
        let host = host.clone();
        let first = std::cell::Cell::new(true);
        // The first call is synced above; another (a command that reads
        // again after a file changed under it) syncs again.
        Box::new(move || {
            if !first.replace(false) {
                host.sync();
            }
            host.current()
        })
    };
    let remote = Remote {
        stdout_tty: request.stdout_tty,
        stderr_tty: request.stderr_tty,
        env: env.into_iter().collect(),
        stdin,
        files,
        resident,
        printed: Vec::new(),
    };
    let Some((exit, remote)) = host.work(move || console::run_for(remote, || crate::execute(cli)))
    else {
        return refuse(&mut w, "is busy");
    };
    for (stream, bytes) in &remote.printed {
        let tag = match stream {
            Stream::Out => b'O',
            Stream::Err => b'E',
        };
        frame(&mut w, tag, bytes)?;
    }
    frame(&mut w, b'X', &[exit.code()])?;
    w.flush()
}
