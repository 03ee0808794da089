//! Meaning beyond the words typed: a static embedding model in Model2Vec's
//! format (a `tokenizer.json`, a `model.safetensors` and a `config.json`,
//! as the potion models ship), read from a folder the user names. Nothing
//! is fetched: a folder that is not there is an error, never a download.
//!
//! A model turns a text into one vector, the mean of its tokens' rows. The
//! index keeps 64 bits of each paragraph's vector (the signs of its first
//! 64 dimensions, [`Model::code`]), which is enough to find the nearest
//! paragraphs of a query among hundreds of thousands in a few
//! milliseconds; the few found are re-read and compared exactly.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use model2vec_rs::model::StaticModel;

use crate::error::{Error, Result};

/// The files a model folder holds.
const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// A loaded model.
pub struct Model {
    inner: StaticModel,
    dir: PathBuf,
    print: u64,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("dir", &self.dir)
            .field("print", &self.print)
            .finish()
    }
}

impl Model {
    /// Loads the model in `dir`.
    pub fn open(dir: &Path) -> Result<Model> {
        let print = fingerprint(dir)?;
        let err = |message: String| Error::Model {
            path: dir.to_path_buf(),
            message,
        };
        // The crate's own messages name no file: say which is wrong.
        let inner = StaticModel::from_pretrained(dir, None, None, None)
            .map_err(|e| err(format!("not a Model2Vec model ({e:#})")))?;
        if inner.dim() == 0 {
            return Err(err("its vectors have no dimensions".into()));
        }
        Ok(Model {
            inner,
            dir: dir.to_path_buf(),
            print,
        })
    }

    /// The folder it was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What identifies the model's files as they were loaded (see
    /// [`fingerprint`]).
    pub fn print(&self) -> u64 {
        self.print
    }

    /// The folder's name, to name the model in explanations.
    pub fn name(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.dir.display().to_string())
    }

    /// A text's vector, of unit length (zero for a text of no known
    /// token). Texts are cut at 512 tokens, as the model was trained.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut v = self.inner.encode_single(text);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }

    /// The 64 bits the index keeps of a vector: the sign of each of its
    /// first 64 dimensions (a model of fewer leaves the rest 0). Potion
    /// models' dimensions are principal components, centred and in order
    /// of variance, so the first carry most of what tells texts apart.
    pub fn code(v: &[f32]) -> u64 {
        v.iter()
            .take(64)
            .enumerate()
            .filter(|(_, x)| **x > 0.0)
            .fold(0u64, |c, (i, _)| c | (1 << i))
    }
}

/// How many of two codes' bits differ: the smaller, the closer the texts.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// What identifies a model folder's files without reading 30 MB of weights
/// on every search: each file's size and modification time, mixed. A model
/// replaced by another changes it; the index then says its codes are of
/// another model instead of comparing vectors of two.
pub fn fingerprint(dir: &Path) -> Result<u64> {
    // FNV-1a: stable across builds, as the index keeps what it gives.
    let mut print: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |bytes: &[u8]| {
        for b in bytes {
            print = (print ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for name in FILES {
        let path = dir.join(name);
        let meta = std::fs::metadata(&path).map_err(|e| Error::Model {
            path: dir.to_path_buf(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "no {name} here (a Model2Vec model folder holds {})",
                    FILES.join(", ")
                )
            } else {
                format!("{name}: {e}")
            },
        })?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        mix(name.as_bytes());
        mix(&meta.len().to_le_bytes());
        mix(&mtime.to_le_bytes());
    }
    Ok(print)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_holds_the_signs_of_the_first_64_dimensions() {
        let mut v = vec![-0.1f32; 70];
        v[0] = 0.5;
        v[3] = 0.2;
        v[65] = 0.9; // past 64: not kept
        assert_eq!(Model::code(&v), 0b1001);
        assert_eq!(Model::code(&[0.1, -0.1]), 1);
        assert_eq!(distance(0b1001, 0b0011), 2);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let e = Model::open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("no config.json here"), "{e}");
    }
}
