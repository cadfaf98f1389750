//! Files an `add` has written but not yet recorded in the catalog.
//!
//! `add` writes each document's files first and the catalog once at the
//! end, so an interrupted add (Ctrl-C, a kill, a crash) leaves files no
//! catalog entry refers to. Before writing a file it appends the file's
//! relative path to `<corpus>/.adding`; once the catalog is saved it
//! removes that list. A later command that finds the list while no other
//! process holds the corpus's write lock removes the listed files the
//! catalog does not refer to, then the list. Only files the tool wrote are
//! ever removed, and finding out costs one `stat`, whatever the corpus size.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::catalog::Catalog;
use crate::error::{Error, Result};

/// The list of files an unfinished add wrote, in the corpus directory.
pub const PENDING_FILE: &str = ".adding";

/// Append `rel` (a path relative to the corpus) to the list before the
/// file is written.
pub fn note(dir: &Path, rel: &str) -> Result<()> {
    let path = dir.join(PENDING_FILE);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    writeln!(f, "{rel}").map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// The add finished (its catalog saved, or its files removed): drop the list.
pub fn done(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(PENDING_FILE));
}

/// Is there a list an interrupted add left? (One `stat`.)
pub fn exists(dir: &Path) -> bool {
    dir.join(PENDING_FILE).exists()
}

/// With the corpus's write lock held: remove the listed files that the
/// catalog on disk does not refer to, then the list. Returns the files
/// removed. Paths that would leave the corpus directory are ignored.
pub fn sweep_locked(dir: &Path) -> Result<Vec<PathBuf>> {
    let list_path = dir.join(PENDING_FILE);
    let Ok(list) = std::fs::read_to_string(&list_path) else {
        return Ok(vec![]);
    };
    let catalog = Catalog::load(dir)?;
    let referenced: std::collections::HashSet<&str> = catalog
        .documents
        .iter()
        .flat_map(|e| [e.file.as_str(), e.original.as_str()])
        .filter(|f| !f.is_empty())
        .collect();
    let mut removed = vec![];
    let mut dirs: Vec<PathBuf> = vec![];
    let mut remove = |path: PathBuf| match std::fs::remove_file(&path) {
        Ok(()) => {
            removed.push(path);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(format!("removing {}", path.display()), e)),
    };
    for rel in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !super::inside(rel) {
            continue;
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent().filter(|p| !dirs.iter().any(|d| d == p)) {
            dirs.push(parent.to_path_buf());
        }
        if !referenced.contains(rel) {
            remove(path)?;
        }
    }
    // A write cut short leaves its temporary file (`write_atomic`: `.tmp…`)
    // beside the file it was writing.
    for d in &dirs {
        for f in std::fs::read_dir(d).into_iter().flatten().flatten() {
            if f.file_name().to_string_lossy().starts_with(".tmp") {
                remove(f.path())?;
            }
        }
    }
    std::fs::remove_file(&list_path)
        .map_err(|e| Error::io(format!("removing {}", list_path.display()), e))?;
    Ok(removed)
}
