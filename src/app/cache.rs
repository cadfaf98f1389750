//! One store for the results derived from the whole corpus that are cached
//! beside the index: the similarity model (`diff`, `compare`), the topic
//! classification of `compare`, and the instrument coding. Each is one file,
//! `<name>-<key>.<ext>` in the index folder, where the key is
//! [`Workspace::cache_key`](super::Workspace::cache_key) (every document's
//! fingerprint, the taxonomy, this build of the program, plus what the
//! caller adds). A cache whose key differs is never read, only replaced:
//! storing one removes the other files of the same name. A cache that cannot
//! be read or written is no error; the caller computes the result again.

use std::path::{Path, PathBuf};

/// One kind of cached result in one index folder.
pub(crate) struct Cache<'a> {
    dir: &'a Path,
    name: &'static str,
    ext: &'static str,
}

impl<'a> Cache<'a> {
    /// The cache `name` (a file-name prefix no other cache's name begins
    /// with) in `dir`, stored in files ending in `.ext`.
    pub fn new(dir: &'a Path, name: &'static str, ext: &'static str) -> Self {
        Cache { dir, name, ext }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}-{key}.{}", self.name, self.ext))
    }

    /// The bytes stored under `key`, if any.
    pub fn read(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(key)).ok()
    }

    /// Store `bytes` under `key` (atomically) and remove this cache's files
    /// for other keys. Failures are ignored (see the module).
    pub fn write(&self, key: &str, bytes: &[u8]) {
        let file = self.path(key);
        if std::fs::create_dir_all(self.dir).is_err()
            || crate::atomic::write_atomic(&file, bytes).is_err()
        {
            return;
        }
        let prefix = format!("{}-", self.name);
        for entry in std::fs::read_dir(self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && entry.path() != file {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_replaces_the_old_file_and_leaves_other_caches() {
        let dir = std::env::temp_dir().join(format!("pd-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = Cache::new(&dir, "alpha", "bin");
        let b = Cache::new(&dir, "beta", "json");
        assert_eq!(a.read("k1"), None);
        a.write("k1", b"one");
        b.write("k1", b"other");
        assert_eq!(a.read("k1").as_deref(), Some(&b"one"[..]));
        a.write("k2", b"two");
        assert_eq!(a.read("k1"), None, "the old key's file is removed");
        assert_eq!(a.read("k2").as_deref(), Some(&b"two"[..]));
        assert_eq!(
            b.read("k1").as_deref(),
            Some(&b"other"[..]),
            "another cache is left"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
