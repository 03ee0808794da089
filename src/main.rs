//! The `passage` binary: parses arguments, runs one subcommand and turns
//! its outcome into an exit status (0 found, 1 not found, 2 error).

use std::process::ExitCode;

use exit::Exit;

mod cli;
mod commands;
mod console;
mod exit;
mod input;
mod messages;
mod remote;

fn main() -> ExitCode {
    quiet_panics();
    if let Some(exit) = remote::forward_early() {
        return exit.into();
    }
    let cli = cli::parse();
    // A running `passage serve` answers for this index, if it can.
    if let Some(exit) = remote::forward(&cli) {
        return exit.into();
    }
    execute(cli).into()
}

/// Runs a parsed command line to its end: errors (and panics) said in one
/// line through [`messages`], the outcome an exit status. A server runs
/// its clients' commands through here too.
fn execute(cli: cli::Cli) -> Exit {
    // When reading the index fails, rebuilding it is the way out; when
    // writing it fails (a full disk), it is not.
    let reads = !matches!(
        cli.command,
        cli::Command::Index(_) | cli::Command::Watch(_) | cli::Command::Serve(_)
    );
    let outcome = match std::panic::catch_unwind(|| run(cli)) {
        Ok(outcome) => outcome,
        // Already said in one line by the hook.
        Err(_) => return Exit::Error,
    };
    match outcome {
        Ok(exit) => exit,
        Err(err) => {
            // A closed pipe (`| head`) is the reader saying it has enough.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return Exit::Found;
            }
            // The chain may quote a query or a file name: messages keeps
            // escapes in it from acting on the terminal.
            messages::error(one_line(&err, reads));
            Exit::Error
        }
    }
}

/// The error and its causes on one line, each cause once (a library error
/// that quotes its cause would otherwise show it twice), with a way out
/// when tantivy could not read the index.
fn one_line(err: &anyhow::Error, reads: bool) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if out.contains(&s) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&s);
    }
    if reads
        && err
            .chain()
            .any(|e| matches!(e.downcast_ref(), Some(passage::Error::Index { .. })))
    {
        out.push_str(" (if the index is damaged, `passage index --full` rebuilds it)");
    }
    out
}

/// A panic (a bug, or index files damaged in a way no check caught) is
/// reported as one line on stderr, not a stack trace; `RUST_BACKTRACE`
/// brings the trace back for debugging.
fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::env::var_os("RUST_BACKTRACE").is_some() {
            return default(info);
        }
        let payload = info.payload();
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("panic");
        let at = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        messages::error(format!(
            "internal error: {what}{at} (if the index is damaged, `passage index --full` rebuilds it)"
        ));
    }));
}

fn run(cli: cli::Cli) -> anyhow::Result<Exit> {
    match &cli.command {
        cli::Command::Index(args) => commands::index::run(args),
        cli::Command::Search(args) => commands::search::run(args),
        cli::Command::Cite(args) => commands::cite::run(args),
        cli::Command::Check(args) => commands::check::run(args),
        cli::Command::Show(args) => commands::show::run(args),
        cli::Command::Related(args) => commands::related::run(args),
        cli::Command::Watch(args) => commands::watch::run(args),
        cli::Command::Serve(args) => commands::serve::run(args),
        cli::Command::Export(args) => commands::export::run(args),
        cli::Command::Completions(args) => commands::completions::run(args),
        cli::Command::Man(args) => commands::man::run(args),
        cli::Command::Init(args) => commands::init::run(args),
        cli::Command::Status(args) => commands::status::run(args),
    }
}

// Indexing allocates a small string per word; mimalloc serves that
// pattern faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
