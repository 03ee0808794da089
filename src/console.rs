//! Where a command's output goes and what it knows of its terminal: the
//! process's own stdout, stderr and stdin, or, for a command a running
//! `passage serve` runs on behalf of a CLI process (see [`crate::remote`]),
//! that process's, captured on the thread that runs it.
//!
//! Every command writes through here, so that the server's answer is what
//! the command would have printed alone: the same bytes, in the same order
//! between stdout and stderr, coloured by the client's terminal.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use passage::index::Opened;

/// Which stream a chunk of output went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// A command run for another process: what it knows of that process, and
/// what it printed.
pub struct Remote {
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// The client's environment, as far as output depends on it (`NO_COLOR`,
    /// `TERM`).
    pub env: HashMap<String, OsString>,
    /// Its standard input, read by the client.
    pub stdin: Option<Vec<u8>>,
    /// The files it names (drafts, a quote), read by the client with the
    /// same limits as [`crate::input`] reads them.
    pub files: HashMap<PathBuf, Vec<u8>>,
    /// The server's index, brought current with every edit made before the
    /// call.
    pub resident: Box<dyn Fn() -> Arc<Opened> + Send>,
    /// What it printed, in order.
    pub printed: Vec<(Stream, Vec<u8>)>,
}

thread_local! {
    static REMOTE: RefCell<Option<Remote>> = const { RefCell::new(None) };
}

/// Standard input read before a command ran (by a client that then could
/// not use its server): the command's first read gives it.
static STDIN_READ: Mutex<Option<Vec<u8>>> = Mutex::new(None);

/// Runs `f` as a command run for another process, and gives back what it
/// printed with what it returned.
pub fn run_for<T>(remote: Remote, f: impl FnOnce() -> T) -> (T, Remote) {
    REMOTE.with(|r| *r.borrow_mut() = Some(remote));
    // Taken back even when `f` panics (the caller catches the panic).
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            REMOTE.with(|r| r.borrow_mut().take());
        }
    }
    let clear = Clear;
    let value = f();
    let remote = REMOTE.with(|r| r.borrow_mut().take()).expect("set above");
    drop(clear);
    (value, remote)
}

fn with_remote<T>(f: impl FnOnce(&mut Remote) -> T) -> Option<T> {
    REMOTE.with(|r| r.borrow_mut().as_mut().map(f))
}

/// Whether stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    with_remote(|r| r.stdout_tty).unwrap_or_else(|| io::stdout().is_terminal())
}

/// Whether stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    with_remote(|r| r.stderr_tty).unwrap_or_else(|| io::stderr().is_terminal())
}

/// An environment variable that changes what is printed.
pub fn var_os(name: &str) -> Option<OsString> {
    with_remote(|r| r.env.get(name).cloned()).unwrap_or_else(|| std::env::var_os(name))
}

/// The environment variables [`var_os`] is asked for: what a client sends.
pub const VARS: [&str; 2] = ["NO_COLOR", "TERM"];

/// The server's index, when running for another process.
pub fn resident() -> Option<Arc<Opened>> {
    with_remote(|r| (r.resident)())
}

/// Stdout, locked, line-buffered on a terminal and block-buffered otherwise.
pub fn stdout() -> Box<dyn Write> {
    let tty = stdout_is_terminal();
    let inner: Box<dyn Write> = if with_remote(|_| ()).is_some() {
        Box::new(Capture(Stream::Out))
    } else {
        Box::new(io::stdout().lock())
    };
    if tty {
        Box::new(io::LineWriter::new(inner))
    } else {
        Box::new(io::BufWriter::new(inner))
    }
}

/// Writes one line to stderr; a failure to write is ignored (a diagnostic
/// must never turn into a panic).
pub fn err_line(text: &str) {
    let captured = with_remote(|r| {
        let mut line = text.as_bytes().to_vec();
        line.push(b'\n');
        push(r, Stream::Err, &line);
    });
    if captured.is_none() {
        let _ = writeln!(io::stderr().lock(), "{text}");
    }
}

fn push(r: &mut Remote, stream: Stream, bytes: &[u8]) {
    match r.printed.last_mut() {
        Some((s, b)) if *s == stream => b.extend_from_slice(bytes),
        _ => r.printed.push((stream, bytes.to_vec())),
    }
}

/// A writer into what a remote command printed.
struct Capture(Stream);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        with_remote(|r| push(r, self.0, buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Standard input, up to `limit` bytes. Read once, it is at its end, as a
/// second `-` finds it.
pub fn stdin(limit: u64) -> io::Result<Vec<u8>> {
    if let Some(bytes) = with_remote(|r| r.stdin.take()) {
        return Ok(bytes.unwrap_or_default());
    }
    let kept = STDIN_READ
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(mut bytes) = kept {
        bytes.truncate(limit as usize);
        return Ok(bytes);
    }
    let mut bytes = Vec::new();
    io::stdin().lock().take(limit).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Keeps standard input, read by a client that then could not use its
/// server, for the command to read.
pub fn keep_stdin(bytes: Vec<u8>) {
    *STDIN_READ.lock().unwrap_or_else(PoisonError::into_inner) = Some(bytes);
}

/// A file the client read for a remote command (`None`: read it here).
pub fn file(path: &Path) -> Option<Vec<u8>> {
    with_remote(|r| r.files.get(path).cloned()).flatten()
}
