//! The tantivy `Directory` of a generation: tantivy's `MmapDirectory` with
//! two differences.
//!
//! - **Reading a read-only index.** tantivy takes its meta lock
//!   (`.tantivy-meta.lock`) even to open an index for reading, and
//!   `MmapDirectory` opens the lock file for writing to take it. When that
//!   fails because the directory is read-only (`EACCES`, `EROFS`), the lock
//!   is taken on the existing file opened for reading (`flock` needs no
//!   write access), or, when there is none, not at all: then no process of
//!   this user can write there either. Writers are unchanged: they take
//!   `LOCK` first, which fails plainly, and tantivy's writer lock is never
//!   given way.
//! - **Modes.** tantivy writes `meta.json` and `.managed.json` through a
//!   temporary file (mode 0600); here they get the mode of any new file
//!   (0666 less the umask), like every other file of the index, so an index
//!   built by one user can be read by others.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fs4::fs_std::FileExt;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle,
    WritePtr, META_LOCK,
};

/// See the module's documentation.
#[derive(Clone, Debug)]
pub struct GenerationDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl GenerationDirectory {
    pub fn open(root: &Path) -> tantivy::Result<GenerationDirectory> {
        Ok(GenerationDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_path_buf(),
        })
    }

    /// The meta lock of a directory this process may not write: taken on
    /// the lock file opened for reading, or given way when there is none.
    fn read_only_lock(
        &self,
        lock: &Lock,
        cause: Arc<io::Error>,
    ) -> Result<DirectoryLock, LockError> {
        let path = self.root.join(&lock.filepath);
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(DirectoryLock::from(Box::new(GivenWay)));
            }
            Err(_) => return Err(LockError::IoError(cause)),
        };
        let locked = if lock.is_blocking {
            FileExt::lock_exclusive(&file).is_ok()
        } else {
            match FileExt::try_lock_exclusive(&file) {
                Ok(false) => return Err(LockError::LockBusy),
                Ok(true) => true,
                Err(_) => false,
            }
        };
        // A filesystem that refuses an exclusive lock on a file opened for
        // reading (some network filesystems): read without it.
        Ok(if locked {
            DirectoryLock::from(Box::new(HeldLock(file)))
        } else {
            DirectoryLock::from(Box::new(GivenWay))
        })
    }
}

/// A lock held on a file opened for reading (released when dropped).
struct HeldLock(#[allow(dead_code)] File);

/// No lock: the directory cannot be written by this process.
struct GivenWay;

/// Writing is refused by the directory's permissions or its filesystem.
fn refused(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(libc::EROFS)
}

impl Directory for GenerationDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    /// As `MmapDirectory` does (a temporary file beside it, synced, renamed),
    /// with the mode of a new file instead of 0600.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let full = self.root.join(path);
        let dir = full.parent().unwrap_or(&self.root);
        let mut builder = tempfile::Builder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(dir)?;
        tmp.write_all(data)?;
        tmp.flush()?;
        tmp.as_file_mut().sync_data()?;
        tmp.into_temp_path().persist(&full)?;
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e)) if lock.filepath == META_LOCK.filepath && refused(&e) => {
                self.read_only_lock(lock, e)
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mode of `path`'s permission bits.
    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_get_the_mode_of_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = GenerationDirectory::open(dir.path()).unwrap();
        d.atomic_write(Path::new("meta.json"), b"{}").unwrap();
        std::fs::write(dir.path().join("plain"), b"").unwrap();
        assert_eq!(
            mode(&dir.path().join("meta.json")),
            mode(&dir.path().join("plain"))
        );
        assert_eq!(d.atomic_read(Path::new("meta.json")).unwrap(), b"{}");
        // Nothing else left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
