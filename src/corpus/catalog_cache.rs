//! The catalog as compact bytes, for the cache every command reads instead
//! of parsing `catalog.toml` (at 24,000 documents the JSON cache took 25 ms
//! to parse; this takes a few). Strings are a u32 length and UTF-8; lists a
//! u32 count. Entries are destructured field by field, so adding a field to
//! [`Entry`] or [`Implemented`] does not compile until it is encoded here.

use std::path::Path;

use super::catalog::{AsText, Catalog, Entry, Field};
use super::meta::Implemented;
use super::signals::Sig;
use super::values::nonblank;

/// The copy a writer leaves beside the catalog (see [`write_beside`]).
pub const BESIDE: &str = ".catalog.bin";
const BESIDE_MAGIC: &[u8] = b"policy-diff catalog beside 1\n";

/// Leave the catalog's compact bytes beside it in `corpus_dir`, keyed on
/// the identity of the catalog file it was saved as (`sig`: size, times,
/// inode): a writer that saved the catalog knows its entries without
/// parsing it again, and so does the next `add` or reader. A cache: not
/// synced, written whole under a temporary name and renamed; a stale or
/// damaged one is never read.
pub fn write_beside(corpus_dir: &Path, sig: Sig, catalog: &Catalog) {
    write_beside_encoded(corpus_dir, sig, &[&encode(catalog)]);
}

/// [`write_beside`] for the catalog of `old` (the copy beside the catalog
/// file as it was) with `new` appended: the old entries' bytes copied,
/// not encoded again.
pub fn write_beside_appended(corpus_dir: &Path, sig: Sig, old: &View<Mapped>, new: &[Entry]) {
    // Written from the old copy's mapping: its entries are not copied in
    // memory first.
    match appended_parts(old, new) {
        Some((head, old_body, new_body)) => {
            write_beside_encoded(corpus_dir, sig, &[&head, old_body, &new_body])
        }
        None => {
            let _ = std::fs::remove_file(corpus_dir.join(BESIDE));
        }
    }
}

/// The copy beside the catalog when the catalog file is still `sig` (the
/// file as a writer opened it), mapped.
pub fn beside_of(corpus_dir: &Path, sig: Sig) -> Option<View<Mapped>> {
    read_beside(corpus_dir)
        .filter(|(at, _)| *at == sig)
        .map(|(_, view)| view)
}

/// [`write_beside`] of encoded bytes given in pieces.
fn write_beside_encoded(corpus_dir: &Path, sig: Sig, encoded: &[&[u8]]) {
    let mut bytes = Vec::with_capacity(BESIDE_MAGIC.len() + 48);
    bytes.extend(BESIDE_MAGIC);
    bytes.extend(sig.size.to_le_bytes());
    bytes.extend(sig.mtime_ns.to_le_bytes());
    bytes.extend(sig.ctime_ns.to_le_bytes());
    bytes.extend(sig.ino.to_le_bytes());
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
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&path);
    }
}

/// The catalog left beside `catalog.toml` by [`write_beside`], if the
/// file is still the one it was saved as; with that file's identity. The
/// file is mapped, not read: entries are decoded when asked for.
pub fn read_beside(corpus_dir: &Path) -> Option<(Sig, View<Mapped>)> {
    const HEAD: usize = 8 + 16 + 16 + 8;
    let view = map(&corpus_dir.join(BESIDE), BESIDE_MAGIC.len() + HEAD)?;
    let head = view.bytes.map.get(..BESIDE_MAGIC.len() + HEAD)?;
    let head = head.strip_prefix(BESIDE_MAGIC)?;
    let sig = Sig {
        size: u64::from_le_bytes(head[..8].try_into().ok()?),
        mtime_ns: u128::from_le_bytes(head[8..24].try_into().ok()?),
        ctime_ns: u128::from_le_bytes(head[24..40].try_into().ok()?),
        ino: u64::from_le_bytes(head[40..48].try_into().ok()?),
    };
    let now = Sig::of(&Catalog::path(corpus_dir));
    if sig.mtime_ns == 0 || now != sig {
        return None;
    }
    Some((sig, view))
}

const MAGIC: &[u8] = b"policy-diff catalog 4\n";

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

impl In<'_> {
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
}

/// The catalog as bytes that can be read entry by entry ([`View`]): the
/// magic line, the number of entries `n` (u64), `n + 1` offsets (u64)
/// of each entry in the body and of its end, the `n` entry numbers in
/// the order of their ids (u32: a lookup by id is a binary search that
/// reads only the ids it probes), then the body, every entry as
/// [`entry`] reads it (its id first).
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
    let mut out = MAGIC.to_vec();
    out.reserve(8 + offsets.len() * 8 + order.len() * 4 + body.0.len());
    out.extend((docs.len() as u64).to_le_bytes());
    for o in offsets {
        out.extend(o.to_le_bytes());
    }
    for i in order {
        out.extend(i.to_le_bytes());
    }
    out.extend(body.0);
    out
}

/// [`encode`] of `old`'s entries followed by `new`, copying `old`'s
/// bytes: the entries' bytes and offsets as they are, the new ones after
/// them, and the id table merged (the same bytes as [`encode`] of the
/// whole catalog). `None` when `old`'s bytes are damaged.
#[cfg(test)]
pub fn encode_appended<B: AsRef<[u8]> + Sync>(old: &View<B>, new: &[Entry]) -> Option<Vec<u8>> {
    let (mut head, old_body, new_body) = appended_parts(old, new)?;
    head.extend(old_body);
    head.extend(new_body);
    Some(head)
}

/// The bytes of `old` with `new` appended in three pieces: the header and tables, `old`'s
/// entries (its own bytes) and the new entries.
fn appended_parts<'a, B: AsRef<[u8]> + Sync>(
    old: &'a View<B>,
    new: &[Entry],
) -> Option<(Vec<u8>, &'a [u8], Vec<u8>)> {
    let n0 = old.len();
    let n = n0 + new.len();
    let all = old.bytes.as_ref();
    let old_body = all.get(old.body_at..)?;
    let mut body = Out(Vec::new());
    let mut offsets = Vec::with_capacity(new.len());
    for e in new {
        offsets.push((old_body.len() + body.0.len()) as u64);
        put_entry(&mut body, e);
    }
    let order_at = |k: usize| -> Option<u32> {
        let b = all.get(old.order_at + 4 * k..old.order_at + 4 * k + 4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    };
    let id_of = |i: usize| -> Option<&[u8]> {
        let span = old.span(i)?;
        let len = u32::from_le_bytes(span.get(..4)?.try_into().ok()?) as usize;
        span.get(4..4 + len)
    };
    // Each new entry goes after every old entry whose id is not above its
    // own (old positions come first among equal ids), and after the new
    // entries before it with an id not above its own.
    let mut placed: Vec<(usize, &str, u32)> = Vec::with_capacity(new.len());
    for (k, e) in new.iter().enumerate() {
        let (mut lo, mut hi) = (0, n0);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if id_of(order_at(mid)? as usize)? <= e.id.as_bytes() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        placed.push((lo, e.id.as_str(), (n0 + k) as u32));
    }
    placed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
    let mut out = MAGIC.to_vec();
    out.reserve(8 + (n + 1) * 8 + n * 4);
    out.extend((n as u64).to_le_bytes());
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
        out.extend(order_at(k)?.to_le_bytes());
    }
    for (_, _, i) in next {
        out.extend(i.to_le_bytes());
    }
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
pub struct View<B> {
    bytes: B,
    n: usize,
    offsets_at: usize,
    order_at: usize,
    body_at: usize,
}

impl<B: AsRef<[u8]> + Sync> View<B> {
    /// The view of `bytes`, if their header is that of [`encode`]'s output.
    pub fn new(bytes: B) -> Option<View<B>> {
        let all = bytes.as_ref();
        let rest = all.strip_prefix(MAGIC)?;
        let n = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
        // An entry takes at least 68 bytes (17 lengths) and 12 of the
        // tables: a damaged count cannot point past the file.
        let n = usize::try_from(n).ok().filter(|n| *n <= all.len() / 80)?;
        let offsets_at = MAGIC.len() + 8;
        let order_at = offsets_at + 8 * (n + 1);
        let body_at = order_at + 4 * n;
        let view = View {
            bytes,
            n,
            offsets_at,
            order_at,
            body_at,
        };
        let body_len = view.bytes.as_ref().len().checked_sub(body_at)?;
        (view.offset(0)? == 0 && view.offset(n)? == body_len).then_some(view)
    }

    pub fn len(&self) -> usize {
        self.n
    }

    fn u64_at(&self, at: usize) -> Option<u64> {
        let b = self.bytes.as_ref().get(at..at + 8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    fn offset(&self, i: usize) -> Option<usize> {
        usize::try_from(self.u64_at(self.offsets_at + 8 * i)?).ok()
    }

    /// The bytes of entry `i`.
    fn span(&self, i: usize) -> Option<&[u8]> {
        if i >= self.n {
            return None;
        }
        let (a, b) = (self.offset(i)?, self.offset(i + 1)?);
        let (a, b) = (self.body_at.checked_add(a)?, self.body_at.checked_add(b)?);
        self.bytes.as_ref().get(a..b)
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
        let all = self.bytes.as_ref();
        let at = |k: usize| -> Option<usize> {
            let b = all.get(self.order_at + 4 * k..self.order_at + 4 * k + 4)?;
            Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
        };
        let id_of = |i: usize| -> Option<&[u8]> {
            let span = self.span(i)?;
            let n = u32::from_le_bytes(span.get(..4)?.try_into().ok()?) as usize;
            span.get(4..4 + n)
        };
        // The first k whose id is not below `id` (the table is sorted by
        // id, then position).
        let (mut lo, mut hi) = (0, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if id_of(at(mid)?)? < id.as_bytes() {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo == self.n {
            return Some(None);
        }
        let i = at(lo)?;
        Some((id_of(i)? == id.as_bytes()).then_some(i))
    }

    /// Every entry; on all cores past a few thousand. `None` if any is
    /// damaged.
    pub fn decode_all(&self) -> Option<Catalog> {
        const PARALLEL_FROM: usize = 4096;
        let documents = if self.n < PARALLEL_FROM {
            (0..self.n)
                .map(|i| self.entry(i))
                .collect::<Option<Vec<_>>>()?
        } else {
            use rayon::prelude::*;
            (0..self.n)
                .into_par_iter()
                .with_min_len(1024)
                .map(|i| self.entry(i))
                .collect::<Option<Vec<_>>>()?
        };
        Some(Catalog { documents })
    }
}

/// A file of [`encode`]d bytes after `skip` bytes, mapped into memory
/// (nothing is read until asked for). Files are only ever replaced by a
/// rename, never written in place, so the mapping stays the file it was.
pub struct Mapped {
    map: memmap2::Mmap,
    skip: usize,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        self.map.get(self.skip..).unwrap_or_default()
    }
}

/// The view of the file at `path` after `skip` bytes, mapped.
pub fn map(path: &Path, skip: usize) -> Option<View<Mapped>> {
    let file = std::fs::File::open(path).ok()?;
    if file.metadata().ok()?.len() <= skip as u64 {
        return None;
    }
    // SAFETY: the catalog caches are written whole under a temporary name
    // and renamed into place, never modified in place; a concurrent
    // rename leaves this mapping on the file as it was.
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    View::new(Mapped { map, skip })
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
}
