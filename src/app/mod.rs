//! The application layer: what every front end (the command line, the web
//! workbench) asks of the library. A [`Workspace`] opens a corpus, its index
//! and its topic taxonomy, keeps the index fresh (or answers from the last
//! commit, saying why), and answers requests with typed results; front ends
//! turn flags or URL parameters into requests and results into bytes
//! (renderers in `report/`, `compare/render.rs`, `compare/side_by_side/`).
//!
//! The layer never prints and reads no environment variable: what the user
//! should be told goes through the [`Observer`] the front end supplies.

pub mod add;
pub mod backoff;
mod cache;
pub mod compare;
pub mod diff;
pub mod instruments;
pub mod search;
pub mod shared;
pub mod topics;

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::classify::topics::{topic_ids_folded, Taxonomy};
use crate::compare::SimilarityModel;
use crate::corpus::Corpus;
use crate::index::{Check, Classifier, IndexDir, Options, Reader, Summary, Topics};
use crate::{Error, Result};

pub use crate::observe::{Observer, Progress, Quiet};

/// Why the index a request was answered from is behind the corpus (the
/// `stale` object of JSON outputs).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stale {
    /// What changed since the last index (`the corpus changed (12 new, …)`).
    pub reason: String,
    /// Why updating it failed.
    pub error: String,
}

impl Stale {
    /// The one line that says so (the first line of the error).
    pub fn notice(&self) -> String {
        format!(
            "policy-diff: answering from the last index, without what changed since ({}): updating it failed: {}",
            self.reason, self.error
        )
    }
}

/// A JSON object output with the `stale` object first when the index
/// answering it is behind the corpus (absent otherwise, so the shape is
/// unchanged).
#[derive(serde::Serialize)]
pub struct WithStale<'a, T: serde::Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<&'a Stale>,
    #[serde(flatten)]
    pub inner: &'a T,
}

/// A corpus, its index and its taxonomy, as every request sees them.
pub struct Workspace {
    pub corpus_dir: PathBuf,
    pub index_dir: PathBuf,
    /// --topics FILE: a taxonomy replacing or extending the built-in one.
    pub topics_file: Option<PathBuf>,
    observer: Box<dyn Observer>,
    /// How a request decides the index is fresh: by the corpus's signals
    /// (a few `stat`s), or also every document file (`--check`).
    check: Check,
    taxonomy: OnceLock<Taxonomy>,
    /// Set when the index could not be brought up to date and the request
    /// is answered from the last committed one.
    stale: OnceLock<Stale>,
    /// The process ends after this workspace's one command (see
    /// [`Workspace::one_command`]).
    one_command: bool,
}

impl Workspace {
    pub fn new(
        corpus_dir: PathBuf,
        index_dir: PathBuf,
        topics_file: Option<PathBuf>,
        observer: Box<dyn Observer>,
    ) -> Workspace {
        Workspace {
            corpus_dir,
            index_dir,
            topics_file,
            observer,
            check: Check::Signals,
            taxonomy: OnceLock::new(),
            stale: OnceLock::new(),
            one_command: false,
        }
    }

    /// The process ends after one command (the command line; not `serve`):
    /// what a command is done with is left to the process's exit rather
    /// than dropped (see [`Workspace::done_with`]).
    pub fn one_command(mut self, yes: bool) -> Workspace {
        self.one_command = yes;
        self
    }

    /// Drop `value`, or, when the process ends after this command, leave it
    /// to the exit: the kernel unmaps an index's dozens of mapped files at
    /// exit in one pass for less than a `munmap` each (at x64, ~1.5 ms of
    /// a 9 ms search; BENCHMARKS.md, "Phrase search, read in runs"). Only
    /// what holds memory, mappings and read-only files is given here:
    /// nothing whose drop writes.
    pub fn done_with<T>(&self, value: T) {
        if self.one_command {
            std::mem::forget(value);
        }
    }

    /// Check every document file for freshness, not only the corpus's
    /// signals: sees a document edited in place behind the tool's back.
    pub fn checking_files(mut self, yes: bool) -> Workspace {
        self.check = if yes { Check::Files } else { Check::Signals };
        self
    }

    /// The observer notices go to.
    pub fn observer(&self) -> &dyn Observer {
        &*self.observer
    }

    /// Tell the user `line` (through the observer).
    pub fn notice(&self, line: &str) {
        self.observer.notice(line);
    }

    /// A step of the request reached (through the observer).
    pub fn mark(&self, step: &str) {
        self.observer.mark(step);
    }

    /// The corpus, after removing what an interrupted `add` left.
    pub fn corpus(&self) -> Result<Corpus> {
        self.sweep_interrupted_add()?;
        Corpus::open_cached(&self.corpus_dir, &self.index_dir)
    }

    /// Remove what an interrupted `add` left (files no catalog entry refers
    /// to), saying so. Every request that opens the corpus does.
    pub fn sweep_interrupted_add(&self) -> Result<()> {
        // Reading goes on if the files cannot be removed (a read-only corpus).
        let removed = match Corpus::sweep_interrupted_add(&self.corpus_dir) {
            Ok(removed) => removed,
            Err(e) => {
                self.notice(&format!(
                    "policy-diff: warning: cannot remove what an interrupted add left: {e}"
                ));
                vec![]
            }
        };
        if !removed.is_empty() {
            self.notice(&format!(
                "policy-diff: removed {} that an interrupted add left in {} (no catalog entry refers to them)",
                crate::report::count(removed.len(), "file"),
                self.corpus_dir.display()
            ));
        }
        Ok(())
    }

    fn index(&self) -> IndexDir {
        IndexDir::new(&self.index_dir)
    }

    /// The topic taxonomy: --topics FILE, else <corpus>/topics.toml, else built-in.
    pub fn taxonomy(&self) -> Result<&Taxonomy> {
        if let Some(t) = self.taxonomy.get() {
            return Ok(t);
        }
        let t = Taxonomy::resolve_file(&self.corpus_dir, self.topics_file.as_deref())?;
        Ok(self.taxonomy.get_or_init(|| t))
    }

    /// The taxonomy's fingerprint (see [`Taxonomy::fingerprint`]: what the
    /// index records of the topics it assigned), read from a memo beside
    /// the index when an index update wrote it for the same taxonomy file's
    /// bytes (or the built-in taxonomy) with this same build of the
    /// program. A search then need not parse and compile the taxonomy:
    /// ~1.2 ms, a quarter of its start-up (BENCHMARKS.md, "Phrase search,
    /// read in runs"). Else the taxonomy is parsed. Reading commands never
    /// write the memo: only an update, which writes the index anyway.
    pub fn topics_fingerprint(&self) -> Result<String> {
        if let Some(t) = self.taxonomy.get() {
            return Ok(t.fingerprint());
        }
        let remembered = self
            .taxonomy_key()
            .and_then(|k| self.taxonomy_memo().read(&k))
            .and_then(|b| String::from_utf8(b).ok())
            .filter(|f| f.starts_with("topics-") && !f.contains(char::is_whitespace));
        match remembered {
            Some(f) => Ok(f),
            None => Ok(self.taxonomy()?.fingerprint()),
        }
    }

    fn taxonomy_memo(&self) -> cache::Cache<'_> {
        cache::Cache::new(&self.index_dir, "taxonomy", "txt")
    }

    /// What the taxonomy's fingerprint follows from without parsing it:
    /// this build of the program (its version, size and modification
    /// time) and the bytes of the taxonomy file, if one is used (`None`
    /// when either cannot be read).
    fn taxonomy_key(&self) -> Option<String> {
        let mut h = blake3::Hasher::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        let exe = std::env::current_exe().and_then(std::fs::metadata).ok()?;
        h.update(format!("\0{}\0{:?}\0", exe.len(), exe.modified().ok()?).as_bytes());
        match Taxonomy::source_file(&self.corpus_dir, self.topics_file.as_deref()) {
            Some(path) => {
                h.update(b"file\0");
                h.update(&std::fs::read(path).ok()?);
            }
            None => {
                h.update(b"built-in\0");
            }
        }
        Some(h.finalize().to_hex()[..32].to_string())
    }

    /// Topic assignment for indexing: (version, classifier).
    fn topic_assignment(&self) -> Result<(String, Box<Classifier>)> {
        let tax = self.taxonomy()?.clone();
        let fingerprint = tax.fingerprint();
        // See `topics_fingerprint`. Written (and synced) only when it is
        // not there already: not on every `add`. A memo that cannot be
        // written is no error: the next search parses the taxonomy.
        if let Some(k) = self.taxonomy_key() {
            let memo = self.taxonomy_memo();
            if memo.read(&k).as_deref() != Some(fingerprint.as_bytes()) {
                memo.write(&k, fingerprint.as_bytes());
            }
        }
        Ok((
            fingerprint,
            Box::new(move |p, heading, text| topic_ids_folded(&tax, p, heading, text)),
        ))
    }

    /// Resolve topic names (id, label or alias) to topic ids.
    pub fn resolve_topics(&self, names: &[String]) -> Result<Vec<String>> {
        if names.is_empty() {
            return Ok(vec![]);
        }
        let tax = self.taxonomy()?;
        names
            .iter()
            .map(|n| tax.resolve(n).map(|t| t.id.clone()))
            .collect()
    }

    /// Start what an index update will need and costs the same at any
    /// corpus size (jieba's dictionary, about 100 ms) on rayon's pool, so
    /// that it overlaps the work before the update (`add`: reading the
    /// catalog, extracting and describing the files, writing the catalog).
    pub fn prepare_indexing(&self) {
        rayon::spawn(crate::text::segment::load);
    }

    /// Bring the index up to date with `corpus` (only what changed), or
    /// rebuild it.
    pub fn update_index(&self, corpus: &Corpus, rebuild: bool) -> Result<Summary> {
        let (version, classify) = self.topic_assignment()?;
        let opts = Options {
            rebuild,
            topics: Topics {
                version,
                classify: &*classify,
            },
            observer: &*self.observer,
        };
        self.index().update(corpus, &opts)
    }

    /// The similarity model (document frequencies over every substantive
    /// provision of the corpus), cached beside the index and rebuilt when any
    /// document, the normalization or the dictionary changes.
    pub fn similarity_model(&self, corpus: &Corpus) -> Result<SimilarityModel> {
        let payload = self.fresh_reader(corpus)?.payload;
        let key = self.cache_key("similarity-1", corpus, &payload);
        let cache = cache::Cache::new(&self.index_dir, "similarity", "bin");
        if let Some(model) = cache
            .read(&key)
            .and_then(|b| SimilarityModel::from_bytes(&b))
        {
            return Ok(model);
        }
        let docs = corpus.documents()?;
        let model = SimilarityModel::of_documents(&docs);
        cache.write(&key, &model.to_bytes());
        Ok(model)
    }

    /// Bring a missing or stale index up to date (one notice), then open it.
    /// When the update fails (a full disk, a read-only directory) and a
    /// committed index exists, answer from it: see [`Workspace::stale`].
    pub fn fresh_reader(&self, corpus: &Corpus) -> Result<Reader> {
        let version = self.topics_fingerprint()?;
        match self
            .index()
            .reader_if_fresh_with(corpus, &version, self.check)?
        {
            Ok(reader) => Ok(reader),
            Err(reason) => {
                self.notice(&format!(
                    "policy-diff: updating the index in {} ({reason})",
                    self.index_dir.display()
                ));
                match self.update_index(corpus, false) {
                    Ok(_) => self.index().reader(),
                    Err(e) => self.degrade(&reason, e),
                }
            }
        }
    }

    /// The index's reader if it follows the corpus, else `None` (nothing
    /// is written: see [`Workspace::fresh_reader`] for the reader that
    /// updates it).
    pub fn reader_if_fresh(&self, corpus: &Corpus) -> Result<Option<Reader>> {
        let version = self.topics_fingerprint()?;
        Ok(self
            .index()
            .reader_if_fresh_with(corpus, &version, self.check)?
            .ok())
    }

    /// Bring the index up to date if it is missing or stale, saying so;
    /// when that fails, go on with the last committed index.
    pub fn refresh(&self, corpus: &Corpus) -> Result<()> {
        let version = self.topics_fingerprint()?;
        if let Some(reason) = self.index().staleness_with(corpus, &version, self.check)? {
            self.notice(&format!(
                "policy-diff: updating the index in {} ({reason})",
                self.index_dir.display()
            ));
            if let Err(e) = self.update_index(corpus, false) {
                self.degrade(&reason, e)?;
            }
        }
        Ok(())
    }

    /// An update failed: if the last committed index opens, say in one
    /// line what is stale and why, remember it (JSON outputs carry it as
    /// `stale`) and answer from that index; else the update's error stands.
    fn degrade(&self, reason: &str, e: Error) -> Result<Reader> {
        let Ok(reader) = self.index().reader() else {
            return Err(e);
        };
        let full = e.to_string();
        let mut lines = full.lines();
        let stale = Stale {
            reason: reason.to_string(),
            error: lines.next().unwrap_or_default().to_string(),
        };
        let mut notice = stale.notice();
        for l in lines {
            notice.push('\n');
            notice.push_str(l);
        }
        self.notice(&notice);
        let _ = self.stale.set(stale);
        Ok(reader)
    }

    /// The key of a cache beside the index (see `app/cache.rs`) that depends
    /// on every document (its fingerprint as the index recorded it), the
    /// index's versions (normalization, dictionary, parsing), the taxonomy
    /// and this build of the program (version, and size and time of the
    /// executable, so a rebuilt program never reads an old cache); `tag`
    /// adds what else it depends on. The one key policy of every cache.
    pub fn cache_key(
        &self,
        tag: &str,
        corpus: &Corpus,
        payload: &crate::index::state::Payload,
    ) -> String {
        let mut h = blake3::Hasher::new();
        h.update(tag.as_bytes());
        h.update(b"\0");
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(
            serde_json::to_string(&payload.versions)
                .unwrap_or_default()
                .as_bytes(),
        );
        if let Ok(m) = std::env::current_exe().and_then(std::fs::metadata) {
            h.update(format!("\0{}\0{:?}\0", m.len(), m.modified().ok()).as_bytes());
        }
        if let Ok(t) = self.taxonomy() {
            h.update(t.fingerprint().as_bytes());
        }
        for e in &corpus.catalog.documents {
            let fingerprint = payload
                .documents()
                .get(&e.id)
                .map(|d| d.fingerprint.as_str());
            h.update(format!("\0{}\0{}\0{}", e.id, e.hash, fingerprint.unwrap_or("")).as_bytes());
        }
        h.finalize().to_hex()[..24].to_string()
    }

    /// Why the index answering this request is behind the corpus, if it is.
    pub fn stale(&self) -> Option<&Stale> {
        self.stale.get()
    }

    /// `value` (a JSON object) with this request's `stale` object.
    pub fn with_stale<'a, T: serde::Serialize>(&'a self, value: &'a T) -> WithStale<'a, T> {
        WithStale {
            stale: self.stale(),
            inner: value,
        }
    }
}

/// A link threshold as a user gives it: in (0, 1].
pub(crate) fn check_threshold(t: f64) -> Result<()> {
    if t > 0.0 && t <= 1.0 {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--threshold must be in (0, 1], got {t}"
        )))
    }
}

impl Workspace {
    /// A document named whole (id, 文号 or a unique part of the title), or
    /// one of its provisions (`DOC:SEQ`): the parsed document and the
    /// provision's index in it. The index is brought up to date first.
    pub fn document(&self, name: &str) -> Result<(crate::corpus::Document, Option<usize>)> {
        let corpus = self.corpus()?;
        self.refresh(&corpus)?;
        let (entry, seq) = match (corpus.entry(name), name.rsplit_once(':')) {
            (Ok(e), _) => (e, None),
            (Err(_), Some((d, s))) if corpus.entry(d).is_ok() => (corpus.entry(d)?, Some(s)),
            (Err(e), _) => return Err(e),
        };
        let doc = corpus.document(entry)?;
        let index = match seq {
            None => None,
            Some(seq) => Some(
                seq.parse::<usize>()
                    .ok()
                    .filter(|n| (1..=doc.provisions.len()).contains(n))
                    .map(|n| n - 1)
                    .ok_or_else(|| Error::Unknown {
                        what: "provision",
                        name: name.to_string(),
                        suggestions: vec![format!(
                            "{0}:1 … {0}:{1}",
                            doc.entry.id,
                            doc.provisions.len()
                        )],
                    })?,
            ),
        };
        Ok((doc, index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a command is done with is dropped, unless the process ends
    /// after the command: `serve`'s workspaces (never one command) must not
    /// keep every request's reader.
    #[test]
    fn done_with_drops_unless_the_process_ends_after_the_command() {
        struct Counted<'a>(&'a std::cell::Cell<u32>);
        impl Drop for Counted<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let drops = std::cell::Cell::new(0);
        let ws = |one| {
            Workspace::new(
                "c".into(),
                "i".into(),
                None,
                Box::new(crate::observe::Quiet),
            )
            .one_command(one)
        };
        ws(false).done_with(Counted(&drops));
        assert_eq!(drops.get(), 1);
        ws(true).done_with(Counted(&drops));
        assert_eq!(drops.get(), 1);
    }
}
