//! What tells a reading command, at a cost that does not grow with the
//! number of documents, that the corpus changed: the catalog file and the
//! directories holding the documents' files (see [`Signals`]), and, for a
//! process that changes the corpus, which documents it changed
//! ([`Journal`]).

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Catalog, Corpus};

/// A file's or directory's identity and change times: size, modification
/// and status-change times (ns), inode number. Zeros when it is missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sig {
    pub size: u64,
    pub mtime_ns: u128,
    pub ctime_ns: u128,
    pub ino: u64,
}

impl Sig {
    pub fn of(path: &Path) -> Sig {
        let Ok(m) = std::fs::metadata(path) else {
            return Sig::default();
        };
        let (size, mtime_ns) = super::metadata_stamp(&m);
        #[cfg(unix)]
        let (ctime_ns, ino) = {
            use std::os::unix::fs::MetadataExt;
            let ctime = (m.ctime().max(0) as u128) * 1_000_000_000 + m.ctime_nsec().max(0) as u128;
            (ctime, m.ino())
        };
        #[cfg(not(unix))]
        let (ctime_ns, ino) = (0, 0);
        Sig {
            size,
            mtime_ns,
            ctime_ns,
            ino,
        }
    }
}

/// The signals the freshness check of every reading command trusts:
/// - the catalog file: `add`, `remove` and `meta` replace it by a rename
///   (a new inode); an edit by hand moves its size or times;
/// - each directory holding document files: a file created, removed or
///   renamed in it (`mv`, an editor that saves by renaming) moves the
///   directory's modification time.
///
/// A document file rewritten in place under the same name (`>>`, `cp`
/// over it, an editor that writes in place) moves none of them: `index`
/// (and a `--check`, which compares every file's size and modification
/// time) picks that up. So does a file renamed into a documents directory
/// by another program within the same clock tick (a few ms) as an index
/// update looked at it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    pub catalog: Sig,
    /// Directories (relative to the corpus) holding the documents' files.
    pub dirs: Vec<(String, Sig)>,
}

impl Signals {
    /// The signals of `corpus` now, for the directories its catalog's
    /// files are in ([`CatalogView::dirs`](super::CatalogView::dirs): from
    /// the compact copy's table, or one pass over the entries decoded; one
    /// stat per directory).
    pub fn read(corpus: &Corpus) -> Signals {
        Signals::of(&corpus.dir, corpus.catalog.dirs())
    }

    fn of(corpus_dir: &Path, dirs: impl IntoIterator<Item = String>) -> Signals {
        Signals {
            catalog: Sig::of(&Catalog::path(corpus_dir)),
            dirs: dirs
                .into_iter()
                .map(|d| {
                    let sig = Sig::of(&corpus_dir.join(&d));
                    (d, sig)
                })
                .collect(),
        }
    }

    /// Are these the signals of `corpus_dir` now? One stat of the catalog
    /// and one per directory recorded (usually one).
    pub fn still(&self, corpus_dir: &Path) -> bool {
        self.catalog.mtime_ns != 0
            && Signals::of(corpus_dir, self.dirs.iter().map(|(d, _)| d.clone())) == *self
    }
}

/// The directory of a document's file (`docs/a.txt` → `docs`; `""` for a
/// file at the corpus's top).
pub fn dir_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(d, _)| d)
}

/// What a process that changes the corpus changed (kept by [`Corpus`]
/// from [`Corpus::open_for_writing`] on): the signals before its first
/// change and the ids of the documents it added, removed or edited. An
/// index whose recorded signals are `before` needs only those documents
/// looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    pub before: Signals,
    pub changed: BTreeSet<String>,
}
