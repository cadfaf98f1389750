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

/// What the tantivy commit payload holds: the versions, the catalog stamp
/// and the name of the file beside it that holds the per-document states
/// (binary, see [`encode_states`]; kept out of `meta.json`, which tantivy
/// parses on every open: at 24,000 documents the JSON was 5.5 MB).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub versions: Versions,
    #[serde(skip)]
    pub documents: BTreeMap<String, DocState>,
    /// The states file in the generation directory (`states-<hash>.bin`).
    #[serde(default)]
    pub states: String,
    /// Size and modification time of catalog.toml when observed: while they
    /// are unchanged, per-document fingerprints need not be recomputed.
    #[serde(default)]
    pub catalog: (u64, u128),
}

const STATES_MAGIC: &[u8] = b"policy-diff states 1\n";

/// The per-document states as bytes: a magic line, then per document its
/// id, fingerprint and file hash (u32 length + UTF-8), size (u64), mtime
/// (u128) and provision count (u64), little-endian.
pub fn encode_states(docs: &BTreeMap<String, DocState>) -> Vec<u8> {
    let mut out = STATES_MAGIC.to_vec();
    out.extend((docs.len() as u64).to_le_bytes());
    let put_str = |out: &mut Vec<u8>, s: &str| {
        out.extend((s.len() as u32).to_le_bytes());
        out.extend(s.as_bytes());
    };
    for (id, d) in docs {
        put_str(&mut out, id);
        put_str(&mut out, &d.fingerprint);
        put_str(&mut out, &d.file_hash);
        out.extend(d.size.to_le_bytes());
        out.extend(d.mtime_ns.to_le_bytes());
        out.extend((d.provisions as u64).to_le_bytes());
    }
    out
}

/// The inverse of [`encode_states`]; `None` for anything else.
pub fn decode_states(bytes: &[u8]) -> Option<BTreeMap<String, DocState>> {
    let mut rest = bytes.strip_prefix(STATES_MAGIC)?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = rest.split_at_checked(n)?;
        rest = tail;
        Some(head)
    };
    let count = u64::from_le_bytes(take(8)?.try_into().ok()?);
    let mut docs = BTreeMap::new();
    for _ in 0..count {
        let mut string = || -> Option<String> {
            let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
            String::from_utf8(take(n)?.to_vec()).ok()
        };
        let (id, fingerprint, file_hash) = (string()?, string()?, string()?);
        let size = u64::from_le_bytes(take(8)?.try_into().ok()?);
        let mtime_ns = u128::from_le_bytes(take(16)?.try_into().ok()?);
        let provisions = u64::from_le_bytes(take(8)?.try_into().ok()?) as usize;
        docs.insert(
            id,
            DocState {
                fingerprint,
                size,
                mtime_ns,
                file_hash,
                provisions,
            },
        );
    }
    take(0).filter(|_| rest.is_empty()).map(|_| docs)
}

/// What the corpus looks like now, per document.
pub struct Observed {
    pub docs: BTreeMap<String, DocState>,
    /// catalog.toml's size and modification time.
    pub catalog: (u64, u128),
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
        let mtime = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Some((name, (m.len(), mtime)))
    };
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(entries.len() / 2048 + 1);
    if workers <= 1 {
        return entries.iter().filter_map(stamp).collect();
    }
    let chunk = entries.len().div_ceil(workers);
    std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().filter_map(stamp).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The cheap check every reading command makes: the catalog file is the one
/// recorded and every document file has the recorded size and modification
/// time. `false` means "look closer" (see [`observe`]), not "stale".
pub fn unchanged(corpus: &Corpus, payload: &Payload) -> bool {
    let catalog = crate::corpus::file_stamp(&crate::corpus::Catalog::path(&corpus.dir));
    if catalog.1 == 0
        || payload.catalog != catalog
        || payload.documents.len() != corpus.catalog.documents.len()
    {
        return false;
    }
    let listed = list_stamps(&corpus.dir.join(crate::corpus::DOCS_DIR));
    let mut now: Vec<(&str, (u64, u128))> = Vec::with_capacity(listed.len());
    for entry in &corpus.catalog.documents {
        let stamp = entry
            .file
            .strip_prefix(crate::corpus::DOCS_DIR)
            .and_then(|f| f.strip_prefix('/'))
            .and_then(|name| listed.get(name));
        match stamp {
            Some(&s) => now.push((entry.id.as_str(), s)),
            None => return false,
        }
    }
    // Both in id order: one pass instead of a tree lookup per document.
    now.sort_unstable_by(|a, b| a.0.cmp(b.0));
    now.iter()
        .zip(&payload.documents)
        .all(|((id, (size, mtime)), (indexed_id, prev))| {
            id == indexed_id && *mtime != 0 && prev.size == *size && prev.mtime_ns == *mtime
        })
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
        let bytes = encode_states(&docs);
        assert_eq!(decode_states(&bytes), Some(docs.clone()));
        assert_eq!(
            decode_states(&encode_states(&BTreeMap::new())),
            Some(BTreeMap::new())
        );
        assert_eq!(decode_states(&bytes[..bytes.len() - 1]), None, "truncated");
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode_states(&longer), None, "trailing bytes");
        assert_eq!(decode_states(b"{}"), None);
    }
}
