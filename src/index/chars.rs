//! Character postings: for every character, which texts contain it, and
//! for every *pair bucket*, which texts hold two adjacent characters whose
//! pair hashes to it (see [`pair_key`]). They give the candidates of an
//! exact phrase (the texts holding every one of its characters and every
//! bucket of its adjacent pairs), which [`phrase`](super::phrase) then
//! verifies on the text itself, so they never depend on where jieba put
//! word boundaries. A bucket holds the texts of every pair hashed to it, so
//! it can only add candidates (verification drops them), never lose a
//! match; with [`PAIR_BUCKETS`] buckets the candidates of a phrase of two or
//! more characters are close to its matches (一级财政 at x16: 49 matches,
//! ~1,000 texts holding its four characters).
//!
//! Texts are numbered as they are appended to `texts.bin` (their
//! *ordinal*, increasing within each indexing thread, see
//! `texts::Ordinals`; each tantivy document records its own in the
//! `text_ord` fast field). An update that indexes documents writes one chunk file,
//! `chars-<first>-<end>.bin`, holding for each character a roaring bitmap of the
//! ordinals `first..end` it appended that contain the character. The chunk
//! is synced before the commit whose payload lists it (like `texts.bin`),
//! so every ordinal a committed document holds is covered by a listed
//! chunk. Ordinals of removed or replaced texts stay in the bitmaps; their
//! documents are deleted, so they match nothing. Once an update would leave
//! more than [`MAX_CHUNKS`] chunks it writes their union as one.
//!
//! These postings were a tantivy field (`chars`, one term per distinct
//! character of a provision) until schema 7: feeding ~80 terms a provision
//! through tantivy's term hash cost a sixth of the index build's CPU; a
//! bitmap push is a few nanoseconds.
//!
//! An update's postings are held in memory only up to a bound
//! ([`SPILL_PAIRS`] per indexing thread): past it a builder writes what it
//! holds as a *run* (a temporary file in the chunk layout) and starts
//! afresh, and the update's chunk is written at the end as the union of its
//! runs, one character at a time, the runs read with positioned reads (not
//! mapped), so a build's memory does not grow with the corpus. Merging
//! chunks goes the same way.
//!
//! Chunk layout (little-endian): the magic line, `first`, `end` and the
//! number of keys `n` (u32 each), then `n` directory entries sorted by key
//! — key (u32: a character's code point, or [`PAIR_BASE`] plus a pair's
//! bucket), number of texts (u32), byte offset (u64) and length (u32) of
//! its bitmap — then the bitmaps (roaring's portable serialization).
//! Version 2 of the layout added the pair buckets (schema 11).

use std::collections::HashMap;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const MAGIC: &[u8] = b"policy-diff chars 2\n";
const HEADER: usize = MAGIC.len() + 12;
const ENTRY: usize = 20;
/// An update starting past this ordinal rebuilds the generation, numbering
/// from 0 again (ordinals are u32; threads leave the unused rest of their
/// last block of 65,536 behind, see `texts::Ordinals`).
pub const RENUMBER_AT: u32 = 3 << 30;
/// An update that would leave more chunks than this merges them into one.
pub const MAX_CHUNKS: usize = 8;

/// Does the character take part in phrase matching? (Whitespace does not:
/// folding keeps at most one space between non-CJK characters, and a
/// phrase of spaces only matches nothing.)
#[inline]
pub fn is_indexed(c: char) -> bool {
    // Printable ASCII and U+3001–FFFF (CJK and the fullwidth forms) hold no
    // whitespace: most characters are answered without the Unicode table.
    match c as u32 {
        0x21..=0x7E | 0x3001..=0xFFFF => true,
        _ => !c.is_whitespace(),
    }
}

/// Does the character take part in pairs? Letters and digits of ASCII and
/// every character from CJK Extension A on (ideographs, kana, Hangul, the
/// fullwidth forms folding leaves); not punctuation (、。《》“” and ASCII's),
/// whose pairs are a sixth of all and rarely in a phrase searched for: its
/// characters still are keys, so such a phrase is only less narrowed.
#[inline]
pub fn in_pairs(c: char) -> bool {
    c.is_ascii_alphanumeric() || c as u32 >= 0x3400
}

/// Keys at and above this are pair buckets (`PAIR_BASE + bucket`); below
/// it, characters (every code point is below 0x110000).
pub const PAIR_BASE: u32 = 0x11_0000;
/// log2 of the number of pair buckets. 2^14 buckets hold ~13 of the ~200,000
/// distinct pairs of the laws and seeds each: the candidates of the
/// benchmark phrases are within a few percent of what exact pairs would
/// give (2^16 gave the same, 2^12 a few more), and every chunk's directory
/// stays small (it is checked whole when a reader opens it).
pub const PAIR_BITS: u32 = 14;
/// The number of pair buckets.
pub const PAIR_BUCKETS: u32 = 1 << PAIR_BITS;

/// The key of two adjacent indexed characters: [`PAIR_BASE`] plus their
/// bucket, a multiplicative hash of both code points. Part of the chunk
/// format: changing it needs a new schema version.
#[inline]
pub fn pair_key(a: char, b: char) -> u32 {
    let k = (u64::from(a as u32) << 21) | u64::from(b as u32);
    PAIR_BASE + (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PAIR_BITS)) as u32
}

/// The keys of `text`: each distinct indexed character, then each distinct
/// bucket of two adjacent characters that both take part in pairs
/// ([`in_pairs`]), in first-occurrence order.
/// A text containing `text` holds every one of them.
pub fn phrase_keys(text: &str) -> Vec<u32> {
    let mut chars: Vec<u32> = Vec::new();
    let mut pairs: Vec<u32> = Vec::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if !is_indexed(c) {
            previous = None;
            continue;
        }
        if !chars.contains(&(c as u32)) {
            chars.push(c as u32);
        }
        if !in_pairs(c) {
            previous = None;
            continue;
        }
        if let Some(p) = previous {
            let k = pair_key(p, c);
            if !pairs.contains(&k) {
                pairs.push(k);
            }
        }
        previous = Some(c);
    }
    chars.extend(pairs);
    chars
}

/// A chunk as the commit payload lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRef {
    /// File name in the generation directory.
    pub file: String,
    /// The ordinals it covers: `first..end`.
    pub first: u32,
    pub end: u32,
}

/// The first ordinal after the texts `chunks` cover.
pub fn next_ordinal(chunks: &[ChunkRef]) -> u32 {
    chunks.last().map_or(0, |c| c.end)
}

/// Collects postings in memory; one per indexing thread, merged at the end.
///
/// Adding a text only appends (slot, ordinal) pairs to a buffer: pushing
/// into thousands of bitmaps in turn misses the cache at every character
/// (it cost as much as the rest of the build's postings). Every
/// [`FLUSH_PAIRS`] pairs the buffer is grouped by slot (a counting sort,
/// which keeps each slot's ordinals in order) and each slot's ordinals are
/// appended to its bitmap in one run.
#[derive(Default)]
pub struct Builder {
    /// Basic-plane character → slot + 1 (0: none yet); allocated on first use.
    bmp: Vec<u32>,
    /// Pair bucket → slot + 1 (0: none yet); allocated on first use.
    pairs: Vec<u32>,
    /// Slots of characters outside the basic plane.
    other: HashMap<u32, u32>,
    /// The key of each slot.
    keys: Vec<u32>,
    maps: Vec<RoaringBitmap>,
    /// Per slot, the last ordinal added plus one (repeated characters of a
    /// text are skipped).
    last: Vec<u32>,
    /// (slot, ordinal) pairs not yet in `maps`.
    pending: Vec<(u32, u32)>,
    /// Flush after this many pairs (0: [`FLUSH_PAIRS`]).
    flush_at: usize,
    /// Pairs moved into `maps` since they were last spilled.
    held: usize,
    /// Spill past this many pairs (0: [`SPILL_PAIRS`]).
    spill_at: usize,
    /// What was spilled: temporary files in the chunk layout (removed when
    /// dropped), each holding the postings of the texts added before it.
    runs: Vec<tempfile::NamedTempFile>,
}

/// Pairs buffered before they go into the bitmaps (4 MB).
const FLUSH_PAIRS: usize = 1 << 19;

/// Pairs (a key of a text: a character, or a pair bucket) a builder's
/// bitmaps hold before [`Builder::spill_if_large`] writes them to a run:
/// about 1–2 bytes a pair in roaring containers (pair buckets, sparser,
/// nearer 2), so 10–20 MB per indexing thread whatever the number of texts
/// (at x64 an update's postings are ~850 MB).
pub const SPILL_PAIRS: usize = 8 << 20;

impl Builder {
    /// Where the slot of `key` is kept (slot + 1, 0: none yet).
    #[inline]
    fn entry_of(&mut self, key: u32) -> &mut u32 {
        self.tables();
        if key < 0x10000 {
            &mut self.bmp[key as usize]
        } else if key >= PAIR_BASE && key - PAIR_BASE < PAIR_BUCKETS {
            &mut self.pairs[(key - PAIR_BASE) as usize]
        } else {
            self.other.entry(key).or_insert(0)
        }
    }

    /// Allocate the direct tables on first use.
    #[inline]
    fn tables(&mut self) {
        if self.bmp.is_empty() {
            self.bmp = vec![0; 0x10000];
            self.pairs = vec![0; PAIR_BUCKETS as usize];
        }
    }

    /// A new slot for `key`, recorded where [`entry_of`](Self::entry_of) finds it.
    #[cold]
    fn new_slot(&mut self, key: u32) -> u32 {
        self.keys.push(key);
        self.maps.push(RoaringBitmap::new());
        self.last.push(0);
        let id = self.keys.len() as u32;
        *self.entry_of(key) = id;
        id
    }

    fn slot(&mut self, key: u32) -> usize {
        let mut id = *self.entry_of(key);
        if id == 0 {
            id = self.new_slot(key);
        }
        id as usize - 1
    }

    /// Record text `ord` under slot `id - 1`, once per text.
    #[inline]
    fn push(&mut self, id: u32, ord: u32) {
        let slot = id as usize - 1;
        if self.last[slot] != ord.wrapping_add(1) {
            self.last[slot] = ord.wrapping_add(1);
            self.pending.push((slot as u32, ord));
        }
    }

    /// Record the keys of text `ord` (as [`phrase_keys`] gives them, with
    /// repeats skipped here). Cheapest when one builder sees its texts in
    /// increasing order (bitmap appends).
    pub fn add(&mut self, ord: u32, text: &str) {
        self.tables();
        let mut previous: Option<char> = None;
        for c in text.chars() {
            if !is_indexed(c) {
                previous = None;
                continue;
            }
            let code = c as u32;
            let mut id = if code < 0x10000 {
                self.bmp[code as usize]
            } else {
                self.other.get(&code).copied().unwrap_or(0)
            };
            if id == 0 {
                id = self.new_slot(code);
            }
            self.push(id, ord);
            if !in_pairs(c) {
                previous = None;
                continue;
            }
            if let Some(p) = previous {
                let key = pair_key(p, c);
                let mut id = self.pairs[(key - PAIR_BASE) as usize];
                if id == 0 {
                    id = self.new_slot(key);
                }
                self.push(id, ord);
            }
            previous = Some(c);
        }
        if self.pending.len()
            >= if self.flush_at == 0 {
                FLUSH_PAIRS
            } else {
                self.flush_at
            }
        {
            self.flush();
        }
    }

    /// Move the buffered pairs into the bitmaps.
    fn flush(&mut self) {
        let slots = self.keys.len();
        let mut start = vec![0usize; slots + 1];
        for &(slot, _) in &self.pending {
            start[slot as usize + 1] += 1;
        }
        for i in 0..slots {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut grouped = vec![0u32; self.pending.len()];
        for &(slot, ord) in &self.pending {
            grouped[next[slot as usize]] = ord;
            next[slot as usize] += 1;
        }
        for (slot, map) in self.maps.iter_mut().enumerate() {
            let ords = &grouped[start[slot]..start[slot + 1]];
            if let Err(e) = map.append(ords.iter().copied()) {
                // Added out of order: the rest one by one.
                for &ord in &ords[e.valid_until() as usize..] {
                    map.insert(ord);
                }
            }
        }
        self.held += self.pending.len();
        self.pending.clear();
    }

    /// The union of two builders (their runs kept, their bitmaps merged).
    pub fn merge(mut self, mut other: Builder) -> Builder {
        if self.keys.len() < other.keys.len() {
            return other.merge(self);
        }
        self.flush();
        other.flush();
        self.runs.append(&mut other.runs);
        self.held += other.held;
        for (key, map) in other.keys.into_iter().zip(other.maps) {
            let slot = self.slot(key);
            self.maps[slot] |= map;
        }
        self
    }

    /// Write what the builder holds to a run in `dir` once it holds more
    /// than [`SPILL_PAIRS`] pairs (call between texts): its memory stays
    /// bounded whatever the number of texts added.
    pub fn spill_if_large(&mut self, dir: &Path) -> Result<()> {
        let limit = if self.spill_at == 0 {
            SPILL_PAIRS
        } else {
            self.spill_at
        };
        if self.held + self.pending.len() < limit {
            return Ok(());
        }
        self.spill(dir)
    }

    /// Write the bitmaps held to a run (a temporary file in the chunk
    /// layout, covering every ordinal) and start afresh.
    fn spill(&mut self, dir: &Path) -> Result<()> {
        self.flush();
        if self.keys.is_empty() {
            return Ok(());
        }
        let tmp = super::temp_file(dir, "chars-")?;
        let path = tmp.path().to_path_buf();
        let err = |e| Error::io(format!("writing {}", path.display()), e);
        let mut w = BufWriter::with_capacity(1 << 20, tmp);
        self.write_into(&mut w, 0, u32::MAX).map_err(err)?;
        let tmp = w.into_inner().map_err(|e| err(e.into_error()))?;
        let mut runs = std::mem::take(&mut self.runs);
        runs.push(tmp);
        *self = Builder {
            runs,
            flush_at: self.flush_at,
            spill_at: self.spill_at,
            ..Default::default()
        };
        Ok(())
    }

    /// The chunk layout of the bitmaps held, as the chunk of `first..end`.
    fn write_into(&self, w: &mut impl Write, first: u32, end: u32) -> std::io::Result<()> {
        let mut order: Vec<usize> = (0..self.keys.len()).collect();
        order.sort_unstable_by_key(|&i| self.keys[i]);
        w.write_all(MAGIC)?;
        for v in [first, end, order.len() as u32] {
            w.write_all(&v.to_le_bytes())?;
        }
        let mut offset = (HEADER + ENTRY * order.len()) as u64;
        for &i in &order {
            let len = self.maps[i].serialized_size() as u64;
            w.write_all(&entry(self.keys[i], self.maps[i].len() as u32, offset, len))?;
            offset += len;
        }
        for &i in &order {
            self.maps[i].serialize_into(&mut *w)?;
        }
        Ok(())
    }

    /// Write the postings as the chunk of ordinals `first..end` into
    /// `dir` (synced), returning its reference. A builder that spilled
    /// writes the union of its runs and what it still holds.
    pub fn write(mut self, dir: &Path, first: u32, end: u32) -> Result<ChunkRef> {
        self.flush();
        if !self.runs.is_empty() {
            self.spill(dir)?;
            let mut sources = self
                .runs
                .iter()
                .map(|run| Source::open(run.path().to_path_buf(), None))
                .collect::<Result<Vec<_>>>()?;
            return write_union(dir, &mut sources, first, end);
        }
        let file = format!("chars-{first:010}-{end:010}.bin");
        let path = dir.join(&file);
        let err = |e| Error::io(format!("writing {}", path.display()), e);
        let tmp = super::temp_file(dir, "chars-")?;
        let mut w = BufWriter::with_capacity(1 << 20, tmp);
        self.write_into(&mut w, first, end).map_err(err)?;
        let tmp = w.into_inner().map_err(|e| err(e.into_error()))?;
        tmp.as_file().sync_all().map_err(err)?;
        tmp.persist(&path).map_err(|e| err(e.error))?;
        Ok(ChunkRef { file, first, end })
    }
}

/// A directory entry's bytes: character, number of texts, offset and
/// length of its bitmap.
fn entry(c: u32, count: u32, offset: u64, len: u64) -> [u8; ENTRY] {
    let mut e = [0u8; ENTRY];
    e[0..4].copy_from_slice(&c.to_le_bytes());
    e[4..8].copy_from_slice(&count.to_le_bytes());
    e[8..16].copy_from_slice(&offset.to_le_bytes());
    e[16..20].copy_from_slice(&(len as u32).to_le_bytes());
    e
}

/// A file in the chunk layout (a chunk, or a builder's run) read with
/// positioned reads, front to back: its directory a block of entries at a
/// time, its bitmaps when asked for. Not mapped, so reading a whole file (a
/// merge) does not make it part of the process's resident memory; and
/// what it holds in memory does not grow with its directory (a build's
/// union reads a hundred runs or more at x64, each with ~20,000 keys).
struct Source {
    file: std::fs::File,
    path: PathBuf,
    first: u32,
    end: u32,
    len: u64,
    n: usize,
    /// Entries `block_at..block_at + block.len()` of the directory: key,
    /// offset and length of the bitmap.
    block: Vec<(u32, u64, u32)>,
    block_at: usize,
    /// The current entry (`n`: past the last one).
    at: usize,
    /// Where the next entry loaded must start (entries tile the file).
    expect: u64,
}

/// Directory entries a [`Source`] reads at a time.
const SOURCE_BLOCK: usize = 512;

impl Source {
    /// Open the file at `path`, checked as [`Chunk::open`] checks a chunk
    /// (with `expect`'s range, when given): the header here, the directory
    /// as it is read (an entry out of place is an error then).
    fn open(path: PathBuf, expect: Option<&ChunkRef>) -> Result<Source> {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
            .len();
        let mut header = [0u8; HEADER];
        file.read_exact_at(&mut header, 0)
            .map_err(|_| damaged(&path))?;
        let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        let (first, end, n) = (
            u32_at(&header, MAGIC.len()),
            u32_at(&header, MAGIC.len() + 4),
            u32_at(&header, MAGIC.len() + 8) as usize,
        );
        let expected = expect.is_none_or(|r| r.first == first && r.end == end);
        if !header.starts_with(MAGIC) || !expected || len < (HEADER + ENTRY * n) as u64 {
            return Err(damaged(&path));
        }
        let mut source = Source {
            file,
            path,
            first,
            end,
            len,
            n,
            block: vec![],
            block_at: 0,
            at: 0,
            expect: 0,
        };
        source.rewind()?;
        Ok(source)
    }

    /// Back to the first entry.
    fn rewind(&mut self) -> Result<()> {
        self.block.clear();
        self.block_at = 0;
        self.at = 0;
        self.expect = (HEADER + ENTRY * self.n) as u64;
        self.load()
    }

    /// Read the block holding entry `at`, checking that its entries follow
    /// the previous ones (keys increasing, bitmaps contiguous) and that the
    /// last one ends the file.
    fn load(&mut self) -> Result<()> {
        use std::os::unix::fs::FileExt;
        let count = SOURCE_BLOCK.min(self.n - self.at);
        let mut raw = vec![0u8; ENTRY * count];
        self.file
            .read_exact_at(&mut raw, (HEADER + ENTRY * self.at) as u64)
            .map_err(|_| damaged(&self.path))?;
        let previous = self.block.last().map(|e| e.0);
        self.block.clear();
        self.block_at = self.at;
        for e in raw.chunks_exact(ENTRY) {
            let key = u32::from_le_bytes(e[0..4].try_into().unwrap());
            let offset = u64::from_le_bytes(e[8..16].try_into().unwrap());
            let size = u32::from_le_bytes(e[16..20].try_into().unwrap());
            let last = self.block.last().map(|e| e.0).or(previous);
            if offset != self.expect || last.is_some_and(|p| p >= key) {
                return Err(damaged(&self.path));
            }
            self.block.push((key, offset, size));
            self.expect += u64::from(size);
        }
        if self.at + count == self.n && self.expect != self.len {
            return Err(damaged(&self.path));
        }
        Ok(())
    }

    /// The current entry's key (`None` past the last).
    fn key(&self) -> Option<u32> {
        self.block.get(self.at - self.block_at).map(|e| e.0)
    }

    /// Move to the next entry.
    fn advance(&mut self) -> Result<()> {
        self.at += 1;
        if self.at < self.n && self.at - self.block_at == self.block.len() {
            self.load()?;
        }
        Ok(())
    }

    /// The current entry's bitmap, without ordinals outside the range.
    fn bitmap(&self, buf: &mut Vec<u8>) -> Result<RoaringBitmap> {
        use std::os::unix::fs::FileExt;
        let (_, offset, size) = self.block[self.at - self.block_at];
        buf.resize(size as usize, 0);
        self.file
            .read_exact_at(buf, offset)
            .map_err(|e| Error::io(format!("reading {}", self.path.display()), e))?;
        let mut map = RoaringBitmap::deserialize_from(&buf[..]).map_err(|_| damaged(&self.path))?;
        map.remove_range(..self.first);
        map.remove_range(self.end..);
        Ok(map)
    }
}

/// Write the union of `sources` as the chunk of ordinals `first..end` into
/// `dir` (synced), returning its reference. One key at a time: the memory
/// used is its bitmaps' and the output's directory, whatever the size and
/// number of the sources. A first pass over the sources' directories finds
/// the keys (the header gives their number), the second writes.
fn write_union(dir: &Path, sources: &mut [Source], first: u32, end: u32) -> Result<ChunkRef> {
    let mut keys = RoaringBitmap::new();
    for source in sources.iter_mut() {
        while let Some(key) = source.key() {
            keys.insert(key);
            source.advance()?;
        }
        source.rewind()?;
    }
    let n = keys.len() as usize;
    let file = format!("chars-{first:010}-{end:010}.bin");
    let path = dir.join(&file);
    let err = |e| Error::io(format!("writing {}", path.display()), e);
    let tmp = super::temp_file(dir, "chars-")?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp);
    w.write_all(MAGIC).map_err(err)?;
    for v in [first, end, n as u32] {
        w.write_all(&v.to_le_bytes()).map_err(err)?;
    }
    // The directory is written once the bitmaps' sizes are known.
    w.write_all(&vec![0u8; ENTRY * n]).map_err(err)?;
    let mut directory = Vec::with_capacity(ENTRY * n);
    let mut offset = (HEADER + ENTRY * n) as u64;
    let mut buf = Vec::new();
    for key in &keys {
        let mut map = RoaringBitmap::new();
        for source in sources.iter_mut() {
            if source.key() == Some(key) {
                map |= source.bitmap(&mut buf)?;
                source.advance()?;
            }
        }
        let len = map.serialized_size() as u64;
        map.serialize_into(&mut w).map_err(err)?;
        directory.extend_from_slice(&entry(key, map.len() as u32, offset, len));
        offset += len;
    }
    let mut tmp = w.into_inner().map_err(|e| err(e.into_error()))?;
    tmp.seek(std::io::SeekFrom::Start(HEADER as u64))
        .map_err(err)?;
    tmp.write_all(&directory).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(&path).map_err(|e| err(e.error))?;
    Ok(ChunkRef { file, first, end })
}

/// Is the chunk `r` of `dir` present and whole? The cheap check of
/// [`Chunk::open`]: header, and a directory whose entries tile the file
/// exactly (which catches truncation and most overwrites); not the bitmaps.
pub fn check(dir: &Path, r: &ChunkRef) -> Result<()> {
    Chunk::open(dir.join(&r.file), r).map(drop)
}

/// Where the chunks to merge start when there are too many: the last
/// ones, back to the first chunk larger than all those after it together
/// (at least two), as a log-structured merge does. Each chunk is merged
/// with others of about its size, so an update's merge costs what it
/// adds, not the whole index (one large chunk from a build, then a small
/// one per `add`: the small ones are merged, the large one is left).
pub fn merge_from(dir: &Path, chunks: &[ChunkRef]) -> usize {
    let size = |c: &ChunkRef| std::fs::metadata(dir.join(&c.file)).map_or(0, |m| m.len());
    let mut from = chunks.len().saturating_sub(2);
    let mut total: u64 = chunks[from..].iter().map(size).sum();
    while from > 0 && size(&chunks[from - 1]) <= total {
        from -= 1;
        total += size(&chunks[from]);
    }
    from
}

/// Merge the chunks `refs` of `dir` into one (synced), returning its
/// reference; one character at a time (see [`write_union`]).
pub fn merge_chunks(dir: &Path, refs: &[ChunkRef]) -> Result<ChunkRef> {
    let mut sources = refs
        .iter()
        .map(|r| Source::open(dir.join(&r.file), Some(r)))
        .collect::<Result<Vec<_>>>()?;
    let first = refs.first().map_or(0, |r| r.first);
    write_union(dir, &mut sources, first, next_ordinal(refs))
}

fn damaged(path: &Path) -> Error {
    Error::index(format!(
        "{} is damaged (run `policy-diff index --rebuild`)",
        path.display()
    ))
}

struct Chunk {
    path: std::path::PathBuf,
    map: memmap2::Mmap,
    n: usize,
    /// The ordinals the chunk covers (`first..end`).
    first: u32,
    end: u32,
}

impl Chunk {
    fn open(path: std::path::PathBuf, expect: &ChunkRef) -> Result<Chunk> {
        let file = std::fs::File::open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        // SAFETY: chunk files are written whole under a temporary name and
        // renamed into place; they are never modified afterwards.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| Error::io(format!("mapping {}", path.display()), e))?;
        let u32_at = |at: usize| {
            map.get(at..at + 4)
                .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        };
        let ok = map.starts_with(MAGIC)
            && u32_at(MAGIC.len()) == Some(expect.first)
            && u32_at(MAGIC.len() + 4) == Some(expect.end);
        let n = u32_at(MAGIC.len() + 8).unwrap_or(0) as usize;
        if !ok || map.len() < HEADER + ENTRY * n {
            return Err(damaged(&path));
        }
        let chunk = Chunk {
            path,
            map,
            n,
            first: expect.first,
            end: expect.end,
        };
        if !chunk.directory_tiles_the_file() {
            return Err(damaged(&chunk.path));
        }
        Ok(chunk)
    }

    /// Are the directory's characters strictly increasing (binary search
    /// relies on it), and do its bitmaps follow each other from the end of
    /// the directory to the end of the file, as [`Builder::write`] lays
    /// them out?
    fn directory_tiles_the_file(&self) -> bool {
        let mut at = (HEADER + ENTRY * self.n) as u64;
        let mut previous = None;
        for i in 0..self.n {
            let e = &self.map[HEADER + ENTRY * i..HEADER + ENTRY * (i + 1)];
            let c = u32::from_le_bytes(e[0..4].try_into().unwrap());
            let offset = u64::from_le_bytes(e[8..16].try_into().unwrap());
            let len = u32::from_le_bytes(e[16..20].try_into().unwrap());
            if offset != at || previous.is_some_and(|p| p >= c) {
                return false;
            }
            previous = Some(c);
            at += u64::from(len);
        }
        at == self.map.len() as u64
    }

    /// Directory entry `i`: character, number of texts, bitmap bytes.
    fn entry(&self, i: usize) -> Result<(u32, u32, &[u8])> {
        let e = &self.map[HEADER + ENTRY * i..HEADER + ENTRY * (i + 1)];
        let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap());
        let offset = u64::from_le_bytes(e[8..16].try_into().unwrap()) as usize;
        let len = u32_of(&e[16..20]) as usize;
        let bytes = offset
            .checked_add(len)
            .and_then(|end| self.map.get(offset..end))
            .ok_or_else(|| damaged(&self.path))?;
        Ok((u32_of(&e[0..4]), u32_of(&e[4..8]), bytes))
    }

    fn key_at(&self, i: usize) -> u32 {
        let at = HEADER + ENTRY * i;
        u32::from_le_bytes(self.map[at..at + 4].try_into().unwrap())
    }

    /// The directory entry of `key`, if any text of the chunk holds it.
    fn find(&self, key: u32) -> Result<Option<(u32, &[u8])>> {
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key_at(mid).cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let (_, count, bytes) = self.entry(mid)?;
                    return Ok(Some((count, bytes)));
                }
            }
        }
        Ok(None)
    }

    /// A bitmap of the chunk, without ordinals outside `first..end` (which
    /// only a damaged file holds: they would be other chunks' texts).
    fn bitmap(&self, bytes: &[u8]) -> Result<RoaringBitmap> {
        let mut map = RoaringBitmap::deserialize_from(bytes).map_err(|_| damaged(&self.path))?;
        map.remove_range(..self.first);
        map.remove_range(self.end..);
        Ok(map)
    }
}

/// [`CharPostings::containing_all`] stops intersecting once the next list
/// is this many times longer than the candidates left.
const SKIP_FACTOR: u64 = 512;

/// The chunks of one commit, mapped for reading.
pub struct CharPostings {
    chunks: Vec<Chunk>,
}

impl CharPostings {
    /// Map the chunks `refs` of `dir`.
    pub fn open(dir: &Path, refs: &[ChunkRef]) -> Result<CharPostings> {
        let chunks = refs
            .iter()
            .map(|r| Chunk::open(dir.join(&r.file), r))
            .collect::<Result<_>>()?;
        Ok(CharPostings { chunks })
    }

    /// How many ordinals the chunks cover (texts, and ordinals a thread's
    /// last block left unused).
    pub fn ordinals(&self) -> u64 {
        self.chunks
            .iter()
            .map(|c| u64::from(c.end.saturating_sub(c.first)))
            .sum()
    }

    /// How many texts hold `key` (including removed and replaced ones).
    #[cfg(test)]
    pub fn doc_freq(&self, key: u32) -> Result<u64> {
        let mut n = 0;
        for chunk in &self.chunks {
            if let Some((count, _)) = chunk.find(key)? {
                n += u64::from(count);
            }
        }
        Ok(n)
    }

    /// Candidates for the texts that hold every key of `keys` (characters
    /// and pair buckets, see [`phrase_keys`]): a superset of them, since a
    /// list much longer than the candidates left is not read (every
    /// candidate is verified anyway; reading a bitmap of most texts costs
    /// more than verifying a few candidates). Every text when `keys` is
    /// empty is not offered: `None`.
    pub fn containing_all(&self, keys: &[u32]) -> Result<Option<RoaringBitmap>> {
        if keys.is_empty() {
            return Ok(None);
        }
        let mut out = RoaringBitmap::new();
        'chunks: for chunk in &self.chunks {
            let mut lists = Vec::with_capacity(keys.len());
            for &key in keys {
                match chunk.find(key)? {
                    Some(found) => lists.push(found),
                    None => continue 'chunks,
                }
            }
            // Rarest first: the running intersection only shrinks.
            lists.sort_unstable_by_key(|(count, _)| *count);
            let mut acc = chunk.bitmap(lists[0].1)?;
            for &(count, bytes) in &lists[1..] {
                if acc.is_empty() || u64::from(count) > acc.len().saturating_mul(SKIP_FACTOR) {
                    break;
                }
                acc &= chunk.bitmap(bytes)?;
            }
            out |= acc;
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn indexed_characters_are_the_non_whitespace_ones() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                super::is_indexed(c),
                !c.is_whitespace(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn the_last_chunks_are_merged_not_a_larger_one_before_them() {
        let dir = tempfile::tempdir().unwrap();
        let chunks = |name: &str, sizes: &[usize]| -> Vec<ChunkRef> {
            sizes
                .iter()
                .enumerate()
                .map(|(i, size)| {
                    let file = format!("{name}-{i}");
                    std::fs::write(dir.path().join(&file), vec![0u8; *size]).unwrap();
                    ChunkRef {
                        file,
                        first: i as u32,
                        end: i as u32 + 1,
                    }
                })
                .collect()
        };
        // A build, then one small chunk per `add`: the small ones.
        let after_build = chunks("build", &[70_000, 30, 30, 30, 30, 30, 30, 30, 30]);
        assert_eq!(merge_from(dir.path(), &after_build), 1);
        // Chunks of one size: all of them.
        assert_eq!(merge_from(dir.path(), &chunks("even", &[30; 9])), 0);
        // Each larger than all after it together: the last two.
        let halving = chunks("halving", &[800, 400, 200, 100, 50, 25, 12, 6, 3]);
        assert_eq!(merge_from(dir.path(), &halving), 7);
        // Merged before: the earlier merge's chunk is joined once the
        // small ones after it outweigh it.
        let tiered = chunks("tiered", &[70_000, 240, 30, 30, 30, 30, 30, 30, 30]);
        assert_eq!(merge_from(dir.path(), &tiered), 2);
        let tiered = chunks("tiered2", &[70_000, 200, 30, 30, 30, 30, 30, 30, 30]);
        assert_eq!(merge_from(dir.path(), &tiered), 1);
    }

    use super::*;

    fn build(dir: &Path, first: u32, texts: &[&str]) -> ChunkRef {
        let mut b = Builder::default();
        for (i, t) in texts.iter().enumerate() {
            b.add(first + i as u32, t);
        }
        b.write(dir, first, first + texts.len() as u32).unwrap()
    }

    /// Texts holding every character of `chars` (no pairs).
    fn ords(p: &CharPostings, chars: &str) -> Vec<u32> {
        let keys: Vec<u32> = chars.chars().map(|c| c as u32).collect();
        p.containing_all(&keys).unwrap().unwrap().iter().collect()
    }

    /// The candidates of phrase `phrase`.
    fn candidates(p: &CharPostings, phrase: &str) -> Vec<u32> {
        p.containing_all(&phrase_keys(phrase))
            .unwrap()
            .unwrap()
            .iter()
            .collect()
    }

    #[test]
    fn a_phrase_keys_are_its_characters_then_its_adjacent_pairs() {
        let keys = phrase_keys("财政 财政ab、第1");
        assert_eq!(
            keys,
            vec![
                '财' as u32,
                '政' as u32,
                'a' as u32,
                'b' as u32,
                '、' as u32,
                '第' as u32,
                '1' as u32,
                pair_key('财', '政'),
                pair_key('政', 'a'),
                pair_key('a', 'b'),
                pair_key('第', '1'),
            ],
            "distinct, no pair across a space or with punctuation"
        );
        assert!(keys[7..].iter().all(|&k| k >= PAIR_BASE));
        assert!(phrase_keys(" ").is_empty());
        assert_eq!(phrase_keys("瞿"), vec!['瞿' as u32]);
        assert_eq!(phrase_keys("𠀀𠀁").len(), 3, "outside the basic plane");
    }

    /// On the bundled corpus's text (lines as texts, folded): the
    /// candidates of sampled phrases always hold every text containing
    /// the phrase, and the pairs bring them near that set, where the
    /// characters alone leave many more.
    #[test]
    fn on_real_text_candidates_hold_every_match_and_few_others() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/docs");
        let mut texts: Vec<String> = vec![];
        let mut files: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let body = std::fs::read_to_string(f).unwrap();
            texts.extend(
                body.lines()
                    .map(crate::text::fold)
                    .filter(|l| l.chars().count() >= 8),
            );
        }
        assert!(texts.len() > 1000, "{} texts", texts.len());
        let dir = tempfile::tempdir().unwrap();
        // Two builders on alternate texts, one spilling, merged: the
        // layout a build writes.
        let mut builders = [
            Builder::default(),
            Builder {
                spill_at: 5000,
                ..Default::default()
            },
        ];
        for (i, t) in texts.iter().enumerate() {
            builders[i % 2].add(i as u32, t);
            builders[i % 2].spill_if_large(dir.path()).unwrap();
        }
        let [a, b] = builders;
        let r = a.merge(b).write(dir.path(), 0, texts.len() as u32).unwrap();
        let p = CharPostings::open(dir.path(), &[r]).unwrap();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut matches, mut with_pairs, mut chars_only) = (0, 0, 0);
        for _ in 0..300 {
            let t: Vec<char> = texts[next() as usize % texts.len()].chars().collect();
            let len = 2 + next() as usize % 5;
            let start = next() as usize % (t.len() - len);
            let phrase: String = t[start..start + len].iter().collect();
            let truth: Vec<u32> = (0..texts.len() as u32)
                .filter(|&i| texts[i as usize].contains(&phrase))
                .collect();
            let found = candidates(&p, &phrase);
            assert!(
                truth.iter().all(|i| found.binary_search(i).is_ok()),
                "{phrase}: a match is not a candidate"
            );
            let chars: String = phrase.chars().filter(|c| !c.is_whitespace()).collect();
            matches += truth.len();
            with_pairs += found.len();
            chars_only += ords(&p, &chars).len();
        }
        // Not all of them: a phrase's pairs may lie apart in a text (ab…bc
        // for abc), pairs with punctuation are not indexed, buckets collide.
        assert!(
            with_pairs * 2 < matches * 3,
            "{with_pairs} candidates for {matches} matches ({chars_only} by characters)"
        );
        assert!(
            chars_only > with_pairs * 2,
            "{chars_only} by characters, {with_pairs} with pairs, {matches} matches"
        );
    }

    #[test]
    fn pairs_narrow_the_candidates_to_texts_holding_them_adjacent() {
        let dir = tempfile::tempdir().unwrap();
        let texts = [
            "政财",
            "财政",
            "国家财政",
            "财 政",
            "一级财政",
            "级一政财、",
        ];
        let r = build(dir.path(), 0, &texts);
        let p = CharPostings::open(dir.path(), &[r]).unwrap();
        assert_eq!(ords(&p, "财政"), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(candidates(&p, "财政"), vec![1, 2, 4]);
        assert_eq!(candidates(&p, "一级财政"), vec![4]);
        assert_eq!(p.doc_freq(pair_key('财', '政')).unwrap(), 3);
        assert_eq!(p.doc_freq(pair_key('财', ' ')).unwrap(), 0);
        assert_eq!(p.doc_freq(pair_key('财', '、')).unwrap(), 0);
        assert_eq!(candidates(&p, "财、"), vec![5], "a phrase with punctuation");
    }

    #[test]
    fn postings_intersect_within_and_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let a = build(dir.path(), 0, &["财政自主权", "人才公寓", "财政 𠀀"]);
        let b = build(dir.path(), 3, &["土地财政", "人才"]);
        let p = CharPostings::open(dir.path(), &[a.clone(), b.clone()]).unwrap();
        assert_eq!(ords(&p, "财政"), vec![0, 2, 3]);
        assert_eq!(ords(&p, "人才"), vec![1, 4]);
        assert_eq!(ords(&p, "𠀀"), vec![2], "characters outside the BMP");
        assert_eq!(ords(&p, "财人"), Vec::<u32>::new());
        assert_eq!(ords(&p, "无"), Vec::<u32>::new());
        assert_eq!(p.doc_freq('财' as u32).unwrap(), 3);
        assert_eq!(
            p.doc_freq(' ' as u32).unwrap(),
            0,
            "whitespace is not indexed"
        );
        assert!(p.containing_all(&[]).unwrap().is_none());
        assert_eq!(next_ordinal(&[a.clone(), b.clone()]), 5);

        assert_eq!(candidates(&p, "财政"), vec![0, 2, 3]);
        assert_eq!(candidates(&p, "政自"), vec![0]);
        assert_eq!(candidates(&p, "才公"), vec![1]);

        let merged = merge_chunks(dir.path(), &[a, b]).unwrap();
        assert_eq!((merged.first, merged.end), (0, 5));
        let m = CharPostings::open(dir.path(), &[merged]).unwrap();
        assert_eq!(candidates(&m, "财政"), vec![0, 2, 3]);
        assert_eq!(candidates(&m, "政自"), vec![0], "pairs kept by a merge");
        assert_eq!(candidates(&m, "地财政"), vec![3]);
        assert_eq!(ords(&m, "财政"), vec![0, 2, 3]);
        assert_eq!(ords(&m, "人才"), vec![1, 4]);
        assert_eq!(m.doc_freq('才' as u32).unwrap(), 2);
    }

    #[test]
    fn builders_merge_out_of_order_texts() {
        let dir = tempfile::tempdir().unwrap();
        // Flushing after every few pairs must not change the postings.
        let tiny = || Builder {
            flush_at: 3,
            ..Default::default()
        };
        let (mut x, mut y) = (tiny(), tiny());
        x.add(0, "开发区");
        y.add(1, "高新区");
        x.add(2, "开发区");
        y.add(3, "区区");
        x.add(1, "区"); // out of order within a builder
        let r = x.merge(y).write(dir.path(), 0, 4).unwrap();
        let p = CharPostings::open(dir.path(), &[r]).unwrap();
        assert_eq!(ords(&p, "区"), vec![0, 1, 2, 3]);
        assert_eq!(ords(&p, "开发"), vec![0, 2]);
    }

    #[test]
    fn a_builder_that_spills_writes_the_same_chunk_and_leaves_no_runs() {
        let texts: Vec<String> = (0..400)
            .map(|i| format!("第{i}条 财政{}人才{}", i % 7, i % 13))
            .collect();
        let chunk = |spill_at: usize, threads: usize| {
            let dir = tempfile::tempdir().unwrap();
            let mut builders: Vec<Builder> = (0..threads)
                .map(|_| Builder {
                    flush_at: 5,
                    spill_at,
                    ..Default::default()
                })
                .collect();
            for (i, t) in texts.iter().enumerate() {
                let b = &mut builders[i % threads];
                b.add(i as u32, t);
                b.spill_if_large(dir.path()).unwrap();
            }
            let spilled: usize = builders.iter().map(|b| b.runs.len()).sum();
            let merged = builders
                .into_iter()
                .reduce(Builder::merge)
                .unwrap()
                .write(dir.path(), 0, texts.len() as u32)
                .unwrap();
            let names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            assert_eq!(
                names,
                std::slice::from_ref(&merged.file),
                "runs are removed"
            );
            (
                std::fs::read(dir.path().join(&merged.file)).unwrap(),
                spilled,
            )
        };
        let (whole, none) = chunk(0, 1);
        assert_eq!(none, 0);
        for threads in [1, 2, 3] {
            let (spilled, runs) = chunk(40, threads);
            assert!(runs > 10, "{runs} runs");
            assert!(spilled == whole, "{threads} threads: the same bytes");
        }
    }

    #[test]
    fn a_damaged_or_mismatched_chunk_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let r = build(dir.path(), 0, &["财政"]);
        let wrong = ChunkRef {
            end: 9,
            ..r.clone()
        };
        let e = CharPostings::open(dir.path(), &[wrong]).err().unwrap();
        assert!(e.to_string().contains(&r.file), "{e}");
        assert!(check(dir.path(), &r).is_ok());
        let path = dir.path().join(&r.file);
        let whole = std::fs::read(&path).unwrap();
        // Truncated, or grown: the directory no longer tiles the file.
        for len in [whole.len() - 3, HEADER + ENTRY, HEADER - 1, 0] {
            std::fs::write(&path, &whole[..len]).unwrap();
            let e = CharPostings::open(dir.path(), std::slice::from_ref(&r))
                .err()
                .unwrap();
            assert!(e.to_string().contains("damaged"), "{len}: {e}");
            assert!(e.to_string().contains(&r.file), "{e}");
            assert!(check(dir.path(), &r).is_err(), "{len}");
        }
        std::fs::write(&path, [&whole[..], b"x"].concat()).unwrap();
        assert!(check(dir.path(), &r).is_err());
        // An entry pointing elsewhere.
        let mut moved = whole.clone();
        moved[HEADER + 8] ^= 1;
        std::fs::write(&path, moved).unwrap();
        assert!(check(dir.path(), &r).is_err());
        std::fs::remove_file(&path).unwrap();
        assert!(check(dir.path(), &r).is_err(), "missing");
    }

    #[test]
    fn ordinals_outside_a_chunks_range_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Builder::default();
        for (i, t) in ["财政", "财政", "财政", "财政"].iter().enumerate() {
            b.add(10 + i as u32, t);
        }
        // A (damaged) chunk claiming 11..13 that holds 10..14.
        let r = b.write(dir.path(), 11, 13).unwrap();
        let p = CharPostings::open(dir.path(), &[r]).unwrap();
        assert_eq!(ords(&p, "财政"), vec![11, 12]);
    }
}
