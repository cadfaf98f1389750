//! `compare --topic T`: the provisions on one topic across jurisdictions (or
//! documents), parallel provisions in one row. Checked on the real seeds:
//! 000 = lyg-etdz-2021-54 (经开区 FTZ-linkage plan + task table), 001 =
//! lyg-etdz-plan-2021 (经开区 14th five-year plan), 002 = lyg-2022-32 (连云港市
//! action plan, measures 1.–31.), 003 = nt-2021-23 (南通市 plan), 004 =
//! lyg-2021-25 (连云港市 high-tech zone opinions).

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use policy_diff::compare::side_by_side::{
    self as sbs, By, Cell, Options, Row, Selection, TopicComparison, ROW_THRESHOLD,
};
use policy_diff::compare::SimilarityModel;
use policy_diff::corpus::{Corpus, Document, Entry, Provision, ProvisionKind};
use policy_diff::topics::Taxonomy;
use serde_json::Value;

const COLUMNS: [&str; 3] = ["连云港经济技术开发区", "连云港市", "南通市"];

/// The comparison as the CLI computes it, over `docs` (all of them compared).
fn comparison_of(docs: &[Document], topic: &str, by: By) -> TopicComparison {
    let tax = Taxonomy::builtin();
    let topic = tax.resolve(topic).unwrap().clone();
    let refs: Vec<&Document> = docs.iter().collect();
    let sel = Selection::of_documents(&tax, &topic, &refs, by);
    // IDF over every provision, as the CLI's cached model.
    let model = SimilarityModel::of_documents(docs);
    sbs::compare(&sel, &model, &Options::default())
}

fn seed_comparison(topic: &str) -> TopicComparison {
    comparison_of(&corpus().documents().unwrap(), topic, By::Jurisdiction)
}

/// The row holding the provision of `doc` whose heading starts with `heading`.
fn row_of<'c>(c: &'c TopicComparison, doc: &str, heading: &str) -> &'c Row {
    c.rows
        .iter()
        .find(|r| {
            r.cells
                .all()
                .any(|x| x.doc_id == doc && x.heading.starts_with(heading))
        })
        .unwrap_or_else(|| panic!("no row with {doc} {heading:?}:\n{}", outline(c)))
}

fn cell<'r>(r: &'r Row, doc: &str, heading: &str) -> &'r Cell {
    r.cells
        .all()
        .find(|x| x.doc_id == doc && x.heading.starts_with(heading))
        .unwrap()
}

fn outline(c: &TopicComparison) -> String {
    c.rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r
                .cells
                .all()
                .map(|x| format!("{} {}", x.provision_id, x.heading))
                .collect();
            format!("{:.3}  {}", r.similarity, cells.join("  |  "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Do the two provisions share a row (any row: a long provision may be in
/// several)?
fn same_row(c: &TopicComparison, a: (&str, &str), b: (&str, &str)) -> bool {
    let has = |r: &Row, (doc, heading): (&str, &str)| {
        r.cells
            .all()
            .any(|x| x.doc_id == doc && x.heading.starts_with(heading))
    };
    c.rows.iter().any(|r| has(r, a) && has(r, b))
}

/// Every provision on the topic is in a row; at most once per row; a
/// provision in a measure row shows that row's clauses (highlighted), one
/// shown whole is in a row of its own.
fn each_provision_once(c: &TopicComparison) {
    let mut seen = HashSet::new();
    for r in &c.rows {
        let mut in_row = HashSet::new();
        let cells: Vec<&Cell> = r.cells.all().collect();
        for x in &cells {
            assert!(
                in_row.insert(&x.provision_id),
                "{} twice in a row",
                x.provision_id
            );
            seen.insert(&x.provision_id);
            if x.clauses.is_empty() {
                assert_eq!(
                    cells.len(),
                    1,
                    "a provision shown whole is alone: {}",
                    x.provision_id
                );
            } else {
                for k in &x.clauses {
                    assert!(
                        k.id.starts_with(&format!("{}.", x.provision_id)),
                        "{}",
                        k.id
                    );
                    assert!(x.text.contains(k.text.as_str()));
                }
                assert_eq!(x.marks.len(), x.clauses.len());
            }
        }
    }
    let on_topic: usize = c.column_info.iter().map(|x| x.provisions).sum();
    assert_eq!(
        seen.len(),
        on_topic,
        "every provision on the topic is in a row"
    );
}

#[test]
fn fiscal_autonomy_of_002_and_003_share_a_row() {
    let c = seed_comparison("fiscal");
    assert_eq!(c.columns, COLUMNS);
    let r = row_of(&c, "lyg-2022-32", "5. 加大财政政策支持力度");
    let lyg = cell(r, "lyg-2022-32", "5. 加大财政政策支持力度");
    assert!(lyg.text.contains("提高开发区财政自主权") && lyg.text.contains("一级财政"));
    let nt = cell(r, "nt-2021-23", "（三）强化财政金融支持");
    assert!(nt.text.contains("财政自主权"));
    assert_eq!(r.cells.get("连云港市").len(), 1);
    assert_eq!(r.cells.get("南通市").len(), 1);
    // The row is the measure: the two sentences on fiscal autonomy.
    assert!(
        lyg.clauses
            .iter()
            .any(|k| k.text.contains("提高开发区财政自主权")),
        "{:?}",
        lyg.clauses
    );
    assert!(
        nt.clauses.iter().any(|k| k.text.contains("财政自主权")),
        "{:?}",
        nt.clauses
    );
    // The shared phrase is marked on both sides, and named.
    assert!(
        lyg.shared.iter().any(|s| s.contains("财政自主权")),
        "{:?}",
        lyg.shared
    );
    assert!(
        nt.shared.iter().any(|s| s.contains("财政自主权")),
        "{:?}",
        nt.shared
    );
    assert!(
        r.shared_terms.iter().any(|t| t.contains("财政")),
        "{:?}",
        r.shared_terms
    );
    // Evidence says why each provision is on the topic.
    assert!(
        lyg.evidence.iter().any(|e| e == "一级财政"),
        "{:?}",
        lyg.evidence
    );
    assert!(
        nt.evidence.iter().any(|e| e.contains("财政")),
        "{:?}",
        nt.evidence
    );
    // Rows with counterparts come first.
    assert!(c.rows[0].columns_covered >= 2, "{}", outline(&c));
    each_provision_once(&c);
}

#[test]
fn land_rows() {
    let c = seed_comparison("land");
    let lyg8 = row_of(&c, "lyg-2022-32", "8. 提高土地集约利用水平");
    // 000's task row on inefficient land, 004's plot-ratio provision.
    let task = c
        .rows
        .iter()
        .flat_map(|r| r.cells.all())
        .find(|x| x.doc_id == "lyg-etdz-2021-54" && x.text.contains("开展低效用地清理整治"));
    assert!(task.is_some(), "{}", outline(&c));
    let plot = cell(
        row_of(&c, "lyg-2021-25", "（十九）完善土地利用政策"),
        "lyg-2021-25",
        "（十九）",
    );
    assert!(plot.text.contains("容积率"));
    // 002's measure 8 and 003's （一） address the same measure.
    assert!(cell(lyg8, "nt-2021-23", "（一）提升土地集约利用水平")
        .text
        .contains("低效用地"));
    // Not the project-approval reform of the task table.
    assert!(
        !same_row(
            &c,
            ("lyg-2022-32", "8. 提高土地集约利用水平"),
            ("lyg-etdz-2021-54", "42. 完善项目“拿地即开工”制度")
        ),
        "{}",
        outline(&c)
    );
    // Figures side by side: 002's deadline, none on 003's side.
    let f8 = &cell(lyg8, "lyg-2022-32", "8.").figures;
    assert!(f8.iter().any(|f| f.value == "2022年12月底前"), "{f8:?}");
    each_provision_once(&c);
}

#[test]
fn talent_rows() {
    let c = seed_comparison("talent");
    let all: Vec<&Cell> = c.rows.iter().flat_map(|r| r.cells.all()).collect();
    let plan_section: Vec<&&Cell> = all
        .iter()
        .filter(|x| {
            x.doc_id == "lyg-etdz-plan-2021"
                && (x.heading == "第一节 打造创新人才高地"
                    || x.path.iter().any(|p| p == "第一节 打造创新人才高地"))
        })
        .collect();
    assert!(plan_section.len() >= 4, "{}", outline(&c));
    assert!(plan_section
        .iter()
        .any(|x| x.heading == "第一节 打造创新人才高地"));
    assert!(all
        .iter()
        .any(|x| x.doc_id == "lyg-2022-32" && x.heading == "10. 建设全面人才支撑体系"));
    // 001's section and 002's measure 10 sit in the columns of their jurisdictions.
    let r10 = row_of(&c, "lyg-2022-32", "10. 建设全面人才支撑体系");
    assert_eq!(
        r10.cells.get("连云港市")[0].heading,
        "10. 建设全面人才支撑体系"
    );
    each_provision_once(&c);
}

#[test]
fn safety_measures_of_002_and_003_share_a_row() {
    let c = seed_comparison("safety");
    let r = row_of(&c, "lyg-2022-32", "24. 提升开发区本质安全水平");
    let nt = cell(r, "nt-2021-23", "（三）提升本质安全水平");
    let lyg = cell(r, "lyg-2022-32", "24.");
    // Their deadlines side by side.
    assert!(
        lyg.figures.iter().any(|f| f.value == "2022年12月底前"),
        "{:?}",
        lyg.figures
    );
    assert!(
        nt.figures.iter().any(|f| f.value == "2022年年底前"),
        "{:?}",
        nt.figures
    );
    assert!(r.similarity >= ROW_THRESHOLD);
    // Hand-verified non-pairs: food and drug supervision, social stability.
    for other in ["加强食品药品安全监管", "全力保障社会稳定"] {
        assert!(
            !same_row(&c, ("lyg-2022-32", "24."), ("lyg-etdz-plan-2021", other)),
            "{other}\n{}",
            outline(&c)
        );
    }
    each_provision_once(&c);
}

#[test]
fn fiscal_non_pairs() {
    let c = seed_comparison("fiscal");
    // Tax collection and land-use tax are not the zones' fiscal arrangements.
    for other in ["61. 复制推广", "62. 探索城镇土地使用税差别化政策"] {
        assert!(
            !same_row(
                &c,
                ("lyg-2022-32", "5. 加大财政政策支持力度"),
                ("lyg-etdz-2021-54", other)
            ),
            "{other}\n{}",
            outline(&c)
        );
    }
}

#[test]
fn columns_per_document() {
    let c = comparison_of(&corpus().documents().unwrap(), "land", By::Doc);
    assert_eq!(
        c.columns,
        [
            "lyg-etdz-2021-54",
            "lyg-etdz-plan-2021",
            "lyg-2022-32",
            "nt-2021-23",
            "lyg-2021-25"
        ]
    );
    assert!(same_row(
        &c,
        ("lyg-2022-32", "8. 提高土地集约利用水平"),
        ("nt-2021-23", "（一）提升土地集约利用水平")
    ));
    each_provision_once(&c);
}

fn item(doc: &str, seq: usize, number: &str, heading: &str, body: &str) -> Provision {
    Provision {
        id: format!("{doc}:{seq}"),
        doc_id: doc.into(),
        seq,
        kind: ProvisionKind::Item,
        number: Some(number.into()),
        heading: format!("{number}{heading}"),
        path: vec![],
        text: format!("{number}{heading}。{body}"),
        responsible_units: vec![],
    }
}

fn document(id: &str, jurisdiction: &str, provisions: Vec<Provision>) -> Document {
    Document {
        entry: Entry {
            id: id.into(),
            title: format!("{jurisdiction}测试文件"),
            jurisdiction: jurisdiction.into(),
            hash: format!("blake3:{id}"),
            ..Default::default()
        },
        text: String::new(),
        provisions,
        layout_dropped: vec![],
    }
}

/// Two provisions on talent that share nothing but the political preamble
/// every document repeats are not parallel.
#[test]
fn boilerplate_alone_does_not_make_a_row() {
    const PREAMBLE: &str =
        "以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的十九大和十九届历次全会精神，\
        完整准确全面贯彻新发展理念，推动开发区高质量发展";
    let a = item(
        "x-1",
        1,
        "一、",
        "加强人才安居保障",
        &format!("{PREAMBLE}。建设人才公寓，发放青年人才安家补贴，解决子女入学问题。"),
    );
    let b = item(
        "y-1",
        1,
        "一、",
        "完善人才评价制度",
        &format!("{PREAMBLE}。推行职称评审改革，建立技能等级认定和揭榜挂帅机制。"),
    );
    let mut docs = corpus().documents().unwrap();
    docs.push(document("x-1", "甲市", vec![a.clone()]));
    docs.push(document("y-1", "乙市", vec![b.clone()]));
    // With the preamble counted, they would look parallel (IDF alone
    // weighs these rare-per-provision formulae heavily)…
    let model = SimilarityModel::of_documents(&docs);
    assert!(
        model.similarity(&a, &b) >= ROW_THRESHOLD,
        "the test needs boilerplate that matters: {}",
        model.similarity(&a, &b)
    );
    // … but rows are formed without it.
    let c = comparison_of(&docs, "talent", By::Jurisdiction);
    // (x-1's housing measure may find Nantong's 人才公寓: a real parallel.)
    assert!(
        !same_row(&c, ("x-1", "一、"), ("y-1", "一、")),
        "{}",
        outline(&c)
    );
    // The same two provisions with a real shared measure do share a row.
    let b2 = item(
        "y-1",
        1,
        "一、",
        "加强人才安居保障",
        &format!("{PREAMBLE}。建设人才公寓，发放青年人才安家补贴，解决人才子女入学问题。"),
    );
    let n = docs.len();
    docs[n - 1] = document("y-1", "乙市", vec![b2]);
    let c = comparison_of(&docs, "talent", By::Jurisdiction);
    assert!(
        same_row(&c, ("x-1", "一、"), ("y-1", "一、")),
        "{}",
        outline(&c)
    );
}

#[test]
fn csv_neutralizes_formulas() {
    let a = item(
        "x-1",
        1,
        "",
        "=HYPERLINK(\"http://evil\")加强人才引进",
        "建设人才公寓，发放人才安家补贴。",
    );
    let mut b = item(
        "y-1",
        1,
        "一、",
        "加强人才引进",
        "建设人才公寓，发放人才安家补贴。",
    );
    b.text = "+SUM(A1)人才引进，建设人才公寓，发放人才安家补贴。".into();
    let mut docs = corpus().documents().unwrap();
    docs.push(document("x-1", "=甲市", vec![a]));
    docs.push(document("y-1", "乙市", vec![b]));
    let c = comparison_of(&docs, "talent", By::Jurisdiction);
    assert!(
        same_row(&c, ("x-1", "="), ("y-1", "一、")),
        "{}",
        outline(&c)
    );
    let mut buf = vec![];
    sbs::csv(&c, &mut buf).unwrap();
    let mut rd = csv::Reader::from_reader(buf.as_slice());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert!(header.contains(&"'=甲市".to_string()), "{header:?}");
    let records: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), c.rows.len());
    let fields: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .chain(records.iter().flat_map(|r| r.iter()))
        .collect();
    for f in &fields {
        assert!(
            !f.starts_with(['=', '+', '-', '@']),
            "formula cell {f:?} in {fields:?}"
        );
    }
    assert!(
        fields.iter().any(|f| f.starts_with("'=HYPERLINK")),
        "{fields:?}"
    );
    assert!(fields.iter().any(|f| f.starts_with("'+SUM")), "{fields:?}");
}

#[test]
fn renderers_escape_and_say_no_counterpart() {
    let mut docs = corpus().documents().unwrap();
    let d = docs
        .iter_mut()
        .find(|d| d.entry.id == "lyg-2022-32")
        .unwrap();
    let p = d
        .provisions
        .iter_mut()
        .find(|p| p.heading.starts_with("10. "))
        .unwrap();
    p.text.push_str("<script>alert(1)</script>");
    p.heading.push_str("<b>x</b>");
    let c = comparison_of(&docs, "talent", By::Jurisdiction);
    let html = sbs::html(&c);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "script tag leaked");
    assert!(!html.contains("<b>x"), "heading markup leaked");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );
    for col in COLUMNS {
        assert!(html.contains(&format!("<th>{col}<br>")), "{col}");
    }
    assert!(html.contains("no counterpart"));
    assert!(html.contains("<mark>"));
    assert!(html.contains("class=\"heat\""));
    let md = sbs::markdown(&c);
    assert!(!md.replace("\\<", "").contains("<script") && md.contains("\\<script>"));
    assert!(md.contains("—  no counterpart"));
    assert!(md.contains("## Provenance"));
}

// ---- the command line ----

fn cmd_with(corpus: &Path, index: &Path) -> Command {
    cli(corpus, index)
}

fn cmd() -> Command {
    cmd_with(
        &repo().join("corpus"),
        &std::env::temp_dir().join(format!("pd-compare-index-{}", std::process::id())),
    )
}

fn json(args: &[&str]) -> Value {
    let out = succeed(cmd().arg("compare").args(args).args(["--format", "json"]));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cli_json_follows_the_contract() {
    let v = json(&["--topic", "fiscal"]);
    assert_eq!(v["topic"]["id"], "fiscal");
    assert!(v["topic"]["label"].as_str().unwrap().contains("财政"));
    let columns: Vec<&str> = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(columns, COLUMNS);
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    let mut seen = HashSet::new();
    for r in rows {
        let mut in_row = HashSet::new();
        assert!(r["label"].is_string());
        let s = r["similarity"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s));
        let cells = r["cells"].as_object().unwrap();
        assert_eq!(cells.len(), columns.len());
        for col in &columns {
            for x in cells[*col].as_array().unwrap() {
                for k in ["doc_id", "provision_id", "heading", "text"] {
                    assert!(x[k].is_string(), "{k} in {x}");
                }
                assert!(x["score"].as_f64().unwrap() >= policy_diff::topics::THRESHOLD);
                assert!(!x["evidence"].as_array().unwrap().is_empty());
                assert!(x["figures"].is_array());
                assert!(x["clauses"].is_array());
                assert!(in_row.insert(x["provision_id"].as_str().unwrap().to_string()));
                seen.insert(x["provision_id"].as_str().unwrap().to_string());
            }
        }
    }
    // The fiscal row: 002's measure 5 and 003's （三）.
    let row = rows
        .iter()
        .find(|r| {
            r["cells"]["连云港市"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["heading"] == "5. 加大财政政策支持力度")
        })
        .unwrap();
    assert_eq!(
        row["cells"]["南通市"][0]["heading"],
        "（三）强化财政金融支持"
    );
    assert_eq!(row["cells"]["连云港经济技术开发区"], serde_json::json!([]));
    let p = &v["provenance"];
    assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        p["topic_threshold"].as_f64(),
        Some(policy_diff::topics::THRESHOLD)
    );
    assert_eq!(p["row_threshold"].as_f64(), Some(ROW_THRESHOLD));
    assert!(p["taxonomy_version"].is_string());
    assert!(p["taxonomy_fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("topics-"));
    let docs = p["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 5);
    assert!(docs
        .iter()
        .all(|d| d["hash"].as_str().unwrap().starts_with("blake3:")));
}

#[test]
fn cli_topic_names_and_errors() {
    for name in ["financial-autonomy", "财政自主权", "财政体制与财政自主权"] {
        assert_eq!(json(&["--topic", name])["topic"]["id"], "fiscal", "{name}");
    }
    cmd()
        .args(["compare", "--topic", "fiscall"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown topic 'fiscall'"))
        .stderr(predicates::str::contains("did you mean"))
        .stderr(predicates::str::contains("fiscal"));
    cmd()
        .args(["compare", "--topic", "land", "--jurisdiction", "苏州"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown jurisdiction"));
    cmd()
        .args(["compare", "--topic", "land", "--doc", "lyg-2022-33"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("lyg-2022-32"));
    cmd()
        .args(["compare", "--topic", "land", "--format", "text"])
        .assert()
        .code(2);
    cmd()
        .args(["compare", "--topic", "land", "--threshold", "0"])
        .assert()
        .code(2);
}

#[test]
fn cli_filters_and_columns() {
    let v = json(&[
        "--topic",
        "land",
        "--jurisdiction",
        "南通",
        "--jurisdiction",
        "连云港市",
    ]);
    assert_eq!(v["columns"], serde_json::json!(["南通市", "连云港市"]));
    let v = json(&[
        "--topic",
        "land",
        "--by",
        "doc",
        "--doc",
        "nt-2021-23",
        "--doc",
        "lyg-2022-32",
    ]);
    assert_eq!(
        v["columns"],
        serde_json::json!(["nt-2021-23", "lyg-2022-32"])
    );
    let row = &v["rows"][0];
    assert_eq!(
        row["cells"]["lyg-2022-32"][0]["heading"],
        "8. 提高土地集约利用水平"
    );
    assert_eq!(
        row["cells"]["nt-2021-23"][0]["heading"],
        "（一）提升土地集约利用水平"
    );
}

#[test]
fn cli_formats_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("land.html");
    let out = cmd()
        .args(["compare", "--topic", "land", "--format", "html", "--output"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&f.display().to_string()), "{err}");
    let html = read(&f);
    assert!(html.contains("8. 提高土地集约利用水平"));
    // No temporary files left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let out = cmd().args(["compare", "--topic", "土地"]).output().unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# Compare: 土地与用地"), "{md}");
    assert!(md.contains("8. 提高土地集约利用水平"));

    let out = cmd()
        .args(["compare", "--topic", "land", "--format", "csv"])
        .output()
        .unwrap();
    let mut rd = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    for col in COLUMNS {
        assert!(header.contains(&col.to_string()), "{header:?}");
    }
    let rows = rd.records().count();
    assert_eq!(
        rows,
        json(&["--topic", "land"])["rows"].as_array().unwrap().len()
    );
}

/// A copy of the seeds where 002's talent measure carries a script tag.
fn hostile_corpus(root: &Path) -> PathBuf {
    let corpus_dir = root.join("corpus");
    std::fs::create_dir_all(&corpus_dir).unwrap();
    let mut files = vec![];
    for e in std::fs::read_dir(seeds_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "txt") {
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let mut text = read(&p);
        if name.starts_with("002") {
            assert!(text.contains("建设全面人才支撑体系。"));
            text = text.replace(
                "建设全面人才支撑体系。",
                "建设全面人才支撑体系。<script>alert(1)</script>",
            );
        }
        let copy = root.join(name);
        std::fs::write(&copy, text).unwrap();
        files.push(copy);
    }
    files.sort();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let mut c = Corpus::open(&corpus_dir).unwrap();
    for r in c.add_files(&refs, &Default::default()) {
        r.unwrap();
    }
    corpus_dir
}

#[test]
fn cli_html_escapes_a_hostile_document() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = hostile_corpus(dir.path());
    let index = dir.path().join("index");
    for fmt in ["html", "md"] {
        let out = succeed(
            cmd_with(&corpus_dir, &index).args(["compare", "--topic", "talent", "--format", fmt]),
        );
        let page = String::from_utf8(out.stdout).unwrap();
        if fmt == "md" {
            // Markdown escapes with backslashes: `\<script>` renders as text.
            assert!(
                !page.replace("\\<", "").contains("<script"),
                "{fmt}: script tag leaked"
            );
            assert!(page.contains("\\<script>alert(1)\\</script>"), "{fmt}");
            assert!(!page.contains("&lt;"), "{fmt}: no HTML entities");
            continue;
        }
        assert!(!page.contains("<script"), "{fmt}: script tag leaked");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{fmt}"
        );
    }
}

/// The topics of every provision are cached beside the index; a document
/// edited in place (then indexed) is classified again.
#[test]
fn cli_classification_cache_follows_edits() {
    let dir = tempfile::tempdir().unwrap();
    let corpus_dir = hostile_corpus(dir.path());
    let index = dir.path().join("index");
    let run = || {
        let out = succeed(
            cmd_with(&corpus_dir, &index)
                .args(["compare", "--topic", "talent", "--format", "json"]),
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let first = run();
    let caches = || {
        std::fs::read_dir(&index)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("compare-topics-"))
            .collect::<Vec<_>>()
    };
    assert_eq!(caches().len(), 1);
    assert_eq!(
        run(),
        first,
        "the cached classification gives the same report"
    );
    let headings = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["cells"]["南通市"].as_array().unwrap().clone())
            .map(|x| x["heading"].as_str().unwrap().to_string())
            .collect()
    };
    let distinct = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(distinct(headings(&first)), ["（二）集聚高水平人才"]);
    // Edit 003 in place (the catalog is not told): its fiscal measure now
    // names talent in its heading.
    let c = Corpus::open(&corpus_dir).unwrap();
    let path = corpus_dir.join(&c.entry("nt-2021-23").unwrap().file);
    let text = read(&path).replace("（三）强化财政金融支持", "（三）强化人才和财政金融支持");
    std::fs::write(&path, text).unwrap();
    // An edit in place moves no freshness signal (issue 20): `index`
    // looks at every file and picks it up.
    assert!(cmd_with(&corpus_dir, &index)
        .arg("index")
        .output()
        .unwrap()
        .status
        .success());
    let second = run();
    let got = distinct(headings(&second));
    assert_eq!(
        got,
        ["（三）强化人才和财政金融支持", "（二）集聚高水平人才"]
    );
    assert_eq!(caches().len(), 1, "the old cache is removed");
}
