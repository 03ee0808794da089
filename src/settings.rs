//! `passage.toml`: where the corpus and the index are, and a project's
//! defaults (`-n`, colour, citation style), found as git finds `.git`: in
//! the current folder or the nearest one above it. Written by
//! `passage init`. Flags override it, and `PASSAGE_CORPUS` /
//! `PASSAGE_INDEX` override its paths.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The settings file's name.
pub const FILE: &str = "passage.toml";

/// What a `passage.toml` may say; every field optional.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The corpus folder (or file), relative to the settings file.
    pub corpus: Option<PathBuf>,
    /// The index folder, relative to the settings file.
    pub index: Option<PathBuf>,
    /// Results per search, cite and related (`-n`).
    pub limit: Option<usize>,
    /// `auto`, `always` or `never`.
    pub color: Option<String>,
    /// The citation style: `plain`, `markdown` or `mla`.
    pub style: Option<String>,
}

/// A settings file found, its paths made relative to the current folder's
/// view (joined to the file's folder).
#[derive(Debug, Clone)]
pub struct Found {
    /// The file.
    pub file: PathBuf,
    /// What it says, `corpus` and `index` joined to its folder.
    pub settings: Settings,
}

/// The nearest `passage.toml` in `start` or a folder above it, read.
pub fn find(start: &Path) -> Result<Option<Found>> {
    for dir in start.ancestors() {
        let file = dir.join(FILE);
        if file.is_file() {
            return read(&file).map(Some);
        }
    }
    Ok(None)
}

/// Reads one settings file; a bad one is an error naming its line.
pub fn read(file: &Path) -> Result<Found> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
        path: file.to_path_buf(),
        source: e,
    })?;
    let mut settings: Settings = toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            1 + text[..s.start.min(text.len())].matches('\n').count()
        });
        Error::Corpus {
            path: PathBuf::from(format!("{}:{line}", file.display())),
            message: e.message().to_string(),
        }
    })?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let join = |p: Option<PathBuf>| {
        p.map(|p| {
            if p.is_absolute() {
                p
            } else {
                tidy(&dir.join(p))
            }
        })
    };
    settings.corpus = join(settings.corpus);
    settings.index = join(settings.index);
    Ok(Found {
        file: file.to_path_buf(),
        settings,
    })
}

/// `a/b/./../c` as `a/c`, without asking the file system (the index may
/// not exist yet): what a person reads in `status` and the messages.
fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Writes `dir/passage.toml` for the corpus there: `corpus/` and `index/`
/// when `dir` holds a `corpus` folder (a project), else `dir` itself as the
/// corpus and its index beside it (never inside: a watcher of the corpus
/// would see the index's own writes). Refuses to overwrite one.
pub fn init(dir: &Path) -> Result<(PathBuf, Settings)> {
    let file = dir.join(FILE);
    if file.exists() {
        return Err(Error::Corpus {
            path: file,
            message: "already exists; edit it, or remove it to start again".into(),
        });
    }
    let (corpus, index) = if dir.join("corpus").is_dir() {
        ("corpus".to_string(), "index".to_string())
    } else {
        let name = std::fs::canonicalize(dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "corpus".into());
        (".".to_string(), format!("../{name}-index"))
    };
    let text = format!(
        "# passage settings: every passage command run in this folder or below it\n\
         # uses them. Paths are relative to this file; flags, PASSAGE_CORPUS and\n\
         # PASSAGE_INDEX override them.\n\
         corpus = {corpus:?}\n\
         index = {index:?}\n\
         # limit = 10        # results per search, cite and related (-n)\n\
         # color = \"auto\"    # auto, always or never\n\
         # style = \"plain\"   # citation style: plain, markdown or mla\n"
    );
    std::fs::write(&file, text).map_err(|e| Error::Io {
        path: file.clone(),
        source: e,
    })?;
    let found = read(&file)?;
    Ok((file, found.settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_upward_with_paths_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("corpus/deep/er")).unwrap();
        let (file, s) = init(dir.path()).unwrap();
        assert_eq!(s.corpus, Some(dir.path().join("corpus")));
        assert_eq!(s.index, Some(dir.path().join("index")));
        let found = find(&dir.path().join("corpus/deep/er")).unwrap().unwrap();
        assert_eq!(found.file, file);
        assert_eq!(found.settings, s);
        // Not twice.
        assert!(init(dir.path()).is_err());
    }

    #[test]
    fn paths_are_tidied_without_the_file_system() {
        assert_eq!(
            tidy(Path::new("/a/wiki/./../wiki-index")),
            Path::new("/a/wiki-index")
        );
        assert_eq!(tidy(Path::new("./.")), Path::new("."));
        assert_eq!(tidy(Path::new("../x")), Path::new("../x"));
        assert_eq!(tidy(Path::new("a/b/..")), Path::new("a"));
    }

    #[test]
    fn a_bad_file_is_an_error_naming_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        std::fs::write(&file, "corpus = \"c\"\ncolour = \"never\"\n").unwrap();
        let e = read(&file).unwrap_err().to_string();
        assert!(e.contains("passage.toml:2"), "{e}");
        assert!(e.contains("colour"), "{e}");
    }
}
