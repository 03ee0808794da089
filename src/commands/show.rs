//! `passage show`: print a passage by its ID.

use super::*;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The passage (or section) ID.
    #[arg(value_name = "ID")]
    pub id: String,
    /// For an ID whose passage was edited or removed, print what stands
    /// in its place now (without it, stderr only names it: a script
    /// keeping stdout never keeps another passage's text).
    #[arg(long)]
    pub follow: bool,
    #[command(flatten)]
    pub output: Output,
    #[command(flatten)]
    pub locations: Locations,
    #[command(flatten)]
    pub freshness: Freshness,
}

/// `passage show`.
pub fn run(args: &ShowArgs) -> Result<Exit> {
    let opened = open_fresh(&args.locations, args.freshness.no_update)?;
    let (shown, unreadable) = run_show(&opened, &args.id)?;
    messages::notices(&Notice::unreadable(&unreadable).collect::<Vec<_>>());
    let mut out = stdout();
    let replaced = matches!(
        shown,
        Shown::Edited { .. }
            | Shown::Removed {
                closest: Some(_),
                ..
            }
    );
    if args.output.json {
        json::show(&mut out, &shown, &args.id)?;
    } else if args.follow || !replaced {
        text::show(&mut out, &shown, args.output.style())?;
    }
    out.flush()?;
    match &shown {
        Shown::Found { .. } => Ok(Exit::Found),
        other if replaced && !args.output.json && !args.follow => {
            messages::info(format!("{} (--follow prints it)", other.message()));
            Ok(Exit::NotFound)
        }
        other => {
            messages::info(other.message());
            Ok(Exit::found_if(replaced && args.follow))
        }
    }
}
