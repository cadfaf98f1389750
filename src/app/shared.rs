//! One corpus view and index reader kept across requests (the server):
//! opened once, checked at each request at the cost of a few `stat`s (the
//! corpus's signals, the index's commit stamp), and replaced only when
//! the corpus or the index changed — by an upload of the server or by an
//! `add` or `index` run beside it. A reader is one tantivy commit with the
//! texts and character postings it refers to, so a request sees the old or
//! the new index, never a half one. While a writer is at work (the
//! corpus's write lock or the index's `LOCK` is held) requests answer from
//! the last snapshot instead of waiting for it; one request at a time
//! refreshes, the others answer from the last snapshot meanwhile. When the
//! index must be brought up to date (documents added with `--no-index`, or
//! a writer that stopped before indexing), that runs on a thread of its
//! own: no search waits for indexing; the new documents appear once it is
//! committed. An update that fails (a full disk, a document's file
//! missing) is tried again only after a back-off (1 s doubling to 60 s,
//! reset by a success), not by every request, and its error is the
//! `stale` notice of the answers meanwhile ([`SharedReader::failure`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::corpus::signals::Sig;
use crate::corpus::{Corpus, WriteLock};
use crate::index::{state, IndexDir, Reader};
use crate::Result;

use super::backoff::Backoff;
use super::{Quiet, Stale, Workspace};

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
    /// An index update runs in the background.
    updating: AtomicBool,
    /// When the next background update may start, and why the last failed
    /// (until one succeeds).
    failed: Mutex<(Backoff, Option<Stale>)>,
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
    pub fn get(self: &Arc<Self>, ws: &Workspace) -> Result<Arc<Snapshot>> {
        let last = self.last();
        let Some(s) = last else {
            // The first request: nothing to answer from meanwhile.
            let _refreshing = self.refreshing.lock().unwrap_or_else(|e| e.into_inner());
            return self.open(ws, true);
        };
        if fresh(ws, &s) {
            return Ok(s);
        }
        // A writer at work: the last snapshot is a whole index; the next
        // request after it finishes sees the new one.
        if WriteLock::held(&ws.corpus_dir) || IndexDir::new(&ws.index_dir).writer_active() {
            return Ok(s);
        }
        let Ok(_refreshing) = self.refreshing.try_lock() else {
            return Ok(s);
        };
        // Another request may have refreshed it meanwhile.
        if let Some(s) = self.last() {
            if fresh(ws, &s) {
                return Ok(s);
            }
        }
        // The index already follows the corpus (an `add` or `index` beside
        // the server committed): open it now. Else bring it up to date in
        // the background and answer from the last snapshot meanwhile.
        match self.open(ws, false) {
            Ok(fresh) => Ok(fresh),
            Err(_) => {
                self.update_in_background(ws);
                Ok(s)
            }
        }
    }

    /// A new snapshot, stored for the next requests. Without `update`, an
    /// index behind the corpus is an error (nothing is written).
    fn open(&self, ws: &Workspace, update: bool) -> Result<Arc<Snapshot>> {
        // The stamp before opening: a commit in between makes the next
        // request look again, never miss it.
        let stamp = IndexDir::new(&ws.index_dir).commit_stamp();
        let corpus = ws.corpus()?;
        let reader = if update {
            ws.fresh_reader(&corpus)?
        } else {
            ws.reader_if_fresh(&corpus)?
                .ok_or_else(|| crate::Error::Other("the index is behind the corpus".into()))?
        };
        let snapshot = Arc::new(Snapshot {
            corpus,
            reader,
            stale: ws.stale().cloned(),
            stamp,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&snapshot));
        if snapshot.stale.is_none() {
            // Up to date (by this server or a command beside it).
            *self.failed() = (Backoff::default(), None);
        }
        Ok(snapshot)
    }

    /// Why the last background update failed, while no later one has
    /// succeeded: the `stale` notice of answers from the last snapshot.
    pub fn failure(&self) -> Option<Stale> {
        self.failed().1.clone()
    }

    /// Background updates that failed in a row, and when the next may
    /// start.
    pub fn backoff(&self) -> Backoff {
        self.failed().0
    }

    fn failed(&self) -> std::sync::MutexGuard<'_, (Backoff, Option<Stale>)> {
        self.failed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Update the index and open it, on a thread of its own (one at a
    /// time, and after a failure not before the back-off allows).
    fn update_in_background(self: &Arc<Self>, ws: &Workspace) {
        if !self.failed().0.ready(Instant::now()) {
            return;
        }
        if self.updating.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = Arc::clone(self);
        let (corpus_dir, index_dir, topics) = (
            ws.corpus_dir.clone(),
            ws.index_dir.clone(),
            ws.topics_file.clone(),
        );
        std::thread::spawn(move || {
            let ws = Workspace::new(corpus_dir, index_dir, topics, Box::new(Quiet));
            let outcome = {
                let _refreshing = me.refreshing.lock().unwrap_or_else(|e| e.into_inner());
                me.open(&ws, true)
            };
            // A snapshot answering from the last index (the update failed
            // but the last commit opened) is a failure too.
            let failure = match outcome {
                Ok(snapshot) => snapshot.stale.clone(),
                Err(e) => Some(Stale {
                    reason: "the corpus changed since the last index".into(),
                    error: e.to_string().lines().next().unwrap_or_default().into(),
                }),
            };
            if let Some(stale) = failure {
                let mut failed = me.failed();
                failed.0.failed(Instant::now());
                failed.1 = Some(stale);
            }
            me.updating.store(false, Ordering::Release);
        });
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
