//! Search: the phrase contract, ranking, filters, incremental indexing.

mod common;

use std::collections::BTreeSet;

use common::*;
use policy_diff::corpus::{Corpus, Provision};
use policy_diff::index::{IndexDir, Reader, SearchFilter};
use policy_diff::query::{parse, Query};
use policy_diff::text::{fold, segment};

fn indexed_seeds() -> (tempfile::TempDir, Reader, Vec<Provision>) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    let summary = IndexDir::new(dir.path())
        .update(&corpus, &index_options(false))
        .unwrap();
    assert_eq!(summary.added, 5);
    let provisions: Vec<Provision> = corpus
        .documents()
        .unwrap()
        .into_iter()
        .flat_map(|d| d.provisions)
        .collect();
    // The summary counts substantive provisions (as `docs`); the index
    // holds the front matter too.
    let substantive = provisions.iter().filter(|p| p.is_substantive()).count();
    assert!(substantive < provisions.len());
    assert_eq!(summary.provisions, substantive);
    let reader = IndexDir::new(dir.path()).reader().unwrap();
    assert_eq!(reader.num_provisions() as usize, provisions.len());
    (dir, reader, provisions)
}

fn phrase_hits(reader: &Reader, phrase: &str) -> (usize, BTreeSet<String>) {
    let q = Query::Phrase(phrase.to_string());
    let r = reader
        .search(&q, &SearchFilter::default(), 100_000)
        .unwrap();
    (
        r.total,
        r.hits.into_iter().map(|h| h.provision_id).collect(),
    )
}

#[test]
fn phrase_contract_on_random_substrings() {
    let (_dir, reader, provisions) = indexed_seeds();
    let folded: Vec<(String, String)> = provisions
        .iter()
        .map(|p| (p.id.clone(), fold(&p.text)))
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut samples: Vec<String> = vec![];
    // Random substrings of 2..=12 characters.
    while samples.len() < 900 {
        let p = &provisions[rng.below(provisions.len())];
        let chars: Vec<char> = p.text.chars().collect();
        if chars.len() < 12 {
            continue;
        }
        let len = 2 + rng.below(11);
        let start = rng.below(chars.len() - len);
        samples.push(chars[start..start + len].iter().collect());
    }
    // Substrings that start or end inside a jieba word.
    let mut straddling = 0;
    while straddling < 100 {
        let p = &provisions[rng.below(provisions.len())];
        let f = fold(&p.text);
        let words = segment::words(&f);
        let Some(w) = words.get(rng.below(words.len().max(1))) else {
            continue;
        };
        if w.text.chars().count() < 2 {
            continue;
        }
        let inner = w.start + w.text.chars().next().unwrap().len_utf8();
        let tail: String = f[inner..].chars().take(2 + rng.below(8)).collect();
        if tail.chars().count() >= 2 {
            samples.push(tail);
            straddling += 1;
        }
    }
    // Frequent phrases.
    samples.extend(
        [
            "开发区",
            "的",
            "发展",
            "责任单位",
            "“十四五”",
            "2022年",
            "高新区",
            "（一）",
        ]
        .map(String::from),
    );
    let mut checked = 0;
    for s in &samples {
        let fq = fold(s);
        if fq.trim().is_empty() || s.contains('"') {
            continue;
        }
        let expected: BTreeSet<String> = folded
            .iter()
            .filter(|(_, t)| t.contains(&fq))
            .map(|(id, _)| id.clone())
            .collect();
        assert!(!expected.is_empty(), "{s:?} was drawn from the corpus");
        let (total, got) = phrase_hits(&reader, s);
        assert_eq!(got, expected, "phrase {s:?} (folded {fq:?})");
        assert_eq!(total, expected.len(), "total for {s:?}");
        checked += 1;
    }
    assert!(checked >= 1000, "checked {checked} phrases");
}

#[test]
fn fiscal_autonomy_ranks_the_two_fiscal_measures_first() {
    let (_dir, reader, _) = indexed_seeds();
    let r = reader
        .search(&parse("财政自主权").unwrap(), &SearchFilter::default(), 20)
        .unwrap();
    let top: BTreeSet<&str> = r.hits.iter().take(2).map(|h| h.heading.as_str()).collect();
    assert_eq!(
        top,
        BTreeSet::from(["5. 加大财政政策支持力度", "（三）强化财政金融支持"])
    );
    // Everything else that mentions 财政 ranks below them (or does not match).
    let fiscal = reader
        .search(
            &parse("财政 OR 财政自主权").unwrap(),
            &SearchFilter::default(),
            50,
        )
        .unwrap();
    assert!(fiscal.total > 5);
    let pos = |h: &str| fiscal.hits.iter().position(|x| x.heading == h).unwrap();
    assert!(
        pos("5. 加大财政政策支持力度") < 2 && pos("（三）强化财政金融支持") < 2,
        "{:?}",
        fiscal.hits.iter().map(|h| &h.heading).collect::<Vec<_>>()
    );
}

#[test]
fn heading_matches_outrank_passing_mentions() {
    let (_dir, reader, _) = indexed_seeds();
    let r = reader
        .search(&parse("人才").unwrap(), &SearchFilter::default(), 5)
        .unwrap();
    assert!(r.total > 20);
    for h in r.hits.iter().take(3) {
        assert!(
            h.heading.contains("人才") || h.path.iter().any(|p| p.contains("人才")),
            "top hit without 人才 in its heading: {}",
            h.heading
        );
    }
}

#[test]
fn boolean_operators() {
    let (_dir, reader, provisions) = indexed_seeds();
    let count = |q: &str| {
        reader
            .search(&parse(q).unwrap(), &SearchFilter::default(), 10_000)
            .unwrap()
            .total
    };
    let has = |p: &Provision, s: &str| fold(&p.text).contains(&fold(s));
    let brute = |f: &dyn Fn(&Provision) -> bool| provisions.iter().filter(|p| f(p)).count();
    assert_eq!(
        count("\"人才\" AND \"土地\""),
        brute(&|p| has(p, "人才") && has(p, "土地"))
    );
    assert_eq!(
        count("\"人才\" \"土地\""),
        brute(&|p| has(p, "人才") && has(p, "土地"))
    );
    assert_eq!(
        count("\"人才\" OR \"土地\""),
        brute(&|p| has(p, "人才") || has(p, "土地"))
    );
    assert_eq!(
        count("\"人才\" -\"土地\""),
        brute(&|p| has(p, "人才") && !has(p, "土地"))
    );
    assert_eq!(
        count("\"人才\" NOT (\"土地\" OR \"金融\")"),
        brute(&|p| has(p, "人才") && !has(p, "土地") && !has(p, "金融"))
    );
    assert_eq!(count("NOT \"开发区\""), brute(&|p| !has(p, "开发区")));
}

#[test]
fn words_match_verbatim_even_when_segmented_differently() {
    let (_dir, reader, provisions) = indexed_seeds();
    // Unquoted words never miss a verbatim occurrence.
    for w in [
        "人才公寓",
        "亩均税收",
        "容积率",
        "财政自主权",
        "一级财政",
        "低效用地",
    ] {
        let expected = provisions
            .iter()
            .filter(|p| fold(&p.text).contains(w))
            .count();
        let r = reader
            .search(&parse(w).unwrap(), &SearchFilter::default(), 10_000)
            .unwrap();
        assert!(r.total >= expected, "{w}: {} < {expected}", r.total);
        assert!(expected > 0 || w == "人才公寓", "{w} occurs in the seeds");
    }
}

#[test]
fn incremental_update_touches_only_what_changed() {
    let (dir, corpus_dir) = seeded_corpus();
    let c = Corpus::open(&corpus_dir).unwrap();
    let index = IndexDir::new(&dir.path().join("index"));
    let first = index.update(&c, &index_options(false)).unwrap();
    assert_eq!((first.added, first.updated, first.removed), (5, 0, 0));
    let (live, file) = index.text_bytes().unwrap().unwrap();
    assert_eq!(live, file, "a fresh text file holds only live texts");
    assert!(live > 200_000, "{live}");
    // Nothing changed: nothing indexed.
    let again = index.update(&c, &index_options(false)).unwrap();
    assert_eq!(
        (
            again.added,
            again.updated,
            again.unchanged,
            again.indexed_provisions
        ),
        (0, 0, 5, 0)
    );
    let (_, before) = phrase_hits(&index.reader().unwrap(), "集聚高水平人才。");
    assert!(before.iter().any(|id| id.starts_with("nt-2021-23:")));
    // Change one document's text.
    let entry = c.entry("nt-2021-23").unwrap().clone();
    let path = c.file_path(&entry);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("集聚高水平人才", "集聚高水平人才和青年英才");
    std::fs::write(&path, text).unwrap();
    let c = Corpus::open(&corpus_dir).unwrap();
    assert!(index.staleness(&c, "none").unwrap().is_some());
    let changed = index.update(&c, &index_options(false)).unwrap();
    assert_eq!(
        (
            changed.added,
            changed.updated,
            changed.removed,
            changed.unchanged
        ),
        (0, 1, 0, 4)
    );
    let reader = index.reader().unwrap();
    let (n, ids) = phrase_hits(&reader, "青年英才");
    assert_eq!(n, 1);
    assert!(ids.iter().next().unwrap().starts_with("nt-2021-23:"));
    // Phrases straddling the edit are checked against the new text, not
    // the old one the text file still holds (texts are only appended).
    assert_eq!(phrase_hits(&reader, "人才和青年").0, 1);
    let (_, old) = phrase_hits(&reader, "集聚高水平人才。");
    assert!(
        old.iter().all(|id| !id.starts_with("nt-2021-23:")),
        "{old:?}"
    );
    // The provision count stayed right (old provisions of that document were deleted).
    let all: usize = c
        .documents()
        .unwrap()
        .iter()
        .map(|d| d.provisions.len())
        .sum();
    assert_eq!(reader.num_provisions() as usize, all);
    assert_eq!(changed.provisions, first.provisions);
    // The old texts of that document stay in the file until a rebuild.
    let (live2, file2) = index.text_bytes().unwrap().unwrap();
    assert!(live2 > live && live2 - live < 100, "{live} -> {live2}");
    assert!(
        file2 - live2 > 20_000,
        "old texts of nt-2021-23: {}",
        file2 - live2
    );
    // A rebuild starts from nothing and gives the same answers.
    let rebuilt = index.update(&c, &index_options(true)).unwrap();
    assert_eq!(rebuilt.added, 5);
    assert_eq!(index.text_bytes().unwrap(), Some((live2, live2)));
    assert_eq!(phrase_hits(&index.reader().unwrap(), "青年英才").0, 1);
}

/// The character postings files of the live generation of `index_dir`.
fn chunk_files(index_dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(generation(index_dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("chars-"))
        .collect();
    names.sort();
    names
}

#[test]
fn many_small_updates_keep_phrases_exact_and_the_postings_few() {
    let (dir, corpus_dir) = seeded_corpus();
    let (index_dir, index) = indexed(dir.path(), &corpus_dir);
    assert_eq!(chunk_files(&index_dir).len(), 1);
    // A file a crashed update left behind.
    let orphan = generation(&index_dir).join("chars-0000999999-0001000000.bin");
    std::fs::write(&orphan, b"left by a crash").unwrap();
    let c = Corpus::open(&corpus_dir).unwrap();
    let path = c.file_path(c.entry("nt-2021-23").unwrap());
    let original = std::fs::read_to_string(&path).unwrap();
    for k in 0..12 {
        // Each edit adds one update's worth of texts (and postings).
        let marker = format!("第{k}号试验标记");
        std::fs::write(
            &path,
            original.replace("集聚高水平人才", &format!("集聚高水平人才{marker}")),
        )
        .unwrap();
        let c = Corpus::open(&corpus_dir).unwrap();
        let s = index.update(&c, &index_options(false)).unwrap();
        assert_eq!((s.updated, s.unchanged), (1, 4), "edit {k}");
        let reader = index.reader().unwrap();
        assert_eq!(phrase_hits(&reader, &marker).0, 1, "edit {k}");
        if k > 0 {
            let before = format!("第{}号试验标记", k - 1);
            assert_eq!(phrase_hits(&reader, &before).0, 0, "edit {k}");
        }
    }
    assert!(!orphan.exists(), "an update removes unreferenced chunks");
    // Without merging there would be 13 chunks.
    let files = chunk_files(&index_dir);
    assert!(files.len() <= 9, "{files:?}");
    // Every phrase still finds exactly the provisions holding it.
    let c = Corpus::open(&corpus_dir).unwrap();
    let provisions: Vec<Provision> = c
        .documents()
        .unwrap()
        .into_iter()
        .flat_map(|d| d.provisions)
        .collect();
    let folded: Vec<(String, String)> = provisions
        .iter()
        .map(|p| (p.id.clone(), fold(&p.text)))
        .collect();
    let reader = index.reader().unwrap();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut checked = 0;
    while checked < 200 {
        let (_, t) = &folded[rng.below(folded.len())];
        let chars: Vec<char> = t.chars().collect();
        if chars.len() < 8 {
            continue;
        }
        let len = 2 + rng.below(6);
        let start = rng.below(chars.len() - len);
        let s: String = chars[start..start + len].iter().collect();
        if s.trim() != s || s.contains('"') {
            continue;
        }
        let expected: BTreeSet<String> = folded
            .iter()
            .filter(|(_, t)| t.contains(&s))
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(phrase_hits(&reader, &s).1, expected, "phrase {s:?}");
        checked += 1;
    }
}

#[test]
fn a_generation_missing_its_states_or_texts_is_rebuilt() {
    for victim in ["states-", "texts.bin", "chars-"] {
        let dir = tempfile::tempdir().unwrap();
        let corpus = corpus();
        let index = IndexDir::new(dir.path());
        index.update(&corpus, &index_options(false)).unwrap();
        assert_eq!(index.staleness(&corpus, "none").unwrap(), None);
        let gen = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("gen-"))
            .unwrap();
        let file = std::fs::read_dir(&gen)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(victim))
            .unwrap_or_else(|| panic!("no {victim} file in {}", gen.display()));
        std::fs::remove_file(&file).unwrap();
        assert!(
            index.staleness(&corpus, "none").unwrap().is_some(),
            "{victim}"
        );
        let again = index.update(&corpus, &index_options(false)).unwrap();
        assert!(again.rebuilt.is_some(), "{victim}: {again:?}");
        assert_eq!(again.added, 5);
        let (n, _) = phrase_hits(&index.reader().unwrap(), "财政自主权");
        assert!(n >= 2, "{victim}: {n}");
    }
}

/// The states file is read only when needed (its length is checked when
/// the generation opens): one overwritten in place, same length, is found
/// by the thorough check and by the next update, which rebuilds.
#[test]
fn a_states_file_damaged_in_place_is_found_when_read() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    let index = IndexDir::new(dir.path());
    index.update(&corpus, &index_options(false)).unwrap();
    let gen = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("gen-"))
        .unwrap();
    let file = std::fs::read_dir(&gen)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("states-")
        })
        .unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let half = bytes.len() / 2;
    bytes[half..].fill(0xff);
    std::fs::write(&file, &bytes).unwrap();
    assert!(index.staleness(&corpus, "none").unwrap().is_some());
    let again = index.update(&corpus, &index_options(false)).unwrap();
    assert!(
        again
            .rebuilt
            .as_deref()
            .is_some_and(|r| r.contains("states-")),
        "{again:?}"
    );
    assert_eq!(again.added, 5);
    assert_eq!(index.staleness(&corpus, "none").unwrap(), None);
    let (n, _) = phrase_hits(&index.reader().unwrap(), "财政自主权");
    assert!(n >= 2, "{n}");
}

#[test]
fn the_cheap_freshness_check_passes_an_untouched_corpus_and_catches_a_touched_file() {
    let (dir, corpus_dir) = seeded_corpus();
    let c = Corpus::open(&corpus_dir).unwrap();
    let index = IndexDir::new(&dir.path().join("index"));
    index.update(&c, &index_options(false)).unwrap();
    let payload = index.reader().unwrap().payload;
    // The fast path (no hashing, no plan) is taken when nothing changed...
    assert!(policy_diff::index::state::unchanged(&c, &payload));
    // ...and not when a document file was rewritten with the same bytes.
    let entry = c.entry("nt-2021-23").unwrap().clone();
    let path = c.file_path(&entry);
    let bytes = std::fs::read(&path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&path, &bytes).unwrap();
    assert!(!policy_diff::index::state::unchanged(&c, &payload));
    // Same content: nothing is re-indexed, but the new stamps are recorded
    // so that the next check is cheap again.
    assert!(index.staleness(&c, "none").unwrap().is_some());
    let s = index.update(&c, &index_options(false)).unwrap();
    assert_eq!((s.added, s.updated, s.indexed_provisions), (0, 0, 0));
    let payload = index.reader().unwrap().payload;
    assert!(policy_diff::index::state::unchanged(&c, &payload));
    assert_eq!(index.staleness(&c, "none").unwrap(), None);
}
