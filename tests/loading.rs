//! Loading bytes: encodings and refusals (issue: corpus and provisions).

mod common;

use std::path::Path;

use common::*;
use policy_diff::corpus::AsText;
use policy_diff::corpus::{load, meta, parse};

#[test]
fn gbk_copy_of_a_seed_loads_to_the_same_text() {
    let original = seed_text("004");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&original);
    assert!(!unmappable);
    let decoded = load::decode(Path::new("004-gbk.txt"), &gbk).unwrap();
    assert_eq!(decoded.text, original);
    assert_eq!(decoded.encoding, "gb18030");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(original.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    assert_eq!(
        load::decode(Path::new("004-utf16.txt"), &utf16)
            .unwrap()
            .text,
        original
    );
}

#[test]
fn odd_inputs_never_panic() {
    // Empty file: an empty document.
    let (p, _) = parse("empty", "");
    assert!(p.is_empty());
    assert_eq!(meta::detect(""), meta::Detected::default());
    // Only headings: sections without provisions, no panic.
    let (p, _) = parse(
        "h",
        "一、总体要求\n\n二、主要任务\n\n（一）体制机制优化工程\n",
    );
    assert!(p.is_empty(), "{p:?}");
    // Binary: refused naming the file.
    let png: Vec<u8> = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]
        .into_iter()
        .chain((0..4000u32).map(|i| (i * 31 % 256) as u8))
        .collect();
    let err = load::decode(Path::new("scan.png"), &png).unwrap_err();
    assert!(err.is_user_error());
    assert!(
        err.to_string().starts_with("scan.png: not a text file"),
        "{err}"
    );
}

#[test]
fn metadata_of_every_seed_is_detected_not_hand_written() {
    // The bundled catalog must equal what detection produces from the text.
    let corpus = corpus();
    for entry in &corpus.catalog.documents {
        assert!(
            entry.manual.is_empty(),
            "{} has hand-set fields {:?}",
            entry.id,
            entry.manual
        );
        let text = load::read_text(&corpus.file_path(entry)).unwrap().text;
        let d = meta::detect(&text);
        assert_eq!(d.title.as_deref(), Some(entry.title.as_str()));
        assert_eq!(d.doc_number.clone().unwrap_or_default(), entry.doc_number);
        assert_eq!(d.issuer.as_deref(), Some(entry.issuer.as_str()));
        assert_eq!(d.date, entry.date);
        assert_eq!(d.implements, entry.implements);
    }
    let get = |id: &str| corpus.entry(id).unwrap().clone();
    let e = get("lyg-2022-32");
    assert_eq!(
        (
            e.jurisdiction.as_str(),
            e.level.text(),
            e.doc_number.as_str(),
            e.date.text(),
            e.kind.text()
        ),
        (
            "连云港市",
            "city",
            "连政发〔2022〕32号",
            "2022-04-02",
            "行动方案"
        )
    );
    let implements: Vec<&str> = e.implements.iter().map(|i| i.doc_number.as_str()).collect();
    assert_eq!(implements, ["苏政发〔2020〕79号", "苏政发〔2020〕101号"]);
    let e = get("nt-2021-23");
    assert_eq!(
        (e.jurisdiction.as_str(), e.issuer.as_str(), e.date.text()),
        ("南通市", "南通市人民政府", "2021-06-03")
    );
    assert_eq!(
        e.implements
            .iter()
            .map(|i| i.doc_number.as_str())
            .collect::<Vec<_>>(),
        ["国发〔2019〕11号", "苏政发〔2020〕79号"]
    );
    let e = get("lyg-etdz-2021-54");
    assert_eq!(
        (
            e.jurisdiction.as_str(),
            e.level.text(),
            e.doc_number.as_str(),
            e.date.text()
        ),
        (
            "连云港经济技术开发区",
            "national-level development zone",
            "连开委〔2021〕54号",
            "2021-07-30"
        )
    );
    let e = get("lyg-etdz-plan-2021");
    assert_eq!(
        (e.doc_number.as_str(), e.date.text(), e.kind.text()),
        ("", "2021-09", "规划纲要")
    );
    let e = get("lyg-2021-25");
    assert_eq!(
        (e.doc_number.as_str(), e.date.text(), e.kind.text()),
        ("连政发〔2021〕25号", "2021-04-12", "实施意见")
    );
    assert!(e
        .implements
        .iter()
        .any(|i| i.doc_number == "国发〔2020〕7号"));
}

#[test]
fn bundled_texts_are_byte_identical_to_the_seeds() {
    let corpus = corpus();
    for entry in &corpus.catalog.documents {
        let ours = std::fs::read(corpus.file_path(entry)).unwrap();
        let seed = std::fs::read(seeds_dir().join(&entry.source)).unwrap();
        assert_eq!(ours, seed, "{} differs from {}", entry.file, entry.source);
        assert_eq!(policy_diff::corpus::content_hash(&ours), entry.hash);
    }
}
