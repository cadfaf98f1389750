//! The similarity model's document frequencies, cached beside the index so
//! that `diff` and `compare` on a large corpus do not re-parse every
//! document. The cache key covers everything the frequencies depend on.

use std::path::{Path, PathBuf};

use super::similarity::SimilarityModel;
use crate::error::Result;

const PREFIX: &str = "similarity-";

fn path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{PREFIX}{key}.bin"))
}

/// Load the model cached under `key` in `dir`, or build it with `build`,
/// store it (atomically) and remove caches for other keys. A cache that
/// cannot be written is not an error: the model is returned all the same.
pub fn load_or_build(
    dir: &Path,
    key: &str,
    build: impl FnOnce() -> Result<SimilarityModel>,
) -> Result<SimilarityModel> {
    let file = path(dir, key);
    if let Some(model) = std::fs::read(&file)
        .ok()
        .and_then(|b| SimilarityModel::from_bytes(&b))
    {
        return Ok(model);
    }
    let model = build()?;
    if std::fs::create_dir_all(dir).is_ok()
        && crate::corpus::catalog::write_atomic(&file, &model.to_bytes()).is_ok()
    {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(PREFIX) && e.path() != file {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
    Ok(model)
}
