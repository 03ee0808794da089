//! `passage index`: bring the index up to date with the corpus.

use super::*;

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub locations: Locations,
    /// Rebuild from scratch instead of applying only what changed.
    #[arg(long)]
    pub full: bool,
    /// Give each paragraph 64 bits of its meaning under the Model2Vec
    /// model in DIR (a folder holding config.json, tokenizer.json and
    /// model.safetensors; nothing is downloaded), so that searches also
    /// find passages that say it in other words. The index remembers it:
    /// later updates and searches use it. Another model rebuilds the index.
    #[arg(long, value_name = "DIR", conflicts_with = "no_model")]
    pub model: Option<std::path::PathBuf>,
    /// Drop the index's model (rebuilds the index without it).
    #[arg(long)]
    pub no_model: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Only merge the index's small segments, if it has too many (what
    /// commands start in the background after updating it).
    #[arg(long, hide = true, conflicts_with_all = ["full", "json", "model", "no_model"])]
    pub merge: bool,
}

/// `passage index`.
pub fn run(args: &IndexArgs) -> Result<Exit> {
    if args.merge {
        IndexDir::new(&args.locations.index).merge(&args.locations.corpus)?;
        return Ok(Exit::Found);
    }
    let report = update(
        &args.locations,
        UpdateOptions {
            full: args.full,
            model: match (&args.model, args.no_model) {
                (Some(dir), _) => ModelChoice::Use(dir.clone()),
                (None, true) => ModelChoice::Drop,
                (None, false) => ModelChoice::Keep,
            },
        },
        Problems::All,
    )?;
    if report.committed {
        merge_later(&args.locations);
    }
    let mut out = stdout();
    if args.json {
        json::report(&mut out, &report)?;
    } else {
        text::report(&mut out, &report)?;
    }
    out.flush()?;
    Ok(if report.skipped.is_empty() {
        Exit::Found
    } else {
        Exit::Error
    })
}
