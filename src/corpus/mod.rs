//! The corpus: documents on disk, their catalog entries, and their parsed
//! provisions. `load` reads and parses; nothing here touches the index.

pub mod catalog;
pub mod layout;
pub mod load;
pub mod meta;
pub mod numbering;
pub mod provision;
pub mod structure;

use std::path::{Path, PathBuf};

pub use catalog::{Catalog, Entry};
pub use provision::{Provision, ProvisionKind};

use crate::error::{Error, Result};

/// Subdirectory of the corpus holding the document texts.
pub const DOCS_DIR: &str = "docs";

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
    pub catalog: Catalog,
}

impl Corpus {
    pub fn open(dir: &Path) -> Result<Corpus> {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "corpus directory {} does not exist (use --corpus DIR or POLICY_DIFF_CORPUS)",
                dir.display()
            )));
        }
        Ok(Corpus {
            dir: dir.to_path_buf(),
            catalog: Catalog::load(dir)?,
        })
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

    /// All documents, parsed on all cores, in catalog order.
    pub fn documents(&self) -> Result<Vec<Document>> {
        let entries = &self.catalog.documents;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(entries.len().max(1));
        let chunk = entries.len().div_ceil(threads.max(1)).max(1);
        let results: Vec<Result<Vec<Document>>> = std::thread::scope(|s| {
            let handles: Vec<_> = entries
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|e| self.document(e))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("parser thread panicked"))
                .collect()
        });
        let mut docs = Vec::with_capacity(entries.len());
        for r in results {
            docs.extend(r?);
        }
        Ok(docs)
    }

    /// Resolve a document id, with suggestions when it is unknown.
    pub fn entry(&self, id: &str) -> Result<&Entry> {
        self.catalog.get(id).ok_or_else(|| Error::Unknown {
            what: "document",
            name: id.to_string(),
            suggestions: crate::error::suggest(id, self.catalog.ids()),
        })
    }

    /// Add a plain-text document: copy it under `docs/`, detect its metadata,
    /// record it in the catalog. Refuses content already present.
    pub fn add_text(&mut self, source: &Path, overrides: &meta::Detected) -> Result<Entry> {
        self.add_texts(&[source], overrides)
            .pop()
            .expect("one result per file")
    }

    /// Add several files, writing the catalog once at the end. Each file
    /// gets its own result; a refused file changes nothing.
    pub fn add_texts(
        &mut self,
        sources: &[&Path],
        overrides: &meta::Detected,
    ) -> Vec<Result<Entry>> {
        let mut results = Vec::with_capacity(sources.len());
        let mut written = vec![];
        for source in sources {
            let r = self.stage_text(source, overrides);
            if let Ok(e) = &r {
                written.push(self.dir.join(&e.file));
            }
            results.push(r);
        }
        if !written.is_empty() {
            if let Err(e) = self.catalog.save(&self.dir) {
                // Undo: the catalog on disk is unchanged; remove the copied texts.
                for f in &written {
                    let _ = std::fs::remove_file(f);
                }
                let msg = e.to_string();
                self.catalog = Catalog::load(&self.dir).unwrap_or_default();
                return results
                    .into_iter()
                    .map(|r| r.and_then(|_| Err(Error::Other(msg.clone()))))
                    .collect();
            }
        }
        results
    }

    fn stage_text(&mut self, source: &Path, overrides: &meta::Detected) -> Result<Entry> {
        let bytes =
            std::fs::read(source).map_err(|e| Error::input(source, format!("cannot read: {e}")))?;
        let decoded = load::decode(source, &bytes)?;
        if !decoded.text.chars().any(crate::text::is_han) {
            return Err(Error::input(source, "no Chinese text found"));
        }
        let hash = content_hash(&bytes);
        if let Some(existing) = self.catalog.documents.iter().find(|d| d.hash == hash) {
            return Err(Error::input(
                source,
                format!("already in the corpus as '{}'", existing.id),
            ));
        }
        let mut detected = meta::detect(&decoded.text);
        merge_overrides(&mut detected, overrides);
        if detected.title.is_none() {
            detected.title = source.file_stem().map(|s| s.to_string_lossy().into_owned());
        }
        let id = self.catalog.new_id(&detected);
        let file = format!("{DOCS_DIR}/{id}.txt");
        let mut entry = Entry {
            id: id.clone(),
            file: file.clone(),
            hash,
            source: file_name(source),
            ..Default::default()
        };
        entry.apply_detected(&detected);
        entry.manual = manual_fields(overrides);
        std::fs::create_dir_all(self.dir.join(DOCS_DIR))
            .map_err(|e| Error::io("creating the corpus docs directory", e))?;
        catalog::write_atomic(&self.dir.join(&file), &bytes)?;
        self.catalog.documents.push(entry.clone());
        Ok(entry)
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn merge_overrides(d: &mut meta::Detected, o: &meta::Detected) {
    macro_rules! over {
        ($($f:ident),*) => { $( if o.$f.is_some() { d.$f = o.$f.clone(); } )* };
    }
    over!(title, doc_number, issuer, date, kind, jurisdiction, level);
    if o.issuer.is_some() && o.jurisdiction.is_none() {
        let j = meta::jurisdiction_of(o.issuer.as_deref().unwrap());
        d.level = o.level.clone().or_else(|| meta::level_of(&j));
        d.jurisdiction = Some(j);
    }
    if o.jurisdiction.is_some() && o.level.is_none() {
        d.level = meta::level_of(o.jurisdiction.as_deref().unwrap());
    }
}

fn manual_fields(o: &meta::Detected) -> Vec<String> {
    let mut m = vec![];
    macro_rules! mark {
        ($($f:ident),*) => { $( if o.$f.is_some() { m.push(stringify!($f).to_string()); } )* };
    }
    mark!(title, doc_number, issuer, date, kind, jurisdiction, level);
    m
}

/// A citation line: title, 文号, date and heading path of a provision.
pub fn citation(entry: &Entry, p: &Provision) -> String {
    let mut parts = vec![format!("《{}》", entry.title)];
    if !entry.doc_number.is_empty() {
        parts.push(entry.doc_number.clone());
    }
    if !entry.date.is_empty() {
        parts.push(entry.date.clone());
    }
    let mut path = p.path.clone();
    path.push(p.heading.clone());
    parts.push(path.join(" > "));
    parts.join(" · ")
}

impl Corpus {
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
