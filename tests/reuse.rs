//! `policy-diff reuse`: near-verbatim passages, who said them first, boilerplate.

mod common;

use common::*;

fn run(corpus: &std::path::Path, index: &std::path::Path, args: &[&str]) -> serde_json::Value {
    run_json(cli(corpus, index), args)
}

#[test]
fn shared_passage_of_002_and_003_has_their_common_parent_as_likely_source() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let corpus = repo().join("corpus");
    let r = run(&corpus, &index, &["reuse", "lyg-2022-32"]);
    let passages = r["passages"].as_array().unwrap();
    let p = passages
        .iter()
        .find(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .contains("原则上不向开发区派驻机构")
        })
        .expect("the 派驻机构 passage is reused");
    assert_eq!(p["sources"][0]["doc_id"], "nt-2021-23");
    assert!(p["sources"][0]["similarity"].as_f64().unwrap() >= 0.8);
    // 003 (2021-06-03) is dated before 002 (2022-04-02), but both implement
    // 苏政发〔2020〕79号 (the catalog knows it): the provincial document is the
    // likely common source, and the dates name no one.
    assert_eq!(p["common_source"]["doc_number"], "苏政发〔2020〕79号");
    assert!(p["first_said_by"].is_null());
    // Longest first; no responsible-unit notes; nothing labelled boilerplate without the flag.
    let lens: Vec<u64> = passages
        .iter()
        .map(|p| p["chars"].as_u64().unwrap())
        .collect();
    assert!(lens.windows(2).all(|w| w[0] >= w[1]));
    assert!(passages
        .iter()
        .all(|p| !p["text"].as_str().unwrap().contains("责任单位") && p["boilerplate"] == false));
    // And from the other side.
    let r = run(&corpus, &index, &["reuse", "nt-2021-23"]);
    let p = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .contains("不向经济开发区派驻机构")
        })
        .unwrap();
    assert_eq!(p["sources"][0]["doc_id"], "lyg-2022-32");
    assert_eq!(p["common_source"]["doc_number"], "苏政发〔2020〕79号");
    // The text report says so.
    let out = cli(&corpus, &index)
        .args(["reuse", "nt-2021-23"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("all implement 苏政发〔2020〕79号"), "{text}");
}

#[test]
fn stock_phrases_are_boilerplate_and_copied_text_is_reuse() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    // In 6 of the 11 documents: most of the others.
    let stock = "各地各部门要强化组织领导，压实工作责任，确保各项任务落地见效。";
    let copied = "支持有条件的开发区实行“一级财政”管理体制，“十四五”期间实现省级开发区财政预算管理和独立核算。";
    let mut files = vec![];
    for (i, (city, own)) in [
        ("苏州", "推进园区数字化转型，建设智能工厂五十家。"),
        ("无锡", "加快物联网产业集聚，培育龙头企业十家以上。"),
        ("常州", "打造新能源之都，完善动力电池产业链条。"),
        ("扬州", "发展文旅融合产业，提升古城保护利用水平。"),
        ("镇江", "建设船舶与海工装备基地，推动港产城联动。"),
        ("泰州", "壮大医药健康产业，建设中国医药城二期。"),
    ]
    .iter()
    .enumerate()
    {
        let extra = if i == 0 { copied } else { "" };
        let text = format!("{city}市人民政府关于推进开发区建设的意见\n\n一、主要任务\n\n（一）{own}{extra}\n\n（二）保障措施。{stock}\n\n{city}市人民政府\n\n2023年{}月1日\n", i + 1);
        let path = dir.path().join(format!("{city}.txt"));
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    let mut c = policy_diff::corpus::Corpus::open(&corpus).unwrap();
    let seeds: Vec<std::path::PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.extend(seeds);
    let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    assert!(c
        .add_files(&refs, &Default::default())
        .iter()
        .all(|r| r.is_ok()));
    let suzhou = c
        .catalog
        .documents
        .iter()
        .find(|d| d.jurisdiction == "苏州市")
        .unwrap()
        .id
        .clone();
    let index = dir.path().join("index");
    let r = run(&corpus, &index, &["reuse", &suzhou, "--boilerplate"]);
    let passages = r["passages"].as_array().unwrap();
    let b = passages
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("压实工作责任"))
        .expect("stock phrase listed with --boilerplate");
    assert_eq!(b["boilerplate"], true);
    assert!(b["documents"].as_u64().unwrap() >= 3);
    let reuse = passages
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("一级财政"))
        .expect("copied passage found");
    assert_eq!(reuse["boilerplate"], false);
    assert_eq!(reuse["sources"][0]["doc_id"], "lyg-2022-32");
    // 002 is dated 2022-04-02, Suzhou 2023-01-01: 002 said it first.
    assert_eq!(reuse["first_said_by"], "lyg-2022-32");
    // Without the flag the stock phrase is not listed.
    let r = run(&corpus, &index, &["reuse", &suzhou]);
    assert!(r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["boilerplate"] == false));
}

/// Reuse is symmetric where it is verbatim: a passage of A found in B at
/// similarity 0.95 or more is reported from B's side too, even when B has
/// it inside a longer sentence (as a run of that sentence's clauses).
#[test]
fn verbatim_passages_are_found_from_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let corpus = repo().join("corpus");
    let ids = [
        "lyg-etdz-2021-54",
        "lyg-etdz-plan-2021",
        "lyg-2022-32",
        "nt-2021-23",
        "lyg-2021-25",
    ];
    let reports: Vec<(&str, serde_json::Value)> = ids
        .iter()
        .map(|id| (*id, run(&corpus, &index, &["reuse", id])))
        .collect();
    // (folded text, [(source document, similarity)]); boilerplate passages
    // (stock phrases, no sources) as ("…", []) only when asked for.
    let all = |id: &str, boilerplate: bool| -> Vec<(String, Vec<(String, f64)>)> {
        let r = &reports.iter().find(|(i, _)| *i == id).unwrap().1;
        r["passages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| boilerplate || p["boilerplate"] == false)
            .map(|p| {
                let sources = p["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        (
                            s["doc_id"].as_str().unwrap().to_string(),
                            s["similarity"].as_f64().unwrap(),
                        )
                    })
                    .collect();
                (
                    policy_diff::text::fold(p["text"].as_str().unwrap()),
                    sources,
                )
            })
            .collect()
    };
    let passages = |id: &str| all(id, false);
    // Near-verbatim, either way round: most bigrams of the shorter text are
    // in the longer one (为指导 here, 为指引 there).
    let overlaps = |x: &str, y: &str| -> bool {
        let grams = |s: &str| -> std::collections::HashSet<(char, char)> {
            let c: Vec<char> = s.chars().collect();
            c.windows(2).map(|w| (w[0], w[1])).collect()
        };
        let (gx, gy) = (grams(x), grams(y));
        let (short, long) = if gx.len() <= gy.len() {
            (&gx, &gy)
        } else {
            (&gy, &gx)
        };
        !short.is_empty() && short.intersection(long).count() as f64 >= 0.8 * short.len() as f64
    };
    let mut checked = 0;
    for a in ids {
        for (text, sources) in passages(a) {
            for (b, sim) in sources.iter().filter(|(_, sim)| *sim >= 0.95) {
                // From B's side: reused from A, or a stock phrase there.
                let back = all(b, true);
                let found = back.iter().any(|(t, s)| {
                    (s.is_empty() || s.iter().any(|(d, _)| d == a)) && overlaps(t, &text)
                });
                assert!(
                    found,
                    "{a} has {text:?} from {b} ({sim}), but {b}'s reuse does not have it from {a}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "only {checked} verbatim passages checked");
    // The example that was one-sided: 003 has the sentence alone, 002 inside a longer one.
    assert!(passages("lyg-2022-32").iter().any(|(t, s)| t
        .contains("集约化可视化安全监管信息共享平台建成率100%")
        && s.iter().any(|(d, _)| d == "nt-2021-23")));
}

/// A sentence that is mostly political formulae is boilerplate even when
/// only two documents share it: the one notion `diff` and `compare` use.
#[test]
fn a_formula_sentence_is_boilerplate_not_reuse() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let formula = "以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的十九大和十九届历次全会精神，完整准确全面贯彻新发展理念。";
    let mut files = vec![];
    for (city, own) in [
        ("苏州", "推进园区数字化转型，建设智能工厂五十家。"),
        ("无锡", "加快物联网产业集聚，培育龙头企业十家以上。"),
    ] {
        let text = format!(
            "{city}市人民政府关于推进开发区建设的意见\n\n一、总体要求\n\n{formula}\n\n二、主要任务\n\n（一）{own}\n\n{city}市人民政府\n\n2023年1月1日\n"
        );
        let path = dir.path().join(format!("{city}.txt"));
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    let mut c = policy_diff::corpus::Corpus::open(&corpus).unwrap();
    let refs: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    assert!(c
        .add_files(&refs, &Default::default())
        .iter()
        .all(|r| r.is_ok()));
    let id = c.catalog.documents[0].id.clone();
    let index = dir.path().join("index");
    let r = run(&corpus, &index, &["reuse", &id, "--boilerplate"]);
    let p = r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("全会精神"))
        .expect("the formula sentence is listed with --boilerplate");
    assert_eq!(p["boilerplate"], true);
    assert!(p["first_said_by"].is_null());
    // Without the flag it is not counted as reuse.
    let r = run(&corpus, &index, &["reuse", &id]);
    assert!(r["passages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| !p["text"].as_str().unwrap().contains("全会精神")));
}
