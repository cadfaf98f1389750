//! Files replaced whole: the new bytes written to a temporary file beside
//! the target, synced, and renamed over it, so a reader sees the old file
//! or the new one, never half (the catalog and its caches, the caches
//! beside the index, the index's states and `CURRENT`, reports). A leaf
//! module: the corpus, the index, the application layer and the command
//! line all write through it.

use std::path::Path;

use crate::error::{Error, Result};

/// Write `bytes` to `path` via a temporary file in the same directory and a
/// rename. The file keeps the mode of the file it replaces, or else gets the
/// mode any new file gets (0666 less the umask), not a temporary file's
/// 0600: a corpus shared with other users stays readable by them.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a file in {}", dir.display()), e))?;
    if let Ok(old) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(old.permissions());
    }
    persist_synced(tmp, path, bytes)
}

/// Write `bytes` into `tmp` (a temporary file beside `path`), sync it and
/// rename it to `path`.
pub fn persist_synced(mut tmp: tempfile::NamedTempFile, path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    tmp.write_all(bytes)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(format!("syncing {}", path.display()), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("replacing {}", path.display()), e.error))?;
    Ok(())
}
