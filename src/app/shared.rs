//! One corpus view and index reader kept across requests (the server):
//! opened once, checked at each request at the cost of a few `stat`s (the
//! corpus's signals, the index's commit stamp), and replaced only when
//! the corpus or the index changed — by an upload of the server or by an
//! `add` or `index` run beside it. A reader is one tantivy commit with the
//! texts and character postings it refers to, so a request sees the old or
//! the new index, never a half one. While a writer is at work (the
//! corpus's write lock or the index's `LOCK` is held) requests answer from
//! the last snapshot instead of waiting for it; one request at a time
//! refreshes, the others answer from the last snapshot meanwhile.

use std::sync::{Arc, Mutex, RwLock};

use crate::corpus::signals::Sig;
use crate::corpus::{Corpus, WriteLock};
use crate::index::{state, IndexDir, Reader};
use crate::Result;

use super::{Stale, Workspace};

/// A corpus as read and the index reader checked fresh against it.
pub struct Snapshot {
    pub corpus: Corpus,
    pub reader: Reader,
    /// Set when the index could not be brought up to date.
    pub stale: Option<Stale>,
    /// The index's commit stamp when the reader was opened.
    stamp: Option<(String, Sig)>,
}

/// The snapshot requests share (see the module's documentation).
#[derive(Default)]
pub struct SharedReader {
    current: RwLock<Option<Arc<Snapshot>>>,
    refreshing: Mutex<()>,
}

impl std::fmt::Debug for SharedReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedReader")
    }
}

impl SharedReader {
    pub fn new() -> SharedReader {
        SharedReader::default()
    }

    /// The snapshot to answer a request from; `ws` (the request's
    /// workspace, whose observer hears the notices) opens a new one when
    /// the corpus or the index changed.
    pub fn get(&self, ws: &Workspace) -> Result<Arc<Snapshot>> {
        let last = self.last();
        if let Some(s) = &last {
            if fresh(ws, s) {
                return Ok(Arc::clone(s));
            }
            // A writer at work: the last snapshot is a whole index; the
            // next request after it finishes sees the new one.
            if WriteLock::held(&ws.corpus_dir) || IndexDir::new(&ws.index_dir).writer_active() {
                return Ok(Arc::clone(s));
            }
        }
        let _refreshing = match self.refreshing.try_lock() {
            Ok(g) => g,
            Err(_) => match &last {
                Some(s) => return Ok(Arc::clone(s)),
                None => self.refreshing.lock().unwrap_or_else(|e| e.into_inner()),
            },
        };
        // Another request may have refreshed it meanwhile.
        if let Some(s) = self.last() {
            if fresh(ws, &s) {
                return Ok(s);
            }
        }
        // The stamp before opening: a commit in between makes the next
        // request look again, never miss it.
        let stamp = IndexDir::new(&ws.index_dir).commit_stamp();
        let corpus = ws.corpus()?;
        let reader = ws.fresh_reader(&corpus)?;
        let snapshot = Arc::new(Snapshot {
            corpus,
            reader,
            stale: ws.stale().cloned(),
            stamp,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    fn last(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Is `s` still what a fresh request would read? The index's last commit
/// is the one it opened, and the corpus's signals are those that commit
/// recorded (nothing added, removed or edited since).
fn fresh(ws: &Workspace, s: &Snapshot) -> bool {
    let index = IndexDir::new(&ws.index_dir);
    s.stale.is_none()
        && s.stamp.is_some()
        && index.commit_stamp() == s.stamp
        && !index.interrupted()
        && state::signals_unchanged(&ws.corpus_dir, &s.reader.payload)
}
