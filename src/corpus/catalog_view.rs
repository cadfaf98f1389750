//! The catalog as a [`Corpus`](super::Corpus) holds it: decoded whole,
//! or read in place from a compact copy (`catalog_cache`) and decoded
//! only as far as a command asks. A search looks up its hits' entries by
//! id ([`CatalogView::by_id`]: a binary search over the copy's id table),
//! so its start-up does not grow with the corpus; anything that needs
//! every entry (`docs`, `export`, filters by jurisdiction, `add`) reads
//! [`Catalog`] through `Deref`, which decodes them all once.

use std::borrow::Cow;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::catalog::{Catalog, Entry};
use super::catalog_cache::{Mapped, View};
use super::signals::dir_of;

pub struct CatalogView {
    full: OnceLock<Catalog>,
    /// The copy read in place, and the corpus whose `catalog.toml` is
    /// read instead if the copy turns out damaged.
    mapped: Option<(View<Mapped>, PathBuf)>,
    /// With `mapped`: the entries added after the copy's (`add`), which
    /// `full`, once decoded, holds too.
    pushed: Vec<Entry>,
}

impl CatalogView {
    /// A catalog decoded already (parsed from TOML, or being written).
    pub fn loaded(catalog: Catalog) -> CatalogView {
        CatalogView {
            full: catalog.into(),
            mapped: None,
            pushed: vec![],
        }
    }

    /// The catalog of `corpus_dir` read in place from its compact copy.
    pub fn mapped(view: View<Mapped>, corpus_dir: &Path) -> CatalogView {
        CatalogView {
            full: OnceLock::new(),
            mapped: Some((view, corpus_dir.to_path_buf())),
            pushed: vec![],
        }
    }

    /// How many entries (none decoded).
    pub fn len(&self) -> usize {
        match (self.full.get(), &self.mapped) {
            (Some(c), _) => c.documents.len(),
            (None, Some((view, _))) => view.len() + self.pushed.len(),
            (None, None) => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every entry has been decoded (for tests of what a command
    /// reads).
    pub fn is_decoded(&self) -> bool {
        self.full.get().is_some()
    }

    /// The copy read in place, while no entry is decoded.
    fn lazy(&self) -> Option<&View<Mapped>> {
        match (self.full.get(), &self.mapped) {
            (None, Some((view, _))) => Some(view),
            _ => None,
        }
    }

    /// The entry whose id is `id` (the first, as [`Catalog::get`]),
    /// decoding that entry only while the catalog is read in place.
    /// An id the copy does not hold is looked for among all the entries.
    pub fn by_id(&self, id: &str) -> Option<Cow<'_, Entry>> {
        if let Some(view) = self.lazy() {
            match view.position(id) {
                Some(Some(i)) => {
                    if let Some(e) = view.entry(i) {
                        return Some(Cow::Owned(e));
                    }
                }
                Some(None) => {
                    if let Some(e) = self.pushed.iter().find(|e| e.id == id) {
                        return Some(Cow::Borrowed(e));
                    }
                }
                None => {}
            }
            // Not found, or damaged bytes read: decided on every entry
            // (an id a command asks for is one the index holds, so this
            // is the rare case).
        }
        self.full().get(id).map(Cow::Borrowed)
    }

    /// Entry `i` (catalog order), decoding that entry only while the
    /// catalog is read in place.
    fn nth(&self, i: usize) -> Option<Cow<'_, Entry>> {
        if let Some(view) = self.lazy() {
            if i >= view.len() {
                return self.pushed.get(i - view.len()).map(Cow::Borrowed);
            }
            if let Some(e) = view.entry(i) {
                return Some(Cow::Owned(e));
            }
        }
        self.full().documents.get(i).map(Cow::Borrowed)
    }

    /// The last `k` entries (all of them when there are fewer).
    pub fn last(&self, k: usize) -> Vec<Cow<'_, Entry>> {
        let n = self.len();
        (n.saturating_sub(k)..n)
            .map_while(|i| self.nth(i))
            .collect()
    }

    /// The entries from position `from` on, when all of them were added
    /// after the compact copy read in place (what `add` appends).
    pub fn added_from(&self, from: usize) -> Option<&[Entry]> {
        let (view, _) = self.mapped.as_ref()?;
        self.pushed.get(from.checked_sub(view.len())?..)
    }

    /// The compact copy read in place, and every entry added after it.
    pub fn copy_and_added(&self) -> Option<(&View<Mapped>, &[Entry])> {
        let (view, _) = self.mapped.as_ref()?;
        Some((view, &self.pushed))
    }

    /// Add an entry at the end (the copy read in place stays as it is).
    pub fn push(&mut self, entry: Entry) {
        if self.mapped.is_some() {
            if let Some(c) = self.full.get_mut() {
                c.documents.push(entry.clone());
            }
            self.pushed.push(entry);
        } else {
            self.full.get_or_init(Catalog::default);
            self.full
                .get_mut()
                .expect("initialized just above")
                .documents
                .push(entry);
        }
    }

    /// The first entry whose content hash is `hash`, with its position.
    pub fn with_hash(&self, hash: &str) -> Option<(usize, Cow<'_, Entry>)> {
        if let Some(view) = self.lazy() {
            match view.with_hash(hash) {
                Some(Some(i)) => {
                    if let Some(e) = view.entry(i) {
                        return Some((i, Cow::Owned(e)));
                    }
                }
                Some(None) => {
                    return self
                        .pushed
                        .iter()
                        .position(|e| e.hash == hash)
                        .map(|k| (view.len() + k, Cow::Borrowed(&self.pushed[k])));
                }
                None => {}
            }
        }
        let docs = &self.full().documents;
        let i = docs.iter().position(|e| e.hash == hash)?;
        Some((i, Cow::Borrowed(&docs[i])))
    }

    /// The entries with an original file, with their positions, in order.
    pub fn with_original(&self) -> Vec<(usize, Cow<'_, Entry>)> {
        if let Some(view) = self.lazy() {
            let listed = view.with_original().and_then(|found| {
                found
                    .into_iter()
                    .map(|i| Some((i, Cow::Owned(view.entry(i)?))))
                    .collect::<Option<Vec<_>>>()
            });
            if let Some(mut listed) = listed {
                let n = view.len();
                listed.extend(
                    self.pushed
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| !e.original.is_empty())
                        .map(|(k, e)| (n + k, Cow::Borrowed(e))),
                );
                return listed;
            }
        }
        self.full()
            .documents
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.original.is_empty())
            .map(|(i, e)| (i, Cow::Borrowed(e)))
            .collect()
    }

    /// [`Catalog::new_id`], reading only the ids that start as the new
    /// one would while the catalog is read in place.
    pub fn new_id(&self, detected: &crate::corpus::meta::Detected) -> String {
        if let Some(view) = self.lazy() {
            let base = super::catalog::slug(detected);
            if let Some(ids) = view.ids_starting(&base) {
                let pushed = self.pushed.iter().map(|e| e.id.as_str());
                return super::catalog::new_id_among(base, ids.into_iter().chain(pushed));
            }
        }
        self.full().new_id(detected)
    }

    /// The directories of the documents' files (relative to the corpus,
    /// `""` for its top), sorted, each once: from the copy's table while
    /// it is read in place, else one pass over the entries.
    pub fn dirs(&self) -> Vec<String> {
        if let Some(view) = self.lazy() {
            if let Some(mut dirs) = view.dirs() {
                for e in &self.pushed {
                    let dir = dir_of(&e.file);
                    if let Err(at) = dirs.binary_search_by(|d| d.as_str().cmp(dir)) {
                        dirs.insert(at, dir.to_string());
                    }
                }
                return dirs;
            }
        }
        let mut dirs: Vec<&str> = Vec::new();
        let mut last = None;
        for e in &self.full().documents {
            let dir = dir_of(&e.file);
            if last != Some(dir) {
                last = Some(dir);
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
        dirs.sort_unstable();
        dirs.into_iter().map(str::to_string).collect()
    }

    fn full(&self) -> &Catalog {
        self.full.get_or_init(|| match &self.mapped {
            Some((view, dir)) => match view.decode_all() {
                Some(mut c) => {
                    c.documents.extend(self.pushed.iter().cloned());
                    c
                }
                // A damaged copy: the catalog itself, the source of truth
                // (which parsed when the copy was made from it), with the
                // entries added since unless it holds them already.
                None => {
                    let mut c = Catalog::load(dir).ok().unwrap_or_default();
                    let ids = |es: &[Entry]| es.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
                    let tail = c.documents.len().saturating_sub(self.pushed.len());
                    if ids(&c.documents[tail..]) != ids(&self.pushed) {
                        c.documents.extend(self.pushed.iter().cloned());
                    }
                    c
                }
            },
            None => Catalog::default(),
        })
    }
}

impl Deref for CatalogView {
    type Target = Catalog;

    /// Every entry, decoded on first use.
    fn deref(&self) -> &Catalog {
        self.full()
    }
}

impl DerefMut for CatalogView {
    /// Every entry, to change: the copy read in place no longer holds it.
    fn deref_mut(&mut self) -> &mut Catalog {
        self.full();
        self.mapped = None;
        self.pushed.clear();
        self.full.get_mut().expect("decoded just above")
    }
}

impl From<Catalog> for CatalogView {
    fn from(catalog: Catalog) -> CatalogView {
        CatalogView::loaded(catalog)
    }
}

impl std::fmt::Debug for CatalogView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.full.get() {
            Some(c) => c.fmt(f),
            None => write!(f, "CatalogView {{ {} entries, not decoded }}", self.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A corpus read through its compact copy decodes the entries asked
    /// for by id only, and every entry when the whole catalog is read.
    #[test]
    fn decodes_only_what_is_asked_for() {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let catalog = Catalog::load(&seeds).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalog.bin");
        std::fs::write(&file, super::super::catalog_cache::encode(&catalog)).unwrap();
        let view = super::super::catalog_cache::map(&file, 0).unwrap();
        let lazy = CatalogView::mapped(view, &seeds);
        assert_eq!(lazy.len(), catalog.documents.len());
        let last = catalog.documents.last().unwrap();
        assert_eq!(lazy.by_id(&last.id).as_deref(), Some(last));
        assert!(!lazy.is_decoded());
        assert_eq!(lazy.documents, catalog.documents);
        assert!(lazy.is_decoded());
        assert!(matches!(lazy.by_id(&last.id), Some(Cow::Borrowed(_))));
        assert_eq!(lazy.by_id("no-such-document"), None);
    }
}
