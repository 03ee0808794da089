//! `passage init`: write a passage.toml.

use super::*;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder: a project holding `corpus/`, or the corpus itself.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

/// `passage init [DIR]`.
pub fn run(args: &InitArgs) -> Result<Exit> {
    let (file, settings) = passage::settings::init(&args.dir)?;
    let show = |p: &Option<std::path::PathBuf>| p.as_deref().map(|p| p.display().to_string());
    messages::info(format!(
        "wrote {} (corpus: {}, index: {})",
        file.display(),
        show(&settings.corpus).unwrap_or_default(),
        show(&settings.index).unwrap_or_default()
    ));
    Ok(Exit::Found)
}
