//! The folded text of every indexed provision, in one append-only file per
//! generation (`texts.bin`), so that exact phrases are verified against the
//! very text the words were cut from.
//!
//! Each tantivy document records where its text lies (`text_at`, `text_len`
//! fast fields). The file only ever grows: an update appends the texts of
//! the documents it (re)indexes, syncs them, and only then commits the
//! tantivy documents that point at them. So every offset a committed
//! document holds is backed by bytes on disk, a reader that opens its
//! segments first and maps the file afterwards sees every text they refer
//! to, and a crash leaves at most some unreferenced bytes at the end. Texts
//! of removed or replaced documents stay behind until a rebuild writes a new
//! generation: `index --rebuild`, or an update once they outweigh the live
//! texts (see [`needs_compaction`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

pub const FILE: &str = "texts.bin";

/// Appends texts; shared by the indexing threads.
pub struct TextSink {
    path: PathBuf,
    inner: Mutex<SinkState>,
}

struct SinkState {
    writer: BufWriter<File>,
    /// The file's length including buffered bytes.
    len: u64,
    /// The first ordinal no thread has taken.
    free: u64,
    /// Below this, texts are numbered in append order whatever their thread
    /// (see [`Ordinals`]); from it on, in blocks of a thread's own.
    shared_end: u64,
    /// One past the highest ordinal given to a text.
    used: u32,
    /// A write failed (its kind and message): the length is unknown and
    /// nothing more is appended; every later call fails with the same
    /// error (the update fails before committing), so the cause is what
    /// the user is told, whichever thread reports first.
    failed: Option<(std::io::ErrorKind, String)>,
}

/// Where an appended text lies, and its ordinal (see [`chars`](super::chars)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub at: u64,
    pub ord: u32,
    /// Where the lead written just before the text lies (`at` when there is none).
    pub lead_at: u64,
}

/// The ordinals one indexing thread gives its texts: `next..end`, inside one
/// aligned block of [`ORDINAL_BLOCK`] of its own. Each thread numbers its
/// texts in increasing order and no two threads share a block, so every
/// thread's character bitmaps append in order and their containers (which
/// span 65,536 ordinals) never overlap: merging them moves containers
/// instead of holding two half-full copies of each.
///
/// The first block's worth of an update (from where the previous update
/// stopped up to the first block boundary at least [`ORDINAL_BLOCK`]
/// further on) is numbered in append order across all threads instead: an
/// update of fewer texts than a block leaves no ordinals unused (blocks of
/// its own for each thread would leave the rest of all but one behind, up
/// to a block per thread and update), and in a large build only the first
/// block's containers are shared between threads.
#[derive(Debug, Default)]
pub struct Ordinals {
    next: u32,
    end: u32,
}

/// Ordinals taken by a thread at a time (one roaring container).
pub const ORDINAL_BLOCK: u64 = 1 << 16;

impl TextSink {
    /// Open (creating it if needed) the text file of a generation for
    /// appending; ordinals are given from `next` on.
    pub fn open(gen_dir: &Path, next: u32) -> Result<TextSink> {
        let path = gen_dir.join(FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
            .len();
        Ok(TextSink {
            path,
            inner: Mutex::new(SinkState {
                writer: BufWriter::with_capacity(1 << 20, file),
                len,
                free: u64::from(next),
                shared_end: (u64::from(next) + ORDINAL_BLOCK).div_ceil(ORDINAL_BLOCK)
                    * ORDINAL_BLOCK,
                used: next,
                failed: None,
            }),
        })
    }

    /// Append `texts` (kept together), numbering them from `ords`, and
    /// return where each lies.
    #[cfg(test)]
    pub fn append<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
        ords: &mut Ordinals,
    ) -> Result<Vec<Placed>> {
        self.append_led(texts.into_iter().map(|t| ("", t)), ords)
    }

    /// Append `(lead, text)` pairs (kept together): each lead (bytes without
    /// an ordinal of their own, e.g. a heading the text does not start with)
    /// right before its text; texts are numbered from `ords`.
    pub fn append_led<'a>(
        &self,
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
        ords: &mut Ordinals,
    ) -> Result<Vec<Placed>> {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let s = &mut *guard;
        if let Some(e) = &s.failed {
            return Err(self.failure(e));
        }
        let mut placed = vec![];
        for (lead, t) in items {
            if ords.next == ords.end {
                // Shared numbering: a range of one; else a block of its own.
                let end = if s.free < s.shared_end {
                    s.free + 1
                } else {
                    (s.free / ORDINAL_BLOCK + 1) * ORDINAL_BLOCK
                };
                if end > u64::from(u32::MAX) {
                    s.failed = Some((
                        std::io::ErrorKind::Other,
                        format!("cannot number more than {} texts", u32::MAX),
                    ));
                    return Err(Error::index(format!(
                        "{} cannot number more than {} texts (run `policy-diff index --rebuild`)",
                        self.path.display(),
                        u32::MAX
                    )));
                }
                *ords = Ordinals {
                    next: s.free as u32,
                    end: end as u32,
                };
                s.free = end;
            }
            let lead_at = s.len;
            if let Err(e) = s
                .writer
                .write_all(lead.as_bytes())
                .and_then(|_| s.writer.write_all(t.as_bytes()))
            {
                let failed = (e.kind(), e.to_string());
                let err = self.failure(&failed);
                s.failed = Some(failed);
                return Err(err);
            }
            s.len += lead.len() as u64;
            placed.push(Placed {
                at: s.len,
                ord: ords.next,
                lead_at,
            });
            s.len += t.len() as u64;
            s.used = s.used.max(ords.next + 1);
            ords.next += 1;
        }
        Ok(placed)
    }

    /// The error of a failed write, as an I/O error naming the file.
    fn failure(&self, (kind, message): &(std::io::ErrorKind, String)) -> Error {
        Error::io(
            format!("writing {}", self.path.display()),
            std::io::Error::new(*kind, message.clone()),
        )
    }

    /// One past the highest ordinal given (where the next update starts).
    pub fn next_ordinal(&self) -> u32 {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).used
    }

    /// Flush and sync: call before committing documents that refer to the texts.
    /// The file's length, buffered bytes included.
    pub fn len(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).len
    }

    pub fn sync(&self) -> Result<()> {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = &guard.failed {
            return Err(self.failure(e));
        }
        let err = |e| Error::io(format!("writing {}", self.path.display()), e);
        guard.writer.flush().map_err(err)?;
        guard.writer.get_ref().sync_data().map_err(err)
    }
}

/// The text file mapped for reading.
pub struct TextStore {
    map: Option<memmap2::Mmap>,
    /// The same file, for [`read`](Self::read).
    file: Option<File>,
}

impl TextStore {
    pub fn open(gen_dir: &Path) -> Result<TextStore> {
        let path = gen_dir.join(FILE);
        let file =
            File::open(&path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
            .len();
        if len == 0 {
            return Ok(TextStore {
                map: None,
                file: None,
            });
        }
        // SAFETY: the file is only ever appended to (never truncated or
        // rewritten in place, see the module docs); a rebuild writes a new
        // generation and unlinks this one, which leaves the mapping valid.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| Error::io(format!("mapping {}", path.display()), e))?;
        Ok(TextStore {
            map: Some(map),
            file: Some(file),
        })
    }

    /// The text at `at..at + len` copied into `buf`, if the mapping holds
    /// it (the bytes [`get`](Self::get) would give). For texts read here
    /// and there, as a phrase's candidates are when few: a positioned read
    /// copies the text alone, where touching the mapping maps the 16 pages
    /// around it and unmaps them at exit (two thirds of 知识产权's CPU at x64,
    /// 25,237 matches of 4.4M texts). Where candidates are dense the
    /// mapping is cheaper: one fault serves several texts.
    ///
    /// `buf` only grows: what it held is overwritten, not zeroed first
    /// (x64 一级财政 7.5 -> 7.0 ms of CPU; BENCHMARKS.md, "Session 13").
    pub fn read<'b>(&self, at: u64, len: u64, buf: &'b mut Vec<u8>) -> Option<&'b [u8]> {
        use std::os::unix::fs::FileExt;
        let (Some(map), Some(file)) = (&self.map, &self.file) else {
            return None;
        };
        let fits = at
            .checked_add(len)
            .is_some_and(|end| end <= map.len() as u64);
        if !fits {
            return None;
        }
        let len = len as usize;
        if buf.len() < len {
            buf.resize(len, 0);
        }
        let out = &mut buf[..len];
        file.read_exact_at(out, at).ok()?;
        Some(out)
    }

    /// The text at `at..at + len`, if the file holds it.
    pub fn get(&self, at: u64, len: u64) -> Option<&[u8]> {
        let map = self.map.as_ref()?;
        let start = usize::try_from(at).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        map.get(start..end)
    }
}

/// Replaced texts tolerated before an update rebuilds the generation: more
/// than the live texts, and at least this much.
pub const REPLACED_SLACK: u64 = 64 << 20;

/// Should a generation whose text file is `file_len` bytes, `live` of them
/// referred to by live documents, be rebuilt to drop the rest?
pub fn needs_compaction(file_len: u64, live: u64) -> bool {
    let replaced = file_len.saturating_sub(live);
    replaced > live && replaced > REPLACED_SLACK
}

/// Size of the generation's text file (0 when missing).
pub fn file_len(gen_dir: &Path) -> u64 {
    std::fs::metadata(gen_dir.join(FILE))
        .map(|m| m.len())
        .unwrap_or(0)
}

/// Cut the generation's text file back to `committed` bytes, the length
/// the last commit recorded: bytes past it were appended by an update that
/// failed or was killed, and nothing refers to them. Only a writer (holding
/// `LOCK`) calls this; readers map the file but read only committed offsets.
/// Returns the bytes removed.
pub fn truncate_uncommitted(gen_dir: &Path, committed: u64) -> Result<u64> {
    let path = gen_dir.join(FILE);
    let len = file_len(gen_dir);
    if len <= committed {
        return Ok(0);
    }
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_len(committed).and_then(|_| f.sync_all()))
        .map_err(|e| Error::io(format!("truncating {}", path.display()), e))?;
    Ok(len - committed)
}

/// Does the generation have its text file?
pub fn exists(gen_dir: &Path) -> bool {
    gen_dir.join(FILE).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_cuts_what_a_failed_update_appended() {
        let dir = tempfile::tempdir().unwrap();
        let sink = TextSink::open(dir.path(), 0).unwrap();
        let placed = sink
            .append(["人才公寓", "土地出让"], &mut Ordinals::default())
            .unwrap();
        sink.sync().unwrap();
        let committed = sink.len();
        drop(sink);
        // A failed update's bytes, never committed.
        let sink = TextSink::open(dir.path(), 2).unwrap();
        sink.append(["半截"], &mut Ordinals::default()).unwrap();
        sink.sync().unwrap();
        drop(sink);
        assert_eq!(file_len(dir.path()), committed + "半截".len() as u64);
        assert_eq!(
            truncate_uncommitted(dir.path(), committed).unwrap(),
            "半截".len() as u64
        );
        assert_eq!(file_len(dir.path()), committed);
        assert_eq!(truncate_uncommitted(dir.path(), committed).unwrap(), 0);
        // The committed texts are intact; the next text starts where they end.
        let sink = TextSink::open(dir.path(), 2).unwrap();
        let next = sink.append(["财政"], &mut Ordinals::default()).unwrap();
        sink.sync().unwrap();
        assert_eq!(next[0].at, committed);
        let store = TextStore::open(dir.path()).unwrap();
        let p = &placed[1];
        assert_eq!(
            store.get(p.at, "土地出让".len() as u64),
            Some("土地出让".as_bytes())
        );
        assert_eq!(
            store.get(committed, "财政".len() as u64),
            Some("财政".as_bytes())
        );
    }

    #[test]
    fn appended_texts_read_back_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let sink = TextSink::open(dir.path(), 0).unwrap();
        let a = sink
            .append(["财政自主权", "人才"], &mut Ordinals::default())
            .unwrap();
        assert_eq!(sink.next_ordinal(), 2);
        sink.sync().unwrap();
        drop(sink);
        let sink = TextSink::open(dir.path(), 2).unwrap();
        let b = sink.append(["土地"], &mut Ordinals::default()).unwrap();
        sink.sync().unwrap();
        assert_eq!(
            (a[1].ord, b[0].ord, sink.next_ordinal()),
            (1, 2, 3),
            "ordinals continue across reopening"
        );
        let store = TextStore::open(dir.path()).unwrap();
        assert_eq!(store.get(a[0].at, 15), Some("财政自主权".as_bytes()));
        assert_eq!(store.get(a[1].at, 6), Some("人才".as_bytes()));
        assert_eq!(store.get(b[0].at, 6), Some("土地".as_bytes()));
        assert_eq!(store.get(b[0].at, 7), None, "past the end");
        assert_eq!(store.get(u64::MAX, 1), None);
        // A positioned read gives what the mapping holds, and nothing past
        // it, also into a buffer that held a longer text before.
        let mut buf = vec![];
        for (at, len) in [(a[0].at, 15), (a[1].at, 6), (b[0].at, 6), (b[0].at, 0)] {
            let read = store.read(at, len, &mut buf).map(<[u8]>::to_vec);
            assert_eq!(read.as_deref(), store.get(at, len));
        }
        assert_eq!(store.read(b[0].at, 7, &mut buf), None, "past the end");
        assert_eq!(store.read(u64::MAX, 1, &mut buf), None);
    }

    #[test]
    fn threads_share_the_first_block_then_number_in_blocks_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let sink = TextSink::open(dir.path(), 70_000).unwrap();
        let (mut x, mut y) = (Ordinals::default(), Ordinals::default());
        let ords = |v: Vec<Placed>| v.into_iter().map(|p| p.ord).collect::<Vec<_>>();
        // Up to the block boundary at least a block on (196,608): append order.
        assert_eq!(
            ords(sink.append(["a", "b"], &mut x).unwrap()),
            [70_000, 70_001]
        );
        assert_eq!(ords(sink.append(["c"], &mut y).unwrap()), [70_002]);
        assert_eq!(ords(sink.append(["d"], &mut x).unwrap()), [70_003]);
        assert_eq!(sink.next_ordinal(), 70_004, "no ordinal left unused");
        let many = vec!["t"; 196_608 - 70_004 - 1];
        sink.append(many, &mut x).unwrap();
        assert_eq!(ords(sink.append(["e"], &mut y).unwrap()), [196_607]);
        // Past it, each thread takes a block of its own.
        assert_eq!(
            ords(sink.append(["f", "g"], &mut x).unwrap()),
            [196_608, 196_609]
        );
        assert_eq!(ords(sink.append(["h"], &mut y).unwrap()), [262_144]);
        assert_eq!(ords(sink.append(["i"], &mut x).unwrap()), [196_610]);
        assert_eq!(sink.next_ordinal(), 262_145);
        // A thread whose block is used up takes the next free one.
        let mut z = Ordinals { next: 5, end: 5 };
        assert_eq!(ords(sink.append(["j"], &mut z).unwrap()), [327_680]);
    }

    #[test]
    fn a_fresh_generation_shares_only_its_first_block() {
        let dir = tempfile::tempdir().unwrap();
        let sink = TextSink::open(dir.path(), 0).unwrap();
        let (mut x, mut y) = (Ordinals::default(), Ordinals::default());
        sink.append(vec!["t"; 65_535], &mut x).unwrap();
        let ords = |v: Vec<Placed>| v.into_iter().map(|p| p.ord).collect::<Vec<_>>();
        assert_eq!(ords(sink.append(["a"], &mut y).unwrap()), [65_535]);
        assert_eq!(ords(sink.append(["b"], &mut y).unwrap()), [65_536]);
        assert_eq!(ords(sink.append(["c"], &mut x).unwrap()), [131_072]);
    }

    #[test]
    fn compaction_waits_for_more_replaced_than_live_text_and_the_slack() {
        let mb = 1 << 20;
        assert!(!needs_compaction(0, 0));
        assert!(
            !needs_compaction(100 * mb, 60 * mb),
            "40 MB replaced < 60 live"
        );
        assert!(!needs_compaction(60 * mb, 1), "under the slack");
        assert!(needs_compaction(200 * mb, 60 * mb));
        assert!(
            !needs_compaction(60 * mb, 100 * mb),
            "file shorter than live: no"
        );
    }
}
