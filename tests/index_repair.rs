//! Repair of a damaged or untidy index directory, and the ordinal space
//! staying proportional to the texts indexed.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use policy_diff::corpus::{Corpus, Provision};
use policy_diff::index::{IndexDir, Options, Reader, SearchFilter, Topics};
use policy_diff::search::query::Query;

fn no_topics(_: &Provision) -> Vec<String> {
    vec![]
}

fn options() -> Options<'static> {
    Options {
        rebuild: false,
        progress: false,
        topics: Topics {
            version: "none".into(),
            classify: &no_topics,
        },
    }
}

fn phrase_hits(reader: &Reader, phrase: &str) -> BTreeSet<String> {
    let q = Query::Phrase(phrase.to_string());
    let r = reader
        .search(&q, &SearchFilter::default(), 100_000)
        .unwrap();
    assert_eq!(r.total, r.hits.len());
    r.hits.into_iter().map(|h| h.provision_id).collect()
}

/// A temp dir with `corpus/` holding the five seeds, added as a user would.
fn seeded_corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = dir.path().join("corpus");
    std::fs::create_dir(&corpus_dir).unwrap();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let seeds: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    let seeds: Vec<&Path> = seeds.iter().map(|p| p.as_path()).collect();
    assert!(c
        .add_texts(&seeds, &Default::default())
        .iter()
        .all(|r| r.is_ok()));
    (dir, corpus_dir)
}

/// Small updates (each one indexing a few documents on several threads)
/// number their texts without gaps: the ordinal space grows with the texts
/// indexed, not with the number of threads times a block.
#[test]
fn many_small_updates_keep_the_ordinal_space_small() {
    let (dir, corpus_dir) = seeded_corpus();
    let index = IndexDir::new(&dir.path().join("index"));
    let first = index
        .update(&Corpus::open(&corpus_dir).unwrap(), &options())
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
            .update(&Corpus::open(&corpus_dir).unwrap(), &options())
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
