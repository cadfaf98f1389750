//! `diff`: similarity, alignment, word diffs and figures on the real seeds.
//! 002 = lyg-2022-32 (连云港 action plan, measures 1.–31.) and 003 = nt-2021-23
//! (南通 plan, （一） items) implement the same provincial directive.

mod common;

use assert_cmd::Command;
use common::*;
use policy_diff::compare::{
    self, align, diff_documents, render, DocumentDiff, SimilarityModel, PAIR_THRESHOLD,
};
use policy_diff::corpus::{load, parse, Document, Entry, Provision};

fn substantive(d: &Document) -> Vec<&Provision> {
    d.provisions.iter().filter(|p| p.is_substantive()).collect()
}

fn corpus_model(docs: &[Document]) -> SimilarityModel {
    let all: Vec<&Provision> = docs.iter().flat_map(substantive).collect();
    SimilarityModel::new(&all)
}

fn seed_diff(a: &str, b: &str) -> DocumentDiff {
    let docs = corpus().documents().unwrap();
    let model = corpus_model(&docs);
    let get = |id: &str| docs.iter().find(|d| d.entry.id == id).unwrap();
    diff_documents(&model, get(a), get(b), PAIR_THRESHOLD)
}

fn paired(d: &DocumentDiff, a: &str, b: &str) -> bool {
    d.pairs
        .iter()
        .any(|p| p.a.heading.starts_with(a) && p.b.heading.starts_with(b))
}

fn partners<'d>(d: &'d DocumentDiff, a: &str) -> Vec<&'d str> {
    d.pairs
        .iter()
        .filter(|p| p.a.heading.starts_with(a))
        .map(|p| p.b.heading.as_str())
        .collect()
}

#[test]
fn parallel_measures_of_002_and_003_pair_up() {
    let d = seed_diff("lyg-2022-32", "nt-2021-23");
    for (a, b) in [
        ("5. 加大财政政策支持力度", "（三）强化财政金融支持"),
        ("8. 提高土地集约利用水平", "（一）提升土地集约利用水平"),
        ("16. 创新招商工作模式", "（二）创新投资促进工作"),
        ("24. 提升开发区本质安全水平", "（三）提升本质安全水平"),
        // Also checked by reading both texts:
        (
            "7. 提升产业链稳定性和竞争力",
            "（四）提升产业链稳定性和竞争力",
        ),
        ("10. 建设全面人才支撑体系", "（二）集聚高水平人才"),
        ("17. 提升外资利用质量水平", "（一）优化提升利用外资质态"),
        ("（一）指导思想", "一、总体要求"),
    ] {
        assert!(
            paired(&d, a, b),
            "{a} should pair with {b}; has {:?}",
            partners(&d, a)
        );
    }
    // 002's personnel/pay reform has no counterpart in 003.
    assert!(
        d.only_a
            .iter()
            .any(|r| r.heading == "4. 推进人事薪酬制度改革"),
        "measure 4 pairs with {:?}",
        partners(&d, "4. ")
    );
    // Every provision is accounted for exactly once as paired or unique.
    let pa = substantive(&doc("lyg-2022-32")).len();
    assert_eq!(d.summary.a.provisions, pa);
    assert_eq!(
        d.summary.a.matched + d.summary.a.partly_matched + d.summary.a.unique,
        pa
    );
    assert_eq!(d.summary.a.unique, d.only_a.len());
    assert!(d.summary.a.reused_share > 0.0 && d.summary.a.reused_share < 0.5);
    // Front matter takes no part.
    assert!(d.pairs.iter().all(|p| p.a.heading != "发文信息"));
    assert!(d
        .only_a
        .iter()
        .chain(&d.only_b)
        .all(|r| r.heading != "发文信息"));
}

#[test]
fn hand_verified_non_pairs() {
    let d = seed_diff("lyg-2022-32", "nt-2021-23");
    for (a, b) in [
        // talent vs safety, land vs talent, safety vs land, investment vs safety
        ("10. 建设全面人才支撑体系", "（三）提升本质安全水平"),
        ("8. 提高土地集约利用水平", "（二）集聚高水平人才"),
        ("24. 提升开发区本质安全水平", "（一）提升土地集约利用水平"),
        ("16. 创新招商工作模式", "（三）提升本质安全水平"),
        ("4. 推进人事薪酬制度改革", "（二）注重考核引导"),
    ] {
        assert!(!paired(&d, a, b), "{a} must not pair with {b}");
    }
    // And their similarity is well below the threshold.
    let docs = corpus().documents().unwrap();
    let model = corpus_model(&docs);
    let (a, b) = (doc("lyg-2022-32"), doc("nt-2021-23"));
    let talent = find(&a, "10. 建设全面人才支撑体系");
    let safety = find(&b, "（三）提升本质安全水平");
    assert!(model.similarity(talent, safety) < PAIR_THRESHOLD / 2.0);
    // The parallel pairs score clearly higher than the non-pairs.
    let land_a = find(&a, "8. 提高土地集约利用水平");
    let land_b = find(&b, "（一）提升土地集约利用水平");
    assert!(model.similarity(land_a, land_b) > 3.0 * model.similarity(talent, safety));
}

#[test]
fn a_document_diffed_with_itself_is_all_matched() {
    let docs = corpus().documents().unwrap();
    let model = corpus_model(&docs);
    for d in &docs {
        let diff = diff_documents(&model, d, d, PAIR_THRESHOLD);
        let n = substantive(d).len();
        assert_eq!(diff.pairs.len(), n, "{}", d.entry.id);
        assert!(
            diff.only_a.is_empty() && diff.only_b.is_empty(),
            "{}",
            d.entry.id
        );
        for p in &diff.pairs {
            assert_eq!(p.similarity, 1.0);
            assert_eq!(p.a.provision_id, p.b.provision_id);
            assert!(p.figures.is_empty());
            assert!(p.diff.iter().all(|s| s.op == compare::worddiff::Op::Equal));
        }
        assert_eq!(diff.summary.a.matched, n);
        assert_eq!(diff.summary.a.reused_share, 1.0, "{}", d.entry.id);
    }
}

fn law_document(rel: &str) -> Document {
    let text = load::read_text(&laws_dir().join(rel)).unwrap().text;
    let (provisions, layout_dropped) = parse("law", &text);
    assert!(provisions.len() > 10, "{rel} parses into articles");
    Document {
        entry: Entry {
            id: "law".into(),
            title: rel.into(),
            ..Default::default()
        },
        text,
        provisions,
        layout_dropped,
    }
}

fn pair_list(d: &DocumentDiff) -> Vec<String> {
    d.pairs
        .iter()
        .map(|p| format!("{} ~ {} ({})", p.a.heading, p.b.heading, p.similarity))
        .collect()
}

#[test]
fn an_unrelated_law_yields_almost_no_pairs() {
    let plan = doc("lyg-2022-32");
    let corpus_docs = corpus().documents().unwrap();
    // IDF over the corpus plus the law, as `diff` would weigh it with the law
    // added to the corpus.
    for rel in [
        "经济法/乡村振兴促进法(2021-04-29).md",
        "刑法/刑法修正案（十一）.md",
    ] {
        let law = law_document(rel);
        let mut all: Vec<&Provision> = corpus_docs.iter().flat_map(substantive).collect();
        all.extend(substantive(&law));
        let model = SimilarityModel::new(&all);
        let d = diff_documents(&model, &plan, &law, PAIR_THRESHOLD);
        assert!(d.pairs.len() <= 2, "{rel}: {:#?}", pair_list(&d));
        assert!(d.summary.a.reused_share < 0.02, "{rel}: {:?}", d.summary.a);
    }
    // IDF over just the two documents: the criminal-law amendment shares
    // nothing with a development-zone plan. (The rural revitalization law
    // does share topics — land, talent, innovation articles — and with this
    // narrower IDF pairs a handful of them.)
    let law = law_document("刑法/刑法修正案（十一）.md");
    let both: Vec<&Provision> = substantive(&plan)
        .into_iter()
        .chain(substantive(&law))
        .collect();
    let model = SimilarityModel::new(&both);
    let d = diff_documents(&model, &plan, &law, PAIR_THRESHOLD);
    assert!(d.pairs.len() <= 2, "{:#?}", pair_list(&d));
}

#[test]
fn changed_figures_are_listed_side_by_side() {
    let d = seed_diff("lyg-2022-32", "nt-2021-23");
    let safety = d
        .pairs
        .iter()
        .find(|p| p.a.heading.starts_with("24.") && p.b.heading.starts_with("（三）提升本质安全"))
        .unwrap();
    assert!(
        safety
            .figures
            .iter()
            .any(|f| f.a.as_deref() == Some("2022年12月底前")
                && f.b.as_deref() == Some("2022年年底前")),
        "{:?}",
        safety.figures
    );
    // 建成率100% is in both: no change.
    assert!(!safety
        .figures
        .iter()
        .any(|f| f.a.as_deref() == Some("100%") && f.b.is_none()));
    // The word diff covers both texts exactly.
    let a: String = safety.diff.iter().map(|s| s.a_text()).collect();
    let b: String = safety.diff.iter().map(|s| s.b_text()).collect();
    assert_eq!(a, safety.a.text);
    assert_eq!(b, safety.b.text);
}

#[test]
fn alignment_of_100_by_100_is_fast() {
    let plan = doc("lyg-etdz-plan-2021");
    let ps = substantive(&plan);
    assert!(ps.len() >= 100, "{}", ps.len());
    let docs = corpus().documents().unwrap();
    let model = corpus_model(&docs);
    let (a, b) = (&ps[..100], &ps[ps.len() - 100..]);
    let start = std::time::Instant::now();
    let al = align(&model, a, b, PAIR_THRESHOLD);
    let took = start.elapsed();
    // Generous for debug builds; release is a small fraction of this.
    assert!(took.as_secs_f64() < 3.0, "{took:?}");
    assert_eq!(
        al.pairs
            .iter()
            .map(|p| p.a)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            + al.only_a.len(),
        100
    );
}

#[test]
fn html_escapes_document_text() {
    let mut a = doc("lyg-2022-32");
    let mut b = doc("nt-2021-23");
    let p = a
        .provisions
        .iter_mut()
        .find(|p| p.heading.starts_with("8. "))
        .unwrap();
    p.text.push_str("<script>alert('a')</script>");
    let q = b
        .provisions
        .iter_mut()
        .find(|p| p.heading.starts_with("（一）提升土地"))
        .unwrap();
    q.text.push_str("<img src=x onerror=alert(1)>");
    let docs = corpus().documents().unwrap();
    let model = corpus_model(&docs);
    let d = diff_documents(&model, &a, &b, PAIR_THRESHOLD);
    let html = render::html(&d);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "script tag leaked");
    assert!(!html.contains("<img"), "img tag leaked");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("<del>") && html.contains("<ins>"));
    let md = render::markdown(&d);
    assert!(!md.contains("<script") && md.contains("&lt;script&gt;"));
}

fn cmd() -> Command {
    cli(
        &repo().join("corpus"),
        &std::env::temp_dir().join(format!("pd-diff-index-{}", std::process::id())),
    )
}

#[test]
fn cli_json_follows_the_contract() {
    let out = cmd()
        .args(["diff", "lyg-2022-32", "nt-2021-23", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["a"]["id"], "lyg-2022-32");
    assert_eq!(v["b"]["id"], "nt-2021-23");
    assert!(v["a"]["title"].as_str().unwrap().contains("连云港"));
    let refs_ok = |r: &serde_json::Value| {
        ["doc_id", "provision_id", "heading", "text"]
            .iter()
            .all(|k| r[k].is_string())
    };
    let pairs = v["pairs"].as_array().unwrap();
    assert!(pairs.len() >= 10);
    for p in pairs {
        assert!(refs_ok(&p["a"]) && refs_ok(&p["b"]));
        let s = p["similarity"].as_f64().unwrap();
        assert!((PAIR_THRESHOLD..=1.0).contains(&s));
        assert!(p["diff"].as_array().unwrap().iter().all(|s| {
            ["equal", "insert", "delete"].contains(&s["op"].as_str().unwrap())
                && s["text"].is_string()
        }));
        assert!(p["figures"].is_array());
    }
    assert!(v["only_a"].as_array().unwrap().iter().all(refs_ok));
    assert!(v["only_b"].as_array().unwrap().iter().all(refs_ok));
    assert!(v["summary"]["a"]["reused_share"].is_number());
    assert_eq!(v["provenance"]["threshold"].as_f64(), Some(PAIR_THRESHOLD));
    assert!(v["provenance"]["a_hash"]
        .as_str()
        .unwrap()
        .starts_with("blake3:"));
    assert_eq!(v["provenance"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn cli_unknown_document_exits_2() {
    cmd()
        .args(["diff", "lyg-2022-33", "nt-2021-23"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown document 'lyg-2022-33'"))
        .stderr(predicates::str::contains("lyg-2022-32"));
    cmd()
        .args(["diff", "lyg-2022-32", "nt-2021-23", "--format", "csv"])
        .assert()
        .code(2);
}

#[test]
fn cli_text_is_side_by_side_and_plain_when_piped() {
    let out = cmd()
        .args(["diff", "lyg-2022-32", "nt-2021-23", "--width", "100"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
    assert!(text.contains("[-") && text.contains("{+"));
    // The separator sits in the same display column on every row.
    let cols: std::collections::BTreeSet<usize> = text
        .lines()
        .filter_map(|l| l.find(" │ ").map(|i| render::display_width(&l[..i])))
        .collect();
    assert_eq!(cols.len(), 1, "{cols:?}");
    assert!(text.lines().all(|l| render::display_width(l) <= 100));
    for fmt in ["md", "html"] {
        cmd()
            .args(["diff", "lyg-2022-32", "nt-2021-23", "--format", fmt])
            .assert()
            .success();
    }
}

/// The summary breaks matched / partly matched / unique provisions down by topic.
#[test]
fn summary_by_topic() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("policy-diff")
        .unwrap()
        .arg("--corpus")
        .arg(common::repo().join("corpus"))
        .arg("--index")
        .arg(dir.path().join("index"))
        .args(["diff", "lyg-2022-32", "nt-2021-23", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &d["summary"]["a"]["by_topic"];
    // 8. 提高土地集约利用水平 pairs with Nantong's land measure; 4. 推进人事薪酬制度改革 has no counterpart.
    let land = &a["land"];
    assert!(
        land["matched"].as_u64().unwrap() + land["partly_matched"].as_u64().unwrap() >= 1,
        "{land}"
    );
    assert!(a["admin-reform"]["unique"].as_u64().unwrap() >= 1);
    let total: u64 = ["matched", "partly_matched", "unique"]
        .iter()
        .map(|k| d["summary"]["a"][k].as_u64().unwrap())
        .sum();
    assert_eq!(total, d["summary"]["a"]["provisions"].as_u64().unwrap());
}
