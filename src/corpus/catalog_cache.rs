//! The catalog as compact bytes, for the cache every command reads instead
//! of parsing `catalog.toml` (at 24,000 documents the JSON cache took 25 ms
//! to parse; this takes a few). Strings are a u32 length and UTF-8; lists a
//! u32 count. Entries are destructured field by field, so adding a field to
//! [`Entry`] or [`Implemented`] does not compile until it is encoded here.

use std::path::Path;

use super::catalog::{Catalog, Entry};
use super::meta::Implemented;
use super::signals::Sig;

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
    let mut bytes = BESIDE_MAGIC.to_vec();
    bytes.extend(sig.size.to_le_bytes());
    bytes.extend(sig.mtime_ns.to_le_bytes());
    bytes.extend(sig.ctime_ns.to_le_bytes());
    bytes.extend(sig.ino.to_le_bytes());
    bytes.extend(encode(catalog));
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
            tmp.persist(&path).map_err(|e| e.error)
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&path);
    }
}

/// The catalog left beside `catalog.toml` by [`write_beside`], if the
/// file is still the one it was saved as; with that file's identity.
pub fn read_beside(corpus_dir: &Path) -> Option<(Sig, Catalog)> {
    let bytes = std::fs::read(corpus_dir.join(BESIDE)).ok()?;
    let rest = bytes.strip_prefix(BESIDE_MAGIC)?;
    let (head, body) = rest.split_at_checked(8 + 16 + 16 + 8)?;
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
    Some((sig, decode(body)?))
}

const MAGIC: &[u8] = b"policy-diff catalog 3\n";

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

pub fn encode(catalog: &Catalog) -> Vec<u8> {
    let mut o = Out(MAGIC.to_vec());
    o.len(catalog.documents.len());
    for e in &catalog.documents {
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
            o.str(m);
        }
    }
    o.0
}

/// The inverse of [`encode`]; `None` for anything else. Large catalogs
/// are decoded on all cores: one pass finds where each entry starts (no
/// allocation), then the entries are decoded in parallel.
pub fn decode(bytes: &[u8]) -> Option<Catalog> {
    let mut i = In(bytes.strip_prefix(MAGIC)?);
    let n = i.len()?;
    const PARALLEL_FROM: usize = 4096;
    if n < PARALLEL_FROM {
        // An entry takes at least 64 bytes (16 lengths): a damaged count
        // cannot reserve more than the file could hold.
        let mut documents = Vec::with_capacity(n.min(bytes.len() / 64));
        for _ in 0..n {
            documents.push(entry(&mut i)?);
        }
        return i.0.is_empty().then_some(Catalog { documents });
    }
    let body = i.0;
    let mut starts = Vec::with_capacity(n.min(bytes.len() / 64) + 1);
    for _ in 0..n {
        starts.push(body.len() - i.0.len());
        skip(&mut i)?;
    }
    if !i.0.is_empty() {
        return None;
    }
    starts.push(body.len());
    use rayon::prelude::*;
    let documents: Option<Vec<Entry>> = starts
        .par_windows(2)
        .with_min_len(1024)
        .map(|w| entry(&mut In(&body[w[0]..w[1]])))
        .collect();
    Some(Catalog {
        documents: documents?,
    })
}

/// One entry as [`encode`] writes it.
fn entry(i: &mut In) -> Option<Entry> {
    let mut e = Entry {
        id: i.str()?,
        file: i.str()?,
        hash: i.str()?,
        title: i.str()?,
        jurisdiction: i.str()?,
        level: i.str()?,
        issuer: i.str()?,
        doc_number: i.str()?,
        date: i.str()?,
        adopted: i.str()?,
        amended: i.str()?,
        kind: i.str()?,
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
        e.manual.push(i.str()?);
    }
    Some(e)
}

/// Step over one entry (the layout [`entry`] reads), allocating nothing.
fn skip(i: &mut In) -> Option<()> {
    let bytes = |i: &mut In| -> Option<()> {
        let n = i.len()?;
        i.0 = i.0.get(n..)?;
        Some(())
    };
    for _ in 0..15 {
        bytes(i)?;
    }
    for _ in 0..i.len()? {
        bytes(i)?;
        let (flag, tail) = i.0.split_first()?;
        i.0 = tail;
        match flag {
            0 => {}
            1 => bytes(i)?,
            _ => return None,
        }
    }
    for _ in 0..i.len()? {
        bytes(i)?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_bundled_catalog_and_a_full_entry() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut catalog = super::super::Corpus::open(&dir).unwrap().catalog;
        assert!(!catalog.documents.is_empty());
        let s = |x: &str| x.to_string();
        catalog.documents.push(Entry {
            id: s("a"),
            file: s("docs/a.txt"),
            hash: s("blake3:00"),
            title: s("关于印发《某某》的通知"),
            jurisdiction: s("南通市"),
            level: s("city"),
            issuer: s("南通市人民政府"),
            doc_number: s("通政发〔2021〕23号"),
            date: s("2021-09"),
            adopted: s("2000-09-08"),
            amended: s("2015-05-29"),
            kind: s("opinion"),
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
            manual: vec![s("level"), s("date")],
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
}
