//! The corpus: documents on disk, their catalog entries, and their parsed
//! provisions. `load` reads and parses; nothing here touches the index.

pub mod catalog;
mod catalog_cache;
pub mod catalog_view;
pub mod dates;
pub mod enactment;
pub mod issuance;
/// Former home of [`crate::ingest`] (files to text).
pub use crate::ingest as extract;
pub mod layout;
pub mod load;
pub mod meta;
pub mod names;
pub mod near_duplicate;
pub mod numbering;
pub mod pending;
pub mod provision;
pub mod regions;
pub mod signals;
pub mod sketches;
pub mod structure;
mod task_table;
pub mod values;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

pub use catalog::{AsText, Catalog, Entry, Field};
pub use catalog_view::CatalogView;
pub use values::{Date, Kind, Level};

/// Version of the parser's output (provisions, headings, paths, units).
/// Bump it whenever a change moves any of them: indexes record it and are
/// rebuilt on a mismatch. 1: task-table groups from body wording; a
/// section's own text no longer repeats its heading in its path. 2: a signature
/// set far in is not joined to the paragraph above it. 3: 各县、区人民政府 is one
/// responsible unit. 4: a law's adoption and amendment lines are a `Front`
/// provision (题注), not text under the title; Markdown comment lines are dropped.
/// 5: the index records substantive provisions per document (what `docs`
/// shows), not front matter. 6: a line closed by a bracket ends its paragraph
/// when it ends a responsible-unit note by `text::units`' rule (five labels,
/// a note, not a mention), no longer when any of three labels is in its
/// last 120 characters (no document of the seeds, the bundled corpus or the
/// laws corpus parses differently).
pub const PARSE_VERSION: u32 = 6;
pub use provision::{Clause, Provision, ProvisionKind};

use crate::error::{Error, Result};

/// Subdirectory of the corpus holding the document texts.
pub const DOCS_DIR: &str = "docs";
/// Subdirectory of the corpus holding the original files of documents whose
/// text was extracted (HTML, .docx, PDF, text in a legacy encoding).
pub const ORIGINALS_DIR: &str = "originals";
/// Files larger than this are refused by `add`.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Document {
    pub entry: Entry,
    pub text: String,
    pub provisions: Vec<Provision>,
    pub layout_dropped: Vec<layout::Dropped>,
}

/// Parse document text into provisions (pure).
pub fn parse(doc_id: &str, text: &str) -> (Vec<Provision>, Vec<layout::Dropped>) {
    let l = layout::layout(text);
    (structure::provisions(doc_id, &l.blocks), l.dropped)
}

pub fn content_hash(bytes: &[u8]) -> String {
    format!("blake3:{}", blake3::hash(bytes).to_hex())
}

#[derive(Debug)]
pub struct Corpus {
    pub dir: PathBuf,
    /// The catalog: every entry through `Deref` (decoded on first use when
    /// read from the compact copy), or one by id ([`CatalogView::by_id`]).
    pub catalog: CatalogView,
    /// Kept from [`Corpus::open_for_writing`] on: what this process changed
    /// (an index update then looks at those documents only).
    journal: Option<signals::Journal>,
    /// The catalog file as it was when opened for writing (its entries are
    /// `catalog.documents[..n]`): `add` appends to it instead of writing
    /// every entry again.
    loaded: Option<(signals::Sig, usize)>,
    /// The compact copy beside the catalog as this writer last read or
    /// wrote it: `add` extends it in place (`catalog_cache::append_beside`).
    beside: Option<catalog_cache::Beside>,
}

/// Size and modification time (ns since the epoch; 0 when unknown).
pub fn metadata_stamp(m: &std::fs::Metadata) -> (u64, u128) {
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (m.len(), mtime)
}

/// Size and modification time (ns) of a file, or zeros if it is missing.
pub fn file_stamp(path: &Path) -> (u64, u128) {
    std::fs::metadata(path)
        .map(|m| metadata_stamp(&m))
        .unwrap_or((0, 0))
}

impl Corpus {
    pub fn open(dir: &Path) -> Result<Corpus> {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "corpus directory {} does not exist (use --corpus DIR or POLICY_DIFF_CORPUS)",
                dir.display()
            )));
        }
        Ok(Corpus::with(dir, Catalog::load(dir)?.into()))
    }

    fn with(dir: &Path, catalog: CatalogView) -> Corpus {
        Corpus {
            dir: dir.to_path_buf(),
            catalog,
            journal: None,
            loaded: None,
            beside: None,
        }
    }

    /// What this process changed since [`Corpus::open_for_writing`]
    /// (`None` for a corpus opened to read, or after a failed save).
    pub fn journal(&self) -> Option<&signals::Journal> {
        self.journal.as_ref()
    }

    /// Open with the parsed catalog cached in `cache_dir` (compact bytes, see
    /// `catalog_cache`; keyed by
    /// the catalog file's size and modification time): parsing TOML for tens
    /// of thousands of documents on every search costs more than the search.
    pub fn open_cached(dir: &Path, cache_dir: &Path) -> Result<Corpus> {
        if !dir.is_dir() {
            return Corpus::open(dir);
        }
        let (size, mtime) = file_stamp(&Catalog::path(dir));
        if mtime == 0 {
            return Corpus::open(dir);
        }
        let cache = cache_dir.join(format!("catalog-{size}-{mtime}.bin"));
        if let Some(view) = catalog_cache::map(&cache, 0) {
            return Ok(Corpus::with(dir, CatalogView::mapped(view, dir)));
        }
        // The copy a writer left beside the catalog (see `save_catalog`).
        if let Some((_, view)) = catalog_cache::read_beside(dir) {
            return Ok(Corpus::with(dir, CatalogView::mapped(view, dir)));
        }
        let corpus = Corpus::open(dir)?;
        if cache_dir.is_dir()
            && crate::atomic::write_atomic(&cache, &catalog_cache::encode(&corpus.catalog)).is_ok()
        {
            for e in std::fs::read_dir(cache_dir).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("catalog-")
                    && (name.ends_with(".bin") || name.ends_with(".json"))
                    && e.path() != cache
                {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(corpus)
    }

    pub fn file_path(&self, entry: &Entry) -> PathBuf {
        self.dir.join(&entry.file)
    }

    /// Read, decode and parse one document.
    pub fn document(&self, entry: &Entry) -> Result<Document> {
        let path = self.file_path(entry);
        let decoded = load::read_text(&path)?;
        let (provisions, layout_dropped) = parse(&entry.id, &decoded.text);
        Ok(Document {
            entry: entry.clone(),
            text: decoded.text,
            provisions,
            layout_dropped,
        })
    }

    /// [`Corpus::document`], with the content hash of the file's bytes
    /// parsed ([`content_hash`]; the index records what it indexed).
    pub fn document_hashed(&self, entry: &Entry) -> Result<(Document, String)> {
        let path = self.file_path(entry);
        let (decoded, hash) = load::read_text_hashed(&path)?;
        let (provisions, layout_dropped) = parse(&entry.id, &decoded.text);
        let document = Document {
            entry: entry.clone(),
            text: decoded.text,
            provisions,
            layout_dropped,
        };
        Ok((document, hash))
    }

    /// All documents, parsed on all cores, in catalog order.
    pub fn documents(&self) -> Result<Vec<Document>> {
        use rayon::prelude::*;
        self.catalog
            .documents
            .par_iter()
            .map(|e| self.document(e))
            .collect()
    }

    /// The documents of `entries`, parsed on all cores (rayon's pool: a
    /// few very long documents, a civil code, do not leave a core idle), in
    /// the order given.
    pub fn documents_of(&self, entries: &[&Entry]) -> Result<Vec<Document>> {
        use rayon::prelude::*;
        entries.par_iter().map(|e| self.document(e)).collect()
    }

    /// The document a user names: its id, its 文号 or (a unique part of)
    /// its title ([`names::resolve`]), with suggestions when it is unknown
    /// and the candidates when it is ambiguous.
    pub fn entry(&self, name: &str) -> Result<&Entry> {
        names::resolve(&self.catalog.documents, name)
    }

    /// Open the corpus to change it: waits while another process changes
    /// it (an advisory lock on the corpus directory, held until the lock is
    /// dropped; `observer` is told when it waits), then reads the catalog.
    pub fn open_for_writing(
        dir: &Path,
        observer: &dyn crate::observe::Observer,
    ) -> Result<(Corpus, WriteLock)> {
        let lock = WriteLock::acquire(dir, observer)?;
        if pending::exists(dir) {
            pending::sweep_locked(dir)?;
        }
        // The catalog as a writer last saved it, when it is still the file
        // (no TOML to parse: at 24,000 documents that is most of an `add`).
        let (sig, mut corpus) = match catalog_cache::read_beside(dir) {
            Some((sig, view)) => {
                let beside = view.beside();
                let mut corpus = Corpus::with(dir, CatalogView::mapped(view, dir));
                corpus.beside = beside;
                (sig, corpus)
            }
            None => {
                let sig = signals::Sig::of(&Catalog::path(dir));
                (sig, Corpus::open(dir)?)
            }
        };
        corpus.loaded = Some((sig, corpus.catalog.len()));
        corpus.journal = Some(signals::Journal {
            before: signals::Signals::read(&corpus),
            changed: Default::default(),
        });
        Ok((corpus, lock))
    }

    /// Write `catalog` as the corpus's catalog and make it this corpus's;
    /// `changed` are the ids of the documents it adds, removes or edits.
    /// When the catalog only gains entries after those of the file as
    /// opened for writing, their TOML is appended to the file in place
    /// (`catalog::append_in_place`: the cost of the new entries, not of the
    /// catalog; a crash leaves the catalog as it was or with them), or,
    /// when the file does not end as policy-diff left it, to a copy of its
    /// bytes written atomically (no entry is serialized again). Any other
    /// change writes the whole catalog atomically. A copy in compact bytes
    /// is left beside it (`.catalog.bin`, keyed on the file's identity) for
    /// the next writer and readers.
    fn save_catalog(&mut self, catalog: Catalog, changed: &[&str]) -> Result<()> {
        let path = Catalog::path(&self.dir);
        let appended = self.loaded.and_then(|(sig, n)| {
            let new = catalog.documents.get(n..).filter(|new| !new.is_empty())?;
            let same_file = signals::Sig::of(&path) == sig && sig.mtime_ns != 0;
            (same_file && n > 0).then_some((sig, new))
        });
        // The compact copy of the catalog as it was, to extend rather than
        // encode every entry again.
        let mut beside = None;
        match appended {
            Some((sig, new)) => {
                // (Of the entries as loaded: a copy of another count is
                // not extended.)
                let n = catalog.documents.len() - new.len();
                beside = catalog_cache::beside_of(&self.dir, sig)
                    .filter(|v| v.len() == n)
                    .map(|v| (v, new.to_vec()));
                if !catalog::append_in_place(&path, sig.size, new)? {
                    let old = std::fs::read_to_string(&path)
                        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
                    crate::atomic::write_atomic(
                        &path,
                        catalog::with_appended(&old, new).as_bytes(),
                    )?;
                }
            }
            None => catalog.save(&self.dir)?,
        }
        self.catalog = catalog.into();
        let sig = signals::Sig::of(&path);
        self.loaded = Some((sig, self.catalog.documents.len()));
        self.beside = match beside {
            Some((old, new)) => catalog_cache::write_beside_appended(&self.dir, sig, &old, &new),
            None => catalog_cache::write_beside(&self.dir, sig, &self.catalog),
        };
        if let Some(j) = &mut self.journal {
            j.changed.extend(changed.iter().map(|id| id.to_string()));
        }
        Ok(())
    }

    /// Save the entries `add` staged (the ids `changed`): when the catalog
    /// is still read in place from the copy beside the file as opened for
    /// writing, which is still that file, the new entries' TOML is
    /// appended to it (as [`Corpus::save_catalog`] does) and the copy is
    /// extended by a record of them (`catalog_cache::append_beside`), or
    /// written again from its own bytes and the new entries: no entry is
    /// decoded, and the bytes written are those of the new entries (but
    /// for that rewrite, once every few hundred entries). Otherwise
    /// [`Corpus::save_catalog`] of the whole catalog.
    fn save_added(&mut self, changed: &[&str]) -> Result<()> {
        let path = Catalog::path(&self.dir);
        let fast = self.loaded.filter(|(sig, n)| {
            *n > 0
                && sig.mtime_ns != 0
                && self
                    .catalog
                    .added_from(*n)
                    .is_some_and(|new| !new.is_empty())
                && signals::Sig::of(&path) == *sig
        });
        let Some((sig, n)) = fast else {
            // Taken, not cloned (24,000 entries); a failed save reloads it.
            let catalog = std::mem::take(&mut *self.catalog);
            return self.save_catalog(catalog, changed);
        };
        let new = self.catalog.added_from(n).expect("checked above");
        if !catalog::append_in_place(&path, sig.size, new)? {
            let old = std::fs::read_to_string(&path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            crate::atomic::write_atomic(&path, catalog::with_appended(&old, new).as_bytes())?;
        }
        let sig = signals::Sig::of(&path);
        self.beside = self
            .beside
            .and_then(|at| catalog_cache::append_beside(&self.dir, at, sig, new))
            .or_else(|| {
                let (copy, added) = self.catalog.copy_and_added()?;
                catalog_cache::write_beside_appended(&self.dir, sig, copy, added)
            });
        self.loaded = Some((sig, self.catalog.len()));
        if let Some(j) = &mut self.journal {
            j.changed.extend(changed.iter().map(|id| id.to_string()));
        }
        Ok(())
    }

    /// Add one file (see [`Corpus::add_files`]).
    pub fn add_file(&mut self, source: &Path, overrides: &meta::Detected) -> Result<Entry> {
        self.add_files(&[source], overrides)
            .pop()
            .expect("one result per file")
    }

    /// Add documents in any format `extract` reads (text in any common
    /// encoding, Markdown, HTML, .docx, PDF, .doc, .wps, OFD, scans and
    /// images): see [`Corpus::add_each`]; the same `overrides` for every
    /// file, and near-duplicates kept (`add` refuses them; see
    /// [`AddOptions::allow_near_duplicate`]).
    pub fn add_files(
        &mut self,
        sources: &[&Path],
        overrides: &meta::Detected,
    ) -> Vec<Result<Entry>> {
        let items: Vec<(&Path, meta::Detected)> =
            sources.iter().map(|s| (*s, overrides.clone())).collect();
        // As before near-duplicates were refused: callers building a
        // corpus from a known set keep every document.
        let options = AddOptions {
            allow_near_duplicate: true,
            ..Default::default()
        };
        self.add_each(&items, &options).results
    }

    /// Add documents, each with its own metadata given by hand: the
    /// extracted text goes to `docs/<id>.txt` (UTF-8), the original file,
    /// when it differs, to `originals/<id>.<ext>`; the metadata is detected
    /// from the text, with the given fields taking precedence (and marked
    /// manual). Each file gets its own result; a refused file changes
    /// nothing, and with [`AddOptions::all_or_nothing`] one refusal means
    /// nothing is added. The files are written first and the catalog once at
    /// the end (atomically), so a crash leaves at most unreferenced files,
    /// which nothing reads.
    pub fn add_each(
        &mut self,
        items: &[(&Path, meta::Detected)],
        options: &AddOptions<'_>,
    ) -> Added {
        let mut bodies = Bodies::default();
        let added = self.add_each_with(items, options, &mut bodies);
        // The near-duplicate sketches, when the check computed or added any:
        // a cache beside the catalog, written even when the add was refused
        // (only for the documents the catalog holds now).
        if let Some(s) = &bodies.sketches {
            s.save(&self.dir, &self.catalog.documents);
        }
        added
    }

    fn add_each_with(
        &mut self,
        items: &[(&Path, meta::Detected)],
        options: &AddOptions<'_>,
        bodies: &mut Bodies,
    ) -> Added {
        let mut results = Vec::with_capacity(items.len());
        let mut written = vec![];
        for (source, overrides) in items {
            // Ctrl-C stopped a conversion: the rest is not read, nothing is added.
            if extract::run::interrupted() {
                results.push(Err(Error::Interrupted(source.to_path_buf())));
                continue;
            }
            let mut overrides = overrides.clone();
            let r = normalize_overrides(&mut overrides).and_then(|_| {
                self.complete_jurisdiction(&mut overrides);
                self.stage_file(source, &overrides, options, bodies, &mut written)
            });
            if let Some(p) = options.files_progress {
                p.step();
            }
            results.push(r);
        }
        let refused = results.iter().any(|r| r.is_err());
        let interrupted = results
            .iter()
            .any(|r| matches!(r, Err(Error::Interrupted(_))));
        let saved = if (options.all_or_nothing && refused) || interrupted {
            Err(Error::Other(String::new()))
        } else if results.iter().any(|r| r.is_ok()) {
            let ids: Vec<String> = results
                .iter()
                .filter_map(|r| r.as_ref().ok().map(|e| e.id.clone()))
                .collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            self.save_added(&ids)
        } else {
            Err(Error::Other(String::new()))
        };
        if let Err(e) = saved {
            // Undo: the catalog on disk is unchanged; remove the copied files.
            for f in &written {
                let _ = std::fs::remove_file(f);
            }
            pending::done(&self.dir);
            if results.iter().any(|r| r.is_ok()) {
                // Entries were staged (and the catalog maybe taken): what is
                // on disk stands, and is no longer known entry by entry.
                self.catalog = Catalog::load(&self.dir).unwrap_or_default().into();
                self.journal = None;
                self.loaded = None;
                self.beside = None;
            }
            if results.iter().all(|r| r.is_err())
                || (options.all_or_nothing && refused)
                || interrupted
            {
                return Added {
                    results,
                    committed: false,
                };
            }
            let msg = e.to_string();
            return Added {
                results: results
                    .into_iter()
                    .map(|r| r.and_then(|_| Err(Error::Other(msg.clone()))))
                    .collect(),
                committed: false,
            };
        }
        pending::done(&self.dir);
        Added {
            results,
            committed: true,
        }
    }

    /// Remove the files an interrupted `add` left that no catalog entry
    /// refers to ([`pending`]), unless another process is changing the
    /// corpus. Costs one `stat` when there are none. Returns what was removed.
    pub fn sweep_interrupted_add(dir: &Path) -> Result<Vec<PathBuf>> {
        if !pending::exists(dir) {
            return Ok(vec![]);
        }
        match WriteLock::try_acquire(dir) {
            Some(_lock) => pending::sweep_locked(dir),
            None => Ok(vec![]),
        }
    }

    fn stage_file(
        &mut self,
        source: &Path,
        overrides: &meta::Detected,
        options: &AddOptions<'_>,
        bodies: &mut Bodies,
        written: &mut Vec<PathBuf>,
    ) -> Result<Entry> {
        let md = std::fs::metadata(source)
            .map_err(|e| Error::input(source, format!("cannot read: {e}")))?;
        if md.is_dir() {
            return Err(Error::input(source, "is a directory"));
        }
        if md.len() > MAX_FILE_BYTES {
            return Err(Error::input(
                source,
                format!("too large ({} MB)", md.len() / (1024 * 1024)),
            ));
        }
        let bytes =
            std::fs::read(source).map_err(|e| Error::input(source, format!("cannot read: {e}")))?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::input(source, "the file is empty"));
        }
        // The same file again: compare the original bytes before extracting.
        let original_hash = content_hash(&bytes);
        if let Some(existing) = self.holder_of_original(&bytes, &original_hash) {
            return Err(already(source, &existing));
        }
        let extracted = extract::extract_with(source, &bytes, &options.extract)?;
        if extracted.text.trim().is_empty() {
            return Err(Error::input(
                source,
                format!(
                    "no text could be extracted from this {} file",
                    extracted.format.name()
                ),
            ));
        }
        if !extracted.text.chars().any(crate::text::is_han) {
            return Err(Error::input(source, "no Chinese text found"));
        }
        // The same text from another file (another format or encoding).
        let hash = content_hash(extracted.text.as_bytes());
        if let Some((_, existing)) = self.catalog.with_hash(&hash) {
            return Err(already(source, &existing));
        }
        let mut sketch = None;
        if !options.allow_near_duplicate {
            let (found, s) = self.near_duplicate_of(&extracted.text, bodies);
            sketch = Some(s);
            if let Some((existing, share)) = found {
                return Err(Error::input(
                    source,
                    format!(
                        "{:.1}% the same text as '{}' (《{}》), already in the corpus \
                         (add it with --allow-near-duplicate to keep both)",
                        (share * 1000.0).floor() / 10.0,
                        existing.id,
                        existing.title
                    ),
                ));
            }
        }
        let mut detected = meta::detect(&extracted.text);
        merge_overrides(&mut detected, overrides);
        if detected.title.is_none() {
            detected.title = source.file_stem().map(|s| s.to_string_lossy().into_owned());
        }
        let id = self.catalog.new_id(&detected);
        let file = format!("{DOCS_DIR}/{id}.txt");
        let original = if extracted.verbatim {
            String::new()
        } else {
            let ext = extract::extension_of(source)
                .filter(|e| e.len() <= 10 && e.chars().all(|c| c.is_ascii_alphanumeric()))
                .unwrap_or_else(|| extracted.format.extension().to_string());
            format!("{ORIGINALS_DIR}/{id}.{ext}")
        };
        let mut entry = Entry {
            id: id.clone(),
            file: file.clone(),
            hash,
            source: file_name(source),
            original: original.clone(),
            ..Default::default()
        };
        entry.apply_detected(&detected);
        entry.manual = manual_fields(overrides);
        if let Some(ocr) = extracted.ocr {
            entry.ocr = format!("{:.1}", ocr.confidence);
        }
        if !original.is_empty() {
            pending::note(&self.dir, &original)?;
            let path = self.dir.join(&original);
            std::fs::create_dir_all(self.dir.join(ORIGINALS_DIR))
                .map_err(|e| Error::io("creating the corpus originals directory", e))?;
            crate::atomic::write_atomic(&path, &bytes)?;
            written.push(path);
        }
        pending::note(&self.dir, &file)?;
        let path = self.dir.join(&file);
        std::fs::create_dir_all(self.dir.join(DOCS_DIR))
            .map_err(|e| Error::io("creating the corpus docs directory", e))?;
        crate::atomic::write_atomic(&path, extracted.text.as_bytes())?;
        written.push(path);
        if let (Some(sketch), Some(stored)) = (sketch, &mut bodies.sketches) {
            stored.insert(&self.dir, &entry, sketch);
        }
        self.catalog.push(entry.clone());
        Ok(entry)
    }

    /// The document already in the corpus whose body is at least
    /// [`near_duplicate::THRESHOLD`] the same as `text`'s, and how much;
    /// and the sketch of `text`'s body. The stored documents are compared
    /// by their sketches ([`sketches`], loaded and brought up to date once
    /// per `add`); only those whose sketch could match are read and diffed.
    fn near_duplicate_of(
        &self,
        text: &str,
        bodies: &mut Bodies,
    ) -> (Option<(&Entry, f64)>, near_duplicate::Sketch) {
        let body = near_duplicate::Body::of(text);
        let sketch = body.sketch();
        if body.is_empty() {
            return (None, sketch);
        }
        let stored = bodies.sketches.get_or_insert_with(|| {
            let mut s = sketches::Sketches::load(&self.dir);
            s.refresh(&self.dir, &self.catalog.documents);
            s
        });
        let mut best: Option<(&Entry, f64)> = None;
        for e in &self.catalog.documents {
            if !stored.get(e).is_some_and(|s| sketch.may_match(s)) {
                continue;
            }
            let b = match bodies.full.get(&e.id) {
                Some(b) => b,
                None => {
                    let Ok(t) = load::read_text(&self.dir.join(&e.file)) else {
                        continue;
                    };
                    bodies
                        .full
                        .entry(e.id.clone())
                        .or_insert_with(|| near_duplicate::Body::of(&t.text))
                }
            };
            let s = body.similarity(b);
            if s >= near_duplicate::THRESHOLD && best.is_none_or(|(_, x)| s > x) {
                best = Some((e, s));
            }
        }
        (best, sketch)
    }

    /// The (first) document whose original bytes (or stored text) are
    /// `bytes`: found by its hash, or among those with an original file
    /// before it (each compared by size, then content).
    fn holder_of_original(&self, bytes: &[u8], hash: &str) -> Option<Cow<'_, Entry>> {
        let by_hash = self.catalog.with_hash(hash);
        for (i, d) in self.catalog.with_original() {
            if by_hash.as_ref().is_some_and(|(at, _)| *at < i) {
                break;
            }
            if std::fs::metadata(self.dir.join(&d.original))
                .is_ok_and(|m| m.len() == bytes.len() as u64)
                && std::fs::read(self.dir.join(&d.original)).is_ok_and(|b| content_hash(&b) == hash)
            {
                return Some(d);
            }
        }
        by_hash.map(|(_, e)| e)
    }

    /// A jurisdiction given by hand as an unambiguous part of one the corpus
    /// has (`南通`) is that one (`南通市`); anything else is taken as given.
    fn complete_jurisdiction(&self, o: &mut meta::Detected) {
        if let Some(j) = &o.jurisdiction {
            if let Ok(full) = self.resolve_jurisdiction(j) {
                o.jurisdiction = Some(full);
            }
        }
    }

    /// Take a document out of the catalog (written atomically first), then
    /// delete its text and original. A crash in between leaves unreferenced
    /// files, which nothing reads. The index follows on its next update.
    pub fn remove(&mut self, id: &str) -> Result<Entry> {
        let entry = self.entry(id)?.clone();
        let mut catalog = self.catalog.clone();
        catalog.documents.retain(|d| d.id != entry.id);
        self.save_catalog(catalog, &[&entry.id])?;
        for f in [&entry.file, &entry.original] {
            let still_used = self
                .catalog
                .documents
                .iter()
                .any(|d| &d.file == f || &d.original == f);
            if !f.is_empty() && !still_used && inside(f) {
                match std::fs::remove_file(self.dir.join(f)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::io(
                            format!("removing {}", self.dir.join(f).display()),
                            e,
                        ))
                    }
                    _ => {}
                }
            }
        }
        Ok(entry)
    }

    /// Set metadata fields of a document by hand: each field given is set
    /// and marked manual (detection leaves it alone from then on). An
    /// issuer implies the jurisdiction, and a jurisdiction the level, unless
    /// those are given or manual; a title implies the kind. The catalog is
    /// written atomically, and only when something changed. Returns the
    /// entry and whether it changed.
    pub fn set_meta(&mut self, id: &str, fields: &meta::Detected) -> Result<(Entry, bool)> {
        let mut fields = fields.clone();
        normalize_overrides(&mut fields)?;
        self.complete_jurisdiction(&mut fields);
        let id = self.entry(id)?.id.clone();
        let pos = self
            .catalog
            .documents
            .iter()
            .position(|d| d.id == id)
            .expect("entry exists");
        let mut catalog = self.catalog.clone();
        let e = &mut catalog.documents[pos];
        // Every field given but the kind, which a title implies.
        for f in Field::GIVEN.into_iter().filter(|f| *f != Field::Kind) {
            if fields.has(&f) {
                e.take(&f, &fields);
                if !e.is_manual(&f) {
                    e.manual.push(f);
                }
            }
        }
        if fields.title.is_some() && !e.is_manual(&Field::Kind) {
            e.kind = meta::kind_of(&e.title);
        }
        if let Some(issuer) = fields.issuer.as_deref().filter(|i| !i.is_empty()) {
            if fields.jurisdiction.is_none() && !e.is_manual(&Field::Jurisdiction) {
                e.jurisdiction = meta::jurisdiction_of(issuer);
            }
        }
        let jurisdiction_changed =
            catalog.documents[pos].jurisdiction != self.catalog.documents[pos].jurisdiction;
        let e = &mut catalog.documents[pos];
        if jurisdiction_changed && fields.level.is_none() && !e.is_manual(&Field::Level) {
            e.level = meta::level_of(&e.jurisdiction);
        }
        let changed = catalog.documents[pos] != self.catalog.documents[pos];
        if changed {
            self.save_catalog(catalog, &[&id])?;
        }
        Ok((self.catalog.documents[pos].clone(), changed))
    }
}

/// How `add` treats the files it is given.
#[derive(Clone, Copy, Default)]
pub struct AddOptions<'a> {
    /// OCR and progress of the extraction.
    pub extract: extract::Options<'a>,
    /// Keep a document whose text is nearly the same as one in the corpus.
    pub allow_near_duplicate: bool,
    /// When any file is refused, add none (a manifest).
    pub all_or_nothing: bool,
    /// Told of each file done (the caller started the count).
    pub files_progress: Option<&'a dyn extract::Progress>,
}

/// What [`Corpus::add_each`] did: one result per file, and whether the
/// catalog was written (false when nothing was added).
#[derive(Debug)]
pub struct Added {
    pub results: Vec<Result<Entry>>,
    pub committed: bool,
}

/// The near-duplicate check's state during one `add`: the corpus's
/// sketches (loaded on the first check) and the full bodies of the
/// documents diffed so far (by id).
#[derive(Default)]
struct Bodies {
    sketches: Option<sketches::Sketches>,
    full: std::collections::HashMap<String, near_duplicate::Body>,
}

/// Held while a process changes the corpus (see [`Corpus::open_for_writing`]).
#[derive(Debug)]
pub struct WriteLock {
    _file: Option<std::fs::File>,
}

impl WriteLock {
    /// Does a process (this one included) hold the corpus's write lock?
    /// Probed with a shared lock taken and dropped at once.
    pub fn held(dir: &Path) -> bool {
        use fs4::fs_std::FileExt;
        let Ok(file) = std::fs::File::open(dir) else {
            return false;
        };
        !matches!(FileExt::try_lock_shared(&file), Ok(true))
    }

    /// The lock if no other process holds it (`None` if one does, or the
    /// directory cannot be locked).
    fn try_acquire(dir: &Path) -> Option<WriteLock> {
        use fs4::fs_std::FileExt;
        let file = std::fs::File::open(dir).ok()?;
        matches!(FileExt::try_lock_exclusive(&file), Ok(true))
            .then_some(WriteLock { _file: Some(file) })
    }

    fn acquire(dir: &Path, observer: &dyn crate::observe::Observer) -> Result<WriteLock> {
        use fs4::fs_std::FileExt;
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "corpus directory {} does not exist (use --corpus DIR or POLICY_DIFF_CORPUS)",
                dir.display()
            )));
        }
        // A lock on the directory itself: no lock file in the corpus. Where
        // directories cannot be locked, go on without one.
        let Ok(file) = std::fs::File::open(dir) else {
            return Ok(WriteLock { _file: None });
        };
        match FileExt::try_lock_exclusive(&file) {
            Ok(true) => {}
            Ok(false) => {
                observer.notice(&format!(
                    "policy-diff: another policy-diff process is changing {}; waiting for it to finish",
                    dir.display()
                ));
                if FileExt::lock_exclusive(&file).is_err() {
                    return Ok(WriteLock { _file: None });
                }
            }
            Err(_) => return Ok(WriteLock { _file: None }),
        }
        Ok(WriteLock { _file: Some(file) })
    }
}

/// A relative path that stays inside the corpus directory.
fn inside(rel: &str) -> bool {
    let p = Path::new(rel);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

fn already(source: &Path, existing: &Entry) -> Error {
    Error::input(
        source,
        format!(
            "already in the corpus as '{}' (《{}》)",
            existing.id, existing.title
        ),
    )
}

/// Check and normalize metadata given by hand: dates to `YYYY-MM-DD` (or
/// `YYYY-MM`), 文号 brackets to 〔〕, surrounding spaces trimmed. Empty values
/// clear a field, except the title and the jurisdiction.
pub fn normalize_overrides(o: &mut meta::Detected) -> Result<()> {
    for v in [
        &mut o.title,
        &mut o.doc_number,
        &mut o.issuer,
        &mut o.jurisdiction,
    ]
    .into_iter()
    .flatten()
    {
        *v = v.trim().to_string();
    }
    o.level = o.level.take().map(|l| Level::parse(l.as_str().trim()));
    o.kind = o.kind.take().map(|k| Kind::parse(k.as_str().trim()));
    if o.title.as_deref() == Some("") {
        return Err(Error::Usage("--title cannot be empty".into()));
    }
    if o.jurisdiction.as_deref() == Some("") {
        return Err(Error::Usage("--jurisdiction cannot be empty".into()));
    }
    if let Some(d) = o.date.as_ref().map(|d| d.as_str().trim().to_string()) {
        if d.is_empty() {
            o.date = Some(Date::parse(""));
        } else {
            o.date = Some(normalize_date(&d).map(|d| Date::parse(&d)).ok_or_else(|| {
                Error::Usage(format!(
                    "--date '{d}' is not a date: give YYYY-MM-DD (or YYYY-MM)"
                ))
            })?);
        }
    }
    if let Some(n) = &o.doc_number {
        o.doc_number = Some(issuance::canonical_doc_number(n));
    }
    Ok(())
}

/// `2023-05-08`, `2023-5-8`, `2023/05/08`, `2023.05.08`, `2023-05`,
/// `2023年5月8日` → `2023-05-08` (or `2023-05`); None if not a real date.
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() >= 2
        && parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    {
        if parts[0].len() != 4 {
            return None;
        }
        let y: u32 = parts[0].parse().ok()?;
        let m: u32 = parts[1].parse().ok()?;
        if !(1..=12).contains(&m) {
            return None;
        }
        let Some(d) = parts.get(2) else {
            return Some(format!("{y:04}-{m:02}"));
        };
        let d: u32 = d.parse().ok()?;
        return (1..=dates::days_in_month(y, m))
            .contains(&d)
            .then(|| format!("{y:04}-{m:02}-{d:02}"));
    }
    let d = meta::parse_date(s)?;
    normalize_date(d.as_str())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn merge_overrides(d: &mut meta::Detected, o: &meta::Detected) {
    for f in Field::GIVEN {
        d.take(&f, o);
    }
    if o.issuer.is_some() && o.jurisdiction.is_none() {
        let j = meta::jurisdiction_of(o.issuer.as_deref().unwrap());
        d.level = o.level.clone().or_else(|| meta::level_of(&j));
        d.jurisdiction = Some(j);
    }
    if o.jurisdiction.is_some() && o.level.is_none() {
        d.level = meta::level_of(o.jurisdiction.as_deref().unwrap());
    }
}

fn manual_fields(o: &meta::Detected) -> Vec<Field> {
    Field::GIVEN.into_iter().filter(|f| o.has(f)).collect()
}

/// A citation line: title, 文号, date and heading path of a provision.
pub fn citation(entry: &Entry, p: &Provision) -> String {
    let mut parts = vec![format!("《{}》", entry.title)];
    if !entry.doc_number.is_empty() {
        parts.push(entry.doc_number.clone());
    }
    if let Some(date) = &entry.date {
        parts.push(date.to_string());
    }
    let mut path = p.path.clone();
    path.push(p.heading.clone());
    parts.push(path.join(" > "));
    parts.join(" · ")
}

impl Corpus {
    /// The ids of the documents `names` designate ([`Corpus::entry`]), in
    /// the order given; the first unknown or ambiguous name is the error.
    pub fn doc_ids(&self, names: &[String]) -> Result<Vec<String>> {
        names
            .iter()
            .map(|n| self.entry(n).map(|e| e.id.clone()))
            .collect()
    }

    /// The corpus's jurisdictions that all of `names` designate
    /// ([`Corpus::jurisdictions`]), in the order given.
    pub fn jurisdictions_of(&self, names: &[String]) -> Result<Vec<String>> {
        Ok(names
            .iter()
            .map(|n| self.jurisdictions(n))
            .collect::<Result<Vec<Vec<String>>>>()?
            .concat())
    }

    /// The corpus's jurisdictions a user's `--jurisdiction` designates.
    /// The exact name of one of them is that one (`连云港市`: the city's own
    /// documents). Else a province or a prefecture-level city, by full
    /// name, short name or pinyin (`江苏`, `江苏省`, `连云港`, `Nantong`),
    /// means every jurisdiction that lies in it
    /// ([`regions::Regions::place_of`]): `江苏` is every city and zone in
    /// Jiangsu, `连云港` the city and its zones. Any other name is a
    /// jurisdiction of the corpus by an unambiguous part (`开发区`). Errors
    /// name what matched, or what the corpus has.
    pub fn jurisdictions(&self, name: &str) -> Result<Vec<String>> {
        // In catalog order, so that the columns of a region keep it.
        let mut seen = std::collections::HashSet::new();
        let all: Vec<&str> = self
            .catalog
            .documents
            .iter()
            .map(|d| d.jurisdiction.as_str())
            .filter(|j| !j.is_empty() && seen.insert(*j))
            .collect();
        let table = regions::regions();
        let named = table.named(name);
        // The exact name of a jurisdiction the corpus has is that one only
        // (`连云港市`: the city's own documents; `连云港`: with its zones).
        if all.contains(&name.trim()) {
            return Ok(vec![name.trim().to_string()]);
        }
        // Of colliding names keep the outermost (吉林: the province holds the city).
        let outer: Vec<&regions::Region> = named
            .iter()
            .copied()
            .filter(|r| !named.iter().any(|o| *o != *r && table.contains(o, r)))
            .collect();
        let within = |r: &regions::Region| -> Vec<String> {
            all.iter()
                .filter(|j| table.place_of(j).is_some_and(|p| table.contains(r, p)))
                .map(|j| j.to_string())
                .collect()
        };
        match outer.as_slice() {
            [] => {}
            [r] => {
                let found = within(r);
                if found.is_empty() {
                    return Err(Error::Usage(format!(
                        "unknown jurisdiction '{name}': no document of the corpus lies in {}\nhint: the corpus's jurisdictions are {}",
                        r.name,
                        all.join(", ")
                    )));
                }
                return Ok(found);
            }
            many => {
                let with_docs: Vec<(&regions::Region, Vec<String>)> = many
                    .iter()
                    .map(|r| (*r, within(r)))
                    .filter(|(_, found)| !found.is_empty())
                    .collect();
                let names: Vec<&str> = many.iter().map(|r| r.name).collect();
                return match with_docs.as_slice() {
                    [(_, found)] => Ok(found.clone()),
                    [] => Err(Error::Usage(format!(
                        "unknown jurisdiction '{name}': no document of the corpus lies in {}\nhint: the corpus's jurisdictions are {}",
                        names.join(" or "),
                        all.join(", ")
                    ))),
                    _ => Err(Error::Usage(format!(
                        "jurisdiction '{name}' is ambiguous: it names {}\nhint: give the Chinese name",
                        names.join(", ")
                    ))),
                };
            }
        }
        self.resolve_jurisdiction(name).map(|j| vec![j])
    }

    /// Resolve a jurisdiction given in full (`南通市`) or by an unambiguous part (`南通`).
    pub fn resolve_jurisdiction(&self, name: &str) -> Result<String> {
        let mut all: Vec<&str> = self
            .catalog
            .documents
            .iter()
            .map(|d| d.jurisdiction.as_str())
            .collect();
        all.sort();
        all.dedup();
        if all.contains(&name) {
            return Ok(name.to_string());
        }
        let matching: Vec<&str> = all.iter().copied().filter(|j| j.contains(name)).collect();
        match matching.as_slice() {
            [one] => Ok(one.to_string()),
            [] => Err(Error::Unknown { what: "jurisdiction", name: name.to_string(), suggestions: crate::error::suggest(name, all) }),
            many => Err(Error::Usage(format!(
                "jurisdiction '{name}' is ambiguous: it matches {}\nhint: give the full name, or repeat --jurisdiction for each",
                many.join(", ")
            ))),
        }
    }
}
