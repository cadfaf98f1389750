//! The index directory's generations (`gen-N/`, `CURRENT`), their
//! clean-up, and files written whole under a temporary name.

use super::*;

impl IndexDir {
    /// The contents of `CURRENT`.
    pub(super) fn current_name(&self) -> Option<String> {
        std::fs::read_to_string(self.root.join(CURRENT))
            .ok()
            .map(|name| name.trim().to_string())
    }

    pub(super) fn current(&self) -> Option<PathBuf> {
        let name = self.current_name()?;
        (!name.is_empty() && !name.contains('/'))
            .then(|| self.root.join(name))
            .filter(|p| p.join("meta.json").exists() && texts::exists(p))
    }

    pub(super) fn generations(&self) -> Vec<(u64, String)> {
        let Ok(rd) = std::fs::read_dir(&self.root) else {
            return vec![];
        };
        let mut gens: Vec<(u64, String)> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_prefix("gen-")
                    .and_then(|n| n.parse().ok())
                    .map(|n| (n, name))
            })
            .collect();
        gens.sort();
        gens
    }

    pub(super) fn next_generation(&self) -> String {
        format!(
            "gen-{}",
            self.generations().last().map(|g| g.0 + 1).unwrap_or(1)
        )
    }

    /// Generations other than the current one, once idle for a minute (a
    /// reader may still be using one that was just replaced): left by a
    /// rebuild killed before switching, or replaced by a rebuild
    /// ([`REPLACED`] in it marks the time).
    ///
    /// A generation numbered above the current one never became current (a
    /// rebuild that failed or was killed before switching): no reader ever
    /// opened it, and the caller holds `LOCK`, so it goes at once.
    pub(super) fn remove_abandoned_generations(&self) {
        let current = self.current();
        let current_number = self
            .current_name()
            .and_then(|n| n.strip_prefix("gen-").and_then(|n| n.parse::<u64>().ok()));
        for (number, name) in self.generations() {
            let dir = self.root.join(&name);
            if Some(&dir) == current.as_ref() {
                continue;
            }
            if current.is_some() && current_number.is_some_and(|c| number > c) {
                let _ = std::fs::remove_dir_all(dir);
                continue;
            }
            let idle = std::fs::metadata(&dir)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 60);
            if idle {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }

    /// Temporary files a killed writer left: `CURRENT.*.tmp` beside the
    /// generations; in the current generation, ours (`chars-*.tmp`,
    /// `states-*.tmp`, `ords-*.tmp`) and tantivy's (`.tmp*`, also our names before they
    /// had a prefix). Only writers create them, and this one holds `LOCK`.
    pub(super) fn remove_temporary_files(&self) {
        let remove = |dir: &Path, ours: &dyn Fn(&str) -> bool| {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if ours(&name) && e.file_type().is_ok_and(|t| t.is_file()) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        };
        let temp =
            |name: &str, prefix: &str| name.starts_with(prefix) && name.ends_with(TEMP_SUFFIX);
        remove(&self.root, &|name| temp(name, "CURRENT."));
        if let Some(dir) = self.current() {
            remove(&dir, &|name| {
                temp(name, "chars-")
                    || temp(name, "states-")
                    || temp(name, ordmap::PREFIX)
                    || name.starts_with(".tmp")
            });
        }
    }
}

/// A temporary file in `dir` named `<prefix>XXXXXX.tmp`, to be renamed into
/// place once written whole: an update removes those of a killed writer
/// (see `IndexDir::remove_temporary_files`).
pub(super) fn temp_file(dir: &Path, prefix: &str) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    // The mode of any new file (0666 less the umask), not a temporary
    // file's 0600: an index built by one user is readable by others.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
        .prefix(prefix)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a file in {}", dir.display()), e))
}

/// Replace `path` by `bytes` atomically (a synced temporary file named
/// `<prefix>XXXXXX.tmp`, renamed).
pub(super) fn write_atomic(path: &Path, bytes: &[u8], prefix: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::atomic::persist_synced(temp_file(dir, prefix)?, path, bytes)
}

/// Remove the states files and character chunks that neither the current
/// commit nor its predecessor refers to (a reader may be between reading a
/// commit and opening its files): those of older commits, and any a
/// crashed update left behind.
pub(super) fn remove_unreferenced(dir: &Path, current: &Payload, previous: Option<&Payload>) {
    let refers = |p: &Payload, name: &str| {
        p.states == name
            || p.states_parts.iter().any(|(n, _)| n == name)
            || p.chars.iter().any(|c| c.file == name)
    };
    let keep = |name: &str| refers(current, name) || previous.is_some_and(|p| refers(p, name));
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with("states-") || name.starts_with("chars-");
        if ours && name.ends_with(".bin") && !keep(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
