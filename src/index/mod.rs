//! The full-text index. Only this module uses tantivy; callers see plain
//! structs (`Summary`, `Hit`) and the search `Query` AST.
//!
//! Layout of the index directory:
//! - `CURRENT`: the name of the live generation (`gen-3`), replaced atomically;
//! - `gen-N/`: a tantivy index; its commit payload records the versions and
//!   names the `states-*.bin` file holding, per document, the fingerprint
//!   that was indexed (see `state`; written before the commit); beside it
//!   `texts.bin`, the folded provision texts exact phrases are checked
//!   against (see `texts`), and the `chars-*.bin` chunks of character and
//!   character-pair postings that give their candidates (see `chars`);
//! - `LOCK`: held by the one process that writes.
//!
//! Files are written whole under a temporary name (`<prefix>XXXXXX.tmp`,
//! see [`temp_file`]) and renamed into place; an update removes those a
//! killed writer left behind.
//!
//! An incremental update commits deletes and additions in one tantivy commit,
//! so a crash leaves the previous commit. A rebuild writes a new generation
//! and switches `CURRENT` only when it is complete.

mod build;
mod chars;
mod commit;
mod directory;
mod generations;
mod heading;
mod ordmap;
mod phrase;
mod query;
mod read;
pub mod schema;
pub mod state;
mod texts;
pub mod tokenize;

use std::path::{Path, PathBuf};
use std::time::Instant;

use fs4::fs_std::FileExt;
use tantivy::{doc, Index, IndexWriter, TantivyDocument, Term};

pub use read::{Hit, Located, Reader, SearchFilter, SearchResult};

use crate::corpus::{Corpus, Provision};
use crate::error::{Error, Result};
use crate::observe::Observer;
use build::index_documents;
pub use build::SUBSET_MAX_DOCS;
use commit::{
    committed_chunks, live_text_bytes, load_payload, payload_json, payload_json_appended,
    recorded_states, text_bytes_of, Opened, Unusable,
};
use directory::GenerationDirectory;
use generations::{remove_unreferenced, temp_file, write_atomic};
use state::{Payload, Versions};

const CURRENT: &str = "CURRENT";
/// Written into a generation when a rebuild replaces it (its mtime starts
/// the minute readers have to finish with it).
const REPLACED: &str = "REPLACED";
const LOCK: &str = "LOCK";
/// Present while an update runs (written before it looks at the corpus,
/// removed once it committed): one left behind by a killed update makes
/// readers compare every file until an update finishes.
const CHECKING: &str = "CHECKING";
/// How temporary files end (see [`temp_file`]).
const TEMP_SUFFIX: &str = ".tmp";
/// Indexing memory budget (all threads): tantivy writes a thread's segment
/// each time its share fills, so a build's memory does not grow with the
/// corpus (at two threads a segment held ~45 MB of text; 192 MB before
/// issue 20's fourth pass: ~70 MB; a build of more than
/// [`ONE_SHARE_BYTES`] at two cores has one thread since session 12).
const WRITER_HEAP: usize = 128 * 1024 * 1024;
/// Segments of more documents than this are never merged again. tantivy's
/// default (`LogMergePolicy`) merges any eight segments of a size, reading
/// them through mapped files: at x64 a build's merges held up to ~660 MB of
/// them resident (its peak was 1.6 GB) while the build's own buffers were
/// still in use. A rebuild's segments (~120,000 provisions each, one per
/// thread per [`WRITER_HEAP`] share filled) are instead merged after its
/// commit, in groups of at most [`MERGE_GROUP_BYTES`]; the small segments
/// of later updates merge by this policy, eight of at most this many
/// documents at a time.
const MERGE_MAX_DOCS: usize = 50_000;
/// A rebuild's segments are merged after its commit in groups of at most
/// this many bytes of files, one group at a time (`merge_build_segments`):
/// a reader opens every segment (start-up grows with their number), and a
/// merge keeps at most its group's files resident through the mapping.
const MERGE_GROUP_BYTES: u64 = 128 * 1024 * 1024;
/// A rebuild that leaves fewer segments than this is not merged: a reader
/// opens a few segments in well under a millisecond more, and at x1 (two
/// segments) the merge was ~7% of the build's CPU. tantivy's own policy
/// waits for eight, too.
const MERGE_MIN_SEGMENTS: usize = 8;
/// An update of documents whose files hold less than this is indexed by
/// as many tantivy threads as workers, a larger one by half as many (see
/// `update_inner`): below it no thread's share of [`WRITER_HEAP`] fills
/// before the commit (x1, 27 MB: one segment per thread, written then).
const ONE_SHARE_BYTES: u64 = 64 << 20;
/// Updates of fewer documents than this are small (see `update_inner`).
const SMALL_UPDATE: usize = 64;
/// Their budget: tantivy's smallest for one thread.
const SMALL_WRITER_HEAP: usize = 15_000_000;

/// The merge policy of every writer (see [`MERGE_MAX_DOCS`]).
fn merge_policy() -> Box<dyn tantivy::indexer::MergePolicy> {
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MERGE_MAX_DOCS);
    Box::new(policy)
}

/// Merge the committed segments of a new generation (as written by the
/// build's threads) in groups of at most [`MERGE_GROUP_BYTES`] of files,
/// smallest first, one merge at a time.
fn merge_build_segments(index: &Index, writer: &mut IndexWriter, dir: &Path) -> Result<()> {
    let metas = index.searchable_segment_metas().map_err(ierr)?;
    // Each segment's files start with its id.
    let mut files: Vec<(String, u64)> = vec![];
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let len = e.metadata().map_or(0, |m| m.len());
        files.push((e.file_name().to_string_lossy().into_owned(), len));
    }
    let sized: Vec<(u64, tantivy::index::SegmentId)> = metas
        .iter()
        .map(|m| {
            let id = m.id().uuid_string();
            let bytes = files
                .iter()
                .filter(|(name, _)| name.starts_with(&id))
                .map(|(_, len)| len)
                .sum();
            (bytes, m.id())
        })
        .collect();
    for g in merge_groups(sized, MERGE_GROUP_BYTES, MERGE_MIN_SEGMENTS) {
        writer.merge(&g).wait().map_err(ierr)?;
    }
    Ok(())
}

/// The groups to merge of segments of the given sizes: smallest first,
/// each of at most `limit` bytes (a segment larger than that alone), only
/// those of two or more; none when there are fewer than `min` segments.
fn merge_groups<T: Ord>(mut sized: Vec<(u64, T)>, limit: u64, min: usize) -> Vec<Vec<T>> {
    if sized.len() < min {
        return vec![];
    }
    sized.sort();
    let mut groups: Vec<Vec<T>> = vec![vec![]];
    let mut bytes = 0;
    for (b, id) in sized {
        if bytes + b > limit && groups.last().is_some_and(|g| !g.is_empty()) {
            groups.push(vec![]);
            bytes = 0;
        }
        groups.last_mut().expect("one group").push(id);
        bytes += b;
    }
    groups.retain(|g| g.len() > 1);
    groups
}

/// A rebuild of more documents than a subset dictionary serves needs the
/// full one: start loading it (once) on a thread of its own, while the
/// corpus is looked at (a core is idle meanwhile; `index_documents` waits
/// for it). At x1 the workers then wait ~50 ms less.
fn preload_dictionary(corpus: &Corpus) {
    static STARTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if corpus.catalog.documents.len() > SUBSET_MAX_DOCS
        && !crate::text::segment::loaded()
        && !STARTED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        std::thread::spawn(crate::text::segment::load);
    }
}

/// Return the allocator's free memory to the system (glibc keeps freed
/// blocks in its arenas, so a build's peak stays resident after it).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's heap.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// An engine error as ours, the engine's error kept as the source.
fn ierr(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Index {
        message: e.to_string(),
        source: Some(Box::new(e)),
    }
}

/// Assigns topic ids to a provision, given it and its folded heading and
/// text (see [`crate::classify::topics::topic_ids_folded`]).
pub type Classifier = dyn Fn(&Provision, &str, &str) -> Vec<String> + Sync;

/// Topic assignment used while indexing; the index only stores the ids.
pub struct Topics<'a> {
    /// Changes whenever classification would change (taxonomy version, threshold).
    pub version: String,
    pub classify: &'a Classifier,
}

/// How a reading command decides that the index is fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The catalog and the documents' directories ([`state::Signals`]):
    /// a few `stat`s whatever the corpus size. Sees `add`, `remove`, `meta`,
    /// an edited catalog, files created, removed or renamed; not a document
    /// file rewritten in place under the same name.
    Signals,
    /// Also every document file's size and modification time (one listing
    /// of each documents directory): sees edits in place too.
    Files,
}

pub struct Options<'a> {
    pub rebuild: bool,
    pub topics: Topics<'a>,
    /// Told when the update waits for another writer and when each of its
    /// steps is reached, and asked how to report the documents indexed.
    pub observer: &'a dyn Observer,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Provisions of the corpus after the update: substantive ones, as
    /// `docs` counts them (the index also holds the front matter).
    pub provisions: usize,
    /// Provisions (re)indexed by this update, front matter included.
    pub indexed_provisions: usize,
    /// Bytes of document text (re)indexed.
    pub bytes: u64,
    pub seconds: f64,
    /// Why the whole index was rebuilt, if it was.
    pub rebuilt: Option<String>,
}

impl Summary {
    pub fn line(&self) -> String {
        let mut s = format!(
            "indexed: {} added, {} updated, {} removed, {} unchanged; {} provisions; {:.2}s",
            self.added, self.updated, self.removed, self.unchanged, self.provisions, self.seconds
        );
        if let Some(r) = &self.rebuilt {
            s.push_str(&format!(" (rebuilt: {r})"));
        }
        s
    }
}

/// The index directory.
pub struct IndexDir {
    root: PathBuf,
}

impl IndexDir {
    pub fn new(root: &Path) -> IndexDir {
        IndexDir {
            root: root.to_path_buf(),
        }
    }

    /// The current generation, or why there is none that can be used
    /// (then an update rebuilds it).
    fn open_with_dir(&self) -> Result<Opened> {
        self.retry_on_switch(|| self.open_current())
    }

    fn open_current(&self) -> Result<Opened> {
        let Some(dir) = self.current() else {
            return Ok(Err(Unusable::Missing));
        };
        let index = Index::open(GenerationDirectory::open(&dir).map_err(ierr)?).map_err(ierr)?;
        schema::register_tokenizers(&index);
        Ok(load_payload(&index, &dir)?
            .map(|payload| (index, payload, dir))
            .map_err(Unusable::Damaged))
    }

    /// Run `open` (which opens the current generation); run it again when
    /// it failed while a rebuild switched `CURRENT`: the rebuild removes
    /// the generation it replaced right after the switch, possibly while
    /// `open` was reading it.
    fn retry_on_switch<T, E>(
        &self,
        mut open: impl FnMut() -> Result<std::result::Result<T, E>>,
    ) -> Result<std::result::Result<T, E>> {
        for _ in 0..2 {
            let before = self.current_name();
            let result = open();
            if matches!(result, Ok(Ok(_))) || self.current_name() == before {
                return result;
            }
        }
        open()
    }

    /// Bytes of `texts.bin`: (referred to by live documents, whole file).
    /// The difference is texts of replaced or removed documents, dropped by
    /// a rebuild (which an update starts by itself once they outweigh the
    /// live texts; see `texts::needs_compaction`).
    pub fn text_bytes(&self) -> Result<Option<(u64, u64)>> {
        Ok(self.open_with_dir()?.ok().and_then(|(index, _, dir)| {
            live_text_bytes(&index).map(|live| (live, texts::file_len(&dir)))
        }))
    }

    /// Open for searching.
    pub fn reader(&self) -> Result<Reader> {
        let opened = self
            .retry_on_switch(|| match self.open_current()? {
                Ok((index, payload, dir)) => Reader::new(index, payload, &dir).map(Ok),
                Err(reason) => Ok(Err(reason)),
            })
            .map_err(|e| self.plain_error(e))?;
        opened.map_err(|reason| {
            Error::index(match reason {
                Unusable::Missing => format!(
                    "no index in {} (run `policy-diff index`)",
                    self.root.display()
                ),
                Unusable::Damaged(why) => format!(
                    "the index in {} cannot be used: {why} (run `policy-diff index`)",
                    self.root.display()
                ),
            })
        })
    }

    fn lock(&self, observer: &dyn Observer) -> Result<std::fs::File> {
        std::fs::create_dir_all(&self.root)
            .map_err(|e| Error::io(format!("creating {}", self.root.display()), e))?;
        let path = self.root.join(LOCK);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        if !FileExt::try_lock_exclusive(&file).map_err(|e| Error::io("locking the index", e))? {
            observer.notice(&format!(
                "policy-diff: another policy-diff process is writing {}; waiting for it to finish",
                self.root.display()
            ));
            FileExt::lock_exclusive(&file).map_err(|e| Error::io("locking the index", e))?;
        }
        Ok(file)
    }

    /// Is the index missing or out of date? Returns a reason when it is.
    /// Thorough ([`Check::Files`]): every document file's size and
    /// modification time is compared, so an edit made in place is seen.
    pub fn staleness(&self, corpus: &Corpus, topics_version: &str) -> Result<Option<String>> {
        self.staleness_with(corpus, topics_version, Check::Files)
    }

    /// [`IndexDir::staleness`] with the check chosen: [`Check::Signals`]
    /// costs the same at any corpus size.
    pub fn staleness_with(
        &self,
        corpus: &Corpus,
        topics_version: &str,
        check: Check,
    ) -> Result<Option<String>> {
        match self.open_with_dir()? {
            Err(reason) => Ok(Some(reason.to_string())),
            Ok((_, payload, _)) => self.stale(&payload, corpus, topics_version, check),
        }
    }

    /// Open for searching if the index is up to date (opening it once);
    /// otherwise say why it is not. Decided from the signals
    /// ([`Check::Signals`]: the catalog and the documents' directories,
    /// whatever the corpus size); see [`IndexDir::reader_if_fresh_with`].
    pub fn reader_if_fresh(
        &self,
        corpus: &Corpus,
        topics_version: &str,
    ) -> Result<std::result::Result<Reader, String>> {
        self.reader_if_fresh_with(corpus, topics_version, Check::Signals)
    }

    /// [`IndexDir::reader_if_fresh`] with the check chosen (`--check`:
    /// [`Check::Files`]).
    pub fn reader_if_fresh_with(
        &self,
        corpus: &Corpus,
        topics_version: &str,
        check: Check,
    ) -> Result<std::result::Result<Reader, String>> {
        self.retry_on_switch(|| match self.open_current()? {
            Err(reason) => Ok(Err(reason.to_string())),
            Ok((index, payload, dir)) => {
                match self.stale(&payload, corpus, topics_version, check)? {
                    Some(reason) => Ok(Err(reason)),
                    None => Ok(Ok(Reader::new(index, payload, &dir)?)),
                }
            }
        })
    }

    fn stale(
        &self,
        payload: &Payload,
        corpus: &Corpus,
        topics_version: &str,
        check: Check,
    ) -> Result<Option<String>> {
        if let Some(r) = payload
            .versions
            .mismatch(&Versions::current(topics_version))
        {
            return Ok(Some(r));
        }
        // An update that started and did not finish (killed) may have been
        // asked to look at every file (`index` after an edit in place):
        // until one finishes, the signals are not trusted.
        let interrupted = self.root.join(CHECKING).exists();
        if check == Check::Signals && !interrupted && state::signals_unchanged(&corpus.dir, payload)
        {
            return Ok(None);
        }
        if state::unchanged(corpus, payload) {
            // The files are those indexed. Record the signals (missing in
            // an index from before them, or moved by a file created beside
            // the documents) and finish an interrupted update, so that the
            // next check is cheap again; not while a writer is at work.
            let record = interrupted || !state::signals_unchanged(&corpus.dir, payload);
            return Ok((record && !self.writer_active())
                .then(|| "recording the corpus's signals".to_string()));
        }
        let observed = state::observe(corpus, Some(payload), true)?;
        let plan = state::plan(payload.documents(), &observed);
        if !plan.is_empty() {
            return Ok(Some(format!("the corpus changed ({})", plan.describe())));
        }
        // Same documents, but the catalog or document files were rewritten
        // (same content, new modification times): record them so that later
        // checks take the cheap path again.
        Ok((payload.catalog != observed.catalog
            || state::stamps_moved(payload.documents(), &observed))
        .then(|| "files were rewritten with the same content".to_string()))
    }

    /// What names the last commit, at the cost of one small read and one
    /// `stat`: the current generation and its `meta.json` (which tantivy
    /// replaces at every commit). A reader kept across requests is still
    /// the newest while this is unchanged.
    pub fn commit_stamp(&self) -> Option<(String, crate::corpus::signals::Sig)> {
        let name = self.current_name()?;
        let sig = crate::corpus::signals::Sig::of(&self.root.join(&name).join("meta.json"));
        Some((name, sig))
    }

    /// Whether an update was started and not finished (then the corpus's
    /// signals are not trusted until one finishes).
    pub fn interrupted(&self) -> bool {
        self.root.join(CHECKING).exists()
    }

    /// Does a process hold `LOCK` (an update at work)? Probed with a
    /// shared lock taken and dropped at once; readers write nothing.
    pub fn writer_active(&self) -> bool {
        let Ok(file) = std::fs::File::open(self.root.join(LOCK)) else {
            return false;
        };
        !matches!(FileExt::try_lock_shared(&file), Ok(true))
    }

    /// Bring the index up to date with the corpus.
    pub fn update(&self, corpus: &Corpus, opts: &Options) -> Result<Summary> {
        self.update_inner(corpus, opts)
            .map_err(|e| self.plain_error(e))
    }

    /// An update's error as the user should read it. tantivy reports a
    /// failed write in one of its threads as "an index writer was killed",
    /// without the cause: when the disk holding the index is (nearly) full,
    /// say so; else say that writing failed and the previous commit stands.
    fn plain_error(&self, e: Error) -> Error {
        const NEARLY_FULL: u64 = 64 << 20;
        let Error::Index { message: msg, .. } = &e else {
            return e;
        };
        let lost_cause =
            msg.contains("killed") || msg.contains("thread") || msg.contains("IoError");
        if !lost_cause {
            return e;
        }
        let context = format!("using the index in {}", self.root.display());
        if let Ok(free) = fs4::available_space(&self.root) {
            if free < NEARLY_FULL {
                return Error::io(
                    context,
                    std::io::Error::new(
                        std::io::ErrorKind::StorageFull,
                        format!("the disk holding it is full ({} KB free)", free >> 10),
                    ),
                );
            }
        }
        // Ask the filesystem what a large write meets now (a size limit, a
        // read-only or full filesystem, missing permission).
        match self.probe_write(NEARLY_FULL) {
            Err(io) => Error::io(context, io),
            Ok(()) => Error::index(format!(
                "{context} failed in a writer thread (the cause was not reported; retry, and check the disk); the previous index is unchanged"
            )),
        }
    }

    /// Reserve `bytes` in a scratch file in the index directory, then remove it.
    fn probe_write(&self, bytes: u64) -> std::io::Result<()> {
        use fs4::fs_std::FileExt;
        let path = self.root.join(format!("probe-{}.tmp", std::process::id()));
        let result = std::fs::File::create(&path).and_then(|f| FileExt::allocate(&f, bytes));
        let _ = std::fs::remove_file(&path);
        result
    }

    fn update_inner(&self, corpus: &Corpus, opts: &Options) -> Result<Summary> {
        let started = Instant::now();
        let _lock = self.lock(opts.observer)?;
        if opts.rebuild {
            preload_dictionary(corpus);
        }
        // Written before the corpus is looked at, removed once committed:
        // if this update is killed, readers compare every file until
        // another one finishes (see `stale`). Best effort: an update that
        // cannot write it fails to write the index too.
        let interrupted = self.root.join(CHECKING).exists();
        let _ = std::fs::write(self.root.join(CHECKING), b"");
        self.remove_abandoned_generations();
        self.remove_temporary_files();
        // The states are trusted only once read whole (a reader reads
        // them when it needs them; a writer always does).
        let existing = match self.open_with_dir()? {
            Ok((_, p, dir)) if !p.states_readable() => Err(Unusable::Damaged(format!(
                "{} in {} is missing or damaged",
                p.states,
                dir.display()
            ))),
            other => other,
        };
        // What a failed or killed update appended to `texts.bin` past the
        // last commit is cut off: nothing half-written outlives the next writer.
        if let Ok((_, p, dir)) = &existing {
            if let Some((committed, _)) = p.texts {
                texts::truncate_uncommitted(dir, committed)?;
            }
        }
        let want = Versions::current(&opts.topics.version);
        let rebuild_reason = if opts.rebuild {
            Some("--rebuild".to_string())
        } else {
            match &existing {
                Err(reason) => Some(reason.to_string()),
                Ok((index, p, dir)) => p.versions.mismatch(&want).or_else(|| {
                    if chars::next_ordinal(&p.chars) > chars::RENUMBER_AT {
                        return Some("the text ordinals are nearly used up".to_string());
                    }
                    let len = texts::file_len(dir);
                    // Bytes past the committed length were appended by a
                    // killed update: nothing refers to them.
                    let live = match p.texts {
                        Some((committed, replaced)) => committed.saturating_sub(replaced),
                        None => live_text_bytes(index)?,
                    };
                    texts::needs_compaction(len, live).then(|| {
                        format!(
                            "{} MB of replaced texts in {}",
                            (len - live) >> 20,
                            texts::FILE
                        )
                    })
                }),
            }
        };
        if rebuild_reason.is_some() {
            preload_dictionary(corpus);
        }
        let existing = existing.ok();
        let previous = existing.as_ref().map(|(_, p, _)| p.clone());
        // A writer's own changes (`add`, `remove`, `meta`) to a corpus the
        // index was fresh for (by the signals) need only those documents
        // looked at; anything else looks at every file.
        let journal = corpus.journal().filter(|j| {
            !interrupted
                && rebuild_reason.is_none()
                && previous.as_ref().is_some_and(|p| {
                    p.signals.as_ref() == Some(&j.before)
                        && p.catalog == (j.before.catalog.size, j.before.catalog.mtime_ns)
                })
        });
        // Only documents added: their states are written as a part of the
        // recorded ones, which are not decoded (`add` costs what the new
        // documents cost).
        let additions = match (journal, previous.as_ref()) {
            (Some(j), Some(p)) => state::additions(corpus, p, j)?,
            _ => None,
        };
        let (observed, additions) = match additions {
            Some(a) => (a.observed, Some((a.recorded, a.provisions, a.order))),
            None => match (journal, previous.as_ref()) {
                (Some(j), Some(p)) => (state::observe_changes(corpus, p, j)?, None),
                // A rebuild indexes every document whatever its
                // fingerprint: the files are hashed as they are read for
                // indexing, not read once more before.
                _ => (
                    state::observe(corpus, previous.as_ref(), rebuild_reason.is_none())?,
                    None,
                ),
            },
        };
        let (index, indexed, new_gen, gen_dir) = match (&rebuild_reason, existing) {
            (None, Some((index, _, dir))) if additions.is_some() => {
                (index, Default::default(), None, dir)
            }
            (None, Some((index, payload, dir))) => (index, payload.into_documents(), None, dir),
            _ => {
                let name = self.next_generation();
                let dir = self.root.join(&name);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
                let (schema, _) = schema::build();
                let index = Index::create(
                    GenerationDirectory::open(&dir).map_err(ierr)?,
                    schema,
                    tantivy::IndexSettings::default(),
                )
                .map_err(ierr)?;
                schema::register_tokenizers(&index);
                (index, Default::default(), Some(name), dir)
            }
        };
        let plan = state::plan(&indexed, &observed);
        let mut summary = Summary {
            added: plan.add.len(),
            updated: plan.update.len(),
            removed: plan.remove.len(),
            unchanged: plan.unchanged.len() + additions.as_ref().map_or(0, |a| a.0),
            rebuilt: rebuild_reason,
            ..Default::default()
        };
        if plan.is_empty() && new_gen.is_none() {
            summary.provisions = indexed.values().map(|d| d.provisions).sum();
            // Record a rewritten (but equivalent) catalog or document files
            // so later checks stay cheap.
            if previous.as_ref().is_some_and(|p| {
                p.catalog != observed.catalog
                    || p.signals.as_ref() != Some(&observed.signals)
                    || state::stamps_moved(&indexed, &observed)
            }) {
                let documents = recorded_states(&observed, &indexed, &Default::default());
                let chunks = previous
                    .as_ref()
                    .map(|p| p.chars.clone())
                    .unwrap_or_default();
                let mut payload = Payload::new(want, documents, observed.catalog, chunks);
                payload.signals = Some(observed.signals.clone());
                payload.texts = previous.as_ref().and_then(|p| p.texts);
                let json = payload_json(&gen_dir, &mut payload, corpus)?;
                let mut writer: IndexWriter =
                    index.writer_with_num_threads(1, 15_000_000).map_err(ierr)?;
                writer.set_merge_policy(merge_policy());
                let mut prepared = writer.prepare_commit().map_err(ierr)?;
                prepared.set_payload(&json);
                prepared.commit().map_err(ierr)?;
                remove_unreferenced(&gen_dir, &payload, previous.as_ref());
            }
            // Maps missing or of the first format (an index written before
            // the maps held statistics) are written even when nothing else
            // changed: only their headers are read when they are current.
            let _ = ordmap::write_missing(&gen_dir, &index);
            let _ = std::fs::remove_file(self.root.join(CHECKING));
            summary.seconds = started.elapsed().as_secs_f64();
            return Ok(summary);
        }

        let fields = schema::fields_of(&index.schema()).map_err(ierr)?;
        // Texts of the documents about to be deleted stop being live.
        let replaced_before = match (&new_gen, &previous) {
            (None, Some(p)) => match p.texts {
                Some((_, replaced)) => Some(replaced),
                None => live_text_bytes(&index)
                    .map(|live| texts::file_len(&gen_dir).saturating_sub(live)),
            },
            _ => Some(0),
        };
        let deleted: Vec<&String> = plan.remove.iter().chain(&plan.update).collect();
        let replaced = match (replaced_before, deleted.is_empty()) {
            (Some(r), true) => Some(r),
            (Some(r), false) => text_bytes_of(&index, fields.doc_id, &deleted).map(|b| r + b),
            (None, _) => None,
        };
        // A small update (an `add`) needs neither all cores nor the large
        // buffers of a build: one writer thread, tantivy's smallest budget.
        // One whose files hold less than `ONE_SHARE_BYTES` has its segments
        // written only at the commit: a writer thread per worker, so that
        // they are written in parallel (x1). A larger one writes segments
        // as the threads' shares fill: one writer thread per two of the
        // pool's workers (a writer thread's share of the work is about half
        // a worker's, so it keeps up with two), fewer and larger segments
        // for less CPU (x16, two cores: -10%, session 12).
        let small = plan.add.len() + plan.update.len() < SMALL_UPDATE;
        let file_bytes: u64 = plan
            .add
            .iter()
            .chain(&plan.update)
            .filter_map(|id| observed.docs.get(id))
            .map(|d| d.size)
            .sum();
        let workers = rayon::current_num_threads();
        let threads = if small {
            1
        } else if file_bytes < ONE_SHARE_BYTES {
            workers.clamp(1, 4)
        } else {
            (workers / 2).clamp(1, 4)
        };
        let heap = if small {
            SMALL_WRITER_HEAP
        } else {
            WRITER_HEAP
        };
        let writer: IndexWriter = index.writer_with_num_threads(threads, heap).map_err(ierr)?;
        if new_gen.is_some() {
            // Its segments are merged in bounded groups after the commit.
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        } else {
            writer.set_merge_policy(merge_policy());
        }
        // A writer killed between writing its files and committing leaves
        // files no commit refers to; tantivy names the next ones the same
        // way (e.g. the same `.del` file for the same deletes), so clear them
        // before writing.
        writer.garbage_collect_files().wait().map_err(ierr)?;
        for id in plan.remove.iter().chain(&plan.update) {
            writer.delete_term(Term::from_field_text(fields.doc_id, id));
        }
        let to_index: Vec<&str> = plan
            .add
            .iter()
            .chain(&plan.update)
            .map(String::as_str)
            .collect();
        let progress = opts
            .observer
            .progress("indexing", to_index.len() as u64, "documents");
        opts.observer
            .mark(&format!("index: {} documents to index", to_index.len()));
        // The chunks the new documents' postings are added to (none in a
        // new generation).
        let chunks = match (&new_gen, &previous) {
            (None, Some(p)) => p.chars.clone(),
            _ => vec![],
        };
        let first = chars::next_ordinal(&chunks);
        let sink = texts::TextSink::open(&gen_dir, first)?;
        let counts = index_documents(
            corpus,
            &to_index,
            &writer,
            &sink,
            &gen_dir,
            fields,
            &opts.topics,
            progress.as_deref(),
        );
        if let Some(p) = progress {
            p.finish();
        }
        let counts = counts?;
        opts.observer.mark("index: documents handed to the writer");

        let fresh: std::collections::HashMap<&str, &build::Indexed> =
            counts.per_doc.iter().map(|d| (d.id.as_str(), d)).collect();
        let documents = recorded_states(&observed, &indexed, &fresh);
        summary.provisions = documents.values().map(|d| d.provisions).sum::<usize>()
            + additions.as_ref().map_or(0, |a| a.1);
        summary.indexed_provisions = counts.per_doc.iter().map(|d| d.provisions).sum();
        summary.bytes = counts.bytes;
        // The texts and their postings must be on disk before any document
        // pointing at them is: written (with the states) while tantivy's
        // threads write their segments, committed once both are done.
        let postings = counts.postings;
        let write_payload = || -> Result<(String, Payload)> {
            let mut chunks = chunks;
            let end = sink.next_ordinal();
            if end > first {
                let postings = postings
                    .into_iter()
                    .reduce(chars::Builder::merge)
                    .unwrap_or_default();
                chunks.push(postings.write(&gen_dir, first, end)?);
            }
            if chunks.len() > chars::MAX_CHUNKS {
                // The last few, not all: a small update (`add`) never rewrites
                // the large chunk of the build before it.
                let from = chars::merge_from(&gen_dir, &chunks);
                let merged = chars::merge_chunks(&gen_dir, &chunks[from..])?;
                chunks.truncate(from);
                chunks.push(merged);
            }
            let mut payload = Payload::new(want, documents, observed.catalog, chunks);
            payload.signals = Some(observed.signals.clone());
            payload.texts = replaced.map(|r| (sink.len(), r));
            let json = match (&additions, &previous) {
                (Some((_, _, order)), Some(p)) => {
                    payload_json_appended(&gen_dir, &mut payload, p, order)?
                }
                _ => payload_json(&gen_dir, &mut payload, corpus)?,
            };
            sink.sync()?;
            Ok((json, payload))
        };
        let mut writer = writer;
        let (written, prepared) = std::thread::scope(|s| {
            let written = s.spawn(write_payload);
            let prepared = writer.prepare_commit().map_err(ierr);
            let written = written
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (written, prepared)
        });
        // A failure to write the texts' files is reported before tantivy's.
        let (json, payload) = match written {
            Ok(w) => w,
            Err(e) => {
                if let Ok(prepared) = prepared {
                    let _ = prepared.abort();
                }
                return Err(e);
            }
        };
        let mut prepared = prepared?;
        prepared.set_payload(&json);
        prepared.commit().map_err(ierr)?;
        remove_unreferenced(&gen_dir, &payload, previous.as_ref());
        opts.observer.mark("index: committed");
        if new_gen.is_some() {
            // The build's buffers are free by now; give them back to the
            // system before the merges map their segments.
            release_free_memory();
            merge_build_segments(&index, &mut writer, &gen_dir)?;
            writer.garbage_collect_files().wait().map_err(ierr)?;
        }
        writer.wait_merging_threads().map_err(ierr)?;
        opts.observer.mark("index: merges done");
        // The segments' ordinal maps (a cache of their `text_ord` columns,
        // which readers compute when one is missing: a failure costs
        // speed, not results).
        let _ = ordmap::write_missing(&gen_dir, &index);
        opts.observer.mark("index: ordinal maps written");
        if let Some(name) = new_gen {
            let replaced = self.current();
            write_atomic(&self.root.join(CURRENT), name.as_bytes(), "CURRENT.")?;
            // Readers may still be searching the generation just replaced
            // (tantivy opens some files of a segment only when a query
            // needs them): it stays until it has been idle a minute, and a
            // later writer removes it (`remove_abandoned_generations`).
            if let Some(old) = replaced {
                let _ = std::fs::write(old.join(REPLACED), name.as_bytes());
            }
            self.remove_abandoned_generations();
        }
        let _ = std::fs::remove_file(self.root.join(CHECKING));
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_segments_merge_in_groups_of_bounded_size() {
        let sized = vec![
            (50, 'a'),
            (40, 'b'),
            (300, 'c'),
            (60, 'd'),
            (30, 'e'),
            (90, 'f'),
        ];
        // Smallest first: e b a (120), d f (150), c alone (not merged).
        assert_eq!(
            merge_groups(sized.clone(), 150, 6),
            vec![vec!['e', 'b', 'a'], vec!['d', 'f']]
        );
        // Fewer segments than the minimum: left as they are.
        assert!(merge_groups(sized, 150, 7).is_empty());
        assert!(merge_groups(vec![(10, 1)], 150, 1).is_empty());
        assert!(merge_groups(Vec::<(u64, u8)>::new(), 150, 0).is_empty());
    }

    #[test]
    fn an_engine_error_is_kept_as_the_source() {
        let e = ierr(tantivy::TantivyError::InvalidArgument("bad field".into()));
        assert!(e.to_string().starts_with("index: "), "{e}");
        assert!(e.to_string().contains("bad field"), "{e}");
        let source = std::error::Error::source(&e).expect("the engine's error as source");
        assert!(source.to_string().contains("bad field"));
        assert!(std::error::Error::source(&Error::index("ours")).is_none());
    }

    #[test]
    fn a_missing_index_and_a_damaged_one_read_differently() {
        let dir = tempfile::tempdir().unwrap();
        let idx = IndexDir::new(&dir.path().join("index"));
        let Err(e) = idx.reader() else {
            panic!("no index, yet a reader")
        };
        let msg = e.to_string();
        assert!(
            msg.contains("no index in") && msg.contains("run `policy-diff index`"),
            "{msg}"
        );
        assert_eq!(Unusable::Missing.to_string(), "there is no index yet");
        assert_eq!(
            Unusable::Damaged("x is damaged".into()).to_string(),
            "x is damaged"
        );
    }
}
