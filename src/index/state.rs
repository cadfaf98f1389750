//! What an index holds, recorded in the tantivy commit payload so it changes
//! atomically with the documents: versions and, per document, the
//! fingerprint of the text and metadata that were indexed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::corpus::{Corpus, Entry};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    pub schema: u32,
    pub fold: u32,
    pub dictionary: String,
    pub topics: String,
}

impl Versions {
    pub fn current(topics: &str) -> Versions {
        Versions {
            schema: super::schema::SCHEMA_VERSION,
            fold: crate::text::normalize::FOLD_VERSION,
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
    pub provisions: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub versions: Versions,
    pub documents: BTreeMap<String, DocState>,
    /// Size and modification time of catalog.toml when observed: while they
    /// are unchanged, per-document fingerprints need not be recomputed.
    #[serde(default)]
    pub catalog: (u64, u128),
}

/// What the corpus looks like now, per document.
pub struct Observed {
    pub docs: BTreeMap<String, DocState>,
    /// catalog.toml's size and modification time.
    pub catalog: (u64, u128),
}

/// Size and modification time of every file in `dir`, by file name.
fn list_stamps(dir: &Path) -> std::collections::HashMap<String, (u64, u128)> {
    let mut out = std::collections::HashMap::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let (Ok(m), Some(name)) = (e.metadata(), e.file_name().to_str()) {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            out.insert(name.to_string(), (m.len(), mtime));
        }
    }
    out
}

fn stat(path: &Path) -> Result<(u64, u128)> {
    let m = std::fs::metadata(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok((m.len(), mtime))
}

fn entry_fingerprint(entry: &Entry, file_hash: &str) -> String {
    let meta = serde_json::to_string(entry).unwrap_or_default();
    let mut h = blake3::Hasher::new();
    h.update(meta.as_bytes());
    h.update(file_hash.as_bytes());
    h.finalize().to_hex()[..32].to_string()
}

/// Observe the corpus, reusing file hashes from `previous` when a file's
/// size and modification time are unchanged.
pub fn observe(corpus: &Corpus, previous: Option<&Payload>) -> Result<Observed> {
    let catalog = crate::corpus::file_stamp(&crate::corpus::Catalog::path(&corpus.dir));
    let catalog_same = catalog.1 != 0 && previous.is_some_and(|p| p.catalog == catalog);
    // One directory listing stats the files relative to the directory,
    // cheaper than a path lookup per document.
    let listed = list_stamps(&corpus.dir.join(crate::corpus::DOCS_DIR));
    let mut docs = BTreeMap::new();
    for entry in &corpus.catalog.documents {
        let path: PathBuf = corpus.file_path(entry);
        let listed_stamp = entry
            .file
            .strip_prefix(crate::corpus::DOCS_DIR)
            .and_then(|f| f.strip_prefix('/'))
            .and_then(|name| listed.get(name));
        let (size, mtime_ns) = match listed_stamp {
            Some(s) => *s,
            None => stat(&path)?,
        };
        if catalog_same {
            if let Some(prev) = previous.and_then(|p| p.documents.get(&entry.id)) {
                if prev.size == size && prev.mtime_ns == mtime_ns && mtime_ns != 0 {
                    docs.insert(entry.id.clone(), prev.clone());
                    continue;
                }
            }
        }
        let file_hash = match previous.and_then(|p| p.documents.get(&entry.id)) {
            Some(prev) if prev.size == size && prev.mtime_ns == mtime_ns && mtime_ns != 0 => {
                prev.file_hash.clone()
            }
            _ => {
                let bytes = std::fs::read(&path)
                    .map_err(|e| Error::input(&path, format!("cannot read: {e}")))?;
                crate::corpus::content_hash(&bytes)
            }
        };
        let fingerprint = entry_fingerprint(entry, &file_hash);
        docs.insert(
            entry.id.clone(),
            DocState {
                fingerprint,
                size,
                mtime_ns,
                file_hash,
                provisions: 0,
            },
        );
    }
    Ok(Observed { docs, catalog })
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
