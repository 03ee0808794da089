//! `passage related`: the passages most similar to one passage.

use super::*;

#[derive(Debug, Args)]
pub struct RelatedArgs {
    /// The passage ID.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Most passages to show; 0 shows none, only how many there are.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10, value_parser = hit_count)]
    pub limit: usize,
    #[command(flatten)]
    pub output: Output,
    #[command(flatten)]
    pub locations: Locations,
    #[command(flatten)]
    pub freshness: Freshness,
}

/// `passage related`.
pub fn run(args: &RelatedArgs) -> Result<Exit> {
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let opts = passage::search::SearchOptions {
        limit: args.limit.min(passage::limits::MAX_HITS),
        ..Default::default()
    };
    let mut found = passage::related::related(&opened, &args.id, &opts)?;
    if found.is_none() {
        // An edited passage: its current version, as `show` follows it.
        if let (Shown::Edited { docs, .. }, _) = run_show(&opened, &args.id)? {
            if let Some(current) = docs.first() {
                messages::note(format!(
                    "{} no longer exists: its passage was edited; passages related to its current version {}",
                    args.id, current.id
                ));
                found = passage::related::related(&opened, &current.id, &opts)?;
            }
        }
    }
    let Some(mut results) = found else {
        messages::info(format!(
            "no passage has the ID {} (try `passage show {}`)",
            args.id, args.id
        ));
        return Ok(Exit::NotFound);
    };
    if let Some(capped) = passage::guard::hits_capped(args.limit) {
        results.filter_notes.push(capped);
    }
    print_results(
        &results,
        args.output.json,
        args.output.style(),
        "no related passages",
    )
}
