//! The catalog as compact bytes, for the cache every command reads instead
//! of parsing `catalog.toml` (at 24,000 documents the JSON cache took 25 ms
//! to parse; this takes a few). Strings are a u32 length and UTF-8; lists a
//! u32 count. Entries are destructured field by field, so adding a field to
//! [`Entry`] or [`Implemented`] does not compile until it is encoded here.
//!
//! Beside the entries, tables answer what `add` asks without decoding them
//! all: an entry by id (sorted ids), by content hash (sorted hash keys),
//! the entries with an original file, and the directories of the
//! documents' files (the corpus's signals). The copy a writer leaves
//! beside the catalog (`.catalog.bin`) is extended in place by `add`: a
//! record of the new entries and the catalog file's identity after them,
//! checked by its blake3 sum, appended after what is there (no byte a
//! reader may have mapped ever changes; see [`append_beside`]).

use std::path::Path;

use super::catalog::{AsText, Catalog, Entry, Field};
use super::meta::Implemented;
use super::signals::{dir_of, Sig};
use super::values::nonblank;

/// The copy a writer leaves beside the catalog (see [`write_beside`]).
pub const BESIDE: &str = ".catalog.bin";
const BESIDE_MAGIC: &[u8] = b"policy-diff catalog beside 2\n";
/// A catalog file's identity as bytes (size, mtime, ctime, inode).
const SIG_LEN: usize = 48;
/// Where the encoded catalog starts in the copy beside the catalog.
const BESIDE_HEAD: usize = BESIDE_MAGIC.len() + SIG_LEN;

/// Most entries the records appended to the copy beside the catalog hold
/// (each reader looks through them one by one: by id, by hash); past
/// this, or [`TAIL_MAX_RECORDS`] records, `add` writes the copy whole
/// again, its records in its tables.
pub const TAIL_MAX_ENTRIES: usize = 512;
pub const TAIL_MAX_RECORDS: usize = 64;

/// How a record starts, and the bytes of its blake3 sum that end it.
const RECORD_MAGIC: &[u8] = b"+rec";
const RECORD_SUM: usize = 16;

fn sig_bytes(sig: Sig) -> Vec<u8> {
    let mut b = Vec::with_capacity(SIG_LEN);
    b.extend(sig.size.to_le_bytes());
    b.extend(sig.mtime_ns.to_le_bytes());
    b.extend(sig.ctime_ns.to_le_bytes());
    b.extend(sig.ino.to_le_bytes());
    b
}

fn sig_of_bytes(b: &[u8]) -> Option<Sig> {
    Some(Sig {
        size: u64::from_le_bytes(b.get(..8)?.try_into().ok()?),
        mtime_ns: u128::from_le_bytes(b.get(8..24)?.try_into().ok()?),
        ctime_ns: u128::from_le_bytes(b.get(24..40)?.try_into().ok()?),
        ino: u64::from_le_bytes(b.get(40..48)?.try_into().ok()?),
    })
}

/// The copy beside the catalog as the writer that wrote or read it knows
/// it: the file (inode), its length and what its records hold. Another
/// length or inode means another writer's file, which is not extended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beside {
    ino: u64,
    len: u64,
    records: usize,
    entries: usize,
}

/// Leave the catalog's compact bytes beside it in `corpus_dir`, keyed on
/// the identity of the catalog file it was saved as (`sig`: size, times,
/// inode): a writer that saved the catalog knows its entries without
/// parsing it again, and so does the next `add` or reader. A cache: not
/// synced, written whole under a temporary name and renamed; a stale or
/// damaged one is never read. Returns the file written, to extend.
pub fn write_beside(corpus_dir: &Path, sig: Sig, catalog: &Catalog) -> Option<Beside> {
    write_beside_encoded(corpus_dir, sig, &[&encode(catalog)])
}

/// [`write_beside`] for the catalog of `old` (a copy of the catalog as
/// it was, its records included) with `new` appended: the old entries'
/// bytes copied, not encoded again.
pub fn write_beside_appended<B: AsRef<[u8]> + Sync>(
    corpus_dir: &Path,
    sig: Sig,
    old: &View<B>,
    new: &[Entry],
) -> Option<Beside> {
    // Written from the old copy's mapping: its entries are not copied in
    // memory first.
    match appended_parts(old, new) {
        Some((head, old_body, new_body)) => {
            write_beside_encoded(corpus_dir, sig, &[&head, old_body, &new_body])
        }
        None => {
            let _ = std::fs::remove_file(corpus_dir.join(BESIDE));
            None
        }
    }
}

/// Extend the copy beside the catalog in place with `new`, the entries
/// the catalog file (now `sig`) gained, when it is still the file `at`
/// (same inode and length) and has no other name (a hard link: a `cp -al`
/// copy of the corpus would change with it), and its records stay within
/// [`TAIL_MAX_ENTRIES`] and [`TAIL_MAX_RECORDS`]. One write at the end of
/// the file: a reader that mapped it before sees the bytes it mapped; one
/// that finds the record cut short (a kill, a full disk) reads the copy as
/// of the catalog before, which is not the file's now, so it reads the
/// catalog instead. A failed write removes the file (never cut back: a
/// reader may map those bytes). `None`: not extended (write it whole).
#[cfg(unix)]
pub fn append_beside(corpus_dir: &Path, at: Beside, sig: Sig, new: &[Entry]) -> Option<Beside> {
    use std::io::Write;
    use std::os::unix::fs::MetadataExt;
    if new.is_empty() || at.records >= TAIL_MAX_RECORDS || at.entries + new.len() > TAIL_MAX_ENTRIES
    {
        return None;
    }
    let path = corpus_dir.join(BESIDE);
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).ok()?;
    let m = file.metadata().ok()?;
    if m.ino() != at.ino || m.len() != at.len || m.nlink() != 1 {
        return None;
    }
    let record = record(sig, new);
    if file.write_all(&record).is_err() {
        let _ = std::fs::remove_file(&path);
        return None;
    }
    Some(Beside {
        ino: at.ino,
        len: at.len + record.len() as u64,
        records: at.records + 1,
        entries: at.entries + new.len(),
    })
}

/// Never in place where the file's links cannot be counted.
#[cfg(not(unix))]
pub fn append_beside(_: &Path, _: Beside, _: Sig, _: &[Entry]) -> Option<Beside> {
    None
}

/// A record of entries appended to the copy beside the catalog: its
/// magic, the length of what follows up to the sum (u64), the catalog
/// file's identity after the append, the entries (a count, then each
/// entry's length and bytes as [`encode`] writes it), and the first bytes
/// of the blake3 sum of all that.
fn record(sig: Sig, new: &[Entry]) -> Vec<u8> {
    let mut payload = Out(sig_bytes(sig));
    payload.len(new.len());
    for e in new {
        let mut one = Out(Vec::new());
        put_entry(&mut one, e);
        payload.len(one.0.len());
        payload.0.extend(one.0);
    }
    let mut record = RECORD_MAGIC.to_vec();
    record.extend((payload.0.len() as u64).to_le_bytes());
    record.extend(payload.0);
    let sum = blake3::hash(&record);
    record.extend(&sum.as_bytes()[..RECORD_SUM]);
    record
}

/// The record at `at` of `all`, if it is whole and its sum agrees: the
/// catalog file's identity it records, its entries' spans in `all`, and
/// where it ends.
#[allow(clippy::type_complexity)]
fn read_record(all: &[u8], at: usize) -> Option<(Sig, Vec<(usize, usize)>, usize)> {
    let head = all.get(at..at.checked_add(RECORD_MAGIC.len() + 8)?)?;
    let (magic, len) = head.split_at(RECORD_MAGIC.len());
    if magic != RECORD_MAGIC {
        return None;
    }
    let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
    let payload_at = at + head.len();
    let sum_at = payload_at.checked_add(len)?;
    let end = sum_at.checked_add(RECORD_SUM)?;
    let sum = all.get(sum_at..end)?;
    if blake3::hash(all.get(at..sum_at)?).as_bytes()[..RECORD_SUM] != *sum {
        return None;
    }
    let payload = &all[payload_at..sum_at];
    let sig = sig_of_bytes(payload.get(..SIG_LEN)?)?;
    let mut input = In(&payload[SIG_LEN..]);
    let count = input.len()?;
    let mut spans = Vec::with_capacity(count.min(len / 4));
    for _ in 0..count {
        let n = input.len()?;
        let start = sum_at - input.0.len();
        let (_, tail) = input.0.split_at_checked(n)?;
        input.0 = tail;
        spans.push((start, start + n));
    }
    input.0.is_empty().then_some((sig, spans, end))
}

/// The copy beside the catalog when the catalog file is still `sig` (the
/// file as a writer opened it), mapped.
pub fn beside_of(corpus_dir: &Path, sig: Sig) -> Option<View<Mapped>> {
    read_beside(corpus_dir)
        .filter(|(at, _)| *at == sig)
        .map(|(_, view)| view)
}

/// [`write_beside`] of encoded bytes given in pieces.
fn write_beside_encoded(corpus_dir: &Path, sig: Sig, encoded: &[&[u8]]) -> Option<Beside> {
    let mut bytes = Vec::with_capacity(BESIDE_HEAD);
    bytes.extend(BESIDE_MAGIC);
    bytes.extend(sig_bytes(sig));
    let path = corpus_dir.join(BESIDE);
    let mut builder = tempfile::Builder::new();
    // Readable by whoever may read the catalog (0666 less the umask, as
    // any new file), not a temporary file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let written = builder
        .prefix(".catalog-")
        .tempfile_in(corpus_dir)
        .and_then(|mut tmp| {
            std::io::Write::write_all(&mut tmp, &bytes)?;
            for piece in encoded {
                std::io::Write::write_all(&mut tmp, piece)?;
            }
            tmp.persist(&path).map_err(|e| e.error)
        })
        .and_then(|file| file.metadata());
    match written {
        Ok(m) => Some(Beside {
            ino: ino_of(&m),
            len: m.len(),
            records: 0,
            entries: 0,
        }),
        Err(_) => {
            let _ = std::fs::remove_file(&path);
            None
        }
    }
}

fn ino_of(m: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::ino(m)
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        0
    }
}

/// The catalog left beside `catalog.toml` by [`write_beside`] (and
/// extended by [`append_beside`]), if the file is still the one it, or
/// its last whole record, was saved as; with that file's identity. The
/// file is mapped, not read: entries are decoded when asked for.
pub fn read_beside(corpus_dir: &Path) -> Option<(Sig, View<Mapped>)> {
    let (map, ino) = map_file(&corpus_dir.join(BESIDE))?;
    let head = map.get(..BESIDE_HEAD)?.strip_prefix(BESIDE_MAGIC)?;
    let saved = sig_of_bytes(head)?;
    let (view, appended) = View::with_records(Mapped {
        map,
        skip: BESIDE_HEAD,
        ino,
    })?;
    let sig = appended.unwrap_or(saved);
    let now = Sig::of(&Catalog::path(corpus_dir));
    if sig.mtime_ns == 0 || now != sig {
        return None;
    }
    Some((sig, view))
}

const MAGIC: &[u8] = b"policy-diff catalog 5\n";

struct Out(Vec<u8>);

impl Out {
    fn len(&mut self, n: usize) {
        self.0.extend((n as u32).to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend(s.as_bytes());
    }
}

struct In<'a>(&'a [u8]);

impl<'a> In<'a> {
    fn len(&mut self) -> Option<usize> {
        let (head, tail) = self.0.split_at_checked(4)?;
        self.0 = tail;
        Some(u32::from_le_bytes(head.try_into().ok()?) as usize)
    }
    fn str(&mut self) -> Option<String> {
        let n = self.len()?;
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        String::from_utf8(head.to_vec()).ok()
    }
    /// The next string's bytes, in place.
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }
}

/// The key of a content hash in the hash table (FNV-1a, 64 bits).
fn hash_key(s: &[u8]) -> u64 {
    s.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The lists after the hash table: the numbers of the entries with an
/// original file (ascending), then the directories of the documents'
/// files (sorted, each once).
fn put_lists(originals: &[u32], dirs: &[&str]) -> Vec<u8> {
    let mut o = Out(Vec::new());
    o.len(originals.len());
    for i in originals {
        o.0.extend(i.to_le_bytes());
    }
    o.len(dirs.len());
    for d in dirs {
        o.str(d);
    }
    o.0
}

/// The catalog as bytes that can be read entry by entry ([`View`]): the
/// magic line, the number of entries `n` (u64) and the length of the
/// lists (u64), `n + 1` offsets (u64) of each entry in the body and of
/// its end, the `n` entry numbers in the order of their ids (u32: a
/// lookup by id is a binary search that reads only the ids it probes),
/// the `n` entries' hash keys with their numbers (u64, u32; by key, then
/// number), the lists ([`put_lists`]), then the body, every entry as
/// [`entry`] reads it (its id, file and hash first).
pub fn encode(catalog: &Catalog) -> Vec<u8> {
    let docs = &catalog.documents;
    let mut body = Out(Vec::new());
    let mut offsets = Vec::with_capacity(docs.len() + 1);
    for e in docs {
        offsets.push(body.0.len() as u64);
        put_entry(&mut body, e);
    }
    offsets.push(body.0.len() as u64);
    let mut order: Vec<u32> = (0..docs.len() as u32).collect();
    // By id, then position: of equal ids the first is found, as
    // `Catalog::get` finds it.
    order.sort_by(|a, b| {
        docs[*a as usize]
            .id
            .cmp(&docs[*b as usize].id)
            .then(a.cmp(b))
    });
    let mut hashes: Vec<(u64, u32)> = (0..docs.len() as u32)
        .map(|i| (hash_key(docs[i as usize].hash.as_bytes()), i))
        .collect();
    hashes.sort_unstable();
    let originals: Vec<u32> = (0..docs.len() as u32)
        .filter(|i| !docs[*i as usize].original.is_empty())
        .collect();
    let mut dirs: Vec<&str> = docs.iter().map(|e| dir_of(&e.file)).collect();
    dirs.sort_unstable();
    dirs.dedup();
    let lists = put_lists(&originals, &dirs);
    let mut out = MAGIC.to_vec();
    out.reserve(16 + offsets.len() * 8 + order.len() * 16 + lists.len() + body.0.len());
    out.extend((docs.len() as u64).to_le_bytes());
    out.extend((lists.len() as u64).to_le_bytes());
    for o in offsets {
        out.extend(o.to_le_bytes());
    }
    for i in order {
        out.extend(i.to_le_bytes());
    }
    for (k, i) in hashes {
        out.extend(k.to_le_bytes());
        out.extend(i.to_le_bytes());
    }
    out.extend(lists);
    out.extend(body.0);
    out
}

/// [`encode`] of `old`'s entries followed by `new`, copying `old`'s
/// bytes: the entries' bytes and offsets as they are, the new ones after
/// them, and the tables merged (the same bytes as [`encode`] of the
/// whole catalog). `None` when `old`'s bytes are damaged.
#[cfg(test)]
pub fn encode_appended<B: AsRef<[u8]> + Sync>(old: &View<B>, new: &[Entry]) -> Option<Vec<u8>> {
    let (mut head, old_body, new_body) = appended_parts(old, new)?;
    head.extend(old_body);
    head.extend(new_body);
    Some(head)
}

/// The bytes of `old` with `new` appended in three pieces: the header and
/// tables, the entries of `old`'s tables (its own bytes) and the others
/// (those of its records, then `new`).
fn appended_parts<'a, B: AsRef<[u8]> + Sync>(
    old: &'a View<B>,
    new: &[Entry],
) -> Option<(Vec<u8>, &'a [u8], Vec<u8>)> {
    // The entries of the old copy's records are encoded again with the
    // new ones (a few hundred at most).
    let recorded: Vec<Entry> = (old.n..old.len())
        .map(|i| old.entry(i))
        .collect::<Option<_>>()?;
    let new: Vec<&Entry> = recorded.iter().chain(new).collect();
    let n0 = old.n;
    let n = n0 + new.len();
    let all = old.bytes.as_ref();
    let old_body = all.get(old.body_at..old.body_end)?;
    let mut body = Out(Vec::new());
    let mut offsets = Vec::with_capacity(new.len());
    for e in &new {
        offsets.push((old_body.len() + body.0.len()) as u64);
        put_entry(&mut body, e);
    }
    // Each new entry goes after every old entry whose id is not above its
    // own (old positions come first among equal ids), and after the new
    // entries before it with an id not above its own.
    let mut placed: Vec<(usize, &str, u32)> = Vec::with_capacity(new.len());
    for (k, e) in new.iter().enumerate() {
        let (mut lo, mut hi) = (0, n0);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if old.id_of(old.order(mid)?)? <= e.id.as_bytes() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        placed.push((lo, e.id.as_str(), (n0 + k) as u32));
    }
    placed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
    // Likewise each new hash key after the old ones not above it.
    let mut keyed: Vec<(u64, u32)> = new
        .iter()
        .enumerate()
        .map(|(k, e)| (hash_key(e.hash.as_bytes()), (n0 + k) as u32))
        .collect();
    keyed.sort_unstable();
    let old_hashes = all.get(old.hashes_at..old.hashes_at + 12 * n0)?;
    let mut originals = old.listed_originals()?;
    originals.extend(
        new.iter()
            .enumerate()
            .filter(|(_, e)| !e.original.is_empty())
            .map(|(k, _)| (n0 + k) as u32),
    );
    let mut dirs = old.listed_dirs()?;
    dirs.extend(new.iter().map(|e| dir_of(&e.file)));
    dirs.sort_unstable();
    dirs.dedup();
    let lists = put_lists(&originals, &dirs);
    let mut out = MAGIC.to_vec();
    out.reserve(16 + (n + 1) * 8 + n * 16 + lists.len());
    out.extend((n as u64).to_le_bytes());
    out.extend((lists.len() as u64).to_le_bytes());
    out.extend(all.get(old.offsets_at..old.offsets_at + 8 * n0)?);
    for o in offsets {
        out.extend(o.to_le_bytes());
    }
    out.extend(((old_body.len() + body.0.len()) as u64).to_le_bytes());
    let mut next = placed.iter().peekable();
    for k in 0..n0 {
        while let Some((_, _, i)) = next.next_if(|p| p.0 == k) {
            out.extend(i.to_le_bytes());
        }
        out.extend((old.order(k)? as u32).to_le_bytes());
    }
    for (_, _, i) in next {
        out.extend(i.to_le_bytes());
    }
    let mut from = 0;
    for (key, i) in keyed {
        // The first old key above `key`.
        let (mut lo, mut hi) = (from, n0);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if old.hash_at(mid)?.0 <= key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        out.extend(&old_hashes[12 * from..12 * lo]);
        out.extend(key.to_le_bytes());
        out.extend(i.to_le_bytes());
        from = lo;
    }
    out.extend(&old_hashes[12 * from..]);
    out.extend(lists);
    Some((out, old_body, body.0))
}

fn put_entry(o: &mut Out, e: &Entry) {
    let Entry {
        id,
        file,
        hash,
        title,
        jurisdiction,
        level,
        issuer,
        doc_number,
        date,
        adopted,
        amended,
        kind,
        implements,
        source,
        original,
        ocr,
        manual,
    } = e;
    for s in [
        id.as_str(),
        file,
        hash,
        title,
        jurisdiction,
        level.text(),
        issuer,
        doc_number,
        date.text(),
        adopted.text(),
        amended.text(),
        kind.text(),
        source,
        original,
        ocr,
    ] {
        o.str(s);
    }
    o.len(implements.len());
    for Implemented { doc_number, title } in implements {
        o.str(doc_number);
        match title {
            Some(t) => {
                o.0.push(1);
                o.str(t);
            }
            None => o.0.push(0),
        }
    }
    o.len(manual.len());
    for m in manual {
        o.str(m.name());
    }
}

/// The inverse of [`encode`]; `None` for anything else.
#[cfg(test)]
pub fn decode(bytes: &[u8]) -> Option<Catalog> {
    View::new(bytes)?.decode_all()
}

/// Encoded catalog bytes read in place, entry by entry: opening checks
/// only the header (its sizes agree with the file's), each entry is
/// checked when it is read (its bytes are exactly its span), so a
/// truncated or overwritten file is found out by what is read of it.
/// The entries of the records appended after them (the copy beside the
/// catalog, [`read_beside`]) come after the tables' entries, and are
/// looked through one by one.
pub struct View<B> {
    bytes: B,
    /// Entries in the tables.
    n: usize,
    offsets_at: usize,
    order_at: usize,
    hashes_at: usize,
    lists_at: usize,
    body_at: usize,
    body_end: usize,
    /// The spans of the recorded entries in `bytes`, in order.
    recorded: Vec<(usize, usize)>,
    records: usize,
    /// Where the last whole record ends, and whether bytes follow it (a
    /// record cut short).
    end: usize,
    torn: bool,
}

impl<B: AsRef<[u8]> + Sync> View<B> {
    /// The view of `bytes`, if they are [`encode`]'s output.
    pub fn new(bytes: B) -> Option<View<B>> {
        let view = View::tables(bytes)?;
        (view.body_end == view.bytes.as_ref().len()).then_some(view)
    }

    /// The view of `bytes`, [`encode`]'s output followed by records; with
    /// the catalog file's identity the last whole record gives.
    fn with_records(bytes: B) -> Option<(View<B>, Option<Sig>)> {
        let mut view = View::tables(bytes)?;
        let all = view.bytes.as_ref();
        let (mut at, mut sig, mut spans, mut records) = (view.body_end, None, vec![], 0);
        while at < all.len() {
            let Some((s, more, end)) = read_record(all, at) else {
                break;
            };
            sig = Some(s);
            spans.extend(more);
            records += 1;
            at = end;
        }
        view.torn = at < all.len();
        view.recorded = spans;
        view.records = records;
        view.end = at;
        Some((view, sig))
    }

    /// The header and tables of `bytes`, if they are those of [`encode`]'s
    /// output and its body is within them.
    fn tables(bytes: B) -> Option<View<B>> {
        let all = bytes.as_ref();
        let rest = all.strip_prefix(MAGIC)?;
        let n = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
        let lists = u64::from_le_bytes(rest.get(8..16)?.try_into().ok()?);
        // An entry takes 24 bytes of the tables and some of the body: a
        // damaged count or length cannot point past the file.
        let n = usize::try_from(n).ok().filter(|n| *n <= all.len() / 32)?;
        let lists = usize::try_from(lists).ok().filter(|l| *l <= all.len())?;
        let offsets_at = MAGIC.len() + 16;
        let order_at = offsets_at + 8 * (n + 1);
        let hashes_at = order_at + 4 * n;
        let lists_at = hashes_at + 12 * n;
        let body_at = lists_at + lists;
        let mut view = View {
            bytes,
            n,
            offsets_at,
            order_at,
            hashes_at,
            lists_at,
            body_at,
            body_end: 0,
            recorded: vec![],
            records: 0,
            end: 0,
            torn: false,
        };
        let body_end = body_at.checked_add(view.offset(n)?)?;
        if view.offset(0)? != 0 || body_end > view.bytes.as_ref().len() {
            return None;
        }
        view.body_end = body_end;
        view.end = body_end;
        Some(view)
    }

    /// How many entries (the tables' and the records').
    pub fn len(&self) -> usize {
        self.n + self.recorded.len()
    }

    fn u64_at(&self, at: usize) -> Option<u64> {
        let b = self.bytes.as_ref().get(at..at + 8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b = self.bytes.as_ref().get(at..at + 4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    }

    fn offset(&self, i: usize) -> Option<usize> {
        usize::try_from(self.u64_at(self.offsets_at + 8 * i)?).ok()
    }

    /// The number of the `k`th entry by id (of the tables' entries).
    fn order(&self, k: usize) -> Option<usize> {
        Some(self.u32_at(self.order_at + 4 * k)? as usize)
    }

    /// The `k`th hash key of the table, and its entry's number.
    fn hash_at(&self, k: usize) -> Option<(u64, usize)> {
        let i = self.u32_at(self.hashes_at + 12 * k + 8)? as usize;
        Some((self.u64_at(self.hashes_at + 12 * k)?, i))
    }

    /// The bytes of entry `i`.
    fn span(&self, i: usize) -> Option<&[u8]> {
        if i >= self.n {
            let (a, b) = *self.recorded.get(i - self.n)?;
            return self.bytes.as_ref().get(a..b);
        }
        let (a, b) = (self.offset(i)?, self.offset(i + 1)?);
        let (a, b) = (self.body_at.checked_add(a)?, self.body_at.checked_add(b)?);
        if b > self.body_end {
            return None;
        }
        self.bytes.as_ref().get(a..b)
    }

    /// The id, file and content hash of entry `i`, in place (what
    /// `put_entry` writes first).
    fn lead(&self, i: usize) -> Option<[&[u8]; 3]> {
        let mut input = In(self.span(i)?);
        Some([input.bytes()?, input.bytes()?, input.bytes()?])
    }

    fn id_of(&self, i: usize) -> Option<&[u8]> {
        let mut input = In(self.span(i)?);
        input.bytes()
    }

    /// Entry `i` (catalog order); `None` when its bytes are damaged.
    pub fn entry(&self, i: usize) -> Option<Entry> {
        let mut input = In(self.span(i)?);
        let e = entry(&mut input)?;
        input.0.is_empty().then_some(e)
    }

    /// The position of the (first) entry whose id is `id`: `Some(None)`
    /// when there is none, `None` when the bytes read are damaged.
    pub fn position(&self, id: &str) -> Option<Option<usize>> {
        // The first k whose id is not below `id` (the table is sorted by
        // id, then position).
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.id_of(self.order(mid)?)? < id.as_bytes() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo < self.n {
            let i = self.order(lo)?;
            if self.id_of(i)? == id.as_bytes() {
                return Some(Some(i));
            }
        }
        for i in self.n..self.len() {
            if self.id_of(i)? == id.as_bytes() {
                return Some(Some(i));
            }
        }
        Some(None)
    }

    /// The position of the first entry whose content hash is `hash`
    /// (`Some(None)`: none; `None`: damaged bytes read).
    pub fn with_hash(&self, hash: &str) -> Option<Option<usize>> {
        let key = hash_key(hash.as_bytes());
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.hash_at(mid)?.0 < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // Equal keys by position: the first whose hash is `hash`.
        for k in lo..self.n {
            let (at, i) = self.hash_at(k)?;
            if at != key {
                break;
            }
            if i >= self.n {
                return None;
            }
            if self.lead(i)?[2] == hash.as_bytes() {
                return Some(Some(i));
            }
        }
        for i in self.n..self.len() {
            if self.lead(i)?[2] == hash.as_bytes() {
                return Some(Some(i));
            }
        }
        Some(None)
    }

    /// The ids that start with `prefix` (`None`: damaged bytes read).
    pub fn ids_starting(&self, prefix: &str) -> Option<Vec<&str>> {
        let prefix = prefix.as_bytes();
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.id_of(self.order(mid)?)? < prefix {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut ids = vec![];
        for k in lo..self.n {
            let id = self.id_of(self.order(k)?)?;
            if !id.starts_with(prefix) {
                break;
            }
            ids.push(std::str::from_utf8(id).ok()?);
        }
        for i in self.n..self.len() {
            let id = self.id_of(i)?;
            if id.starts_with(prefix) {
                ids.push(std::str::from_utf8(id).ok()?);
            }
        }
        Some(ids)
    }

    /// The numbers of the tables' entries with an original file.
    fn listed_originals(&self) -> Option<Vec<u32>> {
        let m = self.u32_at(self.lists_at)? as usize;
        let at = self.lists_at + 4;
        if 4 + 4 * m > self.body_at - self.lists_at {
            return None;
        }
        (0..m).map(|k| self.u32_at(at + 4 * k)).collect()
    }

    /// The directories of the tables' entries' files.
    fn listed_dirs(&self) -> Option<Vec<&str>> {
        let m = self.u32_at(self.lists_at)? as usize;
        let lists = self.bytes.as_ref().get(self.lists_at..self.body_at)?;
        let mut input = In(lists.get(4 + 4 * m..)?);
        let d = input.len()?;
        let mut dirs = Vec::with_capacity(d.min(lists.len() / 4));
        for _ in 0..d {
            dirs.push(std::str::from_utf8(input.bytes()?).ok()?);
        }
        input.0.is_empty().then_some(dirs)
    }

    /// The positions of the entries with an original file, in order.
    pub fn with_original(&self) -> Option<Vec<usize>> {
        let mut found: Vec<usize> = self
            .listed_originals()?
            .into_iter()
            .map(|i| i as usize)
            .collect();
        if found.iter().any(|i| *i >= self.n) || !found.is_sorted() {
            return None;
        }
        for i in self.n..self.len() {
            if !self.entry(i)?.original.is_empty() {
                found.push(i);
            }
        }
        Some(found)
    }

    /// The directories of the documents' files (relative to the corpus,
    /// `""` for its own), sorted, each once.
    pub fn dirs(&self) -> Option<Vec<String>> {
        let mut dirs = self.listed_dirs()?;
        for i in self.n..self.len() {
            dirs.push(dir_of(std::str::from_utf8(self.lead(i)?[1]).ok()?));
        }
        dirs.sort_unstable();
        dirs.dedup();
        Some(dirs.into_iter().map(str::to_string).collect())
    }

    /// Every entry; on all cores past a few thousand. `None` if any is
    /// damaged.
    pub fn decode_all(&self) -> Option<Catalog> {
        const PARALLEL_FROM: usize = 4096;
        let n = self.len();
        let documents = if n < PARALLEL_FROM {
            (0..n).map(|i| self.entry(i)).collect::<Option<Vec<_>>>()?
        } else {
            use rayon::prelude::*;
            (0..n)
                .into_par_iter()
                .with_min_len(1024)
                .map(|i| self.entry(i))
                .collect::<Option<Vec<_>>>()?
        };
        Some(Catalog { documents })
    }
}

impl View<Mapped> {
    /// The copy beside the catalog as mapped, for its writer to extend
    /// ([`append_beside`]); `None` when a record is cut short.
    pub fn beside(&self) -> Option<Beside> {
        (!self.torn && self.bytes.skip == BESIDE_HEAD).then(|| Beside {
            ino: self.bytes.ino,
            len: (self.bytes.skip + self.end) as u64,
            records: self.records,
            entries: self.recorded.len(),
        })
    }
}

/// A file of [`encode`]d bytes after `skip` bytes, mapped into memory
/// (nothing is read until asked for). Files are replaced by a rename or
/// extended at their end, never changed in place, so the bytes mapped
/// stay those of the file it was.
pub struct Mapped {
    map: memmap2::Mmap,
    skip: usize,
    ino: u64,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        self.map.get(self.skip..).unwrap_or_default()
    }
}

/// The file at `path` mapped, with its inode.
fn map_file(path: &Path) -> Option<(memmap2::Mmap, u64)> {
    let file = std::fs::File::open(path).ok()?;
    let m = file.metadata().ok()?;
    if m.len() == 0 {
        return None;
    }
    // SAFETY: the catalog caches are written whole under a temporary name
    // and renamed into place, or extended at their end (the copy beside
    // the catalog), never modified in place nor cut back; a concurrent
    // rename or append leaves the bytes of this mapping as they were.
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    Some((map, ino_of(&m)))
}

/// The view of the file at `path` after `skip` bytes, mapped.
pub fn map(path: &Path, skip: usize) -> Option<View<Mapped>> {
    let (map, ino) = map_file(path)?;
    if map.len() <= skip {
        return None;
    }
    View::new(Mapped { map, skip, ino })
}

/// One entry as [`encode`] writes it.
fn entry(i: &mut In) -> Option<Entry> {
    let mut e = Entry {
        id: i.str()?,
        file: i.str()?,
        hash: i.str()?,
        title: i.str()?,
        jurisdiction: i.str()?,
        level: nonblank(&i.str()?),
        issuer: i.str()?,
        doc_number: i.str()?,
        date: nonblank(&i.str()?),
        adopted: nonblank(&i.str()?),
        amended: nonblank(&i.str()?),
        kind: nonblank(&i.str()?),
        implements: vec![],
        source: i.str()?,
        original: i.str()?,
        ocr: i.str()?,
        manual: vec![],
    };
    for _ in 0..i.len()? {
        let doc_number = i.str()?;
        let (flag, tail) = i.0.split_first()?;
        i.0 = tail;
        let title = match flag {
            0 => None,
            1 => Some(i.str()?),
            _ => return None,
        };
        e.implements.push(Implemented { doc_number, title });
    }
    for _ in 0..i.len()? {
        e.manual.push(Field::from(i.str()?));
    }
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_bundled_catalog_and_a_full_entry() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut catalog = super::super::Corpus::open(&dir).unwrap().catalog.clone();
        assert!(!catalog.documents.is_empty());
        let s = |x: &str| x.to_string();
        catalog.documents.push(Entry {
            id: s("a"),
            file: s("docs/a.txt"),
            hash: s("blake3:00"),
            title: s("关于印发《某某》的通知"),
            jurisdiction: s("南通市"),
            level: Some("city".into()),
            issuer: s("南通市人民政府"),
            doc_number: s("通政发〔2021〕23号"),
            date: Some("2021-09".into()),
            adopted: Some("2000-09-08".into()),
            amended: Some("2015-05-29".into()),
            kind: Some("opinion".into()),
            implements: vec![
                Implemented {
                    doc_number: s("苏政发〔2020〕1号"),
                    title: Some(s("意见")),
                },
                Implemented {
                    doc_number: s("x"),
                    title: None,
                },
            ],
            source: s("003.txt"),
            original: s("originals/a.pdf"),
            ocr: s("91.3"),
            manual: vec![Field::Level, Field::Date, Field::Other(s("colour"))],
        });
        let bytes = encode(&catalog);
        assert_eq!(decode(&bytes), Some(catalog.clone()));
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        // Decoded on all cores past a few thousand entries, in order.
        let mut large = catalog.clone();
        while large.documents.len() < 10_000 {
            let mut e = catalog.documents[large.documents.len() % catalog.documents.len()].clone();
            e.id = format!("{}-{}", e.id, large.documents.len());
            large.documents.push(e);
        }
        let bytes = encode(&large);
        assert_eq!(decode(&bytes), Some(large));
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        assert_eq!(decode(b"[]"), None);
    }

    /// Extending a copy gives the bytes of encoding the whole catalog, at
    /// every split and whatever the new ids sort as.
    #[test]
    fn appending_gives_the_bytes_of_encoding_the_whole() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let bundled = Catalog::load(&dir).unwrap();
        let mut docs = bundled.documents.clone();
        // Ids that sort before, between, after and equal to the others.
        for (i, id) in ["aaa", "nt-2021-23", "zzz", "m", "aaa"].iter().enumerate() {
            let mut e = bundled.documents[i % bundled.documents.len()].clone();
            e.id = id.to_string();
            docs.push(e);
        }
        for split in 1..docs.len() {
            let head = Catalog {
                documents: docs[..split].to_vec(),
            };
            let whole = Catalog {
                documents: docs.clone(),
            };
            let old = encode(&head);
            let view = View::new(&old[..]).unwrap();
            let appended = encode_appended(&view, &docs[split..]).unwrap();
            assert!(appended == encode(&whole), "split at {split}");
        }
    }

    /// Every entry is found by its id, reading that entry only; an id not
    /// there is not found; a damaged entry is reported, not misread.
    #[test]
    fn looks_up_entries_by_id_in_place() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let seeds = super::super::Corpus::open(&dir).unwrap().catalog.clone();
        let mut catalog = Catalog::default();
        // Ids out of order, and one twice (the first is the one found).
        for k in (0..3000).rev() {
            let mut e = seeds.documents[k % seeds.documents.len()].clone();
            e.id = format!("{}-{k}", e.id);
            catalog.documents.push(e);
        }
        let mut twin = catalog.documents[17].clone();
        twin.title = "a second entry with the same id".to_string();
        catalog.documents.push(twin);
        let bytes = encode(&catalog);
        let view = View::new(&bytes[..]).unwrap();
        assert_eq!(view.len(), catalog.documents.len());
        for (i, e) in catalog.documents.iter().enumerate().take(3000) {
            assert_eq!(view.position(&e.id), Some(Some(i)), "{}", e.id);
            assert_eq!(view.entry(i).as_ref(), Some(e));
        }
        assert_eq!(view.position(&catalog.documents[17].id), Some(Some(17)));
        for absent in ["", "0", "zzz", &format!("{}x", catalog.documents[5].id)] {
            assert_eq!(view.position(absent), Some(None), "{absent}");
        }
        // A truncated file has no view; an entry overwritten in place is
        // found damaged when read.
        assert!(View::new(&bytes[..bytes.len() - 1]).is_none());
        let mut overwritten = bytes.clone();
        let end = overwritten.len();
        overwritten[end - 30..end - 10].fill(0xff);
        let view = View::new(&overwritten[..]).unwrap();
        let last = catalog.documents.len() - 1;
        assert_eq!(view.entry(last), None);
        assert_eq!(view.decode_all(), None);
    }

    /// The bundled corpus's entries, varied: ids (some twice), files in
    /// three directories, hashes (some shared), originals.
    fn varied(n: usize) -> Vec<Entry> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let seeds = Catalog::load(&dir).unwrap().documents;
        (0..n)
            .map(|k| {
                let mut e = seeds[k % seeds.len()].clone();
                if k % 13 != 0 {
                    e.id = format!("{}-{}", e.id, k);
                }
                if k % 7 == 3 {
                    e.file = format!("more/{}.txt", e.id);
                } else if k % 11 == 5 {
                    e.file = format!("{}.txt", e.id);
                }
                if k % 5 != 0 {
                    e.hash = format!("blake3:{k:064x}");
                }
                if k % 6 == 1 {
                    e.original = format!("originals/{}.pdf", e.id);
                }
                e
            })
            .collect()
    }

    /// Every lookup of `view` gives what a pass over `docs` (its entries
    /// decoded) gives.
    fn agrees<B: AsRef<[u8]> + Sync>(view: &View<B>, docs: &[Entry]) {
        assert_eq!(view.len(), docs.len());
        assert_eq!(view.decode_all().unwrap().documents, docs);
        for e in docs {
            let first = docs.iter().position(|d| d.id == e.id);
            assert_eq!(view.position(&e.id), Some(first), "{}", e.id);
            let first = docs.iter().position(|d| d.hash == e.hash);
            assert_eq!(view.with_hash(&e.hash), Some(first), "{}", e.hash);
        }
        assert_eq!(view.position("no-such-id"), Some(None));
        assert_eq!(view.with_hash("blake3:none"), Some(None));
        let originals: Vec<usize> = (0..docs.len())
            .filter(|i| !docs[*i].original.is_empty())
            .collect();
        assert_eq!(view.with_original(), Some(originals));
        let mut dirs: Vec<String> = docs.iter().map(|e| dir_of(&e.file).to_string()).collect();
        dirs.sort();
        dirs.dedup();
        assert_eq!(view.dirs(), Some(dirs));
        let prefixes = docs.iter().map(|e| e.id.as_str()).take(20);
        for prefix in prefixes.chain(["", "n", "nt-2021-23-1", "zzz"]) {
            let mut found = view.ids_starting(prefix).unwrap();
            found.sort();
            let mut want: Vec<&str> = docs
                .iter()
                .map(|e| e.id.as_str())
                .filter(|id| id.starts_with(prefix))
                .collect();
            want.sort();
            assert_eq!(found, want, "{prefix}");
        }
    }

    #[test]
    fn lookups_agree_with_the_decoded_entries() {
        for n in [0, 1, 5, 120, 600] {
            let docs = varied(n);
            let bytes = encode(&Catalog {
                documents: docs.clone(),
            });
            agrees(&View::new(&bytes[..]).unwrap(), &docs);
        }
    }

    /// A corpus directory whose catalog file changes size at each step,
    /// as `add` appends to it.
    struct Scratch {
        dir: tempfile::TempDir,
        step: usize,
    }

    impl Scratch {
        fn new() -> Scratch {
            Scratch {
                dir: tempfile::tempdir().unwrap(),
                step: 0,
            }
        }
        fn path(&self) -> &Path {
            self.dir.path()
        }
        /// The catalog file changed; its identity now.
        fn touch(&mut self) -> Sig {
            self.step += 1;
            std::fs::write(Catalog::path(self.path()), "#".repeat(self.step)).unwrap();
            Sig::of(&Catalog::path(self.path()))
        }
    }

    /// Records appended to the copy beside the catalog are read back with
    /// it, its lookups the same as the decoded entries'; written whole
    /// again from it, the bytes are those of encoding every entry.
    #[test]
    fn records_extend_the_copy_beside_the_catalog() {
        let docs = varied(300);
        let mut s = Scratch::new();
        let sig = s.touch();
        let head = Catalog {
            documents: docs[..200].to_vec(),
        };
        let mut at = write_beside(s.path(), sig, &head).unwrap();
        let (read, view) = read_beside(s.path()).unwrap();
        assert_eq!(read, sig);
        assert_eq!(view.beside(), Some(at));
        agrees(&view, &docs[..200]);
        for (from, to) in [(200, 201), (201, 260), (260, 300)] {
            let sig = s.touch();
            at = append_beside(s.path(), at, sig, &docs[from..to]).unwrap();
            let (read, view) = read_beside(s.path()).unwrap();
            assert_eq!(read, sig);
            assert_eq!(view.beside(), Some(at));
            agrees(&view, &docs[..to]);
        }
        // Past the bound of the records' entries: not appended.
        let sig = s.touch();
        let more = varied(TAIL_MAX_ENTRIES);
        assert_eq!(append_beside(s.path(), at, sig, &more), None);
        // Written whole from the copy with its records: the bytes of
        // encoding the whole catalog.
        let bytes = std::fs::read(s.path().join(BESIDE)).unwrap();
        let (view, _) = View::with_records(&bytes[BESIDE_HEAD..]).unwrap();
        let extra = varied(310)[300..].to_vec();
        let whole = Catalog {
            documents: [&docs[..], &extra].concat(),
        };
        assert!(encode_appended(&view, &extra).unwrap() == encode(&whole));
        let at = write_beside_appended(s.path(), sig, &view, &extra).unwrap();
        let (_, view) = read_beside(s.path()).unwrap();
        assert_eq!(view.beside(), Some(at));
        assert_eq!(at.records, 0);
        agrees(&view, &whole.documents);
    }

    /// A record cut short (a kill, a full disk) or damaged leaves the copy
    /// as of the catalog before it, which is not the file now: not read,
    /// and not extended. Another file in its place, or a second name for
    /// it, is not extended either.
    #[test]
    fn a_cut_or_damaged_record_is_never_read() {
        let docs = varied(40);
        let mut s = Scratch::new();
        let sig = s.touch();
        let at = write_beside(
            s.path(),
            sig,
            &Catalog {
                documents: docs[..30].to_vec(),
            },
        )
        .unwrap();
        let sig = s.touch();
        let after = append_beside(s.path(), at, sig, &docs[30..35]).unwrap();
        let file = s.path().join(BESIDE);
        let whole = std::fs::read(&file).unwrap();
        let sig = s.touch();
        let record = record(sig, &docs[35..]);
        for cut in [1, 12, record.len() / 2, record.len() - 1] {
            let mut bytes = whole.clone();
            bytes.extend(&record[..cut]);
            std::fs::write(&file, &bytes).unwrap();
            assert!(read_beside(s.path()).is_none(), "cut at {cut}");
            // Read as of the catalog before (what `beside_of` asks), it
            // holds the entries before and cannot be extended.
            let (view, last) = View::with_records(&bytes[BESIDE_HEAD..]).unwrap();
            assert!(view.torn);
            assert_eq!(view.len(), 35);
            assert_ne!(last, Some(sig));
        }
        let mut bytes = whole.clone();
        bytes.extend(&record);
        std::fs::write(&file, &bytes).unwrap();
        assert_eq!(read_beside(s.path()).unwrap().1.len(), 40);
        // One byte changed anywhere in the record: its sum disagrees.
        for at in [0, 5, 20, record.len() / 2, record.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[whole.len() + at] ^= 0x20;
            std::fs::write(&file, &damaged).unwrap();
            assert!(read_beside(s.path()).is_none(), "byte {at}");
        }
        // The file as `after` knew it, but longer, replaced or linked:
        // not extended in place.
        std::fs::write(&file, &bytes).unwrap();
        let sig2 = s.touch();
        assert_eq!(append_beside(s.path(), after, sig2, &docs[..1]), None);
        let fresh = write_beside(
            s.path(),
            sig2,
            &Catalog {
                documents: docs.clone(),
            },
        )
        .unwrap();
        std::fs::hard_link(&file, s.path().join("linked")).unwrap();
        let sig3 = s.touch();
        assert_eq!(append_beside(s.path(), fresh, sig3, &docs[..1]), None);
        std::fs::remove_file(s.path().join("linked")).unwrap();
        let extended = append_beside(s.path(), fresh, sig3, &docs[..1]).unwrap();
        assert_eq!(read_beside(s.path()).unwrap().1.beside(), Some(extended));
    }
}
