//! What an index holds, recorded with each tantivy commit so it changes
//! atomically with the documents: the versions (in the commit payload) and,
//! per document, the fingerprint of the text and metadata that were indexed
//! (in the `states-*.bin` file the payload names, written before the commit).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::corpus::signals::{Sig, Signals};
use crate::corpus::{Corpus, Entry};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    pub schema: u32,
    pub fold: u32,
    /// `corpus::PARSE_VERSION`: provisions, paths and headings are stored in
    /// the index, so a parser change rebuilds it. (Absent, read as 0, in
    /// indexes from before it was recorded.)
    #[serde(default)]
    pub parse: u32,
    pub dictionary: String,
    pub topics: String,
}

impl Versions {
    pub fn current(topics: &str) -> Versions {
        Versions {
            schema: super::schema::SCHEMA_VERSION,
            fold: crate::text::normalize::FOLD_VERSION,
            parse: crate::corpus::PARSE_VERSION,
            dictionary: crate::text::segment::dictionary_version(),
            topics: topics.to_string(),
        }
    }

    /// Why an index with `self` must be rebuilt for `want`, if it must.
    pub fn mismatch(&self, want: &Versions) -> Option<String> {
        if self.schema != want.schema {
            return Some(format!(
                "index schema version {} ≠ {}",
                self.schema, want.schema
            ));
        }
        if self.fold != want.fold {
            return Some(format!(
                "normalization version {} ≠ {}",
                self.fold, want.fold
            ));
        }
        if self.parse != want.parse {
            return Some(format!("parser version {} ≠ {}", self.parse, want.parse));
        }
        if self.dictionary != want.dictionary {
            return Some("the segmentation dictionary changed".to_string());
        }
        if self.topics != want.topics {
            return Some("the topic taxonomy changed".to_string());
        }
        None
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocState {
    /// Hash of the file bytes and the catalog entry.
    pub fingerprint: String,
    /// The file's size and modification time when it was hashed, so an
    /// unchanged file need not be read again.
    pub size: u64,
    pub mtime_ns: u128,
    pub file_hash: String,
    /// Substantive provisions (front matter not counted), as `docs`,
    /// `diff` and `compare` count them.
    pub provisions: usize,
}

/// What the tantivy commit payload holds: the versions, the catalog stamp
/// and the name of the file beside it that holds the per-document states
/// (binary, see [`encode_states`]; kept out of `meta.json`, which tantivy
/// parses on every open: at 24,000 documents the JSON was 5.5 MB). The
/// file is opened with the generation and read only when something asks
/// for the states (a reader found fresh by the signals never does: its
/// start-up does not grow with the corpus); they are decoded into a map
/// only when something asks for it; the thorough freshness check reads
/// the bytes in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub versions: Versions,
    /// The states file in the generation directory (`states-<hash>.bin`).
    #[serde(default)]
    pub states: String,
    /// Size and modification time of catalog.toml when observed: while they
    /// are unchanged, per-document fingerprints need not be recomputed.
    #[serde(default)]
    pub catalog: (u64, u128),
    /// The character-postings chunks, in ordinal order (see
    /// [`chars`](super::chars)).
    #[serde(default)]
    pub chars: Vec<super::chars::ChunkRef>,
    /// `texts.bin` as this commit left it: its length and how many of its
    /// bytes no live document refers to (texts of replaced and removed
    /// documents), kept up to date by each update from the documents it
    /// deletes, so that deciding on a compaction reads no per-provision
    /// data. Absent in indexes from before it was recorded (then counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub texts: Option<(u64, u64)>,
    /// What the cheap freshness check compares (see [`Signals`]); absent in
    /// indexes from before it was recorded (the next update records it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signals: Option<Signals>,
    /// The states file's length, checked when the generation is opened
    /// (absent in indexes from before it was recorded: then the file is
    /// read and checked whole at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub states_len: Option<u64>,
    /// States files appended since `states` was written (name, length):
    /// each holds the states of documents an update only added, after
    /// those of the files before it (see [`additions`]), so that adding a
    /// document writes its own states, not every document's. Up to
    /// [`MAX_STATES_PARTS`]; the next update that may not append rewrites
    /// them all into one file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states_parts: Vec<(String, u64)>,
    /// The states file, open (a later writer may remove it; the open file
    /// stays readable) and not read yet; then the parts, likewise.
    #[serde(skip)]
    states_file: StatesFile,
    #[serde(skip)]
    parts_files: Vec<StatesFile>,
    /// The bytes of the states file, then of each part, each checked
    /// well-formed when read (none when any is not); shared by clones (a
    /// writer keeps the payload it found: at x64 the states are 16 MB).
    #[serde(skip)]
    raw: std::sync::OnceLock<std::sync::Arc<Vec<StatesBytes>>>,
    #[serde(skip)]
    documents: std::sync::OnceLock<BTreeMap<String, DocState>>,
}

impl Payload {
    pub fn new(
        versions: Versions,
        documents: BTreeMap<String, DocState>,
        catalog: (u64, u128),
        chars: Vec<super::chars::ChunkRef>,
    ) -> Payload {
        Payload {
            versions,
            catalog,
            chars,
            documents: documents.into(),
            ..Default::default()
        }
    }

    /// Attach the bytes of the states file; `None` when they are damaged.
    pub fn with_states(mut self, raw: Vec<u8>) -> Option<Payload> {
        visit_states(&raw, |_| true)?;
        self.raw = std::sync::Arc::new(vec![StatesBytes::Read(raw)]).into();
        self.documents = Default::default();
        Some(self)
    }

    /// Attach the states file and its parts, open, to be read when first
    /// needed.
    pub fn with_states_files(mut self, file: std::fs::File, parts: Vec<std::fs::File>) -> Payload {
        self.states_file = StatesFile(Some(std::sync::Arc::new(file)));
        self.parts_files = parts
            .into_iter()
            .map(|f| StatesFile(Some(std::sync::Arc::new(f))))
            .collect();
        self.raw = Default::default();
        self.documents = Default::default();
        self
    }

    /// The states as the bytes of the states file and of its parts, in
    /// order (read once; none when any is unreadable or damaged).
    fn raw(&self) -> &[StatesBytes] {
        self.raw
            .get_or_init(|| std::sync::Arc::new(self.read_raw()))
    }

    /// The pieces of [`Payload::raw`], read (a large file mapped) and
    /// checked.
    fn read_raw(&self) -> Vec<StatesBytes> {
        let whole = |f: &StatesFile| {
            read_whole(f.0.as_ref()?).filter(|b| visit_states(b, |_| true).is_some())
        };
        std::iter::once(&self.states_file)
            .chain(&self.parts_files)
            .map(whole)
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
    }

    /// [`visit_states`] over the states file and its parts, as over one
    /// file (`None` when they are unread or damaged).
    fn visit_raw<'a>(&'a self, mut f: impl FnMut(StateRef<'a>) -> bool) -> Option<bool> {
        let pieces = self.raw();
        if pieces.is_empty() {
            return None;
        }
        for piece in pieces {
            if !visit_states(piece, &mut f)? {
                return Some(false);
            }
        }
        Some(true)
    }

    /// How many documents the states hold and their substantive
    /// provisions, and whether any of `ids` is among them: one pass over
    /// the bytes, nothing decoded (`None` when they are damaged).
    fn tally(&self, ids: &std::collections::BTreeSet<String>) -> Option<(usize, usize, bool)> {
        let (mut n, mut provisions, mut any) = (0, 0, false);
        let whole = self.visit_raw(|r| {
            n += 1;
            provisions += r.provisions as usize;
            any |= ids.contains(r.id);
            true
        })?;
        whole.then_some((n, provisions, any))
    }

    /// Are the states readable and whole? (Read now if they were not yet:
    /// a writer checks before it trusts them.)
    pub fn states_readable(&self) -> bool {
        // (The bytes are checked as they are read: empty when damaged.)
        self.states.is_empty() || self.documents.get().is_some() || !self.raw().is_empty()
    }

    /// Per document id, what was indexed.
    pub fn documents(&self) -> &BTreeMap<String, DocState> {
        self.documents.get_or_init(|| {
            let mut docs = BTreeMap::new();
            let complete = self.visit_raw(|r| {
                docs.insert(r.id.to_string(), r.state());
                true
            });
            if complete == Some(true) {
                docs
            } else {
                BTreeMap::new()
            }
        })
    }

    pub fn into_documents(self) -> BTreeMap<String, DocState> {
        let _ = self.documents();
        self.documents.into_inner().unwrap_or_default()
    }

    /// Each document's (id, size, mtime) in the order of the states file,
    /// which is the catalog's order when it was written.
    fn visit_stamps(&self, mut f: impl FnMut(&str, u64, u128) -> bool) -> bool {
        let unread = self.raw.get().is_none_or(|r| r.is_empty());
        match self.documents.get() {
            Some(docs) if unread && self.states_file.0.is_none() => {
                docs.iter().all(|(id, d)| f(id, d.size, d.mtime_ns))
            }
            _ => self.visit_raw(|r| f(r.id, r.size, r.mtime_ns)) == Some(true),
        }
    }
}

/// A states file's bytes: read, or mapped when large (a states file is
/// written under a temporary name, synced and renamed, named by its
/// content, and never changed; one removed stays readable while open).
enum StatesBytes {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for StatesBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            StatesBytes::Read(b) => b,
            StatesBytes::Mapped(m) => m,
        }
    }
}

impl std::fmt::Debug for StatesBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes of states", self.len())
    }
}

impl PartialEq for StatesBytes {
    fn eq(&self, other: &StatesBytes) -> bool {
        **self == **other
    }
}

impl Eq for StatesBytes {}

/// Files from this size on are mapped rather than read.
const MAP_FROM: u64 = 1 << 20;

/// The bytes of `file` from its start (clones of a payload share the
/// file: its offset is not used); mapped when large.
fn read_whole(file: &std::fs::File) -> Option<StatesBytes> {
    let m = file.metadata().ok()?;
    if m.len() >= MAP_FROM {
        // SAFETY: see `StatesBytes`: the file is never written after it
        // was renamed into place, nor cut back.
        return unsafe { memmap2::Mmap::map(file) }
            .ok()
            .map(StatesBytes::Mapped);
    }
    let len = usize::try_from(m.len()).ok()?;
    let mut bytes = vec![0; len];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(file, &mut bytes, 0).ok()?;
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut f = file.try_clone().ok()?;
        f.seek(std::io::SeekFrom::Start(0)).ok()?;
        f.read_exact(&mut bytes).ok()?;
    }
    Some(StatesBytes::Read(bytes))
}

/// An open states file; payloads compare equal whatever it is (it is
/// named by the payload's `states`).
#[derive(Debug, Clone, Default)]
struct StatesFile(Option<std::sync::Arc<std::fs::File>>);

impl PartialEq for StatesFile {
    fn eq(&self, _: &StatesFile) -> bool {
        true
    }
}

impl Eq for StatesFile {}

const STATES_MAGIC: &[u8] = b"policy-diff states 2\n";

/// The per-document states as bytes, in `order` (the catalog's order of
/// ids; documents it does not list follow in id order): a magic line, the
/// count, then per document its id, fingerprint and file hash (u32 length +
/// UTF-8), size (u64), mtime (u128) and provision count (u64), little-endian.
pub fn encode_states<'a>(
    docs: &BTreeMap<String, DocState>,
    order: impl IntoIterator<Item = &'a str>,
) -> Vec<u8> {
    let mut out = STATES_MAGIC.to_vec();
    out.extend((docs.len() as u64).to_le_bytes());
    let put_str = |out: &mut Vec<u8>, s: &str| {
        out.extend((s.len() as u32).to_le_bytes());
        out.extend(s.as_bytes());
    };
    let put = |out: &mut Vec<u8>, id: &str, d: &DocState| {
        put_str(out, id);
        put_str(out, &d.fingerprint);
        put_str(out, &d.file_hash);
        out.extend(d.size.to_le_bytes());
        out.extend(d.mtime_ns.to_le_bytes());
        out.extend((d.provisions as u64).to_le_bytes());
    };
    let mut written = std::collections::HashSet::new();
    for id in order {
        if let Some((id, d)) = docs.get_key_value(id) {
            if written.insert(id.as_str()) {
                put(&mut out, id, d);
            }
        }
    }
    for (id, d) in docs {
        if !written.contains(id.as_str()) {
            put(&mut out, id, d);
        }
    }
    out
}

/// One record of a states file, borrowed from its bytes.
struct StateRef<'a> {
    id: &'a str,
    fingerprint: &'a str,
    file_hash: &'a str,
    size: u64,
    mtime_ns: u128,
    provisions: u64,
}

impl StateRef<'_> {
    fn state(&self) -> DocState {
        DocState {
            fingerprint: self.fingerprint.to_string(),
            size: self.size,
            mtime_ns: self.mtime_ns,
            file_hash: self.file_hash.to_string(),
            provisions: self.provisions as usize,
        }
    }
}

/// Hand the records of a states file to `f` in order until it returns
/// false: `Some(true)` when all were visited, `Some(false)` when `f`
/// stopped, `None` when the bytes are not a states file (checked in full
/// only when every record is visited).
fn visit_states<'a>(bytes: &'a [u8], mut f: impl FnMut(StateRef<'a>) -> bool) -> Option<bool> {
    let mut rest = bytes.strip_prefix(STATES_MAGIC)?;
    let mut take = |n: usize| -> Option<&'a [u8]> {
        let (head, tail) = rest.split_at_checked(n)?;
        rest = tail;
        Some(head)
    };
    let count = u64::from_le_bytes(take(8)?.try_into().ok()?);
    for _ in 0..count {
        let mut string = || -> Option<&'a str> {
            let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
            std::str::from_utf8(take(n)?).ok()
        };
        let (id, fingerprint, file_hash) = (string()?, string()?, string()?);
        let record = StateRef {
            id,
            fingerprint,
            file_hash,
            size: u64::from_le_bytes(take(8)?.try_into().ok()?),
            mtime_ns: u128::from_le_bytes(take(16)?.try_into().ok()?),
            provisions: u64::from_le_bytes(take(8)?.try_into().ok()?),
        };
        if !f(record) {
            return Some(false);
        }
    }
    take(0).filter(|_| rest.is_empty()).map(|_| true)
}

/// The states of a states file by id; `None` for anything else.
pub fn decode_states(bytes: &[u8]) -> Option<BTreeMap<String, DocState>> {
    let mut docs = BTreeMap::new();
    let complete = visit_states(bytes, |r| {
        docs.insert(r.id.to_string(), r.state());
        true
    })?;
    complete.then_some(docs)
}

/// What the corpus looks like now, per document.
pub struct Observed {
    pub docs: BTreeMap<String, DocState>,
    /// catalog.toml's size and modification time.
    pub catalog: (u64, u128),
    /// The signals, taken before the files were looked at (a change made
    /// while they were moves them: the next check looks closer).
    pub signals: Signals,
}

/// Size and modification time of every file in `dir`, by file name. The
/// listing is one pass; the stats (most of the cost) are spread over the cores.
fn list_stamps(dir: &Path) -> std::collections::HashMap<String, (u64, u128)> {
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    let stamp = |e: &std::fs::DirEntry| -> Option<(String, (u64, u128))> {
        let m = e.metadata().ok()?;
        let name = e.file_name().into_string().ok()?;
        Some((name, crate::corpus::metadata_stamp(&m)))
    };
    if entries.len() < 2048 {
        return entries.iter().filter_map(stamp).collect();
    }
    use rayon::prelude::*;
    entries
        .par_iter()
        .with_min_len(512)
        .filter_map(stamp)
        .collect()
}

/// The check of every reading command ([`Check::Signals`](super::Check)):
/// the signals recorded in `payload` are those of `corpus_dir` now, whatever
/// the number of documents.
pub fn signals_unchanged(corpus_dir: &Path, payload: &Payload) -> bool {
    payload.signals.as_ref().is_some_and(|s| {
        payload.catalog == (s.catalog.size, s.catalog.mtime_ns) && s.still(corpus_dir)
    })
}

/// The thorough check ([`Check::Files`](super::Check)): the catalog file is the one
/// recorded and every document file has the recorded size and modification
/// time. `false` means "look closer" (see [`observe`]), not "stale".
pub fn unchanged(corpus: &Corpus, payload: &Payload) -> bool {
    let catalog = crate::corpus::file_stamp(&crate::corpus::Catalog::path(&corpus.dir));
    if catalog.1 == 0 || payload.catalog != catalog {
        return false;
    }
    let listed = list_stamps(&corpus.dir.join(crate::corpus::DOCS_DIR));
    let entries = &corpus.catalog.documents;
    // The states were written in this catalog's order: one pass, no lookups.
    let mut i = 0;
    let all_same = payload.visit_stamps(|id, size, mtime| {
        let Some(entry) = entries.get(i).filter(|e| e.id == id) else {
            return false;
        };
        i += 1;
        let now = entry
            .file
            .strip_prefix(crate::corpus::DOCS_DIR)
            .and_then(|f| f.strip_prefix('/'))
            .and_then(|name| listed.get(name));
        now.is_some_and(|&(s, m)| m != 0 && s == size && m == mtime)
    });
    all_same && i == entries.len()
}

fn stat(path: &Path) -> Result<(u64, u128)> {
    let m = std::fs::metadata(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    Ok(crate::corpus::metadata_stamp(&m))
}

/// A catalog entry whose file is gone: say which document and what to do.
fn missing(entry: &Entry, path: &Path, e: Error) -> Error {
    if path.exists() {
        return e;
    }
    Error::input(
        path,
        format!(
            "the file of document {id} is missing (the catalog lists it)\n\
             hint: restore the file, or take the document out with `policy-diff remove {id}`",
            id = entry.id
        ),
    )
}

/// A document's fingerprint: its catalog entry and its file's content hash.
pub(crate) fn entry_fingerprint(entry: &Entry, file_hash: &str) -> String {
    let meta = serde_json::to_string(entry).unwrap_or_default();
    let mut h = blake3::Hasher::new();
    h.update(meta.as_bytes());
    h.update(file_hash.as_bytes());
    h.finalize().to_hex()[..32].to_string()
}

/// Observe the corpus, reusing file hashes from `previous` when a file's
/// size and modification time are unchanged. Without `hash`, a file whose
/// hash cannot be reused is not read: its state has only the file's stamp
/// (no hash, no fingerprint), for an update that indexes every document
/// and records the hash of the bytes it parsed (a rebuild). Files are read
/// and hashed on all cores.
pub fn observe(corpus: &Corpus, previous: Option<&Payload>, hash: bool) -> Result<Observed> {
    use rayon::prelude::*;
    let signals = Signals::read(corpus);
    let catalog = crate::corpus::file_stamp(&crate::corpus::Catalog::path(&corpus.dir));
    let catalog_same = catalog.1 != 0 && previous.is_some_and(|p| p.catalog == catalog);
    // One directory listing stats the files relative to the directory,
    // cheaper than a path lookup per document.
    let listed = list_stamps(&corpus.dir.join(crate::corpus::DOCS_DIR));
    let previous_docs = previous.map(|p| p.documents());
    let states: Vec<(String, DocState)> = corpus
        .catalog
        .documents
        .par_iter()
        .with_min_len(64)
        .map(|entry| {
            let listed_stamp = entry
                .file
                .strip_prefix(crate::corpus::DOCS_DIR)
                .and_then(|f| f.strip_prefix('/'))
                .and_then(|name| listed.get(name))
                .copied();
            let prev = previous_docs.and_then(|d| d.get(&entry.id));
            let state = observe_entry(corpus, entry, prev, listed_stamp, catalog_same, hash)?;
            Ok((entry.id.clone(), state))
        })
        .collect::<Result<_>>()?;
    Ok(Observed {
        docs: states.into_iter().collect(),
        catalog,
        signals,
    })
}

/// One document now: its file's stamp (`listed`, or a stat), its file hash
/// (`prev`'s while the stamp is unchanged, else the file is read, unless
/// not `hash`) and its fingerprint (`prev`'s whole when the entry is known
/// unchanged too).
fn observe_entry(
    corpus: &Corpus,
    entry: &Entry,
    prev: Option<&DocState>,
    listed: Option<(u64, u128)>,
    entry_unchanged: bool,
    hash: bool,
) -> Result<DocState> {
    let path: PathBuf = corpus.file_path(entry);
    let (size, mtime_ns) = match listed {
        Some(s) => s,
        None => stat(&path).map_err(|e| missing(entry, &path, e))?,
    };
    let same_file = prev.filter(|p| p.size == size && p.mtime_ns == mtime_ns && mtime_ns != 0);
    if let Some(prev) = same_file.filter(|_| entry_unchanged) {
        return Ok(prev.clone());
    }
    let file_hash = match same_file {
        Some(prev) => prev.file_hash.clone(),
        None if !hash => {
            return Ok(DocState {
                size,
                mtime_ns,
                ..Default::default()
            })
        }
        None => {
            let bytes = std::fs::read(&path).map_err(|e| {
                missing(
                    entry,
                    &path,
                    Error::input(&path, format!("cannot read: {e}")),
                )
            })?;
            crate::corpus::content_hash(&bytes)
        }
    };
    Ok(DocState {
        fingerprint: entry_fingerprint(entry, &file_hash),
        size,
        mtime_ns,
        file_hash,
        provisions: 0,
    })
}

/// Observe only the documents a writer changed (`journal`), given that
/// `previous` is what the index held when the writer started (its signals
/// are the journal's `before`): every other document is as recorded.
/// Costs what those documents cost, plus copying the recorded states.
pub fn observe_changes(
    corpus: &Corpus,
    previous: &Payload,
    journal: &crate::corpus::signals::Journal,
) -> Result<Observed> {
    let signals = Signals::read(corpus);
    let catalog = crate::corpus::file_stamp(&crate::corpus::Catalog::path(&corpus.dir));
    let recorded = previous.documents();
    let mut docs = recorded.clone();
    for id in &journal.changed {
        docs.remove(id);
    }
    for entry in &corpus.catalog.documents {
        if journal.changed.contains(&entry.id) {
            let state = observe_entry(corpus, entry, recorded.get(&entry.id), None, false, true)?;
            docs.insert(entry.id.clone(), state);
        }
    }
    Ok(Observed {
        docs,
        catalog,
        signals,
    })
}

/// Most states files an index keeps besides the first (see
/// [`Payload::states_parts`]): reading them costs little more than one
/// file, and the next update that may not append merges them.
pub const MAX_STATES_PARTS: usize = 16;

/// An update that only adds documents (see [`additions`]).
pub struct Additions {
    /// The added documents now (in catalog order), with the corpus's
    /// catalog stamp and signals.
    pub observed: Observed,
    /// The documents already indexed, and their substantive provisions.
    pub recorded: usize,
    pub provisions: usize,
    /// The added documents' ids in catalog order (their states' order).
    pub order: Vec<String>,
}

/// When a writer's changes (`journal`) only added documents to a corpus
/// `previous` was fresh for, what the added documents are now, found
/// without decoding the recorded states (their states are then written as
/// a part of their own, see [`Payload::states_parts`]). `None` when any
/// change is not an addition (a document removed, edited or already
/// indexed), when the recorded states are damaged, or when the parts are
/// many (the update rewrites them into one file).
pub fn additions(
    corpus: &Corpus,
    previous: &Payload,
    journal: &crate::corpus::signals::Journal,
) -> Result<Option<Additions>> {
    if journal.changed.is_empty()
        || previous.states.is_empty()
        || previous.states_len.is_none()
        || previous.states_parts.len() >= MAX_STATES_PARTS
    {
        return Ok(None);
    }
    let Some((recorded, provisions, known)) = previous.tally(&journal.changed) else {
        return Ok(None);
    };
    if known {
        return Ok(None);
    }
    let signals = Signals::read(corpus);
    let catalog = crate::corpus::file_stamp(&crate::corpus::Catalog::path(&corpus.dir));
    // The added documents are the catalog's last entries, in its order
    // (only those decoded).
    let tail = corpus.catalog.last(journal.changed.len());
    if tail.len() != journal.changed.len() || tail.iter().any(|e| !journal.changed.contains(&e.id))
    {
        return Ok(None);
    }
    let mut docs = BTreeMap::new();
    for entry in &tail {
        docs.insert(
            entry.id.clone(),
            observe_entry(corpus, entry, None, None, false, true)?,
        );
    }
    Ok(Some(Additions {
        observed: Observed {
            docs,
            catalog,
            signals,
        },
        recorded,
        provisions,
        order: tail.iter().map(|e| e.id.clone()).collect(),
    }))
}

/// Do any documents' recorded file sizes or modification times differ from
/// what was observed (same fingerprints, files rewritten)?
pub fn stamps_moved(indexed: &BTreeMap<String, DocState>, observed: &Observed) -> bool {
    observed.docs.iter().any(|(id, d)| {
        indexed
            .get(id)
            .is_none_or(|i| i.size != d.size || i.mtime_ns != d.mtime_ns)
    })
}

/// The documents to add, to update and to remove to go from `indexed` to `observed`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    pub add: Vec<String>,
    pub update: Vec<String>,
    pub remove: Vec<String>,
    pub unchanged: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.update.is_empty() && self.remove.is_empty()
    }

    pub fn describe(&self) -> String {
        format!(
            "{} new, {} changed, {} removed",
            self.add.len(),
            self.update.len(),
            self.remove.len()
        )
    }
}

pub fn plan(indexed: &BTreeMap<String, DocState>, observed: &Observed) -> Plan {
    let mut p = Plan::default();
    for (id, state) in &observed.docs {
        match indexed.get(id) {
            None => p.add.push(id.clone()),
            Some(old) if old.fingerprint != state.fingerprint => p.update.push(id.clone()),
            Some(_) => p.unchanged.push(id.clone()),
        }
    }
    for id in indexed.keys() {
        if !observed.docs.contains_key(id) {
            p.remove.push(id.clone());
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_reject_damage() {
        let mut docs = BTreeMap::new();
        docs.insert(
            "nt-2021-23".to_string(),
            DocState {
                fingerprint: "ab".repeat(16),
                size: 12_345,
                mtime_ns: 1_795_451_878_836_816_455,
                file_hash: "cd".repeat(32),
                provisions: 41,
            },
        );
        docs.insert("空".to_string(), DocState::default());
        let bytes = encode_states(&docs, ["空", "nt-2021-23", "空", "gone"]);
        assert_eq!(decode_states(&bytes), Some(docs.clone()));
        assert_eq!(
            decode_states(&encode_states(&BTreeMap::new(), [])),
            Some(BTreeMap::new())
        );
        // Written in the given order, each document once.
        let payload = Payload::default().with_states(bytes.clone()).unwrap();
        let mut seen = vec![];
        assert!(payload.visit_stamps(|id, _, _| {
            seen.push(id.to_string());
            true
        }));
        assert_eq!(seen, ["空", "nt-2021-23"]);
        assert_eq!(payload.documents(), &docs);
        assert!(Payload::default()
            .with_states(bytes[..10].to_vec())
            .is_none());
        assert_eq!(decode_states(&bytes[..bytes.len() - 1]), None, "truncated");
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode_states(&longer), None, "trailing bytes");
        assert_eq!(decode_states(b"{}"), None);
    }

    #[test]
    fn parts_follow_the_states_file() {
        let state = |n: u64| DocState {
            fingerprint: format!("f{n}"),
            size: n,
            mtime_ns: u128::from(n) * 7,
            file_hash: format!("h{n}"),
            provisions: n as usize,
        };
        let map = |ids: &[(&str, u64)]| -> BTreeMap<String, DocState> {
            ids.iter()
                .map(|(id, n)| (id.to_string(), state(*n)))
                .collect()
        };
        let base = map(&[("b", 2), ("a", 1)]);
        let part1 = map(&[("d", 4), ("c", 3)]);
        let part2 = map(&[("e", 5)]);
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: Vec<u8>| {
            std::fs::write(dir.path().join(name), bytes).unwrap();
            std::fs::File::open(dir.path().join(name)).unwrap()
        };
        let payload = Payload::default().with_states_files(
            file("s", encode_states(&base, ["b", "a"])),
            vec![
                file("p1", encode_states(&part1, ["c", "d"])),
                file("p2", encode_states(&part2, [])),
            ],
        );
        // Stamps in the order written: the states file's, then each part's.
        let mut seen = vec![];
        assert!(payload.visit_stamps(|id, size, _| {
            seen.push((id.to_string(), size));
            true
        }));
        assert_eq!(
            seen,
            [("b", 2), ("a", 1), ("c", 3), ("d", 4), ("e", 5)].map(|(i, n)| (i.to_string(), n))
        );
        let mut all = base.clone();
        all.extend(part1.clone());
        all.extend(part2.clone());
        assert_eq!(payload.documents(), &all);
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        assert_eq!(payload.tally(&ids(&["x", "y"])), Some((5, 15, false)));
        assert_eq!(payload.tally(&ids(&["x", "d"])), Some((5, 15, true)));
        // A damaged part makes the states unreadable, as a damaged file does.
        let mut bad = encode_states(&part2, []);
        bad.pop();
        let payload = Payload::default()
            .with_states_files(file("s2", encode_states(&base, [])), vec![file("p3", bad)]);
        assert!(payload.documents().is_empty());
        assert_eq!(payload.tally(&ids(&[])), None);
    }
}
