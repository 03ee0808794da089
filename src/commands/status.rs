//! `passage status`: which corpus and index a command here would use, and whether the index is current.

use super::*;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print it as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub locations: Locations,
}

/// `passage status`: the corpus and index a command here would use, where
/// each comes from, and whether the index is current.
pub fn run(args: &StatusArgs) -> Result<Exit> {
    let loc = &args.locations;
    let opened = IndexDir::new(&loc.index).open(&loc.corpus)?;
    // One walk of the corpus: the staleness check's, when there is an index.
    let (files, indexed, stale) = match &opened {
        Some(o) => {
            let (stale, scan) = o.staleness().stale_scan(&loc.corpus)?;
            (scan.files_found(), Some(o.files()?.len()), stale)
        }
        None => (
            passage::corpus::walk(&loc.corpus)?.files.len(),
            None,
            Vec::new(),
        ),
    };
    let state = match (indexed, stale.len()) {
        (None, _) => "no index yet (the first search builds it)".to_string(),
        (Some(_), 0) => "current".to_string(),
        (Some(_), 1) => format!(
            "1 file changed since it was built: {} (the next search updates it)",
            stale[0]
        ),
        (Some(_), n) => format!(
            "{} files changed since it was built (the next search updates it)",
            messages::thousands(n)
        ),
    };
    // The model whose meaning the paragraphs carry (`index --model`).
    let model = opened
        .as_ref()
        .map(|o| o.payload.model.clone())
        .filter(|m| !m.is_empty());
    let mut out = stdout();
    if args.json {
        #[derive(serde::Serialize)]
        struct Place {
            path: String,
            from: String,
        }
        #[derive(serde::Serialize)]
        struct Status {
            corpus: Place,
            index: Place,
            files: usize,
            indexed_files: Option<usize>,
            changed: Vec<String>,
            current: bool,
            model: Option<String>,
        }
        let s = Status {
            corpus: Place {
                path: loc.corpus.display().to_string(),
                from: loc.from.0.to_string(),
            },
            index: Place {
                path: loc.index.display().to_string(),
                from: loc.from.1.to_string(),
            },
            files,
            indexed_files: indexed,
            current: indexed.is_some() && stale.is_empty(),
            changed: stale,
            model,
        };
        serde_json::to_writer(&mut out, &s)?;
        writeln!(out)?;
    } else {
        let san = text::sanitize;
        writeln!(
            out,
            "corpus: {}  (from {})",
            san(&loc.corpus.display().to_string()),
            san(&loc.from.0.to_string())
        )?;
        writeln!(
            out,
            "index:  {}  (from {})",
            san(&loc.index.display().to_string()),
            san(&loc.from.1.to_string())
        )?;
        let articles = if files == 1 { "article" } else { "articles" };
        writeln!(
            out,
            "files:  {} {articles}; index {}",
            messages::thousands(files),
            san(&state)
        )?;
        if let Some(m) = model {
            writeln!(out, "model:  {}", san(&m))?;
        }
    }
    out.flush()?;
    Ok(Exit::Found)
}
