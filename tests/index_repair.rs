//! Repair of a damaged or untidy index directory, and the ordinal space
//! staying proportional to the texts indexed.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use policy_diff::corpus::Corpus;
use policy_diff::index::{IndexDir, Options, Reader, SearchFilter};
use policy_diff::query::Query;

fn phrase_hits(reader: &Reader, phrase: &str) -> BTreeSet<String> {
    let q = Query::Phrase(phrase.to_string());
    let r = reader
        .search(&q, &SearchFilter::default(), 100_000)
        .unwrap();
    assert_eq!(r.total, r.hits.len());
    r.hits.into_iter().map(|h| h.provision_id).collect()
}

/// The live generation directory of `index_dir`.
fn live_generation(index_dir: &Path) -> PathBuf {
    let gen = std::fs::read_to_string(index_dir.join("CURRENT")).unwrap();
    index_dir.join(gen.trim())
}

/// The files of `dir` whose names start with `prefix`.
fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    v.sort();
    v
}

#[test]
fn a_truncated_or_overwritten_chunk_is_noticed_and_rebuilt() {
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 3] = [
        ("truncated to half", |p| {
            let bytes = std::fs::read(p).unwrap();
            std::fs::write(p, &bytes[..bytes.len() / 2]).unwrap();
        }),
        ("header overwritten", |p| {
            let mut bytes = std::fs::read(p).unwrap();
            bytes[..8].copy_from_slice(b"garbage!");
            std::fs::write(p, bytes).unwrap();
        }),
        ("directory overwritten", |p| {
            // The first directory entry's offset pushed past the end.
            let mut bytes = std::fs::read(p).unwrap();
            let at = b"policy-diff chars 2\n".len() + 12 + 8;
            bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
            std::fs::write(p, bytes).unwrap();
        }),
    ];
    for (what, damage) in damages {
        let dir = tempfile::tempdir().unwrap();
        let corpus = corpus();
        let index = IndexDir::new(dir.path());
        index.update(&corpus, &index_options(false)).unwrap();
        let expected = phrase_hits(&index.reader().unwrap(), "财政自主权");
        assert!(expected.len() >= 2, "{expected:?}");
        let chunks = files_starting(&live_generation(dir.path()), "chars-");
        assert_eq!(chunks.len(), 1, "{chunks:?}");
        damage(&chunks[0]);
        let reason = index.staleness(&corpus, "none").unwrap();
        assert!(
            reason.as_deref().is_some_and(|r| r.contains("damaged")),
            "{what}: {reason:?}"
        );
        let e = index.reader().err().expect("no reader on a damaged index");
        assert!(e.to_string().contains("policy-diff index"), "{what}: {e}");
        let again = index.update(&corpus, &index_options(false)).unwrap();
        assert!(
            again
                .rebuilt
                .as_deref()
                .is_some_and(|r| r.contains("damaged")),
            "{what}: {again:?}"
        );
        assert_eq!(again.added, 5, "{what}");
        assert_eq!(index.staleness(&corpus, "none").unwrap(), None, "{what}");
        assert_eq!(
            phrase_hits(&index.reader().unwrap(), "财政自主权"),
            expected,
            "{what}"
        );
    }
}

/// Small updates (each one indexing a few documents on several threads)
/// number their texts without gaps: the ordinal space grows with the texts
/// indexed, not with the number of threads times a block.
#[test]
fn many_small_updates_keep_the_ordinal_space_small() {
    let (dir, corpus_dir) = seeded_corpus();
    let index = IndexDir::new(&dir.path().join("index"));
    let first = index
        .update(&Corpus::open(&corpus_dir).unwrap(), &index_options(false))
        .unwrap();
    let mut indexed = first.indexed_provisions as u64;
    let c = Corpus::open(&corpus_dir).unwrap();
    let edited: Vec<(PathBuf, String)> = c
        .catalog
        .documents
        .iter()
        .take(3)
        .map(|e| {
            let path = c.file_path(e);
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect();
    for k in 0..10 {
        let marker = format!("第{k}号试验标记");
        for (path, original) in &edited {
            std::fs::write(path, original.replacen('。', &format!("{marker}。"), 1)).unwrap();
        }
        let s = index
            .update(&Corpus::open(&corpus_dir).unwrap(), &index_options(false))
            .unwrap();
        assert_eq!((s.updated, s.rebuilt.as_deref()), (3, None), "edit {k}");
        indexed += s.indexed_provisions as u64;
        let reader = index.reader().unwrap();
        assert_eq!(phrase_hits(&reader, &marker).len(), 3, "edit {k}");
        let next = u64::from(reader.payload.chars.last().unwrap().end);
        assert_eq!(
            next, indexed,
            "edit {k}: the texts of small updates are numbered without gaps"
        );
    }
}

#[test]
fn temporary_files_of_a_killed_writer_are_removed_by_the_next_update() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    let index = IndexDir::new(dir.path());
    index.update(&corpus, &index_options(false)).unwrap();
    let gen = live_generation(dir.path());
    let leftovers = [
        gen.join("chars-Ab12Cd.tmp"),
        gen.join("states-Ab12Cd.tmp"),
        dir.path().join("CURRENT.Ab12Cd.tmp"),
    ];
    for p in &leftovers {
        std::fs::write(p, b"left by a killed writer").unwrap();
    }
    // Files that are not a writer's temporary files stay.
    let foreign = [gen.join("notes.tmp"), dir.path().join("catalog-x.tmp")];
    for p in &foreign {
        std::fs::write(p, b"not ours").unwrap();
    }
    let s = index.update(&corpus, &index_options(false)).unwrap();
    assert_eq!((s.unchanged, s.rebuilt), (5, None));
    for p in &leftovers {
        assert!(!p.exists(), "{} was left", p.display());
    }
    for p in &foreign {
        assert!(p.exists(), "{} was removed", p.display());
    }
    // The temporary files an update writes itself are named so.
    assert_eq!(
        files_starting(&gen, "chars-")
            .iter()
            .chain(&files_starting(&gen, "states-"))
            .filter(|p| !p.to_string_lossy().ends_with(".bin"))
            .count(),
        0
    );
    assert!(!phrase_hits(&index.reader().unwrap(), "财政自主权").is_empty());
}

/// Readers opening the index while rebuilds switch generations (removing
/// the old one right after the switch) always get a working reader.
#[test]
fn readers_racing_rebuilds_open_the_new_generation() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    let index = IndexDir::new(dir.path());
    index.update(&corpus, &index_options(false)).unwrap();
    let expected = phrase_hits(&index.reader().unwrap(), "财政自主权");
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let rebuild = Options {
                rebuild: true,
                ..index_options(false)
            };
            for _ in 0..6 {
                IndexDir::new(dir.path()).update(&corpus, &rebuild).unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut opened = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let reader = IndexDir::new(dir.path())
                .reader()
                .unwrap_or_else(|e| panic!("after {opened} readers: {e}"));
            assert_eq!(phrase_hits(&reader, "财政自主权"), expected);
            opened += 1;
        }
        assert!(opened > 0);
    });
}
