//! The near-duplicate sketches of the corpus's documents, kept beside the
//! catalog (`<corpus>/.sketches.bin`) so that `add`'s check reads no stored
//! document unless its sketch could match ([`near_duplicate::Sketch`]).
//!
//! A cache, never the truth: each sketch is keyed on its document's id,
//! content hash and file stamp (size, mtime); one that does not match, or
//! a document without one, is computed from the stored text (on all cores)
//! and the file rewritten at the end of that `add` (even a refused one: it
//! is a cache, and the next check should not pay again). A damaged file
//! (checked by its blake3 tail) counts as empty. Written atomically, only
//! by a writer holding the corpus lock, after the catalog; it holds only
//! the documents the catalog holds then, so an undone `add` leaves none of
//! its documents in it.

use std::collections::HashMap;
use std::path::Path;

use super::catalog::Entry;
use super::near_duplicate::{Body, Sketch};
use super::{file_stamp, load};
use crate::atomic::write_atomic;

/// The file beside the catalog.
pub const FILE: &str = ".sketches.bin";
const MAGIC: &[u8] = b"policy-diff sketches 1\n";

#[derive(Debug, Clone)]
struct Stored {
    hash: String,
    stamp: (u64, u128),
    sketch: Sketch,
}

/// Sketches by document id.
#[derive(Debug, Default)]
pub struct Sketches {
    by_id: HashMap<String, Stored>,
    changed: bool,
}

impl Sketches {
    /// The stored sketches (none when the file is missing or damaged).
    pub fn load(dir: &Path) -> Sketches {
        let by_id = std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|b| decode(&b))
            .unwrap_or_default();
        Sketches {
            by_id,
            changed: false,
        }
    }

    /// Make the sketch of every entry current: those missing or stale are
    /// computed from the stored texts, on all cores. Unreadable texts get
    /// none (they cannot be compared).
    pub fn refresh(&mut self, dir: &Path, entries: &[Entry]) {
        use rayon::prelude::*;
        let stale: Vec<(&Entry, (u64, u128))> = entries
            .iter()
            .filter_map(|e| {
                let stamp = file_stamp(&dir.join(&e.file));
                let fresh = self
                    .by_id
                    .get(&e.id)
                    .is_some_and(|s| s.hash == e.hash && s.stamp == stamp);
                (!fresh).then_some((e, stamp))
            })
            .collect();
        if stale.is_empty() {
            return;
        }
        let computed: Vec<(String, Option<Stored>)> = stale
            .par_iter()
            .map(|(e, stamp)| {
                let s = load::read_text(&dir.join(&e.file)).ok().map(|t| Stored {
                    hash: e.hash.clone(),
                    stamp: *stamp,
                    sketch: Body::of(&t.text).sketch(),
                });
                (e.id.clone(), s)
            })
            .collect();
        for (id, s) in computed {
            match s {
                Some(s) => self.by_id.insert(id, s),
                None => self.by_id.remove(&id),
            };
        }
        self.changed = true;
    }

    /// The current sketch of `entry` (after [`Sketches::refresh`]).
    pub fn get(&self, entry: &Entry) -> Option<&Sketch> {
        self.by_id
            .get(&entry.id)
            .filter(|s| s.hash == entry.hash)
            .map(|s| &s.sketch)
    }

    /// Record the sketch of a document just written to `dir/entry.file`.
    pub fn insert(&mut self, dir: &Path, entry: &Entry, sketch: Sketch) {
        let stamp = file_stamp(&dir.join(&entry.file));
        self.by_id.insert(
            entry.id.clone(),
            Stored {
                hash: entry.hash.clone(),
                stamp,
                sketch,
            },
        );
        self.changed = true;
    }

    /// Write the sketches of `entries` (only those) beside the catalog, if
    /// anything changed. A failure costs the next `add` a recomputation.
    pub fn save(&self, dir: &Path, entries: &[Entry]) {
        if !self.changed {
            return;
        }
        let _ = write_atomic(&dir.join(FILE), &encode(&self.by_id, entries));
    }
}

fn encode(by_id: &HashMap<String, Stored>, entries: &[Entry]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    let put_str = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    };
    for e in entries {
        let Some(s) = by_id.get(&e.id).filter(|s| s.hash == e.hash) else {
            continue;
        };
        put_str(&mut out, &e.id);
        put_str(&mut out, &s.hash);
        out.extend_from_slice(&s.stamp.0.to_le_bytes());
        out.extend_from_slice(&s.stamp.1.to_le_bytes());
        out.extend_from_slice(&s.sketch.len.to_le_bytes());
        out.extend_from_slice(&(s.sketch.mins.len() as u32).to_le_bytes());
        for h in &s.sketch.mins {
            out.extend_from_slice(&h.to_le_bytes());
        }
    }
    let sum = blake3::hash(&out);
    out.extend_from_slice(sum.as_bytes());
    out
}

fn decode(bytes: &[u8]) -> Option<HashMap<String, Stored>> {
    let body = bytes.get(..bytes.len().checked_sub(32)?)?;
    if blake3::hash(body).as_bytes() != &bytes[body.len()..] {
        return None;
    }
    let mut r = body.strip_prefix(MAGIC)?;
    let mut take = |n: usize| -> Option<&[u8]> {
        let (a, b) = r.split_at_checked(n)?;
        r = b;
        Some(a)
    };
    let mut by_id = HashMap::new();
    while let Some(n) = take(4) {
        let n = u32::from_le_bytes(n.try_into().ok()?) as usize;
        let id = String::from_utf8(take(n)?.to_vec()).ok()?;
        let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let hash = String::from_utf8(take(n)?.to_vec()).ok()?;
        let size = u64::from_le_bytes(take(8)?.try_into().ok()?);
        let mtime = u128::from_le_bytes(take(16)?.try_into().ok()?);
        let len = u32::from_le_bytes(take(4)?.try_into().ok()?);
        let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let mins = take(n.checked_mul(4)?)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        by_id.insert(
            id,
            Stored {
                hash,
                stamp: (size, mtime),
                sketch: Sketch { len, mins },
            },
        );
    }
    Some(by_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dir: &Path, id: &str, text: &str) -> Entry {
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        let file = format!("docs/{id}.txt");
        std::fs::write(dir.join(&file), text).unwrap();
        Entry {
            id: id.into(),
            file,
            hash: super::super::content_hash(text.as_bytes()),
            ..Default::default()
        }
    }

    #[test]
    fn stored_computed_and_kept_current() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = entry(
            d,
            "a",
            "第一条 为规范城市供水管理，保障生活用水，制定本条例。\n",
        );
        let b = entry(
            d,
            "b",
            "第一条 为加强河道管理，保障防洪安全，制定本办法。\n",
        );
        let entries = vec![a.clone(), b.clone()];
        // Nothing stored: computed from the texts, then saved and read back.
        let mut s = Sketches::load(d);
        assert!(s.get(&a).is_none());
        s.refresh(d, &entries);
        let sa = s.get(&a).unwrap().clone();
        assert_eq!(
            sa,
            Body::of(&std::fs::read_to_string(d.join(&a.file)).unwrap()).sketch()
        );
        s.save(d, &entries);
        let mut t = Sketches::load(d);
        assert_eq!(t.get(&a), Some(&sa));
        t.refresh(d, &entries);
        assert!(!t.changed, "all current: nothing recomputed");
        // Only entries still in the catalog are written.
        s.save(d, &entries[..1]);
        let t = Sketches::load(d);
        assert!(t.get(&a).is_some() && t.get(&b).is_none());
        // A text edited in place (new stamp, same catalog hash) is recomputed.
        std::fs::write(
            d.join(&a.file),
            "第一条 为规范城市节约用水管理，制定本条例。\n",
        )
        .unwrap();
        let mut t = Sketches::load(d);
        t.refresh(d, &entries);
        assert_ne!(t.get(&a), Some(&sa));
        // A damaged file counts as empty.
        let path = d.join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(Sketches::load(d).get(&a).is_none());
        std::fs::write(&path, &bytes[..10]).unwrap();
        assert!(Sketches::load(d).get(&a).is_none());
    }
}
