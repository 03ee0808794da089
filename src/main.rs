//! The `passage` binary: parses arguments, runs one subcommand and turns
//! its outcome into an exit status (0 found, 1 not found, 2 error).

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;

fn main() -> ExitCode {
    match run(cli::Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`| head`) is the reader saying it has enough.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("passage: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        cli::Command::Index(args) => commands::index(args),
        cli::Command::Search(args) => commands::search(args),
        cli::Command::Cite(args) => commands::cite(args),
        cli::Command::Show(args) => commands::show(args),
        cli::Command::Related(args) => commands::related(args),
        cli::Command::Watch(args) => commands::watch(args),
        cli::Command::Export(args) => commands::export(args),
    }
}

// Indexing allocates a small string per word; mimalloc serves that
// pattern faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
