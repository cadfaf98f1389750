//! The segments' ordinal maps (`ords-<segment>.bin`, src/index/ordmap.rs):
//! one per segment after every update, none left for segments gone, and
//! exact phrases still exactly brute force on the seeds and the laws — with
//! the maps, without them (computed by the reader), with a damaged one, and
//! after documents are added, edited and removed.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use policy_diff::corpus::Corpus;
use policy_diff::index::{Reader, SearchFilter};
use policy_diff::query::{parse, Query};
use policy_diff::text::fold;

/// The seeds and the laws in a temporary corpus.
fn seeds_and_laws() -> (tempfile::TempDir, PathBuf) {
    let (dir, corpus_dir) = seeded_corpus();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let mut laws = files_under(&laws_dir());
    laws.retain(|p| {
        p.extension().is_some_and(|x| x == "md") && p.file_name().is_some_and(|n| n != "_index.md")
    });
    let laws: Vec<&Path> = laws.iter().map(|p| p.as_path()).collect();
    let added = c
        .add_files(&laws, &Default::default())
        .iter()
        .filter(|r| r.is_ok())
        .count();
    assert!(added > 1000, "{added} laws added");
    (dir, corpus_dir)
}

/// The segments `meta.json` lists, and the maps in the generation.
fn segments_and_maps(index_dir: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let gen = generation(index_dir);
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(gen.join("meta.json")).unwrap()).unwrap();
    let segments = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    let maps = std::fs::read_dir(&gen)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| {
            n.strip_prefix("ords-")
                .and_then(|n| n.strip_suffix(".bin"))
                .map(str::to_string)
        })
        .collect();
    (segments, maps)
}

fn folded_provisions(corpus_dir: &Path) -> Vec<(String, String)> {
    Corpus::open(corpus_dir)
        .unwrap()
        .documents()
        .unwrap()
        .into_iter()
        .flat_map(|d| d.provisions)
        .map(|p| (p.id.clone(), fold(&p.text)))
        .collect()
}

/// Random substrings of the texts (2..=10 characters) and frequent phrases.
fn samples(folded: &[(String, String)], seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut out: Vec<String> = [
        "的",
        "人民代表大会常务委员会",
        "一级财政",
        "知识产权",
        "第一条",
    ]
    .map(String::from)
    .to_vec();
    while out.len() < n {
        let (_, t) = &folded[rng.below(folded.len())];
        let chars: Vec<char> = t.chars().collect();
        if chars.len() < 12 {
            continue;
        }
        let len = 2 + rng.below(9);
        let start = rng.below(chars.len() - len);
        let s: String = chars[start..start + len].iter().collect();
        if s.trim() == s && !s.contains('"') {
            out.push(s);
        }
    }
    out
}

/// Every sample's hits (ranked search, and `locate`, which does not score)
/// are exactly the provisions whose folded text holds it.
fn check_phrases(reader: &Reader, folded: &[(String, String)], samples: &[String], what: &str) {
    for s in samples {
        let expected: BTreeSet<String> = folded
            .iter()
            .filter(|(_, t)| t.contains(s.as_str()))
            .map(|(id, _)| id.clone())
            .collect();
        let r = reader
            .search(
                &Query::Phrase(s.clone()),
                &SearchFilter::default(),
                1_000_000,
            )
            .unwrap();
        let got: BTreeSet<String> = r.hits.into_iter().map(|h| h.provision_id).collect();
        assert_eq!(got, expected, "{what}: phrase {s:?}");
        assert_eq!(r.total, expected.len(), "{what}: total of {s:?}");
        let located = reader.locate(s, 5).unwrap();
        assert_eq!(located.total, expected.len(), "{what}: locate {s:?}");
    }
    // Unscored, through NOT (evaluated as sets).
    let q = parse("\"财政\" NOT \"一级财政\"").unwrap();
    let expected = folded
        .iter()
        .filter(|(_, t)| t.contains("财政") && !t.contains("一级财政"))
        .count();
    let r = reader.search(&q, &SearchFilter::default(), 10).unwrap();
    assert_eq!(r.total, expected, "{what}: NOT");
}

#[test]
fn ordinal_maps_follow_the_segments_and_phrases_stay_exact() {
    let (dir, corpus_dir) = seeds_and_laws();
    let (index_dir, index) = indexed(dir.path(), &corpus_dir);
    let (segments, maps) = segments_and_maps(&index_dir);
    assert!(!segments.is_empty());
    assert_eq!(maps, segments, "one map per segment");

    let folded = folded_provisions(&corpus_dir);
    let some = samples(&folded, 0x9E37_79B9_7F4A_7C15, 150);
    check_phrases(&index.reader().unwrap(), &folded, &some, "with maps");

    // The maps hold the segments' statistics (format 2), and the scores
    // they give are tantivy's: the same as from maps of the first format
    // (no statistics: the reader asks tantivy for the token count, and
    // samples the headings' lengths, so a provision whose heading holds
    // the phrase may score a little differently).
    let gen = generation(&index_dir);
    let frequent = ["的", "人民代表大会常务委员会", "知识产权", "国务院"];
    // Per phrase: (provision, score, does its heading hold the phrase).
    let scores = |reader: &Reader| -> Vec<Vec<(String, f32, bool)>> {
        frequent
            .iter()
            .map(|p| {
                let q = Query::Phrase(p.to_string());
                let r = reader
                    .search(&q, &SearchFilter::default(), 1_000_000)
                    .unwrap();
                let mut hits: Vec<(String, f32, bool)> = r
                    .hits
                    .into_iter()
                    .map(|h| (h.provision_id, h.score, fold(&h.heading).contains(p)))
                    .collect();
                hits.sort_by(|a, b| a.0.cmp(&b.0));
                hits
            })
            .collect()
    };
    let stored = scores(&index.reader().unwrap());
    let header = b"policy-diff ords 3\n".len() + 8;
    let mut second = vec![];
    for m in &maps {
        let path = gen.join(format!("ords-{m}.bin"));
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"policy-diff ords 3\n"), "{m}: format 3");
        // Format 3 is format 2 (pairs after the statistics) with a place
        // per pair after the pairs.
        let n = u32::from_le_bytes(bytes[header - 4..header].try_into().unwrap()) as usize;
        let pairs = &bytes[header + 16..header + 16 + 8 * n];
        assert_eq!(bytes.len(), header + 16 + 24 * n, "{m}: a place per pair");
        second.push((
            path.clone(),
            [
                &b"policy-diff ords 2\n"[..],
                &bytes[header - 8..header + 16],
                pairs,
            ]
            .concat(),
        ));
        let first = [
            &b"policy-diff ords 1\n"[..],
            &bytes[header - 8..header],
            pairs,
        ]
        .concat();
        std::fs::write(&path, first).unwrap();
    }
    let asked = scores(&index.reader().unwrap());
    for ((p, a), b) in frequent.iter().zip(&stored).zip(&asked) {
        assert_eq!(a.len(), b.len(), "{p}");
        let mut text_only = 0;
        for ((id, sa, heading), (other, sb, _)) in a.iter().zip(b) {
            assert_eq!(id, other, "{p}");
            let off = ((sa - sb) / sb).abs();
            if *heading {
                assert!(off < 0.02, "{p}: {id} scores {sa} against {sb}");
            } else {
                text_only += 1;
                assert!(off < 1e-5, "{p}: {id} scores {sa} against {sb}");
            }
        }
        assert!(
            text_only > 10,
            "{p}: {text_only} hits without it in the heading"
        );
    }
    // An update with nothing to do rewrites maps of the first format.
    let s = index
        .update(&Corpus::open(&corpus_dir).unwrap(), &index_options(false))
        .unwrap();
    assert_eq!((s.added, s.updated, s.removed), (0, 0, 0));
    for m in &maps {
        let bytes = std::fs::read(gen.join(format!("ords-{m}.bin"))).unwrap();
        assert!(bytes.starts_with(b"policy-diff ords 3\n"), "{m}: upgraded");
    }
    // Maps of the second format (statistics, no places: the texts' places
    // come from the columns) give the same hits and scores, and an update
    // with nothing to do rewrites them too.
    for (path, bytes) in &second {
        std::fs::write(path, bytes).unwrap();
    }
    check_phrases(&index.reader().unwrap(), &folded, &some, "format 2");
    assert_eq!(scores(&index.reader().unwrap()), stored, "format 2");
    index
        .update(&Corpus::open(&corpus_dir).unwrap(), &index_options(false))
        .unwrap();
    for m in &maps {
        let bytes = std::fs::read(gen.join(format!("ords-{m}.bin"))).unwrap();
        assert!(
            bytes.starts_with(b"policy-diff ords 3\n"),
            "{m}: upgraded from 2"
        );
    }
    assert_eq!(scores(&index.reader().unwrap()), stored, "format 3 again");

    // A damaged map (truncated, or of another size) is not used: the
    // reader computes the segment's map itself.
    let first = gen.join(format!("ords-{}.bin", maps.iter().next().unwrap()));
    let bytes = std::fs::read(&first).unwrap();
    std::fs::write(&first, &bytes[..bytes.len() - 5]).unwrap();
    check_phrases(&index.reader().unwrap(), &folded, &some, "a damaged map");
    let mut other_size = bytes.clone();
    let at = b"policy-diff ords 1\n".len();
    other_size[at] ^= 1;
    std::fs::write(&first, &other_size).unwrap();
    check_phrases(&index.reader().unwrap(), &folded, &some, "another size");
    // No maps at all (an index written before them).
    for m in &maps {
        std::fs::remove_file(gen.join(format!("ords-{m}.bin"))).unwrap();
    }
    check_phrases(&index.reader().unwrap(), &folded, &some, "without maps");

    // The next update writes the missing maps.
    let c = Corpus::open(&corpus_dir).unwrap();
    let path = c.file_path(c.entry("nt-2021-23").unwrap());
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        original.replace("集聚高水平人才", "集聚高水平人才第一号试验标记"),
    )
    .unwrap();
    let s = index
        .update(&Corpus::open(&corpus_dir).unwrap(), &index_options(false))
        .unwrap();
    assert_eq!(s.updated, 1);
    let (segments, maps) = segments_and_maps(&index_dir);
    assert_eq!(maps, segments, "maps written again after an update");
    for m in &maps {
        let bytes = std::fs::read(gen.join(format!("ords-{m}.bin"))).unwrap();
        assert!(bytes.starts_with(b"policy-diff ords 3\n"), "{m}: rewritten");
    }

    // Documents added, edited and removed, one update each.
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let removed = c.remove("lyg-2022-32").unwrap();
    assert_eq!(removed.id, "lyg-2022-32");
    index.update(&c, &index_options(false)).unwrap();
    let extra = dir.path().join("extra.txt");
    std::fs::write(
        &extra,
        format!("新增文件 试验\n\n{}", seed_text("003")).replace("人才", "人才第二号试验标记"),
    )
    .unwrap();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    let _ = c.add_file(&extra, &Default::default());
    index.update(&c, &index_options(false)).unwrap();
    std::fs::write(
        &path,
        original.replace("集聚高水平人才", "集聚高水平人才第三号试验标记"),
    )
    .unwrap();
    let c = Corpus::open(&corpus_dir).unwrap();
    index.update(&c, &index_options(false)).unwrap();
    let (segments, maps) = segments_and_maps(&index_dir);
    assert_eq!(maps, segments, "no map left for a segment merged away");

    let folded = folded_provisions(&corpus_dir);
    let mut more = samples(&folded, 0x2545_F491_4F6C_DD1D, 100);
    more.extend(
        [
            "第一号试验标记",
            "第二号试验标记",
            "第三号试验标记",
            "集聚高水平人才",
        ]
        .map(String::from),
    );
    let reader = index.reader().unwrap();
    check_phrases(&reader, &folded, &more, "after updates");
    let count = |p: &str| {
        reader
            .search(&Query::Phrase(p.into()), &SearchFilter::default(), 10)
            .unwrap()
            .total
    };
    assert_eq!(count("第一号试验标记"), 0, "replaced text");
    assert_eq!(count("第三号试验标记"), 1);
    assert!(count("第二号试验标记") > 0, "the added document");
}

/// A reader refuses an index whose character postings do not cover every
/// text its segments refer to (a phrase search would silently miss those
/// texts). The highest ordinal of a segment comes from its ordinal map, or
/// from its `text_ord` column when it has none: both ways refuse.
#[test]
fn a_reader_refuses_postings_that_do_not_cover_the_segments() {
    let (dir, corpus_dir) = seeded_corpus();
    let (index_dir, index) = indexed(dir.path(), &corpus_dir);
    assert!(index.reader().is_ok());
    let gen = generation(&index_dir);
    let (_, maps) = segments_and_maps(&index_dir);
    assert!(!maps.is_empty());

    // The last commit's payload lists no character chunk.
    let meta_path = gen.join("meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    let mut payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    assert!(!payload["chars"].as_array().unwrap().is_empty());
    payload["chars"] = serde_json::json!([]);
    meta["payload"] = serde_json::Value::String(payload.to_string());
    std::fs::write(&meta_path, meta.to_string()).unwrap();

    let refused = |what: &str| {
        let err = index
            .reader()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("do not cover the index"), "{what}: {err:?}");
    };
    refused("with the maps");
    for m in &maps {
        std::fs::remove_file(gen.join(format!("ords-{m}.bin"))).unwrap();
    }
    refused("without the maps");
}
