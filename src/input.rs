//! Reading what `cite` and `check` are given as files or on standard
//! input (a quote, drafts): size limits, UTF-8, and one-line errors that
//! name the file, before any index is opened.

use std::io::{self, Read};
use std::path::Path;

use anyhow::{Context, Result};

/// A quote from a file, or from standard input (`None`), without the line
/// break that ends it.
pub fn quote(path: Option<&Path>) -> Result<String> {
    let limit = passage::limits::MAX_QUOTE_BYTES;
    let name = path.map_or("standard input".to_string(), |p| p.display().to_string());
    let bytes = match path {
        Some(p) => match crate::console::file(p) {
            Some(bytes) => bytes,
            None => {
                read_file(p, limit).with_context(|| format!("{name}: cannot read the quote"))?
            }
        },
        None => crate::console::stdin(limit as u64 + 1)
            .context("cannot read the quote from standard input")?,
    };
    if bytes.len() > limit {
        anyhow::bail!("{name}: the quote is longer than {limit} bytes, the limit");
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{name}: the quote is not UTF-8 text"))?;
    Ok(text.trim_end_matches(['\n', '\r']).to_string())
}

/// A draft's text: `-` is standard input; a file that is not UTF-8 text
/// (a binary, a PDF) or larger than [`passage::limits::MAX_DRAFT_BYTES`] is
/// refused.
pub fn draft(path: &Path) -> Result<passage::check::Draft> {
    let limit = passage::limits::MAX_DRAFT_BYTES;
    let (name, bytes) = if path.as_os_str() == "-" {
        let bytes = crate::console::stdin(limit as u64 + 1)
            .context("cannot read the draft from standard input")?;
        ("<stdin>".to_string(), bytes)
    } else {
        let name = path.display().to_string();
        let bytes = match crate::console::file(path) {
            Some(bytes) => bytes,
            None => {
                let file = std::fs::File::open(path)
                    .with_context(|| format!("{name}: cannot read the draft"))?;
                if file.metadata().is_ok_and(|m| m.is_dir()) {
                    anyhow::bail!("{name}: is a folder, not a draft");
                }
                let mut bytes = Vec::new();
                file.take(limit as u64 + 1)
                    .read_to_end(&mut bytes)
                    .with_context(|| format!("{name}: cannot read the draft"))?;
                bytes
            }
        };
        (name, bytes)
    };
    if bytes.len() > limit {
        anyhow::bail!(
            "{name}: the draft is larger than {} MB, the limit",
            limit / 1_000_000
        );
    }
    if bytes.contains(&0) {
        anyhow::bail!("{name}: not a text file (it holds NUL bytes)");
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    // A byte-order mark is not a character an editor counts in a column.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(passage::check::Draft { name, text })
}

/// Up to `limit` + 1 bytes of a file: one more than allowed tells it is too
/// large without reading all of it.
pub fn read_file(path: &Path, limit: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
