//! Which document of a segment holds each text ordinal, so that an exact
//! phrase's candidates (ordinals, from [`chars`](super::chars)) become
//! documents without walking every document of every segment.
//!
//! Tantivy numbers a segment's documents in the order its writer threads
//! received them, so the `text_ord` fast field is not sorted: finding the
//! documents of a few candidates by that column alone reads every
//! document's ordinal (what a phrase search did until this map: its cost
//! grew with the corpus even for a phrase found once). The map is the
//! column inverted: the segment's `(ordinal, document)` pairs sorted by
//! ordinal, searched by galloping from one candidate to the next.
//!
//! A segment never changes once written (deletes only mark documents), so
//! its map is written once, by the writer, after an update's merges are
//! done: `ords-<segment id>.bin` in the generation directory (magic line,
//! the segment's `max_doc` and the number of pairs `n` as u32, its
//! [`SegmentStats`] as two u64, then `n` pairs as u64 `ordinal << 32 |
//! document`, little-endian, sorted, then each pair's [`Place`] as two
//! u64). Maps of segments the index no longer lists are removed then. Maps
//! of the first format (no statistics) and of the second (no places) are
//! still read, and rewritten by the next update (one with nothing else to
//! do too: `index` upgrades an index written before).
//!
//! The statistics are what an exact phrase's BM25 needs of every segment
//! (see [`phrase`](super::phrase)): with them a phrase search opens no
//! segment's inverted index (tantivy's `total_num_tokens`) and reads no
//! sample of `heading_words` (at x64, 14 segments, that was ~0.6 ms and a
//! sixth of the page faults of a search for 一级财政; now a few µs). A segment without
//! a valid map (an index written before maps existed, a merge's segment a
//! reader opens before the writer wrote its map, a read-only index) has its
//! map computed in memory from the column, once per reader; a segment
//! whose ordinals are not all distinct u32 values (never written so) has
//! none, and the phrase query walks it as before.

use std::collections::{HashMap, HashSet};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::{DocId, Index, ReloadPolicy, SegmentReader};

use super::schema::{HEADING_WORDS, HEAD_AT, HEAD_LEN, TEXT_AT, TEXT_LEN, TEXT_ORD};
use crate::error::{Error, Result};

const MAGIC: &[u8] = b"policy-diff ords 3\n";
/// The second format: statistics, no places.
const MAGIC_2: &[u8] = b"policy-diff ords 2\n";
/// The first format: no statistics.
const MAGIC_1: &[u8] = b"policy-diff ords 1\n";
const HEADER: usize = MAGIC.len() + 8 + 16;
const HEADER_1: usize = MAGIC_1.len() + 8;
/// The bit of a place saying the text's heading is written just before it.
const LEAD_BIT: u64 = 1 << 63;
/// File names start with this (temporary ones too).
pub const PREFIX: &str = "ords-";

/// The map file of a segment.
pub fn file_name(id: SegmentId) -> String {
    format!("{PREFIX}{}.bin", id.uuid_string())
}

enum Pairs {
    Mapped(memmap2::Mmap),
    Owned(Vec<u64>),
}

/// What the BM25 of an exact phrase needs of a segment, over all its
/// documents (deleted ones too, as tantivy's own statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentStats {
    /// Tokens of the `words` field (tantivy's `total_num_tokens`).
    pub tokens: u64,
    /// The sum of the `heading_words` column.
    pub heading_words: u64,
}

impl SegmentStats {
    pub fn of(reader: &SegmentReader, words: Field) -> tantivy::Result<SegmentStats> {
        Ok(SegmentStats {
            tokens: reader.inverted_index(words)?.total_num_tokens(),
            heading_words: column_values(reader, HEADING_WORDS, 0)?.iter().sum(),
        })
    }
}

/// One segment's `(ordinal, document)` pairs, sorted by ordinal.
pub struct OrdMap {
    pairs: Pairs,
    n: usize,
    /// Where the pairs start in a mapped file.
    header: usize,
    /// `None` in a map of the first format, or computed in memory.
    stats: Option<SegmentStats>,
    /// Whether the file holds each pair's [`Place`] after the pairs
    /// (format 3).
    places: bool,
}

/// Where a text and its heading lie in `texts.bin`: what the `text_at`,
/// `text_len`, `head_at` and `head_len` columns hold, kept in the map
/// (format 3, two u64 a pair) because tantivy stores such columns
/// blockwise, and opening one decodes a header per 512 documents: at x64
/// (14 segments) a phrase search spent a quarter of its instructions
/// opening them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Where the folded text starts (`text_at`).
    pub text_at: u64,
    /// Its length in bytes (`text_len`).
    pub text_len: u32,
    /// The folded heading's length in bytes (`head_len`).
    pub head_len: u32,
    /// Whether the folded heading is written just before the text (then
    /// `head_at` is `text_at - head_len`), rather than being the text's
    /// start or absent (`head_at` is `text_at`).
    pub heading_before: bool,
}

impl Place {
    fn encode(self) -> [u64; 2] {
        let lead = if self.heading_before { LEAD_BIT } else { 0 };
        [
            self.text_at | lead,
            u64::from(self.text_len) | u64::from(self.head_len) << 32,
        ]
    }

    fn decode([at, lens]: [u64; 2]) -> Place {
        Place {
            text_at: at & !LEAD_BIT,
            text_len: lens as u32,
            head_len: (lens >> 32) as u32,
            heading_before: at & LEAD_BIT != 0,
        }
    }

    /// The place of a text of `text_len` bytes at `text_at` whose heading
    /// of `head_len` bytes is at `head_at`; `None` when the heading is
    /// neither the text's start nor written right before it, or a value
    /// does not fit (never written so).
    fn of(text_at: u64, text_len: u64, head_at: u64, head_len: u64) -> Option<Place> {
        let heading_before = if head_at == text_at {
            false
        } else if head_len > 0 && head_at.checked_add(head_len) == Some(text_at) {
            true
        } else {
            return None;
        };
        (text_at & LEAD_BIT == 0).then_some(())?;
        Some(Place {
            text_at,
            text_len: u32::try_from(text_len).ok()?,
            head_len: u32::try_from(head_len).ok()?,
            heading_before,
        })
    }

    /// Where the heading starts (`head_at`).
    pub fn head_at(self) -> u64 {
        if self.heading_before {
            self.text_at.saturating_sub(u64::from(self.head_len))
        } else {
            self.text_at
        }
    }
}

impl OrdMap {
    #[inline]
    fn pair(&self, i: usize) -> u64 {
        match &self.pairs {
            Pairs::Owned(v) => v[i],
            Pairs::Mapped(m) => {
                let at = self.header + 8 * i;
                u64::from_le_bytes(m[at..at + 8].try_into().unwrap())
            }
        }
    }

    /// The place of pair `i` (only in a mapped file of format 3).
    #[inline]
    fn place(&self, i: usize) -> Option<Place> {
        match &self.pairs {
            Pairs::Mapped(m) if self.places => {
                let at = self.header + 8 * self.n + 16 * i;
                let u64_at = |at: usize| u64::from_le_bytes(m[at..at + 8].try_into().unwrap());
                Some(Place::decode([u64_at(at), u64_at(at + 8)]))
            }
            _ => None,
        }
    }

    /// Does the map hold the texts' places (format 3)?
    #[cfg(test)]
    pub fn has_places(&self) -> bool {
        self.places
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.n
    }

    /// The segment's statistics, if its file holds them.
    pub fn stats(&self) -> Option<SegmentStats> {
        self.stats
    }

    /// The lowest and the highest ordinal of the segment (`None`: it has
    /// no documents).
    pub fn ord_range(&self) -> Option<(u64, u64)> {
        (self.n > 0).then(|| (self.pair(0) >> 32, self.pair(self.n - 1) >> 32))
    }

    /// The documents holding any of `ords` (sorted, ascending), in
    /// document order.
    pub fn docs_of(&self, ords: &[u32], max_doc: DocId) -> Vec<DocId> {
        let mut out = vec![];
        self.find(ords, max_doc, |doc, _| out.push(doc));
        out.sort_unstable();
        out
    }

    /// [`OrdMap::docs_of`] with each document's [`Place`]; `None` when the
    /// map holds no places (then the columns tell).
    pub fn placed_docs_of(&self, ords: &[u32], max_doc: DocId) -> Option<Vec<(DocId, Place)>> {
        if !self.places {
            return None;
        }
        let mut out = vec![];
        self.find(ords, max_doc, |doc, i| {
            out.push((doc, self.place(i).expect("a map with places")))
        });
        out.sort_unstable_by_key(|&(doc, _)| doc);
        Some(out)
    }

    /// Calls `found(document, pair index)` for every pair whose ordinal is
    /// one of `ords` (sorted, ascending), in ordinal order.
    fn find(&self, ords: &[u32], max_doc: DocId, mut found: impl FnMut(DocId, usize)) {
        let mut i = 0;
        for &ord in ords {
            let key = u64::from(ord) << 32;
            // Gallop from the last position to the first pair >= key.
            let mut step = 1;
            let mut hi = i;
            while hi < self.n && self.pair(hi) < key {
                i = hi + 1;
                hi += step;
                step *= 2;
            }
            let mut hi = hi.min(self.n);
            while i < hi {
                let mid = (i + hi) / 2;
                if self.pair(mid) < key {
                    i = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if i == self.n {
                break;
            }
            let p = self.pair(i);
            if p >> 32 == u64::from(ord) {
                let doc = p as u32;
                // Only a damaged file points past the segment.
                if doc < max_doc {
                    found(doc, i);
                }
            }
        }
    }
}

/// The pairs of `reader`'s segment, from its `text_ord` column; `None` when
/// its ordinals are not distinct u32 values.
pub fn compute(reader: &SegmentReader) -> tantivy::Result<Option<Vec<u64>>> {
    let ords = column_values(reader, TEXT_ORD, u64::MAX)?;
    let mut pairs = Vec::with_capacity(ords.len());
    for (doc, ord) in ords.into_iter().enumerate() {
        if ord > u64::from(u32::MAX) {
            return Ok(None);
        }
        pairs.push(ord << 32 | doc as u64);
    }
    pairs.sort_unstable();
    if pairs.windows(2).any(|w| w[0] >> 32 == w[1] >> 32) {
        return Ok(None);
    }
    Ok(Some(pairs))
}

/// The [`Place`] of each pair's text (`pairs` as [`compute`] gives them);
/// `None` when a heading is neither its text's start nor written right
/// before it (never written so: then the map is written without places and
/// readers use the columns).
fn places(reader: &SegmentReader, pairs: &[u64]) -> tantivy::Result<Option<Vec<[u64; 2]>>> {
    let text_at = column_values(reader, TEXT_AT, 0)?;
    let text_len = column_values(reader, TEXT_LEN, 0)?;
    let head_at = column_values(reader, HEAD_AT, 0)?;
    let head_len = column_values(reader, HEAD_LEN, 0)?;
    Ok(pairs
        .iter()
        .map(|&p| {
            let d = p as u32 as usize;
            Place::of(text_at[d], text_len[d], head_at[d], head_len[d]).map(Place::encode)
        })
        .collect())
}

/// Every document's value in the u64 column `name` of `reader`'s segment
/// (`default` where it has none), read in blocks.
fn column_values(reader: &SegmentReader, name: &str, default: u64) -> tantivy::Result<Vec<u64>> {
    let column = reader
        .fast_fields()
        .u64(name)?
        .first_or_default_col(default);
    let mut values = vec![0u64; reader.max_doc() as usize];
    const STEP: usize = 4096;
    for (i, block) in values.chunks_mut(STEP).enumerate() {
        column.get_range((i * STEP) as u64, block);
    }
    Ok(values)
}

/// The map file of a segment of `max_doc` documents, if present and whole
/// (magic, the segment's size, length), in either format.
fn open(path: &Path, max_doc: DocId) -> Option<OrdMap> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: map files are written whole under a temporary name and
    // renamed into place; they are never modified afterwards.
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let u32_at = |at: usize| {
        map.get(at..at + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    };
    let u64_at = |at: usize| {
        map.get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
    };
    let (magic, header) = if map.starts_with(MAGIC) {
        (MAGIC, HEADER)
    } else if map.starts_with(MAGIC_2) {
        (MAGIC_2, HEADER)
    } else if map.starts_with(MAGIC_1) {
        (MAGIC_1, HEADER_1)
    } else {
        return None;
    };
    if u32_at(magic.len()) != Some(max_doc) {
        return None;
    }
    let n = u32_at(magic.len() + 4)? as usize;
    let places = magic == MAGIC;
    let words = if places { 3 * n } else { n };
    if n > max_doc as usize || map.len() != header + 8 * words {
        return None;
    }
    let stats = if magic != MAGIC_1 {
        Some(SegmentStats {
            tokens: u64_at(magic.len() + 8)?,
            heading_words: u64_at(magic.len() + 16)?,
        })
    } else {
        None
    };
    Some(OrdMap {
        pairs: Pairs::Mapped(map),
        n,
        header,
        stats,
        places,
    })
}

/// Write the map of a segment (synced, renamed into place): format 3 with
/// `places` (one per pair), else format 2.
fn write(
    dir: &Path,
    id: SegmentId,
    max_doc: DocId,
    stats: SegmentStats,
    pairs: &[u64],
    places: Option<&[[u64; 2]]>,
) -> Result<()> {
    let path = dir.join(file_name(id));
    let err = |e| Error::io(format!("writing {}", path.display()), e);
    let tmp = super::temp_file(dir, PREFIX)?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp);
    w.write_all(if places.is_some() { MAGIC } else { MAGIC_2 })
        .map_err(err)?;
    w.write_all(&max_doc.to_le_bytes()).map_err(err)?;
    w.write_all(&(pairs.len() as u32).to_le_bytes())
        .map_err(err)?;
    w.write_all(&stats.tokens.to_le_bytes()).map_err(err)?;
    w.write_all(&stats.heading_words.to_le_bytes())
        .map_err(err)?;
    for p in pairs.iter().chain(places.into_iter().flatten().flatten()) {
        w.write_all(&p.to_le_bytes()).map_err(err)?;
    }
    let tmp = w.into_inner().map_err(|e| err(e.into_error()))?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(&path).map_err(|e| err(e.error))?;
    Ok(())
}

/// For a writer holding `LOCK`, once its merges are done: write the maps
/// of the index's segments that have none (or one of the first format),
/// and remove those of segments it no longer lists. Returns the maps
/// written.
pub fn write_missing(dir: &Path, index: &Index) -> Result<usize> {
    let words = super::schema::fields_of(&index.schema())
        .map_err(super::ierr)?
        .words;
    let reader: tantivy::IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(super::ierr)?;
    let searcher = reader.searcher();
    let mut keep = HashSet::new();
    let mut written = 0;
    for segment in searcher.segment_readers() {
        let name = file_name(segment.segment_id());
        let path = dir.join(&name);
        keep.insert(name);
        if open(&path, segment.max_doc()).is_some_and(|m| m.stats.is_some() && m.places) {
            continue;
        }
        if let Some(pairs) = compute(segment).map_err(super::ierr)? {
            let stats = SegmentStats::of(segment, words).map_err(super::ierr)?;
            let places = places(segment, &pairs).map_err(super::ierr)?;
            let (id, max_doc) = (segment.segment_id(), segment.max_doc());
            write(dir, id, max_doc, stats, &pairs, places.as_deref())?;
            written += 1;
        }
    }
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(PREFIX) && name.ends_with(".bin") && !keep.contains(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(written)
}

/// The maps of a reader's segments, opened or computed on first use.
pub struct OrdMaps {
    dir: PathBuf,
    maps: Mutex<HashMap<SegmentId, Arc<Option<OrdMap>>>>,
}

impl OrdMaps {
    pub fn new(dir: &Path) -> OrdMaps {
        OrdMaps {
            dir: dir.to_path_buf(),
            maps: Mutex::new(HashMap::new()),
        }
    }

    /// The map of `reader`'s segment (`None`: walk the segment instead).
    pub fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Option<OrdMap>>> {
        if let Some(map) = self.stored(reader) {
            return Ok(map);
        }
        let map = Arc::new(compute(reader)?.map(|pairs| OrdMap {
            n: pairs.len(),
            pairs: Pairs::Owned(pairs),
            header: 0,
            stats: None,
            places: false,
        }));
        self.keep(reader.segment_id(), &map);
        Ok(map)
    }

    /// The map of `reader`'s segment if it is at hand (in memory or in its
    /// file) without computing it from the column: what a caller that may
    /// not need it (no candidate in the segment) asks first.
    pub fn stored(&self, reader: &SegmentReader) -> Option<Arc<Option<OrdMap>>> {
        let id = reader.segment_id();
        if let Some(m) = self.maps.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Some(m.clone());
        }
        let map = Arc::new(Some(open(&self.dir.join(file_name(id)), reader.max_doc())?));
        self.keep(id, &map);
        Some(map)
    }

    fn keep(&self, id: SegmentId, map: &Arc<Option<OrdMap>>) {
        self.maps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, map.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: Vec<u64>) -> OrdMap {
        OrdMap {
            n: pairs.len(),
            pairs: Pairs::Owned(pairs),
            header: 0,
            stats: None,
            places: false,
        }
    }

    #[test]
    fn candidates_become_the_documents_holding_them() {
        // Ordinal 10 in doc 3, 11 in doc 0, 20 in doc 1, 40 in doc 2.
        let m = owned(vec![10 << 32 | 3, 11 << 32, 20 << 32 | 1, 40 << 32 | 2]);
        assert_eq!(m.docs_of(&[11, 40], 4), vec![0, 2]);
        assert_eq!(m.docs_of(&[1, 2, 12, 41], 4), Vec::<DocId>::new());
        assert_eq!(m.docs_of(&[10, 11, 20, 40], 4), vec![0, 1, 2, 3]);
        assert_eq!(m.docs_of(&[], 4), Vec::<DocId>::new());
        assert_eq!(m.docs_of(&[10], 3), Vec::<DocId>::new(), "past max_doc");
        // Long gallops.
        let big = owned((0..10_000u64).map(|i| (i * 3) << 32 | i).collect());
        let ords: Vec<u32> = (0..30_000).step_by(7).collect();
        let want: Vec<DocId> = ords.iter().filter(|o| *o % 3 == 0).map(|o| o / 3).collect();
        assert_eq!(big.docs_of(&ords, 10_000), want);
    }

    #[test]
    fn a_written_map_reads_back_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let id = SegmentId::generate_random();
        let pairs = vec![5 << 32 | 1, 7 << 32];
        let stats = SegmentStats {
            tokens: 1 << 40,
            heading_words: 9,
        };
        // Doc 1's heading is written before its text, doc 0's is its start.
        let places = [
            Place::of(900, 300, 880, 20).unwrap(),
            Place::of(40, 12, 40, 6).unwrap(),
        ];
        assert_eq!((places[0].head_at(), places[0].text_len), (880, 300));
        assert_eq!((places[1].head_at(), places[1].head_len), (40, 6));
        assert_eq!(Place::of(900, 1, 850, 20), None, "a heading elsewhere");
        assert_eq!(
            Place::of(LEAD_BIT | 9, 1, LEAD_BIT | 9, 0),
            None,
            "past 2^63"
        );
        assert_eq!(Place::of(9, 1 << 32, 9, 0), None, "a text past 4 GB");
        assert_eq!(Place::of(900, 5, 900, 0).map(|p| p.head_at()), Some(900));
        let encoded: Vec<[u64; 2]> = places.iter().map(|p| p.encode()).collect();
        assert_eq!(Place::decode(encoded[0]), places[0]);
        write(dir.path(), id, 2, stats, &pairs, Some(&encoded)).unwrap();
        let path = dir.path().join(file_name(id));
        let m = open(&path, 2).unwrap();
        assert_eq!((m.len(), m.pair(0), m.pair(1)), (2, pairs[0], pairs[1]));
        assert_eq!(m.stats(), Some(stats));
        assert!(m.has_places());
        assert_eq!(
            m.placed_docs_of(&[5, 7], 2),
            Some(vec![(0, places[1]), (1, places[0])])
        );
        assert_eq!(m.docs_of(&[5, 7], 2), vec![0, 1]);
        // The second format (statistics, no places) still reads.
        let second = dir.path().join("second.bin");
        let whole = std::fs::read(&path).unwrap();
        let cut = [MAGIC_2, &whole[MAGIC.len()..whole.len() - 32]].concat();
        std::fs::write(&second, cut).unwrap();
        let m2 = open(&second, 2).unwrap();
        assert_eq!(
            (m2.len(), m2.stats(), m2.has_places()),
            (2, Some(stats), false)
        );
        assert_eq!(m2.placed_docs_of(&[5, 7], 2), None);
        assert_eq!(m2.docs_of(&[5, 7], 2), vec![0, 1]);
        // The first format (no statistics) still reads.
        let first = [
            MAGIC_1,
            &2u32.to_le_bytes(),
            &2u32.to_le_bytes(),
            &pairs[0].to_le_bytes(),
            &pairs[1].to_le_bytes(),
        ]
        .concat();
        let old = dir.path().join("old.bin");
        std::fs::write(&old, first).unwrap();
        let m = open(&old, 2).unwrap();
        assert_eq!((m.len(), m.pair(0), m.pair(1)), (2, pairs[0], pairs[1]));
        assert_eq!(m.stats(), None);
        assert!(open(&path, 3).is_none(), "another segment size");
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
        assert!(open(&path, 2).is_none(), "truncated");
        std::fs::write(&path, [&whole[..], &[0u8; 8]].concat()).unwrap();
        assert!(open(&path, 2).is_none(), "grown");
    }
}
