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

pub struct CatalogView {
    full: OnceLock<Catalog>,
    /// The copy read in place, and the corpus whose `catalog.toml` is
    /// read instead if the copy turns out damaged.
    mapped: Option<(View<Mapped>, PathBuf)>,
}

impl CatalogView {
    /// A catalog decoded already (parsed from TOML, or being written).
    pub fn loaded(catalog: Catalog) -> CatalogView {
        CatalogView {
            full: catalog.into(),
            mapped: None,
        }
    }

    /// The catalog of `corpus_dir` read in place from its compact copy.
    pub fn mapped(view: View<Mapped>, corpus_dir: &Path) -> CatalogView {
        CatalogView {
            full: OnceLock::new(),
            mapped: Some((view, corpus_dir.to_path_buf())),
        }
    }

    /// How many entries (none decoded).
    pub fn len(&self) -> usize {
        match (self.full.get(), &self.mapped) {
            (Some(c), _) => c.documents.len(),
            (None, Some((view, _))) => view.len(),
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

    /// The entry whose id is `id` (the first, as [`Catalog::get`]),
    /// decoding that entry only while the catalog is read in place.
    /// An id the copy does not hold is looked for among all the entries.
    pub fn by_id(&self, id: &str) -> Option<Cow<'_, Entry>> {
        if let (None, Some((view, _))) = (self.full.get(), &self.mapped) {
            if let Some(e) = view.position(id).flatten().and_then(|i| view.entry(i)) {
                return Some(Cow::Owned(e));
            }
            // Not found, or damaged bytes read: decided on every entry
            // (an id a command asks for is one the index holds, so this
            // is the rare case).
        }
        self.full().get(id).map(Cow::Borrowed)
    }

    fn full(&self) -> &Catalog {
        self.full.get_or_init(|| match &self.mapped {
            Some((view, dir)) => view
                .decode_all()
                // A damaged copy: the catalog itself, the source of truth
                // (which parsed when the copy was made from it).
                .or_else(|| Catalog::load(dir).ok())
                .unwrap_or_default(),
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
