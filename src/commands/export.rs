//! `passage export`: every indexed document with its text, as NDJSON.

use super::*;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Newline-delimited JSON (the only format, and the default).
    #[arg(long)]
    pub ndjson: bool,
    #[command(flatten)]
    pub locations: Locations,
    #[command(flatten)]
    pub freshness: Freshness,
}

/// `passage export --ndjson`.
pub fn run(args: &ExportArgs) -> Result<Exit> {
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let mut out = stdout();
    let (n, unreadable) =
        passage::export::for_each_document(&opened, |d| json::document_line(&mut out, d))?;
    out.flush()?;
    // Streamed: what could not be read is known only at the end.
    messages::notices(&Notice::unreadable(&unreadable).collect::<Vec<_>>());
    Ok(Exit::found_if(n > 0))
}
