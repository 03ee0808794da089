//! `passage completions`: a completion script for a shell.

use super::*;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `passage completions SHELL`: the script clap_complete writes from the
/// same definitions that parse the arguments, so it cannot drift.
pub fn run(args: &CompletionsArgs) -> Result<Exit> {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    let mut out = stdout();
    clap_complete::generate(args.shell, &mut cmd, "passage", &mut out);
    out.flush()?;
    Ok(Exit::Found)
}
