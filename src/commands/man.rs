//! `passage man`: the manual pages, in roff.

use super::*;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand, for its own page (passage-search(1)).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// `passage man [COMMAND]`: the manual page in roff, from the same
/// definitions that parse the arguments; `passage man search` is the page
/// of one subcommand (`passage-search(1)`), as git splits its pages.
pub fn run(args: &ManArgs) -> Result<Exit> {
    use clap::CommandFactory;
    let cmd = crate::cli::Cli::command();
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                anyhow::bail!("no manual page for '{name}' (pages: {})", names.join(", "));
            };
            let full = format!("passage-{name}");
            sub.clone()
                .name(full.clone())
                .display_name(full)
                .version(cmd.get_version().unwrap_or_default().to_string())
        }
    };
    let mut out = stdout();
    let extra = page.get_after_long_help().map(|h| h.to_string());
    let man = clap_mangen::Man::new(page.clone());
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if page.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if page.has_subcommands() {
        man.render_subcommands_section(&mut out)?;
    }
    if let Some(extra) = extra {
        // Laid out as written (the query table's columns), not refilled
        // into runs of words: roff's no-fill mode.
        writeln!(out, ".SH EXTRA\n.nf")?;
        for line in extra.lines() {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            let lead = if line.starts_with(['.', '\'']) {
                "\\&"
            } else {
                ""
            };
            writeln!(out, "{lead}{line}")?;
        }
        writeln!(out, ".fi")?;
    }
    if page.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    out.flush()?;
    Ok(Exit::Found)
}
