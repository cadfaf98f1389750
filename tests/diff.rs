//! `diff`: similarity, alignment, word diffs and figures on the real seeds.
//! 002 = lyg-2022-32 (连云港 action plan, measures 1.–31.) and 003 = nt-2021-23
//! (南通 plan, （一） items) implement the same provincial directive.

mod common;

use assert_cmd::Command;
use common::*;
use policy_diff::compare::clauses::{LinkKind, Settings, CLOSE_THRESHOLD};
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
    diff_documents(&doc(a), &doc(b), &Settings::default())
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
        // Also checked by reading both texts (and in tests/eval/align):
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
    // One long Nantong item bundles several Lianyungang measures: in （二）创新
    // 投资促进工作, 注重以商引商…多样化方式 is 16.'s 深入挖掘驻点招商、以商引商.
    let invest = d
        .pairs
        .iter()
        .find(|p| {
            p.a.heading.starts_with("16. ") && p.b.heading.starts_with("（二）创新投资促进工作")
        })
        .unwrap();
    assert!(invest
        .clauses
        .iter()
        .any(|c| c.kind != LinkKind::Related && c.b_text.starts_with("注重以商引商")));
    // Every pair stands on a parallel clause link, its similarity is its
    // best link's, and each link names clauses of the pair's provisions.
    for p in &d.pairs {
        let best = p
            .clauses
            .iter()
            .filter(|c| c.kind != LinkKind::Related)
            .map(|c| c.similarity)
            .fold(0.0, f64::max);
        // (Or, for a provision without measure clauses, the same text.)
        assert!(
            (best >= CLOSE_THRESHOLD && best == p.similarity)
                || (p.clauses.is_empty() && p.similarity == 1.0),
            "{p:?}"
        );
        for c in &p.clauses {
            assert!(
                c.a.starts_with(&format!("{}.", p.a.provision_id)),
                "{}",
                c.a
            );
            assert!(
                c.b.starts_with(&format!("{}.", p.b.provision_id)),
                "{}",
                c.b
            );
            // Word diffs only inside parallel links.
            assert_eq!(c.diff.is_empty(), c.kind == LinkKind::Related, "{c:?}");
        }
    }
    // Clause counts add up on each side.
    for s in [&d.summary.a, &d.summary.b] {
        let c = &s.clauses;
        assert_eq!(c.matched + c.related + c.unique, c.clauses);
        assert!(c.matched >= 30 && c.unique >= 5, "{c:?}");
    }
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
fn a_document_diffed_with_itself_is_all_verbatim() {
    let docs = corpus().documents().unwrap();
    for d in &docs {
        let diff = diff_documents(d, d, &Settings::default());
        // Every provision pairs with itself: by its clauses, or, when it
        // has none that states a measure (a bare title, formulae), by its
        // identical text.
        let n = substantive(d).len();
        assert_eq!(diff.pairs.len(), n, "{}", d.entry.id);
        assert!(diff.only_a.is_empty() && diff.only_b.is_empty());
        for p in &diff.pairs {
            assert_eq!(p.similarity, 1.0);
            assert_eq!(p.a.provision_id, p.b.provision_id);
            assert!(p.figures.is_empty());
            assert!(p.diff.iter().all(|s| s.op == compare::worddiff::Op::Equal));
            assert!(p
                .clauses
                .iter()
                .all(|c| c.kind == LinkKind::Verbatim && c.a == c.b && c.similarity == 1.0));
            assert!(p.a_unlinked.is_empty() && p.b_unlinked.is_empty());
        }
        assert!(diff.related.is_empty(), "{}", d.entry.id);
        // Every clause that states a measure is matched (those that are
        // only political formulae are not counted).
        assert_eq!(
            diff.summary.a.clauses.matched, diff.summary.a.clauses.clauses,
            "{}",
            d.entry.id
        );
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
    // The criminal-law amendment shares nothing with a development-zone plan:
    // at most a couple of pairs, and what is related is shown as such.
    let law = law_document("刑法/刑法修正案（十一）.md");
    let d = diff_documents(&plan, &law, &Settings::default());
    assert!(d.pairs.len() <= 2, "{:#?}", pair_list(&d));
    assert!(d.summary.a.reused_share < 0.02, "{:?}", d.summary.a);
    assert!(d.related.len() <= 5, "{:#?}", d.related);
    // The rural revitalization law shares subjects (land, talent,
    // innovation) and some measures (节约集约用地), but little text.
    let law = law_document("经济法/乡村振兴促进法(2021-04-29).md");
    let d = diff_documents(&plan, &law, &Settings::default());
    assert!(d.pairs.len() <= 20, "{:#?}", pair_list(&d));
    assert!(d.summary.a.reused_share < 0.05, "{:?}", d.summary.a);
}

#[test]
fn changed_figures_are_listed_side_by_side() {
    let d = seed_diff("lyg-2022-32", "nt-2021-23");
    let safety = d
        .pairs
        .iter()
        .find(|p| p.a.heading.starts_with("24.") && p.b.heading.starts_with("（三）提升本质安全"))
        .unwrap();
    // Figures are compared inside parallel clause links only: every change
    // listed for the pair comes from one of its links.
    assert!(!safety.figures.is_empty());
    for f in &safety.figures {
        assert!(
            safety.clauses.iter().any(|c| c.figures.contains(f)),
            "{f:?}"
        );
    }
    // 建成率100% is in both linked clauses: no change.
    assert!(!safety
        .figures
        .iter()
        .any(|f| f.a.as_deref() == Some("100%") && f.b.is_none()));
    // Figures are paired by meaning: lyg-2022-32's GDP share of the zones
    // (50%以上) is not a "change" into lyg-2021-25's R&D share of GDP (7%以上).
    let d = seed_diff("lyg-2022-32", "lyg-2021-25");
    assert!(
        !d.pairs.iter().flat_map(|p| &p.figures).any(|f| {
            f.a.as_deref().is_some_and(|a| a.contains("50%"))
                && f.b.as_deref().is_some_and(|b| b.contains("7%"))
        }),
        "{:?}",
        d.pairs.iter().flat_map(|p| &p.figures).collect::<Vec<_>>()
    );
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
    let at = p.body_start();
    p.text.insert_str(at, "<script>alert('a')</script>");
    let q = b
        .provisions
        .iter_mut()
        .find(|p| p.heading.starts_with("（一）提升土地"))
        .unwrap();
    let at = q.body_start();
    q.text.insert_str(at, "<img src=x onerror=alert(1)>");
    let d = diff_documents(&a, &b, &Settings::default());
    let html = render::html(&d);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "script tag leaked");
    assert!(!html.contains("<img"), "img tag leaked");
    // Escaped, though the word diff may cut it into pieces.
    assert!(html.contains("&lt;") && html.contains("alert") && html.contains("&#39;"));
    assert!(html.contains("<del>") && html.contains("<ins>"));
    let md = render::markdown(&d);
    assert!(
        !md.replace("\\<", "").contains("<script") && md.contains("\\<") && !md.contains("&lt;")
    );
}

fn cmd() -> Command {
    cli(
        &repo().join("corpus"),
        &std::env::temp_dir().join(format!("pd-diff-index-{}", std::process::id())),
    )
}

#[test]
fn cli_json_follows_the_contract() {
    let out = succeed(cmd().args(["diff", "lyg-2022-32", "nt-2021-23", "--format", "json"]));
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
        assert!((CLOSE_THRESHOLD..=1.0).contains(&s));
        let clauses = p["clauses"].as_array().unwrap();
        assert!(!clauses.is_empty());
        for c in clauses {
            assert!(["verbatim", "close", "related"].contains(&c["kind"].as_str().unwrap()));
            assert!(c["a"]
                .as_str()
                .unwrap()
                .starts_with(p["a"]["provision_id"].as_str().unwrap()));
            assert!(c["similarity"].is_number());
        }
        assert!(p["diff"].as_array().unwrap().iter().all(|s| {
            ["equal", "insert", "delete"].contains(&s["op"].as_str().unwrap())
                && s["text"].is_string()
        }));
        assert!(p["figures"].is_array());
    }
    assert!(v["only_a"].as_array().unwrap().iter().all(refs_ok));
    assert!(v["only_b"].as_array().unwrap().iter().all(refs_ok));
    assert!(v["summary"]["a"]["reused_share"].is_number());
    assert_eq!(v["provenance"]["threshold"].as_f64(), Some(CLOSE_THRESHOLD));
    assert!(v["summary"]["a"]["clauses"]["matched"].as_u64().unwrap() > 0);
    assert!(v["related"].is_array());
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
    // 8. 提高土地集约利用水平 pairs with Nantong's land measure; some
    // measures of administrative reform have no counterpart.
    let land = &a["land"];
    assert!(
        land["matched"].as_u64().unwrap() + land["partly_matched"].as_u64().unwrap() >= 1,
        "{land}"
    );
    assert!(land["clauses"]["matched"].as_u64().unwrap() >= 1, "{land}");
    assert!(a["admin-reform"]["clauses"]["unique"].as_u64().unwrap() >= 1);
    let total: u64 = ["matched", "partly_matched", "unique"]
        .iter()
        .map(|k| d["summary"]["a"][k].as_u64().unwrap())
        .sum();
    assert_eq!(total, d["summary"]["a"]["provisions"].as_u64().unwrap());
}
